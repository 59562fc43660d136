"""``media.nice``: `callcenter serve` raises (or lowers) its own scheduling priority at start, and the
worker processes it starts inherit it; a step it may not take is said once, and the server runs on.
Each case runs in a child process, so the test run's own priority is left alone."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _child(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_the_server_and_the_processes_it_starts_take_the_step():
    r = _child("import logging, os, subprocess, sys\n"
               "logging.basicConfig(level=logging.INFO)\n"
               "from callcenter.priority import apply_server_nice\n"
               "now = apply_server_nice(3)\n"
               "child = subprocess.run([sys.executable, '-c', 'import os; print(os.getpriority(os.PRIO_PROCESS, 0))'],"
               " capture_output=True, text=True).stdout.strip()\n"
               "print(now, os.getpriority(os.PRIO_PROCESS, 0), child)")
    assert r.returncode == 0, r.stderr
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    want = min(19, mine + 3)
    assert r.stdout.split() == [str(want)] * 3
    assert f"live media path at niceness {want} (media.nice +3)" in r.stderr


@pytest.mark.skipif(os.getuid() != 0 and os.getpriority(os.PRIO_PROCESS, 0) == 0,
                    reason="needs root (to drop it) or a raised niceness to show a refused step")
def test_a_step_it_may_not_take_is_said_once_and_the_server_runs_on():
    r = _child("import logging, os\n"
               "if os.getuid() == 0:\n"
               "    os.setgid(65534); os.setuid(65534)         # an ordinary user: no CAP_SYS_NICE\n"
               "logging.basicConfig(level=logging.INFO)\n"
               "from callcenter.priority import apply_server_nice\n"
               "before = os.getpriority(os.PRIO_PROCESS, 0)\n"
               "print(before, apply_server_nice(-10))")
    assert r.returncode == 0, r.stderr
    before, now = r.stdout.split()
    assert before == now
    assert "media.nice -10 not applied (PermissionError" in r.stderr and "grant CAP_SYS_NICE" in r.stderr
    assert r.stderr.count("not applied") == 1
