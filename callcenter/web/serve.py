"""Serving the built pages: ``GET /`` (index.html) and ``GET /static/*`` (scripts, styles, chunks).

No CDN and no network: everything comes from ``callcenter/web/static`` in the installed package. The
page is sent with a Content-Security-Policy that allows only this server (scripts, styles, the API
and its WebSocket) and the one inline script the build wrote into index.html (by its hash, from
``manifest.json``), so an injected script does not run.

Caching (docs/web.md, "Wallboard cost"): every built file but index.html has its content hash in its
name, and ``manifest.json`` lists them: those are sent as ``immutable`` for a year (a reload asks for
nothing), index.html and any file the manifest does not list with ``no-cache`` (revalidated on each
load: ``ETag`` / ``Last-Modified``, 304 when unchanged), so an upgrade of the package or a rebuild is
picked up at the next reload. The build writes ``.br`` and ``.gz`` beside each file: the smallest the
browser accepts is sent, with ``Content-Encoding`` and ``Vary: Accept-Encoding``.

The files are served from memory (:class:`StaticFiles`: read once, checked against the file's size and
mtime on each request): a page load asks for a dozen of them at once, and aiohttp's file responses
(stat, open and send in a thread each) cost ~2 ms of the event loop apiece, which the call engine
shares.
"""
from __future__ import annotations

import json
import logging
import mimetypes
import os
import stat
from dataclasses import dataclass
from email.utils import formatdate
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
STATIC_KEY = web.AppKey("callcenter_web_static", object)
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))        # preferred first
TEXT = (".js", ".css", ".html", ".svg", ".json", ".txt")


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


@dataclass(frozen=True)
class _File:
    stamp: tuple[int, int]                  # (mtime_ns, size) of the plain file when it was read
    bodies: dict[str, bytes]                # "identity" / "br" / "gzip" -> bytes
    content_type: str
    etag: str
    last_modified: str


class StaticFiles:
    """The built files of one directory, read once and served from memory; re-read when a file's size or
    mtime changes (a rebuild), the manifest likewise."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, _File] = {}
        self.manifest_stamp: tuple[int, int] | None = None
        self.manifest: dict = {}
        self.immutable: frozenset[str] = frozenset()

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int] | None:
        """(mtime, size) of a regular file, None for anything else"""
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size) if stat.S_ISREG(st.st_mode) else None

    def current_manifest(self) -> dict:
        stamp = self._stamp(self.root / "manifest.json")
        if stamp != self.manifest_stamp:
            self.manifest_stamp = stamp
            self.manifest = read_manifest(self.root)
            self.immutable = frozenset(self.manifest.get("immutable", ()))
        return self.manifest

    def get(self, name: str) -> _File | None:
        """The file ``name`` (a path under the root, "/"-separated) or None when there is none."""
        parts = name.split("/")
        if not name or any(p in ("", ".", "..") or "\\" in p for p in parts) or name.endswith((".br", ".gz")):
            return None
        path = self.root.joinpath(*parts)
        stamp = self._stamp(path)
        if stamp is None:
            self.files.pop(name, None)
            return None
        cached = self.files.get(name)
        if cached is not None and cached.stamp == stamp:
            return cached
        bodies = {"identity": path.read_bytes()}
        for encoding, suffix in ENCODINGS:
            packed = path.with_name(path.name + suffix)
            if packed.is_file():
                bodies[encoding] = packed.read_bytes()
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":
            ctype = "text/javascript"
        if path.suffix in TEXT:
            ctype += "; charset=utf-8"
        f = _File(stamp, bodies, ctype, f'"{stamp[0]:x}-{stamp[1]:x}"', formatdate(stamp[0] / 1e9, usegmt=True))
        self.files[name] = f
        return f

    def response(self, request: web.Request, name: str, headers: dict[str, str] | None = None) -> web.Response:
        f = self.get(name)
        if f is None:
            raise web.HTTPNotFound(headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
        self.current_manifest()
        out = {"Content-Type": f.content_type, "ETag": f.etag, "Last-Modified": f.last_modified,
               "Cache-Control": IMMUTABLE if name in self.immutable else "no-cache",
               "X-Content-Type-Options": "nosniff", **(headers or {})}
        if len(f.bodies) > 1:
            out["Vary"] = "Accept-Encoding"
        if request.headers.get("If-None-Match") == f.etag or (
                "If-None-Match" not in request.headers and request.headers.get("If-Modified-Since") == f.last_modified):
            return web.Response(status=304, headers={k: v for k, v in out.items() if k != "Content-Type"})
        accepted = {e.split(";")[0].strip().lower() for e in request.headers.get("Accept-Encoding", "").split(",")}
        encoding = next((e for e, _ in ENCODINGS if e in f.bodies and e in accepted), "identity")
        if encoding != "identity":
            out["Content-Encoding"] = encoding
        return web.Response(body=f.bodies[encoding], headers=out)


async def index(request: web.Request) -> web.StreamResponse:
    files: StaticFiles = request.app[STATIC_KEY]
    if files.get("index.html") is None:
        return web.Response(status=503, content_type="text/plain",
                            text=f"the web pages are not built: {files.root / 'index.html'} is missing "
                                 "(cd callcenter/web/frontend && npm ci && npm run build)")
    csp = content_security_policy(files.current_manifest())
    return files.response(request, "index.html", {**SECURITY_HEADERS, "Content-Security-Policy": csp,
                                                  "Cache-Control": "no-cache"})


async def static(request: web.Request) -> web.StreamResponse:
    return request.app[STATIC_KEY].response(request, request.match_info["name"])


def setup_pages(app: web.Application, static_dir: Path | None = None) -> None:
    """Mount ``/`` and ``/static/`` on ``app`` (before it starts), serving ``static_dir`` (the package's
    built pages by default)."""
    static_dir = Path(static_dir or STATIC_DIR)
    if not static_dir.is_dir():  # pragma: no cover - a source tree whose assets were deleted
        log.warning("web pages not built: %s is missing", static_dir)
    app[STATIC_KEY] = StaticFiles(static_dir)
    app.router.add_get("/", index)
    app.router.add_get("/static/{name:.+}", static, name="web_static")
