"""FastAGI hand-off: ``AgiChannel.audiosocket()`` against the double's ``EXEC AudioSocket``
(behaviour of tests/fixtures/asterisk/audiosocket-agi-exec.txt)."""
from __future__ import annotations

import asyncio
import math
import struct
import wave

import pytest

from callcenter.asterisk.agi_channel import AgiChannel
from callcenter.asterisk.service import AsteriskService
from callcenter.clock import FakeClock
from callcenter.events import EventBus
from callcenter.ivr.channel import CallerHungUp, ChannelError, Prompt
from callcenter.media.leg import AudioFrame, DtmfDigit
from tests.asterisk.conftest import double  # noqa: F401 - the Asterisk double fixture
from tests.asterisk.helpers import make_config
from tests.asterisk.test_agi_channel import run
from tests.asterisk_double import AsteriskDouble, Caller, Hangup, Pause, Press, Say


async def _service(tmp_path, double, **env):
    e = {"CALLCENTER_MEDIA__AUDIOSOCKET_ENABLED": "true", "CALLCENTER_MEDIA__AUDIOSOCKET_BIND": "127.0.0.1:0"}
    e.update(env)
    svc = AsteriskService(make_config(tmp_path, double, **e), EventBus(), FakeClock())
    await svc.start()
    assert await svc.clients[0].wait_connected(5)
    return svc


@pytest.fixture
async def service(tmp_path, double):
    svc = await _service(tmp_path, double)
    yield svc
    await svc.stop()


def speech_wav(path, seconds=0.5, rate=8000):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(i / 5))) for i in range(int(seconds * rate))))
    return path


async def test_listen_then_the_ivr_goes_on_over_agi(service, double, tmp_path):
    wav = speech_wav(tmp_path / "hello.wav")

    async def h(ch):
        await ch.answer()
        got = []
        async with ch.audiosocket() as leg:
            leg.play(b"\x10\x00" * 1600)                 # 200 ms prompt
            async for ev in leg.events():
                got.append(ev)
                if isinstance(ev, DtmfDigit) and ev.digit == "#":
                    break
        await ch.play([Prompt("file", "beep")])          # the caller is still up: AGI goes on
        return got
    caller = Caller(script=[Say(wav), Press("1#")])
    out = await run(service, double, caller, h)
    got = out["result"]
    digits = [e.digit for e in got if isinstance(e, DtmfDigit)]
    audio = b"".join(e.pcm for e in got if isinstance(e, AudioFrame))
    assert digits == ["1", "#"]
    with wave.open(str(wav)) as w:
        said = w.readframes(4000)
    assert said[:3200] in audio                          # the caller's speech, frame for frame
    adv = f"127.0.0.1:{service.audiosocket.bound_port}"
    exec_line = next(c for c in caller.commands if c.startswith("EXEC AudioSocket"))
    assert exec_line.endswith(f",{adv}")
    assert caller.replies[caller.commands.index(exec_line)] == "200 result=0"     # caller still up
    ast = caller.audiosockets[0]
    assert ast.outcome.result() == "hangup-frame"       # we closed with 0x00
    assert (b"\x10\x00" * 1600) in ast.pcm_received()
    assert "STREAM FILE" in caller.verbs()[caller.verbs().index("EXEC") + 1:]
    assert service.audiosocket.legs == {}


async def test_caller_hangs_up_during_audiosocket(service, double):
    async def h(ch):
        async with ch.audiosocket() as leg:
            async for _ in leg.events():
                pass
            return leg.ended
    caller = Caller(script=[Pause(20), Hangup()])       # 0.2 s (time_scale 0.01) then BYE
    out = await run(service, double, caller, h)
    assert isinstance(out["exc"], CallerHungUp)
    i = caller.replies.index("200 result=-1")
    assert caller.replies[i + 1] == "HANGUP"
    assert caller.audiosockets[0].outcome.result() == "caller-hangup"


async def test_hangup_after_mid_audiosocket(service, double):
    async def h(ch):
        async with ch.audiosocket() as leg:
            await leg.wait_ended(5)
    out = await run(service, double, Caller(hangup_after=0.3), h)
    assert isinstance(out["exc"], CallerHungUp)


