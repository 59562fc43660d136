"""Mood from the words (VADER, SnowNLP, the Korean lexicon) and the voice, per turn and per call."""
from __future__ import annotations

import pytest

from callcenter.analytics import lexicon_ko
from callcenter.analytics.acoustics import Prosody
from callcenter.analytics.analysis import analyze
from callcenter.analytics.mood import call_mood, combine, label, text_scorer, turn_moods
from callcenter.analytics.riskwords import parse_risk_lists

from .helpers import side_audio, transcript

CALM = Prosody(0.0, 0.0, 0.0)
AGITATED = Prosody(9.0, 0.35, 2.0)


def test_english_words():
    s = text_scorer("en-US")
    assert s("thank you so much that is great") > 0.5
    assert s("this is terrible i am furious") < -0.5
    assert s("the address is main street") is None       # no sentiment words at all


def test_chinese_words():
    s = text_scorer("zh-CN")
    assert s("非常 感谢 服务 很 好") > 0.3 and s("太 差 了 我 很 生气") < -0.3


def test_korean_lexicon_with_negation():
    assert lexicon_ko.score("정말 감사합니다 친절하시네요".split()) > 0.5
    assert lexicon_ko.score("너무 화나요 최악이에요".split()) < -0.5
    assert lexicon_ko.score("안 좋아요".split()) < 0
    assert lexicon_ko.score("주소 변경".split()) is None
    assert text_scorer("ko-KR")("짜증 나요") < 0


def test_unknown_language_has_no_lexicon():
    assert text_scorer("xx") is None


def test_an_agitated_voice_pulls_neutral_words_down():
    assert label(combine(None, 0.0)) == "neutral"
    assert label(combine(0.0, 0.4)) == "negative"
    assert label(combine(0.0, 1.0)) == "upset"             # an angry voice with neutral words
    assert label(combine(-0.3, 0.8)) == "upset"
    assert label(combine(0.8, 1.0)) == "positive"          # "thank you so much!" said loudly stays positive
    assert AGITATED.arousal() > 0.8 and CALM.arousal() == 0.0


def test_call_mood_says_upset_from_when():
    t = transcript(("agent", 1, "hello how can i help"), ("caller", 4, "my order did not arrive"),
                   ("agent", 60, "let me check"), ("caller", 133, "this is terrible i am furious"),
                   ("agent", 140, "i am sorry"), ("caller", 150, "this is ridiculous and awful"),
                   duration=170)
    pros = [CALM, CALM, CALM, AGITATED, CALM, AGITATED]
    mood = call_mood(turn_moods(t.turns, pros, text_scorer("en")), "en-US")
    assert mood["sides"]["caller"]["upset_from"] == 133 and "caller upset from 02:13" in mood["summary"]
    assert mood["sides"]["caller"]["trend"] < -0.3 and mood["lexicon"] == "vader"
    assert [m["label"] for m in mood["turns"] if m["side"] == "caller"] == ["neutral", "upset", "upset"]


def test_analyze_joins_the_parts():
    t = transcript(("agent", 0.5, "thank you for calling"), ("caller", 3.0, "i will call my lawyer"),
                   duration=12.0)
    caller = side_audio([(3.0, 5.0)], 12.0)
    agent = side_audio([(0.5, 2.2)], 12.0)
    risk = parse_risk_lists("lists: [{name: legal, words: [lawyer]}]")
    a = analyze(t, caller, agent, queue="support", risk=risk, scorecards=[])
    assert [x["side"] for x in a["turns"]] == ["agent", "caller"] and a["text"].startswith("thank you")
    assert a["risk_hits"][0]["term"] == "lawyer" and a["metrics"]["risk_hits"] == 1
    assert a["metrics"]["caller_talk_s"] == pytest.approx(2.0, abs=0.2) and a["qa"] is None
    # no holds given: a mutual silence of 20 s or more would be one; here there is none
    assert a["holds"] == [] and a["metrics"]["hold_s"] == 0
