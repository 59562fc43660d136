"""The durable job queue: jobs survive a restart, fail with a clear error on the call's record, retry
with back-off, never run twice at once, and stay within the worker bound."""
from __future__ import annotations

import asyncio
import os
import threading

import pytest

from callcenter.analytics.jobs import JobError, JobQueue, JobSettings
from callcenter.clock import FakeClock
from callcenter.store import jobs as store_jobs
from callcenter.store import repo
from callcenter.store.db import open_database

from tests.store.conftest import db_url  # noqa: F401 - the fixture (sqlite, postgresql)


@pytest.fixture
async def db(db_url):  # noqa: F811 - db_url is the fixture
    """SQLite, and PostgreSQL when CALLCENTER_TEST_PG_URL names one (tests/store/conftest.py)."""
    database = await open_database(db_url)
    yield database
    await database.close()


async def job_row(db, job_id):
    async with db.session() as s:
        return store_jobs.job_to_dict(await store_jobs.get_job(s, job_id))


async def call_errors(db, call_id):
    async with db.session() as s:
        return ((await repo.get_call(s, call_id)).data or {}).get("errors", {})


async def test_a_job_runs_once_and_keeps_its_result(db):
    q = JobQueue(db, clock=FakeClock())
    seen = []

    async def handler(job, ctx):
        seen.append((job.kind, job.call_id, job.payload))
        return {"ok": True}

    q.register("demo", handler)
    jid = await q.enqueue("demo", call_id="c1", payload={"x": 1}, key="demo:c1")
    assert await q.enqueue("demo", call_id="c1", key="demo:c1") == jid          # idempotent by key
    assert await q.run_pending() == 1
    assert await q.run_pending() == 0
    row = await job_row(db, jid)
    assert seen == [("demo", "c1", {"x": 1})]
    assert row["status"] == "done" and row["result"] == {"ok": True} and row["attempts"] == 1


async def test_failure_retries_with_backoff_and_is_written_on_the_call(db):
    clock = FakeClock()
    q = JobQueue(db, clock=clock, settings=JobSettings(retry_delay=10, retry_max_delay=25, max_attempts=4))
    calls = []

    async def flaky(job, ctx):
        calls.append(ctx.now())
        if len(calls) < 3:
            raise OSError("disk busy")
        return None

    q.register("flaky", flaky)
    jid = await q.enqueue("flaky", call_id="c2")
    assert await q.run_pending() == 1
    row = await job_row(db, jid)
    assert row["status"] == "queued" and row["run_after"] == clock.now() + 10 and "disk busy" in row["error"]
    errs = await call_errors(db, "c2")
    assert "OSError: disk busy" in errs["flaky"] and "attempt 1 of 4" in errs["flaky"]
    assert await q.run_pending() == 0                       # not due yet
    clock.advance(10)
    assert await q.run_pending() == 1
    assert (await job_row(db, jid))["run_after"] == clock.now() + 20     # doubled
    clock.advance(20)
    assert await q.run_pending() == 1
    assert (await job_row(db, jid))["status"] == "done"
    assert await call_errors(db, "c2") == {}                 # cleared by the success
    assert q.settings.backoff(3) == 25                       # capped


async def test_a_permanent_error_fails_at_once_and_the_rest_goes_on(db):
    q = JobQueue(db, clock=FakeClock())
    failed = []

    async def bad(job, ctx):
        raise JobError("recording is corrupt: not a RIFF file", permanent=True)

    async def good(job, ctx):
        return {"n": job.payload["n"]}

    q.register("bad", bad, priority=1)
    q.register("good", good)
    q.on_failed(lambda job, err: _append(failed, (job.id, err)))
    b = await q.enqueue("bad", call_id="c3")
    g = await q.enqueue("good", call_id="c4", payload={"n": 4})
    assert await q.run_pending() == 2
    assert (await job_row(db, b))["status"] == "failed" and (await job_row(db, g))["status"] == "done"
    assert (await call_errors(db, "c3"))["bad"] == "recording is corrupt: not a RIFF file (failed for good)"
    assert failed == [(b, "recording is corrupt: not a RIFF file")]


