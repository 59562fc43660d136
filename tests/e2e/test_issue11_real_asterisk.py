"""Issue 11 "Defects on a real Asterisk": one test per defect, on the Asterisk double made to behave as
the real captures show (``tests/fixtures/asterisk/bridge-*.txt``): EXEC Bridge answers ``200 result=0``
whoever hung up and the caller's ``HANGUP`` line follows the reply; the surviving leg resumes its own
dialplan (the project's ``asterisk_conf/extensions.conf``); device states follow the phones' channels."""
from __future__ import annotations

import asyncio
import time

import pytest

from tests.asterisk_double import Caller, Press
from tests.asterisk_double.dialplan import Dialplan

from .center import running_center


def _agent_leg(double, ext: str):
    return next((c for c in double.model.channels.values() if c.name.startswith(f"PJSIP/{ext}-")), None)


async def _bridged(center, session, timeout: float = 10.0) -> str:
    await center.double.wait_for(lambda: session.c.bridged_to, timeout)
    return session.c.bridged_to[0]


# -- 1. caller hang-up while bridged ------------------------------------------------------------------
async def test_caller_hangup_while_bridged_ends_the_agent_leg_at_once(center):
    center.double.phone("3000").talk_seconds = None           # the agent would talk forever
    await center.login_agents(["a00"])
    s = center.call(Caller(script=[Press("1"), Press("123456#")]))
    agent_chan = await _bridged(center, s)
    await asyncio.sleep(0.3)
    t0 = time.monotonic()
    s.caller_hangs_up()
    await center.double.wait_for(lambda: center.double.channel(agent_chan) is None, 3.0)
    assert time.monotonic() - t0 < 1.0, "the agent leg must end within a second of the caller's hang-up"
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["disposition"] == "answered" and cdr["data"]["ended_by"] == "caller"
    completed = await center.events("CallCompleted")
    assert completed[-1]["data"]["ended_by"] == "caller"


async def test_agent_hangup_while_bridged_ends_the_caller_and_says_agent(center):
    center.double.phone("3000").talk_seconds = 0.5
    await center.login_agents(["a00"])
    s = center.call(Caller(script=[Press("1"), Press("123456#")]))
    await _bridged(center, s)
    await center.wait_calls([s], 10)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["data"]["ended_by"] == "agent"
    assert [e["Channel"] for e in center.double.events("HangupRequest")][0].startswith("PJSIP/3000-")


# -- 2. phones in use ----------------------------------------------------------------------------------
async def test_a_phone_in_use_is_not_offered_a_call(center):
    busy = center.double.start_phone_call("3000")             # a00's phone: a call the engine did not place
    await center.login_agents(["a00"])
    s = center.call(Caller(script=[Press("1"), Press("123456#")]))
    await asyncio.sleep(2.0)
    assert not [a for a in center.double.actions_named("Originate") if a["Channel"] == "PJSIP/3000"], \
        "a00's phone is in use: no queue call may ring it"
    assert not [e for e in await center.events("OfferMissed")], "an in-use phone is not a missed offer"
    center.double.end_phone_call(busy)                          # idle again: now it gets the call
    await _bridged(center, s)
    s.caller_hangs_up()
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["disposition"] == "answered" and cdr["agent"] == "a00"


# -- 3. abandon while ringing ---------------------------------------------------------------------------
async def test_the_ring_is_cancelled_when_the_caller_abandons(tmp_path, double, speech_service):
    async with running_center(tmp_path, double, speech_service, agents=4,
                              overrides={"acd.rona_timeout": 20.0}) as center:
        center.double.phone("3000").answer_after = None       # rings until the RONA timeout (20 s)
        await center.login_agents(["a00"])
        s = center.call(Caller(script=[Press("1"), Press("123456#")]))
        await center.double.wait_for(lambda: _agent_leg(center.double, "3000"), 10)
        ring = _agent_leg(center.double, "3000").name
        t0 = time.monotonic()
        s.caller_hangs_up()                                     # as soon as the phone rings
        await center.double.wait_for(lambda: center.double.channel(ring) is None, 5)
        assert time.monotonic() - t0 < 1.0, "the agent's phone must stop ringing when the caller leaves"
        assert ring in center.double.cancelled_rings
        await center.settle()
        [cdr] = await center.cdrs()
        assert cdr["disposition"] == "abandoned"
        assert not await center.events("OfferMissed"), "a cancelled ring is not the agent's miss"


