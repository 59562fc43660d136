"""AgiChannel (the IVR's channel over FastAGI) against the Asterisk double."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.asterisk_double import Caller, Hangup, HangupDuring, Pause, Press, Say, Silence, write_silence_wav
from callcenter.asterisk.agi_channel import AgiChannel
from callcenter.asterisk.agi_codec import AgiReply
from callcenter.ivr.channel import CallerHungUp, ChannelError, Prompt
from callcenter.speech.api import Recognition
from callcenter.speech.api import Recognizer, SpeechUnavailable, SynthesizedPrompt, Synthesizer


class FakeSynth(Synthesizer):
    def __init__(self):
        self.texts = []

    async def synthesize(self, text, language, voice=None):
        self.texts.append((text, language))
        return SynthesizedPrompt(Path(f"/cache/{len(self.texts)}.wav"), f"/cache/{len(self.texts)}", 1.0, False)


class FakeRecognizer(Recognizer):
    def __init__(self, text="billing", unavailable=False):
        self.text = text
        self.unavailable = unavailable
        self.files = []

    def languages(self):
        return ["en-US"]

    async def recognize_file(self, path, language, phrases=None):
        if self.unavailable:
            raise SpeechUnavailable(f"no model for {language}")
        assert Path(path).exists(), path
        self.files.append((str(path), language, phrases))
        return Recognition(self.text, 0.9, matched=self.text if phrases and self.text in phrases else None)

    def stream(self, language, sample_rate=8000, phrases=None):
        raise NotImplementedError


async def run(service, double, caller: Caller, handler, timeout=10):
    out = {}

    async def h(ch: AgiChannel):
        try:
            out["result"] = await handler(ch)
        except Exception as exc:  # noqa: BLE001 - the test asserts on it
            out["exc"] = exc
            raise
    service.route(caller.path, h, channel=True)
    await double.call(caller, service.agi.bound_port, timeout=timeout)
    return out


async def test_info_from_environment(service, double):
    async def h(ch):
        return ch.info
    out = await run(service, double, Caller(caller_id="5550100", caller_name="Ann", did="8001"), h)
    info = out["result"]
    assert (info.caller, info.caller_name, info.did, info.language) == ("5550100", "Ann", "8001", "en-US")
    assert info.call_id == double.calls[-1].c.channel.uniqueid and info.channel.startswith("PJSIP/caller-")


async def test_collect_digits_with_get_data_and_terminator(service, double):
    async def h(ch):
        await ch.answer()
        a = await ch.collect_digits([Prompt("file", "enter-account")], 6, 3.0)
        b = await ch.collect_digits([Prompt("file", "enter-pin")], 4, 3.0)
        c = await ch.collect_digits([Prompt("file", "x")], 4, 3.0)
        return a, b, c
    caller = Caller(script=[Press("123#"), Press("9876"), Silence()])
    out = await run(service, double, caller, h)
    a, b, c = out["result"]
    assert (a.digits, a.timed_out) == ("123", False)
    assert (b.digits, b.timed_out) == ("9876", False)
    assert (c.digits, c.timed_out) == ("", True)
    assert "GET DATA enter-account 3000 6" in caller.commands


async def test_text_prompts_are_synthesized_and_barge_in(service, double):
    synth = FakeSynth()
    service.synthesizer = synth

    async def h(ch):
        d = await ch.play([Prompt("text", "Welcome", "en-US"), Prompt("file", "menu")], "12")
        digits = await ch.collect_digits([Prompt("text", "Your account?")], 3, 2.0, inter_digit_timeout=1.0)
        return d, digits
    caller = Caller(script=[Press("2"), Press("45#")])
    out = await run(service, double, caller, h)
    d, digits = out["result"]
    assert d == "2" and caller.commands[0] == 'STREAM FILE /cache/1 12'      # barge-in on the first prompt
    assert digits.digits == "45" and synth.texts == [("Welcome", "en-US"), ("Your account?", "en-US")]
    assert "WAIT FOR DIGIT 1000" in caller.commands


async def test_record_with_silence_detection_copies_the_callers_audio(service, double, tmp_path):
    wav = tmp_path / "say.wav"
    write_silence_wav(wav, 1.5)

    async def h(ch):
        return await ch.record("msg-1", max_seconds=10, silence_seconds=2)
    caller = Caller(script=[Say(wav)])
    out = await run(service, double, caller, h)
    r = out["result"]
    assert r.ended_by == "silence" and abs(r.duration - 1.5) < 0.01
    assert Path(r.path).read_bytes() == wav.read_bytes()
    rec_dir = service.config.get("recordings.dir")
    assert caller.commands[0] == f'RECORD FILE {rec_dir}/msg-1 wav "#" 10000 BEEP s=2'


async def test_recognize_records_then_recognizes(service, double, tmp_path):
    wav = tmp_path / "billing.wav"
    write_silence_wav(wav, 1.0)
    rec = FakeRecognizer("billing")
    service.recognizer = rec

    async def h(ch):
        assert ch.speech_available
        first = await ch.recognize([Prompt("file", "how-can-i-help")], ["billing", "support"])
        second = await ch.recognize([Prompt("file", "again")], None)
        return first, second
    caller = Caller(script=[Say(wav), Press("3")])
    out = await run(service, double, caller, h)
    first, second = out["result"]
    assert first.text == "billing" and first.matched == "billing" and first.audio_path
    assert rec.files[0][1:] == ("en-US", ["billing", "support"])
    assert second == Recognition(text="", confidence=1.0, digits="3")


async def test_recognize_without_speech_returns_none(service, double, tmp_path):
    async def h(ch):
        none1 = await ch.recognize([Prompt("file", "q")], ["yes"])
        service_rec = FakeRecognizer(unavailable=True)
        ch.recognizer = service_rec
        none2 = await ch.recognize([Prompt("file", "q")], ["yes"])
        return none1, none2
    write_silence_wav(tmp_path / "nope.wav", 0.5)
    out = await run(service, double, Caller(script=[Say(tmp_path / "nope.wav")]), h)
    assert out["result"] == (None, None)


@pytest.mark.parametrize("verb,call", [
    ("STREAM FILE", lambda ch: ch.play([Prompt("file", "long-prompt")], "")),
    ("GET DATA", lambda ch: ch.collect_digits([Prompt("file", "enter")], 4, 3.0)),
    ("RECORD FILE", lambda ch: ch.record("r1", 10)),
    ("WAIT FOR DIGIT", lambda ch: ch.wait_digit(3.0)),
])
async def test_caller_hangs_up_mid_command(service, double, verb, call):
    caller = Caller(script=[HangupDuring(verb)])

    async def h(ch):
        await ch.answer()
        await call(ch)
    out = await run(service, double, caller, h)
    assert isinstance(out.get("exc"), CallerHungUp)
    assert caller.hung_up and not any("CC_AGI_STATUS" in c for c in caller.commands)
    # the engine stopped sending commands once it knew
    assert caller.verbs()[-1] in (verb, "CHANNEL STATUS")


async def test_hangup_while_engine_idle_is_noticed_at_once(service, double):
    async def h(ch):
        await ch.answer()
        await ch.start_music()
        t0 = asyncio.get_running_loop().time()
        gone = await ch.wait_hangup(10)
        return gone, asyncio.get_running_loop().time() - t0
    caller = Caller(hangup_after=0.2)
    out = await run(service, double, caller, h)
    gone, waited = out["result"]
    assert gone and waited < 2 and "SET MUSIC on default" in caller.commands


async def test_hangup_after_n_seconds_during_a_long_prompt(service, double):
    caller = Caller(hangup_after=0.1, play_seconds=100)   # time_scale 0.01: 1 s prompt

    async def h(ch):
        await ch.answer()
        while True:
            await ch.play([Prompt("file", "long")])
    out = await run(service, double, caller, h)
    assert isinstance(out.get("exc"), CallerHungUp)


async def test_missing_sound_file_does_not_end_the_call():
    class FakeSession:
        env = {"agi_uniqueid": "1.1", "agi_channel": "PJSIP/x-1", "agi_network_script": "ivr"}
        call_id = "1.1"
        uniqueid = "1.1"
        args: list = []
        params: dict = {}
        hung_up = False
        extra: dict = {}
        sent: list = []

        async def command(self, verb, *args, timeout=None):
            self.sent.append(verb)
            if verb == "STREAM FILE":
                return AgiReply(200, "-1", endpos=0)
            return AgiReply(200, "6")
    s = FakeSession()
    ch = AgiChannel(s)
    assert await ch.play([Prompt("file", "no-such-file"), Prompt("file", "other")], "1") is None
    assert s.sent == ["STREAM FILE", "CHANNEL STATUS", "STREAM FILE", "CHANNEL STATUS"]


async def test_variables_exec_and_transfer(service, double):
    async def h(ch):
        await ch.set_variable("CC_QUEUE", "support")
        v = await ch.get_variable("CC_QUEUE")
        missing = await ch.get_variable("NOPE")
        full = await ch.get_variable("${CALLERID(num)}")
        with pytest.raises(ChannelError, match="does not exist"):
            await ch.exec_app("NoSuchApp", "x")
        rc = await ch.exec_app("Playback", "hello-world")
        await ch.transfer("2005")
        return v, missing, full, rc
    caller = Caller(caller_id="5557777")
    out = await run(service, double, caller, h)
    assert out["result"] == ("support", None, "5557777", 0)
    assert caller.variables["CC_TRANSFER_CONTEXT"] == "cc-transfer"
    assert caller.variables["CC_TRANSFER_EXTEN"] == "2005" and caller.variables["CC_AGI_STATUS"] == "transfer"
    assert caller.closed_by_engine


async def test_handler_error_leaves_fallback_status(service, double):
    async def h(ch):
        await ch.answer()
        raise RuntimeError("engine bug")
    caller = Caller()
    await run(service, double, caller, h)
    assert caller.variables["CC_AGI_STATUS"] == "error"


async def test_pause_then_digits(service, double):
    async def h(ch):
        return await ch.wait_digit(5)
    caller = Caller(script=[Pause(0.5), Press("7")])
    out = await run(service, double, caller, h)
    assert out["result"] == "7"


async def test_explicit_hangup(service, double):
    async def h(ch):
        await ch.answer()
        await ch.hangup()
        with pytest.raises(CallerHungUp):
            await ch.play([Prompt("file", "x")])
    caller = Caller(script=[Hangup()])
    await run(service, double, caller, h)
    assert caller.hung_up and "HANGUP" in caller.verbs()


class RecordingElsewhere(Recognizer):
    """A real file reader (the speech layer's) on a recording the engine cannot see: Asterisk wrote
    it into a directory the engine does not read (recordings.agi_record_dir not set right)."""

    def languages(self):
        return ["en-US"]

    async def recognize_file(self, path, language, phrases=None):
        from callcenter.speech.audio import load_for_model
        Path(path).unlink()                  # as if it were written somewhere else
        load_for_model(path)
        raise AssertionError("unreachable")

    def stream(self, language, sample_rate=8000, phrases=None):
        raise NotImplementedError


async def test_recording_not_found_by_the_engine_logs_the_record_dir_hint(service, double, tmp_path, caplog):
    import logging
    caplog.set_level(logging.ERROR)
    wav = tmp_path / "a.wav"
    write_silence_wav(wav, 0.5)
    service.recognizer = RecordingElsewhere()

    async def h(ch):
        return await ch.recognize([Prompt("file", "q")], ["yes"])
    out = await run(service, double, Caller(script=[Say(wav)]), h)
    r = out["result"]
    assert r.text == "" and r.confidence == 0.0 and r.matched is None
    assert "recordings.agi_record_dir" in caplog.text and "not found by the engine" in caplog.text


async def test_recognition_fields_survive_the_channel(service, double, tmp_path):
    wav = tmp_path / "b.wav"
    write_silence_wav(wav, 0.5)

    class NoMatch(FakeRecognizer):
        async def recognize_file(self, path, language, phrases=None):
            return Recognition("the weather", 0.2, (("yes", 0.2),), no_match=True)
    service.recognizer = NoMatch()

    async def h(ch):
        return await ch.recognize([Prompt("file", "q")], ["yes"])
    r = (await run(service, double, Caller(script=[Say(wav)]), h))["result"]
    assert r.no_match and r.alternatives == (("yes", 0.2),) and r.audio_path
