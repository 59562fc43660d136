"""IVR prompts as PCM for a live leg: text through the prompt synthesizer (its cache), sound files from
the prompts folder or Asterisk's sound folders, digits and numbers spoken by the synthesizer (digits
from Asterisk's ``digits/<n>`` sounds when there is none), silence.

``PromptAudio.render(prompts, rate)`` returns the PCM (16-bit mono at ``rate``) of a prompt list;
a file that cannot be found raises :class:`PromptFileMissing` naming the file and the folders tried.
Decoded files are kept in a small memory cache (path, mtime, rate).

Synthesized prompts (text, digits, numbers) are kept as PCM at the leg's rate too, keyed by what
decides their audio (text, language, voice, rate; one synthesizer per ``PromptAudio``), bounded by
:attr:`PromptAudio.PCM_BYTES`: a hit is served on the event loop at once, with no thread hop and no
file access, so a prompt that is ready costs nothing between the caller's answer and its first frame.
``prefetch(prompts, rate)`` renders prompts into that cache ahead of time (the IVR runner passes the
prompts the running node can lead to while the caller listens or speaks: ``Interpreter.upcoming_prompts``),
bounded (:attr:`PromptAudio.PREFETCH_AT_ONCE` renders at a time, :attr:`PromptAudio.PREFETCH_QUEUE`
waiting), never blocking the loop; a render asked for while the same prompt is being prefetched waits
for that one instead of starting another, and a miss renders as before.
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
    #: synthesized prompts kept as PCM (bytes; 32 MB is ~35 minutes of 8 kHz audio)
    PCM_BYTES = 32 * 1024 * 1024
    #: prefetch renders running at once, and waiting (more are dropped: they render on demand)
    PREFETCH_AT_ONCE = 2
    PREFETCH_QUEUE = 32

    def __init__(self, synthesizer: Any = None, sound_dirs: Sequence[str | Path] = (),
                 asterisk_sounds: Sequence[str | Path] = ASTERISK_SOUND_DIRS):
        self.synthesizer = synthesizer
        self.sound_dirs = [Path(d) for d in sound_dirs if d]
        self.asterisk_sounds = [Path(d) for d in asterisk_sounds if d]
        self._cache: "OrderedDict[tuple, bytes]" = OrderedDict()
        self._pcm: "OrderedDict[tuple, bytes]" = OrderedDict()
        self._pcm_bytes = 0
        self._pending: dict[tuple, asyncio.Future] = {}     # renders under way (prefetch or play)
        self._queue: "OrderedDict[tuple, tuple]" = OrderedDict()   # prefetches waiting for a slot
        self._running = 0
        self._tasks: set[asyncio.Task] = set()
        self.stats = {"hits": 0, "misses": 0, "waited": 0, "prefetched": 0, "prefetch_dropped": 0}

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

    def _cached_file(self, path: Path, rate: int) -> bytes | None:
        """A decoded file from memory (on the loop: one stat), or None."""
        try:
            key = (str(path), path.stat().st_mtime_ns, rate)
        except OSError:
            return None
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
        return hit

    async def _file(self, path: Path, rate: int) -> bytes:
        hit = self._cached_file(path, rate)
        if hit is not None:
            return hit
        return await asyncio.get_running_loop().run_in_executor(None, self.read, path, rate)

    # -- synthesized prompts as PCM -------------------------------------------------------------------
    @staticmethod
    def _key(text: str, language: str, voice: str | None, rate: int) -> tuple:
        return (text, language, voice, rate)

    def cached(self, text: str, language: str, voice: str | None, rate: int) -> bool:
        """The synthesized ``text`` is ready as PCM at ``rate`` (what :meth:`render` would play at once)."""
        return self._key(text, language, voice, rate) in self._pcm

    def _keep(self, key: tuple, pcm: bytes) -> None:
        if not pcm or len(pcm) > self.PCM_BYTES // 4:
            return
        old = self._pcm.pop(key, None)
        self._pcm_bytes -= len(old) if old is not None else 0
        self._pcm[key] = pcm
        self._pcm_bytes += len(pcm)
        while self._pcm_bytes > self.PCM_BYTES and self._pcm:
            _k, v = self._pcm.popitem(last=False)
            self._pcm_bytes -= len(v)

    async def _synthesize(self, key: tuple) -> bytes:
        text, language, voice, rate = key
        try:
            sp = await self.synthesizer.synthesize(text, language, voice)
        except Exception as exc:  # noqa: BLE001 - a synthesis failure must not drop the call
            log.error("text prompt could not be synthesized (%s): %r", exc, text[:60])
            return b""
        pcm = await self._file(Path(sp.path), rate)
        self._keep(key, pcm)
        return pcm

    def _start(self, key: tuple) -> asyncio.Future:
        """The render of ``key`` as a task everyone asking for it shares (forgotten when done)."""
        task = asyncio.get_running_loop().create_task(self._synthesize(key))
        self._pending[key] = task
        task.add_done_callback(lambda t, k=key: self._pending.pop(k, None) if self._pending.get(k) is t else None)
        return task

    async def _text(self, text: str, language: str, voice: str | None, rate: int) -> bytes:
        if self.synthesizer is None:
            log.warning("text prompt skipped: no synthesizer configured (%r)", text[:60])
            return b""
        key = self._key(text, language, voice, rate)
        hit = self._pcm.get(key)
        if hit is not None:                      # ready: no thread hop, no file access
            self._pcm.move_to_end(key)
            self.stats["hits"] += 1
            return hit
        self._queue.pop(key, None)               # asked for now: not a prefetch any more
        task = self._pending.get(key)
        if task is not None:
            self.stats["waited"] += 1
            try:
                return await asyncio.shield(task)
            except asyncio.CancelledError:
                if not task.cancelled():
                    raise                        # we were cancelled, not the render
        self.stats["misses"] += 1
        return await asyncio.shield(self._start(key))

    def prefetch(self, prompts: Sequence[Prompt], rate: int, language: str = "en-US") -> int:
        """Render the synthesized ``prompts`` (text, digits, numbers) into the PCM cache in the
        background, at most :attr:`PREFETCH_AT_ONCE` at a time; returns how many were queued (not
        already ready, under way or queued). Call it from the event loop; it never blocks."""
        if self.synthesizer is None:
            return 0
        queued = 0
        for p in prompts:
            text = self._synth_text(p)
            if text is None:
                continue
            key = self._key(text, p.language or language, p.voice, rate)
            if key in self._pcm or key in self._pending or key in self._queue:
                continue
            if len(self._queue) >= self.PREFETCH_QUEUE:
                self.stats["prefetch_dropped"] += 1
                continue
            self._queue[key] = key
            queued += 1
        self._pump()
        return queued

    def _pump(self) -> None:
        while self._queue and self._running < self.PREFETCH_AT_ONCE:
            key, _ = self._queue.popitem(last=False)
            self._running += 1
            self.stats["prefetched"] += 1
            task = self._start(key)
            self._tasks.add(task)
            task.add_done_callback(self._prefetched)

    def _prefetched(self, task: asyncio.Future) -> None:
        self._tasks.discard(task)               # type: ignore[arg-type]
        self._running -= 1
        if not task.cancelled() and task.exception() is not None:
            log.debug("prompt prefetch failed: %s", task.exception())
        self._pump()

    async def aclose(self) -> None:
        """Drop the waiting prefetches and end the running ones (the owner is closing)."""
        self._queue.clear()
        tasks = list(self._tasks)
        for t in tasks:
            t.cancel()
        for t in tasks:
            try:
                await t
            except BaseException:  # noqa: BLE001 - cancelled or failed: gone either way
                pass
        if tasks:
            await asyncio.sleep(0)              # their done callbacks (already scheduled) run

    @staticmethod
    def _synth_text(p: Prompt) -> str | None:
        """The text the synthesizer says for ``p`` (None: not a synthesized prompt)."""
        if p.kind == "text":
            return p.value if str(p.value).strip() else None
        if p.kind in ("digits", "number"):
            keep = "0123456789" + ("-" if p.kind == "number" else "")
            value = "".join(ch for ch in str(p.value) if ch in keep)
            if not value:
                return None
            return " ".join(value) if p.kind == "digits" else value
        return None

    # -- prompts -----------------------------------------------------------------------------------

    async def _say_with_sounds(self, kind: str, value: str, language: str, rate: int) -> bytes:
        """Without a synthesizer: digits from Asterisk's ``digits/<n>`` sounds (what ``SAY DIGITS``
        plays); a number needs the synthesizer (Asterisk's number grammar is not redone here)."""
        if kind == "number":
            raise PromptFileMissing(f"number prompt {value!r} needs the prompt synthesizer (none configured)")
        parts = []
        for d in value:
            parts.append(await self._file(self.find(f"digits/{d}", language), rate))
        return b"".join(parts)

    async def render_one(self, p: Prompt, rate: int, language: str = "en-US") -> bytes:
        lang = p.language or language
        if p.kind == "file":
            return await self._file(self.find(p.value, lang), rate)
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
