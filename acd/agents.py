"""Agents: their state and the index of available agents (part of :class:`acd.router.Router`).

Per queue, the available agents sit in heaps ordered by the queue's strategy key (penalty first): one heap
for the whole queue (key None) and one per skill or language tag some requirement anchors on
(``_Queue.aidx``). Entries are ``(penalty, k1, k2, seq, version, agent)``; an entry whose version is not
the agent's current one is stale and dropped lazily, so making an agent unavailable is O(1).
"""
from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from .config import AgentConfig
from .decisions import AgentStateChanged

if TYPE_CHECKING:
    from .calls import _Call, _Queue

__all__: list[str] = []


class _Agent:
    __slots__ = ("cfg", "id", "attrs", "attr_items", "attr_names", "attr_keys", "queues", "max_conc", "logged_in", "paused", "reason",
                 "offers", "active", "wraps", "strikes", "avail", "ver", "avail_since", "state", "state_since",
                 "acc", "talk_total", "calls_taken", "rr", "order", "handled")

    def __init__(self, cfg: AgentConfig, order: int, now: float) -> None:
        self.order = order
        self.logged_in = False
        self.paused = False
        self.reason: str | None = None
        self.offers: dict[Any, _Call] = {}
        self.active: dict[Any, _Call] = {}
        self.wraps: dict[int, tuple[float, float, _Queue | None]] = {}   # token -> (start, until, queue)
        self.strikes = 0
        self.avail = False
        self.ver = 0
        self.avail_since = now
        self.state = "logged-out"
        self.state_since = now
        self.acc: dict[str, float] = {}
        self.talk_total = 0.0
        self.calls_taken: dict[str, int] = {}
        self.rr: dict[str, int] = {}
        self.handled = 0
        self.set_cfg(cfg)

    def set_cfg(self, cfg: AgentConfig) -> None:
        self.cfg = cfg
        self.id = cfg.id
        self.attrs = cfg.attrs
        self.attr_items = tuple(self.attrs.items())
        self.attr_names = tuple(n for n, _ in self.attr_items)
        self.attr_keys: tuple = ()    # every by_attr key the agent can serve (ints: Router._agent_keys)
        self.queues = dict(cfg.queues)
        self.max_conc = cfg.max_concurrent

    @property
    def load(self) -> int:
        return len(self.offers) + len(self.active) + len(self.wraps)


class _Heap(list):
    """A heap (list) of agent entries with its own rebuild threshold."""
    __slots__ = ("limit",)

    def __init__(self) -> None:
        super().__init__()
        self.limit = 128


