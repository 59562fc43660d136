"""Requirement rules: grammar, evaluation, errors that name the rule and the column, fuzzing."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acd import RuleError, parse_expr, parse_rule, parse_rules


def test_rule_in_force_is_the_first_whose_condition_holds():
    rs = parse_rules(["WT < 30: billing >= 4 & lang_en", "WT < 90 | EWT > 300: billing >= 2", "any"])
    assert rs.select(0, 0).index == 0
    assert rs.select(30, 0).index == 1          # WT < 30 is false at exactly 30 s
    assert rs.select(100, 400).index == 1       # EWT condition
    assert rs.select(100, 0).index == 2
    assert rs.next_change(10) == 30.0 and rs.next_change(30) == 30.001
    assert rs.uses_ewt


def test_no_condition_holds_keeps_the_last_rule_and_empty_means_any():
    rs = parse_rules(["WT < 10: a"])
    assert rs.select(50, 0).index == 0
    assert parse_rules([]).select(0, 0).expr.text == "any"


@pytest.mark.parametrize("text,attrs,expected", [
    ("billing >= 4 & lang_en", {"billing": 4, "lang_en": 1}, True),
    ("billing >= 4 & lang_en", {"billing": 3, "lang_en": 1}, False),
    ("billing", {"billing": 1}, True),
    ("!billing", {}, True),
    ("billing < 3", {}, True),                  # an absent skill has level 0
    ("sales | tech > 2", {"tech": 3}, True),
    ("sales | tech > 2", {"tech": 2}, False),
    ("(a | b) & !c", {"b": 1, "c": 2}, False),
    ("a and not b or c", {"a": 1}, True),
    ("BILLING = 5", {"billing": 5}, True),
    ("any", {}, True),
    ("none", {"x": 5}, False),
])
def test_skill_expressions(text, attrs, expected):
    assert parse_expr(text)(attrs) is expected


def test_anchors_choose_indexable_skills():
    assert parse_expr("billing >= 4 & lang_en").anchors == [("billing", 4, 5)]
    assert parse_expr("!billing").anchors is None
    assert parse_expr("a | b >= 2").anchors == [("a", 1, 5), ("b", 2, 5)]
    assert parse_expr("x > 5").anchors == []   # can never match


@pytest.mark.parametrize("rules,where,col,msg", [
    (["any", "WT < 30 billing >= 4"], "rule 2", 1, "belongs in the condition"),
    (["WT < : x"], "rule 1", 6, "expected a number"),
    (["billing >= 7"], "rule 1", 12, "proficiency must be an integer 0-5"),
    (["a & (b | c"], "rule 1", 11, "expected ')'"),
    (["WT < 3:"], "rule 1", 8, "expected a skill expression after ':'"),
    (["age < 3: x"], "rule 1", 1, "compares WT or EWT"),
    (["x $ y"], "rule 1", 3, "unexpected character '$'"),
    (["a b"], "rule 1", 3, "expected '&', '|' or the end"),
    (["WT < 3: a: b"], "rule 1", 10, "only one ':'"),
    ([""], "rule 1", 1, "empty rule"),
])
def test_errors_name_the_rule_and_column(rules, where, col, msg):
    with pytest.raises(RuleError) as ei:
        parse_rules(rules, queue="support")
    e = ei.value
    assert e.column == col, str(e)
    assert msg in str(e)
    assert f"queue 'support', {where}" in str(e)
    assert "^" in str(e).splitlines()[-1]


def test_non_string_rules_are_errors():
    with pytest.raises(RuleError):
        parse_rules([42])
    with pytest.raises(RuleError):
        parse_rules({"a": 1})


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="WTEabx_ <>=!&|():0123456789.-", max_size=40))
def test_fuzz_rule_parser_raises_only_rule_errors(text):
    try:
        r = parse_rule(text)
    except RuleError as e:
        assert 1 <= e.column <= len(text) + 1
        return
    # whatever parses evaluates without error on any agent
    r.expr({"a": 3, "b": 1, "x": 5})
    if r.cond:
        r.cond(12.0, 40.0)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_fuzz_any_unicode(text):
    try:
        parse_rule(text)
    except RuleError:
        pass
