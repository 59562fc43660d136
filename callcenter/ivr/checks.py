"""Semantic checks of a flow (after its JSON Schema passed): every target exists, expressions and templates
parse, prompts exist in every language, sound files exist, each node type's own rules, every node is
reachable, and no loop runs without waiting for the caller. Problems are :class:`FlowError` at file:line."""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..yamlfile import YamlDoc
from .expr import ExprError, parse, parse_template
from .flow import PROMPT_FIELDS, Node, is_language_map
from .problems import FlowError, Path_, node_of
from .schedule import parse_hours, valid_day

#: Nodes that wait for the caller or play something: a cycle through none of them is a busy loop.
_WAITS = {"play", "menu", "collect", "ask", "voicemail"}


class FlowChecker:
    """The semantic checks of one flow after its schema passed: targets, expressions, prompts, sounds,
    per-type node rules (``_node_<type>``), reachability and loops that never wait for the caller."""

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
        self.errors.append(FlowError(self.src, line, col, msg, node_of(tuple(path)), severity))

    def target(self, path: Path_, name: Any, field_name: str) -> None:
        if not isinstance(name, str):
            return
        if name not in self.nodes:
            hint = difflib.get_close_matches(name, list(self.nodes), 1)
            self.err(path, f"'{field_name}' goes to unknown node '{name}'"
                           + (f"; did you mean '{hint[0]}'?" if hint else
                              f" (nodes: {', '.join(sorted(self.nodes)[:12])})"), col_offset=0)

    def expr(self, path: Path_, src: Any, what: str) -> None:
        self._parses(path, src, parse, f"bad expression in '{what}'", f" of {src!r}")

    def template(self, path: Path_, src: Any, what: str) -> None:
        self._parses(path, src, parse_template, f"bad ${{...}} expression in '{what}'", "")

    def _parses(self, path: Path_, src: Any, parser: Any, problem: str, tail: str) -> None:
        if not isinstance(src, str):
            return
        try:
            parser(src)
        except ExprError as exc:
            self.err(path, f"{problem}: {exc.message} at column {(exc.pos or 0) + 1}{tail}", col_offset=exc.pos or 0)

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
        check = getattr(self, f"_node_{t}", None)
        if check is not None:
            check(base, nd, langs, flow_lang)

    def _node_menu(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
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
        listens = nd.get("speech", True) is not False and any(
            isinstance(o, dict) and o.get("say") for o in nd.get("options") or [])
        if "barge_in" in nd and not listens:
            self.err(base + ("barge_in",), "'barge_in' has no effect: this menu does not listen for speech "
                                           "(no option has 'say', or speech: false)", severity="warning",
                     col_offset=0)
        if "on_fail" not in nd:
            self.err(base, "no 'on_fail': after the last retry the call goes to the fallback queue",
                     severity="warning")

    def _node_collect(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
        lo, hi = nd.get("min_digits", 1), nd.get("max_digits", 20)
        if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
            self.err(base + ("min_digits",), f"min_digits ({lo}) is larger than max_digits ({hi})")
        pat = nd.get("pattern")
        if isinstance(pat, str):
            try:
                re.compile(pat)
            except re.error as exc:
                self.err(base + ("pattern",), f"bad regular expression in 'pattern': {exc}", col_offset=0)

    def _node_ask(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
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

    def _node_intent(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
        self.expr(base + ("input",), nd.get("input"), "input")
        for label, idef in (nd.get("intents") or {}).items():
            if isinstance(idef, dict):
                self.target(base + ("intents", label, "next"), idef.get("next"), f"intents.{label}.next")
                if not idef.get("examples") and not idef.get("keywords"):
                    self.err(base + ("intents", label), f"intent '{label}' has no examples or keywords")

    def _node_set(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
        for k, v in (nd.get("vars") or {}).items():
            self.expr(base + ("vars", k), v, f"vars.{k}")

    def _node_branch(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
        for i, case in enumerate(nd.get("cases") or []):
            if isinstance(case, dict):
                self.expr(base + ("cases", i, "if"), case.get("if"), f"cases[{i}].if")
                self.target(base + ("cases", i, "next"), case.get("next"), f"cases[{i}].next")

    def _node_schedule(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
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
            if isinstance(h, str) and not valid_day(h):
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

    def _node_http(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
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

    def _node_queue(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
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

    def _node_transfer(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
        self.template(base + ("to",), nd.get("to"), "to")

    def _node_subflow_goto(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
        fl = nd.get("flow")
        if isinstance(fl, str) and self.flows is not None and fl not in self.flows \
                and fl != (self.data.get("flow") or Path(self.src).stem):
            hint = difflib.get_close_matches(fl, sorted(self.flows), 1)
            self.err(base + ("flow",), f"unknown flow '{fl}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                                 f" (flows: {', '.join(sorted(self.flows))})"),
                     col_offset=0)

    _node_subflow = _node_subflow_goto
    _node_goto = _node_subflow_goto

    def _node_language(self, base: Path_, nd: dict, langs: list[str], flow_lang: str) -> None:
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
