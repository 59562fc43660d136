"""End-to-end fixtures: the whole server against the Asterisk double (:mod:`tests.e2e.center`; the double
and the session's speech service come from ``tests/conftest.py``), spoken answers made with espeak-ng.

``center`` gives a running :class:`~tests.e2e.center.Center`.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .center import running_center


@pytest.fixture(scope="session")
def speech_wavs(tmp_path_factory, speech_service) -> dict[str, Path]:
    """Spoken answers as 8 kHz WAV files (espeak-ng + sox, both installed by scripts/install.sh).
    espeak-ng renderings vary; we keep, for each word, the first rendering the recognizer understands
    with the test flow's phrases (recognition quality is not what these tests are about)."""
    if not shutil.which("espeak-ng") or not shutil.which("sox"):
        pytest.skip("espeak-ng and sox are needed to make the spoken answers")
    phrases = ["billing", "invoice", "technical", "technical support", "sales"]
    d = tmp_path_factory.mktemp("wavs")
    out = {}
    for word in ("billing", "sales"):
        for n, (voice, speed) in enumerate([(v, s) for s in (150, 130, 170, 120) for v in ("en-us", "en")]):
            raw, wav = d / f"{word}-{n}-raw.wav", d / f"{word}-{n}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), word], check=True,
                           capture_output=True)
            subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(wav)], check=True,
                           capture_output=True)
            ok = all(speech_service.recognizer.recognize_file_sync(wav, "en-US", phrases).matched == word
                     for _ in range(3))
            if ok:
                out[word] = wav
                break
        else:
            pytest.skip(f"no espeak-ng rendering of {word!r} is recognized here")
    return out


@pytest.fixture
async def center(tmp_path, double, speech_service):
    async with running_center(tmp_path, double, speech_service) as c:
        yield c
