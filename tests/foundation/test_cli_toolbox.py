"""The CLI toolbox: tables aligned by terminal width (CJK names), JSON output, and a reader that stops
early (``| head``) ending the command quietly."""
from __future__ import annotations

import os
import subprocess
import sys

from callcenter.cli import main
from callcenter.commands.toolbox import ago, display_width, print_json, table


def test_display_width_counts_wide_characters_twice():
    assert display_width("alice") == 5
    assert display_width("张伟") == 4
    assert display_width("김민준") == 6
    assert display_width("ｆｕｌｌ") == 8          # fullwidth Latin
    assert display_width("e\u0301") == 1          # e + combining acute accent


def test_table_aligns_cjk_names():
    out = table([["zh1", "张伟", "ready"], ["en1", "Alice Smith", "paused"], ["ko1", "김민준", "on_call"]],
                ["AGENT", "NAME", "STATE"])
    lines = out.splitlines()
    assert len(lines) == 4 and out.endswith("\n")
    # the STATE column starts at the same terminal column on every line
    starts = {display_width(line[:line.index(state)]) for line, state in
              zip(lines, ("STATE", "ready", "paused", "on_call"))}
    assert starts == {len("AGENT  Alice Smith  ")}


def test_table_right_alignment_rule_and_empty_cells():
    out = table([["a", 1, None], ["bb", 22, "x"]], ["Q", "N", "NOTE"], right=[False, True], rule=True)
    assert out.splitlines() == ["Q    N  NOTE", "------------", "a    1", "bb  22  x"]


def test_ago_and_print_json(capsys):
    assert ago(100.0, None) == "-"
    assert ago(100.0, 35.0) == "1:05"
    assert ago(7300.0, 100.0) == "2:00:00"
    print_json({"name": "张伟", "n": 1.5})
    assert '"name": "张伟"' in capsys.readouterr().out


def test_broken_pipe_in_a_verb_is_quiet(monkeypatch, capsys):
    import callcenter.commands.config as config_verb

    def writes_into_a_closed_pipe(args):
        raise BrokenPipeError(32, "Broken pipe")
    monkeypatch.setattr(config_verb, "_defaults", writes_into_a_closed_pipe)
    assert main(["config", "defaults"]) == 141
    assert capsys.readouterr().err == ""


def test_prompts_list_into_head_ends_quietly(tmp_path):
    """`callcenter prompts list | head -1`: more output than a pipe holds, the reader leaves after one line."""
    prompts = tmp_path / "data" / "prompts" / "en-US"
    prompts.mkdir(parents=True)
    for i in range(3000):
        (prompts / f"prompt-{i:05d}-with-a-long-enough-name.ulaw").write_bytes(b"\xff" * 80)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env["CALLCENTER_DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.Popen([sys.executable, "-m", "callcenter", "prompts", "list"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()                          # what `head -1` does after its line
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=60)
    assert first.startswith(b"en-US/prompt-00000")
    assert err == "" and rc == 141, (rc, err)
