"""Menu answers: a whole expected phrase with a calibrated confidence, or "no match" (an answer).

Real models on a few telephone-like answers (espeak-ng through the 300-3400 Hz band and G.711
mu-law, ``bench/speech_corpus.py``); the full held-out figures are in docs/speech.md
(``bench/speech_accuracy.py``). No timing assertions.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from callcenter.speech.api import Recognition
from callcenter.speech.menu import (ACCEPT, SPHINX_CALIBRATION, VOSK_CALIBRATION, Calibration, MenuEvidence,
                                   _decide)

from .helpers import phrase_found

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

EN_MENU = ["billing", "technical support", "sales", "opening hours"]
KO_MENU = ["상담원 연결", "요금 조회", "예약 확인", "영업 시간"]


def telephone_answer(text: str, voice: str, seed: int = 0):
    corpus = pytest.importorskip("speech_corpus")
    if not (corpus.ESPEAK and corpus.SOX):
        pytest.skip("espeak-ng and sox are needed to make telephone answers")
    return corpus.render(corpus.Clip(text, voice, 160, seed=seed), "ko" if voice.startswith("ko") else "en")


# -- the decision (pure) ---------------------------------------------------------------------

CAL = Calibration(offset=-10.0, scale=0.5)


def test_whole_phrase_with_a_good_margin_is_matched_with_its_confidence():
    r = _decide(MenuEvidence("pay my bill", "pay my bill", -2.0, "", 1.0), CAL)
    assert r.matched == "pay my bill" and not r.no_match
    assert r.confidence == CAL.confidence(-2.0) and r.confidence > ACCEPT


def test_part_of_a_phrase_is_no_match_however_good_the_score():
    r = _decide(MenuEvidence("pay", None, 5.0, "pay", 0.4), CAL)
    assert r.matched is None and r.no_match and r.text == "pay" and r.confidence < ACCEPT


def test_a_phrase_forced_onto_other_speech_is_no_match_naming_the_closest_phrase():
    r = _decide(MenuEvidence("billing", "billing", -30.0, "the weather is nice", 1.5), CAL)
    assert r.matched is None and r.no_match
    assert r.text == "the weather is nice"                  # what was heard, for the trace
    assert r.alternatives == (("billing", r.confidence),) and r.confidence < ACCEPT


def test_silence_is_no_input_not_no_match():
    r = _decide(MenuEvidence("", None, 0.0, "", 0.3), CAL)
    assert r == Recognition("", 0.0)


def test_confidence_is_monotonic_and_half_at_the_offset():
    assert CAL.confidence(-10.0) == 0.5
    assert CAL.confidence(-40) < CAL.confidence(-12) < CAL.confidence(-8) < CAL.confidence(0)
    assert 0.0 <= CAL.confidence(-1e9) and CAL.confidence(1e9) <= 1.0


# -- the IVR takes no match as an answer ---------------------------------------------------------

MENU_FLOW = """
start: menu
nodes:
  menu:
    type: menu
    prompt: "Billing or sales?"
    retries: 1
    min_confidence: 0.7
    options:
      - {digit: "1", key: billing, say: [billing, pay my bill], next: q_billing}
      - {digit: "2", key: sales, say: [sales], next: q_sales}
    on_fail: q_any
  q_billing: {type: queue, queue: billing}
  q_sales: {type: queue, queue: sales}
  q_any: {type: queue, queue: voicemail_box}
