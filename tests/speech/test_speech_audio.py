"""Audio conversion: resampling (8 kHz <-> 16 kHz), telephone codecs, file formats, prompt encoding."""
from __future__ import annotations

import shutil
import wave
import io

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from callcenter.speech.audio import (AudioError, StreamResampler, alaw_decode, encode_prompt, load_for_model,
                                     parse_wav, prompt_duration, read_audio, resample, ulaw_decode, ulaw_encode,
                                     wav_bytes)


def tone(freq: float, rate: int, seconds: float = 1.0, amp: float = 8000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return np.rint(amp * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def dominant_freq(x: np.ndarray, rate: int) -> float:
    spec = np.abs(np.fft.rfft(x.astype(float) * np.hanning(len(x))))
    return float(np.argmax(spec) * rate / len(x))


def test_8k_to_16k_keeps_pitch_and_duration():
    x = tone(440, 8000)
    y = resample(x, 8000, 16000)
    assert len(y) == 16000
    assert abs(dominant_freq(y, 16000) - 440) < 2
    # no energy folded above the original Nyquist (imaging filtered out)
    spec = np.abs(np.fft.rfft(y.astype(float)))
    freqs = np.fft.rfftfreq(len(y), 1 / 16000)
    assert spec[freqs > 4200].max() < spec.max() * 0.01


def test_downsampling_filters_aliases():
    # a 6 kHz tone cannot exist at 8 kHz: it must be removed, not folded to 2 kHz
    x = tone(6000, 22050)
    y = resample(x, 22050, 8000)
    assert len(y) == 8000
    assert np.abs(y[200:-200]).max() < 400


def test_stream_resampler_matches_whole_file_resampling():
    x = tone(300, 8000) + tone(1200, 8000, amp=3000)
    whole = resample(x, 8000, 16000)
    sr = StreamResampler(8000, 16000)
    parts = np.concatenate([sr.feed(x[i:i + 160]) for i in range(0, len(x), 160)])   # 20 ms chunks
    assert len(parts) == len(whole)
    delay = (len(sr._h) - 1) // 2
    err = np.abs(whole[200:15000].astype(int) - parts[200 + delay:15000 + delay].astype(int))
    assert err.max() < 60            # same signal, up to the FIR's group delay


def test_stream_resampler_odd_ratio_keeps_length():
    sr = StreamResampler(22050, 8000)
    out = sum(len(sr.feed(np.zeros(1001, np.int16))) for _ in range(22))
    assert abs(out - 22 * 1001 * 8000 / 22050) <= 1


def test_ulaw_matches_g711_reference():
    x = np.arange(-32768, 32768, 7, dtype=np.int16)
    codes = ulaw_encode(x)
    back = ulaw_decode(codes)
    # G.711 mu-law: error bounded by half a quantization step of the segment
    assert np.all(np.abs(back.astype(int) - x.astype(int)) <= np.maximum(16, np.abs(x.astype(int)) // 16))
    assert ulaw_encode(np.array([0], np.int16)) == b"\xff"        # silence is 0xFF in mu-law
    assert ulaw_decode(b"\xff\x7f")[0] == 0


def test_alaw_decode_known_values():
    assert alaw_decode(b"\xd5")[0] == 8          # a-law "zero" (0xD5) decodes to +8
    assert alaw_decode(b"\x55")[0] == -8
    assert abs(int(alaw_decode(b"\xaa")[0])) == 32256


def test_read_asterisk_raw_formats(tmp_path):
    x = tone(500, 8000, 0.5)
    (tmp_path / "a.sln").write_bytes(x.astype("<i2").tobytes())
    (tmp_path / "a.ulaw").write_bytes(ulaw_encode(x))
    (tmp_path / "a.wav").write_bytes(wav_bytes(x, 8000))
    for name in ("a.sln", "a.ulaw", "a.wav"):
        y, rate = read_audio(tmp_path / name)
        assert rate == 8000 and len(y) == 4000
        assert abs(dominant_freq(y, 8000) - 500) < 3
    y16, dur = load_for_model(tmp_path / "a.ulaw")
    assert len(y16) == 8000 and dur == pytest.approx(0.5)


def test_read_stereo_8bit_wav(tmp_path):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(bytes([128, 128, 200, 200] * 100))
    x, rate = parse_wav(buf.getvalue())
    assert rate == 8000 and len(x) == 200
    assert set(np.unique(x)) == {0, (200 - 128) << 8}


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg not installed")
def test_read_gsm_through_ffmpeg(tmp_path):
    x = tone(400, 8000)
    (tmp_path / "a.gsm").write_bytes(encode_prompt(x, 8000, "gsm"))
    y, rate = read_audio(tmp_path / "a.gsm")
    assert rate == 16000
    assert abs(len(y) / rate - 1.0) < 0.05
    assert abs(dominant_freq(y, rate) - 400) < 10


def test_bad_files_give_errors_naming_the_file(tmp_path):
    with pytest.raises(AudioError, match="nothere.wav: audio file not found"):
        read_audio(tmp_path / "nothere.wav")
    bad = tmp_path / "garbage.wav"
    bad.write_bytes(b"this is not audio at all")
    with pytest.raises(AudioError, match="garbage.wav"):
        read_audio(bad)
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(AudioError, match="junk.mp3"):
        read_audio(junk)


@pytest.mark.parametrize("fmt", ["wav", "ulaw", "gsm"])
def test_encode_prompt_is_8khz_with_right_duration(fmt):
    if fmt == "gsm" and not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg not installed")
    x = tone(440, 22050, 2.0)
    data = encode_prompt(x, 22050, fmt)
    assert prompt_duration(len(data), fmt) == pytest.approx(2.0, abs=0.03)
    if fmt == "wav":
        with wave.open(io.BytesIO(data)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
    if fmt == "ulaw":
        assert len(data) == 16000


def test_encode_prompt_rejects_unknown_format():
    with pytest.raises(AudioError, match="unknown prompt format 'mp3'"):
        encode_prompt(tone(440, 8000), 8000, "mp3")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_parse_wav_only_raises_audio_error(data):
    for blob in (data, b"RIFF" + data[:4] + b"WAVE" + data[4:]):
        try:
            x, rate = parse_wav(blob)
        except AudioError:
            continue
        assert x.dtype == np.int16 and rate > 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-32768, 32767), min_size=0, max_size=400), st.sampled_from([8000, 16000, 22050]),
       st.sampled_from([8000, 16000]))
def test_fuzz_resample_lengths(samples, src, dst):
    x = np.array(samples, dtype=np.int16)
    y = resample(x, src, dst)
    assert y.dtype == np.int16
    assert abs(len(y) - len(x) * dst / src) <= 1


def test_trim_silence_keeps_margin():
    from callcenter.speech.audio import trim_silence
    rng = np.random.default_rng(0)
    quiet = np.rint(rng.normal(0, 20, 8000)).astype(np.int16)
    speech = tone(300, 8000, 0.5)
    y = trim_silence(np.concatenate([quiet, speech, quiet, quiet]), 8000, margin=0.1)
    assert abs(len(y) / 8000 - 0.7) < 0.05
    assert len(trim_silence(quiet, 8000)) == len(quiet)          # all quiet: unchanged
    assert len(trim_silence(np.zeros(0, np.int16), 8000)) == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 700), min_size=1, max_size=30),
       st.sampled_from([(8000, 16000), (16000, 8000), (22050, 8000), (8000, 22050)]))
