"""AMI client on asyncio (our own code over :mod:`callcenter.asterisk.ami_codec`).

panoramisk's ``Manager`` is not used: it cannot notice a peer that stays connected but silent,
it decodes each TCP chunk on its own (UTF-8 split across reads is lost), its actions have no
timeout, and it re-sends "awaiting" actions after a reconnect (a second Originate rings an agent
twice). This client:

* logs in (``Login`` with ``Username``/``Secret``, as in ``ami-login-and-banner.txt``); a refused
  login is an :class:`AmiAuthError` (Asterisk closes the socket after ~1 s);
* matches responses to actions by ``ActionID`` with a timeout per action; list actions
  (``EventList: start`` ... ``<Name>Complete``) resolve to one :class:`ActionResult`;
* dispatches events by name (``on_event("Hangup", fn)``, ``"*"`` for all);
* pings a peer that has been silent for ``ping_interval`` s and drops the connection when the
  ``Ping`` is not answered in time (a hung Asterisk or a dead NAT path, not only a closed socket);
* reconnects forever with exponential back-off (``reconnect_min_delay`` .. ``reconnect_max_delay``),
  logging one line per attempt; pending actions fail with :class:`AmiDisconnected` (they are never
  re-sent: an Originate must not ring twice);
* after every (re)connect runs the ``on_connected`` hooks (the service resyncs channels, bridges,
  endpoints, contacts and device states there) before reporting the connection as up.
"""
from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import os
import time
from typing import Any, Awaitable, Callable, Iterable, Mapping

from .ami_codec import (ActionResult, AmiMessage, AmiParser, AmiProtocolError, Banner, ListCollector,
                        encode_action)

log = logging.getLogger("callcenter.asterisk.ami")


class AmiError(Exception):
    """Base of AMI client errors."""


class AmiConnectError(AmiError):
    """TCP connect / banner failed."""


class AmiAuthError(AmiError):
    """Login refused (wrong username/secret or not permitted from this address)."""


class AmiDisconnected(AmiError):
    """The connection is down (or went down while the action was pending)."""


class AmiTimeout(AmiError, asyncio.TimeoutError):
    """No response to an action within its timeout."""


class AmiActionError(AmiError):
    """``Response: Error`` to an action (``check=True``)."""

    def __init__(self, action: str, result: ActionResult) -> None:
        super().__init__(f"AMI {action} failed: {result.message or result.response.response}")
        self.result = result


EventHandler = Callable[[AmiMessage], Any]


def _retrieve(fut: asyncio.Future) -> None:
    if not fut.cancelled():
        fut.exception()


class _AmiProtocol(asyncio.Protocol):
    def __init__(self, client: "AmiClient") -> None:
        self.client = client
        self.parser = AmiParser(expect_banner=True)
        self.transport: asyncio.Transport | None = None
        self.banner: asyncio.Future = asyncio.get_running_loop().create_future()
        # connect() may stop waiting (timeout) before the banner fails: retrieve the error anyway,
        # or asyncio prints "Future exception was never retrieved"
        self.banner.add_done_callback(_retrieve)
        self.lost: asyncio.Future = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        c = self.client
        c.last_rx = time.monotonic()
        c.bytes_in += len(data)
        try:
            items = self.parser.feed(data)
        except AmiProtocolError as exc:
            log.error("AMI %s: protocol error from %s:%s: %s; dropping the connection", c.name, c.host, c.port, exc)
            if not self.banner.done():
                self.banner.set_exception(AmiConnectError(
                    f"not an Asterisk manager (AMI) port: {exc} (check ami.servers host/port)"))
            if self.transport:
                self.transport.abort()
            return
        for item in items:
            if item.__class__ is Banner:
                if not self.banner.done():
                    self.banner.set_result(item)
                continue
            c._on_message(item)  # type: ignore[arg-type]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.banner.done():
            self.banner.set_exception(AmiConnectError("connection closed before the AMI banner"))
        if not self.lost.done():
            self.lost.set_result(exc)
        self.client._on_lost(self, exc)


