"""The CallManager: the call engine component; its lifecycle, provisioning, the router's clock.

FastAGI ``ivr`` -> IVR flow -> ``queue`` outcome -> ACD :class:`acd.router.Router` -> decisions carried
out through call control (ring the agent's phone, bridge from the caller's AGI session) -> hang-up ->
wrap-up -> ready. The work is done by the parts this class builds and hands the shared state to:

* :mod:`.call` (:class:`CallLife`): the life of one call, the coroutine serving its FastAGI session;
* :mod:`.ringing` (:class:`Ringing`): ringing agents and callbacks, beside the call's coroutine;
* :mod:`.decisions` (:class:`Decisions`): the router's decisions carried out;
* :mod:`.agents`, :mod:`.supervisor`, :mod:`.hold`, :mod:`.feature_codes`: agent, supervisor, hold and
  phone operations;
* :mod:`.views`: what the API, the CLI and the metrics show.

* :mod:`.provisioning` (:class:`Provisioning`): queues and agents rows into the live router (start, reload);

What stays here: start / stop, provisioning (load, live reload when the store's provisioning revision
moves, agent state restored after a restart),
the tick task (``Router.tick(now)`` every ``acd.tick_interval`` seconds: offer timeouts, wrap-up
ends, rule relaxation, max wait, announcements, callback offers), records left open by a previous run,
and the public methods the API, CLI and tests call (each delegates to its part).

Every change is published on the bus as a past-tense domain event (see ``docs/operations.md``); the
store writes each one to the event log, merges ``data["cdr"]`` into the call's CDR and persists
``AgentStateChanged``. Every call ends with exactly one ``CallEnded`` carrying its full CDR. Agent
state survives a restart; calls whose AGI session comes back after a restart are recovered
(:meth:`CallLife.recovered_queue`); calls the store says were waiting but Asterisk no longer has are
closed as abandoned.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Iterable

from acd.router import Router

from ..clock import Clock
from ..config import Config
from ..events import DomainEvent, EventBus
from .agents import AgentOps
from .call import CallLife, hangup_quietly
from .core import (RESTART_GRACE, RESTART_PAUSE, EngineSettings, EngineState, EventPublisher, TaskSet,
                   day_start)
from .decisions import Decisions
from .feature_codes import FeatureCodes
from .hold import HoldOps
from .model import LiveCall
from .ports import (CallControlPort, EngineRecords, EnginePorts, FlowSource, NoPhoneLines, PhoneLines,
                    RecorderPort)
from .provisioning import Provisioning
from .recovery import orphan_end
from .ringing import Ringing
from .supervisor import SupervisorOps
from .views import Views

log = logging.getLogger("callcenter.engine")


class CallManager:
    """The call engine component (``callcenter.app`` builds it as ``engine`` and routes the FastAGI
    ``ivr`` and ``agent`` scripts to :meth:`handle_ivr` and :meth:`handle_feature_code`).

    ``control``: call control (ring agents, hang up, spy); ``phones``: what Asterisk knows of phones
    and channels; ``flows``: the IVR flows by dialled number; ``records``: the database (provisioning,
    agent states, CDRs); without it, ``queues`` and ``agents`` rows are the provisioning.
    """

    name = "engine"

    def __init__(self, config: Config, bus: EventBus, clock: Clock | None = None, *,
                 control: CallControlPort | None = None, phones: PhoneLines | None = None,
                 flows: FlowSource | None = None, records: EngineRecords | None = None,
                 queues: list[dict] | None = None, agents: list[dict] | None = None,
                 recorder: RecorderPort | None = None) -> None:
        self.bus = bus
        self.clock = clock or Clock()
        self._static_queues = list(queues or [])
        self._static_agents = list(agents or [])
        self.settings = EngineSettings.from_config(config)
        self.state = EngineState()
        self.events = EventPublisher(bus, self.clock)
        self.tasks = TaskSet()
        self.ports = EnginePorts(control=control, phones=phones or NoPhoneLines(), flows=flows, records=records,
                                 recorder=recorder)
        # phones can be rung only with call control and an Asterisk configured (ami.servers): without
        # them an offer is not rung (nor counted as a miss) and the log says so
        self.state.telephony = control is not None and bool(getattr(phones, "clients", True))
        self.life = CallLife(self.state, self.settings, self.events, self.tasks, self.ports, self._apply)
        self.ringing = Ringing(self.state, self.settings, self.events, self.tasks, self.ports, self._apply,
                               self.life)
        self.decisions = Decisions(self.state, self.settings, self.events, self.tasks, self.ringing)
        self.agent_ops = AgentOps(self.state, self.events, self._apply)
        self.supervisor = SupervisorOps(self.state, self.events, self.tasks, self.ports, self._apply)
        self.hold_ops = HoldOps(self.state, self.events, self.ports)
        self.feature_codes = FeatureCodes(self.state, self.agent_ops)
        self.views = Views(self.state, self.events, self.ports)
        self.provisioning = Provisioning(self.state, self.settings, self.events, self._apply, self.supervisor.move)
        self._reload_lock = asyncio.Lock()
        self._tick_task: asyncio.Task | None = None
        self._unsubs: list = []
        self._running = False
        self.started_at: float | None = None
        self._ready = asyncio.Event()

    # ================================================================================ shared state
    calls = property(lambda self: self.state.calls)
    agents = property(lambda self: self.state.agents)
    queue_rows = property(lambda self: self.state.queue_rows)
    counters = property(lambda self: self.state.counters)
    callback_after_default = property(lambda self: self.state.callback_after_default)
    router = property(lambda self: self.state.router)

    @property
    def cpu_seconds(self) -> float:
        """One definition: the engine process's CPU time (all threads: speech recognition and
        synthesis run in threads) since the engine started. Summing slices of time.process_time()
        around awaits counted other tasks' and threads' CPU too (issue 11: 5.8 s for 2.1 s used)."""
        return max(0.0, time.process_time() - self.state.cpu_start) if self.state.cpu_start is not None else 0.0

    @property
    def control(self) -> CallControlPort | None:
        return self.ports.control

    @property
    def flows(self) -> FlowSource | None:
        """The IVR flows (``GET /api/flows`` shows them)."""
        return self.ports.flows

    def now(self) -> float:
        return self.clock.now()

    def publish(self, kind: str, call: LiveCall | None = None, agent_id: str | None = None,
                queue: str | None = None, **data: Any) -> None:
        self.events.publish(kind, call, agent_id, queue, **data)

    def _apply(self, decisions: Iterable[Any]) -> None:
        self.decisions.apply(decisions)

    # ================================================================================ lifecycle
    async def start(self) -> None:
        now = self.now()
        self.started_at = now
        self.provisioning.revision = await self._provisioning_revision()
        self.state.cpu_start = time.process_time()
        queues, agents = await self._load_provisioning()
        self.state.router = Router(now=now, defaults=self.settings.router_defaults())
        self.provisioning.apply(queues, agents)
        if self.provisioning.errors:
            log.error("call engine starts without %d provisioning row(s) the ACD refuses: %s (fix them with "
                      "callcenter queue/agent update; /health shows the engine degraded until then)",
                      len(self.provisioning.errors), ", ".join(self.provisioning.errors))
        self._unsubs.append(self.bus.subscribe(self._on_asterisk_event,
                                               kinds=("ChannelHungup", "AmiConnected", "AmiResynced",
                                                      "AgentPhoneStateChanged", "ChannelHeld", "ChannelUnheld")))
        await self._restore_agents()
        self._running = True
        self._ready.set()
        self._tick_task = asyncio.create_task(self._tick_loop(), name="engine-tick")
        if self.ports.records is not None and self.settings.reload_interval > 0:
            self.tasks.spawn(self._watch_provisioning(), "engine-provisioning")
        self.tasks.spawn(self._close_orphans(), "engine-orphans")
        log.info("call engine started", extra={"queues": len(self.queue_rows), "agents": len(self.agents)})

    async def stop(self) -> None:
        self._running = False
        self.state.stopping = True
        # Calls still in their AGI session: end the session without a status, so the dialplan runs
        # AGI(ivr) again and the next engine recovers them (CC_QUEUE...) instead of the fallback.
        for call_id, channel in list(self.state.channels.items()):
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
        await self.tasks.cancel_all()
        # calls still in the engine stay open in the store: their AGI sessions come back after a
        # restart (dialplan) and are recovered, or are closed as abandoned by the next start.
        log.info("call engine stopped", extra={"calls_in_progress": len(self.calls)})

    @property
    def ready(self) -> bool:
        """True once started (the API answers 503 before)."""
        return self._ready.is_set() and self.router is not None

    async def _wait_ready(self) -> None:
        if not self._ready.is_set():
            await asyncio.wait_for(self._ready.wait(), 60.0)

    def status(self) -> dict[str, Any]:
        """``state`` is ``degraded`` while a stored queue or agent row is refused by the ACD
        (``provisioning_errors`` names each)."""
        errors = self.provisioning.errors
        state = ("degraded" if errors else "ok") if self._running else "stopped"
        return {"state": state, "calls_in_progress": len(self.calls),
                "agents_logged_in": sum(1 for a in self.agents.values() if a.state != "logged_out"),
                "queues": len(self.queue_rows), **self.counters,
                # what can ring now: the phone lines may say (browser phones: asterisk | browser | none)
                "telephony": (getattr(self.ports.phones, "telephony", None)
                              or ("asterisk" if self.state.telephony else "none")),
                "cpu_seconds": round(self.cpu_seconds, 3),
                "provisioning_revision": self.provisioning.revision,
                **({"provisioning_errors": [f"{k}: {v}" for k, v in errors.items()]} if errors else {})}

    def _on_asterisk_event(self, ev: DomainEvent) -> None:
        if ev.kind == "ChannelHungup":
            name = ev.data.get("channel")
            if name:
                self.ringing.on_channel_hungup(name)
                self.life.on_agent_leg_hungup(name)
        elif ev.kind in ("ChannelHeld", "ChannelUnheld"):
            if ev.data.get("channel"):
                self.hold_ops.on_phone_hold(ev.data["channel"], ev.kind == "ChannelHeld")
        elif ev.kind == "AgentPhoneStateChanged":
            iface = ev.data.get("interface")
            if iface and ev.data.get("registered"):
                self.agent_ops.on_phone_registered(iface)
            if iface:
                self.agent_ops.on_phone_state(iface, ev.data.get("state") or "", bool(ev.data.get("available")))

    # ------------------------------------------------------------------------------ provisioning
    async def _load_provisioning(self) -> tuple[list[dict], list[dict]]:
        if self.ports.records is None:
            return self._static_queues, self._static_agents
        return await self.ports.records.provisioning()

    async def _provisioning_revision(self) -> int | None:
        records = self.ports.records
        return None if records is None else await records.provisioning_revision()

    async def reload_provisioning(self) -> dict[str, Any]:
        """Apply the stored provisioning to the live router now (the watcher does it by itself within
        ``acd.reload_interval`` of a change): what changed, as in the ``ProvisioningReloaded`` event."""
        async with self._reload_lock:
            revision = await self._provisioning_revision()     # before the rows: a later change reloads again
            queues, agents = await self._load_provisioning()
            changes = self.provisioning.apply(queues, agents)
            self.provisioning.revision = revision
        if changes:
            data = {"revision": revision, **changes.to_dict()}
            self.publish("ProvisioningReloaded", None, **data)
            log.info("provisioning reloaded: %s", changes.summary(), extra={"revision": revision})
        return {"revision": revision, **changes.to_dict()}

    async def _watch_provisioning(self) -> None:
        """Reload when the store's provisioning revision moves (a write by the CLI, an import, another
        process), checked every ``acd.reload_interval`` seconds with one small query."""
        failing = False
        while True:
            await asyncio.sleep(self.settings.reload_interval)
            try:
                if await self._provisioning_revision() != self.provisioning.revision:
                    await self.reload_provisioning()
                failing = False
            except Exception as exc:  # noqa: BLE001 - the database may be away for a while
                if not failing:
                    log.warning("provisioning reload check failed (retrying): %s", exc)
                failing = True

    async def _restore_agents(self) -> None:
        """Put agents back in the state the store remembers (a restart keeps logged-in agents)."""
        if self.ports.records is None:
            return
        rows = await self.ports.records.agent_states()
        now = self.now()
        await self._restore_counters(now)
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
                self.state.restored_busy[a.agent_id] = now + RESTART_GRACE
            log.info("agent state restored", extra={"agent": a.agent_id, "state": a.state, "reason": reason})

    async def _restore_counters(self, now: float) -> None:
        """Agents' call counters (``calls_taken``, ``last_call``) count today's answered calls (since
        local midnight): the store has them, so an engine restart does not reset them."""
        self._counter_day = day_start(now)
        try:
            counts = await self.ports.records.answered_since(self._counter_day)
        except Exception as exc:  # noqa: BLE001 - counters are not worth failing the start for
            log.warning("could not restore the agents' call counters: %s", exc)
            return
        for name, (n, last) in counts.items():
            a = self.agents.get(name)
            if a is not None:
                a.calls_taken, a.last_call = n, last

    def _roll_counters(self, now: float) -> None:
        """A new day: the agents' ``calls_taken`` start again from zero."""
        day = day_start(now)
        if day != getattr(self, "_counter_day", day):
            for a in self.agents.values():
                a.calls_taken = 0
        self._counter_day = day

    def _release_restored(self) -> None:
        """Agents paused "restart": ready once their phone is idle (or unknown after the grace time)."""
        restored = self.state.restored_busy
        if not restored:
            return
        now = self.now()
        phones = self.ports.phones
        for agent_id, until in list(restored.items()):
            a = self.agents.get(agent_id)
            if a is None or a.state != "paused" or a.reason != RESTART_PAUSE:
                restored.pop(agent_id, None)
                continue
            iface = a.phone or a.interface or ""
            known = phones.phone_known(iface)
            idle = known and phones.phone_idle(iface)
            if idle or (not known and now >= until):
                restored.pop(agent_id, None)
                self._apply(self.router.agent_unpaused(agent_id, now))

    # ================================================================================ ticking
    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.tick_interval)
            try:
                self._apply(self.router.tick(self.now()))
                self._callback_offers_due()
                self._release_restored()
                for name in self.provisioning.retire_due():
                    log.info("agent %s removed after the call", name, extra={"agent": name})
                self._roll_counters(self.now())
            except Exception:  # noqa: BLE001
                log.exception("router tick failed")

    def _callback_offers_due(self) -> None:
        now = self.now()
        for call in list(self.calls.values()):
            if call.state != "waiting" or call.callback_offered or not call.queue:
                continue
            after = call.callback_offer.offer_after if call.callback_offer else self.callback_after_default.get(call.queue)
            if after and call.queue_joined_at and now - call.queue_joined_at >= after:
                call.callback_offered = True
                call.inbox.put_nowait(("callback-offer",))

    async def _close_orphans(self) -> None:
        """CDRs left open by a previous run: calls that come back through FastAGI are recovered; the
        others are closed once Asterisk no longer has their channel (answered ones as answered, queued
        ones as abandoned, the rest as failed; one on hold as ended by its caller with its hold time, its
        parked agent leg hung up: :func:`.recovery.orphan_end`), so no record stays open and no call is
        counted twice."""
        try:
            await self._close_orphans_loop()
        finally:
            self.state.seen = None

    async def _close_orphans_loop(self) -> None:
        records = self.ports.records
        if records is None:
            return
        delay = max(5.0, 3 * self.settings.tick_interval)
        pending: dict[str, tuple] | None = None
        for _ in range(60):
            await asyncio.sleep(delay)
            if pending is None:
                try:
                    pending = await records.open_calls(self.started_at or 0)
                except Exception as exc:  # noqa: BLE001
                    log.warning("could not look for open call records: %s", exc)
                    return
            now = self.now()
            known = channels_known(self.ports.phones)
            close, keep = sort_orphans(list(pending), seen=self.state.seen or set(), alive=self.ports.phones.call_alive,
                                       channels_known=known)
            if not known and keep:
                log.info("open call records of the previous run: %d kept until Asterisk has listed its "
                         "channels", len(keep))
            for call_id in set(pending) - set(close) - set(keep):
                pending.pop(call_id)
            for call_id in close:
                queue, queued_at, answered_at, agent, data = pending.pop(call_id)
                end = orphan_end(queue, queued_at, answered_at, data, now)
                disp = end.disposition
                if end.hangup_leg and self.ports.phones.channel_alive(end.hangup_leg):
                    self.tasks.spawn(hangup_quietly(self.ports.control, end.hangup_leg), "hangup-parked-leg")
                self.bus.publish(DomainEvent("CallEnded", now, call_id=call_id, queue=queue, agent_id=agent, data={
                    "outcome": disp, "ended_by": end.ended_by,
                    "cdr": {"ended_at": now, "disposition": disp, "data": end.cdr_data}}))
                if disp == "abandoned":
                    self.bus.publish(DomainEvent("CallAbandoned", now, call_id=call_id, queue=queue,
                                                 data={"holdtime": round(now - queued_at, 1), "engine_restart": True}))
                log.info("closed a call record left open by the previous run", extra={"call_id": call_id,
                                                                                      "disposition": disp})
            if not pending:
                return
            delay = 10.0

    # ================================================================================ the public API
    async def handle_ivr(self, channel: Any) -> None:
        """FastAGI ``ivr``: a new call (or one coming back after an engine restart)."""
        await self._wait_ready()
        await self.life.handle_ivr(channel)

    async def handle_feature_code(self, channel: Any) -> None:
        """FastAGI ``agent/<action>[/<agent>]``: phone feature codes (:mod:`.feature_codes`)."""
        await self._wait_ready()
        await self.feature_codes.handle(channel)

    # agents (API, CLI, phone)
    async def agent_login(self, agent_id: str, phone: str | None = None, by: str | None = None) -> dict:
        return await self.agent_ops.agent_login(agent_id, phone, by)

    async def agent_logout(self, agent_id: str, reason: str | None = None, by: str | None = None) -> dict:
        return await self.agent_ops.agent_logout(agent_id, reason, by)

    async def agent_ready(self, agent_id: str, by: str | None = None) -> dict:
        return await self.agent_ops.agent_ready(agent_id, by)

    async def agent_pause(self, agent_id: str, reason: str = "", by: str | None = None) -> dict:
        return await self.agent_ops.agent_pause(agent_id, reason, by)

    async def agent_end_wrapup(self, agent_id: str, by: str | None = None) -> dict:
        return await self.agent_ops.agent_end_wrapup(agent_id, by)

    # supervisor
    async def move_call(self, call_id: str, queue: str, by: str | None = None) -> dict:
        return await self.supervisor.move_call(call_id, queue, by)

    async def set_priority(self, call_id: str, priority: int, by: str | None = None) -> dict:
        return await self.supervisor.set_priority(call_id, priority, by)

    async def hangup_call(self, call_id: str, by: str | None = None, leg: str = "caller") -> dict:
        return await self.supervisor.hangup_call(call_id, by, leg)

    async def transfer_call(self, call_id: str, destination: str, by: str | None = None,
                            agent_id: str | None = None) -> dict:
        return await self.supervisor.transfer_call(call_id, destination, by, agent_id)

    async def spy(self, agent_id: str, mode: str, phone: str, by: str | None = None) -> dict:
        return await self.supervisor.spy(agent_id, mode, phone, by)

    async def hold_call(self, call_id: str, by: str | None = None, agent_id: str | None = None) -> dict:
        return await self.hold_ops.hold(call_id, by, agent_id)

    async def unhold_call(self, call_id: str, by: str | None = None, agent_id: str | None = None) -> dict:
        return await self.hold_ops.unhold(call_id, by, agent_id)

    async def recording(self, call_id: str, action: str, by: str | None = None,
                        agent_id: str | None = None) -> dict:
        return await self.supervisor.recording(call_id, action, by, agent_id)

    # views
    def agents_status(self) -> list[dict]:
        return self.views.agents_status()

    def agent_status(self, agent_id: str) -> dict:
        return self.views.agent_status(agent_id)

    def calls_status(self) -> list[dict]:
        return self.views.calls_status()

    def call_status(self, call_id: str) -> dict:
        return self.views.call_status(call_id)

    def queue_status(self, name: str) -> dict:
        return self.views.queue_status(name)

    def queues_status(self) -> list[dict]:
        return self.views.queues_status()

    def snapshot(self) -> dict:
        return {**self.views.snapshot(), "cpu_seconds": round(self.cpu_seconds, 3)}

    def sl_targets(self) -> dict[str, float]:
        return self.views.sl_targets()

    async def event_rows(self, start: float, end: float) -> list:
        return await self.views.event_rows(start, end)

    async def cdrs(self, start: float, end: float, limit: int = 1000, *, caller: str | None = None,
                   agent: str | None = None) -> list[dict]:
        return await self.views.cdrs(start, end, limit, caller=caller, agent=agent)


