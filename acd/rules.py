"""Queue requirement rules: parse, compile, evaluate.

A queue carries an ordered list of rules; the first rule whose condition holds is in force::

    WT < 30: billing >= 4 & lang_en
    WT < 90 | EWT > 300: billing >= 2
    any

Grammar (whitespace free; ``and``/``or``/``not`` are accepted as aliases of ``&``/``|``/``!``)::

    rule       := [condition ':'] expression
    condition  := boolean expression over comparisons of WT / EWT with a number
    expression := boolean expression over skill tests
    skill test := NAME                 (the agent has the skill or tag at any level)
                | NAME OP LEVEL        (OP one of >= > <= < == !=, LEVEL an integer 0-5;
                                        an absent skill has level 0)
                | any | none

``WT`` is the seconds the caller has waited in this queue, ``EWT`` the queue's current estimated wait
for a new caller. Languages are tags ``lang_<code>`` (``lang_en``). Names are case-insensitive.

Compiled expressions are plain Python callables generated from the parsed tree (no user text reaches
``eval``: names are emitted as string literals, numbers as numbers).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["RuleError", "Expr", "Rule", "RuleSet", "parse_rule", "parse_rules", "parse_expr", "compile_rules"]

OPS = (">=", "<=", "==", "!=", ">", "<", "=")
MAX_LEVEL = 5


class RuleError(ValueError):
    """A requirement rule that does not parse. ``str()`` names the rule and the column (1-based)."""

    def __init__(self, message: str, text: str, column: int, index: int | None = None,
                 queue: str | None = None) -> None:
        self.message = message
        self.text = text
        self.column = column
        self.index = index
        self.queue = queue
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.queue is not None:
            where.append(f"queue {self.queue!r}")
        if self.index is not None:
            where.append(f"rule {self.index + 1}")
        prefix = ", ".join(where)
        caret = " " * max(self.column - 1, 0) + "^"
        head = f"{prefix} {self.text!r}" if prefix else repr(self.text)
        return f"{head}, column {self.column}: {self.message}\n    {self.text}\n    {caret}"

    def located(self, index: int | None = None, queue: str | None = None) -> "RuleError":
        return RuleError(self.message, self.text, self.column,
                         self.index if index is None else index, self.queue if queue is None else queue)


# ----------------------------------------------------------------------------------------- tokens
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<op>>=|<=|==|!=|>|<|=)
  | (?P<and>&&?)
  | (?P<or>\|\|?)
  | (?P<not>!)
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<colon>:)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)
""", re.VERBOSE)


@dataclass(frozen=True)
class Tok:
    kind: str
    value: str
    col: int  # 1-based


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise RuleError(f"unexpected character {text[pos]!r}", text, pos + 1)
        kind = m.lastgroup or ""
        val = m.group()
        if kind != "ws":
            if kind == "name":
                low = val.lower()
                if low == "and":
                    kind = "and"
                elif low == "or":
                    kind = "or"
                elif low == "not":
                    kind = "not"
            toks.append(Tok(kind, val, pos + 1))
        pos = m.end()
    toks.append(Tok("end", "", len(text) + 1))
    return toks


# ------------------------------------------------------------------------------------------ trees
@dataclass(frozen=True)
class Node:
    op: str                      # and / or / not / cmp / has / true / false
    args: tuple = ()
    name: str = ""
    cmp: str = ""
    value: float = 0.0


TRUE = Node("true")
FALSE = Node("false")


