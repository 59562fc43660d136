"""Streaming speech for a call that Asterisk carries (``media.speech_mode: stream``).

:class:`StreamingSpeech` is what an :class:`~callcenter.asterisk.agi_channel.AgiChannel` holds in stream
mode. ``recognize(channel, ...)`` renders the node's prompts to PCM in the engine (so that the caller's
speech can stop them), opens the channel's AudioSocket hand-off (``async with channel.audiosocket() as
leg``, the ``audiosock`` part), and runs :func:`~callcenter.media.listen.listen` on the leg. It returns
:data:`USE_FILE_PATH` when this node must take the record-then-decode path instead, and logs why
(never dead air):

* the channel has no AudioSocket hand-off, or AudioSocket is not enabled (``media.audiosocket_enabled``);
* a ``file`` prompt is not on the engine's host (Asterisk plays it on the file path);
* AudioSocket failed to connect (:class:`~callcenter.ivr.channel.ChannelError` from the hand-off).

:class:`~callcenter.ivr.channel.CallerHungUp` goes through. Nothing here imports the Asterisk layer: the
channel is duck-typed (``audiosocket()``, ``audiosocket_available``, ``info``, ``recognizer``).
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

from ..ivr.channel import CallerHungUp, ChannelError, Prompt
from ..speech.api import Recognition
from .listen import ALL_DIGITS, Heard, LegReader, ListenSettings, listen, opens_inline
from .playout import PromptAudio, PromptFileMissing

log = logging.getLogger("callcenter.media.streaming")


class _UseFilePath:
    def __repr__(self) -> str:
        return "USE_FILE_PATH"


#: returned by :meth:`StreamingSpeech.recognize` when the node must use the file path
USE_FILE_PATH = _UseFilePath()


class StreamingSpeech:
    def __init__(self, settings: ListenSettings | None = None, prompt_audio: PromptAudio | None = None, *,
                 barge_in: bool = True, sample_rate: int = 8000, executor=None,
                 on_partial: Callable[[str, str], None] | None = None):
        self.settings = settings or ListenSettings()
        self.audio = prompt_audio or PromptAudio()
        self.barge_in = barge_in
        self.sample_rate = sample_rate
        self.executor = executor
        self.on_partial = on_partial
        self.stats = {"streamed": 0, "file_path": 0}
        self._warned: set[str] = set()
        self.last_heard: Heard | None = None

    @classmethod
    def from_config(cls, cfg, synthesizer: Any = None, executor=None,
                    on_partial: Callable[[str, str], None] | None = None) -> "StreamingSpeech":
        """From ``media.*``; prompts from the prompt cache folder (``prompts.dir``), then Asterisk's
        sound folders on this host."""
        return cls(ListenSettings.from_media(cfg.media), PromptAudio(synthesizer, [cfg.prompts_dir]),
                   barge_in=cfg.media.barge_in, executor=executor, on_partial=on_partial)

    def warm(self, recognizer: Any) -> list[str]:
        """Open and finish one stream per language the recognizer serves (blocking: run it in a thread
        before calls come). pocketsphinx's first live decoder takes 0.1-3 s to create and holds the GIL
        meanwhile, which would otherwise stall every leg's pacing on the first answer. Returns the
        languages warmed; failures are logged, never raised."""
        done = []
        try:
            languages = list(recognizer.languages())
        except Exception as exc:  # noqa: BLE001
            log.warning("streaming speech warm-up skipped: %s", exc)
            return done
        for lang in languages:
            try:
                stream = recognizer.stream(lang, self.sample_rate, None)
                if hasattr(stream, "afeed"):     # a worker process's stream: the worker warms its own
                    stream.close()
                else:
                    stream.finish()
                done.append(lang)
            except Exception as exc:  # noqa: BLE001 - a model that cannot stream is reported by its own path
                log.warning("streaming speech warm-up for %s failed: %s", lang, exc)
        return done

    def prefetch(self, prompts: Sequence[Prompt], language: str) -> int:
        """Render what the flow may play next into the prompt cache (PCM at the AudioSocket rate) while
        the caller listens or speaks (:meth:`PromptAudio.prefetch`); returns how many were queued."""
        return self.audio.prefetch(prompts, self.sample_rate, language)

    def _fallback(self, channel: Any, why: str, kind: str = "") -> _UseFilePath:
        """The file path for this node; the reason is a warning the first time (per kind), then info."""
        self.stats["file_path"] += 1
        first = (kind or why) not in self._warned
        self._warned.add(kind or why)
        log.log(logging.WARNING if first else logging.INFO,
                "streaming speech not used for this node, recording the answer instead: %s", why,
                extra={"call_id": getattr(channel.info, "call_id", "")})
        return USE_FILE_PATH

    async def recognize(self, channel: Any, prompts: Sequence[Prompt], phrases: Sequence[str] | None,
                        timeout: float, language: str, escape_digits: str = ALL_DIGITS,
                        barge_in: bool | None = None) -> Recognition | None | _UseFilePath:
        handoff = getattr(channel, "audiosocket", None)
        if handoff is None:
            return self._fallback(channel, f"{type(channel).__name__} has no AudioSocket hand-off", "handoff")
        if not getattr(channel, "audiosocket_available", True):
            return self._fallback(channel, "AudioSocket is not enabled (media.audiosocket_enabled)", "disabled")
        try:
            pcm = await self.audio.render(prompts, self.sample_rate, language)
        except PromptFileMissing as exc:
            return self._fallback(channel, f"{exc} on the engine's host")
        recognizer = channel.recognizer
        plist = list(phrases) if phrases else None
        hook = None
        if self.on_partial is not None:
            call_id = channel.info.call_id
            hook = lambda text: self.on_partial(call_id, text)   # noqa: E731
        heard: Heard | None = None
        try:
            async with handoff(self.sample_rate) as leg:
                reader = LegReader(leg)
                try:
                    heard = await listen(
                        reader, pcm, lambda: recognizer.stream(language, leg.sample_rate, plist),
                        settings=self.settings.for_node(timeout), phrases=plist, language=language,
                        barge_in=self.barge_in if barge_in is None else barge_in, escape_digits=escape_digits,
                        executor=self.executor, on_partial=hook, open_inline=opens_inline(recognizer, language))
                except CallerHungUp:
                    # the socket ended: the hand-off's exit asks Asterisk whether the caller is gone
                    # (then it raises CallerHungUp) or only the AudioSocket (then: the file path)
                    pass
                finally:
                    await reader.aclose()
        except CallerHungUp:
            raise
        except ChannelError as exc:
            if heard is None:
                return self._fallback(channel, f"AudioSocket failed: {exc}")
            log.warning("AudioSocket ended badly after the answer: %s", exc,
                        extra={"call_id": channel.info.call_id})
        if heard is None:
            return self._fallback(channel, "the AudioSocket closed before the answer, the caller is still there")
        self.stats["streamed"] += 1
        self.last_heard = heard
        log.info("heard %s over AudioSocket: %r", heard.reason,
                 heard.recognition.text if heard.recognition else None, extra={"call_id": channel.info.call_id})
        return heard.recognition
