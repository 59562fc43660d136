"""Loading and validating flows: every problem names file:line:column, the node and what is expected."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings, strategies as st

from callcenter.ivr import (FlowValidationError, check_flow_file, iter_text_prompts, load_flow_file,
                            load_flow_text, load_flows_dir)
from callcenter.ivr.schema import SCHEMA_PATH, build_schema

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "ivr_flows"
DEMO_QUEUES = {"support", "billing", "technical", "sales", "zh_support"}

GOOD = """\
flow: mini
start: hello
nodes:
  hello:
    type: play
    prompt: "Hi"
    next: menu
  menu:
    type: menu
    prompt: "Press 1"
    options:
      - {digit: "1", next: bye}
    on_fail: bye
  bye:
    type: hangup
"""


def problems(text: str, tmp_path: Path, **kw):
    p = tmp_path / "f.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    flow, errs = check_flow_file(p, **kw)
    return flow, errs, str(p)


def only(errs, severity="error"):
    return [e for e in errs if e.severity == severity]


def test_good_flow_loads(tmp_path):
    flow, errs, _ = problems(GOOD, tmp_path)
    assert errs == [] and flow is not None
    assert flow.name == "mini" and flow.start == "hello" and set(flow.nodes) == {"hello", "menu", "bye"}
    assert flow.nodes["menu"].line == 8 and len(flow.content_hash) == 16


@pytest.mark.parametrize("name", ["support_en", "support_zh", "order_status"])
def test_example_flows_are_clean_against_demo_queues(name):
    flow, errs = check_flow_file(FLOWS / f"{name}.yaml", queues=DEMO_QUEUES)
    assert flow is not None, "\n".join(map(str, errs))
    assert errs == []


def test_load_flows_dir_loads_all_examples():
    flows, errs = load_flows_dir(FLOWS)
    assert {"support_en", "support_zh", "order_status"} <= set(flows)
    assert [e for e in errs if e.severity == "error"] == []


def test_yaml_syntax_error_names_line_and_column(tmp_path):
    _, errs, f = problems("start: a\nnodes:\n  a: {type: play, prompt: 'x', next: a\n", tmp_path)
    assert len(errs) == 1
    assert str(errs[0]).startswith(f"{f}:4:1: not valid YAML")


def test_wrong_node_type(tmp_path):
    _, errs, f = problems(GOOD.replace("type: hangup", "type: hangpu"), tmp_path)
    e = only(errs)
    assert len(e) == 1
    assert str(e[0]).startswith(f"{f}:15:11: node 'bye': unknown node type 'hangpu'")
    assert "did you mean 'hangup'" in str(e[0])


def test_missing_field_names_node_and_type(tmp_path):
    _, errs, f = problems(GOOD.replace('    next: menu\n', ''), tmp_path)
    e = only(errs)
    assert [str(x) for x in e] == [f"{f}:4:3: node 'hello': missing required field 'next' (play node)"]


def test_dangling_transition(tmp_path):
    _, errs, f = problems(GOOD.replace("on_fail: bye", "on_fail: byee"), tmp_path)
    e = only(errs)
    assert len(e) == 1
    assert str(e[0]) == f"{f}:13:14: node 'menu': 'on_fail' goes to unknown node 'byee'; did you mean 'bye'?"


def test_unknown_field_suggests(tmp_path):
    _, errs, f = problems(GOOD.replace("    on_fail: bye", "    on_fial: bye"), tmp_path)
    e = only(errs)
    assert any(str(x).startswith(f"{f}:13:5: node 'menu': unknown field 'on_fial' (menu node); did you mean 'on_fail'")
               for x in e), e


def test_wrong_type_of_value(tmp_path):
    _, errs, f = problems(GOOD.replace("    on_fail: bye", "    on_fail: bye\n    timeout: soon"), tmp_path)
    assert [str(x) for x in only(errs)] == [f"{f}:14:14: node 'menu': 'timeout' must be number, got a string"]


def test_unreachable_is_a_warning(tmp_path):
    flow, errs, f = problems(GOOD + "  orphan:\n    type: hangup\n", tmp_path)
    assert flow is not None
    assert [str(x) for x in errs] == [f"{f}:16:3: warning: node 'orphan': unreachable: no path from the start "
                                      f"node 'hello' leads here"]


def test_loop_that_never_waits(tmp_path):
    text = """\
    start: a
    nodes:
      a: {type: set, vars: {x: "x + 1"}, next: b}
      b:
        type: branch
        cases: [{if: "x > 3", next: a}]
        else: a
    """
    _, errs, f = problems(text, tmp_path)
    e = only(errs)
    assert len(e) == 1 and "loop that never waits for the caller: a -> b -> a" in str(e[0])
    assert str(e[0]).startswith(f"{f}:3:3: node 'a'")


def test_bad_expression_points_into_the_expression(tmp_path):
    text = """\
    start: a
    nodes:
      a:
        type: branch
        cases:
          - if: "caller == '1' and"
            next: b
        else: b
      b: {type: hangup}
    """
    _, errs, f = problems(text, tmp_path)
    e = only(errs)
    assert len(e) == 1
    # the text starts at column 14 (after the quote); the error is at offset 17 inside it
    assert str(e[0]).startswith(f"{f}:6:31: node 'a': bad expression in 'cases[0].if': expected a value")


def test_bad_template_in_prompt(tmp_path):
    _, errs, f = problems(GOOD.replace('prompt: "Hi"', 'prompt: "Hi ${name +}"'), tmp_path)
    e = only(errs)
    assert len(e) == 1 and "bad ${...} expression in 'prompt'" in str(e[0]) and str(e[0]).startswith(f"{f}:6:")


def test_missing_prompt_language(tmp_path):
    text = GOOD.replace("flow: mini", "flow: mini\nlanguages: [en-US, zh-CN]").replace(
        'prompt: "Hi"', 'prompt: {en-US: "Hi", zh-CN: "你好"}').replace(
        'prompt: "Press 1"', 'prompt: {en-US: "Press 1"}')
    _, errs, f = problems(text, tmp_path)
    e = only(errs)
    assert len(e) == 1 and "missing prompt for language zh-CN" in str(e[0]) and "node 'menu'" in str(e[0])


def test_unknown_queue_and_skill(tmp_path):
    text = """\
    start: q
    nodes:
      q: {type: queue, queue: billng, skills: [billing, klingon]}
    """
    _, errs, f = problems(text, tmp_path, queues=DEMO_QUEUES, skills={"billing", "technical"})
    msgs = [str(x) for x in only(errs)]
    assert any("unknown queue 'billng'; did you mean 'billing'?" in m for m in msgs)
    assert any("unknown skill 'klingon'" in m for m in msgs)


def test_missing_recording(tmp_path):
    (tmp_path / "sounds").mkdir()
    (tmp_path / "sounds" / "welcome.wav").write_bytes(b"RIFF")
    text = GOOD.replace('prompt: "Hi"', 'prompt: [{file: sounds/welcome}, {file: sounds/missing}]')
    _, errs, f = problems(text, tmp_path)
    e = only(errs)
    assert len(e) == 1 and "recording 'sounds/missing' not found" in str(e[0])
    # bare names are Asterisk sounds: checked only against --sounds directories
    text = GOOD.replace('prompt: "Hi"', 'prompt: [{file: beep}]')
    assert problems(text, tmp_path)[1] == []
    _, errs, _ = problems(text, tmp_path, sound_dirs=[tmp_path / "sounds"])
    assert "recording 'beep' not found" in str(errs[0])


def test_duplicate_node_names(tmp_path):
    _, errs, f = problems(GOOD + "  bye:\n    type: hangup\n", tmp_path)
    assert any("duplicate key 'bye' (first defined at line 14)" in str(e) and e.line == 16 for e in errs)


def test_bad_time_zone_and_hours(tmp_path):
    text = """\
    start: s
    nodes:
      s:
        type: schedule
        timezone: Mars/Olympus
        hours: {mon-fri: "18:00-09:00"}
        open: b
        closed: b
      b: {type: hangup}
    """
    _, errs, f = problems(text, tmp_path)
    msgs = [str(x) for x in only(errs)]
    assert any("unknown time zone 'Mars/Olympus'" in m and ":5:" in m for m in msgs)
    assert any("bad opening hours for mon-fri" in m and "ends before it starts" in m for m in msgs)


def test_empty_and_non_mapping_files(tmp_path):
    assert "the file is empty" in str(problems("", tmp_path)[1][0])
    assert "top level must be a mapping" in str(problems("- a\n- b\n", tmp_path)[1][0])
    assert "missing required field 'start'" in str(problems("nodes: {a: {type: hangup}}\n", tmp_path)[1][0])


def test_not_utf8(tmp_path):
    p = tmp_path / "f.yaml"
    p.write_bytes(b"start: a\nnodes:\n  a: {type: hangup, prompt: '\xff'}\n")
    _, errs = check_flow_file(p)
    assert str(errs[0]) == f"{p}:3:30: not UTF-8 text (save the file as UTF-8)"


def test_load_flow_file_raises_with_every_error(tmp_path):
    p = tmp_path / "f.yaml"
    p.write_text(GOOD.replace("next: menu", "next: nowhere").replace("on_fail: bye", "on_fail: gone"))
    with pytest.raises(FlowValidationError) as ei:
        load_flow_file(p)
    assert len(ei.value.errors) == 2 and "nowhere" in str(ei.value) and "gone" in str(ei.value)


def test_cross_flow_subflow_check(tmp_path):
    (tmp_path / "a.yaml").write_text("start: s\nnodes:\n  s: {type: subflow, flow: bb, next: e}\n  e: {type: hangup}\n")
    (tmp_path / "b.yaml").write_text("start: r\nnodes:\n  r: {type: return}\n")
    flows, errs = load_flows_dir(tmp_path)
    assert set(flows) == {"a", "b"}
    assert len(errs) == 1 and "unknown flow 'bb'; did you mean 'b'?" in str(errs[0])


def test_published_schema_matches_the_generator_and_is_valid():
    published = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert published == build_schema(), "regenerate: python -m callcenter.ivr.schema > callcenter/ivr/flow.schema.json"
    jsonschema.Draft202012Validator.check_schema(published)


def test_iter_text_prompts_covers_every_language():
    flow = load_flow_file(FLOWS / "support_zh.yaml")
    prompts = list(iter_text_prompts(flow))
    assert prompts and all(p.kind == "text" and p.language == "zh-CN" for p in prompts)
    assert any("转接人工服务" in p.value for p in prompts)
    text = GOOD.replace('prompt: "Hi"', 'prompt: {en-US: "Hi", fr-FR: "Salut"}').replace(
        'prompt: "Press 1"', 'prompt: "Press 1 ${x}"')
    flow, errs = load_flow_text(text, "<t>")
    got = {(p.value, p.language) for p in iter_text_prompts(flow)}
    assert got == {("Hi", "en-US"), ("Salut", "fr-FR")}      # templated text is skipped


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abnt:{}[]-'\" \n\t#&*!|>,0123456789")), max_size=120))
def test_fuzz_loader_never_raises(text):
    flow, errs = load_flow_text(text, "<fuzz>")
    assert flow is not None or errs
    for e in errs:
        assert e.line >= 1 and e.column >= 1 and str(e).startswith("<fuzz>:")


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["start", "nodes", "flow", "language", "variables", "x"]),
                       st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
                                    lambda c: st.one_of(st.lists(c, max_size=3),
                                                        st.dictionaries(st.sampled_from(
                                                            ["type", "next", "prompt", "options", "a", "menu",
                                                             "play", "digit"]), c, max_size=4)),
                                    max_leaves=12), max_size=5))
def test_fuzz_structures_never_raise(data):
    import yaml
    flow, errs = load_flow_text(yaml.safe_dump(data), "<fuzz>")
    assert flow is not None or errs


def test_yaml_friendly_scalars(tmp_path):
    text = """\
    start: m
    nodes:
      m:
        type: menu
        prompt: yes
        options:
          - {digit: 1, say: [yes, no, on], next: s}
        on_fail: s
      s:
        type: schedule
        hours: {daily: "09:00-17:00"}
        holidays: [2026-12-25]
        exceptions: {2026-12-24: closed}
        open: h
        closed: h
      h: {type: ask, prompt: x, var: v, dtmf: {1: yes}, choices: {yes: [yes], no: [no]}, next: e}
      e: {type: hangup}
    """
    flow, errs, _ = problems(text, tmp_path)
    assert errs == [], errs
    m = flow.nodes["m"].spec
    assert m["prompt"] == "yes" and m["options"][0]["digit"] == "1" and m["options"][0]["say"] == ["yes", "no", "on"]
    assert flow.nodes["s"].spec["holidays"] == ["2026-12-25"] and "2026-12-24" in flow.nodes["s"].spec["exceptions"]
    assert flow.nodes["h"].spec["dtmf"] == {"1": "yes"}


def test_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]")
    _, errs, f = problems("\n".join(lines) + "\nstart: a\nnodes: {a: {type: hangup}}\n", tmp_path)
    assert len(errs) == 1 and "too many aliases" in str(errs[0])


def test_read_back_lead_is_a_text_prompt():
    flow, _ = load_flow_text(GOOD.replace("flow: mini", "flow: mini\nlanguages: [en-US, zh-CN]").replace(
        'prompt: "Hi"', 'prompt: {en-US: "Hi", zh-CN: "你好"}').replace(
        'prompt: "Press 1"', 'prompt: {en-US: "Press 1", zh-CN: "请按1"}').replace(
        "  bye:\n    type: hangup\n", "  bye:\n    type: collect\n    prompt: {en-US: a, zh-CN: b}\n    var: x\n"
                                     "    read_back: true\n    next: bye\n"), "<t>")
    got = {(p.value, p.language) for p in iter_text_prompts(flow)}
    assert ("You entered", "en-US") in got and ("您输入的是", "zh-CN") in got


def test_speech_only_choices_are_warned_about(tmp_path):
    text = """\
    start: m
    nodes:
      m:
        type: menu
        prompt: "Say sales"
        options: [{say: [sales], next: a}]
        on_fail: a
      a: {type: ask, prompt: "Why?", var: why, next: e}
      e: {type: hangup}
    """
    flow, errs, _ = problems(text, tmp_path)
    assert flow is not None and len(errs) == 2 and all(e.severity == "warning" for e in errs)
    assert "option 1 has no 'digit'" in str(errs[0]) and "no 'dtmf' fallback" in str(errs[1])
