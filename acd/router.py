"""The Router: skill-based routing as a pure state machine.

Every event method takes ``now`` (float seconds, any epoch, never decreasing; an earlier value is
treated as the latest one seen) and returns a list of :mod:`acd.decisions`. Timers (offer timeouts,
wrap-up ends, rule relaxation, max wait, announcements) run at the start of every event and in
:meth:`Router.tick`; :meth:`Router.next_deadline` says when the next one is due.

Indexes (why a decision never scans all agents or all calls):

* agents (:mod:`acd.agents`): per queue, one heap per (skill or tag, level) plus one for the whole
  queue, holding the *available* agents ordered by the queue's strategy key (penalty first). A call's
  requirement names its "anchors" (skills every matching agent must have at some level); the router
  walks only those heaps, in strategy order, and stops at the first agent that satisfies the whole
  expression. Entries are invalidated lazily with a per-agent version number.
* calls (:mod:`acd.calls`, :mod:`acd.index`): per queue, waiting calls are grouped into buckets by the
  requirement in force (equal requirements share a bucket); each bucket is a heap in queue order
  (priority, aging, arrival). Buckets are indexed by the (skill, level) of their anchors, so an agent who
  becomes ready looks only at buckets it could serve, and compares their heads. The index is one dict for
  all queues, keyed by small ints ((skill, level) ids, and id pairs for two-literal requirements): an
  agent in several queues probes each of its keys once and skips buckets of queues it is not in.
* timers (:mod:`acd.timers`): a heap of (due, seq, ...), but timers set a fixed delay after their making
  (offer timeouts, wrap-ups, rule thresholds, retries) queue in per-(kind, delay) FIFO lanes and only each
  lane's head sits in the heap, so the heap stays small. Order is exactly (due, creation) either way.

The Router class is assembled from one part per concept (mixins without state of their own; all state
is set in :meth:`Router.__init__`): :class:`acd.agents.AgentIndex`, :class:`acd.calls.CallQueues`,
:class:`acd.index.MatchIndex`, :class:`acd.offers.Offers`, :class:`acd.timers.Timers` and
:class:`acd.views.RouterViews`. This module keeps construction, configuration changes, the event API
and running the timers. Methods are looked up on the class however deep they sit in its bases, so the
split costs the hot paths nothing (``bench/acd_bench.py``).
"""
from __future__ import annotations

import heapq
import math
import random
from typing import Any, Iterable

from .agents import AgentIndex, _Agent
from .calls import ANSWERED, DONE, OFFERED, WAITING, CallQueues, _Call, _Queue
from .config import AgentConfig, ConfigError, QueueConfig
from .decisions import Announce, CancelOffer, Decision, Overflow, Refused
from .index import MatchIndex
from .offers import Offers
from .rules import Expr, RuleError, conjoin, parse_expr, parse_rules
from .timers import T_ANNOUNCE, T_MAXWAIT, T_OFFER, T_RETRY, T_RULE, T_WRAP, Timers, _Lane
from .views import RouterViews

__all__ = ["Router"]


