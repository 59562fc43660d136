"""FastAGI server on asyncio (our own code; panoramisk's ``fast_agi`` is not used, see
:mod:`callcenter.asterisk.agi_codec` for why).

* One :class:`AgiSession` per TCP connection from Asterisk; its call id is ``agi_uniqueid``.
* Routing by ``agi_network_script`` (the URL path of ``AGI(agi://host:port/<path>)``) through
  :class:`AgiRouter`: exact path or path prefix (``agent`` serves ``agent/login/1001``), ``*`` =
  default. A query string (``ivr?lang=ko``) lands in ``session.params``.
* The environment block must arrive within ``env_timeout`` seconds: port scans and clients that
  connect and send nothing are closed (no busy loop: the protocol is event driven, EOF ends it).
* At most ``max_sessions`` sessions at once; a connection beyond that is closed at once (Asterisk
  then continues the dialplan with ``AGISTATUS=FAILURE``, and our dialplan falls back).
* A caller hanging up mid-command ends the session cleanly: ``HANGUP`` notifications and ``511``
  replies mark the session hung up and commands raise :class:`AgiHangup`.
* When a handler returns with the channel still alive, the server sets ``CC_AGI_STATUS`` (``ok``,
  ``error`` or ``noroute``) so the dialplan after ``AGI()`` can fall back instead of dead air; at
  shutdown it leaves it empty and closes the session, so the dialplan re-runs the AGI after a restart.
"""
from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

from ..ivr.channel import CallerHungUp
from .agi_codec import (AgiEnvParser, AgiError, AgiHangup, AgiInvalidCommand, AgiProtocolError,
                        AgiReply, AgiReplyParser, AgiUsageError, HangupNotice, encode_command)

log = logging.getLogger("callcenter.asterisk.agi")

Handler = Callable[[Any], Awaitable[Any]]


