"""Conversation analytics reports per agent or per queue (pure: rows in, figures out).

Rows are :func:`callcenter.store.analytics.summary_rows` dicts (one per analysed call). Per group:
calls analysed (and failed), average QA score (with supervisors' overrides), each rule's failure rate,
risk hits, talk / listen ratio (agent talk over caller talk, summed), silence and overtalk (share of
call time), average caller and agent mood, and the mood trend: caller mood per day (UTC).
:func:`analytics_csv` is the one CSV of those lines (the API's ``format=csv``, the CLI's ``--format csv``).
"""
from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from typing import Any, Iterable, Mapping

from .scorecard import apply_overrides

GROUPS = ("agent", "queue")


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _day(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts or 0))


def analytics_report(rows: Iterable[Mapping[str, Any]], by: str = "agent") -> list[dict[str, Any]]:
    """One entry per agent (or queue), sorted by name; calls without one are under ``"-"``."""
    if by not in GROUPS:
        raise ValueError(f"report by {by!r}: must be one of {', '.join(GROUPS)}")
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r.get(by) or "-"].append(r)
    return [{by: name, **_group(rs)} for name, rs in sorted(groups.items())]


def _group(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    done = [r for r in rows if r.get("status") == "done"]
    rules: dict[str, list[int]] = defaultdict(lambda: [0, 0])          # rule id -> [failed, scored]
    scores = []
    for r in done:
        qa = r.get("qa")
        if not qa:
            continue
        final = apply_overrides(qa, r.get("overrides") or {})
        scores.append(final["score"])
        for rule in final["rules"]:
            rules[rule["id"]][1] += 1
            rules[rule["id"]][0] += 0 if rule["passed"] else 1
    m = [r.get("metrics") or {} for r in done]
    talk_agent = sum(x.get("agent_talk_s", 0.0) for x in m)
    talk_caller = sum(x.get("caller_talk_s", 0.0) for x in m)
    total = sum(x.get("duration_s", 0.0) for x in m) or 0.0
    by_day: dict[str, list[float]] = defaultdict(list)
    for r in done:
        if r.get("caller_mood") is not None:
            by_day[_day(r.get("call_at"))].append(r["caller_mood"])
    return {
        "calls": len(done), "failed": sum(1 for r in rows if r.get("status") == "failed"),
        "avg_score": _mean(scores),
        "rule_failure_rates": {rid: round(f / n, 3) for rid, (f, n) in sorted(rules.items()) if n},
        "risk_hits": sum(int(r.get("risk_count") or 0) for r in done),
        "calls_with_risk": sum(1 for r in done if r.get("risk_count")),
        "talk_listen_ratio": round(talk_agent / talk_caller, 3) if talk_caller else None,
        "silence_pct": round(100 * sum(x.get("silence_s", 0.0) for x in m) / total, 2) if total else None,
        "overtalk_pct": round(100 * sum(x.get("overtalk_s", 0.0) for x in m) / total, 2) if total else None,
        "caller_mood": _mean([r["caller_mood"] for r in done if r.get("caller_mood") is not None]),
        "agent_mood": _mean([r["agent_mood"] for r in done if r.get("agent_mood") is not None]),
        "mood_trend": [{"day": d, "caller_mood": _mean(v), "calls": len(v)} for d, v in sorted(by_day.items())],
    }


def analytics_csv(lines: list[Mapping[str, Any]]) -> str:
    """The report lines as CSV: one column per figure, ``fail_<rule>`` per scorecard rule (its failure
    rate; empty where the group's calls were not scored on it) and ``mood_trend`` as ``day=mood/calls``
    pairs separated by spaces."""
    rules = sorted({r for line in lines for r in line.get("rule_failure_rates") or {}})
    cols: list[str] = []
    for line in lines:
        cols += [k for k in line if k not in ("rule_failure_rates", "mood_trend") and k not in cols]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols + [f"fail_{r}" for r in rules] + ["mood_trend"])
    for line in lines:
        rates = line.get("rule_failure_rates") or {}
        trend = " ".join(f"{d['day']}={'' if d['caller_mood'] is None else d['caller_mood']}/{d['calls']}"
                         for d in line.get("mood_trend") or [])
        w.writerow(["" if line.get(c) is None else line.get(c) for c in cols]
                   + ["" if rates.get(r) is None else rates[r] for r in rules] + [trend])
    return buf.getvalue()
