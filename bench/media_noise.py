"""False barge-ins: a prompt playing, no caller speaking, only background talk (babble) or line hiss
(white noise) on the line; a start of speech the voice detection declares would stop the prompt.

Pure and in virtual time (the :class:`~callcenter.media.vad.Vad` and the
:class:`~callcenter.media.endpoint.Endpointer` over the frames, no event loop), so the counts do not
depend on the machine's load. The babble is long and never repeats the same mixture: four espeak-ng
voices (``speech_corpus.BABBLE_VOICES``), each saying the babble sentences in a shuffled order with
random pauses, mixed, then put through the telephone line (300-3400 Hz, G.711) like the callers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import speech_corpus as corpus
from callcenter.media.endpoint import EndpointConfig, Endpointer, SpeechStarted
from callcenter.media.vad import Vad, VadConfig

RATE = 8000
FRAME = RATE // 50                      # 20 ms


@dataclass(frozen=True)
class Detector:
    """One way of declaring a start of speech (what a row of the benchmark runs)."""
    label: str
    start_ms: int
    vad: VadConfig = VadConfig()


def long_babble(seconds: float, seed: int = 0) -> np.ndarray:
    """``seconds`` of four people talking at once (float, RMS 1, at the corpus rate)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * corpus.SPEECH_RATE)
    mix = np.zeros(n)
    texts = corpus.BABBLE_TEXT["en"]
    for voice in corpus.BABBLE_VOICES["en"]:
        clips = [corpus.espeak(t, voice, int(rng.integers(150, 190))) for t in texts]
        track, at = np.zeros(n + corpus.SPEECH_RATE * 10), int(rng.integers(0, corpus.SPEECH_RATE))
        while at < n:
            c = clips[int(rng.integers(len(clips)))]
            track[at:at + len(c)] += c[: len(track) - at]
            at += len(c) + int(rng.uniform(0.05, 0.6) * corpus.SPEECH_RATE)
        mix += track[:n]
    return mix / (np.sqrt(np.mean(mix ** 2)) + 1e-12)


def noises(seconds: float, seed: int = 0) -> dict[str, np.ndarray]:
    """The lines with no caller: babble at -45/-40/-35 dBFS (with a faint hiss under it) and white
    noise at -50/-40/-30 dBFS, telephone band, int16 at 8 kHz."""
    rng = np.random.default_rng(seed)
    b = long_babble(seconds, seed)
    out = {}
    for db in (-45, -40, -35):
        out[f"babble {db} dBFS"] = corpus.telephone(b * 10 ** (db / 20) + rng.normal(0, 10 ** (-66 / 20), len(b)))
    for db in (-50, -40, -30):
        out[f"white noise {db} dBFS"] = corpus.telephone(rng.normal(0, 10 ** (db / 20), len(b)))
    return out


def false_start(x: np.ndarray, det: Detector) -> bool:
    """Whether a start of speech is declared on ``x`` (one prompt's listening: a fresh detector, as
    every menu node starts one): a false barge-in, nobody speaks."""
    v = Vad(RATE, det.vad)
    ep = Endpointer(EndpointConfig(start_ms=det.start_ms, no_input_s=1e9))
    pcm = np.asarray(x, dtype="<i2").tobytes()
    for i in range(len(pcm) // (2 * FRAME)):
        if any(isinstance(e, SpeechStarted)
               for e in ep.feed(v.is_speech(pcm[i * 2 * FRAME:(i + 1) * 2 * FRAME]), (i + 1) * 0.02)):
            return True
    return False


def false_barge_ins(detectors: list[Detector], seconds: float = 120.0, prompt_s: float = 3.0) -> dict:
    """Per detector and noise: the share of ``prompt_s`` prompts (consecutive stretches of the noise,
    each listened to by a fresh detector) that a false barge-in would have stopped, in %."""
    lines = noises(seconds)
    n = int(seconds // prompt_s)
    print(f"\n8. false barge-ins: {n} prompts of {prompt_s:g} s on each line, nobody speaking (virtual time: "
          f"independent of the load); % of prompts stopped by a start of speech")
    print(f"  {'':24}" + "".join(f"{d.label:>16}" for d in detectors))
    out: dict = {}
    w = int(prompt_s * RATE)
    for name, x in lines.items():
        row = {d.label: 100.0 * sum(false_start(x[j * w:(j + 1) * w], d) for j in range(n)) / n for d in detectors}
        out[name] = row
        print(f"  {name:24}" + "".join(f"{row[d.label]:15.1f}%" for d in detectors))
    return out