"""


def _menu_steps(*recognitions):
    from callcenter.ivr import Interpreter, load_flow_text
    from callcenter.ivr.interpreter import Speech
    flow, errs = load_flow_text(MENU_FLOW, "<menu>", name="menu")
    assert flow is not None, errs
    interp = Interpreter(flow)
    s, actions = interp.start({"caller": "1", "call_id": "x"}, 100.0, speech_available=True)
    for i, r in enumerate(recognitions):
        s, actions = interp.step(s, Speech(r), 101.0 + i)
    return s, actions


def test_no_match_takes_the_no_match_branch_even_when_the_text_looks_like_an_option():
    # "pay my bill" would be matched by text similarity; the recognizer said it was not confident
    s, actions = _menu_steps(Recognition("pay my bill", 0.3, no_match=True),
                             Recognition("sales", 0.9, matched="sales"))
    retries = [t.data for t in s.trace if t.kind == "retry"]
    assert [r["reason"] for r in retries] == ["no_match"]
    assert actions[-1].outcome.queue.queue == "sales"


def test_no_match_without_any_text_is_still_no_match_not_no_input():
    s, _ = _menu_steps(Recognition("", 0.2, no_match=True))
    assert [t.data["reason"] for t in s.trace if t.kind == "retry"] == ["no_match"]


def test_menu_min_confidence_applies_to_matched_phrases():
    s, actions = _menu_steps(Recognition("billing", 0.6, matched="billing"),
                             Recognition("billing", 0.6, matched="billing"))
    assert [t.data["reason"] for t in s.trace if t.kind == "retry"] == ["no_match", "no_match"]
    assert actions[-1].outcome.queue.queue == "voicemail_box"       # on_fail after the retries


# -- real models --------------------------------------------------------------------------------

@pytest.mark.parametrize("phrase", ["billing", "opening hours"])
def test_pocketsphinx_accepts_a_menu_phrase_over_the_phone(sphinx, phrase):
    # ("sales" by this voice sits just under the acceptance point since the recalibration: found,
    # as a no match naming it; test_speech_menu_unseen.py has the acceptance on clips never tuned on)
    r = sphinx.recognize_samples(telephone_answer(phrase, "en-us+f2"), 8000, "en-US", EN_MENU)
    assert r.matched == phrase and not r.no_match
    assert ACCEPT <= r.confidence <= 1.0


@pytest.mark.parametrize("sentence", ["can you pass me the salt please", "where did you put my keys"])
def test_pocketsphinx_rejects_background_speech(sphinx, sentence):
    r = sphinx.recognize_samples(telephone_answer(sentence, "en-gb+m3"), 8000, "en-US", EN_MENU)
    assert r.matched is None and r.no_match and r.confidence < ACCEPT


def test_vosk_accepts_a_menu_phrase_over_the_phone(vosk_ko):
    r = vosk_ko.recognize_samples(telephone_answer("영업 시간", "ko+f2"), 8000, "ko-KR", KO_MENU)
    assert r.matched == "영업 시간" and not r.no_match
    assert ACCEPT <= r.confidence <= 1.0


def test_vosk_finds_the_whole_phrase_where_one_grammar_of_all_phrases_mixed_them(vosk_ko):
    # a grammar of all four phrases heard "영업 연결" here (a mixture: no choice at all); one grammar
    # per phrase finds the phrase said (the small model's confidence may stay under the acceptance
    # point: docs/speech.md has the figures)
    r = vosk_ko.recognize_samples(telephone_answer("상담원 연결", "ko+f2"), 8000, "ko-KR", KO_MENU)
    assert phrase_found(r) == "상담원 연결"


@pytest.mark.parametrize("sentence", ["오늘 저녁에 뭐 먹을 거야", "창문 좀 열어 줄래"])
def test_vosk_rejects_background_speech(vosk_ko, sentence):
    r = vosk_ko.recognize_samples(telephone_answer(sentence, "ko+m3"), 8000, "ko-KR", KO_MENU)
    assert r.matched is None and r.no_match and r.confidence < ACCEPT


def test_vosk_never_returns_part_of_a_phrase_as_the_choice(vosk_ko):
    ev = vosk_ko.evidence(telephone_answer("요금", "ko+f2"), 8000, "ko-KR", KO_MENU)
    r = _decide(ev, VOSK_CALIBRATION)
    assert r.matched in (None, *KO_MENU)
    if ev.phrase is None:
        assert r.no_match


def test_calibrations_are_real_curves():
    for cal in (VOSK_CALIBRATION, SPHINX_CALIBRATION):
        assert cal.scale > 0 and cal.confidence(cal.offset) == 0.5


def test_speech_no_phrase_fits_is_no_match_not_no_input():
    # pocketsphinx's grammar search can end without any word on loud talk: that is an answer that
    # matched nothing (no match), not silence
    r = _decide(MenuEvidence("", None, -50.0, "", 0.7, voiced=True), CAL)
    assert r.matched is None and r.no_match and r.confidence < ACCEPT
