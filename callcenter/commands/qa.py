"""`callcenter qa`: conversation analytics from the command line, straight on the configured database
(no server needed; the server runs the same analysis as a post-call job).

* ``qa score CALL [--file WAV]``: analyse a call's recording now (transcribe both sides, risk words, mood,
  the scorecard) and store it; prints the score with each rule's evidence.
* ``qa show CALL``: the stored analysis (turns with times and sides, hits, mood, score).
* ``qa override CALL RULE --pass|--fail --comment TEXT``: a supervisor's override (kept beside the
  automatic result); ``--clear`` removes it.
* ``qa report [--by agent|queue]``: average score, rule failure rates, risk hits, talk/listen, silence,
  overtalk, mood trend (also ``callcenter report --analytics``).
* ``qa check [FILE ...]``: validate risk-word and scorecard files (``file:line:column`` errors).
"""
from __future__ import annotations

import asyncio
import getpass
import sys
import time
from typing import Any

from .toolbox import add_command, fail, load_config_from, print_json, quiet_logging, table


def analytics_service(cfg, db):
    """The service the CLI verbs use: the configuration's speech models, no bus (no server to alert)."""
    from ..analytics.service import AnalyticsService
    from ..speech.service import SpeechService
    return AnalyticsService(db, SpeechService(cfg.speech), None, cfg.analytics)


def run_service(args, fn) -> int:
    """Open the configured database (schema upgraded) and run ``fn(service)``; an analysis or rules-file
    error is one line on stderr and exit status 1."""
    from ..analytics.service import OverrideError
    from ..analytics.transcribe import AnalysisError
    from ..store.db import open_database
    cfg = load_config_from(args)
    quiet_logging(cfg)

    async def main() -> int:
        db = await open_database(cfg.database_url, echo=cfg.database.echo)
        try:
            return int(await fn(analytics_service(cfg, db)) or 0)
        finally:
            await db.close()
    from ..store.db import DatabaseError
    from ..store.common import RepoError
    try:
        return asyncio.run(main())
    except (AnalysisError, DatabaseError, OverrideError, RepoError) as exc:
        return fail(f"error: {exc}")


def _mmss(t: float | None) -> str:
    from ..analytics.conversation import mmss
    return "-" if t is None else mmss(t)


def print_analysis(a: dict[str, Any], words: bool = True) -> None:
    r = a.get("result") or {}
    print(f"call {a['call_id']}: {a['status']}" + (f" ({a['error']})" if a.get("error") else ""))
    print(f"  queue {a.get('queue') or '-'}, agent {a.get('agent') or '-'}, language {a.get('language') or '-'}, "
          f"{a.get('engine') or '-'}, {a.get('duration') or 0:.1f} s")
    if a["status"] != "done":
        return
    m = r.get("metrics", {})
    print(f"  talk caller {m.get('caller_talk_s', 0):.1f} s / agent {m.get('agent_talk_s', 0):.1f} s, "
          f"overtalk {m.get('overtalk_s', 0):.1f} s, silence {m.get('silence_pct', 0):.1f} %, "
          f"holds {m.get('hold_s', 0):.0f} s")
    print(f"  mood: {(r.get('mood') or {}).get('summary', '-')}")
    for g in r.get("gaps", []):
        print(f"  paused at {_mmss(g.get('offset'))}: {g.get('duration') or 0:.0f} s of the call not recorded")
    for h in r.get("risk_hits", []):
        print(f"  RISK {h['at']} {h['side']}: '{h['heard']}' ({h['list']}, {h['kind']} '{h['term']}', {h['severity']})")
    qa = r.get("qa")
    if qa:
        print(f"  scorecard {qa['scorecard']}: score {qa['score']:g} ({'passed' if qa['passed'] else 'FAILED'}, "
              f"pass mark {qa['pass_mark']:g})")
        for rule in qa["rules"]:
            o = rule.get("override")
            mark = "pass" if rule["passed"] else "FAIL"
            extra = (f" [override by {o.get('by')}: {o.get('comment') or ''}; automatic: "
                     f"{'pass' if rule['auto']['passed'] else 'fail'}]" if o else "")
            print(f"    {mark:4} {rule['id']:<14} x{rule['weight']:g}  {rule['auto']['detail']}{extra}")
    if words:
        for t in r.get("turns", []):
            print(f"  {_mmss(t['start'])} {t['side']:>6}: {t['text']}")


def cmd_score(args) -> int:
    async def go(svc) -> int:
        a = await svc.analyze_call(args.call, args.file, language=args.language, queue=args.queue, agent=args.agent)
        a = await svc.get(args.call)
        print_json(a) if args.json else print_analysis(a, words=args.words)
        return 0
    return run_service(args, go)


def cmd_show(args, json_view=None) -> int:
    """Print a call's stored analysis (``json_view(analysis)``: what ``--json`` prints, default all)."""
    async def go(svc) -> int:
        a = await svc.get(args.call)
        if a is None:
            return fail(f"call {args.call} has no analysis (run: callcenter qa score {args.call})")
        print_json((json_view or (lambda x: x))(a)) if args.json else print_analysis(a)
        return 0
    return run_service(args, go)


def cmd_override(args) -> int:
    if args.clear == (args.passed is not None):
        return fail("give --pass or --fail (with --comment), or --clear")
    by = args.by or getpass.getuser()

    async def go(svc) -> int:
        a = await svc.override(args.call, args.rule, args.passed, args.comment or "", by)
        print(f"call {args.call}: rule {args.rule} {'override removed' if args.clear else 'overridden'}; "
              f"score now {a['score']:g}")
        return 0
    return run_service(args, go)


