"""Provisioning with the CLI while the server runs: refused when the ACD would refuse it, applied live
(default ``acd.reload_interval``: 2 s), a removed queue's waiting call moved, not dropped."""
from __future__ import annotations

import asyncio
import io
import time
from contextlib import redirect_stderr, redirect_stdout

from tests.asterisk_double import AgentPhone, Caller, Press
from callcenter.cli import main


async def provision_cli(center, cfg, *argv: str) -> tuple[int, str, str]:
    """`callcenter -c CFG ...` on the server's database (another process would do the same)."""
    out, err = io.StringIO(), io.StringIO()

    def run() -> int:
        with redirect_stdout(out), redirect_stderr(err):
            return main(["-c", str(cfg), *argv])
    rc = await asyncio.to_thread(run)
    return rc, out.getvalue(), err.getvalue()


async def until(predicate, timeout: float) -> float:
    t0 = time.monotonic()
    while not predicate():
        assert time.monotonic() - t0 < timeout, "not applied in time"
        await asyncio.sleep(0.05)
    return time.monotonic() - t0


async def test_cli_provisioning_reaches_the_running_server(center, tmp_path):
    cfg = tmp_path / "cc.yaml"
    cfg.write_text(f"database:\n  url: {center.config.database_url}\n")
    engine = center.engine
    interval = center.config.acd.reload_interval

    rc, _, err = await provision_cli(center, cfg, "queue", "update", "billing", "--rule", "billing >= 9")
    assert rc == 1 and "queue 'billing', rule 1 'billing >= 9', column 12" in err
    rc, _, err = await provision_cli(center, cfg, "agent", "add", "zed", "--extension", "3999", "--skill", "billing=5",
                                     "--skill", "sales=1", "--language", "en-US", "--queue", "billing", "--queue",
                                     "support")
    assert rc == 0, err
    took = await until(lambda: "zed" in engine.agents, interval + 2)
    assert took <= interval + 1.0
    assert engine.agents["zed"].queues == {"billing": 0, "support": 0}
    assert engine.queue_rows["billing"]["rules"] == []              # the refused update changed nothing

    center.double.add_phone(AgentPhone("3999", answer_after=0.1, talk_seconds=0.5))
    await center.login_agents(["zed"])
    s = center.call(Caller(script=[Press("1"), Press("1234#")]))
    await center.wait_calls([s], 20)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["agent"] == "zed" and cdr["disposition"] == "answered"

    # a call waiting in sales (no member logged in) when sales is removed: to the fallback queue (it
    # keeps its skill requirement, sales >= 1, which zed has), answered there
    s = center.call(Caller(script=[Press("3")]))
    await until(lambda: any(c.queue == "sales" and c.state == "waiting" for c in engine.calls.values()), 10)
    rc, _, err = await provision_cli(center, cfg, "queue", "remove", "sales")
    assert rc == 0, err
    await center.wait_calls([s], interval + 15)
    await center.settle()
    cdr = next(c for c in await center.cdrs() if c["call_id"] != cdr["call_id"])
    assert cdr["disposition"] == "answered" and cdr["agent"] == "zed" and cdr["queue"] == "support"
    assert "sales" not in engine.queue_rows
    moved = await center.events("CallMoved")
    assert [(e["queue"], e["data"]["to"], e["data"]["reason"]) for e in moved] == [("sales", "support", "queue-removed")]
    reloads = await center.events("ProvisioningReloaded")
    assert any(e["data"]["queues_removed"] == ["sales"] for e in reloads)

    # the explicit trigger (admin): nothing left to apply
    st, body = await center.api("POST", "/api/provisioning/reload", token="tok-admin")
    assert st == 200 and body["queues_added"] == body["agents_removed"] == [] and body["errors"] == []
    st, _ = await center.api("POST", "/api/provisioning/reload", token="tok-sup")
    assert st == 403

    rc, _, err = await provision_cli(center, cfg, "agent", "remove", "zed")
    assert rc == 0, err
    await until(lambda: "zed" not in engine.agents, interval + 2)
    st, health = await center.api("GET", "/health", token=None)
    assert health["components"]["engine"]["state"] == "ok"
