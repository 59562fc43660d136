"""Injected time. The cores (ACD, IVR interpreter) never read the wall clock: they are handed ``now``.

Adapters hold a :class:`Clock`; tests use :class:`FakeClock`.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone


class Clock:
    """Wall clock: ``now()`` is a float of seconds since the epoch (UTC)."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), timezone.utc)


class FakeClock(Clock):
    """A clock that moves only when told to."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        self._now += seconds
        return self._now

    def set(self, when: float) -> None:
        self._now = float(when)
