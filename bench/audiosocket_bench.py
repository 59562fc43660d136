#!/usr/bin/env python3
"""AudioSocket writer pacing and session hygiene.

* **pacing**: N concurrent legs, each playing prompts back to back for ``--seconds``; Asterisk's side
  (the double's ``AsteriskAudioSocket``, sending 50 frames/s of caller audio like a phone) runs in a
  **separate process**, so the server process does only what the engine does. Reported: the writer's
  inter-frame interval (p50/p95/p99/max, at the moment each frame is handed to the socket), the same at
  the receiver (what Asterisk would see), frames sent against the ideal ``elapsed / 20 ms`` (drift), how
  often the clock had to re-anchor after a stall, and the server's CPU. ``--burn K`` adds K busy-loop
  processes (contention for the cores, as on a loaded host).
* **sessions**: ``--sessions M`` AudioSocket sessions opened and ended in the captured shapes
  (our 0x00, EOF from Asterisk, ECONNRESET): asyncio tasks and open file descriptors before
  and after, and legs left in the registry.

Usage: ``python bench/audiosocket_bench.py [--legs 100] [--seconds 10] [--burn 1] [--sessions 1000]``
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.media.audiosocket import AudioSocketServer  # noqa: E402
from tests.asterisk_double.audiosocket import AsteriskAudioSocket  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else float("nan")


def summary(gaps: list[float]) -> dict:
    return {"n": len(gaps), "p50": round(pct(gaps, 50), 2), "p95": round(pct(gaps, 95), 2),
            "p99": round(pct(gaps, 99), 2), "max": round(max(gaps), 2) if gaps else None,
            "min": round(min(gaps), 2) if gaps else None}


# -- Asterisk's side, in its own process -----------------------------------------------------------------
def _asterisk_side(port: int, uuids: list[str], seconds: float, out: "mp.Queue") -> None:
    async def main() -> None:
        socks = [await AsteriskAudioSocket("127.0.0.1", port, u, inactivity_timeout=10).start() for u in uuids]
        await asyncio.sleep(seconds + 1.0)
        gaps = [g for s in socks for g in s.gaps_ms()[50:]]        # skip the first second
        out.put(summary(gaps))
        for s in socks:
            await s.close()
    asyncio.run(main())


def _burn(stop_at: float) -> None:
    x = 0
    while time.time() < stop_at:
        x += 1


async def pacing(legs: int, seconds: float, burn: int) -> dict:
    import uuid as _uuid
    async with AudioSocketServer("127.0.0.1:0") as srv:
        uuids = [str(_uuid.uuid4()) for _ in range(legs)]
        pend = [srv.expect(u) for u in uuids]
        q: mp.Queue = mp.Queue()
        child = mp.Process(target=_asterisk_side, args=(srv.bound_port, uuids, seconds, q))
        child.start()
        burners = [mp.Process(target=_burn, args=(time.time() + seconds + 3,)) for _ in range(burn)]
        for b in burners:
            b.start()
        got = [await p.wait(30) for p in pend]

        async def drain(leg):                                   # the IVR reads every frame
            async for _ in leg.events():
                pass
        drains = [asyncio.ensure_future(drain(leg)) for leg in got]
        prompt = b"\x10\x00" * 8000                             # 2 s of audio per play()
        for leg in got:
            leg.write_times = []
        cpu0, t0 = time.process_time(), time.monotonic()
        end = t0 + seconds
        while time.monotonic() < end:
            for leg in got:
                if not leg.playing:
                    leg.play(prompt)
            await asyncio.sleep(0.1)
        elapsed, cpu = time.monotonic() - t0, time.process_time() - cpu0
        gaps = [(b - a) * 1000 for leg in got for a, b in zip(leg.write_times, leg.write_times[1:])]
        sent = [len(leg.write_times) for leg in got]
        ideal = elapsed / 0.02
        recv = await asyncio.get_running_loop().run_in_executor(None, q.get, True, seconds + 30)
        for leg in got:
            await leg.close()
        await asyncio.gather(*drains)
        child.join(30)
        for b in burners:
            b.join(10)
        return {"legs": legs, "seconds": round(elapsed, 2), "burn_processes": burn,
                "writer_interframe_ms": summary(gaps), "receiver_interarrival_ms": recv,
                "frames_per_leg_vs_ideal": round(statistics.mean(sent) / ideal, 4),
                "clock_reanchored": srv.clock.schedule.reanchored,
                "server_cpu_percent_of_one_core": round(100 * cpu / elapsed, 1)}


async def sessions(n: int) -> dict:
    async with AudioSocketServer("127.0.0.1:0") as srv:
        await asyncio.sleep(0)
        tasks0, fds0 = len(asyncio.all_tasks()), len(os.listdir("/proc/self/fd"))
        t0 = time.monotonic()
        ends: dict[str, int] = {}

        async def one(i: int) -> None:
            pending = srv.expect(sample_rate=16000 if i % 2 else 8000)
            ast = await AsteriskAudioSocket("127.0.0.1", srv.bound_port, pending.uuid).start()
            leg = await pending.wait(10)
            leg.play(b"\x00\x01" * 800)
            await asyncio.sleep(0.04)
            shape = i % 3
            if shape == 0:
                await leg.close()                             # our 0x00
            elif shape == 1:
                ast.caller_hangs_up()                         # EOF from Asterisk
            else:
                ast._finish("reset", reset=True)              # ECONNRESET
            ended = await leg.wait_ended(10)
            ends[ended.by] = ends.get(ended.by, 0) + 1
            await ast.wait(10)
            await ast.close()
        for start in range(0, n, 100):
            await asyncio.gather(*(one(i) for i in range(start, min(n, start + 100))))
        await asyncio.sleep(0.2)
        return {"sessions": n, "seconds": round(time.monotonic() - t0, 2), "ended_by": ends,
                "tasks_before": tasks0, "tasks_after": len(asyncio.all_tasks()),
                "fds_before": fds0, "fds_after": len(os.listdir("/proc/self/fd")),
                "legs_left": len(srv.legs), "pending_left": len(srv._pending),
                "connections_left": len(srv._conns), "clock_running": srv.clock.running,
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--legs", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--burn", type=int, default=0, help="busy-loop processes competing for the cores")
    ap.add_argument("--sessions", type=int, default=1000)
    args = ap.parse_args()
    out = {}
    if args.legs:
        out["pacing"] = asyncio.run(pacing(args.legs, args.seconds, args.burn))
    if args.sessions:
        out["sessions"] = asyncio.run(sessions(args.sessions))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
