"""Discrete-event simulator that drives the very same :class:`acd.Router` the server uses.

Pure: the scenario comes in as a :class:`acd.scenario.Scenario`, the result goes out as a dict; no I/O,
no wall clock (the caller times it). Arrivals are Poisson with a rate per interval (piecewise constant,
exact by memorylessness), handle times and patience follow the scenario's distributions, agents log in
and out on their shifts, answer after ``answer_delay`` with probability ``answer_prob`` (otherwise the
router's RONA handling kicks in), and an auto-paused agent comes back after ``pause_after_rona``.

Statistics are attributed to the queue where a call finished (an overflow into another router queue
counts as ``overflowed`` for the first one) and to the interval in which the call arrived. Calls that
arrive during ``warmup`` are simulated but not counted.
"""
from __future__ import annotations

import heapq
import itertools
import math
import random
from typing import Callable

from .decisions import AgentAutoPaused, CallFinished, Offer, Overflow
from .erlang import erlang_a, erlang_c
from .router import Router
from .scenario import AgentGroup, Scenario

__all__ = ["simulate", "erlang_inputs", "members_on_shift"]

# event kinds (ordered so that, at equal times, departures happen before arrivals)
E_SNAP, E_END, E_ANS, E_TICK, E_LOGIN, E_UNPAUSE, E_ABD, E_CB, E_ARR, E_LOGOUT = range(10)

# per (queue, interval) counters
OFFERED, ANSWERED, ANS_SL, ABANDONED, ABD_SL, OVERFLOWED, CALLED_BACK, WAIT, HANDLE, HANDLED = range(10)
NCOUNT = 10


def _blank(n: int) -> list[list[float]]:
    return [[0.0] * NCOUNT for _ in range(n)]


def _figures(c: list[float]) -> dict:
    ans, abd = c[ANSWERED], c[ABANDONED]
    fin = c[OFFERED]
    return {
        "offered": int(fin), "answered": int(ans), "abandoned": int(abd), "overflowed": int(c[OVERFLOWED]),
        "called_back": int(c[CALLED_BACK]),
        "sl": c[ANS_SL] / ans if ans else None,
        "sl2": (c[ANS_SL] + c[ABD_SL]) / (ans + abd) if (ans + abd) else None,
        "asa": c[WAIT] / ans if ans else None,
        "aht": c[HANDLE] / c[HANDLED] if c[HANDLED] else None,
        "abandon_rate": abd / fin if fin else None,
    }


def _queues_of(g) -> dict[str, int]:
    """The group's queues with their penalties."""
    qs = g.template.get("queues") or {}
    if isinstance(qs, list):
        qs = {q: 0 for q in qs}
    return {k: (v or 0) for k, v in qs.items()}


def _cover(sc: Scenario, g, i: int) -> float:
    """The fraction (0..1) of interval ``i`` that the group's shifts cover."""
    t0, t1 = i * sc.interval, min((i + 1) * sc.interval, sc.duration)
    if t1 <= t0:
        return 0.0
    return min(sum(max(0.0, min(t1, b) - max(t0, a)) for a, b in g.shifts) / (t1 - t0), 1.0)


def members_on_shift(sc: Scenario) -> dict[str, list[float]]:
    """Per queue and interval: the agents who can take the queue's calls, i.e. its members at any
    penalty, counted pro rata of the interval their shifts cover (an agent in several queues counts in
    each of them). This is the ``agents`` figure of the interval rows."""
    n = sc.intervals
    out = {ql.config.name: [0.0] * n for ql in sc.queues}
    for g in sc.groups:
        qs = [q for q in _queues_of(g) if q in out]
        if not qs or g.count <= 0:
            continue
        for i in range(n):
            c = g.count * _cover(sc, g, i)
            for q in qs:
                out[q][i] += c
    return out


