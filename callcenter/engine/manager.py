"""The CallManager: one call's way through the whole system, and the agents who answer it.

FastAGI ``ivr`` -> IVR flow (:func:`callcenter.ivr.runner.run_flow`) -> ``queue`` outcome -> ACD
:class:`acd.router.Router` -> decisions carried out through :class:`callcenter.asterisk.control.CallControl`
(ring the agent's phone, bridge from the caller's AGI session) -> hang-up -> wrap-up -> ready.

* Each call in the engine has an *actor*: the coroutine serving its FastAGI session. It owns every AGI
  command on that channel (music on hold, announcements, the callback offer, the bridge) and reads a
  per-call inbox that the router's decisions fill. A hang-up while waiting is an abandon.
* Ringing an agent is its own task (``CallControl.ring_agent``): the result is reported to the router
  (``offer_answered`` / ``offer_timed_out`` = RONA / ``offer_declined`` = busy/unavailable); an agent
  leg answered for a call that is gone (abandoned, answered elsewhere) is hung up.
* Timers: a tick task calls ``Router.tick(now)`` every ``acd.tick_interval`` seconds (offer timeouts,
  wrap-up ends, rule relaxation, max wait, announcements).
* Every change is published on the bus as a past-tense domain event (see ``docs/operations.md``); the
  store writes each one to the event log, merges ``data["cdr"]`` into the call's CDR and persists
  ``AgentStateChanged``. Every call ends with exactly one ``CallEnded`` carrying its full CDR, whatever
  happened (answered, abandoned, overflowed, callback, failed, IVR only).
* Agent state survives a restart: it is persisted by the store and restored at start.
* Restart with calls waiting: the queue outcome is remembered on the channel (``CC_QUEUE``,
  ``CC_QUEUED_AT``, ``CC_PRIORITY``...), so a call whose AGI session comes back (the dialplan re-runs
  ``AGI(.../ivr)`` when the engine went away) re-joins its queue without the IVR; calls the store says
  were waiting but Asterisk no longer has are closed as abandoned (no record left open).
* An engine error never leaves the caller in dead air: the call goes to ``ivr.fallback_queue``; if even
  that fails, the AGI session ends with ``CC_AGI_STATUS=error`` and the dialplan's fallback runs.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Iterable

from ..clock import Clock
from ..config import Config
from ..events import DomainEvent, EventBus
from ..ivr.channel import CallerHungUp, ChannelError, Prompt
from .errors import EngineError, InvalidRequest, NotFound
from .model import ROUTER_TO_STATE, LiveAgent, LiveCall

log = logging.getLogger("callcenter.engine")

#: seconds the router waits beyond the ring time before it withdraws an offer itself (the ring
#: result from Asterisk normally arrives first)
OFFER_GRACE = 5.0
#: how many times a callback's customer may fail to answer before the callback is given up
CALLBACK_ATTEMPTS = 3
#: pause reason the engine sets when an agent's phone is not registered
PHONE_UNAVAILABLE = "phone-unavailable"
#: pause reason of an agent restored from a call in progress, until the phone is seen idle
RESTART_PAUSE = "restart"
RESTART_GRACE = 5.0


class CallManager:
    """The call engine component (``callcenter.app`` starts it as ``engine``)."""

    name = "engine"

    def __init__(self, config: Config, bus: EventBus, clock: Clock | None = None, db: Any = None,
                 store: Any = None, app: Any = None, *, asterisk: Any = None, control: Any = None,
                 flows: Any = None, speech: Any = None, queues: list[dict] | None = None,
                 agents: list[dict] | None = None) -> None:
        self.config = config
        self.bus = bus
        self.clock = clock or Clock()
        self.db = db
        self.store = store
        self.app = app
        self._asterisk = asterisk
        self.control = control
        self.flows = flows
        self.speech = speech
        self._static_queues = list(queues or [])
        self._static_agents = list(agents or [])
        self.router = None
        self.calls: dict[str, LiveCall] = {}
        self.agents: dict[str, LiveAgent] = {}
        self.queue_rows: dict[str, dict[str, Any]] = {}
        self._ext_to_agent: dict[str, str] = {}
        self._tick_task: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._unsubs: list = []
        self._running = False
        self._stopping = False
        self._channels: dict[str, Any] = {}       # call id -> its AGI channel (while the actor runs)
        self.started_at: float | None = None
        self.counters = {"calls": 0, "answered": 0, "abandoned": 0, "failed": 0, "recovered": 0,
                         "ivr_only": 0, "overflowed": 0, "callbacks": 0, "engine_errors": 0}
        self.cpu_seconds = 0.0
        acd = config.get("acd") or {}
        self.rona_timeout = float(acd.get("rona_timeout", 15.0))
        self.tick_interval = float(acd.get("tick_interval", 1.0))
        self.fallback_queue = config.get("ivr.fallback_queue") or "support"
        self.callback_after_default: dict[str, float] = {}
        self._wrap_started: dict[str, float] = {}
        self._restored_busy: dict[str, float] = {}
        self._ready = asyncio.Event()
        self._routes_registered = False
        # FastAGI routes go in now, before the listener starts: a call (or a call coming back after a
        # restart) that arrives while the engine is still starting waits for it instead of "noroute"
        self._register_routes()

    # ================================================================================ lifecycle
    @property
    def asterisk(self) -> Any:
        if self._asterisk is None and self.app is not None:
            self._asterisk = getattr(self.app, "components", {}).get("asterisk")
        return self._asterisk

    def now(self) -> float:
        return self.clock.now()

    async def start(self) -> None:
        from acd.router import Router
        if self.app is not None:     # built before the App opened its database (pre-added component)
            self.db = self.db if self.db is not None else getattr(self.app, "db", None)
            self.store = self.store if self.store is not None else getattr(self.app, "writer", None)
        now = self.now()
        self.started_at = now
        queues, agents = await self._load_provisioning()
        defaults = {"rona_timeout": self.rona_timeout + OFFER_GRACE,
                    "rona_strikes": int(self.config.get("acd.rona_strikes", 3)),
                    "default_wrapup": float(self.config.get("acd.default_wrapup", 10.0))}
        self.router = Router(now=now, defaults=defaults)
        self._defaults = defaults
        for q in queues:
            self._add_queue(q)
        for a in agents:
            self._add_agent(a)
        if self.flows is None:
            self.flows = self._make_flows()
        svc = self.asterisk
        self._register_routes()
        if svc is not None and self.control is None:
            self.control = getattr(svc, "control", None)
        if self.speech is None:
            self.speech = await self._make_speech()
        if svc is not None and self.speech is not None:
            if getattr(svc, "synthesizer", None) is None:
                svc.synthesizer = getattr(self.speech, "synthesizer", None)
            if getattr(svc, "recognizer", None) is None:
                svc.recognizer = getattr(self.speech, "recognizer", None)
        self._unsubs.append(self.bus.subscribe(self._on_asterisk_event,
                                               kinds=("ChannelHungup", "AmiConnected", "AmiResynced",
                                                      "AgentPhoneStateChanged")))
        await self._restore_agents()
        self._running = True
        self._ready.set()
        self._tick_task = asyncio.create_task(self._tick_loop(), name="engine-tick")
        self._spawn(self._close_orphans(), "engine-orphans")
        log.info("call engine started", extra={"queues": len(self.queue_rows), "agents": len(self.agents)})

    async def stop(self) -> None:
        self._running = False
        self._stopping = True
        # Calls still in their AGI session: end the session without a status, so the dialplan runs
        # AGI(ivr) again and the next engine recovers them (CC_QUEUE...) instead of the fallback.
        for call_id, channel in list(self._channels.items()):
            session = getattr(channel, "session", None)
            if session is not None and not getattr(session, "hung_up", False):
                try:
                    session.close()
                except Exception:  # noqa: BLE001
                    pass
        for u in self._unsubs:
            u()
        self._unsubs.clear()
        if self._tick_task is not None:
            self._tick_task.cancel()
            await asyncio.gather(self._tick_task, return_exceptions=True)
            self._tick_task = None
        if getattr(self, "_owns_flows", False) and self.flows is not None:
            try:
                await self.flows.stop()
            except Exception:  # noqa: BLE001
                pass
        if getattr(self, "_owns_speech", False) and self.speech is not None:
            try:
                self.speech.close()
            except Exception:  # noqa: BLE001
                pass
        tasks = [t for t in self._tasks if not t.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        # calls still in the engine stay open in the store: their AGI sessions come back after a
        # restart (dialplan) and are recovered, or are closed as abandoned by the next start.
        log.info("call engine stopped", extra={"calls_in_progress": len(self.calls)})

    @property
    def ready(self) -> bool:
        """True once started (the API answers 503 before)."""
        return self._ready.is_set() and self.router is not None

    def _register_routes(self) -> None:
        if self._routes_registered:
            return
        agi = getattr(self.asterisk, "agi", None) if self.asterisk is not None else None
        if agi is None:
            return
        agi.route("ivr", self.handle_ivr, channel=True)
        agi.route("agent", self.handle_feature_code, channel=True)
        self._routes_registered = True

    async def _wait_ready(self) -> None:
        if not self._ready.is_set():
            await asyncio.wait_for(self._ready.wait(), 60.0)

    def status(self) -> dict[str, Any]:
        return {"state": "ok" if self._running else "stopped", "calls_in_progress": len(self.calls),
                "agents_logged_in": sum(1 for a in self.agents.values() if a.state != "logged_out"),
                "queues": len(self.queue_rows), **self.counters,
                "cpu_seconds": round(self.cpu_seconds, 3)}

    def _spawn(self, coro, name: str) -> asyncio.Task:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("engine task %s failed: %r", task.get_name(), task.exception(),
                      exc_info=task.exception())

    # ------------------------------------------------------------------------------ provisioning
    async def _load_provisioning(self) -> tuple[list[dict], list[dict]]:
        if self.db is None:
            return self._static_queues, self._static_agents
        from ..store import repo
        async with self.db.session() as s:
            queues = [repo.queue_to_dict(q) for q in await repo.list_queues(s)]
            agents = [repo.agent_to_dict(a) for a in await repo.list_agents(s)]
        return queues, [a for a in agents if a.get("enabled", True)]

    def _add_queue(self, row: dict) -> None:
        from acd.config import QueueConfig
        d = {"name": row["name"], "strategy": row.get("strategy") or "longest-idle",
             "sl_target": row.get("sl_target") or 20, "max_wait": row.get("max_wait"),
             "max_len": row.get("max_length") or 0, "overflow": row.get("overflow"),
             "join_empty": row.get("join_empty", True), "leave_empty": row.get("leave_empty", False),
             "rules": list(row.get("rules") or []),
             "announce_every": float(row.get("announce_interval") or 0) if row.get("announce_position", True) else 0.0}
        if row.get("wrapup") is not None:
            d["wrapup"] = row["wrapup"]
        for k in ("rona_timeout", "rona_strikes", "aht_hint", "retry", "priority_aging"):
            if row.get(k) is not None:
                d[k] = row[k]
        try:
            cfg = QueueConfig.from_dict(d, self._defaults)
        except ValueError as exc:
            log.error("queue %s not loaded: %s", row.get("name"), exc)
            return
        self.router.add_queue(cfg)
        self.queue_rows[cfg.name] = {**row, "sl_target": cfg.sl_target, "strategy": cfg.strategy}
        if row.get("callback_after"):
            self.callback_after_default[cfg.name] = float(row["callback_after"])

    def _add_agent(self, row: dict) -> None:
        from acd.config import AgentConfig
        langs = []
        for lang in row.get("languages") or []:
            langs.append(str(lang).lower())
            short = str(lang).split("-")[0].lower()
            if short not in langs:
                langs.append(short)
        queues = {q: p for q, p in (row.get("queues") or {}).items() if q in self.queue_rows}
        try:
            cfg = AgentConfig.from_dict({"id": row["name"], "name": row.get("full_name") or row["name"],
                                         "skills": row.get("skills") or {}, "languages": langs,
                                         "queues": queues, "max_concurrent": 1, "wrapup": row.get("wrapup")})
        except ValueError as exc:
            log.error("agent %s not loaded: %s", row.get("name"), exc)
            return
        self.router.add_agent(cfg)
        iface = row.get("interface") or (f"PJSIP/{row['extension']}" if row.get("extension") else None)
        self.agents[cfg.id] = LiveAgent(agent_id=cfg.id, name=cfg.name, interface=iface,
                                        extension=row.get("extension"), queues=dict(queues),
                                        skills=dict(cfg.skills), languages=list(row.get("languages") or []),
                                        wrapup=row.get("wrapup"), state_since=self.now())
        if row.get("extension"):
            self._ext_to_agent[str(row["extension"])] = cfg.id
        if iface:
            self._ext_to_agent[iface] = cfg.id

    async def reload_provisioning(self) -> dict[str, int]:
        """Pick up queues and agents added to the database since start (existing ones keep their state)."""
        queues, agents = await self._load_provisioning()
        added = {"queues": 0, "agents": 0}
        for q in queues:
            if q["name"] not in self.queue_rows:
                self._add_queue(q)
                added["queues"] += 1
        for a in agents:
            if a["name"] not in self.agents:
                self._add_agent(a)
                added["agents"] += 1
        return added

    async def _restore_agents(self) -> None:
        """Put agents back in the state the store remembers (a restart keeps logged-in agents)."""
        if self.db is None:
            return
        from ..store import repo
        async with self.db.session() as s:
            rows = await repo.list_agents(s)
        now = self.now()
        for row in rows:
            a = self.agents.get(row.name)
            if a is None or row.state in (None, "logged_out"):
                continue
            a.phone = row.login_interface or a.interface
            a.login_time = row.state_since or now
            a.state_since = row.state_since or now
            # ready and paused come back as they were; an agent who was on a call (or ringing, or in
            # wrap-up) may still be talking: paused "restart" until the phone is seen idle
            paused = row.state != "ready"
            reason = row.state_reason if row.state == "paused" else (RESTART_PAUSE if paused else None)
            self._apply(self.router.agent_logged_in(a.agent_id, now, paused=paused, reason=reason))
            if reason == RESTART_PAUSE:
                self._restored_busy[a.agent_id] = now + RESTART_GRACE
            log.info("agent state restored", extra={"agent": a.agent_id, "state": a.state, "reason": reason})

    def _release_restored(self) -> None:
        """Agents paused "restart": ready once their phone is idle (or unknown after the grace time)."""
        if not self._restored_busy:
            return
        now = self.now()
        svc = self.asterisk
        presence = getattr(svc, "presence", None) if svc is not None else None
        for agent_id, until in list(self._restored_busy.items()):
            a = self.agents.get(agent_id)
            if a is None or a.state != "paused" or a.reason != RESTART_PAUSE:
                self._restored_busy.pop(agent_id, None)
                continue
            iface = a.phone or a.interface or ""
            known = presence is not None and presence.known(iface)
            idle = known and presence.is_available(iface)
            if idle or (not known and now >= until):
                self._restored_busy.pop(agent_id, None)
                self._apply(self.router.agent_unpaused(agent_id, now))

    def _make_flows(self) -> Any:
        try:
            from ..ivr import FlowRegistry
        except ImportError as exc:
            log.warning("IVR not available (%s); calls go straight to the fallback queue", exc)
            return None
        hook = None
        if self.db is not None:
            try:
                from ..ivr.persist import database_store_hook
                hook = database_store_hook(self.db)
            except ImportError:
                hook = None
        reg = FlowRegistry.from_config(self.config, clock=self.clock, store=hook)
        try:
            reg.start()
        except Exception as exc:  # noqa: BLE001 - a broken flows dir must not stop the engine
            log.error("IVR flows could not be loaded from %s: %s", self.config.flows_dir, exc)
        for err in reg.errors[:20]:
            log.warning("IVR flow problem: %s", err)
        self._owns_flows = True
        return reg

    async def _make_speech(self) -> Any:
        """The speech service (recognition + prompt synthesis) for the AGI channels."""
        if self.asterisk is None:
            return None
        try:
            from ..speech.service import SpeechService
            speech = SpeechService.from_config(self.config)
            await speech.start()
        except Exception as exc:  # noqa: BLE001 - no speech = DTMF-only menus, never a dead engine
            log.error("speech service unavailable (%s): menus run DTMF-only", exc)
            return None
        self._owns_speech = True
        return speech

    # ================================================================================ publishing
    def publish(self, kind: str, call: LiveCall | None = None, agent_id: str | None = None,
                queue: str | None = None, **data: Any) -> None:
        self.bus.publish(DomainEvent(kind, self.now(), call_id=call.call_id if call else data.pop("call_id", None),
                                     agent_id=agent_id, queue=queue if queue is not None else (call.queue if call else None),
                                     data=data))

    def _set_agent_state(self, a: LiveAgent, state: str, reason: str | None = None, **extra: Any) -> None:
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

    # ================================================================================ decisions
    def _apply(self, decisions: Iterable[Any]) -> None:
        """Carry out router decisions (synchronously: anything slow is spawned or queued to a call)."""
        for d in decisions:
            try:
                getattr(self, "_d_" + d.kind.replace("-", "_"))(d)
            except Exception:  # noqa: BLE001 - one bad decision must not stop the others
                self.counters["engine_errors"] += 1
                log.exception("decision %s failed", d.kind, extra={"call_id": getattr(d, "call_id", None)})

    def _d_queued(self, d) -> None:
        call = self.calls.get(str(d.call_id))
        if call is not None:
            self.publish("CallPositioned", call, queue=d.queue, position=d.position, ewt=d.ewt)

    def _d_offer(self, d) -> None:
        if getattr(d, "callback_number", None):
            return      # a callback: the router also says CallbackDue, which is what we carry out
        call = self.calls.get(str(d.call_id))
        if call is None:
            for aid in d.agent_ids:
                self._apply(self.router.offer_declined(d.call_id, aid, self.now()))
            return
        call.offered_to = tuple(d.agent_ids)
        if call.state == "waiting":
            call.state, call.state_since = "ringing", self.now()
        for aid in d.agent_ids:
            a = self.agents.get(aid)
            if a is not None:
                a.call_id = call.call_id
            self.publish("AgentOffered", call, agent_id=aid, queue=d.queue, caller=call.caller,
                         caller_name=call.caller_name, did=call.did, language=call.language,
                         intent=call.intent, ivr=dict(call.ivr), wait=round(self.now() - (call.queue_joined_at or self.now()), 1),
                         callback_number=d.callback_number)
            self._spawn(self._ring(call, aid, d.queue), f"ring-{call.call_id}-{aid}")

    def _d_callback_due(self, d) -> None:
        call = self.calls.get(str(d.call_id))
        if call is None:
            self._apply(self.router.offer_declined(d.call_id, d.agent_id, self.now()))
            return
        call.offered_to = (d.agent_id,)
        a = self.agents.get(d.agent_id)
        if a is not None:
            a.call_id = call.call_id
        self.publish("AgentOffered", call, agent_id=d.agent_id, queue=d.queue, caller=call.caller,
                     caller_name=call.caller_name, did=call.did, language=call.language, intent=call.intent,
                     ivr=dict(call.ivr), callback_number=d.number)
        self._spawn(self._run_callback(call, d.agent_id, d.number, d.queue), f"callback-{call.call_id}")

    def _d_cancel_offer(self, d) -> None:
        a = self.agents.get(d.agent_id)
        call = self.calls.get(str(d.call_id))
        if call is not None:
            call.offered_to = tuple(x for x in call.offered_to if x != d.agent_id)
            if call.state == "ringing" and not call.offered_to:
                call.state, call.state_since = "waiting", self.now()
        if a is not None and a.call_id == str(d.call_id) and a.state != "on_call":
            a.call_id = None
        if d.reason in ("timeout",):
            self.publish("OfferMissed", call, agent_id=d.agent_id, queue=call.queue if call else None,
                         reason="timeout", ringtime=self.rona_timeout + OFFER_GRACE)

    def _d_announce(self, d) -> None:
        call = self.calls.get(str(d.call_id))
        if call is not None and call.state in ("waiting", "ringing"):
            call.inbox.put_nowait(("announce", d.position, d.ewt))

    def _d_overflow(self, d) -> None:
        call = self.calls.get(str(d.call_id))
        if call is None:
            return
        self.publish("CallOverflowed", call, queue=d.queue, target=d.target, reason=d.reason,
                     to_queue=d.to_queue, holdtime=round(self.now() - (call.queue_joined_at or self.now()), 1))
        if d.to_queue and d.target:
            call.queue = d.target
            call.queue_joined_at = self.now()
            self.publish("CallQueued", call, queue=d.target, caller=call.caller, priority=call.priority,
                         reason="overflow", cdr={"queue": d.target})
        else:
            call.inbox.put_nowait(("leave", d.target, d.reason))

    def _d_agent_auto_paused(self, d) -> None:
        self.publish("AgentAutoPaused", None, agent_id=d.agent_id, reason=d.reason)

    def _d_agent_state_changed(self, d) -> None:
        a = self.agents.get(d.agent_id)
        if a is None:
            return
        state = ROUTER_TO_STATE.get(d.state, d.state)
        if state != "wrap_up" and a.wrapup_task is not None:
            a.wrapup_task = None
        prev = a.state
        self._set_agent_state(a, state, d.reason if state == "paused" else None)
        if prev == "wrap_up" and state != "wrap_up":
            self.publish("WrapupEnded", None, agent_id=a.agent_id, call_id=a.call_id, queue=a.last_queue,
                         wrapup=round(self.now() - (self._wrap_started.pop(a.agent_id, self.now())), 1))
            a.call_id = None
        if state == "wrap_up":
            self._wrap_started[a.agent_id] = self.now()
        if state in ("ready", "paused", "logged_out") and a.call_id and prev not in ("on_call", "wrap_up"):
            c = self.calls.get(a.call_id)
            if c is None or c.agent_id != a.agent_id:
                a.call_id = None

    def _d_requirement_changed(self, d) -> None:
        call = self.calls.get(str(d.call_id))
        self.publish("CallRequirementRelaxed", call, queue=d.queue, rule=d.rule_index, requirement=d.requirement)

    def _d_call_finished(self, d) -> None:
        call = self.calls.get(str(d.call_id))
        if call is None:
            return
        if d.outcome in ("answered", "called-back"):
            return  # the conversation is handled by the call actor / callback task
        if d.outcome == "overflowed":
            call.disposition = "overflowed"
        elif d.outcome == "abandoned" and call.disposition is None:
            call.disposition = "abandoned"

    def _d_refused(self, d) -> None:
        log.debug("router refused %s: %s", d.event, d.reason, extra={"call_id": d.call_id, "agent": d.agent_id})

    # ================================================================================ ticking
    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            t0 = time.process_time()
            try:
                self._apply(self.router.tick(self.now()))
                self._callback_offers_due()
                self._release_restored()
            except Exception:  # noqa: BLE001
                log.exception("router tick failed")
            self.cpu_seconds += time.process_time() - t0

    def _callback_offers_due(self) -> None:
        now = self.now()
        for call in list(self.calls.values()):
            if call.state != "waiting" or call.callback_offered or not call.queue:
                continue
            after = call.callback_offer.offer_after if call.callback_offer else self.callback_after_default.get(call.queue)
            if after and call.queue_joined_at and now - call.queue_joined_at >= after:
                call.callback_offered = True
                call.inbox.put_nowait(("callback-offer",))

    # ================================================================================ the call
    async def handle_ivr(self, channel: Any) -> None:
        """FastAGI ``ivr``: a new call (or one coming back after an engine restart)."""
        await self._wait_ready()
        t0 = time.process_time()
        info = channel.info
        now = self.now()
        call = LiveCall(call_id=info.call_id, caller=info.caller, caller_name=info.caller_name, did=info.did,
                        channel=info.channel, language=info.language, state="ivr", state_since=now,
                        arrived_at=now)
        if info.call_id in self.calls:
            log.warning("AGI session for a call already in progress; ignoring", extra={"call_id": info.call_id})
            return
        self.calls[call.call_id] = call
        self._channels[call.call_id] = channel
        self.counters["calls"] += 1
        try:
            recovered = await self._recovered_queue(channel, call)
            if recovered == "over":
                return
            if recovered is None:
                self.publish("CallArrived", call, caller=call.caller, did=call.did, channel=call.channel,
                             cdr={"caller": call.caller, "caller_name": call.caller_name, "did": call.did,
                                  "language": call.language, "arrived_at": now})
                self.cpu_seconds += time.process_time() - t0
                outcome = await self._run_ivr(channel, call)
                t0 = time.process_time()
                if outcome is None:
                    return
                request = await self._after_ivr(channel, call, outcome)
                if request is None:
                    return
            else:
                request = recovered
            self.cpu_seconds += time.process_time() - t0
            await self._queue_and_wait(channel, call, request)
        except CallerHungUp:
            if self._stopping:
                self.calls.pop(call.call_id, None)
                call.done.set()
            elif call.state == "ivr":
                self._finish(call, "ivr-only", ended_by="caller")
            elif call.state in ("waiting", "ringing"):
                self._abandon(call)
            elif call.state == "talking":
                while not call.inbox.empty():
                    msg = call.inbox.get_nowait()
                    if msg[0] == "bridge":
                        self._spawn(self._hangup_quietly(msg[2]), "hangup-agent-leg")
                self._after_talk(call, "caller")
            else:
                self._finish(call, call.disposition or "abandoned", ended_by="caller")
        except asyncio.CancelledError:
            # the engine is stopping: the call stays open (its channel remembers CC_QUEUE) and is
            # recovered when its AGI session comes back, or closed by the next start if it does not
            self.calls.pop(call.call_id, None)
            call.done.set()
            raise
        except Exception as exc:  # noqa: BLE001 - never dead air: fallback, else the dialplan's fallback
            self.counters["engine_errors"] += 1
            log.exception("engine error on a call: %s", exc, extra={"call_id": call.call_id})
            if call.state in ("ivr",) and self.fallback_queue in self.queue_rows:
                try:
                    from ..ivr.outcome import QueueRequest
                    await self._queue_and_wait(channel, call, QueueRequest(queue=self.fallback_queue))
                    return
                except CallerHungUp:
                    self._abandon(call)
                    return
                except Exception:  # noqa: BLE001
                    log.exception("fallback queue failed", extra={"call_id": call.call_id})
            if call.state in ("waiting", "ringing"):
                self._apply(self.router.call_abandoned(call.call_id, self.now()))
            self._finish(call, "failed", ended_by="engine", error=str(exc)[:200])
            raise
        finally:
            self._channels.pop(call.call_id, None)
            if call.call_id in self.calls and call.state not in ("callback", "talking") and not call.done.is_set():
                # the session ended without a recorded end (transfer etc.)
                self._finish(call, call.disposition or "ivr-only")

    async def _run_ivr(self, channel: Any, call: LiveCall) -> Any:
        from ..ivr.outcome import IvrOutcome, QueueRequest
        version = self._flow_for(call.did)
        if version is None:
            await channel.answer()
            return IvrOutcome(kind="queue", queue=QueueRequest(queue=self.fallback_queue),
                              error="no IVR flow available", language=call.language)
        from ..ivr.runner import run_flow
        flow = getattr(version, "flow", version)
        kw: dict[str, Any] = {"clock": self.clock, "call_data": channel.info, "fallback_queue": self.fallback_queue}
        flows = getattr(version, "flows", None)
        if flows:
            kw["flows"] = flows
        outcome = await run_flow(flow, channel, **kw)
        call.flow = getattr(outcome, "flow", "") or getattr(flow, "name", "")
        return outcome

    def _flow_for(self, did: str) -> Any:
        if self.flows is None:
            return None
        try:
            return self.flows.for_did(did)
        except Exception as exc:  # noqa: BLE001
            log.error("no IVR flow for DID %r: %s", did, exc)
            return None

    async def _after_ivr(self, channel: Any, call: LiveCall, outcome: Any) -> Any:
        call.language = outcome.language or call.language
        call.ivr = {k: v for k, v in (outcome.variables or {}).items() if not str(k).startswith("_")}
        call.intent = call.ivr.get("intent") if isinstance(call.ivr.get("intent"), str) else None
        call.ivr_trace = [t.to_dict() for t in outcome.trace][-200:]
        cdr = {"language": call.language, "intent": call.intent, "ivr_trace": call.ivr_trace,
               "data": {"ivr": call.ivr, "flow": outcome.flow, "flow_version": outcome.flow_version}}
        if outcome.error:
            self.counters["engine_errors"] += 1
            cdr["data"]["ivr_error"] = outcome.error
        self.publish("IvrFinished", call, outcome=outcome.kind, flow=outcome.flow, reason=outcome.reason,
                     error=outcome.error, cdr=cdr)
        if outcome.kind == "queue" and outcome.queue is not None:
            return outcome.queue
        if outcome.kind == "hangup":
            self._finish(call, "ivr-only", ended_by=outcome.hung_up_by or "ivr")
        elif outcome.kind == "transfer":
            self._finish(call, "ivr-only", ended_by="transfer", transferred_to=outcome.destination)
        elif outcome.kind == "voicemail":
            path = outcome.recording.path if outcome.recording else None
            self._finish(call, "ivr-only", ended_by="voicemail", recording=path, mailbox=outcome.mailbox)
        else:
            self._finish(call, "ivr-only", ended_by=outcome.kind)
        return None

    async def _cdr_closed(self, call_id: str) -> bool:
        if self.db is None:
            return False
        from ..store import repo
        try:
            if self.store is not None:
                await self.store.flush()
            async with self.db.session() as s:
                rec = await repo.get_call(s, call_id)
                return rec is not None and rec.ended_at is not None
        except Exception:  # noqa: BLE001
            return False

    async def _recovered_queue(self, channel: Any, call: LiveCall) -> Any:
        """A call that was waiting when the engine went away carries CC_QUEUE on its channel."""
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
        if answered_by:
            # the conversation happened before the engine restarted: it is over now
            self.calls.pop(call.call_id, None)
            call.done.set()
            now = self.now()
            if not await self._cdr_closed(call.call_id):
                self.publish("CallEnded", call, agent_id=answered_by, queue=queue, outcome="answered",
                             ended_by="engine-restart",
                             cdr={"ended_at": now, "disposition": "answered", "agent": answered_by,
                                  "data": {"ended_by": "engine-restart"}})
            try:
                await channel.hangup()
            except (ChannelError, CallerHungUp):
                pass
            return "over"
        from ..ivr.outcome import QueueRequest
        vars_ = {}
        for name in ("CC_QUEUED_AT", "CC_PRIORITY", "CC_LANGUAGE", "CC_SKILLS", "CC_ARRIVED_AT"):
            try:
                vars_[name] = await channel.get_variable(name) or ""
            except ChannelError:
                vars_[name] = ""
        try:
            call.queued_at = float(vars_["CC_QUEUED_AT"]) if vars_["CC_QUEUED_AT"] else None
            call.arrived_at = float(vars_["CC_ARRIVED_AT"]) if vars_["CC_ARRIVED_AT"] else call.arrived_at
        except ValueError:
            pass
        skills = {}
        for part in (vars_["CC_SKILLS"] or "").split(","):
            k, _, v = part.partition(":")
            if k.strip():
                try:
                    skills[k.strip()] = int(v or 1)
                except ValueError:
                    pass
        try:
            prio = int(float(vars_["CC_PRIORITY"] or 0))
        except ValueError:
            prio = 0
        call.recovered = True
        self.counters["recovered"] += 1
        self.publish("CallRecovered", call, queue=queue, queued_at=call.queued_at)
        return QueueRequest(queue=queue, skills=skills, language=vars_["CC_LANGUAGE"] or call.language,
                            priority=prio)

    # ------------------------------------------------------------------------------ waiting
    async def _queue_and_wait(self, channel: Any, call: LiveCall, req: Any) -> None:
        now = self.now()
        queue = req.queue if req.queue in self.queue_rows else None
        if queue is None:
            log.warning("IVR asked for unknown queue %r; using the fallback queue %r", req.queue,
                        self.fallback_queue, extra={"call_id": call.call_id})
            queue = self.fallback_queue
        call.queue, call.priority, call.skills = queue, int(req.priority or 0), dict(req.skills or {})
        call.language = req.language or call.language
        call.callback_offer = getattr(req, "callback", None)
        call.queued_at = call.queued_at or now
        # a call recovered after a restart keeps its wait (hold time, SL) from its first queueing
        call.queue_joined_at = call.queued_at if call.recovered else now
        self.publish("CallQueued", call, queue=queue, caller=call.caller, priority=call.priority,
                     skills=call.skills, language=call.language, recovered=call.recovered,
                     cdr={"queue": queue, "queued_at": call.queued_at, "language": call.language,
                          **({"arrived_at": call.arrived_at, "caller": call.caller, "did": call.did}
                             if call.recovered else {})})
        lang = (call.language or "").split("-")[0].lower() or None
        skills = self._satisfiable_skills(call)
        decisions = self.router.call_arrived(call.call_id, queue, now, call.priority, skills=skills or None,
                                             language=lang if self._language_required(lang) else None,
                                             data={"caller": call.caller})
        refused = [d for d in decisions if d.kind == "refused"]
        if refused:
            log.warning("router refused the call (%s); trying without requirements", refused[0].reason,
                        extra={"call_id": call.call_id})
            decisions = self.router.call_arrived(call.call_id, queue, now, call.priority)
            if any(d.kind == "refused" for d in decisions):
                raise EngineError(f"router refused the call: {refused[0].reason}")
        call.state, call.state_since = "waiting", now
        self._apply(decisions)
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
        await self._wait_loop(channel, call)

    def _satisfiable_skills(self, call: LiveCall) -> dict[str, int]:
        """The IVR's skill requirements, minus skills no agent of the queue has at the asked level
        (a requirement nobody can meet would keep the caller waiting forever); dropped ones are logged."""
        members = [a for a in self.agents.values() if call.queue in a.queues]
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
        return any(lang in [x.split("-")[0].lower() for x in a.languages] for a in self.agents.values())

    async def _wait_loop(self, channel: Any, call: LiveCall) -> None:
        while True:
            if call.done.is_set():
                return
            get = asyncio.ensure_future(call.inbox.get())
            hup = asyncio.ensure_future(channel.wait_hangup(3600.0))
            try:
                done, _ = await asyncio.wait({get, hup}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for f in (get, hup):
                    if not f.done():
                        f.cancel()
            if hup in done and not hup.cancelled() and hup.result():
                if self._stopping:          # our own session close: the call is recovered later
                    self.calls.pop(call.call_id, None)
                    call.done.set()
                    return
                if get in done and not get.cancelled():
                    msg = get.result()
                    if msg[0] == "bridge":
                        self._spawn(self._hangup_quietly(msg[2]), "hangup-agent-leg")
                        self._after_talk(call, ended_by="caller")
                        return
                self._abandon(call)
                return
            if get not in done or get.cancelled():
                continue
            msg = get.result()
            t0 = time.process_time()
            kind = msg[0]
            if kind == "bridge":
                _, agent_id, agent_channel = msg
                await self._talk(channel, call, agent_id, agent_channel)
                return
            if kind == "announce":
                await self._announce(channel, call, msg[1], msg[2])
            elif kind == "callback-offer":
                if await self._offer_callback(channel, call):
                    return
            elif kind == "leave":
                await self._leave(channel, call, msg[1], msg[2])
                return
            elif kind == "hangup":
                self._apply(self.router.call_abandoned(call.call_id, self.now()))
                await channel.hangup()
                self._finish(call, "failed", ended_by="supervisor")
                return
            self.cpu_seconds += time.process_time() - t0

    async def _announce(self, channel: Any, call: LiveCall, position: int, ewt: float | None) -> None:
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

    async def _offer_callback(self, channel: Any, call: LiveCall) -> bool:
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
        decisions = self.router.callback_requested(call.call_id, number, self.now())
        if any(d.kind == "refused" for d in decisions):
            await channel.start_music()
            return False
        call.callback_number = number
        call.state, call.state_since = "callback", self.now()
        self.counters["callbacks"] += 1
        self.publish("CallbackRequested", call, number=number, cdr={"data": {"callback_number": number}})
        try:
            await channel.play([Prompt("text", "Thank you. We will call you back.", language=call.language)])
            await channel.hangup()
        except (ChannelError, CallerHungUp):
            pass
        self._apply(decisions)
        return True

    async def _leave(self, channel: Any, call: LiveCall, target: str | None, reason: str) -> None:
        """Overflow to a dialplan destination (or just continue the dialplan when there is none)."""
        try:
            await channel.stop_music()
            if target:
                await channel.transfer(target)
        except ChannelError as exc:
            log.warning("overflow transfer failed: %s", exc, extra={"call_id": call.call_id})
        self.counters["overflowed"] += 1
        self._finish(call, "overflowed", ended_by="overflow", overflow_target=target, reason=reason)

    def _abandon(self, call: LiveCall) -> None:
        if call.done.is_set():
            return
        now = self.now()
        position = self.router.position(call.call_id)
        self._apply(self.router.call_abandoned(call.call_id, now))
        self.counters["abandoned"] += 1
        self.publish("CallAbandoned", call, holdtime=round(now - (call.queue_joined_at or now), 1),
                     position=position)
        self._finish(call, "abandoned", ended_by="caller")

    # ------------------------------------------------------------------------------ ringing
    async def _ring(self, call: LiveCall, agent_id: str, queue: str) -> None:
        a = self.agents.get(agent_id)
        t_start = self.now()
        if self.control is None or a is None or not (a.phone or a.interface):
            res_outcome, res_channel = "unavailable", None
        else:
            try:
                res = await self.control.ring_agent(a.phone or a.interface, call_id=call.call_id,
                                                    caller_channel=call.channel,
                                                    caller_id=f'"{call.caller_name or call.caller}" <{call.caller}>',
                                                    timeout=self.rona_timeout,
                                                    variables={"CC_QUEUE": queue, "CC_AGENT": agent_id})
                res_outcome, res_channel = res.outcome, res.channel
            except Exception as exc:  # noqa: BLE001 - ControlError or transport: the offer failed
                log.warning("ringing agent %s failed: %s", agent_id, exc, extra={"call_id": call.call_id})
                res_outcome, res_channel = "failed", None
        now = self.now()
        still_wanted = (self.calls.get(call.call_id) is call and not call.done.is_set()
                        and agent_id in call.offered_to and call.state in ("ringing", "waiting"))
        if res_outcome == "answered":
            if still_wanted:
                decisions = self.router.offer_answered(call.call_id, agent_id, now)
                if not any(d.kind == "refused" for d in decisions):
                    call.state, call.state_since = "talking", now
                    call.agent_id = agent_id
                    call.answered_at = now
                    call.hold_s = round(now - (call.queue_joined_at or now), 3)
                    if a is not None:
                        a.call_id = call.call_id
                        a.calls_taken += 1
                        a.last_call = now
                        a.missed = 0
                        a.last_queue = queue
                    self.counters["answered"] += 1
                    self.publish("CallAnswered", call, agent_id=agent_id, queue=queue, holdtime=call.hold_s,
                                 wait=call.hold_s, ringtime=round(now - t_start, 3),
                                 cdr={"answered_at": now, "agent": agent_id, "hold_s": call.hold_s})
                    self._apply(decisions)
                    call.inbox.put_nowait(("bridge", agent_id, res_channel))
                    return
                self._apply(decisions)
            # answered too late (abandoned, answered elsewhere, withdrawn): release the agent leg
            if res_channel:
                await self._hangup_quietly(res_channel)
            if self.router.calls.get(call.call_id) is not None:
                self._apply(self.router.offer_declined(call.call_id, agent_id, self.now()))
            return
        # not answered: RONA (no answer) or the phone is busy / unavailable / failed
        if agent_id not in call.offered_to:
            # the offer was already withdrawn (the router's own timeout, the caller left, the call moved)
            if a is not None and a.call_id == call.call_id and a.state != "on_call":
                a.call_id = None
            return
        self.publish("OfferMissed", call, agent_id=agent_id, queue=queue, reason=res_outcome,
                     ringtime=round(now - t_start, 3))
        if a is not None:
            a.missed += 1
            if a.call_id == call.call_id:
                a.call_id = None
        if res_outcome == "no_answer":
            self._apply(self.router.offer_timed_out(call.call_id, agent_id, now))
        else:
            self._apply(self.router.offer_declined(call.call_id, agent_id, now))
        if res_outcome == "unavailable" and a is not None and a.state not in ("logged_out", "paused", "on_call"):
            # the phone is not registered: stop offering calls to it until it comes back
            self._apply(self.router.agent_paused(agent_id, self.now(), PHONE_UNAVAILABLE))
            if a.state != "paused":
                self._set_agent_state(a, "paused", PHONE_UNAVAILABLE)
            self.publish("AgentAutoPaused", None, agent_id=agent_id, reason=PHONE_UNAVAILABLE)

    def _find_leg(self, interface: str | None) -> str | None:
        """The newest live channel of a phone (``PJSIP/2001-0000002a`` for ``PJSIP/2001``)."""
        svc = self.asterisk
        if not interface or svc is None:
            return None
        best = None
        for tracker in getattr(svc, "trackers", {}).values():
            for ch in tracker.channels.values():
                if ch.name.startswith(interface + "-") and (best is None or _uid(ch.uniqueid) > _uid(best.uniqueid)):
                    best = ch
        return best.name if best else None

    async def _hangup_quietly(self, channel_name: str | None) -> None:
        if not channel_name or self.control is None:
            return
        try:
            await self.control.hangup(channel_name)
        except Exception as exc:  # noqa: BLE001
            log.debug("hang-up of %s failed: %s", channel_name, exc)

    # ------------------------------------------------------------------------------ talking
    async def _talk(self, channel: Any, call: LiveCall, agent_id: str, agent_channel: str | None) -> None:
        call.agent_channel = agent_channel
        ended_by = "agent"
        try:
            try:
                await channel.set_variable("CC_ANSWERED", agent_id)
            except ChannelError:
                pass
            if agent_channel:
                await channel.bridge(agent_channel)
            else:
                raise ChannelError("the agent leg has no channel name")
        except CallerHungUp:
            ended_by = "caller"
        except ChannelError as exc:
            log.warning("bridge failed: %s", exc, extra={"call_id": call.call_id})
            ended_by = "failed"
        finally:
            self._after_talk(call, ended_by)
        if ended_by != "caller":
            try:
                await channel.hangup()
            except (ChannelError, CallerHungUp):
                pass
        if agent_channel and ended_by != "agent":
            await self._hangup_quietly(agent_channel)

    def _after_talk(self, call: LiveCall, ended_by: str) -> None:
        if call.done.is_set():
            return
        now = self.now()
        call.talk_s = round(now - (call.answered_at or now), 3)
        self.publish("CallCompleted", call, agent_id=call.agent_id, holdtime=call.hold_s, talktime=call.talk_s,
                     ended_by=ended_by)
        a = self.agents.get(call.agent_id or "")
        self._apply(self.router.call_ended(call.call_id, now))
        if a is not None and a.state != "wrap_up" and a.call_id == call.call_id:
            a.call_id = None
        self._finish(call, "answered", ended_by=ended_by)

    # ------------------------------------------------------------------------------ callbacks
    async def _run_callback(self, call: LiveCall, agent_id: str, number: str, queue: str) -> None:
        a = self.agents.get(agent_id)
        t_start = self.now()
        res = None
        if self.control is not None and a is not None and (a.phone or a.interface):
            try:
                res = await self.control.callback(a.phone or a.interface, number, call_id=call.call_id,
                                                  caller_id=f'"Callback" <{number}>', agent_timeout=self.rona_timeout)
            except Exception as exc:  # noqa: BLE001
                log.warning("callback failed: %s", exc, extra={"call_id": call.call_id})
        now = self.now()
        if res is not None and res.answered:
            decisions = self.router.offer_answered(call.call_id, agent_id, now)
            if not any(d.kind == "refused" for d in decisions):
                call.state, call.state_since = "talking", now
                call.agent_id, call.answered_at = agent_id, now
                call.hold_s = round(now - (call.queue_joined_at or now), 3)
                call.customer_channel = res.channel
                call.agent_channel = self._find_leg(a.phone or a.interface) if a is not None else None
                if a is not None:
                    a.call_id, a.calls_taken, a.last_call = call.call_id, a.calls_taken + 1, now
                    a.last_queue = queue
                self.counters["answered"] += 1
                self.publish("CallAnswered", call, agent_id=agent_id, queue=queue, holdtime=call.hold_s,
                             wait=call.hold_s, callback=True,
                             cdr={"answered_at": now, "agent": agent_id, "hold_s": call.hold_s})
                self._apply(decisions)
                return   # the end comes as a ChannelHungup of the customer leg (see _on_asterisk_event)
            self._apply(decisions)
            return
        outcome = res.outcome if res is not None else "failed"
        self.publish("OfferMissed", call, agent_id=agent_id, queue=queue, reason=outcome, callback=True,
                     ringtime=round(now - t_start, 3))
        call.callback_attempts += 1
        attempts = call.callback_attempts
        if attempts >= CALLBACK_ATTEMPTS:
            self._apply(self.router.call_abandoned(call.call_id, now))
            self._finish(call, "callback", ended_by="callback-failed")
        elif outcome == "no_answer":
            self._apply(self.router.offer_timed_out(call.call_id, agent_id, now))
        else:
            self._apply(self.router.offer_declined(call.call_id, agent_id, now))

    def _on_asterisk_event(self, ev: DomainEvent) -> None:
        if ev.kind == "ChannelHungup":
            name = ev.data.get("channel")
            if not name:
                return
            for call in list(self.calls.values()):
                if call.state == "talking" and call.callback_number and name in (call.agent_channel,
                                                                                 call.customer_channel):
                    other = call.customer_channel if name == call.agent_channel else call.agent_channel
                    self._after_talk(call, "agent" if name == call.agent_channel else "caller")
                    if other:
                        self._spawn(self._hangup_quietly(other), "hangup-callback-leg")
        elif ev.kind == "AgentPhoneStateChanged":
            iface = ev.data.get("interface")
            if not iface or not ev.data.get("registered"):
                return
            for a in self.agents.values():
                if a.state == "paused" and a.reason == PHONE_UNAVAILABLE and (a.phone or a.interface) == iface:
                    self._apply(self.router.agent_unpaused(a.agent_id, self.now()))
                    log.info("agent phone registered again: ready", extra={"agent": a.agent_id})

    # ------------------------------------------------------------------------------ the end
    def _finish(self, call: LiveCall, disposition: str, ended_by: str | None = None, **data: Any) -> None:
        """Close a call exactly once: the CallEnded event carries its complete CDR."""
        if call.done.is_set():
            return
        if self._stopping and ended_by in ("caller", None) and disposition in ("ivr-only", "abandoned"):
            # the session ended because the engine is stopping: leave the record open (recovered or
            # closed by the next start)
            self.calls.pop(call.call_id, None)
            call.done.set()
            return
        now = self.now()
        call.done.set()
        call.state, call.state_since, call.ended_at = "ended", now, now
        call.disposition = disposition
        call.ended_by = ended_by
        if disposition == "ivr-only":
            self.counters["ivr_only"] += 1
        if disposition == "failed":
            self.counters["failed"] += 1
        a = self.agents.get(call.agent_id or "")
        if a is not None and a.call_id == call.call_id and a.state not in ("on_call", "wrap_up"):
            a.call_id = None
        extra = {k: v for k, v in data.items() if v is not None}
        cdr = {"caller": call.caller, "caller_name": call.caller_name, "did": call.did, "language": call.language,
               "arrived_at": call.arrived_at, "queued_at": call.queued_at, "answered_at": call.answered_at,
               "ended_at": now, "queue": call.queue, "agent": call.agent_id, "disposition": disposition,
               "hold_s": call.hold_s if call.hold_s is not None else (
                   round(now - call.queue_joined_at, 3) if call.queue_joined_at and disposition in ("abandoned", "overflowed") else None),
               "talk_s": call.talk_s, "intent": call.intent,
               "data": {"ended_by": ended_by, "recovered": call.recovered, **extra}}
        if "recording" in extra:
            cdr["recording"] = extra["recording"]
        outcome = {"ivr-only": "ivr-only"}.get(disposition, disposition)
        self.publish("CallEnded", call, outcome=outcome, ended_by=ended_by, cdr=cdr)
        self.calls.pop(call.call_id, None)

    async def _close_orphans(self) -> None:
        """CDRs left open by a previous run: calls that come back through FastAGI are recovered; the
        others are closed once Asterisk no longer has their channel (answered ones as answered, queued
        ones as abandoned, the rest as failed), so no record stays open and no call is counted twice."""
        if self.db is None:
            return
        from sqlalchemy import select

        from ..store.models import CallRecord
        delay = max(5.0, 3 * self.tick_interval)
        pending: dict[str, tuple] | None = None
        for _ in range(60):
            await asyncio.sleep(delay)
            if pending is None:
                try:
                    async with self.db.session() as s:
                        rows = (await s.execute(select(CallRecord).where(
                            CallRecord.ended_at.is_(None), CallRecord.arrived_at < (self.started_at or 0)))).scalars().all()
                        pending = {r.call_id: (r.queue, r.queued_at, r.answered_at, r.agent) for r in rows}
                except Exception as exc:  # noqa: BLE001
                    log.warning("could not look for open call records: %s", exc)
                    return
            now = self.now()
            for call_id in list(pending):
                queue, queued_at, answered_at, agent = pending[call_id]
                if call_id in self.calls or self._channel_alive(call_id):
                    if call_id in self.calls:
                        pending.pop(call_id)
                    continue
                pending.pop(call_id)
                disp = "answered" if answered_at else ("abandoned" if queued_at else "failed")
                self.bus.publish(DomainEvent("CallEnded", now, call_id=call_id, queue=queue, agent_id=agent, data={
                    "outcome": disp, "ended_by": "engine-restart",
                    "cdr": {"ended_at": now, "disposition": disp,
                            "data": {"ended_by": "engine-restart",
                                     "note": "the call ended while the engine was away"}}}))
                if disp == "abandoned":
                    self.bus.publish(DomainEvent("CallAbandoned", now, call_id=call_id, queue=queue,
                                                 data={"holdtime": round(now - queued_at, 1), "engine_restart": True}))
                log.info("closed a call record left open by the previous run", extra={"call_id": call_id,
                                                                                      "disposition": disp})
            if not pending:
                return
            delay = 10.0

    def _channel_alive(self, call_id: str) -> bool:
        svc = self.asterisk
        if svc is None or not hasattr(svc, "channel"):
            return False
        try:
            clients = getattr(svc, "clients", [])
            if clients and not any(getattr(c, "connected", False) for c in clients):
                return True      # Asterisk unknown right now: do not close anything yet
            return svc.channel(call_id) is not None
        except Exception:  # noqa: BLE001
            return False

    # ================================================================================ agents (API, CLI, phone)
    def _agent(self, agent_id: str) -> LiveAgent:
        a = self.agents.get(agent_id)
        if a is None:
            raise NotFound(f"no agent {agent_id!r}", "agent_id")
        return a

    def _check(self, decisions: list, what: str) -> list:
        for d in decisions:
            if d.kind == "refused":
                raise EngineError(f"{what}: {d.reason}", "agent_id")
        return decisions

    async def agent_login(self, agent_id: str, phone: str | None = None, by: str | None = None) -> dict:
        a = self._agent(agent_id)
        phone = (phone or "").strip() or a.phone or a.interface
        if not phone:
            raise InvalidRequest(f"agent {agent_id} has no provisioned phone: give one", "phone")
        if a.state != "logged_out":
            if phone != a.phone:
                a.phone = phone
                self._set_agent_state(a, a.state, a.reason, force=True)
            return a.to_dict(self.now())
        now = self.now()
        a.phone = phone
        a.login_time = now
        decisions = self._check(self.router.agent_logged_in(agent_id, now, paused=True, reason="login"), "login")
        self._set_agent_state(a, "paused", "login")
        self.publish("AgentLoggedIn", None, agent_id=agent_id, phone=phone, by=by)
        self._apply(decisions)
        return a.to_dict(self.now())

    async def agent_logout(self, agent_id: str, reason: str | None = None, by: str | None = None) -> dict:
        a = self._agent(agent_id)
        if a.state == "logged_out":
            return a.to_dict(self.now())
        decisions = self._check(self.router.agent_logged_out(agent_id, self.now()), "logout")
        self._apply(decisions)
        self._set_agent_state(a, "logged_out", None)
        self.publish("AgentLoggedOut", None, agent_id=agent_id, reason=reason or None, by=by)
        a.phone = None
        return a.to_dict(self.now())

    async def agent_ready(self, agent_id: str, by: str | None = None) -> dict:
        a = self._agent(agent_id)
        if a.state == "logged_out":
            raise EngineError(f"agent {agent_id} is not logged in", "agent_id")
        self._apply(self._check(self.router.agent_ready(agent_id, self.now()), "ready"))
        return a.to_dict(self.now())

    async def agent_pause(self, agent_id: str, reason: str = "", by: str | None = None) -> dict:
        a = self._agent(agent_id)
        if a.state == "logged_out":
            raise EngineError(f"agent {agent_id} is not logged in", "agent_id")
        reason = reason or "pause"
        decisions = self._check(self.router.agent_paused(agent_id, self.now(), reason), "pause")
        self._apply(decisions)
        if a.state == "paused" and a.reason != reason:
            self._set_agent_state(a, "paused", reason)
        elif a.state not in ("paused", "on_call", "offered", "wrap_up"):
            self._set_agent_state(a, "paused", reason)
        self.publish("AgentPauseRequested", None, agent_id=agent_id, reason=reason, by=by)
        return a.to_dict(self.now())

    async def agent_end_wrapup(self, agent_id: str, by: str | None = None) -> dict:
        a = self._agent(agent_id)
        if a.state != "wrap_up":
            raise EngineError(f"agent {agent_id} is not in wrap-up (state {a.state})", "agent_id")
        self._apply(self._check(self.router.wrapup_done(agent_id, self.now()), "end wrap-up"))
        return a.to_dict(self.now())

    # ================================================================================ supervisor
    def _live_call(self, call_id: str) -> LiveCall:
        c = self.calls.get(call_id)
        if c is None:
            raise NotFound(f"no call {call_id!r} in progress", "call_id")
        return c

    async def move_call(self, call_id: str, queue: str, by: str | None = None) -> dict:
        c = self._live_call(call_id)
        if queue not in self.queue_rows:
            raise NotFound(f"no queue {queue!r}", "queue")
        if c.state not in ("waiting", "ringing", "callback"):
            raise EngineError(f"call {call_id} is not waiting (state {c.state})", "call_id")
        old = c.queue
        decisions = self.router.move_call(call_id, queue, self.now())
        for d in decisions:
            if d.kind == "refused":
                raise EngineError(f"move refused: {d.reason}", "call_id")
        c.queue = queue
        c.queue_joined_at = self.now()
        self.publish("CallMoved", c, queue=old, to=queue, by=by)
        self.publish("CallQueued", c, queue=queue, caller=c.caller, priority=c.priority, reason="moved",
                     cdr={"queue": queue})
        self._apply(decisions)
        return c.to_dict(self.now())

    async def set_priority(self, call_id: str, priority: int, by: str | None = None) -> dict:
        c = self._live_call(call_id)
        if c.state not in ("waiting", "ringing", "callback"):
            raise EngineError(f"call {call_id} is not waiting (state {c.state})", "call_id")
        decisions = self.router.set_priority(call_id, priority, self.now())
        for d in decisions:
            if d.kind == "refused":
                raise EngineError(f"priority change refused: {d.reason}", "priority")
        old, c.priority = c.priority, int(priority)
        self.publish("CallPriorityChanged", c, priority=c.priority, previous=old, by=by)
        self._apply(decisions)
        return c.to_dict(self.now())

    async def hangup_call(self, call_id: str, by: str | None = None) -> dict:
        c = self._live_call(call_id)
        if c.state in ("waiting", "ringing"):
            c.inbox.put_nowait(("hangup",))
        elif self.control is not None and c.channel:
            try:
                await self.control.hangup(c.channel)
            except Exception as exc:  # noqa: BLE001
                raise EngineError(f"hang-up failed: {exc}", "call_id") from None
        else:
            raise EngineError(f"call {call_id} cannot be hung up in state {c.state}", "call_id")
        self.publish("CallHangupRequested", c, by=by)
        return {"call_id": call_id, "hung_up": True}

    async def spy(self, agent_id: str, mode: str, phone: str, by: str | None = None) -> dict:
        a = self._agent(agent_id)
        c = self.calls.get(a.call_id or "")
        target = c.agent_channel if c is not None else None
        if c is None or c.state != "talking" or not target:
            raise EngineError(f"agent {agent_id} is not on a call", "agent_id")
        if self.control is None:
            raise EngineError("no Asterisk connection for call control", status=503)
        self._spawn(self._spy(target, mode, phone, c, agent_id, by), f"spy-{agent_id}")
        return {"agent_id": agent_id, "call_id": c.call_id, "mode": mode, "phone": phone, "ringing": True}

    async def _spy(self, target: str, mode: str, phone: str, call: LiveCall, agent_id: str, by: str | None) -> None:
        try:
            res = await self.control.spy(phone, target, mode)
            outcome = res.outcome
        except Exception as exc:  # noqa: BLE001
            outcome = f"failed: {exc}"
        self.publish("SupervisorSpied", call, agent_id=agent_id, mode=mode, phone=phone, outcome=outcome, by=by)

    # ================================================================================ feature codes
    async def handle_feature_code(self, channel: Any) -> None:
        """FastAGI ``agent/<action>[/<agent>]``: phone feature codes. Actions: login, logout, ready,
        pause (reason from the next path part or the first AGI argument), wrapup (end wrap-up).
        The agent is named in the path / first argument, or found from the calling phone
        (its extension or interface). Sets ``CC_RESULT`` to ``ok`` or ``error: ...`` and plays
        ``agent-loginok`` / ``agent-loggedoff`` / ``beep`` / ``an-error-has-occurred``."""
        await self._wait_ready()
        session = getattr(channel, "session", None)
        script = getattr(session, "script", "") if session is not None else ""
        parts = [p for p in script.split("/") if p][1:]
        args = list(getattr(session, "args", []) or []) if session is not None else []
        params = dict(getattr(session, "params", {}) or {}) if session is not None else {}
        action = parts[0] if parts else (args.pop(0) if args else "")
        rest = parts[1:] + args
        agent_id = params.get("agent") or (rest.pop(0) if rest and (rest[0] in self.agents or rest[0] in self._ext_to_agent) else None)
        if agent_id in self._ext_to_agent:
            agent_id = self._ext_to_agent[agent_id]
        info = channel.info
        phone = None
        if info.channel:
            phone = info.channel.rsplit("-", 1)[0] if "-" in info.channel else info.channel
        if agent_id is None:
            agent_id = self._ext_to_agent.get(info.caller) or self._ext_to_agent.get(phone or "")
        reason = params.get("reason") or (rest[0] if rest else "")
        sound = "beep"
        try:
            if agent_id is None:
                raise EngineError("this phone belongs to no agent (give the agent id)")
            if action == "login":
                await self.agent_login(agent_id, params.get("phone") or phone, by=f"phone:{info.caller}")
                sound = "agent-loginok"
            elif action == "logout":
                await self.agent_logout(agent_id, reason or "phone", by=f"phone:{info.caller}")
                sound = "agent-loggedoff"
            elif action == "ready":
                await self.agent_ready(agent_id, by=f"phone:{info.caller}")
            elif action == "pause":
                await self.agent_pause(agent_id, reason or "phone", by=f"phone:{info.caller}")
            elif action in ("wrapup", "end-wrapup"):
                await self.agent_end_wrapup(agent_id, by=f"phone:{info.caller}")
            else:
                raise EngineError(f"unknown agent feature {action!r} (login, logout, ready, pause, wrapup)")
            result = "ok"
        except EngineError as exc:
            result = f"error: {exc.message}"
            sound = "an-error-has-occurred"
            log.info("agent feature code refused: %s", exc.message, extra={"call_id": info.call_id})
        try:
            await channel.set_variable("CC_RESULT", result)
            await channel.answer()
            await channel.play([Prompt("file", sound)])
        except (ChannelError, CallerHungUp):
            pass

    # ================================================================================ views
    def agents_status(self) -> list[dict]:
        now = self.now()
        return [a.to_dict(now) for a in sorted(self.agents.values(), key=lambda a: a.agent_id)]

    def agent_status(self, agent_id: str) -> dict:
        return self._agent(agent_id).to_dict(self.now())

    def calls_status(self) -> list[dict]:
        now = self.now()
        out = []
        for c in sorted(self.calls.values(), key=lambda c: c.arrived_at):
            d = c.to_dict(now)
            if c.state in ("waiting", "ringing", "callback"):
                d["position"] = self.router.position(c.call_id)
            out.append(d)
        return out

    def call_status(self, call_id: str) -> dict:
        c = self._live_call(call_id)
        d = c.to_dict(self.now())
        d["position"] = self.router.position(call_id)
        return d

    def queue_status(self, name: str) -> dict:
        if name not in self.queue_rows:
            raise NotFound(f"no queue {name!r}", "queue")
        now = self.now()
        snap = self.router.queue_snapshot(name, now)
        st = snap["stats"]
        row = self.queue_rows[name]
        members = []
        for v in snap["agents"]:
            a = self.agents.get(v["agent_id"])
            if a is None:
                continue
            d = a.to_dict(now)
            d["penalty"] = v.get("penalty", 0)
            d["calls_taken"] = a.calls_taken
            members.append(d)
        callers = []
        for v in snap["waiting"]:
            c = self.calls.get(str(v["call_id"]))
            callers.append({"position": v["position"], "call_id": str(v["call_id"]),
                            "channel": c.channel if c else "", "caller": c.caller if c else "",
                            "wait": round(v.get("wait") or 0, 1), "priority": v.get("priority", 0),
                            "state": v.get("state"), "requirement": v.get("requirement"),
                            "callback": v.get("callback")})
        pct = lambda x: None if x is None else round(100.0 * x, 1)  # noqa: E731
        states: dict[str, int] = {}
        for m in members:
            states[m["state"]] = states.get(m["state"], 0) + 1
        answered = st["answered"] + st.get("called_back", 0)
        offered = st["entered"]
        return {
            "name": name, "strategy": snap["strategy"], "calls_waiting": st["waiting"],
            "max_waiting": row.get("max_length") or 0, "weight": row.get("priority") or 0,
            "holdtime": round(st["asa"] or 0.0, 1), "talktime": round((st["aht"] or 0.0), 1),
            "completed": answered, "abandoned": st["abandoned"], "overflowed": st["overflowed"],
            "offered": offered, "answered": answered,
            "service_level": pct(st["sl"]), "service_level2": pct(st["sl2"]), "sl_target": st["sl_threshold"],
            "asa": None if st["asa"] is None else round(st["asa"], 1),
            "aht": None if st["aht"] is None else round(st["aht"], 1),
            "abandon_rate": pct(st["abandon_rate"]), "occupancy": pct(st["occupancy"]),
            "longest_wait": round(st["longest_wait"], 1), "ewt": st["ewt"], "staffed": st["staffed"],
            "agents_ready": st["agents_ready"], "agent_states": states,
            "members": members, "callers": callers,
        }

    def queues_status(self) -> list[dict]:
        return [self.queue_status(n) for n in sorted(self.queue_rows)]

    def snapshot(self) -> dict:
        states: dict[str, int] = {}
        for a in self.agents.values():
            states[a.state] = states.get(a.state, 0) + 1
        queues = []
        for q in self.queues_status():
            queues.append({**q, "service_level": None if q["service_level"] is None else q["service_level"] / 100.0,
                           "abandon_rate": None if q["abandon_rate"] is None else q["abandon_rate"] / 100.0})
        return {"queues": queues, "agent_states": states, "calls_active": len(self.calls)}

    def sl_targets(self) -> dict[str, float]:
        return {n: float(r.get("sl_target") or 20) for n, r in self.queue_rows.items()}

    async def event_rows(self, start: float, end: float) -> list:
        if self.db is None:
            return []
        if self.store is not None:
            try:
                await self.store.flush()
            except Exception as exc:  # noqa: BLE001
                log.warning("store flush before report failed: %s", exc)
        return await load_event_rows(self.db, start, end)

    async def cdrs(self, start: float, end: float, limit: int = 1000) -> list[dict]:
        if self.db is None:
            return []
        from ..store import repo
        if self.store is not None:
            try:
                await self.store.flush()
            except Exception as exc:  # noqa: BLE001
                log.warning("store flush before CDR query failed: %s", exc)
        async with self.db.session() as s:
            rows = await repo.list_calls(s, since=start, until=end, limit=limit)
            return [repo.call_to_dict(r) for r in rows]


def _uid(uniqueid: str) -> tuple[int, int]:
    """Asterisk uniqueids (``1795292610.31``) in creation order."""
    a, _, b = (uniqueid or "").partition(".")
    try:
        return int(a), int(b or 0)
    except ValueError:
        return 0, 0


REPORT_KINDS = ("CallQueued", "CallAnswered", "CallAbandoned", "CallCompleted", "WrapupEnded", "OfferMissed",
                "CallOverflowed", "CallMoved", "CallbackRequested", "AgentStateChanged")


async def load_event_rows(db: Any, start: float, end: float) -> list:
    """Event-log rows a report over [start, end) needs (agent state rows from before the interval too:
    they say what state each agent was in when it began)."""
    from sqlalchemy import select

    from ..store.models import CallEvent
    from .reports import LogEvent
    async with db.session() as s:
        q = select(CallEvent).where(CallEvent.event.in_(REPORT_KINDS), CallEvent.ts < end)
        q = q.where((CallEvent.ts >= start) | (CallEvent.event == "AgentStateChanged"))
        rows = (await s.execute(q.order_by(CallEvent.ts, CallEvent.id))).scalars().all()
        return [LogEvent(r.ts, r.event, r.call_id, r.queue, r.agent, r.data or {}) for r in rows]
