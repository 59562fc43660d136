"""The pages come from the installed package: ``GET /`` is the single page, ``/static/`` its assets,
with a Content-Security-Policy that allows only this server; no reference to any other host."""
from __future__ import annotations

import re

from aiohttp.test_utils import TestClient, TestServer

from callcenter.api.app import WebDeps, create_web_app
from callcenter.web import STATIC_DIR


async def _health():
    return {"status": "ok"}


def _client() -> TestClient:
    deps = WebDeps(health=_health, version_info=lambda: {"version": "t"}, now=lambda: 0.0)
    return TestClient(TestServer(create_web_app(deps)))


async def test_root_is_the_page_with_its_assets():
    async with _client() as c:
        r = await c.get("/")
        assert r.status == 200 and r.content_type == "text/html"
        page = await r.text()
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        for asset in re.findall(r'(?:src|href)="(static/[^"]+)"', page):
            a = await c.get("/" + asset)
            assert a.status == 200, asset
        js = await c.get("/static/app.js")
        assert js.content_type in ("application/javascript", "text/javascript")
        assert js.headers["Cache-Control"] == "no-cache"
        assert (await c.get("/static/nope.js")).status == 404
        assert (await c.get("/static/../__init__.py")).status in (403, 404)


async def test_api_still_answers_beside_the_pages():
    async with _client() as c:
        assert (await c.get("/health")).status == 200
        assert (await c.get("/api/me")).status == 401


def test_assets_work_offline():
    """Every built file refers to no other host (no CDN): the pages work on a closed network."""
    files = [p for p in STATIC_DIR.rglob("*") if p.is_file() and p.suffix in (".js", ".css", ".html")]
    assert any(p.name == "app.js" for p in files) and any(p.name == "index.html" for p in files)
    for p in files:
        text = p.read_text(encoding="utf-8")
        for url in re.findall(r"""["'(]((?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^"')\s]*)""", text, re.I):
            assert url.startswith(("http://www.w3.org/", "https://www.w3.org/")), f"{p.name} loads {url}"
