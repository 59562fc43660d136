"""Voice activity detection: line noise and faint background talk never start an answer; a caller does."""
from __future__ import annotations

import numpy as np
import pytest

from callcenter.media.endpoint import EndpointConfig, Endpointer, SpeechEnded, SpeechPaused, SpeechResumed, SpeechStarted
from callcenter.media.testing import line_noise
from callcenter.media.vad import Vad, VadConfig, level_db

from .conftest import telephone_speech


def frames(x):
    b = np.asarray(x, dtype="<i2").tobytes() if not isinstance(x, bytes) else x
    return [b[i:i + 320] for i in range(0, len(b) - 319, 320)]


def verdicts(x, cfg=VadConfig()):
    v = Vad(8000, cfg)
    return [v.is_speech(f) for f in frames(x)]


def longest_run(flags):
    best = cur = 0
    for f in flags:
        cur = cur + 1 if f else 0
        best = max(best, cur)
    return best * 20


def starts(x, cfg=VadConfig()):
    v, ep = Vad(8000, cfg), Endpointer(EndpointConfig(no_input_s=1e9))
    out = []
    for i, f in enumerate(frames(x)):
        out += [e for e in ep.feed(v.is_speech(f), (i + 1) * 0.02)
                if not isinstance(e, (SpeechPaused, SpeechResumed))]   # pauses: the early decision's cue
    return out


def test_level_db():
    assert level_db(bytes(320)) == -96.0
    full = np.full(160, 32767, dtype="<i2").tobytes()
    assert abs(level_db(full)) < 0.01
    assert abs(level_db(line_noise(1.0, level_db=-40.0)) + 40) < 1.0


@pytest.mark.parametrize("db", [-66.0, -50.0, -40.0])
def test_line_noise_is_not_speech(db):
    assert longest_run(verdicts(line_noise(6.0, level_db=db, seed=3))) <= 40
    assert starts(line_noise(6.0, level_db=db, seed=3)) == []


@pytest.mark.parametrize("db", [-45.0, -40.0, -35.0])
def test_background_talk_alone_never_starts_an_answer(db):
    corpus = pytest.importorskip("speech_corpus")
    if not (corpus.ESPEAK and corpus.SOX):
        pytest.skip("espeak-ng and sox are needed")
    b = corpus.babble("en")[: 16000 * 6]
    y = b / np.sqrt(np.mean(b ** 2)) * 10 ** (db / 20) + np.random.default_rng(1).normal(0, 10 ** (-66 / 20), len(b))
    x = corpus.telephone(y)
    webrtc_only = verdicts(x, VadConfig(gate_db=0.0, min_level_db=-96.0))
    assert np.mean(webrtc_only) > 0.5          # webrtcvad alone takes background talk for speech
    assert longest_run(verdicts(x)) < 120
    assert starts(x) == []


@pytest.mark.parametrize("text,voice,noise", [("billing", "en-us", "none"), ("opening hours", "en-gb+m3", "none"),
                                              ("technical support", "en-us+f2", "babble"),
                                              ("sales", "en-gb-x-rp+m2", "white")])
def test_a_caller_starts_and_ends_an_answer(text, voice, noise):
    x = telephone_speech(text, voice, lead=1.0, noise=noise, snr_db=20.0, seed=5)
    from .conftest import speech_span
    onset, end = speech_span(telephone_speech(text, voice, lead=1.0, seed=5))   # the same words, clean
    ev = starts(x)
    assert isinstance(ev[0], SpeechStarted) and isinstance(ev[1], SpeechEnded), ev
    assert onset - 0.05 <= ev[0].at <= onset + 0.1
    assert abs(ev[1].at - end) < 0.15


def test_vad_refuses_bad_settings():
    with pytest.raises(ValueError):
        Vad(11025)
    with pytest.raises(ValueError):
        Vad(8000, VadConfig(aggressiveness=4))
