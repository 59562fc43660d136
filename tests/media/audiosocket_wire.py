"""Read the AudioSocket captures (tests/fixtures/asterisk/audiosocket-*.txt, from Asterisk 22.10.1):
the frames each side sent, in order, with their times and what the payload summary says."""
from __future__ import annotations

import re
import uuid as _uuid
from dataclasses import dataclass
from pathlib import Path

from callcenter.media.audiosocket_codec import encode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk"
_FRAME = re.compile(r"^(\d+\.\d+) (?:as:)?(A>S|S>A) type=0x([0-9a-f]{2}) len=(\d+) ?(.*)$")


@dataclass
class WireFrame:
    t: float
    direction: str          # A>S (Asterisk -> server) or S>A
    kind: int
    length: int
    summary: str

    @property
    def ulaw(self) -> bool:
        return "u-law" in self.summary

    def payload(self) -> bytes:
        """The payload as far as the transcript tells: UUID and DTMF exactly; audio of the right length
        starting with the captured first bytes (the rest is silence of that encoding)."""
        if self.kind == 0x01:
            return _uuid.UUID(self.summary.split()[1]).bytes
        m = re.search(r"payload hex ([0-9a-f]+)", self.summary)
        if m:
            return bytes.fromhex(m.group(1))
        m = re.search(r"first=([0-9a-f]+)", self.summary)
        head = bytes.fromhex(m.group(1)) if m else b""
        fill = b"\xff" if self.ulaw else b"\x00"
        return (head + fill * self.length)[: self.length]

    def encode(self) -> bytes:
        return encode(self.kind, self.payload())


def frames(name: str, direction: str | None = None) -> list[WireFrame]:
    out = []
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        m = _FRAME.match(line)
        if m and (direction is None or m.group(2) == direction):
            out.append(WireFrame(float(m.group(1)), m.group(2), int(m.group(3), 16), int(m.group(4)), m.group(5)))
    return out


def bursts(fs: list[WireFrame]) -> list[bytes]:
    """Frames sent in the same millisecond as one write (as Asterisk's socket would deliver them)."""
    out: list[bytes] = []
    last = None
    for f in fs:
        if f.t == last:
            out[-1] += f.encode()
        else:
            out.append(f.encode())
        last = f.t
    return out


def agi_lines(name: str) -> list[tuple[str, str]]:
    """FastAGI lines of a multi-connection transcript: (``S>A`` | ``A>S``, text without the ``\\n``)."""
    out = []
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in ("agi:S>A", "agi:A>S"):
            out.append((parts[1][4:], parts[2].removesuffix("\\n")))
    return out
