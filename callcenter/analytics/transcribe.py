"""Transcribing a stereo call recording: each channel on its own, with word timings (blocking; run it in
a worker thread or process, never on the event loop).

The caller is the left channel and the agent the right one (the recording policy writes them so), so
every word's speaker is known. Each side is cut into stretches of speech first (:meth:`SideAudio.segments`):
silence costs nothing, and the other side's speech is never decoded on this side's recognizer.

Recognizers (from :class:`callcenter.speech.service.SpeechService`, so the configuration that serves the
IVR serves this too): vosk for every language that has a vosk model (word times and confidences from
vosk's ``SetWords``), pocketsphinx's US English model for English otherwise (word segments, 100 frames
per second). Free speech on these small models is weak (docs/speech.md has the figures): the risk-word
and scorecard matching is fuzzy for that reason.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import threading
import wave
from pathlib import Path
from typing import Protocol

import numpy as np

from ..speech.api import SpeechUnavailable
from ..speech.audio import MODEL_RATE, resample
from .acoustics import SideAudio
from .conversation import CHANNEL_OF, SIDES, Transcript, Word


class AnalysisError(Exception):
    """This call cannot be analysed; ``str()`` says why in one line (stored on the call's record)."""


class RecordingError(AnalysisError):
    """The recording is missing, unreadable, corrupt, truncated or not stereo."""


# --------------------------------------------------------------------------------------------------
# Reading

def read_stereo(path: str | Path) -> tuple[np.ndarray, np.ndarray, int]:
    """(caller samples, agent samples, rate) of a stereo recording, int16."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise RecordingError(f"{p}: recording not found") from None
    except OSError as exc:
        raise RecordingError(f"{p}: cannot read the recording: {exc.strerror or exc}") from None
    if not data:
        raise RecordingError(f"{p}: the recording is empty (0 bytes)")
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        x, ch, rate = _parse_pcm_wav(data, p)
    else:
        x, ch, rate = _ffmpeg_stereo(p)
    if ch != 2:
        raise RecordingError(f"{p}: the recording has {ch} channel(s); analytics needs caller and agent on "
                             f"separate channels (stereo: caller left, agent right)")
    frames = x[: len(x) // 2 * 2].reshape(-1, 2)
    return frames[:, CHANNEL_OF["caller"]].copy(), frames[:, CHANNEL_OF["agent"]].copy(), rate


def _parse_pcm_wav(data: bytes, p: Path) -> tuple[np.ndarray, int, int]:
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            raw = w.readframes(n)
    except (wave.Error, EOFError) as exc:
        if "unknown format" in str(exc):
            return _ffmpeg_stereo(p)     # compressed WAV (GSM, mu-law): ffmpeg decodes it
        raise RecordingError(f"{p}: corrupt WAV recording ({exc or type(exc).__name__})") from None
    except Exception as exc:  # noqa: BLE001 - struct.error, RuntimeError on garbage headers
        raise RecordingError(f"{p}: corrupt WAV recording ({exc or type(exc).__name__})") from None
    if width != 2:
        raise RecordingError(f"{p}: {8 * width}-bit WAV; recordings are 16-bit PCM")
    if rate <= 0:
        raise RecordingError(f"{p}: WAV header has sample rate {rate}")
    got = len(raw) // (width * max(ch, 1))
    if got < n:
        raise RecordingError(f"{p}: truncated recording: the header announces {n / rate:.1f} s, the file holds "
                             f"{got / rate:.1f} s (was it copied while still being written?)")
    return np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2"), ch, rate


def _ffmpeg_stereo(p: Path) -> tuple[np.ndarray, int, int]:
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        raise RecordingError(f"{p}: not a PCM WAV file, and ffmpeg (needed for other formats) is not installed")
    probe = subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-i", str(p), "-f", "s16le", "-ar", "8000", "-"],
                           capture_output=True, timeout=120)
    if probe.returncode != 0 or not probe.stdout:
        msg = probe.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RecordingError(f"{p}: cannot decode the recording ({msg[-1] if msg else 'no audio in it'})")
    info = subprocess.run([ffmpeg, "-nostdin", "-i", str(p)], capture_output=True, timeout=60)
    ch = 2 if "stereo" in info.stderr.decode("utf-8", "replace") else 1
    return np.frombuffer(probe.stdout[: len(probe.stdout) // 2 * 2], dtype="<i2"), ch, 8000


# --------------------------------------------------------------------------------------------------
# Word recognizers

class WordRecognizer(Protocol):
    name: str

    def words(self, samples: np.ndarray, language: str) -> list[tuple[float, float, str, float]]:
        """(start, end, word, confidence) of 16 kHz mono int16 speech."""


class VoskWords:
    """vosk free speech with word times. One ``KaldiRecognizer`` per thread and language, reused from one
    stretch of speech to the next (``FinalResult`` resets it): on small models with a dynamic graph a
    reused recognizer keeps the graph it expanded and is several times faster than a new one (speech.md)."""
    name = "vosk"

    def __init__(self, vosk_recognizer) -> None:
        self._vosk = vosk_recognizer        # callcenter.speech.recognizers.VoskRecognizer (owns the models)
        self._local = threading.local()

    def _recognizer(self, language: str) -> list:
        """[recognizer, samples fed to it so far]: vosk's word times count from the recognizer's creation,
        across ``FinalResult`` resets, so each stretch's times are taken relative to what came before."""
        from vosk import KaldiRecognizer
        model = self._vosk.model(language)
        recs = getattr(self._local, "recs", None)
        if recs is None:
            recs = self._local.recs = {}
        entry = recs.get(id(model))
        if entry is None:
            rec = KaldiRecognizer(model, MODEL_RATE)
            rec.SetWords(True)
            entry = recs[id(model)] = [rec, 0]
        return entry

    def words(self, samples: np.ndarray, language: str) -> list[tuple[float, float, str, float]]:
        entry = self._recognizer(language)
        rec, base = entry[0], entry[1] / MODEL_RATE
        out: list[tuple[float, float, str, float]] = []
        pcm = np.asarray(samples, dtype="<i2").tobytes()
        step = MODEL_RATE * 2 * 4            # 4 s per feed: vosk ends utterances at pauses by itself
        try:
            for i in range(0, len(pcm), step):
                if rec.AcceptWaveform(pcm[i:i + step]):
                    out += _vosk_words(rec.Result())
            out += _vosk_words(rec.FinalResult())
        finally:
            entry[1] += len(pcm) // 2
        return [(a - base, b - base, w, c) for a, b, w, c in out]


def _vosk_words(result: str) -> list[tuple[float, float, str, float]]:
    return [(float(w["start"]), float(w["end"]), w["word"], float(w.get("conf", 1.0)))
            for w in json.loads(result).get("result", []) if w.get("word") and w["word"] != "[unk]"]


class SphinxWords:
    """pocketsphinx's US English model, free speech (its own language model); one decoder per thread."""
    name = "pocketsphinx"
    FRAMES_PER_S = 100.0

    def __init__(self, model_dir: str | None = None) -> None:
        self._local = threading.local()
        self._model_dir = model_dir

    def _decoder(self):
        d = getattr(self._local, "decoder", None)
        if d is None:
            from pocketsphinx import Decoder
            try:
                d = Decoder(loglevel="FATAL", cmn="batch")
            except Exception as exc:  # noqa: BLE001
                raise SpeechUnavailable(f"pocketsphinx could not load its English model ({exc})") from None
            self._local.decoder = d
        return d

    def words(self, samples: np.ndarray, language: str) -> list[tuple[float, float, str, float]]:
        d = self._decoder()
        d.start_utt()
        d.process_raw(np.asarray(samples, dtype="<i2").tobytes(), full_utt=True)
        d.end_utt()
        out = []
        for s in d.seg() or []:
            word = s.word.split("(")[0].strip()
            if not word or word.startswith(("<", "[", "+")):
                continue
            out.append((s.start_frame / self.FRAMES_PER_S, (s.end_frame + 1) / self.FRAMES_PER_S, word,
                        float(min(1.0, max(0.0, s.prob)))))
        return out


_SHARED: dict[int, tuple[object, WordRecognizer]] = {}     # id(backend) -> (backend kept alive, recognizer)
_SHARED_LOCK = threading.Lock()


def word_recognizer(speech, language: str) -> WordRecognizer:
    """The recognizer for ``language`` from a :class:`SpeechService` (one per backend, shared by every call:
    its decoders are kept per worker thread); :class:`AnalysisError` naming the language and what is
    installed when none serves it (unknown language, missing model)."""
    if speech is None:
        raise AnalysisError("speech recognition is not available on this server (see the speech service's "
                            "status): no recognizer for language " + repr(language))
    try:
        backend = speech.recognizer_for(language)
    except SpeechUnavailable as exc:
        have = ", ".join(sorted(speech.languages())) or "none"
        raise AnalysisError(f"no recognizer for language {language!r}: {exc} (languages available: {have})") from None
    with _SHARED_LOCK:
        entry = _SHARED.get(id(backend))
        if entry is None:
            words = VoskWords(backend) if getattr(backend, "name", "") == "vosk" else SphinxWords()
            entry = _SHARED[id(backend)] = (backend, words)
        return entry[1]


# --------------------------------------------------------------------------------------------------
# Both sides

def transcribe_sides(caller: np.ndarray, agent: np.ndarray, rate: int, language: str,
                     recognizer: WordRecognizer) -> tuple[Transcript, SideAudio, SideAudio]:
    """Each side's words (times from the start of the recording) and the two sides' audio features."""
    audio = {"caller": SideAudio.from_samples(caller, rate), "agent": SideAudio.from_samples(agent, rate)}
    raw = {"caller": caller, "agent": agent}
    words: list[Word] = []
    for side in SIDES:
        x16 = resample(raw[side], rate, MODEL_RATE)
        for a, b in audio[side].segments():
            chunk = x16[int(a * MODEL_RATE): int(b * MODEL_RATE)]
            if len(chunk) < MODEL_RATE // 10:
                continue
            try:
                found = recognizer.words(chunk, language)
            except SpeechUnavailable as exc:
                raise AnalysisError(f"recognizer for {language!r} unusable: {exc}") from None
            words += [Word(side, a + s, a + e, text, conf) for s, e, text, conf in found]
    duration = max(len(caller), len(agent)) / float(rate)
    return Transcript(language, duration, words, recognizer.name), audio["caller"], audio["agent"]


_HERE: SphinxWords | None = None


def transcribe_here(path: str, language: str) -> tuple[Transcript, SideAudio, SideAudio]:
    """:func:`transcribe_file` with pocketsphinx, one decoder kept for this process's life: what a
    transcription worker process runs (``analytics.transcribe_processes``; :class:`ProcessTranscriber`)."""
    global _HERE
    if _HERE is None:
        _HERE = SphinxWords()
    return transcribe_file(path, language, recognizer=_HERE)


def transcribe_file(path: str | Path, language: str, speech=None, recognizer: WordRecognizer | None = None
                    ) -> tuple[Transcript, SideAudio, SideAudio]:
    """Read and transcribe a stereo recording with ``recognizer``, or the one ``speech`` (a SpeechService)
    has for ``language``."""
    caller, agent, rate = read_stereo(path)
    return transcribe_sides(caller, agent, rate, language, recognizer or word_recognizer(speech, language))
