"""Recognition backends: vosk (first choice) and pocketsphinx (bundled English fallback).

Both implement :class:`callcenter.speech.api.Recognizer`:

* ``recognize_file(path, language, phrases)`` (async) reads the recording (any format, 8 kHz
  telephone audio is resampled to the models' 16 kHz), runs the decoder in the worker pool (off the
  event loop; vosk's and pocketsphinx's C code release the GIL, so threads run in parallel) and
  returns a :class:`~callcenter.speech.api.Recognition`;
* ``recognize_samples`` / ``recognize_file_sync``: the same, synchronously (CLI, benchmarks);
* ``stream(language, sample_rate, phrases)``: feed PCM chunks, get partial hypotheses, then
  ``finish()`` for the final result (for a live audio path).

Menus (``phrases`` given): the answer is scored against the expected phrases AND against something
that is not restricted to them, and the comparison is the confidence.

* vosk: one decode per expected phrase (a grammar of that phrase alone: vosk builds a bigram from its
  grammar list, so a grammar of all the phrases mixes and cuts them, "영업 연결", "pay"), then one free
  decode with the model's own language model. The phrase that came out whole with the best path
  score is the candidate; margin = its score minus the free decode's, per second of speech.
* pocketsphinx: one JSGF decode of the phrases. Its acoustic scores are normalized by the best senone
  of each frame, so the words' score per frame is a likelihood ratio against a free senone loop; and
  speech forced onto a short phrase leaves loud frames the grammar path spends in silence or fillers.
  margin = the words' score per frame + :data:`SPHINX_COVERAGE_WEIGHT` x the share of loud frames the
  words cover.

A logistic curve fitted on the tuning half of ``bench/speech_accuracy.py`` (:data:`VOSK_CALIBRATION`,
:data:`SPHINX_CALIBRATION`) turns the margin into a confidence; 0.5 (:data:`ACCEPT`) is the
acceptance point. The result:

* ``matched`` is set only when the restricted decode gave one whole expected phrase (pocketsphinx's
  grammar search can also end inside one, "pay my") AND the confidence is at least :data:`ACCEPT`;
  ``confidence`` is then the calibrated confidence;
* otherwise ``no_match`` is True (the menu takes its no-match branch, the IVR does not guess from
  the text), ``text`` is what the unrestricted decode heard (vosk) or the restricted one
  (pocketsphinx), ``confidence`` stays below :data:`ACCEPT` and ``alternatives`` names the closest
  phrase with its confidence;
* silence (no word in either decode) is an empty text: no input.

Free speech (no phrases): one decode; confidence is the mean of the word confidences the decoder
gives (vosk: MBR word posteriors; pocketsphinx: word posteriors from the lattice), weighted by word
duration. vosk's N-best list when ``nbest`` > 0 (a second decoding pass fed with the same audio).
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import queue
import re
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

import numpy as np

from .api import Recognition, RecognitionStream, Recognizer, SpeechUnavailable
from .audio import MODEL_RATE, StreamResampler, load_for_model, resample, trim_silence
from .discovery import ANY_LANGUAGE, canonical_language, pick_language
from .intents import _is_nospace_char, match_phrase, normalize

log = logging.getLogger("callcenter.speech")

_POOL_LOCK = threading.Lock()
_POOLS: dict[int, ThreadPoolExecutor] = {}


class ModelLoadError(SpeechUnavailable):
    """A configured model could not be loaded; the message names the path."""


def worker_count(configured: int = 0) -> int:
    """``speech.workers``: 0 means one worker per core."""
    return configured if configured and configured > 0 else (os.cpu_count() or 1)


def shared_pool(workers: int = 0) -> ThreadPoolExecutor:
    """The process-wide recognition pool for a size (``speech.workers``; 0 = cores)."""
    n = worker_count(workers)
    with _POOL_LOCK:
        pool = _POOLS.get(n)
        if pool is None:
            pool = _POOLS[n] = ThreadPoolExecutor(max_workers=n, thread_name_prefix="speech")
        return pool


def _weighted_confidence(words: list[tuple[str, float, float]]) -> float:
    """Mean of word confidences weighted by duration (words: (word, conf, duration))."""
    if not words:
        return 0.0
    tot = sum(max(d, 0.01) for _, _, d in words)
    return round(min(1.0, max(0.0, sum(c * max(d, 0.01) for _, c, d in words) / tot)), 4)


def _match(text: str, phrases: Sequence[str] | None, grammar_forms: dict[str, str], language: str,
           confidence: float) -> tuple[str | None, tuple[tuple[str, float], ...]]:
    """Match ``text`` back to the expected phrases; return (matched phrase, phrase alternatives)."""
    if not phrases or not text:
        return None, ()
    choices = {p: [p] + ([grammar_forms[p]] if grammar_forms.get(p) and grammar_forms[p] != p else [])
               for p in phrases}
    key, _score = match_phrase(text, choices, language)
    ranked = []
    for p in phrases:
        if p == key:
            continue
        _, s = match_phrase(text, {p: choices[p]}, language, threshold=0.0)
        if s > 0:
            ranked.append((p, round(s * confidence, 4)))
    ranked.sort(key=lambda kv: -kv[1])
    return key, tuple(ranked[:3])


#: Confidence at and above which a menu answer is taken as the phrase heard (see the module notes).
ACCEPT = 0.5


@dataclass(frozen=True)
class Calibration:
    """Margin (restricted minus unrestricted score per second of speech) -> confidence:
    ``1 / (1 + exp(-scale * (margin - offset)))``; ``offset`` is the margin of confidence 0.5."""
    offset: float
    scale: float

    def confidence(self, margin: float) -> float:
        z = max(-50.0, min(50.0, self.scale * (margin - self.offset)))
        return round(1.0 / (1.0 + math.exp(-z)), 4)


#: Fitted by ``python bench/speech_accuracy.py --fit`` on the tuning set only (never the held-out one).
VOSK_CALIBRATION = Calibration(offset=58.506, scale=0.001)
SPHINX_CALIBRATION = Calibration(offset=8.838, scale=0.5012)
#: vosk: weight of the candidate's lead over the next phrase in the margin (fitted with the calibration).
VOSK_LEAD_WEIGHT = 4.0


def vosk_margin(detail: tuple, lead_weight: float | None = None) -> float:
    """vosk's margin from (candidate score, best other phrase's score, free score, speech seconds):
    (candidate - free) / speech + weight x (candidate - other) / speech. The lead over the other
    phrases is the phrase-level posterior's evidence: background talk fits every phrase about as
    badly, a phrase that was said stands out."""
    best, other, free, speech = detail
    if best is None:
        return -50.0
    w = VOSK_LEAD_WEIGHT if lead_weight is None else lead_weight
    lead = (best - other) if other is not None else 0.0
    return round((best - free) / speech + w * lead / speech, 4)


#: pocketsphinx: weight of the phrase's coverage of the speech in the margin (fitted with the calibration).
SPHINX_COVERAGE_WEIGHT = 12.0


def sphinx_margin(detail: tuple, coverage_weight: float | None = None) -> float:
    """pocketsphinx's margin from (word score, word frames, unexplained speech frames, span)."""
    score, word_frames, unexplained, _span = detail
    k = SPHINX_COVERAGE_WEIGHT if coverage_weight is None else coverage_weight
    if word_frames <= 0:
        return -50.0
    return round(score / word_frames + k * word_frames / (word_frames + unexplained), 4)


