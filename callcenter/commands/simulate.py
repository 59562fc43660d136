"""`callcenter simulate`: run the discrete-event simulator (driving the real ACD router) and print
service level, ASA, abandonment and occupancy per queue and per interval, beside Erlang C / Erlang A."""
from __future__ import annotations

import argparse
import csv
import io
import math
import re
import sys
import time

from ..yamlfile import YamlError, load_yaml, parse_path, read_text
from .toolbox import add_command, print_json, table

EPILOG = """\
examples:
  callcenter simulate --agents 25 --rate 400 --aht 180 --patience 120 --duration 8h
  callcenter simulate --scenario acd/scenarios/day.yaml --json > day.json
  callcenter simulate --scenario acd/scenarios/day.yaml --csv > day.csv

figures:
  agents     per interval: the queue's members on shift, at any penalty (everyone who can take its
             calls), pro rata of the interval their shifts cover; an agent in several queues counts in each
  Erl N      the agents Erlang C / Erlang A are given: an agent counts toward the queues where its
             penalty is lowest, shared equally (Erlang knows no skills)
  inf        overloaded: calls arrive faster than Erl N agents can serve them (rate x AHT >= Erl N), so
             Erlang C has no steady state and its wait (ASA) is infinite, and so is Erlang A's when
             callers never hang up. A queue's Erlang ASA is infinite when any of its intervals is.
             JSON: the ASA is null and the row has "overloaded": true ("overloaded_intervals": N on
             queue rows); CSV: inf, overloaded true.
"""


def register(sub) -> None:
    p = add_command(sub, "simulate",
                    "Simulate a call centre with the real ACD router; compare with Erlang C / Erlang A.",
                    epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", metavar="FILE.yaml",
                   help="scenario file (queues, agent groups with shifts, arrivals per interval); "
                        "see docs/acd.md and acd/scenarios/day.yaml")
    g = p.add_argument_group("single-queue mode (without --scenario)")
    g.add_argument("--agents", type=int, default=20, help="agents logged in all day (default 20)")
    g.add_argument("--rate", type=float, default=360.0, help="arrivals per hour (default 360)")
    g.add_argument("--aht", type=float, default=180.0, help="mean handle time in seconds (default 180)")
    g.add_argument("--handle", choices=["exponential", "lognormal", "constant"], default="exponential",
                   help="handle-time distribution (default exponential)")
    g.add_argument("--handle-sd", type=float, default=None, help="lognormal standard deviation (default = aht)")
    g.add_argument("--patience", type=float, default=0.0,
                   help="mean caller patience in seconds, exponential (default 0: callers never hang up)")
    g.add_argument("--wrapup", type=float, default=0.0, help="wrap-up seconds after each call (default 0)")
    g.add_argument("--sl-threshold", type=float, default=20.0, help="service-level threshold in seconds (default 20)")
    g.add_argument("--strategy", default="longest-idle", help="queue strategy (default longest-idle)")
    c = p.add_argument_group("both modes")
    c.add_argument("--duration", default=None,
                   help="simulated time: seconds or 30m / 8h / 1d (default 8h, or the scenario's arrivals)")
    c.add_argument("--interval", default=None, help="reporting interval, like --duration (default 1h)")
    c.add_argument("--warmup", default=None, help="do not count calls arriving in this first period")
    c.add_argument("--seed", type=int, default=None, help="random seed (default 1, or the scenario's)")
    out = c.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the full result as JSON")
    out.add_argument("--csv", action="store_true", help="print queue and interval rows as CSV")
    c.add_argument("--no-intervals", action="store_true", help="table mode: only the per-queue summary")
    c.add_argument("--no-progress", action="store_true", help="no progress bar (it only shows on a terminal)")
    p.set_defaults(func=run)


_DUR = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)


def parse_duration(text: str, what: str) -> float:
    m = _DUR.match(str(text))
    if not m:
        raise SystemExit(f"callcenter simulate: {what}: expected seconds or 30m / 8h / 1d, not {text!r}")
    v = float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2).lower()]
    if v <= 0 and what != "--warmup":
        raise SystemExit(f"callcenter simulate: {what} must be > 0")
    return v


