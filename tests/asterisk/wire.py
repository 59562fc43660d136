"""Read the Asterisk wire transcripts (copies in tests/fixtures/asterisk/, captured from Asterisk 22.10.1)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk"
_LINE = re.compile(r"^(\d+\.\d+) (A>C|C>A|A>S|S>A) (.*)$")


def unescape(text: str) -> bytes:
    out = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "rnt\\":
                out += {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}[nxt]
                i += 2
                continue
            if nxt == "x":
                out.append(int(text[i + 2:i + 4], 16))
                i += 4
                continue
        out += ch.encode("utf-8")
        i += 1
    return bytes(out)


@dataclass
class Segment:
    """One connection/session of a transcript: its lines per direction, in order."""
    lines: list[tuple[str, bytes]] = field(default_factory=list)

    def stream(self, direction: str) -> bytes:
        return b"".join(b for d, b in self.lines if d == direction)


def segments(name: str) -> list[Segment]:
    """Split a transcript at annotation lines that mark a new connection/session."""
    segs: list[Segment] = [Segment()]
    for raw in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        if raw.startswith("# FastAGI session") or re.match(r"^\d+\.\d+ --- EOF", raw):
            if segs[-1].lines:
                segs.append(Segment())
            continue
        m = _LINE.match(raw)
        if m:
            segs[-1].lines.append((m.group(2), unescape(m.group(3))))
    return [s for s in segs if s.lines]


def stream(name: str, direction: str) -> bytes:
    return b"".join(s.stream(direction) for s in segments(name))


AMI_FILES = sorted(p.name for p in FIXTURES.glob("ami-*.txt"))
AGI_FILES = sorted(p.name for p in FIXTURES.glob("agi-*.txt"))
