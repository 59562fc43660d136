#!/usr/bin/env python3
"""Voice-detection defaults: a TUNE set and a HELD-OUT set, and every candidate detector on both.

The question: does a detector that starts "speech" less often on background noise (fewer false
barge-ins) still let a real caller interrupt the prompt, as fast, and are the menu answers heard over
the stream still recognized? A set tuned on one noise must be checked on noise it never saw.

* **TUNE** (what the candidates were chosen on): ``bench/media_noise.py``'s lines (babble of
  ``speech_corpus.BABBLE_VOICES`` saying ``BABBLE_TEXT``, seed 0; white noise) and the callers of
  ``bench/media_bench.py`` (espeak-ng en-us, en-gb+m3, en-us+f2, en-gb-x-rp+m2).
* **HELD-OUT** (never looked at while choosing): other seeds; babble of six OTHER espeak-ng voices
  saying OTHER sentences; babble of flite's voices (another synthesizer); a café (that babble, dishes
  and cutlery clatter, pink noise); a street (brown-noise traffic swelling and fading, a horn now and
  then); music (chords with harmonics and a beat); and callers with other voices (flite kal, slt, awb,
  rms; espeak-ng en-029, en-us-nyc, en-gb-x-gbclan, en-gb-scotland variants).

Measured per detector, in virtual time (pure: the :class:`~callcenter.media.vad.Vad` and the
:class:`~callcenter.media.endpoint.Endpointer` over the frames, so the counts do not depend on the
machine's load):

1. **false barge-ins**: % of 3 s prompts (stretches of a noise line, a fresh detector each, nobody
   speaking) in which a start of speech is declared;
2. **missed barge-ins**: callers saying a menu phrase over a noise (clean line, and noise at 15 dB
   below the speech) after 0.8-1.5 s of that noise: no start declared during the speech = missed; a start
   declared before the caller spoke = false (counted apart);
3. **barge-in reaction**: the speech's onset -> the frame on which the start is declared, p50 / p95;
4. **recognition over the stream** (``--recognition``): the same callers through a
   :class:`~callcenter.media.channel.MediaChannel` on a virtual-time :class:`FakeLeg`, pocketsphinx
   deciding the menu inline: answers right.

Usage: python bench/media_vad_sets.py [--seconds 120] [--recognition] [--candidate LABEL=key:value,...]
       [--json FILE]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import speech_corpus as corpus  # noqa: E402
from media_noise import RATE, Detector, false_start, noises as tune_noises  # noqa: E402
from callcenter.media.endpoint import EndpointConfig, Endpointer, SpeechStarted  # noqa: E402
from callcenter.media.vad import Vad, VadConfig  # noqa: E402

MENU = ["billing", "technical support", "sales", "opening hours", "pay my bill", "speak to an agent"]
TUNE_CALLERS = ["en-us", "en-gb+m3", "en-us+f2", "en-gb-x-rp+m2"]
HELD_CALLERS = ["flite:kal", "flite:slt", "flite:awb", "flite:rms", "en-029+m2", "en-us-nyc+f5",
                "en-gb-x-gbclan+m6", "en-gb-scotland+f1"]
HELD_BABBLE_VOICES = ["en-029+f2", "en-us-nyc+m5", "en-gb-x-gbclan+f4", "en-gb-x-gbcwmd+m7",
                      "en-gb-scotland+f5", "en-us+m6"]
HELD_BABBLE_TEXT = ["could you pass me the salt and the pepper please",
                    "the train to the airport leaves every twenty minutes on weekdays",
                    "my sister is moving to a bigger flat near the river next month",
                    "they finally fixed the heating in the office on the third floor",
                    "i think the match starts at eight so we have plenty of time",
                    "he forgot his umbrella at the restaurant again yesterday"]
FLITE_BABBLE = ["flite:kal", "flite:slt", "flite:awb", "flite:rms"]
SR = corpus.SPEECH_RATE

#: the candidates: the shipped detector, the set tuned last session on the TUNE noise, variants of it
CANDIDATES = {
    "shipped": "",
    "tuned": "floor_fall:0.05,aggressiveness:3,start_ms:60",
    "tuned/80": "floor_fall:0.05,aggressiveness:3,start_ms:80",
    "ff.05/120": "floor_fall:0.05,start_ms:120",
}


def detector(label: str, spec: str, base_start: int = 120) -> Detector:
    vad, start = {}, base_start
    for item in filter(None, spec.split(",")):
        key, _, value = item.partition(":")
        if key == "start_ms":
            start = int(value)
        elif key in {f.name for f in fields(VadConfig)}:
            vad[key] = type(getattr(VadConfig(), key))(value)
        else:
            raise SystemExit(f"candidate {label}: unknown key {key!r} (start_ms or a VadConfig field)")
    return Detector(label, start, replace(VadConfig(), **vad))


# -- noises ----------------------------------------------------------------------------------------
def _rms1(x: np.ndarray) -> np.ndarray:
    return x / (np.sqrt(np.mean(x ** 2)) + 1e-12)


def babble_of(voices, texts, seconds: float, rng) -> np.ndarray:
    """``voices`` each saying ``texts`` in a shuffled order with random pauses, mixed (RMS 1)."""
    n = int(seconds * SR)
    mix = np.zeros(n)
    for voice in voices:
        clips = [corpus.synthesize(t, voice, int(rng.integers(150, 190))) for t in texts]
        track, at = np.zeros(n + SR * 10), int(rng.integers(0, SR))
        while at < n:
            c = clips[int(rng.integers(len(clips)))]
            track[at:at + len(c)] += c[: len(track) - at]
            at += len(c) + int(rng.uniform(0.05, 0.6) * SR)
        mix += track[:n]
    return _rms1(mix)


def clatter(seconds: float, rng) -> np.ndarray:
    """Dishes and cutlery: short ringing bursts (damped high partials) at random times (RMS 1)."""
    n = int(seconds * SR)
    x = np.zeros(n + SR)
    t = np.arange(int(0.25 * SR)) / SR
    at = 0
    while at < n:
        at += int(rng.exponential(0.5) * SR)
        f = rng.uniform(1500, 4500, 3)
        burst = sum(np.sin(2 * np.pi * fi * t + rng.uniform(0, 6.28)) for fi in f) * np.exp(-t * rng.uniform(15, 40))
        burst[: int(0.003 * SR)] += rng.normal(0, 1, int(0.003 * SR))     # the click of the hit
        x[at:at + len(t)] += burst * rng.uniform(0.3, 1.0)
    return _rms1(x[:n])


def colored(seconds: float, rng, exponent: float) -> np.ndarray:
    """Noise with a 1/f**exponent power spectrum (1: pink, 2: brown), RMS 1."""
    n = int(seconds * SR)
    spec = np.fft.rfft(rng.normal(0, 1, n))
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0] = f[1]
    return _rms1(np.fft.irfft(spec / f ** (exponent / 2), n))


def street(seconds: float, rng) -> np.ndarray:
    """Traffic: brown noise swelling and fading as cars pass (an engine hum under it), a horn now and then."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    env = np.zeros(n)
    at = 0.0
    while at < seconds:
        at += rng.exponential(2.5)
        env += np.exp(-((t - at) / rng.uniform(0.8, 2.0)) ** 2) * rng.uniform(0.5, 1.5)
    hum = np.sin(2 * np.pi * 95 * t + 3 * np.sin(2 * np.pi * 0.3 * t)) * 0.3
    x = (colored(seconds, rng, 2.0) + hum) * (0.3 + env)
    at = rng.uniform(2, 10)
    while at < seconds - 1:
        k, m = int(at * SR), int(rng.uniform(0.3, 0.8) * SR)
        f0 = rng.uniform(350, 500)
        x[k:k + m] += 2.0 * sum(np.sin(2 * np.pi * f0 * h * t[:m]) / h for h in (1, 2, 3))
        at += rng.uniform(8, 20)
    return _rms1(x)


