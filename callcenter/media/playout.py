"""IVR prompts as PCM for a live leg: text through the prompt synthesizer (its cache), sound files from
the prompts folder or Asterisk's sound folders, digits and numbers spoken by the synthesizer (digits
from Asterisk's ``digits/<n>`` sounds when there is none), silence.

``PromptAudio.render(prompts, rate)`` returns the PCM (16-bit mono at ``rate``) of a prompt list;
a file that cannot be found raises :class:`PromptFileMissing` naming the file and the folders tried.
Decoded files are kept in a small memory cache (path, mtime, rate).
"""
from __future__ import annotations

import asyncio
import logging
import math
from collections import OrderedDict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..ivr.channel import ChannelError, Prompt

log = logging.getLogger("callcenter.media.playout")

#: where Asterisk keeps its sounds on common installs (``<dir>/<lang>/...`` first, then ``<dir>/...``)
ASTERISK_SOUND_DIRS = ("/var/lib/asterisk/sounds", "/usr/share/asterisk/sounds")
#: file extensions tried for a sound name, best quality first
SOUND_EXTENSIONS = ("wav", "sln16", "sln", "slin", "ulaw", "alaw", "gsm", "WAV")


class PromptFileMissing(ChannelError):
    """A ``file`` prompt names a sound that is in none of the folders searched."""


def tone(freq: float, seconds: float, rate: int, level_db: float = -12.0) -> bytes:
    """A sine tone (the recording beep)."""
    n = int(seconds * rate)
    x = np.sin(2 * math.pi * freq * np.arange(n) / rate) * 32767 * 10 ** (level_db / 20)
    return np.rint(x).astype("<i2").tobytes()


class PromptAudio:
    """Renders IVR prompts to PCM (shared by :class:`~callcenter.media.channel.MediaChannel` and the
    streaming path of :class:`~callcenter.asterisk.agi_channel.AgiChannel`)."""

    CACHE_ENTRIES = 256

    def __init__(self, synthesizer: Any = None, sound_dirs: Sequence[str | Path] = (),
                 asterisk_sounds: Sequence[str | Path] = ASTERISK_SOUND_DIRS):
        self.synthesizer = synthesizer
        self.sound_dirs = [Path(d) for d in sound_dirs if d]
        self.asterisk_sounds = [Path(d) for d in asterisk_sounds if d]
        self._cache: "OrderedDict[tuple, bytes]" = OrderedDict()

    # -- files -------------------------------------------------------------------------------------
    def _candidates(self, name: str, language: str) -> list[Path]:
        p = Path(name)
        ext = p.suffix.lstrip(".")
        names = [name] if ext in SOUND_EXTENSIONS else [f"{name}.{e}" for e in SOUND_EXTENSIONS]
        if p.is_absolute():
            return [Path(n) for n in names]
        lang = (language or "en-US").replace("_", "-")
        bases: list[Path] = []
        for d in self.sound_dirs:
            bases += [d / lang, d]
        for d in self.asterisk_sounds:
            bases += [d / lang.split("-")[0], d / lang.replace("-", "_"), d]
        return [b / n for b in bases for n in names]

    def find(self, name: str, language: str = "en-US") -> Path:
        for c in self._candidates(name, language):
            if c.is_file():
                return c
        tried = [str(d) for d in self.sound_dirs] + [str(d) for d in self.asterisk_sounds]
        raise PromptFileMissing(f"sound file {name!r} not found (looked in {', '.join(tried) or 'no folder'}"
                                f" and their language subfolders, extensions {', '.join(SOUND_EXTENSIONS[:-1])})")

    def read(self, path: Path, rate: int) -> bytes:
        from ..speech.audio import read_audio, resample
        try:
            key = (str(path), path.stat().st_mtime_ns, rate)
        except OSError as exc:
            raise PromptFileMissing(f"sound file {path} cannot be read: {exc.strerror}") from None
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        try:
            x, src = read_audio(path)
        except Exception as exc:  # noqa: BLE001 - AudioError, ffmpeg missing: name the file
            raise ChannelError(f"sound file {path} cannot be decoded: {exc}") from None
        pcm = np.asarray(resample(x, src, rate), dtype="<i2").tobytes()
        self._cache[key] = pcm
        if len(self._cache) > self.CACHE_ENTRIES:
            self._cache.popitem(last=False)
        return pcm

    # -- prompts -----------------------------------------------------------------------------------
    async def _text(self, text: str, language: str, voice: str | None, rate: int) -> bytes:
        if self.synthesizer is None:
            log.warning("text prompt skipped: no synthesizer configured (%r)", text[:60])
            return b""
        try:
            sp = await self.synthesizer.synthesize(text, language, voice)
        except Exception as exc:  # noqa: BLE001 - a synthesis failure must not drop the call
            log.error("text prompt could not be synthesized (%s): %r", exc, text[:60])
            return b""
        return await asyncio.get_running_loop().run_in_executor(None, self.read, Path(sp.path), rate)

    async def _say_with_sounds(self, kind: str, value: str, language: str, rate: int) -> bytes:
        """Without a synthesizer: digits from Asterisk's ``digits/<n>`` sounds (what ``SAY DIGITS``
        plays); a number needs the synthesizer (Asterisk's number grammar is not redone here)."""
        if kind == "number":
            raise PromptFileMissing(f"number prompt {value!r} needs the prompt synthesizer (none configured)")
        loop = asyncio.get_running_loop()
        parts = []
        for d in value:
            parts.append(await loop.run_in_executor(None, self.read, self.find(f"digits/{d}", language), rate))
        return b"".join(parts)

    async def render_one(self, p: Prompt, rate: int, language: str = "en-US") -> bytes:
        lang = p.language or language
        if p.kind == "file":
            path = self.find(p.value, lang)
            return await asyncio.get_running_loop().run_in_executor(None, self.read, path, rate)
        if p.kind == "text":
            return await self._text(p.value, lang, p.voice, rate)
        if p.kind in ("digits", "number"):
            keep = "0123456789" + ("-" if p.kind == "number" else "")
            value = "".join(ch for ch in str(p.value) if ch in keep)
            if not value:
                return b""
            if self.synthesizer is None:
                return await self._say_with_sounds(p.kind, value, lang, rate)
            text = " ".join(value) if p.kind == "digits" else value
            return await self._text(text, lang, p.voice, rate)
        if p.kind == "silence":
            try:
                secs = max(0.0, float(p.value))
            except ValueError:
                secs = 1.0
            return bytes(int(secs * rate) * 2)
        log.warning("unknown prompt kind %r skipped", p.kind)
        return b""

    async def render(self, prompts: Sequence[Prompt], rate: int, language: str = "en-US") -> bytes:
        parts = [await self.render_one(p, rate, language) for p in prompts]
        return b"".join(parts)
