"""`queue show` text in the shape of Asterisk's (compared with the real capture when it is present)."""
from __future__ import annotations

import re

from callcenter.commands.queue_show import render_queue, render_queues

NOW = 1_795_292_600.0

QUEUE = {
    "name": "support", "strategy": "rrmemory", "calls_waiting": 1, "holdtime": 0, "talktime": 5,
    "completed": 3, "abandoned": 2, "service_level": 100.0, "service_level2": 100.0, "sl_target": 60,
    "members": [
        {"agent_id": "a1", "name": "Agent One", "interface": "Local/agent1@agents/n", "state": "paused",
         "pause_reason": "meeting", "state_since": NOW - 2, "calls_taken": 2, "last_call": NOW - 18,
         "login_time": NOW - 168},
        {"agent_id": "a2", "name": "Agent Two", "interface": "Local/agent2@agents/n", "state": "on_call",
         "state_since": NOW - 5, "calls_taken": 0, "login_time": NOW - 168},
    ],
    "callers": [{"position": 1, "channel": "Local/talk@test-local-0000000d;1", "wait": 2, "priority": 0}],
}

ASTERISK_LINES = [
    "support has 1 calls (max unlimited) in 'rrmemory' strategy (0s holdtime, 5s talktime), W:0, C:3, A:2, SL:100.0%, SL2:100.0% within 60s",
    "   Members: ",
    "      Agent One (Local/agent1@agents/n) (ringinuse disabled) (paused:meeting was 2 secs ago) (Not in use) has taken 2 calls (last was 18 secs ago) (login was 168 secs ago)",
    "   Callers: ",
    "      1. Local/talk@test-local-0000000d;1 (wait: 0:02, prio: 0)",
]


def test_same_lines_as_asterisk():
    lines = render_queue(QUEUE, NOW).splitlines()
    assert lines[0] == ASTERISK_LINES[0]
    assert lines[1] == ASTERISK_LINES[1]
    assert lines[2] == ASTERISK_LINES[2]
    assert lines[3] == ("      Agent Two (Local/agent2@agents/n) (ringinuse disabled) (in call) (In use) "
                        "has taken no calls yet (login was 168 secs ago)")
    assert lines[4:6] == ASTERISK_LINES[3:5]


def test_matches_the_capture(wire_dir):
    text = (wire_dir / "ami-queuestatus-and-summary.txt").read_text()
    captured = [m.group(1) for m in re.finditer(r"A>C Output: (.*?)\\r\\n", text)]
    start = next(i for i, line in enumerate(captured) if line.startswith("support has"))
    assert captured[start:start + 3] == ASTERISK_LINES[:3]
    assert captured[start + 4:start + 6] == ASTERISK_LINES[3:5]


def test_empty_queue():
    out = render_queue({"name": "sales", "strategy": "round-robin"}, NOW)
    assert out.splitlines() == [
        "sales has 0 calls (max unlimited) in 'round-robin' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, "
        "SL:0.0%, SL2:0.0% within 0s",
        "   No Members", "   No Callers", ""]
    assert render_queues([], NOW) == "No queues.\n"
