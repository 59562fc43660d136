"""`callcenter agent`: provision agents (add, update, list, show, remove) in the database, plus the live
actions on the running server through its API (status, login, logout, ready, pause, end-wrapup, spy).
"""
from __future__ import annotations

import argparse
import time
import urllib.parse
from typing import Any

from acd.config import parse_name_number

from .toolbox import (add_client_args, add_command, ago, api_verb, client_from_args, print_json, print_table,
                      run_db)


def parse_skill(text: str) -> tuple[str, int]:
    try:
        name, level = parse_name_number(text, None, "=")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not SKILL=LEVEL (e.g. billing=4): {exc}") from None
    if not 1 <= level <= 5:
        raise argparse.ArgumentTypeError(f"{text!r}: proficiency must be 1-5")
    return name, level


def parse_queue(text: str) -> tuple[str, int]:
    try:
        name, penalty = parse_name_number(text, 0)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not QUEUE[:PENALTY]: {exc}") from None
    if penalty < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: penalty must be a non-negative integer")
    return name, penalty


def _agent_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="short agent id, e.g. alice")
    p.add_argument("--full-name", help="display name")
    p.add_argument("--extension", "-e", help="phone extension, e.g. 2001")
    p.add_argument("--interface", help="Asterisk device to ring (default PJSIP/<extension>)")
    p.add_argument("--skill", "-s", action="append", type=parse_skill, default=[], metavar="SKILL=LEVEL",
                   help="skill with proficiency 1-5, repeatable (unknown skills are created)")
    p.add_argument("--language", "-l", action="append", default=[], metavar="TAG",
                   help="spoken language, repeatable (en-US, zh-CN ...)")
    p.add_argument("--queue", "-q", action="append", type=parse_queue, default=[], metavar="QUEUE[:PENALTY]",
                   help="queue membership with optional penalty/tier (lower rings first), repeatable")
    p.add_argument("--max-concurrent", type=int, help="calls at once (default 1)")
    p.add_argument("--wrapup", type=float, help="wrap-up seconds after each call (default: the queue's)")
    en = p.add_mutually_exclusive_group()
    en.add_argument("--disable", dest="enabled", action="store_false", default=None, help="disable the agent")
    en.add_argument("--enable", dest="enabled", action="store_true", default=None, help="enable the agent")


def register(sub) -> None:
    p = add_command(sub, "agent", "Manage agents: add, update, list, show, remove; live: status, login, logout, "
                               "ready, pause, end-wrapup, spy.")
    asub = p.add_subparsers(dest="agent_command", metavar="ACTION", required=True)
    a = add_command(asub, "add", "Add an agent with skills, languages and queue memberships.",
                    epilog="example: callcenter agent add alice --extension 2001 --skill billing=4 "
                           "--skill tech=2 --language en-US --queue support --queue billing:1")
    _agent_options(a)
    a.set_defaults(func=_add, update=False)
    u = add_command(asub, "update", "Change an agent; given skills/queues are added or updated.")
    _agent_options(u)
    u.add_argument("--remove-skill", action="append", default=[], metavar="SKILL")
    u.add_argument("--remove-queue", action="append", default=[], metavar="QUEUE")
    u.set_defaults(func=_add, update=True)
    ls = add_command(asub, "list", "List agents with skills, languages, queues and persisted state.")
    ls.add_argument("--json", action="store_true", help="JSON output")
    ls.set_defaults(func=_list)
    sh = add_command(asub, "show", "Show one agent.")
    sh.add_argument("name")
    sh.add_argument("--json", action="store_true", help="JSON output")
    sh.set_defaults(func=_show)
    rm = add_command(asub, "remove", "Remove an agent (and its queue memberships).")
    rm.add_argument("name")
    rm.set_defaults(func=_remove)
    _register_live(asub)


def _add(args) -> int:
    from ..store import repo

    async def fn(s):
        existing = await repo.get_agent(s, args.name)
        if existing is not None and not args.update:
            raise repo.RepoError(f"agent {args.name!r} already exists (use: callcenter agent update {args.name} ...)")
        if existing is None and args.update:
            raise repo.RepoError(f"no agent named {args.name!r} (use: callcenter agent add {args.name} ...)")
        kw = {k: v for k, v in (("full_name", args.full_name), ("extension", args.extension),
                                ("interface", args.interface), ("max_concurrent", args.max_concurrent),
                                ("wrapup", args.wrapup), ("enabled", args.enabled)) if v is not None}
        if args.language:
            kw["languages"] = args.language
        skills = dict(args.skill)
        queues = dict(args.queue)
        if args.update:
            agent = await repo.upsert_agent(s, args.name, skills=skills, queues=queues, replace=False, **kw)
            keep_s = {l.skill.name: l.proficiency for l in agent.skills if l.skill.name not in args.remove_skill}
            keep_q = {m.queue.name: m.penalty for m in agent.memberships if m.queue.name not in args.remove_queue}
            await repo.set_agent_skills(s, agent, keep_s, replace=True)
            await repo.set_agent_queues(s, agent, keep_q, replace=True)
        else:
            agent = await repo.upsert_agent(s, args.name, skills=skills, queues=queues, **kw)
        _print_agent(repo.agent_to_dict(agent))
    return run_db(args, fn)


def _fmt_map(m: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in m.items())


