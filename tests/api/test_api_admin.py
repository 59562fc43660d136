"""The admin routes: agents, skills, queues and members, users and tokens, provisioning YAML; the same
checks as the CLI and provisioning files (refusals name the field), live reload, and only for admins."""
from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.api.admin import ADMIN_ROUTES
from callcenter.api.app import db_token_lookup
from callcenter.api.routes import setup_api
from callcenter.events import EventBus
from callcenter.store import repo
from callcenter.store.db import open_database

from .helpers import TOKENS

ADMIN = {"Authorization": "Bearer tok-admin"}


class _Engine:
    """Counts the live provisioning reloads the admin routes ask for."""

    def __init__(self) -> None:
        self.reloads = 0

    async def reload_provisioning(self):
        self.reloads += 1
        return {"added": [], "changed": [], "removed": [], "errors": []}


@pytest.fixture
async def env(tmp_path):
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    async with db.session() as s:
        await repo.upsert_queue(s, "support")
        await repo.upsert_skill(s, "billing")
    engine = _Engine()
    app = web.Application()
    setup_api(app, engine=engine, bus=EventBus(), tokens=TOKENS, db=db, token_lookup=db_token_lookup(db))
    async with TestClient(TestServer(app)) as client:
        yield client, engine, db
    await db.close()


async def test_agent_refused_at_the_field_then_created_and_applied(env):
    client, engine, db = env
    r = await client.put("/api/admin/agents/bob", json={"extension": "2002", "skills": {"billing": 9}},
                         headers=ADMIN)
    body = await r.json()
    assert r.status == 400 and body["field"] == "skills" and "1-5" in body["error"], body
    r = await client.put("/api/admin/agents/bob", json={"queues": {"nowhere": 0}}, headers=ADMIN)
    body = await r.json()
    assert r.status == 400 and body["field"] == "queues" and "nowhere" in body["error"], body
    r = await client.put("/api/admin/agents/bob", json={"max_concurrent": 0}, headers=ADMIN)
    assert r.status == 400 and (await r.json())["field"] == "max_concurrent"
    r = await client.put("/api/admin/agents/bob", json={"colour": "red"}, headers=ADMIN)
    body = await r.json()
    assert r.status == 400 and body["field"] == "colour" and "unknown key" in body["error"]
    assert engine.reloads == 0
    async with db.session() as s:
        assert await repo.get_agent(s, "bob") is None          # nothing was half-written

    r = await client.put("/api/admin/agents/bob", json={"full_name": "Bob", "extension": "2002",
                                                        "skills": {"billing": 4, "tech": 2},
                                                        "queues": {"support": 1}, "languages": ["en-US"]},
                         headers=ADMIN)
    body = await r.json()
    assert r.status == 201 and body["created"] and body["agent"]["interface"] == "PJSIP/2002"
    assert body["agent"]["skills"] == {"billing": 4, "tech": 2} and body["applied"]["errors"] == []
    assert engine.reloads == 1
    r = await client.put("/api/admin/agents/bob", json={"skills": {"billing": 5}}, headers=ADMIN)
    body = await r.json()
    assert r.status == 200 and not body["created"] and body["agent"]["skills"] == {"billing": 5}
    r = await client.get("/api/admin/provisioning", headers=ADMIN)
    prov = await r.json()
    assert [a["name"] for a in prov["agents"]] == ["bob"] and prov["queues"][0]["members"] == {"bob": 1}
    assert {k["name"]: k["agents"] for k in prov["skills"]} == {"billing": 1, "tech": 0}
    assert "best-skill" in prov["strategies"] and prov["roles"] == ["agent", "supervisor", "admin"]
    r = await client.delete("/api/admin/agents/bob", headers=ADMIN)
    assert r.status == 200 and engine.reloads == 3
    r = await client.delete("/api/admin/agents/bob", headers=ADMIN)
    assert r.status == 404


