"""Timers of the Router (offer timeouts, wrap-up ends, rule relaxation, retries, max wait, announcements)
and its clock: scheduling only; the Router runs them (:meth:`acd.router.Router._run_timers`).

A heap of ``(due, seq, kind, obj, token, lane)``; timers set a fixed delay after their making queue in
per-(kind, delay) FIFO lanes and only each lane's head sits in the heap, so the heap stays small. Order is
exactly (due, creation) either way. A timer is valid while its token matches its object's (lazy cancel).
"""
from __future__ import annotations

import heapq
from collections import deque
from typing import Any

__all__: list[str] = []

# timer kinds
T_OFFER, T_WRAP, T_RULE, T_MAXWAIT, T_ANNOUNCE, T_RETRY = range(6)

_INF = float("inf")


class _Lane:
    """Timers of one kind set a fixed delay after the time of their making (offer timeouts, wrap-ups,
    rule thresholds...) come due in the order they are made: they queue here, and only the head of each
    lane sits in the timer heap (which stays small: cheap pushes and pops)."""
    __slots__ = ("q", "active", "last")

    def __init__(self) -> None:
        self.q: deque = deque()
        self.active = False      # the lane's head is in the heap
        self.last = -_INF        # due time of the lane's last timer


class Timers:
    """The Router's clock and timers (a mixin: the state lives on the Router)."""

    def _clock(self, now: float | None) -> float:
        if now.__class__ is float and self.now <= now < _INF:
            self.now = now
            return now
        if now is None:
            return self.now
        try:
            now = float(now)
        except (TypeError, ValueError):
            return self.now
        if now > self.now and now != _INF:
            self.now = now
        return self.now

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _timer(self, due: float, kind: int, obj: Any, token: Any, delay: float | None = None) -> None:
        """Schedule a timer. ``delay``: the timer is due that long after now (same kind and delay: same
        lane, see _Lane). Timers run in (due, creation) order either way."""
        self._seq += 1
        if delay is not None:
            key = (kind, delay)
            ln = self._lanes.get(key)
            if ln is None and len(self._lanes) < 4096:
                ln = self._lanes[key] = _Lane()
            if ln is not None:
                if not ln.active:
                    ln.active = True
                    ln.last = due
                    heapq.heappush(self.timers, (due, self._seq, kind, obj, token, ln))
                    return
                if due >= ln.last:
                    ln.last = due
                    ln.q.append((due, self._seq, kind, obj, token, ln))
                    return
        heapq.heappush(self.timers, (due, self._seq, kind, obj, token, None))

    def _pop_timer(self) -> tuple:
        t = self.timers
        e = heapq.heappop(t)
        ln = e[5]
        if ln is not None:
            if ln.q:
                heapq.heappush(t, ln.q.popleft())
            else:
                ln.active = False
        return e
