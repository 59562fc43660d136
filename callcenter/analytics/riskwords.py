"""Risk words: lists per queue and language in YAML, and finding them in a call's transcript (pure).

```yaml
lists:
  - name: legal                       # the list a hit is reported under
    language: en                      # en serves en-US, en-GB ...; leave out for every language
    queues: [support, billing]        # leave out (or "*") for every queue
    severity: high                    # low | medium | high (default medium)
    sides: [caller]                   # caller | agent (default both)
    words: [lawyer, sue]              # whole words
    phrases: ["cancel my account"]    # word sequences
    fuzzy: [refund]                   # also found when misheard (rapidfuzz ratio >= fuzzy_threshold)
    fuzzy_threshold: 80               # 0-100, default 80
```

:func:`load_risk_lists` reports every problem at ``file:line:column`` (:class:`RulesFileError`);
:meth:`RiskLists.scan` returns the hits of the lists that apply to a call (time, side, list, term).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .conversation import SIDES, Word, mmss
from .phrases import PhraseFinder
from .yamlcheck import Checker, language_matches, load_doc, parse_text

SEVERITIES = ("low", "medium", "high")
DEFAULT_FUZZY = 80.0

_LIST_FIELDS = {
    "name": "the list's name", "language": "a language tag (en, en-US, ko)", "queues": "queue names",
    "severity": "low, medium or high", "sides": "caller and/or agent", "words": "whole words",
    "phrases": "word sequences", "fuzzy": "terms also found when misheard",
    "fuzzy_threshold": "0-100", "description": "free text",
}


@dataclass(frozen=True)
class RiskList:
    name: str
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    fuzzy: tuple[str, ...] = ()
    language: str | None = None
    queues: tuple[str, ...] = ()
    severity: str = "medium"
    sides: tuple[str, ...] = SIDES
    fuzzy_threshold: float = DEFAULT_FUZZY
    where: str = ""

    def applies(self, queue: str | None, language: str | None) -> bool:
        return language_matches(self.language, language) and (not self.queues or "*" in self.queues
                                                                or queue in self.queues)


@dataclass(frozen=True)
class RiskHit:
    list: str
    kind: str               # word | phrase | fuzzy
    term: str
    heard: str
    side: str
    start: float
    end: float
    score: float
    severity: str

    def to_dict(self) -> dict[str, Any]:
        return {"list": self.list, "kind": self.kind, "term": self.term, "heard": self.heard, "side": self.side,
                "start": round(self.start, 2), "end": round(self.end, 2), "at": mmss(self.start),
                "score": round(self.score, 1), "severity": self.severity}


@dataclass
class RiskLists:
    lists: list[RiskList] = field(default_factory=list)
    source: str = ""

    def for_call(self, queue: str | None, language: str | None) -> list[RiskList]:
        return [rl for rl in self.lists if rl.applies(queue, language)]

    def scan(self, words: Sequence[Word], queue: str | None, language: str | None) -> list[RiskHit]:
        finder = PhraseFinder(words)
        hits: list[RiskHit] = []
        for rl in self.for_call(queue, language):
            for kind, terms, fuzzy in (("word", rl.words, None), ("phrase", rl.phrases, None),
                                       ("fuzzy", rl.fuzzy, rl.fuzzy_threshold)):
                for term in terms:
                    for m in finder.find(term, fuzzy=fuzzy):
                        if m.side in rl.sides:
                            hits.append(RiskHit(rl.name, kind, term, m.heard, m.side, m.start, m.end, m.score, rl.severity))
        return _dedupe(hits)


def _dedupe(hits: list[RiskHit]) -> list[RiskHit]:
    """One hit per (list, side, place): a fuzzy term and an exact word at the same words count once."""
    out: list[RiskHit] = []
    for h in sorted(hits, key=lambda h: (h.list, h.side, h.start, -h.score)):
        if out and (out[-1].list, out[-1].side) == (h.list, h.side) and h.start < out[-1].end:
            continue
        out.append(h)
    return sorted(out, key=lambda h: (h.start, h.list))


def load_risk_lists(path: str | Path) -> RiskLists:
    return _parse(load_doc(path, "risk-word file"))


def parse_risk_lists(text: str, source: str = "<risk words>") -> RiskLists:
    return _parse(parse_text(text, source))


def _parse(doc) -> RiskLists:
    chk = Checker(doc)
    out = RiskLists(source=doc.source)
    top = chk.mapping(doc.data if doc.data is not None else {}, (), "the risk-word file",
                      {"lists": "a list of risk-word lists"}, required=("lists",))
    lists = top.get("lists", [])
    if "lists" in top and not isinstance(lists, list):
        chk.error(("lists",), "lists must be a list of mappings", value=True)
        lists = []
    names: dict[str, int] = {}
    for i, item in enumerate(lists):
        rl = _one_list(chk, item, ("lists", i), i)
        if rl is None:
            continue
        if rl.name in names:
            chk.error(("lists", i, "name"), f"list name '{rl.name}' is used twice (first at line {names[rl.name]})",
                      value=True)
        names.setdefault(rl.name, doc.line(("lists", i, "name")))
        out.lists.append(rl)
    chk.raise_if_any()
    return out


def _one_list(chk: Checker, item: Any, path: tuple, i: int) -> RiskList | None:
    d = chk.mapping(item, path, f"lists[{i}]", _LIST_FIELDS, required=("name",))
    if not d:
        return None
    name = chk.string(d.get("name"), path + ("name",), "name") if "name" in d else None
    kw: dict[str, Any] = {}
    for key in ("words", "phrases", "fuzzy", "queues"):
        if key in d:
            kw[key] = tuple(chk.strings(d[key], path + (key,), key))
    for key in ("words", "fuzzy"):
        for j, w in enumerate(kw.get(key, ())):
            if key == "words" and " " in w.strip():
                chk.error(path + (key, j), f"words[{j}] '{w}' has several words: put it under phrases", value=True)
    if not any(kw.get(k) for k in ("words", "phrases", "fuzzy")):
        chk.error(path, f"list '{name}' has no words, phrases or fuzzy terms")
    if "language" in d:
        kw["language"] = chk.string(d["language"], path + ("language",), "language")
    if "severity" in d:
        kw["severity"] = chk.string(d["severity"], path + ("severity",), "severity", SEVERITIES) or "medium"
    if "sides" in d:
        sides = chk.strings(d["sides"], path + ("sides",), "sides")
        for j, s in enumerate(sides):
            if s not in SIDES:
                chk.error(path + ("sides", j), f"sides[{j}] must be caller or agent, got {s!r}", value=True)
        kw["sides"] = tuple(s for s in sides if s in SIDES) or SIDES
    if "fuzzy_threshold" in d:
        kw["fuzzy_threshold"] = chk.number(d["fuzzy_threshold"], path + ("fuzzy_threshold",), "fuzzy_threshold",
                                           0, 100) or DEFAULT_FUZZY
    if name is None:
        return None
    return RiskList(name=name, where=chk.doc.where(path), **kw)
