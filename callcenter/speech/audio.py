"""Audio conversion between telephone formats and what the speech engines want.

* Reading: WAV (any PCM width / rate / channels, via :mod:`wave`), Asterisk's raw formats by
  extension (``.sln``/``.raw`` 8 kHz, ``.sln16`` 16 kHz signed linear, ``.ulaw``/``.ul``,
  ``.alaw``/``.al``), anything else through ffmpeg (``.gsm``, ``.mp3``, compressed WAV...).
* Resampling: polyphase FIR (scipy ``resample_poly``) for whole files, and :class:`StreamResampler`
  (same anti-aliasing filter, with state kept between chunks) for streaming. 8 kHz telephone audio
  is brought to the 16 kHz that the vosk and pocketsphinx models were trained on.
* Writing prompts in what Asterisk plays natively: 8 kHz 16-bit mono WAV (``wav``), raw G.711
  mu-law (``ulaw``), raw GSM 6.10 (``gsm``, encoded by ffmpeg through pydub).

Everything here is a pure function of bytes/arrays except the file and ffmpeg helpers at the end.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import wave
from math import gcd
from pathlib import Path

import numpy as np
from scipy.signal import firwin, resample_poly, upfirdn

TELEPHONE_RATE = 8000
MODEL_RATE = 16000

#: Prompt formats Asterisk plays natively -> file extension.
PROMPT_FORMATS = {"wav": "wav", "ulaw": "ulaw", "gsm": "gsm"}


class AudioError(Exception):
    """Audio could not be read or converted; the message names the file."""


class AudioFileNotFound(AudioError, FileNotFoundError):
    """The audio file does not exist. Also a :class:`FileNotFoundError`, so a caller that knows why a
    file can be missing (the AGI channel: Asterisk wrote the recording where the engine does not
    look) can catch it as such and say so."""


# --------------------------------------------------------------------------------------------------
# Pure conversions

def to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(samples), -32768, 32767).astype(np.int16)


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Resample mono int16 audio (polyphase FIR with a Kaiser anti-aliasing filter)."""
    if src_rate == dst_rate or len(samples) == 0:
        return np.asarray(samples, dtype=np.int16)
    g = gcd(int(src_rate), int(dst_rate))
    up, down = dst_rate // g, src_rate // g
    out = resample_poly(np.asarray(samples, dtype=np.float64), up, down)
    return to_int16(out)


