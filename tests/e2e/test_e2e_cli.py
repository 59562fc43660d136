"""The CLI against the running server (through its API): queue show/watch, agent verbs, calls, report."""
from __future__ import annotations

import asyncio
import csv
import io
import json
from contextlib import redirect_stderr, redirect_stdout

from tests.asterisk_double import Caller, Press
from callcenter.cli import main


async def cli(center, *argv: str, token: str = "tok-sup") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()

    def run() -> int:
        with redirect_stdout(out), redirect_stderr(err):
            return main([*argv[:2], *argv[2:], "--url", center.url, "--token", token]
                        if argv[0] in ("queue", "agent") else [*argv, "--url", center.url, "--token", token])
    rc = await asyncio.to_thread(run)
    return rc, out.getvalue(), err.getvalue()


async def test_cli_agent_queue_calls_report(center):
    rc, out, _ = await cli(center, "agent", "login", "a00", "--phone", "PJSIP/3000")
    assert rc == 0 and "a00: paused (login)" in out and "PJSIP/3000" in out
    rc, out, _ = await cli(center, "agent", "ready", "a00")
    assert rc == 0 and "a00: ready" in out
    rc, out, _ = await cli(center, "agent", "pause", "a00", "--reason", "coffee")
    assert rc == 0 and "paused (coffee)" in out
    rc, out, _ = await cli(center, "agent", "status")
    assert rc == 0 and "a00" in out and "coffee" in out and "STATE" in out

    center.double.phone("3000").talk_seconds = 2.0
    s = center.call(Caller(script=[Press("1"), Press("1234#")], caller_id="5559876"))
    # the call has left the IVR and waits in billing (a00 is paused): what queue show and calls report
    await center.double.wait_for(lambda: any(c.state == "waiting" and c.queue == "billing"
                                             for c in center.engine.calls.values()), 30, 0.05)
    rc, out, _ = await cli(center, "queue", "show", "billing")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].startswith("billing has 1 calls (max unlimited) in 'best-skill' strategy")
    assert "(paused:coffee was" in out and "Callers: " in out and "1. PJSIP/caller-" in out
    rc, out, _ = await cli(center, "calls")
    assert rc == 0 and "5559876" in out and "waiting" in out and "1 call(s) in progress" in out
    rc, out, _ = await cli(center, "queue", "watch", "--count", "2", "--interval", "0.1", "--clear")
    assert rc == 0 and out.count("\x1b[H\x1b[2J") == 2 and "QUEUE" in out and "billing" in out

    rc, out, _ = await cli(center, "agent", "ready", "a00")
    await center.wait_calls([s], 20)
    await center.settle()
    rc, out, _ = await cli(center, "report", "--from=-1h", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rc == 0 and rows and rows[0]["queue"] == "billing" and rows[0]["answered"] == "1"
    rc, out, _ = await cli(center, "report", "--from=-1h", "--by", "agent", "--bucket", "15m", "--format", "json")
    data = json.loads(out)
    assert rc == 0 and data["by"] == "agent"
    # one line per agent and 15-minute interval: the test may cross an interval's end (a CI run did),
    # so the pause and the answer can sit in two lines of a00
    mine = [x for x in data["lines"] if x["agent"] == "a00"]
    assert sum(x["answered"] for x in mine) == 1
    assert sum(x["pause_by_reason"].get("coffee", 0) for x in mine) > 0
    rc, out, _ = await cli(center, "agent", "logout", "a00")
    assert rc == 0 and "logged_out" in out


async def test_cli_errors_are_one_line(center):
    rc, out, err = await cli(center, "agent", "ready", "nobody")
    assert rc == 1 and err.startswith("callcenter: POST /api/agents/nobody/ready: 404 no agent 'nobody'")
    rc, out, err = await cli(center, "queue", "show", token="bad")
    assert rc == 1 and "401" in err and "CALLCENTER_TOKEN" in err
    rc, out, err = await cli(center, "calls", "move", "no-such-call", "sales")
    assert rc == 1 and "404" in err


async def test_offline_report_reads_the_database(center, tmp_path):
    await center.login_agents(["a01"])
    s = center.call(Caller(script=[Press("2")]))
    await center.wait_calls([s], 20)
    await center.settle()
    cfg = tmp_path / "cc.yaml"
    cfg.write_text(f"database:\n  url: {center.config.database_url}\n")
    out = io.StringIO()

    def run() -> int:
        with redirect_stdout(out):
            return main(["-c", str(cfg), "report", "--offline", "--from=-1h", "--format", "json"])
    assert await asyncio.to_thread(run) == 0
    data = json.loads(out.getvalue())
    [line] = data["lines"]
    assert line["queue"] == "technical" and line["answered"] == 1 and line["offered"] == 1


async def test_login_stores_a_token_the_cli_then_uses(center, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv("CALLCENTER_TOKEN", raising=False)

    async def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()

        def go() -> int:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
            with redirect_stdout(out), redirect_stderr(err):
                return main([*argv, "--url", center.url])
        rc = await asyncio.to_thread(go)
        return rc, out.getvalue(), err.getvalue()

    rc, out, err = await run("agent", "status")
    assert rc == 1 and "401" in err and "callcenter login" in err
    rc, out, err = await run("login", "boss", stdin="wrong\n")
    assert rc == 1 and "401 unknown user or wrong password" in err
    rc, out, err = await run("login", "boss", stdin="boss-pw\n")
    assert rc == 0 and f"logged in to {center.url} as boss (role supervisor" in out, err
    token_file = tmp_path / "cfg" / "callcenter" / "tokens.json"
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert (token_file.parent.stat().st_mode & 0o777) == 0o700
    token = json.loads(token_file.read_text())[center.url]["token"]
    assert token and token not in out
    rc, out, err = await run("agent", "status")             # no --token, no CALLCENTER_TOKEN: the stored one
    assert rc == 0 and "a00" in out, err
    rc, out, err = await run("logout")
    assert rc == 0 and f"logged out of {center.url}" in out
    assert center.url not in json.loads(token_file.read_text())
    st, _ = await center.api("GET", "/api/me", token=token)  # revoked on the server too
    assert st == 401
    rc, out, err = await run("logout")
    assert rc == 0 and "not logged in" in out


async def test_spy_from_the_cli(center):
    rc, out, err = await cli(center, "agent", "spy", "a00", "--mode", "whisper", "--phone", "PJSIP/3019")
    assert rc == 1 and "409" in err and "not on a call" in err
    center.double.phone("3000").talk_seconds = 2.0
    await center.login_agents(["a00"])
    s = center.call(Caller(script=[Press("1"), Press("1234#")]))
    await center.double.wait_for(lambda: center.engine.agents["a00"].state == "on_call", 10, 0.02)
    rc, out, err = await cli(center, "agent", "spy", "a00", "--mode", "whisper", "--phone", "PJSIP/3019")
    assert rc == 0 and "PJSIP/3019 is ringing: answer it to whisper on a00's call" in out, err
    await center.double.wait_for(lambda: any(a.get("Application") == "ChanSpy" and a.get("Data", "").endswith(",qwE")
                                             for a in center.double.actions_named("Originate")), 5)
    await center.wait_calls([s], 20)
