"""Ringing an agent for a waiting call, and callbacks: the tasks that run beside the call's actor.

* :meth:`Ringing.ring`: ring the agent's phone (``CallControl.ring_agent``); the result goes to the
  router (``offer_answered`` / ``offer_timed_out`` = RONA / ``offer_declined`` = busy, unavailable);
  an answered agent leg is handed to the caller's actor (inbox ``bridge``); an agent leg answered for a
  call that is gone (abandoned, answered elsewhere) is hung up. An unregistered phone pauses its agent.
* :meth:`Ringing.run_callback`: a callback (agent first, then the customer); its end comes as a
  ``ChannelHungup`` of either leg (:meth:`Ringing.on_channel_hungup`).
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from .call import Apply, CallLife, hangup_quietly
from .core import (CALLBACK_ATTEMPTS, NO_TELEPHONY, PHONE_IN_USE, PHONE_UNAVAILABLE, EngineSettings, EngineState,
                   EventPublisher, TaskSet)
from .model import LiveCall
from .ports import EnginePorts

log = logging.getLogger("callcenter.engine")

#: how often a withdrawn ring looks for its channel's name until Asterisk has reported it
CANCEL_POLL_S = 0.02


class Ringing:
    def __init__(self, state: EngineState, settings: EngineSettings, events: EventPublisher,
                 tasks: TaskSet, ports: EnginePorts, apply: Apply, life: CallLife) -> None:
        self.state = state
        self.settings = settings
        self.events = events
        self.tasks = tasks
        self.ports = ports
        self.apply = apply
        self.life = life
        self.ringing: dict[tuple[str, str], str] = {}     # (call id, agent id) -> the ring's Uniqueid
        self._told_no_telephony = False

    async def ring(self, call: LiveCall, agent_id: str, queue: str) -> None:
        a = self.state.agents.get(agent_id)
        t_start = self.events.now()
        control = self.ports.control
        iface = (a.phone or a.interface) if a is not None else None
        phones = self.ports.phones
        if control is None or not self.state.telephony:
            res_outcome, res_channel = "no_telephony", None
        elif a is None or not iface:
            res_outcome, res_channel = "unavailable", None
        elif phones.phone_known(iface) and phones.phone_registered(iface) and not phones.phone_idle(iface):
            # busy with a call the engine did not place (device INUSE / BUSY / RINGING): not rung
            res_outcome, res_channel = "in_use", None
        else:
            ring_id = f"cc-{uuid.uuid4()}"
            self.ringing[(call.call_id, agent_id)] = ring_id
            try:
                res = await control.ring_agent(iface, call_id=call.call_id,
                                               caller_channel=call.channel,
                                               caller_id=f'"{call.caller_name or call.caller}" <{call.caller}>',
                                               timeout=self.settings.rona_timeout,
                                               variables={"CC_QUEUE": queue, "CC_AGENT": agent_id},
                                               channel_id=ring_id)
                res_outcome, res_channel = res.outcome, res.channel
            except Exception as exc:  # noqa: BLE001 - ControlError or transport: the offer failed
                log.warning("ringing agent %s failed: %s", agent_id, exc, extra={"call_id": call.call_id})
                res_outcome, res_channel = "failed", None
            finally:
                self.ringing.pop((call.call_id, agent_id), None)
        if res_outcome == "answered":
            await self._answered(call, agent_id, queue, res_channel, t_start)
        else:
            self._not_answered(call, agent_id, queue, res_outcome, t_start)

    async def _answered(self, call: LiveCall, agent_id: str, queue: str, res_channel: str | None,
                        t_start: float) -> None:
        router = self.state.router
        a = self.state.agents.get(agent_id)
        now = self.events.now()
        still_wanted = (self.state.calls.get(call.call_id) is call and not call.done.is_set()
                        and agent_id in call.offered_to and call.state in ("ringing", "waiting"))
        if still_wanted:
            decisions = router.offer_answered(call.call_id, agent_id, now)
            if not any(d.kind == "refused" for d in decisions):
                call.state, call.state_since = "talking", now
                call.agent_id = agent_id
                call.answered_at = now
                call.hold_s = round(now - (call.queue_joined_at or now), 3)
                if a is not None:
                    a.call_id = call.call_id
                    a.calls_taken += 1
                    a.last_call = now
                    a.missed = 0
                    a.last_queue = queue
                self.state.counters["answered"] += 1
                self.events.publish("CallAnswered", call, agent_id=agent_id, queue=queue, holdtime=call.hold_s,
                                    wait=call.hold_s, ringtime=round(now - t_start, 3),
                                    cdr={"answered_at": now, "agent": agent_id, "hold_s": call.hold_s})
                self.apply(decisions)
                call.inbox.put_nowait(("bridge", agent_id, res_channel))
                return
            self.apply(decisions)
        # answered too late (abandoned, answered elsewhere, withdrawn): release the agent leg
        if res_channel:
            await hangup_quietly(self.ports.control, res_channel)
        if router.calls.get(call.call_id) is not None:
            self.apply(router.offer_declined(call.call_id, agent_id, self.events.now()))

    def _not_answered(self, call: LiveCall, agent_id: str, queue: str, res_outcome: str, t_start: float) -> None:
        """RONA (no answer) or the phone is busy / unavailable / failed."""
        router = self.state.router
        a = self.state.agents.get(agent_id)
        now = self.events.now()
        if agent_id not in call.offered_to:
            # the offer was already withdrawn (the router's own timeout, the caller left, the call moved)
            if a is not None and a.call_id == call.call_id and a.state != "on_call":
                a.call_id = None
            return
        if res_outcome in ("in_use", "no_telephony"):
            # not a miss: the phone was never rung. The agent waits (paused) until it can be.
            if a is not None and a.call_id == call.call_id:
                a.call_id = None
            self.apply(router.offer_declined(call.call_id, agent_id, now))
            if a is not None and a.state not in ("logged_out", "on_call"):
                reason = PHONE_IN_USE if res_outcome == "in_use" else NO_TELEPHONY
                self._pause(a, reason)
            if res_outcome == "no_telephony" and not self._told_no_telephony:
                self._told_no_telephony = True
                log.error("no telephony configured (ami.servers is empty): agents' phones cannot be rung; "
                          "calls wait in their queues. Configure an Asterisk (README: Connecting a real Asterisk)")
            return
        self.events.publish("OfferMissed", call, agent_id=agent_id, queue=queue, reason=res_outcome,
                            ringtime=round(now - t_start, 3))
        if a is not None:
            a.missed += 1
            if a.call_id == call.call_id:
                a.call_id = None
        if res_outcome == "no_answer":
            self.apply(router.offer_timed_out(call.call_id, agent_id, now))
        else:
            self.apply(router.offer_declined(call.call_id, agent_id, now))
        if res_outcome == "unavailable" and a is not None and a.state not in ("logged_out", "paused", "on_call"):
            # the phone is not registered: stop offering calls to it until it comes back
            self.apply(router.agent_paused(agent_id, self.events.now(), PHONE_UNAVAILABLE))
            if a.state != "paused":
                self.events.set_agent_state(a, "paused", PHONE_UNAVAILABLE)
            self.events.publish("AgentAutoPaused", None, agent_id=agent_id, reason=PHONE_UNAVAILABLE)

    def _pause(self, a, reason: str) -> None:
        self.apply(self.state.router.agent_paused(a.agent_id, self.events.now(), reason))
        if a.state != "paused" or a.reason != reason:
            self.events.set_agent_state(a, "paused", reason)
        self.events.publish("AgentAutoPaused", None, agent_id=a.agent_id, reason=reason)

    def cancel(self, call_id: str, agent_id: str) -> None:
        """The offer was withdrawn while the phone rings (the caller left, the call moved): stop the
        ring now (AMI Hangup of the ringing channel, found by the Uniqueid the ring was given)."""
        ring_id = self.ringing.get((call_id, agent_id))
        control = self.ports.control
        if ring_id is None or control is None:
            return
        self.tasks.spawn(self._hang_up_ring((call_id, agent_id), ring_id, control), f"cancel-ring-{call_id}")

    async def _hang_up_ring(self, key: tuple[str, str], ring_id: str, control: Any) -> None:
        """Hang the ring's channel up. Right after the Originate its name may not be known yet (Asterisk
        has not created the channel, or its Newchannel event is still on the way, as on a loaded
        machine): then as soon as it is, for as long as the ring lasts. A ring that ends answered meanwhile
        is released by :meth:`_answered` (the offer is no longer wanted)."""
        while True:
            name = self.ports.phones.channel_of(ring_id)
            if name:
                await hangup_quietly(control, name)
                return
            if self.ringing.get(key) != ring_id:
                return
            await asyncio.sleep(CANCEL_POLL_S)

    # ------------------------------------------------------------------------------ callbacks
    async def run_callback(self, call: LiveCall, agent_id: str, number: str, queue: str) -> None:
        router = self.state.router
        a = self.state.agents.get(agent_id)
        t_start = self.events.now()
        res = None
        control = self.ports.control
        if control is not None and a is not None and (a.phone or a.interface):
            try:
                res = await control.callback(a.phone or a.interface, number, call_id=call.call_id,
                                             caller_id=f'"Callback" <{number}>',
                                             agent_timeout=self.settings.rona_timeout)
            except Exception as exc:  # noqa: BLE001
                log.warning("callback failed: %s", exc, extra={"call_id": call.call_id})
        now = self.events.now()
        if res is not None and res.answered:
            decisions = router.offer_answered(call.call_id, agent_id, now)
            if not any(d.kind == "refused" for d in decisions):
                call.state, call.state_since = "talking", now
                call.agent_id, call.answered_at = agent_id, now
                call.hold_s = round(now - (call.queue_joined_at or now), 3)
                call.customer_channel = res.channel
                call.agent_channel = self.ports.phones.newest_leg(a.phone or a.interface) if a is not None else None
                if a is not None:
                    a.call_id, a.calls_taken, a.last_call = call.call_id, a.calls_taken + 1, now
                    a.last_queue = queue
                self.state.counters["answered"] += 1
                self.events.publish("CallAnswered", call, agent_id=agent_id, queue=queue, holdtime=call.hold_s,
                                    wait=call.hold_s, callback=True,
                                    cdr={"answered_at": now, "agent": agent_id, "hold_s": call.hold_s})
                self.life.recording_started(call)      # the queue's policy, on the customer's leg
                self.apply(decisions)
                return   # the end comes as a ChannelHungup of the customer leg (see on_channel_hungup)
            self.apply(decisions)
            return
        outcome = res.outcome if res is not None else "failed"
        self.events.publish("OfferMissed", call, agent_id=agent_id, queue=queue, reason=outcome, callback=True,
                            ringtime=round(now - t_start, 3))
        call.callback_attempts += 1
        attempts = call.callback_attempts
        if attempts >= CALLBACK_ATTEMPTS:
            self.apply(router.call_abandoned(call.call_id, now))
            self.life.finish(call, "callback", ended_by="callback-failed")
        elif outcome == "no_answer":
            self.apply(router.offer_timed_out(call.call_id, agent_id, now))
        else:
            self.apply(router.offer_declined(call.call_id, agent_id, now))

    def on_channel_hungup(self, name: str) -> None:
        """A leg of a callback in conversation hung up: the conversation is over, end the other leg."""
        for call in list(self.state.calls.values()):
            if call.state == "talking" and call.callback_number and name in (call.agent_channel,
                                                                             call.customer_channel):
                other = call.customer_channel if name == call.agent_channel else call.agent_channel
                self.life.after_talk(call, "agent" if name == call.agent_channel else "caller")
                if other:
                    self.tasks.spawn(hangup_quietly(self.ports.control, other), "hangup-callback-leg")
