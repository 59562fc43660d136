"""Speech interfaces shared by the IVR channels (the contract; backends live beside this module).

* :class:`Recognizer`: ``recognize_file`` for recorded answers (what the AGI path uses) and a
  streaming session (``stream``: feed PCM chunks, get partials and a final result) for live audio.
* :class:`Synthesizer`: text -> a cached audio file in a telephone format.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


class SpeechUnavailable(Exception):
    """No usable model for the language (the IVR then runs DTMF-only)."""


@dataclass(frozen=True)
class Recognition:
    text: str                   # best hypothesis ("" when nothing was understood)
    confidence: float           # 0..1
    alternatives: tuple[tuple[str, float], ...] = ()
    matched: str | None = None  # the expected phrase the text was matched to (grammar mode)
    digits: str | None = None   # set when the caller pressed keys instead of speaking
    audio_path: str | None = None
    # the recognizer was restricted to the expected phrases and heard speech that is none of them
    # (or not confidently): an answer, "no match"; ``text`` is then only what it heard, not a choice
    no_match: bool = False


class RecognitionStream(abc.ABC):
    @abc.abstractmethod
    def feed(self, pcm16: bytes) -> str | None:
        """Feed 16-bit mono PCM at the stream's sample rate; return a partial hypothesis or None."""

    @abc.abstractmethod
    def finish(self) -> Recognition: ...


class Recognizer(abc.ABC):
    name: str = "recognizer"

    @abc.abstractmethod
    def languages(self) -> list[str]:
        """Language tags this recognizer can do (e.g. ``en-US``, ``ko-KR``)."""

    @abc.abstractmethod
    async def recognize_file(self, path: str | Path, language: str,
                             phrases: Sequence[str] | None = None) -> Recognition:
        """Recognize a recorded file (any rate/format ffmpeg reads; telephone audio is 8 kHz).
        Runs off the event loop."""

    @abc.abstractmethod
    def stream(self, language: str, sample_rate: int = 8000,
               phrases: Sequence[str] | None = None) -> RecognitionStream: ...


@dataclass(frozen=True)
class SynthesizedPrompt:
    path: Path           # file on disk (with extension)
    asterisk_name: str   # what to hand to STREAM FILE (path as Asterisk sees it, no extension)
    duration: float
    cached: bool


class Synthesizer(abc.ABC):
    @abc.abstractmethod
    async def synthesize(self, text: str, language: str, voice: str | None = None) -> SynthesizedPrompt: ...
