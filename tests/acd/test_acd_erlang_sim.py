"""Erlang C / Erlang A formulas, and the simulator (driving the real Router) against them."""
from __future__ import annotations

import math

import pytest

from acd.erlang import agents_for_sl, erlang_a, erlang_b, erlang_c
from acd.scenario import ScenarioError, parse_scenario, simple_scenario
from acd.sim import simulate


def test_erlang_b_and_c_textbook_values():
    # 2 Erlangs on 3 servers: B = 0.2105, C = 0.4444
    assert erlang_b(2.0, 3) == pytest.approx(0.21053, abs=1e-4)
    c = erlang_c(rate=2.0 / 180, aht=180, agents=3, threshold=20)
    assert c["p_wait"] == pytest.approx(0.44444, abs=1e-4)
    assert c["asa"] == pytest.approx(0.44444 * 180 / 1, rel=1e-4)
    assert c["sl"] == pytest.approx(1 - 0.44444 * math.exp(-1 * 20 / 180), abs=1e-4)
    assert c["occupancy"] == pytest.approx(2 / 3)
    # overloaded: no steady state
    assert erlang_c(rate=1, aht=10, agents=5)["stable"] is False


def test_erlang_a_tends_to_erlang_c_without_abandonment_and_is_sane():
    c = erlang_c(1.0, 180, 200, 20)
    a = erlang_a(1.0, 180, 200, 1e7, 20)
    assert a["sl"] == pytest.approx(c["sl"], abs=1e-3)
    assert a["asa"] == pytest.approx(c["asa"], rel=1e-2)
    a2 = erlang_a(1.0, 180, 170, 120, 20)           # overloaded, but patience keeps it stable
    assert 0 < a2["abandon"] < 0.2 and 0 < a2["sl"] < 1 and a2["occupancy"] < 1
    assert agents_for_sl(1.0, 180, 0.8, 20) == min(
        n for n in range(181, 260) if erlang_c(1.0, 180, n, 20)["sl"] >= 0.8)


def test_simulator_small_run_is_deterministic_and_consistent():
    sc = simple_scenario(agents=5, rate=60, aht=240, patience=120, duration=4 * 3600, seed=5)
    r1 = simulate(sc)
    r2 = simulate(simple_scenario(agents=5, rate=60, aht=240, patience=120, duration=4 * 3600, seed=5))
    assert r1["total"] == r2["total"]
    t = r1["total"]
    assert t["offered"] == t["answered"] + t["abandoned"] + t["overflowed"] + t["called_back"]
    assert t["offered"] == r1["calls"] - r1["unfinished"]
    assert 150 < t["offered"] < 330
    assert 0 < t["sl"] <= 1 and 0 <= t["abandon_rate"] < 0.5 and 0 < t["occupancy"] < 1
    assert len(r1["intervals"]) == 4


def test_example_scenario_runs_with_every_feature(tmp_path):
    import yaml
    from pathlib import Path
    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "acd" / "scenarios" / "day.yaml").read_text())
    res = simulate(parse_scenario(data))
    names = [q["queue"] for q in res["queues"]]
    assert names == ["billing", "support", "sales"]
    assert res["total"]["offered"] > 500
    assert any(q["called_back"] for q in res["queues"])   # support offers callbacks (14:00 gap)
    for q in res["queues"]:
        assert q["erlang_c_sl"] is not None and q["erlang_a_sl"] is not None


@pytest.mark.parametrize("mutate,path", [
    (lambda d: d["queues"][0].update(handle_time={"distribution": "gamma", "mean": 3}), "queues[0].handle_time.distribution"),
    (lambda d: d["queues"][1].update(arrivals=[1, "x"]), "queues[1].arrivals"),
    (lambda d: d["agents"][0].update(queues={"nope": 0}), "agents[0].queues"),
    (lambda d: d["agents"][2].update(shifts=["08:61-09:00"]), "agents[2].shifts[0]"),
    (lambda d: d.update(bogus=1), "scenario.bogus"),
    (lambda d: d["queues"][0].update(rules=["WT < x: a"]), "queues[0]"),
])
def test_scenario_errors_name_the_node(mutate, path):
    import yaml
    from pathlib import Path
    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "acd" / "scenarios" / "day.yaml").read_text())
    mutate(data)
    with pytest.raises(ScenarioError) as ei:
        parse_scenario(data)
    assert ei.value.path == path, str(ei.value)


