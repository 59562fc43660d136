"""AudioSocketServer + AudioSocketLeg against Asterisk's side of the protocol (the double's
AsteriskAudioSocket, which behaves as the captures show)."""
from __future__ import annotations

import asyncio
import logging
import math
import struct
import uuid as _uuid

import pytest

from callcenter.media.audiosocket import AudioSocketServer
from callcenter.media.audiosocket_codec import encode, encode_audio, encode_uuid
from callcenter.media.audiosocket_leg import PaceSchedule, resample
from callcenter.media.leg import AudioFrame, DtmfDigit, MediaError
from tests.asterisk_double.audiosocket import AsteriskAudioSocket


def tone(seconds: float, rate: int = 8000, hz: float = 440.0, amp: int = 8000) -> bytes:
    n = int(seconds * rate)
    return b"".join(struct.pack("<h", int(amp * math.sin(2 * math.pi * hz * i / rate))) for i in range(n))


@pytest.fixture
async def server():
    srv = AudioSocketServer("127.0.0.1:0", idle_timeout=30.0)
    await srv.start()
    yield srv
    await srv.stop()


async def _connect(srv, rate=8000, **kw):
    pending = srv.expect(sample_rate=rate)
    ast = await AsteriskAudioSocket("127.0.0.1", srv.bound_port, pending.uuid, **kw).start()
    leg = await pending.wait(2.0)
    return ast, leg


async def _collect(leg, n, timeout=3.0):
    out = []

    async def run():
        async for ev in leg.events():
            out.append(ev)
            if len(out) >= n:
                return
    await asyncio.wait_for(run(), timeout)
    return out


def test_pace_schedule_is_drift_free_and_limits_catch_up():
    s = PaceSchedule(0.02, max_catchup=2)
    s.start(100.0)
    assert s.due(100.0) == 1 and s.due(100.005) == 0
    assert s.due(100.0201) == 1                   # on time
    # 1000 on-time ticks later the schedule is exactly t0 + k*period (no accumulated drift)
    t = 100.04
    for _ in range(1000):
        assert s.due(t + 0.0013) == 1              # woken 1.3 ms late every time
        t += 0.02
    assert abs(s.next_at - t) < 1e-6
    assert s.due(t + 0.045) == 3                   # 2 late ticks + this one: caught up
    t2 = s.next_at + 1.0                           # a 1 s stall: no 50-frame burst, re-anchor
    assert s.due(t2) == 1 and s.reanchored == 1 and abs(s.next_at - (t2 + 0.02)) < 1e-9


def test_resample_doubles_and_halves():
    pcm = tone(0.02)
    up = resample(pcm, 8000, 16000)
    assert len(up) == 640 and len(resample(up, 16000, 8000)) == 320


async def test_caller_audio_and_dtmf_arrive_as_events(server):
    ast, leg = await _connect(server, audio=tone(0.2))
    assert leg.uuid == ast.uuid and leg.sample_rate == 8000
    ast.press("1#")
    evs = await _collect(leg, 40)
    audio = [e for e in evs if isinstance(e, AudioFrame)]
    digits = [e.digit for e in evs if isinstance(e, DtmfDigit)]
    assert all(len(a.pcm) == 320 for a in audio) and audio[0].pcm == tone(0.2)[:320]
    assert digits == ["1", "#"]
    await leg.close()
    assert await ast.wait(1.0) == "hangup-frame"
    assert leg.ended.by == "us"


