"""`callcenter report`: per queue or per agent report over an interval in 15-minute, hourly or daily
buckets (offered, answered, abandoned, SL, ASA, AHT, occupancy, pause time by reason), as a table,
CSV or JSON, from the running server (``GET /api/reports``)."""
from __future__ import annotations

import sys

from ..client import _print_json, add_client_args, client_from_args, run
from . import add_command


@run
def cmd_report(args) -> int:
    from ..engine.reports import to_csv, to_table
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
    add_client_args(p)
    p.set_defaults(func=cmd_report)
