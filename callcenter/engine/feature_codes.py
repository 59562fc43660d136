"""Phone feature codes: FastAGI ``agent/<action>[/<agent>]`` from an agent's phone.

Actions: ``login``, ``logout``, ``ready``, ``pause`` (reason from the next path part or the first AGI
argument), ``wrapup`` (end wrap-up). The agent is named in the path / first argument / ``agent``
parameter, or found from the calling phone (its extension or interface). Sets ``CC_RESULT`` to ``ok``
or ``error: ...`` and plays ``agent-loginok`` / ``agent-loggedoff`` / ``beep`` / ``beeperr``.
"""
from __future__ import annotations

import logging
from typing import Any

from ..ivr.channel import CallerHungUp, ChannelError, Prompt
from .agents import AgentOps
from .core import EngineState
from .errors import EngineError

log = logging.getLogger("callcenter.engine")


class FeatureCodes:
    def __init__(self, state: EngineState, agents: AgentOps) -> None:
        self.state = state
        self.agents = agents

    def _request(self, channel: Any) -> tuple[str, str | None, str | None, str, dict]:
        """(action, agent id or None, phone interface or None, reason, AGI parameters) of the session."""
        session = getattr(channel, "session", None)
        script = getattr(session, "script", "") if session is not None else ""
        parts = [p for p in script.split("/") if p][1:]
        args = list(getattr(session, "args", []) or []) if session is not None else []
        params = dict(getattr(session, "params", {}) or {}) if session is not None else {}
        action = parts[0] if parts else (args.pop(0) if args else "")
        rest = parts[1:] + args
        ext_to_agent = self.state.ext_to_agent
        agent_id = params.get("agent") or (
            rest.pop(0) if rest and (rest[0] in self.state.agents or rest[0] in ext_to_agent) else None)
        if agent_id in ext_to_agent:
            agent_id = ext_to_agent[agent_id]
        info = channel.info
        phone = None
        if info.channel:
            phone = info.channel.rsplit("-", 1)[0] if "-" in info.channel else info.channel
        if agent_id is None:
            agent_id = ext_to_agent.get(info.caller) or ext_to_agent.get(phone or "")
        reason = params.get("reason") or (rest[0] if rest else "")
        return action, agent_id, phone, reason, params

    async def handle(self, channel: Any) -> None:
        action, agent_id, phone, reason, params = self._request(channel)
        info = channel.info
        by = f"phone:{info.caller}"
        sound = "beep"
        try:
            if agent_id is None:
                raise EngineError("this phone belongs to no agent (give the agent id)")
            if action == "login":
                await self.agents.agent_login(agent_id, params.get("phone") or phone, by=by)
                sound = "agent-loginok"
            elif action == "logout":
                await self.agents.agent_logout(agent_id, reason or "phone", by=by)
                sound = "agent-loggedoff"
            elif action == "ready":
                await self.agents.agent_ready(agent_id, by=by)
            elif action == "pause":
                await self.agents.agent_pause(agent_id, reason or "phone", by=by)
            elif action in ("wrapup", "end-wrapup"):
                await self.agents.agent_end_wrapup(agent_id, by=by)
            else:
                raise EngineError(f"unknown agent feature {action!r} (login, logout, ready, pause, wrapup)")
            result = "ok"
        except EngineError as exc:
            result = f"error: {exc.message}"
            sound = "beeperr"        # a sound every Asterisk has (Debian asterisk-core-sounds-en)
            log.info("agent feature code refused: %s", exc.message, extra={"call_id": info.call_id})
        try:
            await channel.set_variable("CC_RESULT", result)
            await channel.answer()
            await channel.play([Prompt("file", sound)])
        except (ChannelError, CallerHungUp):
            pass
