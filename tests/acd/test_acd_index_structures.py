"""The Router's speed-ups keep its behaviour: timer lanes fire in due order, the cross-queue bucket index
only hands an agent calls of its own queues, decisions keep their dataclass API."""
from __future__ import annotations

import dataclasses
import pickle

import pytest

from acd import AgentStateChanged, CallFinished, CancelOffer, Offer, Queued, RequirementChanged, Router


def mk(queues, agents, **kw) -> Router:
    return Router.from_dicts(queues=queues, agents=agents, seed=1, **kw)


def test_timers_of_different_delays_fire_in_due_order():
    # offer timeouts of 30 s and then 5 s (update_queue in between): the later offer times out first
    r = mk([{"name": "q", "rona_timeout": 30, "rona_strikes": 0, "retry": 0}],
           [{"id": "a1", "queues": {"q": 0}}, {"id": "a2", "queues": {"q": 0}}])
    r.agent_logged_in("a1", 0)
    r.agent_logged_in("a2", 0.1)
    assert [o.agent_id for o in r.call_arrived("c1", "q", 1) if isinstance(o, Offer)] == ["a1"]
    r.update_queue({"name": "q", "rona_timeout": 5, "rona_strikes": 0, "retry": 0}, 2)
    assert [o.agent_id for o in r.call_arrived("c2", "q", 3) if isinstance(o, Offer)] == ["a2"]
    assert r.next_deadline() == 8
    cancels = [d for d in r.tick(9) if isinstance(d, CancelOffer)]
    assert [(d.call_id, d.agent_id, d.reason) for d in cancels] == [("c2", "a2", "timeout")]
    assert r.next_deadline() == 13          # c2 was offered again at 8 (retry 0), 5 s timeout
    r.check_invariants()
    # one late tick runs the 5 s lane (13, 18, 23, 28) and the 30 s one (31) interleaved by due time
    decs = r.tick(30)
    assert [d.call_id for d in decs if isinstance(d, CancelOffer)] == ["c2"] * 4
    decs = r.tick(31)
    assert [(d.call_id, d.agent_id) for d in decs if isinstance(d, CancelOffer)] == [("c1", "a1")]
    r.check_invariants()


def test_rule_timers_in_one_lane_relax_calls_in_arrival_order():
    r = mk([{"name": "q", "rules": ["WT < 10: tech >= 5", "any"]}], [{"id": "a1", "queues": {"q": 0}}])
    for i in range(5):
        r.call_arrived(f"c{i}", "q", i * 0.5)
    changed = [d.call_id for d in r.tick(20) if isinstance(d, RequirementChanged)]
    assert changed == [f"c{i}" for i in range(5)]
    # relaxed to "any": the first caller is served first
    assert [o.call_id for o in r.agent_logged_in("a1", 21) if isinstance(o, Offer)] == ["c0"]
    r.check_invariants()


def test_agent_only_gets_calls_of_its_own_queues():
    # same requirement in two queues: the bucket index is shared across queues, membership still rules
    r = mk([{"name": "q0"}, {"name": "q1"}],
           [{"id": "a0", "skills": {"tech": 3}, "languages": ["en"], "queues": {"q1": 0}}])
    r.call_arrived("old", "q0", 1, skills={"tech": 2}, language="en")
    r.call_arrived("new", "q1", 2, skills={"tech": 2}, language="en")
    decs = r.agent_logged_in("a0", 3)
    assert [(o.call_id, o.queue) for o in decs if isinstance(o, Offer)] == [("new", "q1")]
    r.check_invariants()


def test_remove_queue_drops_its_buckets_from_the_index():
    r = mk([{"name": "q0"}, {"name": "q1"}],
           [{"id": "a0", "skills": {"tech": 3}, "queues": {"q0": 0, "q1": 0}}])
    r.call_arrived("c0", "q0", 1, skills={"tech": 2})
    r.call_arrived("c1", "q1", 2, skills={"tech": 2})
    r.remove_queue("q0", 3)
    assert all(b.q.name == "q1" for st in r.by_attr.values() for b in st)
    decs = r.agent_logged_in("a0", 4)
    assert [o.call_id for o in decs if isinstance(o, Offer)] == ["c1"]
    r.check_invariants()


def test_update_agent_skills_take_effect_for_waiting_calls():
    r = mk([{"name": "q"}], [{"id": "a0", "skills": {"tech": 1}, "queues": {"q": 0}}])
    r.agent_logged_in("a0", 0)
    assert not [d for d in r.call_arrived("c", "q", 1, skills={"tech": 4}) if isinstance(d, Offer)]
    decs = r.update_agent({"id": "a0", "skills": {"tech": 5, "sales": 2}, "queues": {"q": 0}}, 2)
    assert [o.call_id for o in decs if isinstance(o, Offer)] == ["c"]
    r.check_invariants()


@pytest.mark.parametrize("cls, args", [
    (Offer, ("c1", ("a1",), "q", 15.0)),
    (Queued, ("c1", "q", 1, None)),
    (AgentStateChanged, ("a1", "ready")),
    (CallFinished, ("c1", "q", "answered", 2.5, "a1")),
])
def test_decisions_keep_their_dataclass_api(cls, args):
    d = cls(*args)
    names = [f.name for f in dataclasses.fields(cls)]
    assert cls(**dict(zip(names, args))) == d
    assert dataclasses.replace(d) == d and hash(dataclasses.replace(d)) == hash(d)
    assert pickle.loads(pickle.dumps(d)) == d
    assert d.to_dict()["kind"] == cls.kind
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(d, names[0], "x")
    with pytest.raises(TypeError):
        cls()
    with pytest.raises(TypeError):
        cls(*args, nope=1)
    assert Offer("c", ("a",), "q", 1.0).requirement == "any"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from acd.calls import _Order  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from([-5.0, -0.0, 0.0, 1.5, 2.0, 1e9]),
                          st.integers(0, 30)), max_size=60))
def test_queue_order_matches_a_sorted_list(ops):
    order, ref = _Order(), []
    for add, key, seq in ops:
        if add and (key, seq) not in ref and all(s != seq for _, s in ref):
            i = order.insert(key, seq)
            ref.append((key, seq))
            ref.sort()
            assert ref[i] == (key, seq)
        elif not add and ref:
            k, s = ref.pop(seq % len(ref))
            order.remove(k, s)
        assert len(order) == len(ref)
        assert list(zip(order.keys, order.seqs)) == ref
        for i, (k, s) in enumerate(ref):
            assert order.rank(k, s) == i
