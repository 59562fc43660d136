"""IVR benchmarks, each printed as a ratio against a baseline run side by side in this process.

    python bench/ivr_bench.py [--calls 2000]

* interpreter: calls/s through ``support_en`` with the pure core (``Interpreter.step``), against the
  same calls through the async runner with a scripted channel (the runner's overhead);
* expressions: our safe evaluator against CPython's ``eval`` of the same expression (compiled once);
* loading: full validation of a flow file (YAML with positions + JSON Schema + semantic checks) against
  a bare ``yaml.safe_load`` of the same text.
"""
from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime, timezone
from pathlib import Path

import yaml

from callcenter.clock import FakeClock
from callcenter.speech.api import Recognition
from callcenter.ivr.expr import EvalContext, evaluate, parse
from callcenter.ivr.interpreter import (CollectDigits, Digits, Finish, Interpreter, LanguageSet, Play, PlayDone, Recognize,
                          SetLanguage, Speech)
from callcenter.ivr.loader import load_flow_file, load_flow_text
from callcenter.ivr.runner import run_flow
from callcenter.ivr.testing import ScriptedChannel

FLOW = Path(__file__).resolve().parents[1] / "ivr_flows" / "support_en.yaml"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc).timestamp()
SCRIPTS = [["say:I have a question about my invoice", "12345678#"], ["2", "say:my internet is down"],
           ["", "7", "3"], ["0"]]


def _pure_calls(flow, n: int) -> float:
    interp = Interpreter(flow)
    t0 = time.perf_counter()
    for i in range(n):
        script = list(SCRIPTS[i % len(SCRIPTS)])
        state, actions = interp.start({"caller": "+15550001111", "call_id": str(i)}, NOW, True)
        while not isinstance(actions[-1], Finish):
            a = actions[-1]
            if isinstance(a, Play):
                ev = PlayDone(None)
            elif isinstance(a, SetLanguage):
                ev = LanguageSet(True)
            else:
                item = script.pop(0) if script else ""
                if isinstance(a, Recognize):
                    ev = Speech(Recognition(item[4:], 0.9) if item.startswith("say:") else
                                Recognition("", 1.0, digits=item) if item else Recognition("", 0.0))
                elif isinstance(a, CollectDigits):
                    ev = Digits(item.rstrip("#") if not item.startswith("say:") else "", not item)
                else:
                    ev = PlayDone(None)
            state, actions = interp.step(state, ev, NOW + 1)
    return time.perf_counter() - t0


def _runner_calls(flow, n: int) -> float:
    async def go() -> None:
        clock = FakeClock(NOW)
        for i in range(n):
            ch = ScriptedChannel(list(SCRIPTS[i % len(SCRIPTS)]))
            await run_flow(flow, ch, clock=clock, call_data=ch.info)
    t0 = time.perf_counter()
    asyncio.run(go())
    return time.perf_counter() - t0


def _expr(n: int) -> tuple[float, float]:
    src = "startswith(caller, '+1800') or (len(account) >= 6 and tier == 'gold') or hour() < 8"
    py = "caller.startswith('+1800') or (len(account) >= 6 and tier == 'gold') or hour() < 8"
    ctx = EvalContext({"account": "123456", "tier": "standard"}, {"caller": "+15550001111"}, NOW)
    e = parse(src)
    t0 = time.perf_counter()
    for _ in range(n):
        evaluate(e, ctx)
    ours = time.perf_counter() - t0
    code = compile(py, "<bench>", "eval")
    env = {"caller": "+15550001111", "account": "123456", "tier": "standard", "hour": lambda: 10}
    t0 = time.perf_counter()
    for _ in range(n):
        eval(code, {"__builtins__": {"len": len}}, env)  # noqa: S307 - the baseline, trusted constant
    return ours, time.perf_counter() - t0


def _load(n: int) -> tuple[float, float]:
    text = FLOW.read_text(encoding="utf-8")
    t0 = time.perf_counter()
    for _ in range(n):
        load_flow_text(text, str(FLOW))
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(n):
        yaml.safe_load(text)
    return ours, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args(argv)
    flow = load_flow_file(FLOW)
    n = args.calls
    _pure_calls(flow, 50)                       # warm caches (classifiers, parsed expressions)
    pure = _pure_calls(flow, n)
    runner = _runner_calls(flow, n)
    print(f"interpreter (pure step)   {n / pure:10.0f} calls/s   {pure / n * 1e6:8.1f} us/call")
    print(f"runner + scripted channel {n / runner:10.0f} calls/s   {runner / n * 1e6:8.1f} us/call"
          f"   ratio runner/pure = {runner / pure:.2f}x")
    ours, base = _expr(n * 20)
    print(f"expression evaluate       {ours / (n * 20) * 1e6:8.2f} us   eval() baseline {base / (n * 20) * 1e6:6.2f} us"
          f"   ratio = {ours / base:.2f}x")
    loads = max(10, n // 40)
    ours, base = _load(loads)
    print(f"flow load + validation    {ours / loads * 1e3:8.2f} ms   yaml.safe_load baseline {base / loads * 1e3:6.2f} ms"
          f"   ratio = {ours / base:.2f}x")


if __name__ == "__main__":  # pragma: no cover
    main()
