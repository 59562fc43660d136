"""Mood per turn and per call, from the words and from the voice (pure, given the lexicons).

Words: a sentiment lexicon made for the language, -1 (negative) .. 1 (positive):
English: VADER (``vaderSentiment``, its ``compound`` score, made for short informal text);
Chinese: SnowNLP (``sentiments`` 0..1 rescaled); Korean: :mod:`.lexicon_ko` (a documented stem list).
Other languages: no text score; the voice alone speaks.

Voice (:class:`.acoustics.Prosody`): louder and higher than that speaker's own median, and talking over
the other side, make ``arousal`` 0..1. Agitation pulls a neutral or negative turn down (an angry voice
with neutral words is upset), and a positive one only a little (an excited "thank you so much!").

    text = lexicon score x the turn's mean word confidence (misrecognized words count less)
    mood = text - 0.6 * arousal        (text <= 0.2)
    mood = text - 0.15 * arousal       (text > 0.2)

Labels: ``upset`` <= -0.35 < ``negative`` <= -0.1 < ``neutral`` < 0.25 <= ``positive``.
Per call and side: the duration-weighted mean, the trend (last third of the turns minus the first
third) and "upset from MM:SS": the first upset turn after which that side stays negative on average.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..speech.intents import normalize
from .acoustics import Prosody
from .conversation import SIDES, Turn, mmss
from . import lexicon_ko

UPSET, NEGATIVE, POSITIVE = -0.35, -0.1, 0.25

TextScorer = Callable[[str], "float | None"]
_LOCK = threading.Lock()
_SCORERS: dict[str, TextScorer | None] = {}


def label(mood: float) -> str:
    if mood <= UPSET:
        return "upset"
    if mood <= NEGATIVE:
        return "negative"
    if mood >= POSITIVE:
        return "positive"
    return "neutral"


def _vader() -> TextScorer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    sia = SentimentIntensityAnalyzer()

    def score(text: str) -> float | None:
        s = sia.polarity_scores(text)
        return None if s["neu"] >= 0.999 else float(s["compound"])
    return score


def _snownlp() -> TextScorer:
    from snownlp import SnowNLP

    def score(text: str) -> float | None:
        t = text.replace(" ", "")
        return 2.0 * float(SnowNLP(t).sentiments) - 1.0 if t else None
    return score


def _korean() -> TextScorer:
    return lambda text: lexicon_ko.score(text.split())


_LEXICONS: dict[str, tuple[str, Callable[[], TextScorer]]] = {
    "en": ("vader", _vader), "zh": ("snownlp", _snownlp), "ko": ("lexicon_ko", _korean),
}


def lexicon_name(language: str | None) -> str | None:
    entry = _LEXICONS.get((language or "").split("-")[0].lower())
    return entry[0] if entry else None


def text_scorer(language: str | None) -> TextScorer | None:
    """The word-sentiment function of ``language`` (loaded once), None when there is no lexicon for it."""
    base = (language or "").split("-")[0].lower()
    with _LOCK:
        if base not in _SCORERS:
            entry = _LEXICONS.get(base)
            _SCORERS[base] = entry[1]() if entry else None
        return _SCORERS[base]


@dataclass(frozen=True)
class TurnMood:
    side: str
    start: float
    end: float
    text_score: float | None
    arousal: float
    mood: float

    @property
    def label(self) -> str:
        return label(self.mood)

    def to_dict(self) -> dict[str, Any]:
        return {"side": self.side, "start": round(self.start, 2), "end": round(self.end, 2), "at": mmss(self.start),
                "text_score": None if self.text_score is None else round(self.text_score, 3),
                "arousal": round(self.arousal, 3), "mood": round(self.mood, 3), "label": self.label}


def combine(text_score: float | None, arousal: float) -> float:
    s = 0.0 if text_score is None else text_score
    pull = 0.6 if s <= 0.2 else 0.15
    return max(-1.0, min(1.0, s - pull * arousal))


def turn_moods(turns: Sequence[Turn], prosodies: Sequence[Prosody], scorer: TextScorer | None) -> list[TurnMood]:
    out = []
    for turn, pro in zip(turns, prosodies):
        text = normalize(turn.text)
        ts = scorer(text) if scorer and text else None
        if ts is not None and turn.words:
            ts *= max(0.0, min(1.0, sum(w.conf for w in turn.words) / len(turn.words)))
        a = pro.arousal()
        out.append(TurnMood(turn.side, turn.start, turn.end, ts, a, combine(ts, a)))
    return out


def side_summary(moods: Sequence[TurnMood], side: str) -> dict[str, Any]:
    mine = [m for m in moods if m.side == side]
    if not mine:
        return {"mood": None, "label": None, "trend": None, "upset_from": None, "summary": f"{side}: no speech"}
    weights = [max(0.2, m.end - m.start) for m in mine]
    mean = sum(m.mood * w for m, w in zip(mine, weights)) / sum(weights)
    third = max(1, len(mine) // 3)
    trend = (sum(m.mood for m in mine[-third:]) / third - sum(m.mood for m in mine[:third]) / third
             if len(mine) >= 2 else 0.0)
    upset_from = None
    for i, m in enumerate(mine):
        rest = mine[i:]
        if m.label == "upset" and sum(r.mood for r in rest) / len(rest) <= NEGATIVE:
            upset_from = m.start
            break
    if upset_from is not None:
        text = f"{side} upset from {mmss(upset_from)}"
    else:
        text = f"{side} {label(mean)}" + (" (getting worse)" if trend <= -0.3 else
                                          " (getting better)" if trend >= 0.3 else "")
    return {"mood": round(mean, 3), "label": label(mean), "trend": round(trend, 3),
            "upset_from": None if upset_from is None else round(upset_from, 2), "summary": text}


def call_mood(moods: Sequence[TurnMood], language: str | None) -> dict[str, Any]:
    sides = {side: side_summary(moods, side) for side in SIDES}
    return {"lexicon": lexicon_name(language), "sides": sides,
            "summary": "; ".join(sides[s]["summary"] for s in SIDES),
            "turns": [m.to_dict() for m in moods]}
