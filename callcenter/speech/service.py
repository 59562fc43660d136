"""The speech layer as the rest of the server sees it: built from the configuration.

    speech = SpeechService.from_config(cfg)
    await speech.start()                       # discovers and loads models (off the event loop), logs
    rec = speech.recognizer_for("ko-KR")       # a Recognizer, or raises SpeechUnavailable
    speech.recognizer                          # one Recognizer routing by language (for channels)
    r = await rec.recognize_file(path, "ko-KR", ["네", "아니요"])
    prompt = await speech.synthesizer.synthesize("Welcome", "en-US")

With no model at all the service still starts; ``available(language)`` is False and the IVR runs
menus DTMF-only (one log line says so). A broken model path is logged as an error naming the path
and the server keeps running.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..config import SpeechSection
from .api import Recognizer, SpeechUnavailable
from .discovery import ANY_LANGUAGE, Discovery, canonical_language, discover, pick_language
from .procpool import process_count
from .recognizers import ModelLoadError, PocketsphinxRecognizer, VoskRecognizer, shared_pool, worker_count
from .synth import PromptSynthesizer, SynthesisError, espeak_voices, resolve_voice

log = logging.getLogger("callcenter.speech")


#: how long ``start_sync(load=True)`` waits for the recognition worker processes to be warm
WORKERS_READY_S = 120.0


class RoutingRecognizer(Recognizer):
    """One :class:`Recognizer` over every backend of a :class:`SpeechService`: each call goes to the
    backend serving its language. This is what to hand to a channel (``AgiChannel(recognizer=...)``)."""

    name = "speech"

    def __init__(self, service: "SpeechService"):
        self.service = service

    def languages(self) -> list[str]:
        return [lang for lang in self.service.languages() if lang != ANY_LANGUAGE]

    async def recognize_file(self, path, language: str, phrases=None):
        return await self.service.recognizer_for(language).recognize_file(path, language, phrases)

    def recognize_file_sync(self, path, language: str, phrases=None):
        return self.service.recognizer_for(language).recognize_file_sync(path, language, phrases)

    def stream(self, language: str, sample_rate: int = 8000, phrases=None):
        return self.service.recognizer_for(language).stream(language, sample_rate, phrases)

    def stream_opens_inline(self, language: str) -> bool:
        """Whether ``stream(language)`` returns at once (a worker process's session)."""
        f = getattr(self.service.recognizer_for(language), "stream_opens_inline", None)
        return bool(f and f(language))


class SpeechService:
    def __init__(self, section: SpeechSection, synthesizer: PromptSynthesizer | None = None,
                 packages=None):
        self.cfg = section
        self.enabled = section.enabled
        self.workers = worker_count(section.workers)
        self.executor = shared_pool(self.workers)
        self.processes = process_count(getattr(section, "processes", 0))
        self.pool = None        # RecognitionWorkers when speech.processes > 0 (started with the models)
        self._packages = packages
        self.discovery: Discovery = Discovery()
        self.vosk: VoskRecognizer | None = None
        self.pocketsphinx: PocketsphinxRecognizer | None = None
        self.synthesizer = synthesizer
        self.recognizer = RoutingRecognizer(self)
        self.started = False

    @classmethod
    def from_config(cls, cfg, packages=None) -> "SpeechService":
        """``cfg``: a :class:`callcenter.config.Config`."""
        return cls(cfg.speech, PromptSynthesizer.from_config(cfg), packages)

    # start-up ---------------------------------------------------------------------------------
    def start_sync(self, load: bool = True) -> None:
        """Discover the models, load them (``load``), log what serves which language."""
        if not self.enabled:
            log.warning("speech recognition disabled (speech.enabled: false): menus run DTMF-only")
            self.started = True
            return
        self.discovery = discover(self.cfg, self._packages)
        for problem in self.discovery.problems:
            log.error(f"speech model problem: {problem}", extra={"path": problem.path, "source": problem.source,
                                                     "problem": problem.message})
        models = {m.language: m.path for m in self.discovery.models}
        self.vosk = VoskRecognizer(models, executor=self.executor, workers=self.workers) if models else None
        if self.cfg.pocketsphinx and PocketsphinxRecognizer.available():
            if self.processes:
                # pocketsphinx holds the GIL while it decodes: in worker processes, off the event loop
                # (speech.processes; docs/speech.md)
                from .procpool import ProcessRecognizer, RecognitionWorkers
                self.pool = self.pool or RecognitionWorkers(self.processes,
                                                            nice=getattr(self.cfg, "processes_nice", 0))
                self.pocketsphinx = ProcessRecognizer(self.pool)
            else:
                self.pocketsphinx = PocketsphinxRecognizer(executor=self.executor, workers=self.workers)
        if load:
            if self.vosk:
                for m in self.discovery.models:
                    try:
                        self.vosk.model(m.language)
                    except ModelLoadError:
                        pass  # logged by the recognizer; that language falls back or runs DTMF-only
            if self.pool is not None:
                # the workers load the model and warm their decoders (in parallel); loaded = warm
                if not self.pool.start(wait=WORKERS_READY_S).wait_ready(0):
                    log.warning(f"speech worker processes not warm after {WORKERS_READY_S:.0f} s; "
                                "the first answers wait for them")
            elif self.pocketsphinx:
                try:
                    self.pocketsphinx.preload()
                except ModelLoadError as exc:
                    log.error("pocketsphinx cannot start", extra={"error": str(exc)})
        self.started = True
        self._log_summary()
        for problem in self.voice_problems():
            log.error(f"speech.voices: {problem}")

    async def start(self, load: bool = True) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.start_sync, load)

    def _log_summary(self) -> None:
        langs = self.languages()
        if not langs:
            broken = len(self.discovery.problems) + len(self.vosk.errors() if self.vosk else {})
            why = f"{broken} model path(s) unusable, see the errors above" if broken else "none found"
            log.warning(f"no speech recognition model ({why}): menus run DTMF-only "
                        "(configure speech.vosk_models, speech.models_dir or CALLCENTER_VOSK_MODEL)")
            return
        for lang, info in langs.items():
            log.info("speech recognition ready", extra={"language": lang, **info})

    # queries ----------------------------------------------------------------------------------
    def languages(self) -> dict[str, dict[str, Any]]:
        """language -> {backend, model, grammar} for every language that can be recognized."""
        out: dict[str, dict[str, Any]] = {}
        if self.vosk:
            errors = self.vosk.errors()
            for m in self.discovery.models:
                if m.language in errors:
                    continue
                out[m.language] = {"backend": "vosk", "model": str(m.path), "grammar": m.grammar,
                                   "source": m.source}
        if self.pocketsphinx and self.pocketsphinx.languages():
            for lang in self.pocketsphinx.languages():
                if lang not in out:
                    out[lang] = {"backend": "pocketsphinx", "model": PocketsphinxRecognizer.model_path() or "",
                                 "grammar": True, "source": "pocketsphinx package (bundled English)"}
        return out

    def available(self, language: str) -> bool:
        try:
            self.recognizer_for(language)
            return True
        except SpeechUnavailable:
            return False

    def recognizer_for(self, language: str) -> Recognizer:
        """The recognizer for ``language`` (vosk model of that language or of its base language;
        pocketsphinx for English), else :class:`SpeechUnavailable`."""
        if not self.enabled:
            raise SpeechUnavailable("speech recognition is disabled (speech.enabled: false)")
        if not self.started:
            self.start_sync(load=False)
        lang = canonical_language(language or "en-US")
        if self.vosk:
            pick = pick_language(lang, self.vosk.languages())
            # a model of unknown language only serves languages no other backend has
            if pick is not None and not (pick == ANY_LANGUAGE and self._sphinx_serves(lang)):
                try:
                    self.vosk.model(pick)
                    return self.vosk
                except ModelLoadError:
                    pass
        if self._sphinx_serves(lang):
            return self.pocketsphinx  # type: ignore[return-value]
        raise SpeechUnavailable(f"no speech recognition model for {lang}: menus run DTMF-only")

    async def recognize_file(self, path, language: str, phrases=None):
        """Recognize a recorded answer, or ``None`` when no model serves ``language`` (the caller
        then falls back to DTMF, as the channel contract says)."""
        try:
            rec = self.recognizer_for(language)
        except SpeechUnavailable:
            return None
        return await rec.recognize_file(path, language, phrases)

    def _sphinx_serves(self, lang: str) -> bool:
        return bool(self.pocketsphinx and self.pocketsphinx.languages() and lang.split("-")[0] == "en")

    def voice_problems(self) -> list[str]:
        """Configured voices (``speech.voices``) that espeak-ng does not have."""
        out = []
        for lang, voice in self.cfg.voices.items():
            try:
                resolve_voice(lang, voice)
            except SynthesisError as exc:
                out.append(str(exc))
        return out

    def status(self) -> dict[str, Any]:
        """Everything ``callcenter speech status`` shows."""
        d = self.discovery
        sphinx_pkg = PocketsphinxRecognizer.available()
        synth = self.synthesizer
        return {
            "enabled": self.enabled,
            "workers": self.workers,
            "processes": ([{k: w.get(k) for k in ("index", "pid", "alive", "ready", "error")}
                           for w in self.pool.status(ask=False)] if self.pool else []),
            "languages": self.languages(),
            "models": [{"language": m.language, "path": str(m.path), "source": m.source, "grammar": m.grammar,
                        "loaded": bool(self.vosk and self.vosk.loaded(m.language)),
                        "error": (self.vosk.errors().get(m.language) if self.vosk else None)}
                       for m in d.models],
            "shadowed": [{"language": m.language, "path": str(m.path), "source": m.source} for m in d.shadowed],
            "problems": [{"path": p.path, "source": p.source, "message": p.message} for p in d.problems],
            "pocketsphinx": {"installed": sphinx_pkg, "enabled": self.cfg.pocketsphinx,
                             "model": PocketsphinxRecognizer.model_path() if sphinx_pkg else None},
            "synthesis": {
                "prompts_dir": str(synth.dir) if synth else None,
                "asterisk_dir": synth.asterisk_dir if synth else None,
                "format": synth.fmt if synth else None,
                "rate": synth.rate if synth else None,
                "voices_configured": dict(self.cfg.voices),
                "voice_problems": self.voice_problems(),
                "espeak_voices": len(espeak_voices()),
            },
        }

    def close(self) -> None:
        if self.synthesizer:
            self.synthesizer.close()
        if self.pool is not None:
            self.pool.close()


def build_speech_service(cfg) -> SpeechService:
    """Shortcut for the server wiring: ``SpeechService.from_config(cfg)``."""
    return SpeechService.from_config(cfg)
