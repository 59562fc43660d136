"""Live: a speech menu, engine and Asterisk restarts with calls up, and 30 calls under load."""
from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest

from .sipp import run_sipp


def _speech_wav(path, word: str, at: float, total: float = 20.0):
    """``word`` spoken once by espeak-ng ``at`` seconds into the call (8 kHz mono), silence around it:
    the e2e flow's welcome and menu prompts last ~6.3 s, then the menu listens for 3 s."""
    if not shutil.which("espeak-ng") or not shutil.which("sox"):
        pytest.skip("espeak-ng and sox make the spoken answer")
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(raw), word], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(path), "pad", str(at),
                    str(max(1.0, total - at))], check=True, capture_output=True)
    return path


async def _talking(live, timeout: float = 40.0):
    await live.wait_for(lambda: any(c.state == "talking" for c in live.engine.calls.values()), timeout, 0.1)
    return next(c for c in live.engine.calls.values() if c.state == "talking")


@pytest.mark.xfail(reason="seen on Asterisk 22.10.1 + baresip: the spoken 'sales' (recognised offline from the "
                   "same WAV) came back through PCMU as 'billing' (0.64); speech accuracy is issue 11's speech part",
                   strict=False)
async def test_speech_menu_to_sales(live):
    await live.phone("7003")                              # cat: sales
    await live.ready("cat")
    mic = _speech_wav(live.tmp / "sales.wav", "sales", at=6.9)
    caller = await live.phone("1001", tone=0)
    caller.mic = mic
    await asyncio.to_thread(caller.stop)
    caller.start()
    await caller.wait_registered()
    await live.wait_for(lambda: live.engine_phone_idle("PJSIP/1001"), 10)
    await caller.dial("5000")
    call = await _talking(live, 60)
    assert call.queue == "sales", call.ivr
    await caller.hangup()
    await live.settle()
    [cdr] = await live.cdrs()
    assert cdr["queue"] == "sales" and any(t["kind"] == "recognition" for t in cdr["ivr_trace"])


async def test_engine_restart_with_a_caller_waiting(live):
    res_task = asyncio.ensure_future(run_sipp(live, "5000", digits="3", talk=45.0))   # sales; nobody there
    await live.wait_for(lambda: any(c.state == "waiting" for c in live.engine.calls.values()), 40, 0.1)
    [waiting] = [c for c in live.engine.calls.values() if c.state == "waiting"]
    await live.stop_engine()                              # the dialplan retries AGI(ivr) for a minute
    await asyncio.sleep(8.0)
    await live.start_engine()
    await live.wait_for(lambda: waiting.call_id in live.engine.calls, 40, 0.2)
    assert live.engine.calls[waiting.call_id].recovered
    await live.phone("7003")
    await live.ready("cat")
    await _talking(live, 30)
    res = await res_task
    assert res.returncode == 0, res.stdout[-1500:]
    await live.settle(30)
    cdrs = await live.cdrs()
    assert len(cdrs) == 1 and cdrs[0]["disposition"] == "answered" and cdrs[0]["agent"] == "cat"
    assert cdrs[0]["data"]["recovered"] is True


async def test_asterisk_restart_with_calls_up(live):
    await live.phone("7001")
    await live.ready("ann")
    talk = asyncio.ensure_future(run_sipp(live, "5000", talk=60.0, timeout=70))       # -> support -> ann
    await _talking(live, 40)
    wait = asyncio.ensure_future(run_sipp(live, "5000", digits="3", talk=60.0, timeout=70))  # sales: waits
    await live.wait_for(lambda: any(c.state == "waiting" for c in live.engine.calls.values()), 40, 0.1)
    talking = next(c.call_id for c in live.engine.calls.values() if c.state == "talking")
    waiting = next(c.call_id for c in live.engine.calls.values() if c.state == "waiting")
    await asyncio.to_thread(live.ast.restart)             # killed (-9) and started again
    await live.settle(30)
    for t in (talk, wait):
        t.cancel()
    cdrs = {c["call_id"]: c for c in await live.cdrs()}
    assert cdrs[talking]["disposition"] == "answered", cdrs
    assert cdrs[talking]["data"]["ended_by"] == "asterisk-restart"
    assert cdrs[waiting]["disposition"] == "failed" and cdrs[waiting]["data"]["ended_by"] == "asterisk-restart"
    st, q = await live.api("GET", f"/api/queues/{cdrs[waiting]['queue']}")
    assert q["abandoned"] == 0
    # the engine is back on the new Asterisk: AMI reconnected, the phone registers again
    svc = live.app.components["asterisk"]
    await live.wait_for(lambda: any(c.connected for c in svc.clients), 20, 0.2)


