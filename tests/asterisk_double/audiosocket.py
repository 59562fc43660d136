"""Asterisk's side of AudioSocket for the double, as captured (``tests/fixtures/asterisk/audiosocket-*.txt``).

:class:`AsteriskAudioSocket` is one connection Asterisk makes to the engine's AudioSocket server,
either for ``EXEC AudioSocket <uuid>,<host:port>`` (the application; ``app=True``) or for an
``AudioSocket/<host:port>/<uuid>[/c(codec)]`` channel (the channel driver; ``app=False``):

* it connects and sends the UUID frame first, then one audio frame per 20 ms of "caller RTP": the
  caller's ``audio`` (PCM at ``rate``; after it, silence frames like a phone that keeps sending RTP)
  or nothing at all when ``rtp=False`` (a caller that sends no RTP produces no frames);
  the application always sends 0x10/320 bytes (8 kHz) whatever we send back; a channel sends the type
  of its codec (``c(slin16)`` -> 0x12/640) or mu-law under 0x10 (160 bytes) with ``codec="ulaw"``;
* ``press("12#")``: per key, the caller's audio stops for ~180 ms (RFC 4733 in progress), then one
  0x03 frame with the ASCII digit;
* what the server sends is recorded in ``received`` (``(monotonic time, Frame)``);
* ends (``outcome``): ``hangup-frame`` (our 0x00: Asterisk closes at once; the app "succeeds"),
  ``server-closed`` (we closed the socket: same effect), ``caller-hangup`` (:meth:`caller_hangs_up`:
  Asterisk closes the socket, FIN, no 0x00), ``timeout`` (app only: nothing either way for 2 s),
  ``dtmf-rejected`` (a 0x03 from the server: Asterisk hangs the call up and **resets** the socket),
  ``protocol-error`` (any other frame type from the server), ``refused`` (could not connect).
"""
from __future__ import annotations

import asyncio
import re
import socket
import struct
import time
from typing import Any

from callcenter.media.audiosocket_codec import (AUDIO_RATES, DTMF, HANGUP, AudioSocketProtocolError, Frame,
                                                FrameDecoder, encode, encode_dtmf, encode_uuid)

INACTIVITY_TIMEOUT = 2.0        # app_audiosocket: "Reached timeout after 2000 ms of no activity"
DTMF_GAP = 0.18                 # caller audio dropped while an RFC 4733 digit is in progress


