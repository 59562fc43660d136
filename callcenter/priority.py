"""Scheduling priority of the live path: Linux niceness, and real-time scheduling (SCHED_RR).

The live path (the server's event loop: AudioSocket pacing, voice detection, barge-in; and the speech
worker processes that decide live answers) must not wait behind batch work (analytics' transcription
at ``analytics.transcribe_nice``) nor, on a shared host, behind everything else.

**Niceness** (``media.nice``, added to ``callcenter serve``'s niceness at start; the threads and
processes started afterwards inherit it) helps while the host is moderately busy, but a niced thread
still shares the CPU with every runnable process: with CPU-bound neighbours it waits its turn
(docs/media.md, "Measured").

**Real-time scheduling** (``media.realtime_priority``), as Asterisk's ``-p`` and FreeSWITCH's ``-rp``
do: the event loop's thread runs under ``SCHED_RR`` at that (low) real-time priority, so it runs the
moment it has work, ahead of every normal process; the live speech workers follow it
(:class:`~callcenter.speech.procpool.RecognitionWorkers`), batch work does not:

* the loop's thread is set with ``SCHED_RESET_ON_FORK``: every thread and process it starts afterwards
  (executor threads, analytics' transcription processes, sox) starts at the normal policy; the live
  workers and their pipe threads ask for real time themselves;
* **the guard against a runaway real-time thread**: ``RLIMIT_RTTIME`` (CPU time a real-time thread
  may use without blocking) is set to ``media.realtime_guard_ms``; past it the kernel sends SIGXCPU
  and :func:`install_guard` puts every real-time thread of the process back to the normal policy for
  a cooldown of 5 s (logged as an error); the hard limit (four times the soft one) kills a process
  whose thread spins in C code and never reaches the Python handler (a speech worker is then
  restarted by its pool); The kernel's
  own throttle (``/proc/sys/kernel/sched_rt_runtime_us`` of ``sched_rt_period_us``: 950000 of
  1000000 by default, i.e. 5 % of each second is kept for normal processes) is logged at start.

Both need CAP_SYS_NICE (root, or systemd ``AmbientCapabilities=CAP_SYS_NICE``) or an ``RLIMIT_NICE`` /
``RLIMIT_RTPRIO`` that allows them; without, the server says so once and runs at its normal priority.
"""
from __future__ import annotations

import logging
import os

log = logging.getLogger("callcenter.priority")

#: the configuration keys (named in messages)
RT_KEY, GUARD_KEY = "media.realtime_priority", "media.realtime_guard_ms"
_RT_POLICIES = {getattr(os, "SCHED_RR", -1), getattr(os, "SCHED_FIFO", -1)}


def renice(delta: int) -> str | None:
    """Add ``delta`` to the calling process's niceness (on Linux: the calling thread's, which the
    threads and processes it starts afterwards inherit). Returns why it could not, or None."""
    if not delta:
        return None
    return set_niceness(os.getpriority(os.PRIO_PROCESS, 0) + int(delta)) if hasattr(os, "getpriority") \
        else "os.setpriority is not available on this system"


def set_niceness(value: int) -> str | None:
    """The calling thread at niceness ``value`` (clamped to -20..19). Returns why it could not, or None."""
    try:
        want = max(-20, min(19, int(value)))
        if os.getpriority(os.PRIO_PROCESS, 0) != want:
            os.setpriority(os.PRIO_PROCESS, 0, want)
    except (AttributeError, OSError) as exc:
        return _why(exc)
    return None


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)


#: the live path's scheduling as ``callcenter serve`` set it at start (the live speech worker pools
#: follow it, whichever thread creates them): niceness (None: not set), real-time priority, guard
LIVE: dict = {"niceness": None, "realtime": 0, "guard_ms": 1000}


def live_niceness() -> int:
    """The live path's niceness (``media.nice`` applied), else the calling thread's."""
    return LIVE["niceness"] if LIVE["niceness"] is not None else os.getpriority(os.PRIO_PROCESS, 0)


def apply_server_nice(delta: int, key: str = "media.nice") -> int:
    """``callcenter serve``'s start: ``delta`` added (before any thread or worker process exists);
    returns the niceness the server runs at. Not allowed: logged once (info: the server works, only
    without the priority), naming the key."""
    why = renice(delta)
    now = os.getpriority(os.PRIO_PROCESS, 0) if hasattr(os, "getpriority") else 0
    if why:
        log.info("%s %+d not applied (%s): the live media path runs at niceness %d; grant CAP_SYS_NICE "
                 "or set %s: 0", key, delta, why, now, key)
    elif delta:
        log.info("live media path at niceness %d (%s %+d)", now, key, delta)
    LIVE["niceness"] = now
    return now


