"""Speech synthesis (espeak-ng) with a prompt cache of telephone-format files.

Engines
-------
* :class:`EspeakCliEngine` (default): the ``espeak-ng`` program itself (text on stdin, WAV on
  stdout). Each render is a fresh process, so the same text, voice and rate always give the same
  audio whatever was rendered before, and renders may run in parallel. It costs ~20 ms per render
  (pyttsx3: ~15 ms), paid once per prompt: the cache below keeps every rendered prompt.

* :class:`Pyttsx3Engine` (``speech.synth_engine: pyttsx3``, or where the program is missing but the
  espeak-ng library loads): pyttsx3 with its ``espeak`` driver. pyttsx3 is NOT sound, which is why
  it is not the default; this class works around what it can:

  - the espeak library is process-global and pyttsx3 hands out one shared engine per driver, so
    two threads using it lose or mix files: there is exactly ONE engine, created and used only on
    ONE dedicated thread (every render is queued to it);
  - several ``save_to_file`` calls queued before one ``runAndWait`` write only the last file: one
    file per ``runAndWait``;
  - it always writes a 22050 Hz header (espeak-ng's native rate), and prints "Audio saved to ..."
    on stdout: the file is read back and converted here, and the print is swallowed;
  - an unknown voice name fails late with an empty message: voices are checked against
    espeak-ng's voice list first (:func:`resolve_voice`), with an error naming the voice;
  - setting voice then rate sometimes leaves the previous prompt's rate in force: rate is set
    before and after the voice;
  - its synthesis callback writes the file on espeak's end-of-message event and drops the samples
    delivered with that same event, so now and then the file is empty: the render is retried, and
    after a second empty file that prompt is rendered by the espeak-ng program (logged);
  - not worked around (found by the suite, pyttsx3 2.99): the pause at the end of a prompt depends
    on the voice and rate of the prompt rendered BEFORE it (up to ~50 ms more or less silence), so
    the same prompt's audio depends on the order prompts were rendered in.

Prompt cache
------------
:class:`PromptSynthesizer` renders text to an 8 kHz mono file in ``prompts.format`` (``wav``:
16-bit signed linear, ``ulaw``, ``gsm``: what Asterisk plays without transcoding) under
``prompts.dir`` (default ``<data_dir>/prompts``), named from a hash of text + voice + language +
rate + format: ``<prompts.dir>/<language>/<words>-<hash>.<ext>``. A second request for the same key
is answered from memory (no synthesis, no disk access: microseconds); a file already on disk (from
an earlier run or ``callcenter prompts build``) is reused; changed text gets a new file.
``SynthesizedPrompt.asterisk_name`` is the same path as Asterisk sees it (``prompts.asterisk_dir``,
default ``prompts.dir``), without extension, ready for ``STREAM FILE``.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

from .api import SynthesizedPrompt, Synthesizer
from .audio import PROMPT_FORMATS, AudioError, encode_prompt, parse_wav, prompt_duration
from .discovery import canonical_language

log = logging.getLogger("callcenter.speech")

#: espeak-ng voice per base language when ``speech.voices`` does not name one.
DEFAULT_VOICES = {"en-US": "en-us", "en-GB": "en-gb", "en": "en-us", "zh-CN": "cmn", "zh": "cmn",
                  "zh-TW": "cmn", "zh-HK": "yue", "yue": "yue", "ko": "ko", "ja": "ja", "fr": "fr",
                  "de": "de", "es": "es", "pt-BR": "pt-br", "pt": "pt", "it": "it", "ru": "ru",
                  "nl": "nl", "pl": "pl", "tr": "tr", "vi": "vi", "hi": "hi", "ar": "ar"}


class SynthesisError(Exception):
    """Text could not be synthesized; the message says why (voice, engine, text)."""


@dataclass(frozen=True)
class VoiceInfo:
    name: str          # what espeak-ng -v accepts (cmn, en-us)
    languages: tuple[str, ...]
    identifier: str    # espeak-ng file identifier (sit/cmn)


# --------------------------------------------------------------------------------------------------
# Voices

_VOICES_LOCK = threading.Lock()
_VOICES: list[VoiceInfo] | None = None


def espeak_voices() -> list[VoiceInfo]:
    """espeak-ng's installed voices (``espeak-ng --voices``), cached; empty without espeak-ng."""
    global _VOICES
    with _VOICES_LOCK:
        if _VOICES is not None:
            return _VOICES
        exe = shutil.which("espeak-ng") or shutil.which("espeak")
        voices: list[VoiceInfo] = []
        if exe:
            try:
                out = subprocess.run([exe, "--voices"], capture_output=True, text=True, timeout=20).stdout
            except (OSError, subprocess.TimeoutExpired):
                out = ""
            for line in out.splitlines()[1:]:
                parts = line.split()
                if len(parts) < 5:
                    continue
                # Pty Language Age/Gender VoiceName File Other Languages
                lang, ident = parts[1], parts[4]
                others = tuple(re.findall(r"\(([\w-]+) \d+\)", line))
                voices.append(VoiceInfo(lang, (lang,) + others, ident))
        _VOICES = voices
        return voices


