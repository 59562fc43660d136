"""The flow language's only change for streaming speech: menu and ask nodes may say ``barge_in: false``."""
from __future__ import annotations

import numpy as np

from callcenter.clock import FakeClock
from callcenter.ivr.channel import CallInfo
from callcenter.ivr.interpreter import Interpreter
from callcenter.ivr.loader import load_flow_text
from callcenter.ivr.messages import Recognize
from callcenter.ivr.runner import run_flow
from callcenter.media.channel import MediaChannel
from callcenter.media.testing import FakeLeg

from .test_stream_channel import ToneSynth

FLOW = """
flow: barge
language: en-US
start: menu
nodes:
  menu:
    type: menu
    prompt: "Say sales."
    barge_in: {barge}
    options:
      - {{digit: "1", key: sales, say: [sales], next: ask}}
      - {{digit: "2", key: billing, say: [billing], next: ask}}
    on_fail: done
  ask:
    type: ask
    prompt: "Yes or no?"
    var: ok
    choices: {{yes: [yes], no: [no]}}
    barge_in: false
    dtmf: {{"1": yes}}
    next: done
    on_fail: done
  keys_only:
    type: menu
    prompt: "Press 1."
    barge_in: false
    options:
      - {{digit: "1", next: done}}
    on_fail: done
  done: {{type: hangup}}
"""


def test_schema_and_checks():
    flow, problems = load_flow_text(FLOW.format(barge="false"))
    assert flow is not None, problems
    warnings = [p for p in problems if p.severity == "warning"]
    assert any("'barge_in' has no effect" in p.message and p.node == "keys_only" for p in warnings), warnings
    assert not any("barge_in" in p.message and p.node in ("menu", "ask") for p in problems)
    bad, problems = load_flow_text(FLOW.format(barge="sometimes"))
    assert bad is None and any("barge_in" in p.message for p in problems)


def test_the_node_key_reaches_the_channel_request():
    for barge, expect in (("false", False), ("true", True)):
        flow, _ = load_flow_text(FLOW.format(barge=barge))
        state, actions = Interpreter(flow).start(CallInfo("c"), 0.0, True)
        req = [a for a in actions if isinstance(a, Recognize)]
        assert req and req[0].barge_in is expect
    flow, _ = load_flow_text(FLOW.format(barge="false").replace("    barge_in: false\n    options", "    options"))
    _, actions = Interpreter(flow).start(CallInfo("c"), 0.0, True)
    assert [a for a in actions if isinstance(a, Recognize)][0].barge_in is None     # the channel's default


async def test_a_menu_that_opts_out_plays_its_prompt_to_the_end(tmp_path, answers, sphinx):
    x, _, _ = answers("billing", lead=0.3)
    speech = np.asarray(x, dtype="<i2").tobytes()
    for barge, stopped in (("false", False), ("true", True)):
        flow, _ = load_flow_text(FLOW.format(barge=barge))
        leg = FakeLeg(speech + speech, hangup_at=len(speech) / 8000 * 2 + 0.5)
        ch = MediaChannel(leg, CallInfo("c1"), synthesizer=ToneSynth(tmp_path, seconds=len(x) / 8000),
                          recognizer=sphinx)
        outcome = await run_flow(flow, ch, clock=FakeClock(), call_data=ch.info)
        assert bool(leg.stops) is stopped, (barge, leg.stops)
        assert any(e.kind == "recognition" and e.data.get("matched") == "billing" for e in outcome.trace), outcome.trace
        await ch.close()
