"""The index that matches calls and agents (part of :class:`acd.router.Router`).

Waiting calls are grouped into buckets by the requirement in force (equal requirements share a bucket);
each bucket is a heap in queue order. Buckets are indexed by the (skill, level) ids of their anchors in
one dict for all queues (``Router.by_attr``), so an agent who becomes ready looks only at buckets it
could serve and compares their heads (:meth:`MatchIndex._best_call_for`). A call looks for agents in the
agent heaps of its anchors (:meth:`MatchIndex._find_agents`; the heaps are kept by :mod:`acd.agents`).
"""
from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from .calls import WAITING
from .rules import Expr, _lower_bounds, conjoin

if TYPE_CHECKING:
    from .agents import _Agent
    from .calls import _Call, _Queue

__all__: list[str] = []

PAIR = 1 << 32      # by_attr key of a pair of (skill, level) ids: id1 * PAIR + id2


def _levels(name: str, lo: int) -> range:
    """Levels an agent attribute can have: language tags are always 1, skills 1-5."""
    if name.startswith("lang_"):
        return range(1, 2) if lo <= 1 else range(0)
    return range(lo, 6)


class _Bucket:
    __slots__ = ("expr", "q", "heap", "live", "registered", "linked", "keys", "multi")

    def __init__(self, expr: Expr, q: "_Queue") -> None:
        self.expr = expr
        self.q = q
        self.heap: list = []
        self.live = 0
        self.registered = False       # keys chosen
        self.linked = False           # listed in by_attr / unanchored (while registered)
        self.keys: list = []          # by_attr keys it is registered under (empty: unanchored)
        self.multi = False            # registered under several skills (an OR): may be seen twice


