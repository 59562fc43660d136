"""pocketsphinx in worker processes (callcenter/speech/procpool.py, worker.py): the same answers as the
in-process decoder, a worker killed mid-answer, shutdown, and no process or session left behind."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import time

import numpy as np
import pytest

from callcenter.log import call_context
from callcenter.speech.audio import wav_bytes

from .conftest import espeak_samples

pytest.importorskip("pocketsphinx")

MENU = ["billing", "technical support", "sales", "opening hours"]


def _children() -> set[int]:
    """The pids of this process's live children (zombies excluded)."""
    out: set[int] = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        try:
            with open(f"/proc/{os.getpid()}/task/{task}/children") as fh:
                out |= {int(p) for p in fh.read().split()}
        except OSError:
            pass
    live = set()
    for pid in out:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split(")")[-1].split()[0] != "Z":
                    live.add(pid)
        except OSError:
            pass
    return live


def _wait(cond, timeout: float = 120.0, what: str = "condition") -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def pool():
    from callcenter.speech.procpool import RecognitionWorkers
    p = RecognitionWorkers(2, warm_streams=1).start(wait=180)
    assert all(w.ready.is_set() and w.error is None for w in p.workers)
    yield p
    p.close()


@pytest.fixture(scope="module")
def clips():
    return {"billing": espeak_samples("billing", "en-us"),
            "sales": espeak_samples("sales", "en-us", seed=1),
            "other": espeak_samples("just a minute please", "en-gb", seed=2),
            "silence": np.zeros(8000, dtype=np.int16)}


def _chunks(x: np.ndarray, n: int = 1600):
    pcm = np.asarray(x, dtype="<i2").tobytes()
    return [pcm[i: i + n] for i in range(0, len(pcm), n)]


def test_results_equal_the_in_process_decoder(pool, sphinx, clips, tmp_path):
    """Recorded answers (samples and files) and live streams fed the same chunks decide exactly as the
    in-process recognizer does on the same audio."""
    from callcenter.speech.procpool import ProcessRecognizer
    rec = ProcessRecognizer(pool)
    for name, x in clips.items():
        assert rec.recognize_samples(x, 8000, "en-US", MENU) == sphinx.recognize_samples(x, 8000, "en-US", MENU), name
        p = tmp_path / f"{name}.wav"
        p.write_bytes(wav_bytes(x, 8000))
        assert rec.recognize_file_sync(p, "en-US", MENU) == sphinx.recognize_file_sync(p, "en-US", MENU), name
        local, remote = sphinx.stream("en-US", 8000, MENU), rec.stream("en-US", 8000, MENU)
        for c in _chunks(x):
            local.feed(c)
            remote.feed(c)
        assert remote.finish() == local.finish(), name
    assert rec.recognize_samples(clips["billing"], 8000, "en-US", MENU).matched == "billing"
    assert rec.recognize_samples(clips["billing"], 8000, "en-US", None).text    # free speech too


async def test_early_decision_is_the_final_one(pool, sphinx, clips):
    """prepare() while the caller is silent decides on the answer so far; finish() with no more audio
    returns that very decision (counted by the worker), the same as without it."""
    from callcenter.speech.procpool import ProcessRecognizer
    rec = ProcessRecognizer(pool)
    before = sum(w["early_decisions_used"] for w in pool.status())
    x = clips["billing"]
    s = rec.stream("en-US", 8000, MENU)
    parts = _chunks(x)
    partials = [await s.afeed(c) for c in parts[:-1]]
    s.prepare(parts[-1])
    early = await s.afinish()
    local = sphinx.stream("en-US", 8000, MENU)
    for c in parts:
        local.feed(c)
    assert early == local.finish()
    assert early.matched == "billing" and "billing" in partials
    assert sum(w["early_decisions_used"] for w in pool.status()) == before + 1
    # audio after the early decision: decided again on the whole answer
    s2 = rec.stream("en-US", 8000, MENU)
    for c in parts[:-2]:
        await s2.afeed(c)
    s2.prepare()
    late = await s2.afinish(b"".join(parts[-2:]))
    assert late == early
    assert sum(w["early_decisions_used"] for w in pool.status()) == before + 1


