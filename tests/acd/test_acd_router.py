"""Router behaviour a user of the ACD sees: strategies, priority, rules, RONA, overflow, callbacks."""
from __future__ import annotations

import pytest

from acd import (AgentAutoPaused, CallbackDue, CallFinished, CancelOffer, ConfigError, Offer, Overflow, Queued,
                 Refused, RequirementChanged, Router, STRATEGIES)


def mk(queues, agents, **kw) -> Router:
    return Router.from_dicts(queues=queues, agents=agents, seed=kw.pop("seed", 1), **kw)


def offers(decs):
    return [d for d in decs if isinstance(d, Offer)]


def finished(decs):
    return [d for d in decs if isinstance(d, CallFinished)]


def login_all(r, ids, now=0.0):
    out = []
    for i, aid in enumerate(ids):
        out += r.agent_logged_in(aid, now + i * 0.001)
    return out


def busy_all(r, ids, now):
    """Give every agent a call and answer it so that they are all on the phone."""
    for aid in ids:
        cid = f"busy-{aid}"
        decs = r.call_arrived(cid, r.agents[aid].cfg.queues and next(iter(r.agents[aid].cfg.queues)), now)
        for o in offers(decs):
            r.offer_answered(o.call_id, o.agent_id, now)


def test_offer_to_ready_agent_and_answer_finishes_once():
    r = mk([{"name": "q", "wrapup": 0}], [{"id": "a1", "queues": {"q": 0}}])
    r.agent_logged_in("a1", 0)
    d = r.call_arrived("c1", "q", 1)
    assert isinstance(d[0], Queued) and d[0].position == 1
    (o,) = offers(d)
    assert o.agent_ids == ("a1",) and o.timeout == 15.0
    d = r.offer_answered("c1", "a1", 3)
    (f,) = finished(d)
    assert f.outcome == "answered" and f.wait == 2.0 and f.agent_id == "a1"
    assert r.agent_view("a1")["state"] == "on-call"
    d = r.call_ended("c1", 60)
    assert r.agent_view("a1")["state"] == "ready"
    assert not finished(d)  # the call already finished (answered) once
    st = r.stats("q")
    assert st["answered"] == 1 and st["sl"] == 1.0 and st["asa"] == 2.0 and st["aht"] == 57.0


def test_wrapup_per_queue_and_agent_override_and_wrapup_done():
    r = mk([{"name": "q", "wrapup": 30}],
           [{"id": "a1", "queues": {"q": 0}}, {"id": "a2", "queues": {"q": 0}, "wrapup": 5}])
    login_all(r, ["a1", "a2"])
    for cid in ("c1", "c2"):
        (o,) = offers(r.call_arrived(cid, "q", 1))
        r.offer_answered(cid, o.agent_id, 1)
    r.call_ended("c1", 10)
    r.call_ended("c2", 10)
    states = {a: r.agent_view(a)["state"] for a in ("a1", "a2")}
    assert states == {"a1": "wrap-up", "a2": "wrap-up"}
    assert r.next_deadline() == 15.0
    r.tick(15)
    assert r.agent_view("a2")["state"] == "ready" and r.agent_view("a1")["state"] == "wrap-up"
    r.wrapup_done("a1", 20)
    assert r.agent_view("a1")["state"] == "ready"


