"""AudioSocket frame codec, pure (no I/O): bytes <-> :class:`Frame`, as Asterisk 22.10.1 speaks it.

A frame is one type byte, a 2-byte big-endian payload length, then the payload
(``include/asterisk/res_audiosocket.h``; the captures are ``../shared/asterisk-wire/audiosocket-*.txt``):

====== =========================================================================================
type   payload
====== =========================================================================================
0x00   hang-up, empty (we send it to end the leg; Asterisk never sent one in the captures)
0x01   the channel's UUID, 16 raw bytes; always the first frame from Asterisk
0x03   one DTMF digit, ASCII (Asterisk -> us only: Asterisk hangs the call up when it gets one)
0x10   signed linear 16-bit LE, 8 kHz (320 bytes = 20 ms). A channel dialled without ``c(slin)``
       by a G.711 phone carries **160 bytes of mu-law** under this type (``audiosocket-chan-dial.txt``)
0x11   slin 12 kHz (0x11 is *not* 16 kHz)     0x12 slin 16 kHz    0x13 slin 24 kHz
0x14   slin 32 kHz   0x15 slin 44.1 kHz   0x16 slin 48 kHz   0x17 slin 96 kHz   0x18 slin 192 kHz
0xff   error (never seen from Asterisk)
====== =========================================================================================

:class:`FrameDecoder` is incremental: feed bytes split anywhere, get whole frames. A garbled stream
(unknown type byte, a length the type cannot have) raises :class:`AudioSocketProtocolError` naming the
stream byte offset, what was found and what was expected; the decoder then refuses further input
(a byte stream cannot be resynchronised safely). The whole frames that came before the fault in the
same :meth:`FrameDecoder.feed` call are on the exception (``exc.frames``).
"""
from __future__ import annotations

import struct
import uuid as _uuid
from dataclasses import dataclass

HANGUP = 0x00
UUID = 0x01
DTMF = 0x03
SLIN = 0x10
ERROR = 0xFF

#: audio frame type -> sample rate (Hz)
AUDIO_RATES: dict[int, int] = {0x10: 8000, 0x11: 12000, 0x12: 16000, 0x13: 24000, 0x14: 32000,
                               0x15: 44100, 0x16: 48000, 0x17: 96000, 0x18: 192000}
#: sample rate -> audio frame type
AUDIO_TYPES: dict[int, int] = {rate: kind for kind, rate in AUDIO_RATES.items()}
TYPE_NAMES: dict[int, str] = {HANGUP: "hangup", UUID: "uuid", DTMF: "dtmf", ERROR: "error",
                              **{k: f"slin{r // 1000 if r % 1000 == 0 else r / 1000:g}"
                                 for k, r in AUDIO_RATES.items()}}
KNOWN_TYPES = frozenset(TYPE_NAMES)
DTMF_DIGITS = frozenset("0123456789*#ABCD")

#: The largest audio payload we accept: 100 ms at 192 kHz (Asterisk sends 20 ms frames; anything far
#: larger is a garbled length field, not audio).
MAX_AUDIO_PAYLOAD = 192000 * 2 // 10
HEADER = struct.Struct(">BH")


