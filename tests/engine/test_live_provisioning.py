"""Live provisioning: changes written to the store (as `callcenter agent/queue ...` and `provision import`
do) reach a running engine within ``acd.reload_interval``, keeping live state."""
from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text

from callcenter.engine.records import DbRecords
from callcenter.store import provision, repo
from callcenter.store.db import open_database

from .harness import Harness

RELOAD = 0.1        # acd.reload_interval of the harness
DOC = {
    "queues": [{"name": "support"},
               {"name": "billing", "rules": ["billing >= 4"]},
               {"name": "technical", "overflow": "billing"}],
    "agents": [{"name": "ann", "extension": "2100", "languages": ["en-US"], "skills": {"billing": 2},
                "queues": {"billing": 0, "support": 0}}],
}


async def database(tmp_path, doc=DOC):
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    async with db.session() as s:
        await provision.import_data(s, doc, "test")
    return db


async def write(db, fn) -> None:
    """One transaction, as one CLI command does."""
    async with db.session() as s:
        await fn(s)


async def ready(h: Harness, *agents: str) -> None:
    for a in agents:
        await h.engine.agent_login(a)
        await h.engine.agent_ready(a)


def answered_by(h: Harness, call_id: str) -> str | None:
    return next((e.agent_id for e in h.kinds("CallAnswered") if e.call_id == call_id), None)


async def test_skill_change_and_new_agent_reach_routing(tmp_path):
    db = await database(tmp_path)
    try:
        async with Harness(tmp_path, records=DbRecords(db)) as h:
            await ready(h, "ann")
            ch, task = h.call(["1"])                  # billing needs billing >= 4; ann has 2
            await asyncio.sleep(0.5)
            assert h.engine.calls[ch.info.call_id].state == "waiting"

            await write(db, lambda s: repo.set_agent_skills(s, "ann", {"billing": 5}, replace=False))
            took = await h.until(lambda: answered_by(h, ch.info.call_id) == "ann", 3 * RELOAD + 1)
            assert took < 3 * RELOAD + 0.5
            await asyncio.wait_for(task, 5)
            assert h.engine.agents["ann"].skills == {"billing": 5}

            await write(db, lambda s: repo.upsert_agent(s, "bob", extension="2101", skills={"tech": 3},
                                                        languages=["en-US"], queues={"technical": 0}))
            await h.until(lambda: "bob" in h.engine.agents, 3 * RELOAD + 1)
            assert h.engine.agents["bob"].state == "logged_out" and h.engine.agents["bob"].interface == "PJSIP/2101"
            await ready(h, "bob")
            ch2, task2 = h.call(["2"])
            await asyncio.wait_for(task2, 5)
            assert answered_by(h, ch2.info.call_id) == "bob"
            [ev] = [e for e in h.kinds("ProvisioningReloaded") if e.data["agents_added"]]
            assert ev.data["agents_added"] == ["bob"] and ev.data["revision"] >= 1
    finally:
        await db.close()


async def test_queue_rule_change_applies_to_the_calls_already_waiting(tmp_path):
    db = await database(tmp_path)
    try:
        async with Harness(tmp_path, records=DbRecords(db)) as h:
            await ready(h, "ann")
            ch, task = h.call(["1"])
            await asyncio.sleep(0.5)
            assert h.engine.calls[ch.info.call_id].state == "waiting"
            await write(db, lambda s: repo.upsert_queue(s, "billing", rules=["billing >= 2"],
                                                        strategy="best-skill", sl_target=30))
            await h.until(lambda: answered_by(h, ch.info.call_id) == "ann", 3 * RELOAD + 1)
            await asyncio.wait_for(task, 5)
            row = h.engine.queue_rows["billing"]
            assert row["strategy"] == "best-skill" and row["sl_target"] == 30
            assert any(e.data["queues_changed"] == ["billing"] for e in h.kinds("ProvisioningReloaded"))
            assert h.engine.agents["ann"].state in ("wrap_up", "ready")    # still logged in
    finally:
        await db.close()


