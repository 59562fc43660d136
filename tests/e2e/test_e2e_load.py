"""The show: 200 simultaneous callers through a speech + DTMF flow to 20 agents with mixed skills.
No call lost, every CDR written, and `queue show` agrees with the stored records."""
from __future__ import annotations

import asyncio
import io
import random
import re
from argparse import Namespace
from contextlib import redirect_stdout

import pytest

from tests.asterisk_double import Caller, Press, Say, Silence
from callcenter.commands.queue import cmd_queue_show

N_CALLERS = 200


def script_for(i: int, wavs) -> tuple[list, str]:
    """(script, expected queue): a quarter speak, the rest press keys; some fail the menu."""
    kind = i % 8
    if kind == 0:
        return [Say(wavs["billing"]), Press("4321#")], "billing"
    if kind == 1:
        return [Say(wavs["sales"])], "sales"
    if kind in (2, 3):
        return [Press("1"), Press(f"{100000 + i}#")], "billing"
    if kind in (4, 5):
        return [Press("2")], "technical"
    if kind == 6:
        return [Press("3")], "sales"
    return [Silence(), Silence()], "support"


@pytest.mark.slow
async def test_200_callers_20_agents(center, speech_wavs):
    rnd = random.Random(7)
    for ext, phone in center.double.phones.items():
        phone.answer_after = rnd.uniform(0.05, 0.4)
        phone.talk_seconds = rnd.uniform(0.3, 1.2)
    await center.login_agents()
    expected = {}
    sessions = []
    for i in range(N_CALLERS):
        script, queue = script_for(i, speech_wavs)
        c = Caller(script=script, caller_id=f"555{i:04d}", caller_name=f"Caller {i}", max_duration=180)
        s = center.call(c)
        sessions.append(s)
        expected[i] = queue
    await center.wait_calls(sessions, 150)
    await center.settle(20)

    # no call lost: every caller was bridged to an agent, every CDR written and closed
    assert all(s.c.bridged_to for s in sessions), [s.c.caller_id for s in sessions if not s.c.bridged_to][:5]
    cdrs = await center.cdrs()
    assert len(cdrs) == N_CALLERS
    by_caller = {c["caller"]: c for c in cdrs}
    wrong = [i for i in range(N_CALLERS) if by_caller[f"555{i:04d}"]["queue"] != expected[i]]
    assert not wrong, wrong
    for i in range(N_CALLERS):
        cdr = by_caller[f"555{i:04d}"]
        assert cdr["disposition"] == "answered" and cdr["ended_at"] and cdr["agent"], cdr
        assert cdr["queue"] == expected[i], (i, cdr["queue"], expected[i], str([(t["kind"], t["data"]) for t in cdr["ivr_trace"]][:3]))
    assert len(await center.events("CallEnded")) == N_CALLERS
    # skills respected: billing calls only to billing agents, etc.
    skills = {a: center.engine.agents[a].skills for a in center.engine.agents}
    for cdr in cdrs:
        need = {"billing": "billing", "technical": "tech", "sales": "sales"}.get(cdr["queue"])
        if need:
            assert need in skills[cdr["agent"]], cdr

    # the numbers in `queue show` agree with the stored records
    out = io.StringIO()
    args = Namespace(queue=None, json=False, url=center.url, token="tok-sup", config=None)
    with redirect_stdout(out):      # the CLI is synchronous: run it beside the server's event loop
        assert await asyncio.to_thread(cmd_queue_show, args) == 0
    text = out.getvalue()
    for q in ("support", "billing", "technical", "sales"):
        m = re.search(rf"^{q} has (\d+) calls .* C:(\d+), A:(\d+), SL:", text, re.M)
        assert m, text
        stored = sum(1 for c in cdrs if c["queue"] == q and c["disposition"] == "answered")
        abandoned = sum(1 for c in cdrs if c["queue"] == q and c["disposition"] == "abandoned")
        assert (int(m.group(1)), int(m.group(2)), int(m.group(3))) == (0, stored, abandoned), (q, text)
    taken = {}
    for line in text.splitlines():
        m = re.match(r"\s+Agent (\d+) .* has taken (\d+) calls", line)
        if m:
            taken.setdefault(f"a{m.group(1)}", set()).add(int(m.group(2)))
    for agent, counts in taken.items():
        assert counts == {sum(1 for c in cdrs if c["agent"] == agent)}, agent

    # the report over the same interval says the same
    st, rep = await center.api("GET", "/api/reports?from=-1h&bucket=day")
    assert st == 200
    for line in rep["lines"]:
        q = line["queue"]
        assert line["answered"] == sum(1 for c in cdrs if c["queue"] == q)
        assert line["offered"] == line["answered"]
    st, agents_rep = await center.api("GET", "/api/reports?from=-1h&bucket=day&by=agent")
    assert sum(line["answered"] for line in agents_rep["lines"]) == N_CALLERS

    # metrics agree too
    st, metrics = await center.api("GET", "/metrics", token=None)
    total = sum(float(v) for v in re.findall(r'^callcenter_calls_total\{outcome="answered",queue="[a-z]+"\} (\S+)$',
                                             metrics, re.M))
    assert total == N_CALLERS
