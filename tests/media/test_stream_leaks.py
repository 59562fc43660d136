"""1,000 calls through MediaChannel's listening loop (speech, keys, silence, hang-ups mid-prompt and
mid-answer): no task, stream or leg is left behind."""
from __future__ import annotations

import asyncio
import gc
import weakref

import numpy as np
import pytest

from callcenter.ivr.channel import CallerHungUp
from callcenter.media.channel import MediaChannel
from callcenter.media.playout import tone
from callcenter.media.testing import FakeLeg, InlineExecutor
from callcenter.speech.api import Recognition, RecognitionStream


class CountingStream(RecognitionStream):
    open = 0

    def __init__(self):
        CountingStream.open += 1
        self.done = False
        self.fed = 0

    def feed(self, pcm16):
        self.fed += len(pcm16)
        return "sales" if self.fed > 3200 else None

    def finish(self):
        if not self.done:
            self.done = True
            CountingStream.open -= 1
        return Recognition("sales", 0.9, matched="sales")

    def __del__(self):                      # dropped without finish (keys, hang-up): gives its decoder back
        if not self.done:
            CountingStream.open -= 1


class CountingRecognizer:
    def languages(self):
        return ["en-US"]

    def stream(self, language, sample_rate=8000, phrases=None):
        return CountingStream()


def voiced(seconds, rate=8000):
    t = np.arange(int(seconds * rate)) / rate
    x = 8000 * np.sin(2 * np.pi * 180 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return np.rint(x).astype("<i2").tobytes()


SPEECH = bytes(8000) + voiced(0.8) + bytes(16000)       # 0.5 s quiet, 0.8 s of a voice-like tone, 1 s quiet


@pytest.mark.parametrize("calls", [1000])
async def test_a_thousand_calls_leave_nothing_behind(calls):
    me = asyncio.current_task()
    before = {t for t in asyncio.all_tasks() if t is not me}
    rec, ex = CountingRecognizer(), InlineExecutor()
    legs = []
    outcomes = {"speech": 0, "dtmf": 0, "no_input": 0, "hangup": 0}
    for i in range(calls):
        kind = i % 5
        leg = FakeLeg(SPEECH if kind in (0, 3) else b"",
                      dtmf=[(0.3, "5")] if kind == 1 else (),
                      hangup_at={2: 0.4, 3: 1.0}.get(kind))
        legs.append(weakref.ref(leg))
        ch = MediaChannel(leg, recognizer=rec, executor=ex)
        try:
            heard = await ch.listen(tone(440.0, 1.0, 8000), ["sales"], 1.0, "en-US")
            outcomes[heard.reason if heard.reason != "max_speech" else "speech"] += 1
        except CallerHungUp:
            outcomes["hangup"] += 1
        finally:
            await ch.close()
        del ch, leg
    gc.collect()
    await asyncio.sleep(0)
    assert outcomes == {"speech": 200, "dtmf": 200, "no_input": 200, "hangup": 400}, outcomes
    assert {t for t in asyncio.all_tasks() if t is not me} - before == set()
    assert CountingStream.open == 0                       # every stream finished or released
    assert sum(1 for r in legs if r() is not None) == 0   # no leg kept alive
