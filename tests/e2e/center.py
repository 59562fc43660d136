"""The whole server (App: store, HTTP API, FastAGI + AMI service, call engine) against the Asterisk double
(AMI server + FastAGI dialer on loopback), with provisioned agents and queues: what the e2e, web and
recordings tests drive.

:class:`Center`: ``center.call(Caller(...))``, ``center.api(...)``, ``center.cdrs()``, ``center.events()``,
``await center.restart()`` (the shared part: :class:`tests.server_under_test.ServerUnderTest`);
:func:`running_center` provisions, starts and always closes one.
"""
from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp

from tests.asterisk_double import AgentPhone, AsteriskDouble, Caller
from tests.asterisk_double.caller import CallSession
from tests.server_under_test import ServerUnderTest
from callcenter.app import App
from callcenter.config import load_config
from callcenter.store import provision, repo
from callcenter.store.db import Database

FLOWS = Path(__file__).resolve().parents[1] / "fixtures" / "flows"

TOKENS = {
    "tok-admin": {"user": "root", "role": "admin"},
    "tok-sup": {"user": "sue", "role": "supervisor"},
    "tok-a00": {"user": "a00", "role": "agent", "agent": "a00"},
    "tok-a01": {"user": "a01", "role": "agent", "agent": "a01"},
}

QUEUES = [
    {"name": "support", "strategy": "longest-idle", "sl_target": 20, "wrapup": 0.2},
    {"name": "billing", "strategy": "best-skill", "sl_target": 20, "wrapup": 0.2},
    {"name": "technical", "strategy": "longest-idle", "sl_target": 30, "wrapup": 0.2},
    {"name": "sales", "strategy": "round-robin", "sl_target": 15, "wrapup": 0.2},
]


def agents_doc(n: int = 20) -> list[dict]:
    """Mixed skills: billing specialists, technicians, sellers, and some who do two things."""
    out = []
    for i in range(n):
        group = i % 4
        skills: dict[str, int] = {}
        queues: dict[str, int] = {"support": 1}
        if group in (0, 3):
            skills["billing"] = 2 + i % 4
            queues["billing"] = 0
        if group in (1, 3):
            skills["tech"] = 2 + i % 3
            queues["technical"] = 0
        if group == 2 or i % 5 == 0:
            skills["sales"] = 1 + i % 5
            queues["sales"] = 0
        out.append({"name": f"a{i:02d}", "full_name": f"Agent {i:02d}", "extension": str(3000 + i),
                    "languages": ["en-US"], "skills": skills, "queues": queues})
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedialSession(CallSession):
    """A caller whose dialplan runs ``AGI(.../ivr)`` again when the engine goes away mid-call (what
    ``docs/operations.md`` asks of the dialplan): same channel, same variables, new FastAGI session."""

    def __init__(self, double, caller, host, port_fn, redial_for: float = 20.0, redial_pause: float = 0.1) -> None:
        super().__init__(double, caller, host, port_fn())
        self.port_fn = port_fn
        self.redial_for = redial_for
        self.redial_pause = redial_pause       # the dialplan's MusicOnHold(default,${CC_AGI_RETRY_WAIT})
        self.sessions = 0

    async def run(self) -> Caller:  # noqa: C901 - mirrors CallSession.run with a redial loop
        c, d = self.c, self.d
        ch = d.model.new_channel(d.model.channel_name("PJSIP/caller"), caller_num=c.caller_id,
                                 caller_name=c.caller_name, context="cc-inbound", exten=c.did, state=4)
        c.channel = ch
        ch.on_hangup.append(lambda _ch: self._on_channel_gone())
        loop = asyncio.get_running_loop()
        timers = [loop.call_later(c.max_duration, self.caller_hangs_up)]
        if c.hangup_after is not None:
            timers.append(loop.call_later(c.hangup_after, self.caller_hangs_up))
        try:
            deadline = None
            while ch.alive and not self.dead:
                try:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port_fn())
                except OSError:
                    deadline = deadline or loop.time() + self.redial_for
                    if loop.time() > deadline:
                        break
                    await asyncio.sleep(0.1)
                    continue
                deadline = None
                self.sessions += 1
                c.variables.pop("CC_AGI_STATUS", None)     # Set(CC_AGI_STATUS=) before AGI()
                env = [("agi_network", "yes"), ("agi_network_script", c.path), ("agi_channel", ch.name),
                       ("agi_language", c.language), ("agi_type", "PJSIP"), ("agi_uniqueid", ch.uniqueid),
                       ("agi_version", "22.10.1"), ("agi_callerid", c.caller_id),
                       ("agi_calleridname", c.caller_name), ("agi_dnid", c.did), ("agi_context", "cc-inbound"),
                       ("agi_extension", c.did), ("agi_priority", "2")]
                self.writer.write("".join(f"{k}: {v}\n" for k, v in env).encode() + b"\n")
                c.closed_by_engine = False
                await self._loop()
                self.writer.close()
                if not c.closed_by_engine or c.variables.get("CC_AGI_STATUS"):
                    break                              # ok / transfer / error: not a retry case
                await asyncio.sleep(self.redial_pause)     # music on hold, then AGI() again
        finally:
            for t in timers:
                t.cancel()
            if ch.alive:
                d.model.hangup(ch)
            if not self.done.done():
                self.done.set_result(c)
        return c


