"""Hypothesis property tests of the Router's invariants over random event sequences.

* an agent never holds more calls (offered + on call) than its capacity;
* a call is only offered to agents who meet the requirement in force at that moment;
* FIFO within equal priority: an agent is never given a call while an earlier call of the same queue
  (higher or equal priority) that it qualifies for is still waiting;
* every call finishes exactly once (answered, abandoned, overflowed or called back);
* no event sequence raises.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acd import STRATEGIES, CallFinished, Offer, Refused, Router, parse_expr

SKILLS = ["billing", "sales", "tech"]
LANGS = ["en", "es"]

agent_st = st.fixed_dictionaries({
    "skills": st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=3),
    "languages": st.lists(st.sampled_from(LANGS), max_size=2, unique=True),
    "queues": st.dictionaries(st.sampled_from(["q0", "q1", "q2"]), st.integers(0, 2), min_size=1, max_size=3),
    "max_concurrent": st.integers(1, 2),
})

rule_lists_wt = st.sampled_from([
    [],
    ["WT < 10: billing >= 4", "WT < 30: billing >= 2", "any"],
    ["WT <= 5: lang_en & tech >= 3", "WT < 20: tech | sales >= 2", "any"],
    ["WT < 15: !lang_es & sales", "any"],
    ["WT > 20: any", "billing >= 3"],
])
rule_lists_static = st.sampled_from([[], ["billing >= 2"], ["tech | sales >= 3"], ["!lang_es"]])

op_st = st.one_of(
    st.tuples(st.just("arrive"), st.integers(0, 2), st.integers(0, 2),
              st.one_of(st.none(), st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=1)),
              st.one_of(st.none(), st.sampled_from(LANGS))),
    st.tuples(st.sampled_from(["answer", "decline", "timeout", "end", "abandon", "callback"]), st.integers(0, 50)),
    st.tuples(st.sampled_from(["login", "logout", "pause", "unpause", "ready", "wrapdone"]), st.integers(0, 5)),
    st.tuples(st.just("tick"), st.integers(0, 25)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("prio"), st.integers(0, 50), st.integers(0, 3)),
)


def rules_in_window(rs, t0: float, t1: float) -> set[int]:
    """Indices of the rules in force at some wait time in [t0, t1] (WT-only rule lists)."""
    pts = {t0, t1}
    for v in rs.thresholds:
        if t0 <= v <= t1:
            pts.add(v)
            pts.add(v - 1e-6)
    return {rs.select(max(p, 0.0), 0.0).index for p in pts if t0 - 1e-9 <= p <= t1 + 1e-9}


def run_sequence(strategies, rules, agents, ops, *, check_fifo: bool) -> None:
    # the FIFO run uses long timers so that most events run none (see below)
    rona, wrap, max_wait = (600, 0, None) if check_fifo else (8, 3, 60)
    queues = [{"name": f"q{i}", "strategy": strategies[i], "rules": rules[i], "wrapup": i * wrap,
               "rona_timeout": rona, "rona_strikes": 2, "max_wait": max_wait if i == 1 else None,
               "overflow": "q2" if i == 1 else None, "retry": 4, "max_len": 6 if i == 2 else 0,
               "leave_empty": i == 0} for i in range(3)]
    r = Router.from_dicts(queues=queues, agents=[dict(a, id=f"a{i}") for i, a in enumerate(agents)], seed=3)
    now = 0.0
    finished: dict = {}
    arrived: list = []
    offers: dict = {}          # call -> agent ids
    answered: list = []
    n = 0

    def apply(decs, prev_now, fifo=False):  # noqa: C901 - one place for all the checks
        for d in decs:
            if isinstance(d, CallFinished):
                assert d.call_id not in finished, f"{d.call_id} finished twice"
                finished[d.call_id] = d.outcome
                offers.pop(d.call_id, None)
                if d.outcome in ("answered", "called-back"):
                    answered.append(d.call_id)
            elif isinstance(d, Offer):
                expr = parse_expr(d.requirement)
                for aid in d.agent_ids:
                    a = r.agents[aid]
                    assert expr(a.attrs), f"{aid} {a.attrs} does not meet {d.requirement}"
                    assert d.queue in a.queues
                c = r.calls.get(d.call_id)
                if c is None or c.state != 1 or c.queue.name != d.queue or c.offer.at < prev_now:
                    continue   # finished, withdrawn or moved on (overflow) later in the same event
                offers[d.call_id] = tuple(x.id for x in c.offer.agents)
                rs = c.rules or c.queue.ruleset
                extra = f" & {c.extra.text}" if c.extra is not None else ""
                window = rules_in_window(rs, prev_now - c.t_entered, r.now - c.t_entered)
                assert d.rule in window, (d, window)
                assert parse_expr(f"({rs.rules[d.rule].expr.text}){extra}").text == d.requirement
                for aid in d.agent_ids:
                    a = r.agents[aid]
                    assert a.logged_in
                    if fifo:
                        for y in c.queue.calls.values():
                            if y is c or y.state != 0:
                                continue
                            ahead = (y.key, y.seq) < (c.key, c.seq)
                            if ahead and y.expr(a.attrs) and not r._excluded(y, a, prev_now):
                                raise AssertionError(f"{aid} got {c.id} while {y.id} (ahead) waits")
            elif d.kind == "cancel-offer":
                ids = offers.get(d.call_id)
                if ids is not None:
                    offers[d.call_id] = tuple(x for x in ids if x != d.agent_id)

    for i in range(len(agents)):
        apply(r.agent_logged_in(f"a{i}", 0.0), 0.0)
    for op in ops:
        prev = r.now
        kind = op[0]
        # FIFO is checked on events that run no timer: a timer acts at its own due time, when the
        # queue looked different from what it looks like once the event is over
        due = r.next_deadline()
        event_time = now + (op[1] if kind == "tick" else 1 if kind == "arrive" else 0)
        fifo = check_fifo and (due is None or due > event_time)
        if kind == "arrive":
            n += 1
            cid = f"c{n}"
            arrived.append(cid)
            now += 1
            decs = r.call_arrived(cid, f"q{op[1]}", now, priority=op[2], skills=op[3], language=op[4])
            if decs and isinstance(decs[-1], Refused):
                arrived.pop()
        elif kind in ("answer", "decline", "timeout"):
            live = [(c, a) for c, ids in offers.items() for a in ids]
            if not live:
                continue
            cid, aid = live[op[1] % len(live)]
            fn = {"answer": r.offer_answered, "decline": r.offer_declined, "timeout": r.offer_timed_out}[kind]
            decs = fn(cid, aid, now)
        elif kind == "end":
            if not answered:
                continue
            cid = answered.pop(op[1] % len(answered))
            decs = r.call_ended(cid, now)
        elif kind in ("abandon", "callback", "move", "prio"):
            if not arrived:
                continue
            cid = arrived[op[1] % len(arrived)]
            if kind == "abandon":
                decs = r.call_abandoned(cid, now)
            elif kind == "callback":
                decs = r.callback_requested(cid, "+100", now)
            elif kind == "move":
                decs = r.move_call(cid, f"q{op[2]}", now)
            else:
                decs = r.set_priority(cid, op[2], now)
        elif kind == "tick":
            now += op[1]
            decs = r.tick(now)
        else:
            aid = f"a{op[1] % max(1, len(agents))}"
            fn = {"login": r.agent_logged_in, "logout": r.agent_logged_out, "pause": r.agent_paused,
                  "unpause": r.agent_unpaused, "ready": r.agent_ready, "wrapdone": r.wrapup_done}[kind]
            decs = fn(aid, now)
        apply(decs, prev, fifo)
        r.check_invariants()
        for a in r.agents.values():
            assert len(a.offers) + len(a.active) <= a.max_conc
    # drain: every call still in the router can be finished, exactly once
    for cid in list(r.calls):
        c = r.calls.get(cid)
        if c is None:          # finished meanwhile (a timer ran at the start of an earlier event)
            continue
        now += 1
        prev = r.now
        if c.state == 2:
            apply(r.call_ended(cid, now), prev)
        else:
            apply(r.call_abandoned(cid, now), prev)
    assert not r.calls
    assert set(finished) == set(arrived), set(arrived) ^ set(finished)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies=st.lists(st.sampled_from(STRATEGIES), min_size=3, max_size=3),
       rules=st.lists(rule_lists_wt, min_size=3, max_size=3),
       agents=st.lists(agent_st, min_size=1, max_size=6),
       ops=st.lists(op_st, min_size=10, max_size=100))
def test_invariants_with_relaxing_rules(strategies, rules, agents, ops):
    run_sequence(strategies, rules, agents, ops, check_fifo=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies=st.lists(st.sampled_from([s for s in STRATEGIES if s != "ring-all"]), min_size=3, max_size=3),
       rules=st.lists(rule_lists_static, min_size=3, max_size=3),
       agents=st.lists(agent_st, min_size=1, max_size=6),
       ops=st.lists(op_st, min_size=10, max_size=100))
def test_fifo_within_priority_with_static_rules(strategies, rules, agents, ops):
    run_sequence(strategies, rules, agents, ops, check_fifo=True)
