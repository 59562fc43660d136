"""Calls whose FastAGI session comes back after an engine restart (the dialplan runs ``AGI(ivr)`` again on
the same channel: ``asterisk_conf/extensions.conf``, ``[cc-inbound]``). What the channel remembers says
what the call was doing when the engine went away:

* waiting (``CC_QUEUE``, ``CC_QUEUED_AT``, ``CC_PRIORITY``, ``CC_LANGUAGE``, ``CC_SKILLS``): back into its
  queue with its original wait (a :class:`QueueRequest`);
* answered and the conversation over (``CC_ANSWERED``): closed as answered (``"over"``);
* answered and **on hold** (``CC_HELD_LEG``, ``CC_HELD_SINCE``, ``CC_HOLDS``, ``CC_HELD_S``,
  ``CC_ANSWERED_AT``, written when the hold began): the caller heard music all along (the AGI session,
  then the dialplan's retry), the agent leg waits in ``cc-agent-hold``. The call goes on (a
  :class:`HeldCall`, :func:`resume_held`): with the same agent, still on hold (the desk shows it; Resume
  bridges the same leg again) while that leg is up and the agent logged in; otherwise the leg is released
  and the caller waits in its queue again (the agent's part is a segment of the call, as after a transfer).
  Its recording (MixMonitor on the caller's channel, still running in Asterisk) is taken over by the
  recorder (``Recorder.adopt``): final as soon as the call ends.

A caller who left while the engine was away does not come back: the parked leg hangs up by itself
(``cc-agent-hold`` checks the caller's channel every ``CC_HOLD_CHECK`` s) and the orphan sweep closes the
record from its ``data.on_hold`` (:func:`orphan_end`: ``ended_by: caller``, the hold counted).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from ..ivr.channel import CallerHungUp, ChannelError
from ..ivr.outcome import QueueRequest
from .core import RESTART_PAUSE
from .model import LiveCall

log = logging.getLogger("callcenter.engine")

QUEUE_VARS = ("CC_QUEUED_AT", "CC_PRIORITY", "CC_LANGUAGE", "CC_SKILLS", "CC_ARRIVED_AT")
HOLD_VARS = ("CC_HELD_LEG", "CC_HELD_SINCE", "CC_HOLDS", "CC_HELD_S", "CC_ANSWERED_AT")
#: seconds a held call coming back waits for Asterisk's channel list (the AMI resync) before deciding
CHANNELS_WAIT = 10.0


@dataclass(frozen=True)
class HeldCall:
    """A call that was on hold with ``agent_id`` (its leg ``leg``) when the engine went away."""

    request: QueueRequest
    agent_id: str
    leg: str
    held_since: float | None
    holds: int
    held_s: float
    answered_at: float | None


@dataclass(frozen=True)
class OrphanEnd:
    """How the next engine closes a call record left open by the previous run (:func:`orphan_end`)."""

    disposition: str
    ended_by: str
    cdr_data: dict
    hangup_leg: str | None = None       # an agent leg parked on hold, to hang up if Asterisk still has it


def orphan_end(queue: str | None, queued_at: float | None, answered_at: float | None, data: dict | None,
               now: float) -> OrphanEnd:
    """The end of a call whose channel Asterisk no longer has, from what its record says (pure).

    A call that was **on hold** when the engine went away (``data.on_hold``, written by the hold) was left by
    its caller (the agent leg stays parked in ``cc-agent-hold`` while the caller's channel exists, and a
    caller whose agent left keeps waiting in the dialplan's retry): ``ended_by: caller``, the hold counted
    up to ``now`` (the moment the engine found the caller gone: an upper bound), the parked leg to hang up.
    Otherwise as before: answered / abandoned (queued) / failed, ``ended_by: engine-restart``."""
    on_hold = (data or {}).get("on_hold")
    if answered_at and isinstance(on_hold, dict) and on_hold.get("since"):
        since = float(on_hold["since"])
        held = round(float((data or {}).get("held_s") or on_hold.get("held_s") or 0.0) + max(0.0, now - since), 3)
        return OrphanEnd("answered", "caller", {
            "ended_by": "caller", "held_s": held, "on_hold": None,
            "note": "the caller hung up on hold while the engine was away (hold counted until the engine "
                    "found the caller gone)"}, hangup_leg=on_hold.get("leg") or None)
    disp = "answered" if answered_at else ("abandoned" if queued_at else "failed")
    return OrphanEnd(disp, "engine-restart", {"ended_by": "engine-restart",
                                              "note": "the call ended while the engine was away"})


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def queue_request(queue: str, vars_: dict[str, str], language: str) -> QueueRequest:
    """The queue request a waiting call's channel variables describe (pure)."""
    skills: dict[str, int] = {}
    for part in (vars_.get("CC_SKILLS") or "").split(","):
        k, _, v = part.partition(":")
        if k.strip():
            try:
                skills[k.strip()] = int(v or 1)
            except ValueError:
                pass
    prio = _float(vars_.get("CC_PRIORITY")) or 0
    return QueueRequest(queue=queue, skills=skills, language=vars_.get("CC_LANGUAGE") or language,
                        priority=int(prio))


def held_call(request: QueueRequest, agent_id: str, vars_: dict[str, str]) -> HeldCall | None:
    """The hold a channel's variables describe, or None when the call was not on hold (pure)."""
    leg = vars_.get("CC_HELD_LEG") or ""
    if not leg or not agent_id:
        return None
    return HeldCall(request=request, agent_id=agent_id, leg=leg, held_since=_float(vars_.get("CC_HELD_SINCE")),
                    holds=int(_float(vars_.get("CC_HOLDS")) or 1), held_s=_float(vars_.get("CC_HELD_S")) or 0.0,
                    answered_at=_float(vars_.get("CC_ANSWERED_AT")))


async def _vars(channel: Any, names: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = await channel.get_variable(name) or ""
        except ChannelError:
            out[name] = ""
    return out


async def remember_hold(channel: Any, call: LiveCall) -> None:
    """The hold began: the caller's channel keeps what a restarted engine needs to go on with the call."""
    values = {"CC_HELD_LEG": call.agent_channel or "", "CC_HELD_SINCE": f"{call.on_hold_since or 0:.3f}",
              "CC_HOLDS": str(call.holds), "CC_HELD_S": f"{call.held_s:.3f}",
              "CC_ANSWERED_AT": f"{call.answered_at or 0:.3f}"}
    try:
        for name, value in values.items():
            await channel.set_variable(name, value)
    except (ChannelError, CallerHungUp) as exc:
        log.warning("could not remember the hold on the channel: %s", exc, extra={"call_id": call.call_id})


async def forget_hold(channel: Any) -> None:
    try:
        await channel.set_variable("CC_HELD_LEG", "")
    except (ChannelError, CallerHungUp):
        pass


async def recovered_call(life: Any, channel: Any, call: LiveCall) -> Any:
    """What a call whose session came back was doing: None (a new call), ``"over"`` (closed here), a
    :class:`QueueRequest` (waiting) or a :class:`HeldCall` (on hold)."""
    try:
        queue = await channel.get_variable("CC_QUEUE")
    except (ChannelError, NotImplementedError):
        return None
    if not queue:
        return None
    try:
        answered_by = await channel.get_variable("CC_ANSWERED")
    except ChannelError:
        answered_by = None
    vars_ = await _vars(channel, QUEUE_VARS)
    call.queued_at = _float(vars_["CC_QUEUED_AT"])
    call.arrived_at = _float(vars_["CC_ARRIVED_AT"]) or call.arrived_at
    request = queue_request(queue, vars_, call.language)
    if answered_by:
        held = held_call(request, answered_by, await _vars(channel, HOLD_VARS))
        if held is not None:
            return held
        await _close_answered(life, channel, call, queue, answered_by)
        return "over"
    call.recovered = True
    life.state.counters["recovered"] += 1
    life.events.publish("CallRecovered", call, queue=queue, queued_at=call.queued_at)
    return request


async def _close_answered(life: Any, channel: Any, call: LiveCall, queue: str, answered_by: str) -> None:
    """The conversation happened before the engine restarted: it is over now."""
    life.state.calls.pop(call.call_id, None)
    call.done.set()
    now = life.events.now()
    if not await _cdr_closed(life, call.call_id):
        life.events.publish("CallEnded", call, agent_id=answered_by, queue=queue, outcome="answered",
                            ended_by="engine-restart",
                            cdr={"ended_at": now, "disposition": "answered", "agent": answered_by,
                                 "data": {"ended_by": "engine-restart"}})
    try:
        await channel.hangup()
    except (ChannelError, CallerHungUp):
        pass


async def _cdr_closed(life: Any, call_id: str) -> bool:
    if life.ports.records is None:
        return False
    try:
        return await life.ports.records.call_closed(call_id)
    except Exception:  # noqa: BLE001
        return False


async def _leg_up(phones: Any, leg: str) -> bool:
    """Whether Asterisk still has the channel ``leg``, once its channel list is known (up to
    :data:`CHANNELS_WAIT` s after the restart; not known then: taken as up, the dialplan's guard ends it)."""
    known = getattr(phones, "channels_known", None)
    loop = asyncio.get_running_loop()
    end = loop.time() + CHANNELS_WAIT
    while callable(known) and not known() and loop.time() < end:
        await asyncio.sleep(0.2)
    alive = getattr(phones, "channel_alive", None)
    return bool(alive(leg)) if callable(alive) else True


async def resume_held(life: Any, channel: Any, call: LiveCall, held: HeldCall) -> None:
    """Go on with a call that was on hold when the engine went away (see the module's text)."""
    state, events = life.state, life.events
    req = held.request
    call.queue = req.queue if req.queue in state.queue_rows else life.settings.fallback_queue
    call.priority, call.skills, call.language = req.priority, dict(req.skills), req.language
    call.recovered = True
    now = events.now()
    call.answered_at = held.answered_at or now
    call.queue_joined_at = call.queued_at
    call.hold_s = round(call.answered_at - call.queued_at, 3) if call.queued_at else None
    call.holds, call.held_s = held.holds, held.held_s
    recorder = life.ports.recorder
    if recorder is not None and hasattr(recorder, "adopt"):
        # its MixMonitor (started by the previous run) goes on: stopped and finalized when this call ends
        call.recording_task = life.tasks.spawn(recorder.adopt(call), "recording-adopt")
    try:
        await channel.start_music()               # the caller stays on music while we look
    except (ChannelError, CallerHungUp) as exc:     # gone: the conversation below sees it and ends the call
        log.warning("no music for the held caller: %s", exc, extra={"call_id": call.call_id})
    leg_up = await _leg_up(life.ports.phones, held.leg)
    a = state.agents.get(held.agent_id)
    now = events.now()
    attached = False
    if leg_up and a is not None and a.state != "logged_out":
        decisions = state.router.call_reattached(call.call_id, call.queue, a.agent_id, now, call.answered_at)
        attached = not any(d.kind == "refused" for d in decisions)
        if attached:
            if state.restored_busy.pop(a.agent_id, None) is not None or a.reason == RESTART_PAUSE:
                decisions += state.router.agent_unpaused(a.agent_id, now)
            a.call_id, a.last_queue = call.call_id, call.queue
        life.apply(decisions)
    state.counters["recovered"] += 1
    call.state, call.state_since, call.agent_id, call.agent_channel = "talking", now, held.agent_id, held.leg
    call.on_hold_since, call.hold_by = held.held_since or now, "desk"     # the hold goes on, counted from its start
    events.publish("CallRecovered", call, queue=call.queue, queued_at=call.queued_at, agent_id=held.agent_id,
                   on_hold=True, agent_leg=held.leg, with_agent=attached)
    log.info("call on hold recovered after a restart: %s", "still with its agent" if attached else
             "agent gone, back to its queue", extra={"call_id": call.call_id, "agent": held.agent_id})
    if attached:
        await life.talk(channel, call, held.agent_id, held.leg, held=True)
        return
    # the agent hung up or logged out while the engine was away: release the leg, the caller waits again
    if leg_up and life.ports.control is not None:
        try:
            await life.ports.control.hangup(held.leg)
        except Exception as exc:  # noqa: BLE001 - gone meanwhile
            log.debug("hang-up of %s failed: %s", held.leg, exc)
    life.after_talk(call, "agent", requeue=req)
    await life.requeue(channel, call, req)
