"""Shared helpers for the IVR tests."""
from __future__ import annotations

import textwrap
from datetime import datetime, timezone

from callcenter.clock import FakeClock
from callcenter.ivr import load_flow_text, run_flow
from callcenter.ivr.channel import CallInfo
from callcenter.ivr.testing import ScriptedChannel

#: Monday 2026-11-23 10:00 in New York (15:00 UTC).
MONDAY_10_NY = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc).timestamp()


def flow_of(text: str, name: str = "t"):
    flow, errs = load_flow_text(textwrap.dedent(text), f"<{name}>", name=name)
    assert flow is not None, "\n".join(map(str, errs))
    return flow


async def call(flow, script, *, speech=True, now=MONDAY_10_NY, caller="+15550001111", did="1000", flows=None,
               **kw):
    ch = ScriptedChannel(script, speech=speech, info=CallInfo("c1", caller=caller, did=did))
    out = await run_flow(flow, ch, clock=FakeClock(now), call_data=ch.info, flows=flows, **kw)
    return out, ch
