"""Helpers of the WebRTC tests: a loopback-only gateway, tones, a server on its embedded defaults."""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np

from callcenter.app import App
from callcenter.config import load_config
from callcenter.media.webrtc import WebRTCGateway, WebRTCSettings
from callcenter.media.webrtc_client import PeerClient

FLOWS = Path(__file__).resolve().parents[1] / "fixtures" / "flows" / "webrtc"
TOKENS = {"tok-alice": {"user": "alice", "role": "agent", "agent": "alice"},
          "tok-dave": {"user": "dave", "role": "agent", "agent": "dave"},
          "tok-sup": {"user": "boss", "role": "supervisor"}}
LOOPBACK = ("127.0.0.1",)


def tone(freq: float, seconds: float = 1.0, rate: int = 8000, level: float = 8000.0) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return np.rint(level * np.sin(2 * np.pi * freq * t)).astype("<i2").tobytes()


def dominant_hz(pcm: bytes, rate: int) -> float:
    x = np.frombuffer(pcm[: len(pcm) // 2 * 2], "<i2").astype(float)
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spec) * rate / len(x))


def loud(pcm: bytes) -> bytes:
    """The part of ``pcm`` between its first and last loud 20 ms frame at 8 kHz."""
    x = np.frombuffer(pcm[: len(pcm) // 2 * 2], "<i2")
    f = 160
    n = len(x) // f
    if n == 0:
        return b""
    e = np.abs(x[: n * f].reshape(n, f)).max(axis=1)
    idx = np.nonzero(e > 1000)[0]
    return x[idx[0] * f: (idx[-1] + 1) * f].tobytes() if len(idx) else b""


def gateway(**kw: Any) -> WebRTCGateway:
    return WebRTCGateway(WebRTCSettings(host_addresses=LOOPBACK, **kw))


async def connect(gw: WebRTCGateway, rate: int = 8000, **kw: Any):
    """A client answered by ``gw`` with its data channel open: (client, leg)."""
    c = PeerClient(rate)
    leg, answer = await gw.answer(await c.offer(), **kw)
    await c.accept(answer)
    await asyncio.wait_for(c.opened.wait(), 10)
    return c, leg


def server_config(tmp: Path, **over: Any):
    shutil.rmtree(tmp / "data", ignore_errors=True)
    base = {"data_dir": str(tmp / "data"), "http.host": "127.0.0.1", "http.port": 0, "agi.port": 0,
            "ivr.flows_dir": str(FLOWS), "ivr.default_flow": "web_test", "webrtc.host_addresses": list(LOOPBACK),
            "acd.tick_interval": 0.1, "acd.rona_timeout": 3.0, "acd.default_wrapup": 0.2,
            "recordings.dir": str(tmp / "rec"), "prompts.dir": str(tmp / "prompts"), "api.tokens": TOKENS,
            "speech.enabled": False}
    base.update(over)
    return load_config(env={}, overrides=base)


class Server:
    """``callcenter serve`` on its defaults (no Asterisk: the embedded mode), in this process."""

    def __init__(self, tmp: Path, speech: Any = None, **over: Any) -> None:
        self.app = App(server_config(tmp, **over), speech=speech)
        self.http: aiohttp.ClientSession | None = None
        self.clients: list[PeerClient] = []

    async def __aenter__(self) -> "Server":
        await self.app.start()
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        for c in self.clients:
            await c.close()
        await self.http.close()
        await self.app.stop()

    @property
    def url(self) -> str:
        return "http://%s:%d" % tuple(self.app.http_address)

    @property
    def engine(self):
        return self.app.components["engine"]

    @property
    def webrtc(self):
        return self.app.components["webrtc"]

    async def post(self, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.http.post(self.url + path, json=body, headers=headers) as r:
            return r.status, await r.json()

    async def call(self, rate: int = 8000) -> tuple[PeerClient, dict]:
        c = PeerClient(rate)
        self.clients.append(c)
        st, answer = await self.post("/webrtc/call", await c.offer())
        assert st == 200, answer
        await c.accept(answer)
        await asyncio.wait_for(c.opened.wait(), 10)
        return c, answer

    async def agent_phone(self, agent: str, token: str, ready: bool = True) -> PeerClient:
        c = PeerClient(8000)
        self.clients.append(c)
        st, answer = await self.post("/api/webrtc/phone", await c.offer(), token)
        assert st == 200, answer
        await c.accept(answer)
        await asyncio.wait_for(c.opened.wait(), 10)
        st, body = await self.post(f"/api/agents/{agent}/login", {"phone": answer["interface"]}, token)
        assert st == 200, body
        if ready:
            st, body = await self.post(f"/api/agents/{agent}/ready", None, token)
            assert st == 200 and body["state"] == "ready", body
        return c