async def test_silent_caller_is_kept_alive_by_our_silence(service, double):
    """No RTP from the phone: Asterisk would drop the call after 2 s of no activity, but our writer
    sends silence frames, so the leg lives until we close it."""
    async def h(ch):
        async with ch.audiosocket() as leg:
            await asyncio.sleep(2.5)
            assert leg.ended is None
        return True
    caller = Caller(rtp=False)
    out = await run(service, double, caller, h)
    assert out.get("result") is True, out
    ast = caller.audiosockets[0]
    # we closed it (the double, like Asterisk, would have dropped it after 2 s without audio), and
    # silence flowed all along: 125 frames at 20 ms; at least half of them on a loaded machine
    assert ast.outcome.result() == "hangup-frame" and len(ast.audio_received()) > 62


async def test_asterisk_cannot_connect_names_the_address(tmp_path, double):
    svc = await _service(tmp_path, double, CALLCENTER_MEDIA__AUDIOSOCKET_ADVERTISE="127.0.0.1:9")
    try:
        async def h(ch):
            async with ch.audiosocket(connect_timeout=0.5):
                pass
        out = await run(svc, double, Caller(), h)
        assert isinstance(out["exc"], ChannelError)
        assert "127.0.0.1:9" in str(out["exc"]) and "media.audiosocket_advertise" in str(out["exc"])
        assert svc.audiosocket._pending == {}
    finally:
        await svc.stop()


async def test_disabled_audiosocket_is_a_clear_error(tmp_path, double):
    svc = await _service(tmp_path, double, CALLCENTER_MEDIA__AUDIOSOCKET_ENABLED="false")
    try:
        async def h(ch):
            assert not ch.audiosocket_available
            async with ch.audiosocket():
                pass
        out = await run(svc, double, Caller(), h)
        assert "media.audiosocket_enabled" in str(out["exc"])
        assert svc.status()["audiosocket"] is None
    finally:
        await svc.stop()


# -- originated AudioSocket channels (web callers, browser agents): audiosocket-chan-originate*.txt ----------

async def test_web_caller_channel_runs_the_inbound_ivr_and_gets_page_keys(service, double):
    double.agi_port = service.agi.bound_port
    seen = {}
    keys_sent = asyncio.Event()

    async def ivr(ch: AgiChannel):
        seen["info"] = ch.info
        seen["session"] = await ch.get_variable("CC_WEB_SESSION")
        await ch.answer()
        await keys_sent.wait()          # the double hands queued keys to the next input command
        seen["digits"] = await ch.collect_digits([Prompt("file", "enter-account")], 3, 5.0)
    service.route("ivr", ivr, channel=True)
    leg = await service.control.originate_audiosocket(context="cc-inbound", exten="5000",
                                                      caller_id='"Web caller" <web-1>',
                                                      variables={"CC_WEB_SESSION": "s-42"}, call_id="web-call-1")
    assert leg.sample_rate == 16000 and leg.channel == f"AudioSocket/{service.audiosocket.advertise}-{leg.uuid}"
    [orig] = double.actions_named("Originate")
    assert orig.get("Channel") == f"AudioSocket/{service.audiosocket.advertise}/{leg.uuid}/c(slin16)"
    await double.wait_for(lambda: "info" in seen, 5)
    await service.control.play_dtmf(leg.channel, "12#", receive=True)      # keys from the web page
    keys_sent.set()
    ended = await leg.wait_ended(5)
    info = seen["info"]
    # Asterisk drops "-" from caller-id numbers (live test): the double too
    assert (info.did, info.caller, info.caller_name, info.channel) == ("5000", "web1", "Web caller", leg.channel)
    assert seen["session"] == "s-42" and seen["digits"].digits == "12"
    assert ended.by == "far"                                     # the IVR ended: the channel is hung up
    frames = [ev async for ev in leg.events()]
    assert frames == [] or all(len(f.pcm) == 640 for f in frames if isinstance(f, AudioFrame))
    assert service.audiosocket.legs == {}


