"""Authentication, roles and JSON errors as an API user sees them."""
from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from .helpers import auth


async def test_no_token_is_401_and_nothing_happens(client, engine):
    r = await client.post("/api/agents/a1/ready")
    assert r.status == 401
    body = await r.json()
    assert body["field"] == "Authorization" and "token" in body["error"].lower() or "Bearer" in body["error"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert engine.changes == []


async def test_unknown_token_is_401(client, engine):
    r = await client.get("/api/queues", headers=auth("nope"))
    assert r.status == 401
    r = await client.get("/api/queues", headers={"Authorization": "Basic abc"})
    assert r.status == 401
    assert engine.changes == []


async def test_agent_changes_own_state_only(client, engine):
    r = await client.post("/api/agents/a1/login", json={"phone": "PJSIP/2001"}, headers=auth("tok-a1"))
    assert r.status == 200
    assert (await r.json())["state"] == "paused"
    r = await client.post("/api/agents/a2/pause", json={"reason": "lunch"}, headers=auth("tok-a1"))
    assert r.status == 403
    assert (await r.json())["field"] == "agent_id"
    assert [c[0] for c in engine.changes] == ["a1"]


async def test_agent_sees_only_itself_and_its_calls(client):
    r = await client.get("/api/agents", headers=auth("tok-a2"))
    assert [a["agent_id"] for a in (await r.json())["agents"]] == ["a2"]
    r = await client.get("/api/calls", headers=auth("tok-a1"))
    assert [c["call_id"] for c in (await r.json())["calls"]] == ["c1"]
    r = await client.get("/api/calls/c1", headers=auth("tok-a2"))
    assert r.status == 403
    r = await client.get("/api/agents/a1", headers=auth("tok-a2"))
    assert r.status == 403


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/queues", None),
    ("GET", "/api/queues/support", None),
    ("POST", "/api/calls/c2/move", {"queue": "support"}),
    ("POST", "/api/calls/c2/priority", {"priority": 5}),
    ("POST", "/api/calls/c2/hangup", None),
    ("POST", "/api/agents/a1/spy", {"mode": "listen", "phone": "PJSIP/3001"}),
    ("GET", "/api/reports", None),
    ("GET", "/api/cdrs", None),
])
async def test_supervisor_routes_refuse_agents(client, engine, method, path, body):
    r = await client.request(method, path, json=body, headers=auth("tok-a1"))
    assert r.status == 403
    assert "error" in await r.json()
    assert engine.changes == []
    r = await client.request(method, path, json=body, headers=auth("tok-sup"))
    assert r.status == 200, await r.text()


async def test_supervisor_forces_pause_and_logout(client, engine):
    r = await client.post("/api/agents/a2/pause", json={"reason": "meeting"}, headers=auth("tok-sup"))
    assert (await r.json())["pause_reason"] == "meeting"
    r = await client.post("/api/agents/a2/logout", headers=auth("tok-admin"))
    assert (await r.json())["state"] == "logged_out"


async def test_malformed_json_names_body(client, engine):
    r = await client.post("/api/agents/a1/login", data=b'{"phone": ', headers={**auth("tok-a1"),
                                                                              "Content-Type": "application/json"})
    assert r.status == 400
    body = await r.json()
    assert body["field"] == "body" and "malformed JSON" in body["error"]
    assert engine.changes == []


@pytest.mark.parametrize("path,payload,field", [
    ("/api/agents/a1/login", {"phone": 5}, "phone"),
    ("/api/agents/a1/login", {"phne": "x"}, "phne"),
    ("/api/agents/a1/pause", {"reason": None}, "reason"),
    ("/api/calls/c2/priority", {"priority": "high"}, "priority"),
    ("/api/calls/c2/priority", {"priority": 1000}, "priority"),
    ("/api/calls/c2/priority", {}, "priority"),
    ("/api/calls/c2/move", {"queue": ""}, "queue"),
    ("/api/agents/a1/spy", {"mode": "shout", "phone": "PJSIP/1"}, "mode"),
    ("/api/agents/a1/login", [1, 2], "body"),
])
async def test_bad_fields_are_400_naming_the_field(client, engine, path, payload, field):
    r = await client.post(path, data=json.dumps(payload), headers=auth("tok-admin"))
    assert r.status == 400
    assert (await r.json())["field"] == field
    assert engine.changes == []


