"""Two-party test calls made with espeak-ng: a caller voice on the left channel and an agent voice on the
right one of an 8 kHz 16-bit stereo WAV, like the recording policy writes (also used by
bench/analytics_bench.py).

A call is a script of lines ``Line(side, text, at)``: ``at`` is when the line starts (seconds), or None
to follow the previous line after ``gap`` seconds. A line can be said louder / higher (``gain_db``,
``pitch``: espeak-ng's 0-99, 50 is normal) to sound upset. Low line noise runs under both channels.
Everything is deterministic for a given script (same espeak-ng, same bytes).
"""
from __future__ import annotations

import io
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from callcenter.speech.audio import parse_wav, resample

ESPEAK = shutil.which("espeak-ng")
RATE = 8000


@dataclass(frozen=True)
class Line:
    side: str                 # caller | agent
    text: str
    at: float | None = None   # start time (s); None: after the previous line + gap
    gain_db: float = 0.0
    pitch: int = 50
    gap: float = 0.6


@dataclass(frozen=True)
class Placed:
    side: str
    text: str
    start: float
    end: float


def say(text: str, voice: str, speed: int = 150, pitch: int = 50) -> np.ndarray:
    if not ESPEAK:
        raise RuntimeError("espeak-ng is not installed (Debian package espeak-ng)")
    out = subprocess.run([ESPEAK, "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", "--stdin"],
                         input=text.encode(), capture_output=True, check=True).stdout
    data = bytearray(out)          # espeak-ng writing to a pipe leaves the RIFF sizes unset
    data[4:8] = (len(data) - 8).to_bytes(4, "little")
    i = data.find(b"data", 12)
    data[i + 4:i + 8] = (len(data) - i - 8).to_bytes(4, "little")
    x, src = parse_wav(bytes(data))
    return resample(x, src, RATE)


def render(script: Sequence[Line], voices: dict[str, str], speed: int = 150, tail: float = 1.0,
           seed: int = 0) -> tuple[np.ndarray, list[Placed]]:
    """int16 array (n, 2): caller left, agent right; and where each line landed."""
    clips, placed, t = [], [], 0.3
    for line in script:
        x = say(line.text, voices[line.side], speed, line.pitch).astype(np.float64) * 10 ** (line.gain_db / 20)
        start = line.at if line.at is not None else t + line.gap
        clips.append((line.side, start, x))
        placed.append(Placed(line.side, line.text, start, start + len(x) / RATE))
        t = start + len(x) / RATE
    n = int((max(p.end for p in placed) + tail) * RATE)
    rng = np.random.default_rng(seed)
    out = rng.normal(0, 20, (n, 2))
    for side, start, x in clips:
        ch = 0 if side == "caller" else 1
        i = int(start * RATE)
        out[i:i + len(x), ch] += x[: n - i]
    return np.clip(np.rint(out), -32768, 32767).astype(np.int16), placed


def wav_stereo(samples: np.ndarray, rate: int = RATE) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return buf.getvalue()


def write_call(path: Path, script: Sequence[Line], voices: dict[str, str], **kw) -> list[Placed]:
    samples, placed = render(script, voices, **kw)
    path.write_bytes(wav_stereo(samples))
    return placed
