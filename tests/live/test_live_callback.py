"""Live: a callback through a real Asterisk 22, recorded by the queue's policy. A baresip caller (1001, its
1000 Hz tone) waits in support, takes the callback offer (DTMF 1) and hangs up; when agent ann (7001,
440 Hz) is ready she is rung first, then the customer is called through the dialplan's trunk
(``Local/1001@cc-outbound`` -> ``Dial(PJSIP/1001@trunk)``, which reaches the same baresip phone) and the two
are bridged (``cc-callback-connect``). MixMonitor runs on the customer's leg: the finished recording is a
stereo WAV with the customer on the left and the agent on the right, linked from the call's record."""
from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import numpy as np


from .live import AGENT_TONE, CALLER_TONE, Live
from .test_live_calls import _gone
from .test_live_hold import window


async def test_a_queued_callback_is_dialled_out_and_recorded(tmp_path):
    live = Live(tmp_path, overrides={"recordings.policy": "always", "recordings.min_free_mb": 0,
                                     "recordings.job_poll_interval": 0.2})
    try:
        await live.start()
        await live.phone("7001")
        customer = await live.phone("1001", sip_port=live.ast.trunk_port)     # what the trunk reaches
        live.engine.callback_after_default["support"] = 1.0
        await customer.dial("5000")                  # e2e flow: no input -> support (nobody ready)
        await live.wait_for(lambda: any(c.callback_offered for c in live.engine.calls.values()), 60, 0.1)
        call = next(iter(live.engine.calls.values()))
        call_id = call.call_id
        await asyncio.sleep(1.0)                     # the offer is being played ("... press 1")
        await asyncio.to_thread(customer.command, "sndcode", "1")
        await live.wait_for(lambda: call.state == "callback", 15, 0.1)
        await live.wait_for(lambda: _gone(live, "PJSIP/1001"), 15, 0.2)        # the caller was hung up
        await live.ready("ann")                      # rung first, then the customer through the trunk
        await live.wait_for(lambda: call.state == "talking" and call.customer_channel, 40, 0.1)
        assert call.callback_number == "1001"
        await asyncio.sleep(4.0)
        await live.phones["7001"].hangup()           # the agent ends the conversation
        await live.settle()

        rec = await live.finished_recording(call_id, 30)
        [cdr] = await live.cdrs()
    finally:
        await live.close()
    assert cdr["disposition"] == "answered" and cdr["agent"] == "ann", cdr
    assert cdr["data"]["callback_number"] == "1001" and cdr["recording"] == rec["path"]
    assert rec["status"] == "ready" and rec["error"] is None and rec["policy"] == "always", rec
    path = Path(rec["path"])
    assert path.exists() and path.stat().st_size > 44
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 8000)
        seconds = w.getnframes() / 8000
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2).astype(float)
    assert 3.0 <= seconds <= 15.0, seconds
    assert np.sqrt(np.mean(audio * audio)) > 200, "the recording is silent"
    # the conversation: the customer's tone on the left, the agent's on the right
    left_rms, left_hz = window(path, 0.5, 1.5, channel=0)
    right_rms, right_hz = window(path, 0.5, 1.5, channel=1)
    assert abs(left_hz - CALLER_TONE) < 15 and left_rms > 200, (left_rms, left_hz)
    assert abs(right_hz - AGENT_TONE["7001"]) < 15 and right_rms > 200, (right_rms, right_hz)