def resolve_voice(language: str, voice: str | None = None, voices_cfg: Mapping[str, str] | None = None,
                  known: list[VoiceInfo] | None = None) -> str:
    """The espeak-ng voice for a prompt: ``voice`` if given, else ``speech.voices`` (exact tag, then
    base language), else the built-in table, else the base language code. Raises
    :class:`SynthesisError` naming the voice when espeak-ng does not have it."""
    lang = canonical_language(language) if language else "en-US"
    base = lang.split("-")[0]
    cfg = {canonical_language(k): v for k, v in (voices_cfg or {}).items()}
    chosen = voice or cfg.get(lang) or cfg.get(base) or DEFAULT_VOICES.get(lang) or DEFAULT_VOICES.get(base) or base
    known = espeak_voices() if known is None else known
    if known:
        low = chosen.lower()
        ok = any(low in (v.name.lower(), v.identifier.lower(), v.identifier.lower().rsplit("/", 1)[-1])
                 or low in (x.lower() for x in v.languages) for v in known)
        if not ok:
            where = "voice" if voice else ("speech.voices" if (cfg.get(lang) or cfg.get(base)) else "default voice")
            raise SynthesisError(f"espeak-ng has no voice {chosen!r} for language {lang} ({where}); "
                                 f"`callcenter speech status` lists the voices")
    return chosen


# --------------------------------------------------------------------------------------------------
# Engines

