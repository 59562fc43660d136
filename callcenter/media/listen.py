"""The listening loop of a menu or question node over a live leg (thin asyncio around the pure cores).

``listen(reader, prompt_pcm, open_stream, ...)``: the prompt starts playing; every frame the caller
sends goes through the :class:`~callcenter.media.vad.Vad` into the
:class:`~callcenter.media.endpoint.Endpointer`; from the detected start of speech (with
``preroll_ms`` of the audio before it) the frames go to a recognition stream of the speech layer,
fed off the event loop (one job at a time per stream: frames that come while a job runs are fed
together by the next one). Then:

* speech starts and barge-in is on: the prompt stops (``leg.stop_playback()``); with barge-in off,
  listening starts when the prompt has finished, as on the file path;
* a key in ``escape_digits``: the prompt stops, ``Recognition(text="", confidence=1.0, digits=key)``;
* the endpointer says the answer ended (or reached its longest): ``finish()`` of the stream, i.e. the
  speech layer's own decision (for a menu: the whole-phrase decision of ``speech/menu.py``, exactly
  as for a recorded answer);
* nothing said ``no_input_s`` after the prompt: ``Recognition(text="", confidence=0.0)``, what the
  recognizer gives for a silent recording on the file path;
* the leg ends: :class:`~callcenter.ivr.channel.CallerHungUp` (the stream and the read are released).

Partial hypotheses go to ``on_partial`` (the caller's screen pop) and tell the endpointer when what was
heard is already a whole expected phrase (a shorter trailing silence ends the answer).
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..ivr.channel import CallerHungUp
from ..speech.api import Recognition, RecognitionStream, SpeechUnavailable
from ..speech.intents import normalize
from .endpoint import (EndpointConfig, Endpointer, MaxSpeech, NoInput, SpeechEnded, SpeechPaused, SpeechResumed,
                       SpeechStarted)
from .leg import FRAME_MS, AudioFrame, DtmfDigit, MediaEvent, MediaLeg
from .vad import Vad, VadConfig

log = logging.getLogger("callcenter.media.listen")

ALL_DIGITS = "0123456789*#ABCD"


class LegClosed(Exception):
    """The leg's events ended (the far end hung up or the leg was closed)."""


class LegReader:
    """The one reader of a leg's events for a whole call: ``next(timeout)`` returns the next event or
    None after ``timeout`` seconds without one, and never cancels the leg's iterator on a timeout (an
    async generator cancelled mid-``__anext__`` would end). ``aclose()`` releases the pending read."""

    def __init__(self, leg: MediaLeg):
        self.leg = leg
        self._it = leg.events().__aiter__()
        self._pending: asyncio.Future | None = None
        self.closed = False

    async def next(self, timeout: float | None = None) -> MediaEvent | None:
        if self.closed:
            raise LegClosed(f"leg {self.leg.leg_id} ended")
        if self._pending is None:
            self._pending = asyncio.ensure_future(self._it.__anext__())
        done, _ = await asyncio.wait({self._pending}, timeout=timeout)
        if not done:
            return None
        fut, self._pending = self._pending, None
        try:
            return fut.result()
        except StopAsyncIteration:
            self.closed = True
            raise LegClosed(f"leg {self.leg.leg_id} ended") from None

    async def aclose(self) -> None:
        self.closed = True
        fut, self._pending = self._pending, None
        if fut is not None and not fut.done():
            fut.cancel()
            try:
                await fut
            except (asyncio.CancelledError, StopAsyncIteration, Exception):  # noqa: BLE001
                pass
        try:
            await self._it.aclose()
        except Exception:  # noqa: BLE001 - the leg may already be gone
            pass


@dataclass(frozen=True)
class ListenSettings:
    """What the listening loop is tuned with (``media.*`` config; ``no_input_s`` per node)."""
    vad: VadConfig = VadConfig()
    endpoint: EndpointConfig = EndpointConfig()
    preroll_ms: int = 300

    @classmethod
    def from_media(cls, media, no_input_s: float | None = None) -> "ListenSettings":
        ep = EndpointConfig(start_ms=media.speech_start_ms, end_ms=media.speech_end_ms,
                            end_complete_ms=media.speech_end_complete_ms, pause_ms=media.speech_pause_ms,
                            max_speech_s=media.max_speech_s,
                            no_input_s=5.0 if no_input_s is None else no_input_s)
        return cls(VadConfig(aggressiveness=media.vad_aggressiveness, gate_db=media.vad_gate_db), ep,
                   media.preroll_ms)

    def for_node(self, no_input_s: float) -> "ListenSettings":
        from dataclasses import replace
        return replace(self, endpoint=replace(self.endpoint, no_input_s=max(0.0, float(no_input_s))))


