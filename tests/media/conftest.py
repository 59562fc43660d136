"""Media test fixtures: telephone-band caller answers made with espeak-ng and sox (``bench/speech_corpus.py``)
(pocketsphinx's English model, ``sphinx``, comes from ``tests/conftest.py``: one load for the run)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

EN_MENU = ["billing", "technical support", "sales", "opening hours"]


def telephone_speech(text: str, voice: str = "en-us", *, lead: float = 0.4, trail: float = 1.5,
                     noise: str = "none", snr_db: float = 99.0, seed: int = 0, rate: int = 160) -> np.ndarray:
    """int16 8 kHz: ``lead`` s of line noise, ``text`` said by espeak-ng, ``trail`` s of line noise,
    through a telephone line (300-3400 Hz, G.711 mu-law)."""
    corpus = pytest.importorskip("speech_corpus")
    if not (corpus.ESPEAK and corpus.SOX):
        pytest.skip("espeak-ng and sox are needed to make telephone answers")
    return corpus.render(corpus.Clip(text, voice, rate, noise=noise, snr_db=snr_db, seed=seed, lead=lead,
                                     trail=trail), "en")


def speech_span(x: np.ndarray, rate: int = 8000, rel_db: float = -30.0) -> tuple[float, float]:
    """(onset, end) in seconds of the loud part of a clip (10 ms frames within ``rel_db`` of the loudest)."""
    f = rate // 100
    n = len(x) // f
    e = np.sqrt((x[: n * f].astype(np.float64).reshape(n, f) ** 2).mean(axis=1))
    loud = np.nonzero(e > e.max() * 10 ** (rel_db / 20))[0]
    return loud[0] * 0.01, (loud[-1] + 1) * 0.01


@pytest.fixture(scope="session")
def answers():
    """answers(text, **kw) -> (int16 samples, onset s, end s), cached per session."""
    made: dict = {}

    def make(text: str, **kw):
        key = (text, tuple(sorted(kw.items())))
        if key not in made:
            x = telephone_speech(text, **kw)
            made[key] = (x, *speech_span(x))
        return made[key]

    return make


