"""Finding words and phrases in a timed transcript (pure): what risk-word lists and scorecards share.

A term is found on one side, in consecutive words that are less than :data:`MAX_GAP_S` apart:

* **exact**: the words of the term, in order (after :func:`callcenter.speech.intents.normalize`:
  case, punctuation and width folded). Terms in scripts written without spaces between words (Chinese,
  Japanese) or with particles glued to words (Korean: ``환불을`` contains ``환불``) are found inside the
  joined characters of consecutive words instead.
* **fuzzy**: a run of as many words as the term (or one fewer / one more) whose text is at least
  ``threshold`` (0-100, rapidfuzz ``ratio``) like the term: recognizers mishear ("cancel my count"),
  and a fuzzy term still finds it.

Each match gives the words heard, their side, start and end times and a score (100 for exact).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from rapidfuzz import fuzz

from ..speech.intents import _is_nospace_char, normalize
from .conversation import Word

MAX_GAP_S = 2.0


@dataclass(frozen=True)
class Match:
    term: str
    heard: str
    side: str
    start: float
    end: float
    score: float

    def to_dict(self) -> dict:
        return {"term": self.term, "heard": self.heard, "side": self.side, "start": round(self.start, 2),
                "end": round(self.end, 2), "score": round(self.score, 1)}


def _nospace(term: str) -> bool:
    return any(_is_nospace_char(c) for c in term)


def _runs(words: Sequence[Word]) -> list[list[tuple[Word, str]]]:
    """Each side's words, normalized, split where a pause is longer than MAX_GAP_S."""
    out: list[list[tuple[Word, str]]] = []
    last: dict[str, tuple[int, float]] = {}
    for w in sorted(words, key=lambda w: w.start):
        t = normalize(w.text)
        if not t:
            continue
        idx = last.get(w.side)
        if idx is None or w.start - idx[1] > MAX_GAP_S:
            out.append([])
            idx = (len(out) - 1, w.end)
        out[idx[0]].append((w, t))
        last[w.side] = (idx[0], w.end)
    return out


class PhraseFinder:
    """The words of one transcript, prepared once for many terms."""

    def __init__(self, words: Iterable[Word]) -> None:
        self.runs = _runs(list(words))

    def find(self, term: str, fuzzy: float | None = None, side: str | None = None,
             start: float | None = None, end: float | None = None) -> list[Match]:
        """Every place ``term`` was said (on ``side``, inside [start, end] when given); ``fuzzy``: the
        least rapidfuzz ratio for a fuzzy match, None for exact matches only."""
        norm = normalize(term)
        if not norm:
            return []
        found: list[Match] = []
        for run in self.runs:
            if not run or (side is not None and run[0][0].side != side):
                continue
            hits = self._substring(run, term, norm) if _nospace(norm) else self._tokens(run, term, norm, fuzzy)
            found.extend(m for m in hits if (start is None or m.end >= start) and (end is None or m.start <= end))
        return _best_per_place(found)

    @staticmethod
    def _tokens(run: list[tuple[Word, str]], term: str, norm: str, fuzzy: float | None) -> list[Match]:
        want = norm.split(" ")
        k = len(want)
        toks = [t for _w, t in run]
        out = []
        for i in range(len(run)):
            if toks[i:i + k] == want:
                out.append(_match(term, run[i:i + k], 100.0))
                continue
            if fuzzy is None:
                continue
            best = None
            for size in {max(1, k - 1), k, k + 1}:
                if i + size > len(run):
                    continue
                score = fuzz.ratio(" ".join(toks[i:i + size]), norm)
                if score >= fuzzy and (best is None or score > best[0]):
                    best = (score, size)
            if best is not None:
                out.append(_match(term, run[i:i + best[1]], float(best[0])))
        return out

    @staticmethod
    def _substring(run: list[tuple[Word, str]], term: str, norm: str) -> list[Match]:
        want = norm.replace(" ", "")
        joined, owner = "", []
        for i, (_w, t) in enumerate(run):
            piece = t.replace(" ", "")
            joined += piece
            owner += [i] * len(piece)
        out, pos = [], joined.find(want)
        while pos >= 0:
            a, b = owner[pos], owner[pos + len(want) - 1]
            out.append(_match(term, run[a:b + 1], 100.0))
            pos = joined.find(want, pos + 1)
        return out


def _match(term: str, words: Sequence[tuple[Word, str]], score: float) -> Match:
    ws = [w for w, _t in words]
    return Match(term, " ".join(w.text for w in ws), ws[0].side, ws[0].start, max(w.end for w in ws), score)


def _best_per_place(found: list[Match]) -> list[Match]:
    """Overlapping matches of one term on one side are one place: keep the best scoring one."""
    out: list[Match] = []
    for m in sorted(found, key=lambda m: (m.side, m.start, -m.score)):
        if out and out[-1].side == m.side and m.start < out[-1].end:
            if m.score > out[-1].score:
                out[-1] = m
            continue
        out.append(m)
    return sorted(out, key=lambda m: m.start)
