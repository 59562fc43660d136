"""Nothing leaks after many web calls through the engine (tasks, sockets, peer connections, sessions).

The suite runs ``CALLCENTER_WEBRTC_LEAK_CALLS`` calls (default 60); the figure in the README comes from
``CALLCENTER_WEBRTC_LEAK_CALLS=1000``. Calls end three ways in turn: the page hangs up while the IVR
speaks, the page hangs up while waiting in a queue, the browser vanishes (no goodbye)."""
from __future__ import annotations

import asyncio
import gc
import os

from aiortc import RTCPeerConnection

from callcenter.media.webrtc_client import PeerClient

from .webrtc_helpers import Server

CALLS = int(os.environ.get("CALLCENTER_WEBRTC_LEAK_CALLS", "60"))
BATCH = 10


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def peer_connections() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, RTCPeerConnection))


async def one_call(s: Server, i: int) -> None:
    c = PeerClient()
    st, answer = await s.post("/webrtc/call", await c.offer())
    assert st == 200, answer
    await c.accept(answer)
    await asyncio.wait_for(c.opened.wait(), 10)
    kind = i % 3
    if kind == 0:
        await c.wait_message("prompt", 10)
        await c.hangup()
    elif kind == 1:
        await c.wait_message("prompt", 10)
        c.press("3")
        await c.wait_message("status", 20)          # waiting in sales (on a loaded machine it may take a while)
        await c.hangup()
    else:
        await c.wait_message("prompt", 10)
        await c.close()                         # vanished: the server finds out by itself


async def test_no_leak_after_many_calls(tmp_path):
    async with Server(tmp_path, **{"webrtc.media_timeout": 1.0, "webrtc.max_sessions": 1000}) as s:
        events: list = []
        s.app.bus.subscribe(lambda e: e.kind == "CallEnded" and events.append(e))
        # warm up: prompt cache, first imports, and as many keep-alive HTTP connections as a batch opens
        await asyncio.gather(*(one_call(s, 1) for _ in range(BATCH)))
        await asyncio.sleep(3.0)
        base_tasks, base_fds, base_pcs = len(asyncio.all_tasks()), fds(), peer_connections()
        for start in range(0, CALLS, BATCH):
            await asyncio.gather(*(one_call(s, i) for i in range(start, min(CALLS, start + BATCH))))
        loop = asyncio.get_running_loop()
        end = loop.time() + 15
        while (s.webrtc.gateway.sessions or s.engine.calls or len(events) < CALLS + BATCH) and loop.time() < end:
            await asyncio.sleep(0.2)
        end = loop.time() + 15                    # peer connections closing (DTLS, ICE) finish on their own
        while (len(asyncio.all_tasks()) > base_tasks + 2 or fds() > base_fds + 4) and loop.time() < end:
            await asyncio.sleep(0.2)
        tasks, open_fds, pcs = len(asyncio.all_tasks()), fds(), peer_connections()
        report = (f"after {CALLS} calls: tasks {base_tasks}->{tasks}, fds {base_fds}->{open_fds}, "
                  f"peer connections {base_pcs}->{pcs}, sessions {len(s.webrtc.gateway.sessions)}, "
                  f"engine calls {len(s.engine.calls)}, calls ended {len(events)}")
        print(report)
        assert not s.webrtc.gateway.sessions and not s.engine.calls, report
        assert len(events) == CALLS + BATCH, report
        assert tasks <= base_tasks + 2, report
        assert open_fds <= base_fds + 4, report
        assert pcs <= base_pcs, report
        dispositions = {e.data["cdr"]["disposition"] for e in events}
        assert dispositions <= {"ivr-only", "abandoned"}, dispositions
