"""Supervisor operations on calls in progress: move to another queue, change priority, hang up, spy
(listen / whisper / barge through ChanSpy on the supervisor's phone), the recording's controls (start on
request, pause, resume: also the agent's own, checked by ``agent_id``)."""
from __future__ import annotations

from .agents import find_agent
from .call import Apply
from .core import EngineState, EventPublisher, TaskSet
from .errors import EngineError, NotFound
from .model import LiveCall
from .ports import EnginePorts


def find_call(state: EngineState, call_id: str) -> LiveCall:
    c = state.calls.get(call_id)
    if c is None:
        raise NotFound(f"no call {call_id!r} in progress", "call_id")
    return c


class SupervisorOps:
    def __init__(self, state: EngineState, events: EventPublisher, tasks: TaskSet, ports: EnginePorts,
                 apply: Apply) -> None:
        self.state = state
        self.events = events
        self.tasks = tasks
        self.ports = ports
        self.apply = apply

    async def move_call(self, call_id: str, queue: str, by: str | None = None) -> dict:
        c = find_call(self.state, call_id)
        if queue not in self.state.queue_rows:
            raise NotFound(f"no queue {queue!r}", "queue")
        self.move(c, queue, by)
        return c.to_dict(self.events.now())

    def move(self, c: LiveCall, queue: str, by: str | None = None, reason: str = "moved") -> None:
        """Move a waiting call to ``queue`` now (also used when its queue is removed); EngineError if
        the router refuses."""
        if c.state not in ("waiting", "ringing", "callback"):
            raise EngineError(f"call {c.call_id} is not waiting (state {c.state})", "call_id")
        old = c.queue
        decisions = self.state.router.move_call(c.call_id, queue, self.events.now())
        for d in decisions:
            if d.kind == "refused":
                raise EngineError(f"move refused: {d.reason}", "call_id")
        c.queue = queue                    # the caller's wait goes on (queue_joined_at kept)
        self.events.publish("CallMoved", c, queue=old, to=queue, by=by, reason=reason)
        self.events.publish("CallQueued", c, queue=queue, caller=c.caller, priority=c.priority, reason=reason,
                            cdr={"queue": queue})
        self.apply(decisions)

    async def set_priority(self, call_id: str, priority: int, by: str | None = None) -> dict:
        c = find_call(self.state, call_id)
        if c.state not in ("waiting", "ringing", "callback"):
            raise EngineError(f"call {call_id} is not waiting (state {c.state})", "call_id")
        decisions = self.state.router.set_priority(call_id, priority, self.events.now())
        for d in decisions:
            if d.kind == "refused":
                raise EngineError(f"priority change refused: {d.reason}", "priority")
        old, c.priority = c.priority, int(priority)
        self.events.publish("CallPriorityChanged", c, priority=c.priority, previous=old, by=by)
        self.apply(decisions)
        return c.to_dict(self.events.now())

    async def hangup_call(self, call_id: str, by: str | None = None, leg: str = "caller") -> dict:
        """Hang a call up; ``leg="agent"`` on a call in conversation ends the agent's leg (the agent
        hanging up from the desk: the call ends ``ended_by=agent``), else the caller's."""
        c = find_call(self.state, call_id)
        control = self.ports.control
        channel = c.agent_channel if leg == "agent" and c.state == "talking" and c.agent_channel else c.channel
        if c.state in ("waiting", "ringing"):
            c.inbox.put_nowait(("hangup",))
        elif control is not None and channel:
            try:
                await control.hangup(channel)
            except Exception as exc:  # noqa: BLE001
                raise EngineError(f"hang-up failed: {exc}", "call_id") from None
        else:
            raise EngineError(f"call {call_id} cannot be hung up in state {c.state}", "call_id")
        self.events.publish("CallHangupRequested", c, by=by)
        return {"call_id": call_id, "hung_up": True}

    async def recording(self, call_id: str, action: str, by: str | None = None,
                        agent_id: str | None = None) -> dict:
        """The call controls of a recording: ``start`` (on request), ``pause``, ``resume``, ``status``.
        ``agent_id``: the asking agent, who may only control their own call."""
        c = find_call(self.state, call_id)
        if agent_id is not None and c.agent_id != agent_id:
            raise NotFound(f"no call {call_id!r} in progress for agent {agent_id}", "call_id")
        recorder = self.ports.recorder
        if recorder is None:
            raise EngineError("call recording is not available (no database or Asterisk)", status=503)
        if action == "status":
            return {"call_id": call_id, "recording": recorder.state_of(call_id)}
        if c.state != "talking":
            raise EngineError(f"call {call_id} is not in conversation (state {c.state})", "call_id")
        ops = {"start": recorder.start_on_request, "pause": recorder.pause, "resume": recorder.resume}
        if action not in ops:
            raise EngineError(f"recording action must be start, pause, resume or status, got {action!r}",
                              "action", status=400)
        try:
            out = await ops[action](c, by)
        except Exception as exc:  # noqa: BLE001 - RecordingRefused carries its HTTP status
            raise EngineError(str(exc), "call_id", status=getattr(exc, "status", 409)) from None
        return {"call_id": call_id, "action": action, "recording": out}

    async def transfer_call(self, call_id: str, destination: str, by: str | None = None,
                            agent_id: str | None = None) -> dict:
        """Blind transfer of a call in conversation: to an agent (by name: its extension), an extension or
        a number as the dialplan's ``cc-transfer`` takes them, or ``context,exten[,priority]``. The agent's
        leg ends and the caller goes there; the call's record says ``ended_by: transfer``.
        ``agent_id``: the asking agent, who may only transfer its own call."""
        c = find_call(self.state, call_id)
        if agent_id is not None and c.agent_id != agent_id:
            raise NotFound(f"no call {call_id!r} in progress for agent {agent_id}", "call_id")
        if c.state != "talking" or not c.agent_channel:
            raise EngineError(f"call {call_id} is not in conversation (state {c.state})", "call_id")
        dest = destination.strip()
        target = self.state.agents.get(dest)
        if target is not None:
            if not target.extension:
                raise EngineError(f"agent {dest} has no extension to transfer to", "to")
            dest = target.extension
        elif dest in self.state.queue_rows:
            raise EngineError(f"{dest!r} is a queue: a call in conversation cannot re-enter a queue; "
                              "transfer to an agent, an extension or a number", "to", status=400)
        if not dest:
            raise EngineError("transfer: give a destination", "to", status=400)
        if self.ports.control is None:
            raise EngineError("no Asterisk connection for call control", status=503)
        c.transfer_to = dest
        try:
            await self.ports.control.hangup(c.agent_channel)
        except Exception as exc:  # noqa: BLE001
            c.transfer_to = None
            raise EngineError(f"transfer failed: {exc}", "call_id") from None
        self.events.publish("CallTransferRequested", c, agent_id=c.agent_id, to=dest, by=by)
        return {"call_id": call_id, "transferred_to": dest}

    async def spy(self, agent_id: str, mode: str, phone: str, by: str | None = None) -> dict:
        a = find_agent(self.state, agent_id)
        c = self.state.calls.get(a.call_id or "")
        target = c.agent_channel if c is not None else None
        if c is None or c.state != "talking" or not target:
            raise EngineError(f"agent {agent_id} is not on a call", "agent_id")
        if self.ports.control is None:
            raise EngineError("no Asterisk connection for call control", status=503)
        self.tasks.spawn(self._spy(target, mode, phone, c, agent_id, by), f"spy-{agent_id}")
        return {"agent_id": agent_id, "call_id": c.call_id, "mode": mode, "phone": phone, "ringing": True}

    async def _spy(self, target: str, mode: str, phone: str, call: LiveCall, agent_id: str, by: str | None) -> None:
        try:
            res = await self.ports.control.spy(phone, target, mode)
            outcome = res.outcome
        except Exception as exc:  # noqa: BLE001
            outcome = f"failed: {exc}"
        self.events.publish("SupervisorSpied", call, agent_id=agent_id, mode=mode, phone=phone, outcome=outcome,
                            by=by)
