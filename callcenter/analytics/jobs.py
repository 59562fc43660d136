"""The durable job queue: post-call work in the database, run by a small worker pool off the call path.

A job is a row of the ``jobs`` table (:mod:`callcenter.store.jobs`): it survives a restart (a job
interrupted by a restart runs again), is claimed by one worker at a time under a lease, and is retried
with exponential back-off when it fails; a :class:`JobError` with ``permanent=True`` (a corrupt file,
an unknown language) fails it at once. Every failure is written on the call's record
(``calls.data.errors[<kind>]``) and the other jobs go on.

Live calls are never delayed by a backlog: at most ``workers`` jobs run at once, each job's CPU work
runs in the queue's own thread pool (:meth:`JobContext.run_cpu`) whose threads run at a lower
scheduling priority (``nice``), and the queue only polls the database every ``poll_interval``
seconds (or when :meth:`JobQueue.wake` is called after an enqueue).

>>> q = JobQueue(db, settings=JobSettings(workers=1))
>>> q.register("recording.finalize", finalize_handler, priority=10)
>>> await q.enqueue("recording.finalize", call_id="c1", recording_id=7, key="finalize:7")
>>> await q.start()   # ... await q.stop()

The API for other job kinds (transcription, analysis) is described in docs/recordings.md.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping

from ..clock import Clock
from ..store import jobs as store_jobs
from ..store.models import Job
from ..store.recordings import clear_call_error, note_call_error

log = logging.getLogger("callcenter.analytics.jobs")


class JobError(Exception):
    """A job failed with a message meant for the call's record; ``permanent``: retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class JobSettings:
    workers: int = 1                 # jobs running at once (and threads of the CPU pool)
    poll_interval: float = 2.0       # seconds between looks for due jobs
    lease: float = 300.0             # a claimed job is another worker's again after this without renewal
    max_attempts: int = 5
    retry_delay: float = 30.0        # first back-off; doubles per attempt ...
    retry_max_delay: float = 3600.0  # ... up to this
    nice: int = 10                   # scheduling niceness added to the CPU pool's threads (Linux)

    @classmethod
    def from_config(cls, section: Any) -> "JobSettings":
        return cls(workers=max(1, int(section.job_workers)), poll_interval=float(section.job_poll_interval),
                   lease=float(section.job_lease), max_attempts=max(1, int(section.job_max_attempts)),
                   retry_delay=float(section.job_retry_delay), retry_max_delay=float(section.job_retry_max_delay),
                   nice=int(section.job_nice))

    def backoff(self, attempt: int) -> float:
        """Seconds before attempt ``attempt + 1`` after attempt ``attempt`` (1-based) failed."""
        return min(self.retry_max_delay, self.retry_delay * (2 ** max(0, attempt - 1)))


Handler = Callable[[Job, "JobContext"], Awaitable[Mapping[str, Any] | None]]
DoneHook = Callable[[Job, Mapping[str, Any]], Awaitable[None]]
FailedHook = Callable[[Job, str], Awaitable[None]]


@dataclass
class JobType:
    kind: str
    handler: Handler
    priority: int = 100
    max_attempts: int | None = None
    timeout: float | None = None
    done_hooks: list[DoneHook] = field(default_factory=list)
    failed_hooks: list[FailedHook] = field(default_factory=list)


