"""Scheduling priority of the live path (Linux niceness).

The live path (the server's event loop: AudioSocket pacing, voice detection, barge-in; and the speech
worker processes it starts, which inherit its niceness) must not wait behind batch work (analytics'
transcription at ``analytics.transcribe_nice``) nor, on a shared host, behind everything else: at a
load average of 8-10 on 2 cores a 35 ms decision took 100-500 ms of wall time at the default priority
(docs/media.md, "Measured"). ``media.nice`` is added to ``callcenter serve``'s niceness at start.

A negative step (a higher priority) needs CAP_SYS_NICE (root, or systemd ``AmbientCapabilities=
CAP_SYS_NICE``; systemd's own ``Nice=`` does the same from outside) or an ``RLIMIT_NICE`` that allows
it; without, the server says so once and runs at its current priority.
"""
from __future__ import annotations

import logging
import os

log = logging.getLogger("callcenter.priority")


def renice(delta: int) -> str | None:
    """Add ``delta`` to the calling process's niceness (on Linux: the calling thread's, which the
    threads and processes it starts afterwards inherit). Returns why it could not, or None."""
    if not delta:
        return None
    try:
        os.setpriority(os.PRIO_PROCESS, 0, max(-20, min(19, os.getpriority(os.PRIO_PROCESS, 0) + int(delta))))
    except (AttributeError, OSError) as exc:
        return f"{type(exc).__name__}: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)
    return None


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
    return now
