"""A naive router for the benchmark baseline: the way app_queue works, without indexes.

Same event API and decision classes as :class:`acd.Router` (the subset the benchmark drives), same
compiled requirement expressions, same strategy (longest idle, lowest penalty first), but:

* a call looking for an agent walks the queue's member list (app_queue's ``ring_one`` over members);
* an agent who becomes free walks the waiting calls of each of its queues in order, evaluating the
  rule in force for each one;
* tick() re-evaluates the rule of every waiting call and retries the ones that changed.
"""
from __future__ import annotations

from acd.config import AgentConfig, QueueConfig
from acd.decisions import CallFinished, CancelOffer, Offer, Queued, Refused
from acd.rules import Node, intern_expr, parse_expr


class NCall:
    __slots__ = ("id", "queue", "prio", "t0", "extra", "state", "agent", "rule", "seq")


class NAgent:
    __slots__ = ("id", "attrs", "queues", "logged", "paused", "busy", "idle_since")


class NQueue:
    __slots__ = ("cfg", "members", "waiting")


class NaiveRouter:
    def __init__(self, queues, agents) -> None:
        self.queues: dict[str, NQueue] = {}
        self.agents: dict = {}
        self.calls: dict = {}
        self.now = 0.0
        self.seq = 0
        self._combo: dict = {}
        for qc in queues:
            q = NQueue()
            q.cfg = qc if isinstance(qc, QueueConfig) else QueueConfig.from_dict(qc)
            q.members = []
            q.waiting = []
            self.queues[q.cfg.name] = q
        for ac in agents:
            ac = ac if isinstance(ac, AgentConfig) else AgentConfig.from_dict(ac)
            a = NAgent()
            a.id = ac.id
            a.attrs = ac.attrs
            a.queues = dict(ac.queues)
            a.logged = a.paused = False
            a.busy = None
            a.idle_since = 0.0
            self.agents[a.id] = a
            for qn, pen in a.queues.items():
                if qn in self.queues:
                    self.queues[qn].members.append((pen, a))
        for q in self.queues.values():
            q.members.sort(key=lambda m: m[0])

    # -------------------------------------------------------------------------------- helpers
    def _free(self, a: NAgent) -> bool:
        return a.logged and not a.paused and a.busy is None

    def _expr(self, c: NCall):
        rule = c.queue.cfg.ruleset.select(self.now - c.t0, 0.0)
        e = rule.expr
        if c.extra is not None:
            key = (id(e), id(c.extra))
            combo = self._combo.get(key)
            if combo is None:
                combo = self._combo[key] = intern_expr(Node("and", (e.node, c.extra.node)))
            e = combo
        return e

    def _offer(self, c: NCall, a: NAgent, out: list) -> None:
        c.state = 1
        c.agent = a
        a.busy = c
        out.append(Offer(c.id, (a.id,), c.queue.cfg.name, c.queue.cfg.rona_timeout))

    def _match_call(self, c: NCall, out: list) -> None:
        fn = self._expr(c).fn
        best = None
        for pen, a in c.queue.members:              # walk every member
            if self._free(a) and fn(a.attrs):
                k = (pen, a.idle_since)
                if best is None or k < best[0]:
                    best = (k, a)
        if best is not None:
            self._offer(c, best[1], out)

    def _match_agent(self, a: NAgent, out: list) -> None:
        best = None
        for qn in a.queues:
            q = self.queues.get(qn)
            if q is None:
                continue
            for c in q.waiting:                     # walk the waiting callers in order
                if c.state == 0 and self._expr(c).fn(a.attrs):
                    k = (-c.prio, c.t0, c.seq)
                    if best is None or k < best[0]:
                        best = (k, c)
                    break
        if best is not None:
            self._offer(best[1], a, out)

    def _remove(self, c: NCall) -> None:
        c.queue.waiting.remove(c)

    # --------------------------------------------------------------------------------- events
    def call_arrived(self, call_id, queue, now, priority=0, *, skills=None, language=None, **_):
        self.now = max(self.now, now)
        out: list = []
        q = self.queues.get(queue)
        if q is None or call_id in self.calls:
            return [Refused("call_arrived", "bad", call_id=call_id)]
        c = NCall()
        c.id, c.queue, c.prio, c.t0, c.state, c.agent, c.rule = call_id, q, priority, self.now, 0, None, None
        self.seq += 1
        c.seq = self.seq
        nodes = [parse_expr(f"{k} >= {v}").node for k, v in (skills or {}).items()]
        if language:
            nodes.append(parse_expr(f"lang_{language}").node)
        c.extra = intern_expr(Node("and", tuple(nodes))) if nodes else None
        self.calls[call_id] = c
        # sorted insert by priority (app_queue inserts by priority, FIFO within)
        i = len(q.waiting)
        while i > 0 and q.waiting[i - 1].prio < priority:
            i -= 1
        q.waiting.insert(i, c)
        out.append(Queued(call_id, queue, i + 1, None))
        self._match_call(c, out)
        return out

    def offer_answered(self, call_id, agent_id, now):
        self.now = max(self.now, now)
        c = self.calls.get(call_id)
        if c is None or c.state != 1 or c.agent.id != agent_id:
            return [Refused("offer_answered", "bad", call_id=call_id)]
        c.state = 2
        self._remove(c)
        return [CallFinished(call_id, c.queue.cfg.name, "answered", self.now - c.t0, agent_id)]

    def offer_declined(self, call_id, agent_id, now):
        self.now = max(self.now, now)
        c = self.calls.get(call_id)
        if c is None or c.state != 1 or c.agent.id != agent_id:
            return [Refused("offer_declined", "bad", call_id=call_id)]
        a = c.agent
        c.state = 0
        c.agent = None
        a.busy = None
        a.idle_since = self.now
        out: list = []
        self._match_agent(a, out)
        if c.state == 0:
            self._match_call(c, out)
        return out

    def call_ended(self, call_id, now):
        self.now = max(self.now, now)
        c = self.calls.pop(call_id, None)
        if c is None or c.state != 2:
            return [Refused("call_ended", "bad", call_id=call_id)]
        a = c.agent
        a.busy = None
        a.idle_since = self.now
        out: list = []
        if self._free(a):
            self._match_agent(a, out)
        return out

    def call_abandoned(self, call_id, now):
        self.now = max(self.now, now)
        c = self.calls.get(call_id)
        if c is None or c.state == 2:
            return [Refused("call_abandoned", "bad", call_id=call_id)]
        out: list = []
        del self.calls[call_id]
        self._remove(c)
        if c.state == 1:
            a = c.agent
            a.busy = None
            a.idle_since = self.now
            out.append(CancelOffer(call_id, a.id, "abandoned"))
            self._match_agent(a, out)
        out.append(CallFinished(call_id, c.queue.cfg.name, "abandoned", self.now - c.t0))
        return out

    def agent_logged_in(self, agent_id, now):
        self.now = max(self.now, now)
        a = self.agents[agent_id]
        a.logged = True
        a.idle_since = self.now
        out: list = []
        self._match_agent(a, out)
        return out

    def agent_paused(self, agent_id, now, reason=None):
        self.now = max(self.now, now)
        self.agents[agent_id].paused = True
        return []

    def agent_unpaused(self, agent_id, now):
        self.now = max(self.now, now)
        a = self.agents[agent_id]
        a.paused = False
        out: list = []
        if self._free(a):
            self._match_agent(a, out)
        return out

    def tick(self, now):
        self.now = max(self.now, now)
        out: list = []
        for q in self.queues.values():
            for c in list(q.waiting):
                if c.state == 0:
                    rule = q.cfg.ruleset.select(self.now - c.t0, 0.0)
                    if rule is not c.rule:        # the requirement relaxed: look for an agent again
                        c.rule = rule
                        self._match_call(c, out)
        return out
