"""The Router: skill-based routing as a pure state machine.

Every event method takes ``now`` (float seconds, any epoch, never decreasing; an earlier value is
treated as the latest one seen) and returns a list of :mod:`acd.decisions`. Timers (offer timeouts,
wrap-up ends, rule relaxation, max wait, announcements) run at the start of every event and in
:meth:`Router.tick`; :meth:`Router.next_deadline` says when the next one is due.

Indexes (why a decision never scans all agents or all calls):

* agents: per queue, one heap per (skill or tag, level) plus one for the whole queue, holding the
  *available* agents ordered by the queue's strategy key (penalty first). A call's requirement names
  its "anchors" (skills every matching agent must have at some level); the router walks only those
  heaps, in strategy order, and stops at the first agent that satisfies the whole expression.
  Entries are invalidated lazily with a per-agent version number.
* calls: per queue, waiting calls are grouped into buckets by the requirement in force (equal
  requirements share a bucket); each bucket is a heap in queue order (priority, aging, arrival).
  Buckets are indexed by the (skill, level) of their anchors, so an agent who becomes ready looks
  only at buckets it could serve, and compares their heads. The index is one dict for all queues,
  keyed by small ints ((skill, level) ids, and id pairs for two-literal requirements): an agent in
  several queues probes each of its keys once and skips buckets of queues it is not in.
* timers: a heap of (due, seq, ...), but timers set a fixed delay after their making (offer timeouts,
  wrap-ups, rule thresholds, retries) queue in per-(kind, delay) FIFO lanes and only each lane's head
  sits in the heap, so the heap stays small. Order is exactly (due, creation) either way.
"""
from __future__ import annotations

import heapq
import math
import random
from array import array
from collections import deque
from bisect import bisect_left, bisect_right
from typing import Any, Iterable

from .config import AgentConfig, ConfigError, QueueConfig
from .decisions import (AgentAutoPaused, AgentStateChanged, Announce, CallbackDue, CallFinished, CancelOffer,
                        Decision, Offer, Overflow, Queued, Refused, RequirementChanged)
from .rules import Expr, Node, Rule, RuleError, RuleSet, _lower_bounds, conjoin, intern_expr, parse_expr, parse_rules

__all__ = ["Router"]

# call states
WAITING, OFFERED, ANSWERED, DONE = 0, 1, 2, 3
_STATE_NAMES = {WAITING: "waiting", OFFERED: "ringing", ANSWERED: "answered", DONE: "done"}

# timer kinds
T_OFFER, T_WRAP, T_RULE, T_MAXWAIT, T_ANNOUNCE, T_RETRY = range(6)

_INF = float("inf")
_PAIR = 1 << 32      # by_attr key of a pair of (skill, level) ids: id1 * _PAIR + id2
_MAX_HOPS = 8


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

    def derived_state(self) -> str:
        if not self.logged_in:
            return "logged-out"
        if self.offers:
            return "ringing"
        if self.active:
            return "on-call"
        if self.wraps:
            return "wrap-up"
        if self.paused:
            return "paused"
        return "ready"


def _levels(name: str, lo: int) -> range:
    """Levels an agent attribute can have: language tags are always 1, skills 1-5."""
    if name.startswith("lang_"):
        return range(1, 2) if lo <= 1 else range(0)
    return range(lo, 6)


class _Heap(list):
    """A heap (list) of agent entries with its own rebuild threshold."""
    __slots__ = ("limit",)

    def __init__(self) -> None:
        super().__init__()
        self.limit = 128


class _Bucket:
    __slots__ = ("expr", "q", "heap", "live", "registered", "linked", "keys", "multi")

    def __init__(self, expr: Expr, q: "_Queue") -> None:
        self.expr = expr
        self.q = q
        self.heap: list = []
        self.live = 0
        self.registered = False       # keys chosen
        self.linked = False           # listed in by_attr / unanchored (while registered)
        self.keys: list = []          # by_attr keys it is registered under (empty: unanchored)
        self.multi = False            # registered under several skills (an OR): may be seen twice


class _Lane:
    """Timers of one kind set a fixed delay after the time of their making (offer timeouts, wrap-ups,
    rule thresholds...) come due in the order they are made: they queue here, and only the head of each
    lane sits in the timer heap (which stays small: cheap pushes and pops)."""
    __slots__ = ("q", "active", "last")

    def __init__(self) -> None:
        self.q: deque = deque()
        self.active = False      # the lane's head is in the heap
        self.last = -_INF        # due time of the lane's last timer


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


def _ratio(a: float, b: float) -> float | None:
    return (a / b) if b else None


