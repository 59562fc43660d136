"""The life of one call: the coroutine serving its FastAGI session, from the IVR to the end of the call.

``handle_ivr`` (the *actor* of the call) owns every AGI command on the caller's channel: the IVR flow
(:func:`callcenter.ivr.runner.run_flow`), then the wait in the queue (music on hold, announcements,
the callback offer, overflow) reading the call's inbox that the router's decisions fill, then the
conversation (``bridge``), then the end (:meth:`CallLife.finish`: exactly one ``CallEnded`` with the
full CDR). A hang-up while waiting is an abandon. Ringing the agent runs beside it
(:mod:`callcenter.engine.ringing`) and hands the answered agent leg over with a ``bridge`` message.

Restart with calls waiting: the queue outcome is remembered on the channel (``CC_QUEUE``,
``CC_QUEUED_AT``, ``CC_PRIORITY``...), so a call whose AGI session comes back re-joins its queue
without the IVR, and a call on hold goes on with its agent (:mod:`callcenter.engine.recovery`).

An engine error never leaves the caller in dead air: the call goes to the fallback queue; if even that
fails, the AGI session ends with an error and the dialplan's fallback runs.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Iterable

from ..ivr.channel import CallerHungUp, ChannelError, Prompt
from ..ivr.outcome import IvrOutcome, QueueRequest
from ..ivr.runner import run_flow
from .core import ASTERISK_RESTART, EngineSettings, EngineState, EventPublisher, TaskSet
from .errors import EngineError
from .model import LiveCall, queue_again, queue_transfer

#: ``ended_by`` of an agent segment whose leg was gone before the caller's ``EXEC Bridge`` (Asterisk's
#: ``BRIDGERESULT=NONEXISTENT``): the caller never talked to the agent and waits in its queue again
AGENT_LEG_GONE = "agent-leg-gone"
from .ports import CallControlPort, EnginePorts
from .recovery import HeldCall, forget_hold, recovered_call, remember_hold, resume_held

log = logging.getLogger("callcenter.engine")

Apply = Callable[[Iterable[Any]], None]


async def hangup_quietly(control: CallControlPort | None, channel_name: str | None) -> None:
    """Hang a channel up through call control; a failure (already gone) is only logged."""
    if not channel_name or control is None:
        return
    try:
        await control.hangup(channel_name)
    except Exception as exc:  # noqa: BLE001
        log.debug("hang-up of %s failed: %s", channel_name, exc)


async def next_message(channel: Any, call: LiveCall) -> tuple[tuple | None, bool]:
    """Idle until the call's inbox has a message or the caller hangs up (music keeps playing):
    (the message or None, whether the caller hung up)."""
    get = asyncio.ensure_future(call.inbox.get())
    hup = asyncio.ensure_future(channel.wait_hangup(3600.0))
    try:
        done, _ = await asyncio.wait({get, hup}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for f in (get, hup):
            if not f.done():
                f.cancel()
    msg = get.result() if get in done and not get.cancelled() else None
    return msg, bool(hup in done and not hup.cancelled() and hup.result())


class CallLife:
    """The call actor: IVR, waiting, talking, the end of each call."""

    def __init__(self, state: EngineState, settings: EngineSettings, events: EventPublisher,
                 tasks: TaskSet, ports: EnginePorts, apply: Apply) -> None:
        self.state = state
        self.settings = settings
        self.events = events
        self.tasks = tasks
        self.ports = ports
        self.apply = apply

    # ------------------------------------------------------------------------------ the session
    async def handle_ivr(self, channel: Any) -> None:
        """FastAGI ``ivr``: a new call (or one coming back after an engine restart)."""
        info = channel.info
        now = self.events.now()
        call = LiveCall(call_id=info.call_id, caller=info.caller, caller_name=info.caller_name, did=info.did,
                        channel=info.channel, language=info.language, state="ivr", state_since=now,
                        arrived_at=now)
        if info.call_id in self.state.calls:
            log.warning("AGI session for a call already in progress; ignoring", extra={"call_id": info.call_id})
            return
        self.state.calls[call.call_id] = call
        if self.state.seen is not None:
            self.state.seen.add(call.call_id)
        self.state.channels[call.call_id] = channel
        self.state.counters["calls"] += 1
        try:
            recovered = await recovered_call(self, channel, call)
            if recovered == "over":
                return
            if isinstance(recovered, HeldCall):
                await resume_held(self, channel, call, recovered)
                return
            if recovered is None:
                self.events.publish("CallArrived", call, caller=call.caller, did=call.did, channel=call.channel,
                                    cdr={"caller": call.caller, "caller_name": call.caller_name, "did": call.did,
                                         "language": call.language, "arrived_at": now})
                outcome = await self.run_ivr(channel, call)
                if outcome is None:
                    return
                request = await self.after_ivr(channel, call, outcome)
                if request is None:
                    return
            else:
                request = recovered
            await self.queue_and_wait(channel, call, request)
        except CallerHungUp:
            self._caller_gone(call, lost=bool(getattr(channel, "connection_lost", False)))
        except asyncio.CancelledError:
            # the engine is stopping: the call stays open (its channel remembers CC_QUEUE) and is
            # recovered when its AGI session comes back, or closed by the next start if it does not
            self.state.calls.pop(call.call_id, None)
            call.done.set()
            raise
        except Exception as exc:  # noqa: BLE001 - never dead air: fallback, else the dialplan's fallback
            if await self._engine_error(channel, call, exc):
                return
            raise
        finally:
            self.state.channels.pop(call.call_id, None)
            if call.call_id in self.state.calls and call.state not in ("callback", "talking") and not call.done.is_set():
                # the session ended without a recorded end (transfer etc.)
                self.finish(call, call.disposition or "ivr-only")

    def _caller_gone(self, call: LiveCall, lost: bool = False) -> None:
        """The caller hung up (CallerHungUp out of the session): end the call as its state says.
        ``lost``: the session dropped without a hang-up (Asterisk restarted): nobody hung up, the call
        failed (``ended_by=asterisk-restart``); it is not an abandon."""
        if self.state.stopping:
            self.state.calls.pop(call.call_id, None)
            call.done.set()
        elif lost and call.state in ("ivr", "waiting", "ringing"):
            if call.state != "ivr":
                self.apply(self.state.router.call_failed(call.call_id, self.events.now()))
            self.finish(call, "failed", ended_by=ASTERISK_RESTART)
        elif call.state == "ivr":
            self.finish(call, "ivr-only", ended_by="caller")
        elif call.state in ("waiting", "ringing"):
            self.abandon(call)
        elif call.state == "talking":
            while not call.inbox.empty():
                msg = call.inbox.get_nowait()
                if msg[0] == "bridge":
                    self.tasks.spawn(hangup_quietly(self.ports.control, msg[2]), "hangup-agent-leg")
            self.after_talk(call, ASTERISK_RESTART if lost else "caller")
        else:
            self.finish(call, call.disposition or "abandoned", ended_by=ASTERISK_RESTART if lost else "caller")

    async def _engine_error(self, channel: Any, call: LiveCall, exc: Exception) -> bool:
        """An engine error on a call: the fallback queue while still in the IVR (True: handled),
        else the call ends as failed (False: the error goes on to the AGI session)."""
        self.state.counters["engine_errors"] += 1
        log.exception("engine error on a call: %s", exc, extra={"call_id": call.call_id})
        if call.state in ("ivr",) and self.settings.fallback_queue in self.state.queue_rows:
            try:
                await self.queue_and_wait(channel, call, QueueRequest(queue=self.settings.fallback_queue))
                return True
            except CallerHungUp:
                self.abandon(call)
                return True
            except Exception:  # noqa: BLE001
                log.exception("fallback queue failed", extra={"call_id": call.call_id})
        if call.state in ("waiting", "ringing"):
            self.apply(self.state.router.call_abandoned(call.call_id, self.events.now()))
        self.finish(call, "failed", ended_by="engine", error=str(exc)[:200])
        return False

    # ------------------------------------------------------------------------------ the IVR
    async def run_ivr(self, channel: Any, call: LiveCall) -> Any:
        version = self._flow_for(call.did)
        if version is None:
            await channel.answer()
            return IvrOutcome(kind="queue", queue=QueueRequest(queue=self.settings.fallback_queue),
                              error="no IVR flow available", language=call.language)
        flow = getattr(version, "flow", version)
        kw: dict[str, Any] = {"clock": self.events.clock, "call_data": channel.info,
                              "fallback_queue": self.settings.fallback_queue}
        flows = getattr(version, "flows", None)
        if flows:
            kw["flows"] = flows
        outcome = await run_flow(flow, channel, **kw)
        call.flow = getattr(outcome, "flow", "") or getattr(flow, "name", "")
        return outcome

    def _flow_for(self, did: str) -> Any:
        if self.ports.flows is None:
            return None
        try:
            return self.ports.flows.for_did(did)
        except Exception as exc:  # noqa: BLE001
            log.error("no IVR flow for DID %r: %s", did, exc)
            return None

    async def after_ivr(self, channel: Any, call: LiveCall, outcome: Any) -> Any:
        call.language = outcome.language or call.language
        call.ivr = {k: v for k, v in (outcome.variables or {}).items() if not str(k).startswith("_")}
        call.intent = call.ivr.get("intent") if isinstance(call.ivr.get("intent"), str) else None
        call.ivr_trace = [t.to_dict() for t in outcome.trace][-200:]
        cdr = {"language": call.language, "intent": call.intent, "ivr_trace": call.ivr_trace,
               "data": {"ivr": call.ivr, "flow": outcome.flow, "flow_version": outcome.flow_version}}
        if outcome.error:
            self.state.counters["engine_errors"] += 1
            cdr["data"]["ivr_error"] = outcome.error
        self.events.publish("IvrFinished", call, outcome=outcome.kind, flow=outcome.flow, reason=outcome.reason,
                            error=outcome.error, cdr=cdr)
        if outcome.kind == "queue" and outcome.queue is not None:
            return outcome.queue
        if outcome.kind == "hangup":
            self.finish(call, "ivr-only", ended_by=outcome.hung_up_by or "ivr")
        elif outcome.kind == "transfer":
            self.finish(call, "ivr-only", ended_by="transfer", transferred_to=outcome.destination)
        elif outcome.kind == "voicemail":
            path = outcome.recording.path if outcome.recording else None
            self.finish(call, "ivr-only", ended_by="voicemail", recording=path, mailbox=outcome.mailbox)
        else:
            self.finish(call, "ivr-only", ended_by=outcome.kind)
        return None

    # ------------------------------------------------------------------------------ waiting
    async def queue_and_wait(self, channel: Any, call: LiveCall, req: Any,
                             transferred_from: str | None = None) -> None:
        """Put the call in ``req.queue`` and serve its wait. ``transferred_from``: the agent whose
        transfer sent it here (the CallQueued event says so: the queue counts it offered again)."""
        now = self.events.now()
        router = self.state.router
        queue = req.queue if req.queue in self.state.queue_rows else None
        if queue is None:
            log.warning("IVR asked for unknown queue %r; using the fallback queue %r", req.queue,
                        self.settings.fallback_queue, extra={"call_id": call.call_id})
            queue = self.settings.fallback_queue
        call.queue, call.priority, call.skills = queue, int(req.priority or 0), dict(req.skills or {})
        call.language = req.language or call.language
        call.callback_offer = getattr(req, "callback", None)
        call.record = getattr(req, "record", None)
        call.queued_at = call.queued_at or now
        # a call recovered after a restart keeps its wait (hold time, SL) from its first queueing
        call.queue_joined_at = call.queued_at if call.recovered else now
        self.events.publish("CallQueued", call, queue=queue, caller=call.caller, priority=call.priority,
                            skills=call.skills, language=call.language, recovered=call.recovered,
                            **({"transferred_from": transferred_from} if transferred_from else {}),
                            cdr={"queue": queue, "queued_at": call.queued_at, "language": call.language,
                                 **({"arrived_at": call.arrived_at, "caller": call.caller, "did": call.did}
                                    if call.recovered else {})})
        lang = (call.language or "").split("-")[0].lower() or None
        skills = self._satisfiable_skills(call)
        decisions = router.call_arrived(call.call_id, queue, now, call.priority, skills=skills or None,
                                        language=lang if self._language_required(lang) else None,
                                        data={"caller": call.caller})
        refused = [d for d in decisions if d.kind == "refused"]
        if refused:
            log.warning("router refused the call (%s); trying without requirements", refused[0].reason,
                        extra={"call_id": call.call_id})
            decisions = router.call_arrived(call.call_id, queue, now, call.priority)
            if any(d.kind == "refused" for d in decisions):
                raise EngineError(f"router refused the call: {refused[0].reason}")
        call.state, call.state_since = "waiting", now
        self.apply(decisions)
        try:
            await channel.set_variable("CC_QUEUE", queue)
            await channel.set_variable("CC_QUEUED_AT", f"{call.queued_at:.3f}")
            await channel.set_variable("CC_ARRIVED_AT", f"{call.arrived_at:.3f}")
            await channel.set_variable("CC_PRIORITY", str(call.priority))
            await channel.set_variable("CC_LANGUAGE", call.language)
            await channel.set_variable("CC_SKILLS", ",".join(f"{k}:{v}" for k, v in call.skills.items()))
            await channel.start_music()
        except ChannelError as exc:
            log.warning("could not set up the wait on the channel: %s", exc, extra={"call_id": call.call_id})
        await self.wait_loop(channel, call)

    def _satisfiable_skills(self, call: LiveCall) -> dict[str, int]:
        """The IVR's skill requirements, minus skills no agent of the queue has at the asked level
        (a requirement nobody can meet would keep the caller waiting forever); dropped ones are logged."""
        members = [a for a in self.state.agents.values() if call.queue in a.queues]
        keep: dict[str, int] = {}
        for skill, level in call.skills.items():
            name = str(skill).strip().lower()
            lvl = int(level or 1)
            if any(a.skills.get(name, 0) >= lvl for a in members):
                keep[name] = lvl
            else:
                log.warning("no agent of queue %s has skill %s >= %s; requirement dropped", call.queue, name, lvl,
                            extra={"call_id": call.call_id})
        return keep

    def _language_required(self, lang: str | None) -> bool:
        """Only require a language some agent speaks (else nobody could ever answer)."""
        if not lang:
            return False
        return any(lang in [x.split("-")[0].lower() for x in a.languages] for a in self.state.agents.values())

    async def wait_loop(self, channel: Any, call: LiveCall) -> None:
        """Serve the call's inbox until the call leaves the queue (talk, callback, overflow, hang-up)."""
        while True:
            if call.done.is_set():
                return
            msg, hung_up = await next_message(channel, call)
            if hung_up:
                if self.state.stopping:          # our own session close: the call is recovered later
                    self.state.calls.pop(call.call_id, None)
                    call.done.set()
                    return
                if getattr(channel, "connection_lost", False):
                    # Asterisk went away under the call (no hang-up): failed, not abandoned
                    self._caller_gone(call, lost=True)
                    return
                if msg is not None and msg[0] == "bridge":
                    self.tasks.spawn(hangup_quietly(self.ports.control, msg[2]), "hangup-agent-leg")
                    self.after_talk(call, ended_by="caller")
                    return
                self.abandon(call)
                return
            if msg is None:
                continue
            if await self._serve(channel, call, msg):
                return

    async def _serve(self, channel: Any, call: LiveCall, msg: tuple) -> bool:
        """One inbox message while waiting; True when the call has left the queue."""
        kind = msg[0]
        if kind == "bridge":
            _, agent_id, agent_channel = msg
            await self.talk(channel, call, agent_id, agent_channel)
            return True
        if kind == "announce":
            await self.announce(channel, call, msg[1], msg[2])
        elif kind == "callback-offer":
            if await self.offer_callback(channel, call):
                return True
        elif kind == "leave":
            await self.leave(channel, call, msg[1], msg[2])
            return True
        elif kind == "hangup":
            # a supervisor hung the waiting caller up: the caller left unanswered, as the queue counts
            # it (abandoned), with who did it in ended_by
            self.abandon(call, ended_by="supervisor")
            try:
                await channel.hangup()
            except (ChannelError, CallerHungUp):
                pass
            return True
        return False

    async def announce(self, channel: Any, call: LiveCall, position: int, ewt: float | None) -> None:
        prompts = [Prompt("file", "queue-youarenext")] if position == 1 else [
            Prompt("file", "queue-thereare"), Prompt("number", str(position)), Prompt("file", "queue-callswaiting")]
        if ewt:
            minutes = max(1, int(round(ewt / 60)))
            prompts += [Prompt("file", "queue-holdtime"), Prompt("number", str(minutes)), Prompt("file", "queue-minutes")]
        try:
            await channel.stop_music()
            await channel.play(prompts)
            await channel.start_music()
        except ChannelError as exc:
            log.warning("announcement failed: %s", exc, extra={"call_id": call.call_id})

    async def offer_callback(self, channel: Any, call: LiveCall) -> bool:
        """Offer a callback that keeps the caller's place; True when accepted (the caller is hung up)."""
        offer = call.callback_offer
        digit = getattr(offer, "digit", "1") or "1"
        prompts = list(getattr(offer, "prompts", ()) or ()) or [
            Prompt("text", f"To be called back instead of waiting, press {digit}.", language=call.language)]
        number = call.caller
        if not number:
            return False
        try:
            await channel.stop_music()
            pressed = await channel.play(prompts, escape_digits=digit)
            if pressed is None:
                pressed = await channel.wait_digit(5.0)
            if pressed != digit:
                await channel.start_music()
                return False
        except ChannelError as exc:
            log.warning("callback offer failed: %s", exc, extra={"call_id": call.call_id})
            return False
        decisions = self.state.router.callback_requested(call.call_id, number, self.events.now())
        if any(d.kind == "refused" for d in decisions):
            await channel.start_music()
            return False
        call.callback_number = number
        call.state, call.state_since = "callback", self.events.now()
        self.state.counters["callbacks"] += 1
        self.events.publish("CallbackRequested", call, number=number, cdr={"data": {"callback_number": number}})
        try:
            await channel.play([Prompt("text", "Thank you. We will call you back.", language=call.language)])
            await channel.hangup()
        except (ChannelError, CallerHungUp):
            pass
        self.apply(decisions)
        return True

    async def leave(self, channel: Any, call: LiveCall, target: str | None, reason: str) -> None:
        """Overflow to a dialplan destination (or just continue the dialplan when there is none)."""
        try:
            await channel.stop_music()
            if target:
                await channel.transfer(target)
        except ChannelError as exc:
            log.warning("overflow transfer failed: %s", exc, extra={"call_id": call.call_id})
        self.state.counters["overflowed"] += 1
        self.finish(call, "overflowed", ended_by="overflow", overflow_target=target, reason=reason)

    def abandon(self, call: LiveCall, ended_by: str = "caller") -> None:
        if call.done.is_set():
            return
        now = self.events.now()
        position = self.state.router.position(call.call_id)
        self.apply(self.state.router.call_abandoned(call.call_id, now))
        self.state.counters["abandoned"] += 1
        self.events.publish("CallAbandoned", call, holdtime=round(now - (call.queue_joined_at or now), 1),
                            position=position, ended_by=ended_by)
        self.finish(call, "abandoned", ended_by=ended_by)

    # ------------------------------------------------------------------------------ talking
    async def talk(self, channel: Any, call: LiveCall, agent_id: str, agent_channel: str | None,
                   held: bool = False) -> None:
        """The conversation (one agent segment): bridged, on hold and back, until either side hangs up
        or a transfer; a transfer to a queue puts the same call back into waiting. ``held``: a call
        recovered on hold after a restart (it starts on hold; its recording runs on in Asterisk)."""
        call.agent_channel = agent_channel
        call.agent_leg_gone = False
        call.segment_base = (call.holds, call.held_s)
        ended_by = "agent"
        requeue = None
        try:
            try:
                await channel.set_variable("CC_ANSWERED", agent_id)
            except ChannelError:
                pass
            if not held:
                self.recording_started(call)
            if not agent_channel:
                raise ChannelError("the agent leg has no channel name")
            ended_by = await self._conversation(channel, call, agent_channel, held)
        except CallerHungUp:
            ended_by = ASTERISK_RESTART if getattr(channel, "connection_lost", False) else "caller"
        except ChannelError as exc:
            log.warning("bridge failed: %s", exc, extra={"call_id": call.call_id})
            ended_by = "failed"
        finally:
            if self.state.stopping:
                # our own stop closed the session: the conversation (or the hold, the agent leg parked)
                # goes on in Asterisk; the next engine recovers it or closes its record (recovery.py)
                self.state.calls.pop(call.call_id, None)
                call.done.set()
            else:
                requeue = (queue_transfer(call) if ended_by == "transfer"
                           else queue_again(call) if ended_by == AGENT_LEG_GONE else None)
                self.after_talk(call, ended_by, requeue=requeue)
        if call.done.is_set() and self.state.stopping:
            return
        if requeue is not None:
            await self.requeue(channel, call, requeue)
            return
        if ended_by == "transfer":
            try:
                await channel.transfer(call.transfer_to)
            except (ChannelError, CallerHungUp) as exc:
                log.warning("transfer to %s failed: %s", call.transfer_to, exc, extra={"call_id": call.call_id})
        elif ended_by not in ("caller", ASTERISK_RESTART):
            try:
                await channel.hangup()
            except (ChannelError, CallerHungUp):
                pass
        if agent_channel and ended_by not in ("agent", "transfer", AGENT_LEG_GONE):
            await hangup_quietly(self.ports.control, agent_channel)

    async def _conversation(self, channel: Any, call: LiveCall, agent_channel: str, held: bool = False) -> str:
        """Bridge the caller to the agent leg; a hold (the agent leg Redirected to ``cc-agent-hold``)
        ends the bridge, the caller waits with music in this session and is bridged again on resume
        (``held``: it starts on hold). Returns who ended it: ``agent`` or ``transfer`` (CallerHungUp for
        the caller)."""
        resumed = held
        while True:
            if not held:
                # a resume bridges the leg parked in cc-agent-hold with Bridge's x: Asterisk hangs the leg up
                # when this bridge ends (its hold loop never takes it back, asterisk_conf/extensions.conf)
                await (channel.bridge(agent_channel, hangup_after=True) if resumed else channel.bridge(agent_channel))
                if call.transfer_to:
                    return "transfer"
                if call.pending_holds <= 0:
                    if not resumed and await self._leg_was_gone(channel, call, agent_channel):
                        return AGENT_LEG_GONE
                    return "agent"
                call.pending_holds -= 1
            held, resumed = False, True
            why = await self._on_hold(channel, call)
            if why != "resume":
                return why

    async def _leg_was_gone(self, channel: Any, call: LiveCall, agent_channel: str) -> bool:
        """Whether the first ``EXEC Bridge`` found no agent leg: the leg hung up between its answer and the
        bridge (a race: the answer and the hang-up 0.3 s apart), and Bridge returned at once with
        ``BRIDGERESULT=NONEXISTENT`` (Asterisk 22 ``bridge_exec``; after a bridge that ran: ``SUCCESS``)."""
        try:
            result = await channel.get_variable("BRIDGERESULT")
        except ChannelError:
            return False
        if result != "NONEXISTENT":
            return False
        log.warning("the agent leg %s was gone before the bridge: the caller waits in queue %s again",
                    agent_channel, call.queue, extra={"call_id": call.call_id})
        return True

    async def _on_hold(self, channel: Any, call: LiveCall) -> str:
        """The caller on hold: music until the agent resumes (``resume``), the agent leg hangs up
        (``agent``) or a transfer is asked for (``transfer``); CallerHungUp when the caller leaves."""
        await channel.start_music()
        await remember_hold(channel, call)          # for an engine restarted meanwhile (recovery.py)
        why = None
        while why is None:
            if call.transfer_to:
                why = "transfer"
            elif call.agent_leg_gone:
                why = "agent"
            else:
                msg, hung_up = await next_message(channel, call)
                if hung_up:
                    raise CallerHungUp("caller hung up while on hold")
                if msg is not None and msg[0] == "resume":
                    why = "resume"
        await forget_hold(channel)                  # not on hold any more (the channel may be gone: no harm)
        return why

    def on_agent_leg_hungup(self, name: str) -> None:
        """An answered agent leg hung up (AMI): a call on hold notices it (its bridge is not running)."""
        for call in self.state.calls.values():
            if call.state == "talking" and call.agent_channel == name and not call.callback_number:
                call.agent_leg_gone = True
                call.inbox.put_nowait(("wake",))

    async def requeue(self, channel: Any, call: LiveCall, req: QueueRequest) -> None:
        """A transfer to a queue (or its agent gone while the engine was away): the same call (its IVR
        data, language, priority, skills) waits again."""
        call.transfer_to = None
        try:
            await channel.set_variable("CC_ANSWERED", "")
        except ChannelError:
            pass
        await self.queue_and_wait(channel, call, req, transferred_from=call.segments[-1].get("agent"))

    def after_talk(self, call: LiveCall, ended_by: str, requeue: QueueRequest | None = None) -> None:
        """The agent segment is over: CallCompleted, the agent to wrap-up; the call ends unless
        ``requeue`` (a transfer to a queue) sends it back to waiting."""
        if call.done.is_set():
            return
        now = self.events.now()
        was_on_hold = call.on_hold_since is not None
        call.end_hold(now)
        call.pending_holds, call.hold_in_bridge = 0, False
        call.talk_s = round(now - (call.answered_at or now), 3)
        seg_holds = call.holds - call.segment_base[0]
        seg_held = round(call.held_s - call.segment_base[1], 3)
        moved = f"queue:{requeue.queue}" if requeue is not None else None
        cdr_data: dict[str, Any] = {"holds": call.holds, "held_s": call.held_s,
                                    **({"on_hold": None} if was_on_hold else {})}
        if requeue is not None:
            call.segments.append({"agent": call.agent_id, "queue": call.queue, "answered_at": call.answered_at,
                                  "ended_at": now, "wait_s": call.hold_s, "talk_s": call.talk_s,
                                  "holds": seg_holds, "held_s": seg_held, "ended_by": ended_by,
                                  "transferred_to": moved})
            cdr_data.update(segments=list(call.segments), transferred_to=moved)
        self.events.publish("CallCompleted", call, agent_id=call.agent_id, holdtime=call.hold_s,
                            talktime=call.talk_s, ended_by=ended_by, held=seg_holds, heldtime=seg_held,
                            **({"transferred_to": moved} if moved else {}), cdr={"data": cdr_data})
        if requeue is None:
            self._recording_ended(call)
        a = self.state.agents.get(call.agent_id or "")
        self.apply(self.state.router.call_ended(call.call_id, now))
        if a is not None and a.state != "wrap_up" and a.call_id == call.call_id:
            a.call_id = None
        if requeue is not None:
            # the first agent's segment is over (its wrap-up has begun); the call itself goes on
            call.agent_id, call.agent_channel, call.answered_at = None, None, None
            call.hold_s, call.talk_s, call.offered_to = None, None, ()
            return
        self.finish(call, "answered", ended_by=ended_by,
                    transferred_to=call.transfer_to if ended_by == "transfer" else None)

    # ------------------------------------------------------------------------------ recording
    def recording_started(self, call: LiveCall) -> None:
        """The agent answered (a queue call, or a callback's customer): the recorder starts MixMonitor if
        the policy says so (beside the call). After a transfer to a queue a recording still running goes
        on (one file per call)."""
        if self.ports.recorder is not None and not (call.segments and self.ports.recorder.state_of(call.call_id)):
            call.recording_task = self.tasks.spawn(self.ports.recorder.call_answered(call), "recording-start")

    def _recording_ended(self, call: LiveCall) -> None:
        if self.ports.recorder is not None:
            self.tasks.spawn(self._end_recording(call), "recording-end")

    async def _end_recording(self, call: LiveCall) -> None:
        if call.recording_task is not None:        # a start still under way finishes first
            await asyncio.gather(call.recording_task, return_exceptions=True)
        await self.ports.recorder.call_ended(call)

    # ------------------------------------------------------------------------------ the end
    def finish(self, call: LiveCall, disposition: str, ended_by: str | None = None, **data: Any) -> None:
        """Close a call exactly once: the CallEnded event carries its complete CDR."""
        if call.done.is_set():
            return
        if self.state.stopping and ended_by in ("caller", None) and disposition in ("ivr-only", "abandoned"):
            # the session ended because the engine is stopping: leave the record open (recovered or
            # closed by the next start)
            self.state.calls.pop(call.call_id, None)
            call.done.set()
            return
        now = self.events.now()
        call.done.set()
        call.state, call.state_since, call.ended_at = "ended", now, now
        call.disposition = disposition
        call.ended_by = ended_by
        if disposition == "ivr-only":
            self.state.counters["ivr_only"] += 1
        if disposition == "failed":
            self.state.counters["failed"] += 1
        a = self.state.agents.get(call.agent_id or "")
        if a is not None and a.call_id == call.call_id and a.state not in ("on_call", "wrap_up"):
            a.call_id = None
        extra = {k: v for k, v in data.items() if v is not None}
        cdr = {"caller": call.caller, "caller_name": call.caller_name, "did": call.did, "language": call.language,
               "arrived_at": call.arrived_at, "queued_at": call.queued_at, "answered_at": call.answered_at,
               "ended_at": now, "queue": call.queue, "agent": call.agent_id, "disposition": disposition,
               "hold_s": call.hold_s if call.hold_s is not None else (
                   round(now - call.queue_joined_at, 3) if call.queue_joined_at and disposition in ("abandoned", "overflowed") else None),
               "talk_s": call.talk_s, "intent": call.intent,
               "data": {"ended_by": ended_by, "recovered": call.recovered,
                        **({"holds": call.holds, "held_s": call.held_s} if call.holds or call.answered_at else {}),
                        **extra}}
        if "recording" in extra:
            cdr["recording"] = extra["recording"]
        outcome = {"ivr-only": "ivr-only"}.get(disposition, disposition)
        self.events.publish("CallEnded", call, outcome=outcome, ended_by=ended_by, cdr=cdr)
        self.state.calls.pop(call.call_id, None)
