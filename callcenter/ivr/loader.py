"""Load and validate flow files: YAML -> JSON Schema -> semantic checks -> :class:`Flow`.

Every problem is a :class:`FlowError` that names ``file:line:column``, the node, and what is expected.
Errors stop a flow from loading; warnings (unreachable nodes) do not.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from datetime import time as dtime
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema
import yaml

from ..yamlfile import YamlDoc, YamlError, load_yaml, read_text, type_name
from .expr import ExprError, parse, parse_template
from .flow import PROMPT_FIELDS, Flow, Node, is_language_map
from .schema import NODE_TYPES, load_schema

__all__ = ["FlowError", "FlowValidationError", "load_flow_text", "check_flow_file", "load_flow_file",
           "load_flows_dir", "check_flows", "FLOW_SUFFIXES"]

FLOW_SUFFIXES = (".yaml", ".yml")
#: Nodes that wait for the caller or play something: a cycle through none of them is a busy loop.
_WAITS = {"play", "menu", "collect", "ask", "voicemail"}


@dataclass(frozen=True)
class FlowError:
    file: str
    line: int
    column: int
    message: str
    node: str | None = None
    severity: str = "error"     # "error" or "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        sev = "" if self.severity == "error" else f"{self.severity}: "
        node = f"node '{self.node}': " if self.node else ""
        return f"{where}: {sev}{node}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "node": self.node,
                "message": self.message, "severity": self.severity, "text": str(self)}


class FlowValidationError(Exception):
    def __init__(self, errors: Sequence[FlowError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


# ------------------------------------------------------------------------------------------------
# YAML with positions

Path_ = tuple
#: Keys whose integer values are text: ``digit: 1`` is the key "1".
_TEXT_KEYS = ("digit", "terminator", "to", "queue")


def _flow_scalar(node: yaml.ScalarNode, path: Path_, construct: Any) -> Any:
    if node.tag == "tag:yaml.org,2002:timestamp":
        return str(node.value)      # dates stay text: holidays: [2026-12-25]
    if node.tag == "tag:yaml.org,2002:int" and path and path[-1] in _TEXT_KEYS:
        return str(node.value)
    if node.tag == "tag:yaml.org,2002:bool" and str(node.value).lower() not in ("true", "false"):
        # YAML 1.2 booleans: only true/false. "yes", "no", "on", "off" stay words (phrases, prompts, keys)
        return str(node.value)
    return construct(node)


def _parse_yaml(text: str, source: str) -> tuple[Any, YamlDoc, list[FlowError]]:
    try:
        doc = load_yaml(text, source, scalar=_flow_scalar)
    except YamlError as exc:
        return None, YamlDoc(None, source), [FlowError(source, exc.line, exc.column, exc.message)]
    if doc.data is None:
        return None, doc, [FlowError(source, 1, 1, "the file is empty: expected a mapping with 'start' and 'nodes'")]
    errs = [FlowError(source, lc[0], lc[1], msg, _node_of(path)) for path, msg, lc in doc.problems]
    return doc.data, doc, errs


def _node_of(path: Path_) -> str | None:
    if len(path) >= 2 and path[0] == "nodes":
        return str(path[1])
    return None


# ------------------------------------------------------------------------------------------------
# Schema errors -> readable lines

_VALIDATOR = None


def _validator() -> jsonschema.Draft202012Validator:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = jsonschema.Draft202012Validator(load_schema())
    return _VALIDATOR


def _field(path: Path_) -> str:
    inner = list(path[2:]) if len(path) >= 2 and path[0] == "nodes" else list(path)
    out = ""
    for p in inner:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _schema_errors(data: Any, source: str, pos: YamlDoc) -> list[FlowError]:
    out: list[FlowError] = []
    seen: set[tuple] = set()
    for err in sorted(_validator().iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.validator)):
        path = tuple(err.absolute_path)
        node = _node_of(path)
        ntype = None
        if node is not None and isinstance(data.get("nodes"), dict):
            nd = data["nodes"].get(node)
            if isinstance(nd, dict):
                ntype = nd.get("type")
        in_node = f" ({ntype} node)" if isinstance(ntype, str) and ntype in NODE_TYPES else ""
        fld = _field(path)
        msgs: list[tuple[Path_, str]] = []
        v = err.validator
        if v == "required":
            missing = [r for r in err.validator_value if isinstance(err.instance, dict) and r not in err.instance]
            for m in missing:
                what = {"start": "the name of the first node", "nodes": "a mapping of node name -> node"}.get(m, "")
                msgs.append((path, f"missing required field '{m}'{in_node}" + (f": {what}" if what else "")))
        elif v == "additionalProperties":
            allowed = sorted((err.schema.get("properties") or {}).keys())
            for k in err.instance:
                if k not in allowed:
                    hint = difflib.get_close_matches(str(k), allowed, 1)
                    extra = f"; did you mean '{hint[0]}'?" if hint else f" (expected one of: {', '.join(allowed)})"
                    msgs.append((path + (k,), f"unknown field '{k}'{in_node}{extra}"))
        elif v == "enum" and path and path[-1] == "type":
            hint = difflib.get_close_matches(str(err.instance), NODE_TYPES, 1)
            msgs.append((path, f"unknown node type {err.instance!r}; expected one of: {', '.join(NODE_TYPES)}"
                         + (f" (did you mean '{hint[0]}'?)" if hint else "")))
        elif v == "enum":
            msgs.append((path, f"'{fld}' must be one of {', '.join(map(str, err.validator_value))}, "
                               f"got {err.instance!r}"))
        elif v == "type":
            want = err.validator_value
            want = " or ".join(want) if isinstance(want, list) else want
            msgs.append((path, f"'{fld}' must be {want}, got {type_name(err.instance, article=True)}"))
        elif v == "pattern":
            kind = "a node name (letters, digits, _ . -)" if path and path[-1] in (
                "next", "on_fail", "on_error", "default", "else", "open", "closed", "holiday", "start") \
                else f"text matching {err.validator_value}"
            msgs.append((path, f"'{fld}' must be {kind}, got {err.instance!r}"))
        elif v == "propertyNames":
            msgs.append((path, f"'{fld}': key {err.instance!r} is not allowed here: {err.message}"))
        elif v in ("oneOf", "anyOf"):
            last = path[-1] if path else ""
            if last in PROMPT_FIELDS or last == "prompt":
                msgs.append((path, f"'{fld}' must be a prompt: text, a list of items ({{text|file|digits|number|"
                                   f"silence}}), or a mapping language -> text/items"))
            elif last in ("say", "examples", "keywords") or (len(path) >= 2 and path[-2] == "choices"):
                msgs.append((path, f"'{fld}' must be a list of phrases or a mapping language -> list of phrases"))
            else:
                best = jsonschema.exceptions.best_match([err])
                msgs.append((path, f"'{fld}': {best.message}"))
        elif v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            msgs.append((path, f"'{fld}' is out of range: {err.message}"))
        elif v in ("minItems", "minProperties"):
            msgs.append((path, f"'{fld}' must not be empty"))
        elif v in ("if", "then", "allOf", "$ref"):
            continue
        else:
            msgs.append((path, f"'{fld}': {err.message}"))
        for p, m in msgs:
            key = (p, m)
            if key in seen:
                continue
            seen.add(key)
            line, col = pos.at(p, prefer_value=(v in ("type", "pattern", "enum", "minimum", "maximum", "minItems", "minProperties")))
            out.append(FlowError(source, line, col, m, node))
    return out


# ------------------------------------------------------------------------------------------------
# Semantic checks

_HOURS_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def parse_hours(spec: Any) -> list[tuple[dtime, dtime | None]] | None:
    """``"09:00-17:00"`` / list of those / ``closed`` / ``open`` -> list of (start, end) (end None = 24:00).
    ``None`` for closed. Raises ValueError on a bad range."""
    if spec in ("closed", None, False):
        return None
    if spec == "open":
        return [(dtime(0, 0), None)]
    ranges = spec if isinstance(spec, list) else [spec]
    out = []
    for r in ranges:
        m = _HOURS_RE.match(str(r).strip())
        if not m:
            raise ValueError(f"{r!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = map(int, m.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise ValueError(f"{r!r} is not a valid time range")
        start = dtime(h1, m1)
        end = None if h2 == 24 else dtime(h2, m2)
        if end is not None and end <= start:
            raise ValueError(f"{r!r} ends before it starts")
        out.append((start, end))
    return out


class _Checker:
    def __init__(self, data: dict, source: str, pos: YamlDoc, *, queues: Iterable[str] | None,
                 skills: Iterable[str] | None, sound_dirs: Sequence[str | Path] | None,
                 flows: Iterable[str] | None) -> None:
        self.data = data
        self.src = source
        self.pos = pos
        self.queues = set(queues) if queues is not None else None
        self.skills = set(skills) if skills is not None else None
        self.sound_dirs = [Path(d) for d in sound_dirs] if sound_dirs else None
        self.flows = set(flows) if flows is not None else None
        self.errors: list[FlowError] = []
        nodes = data.get("nodes")
        self.nodes: dict[str, dict] = {k: v for k, v in nodes.items() if isinstance(v, dict)} \
            if isinstance(nodes, dict) else {}
        self.skip: set[str] = set()     # nodes with schema errors: no semantic checks (no cascades)

    def err(self, path: Path_, msg: str, severity: str = "error", col_offset: int | None = None) -> None:
        line, col = self.pos.at(path, prefer_value=col_offset is not None)
        if col_offset is not None:
            v = self.pos.values.get(tuple(path))
            if v and v[2] in ("'", '"'):
                col += 1
            col += col_offset
        self.errors.append(FlowError(self.src, line, col, msg, _node_of(tuple(path)), severity))

    def target(self, path: Path_, name: Any, field_name: str) -> None:
        if not isinstance(name, str):
            return
        if name not in self.nodes:
            hint = difflib.get_close_matches(name, list(self.nodes), 1)
            self.err(path, f"'{field_name}' goes to unknown node '{name}'"
                           + (f"; did you mean '{hint[0]}'?" if hint else
                              f" (nodes: {', '.join(sorted(self.nodes)[:12])})"), col_offset=0)

    def expr(self, path: Path_, src: Any, what: str) -> None:
        if not isinstance(src, str):
            return
        try:
            parse(src)
        except ExprError as exc:
            self.err(path, f"bad expression in '{what}': {exc.message} at column {(exc.pos or 0) + 1} of {src!r}",
                     col_offset=exc.pos or 0)

    def template(self, path: Path_, src: Any, what: str) -> None:
        if not isinstance(src, str):
            return
        try:
            parse_template(src)
        except ExprError as exc:
            self.err(path, f"bad ${{...}} expression in '{what}': {exc.message} at column {(exc.pos or 0) + 1}",
                     col_offset=exc.pos or 0)

    def templates_in(self, path: Path_, value: Any, what: str) -> None:
        if isinstance(value, str):
            self.template(path, value, what)
        elif isinstance(value, dict):
            for k, v in value.items():
                self.templates_in(path + (k,), v, what)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.templates_in(path + (i,), v, what)

    def run(self) -> None:
        d = self.data
        langs = [x for x in d.get("languages") or [] if isinstance(x, str)] \
            if isinstance(d.get("languages"), list) else []
        flow_lang = d.get("language") if isinstance(d.get("language"), str) else "en-US"
        tz = d.get("timezone")
        if isinstance(tz, str):
            self.zone(("timezone",), tz)
        start = d.get("start")
        if isinstance(start, str) and start not in self.nodes:
            hint = difflib.get_close_matches(start, list(self.nodes), 1)
            self.err(("start",), f"'start' names unknown node '{start}'" + (f"; did you mean '{hint[0]}'?" if hint else ""))
        for nid, nd in self.nodes.items():
            if nid in self.skip:
                continue
            try:
                self.node(nid, nd, langs, flow_lang)
            except (AttributeError, TypeError, ValueError):
                pass  # a shape the schema already reported
        self.reachability(start)
        self.busy_loops()

    def zone(self, path: Path_, tz: str) -> None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            self.err(path, f"unknown time zone {tz!r} (expected an IANA name such as Europe/Paris)", col_offset=0)

    def prompt(self, path: Path_, spec: Any, langs: list[str], flow_lang: str) -> None:
        if spec is None:
            return
        if is_language_map(spec):
            for need in langs:
                if need not in spec and not any(str(k).split("-")[0] == need.split("-")[0] for k in spec):
                    self.err(path, f"missing prompt for language {need} (the flow declares languages: "
                                   f"{', '.join(langs)})")
            variants = [(path + (k,), v) for k, v in spec.items()]
        else:
            items0 = spec if isinstance(spec, list) else [spec]
            has_text = any(isinstance(it, str) or (isinstance(it, dict) and "text" in it) for it in items0)
            if len(langs) > 1 and has_text:
                self.err(path, f"prompt text has no per-language variants; the flow declares languages "
                               f"{', '.join(langs)} (write {{{langs[0]}: ..., {langs[1]}: ...}})")
            variants = [(path, spec)]
        for vpath, v in variants:
            items = v if isinstance(v, list) else [v]
            for i, it in enumerate(items):
                ipath = vpath + (i,) if isinstance(v, list) else vpath
                if isinstance(it, str):
                    self.template(ipath, it, path[-1])
                elif isinstance(it, dict):
                    for k in ("text", "digits", "number"):
                        if isinstance(it.get(k), str):
                            self.template(ipath + (k,), it[k], f"{path[-1]}.{k}")
                    f = it.get("file")
                    if isinstance(f, str):
                        self.sound(ipath + ("file",), f)

    def sound(self, path: Path_, name: str) -> None:
        if "${" in name:
            return
        base = Path(self.src).parent if self.src and not self.src.startswith("<") else Path(".")
        candidates: list[Path] = []
        if "/" in name or name.startswith("."):
            p = Path(name)
            candidates.append(p if p.is_absolute() else base / p)
            if not p.is_absolute():
                candidates.append(Path(name))
        elif self.sound_dirs is None:
            return  # an Asterisk built-in sound: not checkable without --sounds
        for d in self.sound_dirs or []:
            candidates.append(d / name)
        for c in candidates:
            if c.exists() or any(c.parent.glob(c.name + ".*")) if c.parent.is_dir() else False:
                return
        self.err(path, f"recording '{name}' not found (looked in: {', '.join(str(c.parent) for c in candidates)})",
                 col_offset=0)

    def node(self, nid: str, nd: dict, langs: list[str], flow_lang: str) -> None:
        base: Path_ = ("nodes", nid)
        t = nd.get("type")
        for f in PROMPT_FIELDS:
            if f in nd:
                self.prompt(base + (f,), nd[f], langs, flow_lang)
        for f in ("next", "on_fail", "on_error", "default", "else", "open", "closed", "holiday"):
            if f in nd and not (t == "goto" and f == "next" and nd.get("flow")):
                self.target(base + (f,), nd[f], f)
        if t == "menu":
            digits: dict[str, int] = {}
            for i, opt in enumerate(nd.get("options") or []):
                if not isinstance(opt, dict):
                    continue
                op = base + ("options", i)
                self.target(op + ("next",), opt.get("next"), f"options[{i}].next")
                if "digit" not in opt and "say" not in opt:
                    self.err(op, f"option {i + 1} has neither 'digit' nor 'say': the caller cannot choose it")
                elif "digit" not in opt:
                    self.err(op, f"option {i + 1} has no 'digit': callers cannot choose it when speech "
                                 f"recognition is unavailable", severity="warning")
                dg = opt.get("digit")
                if isinstance(dg, str):
                    if dg in digits:
                        self.err(op + ("digit",), f"digit '{dg}' is used by options {digits[dg] + 1} and {i + 1}",
                                 col_offset=0)
                    digits[dg] = i
            if "on_fail" not in nd:
                self.err(base, "no 'on_fail': after the last retry the call goes to the fallback queue",
                         severity="warning")
        elif t == "collect":
            lo, hi = nd.get("min_digits", 1), nd.get("max_digits", 20)
            if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
                self.err(base + ("min_digits",), f"min_digits ({lo}) is larger than max_digits ({hi})")
            pat = nd.get("pattern")
            if isinstance(pat, str):
                try:
                    re.compile(pat)
                except re.error as exc:
                    self.err(base + ("pattern",), f"bad regular expression in 'pattern': {exc}", col_offset=0)
        elif t == "ask":
            keys = set((nd.get("choices") or {}).keys()) | set((nd.get("intents") or {}).keys())
            for label, idef in (nd.get("intents") or {}).items():
                if isinstance(idef, dict):
                    self.target(base + ("intents", label, "next"), idef.get("next"), f"intents.{label}.next")
            for dg, val in (nd.get("dtmf") or {}).items():
                if keys and isinstance(val, str) and val not in keys:
                    self.err(base + ("dtmf", dg), f"dtmf '{dg}' maps to '{val}', which is not one of the "
                                                  f"choices/intents ({', '.join(sorted(keys))})", col_offset=0)
            if not nd.get("dtmf") and "on_fail" not in nd:
                self.err(base, "no 'dtmf' fallback and no 'on_fail': a caller whose language has no speech "
                               "model goes to the fallback queue", severity="warning")
            intents = nd.get("intents") or {}
            all_routed = bool(intents) and all(isinstance(v, dict) and "next" in v for v in intents.values())
            if "next" not in nd and not all_routed:
                self.err(base, "missing 'next' (where to go after the answer)")
        elif t == "intent":
            self.expr(base + ("input",), nd.get("input"), "input")
            for label, idef in (nd.get("intents") or {}).items():
                if isinstance(idef, dict):
                    self.target(base + ("intents", label, "next"), idef.get("next"), f"intents.{label}.next")
                    if not idef.get("examples") and not idef.get("keywords"):
                        self.err(base + ("intents", label), f"intent '{label}' has no examples or keywords")
        elif t == "set":
            for k, v in (nd.get("vars") or {}).items():
                self.expr(base + ("vars", k), v, f"vars.{k}")
        elif t == "branch":
            for i, case in enumerate(nd.get("cases") or []):
                if isinstance(case, dict):
                    self.expr(base + ("cases", i, "if"), case.get("if"), f"cases[{i}].if")
                    self.target(base + ("cases", i, "next"), case.get("next"), f"cases[{i}].next")
        elif t == "schedule":
            tz = nd.get("timezone")
            if isinstance(tz, str):
                self.zone(base + ("timezone",), tz)
            for day, spec in (nd.get("hours") or {}).items():
                try:
                    parse_hours(spec)
                except ValueError as exc:
                    self.err(base + ("hours", day), f"bad opening hours for {day}: {exc}", col_offset=0)
            for day, spec in (nd.get("exceptions") or {}).items():
                try:
                    parse_hours(spec)
                except ValueError as exc:
                    self.err(base + ("exceptions", day), f"bad hours for {day}: {exc}", col_offset=0)
            for i, h in enumerate(nd.get("holidays") or []):
                if isinstance(h, str) and not _valid_day(h):
                    self.err(base + ("holidays", i), f"{h!r} is not a date (YYYY-MM-DD or MM-DD)", col_offset=0)
            cal = nd.get("holiday_calendar")
            if isinstance(cal, dict) and isinstance(cal.get("country"), str):
                try:
                    import holidays as _hol
                    _hol.country_holidays(cal["country"], subdiv=cal.get("subdiv"), years=2026)
                except ImportError:
                    self.err(base + ("holiday_calendar",), "holiday_calendar needs the 'holidays' package "
                                                           "(pip install holidays)")
                except (NotImplementedError, KeyError, ValueError) as exc:
                    self.err(base + ("holiday_calendar",), f"unknown holiday calendar {cal}: {exc}")
        elif t == "http":
            self.template(base + ("url",), nd.get("url"), "url")
            url = nd.get("url")
            if isinstance(url, str) and not re.match(r"^(https?://|\$\{)", url):
                self.err(base + ("url",), f"'url' must start with http:// or https://, got {url!r}", col_offset=0)
            for f in ("headers", "query", "body"):
                if f in nd:
                    self.templates_in(base + (f,), nd[f], f)
            for var_name, jpath in (nd.get("map") or {}).items():
                if isinstance(jpath, str) and not re.match(r"^[^.\s][^\s]*$", jpath):
                    self.err(base + ("map", var_name), f"'{jpath}' is not a JSON path like order.status or items.0.id")
        elif t == "queue":
            q = nd.get("queue")
            self.template(base + ("queue",), q, "queue")
            if isinstance(q, str) and "${" not in q and self.queues is not None and q not in self.queues:
                hint = difflib.get_close_matches(q, sorted(self.queues), 1)
                self.err(base + ("queue",), f"unknown queue '{q}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                                      f" (known: {', '.join(sorted(self.queues))})"),
                         col_offset=0)
            skills = nd.get("skills")
            names = list(skills) if isinstance(skills, (list, dict)) else []
            if self.skills is not None:
                for s in names:
                    if isinstance(s, str) and s.startswith("lang_"):
                        self.err(base + ("skills",), f"'{s}' is a language tag, not a skill: set the node's "
                                                     f"`language:` (e.g. language: {s[5:]}) instead")
                    elif s not in self.skills:
                        hint = difflib.get_close_matches(str(s), sorted(self.skills), 1)
                        self.err(base + ("skills",), f"unknown skill '{s}'" + (f"; did you mean '{hint[0]}'?" if hint
                                 else f" (known: {', '.join(sorted(self.skills))})"))
            pr = nd.get("priority")
            if isinstance(pr, str):
                self.expr(base + ("priority",), pr, "priority")
            cb = nd.get("callback")
            if isinstance(cb, dict) and "prompt" in cb:
                self.prompt(base + ("callback", "prompt"), cb["prompt"], langs, flow_lang)
        elif t == "transfer":
            self.template(base + ("to",), nd.get("to"), "to")
        elif t in ("subflow", "goto"):
            fl = nd.get("flow")
            if isinstance(fl, str) and self.flows is not None and fl not in self.flows \
                    and fl != (self.data.get("flow") or Path(self.src).stem):
                hint = difflib.get_close_matches(fl, sorted(self.flows), 1)
                self.err(base + ("flow",), f"unknown flow '{fl}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                                     f" (flows: {', '.join(sorted(self.flows))})"),
                         col_offset=0)
        elif t == "language":
            lang = nd.get("language")
            if isinstance(lang, str) and "${" not in lang and not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", lang):
                self.err(base + ("language",), f"'{lang}' is not a language tag like en-US or zh-CN", col_offset=0)

    def edges(self, nid: str) -> list[str]:
        nd = self.nodes.get(nid)
        if not nd:
            return []
        node = Node(nid, str(nd.get("type")), nd)
        if nd.get("type") == "goto" and nd.get("flow"):
            return []
        return [t for _, t in node.targets() if t in self.nodes]

    def reachability(self, start: Any) -> None:
        if not isinstance(start, str) or start not in self.nodes:
            return
        seen = {start}
        todo = [start]
        while todo:
            for t in self.edges(todo.pop()):
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        for nid in self.nodes:
            if nid not in seen:
                self.err(("nodes", nid), f"unreachable: no path from the start node '{start}' leads here",
                         severity="warning")

    def busy_loops(self) -> None:
        """A cycle made only of nodes that neither wait for the caller nor play anything spins forever."""
        quick = {n for n, nd in self.nodes.items() if nd.get("type") not in _WAITS}
        graph = {n: [t for t in self.edges(n) if t in quick] for n in quick}
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on: set[str] = set()
        stack: list[str] = []
        counter = [0]
        sccs: list[list[str]] = []

        def strong(v: str) -> None:  # iterative Tarjan
            work = [(v, iter(graph[v]))]
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            on.add(v)
            while work:
                node, it = work[-1]
                for w in it:
                    if w not in index:
                        index[w] = low[w] = counter[0]
                        counter[0] += 1
                        stack.append(w)
                        on.add(w)
                        work.append((w, iter(graph[w])))
                        break
                    if w in on:
                        low[node] = min(low[node], index[w])
                else:
                    work.pop()
                    if work:
                        low[work[-1][0]] = min(low[work[-1][0]], low[node])
                    if low[node] == index[node]:
                        comp = []
                        while True:
                            w = stack.pop()
                            on.discard(w)
                            comp.append(w)
                            if w == node:
                                break
                        sccs.append(comp)

        for n in graph:
            if n not in index:
                strong(n)
        for comp in sccs:
            if len(comp) > 1 or comp[0] in graph[comp[0]]:
                comp = sorted(comp, key=lambda n: self.pos.at(("nodes", n)))
                self.err(("nodes", comp[0]), f"loop that never waits for the caller: {' -> '.join(comp + [comp[0]])} "
                                             f"(add a play, menu, collect or ask node to the loop)")


def _valid_day(s: str) -> bool:
    from datetime import date
    try:
        if len(s) == 5:
            date(2024, int(s[:2]), int(s[3:]))
        else:
            date.fromisoformat(s)
        return True
    except ValueError:
        return False


# ------------------------------------------------------------------------------------------------
# Public API

def _flow_from(data: dict, source: str, digest: str, pos: YamlDoc, default_name: str) -> Flow:
    nodes = {}
    for nid, nd in data["nodes"].items():
        line, col = pos.at(("nodes", nid))
        nodes[nid] = Node(str(nid), nd["type"], nd, line, col)
    return Flow(
        name=str(data.get("flow") or default_name), start=data["start"], nodes=nodes,
        language=data.get("language") or "en-US", languages=tuple(data.get("languages") or ()),
        voice=data.get("voice"), timezone=data.get("timezone") or "UTC",
        variables=dict(data.get("variables") or {}), description=data.get("description") or "",
        source=source, content_hash=digest, raw=data)


def load_flow_text(text: str, source: str = "<string>", *, queues: Iterable[str] | None = None,
                   skills: Iterable[str] | None = None, sound_dirs: Sequence[str | Path] | None = None,
                   flows: Iterable[str] | None = None, name: str | None = None) -> tuple[Flow | None, list[FlowError]]:
    """Parse and validate a flow. Returns ``(flow or None, problems)``; the flow is ``None`` when any
    problem is an error (warnings alone do not stop it)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    data, pos, errors = _parse_yaml(text, source)
    if data is None:
        return None, errors or [FlowError(source, 1, 1, "the file is empty: expected a mapping with 'start' and 'nodes'")]
    if not isinstance(data, dict):
        return None, errors + [FlowError(source, 1, 1, f"the top level must be a mapping with 'start' and 'nodes', "
                                                       f"got {type_name(data, article=True)}")]
    schema_errors = _schema_errors(data, source, pos)
    errors += schema_errors
    checker = _Checker(data, source, pos, queues=queues, skills=skills, sound_dirs=sound_dirs, flows=flows)
    checker.skip = {e.node for e in schema_errors if e.node}
    try:
        checker.run()
    except Exception as exc:  # noqa: BLE001 - a checker bug must not hide the schema errors
        errors.append(FlowError(source, 1, 1, f"internal validator error: {exc!r}"))
    errors += checker.errors
    errors.sort(key=lambda e: (e.line, e.column, e.severity != "error"))
    if any(e.severity == "error" for e in errors):
        return None, errors
    default_name = name or (Path(source).stem if not source.startswith("<") else "flow")
    return _flow_from(data, source, digest, pos, default_name), errors


