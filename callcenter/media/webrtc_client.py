"""A WebRTC client (aiortc) that calls our gateway: what ``callcenter call``, the tests and the benchmark
use in place of a browser.

``PeerClient(rate)``: ``offer()`` builds the offer (one audio track, the ``control`` data channel, every
candidate in it); ``accept(answer)`` completes the exchange. ``say(pcm)`` queues audio to send (paced
20 ms frames, silence otherwise); ``press("12#")`` sends keys; ``hangup()`` says goodbye on the data
channel and closes. ``heard`` collects the audio received (at ``rate``), ``messages`` the JSON the
server sent on the data channel, ``ended`` is set when the server ends the call or the connection goes.
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable

import av
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from .leg import frame_bytes
from .webrtc import PacedTrack, PcmQueue, can_send


class PeerClient:
    def __init__(self, rate: int = 8000, *, on_message: Callable[[dict], None] | None = None,
                 keep_audio: bool = True) -> None:
        self.rate = rate
        self.pc = RTCPeerConnection(configuration=RTCConfiguration(iceServers=[]))
        self._out = PcmQueue(frame_bytes(rate))
        self.track = PacedTrack(rate, self._out.take)
        self.pc.addTrack(self.track)
        self.channel = self.pc.createDataChannel("control")
        self.channel.on("message", self._on_message)
        self.channel.on("close", self._gone)
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_state)
        self.on_message = on_message
        self.keep_audio = keep_audio
        self.messages: list[dict] = []
        self.heard = bytearray()
        self.frames_heard = 0
        self.ended = asyncio.Event()
        self.opened = asyncio.Event()
        self.channel.on("open", self.opened.set)
        self._reader: asyncio.Task | None = None
        self.session: str | None = None

    # -- signalling ------------------------------------------------------------------------------
    async def offer(self) -> dict:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return {"type": "offer", "sdp": self.pc.localDescription.sdp}

    async def accept(self, answer: dict) -> None:
        self.session = answer.get("session")
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))

    # -- events ----------------------------------------------------------------------------------
    def _gone(self) -> None:
        self.ended.set()

    def _on_state(self) -> None:
        if self.pc.connectionState in ("failed", "closed"):
            self.ended.set()

    def _on_message(self, message: Any) -> None:
        try:
            data = json.loads(message)
        except (TypeError, ValueError):
            return
        self.messages.append(data)
        if data.get("type") == "ended":
            self.ended.set()
        if self.on_message is not None:
            self.on_message(data)

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio" and self._reader is None:
            self._reader = asyncio.ensure_future(self._read(track))

    async def _read(self, track: MediaStreamTrack) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=self.rate)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.frames_heard += 1
            if self.keep_audio:
                for out in resampler.resample(frame):
                    self.heard += bytes(out.planes[0])[: out.samples * 2]

    # -- sending -----------------------------------------------------------------------------------
    def say(self, pcm: bytes) -> None:
        self._out.add(pcm)

    async def said(self) -> None:
        """Wait until everything queued by ``say`` has been sent."""
        await self._out.idle.wait()

    def send(self, message: dict) -> None:
        if can_send(self.channel):
            self.channel.send(json.dumps(message))

    def press(self, digits: str) -> None:
        self.send({"type": "dtmf", "digits": digits})

    def wait_message(self, kind: str, timeout: float = 10.0, after: int = 0):
        """A coroutine: the first message of ``kind`` (from index ``after``), or None after ``timeout``."""
        async def wait() -> dict | None:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                for m in self.messages[after:]:
                    if m.get("type") == kind:
                        return m
                await asyncio.sleep(0.02)
            return None
        return wait()

    async def hangup(self) -> None:
        self.send({"type": "hangup"})
        await asyncio.sleep(0.05)
        await self.close()

    async def close(self) -> None:
        self.track.stop()
        await self.pc.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        self.ended.set()
