"""The AudioSocket server: Asterisk connects here, we hand each connection to whoever expects its UUID.

Flow (``../shared/asterisk-wire/audiosocket-agi-exec.txt``, ``audiosocket-chan-*.txt``):

1. The engine picks a UUID and calls :meth:`AudioSocketServer.expect` (a :class:`PendingLeg`), then
   makes Asterisk connect: ``EXEC AudioSocket <uuid>,<advertise>`` from the call's FastAGI session
   (``AgiChannel.audiosocket()``) or an AMI ``Originate`` of ``AudioSocket/<advertise>/<uuid>/c(slin16)``
   (``CallControl.originate_audiosocket()``).
2. Asterisk connects and sends the UUID frame first (0-11 ms after the connect). The server finds the
   pending entry and resolves it with an :class:`~callcenter.media.audiosocket_leg.AudioSocketLeg`.
3. An unknown UUID (nobody expects it, or the engine already gave up) is logged with the UUID and
   the socket is closed (``AudioSocket()`` then returns as after a hang-up: the dialplan continues). A
   first frame that is not a UUID, garbage, or nothing at all within ``handshake_timeout`` closes it too.

Config (``media.*``, docs/media.md): ``audiosocket_enabled``, ``audiosocket_bind`` (host:port we
listen on), ``audiosocket_advertise`` (host:port Asterisk must connect to; default the bind address),
``audiosocket_connect_timeout``, ``audiosocket_idle_timeout``, ``audiosocket_max_sessions``.
"""
from __future__ import annotations

import asyncio
import logging
import uuid as _uuid
from typing import Any

from .audiosocket_codec import UUID, AudioSocketProtocolError, FrameDecoder
from .audiosocket_leg import AudioSocketLeg, FrameClock
from .leg import MediaError

log = logging.getLogger("callcenter.media.audiosocket")


def parse_hostport(text: str, what: str) -> tuple[str, int]:
    """``host:port`` / ``[v6]:port`` -> (host, port); a clear error naming ``what`` otherwise."""
    t = str(text or "").strip()
    host, sep, port = t.rpartition(":")
    if not sep or not port.isdigit() or not host or int(port) > 65535:
        raise ValueError(f"{what}: {text!r} is not host:port (e.g. 127.0.0.1:9092)")
    return host.strip("[]"), int(port)


class PendingLeg:
    """A UUID the engine expects Asterisk to connect with; ``await wait(timeout)`` gives the leg."""

    def __init__(self, server: "AudioSocketServer", uuid: str, sample_rate: int, ulaw: str) -> None:
        self.server = server
        self.uuid = uuid
        self.sample_rate = sample_rate
        self.ulaw = ulaw
        self.future: asyncio.Future = asyncio.get_running_loop().create_future()

    @property
    def connected(self) -> bool:
        return self.future.done() and not self.future.cancelled() and self.future.exception() is None

    async def wait(self, timeout: float | None) -> AudioSocketLeg:
        """The leg once Asterisk connected; ``asyncio.TimeoutError`` after ``timeout`` (the entry is
        then withdrawn: a late connection is refused as unknown)."""
        try:
            return await asyncio.wait_for(asyncio.shield(self.future), timeout)
        except asyncio.TimeoutError:
            self.cancel()
            if self.connected:              # connected in the same instant
                return self.future.result()
            raise

    def cancel(self) -> None:
        self.server._pending.pop(self.uuid, None)
        if not self.future.done():
            self.future.cancel()


class _Protocol(asyncio.Protocol):
    def __init__(self, server: "AudioSocketServer") -> None:
        self.server = server
        self.decoder = FrameDecoder()
        self.transport: asyncio.Transport | None = None
        self.leg: AudioSocketLeg | None = None
        self.peer = ""
        self._timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        srv = self.server
        srv._conns.add(self)
        if len(srv._conns) > srv.max_sessions:
            log.warning("audiosocket: %d connections (max_sessions %d): refusing %s", len(srv._conns),
                        srv.max_sessions, self.peer)
            transport.close()
            return
        self._timer = asyncio.get_running_loop().call_later(srv.handshake_timeout, self._handshake_timeout)

    def _handshake_timeout(self) -> None:
        if self.leg is None and self.transport is not None:
            log.warning("audiosocket: no UUID frame from %s within %.1f s; closing", self.peer,
                        self.server.handshake_timeout)
            self.server.refused += 1
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        try:
            frames = self.decoder.feed(data)
        except AudioSocketProtocolError as exc:
            self._frames(exc.frames)
            if self.leg is not None:
                self.leg._protocol_error(exc)
            else:
                self._refuse(f"{exc} (from {self.peer}, before any UUID)", abort=True)
            return
        self._frames(frames)

    def _frames(self, frames: list) -> None:
        if not frames or self.transport is None or self._refused:
            return
        now = asyncio.get_running_loop().time()
        leg = self.leg
        i = 0
        if leg is None:
            first = frames[0]
            if first.kind != UUID:
                self._refuse(f"AudioSocket: first frame from {self.peer} is {first.name} "
                             "(expected the UUID frame 0x01 first)", abort=True)
                return
            leg = self._attach(first.uuid)
            if leg is None:
                return
            i = 1
        for f in frames[i:]:
            leg._on_frame(f, now)
            if leg.ended is not None:
                break

    def _attach(self, uuid: str) -> AudioSocketLeg | None:
        srv = self.server
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending = srv._pending.pop(uuid, None)
        if pending is None or pending.future.done():
            self._refuse(f"audiosocket: unknown UUID {uuid} from {self.peer} (nobody expects it); closing")
            return None
        assert self.transport is not None
        leg = AudioSocketLeg(uuid, self.transport, srv.clock, sample_rate=pending.sample_rate, ulaw=pending.ulaw,
                             idle_timeout=srv.idle_timeout, peer=self.peer, on_end=srv._leg_ended)
        self.leg = leg
        srv.legs[uuid] = leg
        srv.accepted += 1
        pending.future.set_result(leg)
        log.info("audiosocket %s connected from %s (%d Hz)", uuid, self.peer, pending.sample_rate)
        return leg

    def _refuse(self, message: str, abort: bool = False) -> None:
        if self._refused:
            return
        self._refused = True
        log.warning("%s", message)
        self.server.refused += 1
        tr = self.transport
        if tr is not None:
            tr.abort() if abort else tr.close()

    def eof_received(self) -> bool:
        if self.leg is not None:
            left = self.decoder.truncated()
            self.leg._far_end("far", "Asterisk closed the socket (EOF: caller hung up or the call left "
                                     "AudioSocket)" + (f"; {left}" if left else ""))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.server._conns.discard(self)
        if self.leg is not None:
            self.leg._connection_lost(exc)
        self.transport = None


