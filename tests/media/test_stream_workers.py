"""Streaming speech with pocketsphinx in worker processes (speech.processes): a caller's answer is
decided by the worker's early decision, a caller hanging up mid-answer leaves no session in a worker,
and a worker killed mid-answer does not lose the call."""
from __future__ import annotations

import asyncio
import os
import signal
import time

import numpy as np
import pytest

from callcenter.ivr.channel import CallerHungUp
from callcenter.media.channel import MediaChannel
from callcenter.media.listen import ListenSettings
from callcenter.media.playout import tone
from callcenter.media.testing import FakeLeg

from .conftest import EN_MENU

pytest.importorskip("pocketsphinx")


@pytest.fixture(scope="module")
def workers():
    from callcenter.speech.procpool import ProcessRecognizer, RecognitionWorkers
    pool = RecognitionWorkers(2, warm_streams=1).start(wait=180)
    yield ProcessRecognizer(pool)
    pool.close()


def _early_used(rec) -> int:
    return sum(w["early_decisions_used"] for w in rec.pool.status())


async def _sessions_gone(rec, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while any(w["sessions"] for w in rec.pool.status()):
        assert time.monotonic() < end, rec.pool.status()
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("realtime", [False, True])
async def test_an_answer_is_decided_early_by_a_worker(workers, answers, realtime):
    """The caller pauses (speech_pause_ms), the worker decides on the answer so far; the end of the
    answer (the completetimeout or incompletetimeout later) collects that decision."""
    x, onset, end = answers("billing", lead=1.0)
    before = _early_used(workers)
    leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes(), realtime=realtime)
    ch = MediaChannel(leg, recognizer=workers)
    try:
        heard = await ch.listen(tone(440.0, 3.0, 8000), EN_MENU, 5.0, "en-US")
    finally:
        await ch.close()
    assert heard.reason == "speech" and heard.recognition.matched == "billing"
    assert heard.early and leg.stops
    assert _early_used(workers) == before + 1, (workers.pool.status(), heard)
    # the decision's time stamps (bench/media_bench.py's breakdown), in the order things happened
    st = heard.stamps
    order = ["prepare_sent", "prepare_in", "prepare_start", "prepare_done", "start", "done", "read", "resumed"]
    assert [st[k] for k in order] == sorted(st[k] for k in order), st
    assert st["prepare_sent"] <= st["sent"] <= st["in"] <= st["start"] and st["finish_called"] <= st["resumed"]
    if realtime:                           # the leg's clock is the loop's: the pause came before the end
        assert heard.speech_ended < heard.paused_at <= heard.endpoint_at <= st["finish_called"]
    await _sessions_gone(workers)


async def test_early_decision_off_gives_the_same_answer(workers, answers):
    x, _, _ = answers("technical support", lead=0.5)
    results = []
    for pause in (100, 0):
        settings = ListenSettings.from_media(type("M", (), {
            "speech_start_ms": 120, "speech_end_ms": 500, "speech_end_complete_ms": 160, "speech_pause_ms": pause,
            "max_speech_s": 12.0, "vad_aggressiveness": 2, "vad_gate_db": 15.0, "preroll_ms": 300})())
        leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes())
        ch = MediaChannel(leg, recognizer=workers, settings=settings)
        try:
            heard = await ch.listen(b"", EN_MENU, 5.0, "en-US")
        finally:
            await ch.close()
        results.append((heard.early, heard.recognition))
    assert results[0][0] and not results[1][0]
    assert results[0][1].matched == results[1][1].matched == "technical support", results


async def test_hanging_up_mid_answer_leaves_no_session(workers, answers):
    x, onset, end = answers("technical support", lead=0.5)
    for _ in range(5):
        leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes(), end_after=(onset + end) / 2)
        ch = MediaChannel(leg, recognizer=workers)
        with pytest.raises(CallerHungUp):
            await ch.listen(b"", EN_MENU, 5.0, "en-US")
        await ch.close()
    await _sessions_gone(workers)


async def test_a_worker_killed_mid_answer_does_not_lose_the_call(workers, answers):
    """kill -9 of the worker holding the caller's stream while the caller speaks: the stream moves to
    the other worker with its audio and the answer is still right; the pool restarts the worker."""
    x, onset, end = answers("opening hours", lead=1.0)
    leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes(), realtime=True)
    ch = MediaChannel(leg, recognizer=workers)
    killed: list[int] = []

    async def killer():
        while not killed:
            await asyncio.sleep(0.02)
            for w in list(workers.pool.workers):
                if w.sessions:
                    os.kill(w.pid, signal.SIGKILL)
                    killed.append(w.pid)
                    return
    k = asyncio.ensure_future(killer())
    try:
        heard = await ch.listen(b"", EN_MENU, 5.0, "en-US")
    finally:
        k.cancel()
        await ch.close()
    assert killed, "no stream session was seen in a worker"
    assert heard.recognition.matched == "opening hours"
    end_at = time.monotonic() + 180
    while not (all(w.alive and w.ready.is_set() for w in workers.pool.workers) and killed[0] not in workers.pool.pids()):
        assert time.monotonic() < end_at, "the killed worker was not restarted"
        await asyncio.sleep(0.1)
