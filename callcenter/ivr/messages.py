"""What the IVR interpreter and its runner say to each other: events (what happened, fed to
``Interpreter.step``) and actions (what to do; a request is answered with an event).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..speech.api import Recognition
from .channel import Prompt, RecordResult
from .outcome import IvrOutcome

__all__ = ["Started", "PlayDone", "Digits", "Speech", "Recorded", "HttpDone", "LanguageSet", "HungUp", "Failed", "Play", "CollectDigits", "Recognize", "Record", "HttpRequest", "SetLanguage", "Transfer", "Hangup", "Finish", "REQUESTS"]


# ------------------------------------------------------------------------------------------------
# Events (what happened; fed to step)

@dataclass(frozen=True)
class Started:
    speech_available: bool = False


@dataclass(frozen=True)
class PlayDone:
    digit: str | None = None        # the key that interrupted the prompt (barge-in)


@dataclass(frozen=True)
class Digits:
    digits: str = ""
    timed_out: bool = False


@dataclass(frozen=True)
class Speech:
    recognition: Recognition | None  # None: recognition unavailable (fall back to DTMF)


@dataclass(frozen=True)
class Recorded:
    result: RecordResult


@dataclass(frozen=True)
class HttpDone:
    status: int | None = None
    body: Any = None
    error: str | None = None


@dataclass(frozen=True)
class LanguageSet:
    speech_available: bool = False  # can the channel recognize speech in the new language?


@dataclass(frozen=True)
class HungUp:
    pass


@dataclass(frozen=True)
class Failed:
    error: str = ""


# ------------------------------------------------------------------------------------------------
# Actions (what to do)

@dataclass(frozen=True)
class Play:
    prompts: tuple[Prompt, ...]
    escape_digits: str = ""


@dataclass(frozen=True)
class CollectDigits:
    prompts: tuple[Prompt, ...]
    max_digits: int = 1
    timeout: float = 5.0
    terminator: str = "#"
    inter_digit_timeout: float = 3.0


@dataclass(frozen=True)
class Recognize:
    prompts: tuple[Prompt, ...]
    phrases: tuple[str, ...] | None = None
    timeout: float = 5.0
    language: str = "en-US"
    barge_in: bool | None = None    # the caller's speech may stop the prompt (node key; None: channel default)


@dataclass(frozen=True)
class Record:
    name: str
    max_seconds: float = 120.0
    silence_seconds: float = 3.0
    beep: bool = True
    escape_digits: str = "#"


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    timeout: float = 3.0


@dataclass(frozen=True)
class SetLanguage:
    language: str
    voice: str | None = None


@dataclass(frozen=True)
class Transfer:
    destination: str


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Finish:
    outcome: IvrOutcome


REQUESTS = (Play, CollectDigits, Recognize, Record, HttpRequest, SetLanguage)
