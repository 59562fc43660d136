"""pocketsphinx recognition (the bundled English model): JSGF menus scored by words' score per frame and
the share of loud frames they cover.
"""
from __future__ import annotations

import math
import os
import queue
import re
import tempfile
import threading
from concurrent.futures import Executor
from pathlib import Path
from typing import Sequence

import numpy as np

from .api import Recognition, RecognitionStream, SpeechUnavailable
from .audio import (MODEL_RATE, HighBandFiller, StreamResampler, add_band_noise, fill_high_band, is_narrowband,
                    resample, trim_silence)
from .discovery import canonical_language
from .intents import normalize
from .menu import (Calibration, MenuEvidence, SPHINX_CALIBRATION, SPHINX_CALIBRATION_NO_FLOOR, _decide, _match,
                   _phrase_of, _weighted_confidence, sphinx_margin)
from .backend import ModelLoadError, _Base, worker_count, log


_FILLER_RE = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+|\+.*\+)$")
_ALT_RE = re.compile(r"\(\d+\)$")


#: Telephone answers (nothing above 4 kHz) get a faint noise floor above 3.8 kHz before decoding
#: (:func:`~callcenter.speech.audio.fill_high_band`: the wideband model's upper filters otherwise see
#: digital silence); its level in dB under the speech's RMS, chosen on the tuning set (None: off).
#: Relative, so that the answer's loudness does not change what is heard (the cepstral mean
#: normalization makes the rest of the features independent of the level).
HIGH_BAND_DB: float | None = 42.0
#: Where the floor starts (Hz): above what 8 kHz audio can hold, below the model's next filters.
HIGH_BAND_EDGE = 3800.0
#: Telephone answers also get a steady noise floor *in* the speech band (``SPEECH_FLOOR_BAND`` Hz),
#: ``SPEECH_FLOOR_DB`` under the speech's RMS (None: off): noise masking. The log filterbank turns
#: the spectrum's valleys (between harmonics and formants, the codec's quiet bins, the pauses) into
#: large, unstable feature values that differ most between one voice and another and between a
#: voice and the model's training speech; a floor bounds them from below, so the features follow
#: the speech's peaks, which the model knows. Chosen on the tuning set (docs/speech.md, "Accuracy").
SPEECH_FLOOR_DB: float | None = 20.0
SPEECH_FLOOR_BAND: tuple[float | None, float | None] = (300.0, HIGH_BAND_EDGE)

_PAD = np.rint(np.random.default_rng(7).normal(0, 10, int(0.3 * MODEL_RATE))).astype(np.int16)


def _pad_for_sphinx(samples: np.ndarray) -> np.ndarray:
    """The answer with its silences normalized: leading/trailing silence trimmed to 0.15 s, then
    0.3 s of faint noise before and after. pocketsphinx's whole-answer cepstral mean is pulled off by
    long silences (a recording ends with the 1.5 s of silence that stopped it), a prompt cut right
    at the first/last word leaves no room for its silence model, and digital zeros upset its energy
    features: all three gave empty or truncated results on telephone-like test answers.
    A telephone answer then gets its noise floors: above the telephone band (:data:`HIGH_BAND_DB`)
    and in it (:data:`SPEECH_FLOOR_DB`), both relative to the speech's level."""
    x = np.concatenate([_PAD, trim_silence(np.asarray(samples, dtype=np.int16), MODEL_RATE), _PAD])
    if is_narrowband(x, MODEL_RATE):
        speech = _speech_rms(x)
        if HIGH_BAND_DB is not None:
            x = fill_high_band(x, MODEL_RATE, speech * 10 ** (-HIGH_BAND_DB / 20), edge=HIGH_BAND_EDGE)
        if SPEECH_FLOOR_DB is not None:
            low, high = SPEECH_FLOOR_BAND
            x = add_band_noise(x, MODEL_RATE, speech * 10 ** (-SPEECH_FLOOR_DB / 20), low, high, seed=11)
    return x


