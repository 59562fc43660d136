"""The IVR's small, safe expression language (no ``eval``).

Used by ``set`` / ``branch`` nodes and inside ``${...}`` templates (prompts, URLs, HTTP bodies).

Grammar (lowest precedence first)::

    expr     := or
    or       := and ("or" and)*
    and      := not ("and" not)*
    not      := "not" not | compare
    compare  := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") sum)?
    sum      := product (("+" | "-") product)*
    product  := unary (("*" | "/" | "%") unary)*
    unary    := "-" unary | postfix
    postfix  := atom ("." NAME | "[" expr "]")*
    atom     := NUMBER | STRING | true | false | null | NAME | NAME "(" args ")" | "(" expr ")"
              | "[" [expr ("," expr)*] "]"

Names resolve to flow variables first, then call data (``caller``, ``did``, ``call_id``, ``language``,
``caller_name``); an unknown name is ``null``. Functions are listed in :data:`FUNCTIONS`; the time
functions (``hour()``, ``weekday()``, ``date()`` ...) read the injected clock in the flow's time zone.

Parse errors are :class:`ExprError` with ``pos`` (0-based column in the expression). Evaluation is
total for well-typed input; a type problem (``'a' - 1``) raises :class:`ExprError` too, which the
interpreter records in the trace and treats as ``null``/false: a caller can never make it crash.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any, Callable, Mapping

__all__ = ["ExprError", "Expr", "parse", "evaluate", "render", "parse_template", "Template",
           "EvalContext", "FUNCTIONS", "truthy"]


class ExprError(Exception):
    def __init__(self, message: str, pos: int | None = None, source: str = "") -> None:
        self.message = message
        self.pos = pos
        self.source = source
        where = f" at column {pos + 1}" if pos is not None else ""
        super().__init__(f"{message}{where}" + (f" in {source!r}" if source else ""))


# ------------------------------------------------------------------------------------------------
# Lexer

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>+\-*/%()\[\],.!])
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
""", re.VERBOSE)

_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null", "True", "False", "None"}


@dataclass(frozen=True)
class Tok:
    kind: str   # num, str, op, name, kw, end
    value: Any
    pos: int


