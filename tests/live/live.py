"""What the live tests use: a PRIVATE real Asterisk (``CALLCENTER_TEST_ASTERISK=/opt/asterisk``, the install
prefix) with the project's ``asterisk_conf/`` deployed, the whole server in-process (App: store, API,
FastAGI + AMI, engine), real baresip agent phones and baresip / SIPp callers.

Everything runs on loopback with ports of its own (see ``harness.py``); ``conftest.py`` skips the
tests (saying why) when no Asterisk is named or baresip / sipp are missing.
"""
from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
import aiohttp

from callcenter.app import App
from callcenter.config import load_config
from callcenter.store import provision
from callcenter.store import recordings as store_rec
from callcenter.store.db import Database
from tests.server_under_test import ServerUnderTest

from .harness import Baresip, PrivateAsterisk, free_port, tone_wav

FLOWS = Path(__file__).resolve().parents[1] / "fixtures" / "flows"
PREFIX = os.environ.get("CALLCENTER_TEST_ASTERISK", "")

#: agents: extension, skills, queues (7001-7003 are baresip phones)
AGENTS = [
    {"name": "ann", "full_name": "Ann", "extension": "7001", "skills": {"billing": 3, "sales": 2},
     "queues": {"support": 0, "billing": 0, "sales": 0}, "languages": ["en-US"]},
    {"name": "ben", "full_name": "Ben", "extension": "7002", "skills": {"tech": 3, "billing": 2},
     "queues": {"support": 1, "technical": 0, "billing": 1}, "languages": ["en-US"]},
    {"name": "cat", "full_name": "Cat", "extension": "7003", "skills": {"sales": 3},
     "queues": {"support": 2, "sales": 0}, "languages": ["en-US"]},
]
QUEUES = [
    {"name": "support", "strategy": "longest-idle", "sl_target": 20, "wrapup": 0.5},
    {"name": "billing", "strategy": "longest-idle", "sl_target": 20, "wrapup": 0.5},
    {"name": "technical", "strategy": "longest-idle", "sl_target": 30, "wrapup": 0.5},
    {"name": "sales", "strategy": "longest-idle", "sl_target": 15, "wrapup": 0.5},
]
TOKENS = {"tok-sup": {"user": "sue", "role": "supervisor"}}
#: each agent phone "speaks" its own tone, each caller another: a recording shows who was heard
AGENT_TONE = {"7001": 440.0, "7002": 550.0, "7003": 660.0}
CALLER_TONE = 1000.0


def missing() -> str | None:
    if not PREFIX:
        return "set CALLCENTER_TEST_ASTERISK=<Asterisk install prefix, e.g. /opt/asterisk> to run the live suite"
    if not (Path(PREFIX) / "sbin" / "asterisk").exists():
        return f"CALLCENTER_TEST_ASTERISK={PREFIX}: no sbin/asterisk there"
    for tool in ("baresip", "sipp"):
        if not shutil.which(tool):
            return f"{tool} is not installed (Debian: baresip-core, sip-tester)"
    return None


_SPEECH = None


def _speech():
    """One speech service for the whole run (models load once), as the e2e tests do."""
    global _SPEECH
    if _SPEECH is None:
        import tempfile

        from callcenter.speech.service import build_speech_service
        d = tempfile.mkdtemp(prefix="cc-live-speech-")
        _SPEECH = build_speech_service(load_config(env={}, overrides={"data_dir": d, "prompts.dir": d + "/prompts"}))
        _SPEECH.start_sync()
    return _SPEECH