@pytest.mark.slow
def test_simulator_agrees_with_erlang_c_within_2_points():
    # no abandonment, exponential handle times, long run, warm-up excluded
    sc = simple_scenario(agents=22, rate=360, aht=200, patience=None, sl_threshold=20,
                         duration=400 * 3600, interval=400 * 3600, seed=11, warmup=3600)
    res = simulate(sc)
    q = res["queues"][0]
    ec = erlang_c(360 / 3600, 200, 22, 20)
    assert q["abandoned"] == 0
    assert abs(q["sl"] - ec["sl"]) < 0.02, (q["sl"], ec["sl"])
    assert abs(q["asa"] - ec["asa"]) < 0.15 * ec["asa"]
    assert abs(q["occupancy"] - ec["occupancy"]) < 0.01


@pytest.mark.slow
def test_simulator_agrees_with_erlang_a_within_3_points():
    sc = simple_scenario(agents=20, rate=400, aht=180, patience=90, sl_threshold=20,
                         duration=400 * 3600, interval=400 * 3600, seed=12, warmup=3600)
    res = simulate(sc)
    q = res["queues"][0]
    ea = erlang_a(400 / 3600, 180, 20, 90, 20)
    assert abs(q["sl"] - ea["sl"]) < 0.03, (q["sl"], ea["sl"])
    assert abs(q["abandon_rate"] - ea["abandon"]) < 0.03, (q["abandon_rate"], ea["abandon"])


def test_overloaded_queue_has_infinite_erlang_wait_not_zero():
    # 400 calls/h x 180 s = 20 Erlangs on 5 agents: Erlang C has no steady state
    res = simulate(simple_scenario(agents=5, rate=400, aht=180, duration=2 * 3600, seed=1))
    q = res["queues"][0]
    assert q["overloaded"] is True and q["overloaded_intervals"] == 2
    assert q["erlang_c_asa"] == math.inf and q["erlang_a_asa"] == math.inf   # no patience: Erlang A = Erlang C
    assert q["erlang_c_sl"] == 0.0
    for row in res["intervals"]:
        assert row["overloaded"] is True and row["erlang_c_asa"] == math.inf
    # with patience Erlang A stays stable: a finite wait, still flagged as overloaded for Erlang C
    q = simulate(simple_scenario(agents=5, rate=400, aht=180, patience=60, duration=3600, seed=1))["queues"][0]
    assert q["overloaded"] is True and q["erlang_c_asa"] == math.inf and 0 < q["erlang_a_asa"] < math.inf
    # a stable queue is not flagged and keeps finite figures
    q = simulate(simple_scenario(agents=8, rate=120, aht=180, duration=3600, seed=1))["queues"][0]
    assert q["overloaded"] is False and q["overloaded_intervals"] == 0 and 0 < q["erlang_c_asa"] < 60


def test_interval_agents_count_every_member_who_can_take_the_calls():
    data = {
        "interval": 3600, "duration": 7200,
        "queues": [{"name": "billing", "rate": 60, "handle_time": {"distribution": "constant", "mean": 60}},
                   {"name": "support", "rate": 60, "handle_time": {"distribution": "constant", "mean": 60}}],
        "agents": [{"group": "b", "count": 4, "queues": {"billing": 0, "support": 2}},
                   {"group": "s", "count": 3, "queues": {"support": 0}},
                   {"group": "late", "count": 2, "queues": {"support": 1}, "shifts": ["00:30-02:00"]}],
    }
    res = simulate(parse_scenario(data))
    rows = {(r["queue"], r["interval"]): r for r in res["intervals"]}
    # support: 4 (penalty 2) + 3 (penalty 0) + 2 (penalty 1, on shift half of the first hour)
    assert rows[("support", 0)]["agents"] == pytest.approx(8.0)
    assert rows[("support", 1)]["agents"] == pytest.approx(9.0)
    assert rows[("billing", 0)]["agents"] == pytest.approx(4.0)
    # Erlang is still given only the agents whose lowest penalty is in the queue (s, and late pro rata)
    assert [rows[("support", i)]["erlang_agents"] for i in (0, 1)] == [4, 5]
    assert rows[("billing", 1)]["erlang_agents"] == 4