class _Parser:
    def __init__(self, text: str, mode: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.mode = mode  # "cond" (WT/EWT) or "skill"

    def peek(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def err(self, msg: str, tok: Tok | None = None) -> RuleError:
        tok = tok or self.peek()
        return RuleError(msg, self.text, tok.col)

    def parse_or(self) -> Node:
        left = self.parse_and()
        args = [left]
        while self.peek().kind == "or":
            self.take()
            args.append(self.parse_and())
        return args[0] if len(args) == 1 else Node("or", tuple(args))

    def parse_and(self) -> Node:
        args = [self.parse_not()]
        while self.peek().kind == "and":
            self.take()
            args.append(self.parse_not())
        return args[0] if len(args) == 1 else Node("and", tuple(args))

    def parse_not(self) -> Node:
        if self.peek().kind == "not":
            self.take()
            return Node("not", (self.parse_not(),))
        return self.parse_atom()

    def parse_atom(self) -> Node:
        tok = self.peek()
        if tok.kind == "lp":
            self.take()
            inner = self.parse_or()
            if self.peek().kind != "rp":
                raise self.err("expected ')'")
            self.take()
            return inner
        if tok.kind != "name":
            if tok.kind == "end":
                raise self.err("expression ends too early: expected a name, 'any', '!' or '('")
            raise self.err(f"expected a name, 'any', '!' or '(' but found {tok.value!r}")
        self.take()
        low = tok.value.lower()
        if self.mode == "cond":
            if low not in ("wt", "ewt"):
                if low in ("any", "true"):
                    return TRUE
                raise self.err(f"a condition compares WT or EWT with a number, not {tok.value!r}", tok)
            op = self.peek()
            if op.kind != "op":
                raise self.err(f"expected a comparison (< <= > >= == !=) after {tok.value}")
            self.take()
            num = self.peek()
            if num.kind != "num":
                raise self.err("expected a number of seconds")
            self.take()
            cmp = "==" if op.value == "=" else op.value
            return Node("cmp", name=low, cmp=cmp, value=float(num.value))
        # skill mode
        if low in ("wt", "ewt"):
            raise self.err(f"{tok.value} belongs in the condition before ':'", tok)
        if low in ("any", "true", "*"):
            return TRUE
        if low in ("none", "false"):
            return FALSE
        if self.peek().kind == "op":
            op = self.take()
            num = self.peek()
            if num.kind != "num":
                raise self.err(f"expected a proficiency level 0-{MAX_LEVEL}")
            if "." in num.value or not 0 <= int(num.value) <= MAX_LEVEL:
                raise self.err(f"proficiency must be an integer 0-{MAX_LEVEL}, not {num.value}")
            self.take()
            cmp = "==" if op.value == "=" else op.value
            return Node("cmp", name=low, cmp=cmp, value=int(num.value))
        return Node("has", name=low)

    def parse_all(self) -> Node:
        node = self.parse_or()
        tok = self.peek()
        if tok.kind != "end":
            if tok.kind == "colon":
                raise self.err("only one ':' per rule (condition: skills)")
            if tok.kind == "rp":
                raise self.err("unbalanced ')'")
            raise self.err(f"expected '&', '|' or the end of the rule but found {tok.value!r}")
        return node


def _simplify(n: Node) -> Node:
    if n.op in ("and", "or"):
        args = []
        for a in (_simplify(x) for x in n.args):
            if a.op == n.op:
                args.extend(a.args)
            else:
                args.append(a)
        if n.op == "and":
            if any(a.op == "false" for a in args):
                return FALSE
            args = [a for a in args if a.op != "true"]
            if not args:
                return TRUE
        else:
            if any(a.op == "true" for a in args):
                return TRUE
            args = [a for a in args if a.op != "false"]
            if not args:
                return FALSE
        return args[0] if len(args) == 1 else Node(n.op, tuple(args))
    if n.op == "not":
        a = _simplify(n.args[0])
        if a.op == "true":
            return FALSE
        if a.op == "false":
            return TRUE
        return Node("not", (a,))
    return n


def to_text(n: Node) -> str:
    """Canonical text of a tree (used as a key: equal requirements share one bucket of calls)."""
    if n.op == "true":
        return "any"
    if n.op == "false":
        return "none"
    if n.op == "has":
        return n.name
    if n.op == "cmp":
        v = n.value
        vs = str(int(v)) if float(v).is_integer() else repr(v)
        return f"{n.name.upper() if n.name in ('wt', 'ewt') else n.name} {n.cmp} {vs}"
    if n.op == "not":
        inner = to_text(n.args[0])
        return f"!{inner}" if n.args[0].op in ("has", "cmp", "true", "false") else f"!({inner})"
    sep = " & " if n.op == "and" else " | "
    parts = []
    for a in n.args:
        t = to_text(a)
        parts.append(f"({t})" if a.op in ("and", "or") else t)
    return sep.join(parts)


def _py(n: Node, var: str) -> str:
    """Python source for a tree; ``var`` names the attribute dict (skill mode) or is unused (cond)."""
    if n.op == "true":
        return "True"
    if n.op == "false":
        return "False"
    if n.op == "has":
        return f"({var}.get({n.name!r}, 0) > 0)"
    if n.op == "cmp":
        if n.name in ("wt", "ewt"):
            return f"({n.name} {n.cmp} {float(n.value)!r})"
        return f"({var}.get({n.name!r}, 0) {n.cmp} {int(n.value)!r})"
    if n.op == "not":
        return f"(not {_py(n.args[0], var)})"
    sep = " and " if n.op == "and" else " or "
    return "(" + sep.join(_py(a, var) for a in n.args) + ")"


# An anchor is (name, lo, hi): every agent matching the expression has ``lo <= attrs[name] <= hi`` for
# at least one anchor in the list. The router walks only the index entries of the anchors.
Anchor = tuple[str, int, int]


def _options(n: Node) -> list[list[Anchor]] | None:
    """Alternative anchor lists: each option alone covers every matching agent (None: no anchor)."""
    if n.op == "has":
        return [[(n.name, 1, MAX_LEVEL)]]
    if n.op == "cmp":
        if n.cmp == "!=":
            return None
        v = int(n.value)
        lo, hi = {">=": (v, MAX_LEVEL), ">": (v + 1, MAX_LEVEL), "==": (v, v),
                  "<=": (0, v), "<": (0, v - 1)}[n.cmp]
        if lo > hi or lo > MAX_LEVEL:
            return [[]]        # can never match
        if lo < 1:
            return None        # matches agents without the skill: no anchor
        return [[(n.name, lo, min(hi, MAX_LEVEL))]]
    if n.op == "false":
        return [[]]
    if n.op == "and":
        opts: list[list[Anchor]] = []
        for a in n.args:
            o = _options(a)
            if o is not None:
                opts.extend(o)
        return opts or None
    if n.op == "or":
        out: list[Anchor] = []
        for a in n.args:
            o = _options(a)
            if o is None:
                return None
            out.extend(min(o, key=_anchor_cost))
        return [out]
    return None  # true, not


def _anchors(n: Node) -> list[Anchor] | None:
    opts = _options(n)
    if opts is None:
        return None
    return min(opts, key=_anchor_cost)


def _anchor_cost(an: list[Anchor]) -> tuple:
    # fewer alternatives, narrower level bands and skills before language tags are usually more selective
    return (len(an), sum(hi - lo for _, lo, hi in an), sum(name.startswith("lang_") for name, _, _ in an))


class Expr:
    """A compiled skill expression: ``expr(attrs) -> bool`` where attrs maps skill/tag -> level."""

    __slots__ = ("node", "text", "fn", "anchors", "options", "names")

    def __init__(self, node: Node, fn: Callable[[dict], bool] | None = None, text: str | None = None) -> None:
        node = _simplify(node) if text is None else node
        self.node = node
        self.text = to_text(node) if text is None else text
        if fn is None:
            src = f"lambda a: {_py(node, 'a')}"
            fn = eval(src, {"__builtins__": {}})  # noqa: S307 - generated from the tree
        self.fn: Callable[[dict], bool] = fn
        an = _anchors(node)
        if an is not None:
            an = sorted(set(an))
        self.anchors: list[Anchor] | None = an
        opts = _options(node)
        # for the agent search: distinct options, each reduced to (name, lowest level) threshold heaps
        self.options: list[tuple] | None = None if opts is None else sorted(
            {tuple(sorted({(nm, lo) for nm, lo, _ in o})) for o in opts})
        self.names = frozenset(_names(node))

    def __call__(self, attrs: dict) -> bool:
        return self.fn(attrs)

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"

    def __and__(self, other: "Expr") -> "Expr":
        return Expr(Node("and", (self.node, other.node)))


def conjoin(e1: Expr, e2: Expr) -> Expr:
    """``e1 & e2`` without compiling: the callable chains the two (used for the rule in force AND a
    caller's own requirements, a combination that is new at run time)."""
    if e1.node.op == "true":
        return e2
    if e2.node.op == "true":
        return e1
    node = _simplify(Node("and", (e1.node, e2.node)))
    text = to_text(node)
    e = _EXPR_CACHE.get(text)
    if e is not None:
        return e
    bounds = _lower_bounds(node)
    if bounds is not None:
        # the usual case, a conjunction of "skill >= level" / tags: one loop, nothing to compile
        def fn(a, bounds=tuple(bounds)):
            for name, lo in bounds:
                if a.get(name, 0) < lo:
                    return False
            return True
    else:
        f1, f2 = e1.fn, e2.fn

        def fn(a):
            return f1(a) and f2(a)
    e = Expr(node, fn=fn, text=text)
    if len(_EXPR_CACHE) < 100_000:
        _EXPR_CACHE[text] = e
    return e


def _lower_bounds(n: Node) -> list[tuple[str, int]] | None:
    """[(name, min level)] when ``n`` is a conjunction of `name`, `name >= k`, `name > k`; else None."""
    if n.op == "has":
        return [(n.name, 1)]
    if n.op == "cmp" and n.cmp in (">=", ">") and n.name not in ("wt", "ewt"):
        return [(n.name, int(n.value) + (1 if n.cmp == ">" else 0))]
    if n.op == "and":
        out = []
        for a in n.args:
            b = _lower_bounds(a)
            if b is None:
                return None
            out.extend(b)
        return out
    return None


def _names(n: Node):
    if n.op in ("has", "cmp"):
        yield n.name
    for a in n.args:
        yield from _names(a)


def _wt_thresholds(n: Node, out: set) -> None:
    if n.op == "cmp" and n.name == "wt":
        out.add(float(n.value))
    for a in n.args:
        _wt_thresholds(a, out)


def _uses_ewt(n: Node) -> bool:
    if n.op == "cmp" and n.name == "ewt":
        return True
    return any(_uses_ewt(a) for a in n.args)


@dataclass(eq=False)
class Rule:
    index: int
    text: str
    cond_text: str                       # canonical condition ("" when unconditional)
    cond: Callable[[float, float], bool] | None
    expr: Expr
    wt_thresholds: tuple[float, ...] = ()
    uses_ewt: bool = False


_EXPR_CACHE: dict[str, Expr] = {}


def intern_expr(node: Node) -> Expr:
    """One :class:`Expr` per canonical text (cached; equal requirements share an object)."""
    key = to_text(_simplify(node))
    e = _EXPR_CACHE.get(key)
    if e is None:
        e = Expr(node)
        if len(_EXPR_CACHE) < 100_000:
            _EXPR_CACHE[key] = e
    return e


_TEXT_CACHE: dict[str, Expr] = {}


def parse_expr(text: str) -> Expr:
    """Parse a bare skill expression (``billing >= 3 & lang_en``)."""
    e = _TEXT_CACHE.get(text) if isinstance(text, str) else None
    if e is not None:
        return e
    if not isinstance(text, str):
        raise RuleError(f"a skill expression must be a string, not {type(text).__name__}", repr(text), 1)
    e = intern_expr(_Parser(text, "skill").parse_all())
    if len(_TEXT_CACHE) < 100_000:
        _TEXT_CACHE[text] = e
    return e


def parse_rule(text: str, index: int = 0) -> Rule:
    if not isinstance(text, str):
        raise RuleError(f"a rule must be a string, not {type(text).__name__}", repr(text), 1, index)
    if not text.strip():
        raise RuleError("empty rule", text, 1, index)
    colon = [i for i, ch in enumerate(text) if ch == ":"]
    try:
        if colon:
            cut = colon[0]
            cond_src = text[:cut]
            if not cond_src.strip():
                raise RuleError("empty condition before ':'", text, cut + 1)
            p = _Parser(cond_src, "cond")
            cond_node = _simplify(p.parse_all())
            skill_src = text[cut + 1:]
            if not skill_src.strip():
                raise RuleError("expected a skill expression after ':' (use 'any' for no requirement)",
                                text, len(text) + 1)
            try:
                skill_node = _Parser(skill_src, "skill").parse_all()
            except RuleError as exc:  # shift the column to the full rule text
                raise RuleError(exc.message, text, exc.column + cut + 1) from None
        else:
            cond_node = TRUE
            skill_node = _Parser(text, "skill").parse_all()
    except RuleError as exc:
        raise RuleError(exc.message, text, exc.column, index) from None
    if cond_node.op == "true":
        cond = None
        cond_text = ""
    else:
        cond = eval(f"lambda wt, ewt: {_py(cond_node, '_')}", {"__builtins__": {}})  # noqa: S307
        cond_text = to_text(cond_node)
    thr: set = set()
    _wt_thresholds(cond_node, thr)
    return Rule(index=index, text=text.strip(), cond_text=cond_text, cond=cond, expr=intern_expr(skill_node),
                wt_thresholds=tuple(sorted(thr)), uses_ewt=_uses_ewt(cond_node))


class RuleSet:
    """An ordered rule list. ``select(wt, ewt)`` returns the rule in force.

    When no condition holds the last rule stays in force; an empty list means ``any``.
    """

    __slots__ = ("rules", "thresholds", "uses_ewt", "static")

    def __init__(self, rules: list[Rule]) -> None:
        if not rules:
            rules = [parse_rule("any")]
        self.rules = rules
        thr: set = set()
        for r in rules:
            for v in r.wt_thresholds:
                thr.add(v)
                thr.add(v + 0.001)  # `WT <= 30` flips just after 30 s
        self.thresholds = tuple(sorted(thr))
        self.uses_ewt = any(r.uses_ewt for r in rules)
        self.static = rules[0].cond is None or (not self.thresholds and not self.uses_ewt)

    def select(self, wt: float, ewt: float) -> Rule:
        for r in self.rules:
            if r.cond is None or r.cond(wt, ewt):
                return r
        return self.rules[-1]

    def next_change(self, wt: float) -> float | None:
        """The smallest WT threshold above ``wt`` (when the rule in force may change), or None."""
        for v in self.thresholds:
            if v > wt:
                return v
        return None

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.rules]


def parse_rules(texts: Any, queue: str | None = None) -> RuleSet:
    if texts is None:
        return RuleSet([])
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, (list, tuple)):
        raise RuleError(f"rules must be a list of strings, not {type(texts).__name__}", repr(texts), 1,
                        None, queue)
    out = []
    for i, t in enumerate(texts):
        try:
            out.append(parse_rule(t, i))
        except RuleError as exc:
            raise exc.located(i, queue) from None
    return RuleSet(out)


compile_rules = parse_rules
