"""Recordings through the whole server and the Asterisk double: policy ``always`` records an answered
call with MixMonitor ``D`` on the caller's channel, pause / resume leave a marked silent gap, the
finalize job turns the file into a stereo WAV (caller left, agent right), the CDR links it, the API
applies the roles and logs downloads; faults (missing file, full disk) end as clear errors on the
call's record."""
from __future__ import annotations

import asyncio
import wave

import numpy as np

from tests.asterisk_double import Caller, Customer, Press
from tests.asterisk_double.mixmonitor import AGENT_HZ, CALLER_HZ
from tests.e2e.center import Center

from callcenter.store import recordings as store_rec
from callcenter.store import repo

FAST = {"speech.enabled": False, "recordings.policy": "always", "recordings.min_free_mb": 0,
        "recordings.job_poll_interval": 0.05, "recordings.job_retry_delay": 0.1, "recordings.job_retry_max_delay": 0.2,
        "recordings.retention_interval": 0}


async def make_center(tmp_path, double, **overrides) -> Center:
    c = Center(tmp_path, double, None, agents=4, overrides={**FAST, **overrides})
    await c.provision()
    await c.start()
    return c


async def recording_of(center: Center, call_id: str, status: tuple = ("ready",), timeout: float = 15.0):
    async def get():
        async with center.app.db.session() as s:
            return await store_rec.get_call_recording(s, call_id)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rec = await get()
        if rec is not None and rec.status in status:
            return store_rec.recording_to_dict(rec)
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"recording of {call_id}: {rec and store_rec.recording_to_dict(rec)}")
        await asyncio.sleep(0.05)


async def talking_call(center: Center, double, talk_seconds: float):
    """Agent a00 (billing) answers a DTMF caller and talks ``talk_seconds``: (session, call id)."""
    double.phone("3000").talk_seconds = talk_seconds
    await center.login_agents(["a00"])
    s = center.call(Caller(script=[Press("1"), Press("123456#")], caller_id="5550100"))
    await double.wait_for(lambda: any(c.state == "talking" for c in center.engine.calls.values()), 20)
    return s, next(iter(center.engine.calls))


def dominant_hz(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spec) * 8000 / len(x))


async def test_always_policy_records_a_stereo_wav_with_a_marked_pause(tmp_path, double):
    center = await make_center(tmp_path, double)
    try:
        s, call_id = await talking_call(center, double, 2.5)
        await double.wait_for(lambda: call_id in center.engine.ports.recorder.active, 5)
        # the agent's own controls: pause 0.6 s, resume
        await asyncio.sleep(0.5)
        st, body = await center.api("POST", f"/api/calls/{call_id}/recording/pause", token="tok-a00")
        assert st == 200 and body["recording"]["pauses"][0]["by"] == "a00", body
        st, body = await center.api("POST", f"/api/calls/{call_id}/recording/pause", token="tok-a00")
        assert st == 409 and "already paused" in body["error"]
        st, body = await center.api("POST", f"/api/calls/{call_id}/recording/pause", token="tok-a01")
        assert st == 404                                   # another agent's call
        await asyncio.sleep(0.6)
        st, body = await center.api("POST", f"/api/calls/{call_id}/recording/resume")   # the supervisor
        assert st == 200, body
        await center.wait_calls([s], 20)
        await center.settle()
        rec = await recording_of(center, call_id)
        # the API: an agent sees only its own calls' recordings; every download is logged
        st, body = await center.api("GET", "/api/recordings", token="tok-a00")
        assert st == 200 and [r["id"] for r in body["recordings"]] == [rec["id"]]
        st, body = await center.api("GET", "/api/recordings", token="tok-a01")
        assert st == 200 and body["recordings"] == []
        st, body = await center.api("GET", f"/api/recordings/{rec['id']}/audio", token="tok-a01")
        assert st == 404
        async with center.http.get(f"{center.url}/api/recordings/{rec['id']}/audio",
                                   headers={"Authorization": "Bearer tok-a00"}) as r:
            assert r.status == 200 and r.headers["Content-Type"] == "audio/wav"
            assert (await r.read())[:4] == b"RIFF"
        st, body = await center.api("DELETE", f"/api/recordings/{rec['id']}", json={"reason": "x"})
        assert st == 403                                   # a supervisor may not delete
        st, body = await center.api("GET", "/api/jobs?status=done")
        assert st == 200 and body["backlog"] == 0 and body["jobs"][0]["kind"] == "recording.finalize"
    finally:
        await center.close()
    assert rec["policy"] == "always" and rec["channels"] == 2 and rec["sample_rate"] == 8000 and rec["error"] is None
    assert rec["layout"] == {"left": "caller", "right": "agent"}
    [gap] = rec["pauses"]
    assert 0.4 <= gap["offset"] <= 1.5 and 0.5 <= gap["duration"] <= 1.2 and gap["resumed_by"] == "sue"
    # MixMonitor D on the caller's channel; the .raw is gone, the WAV is stereo with caller left
    [mm] = double.actions_named("MixMonitor")
    assert mm.get("Options") == "D" and mm.get("File").endswith(".raw") and mm.get("Channel").startswith("PJSIP/caller")
    mutes = double.actions_named("MixMonitorMute")
    assert [(m.get("Direction"), m.get("State")) for m in mutes] == [("both", "1"), ("both", "0")]
    assert not list((tmp_path / "recordings").rglob("*.raw"))
    with wave.open(rec["path"]) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (2, 8000, 2)
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2).astype(float)
    assert abs(len(audio) / 8000 - rec["duration"]) < 0.01 and rec["duration"] >= 2.0
    before = audio[: int(0.4 * 8000)]
    assert abs(dominant_hz(before[:, 0]) - CALLER_HZ) < 20 and abs(dominant_hz(before[:, 1]) - AGENT_HZ) < 20
    # the gap is silent in both channels (its middle; the double's timing is the wall clock's)
    mid = int((gap["offset"] + gap["duration"] / 2) * 8000)
    assert np.abs(audio[mid - 800: mid + 800]).max() == 0
    # the CDR links the recording; the log has every step
    cdrs = await _cdrs(tmp_path)
    assert cdrs[call_id]["recording"] == rec["path"]
    log_rows = await _log(tmp_path, rec["id"])
    assert [r["action"] for r in log_rows] == ["start", "pause", "resume", "finalized", "download"]
    assert log_rows[-1]["actor"] == "a00"


