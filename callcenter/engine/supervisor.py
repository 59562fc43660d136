"""Supervisor operations on calls in progress: move to another queue, change priority, hang up, spy
(listen / whisper / barge through ChanSpy on the supervisor's phone), the recording's controls (start on
request, pause, resume: also the agent's own, checked by ``agent_id``)."""
from __future__ import annotations

from .agents import find_agent
from .call import Apply
from .core import EngineState, EventPublisher, TaskSet
from .errors import EngineError, NotFound
from .hold import own_call
from .model import QUEUE_PREFIX, LiveCall
from .ports import EnginePorts


def find_call(state: EngineState, call_id: str) -> LiveCall:
    return own_call(state, call_id, None)


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
        c = own_call(self.state, call_id, agent_id)
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
        """Blind transfer of a call in conversation (or on hold): to a queue (``queue:<name>``, or a
        queue's name that is no agent's), to an agent (by name: its extension), an extension or a
        number as the dialplan's ``cc-transfer`` takes them, or ``context,exten[,priority]``. The agent's
        leg ends (its wrap-up starts) and the caller goes there; to a queue the same call waits again
        (``CallQueued`` with ``transferred_from``). The record says ``ended_by: transfer`` (to a
        queue: the first agent's segment in ``data.segments``, ``data.transferred_to: queue:<name>``).
        ``agent_id``: the asking agent, who may only transfer its own call."""
        c = own_call(self.state, call_id, agent_id)
        if c.state != "talking" or not c.agent_channel:
            raise EngineError(f"call {call_id} is not in conversation (state {c.state})", "call_id")
        if c.transfer_to:
            raise EngineError(f"call {call_id} is already being transferred to {c.transfer_to}", "call_id")
        dest = destination.strip()
        if not dest:
            raise EngineError("transfer: give a destination", "to", status=400)
        target = self.state.agents.get(dest)
        if dest.startswith(QUEUE_PREFIX) or (target is None and dest in self.state.queue_rows):
            queue = dest[len(QUEUE_PREFIX):].strip() if dest.startswith(QUEUE_PREFIX) else dest
            if queue not in self.state.queue_rows:
                raise NotFound(f"no queue {queue!r} to transfer to", "to")
            dest = QUEUE_PREFIX + queue
        elif target is not None:
            if not target.extension:
                raise EngineError(f"agent {dest} has no extension to transfer to", "to")
            dest = target.extension
        channel = self.state.channels.get(call_id)
        end_leg = getattr(channel, "end_agent_leg", None)
        if end_leg is None and self.ports.control is None:
            raise EngineError("no Asterisk connection for call control", status=503)
        c.transfer_to = dest
        try:
            if end_leg is not None:
                await end_leg()                         # the engine's own bridge (embedded mode)
            else:
                await self.ports.control.hangup(c.agent_channel)
        except Exception as exc:  # noqa: BLE001
            c.transfer_to = None
            raise EngineError(f"transfer failed: {exc}", "call_id") from None
        c.inbox.put_nowait(("wake",))                   # a call on hold: its session looks again
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