# -- real time: the pure part ------------------------------------------------------------------------

class RtThrottle:
    """The kernel's real-time throttle: real-time tasks may run ``runtime_us`` of every ``period_us``
    (``runtime_us`` -1: no throttle; None: not readable). A plain class: this module is imported
    where little of the standard library may be readable (a server dropped to another user)."""

    def __init__(self, runtime_us: int | None, period_us: int | None):
        self.runtime_us, self.period_us = runtime_us, period_us

    def describe(self) -> str:
        if self.runtime_us is None or self.period_us is None:
            return "the kernel's real-time throttle is unknown (no /proc/sys/kernel/sched_rt_runtime_us)"
        if self.runtime_us < 0:
            return ("the kernel's real-time throttle is OFF (sched_rt_runtime_us -1): only "
                    f"{GUARD_KEY} guards against a runaway real-time thread")
        share = 100.0 * (self.period_us - self.runtime_us) / self.period_us if self.period_us else 0.0
        return (f"kernel real-time throttle sched_rt_runtime_us {self.runtime_us} of sched_rt_period_us "
                f"{self.period_us} ({share:.0f} % of each period kept for normal processes)")


def guard_limits(guard_ms: int) -> tuple[int, int]:
    """``RLIMIT_RTTIME`` (soft, hard) in microseconds for ``media.realtime_guard_ms``: SIGXCPU at the
    soft limit (the handler drops real time), SIGKILL at the hard one (four times as long: a thread
    spinning in C code, where the Python handler cannot run)."""
    if guard_ms < 50:
        raise ValueError(f"{GUARD_KEY} must be at least 50 ms, got {guard_ms}")
    return int(guard_ms) * 1000, int(guard_ms) * 4000


def check_priority(priority: int, key: str = RT_KEY) -> int:
    if not 0 <= int(priority) <= 99:
        raise ValueError(f"{key} must be 0 (off) or a real-time priority 1..99, got {priority}")
    return int(priority)


def realtime_problem(media: dict) -> str | None:
    """What is wrong with the ``media`` section's real-time keys (None: nothing), for the config check."""
    for key, ok, what in (("realtime_priority", 0 <= media["realtime_priority"] <= 99, "0 (off) or 1..99"),
                          ("realtime_guard_ms", media["realtime_guard_ms"] >= 50, "at least 50 (ms)")):
        if not ok:
            return f"key 'media.{key}' must be {what}, got {media[key]}"
    return None


# -- real time: the system calls ---------------------------------------------------------------------

def read_throttle(folder: str = "/proc/sys/kernel") -> RtThrottle:
    def one(name: str) -> int | None:
        try:
            with open(os.path.join(folder, name)) as fh:
                return int(fh.read().strip())
        except (OSError, ValueError):
            return None
    return RtThrottle(one("sched_rt_runtime_us"), one("sched_rt_period_us"))


def realtime_priority(tid: int = 0) -> int:
    """The real-time priority of thread ``tid`` (0: the calling one); 0 when it is not real-time."""
    try:
        if os.sched_getscheduler(tid) & ~getattr(os, "SCHED_RESET_ON_FORK", 0) in _RT_POLICIES:
            return os.sched_getparam(tid).sched_priority
    except (AttributeError, OSError):
        pass
    return 0


def set_realtime(priority: int, *, reset_on_fork: bool = True, tid: int = 0) -> str | None:
    """Thread ``tid`` (0: the calling one) under SCHED_RR at ``priority``; with ``reset_on_fork`` the
    threads and processes it starts afterwards start at the normal policy (and a niceness >= 0).
    Returns why it could not, or None."""
    try:
        flags = os.SCHED_RR | (os.SCHED_RESET_ON_FORK if reset_on_fork else 0)
        os.sched_setscheduler(tid, flags, os.sched_param(check_priority(priority)))
    except (AttributeError, OSError, ValueError) as exc:
        why = _why(exc)
        if isinstance(exc, PermissionError):
            why += (" (needs root or CAP_SYS_NICE, or an RLIMIT_RTPRIO >= the priority; in a cgroup v1 "
                    "cpu group also a cpu.rt_runtime_us > 0)")
        return why
    return None


