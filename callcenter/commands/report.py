"""`callcenter report`: per queue or per agent report over an interval in 15-minute, hourly or daily
buckets (offered, answered, abandoned, SL, ASA, AHT, occupancy, pause time by reason), as a table,
CSV or JSON, from the running server (``GET /api/reports``) or, with ``--offline``, straight from the
database named by the configuration (no server needed: cron jobs, a stopped server)."""
from __future__ import annotations

import sys
import time
from typing import Any

from .toolbox import add_client_args, add_command, api_verb, client_from_args, fail, print_json, run_database, table


async def _offline(args, db) -> int:
    from ..engine.records import load_event_rows
    from ..engine.reports import build_report, parse_time
    from ..store import repo
    now = time.time()
    try:
        start, end = parse_time(args.start, now), parse_time(args.end, now)
    except ValueError as exc:
        return fail(f"--from/--to: {exc}")
    async with db.session() as s:
        targets = {q.name: float(q.sl_target or 20) for q in await repo.list_queues(s)}
    rows = await load_event_rows(db, start, end)
    try:
        lines = build_report(rows, start, end, by=args.by, bucket=args.bucket, sl_targets=targets, only=args.only)
    except ValueError as exc:
        return fail(str(exc))
    _print_report(args, {"from": start, "to": end, "bucket": args.bucket, "by": args.by, "lines": lines})
    return 0


def _analytics(args) -> int:
    """``--analytics``: conversation analytics per agent / queue (callcenter/analytics/reports.py)."""
    from .qa import report_filters, run_service
    if args.offline:
        try:
            filters = report_filters(args)
        except ValueError as exc:
            return fail(f"--from/--to: {exc}")
        if args.only:
            filters[args.by] = args.only

        async def go(svc) -> int:
            _print_analytics(args, await svc.report(args.by, **filters))
            return 0
        return run_service(args, go)
    params = {"from": args.start, "to": args.end, "by": args.by, args.by: args.only}
    _print_analytics(args, client_from_args(args).get("/api/analytics/report", **params)["lines"])
    return 0


def _print_analytics(args, lines: list[dict]) -> None:
    from .qa import analytics_table
    if args.format == "json":
        print_json(lines)
    elif args.format == "csv":
        from ..analytics.reports import analytics_csv
        sys.stdout.write(analytics_csv(lines))
    else:
        sys.stdout.write(analytics_table(lines, args.by))


@api_verb
def cmd_report(args) -> int:
    if args.analytics:
        return _analytics(args)
    if args.offline:
        return run_database(args, lambda db: _offline(args, db))
    client = client_from_args(args)
    params = {"from": args.start, "to": args.end, "bucket": args.bucket, "by": args.by, "only": args.only}
    _print_report(args, client.get("/api/reports", **params))
    return 0


def _print_report(args, data: dict) -> None:
    from ..engine.reports import to_csv
    lines = data["lines"]
    if args.format == "json":
        print_json(data)
    elif args.format == "csv":
        sys.stdout.write(to_csv(lines))
    else:
        sys.stdout.write(report_table(lines))


def report_table(lines: list[dict[str, Any]]) -> str:
    """The report as a text table for the terminal (``pause_by_reason`` as one ``reason=seconds`` column)."""
    if not lines:
        return "(no activity in this interval)\n"
    flat = []
    for line in lines:
        row = {k: v for k, v in line.items() if k != "pause_by_reason"}
        if "pause_by_reason" in line:
            row["pause_reasons"] = ",".join(f"{k}={v:g}" for k, v in line["pause_by_reason"].items()) or "-"
        flat.append(row)
    cols = list(flat[0])
    return table([["-" if r.get(c) is None else r.get(c) for c in cols] for r in flat], cols)


def register(sub) -> None:
    p = add_command(sub, "report", "call-center report per queue or agent (15m / hour / day buckets; table, CSV, JSON)")
    p.add_argument("--from", dest="start", default="today",
                   help="start: ISO 8601 (2026-11-21T08:00Z), a date, epoch seconds, today, yesterday, or relative as --from=-2h (default today)")
    p.add_argument("--to", dest="end", default="now", help="end, same forms (default now)")
    p.add_argument("--bucket", choices=("15m", "hour", "day"), default="hour")
    p.add_argument("--by", choices=("queue", "agent"), default="queue")
    p.add_argument("--only", help="one queue (--by queue) or agent (--by agent)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--analytics", action="store_true",
                   help="conversation analytics instead: average QA score, rule failure rates, risk hits, "
                        "talk/listen, silence, overtalk, mood trend (per --by)")
    p.add_argument("--offline", action="store_true",
                   help="read the database of the configuration directly instead of asking the server")
    add_client_args(p)
    p.set_defaults(func=cmd_report)