def load_scenario_file(path: str, seed: int | None = None):
    from acd.scenario import ScenarioError, parse_scenario
    try:
        doc = load_yaml(read_text(path), path)
    except YamlError as exc:
        if not exc.line:
            raise SystemExit(f"callcenter simulate: cannot read scenario {path}: {exc.message}") from None
        raise SystemExit(f"callcenter simulate: {path}:{exc.line}:{exc.column}: invalid YAML: "
                         f"{exc.message.removeprefix('not valid YAML: ')}") from None
    try:
        return parse_scenario(doc.data, seed=seed)
    except ScenarioError as exc:
        where = parse_path(exc.path)
        if where[:1] == ("scenario",):          # the scenario's own keys: scenario.queues -> queues
            where = where[1:]
        raise SystemExit(f"callcenter simulate: {path}:{doc.line(where)}: {exc}") from None


class Progress:
    def __init__(self, stream) -> None:
        self.stream = stream
        self.last = -1

    def __call__(self, frac: float) -> None:
        pct = int(frac * 100)
        if pct == self.last:
            return
        self.last = pct
        width = 40
        fill = int(width * frac)
        self.stream.write(f"\rsimulating [{'#' * fill}{'.' * (width - fill)}] {pct:3d}%")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\r" + " " * 60 + "\r")
        self.stream.flush()


def run(args) -> int:
    from acd.config import ConfigError
    from acd.scenario import simple_scenario
    from acd.sim import simulate

    duration = parse_duration(args.duration, "--duration") if args.duration else None
    interval = parse_duration(args.interval, "--interval") if args.interval else None
    warmup = parse_duration(args.warmup, "--warmup") if args.warmup else None
    if args.scenario:
        sc = load_scenario_file(args.scenario, args.seed)
        if duration:
            sc.duration = duration
        if interval:
            sc.interval = interval
        if warmup is not None:
            sc.warmup = warmup
    else:
        for name in ("agents", "rate", "aht"):
            v = getattr(args, name)
            if v is None or v <= 0 or not math.isfinite(v):
                raise SystemExit(f"callcenter simulate: --{name} must be > 0")
        if args.patience < 0 or args.wrapup < 0 or args.sl_threshold < 0:
            raise SystemExit("callcenter simulate: --patience, --wrapup and --sl-threshold must be >= 0")
        d = duration or 8 * 3600.0
        try:
            sc = simple_scenario(agents=args.agents, rate=args.rate, aht=args.aht,
                                 patience=args.patience or None, sl_threshold=args.sl_threshold, duration=d,
                                 seed=args.seed if args.seed is not None else 1, handle=args.handle,
                                 handle_sd=args.handle_sd, wrapup=args.wrapup,
                                 interval=interval or 3600.0, strategy=args.strategy, warmup=warmup or 0.0)
        except ConfigError as exc:
            raise SystemExit(f"callcenter simulate: {exc}") from None
    bar = Progress(sys.stderr) if (not args.no_progress and sys.stderr.isatty()) else None
    t0 = time.perf_counter()
    try:
        res = simulate(sc, bar)
    finally:
        if bar:
            bar.done()
    res["wall_time"] = time.perf_counter() - t0
    if args.json:
        print_json(_finite(res))
    elif args.csv:
        sys.stdout.write(to_csv(res))
    else:
        sys.stdout.write(to_table(res, intervals=not args.no_intervals))
    return 0