async def test_a_killed_worker_loses_no_answer(pool, clips, caplog):
    """kill -9 of the worker holding a file answer and of the one holding a live stream: the answer
    is retried on the other worker (the stream re-opened with its audio), both right; the pool
    restarts the dead worker (new pid) and logs which one died."""
    from callcenter.speech.procpool import ProcessRecognizer
    rec = ProcessRecognizer(pool)
    caplog.set_level(logging.WARNING, logger="callcenter.speech.workers")
    x = clips["billing"]
    s = rec.stream("en-US", 8000, MENU)
    parts = _chunks(x)
    for c in parts[: len(parts) // 2]:
        await s.afeed(c)
    victim = s.worker
    os.kill(victim.pid, signal.SIGSTOP)                  # the next request waits in its pipe...
    pending = asyncio.ensure_future(s.afeed(parts[len(parts) // 2]))
    await asyncio.sleep(0.2)
    assert not pending.done()
    os.kill(victim.pid, signal.SIGKILL)                  # ...and the worker dies with it
    await pending
    assert s.worker is not victim
    for c in parts[len(parts) // 2 + 1:]:
        await s.afeed(c)
    assert (await s.afinish()).matched == "billing"
    assert f"speech worker {victim.index} (pid {victim.pid})" in caplog.text
    _wait(lambda: all(w.alive and w.ready.is_set() for w in pool.workers) and victim.pid not in pool.pids(),
          what="the dead worker's restart")
    assert pool.restarts >= 1
    # a recorded answer whose worker dies: retried once on the other
    w0 = pool.workers[0]
    os.kill(w0.pid, signal.SIGSTOP)
    futs = [pool.call("recognize_samples", x, 8000, "en-US", MENU) for _ in range(2)]
    await asyncio.sleep(0.2)
    os.kill(w0.pid, signal.SIGKILL)
    results = [await asyncio.wrap_future(f) for f in futs]
    assert [r.matched for r in results] == ["billing", "billing"]
    assert "retrying recognize_samples on another worker" in caplog.text
    _wait(lambda: all(w.alive and w.ready.is_set() for w in pool.workers), what="the second restart")


async def test_no_worker_left_is_no_match_naming_the_worker_and_the_call(clips, tmp_path, caplog):
    from callcenter.speech.procpool import ProcessRecognizer, RecognitionWorkers
    caplog.set_level(logging.ERROR, logger="callcenter.speech.workers")
    with RecognitionWorkers(1, warm_streams=0, restart=False) as one:
        one.wait_ready(180)
        rec = ProcessRecognizer(one)
        w = one.workers[0]
        p = tmp_path / "a.wav"
        p.write_bytes(wav_bytes(clips["billing"], 8000))
        os.kill(w.pid, signal.SIGSTOP)
        with call_context("call-77"):
            task = asyncio.ensure_future(rec.recognize_file(p, "en-US", MENU))
        await asyncio.sleep(0.2)
        os.kill(w.pid, signal.SIGKILL)
        r = await task
    assert r.no_match and r.matched is None and r.text == ""
    assert f"speech worker 0 (pid {w.pid})" in caplog.text and "call-77" in caplog.text
    assert w.pid not in _children()


async def test_many_sessions_leave_nothing_behind(pool, clips):
    """150 live sessions (finished, dropped mid-answer, abandoned without a word) leave no session in
    any worker and no process beside the pool's."""
    from callcenter.speech.procpool import ProcessRecognizer
    rec = ProcessRecognizer(pool)
    parts = _chunks(clips["sales"], 3200)

    async def session(i: int) -> None:
        s = rec.stream("en-US", 8000, MENU)
        if i % 3 == 0:
            for c in parts:
                await s.afeed(c)
            assert (await s.afinish()).text is not None
        elif i % 3 == 1:
            await s.afeed(parts[0])
            s.close()
        else:
            del s                                        # never fed: collected, the session dropped

    for batch in range(15):
        await asyncio.gather(*(session(batch * 10 + i) for i in range(10)))
    _wait(lambda: all(w["sessions"] == 0 for w in pool.status()), 60, "sessions to end")
    assert all(not w.sessions for w in pool.workers)
    assert set(pool.pids()) <= _children() and len(pool.pids()) == 2


def test_close_stops_even_a_stuck_worker():
    from callcenter.speech.procpool import RecognitionWorkers
    before = _children()
    p = RecognitionWorkers(2, warm_streams=0).start()
    pids = set(p.pids())
    assert pids <= _children()
    os.kill(p.pids()[0], signal.SIGSTOP)                 # cannot answer "quit": killed after the timeout
    p.close(timeout=1.0)
    assert not (pids & _children()) and _children() <= before
    p.close()                                            # idempotent


def test_speech_service_runs_pocketsphinx_in_processes(tmp_path):
    """speech.processes: 2 (the default) serves English from worker processes; close() stops them;
    speech.processes: 0 keeps the in-process recognizer."""
    from callcenter.config import load_config
    from callcenter.speech.procpool import ProcessRecognizer
    from callcenter.speech.recognizers import PocketsphinxRecognizer
    from callcenter.speech.service import SpeechService
    cfg = load_config(None, env={"CALLCENTER_DATA_DIR": str(tmp_path)})
    assert cfg.speech.processes == 2
    svc = SpeechService(cfg.speech)
    svc.start_sync(load=True)
    try:
        assert isinstance(svc.recognizer_for("en-US"), ProcessRecognizer)
        pids = svc.pool.pids()
        assert len(pids) == 2 and set(pids) <= _children()
        assert svc.pool.wait_ready(180)
        assert [w["ready"] for w in svc.status()["processes"]] == [True, True]
    finally:
        svc.close()
    assert not (set(pids) & _children())
    cfg0 = load_config(None, env={"CALLCENTER_DATA_DIR": str(tmp_path), "CALLCENTER_SPEECH__PROCESSES": "0"})
    svc0 = SpeechService(cfg0.speech)
    svc0.start_sync(load=False)
    assert isinstance(svc0.recognizer_for("en-US"), PocketsphinxRecognizer) and svc0.pool is None
