"""`callcenter ivr validate|try|graph|list` as a supervisor uses them."""
from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from callcenter.cli import main

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "ivr_flows"


@pytest.fixture(autouse=True)
def config(tmp_path, monkeypatch):
    cfg = tmp_path / "callcenter.yaml"
    cfg.write_text(f"data_dir: {tmp_path / 'data'}\nivr:\n  flows_dir: {FLOWS}\n  dids:\n    '8000': support_zh\n"
                   f"    '8100': order_status\n")
    monkeypatch.setenv("CALLCENTER_CONFIG", str(cfg))
    for k in list(__import__("os").environ):
        if k.startswith("CALLCENTER_") and k != "CALLCENTER_CONFIG":
            monkeypatch.delenv(k)
    return cfg


def run(argv, stdin="", monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def test_validate_examples_ok(capsys):
    rc = main(["ivr", "validate", "--queues", "support,billing,technical,sales,zh_support"])
    err = capsys.readouterr().err
    assert rc == 0 and "3 file(s) checked: 0 error(s), 0 warning(s)" in err


def test_validate_reports_file_line_column_and_exit_code(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("start: a\nnodes:\n  a:\n    type: play\n    prompt: hi\n    next: b\n")
    rc = main(["ivr", "validate", str(bad)])
    out, err = capsys.readouterr()
    assert rc == 1
    assert out.strip() == f"{bad}:6:11: node 'a': 'next' goes to unknown node 'b' (nodes: a)"
    assert "1 error(s)" in err


def test_validate_unknown_queue_and_strict_warnings(tmp_path, capsys):
    f = tmp_path / "q.yaml"
    f.write_text("start: q\nnodes:\n  q: {type: queue, queue: suport}\n  x: {type: hangup}\n")
    assert main(["ivr", "validate", str(f), "--queues", "support,sales"]) == 1
    out = capsys.readouterr().out
    assert "unknown queue 'suport'; did you mean 'support'?" in out and "warning: node 'x': unreachable" in out
    f.write_text("start: q\nnodes:\n  q: {type: queue, queue: support}\n  x: {type: hangup}\n")
    assert main(["ivr", "validate", str(f), "--queues", "support"]) == 0
    assert main(["ivr", "validate", str(f), "--queues", "support", "--strict"]) == 1


def test_validate_json(tmp_path, capsys):
    f = tmp_path / "y.yaml"
    f.write_text("start: [\n")
    assert main(["ivr", "validate", str(f), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == 1 and data["problems"][0]["line"] == 2 and "not valid YAML" in data["problems"][0]["message"]


def test_try_with_piped_stdin(monkeypatch, capsys):
    rc = run(["ivr", "try", "support_en", "--at", "2026-11-23T10:00", "--caller", "+18005551234"],
             "I have a billing question\n\n123456#\n", monkeypatch)
    out = capsys.readouterr().out
    assert rc == 0
    assert "== caller +18005551234 dialled - at 2026-11-23 10:00 EST (Mon)" in out
    assert "[en-US] Thank you for calling Example Corp." in out
    assert "heard 'I have a billing question' (confidence 1.00) -> billing" in out
    assert "retry 1: no_input" in out
    assert "== path: welcome -> vip_check -> hours -> main_menu -> account -> account -> billing_q" in out
    assert "== outcome: queue 'billing' skills [billing>=1] language en-US priority 10" in out


def test_try_closed_hours_and_hangup(monkeypatch, capsys):
    rc = run(["ivr", "try", "support_en", "--at", "2026-11-22T10:00"], "hangup\n", monkeypatch)
    out = capsys.readouterr().out
    assert rc == 0 and "Our offices are closed" in out and "== outcome: hangup by caller" in out


def test_try_picks_the_flow_of_a_did_and_reads_chinese(monkeypatch, capsys):
    rc = run(["ivr", "try", "--did", "8000", "--at", "2026-11-23T10:00"], "转人工\n", monkeypatch)
    out = capsys.readouterr().out
    assert rc == 0 and "== flow support_zh" in out and "您好，欢迎致电示例公司客服中心。" in out
    assert "== outcome: queue 'zh_support'" in out and "language zh-CN" in out


def test_try_no_speech_end_of_input_and_trace_json(monkeypatch, capsys, tmp_path):
    trace = tmp_path / "t.json"
    rc = run(["ivr", "try", str(FLOWS / "support_en.yaml"), "--no-speech", "--at", "2026-11-23T10:00",
              "--trace-json", str(trace)], "3\n", monkeypatch)
    out = capsys.readouterr().out
    assert rc == 0 and "press a key" in out and "queue 'sales'" in out
    data = json.loads(trace.read_text())
    assert data["kind"] == "queue" and data["variables"]["intent"] == "sales"
    assert [t["node"] for t in data["trace"] if t["kind"] == "enter"][-1] == "sales_q"


def test_try_var_override_and_http_error_branch(monkeypatch, capsys):
    rc = run(["ivr", "try", "order_status", "--var", "orders_api=http://127.0.0.1:9"], "12345678#\n", monkeypatch)
    out = capsys.readouterr().out
    assert rc == 0 and "Sorry, I cannot look up orders right now." in out and "queue 'support'" in out


def test_try_errors_are_one_clear_line(monkeypatch, capsys, tmp_path):
    assert run(["ivr", "try", "nope"], "", monkeypatch) == 2
    assert "no flow named 'nope'" in capsys.readouterr().err
    assert run(["ivr", "try", "support_en", "--at", "tomorrow"], "", monkeypatch) != 0
    bad = tmp_path / "b.yaml"
    bad.write_text("start: x\nnodes: {}\n")
    assert run(["ivr", "try", str(bad)], "", monkeypatch) == 1
    assert f"{bad}:2:8" in capsys.readouterr().err
    assert run(["ivr", "try", "support_en", "--var", "bad"], "", monkeypatch) == 2


@pytest.mark.parametrize("ext", ["svg", "png", "dot"])
def test_graph(tmp_path, capsys, ext):
    if ext != "dot" and shutil.which("dot") is None:
        pytest.skip("graphviz 'dot' not installed")
    out = tmp_path / f"flow.{ext}"
    assert main(["ivr", "graph", "support_en", "-o", str(out)]) == 0
    data = out.read_bytes()
    if ext == "svg":
        assert b"<svg" in data and b"main_menu" in data.replace(b"Main menu", b"main_menu")
    elif ext == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        text = data.decode()
        assert '"main_menu" -> "account" [label="1 / billing"]' in text
        assert '"hours" -> "after_hours" [label="closed", style=dashed' in text


def test_graph_bad_format(tmp_path, capsys):
    assert main(["ivr", "graph", "support_en", "-o", str(tmp_path / "x.gif")]) == 1
    assert "unsupported picture format 'gif'" in capsys.readouterr().err


def test_list(capsys):
    assert main(["ivr", "list"]) == 0
    out = capsys.readouterr().out
    assert "support_en" in out and "(default)" in out and "8000" in out and "order_status" in out


def test_try_speaks_prompts_to_wav_files(monkeypatch, capsys, tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    wav = tmp_path / "wav"
    rc = run(["ivr", "try", "support_zh", "--at", "2026-11-23T10:00", "--wav", str(wav)], "0\n", monkeypatch)
    out = capsys.readouterr().out
    assert rc == 0 and "prompt(s) spoken to" in out, out
    files = sorted(wav.glob("*.wav"))
    # one file per prompt spoken; a synthesis failure is reported in the session and does not stop it
    failed = out.count("(could not synthesize:")
    assert len(files) + failed == 3 and len(files) >= 1, out
    assert all(f.read_bytes()[:4] == b"RIFF" and f.stat().st_size > 1000 for f in files)


def test_validate_reads_queues_and_skills_from_the_database(tmp_path, capsys, config):
    import asyncio
    try:
        from callcenter.store import repo
        from callcenter.store.db import open_database
    except ImportError as exc:  # pragma: no cover
        pytest.skip(f"store not available: {exc}")
    (tmp_path / "data").mkdir(exist_ok=True)

    async def provision():
        db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'callcenter.db'}")
        try:
            async with db.session() as s:
                await repo.upsert_skill(s, "billing")
                await repo.upsert_queue(s, "support")
                await repo.upsert_queue(s, "billing")
        finally:
            await db.close()
    asyncio.run(provision())
    f = tmp_path / "q.yaml"
    f.write_text("start: q\nnodes:\n  q: {type: queue, queue: sales, skills: [billing, spanish]}\n")
    assert main(["ivr", "validate", str(f)]) == 1
    out = capsys.readouterr().out
    assert "unknown queue 'sales' (known: billing, support)" in out and "unknown skill 'spanish'" in out
    assert main(["ivr", "validate", str(f), "--no-db"]) == 0


def test_try_voicemail_saves_the_typed_message(monkeypatch, capsys, tmp_path):
    import re
    rc = run(["ivr", "try", "support_en", "--at", "2026-11-22T10:00"],
             "1\nHi, please call me back about my bill\n", monkeypatch)
    out = capsys.readouterr().out
    assert rc == 0 and "<beep>" in out and "== outcome: voicemail in mailbox support" in out
    saved = Path(re.search(r"message saved as ([^\s)]+)\)", out).group(1))
    assert "callcenter-try-" in str(saved) and saved.read_text().strip() == "Hi, please call me back about my bill"
    shutil.rmtree(saved.parents[2])


def test_shipped_flows_agree_with_the_shipped_demo_data(capsys):
    """A new user's first `callcenter db demo` + `ivr validate --strict` finds nothing wrong: every queue
    and skill a shipped flow names exists in the demo provisioning."""
    assert main(["db", "demo"]) == 0
    capsys.readouterr()
    rc = main(["ivr", "validate", "--strict"])
    err = capsys.readouterr().err
    assert "queues and skills not checked" not in err
    assert rc == 0 and "3 file(s) checked: 0 error(s), 0 warning(s)" in err, err


def test_a_language_tag_used_as_a_skill_is_explained(tmp_path, capsys):
    flow = tmp_path / "f.yaml"
    flow.write_text("flow: f\nstart: q\nnodes:\n  q:\n    type: queue\n    queue: support\n    skills: [lang_zh]\n")
    rc = main(["ivr", "validate", str(flow), "--queues", "support", "--skills", "billing,tech"])
    err = "".join(capsys.readouterr())
    assert rc == 1 and "f.yaml:7" in err and "'lang_zh' is a language tag" in err and "language:" in err
