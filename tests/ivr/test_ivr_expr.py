"""The safe expression language: values, functions, templates, error positions, fuzzing."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from callcenter.ivr.expr import EvalContext, ExprError, evaluate, parse, parse_template, render

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=timezone.utc).timestamp()   # Monday 10:30 in New York


def ev(src, variables=None, call=None, tz="UTC"):
    ctx = EvalContext(variables or {}, call or {"caller": "+15551234567", "did": "1000"}, NOW, ZoneInfo(tz))
    return evaluate(parse(src), ctx)


@pytest.mark.parametrize("src,expected", [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 / 4", 2.5),
    ("10 / 5", 2),
    ("7 % 3", 1),
    ("-3 + 1", -2),
    ("'a' + 'b'", "ab"),
    ("'5' + 1", 6),                        # numeric strings add as numbers
    ("1 < 2 and 2 < 3", True),
    ("1 > 2 or not false", True),
    ("not (1 == 1)", False),
    ("'10' == 10", True),
    ("'abc' < 'abd'", True),
    ("'9' < '10'", True),                  # both numeric: compared as numbers
    ("null == ''", True),
    ("x == null", True),                   # unknown names are null
    ("'b' in ['a', 'b']", True),
    ("'c' not in ['a', 'b']", True),
    ("'ell' in 'hello'", True),
    ("len('hello')", 5),
    ("upper('abc')", "ABC"),
    ("substr('abcdef', 1, 3)", "bcd"),
    ("replace('a-b-c', '-', '')", "abc"),
    ("matches('12345', '^[0-9]{5}$')", True),
    ("digits('+1 (555) 12')", "155512"),
    ("default(missing, 'x')", "x"),
    ("if(1 > 0, 'yes', 'no')", "yes"),
    ("round(2.567, 2)", 2.57),
    ("int('42')", 42),
    ("max(3, 7)", 7),
    ("startswith(caller, '+1555')", True),
    ("did", "1000"),
    ("order.status", "shipped"),
    ("order['items'][1]", "b"),
    ("1 && 0 || 'x'", "x"),
])
def test_values(src, expected):
    variables = {"order": {"status": "shipped", "items": ["a", "b"]}}
    assert ev(src, variables) == expected


def test_time_functions_use_the_injected_clock_and_time_zone():
    assert ev("hour()") == 15
    assert ev("hour()", tz="America/New_York") == 10
    assert ev("weekday()", tz="America/New_York") == "mon"
    assert ev("date()", tz="Asia/Shanghai") == "2026-11-23"
    assert ev("time()", tz="America/New_York") == "10:30"
    assert ev("hour() >= 9 and hour() < 17 and weekday() not in ['sat', 'sun']", tz="America/New_York") is True


@pytest.mark.parametrize("src,pos,fragment", [
    ("1 +", 3, "expected a value"),
    ("(1 + 2", 6, "expected ')'"),
    ("a == == b", 5, "expected a value"),
    ("foo(1)", 0, "unknown function 'foo'"),
    ("len(1, 2)", 0, "takes 1 argument"),
    ("'abc", 0, "unterminated string"),
    ("1 ? 2", 2, "unexpected character"),
    ("", 0, "empty expression"),
    ("a b", 2, "unexpected"),
])
def test_parse_errors_name_the_position(src, pos, fragment):
    with pytest.raises(ExprError) as ei:
        parse(src)
    assert ei.value.pos == pos
    assert fragment in str(ei.value)
    assert f"column {pos + 1}" in str(ei.value)


@pytest.mark.parametrize("src", ["'a' - 1", "1 / 0", "int('x')", "number(null)", "matches('a', '(')"])
def test_runtime_type_problems_are_expr_errors(src):
    with pytest.raises(ExprError):
        ev(src)


def test_templates():
    t = parse_template("Order ${order} is ${upper(status)}; cost $$5")
    ctx = EvalContext({"order": "123", "status": "shipped"}, {}, NOW)
    assert render(t, ctx) == "Order 123 is SHIPPED; cost $5"
    assert parse_template("plain text").is_static
    errors: list[str] = []
    assert render(parse_template("x${1/0}y"), ctx, errors) == "xy" and errors


def test_template_error_position_is_inside_the_text():
    with pytest.raises(ExprError) as ei:
        parse_template("Hello ${name +}")
    assert ei.value.pos == 14
    with pytest.raises(ExprError) as ei:
        parse_template("Hello ${name")
    assert "unterminated" in str(ei.value) and ei.value.pos == 6


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("ab1 ()+-*/%<>=!'\"[],._") + ["and", " or ", "not ", "len(", "in",
                                                                     "if(", "${", "}", "0.5", "null"]),
                max_size=20).map("".join))
def test_fuzz_parse_and_evaluate_only_raise_expr_error(src):
    try:
        parse(src)
    except ExprError as exc:
        assert exc.pos is not None and 0 <= exc.pos <= len(src)
        return
    try:
        ev(src, {"a": "1", "b": ["x"]})
    except ExprError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_templates(src):
    try:
        t = parse_template(src)
    except ExprError:
        return
    render(t, EvalContext({}, {}, NOW), [])


def test_strings_cannot_grow_without_bound():
    big = {"s": "x" * 50_000}
    for src in ("replace(s, 'x', 'yyyy')", "concat(s, s, s)", "s + s + s"):
        with pytest.raises(ExprError, match="too long"):
            ev(src, big)
    assert ev("len(replace(s, 'x', 'y'))", big) == 50_000
