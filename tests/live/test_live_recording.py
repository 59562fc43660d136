"""A recorded call through the real Asterisk 22: policy ``always`` gives a stereo WAV with the caller
(baresip phone 1000, its 1000 Hz tone) on the left and the agent (phone 7001, 440 Hz) on the right, a
pause (MixMonitorMute) is silence at the recorded offset, and the CDR links the file."""
from __future__ import annotations

import asyncio
import os
import wave
from pathlib import Path

import numpy as np


from .capture import AmiCapture
from .live import AGENT_TONE, CALLER_TONE, Live


def _dominant(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spec) * 8000 / len(x))


async def test_always_policy_gives_caller_left_agent_right(tmp_path):
    """Also keeps what the real Asterisk sends on AMI for MixMonitor / MixMonitorMute (set
    CALLCENTER_LIVE_CAPTURE_DIR to save ``live-cc-mixmonitor-pause.txt``; the double's events follow it)."""
    live = Live(tmp_path, overrides={"recordings.policy": "always", "recordings.min_free_mb": 0,
                                     "recordings.job_poll_interval": 0.2})
    cap = None
    try:
        await live.start()
        cap = await AmiCapture("127.0.0.1", live.ast.ami_port, "callcenter", live.ast.secret).start()
        await live.phone("7001")
        caller = await live.phone("1000")
        await live.ready("ann")
        cap.note("phone 1000 dials 5000 (e2e flow: no input -> support -> agent 7001 ann), policy always")
        await caller.dial("5000")                    # e2e flow: no input -> support -> ann
        await live.wait_for(lambda: any(c.state == "talking" for c in live.engine.calls.values()), 40, 0.1)
        call = next(c for c in live.engine.calls.values() if c.state == "talking")
        await live.wait_for(lambda: call.call_id in live.engine.ports.recorder.active, 10, 0.1)
        await asyncio.sleep(3.0)
        cap.note("engine: MixMonitorMute Direction both State 1 (pause)")
        st, body = await live.api("POST", f"/api/calls/{call.call_id}/recording/pause")
        assert st == 200, body
        await asyncio.sleep(2.0)
        cap.note("engine: MixMonitorMute Direction both State 0 (resume)")
        st, body = await live.api("POST", f"/api/calls/{call.call_id}/recording/resume")
        assert st == 200, body
        await asyncio.sleep(3.0)
        cap.note("phone 1000 hangs up (BYE); the engine then sends StopMixMonitor")
        await caller.hangup()
        await live.settle()

        rec = await live.finished_recording(call.call_id)
        [cdr] = await live.cdrs()
    finally:
        if cap is not None:
            await cap.stop()
        await live.close()
    ev = cap.events()
    mm = [e for e in ev if e.get("Event", "").startswith("MixMonitor")]
    # then MixMonitorStop when the engine's StopMixMonitor reaches the caller's channel before it is gone
    assert [(e["Event"], e.get("Direction"), e.get("State")) for e in mm][:3] == [
        ("MixMonitorStart", None, None), ("MixMonitorMute", "both", "1"), ("MixMonitorMute", "both", "0")], mm
    assert [e["Event"] for e in mm[3:]] in ([], ["MixMonitorStop"]), mm
    assert all(e["Channel"] == call.channel for e in mm)
    out = os.environ.get("CALLCENTER_LIVE_CAPTURE_DIR")
    if out:
        cap.save(Path(out) / "live-cc-mixmonitor-pause.txt", [
            "Real Asterisk 22.10.1 (private instance of tests/live), AMI user callcenter of asterisk_conf/manager.conf",
            "(read = system,call): the events a second AMI connection sees while the engine records a bridged call",
            "(MixMonitor Options D on the caller's channel), pauses it (MixMonitorMute both 1), resumes it (both 0),",
            "and the caller hangs up. Format as in ami-*.txt."])
    assert rec["status"] == "ready" and rec["error"] is None, rec
    assert cdr["recording"] == rec["path"]
    with wave.open(rec["path"]) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 8000)
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2).astype(float)
    assert 6.0 < len(audio) / 8000 < 12.0
    talk = audio[int(1.0 * 8000): int(2.5 * 8000)]
    assert abs(_dominant(talk[:, 0]) - CALLER_TONE) < 15, "left is not the caller"
    assert abs(_dominant(talk[:, 1]) - AGENT_TONE["7001"]) < 15, "right is not the agent"
    [gap] = rec["pauses"]
    mid = int((gap["offset"] + gap["duration"] / 2) * 8000)
    quiet = np.sqrt(np.mean(np.square(audio[mid - 2000: mid + 2000]), axis=0))
    loud = np.sqrt(np.mean(np.square(talk), axis=0))
    assert (quiet < 0.05 * loud).all(), (quiet, loud)
