"""The aiortc gateway over loopback: an aiortc client (the browser's part) calls a WebRTCLeg."""
from __future__ import annotations

import asyncio

import pytest

from callcenter.media.leg import AudioFrame, DtmfDigit, frame_bytes
from callcenter.media.webrtc import SignallingError, WebRTCSettings, offer_key
from callcenter.media.webrtc_client import PeerClient

from .webrtc_helpers import connect, dominant_hz, gateway, loud, tone


async def collect(leg, seconds: float):
    """Events of ``leg`` for ``seconds`` (or until it ends): (frames, digits)."""
    frames, digits = [], ""

    async def run():
        nonlocal digits
        async for ev in leg.events():
            if isinstance(ev, AudioFrame):
                frames.append(ev)
            elif isinstance(ev, DtmfDigit):
                digits += ev.digit
    try:
        await asyncio.wait_for(run(), seconds)
    except asyncio.TimeoutError:
        pass
    return frames, digits


def test_no_public_stun_by_default():
    cfg = WebRTCSettings().rtc_configuration()
    assert cfg.iceServers == []          # aiortc's default (None) would ask stun.l.google.com
    turn = WebRTCSettings(ice_servers=("stun:stun.example.org:3478", "turn:turn.example.org"),
                          ice_username="u", ice_password="p").rtc_configuration()
    assert [(s.urls, s.username) for s in turn.iceServers] == [("stun:stun.example.org:3478", None),
                                                               ("turn:turn.example.org", "u")]


@pytest.mark.parametrize("rate", [8000, 16000])
async def test_audio_both_ways_resampled_in_20ms_frames_and_keys(rate):
    gw = gateway(sample_rate=rate)
    client, leg = await connect(gw)
    try:
        answer_sdp = leg.pc.localDescription.sdp
        cands = [ln for ln in answer_sdp.splitlines() if ln.startswith("a=candidate")]
        assert cands and all(" typ host" in ln for ln in cands)       # host candidates only
        client.say(tone(440, 1.0))
        leg.play(tone(1000, 1.0, rate))
        client.press("12#")
        frames, digits = await collect(leg, 1.6)
        assert digits == "12#"
        assert all(len(f.pcm) == frame_bytes(rate) for f in frames)
        assert len(frames) >= 50                                       # 20 ms each, paced by the client
        got = loud(b"".join(f.pcm for f in frames)) if rate == 8000 else b"".join(f.pcm for f in frames[5:40])
        assert abs(dominant_hz(got or b"".join(f.pcm for f in frames), rate) - 440) < 20
        heard = loud(bytes(client.heard))
        assert len(heard) > 8000                                       # ~1 s of the leg's tone reached the client
        assert abs(dominant_hz(heard, 8000) - 1000) < 20
        assert not leg.playing
    finally:
        await client.close()
        await leg.close()
        await gw.stop()


async def test_hangup_from_the_page_ends_the_leg_and_the_session():
    gw = gateway()
    client, leg = await connect(gw)
    assert gw.sessions == {leg.leg_id: leg}
    await client.hangup()
    frames, _ = await collect(leg, 5)
    assert leg.ended is not None and leg.ended.by == "far" and "hang-up" in leg.ended.reason
    assert gw.sessions == {}
    await leg.close()            # idempotent after the far end
    await gw.stop()


async def test_keys_over_http_and_the_playback_contract():
    gw = gateway()
    client, leg = await connect(gw)
    try:
        assert gw.get(leg.leg_id) is leg
        assert leg.press("9x*") == 2          # x is not a key
        leg.play(tone(500, 2.0))
        assert leg.playing
        leg.stop_playback()
        assert not leg.playing
        await asyncio.wait_for(leg.playback_idle(), 1)
        _, digits = await collect(leg, 0.3)
        assert digits == "9*"
    finally:
        await leg.close("test over")
        await client.close()
        await gw.stop()
    assert leg.ended.by == "us" and leg.ended.reason == "test over"


async def test_replayed_offer_unknown_session_and_bad_offers_are_refused():
    gw = gateway()
    client = PeerClient()
    offer = await client.offer()
    leg, answer = await gw.answer(offer)
    with pytest.raises(SignallingError) as e:
        await gw.answer(dict(offer))
    assert e.value.status == 409 and len(gw.sessions) == 1
    with pytest.raises(SignallingError) as e:
        gw.get("nope")
    assert e.value.status == 404
    for bad in ({}, {"type": "answer", "sdp": offer["sdp"]}, {"type": "offer", "sdp": "v=0\r\n"},
                {"type": "offer", "sdp": offer["sdp"].replace("a=ice-ufrag", "a=x-ufrag")}):
        with pytest.raises(SignallingError) as e:
            await gw.answer(bad)
        assert e.value.status == 400
    assert gw.counters["replays"] == 1 and len(gw.sessions) == 1
    await client.close()
    await leg.close()
    await gw.stop()
    assert gw.sessions == {}
    with pytest.raises(SignallingError):
        offer_key("v=0")


async def test_too_many_sessions():
    gw = gateway(max_sessions=1)
    c1, c2 = PeerClient(), PeerClient()
    leg, _ = await gw.answer(await c1.offer())
    with pytest.raises(SignallingError) as e:
        await gw.answer(await c2.offer())
    assert e.value.status == 503
    for c in (c1, c2):
        await c.close()
    await gw.stop()


async def test_vanished_browser_ends_by_media_timeout():
    gw = gateway(media_timeout=1.0)
    client, leg = await connect(gw)
    client.track.stop()                     # the tab froze / the network went: no more audio, no goodbye
    frames, _ = await collect(leg, 6)
    assert leg.ended is not None and leg.ended.by in ("timeout", "far"), leg.ended
    assert gw.sessions == {}
    await client.close()
    await gw.stop()


async def test_offer_never_completed_ends_by_connect_timeout():
    gw = gateway(connect_timeout=1.0)
    client = PeerClient()
    leg, _ = await gw.answer(await client.offer())     # the answer never reaches the browser
    await collect(leg, 5)
    assert leg.ended is not None and leg.ended.by == "timeout" and "not connected" in leg.ended.reason
    assert gw.sessions == {}
    await client.close()
    await gw.stop()


@pytest.mark.parametrize("key, value, says", [("callers", "anyone", "'open' or 'token'"),
                                              ("sample_rate", 44100, "8000 or 16000"),
                                              ("ice_servers", ["http://stun.example.org"], "stun: or turn:")])
def test_config_checks_name_the_key(key, value, says):
    from callcenter.config import ConfigError, load_config
    with pytest.raises(ConfigError) as e:
        load_config(env={}, overrides={f"webrtc.{key}": value})
    assert f"webrtc.{key}" in str(e.value) and says in str(e.value)