def _unescape(body: str) -> str:
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def tokenize(src: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    while pos < len(src):
        m = _TOKEN_RE.match(src, pos)
        if not m:
            ch = src[pos]
            if ch in "'\"":
                raise ExprError("unterminated string", pos, src)
            raise ExprError(f"unexpected character {ch!r}", pos, src)
        kind = m.lastgroup
        text = m.group()
        if kind == "num":
            toks.append(Tok("num", float(text) if "." in text else int(text), pos))
        elif kind == "str":
            toks.append(Tok("str", _unescape(text[1:-1]), pos))
        elif kind == "op":
            text = {"&&": "and", "||": "or", "!": "not"}.get(text, text)
            toks.append(Tok("kw" if text in ("and", "or", "not") else "op", text, pos))
        elif kind == "name":
            toks.append(Tok("kw" if text in _KEYWORDS else "name", text, pos))
        pos = m.end()
    toks.append(Tok("end", None, len(src)))
    return toks


# ------------------------------------------------------------------------------------------------
# AST (tuples keep it small and hashable): (op, pos, *children)

Expr = tuple


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.toks = tokenize(src)
        self.i = 0

    def peek(self) -> Tok:
        return self.toks[self.i]

    def next(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def accept(self, kind: str, value: Any = None) -> Tok | None:
        t = self.peek()
        if t.kind == kind and (value is None or t.value == value):
            self.i += 1
            return t
        return None

    def expect(self, kind: str, value: Any, what: str) -> Tok:
        t = self.accept(kind, value)
        if t is None:
            got = self.peek()
            raise ExprError(f"expected {what}, found {_describe(got)}", got.pos, self.src)
        return t

    def parse(self) -> Expr:
        if self.peek().kind == "end":
            raise ExprError("empty expression", 0, self.src)
        e = self.or_()
        t = self.peek()
        if t.kind != "end":
            raise ExprError(f"unexpected {_describe(t)}", t.pos, self.src)
        return e

    def or_(self) -> Expr:
        e = self.and_()
        while (t := self.accept("kw", "or")):
            e = ("or", t.pos, e, self.and_())
        return e

    def and_(self) -> Expr:
        e = self.not_()
        while (t := self.accept("kw", "and")):
            e = ("and", t.pos, e, self.not_())
        return e

    def not_(self) -> Expr:
        if (t := self.accept("kw", "not")):
            return ("not", t.pos, self.not_())
        return self.compare()

    def compare(self) -> Expr:
        e = self.sum()
        t = self.peek()
        if t.kind == "op" and t.value in ("==", "!=", "<", "<=", ">", ">="):
            self.next()
            return ("cmp", t.pos, t.value, e, self.sum())
        if t.kind == "kw" and t.value == "in":
            self.next()
            return ("in", t.pos, e, self.sum())
        if t.kind == "kw" and t.value == "not" and self.toks[self.i + 1].kind == "kw" \
                and self.toks[self.i + 1].value == "in":
            self.i += 2
            return ("not", t.pos, ("in", t.pos, e, self.sum()))
        return e

    def sum(self) -> Expr:
        e = self.product()
        while True:
            t = self.peek()
            if t.kind == "op" and t.value in ("+", "-"):
                self.next()
                e = ("bin", t.pos, t.value, e, self.product())
            else:
                return e

    def product(self) -> Expr:
        e = self.unary()
        while True:
            t = self.peek()
            if t.kind == "op" and t.value in ("*", "/", "%"):
                self.next()
                e = ("bin", t.pos, t.value, e, self.unary())
            else:
                return e

    def unary(self) -> Expr:
        if (t := self.accept("op", "-")):
            return ("neg", t.pos, self.unary())
        return self.postfix()

    def postfix(self) -> Expr:
        e = self.atom()
        while True:
            if (t := self.accept("op", ".")):
                name = self.peek()
                if name.kind not in ("name", "kw"):
                    raise ExprError(f"expected a field name after '.', found {_describe(name)}", name.pos, self.src)
                self.next()
                e = ("get", t.pos, e, ("lit", name.pos, str(name.value)))
            elif (t := self.accept("op", "[")):
                idx = self.or_()
                self.expect("op", "]", "']'")
                e = ("get", t.pos, e, idx)
            else:
                return e

    def atom(self) -> Expr:
        t = self.next()
        if t.kind in ("num", "str"):
            return ("lit", t.pos, t.value)
        if t.kind == "kw" and t.value in ("true", "True"):
            return ("lit", t.pos, True)
        if t.kind == "kw" and t.value in ("false", "False"):
            return ("lit", t.pos, False)
        if t.kind == "kw" and t.value in ("null", "None"):
            return ("lit", t.pos, None)
        if t.kind == "name":
            if self.accept("op", "("):
                if t.value not in FUNCTIONS:
                    raise ExprError(f"unknown function {t.value!r} (known: {', '.join(sorted(FUNCTIONS))})",
                                    t.pos, self.src)
                args: list[Expr] = []
                if not self.accept("op", ")"):
                    args.append(self.or_())
                    while self.accept("op", ","):
                        args.append(self.or_())
                    self.expect("op", ")", "',' or ')'")
                lo, hi = FUNCTIONS[t.value][1]
                if not lo <= len(args) <= hi:
                    want = str(lo) if lo == hi else f"{lo}-{hi}"
                    raise ExprError(f"function {t.value}() takes {want} argument(s), got {len(args)}",
                                    t.pos, self.src)
                return ("call", t.pos, t.value, tuple(args))
            return ("var", t.pos, t.value)
        if t.kind == "op" and t.value == "(":
            e = self.or_()
            self.expect("op", ")", "')'")
            return e
        if t.kind == "op" and t.value == "[":
            items: list[Expr] = []
            if not self.accept("op", "]"):
                items.append(self.or_())
                while self.accept("op", ","):
                    items.append(self.or_())
                self.expect("op", "]", "',' or ']'")
            return ("list", t.pos, tuple(items))
        raise ExprError(f"expected a value, found {_describe(t)}", t.pos, self.src)


def _describe(t: Tok) -> str:
    if t.kind == "end":
        return "end of expression"
    if t.kind == "str":
        return f"string {t.value!r}"
    return repr(str(t.value))


_CACHE: dict[str, Expr] = {}


def parse(src: str) -> Expr:
    """Parse an expression (cached); raises :class:`ExprError` naming the position."""
    if not isinstance(src, str):
        # YAML scalars such as ``5`` or ``true`` are literal expressions
        return ("lit", 0, src)
    e = _CACHE.get(src)
    if e is None:
        e = _Parser(src).parse()
        if len(_CACHE) < 10000:
            _CACHE[src] = e
    return e


def names_used(e: Expr) -> set[str]:
    """Variable names an expression reads (for the validator)."""
    out: set[str] = set()

    def walk(n: Any) -> None:
        if isinstance(n, tuple) and n and isinstance(n[0], str):
            if n[0] == "var":
                out.add(n[2])
                return
            for c in n[2:]:
                walk(c)
        elif isinstance(n, tuple):
            for c in n:
                walk(c)
    walk(e)
    return out


# ------------------------------------------------------------------------------------------------
# Evaluation

@dataclass
class EvalContext:
    variables: Mapping[str, Any]
    call: Mapping[str, Any]
    now: float = 0.0
    tz: tzinfo = timezone.utc

    def local(self) -> datetime:
        return datetime.fromtimestamp(self.now, self.tz)


#: Longest string an expression may build (caller data stays small; this stops runaway growth).
_MAX_LEN = 100_000


def truthy(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, str):
        return v not in ("", "0", "false", "False", "no")
    return bool(v)


def _num(v: Any, what: str = "value") -> float | int:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        s = v.strip()
        try:
            return int(s)
        except ValueError:
            try:
                f = float(s)
            except ValueError:
                raise ExprError(f"{what} {v!r} is not a number") from None
            if f != f or f in (float("inf"), float("-inf")):
                raise ExprError(f"{what} {v!r} is not a number")
            return f
    if v is None:
        raise ExprError(f"{what} is null, not a number")
    raise ExprError(f"{what} {v!r} is not a number")


def _str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _looks_numeric(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    if isinstance(v, str):
        try:
            float(v.strip())
            return v.strip() != "" and v.strip().lower() not in ("nan", "inf", "-inf", "infinity")
        except ValueError:
            return False
    return False


def _compare(op: str, a: Any, b: Any) -> bool:
    if _looks_numeric(a) and _looks_numeric(b) and (not isinstance(a, str) or not isinstance(b, str)
                                                     or op not in ("==", "!=")):
        a, b = _num(a), _num(b)
    elif op in ("==", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            eq = truthy(a) == truthy(b)
        elif a is None or b is None:
            eq = (a is None or a == "") and (b is None or b == "")
        else:
            eq = _str(a) == _str(b)
        return eq if op == "==" else not eq
    else:
        a, b = _str(a), _str(b)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _regex(pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ExprError(f"bad regular expression {pattern!r}: {exc}") from None


def _replace(s: Any, a: Any, b: Any) -> str:
    s, a, b = _str(s), _str(a), _str(b)
    if not a:
        return s
    if len(b) > len(a) and (len(s) // len(a)) * (len(b) - len(a)) + len(s) > _MAX_LEN:
        raise ExprError("result too long")
    return s.replace(a, b)


def _concat(*parts: Any) -> str:
    out = "".join(_str(x) for x in parts)
    if len(out) > _MAX_LEN:
        raise ExprError("result too long")
    return out


def _matches(s: Any, pattern: Any) -> bool:
    # input from callers is short (digits, an utterance); cap it so a supervisor's regex stays fast
    return _regex(_str(pattern)).search(_str(s)[:2000]) is not None


def _substr(s: Any, start: Any, length: Any = None) -> str:
    s = _str(s)
    a = int(_num(start, "substr start"))
    if length is None:
        return s[a:]
    return s[a:a + max(0, int(_num(length, "substr length")))]


def _round(v: Any, nd: Any = 0) -> float | int:
    n = _num(v)
    d = int(_num(nd))
    r = round(n, d)
    return int(r) if d <= 0 else r


def _to_int(v: Any) -> int:
    n = _num(v, "int()")
    return int(n)


def _default(v: Any, d: Any) -> Any:
    return d if v is None or v == "" else v


def _fmt_time(ctx: EvalContext, fmt: str) -> str:
    return ctx.local().strftime(fmt)


# name -> (impl(ctx, *args), (min args, max args))
FUNCTIONS: dict[str, tuple[Callable[..., Any], tuple[int, int]]] = {
    "len": (lambda c, v: len(v) if isinstance(v, (list, dict)) else len(_str(v)), (1, 1)),
    "lower": (lambda c, v: _str(v).lower(), (1, 1)),
    "upper": (lambda c, v: _str(v).upper(), (1, 1)),
    "trim": (lambda c, v: _str(v).strip(), (1, 1)),
    "str": (lambda c, v: _str(v), (1, 1)),
    "int": (lambda c, v: _to_int(v), (1, 1)),
    "number": (lambda c, v: _num(v), (1, 1)),
    "is_number": (lambda c, v: _looks_numeric(v), (1, 1)),
    "round": (lambda c, v, n=0: _round(v, n), (1, 2)),
    "abs": (lambda c, v: abs(_num(v)), (1, 1)),
    "min": (lambda c, a, b: a if _compare("<=", a, b) else b, (2, 2)),
    "max": (lambda c, a, b: a if _compare(">=", a, b) else b, (2, 2)),
    "startswith": (lambda c, s, p: _str(s).startswith(_str(p)), (2, 2)),
    "endswith": (lambda c, s, p: _str(s).endswith(_str(p)), (2, 2)),
    "contains": (lambda c, s, p: (p in s) if isinstance(s, list) else _str(p) in _str(s), (2, 2)),
    "substr": (lambda c, s, a, n=None: _substr(s, a, n), (2, 3)),
    "replace": (lambda c, s, a, b: _replace(s, a, b), (3, 3)),
    "matches": (lambda c, s, p: _matches(s, p), (2, 2)),
    "digits": (lambda c, s: "".join(ch for ch in _str(s) if ch.isdigit()), (1, 1)),
    "concat": (lambda c, *a: _concat(*a), (1, 16)),
    "default": (lambda c, v, d: _default(v, d), (2, 2)),
    "if": (lambda c, cond, a, b: a if truthy(cond) else b, (3, 3)),
    "empty": (lambda c, v: v is None or v == "" or v == [] or v == {}, (1, 1)),
    # time (injected clock, flow time zone)
    "now": (lambda c: c.now, (0, 0)),
    "hour": (lambda c: c.local().hour, (0, 0)),
    "minute": (lambda c: c.local().minute, (0, 0)),
    "weekday": (lambda c: c.local().strftime("%a").lower(), (0, 0)),     # mon .. sun
    "weekday_num": (lambda c: c.local().isoweekday(), (0, 0)),         # 1 = Monday
    "date": (lambda c: c.local().strftime("%Y-%m-%d"), (0, 0)),
    "time": (lambda c: c.local().strftime("%H:%M"), (0, 0)),
    "strftime": (lambda c, f: _fmt_time(c, _str(f)), (1, 1)),
}


def evaluate(e: Expr, ctx: EvalContext) -> Any:
    """Evaluate a parsed expression; raises :class:`ExprError` on a type problem."""
    op = e[0]
    if op == "lit":
        return e[2]
    if op == "var":
        name = e[2]
        if name in ctx.variables:
            return ctx.variables[name]
        return ctx.call.get(name)
    if op == "and":
        left = evaluate(e[2], ctx)
        return evaluate(e[3], ctx) if truthy(left) else left
    if op == "or":
        left = evaluate(e[2], ctx)
        return left if truthy(left) else evaluate(e[3], ctx)
    if op == "not":
        return not truthy(evaluate(e[2], ctx))
    if op == "cmp":
        return _compare(e[2], evaluate(e[3], ctx), evaluate(e[4], ctx))
    if op == "in":
        item, coll = evaluate(e[2], ctx), evaluate(e[3], ctx)
        if isinstance(coll, (list, tuple)):
            return any(_compare("==", item, x) for x in coll)
        if isinstance(coll, dict):
            return _str(item) in coll
        return _str(item) in _str(coll)
    if op == "bin":
        a, b = evaluate(e[3], ctx), evaluate(e[4], ctx)
        o = e[2]
        try:
            if o == "+":
                if _looks_numeric(a) and _looks_numeric(b) and not (isinstance(a, str) and isinstance(b, str)):
                    return _num(a) + _num(b)
                if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                    return a + b
                if isinstance(a, list) and isinstance(b, list):
                    return a + b
                s = _str(a) + _str(b)
                if len(s) > _MAX_LEN:
                    raise ExprError("string too long")
                return s
            x, y = _num(a, "left operand"), _num(b, "right operand")
            if o == "-":
                return x - y
            if o == "*":
                r = x * y
                if isinstance(r, int) and abs(r) > 10 ** 30:
                    raise ExprError("number too large")
                return r
            if y == 0:
                raise ExprError("division by zero", e[1])
            if o == "/":
                r = x / y
                return int(r) if r.is_integer() else r
            return x % y
        except (OverflowError, ValueError) as exc:
            raise ExprError(f"arithmetic error: {exc}", e[1]) from None
    if op == "neg":
        return -_num(evaluate(e[2], ctx))
    if op == "get":
        base, key = evaluate(e[2], ctx), evaluate(e[3], ctx)
        if isinstance(base, dict):
            return base.get(_str(key)) if _str(key) in base else base.get(key)
        if isinstance(base, (list, str)):
            try:
                return base[int(_num(key, "index"))]
            except (IndexError, ExprError):
                return None
        return None
    if op == "list":
        return [evaluate(x, ctx) for x in e[2]]
    if op == "call":
        fn = FUNCTIONS[e[2]][0]
        args = [evaluate(a, ctx) for a in e[3]]
        try:
            return fn(ctx, *args)
        except ExprError as exc:
            raise ExprError(f"{e[2]}(): {exc.message}", e[1]) from None
        except (TypeError, ValueError, OverflowError) as exc:
            raise ExprError(f"{e[2]}(): {exc}", e[1]) from None
    raise ExprError(f"unknown expression node {op!r}")  # pragma: no cover - parser never builds one


# ------------------------------------------------------------------------------------------------
# Templates: "Your order ${order_id} is ${status}"

@dataclass(frozen=True)
class Template:
    source: str
    parts: tuple  # str | Expr

    @property
    def is_static(self) -> bool:
        return all(isinstance(p, str) for p in self.parts)


def parse_template(src: str) -> Template:
    """Split ``src`` on ``${...}`` and parse each expression; ``$$`` is a literal ``$``.
    Raises :class:`ExprError` with the position inside ``src``."""
    parts: list[Any] = []
    buf: list[str] = []
    i = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c == "$" and i + 1 < n and src[i + 1] == "$":
            buf.append("$")
            i += 2
            continue
        if c == "$" and i + 1 < n and src[i + 1] == "{":
            end = _find_close(src, i + 2)
            if end < 0:
                raise ExprError("unterminated '${' (missing '}')", i, src)
            inner = src[i + 2:end]
            try:
                e = parse(inner)
            except ExprError as exc:
                raise ExprError(exc.message, (exc.pos or 0) + i + 2, src) from None
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(e)
            i = end + 1
            continue
        buf.append(c)
        i += 1
    if buf:
        parts.append("".join(buf))
    return Template(src, tuple(parts))


def _find_close(src: str, i: int) -> int:
    quote = None
    while i < len(src):
        c = src[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "}":
            return i
        i += 1
    return -1


def render(t: Template, ctx: EvalContext, errors: list[str] | None = None) -> str:
    """Render a template; an expression that fails renders as empty (and is reported in ``errors``)."""
    out: list[str] = []
    for p in t.parts:
        if isinstance(p, str):
            out.append(p)
            continue
        try:
            out.append(_str(evaluate(p, ctx)))
        except ExprError as exc:
            if errors is not None:
                errors.append(f"{t.source!r}: {exc}")
    return "".join(out)
