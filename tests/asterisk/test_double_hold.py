"""Hold as the real Asterisk 22.10.1 did it (``live-cc-hold.txt`` / ``live-cc-hold-agi.txt``), replayed
by the double: the agent leg Redirected out of the caller's ``EXEC Bridge`` -> the same bridge events
in the same order, the EXEC answers ``200 result=0`` with the caller still up, and ``EXEC Bridge``
again pulls the parked leg (in ``cc-agent-hold``) back into a new bridge."""
from __future__ import annotations

import asyncio

from tests.asterisk_double import AgentPhone, Caller
from tests.conftest import FIXTURES_DIR
from tests.live.capture import transcript_windows

from .helpers import until

BRIDGE_EVENTS = ("BridgeCreate", "BridgeEnter", "BridgeLeave", "BridgeDestroy")


def captured_windows() -> list[list[tuple[str, str]]]:
    """The bridge events of the capture between its notes, as (event, role) with role caller/agent."""
    windows = transcript_windows(FIXTURES_DIR / "asterisk" / "live-cc-hold.txt", lambda line: "engine:" in line)
    return [[(m["Event"], "" if not m.get("Channel") else "agent" if m["Channel"].startswith("PJSIP/7001")
              else "caller") for m in w if m.get("Event") in BRIDGE_EVENTS] for w in windows]


def agi_replies() -> list[str]:
    lines = (FIXTURES_DIR / "asterisk" / "live-cc-hold-agi.txt").read_text().splitlines()
    return [ln.split(" ", 2)[2].removesuffix("\\n") for ln in lines if " agi:A>S " in ln]


async def test_hold_by_redirecting_the_agent_leg_as_captured(service, double):
    before, held, resumed = captured_windows()[:3]
    assert held[:3] == [("BridgeLeave", "agent"), ("BridgeLeave", "caller"), ("BridgeDestroy", "")]
    assert resumed[:3] == [("BridgeCreate", ""), ("BridgeEnter", "agent"), ("BridgeEnter", "caller")]
    # the real EXEC Bridge returned 200 result=0 and CHANNEL STATUS said 6 (up) after the Redirect
    assert agi_replies()[2:4] == ["200 result=0", "200 result=6"]

    double.add_phone(AgentPhone("7001", answer_after=0))
    ctl = service.control
    state: dict = {"resume": asyncio.Event(), "results": []}

    async def ivr(ch):
        await ch.answer()
        r = await ctl.ring_agent("PJSIP/7001", call_id=ch.call_id, caller_channel=ch.info.channel)
        state["agent"], state["caller"] = r.channel, ch.info.channel
        state["results"].append(await ch.bridge(r.channel))
        await ch.start_music()
        await state["resume"].wait()
        state["results"].append(await ch.bridge(r.channel))
    service.route("ivr", ivr, channel=True)
    session = double.start_call(Caller(), service.agi.bound_port)
    await until(lambda: double.bridged_pairs() and len(double.bridged_pairs()[0]) == 2)
    caller, agent = state["caller"], state["agent"]

    def roles(since):
        return [(n, "" if "Channel" not in f else "agent" if f["Channel"] == agent else "caller")
                for n, f in double.model.history[since:] if n in BRIDGE_EVENTS]
    mark = len(double.model.history)
    await ctl.hold_agent_leg(agent)
    await until(lambda: state["results"] == [0] and session.c.music)
    assert roles(mark) == held[:3]
    assert double.channel(agent).context == "cc-agent-hold" and double.channel(caller) is not None
    mark = len(double.model.history)
    state["resume"].set()
    await until(lambda: double.bridged_pairs() == [{caller, agent}])
    assert roles(mark) == resumed[:3]
    session.caller_hangs_up()
    await session.done
    await until(lambda: double.channel(agent) is None)          # the bridge took the agent leg down too
