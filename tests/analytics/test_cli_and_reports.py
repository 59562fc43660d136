"""`callcenter transcripts search|show`, `callcenter qa show|override|report|check`, `callcenter report
--analytics --offline`, and the report figures (pure)."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from callcenter.analytics.reports import analytics_report
from callcenter.cli import main
from tests.speech.conftest import isolated_env  # noqa: F401  (fixture)

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "analytics"


@pytest.fixture
def env(isolated_env, monkeypatch):
    monkeypatch.setenv("CALLCENTER_ANALYTICS__RISK_WORDS", str(FIX / "risk_words.yaml"))
    monkeypatch.setenv("CALLCENTER_ANALYTICS__SCORECARDS", str(FIX / "scorecards"))
    return isolated_env


def _fill(tmp_path):
    from callcenter.analytics.service import AnalyticsService
    from callcenter.config import load_config
    from callcenter.store import repo
    from callcenter.store.db import open_database

    from .tones import ToneWords, tone_call

    async def go():
        cfg = load_config()
        db = await open_database(cfg.database_url)
        svc = AnalyticsService(db, None, None, cfg.analytics, recognizer=lambda language: ToneWords())
        wav = tone_call(tmp_path / "c.wav", [("agent", 0.5, 2.0, 300), ("caller", 2.5, 4.5, 500)], 8.0)
        async with db.session() as s:
            await repo.save_call(s, "c1", queue="support", agent="a1", language="en-US", arrived_at=1.7e9)
        await svc.analyze_call("c1", str(wav))
        await db.close()
    asyncio.run(go())


def test_search_show_override_report(env, capsys):
    _fill(env)
    assert main(["transcripts", "search", "lawyer", "--queue", "support"]) == 0
    out = capsys.readouterr().out
    assert "c1" in out and "[lawyer]" in out and "1 call(s)" in out
    assert main(["transcripts", "search", "lawyer", "--agent", "nobody"]) == 0
    assert "0 call(s)" in capsys.readouterr().out
    assert main(["transcripts", "search", "--risk", "--min-caller-mood", "-1"]) == 0       # filters alone
    out = capsys.readouterr().out
    assert "c1" in out and "1 call(s)" in out
    assert main(["transcripts", "show", "c1"]) == 0
    out = capsys.readouterr().out
    assert "caller: 'lawyer' (legal, word 'lawyer', high)" in out and "00:02 caller: i will call my lawyer" in out
    assert main(["qa", "override", "c1", "silence", "--pass", "--comment", "looked up a bill", "--by", "sue"]) == 0
    assert "score now" in capsys.readouterr().out
    assert main(["qa", "show", "c1"]) == 0
    assert "[override by sue: looked up a bill; automatic: fail]" in capsys.readouterr().out
    assert main(["qa", "override", "c1", "silence"]) == 1
    assert "give --pass or --fail" in capsys.readouterr().err
    assert main(["qa", "override", "c1", "identity", "--fail", "--by", "sue"]) == 1
    assert "an override needs a comment" in capsys.readouterr().err
    assert main(["qa", "report", "--by", "queue"]) == 0
    out = capsys.readouterr().out
    assert "support" in out and "avg_score" in out
    assert main(["report", "--analytics", "--offline", "--by", "agent", "--from", "2020-01-01", "--format", "json"]) == 0
    assert '"agent": "a1"' in capsys.readouterr().out
    assert main(["qa", "report", "--by", "agent", "--format", "csv"]) == 0
    head, row = capsys.readouterr().out.splitlines()[:2]
    assert head.startswith("agent,calls,failed,avg_score") and "fail_silence" in head and head.endswith("mood_trend")
    assert row.startswith("a1,1,0,") and dict(zip(head.split(","), row.split(",")))["fail_silence"] == "0.0"
    assert main(["qa", "show", "nope"]) == 1
    assert "has no analysis" in capsys.readouterr().err


def test_qa_check_names_the_place(env, tmp_path, capsys):
    bad = tmp_path / "card.yaml"
    bad.write_text("name: x\nrules:\n  - id: r\n    type: metric\n    field: talk_ratio\n    max: 2\n")
    assert main(["qa", "check", "--scorecard", str(bad), "--risk", str(FIX / "risk_words.yaml")]) == 1
    io = capsys.readouterr()
    assert f"{bad}:5:12: rule 'r': unknown metric field 'talk_ratio'" in io.err and "risk_words.yaml: ok" in io.out
    assert main(["qa", "check"]) == 0                       # the configured files
    assert "support.yaml: ok (scorecard 'support-basic', 8 rule(s))" in capsys.readouterr().out


def _row(agent, queue, score_rules, risk, caller_mood, at, metrics):
    rules = [{"id": rid, "type": "said", "weight": 1, "auto": {"passed": ok, "detail": "", "evidence": []},
              "override": None, "passed": ok} for rid, ok in score_rules]
    qa = {"scorecard": "c", "pass_mark": 50, "rules": rules}
    return {"call_id": f"{agent}{at}", "agent": agent, "queue": queue, "status": "done", "risk_count": risk,
            "caller_mood": caller_mood, "agent_mood": 0.1, "call_at": at, "metrics": metrics, "qa": qa,
            "overrides": {}}


def test_report_figures():
    m = {"agent_talk_s": 30.0, "caller_talk_s": 20.0, "duration_s": 60.0, "silence_s": 6.0, "overtalk_s": 3.0}
    rows = [_row("a1", "q", [("greet", True), ("close", False)], 2, -0.5, 86400 * 2, m),
            _row("a1", "q", [("greet", False), ("close", False)], 0, 0.3, 86400 * 3, m),
            _row("a2", "q", [("greet", True), ("close", True)], 0, 0.5, 86400 * 3, m),
            {"call_id": "f", "agent": "a2", "queue": "q", "status": "failed"}]
    a1, a2 = analytics_report(rows, "agent")
    assert a1["agent"] == "a1" and a1["calls"] == 2 and a1["avg_score"] == 25.0
    assert a1["rule_failure_rates"] == {"close": 1.0, "greet": 0.5}
    assert a1["risk_hits"] == 2 and a1["calls_with_risk"] == 1 and a1["talk_listen_ratio"] == 1.5
    assert a1["silence_pct"] == 10.0 and a1["overtalk_pct"] == 5.0 and a1["caller_mood"] == -0.1
    assert [d["day"] for d in a1["mood_trend"]] == ["1970-01-03", "1970-01-04"]
    assert a2["failed"] == 1 and a2["calls"] == 1 and a2["avg_score"] == 100.0
    # a supervisor's override counts in the report
    rows[1]["overrides"] = {"greet": {"passed": True}}
    assert analytics_report(rows, "queue")[0]["rule_failure_rates"]["greet"] == 0.0
    with pytest.raises(ValueError):
        analytics_report(rows, "colour")