class MatchIndex:
    """Buckets of waiting calls, their index, and the search for a match either way (a mixin: the state
    lives on the Router)."""

    def _kid(self, name: str, level: int) -> int:
        k = (name, level)
        i = self._kids.get(k)
        if i is None:
            i = self._kids[k] = len(self._kids) + 1
        return i

    def _agent_keys(self, a: _Agent) -> None:
        """The by_attr keys (ints, cheap to hash) of the agent's (skill, level) items and pairs."""
        kid = self._kid
        items = sorted(a.attr_items)
        ids = [kid(n, lvl) for n, lvl in items]
        a.attr_keys = (tuple(kid(n, lvl) for n, lvl in a.attr_items)
                       + tuple(i1 * PAIR + i2 for j, i1 in enumerate(ids) for i2 in ids[j + 1:]))

    def _combine(self, rule_expr: Expr, extra: Expr | None) -> Expr:
        if extra is None:
            return rule_expr
        key = (rule_expr, extra)        # Expr hashes by identity; the key keeps both alive
        e = self._combo.get(key)
        if e is None:
            e = conjoin(rule_expr, extra)
            if len(self._combo) < 100_000:
                self._combo[key] = e
        return e

    def _bucket_for(self, q: _Queue, expr: Expr) -> _Bucket:
        b = q.buckets.get(expr.text)
        if b is None:
            b = _Bucket(expr, q)
            q.buckets[expr.text] = b
        return b

    def _register(self, q: _Queue, b: _Bucket) -> None:
        """Index a bucket under the (skill, level) pairs an agent must have to serve it. Of the
        requirement's anchor options, the one whose skills the fewest queue members have wins."""
        b.registered = True
        opts = b.expr.options
        if opts is None:
            b.keys = []
            self._link(q, b)
            return
        counts = q.skill_count    # (skill, level) -> members with exactly that level

        def members(name: str, lo: int) -> int:
            return sum(counts.get((name, lvl), 0) for lvl in range(lo, 6))

        bounds = _lower_bounds(b.expr.node)
        if bounds is not None:
            need: dict[str, int] = {}
            for name, lo in bounds:
                need[name] = max(lo, need.get(name, 0))
            if len(need) >= 2:
                # two literals every agent must have: index the bucket under the pair (fewer agents
                # look at it, and those who do mostly qualify)
                first = second = None        # the two literals the fewest members satisfy
                for name, lo in need.items():
                    m = (members(name, lo), name, lo)
                    if first is None or m < first:
                        first, second = m, first
                    elif second is None or m < second:
                        second = m
                (_, n1, lo1), (_, n2, lo2) = (first, second) if first[1] < second[1] else (second, first)
                kid = self._kid
                keys = [kid(n1, l1) * PAIR + kid(n2, l2) for l1 in _levels(n1, lo1) for l2 in _levels(n2, lo2)]
                b.keys = keys
                b.multi = False
                self._link(q, b)
                return
        opt = min(opts, key=lambda o: sum(members(name, lo) for name, lo in o))
        keys = [self._kid(name, lvl) for name, lo in opt for lvl in _levels(name, lo)]
        b.keys = keys
        b.multi = len({name for name, _ in opt}) > 1
        self._link(q, b)

    def _link(self, q: _Queue, b: _Bucket) -> None:
        """List a registered bucket in the index sets. Empty buckets stay listed (requirements recur;
        skipping an empty heap is cheaper than unlisting and relisting on every 0 <-> 1 transition)."""
        b.linked = True
        if not b.keys:
            q.unanchored.add(b)
            return
        by_attr = self.by_attr
        for k in b.keys:
            st = by_attr.get(k)
            if st is None:
                by_attr[k] = {b}
            else:
                st.add(b)

    def _unlink(self, q: _Queue, b: _Bucket) -> None:
        b.linked = False
        if not b.keys:
            q.unanchored.discard(b)
            return
        by_attr = self.by_attr
        for k in b.keys:
            st = by_attr.get(k)
            if st is not None:
                st.discard(b)      # empty sets stay: the keys recur

    def _unregister(self, q: _Queue, b: _Bucket) -> None:
        if b.linked:
            self._unlink(q, b)
        b.registered = False
        if b.keys:
            by_attr = self.by_attr
            for k in b.keys:
                st = by_attr.get(k)
                if st is not None and not st:
                    del by_attr[k]
        b.heap.clear()
        q.buckets.pop(b.expr.text, None)

    def _bucket_in(self, c: _Call) -> None:
        """Put a WAITING call into the bucket of its requirement (keeps its place: same key)."""
        q = c.queue
        b = self._bucket_for(q, c.expr)
        c.bucket = b
        c.token += 1
        heapq.heappush(b.heap, (c.key, c.seq, c.token, c))
        b.live += 1
        if not b.registered:
            self._register(q, b)

    def _bucket_out(self, c: _Call) -> None:
        b = c.bucket
        if b is None:
            return
        c.bucket = None
        c.token += 1
        b.live -= 1
        if b.live <= 0:
            b.live = 0
            b.heap.clear()
            q = c.queue
            if len(q.buckets) > 1024:   # keep empty buckets registered: requirements recur
                self._unregister(q, b)

    def _excluded(self, c: _Call, a: _Agent, now: float) -> bool:
        m = c.missed
        if m is None:
            return False
        until = m.get(a.id)
        return until is not None and until > now

    def _heaps_for(self, q: _Queue, expr: Expr) -> list[list]:
        """The agent heaps to walk for ``expr``: of its anchor options, the one with the fewest entries."""
        aidx = q.aidx
        opts = expr.options
        if opts is None:
            h = aidx.get(None)
            if h is None:
                h = self._build_heap(q, None)
            return [h]
        best = None
        best_n = -1
        for opt in opts:
            if len(opt) == 1:
                name = opt[0][0]
                h = aidx.get(name)
                if h is None:
                    h = self._build_heap(q, name)
                n = len(h)
                if best is None or n < best_n:
                    best = [h] if h else []
                    best_n = n
                    if n == 0:
                        break
                continue
            hs = []
            n = 0
            for name, _lo in opt:
                h = aidx.get(name)
                if h is None:
                    h = self._build_heap(q, name)
                if h:
                    for x in hs:
                        if x is h:
                            break
                    else:
                        hs.append(h)
                        n += len(h)
            if best is None or n < best_n:
                best = hs
                best_n = n
                if n == 0:
                    break
        return best or []

    def _find_agents(self, c: _Call, now: float, ring_all: bool) -> list[_Agent]:
        """Agents for call ``c`` in strategy order: the first, or for ring-all every agent of the lowest
        penalty tier that qualifies."""
        q = c.queue
        expr = c.expr
        opts = expr.options
        if opts is not None and len(opts[0]) == 1:
            # inlined _heaps_for when the first option is a single skill (the usual AND of literals)
            aidx = q.aidx
            heaps = None
            best_n = -1
            for opt in opts:
                if len(opt) != 1:
                    heaps = self._heaps_for(q, expr)
                    break
                name = opt[0][0]
                h = aidx.get(name)
                if h is None:
                    h = self._build_heap(q, name)
                n = len(h)
                if heaps is None or n < best_n:
                    best_n = n
                    if n == 0:
                        return []
                    heaps = [h]
        else:
            heaps = self._heaps_for(q, expr)
        if not heaps:
            return []
        fn = c.expr.fn
        if len(heaps) == 1 and not ring_all:
            # common case: walk one heap in strategy order
            h = heaps[0]
            hpop = heapq.heappop
            stash = []
            found = None
            while h:
                e = hpop(h)
                ag = e[5]
                if not (ag.avail and ag.ver == e[4]):
                    continue                      # stale entry: dropped for good
                stash.append(e)
                if fn(ag.attrs) and not (c.missed and self._excluded(c, ag, now)):
                    found = ag
                    break
            for e in stash:
                heapq.heappush(h, e)
            return [found] if found is not None else []
        stash: list = []
        found: list[_Agent] = []
        seen: set | None = set() if len(heaps) > 1 else None
        tier = None
        hpop = heapq.heappop
        while True:
            best_h = None
            best_e = None
            for h in heaps:
                while h:
                    e = h[0]
                    ag = e[5]
                    if ag.avail and ag.ver == e[4]:
                        break
                    hpop(h)
                else:
                    continue
                if best_e is None or e < best_e:
                    best_e = e
                    best_h = h
            if best_h is None:
                break
            if tier is not None and best_e[0] > tier:
                break
            hpop(best_h)
            stash.append((best_h, best_e))
            ag = best_e[5]
            if seen is not None:
                if ag in seen:
                    continue
                seen.add(ag)
            if fn(ag.attrs) and not (c.missed and self._excluded(c, ag, now)):
                found.append(ag)
                if not ring_all:
                    break
                tier = best_e[0]
        for h, e in stash:
            heapq.heappush(h, e)
        return found

    def _match_call(self, c: _Call, now: float, out: list) -> bool:
        """Offer a WAITING call to the best available agent(s), if any."""
        q = c.queue
        if c.state != WAITING or q.staffed == 0:
            return False
        ring_all = q.strategy == "ring-all" and c.callback is None
        agents = self._find_agents(c, now, ring_all)
        if not agents:
            return False
        self._offer(c, agents, now, out)
        return True

    def _head_for(self, b: _Bucket, a: _Agent, now: float) -> _Call | None:
        h = b.heap
        while h:
            e = h[0]
            c = e[3]
            if c.bucket is b and c.token == e[2] and c.state == WAITING:
                break
            heapq.heappop(h)
        else:
            return None
        c = h[0][3]
        if not c.missed or not self._excluded(c, a, now):
            return c
        # the head missed this agent recently: look further down (rare)
        stash = []
        found = None
        while h:
            e = heapq.heappop(h)
            c = e[3]
            if not (c.bucket is b and c.token == e[2] and c.state == WAITING):
                continue
            stash.append(e)
            if not self._excluded(c, a, now):
                found = c
                break
        for e in stash:
            heapq.heappush(h, e)
        return found

    def _best_call_for(self, a: _Agent, now: float) -> _Call | None:
        """The most urgent waiting call agent ``a`` qualifies for, over all its queues.

        Calls compare by effective priority (priority + aging x wait), then arrival: as a key,
        (static key - aging x now, seq). A bucket's heap top is a lower bound of its live head, so
        buckets that cannot beat the best so far are skipped without evaluating their requirement."""
        attrs = a.attrs
        cands = []
        append = cands.append
        queues = self.queues
        shifts = {}                 # the agent's queues that have calls -> aging x now
        for qn in a.queues:
            q = queues.get(qn)
            if q is None or not q.order:
                continue
            shift = shifts[q] = q.aging * now
            if q.unanchored:
                for b in q.unanchored:
                    h = b.heap
                    if h:
                        top = h[0]
                        append((top[0] - shift, top[1], id(b), b, shift))
        if not shifts:
            return None
        sget = shifts.get
        for st in map(self.by_attr.get, a.attr_keys):
            if st:
                for b in st:
                    h = b.heap
                    if h:
                        shift = sget(b.q)
                        if shift is not None:
                            top = h[0]
                            append((top[0] - shift, top[1], id(b), b, shift))
        if not cands:
            return None
        # a bucket's heap top bounds its live head from below: walk buckets in bound order and stop as
        # soon as the best head found so far cannot be beaten
        cands.sort()
        hpop = heapq.heappop
        best: _Call | None = None
        best_k = None
        seen: set | None = None
        for lb, seq, _bid, b, shift in cands:
            if best_k is not None and (lb, seq) >= best_k:
                break
            if b.multi:
                if seen is None:
                    seen = set()
                elif b in seen:
                    continue
                seen.add(b)
            if not b.expr.fn(attrs):
                continue
            # inlined _head_for: drop stale heap entries, take the head unless it missed this agent
            h = b.heap
            while h:
                e = h[0]
                c = e[3]
                if c.bucket is b and c.token == e[2] and c.state == WAITING:
                    break
                hpop(h)
            else:
                continue
            if c.missed and self._excluded(c, a, now):
                c = self._head_for(b, a, now)
                if c is None:
                    continue
            k = (c.key - shift, c.seq)
            if best_k is None or k < best_k:
                best_k = k
                best = c
        return best
