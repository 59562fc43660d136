"""Hold and resume a call in conversation (the agent's desk, a supervisor, the CLI).

How it works on Asterisk (verified on a real Asterisk 22, ``tests/fixtures/asterisk/live-cc-hold.txt``):
the caller stays in its FastAGI session all along. Hold Redirects only the *agent* leg to
``cc-agent-hold`` (a silent ``Wait``: the agent hears nothing, its phone stays connected); the
caller's ``EXEC Bridge`` then returns ``200 result=0`` and the caller's session plays music on hold
(``SET MUSIC on``) while it waits on the call's inbox (:meth:`CallLife._on_hold`). Resume puts
``("resume",)`` in the inbox and the session runs ``EXEC Bridge(<agent leg>,x)`` again (``x``: Asterisk hangs
the leg up when that bridge ends, so ``cc-agent-hold``'s loop never takes it back; a new hold's Redirect
wins over it). While parked, the leg hangs up by itself once the caller's channel is gone
(``CC_HOLD_CHECK``: a caller who left while the engine was away). A caller who hangs
up on hold ends the call (``ended_by: caller``, the parked agent leg is hung up at once); an agent leg
that hangs up on hold ends it too (``ended_by: agent``, the caller is hung up).

In the embedded mode (no Asterisk) the caller's channel bridges the legs itself: hold pauses that
bridge and plays hold music to the caller (``WebCallChannel.hold_bridge``); resume joins them again.

The agent's own phone may hold too (its hold key: a re-INVITE ``sendonly`` / ``inactive``): Asterisk
22.10.1 then raises AMI ``Hold`` on the agent leg and plays music to the caller itself (the bridge stays
up), and ``Unhold`` on resume (``tests/fixtures/asterisk/live-phone-hold.txt``). :meth:`HoldOps.on_phone_hold`
counts it like the desk's hold (``hold_by: phone``); only the phone can resume it (the desk's resume
answers 409 saying so). A caller's own hold key (``Hold`` on the caller's leg) is not the agent's hold
and is not counted.

Hold time is counted per call: ``holds`` (how many times) and ``held_s`` (seconds), in the events
``CallHeld`` / ``CallResumed``, in ``CallCompleted`` (``held``, ``heldtime`` of that agent's segment)
and in the call record's ``data`` (``on_hold`` while a hold is in progress). An agent may hold only its own call (``agent_id``); a supervisor any.
"""
from __future__ import annotations

from typing import Any

from .core import EngineState, EventPublisher
from .errors import EngineError, NotFound
from .model import LiveCall
from .ports import EnginePorts


def on_hold_record(c: LiveCall) -> dict[str, Any]:
    """The hold in progress as the call's record keeps it (``data.on_hold``, None once resumed): when the
    engine is away and the caller leaves meanwhile, the next engine closes the record from it (the hold
    time up to then, ``ended_by: caller``) and hangs up the parked leg (:func:`.recovery.orphan_end`)."""
    return {"since": c.on_hold_since, "by": c.hold_by, "leg": c.agent_channel, "held_s": c.held_s}


def own_call(state: EngineState, call_id: str, agent_id: str | None) -> LiveCall:
    """The call in progress; ``agent_id``: the asking agent, who may only act on its own call (404)."""
    c = state.calls.get(call_id)
    if c is None:
        raise NotFound(f"no call {call_id!r} in progress", "call_id")
    if agent_id is not None and c.agent_id != agent_id:
        raise NotFound(f"no call {call_id!r} in progress for agent {agent_id}", "call_id")
    return c