def report_filters(args) -> dict[str, Any]:
    from ..engine.reports import parse_time
    now = time.time()
    out: dict[str, Any] = {}
    if getattr(args, "start", None):
        out["since"] = parse_time(args.start, now)
    if getattr(args, "end", None):
        out["until"] = parse_time(args.end, now)
    for key in ("queue", "agent"):
        if getattr(args, key, None):
            out[key] = getattr(args, key)
    return out


def analytics_table(lines: list[dict[str, Any]], by: str) -> str:
    if not lines:
        return "(no analysed calls in this interval)\n"
    cols = [by, "calls", "failed", "avg_score", "risk_hits", "talk_listen_ratio", "silence_pct", "overtalk_pct",
            "caller_mood", "agent_mood", "worst_rules"]
    rows = []
    for line in lines:
        worst = sorted(line["rule_failure_rates"].items(), key=lambda kv: -kv[1])[:3]
        rows.append([("-" if line.get(c) is None else line.get(c)) for c in cols[:-1]]
                    + [",".join(f"{k}={v:.0%}" for k, v in worst if v > 0) or "-"])
    return table(rows, cols)


def cmd_report(args) -> int:
    try:
        filters = report_filters(args)
    except ValueError as exc:
        return fail(f"--from/--to: {exc}")

    async def go(svc) -> int:
        lines = await svc.report(args.by, **filters)
        if args.format == "csv":
            from ..analytics.reports import analytics_csv
            sys.stdout.write(analytics_csv(lines))
        else:
            print_json(lines) if args.format == "json" else sys.stdout.write(analytics_table(lines, args.by))
        return 0
    return run_service(args, go)


def cmd_check(args) -> int:
    from ..analytics.riskwords import load_risk_lists
    from ..analytics.scorecard import load_scorecard
    from ..analytics.yamlcheck import RulesFileError
    cfg = load_config_from(args)
    files = [("risk", p) for p in args.risk] + [("card", p) for p in args.scorecard]
    if not files:
        from ..analytics.service import scorecard_files
        if cfg.analytics.risk_words:
            files.append(("risk", cfg.analytics.risk_words))
        files += [("card", str(p)) for p in scorecard_files(cfg.analytics.scorecards)]
    if not files:
        return fail("nothing to check: give --risk FILE / --scorecard FILE, or set analytics.risk_words / "
                    "analytics.scorecards")
    bad = 0
    for kind, path in files:
        try:
            loaded = load_risk_lists(path) if kind == "risk" else load_scorecard(path)
        except RulesFileError as exc:
            bad += 1
            print(str(exc), file=sys.stderr)
            continue
        what = (f"{len(loaded.lists)} risk-word list(s)" if kind == "risk"
                else f"scorecard '{loaded.name}', {len(loaded.rules)} rule(s)")
        print(f"{path}: ok ({what})")
    return 1 if bad else 0


def register(sub) -> None:
    p = add_command(sub, "qa", "conversation analytics: score a call's recording, overrides, reports, rule files")
    qsub = p.add_subparsers(dest="qa_command", metavar="ACTION")
    s = add_command(qsub, "score", "analyse a call's recording now and store it (transcript, risk words, mood, "
                                   "scorecard)")
    s.add_argument("call", help="the call's id (its recording is found through the call's record)")
    s.add_argument("--file", help="a stereo WAV to analyse as this call (caller left, agent right)")
    s.add_argument("--language", help="language of the call (default: analytics.languages / the call's / "
                                      "analytics.default_language)")
    s.add_argument("--queue", help="queue (chooses risk-word lists and the scorecard)")
    s.add_argument("--agent", help="agent of the call")
    s.add_argument("--words", action="store_true", help="also print the turns")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_score)
    sh = add_command(qsub, "show", "the stored analysis of a call")
    sh.add_argument("call")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=cmd_show)
    o = add_command(qsub, "override", "override one scorecard rule's result (kept beside the automatic one)")
    o.add_argument("call")
    o.add_argument("rule", help="the rule's id in the scorecard")
    g = o.add_mutually_exclusive_group()
    g.add_argument("--pass", dest="passed", action="store_const", const=True)
    g.add_argument("--fail", dest="passed", action="store_const", const=False)
    o.add_argument("--clear", action="store_true", help="remove the override")
    o.add_argument("--comment", help="why")
    o.add_argument("--by", help="who (default: your login name)")
    o.set_defaults(func=cmd_override, passed=None)
    r = add_command(qsub, "report", "per agent or queue: average score, rule failure rates, risk hits, "
                                    "talk/listen, silence, overtalk, mood")
    add_report_args(r)
    r.set_defaults(func=cmd_report)
    c = add_command(qsub, "check", "validate risk-word and scorecard files (default: the configured ones)")
    c.add_argument("--risk", action="append", default=[], metavar="FILE")
    c.add_argument("--scorecard", action="append", default=[], metavar="FILE")
    c.set_defaults(func=cmd_check)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def add_report_args(r) -> None:
    r.add_argument("--by", choices=("agent", "queue"), default="agent")
    r.add_argument("--from", dest="start", help="start (ISO 8601, epoch, today, -7d ...)")
    r.add_argument("--to", dest="end", help="end, same forms")
    r.add_argument("--queue")
    r.add_argument("--agent")
    r.add_argument("--format", choices=("table", "json", "csv"), default="table")
