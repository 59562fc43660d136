"""Every route the server serves is in the OpenAPI document (``GET /api/openapi.json``), except the HTML
pages. The WebRTC signalling routes once escaped it: they were mounted with ``app.router.add_post``
instead of a :class:`~callcenter.api.spec.Route` table, and no test compared the router with the document;
this one does, on the application ``callcenter serve`` builds (WebRTC included)."""
from __future__ import annotations

import jsonschema

from callcenter.api.app import WebDeps, create_web_app
from callcenter.api.routes import ROUTES_KEY
from callcenter.api.spec import openapi_document
from callcenter.api.webrtc import PAGE_PATHS, WebRTCDeps
from callcenter.events import EventBus
from tests.media.webrtc_helpers import Server

#: HTML pages and their assets (callcenter/web/serve.py, callcenter/api/webrtc.py)
PAGES = {"/", "/static", "/static/{name}", *PAGE_PATHS}


def served_routes(app) -> set[tuple[str, str]]:
    out = set()
    for r in app.router.routes():
        info = r.resource.get_info()
        path = info.get("path") or info.get("formatter") or info.get("prefix")
        if r.method not in ("HEAD", "*"):
            out.add((r.method.lower(), path))
    return out


async def test_every_served_route_but_the_pages_is_in_the_openapi_document():
    app = create_web_app(WebDeps(health=None, version_info=dict, now=lambda: 0.0, bus=EventBus(),
                                 webrtc=WebRTCDeps(gateway=None, calls=None, phones=None)))
    doc = openapi_document(app[ROUTES_KEY], "test")
    served = served_routes(app)
    missing = sorted((m.upper(), p) for m, p in served if p not in PAGES and m not in doc["paths"].get(p, {}))
    assert not missing, f"served but not in the OpenAPI document (add a Route): {missing}"
    stale = sorted((m.upper(), p) for p, ops in doc["paths"].items() for m in ops if (m, p) not in served)
    assert not stale, f"in the OpenAPI document but not served: {stale}"
    for path in ("/webrtc/call", "/webrtc/sessions/{session}/dtmf", "/webrtc/sessions/{session}/hangup",
                 "/api/webrtc/phone"):
        op = doc["paths"][path]["post"]
        assert op["tags"] == ["webrtc"] and op["responses"]["200"]["content"]["application/json"]["schema"], path
    assert doc["paths"]["/webrtc/call"]["post"]["security"] == []
    assert doc["paths"]["/api/webrtc/phone"]["post"]["x-required-role"] == "agent"
    assert {"409", "503"} <= set(doc["paths"]["/webrtc/call"]["post"]["responses"])


def _schema(doc: dict, method: str, path: str, part: str = "response") -> dict:
    op = doc["paths"][path][method]
    if part == "request":
        return op["requestBody"]["content"]["application/json"]["schema"]
    return op["responses"]["200"]["content"]["application/json"]["schema"]


async def test_the_webrtc_answers_match_their_documented_schemas(tmp_path):
    async with Server(tmp_path) as s:
        async with s.http.get(s.url + "/api/openapi.json") as r:
            doc = await r.json()
        client, answer = await s.call()
        jsonschema.validate(answer, _schema(doc, "post", "/webrtc/call"))
        offer = {**await client.offer(), "name": "x"}
        jsonschema.validate(offer, _schema(doc, "post", "/webrtc/call", "request"))
        st, body = await s.post(f"/webrtc/sessions/{answer['session']}/dtmf", {"digits": "1"})
        assert st == 200
        jsonschema.validate(body, _schema(doc, "post", "/webrtc/sessions/{session}/dtmf"))
        async with s.http.get(s.url + "/api/webrtc/sessions", headers={"Authorization": "Bearer tok-sup"}) as r:
            jsonschema.validate(await r.json(), _schema(doc, "get", "/api/webrtc/sessions"))
        st, body = await s.post(f"/webrtc/sessions/{answer['session']}/hangup")
        assert st == 200
        jsonschema.validate(body, _schema(doc, "post", "/webrtc/sessions/{session}/hangup"))
        st, body = await s.post("/webrtc/sessions/nope/hangup")
        assert st == 404 and body["field"] == "session"
        async with s.http.get(s.url + "/health") as r:
            jsonschema.validate(await r.json(), _schema(doc, "get", "/health"))
        async with s.http.get(s.url + "/version") as r:
            jsonschema.validate(await r.json(), _schema(doc, "get", "/version"))
