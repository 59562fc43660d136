"""A call answered before an engine restart comes back with its agent (on hold): ``Router.call_reattached``."""
from __future__ import annotations

from acd import Offer, Refused, Router


def test_a_reattached_call_keeps_its_agent_busy_until_it_ends_then_wrap_up():
    r = Router.from_dicts(queues=[{"name": "q", "wrapup": 5}], agents=[{"id": "a1", "queues": {"q": 0}}], seed=1)
    r.agent_logged_in("a1", 0.0, paused=True, reason="restart")     # restored after the restart
    decs = r.call_reattached("c1", "q", "a1", 1.0, answered_at=-30.0)
    assert not [d for d in decs if isinstance(d, Refused)]
    r.agent_unpaused("a1", 1.0)
    assert r.agents["a1"].state == "on-call"
    # another caller is not offered to the agent while the reattached call lasts
    assert not [d for d in r.call_arrived("c2", "q", 2.0) if isinstance(d, Offer)]
    r.call_ended("c1", 10.0)
    assert r.agents["a1"].state == "wrap-up"
    # after the wrap-up the waiting caller is offered to the agent
    assert [d.call_id for d in r.tick(15.5) if isinstance(d, Offer)] == ["c2"]


def test_reattaching_is_refused_for_a_logged_out_agent_or_a_known_call():
    r = Router.from_dicts(queues=[{"name": "q"}], agents=[{"id": "a1", "queues": {"q": 0}}], seed=1)
    assert [d.reason for d in r.call_reattached("c1", "q", "a1", 1.0)] == ["unknown or logged-out agent"]
    r.agent_logged_in("a1", 0.0)
    assert not [d for d in r.call_reattached("c1", "q", "a1", 1.0) if isinstance(d, Refused)]
    assert [d.reason for d in r.call_reattached("c1", "q", "a1", 2.0)] == ["duplicate call id"]
    assert [d.reason for d in r.call_reattached("c9", "nope", "a1", 2.0)] == ["unknown queue 'nope'"]
