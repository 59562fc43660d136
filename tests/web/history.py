"""A reproducible day of call-center history as event-log rows (what the store writes for each domain
event): calls queued, answered or abandoned, talk and wrap-up, agent states with pauses. The report
page tests (and the screenshots) put it in the database and compare the page with the API."""
from __future__ import annotations

import random
from typing import Any


def day_of_events(start: float, hours: int = 8, *, queues: tuple[str, ...] = ("support", "billing", "sales"),
                  agents: tuple[str, ...] = ("a00", "a01", "a02", "a03"), seed: int = 7,
                  calls_per_hour: int = 12) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for a in agents:
        rows.append({"ts": start, "event": "AgentStateChanged", "agent": a, "data": {"state": "ready"}})
        t = start + 3600 * rng.uniform(1, hours - 2)
        rows.append({"ts": t, "event": "AgentStateChanged", "agent": a, "data": {"state": "paused", "reason": "lunch"}})
        rows.append({"ts": t + rng.uniform(600, 2400), "event": "AgentStateChanged", "agent": a,
                     "data": {"state": "ready"}})
    n = 0
    for h in range(hours):
        for _ in range(calls_per_hour + rng.randint(-4, 6)):
            n += 1
            cid = f"hist-{n}"
            q = rng.choice(queues)
            t0 = start + h * 3600 + rng.uniform(0, 3500)
            wait = rng.expovariate(1 / 18)
            rows.append({"ts": t0, "event": "CallQueued", "call_id": cid, "queue": q})
            if rng.random() < 0.12:
                rows.append({"ts": t0 + wait, "event": "CallAbandoned", "call_id": cid, "queue": q,
                             "data": {"holdtime": round(wait, 1)}})
                continue
            a = rng.choice(agents)
            talk = rng.uniform(60, 420)
            wrap = rng.uniform(10, 40)
            rows += [
                {"ts": t0 + wait, "event": "CallAnswered", "call_id": cid, "queue": q, "agent": a,
                 "data": {"holdtime": round(wait, 1)}},
                {"ts": t0 + wait, "event": "AgentStateChanged", "agent": a, "data": {"state": "on_call"}},
                {"ts": t0 + wait + talk, "event": "AgentStateChanged", "agent": a, "data": {"state": "wrap_up"}},
                {"ts": t0 + wait + talk + wrap, "event": "AgentStateChanged", "agent": a, "data": {"state": "ready"}},
                {"ts": t0 + wait + talk, "event": "CallCompleted", "call_id": cid, "queue": q, "agent": a,
                 "data": {"holdtime": round(wait, 1), "talktime": round(talk, 1), "ended_by": "caller"}},
                {"ts": t0 + wait + talk + wrap, "event": "WrapupEnded", "call_id": cid, "queue": q, "agent": a,
                 "data": {"wrapup": round(wrap, 1)}},
            ]
    return sorted(rows, key=lambda r: r["ts"])