@dataclass
class Heard:
    """The answer and when things happened (leg times, seconds) for logs, tests and the benchmark."""
    recognition: Recognition | None          # None: recognition unavailable for the language
    reason: str                              # speech | max_speech | no_input | dtmf
    prompt_at: float | None = None
    speech_started: float | None = None
    speech_ended: float | None = None      # the last voiced frame
    endpoint_at: float | None = None       # when the endpointer said the answer ended
    barge_in_at: float | None = None
    decided_at: float | None = None        # endpoint_at + the time the decision took
    partials: list[str] = field(default_factory=list)
    early: bool = False                    # the decision was started when the caller paused
    paused_at: float | None = None         # the last SpeechPaused (the early decision was asked for then)
    #: ``time.monotonic()`` stamps of the decision, for the latency breakdown: ``finish_called`` (the
    #: end), ``resumed`` (the loop has the result) and the recognition stream's own (``prepare_sent``,
    #: ``sent``, the worker's ``in``/``start``/``done``/``prepare_*``, ``read``: see ``speech/worker.py``)
    stamps: dict = field(default_factory=dict)


#: audio fed to a recognition stream in one job at least (20 ms chunks cost the decoders about twice
#: the CPU of 100 ms ones: per-call overhead of resampling and search; measured with pocketsphinx)
FEED_MIN_MS = 100


