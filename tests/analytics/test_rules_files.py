"""Risk-word lists and QA scorecards: loading with file:line errors, hits, scores, evidence, overrides."""
from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.analytics.riskwords import load_risk_lists, parse_risk_lists
from callcenter.analytics.scorecard import (CallFacts, apply_overrides, evaluate, load_scorecard, parse_scorecard,
                                            pick_scorecard)
from callcenter.analytics.yamlcheck import RulesFileError

from .helpers import transcript

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "analytics"


def test_risk_hits_have_time_side_list_and_kind():
    lists = load_risk_lists(FIXTURES / "risk_words.yaml")
    t = transcript(("agent", 0.5, "thank you for calling"),
                   ("caller", 3.0, "i want a refnd or i call my lawyer"),
                   ("caller", 9.0, "cancel my account you idiot"),
                   ("agent", 14.0, "my lawyer says hello"))           # agent side: legal is caller-only
    hits = lists.scan(t.words, "support", "en-US")
    got = [(h.list, h.kind, h.term, h.heard, h.side, round(h.start, 1)) for h in hits]
    assert got == [("legal", "fuzzy", "refund", "refnd", "caller", 4.2),
                   ("legal", "word", "lawyer", "lawyer", "caller", 6.2),
                   ("legal", "phrase", "cancel my account", "cancel my account", "caller", 9.0),
                   ("abuse", "word", "idiot", "idiot", "caller", 10.6)]
    assert hits[0].to_dict()["at"] == "00:04" and hits[0].severity == "high"
    # the abuse list is for the support queue only; Korean lists never apply to English calls
    assert {h.list for h in lists.scan(t.words, "sales", "en-US")} == {"legal"}
    assert lists.scan(t.words, "support", "ko-KR") == []


def test_korean_risk_words():
    lists = load_risk_lists(FIXTURES / "risk_words.yaml")
    t = transcript(("caller", 1.0, "변호사를 부를게요 환불 해 주세요"), language="ko-KR")
    assert [(h.term, h.heard) for h in lists.scan(t.words, None, "ko-KR")] == [
        ("변호사", "변호사를"), ("환불 해 주세요", "환불 해 주세요")]


@pytest.mark.parametrize("text, where, message", [
    ("lists:\n  - name: a\n    wrods: [x]\n", ":3:5:", "unknown field 'wrods' (did you mean 'words'?)"),
    ("lists:\n  - name: a\n    words: [two words]\n", ":3:13:", "put it under phrases"),
    ("lists:\n  - name: a\n    words: [x]\n    severity: extreme\n", ":4:15:", "severity must be one of"),
    ("lists:\n  - name: a\n    words: [x]\n    fuzzy_threshold: 150\n", ":4:22:", "must be in 0..100"),
    ("lists:\n  - name: a\n    words: [x]\n  - name: a\n    words: [y]\n", ":4:11:", "used twice (first at line 2)"),
    ("lists:\n  - name: a\n", ":2:5:", "has no words, phrases or fuzzy terms"),
    ("lists: [\n", ":2:1:", "not valid YAML"),
    ("list: []\n", ":1:1:", "unknown field 'list'"),
])
def test_risk_file_errors_name_the_place(text, where, message):
    with pytest.raises(RulesFileError) as err:
        parse_risk_lists(text, "risk.yaml")
    assert f"risk.yaml{where}" in str(err.value) and message in str(err.value)


def test_missing_risk_file():
    with pytest.raises(RulesFileError, match="nope.yaml: risk-word file not found"):
        load_risk_lists("nope.yaml")


def test_scorecard_score_and_evidence():
    card = load_scorecard(FIXTURES / "scorecards" / "support.yaml")
    t = transcript(("agent", 1.0, "good morning thank you for calling"),
                   ("caller", 4.0, "hello my internet is down"),
                   ("agent", 8.0, "what is your acount number"),
                   ("agent", 50.0, "anything else goodbye"), duration=60.0)
    qa = evaluate(card, CallFacts(t.words, t.duration, {"silence_pct": 25.0, "talk_listen_ratio": 1.2},
                                  holds=[(20.0, 45.0), (46.0, 80.0)]))
    res = {r["id"]: r for r in qa["rules"]}
    assert res["greeting"]["passed"] and res["greeting"]["auto"]["evidence"][0]["heard"] == "good morning"
    assert res["greeting"]["auto"]["evidence"][0]["start"] == 1.0
    assert res["identity"]["passed"] and res["identity"]["auto"]["evidence"][0]["heard"] == "acount number"
    assert res["forbidden"]["passed"] and res["calm"]["passed"] and res["ratio"]["passed"]
    assert not res["hold"]["passed"] and res["hold"]["auto"]["evidence"] == [
        {"start": 46.0, "end": 80.0, "seconds": 34.0, "at": "00:46"}]
    assert not res["silence"]["passed"] and "25.0 %" in res["silence"]["auto"]["detail"]
    assert res["closing"]["passed"]
    # weights: greeting 2, identity 1, forbidden 3, hold 1, silence 1, ratio 1, calm 1, closing 1 = 11; lost 2
    assert qa["score"] == pytest.approx(100 * 9 / 11, abs=0.1) and qa["passed"]
    assert qa["failed_rules"] == ["hold", "silence"]