async def test_removed_agents_leave_idle_or_after_their_call(tmp_path):
    doc = {**DOC, "agents": DOC["agents"] + [{"name": "bob", "extension": "2101", "queues": {"support": 0}}]}
    db = await database(tmp_path, doc)
    try:
        async with Harness(tmp_path, records=DbRecords(db)) as h:
            await ready(h, "ann", "bob")
            await write(db, lambda s: repo.remove_agent(s, "bob"))          # idle: logged out and gone
            await h.until(lambda: "bob" not in h.engine.agents, 3 * RELOAD + 1)
            assert [e.data["state"] for e in h.kinds("AgentStateChanged") if e.agent_id == "bob"][-1] == "logged_out"
            assert "PJSIP/2101" not in h.engine.state.ext_to_agent

            await write(db, lambda s: repo.set_agent_skills(s, "ann", {"billing": 4}))
            await h.until(lambda: h.engine.agents["ann"].skills == {"billing": 4}, 3 * RELOAD + 1)
            h.control.phone("PJSIP/2100").talk_seconds = 1.0
            ch, task = h.call(["1"])
            await h.until(lambda: h.engine.agents["ann"].state == "on_call", 3)
            await write(db, lambda s: repo.remove_agent(s, "ann"))          # on a call: finishes it first
            await asyncio.sleep(4 * RELOAD)
            assert h.engine.agents["ann"].state == "on_call" and h.engine.agents["ann"].queues == {}
            await asyncio.wait_for(task, 5)
            assert [e.data["cdr"]["disposition"] for e in h.kinds("CallEnded") if e.call_id == ch.info.call_id] \
                == ["answered"]
            await h.until(lambda: "ann" not in h.engine.agents, 2)
            assert h.engine.router.agents == {}
            assert any(e.data["agents_retiring"] == ["ann"] for e in h.kinds("ProvisioningReloaded"))
    finally:
        await db.close()


async def test_removing_a_queue_moves_its_waiting_calls(tmp_path):
    db = await database(tmp_path)
    try:
        async with Harness(tmp_path, records=DbRecords(db)) as h:
            ch, task = h.call(["2"])                  # technical (overflow: billing); nobody logged in
            await h.until(lambda: h.engine.calls.get(ch.info.call_id) and
                          h.engine.calls[ch.info.call_id].state == "waiting", 3)
            await write(db, lambda s: repo.remove_queue(s, "technical"))
            await h.until(lambda: h.engine.calls[ch.info.call_id].queue == "billing", 3 * RELOAD + 1)
            assert "technical" not in h.engine.queue_rows and "technical" not in h.engine.router.queues
            await write(db, lambda s: repo.remove_queue(s, "billing"))        # no overflow: the fallback
            await h.until(lambda: h.engine.calls[ch.info.call_id].queue == "support", 3 * RELOAD + 1)
            moved = [(e.data["queue"] if "queue" in e.data else e.queue, e.data["to"], e.data["reason"])
                     for e in h.kinds("CallMoved")]
            assert [m[1:] for m in moved] == [("billing", "queue-removed"), ("support", "queue-removed")]
            await ready(h, "ann")                     # still a support member
            await asyncio.wait_for(task, 5)
            assert answered_by(h, ch.info.call_id) == "ann"
            [ended] = [e for e in h.kinds("CallEnded") if e.call_id == ch.info.call_id]
            assert ended.data["cdr"]["disposition"] == "answered"
    finally:
        await db.close()


async def test_a_stored_row_the_acd_refuses_is_reported_not_dropped_silently(tmp_path, caplog):
    db = await database(tmp_path)
    async with db.engine.begin() as conn:             # written by an older version, before the checks
        await conn.execute(text("UPDATE queues SET rules = :r WHERE name = 'billing'"), {"r": '["WT < 30: billing >="]'})
    try:
        with caplog.at_level(logging.ERROR, logger="callcenter.engine"):
            async with Harness(tmp_path, records=DbRecords(db)) as h:
                st = h.engine.status()
                assert st["state"] == "degraded"
                [err] = st["provisioning_errors"]
                assert err.startswith("queue billing: queue 'billing', rule 1 'WT < 30: billing >=', column 20")
                assert "billing" not in h.engine.queue_rows and "support" in h.engine.queue_rows
                assert "queue billing not loaded" in caplog.text and "call engine starts without 1" in caplog.text
                # fixed with a checked write: loaded live, the engine is ok again
                await write(db, lambda s: repo.upsert_queue(s, "billing", rules=["any"]))
                await h.until(lambda: "billing" in h.engine.queue_rows, 3 * RELOAD + 1)
                assert h.engine.status()["state"] == "ok"
                assert h.engine.agents["ann"].queues == {"billing": 0, "support": 0}
    finally:
        await db.close()


async def test_explicit_reload_reports_what_changed(tmp_path):
    db = await database(tmp_path)
    try:
        async with Harness(tmp_path, records=DbRecords(db), overrides={"acd.reload_interval": 0}) as h:
            await write(db, lambda s: repo.upsert_queue(s, "sales", strategy="round-robin"))
            await asyncio.sleep(3 * RELOAD)
            assert "sales" not in h.engine.queue_rows        # no watcher with reload_interval 0
            res = await h.engine.reload_provisioning()
            assert res["queues_added"] == ["sales"] and res["agents_changed"] == [] and "sales" in h.engine.queue_rows
            assert (await h.engine.reload_provisioning())["queues_added"] == []
    finally:
        await db.close()
