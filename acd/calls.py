"""Waiting calls and the queues that hold them (part of :class:`acd.router.Router`).

A call waits in one queue, whose order is (priority with aging, arrival): ``key = aging x arrival -
priority`` and the call's ``seq`` break ties (``_Order``). The rule in force (requirement relaxing as the
caller waits) decides which bucket of the index the call sits in (:mod:`acd.index`).
"""
from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING, Any

from .config import QueueConfig
from .decisions import CallFinished, Overflow, Queued, RequirementChanged
from .rules import Expr, Rule, RuleSet
from .timers import T_ANNOUNCE, T_MAXWAIT, T_RULE

if TYPE_CHECKING:
    from .agents import _Agent
    from .index import _Bucket

__all__: list[str] = []

# call states
WAITING, OFFERED, ANSWERED, DONE = 0, 1, 2, 3
STATE_NAMES = {WAITING: "waiting", OFFERED: "ringing", ANSWERED: "answered", DONE: "done"}

_INF = float("inf")
_MAX_HOPS = 8       # overflows from queue to queue before a call leaves the router


class _Call:
    __slots__ = ("id", "queue", "priority", "t_arrival", "t_entered", "key", "seq", "state", "extra", "rules",
                 "rule", "expr", "bucket", "token", "entry", "offer", "missed", "callback", "data", "agent",
                 "t_answered", "hops", "language", "skills", "rtok")

    def __init__(self, cid: Any, priority: float, now: float, seq: int) -> None:
        self.id = cid
        self.queue: _Queue | None = None
        self.priority = priority
        self.t_arrival = now
        self.t_entered = now
        self.key = 0.0
        self.seq = seq
        self.state = WAITING
        self.extra: Expr | None = None
        self.rules: RuleSet | None = None
        self.rule: Rule | None = None
        self.expr: Expr | None = None
        self.bucket: _Bucket | None = None
        self.token = 0
        self.entry = 0
        self.offer: _OfferState | None = None
        self.missed: dict | None = None
        self.callback: str | None = None
        self.data: Any = None
        self.agent: _Agent | None = None
        self.t_answered = 0.0
        self.hops = 0
        self.language: str | None = None
        self.skills: dict | None = None
        self.rtok = 0


class _OfferState:
    # the offer's timeout timer points here, not at the call: once the offer is settled ``call`` is
    # dropped, so an answered call is not kept in memory until its (long) ring timeout comes due
    __slots__ = ("agents", "deadline", "id", "at", "callback", "call")

    def __init__(self, agents: list, deadline: float, oid: int, at: float, callback: bool,
                 call: "_Call | None" = None) -> None:
        self.call = call
        self.agents = agents
        self.deadline = deadline
        self.id = oid
        self.at = at
        self.callback = callback


