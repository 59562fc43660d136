"""Intent classification and phrase matching on recognized text (pure: no I/O, no models).

Used in two places:

* menus: :func:`match_phrase` maps what the recognizer heard back to one of the expected choices
  (``{"billing": ["billing", "pay my bill"], "support": [...]}``) with a score;
* free speech: :class:`IntentClassifier` picks an intent from example phrases and keywords, and
  returns ``unknown`` when the best score is under the threshold.

How text is compared
--------------------
Both sides are normalized (:func:`normalize`: Unicode NFKC, case folded, punctuation removed, vosk's
``[unk]`` dropped, spaces between Chinese/Japanese characters removed because vosk puts spaces between
Chinese words). Then each side becomes a bag of weighted *features*:

* words of scripts written with spaces (English, ...) are features on their own, compared fuzzily
  (rapidfuzz ``ratio`` >= 75, so ``bil`` still counts as ``bill``; a shared 4+ letter stem such as
  ``bill``/``billing`` counts 0.8);
* runs of Han / kana / Hangul characters (written without word spaces) become character unigrams
  and bigrams, compared exactly (``查询账单`` -> 查 询 账 单 查询 询账 账单).

Features are weighted: bigrams count double, common function words (``the``, ``to``, ``的``, ``我``)
count a tenth, and words used by many intents count less (inverse document frequency over the
intents or choices). The score of a candidate phrase is how much of it the caller's text covers
(recall), or the F1 of recall and precision when that is higher (short answers), in 0..1. A keyword
present in the text (word match, or substring for scripts without spaces) adds to it
(noisy-or with 0.9 for one keyword). Adjacent words are also tried joined (``call back`` finds
``callback``).
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from rapidfuzz import fuzz

__all__ = ["IntentSpec", "IntentResult", "IntentClassifier", "normalize", "match_phrase", "UNKNOWN"]

UNKNOWN = "unknown"

#: Minimum rapidfuzz ratio (0..100) for two words to count as the same word.
WORD_SIMILARITY = 75.0
#: Minimum ratio for a keyword word to be found in the text.
KEYWORD_SIMILARITY = 85.0
#: Score given by one keyword hit (combined with the example score by noisy-or).
KEYWORD_SCORE = 0.9

_STOP_WEIGHT = 0.1
_UNIGRAM_WEIGHT = 0.5
_BIGRAM_WEIGHT = 1.0

# Small function-word lists: these words carry little meaning for intents.
_STOPWORDS = frozenset("""
a an the to of and or in on at for with is are was be am i me my you your it its this that
i'd i'm id im we us our please would like want need can could do does just uh um er erm so
some about
""".split())
_CJK_STOP_CHARS = frozenset("的了吗呢吧啊呀我你您是一下个这那请想要就在有和也都嗯哦")


def _is_nospace_char(ch: str) -> bool:
    """True for characters of scripts written without word spaces (Han, kana, Hangul)."""
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2EBEF
            or 0xF900 <= o <= 0xFAFF or 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF
            or 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F)


def _is_hangul(ch: str) -> bool:
    o = ord(ch)
    return 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F


_UNK_RE = re.compile(r"\[unk\]|<unk>|\[noise\]|<sil>|\[laughter\]", re.IGNORECASE)
_SPACES_RE = re.compile(r"\s+")


def normalize(text: str, language: str | None = None) -> str:
    """Normalize text for matching: NFKC, case folded, punctuation and symbols replaced by spaces,
    recognizer filler tokens (``[unk]``) removed, whitespace collapsed, and the spaces vosk puts
    between Chinese/Japanese words removed (``我 想 查询`` -> ``我想查询``). Hangul keeps its spaces
    (Korean is written with spaces). ``language`` is accepted for symmetry with the other functions
    and for Turkish-style case rules later; it does not change the result today except that
    ``zh``/``ja`` also join Latin letters glued to Han characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = _UNK_RE.sub(" ", text)
    text = text.casefold()
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch == "'" or ch == "\u2019":
            out.append("'")         # keep apostrophes inside words (I'd, don't)
        elif cat[0] in "PSCZ" and not ch.isspace():
            out.append(" ")
        elif ch.isspace():
            out.append(" ")
        else:
            out.append(ch)
    text = _SPACES_RE.sub(" ", "".join(out)).strip()
    # apostrophes left alone at word edges are noise
    text = " ".join(w.strip("'") for w in text.split(" "))
    text = _SPACES_RE.sub(" ", text).strip()
    # remove spaces between two Han/kana characters (not Hangul: Korean uses spaces)
    if " " in text:
        chars = list(text)
        keep = []
        for i, ch in enumerate(chars):
            if ch == " " and 0 < i < len(chars) - 1:
                a, b = chars[i - 1], chars[i + 1]
                if (_is_nospace_char(a) and not _is_hangul(a)) and (_is_nospace_char(b) and not _is_hangul(b)):
                    continue
            keep.append(ch)
        text = "".join(keep)
    return text


# --------------------------------------------------------------------------------------------------
# Features

