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

5. **WebRTC calls bridged by the engine per core** (the embedded mode's scale):
   ``bench/webrtc_bench.py`` run with ``--webrtc-pairs N`` pairs of browsers (aiortc clients in another
   process) bridged by the engine: server CPU per real-time call, Opus then G.711.

Usage: python bench/media_bench.py [--quick] [--streams 10 20 40] [--webrtc-pairs 10] [--json FILE]
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

from callcenter.media.channel import MediaChannel  # noqa: E402
from callcenter.media.playout import tone  # noqa: E402
from callcenter.media.testing import FakeLeg  # noqa: E402
from callcenter.speech.audio import wav_bytes  # noqa: E402
from callcenter.speech.backend import shared_pool  # noqa: E402
from callcenter.speech.recognizers import PocketsphinxRecognizer  # noqa: E402

MENU = ["billing", "technical support", "sales", "opening hours", "pay my bill", "speak to an agent"]
VOICES = ["en-us", "en-gb+m3", "en-us+f2", "en-gb-x-rp+m2"]
RATE = 8000
FILE_SILENCE_S = 2.0        # RECORD FILE ... s=2 (AgiChannel.recognize: silence_seconds=1.5, rounded)
RESULTS: dict = {}


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


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


async def one_stream(rec, phrase, x, onset, end, prompt_s, executor=None):
    """One caller over a real-time FakeLeg; returns the timings (seconds, relative to the clip)."""
    leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes(), RATE, realtime=True)
    ch = MediaChannel(leg, recognizer=rec, executor=executor)
    try:
        heard = await ch.listen(tone(440.0, prompt_s, RATE), MENU, 5.0, "en-US")
        decided = asyncio.get_running_loop().time()
        sent = len(leg.played)
        leg.play(tone(660.0, 0.2, RATE))                    # the next prompt
        while not any(not silent for _, _, silent in leg.played[sent:]):
            await ch.reader.next(1.0)
        prompt_at = next(at for at, _, silent in leg.played[sent:] if not silent)
        t0 = leg.t0
        r = heard.recognition
        return {"phrase": phrase, "matched": r.matched if r else None, "no_match": bool(r and r.no_match),
                "end_to_prompt": prompt_at - t0 - end,
                "end_to_decision": decided - t0 - end,
                "endpoint_wait": heard.endpoint_at - t0 - end, "decision": decided - heard.endpoint_at,
                "barge_in": (leg.stops[0] - t0 - onset) if leg.stops else None,
                "reason": heard.reason}
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


async def latency(rec, answers, tmp: Path) -> None:
    print("\n1-2. end of speech -> next prompt, and barge-in (one caller at a time, real time)")
    stream, barge, file_lat, waits, alone, ep_wait, decide = [], [], [], [], [], [], []
    await one_stream(rec, *answers[0], prompt_s=3.0)          # warm-up: the first live decoder loads its model
    right = 0
    for i, (phrase, x, onset, end) in enumerate(answers):
        r = await one_stream(rec, phrase, x, onset, end, prompt_s=3.0)
        stream.append(r["end_to_prompt"])
        ep_wait.append(r["endpoint_wait"])
        decide.append(r["decision"])
        if r["barge_in"] is not None:
            barge.append(r["barge_in"])
        waits.append(max(0.0, 3.0 - onset))
        right += r["matched"] == phrase
        alone.append(r["matched"])
        file_lat.append(FILE_SILENCE_S + file_path_decode(rec, x, end, tmp, i))
    s50, s95, f50, f95 = pct(stream, 50), pct(stream, 95), pct(file_lat, 50), pct(file_lat, 95)
    print(f"  stream     end of speech -> next prompt  p50 {s50 * 1000:6.0f} ms  p95 {s95 * 1000:6.0f} ms  "
          f"(n={len(stream)}, goal p95 < 300 ms: {'met' if s95 < 0.3 else 'NOT met'})")
    print(f"    of which: trailing silence until the endpointer ends the answer p50 {pct(ep_wait, 50) * 1000:.0f} ms"
          f" p95 {pct(ep_wait, 95) * 1000:.0f} ms; the decision p50 {pct(decide, 50) * 1000:.0f} ms"
          f" p95 {pct(decide, 95) * 1000:.0f} ms")
    print(f"  file path  end of speech -> next prompt  p50 {f50 * 1000:6.0f} ms  p95 {f95 * 1000:6.0f} ms  "
          f"(s={FILE_SILENCE_S:g} silence + decode)")
    print(f"  ratio file/stream: p50 x{f50 / s50:.1f}, p95 x{f95 / s95:.1f}")
    b50, b95 = pct(barge, 50), pct(barge, 95)
    print(f"  barge-in reaction (speech start -> prompt stopped)  p50 {b50 * 1000:5.0f} ms  p95 {b95 * 1000:5.0f} ms"
          f"  max {max(barge) * 1000:5.0f} ms  (n={len(barge)}, goal < 150 ms: {'met' if max(barge) < 0.15 else 'NOT met'})")
    print(f"  file path: no barge-in, the caller waits for the prompt's end: mean {statistics.mean(waits) * 1000:.0f} ms"
          f" (ratio x{statistics.mean(waits) / b50:.0f})")
    print(f"  answers matched right (stream): {right}/{len(answers)}")
    RESULTS["latency"] = {"endpoint_wait_p50_ms": pct(ep_wait, 50) * 1000, "decision_p50_ms": pct(decide, 50) * 1000,
                          "decision_p95_ms": pct(decide, 95) * 1000, "stream_p50_ms": s50 * 1000, "stream_p95_ms": s95 * 1000, "file_p50_ms": f50 * 1000,
                          "file_p95_ms": f95 * 1000, "barge_p50_ms": b50 * 1000, "barge_p95_ms": b95 * 1000,
                          "barge_max_ms": max(barge) * 1000, "right": right, "n": len(answers)}
    return alone


