"""media.speech_mode: stream end to end against the Asterisk double: FastAGI, EXEC AudioSocket as
captured, the caller's speech as AudioSocket audio, the answer decided live; then AGI goes on."""
from __future__ import annotations

import wave

import numpy as np
import pytest

from callcenter.asterisk.service import AsteriskService
from callcenter.clock import FakeClock
from callcenter.events import EventBus
from callcenter.ivr.channel import Prompt
from tests.asterisk.helpers import make_config
from tests.asterisk_double import AsteriskDouble, Caller, Say

from .conftest import EN_MENU


@pytest.fixture
async def double():
    d = AsteriskDouble(time_scale=0.01)
    await d.start()
    yield d
    await d.stop()
    assert not d.errors, d.errors


def write_wav(path, x):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(np.asarray(x, dtype="<i2").tobytes())
    return path


async def test_a_menu_answer_over_audiosocket(tmp_path, double, answers, sphinx):
    x, _, _ = answers("opening hours", lead=0.3)
    wav = write_wav(tmp_path / "answer.wav", x)
    cfg = make_config(tmp_path, double, CALLCENTER_MEDIA__SPEECH_MODE="stream",
                      CALLCENTER_MEDIA__AUDIOSOCKET_ENABLED="true", CALLCENTER_MEDIA__AUDIOSOCKET_BIND="127.0.0.1:0")
    svc = AsteriskService(cfg, EventBus(), FakeClock(), recognizer=sphinx)
    await svc.start()
    out = {}

    async def h(ch):
        await ch.answer()
        out["r"] = await ch.recognize([Prompt("silence", "0.2")], EN_MENU, 5.0)
        await ch.play([Prompt("file", "beep")])          # the caller is still there: AGI goes on
    caller = Caller(script=[Say(wav)])
    try:
        svc.route(caller.path, h, channel=True)
        await double.call(caller, svc.agi.bound_port, timeout=30)
    finally:
        await svc.stop()
    assert out["r"].matched == "opening hours", out
    verbs = caller.verbs()
    assert "RECORD FILE" not in verbs and verbs.count("EXEC") >= 1 and "STREAM FILE" in verbs
    assert svc.streaming.stats == {"streamed": 1, "file_path": 0}