class EspeakCliEngine:
    """espeak-ng as a program: one process per render (parallel-safe)."""

    name = "espeak-ng"

    def __init__(self, exe: str | None = None):
        self.exe = exe or shutil.which("espeak-ng") or shutil.which("espeak")

    def available(self) -> bool:
        return bool(self.exe)

    def render(self, text: str, voice: str, rate: int) -> tuple[np.ndarray, int]:
        if not self.exe:
            raise SynthesisError("espeak-ng is not installed (Debian package espeak-ng)")
        # espeak-ng silently falls back to its default voice for an unknown name: check first
        resolve_voice("en-US", voice)
        try:
            proc = subprocess.run([self.exe, "-v", voice, "-s", str(int(rate)), "--stdout", "--stdin"],
                                  input=text.encode("utf-8"), capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise SynthesisError(f"espeak-ng took more than 120 s for {text[:40]!r}") from None
        if proc.returncode != 0 or len(proc.stdout) <= 44:
            err = proc.stderr.decode("utf-8", "replace").strip() or f"exit code {proc.returncode}"
            raise SynthesisError(f"espeak-ng failed for voice {voice!r}: {err}")
        data = bytearray(proc.stdout)
        # espeak-ng streams its WAV: the header's sizes are placeholders; fix them before parsing
        if data[:4] == b"RIFF":
            data[4:8] = (len(data) - 8).to_bytes(4, "little")
            idx = data.find(b"data", 12)
            if idx > 0:
                data[idx + 4:idx + 8] = (len(data) - idx - 8).to_bytes(4, "little")
        try:
            return parse_wav(bytes(data), "espeak-ng output")
        except AudioError as exc:
            raise SynthesisError(str(exc)) from None


class Pyttsx3Engine:
    """pyttsx3 + espeak driver: ONE engine, on ONE dedicated thread, one file per runAndWait."""

    name = "pyttsx3"
    _thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tts")
    _engine = None
    _init_error: str | None = None
    _tmpdir: str | None = None

    @classmethod
    def _get_engine(cls):
        # runs on the tts thread only
        if cls._engine is None and cls._init_error is None:
            try:
                import pyttsx3
                cls._engine = pyttsx3.init("espeak")
                cls._tmpdir = tempfile.mkdtemp(prefix="callcenter-tts-")
            except Exception as exc:  # no libespeak-ng, no pyttsx3
                cls._init_error = f"pyttsx3 with the espeak driver cannot start: {exc}"
        if cls._engine is None:
            raise SynthesisError(cls._init_error or "pyttsx3 is unavailable")
        return cls._engine

    @classmethod
    def available(cls) -> bool:
        try:
            cls._thread.submit(cls._get_engine).result(timeout=30)
            return True
        except Exception:
            return False

    fallbacks = 0

    def render(self, text: str, voice: str, rate: int) -> tuple[np.ndarray, int]:
        for _attempt in range(2):
            samples, src_rate = self._thread.submit(self._render_on_thread, text, voice, rate).result()
            if len(samples) >= src_rate // 50:      # at least 20 ms of audio
                return samples, src_rate
        # pyttsx3's espeak driver sometimes writes an empty file: its callback writes the WAV when it
        # sees espeak's end-of-message event and drops the samples delivered with that same event
        # (short prompts come in a single chunk). Where it does that twice, the espeak-ng program
        # renders the prompt instead.
        Pyttsx3Engine.fallbacks += 1
        log.warning("pyttsx3 produced no audio twice; this prompt is rendered by the espeak-ng program",
                    extra={"text": text[:60], "voice": voice})
        return EspeakCliEngine().render(text, voice, rate)

    @classmethod
    def _render_on_thread(cls, text: str, voice: str, rate: int) -> tuple[np.ndarray, int]:
        engine = cls._get_engine()
        path = os.path.join(cls._tmpdir or tempfile.gettempdir(), f"render-{threading.get_ident()}.wav")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        # rate, voice, rate: with voice-then-rate espeak sometimes keeps the previous prompt's rate
        # (a same-voice reload restores it), which the test suite caught; this order is exact
        engine.setProperty("rate", int(rate))
        engine.setProperty("voice", voice)
        engine.setProperty("rate", int(rate))
        engine.save_to_file(text, path)
        try:
            with contextlib.redirect_stdout(io.StringIO()):   # "Audio saved to ..." prints
                engine.runAndWait()
        except Exception as exc:
            raise SynthesisError(f"pyttsx3/espeak failed for voice {voice!r}: {exc or type(exc).__name__}") from None
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            return np.zeros(0, np.int16), 22050      # no file written: render() retries
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        try:
            return parse_wav(data, "pyttsx3 output")
        except AudioError:
            return np.zeros(0, np.int16), 22050      # an empty/garbled file: render() retries


def default_engine():
    """The espeak-ng program when it is installed, else pyttsx3 (module docstring: why)."""
    cli = EspeakCliEngine()
    if cli.available():
        return cli
    if Pyttsx3Engine.available():
        log.warning("the espeak-ng program is not installed; synthesizing with pyttsx3 (its prompts' "
                    "end pause varies with the prompt rendered before)")
        return Pyttsx3Engine()
    raise SynthesisError("no speech synthesizer: install espeak-ng (Debian package espeak-ng)")


def make_engine(name: str | None):
    if name in (None, "", "auto"):
        return default_engine()
    if name == "pyttsx3":
        return Pyttsx3Engine()
    if name in ("espeak-ng", "espeak"):
        return EspeakCliEngine()
    raise SynthesisError(f"unknown synthesis engine {name!r} (speech.synth_engine / --engine: "
                         "expected auto, espeak-ng or pyttsx3)")


# --------------------------------------------------------------------------------------------------
# The prompt cache

def _slug(text: str, limit: int = 32) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_text.lower())
    slug = "-".join(words)[:limit].strip("-")
    return slug if re.search(r"[a-z]", slug) else "prompt"


def cache_key(text: str, voice: str, language: str, rate: int, fmt: str) -> str:
    h = hashlib.sha256("\x1f".join([text, voice, language, str(int(rate)), fmt]).encode("utf-8"))
    return h.hexdigest()[:20]