class HoldOps:
    def __init__(self, state: EngineState, events: EventPublisher, ports: EnginePorts) -> None:
        self.state = state
        self.events = events
        self.ports = ports

    def _view(self, c: LiveCall) -> dict[str, Any]:
        now = self.events.now()
        return {"call_id": c.call_id, "on_hold": c.on_hold_since is not None, "on_hold_since": c.on_hold_since,
                "hold_by": c.hold_by, "holds": c.holds, "held_s": c.held_total(now), "agent_id": c.agent_id}

    async def hold(self, call_id: str, by: str | None = None, agent_id: str | None = None) -> dict:
        c = own_call(self.state, call_id, agent_id)
        if c.state != "talking" or not c.agent_channel:
            raise EngineError(f"call {call_id} is not in conversation (state {c.state}): only a call in "
                              "conversation can be put on hold", "call_id")
        now = self.events.now()
        if c.on_hold_since is not None:
            raise EngineError(f"call {call_id} is already on hold (for {now - c.on_hold_since:.0f} s); resume it "
                              f"with POST /api/calls/{call_id}/unhold", "call_id")
        if c.transfer_to:
            raise EngineError(f"call {call_id} is being transferred to {c.transfer_to}", "call_id")
        channel = self.state.channels.get(call_id)
        in_bridge = getattr(channel, "hold_bridge", None)
        c.start_hold(now)
        try:
            if in_bridge is not None:
                in_bridge(True)                         # the engine's own bridge (embedded mode)
                c.hold_in_bridge = True
            else:
                control = self.ports.control
                if control is None or not hasattr(control, "hold_agent_leg"):
                    raise EngineError("no Asterisk call control to put the agent leg on hold", status=503)
                c.pending_holds += 1
                try:
                    await control.hold_agent_leg(c.agent_channel)
                except Exception:
                    c.pending_holds = max(0, c.pending_holds - 1)
                    raise
        except Exception as exc:  # noqa: BLE001 - ControlError (the leg is gone) or no control
            c.on_hold_since, c.hold_by = None, None
            c.holds -= 1
            if isinstance(exc, EngineError):
                raise
            raise EngineError(f"hold failed: {exc}", "call_id") from None
        self.events.publish("CallHeld", c, agent_id=c.agent_id, by=by, holds=c.holds,
                            cdr={"data": {"holds": c.holds, "on_hold": on_hold_record(c)}})
        return self._view(c)

    async def unhold(self, call_id: str, by: str | None = None, agent_id: str | None = None) -> dict:
        c = own_call(self.state, call_id, agent_id)
        if c.on_hold_since is None or c.state != "talking":
            raise EngineError(f"call {call_id} is not on hold", "call_id")
        if c.hold_by == "phone":
            raise EngineError(f"call {call_id} is on hold on the agent's phone (its hold key): resume it on the "
                              "phone", "call_id")
        secs = c.end_hold(self.events.now())
        if c.hold_in_bridge:
            channel = self.state.channels.get(call_id)
            c.hold_in_bridge = False
            if channel is not None:
                channel.hold_bridge(False)
        else:
            c.inbox.put_nowait(("resume",))             # the caller's session bridges the agent leg again
        self.events.publish("CallResumed", c, agent_id=c.agent_id, by=by, held_s=secs, holds=c.holds,
                            total_held_s=c.held_s, cdr={"data": {"holds": c.holds, "held_s": c.held_s,
                                                                 "on_hold": None}})
        return self._view(c)

    def on_phone_hold(self, channel: str, held: bool) -> None:
        """AMI ``Hold`` / ``Unhold`` on a channel: when it is the agent leg of a call in conversation, the
        agent's phone put the caller on hold (counted as a hold ``by: phone``) or resumed it."""
        c = next((c for c in self.state.calls.values() if c.state == "talking" and c.agent_channel == channel), None)
        if c is None:
            return
        now = self.events.now()
        if held:
            if c.on_hold_since is not None:            # already on hold (the desk's hold parks this leg)
                return
            c.start_hold(now, by="phone")
            self.events.publish("CallHeld", c, agent_id=c.agent_id, by="phone", holds=c.holds,
                                cdr={"data": {"holds": c.holds, "on_hold": on_hold_record(c)}})
        elif c.hold_by == "phone":
            secs = c.end_hold(now)
            self.events.publish("CallResumed", c, agent_id=c.agent_id, by="phone", held_s=secs, holds=c.holds,
                                total_held_s=c.held_s, cdr={"data": {"holds": c.holds, "held_s": c.held_s,
                                                                     "on_hold": None}})