async def test_a_ring_withdrawn_before_its_channel_is_known_is_still_cancelled(tmp_path, double, speech_service,
                                                                               monkeypatch):
    # the caller leaves before the engine has read the ring channel's Newchannel (Asterisk creates it
    # after answering the Originate; on a loaded machine the event comes late): the ring is hung up as
    # soon as the engine knows the channel, not left ringing until the RONA timeout (20 s here)
    async with running_center(tmp_path, double, speech_service, agents=4,
                              overrides={"acd.rona_timeout": 20.0}) as center:
        phones = center.engine.ports.phones
        known = phones.channel_of
        late = {"now": True}
        monkeypatch.setattr(phones, "channel_of", lambda uniqueid: None if late["now"] else known(uniqueid))
        center.double.phone("3000").answer_after = None
        await center.login_agents(["a00"])
        s = center.call(Caller(script=[Press("1"), Press("123456#")]))
        await center.double.wait_for(lambda: _agent_leg(center.double, "3000"), 10)
        ring = _agent_leg(center.double, "3000").name
        s.caller_hangs_up()
        await center.double.wait_for(lambda: not center.engine.calls, 10)   # abandoned, the ring withdrawn
        assert center.double.channel(ring) is not None                       # ... while its name is unknown
        late["now"] = False                                                  # the Newchannel is read
        await center.double.wait_for(lambda: center.double.channel(ring) is None, 10)
        assert ring in center.double.cancelled_rings
        [cdr] = await center.cdrs()
        assert cdr["disposition"] == "abandoned"
        assert not await center.events("OfferMissed")


# -- 4. one-way audio ----------------------------------------------------------------------------------
async def test_the_agent_leg_gets_no_media_of_its_own_before_the_bridge(center):
    await center.login_agents(["a00"])
    s = center.call(Caller(script=[Press("1"), Press("123456#")]))
    agent_chan = await _bridged(center, s)
    await center.wait_calls([s], 10)
    # a beep (or music) on the agent leg, then the caller's RTP: the phone sees a new SSRC mid-call
    assert agent_chan not in center.double.model.ssrc_changes


# -- 5. feature codes ----------------------------------------------------------------------------------
@pytest.mark.parametrize("code,path", [("*41", "agent/login"), ("*42", "agent/logout"), ("*43", "agent/pause"),
                                       ("*431", "agent/pause/1"),
                                       ("*4312", "agent/pause/12"),
                                       ("*44", "agent/ready"), ("*45", "agent/wrapup")])
def test_every_feature_code_reaches_the_engine(code, path):
    dp = Dialplan.load()
    steps = dp.steps("cc-agents", code)
    assert steps, f"{code} matches no extension in [cc-agents] (the phone gets 484)"
    agi = [st for st in steps if st.app == "AGI"]
    assert agi and dp.expand(agi[0].data, {}, code).endswith("/" + path)


async def test_a_refused_feature_code_plays_a_sound_asterisk_has(center):
    center.double.debian_sounds = True
    c = await center.double.call(Caller(path="agent/ready", caller_id="3000"), center.agi_port)
    assert c.variables.get("CC_RESULT", "").startswith("error"), c.variables      # a00 is not logged in
    assert any(cmd.startswith("STREAM FILE") for cmd in c.commands)
    assert not c.missing_sounds, f"sounds Asterisk does not have: {c.missing_sounds}"


# -- 6. counting -----------------------------------------------------------------------------------------
async def test_supervisor_hangup_of_a_waiting_call_counts_the_same_everywhere(center):
    s = center.call(Caller(script=[Press("3")]))               # sales; nobody logged in
    await center.double.wait_for(lambda: any(c.state == "waiting" for c in center.engine.calls.values()), 10)
    call_id = next(iter(center.engine.calls))
    st, body = await center.api("POST", f"/api/calls/{call_id}/hangup")
    assert st == 200, body
    await center.wait_calls([s], 5)
    await center.settle()
    [cdr] = await center.cdrs()
    st, q = await center.api("GET", "/api/queues/sales")
    assert q["abandoned"] == 1 and cdr["disposition"] == "abandoned"
    assert cdr["data"]["ended_by"] == "supervisor"


async def test_a_moved_call_keeps_its_wait(center):
    s = center.call(Caller(script=[Press("3")]))
    await center.double.wait_for(lambda: any(c.state == "waiting" for c in center.engine.calls.values()), 10)
    call_id = next(iter(center.engine.calls))
    await asyncio.sleep(1.5)
    st, body = await center.api("POST", f"/api/calls/{call_id}/move", json={"queue": "support"})
    assert st == 200, body
    st, q = await center.api("GET", "/api/queues/support")
    assert q["callers"][0]["wait"] >= 1.4, q["callers"]
    st, c = await center.api("GET", f"/api/calls/{call_id}")
    assert c["wait"] >= 1.4
    s.caller_hangs_up()
    await center.settle()


