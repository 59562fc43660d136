"""The agent phone's own hold key, through the whole server against the Asterisk double, which replays what
a real Asterisk 22.10.1 sent when baresip held and resumed (``tests/fixtures/asterisk/live-phone-hold.txt``):
``Hold`` on the agent leg, music on hold to the caller from Asterisk itself (the bridge stays), ``Unhold``.
The engine counts it like the desk's hold (holds, held_s, CallHeld / CallResumed, hold_time) and shows it."""
from __future__ import annotations

from tests.asterisk_double import AgentPhone, Caller, Press
from tests.conftest import FIXTURES_DIR
from tests.live.capture import transcript_windows
from tests.e2e.conftest import center  # noqa: F401 - fixture (the double and speech_service: tests/conftest.py)

HOLD_EVENTS = ("Hold", "Unhold", "MusicOnHoldStart", "MusicOnHoldStop", "DeviceStateChange", "BridgeLeave",
               "BridgeEnter")


def captured(agent: str = "PJSIP/7001") -> list[list[tuple[str, str]]]:
    """The capture's hold-related events between its notes, as (event [state], role) with role agent/caller."""
    windows = transcript_windows(FIXTURES_DIR / "asterisk" / "live-phone-hold.txt", lambda line: "phone" in line)
    return [[(m["Event"] + (f" {m['State']}" if "State" in m else ""),
              "agent" if (m.get("Channel") or m.get("Device") or "").startswith(agent) else "caller")
             for m in w if m.get("Event") in HOLD_EVENTS] for w in windows]


async def test_the_double_holds_as_the_real_asterisk_did(double):
    _, held, resumed, caller_held, caller_resumed = captured()[:5]
    # what the real Asterisk sent when the agent's baresip pressed hold, then resume (the device state
    # comes asynchronously: before the music event in another run)
    assert held == [("Hold", "agent"), ("MusicOnHoldStart", "caller"), ("DeviceStateChange ONHOLD", "caller")]
    assert resumed == [("Unhold", "agent"), ("MusicOnHoldStop", "caller"), ("DeviceStateChange INUSE", "caller")]
    # the caller's phone holds: music to the agent, whose device stays BUSY (device_state_busy_at)
    assert caller_held == [("Hold", "caller"), ("MusicOnHoldStart", "agent")]
    assert caller_resumed == [("Unhold", "caller"), ("MusicOnHoldStop", "agent")]
    double.add_phone(AgentPhone("7001"))
    a = double.model.new_channel(double.model.channel_name("PJSIP/7001"), state=6)
    c = double.model.new_channel(double.model.channel_name("PJSIP/1000"), state=6)
    double.model.device_states["PJSIP/1000"] = "INUSE"
    double.model.bridge(c, a)

    def roles(since: int) -> list[tuple[str, str]]:
        out = []
        for name, f in double.model.history[since:]:
            if name in HOLD_EVENTS:
                who = f.get("Channel") or f.get("Device") or ""
                out.append((name + (f" {f['State']}" if "State" in f else ""),
                            "agent" if who.startswith("PJSIP/7001") else "caller"))
        return out
    mark = len(double.model.history)
    double.phone_hold(a.name, True)
    assert roles(mark) == held and double.bridged_pairs() == [{a.name, c.name}]     # the bridge stays
    mark = len(double.model.history)
    double.phone_hold(a.name, False)
    assert roles(mark) == resumed
    mark = len(double.model.history)
    double.phone_hold(c.name, True)
    double.phone_hold(c.name, False)
    assert roles(mark) == caller_held + caller_resumed


async def test_the_agent_phones_hold_key_is_counted_and_shown(center):
    center.double.phone("3001").talk_seconds = None
    await center.login_agents(["a01"])
    s = center.call(Caller(script=[Press("2")], caller_id="5550101"))
    await center.double.wait_for(lambda: center.engine.agents["a01"].state == "on_call", 15)
    call = center.engine.calls[center.engine.agents["a01"].call_id]
    await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, call.agent_channel}], 5)
    path = f"/api/calls/{call.call_id}"
    center.double.phone_hold(call.agent_channel, True)              # the agent presses the phone's hold key
    await center.wait_for(lambda: call.on_hold_since is not None, 5, 0.02)
    st, view = await center.api("GET", path)
    assert view["on_hold"] and view["hold_by"] == "phone" and view["holds"] == 1, view
    st, calls = await center.api("GET", "/api/calls")
    assert [c["hold_by"] for c in calls["calls"]] == ["phone"]
    # only the phone can take it off hold; the desk's hold while on hold is refused as usual
    st, body = await center.api("POST", path + "/unhold", token="tok-a01")
    assert st == 409 and "on the agent's phone" in body["error"], body
    assert (await center.api("POST", path + "/hold", token="tok-a01"))[0] == 409
    await center.wait_for(lambda: center.engine.now() - call.on_hold_since >= 0.3, 5, 0.02)
    center.double.phone_hold(call.agent_channel, False)             # resume on the phone
    await center.wait_for(lambda: call.on_hold_since is None, 5, 0.02)
    assert center.double.bridged_pairs() == [{call.channel, call.agent_channel}]   # never left the bridge
    # a second hold by the desk after the phone's: both counted
    assert (await center.api("POST", path + "/hold", token="tok-a01"))[0] == 200
    await center.double.wait_for(lambda: not center.double.bridged_pairs(), 5)
    assert (await center.api("POST", path + "/unhold", token="tok-a01"))[0] == 200
    await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, call.agent_channel}], 5)
    # the caller's own hold key is not the agent's hold
    center.double.phone_hold(call.channel, True)
    center.double.phone_hold(call.channel, False)
    s.caller_hangs_up()
    await center.wait_calls([s], 10)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["data"]["holds"] == 2 and cdr["data"]["held_s"] >= 0.3, cdr["data"]
    held = await center.events("CallHeld")
    resumed = await center.events("CallResumed")
    assert [e["data"]["by"] for e in held] == ["phone", "a01"] and resumed[0]["data"]["by"] == "phone"
    assert resumed[0]["data"]["held_s"] >= 0.3
    [done] = await center.events("CallCompleted")
    assert done["data"]["held"] == 2 and abs(done["data"]["heldtime"] - cdr["data"]["held_s"]) < 0.01
    st, rep = await center.api("GET", "/api/reports?from=-1h&bucket=day")
    [line] = rep["lines"]
    assert line["hold_time"] >= 0.3
