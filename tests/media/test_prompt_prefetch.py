"""The next prompt ready when the answer comes: the PCM prompt cache of ``PromptAudio`` and the prefetch
the IVR runner asks for while the caller listens (``Interpreter.upcoming_prompts``). Behaviour only:
what is synthesized, how often, and which audio is played; nothing here depends on timing."""
from __future__ import annotations

import asyncio
import zlib
from pathlib import Path

import numpy as np

from callcenter.clock import FakeClock
from callcenter.ivr.channel import CallInfo, Prompt
from callcenter.ivr.loader import load_flow_text
from callcenter.ivr.runner import run_flow
from callcenter.media.channel import MediaChannel
from callcenter.media.playout import PromptAudio, tone
from callcenter.media.testing import FakeLeg, InlineExecutor
from callcenter.speech.api import Recognition, RecognitionStream, SynthesizedPrompt
from callcenter.speech.audio import wav_bytes


def freq_of(text: str, language: str, voice) -> float:
    return 300.0 + zlib.crc32(f"{text}|{language}|{voice}".encode()) % 60 * 20


class VoiceSynth:
    """A synthesizer double: each (text, language, voice) is its own tone, so the audio played tells
    which prompt it was; counts what it was asked. ``gate``: renders wait for it (an asyncio.Event)."""

    def __init__(self, folder: Path, seconds: float = 0.3, gate: asyncio.Event | None = None):
        self.folder, self.seconds, self.gate = folder, seconds, gate
        self.asked: list[tuple[str, str, str | None]] = []
        self.running = self.most_at_once = 0

    @staticmethod
    def pcm(text: str, language: str = "en-US", voice=None, seconds: float = 0.3) -> bytes:
        return tone(freq_of(text, language, voice), seconds, 8000)

    async def synthesize(self, text, language, voice=None):
        self.asked.append((text, language, voice))
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            if self.gate is not None:
                await self.gate.wait()
            p = self.folder / f"p{len(self.asked)}.wav"
            p.write_bytes(wav_bytes(np.frombuffer(self.pcm(text, language, voice, self.seconds), dtype="<i2"), 8000))
            return SynthesizedPrompt(p, str(p.with_suffix("")), self.seconds, False)
        finally:
            self.running -= 1


async def settled(audio: PromptAudio) -> None:
    """Wait until no prefetch is queued or running (a condition, not a delay)."""
    while audio._queue or audio._tasks:
        await asyncio.sleep(0.01)


async def test_a_prefetched_prompt_is_played_from_the_cache_with_its_own_audio(tmp_path):
    synth = VoiceSynth(tmp_path)
    audio = PromptAudio(synth)
    p = Prompt("text", "For billing, press 1.", "en-US", None)
    assert audio.prefetch([p, p], 8000) == 1                   # the same prompt once
    await settled(audio)
    assert audio.cached(p.value, "en-US", None, 8000)
    pcm = await audio.render([p], 8000)
    assert synth.asked == [(p.value, "en-US", None)]            # synthesized once, by the prefetch
    assert audio.stats["hits"] == 1 and audio.stats["misses"] == 0
    assert pcm == VoiceSynth.pcm(p.value)
    assert audio.prefetch([p], 8000) == 0                       # ready: nothing to do


async def test_a_miss_still_renders_the_prompt_the_flow_asked_for(tmp_path):
    synth = VoiceSynth(tmp_path)
    audio = PromptAudio(synth)
    audio.prefetch([Prompt("text", "Hello", "en-US", None)], 8000)
    await settled(audio)
    # another voice, another language, another rate: not the prefetched audio
    for p, rate in ((Prompt("text", "Hello", "en-US", "en-gb"), 8000), (Prompt("text", "Hello", "fr-FR", None), 8000),
                    (Prompt("text", "Hello", "en-US", None), 16000), (Prompt("text", "Bye", "en-US", None), 8000)):
        pcm = await audio.render([p], rate)
        want = VoiceSynth.pcm(p.value, p.language, p.voice)
        if rate != 8000:
            assert len(pcm) == 2 * len(want)                    # read again at the leg's rate
        else:
            assert pcm == want, p
    assert audio.stats["misses"] == 4 and audio.stats["hits"] == 0
    assert [a for a in synth.asked if a[0] == "Hello"] == [("Hello", "en-US", None), ("Hello", "en-US", "en-gb"),
                                                         ("Hello", "fr-FR", None), ("Hello", "en-US", None)]


async def test_digits_and_numbers_share_the_cache_and_files_are_untouched(tmp_path):
    synth = VoiceSynth(tmp_path)
    audio = PromptAudio(synth)
    audio.prefetch([Prompt("digits", "12a3"), Prompt("number", "42"), Prompt("file", "welcome"),
                    Prompt("silence", "1")], 8000)
    await settled(audio)
    assert sorted(a[0] for a in synth.asked) == ["1 2 3", "42"]
    assert await audio.render([Prompt("digits", "123")], 8000) == VoiceSynth.pcm("1 2 3")
    assert audio.stats["hits"] == 1