@dataclass(frozen=True)
class MenuEvidence:
    """What the two decodes of one menu answer said (``evidence()``: for the benchmark and tests)."""
    heard: str             # words of the restricted decode ("" when it heard only silence)
    phrase: str | None     # the expected phrase those words are, whole; None when they are not one
    margin: float          # restricted minus unrestricted path score, per second of speech
    free_text: str         # what the unrestricted decode heard (vosk words; "" for a phone loop)
    speech_s: float        # seconds of speech the margin is divided by
    detail: tuple = ()     # backend-specific raw scores (benchmark fitting)


def _phrase_of(words: str, forms: dict[str, str]) -> str | None:
    """The expected phrase whose grammar form is exactly ``words`` (whole phrase, nothing else)."""
    if not words:
        return None
    for phrase, form in forms.items():
        if form == words:
            return phrase
    return None


def _collapse_repeats(text: str) -> str:
    """Words with immediate repetitions dropped: "상담원 연결 연결" -> "상담원 연결"."""
    out: list[str] = []
    for w in text.split():
        if not out or out[-1] != w:
            out.append(w)
    return " ".join(out)


def _decide(ev: MenuEvidence, calibration: Calibration) -> Recognition:
    """The menu answer from the evidence: a whole phrase with enough confidence, else no match."""
    if not ev.heard and not ev.free_text:
        return Recognition(text="", confidence=0.0)                 # silence: no input
    conf = calibration.confidence(ev.margin)
    if ev.phrase is not None and conf >= ACCEPT:
        return Recognition(text=ev.heard, confidence=conf, matched=ev.phrase)
    below = round(min(conf, ACCEPT - 0.0001), 4)
    return Recognition(text=ev.free_text or ev.heard, confidence=below,
                       alternatives=((ev.phrase, below),) if ev.phrase else (), no_match=True)


