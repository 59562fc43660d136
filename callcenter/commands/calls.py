"""`callcenter calls`: calls in progress on the running server (through its API), and supervisor actions
on them: ``calls move CALL QUEUE``, ``calls priority CALL N``, ``calls hangup CALL``; call controls on a call
in conversation: ``calls hold CALL``, ``calls unhold CALL``, ``calls transfer CALL TO`` (a queue as
``queue:<name>``, an agent, an extension or a number)."""
from __future__ import annotations

import time
import urllib.parse

from .toolbox import add_client_args, add_command, ago, api_verb, client_from_args, print_json, print_table


@api_verb
def cmd_calls(args) -> int:
    client = client_from_args(args)
    data = client.get("/api/calls")
    calls = data["calls"]
    if args.json:
        print_json(calls)
        return 0
    now = data.get("now") or time.time()
    rows = [[c["call_id"], c.get("caller") or "", c.get("did") or "",
             c.get("state", "") + ((" (on hold: phone)" if c.get("hold_by") == "phone" else " (on hold)")
                                   if c.get("on_hold") else ""), c.get("queue") or "-",
             str(c.get("priority", 0)), c.get("agent_id") or "-", ago(now, c.get("arrived_at")),
             ago(now, c.get("state_since"))] for c in calls]
    print_table(rows, ["CALL", "CALLER", "DID", "STATE", "QUEUE", "PRIO", "AGENT", "AGE", "IN STATE"])
    print(f"{len(calls)} call(s) in progress")
    return 0


def _call_path(call_id: str, action: str) -> str:
    return f"/api/calls/{urllib.parse.quote(call_id, safe='')}/{action}"


@api_verb
def cmd_move(args) -> int:
    c = client_from_args(args).post(_call_path(args.call, "move"), {"queue": args.queue})
    print(f"{c['call_id']}: now waiting in {c.get('queue')}")
    return 0


@api_verb
def cmd_priority(args) -> int:
    c = client_from_args(args).post(_call_path(args.call, "priority"), {"priority": args.priority})
    print(f"{c['call_id']}: priority {c.get('priority')}")
    return 0


@api_verb
def cmd_hangup(args) -> int:
    client_from_args(args).post(_call_path(args.call, "hangup"))
    print(f"{args.call}: hung up")
    return 0


def _call_control(verb: str, say, body=lambda args: None):
    """A call-control verb: POST /api/calls/{call}/<verb> with ``body(args)``, print ``say(answer)``."""
    @api_verb
    def run(args) -> int:
        print(say(client_from_args(args).post(_call_path(args.call, verb), body(args))))
        return 0
    return run


cmd_hold = _call_control("hold", lambda c: f"{c['call_id']}: on hold (hold {c.get('holds')} of this call)")
cmd_unhold = _call_control("unhold", lambda c: f"{c['call_id']}: resumed ({c.get('held_s', 0):.0f} s on hold in all)")
cmd_transfer = _call_control("transfer", lambda c: f"{c['call_id']}: transferred to {c.get('transferred_to')}",
                             lambda args: {"to": args.to})


def register(sub) -> None:
    p = add_command(sub, "calls", "calls in progress on the running server (IVR, waiting, ringing, talking)")
    p.add_argument("--json", action="store_true", help="print the raw JSON")
    add_client_args(p)
    p.set_defaults(func=cmd_calls)
    csub = p.add_subparsers(dest="calls_command", metavar="ACTION")
    m = add_command(csub, "move", "move a waiting call to another queue (keeps its wait time)")
    m.add_argument("call")
    m.add_argument("queue")
    add_client_args(m)
    m.set_defaults(func=cmd_move)
    m = add_command(csub, "priority", "change a waiting call's priority (higher is answered first)")
    m.add_argument("call")
    m.add_argument("priority", type=int)
    add_client_args(m)
    m.set_defaults(func=cmd_priority)
    m = add_command(csub, "hangup", "hang a call up")
    m.add_argument("call")
    add_client_args(m)
    m.set_defaults(func=cmd_hangup)
    for verb, func, what in (("hold", cmd_hold, "put a call in conversation on hold (the caller hears music)"),
                             ("unhold", cmd_unhold, "resume a call on hold")):
        m = add_command(csub, verb, what)
        m.add_argument("call")
        add_client_args(m)
        m.set_defaults(func=func)
    m = add_command(csub, "transfer", "blind transfer of a call in conversation: to queue:<name> (the same call "
                    "waits there again), an agent, an extension or a number (0 + number outside)")
    m.add_argument("call")
    m.add_argument("to")
    add_client_args(m)
    m.set_defaults(func=cmd_transfer)
