"""The analytics job on record's durable post-call job queue (docs/recordings.md): chained after a
recording's finalize job, run off the event loop, its failure written on the call's record; a deleted
recording takes its analysis with it."""
from __future__ import annotations

from pathlib import Path

import pytest

jobs_mod = pytest.importorskip("callcenter.analytics.jobs")

from callcenter.analytics.service import JOB_KIND, AnalyticsService  # noqa: E402
from callcenter.clock import FakeClock  # noqa: E402
from callcenter.config import AnalyticsSection  # noqa: E402
from callcenter.store import analytics as an  # noqa: E402
from callcenter.store import repo  # noqa: E402

from .tones import ToneWords, tone_call  # noqa: E402

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "analytics"
GOOD = [("agent", 0.5, 2.0, 300), ("caller", 2.5, 4.5, 500), ("agent", 9.0, 10.5, 700)]


def _service(db):
    return AnalyticsService(db, None, None, AnalyticsSection(risk_words=str(FIX / "risk_words.yaml"),
                                                             scorecards=str(FIX / "scorecards")),
                            recognizer=lambda language: ToneWords())


async def _recording(db, call_id, path, status="ready"):
    async with db.session() as s:
        await repo.save_call(s, call_id, queue="support", agent="a1", language="en-US", arrived_at=1000.0)
        rec = await repo.add_recording(s, str(path), "call", call_id=call_id, queue="support", agent="a1")
        rec.status = status
        return rec.id


async def test_analytics_runs_after_finalize_and_stores_its_result(db, tmp_path):
    q = jobs_mod.JobQueue(db, clock=FakeClock())
    done = []

    async def fake_finalize(job, ctx):           # the recording is already a checked stereo WAV
        done.append(job.recording_id)
        return {"ok": True}
    q.register("recording.finalize", fake_finalize, priority=10)
    _service(db).register_jobs(q)
    rid = await _recording(db, "c1", tone_call(tmp_path / "c1.wav", GOOD, 12.0))
    await q.enqueue("recording.finalize", call_id="c1", recording_id=rid)
    assert await q.run_pending() == 2                      # finalize, then the analytics job it chained
    assert done == [rid]
    async with db.session() as s:
        row = await an.get_analysis(s, "c1")
        jobs = [j for j in await jobs_mod_list(s) if j["kind"] == JOB_KIND]
    assert row.status == "done" and row.recording_id == rid and row.risk_count == 1
    assert jobs and jobs[0]["status"] == "done" and jobs[0]["result"]["risk_hits"] == 1


async def jobs_mod_list(s):
    from callcenter.store import jobs as store_jobs
    return [store_jobs.job_to_dict(j) for j in await store_jobs.list_jobs(s)]


async def test_a_bad_recording_fails_its_job_at_once_with_the_reason_on_the_call(db, tmp_path):
    q = jobs_mod.JobQueue(db, clock=FakeClock())
    q.register("recording.finalize", lambda job, ctx: None)
    _service(db).register_jobs(q)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    rid = await _recording(db, "c2", bad)
    await q.enqueue(JOB_KIND, call_id="c2", recording_id=rid)
    await q.run_pending()
    async with db.session() as s:
        cdr = await repo.get_call(s, "c2")
        row = await an.get_analysis(s, "c2")
        job = [j for j in await jobs_mod_list(s) if j["kind"] == JOB_KIND][0]
    assert row.status == "failed" and "corrupt WAV recording" in row.error
    assert job["status"] == "failed" and job["attempts"] == 1          # permanent: no retry of a corrupt file
    assert "corrupt WAV recording" in str(cdr.data)


async def test_retention_deletes_the_analysis_with_the_recording(db, tmp_path):
    retention_mod = pytest.importorskip("callcenter.analytics.retention")
    from callcenter.analytics.service import delete_derived
    svc = _service(db)
    rid = await _recording(db, "c3", tone_call(tmp_path / "c3.wav", GOOD, 12.0))
    await svc.analyze_call("c3", recording_id=rid)
    ret = retention_mod.Retention(db)
    ret.register_deleter(delete_derived)
    await ret.delete(rid, actor="test", reason="by hand", now=2000.0)
    async with db.session() as s:
        assert await an.get_analysis(s, "c3") is None