async def test_engine_refusals_are_json(client):
    r = await client.post("/api/agents/zz/ready", headers=auth("tok-sup"))
    assert r.status == 404 and (await r.json())["field"] == "agent_id"
    r = await client.post("/api/agents/a2/end-wrapup", headers=auth("tok-sup"))
    assert r.status == 409 and "wrap-up" in (await r.json())["error"]
    r = await client.get("/api/nothing-here", headers=auth("tok-sup"))
    assert r.status == 404 and "error" in await r.json()
    r = await client.delete("/api/queues", headers=auth("tok-sup"))
    assert r.status == 405 and "error" in await r.json()


async def test_bad_query_parameters(client):
    r = await client.get("/api/reports?bucket=week", headers=auth("tok-sup"))
    assert r.status == 400 and (await r.json())["field"] == "bucket"
    r = await client.get("/api/reports?from=banana", headers=auth("tok-sup"))
    assert r.status == 400 and (await r.json())["field"] == "from"
    r = await client.get("/api/reports?colour=red", headers=auth("tok-sup"))
    assert r.status == 400 and (await r.json())["field"] == "colour"


async def test_openapi_document_is_public_and_lists_routes(client):
    r = await client.get("/api/openapi.json")
    assert r.status == 200
    doc = await r.json()
    assert doc["openapi"].startswith("3.")
    assert "/api/agents/{agent_id}/pause" in doc["paths"]
    op = doc["paths"]["/api/calls/{call_id}/priority"]["post"]
    assert op["x-required-role"] == "supervisor"
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    jsonschema.validate({"priority": 5}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"priority": "x"}, schema)


async def test_metrics(client, bus):
    from callcenter.events import DomainEvent
    bus.publish(DomainEvent("CallAnswered", 0.0, call_id="c", queue="support", data={"wait": 3}))
    bus.publish(DomainEvent("CallEnded", 0.0, call_id="c", queue="support", data={"outcome": "answered"}))
    r = await client.get("/metrics")
    assert r.status == 200
    text = await r.text()
    assert 'callcenter_calls_total{outcome="answered",queue="support"} 1.0' in text
    assert 'callcenter_queue_service_level_ratio{queue="support"} 75.0' in text
    assert 'callcenter_events_total{kind="CallAnswered"} 1.0' in text


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(raw=st.binary(max_size=80))
async def test_fuzz_request_bodies_never_500(client, engine, raw):
    r = await client.post("/api/calls/c2/priority", data=raw, headers=auth("tok-sup"))
    assert r.status in (200, 400), await r.text()
    body = await r.json()
    if r.status == 400:
        assert body["field"] in ("body", "priority") or body["field"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(params=st.dictionaries(st.sampled_from(["from", "to", "bucket", "by", "format", "only", "x"]),
                              st.text(max_size=12), max_size=4))
async def test_fuzz_report_query_never_500(client, params):
    r = await client.get("/api/reports", params=params, headers=auth("tok-sup"))
    assert r.status in (200, 400), await r.text()
    if r.status == 400:
        assert (await r.json())["field"] in ("from", "to", "bucket", "by", "format", "only", "x")


async def test_no_engine_is_503(bus):
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from callcenter.api.routes import setup_api
    app = web.Application()
    setup_api(app, engine=None, bus=bus, tokens={"t": "admin:root"})
    async with TestClient(TestServer(app)) as c:
        r = await c.get("/api/queues", headers=auth("t"))
        assert r.status == 503 and "engine" in (await r.json())["error"]
        r = await c.get("/metrics")
        assert r.status == 200


def test_bad_token_config_is_a_clear_error():
    from callcenter.api.auth import Authenticator
    with pytest.raises(ValueError, match=r"api.tokens\[0\].role: must be one of agent, supervisor, admin"):
        Authenticator({"t": {"user": "x", "role": "king"}})
    with pytest.raises(ValueError, match="unknown key"):
        Authenticator({"t": {"user": "x", "role": "agent", "colour": "red"}})