def high_band_rms(x: np.ndarray) -> float:
    """The floor's RMS for an answer: :data:`HIGH_BAND_DB` under its speech."""
    return _speech_rms(x) * 10 ** (-(HIGH_BAND_DB or 0.0) / 20)


def _speech_rms(x: np.ndarray) -> float:
    """RMS of the loud 10 ms frames (:func:`_loud_frames`): the level of the caller's speech."""
    x = np.asarray(x, dtype=np.float64)
    loud = _loud_frames(x)
    if not loud.any():
        return float(np.sqrt(np.mean(x ** 2))) if len(x) else 0.0
    f = MODEL_RATE // 100
    frames = x[: len(loud) * f].reshape(len(loud), f)[loud]
    return float(np.sqrt(np.mean(frames ** 2)))


def _loud_frames(samples: np.ndarray, rate: int = MODEL_RATE) -> np.ndarray:
    """10 ms frames (pocketsphinx's) whose RMS is within 14 dB of the loudest frame and above the
    floor that :func:`~callcenter.speech.audio.trim_silence` uses: where the caller's speech is (a
    lower bar counted background talk 20 dB down as speech the phrase failed to explain)."""
    x = np.asarray(samples, dtype=np.float64)
    f = rate // 100
    n = len(x) // f
    if n == 0:
        return np.zeros(0, dtype=bool)
    rms = np.sqrt((x[: n * f].reshape(n, f) ** 2).mean(axis=1))
    return rms > max(rms.max() * 0.2, 100.0)


#: Loud 10 ms frames that make an answer speech, not silence, when the grammar fits no words to it
#: (talk that no phrase can be aligned with is a no match, not "no input").
_VOICED_FRAMES = 20


def _log_score(segs) -> float:
    """Sum of the natural logs of pocketsphinx's per-segment acoustic scores (the Python binding
    hands them out as probabilities; a segment so bad that it underflows counts as e**-745)."""
    return sum(math.log(seg.ascore) if seg.ascore > 0 else -745.0 for seg in segs)


class _Decoder:
    """A pocketsphinx decoder with the names of the searches (grammars) already added to it."""

    def __init__(self, d, mode: str):
        self.d = d
        self.mode = mode
        self.default = d.current_search()
        self.searches: set[str] = set()

    def __getattr__(self, name):
        return getattr(self.d, name)