class StreamResampler:
    """Resample a stream chunk by chunk without clicks at chunk boundaries.

    The same result as zero-stuffing by ``up``, a causal FIR low-pass (cut-off at the lower Nyquist)
    and keeping every ``down``-th sample of the whole stream, computed polyphase (scipy ``upfirdn``)
    on each chunk plus just enough input history. The output is delayed by the filter's group delay
    (about 2 ms at 8->16 kHz), harmless for recognition.
    """

    def __init__(self, src_rate: int, dst_rate: int, taps_per_phase: int = 16):
        g = gcd(int(src_rate), int(dst_rate))
        self.up, self.down = dst_rate // g, src_rate // g
        self.identity = src_rate == dst_rate
        if not self.identity:
            ntaps = taps_per_phase * max(self.up, self.down) * 2 + 1
            cutoff = 1.0 / max(self.up, self.down)
            self._h = firwin(ntaps, cutoff, window=("kaiser", 5.0)) * self.up
            self._need = -(-len(self._h) // self.up) + 1       # input samples one output depends on
        self._hist = np.zeros(0, dtype=np.float64)
        self._i0 = 0          # absolute input index of _hist[0] (a multiple of ``down``)
        self._n_in = 0        # input samples seen
        self._n_out = 0       # output samples produced

    def feed(self, samples: np.ndarray) -> np.ndarray:
        if self.identity or len(samples) == 0:
            return np.asarray(samples, dtype=np.int16)
        x = np.concatenate([self._hist, np.asarray(samples, dtype=np.float64)])
        self._n_in += len(samples)
        # outputs j with j*down <= last upsampled index available: (n_in*up - 1)
        last = (self._n_in * self.up - 1) // self.down
        y = upfirdn(self._h, x, self.up, self.down)
        off = self._i0 * self.up // self.down               # output index of x[0]
        out = y[self._n_out - off: last + 1 - off]
        self._n_out = last + 1
        # keep enough history for the next outputs, starting at a multiple of ``down``
        keep_from = max(0, self._n_in - self._need)
        keep_from -= keep_from % self.down
        self._hist = x[keep_from - self._i0:]
        self._i0 = keep_from
        return to_int16(out)


def trim_silence(samples: np.ndarray, rate: int, margin: float = 0.15, floor: float = 100.0) -> np.ndarray:
    """Cut leading and trailing non-speech (20 ms frames under 5 % of the loudest frame's RMS, and
    under ``floor``), keeping ``margin`` seconds around the speech. Returns the input when it is all
    quiet."""
    x = np.asarray(samples)
    f = max(1, int(0.02 * rate))
    n = len(x) // f
    if n == 0:
        return x
    rms = np.sqrt((x[: n * f].astype(np.float64).reshape(n, f) ** 2).mean(axis=1))
    loud = np.nonzero(rms > max(rms.max() * 0.05, floor))[0]
    if len(loud) == 0:
        return x
    m = int(margin * rate)
    return x[max(0, loud[0] * f - m): min(len(x), (loud[-1] + 1) * f + m)]


def is_narrowband(samples: np.ndarray, rate: int, edge: float = 4400.0) -> bool:
    """True when ``samples`` (at ``rate`` > 2 x ``edge``) hold next to nothing above ``edge`` Hz
    (under -30 dB of the total): telephone audio brought up to a wideband model's rate (the
    resampler's transition band ends just above 4 kHz)."""
    x = np.asarray(samples, dtype=np.float64)
    if rate <= 2 * edge or len(x) < 256:
        return False
    spec = np.abs(np.fft.rfft(x - x.mean())) ** 2
    freqs = np.fft.rfftfreq(len(x), 1.0 / rate)
    total = spec.sum()
    return bool(total > 0 and spec[freqs > edge].sum() < 1e-3 * total)


def fill_high_band(samples: np.ndarray, rate: int, rms: float = 50.0, edge: float = 3800.0,
                   seed: int = 7) -> np.ndarray:
    """``samples`` plus steady noise of ``rms`` (int16 units) above ``edge`` Hz only.

    A wideband model's filterbank (pocketsphinx en-us: 25 mel filters over 130-6800 Hz) has about a
    third of its filters above the telephone band; fed upsampled 8 kHz audio they see digital
    silence, a spectrum the model never met in training (its recordings had a noise floor there).
    A faint steady floor in the empty band is closer to what it was trained on; the speech band is
    left as it was. Deterministic (seeded), so a recording always decodes the same way."""
    return add_band_noise(samples, rate, rms, low=edge, seed=seed)


def add_band_noise(samples: np.ndarray, rate: int, rms: float, low: float | None = None,
                   high: float | None = None, seed: int = 7) -> np.ndarray:
    """``samples`` plus steady Gaussian noise of ``rms`` (int16 units) between ``low`` and ``high``
    Hz (None: no bound on that side; 8th-order Butterworth edges), int16. Deterministic (seeded):
    the same answer always gets the same noise. Used as a noise floor before recognition
    (:func:`fill_high_band`, and the speech-band floor of :mod:`.sphinx_backend`)."""
    from scipy.signal import butter, sosfilt
    x = np.asarray(samples, dtype=np.float64)
    if len(x) == 0 or rms <= 0:
        return np.asarray(samples, dtype=np.int16)
    nyq = rate / 2.0
    if low is not None and not 0 < low < nyq or high is not None and not 0 < high < nyq \
            or low is not None and high is not None and low >= high:
        raise ValueError(f"add_band_noise: band {low}-{high} Hz does not fit in 0-{nyq:g} Hz (rate {rate})")
    noise = np.random.default_rng(seed).normal(0.0, 1.0, len(x))
    if low is not None and high is not None:
        noise = sosfilt(butter(8, [low, high], "bandpass", fs=rate, output="sos"), noise)
    elif low is not None:
        noise = sosfilt(butter(8, low, "highpass", fs=rate, output="sos"), noise)
    elif high is not None:
        noise = sosfilt(butter(8, high, "lowpass", fs=rate, output="sos"), noise)
    noise *= rms / (np.sqrt(np.mean(noise ** 2)) + 1e-12)
    return to_int16(x + noise)


class HighBandFiller:
    """:func:`fill_high_band` for a stream, chunk by chunk (the filter's state is kept across chunks,
    the floor's RMS is fixed up front since the answer's level is not known yet)."""

    def __init__(self, rate: int, rms: float, edge: float = 3800.0, seed: int = 7):
        from scipy.signal import butter, sosfilt_zi
        self.rate, self.rms = rate, rms
        self._sos = butter(8, edge, "highpass", fs=rate, output="sos")
        self._zi = sosfilt_zi(self._sos) * 0.0
        self._rng = np.random.default_rng(seed)
        # the filtered noise's RMS per unit of white noise (the filter's power gain), to scale by
        self._gain = np.sqrt(max(1e-12, 1.0 - edge / (rate / 2.0)))

    def feed(self, samples: np.ndarray) -> np.ndarray:
        from scipy.signal import sosfilt
        x = np.asarray(samples, dtype=np.float64)
        if len(x) == 0 or self.rms <= 0:
            return np.asarray(samples, dtype=np.int16)
        noise, self._zi = sosfilt(self._sos, self._rng.normal(0.0, 1.0, len(x)), zi=self._zi)
        return to_int16(x + noise * (self.rms / self._gain))


def downmix(samples: np.ndarray, channels: int) -> np.ndarray:
    if channels <= 1:
        return samples
    frames = samples[: len(samples) // channels * channels].reshape(-1, channels)
    return to_int16(frames.astype(np.float64).mean(axis=1))


_ULAW_BIAS = 0x84
_ULAW_CLIP = 32635


def ulaw_encode(samples: np.ndarray) -> bytes:
    """G.711 mu-law encoding of int16 samples (the Sun reference coder, as audioop.lin2ulaw)."""
    v = np.asarray(samples, dtype=np.int32) >> 2          # 14-bit, arithmetic shift
    mask = np.where(v < 0, 0x7F, 0xFF)
    v = np.minimum(np.abs(v), 8159) + 0x21
    raw_seg = np.floor(np.log2(v)).astype(np.int32) - 5
    seg = np.clip(raw_seg, 0, 7)
    code = np.where(raw_seg > 7, 0x7F, (seg << 4) | ((v >> (seg + 1)) & 0x0F)) ^ mask
    return (code & 0xFF).astype(np.uint8).tobytes()


def ulaw_decode(data: bytes) -> np.ndarray:
    u = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    mag = (((mantissa << 3) + _ULAW_BIAS) << exponent) - _ULAW_BIAS
    return np.where(sign != 0, -mag, mag).astype(np.int16)


def alaw_decode(data: bytes) -> np.ndarray:
    a = np.frombuffer(data, dtype=np.uint8).astype(np.int32) ^ 0x55
    sign = a & 0x80
    exponent = (a >> 4) & 0x07
    mantissa = a & 0x0F
    mag = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0))
    return np.where(sign != 0, mag, -mag).astype(np.int16)


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return buf.getvalue()


