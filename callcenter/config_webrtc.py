"""The ``webrtc.*`` configuration keys and their checks (kept beside ``config.py``, which is at its size
limit; ``config.py`` puts them in its ``DEFAULTS`` table and calls :func:`problem`)."""
from __future__ import annotations

from dataclasses import field, make_dataclass
from typing import Any, Mapping

DEFAULTS: dict[str, Any] = {            # web callers (/call) and agents' browser phones (/phone): docs/media.md
    "enabled": True,                    # serve /call and /phone and their signalling
    "callers": "open",                  # open: anyone reaching the HTTP server may call; token: an API token
    "caller_number": "8800",            # a web caller's DID: its IVR flow (ivr.dids); with Asterisk the
                                        # extension in cc-inbound
    "sample_rate": 8000,                # of the WebRTC legs' frames (8000 or 16000)
    "ice_servers": [],                  # STUN/TURN URLs; empty: host candidates only (never a public STUN)
    "ice_username": None,               # credentials for turn: URLs
    "ice_password": None,               # ... and their password
    "host_addresses": [],               # host candidate addresses; empty: every interface but loopback
    "max_sessions": 100,                # concurrent browser sessions (callers + agent phones)
    "connect_timeout": 20.0,            # seconds for ICE/DTLS to connect after the answer
    "media_timeout": 10.0,              # a connected browser sending no audio this long has vanished
    # overload: NEW web callers are refused (503 busy) when the server cannot keep up; calls in progress
    # and agents' phones are never touched (callcenter/media/webrtc_overload.py)
    "max_calls_per_core": 8,            # web calls in progress per core (0: no limit)
    "cores": 0,                         # cores that limit counts (0: the machine's)
    "overload_lag_ms": 500,             # the event loop late by more than this ...
    "overload_seconds": 5.0,            # ... for this long: overloaded; on time this long: recovered
    "overload_retry_after": 30,         # seconds a refused caller is told to wait (Retry-After)
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
    for key in ("max_calls_per_core", "overload_lag_ms", "overload_seconds", "overload_retry_after"):
        v = rtc[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            return f"key 'webrtc.{key}' must be a number >= 0, got {v!r}"
    if rtc["overload_lag_ms"] <= 0 or rtc["overload_seconds"] <= 0:
        return "keys 'webrtc.overload_lag_ms' and 'webrtc.overload_seconds' must be > 0"
    cores = rtc["cores"]
    if isinstance(cores, bool) or not isinstance(cores, int) or cores < 0:
        return f"key 'webrtc.cores' must be a whole number >= 0 (0: the machine's), got {cores!r}"
    return None
