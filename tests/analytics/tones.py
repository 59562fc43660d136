"""Cheap stand-ins for speech in service tests: tone bursts on the two channels of a stereo WAV, and a word
recognizer that "hears" a phrase from each burst's pitch. The real segmentation, timing, store and bus
code runs; only the recognizer is a stand-in (the real ones run in test_synthesized_calls.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .callgen import wav_stereo

RATE = 8000
PHRASES = {300: "thank you for calling", 400: "what is your account number", 500: "i will call my lawyer",
           600: "this is terrible", 700: "anything else goodbye"}


def tone_call(path: Path, bursts: list[tuple[str, float, float, int]], duration: float) -> Path:
    """``bursts``: (side, start, end, frequency in PHRASES)."""
    n = int(duration * RATE)
    x = np.random.default_rng(0).normal(0, 20, (n, 2))
    t = np.arange(n) / RATE
    for side, a, b, f in bursts:
        i, j = int(a * RATE), int(b * RATE)
        x[i:j, 0 if side == "caller" else 1] += 4000 * np.sin(2 * np.pi * f * t[i:j])
    path.write_bytes(wav_stereo(np.clip(np.rint(x), -32768, 32767).astype(np.int16)))
    return path


class ToneWords:
    name = "tones"

    def words(self, samples: np.ndarray, language: str) -> list[tuple[float, float, str, float]]:
        x = np.asarray(samples, dtype=np.float64)
        spec = np.abs(np.fft.rfft(x))
        freq = np.fft.rfftfreq(len(x), 1 / 16000)[int(np.argmax(spec))]
        phrase = PHRASES[min(PHRASES, key=lambda f: abs(f - freq))].split()
        dur = len(x) / 16000
        step = (dur - 0.4) / len(phrase)
        return [(0.2 + i * step, 0.2 + (i + 1) * step, w, 0.9) for i, w in enumerate(phrase)]
