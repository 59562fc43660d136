"""Wiring only: configuration -> components -> run.

:class:`App` loads nothing itself; ``callcenter serve`` hands it a validated :class:`Config`. Start-up:

1. open the database (one clear line when unreachable), upgrade the schema (Alembic ``head``),
   load the demo provisioning on the first run (empty database, ``database.load_demo: true``);
2. start the :class:`~callcenter.store.writer.StoreWriter` (event log, CDRs, agent state from the bus);
3. build the call center (:meth:`App.wire_call_center`): the Asterisk service (FastAGI listener + AMI),
   the speech service its channels use, the IVR flows, and the call engine, each handed the
   collaborators it needs (call control, phone presence, flows, the database); the FastAGI scripts
   ``ivr`` and ``agent`` are routed to the engine;
4. bind the HTTP server (``/health``, ``/version`` and the API routes, handed the engine, the bus, the
   database and the token settings; one clear line when the port is in use) and start the components
   in order: ``asterisk``, ``speech`` (models loaded while calls already wait), ``engine``.

SIGTERM/SIGINT: components stop in reverse order, ``bus.drain()`` lets async handlers finish, the store
writer flushes every pending row, the HTTP server and the database close. Exit status 0.

Components
----------
Anything with ``async start()``, ``async stop()`` and ``status() -> dict`` (:class:`Component`).
``status()`` should carry ``"state"``: ``ok`` | ``degraded`` | ``down`` | ``starting`` | ``stopped``;
``/health`` reports ``degraded`` when any component is not ``ok`` (or absent), and still answers 200.
``App(config, component_specs=[(name, "module:factory"), ...])`` runs other components instead of the
call center (tests, tools): a factory is called with the keyword arguments its signature names among
``config``, ``bus``, ``clock``, ``db`` and ``store`` (the StoreWriter); a module that cannot be found is
reported ``absent`` in ``/health``. Add a built one with :meth:`App.add_component` before ``start()``.
"""
from __future__ import annotations

import asyncio
import dataclasses
import errno
import importlib
import inspect
import logging
import os
import signal
import time
from typing import Any, Protocol, runtime_checkable

from . import __version__
from .analytics.finalize import register as register_finalize
from .analytics.jobs import JobQueue, JobSettings
from .analytics.policy import PolicyError
from .analytics.recorder import Recorder
from .analytics.service import register_analytics
from .api.app import WebDeps, create_web_app
from .asterisk.service import AsteriskService
from .clock import Clock
from .config import Config
from .engine.flow_store import database_store_hook
from .engine.manager import CallManager
from .engine.records import DbRecords
from .events import EventBus
from .ivr.registry import FlowRegistry
from .store.db import Database, DatabaseError
from .store.writer import StoreWriter

log = logging.getLogger("callcenter.app")

#: Components whose absence makes ``/health`` degraded (the server cannot take calls without them).
ESSENTIAL = ("asterisk",)

STOP_TIMEOUT = 5.0