def test_priority_then_fifo_and_aging():
    r = mk([{"name": "q", "wrapup": 0}], [{"id": "a1", "queues": {"q": 0}}])
    r.call_arrived("low1", "q", 0, priority=0)
    r.call_arrived("low2", "q", 1, priority=0)
    r.call_arrived("high", "q", 2, priority=5)
    assert [w["call_id"] for w in r.queue_snapshot("q")["waiting"]] == ["high", "low1", "low2"]
    assert r.position("low2") == 3
    (o,) = offers(r.agent_logged_in("a1", 3))
    assert o.call_id == "high"
    r.offer_answered("high", "a1", 3)
    (o,) = offers(r.call_ended("high", 4))
    assert o.call_id == "low1"

    # with aging, a low-priority caller who waited long enough overtakes a fresh high-priority one
    r = mk([{"name": "q", "wrapup": 0, "priority_aging": 0.1}], [{"id": "a1", "queues": {"q": 0}}])
    r.call_arrived("old-low", "q", 0, priority=0)
    r.call_arrived("new-high", "q", 100, priority=5)   # 0 + 0.1*100 = 10 > 5
    (o,) = offers(r.agent_logged_in("a1", 100))
    assert o.call_id == "old-low"


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_offers_to_a_qualified_ready_agent(strategy):
    agents = [{"id": f"a{i}", "skills": {"billing": 1 + i % 5}, "queues": {"q": i % 2}} for i in range(6)]
    r = mk([{"name": "q", "strategy": strategy, "rules": ["billing >= 3"], "wrapup": 0}], agents)
    login_all(r, [a["id"] for a in agents])
    d = r.call_arrived("c", "q", 1)
    (o,) = offers(d)
    qualified = {"a2", "a3", "a4"}
    assert set(o.agent_ids) <= qualified
    if strategy == "ring-all":
        # all qualified agents of the lowest penalty tier (a2, a4 have penalty 0; a3 has 1)
        assert set(o.agent_ids) == {"a2", "a4"}
        d = r.offer_answered("c", "a4", 2)
        assert [(x.agent_id, x.reason) for x in d if isinstance(x, CancelOffer)] == [("a2", "answered-elsewhere")]
        assert r.agent_view("a2")["state"] == "ready"
    else:
        assert len(o.agent_ids) == 1 and o.agent_id in {"a2", "a4"}  # lowest penalty first


def _serve(r, cid, q, now):
    (o,) = offers(r.call_arrived(cid, q, now))
    r.offer_answered(cid, o.agent_id, now)
    r.call_ended(cid, now + 1)
    return o.agent_id


def test_longest_idle_linear_round_robin_fewest_calls_order():
    ids = ["a1", "a2", "a3"]
    agents = [{"id": a, "queues": {"q": 0}} for a in ids]
    r = mk([{"name": "q", "strategy": "longest-idle", "wrapup": 0}], agents)
    login_all(r, ids)
    got = [_serve(r, f"c{i}", "q", 10 + 10 * i) for i in range(4)]
    assert got == ["a1", "a2", "a3", "a1"]

    r = mk([{"name": "q", "strategy": "linear", "wrapup": 0}], agents)
    login_all(r, ["a3", "a2", "a1"])
    got = [_serve(r, f"c{i}", "q", 10 + 10 * i) for i in range(3)]
    assert got == ["a1", "a1", "a1"]   # top-down: always the first in line when free

    r = mk([{"name": "q", "strategy": "round-robin", "wrapup": 0}], agents)
    login_all(r, ids)
    got = [_serve(r, f"c{i}", "q", 10 + 10 * i) for i in range(6)]
    assert got == ["a1", "a2", "a3", "a1", "a2", "a3"]

    r = mk([{"name": "q", "strategy": "fewest-calls", "wrapup": 0}], agents)
    login_all(r, ids)
    got = [_serve(r, f"c{i}", "q", 10 + 10 * i) for i in range(3)]
    assert sorted(got) == ids


def test_best_skill_and_least_talk_time():
    agents = [{"id": "lo", "skills": {"x": 2}, "queues": {"q": 0}},
              {"id": "hi", "skills": {"x": 5}, "queues": {"q": 0}},
              {"id": "mid", "skills": {"x": 3}, "queues": {"q": 0}}]
    r = mk([{"name": "q", "strategy": "best-skill", "rules": ["x >= 1"], "wrapup": 0}], agents)
    login_all(r, ["lo", "hi", "mid"])
    assert offers(r.call_arrived("c", "q", 1))[0].agent_id == "hi"

    r = mk([{"name": "q", "strategy": "least-talk-time", "wrapup": 0}],
           [{"id": "a", "queues": {"q": 0}}, {"id": "b", "queues": {"q": 0}}])
    login_all(r, ["a", "b"])
    (o,) = offers(r.call_arrived("long", "q", 1))
    r.offer_answered("long", o.agent_id, 1)
    first = o.agent_id
    r.call_ended("long", 500)
    (o,) = offers(r.call_arrived("short", "q", 501))
    assert o.agent_id != first
    r.offer_answered("short", o.agent_id, 501)
    r.call_ended("short", 502)
    (o,) = offers(r.call_arrived("next", "q", 600))
    assert o.agent_id != first   # the one with less talk time


