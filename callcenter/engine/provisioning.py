"""Provisioning into the live router: the queues and agents rows loaded at start and reloaded live.

:meth:`Provisioning.apply` takes the stored rows (``repo.queue_to_dict`` / ``repo.agent_to_dict``),
compares them with what is loaded and changes the router in place, keeping live state:

* new queues and agents are added (agents logged out); changed ones are updated (skills,
  proficiencies, languages, memberships and penalties; strategy, rules, service level, max wait,
  overflow ...): a logged-in agent stays logged in, waiting calls stay and are re-evaluated;
* a removed queue's waiting calls move to its overflow queue, else to the fallback queue
  (``ivr.fallback_queue``), and only when neither exists leave the queue to the dialplan;
* a removed (or disabled) agent who is idle is logged out and removed; one who is ringing, talking or
  in wrap-up gets no new call and is removed once back (:meth:`Provisioning.retire_due`).

A row the ACD refuses (possible only for rows written by older versions or by hand: the store refuses
them on write with the same checks, :mod:`callcenter.store.acd_rows`) is logged as an error naming it,
listed in :attr:`Provisioning.errors` (``/health`` shows the engine degraded), and changes nothing:
a queue or agent already loaded keeps its last good configuration.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..store.acd_rows import RowError, agent_config, queue_config
from .core import EngineSettings, EngineState, EventPublisher
from .errors import EngineError
from .model import LiveAgent

log = logging.getLogger("callcenter.engine")

#: agent states in which a removed agent finishes first
BUSY = ("offered", "on_call", "wrap_up")
#: agent row keys that are live state, not provisioning
_LIVE_KEYS = ("state", "state_reason", "state_since", "login_interface")


@dataclass
class Changes:
    """What one :meth:`Provisioning.apply` changed (the ``ProvisioningReloaded`` event's data)."""

    queues_added: list[str] = field(default_factory=list)
    queues_changed: list[str] = field(default_factory=list)
    queues_removed: list[str] = field(default_factory=list)
    agents_added: list[str] = field(default_factory=list)
    agents_changed: list[str] = field(default_factory=list)
    agents_removed: list[str] = field(default_factory=list)
    agents_retiring: list[str] = field(default_factory=list)    # removed, finishing their call first
    calls_moved: dict[str, str] = field(default_factory=dict)     # call id -> queue it moved to
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(self.to_dict().values())

    def to_dict(self) -> dict[str, Any]:
        return {k: (dict(v) if isinstance(v, dict) else list(v)) for k, v in self.__dict__.items()}

    def summary(self) -> str:
        parts = [f"{k.replace('_', ' ')}: {', '.join(v) if isinstance(v, list) else len(v)}"
                 for k, v in self.__dict__.items() if v and k != "errors"]
        if self.errors:
            parts.append(f"{len(self.errors)} row(s) refused")
        return "; ".join(parts) or "no change"


class Provisioning:
    """The loaded provisioning (``state.queue_rows`` and ``state.agents`` are the live tables it fills)."""

    def __init__(self, state: EngineState, settings: EngineSettings, events: EventPublisher,
                 apply: Callable[[Iterable[Any]], None], move: Callable[..., None]) -> None:
        self.state = state
        self.settings = settings
        self.events = events
        self.apply_decisions = apply
        self.move = move                                  # SupervisorOps.move(call, queue, by, reason)
        self.queue_keys: dict[str, dict] = {}             # queue -> its row as loaded (compared on reload)
        self.agent_keys: dict[str, tuple] = {}            # agent -> its row as loaded + effective queues
        self.errors: dict[str, str] = {}                  # "queue NAME" / "agent NAME" -> why not loaded
        self.retiring: set[str] = set()
        self.revision: int | None = None

    # ------------------------------------------------------------------------------------------
    def apply(self, queue_rows: list[dict], agent_rows: list[dict]) -> Changes:
        """Make the router match the rows (start: everything is new). Synchronous: nothing else runs
        between the comparison and the router changes."""
        ch = Changes()
        errors: dict[str, str] = {}
        router = self.state.router
        # queues: the valid rows; a refused row keeps what is loaded under its name
        wanted: dict[str, tuple[Any, dict]] = {}
        keep: set[str] = set()                            # the queues there will be
        for row in queue_rows:
            name = str(row.get("name"))
            try:
                wanted[name] = (queue_config(row, self.settings.router_defaults()), row)
                keep.add(name)
            except RowError as exc:
                errors[f"queue {name}"] = str(exc)
                if name in router.queues:
                    keep.add(name)
        for name, (cfg, row) in wanted.items():
            key = {k: v for k, v in row.items() if k != "members"}
            if name not in router.queues:
                router.add_queue(cfg)
                ch.queues_added.append(name)
            elif self.queue_keys.get(name) != key:
                self.apply_decisions(router.update_queue(cfg, self.events.now()))
                ch.queues_changed.append(name)
            else:
                continue
            self.queue_keys[name] = key
            self.state.queue_rows[name] = {**row, "sl_target": cfg.sl_target, "strategy": cfg.strategy}
            if row.get("callback_after"):
                self.state.callback_after_default[name] = float(row["callback_after"])
            else:
                self.state.callback_after_default.pop(name, None)

        # agents (memberships of queues that stay)
        seen: set[str] = set()
        for row in agent_rows:
            name = str(row.get("name"))
            try:
                cfg = agent_config(row, keep)
            except RowError as exc:
                errors[f"agent {name}"] = str(exc)
                if name in self.state.agents:
                    seen.add(name)
                continue
            seen.add(name)
            key = ({k: v for k, v in row.items() if k not in _LIVE_KEYS}, sorted(cfg.queues.items()))
            if name not in self.state.agents:
                router.add_agent(cfg)
                self.state.agents[name] = LiveAgent(agent_id=cfg.id, state_since=self.events.now())
                ch.agents_added.append(name)
            elif self.agent_keys.get(name) != key or name in self.retiring:
                self.retiring.discard(name)
                self.apply_decisions(router.update_agent(cfg, self.events.now()))
                ch.agents_changed.append(name)
            else:
                continue
            self.agent_keys[name] = key
            self._set_live_agent(self.state.agents[name], cfg, row)

        # removed queues: their waiting calls move on first
        for name in [n for n in router.queues if n not in keep]:
            self._remove_queue(name, keep, ch)
        # removed agents
        for name in [n for n in self.state.agents if n not in seen and n not in self.retiring]:
            a = self.state.agents[name]
            if a.state in BUSY:
                self._retire(a, ch)
            else:
                self._remove_agent(name)
                ch.agents_removed.append(name)

        for what, why in errors.items():
            if self.errors.get(what) != why:
                loaded = what.split(" ", 1)[1] in (router.queues if what.startswith("queue") else self.state.agents)
                log.error("%s not loaded%s: %s", what, " (its previous configuration stays)" if loaded else "",
                          why)
        self.errors = errors
        ch.errors = [f"{k}: {v}" for k, v in errors.items()]
        return ch

    def retire_due(self) -> list[str]:
        """Removed agents who were busy: removed once their call and wrap-up are over."""
        done = []
        for name in list(self.retiring):
            a = self.state.agents.get(name)
            if a is None:
                self.retiring.discard(name)
            elif a.state not in BUSY:
                self.retiring.discard(name)
                self._remove_agent(name)
                done.append(name)
        return done

    # ------------------------------------------------------------------------------------------
    def _set_live_agent(self, a: LiveAgent, cfg: Any, row: dict) -> None:
        iface = row.get("interface") or (f"PJSIP/{row['extension']}" if row.get("extension") else None)
        self._forget_phones(a.agent_id)
        a.name, a.interface, a.extension = cfg.name, iface, row.get("extension")
        a.queues, a.skills = dict(cfg.queues), dict(cfg.skills)
        a.languages, a.wrapup = list(row.get("languages") or []), row.get("wrapup")
        if row.get("extension"):
            self.state.ext_to_agent[str(row["extension"])] = cfg.id
        if iface:
            self.state.ext_to_agent[iface] = cfg.id

    def _forget_phones(self, agent_id: str) -> None:
        for k in [k for k, v in self.state.ext_to_agent.items() if v == agent_id]:
            del self.state.ext_to_agent[k]

    def _remove_queue(self, name: str, keep: set[str], ch: Changes) -> None:
        router = self.state.router
        overflow = router.queues[name].cfg.overflow
        target = next((q for q in (overflow, self.settings.fallback_queue) if q and q != name and q in keep), None)
        for call in list(self.state.calls.values()):
            if call.queue != name or call.state not in ("waiting", "ringing", "callback") or target is None:
                continue
            try:
                self.move(call, target, by="provisioning", reason="queue-removed")
                ch.calls_moved[call.call_id] = target
            except EngineError as exc:
                log.warning("call %s not moved out of removed queue %s: %s", call.call_id, name, exc,
                            extra={"call_id": call.call_id})
        if target is None and any(c.queue == name for c in self.state.calls.values()):
            log.warning("queue %s removed with calls waiting and neither an overflow queue nor the fallback "
                        "queue %r exists: they leave to the dialplan", name, self.settings.fallback_queue)
        self.apply_decisions(router.remove_queue(name, self.events.now()))
        self.state.queue_rows.pop(name, None)
        self.state.callback_after_default.pop(name, None)
        self.queue_keys.pop(name, None)
        for a in self.state.agents.values():
            a.queues.pop(name, None)
        ch.queues_removed.append(name)

    def _retire(self, a: LiveAgent, ch: Changes) -> None:
        """A removed agent on a call: no new offers (no queues), removed when the call is over."""
        cfg = agent_config({"name": a.agent_id, "full_name": a.name, "skills": a.skills,
                            "languages": a.languages, "queues": {}, "wrapup": a.wrapup})
        self.apply_decisions(self.state.router.update_agent(cfg, self.events.now()))
        a.queues = {}
        self.retiring.add(a.agent_id)
        self.agent_keys.pop(a.agent_id, None)
        ch.agents_retiring.append(a.agent_id)
        log.info("agent %s removed: finishing the current call first", a.agent_id, extra={"agent": a.agent_id})

    def _remove_agent(self, name: str) -> None:
        self.apply_decisions(self.state.router.remove_agent(name, self.events.now()))
        self.state.agents.pop(name, None)
        self._forget_phones(name)
        self.state.restored_busy.pop(name, None)
        self.state.wrap_started.pop(name, None)
        self.agent_keys.pop(name, None)
