"""The StoreWriter: bus events -> event log, CDRs and agent state; bursts; no row lost on shutdown."""
from __future__ import annotations

import asyncio
import json

import pytest

from callcenter.events import DomainEvent, EventBus
from callcenter.store import repo
from callcenter.store.db import Database, open_database
from callcenter.store.writer import StoreWriter


def _call_events(i: int, t0: float) -> list[DomainEvent]:
    cid = f"burst-{i}"
    return [
        DomainEvent("CallArrived", t0, call_id=cid, data={"did": "100", "caller": f"555{i:04d}"}),
        DomainEvent("IvrNodeEntered", t0 + 1, call_id=cid, data={"node": "menu"}),
        DomainEvent("CallQueued", t0 + 2, call_id=cid, queue="support", data={"position": i}),
        DomainEvent("AgentOffered", t0 + 3, call_id=cid, queue="support", agent_id="alice"),
        DomainEvent("CallAnswered", t0 + 4, call_id=cid, queue="support", agent_id="alice"),
        DomainEvent("CallEnded", t0 + 60, call_id=cid, queue="support", agent_id="alice",
                    data={"cdr": {"caller": f"555{i:04d}", "did": "100", "arrived_at": t0, "queued_at": t0 + 2,
                                  "answered_at": t0 + 4, "ended_at": t0 + 60, "queue": "support",
                                  "agent": "alice", "disposition": "answered", "hold_s": 2.0, "talk_s": 56.0,
                                  "ivr_trace": [{"node": "menu", "digits": "1"}], "data": {"tags": {"a", "b"}}}}),
    ]


async def test_burst_of_200_calls_is_fully_stored(db):
    bus = EventBus()
    w = StoreWriter(db, bus, interval=0.05)
    await w.start()
    # 200 concurrent calls: their events interleave
    streams = [_call_events(i, 1000.0 + i * 0.01) for i in range(200)]
    for step in range(6):
        for ev in streams:
            bus.publish(ev[step])
        await asyncio.sleep(0)
    await w.stop()
    async with db.session() as s:
        c = await repo.counts(s)
        assert c["events"] == 1200 and c["calls"] == 200
        cdr = await repo.get_call(s, "burst-7")
        assert (cdr.disposition, cdr.talk_s, cdr.agent) == ("answered", 56.0, "alice")
        assert sorted(cdr.data["tags"]) == ["a", "b"]
        evs = await repo.list_events(s, call_id="burst-7")
        assert [e.event for e in evs] == ["CallArrived", "IvrNodeEntered", "CallQueued", "AgentOffered",
                                          "CallAnswered", "CallEnded"]
        assert "cdr" not in (evs[-1].data or {})
    assert w.status()["state"] == "ok" and w.pending == 0


async def test_agent_state_events_are_persisted(db):
    async with db.session() as s:
        await repo.upsert_agent(s, "alice", extension="2001")
    bus = EventBus()
    w = StoreWriter(db, bus, interval=0.05)
    await w.start()
    bus.publish(DomainEvent("AgentStateChanged", 50.0, agent_id="alice",
                            data={"state": "paused", "reason": "lunch", "interface": "PJSIP/2001"}))
    bus.publish(DomainEvent("AgentStateChanged", 51.0, agent_id="ghost", data={"state": "ready"}))
    await w.stop()
    async with db.session() as s:
        a = await repo.get_agent(s, "alice")
        assert (a.state, a.state_reason, a.login_interface, a.state_since) == ("paused", "lunch", "PJSIP/2001", 50.0)
        assert len(await repo.list_events(s, event="AgentStateChanged")) == 2   # the unknown one is logged too


async def test_unreachable_database_spills_to_file_and_reimports(tmp_path, db_url):
    bad = Database("sqlite+aiosqlite:////proc/no/such/dir/x.db")
    w = StoreWriter(bad, EventBus(), spill_dir=tmp_path, interval=0.05)
    w.log_event(1.0, "ENTERQUEUE", call_id="c1", queue="support", data={"pos": 1})
    w.write_cdr("c1", disposition="abandoned", queue="support")
    with pytest.raises(Exception):
        await w.flush()
    assert w.status()["state"] == "degraded"
    await w.stop()
    spill = tmp_path / "unsaved-events.jsonl"
    kinds = [json.loads(line)["kind"] for line in spill.read_text().splitlines()]
    assert kinds == ["event", "cdr"]
    await bad.close()
    # next start with a working database: the rows arrive
    db = await open_database(db_url)
    try:
        w2 = StoreWriter(db, EventBus(), spill_dir=tmp_path)
        await w2.start()
        await w2.stop()
        assert not spill.exists()
        async with db.session() as s:
            assert (await repo.get_call(s, "c1")).disposition == "abandoned"
            assert [e.event for e in await repo.list_events(s)] == ["ENTERQUEUE"]
    finally:
        await db.close()


async def test_bad_cdr_field_fails_at_the_caller(db):
    w = StoreWriter(db, EventBus())
    with pytest.raises(repo.RepoError, match="unknown CDR field"):
        w.write_cdr("c1", colour="red")


async def test_outage_beyond_max_pending_spills_and_recovers(tmp_path, monkeypatch):
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    try:
        w = StoreWriter(db, EventBus(), spill_dir=tmp_path, interval=0.02, max_pending=10)
        real_flush = w.flush
        outage = {"on": True}

        async def flaky_flush():
            if outage["on"]:
                raise ConnectionError("database went away")
            await real_flush()
        monkeypatch.setattr(w, "flush", flaky_flush)
        await w.start()
        for i in range(25):
            w.log_event(float(i), "CallQueued", call_id=f"c{i}")
        for _ in range(100):
            if (tmp_path / "unsaved-events.jsonl").exists():
                break
            await asyncio.sleep(0.02)
        assert (tmp_path / "unsaved-events.jsonl").exists() and w.pending == 0
        w.log_event(99.0, "CallQueued", call_id="late")
        outage["on"] = False
        for _ in range(200):
            if not (tmp_path / "unsaved-events.jsonl").exists() and w.pending == 0:
                break
            await asyncio.sleep(0.02)
        await w.stop()
        async with db.session() as s:
            assert len(await repo.list_events(s)) == 26          # nothing lost, nothing doubled
    finally:
        await db.close()