async def test_queue_rules_members_and_overflow(env):
    client, engine, _ = env
    r = await client.put("/api/admin/queues/billing", json={"strategy": "best-skill",
                                                            "rules": ["WT < 30: billing >= 4", "WT < : x"]},
                         headers=ADMIN)
    body = await r.json()
    assert r.status == 400 and body["field"] == "rules" and body["index"] == 1, body
    r = await client.put("/api/admin/queues/billing", json={"strategy": "fastest"}, headers=ADMIN)
    body = await r.json()
    assert r.status == 400 and body["field"] == "strategy" and "longest-idle" in body["error"]
    r = await client.put("/api/admin/queues/billing", json={"strategy": "best-skill", "sl_target": 30,
                                                            "rules": ["WT < 30: billing >= 4", "any"],
                                                            "overflow": "support"}, headers=ADMIN)
    body = await r.json()
    assert r.status == 201 and body["queue"]["rules"] == ["WT < 30: billing >= 4", "any"]
    await client.put("/api/admin/agents/amy", json={"extension": "2003"}, headers=ADMIN)
    r = await client.put("/api/admin/queues/billing/members/amy", json={"penalty": 2}, headers=ADMIN)
    assert r.status == 200 and (await r.json())["queue"]["members"] == {"amy": 2}
    r = await client.put("/api/admin/queues/billing/members/ghost", json={}, headers=ADMIN)
    assert r.status == 404
    r = await client.delete("/api/admin/queues/billing/members/amy", headers=ADMIN)
    assert r.status == 200
    r = await client.delete("/api/admin/queues/support", headers=ADMIN)
    body = await r.json()
    assert r.status == 409 and "overflow target" in body["error"]
    r = await client.put("/api/admin/skills/tech", json={"description": "technical"}, headers=ADMIN)
    assert r.status == 201 and (await r.json())["skill"]["description"] == "technical"
    r = await client.delete("/api/admin/skills/tech", headers=ADMIN)
    assert r.status == 200


async def test_users_and_tokens(env):
    client, _, _ = env
    r = await client.put("/api/admin/users/carol", json={"role": "supervisor"}, headers=ADMIN)
    body = await r.json()
    assert r.status == 400 and body["field"] == "password", body
    r = await client.put("/api/admin/users/carol", json={"password": "pw", "role": "boss"}, headers=ADMIN)
    body = await r.json()
    assert r.status == 400 and body["field"] == "role"
    r = await client.put("/api/admin/users/carol", json={"password": "pw", "role": "supervisor"}, headers=ADMIN)
    assert r.status == 201 and (await r.json())["user"] == {"username": "carol", "role": "supervisor",
                                                            "agent": None, "enabled": True}
    r = await client.post("/api/admin/users/carol/tokens", json={"label": "wallboard"}, headers=ADMIN)
    token = (await r.json())["token"]
    assert r.status == 201 and token.startswith("cc_")
    r = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert (await r.json())["role"] == "supervisor"
    r = await client.get("/api/admin/users/carol/tokens", headers=ADMIN)
    tokens = (await r.json())["tokens"]
    assert [t["label"] for t in tokens] == ["wallboard"] and "token" not in tokens[0]
    r = await client.delete(f"/api/admin/tokens/{tokens[0]['id']}", headers=ADMIN)
    assert r.status == 200
    r = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status == 401
    r = await client.delete("/api/admin/users/root", headers=ADMIN)
    assert r.status == 409                                   # not yourself
    r = await client.put("/api/admin/users/root", json={"role": "agent"}, headers=ADMIN)
    assert r.status == 409
    r = await client.delete("/api/admin/users/carol", headers=ADMIN)
    assert r.status == 200


async def test_provisioning_yaml_import_and_export(env):
    client, engine, _ = env
    bad = "queues:\n  - name: sales\n    strategy: round-robin\nagents:\n  - name: dan\n    skills: {sales: 7}\n"
    r = await client.post("/api/admin/provisioning", json={"yaml": bad}, headers=ADMIN)
    body = await r.json()
    assert r.status == 400 and body["line"] == 6 and "1-5" in body["error"], body
    good = bad.replace("sales: 7", "sales: 3")
    r = await client.post("/api/admin/provisioning", json={"yaml": good, "dry_run": True}, headers=ADMIN)
    assert (await r.json())["dry_run"] and engine.reloads == 0
    r = await client.get("/api/admin/provisioning", headers=ADMIN)
    assert "sales" not in [q["name"] for q in (await r.json())["queues"]]
    r = await client.post("/api/admin/provisioning", json={"yaml": good}, headers=ADMIN)
    assert r.status == 200 and "agents: 1 new" in (await r.json())["summary"] and engine.reloads == 1
    r = await client.get("/api/admin/provisioning.yaml", headers=ADMIN)
    text = await r.text()
    assert "name: dan" in text and "password" not in text


@pytest.mark.parametrize("who", ["tok-sup", "tok-a1"])
async def test_only_admins(env, who):
    client, engine, db = env
    for route in ADMIN_ROUTES:
        path = route.path.format(name="support", agent="bob", username="root", id="1")
        r = await client.request(route.method, path, json={} if route.method in ("PUT", "POST") else None,
                                 headers={"Authorization": f"Bearer {who}"})
        assert r.status == 403, (route.method, path, r.status)
    assert engine.reloads == 0
    async with db.session() as s:
        assert await repo.get_queue(s, "support") is not None
