"""The ``media.*`` configuration keys and their checks (kept beside ``config.py``, which is at its size
limit; ``config.py`` puts them in its ``DEFAULTS`` table and calls :func:`problem`)."""
from __future__ import annotations

from dataclasses import field, make_dataclass
from typing import Any, Mapping

from .priority import realtime_problem

DEFAULTS: dict[str, Any] = {            # the live audio path: docs/media.md
    "nice": -10,                    # niceness step for `callcenter serve` at start: the live path (event loop, speech workers) ahead of batch work and other load; below 0 needs CAP_SYS_NICE (else said once, and 0)
    "realtime_priority": 1,         # SCHED_RR of the event loop + live speech workers (0: off; priority.py)
    "realtime_guard_ms": 1000,      # RLIMIT_RTTIME: real time dropped after this long without blocking
    "speech_mode": "file",          # file: RECORD FILE then decode (shared folder); stream: live AudioSocket audio, voice detection, barge-in (docs/media.md)
    "barge_in": True,               # the caller's speech stops the prompt (a node may say barge_in: false)
    "vad_aggressiveness": 2,        # webrtcvad 0 (least) .. 3 (most eager to call a frame non-speech)
    "vad_gate_db": 15.0,            # a speech frame must be this far above the adaptive noise floor
    "speech_start_ms": 120,         # voiced audio needed before speech counts as started
    "speech_end_ms": 500,           # trailing silence that ends the answer (VoiceXML incompletetimeout)
    "speech_end_complete_ms": 160,  # ... when what was heard so far is already a whole expected phrase (VoiceXML completetimeout)
    "speech_pause_ms": 100,         # trailing silence after which the recognizer decides on the answer so far (ready when the end comes; speech resuming discards it)
    "max_speech_s": 12.0,           # an answer longer than this is cut and decoded
    "preroll_ms": 300,              # audio before the detected start that the recognizer also gets
    "audiosocket_enabled": False,   # listen for Asterisk's AudioSocket connections (docs/media.md)
    "audiosocket_bind": "127.0.0.1:9092",   # host:port the AudioSocket server listens on
    "audiosocket_advertise": None,  # host:port Asterisk connects to (default: audiosocket_bind)
    "audiosocket_connect_timeout": 3.0,     # seconds for Asterisk to connect after EXEC/Originate
    "audiosocket_idle_timeout": 30.0,       # end a leg when Asterisk sends nothing this long (0 = never)
    "audiosocket_max_sessions": 1000,       # concurrent AudioSocket connections
}

#: ``cfg.media``: a frozen dataclass whose fields are the keys, defaults from ``DEFAULTS``
MediaSection = make_dataclass("MediaSection", [(k, Any, field(default=v)) for k, v in DEFAULTS.items()],
                              frozen=True)


def problem(media: Mapping[str, Any]) -> str | None:
    """What is wrong with the ``media`` section (``key 'media.x' must be ...``), or None."""
    if realtime_problem(media):
        return realtime_problem(media)
    if media["speech_mode"] not in ("file", "stream"):
        return f"key 'media.speech_mode' must be 'file' or 'stream', got {media['speech_mode']!r}"
    if not 0 <= media["vad_aggressiveness"] <= 3:
        return f"key 'media.vad_aggressiveness' must be 0..3, got {media['vad_aggressiveness']}"
    for key in ("speech_start_ms", "speech_end_ms", "speech_end_complete_ms", "speech_pause_ms", "preroll_ms"):
        if media[key] < 0 or media[key] % 20:
            return f"key 'media.{key}' must be a multiple of 20 (ms) and >= 0, got {media[key]}"
    if media["max_speech_s"] <= 0:
        return f"key 'media.max_speech_s' must be > 0, got {media['max_speech_s']}"
    return _audiosocket_problem(media)


def _audiosocket_problem(media: Mapping[str, Any]) -> str | None:
    for key in ("audiosocket_bind", "audiosocket_advertise"):
        value = media[key]
        if value is None and key == "audiosocket_advertise":
            continue
        host, sep, port = str(value).rpartition(":")
        if not sep or not host or not port.isdigit() or int(port) > 65535:
            return f"key 'media.{key}' must be host:port (e.g. 127.0.0.1:9092), got {value!r}"
    bind_host = str(media["audiosocket_bind"]).rpartition(":")[0].strip("[]")
    if media["audiosocket_enabled"] and not media["audiosocket_advertise"] and bind_host in ("0.0.0.0", "::"):
        return (f"key 'media.audiosocket_bind' {media['audiosocket_bind']!r} listens on every "
                "address: set 'media.audiosocket_advertise' to the host:port Asterisk must connect to")
    for key in ("audiosocket_connect_timeout", "audiosocket_idle_timeout"):
        if media[key] < 0:
            return f"key 'media.{key}' must be >= 0, got {media[key]}"
    if media["audiosocket_max_sessions"] < 1:
        return f"key 'media.audiosocket_max_sessions' must be >= 1"
    return None