class _Base(Recognizer):
    def __init__(self, executor: Executor | None = None, workers: int = 0):
        self._executor = executor or shared_pool(workers)

    async def recognize_file(self, path: str | Path, language: str,
                             phrases: Sequence[str] | None = None) -> Recognition:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.recognize_file_sync, path, language, phrases)

    def recognize_file_sync(self, path: str | Path, language: str,
                            phrases: Sequence[str] | None = None) -> Recognition:
        samples, _dur = load_for_model(path, MODEL_RATE)
        rec = self.recognize_samples(samples, MODEL_RATE, language, phrases)
        return replace(rec, audio_path=str(path))

    def recognize_samples(self, samples: np.ndarray, rate: int, language: str,
                          phrases: Sequence[str] | None = None) -> Recognition:
        raise NotImplementedError


# --------------------------------------------------------------------------------------------------
# vosk

class VoskRecognizer(_Base):
    """vosk (Kaldi) recognition; one :class:`vosk.Model` per language, loaded once and shared by all
    calls (a ``KaldiRecognizer`` is cheap: one per recognition)."""

    name = "vosk"
    PHRASE_WEIGHT = 5
    calibration = VOSK_CALIBRATION

    def __init__(self, models: dict[str, str | Path] | None = None, executor: Executor | None = None,
                 workers: int = 0, nbest: int = 0, preload: bool = False, reuse_recognizers: bool = True):
        super().__init__(executor, workers)
        self._paths: dict[str, Path] = {canonical_language(k) if k != ANY_LANGUAGE else k: Path(v)
                                        for k, v in (models or {}).items()}
        self._models: dict[str, object] = {}
        self._errors: dict[str, str] = {}
        self._lock = threading.Lock()
        self.nbest = nbest
        self._vocab_cache: dict[tuple[str, str], bool] = {}
        self._idle: "OrderedDict[tuple, list]" = OrderedDict()
        self._max_idle = worker_count(workers)
        self._pool_lock = threading.Lock()
        self.reuse_recognizers = reuse_recognizers      # False: a new KaldiRecognizer per call (benchmarks)
        if preload:
            for lang in list(self._paths):
                try:
                    self.model(lang)
                except ModelLoadError:
                    pass

    # models -------------------------------------------------------------------------------------
    def languages(self) -> list[str]:
        return [lang for lang in self._paths if lang not in self._errors]

    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    def loaded(self, language: str) -> bool:
        return language in self._models

    def path_for(self, language: str) -> Path | None:
        lang = pick_language(language, self.languages())
        return self._paths.get(lang) if lang else None

    def model(self, language: str):
        """The loaded model serving ``language`` (loads it on first use). Raises SpeechUnavailable."""
        lang = pick_language(language, self._paths)
        if lang is None:
            raise SpeechUnavailable(f"no vosk model for language {language!r}")
        m = self._models.get(lang)
        if m is not None:
            return m
        with self._lock:
            m = self._models.get(lang)
            if m is not None:
                return m
            if lang in self._errors:
                raise ModelLoadError(self._errors[lang])
            path = self._paths[lang]
            try:
                import vosk
                vosk.SetLogLevel(-1)
                m = vosk.Model(str(path))
            except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
                msg = (f"vosk model for {lang} at {path} could not be loaded ({exc}): "
                       f"the folder is damaged or not a vosk model")
                self._errors[lang] = msg
                log.error(msg, extra={"language": lang, "path": str(path),
                                                                   "error": str(exc)})
                raise ModelLoadError(msg) from None
            self._models[lang] = m
            return m

    def in_vocabulary(self, model, word: str) -> bool:
        key = (str(id(model)), word)
        hit = self._vocab_cache.get(key)
        if hit is None:
            try:
                hit = model.vosk_model_find_word(word) != -1
            except Exception:
                hit = True
            if len(self._vocab_cache) < 100_000:
                self._vocab_cache[key] = hit
        return hit

    def _segment(self, model, token: str) -> list[str] | None:
        """Split a token written without spaces (Chinese) into vocabulary words, longest first."""
        out, i = [], 0
        while i < len(token):
            for j in range(min(len(token), i + 8), i, -1):
                if self.in_vocabulary(model, token[i:j]):
                    out.append(token[i:j])
                    i = j
                    break
            else:
                return None
        return out

    def grammar_forms(self, model, phrases: Sequence[str], language: str) -> dict[str, str]:
        """Expected phrase -> the form given to the grammar (normalized, split into vocabulary
        words). Phrases with words the model does not know are left out (and logged)."""
        forms: dict[str, str] = {}
        for p in phrases:
            words: list[str] = []
            ok = True
            for tok in normalize(p, language).split():
                if self.in_vocabulary(model, tok):
                    words.append(tok)
                    continue
                seg = self._segment(model, tok) if any(_is_nospace_char(c) for c in tok) else None
                if seg:
                    words.extend(seg)
                else:
                    ok = False
                    log.warning(f"phrase {p!r} has a word the {language} model does not know ({tok!r}); "
                                "left out of the grammar",
                                extra={"phrase": p, "word": tok, "language": language})
                    break
            if ok and words:
                forms[p] = " ".join(words)
        return forms

    # recognizer pool ----------------------------------------------------------------------------
    # A KaldiRecognizer on a model with a dynamic graph (HCLr.fst + Gr.fst) composes the decoding
    # graph lazily and caches what it expanded: a new recognizer per call starts cold (free speech
    # was ~0.7 x real time on the Korean model, half of it re-expanding the graph), a reused one is
    # warm (~0.1). FinalResult() resets a recognizer for the next utterance (new feature pipeline
    # and decoder: nothing of the previous caller carries over), so idle recognizers are kept per
    # (model, grammar, nbest) and reused, one caller at a time.
    _POOL_KEYS = 64

    def _borrow(self, model, grammar: list[str] | None, nbest: int = 0):
        key = (id(model), json.dumps(grammar, ensure_ascii=False) if grammar is not None else None, nbest)
        with self._pool_lock:
            idle = self._idle.get(key)
            if idle:
                self._idle.move_to_end(key)
                return key, idle.pop()
        return key, self._recognizer(model, MODEL_RATE, grammar, nbest)

    def _give_back(self, key, rec) -> None:
        if not self.reuse_recognizers:
            return
        with self._pool_lock:
            idle = self._idle.setdefault(key, [])
            self._idle.move_to_end(key)
            if len(idle) < max(2, self._max_idle):
                idle.append(rec)
            while len(self._idle) > self._POOL_KEYS:
                self._idle.popitem(last=False)

    def _recognizer(self, model, rate: int, grammar: list[str] | None, nbest: int = 0):
        import vosk
        if grammar is not None:
            rec = vosk.KaldiRecognizer(model, rate, json.dumps(grammar, ensure_ascii=False))
        else:
            rec = vosk.KaldiRecognizer(model, rate)
        if nbest > 0:
            rec.SetMaxAlternatives(nbest)
        rec.SetWords(True)
        return rec

    def _grammar(self, model, phrases: Sequence[str] | None, language: str) -> tuple[list[str] | None, dict[str, str]]:
        if not phrases:
            return None, {}
        forms = self.grammar_forms(model, phrases, language)
        if not forms:
            log.warning("no expected phrase is in the model's vocabulary: free speech instead of a grammar",
                        extra={"language": language})
            return None, {}
        # vosk estimates a bigram from the list (each entry counted once): repeating every phrase
        # makes the bigram's back-off, the way to parts and mixtures of phrases, that much costlier
        grammar = [f for f in sorted(set(forms.values())) for _ in range(self.PHRASE_WEIGHT)]
        if self.in_vocabulary(model, "[unk]"):
            grammar.append("[unk]")
        return grammar, forms

    # recognition --------------------------------------------------------------------------------
    def recognize_samples(self, samples: np.ndarray, rate: int, language: str,
                          phrases: Sequence[str] | None = None) -> Recognition:
        model = self.model(language)
        if rate != MODEL_RATE:
            samples = resample(samples, rate, MODEL_RATE)
        grammar, forms = self._grammar(model, phrases, language)
        if grammar is not None:
            return _decide(self._evidence(model, samples, grammar, forms), self.calibration)
        data = np.asarray(samples, dtype="<i2").tobytes()
        key, rec = self._borrow(model, grammar)
        alt_key, alt_rec = self._borrow(model, grammar, self.nbest) if self.nbest > 0 else (None, None)
        step = MODEL_RATE * 2  # bytes in 1 s of audio (2 bytes per sample)
        segments: list[dict] = []
        alt_segments: list[dict] = []
        for i in range(0, len(data), step):
            chunk = data[i:i + step]
            if rec.AcceptWaveform(chunk):
                segments.append(json.loads(rec.Result()))
            if alt_rec is not None and alt_rec.AcceptWaveform(chunk):
                alt_segments.append(json.loads(alt_rec.Result()))
        segments.append(json.loads(rec.FinalResult()))
        self._give_back(key, rec)
        if alt_rec is not None:
            alt_segments.append(json.loads(alt_rec.FinalResult()))
            self._give_back(alt_key, alt_rec)
        return self._result(segments, alt_segments, phrases, forms, language)

    def evidence(self, samples: np.ndarray, rate: int, language: str, phrases: Sequence[str]) -> MenuEvidence:
        """The two decodes of a menu answer, before the decision (benchmark, tests)."""
        model = self.model(language)
        if rate != MODEL_RATE:
            samples = resample(samples, rate, MODEL_RATE)
        grammar, forms = self._grammar(model, phrases, language)
        if grammar is None:
            raise SpeechUnavailable(f"no expected phrase is in the {language} model's vocabulary")
        return self._evidence(model, samples, grammar, forms)

    def _best_path(self, model, data: bytes, grammar: list[str] | None) -> tuple[str, float, list[dict]]:
        """(text, path score, words with times) of one whole-answer decode. The endpointer's "end of
        utterance" is ignored (the recording is one answer), so the path covers all the audio."""
        key, rec = self._borrow(model, grammar, 1)
        try:
            rec.AcceptWaveform(data)
            res = json.loads(rec.FinalResult())
        finally:
            self._give_back(key, rec)
        alts = res.get("alternatives") or [{}]
        best = alts[0]
        words = [w for w in best.get("result", []) if w.get("word") not in ("[unk]", "<unk>")]
        text = " ".join(w["word"] for w in words)
        return text, float(best.get("confidence", 0.0)), words

    def _evidence(self, model, samples: np.ndarray, grammar: list[str], forms: dict[str, str]) -> MenuEvidence:
        """One decode per expected phrase (a grammar of that phrase alone), then the free decode.

        A grammar of all the phrases lets vosk's bigram mix them ("영업 연결" from "상담원 연결" and
        "영업 시간"); a grammar of one phrase can only say that phrase (or give up on it), and its
        path score says how well the audio fits it. The phrase that came out whole with the best
        score is the candidate; its margin is its score minus the free decode's, per second of
        speech (energy-based, so both decodes are measured over the same audio)."""
        data = np.asarray(samples, dtype="<i2").tobytes()
        scored: list[tuple[float, str]] = []           # (score, form) of every phrase decode
        whole: list[tuple[float, str]] = []
        partial = ""
        for form in sorted(set(forms.values())):
            text, score, _words = self._best_path(model, data, [form] * self.PHRASE_WEIGHT)
            scored.append((score, form))
            if _collapse_repeats(text) == form:     # the grammar's bigram can loop ("연결 연결")
                whole.append((score, form))
            elif text and not partial:
                partial = text
        free, f_score, _ = self._best_path(model, data, None)
        speech = max(0.3, len(trim_silence(np.asarray(samples, dtype=np.int16), MODEL_RATE, margin=0.0)) / MODEL_RATE)
        if not whole:
            return MenuEvidence(heard=partial, phrase=None, margin=-50.0, free_text=free, speech_s=round(speech, 3),
                                detail=(None, None, round(f_score, 3), round(speech, 3)))
        score, form = max(whole)
        others = [sc for sc, f in scored if f != form]
        runner_up = max(others) if others else None
        detail = (round(score, 3), None if runner_up is None else round(runner_up, 3), round(f_score, 3),
                  round(speech, 3))
        return MenuEvidence(heard=form, phrase=_phrase_of(form, forms) or form, margin=vosk_margin(detail),
                            free_text=free, speech_s=round(speech, 3), detail=detail)

    def _result(self, segments: list[dict], alt_segments: list[dict], phrases, forms, language) -> Recognition:
        words: list[tuple[str, float, float]] = []
        for seg in segments:
            for w in seg.get("result", []):
                if w.get("word") in ("[unk]", "<unk>"):
                    continue
                words.append((w["word"], float(w.get("conf", 1.0)), float(w["end"]) - float(w["start"])))
        text = " ".join(t for t in (seg.get("text", "") for seg in segments) if t)
        text = " ".join(w for w in text.split() if w not in ("[unk]", "<unk>"))
        confidence = _weighted_confidence(words) if text else 0.0
        alternatives: tuple[tuple[str, float], ...] = ()
        if alt_segments:
            alternatives = _nbest_posteriors(alt_segments, text)
        matched, phrase_alts = _match(text, phrases, forms, language, confidence)
        if not alternatives:
            alternatives = phrase_alts
        return Recognition(text=text, confidence=confidence, alternatives=alternatives, matched=matched)

    def stream(self, language: str, sample_rate: int = 8000,
               phrases: Sequence[str] | None = None) -> RecognitionStream:
        model = self.model(language)
        grammar, forms = self._grammar(model, phrases, language)
        key, rec = self._borrow(model, grammar)
        return _VoskStream(self, key, rec, sample_rate, phrases, forms, language)