async def test_a_callback_is_recorded_on_the_customer_leg(tmp_path, double):
    # the caller takes the callback offer and hangs up; the agent is rung first, then the customer
    # (Local/<number>@cc-outbound into cc-callback-connect, bridged to the agent): the queue's policy
    # records that conversation, with the customer left and the agent right as for a caller
    center = await make_center(tmp_path, double)
    try:
        center.engine.callback_after_default["billing"] = 0.5
        double.add_customer(Customer("5557777", answer_after=0.1))
        double.phone("3000").talk_seconds = 2.0
        s = center.call(Caller(script=[Press("1"), Press("1234#"), Press("1")], caller_id="5557777"))
        await center.wait_calls([s], 15)
        await center.login_agents(["a00"])
        await center.settle(20)
        [cdr] = await center.cdrs()
        rec = await recording_of(center, cdr["call_id"])
    finally:
        await center.close()
    assert cdr["disposition"] == "answered" and cdr["agent"] == "a00" and cdr["data"]["callback_number"] == "5557777"
    [mm] = double.actions_named("MixMonitor")
    assert mm.get("Options") == "D" and mm.get("Channel").startswith("Local/5557777@cc-outbound"), mm
    assert mm.get("Channel").endswith(";1")            # the half in cc-callback-connect, bridged to the agent
    assert rec["policy"] == "always" and rec["error"] is None and cdr["recording"] == rec["path"]
    with wave.open(rec["path"]) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 8000)
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2).astype(float)
    assert rec["duration"] >= 1.0
    talk = audio[: int(0.5 * 8000)]
    assert abs(dominant_hz(talk[:, 0]) - CALLER_HZ) < 20 and abs(dominant_hz(talk[:, 1]) - AGENT_HZ) < 20


async def _db(tmp_path):
    from callcenter.store.db import open_database
    return await open_database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'callcenter.db'}")


async def _cdrs(tmp_path) -> dict:
    db = await _db(tmp_path)
    try:
        async with db.session() as s:
            return {c.call_id: repo.call_to_dict(c) for c in await repo.list_calls(s, limit=None)}
    finally:
        await db.close()


async def _log(tmp_path, rid) -> list[dict]:
    db = await _db(tmp_path)
    try:
        async with db.session() as s:
            return [store_rec.log_to_dict(r) for r in await store_rec.list_recording_log(s, recording_id=rid)]
    finally:
        await db.close()


async def test_on_request_recording_and_a_file_asterisk_wrote_elsewhere(tmp_path, double):
    # Asterisk writes under a directory the engine does not see: the finalize job reports it on the call
    double.path_map["/srv/asterisk-calls"] = str(tmp_path / "elsewhere")
    center = await make_center(tmp_path, double, **{"recordings.policy": "request",
                                                    "recordings.asterisk_calls_dir": "/srv/asterisk-calls",
                                                    "recordings.job_max_attempts": 2})
    try:
        s, call_id = await talking_call(center, double, 1.5)
        st, body = await center.api("GET", f"/api/calls/{call_id}/recording", token="tok-a00")
        assert st == 200 and body["recording"] is None            # policy request: nothing yet
        st, body = await center.api("POST", f"/api/calls/{call_id}/recording/start", token="tok-a00")
        assert st == 200 and body["recording"]["policy"] == "request", body
        await center.wait_calls([s], 20)
        await center.settle()
        rec = await recording_of(center, call_id, status=("failed",))
        cdr = {c["call_id"]: c for c in await center.cdrs()}[call_id]
    finally:
        await center.close()
    [mm] = double.actions_named("MixMonitor")
    assert mm.get("File").startswith("/srv/asterisk-calls/")
    assert list((tmp_path / "elsewhere").rglob("*.raw"))          # the file is there, where Asterisk put it
    assert "is missing" in rec["error"] and "/srv/asterisk-calls/" in rec["error"]
    assert "recordings.asterisk_calls_dir" in cdr["data"]["errors"]["recording"]
    assert cdr["recording"] == rec["path"] and cdr["disposition"] == "answered"
