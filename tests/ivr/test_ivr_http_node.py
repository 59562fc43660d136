"""The http node against a real aiohttp server on loopback (the order-status example flow)."""
from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from callcenter.ivr import load_flow_file
from .helpers import call, flow_of

FLOWS = Path(__file__).resolve().parents[2] / "ivr_flows"


@pytest.fixture
async def orders_api():
    seen: list[dict] = []

    async def order(request: web.Request) -> web.Response:
        oid = request.match_info["oid"]
        seen.append({"oid": oid, "query": dict(request.query), "accept": request.headers.get("Accept")})
        if oid == "11111111":
            return web.json_response({"status": "shipped", "eta": "Friday", "item_count": 3})
        if oid == "22222222":
            await asyncio.sleep(1.0)
        if oid == "33333333":
            return web.Response(status=500, text="boom")
        if oid == "44444444":
            return web.Response(text="<html>not json</html>", content_type="text/html")
        return web.json_response({"error": "not found"}, status=404)

    async def lookup(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append({"post": body})
        return web.json_response({"customer": {"name": body["who"].upper(), "tier": "gold"}, "cases": [{"id": 7}]})

    app = web.Application()
    app.router.add_get("/orders/{oid}", order)
    app.router.add_post("/lookup", lookup)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


async def test_order_status_found(orders_api):
    url, seen = orders_api
    flow = load_flow_file(FLOWS / "order_status.yaml")
    out, ch = await call(flow, ["11111111#"], variables={"orders_api": url}, caller="+15557654321")
    assert "Your order 11111111 with 3 items has shipped and should arrive on Friday." in ch.texts
    assert out.variables["order_status"] == "shipped" and out.variables["http_status"] == 200
    assert seen[0] == {"oid": "11111111", "query": {"caller": "+15557654321"}, "accept": "application/json"}
    http = [t for t in out.trace if t.kind == "http"][0]
    assert http.data["ok"] and http.data["mapped"]["order_eta"] == "Friday"


async def test_order_not_found_branches_on_status(orders_api):
    url, _ = orders_api
    flow = load_flow_file(FLOWS / "order_status.yaml")
    out, ch = await call(flow, ["99999999#", "11111111#"], variables={"orders_api": url})
    assert "I could not find order 99999999." in ch.texts
    assert any("has shipped" in t for t in ch.texts)


@pytest.mark.parametrize("oid,why", [("33333333", "HTTP status 500"), ("44444444", "not JSON")])
async def test_order_lookup_errors_go_to_an_agent(orders_api, oid, why):
    url, _ = orders_api
    flow = load_flow_file(FLOWS / "order_status.yaml")
    out, ch = await call(flow, [f"{oid}#"], variables={"orders_api": url})
    assert out.kind == "queue" and out.queue.queue == "support" and out.error is None
    assert "Sorry, I cannot look up orders right now." in ch.texts
    assert why in [t for t in out.trace if t.kind == "http"][0].data["error"]


async def test_timeout_and_unreachable_server(orders_api):
    url, _ = orders_api
    flow = load_flow_file(FLOWS / "order_status.yaml")
    text = (FLOWS / "order_status.yaml").read_text().replace("timeout: 3", "timeout: 0.3")
    fast = flow_of(text, name="order_status")
    out, _ = await call(fast, ["22222222#"], variables={"orders_api": url})
    assert "timed out after 0.3s" in [t for t in out.trace if t.kind == "http"][0].data["error"]
    assert out.queue.queue == "support"
    out, _ = await call(flow, ["11111111#"], variables={"orders_api": "http://127.0.0.1:9"})
    assert out.queue.queue == "support" and out.variables["http_error"]


async def test_post_with_json_body_and_nested_mapping(orders_api):
    url, seen = orders_api
    flow = flow_of(f"""
    start: look
    nodes:
      look:
        type: http
        method: POST
        url: "{url}/lookup"
        body: {{who: "${{caller}}", n: 1}}
        map: {{name: customer.name, tier: customer.tier, first_case: cases.0.id, none: customer.missing.x}}
        next: done
        on_error: done
      done: {{type: hangup, prompt: "Hello ${{name}}, case ${{first_case}}"}}
    """)
    async with aiohttp.ClientSession() as session:
        out, ch = await call(flow, [], caller="ann", http_client=session)
    assert seen[-1] == {"post": {"who": "ann", "n": 1}}
    assert ch.texts[-1] == "Hello ANN, case 7" and out.variables["none"] is None
