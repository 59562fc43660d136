"""1,000 AudioSocket sessions opened and ended in every captured shape: no task, socket or leg left."""
from __future__ import annotations

import asyncio
import gc
import os

from callcenter.media.audiosocket import AudioSocketServer
from tests.asterisk_double.audiosocket import AsteriskAudioSocket


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def _one(srv: AudioSocketServer, i: int) -> str:
    pending = srv.expect(sample_rate=16000 if i % 2 else 8000)
    ast = await AsteriskAudioSocket("127.0.0.1", srv.bound_port, pending.uuid, rtp=i % 3 != 0).start()
    leg = await pending.wait(5.0)
    leg.play(b"\x01\x00" * 400)
    await asyncio.sleep(0.03)
    shape = i % 4
    if shape == 0:
        await leg.close("done")                       # our 0x00
    elif shape == 1:
        ast.caller_hangs_up()                         # EOF from Asterisk
    elif shape == 2:
        ast._finish("reset", reset=True)              # ECONNRESET
    else:
        ast._close_fin("timeout")                     # Asterisk's 2 s no-activity timeout: it closes
    await leg.wait_ended(5.0)
    await ast.wait(5.0)
    await ast.close()
    return leg.ended.by


async def test_thousand_sessions_leave_nothing_behind():
    async with AudioSocketServer("127.0.0.1:0") as srv:
        await asyncio.sleep(0)
        tasks0, fds0 = len(asyncio.all_tasks()), open_fds()
        ends: list[str] = []
        for batch in range(10):
            ends += await asyncio.gather(*(_one(srv, batch * 100 + i) for i in range(100)))
        await asyncio.sleep(0.1)
        gc.collect()
        assert len(ends) == 1000
        assert {k: ends.count(k) for k in set(ends)} == {"us": 250, "far": 500, "error": 250}
        assert srv.legs == {} and srv._pending == {} and srv._conns == set()
        assert srv.accepted == 1000
        assert not srv.clock.running                   # the shared writer stops with its last leg
        assert len(asyncio.all_tasks()) <= tasks0
        assert open_fds() <= fds0 + 2
