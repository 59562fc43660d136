"""The `callcenter` command: every verb and action has --help; provisioning from the CLI round-trips."""
from __future__ import annotations

import argparse
import json

import pytest
import yaml

from callcenter.cli import build_parser, main


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, path + (name,))


ALL_COMMANDS = list(_walk(build_parser()))


def test_top_level_help_lists_the_verbs(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for verb in ("serve", "config", "db", "agent", "skill", "queue", "provision"):
        assert f"    {verb}" in out


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "callcenter")
def test_every_command_has_help(path, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*path, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: callcenter") and len(out.splitlines()) >= 3


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for k in list(__import__("os").environ):
        if k.startswith("CALLCENTER_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("CALLCENTER_DATA_DIR", str(tmp_path / "data"))

    def run(*argv: str) -> tuple[int, str, str]:
        rc = main(list(argv))
        out = capsys.readouterr()
        return rc, out.out, out.err
    return run


def test_provisioning_from_the_cli(cli, tmp_path):
    assert cli("skill", "add", "billing", "-d", "Invoices")[0] == 0
    assert cli("queue", "add", "sales", "--strategy", "round-robin")[0] == 0
    rc, out, err = cli("queue", "add", "support", "--strategy", "best-skill", "--sl", "20", "--max-wait", "300",
                       "--overflow", "sales", "--rule", "WT < 30: billing >= 4 & lang_en", "--rule", "any")
    assert rc == 0, err
    rc, out, err = cli("agent", "add", "alice", "--extension", "2001", "--skill", "billing=4", "--skill", "tech=2",
                       "--language", "en-US", "--language", "zh-CN", "--queue", "support", "--queue", "sales:2")
    assert rc == 0, err
    assert "PJSIP/2001" in out
    rc, out, _ = cli("agent", "show", "alice", "--json")
    a = json.loads(out)
    assert a["skills"] == {"billing": 4, "tech": 2} and a["queues"] == {"sales": 2, "support": 0}
    assert a["languages"] == ["en-US", "zh-CN"]
    rc, out, _ = cli("queue", "list", "--json")
    q = {x["name"]: x for x in json.loads(out)}
    assert q["support"]["rules"] == ["WT < 30: billing >= 4 & lang_en", "any"]
    assert q["support"]["members"] == {"alice": 0} and q["support"]["overflow"] == "sales"
    rc, out, _ = cli("agent", "update", "alice", "--skill", "tech=5", "--remove-queue", "sales")
    assert rc == 0
    a = json.loads(cli("agent", "show", "alice", "--json")[1])
    assert a["skills"] == {"billing": 4, "tech": 5} and a["queues"] == {"support": 0}
    assert "alice" in cli("agent", "list")[1]
    assert "billing" in cli("skill", "list")[1]

    # export -> import into a second database -> same export
    export = tmp_path / "export.yaml"
    assert cli("provision", "export", "-o", str(export))[0] == 0
    doc = yaml.safe_load(export.read_text())
    assert [x["name"] for x in doc["agents"]] == ["alice"]
    import os
    os.environ["CALLCENTER_DATA_DIR"] = str(tmp_path / "data2")
    rc, out, err = cli("provision", "import", str(export))
    assert rc == 0, err
    assert cli("provision", "export")[1] == export.read_text()

    assert cli("queue", "member", "remove", "support", "alice")[0] == 0
    assert cli("agent", "remove", "alice")[0] == 0
    assert "alice" not in cli("agent", "list")[1]


@pytest.mark.parametrize("argv,pattern", [
    (["agent", "show", "nobody"], "no agent named 'nobody'"),
    (["agent", "add", "x", "--queue", "nowhere"], "no queue named 'nowhere'"),
    (["queue", "add", "q", "--overflow", "ghost"], "overflow target 'ghost' is not a queue"),
    (["skill", "remove", "ghost"], "no skill named 'ghost'"),
])
def test_cli_errors_are_one_line(cli, argv, pattern):
    rc, out, err = cli(*argv)
    assert rc == 1
    assert err.count("\n") == 1 and pattern in err and err.startswith("callcenter: error:")


@pytest.mark.parametrize("argv", [
    ["agent", "add", "x", "--skill", "billing=9"],
    ["agent", "add", "x", "--skill", "billing"],
    ["agent", "add", "x", "--queue", "support:-1"],
    ["queue", "add", "q", "--strategy", "fastest"],
])
def test_bad_arguments_are_usage_errors(cli, argv):
    with pytest.raises(SystemExit) as exc:
        cli(*argv)
    assert exc.value.code == 2


def test_provision_import_error_and_dry_run(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents:\n  - name: bob\n    skills: {billing: 9}\n")
    rc, _, err = cli("provision", "import", str(bad))
    assert rc == 1 and f"{bad}:3: agent 'bob'" in err
    good = tmp_path / "good.yaml"
    good.write_text("skills: [billing]\nqueues:\n  - {name: support}\n")
    rc, out, _ = cli("provision", "import", str(good), "--dry-run")
    assert rc == 0 and "would apply" in out
    assert json.loads(cli("queue", "list", "--json")[1]) == []
    assert cli("provision", "import", str(good))[0] == 0
    assert [q["name"] for q in json.loads(cli("queue", "list", "--json")[1])] == ["support"]


def test_cli_queue_add_with_a_bad_rule_exits_1_and_stores_nothing(cli):
    rc, out, err = cli("queue", "add", "support", "--rule", "WT < 30: billing >= 4", "--rule", "WT < : any")
    assert rc == 1 and out == ""
    assert err == "callcenter: error: queue 'support', rule 2 'WT < : any', column 6: expected a number of seconds\n"
    assert json.loads(cli("queue", "list", "--json")[1]) == []
    assert cli("queue", "add", "support", "--rule", "any")[0] == 0
    rc, _, err = cli("queue", "update", "support", "--rule", "billing >=")
    assert rc == 1 and "queue 'support', rule 1 'billing >='" in err
    [q] = json.loads(cli("queue", "list", "--json")[1])
    assert q["rules"] == ["any"]


def test_cli_import_with_one_bad_queue_exits_1_and_stores_nothing(cli, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("queues:\n  - name: support\n  - name: sales\n    rules: ['WT < 30 billing']\n")
    rc, _, err = cli("provision", "import", str(f))
    assert rc == 1 and err.startswith(f"callcenter: error: {f}:4: queue 'sales', rule 1 'WT < 30 billing', column 1")
    assert json.loads(cli("queue", "list", "--json")[1]) == []


def test_db_verbs(cli):
    rc, out, _ = cli("db", "current")
    assert rc == 0 and "(none)" in out
    rc, out, _ = cli("db", "upgrade")
    assert rc == 0 and "-> 0002" in out or "->" in out
    rc, out, _ = cli("db", "current")
    assert "up to date" in out
    assert "0001" in cli("db", "history")[1]
    rc, out, _ = cli("db", "demo")
    assert rc == 0 and "admin/admin" in out
    assert "zh_support" in cli("queue", "list")[1]


def test_db_unreachable_is_one_line(cli, monkeypatch):
    monkeypatch.setenv("CALLCENTER_DATABASE_URL", "postgresql://cc:hunter2@127.0.0.1:1/x")
    rc, _, err = cli("agent", "list")
    assert rc == 1 and err.startswith("callcenter: cannot open database") and "hunter2" not in err


def test_config_verbs(cli, tmp_path, monkeypatch):
    rc, out, _ = cli("config", "show")
    assert rc == 0 and "http:" in out
    monkeypatch.setenv("CALLCENTER_AMI", "cc:hunter2@pbx:5038")
    monkeypatch.setenv("CALLCENTER_DATABASE_URL", "postgresql://u:pw123@db/cc")
    out = cli("config", "show", "--json")[1]
    assert "hunter2" not in out and "pw123" not in out
    assert "http:" in cli("config", "defaults")[1]
    assert "CALLCENTER_HTTP__PORT" in cli("config", "env")[1]
    bad = tmp_path / "bad.yaml"
    bad.write_text("http:\n  prot: 1\n")
    rc, _, err = cli("config", "check", str(bad))
    assert rc == 2 and f"{bad}:2: unknown key 'http.prot'" in err


def test_users_and_tokens_from_the_cli(cli, monkeypatch):
    import asyncio
    import io
    assert cli("agent", "add", "alice", "--extension", "2001")[0] == 0
    rc, out, err = cli("provision", "user", "add", "alice", "--role", "agent", "--agent", "alice", "--password", "pw")
    assert rc == 0 and "agent alice" in out, err
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))          # password from a pipe
    assert cli("provision", "user", "add", "boss", "--role", "supervisor")[0] == 0
    users = {u["username"]: u for u in json.loads(cli("provision", "user", "list", "--json")[1])}
    assert users["boss"]["role"] == "supervisor" and users["alice"]["agent"] == "alice"
    rc, out, _ = cli("provision", "token", "boss", "--ttl", "60")
    token = out.strip()
    assert rc == 0 and token.startswith("cc_")

    from callcenter.config import load_config
    from callcenter.store import repo
    from callcenter.store.db import Database

    async def check():
        db = Database(load_config().database_url)
        try:
            async with db.session() as s:
                assert (await repo.user_for_token(s, token)).username == "boss"
                assert await repo.authenticate(s, "boss", "s3cret") is not None
        finally:
            await db.close()
    asyncio.run(check())
    assert cli("provision", "user", "remove", "boss")[0] == 0
    assert cli("provision", "token", "boss")[0] == 1
