"""The App wiring in-process: components, /health aggregation, graceful stop flushing pending writes."""
from __future__ import annotations

import asyncio

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.app import App, StartupError, component_state
from callcenter.commands.agent import parse_queue, parse_skill
from callcenter.config import load_config
from callcenter.events import DomainEvent
from callcenter.store import repo
from callcenter.store.db import Database
from callcenter.store.migrate import head_revision


def make_config(tmp_path, **over):
    overrides = {"data_dir": str(tmp_path / "data"), "http.port": 0, "database.load_demo": False, **over}
    return load_config(None, env={}, overrides=overrides)


class FakeComponent:
    def __init__(self, state="ok", fail=None):
        self.state, self.fail, self.calls = state, fail, []

    async def start(self):
        self.calls.append("start")
        if self.fail:
            raise self.fail

    async def stop(self):
        self.calls.append("stop")

    def status(self):
        return {"state": self.state}


class StubbornComponent(FakeComponent):
    async def stop(self):
        self.calls.append("stop")
        for _ in range(3):                # ignores the first cancellations: shutdown must still finish
            try:
                await asyncio.sleep(2)
            except asyncio.CancelledError:
                pass


async def start_app(tmp_path, specs=(), comps=None, **over):
    app = App(make_config(tmp_path, **over), component_specs=list(specs))
    for name, c in (comps or {}).items():
        app.add_component(name, c)
    task = asyncio.create_task(app.run(install_signals=False))
    for _ in range(200):
        if app.http_address and "http" in app.started and len(app.started) >= 2 + len(comps or {}):
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return app, task


async def http_get(app, path):
    host, port = app.http_address
    async with aiohttp.ClientSession() as s:
        async with s.get(f"http://{host}:{port}{path}") as r:
            return r.status, await r.json()


async def test_health_aggregates_components_and_stop_is_ordered(tmp_path):
    a, b = FakeComponent(), FakeComponent(state="degraded")
    app, task = await start_app(tmp_path, comps={"a": a, "b": b})
    status, health = await http_get(app, "/health")
    assert status == 200
    assert health["status"] == "degraded" and health["problems"] == ["b"]
    assert health["components"]["database"]["state"] == "ok"
    assert (await http_get(app, "/version"))[1]["schema"] == head_revision()
    b.state = "ok"
    assert (await http_get(app, "/health"))[1]["status"] == "ok"
    app.request_stop()
    await asyncio.wait_for(task, 10)
    assert a.calls == b.calls == ["start", "stop"]


async def test_absent_essential_component_is_degraded(tmp_path):
    app, task = await start_app(tmp_path, specs=[("asterisk", "callcenter.no_such_module:Service")])
    health = (await http_get(app, "/health"))[1]
    assert health["components"]["asterisk"]["state"] == "absent"
    assert health["status"] == "degraded"
    app.request_stop()
    await asyncio.wait_for(task, 10)


async def test_stop_flushes_pending_events_and_survives_a_stuck_component(tmp_path, monkeypatch):
    import callcenter.app as appmod
    monkeypatch.setattr(appmod, "STOP_TIMEOUT", 0.5)
    stuck = StubbornComponent()
    app, task = await start_app(tmp_path, comps={"stuck": stuck})
    app.writer.interval = 60           # nothing is flushed before the stop
    await asyncio.sleep(0.3)
    for i in range(300):
        app.bus.publish(DomainEvent("CallQueued", 1000.0 + i, call_id=f"c{i}", queue="support"))
    app.bus.publish(DomainEvent("CallEnded", 2000.0, call_id="c1", data={"cdr": {"disposition": "abandoned"}}))
    assert app.writer.pending > 0
    app.request_stop()
    await asyncio.wait_for(task, 10)
    db = Database(app.config.database_url)
    try:
        async with db.session() as s:
            assert (await repo.counts(s))["events"] == 301
            assert (await repo.get_call(s, "c1")).disposition == "abandoned"
    finally:
        await db.close()


async def test_failing_component_is_one_line_startup_error(tmp_path):
    app = App(make_config(tmp_path), component_specs=[])
    app.add_component("asterisk", FakeComponent(fail=OSError(98, "Address already in use")))
    with pytest.raises(StartupError, match=r"^asterisk: address already in use"):
        await app.run(install_signals=False)


async def test_first_run_loads_demo_once(tmp_path):
    app, task = await start_app(tmp_path, **{"database.load_demo": True})
    app.request_stop()
    await asyncio.wait_for(task, 10)
    db = Database(app.config.database_url)
    try:
        async with db.session() as s:
            await repo.remove_agent(s, "alice")
    finally:
        await db.close()
    app, task = await start_app(tmp_path, **{"database.load_demo": True})
    app.request_stop()
    await asyncio.wait_for(task, 10)
    db = Database(app.config.database_url)
    try:
        async with db.session() as s:
            assert await repo.get_agent(s, "alice") is None        # not re-imported over user data
            assert await repo.get_agent(s, "bob") is not None
    finally:
        await db.close()


def test_component_state_normalization():
    assert component_state({"state": "down"}) == "down"
    assert component_state({"ok": False}) == "degraded"
    assert component_state({"connected": True}) == "ok"
    assert component_state({}) == "ok"


@given(st.text(max_size=20))
def test_cli_value_parsers_accept_or_reject_cleanly(text):
    import argparse
    for parse in (parse_skill, parse_queue):
        try:
            name, n = parse(text)
        except argparse.ArgumentTypeError as exc:
            assert repr(text) in str(exc) or text == ""
        else:
            assert name and isinstance(n, int)


async def test_login_gives_a_token_the_api_accepts(tmp_path):
    app, task = await start_app(tmp_path, **{"database.load_demo": True, "api.token_ttl": 600})
    host, port = app.http_address
    base = f"http://{host}:{port}"
    try:
        async with aiohttp.ClientSession() as s:
            async with s.post(base + "/auth/login", json={"username": "admin", "password": "wrong"}) as r:
                assert r.status == 401
                assert await r.json() == {"error": "unknown user or wrong password", "field": "password"}
            async with s.post(base + "/auth/login", data=b"not json") as r:
                assert r.status == 400 and (await r.json())["field"] == "body"
            async with s.post(base + "/auth/login", json={"username": "admin"}) as r:
                assert r.status == 400 and (await r.json())["field"] == "password"
            async with s.post(base + "/auth/login", json={"username": "alice", "password": "alice"}) as r:
                doc = await r.json()
                assert r.status == 200 and doc["role"] == "agent" and doc["agent"] == "alice"
                assert doc["expires_at"] > app.clock.now()
            token = doc["token"]
            async with s.get(base + "/api/me", headers={"Authorization": f"Bearer {token}"}) as r:
                if r.status != 404:          # the REST API is mounted: the database token works there
                    assert r.status == 200 and (await r.json())["user"] == "alice"
            async with s.post(base + "/auth/logout", headers={"Authorization": f"Bearer {token}"}) as r:
                assert (await r.json())["revoked"] is True
            async with s.get(base + "/api/me", headers={"Authorization": f"Bearer {token}"}) as r:
                assert r.status in (401, 404)
    finally:
        app.request_stop()
        await asyncio.wait_for(task, 10)