class JobContext:
    """What a handler gets besides its job: the database, the clock, the low-priority CPU pool, and
    the queue (to enqueue follow-up jobs)."""

    def __init__(self, queue: "JobQueue") -> None:
        self.queue = queue
        self.db = queue.db
        self.clock = queue.clock

    def now(self) -> float:
        return self.clock.now()

    async def run_cpu(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run blocking / CPU work in the queue's low-priority thread pool."""
        return await asyncio.get_running_loop().run_in_executor(self.queue.executor, fn, *args)

    async def enqueue(self, kind: str, **kw: Any) -> int:
        return await self.queue.enqueue(kind, **kw)


def _lower_priority(nice: int) -> None:
    """Thread initializer: on Linux the niceness is per thread, so the pool's CPU work yields to the
    event loop's thread (live calls)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(19, os.getpriority(os.PRIO_PROCESS, 0) + nice))
    except (AttributeError, OSError, PermissionError):  # not Linux, or not allowed: plain threads
        pass


class JobQueue:
    """The job queue component (``callcenter.app`` builds it as ``jobs`` when a database is configured)."""

    name = "jobs"

    def __init__(self, db: Any, *, clock: Clock | None = None, settings: JobSettings | None = None,
                 worker_id: str | None = None) -> None:
        self.db = db
        self.clock = clock or Clock()
        self.settings = settings or JobSettings()
        self.host_prefix = f"{socket.gethostname()}:"
        self.worker = worker_id or f"{self.host_prefix}{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.types: dict[str, JobType] = {}
        self.failed_hooks: list[FailedHook] = []
        self._on_stop: list[Callable[[], Any]] = []
        self._executor: ThreadPoolExecutor | None = None
        self._running: dict[int, asyncio.Task] = {}
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task | None = None
        self._stopping = False
        self.counters = {"done": 0, "failed": 0, "retried": 0, "recovered": 0}

    # ----------------------------------------------------------------------------- registration
    def register(self, kind: str, handler: Handler, *, priority: int = 100, max_attempts: int | None = None,
                 timeout: float | None = None) -> None:
        """Handle jobs of ``kind``: ``await handler(job, ctx)`` returns the job's result (a JSON mapping
        or None) or raises (:class:`JobError` for a clear message). Lower ``priority`` runs first."""
        if kind in self.types:
            raise ValueError(f"job kind {kind!r} is already registered")
        self.types[kind] = JobType(kind, handler, priority, max_attempts, timeout)

    def on_done(self, kind: str, hook: DoneHook) -> None:
        """``await hook(job, result)`` after each success of a ``kind`` job (e.g. enqueue the next step)."""
        self._type(kind).done_hooks.append(hook)

    def on_stop(self, fn: Callable[[], Any]) -> None:
        """``fn()`` when the queue stops (after its jobs): what the job kinds own, e.g. worker processes."""
        self._on_stop.append(fn)

    def on_failed(self, hook: FailedHook, kind: str | None = None) -> None:
        """``await hook(job, error)`` when a job (of ``kind``, or any) fails for good."""
        (self._type(kind).failed_hooks if kind else self.failed_hooks).append(hook)

    def _type(self, kind: str) -> JobType:
        if kind not in self.types:
            raise ValueError(f"no job kind {kind!r} registered (known: {', '.join(sorted(self.types)) or 'none'})")
        return self.types[kind]

    @property
    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="cc-job",
                                                initializer=_lower_priority, initargs=(self.settings.nice,))
        return self._executor

    # ----------------------------------------------------------------------------- enqueue
    async def enqueue(self, kind: str, *, call_id: str | None = None, recording_id: int | None = None,
                      payload: Mapping[str, Any] | None = None, key: str | None = None,
                      priority: int | None = None, delay: float = 0.0, max_attempts: int | None = None,
                      session: Any = None) -> int:
        """Add a job (in ``session``'s transaction when given); with ``key`` at most one job per key.
        Returns the job id. The kind need not be registered in this process (another may run it)."""
        jt = self.types.get(kind)
        kw = dict(key=key, call_id=call_id, recording_id=recording_id, payload=payload,
                  priority=priority if priority is not None else (jt.priority if jt else 100),
                  max_attempts=max_attempts or (jt and jt.max_attempts) or self.settings.max_attempts,
                  run_after=self.clock.now() + delay, now=self.clock.now())
        if session is not None:
            job = await store_jobs.enqueue_job(session, kind, **kw)
        else:
            async with self.db.session() as s:
                job = await store_jobs.enqueue_job(s, kind, **kw)
        self.wake()
        return job.id

    def wake(self) -> None:
        self._wake.set()

    # ----------------------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        """Start the worker loop (it first takes back the jobs a previous run left running)."""
        self._stopping = False
        self._loop_task = asyncio.create_task(self._loop(), name="jobs-loop")

    async def stop(self) -> None:
        """Stop taking jobs; running ones are interrupted and queued again (they run after the restart)."""
        self._stopping = True
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        tasks = list(self._running.values())
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            async with self.db.session() as s:
                mine = await store_jobs.list_jobs(s, status="running", limit=None)
                for job in mine:
                    if job.worker == self.worker:
                        job.status, job.run_after, job.worker, job.lease_until = "queued", self.clock.now(), None, None
                        job.error = f"interrupted by a shutdown during attempt {job.attempts}"
        except Exception as exc:  # noqa: BLE001 - the lease will expire and recover them
            log.warning("could not requeue interrupted jobs: %s", exc)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        for fn in self._on_stop:
            try:
                await asyncio.get_running_loop().run_in_executor(None, fn)
            except Exception as exc:  # noqa: BLE001 - stopping goes on
                log.warning("stopping %s failed: %s", getattr(fn, "__qualname__", fn), exc)

    async def recover(self, startup: bool = False) -> int:
        """Queue again the jobs whose worker went away (expired lease; at start also this host's
        previous process)."""
        async with self.db.session() as s:
            rows = await store_jobs.recover_jobs(s, self.clock.now(), host_prefix=self.host_prefix if startup else None,
                                                 me=self.worker)
        for job in rows:
            log.warning("job %s (%s) was interrupted; %s", job.id, job.kind,
                        "queued again" if job.status == "queued" else "no attempt left",
                        extra={"call_id": job.call_id})
        self.counters["recovered"] += len(rows)
        return len(rows)

    async def _loop(self) -> None:
        try:
            await self.recover(startup=True)
        except Exception as exc:  # noqa: BLE001 - the leases will expire and the periodic recovery runs
            log.warning("job queue: could not recover interrupted jobs: %s", exc)
        last_recover = self.clock.now()
        while not self._stopping:
            try:
                await self._fill()
                if self.clock.now() - last_recover > self.settings.lease / 3:
                    last_recover = self.clock.now()
                    await self._renew()
                    await self.recover()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the database may be away for a moment
                log.warning("job queue: %s", exc)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_interval)
            except asyncio.TimeoutError:
                pass

    async def _renew(self) -> None:
        if self._running:
            async with self.db.session() as s:
                await store_jobs.renew_leases(s, list(self._running), self.worker,
                                              self.clock.now() + self.settings.lease)

    async def _fill(self) -> int:
        free = self.settings.workers - len(self._running)
        if free <= 0 or not self.types:
            return 0
        async with self.db.session() as s:
            jobs = await store_jobs.claim_jobs(s, self.worker, self.clock.now(), self.settings.lease,
                                               kinds=list(self.types), limit=free)
        for job in jobs:
            task = asyncio.create_task(self._run(job), name=f"job-{job.id}-{job.kind}")
            self._running[job.id] = task
            task.add_done_callback(lambda _t, jid=job.id: (self._running.pop(jid, None), self.wake()))
        return len(jobs)

    async def run_pending(self, max_jobs: int | None = None) -> int:
        """Run due jobs now, one after the other, until none is due (tests, ``callcenter jobs run``);
        returns how many ran."""
        n = 0
        while max_jobs is None or n < max_jobs:
            async with self.db.session() as s:
                jobs = await store_jobs.claim_jobs(s, self.worker, self.clock.now(), self.settings.lease,
                                                   kinds=list(self.types), limit=1)
            if not jobs:
                return n
            await self._run(jobs[0])
            n += 1
        return n

    # ----------------------------------------------------------------------------- one job
    async def _run(self, job: Job) -> None:
        jt = self.types[job.kind]
        try:
            coro = jt.handler(job, JobContext(self))
            result = await (asyncio.wait_for(coro, jt.timeout) if jt.timeout else coro)
        except asyncio.CancelledError:
            raise
        except JobError as exc:
            await self._failed(job, jt, str(exc), exc.permanent)
            return
        except asyncio.TimeoutError:
            await self._failed(job, jt, f"timed out after {jt.timeout:g} s", False)
            return
        except Exception as exc:  # noqa: BLE001 - any bug in a handler fails that job only
            log.exception("job %s (%s) raised", job.id, job.kind, extra={"call_id": job.call_id})
            await self._failed(job, jt, f"{type(exc).__name__}: {exc}", False)
            return
        async with self.db.session() as s:
            ok = await store_jobs.finish_job(s, job.id, self.worker, result, self.clock.now())
            if ok and job.call_id:
                await clear_call_error(s, job.call_id, job.kind)
        if not ok:
            log.warning("job %s (%s) finished after losing its claim; its result is dropped", job.id, job.kind)
            return
        self.counters["done"] += 1
        for hook in jt.done_hooks:
            await self._hook(hook, job, dict(result or {}))

    async def _failed(self, job: Job, jt: JobType, error: str, permanent: bool) -> None:
        now = self.clock.now()
        last = permanent or job.attempts >= job.max_attempts
        retry_at = None if last else now + self.settings.backoff(job.attempts)
        if last:
            note = f"{error} (failed{' for good' if permanent else f' after {job.attempts} attempts'})"
        else:
            note = f"{error} (attempt {job.attempts} of {job.max_attempts}; retry in {retry_at - now:.0f} s)"
        log.warning("job %s (%s): %s", job.id, job.kind, note, extra={"call_id": job.call_id})
        async with self.db.session() as s:
            ok = await store_jobs.fail_job(s, job.id, self.worker, error, now, retry_at)
            if ok and job.call_id:
                await note_call_error(s, job.call_id, job.kind, note)
        if not ok:
            return
        if not last:
            self.counters["retried"] += 1
            return
        self.counters["failed"] += 1
        for hook in jt.failed_hooks + self.failed_hooks:
            await self._hook(hook, job, error)

    async def _hook(self, hook: Callable[..., Awaitable[None]], job: Job, arg: Any) -> None:
        try:
            await hook(job, arg)
        except Exception:  # noqa: BLE001 - a hook's bug must not stop the queue
            log.exception("job hook %r failed for job %s", hook, job.id, extra={"call_id": job.call_id})

    # ----------------------------------------------------------------------------- views
    def status(self) -> dict[str, Any]:
        return {"state": "ok" if self._loop_task is not None else "stopped", "worker": self.worker,
                "workers": self.settings.workers, "running": len(self._running),
                "kinds": sorted(self.types), **self.counters}

    async def backlog(self) -> dict[str, Any]:
        """Jobs by kind and status from the database; ``backlog`` = queued + running."""
        async with self.db.session() as s:
            counts = await store_jobs.job_counts(s)
        return {"backlog": sum(v.get("queued", 0) + v.get("running", 0) for v in counts.values()),
                "by_kind": counts}
