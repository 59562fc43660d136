"""Menu answers decided from a recognizer's evidence: one whole expected phrase with a calibrated
confidence, or no match (pure functions; the backends gather the evidence; see :mod:`.recognizers`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from .api import Recognition
from .intents import match_phrase


def _weighted_confidence(words: list[tuple[str, float, float]]) -> float:
    """Mean of word confidences weighted by duration (words: (word, conf, duration))."""
    if not words:
        return 0.0
    tot = sum(max(d, 0.01) for _, _, d in words)
    return round(min(1.0, max(0.0, sum(c * max(d, 0.01) for _, c, d in words) / tot)), 4)


def _match(text: str, phrases: Sequence[str] | None, grammar_forms: dict[str, str], language: str,
           confidence: float) -> tuple[str | None, tuple[tuple[str, float], ...]]:
    """Match ``text`` back to the expected phrases; return (matched phrase, phrase alternatives)."""
    if not phrases or not text:
        return None, ()
    choices = {p: [p] + ([grammar_forms[p]] if grammar_forms.get(p) and grammar_forms[p] != p else [])
               for p in phrases}
    key, _score = match_phrase(text, choices, language)
    ranked = []
    for p in phrases:
        if p == key:
            continue
        _, s = match_phrase(text, {p: choices[p]}, language, threshold=0.0)
        if s > 0:
            ranked.append((p, round(s * confidence, 4)))
    ranked.sort(key=lambda kv: -kv[1])
    return key, tuple(ranked[:3])


#: Confidence at and above which a menu answer is taken as the phrase heard (see the module notes).
ACCEPT = 0.5


@dataclass(frozen=True)
class Calibration:
    """Margin (restricted minus unrestricted score per second of speech) -> confidence:
    ``1 / (1 + exp(-scale * (margin - offset)))``; ``offset`` is the margin of confidence 0.5."""
    offset: float
    scale: float

    def confidence(self, margin: float) -> float:
        z = max(-50.0, min(50.0, self.scale * (margin - self.offset)))
        return round(1.0 / (1.0 + math.exp(-z)), 4)


#: Fitted by ``python bench/speech_accuracy.py --fit`` on the tuning set only (never the held-out one).
VOSK_CALIBRATION = Calibration(offset=58.506, scale=0.001)
SPHINX_CALIBRATION = Calibration(offset=11.5, scale=1.9953)
#: pocketsphinx without the speech-band floor (``sphinx_backend.SPEECH_FLOOR_DB = None``; the previous
#: session's recognizer, fitted on the same tuning set): the benchmark's baseline (``--baseline``).
SPHINX_CALIBRATION_NO_FLOOR = Calibration(offset=11.66, scale=1.2589)
#: vosk: weight of the candidate's lead over the next phrase in the margin (fitted with the calibration).
VOSK_LEAD_WEIGHT = 4.0


def vosk_margin(detail: tuple, lead_weight: float | None = None) -> float:
    """vosk's margin from (candidate score, best other phrase's score, free score, speech seconds):
    (candidate - free) / speech + weight x (candidate - other) / speech. The lead over the other
    phrases is the phrase-level posterior's evidence: background talk fits every phrase about as
    badly, a phrase that was said stands out."""
    best, other, free, speech = detail
    if best is None:
        return -50.0
    w = VOSK_LEAD_WEIGHT if lead_weight is None else lead_weight
    lead = (best - other) if other is not None else 0.0
    return round((best - free) / speech + w * lead / speech, 4)


#: pocketsphinx: weight of the phrase's coverage of the speech in the margin (fitted with the calibration).
SPHINX_COVERAGE_WEIGHT = 16.0


def sphinx_margin(detail: tuple, coverage_weight: float | None = None) -> float:
    """pocketsphinx's margin from (word score, word frames, unexplained speech frames, span)."""
    score, word_frames, unexplained, _span = detail
    k = SPHINX_COVERAGE_WEIGHT if coverage_weight is None else coverage_weight
    if word_frames <= 0:
        return -50.0
    return round(score / word_frames + k * word_frames / (word_frames + unexplained), 4)


@dataclass(frozen=True)
class MenuEvidence:
    """What the two decodes of one menu answer said (``evidence()``: for the benchmark and tests)."""
    heard: str             # words of the restricted decode ("" when it heard only silence)
    phrase: str | None     # the expected phrase those words are, whole; None when they are not one
    margin: float          # restricted minus unrestricted path score, per second of speech
    free_text: str         # what the unrestricted decode heard (vosk words; "" for a phone loop)
    speech_s: float        # seconds of speech the margin is divided by
    detail: tuple = ()     # backend-specific raw scores (benchmark fitting)
    voiced: bool = False   # speech was there (by energy) even if no decode put words on it


def _phrase_of(words: str, forms: dict[str, str]) -> str | None:
    """The expected phrase whose grammar form is exactly ``words`` (whole phrase, nothing else)."""
    if not words:
        return None
    for phrase, form in forms.items():
        if form == words:
            return phrase
    return None


def _collapse_repeats(text: str) -> str:
    """Words with immediate repetitions dropped: "상담원 연결 연결" -> "상담원 연결"."""
    out: list[str] = []
    for w in text.split():
        if not out or out[-1] != w:
            out.append(w)
    return " ".join(out)


def _decide(ev: MenuEvidence, calibration: Calibration) -> Recognition:
    """The menu answer from the evidence: a whole phrase with enough confidence, else no match."""
    if not ev.heard and not ev.free_text and not ev.voiced:
        return Recognition(text="", confidence=0.0)                 # silence: no input
    conf = calibration.confidence(ev.margin)
    if ev.phrase is not None and conf >= ACCEPT:
        return Recognition(text=ev.heard, confidence=conf, matched=ev.phrase)
    below = round(min(conf, ACCEPT - 0.0001), 4)
    return Recognition(text=ev.free_text or ev.heard, confidence=below,
                       alternatives=((ev.phrase, below),) if ev.phrase else (), no_match=True)
