"""AudioSocket against a real Asterisk 22 (marker asterisk_live; see conftest.py): a baresip caller's
audio reaches our leg, our paced prompt reaches the phone (its recording has it), DTMF arrives, the
hang-up shapes end the leg; an originated ``AudioSocket/.../c(slin16)`` channel runs the inbound
dialplan (our FastAGI) like a web caller; Asterisk that cannot connect gives a clear error.

The project's asterisk_conf is deployed as is (``harness.PrivateAsterisk``); ``cc-inbound`` runs
``AGI(agi://.../ivr)``, which these tests route to their own handlers."""
from __future__ import annotations

import asyncio
import math
import struct
from pathlib import Path

import pytest

from callcenter.asterisk.agi_channel import AgiChannel
from callcenter.asterisk.service import AsteriskService
from callcenter.clock import Clock
from callcenter.config import load_config
from callcenter.events import EventBus
from callcenter.ivr.channel import CallerHungUp, ChannelError, Prompt
from callcenter.media.leg import AudioFrame, DtmfDigit

from .harness import Baresip, PrivateAsterisk, free_port, tone_level, tone_wav
from .live import PREFIX

CALLER_TONE = 1000.0
PROMPT_TONE = 700.0


def goertzel_share(pcm: bytes, freq: float, rate: int) -> float:
    x = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    energy = sum(v * v for v in x) or 1
    k = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + k * s1 - s2, s1
    return min(1.0, 2 * (s1 * s1 + s2 * s2 - k * s1 * s2) / (len(x) * energy))


def tone_pcm(freq: float, seconds: float, rate: int = 8000, amp: float = 0.3) -> bytes:
    return b"".join(struct.pack("<h", int(amp * 32767 * math.sin(2 * math.pi * freq * i / rate)))
                    for i in range(int(rate * seconds)))