def channels_known(phones: Any) -> bool:
    """Whether the phone lines' view of Asterisk's channels is complete (:meth:`PhoneLines.channels_known`;
    lines that cannot say are taken at their word: ``call_alive`` alone decides)."""
    known = getattr(phones, "channels_known", None)
    try:
        return bool(known()) if callable(known) else True
    except Exception:  # noqa: BLE001 - a wrapper without Asterisk behind it
        return True


def sort_orphans(open_ids: Iterable[str], *, seen: set[str] | frozenset[str],
                 alive: Any, channels_known: bool = True) -> tuple[list[str], list[str]]:
    """Which call records left open by the previous run to close now, and which to look at again.

    A call whose AGI session came back in this run (``seen``) owns its record: it is neither closed nor
    kept, even after it has ended (closing it again would write a second end: the restart race where a
    call came back, was answered and ended between two looks). While Asterisk's channel list is not
    known (``channels_known`` False: the AMI resync after the restart has not completed, e.g. a slow
    ``CoreShowChannels``), a missing channel proves nothing: every other call is kept. Otherwise a call
    Asterisk still has (``alive``) is kept for the next look (its session may still come back); the
    rest are closed. Returns ``(close, keep)``; ids in neither are done with."""
    close: list[str] = []
    keep: list[str] = []
    for call_id in open_ids:
        if call_id in seen:
            continue
        (keep if not channels_known or alive(call_id) else close).append(call_id)
    return close, keep