@runtime_checkable
class Component(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def status(self) -> dict[str, Any]: ...


class StartupError(Exception):
    """Start-up cannot continue; ``str()`` is one line naming the cause."""


def component_state(status: dict[str, Any] | None) -> str:
    """Normalize a component's ``status()`` to ok / degraded / down / ... ."""
    if not isinstance(status, dict):
        return "ok"
    if isinstance(status.get("state"), str):
        return status["state"]
    if "ok" in status:
        return "ok" if status["ok"] else "degraded"
    if "connected" in status:
        return "ok" if status["connected"] else "degraded"
    return "ok"


def build_flows(config: Config, clock: Clock, db: Database | None = None) -> FlowRegistry:
    """The IVR flows (``ivr.flows_dir``), loaded and watched for edits; each version that serves a
    call is stored in the database when there is one. A broken flows directory is logged, never fatal."""
    reg = FlowRegistry.from_config(config, clock=clock, store=database_store_hook(db) if db is not None else None)
    try:
        reg.start()
    except Exception as exc:  # noqa: BLE001 - a broken flows dir must not stop the engine
        log.error("IVR flows could not be loaded from %s: %s", config.flows_dir, exc)
    for err in reg.errors[:20]:
        log.warning("IVR flow problem: %s", err)
    return reg


class SpeechComponent:
    """The speech service of the AGI channels (recognition, prompt synthesis): its models load after the
    FastAGI listener is up and before the engine starts. No speech = DTMF-only menus, never a dead server."""

    def __init__(self, service: Any, owned: bool) -> None:
        self.service = service
        self.owned = owned
        self.error: str | None = None if service is not None else "not available"

    async def start(self) -> None:
        if self.service is None or getattr(self.service, "started", False):
            return
        try:
            await self.service.start()
        except Exception as exc:  # noqa: BLE001
            self.error = str(exc) or type(exc).__name__
            log.error("speech service unavailable (%s): menus run DTMF-only", exc)

    async def stop(self) -> None:
        if self.owned and self.service is not None:
            try:
                self.service.close()
            except Exception:  # noqa: BLE001
                pass

    def status(self) -> dict[str, Any]:
        if self.error is not None:
            return {"state": "degraded", "detail": f"{self.error}: menus run DTMF-only"}
        return {"state": "ok", "languages": sorted(self.service.languages())}


class App:
    def __init__(self, config: Config, clock: Clock | None = None, bus: EventBus | None = None,
                 component_specs: list[tuple[str, str]] | None = None, *, speech: Any = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        self.bus = bus or EventBus()
        self.db: Database | None = None
        self.writer: StoreWriter | None = None
        self.components: dict[str, Any] = {}
        self.absent: dict[str, str] = {}
        self.failed: dict[str, str] = {}      # parts that failed to load but let the server run (api routes)
        self.component_specs = component_specs       # None: the call center (wire_call_center)
        self.speech = speech                          # a started SpeechService to share (tests), or None
        self.flows: FlowRegistry | None = None
        self.started: list[str] = []
        self.web_app = None
        self._runner = None
        self.http_address: tuple[str, int] | None = None
        self.started_at: float | None = None
        self.stopping = asyncio.Event()
        self._stopped = False

    # ---------------------------------------------------------------------------------------------
    def add_component(self, name: str, component: Any) -> None:
        self.components[name] = component

    @property
    def engine(self) -> Any:
        """The call engine handed to the API routes (component ``engine``), or None."""
        return self.components.get("engine")

    def wire_call_center(self) -> None:
        """Build the Asterisk service, the speech service, the IVR flows and the call engine, and hand
        each the collaborators it needs."""
        cfg = self.config
        speech, owned = self.speech, False
        if speech is None:
            try:
                # imported here: speech pulls in scipy (seconds to import), which only the server needs
                from .speech.service import build_speech_service
                speech, owned = build_speech_service(cfg), True
            except Exception as exc:  # noqa: BLE001 - no speech = DTMF-only menus, never a dead server
                log.error("speech service unavailable (%s): menus run DTMF-only", exc)
        asterisk = AsteriskService(cfg, self.bus, self.clock, synthesizer=getattr(speech, "synthesizer", None),
                                   recognizer=getattr(speech, "recognizer", None))
        self.flows = build_flows(cfg, self.clock, self.db)
        jobs = recorder = None
        if self.db is not None:
            # post-call work (recording finalize; analytics registers its kinds here too), off the call path
            jobs = JobQueue(self.db, clock=self.clock, settings=JobSettings.from_config(cfg.recordings))
            register_finalize(jobs)
            try:
                recorder = Recorder(cfg, self.db, self.bus, control=asterisk.control, jobs=jobs, clock=self.clock)
            except PolicyError as exc:
                raise StartupError(f"configuration: {exc}") from None
            # transcription, risk words, mood, QA after each finalized recording (docs/analytics.md)
            register_analytics(jobs, recorder, self.db, speech, self.bus, cfg, self.clock)
        control, phones, webrtc = asterisk.control, asterisk, None
        if cfg.webrtc.enabled:
            # imported here: aiortc and PyAV load in a second, which only the server needs
            from .media.webrtc_service import WebRTCComponent
            webrtc = WebRTCComponent.build(cfg, self.bus, self.clock, asterisk, speech)
            control = phones = webrtc.phones
        engine = CallManager(cfg, self.bus, self.clock, control=control, phones=phones,
                             flows=self.flows, records=DbRecords(self.db, self.writer) if self.db is not None else None,
                             recorder=recorder)
        # routes go in before the listener starts: a call that arrives while the engine is still
        # starting waits for it instead of "noroute"
        asterisk.route("ivr", engine.handle_ivr, channel=True)
        asterisk.route("agent", engine.handle_feature_code, channel=True)
        self.components["asterisk"] = asterisk
        self.components["speech"] = SpeechComponent(speech, owned)
        self.components["engine"] = engine
        if jobs is not None:
            self.components["recorder"] = recorder
            self.components["jobs"] = jobs
        if webrtc is not None:
            webrtc.calls.engine = engine
            self.components["webrtc"] = webrtc

    def _build_components(self) -> None:
        if self.component_specs is None:
            self.wire_call_center()
            return
        for name, spec in self.component_specs:
            if name in self.components:
                continue
            mod_name, _, attr = spec.partition(":")
            try:
                mod = importlib.import_module(mod_name)
            except ModuleNotFoundError as exc:
                if exc.name and (mod_name == exc.name or mod_name.startswith(exc.name + ".")):
                    self.absent[name] = f"{mod_name} is not available in this build"
                    log.warning("component %s not available (%s missing); continuing without it", name, mod_name)
                    continue
                raise StartupError(f"component {name}: cannot import {mod_name}: {exc}") from None
            except Exception as exc:  # noqa: BLE001 - a broken module must not be a bare traceback
                raise StartupError(f"component {name}: cannot import {mod_name}: "
                                   f"{type(exc).__name__}: {exc}") from exc
            factory = getattr(mod, attr, None)
            if factory is None:
                self.absent[name] = f"{spec} not found"
                log.warning("component %s not available (%s has no %s)", name, mod_name, attr)
                continue
            available = {"config": self.config, "bus": self.bus, "clock": self.clock, "db": self.db,
                         "store": self.writer}
            try:
                params = inspect.signature(factory).parameters
                if any(p.kind is p.VAR_KEYWORD for p in params.values()):
                    kwargs = available
                else:
                    kwargs = {k: v for k, v in available.items() if k in params}
                self.components[name] = factory(**kwargs)
            except StartupError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise StartupError(f"component {name}: cannot create {spec}: {type(exc).__name__}: {exc}") from exc

    # ---------------------------------------------------------------------------------------------
    async def start(self) -> None:
        cfg = self.config
        self.started_at = self.clock.now()
        try:
            self.db = Database(cfg.database_url, echo=cfg.database.echo)
            await self.db.connect()
            rev = await self.db.upgrade()
        except DatabaseError as exc:
            raise StartupError(str(exc)) from None
        log.info("database ready", extra={"url": self.db.display_url, "revision": rev})
        if cfg.database.load_demo:
            await self._load_demo_if_empty()

        self.writer = StoreWriter(self.db, self.bus, spill_dir=cfg.data_dir)
        await self.writer.start()
        self.started.append("store")

        self._build_components()
        await self._start_http()
        for name, comp in list(self.components.items()):
            try:
                await comp.start()
            except OSError as exc:
                where = _bind_address(exc)
                raise StartupError(f"{name}: {'cannot listen on ' + where + ': ' if where else ''}"
                                   f"{_oserror_line(exc)}") from None
            except StartupError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise StartupError(f"{name}: failed to start: {type(exc).__name__}: {exc}") from exc
            self.started.append(name)
        for name, why in self.absent.items():
            if name in ESSENTIAL:
                log.warning("%s is absent: %s; the server runs without it (health: degraded)", name, why)

    async def _load_demo_if_empty(self) -> None:
        from .demo import DEMO_FILE
        from .store import provision, repo
        assert self.db is not None
        async with self.db.session() as s:
            if not await repo.is_empty(s):
                return
            result = await provision.import_file(s, DEMO_FILE, now=self.clock.now())
        log.info("first run: demo data loaded (%s); demo logins admin/admin, supervisor/supervisor, "
                 "alice/alice: change them", result.summary())

    async def _start_http(self) -> None:
        from aiohttp import web
        cfg = self.config
        host, port = cfg.http.host, cfg.http.port
        self.web_app = create_web_app(WebDeps(
            health=self.health, version_info=self.version_info, now=self.clock.now, db=self.db, bus=self.bus,
            engine=self.engine, tokens=cfg.api.tokens, token_ttl=float(cfg.api.token_ttl or 0) or None,
            api_failed=self._api_failed, web_settings=dataclasses.asdict(cfg.web),
            webrtc=self._webrtc_deps()))
        self._runner = web.AppRunner(self.web_app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise StartupError(f"HTTP server cannot listen on {host}:{port}: {_oserror_line(exc)} "
                               "(set http.port or CALLCENTER_HTTP_PORT)") from None
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        self.http_address = sockets[0].getsockname()[:2] if sockets else (host, port)
        self.started.append("http")
        log.info("HTTP listening", extra={"address": f"http://{self.http_address[0]}:{self.http_address[1]}"})

    def _webrtc_deps(self) -> Any:
        comp = self.components.get("webrtc")
        if comp is None:
            return None
        from .api.webrtc import WebRTCDeps
        return WebRTCDeps(gateway=comp.gateway, calls=comp.calls, phones=comp.phones,
                          callers=self.config.webrtc.callers, admit=comp.admit_caller)

    def _api_failed(self, why: str) -> None:
        self.failed["api"] = why

    # ---------------------------------------------------------------------------------------------
    async def stop(self) -> None:
        """Graceful shutdown (idempotent): components, bus, pending writes, HTTP, database."""
        if self._stopped:
            return
        self._stopped = True
        t0 = time.monotonic()
        for name in reversed([n for n in self.started if n in self.components]):
            log.debug("stopping %s", name)
            await _bounded(self.components[name].stop(), f"component {name} stop")
        if self.flows is not None:
            await _bounded(self.flows.stop(), "IVR flow watcher stop")
        log.debug("draining the event bus")
        if not await _bounded(self.bus.drain(), "event handlers"):
            stuck = [t.get_name() for t in getattr(self.bus, "_tasks", ())]
            log.error("event handler tasks still running: %s", ", ".join(stuck[:10]) or "?")
        if self._runner is not None:
            log.debug("closing the HTTP server")
            await _bounded(self._runner.cleanup(), "HTTP server close")
            self._runner = None
        if self.writer is not None and "store" in self.started:
            log.debug("flushing pending writes")
            await _bounded(self.writer.stop(), "store flush", timeout=STOP_TIMEOUT + 3)
        if self.db is not None:
            log.debug("closing the database")
            await _bounded(self.db.close(), "database close")
        log.info("stopped", extra={"seconds": round(time.monotonic() - t0, 3)})

    async def run(self, install_signals: bool = True) -> None:
        """Start, serve until SIGTERM/SIGINT (or :meth:`request_stop`), stop. Raises StartupError."""
        loop = asyncio.get_running_loop()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                try:
                    loop.add_signal_handler(sig, self.request_stop, sig)
                except (NotImplementedError, RuntimeError):  # pragma: no cover - non-main thread
                    pass
        try:
            starting = asyncio.ensure_future(self.start())
            stop_wait = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait({starting, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            if not starting.done():       # SIGTERM while starting: abandon start-up, shut down
                log.info("stop requested during start-up")
                starting.cancel()
                try:
                    await starting
                except (asyncio.CancelledError, Exception):  # noqa: BLE001
                    pass
            else:
                starting.result()           # StartupError propagates
                log.info("callcenter %s serving", __version__, extra={"pid": os.getpid()})
                await stop_wait
            stop_wait.cancel()
        finally:
            await self.stop()
            if install_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(sig)

    def request_stop(self, sig: int | None = None) -> None:
        if sig is not None and not self.stopping.is_set():
            log.info("shutting down", extra={"signal": signal.Signals(sig).name})
        self.stopping.set()

    # ---------------------------------------------------------------------------------------------
    async def health(self) -> dict[str, Any]:
        """``/health``: overall state and one entry per component."""
        comps: dict[str, Any] = {}
        db_ok = await self.db.ping() if self.db is not None else False
        comps["database"] = {"state": "ok" if db_ok else "down",
                             "backend": self.db.backend if self.db else None,
                             "url": self.db.display_url if self.db else None}
        if self.writer is not None:
            comps["store"] = self.writer.status()
        comps["http"] = {"state": "ok", "address": f"{self.http_address[0]}:{self.http_address[1]}"
                         if self.http_address else None}
        for name, comp in self.components.items():
            try:
                st = dict(comp.status() or {})
            except Exception as exc:  # noqa: BLE001
                st = {"state": "down", "error": str(exc)}
            st["state"] = component_state(st)
            if name == "asterisk" and not self.config.ami.servers and st["state"] == "ok":
                st["state"] = "degraded"     # FastAGI alone cannot ring agents
                st["detail"] = "no AMI server configured (ami.servers / CALLCENTER_AMI)"
            comps[name] = st
        for name, why in self.absent.items():
            comps[name] = {"state": "absent", "detail": why}
        for name, why in self.failed.items():
            comps[name] = {"state": "down", "error": why}
        bad = [n for n, st in comps.items()
               if st.get("state") != "ok" and (st.get("state") != "absent" or n in ESSENTIAL)]
        overall = "ok" if not bad else ("down" if comps["database"]["state"] != "ok" else "degraded")
        return {"status": overall, "version": __version__, "uptime": round(self.clock.now() - (self.started_at or
                self.clock.now()), 3), "components": comps, **({"problems": bad} if bad else {})}

    def version_info(self) -> dict[str, Any]:
        import platform

        from .store.migrate import head_revision
        return {"name": "callcenter", "version": __version__, "python": platform.python_version(),
                "schema": head_revision(), "database": self.db.backend if self.db else None}


async def _bounded(coro, what: str, timeout: float | None = None) -> bool:
    """Run one shutdown step for at most ``timeout`` seconds; never hangs on a task ignoring cancel."""
    task = asyncio.ensure_future(coro)
    done, _ = await asyncio.wait({task}, timeout=STOP_TIMEOUT if timeout is None else timeout)
    if not done:
        task.cancel()
        log.error("%s did not finish within %.0fs; continuing shutdown", what,
                  STOP_TIMEOUT if timeout is None else timeout)
        return False
    exc = task.exception()
    if exc is not None:
        log.error("%s failed: %s", what, exc or type(exc).__name__)
        return False
    return True


def _bind_address(exc: OSError) -> str | None:
    """``host:port`` from asyncio's "error while attempting to bind on address ('h', p)" message."""
    import re
    m = re.search(r"address \('([^']*)', (\d+)", str(exc))
    return f"{m.group(1)}:{m.group(2)}" if m else None


def _oserror_line(exc: OSError) -> str:
    if exc.errno in (errno.EADDRINUSE,) or "address already in use" in str(exc).lower():
        return "address already in use (another process is listening there)"
    if exc.errno in (errno.EACCES,):
        return "permission denied (ports below 1024 need privileges)"
    if exc.errno in (errno.EADDRNOTAVAIL,) or "cannot assign" in str(exc).lower():
        return "address not available on this machine"
    return exc.strerror or str(exc)
