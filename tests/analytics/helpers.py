"""Transcripts and audio written by hand for the pure-core tests."""
from __future__ import annotations

import numpy as np

from callcenter.analytics.acoustics import SideAudio
from callcenter.analytics.conversation import Transcript, Word


def words(side: str, start: float, text: str, step: float = 0.4) -> list[Word]:
    """``text``'s words on ``side``, one every ``step`` seconds from ``start``."""
    return [Word(side, start + i * step, start + i * step + step * 0.8, w) for i, w in enumerate(text.split())]


def transcript(*lines: tuple[str, float, str], language: str = "en-US", duration: float = 60.0) -> Transcript:
    ws = []
    for side, start, text in lines:
        ws += words(side, start, text)
    return Transcript(language, duration, ws, "test")


def side_audio(spans: list[tuple[float, float]], duration: float, rate: int = 8000, level: float = 3000.0,
               freq: float = 150.0, loud: list[tuple[float, float, float]] = ()) -> SideAudio:
    """A channel with a tone during ``spans`` (speech) and faint noise elsewhere; ``loud``: (start, end,
    gain) stretches said louder and higher."""
    n = int(duration * rate)
    t = np.arange(n) / rate
    x = np.random.default_rng(1).normal(0, 20, n)
    for a, b in spans:
        i, j = int(a * rate), int(b * rate)
        x[i:j] += level * np.sin(2 * np.pi * freq * t[i:j])
    for a, b, gain in loud:
        i, j = int(a * rate), int(b * rate)
        x[i:j] = np.random.default_rng(2).normal(0, 20, j - i) + level * gain * np.sin(2 * np.pi * freq * 1.4 * t[i:j])
    return SideAudio.from_samples(np.clip(x, -32768, 32767).astype(np.int16), rate)