class Router:
    """Skill-based router. See docs/acd.md for the event API and an example."""

    def __init__(self, queues: Iterable[QueueConfig | dict] = (), agents: Iterable[AgentConfig | dict] = (),
                 *, seed: int | None = None, now: float = 0.0, defaults: dict | None = None,
                 agent_states: bool = True) -> None:
        self.now = float(now)
        self.rng = random.Random(seed)
        self.queues: dict[str, _Queue] = {}
        self.agents: dict[Any, _Agent] = {}
        self.calls: dict[Any, _Call] = {}
        self.timers: list = []          # heap of (due, seq, kind, obj, token, lane or None)
        self._lanes: dict[tuple, _Lane] = {}
        self._seq = 0
        self._oid = 0
        self._combo: dict[tuple, Expr] = {}
        self._defaults = dict(defaults or {})
        self.emit_agent_states = agent_states
        self._pending_agents: list[_Agent] = []
        self._extra_cache: dict = {}
        self._kids: dict[tuple, int] = {}     # (skill or tag, level) -> small int id (by_attr keys)
        # buckets of every queue by (skill, level) key (int): an agent in several queues looks each key up
        # once; buckets of queues it is not in are skipped
        self.by_attr: dict[int, set] = {}
        for q in queues:
            self.add_queue(q)
        for a in agents:
            self.add_agent(a)

    @classmethod
    def from_dicts(cls, queues: Iterable[dict] = (), agents: Iterable[dict] = (), **kw) -> "Router":
        defaults = kw.get("defaults")
        return cls([QueueConfig.from_dict(q, defaults) for q in queues], [AgentConfig.from_dict(a) for a in agents],
                   **kw)

    # ------------------------------------------------------------------------------ configuration
    def add_queue(self, cfg: QueueConfig | dict) -> None:
        if isinstance(cfg, dict):
            cfg = QueueConfig.from_dict(cfg, self._defaults)
        if cfg.name in self.queues:
            raise ConfigError(f"queue {cfg.name!r} already exists (use update_queue)")
        q = _Queue(cfg)
        self.queues[cfg.name] = q
        for a in self.agents.values():
            if cfg.name in a.queues:
                self._join(a, q)

    def update_queue(self, cfg: QueueConfig | dict, now: float | None = None) -> list[Decision]:
        if isinstance(cfg, dict):
            cfg = QueueConfig.from_dict(cfg, self._defaults)
        q = self.queues.get(cfg.name)
        if q is None:
            self.add_queue(cfg)
            return []
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        old_aging = q.aging
        q.set_cfg(cfg)
        q.aidx.clear()
        self._build_heap(q, None)
        calls = list(q.calls.values())
        if old_aging != q.aging:
            for c in calls:
                self._rekey(c)
        for c in calls:
            if c.state == WAITING:
                self._eval_rule(c, now, out, announce_change=True)
        for c in calls:
            if c.state == WAITING and c.queue is q:
                self._match_call(c, now, out)
        return out

    def remove_queue(self, name: str, now: float | None = None) -> list[Decision]:
        q = self.queues.get(name)
        if q is None:
            return [Refused("remove_queue", f"unknown queue {name!r}")]
        now = self._clock(now)
        out: list[Decision] = []
        for c in list(q.calls.values()):
            self._cancel_offer(c, "overflowed", now, out)
            self._leave_queue(c)
            self._finish(c, q, "overflowed", now, out, target=None)
            out.append(Overflow(c.id, q.name, None, "queue-removed"))
        for a in list(q.members.values()):
            self._leave(a, q)
        for b in list(q.buckets.values()):
            if b.registered:
                self._unregister(q, b)
        del self.queues[name]
        return out

    def add_agent(self, cfg: AgentConfig | dict) -> None:
        if isinstance(cfg, dict):
            cfg = AgentConfig.from_dict(cfg)
        if cfg.id in self.agents:
            raise ConfigError(f"agent {cfg.id!r} already exists (use update_agent)")
        a = _Agent(cfg, len(self.agents), self.now)
        self._agent_keys(a)
        self.agents[cfg.id] = a
        for qn in a.queues:
            q = self.queues.get(qn)
            if q is not None:
                self._join(a, q)

    def update_agent(self, cfg: AgentConfig | dict, now: float | None = None) -> list[Decision]:
        """Change an agent's skills/languages/queues/capacity; applies at once, even while logged in."""
        if isinstance(cfg, dict):
            cfg = AgentConfig.from_dict(cfg)
        a = self.agents.get(cfg.id)
        if a is None:
            self.add_agent(cfg)
            return []
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        self._set_unavailable(a)
        for qn in list(a.queues):
            q = self.queues.get(qn)
            if q is not None:
                self._leave(a, q)
        a.set_cfg(cfg)
        self._agent_keys(a)
        for qn in a.queues:
            q = self.queues.get(qn)
            if q is not None:
                self._join(a, q)
        self._after_agent_change(a, now, out)
        return out

    def remove_agent(self, agent_id: Any, now: float | None = None) -> list[Decision]:
        a = self.agents.get(agent_id)
        if a is None:
            return [Refused("remove_agent", "unknown agent", agent_id=agent_id)]
        out = self.agent_logged_out(agent_id, now if now is not None else self.now)
        for qn in list(a.queues):
            q = self.queues.get(qn)
            if q is not None:
                self._leave(a, q)
        del self.agents[agent_id]
        return out

    def _kid(self, name: str, level: int) -> int:
        k = (name, level)
        i = self._kids.get(k)
        if i is None:
            i = self._kids[k] = len(self._kids) + 1
        return i

    def _agent_keys(self, a: _Agent) -> None:
        """The by_attr keys (ints, cheap to hash) of the agent's (skill, level) items and pairs."""
        kid = self._kid
        items = sorted(a.attr_items)
        ids = [kid(n, lvl) for n, lvl in items]
        a.attr_keys = (tuple(kid(n, lvl) for n, lvl in a.attr_items)
                       + tuple(i1 * _PAIR + i2 for j, i1 in enumerate(ids) for i2 in ids[j + 1:]))

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

    # --------------------------------------------------------------------------------- plumbing
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

    def _timer_valid(self, kind: int, obj: Any, token: Any) -> bool:
        if kind == T_OFFER:         # obj: the _OfferState
            c = obj.call
            return c is not None and c.state == OFFERED and c.offer is obj
        if kind == T_WRAP:
            return token in obj.wraps
        if kind == T_RULE:
            return obj.state == WAITING and obj.rtok == token
        if kind == T_RETRY:
            return obj.state == WAITING and obj.entry == token
        if kind == T_MAXWAIT:
            return obj.state in (WAITING, OFFERED) and obj.entry == token and obj.callback is None
        if kind == T_ANNOUNCE:
            return obj.state in (WAITING, OFFERED) and obj.entry == token and obj.callback is None
        return False

    def next_deadline(self) -> float | None:
        """When the next timer is due (call tick() then), or None."""
        t = self.timers
        while t:
            due, _, kind, obj, token, _ln = t[0]
            if self._timer_valid(kind, obj, token):
                return due
            self._pop_timer()
        return None

    def _run_timers(self, now: float, out: list) -> None:
        t = self.timers
        if not t or t[0][0] > now:
            return
        hpop = heapq.heappop
        hpush = heapq.heappush
        while t and t[0][0] <= now:
            due, _, kind, obj, token, ln = hpop(t)
            if ln is not None:          # inlined _pop_timer
                if ln.q:
                    hpush(t, ln.q.popleft())
                else:
                    ln.active = False
            if kind == T_RULE:
                if obj.state != WAITING or obj.rtok != token:
                    continue
            elif kind == T_OFFER:
                c = obj.call
                if c is None or c.state != OFFERED or c.offer is not obj:
                    continue
            elif not self._timer_valid(kind, obj, token):
                continue
            if kind == T_OFFER:
                offer = obj
                c = offer.call
                for a in list(offer.agents):
                    out.append(CancelOffer(c.id, a.id, "timeout"))
                self._offer_failed(c, list(offer.agents), due, out, timeout=True)
            elif kind == T_WRAP:
                self._end_wrap(obj, token, due, out)
                self._after_agent_change(obj, due, out)
            elif kind == T_RULE:
                self._eval_rule(obj, due, out, announce_change=True)
                if obj.state == WAITING:
                    self._match_call(obj, due, out)
            elif kind == T_RETRY:
                self._match_call(obj, due, out)
            elif kind == T_MAXWAIT:
                q = obj.queue
                self._cancel_offer(obj, "overflowed", due, out)
                self._overflow(obj, q, "timeout", due, out)
            elif kind == T_ANNOUNCE:
                q = obj.queue
                out.append(Announce(obj.id, q.name, self._position(obj), self._ewt_or_none(q, self._position(obj))))
                if q.cfg.announce_every > 0:
                    self._timer(due + q.cfg.announce_every, T_ANNOUNCE, obj, obj.entry, q.cfg.announce_every)
            if self._pending_agents:
                self._flush_agents(due, out)

    # ------------------------------------------------------------------------ agent availability
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

    def _refresh_agent(self, a: _Agent, now: float, force: bool = False) -> None:
        """Bring the agent's index entries in line with its state. An agent that stays available keeps
        its entries (and its idle time) unless ``force`` (its load or counters changed)."""
        if self._should_be_available(a):
            if force or not a.avail:
                a.avail = True
                a.avail_since = now
                self._index_agent(a)
        else:
            self._set_unavailable(a)

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
                    best = self._best_call_for(a, now)     # inlined _match_agent
                    if best is None:
                        break
                    self._offer(best, [a], now, out)
                    indexed = True      # _offer re-indexed it (if capacity remains)
                if a.avail and not indexed:
                    self._index_agent(a)
        else:
            self._set_unavailable(a)
        self._touch(a, now, out)

    # -------------------------------------------------------------------------------- call side
    def _combine(self, rule_expr: Expr, extra: Expr | None) -> Expr:
        if extra is None:
            return rule_expr
        key = (rule_expr, extra)        # Expr hashes by identity; the key keeps both alive
        e = self._combo.get(key)
        if e is None:
            e = conjoin(rule_expr, extra)
            if len(self._combo) < 100_000:
                self._combo[key] = e
        return e

    def _bucket_for(self, q: _Queue, expr: Expr) -> _Bucket:
        b = q.buckets.get(expr.text)
        if b is None:
            b = _Bucket(expr, q)
            q.buckets[expr.text] = b
        return b

    def _register(self, q: _Queue, b: _Bucket) -> None:
        """Index a bucket under the (skill, level) pairs an agent must have to serve it. Of the
        requirement's anchor options, the one whose skills the fewest queue members have wins."""
        b.registered = True
        opts = b.expr.options
        if opts is None:
            b.keys = []
            self._link(q, b)
            return
        counts = q.skill_count    # (skill, level) -> members with exactly that level

        def members(name: str, lo: int) -> int:
            return sum(counts.get((name, lvl), 0) for lvl in range(lo, 6))

        bounds = _lower_bounds(b.expr.node)
        if bounds is not None:
            need: dict[str, int] = {}
            for name, lo in bounds:
                need[name] = max(lo, need.get(name, 0))
            if len(need) >= 2:
                # two literals every agent must have: index the bucket under the pair (fewer agents
                # look at it, and those who do mostly qualify)
                first = second = None        # the two literals the fewest members satisfy
                for name, lo in need.items():
                    m = (members(name, lo), name, lo)
                    if first is None or m < first:
                        first, second = m, first
                    elif second is None or m < second:
                        second = m
                (_, n1, lo1), (_, n2, lo2) = (first, second) if first[1] < second[1] else (second, first)
                kid = self._kid
                keys = [kid(n1, l1) * _PAIR + kid(n2, l2) for l1 in _levels(n1, lo1) for l2 in _levels(n2, lo2)]
                b.keys = keys
                b.multi = False
                self._link(q, b)
                return
        opt = min(opts, key=lambda o: sum(members(name, lo) for name, lo in o))
        keys = [self._kid(name, lvl) for name, lo in opt for lvl in _levels(name, lo)]
        b.keys = keys
        b.multi = len({name for name, _ in opt}) > 1
        self._link(q, b)

    def _link(self, q: _Queue, b: _Bucket) -> None:
        """List a registered bucket in the index sets. Empty buckets stay listed (requirements recur;
        skipping an empty heap is cheaper than unlisting and relisting on every 0 <-> 1 transition)."""
        b.linked = True
        if not b.keys:
            q.unanchored.add(b)
            return
        by_attr = self.by_attr
        for k in b.keys:
            st = by_attr.get(k)
            if st is None:
                by_attr[k] = {b}
            else:
                st.add(b)

    def _unlink(self, q: _Queue, b: _Bucket) -> None:
        b.linked = False
        if not b.keys:
            q.unanchored.discard(b)
            return
        by_attr = self.by_attr
        for k in b.keys:
            st = by_attr.get(k)
            if st is not None:
                st.discard(b)      # empty sets stay: the keys recur

    def _unregister(self, q: _Queue, b: _Bucket) -> None:
        if b.linked:
            self._unlink(q, b)
        b.registered = False
        if b.keys:
            by_attr = self.by_attr
            for k in b.keys:
                st = by_attr.get(k)
                if st is not None and not st:
                    del by_attr[k]
        b.heap.clear()
        q.buckets.pop(b.expr.text, None)

    def _bucket_in(self, c: _Call) -> None:
        """Put a WAITING call into the bucket of its requirement (keeps its place: same key)."""
        q = c.queue
        b = self._bucket_for(q, c.expr)
        c.bucket = b
        c.token += 1
        heapq.heappush(b.heap, (c.key, c.seq, c.token, c))
        b.live += 1
        if not b.registered:
            self._register(q, b)

    def _bucket_out(self, c: _Call) -> None:
        b = c.bucket
        if b is None:
            return
        c.bucket = None
        c.token += 1
        b.live -= 1
        if b.live <= 0:
            b.live = 0
            b.heap.clear()
            q = c.queue
            if len(q.buckets) > 1024:   # keep empty buckets registered: requirements recur
                self._unregister(q, b)

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

    # ----------------------------------------------------------------------------- matching
    def _excluded(self, c: _Call, a: _Agent, now: float) -> bool:
        m = c.missed
        if m is None:
            return False
        until = m.get(a.id)
        return until is not None and until > now

    def _heaps_for(self, q: _Queue, expr: Expr) -> list[list]:
        """The agent heaps to walk for ``expr``: of its anchor options, the one with the fewest entries."""
        aidx = q.aidx
        opts = expr.options
        if opts is None:
            h = aidx.get(None)
            if h is None:
                h = self._build_heap(q, None)
            return [h]
        best = None
        best_n = -1
        for opt in opts:
            if len(opt) == 1:
                name = opt[0][0]
                h = aidx.get(name)
                if h is None:
                    h = self._build_heap(q, name)
                n = len(h)
                if best is None or n < best_n:
                    best = [h] if h else []
                    best_n = n
                    if n == 0:
                        break
                continue
            hs = []
            n = 0
            for name, _lo in opt:
                h = aidx.get(name)
                if h is None:
                    h = self._build_heap(q, name)
                if h:
                    for x in hs:
                        if x is h:
                            break
                    else:
                        hs.append(h)
                        n += len(h)
            if best is None or n < best_n:
                best = hs
                best_n = n
                if n == 0:
                    break
        return best or []

    def _find_agents(self, c: _Call, now: float, ring_all: bool) -> list[_Agent]:
        """Agents for call ``c`` in strategy order: the first, or for ring-all every agent of the lowest
        penalty tier that qualifies."""
        q = c.queue
        expr = c.expr
        opts = expr.options
        if opts is not None and len(opts[0]) == 1:
            # inlined _heaps_for when the first option is a single skill (the usual AND of literals)
            aidx = q.aidx
            heaps = None
            best_n = -1
            for opt in opts:
                if len(opt) != 1:
                    heaps = self._heaps_for(q, expr)
                    break
                name = opt[0][0]
                h = aidx.get(name)
                if h is None:
                    h = self._build_heap(q, name)
                n = len(h)
                if heaps is None or n < best_n:
                    best_n = n
                    if n == 0:
                        return []
                    heaps = [h]
        else:
            heaps = self._heaps_for(q, expr)
        if not heaps:
            return []
        fn = c.expr.fn
        if len(heaps) == 1 and not ring_all:
            # common case: walk one heap in strategy order
            h = heaps[0]
            hpop = heapq.heappop
            stash = []
            found = None
            while h:
                e = hpop(h)
                ag = e[5]
                if not (ag.avail and ag.ver == e[4]):
                    continue                      # stale entry: dropped for good
                stash.append(e)
                if fn(ag.attrs) and not (c.missed and self._excluded(c, ag, now)):
                    found = ag
                    break
            for e in stash:
                heapq.heappush(h, e)
            return [found] if found is not None else []
        stash: list = []
        found: list[_Agent] = []
        seen: set | None = set() if len(heaps) > 1 else None
        tier = None
        hpop = heapq.heappop
        while True:
            best_h = None
            best_e = None
            for h in heaps:
                while h:
                    e = h[0]
                    ag = e[5]
                    if ag.avail and ag.ver == e[4]:
                        break
                    hpop(h)
                else:
                    continue
                if best_e is None or e < best_e:
                    best_e = e
                    best_h = h
            if best_h is None:
                break
            if tier is not None and best_e[0] > tier:
                break
            hpop(best_h)
            stash.append((best_h, best_e))
            ag = best_e[5]
            if seen is not None:
                if ag in seen:
                    continue
                seen.add(ag)
            if fn(ag.attrs) and not (c.missed and self._excluded(c, ag, now)):
                found.append(ag)
                if not ring_all:
                    break
                tier = best_e[0]
        for h, e in stash:
            heapq.heappush(h, e)
        return found

    def _match_call(self, c: _Call, now: float, out: list) -> bool:
        """Offer a WAITING call to the best available agent(s), if any."""
        q = c.queue
        if c.state != WAITING or q.staffed == 0:
            return False
        ring_all = q.strategy == "ring-all" and c.callback is None
        agents = self._find_agents(c, now, ring_all)
        if not agents:
            return False
        self._offer(c, agents, now, out)
        return True

    def _head_for(self, b: _Bucket, a: _Agent, now: float) -> _Call | None:
        h = b.heap
        while h:
            e = h[0]
            c = e[3]
            if c.bucket is b and c.token == e[2] and c.state == WAITING:
                break
            heapq.heappop(h)
        else:
            return None
        c = h[0][3]
        if not c.missed or not self._excluded(c, a, now):
            return c
        # the head missed this agent recently: look further down (rare)
        stash = []
        found = None
        while h:
            e = heapq.heappop(h)
            c = e[3]
            if not (c.bucket is b and c.token == e[2] and c.state == WAITING):
                continue
            stash.append(e)
            if not self._excluded(c, a, now):
                found = c
                break
        for e in stash:
            heapq.heappush(h, e)
        return found

    def _match_agent(self, a: _Agent, now: float, out: list) -> bool:
        """Give an available agent the most urgent waiting call it qualifies for, over all its queues."""
        best = self._best_call_for(a, now)
        if best is None:
            return False
        self._offer(best, [a], now, out)
        return True

    def _best_call_for(self, a: _Agent, now: float) -> _Call | None:
        """The most urgent waiting call agent ``a`` qualifies for, over all its queues.

        Calls compare by effective priority (priority + aging x wait), then arrival: as a key,
        (static key - aging x now, seq). A bucket's heap top is a lower bound of its live head, so
        buckets that cannot beat the best so far are skipped without evaluating their requirement."""
        attrs = a.attrs
        cands = []
        append = cands.append
        queues = self.queues
        shifts = {}                 # the agent's queues that have calls -> aging x now
        for qn in a.queues:
            q = queues.get(qn)
            if q is None or not q.order:
                continue
            shift = shifts[q] = q.aging * now
            if q.unanchored:
                for b in q.unanchored:
                    h = b.heap
                    if h:
                        top = h[0]
                        append((top[0] - shift, top[1], id(b), b, shift))
        if not shifts:
            return None
        sget = shifts.get
        for st in map(self.by_attr.get, a.attr_keys):
            if st:
                for b in st:
                    h = b.heap
                    if h:
                        shift = sget(b.q)
                        if shift is not None:
                            top = h[0]
                            append((top[0] - shift, top[1], id(b), b, shift))
        if not cands:
            return None
        # a bucket's heap top bounds its live head from below: walk buckets in bound order and stop as
        # soon as the best head found so far cannot be beaten
        cands.sort()
        hpop = heapq.heappop
        best: _Call | None = None
        best_k = None
        seen: set | None = None
        for lb, seq, _bid, b, shift in cands:
            if best_k is not None and (lb, seq) >= best_k:
                break
            if b.multi:
                if seen is None:
                    seen = set()
                elif b in seen:
                    continue
                seen.add(b)
            if not b.expr.fn(attrs):
                continue
            # inlined _head_for: drop stale heap entries, take the head unless it missed this agent
            h = b.heap
            while h:
                e = h[0]
                c = e[3]
                if c.bucket is b and c.token == e[2] and c.state == WAITING:
                    break
                hpop(h)
            else:
                continue
            if c.missed and self._excluded(c, a, now):
                c = self._head_for(b, a, now)
                if c is None:
                    continue
            k = (c.key - shift, c.seq)
            if best_k is None or k < best_k:
                best_k = k
                best = c
        return best

    def _offer(self, c: _Call, agents: list[_Agent], now: float, out: list) -> None:
        q = c.queue
        self._bucket_out(c)
        c.state = OFFERED
        self._oid += 1
        timeout = q.cfg.rona_timeout
        offer = c.offer = _OfferState(list(agents), now + timeout, self._oid, now, c.callback is not None, c)
        self._timer(now + timeout, T_OFFER, offer, self._oid, timeout)
        q.rr_counter += 1
        for a in agents:
            a.offers[c.id] = c
            a.rr[q.name] = q.rr_counter
        req = c.expr.text if c.expr is not None else "any"
        ri = c.rule.index if c.rule is not None else None
        if c.callback is not None:
            out.append(CallbackDue(c.id, q.name, c.callback, agents[0].id, timeout))
            out.append(Offer(c.id, (agents[0].id,), q.name, timeout, c.callback, req, ri))
        else:
            out.append(Offer(c.id, tuple(a.id for a in agents), q.name, timeout, None, req, ri))
        for a in agents:
            if a.logged_in and not a.paused and (len(a.offers) + len(a.active) + len(a.wraps)) < a.max_conc:
                a.avail = True                      # inlined _refresh_agent(force=True)
                a.avail_since = now
                self._index_agent(a)
            elif a.avail:
                a.avail = False
                a.ver += 1
            if a.logged_in and a.state != "ringing":    # inlined _touch: an agent with an offer rings
                a.acc[a.state] = a.acc.get(a.state, 0.0) + (now - a.state_since)
                a.state = "ringing"
                a.state_since = now
                if self.emit_agent_states:
                    out.append(AgentStateChanged(a.id, "ringing", None))
            elif not a.logged_in:
                self._touch(a, now, out)

    # -------------------------------------------------------------------------- queue membership
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

    def _cancel_offer(self, c: _Call, reason: str, now: float, out: list) -> list[_Agent]:
        """Withdraw an outstanding offer (CancelOffer to each ringing agent); returns the freed agents."""
        if c.state != OFFERED or c.offer is None:
            return []
        agents = list(c.offer.agents)
        c.offer.call = None
        c.offer = None
        for a in agents:
            a.offers.pop(c.id, None)
            out.append(CancelOffer(c.id, a.id, reason))
        c.state = WAITING
        # the agents are free again: put them back to work once the call has settled
        self._pending_agents.extend(agents)
        return agents

    def _flush_agents(self, now: float, out: list) -> None:
        pend = self._pending_agents
        if pend:
            self._pending_agents = []
            for a in pend:
                if a.id in self.agents:
                    self._after_agent_change(a, now, out)

    def _offer_failed(self, c: _Call, agents: list[_Agent], now: float, out: list, *, timeout: bool,
                      strike: bool = True) -> None:
        """Agents in ``agents`` will not take ``c`` (declined, no answer, logged out)."""
        offer = c.offer
        q = c.queue
        for a in agents:
            if offer is not None and a in offer.agents:
                offer.agents.remove(a)
            a.offers.pop(c.id, None)
            if c.missed is None:
                c.missed = {}
            c.missed[a.id] = now + q.cfg.retry
        if offer is not None and not offer.agents:
            offer.call = None
            c.offer = None
            c.state = WAITING
            self._eval_rule(c, now, out, announce_change=True)
            if q.cfg.retry > 0:
                self._timer(now + q.cfg.retry, T_RETRY, c, c.entry, q.cfg.retry)
        single = len(agents) == 1 and (offer is None or not offer.agents) and q.strategy != "ring-all"
        for a in agents:
            if timeout and strike and single and q.cfg.rona_strikes > 0:
                a.strikes += 1
                if a.strikes >= q.cfg.rona_strikes and a.logged_in and not a.paused:
                    a.strikes = 0
                    self._pause(a, "no-answer", now, out)
                    out.append(AgentAutoPaused(a.id, "no-answer"))
            self._after_agent_change(a, now, out)
        if c.state == WAITING:
            self._match_call(c, now, out)

    def _pause(self, a: _Agent, reason: str | None, now: float, out: list) -> None:
        if a.logged_in and not a.paused:
            for qn in a.queues:
                q = self.queues.get(qn)
                if q is not None:
                    q.staffed -= 1
                    q.staffed_slots -= a.max_conc
        a.paused = True
        a.reason = reason
        self._set_unavailable(a)
        self._check_empty(a, now, out)

    def _check_empty(self, a: _Agent, now: float, out: list) -> None:
        for qn in a.queues:
            q = self.queues.get(qn)
            if q is not None and q.staffed == 0 and q.cfg.leave_empty and q.calls:
                for c in sorted(q.calls.values(), key=lambda c: (c.key, c.seq)):
                    if c.callback is not None:
                        continue
                    self._cancel_offer(c, "overflowed", now, out)
                    self._overflow(c, q, "leave-empty", now, out)

    def _end_wrap(self, a: _Agent, token: int, now: float, out: list) -> None:
        start, until, q = a.wraps.pop(token)
        dur = max(0.0, min(now, until) - start)
        if q is not None:
            q.st.wrap += dur
            q.aht = 0.9 * q.aht + 0.1 * (dur + q.st.talk / max(q.st.handled, 1))

    # ================================================================================== events
    def call_arrived(self, call_id: Any, queue: str, now: float, priority: float = 0, *,
                     skills: dict | None = None, language: str | None = None,
                     requirements: list[str] | str | None = None, data: Any = None) -> list[Decision]:
        """A caller asks to be queued. ``skills`` ({skill: min level}) and ``language`` are hard
        requirements ANDed with the queue's rule in force; ``requirements`` (rule list) replaces the
        queue's rules for this call."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        if call_id in self.calls:
            out.append(Refused("call_arrived", "duplicate call id", call_id=call_id))
            return out
        q = self.queues.get(queue)
        if q is None:
            out.append(Refused("call_arrived", f"unknown queue {queue!r}", call_id=call_id))
            return out
        try:
            prio = float(priority or 0)
            if not math.isfinite(prio):
                raise ValueError
        except (TypeError, ValueError):
            out.append(Refused("call_arrived", f"bad priority {priority!r}", call_id=call_id))
            return out
        c = _Call(call_id, prio, now, self._next_seq())
        try:
            if skills or language:
                try:
                    ckey = (tuple(skills.items()) if skills else None, language)
                    c.extra = self._extra_cache.get(ckey)
                except TypeError:
                    ckey = None
                if c.extra is None:
                    parts = []
                    if skills:
                        for k, v in skills.items():
                            lvl = int(v) if v is not None else 1
                            parts.append(parse_expr(f"{str(k).strip().lower()} >= {max(1, min(lvl, 5))}"))
                    if language:
                        parts.append(parse_expr(f"lang_{str(language).strip().lower()}"))
                    extra = parts[0]
                    for e in parts[1:]:
                        extra = conjoin(extra, e)
                    c.extra = extra
                    if ckey is not None and len(self._extra_cache) < 100_000:
                        self._extra_cache[ckey] = c.extra
            if requirements:
                c.rules = parse_rules(requirements, queue=q.name)
        except (RuleError, ValueError, TypeError, AttributeError) as exc:
            out.append(Refused("call_arrived", f"bad requirement: {exc}", call_id=call_id))
            return out
        c.language = language
        c.skills = dict(skills) if skills else None
        c.data = data
        self.calls[call_id] = c
        self._admit(c, q, now, out)
        self._flush_agents(now, out)
        return out

    def call_abandoned(self, call_id: Any, now: float) -> list[Decision]:
        """The caller hung up while waiting or ringing (after an answer this is the same as call_ended;
        for a callback it cancels the callback)."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        c = self.calls.get(call_id)
        if c is None:
            out.append(Refused("call_abandoned", "unknown or finished call", call_id=call_id))
            return out
        if c.state == ANSWERED:
            return out + self.call_ended(call_id, now)
        q = c.queue
        self._cancel_offer(c, "abandoned", now, out)
        self._leave_queue(c)
        self._finish(c, q, "abandoned", now, out)
        self._flush_agents(now, out)
        return out

    def callback_requested(self, call_id: Any, number: str, now: float) -> list[Decision]:
        """The caller leaves the phone but keeps their place; when the call reaches the head and an agent
        is free the router returns CallbackDue (agent reserved) for the adapter to dial."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        c = self.calls.get(call_id)
        if c is None or c.state not in (WAITING, OFFERED):
            out.append(Refused("callback_requested", "unknown or not waiting", call_id=call_id))
            return out
        self._cancel_offer(c, "callback", now, out)
        c.callback = str(number)
        if c.bucket is None:
            self._eval_rule(c, now, out)
        self._flush_agents(now, out)
        if c.state == WAITING:
            self._match_call(c, now, out)
        return out

    def offer_answered(self, call_id: Any, agent_id: Any, now: float) -> list[Decision]:
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        c = self.calls.get(call_id)
        a = self.agents.get(agent_id)
        if c is None or a is None or c.state != OFFERED or c.offer is None or a not in c.offer.agents:
            out.append(Refused("offer_answered", "no such outstanding offer", call_id=call_id, agent_id=agent_id))
            return out
        q = c.queue
        losers = [x for x in c.offer.agents if x is not a]
        c.offer.call = None
        c.offer = None
        for x in losers:
            x.offers.pop(c.id, None)
            out.append(CancelOffer(c.id, x.id, "answered-elsewhere"))
        a.offers.pop(c.id, None)
        a.active[c.id] = c
        a.strikes = 0
        a.calls_taken[q.name] = a.calls_taken.get(q.name, 0) + 1
        c.state = ANSWERED
        c.agent = a
        c.t_answered = now
        self._leave_queue(c)
        self._finish(c, q, "called-back" if c.callback is not None else "answered", now, out, agent=a)
        self._after_agent_change(a, now, out)
        for x in losers:
            self._after_agent_change(x, now, out)
        return out

    def offer_declined(self, call_id: Any, agent_id: Any, now: float) -> list[Decision]:
        return self._offer_result("offer_declined", call_id, agent_id, now, timeout=False)

    def offer_timed_out(self, call_id: Any, agent_id: Any, now: float) -> list[Decision]:
        return self._offer_result("offer_timed_out", call_id, agent_id, now, timeout=True)

    def _offer_result(self, ev: str, call_id: Any, agent_id: Any, now: float, timeout: bool) -> list[Decision]:
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        c = self.calls.get(call_id)
        a = self.agents.get(agent_id)
        if c is None or a is None or c.state != OFFERED or c.offer is None or a not in c.offer.agents:
            out.append(Refused(ev, "no such outstanding offer", call_id=call_id, agent_id=agent_id))
            return out
        self._offer_failed(c, [a], now, out, timeout=timeout)
        return out

    def call_ended(self, call_id: Any, now: float) -> list[Decision]:
        """An answered call hung up: the agent goes to wrap-up (agent's wrapup, else the queue's)."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        c = self.calls.get(call_id)
        if c is None or c.state != ANSWERED:
            out.append(Refused("call_ended", "unknown or unanswered call", call_id=call_id))
            return out
        a = c.agent
        q = c.queue
        c.state = DONE
        del self.calls[call_id]
        talk = now - c.t_answered
        if a is not None:
            a.active.pop(c.id, None)
            a.talk_total += talk
            a.handled += 1
            q.st.talk += talk
            q.st.handled += 1
            wr = a.cfg.wrapup if a.cfg.wrapup is not None else q.cfg.wrapup
            if wr > 0 and a.logged_in:
                tok = self._next_seq()
                a.wraps[tok] = (now, now + wr, q)
                self._timer(now + wr, T_WRAP, a, tok, wr)
            else:
                q.aht = 0.9 * q.aht + 0.1 * talk
            self._after_agent_change(a, now, out)
        return out

    def wrapup_done(self, agent_id: Any, now: float) -> list[Decision]:
        """The agent finished wrap-up early."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        a = self.agents.get(agent_id)
        if a is None:
            out.append(Refused("wrapup_done", "unknown agent", agent_id=agent_id))
            return out
        for tok in list(a.wraps):
            self._end_wrap(a, tok, now, out)
        self._after_agent_change(a, now, out)
        return out

    def agent_logged_in(self, agent_id: Any, now: float, paused: bool = False,
                        reason: str | None = None) -> list[Decision]:
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        a = self.agents.get(agent_id)
        if a is None:
            out.append(Refused("agent_logged_in", "unknown agent (add it with add_agent first)", agent_id=agent_id))
            return out
        if a.logged_in:
            out.append(Refused("agent_logged_in", "already logged in", agent_id=agent_id))
            return out
        a.logged_in = True
        a.paused = bool(paused)
        a.reason = reason if paused else None
        a.strikes = 0
        if not a.paused:
            for qn in a.queues:
                q = self.queues.get(qn)
                if q is not None:
                    q.staffed += 1
                    q.staffed_slots += a.max_conc
        self._after_agent_change(a, now, out)
        return out

    def agent_logged_out(self, agent_id: Any, now: float) -> list[Decision]:
        """Outstanding offers are withdrawn (the calls keep their place); calls in progress continue."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        a = self.agents.get(agent_id)
        if a is None or not a.logged_in:
            out.append(Refused("agent_logged_out", "unknown or not logged in", agent_id=agent_id))
            return out
        if not a.paused:
            for qn in a.queues:
                q = self.queues.get(qn)
                if q is not None:
                    q.staffed -= 1
                    q.staffed_slots -= a.max_conc
        a.logged_in = False
        a.paused = False
        a.reason = None
        self._set_unavailable(a)
        for tok in list(a.wraps):
            self._end_wrap(a, tok, now, out)
        for c in list(a.offers.values()):
            out.append(CancelOffer(c.id, a.id, "logged-out"))
            self._offer_failed(c, [a], now, out, timeout=False)
        self._touch(a, now, out)
        self._check_empty(a, now, out)
        self._flush_agents(now, out)
        return out

    def agent_paused(self, agent_id: Any, now: float, reason: str | None = None) -> list[Decision]:
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        a = self.agents.get(agent_id)
        if a is None or not a.logged_in:
            out.append(Refused("agent_paused", "unknown or not logged in", agent_id=agent_id))
            return out
        if a.paused:
            a.reason = reason
            return out
        self._pause(a, reason, now, out)
        self._touch(a, now, out)
        self._flush_agents(now, out)
        return out

    def agent_unpaused(self, agent_id: Any, now: float) -> list[Decision]:
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        a = self.agents.get(agent_id)
        if a is None or not a.logged_in:
            out.append(Refused("agent_unpaused", "unknown or not logged in", agent_id=agent_id))
            return out
        if a.paused:
            a.paused = False
            a.reason = None
            a.strikes = 0
            for qn in a.queues:
                q = self.queues.get(qn)
                if q is not None:
                    q.staffed += 1
                    q.staffed_slots += a.max_conc
        self._after_agent_change(a, now, out)
        return out

    def agent_ready(self, agent_id: Any, now: float) -> list[Decision]:
        """The agent says "ready": ends a pause and any wrap-up."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        a = self.agents.get(agent_id)
        if a is None or not a.logged_in:
            out.append(Refused("agent_ready", "unknown or not logged in", agent_id=agent_id))
            return out
        for tok in list(a.wraps):
            self._end_wrap(a, tok, now, out)
        return out + self.agent_unpaused(agent_id, now)

    def tick(self, now: float) -> list[Decision]:
        """Run due timers; re-evaluate EWT-based rules (at most once per second per queue)."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        for q in self.queues.values():
            if q.ewt_calls and now - q.last_ewt_eval >= 1.0:
                q.last_ewt_eval = now
                for c in sorted(q.ewt_calls, key=lambda c: (c.key, c.seq)):
                    if c.state == WAITING and c.queue is q:
                        before = c.expr
                        self._eval_rule(c, now, out, announce_change=True)
                        if c.expr is not before:
                            self._match_call(c, now, out)
        return out

    # ------------------------------------------------------------------------------ supervisor
    def move_call(self, call_id: Any, queue: str, now: float) -> list[Decision]:
        """Move a waiting (or ringing) call to another queue; it keeps its seniority (arrival time)."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        c = self.calls.get(call_id)
        nq = self.queues.get(queue)
        if c is None or c.state not in (WAITING, OFFERED):
            out.append(Refused("move_call", "unknown or not waiting", call_id=call_id))
            return out
        if nq is None:
            out.append(Refused("move_call", f"unknown queue {queue!r}", call_id=call_id))
            return out
        if nq is c.queue:
            return out
        self._cancel_offer(c, "moved", now, out)
        old = c.queue
        self._leave_queue(c)
        old.st.moved_out += 1
        self._enter_queue(c, nq, now, out)
        self._flush_agents(now, out)
        return out

    def set_priority(self, call_id: Any, priority: float, now: float) -> list[Decision]:
        """Change a waiting call's priority (its place among equal priorities stays by arrival)."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        c = self.calls.get(call_id)
        if c is None or c.state not in (WAITING, OFFERED):
            out.append(Refused("set_priority", "unknown or not waiting", call_id=call_id))
            return out
        try:
            p = float(priority)
            if not math.isfinite(p):
                raise ValueError
        except (TypeError, ValueError):
            out.append(Refused("set_priority", f"bad priority {priority!r}", call_id=call_id))
            return out
        c.priority = p
        self._rekey(c)
        return out

    # ---------------------------------------------------------------------------------- views
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
            else _STATE_NAMES[c.state], "position": pos, "wait": now - c.t_entered,
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
        busy = acc.get("on-call", 0.0) + acc.get("wrap-up", 0.0)
        idle = acc.get("ready", 0.0) + acc.get("ringing", 0.0)
        return {
            "agent_id": a.id, "name": a.cfg.name, "state": a.state, "reason": a.reason if a.paused else None,
            "paused": a.paused, "since": a.state_since, "time_in_state": now - a.state_since,
            "calls": sorted(map(str, a.active)), "offers": sorted(map(str, a.offers)), "wrapups": len(a.wraps),
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
            acc = a.acc
            b = acc.get("on-call", 0.0) + acc.get("wrap-up", 0.0)
            i = acc.get("ready", 0.0) + acc.get("ringing", 0.0)
            if a.state in ("on-call", "wrap-up"):
                b += now - a.state_since
            elif a.state in ("ready", "ringing"):
                i += now - a.state_since
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
        """(busy, available) seconds summed over all agents since they were added: busy is on call or
        in wrap-up, available is ready or ringing (occupancy = busy / (busy + available))."""
        now = self.now if now is None else max(float(now), self.now)
        busy = idle = 0.0
        for a in self.agents.values():
            acc = a.acc
            busy += acc.get("on-call", 0.0) + acc.get("wrap-up", 0.0)
            idle += acc.get("ready", 0.0) + acc.get("ringing", 0.0)
            st = a.state
            if st == "on-call" or st == "wrap-up":
                busy += now - a.state_since
            elif st == "ready" or st == "ringing":
                idle += now - a.state_since
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
