"""`callcenter transcripts search [WORDS]`: calls whose transcript has every word (``"quoted words"``: a
phrase), with filters (queue, agent, date, risk hits, score, caller's mood), through the database's own full-text search
(SQLite FTS5 / PostgreSQL tsvector); ``transcripts show CALL``: who said what, when."""
from __future__ import annotations

import time

from . import qa
from .qa import run_service
from .toolbox import add_command, fail, print_json, table


def cmd_search(args) -> int:
    from ..engine.reports import parse_time
    now = time.time()
    filters = {"queue": args.queue, "agent": args.agent, "min_score": args.min_score, "max_score": args.max_score,
               "min_caller_mood": args.min_caller_mood, "max_caller_mood": args.max_caller_mood}
    if args.risk:
        filters["has_risk"] = True
    try:
        if args.start:
            filters["since"] = parse_time(args.start, now)
        if args.end:
            filters["until"] = parse_time(args.end, now)
    except ValueError as exc:
        return fail(f"--from/--to: {exc}")

    async def go(svc) -> int:
        rows = await svc.search(" ".join(args.words), limit=args.limit, **filters)
        if args.json:
            print_json(rows)
            return 0
        when = lambda t: time.strftime("%Y-%m-%d %H:%M", time.gmtime(t)) if t else "-"   # noqa: E731
        print(table([[r["call_id"], when(r["call_at"]), r["queue"] or "-", r["agent"] or "-",
                      "-" if r["score"] is None else f"{r['score']:g}", r["risk_count"],
                      " ".join((r["snippet"] or r["mood"] or "").split())] for r in rows],
                    ["CALL", "WHEN (UTC)", "QUEUE", "AGENT", "SCORE", "RISK", "WHERE"]), end="")
        print(f"{len(rows)} call(s)")
        return 0
    return run_service(args, go)


def cmd_show(args) -> int:
    return qa.cmd_show(args, lambda a: {"call_id": a["call_id"], "turns": (a["result"] or {}).get("turns", []),
                                        "words": (a["result"] or {}).get("words", [])})


def register(sub) -> None:
    p = add_command(sub, "transcripts", "search call transcripts by words and phrases; show one")
    tsub = p.add_subparsers(dest="transcripts_command", metavar="ACTION")
    s = add_command(tsub, "search", 'calls whose transcript has every word ("quoted words" = a phrase); '
                                    'without words, the analysed calls matching the filters')
    s.add_argument("words", nargs="*")
    s.add_argument("--queue")
    s.add_argument("--agent")
    s.add_argument("--from", dest="start", help="calls from (ISO 8601, epoch, today, -7d ...)")
    s.add_argument("--to", dest="end", help="calls before")
    s.add_argument("--risk", action="store_true", help="only calls with risk-word hits")
    s.add_argument("--min-score", type=float)
    s.add_argument("--max-score", type=float)
    s.add_argument("--min-caller-mood", type=float, help="caller's mood from (-1..1)")
    s.add_argument("--max-caller-mood", type=float, help="caller's mood up to (upset: -0.35 and below)")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)
    sh = add_command(tsub, "show", "a call's transcript: turns with times and sides, hits, mood, score")
    sh.add_argument("call")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=cmd_show)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
