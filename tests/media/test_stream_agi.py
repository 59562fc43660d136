"""media.speech_mode: stream on an Asterisk call: AgiChannel.recognize listens over the AudioSocket
hand-off, and falls back to the record-then-decode path for a node the stream cannot serve."""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import numpy as np
import pytest

from callcenter.asterisk.agi_channel import AgiChannel
from callcenter.asterisk.agi_codec import AgiReply
from callcenter.ivr.channel import CallerHungUp, ChannelError, Prompt
from callcenter.media.playout import PromptAudio
from callcenter.media.streaming import StreamingSpeech
from callcenter.media.testing import FakeLeg
from callcenter.speech.api import Recognition

from .conftest import EN_MENU
from .test_stream_channel import ToneSynth


class FakeSession:
    """Enough of an AgiSession: every command succeeds; RECORD FILE ends on silence."""

    def __init__(self):
        self.env = {"agi_uniqueid": "1.1", "agi_channel": "PJSIP/x-1", "agi_network_script": "ivr"}
        self.call_id = self.uniqueid = "1.1"
        self.args, self.params, self.extra = [], {}, {}
        self.hung_up = False
        self.sent: list[str] = []

    async def command(self, verb, *args, timeout=None):
        self.sent.append(verb)
        if verb == "RECORD FILE":
            return AgiReply(200, "0", data="timeout", endpos=16000)
        return AgiReply(200, "0")


class FileRecognizer:
    """Wraps the real recognizer; records the file-path calls (the recording itself is not there)."""

    def __init__(self, real):
        self.real = real
        self.files = []

    def languages(self):
        return self.real.languages()

    def stream(self, language, sample_rate=8000, phrases=None):
        return self.real.stream(language, sample_rate, phrases)

    async def recognize_file(self, path, language, phrases=None):
        self.files.append(path)
        return Recognition("", 0.0)


class StreamingAgi(AgiChannel):
    """An AgiChannel whose AudioSocket hand-off yields a FakeLeg (or fails like the real one)."""

    def __init__(self, *a, leg=None, connect_error=None, caller_gone_after=False, **kw):
        super().__init__(*a, **kw)
        self.fake_leg, self.connect_error, self.caller_gone_after = leg, connect_error, caller_gone_after

    audiosocket_available = True

    @contextlib.asynccontextmanager
    async def audiosocket(self, sample_rate=8000, *, connect_timeout=None):
        if self.connect_error:
            raise ChannelError(self.connect_error)
        try:
            yield self.fake_leg
        finally:
            await self.fake_leg.close("block done")
        if self.caller_gone_after:
            raise CallerHungUp("caller hung up during AudioSocket")


def streaming(tmp_path, synth):
    return StreamingSpeech(prompt_audio=PromptAudio(synth, [tmp_path]))


async def test_stream_mode_listens_over_audiosocket(tmp_path, answers, sphinx):
    x, onset, _ = answers("opening hours", lead=1.0)
    leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes())
    synth = ToneSynth(tmp_path, seconds=3.0)
    rec = FileRecognizer(sphinx)
    ch = StreamingAgi(FakeSession(), synth, rec, streaming=streaming(tmp_path, synth), leg=leg)
    r = await ch.recognize([Prompt("text", "Say billing, sales or opening hours.")], EN_MENU, 5.0)
    assert r.matched == "opening hours"
    assert "RECORD FILE" not in ch.session.sent and "STREAM FILE" not in ch.session.sent and rec.files == []
    assert synth.texts == [("Say billing, sales or opening hours.", "en-US")]
    assert leg.stops and leg.stops[0] - leg.t0 - onset < 0.15        # the prompt was barged in
    assert ch.streaming.stats == {"streamed": 1, "file_path": 0}