def _print_agent(d: dict) -> None:
    for k, v in d.items():
        if isinstance(v, dict):
            v = _fmt_map(v) or "-"
        elif isinstance(v, list):
            v = ",".join(v) or "-"
        print(f"{k + ':':16}{'-' if v is None else v}")


def _list(args) -> int:
    from ..store import repo

    async def fn(s):
        agents = [repo.agent_to_dict(a) for a in await repo.list_agents(s)]
        if args.json:
            print_json(agents)
            return
        print_table([[a["name"], a["extension"], a["interface"], ",".join(a["languages"]), _fmt_map(a["skills"]),
                      _fmt_map(a["queues"]), a["state"] + (f"({a['state_reason']})" if a["state_reason"] else "")]
                     for a in agents], ["AGENT", "EXT", "INTERFACE", "LANGUAGES", "SKILLS", "QUEUES", "STATE"])
    return run_db(args, fn)


def _show(args) -> int:
    from ..store import repo

    async def fn(s):
        d = repo.agent_to_dict(await repo.require_agent(s, args.name))
        print_json(d) if args.json else _print_agent(d)
    return run_db(args, fn)


def _remove(args) -> int:
    from ..store import repo

    async def fn(s):
        if not await repo.remove_agent(s, args.name):
            raise repo.RepoError(f"no agent named {args.name!r}")
        print(f"agent {args.name} removed")
    return run_db(args, fn)


# --------------------------------------------------------------------------------------------------
# live: status, login, logout, ready, pause, end-wrapup, spy (on the running server)

LIVE_ACTIONS = (("login", "log an agent in at a phone (paused until ready)"),
                ("logout", "log an agent out"),
                ("ready", "make an agent ready for calls (ends a pause or wrap-up)"),
                ("pause", "pause an agent with a reason code"),
                ("end-wrapup", "end an agent's wrap-up early"))


def _register_live(asub) -> None:
    p = add_command(asub, "status", "agents with live state and time in state (from the running server)")
    p.add_argument("--json", action="store_true")
    add_client_args(p)
    p.set_defaults(func=cmd_agent_status)
    for name, help_text in LIVE_ACTIONS:
        p = add_command(asub, name, help_text)
        p.add_argument("agent", help="agent name")
        if name == "login":
            p.add_argument("--phone", help="the phone the agent sits at, e.g. PJSIP/2001 (default: provisioned)")
        if name in ("pause", "logout"):
            p.add_argument("--reason", default="", help="reason code (e.g. lunch, break, training)")
        add_client_args(p)
        p.set_defaults(func=_agent_action(name))
    p = add_command(asub, "spy", "listen to, whisper to or barge into an agent's call: rings the supervisor's "
                                 "PHONE, which then hears the call (supervisor role)",
                    epilog="example: callcenter agent spy alice --mode whisper --phone PJSIP/2100")
    p.add_argument("agent", help="the agent on a call")
    p.add_argument("--mode", choices=("listen", "whisper", "barge"), default="listen",
                   help="listen: hear both sides; whisper: also talk to the agent only; barge: talk to both "
                        "(default listen)")
    p.add_argument("--phone", required=True, help="the supervisor's phone to ring, e.g. PJSIP/2100")
    add_client_args(p)
    p.set_defaults(func=cmd_agent_spy)


def _agent_path(agent: str, action: str = "") -> str:
    return f"/api/agents/{urllib.parse.quote(agent, safe='')}" + (f"/{action}" if action else "")


def _print_live_agent(a: dict, now: float | None = None) -> None:
    now = now or time.time()
    extra = f" ({a['pause_reason']})" if a.get("state") == "paused" and a.get("pause_reason") else ""
    print(f"{a['agent_id']}: {a.get('state')}{extra} for {ago(now, a.get('state_since'))}"
          + (f" at {a['phone']}" if a.get("phone") else ""))


@api_verb
def cmd_agent_status(args) -> int:
    client = client_from_args(args)
    data = client.get("/api/agents")
    agents = data["agents"]
    if args.json:
        print_json(agents)
        return 0
    now = data.get("now") or time.time()
    rows = [[a["agent_id"], a.get("name") or "", a.get("state", ""), a.get("pause_reason") or "",
             ago(now, a.get("state_since")), a.get("phone") or "-", a.get("call_id") or "-",
             str(a.get("calls_taken", 0)), ",".join(a.get("queues") or [])] for a in agents]
    print_table(rows, ["AGENT", "NAME", "STATE", "REASON", "IN STATE", "PHONE", "CALL", "CALLS", "QUEUES"])
    return 0


def _agent_action(action: str):
    @api_verb
    def cmd(args) -> int:
        client = client_from_args(args)
        body: dict[str, Any] = {}
        if action == "login" and args.phone:
            body["phone"] = args.phone
        if action in ("pause", "logout") and args.reason:
            body["reason"] = args.reason
        a = client.post(_agent_path(args.agent, action), body)
        _print_live_agent(a)
        return 0
    return cmd


@api_verb
def cmd_agent_spy(args) -> int:
    r = client_from_args(args).post(_agent_path(args.agent, "spy"), {"mode": args.mode, "phone": args.phone})
    print(f"{args.phone} is ringing: answer it to {r.get('mode', args.mode)} on {r.get('agent_id', args.agent)}'s "
          f"call {r.get('call_id', '')}".rstrip())
    return 0