class AudioSocketServer:
    """Asyncio TCP server for AudioSocket connections from Asterisk, with a registry per UUID."""

    def __init__(self, bind: str = "127.0.0.1:9092", advertise: str | None = None, *,
                 connect_timeout: float = 3.0, idle_timeout: float = 30.0, handshake_timeout: float = 5.0,
                 max_sessions: int = 1000) -> None:
        self.bind_host, self.bind_port = parse_hostport(bind, "media.audiosocket_bind")
        self._advertise = advertise
        if advertise:
            parse_hostport(advertise, "media.audiosocket_advertise")
        elif self.bind_host in ("0.0.0.0", "::", ""):
            raise ValueError(f"media.audiosocket_bind {bind!r} listens on every address: set "
                             "media.audiosocket_advertise to the host:port Asterisk must connect to")
        self.connect_timeout = connect_timeout
        self.idle_timeout = idle_timeout
        self.handshake_timeout = handshake_timeout
        self.max_sessions = max_sessions
        self.clock = FrameClock()
        self.legs: dict[str, AudioSocketLeg] = {}
        self._pending: dict[str, PendingLeg] = {}
        self._conns: set[_Protocol] = set()
        self._server: asyncio.base_events.Server | None = None
        self.accepted = self.refused = 0

    @classmethod
    def from_config(cls, media: Any) -> "AudioSocketServer":
        return cls(media.audiosocket_bind, media.audiosocket_advertise or None,
                   connect_timeout=float(media.audiosocket_connect_timeout),
                   idle_timeout=float(media.audiosocket_idle_timeout),
                   max_sessions=int(media.audiosocket_max_sessions))

    # -- life ----------------------------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(lambda: _Protocol(self), self.bind_host, self.bind_port)
        except OSError as exc:
            raise MediaError(f"media.audiosocket_bind {self.bind_host}:{self.bind_port}: cannot listen "
                             f"({exc.strerror or exc})") from None
        log.info("audiosocket listening on %s:%s (Asterisk connects to %s)", self.bind_host, self.bound_port,
                 self.advertise)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for p in list(self._pending.values()):
            p.cancel()
        for leg in list(self.legs.values()):
            await leg.close("server stopping")
        for c in list(self._conns):
            if c.transport is not None:
                c.transport.abort()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        await self.clock.stop()

    async def __aenter__(self) -> "AudioSocketServer":
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    @property
    def bound_port(self) -> int | None:
        if self._server is None or not self._server.sockets:
            return None
        return self._server.sockets[0].getsockname()[1]

    @property
    def advertise(self) -> str:
        """The host:port Asterisk is told to connect to (port 0 in the config = the bound port)."""
        if self._advertise:
            host, port = parse_hostport(self._advertise, "media.audiosocket_advertise")
        else:
            host, port = self.bind_host, self.bind_port
        if port == 0 and self.bound_port:
            port = self.bound_port
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    # -- registry --------------------------------------------------------------------------------------
    def expect(self, uuid: str | None = None, *, sample_rate: int = 8000, ulaw: str = "auto") -> PendingLeg:
        """Register a UUID Asterisk will connect with (a fresh one when None)."""
        u = str(_uuid.UUID(uuid)) if uuid else str(_uuid.uuid4())
        if u in self._pending or u in self.legs:
            raise MediaError(f"AudioSocket UUID {u} is already in use")
        p = self._pending[u] = PendingLeg(self, u, sample_rate, ulaw)
        return p

    def _leg_ended(self, leg: AudioSocketLeg) -> None:
        if self.legs.get(leg.uuid) is leg:
            del self.legs[leg.uuid]

    def status(self) -> dict:
        return {"listening": self._server is not None, "bind": f"{self.bind_host}:{self.bound_port or self.bind_port}",
                "advertise": self.advertise, "legs": len(self.legs), "pending": len(self._pending),
                "connections": len(self._conns), "accepted": self.accepted, "refused": self.refused,
                "clock_ticks": self.clock.ticks, "clock_reanchored": self.clock.schedule.reanchored}