async def concurrent(rec, answers, alone: list, levels: list[int], tmp: Path) -> None:
    print(f"\n4. concurrent callers with voice detection + grammar decoding ({os.cpu_count()} cores, "
          f"pool of {os.cpu_count()} recognition threads)")
    pool = shared_pool(0)
    holds = 0
    for n in levels:
        loop = asyncio.get_running_loop()
        lag: list[float] = []
        stop = asyncio.Event()

        async def probe():                                   # event-loop lag while the streams run
            while not stop.is_set():
                t = loop.time()
                await asyncio.sleep(0.02)
                lag.append(loop.time() - t - 0.02)

        async def caller(i):
            await asyncio.sleep((i % n) * 2.0 / n)
            phrase, x, onset, end = answers[i % len(answers)]
            r = await one_stream(rec, phrase, x, onset, end, prompt_s=1.0, executor=pool)
            r["same"] = r["matched"] == alone[i % len(answers)]
            return r

        await asyncio.gather(*(caller(i) for i in range(n)))   # warm-up: n live decoders exist afterwards
        lag.clear()
        cpu0, t0 = time.process_time(), time.perf_counter()
        probe_task = asyncio.create_task(probe())
        rs = await asyncio.gather(*(caller(i) for i in range(n)))
        stop.set()
        await probe_task
        cpu = (time.process_time() - cpu0) / (time.perf_counter() - t0)
        d95 = pct([r["end_to_decision"] for r in rs], 95)
        lag95 = pct(lag, 95)
        same = sum(r["same"] for r in rs)
        # the file path: the same answers decoded at once through the same pool
        t = time.perf_counter()
        await asyncio.gather(*(loop.run_in_executor(pool, file_path_decode, rec, answers[i % len(answers)][1],
                                                    answers[i % len(answers)][3], tmp, i) for i in range(n)))
        file_all = time.perf_counter() - t
        ok = d95 < 0.3 and lag95 < 0.02 and same == n
        holds = n if ok else holds
        print(f"  N={n:<4} stream: end -> decision p95 {d95 * 1000:6.0f} ms, loop lag p95 {lag95 * 1000:5.1f} ms, "
              f"same answers as alone {same}/{n}, CPU {cpu * 100:4.0f} %  {'holds' if ok else 'does NOT hold'}"
              f" | file path: {n} decodes at once done in {file_all * 1000:6.0f} ms "
              f"(+{FILE_SILENCE_S:g} s of silence each)")
        RESULTS.setdefault("concurrent", []).append({"n": n, "decision_p95_ms": d95 * 1000, "lag_p95_ms": lag95 * 1000,
                                                     "same": same, "cpu": cpu, "file_all_ms": file_all * 1000,
                                                     "holds": ok})
    print(f"  concurrent streams that hold on this machine: {holds} (of the levels tried)")
    RESULTS["streams_that_hold"] = holds