def check_flow_file(path: str | Path, **kw: Any) -> tuple[Flow | None, list[FlowError]]:
    """Load one file; ``(flow or None, errors and warnings)``. Never raises for bad content."""
    try:
        text = read_text(path)
    except YamlError as exc:
        return None, [FlowError(exc.source, max(exc.line, 1), max(exc.column, 1), exc.message)]
    return load_flow_text(text, str(Path(path)), **kw)


def load_flow_file(path: str | Path, **kw: Any) -> Flow:
    """Load one flow file or raise :class:`FlowValidationError` listing every error."""
    flow, problems = check_flow_file(path, **kw)
    if flow is None:
        raise FlowValidationError([e for e in problems if e.severity == "error"])
    return flow


def flow_files(directory: str | Path) -> list[Path]:
    d = Path(directory)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.suffix in FLOW_SUFFIXES and p.is_file() and not p.name.startswith("."))


def check_flows(flows: Mapping[str, Flow]) -> list[FlowError]:
    """Cross-flow checks: subflow/goto targets name loaded flows and existing entry nodes."""
    out: list[FlowError] = []
    for flow in flows.values():
        for node in flow.nodes.values():
            if node.type in ("subflow", "goto") and node.get("flow"):
                target = flows.get(node.get("flow"))
                if target is None:
                    hint = difflib.get_close_matches(str(node.get("flow")), list(flows), 1)
                    out.append(FlowError(flow.source, node.line, node.column,
                                         f"unknown flow '{node.get('flow')}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                                                  f" (flows: {', '.join(sorted(flows))})"),
                                         node.id))
                elif node.get("node") and node.get("node") not in target.nodes:
                    out.append(FlowError(flow.source, node.line, node.column,
                                         f"flow '{target.name}' has no node '{node.get('node')}'", node.id))
    return out


def load_flows_dir(directory: str | Path, **kw: Any) -> tuple[dict[str, Flow], list[FlowError]]:
    """Load every ``*.yaml``/``*.yml`` flow in ``directory``: ``(name -> Flow, problems)``.
    Files with errors are left out of the mapping; their errors are in the list."""
    flows: dict[str, Flow] = {}
    problems: list[FlowError] = []
    d = Path(directory)
    if not d.is_dir():
        return {}, [FlowError(str(d), 1, 1, "flows directory not found")]
    for p in flow_files(d):
        flow, errs = check_flow_file(p, **kw)
        problems += errs
        if flow is None:
            continue
        if flow.name in flows:
            problems.append(FlowError(str(p), 1, 1, f"flow name '{flow.name}' is already used by "
                                                    f"{flows[flow.name].source}"))
            continue
        flows[flow.name] = flow
    problems += check_flows(flows)
    return flows, problems