def set_guard(guard_ms: int) -> str | None:
    """``RLIMIT_RTTIME`` of this process from ``media.realtime_guard_ms`` (see :func:`guard_limits`);
    never raised above the hard limit already in place. Returns why it could not, or None."""
    try:
        import resource
        soft, hard = guard_limits(guard_ms)
        _, cur_hard = resource.getrlimit(resource.RLIMIT_RTTIME)
        if cur_hard != resource.RLIM_INFINITY:
            hard = min(hard, cur_hard)
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_RTTIME, (soft, hard))
    except (AttributeError, ImportError, OSError, ValueError) as exc:
        return _why(exc)
    return None


def drop_realtime() -> dict[int, tuple[int, int]]:
    """Every real-time thread of this process back to the normal policy; returns what each had
    (thread id -> (policy with its flags, priority)) for :func:`restore_realtime`."""
    saved = {}
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        tids = [0]
    for tid in tids:
        try:
            prio = realtime_priority(tid)
            if prio:
                saved[tid] = (os.sched_getscheduler(tid), prio)
                os.sched_setscheduler(tid, os.SCHED_OTHER, os.sched_param(0))
        except OSError:
            pass                                   # the thread ended meanwhile
    return saved


def restore_realtime(saved: dict[int, tuple[int, int]]) -> int:
    """The threads of ``saved`` (still alive) back to their real-time policy; returns how many."""
    n = 0
    for tid, (policy, prio) in saved.items():
        try:
            os.sched_setscheduler(tid, policy, os.sched_param(prio))
            n += 1
        except OSError:
            pass
    return n


#: what the guard did in this process: one line per time it fired (read by the bench and tests)
guard_fired: list[str] = []


def install_guard(who: str, logger: logging.Logger | None = None, cooldown_s: float = 5.0) -> None:
    """SIGXCPU (the soft ``RLIMIT_RTTIME``: a real-time thread ran ``media.realtime_guard_ms`` without
    blocking) puts every real-time thread of this process back to the normal policy for ``cooldown_s``
    seconds, then back to real time (a runaway thread thus gets at most one guard's worth of real-time
    CPU per cooldown); logged as an error naming ``who`` the first time, then counted. Call from the
    main thread (Python runs the handler there, between bytecodes: also inside a runaway Python loop)."""
    import signal
    import threading
    out = logger or log

    def fired(_sig, _frame) -> None:
        saved = drop_realtime()
        guard_fired.append(f"{who}: {len(saved)} thread(s) off real time")
        if len(guard_fired) == 1:
            out.error("%s: a real-time thread used its %s of CPU without blocking (a runaway loop, or more "
                      "live work than a core); %d thread(s) at the normal policy for %g s each time (said "
                      "once)", who, GUARD_KEY, len(saved), cooldown_s)
        if saved:
            t = threading.Timer(cooldown_s, restore_realtime, (saved,))
            t.daemon = True
            t.start()
    signal.signal(signal.SIGXCPU, fired)


def apply_server_realtime(priority: int, guard_ms: int, key: str = RT_KEY) -> int:
    """``callcenter serve``'s start (in the event loop's thread, before it starts any other): the
    guard first, then SCHED_RR at ``priority`` (0: off). Returns the priority in force (0: none);
    refused: one info line naming the key, and the server runs at its normal priority."""
    if not priority:
        return 0
    throttle = read_throttle()
    why = set_guard(guard_ms)
    if why:
        log.info("%s %d not applied: the guard (RLIMIT_RTTIME from %s) could not be set (%s); the live "
                 "media path runs at the normal policy", key, priority, GUARD_KEY, why)
        return 0
    install_guard("the server's event loop")
    why = set_realtime(priority)
    if why:
        log.info("%s %d not applied (%s): the live media path runs at the normal policy (niceness %d); "
                 "grant CAP_SYS_NICE or set %s: 0", key, priority, why, os.getpriority(os.PRIO_PROCESS, 0), key)
        return 0
    log.info("live media path under SCHED_RR priority %d (%s): event loop and live speech workers; guard "
             "%s %d ms (RLIMIT_RTTIME); %s", priority, key, GUARD_KEY, guard_ms, throttle.describe())
    LIVE.update(realtime=priority, guard_ms=guard_ms)
    return priority
