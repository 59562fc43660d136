"""Refusing NEW web callers when the server cannot keep up (``webrtc.overload_*``, ``webrtc.max_calls_per_core``).

A WebRTC call costs the server real-time work every 20 ms (decode, resample, pace, encode, and through
Asterisk two AudioSocket legs as well). When the event loop falls behind, every call in progress suffers
(late frames, browsers' ICE consent checks answered late, agents' phones dropped); taking more calls then
makes it worse for everybody. So a new web caller is refused, cleanly, when

* the event loop has been late by more than ``webrtc.overload_lag_ms`` for ``webrtc.overload_seconds``
  (it is considered recovered once it has been on time for as long again), or
* ``webrtc.max_calls_per_core`` x cores web calls are already in progress (cores: ``webrtc.cores``, or the
  machine's when 0; ``max_calls_per_core`` 0 = no limit).

Calls in progress and signed-in agents' browser phones are never touched: only the offer of a new web caller
is refused (HTTP 503 ``{"busy": true, "retry_after"}`` and a ``Retry-After`` header; the caller page says
"busy, please try later"; ``callcenter call`` prints it and exits with status 5).

:class:`OverloadGuard` is the pure core (time passed in); :class:`LagMonitor` the asyncio adapter that
measures how late the loop runs a timer and feeds the guard.
"""
from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from typing import Any, Callable

log = logging.getLogger("callcenter.media.webrtc")

@dataclass(frozen=True)
class OverloadSettings:
    lag_ms: float = 500.0              # the event loop this late ...
    seconds: float = 5.0               # ... for this long: overloaded (and on time this long: recovered)
    max_calls_per_core: float = 8.0    # web calls in progress per core (0: no limit)
    cores: int = 0                     # 0: os.cpu_count()
    retry_after: float = 30.0          # what a refused caller is told (seconds)
    interval: float = 0.25             # how often the loop's lag is measured

    @classmethod
    def from_config(cls, section: Any) -> "OverloadSettings":
        return cls(lag_ms=float(section.overload_lag_ms), seconds=float(section.overload_seconds),
                   max_calls_per_core=float(section.max_calls_per_core), cores=section.cores,
                   retry_after=float(section.overload_retry_after))

    @property
    def max_calls(self) -> int | None:
        """Web calls in progress allowed at once (None: no limit)."""
        if self.max_calls_per_core <= 0:
            return None
        return max(1, int(self.max_calls_per_core * (self.cores or os.cpu_count() or 1)))


@dataclass(frozen=True)
class Refusal:
    reason: str         # "calls" (the per-core limit) or "lag" (the event loop late)
    message: str
    retry_after: float


class OverloadGuard:
    """Whether a new web caller may come in, from the event loop's lag samples and the calls in progress.

    Every lag sample (seconds) over the threshold from ``now`` back to the first of a run for ``seconds``:
    overloaded, until the samples have been on time for ``seconds``. A single stall (one late sample, e.g.
    a model loaded at start) is not overload: the load has to last."""

    def __init__(self, settings: OverloadSettings | None = None) -> None:
        self.settings = settings or OverloadSettings()
        self.overloaded = False
        self.lag = 0.0                      # the last sample (s)
        self._late_since: float | None = None
        self._on_time_since: float | None = None
        self.refused = {"calls": 0, "lag": 0}
        self.admitted = 0

    def observe_lag(self, now: float, lag: float) -> bool | None:
        """One lag sample; returns the new state when it changed (True: overloaded, False: recovered)."""
        self.lag = lag
        limit, hold = self.settings.lag_ms / 1000.0, self.settings.seconds
        if lag > limit:
            self._on_time_since = None
            if self._late_since is None:
                self._late_since = now
            if not self.overloaded and now - self._late_since >= hold:
                self.overloaded = True
                return True
        else:
            self._late_since = None
            if self._on_time_since is None:
                self._on_time_since = now
            if self.overloaded and now - self._on_time_since >= hold:
                self.overloaded = False
                return False
        return None

    def admit(self, calls_in_progress: int) -> Refusal | None:
        """None: let the new web caller in; otherwise why not (and the refusal is counted)."""
        s = self.settings
        limit = s.max_calls
        if limit is not None and calls_in_progress >= limit:
            self.refused["calls"] += 1
            return Refusal("calls", f"busy: {calls_in_progress} web calls in progress, the limit is {limit} "
                                    f"({s.max_calls_per_core:g} per core x {s.cores or os.cpu_count() or 1} cores, "
                                    "webrtc.max_calls_per_core)", s.retry_after)
        if self.overloaded:
            self.refused["lag"] += 1
            return Refusal("lag", f"busy: the server is overloaded (its event loop late by "
                                  f"{self.lag * 1000:.0f} ms, over webrtc.overload_lag_ms {s.lag_ms:g} ms "
                                  f"for {s.seconds:g} s)", s.retry_after)
        self.admitted += 1
        return None

    def status(self) -> dict[str, Any]:
        return {"overloaded": self.overloaded, "loop_lag_ms": round(self.lag * 1000, 1),
                "max_calls": self.settings.max_calls, "admitted": self.admitted,
                "refused_calls": self.refused["calls"], "refused_lag": self.refused["lag"]}


class LagMonitor:
    """Measures how late the event loop fires a ``settings.interval`` timer and tells the guard; logs when
    the server becomes overloaded and when it recovers."""

    def __init__(self, guard: OverloadGuard, *, on_change: Callable[[bool], None] | None = None) -> None:
        self.guard = guard
        self.on_change = on_change
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())
            self._task.set_name("webrtc-lag-monitor")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        interval = self.guard.settings.interval
        while True:
            t = loop.time()
            await asyncio.sleep(interval)
            now = loop.time()
            changed = self.guard.observe_lag(now, max(0.0, now - t - interval))
            if changed is not None:
                if changed:
                    log.warning("overloaded: the event loop has been late by over %g ms for %g s; new web "
                                "callers are refused until it recovers", self.guard.settings.lag_ms,
                                self.guard.settings.seconds)
                else:
                    log.warning("recovered from overload: new web callers are taken again (%s refused so far)",
                                sum(self.guard.refused.values()))
                if self.on_change is not None:
                    self.on_change(changed)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
