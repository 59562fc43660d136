"""The flow routes of the web flows page: one flow with versions, graph, diff, live validation (the same
problems as `callcenter ivr validate`), saving an edit as a new version, and the try-out over HTTP."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.api.routes import setup_api
from callcenter.cli import main
from callcenter.clock import FakeClock
from callcenter.events import EventBus
from callcenter.ivr import FlowRegistry
from callcenter.store import repo
from callcenter.store.db import open_database

from .helpers import TOKENS

FLOW = Path(__file__).resolve().parents[1] / "fixtures" / "flows" / "e2e.yaml"
SUP = {"Authorization": "Bearer tok-sup"}
AGENT = {"Authorization": "Bearer tok-a1"}
QUEUES = ("support", "billing", "technical", "sales")
SKILLS = ("billing", "tech", "sales")


class _Engine:
    def __init__(self, flows) -> None:
        self.flows = flows


@pytest.fixture
async def setup(tmp_path):
    flows_dir = tmp_path / "flows"
    flows_dir.mkdir()
    shutil.copy(FLOW, flows_dir / "e2e.yaml")
    reg = FlowRegistry(flows_dir, default_flow="e2e", dids={"8000": "e2e"}, clock=FakeClock())
    reg.reload()
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    async with db.session() as s:
        for q in QUEUES:
            await repo.upsert_queue(s, q)
        for k in SKILLS:
            await repo.upsert_skill(s, k)
    app = web.Application()
    setup_api(app, engine=_Engine(reg), bus=EventBus(), tokens=TOKENS, db=db)
    async with TestClient(TestServer(app)) as client:
        yield client, reg, flows_dir
    await db.close()


BROKEN = FLOW.read_text(encoding="utf-8").replace("next: account", "next: acount").replace(
    "queue: sales", "queue: salez")


async def test_live_validation_is_ivr_validate(setup, tmp_path, capsys, monkeypatch):
    client, reg, flows_dir = setup
    r = await client.post("/api/flows/validate", json={"name": "e2e", "text": BROKEN}, headers=SUP)
    body = await r.json()
    assert r.status == 200 and not body["valid"] and body["errors"] == 2, body
    # the CLI on the same content, with the same queue and skill names, reports the very same problems
    target = flows_dir / "e2e.yaml"
    saved = target.read_text(encoding="utf-8")
    target.write_text(BROKEN, encoding="utf-8")
    cfg = tmp_path / "callcenter.yaml"
    cfg.write_text(f"data_dir: {tmp_path / 'data'}\nivr:\n  flows_dir: {flows_dir}\n")
    monkeypatch.setenv("CALLCENTER_CONFIG", str(cfg))
    rc = main(["ivr", "validate", str(target), "--json", "--queues", ",".join(QUEUES), "--skills", ",".join(SKILLS)])
    target.write_text(saved, encoding="utf-8")
    cli = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert [(p["line"], p["column"], p["message"]) for p in cli["problems"]] == \
        [(p["line"], p["column"], p["message"]) for p in body["problems"]]
    unknown = next(p for p in body["problems"] if "acount" in p["message"])
    assert unknown["line"] == 18 and "did you mean 'account'" in unknown["message"]
    assert any("salez" in p["message"] for p in body["problems"])     # queue names come from the database

    r = await client.post("/api/flows/validate", json={"text": FLOW.read_text()}, headers=SUP)
    assert (await r.json())["valid"] is True
    r = await client.post("/api/flows/validate", json={"text": "x"}, headers=AGENT)
    assert r.status == 403
    r = await client.get("/api/flow-schema", headers=SUP)
    assert "menu" in (await r.json())["$defs"]


async def test_rejected_edit_keeps_serving_then_a_good_edit_is_a_new_version(setup):
    client, reg, flows_dir = setup
    r = await client.get("/api/flows/e2e", headers=SUP)
    flow = await r.json()
    assert r.status == 200 and flow["current"]["version"] == 1 and flow["dids"] == ["8000"] and flow["default"]
    assert flow["text"] == FLOW.read_text(encoding="utf-8")
    assert {n["id"] for n in flow["graph"]["nodes"]} >= {"welcome", "menu", "account", "billing_q"}
    assert {"from": "menu", "to": "general_q", "label": "on_fail", "kind": "fail"} in flow["graph"]["edges"]

    r = await client.put("/api/flows/e2e", json={"text": BROKEN, "base_version": 1}, headers=SUP)
    body = await r.json()
    assert r.status == 422 and body["field"] == "text"
    assert "line 18 column" in body["error"] and "version 1 keeps serving" in body["error"], body["error"]
    assert (flows_dir / "e2e.yaml").read_text(encoding="utf-8") == FLOW.read_text(encoding="utf-8")
    assert reg.current("e2e").version == 1

    good = FLOW.read_text(encoding="utf-8").replace("Welcome to the test line.", "Welcome, new version.")
    r = await client.put("/api/flows/e2e", json={"text": good, "base_version": 2}, headers=SUP)
    assert r.status == 409 and (await r.json())["field"] == "base_version"
    r = await client.put("/api/flows/e2e", json={"text": good, "base_version": 1}, headers=AGENT)
    assert r.status == 403
    r = await client.put("/api/flows/e2e", json={"text": good, "base_version": 1}, headers=SUP)
    body = await r.json()
    assert r.status == 200 and body["changed"] and body["version"]["version"] == 2
    assert reg.current("e2e").version == 2 and reg.for_did("8000").flow.nodes["welcome"].spec["prompt"] == \
        "Welcome, new version."
    r = await client.put("/api/flows/e2e", json={"text": good}, headers=SUP)
    assert (await r.json())["changed"] is False

    r = await client.get("/api/flows/e2e/diff", headers=SUP)
    diff = await r.json()
    assert diff["from"] == 1 and diff["to"] == 2 and diff["added"] == 1 and diff["removed"] == 1
    assert '+    prompt: "Welcome, new version."' in diff["diff"]
    r = await client.get("/api/flows/e2e/versions/1", headers=SUP)
    assert "Welcome to the test line." in (await r.json())["text"]
    r = await client.get("/api/flows/e2e/versions/7", headers=SUP)
    assert r.status == 404 and (await r.json())["field"] == "version"
    r = await client.get("/api/flows/e2e/graph?version=1", headers=SUP)
    assert (await r.json())["start"] == "welcome"
    r = await client.get("/api/flows/nope", headers=SUP)
    assert r.status == 404
    r = await client.put("/api/flows/other", json={"text": good}, headers=SUP)
    assert r.status == 422 and "'e2e'" in (await r.json())["error"]      # the text names another flow


async def test_try_a_flow_from_the_page(setup):
    client, reg, _ = setup
    r = await client.post("/api/flows/e2e/try", json={"speech": False}, headers=SUP)
    body = await r.json()
    assert r.status == 201, body
    prompts = [e["text"] for e in body["events"] if e["kind"] == "prompt"]
    assert prompts[0] == "Welcome to the test line." and body["waiting"] and not body["done"]
    assert body["path"] == ["welcome", "menu"]
    sid = body["session"]
    r = await client.post(f"/api/flow-tries/{sid}", json={"text": "1"}, headers=SUP)
    body = await r.json()
    assert [e["text"] for e in body["events"] if e["kind"] == "prompt"] == \
        ["Enter your account number followed by pound."]
    r = await client.post(f"/api/flow-tries/{sid}", json={"text": "12345#"}, headers=SUP)
    body = await r.json()
    assert body["done"] and body["outcome"]["kind"] == "queue" and "billing" in body["outcome"]["summary"]
    assert body["outcome"]["variables"]["account"] == "12345"
    r = await client.post(f"/api/flow-tries/{sid}", json={"text": "1"}, headers=SUP)
    assert r.status == 409
    r = await client.get(f"/api/flow-tries/{sid}", headers=SUP)              # the whole conversation again
    everything = await r.json()
    assert [e["kind"] for e in everything["events"]].count("input") == 2 and everything["done"]
    assert everything["path"] == ["welcome", "menu", "account", "billing_q"]

    # a draft that is not saved can be tried too; another user cannot touch the session
    draft = FLOW.read_text(encoding="utf-8").replace("Welcome to the test line.", "Draft welcome.")
    r = await client.post("/api/flows/e2e/try", json={"text": draft, "speech": False}, headers=SUP)
    body = await r.json()
    assert body["version"] == "draft"
    assert [e["text"] for e in body["events"] if e["kind"] == "prompt"][0] == "Draft welcome."
    r = await client.post(f"/api/flow-tries/{body['session']}", json={"text": "1"},
                          headers={"Authorization": "Bearer tok-admin"})
    assert r.status == 404
    r = await client.delete(f"/api/flow-tries/{body['session']}", headers=SUP)
    assert (await r.json())["done"] is True
    r = await client.post("/api/flows/e2e/try", json={"text": BROKEN}, headers=SUP)
    assert r.status == 422 and "line 18" in (await r.json())["error"]
    r = await client.post("/api/flows/e2e/try", json={}, headers=AGENT)
    assert r.status == 403


async def test_a_new_flow_is_created_by_saving_it(setup):
    client, reg, flows_dir = setup
    text = FLOW.read_text(encoding="utf-8").replace("flow: e2e", "flow: night")
    r = await client.put("/api/flows/night", json={"text": text}, headers=SUP)
    body = await r.json()
    assert r.status == 200 and body["changed"] and body["version"]["version"] == 1, body
    assert (flows_dir / "night.yaml").read_text(encoding="utf-8") == text
    assert reg.current("night") is not None and reg.current("e2e").version == 1
    r = await client.put("/api/flows/.hidden", json={"text": text}, headers=SUP)
    assert r.status == 400 and (await r.json())["field"] == "name"
