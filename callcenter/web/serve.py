"""Serving the built pages: ``GET /`` (index.html) and ``GET /static/*`` (scripts, styles, chunks).

No CDN and no network: everything comes from ``callcenter/web/static`` in the installed package. The
page is sent with a Content-Security-Policy that allows only this server (scripts, styles, the API
and its WebSocket), so an injected script from elsewhere does not run. Assets are revalidated on each
load (``Cache-Control: no-cache`` + ``Last-Modified``): an upgrade of the package is picked up at the next
reload without stale scripts.
"""
from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

log = logging.getLogger("callcenter.web")

STATIC_DIR = Path(__file__).resolve().parent / "static"
INDEX = STATIC_DIR / "index.html"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self' ws: wss:; media-src 'self' blob:; frame-ancestors 'self'; base-uri 'self'; "
       "form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}


async def index(request: web.Request) -> web.StreamResponse:
    if not INDEX.is_file():
        return web.Response(status=503, content_type="text/plain",
                            text=f"the web pages are not built: {INDEX} is missing "
                                 "(cd callcenter/web/frontend && npm ci && npm run build)")
    return web.FileResponse(INDEX, headers={**SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8"})


@web.middleware
async def _asset_headers(request: web.Request, handler):
    resp = await handler(request)
    if request.path.startswith("/static/"):
        resp.headers.setdefault("Cache-Control", "no-cache")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    return resp


def setup_pages(app: web.Application) -> None:
    """Mount ``/`` and ``/static/`` on ``app`` (before it starts)."""
    app.router.add_get("/", index)
    if STATIC_DIR.is_dir():
        app.router.add_static("/static/", STATIC_DIR, name="web_static", append_version=False)
    else:  # pragma: no cover - a source tree whose assets were deleted
        log.warning("web pages not built: %s is missing", STATIC_DIR)
    app.middlewares.append(_asset_headers)