@dataclass(frozen=True)
class _Feature:
    token: str
    fuzzy: bool      # a word (compared fuzzily) or a character n-gram (compared exactly)
    weight: float    # base weight (n-gram size, stop word); IDF is applied on top


def _features(norm: str) -> list[_Feature]:
    """Features of a normalized string (see module docstring)."""
    feats: list[_Feature] = []
    for word in norm.split(" "):
        if not word:
            continue
        # split the word into runs: no-space script runs vs the rest
        run = ""
        run_ns = None
        runs: list[tuple[str, bool]] = []
        for ch in word:
            ns = _is_nospace_char(ch)
            if run and ns != run_ns:
                runs.append((run, bool(run_ns)))
                run = ""
            run += ch
            run_ns = ns
        if run:
            runs.append((run, bool(run_ns)))
        for r, ns in runs:
            if not ns:
                w = _STOP_WEIGHT if r in _STOPWORDS else 1.0
                feats.append(_Feature(r, True, w))
                continue
            for ch in r:
                w = _UNIGRAM_WEIGHT * (_STOP_WEIGHT if ch in _CJK_STOP_CHARS else 1.0)
                feats.append(_Feature(ch, False, w))
            for i in range(len(r) - 1):
                bg = r[i:i + 2]
                w = _BIGRAM_WEIGHT * (_STOP_WEIGHT if all(c in _CJK_STOP_CHARS for c in bg) else 1.0)
                feats.append(_Feature(bg, False, w))
    return feats


def _feature_match(f: _Feature, tokens: Mapping[str, bool], fuzzy_tokens: Sequence[str],
                   cutoff: float = WORD_SIMILARITY) -> float:
    """How well feature ``f`` is present among ``tokens``: 1.0 exact, ratio/100 fuzzy, else 0."""
    if f.token in tokens:
        return 1.0
    if not f.fuzzy or len(f.token) < 3:
        return 0.0
    best = 0.0
    for t in fuzzy_tokens:
        # a shared stem of 4+ letters ("bill"/"billing", "tech"/"technical") counts 0.8
        if min(len(t), len(f.token)) >= 4 and (t.startswith(f.token) or f.token.startswith(t)):
            best = max(best, 80.0)
            continue
        if abs(len(t) - len(f.token)) > max(len(t), len(f.token)) // 2:
            continue
        r = fuzz.ratio(f.token, t, score_cutoff=cutoff)
        if r > best:
            best = r
    return best / 100.0


class _Prepared:
    """A phrase ready for scoring."""

    __slots__ = ("text", "feats", "tokens", "fuzzy_tokens", "compact")

    def __init__(self, text: str, language: str | None = None):
        self.text = normalize(text, language)
        self.feats = _features(self.text)
        self.tokens = {f.token: f.fuzzy for f in self.feats}
        words = [f.token for f in self.feats if f.fuzzy]
        # adjacent words joined, so that "callback" in one finds "call back" in the other
        for a, b in zip(words, words[1:]):
            self.tokens.setdefault(a + b, True)
        self.fuzzy_tokens = [t for t, fz in self.tokens.items() if fz]
        self.compact = self.text.replace(" ", "")


def _idf_table(docs: Iterable[Iterable[str]]) -> dict[str, float]:
    docs = [set(d) for d in docs]
    n = len(docs)
    df: dict[str, int] = {}
    for d in docs:
        for t in d:
            df[t] = df.get(t, 0) + 1
    return {t: 1.0 + math.log(n / c) for t, c in df.items()} if n else {}


def _score(query: _Prepared, cand: _Prepared, idf: Mapping[str, float], max_idf: float) -> float:
    """Similarity of the caller's text ``query`` to a candidate phrase ``cand``, 0..1."""
    return _score2(query, cand, idf, max_idf)[0]


def _score2(query: _Prepared, cand: _Prepared, idf: Mapping[str, float], max_idf: float) -> tuple[float, float]:
    """(score, f1): the score, and the F1 of recall and precision used to break ties (the candidate
    that explains more of the text wins)."""
    if not cand.feats or not query.feats:
        return 0.0, 0.0
    if query.compact == cand.compact:
        return 1.0, 1.0
    recall = _covered(cand, query, idf, max_idf)        # how much of the candidate is in the query
    precision = _covered(query, cand, idf, max_idf)     # how much of the query the candidate explains
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return min(1.0, max(recall, f1)), f1


def _covered(part: _Prepared, whole: _Prepared, idf: Mapping[str, float], max_idf: float) -> float:
    """The idf-weighted share of ``part``'s features found in ``whole``, 0..1."""
    total = found = 0.0
    for f in part.feats:
        w = f.weight * idf.get(f.token, max_idf)
        total += w
        found += w * _feature_match(f, whole.tokens, whole.fuzzy_tokens)
    return found / total if total else 0.0


def _keyword_hit(query: _Prepared, kw: _Prepared) -> bool:
    if not kw.compact:
        return False
    if any(_is_nospace_char(c) for c in kw.compact):
        return kw.compact in query.compact
    words = [w for w in kw.text.split(" ") if w]
    for w in words:
        if w in query.tokens:
            continue
        if len(w) < 4:
            return False
        f = _Feature(w, True, 1.0)
        if _feature_match(f, query.tokens, query.fuzzy_tokens, KEYWORD_SIMILARITY) <= 0:
            return False
    return True


