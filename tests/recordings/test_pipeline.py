"""The post-call side without a call: policy decisions, the finalize job on good and bad files (missing,
empty, truncated, a full disk), the retention sweep (exactly what expired, with derived data and a log
row, never before its time), and the recorder's recovery of recordings a dead server left open."""
from __future__ import annotations

import errno
import wave
from array import array
from pathlib import Path

import pytest

from callcenter.analytics import finalize as fin
from callcenter.analytics.jobs import JobQueue, JobSettings
from callcenter.analytics.policy import PolicyError, RecordingPolicies, sampled
from callcenter.analytics.recorder import Recorder
from callcenter.analytics.retention import Retention
from callcenter.clock import FakeClock
from callcenter.config import load_config
from callcenter.events import EventBus
from callcenter.store import jobs as store_jobs
from callcenter.store import recordings as store_rec
from callcenter.store import repo
from callcenter.store.db import open_database

from tests.store.conftest import db_url  # noqa: F401 - the fixture (sqlite, postgresql)
from callcenter.store.models import Transcript

DAY = 86400.0


@pytest.fixture
async def db(db_url):  # noqa: F811 - db_url is the fixture
    """SQLite, and PostgreSQL when CALLCENTER_TEST_PG_URL names one (tests/store/conftest.py)."""
    database = await open_database(db_url)
    yield database
    await database.close()


def cfg(**rec):
    return load_config(env={}, overrides={f"recordings.{k}": v for k, v in rec.items()})


# -- policy ---------------------------------------------------------------------------------------
def test_policy_per_queue_node_and_sampling():
    p = RecordingPolicies.from_config(cfg(policy="never", retention_days=30, queues={
        "billing": {"policy": "always", "retention_days": 7}, "sales": {"policy": "sampled", "sample_percent": 25},
        "vip": {"policy": "request"}}).recordings)
    t = 1_000_000.0
    d = p.decide("c1", "billing", t)
    assert d.record and d.policy == "always" and d.retain_until == t + 7 * DAY
    assert not p.decide("c1", "support", t).record                          # default never
    assert not p.decide("c1", "support", t, node_policy="always").record     # a never queue stays never
    assert p.decide("c1", "vip", t, node_policy="always").policy == "node"   # the flow node overrides
    assert not p.decide("c1", "billing", t, node_policy="never").record
    assert not p.decide("c1", "vip", t).record and p.decide("c1", "vip", t, requested=True).record
    share = sum(p.decide(f"call-{i}", "sales", t).record for i in range(4000)) / 4000
    assert 0.22 < share < 0.28 and p.decide("call-7", "sales", t) == p.decide("call-7", "sales", t)
    assert sampled("x", 100) and not sampled("x", 0)
    assert p.retain_until("support", t) == t + 30 * DAY
    assert RecordingPolicies.from_config(cfg(retention_days=0).recordings).retain_until("q", t) is None


@pytest.mark.parametrize("queues,msg", [
    ({"q": {"policy": "sometimes"}}, "recordings.queues.q.policy: recording policy must be one of"),
    ({"q": {"sample_percent": 150}}, "recordings.queues.q.sample_percent: must be between 0 and 100"),
    ({"q": {"retention": 3}}, "recordings.queues.q: unknown key 'retention'"),
    ({"q": "always"}, "recordings.queues.q: expected a mapping"),
])
def test_policy_errors_name_the_key(queues, msg):
    with pytest.raises(PolicyError, match=msg.replace(".", r"\.")):
        RecordingPolicies.from_config(cfg(queues=queues).recordings)


# -- finalize -------------------------------------------------------------------------------------
def write_raw(path: Path, seconds: float, extra: bytes = b"") -> None:
    n = int(seconds * 8000)
    data = array("h", [1000, -2000] * n)          # left (caller) quieter than right (agent)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.tobytes() + extra)


async def new_recording(db, tmp_path, call_id="c1", seconds=None, started=1000.0, ended=1004.0,
                        retain_until=None, queue="q"):
    raw, wav = tmp_path / "calls" / f"{call_id}.raw", tmp_path / "calls" / f"{call_id}.wav"
    if seconds is not None:
        write_raw(raw, seconds)
    async with db.session() as s:
        await repo.save_call(s, call_id, queue=queue)
        rec = await store_rec.start_call_recording(s, call_id, str(wav), source_path=str(raw),
                                                   asterisk_path=f"/var/spool/asterisk/monitor/{call_id}.raw",
                                                   policy="always", started_at=started, queue=queue, agent="a1",
                                                   retain_until=retain_until)
        await store_rec.update_recording(s, rec.id, status="pending", ended_at=ended)
        return rec.id, raw, wav