def erlang_inputs(sc: Scenario) -> dict[str, list[tuple[float, float, float, float | None, float]]]:
    """Per queue and interval: (rate per second, AHT incl. wrap-up, agents, patience mean, threshold).

    Agents are counted pro rata of the interval their shift covers, and an agent who serves several
    queues is shared equally among the queues where its penalty is lowest (Erlang knows no skills)."""
    n = sc.intervals
    staff = {ql.config.name: [0.0] * n for ql in sc.queues}
    wraps: dict[str, list[float]] = {ql.config.name: [] for ql in sc.queues}
    for g in sc.groups:
        qs = {k: v for k, v in _queues_of(g).items() if k in staff}
        if not qs or g.count <= 0:
            continue
        best = min(qs.values())
        primary = [q for q, p in qs.items() if p == best]
        share = g.count / len(primary)
        for i in range(n):
            cover = _cover(sc, g, i)
            for q in primary:
                staff[q][i] += share * cover
        if g.template.get("wrapup") is not None:
            for q in primary:
                wraps[q].append(float(g.template["wrapup"]))
    out = {}
    for ql in sc.queues:
        q = ql.config.name
        wr = (sum(wraps[q]) / len(wraps[q])) if wraps[q] else ql.config.wrapup
        aht = ql.handle.mean + wr
        pat = ql.patience.mean if ql.patience else None
        rows = []
        for i in range(n):
            rate = ql.rates[min(i, len(ql.rates) - 1)] / 3600.0
            rows.append((rate, aht, staff[q][i], pat, ql.config.sl_target))
        out[q] = rows
    return out


def _erlang_pair(rate: float, aht: float, agents: float, patience: float | None, thr: float, cache: dict) -> dict:
    n = int(round(agents))
    key = (round(rate, 9), round(aht, 6), n, patience, thr)
    r = cache.get(key)
    if r is None:
        c = erlang_c(rate, aht, n, thr)
        a = erlang_a(rate, aht, n, patience, thr) if patience else dict(c, model="erlang-a")
        r = {"agents": n, "erlang_c": c, "erlang_a": a}
        cache[key] = r
    return r


def simulate(sc: Scenario, progress: Callable[[float], None] | None = None, *, drain: float = 4 * 3600.0,
             max_events: int | None = None) -> dict:
    """Run the scenario; returns {"scenario", "queues": [...], "intervals": [...], "total", "events"}."""
    rng = random.Random(sc.seed)
    router = Router([ql.config for ql in sc.queues], [], seed=sc.seed, now=0.0, agent_states=False)
    heap: list = []
    seq = itertools.count(1)
    heappush = heapq.heappush

    def push(t: float, kind: int, a=None, b=None) -> None:
        heappush(heap, (t, kind, next(seq), a, b))

    group_of = _add_agents(sc, router, push)
    nint = sc.intervals
    duration = sc.duration
    counters = {ql.config.name: _blank(nint) for ql in sc.queues}
    busy = [0.0] * nint
    avail = [0.0] * nint
    qocc: dict = {}
    snapshot = _snapshots(router, [ql.config.name for ql in sc.queues], busy, avail, qocc)
    for i in range(1, nint + 1):
        push(min(i * sc.interval, duration), E_SNAP, i - 1)
    pending: list = []          # offers answered at once (answer_delay 0), handled before the next event
    # call records: id -> [queue index, arrival time, handle, state, interval, counted, no_abandon, queue]
    calls: dict[int, list] = {}
    next_arrival, arrive = _arrivals(sc, rng, router, push, calls)
    for qi in range(len(sc.queues)):
        t = next_arrival(qi, 0.0)
        if t is not None:
            push(t, E_ARR, qi)
    handle = _decision_handler(sc, rng, push, calls, counters, group_of, pending)
    answer = _answers(sc, router, push, calls, counters, handle)

    next_id = 0
    arrivals_left = len(sc.queues)
    tick_at = math.inf
    events = 0
    report_every = 5000
    while heap:
        t, kind, _, a, b = heapq.heappop(heap)
        events += 1
        if max_events is not None and events > max_events:
            break
        if progress is not None and events % report_every == 0:
            progress(min(t / duration, 1.0))
        if kind == E_ARR:
            nt = next_arrival(a, t)
            if nt is not None:
                push(nt, E_ARR, a)
            else:
                arrivals_left -= 1
            next_id += 1
            handle(arrive(a, t, next_id), t)
        elif kind == E_ANS:
            answer(a, b, t)
        elif kind == E_SNAP:
            snapshot(a, t)
        elif kind == E_END:
            if calls.pop(a, None) is not None:
                handle(router.call_ended(a, t), t)
        elif kind == E_ABD:
            rec = calls.get(a)
            if rec is not None and rec[3] == 0 and not rec[6]:
                handle(router.call_abandoned(a, t), t)
        elif kind == E_CB:
            rec = calls.get(a)
            if rec is not None and rec[3] == 0:
                rec[6] = True
                handle(router.callback_requested(a, f"cb-{a}", t), t)
        elif kind == E_TICK:
            if t >= tick_at:
                tick_at = math.inf
            handle(router.tick(t), t)
        elif kind == E_LOGIN:
            handle(router.agent_logged_in(a, t), t)
        elif kind == E_LOGOUT:
            handle(router.agent_logged_out(a, t), t)
        elif kind == E_UNPAUSE:
            handle(router.agent_unpaused(a, t), t)
        while pending:
            cid, aid = pending.pop()
            answer(cid, aid, t)
        nd = router.next_deadline()
        if nd is not None and nd < tick_at:
            tick_at = nd
            push(nd, E_TICK)
        if arrivals_left <= 0 and not calls:
            break
        if t > duration + drain:
            break
    end_t = router.now
    while heap:                 # interval snapshots still due (the day ended early)
        t, kind, _, a, b = heapq.heappop(heap)
        if kind == E_SNAP:
            snapshot(a, t)
    unfinished = sum(1 for r in calls.values() if r[3] == 0 and r[5])
    if progress is not None:
        progress(1.0)

    intervals, queues, trow = _report(sc, counters, busy, avail, qocc, router)
    return {
        "scenario": sc.name, "seed": sc.seed, "duration": sc.duration, "interval": sc.interval,
        "warmup": sc.warmup, "calls": next_id, "unfinished": unfinished, "events": events, "end_time": end_t,
        "queues": queues, "intervals": intervals, "total": trow,
    }


