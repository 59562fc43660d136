"""`callcenter report`: per queue or per agent report over an interval in 15-minute, hourly or daily
buckets (offered, answered, abandoned, SL, ASA, AHT, occupancy, pause time by reason), as a table,
CSV or JSON, from the running server (``GET /api/reports``) or, with ``--offline``, straight from the
database named by the configuration (no server needed: cron jobs, a stopped server)."""
from __future__ import annotations

import asyncio
import sys
import time

from ..client import _print_json, add_client_args, client_from_args, run
from . import add_command, load_config_from


async def _offline(args) -> dict:
    from ..engine.records import load_event_rows
    from ..engine.reports import build_report, parse_time
    from ..store import repo
    from ..store.db import Database, DatabaseError
    cfg = load_config_from(args)
    now = time.time()
    try:
        start, end = parse_time(args.start, now), parse_time(args.end, now)
    except ValueError as exc:
        raise SystemExit(f"callcenter: --from/--to: {exc}") from None
    db = Database(cfg.database_url)
    try:
        await db.connect()
        async with db.session() as s:
            targets = {q.name: float(q.sl_target or 20) for q in await repo.list_queues(s)}
        rows = await load_event_rows(db, start, end)
    except DatabaseError as exc:
        raise SystemExit(f"callcenter: {exc}") from None
    finally:
        await db.close()
    try:
        lines = build_report(rows, start, end, by=args.by, bucket=args.bucket, sl_targets=targets, only=args.only)
    except ValueError as exc:
        raise SystemExit(f"callcenter: {exc}") from None
    return {"from": start, "to": end, "bucket": args.bucket, "by": args.by, "lines": lines}


@run
def cmd_report(args) -> int:
    from ..engine.reports import to_csv, to_table
    if args.offline:
        data = asyncio.run(_offline(args))
    else:
        client = client_from_args(args)
        params = {"from": args.start, "to": args.end, "bucket": args.bucket, "by": args.by, "only": args.only}
        data = client.get("/api/reports", **params)
    lines = data["lines"]
    if args.format == "json":
        _print_json(data)
    elif args.format == "csv":
        sys.stdout.write(to_csv(lines))
    else:
        sys.stdout.write(to_table(lines))
    return 0


def register(sub) -> None:
    p = add_command(sub, "report", "call-center report per queue or agent (15m / hour / day buckets; table, CSV, JSON)")
    p.add_argument("--from", dest="start", default="today",
                   help="start: ISO 8601 (2026-11-21T08:00Z), a date, epoch seconds, today, yesterday, or relative as --from=-2h (default today)")
    p.add_argument("--to", dest="end", default="now", help="end, same forms (default now)")
    p.add_argument("--bucket", choices=("15m", "hour", "day"), default="hour")
    p.add_argument("--by", choices=("queue", "agent"), default="queue")
    p.add_argument("--only", help="one queue (--by queue) or agent (--by agent)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--offline", action="store_true",
                   help="read the database of the configuration directly instead of asking the server")
    add_client_args(p)
    p.set_defaults(func=cmd_report)
