"""Repository functions for conversation analytics (``call_analyses``), including full-text search with the
database's own engine: SQLite FTS5 (``call_analyses_fts``) or PostgreSQL tsvector (``search`` column),
through the same :class:`CallAnalysis` model. Same conventions as :mod:`.repo` (each takes an AsyncSession).

Search text: words are all required (AND), ``"quoted words"`` are a phrase, and each word also finds
longer words it begins (``refund`` finds ``refunds``; Korean ``환불`` finds ``환불을``).
"""
from __future__ import annotations

import re
from operator import eq, ge, le, lt
from typing import Any, Mapping, Sequence

from sqlalchemy import column, delete, func, literal_column, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession

from .common import RepoError, _given, _now, _rows
from .models import CallAnalysis

ANALYSIS_STATUSES = ("pending", "done", "failed")
ANALYSIS_FIELDS = ("recording_id", "path", "status", "error", "queue", "agent", "language", "engine", "call_at",
                   "analyzed_at", "duration", "text", "risk_count", "score", "caller_mood", "agent_mood",
                   "result", "overrides")


async def save_analysis(s: AsyncSession, call_id: str, **fields: Any) -> CallAnalysis:
    """Create or update the analysis row of ``call_id``."""
    if not isinstance(call_id, str) or not call_id:
        raise RepoError(f"a call analysis needs a call_id string, got {call_id!r}")
    unknown = set(fields) - set(ANALYSIS_FIELDS)
    if unknown:
        raise RepoError(f"call {call_id}: unknown analysis field(s) {', '.join(sorted(unknown))}")
    if fields.get("status", "pending") not in ANALYSIS_STATUSES:
        raise RepoError(f"call {call_id}: analysis status must be one of {', '.join(ANALYSIS_STATUSES)}")
    row = await get_analysis(s, call_id)
    if row is None:
        row = CallAnalysis(call_id=call_id, status="pending", text="", risk_count=0)
        s.add(row)
    for k, v in fields.items():
        setattr(row, k, v)
    await s.flush()
    return row


async def get_analysis(s: AsyncSession, call_id: str) -> CallAnalysis | None:
    return (await s.execute(select(CallAnalysis).where(CallAnalysis.call_id == call_id))).scalar_one_or_none()


async def set_override(s: AsyncSession, call_id: str, rule_id: str, passed: bool | None, comment: str,
                       by: str, now: float | None = None) -> CallAnalysis:
    """Record (``passed`` True/False) or remove (None) a supervisor's override of one rule's result."""
    row = await get_analysis(s, call_id)
    if row is None:
        raise RepoError(f"call {call_id} has no analysis")
    overrides = dict(row.overrides or {})
    if passed is None:
        overrides.pop(rule_id, None)
    else:
        overrides[rule_id] = {"passed": bool(passed), "comment": comment or "", "by": by, "at": _now(now)}
    row.overrides = overrides
    await s.flush()
    return row


def _filters(queue=None, agent=None, since=None, until=None, has_risk=None, min_score=None, max_score=None,
             status=None, agents: Sequence[str] | None = None, min_caller_mood=None, max_caller_mood=None) -> list:
    conds = _given((CallAnalysis.queue, eq, queue), (CallAnalysis.agent, eq, agent),
                   (CallAnalysis.call_at, ge, since), (CallAnalysis.call_at, lt, until),
                   (CallAnalysis.score, ge, min_score), (CallAnalysis.score, le, max_score),
                   (CallAnalysis.caller_mood, ge, min_caller_mood), (CallAnalysis.caller_mood, le, max_caller_mood),
                   (CallAnalysis.status, eq, status))
    if has_risk is True:
        conds.append(CallAnalysis.risk_count > 0)
    elif has_risk is False:
        conds.append(CallAnalysis.risk_count == 0)
    if agents is not None:
        conds.append(CallAnalysis.agent.in_(list(agents)))
    return conds


async def list_analyses(s: AsyncSession, *, limit: int | None = 1000, **filters: Any) -> list[CallAnalysis]:
    """Analyses matching the filters (queue, agent, since, until, has_risk, min_score, max_score,
    min_caller_mood, max_caller_mood, status, agents), newest call first."""
    q = select(CallAnalysis).where(*_filters(**filters))
    return await _rows(s, q.order_by(CallAnalysis.call_at.desc(), CallAnalysis.id.desc()), limit)


async def delete_analyses_of_recording(s: AsyncSession, recording_id: int) -> int:
    """Derived data of a deleted recording (the retention sweep's deleter)."""
    res = await s.execute(delete(CallAnalysis).where(CallAnalysis.recording_id == recording_id))
    return int(res.rowcount or 0)


# --------------------------------------------------------------------------------------------------
# Full-text search

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"[\w']+", re.UNICODE)