def _finite(v):
    """JSON has no Infinity/NaN: undefined figures become null."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


CSV_FIELDS = ["scope", "queue", "interval", "start", "offered", "answered", "abandoned", "overflowed", "called_back",
              "sl", "sl2", "asa", "aht", "abandon_rate", "occupancy", "agents", "erlang_agents", "rate_per_hour",
              "overloaded", "overloaded_intervals", "erlang_c_sl", "erlang_c_asa", "erlang_a_sl", "erlang_a_abandon",
              "erlang_a_asa"]


def to_csv(res: dict) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for row in res["queues"]:
        w.writerow({"scope": "queue", **_round(row)})
    w.writerow({"scope": "total", **_round(res["total"])})
    for row in res["intervals"]:
        w.writerow({"scope": "interval", **_round(row)})
    return buf.getvalue()


def _round(row: dict) -> dict:
    """CSV cells: floats to 4 places (an infinite wait stays ``inf``), booleans as true / false."""
    return {k: ((round(v, 4) if math.isfinite(v) else v) if isinstance(v, float)
                else str(v).lower() if isinstance(v, bool) else v) for k, v in row.items()}


def _pct(v) -> str:
    return "-" if v is None else f"{100 * v:5.1f}%"


def _sec(v) -> str:
    """Seconds; ``inf`` for the infinite wait of an overloaded queue, ``-`` when undefined."""
    if v is None or v != v:
        return "-"
    if v == math.inf:
        return "inf"
    return f"{v:6.1f}s"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """Figures right-aligned under a rule; the first column (names) left-aligned."""
    return table(rows, headers, right=[False] + [True] * (len(headers) - 1), rule=True)


def to_table(res: dict, intervals: bool = True) -> str:
    n_int = len({r["interval"] for r in res["intervals"]})
    head = (f"Scenario: {res['scenario']}  (seed {res['seed']}, {res['calls']:,} calls, "
            f"{res['duration'] / 3600:g} h in {n_int} interval(s) of {res['interval'] / 60:g} min, "
            f"wall time {res.get('wall_time', 0):.2f} s)\n")
    if res.get("warmup"):
        head += f"Calls arriving in the first {res['warmup']:g} s (warm-up) are not counted.\n"
    if res.get("unfinished"):
        head += f"{res['unfinished']} caller(s) still waiting when the simulation stopped (not counted).\n"
    hq = ["queue", "offered", "answered", "aband", "overflow", "SL", "SL2", "ASA", "AHT", "occup",
          "| ErlC SL", "ErlC ASA", "| ErlA SL", "ErlA ASA", "ErlA aband"]
    rows = []
    for r in res["queues"] + [res["total"]]:
        rows.append([str(r["queue"]), str(r["offered"]), str(r["answered"]), _pct(r["abandon_rate"]),
                     str(r["overflowed"]), _pct(r["sl"]), _pct(r["sl2"]), _sec(r["asa"]), _sec(r["aht"]),
                     _pct(r.get("occupancy")), "| " + _pct(r.get("erlang_c_sl")), _sec(r.get("erlang_c_asa")),
                     "| " + _pct(r.get("erlang_a_sl")), _sec(r.get("erlang_a_asa")),
                     _pct(r.get("erlang_a_abandon"))])
    text = head + "\nPer queue (simulated | Erlang C | Erlang A for the same load and staff)\n" + _table(hq, rows)
    if intervals:
        hi = ["start", "queue", "calls/h", "agents", "offered", "SL", "aband", "ASA", "occup",
              "| Erl N", "ErlC SL", "ErlC ASA", "| ErlA SL", "ErlA aband"]
        rows = []
        for r in res["intervals"]:
            if not r["offered"] and not r["rate_per_hour"]:
                continue
            rows.append([r["start"], str(r["queue"]), f"{r['rate_per_hour']:.0f}", f"{r['agents']:.1f}",
                         str(r["offered"]), _pct(r["sl"]), _pct(r["abandon_rate"]), _sec(r["asa"]),
                         _pct(r["occupancy"]), f"| {r['erlang_agents']}", _pct(r["erlang_c_sl"]),
                         _sec(r["erlang_c_asa"]), "| " + _pct(r["erlang_a_sl"]), _pct(r["erlang_a_abandon"])])
        text += ("\nPer interval (occupancy is centre-wide; agents: the queue's members on shift at any penalty; "
                 "Erl N: the agents Erlang is given)\n" + _table(hi, rows))
    text += ("\nSL = answered within the threshold / answered; SL2 also counts callers who hung up within it "
             "(Asterisk's two definitions).\n")
    over = [r for r in res["queues"] if r.get("overloaded")]
    if over:
        text += ("Erlang ASA inf = overloaded: calls arrive faster than the agents Erlang is given can serve them "
                 "(rate x AHT >= Erl N), so there is no steady state and the wait grows without end. Overloaded: "
                 + ", ".join(f"{r['queue']} in {r['overloaded_intervals']} interval(s)" for r in over) + ".\n")
    return text
