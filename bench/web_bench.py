#!/usr/bin/env python3
"""Wallboard benchmark, measured in the browser (Debian chromium through Python Playwright).

The server side is the real HTTP layer (``create_web_app``: the pages, the REST routes, the WebSocket hub)
over a synthetic engine of A agents in Q queues (each agent in 5 queues, a few callers waiting per queue,
a day of report history), while E events per second (agents changing state) go out on the bus and the
queue view goes out every second (what the wallboard asks for: ``/api/ws?every=1&members=0``).

Two builds of the pages side by side in one run, each served by its own server over the same engine:
the **baseline** (the built ``callcenter/web/static`` of git revision ``--baseline``, the wallboard before
the load-time work, taken with ``git archive``) and the **current** one (this package's), loads
alternating between them so that the machine's load weighs on both alike. It prints, for the
wallboard at 1280x800, each figure for both and their ratio (current / baseline):

* **first render**: from navigation start to the moment every queue tile and every agent card is in the
  page (a MutationObserver installed before the page loads notes the time), median and p90 of N loads,
  in a **new browser context** (new renderer process, empty cache: the goal's case) and on a **reload**
  of the open board; the CPU of all chromium processes during it; the bytes that crossed the network
  until then (HTML, scripts, styles, data: ``transferSize``, so compression and the cache count);
* **update cost**: main-thread time the page spends per second of live updates (Chrome's own
  ``Performance.getMetrics``: tasks, script, layout, style), and per event;
* **update latency**: from an agent event leaving the server to that agent's card showing the new
  state (median, p95), and how many DOM nodes an update touches.

Usage: ``python bench/web_bench.py [--agents 200] [--queues 50] [--rate 20] [--seconds 20] [--loads 10]
[--baseline REV | --baseline none | --baseline-dir DIR]``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import io
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
# the last build before the wallboard's load-time work (docs/web.md, "Wallboard cost")
BASELINE_REV = "4058580cdb95151f41add666bc234681dd0e3249"
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


def baseline_pages(rev: str, into: Path) -> Path:
    """The built pages of git revision ``rev`` (callcenter/web/static is committed) unpacked under ``into``."""
    try:
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "callcenter/web/static"], check=True,
                             capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        err = getattr(exc, "stderr", b"") or b""
        sys.exit(f"web_bench: cannot take the baseline pages of {rev} with git archive: "
                 f"{err.decode(errors='replace').strip() or exc} (--baseline none skips the comparison)")
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(into, filter="data")
    return into / "callcenter" / "web" / "static"


async def serve(engine: SyntheticEngine, bus: EventBus, static_dir: Path | None = None) -> tuple[web.AppRunner, str]:
    async def health():
        return {"status": "ok"}
    app = create_web_app(WebDeps(health=health, version_info=lambda: {}, now=time.time, bus=bus, engine=engine,
                                 tokens={TOKEN: {"user": "bench", "role": "supervisor"}},
                                 web_settings={"pause_reasons": list(REASONS), "wrapup_codes": ["resolved"],
                                               "alert_waiting": 3, "alert_longest_wait": 120.0,
                                               "alert_abandon_rate": 10.0},
                                 static_dir=static_dir))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = site._server.sockets[0].getsockname()[:2]
    return runner, f"http://{host}:{port}"


RENDERED = "callcenter-bench: the board is drawn"
INIT = """
localStorage.setItem('callcenter.session', JSON.stringify(%(session)s));
localStorage.setItem('callcenter.lang', 'en');
window.__bench = {rendered: null, changes: [], touched: 0};
new MutationObserver((records) => {
  const b = window.__bench;
  b.touched += records.length;
  if (b.rendered === null && document.querySelectorAll('.qtile').length === %(queues)d
      && document.querySelectorAll('.acard').length === %(agents)d) {
    b.rendered = performance.now();
    console.debug('%(rendered)s');
  }
  for (const r of records) {
    if (r.type === 'attributes' && r.attributeName === 'data-state' && r.target.dataset.testid)
      b.changes.push([r.target.dataset.testid.slice(6), r.target.dataset.state, Date.now()]);
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


async def first_render(browser, url: str, init: str, reloads: int = 0) -> list[dict[str, float]]:
    """One load in a fresh context (new renderer process, empty cache), then ``reloads`` reloads of the
    same page (renderer and cache kept: a wall display reopening the board)."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800})
    await ctx.add_init_script(init)
    page = await ctx.new_page()
    out = [await _load(page, lambda: page.goto(url + "/#/wallboard"))]
    for _ in range(reloads):
        out.append(await _load(page, page.reload))
    await ctx.close()
    return out


async def drawn(page, go) -> None:
    """``go()`` (a navigation), then wait for the page's console to say the board is drawn (the init script
    says so: polling with wait_for_function would inject Playwright's helper script into the page and
    run it on the page's main thread while it is drawing)."""
    async with page.expect_console_message(lambda m: m.text == RENDERED, timeout=30000):
        await go()


async def _load(page, go) -> dict[str, float]:
    cpu0 = chromium_cpu_seconds()
    await drawn(page, go)
    cpu1 = chromium_cpu_seconds()
    out = await page.evaluate("""() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const until = window.__bench.rendered;
      const res = performance.getEntriesByType('resource').filter(r => r.startTime <= until);
      const js = res.filter(r => r.name.endsWith('.js'));
      return {rendered: until, dcl: nav.domContentLoadedEventEnd, requests: 1 + res.filter(r => r.transferSize > 0).length,
              kb: (nav.transferSize + res.reduce((a, r) => a + (r.transferSize || 0), 0)) / 1024,
              js_kb: js.reduce((a, r) => a + (r.decodedBodySize || 0), 0) / 1024, js_files: js.length};
    }""")
    out["cpu_ms"] = 1000 * (cpu1 - cpu0)
    return out


async def live_updates(browser, urls: dict[str, str], init: str, engine: SyntheticEngine, bus: EventBus,
                       rate: float, seconds: float) -> dict[str, dict[str, Any]]:
    """Every build's board open at once (one browser context each), all fed the same events over the same
    seconds, so the machine's load weighs on each alike; each page's own main-thread metrics."""
    pages = {}
    for name, url in urls.items():
        ctx = await browser.new_context(viewport={"width": 1280, "height": 800})
        await ctx.add_init_script(init)
        page = await ctx.new_page()
        await drawn(page, lambda: page.goto(url + "/#/wallboard"))
        cdp = await ctx.new_cdp_session(page)
        await cdp.send("Performance.enable")
        pages[name] = (ctx, page, cdp)
    await asyncio.sleep(2.0)                                 # the sockets are up, the first views applied

    async def metrics(cdp) -> dict[str, float]:
        m = await cdp.send("Performance.getMetrics")
        return {x["name"]: x["value"] for x in m["metrics"]}

    before = {}
    for name, (_, page, cdp) in pages.items():
        await page.evaluate("() => { window.__bench.changes = []; window.__bench.touched = 0; }")
        before[name] = await metrics(cdp)
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
    out = {}
    for name, (ctx, page, cdp) in pages.items():
        after = await metrics(cdp)
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
        d = {k: after.get(k, 0) - before[name].get(k, 0)
             for k in ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")}
        out[name] = {"events": n, "elapsed": elapsed, "task_ms_per_s": 1000 * d["TaskDuration"] / elapsed,
                     "script_ms_per_s": 1000 * d["ScriptDuration"] / elapsed,
                     "layout_style_ms_per_s": 1000 * (d["LayoutDuration"] + d["RecalcStyleDuration"]) / elapsed,
                     "task_ms_per_event": 1000 * d["TaskDuration"] / max(1, n),
                     "latency_ms": lat, "matched": len(lat), "mutations_per_s": bench["touched"] / elapsed}
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def row(label: str, unit: str, base: float | None, cur: float, fmt: str = "{:.0f}") -> str:
    """one printed line: the figure for the baseline, the current build, and their ratio"""
    b = "" if base is None else fmt.format(base) + unit
    ratio = "" if base is None or not base else f"{cur / base:.2f}"
    return f"  {label:<54s}{b:>12s}{fmt.format(cur) + unit:>12s}{ratio:>8s}"


def load_rows(name: str, base: list[dict] | None, cur: list[dict]) -> list[str]:
    def fig(loads, f):
        return None if loads is None else f(loads)
    med = lambda k: lambda loads: statistics.median(x[k] for x in loads)   # noqa: E731
    return [
        row(f"{name}: median", " ms", fig(base, med("rendered")), med("rendered")(cur)),
        row(f"{name}: p90", " ms", fig(base, lambda x: pct([y["rendered"] for y in x], 90)),
            pct([y["rendered"] for y in cur], 90)),
        row(f"{name}: worst", " ms", fig(base, lambda x: max(y["rendered"] for y in x)),
            max(y["rendered"] for y in cur)),
        row(f"{name}: CPU of chromium (median)", " ms", fig(base, med("cpu_ms")), med("cpu_ms")(cur)),
        row(f"{name}: bytes transferred (median)", " KiB", fig(base, med("kb")), med("kb")(cur)),
        row(f"{name}: requests to the server until drawn (median)", "", fig(base, med("requests")), med("requests")(cur)),
    ]


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--queues", type=int, default=50)
    ap.add_argument("--rate", type=float, default=20.0, help="agent events per second")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each live-update run")
    ap.add_argument("--loads", type=int, default=10, help="new-context loads per build (each followed by 2 reloads)")
    ap.add_argument("--baseline", default=BASELINE_REV,
                    help="git revision whose built pages are the baseline ('none': only the current build)")
    ap.add_argument("--baseline-dir", type=Path, default=None,
                    help="a directory of built pages (another build's callcenter/web/static) as the baseline")
    args = ap.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"web_bench: needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.async_api import async_playwright

    for noisy in ("aiohttp", "callcenter.api"):     # closing pages reset their sockets mid-answer: not news
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: None if isinstance(
        ctx.get("exception"), ConnectionError) else loop.default_exception_handler(ctx))
    engine = SyntheticEngine(args.agents, args.queues)
    bus = EventBus()
    session = json.dumps({"token": TOKEN, "user": "bench", "role": "supervisor", "agent": None, "expires_at": None})
    init = INIT % {"session": session, "queues": args.queues, "agents": args.agents, "rendered": RENDERED}
    with tempfile.TemporaryDirectory(prefix="web-bench-") as tmp:
        servers = {}
        if args.baseline_dir is not None:
            if not (args.baseline_dir / "index.html").is_file():
                sys.exit(f"web_bench: --baseline-dir {args.baseline_dir} has no index.html (built pages expected)")
            servers["baseline"] = await serve(engine, bus, args.baseline_dir)
            args.baseline = str(args.baseline_dir)
        elif args.baseline != "none":
            servers["baseline"] = await serve(engine, bus, baseline_pages(args.baseline, Path(tmp)))
        servers["current"] = await serve(engine, bus)
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                print(f"wallboard at 1280x800, {args.agents} agents, {args.queues} queues, chromium {browser.version}, "
                      f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start "
                      f"(wall times grow with it); baseline: the pages of {args.baseline[:40]}")
                for _, url in servers.values():
                    await first_render(browser, url, init)       # warm-up (disk cache of the process, JIT)
                cold: dict[str, list] = {k: [] for k in servers}
                warm: dict[str, list] = {k: [] for k in servers}
                for _ in range(args.loads):                      # alternate, so the machine's load hits both alike
                    for name, (_, url) in servers.items():
                        first, *again = await first_render(browser, url, init, reloads=2)
                        cold[name].append(first)
                        warm[name] += again
                base = "baseline" if "baseline" in servers else None
                print(f"first render (navigation start -> {args.queues} tiles + {args.agents} cards in the page), "
                      f"{args.loads} new contexts + {2 * args.loads} reloads per build, load average "
                      f"{os.getloadavg()[0]:.1f} at the end")
                print(f"  {'':<54s}{'baseline':>12s}{'current':>12s}{'ratio':>8s}")
                for label, loads in (("new browser context", cold), ("reload of the open board", warm)):
                    for line in load_rows(label, loads[base] if base else None, loads["current"]):
                        print(line)
                for name in servers:
                    c = cold[name][0]
                    print(f"  {name}: JavaScript until drawn {c['js_kb']:.0f} KiB (uncompressed) in {c['js_files']} files")
                lives = await live_updates(browser, {name: url for name, (_, url) in servers.items()}, init, engine,
                                           bus, args.rate, args.seconds)
                u = lives["current"]
                b = lives.get("baseline")
                print(f"live updates: {u['events']} agent events at {args.rate:g}/s + the queue view every second for "
                      f"{u['elapsed']:.0f} s, every build's board open at once (charts included), load average {os.getloadavg()[0]:.1f}")
                for label, key, unit, fmt in (("main thread busy per second", "task_ms_per_s", " ms", "{:.0f}"),
                                              ("  of which script", "script_ms_per_s", " ms", "{:.0f}"),
                                              ("  of which layout + style", "layout_style_ms_per_s", " ms", "{:.0f}"),
                                              ("main thread per event", "task_ms_per_event", " ms", "{:.2f}"),
                                              ("DOM mutation records per second", "mutations_per_s", "", "{:.0f}")):
                    print(row(label, unit, b[key] if b else None, u[key], fmt))
                for label, f in (("event -> card: median", lambda x: pct(x, 50)), ("event -> card: p95", lambda x: pct(x, 95)),
                                 ("event -> card: max", lambda x: max(x) if x else float("nan"))):
                    print(row(label, " ms", f(b["latency_ms"]) if b else None, f(u["latency_ms"])))
                print("  events matched on the page: " + ", ".join(f"{k} {v['matched']} of {v['events']}"
                                                                    for k, v in lives.items()))
                await browser.close()
        finally:
            for runner, _ in servers.values():
                await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