def test_rules_relax_as_the_caller_waits():
    q = {"name": "q", "wrapup": 0, "rules": ["WT < 30: billing >= 4 & lang_en", "WT < 90: billing >= 2", "any"]}
    agents = [{"id": "junior", "skills": {"billing": 2}, "languages": ["fr"], "queues": {"q": 0}},
              {"id": "nobody", "skills": {}, "queues": {"q": 0}}]
    r = mk([q], agents)
    login_all(r, ["junior", "nobody"])
    d = r.call_arrived("c", "q", 1)
    assert not offers(d)
    assert r.call_view("c")["requirement"] == "billing >= 4 & lang_en"
    assert r.next_deadline() == 31.0
    assert not offers(r.tick(30.9))
    d = r.tick(31)
    rc = [x for x in d if isinstance(x, RequirementChanged)]
    assert rc and rc[0].rule_index == 1
    (o,) = offers(d)
    assert o.agent_id == "junior"
    # declined: rule 3 (any) later lets "nobody" take it
    r.offer_declined("c", "junior", 32)
    d = r.tick(91)
    assert offers(d) and offers(d)[0].agent_id in ("nobody", "junior")


def test_call_level_skills_and_language_are_hard_requirements():
    r = mk([{"name": "q", "wrapup": 0}],
           [{"id": "en", "languages": ["en"], "skills": {"sales": 3}, "queues": {"q": 0}},
            {"id": "es", "languages": ["es"], "skills": {"sales": 1}, "queues": {"q": 0}}])
    login_all(r, ["en", "es"])
    assert offers(r.call_arrived("c1", "q", 1, language="es"))[0].agent_id == "es"
    assert not offers(r.call_arrived("c2", "q", 2, skills={"sales": 2}, language="es"))
    assert offers(r.call_arrived("c3", "q", 3, skills={"sales": 2}))[0].agent_id == "en"
    d = r.call_arrived("c4", "q", 4, requirements=["WT < 5: sales >= 5", "any"])
    assert not offers(d)
    assert r.call_view("c4")["rule"] == 0


def test_rona_requeues_in_place_and_autopauses_after_strikes():
    r = mk([{"name": "q", "wrapup": 0, "rona_timeout": 10, "rona_strikes": 2, "retry": 0}],
           [{"id": "a1", "queues": {"q": 0}}])
    r.call_arrived("first", "q", 0)
    r.call_arrived("second", "q", 1)
    (o,) = offers(r.agent_logged_in("a1", 2))
    assert o.call_id == "first"
    d = r.tick(12)   # no answer within 10 s: the router withdraws and re-offers
    assert any(isinstance(x, CancelOffer) and x.reason == "timeout" for x in d)
    assert offers(d)[0].call_id == "first"          # still first in line
    assert r.position("first") == 1
    d = r.offer_timed_out("first", "a1", 15)        # second strike
    assert any(isinstance(x, AgentAutoPaused) and x.reason == "no-answer" for x in d)
    v = r.agent_view("a1")
    assert v["state"] == "paused" and v["reason"] == "no-answer"
    assert not offers(d)
    assert r.queue_snapshot("q")["waiting"][0]["call_id"] == "first"


def test_decline_does_not_reoffer_the_same_agent_before_retry():
    r = mk([{"name": "q", "wrapup": 0, "retry": 5}],
           [{"id": "a1", "queues": {"q": 0}}, {"id": "a2", "queues": {"q": 0}}])
    login_all(r, ["a1", "a2"])
    (o,) = offers(r.call_arrived("c", "q", 1))
    d = r.offer_declined("c", o.agent_id, 2)
    (o2,) = offers(d)
    assert o2.agent_id != o.agent_id


def test_max_wait_overflow_to_queue_and_to_destination():
    r = mk([{"name": "a", "max_wait": 60, "overflow": "b"}, {"name": "b", "max_wait": 30, "overflow": "voicemail"}],
           [])
    r.call_arrived("c", "a", 0)
    d = r.tick(60)
    (ov,) = [x for x in d if isinstance(x, Overflow)]
    assert ov.target == "b" and ov.to_queue and ov.reason == "timeout"
    assert r.call_view("c")["queue"] == "b"
    assert not finished(d)
    d = r.tick(90)
    (ov,) = [x for x in d if isinstance(x, Overflow)]
    assert ov.target == "voicemail" and not ov.to_queue
    (f,) = finished(d)
    assert f.outcome == "overflowed" and f.target == "voicemail"
    assert r.call_view("c") is None