def _nbest_posteriors(alt_segments: list[dict], best_text: str) -> tuple[tuple[str, float], ...]:
    """N-best texts of the last segment with posteriors (softmax of vosk's path scores, which are
    log-likelihoods), other than the best text."""
    last = alt_segments[-1].get("alternatives") or []
    prefix = " ".join(" ".join(a["text"] for a in (s.get("alternatives") or [])[:1]) for s in alt_segments[:-1]).strip()
    scored = [((prefix + " " + a.get("text", "")).strip(), float(a.get("confidence", 0.0))) for a in last]
    scored = [(" ".join(w for w in t.split() if w != "[unk]"), s) for t, s in scored]
    if not scored:
        return ()
    top = max(s for _, s in scored)
    z = sum(math.exp(s - top) for _, s in scored)
    out = [(t, round(math.exp(s - top) / z, 4)) for t, s in scored if t and t != best_text]
    return tuple(out)


class _VoskStream(RecognitionStream):
    def __init__(self, owner: VoskRecognizer, key, rec, sample_rate: int, phrases, forms, language):
        self._owner = owner
        self._key = key
        self._rec = rec
        self._resampler = StreamResampler(sample_rate, MODEL_RATE)
        self._segments: list[dict] = []
        self._phrases = phrases
        self._forms = forms
        self._language = language
        self._done = False
        self._audio: list[bytes] = []
        self._final: Recognition | None = None

    def feed(self, pcm16: bytes) -> str | None:
        if self._done:
            raise RuntimeError("stream already finished")
        x = np.frombuffer(pcm16[: len(pcm16) // 2 * 2], dtype="<i2")
        data = self._resampler.feed(x).astype("<i2").tobytes()
        if self._forms:
            self._audio.append(data)
        if self._rec.AcceptWaveform(data):
            self._segments.append(json.loads(self._rec.Result()))
            return " ".join(s.get("text", "") for s in self._segments if s.get("text")) or None
        partial = json.loads(self._rec.PartialResult()).get("partial", "")
        done = " ".join(s.get("text", "") for s in self._segments if s.get("text"))
        text = (done + " " + partial).strip()
        return text or None

    def finish(self) -> Recognition:
        if not self._done:
            self._done = True
            self._segments.append(json.loads(self._rec.FinalResult()))
            self._owner._give_back(self._key, self._rec)   # reset by FinalResult: reusable
        if not self._forms:
            return self._owner._result(self._segments, [], self._phrases, self._forms, self._language)
        if self._final is None:
            # a menu answer: the partials came from the grammar alone; the final result is the
            # two-decode decision on the whole answer, as for a recorded one
            samples = np.frombuffer(b"".join(self._audio), dtype="<i2")
            self._final = self._owner.recognize_samples(samples, MODEL_RATE, self._language, self._phrases)
        return self._final


# --------------------------------------------------------------------------------------------------
# pocketsphinx

_FILLER_RE = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+|\+.*\+)$")
_ALT_RE = re.compile(r"\(\d+\)$")


_PAD = np.rint(np.random.default_rng(7).normal(0, 10, int(0.3 * MODEL_RATE))).astype(np.int16)


def _pad_for_sphinx(samples: np.ndarray) -> np.ndarray:
    """The answer with its silences normalized: leading/trailing silence trimmed to 0.15 s, then
    0.3 s of faint noise before and after. pocketsphinx's whole-answer cepstral mean is pulled off by
    long silences (a recording ends with the 1.5 s of silence that stopped it), a prompt cut right
    at the first/last word leaves no room for its silence model, and digital zeros upset its energy
    features: all three gave empty or truncated results on telephone-like test answers."""
    return np.concatenate([_PAD, trim_silence(np.asarray(samples, dtype=np.int16), MODEL_RATE), _PAD])


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
    calibration = SPHINX_CALIBRATION

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
    def _decode(d, data: bytes) -> list:
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
                            free_text="", speech_s=round(int(loud.sum()) / 100.0, 3), detail=detail)

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
            d.start_utt()
            d.process_raw(np.asarray(samples, dtype="<i2").tobytes(), no_search=False, full_utt=True)
            d.end_utt()
            if len(samples) > MODEL_RATE // 2:
                try:   # the cepstral mean of real answers: a warm start for live (streaming) decoders
                    self._cmn_hint = d.get_cmn()
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

    def feed(self, pcm16: bytes) -> str | None:
        if self._result is not None:
            raise RuntimeError("stream already finished")
        x = np.frombuffer(pcm16[: len(pcm16) // 2 * 2], dtype="<i2")
        data = self._resampler.feed(x).astype("<i2").tobytes()
        self._audio.append(data)
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
