"""Carrying out the ACD router's decisions (``acd.router`` returns them; nothing here blocks).

One method per decision kind (``offer`` -> :meth:`Decisions._d_offer`...): an offer spawns the ringing
of each offered agent, a due callback spawns the callback, an announcement / overflow / supervisor
hang-up is queued to the call's actor (its inbox), agent state changes are published.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable

from .core import EngineSettings, EngineState, EventPublisher, TaskSet
from .model import ROUTER_TO_STATE, ivr_summary
from .ringing import Ringing

log = logging.getLogger("callcenter.engine")


class Decisions:
    def __init__(self, state: EngineState, settings: EngineSettings, events: EventPublisher,
                 tasks: TaskSet, ringing: Ringing) -> None:
        self.state = state
        self.settings = settings
        self.events = events
        self.tasks = tasks
        self.ringing = ringing

    def apply(self, decisions: Iterable[Any]) -> None:
        """Carry out router decisions (synchronously: anything slow is spawned or queued to a call)."""
        for d in decisions:
            try:
                getattr(self, "_d_" + d.kind.replace("-", "_"))(d)
            except Exception:  # noqa: BLE001 - one bad decision must not stop the others
                self.state.counters["engine_errors"] += 1
                log.exception("decision %s failed", d.kind, extra={"call_id": getattr(d, "call_id", None)})

    def _d_queued(self, d) -> None:
        call = self.state.calls.get(str(d.call_id))
        if call is not None:
            self.events.publish("CallPositioned", call, queue=d.queue, position=d.position, ewt=d.ewt)

    def _d_offer(self, d) -> None:
        if getattr(d, "callback_number", None):
            return      # a callback: the router also says CallbackDue, which is what we carry out
        now = self.events.now
        call = self.state.calls.get(str(d.call_id))
        if call is None:
            for aid in d.agent_ids:
                self.apply(self.state.router.offer_declined(d.call_id, aid, now()))
            return
        call.offered_to = tuple(d.agent_ids)
        if call.state == "waiting":
            call.state, call.state_since = "ringing", now()
        for aid in d.agent_ids:
            a = self.state.agents.get(aid)
            if a is not None:
                a.call_id = call.call_id
            self.events.publish("AgentOffered", call, agent_id=aid, queue=d.queue, caller=call.caller,
                                caller_name=call.caller_name, did=call.did, language=call.language,
                                intent=call.intent, ivr=dict(call.ivr), ivr_summary=ivr_summary(call.ivr_trace),
                                wait=round(now() - (call.queue_joined_at or now()), 1),
                                callback_number=d.callback_number)
            self.tasks.spawn(self.ringing.ring(call, aid, d.queue), f"ring-{call.call_id}-{aid}")

    def _d_callback_due(self, d) -> None:
        call = self.state.calls.get(str(d.call_id))
        if call is None:
            self.apply(self.state.router.offer_declined(d.call_id, d.agent_id, self.events.now()))
            return
        call.offered_to = (d.agent_id,)
        a = self.state.agents.get(d.agent_id)
        if a is not None:
            a.call_id = call.call_id
        self.events.publish("AgentOffered", call, agent_id=d.agent_id, queue=d.queue, caller=call.caller,
                            caller_name=call.caller_name, did=call.did, language=call.language, intent=call.intent,
                            ivr=dict(call.ivr), ivr_summary=ivr_summary(call.ivr_trace), callback_number=d.number)
        self.tasks.spawn(self.ringing.run_callback(call, d.agent_id, d.number, d.queue), f"callback-{call.call_id}")

    def _d_cancel_offer(self, d) -> None:
        a = self.state.agents.get(d.agent_id)
        call = self.state.calls.get(str(d.call_id))
        if call is not None:
            call.offered_to = tuple(x for x in call.offered_to if x != d.agent_id)
            if call.state == "ringing" and not call.offered_to:
                call.state, call.state_since = "waiting", self.events.now()
        if a is not None and a.call_id == str(d.call_id) and a.state != "on_call":
            a.call_id = None
        if d.reason in ("timeout",):
            self.events.publish("OfferMissed", call, agent_id=d.agent_id, queue=call.queue if call else None,
                                reason="timeout", ringtime=self.settings.offer_timeout)
        else:
            # withdrawn while the phone may still ring (the caller left, the call moved): stop the ring
            self.ringing.cancel(str(d.call_id), d.agent_id)

    def _d_announce(self, d) -> None:
        call = self.state.calls.get(str(d.call_id))
        if call is not None and call.state in ("waiting", "ringing"):
            call.inbox.put_nowait(("announce", d.position, d.ewt))

    def _d_overflow(self, d) -> None:
        call = self.state.calls.get(str(d.call_id))
        if call is None:
            return
        now = self.events.now
        self.events.publish("CallOverflowed", call, queue=d.queue, target=d.target, reason=d.reason,
                            to_queue=d.to_queue, holdtime=round(now() - (call.queue_joined_at or now()), 1))
        if d.to_queue and d.target:
            call.queue = d.target          # the caller's wait goes on (queue_joined_at kept)
            self.events.publish("CallQueued", call, queue=d.target, caller=call.caller, priority=call.priority,
                                reason="overflow", cdr={"queue": d.target})
        else:
            call.inbox.put_nowait(("leave", d.target, d.reason))

    def _d_agent_auto_paused(self, d) -> None:
        self.events.publish("AgentAutoPaused", None, agent_id=d.agent_id, reason=d.reason)

    def _d_agent_state_changed(self, d) -> None:
        a = self.state.agents.get(d.agent_id)
        if a is None:
            return
        now = self.events.now
        state = ROUTER_TO_STATE.get(d.state, d.state)
        if state != "wrap_up" and a.wrapup_task is not None:
            a.wrapup_task = None
        prev = a.state
        self.events.set_agent_state(a, state, d.reason if state == "paused" else None)
        if prev == "wrap_up" and state != "wrap_up":
            self.events.publish("WrapupEnded", None, agent_id=a.agent_id, call_id=a.call_id, queue=a.last_queue,
                                wrapup=round(now() - (self.state.wrap_started.pop(a.agent_id, now())), 1))
            a.call_id = None
        if state == "wrap_up":
            self.state.wrap_started[a.agent_id] = now()
        if state in ("ready", "paused", "logged_out") and a.call_id and prev not in ("on_call", "wrap_up"):
            c = self.state.calls.get(a.call_id)
            if c is None or c.agent_id != a.agent_id:
                a.call_id = None

    def _d_requirement_changed(self, d) -> None:
        call = self.state.calls.get(str(d.call_id))
        self.events.publish("CallRequirementRelaxed", call, queue=d.queue, rule=d.rule_index,
                            requirement=d.requirement)

    def _d_call_finished(self, d) -> None:
        call = self.state.calls.get(str(d.call_id))
        if call is None:
            return
        if d.outcome in ("answered", "called-back"):
            return  # the conversation is handled by the call actor / callback task
        if d.outcome == "overflowed":
            call.disposition = "overflowed"
        elif d.outcome == "abandoned" and call.disposition is None:
            call.disposition = "abandoned"

    def _d_refused(self, d) -> None:
        log.debug("router refused %s: %s", d.event, d.reason, extra={"call_id": d.call_id, "agent": d.agent_id})
