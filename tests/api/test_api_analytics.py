"""The analytics routes: a call's analysis, search, overrides and reports, with the roles (an agent sees only
its own calls)."""
from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.analytics.service import AnalyticsService
from callcenter.api.routes import setup_api
from callcenter.config import AnalyticsSection
from callcenter.events import EventBus
from callcenter.store import repo
from callcenter.store.db import open_database
from tests.analytics.tones import ToneWords, tone_call

from .helpers import TOKENS

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "analytics"
SUP, A1, A2 = ({"Authorization": f"Bearer {t}"} for t in ("tok-sup", "tok-a1", "tok-a2"))


@pytest.fixture
async def env(tmp_path):
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    svc = AnalyticsService(db, None, None, AnalyticsSection(risk_words=str(FIX / "risk_words.yaml"),
                                                             scorecards=str(FIX / "scorecards")),
                           recognizer=lambda language: ToneWords())
    wav = tone_call(tmp_path / "c.wav", [("agent", 0.5, 2.0, 300), ("caller", 2.5, 4.5, 500),
                                         ("agent", 9.0, 10.5, 700)], 12.0)
    for call_id, agent in (("c1", "a1"), ("c2", "a2")):
        async with db.session() as s:
            await repo.save_call(s, call_id, queue="support", agent=agent, language="en-US", arrived_at=1000.0)
        await svc.analyze_call(call_id, str(wav))
    app = web.Application()
    setup_api(app, engine=None, bus=EventBus(), tokens=TOKENS, db=db)
    async with TestClient(TestServer(app)) as client:
        yield client
    await db.close()


async def test_agent_sees_only_its_own_calls(env):
    r = await env.get("/api/analytics/calls/c1", headers=A1)
    body = await r.json()
    assert r.status == 200 and body["agent"] == "a1" and body["result"]["risk_hits"][0]["term"] == "lawyer"
    assert (await env.get("/api/analytics/calls/c2", headers=A1)).status == 404
    r = await env.get("/api/analytics/search", params={"q": "lawyer"}, headers=A1)
    assert [c["call_id"] for c in (await r.json())["calls"]] == ["c1"]
    r = await env.get("/api/analytics/search", params={"q": "lawyer"}, headers=SUP)
    assert sorted(c["call_id"] for c in (await r.json())["calls"]) == ["c1", "c2"]
    r = await env.get("/api/analytics/report", params={"by": "agent"}, headers=A2)
    assert [ln["agent"] for ln in (await r.json())["lines"]] == ["a2"]


async def test_search_filters_and_errors(env):
    r = await env.get("/api/analytics/search", params={"q": '"call my lawyer"', "agent": "a2", "risk": "true"},
                      headers=SUP)
    assert [c["call_id"] for c in (await r.json())["calls"]] == ["c2"]
    r = await env.get("/api/analytics/search", params={"q": "lawyer", "min_score": "101"}, headers=SUP)
    assert (await r.json())["calls"] == []
    r = await env.get("/api/analytics/search", params={"q": "lawyer", "from": "yesterdayish"}, headers=SUP)
    assert r.status == 400 and (await r.json())["field"] == "from"
    r = await env.get("/api/analytics/search", params={"q": "!!"}, headers=SUP)
    assert r.status == 400 and (await r.json())["field"] == "q"
    # without words: the filters alone (an agent: still its own calls only)
    r = await env.get("/api/analytics/search", params={"max_score": "100"}, headers=SUP)
    assert sorted(c["call_id"] for c in (await r.json())["calls"]) == ["c1", "c2"]
    r = await env.get("/api/analytics/search", headers=A2)
    assert [c["call_id"] for c in (await r.json())["calls"]] == ["c2"]
    r = await env.get("/api/analytics/search", params={"max_caller_mood": "-0.35"}, headers=SUP)
    assert (await r.json())["calls"] == []                                  # nobody upset in these calls


async def test_supervisor_overrides_a_rule(env):
    r = await env.post("/api/analytics/calls/c1/overrides/silence", json={"passed": True, "comment": "on purpose"},
                       headers=A1)
    assert r.status == 403
    r = await env.post("/api/analytics/calls/c1/overrides/silence", json={"passed": True, "comment": "on purpose"},
                       headers=SUP)
    body = await r.json()
    rule = {x["id"]: x for x in body["result"]["qa"]["rules"]}["silence"]
    assert r.status == 200 and rule["override"]["by"] == "sue" and rule["auto"]["passed"] is False
    assert body["score"] == body["result"]["qa"]["score"]
    r = await env.post("/api/analytics/calls/c1/overrides/nosuch", json={"passed": True}, headers=SUP)
    assert r.status == 404 and "no rule 'nosuch'" in (await r.json())["error"]
    r = await env.post("/api/analytics/calls/c1/overrides/identity", json={"passed": True, "comment": " "}, headers=SUP)
    assert r.status == 400 and (await r.json())["field"] == "comment"
    r = await env.get("/api/analytics/report", params={"by": "queue"}, headers=SUP)
    line = (await r.json())["lines"][0]
    assert line["queue"] == "support" and line["calls"] == 2 and line["rule_failure_rates"]["silence"] == 0.5


async def test_report_as_csv(env):
    r = await env.get("/api/analytics/report", params={"by": "queue", "format": "csv"}, headers=SUP)
    text = await r.text()
    assert r.status == 200 and r.content_type == "text/csv"
    head, row = text.splitlines()
    cells = dict(zip(head.split(","), row.split(",")))
    assert cells["queue"] == "support" and cells["calls"] == "2" and cells["fail_silence"] == "1.0"
    assert cells["mood_trend"].startswith("1970-01-01=") and cells["mood_trend"].endswith("/2")
    r = await env.get("/api/analytics/report", params={"by": "queue", "format": "csv"}, headers=A1)
    assert (await r.text()).splitlines()[1].split(",")[1] == "1"          # an agent: its own call only
