"""Read-only views of the Router: calls, agents, queue snapshots and statistics, and the invariant check
(part of :class:`acd.router.Router`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .calls import OFFERED, STATE_NAMES, WAITING, _Stats

if TYPE_CHECKING:
    from .agents import _Agent

__all__: list[str] = []


def _ratio(a: float, b: float) -> float | None:
    return (a / b) if b else None


def _busy_idle(a: _Agent, now: float) -> tuple[float, float]:
    """(busy, available) seconds of agent ``a`` up to ``now``: busy is on call or in wrap-up, available
    is ready or ringing (the one definition behind every occupancy figure)."""
    acc = a.acc
    busy = acc.get("on-call", 0.0) + acc.get("wrap-up", 0.0)
    idle = acc.get("ready", 0.0) + acc.get("ringing", 0.0)
    st = a.state
    if st == "on-call" or st == "wrap-up":
        busy += now - a.state_since
    elif st == "ready" or st == "ringing":
        idle += now - a.state_since
    return busy, idle


class RouterViews:
    """What supervisors, the API and tests read (a mixin: the state lives on the Router)."""

    def queue_names(self) -> list[str]:
        return list(self.queues)

    def position(self, call_id: Any) -> int | None:
        c = self.calls.get(call_id)
        if c is None or c.state not in (WAITING, OFFERED):
            return None
        return self._position(c)

    def ewt(self, queue: str, position: int | None = None) -> float | None:
        """Estimated wait at ``position`` (default: a caller joining now)."""
        q = self.queues[queue]
        return self._ewt_or_none(q, position if position is not None else len(q.order) + 1)

    def call_view(self, call_id: Any, now: float | None = None) -> dict | None:
        c = self.calls.get(call_id)
        if c is None:
            return None
        now = self.now if now is None else max(float(now), self.now)
        q = c.queue
        waiting = c.state in (WAITING, OFFERED)
        pos = self._position(c) if waiting else None
        return {
            "call_id": c.id, "queue": q.name, "state": "callback" if (c.callback and c.state == WAITING)
            else STATE_NAMES[c.state], "position": pos, "wait": now - c.t_entered,
            "since_arrival": now - c.t_arrival, "priority": c.priority,
            "effective_priority": c.priority + q.aging * (now - c.t_arrival),
            "rule": c.rule.index if c.rule else None, "requirement": c.expr.text if c.expr else None,
            "agents": [a.id for a in c.offer.agents] if c.offer else ([c.agent.id] if c.agent else []),
            "callback": c.callback, "ewt": self._ewt_or_none(q, pos) if pos else None,
            "language": c.language, "skills": c.skills, "data": c.data,
        }

    def agent_view(self, agent_id: Any, now: float | None = None) -> dict | None:
        a = self.agents.get(agent_id)
        if a is None:
            return None
        now = self.now if now is None else max(float(now), self.now)
        acc = dict(a.acc)
        acc[a.state] = acc.get(a.state, 0.0) + (now - a.state_since)
        busy, idle = _busy_idle(a, now)
        return {
            "agent_id": a.id, "name": a.cfg.name, "state": a.state, "reason": a.reason if a.paused else None,
            "paused": a.paused, "since": a.state_since, "time_in_state": now - a.state_since,
            "calls": sorted(map(str, a.active)), "offers": sorted(map(str, a.offers)), "wrapups": len(a.wraps),
            "wrapup_until": max((w[1] for w in a.wraps.values()), default=None),
            "max_concurrent": a.max_conc, "queues": dict(a.queues), "skills": dict(a.cfg.skills),
            "languages": list(a.cfg.languages), "strikes": a.strikes, "handled": a.handled,
            "talk_time": a.talk_total, "occupancy": _ratio(busy, busy + idle), "time_by_state": acc,
        }

    def queue_snapshot(self, queue: str, now: float | None = None) -> dict:
        """Live view: waiting calls in order (position, wait, priority, requirement) and member agents
        (state, time in state), plus the queue's stats."""
        q = self.queues.get(queue)
        if q is None:
            raise KeyError(f"unknown queue {queue!r}")
        now = self.now if now is None else max(float(now), self.now)
        calls = sorted(q.calls.values(), key=lambda c: (c.key, c.seq))
        waiting = []
        for i, c in enumerate(calls, 1):
            v = self.call_view(c.id, now) or {}
            v["position"] = i
            v["penalty_tier"] = None
            waiting.append(v)
        agents = []
        for a in q.members.values():
            v = self.agent_view(a.id, now) or {}
            v["penalty"] = a.queues.get(q.name, 0)
            agents.append(v)
        agents.sort(key=lambda v: (v["state"] == "logged-out", v["penalty"], str(v["agent_id"])))
        return {"queue": q.name, "strategy": q.strategy, "now": now, "waiting": waiting, "agents": agents,
                "stats": self.stats(queue, now), "config": q.cfg.to_dict()}

    def stats(self, queue: str, now: float | None = None, positions: int = 10) -> dict:
        """Counters and figures since start (or :meth:`reset_stats`). sl = answered within sl_target /
        answered (Asterisk ServicelevelPerf); sl2 = (answered + abandoned within) / (answered + abandoned)
        (ServicelevelPerf2). Percentages are fractions 0..1 (None when undefined)."""
        q = self.queues.get(queue)
        if q is None:
            raise KeyError(f"unknown queue {queue!r}")
        now = self.now if now is None else max(float(now), self.now)
        st = q.st
        busy = idle = 0.0
        for a in q.members.values():
            b, i = _busy_idle(a, now)
            busy += b
            idle += i
        finished = st.answered + st.abandoned + st.overflowed + st.called_back
        longest = max((now - c.t_entered for c in q.calls.values() if c.state in (WAITING, OFFERED)), default=0.0)
        n_wait = len(q.order)
        return {
            "queue": q.name, "entered": st.entered, "waiting": n_wait,
            "callbacks_waiting": sum(1 for c in q.calls.values() if c.callback is not None),
            "answered": st.answered, "abandoned": st.abandoned, "overflowed": st.overflowed,
            "called_back": st.called_back,
            "sl_threshold": q.cfg.sl_target,
            "sl": _ratio(st.answered_in_sl, st.answered),
            "sl2": _ratio(st.answered_in_sl + st.abandoned_in_sl, st.answered + st.abandoned),
            "asa": _ratio(st.wait_answered, st.answered),
            "aht": _ratio(st.talk + st.wrap, st.handled),
            "abandon_rate": _ratio(st.abandoned, finished),
            "occupancy": _ratio(busy, busy + idle),
            "longest_wait": longest,
            "max_wait_answered": st.max_wait_answered,
            "staffed": q.staffed,
            "agents_ready": sum(1 for a in q.members.values() if a.avail),
            "ewt": self._ewt_or_none(q, n_wait + 1),
            "ewt_by_position": [self._ewt_or_none(q, p) for p in range(1, min(n_wait, positions) + 1)],
        }

    def agent_time_totals(self, now: float | None = None) -> tuple[float, float]:
        """(busy, available) seconds summed over all agents since they were added (see _busy_idle;
        occupancy = busy / (busy + available))."""
        now = self.now if now is None else max(float(now), self.now)
        busy = idle = 0.0
        for a in self.agents.values():
            b, i = _busy_idle(a, now)
            busy += b
            idle += i
        return busy, idle

    def reset_stats(self, queue: str | None = None) -> None:
        for q in ([self.queues[queue]] if queue else self.queues.values()):
            q.st = _Stats()

    def check_invariants(self) -> None:
        """Internal consistency (tests and debugging): raises AssertionError on a broken invariant."""
        for a in self.agents.values():
            assert a.load <= a.max_conc or not a.logged_in or a.wraps, f"agent {a.id} over capacity"
            assert len(a.offers) + len(a.active) <= a.max_conc, f"agent {a.id} over capacity"
            assert a.avail == self._should_be_available(a), f"agent {a.id} availability index stale"
        for c in self.calls.values():
            if c.state in (WAITING, OFFERED):
                assert c.id in c.queue.calls
            if c.state == WAITING:
                assert c.bucket is not None and c.bucket.registered and c.bucket.linked
            if c.state == OFFERED:
                assert c.offer and c.offer.agents
                for a in c.offer.agents:
                    assert a.offers.get(c.id) is c
        for q in self.queues.values():
            assert len(q.order) == len(q.calls)
            for b in q.buckets.values():
                assert b.linked == b.registered, f"bucket {b.expr.text!r} linked={b.linked}"
                assert b.live > 0 or not b.heap, f"bucket {b.expr.text!r} has stale entries only"
                if b.linked and not b.keys:
                    assert b in q.unanchored
                for k in b.keys:
                    assert (b in self.by_attr.get(k, ())) == b.linked, f"bucket {b.expr.text!r} index stale"
            staffed = sum(1 for a in q.members.values() if a.logged_in and not a.paused)
            assert staffed == q.staffed, (q.name, staffed, q.staffed)