class PocketsphinxRecognizer(_Base):
    """CMU pocketsphinx with the US English model shipped inside the PyPI package.

    A pocketsphinx ``Decoder`` is not thread-safe and holds its own copy of the model, so a small
    pool of decoders (one per worker, created on demand, each loaded once) is shared by all calls.
    ``phrase_mode``: ``grammar`` (JSGF alternatives; the default) or ``keyword`` (keyphrase spotting,
    finds the phrase inside a longer answer).
    """

    name = "pocketsphinx"
    LANGUAGE = "en-US"

    @property
    def calibration(self) -> Calibration:
        """The menu calibration fitted for the front end in force (with or without the speech-band
        floor: the margins differ)."""
        return SPHINX_CALIBRATION if SPEECH_FLOOR_DB is not None else SPHINX_CALIBRATION_NO_FLOOR

    def __init__(self, executor: Executor | None = None, workers: int = 0, phrase_mode: str = "grammar",
                 model_dir: str | Path | None = None):
        super().__init__(executor, workers)
        if phrase_mode not in ("grammar", "keyword"):
            raise ValueError(f"phrase_mode must be 'grammar' or 'keyword', got {phrase_mode!r}")
        self.phrase_mode = phrase_mode
        self._model_dir = model_dir
        # "batch" decoders (cepstral mean over the whole answer: deterministic, and what recorded
        # answers get) and "live" decoders (streaming partials); one pool each
        self._idle: dict[str, queue.LifoQueue] = {"batch": queue.LifoQueue(), "live": queue.LifoQueue()}
        self._created = {"batch": 0, "live": 0}
        self._max = worker_count(workers)
        self._lock = threading.Lock()
        self._error: str | None = None
        self._cmn_hint: str | None = None
        self._floor_hint = 0.0         # the high-band floor of the answer the hint came from

    @staticmethod
    def available() -> bool:
        try:
            import pocketsphinx  # noqa: F401
        except Exception:
            return False
        return True

    @staticmethod
    def model_path() -> str | None:
        try:
            from pocketsphinx import get_model_path
            p = Path(get_model_path()) / "en-us"
            return str(p) if p.is_dir() else None
        except Exception:
            return None

    def languages(self) -> list[str]:
        return [] if self._error else [self.LANGUAGE]

    def _new_decoder(self, mode: str):
        from pocketsphinx import Decoder
        kwargs = {"loglevel": "FATAL", "cmn": mode}
        if self._model_dir:
            base = Path(self._model_dir)
            kwargs.update(hmm=str(base / "en-us"), lm=str(base / "en-us.lm.bin"), dict=str(base / "cmudict-en-us.dict"))
        try:
            d = Decoder(**kwargs)
        except Exception as exc:
            self._error = f"pocketsphinx could not load its English model ({exc})"
            raise ModelLoadError(self._error) from None
        return _Decoder(d, mode)

    def _borrow(self, mode: str = "batch") -> _Decoder:
        if self._error:
            raise ModelLoadError(self._error)
        idle = self._idle[mode]
        try:
            return idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            # batch decoders are used inside the worker pool (at most ``workers`` at once); live ones
            # belong to open streams, which must never wait for each other: no cap for those
            if mode == "live" or self._created[mode] < self._max:
                self._created[mode] += 1
                try:
                    return self._new_decoder(mode)
                except ModelLoadError:
                    self._created[mode] -= 1
                    raise
        return idle.get()

    def _release(self, d: _Decoder) -> None:
        self._idle[d.mode].put(d)

    def preload(self) -> None:
        self._release(self._borrow("batch"))

    def _words_known(self, d, phrase: str) -> str | None:
        words = normalize(phrase, "en-US").split()
        if not words:
            return None
        for w in words:
            if d.lookup_word(w) is None:
                log.warning(f"phrase {phrase!r} has a word pocketsphinx does not know ({w!r}); "
                            "left out of the grammar",
                            extra={"phrase": phrase, "word": w})
                return None
        return " ".join(words)

    def _activate(self, d, phrases: Sequence[str] | None) -> dict[str, str]:
        if not phrases:
            d.activate_search(d.default)
            return {}
        forms = {p: f for p in phrases if (f := self._words_known(d, p))}
        if not forms:
            d.activate_search(d.default)
            return {}
        alts = sorted(set(forms.values()))
        name = f"{self.phrase_mode}_{abs(hash(tuple(alts))) % 10**12}"
        if name not in d.searches:
            if self.phrase_mode == "grammar":
                jsgf = "#JSGF V1.0;\ngrammar menu;\npublic <menu> = " + " | ".join(alts) + " ;\n"
                d.add_jsgf_string(name, jsgf)
            else:
                # add_kws only reads a file: one "phrase /threshold/" line per keyphrase
                with tempfile.NamedTemporaryFile("w", suffix=".kws", delete=False, encoding="utf-8") as fh:
                    # detection threshold: looser for longer phrases (they are less often confused)
                    fh.write("".join(f"{a} /1e-{5 + 5 * len(a.split())}/\n" for a in alts))
                try:
                    d.add_kws(name, fh.name)
                finally:
                    os.unlink(fh.name)
            d.searches.add(name)
        d.activate_search(name)
        return forms

    def evidence(self, samples: np.ndarray, rate: int, language: str, phrases: Sequence[str]) -> MenuEvidence:
        """The two decodes of a menu answer, before the decision (benchmark, tests)."""
        if canonical_language(language).split("-")[0] != "en":
            raise SpeechUnavailable(f"pocketsphinx only has an English model, not {language!r}")
        if rate != MODEL_RATE:
            samples = resample(samples, rate, MODEL_RATE)
        d = self._borrow()
        try:
            forms = self._activate(d, phrases)
            if not forms:
                raise SpeechUnavailable("no expected phrase is in pocketsphinx's English dictionary")
            return self._evidence(d, _pad_for_sphinx(samples), forms)
        finally:
            self._release(d)

    @staticmethod
    def _fresh_features(d) -> None:
        """A new feature extractor for a recorded answer: pocketsphinx's noise removal
        (``remove_noise``, on in the model's ``feat.params``) otherwise keeps its noise estimate from
        the previous answer the pooled decoder heard, so the same answer scored differently
        depending on the caller before (costs ~0.1 ms)."""
        try:
            d.reinit_feat()
        except Exception:        # an older binding without it: decode as before
            pass

    @classmethod
    def _decode(cls, d, data: bytes) -> list:
        cls._fresh_features(d)
        d.start_utt()
        d.process_raw(data, no_search=False, full_utt=True)
        d.end_utt()
        return list(d.seg() or []) if d.hyp() is not None else []

    def _evidence(self, d, samples: np.ndarray, forms: dict[str, str]) -> MenuEvidence:
        """The grammar search (already active), scored two ways.

        pocketsphinx normalizes acoustic scores by the best senone of each frame, so the score of
        the grammar's words per frame is how far they stay below the best the model could do (a
        likelihood ratio against a free senone loop, no language-model weight in it). Background
        talk forced onto a short phrase also leaves speech that the grammar path spends in silence
        or fillers: the share of the loud frames (speech by energy) the phrase's words cover.
        margin = word score per frame + :data:`SPHINX_COVERAGE_WEIGHT` x coverage."""
        data = np.asarray(samples, dtype="<i2").tobytes()
        segs = self._decode(d, data)
        try:
            self._cmn_hint = d.get_cmn()
            self._floor_hint = high_band_rms(samples) if is_narrowband(samples, MODEL_RATE) else 0.0
        except Exception:
            pass
        words = [seg for seg in segs if (seg.word or "").strip() and not _FILLER_RE.match(seg.word)]
        heard = " ".join(_ALT_RE.sub("", seg.word) for seg in words)
        loud = _loud_frames(samples)
        covered = np.zeros(len(loud), dtype=bool)
        for seg in words:
            covered[max(0, seg.start_frame): seg.end_frame + 1] = True
        n_words = int(covered.sum())
        unexplained = int((loud & ~covered).sum())
        detail = (round(_log_score(words), 3), n_words, unexplained, int(loud.sum()))
        return MenuEvidence(heard=heard, phrase=_phrase_of(heard, forms), margin=sphinx_margin(detail),
                            free_text="", speech_s=round(int(loud.sum()) / 100.0, 3), detail=detail,
                            voiced=int(loud.sum()) >= _VOICED_FRAMES)

    def recognize_samples(self, samples: np.ndarray, rate: int, language: str,
                          phrases: Sequence[str] | None = None) -> Recognition:
        if canonical_language(language).split("-")[0] != "en":
            raise SpeechUnavailable(f"pocketsphinx only has an English model, not {language!r}")
        if rate != MODEL_RATE:
            samples = resample(samples, rate, MODEL_RATE)
        samples = _pad_for_sphinx(samples)
        d = self._borrow()
        try:
            forms = self._activate(d, phrases)
            if forms and self.phrase_mode == "grammar":
                return _decide(self._evidence(d, samples, forms), self.calibration)
            self._fresh_features(d)
            d.start_utt()
            d.process_raw(np.asarray(samples, dtype="<i2").tobytes(), no_search=False, full_utt=True)
            d.end_utt()
            if len(samples) > MODEL_RATE // 2:
                try:   # the cepstral mean of real answers: a warm start for live (streaming) decoders
                    self._cmn_hint = d.get_cmn()
                    self._floor_hint = high_band_rms(samples) if is_narrowband(samples, MODEL_RATE) else 0.0
                except Exception:
                    pass
            return self._result(d, phrases, forms, language)
        finally:
            self._release(d)

    def _result(self, d, phrases, forms, language) -> Recognition:
        hyp = d.hyp()
        words: list[tuple[str, float, float]] = []
        frate = 100.0
        for seg in (d.seg() or []) if hyp is not None else []:
            w = (seg.word or "").strip()
            if not w:
                continue
            if _FILLER_RE.match(w):
                continue
            words.append((_ALT_RE.sub("", w), float(seg.prob), (seg.end_frame - seg.start_frame + 1) / frate))
        text = " ".join(w for w, _, _ in words) if words else (" ".join(hyp.hypstr.split()) if hyp else "")
        confidence = _weighted_confidence(words) if text else 0.0
        matched, alts = _match(text, phrases, forms, language, confidence)
        return Recognition(text=text, confidence=confidence, alternatives=alts, matched=matched)

    def stream(self, language: str, sample_rate: int = 8000,
               phrases: Sequence[str] | None = None) -> RecognitionStream:
        if canonical_language(language).split("-")[0] != "en":
            raise SpeechUnavailable(f"pocketsphinx only has an English model, not {language!r}")
        d = self._borrow("live")
        try:
            forms = self._activate(d, phrases)
            if self._cmn_hint:
                try:
                    d.set_cmn(self._cmn_hint)
                except Exception:
                    pass
            d.start_utt()
        except Exception:
            self._release(d)
            raise
        return _SphinxStream(self, d, sample_rate, phrases, forms, language)