class AgiSession:
    """One FastAGI conversation. Send commands with :meth:`command` (one at a time)."""

    def __init__(self, env: dict[str, str], transport: asyncio.Transport, *,
                 command_timeout: float = 60.0, peer: Any = None) -> None:
        self.env = env
        self._transport = transport
        self.command_timeout = command_timeout
        self.peer = peer
        script = env.get("agi_network_script", "")
        path, _, query = script.partition("?")
        self.script = path.strip("/")
        self.params: dict[str, str] = dict(parse_qsl(query, keep_blank_values=True))
        self.args: list[str] = [env[k] for k in sorted((k for k in env if k.startswith("agi_arg_")),
                                                       key=lambda k: int(k[8:]) if k[8:].isdigit() else 0)]
        self.uniqueid = env.get("agi_uniqueid", "")
        self.call_id = self.uniqueid
        self.channel = env.get("agi_channel", "")
        self.hung_up = False
        self.closed = False
        self.lost = False                        # the connection dropped without a hang-up
        self.commands_sent = 0
        self.started = time.monotonic()
        self._fut: asyncio.Future | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._hangup_waiters: list[asyncio.Future] = []
        self.last_reply: AgiReply | None = None
        self.extra: dict[str, Any] = {}          # free slot for handlers (e.g. the Call object)
        self._deadline = 0.0
        self._verb = ""
        self._sweeper: Any = None                # set by AgiServer: it enforces command_timeout
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None

    # -- called by the protocol -------------------------------------------------------------------
    def _on_item(self, item: AgiReply | HangupNotice) -> None:
        if item.__class__ is HangupNotice:
            if not self.hung_up:
                log.info("agi caller hung up", extra={"call_id": self.call_id})
            self._mark_hung_up()
            return
        fut = self._fut
        if fut is None or fut.done():
            log.warning("agi reply with no command in flight ignored: %r", item.lines[:1],
                        extra={"call_id": self.call_id})
            return
        fut.set_result(item)

    def _mark_hung_up(self) -> None:
        self.hung_up = True
        for w in self._hangup_waiters:
            if not w.done():
                w.set_result(True)
        self._hangup_waiters.clear()

    def _on_closed(self, exc: BaseException | None) -> None:
        if not self.closed and not self.hung_up:
            # closed by Asterisk with no HANGUP line and no 511: Asterisk went away (restart, crash),
            # the caller did not hang up (a hang-up is always told first, agi-hangup-midway.txt)
            self.lost = True
            log.warning("agi connection lost without a hang-up (Asterisk restarted?)",
                        extra={"call_id": self.call_id})
        self.closed = True
        self._mark_hung_up()
        fut = self._fut
        if fut is not None and not fut.done():
            fut.set_exception(AgiHangup("FastAGI connection closed by Asterisk"))

    def _on_protocol_error(self, exc: AgiProtocolError) -> None:
        fut = self._fut
        if fut is not None and not fut.done():
            fut.set_exception(exc)

    # -- public API ---------------------------------------------------------------------------------
    async def command(self, verb: str, *args: object, timeout: float | None = None) -> AgiReply:
        """Send one command and return its ``200`` reply.

        Raises :class:`AgiHangup` (``511``, socket closed, or the session already closed),
        :class:`AgiInvalidCommand` (``510``), :class:`AgiUsageError` (``520``),
        :class:`asyncio.TimeoutError` after ``timeout`` (default ``command_timeout``).
        A ``200 result=-1`` is returned as is: the caller decides (see ``AgiChannel``).
        """
        if self.closed:
            raise AgiHangup("FastAGI session is closed")
        if self._fut is not None and not self._fut.done():
            raise RuntimeError("AgiSession.command called while another command is in flight")
        try:
            data = _encode_cached(verb, args, tuple(map(type, args)))   # types too: 1 != True != 1.0
        except TypeError:                       # an unhashable argument: no caching
            data = encode_command(verb, *args)
        loop = self._loop or asyncio.get_running_loop()
        fut = self._fut = loop.create_future()
        self._transport.write(data)
        self.commands_sent += 1
        t = self.command_timeout if timeout is None else timeout
        timer = None
        if t and t > 0:
            if timeout is None and self._sweeper is not None:
                # the default timeout is checked by the server's sweeper (no timer per command)
                self._deadline = loop.time() + t
                self._verb = verb
            else:
                timer = loop.call_later(t, _expire, fut, verb, t)
        try:
            reply: AgiReply = await fut
        except asyncio.TimeoutError:
            # a late reply would be taken for the next command's: this session cannot go on
            log.warning("agi %s: no reply in %.1f s; closing the session", verb, t, extra={"call_id": self.call_id})
            self.close()
            raise
        finally:
            if timer is not None:
                timer.cancel()
            self._fut = None
            self._deadline = 0.0
        self.last_reply = reply
        code = reply.code
        if code == 200:
            return reply
        if code == 511:
            self._mark_hung_up()
            raise AgiHangup(f"{verb}: channel is dead (511)")
        if code == 510:
            raise AgiInvalidCommand(f"{verb}: invalid or unknown AGI command (510)", code, reply)
        if code == 520:
            raise AgiUsageError(f"{verb}: invalid AGI command syntax (520): "
                                + " / ".join(reply.lines[1:-1]), code, reply)
        raise AgiError(f"{verb}: unexpected AGI reply {reply.lines[:1]!r}", code, reply)

    async def wait_hangup(self, timeout: float | None = None) -> bool:
        """Wait until the caller hangs up (``HANGUP`` or socket closed); True if they did."""
        if self.hung_up:
            return True
        fut = asyncio.get_running_loop().create_future()
        self._hangup_waiters.append(fut)
        try:
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            return False
        finally:
            if fut in self._hangup_waiters:
                self._hangup_waiters.remove(fut)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._transport.close()

    def __repr__(self) -> str:
        return f"<AgiSession {self.script!r} call_id={self.call_id} channel={self.channel!r}>"


@functools.lru_cache(maxsize=4096)
def _encode_cached(verb: str, args: tuple, types: tuple) -> bytes:
    """IVR commands repeat (same prompt, same digits); encoding them once is a measurable saving."""
    return encode_command(verb, *args)


def _expire(fut: asyncio.Future, verb: str, t: float) -> None:
    if not fut.done():
        fut.set_exception(asyncio.TimeoutError(f"AGI {verb}: no reply from Asterisk within {t:g} s"))


@dataclass
class _Route:
    path: str
    handler: Handler
    channel: bool


