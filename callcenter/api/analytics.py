"""REST routes of conversation analytics (``callcenter/analytics``): a call's analysis, transcript search,
supervisors' overrides of scorecard rules, reports per agent / queue.

Roles: an **agent** sees only its own calls (a call of another agent is 404, searches and reports are
limited to the agent's calls); **supervisors** and **admins** see every call and may override a rule.
Risk-word alerts reach supervisors live over the WebSocket (``RiskWordsDetected`` events).
"""
from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .auth import principal, require
from .common import DB_KEY, json_response
from .errors import ApiError
from .spec import Field, Route, read_body, read_query

ANALYTICS_KEY = web.AppKey("callcenter_analytics", object)

SEARCH_QUERY = (
    Field("q", "string", description='words (all required); "quoted words" are a phrase; none: the analysed '
          'calls matching the filters alone, newest first'),
    Field("queue", "string"), Field("agent", "string"),
    Field("from", "string", description="calls from: ISO 8601, epoch seconds, today, -7d ..."),
    Field("to", "string", description="calls before, same forms"),
    Field("risk", "boolean", description="only calls with risk-word hits"),
    Field("min_score", "number"), Field("max_score", "number"),
    Field("min_caller_mood", "number", description="caller's mood from (-1..1; upset is -0.35 and below)"),
    Field("max_caller_mood", "number", description="caller's mood up to"),
    Field("limit", "integer", minimum=1, maximum=1000),
)
REPORT_QUERY = (
    Field("by", "string", enum=("agent", "queue")), Field("from", "string"), Field("to", "string"),
    Field("queue", "string"), Field("agent", "string"),
    Field("format", "string", enum=("json", "csv"), description="json (default) or csv (fail_<rule> columns)"),
)
OVERRIDE_BODY = (
    Field("passed", "boolean", description="the rule's result as the supervisor sees it; null removes the override"),
    Field("comment", "string", description="why (required when passed is true or false)"),
)


def service_of(request: web.Request):
    """The analytics service of the server, or one over the API's database (reads and overrides only)."""
    svc = request.app.get(ANALYTICS_KEY)
    if svc is not None:
        return svc
    db = request.app.get(DB_KEY)
    if db is None:
        raise ApiError(503, "the database is not open (conversation analytics needs it)")
    from ..analytics.service import AnalyticsService
    return AnalyticsService(db, None)


def _own_agent(request: web.Request) -> str | None:
    """None for supervisors and admins; the agent's name for an agent (whose view is limited to it)."""
    p = principal(request)
    return None if p.at_least("supervisor") else (p.agent_id or "\0")


def _times(q: dict[str, Any]) -> dict[str, float]:
    from ..engine.reports import parse_time
    out, now = {}, time.time()
    for key, name in (("from", "since"), ("to", "until")):
        if q.get(key):
            try:
                out[name] = parse_time(q[key], now)
            except ValueError as exc:
                raise ApiError(400, str(exc), key) from None
    return out


async def get_analysis(request: web.Request) -> web.Response:
    require(request, "agent")
    call_id = request.match_info["call_id"]
    a = await service_of(request).get(call_id)
    own = _own_agent(request)
    if a is None or (own is not None and a.get("agent") != own):
        raise ApiError(404, f"call {call_id} has no analysis" + (" of yours" if own is not None else ""))
    return json_response(a)


async def search(request: web.Request) -> web.Response:
    require(request, "agent")
    q = read_query(request, SEARCH_QUERY)
    filters: dict[str, Any] = {k: q.get(k) for k in ("queue", "agent", "min_score", "max_score", "min_caller_mood",
                                                      "max_caller_mood")}
    filters.update(_times(q))
    if q.get("risk"):
        filters["has_risk"] = True
    own = _own_agent(request)
    if own is not None:
        filters["agent"] = own
    from ..store.common import RepoError
    try:
        rows = await service_of(request).search(q.get("q"), limit=q.get("limit") or 50, **filters)
    except RepoError as exc:
        raise ApiError(400, str(exc), "q") from None
    return json_response({"query": q.get("q"), "calls": rows})


async def override(request: web.Request) -> web.Response:
    p = require(request, "supervisor")
    body = await read_body(request, OVERRIDE_BODY)
    if "passed" not in body:
        raise ApiError(400, "give passed: true / false (or null to remove the override)", "passed")
    from ..analytics.service import OverrideError
    from ..analytics.transcribe import AnalysisError
    try:
        a = await service_of(request).override(request.match_info["call_id"], request.match_info["rule"],
                                               body["passed"], body.get("comment") or "", p.user)
    except AnalysisError as exc:
        raise ApiError(404, str(exc)) from None
    except OverrideError as exc:
        raise ApiError(400, str(exc), exc.field) from None
    return json_response(a)


async def report(request: web.Request) -> web.Response:
    require(request, "agent")
    q = read_query(request, REPORT_QUERY)
    filters: dict[str, Any] = {k: q[k] for k in ("queue", "agent") if q.get(k)}
    filters.update(_times(q))
    own = _own_agent(request)
    if own is not None:
        filters["agent"] = own
    by = q.get("by") or "agent"
    lines = await service_of(request).report(by, **filters)
    if q.get("format") == "csv":
        from ..analytics.reports import analytics_csv
        return web.Response(text=analytics_csv(lines), content_type="text/csv")
    return json_response({"by": by, "lines": lines})


ANALYTICS_ROUTES: list[Route] = [
    Route("GET", "/api/analytics/calls/{call_id}", get_analysis, "a call's analysis: transcript turns and words, "
          "risk hits, mood, QA score with evidence and overrides (an agent: its own calls only)", role="agent",
          tag="analytics", responses={"404": "no analysis (of yours)"}),
    Route("GET", "/api/analytics/search", search, "calls whose transcript has the words / phrases, with filters "
          "(without words: the filters alone; an agent: its own calls only)", role="agent", query=SEARCH_QUERY,
          tag="analytics"),
    Route("POST", "/api/analytics/calls/{call_id}/overrides/{rule}", override, "override one scorecard rule's "
          "result (kept beside the automatic result); the score is worked out again", role="supervisor",
          body=OVERRIDE_BODY, tag="analytics", responses={"400": "no comment (field: comment), or no passed",
                                                        "404": "no finished analysis, or no such rule"}),
    Route("GET", "/api/analytics/report", report, "per agent or queue: average score, rule failure rates, risk "
          "hits, talk/listen, silence, overtalk, mood trend (an agent: itself only); JSON or CSV", role="agent",
          query=REPORT_QUERY, tag="analytics", produces="application/json, text/csv"),
]
