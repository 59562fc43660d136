"""`callcenter queue`: provision queues (add, update, list, remove, member add/remove) in the database,
plus the live views of the running server through its API (show, watch).
"""
from __future__ import annotations

import argparse
import sys
import time
import urllib.parse

from .queue_show import render_queues
from .toolbox import (add_client_args, add_command, ago, api_verb, client_from_args, print_json, print_table,
                      run_db, table)


def _bool(text: str) -> bool:
    t = text.strip().lower()
    if t in ("yes", "true", "on", "1"):
        return True
    if t in ("no", "false", "off", "0"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not yes/no")


def _queue_options(p: argparse.ArgumentParser) -> None:
    from ..store.models import STRATEGIES
    p.add_argument("name", help="queue name, e.g. support")
    p.add_argument("--description", "-d")
    p.add_argument("--strategy", choices=STRATEGIES, help="how an agent is chosen (default longest-idle)")
    p.add_argument("--sl", dest="sl_target", type=int, metavar="SECONDS",
                   help="service-level target: answer within SECONDS (default 20)")
    p.add_argument("--sl-percent", type=float, metavar="PCT", help="... for PCT %% of the calls (default 80)")
    p.add_argument("--max-wait", type=int, metavar="SECONDS", help="longest wait before overflow")
    p.add_argument("--max-length", type=int, metavar="N", help="most waiting calls before overflow")
    p.add_argument("--overflow", metavar="TARGET",
                   help="where calls go on max wait/length: a queue, voicemail:NAME or flow:NAME")
    p.add_argument("--wrapup", type=float, metavar="SECONDS", help="wrap-up after each call")
    p.add_argument("--priority", type=int, help="queue priority (higher is served first when agents are shared)")
    p.add_argument("--rule", dest="rules", action="append", metavar="RULE",
                   help='skill requirement rule, repeatable, in order: "WT < 30: billing >= 4 & lang_en", "any"')
    p.add_argument("--moh", dest="moh_class", metavar="CLASS", help="Asterisk music-on-hold class")
    p.add_argument("--announce-interval", type=int, metavar="SECONDS", help="periodic announcement; 0 = off")
    p.add_argument("--announce-position", type=_bool, metavar="yes|no")
    p.add_argument("--announce-hold-time", type=_bool, metavar="yes|no")
    p.add_argument("--callback-after", type=int, metavar="SECONDS", help="offer a callback after this wait")
    p.add_argument("--join-empty", type=_bool, metavar="yes|no", help="accept calls with no agent logged in")
    p.add_argument("--leave-empty", type=_bool, metavar="yes|no", help="send waiting calls on when the last agent logs out")


FIELDS = ("description", "strategy", "sl_target", "sl_percent", "max_wait", "max_length", "overflow", "wrapup",
          "priority", "rules", "moh_class", "announce_interval", "announce_position", "announce_hold_time",
          "callback_after", "join_empty", "leave_empty")


def register(sub) -> None:
    p = add_command(sub, "queue", "Manage queues: add, update, list, remove, member add/remove; live: show, watch.")
    qsub = p.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
    a = add_command(qsub, "add", "Add a queue.",
                    epilog='example: callcenter queue add support --strategy best-skill --sl 20 --max-wait 300 '
                           '--overflow sales --rule "WT < 30: billing >= 4" --rule any')
    _queue_options(a)
    a.set_defaults(func=_add, update=False)
    u = add_command(qsub, "update", "Change a queue's settings (options given replace the old values).")
    _queue_options(u)
    u.set_defaults(func=_add, update=True)
    ls = add_command(qsub, "list", "List queues with strategy, service level, overflow and members.")
    ls.add_argument("--json", action="store_true", help="JSON output")
    ls.set_defaults(func=_list)
    rm = add_command(qsub, "remove", "Remove a queue.")
    rm.add_argument("name")
    rm.set_defaults(func=_remove)
    m = add_command(qsub, "member", "Add or remove queue members.")
    msub = m.add_subparsers(dest="member_command", metavar="ACTION", required=True)
    ma = add_command(msub, "add", "Make an agent a member of a queue (or change its penalty).")
    ma.add_argument("queue")
    ma.add_argument("agent")
    ma.add_argument("--penalty", type=int, default=0, help="tier: lower penalties ring first (default 0)")
    ma.set_defaults(func=_member_add)
    mr = add_command(msub, "remove", "Remove an agent from a queue.")
    mr.add_argument("queue")
    mr.add_argument("agent")
    mr.set_defaults(func=_member_remove)
    _register_live(qsub)


def _add(args) -> int:
    from ..store import repo

    async def fn(s):
        existing = await repo.get_queue(s, args.name)
        if existing is not None and not args.update:
            raise repo.RepoError(f"queue {args.name!r} already exists (use: callcenter queue update {args.name} ...)")
        if existing is None and args.update:
            raise repo.RepoError(f"no queue named {args.name!r} (use: callcenter queue add {args.name} ...)")
        fields = {k: getattr(args, k) for k in FIELDS if getattr(args, k) is not None}
        target = fields.get("overflow")
        if target and ":" not in target and target != args.name and await repo.get_queue(s, target) is None:
            raise repo.RepoError(f"overflow target {target!r} is not a queue (add it first, or use "
                                 "voicemail:NAME / flow:NAME)")
        q = await repo.upsert_queue(s, args.name, **fields)
        for k, v in repo.queue_to_dict(q).items():
            print(f"{k + ':':20}{'-' if v is None or v == [] or v == {} else v}")
    return run_db(args, fn)


def _list(args) -> int:
    from ..store import repo

    async def fn(s):
        qs = [repo.queue_to_dict(q) for q in await repo.list_queues(s)]
        if args.json:
            print_json(qs)
            return
        print_table([[q["name"], q["strategy"], f"{q['sl_percent']:g}%/{q['sl_target']}s",
                      q["max_wait"] or "-", q["overflow"] or "-", len(q["members"]), " | ".join(q["rules"]) or "-"]
                     for q in qs], ["QUEUE", "STRATEGY", "SL", "MAX-WAIT", "OVERFLOW", "MEMBERS", "RULES"])
    return run_db(args, fn)


def _remove(args) -> int:
    from ..store import repo

    async def fn(s):
        if not await repo.remove_queue(s, args.name):
            raise repo.RepoError(f"no queue named {args.name!r}")
        print(f"queue {args.name} removed")
    return run_db(args, fn)


def _member_add(args) -> int:
    from ..store import repo

    async def fn(s):
        await repo.set_queue_member(s, args.queue, args.agent, args.penalty)
        print(f"agent {args.agent} is a member of queue {args.queue} (penalty {args.penalty})")
    return run_db(args, fn)


def _member_remove(args) -> int:
    from ..store import repo

    async def fn(s):
        if not await repo.remove_queue_member(s, args.queue, args.agent):
            raise repo.RepoError(f"agent {args.agent!r} is not a member of queue {args.queue!r}")
        print(f"agent {args.agent} removed from queue {args.queue}")
    return run_db(args, fn)


# --------------------------------------------------------------------------------------------------
# live: show / watch (from the running server)

def _register_live(qsub) -> None:
    p = add_command(qsub, "show", "live queue status from the running server, in the shape of Asterisk's `queue show`")
    p.add_argument("queue", nargs="?", help="one queue (default: all)")
    p.add_argument("--json", action="store_true", help="print the raw JSON snapshot")
    add_client_args(p)
    p.set_defaults(func=cmd_queue_show)
    p = add_command(qsub, "watch", "live dashboard of the queues, refreshed in place (Ctrl-C to quit)")
    p.add_argument("queue", nargs="?", help="one queue (default: all)")
    p.add_argument("-n", "--interval", type=float, default=1.0, help="seconds between refreshes (default 1)")
    p.add_argument("--count", type=int, default=0, help="stop after N refreshes (default: run until Ctrl-C)")
    p.add_argument("--clear", action="store_true", help="clear the screen even when not on a terminal")
    add_client_args(p)
    p.set_defaults(func=cmd_queue_watch)


def _queues(client, name: str | None) -> tuple[float, list[dict]]:
    if name:
        q = client.get(f"/api/queues/{urllib.parse.quote(name, safe='')}")
        return q.get("now", time.time()), [q]
    data = client.get("/api/queues")
    return data.get("now", time.time()), data["queues"]


@api_verb
def cmd_queue_show(args) -> int:
    client = client_from_args(args)
    now, queues = _queues(client, args.queue)
    if args.json:
        print_json(queues)
    else:
        sys.stdout.write(render_queues(queues, now))
    return 0


def render_dashboard(queues: list[dict], now: float) -> str:
    rows = []
    for q in queues:
        rows.append([q["name"], str(q.get("calls_waiting", 0)), ago(now, now - (q.get("longest_wait") or 0)),
                     str(q.get("offered", 0)), str(q.get("answered", q.get("completed", 0))),
                     str(q.get("abandoned", 0)),
                     "-" if q.get("service_level") is None else f"{q['service_level']:.1f}%",
                     "-" if q.get("asa") is None else f"{q['asa']:.0f}s",
                     "-" if q.get("aht") is None else f"{q['aht']:.0f}s",
                     "-" if q.get("abandon_rate") is None else f"{q['abandon_rate']:.1f}%",
                     " ".join(f"{k}:{v}" for k, v in sorted((q.get("agent_states") or {}).items()))])
    head = ["QUEUE", "WAIT", "LONGEST", "OFFERED", "ANSWERED", "ABANDONED", "SL", "ASA", "AHT", "ABND%", "AGENTS"]
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))
    out = [f"callcenter queues at {stamp} UTC  (Ctrl-C to quit)\n", table(rows, head)]
    for q in queues:
        callers = q.get("callers") or []
        if callers:
            out.append(f"\n{q['name']} waiting:\n")
            out.append(table([[str(c.get("position")), str(c.get("caller") or c.get("call_id")),
                               ago(now, now - (c.get("wait") or 0)), str(c.get("priority", 0))]
                              for c in callers[:10]], ["#", "CALLER", "WAIT", "PRIO"]))
    return "".join(out)


@api_verb
def cmd_queue_watch(args) -> int:
    client = client_from_args(args)
    n = 0
    tty = sys.stdout.isatty()
    try:
        while True:
            now, queues = _queues(client, args.queue)
            screen = render_dashboard(queues, now)
            if tty or args.clear:
                sys.stdout.write("\x1b[H\x1b[2J")   # home + clear: refresh in place
            sys.stdout.write(screen)
            if not (tty or args.clear):
                sys.stdout.write("\n")
            sys.stdout.flush()
            n += 1
            if args.count and n >= args.count:
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0
