#!/usr/bin/env python3
"""End-to-end benchmark: calls handled per second and engine CPU per call, on the Asterisk double.

Runs, in the same process and on the same double:

* **baseline**: N callers to a bare FastAGI handler that answers, plays one prompt and hangs up
  (the cost of the double, the sockets and the AGI codec: what any engine pays);
* **engine**: N callers through the whole server (IVR flow with a DTMF menu and an account number,
  ACD routing to 20 agents with mixed skills, ring + bridge through AMI, wrap-up, event log and CDRs
  written to SQLite, API and metrics subscribed).

and prints calls/s, process CPU per call, and engine CPU per call (engine minus baseline), with the
ratio engine/baseline. Usage: ``python bench/e2e_bench.py [--calls 400] [--concurrency 200]``.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.asterisk_double import AgentPhone, AsteriskDouble, Caller, Press  # noqa: E402
from callcenter.asterisk.agi_server import AgiServer  # noqa: E402


def scripts(i: int) -> list:
    k = i % 4
    if k == 0:
        return [Press("1"), Press(f"{100000 + i}#")]
    if k == 1:
        return [Press("2")]
    if k == 2:
        return [Press("3")]
    return [Press("1"), Press("4321#")]


async def run_calls(double: AsteriskDouble, port: int, n: int, concurrency: int) -> tuple[float, float, int]:
    sem = asyncio.Semaphore(concurrency)
    done = 0

    async def one(i: int) -> None:
        nonlocal done
        async with sem:
            c = Caller(script=scripts(i), caller_id=f"55{i:06d}", max_duration=300)
            await double.call(c, port, timeout=300)
            done += 1

    t0, c0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(i) for i in range(n)))
    return time.perf_counter() - t0, time.process_time() - c0, done


async def baseline(n: int, concurrency: int) -> tuple[float, float]:
    async with AsteriskDouble() as double:
        server = AgiServer("127.0.0.1", 0)

        async def handler(session) -> None:
            await session.command("ANSWER")
            await session.command("STREAM FILE", "hello-world", "")
            await session.command("HANGUP")
        server.route("ivr", handler)
        await server.start()
        wall, cpu, _ = await run_calls(double, server.bound_port, n, concurrency)
        await server.stop()
    return wall, cpu


async def engine(n: int, concurrency: int) -> tuple[float, float, dict]:
    from tests.e2e.conftest import Center
    with tempfile.TemporaryDirectory() as tmp:
        async with AsteriskDouble() as double:
            center = Center(Path(tmp), double, None, overrides={"acd.default_wrapup": 0.0})
            await center.provision()
            for ext in list(double.phones):
                double.phones[ext] = AgentPhone(ext, answer_after=0.01, talk_seconds=0.05)
            await center.start()
            for q in center.engine.queue_rows:
                center.engine.router.queues[q].cfg.wrapup = 0.0
            await center.login_agents()
            # warm the prompt cache (synthesis happens once per prompt, not per call)
            await run_calls(double, center.agi_port, 4, 4)
            await center.settle(30)
            cpu0 = center.engine.cpu_seconds
            wall, cpu, _ = await run_calls(double, center.agi_port, n, concurrency)
            await center.settle(60)
            cdrs = await center.cdrs()
            answered = sum(1 for c in cdrs if c["disposition"] == "answered") - 4
            info = {"answered": answered, "engine_cpu_counted": center.engine.cpu_seconds - cpu0}
            await center.close()
    return wall, cpu, info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=200)
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    b_wall, b_cpu = asyncio.run(baseline(args.calls, args.concurrency))
    e_wall, e_cpu, info = asyncio.run(engine(args.calls, args.concurrency))
    n = args.calls
    print(f"calls: {n}, concurrency: {args.concurrency}, answered by agents: {info['answered']}")
    print(f"{'':10s} {'calls/s':>10s} {'CPU ms/call':>12s}")
    print(f"{'baseline':10s} {n / b_wall:10.1f} {1000 * b_cpu / n:12.2f}   (bare AGI answer+play+hangup)")
    print(f"{'engine':10s} {n / e_wall:10.1f} {1000 * e_cpu / n:12.2f}   (IVR + ACD + ring/bridge + store)")
    print(f"engine CPU per call (engine - baseline): {1000 * (e_cpu - b_cpu) / n:.2f} ms "
          f"(an upper bound: the double's AMI side of ring/bridge is counted in it)")
    print(f"ratio engine/baseline: throughput x{(n / e_wall) / (n / b_wall):.2f}, CPU per call x{e_cpu / b_cpu:.2f}")
    if info["answered"] != n:
        print(f"WARNING: {n - info['answered']} call(s) not answered", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