class AmiClient:
    """One Asterisk manager connection (see module docstring)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5038, username: str = "callcenter",
                 secret: str = "", *, name: str = "default", ping_interval: float = 10.0,
                 action_timeout: float = 10.0, reconnect_min_delay: float = 1.0,
                 reconnect_max_delay: float = 30.0, connect_timeout: float = 5.0,
                 events: bool = True) -> None:
        self.host = host
        self.port = int(port)
        self.username = username
        self._secret = secret
        self.name = name
        self.ping_interval = ping_interval
        self.action_timeout = action_timeout
        self.reconnect_min_delay = reconnect_min_delay
        self.reconnect_max_delay = reconnect_max_delay
        self.connect_timeout = connect_timeout
        self.events_enabled = events
        self._proto: _AmiProtocol | None = None
        self._collector = ListCollector()
        self._futures: dict[str, tuple[asyncio.Future, str]] = {}
        self._event_waiters: dict[tuple[str, str], asyncio.Future] = {}
        self._handlers: dict[str, list[EventHandler]] = {}
        self._all_handlers: list[EventHandler] = []
        self._state_handlers: list[Callable[["AmiClient", str, str], Any]] = []
        self._connected_hooks: list[Callable[["AmiClient"], Awaitable[Any]]] = []
        self._ids = itertools.count(1)
        self._prefix = f"cc-{name}-{int(time.time()) % 100000}"
        self._runner: asyncio.Task | None = None
        self._keepalive: asyncio.Task | None = None
        self._stopping = False
        self._tasks: set[asyncio.Task] = set()
        self.state = "disconnected"       # disconnected | connecting | connected
        self.last_error = ""
        self.banner: Banner | None = None
        self.last_rx = 0.0
        self.connected_since: float | None = None
        self.connects = 0
        self.attempts = 0
        self.events_received = 0
        self.bytes_in = 0
        self.next_retry_in: float | None = None
        self._up = asyncio.Event()
        self._drop_reason = ""
        self._in_hooks = False

    # -- subscription -----------------------------------------------------------------------------
    def on_event(self, name: str, handler: EventHandler) -> Callable[[], None]:
        """Call ``handler(msg)`` for events named ``name`` (case-insensitive; ``"*"`` = all)."""
        if name == "*":
            self._all_handlers.append(handler)
            return lambda: self._all_handlers.remove(handler) if handler in self._all_handlers else None
        key = name.lower()
        self._handlers.setdefault(key, []).append(handler)

        def off() -> None:
            lst = self._handlers.get(key, [])
            if handler in lst:
                lst.remove(handler)
        return off

    def on_state(self, handler: Callable[["AmiClient", str, str], Any]) -> None:
        """``handler(client, "connected"|"disconnected", reason)``."""
        self._state_handlers.append(handler)

    def on_connected(self, hook: Callable[["AmiClient"], Awaitable[Any]]) -> None:
        """An async hook run after each login, before the client reports ``connected`` (resync)."""
        self._connected_hooks.append(hook)

    @property
    def connected(self) -> bool:
        return self.state == "connected"

    async def wait_connected(self, timeout: float | None = None) -> bool:
        try:
            await asyncio.wait_for(self._up.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    # -- message path -------------------------------------------------------------------------------
    def _on_message(self, msg: AmiMessage) -> None:
        out = self._collector.feed(msg)
        if out is None:
            return
        kind, aid, payload = out
        if kind == "event":
            self._dispatch(payload)  # type: ignore[arg-type]
        elif kind == "result":
            entry = self._futures.pop(aid, None)  # type: ignore[arg-type]
            if entry is not None and not entry[0].done():
                entry[0].set_result(payload)
        else:
            log.debug("AMI %s: response for unknown ActionID %r ignored", self.name, aid)

    def _dispatch(self, msg: AmiMessage) -> None:
        self.events_received += 1
        name = msg.name or ""
        if self._event_waiters:
            aid = msg.get("ActionID")
            if aid is not None:
                fut = self._event_waiters.pop((name.lower(), aid), None)
                if fut is not None and not fut.done():
                    fut.set_result(msg)
        handlers = self._handlers.get(name.lower())
        if handlers:
            for h in list(handlers):
                self._call(h, msg)
        for h in self._all_handlers:
            self._call(h, msg)

    def _call(self, h: EventHandler, msg: AmiMessage) -> None:
        try:
            r = h(msg)
        except Exception:  # noqa: BLE001 - one bad subscriber must not stop the stream
            log.exception("AMI %s: event handler failed for %s", self.name, msg.event)
            return
        if r is not None and inspect.isawaitable(r):
            t = asyncio.ensure_future(r)
            self._tasks.add(t)
            t.add_done_callback(self._task_done)

    def _task_done(self, t: asyncio.Task) -> None:
        self._tasks.discard(t)
        if not t.cancelled() and t.exception() is not None:
            log.error("AMI %s: async event handler failed: %r", self.name, t.exception())

    def _on_lost(self, proto: _AmiProtocol, exc: Exception | None) -> None:
        if proto is not self._proto:
            return
        self._proto = None
        self._collector.clear()
        err = AmiDisconnected(f"AMI {self.name}: connection lost" + (f" ({exc})" if exc else ""))
        for fut, _ in self._futures.values():
            if not fut.done():
                fut.set_exception(err)
        self._futures.clear()
        for fut in self._event_waiters.values():
            if not fut.done():
                fut.set_exception(err)
        self._event_waiters.clear()
        was = self.state
        self.state = "disconnected"
        self._up.clear()
        self.connected_since = None
        if was == "connected" and self._stopping:
            log.debug("AMI %s: disconnected from %s:%s (stopped)", self.name, self.host, self.port)
            self._notify("disconnected", "stopped")
        elif was == "connected":
            why = self._drop_reason or (f"connection lost: {exc}" if exc else "connection closed by Asterisk")
            self._drop_reason = ""
            self.last_error = why
            log.warning("AMI %s: disconnected from %s:%s (%s)", self.name, self.host, self.port, why)
            self._notify("disconnected", self.last_error)

    def _notify(self, state: str, reason: str) -> None:
        for h in self._state_handlers:
            try:
                r = h(self, state, reason)
                if inspect.isawaitable(r):
                    t = asyncio.ensure_future(r)
                    self._tasks.add(t)
                    t.add_done_callback(self._task_done)
            except Exception:  # noqa: BLE001
                log.exception("AMI %s: state handler failed", self.name)

    # -- actions ------------------------------------------------------------------------------------
    def next_action_id(self) -> str:
        return f"{self._prefix}-{next(self._ids)}"

    def send_action(self, action: str, fields: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
                    action_id: str | None = None) -> tuple[str, asyncio.Future]:
        """Write an action now; return (ActionID, future of its :class:`ActionResult`)."""
        proto = self._proto
        if proto is None or proto.transport is None or proto.transport.is_closing():
            raise AmiDisconnected(f"AMI {self.name} is not connected ({self.last_error or self.state})")
        aid = action_id or self.next_action_id()
        data = encode_action(action, aid, fields)
        fut = asyncio.get_running_loop().create_future()
        self._futures[aid] = (fut, action)
        self._collector.expect(aid)
        proto.transport.write(data)
        return aid, fut

    async def action(self, action: str, fields: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
                     *, timeout: float | None = None, check: bool = False,
                     action_id: str | None = None) -> ActionResult:
        """Send an action and wait for its (complete) result.

        Raises :class:`AmiTimeout`, :class:`AmiDisconnected`; with ``check=True`` also
        :class:`AmiActionError` when Asterisk answers ``Response: Error``.
        """
        if self.state != "connected" and action.lower() not in ("login", "ping", "logoff") \
                and not getattr(self, "_in_hooks", False):
            raise AmiDisconnected(f"AMI {self.name} is not connected ({self.last_error or self.state})")
        aid, fut = self.send_action(action, fields, action_id)
        t = self.action_timeout if timeout is None else timeout
        try:
            result: ActionResult = await asyncio.wait_for(asyncio.shield(fut), t)
        except asyncio.TimeoutError:
            self._futures.pop(aid, None)
            self._collector.forget(aid)
            raise AmiTimeout(f"AMI {self.name}: no response to {action} within {t:g} s") from None
        if check and not result.success:
            raise AmiActionError(action, result)
        return result

    def expect_event(self, event: str, action_id: str) -> asyncio.Future:
        """A future resolved by the next event ``event`` carrying ``ActionID: action_id``
        (e.g. the ``OriginateResponse`` of an async Originate). Register it before sending."""
        fut = asyncio.get_running_loop().create_future()
        self._event_waiters[(event.lower(), action_id)] = fut
        return fut

    def cancel_expect(self, event: str, action_id: str) -> None:
        fut = self._event_waiters.pop((event.lower(), action_id), None)
        if fut is not None and not fut.done():
            fut.cancel()

    # -- connection -------------------------------------------------------------------------------
    async def connect(self) -> None:
        """Connect and log in once; raise :class:`AmiConnectError` / :class:`AmiAuthError`."""
        loop = asyncio.get_running_loop()
        self.state = "connecting"
        self.attempts += 1
        try:
            _, proto = await asyncio.wait_for(
                loop.create_connection(lambda: _AmiProtocol(self), self.host, self.port), self.connect_timeout)
        except asyncio.TimeoutError:
            self.state = "disconnected"
            raise AmiConnectError(f"no TCP answer from {self.host}:{self.port} within "
                                  f"{self.connect_timeout:g} s") from None
        except OSError as exc:
            self.state = "disconnected"
            why = os.strerror(exc.errno) if exc.errno and exc.errno > 0 else (exc.strerror or str(exc))
            raise AmiConnectError(f"cannot connect to {self.host}:{self.port}: {why}") from None
        self._proto = proto
        try:
            self.banner = await asyncio.wait_for(asyncio.shield(proto.banner), self.connect_timeout)
        except (asyncio.TimeoutError, AmiConnectError) as exc:
            self._drop(proto)
            self.state = "disconnected"
            msg = str(exc) or f"no AMI banner within {self.connect_timeout:g} s (is this an Asterisk manager port?)"
            raise AmiConnectError(f"{self.host}:{self.port}: {msg}") from None
        fields: dict[str, Any] = {"Username": self.username, "Secret": self._secret}
        if not self.events_enabled:
            fields["Events"] = "off"
        try:
            res = await self.action("Login", fields, timeout=max(self.action_timeout, 3.0))
        except AmiError as exc:
            self._drop(proto)
            self.state = "disconnected"
            raise AmiConnectError(f"{self.host}:{self.port}: login got no answer: {exc}") from None
        if not res.success:
            self._drop(proto)
            self.state = "disconnected"
            raise AmiAuthError(f"{self.host}:{self.port}: login as {self.username!r} refused: "
                               f"{res.message or res.response.response} (check ami.servers username/secret "
                               "and manager.conf permit=)")
        self.last_rx = time.monotonic()
        self._in_hooks = True
        try:
            for hook in list(self._connected_hooks):
                try:
                    await hook(self)
                except AmiError as exc:
                    log.warning("AMI %s: resync step failed: %s", self.name, exc)
                except Exception:  # noqa: BLE001
                    log.exception("AMI %s: resync hook failed", self.name)
        finally:
            self._in_hooks = False
        if self._proto is not proto:
            raise AmiConnectError(f"{self.host}:{self.port}: connection lost during resync")
        self.state = "connected"
        self.connects += 1
        self.connected_since = time.time()
        self.last_error = ""
        self._up.set()
        log.info("AMI %s: connected to %s:%s (AMI %s) as %s", self.name, self.host, self.port,
                 self.banner.version if self.banner else "?", self.username)
        self._notify("connected", "")

    def _drop(self, proto: _AmiProtocol | None) -> None:
        if proto is not None and proto.transport is not None:
            proto.transport.abort()

    async def start(self) -> None:
        """Run the connect / keepalive / reconnect loop in the background."""
        if self._runner is None:
            self._stopping = False
            self._runner = asyncio.get_running_loop().create_task(self._run(), name=f"ami-{self.name}")

    async def _run(self) -> None:
        delay = self.reconnect_min_delay
        while not self._stopping:
            try:
                await self.connect()
            except AmiAuthError as exc:
                self.last_error = str(exc)
                self.next_retry_in = delay
                log.error("AMI %s: %s; retrying in %.1f s", self.name, exc, delay)
            except AmiConnectError as exc:
                self.last_error = str(exc)
                self.next_retry_in = delay
                log.warning("AMI %s: %s; retrying in %.1f s", self.name, exc, delay)
            else:
                delay = self.reconnect_min_delay
                self.next_retry_in = None
                await self._watch()
                if self._stopping:
                    break
                self.next_retry_in = delay
                log.info("AMI %s: reconnecting in %.1f s", self.name, delay)
            await asyncio.sleep(delay)
            delay = min(self.reconnect_max_delay, max(self.reconnect_min_delay, delay * 2))

    async def _watch(self) -> None:
        """Keepalive while connected: ping a silent peer, drop it when the ping goes unanswered."""
        proto = self._proto
        if proto is None:
            return
        interval = max(0.05, self.ping_interval)
        while not self._stopping and self._proto is proto:
            idle = time.monotonic() - self.last_rx
            if idle < interval:
                done, _ = await asyncio.wait({proto.lost}, timeout=interval - idle)
                if done:
                    return
                continue
            try:
                await self.action("Ping", timeout=min(self.action_timeout, interval))
            except AmiTimeout:
                self._drop_reason = (f"peer silent: no answer to Ping within "
                                     f"{min(self.action_timeout, interval):g} s")
                log.warning("AMI %s: %s; dropping the connection", self.name, self._drop_reason)
                self._drop(proto)
                await asyncio.wait({proto.lost}, timeout=2.0)
                if self._proto is proto:        # abort did not call connection_lost yet
                    self._on_lost(proto, None)
                return
            except AmiError:
                return

    async def stop(self) -> None:
        self._stopping = True
        proto = self._proto
        if proto is not None and self.state == "connected":
            try:
                await self.action("Logoff", timeout=1.0)
            except AmiError:
                pass
        self._drop(self._proto)
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
            self._runner = None
        for t in list(self._tasks):
            t.cancel()
        self.state = "disconnected"
        self._up.clear()

    def status(self) -> dict:
        return {"name": self.name, "host": self.host, "port": self.port, "username": self.username,
                "state": self.state, "connected_since": self.connected_since,
                "last_error": self.last_error, "connects": self.connects, "attempts": self.attempts,
                "events_received": self.events_received, "next_retry_in": self.next_retry_in,
                "ami_version": self.banner.version if self.banner else None}
