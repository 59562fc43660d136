"""Engine restart with a slow Asterisk: the AMI resync (the channels Asterisk reports) lagging behind the
orphan sweep must never close a call that is still alive (the whole server against the Asterisk double,
whose ``CoreShowChannels`` answer is delayed as from a loaded Asterisk)."""
from __future__ import annotations

from tests.asterisk_double import Caller, Press
from tests.e2e.center import running_center


async def test_a_waiting_call_is_not_closed_while_the_channel_listing_lags(tmp_path, double, speech_service):
    # action timeout 1 s: the resync's CoreShowChannels waits max(1, 5) = 5 s, the double answers after 7 s
    async with running_center(tmp_path, double, speech_service, agents=12,
                              overrides={"ami.action_timeout": 1.0}) as center:
        # a caller waits in sales (nobody ready); its dialplan comes back to the engine only 16 s after the
        # restart (music on hold between AGI retries on a busy Asterisk): after the sweep's first two looks
        s = center.call(Caller(script=[Press("3")], caller_id="5552001", max_duration=90), redial=True,
                        redial_pause=16.0)
        await center.wait_for(lambda: any(c.state == "waiting" for c in center.engine.calls.values()), 15)
        [call_id] = list(center.engine.calls)
        double.slow_action("CoreShowChannels", 7.0)
        await center.restart()
        svc = center.asterisk
        # the listing is still missing: the channels are not known, the call's record stays open
        assert not svc.channels_known()
        await center.wait_for(lambda: svc.channels_known(), 20, 0.1)       # asked again, answered
        assert svc.call_alive(call_id)
        # the caller comes back (after the sweep's looks at 5 s and 15 s) and is answered
        await center.wait_for(lambda: call_id in center.engine.calls and center.engine.calls[call_id].recovered
                              and center.engine.calls[call_id].state == "waiting", 30, 0.1)
        await center.login_agents(["a06"])
        await center.wait_calls([s], 40)
        await center.settle(20)
        [cdr] = await center.cdrs()
        assert cdr["call_id"] == call_id and cdr["disposition"] == "answered", cdr
        assert cdr["data"]["ended_by"] != "engine-restart"
        ended = [e for e in await center.events("CallEnded") if e["call_id"] == call_id]
        assert len(ended) == 1, ended                     # one end: never closed by the sweep meanwhile
        assert not await center.events("CallAbandoned")
