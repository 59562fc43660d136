"""The channel interface the IVR drives (the contract between the IVR, Asterisk/AGI, WebRTC and console).

Implementations:
* ``callcenter.asterisk.agi_channel.AgiChannel``: a live call over FastAGI.
* ``callcenter.ivr.console.ConsoleChannel``: ``callcenter ivr try`` (a supervisor types the caller's part).
* test doubles.

Rules every implementation follows:
* Every method may raise :class:`CallerHungUp` once the caller is gone; nothing else escapes for
  caller behaviour (silence, garbage digits). Channel/transport faults raise :class:`ChannelError`.
* Prompts are a list of :class:`Prompt`; text prompts are synthesized (and cached) by the channel
  through the speech layer, or printed by the console channel.
* ``recognize`` returns ``None`` when speech recognition is unavailable for the language (no model):
  callers of it then fall back to DTMF. Its result type, :class:`callcenter.speech.api.Recognition`,
  belongs to the speech layer (``ivr`` depends on ``speech``, never the reverse).
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Sequence

from ..speech.api import Recognition


def speech_serves(recognizer: object, language: str) -> bool:
    """``recognizer`` has a model for ``language`` (the same base language counts): what a channel's
    ``speech_available`` says."""
    if recognizer is None:
        return False
    try:
        langs = recognizer.languages()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001
        return False
    return any(lang == language or lang.split("-")[0] == language.split("-")[0] for lang in langs)


class CallerHungUp(Exception):
    """The caller hung up; the IVR stops and the call is finished."""


class ChannelError(Exception):
    """The channel failed for a reason other than the caller (Asterisk gone, protocol error)."""


@dataclass(frozen=True)
class Prompt:
    """One thing to play. ``kind``: ``file`` (a sound file name as Asterisk knows it, no extension),
    ``text`` (to synthesize), ``digits`` (say digit by digit), ``number`` (say as a number),
    ``silence`` (value = seconds)."""
    kind: str
    value: str
    language: str = "en-US"
    voice: str | None = None


@dataclass(frozen=True)
class DigitsResult:
    digits: str                 # what was pressed (terminator not included)
    timed_out: bool = False     # no (complete) input before the timeout


@dataclass(frozen=True)
class RecordResult:
    path: str                   # where the engine can read the recording
    duration: float             # seconds (0 when unknown)
    ended_by: str               # "dtmf", "silence", "timeout", "hangup"
    digit: str | None = None


@dataclass
class CallInfo:
    call_id: str
    caller: str = ""            # caller number (ANI)
    caller_name: str = ""
    did: str = ""               # dialled number
    channel: str = ""           # Asterisk channel name, when there is one
    language: str = "en-US"
    variables: dict[str, str] = field(default_factory=dict)


class Channel(abc.ABC):
    """What the IVR can do with a caller."""

    info: CallInfo

    @property
    def speech_available(self) -> bool:
        """True when ``recognize`` can work for the current language."""
        return False

    @abc.abstractmethod
    async def answer(self) -> None: ...

    @abc.abstractmethod
    async def play(self, prompts: Sequence[Prompt], escape_digits: str = "") -> str | None:
        """Play prompts in order; return the digit that interrupted them (barge-in) or None."""

    @abc.abstractmethod
    async def collect_digits(self, prompts: Sequence[Prompt], max_digits: int, timeout: float,
                             terminator: str = "#", inter_digit_timeout: float = 3.0) -> DigitsResult:
        """Play prompts (interruptible by a key) and collect up to ``max_digits`` digits."""

    @abc.abstractmethod
    async def wait_digit(self, timeout: float) -> str | None: ...

    async def collect_keys(self, prompts: Sequence[Prompt], max_digits: int, timeout: float,
                           terminator: str = "#", inter_digit_timeout: float = 3.0) -> DigitsResult:
        """``collect_digits`` built from ``play`` (interruptible by any key) and ``wait_digit``: for
        channels whose transport has no digit-collecting command of its own."""
        digits = ""
        first = await self.play(prompts, "0123456789*#")
        if first is not None:
            if terminator and first == terminator:
                return DigitsResult("", timed_out=False)
            digits = first
        while len(digits) < max_digits:
            d = await self.wait_digit(inter_digit_timeout if digits else timeout)
            if d is None:
                return DigitsResult(digits, timed_out=True)
            if terminator and d == terminator:
                return DigitsResult(digits, timed_out=False)
            digits += d
        return DigitsResult(digits, timed_out=False)

    @abc.abstractmethod
    async def record(self, name: str, max_seconds: float, silence_seconds: float = 2.0,
                     escape_digits: str = "#", beep: bool = True) -> RecordResult:
        """Record the caller into a file called ``name`` (no extension) in the recordings area."""

    async def recognize(self, prompts: Sequence[Prompt], phrases: Sequence[str] | None,
                        timeout: float = 5.0, language: str | None = None,
                        escape_digits: str = "0123456789*#", barge_in: bool | None = None) -> Recognition | None:
        """Play prompts, listen, and return what the caller said (restricted to ``phrases`` when
        given). A key pressed instead is returned as ``Recognition(text="", confidence=1, digits=...)``.
        ``None`` when recognition is unavailable. ``barge_in`` (the node's key; None = the channel's
        default, ``media.barge_in``): False = the caller's speech does not stop the prompts (channels that
        listen while playing then start listening after them)."""
        return None

    @abc.abstractmethod
    async def get_variable(self, name: str) -> str | None: ...

    @abc.abstractmethod
    async def set_variable(self, name: str, value: str) -> None: ...

    async def set_language(self, language: str) -> None:
        self.info.language = language

    @abc.abstractmethod
    async def exec_app(self, app: str, args: str = "") -> int:
        """Run a dialplan application (Asterisk) and return its result code."""

    @abc.abstractmethod
    async def transfer(self, destination: str) -> None:
        """Send the call to a destination (``context,exten,priority``, an extension, or a number)."""

    @abc.abstractmethod
    async def hangup(self) -> None: ...