def parse_query(query: str) -> list[list[str]]:
    """``refund "cancel my account"`` -> [["refund"], ["cancel", "my", "account"]]: each entry is a word or
    a phrase (its words in order); punctuation is dropped, case folded."""
    out = []
    for phrase, word in _TOKEN.findall(query or ""):
        words = [w.casefold().strip("'") for w in _WORD.findall(phrase or word)]
        words = [w for w in words if w]
        if words:
            out.append(words)
    return out


_FTS = table("call_analyses_fts", column("rowid"))


def _fts5_query(terms: list[list[str]]) -> str:
    """FTS5 MATCH text: a word is a prefix query (``"refund"*``), a phrase a quoted string."""
    parts = []
    for words in terms:
        quoted = '"' + " ".join(w.replace('"', '""') for w in words) + '"'
        parts.append(quoted + "*" if len(words) == 1 else quoted)
    return " AND ".join(parts)


def _ts_query(terms: list[list[str]]) -> str:
    parts = []
    for words in terms:
        esc = [re.sub(r"[^\w]", "", w) for w in words]
        esc = [w for w in esc if w]
        if esc:
            parts.append(f"{esc[0]}:*" if len(esc) == 1 else "(" + " <-> ".join(esc) + ")")
    return " & ".join(parts)


async def search_analyses(s: AsyncSession, query: str | None, *, limit: int = 50, **filters: Any) -> list[dict[str, Any]]:
    """Calls whose transcript has every word / phrase of ``query`` (and match the filters), best first,
    each with a highlighted snippet (matches in ``[ ]``). Rows: analysis_to_dict(row) + ``snippet``.
    No query (None or blank): the analysed calls matching the filters alone, newest first (``snippet`` None)."""
    if query is None or not query.strip():
        rows = await list_analyses(s, limit=limit, **{"status": "done", **filters})
        return [{**analysis_to_dict(row, full=False), "snippet": None} for row in rows]
    terms = parse_query(query)
    if not terms:
        raise RepoError("search needs at least one word")
    dialect = s.bind.dialect.name
    conds = _filters(**filters)
    if dialect == "sqlite":
        fts = _fts5_query(terms)
        q = (select(CallAnalysis, literal_column("snippet(call_analyses_fts, 0, '[', ']', ' ... ', 12)"))
             .join_from(CallAnalysis, _FTS, _FTS.c.rowid == CallAnalysis.id)
             .where(text("call_analyses_fts MATCH :fts"), *conds)
             .order_by(text("bm25(call_analyses_fts)"), CallAnalysis.call_at.desc())
             .params(fts=fts))
    else:
        tsq = func.to_tsquery("simple", _ts_query(terms))
        search = literal_column("call_analyses.search")
        snippet = func.ts_headline("simple", CallAnalysis.text, tsq,
                                   "StartSel=[, StopSel=], MaxWords=24, MinWords=8, MaxFragments=2, "
                                   "FragmentDelimiter=\" ... \"")
        q = (select(CallAnalysis, snippet)
             .where(search.op("@@")(tsq), *conds)
             .order_by(func.ts_rank(search, tsq).desc(), CallAnalysis.call_at.desc()))
    rows = (await s.execute(q.limit(limit))).all()
    return [{**analysis_to_dict(row, full=False), "snippet": snip} for row, snip in rows]


def analysis_to_dict(a: CallAnalysis, full: bool = True) -> dict[str, Any]:
    out = {"call_id": a.call_id, "recording_id": a.recording_id, "status": a.status, "error": a.error,
           "queue": a.queue, "agent": a.agent, "language": a.language, "engine": a.engine, "call_at": a.call_at,
           "analyzed_at": a.analyzed_at, "duration": a.duration, "risk_count": a.risk_count, "score": a.score,
           "caller_mood": a.caller_mood, "agent_mood": a.agent_mood,
           "mood": ((a.result or {}).get("mood") or {}).get("summary")}
    if full:
        out.update({"path": a.path, "text": a.text, "result": a.result, "overrides": a.overrides or {}})
    return out


def summary_rows(rows: Sequence[CallAnalysis]) -> list[Mapping[str, Any]]:
    """What :mod:`callcenter.analytics.reports` needs of each analysis (no words, no turns)."""
    out = []
    for a in rows:
        r = a.result or {}
        out.append({"call_id": a.call_id, "queue": a.queue, "agent": a.agent, "call_at": a.call_at,
                    "status": a.status, "score": a.score, "risk_count": a.risk_count,
                    "caller_mood": a.caller_mood, "agent_mood": a.agent_mood, "metrics": r.get("metrics") or {},
                    "qa": r.get("qa"), "overrides": a.overrides or {}})
    return out