class AgentIndex:
    """The agent side of the Router (a mixin: the state lives on the Router, see its ``__init__``)."""

    def _join(self, a: _Agent, q: _Queue) -> None:
        q.members[a.id] = a
        for item in a.attr_items:
            q.skill_count[item] = q.skill_count.get(item, 0) + 1
        if a.logged_in and not a.paused:
            q.staffed += 1
            q.staffed_slots += a.max_conc

    def _leave(self, a: _Agent, q: _Queue) -> None:
        if q.members.pop(a.id, None) is None:
            return
        for item in a.attr_items:
            q.skill_count[item] = q.skill_count.get(item, 1) - 1
        if a.logged_in and not a.paused:
            q.staffed -= 1
            q.staffed_slots -= a.max_conc

    def _staff(self, a: _Agent, sign: int) -> None:
        """The agent starts (sign 1) or stops (-1) counting as staffed in each of its queues (logged in
        and not paused)."""
        queues = self.queues
        for qn in a.queues:
            q = queues.get(qn)
            if q is not None:
                q.staffed += sign
                q.staffed_slots += sign * a.max_conc

    def _agent_key(self, q: _Queue, a: _Agent, pen: int, level: int) -> tuple:
        s = q.strategy
        if s == "longest-idle" or s == "ring-all":
            return (pen, a.avail_since, 0)
        if s == "best-skill":
            return (pen, -level, a.avail_since)
        if s == "fewest-calls":
            return (pen, a.calls_taken.get(q.name, 0), a.avail_since)
        if s == "least-talk-time":
            return (pen, a.talk_total, a.avail_since)
        if s == "round-robin":
            return (pen, a.rr.get(q.name, a.order - 10 ** 12), 0)
        if s == "linear":
            return (pen, a.order, 0)
        if s == "random":
            return (pen, self.rng.random(), 0)
        # weighted-random: exponential race, weight = proficiency of the indexed skill (1 for the queue heap)
        return (pen, self.rng.expovariate(level if level > 0 else 1), 0)

    @staticmethod
    def _push(h: "_Heap", e: tuple, limit: int = 0) -> None:
        heapq.heappush(h, e)
        if len(h) > h.limit:   # mostly stale entries: rebuild (amortized O(1) per push, cost ~ live size)
            h[:] = [x for x in h if x[5].avail and x[5].ver == x[4]]
            heapq.heapify(h)
            h.limit = 2 * len(h) + 128

    def _entry(self, q: _Queue, a: _Agent, pen: int, level: int) -> tuple:
        k = self._agent_key(q, a, pen, level)
        self._seq += 1
        return (k[0], k[1], k[2], self._seq, a.ver, a)

    def _index_agent(self, a: _Agent) -> None:
        """Push the (available) agent into the heaps of each of its queues: the queue's heap and one per
        skill/tag it has that some requirement anchors on. One entry tuple is shared by all heaps of a
        queue unless the strategy's key depends on the skill level (best-skill, weighted-random)."""
        a.ver += 1
        ver = a.ver
        queues = self.queues
        hpush = heapq.heappush
        for qn, pen in a.queues.items():
            q = queues.get(qn)
            if q is None:
                continue
            aidx = q.aidx
            if not aidx:
                continue
            limit = 0
            s = q.strategy
            if s == "longest-idle" or s == "ring-all":
                # inlined _entry/_push (the common case)
                self._seq += 1
                e = (pen, a.avail_since, 0, self._seq, ver, a)
                get = aidx.get
                for h in (get(None), *map(get, a.attr_names)):
                    if h is not None:
                        hpush(h, e)
                        if len(h) > h.limit:
                            h[:] = [x for x in h if x[5].avail and x[5].ver == x[4]]
                            heapq.heapify(h)
                            h.limit = 2 * len(h) + 128
                continue
            push = self._push
            if s == "best-skill" or s == "weighted-random":
                h = aidx.get(None)
                if h is not None:
                    push(h, self._entry(q, a, pen, 0), limit)
                for name, v in a.attr_items:
                    h = aidx.get(name)
                    if h is not None:
                        push(h, self._entry(q, a, pen, v), limit)
            else:
                e = self._entry(q, a, pen, 0)
                h = aidx.get(None)
                if h is not None:
                    push(h, e, limit)
                for name, _v in a.attr_items:
                    h = aidx.get(name)
                    if h is not None:
                        push(h, e, limit)

    def _build_heap(self, q: _Queue, key: str | None) -> list:
        """Create the heap of available members for ``key``: None (all) or a skill/tag name."""
        h = _Heap()
        q.aidx[key] = h
        for a in q.members.values():
            if not a.avail:
                continue
            pen = a.queues.get(q.name, 0)
            if key is None:
                h.append(self._entry(q, a, pen, 0))
            else:
                v = a.attrs.get(key, 0)
                if v > 0:
                    h.append(self._entry(q, a, pen, v))
        heapq.heapify(h)
        h.limit = 2 * len(h) + 128
        return h

    def _should_be_available(self, a: _Agent) -> bool:
        return a.logged_in and not a.paused and (len(a.offers) + len(a.active) + len(a.wraps)) < a.max_conc

    def _set_unavailable(self, a: _Agent) -> None:
        if a.avail:
            a.avail = False
            a.ver += 1

    def _touch(self, a: _Agent, now: float, out: list) -> None:
        if not a.logged_in:
            st = "logged-out"
        elif a.offers:
            st = "ringing"
        elif a.active:
            st = "on-call"
        elif a.wraps:
            st = "wrap-up"
        elif a.paused:
            st = "paused"
        else:
            st = "ready"
        if st != a.state:
            a.acc[a.state] = a.acc.get(a.state, 0.0) + (now - a.state_since)
            a.state = st
            a.state_since = now
            if self.emit_agent_states:
                out.append(AgentStateChanged(a.id, st, a.reason if st == "paused" else None))

    def _after_agent_change(self, a: _Agent, now: float, out: list) -> None:
        """Re-index the agent and, while it has free capacity, give it the best call it can take."""
        if a.logged_in and not a.paused and (len(a.offers) + len(a.active) + len(a.wraps)) < a.max_conc:
            if not a.avail:
                # newly available: serve a waiting call first; index the agent only if it stays free
                a.avail = True
                a.avail_since = now
                a.ver += 1
                indexed = False
                guard = a.max_conc + 1
                while a.avail and guard > 0:
                    guard -= 1
                    best = self._best_call_for(a, now)
                    if best is None:
                        break
                    self._offer(best, [a], now, out)
                    indexed = True      # _offer re-indexed it (if capacity remains)
                if a.avail and not indexed:
                    self._index_agent(a)
        else:
            self._set_unavailable(a)
        self._touch(a, now, out)

    def _pause(self, a: _Agent, reason: str | None, now: float, out: list) -> None:
        if a.logged_in and not a.paused:
            self._staff(a, -1)
        a.paused = True
        a.reason = reason
        self._set_unavailable(a)
        self._check_empty(a, now, out)

    def _end_wrap(self, a: _Agent, token: int, now: float, out: list) -> None:
        start, until, q = a.wraps.pop(token)
        dur = max(0.0, min(now, until) - start)
        if q is not None:
            q.st.wrap += dur
            q.aht = 0.9 * q.aht + 0.1 * (dur + q.st.talk / max(q.st.handled, 1))
