"""MediaChannel: the whole IVR Channel interface over a MediaLeg (prompts, keys, recording, variables,
callbacks), and a flow run on it end to end."""
from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from callcenter.ivr.channel import CallInfo, ChannelError, Prompt
from callcenter.media.channel import MediaChannel
from callcenter.media.playout import PromptAudio, PromptFileMissing, tone
from callcenter.media.testing import FakeLeg
from callcenter.speech.api import SynthesizedPrompt
from callcenter.speech.audio import wav_bytes


class ToneSynth:
    """A synthesizer double: every text is a tone in a WAV file (records what it was asked)."""

    def __init__(self, folder: Path, seconds: float = 0.5):
        self.folder = folder
        self.seconds = seconds
        self.texts: list[tuple[str, str]] = []

    async def synthesize(self, text, language, voice=None):
        self.texts.append((text, language))
        p = self.folder / f"t{len(self.texts)}.wav"
        p.write_bytes(wav_bytes(np.frombuffer(tone(500.0, self.seconds, 8000), dtype="<i2"), 8000))
        return SynthesizedPrompt(p, str(p.with_suffix("")), self.seconds, False)


@pytest.fixture
def synth(tmp_path):
    return ToneSynth(tmp_path)


async def test_play_text_digits_number_silence_and_files(tmp_path, synth):
    sounds = tmp_path / "sounds"
    (sounds / "en-US").mkdir(parents=True)
    (sounds / "en-US" / "welcome.wav").write_bytes(wav_bytes(np.zeros(16000, dtype=np.int16) + 500, 16000))
    leg = FakeLeg(b"")
    ch = MediaChannel(leg, synthesizer=synth, sound_dirs=[sounds])
    await ch.answer()
    assert await ch.play([Prompt("text", "Hello"), Prompt("digits", "12a3"), Prompt("number", "42"),
                          Prompt("silence", "0.2"), Prompt("file", "welcome")]) is None
    assert synth.texts == [("Hello", "en-US"), ("1 2 3", "en-US"), ("42", "en-US")]
    # 3 x 0.5 s of synthesized audio + 0.2 s of silence + 1 s of the file (16 kHz read at the leg's 8 kHz)
    assert abs(len(leg.played_audio()) / 16000 - 2.7) < 0.03
    with pytest.raises(PromptFileMissing, match="'nope'.*sounds"):
        await ch.play([Prompt("file", "nope")])
    await ch.close()


async def test_digits_without_a_synthesizer_use_asterisk_digit_sounds(tmp_path):
    sounds = tmp_path / "sounds"
    (sounds / "en" / "digits").mkdir(parents=True)
    for d in "0123456789":
        (sounds / "en" / "digits" / f"{d}.wav").write_bytes(wav_bytes(np.zeros(800, dtype=np.int16) + 100, 8000))
    audio = PromptAudio(None, asterisk_sounds=[sounds])
    assert len(await audio.render([Prompt("digits", "4-0-7")], 8000)) == 3 * 800 * 2
    with pytest.raises(PromptFileMissing, match="number prompt '42' needs the prompt synthesizer"):
        await audio.render([Prompt("number", "42")], 8000)
    with pytest.raises(PromptFileMissing, match="'digits/5' not found"):
        await PromptAudio(None, asterisk_sounds=[tmp_path / "none"]).render([Prompt("digits", "5")], 8000)


async def test_a_key_stops_a_prompt(synth):
    leg = FakeLeg(b"", dtmf=[(0.2, "7")])
    ch = MediaChannel(leg, synthesizer=synth)
    assert await ch.play([Prompt("text", "one"), Prompt("text", "two")], "789") == "7"
    assert len(leg.stops) == 1 and len(leg.played_audio()) < 0.3 * 16000
    await ch.close()


async def test_collect_digits_and_wait_digit():
    leg = FakeLeg(b"", dtmf=[(0.1, "1"), (0.5, "2"), (0.9, "#"), (1.2, "5")])
    ch = MediaChannel(leg)
    r = await ch.collect_digits([], 6, 5.0)
    assert (r.digits, r.timed_out) == ("12", False)
    assert await ch.wait_digit(1.0) == "5"
    assert await ch.wait_digit(0.5) is None
    r = await ch.collect_digits([], 3, 1.0)
    assert (r.digits, r.timed_out) == ("", True)
    await ch.close()


