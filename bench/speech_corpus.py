"""Telephone-like test answers for the speech accuracy benchmark (``bench/speech_accuracy.py``).

A clip is one phrase spoken by espeak-ng (a voice, a variant, a rate; or by one of flite's voices), optionally mixed with noise
at a signal-to-noise ratio (babble: other espeak-ng voices talking at once; white: Gaussian), then
put through a telephone line with sox: band-limited to 300-3400 Hz, 8 kHz, G.711 mu-law and back
to 16-bit PCM, with the silences of an Asterisk ``RECORD FILE`` answer around it (a short wait
before speaking, 1.5 s of line noise after).

Everything is deterministic for a given :class:`Clip` (the seed is part of it), so the tuning and
held-out sets are the same on every run and on every machine with the same espeak-ng.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ESPEAK = shutil.which("espeak-ng")
SOX = shutil.which("sox")
#: sox dithers when it writes 16-bit samples after resampling, with a seed from the clock: the
#: same clip came out different in every process (and so, now and then, a decision). ``-R`` uses
#: sox's fixed seed: a clip is the same samples on every run.
SOX_REPEATABLE = ("-R",)
FLITE = shutil.which("flite")       # optional: another synthesizer for held-out voices ("flite:slt")
SPEECH_RATE = 16000          # espeak-ng is resampled to this before noise mixing and the phone line

#: Sentences that make the babble (never the phrases under test; the same for every split).
BABBLE_TEXT = {
    "en": ["the meeting was moved to thursday afternoon because of the rain",
           "she bought three kinds of bread at the market on the corner",
           "we should call them back after lunch if nobody answers",
           "the children were playing in the garden until it got dark"],
    "ko": ["회의는 비 때문에 목요일 오후로 옮겨졌습니다",
           "그녀는 모퉁이 시장에서 빵을 세 종류 샀어요",
           "아무도 받지 않으면 점심 먹고 다시 전화해요",
           "아이들은 어두워질 때까지 정원에서 놀았습니다"],
}
BABBLE_VOICES = {"en": ["en-us+m1", "en-gb+f3", "en-us+f4", "en-gb-scotland+m4"],
                 "ko": ["ko+m1", "ko+f3", "ko+f4", "ko+m4"]}


@dataclass(frozen=True)
class Clip:
    text: str
    voice: str               # espeak-ng voice with variant, e.g. "en-gb-scotland+f3"
    rate: int                # words per minute
    noise: str = "none"      # none | babble | white
    snr_db: float = 99.0
    seed: int = 0
    lead: float = 0.4        # seconds of line noise before the answer
    trail: float = 1.5       # after it (RECORD FILE stops after 1.5 s of silence)

    def key(self) -> str:
        return hashlib.sha1(repr(self).encode()).hexdigest()[:16]


def _need_tools() -> None:
    missing = [n for n, p in (("espeak-ng", ESPEAK), ("sox", SOX)) if not p]
    if missing:
        raise SystemExit(f"the speech accuracy benchmark needs {' and '.join(missing)} "
                         "(Debian packages espeak-ng, sox)")


def synthesize(text: str, voice: str, rate: int) -> np.ndarray:
    """``text`` spoken by ``voice`` at :data:`SPEECH_RATE`, float64 in -1..1: an espeak-ng voice, or
    ``flite:NAME`` for one of flite's voices (Debian package flite; ``rate`` as words per minute
    is turned into flite's duration stretch, its voices speaking about 170 words per minute), or
    ``file:PATH``: a person's recording of ``text`` (``rate`` unused; :func:`recording`)."""
    if voice.startswith("file:"):
        return recording(voice.split(":", 1)[1])
    if not voice.startswith("flite:"):
        return espeak(text, voice, rate)
    _need_tools()
    if not FLITE:
        raise SystemExit("flite voices need the flite program (Debian package flite)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "flite.wav"
        subprocess.run([FLITE, "-voice", voice.split(":", 1)[1], "--setf", f"duration_stretch={170 / rate:.3f}",
                        "-t", text, "-o", str(out)], capture_output=True, check=True)
        raw = subprocess.run([SOX, *SOX_REPEATABLE, str(out), "-t", "raw", "-r", str(SPEECH_RATE), "-e", "signed", "-b", "16",
                              "-c", "1", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0


def recording(path: str) -> np.ndarray:
    """A recording at :data:`SPEECH_RATE`, float64 in -1..1: any file sox reads, or a headerless
    ``.raw`` as 16 kHz 16-bit mono (pocketsphinx's test data)."""
    _need_tools()
    p = Path(path)
    if not p.is_file():
        raise SystemExit(f"speech_corpus: the recording {path} is not there")
    fmt = ["-t", "raw", "-r", "16000", "-e", "signed", "-b", "16", "-c", "1"] if p.suffix == ".raw" else []
    raw = subprocess.run([SOX, *SOX_REPEATABLE, *fmt, str(p), "-t", "raw", "-r", str(SPEECH_RATE), "-e", "signed",
                          "-b", "16", "-c", "1", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0


def espeak(text: str, voice: str, rate: int) -> np.ndarray:
    """espeak-ng's rendering of ``text`` at :data:`SPEECH_RATE`, float64 in -1..1."""
    _need_tools()
    wav = subprocess.run([ESPEAK, "-v", voice, "-s", str(rate), "--stdout", "--stdin"], input=text.encode(),
                         capture_output=True, check=True).stdout
    # espeak-ng writes a streaming WAV header (sizes 0xFFFFFFFF): let sox read it as raw after the header
    out = subprocess.run([SOX, *SOX_REPEATABLE, "-t", "wav", "--ignore-length", "-", "-t", "raw", "-r", str(SPEECH_RATE),
                          "-e", "signed", "-b", "16", "-c", "1", "-"], input=wav,
                         capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype="<i2").astype(np.float64) / 32768.0


_BABBLE: dict[str, np.ndarray] = {}


def babble(lang: str) -> np.ndarray:
    """Several voices talking at once (each a loop of its own sentence), normalized to RMS 1."""
    if lang not in _BABBLE:
        parts = [espeak(t, v, 165) for t, v in zip(BABBLE_TEXT[lang], BABBLE_VOICES[lang])]
        n = max(len(p) for p in parts) * 2
        mix = np.zeros(n)
        for i, p in enumerate(parts):
            reps = np.tile(p, n // len(p) + 2)
            off = (i * 3571) % len(p)
            mix += reps[off:off + n]
        _BABBLE[lang] = mix / (np.sqrt(np.mean(mix ** 2)) + 1e-12)
    return _BABBLE[lang]


def _speech_rms(x: np.ndarray) -> float:
    """RMS over the frames that hold speech (20 ms frames above -35 dB of the loudest)."""
    f = 320
    frames = x[: len(x) // f * f].reshape(-1, f)
    e = np.sqrt(np.mean(frames ** 2, axis=1))
    active = e[e > e.max() * 10 ** (-35 / 20)]
    return float(np.sqrt(np.mean(active ** 2))) if len(active) else 1e-6


def telephone(x: np.ndarray) -> np.ndarray:
    """300-3400 Hz band, 8 kHz, G.711 mu-law and back (sox); int16 at 8 kHz."""
    pcm = np.clip(np.rint(x * 32767), -32768, 32767).astype("<i2").tobytes()
    raw = ["-t", "raw", "-e", "signed", "-b", "16", "-c", "1"]
    ulaw = subprocess.run([SOX, *SOX_REPEATABLE, *raw, "-r", str(SPEECH_RATE), "-", "-t", "raw", "-e", "u-law", "-b", "8", "-c", "1",
                           "-r", "8000", "-", "sinc", "300-3400"], input=pcm, capture_output=True, check=True).stdout
    back = subprocess.run([SOX, *SOX_REPEATABLE, "-t", "raw", "-e", "u-law", "-b", "8", "-c", "1", "-r", "8000", "-", *raw, "-"],
                          input=ulaw, capture_output=True, check=True).stdout
    return np.frombuffer(back, dtype="<i2").copy()


def render(clip: Clip, lang: str) -> np.ndarray:
    """The clip as the engine would read it from a RECORD FILE answer: int16, 8 kHz."""
    rng = np.random.default_rng(clip.seed)
    s = synthesize(clip.text, clip.voice, clip.rate)
    s = s / (np.max(np.abs(s)) + 1e-9) * 10 ** (rng.uniform(-12, -3) / 20)    # a level between -12 and -3 dBFS
    lead, trail = int(clip.lead * SPEECH_RATE), int(clip.trail * SPEECH_RATE)
    x = np.concatenate([np.zeros(lead), s, np.zeros(trail)])
    if clip.noise != "none":
        if clip.noise == "babble":
            b = babble(lang)
            off = int(rng.integers(0, len(b) - len(x))) if len(b) > len(x) else 0
            n = np.resize(b[off:], len(x))
        elif clip.noise == "white":
            n = rng.normal(0, 1, len(x))
        else:
            raise ValueError(f"unknown noise {clip.noise!r}")
        x = x + n * _speech_rms(s) / 10 ** (clip.snr_db / 20)
    x = x + rng.normal(0, 10 ** (-66 / 20), len(x))        # line hiss at -66 dBFS (never digital zeros)
    peak = np.max(np.abs(x))
    if peak > 0.99:
        x = x * 0.99 / peak
    return telephone(x)


def cached_render(clip: Clip, lang: str, cache_dir: Path | None) -> np.ndarray:
    if cache_dir is None:
        return render(clip, lang)
    p = cache_dir / f"{clip.key()}.npy"
    if p.exists():
        return np.load(p)
    y = render(clip, lang)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(p, y)
    return y
