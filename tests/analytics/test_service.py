"""The analytics service: one call's recording through the pipeline into the store, the call's record and
the bus; failures stay on their call; overrides, search and reports."""
from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.analytics.service import AnalyticsService
from callcenter.analytics.transcribe import AnalysisError
from callcenter.config import AnalyticsSection
from callcenter.events import EventBus
from callcenter.store import repo

from .tones import ToneWords, tone_call

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "analytics"
GOOD = [("agent", 0.5, 2.0, 300), ("caller", 2.5, 4.5, 500), ("agent", 5.0, 6.5, 400), ("agent", 9.0, 10.5, 700)]


def _service(db, bus=None, **settings):
    kw = {"risk_words": str(FIXTURES / "risk_words.yaml"), "scorecards": str(FIXTURES / "scorecards" / "support.yaml"),
          **settings}
    return AnalyticsService(db, None, bus, AnalyticsSection(**kw), clock=lambda: 5000.0,
                            recognizer=lambda language: ToneWords())


async def _cdr(db, call_id, **kw):
    async with db.session() as s:
        await repo.save_call(s, call_id, queue="support", agent="alice", language="en-US", arrived_at=1000.0,
                             answered_at=1010.0, **kw)


async def test_a_call_through_the_pipeline(db, tmp_path):
    bus, seen = EventBus(), []
    bus.subscribe(seen.append)
    svc = _service(db, bus)
    await _cdr(db, "c1")
    row = await svc.analyze_call("c1", str(tone_call(tmp_path / "c1.wav", GOOD, 12.0)))
    assert row["status"] == "done" and row["queue"] == "support" and row["agent"] == "alice"
    assert row["risk_count"] == 1 and row["call_at"] == 1010.0 and row["engine"] == "tones"
    hit = row["result"]["risk_hits"][0]
    assert (hit["term"], hit["side"], hit["list"]) == ("lawyer", "caller", "legal") and 2.5 < hit["start"] < 4.5
    rules = {r["id"]: r["passed"] for r in row["result"]["qa"]["rules"]}
    assert rules["greeting"] and rules["identity"] and rules["closing"] and not rules["silence"]
    assert row["score"] == pytest.approx(100 * 10 / 11, abs=0.1)
    # the supervisor alert (no agent_id: supervisors only) and the analysed call on the bus
    alert = [e for e in seen if e.kind == "RiskWordsDetected"][0]
    assert alert.agent_id is None and alert.data["agent"] == "alice" and alert.call_id == "c1"
    assert "'lawyer' (legal) said by the caller at 00:04" in alert.data["summary"]
    assert [e.kind for e in seen][-1] == "CallAnalyzed"
    # over the WebSocket: supervisors get the alert, the agent (even the call's own) does not
    from callcenter.api.auth import Principal
    from callcenter.api.ws import _Client
    assert _Client(Principal("sue", "supervisor"), None).wants(alert)
    assert not _Client(Principal("alice", "agent", "alice"), None).wants(alert)
    async with db.session() as s:
        cdr = await repo.get_call(s, "c1")
    assert cdr.data["analytics"]["risk_hits"] == 1 and cdr.data["analytics"]["score"] == row["score"]
    # search and the report see it
    assert [r["call_id"] for r in await svc.search("lawyer", queue="support")] == ["c1"]
    rep = await svc.report("agent")
    assert rep[0]["agent"] == "alice" and rep[0]["calls"] == 1 and rep[0]["rule_failure_rates"]["silence"] == 1.0


async def test_override_is_kept_beside_the_automatic_result(db, tmp_path):
    svc = _service(db)
    await _cdr(db, "c1")
    await svc.analyze_call("c1", str(tone_call(tmp_path / "c1.wav", GOOD, 12.0)))
    out = await svc.override("c1", "silence", True, "the caller was looking for the bill", "sue")
    rule = {r["id"]: r for r in out["result"]["qa"]["rules"]}["silence"]
    assert rule["passed"] and rule["auto"]["passed"] is False and rule["override"]["by"] == "sue"
    assert out["score"] == 100.0 and out["result"]["qa"]["score"] == 100.0
    with pytest.raises(AnalysisError, match="has no rule 'nope'"):
        await svc.override("c1", "nope", True, "", "sue")
    back = await svc.override("c1", "silence", None, "", "sue")
    assert back["score"] == pytest.approx(90.9, abs=0.1)
    # a new analysis of the same call keeps the supervisors' overrides
    await svc.override("c1", "silence", True, "x", "sue")
    again = await svc.analyze_call("c1", str(tmp_path / "c1.wav"))
    assert again["score"] == 100.0


async def test_bad_recordings_fail_their_call_only(db, tmp_path):
    svc = _service(db)
    await _cdr(db, "bad")
    cut = tone_call(tmp_path / "cut.wav", GOOD, 12.0)
    cut.write_bytes(cut.read_bytes()[:50_000])
    with pytest.raises(AnalysisError, match="truncated recording"):
        await svc.analyze_call("bad", str(cut))
    got = await svc.get("bad")
    assert got["status"] == "failed" and "truncated recording: the header announces 12.0 s" in got["error"]
    async with db.session() as s:
        assert "truncated" in (await repo.get_call(s, "bad")).data["analytics"]["error"]
    with pytest.raises(AnalysisError, match="recording not found"):
        await svc.analyze_call("gone", str(tmp_path / "gone.wav"))
    with pytest.raises(AnalysisError, match="has no recording to analyse"):
        await svc.analyze_call("norec")
    # the next call goes on
    await _cdr(db, "ok")
    assert (await svc.analyze_call("ok", str(tone_call(tmp_path / "ok.wav", GOOD, 12.0))))["status"] == "done"


async def test_unknown_language_is_an_error_on_the_call(db, tmp_path):
    from callcenter.config import SpeechSection
    from callcenter.speech.service import SpeechService
    speech = SpeechService(SpeechSection(pocketsphinx=False), packages=[])
    svc = AnalyticsService(db, speech, None, AnalyticsSection(languages={"support": "xx-YY"}))
    await _cdr(db, "c1")
    with pytest.raises(AnalysisError, match="no recognizer for language 'xx-YY'"):
        await svc.analyze_call("c1", str(tone_call(tmp_path / "c1.wav", GOOD, 12.0)))
    assert (await svc.get("c1"))["status"] == "failed"


async def test_a_broken_scorecard_leaves_the_rest_of_the_analysis(db, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text("name: x\nrules:\n  - id: r\n    type: metric\n    field: talk_ratio\n    max: 2\n")
    svc = _service(db, scorecards=str(card))
    await _cdr(db, "c1")
    row = await svc.analyze_call("c1", str(tone_call(tmp_path / "c1.wav", GOOD, 12.0)))
    assert row["status"] == "done" and row["score"] is None and row["risk_count"] == 1
    assert f"scorecard not used: {card}:5:12: rule 'r': unknown metric field 'talk_ratio'" in row["error"]
    assert row["result"]["errors"] == [row["error"]]
