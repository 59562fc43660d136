"""Offers: ringing agents, and what happens when nobody answers (part of :class:`acd.router.Router`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .calls import OFFERED, WAITING, _OfferState
from .decisions import AgentAutoPaused, AgentStateChanged, CallbackDue, CancelOffer, Offer
from .timers import T_OFFER, T_RETRY

if TYPE_CHECKING:
    from .agents import _Agent
    from .calls import _Call

__all__: list[str] = []


class Offers:
    """Offering a call to agents and withdrawing it (a mixin: the state lives on the Router)."""

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
                a.avail = True                      # re-indexed: its load changed
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
