"""`callcenter recordings`: stored call recordings (``list``, ``show``, ``export``, ``delete``, ``sweep``,
``jobs``, ``retry``) read from the database on this host, and the recording controls of a call in
progress on the running server (``start`` / ``pause`` / ``resume CALL``, through its API).

Every export and deletion is written to the recording log with the operating-system user."""
from __future__ import annotations

import getpass
import shutil
import time
import urllib.parse
from pathlib import Path

from .toolbox import (add_client_args, add_command, ago, api_verb, client_from_args, fail, print_json, print_table,
                      run_db)


def _when(text: str | None, what: str) -> float | None:
    if text is None:
        return None
    from ..engine.reports import parse_time
    try:
        return parse_time(text, time.time())
    except ValueError as exc:
        raise SystemExit(f"error: --{what}: {exc}") from None


def _user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001
        return "cli"


def cmd_list(args) -> int:
    from ..store import recordings as store_rec
    since, until = _when(args.since, "from"), _when(args.until, "to")

    async def run(s) -> int:
        rows = await store_rec.find_recordings(s, queue=args.queue, agent=args.agent, since=since, until=until,
                                               status=args.status, limit=args.limit)
        recs = [store_rec.recording_to_dict(r) for r in rows]
        if args.json:
            print_json(recs)
            return 0
        now = time.time()
        print_table([[r["id"], r["call_id"] or "-", r["queue"] or "-", r["agent"] or "-", r["status"] or "-",
                      ago(now, r["started_at"] or r["created_at"]),
                      f"{r['duration']:.1f}" if r["duration"] is not None else "-",
                      str(len(r["pauses"])) if r["pauses"] else "-", r["error"] or ""] for r in recs],
                    ["ID", "CALL", "QUEUE", "AGENT", "STATUS", "AGE", "SECONDS", "GAPS", "ERROR"])
        print(f"{len(recs)} recording(s)")
        return 0
    return run_db(args, run)


def cmd_show(args) -> int:
    from ..store import jobs as store_jobs
    from ..store import recordings as store_rec

    async def run(s) -> int:
        rec = await store_rec.require_recording(s, args.id)
        out = {**store_rec.recording_to_dict(rec),
               "log": [store_rec.log_to_dict(r) for r in await store_rec.list_recording_log(s, recording_id=rec.id)],
               "jobs": [store_jobs.job_to_dict(j) for j in await store_jobs.list_jobs(s, recording_id=rec.id)]}
        if args.json:
            print_json(out)
            return 0
        for k in ("id", "call_id", "status", "error", "policy", "queue", "agent", "caller", "path", "asterisk_path",
                  "duration", "channels", "layout", "size_bytes", "retain_until", "deleted_at"):
            print(f"{k:14} {_fmt(k, out[k])}")
        for p in out["pauses"]:
            print(f"{'gap':14} at {p['offset']:.1f} s for {p['duration'] if p['duration'] is not None else '?'} s "
                  f"(paused by {p.get('by') or '-'}, resumed by {p.get('resumed_by') or '-'})")
        for j in out["jobs"]:
            print(f"{'job':14} {j['id']} {j['kind']} {j['status']} attempts {j['attempts']}/{j['max_attempts']}"
                  + (f": {j['error']}" if j["error"] else ""))
        for row in out["log"]:
            print(f"{'log':14} {_fmt('ts', row['ts'])} {row['action']} by {row['actor'] or '-'} {row['detail'] or ''}")
        return 0
    return run_db(args, run)


def _fmt(key: str, value) -> str:
    if value is None:
        return "-"
    if key in ("retain_until", "deleted_at", "ts") and isinstance(value, (int, float)):
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(value))
    return str(value)


def cmd_export(args) -> int:
    from ..store import recordings as store_rec

    async def run(s) -> int:
        rec = await store_rec.require_recording(s, args.id)
        src = Path(rec.path)
        if rec.status != "ready":
            return fail(f"recording {rec.id} is {rec.status}" + (f": {rec.error}" if rec.error else ""))
        if not src.is_file():
            msg = f"recording {rec.id}: file {src} is missing"
            await store_rec.note_call_error(s, rec.call_id, "recording", msg)
            await store_rec.log_recording(s, "export-failed", recording_id=rec.id, call_id=rec.call_id,
                                          actor=_user(), detail={"error": msg})
            return fail(msg)
        dest = Path(args.output) if args.output else Path(src.name)
        if dest.is_dir():
            dest = dest / src.name
        shutil.copyfile(src, dest)
        await store_rec.log_recording(s, "export", recording_id=rec.id, call_id=rec.call_id, actor=_user(),
                                      detail={"to": str(dest.resolve())})
        print(f"{dest} (stereo WAV: left = caller, right = agent; {rec.duration or 0:.1f} s)")
        return 0
    return run_db(args, run)


def cmd_delete(args) -> int:
    from ..analytics.retention import Retention

    async def run(db) -> int:
        out = await Retention(db).delete(args.id, actor=_user(), reason=args.reason, now=time.time())
        print(f"recording {args.id}: " + ("already deleted" if out.get("already") else
                                          f"deleted ({len(out['files'])} file(s) removed)"))
        return 0
    return _with_database(args, run)