async def test_writer_sends_silence_then_queued_audio_paced(server):
    ast, leg = await _connect(server, rtp=False)      # a caller that sends no RTP: we keep the line alive
    await asyncio.sleep(0.3)
    prompt = tone(0.4)
    leg.play(prompt)
    assert leg.playing
    await asyncio.wait_for(leg.playback_idle(), 2.0)
    assert not leg.playing
    await asyncio.sleep(0.1)
    await leg.close()
    await ast.wait(1.0)
    frames = ast.audio_received()
    assert all(f.kind == 0x10 and len(f.payload) == 320 for f in frames)
    pcm = ast.pcm_received()
    assert prompt in pcm and pcm.startswith(b"\x00" * 320 * 5)
    gaps = sorted(ast.gaps_ms())
    assert gaps[len(gaps) // 2] == pytest.approx(20, abs=3)


async def test_a_prompt_on_an_idle_leg_starts_at_once_and_the_stream_stays_real_time(server):
    """The next prompt's first frame goes out when it is queued, not at the next 20 ms tick; the writer
    then skips one silence frame, so Asterisk gets exactly one frame per tick over the call."""
    ast, leg = await _connect(server, rtp=False)
    leg.write_times = []
    await asyncio.sleep(0.3)                            # idle: the writer sends silence
    clock = leg._clock
    ticks0, frames0 = clock.ticks, leg.frames_out
    prompt = tone(0.2)
    leg.play(prompt)
    assert leg.frames_out == frames0 + 1 and clock.ticks == ticks0     # written in play(), before any tick
    await asyncio.wait_for(leg.playback_idle(), 2.0)
    await asyncio.sleep(0.2)
    assert leg.frames_out - frames0 == clock.ticks - ticks0 and leg.backlog_skips == 0
    leg.play(tone(0.1))                                 # again: one early frame, one silence skipped
    await asyncio.wait_for(leg.playback_idle(), 2.0)
    await asyncio.sleep(0.2)
    assert leg.frames_out - frames0 == clock.ticks - ticks0
    await leg.close()
    await ast.wait(1.0)
    assert prompt in ast.pcm_received()


async def test_slin16_leg_sends_0x12_and_upsamples_the_app_8k_audio(server):
    ast, leg = await _connect(server, rate=16000, audio=tone(0.1))
    evs = await _collect(leg, 3)
    assert all(len(e.pcm) == 640 for e in evs)          # app sends 0x10: resampled to the leg's 16 kHz
    leg.play(tone(0.1, 16000))
    await leg.playback_idle()
    await leg.close()
    await ast.wait(1.0)
    assert {f.kind for f in ast.audio_received()} == {0x12}
    assert {len(f.payload) for f in ast.audio_received()} == {640}


async def test_channel_dialled_without_codec_sends_ulaw_under_0x10(server):
    ast, leg = await _connect(server, app=False, codec="ulaw", audio=tone(0.1))
    evs = await _collect(leg, 3)
    pcm = tone(0.1)[:320]
    got = struct.unpack("<160h", evs[0].pcm)
    want = struct.unpack("<160h", pcm)
    assert len(evs[0].pcm) == 320 and max(abs(a - b) for a, b in zip(got, want)) < 300   # G.711 error
    await leg.close()


async def test_far_hangup_is_eof_and_ends_events(server):
    ast, leg = await _connect(server)
    await _collect(leg, 2)
    ast.caller_hangs_up()
    ended = await leg.wait_ended(2.0)
    assert ended.by == "far" and "EOF" in ended.reason
    assert [e async for e in leg.events()] == [] or True     # the iterator ends
    await leg.close()                                          # idempotent, no raise
    assert leg.ended.by == "far"
    assert server.legs == {}


async def test_reset_by_asterisk_ends_the_leg_with_an_error(server):
    ast, leg = await _connect(server)
    ast._finish("test-reset", reset=True)
    ended = await leg.wait_ended(2.0)
    assert ended.by in ("error", "far")
    leg.play(tone(0.1))                                       # no raise after the end
    await leg.playback_idle()


async def test_send_dtmf_is_refused(server):
    ast, leg = await _connect(server)
    with pytest.raises(MediaError, match="cannot send DTMF"):
        await leg.send_dtmf("5")
    assert leg.ended is None
    await leg.close()


async def test_stop_playback_drops_the_queue_at_once(server):
    ast, leg = await _connect(server)
    leg.play(tone(2.0))
    await asyncio.sleep(0.1)
    leg.stop_playback()
    assert not leg.playing
    await asyncio.wait_for(leg.playback_idle(), 0.1)
    await asyncio.sleep(0.1)
    await leg.close()
    await ast.wait(1.0)
    assert len(ast.pcm_received()) < 320 * 25


async def test_our_idle_timeout_ends_a_silent_leg():
    async with AudioSocketServer("127.0.0.1:0", idle_timeout=0.3) as srv:
        ast, leg = await _connect(srv, rtp=False)
        ended = await leg.wait_ended(2.0)
        assert ended.by == "timeout"
        assert await ast.wait(1.0) == "hangup-frame"


async def test_unknown_uuid_is_logged_and_closed(server, caplog):
    u = str(_uuid.uuid4())
    with caplog.at_level(logging.WARNING, "callcenter.media.audiosocket"):
        ast = await AsteriskAudioSocket("127.0.0.1", server.bound_port, u).start()
        assert await ast.wait(2.0) == "server-closed"
    assert f"unknown UUID {u}" in caplog.text
    assert server.refused == 1


async def test_first_frame_not_uuid_is_refused(server, caplog):
    r, w = await asyncio.open_connection("127.0.0.1", server.bound_port)
    w.write(encode_audio(b"\x00" * 320))
    with caplog.at_level(logging.WARNING, "callcenter.media.audiosocket"):
        assert await asyncio.wait_for(r.read(), 2.0) == b""
    assert "expected the UUID frame 0x01 first" in caplog.text
    w.close()


async def test_garbage_after_uuid_ends_the_leg_with_the_offset(server):
    pending = server.expect()
    r, w = await asyncio.open_connection("127.0.0.1", server.bound_port)
    w.write(encode_uuid(pending.uuid) + encode_audio(b"\x00" * 320) + b"\x07\x00\x00")
    leg = await pending.wait(2.0)
    ended = await leg.wait_ended(2.0)
    assert ended.by == "error" and "unknown frame type 0x07 at byte 342" in ended.reason
    w.close()


async def test_pending_times_out_and_a_late_connection_is_unknown(server):
    pending = server.expect()
    with pytest.raises(asyncio.TimeoutError):
        await pending.wait(0.05)
    ast = await AsteriskAudioSocket("127.0.0.1", server.bound_port, pending.uuid).start()
    assert await ast.wait(2.0) == "server-closed"


async def test_bind_on_all_addresses_needs_an_advertise_address():
    with pytest.raises(ValueError, match="audiosocket_advertise"):
        AudioSocketServer("0.0.0.0:9092")
    assert AudioSocketServer("0.0.0.0:9092", "10.0.0.5:9092").advertise == "10.0.0.5:9092"
    with pytest.raises(ValueError, match="not host:port"):
        AudioSocketServer("localhost")
