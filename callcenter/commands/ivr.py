"""`callcenter ivr`: check, try and draw IVR flows.

* ``callcenter ivr validate [FILES...]``: every problem as ``file:line:column: node 'x': message``.
* ``callcenter ivr try [FLOW] [--did D] [--caller N] [--at 2026-11-23T10:00] [--lang L] [--wav DIR]``:
  play the caller in the terminal (or from piped stdin).
* ``callcenter ivr graph FLOW -o FILE.svg|.png|.dot``: a picture of the flow.
* ``callcenter ivr list``: flows in the flows directory, their DIDs and problems.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .toolbox import add_command, load_config_from, print_json


def register(sub) -> None:
    p = add_command(sub, "ivr", "IVR flows: validate, try in a console, draw, list")
    isub = p.add_subparsers(dest="ivr_command", metavar="ACTION")
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])

    v = add_command(isub, "validate", "check flow files (schema + semantic checks); exit 1 on errors",
                    epilog="Each problem is printed as FILE:LINE:COLUMN: node 'NAME': MESSAGE.")
    v.add_argument("files", nargs="*", help="flow files or directories (default: ivr.flows_dir)")
    v.add_argument("--queues", help="comma-separated known queue names (default: from the database, if any)")
    v.add_argument("--skills", help="comma-separated known skill names (default: from the database, if any)")
    v.add_argument("--sounds", action="append", metavar="DIR",
                   help="directory of recordings that `file:` prompts must exist in (repeatable)")
    v.add_argument("--no-db", action="store_true", help="do not read queues/skills from the database")
    v.add_argument("--strict", action="store_true", help="warnings also make the exit code 1")
    v.add_argument("--json", action="store_true", help="print the problems as JSON")
    v.set_defaults(func=cmd_validate)

    t = add_command(isub, "try", "walk a flow in the console: you play the caller",
                    epilog="Type digits to press keys, any other text to speak (matched like speech), an "
                           "empty line for silence, 'hangup' to hang up. Reads piped stdin too.")
    t.add_argument("flow", nargs="?", help="flow name (in ivr.flows_dir) or a flow file; default: the flow of --did")
    t.add_argument("--did", default="", help="dialled number (picks the flow through ivr.dids when FLOW is omitted)")
    t.add_argument("--caller", default="+15550001234", help="caller number (default +15550001234)")
    t.add_argument("--caller-name", default="", help="caller name")
    t.add_argument("--at", help="clock for the call, e.g. 2026-11-23T10:00 (local time of the flow's time zone "
                                "unless it carries an offset); default: now")
    t.add_argument("--lang", help="caller language at the start (default: the flow's)")
    t.add_argument("--wav", metavar="DIR", help="also speak every text prompt into numbered WAV files in DIR")
    t.add_argument("--no-speech", action="store_true", help="behave as if speech recognition were unavailable")
    t.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                   help="set a flow variable before the call starts (repeatable), e.g. orders_api=http://...")
    t.add_argument("--flows-dir", help="directory of flows (default: ivr.flows_dir)")
    t.add_argument("--trace-json", metavar="FILE", help="write the outcome and full trace as JSON to FILE ('-' = stdout)")
    t.set_defaults(func=cmd_try)

    g = add_command(isub, "graph", "draw a flow (SVG, PNG, PDF or DOT)")
    g.add_argument("flow", help="flow name (in ivr.flows_dir) or a flow file")
    g.add_argument("-o", "--output", required=True, help="output file: .svg, .png, .pdf or .dot")
    g.add_argument("--format", choices=["svg", "png", "pdf", "dot"], help="format (default: from the extension)")
    g.add_argument("--flows-dir", help="directory of flows (default: ivr.flows_dir)")
    g.set_defaults(func=cmd_graph)

    ls = add_command(isub, "list", "list the flows, their DIDs and problems")
    ls.add_argument("--flows-dir", help="directory of flows (default: ivr.flows_dir)")
    ls.set_defaults(func=cmd_list)


# ------------------------------------------------------------------------------------------------

class _Exit(Exception):
    """Stop a command with an exit code (the message was already printed)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _exits(fn):
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except _Exit as exc:
            return exc.code
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _split(s: str | None) -> set[str] | None:
    if s is None:
        return None
    return {x.strip() for x in s.split(",") if x.strip()}


