"""The IVR's :class:`~callcenter.ivr.channel.Channel` over any :class:`~callcenter.media.leg.MediaLeg`.

What the embedded mode (no Asterisk: a WebRTC caller) and tests run the IVR on, and what the AudioSocket
leg of an Asterisk call can run it on. Everything happens in the engine:

* ``prefetch(prompts)``: what the flow may play next rendered ahead (the IVR runner calls it while the
  caller listens or speaks), so that the next prompt is ready when the answer is decided;
* ``play``: prompts rendered to PCM at the leg's rate by :class:`~callcenter.media.playout.PromptAudio`
  (text through the prompt synthesizer and its cache; ``file`` prompts from ``sound_dirs`` then
  Asterisk's sound folders, a missing file raises :class:`~callcenter.media.playout.PromptFileMissing`
  naming it; digits and numbers spoken by the synthesizer) and queued on the leg; a key in
  ``escape_digits`` stops it;
* ``collect_digits`` / ``wait_digit``: :class:`~callcenter.media.leg.DtmfDigit` events;
* ``record``: the caller's frames into ``<record_dir>/<name>.wav`` until ``silence_seconds`` of
  silence after speech (the same voice detection as listening), ``max_seconds``, or an escape key;
* ``recognize``: :func:`~callcenter.media.listen.listen` (voice detection, barge-in, end of speech);
* variables live in the call (``info.variables``); ``exec_app``, ``transfer`` and ``hangup`` go to
  the callbacks the owner gives (``on_exec(app, args) -> int``, ``on_transfer(destination)``,
  ``on_hangup()``); without one, ``exec_app``/``transfer`` raise :class:`ChannelError` saying so and
  ``hangup`` closes the leg.

Every method raises :class:`CallerHungUp` once the leg has ended. ``close()`` releases the leg reader.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import os
import wave
from pathlib import Path
from typing import Any, Awaitable, Callable, Sequence

from ..ivr.channel import (CallerHungUp, CallInfo, Channel, ChannelError, DigitsResult, Prompt, RecordResult,
                           speech_serves)
from ..speech.api import Recognition
from .endpoint import EndpointConfig, Endpointer, SpeechEnded
from .leg import AudioFrame, DtmfDigit, MediaLeg
from .listen import ALL_DIGITS, Heard, LegClosed, LegReader, ListenSettings, listen, opens_inline
from .playout import PromptAudio, tone
from .vad import Vad

log = logging.getLogger("callcenter.media.channel")


class MediaChannel(Channel):
    def __init__(self, leg: MediaLeg, info: CallInfo | None = None, *, synthesizer: Any = None,
                 recognizer: Any = None, prompt_audio: PromptAudio | None = None,
                 sound_dirs: Sequence[str | os.PathLike] = (), record_dir: str | os.PathLike = "recordings",
                 settings: ListenSettings | None = None, barge_in: bool = True, executor=None,
                 on_exec: Callable[[str, str], Awaitable[int]] | None = None,
                 on_transfer: Callable[[str], Awaitable[None]] | None = None,
                 on_hangup: Callable[[], Awaitable[None]] | None = None,
                 on_partial: Callable[[str, str], None] | None = None):
        self.leg = leg
        self.info = info or CallInfo(call_id=leg.leg_id)
        self.synthesizer = synthesizer
        self.recognizer = recognizer
        self.audio = prompt_audio or PromptAudio(synthesizer, sound_dirs)
        self._own_audio = prompt_audio is None
        self.record_dir = Path(record_dir)
        self.settings = settings or ListenSettings()
        self.barge_in = barge_in
        self.executor = executor
        self.on_exec, self.on_transfer, self.on_hangup = on_exec, on_transfer, on_hangup
        self.on_partial = on_partial
        self.reader = LegReader(leg)
        self.answered = False
        self.last_heard: Heard | None = None
        self._seq = itertools.count(1)

    @staticmethod
    def options_from_config(cfg) -> dict[str, Any]:
        """The keyword arguments the configuration decides: listening (``media.*``), barge-in, where
        ``file`` prompts are looked for (``prompts.dir``, then Asterisk's sound folders) and recordings go
        (``recordings.dir``). ``MediaChannel(leg, info, **MediaChannel.options_from_config(cfg), ...)``."""
        return {"settings": ListenSettings.from_media(cfg.media), "barge_in": cfg.media.barge_in,
                "sound_dirs": [cfg.prompts_dir], "record_dir": cfg.recordings_dir}

    # -- plumbing ------------------------------------------------------------------------------------
    def _gone(self, what: str) -> CallerHungUp:
        why = self.leg.ended.reason if self.leg.ended else "leg ended"
        return CallerHungUp(f"caller hung up during {what} ({why})")

    async def _next(self, timeout: float | None, what: str):
        try:
            return await self.reader.next(timeout)
        except LegClosed:
            raise self._gone(what) from None

    def _check(self, what: str) -> None:
        if self.reader.closed or self.leg.ended is not None:
            raise self._gone(what)

    async def close(self) -> None:
        if self._own_audio:
            await self.audio.aclose()
        await self.reader.aclose()

    def prefetch(self, prompts: Sequence[Prompt]) -> int:
        """Render ``prompts`` (what the flow may play next) at the leg's rate in the background, so that
        they are ready when the answer is decided (:meth:`PromptAudio.prefetch`)."""
        return self.audio.prefetch(prompts, self.leg.sample_rate, self.info.language)

    async def _render(self, prompts: Sequence[Prompt]) -> bytes:
        return await self.audio.render(prompts, self.leg.sample_rate, self.info.language)

    # -- Channel -------------------------------------------------------------------------------------
    @property
    def speech_available(self) -> bool:
        return speech_serves(self.recognizer, self.info.language)

    async def answer(self) -> None:
        self._check("answer")
        self.answered = True

    async def _play_pcm(self, pcm: bytes, escape_digits: str, what: str = "play") -> str | None:
        """Queue ``pcm`` and read events until it has been sent; a key in ``escape_digits`` stops it."""
        if not pcm:
            return None
        self.leg.play(pcm)
        while self.leg.playing:
            ev = await self._next(0.5, what)
            if isinstance(ev, DtmfDigit) and ev.digit in escape_digits:
                self.leg.stop_playback()
                return ev.digit
        return None

    async def play(self, prompts: Sequence[Prompt], escape_digits: str = "") -> str | None:
        self._check("play")
        for p in prompts:
            d = await self._play_pcm(await self._render([p]), escape_digits)
            if d is not None:
                return d
        return None

    async def wait_digit(self, timeout: float) -> str | None:
        self._check("wait_digit")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        start_at: float | None = None
        while True:
            ev = await self._next(max(0.0, deadline - loop.time()), "wait_digit")
            if ev is None:
                return None
            if isinstance(ev, DtmfDigit):
                return ev.digit
            if isinstance(ev, AudioFrame):      # the leg's clock (virtual in tests)
                start_at = ev.at if start_at is None else start_at
                if ev.at - start_at >= timeout:
                    return None

    async def collect_digits(self, prompts: Sequence[Prompt], max_digits: int, timeout: float,
                             terminator: str = "#", inter_digit_timeout: float = 3.0) -> DigitsResult:
        return await self.collect_keys(prompts, max(1, int(max_digits)), timeout, terminator,
                                       inter_digit_timeout)

    def _record_path(self, name: str) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_./" else "_" for ch in name).strip("/") or "rec"
        safe = "/".join(part for part in safe.split("/") if part not in ("", ".", ".."))
        return self.record_dir / f"{safe}.wav"

    async def record(self, name: str, max_seconds: float, silence_seconds: float = 2.0,
                     escape_digits: str = "#", beep: bool = True) -> RecordResult:
        self._check("record")
        path = self._record_path(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ChannelError(f"recording folder {path.parent} cannot be created: {exc.strerror}") from None
        rate = self.leg.sample_rate
        if beep:
            await self._play_pcm(tone(1000.0, 0.25, rate), "", "record")
        frames: list[bytes] = []
        vad = Vad(rate, self.settings.vad)
        ep = Endpointer(EndpointConfig(start_ms=self.settings.endpoint.start_ms,
                                       end_ms=max(20, int(round(silence_seconds * 50)) * 20) if silence_seconds else
                                       10 ** 9, no_input_s=10 ** 9, max_speech_s=10 ** 9))
        ended_by, digit, start = "timeout", None, None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_seconds
        try:
            while True:
                ev = await self._next(max(0.0, deadline - loop.time()) + 0.05, "record")
                if ev is None:
                    break
                if isinstance(ev, DtmfDigit):
                    if ev.digit in escape_digits:
                        ended_by, digit = "dtmf", ev.digit
                        break
                    continue
                if isinstance(ev, AudioFrame):
                    start = ev.at if start is None else start
                    frames.append(ev.pcm)
                    if any(isinstance(e, SpeechEnded) for e in ep.feed(vad.is_speech(ev.pcm), ev.at)):
                        ended_by = "silence"
                        break
                    if ev.at - start >= max_seconds:
                        break
        except CallerHungUp:
            self._write_wav(path, frames, rate)
            raise
        self._write_wav(path, frames, rate)
        return RecordResult(str(path), len(frames) * 0.02, ended_by, digit)

    @staticmethod
    def _write_wav(path: Path, frames: list[bytes], rate: int) -> None:
        try:
            with wave.open(str(path), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(rate)
                w.writeframes(b"".join(frames))
        except OSError as exc:
            raise ChannelError(f"recording {path} cannot be written: {exc.strerror}") from None

    async def recognize(self, prompts: Sequence[Prompt], phrases: Sequence[str] | None,
                        timeout: float = 5.0, language: str | None = None,
                        escape_digits: str = "0123456789*#", barge_in: bool | None = None) -> Recognition | None:
        self._check("recognize")
        if self.recognizer is None:
            return None
        lang = language or self.info.language
        heard = await self.listen(await self._render(prompts), phrases, timeout, lang, escape_digits,
                                  self.barge_in if barge_in is None else barge_in)
        return heard.recognition

    async def listen(self, pcm: bytes, phrases: Sequence[str] | None, timeout: float, language: str,
                     escape_digits: str = ALL_DIGITS, barge_in: bool = True) -> Heard:
        """The listening loop on this channel's leg (the answer and its timings)."""
        plist = list(phrases) if phrases else None
        hook = None
        if self.on_partial is not None:
            call_id = self.info.call_id
            hook = lambda text: self.on_partial(call_id, text)   # noqa: E731
        try:
            heard = await listen(self.reader, pcm,
                                 lambda: self.recognizer.stream(language, self.leg.sample_rate, plist),
                                 settings=self.settings.for_node(timeout), phrases=plist, language=language,
                                 barge_in=barge_in, escape_digits=escape_digits, executor=self.executor,
                                 on_partial=hook, open_inline=opens_inline(self.recognizer, language))
        except CallerHungUp:
            raise self._gone("recognize") from None
        self.last_heard = heard
        log.info("heard %s: %r (speech %s-%s, barge-in %s)", heard.reason,
                 heard.recognition.text if heard.recognition else None, heard.speech_started,
                 heard.speech_ended, heard.barge_in_at, extra={"call_id": self.info.call_id})
        return heard

    async def get_variable(self, name: str) -> str | None:
        return self.info.variables.get(name)

    async def set_variable(self, name: str, value: str) -> None:
        self.info.variables[name] = str(value)

    async def exec_app(self, app: str, args: str = "") -> int:
        self._check(f"exec {app}")
        if self.on_exec is None:
            raise ChannelError(f"dialplan application {app!r} is not available on a media channel "
                               f"({type(self.leg).__name__}, no Asterisk)")
        return await self.on_exec(app, args)

    async def transfer(self, destination: str) -> None:
        self._check("transfer")
        if self.on_transfer is None:
            raise ChannelError(f"transfer to {destination!r} is not supported on this media channel "
                               f"({type(self.leg).__name__}: no transfer handler given)")
        await self.on_transfer(destination)

    async def hangup(self) -> None:
        if self.on_hangup is not None:
            await self.on_hangup()
        await self.leg.close("ivr hang-up")
        await self.reader.aclose()
