"""A small Korean sentiment lexicon for call-center speech (no sound Korean sentiment package on PyPI).

How it was made: the stems below are the words callers and agents use to praise or complain on a
service line (satisfaction, thanks, kindness; anger, annoyance, disappointment, faults, cancelling,
refunds, legal threats), written as the stem that stays the same when Korean endings and particles
attach (``화나`` finds ``화나요``, ``화났어요``; ``불만`` finds ``불만이``). A stem found inside a word counts
once; a negation (``안``, ``못`` before the word, ``않``/``없`` in the word or just after it) turns
its sign. The score of a text is ``(positive - negative) / (positive + negative + 1)``, in -1..1.

Limits: a stem list, not a model: sarcasm, and words the recognizer got wrong, are not understood.
Extend :data:`POSITIVE` / :data:`NEGATIVE` (stems, weight 0.5-2) for a center's own vocabulary.
"""
from __future__ import annotations

POSITIVE: dict[str, float] = {
    "감사": 1.0, "고맙": 1.0, "고마워": 1.0, "좋": 1.0, "만족": 1.5, "훌륭": 1.5, "최고": 1.5, "친절": 1.0,
    "행복": 1.0, "편리": 1.0, "빠르": 0.5, "해결": 1.0, "다행": 1.0, "기쁘": 1.0, "기뻐": 1.0, "괜찮": 0.5,
    "도움": 0.5, "완벽": 1.5, "수고": 0.5, "반갑": 0.5, "사랑": 1.0, "멋지": 1.0,
}

NEGATIVE: dict[str, float] = {
    "화나": 1.5, "화가": 1.5, "화났": 1.5, "짜증": 1.5, "불만": 1.5, "최악": 2.0, "실망": 1.5, "답답": 1.0,
    "불친절": 1.5, "문제": 0.5, "고장": 1.0, "싫": 1.0, "나쁘": 1.0, "나빠": 1.0, "엉망": 1.5, "항의": 1.5,
    "소송": 2.0, "변호사": 1.5, "고소": 2.0, "사기": 2.0, "환불": 0.5, "해지": 0.5, "취소": 0.5, "느리": 0.5,
    "늦": 0.5, "불편": 1.0, "황당": 1.5, "어이없": 1.5, "무시": 1.5, "거짓말": 1.5, "책임": 0.5, "손해": 1.0,
    "지겹": 1.0, "미치": 1.0, "장난": 1.0, "끊": 0.5, "안되": 0.5, "안돼": 0.5,
}

NEGATORS_BEFORE = ("안", "못")
NEGATORS_IN = ("않", "없", "아니")


def _stem_weight(word: str, table: dict[str, float]) -> float:
    return max((w for stem, w in table.items() if stem in word), default=0.0)


def score(words: list[str]) -> float | None:
    """-1..1 for a list of Korean words, None when no word carries sentiment."""
    pos = neg = 0.0
    for i, word in enumerate(words):
        p, n = _stem_weight(word, POSITIVE), _stem_weight(word, NEGATIVE)
        if not p and not n:
            continue
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        negated = before in NEGATORS_BEFORE or any(x in word or after.startswith(x) for x in NEGATORS_IN)
        if negated and not word.startswith(("안되", "안돼")):
            p, n = n * 0.5, p
        pos += p
        neg += n
    if pos == 0 and neg == 0:
        return None
    return (pos - neg) / (pos + neg + 1.0)