async def _append(lst, item):
    lst.append(item)


async def test_a_job_interrupted_by_a_restart_runs_again(db):
    clock = FakeClock()
    first = JobQueue(db, clock=clock, worker_id="hostA:100:aaaa")
    started = asyncio.Event()

    async def slow(job, ctx):
        started.set()
        await asyncio.sleep(3600)

    first.register("slow", slow)
    jid = await first.enqueue("slow", call_id="c5")
    task = asyncio.create_task(first.run_pending())
    await started.wait()
    task.cancel()                                            # the process "dies": no cleanup runs
    await asyncio.gather(task, return_exceptions=True)
    assert (await job_row(db, jid))["status"] == "running"

    # the next server process on the same host takes it over at start
    second = JobQueue(db, clock=clock, settings=JobSettings(poll_interval=0.05))
    second.host_prefix = "hostA:"
    second.worker = "hostA:200:bbbb"
    done = asyncio.Event()

    async def quick(job, ctx):
        done.set()
        return {"again": True}

    second.register("slow", quick)
    await second.start()
    try:
        await asyncio.wait_for(done.wait(), 5)
        for _ in range(100):
            if (await job_row(db, jid))["status"] == "done":
                break
            await asyncio.sleep(0.02)
    finally:
        await second.stop()
    row = await job_row(db, jid)
    assert row["status"] == "done" and row["attempts"] == 2 and row["result"] == {"again": True}
    assert second.counters["recovered"] == 1


async def test_another_hosts_job_runs_again_when_its_lease_expires(db):
    clock = FakeClock()
    async with db.session() as s:
        job = await store_jobs.enqueue_job(s, "demo", now=clock.now())
        await store_jobs.claim_jobs(s, "otherhost:1:x", clock.now(), 60.0)
    q = JobQueue(db, clock=clock, worker_id="me:2:y")
    q.register("demo", lambda job, ctx: _none())
    assert await q.recover() == 0                            # lease still valid
    clock.advance(61)
    assert await q.recover() == 1
    assert await q.run_pending() == 1
    assert (await job_row(db, job.id))["status"] == "done"


async def _none():
    return None


async def test_stop_puts_a_running_job_back_in_the_queue(db):
    q = JobQueue(db, clock=FakeClock(), settings=JobSettings(poll_interval=0.05))
    started = asyncio.Event()

    async def slow(job, ctx):
        started.set()
        await asyncio.sleep(3600)

    q.register("slow", slow)
    jid = await q.enqueue("slow")
    await q.start()
    await asyncio.wait_for(started.wait(), 5)
    await q.stop()
    row = await job_row(db, jid)
    assert row["status"] == "queued" and "shutdown" in row["error"]


async def test_workers_bound_the_jobs_running_at_once_and_cpu_work_runs_niced(db):
    q = JobQueue(db, clock=FakeClock(), settings=JobSettings(workers=2, poll_interval=0.02, nice=5))
    running, peak, finished = 0, 0, 0
    release = asyncio.Event()
    niceness = []

    def cpu():
        niceness.append((threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        return 1

    async def work(job, ctx):
        nonlocal running, peak, finished
        running += 1
        peak = max(peak, running)
        await ctx.run_cpu(cpu)
        await release.wait()
        running -= 1
        finished += 1

    q.register("work", work)
    for _ in range(5):
        await q.enqueue("work")
    await q.start()
    try:
        await asyncio.sleep(0.3)
        assert running == 2 and peak == 2
        release.set()
        for _ in range(400):
            if q.status()["done"] == 5:              # handlers returned and their results are stored
                break
            await asyncio.sleep(0.02)
    finally:
        await q.stop()
    assert finished == 5 and peak == 2
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert all(name.startswith("cc-job") and nice >= min(19, base + 5) for name, nice in niceness)
    assert (await q.backlog())["backlog"] == 0 and q.status()["done"] == 5
