"""The AudioSocket frame codec: types as Asterisk 22.10.1, any byte split, garbage, round trips."""
from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.media import audiosocket_codec as c
from callcenter.media.audiosocket_codec import AudioSocketProtocolError, Frame, FrameDecoder


def test_frame_types_are_those_of_asterisk_22():
    assert (c.HANGUP, c.UUID, c.DTMF, c.SLIN, c.ERROR) == (0x00, 0x01, 0x03, 0x10, 0xFF)
    assert c.AUDIO_RATES[0x11] == 12000 and c.AUDIO_RATES[0x12] == 16000     # 0x11 is NOT slin16
    assert [c.AUDIO_RATES[k] for k in range(0x10, 0x19)] == [8000, 12000, 16000, 24000, 32000, 44100, 48000,
                                                              96000, 192000]
    assert Frame(0x12, b"").name == "slin16" and Frame(0x15, b"").name == "slin44.1"


def test_captured_bytes_decode():
    u = "6f1c2b3a-0801-4e5f-9a00-000000000801"
    wire = (bytes([0x01, 0x00, 0x10]) + uuid.UUID(u).bytes + bytes([0x10, 0x01, 0x40]) + b"\x00" * 320
            + bytes([0x03, 0x00, 0x01, 0x23]) + bytes([0x00, 0x00, 0x00]))
    frames = FrameDecoder().feed(wire)
    assert [f.kind for f in frames] == [0x01, 0x10, 0x03, 0x00]
    assert frames[0].uuid == u and frames[2].digit == "#" and len(frames[1].payload) == 320
    assert c.encode_uuid(u) + c.encode_audio(b"\x00" * 320) + c.encode_dtmf("#") + c.encode_hangup() == wire


def test_slin16_and_ulaw_frames():
    assert c.encode_audio(b"\x01\x00" * 320, 16000)[:3] == bytes([0x12, 0x02, 0x80])
    with pytest.raises(ValueError, match="11025 Hz"):
        c.encode_audio(b"", 11025)
    # mu-law: 0xff is zero, 0x00 the most negative, 0x80 the most positive
    assert c.ulaw_to_slin(b"\xff\x7f") == b"\x00\x00\x00\x00"
    assert c.ULAW_TABLE[0x00] == -32124 and c.ULAW_TABLE[0x80] == 32124
    assert len(c.ulaw_to_slin(b"\x55" * 160)) == 320


@pytest.mark.parametrize("wire, where, what", [
    (b"\x02\x00\x00", 0, "unknown frame type 0x02"),
    (c.encode_uuid(uuid.uuid4()) + b"\x42\x00\x00", 19, "unknown frame type 0x42"),
    (b"\x01\x00\x05abcde", 1, "uuid frame at byte 0 has length 5 (expected length 16"),
    (b"\x00\x00\x01x", 1, "hangup frame at byte 0 has length 1"),
    (b"\x03\x00\x02", 1, "dtmf frame at byte 0 has length 2"),
    (b"\x03\x00\x01Z", 3, "DTMF frame at byte 0 carries b'Z'"),
    (b"\x10\xff\xff", 1, "slin8 frame at byte 0 has length 65535 (expected an audio payload of at most"),
])
def test_garbage_names_the_offset_and_what_was_expected(wire, where, what):
    d = FrameDecoder()
    with pytest.raises(AudioSocketProtocolError) as ei:
        d.feed(wire)
    assert what in str(ei.value) and ei.value.offset == where
    with pytest.raises(AudioSocketProtocolError):       # a failed stream stays failed
        d.feed(c.encode_hangup())


def test_truncated_stream_is_reported_at_eof():
    d = FrameDecoder()
    assert d.feed(c.encode_audio(b"\x00" * 320)[:100]) == []
    assert "stream ended inside a slin8 frame at byte 0 (97 of 320 payload bytes)" in d.truncated()
    d2 = FrameDecoder()
    d2.feed(b"\x10")
    assert "inside a frame header" in d2.truncated()
    assert FrameDecoder().truncated() is None


def test_encoders_refuse_what_asterisk_would_not_parse():
    with pytest.raises(ValueError):
        c.encode(0x42, b"")
    with pytest.raises(ValueError):
        c.encode(0x10, b"\x00" * 70000)
    with pytest.raises(ValueError):
        c.encode_dtmf("12")


# -- fuzz -----------------------------------------------------------------------------------------
audio_frames = st.builds(lambda k, n, b: Frame(k, bytes([b]) * n), st.sampled_from(sorted(c.AUDIO_RATES)),
                         st.integers(0, 1920), st.integers(0, 255))
frames_st = st.lists(st.one_of(
    audio_frames,
    st.builds(lambda u: Frame(c.UUID, u), st.binary(min_size=16, max_size=16)),
    st.builds(lambda d: Frame(c.DTMF, d.encode()), st.sampled_from(sorted(c.DTMF_DIGITS))),
    st.just(Frame(c.HANGUP, b"")),
    st.builds(lambda p: Frame(c.ERROR, p), st.binary(max_size=4)),
), max_size=20)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(len(data), x) for x in cuts})
    out, prev = [], 0
    for p in points + [len(data)]:
        out.append(data[prev:p])
        prev = p
    return out


@settings(max_examples=300, deadline=None)
@given(frames_st, st.lists(st.integers(0, 5000), max_size=30))
def test_any_split_gives_the_same_frames_and_round_trips(frames, cuts):
    wire = b"".join(c.encode_frame(f) for f in frames)
    d = FrameDecoder()
    got = [f for chunk in _split(wire, cuts) for f in d.feed(chunk)]
    assert got == frames
    assert d.pending == 0 and d.truncated() is None and d.offset == len(wire)
    assert b"".join(c.encode_frame(f) for f in got) == wire


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=10))
def test_random_garbage_raises_only_the_codec_error(data, cuts):
    d = FrameDecoder()
    try:
        for chunk in _split(data, cuts):
            for f in d.feed(chunk):
                assert f.kind in c.KNOWN_TYPES
    except AudioSocketProtocolError as exc:
        assert 0 <= exc.offset < len(data) and "AudioSocket" in str(exc)