class AgiRouter:
    """``agi_network_script`` -> handler. ``route("ivr", h)`` serves ``ivr`` and ``ivr/...``;
    the longest matching prefix wins; ``route("*", h)`` is the default."""

    def __init__(self) -> None:
        self._routes: dict[str, _Route] = {}

    def route(self, path: str, handler: Handler, *, channel: bool = False) -> None:
        if not callable(handler):
            raise TypeError(f"AGI route {path!r}: handler is not callable")
        key = path.strip("/") if path != "*" else "*"
        self._routes[key] = _Route(key, handler, channel)

    def unroute(self, path: str) -> None:
        self._routes.pop(path.strip("/") if path != "*" else "*", None)

    def resolve(self, script: str) -> _Route | None:
        script = script.strip("/")
        parts = script.split("/") if script else []
        for n in range(len(parts), 0, -1):
            r = self._routes.get("/".join(parts[:n]))
            if r is not None:
                return r
        return self._routes.get("*")

    @property
    def paths(self) -> list[str]:
        return sorted(self._routes)


class _AgiProtocol(asyncio.Protocol):
    __slots__ = ("server", "transport", "session", "_env", "_replies", "_timer", "peer")

    def __init__(self, server: "AgiServer") -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.session: AgiSession | None = None
        self._env: AgiEnvParser | None = AgiEnvParser()
        self._replies = AgiReplyParser()
        self._timer: asyncio.TimerHandle | None = None
        self.peer = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.peer = transport.get_extra_info("peername")
        srv = self.server
        if srv.active >= srv.max_sessions:
            srv.refused += 1
            log.warning("agi connection refused: %d sessions already running (agi.max_sessions)",
                        srv.active, extra={"peer": str(self.peer)})
            transport.close()
            self._env = None
            return
        srv.active += 1
        srv._protocols.add(self)
        self._timer = asyncio.get_running_loop().call_later(srv.env_timeout, self._env_timeout)

    def _env_timeout(self) -> None:
        if self.session is None and self.transport is not None:
            self.server.env_timeouts += 1
            log.warning("agi client sent no environment within %.1f s: closing", self.server.env_timeout,
                        extra={"peer": str(self.peer)})
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        try:
            if self.session is None:
                if self._env is None:
                    return
                got = self._env.feed(data)
                if got is None:
                    return
                env, rest = got
                self._env = None
                if self._timer:
                    self._timer.cancel()
                self.session = self.server._start_session(env, self.transport, self.peer)
                if not rest:
                    return
                data = rest
            for item in self._replies.feed(data):
                self.session._on_item(item)
        except AgiProtocolError as exc:
            cid = self.session.call_id if self.session else None
            log.warning("agi protocol error from %s: %s; closing", self.peer, exc, extra={"call_id": cid})
            self.server.protocol_errors += 1
            if self.session is not None:
                self.session._on_protocol_error(exc)
            if self.transport is not None:
                self.transport.close()

    def eof_received(self) -> bool:
        return False        # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer:
            self._timer.cancel()
        srv = self.server
        if self in srv._protocols:
            srv._protocols.discard(self)
            srv.active -= 1
        if self.session is not None:
            self.session._on_closed(exc)


