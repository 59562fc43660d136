"""The web workplace: the pages (login, agent desk, supervisor wallboard, and the pages others add),
served by the server itself from the built assets shipped in this package (``static/``, built from
``frontend/`` beside it: ``cd callcenter/web/frontend && npm ci && npm run build``; see docs/web.md).

:func:`setup_pages` mounts ``GET /`` (the single page; the pages are hash routes such as ``/#/desk``)
and ``GET /static/...`` on the aiohttp application. The pages speak only to the public API
(``/auth/*``, ``/api/*``, ``/api/ws``), so every action they offer is checked there.
"""
from __future__ import annotations

from .serve import STATIC_DIR, setup_pages

__all__ = ["STATIC_DIR", "setup_pages"]
