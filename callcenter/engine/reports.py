"""Reports from the event log (pure: rows in, tables out; no I/O).

The store writes every domain event the engine publishes as one event-log row (``call_events``:
ts, event = the event kind, call_id, queue, agent, data). :func:`build_report` aggregates those rows
per queue or per agent into 15-minute, hourly or daily buckets:

* per queue: offered, answered, abandoned, service level (answered within the queue's target /
  (answered + abandoned), in percent), ASA (mean wait of answered calls), AHT (mean talk + wrap-up of
  completed calls), abandon rate, longest wait, RONA (missed offers), overflowed/moved, callbacks,
  transferred in, hold time;
* per agent: answered, missed (RONA), talk and wrap-up time, hold time, AHT, staffed time (logged in),
  pause time per reason code, and occupancy ((talk + wrap-up) / (staffed - paused), in percent).

Hold and transfers (:mod:`callcenter.engine.hold`), by the usual call-center conventions:

* talk time runs from the answer to the end of the agent's segment, **time on hold included**, so AHT
  (talk + hold + wrap-up) includes hold; ``hold_time`` shows how much of the talk time was hold;
* a call transferred to a queue is **offered again to that queue** (each queue counts every call that
  entered it, as Asterisk's queue_log does); ``transferred_in`` says how many of a queue's offered calls
  came by a transfer, so distinct calls = offered - transferred_in. Each agent segment is answered and
  completed on its own (the first one ``ended_by: transfer``).

Counted events fall in the bucket of their own timestamp; agent state intervals (from
``AgentStateChanged`` rows) are split across the buckets they span.
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

#: The event kinds the report reads and the ``data`` keys it uses (the engine's contract).
EVENTS: dict[str, str] = {
    "CallQueued": "a call entered a queue (offered); data.transferred_from: an agent's transfer sent it there",
    "CallAnswered": "an agent answered: data.holdtime = seconds waited",
    "CallAbandoned": "the caller hung up while waiting: data.holdtime",
    "CallCompleted": "an agent's conversation ended: data.talktime (hold included), data.holdtime (queue wait), "
                     "data.held / data.heldtime (times and seconds on hold), data.ended_by (agent|caller|transfer)",
    "WrapupEnded": "the agent left wrap-up: data.wrapup = seconds",
    "OfferMissed": "RONA: the offered agent did not answer: data.ringtime",
    "CallOverflowed": "left the queue for its overflow target: data.target",
    "CallMoved": "moved to another queue by a supervisor: data.to",
    "CallbackRequested": "the caller asked to be called back (keeps its place)",
    "AgentStateChanged": "data.state (logged_out, ready, offered, on_call, wrap_up, paused), data.reason",
}

BUCKETS = {"15m": 900, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class LogEvent:
    ts: float
    event: str
    call_id: str | None = None
    queue: str | None = None
    agent: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


def parse_time(text: str | float | int, now: float) -> float:
    """Seconds since the epoch from: epoch seconds, ISO 8601 (``2026-11-21T20:00Z``, a date means
    midnight UTC), ``now``, ``today``, ``yesterday``, or a relative ``-15m`` / ``-2h`` / ``-7d``."""
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text).strip()
    if not s:
        raise ValueError("empty time")
    if s == "now":
        return now
    day0 = datetime.fromtimestamp(now, timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if s == "today":
        return day0.timestamp()
    if s == "yesterday":
        return (day0 - timedelta(days=1)).timestamp()
    m = re.fullmatch(r"-(\d+(?:\.\d+)?)([smhd])", s)
    if m:
        return now - float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    try:
        return float(s)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a time: {s!r} (use ISO 8601, epoch seconds, today, or -2h)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _bucket_of(ts: float, size: int) -> float:
    return float(int(ts // size) * size)


def _split(start: float, end: float, size: int) -> Iterable[tuple[float, float]]:
    """(bucket start, seconds) pieces of [start, end)."""
    t = start
    while t < end:
        b = _bucket_of(t, size)
        nxt = min(end, b + size)
        yield b, nxt - t
        t = nxt


def _num(data: Mapping[str, Any], key: str) -> float:
    try:
        return float(data.get(key) or 0.0)
    except (TypeError, ValueError):
        return 0.0


@dataclass
class _QueueAcc:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_in_sl: int = 0
    wait_sum: float = 0.0
    longest_wait: float = 0.0
    completed: int = 0
    handle_sum: float = 0.0
    rona: int = 0
    overflowed: int = 0
    callbacks: int = 0
    transferred_in: int = 0
    held: float = 0.0


@dataclass
class _AgentAcc:
    answered: int = 0
    missed: int = 0
    completed: int = 0
    talk: float = 0.0
    wrap: float = 0.0
    held: float = 0.0
    staffed: float = 0.0
    paused: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def _pct(num: float, den: float) -> float | None:
    return round(100.0 * num / den, 1) if den else None


def _avg(total: float, n: int) -> float | None:
    return round(total / n, 1) if n else None


def build_report(rows: Iterable[LogEvent], start: float, end: float, *, by: str = "queue",
                 bucket: str = "hour", sl_targets: Mapping[str, float] | None = None,
                 default_sl: float = 20.0, only: str | None = None) -> list[dict[str, Any]]:
    """Aggregate event rows (any order) into report lines, sorted by bucket then queue/agent.

    ``by`` is ``queue`` or ``agent``; ``bucket`` one of ``15m``, ``hour``, ``day``; ``only`` keeps one
    queue (or agent). Rows outside [start, end) are ignored (intervals are clipped to it)."""
    if by not in ("queue", "agent"):
        raise ValueError(f"by must be queue or agent, got {by!r}")
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {', '.join(BUCKETS)}, got {bucket!r}")
    if end <= start:
        raise ValueError("the end of the interval must be after its start")
    size = BUCKETS[bucket]
    sl_targets = sl_targets or {}
    rows = sorted(rows, key=lambda r: r.ts)
    qacc: dict[tuple[float, str], _QueueAcc] = defaultdict(_QueueAcc)
    aacc: dict[tuple[float, str], _AgentAcc] = defaultdict(_AgentAcc)

    def inside(ts: float) -> bool:
        return start <= ts < end

    # agent state timelines: (since, state, reason)
    current: dict[str, tuple[float, str, str]] = {}

    def add_interval(agent: str, state: str, reason: str, t0: float, t1: float) -> None:
        t0, t1 = max(t0, start), min(t1, end)
        if t1 <= t0 or state == "logged_out":
            return
        for b, secs in _split(t0, t1, size):
            acc = aacc[(b, agent)]
            acc.staffed += secs
            if state == "paused":
                acc.paused[reason or "unspecified"] += secs
            elif state == "on_call":
                acc.talk += secs
            elif state == "wrap_up":
                acc.wrap += secs

    for r in rows:
        d = r.data or {}
        q, a = r.queue, r.agent
        b = _bucket_of(r.ts, size)
        ev = r.event
        if ev == "AgentStateChanged" and a:
            state = str(d.get("state") or "")
            if a in current:
                t0, st0, rs0 = current[a]
                add_interval(a, st0, rs0, t0, r.ts)
            current[a] = (r.ts, state, str(d.get("reason") or ""))
            continue
        if not inside(r.ts):
            continue
        if q:
            acc = qacc[(b, q)]
            if ev == "CallQueued":
                if not d.get("recovered"):      # back after an engine restart: already offered
                    acc.offered += 1
                    acc.transferred_in += 1 if d.get("transferred_from") else 0
            elif ev == "CallAnswered":
                w = _num(d, "holdtime")
                acc.answered += 1
                acc.wait_sum += w
                acc.longest_wait = max(acc.longest_wait, w)
                if w <= sl_targets.get(q, default_sl):
                    acc.answered_in_sl += 1
            elif ev == "CallAbandoned":
                acc.abandoned += 1
                acc.longest_wait = max(acc.longest_wait, _num(d, "holdtime"))
            elif ev == "CallCompleted":
                acc.completed += 1
                acc.handle_sum += _num(d, "talktime")
                acc.held += _num(d, "heldtime")
            elif ev == "WrapupEnded":
                acc.handle_sum += _num(d, "wrapup")
            elif ev == "OfferMissed":
                acc.rona += 1
            elif ev in ("CallOverflowed", "CallMoved"):
                acc.overflowed += 1
            elif ev == "CallbackRequested":
                acc.callbacks += 1
        if a:
            if ev == "CallAnswered":
                aacc[(b, a)].answered += 1
            elif ev == "OfferMissed":
                aacc[(b, a)].missed += 1
            elif ev == "CallCompleted":
                aacc[(b, a)].completed += 1
                aacc[(b, a)].held += _num(d, "heldtime")
    for a, (t0, st0, rs0) in current.items():
        add_interval(a, st0, rs0, t0, end)

    return _queue_lines(qacc, sl_targets, default_sl, only) if by == "queue" else _agent_lines(aacc, only)


def _queue_lines(qacc: Mapping[tuple[float, str], _QueueAcc], sl_targets: Mapping[str, float], default_sl: float,
                 only: str | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for (b, q), acc in sorted(qacc.items()):
        if only and q != only:
            continue
        out.append({
            "bucket": _iso(b), "queue": q, "offered": acc.offered, "answered": acc.answered,
            "abandoned": acc.abandoned,
            "service_level": _pct(acc.answered_in_sl, acc.answered + acc.abandoned),
            "sl_target": sl_targets.get(q, default_sl),
            "asa": _avg(acc.wait_sum, acc.answered), "aht": _avg(acc.handle_sum, acc.completed),
            "abandon_rate": _pct(acc.abandoned, acc.offered),
            "longest_wait": round(acc.longest_wait, 1), "rona": acc.rona,
            "overflowed": acc.overflowed, "callbacks": acc.callbacks,
            "transferred_in": acc.transferred_in, "hold_time": round(acc.held, 1),
        })
    return out


def _agent_lines(aacc: Mapping[tuple[float, str], _AgentAcc], only: str | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for (b, a), acc in sorted(aacc.items()):
        if only and a != only:
            continue
        paused = sum(acc.paused.values())
        available = acc.staffed - paused
        out.append({
            "bucket": _iso(b), "agent": a, "answered": acc.answered, "missed": acc.missed,
            "talk_time": round(acc.talk, 1), "wrapup_time": round(acc.wrap, 1), "hold_time": round(acc.held, 1),
            "aht": _avg(acc.talk + acc.wrap, acc.completed),
            "staffed_time": round(acc.staffed, 1), "pause_time": round(paused, 1),
            "occupancy": _pct(acc.talk + acc.wrap, available) if available > 0 else None,
            "pause_by_reason": {k: round(v, 1) for k, v in sorted(acc.paused.items())},
        })
    return out


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_csv(lines: list[dict[str, Any]]) -> str:
    """CSV with one column per field; ``pause_by_reason`` becomes ``pause_<reason>`` columns."""
    reasons = sorted({r for line in lines for r in line.get("pause_by_reason", {})})
    cols: list[str] = []
    for line in lines:
        for k in line:
            if k != "pause_by_reason" and k not in cols:
                cols.append(k)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols + [f"pause_{r}" for r in reasons])
    for line in lines:
        pauses = line.get("pause_by_reason", {})
        w.writerow(["" if line.get(c) is None else line.get(c) for c in cols]
                   + [pauses.get(r, 0) for r in reasons])
    return buf.getvalue()
