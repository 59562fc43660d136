#!/usr/bin/env python3
"""Wallboard benchmark, measured in the browser (Debian chromium through Python Playwright).

The server side is the real HTTP layer (``create_web_app``: the pages, the REST routes, the WebSocket hub)
over a synthetic engine of A agents in Q queues (each agent in 5 queues, a few callers waiting per queue,
a day of report history), while E events per second (agents changing state) go out on the bus and the
queue view goes out every second (what the wallboard asks for: ``/api/ws?every=1&members=0``).

It prints, for the wallboard at 1280x800:

* **first render**: from navigation start to the moment every queue tile and every agent card is in the
  page (a MutationObserver installed before the page loads notes the time), median and worst of N
  loads, plus the JavaScript the page fetched;
* **update cost**: main-thread time the page spends per second of live updates (Chrome's own
  ``Performance.getMetrics``: tasks, script, layout, style), and per event;
* **update latency**: from an agent event leaving the server to that agent's card showing the new
  state (median, p95), and how many DOM nodes an update touches.

Usage: ``python bench/web_bench.py [--agents 200] [--queues 50] [--rate 20] [--seconds 20] [--loads 5]``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from callcenter.api.app import WebDeps, create_web_app  # noqa: E402
from callcenter.engine.reports import LogEvent  # noqa: E402
from callcenter.events import DomainEvent, EventBus  # noqa: E402
from tests.web.history import day_of_events  # noqa: E402

CHROMIUM = os.environ.get("CALLCENTER_TEST_CHROMIUM", "/usr/bin/chromium")
MARK = f"--callcenter-web-bench={os.getpid()}"        # finds our chromium among others on the machine
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", MARK]
TOKEN = "bench-supervisor"
STATES = ("ready", "on_call", "wrap_up", "paused", "offered")
REASONS = ("break", "lunch", "training")


def chromium_cpu_seconds() -> float:
    """user+system CPU seconds of the chromium we launched (the process with MARK and its descendants)."""
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    roots = []
    tick = os.sysconf("SC_CLK_TCK")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        pid = int(d)
        parent[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
        if MARK.encode() in cmd:
            roots.append(pid)
    mine = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, ppid in parent.items():
            if ppid in mine and pid not in mine:
                mine.add(pid)
                grew = True
    return sum(cpu[p] for p in mine)


class SyntheticEngine:
    """The engine's read side (what the API routes and the hub call) over made-up agents and queues."""

    ready = True

    def __init__(self, n_agents: int, n_queues: int, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        now = time.time()
        self.queue_names = [f"q{i:02d}" for i in range(n_queues)]
        self.agents: dict[str, dict[str, Any]] = {}
        for i in range(n_agents):
            aid = f"agent{i:03d}"
            queues = sorted({self.queue_names[(i * 7 + k * 11) % n_queues] for k in range(5)})
            self.agents[aid] = {
                "agent_id": aid, "name": f"Agent {i:03d}", "state": self.rng.choice(STATES), "reason": None,
                "pause_reason": None, "state_since": now - self.rng.uniform(0, 900), "time_in_state": 0.0,
                "phone": f"PJSIP/{3000 + i}", "interface": f"PJSIP/{3000 + i}", "extension": str(3000 + i),
                "login_time": now - 3600, "calls_taken": self.rng.randint(0, 40), "last_call": now - 60,
                "call_id": None, "queues": queues, "skills": {"billing": 3}, "languages": ["en-US"], "missed": 0}
        self.callers: dict[str, list[dict[str, Any]]] = {q: [] for q in self.queue_names}
        self.next_call = 0
        self.stats = {q: {"offered": self.rng.randint(20, 200)} for q in self.queue_names}
        for q in self.queue_names:
            for _ in range(self.rng.randint(0, 4)):
                self._add_caller(q, now)
        self.rows = [LogEvent(**r) for r in day_of_events(now - 8 * 3600, 8, queues=tuple(self.queue_names[:10]),
                                                           agents=tuple(list(self.agents)[:40]))]

    def _add_caller(self, q: str, now: float) -> None:
        self.next_call += 1
        self.callers[q].append({"call_id": f"c{self.next_call}", "caller": f"555{self.next_call:04d}",
                                "joined": now, "priority": self.rng.randint(0, 3)})

    def now(self) -> float:
        return time.time()

    def agents_status(self) -> list[dict]:
        now = self.now()
        return [{**a, "time_in_state": round(now - a["state_since"], 1)} for a in self.agents.values()]

    def agent_status(self, agent_id: str) -> dict:
        return {**self.agents[agent_id], "wrapup_until": None}

    def queue_status(self, q: str) -> dict:
        now = self.now()
        members = [a for a in self.agents.values() if q in a["queues"]]
        states: dict[str, int] = {}
        for a in members:
            states[a["state"]] = states.get(a["state"], 0) + 1
        callers = [{"position": i + 1, "call_id": c["call_id"], "channel": "", "caller": c["caller"],
                    "wait": round(now - c["joined"], 1), "priority": c["priority"], "state": "waiting",
                    "requirement": None, "callback": None} for i, c in enumerate(self.callers[q])]
        offered = self.stats[q]["offered"]
        abandoned = offered // 12
        return {"name": q, "strategy": "longest-idle", "calls_waiting": len(callers), "max_waiting": 0, "weight": 0,
                "holdtime": 14.2, "talktime": 181.0, "completed": offered - abandoned, "abandoned": abandoned,
                "overflowed": 0, "offered": offered, "answered": offered - abandoned,
                "service_level": round(60 + (offered * 7919 % 400) / 10, 1), "service_level2": None, "sl_target": 20,
                "sl_percent": 80.0, "asa": 14.2, "aht": 181.0, "abandon_rate": round(100 * abandoned / offered, 1),
                "occupancy": 71.0, "longest_wait": max((c["wait"] for c in callers), default=0.0), "ewt": 30,
                "staffed": len(members), "agents_ready": states.get("ready", 0), "agent_states": states,
                "members": [{**a, "penalty": 0} for a in members], "callers": callers}

    def queues_status(self) -> list[dict]:
        return [self.queue_status(q) for q in self.queue_names]

    def snapshot(self) -> dict:
        return {"queues": [], "agent_states": {}, "calls_active": 0}

    def sl_targets(self) -> dict[str, float]:
        return {q: 20.0 for q in self.queue_names}

    async def event_rows(self, start: float, end: float) -> list:
        return [r for r in self.rows if start <= r.ts < end]

    async def cdrs(self, *a, **k) -> list:
        return []

    # -- the load ------------------------------------------------------------------------------------
    def agent_event(self) -> DomainEvent:
        aid = self.rng.choice(list(self.agents))
        a = self.agents[aid]
        state = self.rng.choice([s for s in STATES if s != a["state"]])
        now = self.now()
        reason = self.rng.choice(REASONS) if state == "paused" else None
        a.update(state=state, reason=reason, pause_reason=reason, state_since=now)
        return DomainEvent("AgentStateChanged", now, agent_id=aid, data={"state": state, "reason": reason})

    def churn_queues(self) -> None:
        now = self.now()
        for q in self.rng.sample(self.queue_names, max(1, len(self.queue_names) // 5)):
            if self.callers[q] and self.rng.random() < 0.5:
                self.callers[q].pop(0)
            else:
                self._add_caller(q, now)
                self.stats[q]["offered"] += 1


async def serve(engine: SyntheticEngine, bus: EventBus) -> tuple[web.AppRunner, str]:
    async def health():
        return {"status": "ok"}
    app = create_web_app(WebDeps(health=health, version_info=lambda: {}, now=time.time, bus=bus, engine=engine,
                                 tokens={TOKEN: {"user": "bench", "role": "supervisor"}},
                                 web_settings={"pause_reasons": list(REASONS), "wrapup_codes": ["resolved"],
                                               "alert_waiting": 3, "alert_longest_wait": 120.0,
                                               "alert_abandon_rate": 10.0}))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = site._server.sockets[0].getsockname()[:2]
    return runner, f"http://{host}:{port}"


INIT = """
localStorage.setItem('callcenter.session', JSON.stringify(%(session)s));
localStorage.setItem('callcenter.lang', 'en');
window.__bench = {rendered: null, changes: [], touched: 0};
new MutationObserver((records) => {
  const b = window.__bench;
  b.touched += records.length;
  if (b.rendered === null && document.querySelectorAll('.qtile').length === %(queues)d
      && document.querySelectorAll('.acard').length === %(agents)d) b.rendered = performance.now();
  for (const r of records) {
    if (r.type === 'attributes' && r.attributeName === 'data-state' && r.target.dataset.testid)
      b.changes.push([r.target.dataset.testid.slice(6), r.target.dataset.state, Date.now()]);
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


async def first_render(browser, url: str, init: str, reloads: int = 0) -> list[dict[str, float]]:
    """One load in a fresh context (new renderer process, empty cache), then ``reloads`` reloads of the
    same page (renderer and cache kept: a wall display reopening the board)."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)   # page polling
    await ctx.add_init_script(init)
    page = await ctx.new_page()
    out = [await _load(page, lambda: page.goto(url + "/#/wallboard"))]
    for _ in range(reloads):
        out.append(await _load(page, page.reload))
    await ctx.close()
    return out


async def _load(page, go) -> dict[str, float]:
    cpu0 = chromium_cpu_seconds()
    await go()
    await page.wait_for_function("window.__bench && window.__bench.rendered !== null", timeout=30000)
    cpu1 = chromium_cpu_seconds()
    out = await page.evaluate("""() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const js = performance.getEntriesByType('resource').filter(r => r.name.endsWith('.js'));
      return {rendered: window.__bench.rendered, dcl: nav.domContentLoadedEventEnd,
              js_kb: js.reduce((a, r) => a + (r.decodedBodySize || 0), 0) / 1024, js_files: js.length};
    }""")
    out["cpu_ms"] = 1000 * (cpu1 - cpu0)
    return out


async def live_updates(browser, url: str, init: str, engine: SyntheticEngine, bus: EventBus, rate: float,
                       seconds: float) -> dict[str, Any]:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)   # page polling
    await ctx.add_init_script(init)
    page = await ctx.new_page()
    await page.goto(url + "/#/wallboard")
    await page.wait_for_function("window.__bench && window.__bench.rendered !== null", timeout=30000)
    await asyncio.sleep(2.0)                                 # the socket is up, the first views applied
    cdp = await ctx.new_cdp_session(page)
    await cdp.send("Performance.enable")

    async def metrics() -> dict[str, float]:
        m = await cdp.send("Performance.getMetrics")
        return {x["name"]: x["value"] for x in m["metrics"]}

    await page.evaluate("() => { window.__bench.changes = []; window.__bench.touched = 0; }")
    before = await metrics()
    sent: list[tuple[str, str, float]] = []
    t0 = time.monotonic()
    n = 0
    next_churn = t0 + 1.0
    while time.monotonic() - t0 < seconds:
        ev = engine.agent_event()
        sent.append((ev.agent_id, ev.data["state"], time.time() * 1000))
        bus.publish(ev)
        n += 1
        if time.monotonic() >= next_churn:
            engine.churn_queues()
            next_churn += 1.0
        await asyncio.sleep(max(0.0, t0 + n / rate - time.monotonic()))
    await asyncio.sleep(1.5)                                 # let the last updates land
    elapsed = time.monotonic() - t0
    after = await metrics()
    bench = await page.evaluate("() => window.__bench")
    await ctx.close()

    seen: dict[tuple[str, str], list[float]] = {}
    for aid, state, ts in bench["changes"]:
        seen.setdefault((aid, state), []).append(ts)
    lat = []
    for aid, state, ts in sent:
        later = [t for t in seen.get((aid, state), []) if t >= ts - 5]
        if later:
            lat.append(min(later) - ts)
    d = {k: after.get(k, 0) - before.get(k, 0) for k in ("TaskDuration", "ScriptDuration", "LayoutDuration",
                                                          "RecalcStyleDuration")}
    return {"events": n, "elapsed": elapsed, "task_ms_per_s": 1000 * d["TaskDuration"] / elapsed,
            "script_ms_per_s": 1000 * d["ScriptDuration"] / elapsed,
            "layout_style_ms_per_s": 1000 * (d["LayoutDuration"] + d["RecalcStyleDuration"]) / elapsed,
            "task_ms_per_event": 1000 * d["TaskDuration"] / max(1, n),
            "latency_ms": lat, "matched": len(lat), "mutations_per_s": bench["touched"] / elapsed}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--queues", type=int, default=50)
    ap.add_argument("--rate", type=float, default=20.0, help="agent events per second")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of the live-update run")
    ap.add_argument("--loads", type=int, default=5, help="page loads for the first-render figure")
    args = ap.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"web_bench: needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.async_api import async_playwright

    engine = SyntheticEngine(args.agents, args.queues)
    bus = EventBus()
    runner, url = await serve(engine, bus)
    session = json.dumps({"token": TOKEN, "user": "bench", "role": "supervisor", "agent": None, "expires_at": None})
    init = INIT % {"session": session, "queues": args.queues, "agents": args.agents}
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            print(f"wallboard at 1280x800, {args.agents} agents, {args.queues} queues, chromium {browser.version}, "
                  f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (wall times grow with it)")
            await first_render(browser, url, init)           # warm-up (disk cache of the process, JIT)
            cold, warm = [], []
            for _ in range(args.loads):
                first, *again = await first_render(browser, url, init, reloads=2)
                cold.append(first)
                warm += again
            print(f"first render (navigation start -> {args.queues} tiles + {args.agents} cards in the page):")
            for name, loads in (("new browser context", cold), ("reload of the open board", warm)):
                r = [x["rendered"] for x in loads]
                cpu = [x["cpu_ms"] for x in loads]
                print(f"  {name}: median {statistics.median(r):.0f} ms, worst {max(r):.0f} ms over {len(r)} loads; "
                      f"CPU of all chromium processes median {statistics.median(cpu):.0f} ms "
                      f"(DOMContentLoaded median {statistics.median(x['dcl'] for x in loads):.0f} ms)")
            print(f"  JavaScript fetched: {cold[0]['js_kb']:.0f} KiB in {cold[0]['js_files']} files")
            u = await live_updates(browser, url, init, engine, bus, args.rate, args.seconds)
            print(f"live updates: {u['events']} agent events at {args.rate:g}/s + the queue view every second for "
                  f"{u['elapsed']:.0f} s")
            print(f"  main thread busy {u['task_ms_per_s']:.0f} ms per second ({u['task_ms_per_s'] / 10:.1f}% of one "
                  f"core): script {u['script_ms_per_s']:.0f} ms, layout+style {u['layout_style_ms_per_s']:.0f} ms; "
                  f"{u['task_ms_per_event']:.2f} ms per event")
            lat = u["latency_ms"]
            print(f"  event -> card shows the new state: median {pct(lat, 50):.0f} ms, p95 {pct(lat, 95):.0f} ms, "
                  f"max {max(lat) if lat else float('nan'):.0f} ms ({u['matched']} of {u['events']} matched); "
                  f"{u['mutations_per_s']:.0f} DOM mutation records per second")
            await browser.close()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
