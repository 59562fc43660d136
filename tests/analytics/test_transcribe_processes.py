"""Analytics' pocketsphinx transcription in worker processes of its own (``analytics.transcribe_processes``):
the same transcript as in the server's threads, made in a lower-priority process, bad recordings named
as before, the workers stopped with the job queue; the configuration keys checked."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from callcenter.analytics.service import AnalyticsService, ProcessTranscriber, register_analytics
from callcenter.analytics.transcribe import AnalysisError, RecordingError, SphinxWords, transcribe_file
from callcenter.config import AnalyticsSection, ConfigError, load_config
from callcenter.store import repo

from .callgen import Line, write_call

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "analytics"
pytestmark = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")

SCRIPT = [Line("agent", "thank you for calling, my name is anna", at=0.3),
          Line("caller", "i will call my lawyer"),
          Line("agent", "thank you goodbye", gap=0.5)]


@pytest.fixture(scope="module")
def transcriber():
    pytest.importorskip("pocketsphinx")
    t = ProcessTranscriber(1, nice=5)
    yield t
    t.close()


@pytest.fixture(scope="module")
def call_wav(tmp_path_factory):
    path = tmp_path_factory.mktemp("calls") / "en.wav"
    write_call(path, SCRIPT, {"caller": "en-us+m3", "agent": "en-us"})
    return path


def test_the_worker_transcribes_as_the_threads_did_at_a_lower_priority(transcriber, call_wav):
    mine, caller, agent = transcribe_file(call_wav, "en-US", recognizer=SphinxWords())
    theirs, caller2, agent2 = transcriber.transcribe(str(call_wav), "en-US")
    assert [(w.side, w.text, round(w.start, 2)) for w in theirs.words] == \
        [(w.side, w.text, round(w.start, 2)) for w in mine.words]
    assert theirs.engine == "pocketsphinx" and any(w.text == "lawyer" and w.side == "caller" for w in theirs.words)
    assert (caller2.level_db == caller.level_db).all() and (agent2.active == agent.active).all()
    worker = transcriber.pool.workers[0]
    assert worker.pid != os.getpid() and transcriber.pool.status()[0]["served"] >= 1
    assert os.getpriority(os.PRIO_PROCESS, worker.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 5)
    assert worker.info["nice_error"] is None


def test_a_bad_recording_is_named_from_the_worker(transcriber, tmp_path):
    with pytest.raises(RecordingError, match="recording not found"):
        transcriber.transcribe(str(tmp_path / "gone.wav"), "en-US")
    (tmp_path / "mono.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(AnalysisError, match="mono.wav: corrupt WAV"):
        transcriber.transcribe(str(tmp_path / "mono.wav"), "en-US")


async def test_the_service_sends_pocketsphinx_work_to_the_worker(db, transcriber, call_wav):
    served = transcriber.pool.status()[0]["served"]
    svc = AnalyticsService(db, None, None, AnalyticsSection(risk_words=str(FIXTURES / "risk_words.yaml")),
                           clock=lambda: 5000.0, recognizer=lambda language: SphinxWords(), transcriber=transcriber)
    async with db.session() as s:
        await repo.save_call(s, "c1", queue="support", agent="alice", language="en-US", arrived_at=1000.0)
    row = await svc.analyze_call("c1", str(call_wav))
    assert row["status"] == "done" and row["engine"] == "pocketsphinx"
    assert [h["term"] for h in row["result"]["risk_hits"]] == ["lawyer"]
    assert transcriber.pool.status()[0]["served"] == served + 1


async def test_the_server_wiring_owns_and_stops_the_workers(db, tmp_path):
    from callcenter.analytics.jobs import JobQueue
    from callcenter.analytics.finalize import register as register_finalize

    class Speech:                                    # what register_analytics needs of the speech service
        def recognizer_for(self, language):
            raise AssertionError("not asked in this test")

    cfg = load_config(None, env={}, overrides={"data_dir": str(tmp_path), "analytics.transcribe_processes": 1})
    jobs = JobQueue(db)
    register_finalize(jobs)
    svc = register_analytics(jobs, None, db, Speech(), None, cfg, type("C", (), {"now": staticmethod(lambda: 0.0)}))
    assert isinstance(svc.transcriber, ProcessTranscriber) and svc.transcriber.pool.nice == 10
    svc.transcriber.pool.start()
    pids = svc.transcriber.pool.pids()
    await jobs.start()
    await jobs.stop()
    assert svc.transcriber.pool.closed and not svc.transcriber.pool.workers
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)              # reaped: the worker is gone
    off = load_config(None, env={}, overrides={"data_dir": str(tmp_path), "analytics.transcribe_processes": 0})
    jobs = JobQueue(db)
    register_finalize(jobs)
    assert register_analytics(jobs, None, db, Speech(), None, off,
                              type("C", (), {"now": staticmethod(lambda: 0.0)})).transcriber is None


@pytest.mark.parametrize("key, value, says", [
    ("analytics.transcribe_processes", -1, "analytics.transcribe_processes' must be >= 0"),
    ("analytics.transcribe_nice", 25, "analytics.transcribe_nice' must be a niceness step"),
    ("speech.processes_nice", -30, "speech.processes_nice' must be a niceness step"),
    ("media.nice", 40, "media.nice' must be a niceness step")])
def test_bad_priority_keys_are_named(tmp_path, key, value, says):
    with pytest.raises(ConfigError, match=says):
        load_config(None, env={}, overrides={"data_dir": str(tmp_path), key: value})
