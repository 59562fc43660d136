"""GET /api/flows: the supervisor sees flow versions and the errors of a rejected edit, while the
previous version keeps serving calls."""
from __future__ import annotations

import shutil
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.api.routes import setup_api
from callcenter.clock import FakeClock
from callcenter.events import EventBus
from callcenter.ivr import FlowRegistry

from .helpers import TOKENS

FLOWS = Path(__file__).resolve().parents[2] / "ivr_flows"


class _EngineWithFlows:
    def __init__(self, flows) -> None:
        self.flows = flows


async def test_flows_route_shows_versions_and_rejected_edit(tmp_path):
    flows_dir = tmp_path / "flows"
    flows_dir.mkdir()
    shutil.copy(FLOWS / "support_zh.yaml", flows_dir / "support_zh.yaml")
    clock = FakeClock()
    reg = FlowRegistry(flows_dir, default_flow="support_zh", dids={"4000": "support_zh"}, clock=clock)
    reg.reload()
    assert not [e for e in reg.errors if e.to_dict().get("severity", "error") == "error"]
    app = web.Application()
    setup_api(app, engine=_EngineWithFlows(reg), bus=EventBus(), tokens=TOKENS)
    async with TestClient(TestServer(app)) as client:
        r = await client.get("/api/flows", headers={"Authorization": "Bearer tok-a1"})
        assert r.status == 403                                       # agents may not read flows
        r = await client.get("/api/flows", headers={"Authorization": "Bearer tok-sup"})
        body = await r.json()
        assert r.status == 200 and body["dids"] == {"4000": "support_zh"}
        first = body["current"]["support_zh"]
        assert first["version"] == 1 and len(body["versions"]) == 1

        # a broken edit: rejected, reported, and version 1 keeps serving
        (flows_dir / "support_zh.yaml").write_text("name: support_zh\nstart: nowhere\nnodes: [1, 2\n",
                                                   encoding="utf-8")
        clock.advance(10)
        reg.reload()
        r = await client.get("/api/flows", headers={"Authorization": "Bearer tok-sup"})
        body = await r.json()
        assert body["current"]["support_zh"]["hash"] == first["hash"]
        assert any("support_zh.yaml" in e["file"] and e["line"] >= 1 for e in body["errors"]), body["errors"]
        assert reg.for_did("4000").content_hash == first["hash"]

        r = await client.get("/api/openapi.json")
        assert "/api/flows" in (await r.json())["paths"]