def _db_names(cfg: Any) -> tuple[set[str] | None, set[str] | None, str | None]:
    """Queues and skills from the database when it is a local SQLite file that exists."""
    try:
        from ..store.db import Database, is_sqlite, normalize_url
        url = normalize_url(cfg.database_url)
        if is_sqlite(url):
            from sqlalchemy.engine import make_url
            dbfile = make_url(url).database
            if not dbfile or not Path(dbfile).exists():
                return None, None, None
        else:
            return None, None, None
    except Exception as exc:  # noqa: BLE001
        return None, None, f"database not read: {exc}"

    async def read() -> tuple[set[str], set[str]]:
        from ..engine.flow_store import known_queues_and_skills
        db = Database(url)
        try:
            await db.connect()
            return await known_queues_and_skills(db)
        finally:
            await db.close()
    try:
        queues, skills = asyncio.run(read())
    except Exception as exc:  # noqa: BLE001 - validation works without the database
        return None, None, f"queues/skills not checked against the database: {exc}"
    return (queues or None), (skills or None), None


@_exits
def cmd_validate(args: argparse.Namespace) -> int:
    from ..ivr.loader import check_flow_file, check_flows, flow_files
    cfg = load_config_from(args)
    queues, skills = _split(args.queues), _split(args.skills)
    note = None
    if not args.no_db and (queues is None or skills is None):
        dq, ds, note = _db_names(cfg)
        queues = queues if queues is not None else dq
        skills = skills if skills is not None else ds
    targets = [Path(f) for f in args.files] or [cfg.flows_dir]
    files: list[Path] = []
    for t in targets:
        if t.is_dir():
            found = flow_files(t)
            if not found:
                print(f"{t}: no *.yaml flow files here", file=sys.stderr)
            files += found
        else:
            files.append(t)
    sounds = args.sounds
    problems = []
    flows = {}
    for f in files:
        flow, errs = check_flow_file(f, queues=queues, skills=skills, sound_dirs=sounds)
        problems += errs
        if flow is not None:
            flows[flow.name] = flow
    # subflow/goto targets: the flows checked here plus the ones already in the flows directory
    known = {}
    if cfg.flows_dir.is_dir():
        from ..ivr.loader import load_flows_dir
        known, _ = load_flows_dir(cfg.flows_dir)
    checked = {str(f) for f in files}
    problems += [e for e in check_flows({**known, **flows}) if e.file in checked]
    n_err = sum(1 for p in problems if p.severity == "error")
    n_warn = len(problems) - n_err
    if args.json:
        print_json({"files": [str(f) for f in files], "errors": n_err, "warnings": n_warn,
                    "problems": [p.to_dict() for p in problems]})
    else:
        for p in problems:
            print(p)
        checked = f"{len(files)} file(s) checked"
        if note:
            print(f"note: {note}", file=sys.stderr)
        if queues is None or skills is None:
            missing = " and ".join(x for x, v in (("queues", queues), ("skills", skills)) if v is None)
            print(f"note: {missing} not checked (give --queues/--skills or provision the database)", file=sys.stderr)
        print(f"{checked}: {n_err} error(s), {n_warn} warning(s)", file=sys.stderr)
    if n_err or (args.strict and n_warn):
        return 1
    return 0


def _resolve_flow(cfg: Any, ref: str | None, flows_dir: str | None, did: str = "") -> tuple[Any, dict, list]:
    """(flow, all flows for subflows, problems) for a name or a path; raises _Exit after printing a message."""
    from ..ivr.loader import check_flow_file, load_flows_dir
    fdir = Path(flows_dir) if flows_dir else cfg.flows_dir
    flows, problems = load_flows_dir(fdir) if fdir.is_dir() else ({}, [])
    if ref is None:
        ref = cfg.ivr.dids.get(did) or cfg.ivr.default_flow
    p = Path(ref)
    if p.suffix in (".yaml", ".yml") or p.exists():
        flow, errs = check_flow_file(p)
        if flow is None:
            for e in errs:
                print(e, file=sys.stderr)
            raise _Exit(1)
        flows = dict(flows)
        flows[flow.name] = flow
        return flow, flows, errs
    if ref not in flows:
        bad = [e for e in problems if Path(e.file).stem == ref and e.severity == "error"]
        if bad:
            for e in bad:
                print(e, file=sys.stderr)
            print(f"callcenter ivr: flow '{ref}' has errors (see above)", file=sys.stderr)
            raise _Exit(1)
        known = ", ".join(sorted(flows)) or "none"
        print(f"callcenter ivr: no flow named '{ref}' in {fdir} (flows: {known})", file=sys.stderr)
        raise _Exit(2)
    return flows[ref], flows, problems


def _parse_at(text: str, tz_name: str) -> float:
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        print(f"callcenter ivr try: --at {text!r} is not a date and time like 2026-11-23T10:00", file=sys.stderr)
        raise _Exit(2) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo(tz_name))
    return dt.timestamp()


def _make_synthesizer(cfg: Any) -> Any:
    """The speech area's prompt synthesizer (espeak-ng, cached in prompts.dir), for ``--wav``."""
    from ..speech.synth import PromptSynthesizer
    return PromptSynthesizer.from_config(cfg)


