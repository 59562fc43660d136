"""What tests ask of the whole server running in their own event loop (``callcenter.app.App``), whatever
telephony it talks to: the Asterisk double (``tests.e2e.center.Center``) or a private real Asterisk
(``tests.live.live.Live``).

:class:`ServerUnderTest` is mixed into both: its engine and URL, the REST API with a bearer token, the
call detail records and the event log as stored (the writer flushed first), waiting for a condition
with a deadline, and waiting until no call is left in the engine.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable

import aiohttp

from callcenter.app import App
from callcenter.engine.manager import CallManager
from callcenter.store import repo


#: the supervisor's token in both harnesses' ``api.tokens``: what ``api()`` sends unless told otherwise
SUPERVISOR_TOKEN = "tok-sup"


class ServerUnderTest:
    """Mixed into a test harness that sets ``self.app`` (a started App) and ``self.http`` (a client session)."""

    app: App | None = None
    http: aiohttp.ClientSession | None = None
    #: how long ``settle()`` waits for the engine's calls to end unless told otherwise
    settle_timeout: float = 10.0

    @property
    def engine(self) -> CallManager:
        return self.app.components["engine"]

    @property
    def url(self) -> str:
        host, port = self.app.http_address
        return f"http://{host}:{port}"

    async def api(self, method: str, path: str, json: Any = None, *, token: str | None = SUPERVISOR_TOKEN,
                  data: Any = None) -> tuple[int, Any]:
        """(status, body) of a REST call with ``token`` (None: no Authorization header)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.http.request(method, self.url + path, json=json, data=data, headers=headers) as r:
            body = await r.json() if r.content_type == "application/json" else await r.text()
            return r.status, body

    async def cdrs(self) -> list[dict]:
        """Every call detail record stored so far (oldest first)."""
        await self.app.writer.flush()
        async with self.app.db.session() as s:
            return [repo.call_to_dict(c) for c in await repo.list_calls(s, limit=None)]

    async def events(self, kind: str | None = None) -> list[dict]:
        """The stored event log, or only the events named ``kind``."""
        await self.app.writer.flush()
        async with self.app.db.session() as s:
            return [repo.event_to_dict(e) for e in await repo.list_events(s, event=kind, limit=None)]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
        """The first true value of ``predicate()`` (a plain or a coroutine function), polled every
        ``interval`` s; AssertionError after ``timeout`` s."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            v = predicate()
            if asyncio.iscoroutine(v):
                v = await v
            if v:
                return v
            if loop.time() > end:
                raise AssertionError(f"condition not met within {timeout} s")
            await asyncio.sleep(interval)

    async def settle(self, timeout: float | None = None) -> None:
        """Until no call is in the engine and every row is written."""
        await self.wait_for(lambda: not self.engine.calls, timeout or self.settle_timeout, 0.05)
        await self.app.writer.flush()
