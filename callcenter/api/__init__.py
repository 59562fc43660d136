"""HTTP side of the server (aiohttp).

* :mod:`.app`: the application factory ``create_web_app(deps)`` (:class:`~.app.WebDeps`: what the
  server hands in): ``GET /health``, ``GET /version``, ``POST /auth/login`` / ``/auth/logout`` (database
  users -> API tokens), then mounts the REST/WebSocket API of :mod:`.routes` (``setup_api``) with the
  call engine, bus, static tokens and a database token lookup.
* :mod:`.routes`, :mod:`.auth`, :mod:`.spec`, :mod:`.ws`, :mod:`.metrics`, :mod:`.errors`: the API itself.
"""