class _OffLoopStream:
    """A recognition stream opened in an executor and fed off the event loop, one job at a time, in
    chunks of at least :data:`FEED_MIN_MS` (the rest at ``finish``). A stream of the worker processes
    (:class:`~callcenter.speech.procpool.ProcessStream`: ``afeed``/``afinish``) is fed from the loop
    itself, nothing blocks there; any other stream is fed in the executor's threads.

    ``prepare()`` (the caller paused): what is buffered goes to the stream at once and, if the stream
    can (``prepare``), it decides on the answer so far; the audio that follows is held back
    (``hold``) until the caller speaks again (``resume``), so that when the answer ends the stream's
    audio is the one decided on and ``finish`` only collects the decision."""

    def __init__(self, open_stream: Callable[[], RecognitionStream], executor, on_partial,
                 min_bytes: int = 1600, inline: bool = False):
        self._loop = asyncio.get_running_loop()
        self._executor = executor
        self._on_partial = on_partial
        self._buf: list[bytes] = []
        self._buffered = 0
        self._min_bytes = min_bytes
        self._stream: RecognitionStream | None = None
        self._error: BaseException | None = None
        self._closing = False
        self._dropped = False
        self._held: list[bytes] | None = None       # audio after a pause (None: not holding)
        self.prepared = False
        if inline:                  # opening costs nothing (a worker process's session): no thread hop
            self._job = self._loop.create_future()
            try:
                self._job.set_result(open_stream())
            except Exception as exc:  # noqa: BLE001 - reported by finish()
                self._job.set_exception(exc)
            self._opened(self._job)
            return
        self._job = self._loop.run_in_executor(executor, open_stream)
        self._job.add_done_callback(self._opened)

    @property
    def stamps(self) -> dict:
        """The stream's time stamps of the decision (worker streams; empty for others)."""
        return dict(getattr(self._stream, "stamps", None) or {})

    @property
    def native(self) -> bool:
        """The stream is fed from the event loop (``afeed``), not in a thread."""
        return hasattr(self._stream, "afeed")

    def _opened(self, fut: asyncio.Future) -> None:
        self._job = None
        if fut.cancelled():
            self._error = asyncio.CancelledError()
            return
        if fut.exception() is not None:
            self._error = fut.exception()
            return
        self._stream = fut.result()
        if self._dropped:
            self._drop()
            return
        self._kick()

    def feed(self, pcm: bytes) -> None:
        if self._held is not None:
            self._held.append(pcm)
            return
        self._buf.append(pcm)
        self._buffered += len(pcm)
        self._kick()

    def _take(self) -> bytes:
        data = b"".join(self._buf)
        self._buf.clear()
        self._buffered = 0
        return data

    def _kick(self) -> None:
        if self._job is not None or self._closing or self._stream is None or self._error \
                or self._buffered < self._min_bytes:
            return
        data = self._take()
        if self.native:
            self._job = asyncio.ensure_future(self._stream.afeed(data))
        else:
            self._job = self._loop.run_in_executor(self._executor, self._stream.feed, data)
        self._job.add_done_callback(self._fed)

    def _fed(self, fut: asyncio.Future) -> None:
        self._job = None
        if fut.cancelled():
            return
        if fut.exception() is not None:
            self._error = fut.exception()
            return
        partial = fut.result()
        if partial:
            self._on_partial(partial)
        self._kick()

    def prepare(self) -> None:
        """The caller paused: decide early where the stream can (see the class notes)."""
        if self._stream is None or self._error or not hasattr(self._stream, "prepare"):
            return
        self._stream.prepare(self._take())
        self._held = []
        self.prepared = True

    def resume(self) -> None:
        """The caller speaks again: the held audio goes to the stream (the early decision is void)."""
        held, self._held = self._held, None
        for pcm in held or ():
            self.feed(pcm)

    def _drop(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001 - the session is gone either way
                log.debug("closing a recognition stream failed", exc_info=True)

    def drop(self) -> None:
        """The answer is not wanted (the caller hung up, a key): no more feeding, the session ends."""
        self._closing = self._dropped = True
        if self._stream is not None:
            self._drop()

    def _finish_sync(self, rest: bytes) -> Recognition:
        assert self._stream is not None
        if rest:
            self._stream.feed(rest)
        return self._stream.finish()

    async def finish(self) -> Recognition | None:
        """The stream's final result; None when recognition is unavailable (no model)."""
        self._closing = True
        while self._job is not None:
            job = self._job
            try:
                await asyncio.shield(job)
            except Exception:  # noqa: BLE001 - recorded by the done callbacks
                pass
            if self._job is job:        # the callback has not run yet
                await asyncio.sleep(0)
        if isinstance(self._error, SpeechUnavailable):
            log.info("speech unavailable: %s", self._error)
            return None
        if self._error is not None or self._stream is None:
            log.error("live recognition failed: %s", self._error)
            return Recognition(text="", confidence=0.0)
        rest = self._take()
        try:
            if self.native:
                return await self._stream.afinish(rest)
            return await self._loop.run_in_executor(self._executor, self._finish_sync, rest)
        except SpeechUnavailable as exc:
            log.info("speech unavailable: %s", exc)
            return None
        except Exception as exc:  # noqa: BLE001 - recognition failure = "not understood", as on the file path
            log.error("live recognition failed: %s", exc)
            return Recognition(text="", confidence=0.0)


def opens_inline(recognizer, language: str) -> bool:
    """The recognizer's streams open without blocking (``stream_opens_inline``: worker processes), so
    the listening loop opens them on the event loop instead of in a thread."""
    f = getattr(recognizer, "stream_opens_inline", None)
    try:
        return bool(f and f(language))
    except Exception:  # noqa: BLE001 - e.g. no model for the language: the stream's own error tells
        return False


def phrase_forms(phrases: Sequence[str] | None, language: str) -> frozenset[str]:
    """The expected phrases as the partial hypotheses spell them (normalized words)."""
    return frozenset(f for p in phrases or () if (f := " ".join(normalize(p, language).split())))


def is_complete(text: str, forms: frozenset[str], language: str) -> bool:
    """``text`` is a whole expected phrase that no longer expected phrase continues ("billing" is not
    complete when "billing address" is expected too: the caller may still be saying it)."""
    t = " ".join(normalize(text, language).split())
    return t in forms and not any(f.startswith(t + " ") for f in forms)


async def listen(reader: LegReader, prompt_pcm: bytes, open_stream: Callable[[], RecognitionStream], *,
                 settings: ListenSettings = ListenSettings(), phrases: Sequence[str] | None = None,
                 language: str = "en-US", barge_in: bool = True, escape_digits: str = ALL_DIGITS,
                 executor=None, on_partial: Callable[[str], None] | None = None,
                 open_inline: bool = False) -> Heard:
    """Play ``prompt_pcm`` and listen (see the module notes). Raises CallerHungUp when the leg ends."""
    leg = reader.leg
    loop = asyncio.get_running_loop()
    vad = Vad(leg.sample_rate, settings.vad)
    ep = Endpointer(settings.endpoint)
    forms = phrase_forms(phrases, language)
    # the start is detected ``start_ms`` after the run of voiced frames began: keep that run and
    # ``preroll_ms`` before it
    preroll: deque[bytes] = deque(maxlen=(settings.preroll_ms + settings.endpoint.start_ms) // FRAME_MS + 1)
    heard = Heard(recognition=None, reason="")
    stream: _OffLoopStream | None = None

    def partial(text: str) -> None:
        heard.partials.append(text)
        ep.set_complete(is_complete(text, forms, language))
        if on_partial is not None:
            try:
                on_partial(text)
            except Exception:  # noqa: BLE001 - a screen-pop hook must not break the call
                log.exception("partial hook failed")

    if prompt_pcm:
        leg.play(prompt_pcm)
    last_t = loop.time()
    heard.prompt_at = last_t
    try:
        while True:
            ev = await reader.next(_wait_for(ep, last_t))
            if ev is None:                                   # nothing from the far end in time
                last_t = max(last_t, loop.time())
                events = ep.tick(last_t)
            elif isinstance(ev, DtmfDigit):
                if ev.digit not in escape_digits:
                    continue
                leg.stop_playback()
                heard.recognition = Recognition(text="", confidence=1.0, digits=ev.digit)
                heard.reason, heard.decided_at = "dtmf", ev.at
                return heard
            elif isinstance(ev, AudioFrame):
                if heard.prompt_at is not None and heard.prompt_at > ev.at:
                    heard.prompt_at = ev.at                  # the leg's clock (virtual in tests)
                last_t = ev.at
                speech = vad.is_speech(ev.pcm)
                if not leg.playing:
                    ep.arm(ev.at)
                if not barge_in and ep.armed_at is None:
                    continue                                 # no barge-in: listen after the prompt
                events = ep.feed(speech, ev.at)
                if stream is None:
                    preroll.append(ev.pcm)
                else:
                    stream.feed(ev.pcm)
            else:
                continue
            for e in events:
                if isinstance(e, SpeechStarted):
                    heard.speech_started = e.at
                    if barge_in and leg.playing:
                        leg.stop_playback()
                        heard.barge_in_at = last_t
                    stream = _OffLoopStream(open_stream, executor, partial,
                                            leg.sample_rate * FEED_MIN_MS // 1000 * 2, open_inline)
                    for pcm in preroll:
                        stream.feed(pcm)
                    preroll.clear()
                elif isinstance(e, SpeechPaused) and stream is not None:
                    heard.paused_at = last_t
                    stream.prepare()
                elif isinstance(e, SpeechResumed) and stream is not None:
                    stream.resume()
                elif isinstance(e, NoInput):
                    heard.recognition = Recognition(text="", confidence=0.0)
                    heard.reason, heard.decided_at = "no_input", e.at
                    return heard
                elif isinstance(e, (SpeechEnded, MaxSpeech)):
                    heard.speech_ended = e.at
                    heard.endpoint_at = last_t
                    heard.reason = "speech" if isinstance(e, SpeechEnded) else "max_speech"
                    assert stream is not None
                    s, stream = stream, None
                    began = loop.time()
                    heard.early = s.prepared
                    heard.recognition = await s.finish()
                    resumed = loop.time()
                    heard.decided_at = last_t + (resumed - began)         # on the leg's clock
                    heard.stamps = dict(s.stamps, finish_called=began, resumed=resumed)
                    return heard
    except LegClosed:
        raise CallerHungUp(f"caller hung up while listening ({leg.ended.reason if leg.ended else 'leg ended'})") \
            from None
    finally:
        if stream is not None:
            stream.drop()                                     # dropped: no more feeding, session ends


def _wait_for(ep: Endpointer, now: float) -> float:
    """How long to wait for the next event before the endpointer's own deadline (seconds)."""
    c = ep.config
    if ep.armed_at is not None and ep.started_at is None:
        return max(0.0, ep.armed_at + c.no_input_s - now) + 0.05
    if ep.started_at is not None:
        return max(0.0, ep.started_at + c.max_speech_s - now) + 0.05
    return 1.0
