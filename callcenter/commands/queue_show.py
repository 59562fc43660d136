"""``callcenter queue show``: render queue snapshots in the shape of Asterisk's ``queue show``.

Asterisk 22 prints (captured in ``asterisk-wire/ami-queuestatus-and-summary.txt``)::

    support has 1 calls (max unlimited) in 'rrmemory' strategy (0s holdtime, 5s talktime), W:0, C:3, A:2, SL:100.0%, SL2:100.0% within 60s
       Members: 
          Agent One (Local/agent1@agents/n) (ringinuse disabled) (paused:meeting was 2 secs ago) (Not in use) has taken 2 calls (last was 18 secs ago) (login was 168 secs ago)
       Callers: 
          1. Local/talk@test-local-0000000d;1 (wait: 0:02, prio: 0)

We print the same lines from the engine's live snapshot (``GET /api/queues``). Our agents have
states Asterisk's members do not; they map to its device states: ready -> ``Not in use``, offered ->
``Ringing``, on call -> ``In use`` + ``(in call)``, wrap-up -> ``Not in use`` + ``(in wrapup)``, logged
out -> ``Unavailable``. ``holdtime`` is the ASA and ``talktime`` the mean talk time of the calls
answered today; C and A count completed and abandoned calls; SL is the share of calls answered within
the queue's target among answered + abandoned ones, SL2 counts abandons within the target as met.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

DEVICE_STATE = {
    "ready": "Not in use",
    "offered": "Ringing",
    "ringing": "Ringing",
    "on_call": "In use",
    "wrap_up": "Not in use",
    "paused": "Not in use",
    "logged_out": "Unavailable",
}


def _ago(now: float, ts: float | None) -> int:
    return max(0, int(now - ts)) if ts else 0


def _pct(v: Any) -> str:
    return f"{float(v or 0.0):.1f}%"


def render_queue(q: Mapping[str, Any], now: float) -> str:
    maxw = q.get("max_waiting") or 0
    head = (f"{q['name']} has {int(q.get('calls_waiting', 0))} calls "
            f"(max {'unlimited' if not maxw else maxw}) in '{q.get('strategy', 'ringall')}' strategy "
            f"({int(round(q.get('holdtime') or 0))}s holdtime, {int(round(q.get('talktime') or 0))}s talktime), "
            f"W:{int(q.get('weight') or 0)}, C:{int(q.get('completed') or 0)}, A:{int(q.get('abandoned') or 0)}, "
            f"SL:{_pct(q.get('service_level'))}, SL2:{_pct(q.get('service_level2', q.get('service_level')))} "
            f"within {int(q.get('sl_target') or 0)}s")
    lines = [head]
    members: Sequence[Mapping[str, Any]] = q.get("members") or []
    if not members:
        lines.append("   No Members")
    else:
        lines.append("   Members: ")
        for m in members:
            lines.append("      " + _member(m, now))
    callers: Sequence[Mapping[str, Any]] = q.get("callers") or []
    if not callers:
        lines.append("   No Callers")
    else:
        lines.append("   Callers: ")
        for i, c in enumerate(sorted(callers, key=lambda c: c.get("position", 0)), 1):
            wait = int(c.get("wait") or 0)
            who = c.get("channel") or c.get("call_id")
            lines.append(f"      {c.get('position', i)}. {who} (wait: {wait // 60}:{wait % 60:02d}, "
                         f"prio: {int(c.get('priority') or 0)})")
    return "\n".join(lines) + "\n\n"


def _member(m: Mapping[str, Any], now: float) -> str:
    state = m.get("state", "logged_out")
    parts = [f"{m.get('name') or m.get('agent_id')} ({m.get('interface') or 'no phone'})", "(ringinuse disabled)"]
    if state == "paused" or m.get("paused"):
        reason = m.get("pause_reason") or ""
        parts.append(f"(paused{':' + reason if reason else ''} was {_ago(now, m.get('state_since'))} secs ago)")
    if state == "on_call":
        parts.append("(in call)")
    if state == "wrap_up":
        parts.append(f"(in wrapup {_ago(now, m.get('state_since'))} secs)")
    parts.append(f"({DEVICE_STATE.get(state, 'Unknown')})")
    taken = int(m.get("calls_taken") or 0)
    tail = f"has taken {taken} calls" if taken else "has taken no calls yet"
    if taken and m.get("last_call"):
        tail += f" (last was {_ago(now, m['last_call'])} secs ago)"
    if m.get("login_time"):
        tail += f" (login was {_ago(now, m['login_time'])} secs ago)"
    parts.append(tail)
    return " ".join(parts)


def render_queues(queues: Sequence[Mapping[str, Any]], now: float) -> str:
    return "".join(render_queue(q, now) for q in queues) if queues else "No queues.\n"
