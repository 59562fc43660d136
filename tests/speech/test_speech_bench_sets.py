"""The accuracy benchmark's real-speech set (people's recordings from Debian's pocketsphinx-testdata,
``bench/speech_accuracy.py --set real``) and the front end's switch that its ``--baseline`` uses.

The recordings here are made up in a temporary folder laid out like the Debian package (the
package itself is not needed to run these tests).
"""
from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))


def _wav(path: Path, seconds: float = 0.5, rate: int = 16000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    x = (3000 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate)).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(x.tobytes())


def _test_data(root: Path) -> Path:
    (root / "cards").mkdir(parents=True)
    (root / "cards" / "cards.transcription").write_text(
        "<s> ten of clubs  </s> (001)\n<s> five five  </s> (004)\n")
    (root / "librivox").mkdir()
    (root / "librivox" / "transcription").write_text(
        "<s> he was not an ill disposed young man </s> (book-0880)\n")
    for name in ("cards/001.wav", "cards/004.wav", "librivox/book-0880.wav"):
        _wav(root / name)
    (root / "goforward.raw").write_bytes(np.zeros(8000, dtype="<i2").tobytes())
    return root


def test_real_set_puts_each_recording_to_its_own_menu_and_to_the_next_menu_as_talk(tmp_path, monkeypatch):
    accuracy = pytest.importorskip("speech_accuracy")
    base = _test_data(tmp_path / "data")
    menus = accuracy.real_menus(base)
    assert menus[0][0] == ("ten of clubs", "five five")
    assert menus[1][0] == ("he was not an ill disposed young man",)
    assert menus[2][0][0] == "go forward ten meters"
    monkeypatch.setattr(accuracy, "REAL_DIR", base)
    items = accuracy.items("real", "en")
    clean = [it for it in items if it.condition == "clean"]
    assert len(items) == 3 * len(clean)
    in_grammar = [(it.expected, it.menu) for it in clean if it.expected is not None]
    assert ("five five", ("ten of clubs", "five five")) in in_grammar and len(in_grammar) == 4
    talk = [(it.clip.text, it.menu) for it in clean if it.expected is None]
    # the audiobook said to the cards' menu, "go forward" to the audiobook's, the cards to the moves'
    assert ("he was not an ill disposed young man", menus[0][0]) in talk
    assert ("go forward ten meters", menus[1][0]) in talk and ("ten of clubs", menus[2][0]) in talk
    assert all(it.clip.voice.startswith("file:") for it in items)


def test_real_set_without_the_test_data_says_what_to_install(tmp_path):
    accuracy = pytest.importorskip("speech_accuracy")
    with pytest.raises(SystemExit, match="pocketsphinx-testdata"):
        accuracy.real_menus(tmp_path / "nothing")


def test_a_recording_is_read_at_the_corpus_rate_raw_files_as_16_khz(tmp_path):
    corpus = pytest.importorskip("speech_corpus")
    if not corpus.SOX:
        pytest.skip("sox is needed to read recordings")
    base = _test_data(tmp_path / "data")
    wav = corpus.synthesize("ten of clubs", f"file:{base / 'cards' / '001.wav'}", 0)
    assert abs(len(wav) - 0.5 * corpus.SPEECH_RATE) < 10 and 0.05 < np.max(np.abs(wav)) < 0.2
    raw = corpus.recording(str(base / "goforward.raw"))
    assert abs(len(raw) - 0.5 * corpus.SPEECH_RATE) < 10
    with pytest.raises(SystemExit, match="not there"):
        corpus.recording(str(base / "missing.wav"))


def test_the_menu_calibration_follows_the_speech_band_floor(monkeypatch):
    from callcenter.speech import menu, sphinx_backend
    rec = sphinx_backend.PocketsphinxRecognizer(workers=1)
    assert rec.calibration == menu.SPHINX_CALIBRATION
    monkeypatch.setattr(sphinx_backend, "SPEECH_FLOOR_DB", None)
    assert rec.calibration == menu.SPHINX_CALIBRATION_NO_FLOOR
