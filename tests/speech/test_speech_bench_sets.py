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


def _row(expected, heard, phrase, margin, voice="en-us+f5", condition="clean", rate=150):
    menu = ["confirm", "cancel"]
    return {"lang": "en", "condition": condition, "menu": menu, "expected": expected,
            "clip": {"voice": voice, "rate": rate},
            "evidence": {"heard": heard, "phrase": phrase, "margin": margin, "free_text": "",
                         "speech_s": 0.5, "detail": [], "voiced": True}}


def test_the_failure_split_says_why_each_answer_failed_and_where():
    accuracy = pytest.importorskip("speech_accuracy")
    from callcenter.speech.menu import Calibration
    cal = Calibration(offset=10.0, scale=1.0)
    rows = [_row("confirm", "confirm", "confirm", 12.0),                    # right
            _row("confirm", "confirm", "confirm", 8.0),                     # its phrase, under the point
            _row("confirm", "cancel", "cancel", 12.0, voice="en-029+m4"),   # another phrase
            _row("cancel", "cancel", None, 12.0, voice="en-029+m4"),        # words, not a whole phrase
            _row("cancel", "", None, -50.0, voice="en-029+m4", rate=200),   # nothing heard
            _row(None, "confirm", "confirm", 12.0, condition="white 20 dB"),  # talk taken for a phrase
            _row(None, "cancel", "cancel", 3.0, condition="white 20 dB")]     # talk rejected
    kinds = [accuracy.failure_kind(r, cal) for r in rows]
    assert kinds == [None, "under threshold", "wrong phrase", "partial", "nothing", "accepted", None]
    by_voice = accuracy.failure_split(rows, cal, "voice")
    assert by_voice[0][0] == "en-029+m4" and by_voice[0][1:3] == (3, 0)
    assert by_voice[0][3] == {"under threshold": 0, "wrong phrase": 1, "partial": 1, "nothing": 1, "accepted": 0}
    by_condition = dict((g[0], g[3]) for g in accuracy.failure_split(rows, cal, "condition"))
    assert by_condition["white 20 dB"]["accepted"] == 1 and by_condition["clean"]["under threshold"] == 1
    assert [g[0] for g in accuracy.failure_split(rows, cal, "rate")] == ["150", "200"]