async def test_asking_while_the_prefetch_runs_waits_for_it(tmp_path):
    gate = asyncio.Event()
    synth = VoiceSynth(tmp_path, gate=gate)
    audio = PromptAudio(synth)
    p = Prompt("text", "One moment please.")
    audio.prefetch([p], 8000)
    render = asyncio.ensure_future(audio.render([p], 8000))
    while not synth.asked:
        await asyncio.sleep(0.01)
    gate.set()
    assert await render == VoiceSynth.pcm(p.value)
    assert len(synth.asked) == 1 and audio.stats["waited"] == 1


async def test_the_prefetch_is_bounded_and_ends_with_its_owner(tmp_path):
    gate = asyncio.Event()
    synth = VoiceSynth(tmp_path, gate=gate)
    audio = PromptAudio(synth)
    queued = audio.prefetch([Prompt("text", f"prompt {i}") for i in range(100)], 8000)
    assert queued == audio.PREFETCH_QUEUE                       # the rest dropped: they render on demand
    assert audio.stats["prefetch_dropped"] == 100 - audio.PREFETCH_QUEUE
    while len(synth.asked) < audio.PREFETCH_AT_ONCE:
        await asyncio.sleep(0.01)
    assert synth.running == audio.PREFETCH_AT_ONCE
    await audio.aclose()                                        # the call ends: nothing left running
    assert not audio._tasks and not audio._queue and not audio._pending
    gate.set()
    # a dropped or cancelled prefetch is only a miss later: the prompt still plays
    assert await audio.render([Prompt("text", "prompt 99")], 8000) == VoiceSynth.pcm("prompt 99")


FLOW = """
flow: prefetch
language: en-US
start: menu
nodes:
  menu:
    type: menu
    prompt: "Say billing or sales."
    no_match: "Sorry."
    options:
      - {digit: "1", key: billing, say: [billing], next: note}
      - {digit: "2", key: sales, say: [sales], next: sales}
    on_fail: bye
  note:
    type: set
    vars: {chosen: billing}
    next: billing
  billing:
    type: play
    prompt: "Billing, one moment."
    next: bye
  sales:
    type: play
    prompt: "Sales for ${call.caller}."
    next: bye
  bye: {type: hangup, prompt: "Goodbye."}
"""


class SaysBilling(RecognitionStream):
    def feed(self, pcm16):
        return "billing"

    def finish(self):
        return Recognition("billing", 0.9, matched="billing")


class BillingRecognizer:
    def languages(self):
        return ["en-US"]

    def stream(self, language, sample_rate=8000, phrases=None):
        return SaysBilling()


def voiced(seconds, rate=8000):
    t = np.arange(int(seconds * rate)) / rate
    x = 8000 * np.sin(2 * np.pi * 180 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return np.rint(x).astype("<i2").tobytes()


class Recording(MediaChannel):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.prefetched: list[list[Prompt]] = []

    def prefetch(self, prompts):
        self.prefetched.append(list(prompts))
        return super().prefetch(prompts)


async def test_the_runner_prefetches_what_the_menu_leads_to_and_the_right_prompt_plays(tmp_path):
    flow, problems = load_flow_text(FLOW)
    assert flow is not None, problems
    synth = VoiceSynth(tmp_path)
    leg = FakeLeg(bytes(8000) + voiced(0.8) + bytes(32000), end_after=6.0)
    ch = Recording(leg, CallInfo("c1", caller="5550100"), synthesizer=synth, recognizer=BillingRecognizer(),
                   executor=InlineExecutor())
    outcome = await run_flow(flow, ch, clock=FakeClock(), call_data=ch.info)
    await ch.close()
    assert outcome.kind == "hangup"
    first = ch.prefetched[0]                                    # handed over before the menu listened
    assert [p.value for p in first] == ["Sorry.", "Goodbye.", "Billing, one moment."]   # nearest first
    assert all(p.language == "en-US" and p.voice is None for p in first)
    # the templated prompt of the other branch is never synthesized ahead (its variables are not known)
    assert not any(a[0].startswith("Sales") for a in synth.asked)
    # every prompt synthesized once, the one played after the answer from the prefetch (ready or under way)
    assert [a[0] for a in synth.asked].count("Billing, one moment.") == 1
    assert ch.audio.stats["hits"] + ch.audio.stats["waited"] >= 1
    played = leg.played_audio()
    billing = VoiceSynth.pcm("Billing, one moment.")
    assert billing[:3200] in played and VoiceSynth.pcm("Goodbye.")[:3200] in played
    assert played.index(billing[:3200]) < played.index(VoiceSynth.pcm("Goodbye.")[:3200])