class AudioSocketProtocolError(Exception):
    """The byte stream is not AudioSocket; ``offset`` is the stream offset of the offending byte."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset
        self.frames: list["Frame"] = []     # the whole frames decoded before the fault (same feed call)


@dataclass(frozen=True)
class Frame:
    kind: int
    payload: bytes = b""

    @property
    def name(self) -> str:
        return TYPE_NAMES.get(self.kind, f"0x{self.kind:02x}")

    @property
    def sample_rate(self) -> int | None:
        """Audio frames: the rate their type names (0x10 -> 8000); None for other frames."""
        return AUDIO_RATES.get(self.kind)

    @property
    def uuid(self) -> str:
        """UUID frames: the canonical 8-4-4-4-12 text."""
        return str(_uuid.UUID(bytes=self.payload))

    @property
    def digit(self) -> str:
        return self.payload.decode("ascii", "replace")

    def __repr__(self) -> str:
        return f"Frame({self.name}, {len(self.payload)} bytes)"


def _length_ok(kind: int, length: int) -> str | None:
    """None when ``length`` is possible for ``kind``, else what was expected."""
    if kind == HANGUP:
        return None if length == 0 else "length 0 for a hangup frame"
    if kind == UUID:
        return None if length == 16 else "length 16 for a UUID frame"
    if kind == DTMF:
        return None if length == 1 else "length 1 for a DTMF frame"
    if kind == ERROR:
        return None if length <= 64 else "at most 64 bytes for an error frame"
    return None if length <= MAX_AUDIO_PAYLOAD else f"an audio payload of at most {MAX_AUDIO_PAYLOAD} bytes"


class FrameDecoder:
    """Incremental decoder: ``feed(data)`` returns the frames completed by ``data``."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._offset = 0            # stream offset of _buf[0]
        self.failed: AudioSocketProtocolError | None = None

    @property
    def offset(self) -> int:
        """Stream bytes consumed into whole frames so far."""
        return self._offset

    @property
    def pending(self) -> int:
        """Bytes held that do not yet make a whole frame (non-zero at EOF = a truncated frame)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame]:
        if self.failed is not None:
            raise self.failed
        buf = self._buf
        buf += data
        out: list[Frame] = []
        pos = 0
        n = len(buf)
        try:
            while n - pos >= 3:
                kind, length = HEADER.unpack_from(buf, pos)
                if kind not in KNOWN_TYPES:
                    raise AudioSocketProtocolError(
                        f"AudioSocket: unknown frame type 0x{kind:02x} at byte {self._offset + pos} "
                        "(expected 0x00 hangup, 0x01 uuid, 0x03 dtmf, 0x10-0x18 audio or 0xff error)",
                        self._offset + pos)
                bad = _length_ok(kind, length)
                if bad is not None:
                    raise AudioSocketProtocolError(
                        f"AudioSocket: {TYPE_NAMES[kind]} frame at byte {self._offset + pos} has length "
                        f"{length} (expected {bad})", self._offset + pos + 1)
                end = pos + 3 + length
                if end > n:
                    break
                payload = bytes(buf[pos + 3:end])
                if kind == DTMF and payload.decode("latin-1") not in DTMF_DIGITS:
                    raise AudioSocketProtocolError(
                        f"AudioSocket: DTMF frame at byte {self._offset + pos} carries {payload!r} "
                        "(expected one of 0-9 * # A-D)", self._offset + pos + 3)
                out.append(Frame(kind, payload))
                pos = end
        except AudioSocketProtocolError as exc:
            exc.frames = out
            self.failed = exc
            raise
        finally:
            if pos:
                del buf[:pos]
                self._offset += pos
        return out

    def truncated(self) -> str | None:
        """At EOF: a description of the incomplete frame left over, or None when the stream ended cleanly."""
        if not self._buf:
            return None
        head = bytes(self._buf[:3])
        if len(head) < 3:
            return f"AudioSocket: stream ended inside a frame header at byte {self._offset} ({len(head)} of 3 bytes)"
        kind, length = HEADER.unpack(head)
        return (f"AudioSocket: stream ended inside a {TYPE_NAMES.get(kind, hex(kind))} frame at byte "
                f"{self._offset} ({len(self._buf) - 3} of {length} payload bytes)")


# -- encoders ------------------------------------------------------------------------------------

def encode(kind: int, payload: bytes = b"") -> bytes:
    if kind not in KNOWN_TYPES:
        raise ValueError(f"AudioSocket: cannot encode unknown frame type 0x{kind:02x}")
    if len(payload) > 0xFFFF:
        raise ValueError(f"AudioSocket: payload of {len(payload)} bytes does not fit a frame (max 65535)")
    return HEADER.pack(kind, len(payload)) + payload


def encode_hangup() -> bytes:
    return b"\x00\x00\x00"


def encode_uuid(value: str | _uuid.UUID) -> bytes:
    u = value if isinstance(value, _uuid.UUID) else _uuid.UUID(str(value))
    return encode(UUID, u.bytes)


def encode_dtmf(digit: str) -> bytes:
    """Only Asterisk sends these (and the Asterisk double); Asterisk rejects a DTMF frame from us."""
    if len(digit) != 1 or digit not in DTMF_DIGITS:
        raise ValueError(f"AudioSocket: {digit!r} is not one DTMF digit (0-9 * # A-D)")
    return encode(DTMF, digit.encode("ascii"))


def encode_audio(pcm: bytes, sample_rate: int = 8000) -> bytes:
    kind = AUDIO_TYPES.get(sample_rate)
    if kind is None:
        raise ValueError(f"AudioSocket: no frame type for {sample_rate} Hz (have {sorted(AUDIO_TYPES)})")
    return encode(kind, pcm)


def encode_frame(frame: Frame) -> bytes:
    return encode(frame.kind, frame.payload)


# -- G.711 mu-law (a channel dialled without c(slin) sends it under type 0x10) -----------------------

def _ulaw_to_linear(u: int) -> int:
    u = ~u & 0xFF
    t = ((u & 0x0F) << 3) + 0x84
    t <<= (u & 0x70) >> 4
    return (0x84 - t) if (u & 0x80) else (t - 0x84)


ULAW_TABLE: tuple[int, ...] = tuple(_ulaw_to_linear(i) for i in range(256))
_ULAW_PCM = [struct.pack("<h", v) for v in ULAW_TABLE]


def ulaw_to_slin(data: bytes) -> bytes:
    """G.711 mu-law bytes -> signed 16-bit little-endian PCM (twice as long)."""
    table = _ULAW_PCM
    return b"".join(table[b] for b in data)
