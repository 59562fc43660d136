"""QA scorecards: rules with weights, checked against a call's transcript and audio figures (pure).

```yaml
name: support-basic
queues: [support]          # leave out for every queue
language: en               # leave out for every language
pass_mark: 70              # a call passes with a score (0-100) of at least this
fuzzy: 80                  # phrases are also found when misheard this well (0-100; exact: 100)
rules:
  - id: greeting
    type: said             # one of the phrases said ...
    side: agent
    phrases: ["thank you for calling", "good morning"]
    within_s: 10           # ... in the first 10 s (last_s: in the last N s)
    weight: 2
  - {id: identity, type: said, phrases: [date of birth, account number]}
  - {id: forbidden, type: not_said, phrases: [not my problem], weight: 3}
  - {id: hold, type: max_hold, max_s: 60}
  - {id: silence, type: max_silence_pct, max_pct: 20}
  - {id: ratio, type: metric, field: talk_listen_ratio, max: 2.0}
  - {id: calm, type: no_risk_hits, lists: [abuse]}
  - {id: closing, type: said, phrases: [anything else, goodbye], last_s: 30}
```

Score = 100 x (weights of the rules passed) / (weights of all rules). Every rule result carries its
evidence: the words and their times (said / not_said), the holds or silences, the figure measured.
A supervisor's override (passed or not, with a comment) is kept beside the automatic result, and the
score is worked out again from the overridden results (:func:`apply_overrides`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from .acoustics import METRICS
from .conversation import SIDES, Word, mmss
from .phrases import PhraseFinder
from .yamlcheck import Checker, language_matches, load_doc, parse_text

RULE_TYPES = ("said", "not_said", "max_hold", "max_silence_pct", "metric", "no_risk_hits")
_COMMON = {"id": "the rule's name", "type": " | ".join(RULE_TYPES), "weight": "a positive number",
           "description": "free text"}
_RULE_FIELDS = {
    "said": {"phrases": "what must be said", "side": "caller | agent", "within_s": "seconds from the start",
             "last_s": "seconds before the end", "exact": "true: no fuzzy matching"},
    "not_said": {"phrases": "what must not be said", "side": "caller | agent", "exact": "true: no fuzzy matching"},
    "max_hold": {"max_s": "longest allowed hold, seconds"},
    "max_silence_pct": {"max_pct": "largest allowed share of silence, percent"},
    "metric": {"field": "one of " + ", ".join(METRICS), "min": "least allowed value", "max": "largest allowed value"},
    "no_risk_hits": {"lists": "risk-word list names (default: every list)"},
}
_CARD_FIELDS = {"name": "the scorecard's name", "description": "free text", "queues": "queue names",
                "language": "a language tag", "pass_mark": "0-100", "fuzzy": "0-100", "rules": "a list of rules"}


@dataclass(frozen=True)
class Rule:
    id: str
    type: str
    weight: float = 1.0
    description: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scorecard:
    name: str
    rules: tuple[Rule, ...]
    queues: tuple[str, ...] = ()
    language: str | None = None
    pass_mark: float = 70.0
    fuzzy: float = 80.0
    source: str = ""

    def applies(self, queue: str | None, language: str | None) -> bool:
        return language_matches(self.language, language) and (not self.queues or "*" in self.queues
                                                                or queue in self.queues)


@dataclass
class CallFacts:
    """What a scorecard looks at."""
    words: Sequence[Word]
    duration: float
    metrics: Mapping[str, float]
    holds: Sequence[tuple[float, float]] = ()
    silences: Sequence[tuple[float, float]] = ()
    risk_hits: Sequence[Mapping[str, Any]] = ()


def pick_scorecard(cards: Sequence[Scorecard], queue: str | None, language: str | None) -> Scorecard | None:
    """The scorecard for a call: one naming the call's queue before one for every queue."""
    fitting = [c for c in cards if c.applies(queue, language)]
    fitting.sort(key=lambda c: (0 if queue in c.queues else 1, 0 if c.language else 1))
    return fitting[0] if fitting else None


# --------------------------------------------------------------------------------------------------
# Evaluation

def evaluate(card: Scorecard, facts: CallFacts) -> dict[str, Any]:
    finder = PhraseFinder(facts.words)
    results = []
    for rule in card.rules:
        passed, evidence, detail = _CHECKS[rule.type](rule, facts, finder, card)
        results.append({"id": rule.id, "type": rule.type, "weight": rule.weight, "description": rule.description,
                        "auto": {"passed": passed, "detail": detail, "evidence": evidence},
                        "override": None, "passed": passed})
    return _total({"scorecard": card.name, "pass_mark": card.pass_mark, "rules": results})


