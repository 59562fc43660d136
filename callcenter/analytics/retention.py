"""Deleting recordings: the retention sweep (per queue, ``recordings.queues.<q>.retention_days``) and
deletion by hand. A deletion removes the audio files and the recording's derived data in one
transaction, keeps the recording's row with ``status=deleted`` and ``deleted_at``, and writes a
``recording_log`` row (who, why, which files). A recording is never deleted by the sweep before its
``retain_until``; a file that cannot be removed (other than already gone) leaves the recording as it
was and the failure is logged and returned.

Derived data outside the ``transcripts`` table (analytics' own tables) is removed by the deleters named
in :data:`DERIVED_DATA` (every process) or registered with :meth:`Retention.register_deleter` (this
one): ``await fn(session, recording)`` inside the deletion's transaction.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Awaitable, Callable

from sqlalchemy import delete

from ..store.jobs import delete_jobs_of_recording
from ..store.models import Recording, Transcript
from ..store.recordings import expired_recordings, log_recording, require_recording, update_recording

log = logging.getLogger("callcenter.analytics.retention")

Deleter = Callable[[Any, Recording], Awaitable[None]]

#: Derived-data deleters every :class:`Retention` runs (the server's sweep, ``recordings delete`` and
#: the API alike): ``"module:function"`` names of ``async def fn(session, recording)``. Analytics adds
#: its own here (one line per module), so a deletion from any process removes every derived row.
DERIVED_DATA: list[str] = []


def _load(spec: str) -> Deleter:
    import importlib
    mod, _, name = spec.partition(":")
    return getattr(importlib.import_module(mod), name)


class RetentionError(Exception):
    pass


def _files(rec: Recording) -> list[Path]:
    paths = [Path(p) for p in (rec.path, rec.source_path) if p]
    return paths + [p.with_name(p.name + ".part") for p in paths]


class Retention:
    def __init__(self, db: Any) -> None:
        self.db = db
        self.deleters: list[Deleter] = []

    def register_deleter(self, fn: Deleter) -> None:
        """``await fn(session, recording)`` removes a recording's derived data (same transaction)."""
        self.deleters.append(fn)

    async def delete(self, recording_id: int, *, actor: str, reason: str, now: float,
                     action: str = "delete") -> dict[str, Any]:
        """Delete one recording's audio and derived data now; RetentionError when a file stays."""
        async with self.db.session() as s:
            rec = await require_recording(s, recording_id)
            if rec.status == "deleted":
                return {"recording_id": rec.id, "already": True}
            removed = []
            for p in _files(rec):
                try:
                    p.unlink()
                    removed.append(str(p))
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise RetentionError(f"recording {rec.id}: cannot delete {p}: {exc.strerror or exc}") from None
            for fn in [_load(spec) for spec in DERIVED_DATA] + self.deleters:
                await fn(s, rec)
            await s.execute(delete(Transcript).where(Transcript.recording_id == rec.id))
            jobs = await delete_jobs_of_recording(s, rec.id)
            await update_recording(s, rec.id, status="deleted", deleted_at=now)
            detail = {"reason": reason, "files": removed, "retain_until": rec.retain_until, "jobs_removed": jobs}
            await log_recording(s, action, recording_id=rec.id, call_id=rec.call_id, actor=actor, detail=detail,
                                now=now)
        log.info("recording %s deleted (%s): %s", recording_id, reason, ", ".join(removed) or "no file left",
                 extra={"call_id": rec.call_id})
        return {"recording_id": recording_id, "call_id": rec.call_id, **detail}

    async def sweep(self, now: float, limit: int = 500) -> dict[str, Any]:
        """Delete every recording whose retention ended before ``now``."""
        async with self.db.session() as s:
            due = [(r.id, r.retain_until, r.queue) for r in await expired_recordings(s, now, limit)]
        deleted, failed = [], []
        for rid, until, queue in due:
            if until is None or until > now:       # never before its retention
                continue
            try:
                deleted.append(await self.delete(rid, actor="retention", action="expire", now=now,
                                                 reason=f"retention of queue {queue or '-'} ended"))
            except Exception as exc:  # noqa: BLE001 - one stuck file must not stop the sweep
                log.error("retention: %s", exc)
                failed.append({"recording_id": rid, "error": str(exc)})
                async with self.db.session() as s:
                    await log_recording(s, "delete-failed", recording_id=rid, actor="retention",
                                        detail={"error": str(exc)}, now=now)
        return {"deleted": deleted, "failed": failed}