@_exits
def cmd_try(args: argparse.Namespace) -> int:
    from ..clock import Clock, FakeClock
    from ..ivr.channel import CallInfo
    from ..ivr.console import ConsoleChannel, describe_trace
    from ..ivr.runner import run_flow
    cfg = load_config_from(args)
    variables = {}
    for item in args.var:
        name, eq, value = item.partition("=")
        if not eq or not name.strip().isidentifier():
            print(f"callcenter ivr try: --var {item!r} is not NAME=VALUE", file=sys.stderr)
            return 2
        variables[name.strip()] = value
    flow, flows, _ = _resolve_flow(cfg, args.flow, args.flows_dir, args.did)
    clock = FakeClock(_parse_at(args.at, flow.timezone)) if args.at else Clock()
    synth = None
    if args.wav:
        try:
            synth = _make_synthesizer(cfg)
        except Exception as exc:  # noqa: BLE001
            print(f"callcenter ivr try: --wav needs speech synthesis: {exc}", file=sys.stderr)
            return 2
    info = CallInfo(call_id=f"try-{int(clock.now())}", caller=args.caller, caller_name=args.caller_name,
                    did=args.did, language=args.lang or flow.language)
    out = sys.stdout
    ch = ConsoleChannel(info, stdout=out, speech=not args.no_speech, synthesizer=synth, wav_dir=args.wav,
                        recordings_dir=args.wav or None)
    local = datetime.fromtimestamp(clock.now(), ZoneInfo(flow.timezone))
    print(f"== flow {flow.name} (version {flow.content_hash}) from {flow.source}", file=out)
    print(f"== caller {info.caller} dialled {info.did or '-'} at {local.strftime('%Y-%m-%d %H:%M %Z (%a)')}; "
          f"speech {'on' if not args.no_speech else 'off'}", file=out)
    path: list[str] = []

    def on_trace(entry) -> None:
        if entry.kind == "enter":
            label = entry.node if entry.flow == flow.name else f"{entry.flow}:{entry.node}"
            path.append(label)
            print(f"-> {label} ({entry.data.get('type')})", file=out)
            return
        line = describe_trace(entry)
        if line is not None:
            print(f"   {line}", file=out)

    outcome = asyncio.run(run_flow(flow, ch, clock=clock, call_data=info, flows=flows, on_trace=on_trace,
                                   fallback_queue=cfg.ivr.fallback_queue, variables=variables))
    print(f"== path: {' -> '.join(path)}", file=out)
    print(f"== outcome: {outcome.summary()}", file=out)
    shown_vars = {k: v for k, v in outcome.variables.items()}
    print(f"== variables: {json.dumps(shown_vars, ensure_ascii=False, default=str)}", file=out)
    if ch.wav_files:
        print(f"== {len(ch.wav_files)} prompt(s) spoken to {args.wav}", file=out)
    if args.trace_json:
        data = json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False)
        if args.trace_json == "-":
            print(data, file=out)
        else:
            Path(args.trace_json).write_text(data + "\n", encoding="utf-8")
    return 0


@_exits
def cmd_graph(args: argparse.Namespace) -> int:
    from ..ivr.graph import GraphError, render
    cfg = load_config_from(args)
    flow, _, _ = _resolve_flow(cfg, args.flow, args.flows_dir)
    try:
        out = render(flow, args.output, args.format)
    except GraphError as exc:
        print(f"callcenter ivr graph: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"callcenter ivr graph: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({len(flow.nodes)} nodes)")
    return 0


@_exits
def cmd_list(args: argparse.Namespace) -> int:
    from ..ivr.loader import load_flows_dir
    cfg = load_config_from(args)
    fdir = Path(args.flows_dir) if args.flows_dir else cfg.flows_dir
    flows, problems = load_flows_dir(fdir)
    dids = cfg.ivr.dids
    default = cfg.ivr.default_flow
    print(f"{'FLOW':<16} {'NODES':>5}  {'VERSION':<16}  {'DIDS':<20} FILE")
    for name, f in sorted(flows.items()):
        ds = [d for d, n in dids.items() if n == name]
        if name == default:
            ds.append("(default)")
        print(f"{name:<16} {len(f.nodes):>5}  {f.content_hash:<16}  {', '.join(ds) or '-':<20} {f.source}")
    for d, n in dids.items():
        if n not in flows:
            print(f"warning: DID {d} maps to flow '{n}', which is not loaded", file=sys.stderr)
    if default not in flows:
        print(f"warning: the default flow '{default}' (ivr.default_flow) is not loaded", file=sys.stderr)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if any(p.severity == "error" for p in problems) else 0