def _total(qa: dict[str, Any]) -> dict[str, Any]:
    rules = qa["rules"]
    weight = sum(r["weight"] for r in rules)
    got = sum(r["weight"] for r in rules if r["passed"])
    qa["score"] = round(100.0 * got / weight, 1) if weight else 100.0
    qa["passed"] = qa["score"] >= qa["pass_mark"]
    qa["failed_rules"] = [r["id"] for r in rules if not r["passed"]]
    return qa


def apply_overrides(qa: Mapping[str, Any], overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The scorecard result with supervisors' overrides (rule id -> {passed, comment, by, at}) beside the
    automatic results, and the score worked out again. Overrides of rules the card does not have are
    reported under ``unknown_overrides``."""
    out = {**qa, "rules": []}
    for r in qa["rules"]:
        o = overrides.get(r["id"])
        r = {**r, "override": dict(o) if o else None,
             "passed": bool(o["passed"]) if o else r["auto"]["passed"]}
        out["rules"].append(r)
    known = {r["id"] for r in qa["rules"]}
    out["unknown_overrides"] = sorted(set(overrides) - known)
    return _total(out)


def _said(rule: Rule, facts: CallFacts, finder: PhraseFinder, card: Scorecard):
    p = rule.params
    start = end = None
    if "within_s" in p:
        start, end = 0.0, float(p["within_s"])
    if "last_s" in p:
        start, end = max(0.0, facts.duration - float(p["last_s"])), facts.duration
    fuzzy = None if p.get("exact") else card.fuzzy
    found = []
    for phrase in p["phrases"]:
        found += [m for m in finder.find(phrase, fuzzy=fuzzy, side=p.get("side"), start=start, end=end)
                  if (start is None or m.start >= start - 0.5) and (end is None or m.start <= end)]
    found.sort(key=lambda m: m.start)
    where = (f" in the first {p['within_s']:g} s" if "within_s" in p else
             f" in the last {p['last_s']:g} s" if "last_s" in p else "")
    who = p.get("side", "either side")
    if rule.type == "said":
        detail = (f"{who} said '{found[0].heard}' at {mmss(found[0].start)}" if found
                  else f"{who} did not say any of: {', '.join(p['phrases'])}{where}")
        return bool(found), [m.to_dict() for m in found[:5]], detail
    detail = (f"{who} said '{found[0].heard}' at {mmss(found[0].start)}" if found
              else f"{who} said none of: {', '.join(p['phrases'])}")
    return not found, [m.to_dict() for m in found], detail


def _max_hold(rule: Rule, facts: CallFacts, finder, card):
    limit = float(rule.params["max_s"])
    long = [(a, b) for a, b in facts.holds if b - a > limit]
    ev = [{"start": round(a, 2), "end": round(b, 2), "seconds": round(b - a, 1), "at": mmss(a)} for a, b in long]
    longest = max((b - a for a, b in facts.holds), default=0.0)
    return not long, ev, f"longest hold {longest:.0f} s (limit {limit:g} s, {len(facts.holds)} hold(s))"


def _max_silence(rule: Rule, facts: CallFacts, finder, card):
    limit = float(rule.params["max_pct"])
    pct = float(facts.metrics.get("silence_pct", 0.0))
    ev = [{"start": round(a, 2), "end": round(b, 2), "seconds": round(b - a, 1), "at": mmss(a)}
          for a, b in sorted(facts.silences, key=lambda s: s[0] - s[1])[:5]]
    return pct <= limit, ev, f"silence {pct:.1f} % of the call (limit {limit:g} %)"


def _metric(rule: Rule, facts: CallFacts, finder, card):
    name = rule.params["field"]
    value = facts.metrics.get(name)
    if value is None:
        return False, [], f"{name} was not measured for this call"
    lo, hi = rule.params.get("min"), rule.params.get("max")
    ok = (lo is None or value >= lo) and (hi is None or value <= hi)
    bounds = " and ".join(x for x in (f">= {lo:g}" if lo is not None else "", f"<= {hi:g}" if hi is not None else "")
                          if x)
    return ok, [{"field": name, "value": value}], f"{name} = {value:g} (must be {bounds})"


def _no_risk(rule: Rule, facts: CallFacts, finder, card):
    lists = rule.params.get("lists")
    hits = [h for h in facts.risk_hits if not lists or h.get("list") in lists]
    detail = (f"{len(hits)} risk hit(s), first '{hits[0]['heard']}' at {mmss(hits[0]['start'])}" if hits
              else "no risk words")
    return not hits, list(hits[:10]), detail


_CHECKS = {"said": _said, "not_said": _said, "max_hold": _max_hold, "max_silence_pct": _max_silence,
           "metric": _metric, "no_risk_hits": _no_risk}


# --------------------------------------------------------------------------------------------------
# Loading

def load_scorecard(path: str | Path) -> Scorecard:
    return _parse(load_doc(path, "scorecard"))


def parse_scorecard(text: str, source: str = "<scorecard>") -> Scorecard:
    return _parse(parse_text(text, source))


def _parse(doc) -> Scorecard:
    chk = Checker(doc)
    d = chk.mapping(doc.data if doc.data is not None else {}, (), "the scorecard", _CARD_FIELDS,
                    required=("name", "rules"))
    name = chk.string(d.get("name"), ("name",), "name") if "name" in d else None
    kw: dict[str, Any] = {}
    if "queues" in d:
        kw["queues"] = tuple(chk.strings(d["queues"], ("queues",), "queues"))
    if "language" in d:
        kw["language"] = chk.string(d["language"], ("language",), "language")
    for key in ("pass_mark", "fuzzy"):
        if key in d:
            v = chk.number(d[key], (key,), key, 0, 100)
            if v is not None:
                kw[key] = v
    rules: list[Rule] = []
    raw = d.get("rules", [])
    if "rules" in d and (not isinstance(raw, list) or not raw):
        chk.error(("rules",), "rules must be a non-empty list of rules", value=True)
        raw = []
    ids: dict[str, int] = {}
    for i, item in enumerate(raw):
        rule = _rule(chk, item, ("rules", i), i)
        if rule is None:
            continue
        if rule.id in ids:
            chk.error(("rules", i, "id"), f"rule id '{rule.id}' is used twice (first at line {ids[rule.id]})",
                      value=True)
        ids.setdefault(rule.id, doc.line(("rules", i, "id")))
        rules.append(rule)
    chk.raise_if_any()
    return Scorecard(name=name or "", rules=tuple(rules), source=doc.source, **kw)


def _rule(chk: Checker, item: Any, path: tuple, i: int) -> Rule | None:
    kind = item.get("type") if isinstance(item, Mapping) else None
    if isinstance(item, Mapping) and kind not in RULE_TYPES:
        if "type" not in item:
            chk.error(path, f"rules[{i}]: missing field 'type' ({_COMMON['type']})")
        else:
            chk.error(path + ("type",), f"rules[{i}].type must be one of {', '.join(RULE_TYPES)}, got {kind!r}",
                      value=True)
        return None
    fields = {**_COMMON, **_RULE_FIELDS.get(kind, {})}
    rid = item.get("id", f"#{i + 1}") if isinstance(item, Mapping) else f"#{i + 1}"
    d = chk.mapping(item, path, f"rule '{rid}'", fields, required=("id", "type"))
    if not d:
        return None
    rid = chk.string(d.get("id"), path + ("id",), "id") if "id" in d else None
    weight = chk.number(d["weight"], path + ("weight",), "weight", 0) if "weight" in d else 1.0
    params = {k: v for k, v in d.items() if k not in _COMMON}
    _check_params(chk, kind, params, path, rid)
    if rid is None or weight is None:
        return None
    return Rule(rid, kind, weight, str(d.get("description", "")), params)


def _check_params(chk: Checker, kind: str, p: dict[str, Any], path: tuple, rid: str | None) -> None:
    what = f"rule '{rid}'"
    if kind in ("said", "not_said"):
        if "phrases" not in p:
            chk.error(path, f"{what}: missing field 'phrases' ({_RULE_FIELDS[kind]['phrases']})")
        else:
            p["phrases"] = chk.strings(p["phrases"], path + ("phrases",), "phrases")
        if "side" in p:
            chk.string(p["side"], path + ("side",), "side", SIDES)
        for key in ("within_s", "last_s"):
            if key in p:
                chk.number(p[key], path + (key,), key, 0)
        if "within_s" in p and "last_s" in p:
            chk.error(path + ("last_s",), f"{what}: give within_s or last_s, not both")
    elif kind in ("max_hold", "max_silence_pct"):
        key = "max_s" if kind == "max_hold" else "max_pct"
        if key not in p:
            chk.error(path, f"{what}: missing field '{key}' ({_RULE_FIELDS[kind][key]})")
        else:
            chk.number(p[key], path + (key,), key, 0, None if kind == "max_hold" else 100)
    elif kind == "metric":
        if "field" not in p:
            chk.error(path, f"{what}: missing field 'field' (one of {', '.join(METRICS)})")
        elif p["field"] not in METRICS:
            chk.error(path + ("field",), f"{what}: unknown metric field {p['field']!r}; known: {', '.join(METRICS)}",
                      value=True)
        if "min" not in p and "max" not in p:
            chk.error(path, f"{what}: give min, max or both")
        for key in ("min", "max"):
            if key in p:
                chk.number(p[key], path + (key,), key)
    elif kind == "no_risk_hits" and "lists" in p:
        p["lists"] = chk.strings(p["lists"], path + ("lists",), "lists")
