"""The media benchmark's measuring tools: percentiles, the load printed with every figure, event-loop
stalls, CPU of the worker processes, reproducible CPU-bound neighbours (``--stress N``) and the event
loop's scheduling per row (niceness, SCHED_RR)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

#: CPU-bound neighbours running now (set by :class:`Stress`; printed with the load)
STRESS = {"n": 0}

#: a neighbour: spins at normal priority until its parent (the bench) is gone, so none outlives it
SPIN = ("import os, sys\nparent = int(sys.argv[1])\nwhile os.getppid() == parent:\n"
        "    for _ in range(200000):\n        pass\n")


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def load() -> str:
    """The machine's load average now, and the bench's own CPU-bound neighbours."""
    return f"load {os.getloadavg()[0]:.1f}" + (f", {STRESS['n']} CPU-bound neighbours" if STRESS["n"] else "")


class Stress:
    """``n`` CPU-bound neighbour processes at the normal policy and niceness 0 (whatever the bench runs
    at) for the ``with`` block, stopped after it; each also ends by itself when the bench is gone."""

    def __init__(self, n: int):
        self.n, self.procs = n, []

    def __enter__(self) -> "Stress":
        def normal() -> None:                  # in the child: niceness 0, normal policy
            os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
            os.setpriority(os.PRIO_PROCESS, 0, 0)
        for _ in range(self.n):
            self.procs.append(subprocess.Popen([sys.executable, "-c", SPIN, str(os.getpid())],
                                               preexec_fn=normal, stdin=subprocess.DEVNULL))
        STRESS["n"] = self.n
        if self.n:
            time.sleep(1.0)                      # they are running (the load average follows over a minute)
        return self

    def __exit__(self, *exc) -> None:
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()
        STRESS["n"] = 0


def set_row_sched(niceness: int | None, realtime: int) -> None:
    """The event loop's thread at ``niceness`` and, with ``realtime``, SCHED_RR at that priority
    (reset on fork: the threads it starts are normal), else the normal policy."""
    from callcenter.priority import realtime_priority, set_realtime
    if realtime and realtime_priority() != realtime:
        why = set_realtime(realtime)
        if why:
            raise SystemExit(f"media bench: SCHED_RR {realtime} refused ({why}); run with --realtime-priority 0")
    elif not realtime and realtime_priority():
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    if niceness is not None and niceness != os.getpriority(os.PRIO_PROCESS, 0):
        os.setpriority(os.PRIO_PROCESS, 0, niceness)


def cpu_of(rec) -> float:
    """CPU seconds of this process plus the recognizer's worker processes (from /proc)."""
    t = time.process_time()
    pool = getattr(rec, "pool", None)
    for pid in (pool.pids() if pool is not None else ()):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                f = fh.read().rsplit(")", 1)[1].split()
            t += (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return t


class LoopProbe:
    """Event-loop stalls: how late a ``period`` sleep wakes up (what every leg's 20 ms pacing feels)."""

    def __init__(self, period: float = 0.005):
        self.period, self.stalls, self._task = period, [], None

    async def _run(self):
        loop = asyncio.get_running_loop()
        while True:
            t = loop.time()
            await asyncio.sleep(self.period)
            self.stalls.append(loop.time() - t - self.period)

    def __enter__(self):
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc):
        self._task.cancel()

    def p(self, q):
        return pct(self.stalls, q) * 1000 if self.stalls else float("nan")

    def max(self):
        return max(self.stalls) * 1000 if self.stalls else float("nan")