class Router(AgentIndex, CallQueues, MatchIndex, Offers, Timers, RouterViews):
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

    # ---------------------------------------------------------------------------------- timers
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

    def call_failed(self, call_id: Any, now: float) -> list[Decision]:
        """The call was lost without anyone hanging up (its telephony went away): it leaves the
        queue like an abandon but is counted as neither answered nor abandoned."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        c = self.calls.get(call_id)
        if c is None:
            out.append(Refused("call_failed", "unknown or finished call", call_id=call_id))
            return out
        if c.state == ANSWERED:
            return out + self.call_ended(call_id, now)
        q = c.queue
        self._cancel_offer(c, "failed", now, out)
        self._leave_queue(c)
        self._finish(c, q, "failed", now, out)
        self._flush_agents(now, out)
        return out

    def callback_requested(self, call_id: Any, number: str, now: float) -> list[Decision]:
        """The caller leaves the phone but keeps their place; when the call reaches the head and an agent
        is free the router returns CallbackDue (agent reserved) for the adapter to dial."""
        now, out, c = self._waiting_event("callback_requested", call_id, now)
        if c is None:
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

    def call_reattached(self, call_id: Any, queue: str, agent_id: Any, now: float,
                        answered_at: float | None = None) -> list[Decision]:
        """A call its agent answered before the engine restarted comes back still with that agent (e.g.
        on hold): the agent is on that call again. Nothing is counted again (the answer was counted
        then); :meth:`call_ended` ends it as any answered call (wrap-up)."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        q = self.queues.get(queue)
        a = self.agents.get(agent_id)
        if call_id in self.calls or q is None or a is None or not a.logged_in:
            why = ("duplicate call id" if call_id in self.calls else f"unknown queue {queue!r}" if q is None
                   else "unknown or logged-out agent")
            out.append(Refused("call_reattached", why, call_id=call_id, agent_id=agent_id))
            return out
        c = _Call(call_id, 0.0, now, self._next_seq())
        c.queue, c.state, c.agent = q, ANSWERED, a
        c.t_answered = answered_at if answered_at is not None else now
        self.calls[call_id] = c
        a.active[c.id] = c
        self._after_agent_change(a, now, out)
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
            self._staff(a, 1)
        self._after_agent_change(a, now, out)
        return out

    def agent_logged_out(self, agent_id: Any, now: float) -> list[Decision]:
        """Outstanding offers are withdrawn (the calls keep their place); calls in progress continue."""
        now, out, a = self._agent_event("agent_logged_out", agent_id, now)
        if a is None:
            return out
        if not a.paused:
            self._staff(a, -1)
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
        now, out, a = self._agent_event("agent_paused", agent_id, now)
        if a is None:
            return out
        if a.paused:
            a.reason = reason
            return out
        self._pause(a, reason, now, out)
        self._touch(a, now, out)
        self._flush_agents(now, out)
        return out

    def agent_unpaused(self, agent_id: Any, now: float) -> list[Decision]:
        now, out, a = self._agent_event("agent_unpaused", agent_id, now)
        if a is None:
            return out
        if a.paused:
            a.paused = False
            a.reason = None
            a.strikes = 0
            self._staff(a, 1)
        self._after_agent_change(a, now, out)
        return out

    def agent_ready(self, agent_id: Any, now: float) -> list[Decision]:
        """The agent says "ready": ends a pause and any wrap-up."""
        now, out, a = self._agent_event("agent_ready", agent_id, now)
        if a is None:
            return out
        for tok in list(a.wraps):
            self._end_wrap(a, tok, now, out)
        return out + self.agent_unpaused(agent_id, now)

    def _waiting_event(self, event: str, call_id: Any, now: float) -> tuple[float, list[Decision], _Call | None]:
        """Start ``event`` about a waiting or ringing call (clock, due timers): (now, out, call); call None
        after refusing the event (in ``out``)."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        c = self.calls.get(call_id)
        if c is None or c.state not in (WAITING, OFFERED):
            out.append(Refused(event, "unknown or not waiting", call_id=call_id))
            c = None
        return now, out, c

    def _agent_event(self, event: str, agent_id: Any, now: float) -> tuple[float, list[Decision], _Agent | None]:
        """Start ``event`` about a logged-in agent (clock, due timers): (now, out, agent); agent None
        after refusing the event (in ``out``)."""
        now = self._clock(now)
        out: list[Decision] = []
        self._run_timers(now, out)
        a = self.agents.get(agent_id)
        if a is None or not a.logged_in:
            out.append(Refused(event, "unknown or not logged in", agent_id=agent_id))
            a = None
        return now, out, a

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
        now, out, c = self._waiting_event("move_call", call_id, now)
        if c is None:
            return out
        nq = self.queues.get(queue)
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
        now, out, c = self._waiting_event("set_priority", call_id, now)
        if c is None:
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
