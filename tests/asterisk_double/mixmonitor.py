"""MixMonitor in the double: the AMI actions ``MixMonitor``, ``StopMixMonitor`` and ``MixMonitorMute``
answered as Asterisk 22.10.1 does, and the recording file written when the recording ends.

As captured (``tests/fixtures/asterisk/bridge-mixmonitor-*.txt``): ``MixMonitor`` answers
``Response: Success`` with no Message and no MixMonitorID, sets ``MIXMONITOR_FILENAME`` (VarSet) and
raises ``MixMonitorStart``; ``StopMixMonitor`` answers Success and raises ``MixMonitorStop``; when the
channel hangs up without StopMixMonitor there is **no** MixMonitorStop, the file is just closed.
``Options: D`` writes a header-less ``.raw`` of interleaved 2-channel s16le at 8 kHz: left = audio read
from the monitored channel (the caller), right = audio written to it (the agent); ``r(file)`` /
``t(file)`` write mono 8 kHz WAVs of each direction. ``MixMonitorMute``: the event as captured live
(``live-cc-mixmonitor-pause.txt``: channel fields, then ``Direction``, ``State``), the response and its
errors as ``apps/app_mixmonitor.c`` of 22.10.1 words them; the muted directions are silent in the
file (the live recording shows the gap silent on both channels).

The double's "voices": the caller is a 440 Hz tone, the agent a 1000 Hz tone, both at amplitude 4000,
so a test can tell the channels apart; a muted stretch is digital silence. The audio lasts the
recording's wall-clock time divided by ``time_scale`` (at most ``MAX_SECONDS``).
"""
from __future__ import annotations

import math
import re
import time
import wave
from array import array
from dataclasses import dataclass, field
from pathlib import Path

RATE = 8000
CALLER_HZ, AGENT_HZ, AMPLITUDE = 440.0, 1000.0, 4000
MAX_SECONDS = 120.0


@dataclass
class Recording:
    channel: str
    file: Path | None                 # host path of the mixed / interleaved file (None: r()/t() only)
    interleaved: bool
    read_file: Path | None
    write_file: Path | None
    started: float
    mutes: list[tuple[float, float | None, str]] = field(default_factory=list)   # (from, to, direction)
    written: bool = False

    def muted(self, t: float, direction: str) -> bool:
        return any(a <= t < (b if b is not None else math.inf) and d in (direction, "both")
                   for a, b, d in self.mutes)


def parse_options(options: str) -> tuple[bool, str | None, str | None]:
    """(interleaved D, r(file), t(file)) of a MixMonitor ``Options`` value."""
    r = re.search(r"r\(([^)]*)\)", options)
    t = re.search(r"t\(([^)]*)\)", options)
    rest = re.sub(r"[rt]\([^)]*\)", "", options)
    return "D" in rest, r.group(1) if r else None, t.group(1) if t else None


def write_recording(rec: Recording, seconds: float) -> None:
    """Write the files of ``rec`` holding ``seconds`` of audio."""
    n = int(min(seconds, MAX_SECONDS) * RATE)
    left, right = array("h", bytes(2 * n)), array("h", bytes(2 * n))
    for i in range(n):
        t = i / RATE
        if not rec.muted(t, "read"):
            left[i] = int(AMPLITUDE * math.sin(2 * math.pi * CALLER_HZ * t))
        if not rec.muted(t, "write"):
            right[i] = int(AMPLITUDE * math.sin(2 * math.pi * AGENT_HZ * t))
    if rec.file is not None:
        rec.file.parent.mkdir(parents=True, exist_ok=True)
        if rec.interleaved:
            both = array("h", bytes(4 * n))
            both[0::2], both[1::2] = left, right
            rec.file.write_bytes(both.tobytes())
        else:
            mixed = array("h", (max(-32768, min(32767, a + b)) for a, b in zip(left, right)))
            _wav(rec.file, mixed)
    if rec.read_file is not None:
        _wav(rec.read_file, left)
    if rec.write_file is not None:
        _wav(rec.write_file, right)
    rec.written = True


def _wav(path: Path, samples: array) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())


class MixMonitorActions:
    """Mixed into :class:`AsteriskDouble` (which has ``model``, ``host_path``, ``time_scale``)."""

    recordings: list[Recording]

    def _recording_seconds(self, rec: Recording) -> float:
        return (time.monotonic() - rec.started) / (self.time_scale or 1.0)

    def _end_recording(self, rec: Recording) -> None:
        if rec.written:
            return
        now = self._recording_seconds(rec)
        rec.mutes = [(a, b if b is not None else now, d) for a, b, d in rec.mutes]
        write_recording(rec, now)

    async def _a_mixmonitor(self, conn, m, head, reply) -> None:
        ch = self.model.by_name(m.get("Channel") or "")
        if ch is None:
            reply("Error", ("Message", "No such channel"))
            return
        interleaved, r_file, t_file = parse_options(m.get("Options") or "")
        name = m.get("File") or ""
        rec = Recording(ch.name, self.host_path(name) if name else None, interleaved,
                        self.host_path(r_file) if r_file else None, self.host_path(t_file) if t_file else None,
                        time.monotonic())
        self.recordings.append(rec)
        self.mixmonitors["0x" + format(id(rec), "x")[-12:]] = ch.name
        reply("Success")            # 22.10.1: no MixMonitorID, no Message (bridge-mixmonitor-*.txt)
        self.model._emit("VarSet", ch.fields() + [("Variable", "MIXMONITOR_FILENAME"), ("Value", name)],
                         privilege="dialplan,all")
        self.model._emit("MixMonitorStart", ch.fields())
        # no StopMixMonitor: the file is closed when the channel hangs up (no MixMonitorStop event)
        ch.on_hangup.append(lambda _c, rec=rec: self._end_recording(rec))

    async def _a_stopmixmonitor(self, conn, m, head, reply) -> None:
        ch = self.model.by_name(m.get("Channel") or "")
        if ch is None:
            reply("Error", ("Message", "No such channel"))
            return
        stopped = False
        for k, v in list(self.mixmonitors.items()):
            if v == ch.name and (not m.get("MixMonitorID") or m.get("MixMonitorID") == k):
                del self.mixmonitors[k]
                stopped = True
        for rec in self.recordings:
            if rec.channel == ch.name and not rec.written:
                self._end_recording(rec)
        reply("Success")
        if stopped:
            self.model._emit("MixMonitorStop", ch.fields())

    async def _a_mixmonitormute(self, conn, m, head, reply) -> None:
        direction = (m.get("Direction") or "").lower()
        if not direction:
            reply("Error", ("Message", "No direction specified. Must be read, write or both"))
            return
        if direction not in ("read", "write", "both"):
            reply("Error", ("Message", "Invalid direction specified. Must be read, write or both"))
            return
        if not m.get("Channel"):
            reply("Error", ("Message", "No channel specified"))
            return
        if not m.get("State"):
            reply("Error", ("Message", "No state specified"))
            return
        ch = self.model.by_name(m.get("Channel") or "")
        if ch is None:
            reply("Error", ("Message", "No such channel"))
            return
        on = (m.get("State") or "").lower() in ("1", "yes", "true", "on")
        for rec in self.recordings:
            if rec.channel == ch.name and not rec.written:
                t = self._recording_seconds(rec)
                if on:
                    rec.mutes.append((t, None, direction))
                else:
                    rec.mutes = [(a, t if b is None else b, d) for a, b, d in rec.mutes]
        self.model._emit("MixMonitorMute", ch.fields() + [("Direction", direction), ("State", "1" if on else "0")])
        reply("Success")
