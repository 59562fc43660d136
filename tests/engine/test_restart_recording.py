"""The recording of a call that goes on across an engine restart (on hold when the engine went away), through the
whole server against the Asterisk double: the next engine takes the running MixMonitor over, so the recording
and the record are final as soon as the call ends (not closed at the restart and finalized ~10 s after it,
while the call still went on), and the file covers the whole call. A recording whose call ended while the
engine was away is finalized when the next engine closes the call's record."""
from __future__ import annotations

from tests.e2e.center import running_center
from tests.recordings.test_recordings_e2e import FAST, recording_of

from .test_restart_on_hold import _closed, _held


async def test_the_recording_of_a_held_call_is_final_when_the_call_ends_after_a_restart(tmp_path, double, speech_service):
    async with running_center(tmp_path, double, speech_service, overrides=dict(FAST)) as center:
        s, call = await _held(center)
        call_id, answered_at = call.call_id, call.answered_at
        await center.wait_for(lambda: center.app.components["recorder"].state_of(call_id), 10)
        await center.restart()
        eng = center.engine
        await center.wait_for(lambda: call_id in eng.calls and eng.calls[call_id].state == "talking", 20)
        recorder = center.app.components["recorder"]
        await center.wait_for(lambda: recorder.state_of(call_id), 10)        # the new engine's recorder has it
        st, body = await center.api("POST", f"/api/calls/{call_id}/unhold", token="tok-a01")
        assert st == 200, body
        await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, call.agent_channel}], 5)
        s.caller_hangs_up()
        await center.settle(20)
        ended_at = (await _closed(center, call_id)())["ended_at"]
        rec = await recording_of(center, call_id, timeout=10)
        assert rec["status"] == "ready" and rec["error"] is None, rec
        assert abs(rec["ended_at"] - ended_at) < 2.0, (rec["ended_at"], ended_at)   # closed at the call's end
        assert rec["duration"] >= (ended_at - answered_at) - 2.0, rec               # the whole call is in it


async def test_the_recording_of_a_call_ended_while_the_engine_was_away_is_finalized(tmp_path, double, speech_service):
    async with running_center(tmp_path, double, speech_service, overrides=dict(FAST)) as center:
        s, call = await _held(center)
        call_id = call.call_id
        await center.wait_for(lambda: center.app.components["recorder"].state_of(call_id), 10)
        await center.stop()
        s.caller_hangs_up()
        await center.double.wait_for(lambda: center.double.channel(call.agent_channel) is None, 10)
        await center.start()
        await center.wait_for(_closed(center, call_id), 40)
        rec = await recording_of(center, call_id, timeout=15)
        assert rec["status"] == "ready" and rec["duration"] > 0, rec