async def cpu_cost(rec, answers, tmp: Path) -> None:
    """CPU time per listening second and per answer (virtual time: no waiting, so the figures do not
    depend on how busy the machine is); capacity = what one core does in a second."""
    print("\n3. CPU cost (virtual time; independent of the machine's load)")
    n_idle, idle_s = 50, 10.0
    cpu0 = time.process_time()

    async def idle(i):
        leg = FakeLeg(b"", RATE, end_after=idle_s + 1)
        ch = MediaChannel(leg, recognizer=rec)
        try:
            await ch.listen(b"", MENU, idle_s, "en-US")          # line noise until no input
        finally:
            await ch.close()
    await asyncio.gather(*(idle(i) for i in range(n_idle)))
    per_listen_s = (time.process_time() - cpu0) / (n_idle * idle_s)
    print(f"  listening (frames read, voice detection, endpointing): {per_listen_s * 1000:.2f} ms CPU per second"
          f" of audio -> {1 / per_listen_s:.0f} listening streams per core")
    pool = shared_pool(0)
    loop = asyncio.get_running_loop()
    stalls: list[float] = []
    done = asyncio.Event()

    async def probe():                                       # event-loop stalls while decoding runs
        while not done.is_set():
            t = loop.time()
            await asyncio.sleep(0.005)
            stalls.append(loop.time() - t - 0.005)
    probe_task = asyncio.create_task(probe())
    cpu0 = time.process_time()
    speech_s = 0.0
    for phrase, x, onset, end in answers:
        leg = FakeLeg(np.asarray(x, dtype="<i2").tobytes(), RATE)
        ch = MediaChannel(leg, recognizer=rec, executor=pool)
        await ch.listen(b"", MENU, 5.0, "en-US")
        await ch.close()
        speech_s += end - onset
    stream_cpu = (time.process_time() - cpu0) / len(answers)
    done.set()
    await probe_task
    cpu0 = time.process_time()
    for i, (phrase, x, onset, end) in enumerate(answers):
        file_path_decode(rec, x, end, tmp, i)
    file_cpu = (time.process_time() - cpu0) / len(answers)
    print(f"  one answer (mean {speech_s / len(answers):.2f} s of speech): stream {stream_cpu * 1000:.0f} ms CPU "
          f"(listening + live partial decoding + the menu decision), file path {file_cpu * 1000:.0f} ms "
          f"(the decision on the recording); ratio stream/file x{stream_cpu / file_cpu:.1f}")
    print(f"  event-loop stalls while answers are decoded in the recognition threads: p95 {pct(stalls, 95) * 1000:.0f} ms,"
          f" max {max(stalls) * 1000:.0f} ms (pocketsphinx holds the GIL while it decodes: every leg's 20 ms"
          f" pacing waits meanwhile)")
    cycle = 6.0
    per_stream = per_listen_s + stream_cpu / cycle
    print(f"  a caller answering a menu every {cycle:g} s: {per_stream * 1000:.1f} ms CPU per second -> "
          f"{1 / per_stream:.0f} concurrent streams per core, {os.cpu_count() / per_stream:.0f} on "
          f"{os.cpu_count()} cores at full use")
    RESULTS["cpu"] = {"listen_ms_per_s": per_listen_s * 1000, "listening_streams_per_core": 1 / per_listen_s,
                      "answer_stream_ms": stream_cpu * 1000, "answer_file_ms": file_cpu * 1000,
                      "streams_per_core_menu_every_6s": 1 / per_stream,
                      "loop_stall_p95_ms": pct(stalls, 95) * 1000, "loop_stall_max_ms": max(stalls) * 1000}


async def main(args) -> None:
    if not (ESPEAK and SOX):
        raise SystemExit("the media benchmark needs espeak-ng and sox (Debian packages espeak-ng, sox)")
    load = os.getloadavg()[0]
    print(f"Media benchmark: {os.cpu_count()} CPU(s), load average {load:.1f}, Python {sys.version.split()[0]}")
    rec = PocketsphinxRecognizer()
    rec.preload()
    cache = Path(args.cache) if args.cache else Path(tempfile.gettempdir()) / "callcenter-media-bench"
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        answers = corpus(8 if args.quick else 24, lead=1.0, cache=cache)
        alone = await latency(rec, answers, tmp)
        await cpu_cost(rec, answers, tmp)
        await concurrent(rec, answers, alone, args.streams or ([5, 10] if args.quick else [10, 20, 40, 60, 80]), tmp)
    if args.webrtc_pairs:
        import webrtc_bench
        for codec in ("opus", "PCMU"):
            r = await webrtc_bench.serve(args.webrtc_pairs, 10.0 if args.quick else 20.0, codec)
            RESULTS[f"webrtc_{codec.lower()}"] = r
            print(f"WebRTC calls bridged by the engine ({codec}, {r['pairs']} at once): {r['calls_per_core']} "
                  f"per core ({r['cpu_per_call'] * 100:.1f}% of a core per call)")
    if args.json:
        Path(args.json).write_text(json.dumps(RESULTS, indent=2))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer answers and levels")
    ap.add_argument("--streams", type=int, nargs="+", help="concurrency levels to try")
    ap.add_argument("--cache", help="folder for the rendered answers (default: the temp folder)")
    ap.add_argument("--webrtc-pairs", type=int, default=10, help="bridged WebRTC calls at once (0: skip)")
    ap.add_argument("--json", help="also write the results here")
    asyncio.run(main(ap.parse_args()))
