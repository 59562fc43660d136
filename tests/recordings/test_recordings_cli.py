"""`callcenter recordings ...` on this host's database: list with filters, show with gaps and log,
export (logged), delete (logged, file gone), the retention sweep, the job queue and a retry."""
from __future__ import annotations

import asyncio

from callcenter.store import jobs as store_jobs
from callcenter.store import recordings as store_rec
from callcenter.store.db import open_database

from tests.foundation.test_cli import cli  # noqa: F401 - the fixture: `callcenter` in-process on a tmp dir

from .test_pipeline import new_recording, run_finalize


async def seed(tmp_path) -> tuple[int, int]:
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'callcenter.db'}")
    try:
        good, _, _ = await new_recording(db, tmp_path, "call-good", seconds=1.0, queue="billing",
                                         retain_until=1.0)
        await run_finalize(db, good)
        async with db.session() as s:
            await store_rec.add_pause(s, good, 1001.0, "a1")
            await store_rec.end_pause(s, good, 1002.5, "sue")
        bad, _, _ = await new_recording(db, tmp_path, "call-bad", seconds=None, queue="sales")
        await run_finalize(db, bad)
        return good, bad
    finally:
        await db.close()


def test_recordings_cli(cli, tmp_path):  # noqa: F811 - cli is the fixture
    good, bad = asyncio.run(seed(tmp_path))
    rc, out, _ = cli("recordings", "list")
    assert rc == 0 and "call-good" in out and "call-bad" in out and "2 recording(s)" in out
    rc, out, _ = cli("recordings", "list", "--queue", "sales", "--status", "failed")
    assert rc == 0 and "call-bad" in out and "call-good" not in out and "is missing" in out
    rc, out, _ = cli("recordings", "show", str(good))
    assert rc == 0 and "at 1.0 s for 1.5 s (paused by a1, resumed by sue)" in out and "finalized" in out
    assert "{'left': 'caller', 'right': 'agent'}" in out
    rc, out, _ = cli("recordings", "export", str(good), "-o", str(tmp_path))
    assert rc == 0 and (tmp_path / "call-good.wav").exists() and "left = caller" in out
    rc, _, err = cli("recordings", "export", str(bad))
    assert rc == 1 and "is failed" in err and "is missing" in err
    rc, out, _ = cli("recordings", "jobs", "--status", "failed")
    assert rc == 0 and "recording.finalize" in out and "call-bad" in out
    rc, out, _ = cli("recordings", "sweep", "--dry-run")
    assert rc == 0 and "1 recording(s) would be deleted" in out
    rc, out, _ = cli("recordings", "sweep")
    assert rc == 0 and "1 recording(s) deleted" in out
    assert not (tmp_path / "calls" / "call-good.wav").exists()
    rc, out, _ = cli("recordings", "delete", str(bad), "--reason", "test data")
    assert rc == 0 and "deleted" in out
    rc, out, _ = cli("recordings", "show", str(good), "--json")
    assert '"action": "export"' in out and '"action": "expire"' in out and '"status": "deleted"' in out

    async def job_of_bad():
        db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'callcenter.db'}")
        try:
            async with db.session() as s:
                return await store_jobs.list_jobs(s, limit=None)
        finally:
            await db.close()
    assert asyncio.run(job_of_bad()) == []             # a deleted recording's jobs go with it
    rc, _, err = cli("recordings", "retry", "999")
    assert rc == 1 and "no job with id 999" in err
