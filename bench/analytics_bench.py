"""Conversation analytics throughput: audio transcribed and scored per CPU hour, against running the
recognizer on the whole mixed (mono) file, and the job backlog when recorded calls arrive at a rate.

    nice python bench/analytics_bench.py [--calls 4] [--lang en|ko|both] [--rate 200] [--workers 2]
                                         [--call-minutes 4] [--json FILE]

Calls are two-party espeak-ng calls (tests/analytics/callgen.py: caller left, agent right, with pauses
and a hold, like a recorded call). For each call the bench measures process CPU time of

* **ours**: ``callcenter.analytics`` as the job runs it: each channel cut into its stretches of speech,
  each stretch decoded by the language's recognizer (word timings), then turns, risk words, mood and the
  scorecard;
* **baseline**: the same recognizer on the whole file mixed down to mono (what one would do without the
  stereo recording: no speakers, and the silences and the hold decoded too).

The real-time factor (RTF) is CPU seconds per second of audio; 1 / RTF is hours of audio per CPU hour.
The backlog part replays ``--rate`` calls an hour of ``--call-minutes`` each (the measured RTF scaled to
that length) on ``--workers`` job workers for 8 hours and reports the longest queue and wait.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.analytics.analysis import analyze  # noqa: E402
from callcenter.analytics.riskwords import load_risk_lists  # noqa: E402
from callcenter.analytics.scorecard import load_scorecard  # noqa: E402
from callcenter.analytics.transcribe import read_stereo, transcribe_sides, word_recognizer  # noqa: E402
from callcenter.speech.audio import MODEL_RATE, downmix, resample  # noqa: E402
from tests.analytics.callgen import Line, write_call  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "analytics"

SCRIPTS = {
    "en": ({"caller": "en-us+m3", "agent": "en-us"}, [
        [Line("agent", "thank you for calling, my name is anna", at=0.5),
         Line("caller", "hello, my internet has not worked since yesterday"),
         Line("agent", "i am sorry to hear that, what is your account number"),
         Line("caller", "it is four five six seven eight"),
         Line("agent", "thank you, please hold the line while i check", gap=0.5),
         Line("agent", "thank you for holding, there is a fault in your area", at=30.0),
         Line("caller", "this is ridiculous, i want a refund", gain_db=6, pitch=80),
         Line("agent", "i understand, i will credit your account"),
         Line("caller", "fine, thank you"),
         Line("agent", "is there anything else, goodbye")],
        [Line("agent", "good morning, this is the help desk", at=0.4),
         Line("caller", "i would like to cancel my account"),
         Line("agent", "may i ask why you want to leave"),
         Line("caller", "the service is too slow and too expensive"),
         Line("agent", "i can offer you a better price"),
         Line("caller", "no thank you, please cancel it"),
         Line("agent", "done, is there anything else"),
         Line("caller", "no, goodbye")]]),
    "ko": ({"caller": "ko+m3", "agent": "ko"}, [
        [Line("agent", "안녕하세요 고객센터입니다 무엇을 도와드릴까요", at=0.4),
         Line("caller", "인터넷이 어제부터 안 돼요"),
         Line("agent", "불편을 드려 죄송합니다 잠시만 기다려 주세요"),
         Line("agent", "확인해 보니 지역 장애가 있습니다", at=25.0),
         Line("caller", "너무 불편 해요 환불 해 주세요", gain_db=6, pitch=80),
         Line("agent", "네 처리해 드리겠습니다 감사합니다")]]),
}


def cpu() -> float:
    return time.process_time()


def run_one(path: Path, lang: str, speech, risk, cards) -> dict:
    language = {"en": "en-US", "ko": "ko-KR"}[lang]
    rec = word_recognizer(speech, language)
    caller, agent, rate = read_stereo(path)
    duration = len(caller) / rate
    rec.words(np.zeros(MODEL_RATE // 2, dtype=np.int16), language)        # model loaded before timing
    t0 = cpu()
    transcript, ca, ag = transcribe_sides(caller, agent, rate, language, rec)
    analysis = analyze(transcript, ca, ag, queue="support", risk=risk, scorecards=cards)
    ours = cpu() - t0
    mono = downmix(np.stack([caller, agent], axis=1).reshape(-1), 2)
    t0 = cpu()
    words = rec.words(resample(mono, rate, MODEL_RATE), language)
    base = cpu() - t0
    return {"lang": lang, "audio_s": round(duration, 1), "ours_cpu_s": round(ours, 2), "baseline_cpu_s": round(base, 2),
            "ours_rtf": round(ours / duration, 3), "baseline_rtf": round(base / duration, 3),
            "words": len(transcript.words), "baseline_words": len(words), "risk_hits": len(analysis["risk_hits"]),
            "score": (analysis["qa"] or {}).get("score")}


def backlog(rate_per_h: float, call_s: float, rtf: float, workers: int, hours: float = 8.0) -> dict:
    """Calls arriving evenly; each needs call_s * rtf CPU seconds on one worker. Longest queue and wait."""
    service = call_s * rtf
    free = [0.0] * workers
    longest_wait, longest_queue, waits = 0.0, 0, []
    n = int(rate_per_h * hours)
    starts = []
    for i in range(n):
        arrive = i * 3600.0 / rate_per_h + call_s          # the job is queued when the call ends
        k = min(range(workers), key=lambda j: free[j])
        start = max(arrive, free[k])
        free[k] = start + service
        waits.append(start - arrive)
        starts.append(start)
        longest_queue = max(longest_queue, sum(1 for s in starts if s > arrive))
    longest_wait = max(waits) if waits else 0.0
    load = rate_per_h * service / (3600.0 * workers)
    return {"calls_per_hour": rate_per_h, "call_minutes": round(call_s / 60, 1), "rtf": rtf, "workers": workers,
            "utilisation": round(load, 3), "longest_queue": longest_queue, "longest_wait_min": round(longest_wait / 60, 1),
            "stable": load < 1.0, "max_calls_per_hour": int(workers * 3600.0 / service) if service else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=2, help="calls per language (scripts repeat with other voices)")
    ap.add_argument("--lang", choices=("en", "ko", "both"), default="both")
    ap.add_argument("--rate", type=float, default=200.0, help="recorded calls per hour for the backlog")
    ap.add_argument("--call-minutes", type=float, default=4.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    from callcenter.config import SpeechSection
    from callcenter.speech.service import SpeechService
    speech = SpeechService(SpeechSection())
    risk = load_risk_lists(FIX / "risk_words.yaml")
    cards = [load_scorecard(FIX / "scorecards" / "support.yaml")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for lang in (("en", "ko") if args.lang == "both" else (args.lang,)):
            voices, scripts = SCRIPTS[lang]
            for i in range(args.calls):
                path = Path(tmp) / f"{lang}{i}.wav"
                write_call(path, scripts[i % len(scripts)], voices, speed=150 + 15 * (i // len(scripts)))
                rows.append(run_one(path, lang, speech, risk, cards))
                print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    out = {"calls": rows, "summary": {}, "backlog": []}
    print("\n| language | calls | audio s | ours CPU s | RTF ours | baseline (whole mixed file) CPU s | RTF baseline "
          "| audio h per CPU h, ours / baseline |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for lang in sorted({r["lang"] for r in rows}):
        rs = [r for r in rows if r["lang"] == lang]
        audio = sum(r["audio_s"] for r in rs)
        ours = sum(r["ours_cpu_s"] for r in rs)
        base = sum(r["baseline_cpu_s"] for r in rs)
        s = {"audio_s": audio, "ours_cpu_s": ours, "baseline_cpu_s": base, "rtf": round(ours / audio, 3),
             "baseline_rtf": round(base / audio, 3)}
        out["summary"][lang] = s
        print(f"| {lang} | {len(rs)} | {audio:.0f} | {ours:.1f} | {s['rtf']:.3f} | {base:.1f} | {s['baseline_rtf']:.3f} "
              f"| {audio / max(ours, 1e-9):.2f} / {audio / max(base, 1e-9):.2f} |")
        out["backlog"].append({"lang": lang, **backlog(args.rate, args.call_minutes * 60, s["rtf"], args.workers)})
    print(f"\nbacklog, {args.rate:g} calls/h of {args.call_minutes:g} min on {args.workers} workers, 8 h:")
    for b in out["backlog"]:
        print(f"  {b['lang']}: utilisation {b['utilisation']:.0%}, longest queue {b['longest_queue']} job(s), "
              f"longest wait {b['longest_wait_min']} min ({'stable' if b['stable'] else 'GROWS without bound'}); "
              f"kept up with up to {b['max_calls_per_hour']} calls/h")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
