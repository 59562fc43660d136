"""Reports from the call event log (pure: rows in, tables out; no I/O).

The engine writes one queue_log-style row per thing that happens to a call or an agent
(:data:`EVENTS`). :func:`build_report` aggregates those rows per queue or per agent into 15-minute,
hourly or daily buckets:

* per queue: offered, answered, abandoned, service level (answered within the queue's target /
  (answered + abandoned), in percent), ASA (mean wait of answered calls), AHT (mean talk + wrap-up of
  completed calls), longest wait, RONA (missed offers);
* per agent: answered, missed (RONA), talk and wrap-up time, AHT, staffed time (logged in), pause time
  per reason code, and occupancy ((talk + wrap-up) / (staffed - paused), in percent).

Each event counts in the bucket of its own timestamp; time intervals (staffed, paused, talking,
wrap-up) are split across the buckets they span.
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

#: The event log vocabulary (after Asterisk's queue_log) and the ``data`` keys each carries.
EVENTS: dict[str, str] = {
    "ENTERQUEUE": "call entered a queue: caller, priority",
    "CONNECT": "agent answered: holdtime (seconds waited), ringtime",
    "COMPLETEAGENT": "agent hung up: holdtime, talktime",
    "COMPLETECALLER": "caller hung up: holdtime, talktime",
    "ABANDON": "caller hung up while waiting: holdtime, position",
    "RINGNOANSWER": "offered agent did not answer (RONA): ringtime",
    "EXITWITHTIMEOUT": "left the queue after max wait (overflow): holdtime, target",
    "TRANSFER": "moved to another queue by a supervisor or overflow: target, holdtime",
    "CALLBACKREQUEST": "caller asked to be called back, keeps its place: number",
    "CALLBACKORIGINATED": "callback originated: number",
    "WRAPUPEND": "agent left wrap-up: wrapup (seconds)",
    "AGENTLOGIN": "agent logged in: phone",
    "AGENTLOGOFF": "agent logged out: reason",
    "PAUSE": "agent paused: reason",
    "UNPAUSE": "agent un-paused",
    "IVREND": "IVR finished without queueing: outcome (transfer, voicemail, hangup)",
    "FAILED": "call failed: reason",
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


@dataclass
class _AgentAcc:
    answered: int = 0
    missed: int = 0
    completed: int = 0
    talk: float = 0.0
    wrap: float = 0.0
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
    wrap_known: set[tuple[str, str]] = set()

    def inside(ts: float) -> bool:
        return start <= ts < end

    # agent intervals: login, pause, talk, wrap-up
    login_at: dict[str, float] = {}
    pause_at: dict[str, tuple[float, str]] = {}
    talk_at: dict[tuple[str, str], float] = {}
    wrap_at: dict[str, tuple[float, str]] = {}

    def add_interval(agent: str, kind: str, t0: float, t1: float, reason: str = "") -> None:
        t0, t1 = max(t0, start), min(t1, end)
        if t1 <= t0:
            return
        for b, secs in _split(t0, t1, size):
            acc = aacc[(b, agent)]
            if kind == "staffed":
                acc.staffed += secs
            elif kind == "pause":
                acc.paused[reason or "unspecified"] += secs
            elif kind == "talk":
                acc.talk += secs
            elif kind == "wrap":
                acc.wrap += secs

    for r in rows:
        d = r.data or {}
        q, a = r.queue, r.agent
        b = _bucket_of(r.ts, size)
        ev = r.event
        if q and inside(r.ts):
            acc = qacc[(b, q)]
            if ev == "ENTERQUEUE":
                acc.offered += 1
            elif ev == "CONNECT":
                w = _num(d, "holdtime")
                acc.answered += 1
                acc.wait_sum += w
                acc.longest_wait = max(acc.longest_wait, w)
                if w <= sl_targets.get(q, default_sl):
                    acc.answered_in_sl += 1
            elif ev == "ABANDON":
                acc.abandoned += 1
                acc.longest_wait = max(acc.longest_wait, _num(d, "holdtime"))
            elif ev in ("COMPLETEAGENT", "COMPLETECALLER"):
                acc.completed += 1
                acc.handle_sum += _num(d, "talktime") + _num(d, "wrapup")
            elif ev == "RINGNOANSWER":
                acc.rona += 1
            elif ev in ("EXITWITHTIMEOUT", "TRANSFER"):
                acc.overflowed += 1
            elif ev == "CALLBACKREQUEST":
                acc.callbacks += 1
            elif ev == "WRAPUPEND" and r.call_id:
                # wrap-up belongs to the handle time of the call it followed
                acc.handle_sum += _num(d, "wrapup")
        if not a:
            continue
        if ev == "AGENTLOGIN":
            login_at.setdefault(a, r.ts)
        elif ev == "AGENTLOGOFF":
            if a in login_at:
                add_interval(a, "staffed", login_at.pop(a), r.ts)
            if a in pause_at:
                t0, reason = pause_at.pop(a)
                add_interval(a, "pause", t0, r.ts, reason)
        elif ev == "PAUSE":
            if a not in pause_at:
                pause_at[a] = (r.ts, str(d.get("reason") or ""))
        elif ev == "UNPAUSE":
            if a in pause_at:
                t0, reason = pause_at.pop(a)
                add_interval(a, "pause", t0, r.ts, reason)
        elif ev == "CONNECT":
            if inside(r.ts):
                aacc[(b, a)].answered += 1
            talk_at[(a, r.call_id or "")] = r.ts
        elif ev in ("COMPLETEAGENT", "COMPLETECALLER"):
            t0 = talk_at.pop((a, r.call_id or ""), r.ts - _num(d, "talktime"))
            add_interval(a, "talk", t0, r.ts)
            if inside(r.ts):
                aacc[(b, a)].completed += 1
            wrap_at[a] = (r.ts, r.call_id or "")
        elif ev == "WRAPUPEND":
            t0, cid = wrap_at.pop(a, (r.ts - _num(d, "wrapup"), r.call_id or ""))
            add_interval(a, "wrap", t0, r.ts)
            wrap_known.add((a, cid))
        elif ev == "RINGNOANSWER" and inside(r.ts):
            aacc[(b, a)].missed += 1
    # still open at the end of the interval
    for a, t0 in login_at.items():
        add_interval(a, "staffed", t0, end)
    for a, (t0, reason) in pause_at.items():
        add_interval(a, "pause", t0, end, reason)
    for (a, _cid), t0 in talk_at.items():
        add_interval(a, "talk", t0, end)

    out: list[dict[str, Any]] = []
    if by == "queue":
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
            })
    else:
        for (b, a), acc in sorted(aacc.items()):
            if only and a != only:
                continue
            paused = sum(acc.paused.values())
            available = acc.staffed - paused
            out.append({
                "bucket": _iso(b), "agent": a, "answered": acc.answered, "missed": acc.missed,
                "talk_time": round(acc.talk, 1), "wrapup_time": round(acc.wrap, 1),
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


def to_table(lines: list[dict[str, Any]]) -> str:
    """A fixed-width text table for the terminal."""
    if not lines:
        return "(no activity in this interval)\n"
    flat = []
    for line in lines:
        row = {k: v for k, v in line.items() if k != "pause_by_reason"}
        if "pause_by_reason" in line:
            row["pause_reasons"] = ",".join(f"{k}={v:g}" for k, v in line["pause_by_reason"].items()) or "-"
        flat.append(row)
    cols = list(flat[0])
    text = [[("-" if r.get(c) is None else str(r.get(c))) for c in cols] for r in flat]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(cols)]
    out = ["  ".join(c.ljust(w) for c, w in zip(cols, widths))]
    out += ["  ".join(v.ljust(w) for v, w in zip(t, widths)) for t in text]
    return "\n".join(out) + "\n"
