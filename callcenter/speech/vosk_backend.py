"""vosk (Kaldi) recognition: one model per language, one grammar decode per menu phrase plus a free decode.
"""
from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from concurrent.futures import Executor
from pathlib import Path
from typing import Sequence

import numpy as np

from .api import Recognition, RecognitionStream, SpeechUnavailable
from .audio import MODEL_RATE, StreamResampler, resample, trim_silence
from .discovery import ANY_LANGUAGE, canonical_language, pick_language
from .intents import _is_nospace_char, normalize
from .menu import _weighted_confidence, _match, VOSK_CALIBRATION, vosk_margin, MenuEvidence, _phrase_of, _collapse_repeats, _decide
from .backend import ModelLoadError, _Base, worker_count, log


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