class _SphinxStream(RecognitionStream):
    def __init__(self, owner: PocketsphinxRecognizer, d, sample_rate, phrases, forms, language):
        self._owner, self._d = owner, d
        self._resampler = StreamResampler(sample_rate, MODEL_RATE)
        self._phrases, self._forms, self._language = phrases, forms, language
        self._result: Recognition | None = None
        self._audio: list[bytes] = []
        # telephone audio gets the same high-band floor as recorded answers (at the level of the
        # answer the cepstral-mean hint came from, since this answer's level is not known yet)
        self._filler = (HighBandFiller(MODEL_RATE, owner._floor_hint, HIGH_BAND_EDGE)
                        if HIGH_BAND_DB is not None and sample_rate <= 8000 and owner._floor_hint > 0 else None)

    def feed(self, pcm16: bytes) -> str | None:
        if self._result is not None:
            raise RuntimeError("stream already finished")
        x = np.frombuffer(pcm16[: len(pcm16) // 2 * 2], dtype="<i2")
        y = self._resampler.feed(x)
        self._audio.append(y.astype("<i2").tobytes())        # the final decode makes its own floor
        data = (self._filler.feed(y) if self._filler is not None else y).astype("<i2").tobytes()
        self._d.process_raw(data, no_search=False, full_utt=False)
        hyp = self._d.hyp()
        return hyp.hypstr if hyp and hyp.hypstr else None

    def finish(self) -> Recognition:
        if self._result is None:
            try:
                self._d.end_utt()
            finally:
                self._owner._release(self._d)
            # the live pass normalizes with a running estimate that needs several answers to settle;
            # the final result decodes the whole answer again with utterance-level normalization
            samples = np.frombuffer(b"".join(self._audio), dtype="<i2")
            self._result = self._owner.recognize_samples(samples, MODEL_RATE, self._language, self._phrases)
        return self._result

    def __del__(self):  # a stream dropped without finish() gives its decoder back
        if self._result is None and getattr(self, "_d", None) is not None:
            try:
                self._d.end_utt()
            except Exception:
                pass
            self._owner._release(self._d)
            self._result = Recognition("", 0.0)