def _lang_ok(spec_lang: str | None, lang: str | None) -> bool:
    if not spec_lang or not lang:
        return True
    a, b = spec_lang.lower().replace("_", "-"), lang.lower().replace("_", "-")
    return a == b or a.split("-")[0] == b.split("-")[0]


# --------------------------------------------------------------------------------------------------
# Public API

@dataclass
class IntentSpec:
    """One intent: a label, example phrases, optional keywords, optional language (``zh-CN``; an
    intent without a language applies to every language)."""
    label: str
    examples: list[str]
    keywords: list[str] = field(default_factory=list)
    language: str | None = None


@dataclass
class IntentResult:
    """The chosen label (``unknown`` under the threshold), its score 0..1, and the other candidates
    best first (when ``unknown``, the best candidate is the first alternative)."""
    label: str
    score: float
    alternatives: list[tuple[str, float]]


class IntentClassifier:
    """Classify free speech into one of the given intents (fuzzy examples + keywords).

    >>> c = IntentClassifier([IntentSpec("billing", ["pay my bill"], ["invoice"]),
    ...                       IntentSpec("agent", ["speak to an agent"], ["operator"])])
    >>> c.classify("I would like to pay my bill").label
    'billing'
    """

    def __init__(self, intents: Sequence[IntentSpec], threshold: float = 0.5):
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"intent threshold must be within 0..1, got {threshold}")
        self.threshold = threshold
        self.intents = list(intents)
        labels = [i.label for i in self.intents]
        dup = {lab for lab in labels if labels.count(lab) > 1}
        if UNKNOWN in labels:
            raise ValueError(f"'{UNKNOWN}' is reserved and cannot be an intent label")
        self._prepared: list[tuple[IntentSpec, list[_Prepared], list[_Prepared]]] = []
        for spec in self.intents:
            ex = [_Prepared(e, spec.language) for e in spec.examples if normalize(e, spec.language)]
            kw = [_Prepared(k, spec.language) for k in spec.keywords if normalize(k, spec.language)]
            self._prepared.append((spec, ex, kw))
        # one "document" per label (duplicate labels in several languages share it)
        docs: dict[str, set[str]] = {}
        for spec, ex, kw in self._prepared:
            d = docs.setdefault(spec.label, set())
            for p in ex + kw:
                d.update(f.token for f in p.feats)
        self._idf = _idf_table(docs.values())
        self._max_idf = 1.0 + math.log(max(1, len(docs)))
        self._duplicate_labels = dup

    def classify(self, text: str, language: str | None = None) -> IntentResult:
        query = _Prepared(text, language)
        scores: dict[str, float] = {}
        for spec, ex, kw in self._prepared:
            if not _lang_ok(spec.language, language):
                continue
            ex_score = max((_score(query, e, self._idf, self._max_idf) for e in ex), default=0.0)
            hits = sum(1 for k in kw if _keyword_hit(query, k))
            kw_score = min(1.0, KEYWORD_SCORE + 0.05 * (hits - 1)) if hits else 0.0
            score = 1.0 - (1.0 - ex_score) * (1.0 - kw_score)
            score = round(min(1.0, score), 4)
            if score > scores.get(spec.label, -1.0):
                scores[spec.label] = score
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][1] < self.threshold or ranked[0][1] <= 0.0:
            best = ranked[0][1] if ranked else 0.0
            return IntentResult(UNKNOWN, best, ranked[:5])
        label, score = ranked[0]
        return IntentResult(label, score, ranked[1:6])


def match_phrase(text: str, choices: Mapping[str, Sequence[str]], language: str | None = None,
                 threshold: float = 0.6) -> tuple[str | None, float]:
    """Match recognized ``text`` to one of ``choices`` (key -> accepted phrases; the key itself
    when its list is empty). Return ``(key, score)`` for the best one, or ``(None, best score)`` when nothing
    reaches ``threshold``. When several choices score the same (``네`` and ``요금 조회`` are both
    fully inside ``요금 조회 네``), the one explaining more of the text wins."""
    query = _Prepared(text, language)
    if not query.feats or not choices:
        return None, 0.0
    prepared: dict[str, list[_Prepared]] = {}
    for key, phrases in choices.items():
        if isinstance(phrases, str):
            phrases = [phrases]
        items = list(phrases) or [str(key)]
        prepared[key] = [p for p in (_Prepared(x, language) for x in items) if p.feats]
    idf = _idf_table([{f.token for p in ps for f in p.feats} for ps in prepared.values()])
    max_idf = 1.0 + math.log(max(1, len(prepared)))
    best_key, best = None, (0.0, 0.0)
    for key, ps in prepared.items():
        s = max((_score2(query, p, idf, max_idf) for p in ps), default=(0.0, 0.0))
        if s[0] > 0 and (round(s[0], 4), s[1]) > (round(best[0], 4), best[1]):
            best_key, best = key, s
    best = round(best[0], 4)
    if best_key is None or best < threshold:
        return None, best
    return best_key, best