class Live(ServerUnderTest):
    """The private Asterisk + the server + the phones, for one test (what it asks of the server:
    :class:`tests.server_under_test.ServerUnderTest`)."""

    settle_timeout = 20.0

    def __init__(self, tmp: Path, overrides: dict | None = None, *, prefix: str = "", agents: list | None = None,
                 queues: list | None = None, speech: bool = True) -> None:
        self.tmp = tmp
        self.overrides = dict(overrides or {})     # configuration keys a test changes
        self.agents = agents or AGENTS             # (bench/webrtc_bench.py --asterisk: its own agents, no speech)
        self.queues = queues or QUEUES
        self.speech = speech
        self.agi_port = free_port()
        self.ast = PrivateAsterisk(prefix or PREFIX, tmp / "ast", agi_port=self.agi_port, agents=[
            {"name": a["name"], "full_name": a["full_name"], "extension": a["extension"]} for a in self.agents],
            callers=["1000", "1001"])
        self.config = None
        self.app: App | None = None
        self.http: aiohttp.ClientSession | None = None
        self.phones: dict[str, Baresip] = {}

    # -- life ------------------------------------------------------------------------------------------
    async def start(self) -> "Live":
        self.ast.write_config(self.tmp / "sip_passwords.yaml")
        await asyncio.to_thread(self.ast.start)
        self.config = load_config(env={}, overrides={
            "data_dir": str(self.tmp / "data"), "http.host": "127.0.0.1", "http.port": 0,
            "agi.host": "127.0.0.1", "agi.port": self.agi_port, "ami.servers": [self.ast.ami_server()],
            "ami.reconnect_min_delay": 0.2, "ami.reconnect_max_delay": 1.0, "ami.ping_interval": 5.0,
            "ivr.flows_dir": str(FLOWS), "ivr.default_flow": "e2e", "ivr.fallback_queue": "support",
            "acd.rona_timeout": 6.0, "acd.tick_interval": 0.2, "acd.default_wrapup": 0.5, "acd.rona_strikes": 3,
            "recordings.dir": str(self.tmp / "ast" / "rec"), "prompts.dir": str(self.tmp / "prompts"),
            "api.tokens": TOKENS, **self.overrides})
        await self._provision()
        await self.start_engine()
        return self

    async def _provision(self) -> None:
        db = Database(self.config.database_url)
        await db.connect()
        await db.upgrade()
        doc = {"skills": [{"name": n} for n in ("billing", "tech", "sales")], "queues": self.queues,
               "agents": self.agents}
        async with db.session() as s:
            await provision.import_data(s, doc, "live")
        await db.close()

    async def start_engine(self) -> None:
        self.app = App(self.config, speech=_speech() if self.speech else None)   # what `callcenter serve` builds
        await self.app.start()
        if self.http is None:
            self.http = aiohttp.ClientSession()
        svc = self.app.components["asterisk"]
        await self.wait_for(lambda: any(c.connected for c in svc.clients), 15)

    async def stop_engine(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def close(self) -> None:
        for p in self.phones.values():
            await asyncio.to_thread(p.stop)
        await self.stop_engine()
        if self.http is not None:
            await self.http.close()
        await asyncio.to_thread(self.ast.stop)

    # -- phones ----------------------------------------------------------------------------------------
    async def phone(self, ext: str, *, auto_answer: bool = True, tone: float | None = None,
                    sip_port: int | None = None) -> Baresip:
        """A baresip phone registered as ``ext``; ``sip_port``: its SIP port (``ast.trunk_port``: the
        phone is also what the trunk reaches, e.g. a customer called back)."""
        freq = tone or AGENT_TONE.get(ext, CALLER_TONE)
        mic = tone_wav(self.tmp / "tones" / f"{int(freq)}.wav", freq, 120)
        p = Baresip(self.tmp, ext, self.ast.sip_passwords[ext], self.ast, mic=mic, auto_answer=auto_answer,
                    sip_port=sip_port)
        p.start()
        self.phones[ext] = p
        await p.wait_registered()
        await self.wait_for(lambda: self.engine_phone_idle(f"PJSIP/{ext}"), 10)
        return p

    def engine_phone_idle(self, iface: str) -> bool:
        return bool(self.app and self.app.components["asterisk"].phone_idle(iface))

    # -- the server ------------------------------------------------------------------------------------
    async def ready(self, *agents: str) -> None:
        for a in agents:
            st, body = await self.api("POST", f"/api/agents/{a}/login", json={})
            assert st == 200, body
            st, body = await self.api("POST", f"/api/agents/{a}/ready")
            assert st == 200, body

    async def finished_recording(self, call_id: str, timeout: float = 20) -> dict:
        """The call's recording once it is finished (``ready`` or ``failed``), as the API shows it."""
        async def finished():
            async with self.app.db.session() as s:
                r = await store_rec.get_call_recording(s, call_id)
                return store_rec.recording_to_dict(r) if r is not None and r.status in ("ready", "failed") else None
        return await self.wait_for(finished, timeout, 0.2)

    async def channels(self) -> list[str]:
        """Live channel names, from Asterisk itself (CLI ``core show channels concise``; in a thread:
        the engine runs in this event loop)."""
        out = await asyncio.to_thread(self.ast.cli, "core show channels concise")
        return [line.split("!")[0] for line in out.splitlines() if "!" in line]
