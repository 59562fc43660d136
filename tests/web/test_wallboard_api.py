"""``GET /api/wallboard`` (callcenter/api/wallboard.py): the wallboard's first view in one answer, the same
figures as the three routes it replaces on the board's first load; supervisors only."""
from __future__ import annotations

from callcenter.api.wallboard import AGENT_FIELDS


async def test_one_answer_with_the_queues_agents_and_settings(center):
    await center.login_agents(["a01"])
    st, board = await center.api("GET", "/api/wallboard", token="tok-sup")
    assert st == 200, board
    st, queues = await center.api("GET", "/api/queues", token="tok-sup")
    assert [q["name"] for q in board["queues"]] == [q["name"] for q in queues["queues"]]
    for mine, full in zip(board["queues"], queues["queues"]):
        assert "members" not in mine and full["members"]                 # the board follows agents by their events
        assert {k: v for k, v in mine.items() if k not in ("longest_wait", "callers")} == \
            {k: v for k, v in full.items() if k not in ("members", "longest_wait", "callers")}
    st, agents = await center.api("GET", "/api/agents", token="tok-sup")
    assert [a["agent_id"] for a in board["agents"]] == [a["agent_id"] for a in agents["agents"]]
    a01 = next(a for a in board["agents"] if a["agent_id"] == "a01")
    assert set(a01) == set(AGENT_FIELDS) and a01["state"] == "ready" and a01["state_since"]
    st, settings = await center.api("GET", "/api/desk/settings", token="tok-sup")
    assert board["settings"] == settings and isinstance(board["now"], float)


async def test_agents_may_not(center):
    st, body = await center.api("GET", "/api/wallboard", token="tok-a01")
    assert st == 403, body
    st, spec = await center.api("GET", "/api/openapi.json", token="tok-sup")
    assert "/api/wallboard" in spec["paths"]
