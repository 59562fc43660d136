"""The endpointer: where an answer starts and ends, from per-frame speech/non-speech decisions.

Pure state machine (no I/O, time passed in). ``feed(is_speech, t)`` takes one 20 ms frame's verdict
(:class:`~callcenter.media.vad.Vad`) and its time; ``tick(t)`` advances time when no frame came;
both return the events that happened:

* :class:`SpeechStarted` once ``start_ms`` of voiced audio came in a row (one unvoiced frame inside
  the run is tolerated); ``at`` is the time of the run's first frame;
* then exactly one end: :class:`SpeechEnded` after ``end_ms`` of trailing silence (``end_complete_ms``
  once :meth:`Endpointer.set_complete` says that what was heard is already a whole expected phrase),
  ``at`` = the last voiced frame; or :class:`MaxSpeech` when the answer reached ``max_speech_s``;
* or, with no speech start, :class:`NoInput` ``no_input_s`` after :meth:`Endpointer.arm` (the
  listening leg arms it when the prompt has finished playing; speech can start before that: barge-in).

Between the start and the end, :class:`SpeechPaused` once ``pause_ms`` of trailing silence came (and
the end did not come on that frame): the recognizer may decide on the answer so far, so that the
decision is ready when the end comes; :class:`SpeechResumed` when voice comes back before the end
(that early decision is void). They alternate, paused first; ``pause_ms`` 0 turns them off.

The two trailing silences are VoiceXML's ``completetimeout`` (``end_complete_ms``: what was heard
is a whole in-grammar phrase, short) and ``incompletetimeout`` (``end_ms``: anything else, longer).

After an end event the endpointer is done and returns nothing more.
"""
from __future__ import annotations

from dataclasses import dataclass

from .leg import FRAME_MS


@dataclass(frozen=True)
class EndpointConfig:
    start_ms: int = 120
    end_ms: int = 500
    end_complete_ms: int = 160
    pause_ms: int = 100
    no_input_s: float = 5.0
    max_speech_s: float = 12.0
    frame_ms: int = FRAME_MS

    def __post_init__(self):
        if self.frame_ms <= 0:
            raise ValueError("frame_ms must be > 0")
        if min(self.start_ms, self.end_ms, self.end_complete_ms, self.pause_ms) < 0 or self.no_input_s < 0 \
                or self.max_speech_s <= 0:
            raise ValueError(f"endpointer: negative or zero timings in {self}")


@dataclass(frozen=True)
class SpeechStarted:
    at: float


@dataclass(frozen=True)
class SpeechEnded:
    at: float                   # time of the last voiced frame


@dataclass(frozen=True)
class SpeechPaused:
    at: float                   # time of the last voiced frame


@dataclass(frozen=True)
class SpeechResumed:
    at: float


@dataclass(frozen=True)
class NoInput:
    at: float


@dataclass(frozen=True)
class MaxSpeech:
    at: float


WAITING, SPEAKING, DONE = "waiting", "speaking", "done"


class Endpointer:
    def __init__(self, config: EndpointConfig | None = None):
        self.config = config or EndpointConfig()
        self.state = WAITING
        self.armed_at: float | None = None
        self.started_at: float | None = None
        self.ended: object | None = None
        self.complete = False
        self.paused = False          # SpeechPaused given, no SpeechResumed since
        self._run_ms = 0             # voiced ms in the current run (WAITING)
        self._run_start: float | None = None
        self._gap = 0                # unvoiced frames inside the current run
        self._silence_ms = 0         # trailing silence (SPEAKING)
        self._last_voiced: float | None = None

    @property
    def done(self) -> bool:
        return self.state == DONE

    def arm(self, t: float) -> None:
        """Start the no-input timer (once; later calls keep the first time)."""
        if self.armed_at is None:
            self.armed_at = t

    def set_complete(self, complete: bool) -> None:
        """Whether what was heard so far is a whole expected phrase (shortens the trailing silence)."""
        self.complete = bool(complete)

    def _finish(self, event):
        self.state = DONE
        self.ended = event
        return [event]

    def tick(self, t: float) -> list:
        if self.state == WAITING and self.armed_at is not None and t - self.armed_at >= self.config.no_input_s:
            return self._finish(NoInput(t))
        if self.state == SPEAKING and self.started_at is not None \
                and t - self.started_at >= self.config.max_speech_s:
            return self._finish(MaxSpeech(t))
        return []

    def feed(self, is_speech: bool, t: float) -> list:
        if self.state == DONE:
            return []
        c = self.config
        out: list = []
        if self.state == WAITING:
            if is_speech:
                if self._run_start is None:
                    self._run_start = t
                self._run_ms += c.frame_ms
                self._gap = 0
                if self._run_ms >= c.start_ms:
                    self.state = SPEAKING
                    self.started_at = self._run_start
                    self._last_voiced = t
                    self._silence_ms = 0
                    out.append(SpeechStarted(self._run_start))
                    return out + self.tick(t)
            elif self._run_start is not None:
                self._gap += 1
                if self._gap > 1:
                    self._run_start, self._run_ms, self._gap = None, 0, 0
            return out + self.tick(t)
        # SPEAKING
        if is_speech:
            self._silence_ms = 0
            self._last_voiced = t
            if self.paused:
                self.paused = False
                out.append(SpeechResumed(t))
        else:
            self._silence_ms += c.frame_ms
            limit = c.end_complete_ms if self.complete else c.end_ms
            last = self._last_voiced if self._last_voiced is not None else t
            if self._silence_ms >= limit:
                return self._finish(SpeechEnded(last))
            if c.pause_ms and not self.paused and self._silence_ms >= c.pause_ms:
                self.paused = True
                out.append(SpeechPaused(last))
        ended = self.tick(t)
        return ended if ended else out
