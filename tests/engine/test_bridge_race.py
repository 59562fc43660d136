"""The agent leg gone before the caller's ``EXEC Bridge`` (a race seen in the 1,000-call run through a real
Asterisk: the engine bridged to an agent leg that had hung up 0.3 s earlier). Asterisk's Bridge application
then finds no channel, sets ``BRIDGERESULT=NONEXISTENT`` and returns 0 (``main/features.c`` ``bridge_exec``
of 22.10.1), so ``EXEC Bridge`` answers ``200 result=0`` at once: what it answers when the agent hangs up
in a bridge that ran (``bridge-agi-exec-bridge-agent-hangup.txt``, ``BRIDGERESULT=SUCCESS``). The engine
took both for the agent's hang-up: the caller, who never talked to anyone, was hung up and recorded as
answered. It now reads ``BRIDGERESULT``: the caller waits in its queue again and the next answer serves it."""
from __future__ import annotations

from tests.asterisk_double import Caller, Press
from tests.e2e.conftest import center  # noqa: F401 - fixture (the double and speech_service: tests/conftest.py)


async def test_agent_leg_gone_before_the_bridge_puts_the_caller_back_in_its_queue(center):
    await center.login_agents(["a01"])
    center.double.phone("3001").talk_seconds = None         # a01 talks until the caller hangs up
    control = center.engine.ports.control
    ring_agent = control.ring_agent
    gone: list[str] = []

    async def first_answer_then_gone(*args, **kw):
        """The phone's first answer: its leg hangs up before the engine's EXEC Bridge (the AMI Hangup
        reaches the engine first). Later answers are left alone."""
        res = await ring_agent(*args, **kw)
        if res.outcome == "answered" and res.channel and not gone:
            center.double.model.hangup(center.double.channel(res.channel))
            await center.double.wait_for(lambda: center.double.channel(res.channel) is None, 5)
            await center.double.wait_for(lambda: any(e.get("Channel") == res.channel
                                                     for e in center.double.events("Hangup")), 5)
            gone.append(res.channel)
        return res

    control.ring_agent = first_answer_then_gone
    s = center.call(Caller(script=[Press("2")], caller_id="5550101"))
    # the caller's EXEC Bridge found no agent leg (200 result=0 at once, BRIDGERESULT=NONEXISTENT) ...
    await center.double.wait_for(lambda: gone and any(c.startswith("EXEC Bridge " + gone[0]) for c in s.c.commands), 20)
    # ... it waits again, and a01's next answer is bridged to it
    await center.double.wait_for(lambda: len(center.double.bridged_pairs()) == 1, 30)
    call = next(iter(center.engine.calls.values()))
    assert center.double.bridged_pairs() == [{call.channel, call.agent_channel}] and call.agent_channel != gone[0]
    assert "HANGUP" not in s.c.verbs()
    s.caller_hangs_up()
    await center.wait_calls([s], 10)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["disposition"] == "answered" and cdr["agent"] == "a01" and cdr["data"]["ended_by"] == "caller"
    [first] = cdr["data"]["segments"]
    assert first["agent"] == "a01" and first["ended_by"] == "agent-leg-gone"
    completed = await center.events("CallCompleted")
    assert [e["data"]["ended_by"] for e in completed] == ["agent-leg-gone", "caller"]
    assert len(await center.events("CallQueued")) == 2
    assert not center.engine.calls and not center.double.model.channels
