"""Voice activity detection on 20 ms frames of a live leg (pure: no I/O, no clock).

A frame is speech when both say so:

* **webrtcvad** (Google's WebRTC detector, PyPI ``webrtcvad-wheels``): a GMM on spectral features,
  good at telling voice from steady noise, but eager: any voice counts, including background talk far
  below the caller, and some bursts of line noise;
* an **energy gate** over an **adaptive noise floor**: the frame's level (dBFS) must be at least
  ``gate_db`` above the floor and above ``min_level_db``. The floor follows the level of the frames
  that are not speech (an exponential average in dB, ~0.4 s time constant) and drifts up slowly under
  frames that are (1 dB/s): a line whose noise or background chatter gets louder raises the floor
  within seconds, while a caller's speech (loud, with pauses) does not.

Measured on telephone-band audio (espeak-ng, sox; ``tests/media/test_stream_vad.py``): webrtcvad
alone (mode 2) calls 75-84 % of the frames of background talk (four voices at -45..-35 dBFS, no
caller) speech, in runs of up to 2 s, and 1 % of line hiss; with the 15 dB gate the longest run of
background talk is 80 ms (a 12 dB gate let 260 ms through, 18 dB cut nothing more of it), shorter
than the 120 ms that start an answer, while the callers' words keep runs of 340-880 ms.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .leg import FRAME_MS, frame_bytes

#: level given to digital silence (all zeros)
SILENCE_DB = -96.0


def level_db(pcm: bytes) -> float:
    """RMS level of 16-bit PCM in dB relative to full scale."""
    x = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    if not len(x):
        return SILENCE_DB
    ms = float(np.mean(x * x))
    if ms <= 0.0:
        return SILENCE_DB
    return max(SILENCE_DB, 10.0 * math.log10(ms / (32768.0 * 32768.0)))


@dataclass(frozen=True)
class VadConfig:
    aggressiveness: int = 2       # webrtcvad mode 0..3
    gate_db: float = 15.0         # above the noise floor
    min_level_db: float = -55.0   # absolute: quieter frames are never speech
    floor_alpha: float = 0.05     # per non-speech frame (time constant ~ 20 frames = 0.4 s)
    floor_rise_db: float = 0.02   # per speech frame (1 dB/s)
    floor_fall: float = 0.3       # per frame quieter than the floor (the share of the gap it closes)
    initial_floor_db: float = -70.0


class Vad:
    """Per-leg detector: ``is_speech(frame)`` for consecutive 20 ms frames (the floor has memory)."""

    def __init__(self, sample_rate: int = 8000, config: VadConfig | None = None):
        import webrtcvad
        self.config = config or VadConfig()
        if not 0 <= self.config.aggressiveness <= 3:
            raise ValueError(f"VAD aggressiveness must be 0..3, got {self.config.aggressiveness}")
        if sample_rate not in (8000, 16000, 32000, 48000):
            raise ValueError(f"VAD: unsupported sample rate {sample_rate} (8000, 16000, 32000, 48000)")
        self.sample_rate = sample_rate
        self._vad = webrtcvad.Vad(self.config.aggressiveness)
        self._frame = frame_bytes(sample_rate, FRAME_MS)
        self.floor_db = self.config.initial_floor_db
        self._seen = 0
        self.last_level_db = SILENCE_DB
        self.last_voice = False       # webrtcvad's own verdict on the last frame (for measurements)

    def is_speech(self, pcm: bytes) -> bool:
        """One frame of ``sample_rate`` PCM (20 ms; shorter frames are padded, longer ones cut)."""
        if len(pcm) != self._frame:
            pcm = (pcm + bytes(self._frame))[: self._frame]
        c = self.config
        lvl = level_db(pcm)
        self.last_level_db = lvl
        loud = lvl >= c.min_level_db and lvl >= self.floor_db + c.gate_db
        voice = self._vad.is_speech(pcm, self.sample_rate) if lvl > SILENCE_DB else False
        self.last_voice = voice
        speech = loud and voice
        self._track_floor(lvl, loud)
        return speech

    def _track_floor(self, lvl: float, loud: bool) -> None:
        c = self.config
        self._seen += 1
        if self._seen == 1:
            self.floor_db = min(lvl, self.config.initial_floor_db) if lvl <= SILENCE_DB else lvl
            return
        if lvl < self.floor_db:
            # quieter than the floor: follow quickly (the floor is the noise, never above it for long)
            self.floor_db += c.floor_fall * (lvl - self.floor_db)
        elif not loud:
            self.floor_db += c.floor_alpha * (lvl - self.floor_db)
        else:
            self.floor_db += c.floor_rise_db
