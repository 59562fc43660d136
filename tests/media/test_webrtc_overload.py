"""Refusing new web callers when the server cannot keep up (webrtc.max_calls_per_core, webrtc.overload_*):
the pure guard on an injected clock, then a server on loopback whose event loop is made late on purpose."""
from __future__ import annotations

import asyncio
import json
import time

import pytest

from callcenter.config import ConfigError, load_config
from callcenter.media.webrtc_client import PeerClient
from callcenter.media.webrtc_overload import OverloadGuard, OverloadSettings

from .test_webrtc_cli import run_cli
from .webrtc_helpers import Server


def guard(**kw) -> OverloadGuard:
    return OverloadGuard(OverloadSettings(**{"lag_ms": 200, "seconds": 2.0, "max_calls_per_core": 0, **kw}))


def test_a_loop_late_for_the_whole_window_is_overload_and_on_time_as_long_recovers():
    g = guard()
    t = 100.0
    changes = []
    for _ in range(7):                         # late by 300 ms every 0.25 s for 1.5 s: not yet
        t += 0.25
        changes.append(g.observe_lag(t, 0.3))
    assert not g.overloaded and g.admit(0) is None and set(changes) == {None}
    for _ in range(3):
        t += 0.25
        changes.append(g.observe_lag(t, 0.3))
    assert g.overloaded and True in changes
    refusal = g.admit(0)
    assert refusal.reason == "lag" and "overload_lag_ms" in refusal.message and "300 ms" in refusal.message
    t += 0.25
    assert g.observe_lag(t, 0.01) is None and g.overloaded        # on time once: still overloaded
    for _ in range(8):
        t += 0.25
        last = g.observe_lag(t, 0.01)
    assert last is False and not g.overloaded and g.admit(0) is None
    assert g.refused == {"calls": 0, "lag": 1} and g.admitted == 2


def test_one_stall_is_not_overload():
    g = guard()
    assert g.observe_lag(10.0, 6.0) is None                   # the loop blocked 6 s once (a model loading)
    assert g.observe_lag(10.25, 0.001) is None and not g.overloaded
    for i in range(1, 8):                                     # late, but not on every sample
        g.observe_lag(10.25 + i * 0.5, 0.5 if i % 2 else 0.0)
    assert not g.overloaded


def test_calls_per_core_limit_counts_the_cores():
    g = guard(max_calls_per_core=1.5, cores=4)
    assert g.settings.max_calls == 6
    assert g.admit(5) is None
    refusal = g.admit(6)
    assert refusal.reason == "calls" and "limit is 6" in refusal.message and "max_calls_per_core" in refusal.message
    assert guard(max_calls_per_core=0).admit(10_000) is None  # 0: no limit


def test_config_keys_are_checked(tmp_path):
    cfg = load_config(env={"CALLCENTER_WEBRTC__CORES": "3"}, overrides={"data_dir": str(tmp_path)})
    assert cfg.webrtc.cores == 3 and cfg.webrtc.max_calls_per_core == 8 and cfg.webrtc.overload_lag_ms == 500
    with pytest.raises(ConfigError, match="webrtc.overload_seconds"):
        load_config(env={}, overrides={"data_dir": str(tmp_path), "webrtc.overload_seconds": -1})
    with pytest.raises(ConfigError, match="webrtc.cores"):
        load_config(env={}, overrides={"data_dir": str(tmp_path), "webrtc.cores": -1})


async def _offer(s: Server) -> tuple[PeerClient, int, dict, dict]:
    c = PeerClient(8000)
    s.clients.append(c)
    async with s.http.post(s.url + "/webrtc/call", json=await c.offer()) as r:
        return c, r.status, await r.json(), dict(r.headers)


async def _metric(s: Server, name: str) -> str:
    async with s.http.get(s.url + "/metrics") as r:
        return "\n".join(ln for ln in (await r.text()).splitlines() if ln.startswith(name))


