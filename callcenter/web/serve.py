"""Serving the built pages: ``GET /`` (index.html) and ``GET /static/*`` (scripts, styles, chunks).

No CDN and no network: everything comes from ``callcenter/web/static`` in the installed package. The
page is sent with a Content-Security-Policy that allows only this server (scripts, styles, the API
and its WebSocket) and the one inline script the build wrote into index.html (by its hash, from
``manifest.json``), so an injected script does not run.

Caching (docs/web.md, "Wallboard cost"): every built file but index.html has its content hash in its
name, and ``manifest.json`` lists them: those are sent as ``immutable`` for a year (a reload asks for
nothing), index.html with ``no-cache`` (revalidated on each load, so an upgrade of the package or a
rebuild is picked up at the next reload). A file the manifest does not list is revalidated too.
The build writes ``.br`` and ``.gz`` beside each file: aiohttp's FileResponse sends the smallest one the
browser accepts, with ``Content-Encoding`` and ``Vary: Accept-Encoding``.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from aiohttp import web

log = logging.getLogger("callcenter.web")

STATIC_DIR = Path(__file__).resolve().parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"

CSP = ("default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self' ws: wss:; media-src 'self' blob:; frame-ancestors 'self'; "
       "base-uri 'self'; form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP.format(scripts=""),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}
STATIC_KEY = web.AppKey("callcenter_web_static", Path)


def read_manifest(static_dir: Path) -> dict:
    """The build's ``manifest.json`` ({"immutable": [...], "script_hashes": [...]}); empty when absent."""
    path = static_dir / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def content_security_policy(manifest: dict) -> str:
    hashes = [h for h in manifest.get("script_hashes", ()) if isinstance(h, str) and h.startswith("sha256-")]
    return CSP.format(scripts="".join(f" '{h}'" for h in hashes))


async def index(request: web.Request) -> web.StreamResponse:
    static_dir = request.app[STATIC_KEY]
    page = static_dir / "index.html"
    if not page.is_file():
        return web.Response(status=503, content_type="text/plain",
                            text=f"the web pages are not built: {page} is missing "
                                 "(cd callcenter/web/frontend && npm ci && npm run build)")
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": content_security_policy(read_manifest(static_dir)),
               "Content-Type": "text/html; charset=utf-8"}
    return web.FileResponse(page, headers=headers)


class _Immutable:
    """Which paths under /static/ are content-hashed, re-read when the manifest changes (a rebuild)."""

    def __init__(self, static_dir: Path) -> None:
        self.static_dir = static_dir
        self.stamp: float | None = None
        self.names: frozenset[str] = frozenset()

    def __contains__(self, name: str) -> bool:
        try:
            stamp = (self.static_dir / "manifest.json").stat().st_mtime
        except OSError:
            stamp = None
        if stamp != self.stamp:
            self.stamp = stamp
            self.names = frozenset(read_manifest(self.static_dir).get("immutable", ()))
        return name in self.names


def setup_pages(app: web.Application, static_dir: Path | None = None) -> None:
    """Mount ``/`` and ``/static/`` on ``app`` (before it starts), serving ``static_dir`` (the package's
    built pages by default)."""
    static_dir = Path(static_dir or STATIC_DIR)
    app[STATIC_KEY] = static_dir
    immutable = _Immutable(static_dir)

    @web.middleware
    async def asset_headers(request: web.Request, handler):
        resp = await handler(request)
        if request.path.startswith("/static/"):
            hashed = resp.status in (200, 304) and request.path[len("/static/"):] in immutable
            resp.headers.setdefault("Cache-Control", IMMUTABLE if hashed else "no-cache")
            resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        return resp

    app.router.add_get("/", index)
    if static_dir.is_dir():
        app.router.add_static("/static/", static_dir, name="web_static", append_version=False)
    else:  # pragma: no cover - a source tree whose assets were deleted
        log.warning("web pages not built: %s is missing", static_dir)
    app.middlewares.append(asset_headers)