async def test_calls_ended_by_an_asterisk_restart_say_so(center):
    center.double.phone("3000").talk_seconds = None
    await center.login_agents(["a00"])
    talking = center.call(Caller(script=[Press("1"), Press("123456#")]))
    await _bridged(center, talking)
    waiting = center.call(Caller(script=[Press("3")]))         # sales: nobody there
    await center.double.wait_for(lambda: sum(c.state == "waiting" for c in center.engine.calls.values()) == 1, 10)
    center.double.restart_asterisk()
    await center.settle(15)
    cdrs = {c["queue"]: c for c in await center.cdrs()}
    assert cdrs["billing"]["disposition"] == "answered"
    assert cdrs["billing"]["data"]["ended_by"] == "asterisk-restart"
    assert cdrs["sales"]["data"]["ended_by"] == "asterisk-restart"
    assert cdrs["sales"]["disposition"] == "failed"
    st, q = await center.api("GET", "/api/queues/sales")
    assert q["abandoned"] == 0


async def test_agent_call_counters_survive_an_engine_restart(center):
    await center.login_agents(["a00"])
    s = center.call(Caller(script=[Press("1"), Press("123456#")]))
    await center.wait_calls([s], 15)
    await center.settle()
    assert center.engine.agents["a00"].calls_taken == 1
    await center.restart()
    assert center.engine.agents["a00"].calls_taken == 1
    st, a = await center.api("GET", "/api/agents/a00")
    assert a["calls_taken"] == 1


async def test_engine_cpu_counter_is_process_cpu_time(center):
    """One definition: the engine's CPU is its process's CPU time (all threads: speech recognition
    runs in threads), the figure /metrics and the status show, so it can neither over- nor under-count."""
    await center.login_agents()
    r0 = center.engine.status()["cpu_seconds"]
    cpu0 = time.process_time()
    sessions = [center.call(Caller(script=[Press("1"), Press("123456#")], caller_id=f"55501{i:02d}"))
                for i in range(12)]
    await center.wait_calls(sessions, 60)
    await center.settle(20)
    used = time.process_time() - cpu0
    grown = center.engine.status()["cpu_seconds"] - r0
    assert abs(grown - used) <= 0.05 * used + 0.1, (grown, used)


# -- 7. deployment -------------------------------------------------------------------------------------
async def test_without_telephony_a_ready_agent_is_not_rung_in_a_loop(tmp_path, double, speech_service):
    async with running_center(tmp_path, double, speech_service, agents=2, overrides={"ami.servers": []}) as c:
        await c.login_agents(["a00"])
        assert c.engine.status().get("telephony") == "none"
        s = c.call(Caller(script=[Press("1"), Press("123456#")], hangup_after=3.0))   # FastAGI still works
        await c.wait_calls([s], 10)
        await c.app.writer.flush()
        assert not await c.events("OfferMissed"), "no telephony: no ring was tried, none was missed"
        assert c.engine.agents["a00"].missed == 0


# -- replayed from the live suite's capture ------------------------------------------------------------
async def test_the_double_reports_agent_device_states_as_the_live_capture(center):
    """tests/fixtures/asterisk/live-cc-bridge-caller-hangup.txt (real Asterisk, the project's config):
    an agent phone with device_state_busy_at = 1 goes NOT_INUSE -> BUSY -> NOT_INUSE for a queue call."""
    from pathlib import Path
    text = (Path(__file__).resolve().parents[1] / "fixtures" / "asterisk" / "live-cc-bridge-caller-hangup.txt").read_text()
    captured = text.split("agent phone device states seen: ", 1)[1].splitlines()[0].split(" -> ")
    await center.login_agents(["a00"])
    s = center.call(Caller(script=[Press("1"), Press("123456#")]))
    await _bridged(center, s)
    s.caller_hangs_up()
    await center.settle()
    await center.double.wait_for(lambda: center.double.model.device_states.get("PJSIP/3000") == "NOT_INUSE", 5)
    seen = ["NOT_INUSE"] + [e["State"] for e in center.double.events("DeviceStateChange") if e["Device"] == "PJSIP/3000"]
    dedup = [x for i, x in enumerate(seen) if i == 0 or x != seen[i - 1]]
    assert dedup == captured, (dedup, captured)
