"""The one YAML loader with positions, the type names in messages, the NAME:N parser."""
from __future__ import annotations

import pytest

from acd.config import parse_name_number
from callcenter.yamlfile import YamlError, load_yaml, parse_path, read_text, type_name

TEXT = """\
base: &b {x: 1, y: 2}
a:
  <<: *b
  y: 3
l:
  - 1
  - {k: v}
1: yes
"""


def test_positions_of_keys_items_and_nearest_parent():
    doc = load_yaml(TEXT, "t.yaml")
    assert doc.data == {"base": {"x": 1, "y": 2}, "a": {"y": 3, "x": 1}, "l": [1, {"k": "v"}], "1": True}
    assert doc.line(("a", "y")) == 4 and doc.line(("l", 1)) == 7 and doc.at(("l", 1, "k")) == (7, 6)
    assert doc.line(("a", "y", "missing")) == 4                      # nearest parent present
    assert doc.where(parse_path("l[1].k")) == "t.yaml:7"
    assert doc.line(("a", "x")) == 1                                 # merged keys point at the anchor
    assert doc.problems == []                                        # an explicit key over a merge is no duplicate


def test_duplicates_are_problems_and_the_last_value_wins():
    doc = load_yaml("a: 1\nb: 2\na: 3\n", "d.yaml")
    assert doc.data == {"a": 3, "b": 2}
    assert doc.problems == [(("a",), "duplicate key 'a' (first defined at line 1)", (3, 1))]


def test_errors_name_file_line_and_column(tmp_path):
    with pytest.raises(YamlError, match=r"^x\.yaml:2:4: not valid YAML: "):
        load_yaml("a: [1,\nb: }\n", "x.yaml")
    with pytest.raises(YamlError, match="too many aliases"):
        load_yaml("a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n", "bomb.yaml", max_nodes=50)
    assert load_yaml("a: &a [*a]\n", "loop.yaml").problems[0][1] == "nesting too deep"
    assert load_yaml("", "empty.yaml").data is None
    with pytest.raises(YamlError, match=r"nope\.yaml: scenario not found$"):
        read_text(tmp_path / "nope.yaml", "scenario")
    (tmp_path / "bad.yaml").write_bytes(b"a: 1\nb: \xff\n")
    with pytest.raises(YamlError, match=r"bad\.yaml:2:4: not UTF-8"):
        read_text(tmp_path / "bad.yaml")


def test_scalar_hook_sees_the_path():
    seen = []

    def hook(node, path, construct):
        seen.append(path)
        return str(node.value) if path[-1:] == ("digit",) else construct(node)
    assert load_yaml("digit: 1\nn: 1\n", scalar=hook).data == {"digit": "1", "n": 1}
    assert (("digit",)) in seen


def test_parse_path_and_type_names():
    assert parse_path("ami.servers[1].port") == ("ami", "servers", 1, "port")
    assert parse_path("") == ()
    assert [type_name(v) for v in (None, True, 3, 2.5, "s", [], {})] == \
        ["null", "boolean", "integer", "number", "string", "list", "mapping"]
    assert [type_name(v, json=True) for v in ([], {})] == ["array", "object"]
    assert [type_name(v, article=True) for v in (None, 3, {})] == ["nothing (null)", "an integer", "a mapping"]


def test_name_number_parser():
    assert parse_name_number("billing:5", 1) == ("billing", 5)
    assert parse_name_number(" support ", 0) == ("support", 0)
    assert parse_name_number("tech=3", None, "=") == ("tech", 3)
    for bad, default in ((":3", 1), ("billing:x", 1), ("tech", None)):
        with pytest.raises(ValueError):
            parse_name_number(bad, default)