def test_fuzz_stream_resampler_chunking_does_not_change_the_output(chunks, rates):
    """However a stream is cut into chunks, the output is the same as feeding it whole."""
    rng = np.random.default_rng(len(chunks))
    x = np.rint(rng.normal(0, 4000, sum(chunks))).astype(np.int16)
    whole = StreamResampler(*rates).feed(x)
    sr = StreamResampler(*rates)
    parts, i = [], 0
    for n in chunks:
        parts.append(sr.feed(x[i:i + n]))
        i += n
    assert np.array_equal(np.concatenate(parts), whole)


def test_missing_file_is_a_file_not_found_error_naming_it(tmp_path):
    from callcenter.speech.audio import AudioError, read_audio
    p = tmp_path / "gone.wav"
    with pytest.raises(FileNotFoundError) as ei:     # what the AGI channel catches to give its hint
        read_audio(p)
    assert isinstance(ei.value, AudioError) and str(p) in str(ei.value)


def _band_energy(x, rate, lo, hi):
    spec = np.abs(np.fft.rfft(np.asarray(x, dtype=np.float64))) ** 2
    f = np.fft.rfftfreq(len(x), 1.0 / rate)
    return spec[(f >= lo) & (f < hi)].sum()


def test_telephone_audio_brought_to_16k_is_narrowband_and_wideband_audio_is_not():
    from callcenter.speech.audio import is_narrowband
    rng = np.random.default_rng(1)
    wide = (rng.normal(0, 3000, 16000)).astype(np.int16)
    tel = resample(resample(wide, 16000, 8000), 8000, 16000)
    assert is_narrowband(tel, 16000)
    assert not is_narrowband(wide, 16000)
    assert not is_narrowband(resample(wide, 16000, 8000), 8000)      # already at 8 kHz: nothing to fill