async def test_thirty_calls_under_load_one_record_each(live):
    for ext in ("7001", "7002", "7003"):
        await live.phone(ext)
    await live.ready("ann", "ben", "cat")
    # key 3 (SIP INFO) -> sales (ann, cat); each caller hangs up 20 s after the answer, queued or not
    res = await run_sipp(live, "5000", digits="3", talk=20.0, count=30, rate=2.0, limit=30, timeout=240)
    assert res.returncode == 0, res.stdout[-2000:]
    await live.settle(60)
    cdrs = await live.cdrs()
    assert len(cdrs) == 30 and len({c["call_id"] for c in cdrs}) == 30
    assert all(c["ended_at"] for c in cdrs)
    by = {}
    for c in cdrs:
        by[c["disposition"]] = by.get(c["disposition"], 0) + 1
    assert by.get("answered", 0) >= 3, by
    assert set(by) <= {"answered", "abandoned"}, by
    st, q = await live.api("GET", "/api/queues/sales")        # the same figures in the live queue view
    assert q["answered"] == by.get("answered", 0) and q["abandoned"] == by.get("abandoned", 0), q


async def test_capture_bridged_caller_hangup_with_the_project_dialplan(live):
    """Keeps what the real Asterisk sends on AMI when a caller hangs up while bridged to an agent
    through the project's dialplan (set CALLCENTER_LIVE_CAPTURE_DIR to save the transcript: it is
    ``tests/fixtures/asterisk/live-cc-bridge-caller-hangup.txt``, replayed by the double's tests)."""
    import os
    from pathlib import Path

    from .capture import AmiCapture
    cap = await AmiCapture("127.0.0.1", live.ast.ami_port, "callcenter", live.ast.secret).start()
    try:
        agent = await live.phone("7001")
        caller = await live.phone("1000")
        await live.ready("ann")
        cap.note("phone 1000 dials 5000 (e2e flow: no input -> support -> agent 7001 ann, auto-answer)")
        await caller.dial("5000")
        call = await _talking(live)
        cap.note(f"bridged: caller {call.channel}, agent leg {call.agent_channel}")
        await asyncio.sleep(3.0)
        cap.note("phone 1000 hangs up (BYE)")
        await caller.hangup()
        await live.settle()
        await asyncio.sleep(1.0)
        cap.note("phone 7001 idle again")
    finally:
        await cap.stop()
    ev = cap.events()
    agent_dev = [e["State"] for e in ev if e.get("Event") == "DeviceStateChange" and e.get("Device") == "PJSIP/7001"]
    first = next(e for e in ev if e.get("Event") in ("HangupRequest", "SoftHangupRequest")
                 and e.get("Channel") in (call.channel, call.agent_channel))
    assert first["Event"] == "HangupRequest" and first["Channel"] == call.channel, first
    assert agent_dev and agent_dev[-1] == "NOT_INUSE", agent_dev
    out = os.environ.get("CALLCENTER_LIVE_CAPTURE_DIR")
    if out:
        cap.save(Path(out) / "live-cc-bridge-caller-hangup.txt", [
            "Real Asterisk 22.10.1 (private instance of tests/live), AMI user callcenter of asterisk_conf/manager.conf",
            "(read = system,call), the project's asterisk_conf/ dialplan; baresip 1.0.0 phones 1000 (caller) and 7001",
            "(agent, endpoint template cc-agent-endpoint: device_state_busy_at = 1). Format as in ami-*.txt.",
            f"agent phone device states seen: {' -> '.join(agent_dev)}"])
