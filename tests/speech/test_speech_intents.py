"""Intent classification and phrase matching (English, Chinese, Korean), pure text."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from callcenter.speech.intents import (IntentClassifier, IntentResult, IntentSpec, match_phrase,
                                       normalize)

EN = [
    IntentSpec("billing", ["I want to pay my bill", "check my balance", "question about my invoice"],
               ["bill", "invoice"]),
    IntentSpec("agent", ["speak to an agent", "talk to a person", "representative"], ["operator"]),
    IntentSpec("cancel", ["cancel my subscription", "I want to cancel"], ["cancel"]),
    IntentSpec("callback", ["call me back"], ["callback"]),
]
ZH = [
    IntentSpec("billing", ["查询账单", "我要交话费"], ["账单", "话费"], language="zh-CN"),
    IntentSpec("agent", ["转人工", "我要找客服"], ["人工", "客服"], language="zh-CN"),
    IntentSpec("cancel", ["取消订阅", "我要退订"], ["取消", "退订"], language="zh-CN"),
]


@pytest.fixture(scope="module")
def clf() -> IntentClassifier:
    return IntentClassifier(EN + ZH, threshold=0.5)


def test_normalize_case_punctuation_unk_and_cjk_spaces():
    assert normalize("Hello,  WORLD!") == "hello world"
    assert normalize("I'd like [unk] that.") == "i'd like that"
    assert normalize("我 想 查询 一下 账单。") == "我想查询一下账单"
    assert normalize("ＡＢＣ１２３") == "abc123"            # full-width forms (NFKC)
    assert normalize("안녕 하세요") == "안녕 하세요"          # Korean keeps its word spaces
    assert normalize("") == ""


@pytest.mark.parametrize("text,label", [
    ("uh I'd like to pay my bil please", "billing"),      # filler words and an ASR typo
    ("there is a question about my invoice", "billing"),
    ("operator", "agent"),                                 # keyword alone
    ("I'd like to talk with a real person", "agent"),
    ("please cancel everything", "cancel"),
    ("could you call me back later", "callback"),
    ("I'd like a call back", "callback"),                  # "call back" finds the keyword "callback"
])
def test_english_intents(clf, text, label):
    res = clf.classify(text, "en-US")
    assert isinstance(res, IntentResult)
    assert res.label == label, res
    assert res.score >= 0.5
    assert all(alt != label for alt, _ in res.alternatives)
    assert [s for _, s in res.alternatives] == sorted((s for _, s in res.alternatives), reverse=True)


@pytest.mark.parametrize("text", ["what's the weather like", "I want to do something else", ""])
def test_english_unknown_below_threshold(clf, text):
    res = clf.classify(text, "en-US")
    assert res.label == "unknown"
    assert res.score < 0.5


@pytest.mark.parametrize("text,label", [
    ("我想查询一下我的账单", "billing"),          # no word spaces: character n-grams
    ("我 想 查询 一下 账单", "billing"),          # vosk-style spaces between Chinese words
    ("帮我转人工服务", "agent"),
    ("我要退订这个业务", "cancel"),
    ("我想交一下话费", "billing"),
])
def test_chinese_intents(clf, text, label):
    res = clf.classify(text, "zh-CN")
    assert res.label == label, res
    assert res.score >= 0.5


@pytest.mark.parametrize("text", ["今天天气怎么样", "我要", "嗯"])
def test_chinese_unknown(clf, text):
    assert clf.classify(text, "zh-CN").label == "unknown"


def test_language_filter_keeps_intents_of_other_languages_out():
    c = IntentClassifier([IntentSpec("billing", ["账单"], language="zh-CN"),
                          IntentSpec("agent", ["agent"], language="en-US")])
    assert c.classify("账单", "en-US").label == "unknown"
    assert c.classify("账单", "zh").label == "billing"          # base language matches zh-CN
    assert c.classify("账单").label == "billing"                # no language: every intent


def test_threshold_controls_unknown():
    specs = [IntentSpec("billing", ["pay my bill"])]
    assert IntentClassifier(specs, threshold=0.3).classify("my bill").label == "billing"
    strict = IntentClassifier(specs, threshold=0.99).classify("my bill")
    assert strict.label == "unknown" and strict.alternatives[0][0] == "billing"


def test_invalid_specs_rejected():
    with pytest.raises(ValueError, match="threshold"):
        IntentClassifier(EN, threshold=2)
    with pytest.raises(ValueError, match="reserved"):
        IntentClassifier([IntentSpec("unknown", ["x"])])


def test_match_phrase_english_menu():
    menu = {"sales": ["sales", "buy something"], "support": ["technical support", "help"],
            "yes": ["yes", "yeah"], "no": ["no", "nope"]}
    assert match_phrase("sales please", menu)[0] == "sales"
    assert match_phrase("tech support", menu)[0] == "support"
    assert match_phrase("no I don't", menu)[0] == "no"
    key, score = match_phrase("know", {"yes": ["yes"], "no": ["no"]})
    assert key is None                       # "know" is not "no"
    assert match_phrase("", menu) == (None, 0.0)
    assert match_phrase("sales", {}) == (None, 0.0)


def test_match_phrase_korean_and_chinese():
    ko = {"yes": ["예", "네"], "no": ["아니요"], "agent": ["상담원 연결"]}
    assert match_phrase("네", ko, "ko-KR") == ("yes", 1.0)
    assert match_phrase("아니요 [unk]", ko, "ko-KR")[0] == "no"
    assert match_phrase("상담원 연결 해 주세요", ko, "ko-KR")[0] == "agent"
    zh = {"billing": ["账单查询"], "agent": ["人工服务"]}
    assert match_phrase("我要 人工 服务", zh, "zh-CN")[0] == "agent"


def test_match_phrase_uses_key_when_no_phrases():
    assert match_phrase("billing", {"billing": [], "sales": []})[0] == "billing"


def test_match_phrase_threshold():
    key, score = match_phrase("technical", {"support": ["technical support"]}, threshold=0.9)
    assert key is None and 0 < score < 0.9


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(_text)
def test_fuzz_never_crashes_and_scores_in_range(text):
    clf = IntentClassifier(EN + ZH)
    r = clf.classify(text)
    assert 0.0 <= r.score <= 1.0
    assert r.label == "unknown" or r.score >= 0.5
    key, score = match_phrase(text, {"a": ["yes"], "b": ["账单"], "c": ["네"]})
    assert 0.0 <= score <= 1.0
    n = normalize(text)
    assert normalize(n) == n           # idempotent