def test_high_band_fill_adds_a_floor_above_the_telephone_band_and_leaves_the_speech_band():
    from callcenter.speech.audio import fill_high_band
    t = np.arange(16000) / 16000.0
    tone = (8000 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    out = fill_high_band(tone, 16000, rms=36.0)
    assert _band_energy(tone, 16000, 4500, 8000) < 1e-6 * _band_energy(tone, 16000, 0, 4000)
    hi = out.astype(np.float64) - tone
    assert 30 < np.sqrt(np.mean(hi ** 2)) < 42                       # the floor asked for
    assert _band_energy(hi, 16000, 0, 3000) < 0.01 * _band_energy(hi, 16000, 4000, 8000)
    assert np.array_equal(out, fill_high_band(tone, 16000, rms=36.0))   # deterministic


def test_high_band_filler_for_streams_is_the_same_floor_whatever_the_chunks():
    from callcenter.speech.audio import HighBandFiller
    x = np.zeros(16000, dtype=np.int16)
    whole = HighBandFiller(16000, 36.0).feed(x)
    f = HighBandFiller(16000, 36.0)
    chunked = np.concatenate([f.feed(x[i:i + 320]) for i in range(0, len(x), 320)])
    assert np.array_equal(whole, chunked)
    floor = whole[2000:].astype(np.float64)
    assert 30 < np.sqrt(np.mean(floor ** 2)) < 42
    assert _band_energy(floor, 16000, 0, 3000) < 0.01 * _band_energy(floor, 16000, 4000, 8000)


def test_band_noise_floor_lies_in_its_band_at_the_level_asked_and_is_repeatable():
    from callcenter.speech.audio import add_band_noise
    x = np.zeros(16000, dtype=np.int16)
    out = add_band_noise(x, 16000, 200.0, low=300.0, high=3800.0, seed=11)
    assert 190 < np.sqrt(np.mean(out.astype(np.float64) ** 2)) < 210
    inside = _band_energy(out, 16000, 300, 3800)
    assert _band_energy(out, 16000, 0, 150) < 0.01 * inside
    assert _band_energy(out, 16000, 4500, 8000) < 0.01 * inside
    assert np.array_equal(out, add_band_noise(x, 16000, 200.0, low=300.0, high=3800.0, seed=11))
    with pytest.raises(ValueError, match="add_band_noise: band 300.0-9000.0 Hz"):
        add_band_noise(x, 16000, 200.0, low=300.0, high=9000.0)


def test_telephone_answers_get_the_speech_band_floor_under_their_speech_level_wideband_ones_do_not():
    from callcenter.speech import sphinx_backend as S
    from callcenter.speech.audio import resample
    rng = np.random.default_rng(3)
    t = np.arange(16000) / 16000.0
    # a "word": a 600 Hz tone in 1 s of faint line noise, at 8 kHz (telephone) brought up to 16 kHz
    word = np.where((t > 0.3) & (t < 0.7), 6000 * np.sin(2 * np.pi * 600 * t), 0) + rng.normal(0, 3, 16000)
    tel = resample(resample(word.astype(np.int16), 16000, 8000), 8000, 16000)
    padded = S._pad_for_sphinx(tel)
    speech = S._speech_rms(padded)
    gap = padded[: int(0.25 * 16000)].astype(np.float64)          # the padding before the word
    floor = np.sqrt(np.mean(gap ** 2))
    assert speech * 10 ** (-(S.SPEECH_FLOOR_DB + 3) / 20) < floor < speech * 10 ** (-(S.SPEECH_FLOOR_DB - 3) / 20)
    wide = (word + rng.normal(0, 300, 16000)).astype(np.int16)     # energy up to 8 kHz: not a telephone answer
    wide_gap = S._pad_for_sphinx(wide)[: int(0.25 * 16000)].astype(np.float64)
    assert np.sqrt(np.mean(wide_gap ** 2)) < 0.1 * floor          # only the faint padding, no floor
