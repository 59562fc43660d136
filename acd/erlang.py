"""Closed-form queueing figures planners compare with the simulator.

* Erlang C (M/M/N, callers never hang up).
* Erlang A (M/M/N+M, Palm's model: exponential patience), computed exactly from the birth-death chain
  (truncated where the tail probability is negligible) and the tagged caller's absorbing chain.

Inputs are rates per second and seconds. Results are dicts; probabilities are fractions 0..1.
``sl`` is Asterisk's first definition (answered within T / answered), ``sl2`` the second
((answered + abandoned within T) / (answered + abandoned)).
"""
from __future__ import annotations

import math

__all__ = ["erlang_b", "erlang_c", "erlang_a", "agents_for_sl"]


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of M/M/N/N with offered traffic ``traffic`` Erlangs (stable recursion)."""
    if agents <= 0:
        return 1.0
    b = 1.0
    for n in range(1, int(agents) + 1):
        b = traffic * b / (n + traffic * b)
    return b


def erlang_c(rate: float, aht: float, agents: int, threshold: float = 20.0) -> dict:
    """Erlang C. ``rate`` calls per second, ``aht`` mean handle time (s), ``agents`` servers,
    ``threshold`` the service-level time (s)."""
    n = int(agents)
    a = rate * aht
    res = {"model": "erlang-c", "agents": n, "traffic": a, "rate": rate, "aht": aht, "threshold": threshold}
    if n <= 0 or a >= n:
        res.update(p_wait=1.0, sl=0.0, sl2=0.0, asa=math.inf, occupancy=1.0 if n > 0 else None,
                   abandon=0.0, stable=False)
        return res
    if a <= 0:
        res.update(p_wait=0.0, sl=1.0, sl2=1.0, asa=0.0, occupancy=0.0, abandon=0.0, stable=True)
        return res
    b = erlang_b(a, n)
    c = n * b / (n - a * (1 - b))
    sl = 1.0 - c * math.exp(-(n - a) * threshold / aht)
    res.update(p_wait=c, sl=sl, sl2=sl, asa=c * aht / (n - a), occupancy=a / n, abandon=0.0, stable=True)
    return res


def erlang_a(rate: float, aht: float, agents: int, patience: float, threshold: float = 20.0) -> dict:
    """Erlang A (M/M/N+M). ``patience`` is the mean time a caller waits before hanging up (s)."""
    import numpy as np
    from scipy.sparse import diags
    from scipy.sparse.linalg import expm_multiply

    n = int(agents)
    res = {"model": "erlang-a", "agents": n, "traffic": rate * aht, "rate": rate, "aht": aht,
           "patience": patience, "threshold": threshold}
    if patience is None or not math.isfinite(patience) or patience <= 0:
        if patience is not None and patience <= 0:
            res.update(p_wait=1.0, sl=None, sl2=0.0, asa=None, occupancy=0.0, abandon=1.0)
            return res
        out = erlang_c(rate, aht, agents, threshold)
        out["model"] = "erlang-a"
        out["patience"] = patience
        return out
    if rate <= 0:
        res.update(p_wait=0.0, sl=1.0, sl2=1.0, asa=0.0, occupancy=0.0, abandon=0.0)
        return res
    mu = 1.0 / aht
    theta = 1.0 / patience
    if n <= 0:
        res.update(p_wait=1.0, sl=None, sl2=0.0, asa=None, occupancy=None, abandon=1.0)
        return res
    lam = rate
    # queue length where arrivals balance departures, plus a generous margin
    k_eq = max(0.0, (lam - n * mu) / theta)
    kmax = int(k_eq + 12 * math.sqrt(k_eq + lam / theta + 1) + 60)
    kmax = min(kmax, 200_000)
    # log stationary probabilities
    logp = np.empty(n + kmax + 1)
    la = math.log(lam)
    logp[0] = 0.0
    for i in range(1, n + 1):
        logp[i] = logp[i - 1] + la - math.log(i * mu)
    js = np.arange(1, kmax + 1)
    logp[n + 1:] = logp[n] + np.cumsum(la - np.log(n * mu + js * theta))
    logp -= logp.max()
    p = np.exp(logp)
    p /= p.sum()
    p_served_now = float(p[:n].sum())
    pq = p[n:]                                     # arrival finds j = 0..kmax callers ahead (PASTA)
    j = np.arange(0, kmax + 1, dtype=float)
    adv = n * mu + j * theta                       # rate at which the tagged caller moves up
    stay = adv + theta                             # total exit rate of state j
    h = np.cumprod(adv / stay)                     # P(eventually served | j ahead)
    p_served = p_served_now + float(pq @ h)
    # expected wait of served callers: x = (-Q)^-1 h, forward substitution on the bidiagonal
    x = np.empty_like(h)
    prev = 0.0
    for i in range(kmax + 1):
        prev = (h[i] + (adv[i] * prev if i else 0.0)) / stay[i]
        x[i] = prev
    e_wait_served = float(pq @ x)
    # transient law at T: row vector pq * expm(Q T); Q has -stay on the diagonal and adv j -> j-1
    q = diags([-stay, adv[1:]], [0, 1], format="csc")   # Q^T (column j-1 <- j) for expm_multiply
    qt = expm_multiply(q * threshold, pq) if threshold > 0 else pq
    qt = np.maximum(qt, 0.0)
    still_waiting = float(qt.sum())
    served_after_t = float(qt @ h)
    answered_in_t = p_served - served_after_t
    busy = float((np.minimum(np.arange(n + kmax + 1), n) * p).sum())
    res.update(
        p_wait=float(pq.sum()),
        sl=answered_in_t / p_served if p_served > 0 else None,
        sl2=1.0 - still_waiting,
        asa=e_wait_served / p_served if p_served > 0 else None,
        occupancy=busy / n,
        abandon=1.0 - p_served,
        stable=True,
    )
    return res


def agents_for_sl(rate: float, aht: float, target_sl: float, threshold: float = 20.0,
                  patience: float | None = None, limit: int = 100_000) -> int:
    """The fewest agents meeting ``target_sl`` (Erlang C, or Erlang A when patience is given)."""
    n = max(1, int(rate * aht))
    while n < limit:
        r = erlang_a(rate, aht, n, patience, threshold) if patience else erlang_c(rate, aht, n, threshold)
        if r["sl"] is not None and r["sl"] >= target_sl:
            return n
        n += 1
    return limit