def test_join_empty_max_len_and_leave_empty():
    r = mk([{"name": "q", "join_empty": False, "overflow": "fallback"}], [{"id": "a", "queues": {"q": 0}}])
    d = r.call_arrived("c", "q", 0)
    assert [x.reason for x in d if isinstance(x, Overflow)] == ["join-empty"]
    assert finished(d)[0].outcome == "overflowed"

    r = mk([{"name": "q", "max_len": 1}], [])
    r.call_arrived("c1", "q", 0)
    d = r.call_arrived("c2", "q", 1)
    assert [x.reason for x in d if isinstance(x, Overflow)] == ["full"]

    r = mk([{"name": "q", "leave_empty": True}], [{"id": "a", "queues": {"q": 0}}, {"id": "b", "queues": {"q": 0}}])
    login_all(r, ["a", "b"])
    busy_all(r, ["a", "b"], 1)
    r.call_arrived("w", "q", 2)
    r.agent_logged_out("a", 3)
    assert r.call_view("w") is not None
    d = r.agent_paused("b", 4, "lunch")
    assert [x.reason for x in d if isinstance(x, Overflow)] == ["leave-empty"]


def test_callback_keeps_place_and_is_due_at_the_head():
    r = mk([{"name": "q", "wrapup": 0}], [{"id": "a", "queues": {"q": 0}}])
    r.call_arrived("c1", "q", 0)
    r.call_arrived("c2", "q", 1)
    r.callback_requested("c1", "+3312345678", 5)
    snap = r.queue_snapshot("q")
    assert [w["call_id"] for w in snap["waiting"]] == ["c1", "c2"]
    assert snap["waiting"][0]["state"] == "callback"
    d = r.agent_logged_in("a", 10)
    (cb,) = [x for x in d if isinstance(x, CallbackDue)]
    assert cb.number == "+3312345678" and cb.agent_id == "a"
    (f,) = finished(r.offer_answered("c1", "a", 12))
    assert f.outcome == "called-back"
    assert r.stats("q")["called_back"] == 1
    # a callback call never overflows on max wait and never abandons on its own
    r.call_ended("c1", 20)


def test_abandon_while_ringing_cancels_offer_and_frees_agent():
    r = mk([{"name": "q", "wrapup": 0, "sl_target": 20}], [{"id": "a", "queues": {"q": 0}}])
    r.agent_logged_in("a", 0)
    r.call_arrived("c", "q", 0)
    d = r.call_abandoned("c", 5)
    assert [(x.agent_id, x.reason) for x in d if isinstance(x, CancelOffer)] == [("a", "abandoned")]
    assert finished(d)[0].outcome == "abandoned"
    assert r.agent_view("a")["state"] == "ready"
    st = r.stats("q")
    assert st["abandoned"] == 1 and st["sl"] is None and st["sl2"] == 1.0  # abandoned within 20 s


def test_service_level_two_definitions():
    r = mk([{"name": "q", "wrapup": 0, "sl_target": 10}], [{"id": "a", "queues": {"q": 0}}])
    # answered at 5 s (in SL), answered at 30 s (out), abandoned at 3 s (in), abandoned at 50 s (out)
    r.call_arrived("in", "q", 0)
    r.call_arrived("out", "q", 0)
    r.call_arrived("ab-in", "q", 0)
    r.call_arrived("ab-out", "q", 0)
    r.call_abandoned("ab-in", 3)
    (o,) = offers(r.agent_logged_in("a", 5))
    r.offer_answered(o.call_id, "a", 5)
    (o2,) = offers(r.call_ended(o.call_id, 30))
    r.offer_answered(o2.call_id, "a", 30)
    r.call_abandoned("ab-out", 50)
    st = r.stats("q")
    assert st["sl"] == 0.5                 # 1 of 2 answered within 10 s
    assert st["sl2"] == 0.5                # (1 + 1) / (2 + 2)
    assert st["abandon_rate"] == 0.5
    assert st["asa"] == pytest.approx(17.5)


def test_max_concurrent_capacity():
    r = mk([{"name": "chat", "wrapup": 0}], [{"id": "a", "queues": {"chat": 0}, "max_concurrent": 2}])
    r.agent_logged_in("a", 0)
    o1 = offers(r.call_arrived("c1", "chat", 1))
    o2 = offers(r.call_arrived("c2", "chat", 2))
    o3 = offers(r.call_arrived("c3", "chat", 3))
    assert o1 and o2 and not o3
    r.offer_answered("c1", "a", 4)
    (o,) = offers(r.call_ended("c1", 5))
    assert o.call_id == "c3"