async def test_the_limit_refuses_a_new_caller_busy_and_leaves_the_call_in_progress(tmp_path):
    async with Server(tmp_path, **{"webrtc.max_calls_per_core": 1, "webrtc.cores": 1}) as s:
        first, answer = await s.call()
        c, status, body, headers = await _offer(s)
        assert status == 503 and body["busy"] is True and body["retry_after"] == 30 and headers["Retry-After"] == "30"
        assert "1 web calls in progress, the limit is 1" in body["error"]
        assert len(s.webrtc.gateway.sessions) == 1                # nothing was created for the refused caller
        assert 'callcenter_web_calls_refused_total{reason="calls"} 1.0' in await _metric(s, "callcenter_web_calls")
        leg = s.webrtc.gateway.get(answer["session"])
        assert leg.ended is None and not first.ended.is_set()     # the call in progress goes on
        assert await first.wait_message("prompt", 30) is not None
        first.press("1")                                          # ... and the IVR still takes its keys
        heard = await first.wait_message("heard", 30)
        assert heard is not None and heard["digits"] == "1"
        await first.hangup()
        end = time.monotonic() + 30
        while s.webrtc.calls.tasks and time.monotonic() < end:
            await asyncio.sleep(0.05)
        c2, status, body, _ = await _offer(s)
        assert status == 200, body                                # room again: the next caller is taken


async def test_a_late_event_loop_refuses_new_callers_but_not_agents_phones(tmp_path):
    over = {"webrtc.overload_lag_ms": 100, "webrtc.overload_seconds": 0.5}
    async with Server(tmp_path, **over) as s:
        phone = await s.agent_phone("alice", "tok-alice")
        stop = asyncio.Event()

        async def hog():                      # a CPU-bound neighbour in the loop: 150 ms blocks, back to back
            while not stop.is_set():
                time.sleep(0.15)
                await asyncio.sleep(0)

        task = asyncio.ensure_future(hog())
        try:
            end = time.monotonic() + 60
            while not s.webrtc.guard.overloaded and time.monotonic() < end:
                await asyncio.sleep(0.05)
            assert s.webrtc.guard.overloaded
            c, status, body, _ = await _offer(s)
        finally:
            stop.set()
            await task
        assert status == 503 and body["busy"] and "overloaded" in body["error"] and "overload_lag_ms" in body["error"]
        assert 'callcenter_web_calls_refused_total{reason="lag"} 1.0' in await _metric(s, "callcenter_web_calls")
        assert not phone.ended.is_set() and "Browser/alice" in s.webrtc.phones.lines   # the agent's phone stays
        events = await _events(s, "WebCallRefused")
        assert events and events[-1]["data"]["reason"] == "lag"
        end = time.monotonic() + 60                               # on time again: recovered
        while s.webrtc.guard.overloaded and time.monotonic() < end:
            await asyncio.sleep(0.05)
        c, status, body, _ = await _offer(s)
        assert status == 200, body


async def _events(s: Server, kind: str) -> list[dict]:
    from callcenter.store import repo
    await s.app.writer.flush()
    async with s.app.db.session() as db:
        return [repo.event_to_dict(e) for e in await repo.list_events(db, event=kind, limit=None)]


async def test_callcenter_call_says_busy_and_exits_5(tmp_path):
    async with Server(tmp_path, **{"webrtc.max_calls_per_core": 1, "webrtc.cores": 1}) as s:
        await s.call()
        rc, out = await run_cli("--url", s.url, "--no-recognize", "--timeout", "20")
        assert rc == 5, out
        assert "busy, please try later (in 30 s)" in out and "exit 5" in out
        rc, out = await run_cli("--url", s.url, "--no-recognize", "--json", "--timeout", "20")
        report = json.loads(out)
        assert rc == 5 and report["busy"] is True and report["retry_after"] == 30 and report["exit_code"] == 5