async def test_browser_agent_leg_waits_in_cc_agent_wait_and_closing_hangs_it_up(service, double):
    leg = await service.control.originate_audiosocket(context="cc-agent-wait", exten="s",
                                                      caller_id='"Agent" <ann>', sample_rate=8000)
    ch = double.channel(leg.channel)
    assert ch.alive and ch.state == 6 and ch.context == "cc-agent-wait"
    assert ch.audiosocket.kind == 0x10 and ch.variables["AUDIOSOCKET_UUID"] == leg.uuid
    evs = []
    async for ev in leg.events():
        evs.append(ev)
        if len(evs) == 3:
            break
    assert all(len(e.pcm) == 320 for e in evs)
    await leg.close()                                            # 0x00 -> the channel is hung up (Cause 0)
    await double.wait_for(lambda: not ch.alive, 2)
    hup = [e for e in double.events("Hangup") if e.get("Channel") == leg.channel]
    assert hup and hup[-1]["Cause"] == "0"


async def test_channel_hung_up_by_asterisk_ends_the_leg(service, double):
    leg = await service.control.originate_audiosocket(context="cc-agent-wait", exten="s")
    await service.control.hangup(leg.channel)
    ended = await leg.wait_ended(2)
    assert ended.by == "far" and "EOF" in ended.reason


async def test_play_dtmf_out_of_an_audiosocket_channel_is_a_dtmf_frame(service, double):
    leg = await service.control.originate_audiosocket(context="cc-agent-wait", exten="s")
    await service.control.play_dtmf(leg.channel, "7")
    async for ev in leg.events():
        if isinstance(ev, DtmfDigit):
            assert ev.digit == "7"
            break
    await leg.close()


async def test_originate_audiosocket_needs_audiosocket_enabled(tmp_path, double):
    from callcenter.asterisk.control import ControlError
    svc = await _service(tmp_path, double, CALLCENTER_MEDIA__AUDIOSOCKET_ENABLED="false")
    try:
        with pytest.raises(ControlError, match="media.audiosocket_enabled"):
            await svc.control.originate_audiosocket(context="cc-inbound", exten="5000")
    finally:
        await svc.stop()


# -- `callcenter asterisk audiosocket` (the user's end-to-end check) ----------------------------------------

async def test_cli_check_against_the_double(tmp_path):
    async with AsteriskDouble(time_scale=1.0) as double:      # cc-agent-wait: Wait(30) lasts 30 s
        await _cli_check(tmp_path, double)


async def _cli_check(tmp_path, double):
    import json
    import sys
    from tests.asterisk.test_cli import _env
    args = ["asterisk", "audiosocket", "--context", "cc-agent-wait", "--exten", "s", "--seconds", "0.5", "--json"]
    p = await asyncio.create_subprocess_exec(sys.executable, "-m", "callcenter", *args,
                                             env=_env(tmp_path, CALLCENTER_AMI=double.ami_url),
                                             stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(p.communicate(), 60)
    assert p.returncode == 0, err.decode()
    r = json.loads(out)
    assert r["ok"] and r["channel"].startswith("AudioSocket/127.0.0.1:") and r["frames_in"] > 5
    assert r["frames_out"] >= 20 and r["ended"].startswith("us:")
    [orig] = double.actions_named("Originate")
    assert orig.get("Channel").endswith("/c(slin16)") and orig.get("Context") == "cc-agent-wait"
    await double.wait_for(lambda: [e for e in double.events("Hangup") if e.get("Channel") == r["channel"]], 2)
    [hup] = [e for e in double.events("Hangup") if e.get("Channel") == r["channel"]]
    assert hup["Cause"] == "0"                                # our 0x00 hung the channel up
    # Asterisk cannot reach the advertised address: a clear failure, exit 1
    p = await asyncio.create_subprocess_exec(sys.executable, "-m", "callcenter", *args[:-1], "--advertise",
                                             "127.0.0.1:9", "--timeout", "1",
                                             env=_env(tmp_path, CALLCENTER_AMI=double.ami_url),
                                             stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(p.communicate(), 60)
    assert p.returncode == 1 and "AudioSocket check FAILED" in out.decode() and "127.0.0.1:9" in out.decode()
