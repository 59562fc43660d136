"""``GET /api/wallboard``: everything the supervisor wallboard draws first, in one answer.

The board needs the live queues (without their members: it follows the agents by their own events),
every agent, and the choices and alert thresholds of the configuration section ``web``. Asked as three
requests (``/api/queues``, ``/api/agents``, ``/api/desk/settings``), the queues alone weigh ~500 KB at
200 agents in 50 queues (each queue lists its members) and the server serializes them while the page's
scripts wait behind them; this answer is ~60 KB and one request (docs/web.md, "Wallboard cost").
"""
from __future__ import annotations

from aiohttp import web

from .auth import require
from .common import engine_of, json_response
from .desk import desk_settings
from .routes import ROUTES_KEY
from .spec import Route, add_routes
from .ws import without_members


# what the board shows of an agent (card, menu) and follows from its events
AGENT_FIELDS = ("agent_id", "name", "state", "reason", "pause_reason", "state_since", "time_in_state", "phone",
                "interface", "call_id")


async def wallboard(request: web.Request) -> web.Response:
    require(request, "supervisor")
    e = engine_of(request)
    agents = [{k: a.get(k) for k in AGENT_FIELDS} for a in e.agents_status()]
    return json_response({"now": e.now(), "queues": without_members(e.queues_status()), "agents": agents,
                          "settings": desk_settings(request)})


WALLBOARD_ROUTES = [
    Route("GET", "/api/wallboard", wallboard,
          "the wallboard's first view in one answer: {now, queues (as GET /api/queues, without members), "
          "agents (as GET /api/agents, the fields the board shows: agent_id, name, state, reason, pause_reason, "
          "state_since, time_in_state, phone, interface, call_id), settings (as GET /api/desk/settings)}", role="supervisor", tag="queues"),
]


def setup_wallboard(app: web.Application) -> None:
    """Mount the route on an app that :func:`callcenter.api.desk.setup_desk` prepared (it reads the settings)."""
    app[ROUTES_KEY].extend(WALLBOARD_ROUTES)
    add_routes(app, WALLBOARD_ROUTES)