class AgiServer:
    """The FastAGI listener. ``await start()``, ``await stop()``; ``router.route(...)`` for handlers.

    ``channel_factory(session)`` (optional) builds the object passed to handlers registered with
    ``channel=True`` (the service passes a factory that makes an ``AgiChannel``).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 4573, *, max_sessions: int = 2000,
                 env_timeout: float = 5.0, command_timeout: float = 60.0,
                 router: AgiRouter | None = None,
                 channel_factory: Callable[[AgiSession], Any] | None = None,
                 on_session: Callable[[AgiSession, str], Any] | None = None,
                 freeze_gc: bool = True) -> None:
        self.host = host
        self.port = port
        self.max_sessions = max_sessions
        self.env_timeout = env_timeout
        self.command_timeout = command_timeout
        self.router = router or AgiRouter()
        self.channel_factory = channel_factory
        self.on_session = on_session      # (session, "started"|"ended") hook for events/metrics
        self.freeze_gc = freeze_gc
        self._server: asyncio.AbstractServer | None = None
        self._protocols: set[_AgiProtocol] = set()
        self._tasks: set[asyncio.Task] = set()
        self.active = 0
        self.total = 0
        self.refused = 0
        self.env_timeouts = 0
        self.protocol_errors = 0
        self.handler_errors = 0
        self._sessions: set[AgiSession] = set()
        self._sweep_task: asyncio.Task | None = None

    def route(self, path: str, handler: Handler, *, channel: bool = False) -> None:
        self.router.route(path, handler, channel=channel)

    @property
    def bound_port(self) -> int | None:
        if self._server and self._server.sockets:
            return self._server.sockets[0].getsockname()[1]
        return None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(lambda: _AgiProtocol(self), self.host, self.port,
                                                    reuse_address=True, backlog=1024)
        except OSError as exc:
            raise OSError(exc.errno, f"FastAGI server cannot listen on {self.host}:{self.port} "
                                     f"(config agi.host / agi.port): {exc.strerror}") from None
        self._sweep_task = loop.create_task(self._sweep(), name="agi-timeouts")
        if self.freeze_gc:
            # everything alive now (modules, config, flows) lives as long as the process: keep it out of
            # the cyclic GC's full collections, whose pauses otherwise show in the p99 command latency
            # with thousands of sessions (measured: 30 ms gen-2 pauses -> none; bench/agi_bench.py)
            gc.freeze()
        log.info("fastagi listening", extra={"host": self.host, "port": self.bound_port})

    async def _sweep(self) -> None:
        """Enforce ``command_timeout`` for every session with one periodic check (cheaper than a
        timer per command with thousands of sessions)."""
        loop = asyncio.get_running_loop()
        interval = max(0.05, min(0.5, self.command_timeout / 4))
        while True:
            await asyncio.sleep(interval)
            now = loop.time()
            for s in list(self._sessions):
                if s._deadline and now >= s._deadline and s._fut is not None and not s._fut.done():
                    _expire(s._fut, s._verb, self.command_timeout)

    async def stop(self, grace: float = 2.0) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._sweep_task is not None:
            self._sweep_task.cancel()
            self._sweep_task = None
        if self._tasks:
            done, pending = await asyncio.wait(list(self._tasks), timeout=grace)
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
        for p in list(self._protocols):
            if p.transport is not None:
                p.transport.close()

    def status(self) -> dict:
        return {"listening": self._server is not None, "host": self.host, "port": self.bound_port,
                "active_sessions": self.active, "sessions_total": self.total,
                "refused": self.refused, "env_timeouts": self.env_timeouts,
                "protocol_errors": self.protocol_errors, "handler_errors": self.handler_errors,
                "routes": self.router.paths}

    # -- sessions -----------------------------------------------------------------------------------
    def _start_session(self, env: dict[str, str], transport: asyncio.Transport, peer: Any) -> AgiSession:
        session = AgiSession(env, transport, command_timeout=self.command_timeout, peer=peer)
        session._sweeper = self._sweep_task
        self._sessions.add(session)
        self.total += 1
        task = asyncio.get_running_loop().create_task(self._run(session))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return session

    async def _run(self, session: AgiSession) -> None:
        cid = session.call_id
        route = self.router.resolve(session.script)
        status: str | None = "ok"
        if self.on_session:
            _call_hook(self.on_session, session, "started")
        try:
            if route is None:
                status = "noroute"
                log.error("agi request for %r has no route (known: %s)", session.script,
                          ", ".join(self.router.paths) or "none", extra={"call_id": cid})
            else:
                log.debug("agi session started", extra={"call_id": cid, "script": session.script,
                                                         "channel": session.channel})
                arg = session
                if route.channel:
                    arg = self.channel_factory(session) if self.channel_factory else session
                result = route.handler(arg)
                if inspect.isawaitable(result):
                    await result
        except (CallerHungUp, AgiHangup):
            log.debug("agi session ended by hang-up", extra={"call_id": cid})
        except asyncio.CancelledError:
            # the engine is shutting down: leave CC_AGI_STATUS empty so the dialplan re-runs the AGI
            # (a restarted engine picks the caller up) instead of sending them to the fallback
            status = None
            raise
        except Exception as exc:  # noqa: BLE001 - a handler bug must not leave the caller in dead air
            status = "error"
            self.handler_errors += 1
            log.exception("agi handler for %r failed: %s", session.script, exc, extra={"call_id": cid})
        finally:
            try:
                if status is not None and not session.hung_up and not session.closed:
                    try:
                        await session.command("SET VARIABLE", "CC_AGI_STATUS", status, timeout=5.0)
                    except (AgiHangup, AgiError, asyncio.TimeoutError, OSError):
                        pass
            finally:
                session.close()
                self._sessions.discard(session)
                if self.on_session:
                    _call_hook(self.on_session, session, "ended")


def _call_hook(hook: Callable, session: AgiSession, what: str) -> None:
    try:
        hook(session, what)
    except Exception:  # noqa: BLE001
        log.exception("agi session hook failed", extra={"call_id": session.call_id})
