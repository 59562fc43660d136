"""Repository functions for the durable job queue (table ``jobs``); the runner that executes the
jobs is :mod:`callcenter.analytics.jobs`. Times are passed in (``now``).

Claiming is a conditional ``UPDATE ... WHERE id = :id AND status = 'queued'`` checked by its row
count, so two workers (threads, processes, or servers sharing a PostgreSQL database) never run the
same job; a claim holds a lease (``lease_until``) that the runner renews while the job runs. A job
whose lease ran out (its worker died or the server restarted) is queued again by
:func:`recover_jobs`.
"""
from __future__ import annotations

from operator import eq
from typing import Any, Mapping, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .common import RepoError, _given, _now, _rows
from .models import JOB_STATUSES, Job


async def enqueue_job(s: AsyncSession, kind: str, *, key: str | None = None, call_id: str | None = None,
                      recording_id: int | None = None, payload: Mapping[str, Any] | None = None,
                      priority: int = 100, max_attempts: int = 5, run_after: float | None = None,
                      now: float | None = None) -> Job:
    """Add a job; with ``key``, a job already holding that key is returned unchanged (idempotent)."""
    if not isinstance(kind, str) or not kind:
        raise RepoError(f"a job needs a kind, got {kind!r}")
    if max_attempts < 1:
        raise RepoError(f"job {kind}: max_attempts must be at least 1, got {max_attempts}")
    if key is not None:
        found = (await s.execute(select(Job).where(Job.key == key))).scalar_one_or_none()
        if found is not None:
            return found
    t = _now(now)
    job = Job(kind=kind, key=key, call_id=call_id, recording_id=recording_id,
              payload=dict(payload) if payload else None, status="queued", priority=int(priority), attempts=0,
              max_attempts=int(max_attempts), run_after=t if run_after is None else float(run_after), created_at=t)
    s.add(job)
    await s.flush()
    return job


async def claim_jobs(s: AsyncSession, worker: str, now: float, lease: float, *, kinds: Sequence[str] | None = None,
                     limit: int = 1) -> list[Job]:
    """Claim up to ``limit`` due jobs (lowest ``priority`` first, then oldest) for ``worker``."""
    q = select(Job.id).where(Job.status == "queued", Job.run_after <= now)
    if kinds is not None:
        q = q.where(Job.kind.in_(list(kinds)))
    ids = list((await s.execute(q.order_by(Job.priority, Job.run_after, Job.id).limit(limit * 3))).scalars())
    claimed = []
    for job_id in ids:
        if len(claimed) >= limit:
            break
        res = await s.execute(update(Job).where(Job.id == job_id, Job.status == "queued")
                              .values(status="running", worker=worker, lease_until=now + lease, started_at=now,
                                      attempts=Job.attempts + 1)
                              .execution_options(synchronize_session=False))
        if res.rowcount == 1:
            claimed.append(job_id)
    if not claimed:
        return []
    rows = await s.execute(select(Job).where(Job.id.in_(claimed)).execution_options(populate_existing=True))
    return sorted(rows.scalars(), key=lambda j: claimed.index(j.id))


async def renew_leases(s: AsyncSession, job_ids: Sequence[int], worker: str, until: float) -> int:
    if not job_ids:
        return 0
    res = await s.execute(update(Job).where(Job.id.in_(list(job_ids)), Job.worker == worker, Job.status == "running")
                          .values(lease_until=until).execution_options(synchronize_session=False))
    return res.rowcount or 0


async def finish_job(s: AsyncSession, job_id: int, worker: str, result: Mapping[str, Any] | None,
                     now: float) -> bool:
    """The job succeeded; False when the claim was lost meanwhile (lease expired, job taken again)."""
    res = await s.execute(update(Job).where(Job.id == job_id, Job.worker == worker, Job.status == "running")
                          .values(status="done", result=dict(result) if result else None, error=None,
                                  finished_at=now, lease_until=None)
                          .execution_options(synchronize_session=False))
    return res.rowcount == 1


