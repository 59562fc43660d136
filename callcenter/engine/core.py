"""What every part of the engine shares: the live tables, the settings, event publishing, tasks.

* :class:`EngineState`: the live calls and agents, the provisioned queue rows, the extension/interface
  -> agent map, the counters shown by ``status()``, the ACD router (set at start).
* :class:`EngineSettings`: the few numbers the call path reads (RONA time, tick, fallback queue).
* :class:`EventPublisher`: the clock and the bus: past-tense domain events, agent state changes.
* :class:`TaskSet`: background tasks of the engine (ringing, callbacks, spy, orphans), cancelled at stop.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Coroutine

from ..clock import Clock
from ..config import Config
from ..events import DomainEvent, EventBus
from .model import LiveAgent, LiveCall

log = logging.getLogger("callcenter.engine")

#: seconds the router waits beyond the ring time before it withdraws an offer itself (the ring
#: result from Asterisk normally arrives first)
OFFER_GRACE = 5.0
#: how many times a callback's customer may fail to answer before the callback is given up
CALLBACK_ATTEMPTS = 3
#: pause reason the engine sets when an agent's phone is not registered
PHONE_UNAVAILABLE = "phone-unavailable"
#: pause reason the engine sets while an agent's phone is busy with a call the engine did not place
#: (device state INUSE / BUSY / RINGING / ON HOLD); cleared when the phone is idle again
PHONE_IN_USE = "phone-in-use"
#: pause reason when no telephony is configured (ami.servers empty): no phone can be rung
NO_TELEPHONY = "no-telephony"
#: ended_by of a call whose Asterisk went away under it (FastAGI dropped without a hang-up)
ASTERISK_RESTART = "asterisk-restart"
#: pause reason of an agent restored from a call in progress, until the phone is seen idle
RESTART_PAUSE = "restart"
RESTART_GRACE = 5.0


def day_start(ts: float) -> float:
    """Local midnight before ``ts`` (epoch seconds): the agents' daily call counters start there."""
    import datetime as _dt
    d = _dt.datetime.fromtimestamp(ts)
    return d.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def new_counters() -> dict[str, int]:
    return {"calls": 0, "answered": 0, "abandoned": 0, "failed": 0, "recovered": 0,
            "ivr_only": 0, "overflowed": 0, "callbacks": 0, "engine_errors": 0}


@dataclass(frozen=True)
class EngineSettings:
    """The numbers the call path reads (configuration sections ``acd`` and ``ivr``)."""

    rona_timeout: float         # seconds an agent's phone rings (acd.rona_timeout)
    tick_interval: float        # seconds between router ticks (acd.tick_interval)
    fallback_queue: str         # where a call goes when its IVR fails (ivr.fallback_queue)
    rona_strikes: int           # missed offers before the agent is paused (acd.rona_strikes)
    default_wrapup: float       # wrap-up seconds when neither queue nor agent sets one (acd.default_wrapup)
    reload_interval: float = 2.0  # seconds between checks for provisioning changes (acd.reload_interval)

    @classmethod
    def from_config(cls, config: Config) -> "EngineSettings":
        acd = config.acd
        return cls(rona_timeout=float(acd.rona_timeout), tick_interval=float(acd.tick_interval),
                   fallback_queue=config.ivr.fallback_queue, rona_strikes=int(acd.rona_strikes),
                   default_wrapup=float(acd.default_wrapup), reload_interval=float(acd.reload_interval))

    @property
    def offer_timeout(self) -> float:
        """The router's own offer timeout: the ring time plus :data:`OFFER_GRACE`."""
        return self.rona_timeout + OFFER_GRACE

    def router_defaults(self) -> dict[str, float]:
        """Queue defaults for the ACD router (``QueueConfig.from_dict``)."""
        return {"rona_timeout": self.offer_timeout, "rona_strikes": self.rona_strikes,
                "default_wrapup": self.default_wrapup}


@dataclass(eq=False)
class EngineState:
    """The engine's live tables (one instance shared by all its parts)."""

    calls: dict[str, LiveCall] = field(default_factory=dict)
    # call ids that had an AGI session in this run, while records left open by the previous run are
    # looked at (None after: it would only grow)
    seen: set[str] | None = field(default_factory=set)
    agents: dict[str, LiveAgent] = field(default_factory=dict)
    queue_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    ext_to_agent: dict[str, str] = field(default_factory=dict)     # extension / interface -> agent id
    channels: dict[str, Any] = field(default_factory=dict)         # call id -> its AGI channel (while its actor runs)
    callback_after_default: dict[str, float] = field(default_factory=dict)
    wrap_started: dict[str, float] = field(default_factory=dict)
    restored_busy: dict[str, float] = field(default_factory=dict)  # agent id -> grace end (restart pause)
    counters: dict[str, int] = field(default_factory=new_counters)
    router: Any = None                  # acd.router.Router, set at start
    cpu_start: float | None = None      # time.process_time() when the engine started
    telephony: bool = True              # an Asterisk is configured (ami.servers): phones can be rung
    stopping: bool = False


class EventPublisher:
    """The engine's clock and bus: publishes domain events, keeps agents' visible state."""

    def __init__(self, bus: EventBus, clock: Clock) -> None:
        self.bus = bus
        self.clock = clock

    def now(self) -> float:
        return self.clock.now()

    def publish(self, kind: str, call: LiveCall | None = None, agent_id: str | None = None,
                queue: str | None = None, **data: Any) -> None:
        self.bus.publish(DomainEvent(kind, self.now(), call_id=call.call_id if call else data.pop("call_id", None),
                                     agent_id=agent_id, queue=queue if queue is not None else (call.queue if call else None),
                                     data=data))

    def set_agent_state(self, a: LiveAgent, state: str, reason: str | None = None, **extra: Any) -> None:
        now = self.now()
        if state == a.state and reason == a.reason and not extra.get("force"):
            return
        prev = a.state
        a.state, a.reason, a.state_since = state, reason, now
        if state == "logged_out":
            a.login_time = None
        elif prev == "logged_out" and a.login_time is None:
            a.login_time = now
        data: dict[str, Any] = {"state": state, "previous": prev}
        if reason:
            data["reason"] = reason
        if state == "logged_out":
            data["interface"] = None
        elif a.phone:
            data["interface"] = a.phone
        self.bus.publish(DomainEvent("AgentStateChanged", now, call_id=a.call_id, agent_id=a.agent_id, data=data))


class TaskSet:
    """Background tasks of the engine; a failed one is logged, all are cancelled at stop."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task:
        task = asyncio.create_task(coro, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("engine task %s failed: %r", task.get_name(), task.exception(),
                      exc_info=task.exception())

    async def cancel_all(self) -> None:
        tasks = [t for t in self.tasks if not t.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