class PromptSynthesizer(Synthesizer):
    """Text -> cached 8 kHz prompt file (see module docstring)."""

    MEMORY_ENTRIES = 20_000

    def __init__(self, prompts_dir: str | Path, asterisk_dir: str | Path | None = None, fmt: str = "wav",
                 rate: int = 160, voices: Mapping[str, str] | None = None, engine=None):
        if fmt not in PROMPT_FORMATS:
            raise SynthesisError(f"prompts.format must be one of {', '.join(PROMPT_FORMATS)}, got {fmt!r}")
        self.dir = Path(prompts_dir).absolute()
        self.asterisk_dir = str(asterisk_dir).rstrip("/") if asterisk_dir else self.dir.as_posix()
        self.fmt = fmt
        self.rate = int(rate)
        self.voices = dict(voices or {})
        self._engine = engine
        self._memory: "OrderedDict[tuple, SynthesizedPrompt]" = OrderedDict()   # oldest first
        self._inflight: dict[tuple, Future] = {}
        self._lock = threading.Lock()
        self._workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="prompts")
        self.stats = {"synthesized": 0, "memory_hits": 0, "disk_hits": 0}

    @classmethod
    def from_config(cls, cfg, engine=None) -> "PromptSynthesizer":
        if engine is None and cfg.speech.synth_engine != "auto":
            engine = make_engine(cfg.speech.synth_engine)
        return cls(cfg.prompts_dir, cfg.prompts.asterisk_dir, cfg.prompts.format, cfg.speech.rate,
                   cfg.speech.voices, engine)

    @property
    def engine(self):
        if self._engine is None:
            self._engine = default_engine()
        return self._engine

    # paths -----------------------------------------------------------------------------------
    def location(self, text: str, language: str, voice: str | None = None) -> tuple[Path, str, tuple]:
        lang = canonical_language(language or "en-US")
        v = resolve_voice(lang, voice, self.voices)
        key = (text, v, lang, self.rate, self.fmt)
        name = f"{_slug(text)}-{cache_key(text, v, lang, self.rate, self.fmt)}"
        rel = f"{lang}/{name}"
        return self.dir / f"{rel}.{PROMPT_FORMATS[self.fmt]}", f"{self.asterisk_dir}/{rel}", key

    # synthesis -------------------------------------------------------------------------------
    async def synthesize(self, text: str, language: str, voice: str | None = None) -> SynthesizedPrompt:
        mkey = (text, language, voice)
        hit = self._memory.get(mkey)
        if hit is not None:
            self.stats["memory_hits"] += 1
            return hit
        fut = self._submit(text, language, voice)
        return await asyncio.wrap_future(fut)

    def synthesize_sync(self, text: str, language: str, voice: str | None = None) -> SynthesizedPrompt:
        mkey = (text, language, voice)
        hit = self._memory.get(mkey)
        if hit is not None:
            self.stats["memory_hits"] += 1
            return hit
        return self._submit(text, language, voice).result()

    def _submit(self, text: str, language: str, voice: str | None) -> Future:
        mkey = (text, language, voice)
        with self._lock:
            fut = self._inflight.get(mkey)
            if fut is None:
                fut = self._workers.submit(self._produce, text, language, voice)
                self._inflight[mkey] = fut
                fut.add_done_callback(lambda _f, k=mkey: self._inflight.pop(k, None))
        return fut

    def _produce(self, text: str, language: str, voice: str | None) -> SynthesizedPrompt:
        if not text or not text.strip():
            raise SynthesisError("empty prompt text")
        path, ast_name, _key = self.location(text, language, voice)
        if path.is_file() and path.stat().st_size > 0:
            self.stats["disk_hits"] += 1
            with contextlib.suppress(OSError):
                os.utime(path)          # "recently used", for `callcenter prompts clean`
            prompt = SynthesizedPrompt(path, ast_name, prompt_duration(path.stat().st_size, self.fmt), True)
        else:
            _text, v, lang, rate, fmt = _key
            t0 = time.perf_counter()
            samples, src_rate = self.engine.render(text, v, rate)
            if len(samples) == 0:
                raise SynthesisError(f"the synthesizer produced no audio for {text[:40]!r} (voice {v!r})")
            data = encode_prompt(samples, src_rate, fmt)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
            self.stats["synthesized"] += 1
            log.info("prompt synthesized", extra={"language": lang, "voice": v, "file": str(path),
                                                  "ms": round((time.perf_counter() - t0) * 1000, 1)})
            prompt = SynthesizedPrompt(path, ast_name, prompt_duration(len(data), fmt), False)
        # later requests are memory hits, reported as cached (bounded: text with call data in it,
        # such as a read-back account number, must not grow the index forever)
        with self._lock:
            self._memory[(text, language, voice)] = SynthesizedPrompt(prompt.path, prompt.asterisk_name,
                                                                      prompt.duration, True)
            while len(self._memory) > self.MEMORY_ENTRIES:
                self._memory.popitem(last=False)
        return prompt

    def forget(self) -> None:
        """Drop the in-memory index (files stay on disk)."""
        self._memory.clear()

    def close(self) -> None:
        self._workers.shutdown(wait=False, cancel_futures=True)