async def run_finalize(db, rid, clock=None, attempts=4):
    q = JobQueue(db, clock=clock or FakeClock(), settings=JobSettings(retry_delay=0, retry_max_delay=0))
    fin.register(q)
    async with db.session() as s:
        call_id = (await s.get(store_rec.Recording, rid)).call_id
    await q.enqueue(fin.KIND, call_id=call_id, recording_id=rid, max_attempts=attempts)
    await q.run_pending()
    async with db.session() as s:
        rec = store_rec.recording_to_dict(await s.get(store_rec.Recording, rid))
        cdr = repo.call_to_dict(await repo.get_call(s, rec["call_id"]))
    return rec, cdr


async def test_finalize_makes_a_checked_stereo_wav(db, tmp_path):
    rid, raw, wav = await new_recording(db, tmp_path, seconds=4.0)
    rec, cdr = await run_finalize(db, rid)
    assert rec["status"] == "ready" and rec["duration"] == 4.0 and rec["error"] is None and not raw.exists()
    with wave.open(str(wav)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (2, 8000, 32000)
        first = array("h", w.readframes(1))
    assert list(first) == [1000, -2000]                     # left = caller, right = agent, unchanged
    assert not (cdr["data"] or {}).get("errors")


async def test_missing_file_is_retried_then_reported_on_the_call(db, tmp_path):
    rid, raw, wav = await new_recording(db, tmp_path, seconds=None)
    rec, cdr = await run_finalize(db, rid)
    assert rec["status"] == "failed" and "is missing" in rec["error"] and "asterisk_calls_dir" in rec["error"]
    assert "is missing" in cdr["data"]["errors"]["recording"]
    async with db.session() as s:
        [job] = await store_jobs.list_jobs(s, recording_id=rid)
        assert job.status == "failed" and job.attempts == 4


async def test_empty_file_fails_at_once_and_truncated_file_keeps_its_audio(db, tmp_path):
    rid, raw, _ = await new_recording(db, tmp_path, "empty", seconds=0.0)
    rec, cdr = await run_finalize(db, rid)
    assert rec["status"] == "failed" and "empty (0 bytes)" in rec["error"]
    assert "empty" in cdr["data"]["errors"]["recording"]
    async with db.session() as s:
        assert (await store_jobs.list_jobs(s, recording_id=rid))[0].attempts == 1     # permanent: no retry
    # a cut-off file: a partial last frame, and 2 s of audio for a 30 s call
    rid, raw, wav = await new_recording(db, tmp_path, "cut", started=1000.0, ended=1030.0)
    write_raw(raw, 2.0, extra=b"\x01\x02\x03")
    rec, cdr = await run_finalize(db, rid)
    assert rec["status"] == "ready" and rec["duration"] == 2.0
    assert "last frame is incomplete (3 bytes dropped)" in rec["error"] and "2.0 s of audio for a call recorded 30.0 s" in rec["error"]
    assert "truncated" in cdr["data"]["errors"]["recording"]


async def test_a_full_disk_keeps_the_raw_file_and_the_retry_succeeds(db, tmp_path, monkeypatch):
    rid, raw, wav = await new_recording(db, tmp_path, seconds=1.0)
    real = wave.Wave_write.writeframes

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(wave.Wave_write, "writeframes", full)
    clock = FakeClock()
    q = JobQueue(db, clock=clock, settings=JobSettings(retry_delay=60))
    fin.register(q)
    await q.enqueue(fin.KIND, call_id="c1", recording_id=rid)
    await q.run_pending()
    async with db.session() as s:
        rec = await s.get(store_rec.Recording, rid)
        cdr = await repo.get_call(s, "c1")
        assert rec.status == "pending" and raw.exists() and not wav.exists()
        assert not list(wav.parent.glob("*.part"))
        assert "disk full writing" in cdr.data["errors"][fin.KIND] and "retry in 60 s" in cdr.data["errors"][fin.KIND]
    monkeypatch.setattr(wave.Wave_write, "writeframes", real)
    clock.advance(60)
    await q.run_pending()
    async with db.session() as s:
        assert (await s.get(store_rec.Recording, rid)).status == "ready"
        assert not (await repo.get_call(s, "c1")).data["errors"]          # cleared


# -- retention ------------------------------------------------------------------------------------
async def test_retention_deletes_exactly_what_expired_with_derived_data(db, tmp_path):
    now = 10 * DAY
    ids = {}
    for name, until in (("old", now - 1), ("edge", now), ("young", now + 1), ("forever", None)):
        rid, raw, wav = await new_recording(db, tmp_path, name, seconds=0.5, retain_until=until)
        await run_finalize(db, rid)
        ids[name] = (rid, wav)
        async with db.session() as s:
            await repo.add_transcript(s, rid, f"text of {name}")
    derived = []

    async def deleter(s, rec):
        derived.append(rec.call_id)

    ret = Retention(db)
    ret.register_deleter(deleter)
    out = await ret.sweep(now)
    assert sorted(d["call_id"] for d in out["deleted"]) == ["edge", "old"] and not out["failed"]
    assert sorted(derived) == ["edge", "old"]
    async with db.session() as s:
        for name, (rid, wav) in ids.items():
            rec = await s.get(store_rec.Recording, rid)
            gone = name in ("old", "edge")
            assert (rec.status == "deleted") == gone and wav.exists() != gone
            n = len((await s.execute(Transcript.__table__.select().where(Transcript.recording_id == rid))).all())
            assert n == (0 if gone else 1)
        log_rows = await store_rec.list_recording_log(s, action="expire")
        assert sorted(r.call_id for r in log_rows) == ["edge", "old"]
        assert all(r.actor == "retention" and r.detail["reason"] == "retention of queue q ended" for r in log_rows)
    assert (await ret.sweep(now))["deleted"] == []           # nothing twice
    # a call still being recorded keeps its recording, whatever its retention says
    async with db.session() as s:
        live = await store_rec.start_call_recording(s, "live", str(tmp_path / "live.wav"), source_path="x.raw",
                                                    asterisk_path="x.raw", policy="always", started_at=0.0,
                                                    retain_until=1.0)
    assert (await ret.sweep(now))["deleted"] == []
    async with db.session() as s:
        assert (await s.get(store_rec.Recording, live.id)).status == "recording"


# -- the recorder without a call ---------------------------------------------------------------------
class FakeControl:
    def __init__(self):
        self.actions = []

    async def start_recording(self, channel, filename, *, options=""):
        self.actions.append(("start", channel, filename, options))

    async def stop_recording(self, channel, mixmonitor_id=None):
        self.actions.append(("stop", channel))

    async def mute_recording(self, channel, muted, *, direction="both"):
        self.actions.append(("mute", channel, muted))


class FakeCall:
    def __init__(self, call_id, queue="support", record=None):
        self.call_id, self.queue, self.record = call_id, queue, record
        self.channel, self.agent_id, self.caller = f"PJSIP/c-{call_id}", "a1", "555"


async def test_low_disk_is_reported_and_recordings_of_a_dead_server_are_finalized(db, tmp_path):
    config = cfg(policy="always", calls_dir=str(tmp_path / "calls"), min_free_mb=100)
    bus = EventBus()
    seen = []
    bus.subscribe(seen.append)
    clock = FakeClock()
    jobs = JobQueue(db, clock=clock)
    rec = Recorder(config, db, bus, control=FakeControl(), jobs=jobs, clock=clock, free_bytes=lambda p: 5 << 20)
    assert await rec.call_answered(FakeCall("c9")) is None
    [ev] = [e for e in seen if e.kind == "RecordingFailed"]
    assert "disk almost full: 5 MB free" in ev.data["error"] and ev.data["cdr"]["data"]["errors"]["recording"]
    assert rec.control.actions == []                        # MixMonitor not even asked
    # a recording left open by a server that died: closed and finalized by the next one
    rec.free_bytes = lambda p: 1 << 40
    out = await rec.call_answered(FakeCall("c10"))
    assert out["status"] == "recording" and rec.control.actions[0][3] == "D"
    fresh = Recorder(config, db, bus, control=FakeControl(), jobs=jobs, clock=clock)
    assert await fresh.recover() == 1
    async with db.session() as s:
        [job] = await store_jobs.list_jobs(s, kind=fin.KIND)
        r = await store_rec.get_call_recording(s, "c10")
        assert job.recording_id == r.id and r.status == "pending" and r.ended_at == clock.now()