def music(seconds: float, rng) -> np.ndarray:
    """Chords with harmonics changing every half bar, a bass line and a beat (RMS 1)."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    x = np.zeros(n)
    beat = 0.5
    roots = [220.0, 246.9, 196.0, 261.6, 174.6]
    k = 0
    step = int(2 * beat * SR)
    for start in range(0, n, step):
        seg = slice(start, min(n, start + step))
        tt = t[seg] - t[start]
        root = roots[int(rng.integers(len(roots)))]
        chord = sum(sum(np.sin(2 * np.pi * root * r * h * tt) / h ** 1.5 for h in (1, 2, 3, 4))
                    for r in (1.0, 1.26, 1.5))
        x[seg] += chord * (0.6 + 0.4 * np.exp(-tt * 3)) + 0.8 * np.sin(2 * np.pi * root / 2 * tt)
        k += 1
    for b in np.arange(0, seconds, beat):          # kick and hi-hat
        i = int(b * SR)
        m = min(int(0.12 * SR), n - i)
        tt = np.arange(m) / SR
        x[i:i + m] += 3 * np.sin(2 * np.pi * 60 * tt) * np.exp(-tt * 30)
        j = int((b + beat / 2) * SR)
        if j + 400 < n:
            x[j:j + 400] += rng.normal(0, 0.8, 400) * np.exp(-np.arange(400) / 80)
    return _rms1(x)


def line(x: np.ndarray, db: float, rng) -> np.ndarray:
    """A noise at ``db`` dBFS RMS with the faint line hiss under it, through the telephone line."""
    return corpus.telephone(x * 10 ** (db / 20) + rng.normal(0, 10 ** (-66 / 20), len(x)))


def heldout_noises(seconds: float, seed: int = 101) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    b6 = babble_of(HELD_BABBLE_VOICES, HELD_BABBLE_TEXT, seconds, rng)
    bf = babble_of(FLITE_BABBLE, HELD_BABBLE_TEXT[::-1], seconds, rng) if corpus.FLITE else None
    cafe = _rms1(b6 + 0.5 * clatter(seconds, rng) + 0.3 * colored(seconds, rng, 1.0))
    st, mu = street(seconds, rng), music(seconds, rng)
    out = {}
    for db in (-45, -40, -35):
        out[f"babble6 {db}"] = line(b6, db, rng)
    if bf is not None:
        out["flite babble -40"] = line(bf, -40, rng)
    for db in (-40, -35):
        out[f"cafe {db}"] = line(cafe, db, rng)
        out[f"street {db}"] = line(st, db, rng)
        out[f"music {db}"] = line(mu, db, rng)
    out["white -40"] = line(rng.normal(0, 1, int(seconds * SR)), -40, rng)
    return out


def tune_lines(seconds: float) -> dict[str, np.ndarray]:
    return {k.replace(" dBFS", "").replace("white noise", "white"): v for k, v in tune_noises(seconds).items()}


# -- callers ---------------------------------------------------------------------------------------
def callers(voices, noise_lines: dict[str, np.ndarray], seed: int, per_voice: int = 3):
    """(label, int16 8 kHz clip, onset s, end s, phrase): each voice says ``per_voice`` phrases, on a
    clean line and over every noise given, at 15 dB SNR, after 0.8-1.5 s of that noise."""
    rng = np.random.default_rng(seed)
    out = []
    for vi, voice in enumerate(voices):
        for k in range(per_voice):
            phrase = MENU[(vi * per_voice + k) % len(MENU)]
            s = corpus.synthesize(phrase, voice, int(rng.integers(140, 190)))
            s = s / (np.max(np.abs(s)) + 1e-9) * 10 ** (rng.uniform(-12, -3) / 20)
            f = SR // 100
            e = np.sqrt((s[: len(s) // f * f].reshape(-1, f) ** 2).mean(axis=1))
            loud = np.nonzero(e > e.max() * 10 ** (-30 / 20))[0]
            lead = rng.uniform(0.8, 1.5)
            onset, end = lead + loud[0] * 0.01, lead + (loud[-1] + 1) * 0.01
            x = np.concatenate([np.zeros(int(lead * SR)), s, np.zeros(int(1.5 * SR))])
            act = e[e > e.max() * 10 ** (-35 / 20)]
            srms = float(np.sqrt(np.mean(act ** 2)))
            for name, noise in [("clean", None), *noise_lines.items()]:
                y = x + rng.normal(0, 10 ** (-66 / 20), len(x))
                if noise is not None:        # the noise line is already telephone-band at 8 kHz: upsample it
                    off = int(rng.integers(0, len(noise) - len(x) // 2 - 1))
                    nz = noise[off: off + len(x) // 2 + 1].astype(np.float64) / 32768
                    nz = np.interp(np.arange(len(x)) / 2, np.arange(len(nz)), nz)
                    y = y + nz / (np.sqrt(np.mean(nz ** 2)) + 1e-12) * srms / 10 ** (15 / 20)
                peak = np.max(np.abs(y))
                if peak > 0.99:
                    y = y * 0.99 / peak
                out.append((f"{voice} / {name}", corpus.telephone(y), onset, end, phrase, name))
    return out


def barge(x: np.ndarray, onset: float, end: float, det: Detector) -> tuple[str, float | None]:
    """('hit', reaction s) | ('early', None): declared before the caller spoke | ('missed', None)."""
    v = Vad(RATE, det.vad)
    ep = Endpointer(EndpointConfig(start_ms=det.start_ms, no_input_s=1e9))
    f = RATE // 50
    pcm = np.asarray(x, dtype="<i2").tobytes()
    for i in range(len(pcm) // (2 * f)):
        t = (i + 1) * 0.02
        if any(isinstance(e, SpeechStarted) for e in ep.feed(v.is_speech(pcm[i * 2 * f:(i + 1) * 2 * f]), t)):
            if t < onset:
                return "early", None
            return ("hit", t - onset) if t <= end + 0.3 else ("missed", None)
    return "missed", None


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


async def recognition(clips, dets: list[Detector], rec) -> dict:
    from callcenter.media.channel import MediaChannel
    from callcenter.media.listen import ListenSettings
    from callcenter.media.playout import tone
    from callcenter.media.testing import FakeLeg, InlineExecutor
    out = {}
    for d in dets:
        base = ListenSettings()
        st = replace(base, vad=d.vad, endpoint=replace(base.endpoint, start_ms=d.start_ms))
        right = 0
        for _label, x, _on, _end, phrase, _noise in clips:
            leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes(), RATE)
            ch = MediaChannel(leg, recognizer=rec, executor=InlineExecutor(), settings=st)
            try:
                heard = await ch.listen(tone(440.0, 3.0, RATE), MENU, 5.0, "en-US")
            finally:
                await ch.close()
            r = heard.recognition
            right += bool(r and r.matched == phrase)
        out[d.label] = right
    return out


def evaluate(name: str, lines: dict, clips, dets: list[Detector], prompt_s: float = 3.0) -> dict:
    res: dict = {"false": {}, "barge": {}}
    w = int(prompt_s * RATE)
    print(f"\n== {name}: false barge-ins (% of {prompt_s:g} s prompts stopped, nobody speaking)")
    print(f"  {'line':22}" + "".join(f"{d.label:>12}" for d in dets))
    for ln, x in lines.items():
        n = len(x) // w
        row = {d.label: 100.0 * sum(false_start(x[j * w:(j + 1) * w], d) for j in range(n)) / n for d in dets}
        res["false"][ln] = row
        print(f"  {ln:22}" + "".join(f"{row[d.label]:11.1f}%" for d in dets))
    mean = {d.label: float(np.mean([r[d.label] for r in res["false"].values()])) for d in dets}
    res["false_mean"] = mean
    print(f"  {'mean':22}" + "".join(f"{mean[d.label]:11.1f}%" for d in dets))
    print(f"== {name}: callers interrupting ({len(clips)} clips: {len({c[0].split(' / ')[0] for c in clips})} voices,"
          f" clean and over each noise at 15 dB SNR)")
    print(f"  {'':12}{'missed':>9}{'early':>8}{'reaction p50 / p95 / max':>28}")
    for d in dets:
        got = [barge(x, on, end, d) for _l, x, on, end, _p, _n in clips]
        hits = [r for k, r in got if k == "hit"]
        missed = sum(k == "missed" for k, _ in got)
        early = sum(k == "early" for k, _ in got)
        res["barge"][d.label] = {"n": len(got), "missed": missed, "early": early,
                                 "p50_ms": pct(hits, 50) * 1000, "p95_ms": pct(hits, 95) * 1000,
                                 "max_ms": max(hits) * 1000 if hits else float("nan"),
                                 "missed_clean": sum(k == "missed" for (k, _), c in zip(got, clips) if c[5] == "clean")}
        b = res["barge"][d.label]
        print(f"  {d.label:12}{missed:>5}/{len(got):<3}{early:>5}   {b['p50_ms']:8.0f} / {b['p95_ms']:4.0f} /"
              f" {b['max_ms']:4.0f} ms   (missed on a clean line: {b['missed_clean']})")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=120.0, help="seconds of each noise line")
    ap.add_argument("--candidate", action="append", metavar="LABEL=key:value,...",
                    help="another detector (start_ms or VadConfig fields)")
    ap.add_argument("--recognition", action="store_true", help="also the menu answers over the stream (pocketsphinx)")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    if not (corpus.ESPEAK and corpus.SOX):
        raise SystemExit("needs espeak-ng and sox")
    specs = dict(CANDIDATES)
    for c in args.candidate or ():
        label, _, spec = c.partition("=")
        specs[label] = spec
    dets = [detector(k, v) for k, v in specs.items()]
    t = time.perf_counter()
    tl = tune_lines(args.seconds)
    hl = heldout_noises(args.seconds)
    noise_for_callers_t = {k: v for k, v in tl.items() if k in ("babble -40", "white -40")}
    noise_for_callers_h = {k: v for k, v in hl.items() if k in ("babble6 -40", "cafe -40", "street -40", "music -40")}
    tc = callers(TUNE_CALLERS, noise_for_callers_t, seed=1)
    hc = callers([v for v in HELD_CALLERS if corpus.FLITE or not v.startswith("flite:")], noise_for_callers_h, seed=202)
    print(f"sets made in {time.perf_counter() - t:.0f} s; detectors: " + "; ".join(f"{k}: {v or 'defaults'}" for k, v in specs.items()))
    out = {"tune": evaluate("TUNE", tl, tc, dets), "heldout": evaluate("HELD-OUT", hl, hc, dets)}
    if args.recognition:
        from callcenter.speech.recognizers import PocketsphinxRecognizer
        rec = PocketsphinxRecognizer(workers=1)
        rec.preload()
        for name, clips in (("tune", tc), ("heldout", hc)):
            r = asyncio.run(recognition(clips, dets, rec))
            out[name]["right"] = r
            print(f"== {name}: menu answers right over the stream (of {len(clips)}): "
                  + ", ".join(f"{k} {v}" for k, v in r.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