def _add_agents(sc: Scenario, router: Router, push: Callable) -> dict[str, AgentGroup]:
    """Add every group's agents to the router and schedule their shifts; returns agent id -> group."""
    group_of: dict[str, AgentGroup] = {}
    for g in sc.groups:
        for cfg in g.agent_configs():
            router.add_agent(cfg)
            group_of[cfg.id] = g
            for s0, s1 in g.shifts:
                push(max(0.0, s0), E_LOGIN, cfg.id)
                push(max(0.0, s1), E_LOGOUT, cfg.id)
    return group_of


def _arrivals(sc: Scenario, rng: random.Random, router: Router, push: Callable, calls: dict):
    """(next_arrival(queue index, t) -> time or None, arrive(queue index, t, call id) -> decisions)."""
    interval, duration, nint, warmup = sc.interval, sc.duration, sc.intervals, sc.warmup
    handle_s = [ql.handle.sampler(rng) for ql in sc.queues]
    patience_s = [ql.patience.sampler(rng) if ql.patience else None for ql in sc.queues]
    caller_w = []               # cumulative weights of each queue's caller types
    for ql in sc.queues:
        tot = sum(c.weight for c in ql.callers)
        acc = 0.0
        cum = []
        for c in ql.callers:
            acc += c.weight / tot
            cum.append(acc)
        caller_w.append(cum)

    def next_arrival(qi: int, t: float) -> float | None:
        rates = sc.queues[qi].rates
        while t < duration:
            i = int(t // interval)
            r = rates[min(i, len(rates) - 1)] / 3600.0
            end = min((i + 1) * interval, duration)
            if r > 0:
                nt = t + rng.expovariate(r)
                if nt < end:
                    return nt
            t = end
        return None

    def arrive(qi: int, t: float, cid: int) -> list:
        ql = sc.queues[qi]
        cum = caller_w[qi]
        ct = ql.callers[0]
        if len(cum) > 1:
            u = rng.random()
            for k, w in enumerate(cum):
                if u <= w:
                    ct = ql.callers[k]
                    break
        iv = min(int(t // interval), nint - 1)
        calls[cid] = [qi, t, handle_s[qi](), 0, iv, t >= warmup, False, None]
        ps = patience_s[qi]
        if ps is not None:
            push(t + ps(), E_ABD, cid)
        if ct.callback > 0 and ql.callback_after and rng.random() < ct.callback:
            push(t + ql.callback_after, E_CB, cid)
        return router.call_arrived(cid, ql.config.name, t, ct.priority, skills=ct.skills, language=ct.language)

    return next_arrival, arrive


def _decision_handler(sc: Scenario, rng: random.Random, push: Callable, calls: dict, counters: dict,
                      group_of: dict, pending: list) -> Callable[[list, float], None]:
    """handle(decisions, t): count finished calls, have agents answer offers (now, later or never) and
    come back from an auto-pause."""
    thr = {ql.config.name: ql.config.sl_target for ql in sc.queues}

    def handle(decs: list, t: float) -> None:
        for d in decs:
            cls = d.__class__
            if cls is Offer:
                rec = calls.get(d.call_id)
                if rec is None:
                    continue
                ids = d.agent_ids
                aid = ids[0] if len(ids) == 1 else ids[int(rng.random() * len(ids))]
                g = group_of[aid]
                if g.answer_prob < 1.0 and rng.random() >= g.answer_prob:
                    continue  # nobody picks up: the router withdraws the offer after rona_timeout
                if g.answer_delay > 0:
                    push(t + g.answer_delay, E_ANS, d.call_id, aid)
                else:
                    pending.append((d.call_id, aid))
            elif cls is CallFinished:
                rec = calls.get(d.call_id)
                if rec is None:
                    continue
                out = d.outcome
                if rec[5]:
                    c = counters[d.queue][rec[4]]
                    c[OFFERED] += 1
                    if out == "answered":
                        c[ANSWERED] += 1
                        c[WAIT] += d.wait
                        if d.wait <= thr[d.queue]:
                            c[ANS_SL] += 1
                    elif out == "abandoned":
                        c[ABANDONED] += 1
                        if d.wait <= thr[d.queue]:
                            c[ABD_SL] += 1
                    elif out == "overflowed":
                        c[OVERFLOWED] += 1
                    else:
                        c[CALLED_BACK] += 1
                if out == "answered" or out == "called-back":
                    rec[3] = 2
                    rec[7] = d.queue
                else:
                    rec[3] = 3
                    del calls[d.call_id]
            elif cls is Overflow:
                if d.to_queue:
                    rec = calls.get(d.call_id)
                    if rec is not None and rec[5]:
                        c = counters[d.queue][rec[4]]
                        c[OFFERED] += 1
                        c[OVERFLOWED] += 1
            elif cls is AgentAutoPaused:
                push(t + group_of[d.agent_id].pause_after_rona, E_UNPAUSE, d.agent_id)

    return handle


def _answers(sc: Scenario, router: Router, push: Callable, calls: dict, counters: dict,
             handle: Callable) -> Callable:
    """answer(call id, agent id, t): the agent picks up; the call ends after its handle time."""
    wrap_q = {ql.config.name: ql.config.wrapup for ql in sc.queues}

    def answer(cid, aid, t: float) -> None:
        rec = calls.get(cid)
        if rec is not None and rec[3] == 0:
            handle(router.offer_answered(cid, aid, t), t)
            if rec[3] == 2:
                push(t + rec[2], E_END, cid)
                if rec[5]:
                    q = rec[7]
                    ag = router.agents[aid].cfg
                    c = counters[q][rec[4]]
                    c[HANDLE] += rec[2] + (ag.wrapup if ag.wrapup is not None else wrap_q[q])
                    c[HANDLED] += 1

    return answer


def _snapshots(router: Router, qnames: list[str], busy: list[float], avail: list[float], qocc: dict) -> Callable:
    """snapshot(interval, t) at the end of each interval: busy and available agent time (centre-wide
    occupancy), and at the last one each queue's occupancy over the scenario's duration."""
    prev = [0.0, 0.0]
    last = len(busy) - 1

    def snapshot(i: int, t: float) -> None:
        bsy, idl = router.agent_time_totals(t)
        busy[i] += bsy - prev[0]
        avail[i] += idl - prev[1]
        prev[0], prev[1] = bsy, idl
        if i == last:       # per-queue occupancy over the scenario's duration (not the drain after it)
            for qn in qnames:
                qocc[qn] = router.stats(qn, t)["occupancy"]

    return snapshot


def _report(sc: Scenario, counters: dict, busy: list[float], avail: list[float], qocc: dict,
            router: Router) -> tuple[list[dict], list[dict], dict]:
    """The interval rows, queue rows and total row: simulated figures beside Erlang C / Erlang A.

    An interval is ``overloaded`` when calls arrive and the offered load (rate x AHT) reaches the agents
    Erlang is given: Erlang C has no steady state, its waiting time (ASA) is infinite (``inf``), and so is
    Erlang A's when callers never hang up. A queue row is overloaded when one of its counted intervals is
    (``overloaded_intervals`` says how many); its Erlang ASA (a mean weighted by arrivals) is then
    infinite too."""
    einp = erlang_inputs(sc)
    members = members_on_shift(sc)
    interval, nint, warmup = sc.interval, sc.intervals, sc.warmup
    cache: dict = {}
    intervals = []
    queues = []
    total = [0.0] * NCOUNT
    for ql in sc.queues:
        q = ql.config.name
        qtot = [0.0] * NCOUNT
        wsum = 0.0
        eacc = {"erlang_c_sl": 0.0, "erlang_a_sl": 0.0, "erlang_a_abandon": 0.0}
        easa = {"erlang_c_asa": [0.0, 0.0], "erlang_a_asa": [0.0, 0.0]}     # weighted sum, weight
        q_over = 0
        for i in range(nint):
            c = counters[q][i]
            for k in range(NCOUNT):
                qtot[k] += c[k]
            rate, aht, agents, pat, th = einp[q][i]
            er = _erlang_pair(rate, aht, agents, pat, th, cache)
            ec, ea = er["erlang_c"], er["erlang_a"]
            over = rate > 0 and not ec["stable"]
            row = {"queue": q, "interval": i, "start": sc.label(i), "t": i * interval}
            row.update(_figures(c))
            occ_den = busy[i] + avail[i]
            row["occupancy"] = busy[i] / occ_den if occ_den else None
            row["agents"] = members[q][i]
            row["erlang_agents"] = er["agents"]
            row["rate_per_hour"] = rate * 3600
            row["overloaded"] = over
            asa = {"erlang_c_asa": ec["asa"] if over else _fin(ec["asa"]),
                   "erlang_a_asa": ea.get("asa") if over else _fin(ea.get("asa"))}
            row.update(erlang_c_sl=ec["sl"], erlang_c_asa=asa["erlang_c_asa"], erlang_c_occupancy=ec["occupancy"],
                       erlang_a_sl=ea["sl"], erlang_a_abandon=ea.get("abandon"), erlang_a_asa=asa["erlang_a_asa"])
            intervals.append(row)
            w = rate * (min((i + 1) * interval, sc.duration) - i * interval)
            if w > 0 and i * interval >= warmup - 1e-9:
                wsum += w
                q_over += over
                eacc["erlang_c_sl"] += w * (ec["sl"] or 0.0)
                eacc["erlang_a_sl"] += w * (ea["sl"] or 0.0)
                eacc["erlang_a_abandon"] += w * (ea.get("abandon") or 0.0)
                for k, v in asa.items():
                    if v is not None:           # None: nobody is answered (no agents), no wait to average
                        easa[k][0] += w * v
                        easa[k][1] += w
        qrow = {"queue": q}
        qrow.update(_figures(qtot))
        qrow["occupancy"] = qocc.get(q, router.stats(q)["occupancy"])
        for k, v in eacc.items():
            qrow[k] = v / wsum if wsum else None
        for k, (v, wt) in easa.items():
            qrow[k] = v / wt if wt else None
        qrow["overloaded"] = q_over > 0
        qrow["overloaded_intervals"] = q_over
        queues.append(qrow)
        for k in range(NCOUNT):
            total[k] += qtot[k]
    trow = {"queue": "(all)"}
    trow.update(_figures(total))
    b, av = sum(busy), sum(avail)
    trow["occupancy"] = b / (b + av) if (b + av) else None
    return intervals, queues, trow


def _fin(v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    return v
