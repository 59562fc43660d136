"""The ``webrtc.*`` configuration keys and their checks (kept beside ``config.py``, which is at its size
limit; ``config.py`` puts them in its ``DEFAULTS`` table and calls :func:`problem`)."""
from __future__ import annotations

from dataclasses import field, make_dataclass
from typing import Any, Mapping

DEFAULTS: dict[str, Any] = {            # web callers (/call) and agents' browser phones (/phone): docs/media.md
    "enabled": True,
    "callers": "open",                  # open: anyone reaching the HTTP server may call; token: an API token
    "caller_number": "8800",            # a web caller's DID: its IVR flow (ivr.dids); with Asterisk the
                                        # extension in cc-inbound
    "sample_rate": 8000,                # of the WebRTC legs' frames (8000 or 16000)
    "ice_servers": [],                  # STUN/TURN URLs; empty: host candidates only (never a public STUN)
    "ice_username": None,               # credentials for turn: URLs
    "ice_password": None,
    "host_addresses": [],               # host candidate addresses; empty: every interface but loopback
    "max_sessions": 100,                # concurrent browser sessions (callers + agent phones)
    "connect_timeout": 20.0,            # seconds for ICE/DTLS to connect after the answer
    "media_timeout": 10.0,              # a connected browser sending no audio this long has vanished
}

ICE_SCHEMES = ("stun", "stuns", "turn", "turns")

#: ``cfg.webrtc``: a frozen dataclass whose fields are the keys (lists as tuples), defaults from ``DEFAULTS``
WebRTCSection = make_dataclass("WebRTCSection", [(k, Any, field(default=tuple(v) if isinstance(v, list) else v))
                                                 for k, v in DEFAULTS.items()], frozen=True)


def problem(rtc: Mapping[str, Any]) -> str | None:
    """What is wrong with the ``webrtc`` section (``key 'webrtc.x' must be ...``), or None."""
    if rtc["callers"] not in ("open", "token"):
        return f"key 'webrtc.callers' must be 'open' or 'token', got {rtc['callers']!r}"
    if rtc["sample_rate"] not in (8000, 16000):
        return f"key 'webrtc.sample_rate' must be 8000 or 16000, got {rtc['sample_rate']!r}"
    for i, url in enumerate(rtc["ice_servers"]):
        if str(url).split(":", 1)[0] not in ICE_SCHEMES:
            return f"key 'webrtc.ice_servers[{i}]' must be a stun: or turn: URL, got {url!r}"
    return None