class Rig:
    """Private Asterisk + AsteriskService (FastAGI, AMI, AudioSocket) + one baresip caller."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.agi_port = free_port()
        self.ast = PrivateAsterisk(PREFIX, tmp / "ast", agi_port=self.agi_port,
                                    agents=[{"name": "ann", "full_name": "Ann", "extension": "7001"}], callers=["1000"])
        self.service: AsteriskService | None = None
        self.phone: Baresip | None = None

    async def start(self, **media) -> "Rig":
        self.ast.write_config(self.tmp / "sip_passwords.yaml")
        await asyncio.to_thread(self.ast.start)
        overrides = {"data_dir": str(self.tmp / "data"), "agi.host": "127.0.0.1", "agi.port": self.agi_port,
                     "ami.servers": [self.ast.ami_server()], "ami.reconnect_min_delay": 0.2,
                     "media.audiosocket_enabled": True, "media.audiosocket_bind": f"127.0.0.1:{free_port()}"}
        overrides.update({f"media.{k}": v for k, v in media.items()})
        self.service = AsteriskService(load_config(env={}, overrides=overrides), EventBus(), Clock())
        await self.service.start()
        assert await self.service.clients[0].wait_connected(15)
        return self

    async def caller(self) -> Baresip:
        mic = tone_wav(self.tmp / "tones" / "caller.wav", CALLER_TONE, 120)
        self.phone = Baresip(self.tmp, "1000", self.ast.sip_passwords["1000"], self.ast, mic=mic)
        self.phone.start()
        await self.phone.wait_registered()
        return self.phone

    def route(self, handler) -> asyncio.Future:
        done: asyncio.Future = asyncio.get_running_loop().create_future()

        async def h(ch: AgiChannel):
            try:
                r = await handler(ch)
                done.done() or done.set_result(r)
            except BaseException as exc:  # noqa: BLE001 - the test asserts on it
                done.done() or done.set_result(exc)
                raise
        self.service.route("ivr", h, channel=True)
        return done

    async def close(self) -> None:
        if self.phone is not None:
            await asyncio.to_thread(self.phone.stop)
        if self.service is not None:
            await self.service.stop()
        await asyncio.to_thread(self.ast.stop)


@pytest.fixture
async def rig(tmp_path):
    r = Rig(tmp_path)
    try:
        yield r
    finally:
        await r.close()


async def test_caller_audio_in_prompt_out_dtmf_and_the_ivr_goes_on(rig):
    await rig.start()
    phone = await rig.caller()

    async def h(ch: AgiChannel):
        await ch.answer()
        heard, digits = bytearray(), []
        async with ch.audiosocket() as leg:
            leg.play(tone_pcm(PROMPT_TONE, 2.0))                    # our prompt, paced by the leg
            leg.write_times = []
            async for ev in leg.events():
                if isinstance(ev, AudioFrame):
                    heard += ev.pcm
                    if len(heard) == 320 * 100:                     # 2 s of the caller: press keys
                        asyncio.get_running_loop().run_in_executor(None, phone.command, "sndcode", "12#")
                elif isinstance(ev, DtmfDigit):
                    digits.append(ev.digit)
                    if ev.digit == "#":
                        break
            gaps = [(b - a) * 1000 for a, b in zip(leg.write_times, leg.write_times[1:])]
        await ch.play([Prompt("file", "beep")])                     # EXEC returned 200 result=0: caller up
        return bytes(heard), digits, gaps
    done = rig.route(h)
    await phone.dial("5000")
    heard, digits, gaps = await asyncio.wait_for(done, 30)
    assert not isinstance(heard, BaseException), heard
    assert digits == ["1", "2", "#"]
    assert goertzel_share(heard[-320 * 50:], CALLER_TONE, 8000) > 0.5 or \
        goertzel_share(heard[320 * 25:320 * 75], CALLER_TONE, 8000) > 0.5, "the caller's tone did not reach the leg"
    gaps.sort()
    assert gaps[len(gaps) // 2] == pytest.approx(20.0, abs=2.0)
    await phone.hangup()
    await asyncio.sleep(1.5)                                           # baresip closes its recording
    rec = phone.recordings()[-1]
    assert tone_level(rec, PROMPT_TONE) > 0.5, f"the phone did not hear our prompt ({rec})"


async def test_caller_hangs_up_during_audiosocket(rig):
    await rig.start()
    phone = await rig.caller()
    ended = {}

    async def h(ch: AgiChannel):
        async with ch.audiosocket() as leg:
            await asyncio.get_running_loop().run_in_executor(None, phone.command, "hangup")
            ended["leg"] = await leg.wait_ended(10)
    done = rig.route(h)
    await phone.dial("5000")
    exc = await asyncio.wait_for(done, 30)
    assert isinstance(exc, CallerHungUp), exc
    assert ended["leg"].by == "far"
    assert rig.service.audiosocket.legs == {}


async def test_web_caller_channel_originated_into_the_inbound_dialplan(rig):
    await rig.start()
    seen = {}

    async def h(ch: AgiChannel):
        seen["caller"], seen["did"], seen["channel"] = ch.info.caller, ch.info.did, ch.info.channel
        seen["var"] = await ch.get_variable("CC_WEB_SESSION")
        await ch.answer()
        await ch.play([Prompt("file", "beep")])
        return True
    done = rig.route(h)
    leg = await rig.service.control.originate_audiosocket(
        context="cc-inbound", exten="5000", caller_id='"Web caller" <web-1>',
        variables={"CC_WEB_SESSION": "s-42"}, sample_rate=16000)
    assert leg.channel.startswith("AudioSocket/") and leg.uuid in leg.channel
    leg.play(tone_pcm(CALLER_TONE, 1.0, 16000))
    frames = []
    async for ev in leg.events():                  # the IVR's beep, as slin16
        frames.append(ev)
        if len(frames) >= 50:
            break
    assert await asyncio.wait_for(done, 20) is True
    # Asterisk shrinks a caller-id number: "web-1" arrives as "web1" (ast_shrink_phone_number drops ( ) - . and
    # spaces); the double does the same
    assert seen["did"] == "5000" and seen["caller"] == "web1" and seen["var"] == "s-42"
    assert seen["channel"] == leg.channel
    assert all(len(f.pcm) == 640 for f in frames if isinstance(f, AudioFrame))
    ended = await leg.wait_ended(10)               # the dialplan hung the channel up: EOF
    assert ended.by == "far"


async def test_asterisk_that_cannot_connect_gives_a_clear_error(rig):
    await rig.start(audiosocket_advertise="127.0.0.1:9", audiosocket_connect_timeout=4.0)
    phone = await rig.caller()

    async def h(ch: AgiChannel):
        await ch.answer()
        try:
            async with ch.audiosocket():
                pass
        except ChannelError as exc:
            await ch.play([Prompt("file", "beep")])          # the caller is still there
            return exc
    done = rig.route(h)
    await phone.dial("5000")
    exc = await asyncio.wait_for(done, 30)
    assert isinstance(exc, ChannelError) and "127.0.0.1:9" in str(exc), exc


EDGES = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk" / "live-audiosocket-agi-edges.txt"


async def test_agi_edges_as_the_fixture_says(rig):
    """What the captures did not show: EXEC AudioSocket on a channel that is not answered, and towards
    an address where nothing listens. ``CALLCENTER_CAPTURE=1`` rewrites the fixture from this run;
    otherwise the real Asterisk's replies must be the fixture's (which the double replays)."""
    import os
    import time
    import uuid as _uuid
    await rig.start()
    phone = await rig.caller()
    lines: list[str] = []
    t0 = time.monotonic()

    def note(direction: str, text: str) -> None:
        lines.append(f"{time.monotonic() - t0:09.3f} {direction} {text}")
    addr = rig.service.audiosocket.advertise
    steps = [("--- step 1: EXEC AudioSocket before ANSWER", ("EXEC", "AudioSocket", f"{_uuid.uuid4()},{addr}")),
             (None, ("CHANNEL STATUS",)), (None, ("ANSWER",)),
             ("--- step 2: EXEC AudioSocket towards 127.0.0.1:9 (nothing listens there)",
              ("EXEC", "AudioSocket", f"{_uuid.uuid4()},127.0.0.1:9")),
             (None, ("CHANNEL STATUS",)), (None, ("STREAM FILE", "beep", ""))]

    async def h(ch: AgiChannel):
        replies = []
        for title, cmd in steps:
            if title:
                note("---", title[4:])
            note("agi:S>A", " ".join(str(a) if a else '""' for a in cmd) + "\\n")
            r = await ch.session.command(*cmd, timeout=10)
            note("agi:A>S", r.lines[-1] + "\\n")
            replies.append(r.lines[-1])
        return replies
    done = rig.route(h)
    await phone.dial("5000")
    replies = await asyncio.wait_for(done, 30)
    assert not isinstance(replies, BaseException), replies
    assert replies[0] == "200 result=-1" and replies[1] == "200 result=4"     # refused; still ringing (4)
    assert replies[3] == "200 result=-1" and replies[4] == "200 result=6"     # connect failed, still up
    log = [ln for ln in rig.ast.log_text().splitlines() if "audiosocket" in ln.lower()]
    if os.environ.get("CALLCENTER_CAPTURE"):
        header = ["Real Asterisk 22.10.1 (private instance of tests/live, the project's asterisk_conf), baresip 1.0.0",
                  "caller 1000 dials 5000 -> cc-inbound -> AGI(agi://.../ivr). Our FastAGI handler's commands and",
                  "the replies (format of audiosocket-agi-exec.txt), then Asterisk's messages.log lines that name",
                  "AudioSocket (timestamps there are wall clock):"]
        EDGES.write_text("".join(f"# {h}\n" for h in header) + "\n".join(lines) + "\n"
                         + "".join(f"--- log: {ln.split('] ', 1)[-1]}\n" for ln in log))
    want = [ln.split(" ", 2)[2] for ln in EDGES.read_text().splitlines() if " agi:A>S " in ln]
    assert [r + "\\n" for r in replies] == want


AGENT_TONE = 550.0


async def test_browser_agent_leg_bridged_to_a_phone_caller(rig):
    """A browser agent's leg: an AudioSocket channel originated into cc-agent-wait and bridged to the
    caller from the caller's FastAGI session (EXEC Bridge), like an answered agent phone; audio both
    ways; the agent (our leg) hangs up: the bridge ends and the caller is still in the AGI session."""
    await rig.start()
    phone = await rig.caller()
    got = {}

    async def h(ch: AgiChannel):
        await ch.answer()
        leg = await rig.service.control.originate_audiosocket(
            context="cc-agent-wait", exten="s", caller_id='"Browser agent" <7001>',
            variables={"CC_CALLER_CHANNEL": ch.info.channel}, sample_rate=16000)
        heard = bytearray()

        async def agent():
            leg.play(tone_pcm(AGENT_TONE, 3.0, 16000))
            async for ev in leg.events():
                if isinstance(ev, AudioFrame):
                    heard.extend(ev.pcm)
                    if len(heard) >= 640 * 150:            # 3 s of the caller through the bridge
                        break
            await leg.close()                              # the agent hangs up in the page
        task = asyncio.ensure_future(agent())
        result = await ch.bridge(leg.channel)              # returns when the bridge ends
        await task
        got["heard"], got["result"], got["leg"] = bytes(heard), result, leg.ended
        await ch.play([Prompt("file", "beep")])            # the caller is still there
        return True
    done = rig.route(h)
    await phone.dial("5000")
    assert await asyncio.wait_for(done, 40) is True
    assert got["result"] == 0 and got["leg"].by == "us"
    assert goertzel_share(got["heard"][-640 * 50:], CALLER_TONE, 16000) > 0.5, "the agent leg did not hear the caller"
    await phone.hangup()
    await asyncio.sleep(1.5)
    assert tone_level(phone.recordings()[-1], AGENT_TONE) > 0.5, "the caller did not hear the browser agent"


async def test_silent_caller_stays_connected_thanks_to_our_silence_frames(rig):
    """A SIPp caller that sends no RTP (keys as SIP INFO): Asterisk sends no audio frames at all and would
    drop the call after 2 s without activity (audiosocket-app-silent-caller.txt); our writer's silence keeps
    it up for as long as the engine listens, and the INFO key arrives as a 0x03 frame."""
    from .sipp import run_sipp
    await rig.start()
    got = {}

    async def h(ch: AgiChannel):
        await ch.answer()
        async with ch.audiosocket() as leg:
            t0 = asyncio.get_running_loop().time()
            audio, digits = 0, []

            async def listen():
                nonlocal audio
                async for ev in leg.events():
                    if isinstance(ev, AudioFrame):
                        audio += 1
                    else:
                        digits.append(ev.digit)
            task = asyncio.ensure_future(listen())
            await asyncio.sleep(4.5)                        # > 2 s of silence from the caller
            got["alive"], got["audio"], got["digits"] = leg.ended is None, audio, digits
            got["sent"] = leg.frames_out
            got["elapsed"] = asyncio.get_running_loop().time() - t0
            task.cancel()
        await ch.play([Prompt("file", "beep")])            # EXEC AudioSocket returned 200 result=0
        return True
    done = rig.route(h)
    sipp = asyncio.ensure_future(run_sipp(rig, "5000", digits="5", talk=5.0, first_pause=1.5, timeout=60))
    assert await asyncio.wait_for(done, 40) is True
    await sipp
    assert got["alive"] and got["digits"] == ["5"]
    assert got["audio"] == 0                               # no RTP from the caller: no frames at all
    assert got["sent"] >= 0.9 * got["elapsed"] / 0.02     # our 20 ms silence kept it up


async def test_cli_check_hears_the_ivr(rig):
    """`callcenter asterisk audiosocket` (its check() in-process): an AudioSocket channel into cc-inbound
    5000 reaches our FastAGI handler, whose beep comes back as audio."""
    from callcenter.commands.asterisk_audiosocket import check
    await rig.start()

    async def h(ch: AgiChannel):
        await ch.answer()
        await ch.play([Prompt("file", "beep"), Prompt("file", "beep")])
        return True
    done = rig.route(h)
    r = await check(rig.service.config, context="cc-inbound", exten="5000", seconds=3.0, listen="127.0.0.1:0",
                    advertise=None, rate=16000, tone=440.0, server=None, timeout=5.0)
    assert await asyncio.wait_for(done, 10) is True
    assert r["ok"] and r["frames_in"] > 20 and max(r["rms_per_second"]) > 500, r


async def test_our_hangup_frame_on_a_waiting_agent_leg_as_the_double_says(rig):
    """An AudioSocket channel waiting in cc-agent-wait (Wait(), no bridge, no AGI) that we end with 0x00:
    SoftHangupRequest (Cause 16), then Hangup with Cause 0; a bridged leg ends with a Hangup (Cause 16) and
    no request (live-webrtc-browser-agent-agent-hangs-up.txt). ``CALLCENTER_LIVE_CAPTURE_DIR`` keeps the
    transcript (live-audiosocket-agent-wait-hangup-frame.txt, replayed by the double's tests)."""
    from .capture import AmiCapture
    await rig.start()
    cap = await AmiCapture("127.0.0.1", rig.ast.ami_port, "callcenter", rig.ast.secret).start()
    try:
        leg = await rig.service.control.originate_audiosocket(context="cc-agent-wait", exten="s",
                                                              caller_id='"Agent" <ann>', sample_rate=8000)
        n = 0
        async for _ev in leg.events():
            n += 1
            if n == 3:
                break
        await leg.close()
        loop = asyncio.get_running_loop()
        end = loop.time() + 10
        while loop.time() < end and not any(e.get("Event") == "Hangup" and e.get("Channel") == leg.channel
                                            for e in cap.events()):
            await asyncio.sleep(0.05)
    finally:
        await cap.stop()
    hup = [(e["Event"], e.get("Cause")) for e in cap.events()
           if e.get("Event") in ("HangupRequest", "SoftHangupRequest", "Hangup") and e.get("Channel") == leg.channel]
    assert hup == [("SoftHangupRequest", "16"), ("Hangup", "0")], hup
    import os
    out = os.environ.get("CALLCENTER_LIVE_CAPTURE_DIR")
    if out:
        cap.save(Path(out) / "live-audiosocket-agent-wait-hangup-frame.txt", [
            "Real Asterisk 22.10.1 (private instance of tests/live), AMI user callcenter (read = system,call), the",
            "project's asterisk_conf/: AudioSocket/<us>/<uuid>/c(slin) originated into cc-agent-wait (Wait(), no",
            "bridge, no AGI), 3 frames read, then our 0x00.",
            f"hang-up events of the agent leg: {hup}"])