async def test_a_node_without_barge_in(tmp_path, answers, sphinx):
    x, _, _ = answers("billing", lead=0.1)
    leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes() * 2)      # says it over the prompt, then after it
    synth = ToneSynth(tmp_path, seconds=len(x) / 8000)
    ch = StreamingAgi(FakeSession(), synth, sphinx, streaming=streaming(tmp_path, synth), leg=leg)
    r = await ch.recognize([Prompt("text", "Say billing.")], EN_MENU, 5.0, barge_in=False)
    assert r.matched == "billing" and leg.stops == []


@pytest.mark.parametrize("why", ["connect", "not-enabled", "missing-file", "socket-closed"])
async def test_falls_back_to_the_file_path_and_says_why(tmp_path, sphinx, caplog, why):
    synth = ToneSynth(tmp_path)
    rec = FileRecognizer(sphinx)
    prompts = [Prompt("text", "Say something.")]
    kw = {}
    if why == "connect":
        kw = {"connect_error": "Asterisk did not connect to the AudioSocket server at 10.0.0.1:9092"}
    elif why == "missing-file":
        prompts = [Prompt("file", "custom/menu-intro")]
        kw = {"leg": FakeLeg(b"")}
    elif why == "socket-closed":
        kw = {"leg": FakeLeg(b"", hangup_at=0.3)}
    cls = AgiChannel if why == "not-enabled" else StreamingAgi      # the real one, no AudioSocket server
    ch = cls(FakeSession(), synth, rec, streaming=streaming(tmp_path, synth), **kw)
    with caplog.at_level(logging.WARNING, logger="callcenter.media.streaming"):
        r = await ch.recognize(prompts, EN_MENU, 3.0)
    assert r == Recognition("", 0.0, audio_path=rec.files[0])
    assert "RECORD FILE" in ch.session.sent                               # the answer was recorded instead
    expected = {"connect": "AudioSocket failed: Asterisk did not connect", "not-enabled": "AudioSocket is not enabled (media.audiosocket_enabled)",
                "missing-file": "'custom/menu-intro' not found", "socket-closed": "closed before the answer"}[why]
    assert expected in caplog.text and "recording the answer instead" in caplog.text
    assert ch.streaming.stats["file_path"] == 1


async def test_caller_gone_during_the_stream(tmp_path, sphinx):
    synth = ToneSynth(tmp_path)
    ch = StreamingAgi(FakeSession(), synth, sphinx, streaming=streaming(tmp_path, synth),
                      leg=FakeLeg(b"", hangup_at=0.3), caller_gone_after=True)
    with pytest.raises(CallerHungUp):
        await ch.recognize([Prompt("text", "Say something.")], EN_MENU, 3.0)
    assert "RECORD FILE" not in ch.session.sent


def test_service_builds_streaming_only_in_stream_mode(tmp_path):
    from callcenter.asterisk.service import AsteriskService
    from callcenter.config import load_config
    for mode, expect in (("file", False), ("stream", True)):
        cfg = load_config(None, env={"CALLCENTER_MEDIA__SPEECH_MODE": mode, "CALLCENTER_DATA_DIR": str(tmp_path)})
        svc = AsteriskService(cfg)
        ch = svc.make_channel(FakeSession())
        assert (ch.streaming is not None) is expect
        if expect:
            assert ch.streaming.settings.endpoint.end_ms == cfg.media.speech_end_ms
            assert ch.streaming.audio.sound_dirs == [Path(cfg.prompts_dir)]


def test_warm_up_opens_one_stream_per_language(caplog):
    opened = []

    class Rec:
        def languages(self):
            return ["en-US", "ko-KR"]

        def stream(self, language, sample_rate=8000, phrases=None):
            if language == "ko-KR":
                raise RuntimeError("no streaming for ko")
            opened.append((language, sample_rate, phrases))
            return type("S", (), {"finish": lambda self: Recognition("", 0.0)})()

    with caplog.at_level(logging.WARNING, logger="callcenter.media.streaming"):
        assert StreamingSpeech().warm(Rec()) == ["en-US"]
    assert opened == [("en-US", 8000, None)] and "warm-up for ko-KR failed: no streaming for ko" in caplog.text
