"""The ``webrtc`` component of the server: the gateway, the browser phones and the web callers' calls,
built from the configuration (``webrtc.*``, ``media.*``) by ``callcenter.app``.

Without Asterisk (no ``ami.servers``: the embedded mode) a web caller's call runs in the engine
(:mod:`callcenter.media.webrtc_call`) and browser agents are bridged by the engine itself. With Asterisk
and ``media.audiosocket_enabled`` web callers and browser agents are AudioSocket channels in Asterisk
(:mod:`callcenter.media.webrtc_asterisk`): the same dialplan, IVR, recording and listen/whisper.
"""
from __future__ import annotations

import logging
from typing import Any

from ..events import DomainEvent
from .channel import MediaChannel
from .playout import PromptAudio
from .webrtc import Busy, WebRTCGateway, WebRTCSettings
from .webrtc_asterisk import AsteriskWebRTC
from .webrtc_call import WebCalls
from .webrtc_overload import LagMonitor, OverloadGuard, OverloadSettings
from .webrtc_phones import BrowserPhones

log = logging.getLogger("callcenter.media.webrtc")


class WebRTCComponent:
    name = "webrtc"

    def __init__(self, gateway: WebRTCGateway, phones: BrowserPhones, calls: WebCalls,
                 asterisk: AsteriskWebRTC | None = None, *, guard: OverloadGuard | None = None,
                 publish: Any = None) -> None:
        self.gateway = gateway
        self.phones = phones
        self.calls = calls
        self.asterisk = asterisk
        self.guard = guard or OverloadGuard()
        self.monitor = LagMonitor(self.guard)
        self.publish = publish

    def admit_caller(self) -> None:
        """Let a new web caller in, or refuse it (:class:`Busy`) when the server is overloaded or has as many
        web calls as ``webrtc.max_calls_per_core`` allows; calls in progress and agents' phones are untouched."""
        refusal = self.guard.admit(len(self.calls.tasks))
        if refusal is None:
            return
        log.warning("web caller refused: %s (%d refused so far)", refusal.message, sum(self.guard.refused.values()))
        if self.publish is not None:
            self.publish("WebCallRefused", {"reason": refusal.reason, "message": refusal.message,
                                            "calls_in_progress": len(self.calls.tasks)})
        raise Busy(refusal.message, refusal.retry_after)

    @classmethod
    def build(cls, cfg: Any, bus: Any, clock: Any, asterisk: Any = None, speech: Any = None) -> "WebRTCComponent":
        def publish(kind: str, data: dict) -> None:
            bus.publish(DomainEvent(kind, clock.now(), agent_id=data.get("interface"), data=data))

        gateway = WebRTCGateway(WebRTCSettings.from_config(cfg.webrtc))
        via = None
        if cfg.ami.enabled_servers:
            if getattr(asterisk, "audiosocket", None) is not None:
                via = AsteriskWebRTC(asterisk.control, caller_number=cfg.webrtc.caller_number,
                                     sample_rate=cfg.webrtc.sample_rate, bus=bus)
            else:
                log.info("web callers and browser agents reach Asterisk through AudioSocket channels: set "
                            "media.audiosocket_enabled: true; until then web calls run in the engine and reach "
                            "browser agents only")
        phones = BrowserPhones(getattr(asterisk, "control", None), asterisk, publish=publish,
                               asterisk_leg=via.agent_leg if via is not None else None)
        calls = WebCalls(None, did=cfg.webrtc.caller_number, phones=phones,
                         asterisk_caller=via.caller if via is not None else None,
                         synthesizer=getattr(speech, "synthesizer", None),
                         recognizer=getattr(speech, "recognizer", None),
                         # one prompt cache for every web call (prompts prefetched by one call serve the next)
                         channel_kw={**MediaChannel.options_from_config(cfg),
                                     "prompt_audio": PromptAudio(getattr(speech, "synthesizer", None),
                                                                 [cfg.prompts_dir])})
        return cls(gateway, phones, calls, via, guard=OverloadGuard(OverloadSettings.from_config(cfg.webrtc)),
                   publish=publish)

    async def start(self) -> None:
        await self.gateway.start()
        self.monitor.start()

    async def stop(self) -> None:
        await self.monitor.stop()
        await self.calls.stop()
        if self.asterisk is not None:
            await self.asterisk.stop()
        await self.phones.stop()
        await self.gateway.stop()

    def status(self) -> dict[str, Any]:
        return {**self.gateway.status(), "mode": "asterisk" if self.asterisk is not None else "embedded",
                "calls": self.calls.status(), "phones": self.phones.status(), "overload": self.guard.status(),
                **({"asterisk": self.asterisk.status()} if self.asterisk is not None else {})}
