"""Call control through AMI against the double: ring outcomes, bridge, hold, transfer, recording, spy,
callbacks; and agent phone presence."""
from __future__ import annotations

import asyncio

import pytest

from tests.asterisk_double import AgentPhone, Caller, Customer
from callcenter.asterisk.ami_codec import parse_message
from callcenter.asterisk.control import ControlError
from callcenter.asterisk.state import Presence

from .helpers import until


@pytest.mark.parametrize("phone,outcome,reason", [
    (AgentPhone("2001", answer_after=0.5), "answered", "4"),
    (AgentPhone("2001", answer_after=None), "no_answer", "3"),
    (AgentPhone("2001", busy=True), "busy", "5"),
])
async def test_ring_agent_outcomes(service, double, phone, outcome, reason):
    double.add_phone(phone)
    r = await service.control.ring_agent("PJSIP/2001", call_id="c9", caller_id='"Ann" <5550100>', timeout=2)
    assert (r.outcome, r.reason) == (outcome, reason)
    orig = double.actions_named("Originate")[-1]
    assert orig["Channel"] == "PJSIP/2001" and orig["Context"] == "cc-agent-wait" and orig["Exten"] == "s"
    assert orig["Timeout"] == "2000" and orig["Async"] == "true" and orig["CallerID"] == '"Ann" <5550100>'
    assert "CC_CALL_ID=c9" in orig.getall("Variable")
    if outcome == "answered":
        assert r.channel.startswith("PJSIP/2001-") and double.channel(r.channel).context == "cc-agent-wait"


async def test_unregistered_phone_is_not_rung(service, double):
    double.add_phone(AgentPhone("2001"))
    await until(lambda: service.presence.is_available("PJSIP/2001"))
    double.unregister("2001")
    await until(lambda: not service.presence.is_available("PJSIP/2001"))
    assert not service.presence.is_registered("2001")
    r = await service.control.ring_agent("PJSIP/2001", call_id="c1")
    assert r.outcome == "unavailable" and not double.actions_named("Originate")
    # without presence knowledge, Asterisk's own failure (Reason 0) means unavailable too
    r = await service.control.ring_agent("PJSIP/2001", call_id="c1", check_presence=False)
    assert (r.outcome, r.reason) == ("unavailable", "0")


async def test_presence_follows_registration_and_calls(service, double):
    rec = service.recorder
    double.add_phone(AgentPhone("2001", answer_after=0, hangup_if_not_bridged=0.5,
                                device_state_busy_at=0))   # a phone without busy_at: INUSE
    await until(lambda: service.presence.is_available("PJSIP/2001"))
    r = await service.control.ring_agent("2001", call_id="c1")
    assert r.answered
    await until(lambda: service.presence.state("PJSIP/2001")["state"] == "INUSE")
    assert not service.presence.is_available("PJSIP/2001") and service.presence.is_registered("PJSIP/2001")
    await until(lambda: service.presence.is_available("PJSIP/2001"), 5)      # leg hung up (nobody bridged)
    double.set_unreachable("2001")
    await until(lambda: not service.presence.is_registered("PJSIP/2001"))
    changes = [e for e in rec.of("AgentPhoneStateChanged") if e.agent_id == "PJSIP/2001"]
    assert [c.data["state"] for c in changes][-1] == "UNAVAILABLE"


async def test_presence_resync_after_reconnect(service, double):
    double.add_phone(AgentPhone("2001"))
    await until(lambda: service.presence.is_available("PJSIP/2001"))
    double.drop_ami()
    double.phone("2001").registered = False          # unregistered while we were away: no event seen
    await until(lambda: not service.clients[0].connected, 3)
    await until(lambda: service.clients[0].connected, 5)
    await until(lambda: not service.presence.is_available("PJSIP/2001"), 3)
    assert service.presence.state("PJSIP/2001")["state"] == "UNAVAILABLE"


def test_presence_core_from_documented_events():
    p = Presence()
    ev = lambda text: p.feed(parse_message(text.replace("\n", "\r\n")))   # noqa: E731
    assert not p.is_available("PJSIP/2001")
    ch = ev("Event: ContactStatus\nPrivilege: system,all\nURI: sip:2001@10.0.0.5:5060\nContactStatus: Created\n"
            "AOR: 2001\nEndpointName: 2001\nRoundtripUsec: 0")
    assert ch and p.is_available("pjsip/2001")
    ev("Event: DeviceStateChange\nPrivilege: call,all\nDevice: PJSIP/2001\nState: RINGING")
    assert p.is_registered("PJSIP/2001") and not p.is_available("PJSIP/2001")
    ev("Event: DeviceStateChange\nPrivilege: call,all\nDevice: PJSIP/2001\nState: NOT_INUSE")
    ev("Event: ContactStatus\nURI: sip:2001@10.0.0.5:5060\nContactStatus: Unreachable\nAOR: 2001\n"
       "EndpointName: 2001\nRoundtripUsec: 0")
    assert not p.is_registered("PJSIP/2001")
    ev("Event: ContactStatus\nURI: sip:2001@10.0.0.5:5060\nContactStatus: Reachable\nAOR: 2001\n"
       "EndpointName: 2001\nRoundtripUsec: 1200")
    assert p.is_available("PJSIP/2001")
    # queue/Local device states are not phones
    assert ev("Event: DeviceStateChange\nDevice: Queue:support_avail\nState: INUSE") == []
    assert ev("Event: DeviceStateChange\nDevice: Local/agent1@agents\nState: INUSE") == []
    # resync from lists
    changes = p.resync([], [parse_message("Event: EndpointList\r\nObjectName: 2001\r\nDeviceState: Unavailable"),
                            parse_message("Event: EndpointList\r\nObjectName: 2002\r\nDeviceState: Not in use")])
    assert not p.is_available("PJSIP/2001") and p.is_available("PJSIP/2002")
    assert {c[1]["interface"] for c in changes} == {"PJSIP/2001", "PJSIP/2002"}