async def fail_job(s: AsyncSession, job_id: int, worker: str, error: str, now: float,
                   retry_at: float | None) -> bool:
    """The attempt failed: queued again at ``retry_at``, or failed for good when it is None."""
    values: dict[str, Any] = {"error": error[:4000], "lease_until": None}
    if retry_at is None:
        values.update(status="failed", finished_at=now)
    else:
        values.update(status="queued", run_after=retry_at)
    res = await s.execute(update(Job).where(Job.id == job_id, Job.worker == worker, Job.status == "running")
                          .values(**values).execution_options(synchronize_session=False))
    return res.rowcount == 1


async def recover_jobs(s: AsyncSession, now: float, *, host_prefix: str | None = None,
                       me: str | None = None) -> list[Job]:
    """Jobs whose run was interrupted: running with an expired lease, or (``host_prefix``) claimed by
    another worker of this host than ``me`` (the previous server process, gone in a restart). They are
    queued again (or failed when no attempt is left); returns them."""
    cond = Job.lease_until < now
    if host_prefix:
        cond = cond | (Job.worker.like(host_prefix + "%") & (Job.worker != (me or "")))
    rows = list((await s.execute(select(Job).where(Job.status == "running", cond))).scalars())
    for job in rows:
        note = f"interrupted (worker {job.worker} stopped during attempt {job.attempts})"
        if job.attempts >= job.max_attempts:
            job.status, job.finished_at, job.error = "failed", now, note + "; no attempt left"
        else:
            job.status, job.run_after, job.error = "queued", now, note
        job.lease_until = None
        job.worker = None
    await s.flush()
    return rows


async def get_job(s: AsyncSession, job_id: int) -> Job | None:
    return await s.get(Job, job_id)


async def list_jobs(s: AsyncSession, *, status: str | None = None, kind: str | None = None,
                    call_id: str | None = None, recording_id: int | None = None,
                    limit: int | None = 100) -> list[Job]:
    if status is not None and status not in JOB_STATUSES:
        raise RepoError(f"job status must be one of {', '.join(JOB_STATUSES)}, got {status!r}")
    q = select(Job).where(*_given((Job.status, eq, status), (Job.kind, eq, kind), (Job.call_id, eq, call_id),
                                  (Job.recording_id, eq, recording_id)))
    return await _rows(s, q.order_by(Job.id.desc()), limit)


async def job_counts(s: AsyncSession) -> dict[str, dict[str, int]]:
    """kind -> status -> number of jobs (the backlog is the ``queued`` + ``running`` ones)."""
    rows = await s.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
    out: dict[str, dict[str, int]] = {}
    for kind, status, n in rows.all():
        out.setdefault(kind, {})[status] = int(n)
    return out


async def retry_job(s: AsyncSession, job_id: int, now: float | None = None) -> Job:
    """Queue a failed (or done) job again, with its attempts reset (an operator's "run it again")."""
    job = await get_job(s, job_id)
    if job is None:
        raise RepoError(f"no job with id {job_id}")
    if job.status == "running":
        raise RepoError(f"job {job_id} is running")
    job.status, job.attempts, job.run_after, job.error, job.finished_at = "queued", 0, _now(now), None, None
    await s.flush()
    return job


async def delete_jobs_of_recording(s: AsyncSession, recording_id: int) -> int:
    """Remove the jobs of a deleted recording (queued ones would only fail on the missing file)."""
    rows = list((await s.execute(select(Job).where(Job.recording_id == recording_id,
                                                   Job.status != "running"))).scalars())
    for job in rows:
        await s.delete(job)
    await s.flush()
    return len(rows)


def job_to_dict(j: Job) -> dict[str, Any]:
    return {"id": j.id, "kind": j.kind, "key": j.key, "call_id": j.call_id, "recording_id": j.recording_id,
            "payload": j.payload, "status": j.status, "priority": j.priority, "attempts": j.attempts,
            "max_attempts": j.max_attempts, "run_after": j.run_after, "worker": j.worker, "error": j.error,
            "result": j.result, "created_at": j.created_at, "started_at": j.started_at,
            "finished_at": j.finished_at}
