"""REST routes for call recordings (docs/recordings.md): list / show / download / delete stored
recordings, the in-call controls (start on request, pause, resume), and the job queue's backlog.

Roles: an agent sees and downloads only the recordings of its own calls and controls only its own
call's recording; a supervisor sees all of them and controls any call's; deleting needs an admin.
Every audio download is written to ``recording_log`` (who, when, which file); a missing or unreadable
file is answered with a clear error and reported on the call's record.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiohttp import web

from ..analytics.retention import Retention, RetentionError
from ..engine import reports as rep
from ..store import jobs as store_jobs
from ..store import recordings as store_rec
from ..store.common import RepoError
from ..store.models import JOB_STATUSES, RECORDING_STATUSES
from .auth import principal, require
from .common import DB_KEY, ENGINE_KEY, engine_of, json_response
from .errors import ApiError
from .spec import Field, Route, read_body, read_query

def _db(request: web.Request) -> Any:
    db = request.app.get(DB_KEY)
    if db is None:
        raise ApiError(503, "no database: recordings are not available")
    return db


def _running_engine(request: web.Request) -> Any:
    """The engine when it runs (None otherwise): recordings in the store do not need it."""
    engine = request.app.get(ENGINE_KEY)
    return engine if engine is not None and getattr(engine, "ready", True) else None


def _retention(request: web.Request) -> Retention:
    recorder = getattr(getattr(_running_engine(request), "ports", None), "recorder", None)
    return getattr(recorder, "retention", None) or Retention(_db(request))


def _now(request: web.Request) -> float:
    engine = _running_engine(request)
    return engine.now() if engine is not None and hasattr(engine, "now") else time.time()


def _recording_id(request: web.Request) -> int:
    raw = request.match_info["recording_id"]
    if not raw.isdigit():
        raise ApiError(400, f"recording id must be a number, got {raw!r}", "recording_id")
    return int(raw)


async def _visible(request: web.Request, s: Any) -> Any:
    """The recording of the path, if the caller may see it (404 otherwise: an agent does not learn that
    another agent's recording exists)."""
    p = principal(request)
    rid = _recording_id(request)
    rec = await s.get(store_rec.Recording, rid)
    if rec is None or (not p.at_least("supervisor") and (rec.agent is None or rec.agent != p.agent_id)):
        raise ApiError(404, f"no recording {rid}", "recording_id")
    return rec


LIST_QUERY = (
    Field("queue", "string"), Field("agent", "string"),
    Field("from", "string", description="recordings started from: ISO 8601, epoch seconds, today, -2h"),
    Field("to", "string", description="... until (default now)"),
    Field("status", "string", enum=RECORDING_STATUSES), Field("call_id", "string"),
    Field("limit", "integer", minimum=1, maximum=10000),
)


def _when(q: dict, key: str, now: float) -> float | None:
    if key not in q:
        return None
    try:
        return rep.parse_time(q[key], now)
    except ValueError as exc:
        raise ApiError(400, f"query parameter '{key}': {exc}", key) from None


async def list_recordings(request: web.Request) -> web.Response:
    p = principal(request)
    q = read_query(request, LIST_QUERY)
    now = _now(request)
    agent = q.get("agent")
    if not p.at_least("supervisor"):
        if agent not in (None, p.agent_id):
            raise ApiError(403, "an agent may only list the recordings of its own calls", "agent")
        agent = p.agent_id or "\x00"
    async with _db(request).session() as s:
        rows = await store_rec.find_recordings(s, queue=q.get("queue"), agent=agent, since=_when(q, "from", now),
                                               until=_when(q, "to", now), status=q.get("status"),
                                               call_id=q.get("call_id"), limit=q.get("limit", 100))
        return json_response({"recordings": [store_rec.recording_to_dict(r) for r in rows]})


async def get_recording(request: web.Request) -> web.Response:
    async with _db(request).session() as s:
        rec = await _visible(request, s)
        log_rows = await store_rec.list_recording_log(s, recording_id=rec.id)
        jobs = await store_jobs.list_jobs(s, recording_id=rec.id, limit=None)
        return json_response({**store_rec.recording_to_dict(rec), "log": [store_rec.log_to_dict(r) for r in log_rows],
                      "jobs": [store_jobs.job_to_dict(j) for j in jobs]})


async def download_audio(request: web.Request) -> web.StreamResponse:
    """The stereo WAV (left = caller, right = agent); every download is logged."""
    p = principal(request)
    now = _now(request)
    async with _db(request).session() as s:
        rec = await _visible(request, s)
        path = Path(rec.path)
        problem = None
        if rec.status == "deleted":
            problem = (410, f"recording {rec.id} was deleted at {rec.deleted_at}")
        elif rec.status != "ready":
            problem = (409, f"recording {rec.id} is {rec.status}" + (f": {rec.error}" if rec.error else ""))
        elif not path.is_file():
            problem = (410, f"recording {rec.id}: file {path} is missing")
            await store_rec.note_call_error(s, rec.call_id, "recording", problem[1])
        else:
            try:
                with open(path, "rb"):
                    pass
            except OSError as exc:
                problem = (410, f"recording {rec.id}: file {path} cannot be read: {exc.strerror or exc}")
                await store_rec.note_call_error(s, rec.call_id, "recording", problem[1])
        await store_rec.log_recording(s, "download" if problem is None else "download-failed", recording_id=rec.id,
                                      call_id=rec.call_id, actor=p.user, now=now,
                                      detail={"role": p.role, **({"error": problem[1]} if problem else {})})
    if problem is not None:
        raise ApiError(problem[0], problem[1], "recording_id")
    return web.FileResponse(path, headers={"Content-Type": "audio/wav",
                                           "Content-Disposition": f'attachment; filename="{path.name}"'})


async def delete_recording(request: web.Request) -> web.Response:
    p = require(request, "admin")
    body = await read_body(request, DELETE_BODY)
    try:
        out = await _retention(request).delete(_recording_id(request), actor=p.user, reason=body["reason"],
                                               now=_now(request))
    except RepoError as exc:
        raise ApiError(404, str(exc), "recording_id") from None
    except RetentionError as exc:
        raise ApiError(500, str(exc), "recording_id") from None
    return json_response(out)


DELETE_BODY = (Field("reason", "string", required=True, description="why (kept in the recording log)"),)


async def call_recording(request: web.Request) -> web.Response:
    """``start`` (on request), ``pause``, ``resume`` the recording of a call in conversation."""
    p = principal(request)
    action = request.match_info["action"]
    await read_body(request, ())
    agent = None if p.at_least("supervisor") else (p.agent_id or "\x00")
    return json_response(await engine_of(request).recording(request.match_info["call_id"], action, by=p.user,
                                                  agent_id=agent))


async def call_recording_state(request: web.Request) -> web.Response:
    p = principal(request)
    agent = None if p.at_least("supervisor") else (p.agent_id or "\x00")
    return json_response(await engine_of(request).recording(request.match_info["call_id"], "status", by=p.user,
                                                  agent_id=agent))


JOBS_QUERY = (Field("status", "string", enum=JOB_STATUSES), Field("kind", "string"), Field("call_id", "string"),
              Field("limit", "integer", minimum=1, maximum=10000))


async def list_jobs(request: web.Request) -> web.Response:
    require(request, "supervisor")
    q = read_query(request, JOBS_QUERY)
    async with _db(request).session() as s:
        rows = await store_jobs.list_jobs(s, status=q.get("status"), kind=q.get("kind"), call_id=q.get("call_id"),
                                          limit=q.get("limit", 100))
        counts = await store_jobs.job_counts(s)
    backlog = sum(v.get("queued", 0) + v.get("running", 0) for v in counts.values())
    return json_response({"backlog": backlog, "by_kind": counts, "jobs": [store_jobs.job_to_dict(j) for j in rows]})


RECORDING_ROUTES: list[Route] = [
    Route("GET", "/api/recordings", list_recordings, "stored call recordings, newest first (an agent sees only "
          "its own calls')", role="agent", query=LIST_QUERY, tag="recordings"),
    Route("GET", "/api/recordings/{recording_id}", get_recording, "one recording: status, error, pauses (the "
          "marked gaps), retention, its log and jobs", role="agent", tag="recordings",
          responses={"404": "no such recording (or not the agent's)"}),
    Route("GET", "/api/recordings/{recording_id}/audio", download_audio, "the stereo WAV (left = caller, right = "
          "agent); every download is logged", role="agent", tag="recordings", produces="audio/wav",
          responses={"404": "no such recording", "409": "not finalized yet or failed", "410": "deleted or file missing"}),
    Route("DELETE", "/api/recordings/{recording_id}", delete_recording, "delete the audio and its derived data now "
          "(logged with the reason)", role="admin", body=DELETE_BODY, tag="recordings",
          responses={"404": "no such recording"}),
    Route("GET", "/api/calls/{call_id}/recording", call_recording_state, "whether a call in progress is being "
          "recorded, and paused", role="agent", tag="recordings", responses={"404": "no such call in progress"}),
    Route("POST", "/api/calls/{call_id}/recording/{action}", call_recording, "start (on request) / pause / resume "
          "the recording of a call in conversation (an agent: its own call)", role="agent", tag="recordings",
          responses={"404": "no such call in progress", "409": "not recording / already paused / not talking",
                     "503": "recording not available"}),
    Route("GET", "/api/jobs", list_jobs, "post-call job queue: backlog by kind and status, recent jobs with their "
          "errors", role="supervisor", query=JOBS_QUERY, tag="recordings"),
]
