"""Agent operations (API, CLI, phone feature codes): log in / out, ready, pause, end wrap-up.

Each one asks the router first (a refusal is an :class:`EngineError` naming it), carries out its
decisions and publishes what the agent did (``AgentLoggedIn``, ``AgentPauseRequested``...).
"""
from __future__ import annotations

import logging

from .call import Apply
from .core import PHONE_IN_USE, PHONE_UNAVAILABLE, EngineState, EventPublisher
from .errors import EngineError, InvalidRequest, NotFound
from .model import LiveAgent

#: device states of a phone that is on (or ringing with) a call
BUSY_DEVICE_STATES = frozenset({"INUSE", "BUSY", "RINGING", "RINGINUSE", "ONHOLD"})

log = logging.getLogger("callcenter.engine")


def find_agent(state: EngineState, agent_id: str) -> LiveAgent:
    a = state.agents.get(agent_id)
    if a is None:
        raise NotFound(f"no agent {agent_id!r}", "agent_id")
    return a


def checked(decisions: list, what: str) -> list:
    """The router's decisions, or an EngineError when it refused the request."""
    for d in decisions:
        if d.kind == "refused":
            raise EngineError(f"{what}: {d.reason}", "agent_id")
    return decisions


class AgentOps:
    def __init__(self, state: EngineState, events: EventPublisher, apply: Apply) -> None:
        self.state = state
        self.events = events
        self.apply = apply

    async def agent_login(self, agent_id: str, phone: str | None = None, by: str | None = None) -> dict:
        a = find_agent(self.state, agent_id)
        phone = (phone or "").strip() or a.phone or a.interface
        if not phone:
            raise InvalidRequest(f"agent {agent_id} has no provisioned phone: give one", "phone")
        if a.state != "logged_out":
            if phone != a.phone:
                a.phone = phone
                self.events.set_agent_state(a, a.state, a.reason, force=True)
            return a.to_dict(self.events.now())
        now = self.events.now()
        a.phone = phone
        a.login_time = now
        decisions = checked(self.state.router.agent_logged_in(agent_id, now, paused=True, reason="login"), "login")
        self.events.set_agent_state(a, "paused", "login")
        self.events.publish("AgentLoggedIn", None, agent_id=agent_id, phone=phone, by=by)
        self.apply(decisions)
        return a.to_dict(self.events.now())

    async def agent_logout(self, agent_id: str, reason: str | None = None, by: str | None = None) -> dict:
        a = find_agent(self.state, agent_id)
        if a.state == "logged_out":
            return a.to_dict(self.events.now())
        decisions = checked(self.state.router.agent_logged_out(agent_id, self.events.now()), "logout")
        self.apply(decisions)
        self.events.set_agent_state(a, "logged_out", None)
        self.events.publish("AgentLoggedOut", None, agent_id=agent_id, reason=reason or None, by=by)
        a.phone = None
        return a.to_dict(self.events.now())

    async def agent_ready(self, agent_id: str, by: str | None = None) -> dict:
        a = find_agent(self.state, agent_id)
        if a.state == "logged_out":
            raise EngineError(f"agent {agent_id} is not logged in", "agent_id")
        self.apply(checked(self.state.router.agent_ready(agent_id, self.events.now()), "ready"))
        return a.to_dict(self.events.now())

    async def agent_pause(self, agent_id: str, reason: str = "", by: str | None = None) -> dict:
        a = find_agent(self.state, agent_id)
        if a.state == "logged_out":
            raise EngineError(f"agent {agent_id} is not logged in", "agent_id")
        reason = reason or "pause"
        decisions = checked(self.state.router.agent_paused(agent_id, self.events.now(), reason), "pause")
        self.apply(decisions)
        if a.state == "paused" and a.reason != reason:
            self.events.set_agent_state(a, "paused", reason)
        elif a.state not in ("paused", "on_call", "offered", "wrap_up"):
            self.events.set_agent_state(a, "paused", reason)
        self.events.publish("AgentPauseRequested", None, agent_id=agent_id, reason=reason, by=by)
        return a.to_dict(self.events.now())

    async def agent_end_wrapup(self, agent_id: str, by: str | None = None) -> dict:
        a = find_agent(self.state, agent_id)
        if a.state != "wrap_up":
            raise EngineError(f"agent {agent_id} is not in wrap-up (state {a.state})", "agent_id")
        self.apply(checked(self.state.router.wrapup_done(agent_id, self.events.now()), "end wrap-up"))
        return a.to_dict(self.events.now())

    def on_phone_state(self, interface: str, device_state: str, available: bool) -> None:
        """Device state from Asterisk: a ready agent whose phone is busy with a call the engine did not
        place is paused (``phone-in-use``) so the router offers them nothing; idle again -> ready."""
        for a in self.state.agents.values():
            if (a.phone or a.interface) != interface:
                continue
            if available and a.state == "paused" and a.reason == PHONE_IN_USE:
                self.apply(self.state.router.agent_unpaused(a.agent_id, self.events.now()))
                log.info("agent phone idle again: ready", extra={"agent": a.agent_id})
            elif device_state in BUSY_DEVICE_STATES and a.state == "ready" and not a.call_id:
                self.pause_for_phone(a, PHONE_IN_USE)

    def pause_for_phone(self, a: LiveAgent, reason: str) -> None:
        self.apply(self.state.router.agent_paused(a.agent_id, self.events.now(), reason))
        if a.state != "paused" or a.reason != reason:
            self.events.set_agent_state(a, "paused", reason)
        self.events.publish("AgentAutoPaused", None, agent_id=a.agent_id, reason=reason)
        log.info("agent paused: %s", reason, extra={"agent": a.agent_id})

    def on_phone_registered(self, interface: str) -> None:
        """An agent paused because their phone was not registered is ready again once it is."""
        for a in self.state.agents.values():
            if a.state == "paused" and a.reason == PHONE_UNAVAILABLE and (a.phone or a.interface) == interface:
                self.apply(self.state.router.agent_unpaused(a.agent_id, self.events.now()))
                log.info("agent phone registered again: ready", extra={"agent": a.agent_id})