async def test_hold_unhold_transfer_hangup(service, double):
    double.add_phone(AgentPhone("2001", answer_after=0))
    ctl = service.control
    state = {"resume": asyncio.Event()}

    async def ivr(ch):
        await ch.answer()
        r = await ctl.ring_agent("PJSIP/2001", call_id=ch.call_id, caller_channel=ch.info.channel)
        state["agent"] = r.channel
        state["caller"] = ch.info.channel
        state["first"] = await ch.bridge(r.channel)       # returns when the agent leg is held
        await ch.start_music()
        await state["resume"].wait()
        await ch.bridge(r.channel, hangup_after=True)     # as the engine resumes: EXEC Bridge <leg>,x
    service.route("ivr", ivr, channel=True)
    session = double.start_call(Caller(), service.agi.bound_port)
    await until(lambda: double.bridged_pairs() and len(double.bridged_pairs()[0]) == 2)
    caller, agent = state["caller"], state["agent"]
    await ctl.hold_agent_leg(agent)
    # only the agent leg moves (live-cc-hold.txt): the caller's EXEC Bridge returns, its AGI goes on
    assert (agent, "cc-agent-hold", "s") in double.redirects and not any(r[0] == caller for r in double.redirects)
    await until(lambda: state.get("first") == 0)
    assert not double.bridged_pairs() and double.channel(agent) is not None
    state["resume"].set()                                 # resume = EXEC Bridge again from the AGI
    await until(lambda: double.bridged_pairs() == [{caller, agent}])
    mid = await ctl.start_recording(caller, "/var/spool/asterisk/monitor/c1.wav")
    assert mid and list(double.mixmonitors.values()) == [caller]       # 22.10.1 gives no MixMonitorID
    assert [e["Channel"] for e in double.events("MixMonitorStart")] == [caller]
    mm = double.actions_named("MixMonitor")[-1]
    assert mm["File"] == "/var/spool/asterisk/monitor/c1.wav"
    await ctl.stop_recording(caller, mid)
    assert not double.mixmonitors and [e["Channel"] for e in double.events("MixMonitorStop")] == [caller]
    await ctl.transfer(caller, "2005")
    assert (caller, "cc-transfer", "2005") in double.redirects
    # the caller left the resumed bridge: Bridge's x hangs the agent leg up (live-cc-resume-x.txt); without
    # it the leg would resume cc-agent-hold's loop, whose caller still exists (in cc-transfer)
    await until(lambda: double.channel(agent) is None)
    await ctl.hangup(caller)
    await session.done
    with pytest.raises(ControlError, match="No such channel"):
        await ctl.hangup("PJSIP/nope-00000001")


async def test_supervisor_spy_modes(service, double):
    double.add_phone(AgentPhone("2001", answer_after=0, hangup_if_not_bridged=100))
    double.add_phone(AgentPhone("9000", answer_after=0))
    agent = await service.control.ring_agent("PJSIP/2001", call_id="c1")
    for mode, opts in (("listen", "qE"), ("whisper", "qwE"), ("barge", "qBE")):
        r = await service.control.spy("PJSIP/9000", agent.channel, mode)
        assert r.answered
        o = double.actions_named("Originate")[-1]
        assert (o["Application"], o["Data"]) == ("ChanSpy", f"{agent.channel},{opts}")
    with pytest.raises(ControlError, match="listen, whisper or barge"):
        await service.control.spy("PJSIP/9000", agent.channel, "shout")
    # the spy legs end with the spied channel
    await service.control.hangup(agent.channel)
    await until(lambda: not [c for c in double.model.channels.values() if c.name.startswith("PJSIP/9000")])


async def test_callback_rings_agent_then_customer_and_bridges(service, double):
    double.add_phone(AgentPhone("2001", answer_after=0, hangup_if_not_bridged=100))
    double.add_customer(Customer("5550199", answer_after=0.5))
    r = await service.control.callback("PJSIP/2001", "555-0199", call_id="cb1", caller_id='"Support" <8000>')
    assert r.answered
    o = double.actions_named("Originate")
    assert o[0]["Channel"] == "PJSIP/2001" and o[1]["Channel"] == "Local/5550199@cc-outbound"
    assert o[1]["Context"] == "cc-callback-connect"
    assert any(v.startswith("CC_AGENT_CHANNEL=PJSIP/2001-") for v in o[1].getall("Variable"))
    assert len(double.bridged_pairs()) == 1
    # customer does not answer: the agent leg is hung up
    double.add_customer(Customer("5550111", answer_after=None))
    r = await service.control.callback("PJSIP/2001", "5550111", call_id="cb2", customer_timeout=1)
    assert r.outcome == "no_answer"
    await until(lambda: len([c for c in double.model.channels.values() if c.name.startswith("PJSIP/2001")]) == 1)


async def test_control_without_connection_is_a_clear_error(tmp_path):
    from callcenter.asterisk.service import AsteriskService
    from callcenter.events import EventBus

    from .helpers import make_config
    svc = AsteriskService(make_config(tmp_path, None), EventBus(), None)
    with pytest.raises(ControlError, match="ami.servers is empty"):
        await svc.control.hangup("PJSIP/x-1")