def test_supervisor_move_and_priority():
    r = mk([{"name": "a"}, {"name": "b"}], [])
    r.call_arrived("x", "a", 0)
    r.call_arrived("y", "a", 1)
    r.set_priority("y", 9, 2)
    assert [w["call_id"] for w in r.queue_snapshot("a")["waiting"]] == ["y", "x"]
    d = r.move_call("x", "b", 3)
    assert any(isinstance(q, Queued) and q.queue == "b" for q in d)
    assert r.call_view("x")["queue"] == "b"
    assert isinstance(r.move_call("x", "nope", 4)[0], Refused)
    assert isinstance(r.set_priority("zz", 1, 4)[0], Refused)


def test_refused_events_change_nothing():
    r = mk([{"name": "q"}], [{"id": "a", "queues": {"q": 0}}])
    assert isinstance(r.call_arrived("c", "nope", 0)[0], Refused)
    r.call_arrived("c", "q", 0)
    assert isinstance(r.call_arrived("c", "q", 0)[-1], Refused)
    assert isinstance(r.offer_answered("c", "a", 1)[-1], Refused)
    assert isinstance(r.agent_logged_in("ghost", 1)[-1], Refused)
    assert isinstance(r.call_ended("c", 2)[-1], Refused)
    assert isinstance(r.call_arrived("d", "q", 3, skills={"x": "high"})[-1], Refused)
    assert isinstance(r.call_arrived("e", "q", 3, requirements=["WT <"])[-1], Refused)
    r.check_invariants()


def test_time_never_goes_backwards():
    r = mk([{"name": "q"}], [])
    r.call_arrived("c", "q", 100)
    r.tick(50)
    assert r.call_view("c")["wait"] == 0.0


def test_snapshot_and_stats_views():
    r = mk([{"name": "q", "wrapup": 0}], [{"id": "a", "name": "Alice", "queues": {"q": 1}, "skills": {"x": 2}}])
    r.agent_logged_in("a", 0)
    r.agent_paused("a", 10, "lunch")
    r.call_arrived("c", "q", 20, priority=2)
    snap = r.queue_snapshot("q", now=30)
    assert snap["waiting"][0] | {"wait": 10.0, "priority": 2.0, "position": 1} == snap["waiting"][0]
    ag = snap["agents"][0]
    assert ag["state"] == "paused" and ag["reason"] == "lunch" and ag["time_in_state"] == 20.0
    assert ag["penalty"] == 1 and ag["name"] == "Alice"
    st = snap["stats"]
    assert st["waiting"] == 1 and st["longest_wait"] == 10.0 and st["staffed"] == 0 and st["ewt"] is None
    r.agent_unpaused("a", 30)
    r.reset_stats()
    assert r.stats("q")["answered"] == 0


def test_config_errors_are_clear():
    with pytest.raises(ConfigError, match="unknown strategy 'fastest'"):
        Router.from_dicts(queues=[{"name": "q", "strategy": "fastest"}])
    with pytest.raises(ConfigError, match=r"queue 'q', rule 2 .*column 10: expected a proficiency"):
        Router.from_dicts(queues=[{"name": "q", "rules": ["any", "billing >> 3"]}])
    with pytest.raises(ConfigError, match="proficiency must be an integer 1-5"):
        Router.from_dicts(agents=[{"id": "a", "skills": {"x": 9}}])
    with pytest.raises(ConfigError, match="language tags"):
        Router.from_dicts(agents=[{"id": "a", "skills": {"lang_en": 3}}])
    with pytest.raises(ConfigError, match="unknown key"):
        Router.from_dicts(queues=[{"name": "q", "colour": "red"}])
    r = Router()
    r.add_queue({"name": "q"})
    with pytest.raises(ConfigError, match="already exists"):
        r.add_queue({"name": "q"})


def test_update_agent_and_queue_at_runtime():
    r = mk([{"name": "q", "rules": ["x >= 3"], "wrapup": 0}], [{"id": "a", "skills": {"x": 1}, "queues": {"q": 0}}])
    r.agent_logged_in("a", 0)
    assert not offers(r.call_arrived("c", "q", 1))
    d = r.update_agent({"id": "a", "skills": {"x": 4}, "queues": {"q": 0}}, 2)
    assert offers(d)
    r.call_arrived("c2", "q", 3)
    d = r.update_queue({"name": "q", "rules": ["any"], "strategy": "random"}, 4)
    r.check_invariants()
