"""Real-time scheduling of the live path (media.realtime_priority): the event loop's thread under SCHED_RR,
the live speech workers following it, batch work and new threads not; the RLIMIT_RTTIME guard; one
clear line without permission. Everything real-time runs in a short child process (never in the test
process itself), with the guard in place first and a timeout."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from callcenter.config import ConfigError, load_config
from callcenter.priority import RtThrottle, guard_limits, read_throttle, realtime_priority

ROOT = Path(__file__).resolve().parents[2]


def child(code: str, timeout: float = 90.0, prefix: tuple = ()) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([*prefix, sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=str(ROOT))


def _may_realtime() -> bool:
    r = child("""
        import resource, os
        resource.setrlimit(resource.RLIMIT_RTTIME, (100000, 400000))
        from callcenter.priority import set_realtime
        print(set_realtime(1) is None)
    """, timeout=30)
    return r.stdout.strip() == "True"


needs_rt = pytest.mark.skipif(not sys.platform.startswith("linux") or not _may_realtime(),
                              reason="SCHED_RR is not allowed here (needs root or CAP_SYS_NICE)")


def test_guard_limits_and_throttle_are_described():
    assert guard_limits(1000) == (1_000_000, 4_000_000)
    with pytest.raises(ValueError, match="media.realtime_guard_ms"):
        guard_limits(10)
    assert "5 % of each period kept" in RtThrottle(950000, 1000000).describe()
    assert "OFF" in RtThrottle(-1, 1000000).describe() and "media.realtime_guard_ms" in RtThrottle(-1, 1).describe()
    assert "unknown" in RtThrottle(None, None).describe()
    t = read_throttle()
    assert t.runtime_us is None or isinstance(t.runtime_us, int)


def test_config_keys_and_their_errors():
    cfg = load_config(None)
    assert (cfg.media.realtime_priority, cfg.media.realtime_guard_ms) == (1, 1000)
    with pytest.raises(ConfigError, match=r"media.realtime_priority' must be 0 \(off\) or 1..99, got 100"):
        load_config(None, overrides={"media.realtime_priority": 100})
    with pytest.raises(ConfigError, match="media.realtime_guard_ms' must be at least 50"):
        load_config(None, overrides={"media.realtime_guard_ms": 10})
    assert load_config(None, overrides={"media.realtime_priority": 0}).media.realtime_priority == 0


def test_the_test_process_itself_is_never_real_time():
    assert realtime_priority() == 0


@needs_rt
def test_the_loop_thread_is_real_time_and_what_it_starts_is_not():
    r = child("""
        import json, os, subprocess, sys, threading
        from callcenter.priority import apply_server_nice, apply_server_realtime, realtime_priority
        apply_server_nice(-10)
        got = {"applied": apply_server_realtime(1, 1000), "loop": realtime_priority()}
        t = threading.Thread(target=lambda: got.update(thread=realtime_priority(),
                                                       thread_nice=os.getpriority(os.PRIO_PROCESS, 0)))
        t.start(); t.join()
        out = subprocess.run([sys.executable, "-c", "import os; print(os.sched_getscheduler(0))"],
                             capture_output=True, text=True).stdout
        got["process_policy"] = int(out)
        print(json.dumps(got))
    """)
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got == {"applied": 1, "loop": 1, "thread": 0, "thread_nice": 0, "process_policy": os.SCHED_OTHER}


@needs_rt
def test_live_speech_workers_follow_the_loop_and_transcription_does_not():
    pytest.importorskip("pocketsphinx")
    r = child("""
        import json, threading
        from callcenter.priority import apply_server_nice, apply_server_realtime, realtime_priority
        apply_server_nice(-10)
        apply_server_realtime(1, 1000)
        from callcenter.speech.procpool import RecognitionWorkers
        pools = {}
        def make():                      # the speech service starts its pool in an executor thread
            pools["live"] = RecognitionWorkers(1).start(wait=120)
            pools["batch"] = RecognitionWorkers(1, live=False, nice=10, name="transcription").start(wait=120)
        t = threading.Thread(target=make); t.start(); t.join()
        try:
            got = {k: {x: p.status()[0][x] for x in ("realtime", "nice")} for k, p in pools.items()}
            got["pipe_threads"] = sorted({realtime_priority(t.native_id) for t in threading.enumerate()
                                          if t.name.startswith("speech-worker")})
        finally:
            for p in pools.values():
                p.close()
        print(json.dumps(got))
    """, timeout=240)
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["live"] == {"realtime": 1, "nice": -10}
    assert got["batch"] == {"realtime": 0, "nice": 0}
    assert got["pipe_threads"] == [0, 1]            # the live pool's pipe threads only


@needs_rt
def test_the_guard_takes_a_runaway_thread_off_real_time_then_gives_it_back():
    r = child("""
        import json, logging, time
        logging.basicConfig(level=logging.ERROR)
        from callcenter.priority import guard_fired, install_guard, realtime_priority, set_guard, set_realtime
        assert set_guard(100) is None
        install_guard("the test's loop", cooldown_s=0.5)
        assert set_realtime(1) is None
        t0 = time.monotonic()
        while not guard_fired and time.monotonic() - t0 < 3.0:
            pass                                        # a runaway loop (bounded: 3 s at most)
        got = {"fired_after": time.monotonic() - t0, "fired": len(guard_fired), "then": realtime_priority()}
        time.sleep(1.0)                                 # blocked: the cooldown passes
        got["later"] = realtime_priority()
        print(json.dumps(got))
    """, timeout=60)
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["fired"] >= 1 and got["then"] == 0 and got["later"] == 1, got
    assert got["fired_after"] < 2.5
    assert "a real-time thread used its media.realtime_guard_ms of CPU without blocking" in r.stderr


@pytest.mark.skipif(not shutil.which("setpriv"), reason="setpriv (util-linux) drops the capability")
def test_without_permission_one_clear_line_and_normal_priority():
    r = child("""
        import logging, os, resource
        resource.setrlimit(resource.RLIMIT_RTPRIO, (0, 0))
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
        from callcenter.priority import apply_server_realtime, realtime_priority
        print("applied", apply_server_realtime(1, 1000), realtime_priority())
    """, timeout=60, prefix=("setpriv", "--bounding-set", "-sys_nice", "--inh-caps", "-sys_nice"))
    assert "applied 0 0" in r.stdout, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if "media.realtime_priority" in ln]
    assert len(lines) == 1 and lines[0].startswith("INFO") and "not applied" in lines[0] \
        and "set media.realtime_priority: 0" in lines[0], r.stderr