async def test_record_writes_a_wav_that_ends_on_silence(tmp_path, answers):
    x, onset, end = answers("please call me back tomorrow", lead=0.5)
    leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes())
    ch = MediaChannel(leg, record_dir=tmp_path / "rec")
    r = await ch.record("voicemail/box1/call-1", 30.0, silence_seconds=1.0, beep=True)
    assert r.ended_by == "silence" and Path(r.path) == tmp_path / "rec" / "voicemail/box1/call-1.wav"
    with wave.open(r.path) as w:
        assert w.getframerate() == 8000 and abs(w.getnframes() / 8000 - r.duration) < 0.03
    assert end + 0.9 < r.duration + 0.25 < end + 1.5        # (the beep was played before)
    leg2 = FakeLeg(b"", dtmf=[(0.4, "#")])
    ch2 = MediaChannel(leg2, record_dir=tmp_path / "rec")
    r2 = await ch2.record("../../escape", 10.0, beep=False)
    assert r2.ended_by == "dtmf" and r2.digit == "#" and Path(r2.path).parent == tmp_path / "rec"
    await ch.close()
    await ch2.close()


def test_options_from_config(tmp_path):
    from callcenter.config import load_config
    cfg = load_config(None, env={"CALLCENTER_DATA_DIR": str(tmp_path), "CALLCENTER_MEDIA__BARGE_IN": "false",
                                 "CALLCENTER_MEDIA__SPEECH_END_MS": "700", "CALLCENTER_MEDIA__VAD_GATE_DB": "18"})
    ch = MediaChannel(FakeLeg(b""), **MediaChannel.options_from_config(cfg))
    assert ch.barge_in is False and ch.settings.endpoint.end_ms == 700 and ch.settings.vad.gate_db == 18.0
    assert ch.audio.sound_dirs == [Path(cfg.prompts_dir)] and ch.record_dir == Path(cfg.recordings_dir)


async def test_variables_and_callbacks():
    done = []

    async def on_transfer(dest):
        done.append(("transfer", dest))

    async def on_exec(app, args):
        done.append((app, args))
        return 0

    leg = FakeLeg(b"")
    ch = MediaChannel(leg, CallInfo("c1", caller="+1555"), on_transfer=on_transfer, on_exec=on_exec)
    await ch.set_variable("x", 5)
    assert await ch.get_variable("x") == "5" and await ch.get_variable("nope") is None
    await ch.transfer("2000")
    assert await ch.exec_app("Playback", "beep") == 0
    assert done == [("transfer", "2000"), ("Playback", "beep")]
    assert not ch.speech_available
    assert await ch.recognize([], ["yes"]) is None            # no recognizer: the IVR goes DTMF-only
    bare = MediaChannel(FakeLeg(b""))
    with pytest.raises(ChannelError, match="Dial.*media channel"):
        await bare.exec_app("Dial", "PJSIP/100")
    with pytest.raises(ChannelError, match="transfer to '2000'"):
        await bare.transfer("2000")
    await bare.hangup()
    assert bare.leg.ended.by == "us"
    await ch.close()


async def test_a_flow_runs_on_a_media_channel(tmp_path, synth, answers, sphinx):
    from callcenter.ivr.loader import load_flow_text
    from callcenter.ivr.runner import run_flow
    flow, problems = load_flow_text("""
flow: media_menu
language: en-US
start: menu
nodes:
  menu:
    type: menu
    prompt: "For billing say billing. For sales say sales."
    timeout: 4
    options:
      - {digit: "1", key: billing, say: [billing], next: billing_q}
      - {digit: "2", key: sales, say: [sales], next: sales_q}
  billing_q: {type: queue, queue: billing}
  sales_q: {type: queue, queue: sales}
""")
    assert flow is not None, problems
    x, _, _ = answers("billing", lead=0.2)
    leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes())
    ch = MediaChannel(leg, CallInfo("call-9"), synthesizer=synth, recognizer=sphinx)
    from callcenter.clock import FakeClock
    outcome = await run_flow(flow, ch, clock=FakeClock(), call_data=ch.info)
    assert outcome.kind == "queue" and outcome.queue.queue == "billing", outcome
    assert leg.stops                                          # the caller talked over the prompt
    await ch.close()