def test_greeting_too_late_and_forbidden_phrase_fail_with_their_words():
    card = load_scorecard(FIXTURES / "scorecards" / "support.yaml")
    t = transcript(("agent", 12.0, "thank you for calling"), ("agent", 20.0, "that is not my problem"),
                   duration=40.0)
    qa = evaluate(card, CallFacts(t.words, t.duration, {"silence_pct": 5.0, "talk_listen_ratio": 1.0}))
    res = {r["id"]: r for r in qa["rules"]}
    assert not res["greeting"]["passed"] and "in the first 10 s" in res["greeting"]["auto"]["detail"]
    assert not res["forbidden"]["passed"]
    assert res["forbidden"]["auto"]["evidence"][0]["heard"] == "not my problem"
    assert res["forbidden"]["auto"]["evidence"][0]["start"] == pytest.approx(20.8)


def test_override_kept_beside_the_automatic_result():
    card = load_scorecard(FIXTURES / "scorecards" / "support.yaml")
    t = transcript(("agent", 12.0, "thank you for calling"), duration=40.0)
    qa = evaluate(card, CallFacts(t.words, t.duration, {"silence_pct": 5.0, "talk_listen_ratio": 1.0}))
    before = qa["score"]
    o = apply_overrides(qa, {"greeting": {"passed": True, "comment": "greeted at 00:12, line was slow",
                                          "by": "sue", "at": 1.0}, "nosuch": {"passed": False}})
    g = {r["id"]: r for r in o["rules"]}["greeting"]
    assert g["passed"] and g["auto"]["passed"] is False and g["override"]["comment"].startswith("greeted")
    assert o["score"] > before and o["unknown_overrides"] == ["nosuch"]
    assert {r["id"]: r for r in qa["rules"]}["greeting"]["passed"] is False      # the original is untouched


def test_pick_scorecard_prefers_the_queue_s_own():
    generic = parse_scorecard("name: g\nrules: [{id: s, type: max_silence_pct, max_pct: 50}]\n")
    own = load_scorecard(FIXTURES / "scorecards" / "support.yaml")
    assert pick_scorecard([generic, own], "support", "en-US") is own
    assert pick_scorecard([generic, own], "sales", "en-US") is generic
    assert pick_scorecard([own], "support", "ko-KR") is None


@pytest.mark.parametrize("text, where, message", [
    ("name: x\nrules:\n  - id: r\n    type: metric\n    field: talk_ratio\n    max: 2\n", ":5:12:",
     "unknown metric field 'talk_ratio'"),
    ("name: x\nrules:\n  - id: r\n    type: said\n    phrases: [hi]\n    whithin_s: 10\n", ":6:5:",
     "unknown field 'whithin_s' (did you mean 'within_s'?)"),
    ("name: x\nrules:\n  - id: r\n    type: shout\n", ":4:11:", "type must be one of"),
    ("name: x\nrules:\n  - id: r\n    type: said\n", ":3:5:", "missing field 'phrases'"),
    ("name: x\nrules:\n  - {id: r, type: max_hold}\n", ":3:5:", "missing field 'max_s'"),
    ("name: x\nrules:\n  - {id: r, type: max_hold, max_s: 1}\n  - {id: r, type: max_hold, max_s: 2}\n",
     ":4:10:", "rule id 'r' is used twice"),
    ("name: x\npass_mark: 200\nrules: [{id: r, type: max_hold, max_s: 1}]\n", ":2:12:", "pass_mark must be in"),
    ("name: x\nrules: []\n", ":2:8:", "rules must be a non-empty list"),
    ("name: x\nrulez: []\n", ":2:1:", "unknown field 'rulez'"),
])
def test_scorecard_errors_name_the_place(text, where, message):
    with pytest.raises(RulesFileError) as err:
        parse_scorecard(text, "card.yaml")
    assert f"card.yaml{where}" in str(err.value) and message in str(err.value), str(err.value)