def cmd_sweep(args) -> int:
    from ..analytics.retention import Retention
    from ..store.recordings import expired_recordings

    async def run(db) -> int:
        now = time.time()
        if args.dry_run:
            async with db.session() as s:
                rows = await expired_recordings(s, now)
            print_table([[r.id, r.call_id or "-", r.queue or "-", _fmt("retain_until", r.retain_until)] for r in rows],
                        ["ID", "CALL", "QUEUE", "RETAINED UNTIL"])
            print(f"{len(rows)} recording(s) would be deleted")
            return 0
        out = await Retention(db).sweep(now)
        for f in out["failed"]:
            print(f"error: {f['error']}")
        print(f"{len(out['deleted'])} recording(s) deleted, {len(out['failed'])} failed")
        return 1 if out["failed"] else 0
    return _with_database(args, run)


def _with_database(args, fn) -> int:
    from ..analytics.retention import RetentionError
    from .toolbox import _run_database, load_config_from, quiet_logging
    from ..store.db import open_database
    cfg = load_config_from(args)
    quiet_logging(cfg)

    async def guarded(db) -> int:
        try:
            return await fn(db)
        except RetentionError as exc:
            return fail(str(exc))
    return _run_database(lambda: open_database(cfg.database_url), guarded)


def cmd_jobs(args) -> int:
    from ..store import jobs as store_jobs

    async def run(s) -> int:
        rows = [store_jobs.job_to_dict(j) for j in await store_jobs.list_jobs(s, status=args.status, kind=args.kind,
                                                                               limit=args.limit)]
        counts = await store_jobs.job_counts(s)
        if args.json:
            print_json({"by_kind": counts, "jobs": rows})
            return 0
        now = time.time()
        print_table([[j["id"], j["kind"], j["call_id"] or "-", j["status"], f"{j['attempts']}/{j['max_attempts']}",
                      ago(now, j["created_at"]), (j["error"] or "")[:70]] for j in rows],
                    ["ID", "KIND", "CALL", "STATUS", "TRIES", "AGE", "ERROR"])
        backlog = sum(v.get("queued", 0) + v.get("running", 0) for v in counts.values())
        print(f"backlog: {backlog} job(s); " + ", ".join(f"{k}: " + " ".join(f"{st}={n}" for st, n in sorted(v.items()))
                                                     for k, v in sorted(counts.items())))
        return 0
    return run_db(args, run)


def cmd_retry(args) -> int:
    from ..store import jobs as store_jobs

    async def run(s) -> int:
        job = await store_jobs.retry_job(s, args.job)
        print(f"job {job.id} ({job.kind}) queued again; the running server picks it up")
        return 0
    return run_db(args, run)


def _control(action: str):
    @api_verb
    def cmd(args) -> int:
        path = f"/api/calls/{urllib.parse.quote(args.call, safe='')}/recording/{action}"
        out = client_from_args(args).post(path)["recording"] or {}
        gaps = out.get("pauses") or []
        state = "paused" if gaps and gaps[-1].get("resumed_at") is None else "recording"
        print(f"{args.call}: {state} (recording {out.get('id')}, {len(gaps)} gap(s))")
        return 0
    return cmd


def register(sub) -> None:
    p = add_command(sub, "recordings", "call recordings: list, show, export, delete, retention sweep, jobs; "
                                       "start / pause / resume a call's recording")
    rsub = p.add_subparsers(dest="recordings_command", metavar="ACTION", required=True)
    m = add_command(rsub, "list", "stored recordings, newest first")
    m.add_argument("--queue")
    m.add_argument("--agent")
    m.add_argument("--from", dest="since", help="started from: ISO 8601, epoch seconds, today, yesterday, -2h")
    m.add_argument("--to", dest="until", help="started before (same forms)")
    m.add_argument("--status", choices=("recording", "pending", "ready", "failed", "deleted"))
    m.add_argument("--limit", type=int, default=100)
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_list)
    m = add_command(rsub, "show", "one recording: status, error, gaps, retention, jobs, log")
    m.add_argument("id", type=int)
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_show)
    m = add_command(rsub, "export", "copy a recording's stereo WAV (logged)")
    m.add_argument("id", type=int)
    m.add_argument("-o", "--output", help="file or directory (default: the file name, here)")
    m.set_defaults(func=cmd_export)
    m = add_command(rsub, "delete", "delete a recording's audio and derived data now (logged)")
    m.add_argument("id", type=int)
    m.add_argument("--reason", required=True, help="why (kept in the recording log)")
    m.set_defaults(func=cmd_delete)
    m = add_command(rsub, "sweep", "run the retention sweep now (the server runs it every "
                                   "recordings.retention_interval seconds)")
    m.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    m.set_defaults(func=cmd_sweep)
    m = add_command(rsub, "jobs", "the post-call job queue: backlog and jobs with their errors")
    m.add_argument("--status", choices=("queued", "running", "done", "failed"))
    m.add_argument("--kind")
    m.add_argument("--limit", type=int, default=50)
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_jobs)
    m = add_command(rsub, "retry", "queue a failed job again (attempts reset)")
    m.add_argument("job", type=int)
    m.set_defaults(func=cmd_retry)
    for action, text in (("start", "start recording a call in conversation (on request)"),
                         ("pause", "pause a call's recording (a marked gap: card numbers ...)"),
                         ("resume", "resume a paused recording")):
        m = add_command(rsub, action, text)
        m.add_argument("call")
        add_client_args(m)
        m.set_defaults(func=_control(action))
