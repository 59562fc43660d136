"""Reports from event-log rows: per queue and per agent, buckets, CSV/JSON."""
from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings, strategies as st

from callcenter.commands.report import report_table
from callcenter.engine.reports import LogEvent as E, build_report, parse_time, to_csv

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def day():
    return [
        E(T0 + 0, "AgentStateChanged", agent="alice", data={"state": "paused", "reason": "login"}),
        E(T0 + 60, "AgentStateChanged", agent="alice", data={"state": "ready"}),
        E(T0 + 100, "CallQueued", "c1", "support"),
        E(T0 + 110, "AgentStateChanged", agent="alice", data={"state": "offered"}),
        E(T0 + 110, "AgentOffered", "c1", "support", "alice"),
        E(T0 + 115, "CallAnswered", "c1", "support", "alice", {"holdtime": 15}),
        E(T0 + 115, "AgentStateChanged", agent="alice", data={"state": "on_call"}),
        E(T0 + 215, "CallCompleted", "c1", "support", "alice", {"holdtime": 15, "talktime": 100}),
        E(T0 + 215, "AgentStateChanged", agent="alice", data={"state": "wrap_up"}),
        E(T0 + 225, "WrapupEnded", "c1", "support", "alice", {"wrapup": 10}),
        E(T0 + 225, "AgentStateChanged", agent="alice", data={"state": "ready"}),
        E(T0 + 300, "CallQueued", "c2", "support"),
        E(T0 + 340, "CallAbandoned", "c2", "support", data={"holdtime": 40}),
        E(T0 + 400, "CallQueued", "c3", "support"),
        E(T0 + 401, "OfferMissed", "c3", "support", "alice", {"ringtime": 15}),
        E(T0 + 430, "CallAnswered", "c3", "support", "alice", {"holdtime": 30}),
        E(T0 + 430, "AgentStateChanged", agent="alice", data={"state": "on_call"}),
        E(T0 + 490, "CallCompleted", "c3", "support", "alice", {"holdtime": 30, "talktime": 60}),
        E(T0 + 490, "AgentStateChanged", agent="alice", data={"state": "paused", "reason": "lunch"}),
        E(T0 + 1090, "AgentStateChanged", agent="alice", data={"state": "logged_out"}),
    ]


def test_queue_report_hourly():
    [line] = build_report(day(), T0, T0 + 3600, by="queue", bucket="hour", sl_targets={"support": 20})
    assert line["queue"] == "support" and line["bucket"] == "2026-01-01T00:00:00Z"
    assert (line["offered"], line["answered"], line["abandoned"]) == (3, 2, 1)
    assert line["service_level"] == pytest.approx(33.3)          # 1 of (2 answered + 1 abandoned) within 20 s
    assert line["asa"] == 22.5
    assert line["aht"] == 85.0                                     # (100 + 10 + 60) / 2
    assert line["abandon_rate"] == pytest.approx(33.3)
    assert line["longest_wait"] == 40 and line["rona"] == 1


def test_agent_report_occupancy_and_pauses():
    [line] = build_report(day(), T0, T0 + 3600, by="agent", bucket="day")
    assert line["agent"] == "alice"
    assert line["answered"] == 2 and line["missed"] == 1
    assert line["talk_time"] == 160 and line["wrapup_time"] == 10
    assert line["staffed_time"] == 1090
    assert line["pause_by_reason"] == {"login": 60, "lunch": 600}
    assert line["occupancy"] == pytest.approx(round(100 * 170 / (1090 - 660), 1))


def test_15_minute_buckets_split_intervals():
    lines = build_report(day(), T0, T0 + 3600, by="agent", bucket="15m")
    assert [l["bucket"][11:16] for l in lines] == ["00:00", "00:15"]
    assert sum(l["pause_by_reason"].get("lunch", 0) for l in lines) == 600
    assert lines[1]["pause_by_reason"] == {"lunch": 1090 - 900}


def test_recovered_calls_are_not_offered_twice():
    rows = [E(T0 + 1, "CallQueued", "c1", "support"), E(T0 + 60, "CallQueued", "c1", "support", data={"recovered": True}),
            E(T0 + 70, "CallAnswered", "c1", "support", "a", {"holdtime": 69})]
    [line] = build_report(rows, T0, T0 + 3600)
    assert line["offered"] == 1 and line["answered"] == 1 and line["asa"] == 69