class _Queue:
    __slots__ = ("cfg", "name", "ruleset", "strategy", "aging", "members", "staffed", "staffed_slots", "order",
                 "calls", "buckets", "unanchored", "aidx", "rr_counter", "aht", "st", "last_ewt_eval",
                 "ewt_calls", "skill_count")

    def __init__(self, cfg: QueueConfig) -> None:
        self.members: dict[Any, _Agent] = {}
        self.staffed = 0
        self.staffed_slots = 0
        self.order = _Order()                         # sorted (key, seq) of calls in the queue
        self.calls: dict[Any, _Call] = {}
        self.buckets: dict[str, _Bucket] = {}
        self.unanchored: set = set()
        self.aidx: dict[Any, list] = {}
        self.skill_count: dict[tuple, int] = {}
        self.rr_counter = 0
        self.last_ewt_eval = -_INF
        self.ewt_calls: set = set()
        self.st = _Stats()
        self.set_cfg(cfg)
        self.aht = cfg.aht_hint

    def set_cfg(self, cfg: QueueConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.ruleset = cfg.ruleset
        self.strategy = cfg.strategy
        self.aging = cfg.priority_aging

    def ewt_at(self, position: int) -> float:
        if self.staffed_slots <= 0:
            return _INF
        return position * self.aht / self.staffed_slots


class _Order:
    """The calls of a queue in queue order, as (key, seq) pairs kept in two flat arrays: bisecting
    contiguous doubles is much cheaper than bisecting a list of tuple objects spread over the heap."""
    __slots__ = ("keys", "seqs")

    def __init__(self) -> None:
        self.keys = array("d")
        self.seqs = array("q")

    def __len__(self) -> int:
        return len(self.keys)

    def rank(self, key: float, seq: int) -> int:
        """Number of entries before (key, seq) (its index when present)."""
        keys = self.keys
        lo = bisect_left(keys, key)
        if lo < len(keys) and keys[lo] == key:
            return bisect_left(self.seqs, seq, lo, bisect_right(keys, key, lo))
        return lo

    def insert(self, key: float, seq: int) -> int:
        i = self.rank(key, seq)
        self.keys.insert(i, key)
        self.seqs.insert(i, seq)
        return i

    def remove(self, key: float, seq: int) -> None:
        i = self.rank(key, seq)
        if i < len(self.seqs) and self.seqs[i] == seq:
            del self.keys[i]
            del self.seqs[i]


class _Stats:
    __slots__ = ("entered", "answered", "answered_in_sl", "abandoned", "abandoned_in_sl", "overflowed",
                 "called_back", "wait_answered", "max_wait_answered", "talk", "wrap", "handled", "moved_out")

    def __init__(self) -> None:
        self.entered = self.answered = self.answered_in_sl = self.abandoned = self.abandoned_in_sl = 0
        self.overflowed = self.called_back = self.handled = self.moved_out = 0
        self.wait_answered = self.max_wait_answered = self.talk = self.wrap = 0.0


class CallQueues:
    """The call side of the Router: joining, waiting in and leaving a queue (a mixin: the state lives on
    the Router)."""

    def _position(self, c: _Call) -> int:
        return c.queue.order.rank(c.key, c.seq) + 1

    def _ewt_or_none(self, q: _Queue, position: int) -> float | None:
        e = q.ewt_at(position)
        return None if e == _INF else e

    def _rekey(self, c: _Call) -> None:
        q = c.queue
        q.order.remove(c.key, c.seq)
        c.key = q.aging * c.t_arrival - c.priority
        q.order.insert(c.key, c.seq)
        if c.state == WAITING and c.bucket is not None:
            b = c.bucket
            c.token += 1
            heapq.heappush(b.heap, (c.key, c.seq, c.token, c))

    def _eval_rule(self, c: _Call, now: float, out: list, announce_change: bool = False) -> None:
        q = c.queue
        rs = c.rules or q.ruleset
        wt = now - c.t_entered
        ewt = q.ewt_at(len(q.order) + 1) if rs.uses_ewt else 0.0
        rule = rs.select(wt, ewt)
        expr = rule.expr if c.extra is None else self._combine(rule.expr, c.extra)
        old = c.rule
        c.rule = rule
        if expr is not c.expr:
            b = c.bucket
            if b is not None:
                if b.live > 1:          # inlined _bucket_out (the bucket keeps other calls)
                    c.bucket = None
                    c.token += 1
                    b.live -= 1
                else:
                    self._bucket_out(c)
            c.expr = expr
            if c.state == WAITING:
                b = q.buckets.get(expr.text)
                if b is not None and b.registered:      # inlined _bucket_in
                    c.bucket = b
                    c.token += 1
                    heapq.heappush(b.heap, (c.key, c.seq, c.token, c))
                    b.live += 1
                else:
                    self._bucket_in(c)
        elif c.state == WAITING and c.bucket is None:
            self._bucket_in(c)
        if announce_change and old is not None and old is not rule:
            out.append(RequirementChanged(c.id, q.name, rule.index, expr.text))
        if rs.uses_ewt:
            q.ewt_calls.add(c)
        if rs.thresholds:
            v = rs.next_change(wt)
            while v is not None and c.t_entered + v <= now:
                v = rs.next_change(v)
            if v is not None:
                c.rtok += 1
                self._timer(c.t_entered + v, T_RULE, c, c.rtok, v)

    def _enter_queue(self, c: _Call, q: _Queue, now: float, out: list) -> None:
        c.queue = q
        c.t_entered = now
        c.entry += 1
        c.state = WAITING
        c.missed = None          # a new queue is a fresh start (and the retry timers went with the entry)
        c.key = q.aging * c.t_arrival - c.priority
        i = q.order.insert(c.key, c.seq)
        q.calls[c.id] = c
        q.st.entered += 1
        c.rule = None
        c.expr = None
        self._eval_rule(c, now, out)
        pos = i + 1         # = _position(c): _eval_rule does not reorder the queue
        out.append(Queued(c.id, q.name, pos, self._ewt_or_none(q, pos)))
        cfg = q.cfg
        if cfg.max_wait is not None and c.callback is None:
            self._timer(now + cfg.max_wait, T_MAXWAIT, c, c.entry, cfg.max_wait)
        if cfg.announce_every > 0 and c.callback is None:
            self._timer(now + cfg.announce_every, T_ANNOUNCE, c, c.entry, cfg.announce_every)
        self._match_call(c, now, out)

    def _leave_queue(self, c: _Call) -> None:
        q = c.queue
        self._bucket_out(c)
        q.order.remove(c.key, c.seq)
        q.calls.pop(c.id, None)
        q.ewt_calls.discard(c)

    def _finish(self, c: _Call, q: _Queue, outcome: str, now: float, out: list, *, agent: _Agent | None = None,
                target: str | None = None) -> None:
        wait = now - c.t_entered
        st = q.st
        if outcome == "answered":
            st.answered += 1
            st.wait_answered += wait
            if wait > st.max_wait_answered:
                st.max_wait_answered = wait
            if wait <= q.cfg.sl_target:
                st.answered_in_sl += 1
        elif outcome == "abandoned":
            st.abandoned += 1
            if wait <= q.cfg.sl_target:
                st.abandoned_in_sl += 1
        elif outcome == "overflowed":
            st.overflowed += 1
        elif outcome == "called-back":
            st.called_back += 1
        if outcome != "answered" and outcome != "called-back":
            c.state = DONE
            self.calls.pop(c.id, None)
        out.append(CallFinished(c.id, q.name, outcome, wait, agent.id if agent else None, target))

    def _overflow(self, c: _Call, q: _Queue, reason: str, now: float, out: list) -> None:
        """Send a call (already out of any offer) from queue ``q`` to its overflow target."""
        if c.queue is q and c.id in q.calls:
            self._leave_queue(c)
        target = q.cfg.overflow
        nq = self.queues.get(target) if target else None
        if nq is not None and nq is not q and c.hops < _MAX_HOPS:
            c.hops += 1
            q.st.moved_out += 1
            out.append(Overflow(c.id, q.name, target, reason, True))
            self._admit(c, nq, now, out)
            return
        out.append(Overflow(c.id, q.name, target, reason, False))
        self._finish(c, q, "overflowed", now, out, target=target)

    def _admit(self, c: _Call, q: _Queue, now: float, out: list) -> None:
        """A call asks to join ``q``: join-empty / max-length checks, then wait."""
        cfg = q.cfg
        if not cfg.join_empty and q.staffed == 0:
            c.queue = q
            c.t_entered = now
            q.st.entered += 1
            self._overflow(c, q, "join-empty", now, out)
            return
        if cfg.max_len and len(q.order) >= cfg.max_len:
            c.queue = q
            c.t_entered = now
            q.st.entered += 1
            self._overflow(c, q, "full", now, out)
            return
        self._enter_queue(c, q, now, out)

    def _check_empty(self, a: _Agent, now: float, out: list) -> None:
        for qn in a.queues:
            q = self.queues.get(qn)
            if q is not None and q.staffed == 0 and q.cfg.leave_empty and q.calls:
                for c in sorted(q.calls.values(), key=lambda c: (c.key, c.seq)):
                    if c.callback is not None:
                        continue
                    self._cancel_offer(c, "overflowed", now, out)
                    self._overflow(c, q, "leave-empty", now, out)
