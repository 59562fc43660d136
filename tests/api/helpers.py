"""API test helpers: the static tokens, a clock value, an in-memory engine double, headers."""
from __future__ import annotations

from callcenter.engine.errors import EngineError, NotFound
from callcenter.engine.reports import LogEvent
from callcenter.events import DomainEvent, EventBus

TOKENS = {
    "tok-admin": {"user": "root", "role": "admin"},
    "tok-sup": {"user": "sue", "role": "supervisor"},
    "tok-a1": {"user": "alice", "role": "agent", "agent": "a1"},
    "tok-a2": "agent:a2",
}
NOW = 1_767_225_600.0 + 3600


class FakeEngine:
    """Keeps agent states and two calls; records every change so tests can check nothing happened."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self.changes: list[tuple] = []
        self.agents = {"a1": {"agent_id": "a1", "name": "Alice", "state": "logged_out", "phone": None},
                       "a2": {"agent_id": "a2", "name": "Bob", "state": "ready", "phone": "PJSIP/2002"}}
        self.calls = {"c1": {"call_id": "c1", "queue": "support", "state": "talking", "agent_id": "a1"},
                      "c2": {"call_id": "c2", "queue": "billing", "state": "waiting", "agent_id": None,
                             "priority": 0}}

    def now(self) -> float:
        return NOW

    def snapshot(self) -> dict:
        return {"queues": self.queues_status(), "agent_states": {"ready": 1}, "calls_active": 2}

    def agents_status(self):
        return list(self.agents.values())

    def agent_status(self, agent_id):
        if agent_id not in self.agents:
            raise NotFound(f"no agent {agent_id!r}", "agent_id")
        return self.agents[agent_id]

    def queues_status(self):
        return [self.queue_status("support")]

    def queue_status(self, name):
        if name != "support":
            raise NotFound(f"no queue {name!r}", "queue")
        return {"name": "support", "strategy": "longest-idle", "calls_waiting": 0, "completed": 3,
                "abandoned": 1, "service_level": 75.0, "sl_target": 20, "holdtime": 4, "talktime": 30,
                "longest_wait": 0, "asa": 4.0, "aht": 30.0, "abandon_rate": 25.0,
                "members": [{"agent_id": "a2", "name": "Bob", "interface": "PJSIP/2002", "state": "ready",
                             "calls_taken": 3, "login_time": NOW - 100, "last_call": NOW - 10}],
                "callers": []}

    def calls_status(self):
        return list(self.calls.values())

    def call_status(self, call_id):
        if call_id not in self.calls:
            raise NotFound(f"no call {call_id!r} in progress", "call_id")
        return self.calls[call_id]

    def _set(self, agent_id, state, **kw):
        self.agent_status(agent_id)
        self.changes.append((agent_id, state, kw))
        self.agents[agent_id] = {**self.agents[agent_id], "state": state, **kw}
        self.bus.publish(DomainEvent("AgentStateChanged", NOW, agent_id=agent_id, data={"state": state, **kw}))
        return self.agents[agent_id]

    async def agent_login(self, agent_id, phone, by=None):
        return self._set(agent_id, "paused", phone=phone, pause_reason="login")

    async def agent_logout(self, agent_id, reason=None, by=None):
        return self._set(agent_id, "logged_out")

    async def agent_ready(self, agent_id, by=None):
        return self._set(agent_id, "ready")

    async def agent_pause(self, agent_id, reason, by=None):
        return self._set(agent_id, "paused", pause_reason=reason)

    async def agent_end_wrapup(self, agent_id, by=None):
        if self.agent_status(agent_id)["state"] != "wrapup":
            raise EngineError(f"agent {agent_id} is not in wrap-up", "agent_id")
        return self._set(agent_id, "ready")

    async def spy(self, agent_id, mode, phone, by=None):
        self.changes.append(("spy", agent_id, mode, phone))
        return {"agent_id": agent_id, "mode": mode, "phone": phone}

    async def move_call(self, call_id, queue, by=None):
        self.call_status(call_id)
        self.changes.append(("move", call_id, queue))
        self.calls[call_id]["queue"] = queue
        return self.calls[call_id]

    async def set_priority(self, call_id, priority, by=None):
        self.call_status(call_id)
        self.changes.append(("priority", call_id, priority))
        self.calls[call_id]["priority"] = priority
        return self.calls[call_id]

    async def hangup_call(self, call_id, by=None):
        self.call_status(call_id)
        self.changes.append(("hangup", call_id))
        return {"call_id": call_id, "hung_up": True}

    def sl_targets(self):
        return {"support": 20.0}

    async def event_rows(self, start, end):
        t = NOW - 1800
        return [LogEvent(t, "CallQueued", "c9", "support"),
                LogEvent(t + 5, "CallAnswered", "c9", "support", "a2", {"holdtime": 5}),
                LogEvent(t + 65, "CallCompleted", "c9", "support", "a2", {"holdtime": 5, "talktime": 60})]

    async def cdrs(self, start, end, limit):
        return [{"call_id": "c9", "queue": "support", "disposition": "answered"}]


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