def parse_wav(data: bytes, where: str = "<bytes>") -> tuple[np.ndarray, int]:
    """Mono int16 samples and the rate of a PCM WAV (8/16/24/32-bit, any channel count)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            raw = w.readframes(n)
    except Exception as exc:  # wave raises wave.Error, EOFError, RuntimeError, struct.error on garbage
        raise AudioError(f"{where}: not a PCM WAV file ({exc or type(exc).__name__})") from None
    if width == 2:
        x = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2")
    elif width == 1:
        x = ((np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    elif width == 3:
        b = np.frombuffer(raw[: len(raw) // 3 * 3], dtype=np.uint8).reshape(-1, 3)
        x = ((b[:, 2].astype(np.int8).astype(np.int32) << 8) | b[:, 1]).astype(np.int16)
    elif width == 4:
        x = (np.frombuffer(raw[: len(raw) // 4 * 4], dtype="<i4") >> 16).astype(np.int16)
    else:
        raise AudioError(f"{where}: unsupported WAV sample width {width} bytes")
    if rate <= 0:
        raise AudioError(f"{where}: WAV header has sample rate {rate}")
    return downmix(x, ch), rate


# --------------------------------------------------------------------------------------------------
# Files

def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Read an audio file as mono int16 samples and their rate."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise AudioFileNotFound(f"{p}: audio file not found") from None
    except OSError as exc:
        raise AudioError(f"{p}: cannot read audio file: {exc.strerror}") from None
    ext = p.suffix.lower().lstrip(".")
    if ext in ("sln", "raw", "slin"):
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").copy(), 8000
    if ext in ("sln16", "slin16"):
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").copy(), 16000
    if ext in ("ulaw", "ul", "pcm", "mu"):
        return ulaw_decode(data), 8000
    if ext in ("alaw", "al"):
        return alaw_decode(data), 8000
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        try:
            return parse_wav(data, str(p))
        except AudioError:
            pass  # compressed WAV (GSM, mu-law in WAV...): let ffmpeg decode it
    elif ext == "wav":
        raise AudioError(f"{p}: not a WAV file (no RIFF/WAVE header)")
    return _ffmpeg_decode(p, ext)


def _ffmpeg_decode(p: Path, ext: str) -> tuple[np.ndarray, int]:
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        raise AudioError(f"{p}: reading .{ext} audio needs ffmpeg, which is not installed")
    cmd = [ffmpeg, "-nostdin", "-v", "error"]
    if ext == "gsm":
        cmd += ["-f", "gsm", "-ar", "8000"]
    cmd += ["-i", str(p), "-f", "s16le", "-ac", "1", "-ar", str(MODEL_RATE), "-"]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise AudioError(f"{p}: ffmpeg took more than 60 s to decode the file") from None
    if proc.returncode != 0 or not proc.stdout:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AudioError(f"{p}: cannot decode audio ({msg[-1] if msg else 'ffmpeg produced nothing'})")
    return np.frombuffer(proc.stdout[: len(proc.stdout) // 2 * 2], dtype="<i2").copy(), MODEL_RATE


def load_for_model(path: str | Path, rate: int = MODEL_RATE) -> tuple[np.ndarray, float]:
    """Samples at ``rate`` (default 16 kHz) and the duration in seconds."""
    samples, src = read_audio(path)
    return resample(samples, src, rate), len(samples) / float(src)


def encode_prompt(samples: np.ndarray, rate: int, fmt: str = "wav") -> bytes:
    """Convert synthesized audio to an 8 kHz telephone prompt file's bytes."""
    if fmt not in PROMPT_FORMATS:
        raise AudioError(f"unknown prompt format {fmt!r} (expected one of: {', '.join(PROMPT_FORMATS)})")
    tel = resample(samples, rate, TELEPHONE_RATE)
    if fmt == "wav":
        return wav_bytes(tel, TELEPHONE_RATE)
    if fmt == "ulaw":
        return ulaw_encode(tel)
    # gsm: ffmpeg's libgsm through pydub
    from pydub import AudioSegment
    seg = AudioSegment(data=np.asarray(tel, dtype="<i2").tobytes(), sample_width=2,
                       frame_rate=TELEPHONE_RATE, channels=1)
    buf = io.BytesIO()
    try:
        seg.export(buf, format="gsm", codec="libgsm", parameters=["-ar", "8000", "-ac", "1"])
    except Exception as exc:  # pydub raises CouldntEncodeError / FileNotFoundError (no ffmpeg)
        raise AudioError(f"GSM encoding failed (needs ffmpeg with libgsm): {exc}") from None
    return buf.getvalue()


def prompt_duration(data_len: int, fmt: str) -> float:
    """Duration of an 8 kHz prompt file from its size (WAV header of 44 bytes)."""
    if fmt == "wav":
        return max(0, data_len - 44) / 2 / TELEPHONE_RATE
    if fmt == "ulaw":
        return data_len / TELEPHONE_RATE
    if fmt == "gsm":
        return data_len / 33 * 160 / TELEPHONE_RATE
    raise AudioError(f"unknown prompt format {fmt!r}")