def test_hold_and_a_transfer_to_a_queue():
    """Hold is inside talk time (AHT includes it) and shown as hold_time; a call transferred to a queue
    is offered to it again, and transferred_in says so."""
    rows = [E(T0 + 1, "CallQueued", "c1", "technical"),
            E(T0 + 5, "CallAnswered", "c1", "technical", "ann", {"holdtime": 4}),
            E(T0 + 65, "CallCompleted", "c1", "technical", "ann",
              {"holdtime": 4, "talktime": 60, "held": 1, "heldtime": 20, "ended_by": "transfer",
               "transferred_to": "queue:support"}),
            E(T0 + 65, "CallQueued", "c1", "support", data={"transferred_from": "ann"}),
            E(T0 + 75, "CallAnswered", "c1", "support", "ben", {"holdtime": 10}),
            E(T0 + 105, "CallCompleted", "c1", "support", "ben", {"holdtime": 10, "talktime": 30, "held": 0,
                                                                  "heldtime": 0})]
    lines = {line["queue"]: line for line in build_report(rows, T0, T0 + 3600)}
    assert lines["technical"]["offered"] == 1 and lines["technical"]["transferred_in"] == 0
    assert lines["support"]["offered"] == 1 and lines["support"]["transferred_in"] == 1
    assert lines["technical"]["aht"] == 60 and lines["technical"]["hold_time"] == 20
    agents = {line["agent"]: line for line in build_report(rows, T0, T0 + 3600, by="agent")}
    assert agents["ann"]["hold_time"] == 20 and agents["ben"]["hold_time"] == 0


def test_interval_clipping_and_filter():
    lines = build_report(day(), T0 + 200, T0 + 350, by="queue", bucket="hour")
    assert lines[0]["offered"] == 1 and lines[0]["abandoned"] == 1 and lines[0]["answered"] == 0
    assert build_report(day(), T0, T0 + 3600, only="billing") == []


def test_csv_and_table():
    lines = build_report(day(), T0, T0 + 3600, by="agent", bucket="hour")
    rows = list(csv.DictReader(io.StringIO(to_csv(lines))))
    assert rows[0]["agent"] == "alice" and rows[0]["pause_lunch"] == "600.0"
    assert "alice" in report_table(lines)
    assert "no activity" in report_table([])


def test_bad_arguments():
    with pytest.raises(ValueError, match="bucket"):
        build_report([], T0, T0 + 1, bucket="week")
    with pytest.raises(ValueError, match="by"):
        build_report([], T0, T0 + 1, by="caller")
    with pytest.raises(ValueError, match="after"):
        build_report([], T0, T0)


def test_parse_time():
    now = T0 + 7200
    assert parse_time("2026-01-01T00:30:00Z", now) == T0 + 1800
    assert parse_time("2026-01-01", now) == T0
    assert parse_time("-1h", now) == T0 + 3600
    assert parse_time("today", now) == T0
    assert parse_time(str(T0), now) == T0
    with pytest.raises(ValueError, match="not a time"):
        parse_time("teatime", now)


KINDS = ["CallQueued", "CallAnswered", "CallAbandoned", "CallCompleted", "WrapupEnded", "OfferMissed",
         "AgentStateChanged", "Garbage"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 7200), st.sampled_from(KINDS), st.sampled_from(["a", "b", None]),
                          st.sampled_from(["q1", None]),
                          st.sampled_from(["ready", "paused", "on_call", "wrap_up", "logged_out", "", None]),
                          st.one_of(st.none(), st.floats(-5, 500), st.text(max_size=3))), max_size=60),
       st.sampled_from(["15m", "hour", "day"]))
def test_fuzz_rows_never_crash_and_stay_consistent(raw, bucket):
    rows = [E(T0 + t, k, "c", q, a, {"state": s, "holdtime": v, "talktime": v, "reason": "r"})
            for t, k, a, q, s, v in raw]
    for line in build_report(rows, T0, T0 + 7200, by="agent", bucket=bucket):
        assert line["pause_time"] <= line["staffed_time"] + 1e-6
        assert line["talk_time"] + line["wrapup_time"] <= line["staffed_time"] + 1e-6
    for line in build_report(rows, T0, T0 + 7200, by="queue", bucket=bucket):
        assert line["service_level"] is None or 0 <= line["service_level"] <= 100


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_fuzz_parse_time(text):
    try:
        v = parse_time(text, T0)
    except ValueError as exc:
        assert str(exc)
    else:
        assert isinstance(v, float)
