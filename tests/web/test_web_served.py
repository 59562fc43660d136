"""The pages come from the installed package: ``GET /`` is the single page, ``/static/`` its assets,
with a Content-Security-Policy that allows only this server (and index.html's one inline script, by its
hash); no reference to any other host. Hashed assets are cached for good, index.html is revalidated,
and every asset comes compressed to a browser that accepts it."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re

from aiohttp.test_utils import TestClient, TestServer

from callcenter.api.app import WebDeps, create_web_app
from callcenter.web import STATIC_DIR


async def _health():
    return {"status": "ok"}


def _client(static_dir=None) -> TestClient:
    deps = WebDeps(health=_health, version_info=lambda: {"version": "t"}, now=lambda: 0.0, static_dir=static_dir)
    return TestClient(TestServer(create_web_app(deps)))


async def test_root_is_the_page_with_its_assets():
    async with _client() as c:
        r = await c.get("/")
        assert r.status == 200 and r.content_type == "text/html"
        assert r.headers["Cache-Control"] == "no-cache"               # an upgrade shows at the next reload
        page = await r.text()
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assets = re.findall(r'(?:src|href)="(static/[^"]+)"', page)
        assert len(assets) >= 4
        for asset in assets:
            a = await c.get("/" + asset)
            assert a.status == 200, asset
            assert a.headers["Cache-Control"] == "public, max-age=31536000, immutable", asset
        [app_js] = re.findall(r'<script type="module" src="(static/app-[A-Z0-9]+\.js)"', page)
        js = await c.get("/" + app_js)
        assert js.content_type in ("application/javascript", "text/javascript")
        assert (await c.get("/static/nope.js")).status == 404
        assert (await c.get("/static/../__init__.py")).status in (403, 404)


async def test_the_inline_boot_script_is_allowed_by_its_hash_and_only_it():
    async with _client() as c:
        r = await c.get("/")
        page = await r.text()
        [inline] = re.findall(r"<script>(.*?)</script>", page, re.S)
        digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
        script_src = next(d for d in r.headers["Content-Security-Policy"].split(";") if d.strip().startswith("script-src"))
        assert script_src.split() == ["script-src", "'self'", f"'sha256-{digest}'"]
        assert "api/wallboard" in inline and "modulepreload" in inline   # the wallboard's data and chunks, early


async def test_assets_come_compressed():
    async with _client() as c:
        page = await (await c.get("/")).text()
        [app_js] = re.findall(r'src="(static/app-[A-Z0-9]+\.js)"', page)
        plain = await (await c.get("/" + app_js, headers={"Accept-Encoding": "identity"})).read()
        r = await c.get("/" + app_js, headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
        assert r.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in r.headers["Vary"]
        body = await r.read()
        assert gzip.decompress(body) == plain and len(body) < len(plain) / 2
        r = await c.get("/" + app_js, headers={"Accept-Encoding": "gzip, br"}, auto_decompress=False)
        assert r.headers["Content-Encoding"] == "br"
        r = await c.get("/", headers={"Accept-Encoding": "br"}, auto_decompress=False)
        assert r.headers["Content-Encoding"] == "br" and r.headers["Cache-Control"] == "no-cache"


async def test_a_build_without_a_manifest_is_revalidated(tmp_path):
    """Pages built without the hashes (an older build, a hand-made page) are never cached for good."""
    (tmp_path / "index.html").write_text('<script type="module" src="static/app.js"></script>')
    (tmp_path / "app.js").write_text("console.log(1)")
    async with _client(tmp_path) as c:
        r = await c.get("/")
        assert r.status == 200 and "'sha256-" not in r.headers["Content-Security-Policy"]
        first = await c.get("/static/app.js")
        assert first.headers["Cache-Control"] == "no-cache" and await first.text() == "console.log(1)"
        again = await c.get("/static/app.js", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status == 304                                         # revalidated: not sent again
        (tmp_path / "app.js").write_text("console.log(22)")                 # a rebuild: sent anew
        assert await (await c.get("/static/app.js", headers={"If-None-Match": first.headers["ETag"]})).text() \
            == "console.log(22)"
        (tmp_path / "manifest.json").write_text(json.dumps({"immutable": ["app.js"]}))   # a rebuild, live
        assert (await c.get("/static/app.js")).headers["Cache-Control"] == "public, max-age=31536000, immutable"


async def test_api_still_answers_beside_the_pages():
    async with _client() as c:
        assert (await c.get("/health")).status == 200
        assert (await c.get("/api/me")).status == 401


def test_assets_work_offline():
    """Every built file refers to no other host (no CDN): the pages work on a closed network."""
    files = [p for p in STATIC_DIR.rglob("*") if p.is_file() and p.suffix in (".js", ".css", ".html")]
    assert any(re.fullmatch(r"app-[A-Z0-9]+\.js", p.name) for p in files) and any(p.name == "index.html" for p in files)
    for p in files:
        text = p.read_text(encoding="utf-8")
        for url in re.findall(r"""["'(]((?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^"')\s]*)""", text, re.I):
            assert url.startswith(("http://www.w3.org/", "https://www.w3.org/")), f"{p.name} loads {url}"