class Center(ServerUnderTest):
    """The whole server against the Asterisk double, with provisioned agents and queues."""

    def __init__(self, tmp: Path, double: AsteriskDouble, speech: Any, *, agents: int = 20,
                 overrides: dict | None = None) -> None:
        self.tmp = tmp
        self.double = double
        self.speech = speech
        self.n_agents = agents
        self.agi_port = free_port()
        self.overrides = {
            "data_dir": str(tmp / "data"), "http.host": "127.0.0.1", "http.port": 0,
            "agi.host": "127.0.0.1", "agi.port": self.agi_port, "ami.servers": [double.server_config()],
            "ami.reconnect_min_delay": 0.1, "ami.reconnect_max_delay": 0.5, "ami.ping_interval": 5.0,
            "ivr.flows_dir": str(FLOWS), "ivr.default_flow": "e2e", "ivr.fallback_queue": "support",
            "acd.rona_timeout": 4.0, "acd.tick_interval": 0.1, "acd.default_wrapup": 0.2,
            "acd.rona_strikes": 3, "recordings.dir": str(tmp / "recordings"),
            "prompts.dir": str(tmp / "prompts"), "api.tokens": TOKENS,
        }
        self.overrides.update(overrides or {})
        self.config = load_config(env={}, overrides=self.overrides)
        self.app: App | None = None
        self.http: aiohttp.ClientSession | None = None
        self.sessions: list[CallSession] = []

    async def provision(self) -> None:
        db = Database(self.config.database_url)
        await db.connect()
        await db.upgrade()
        doc = {"skills": [{"name": n} for n in ("billing", "tech", "sales")], "queues": QUEUES,
               "agents": agents_doc(self.n_agents),
               "users": [{"username": "boss", "password": "boss-pw", "role": "supervisor"}]}
        async with db.session() as s:
            await provision.import_data(s, doc, "e2e")
            self.user_token = await repo.create_api_token(s, "boss", "e2e")
        await db.close()
        for a in agents_doc(self.n_agents):
            if a["extension"] not in self.double.phones:
                self.double.add_phone(AgentPhone(a["extension"], answer_after=0.1, talk_seconds=0.5))

    async def start(self) -> "Center":
        # the same components `callcenter serve` builds, with the session's speech service shared
        # (its models load once)
        self.app = App(self.config, speech=self.speech)
        await self.app.start()
        if self.http is None:
            self.http = aiohttp.ClientSession()
        svc = self.app.components["asterisk"]
        if svc.clients:
            await self.double.wait_for(lambda: any(c.connected for c in svc.clients), 30)
        return self

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def close(self) -> None:
        await self.stop()
        if self.http is not None:
            await self.http.close()

    @property
    def asterisk(self):
        return self.app.components["asterisk"]

    async def login_agents(self, ids: list[str] | None = None, ready: bool = True) -> None:
        for aid in ids or sorted(self.engine.agents):
            st, body = await self.api("POST", f"/api/agents/{aid}/login", json={})
            assert st == 200, body
            if ready:
                st, body = await self.api("POST", f"/api/agents/{aid}/ready")
                assert st == 200, body

    def call(self, caller: Caller, redial: bool = False, redial_pause: float = 0.1) -> CallSession:
        if redial:
            s = RedialSession(self.double, caller, "127.0.0.1", lambda: self.agi_port, redial_pause=redial_pause)
            self.double.calls.append(s)
            self.double._spawn(s.run())
        else:
            s = self.double.start_call(caller, self.agi_port)
        self.sessions.append(s)
        return s

    async def wait_calls(self, sessions: list[CallSession], timeout: float = 60.0) -> None:
        await asyncio.wait_for(asyncio.gather(*(asyncio.shield(s.done) for s in sessions)), timeout)


@contextlib.asynccontextmanager
async def running_center(tmp: Path, double: AsteriskDouble, speech: Any, **kw: Any) -> AsyncIterator[Center]:
    """A provisioned, started :class:`Center` (``agents``, ``overrides`` as for Center), closed on exit."""
    c = Center(tmp, double, speech, **kw)
    await c.provision()
    await c.start()
    try:
        yield c
    finally:
        await c.close()
