"""How the next engine closes a call record left open by the previous run (``recovery.orphan_end``, pure)."""
from __future__ import annotations

from callcenter.engine.recovery import orphan_end


def test_a_call_on_hold_whose_caller_is_gone_was_ended_by_the_caller_with_its_hold_counted():
    data = {"holds": 2, "held_s": 5.0, "on_hold": {"since": 100.0, "by": "desk", "leg": "PJSIP/7001-01", "held_s": 5.0}}
    end = orphan_end("support", 10.0, 20.0, data, now=130.0)
    assert (end.disposition, end.ended_by, end.hangup_leg) == ("answered", "caller", "PJSIP/7001-01")
    assert end.cdr_data["held_s"] == 35.0 and end.cdr_data["on_hold"] is None and end.cdr_data["ended_by"] == "caller"


def test_a_resumed_call_or_one_never_answered_ends_as_before():
    resumed = orphan_end("support", 10.0, 20.0, {"holds": 1, "held_s": 3.0, "on_hold": None}, now=130.0)
    assert (resumed.disposition, resumed.ended_by, resumed.hangup_leg) == ("answered", "engine-restart", None)
    assert orphan_end("support", 10.0, None, {}, now=30.0).disposition == "abandoned"
    assert orphan_end(None, None, None, None, now=30.0).disposition == "failed"