def _ulaw_encode(sample: int) -> int:
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    s = min(clip, -sample if sample < 0 else sample) + bias
    exp = 7
    mask = 0x4000
    while exp > 0 and not (s & mask):
        exp -= 1
        mask >>= 1
    mant = (s >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF


def pcm_to_ulaw(pcm: bytes) -> bytes:
    return bytes(_ulaw_encode(v) for (v,) in struct.iter_unpack("<h", pcm[: len(pcm) // 2 * 2]))


class AsteriskAudioSocket:
    def __init__(self, host: str, port: int, uuid: str, *, app: bool = True, codec: str = "slin",
                 audio: bytes = b"", rtp: bool = True, time_scale: float = 1.0,
                 inactivity_timeout: float = INACTIVITY_TIMEOUT) -> None:
        self.host, self.port, self.uuid = host, port, uuid
        self.app = app
        self.codec = "slin" if app else codec
        self.rate = 16000 if self.codec == "slin16" else 8000
        self.kind = 0x12 if self.codec == "slin16" else 0x10
        self.audio = bytearray(audio)
        self.rtp = rtp
        self.time_scale = time_scale
        self.inactivity_timeout = inactivity_timeout
        self.received: list[tuple[float, Frame]] = []
        self.sent_frames = 0
        self.sent_digits: list[str] = []
        self.outcome: asyncio.Future = asyncio.get_running_loop().create_future()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task] = []
        self._last_activity = 0.0
        self._dtmf_until = 0.0
        self._keys: asyncio.Queue[str] = asyncio.Queue()

    # -- observation ---------------------------------------------------------------------------
    def audio_received(self) -> list[Frame]:
        return [f for _, f in self.received if f.kind in AUDIO_RATES]

    def pcm_received(self) -> bytes:
        return b"".join(f.payload for f in self.audio_received())

    def gaps_ms(self) -> list[float]:
        ts = [t for t, f in self.received if f.kind in AUDIO_RATES]
        return [(b - a) * 1000 for a, b in zip(ts, ts[1:])]

    @property
    def done(self) -> bool:
        return self.outcome.done()

    # -- life --------------------------------------------------------------------------------------
    async def start(self) -> "AsteriskAudioSocket":
        try:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            self._finish("refused", str(exc))
            return self
        self._writer.write(encode_uuid(self.uuid))
        self._last_activity = time.monotonic()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._read()), loop.create_task(self._send_audio()),
                       loop.create_task(self._send_keys())]
        if self.app:
            self._tasks.append(loop.create_task(self._watch_inactivity()))
        return self

    def press(self, digits: str) -> None:
        for d in digits:
            self._keys.put_nowait(d)

    def send_digit_now(self, digit: str) -> None:
        """AMI ``PlayDTMF`` on an AudioSocket channel: a 0x03 frame to the server 1 ms later (captured)."""
        w = self._writer
        if w is not None and not w.is_closing() and not self.done:
            w.write(encode_dtmf(digit))
            self.sent_digits.append(digit)

    def caller_hangs_up(self) -> None:
        """The far side goes away (SIP BYE, agent hung up): Asterisk closes the socket with a FIN (the
        server reads EOF, no 0x00; audiosocket-app-caller-hangup.txt)."""
        self._close_fin("caller-hangup")

    def _close_fin(self, outcome: str) -> None:
        """Asterisk reads its socket until it closes it, so the close is a FIN, not a reset: the double
        sends its FIN and drains what the server still sends until the server closes too (or 1 s)."""
        if self.done:
            return
        self.outcome.set_result(outcome)
        self.detail = ""
        me = asyncio.current_task()
        for t in self._tasks[1:]:                    # sender, keys, inactivity; the reader drains
            if t is not me:
                t.cancel()
        w = self._writer
        if w is None or w.is_closing():
            return
        try:
            w.write_eof()
        except (OSError, RuntimeError):
            w.close()
            return
        asyncio.get_running_loop().call_later(1.0, w.close)

    async def wait(self, timeout: float | None = None) -> str:
        return await asyncio.wait_for(asyncio.shield(self.outcome), timeout)

    def _finish(self, outcome: str, detail: str = "", reset: bool = False) -> None:
        if not self.outcome.done():
            self.outcome.set_result(outcome)
            self.detail = detail
        w = self._writer
        if w is not None:
            if reset:
                sock = w.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                w.transport.abort()
            else:
                w.close()
        me = asyncio.current_task()
        for t in self._tasks:
            if t is not me:
                t.cancel()

    async def close(self) -> None:
        self._finish("closed-by-test")
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- tasks ---------------------------------------------------------------------------------------
    async def _read(self) -> None:
        assert self._reader is not None
        dec = FrameDecoder()
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    self._finish("server-closed")
                    return
                now = time.monotonic()
                for f in dec.feed(data):
                    self.received.append((now, f))
                    self._last_activity = now
                    if f.kind == HANGUP:
                        self._finish("hangup-frame")
                        return
                    if f.kind == DTMF:
                        # "Received AudioSocket message other than hangup or audio": call hung up, RST
                        self._finish("dtmf-rejected", reset=True)
                        return
                    if f.kind not in AUDIO_RATES:
                        self._finish("protocol-error", f"frame {f.name} from the server", reset=True)
                        return
        except AudioSocketProtocolError as exc:
            self._finish("protocol-error", str(exc), reset=True)
        except (ConnectionError, OSError) as exc:
            self._finish("server-closed", repr(exc))

    async def _send_audio(self) -> None:
        if not self.rtp:
            return
        w = self._writer
        assert w is not None
        n = self.rate // 50 * 2
        period = 0.02
        t0 = time.monotonic()
        k = 0
        while not self.done:
            k += 1
            await asyncio.sleep(max(0.0, t0 + k * period - time.monotonic()))
            if time.monotonic() < self._dtmf_until:
                continue                         # audio dropped while a key is down
            chunk = bytes(self.audio[:n])
            del self.audio[:n]
            chunk += b"\x00" * (n - len(chunk))
            if self.codec == "ulaw":
                chunk = pcm_to_ulaw(chunk)
            if w.is_closing():
                return
            w.write(encode(self.kind, chunk))
            self.sent_frames += 1
            self._last_activity = time.monotonic()

    async def _send_keys(self) -> None:
        w = self._writer
        assert w is not None
        while not self.done:
            d = await self._keys.get()
            self._dtmf_until = time.monotonic() + DTMF_GAP
            await asyncio.sleep(DTMF_GAP)
            if w.is_closing():
                return
            w.write(encode_dtmf(d))
            self.sent_digits.append(d)
            self._last_activity = time.monotonic()

    async def _watch_inactivity(self) -> None:
        limit = self.inactivity_timeout * self.time_scale
        while not self.done:
            left = self._last_activity + limit - time.monotonic()
            if left <= 0:
                # "Reached timeout after 2000 ms of no activity": the app fails, the channel is hung up
                self._close_fin("timeout")
                return
            await asyncio.sleep(left)


async def connect(host: str, port: int, uuid: str, **kw: Any) -> AsteriskAudioSocket:
    return await AsteriskAudioSocket(host, port, uuid, **kw).start()


# -- EXEC AudioSocket from a FastAGI session (audiosocket-agi-exec.txt) ---------------------------------

def wav_pcm8k(path: Any) -> bytes:
    import wave
    from callcenter.media.audiosocket_leg import resample
    with wave.open(str(path), "rb") as w:
        pcm, rate, width, chans = w.readframes(w.getnframes()), w.getframerate(), w.getsampwidth(), w.getnchannels()
    if width != 2 or chans != 1:
        raise ValueError(f"{path}: the double plays 16-bit mono WAV files only")
    return resample(pcm, rate, 8000)


async def _feed_script(sess: Any, ast: AsteriskAudioSocket) -> None:
    """The caller's script while the engine listens: keys, speech, pauses, hang-up."""
    from .caller import Hangup, Pause, Press, Say, Silence
    script = sess._script
    while script and not ast.done:
        step = script[0]
        if isinstance(step, Press):
            script.pop(0)
            ast.press(step.digits)
            await asyncio.sleep(len(step.digits) * (DTMF_GAP + 0.02))
        elif isinstance(step, Say):
            script.pop(0)
            pcm = wav_pcm8k(step.wav)
            ast.audio += pcm
            await asyncio.sleep(len(pcm) / 16000 + 0.04)
        elif isinstance(step, Pause):
            script.pop(0)
            await asyncio.sleep(step.seconds * sess.d.time_scale)
        elif isinstance(step, Silence):
            script.pop(0)
            await asyncio.sleep(1.0)
        elif isinstance(step, Hangup):
            script.pop(0)
            ast.caller_hangs_up()
            return
        else:
            return


async def exec_audiosocket(sess: Any, data: str) -> list[str]:
    """``EXEC AudioSocket <uuid>,<host:port>``: connect, stream the caller, return when the socket ends.
    Our 0x00 or close -> ``200 result=0`` (the caller is still up); the caller hanging up -> the socket
    closes (EOF), ``200 result=-1``, then ``HANGUP``; 2 s without audio either way, or a 0x03 frame from
    the server -> the application fails and the call is hung up (``200 result=-1``, ``HANGUP``)."""
    uuid, _, addr = data.partition(",")
    host, _, port = addr.strip().rpartition(":")
    ch = sess.c.channel
    if not port.isdigit() or ch is None or ch.state != 6:
        # "Channel is not answered": the application fails at once, the channel rings on
        # (tests/fixtures/asterisk/live-audiosocket-agi-edges.txt, step 1)
        return ["200 result=-1"]
    ast = AsteriskAudioSocket(host.strip("[]"), int(port), uuid.strip(), app=True, rtp=sess.c.rtp)
    sess.c.audiosockets.append(ast)
    await ast.start()
    if ast.done:
        # "Failed to connect to AudioSocket service": the application fails, the channel stays up
        # (live-audiosocket-agi-edges.txt, step 2)
        return ["200 result=-1"]
    loop = asyncio.get_running_loop()
    feeder = loop.create_task(_feed_script(sess, ast))
    hang = loop.create_future()
    sess._inflight, sess._inflight_verb = hang, "EXEC"
    try:
        await asyncio.wait({ast.outcome, hang}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        sess._inflight = None
        feeder.cancel()
    if hang.done() and not ast.done:
        ast.caller_hangs_up()                   # hangup_after / AMI Hangup: Asterisk closes the socket
    outcome = ast.outcome.result()
    await ast.close()
    if outcome in ("hangup-frame", "server-closed"):
        return ["200 result=0"]
    return await sess._hangup_mid("200 result=-1")


# -- AudioSocket/<host:port>/<uuid>[/c(codec)] channels (audiosocket-chan-*.txt) ---------------------------

def parse_dial_string(target: str) -> tuple[str, int, str, str] | None:
    """``AudioSocket/127.0.0.1:9093/<uuid>/c(slin16)`` -> (host, port, uuid, codec)."""
    parts = target.split("/")
    if len(parts) < 3 or parts[0] != "AudioSocket":
        return None
    host, _, port = parts[1].rpartition(":")
    codec = "slin"
    if len(parts) > 3 and parts[3].startswith("c(") and parts[3].endswith(")"):
        codec = parts[3][2:-1]
    if not port.isdigit():
        return None
    return host.strip("[]"), int(port), parts[2], codec


async def originate_audiosocket(d: Any, target: str, *, context: str, exten: str, cid: tuple[str, str],
                                variables: dict[str, str]) -> tuple[bool, str, Any]:
    """The channel driver: connect (UUID frame at dial time), answer at once, run the dialplan.
    Our 0x00 or our close hang the channel up: bridged, a Hangup with Cause 16 and no request first
    (live-webrtc-browser-agent-agent-hangs-up.txt); otherwise SoftHangupRequest Cause 16, then Hangup with
    Cause 0 (live-audiosocket-agent-wait-hangup-frame.txt); a web caller's channel running its FastAGI IVR:
    SoftHangupRequest 16, the AGI told, then Hangup 16 (live-webrtc-caller-hangs-up.txt). The channel hung
    up -> EOF.
    Without ``c(...)`` an Originate uses slin (0x10/320), as captured. Returns (ok, reason, channel)."""
    parsed = parse_dial_string(target)
    if parsed is None:
        return False, "0", None
    host, port, uuid, codec = parsed
    ast = AsteriskAudioSocket(host, port, uuid, app=False, codec=codec)
    await ast.start()
    if ast.done:
        return False, "0", None
    num = re.sub(r"[()\-. ]", "", cid[0])          # ast_shrink_phone_number (live test: "web-1" -> "web1")
    ch = d.model.new_channel(f"AudioSocket/{host}:{port}-{uuid}", caller_num=num or "<unknown>", caller_name=cid[1] or "<unknown>",
                             context=context or "default", exten=exten or "s", state=0)
    ch.variables.update(variables)
    ch.variables.update({"AUDIOSOCKET_UUID": uuid, "AUDIOSOCKET_SERVICE": f"{host}:{port}"})
    ch.audiosocket = ast
    d.audiosocket_channels.append(ch)
    d.originated.append(ch)
    d.model.set_state(ch, 6)

    def on_end(fut: asyncio.Future) -> None:
        if ch.alive and ch.bridge:
            d.model.hangup(ch, 16, "Normal Clearing", request=False)
        elif ch.alive:
            d.model.request_hangup(ch, soft=True, cause=16)
            d.model.hangup(ch, 0, "Unknown", request=False)
    ast.outcome.add_done_callback(on_end)
    ch.on_hangup.append(lambda _c: ast.caller_hangs_up())
    ch.on_hangup_request.append(lambda _c: ast.caller_hangs_up())
    d.run_dialplan(ch, 1)
    return True, "4", ch
