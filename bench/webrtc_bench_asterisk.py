"""``bench/webrtc_bench.py --asterisk PREFIX``: web calls through a REAL Asterisk (a private instance of the
installation at PREFIX with the project's ``asterisk_conf/``, as the live suite deploys it).

The server runs in this process as ``callcenter serve`` does with ``ami.servers`` and
``media.audiosocket_enabled``: a web caller is an AudioSocket channel originated into ``cc-inbound`` (a
one-key menu, then the queue ``bench``), a browser agent an AudioSocket channel in ``cc-agent-wait`` that
Asterisk bridges to the caller. The browsers (callers and the agents' /phone pages) are aiortc clients in
a second process, so their CPU is not counted.

1. **Leaks**: ``--calls`` web calls, ``--concurrency`` at once, a sixth each (``FATES``): hung up by the
   page during the IVR; answered by a browser agent and hung up by the page; answered and hung up by the
   agent; answered and the tab closed (peer connection closed, no goodbye); answered and the browser's
   network gone (ICE failure: its packets dropped both ways, nothing closed, found by consent expiry or
   ``webrtc.media_timeout``); answered, the page sending its old offer again (a replay, refused 409), then
   hung up by the page. Before (after a warm-up) and after: asyncio tasks, open file
   descriptors, RTCPeerConnection objects, gateway sessions, AudioSocket legs, engine calls, Asterisk
   channels (``core show channels``); and one call record per call.
2. **Calls per core**: ``--pairs`` web calls talking to browser agents through Asterisk at once (a tone
   each way); the server's CPU over ``--seconds`` per real-time call (call-seconds counted from the
   frames the callers' WebRTC legs received), and Asterisk's CPU beside it.
"""
from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webrtc_bench_census import MemoryWatch, channels_left, describe_channel  # noqa: E402

FLOW = """flow: bench
language: en-US
start: menu
nodes:
  menu:
    type: menu
    prompt: {file: beep}
    timeout: 3
    retries: 0
    options:
      - {digit: "1", key: bench, next: q}
    on_fail: q
  q: {type: queue, queue: bench}
"""
TOKEN = "tok-bench"
# how each web call ends, in turn: the outcome it counts when it went as planned
FATES = ("ivr", "answered", "agent hung up", "tab closed", "ice failed", "replay refused")
ICE_SILENCE = 40.0          # an ICE-failed browser's sockets stay open (dropping everything) this long: > 30 s consent


def blackhole(pc) -> None:
    """The browser's network is gone (ICE failure): every packet its ICE sockets would send or receive is
    dropped, and nothing is closed (no DTLS alert, no SCTP ABORT, no ICMP port unreachable)."""
    seen = set()
    for t in [*pc.getTransceivers(), pc.sctp]:
        dtls = getattr(getattr(t, "sender", None), "transport", None) if t is not pc.sctp else getattr(t, "transport", None)
        conn = getattr(getattr(dtls, "transport", None), "_connection", None)
        if conn is None or id(conn) in seen:
            continue
        seen.add(id(conn))
        for proto in conn._protocols:
            if proto.transport is not None:
                proto.transport.sendto = lambda *a, **k: None
            proto.datagram_received = lambda *a, **k: None


def agents(n: int) -> list[dict]:
    return [{"name": f"b{i:02d}", "full_name": f"Bench {i}", "extension": f"{7100 + i}", "skills": {},
             "queues": {"bench": 0}, "languages": ["en-US"]} for i in range(1, n + 1)]


# -- the browsers (a second process) ------------------------------------------------------------------------
async def browsers(url: str, n_agents: int, calls: int, concurrency: int, pairs: int, seconds: float,
                   phases: int = 1) -> None:
    import aiohttp
    import numpy as np

    from callcenter.media.webrtc_client import PeerClient
    t = np.arange(8000 * 120) / 8000
    tone = np.rint(6000 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    http = aiohttp.ClientSession()
    phones: list[PeerClient] = []

    def answering(c_ref: list):
        def on_message(m: dict) -> None:
            if m.get("type") == "ring":
                c_ref[0].send({"type": "answer"})
        return on_message

    lost: list[str] = []              # phones whose connection ended during the run (re-registered)
    stopping = asyncio.Event()

    async def register(a: dict, first: bool) -> PeerClient:
        ref: list = [None]
        c = PeerClient(8000, on_message=answering(ref), keep_audio=False)
        ref[0] = c
        c.say(tone)
        async with http.post(url + "/api/webrtc/phone", json={**await c.offer(), "agent": a["name"]}, headers=auth) as r:
            answer = await r.json()
        await c.accept(answer)
        await asyncio.wait_for(c.opened.wait(), 60)
        if first:
            for path, body in ((f"/api/agents/{a['name']}/login", {"phone": answer["interface"]}),
                               (f"/api/agents/{a['name']}/ready", None)):
                async with http.post(url + path, json=body, headers=auth) as r:
                    assert r.status == 200, await r.text()
        return c

    async def keep_phone(i: int, a: dict) -> None:
        """An agent whose phone's connection ended signs the phone in again (the engine makes them ready
        once it is registered), so a lost phone is counted, not left unanswering for the rest of the run."""
        while not stopping.is_set():
            await phones[i].ended.wait()
            if stopping.is_set():
                return
            lost.append(a["name"])
            print(f"{time.strftime('%H:%M:%S')} phone of {a['name']} lost ({len(lost)} so far): signing in again",
                  file=sys.stderr, flush=True)
            await phones[i].close()
            while not stopping.is_set():
                try:
                    phones[i] = await register(a, first=False)
                    break
                except Exception as exc:  # noqa: BLE001 - said, and tried again
                    print(f"phone of {a['name']} not registered again: {exc!r}", file=sys.stderr, flush=True)
                    await asyncio.sleep(1.0)

    roster = agents(n_agents)
    by_name = {a["name"]: i for i, a in enumerate(roster)}
    for a in roster:
        phones.append(await register(a, first=True))
    keepers = [asyncio.ensure_future(keep_phone(i, a)) for i, a in enumerate(roster)]

    lingering: list[asyncio.Future] = []          # ICE-failed browsers, silent until the server gave up on them

    async def linger(c: PeerClient) -> None:
        await asyncio.sleep(ICE_SILENCE)
        await c.close()

    async def one(fate: int, stay: float = 0.0) -> str:
        c = PeerClient(8000, keep_audio=False)
        handed_over = False
        try:
            offer = await c.offer()
            async with http.post(url + "/webrtc/call", json=offer) as r:
                answer = await r.json()
                if r.status != 200:
                    return f"refused {r.status}"
            await c.accept(answer)
            await asyncio.wait_for(c.opened.wait(), 30)
            if await c.wait_message("call", 20, after=1) is None:      # the engine's call (CallArrived)
                return "no call"
            if fate == 0:
                await asyncio.sleep(0.3)
                await c.hangup()
                return "ivr"
            await asyncio.sleep(0.2)
            c.press("1")
            if not await _talking(c, 60):
                return "not answered"
            c.say(tone)
            await asyncio.sleep(stay or 1.0)
            name = FATES[fate]
            if name == "agent hung up":                                 # the agent ends it on their page
                agent = next((m.get("agent") for m in c.messages if m.get("state") == "talking"), None)
                if agent not in by_name:
                    return f"talking to unknown agent {agent!r}"
                phones[by_name[agent]].send({"type": "end"})
                try:
                    await asyncio.wait_for(c.ended.wait(), 30)
                except asyncio.TimeoutError:
                    return "agent hung up, caller's page not told in 30 s"
                return name
            if name == "tab closed":
                await c.pc.close()                                      # no goodbye (SCTP ABORT, DTLS alert)
                return name
            if name == "ice failed":
                blackhole(c.pc)
                handed_over = True
                lingering.append(asyncio.ensure_future(linger(c)))
                return name
            if name == "replay refused":                                # the old offer again, mid-call
                async with http.post(url + "/webrtc/call", json=offer) as r:
                    if r.status != 409:
                        await c.hangup()
                        return f"replay answered {r.status}"
                await asyncio.sleep(0.5)
                if c.ended.is_set():
                    return "replay ended the call"
            await c.hangup()
            return name
        except Exception as exc:  # noqa: BLE001 - counted as a failure
            return f"error {type(exc).__name__}: {exc}"
        finally:
            if not handed_over:
                await c.close()

    async def run(n: int, first: int = 0) -> dict:
        sem = asyncio.Semaphore(concurrency)
        outcomes: dict[str, int] = {}

        async def slot(i: int) -> None:
            async with sem:
                try:                    # a browser stuck closing (aiortc) is counted, never blocks the run
                    o = await asyncio.wait_for(one((first + i) % len(FATES)), 180)
                except asyncio.TimeoutError:
                    o = "stuck in the browser for 180 s"
                outcomes[o] = outcomes.get(o, 0) + 1
            done = sum(outcomes.values())
            if n >= 50 and done % 50 == 0:                      # progress of a long run, on stderr
                print(f"{time.strftime('%H:%M:%S')} {done}/{n} calls: {outcomes}", file=sys.stderr, flush=True)
        await asyncio.gather(*(slot(i) for i in range(n)))
        await asyncio.gather(*lingering, return_exceptions=True)       # the phase ends once they are closed
        lingering.clear()
        return outcomes

    warm = await run(6)
    print(json.dumps({"warm": warm}), flush=True)
    await _go()                                                         # the server took its baseline
    for phase in range(phases):                                         # the server takes a census after each
        t0 = time.monotonic()
        n = calls // phases + (1 if phase < calls % phases else 0)
        outcomes = await run(n, first=phase)
        print(json.dumps({"calls": outcomes, "seconds": round(time.monotonic() - t0, 1), "phones_lost": len(lost)}),
              flush=True)
        await _go()
    steady = [asyncio.ensure_future(one(1, stay=seconds + 20)) for _ in range(pairs)]
    await asyncio.sleep(1.0)
    print(json.dumps({"steady": pairs}), flush=True)
    print(json.dumps({"steady_outcomes": [await s for s in steady], "phones_lost": len(lost)}), flush=True)
    stopping.set()
    for k in keepers:
        k.cancel()
    await asyncio.gather(*keepers, return_exceptions=True)
    for c in phones:
        await c.hangup()
    await http.close()


async def _go() -> None:
    """Wait for the server's "go" without blocking the event loop: a loop blocked for 30 s (the server settling
    after a long run under load) answers no ICE consent check, and every phone loses its connection, as a
    frozen browser tab would."""
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def _talking(c, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if any(m.get("type") == "status" and m.get("state") == "talking" for m in c.messages):
            return True
        if c.ended.is_set():
            return False
        await asyncio.sleep(0.05)
    return False


# -- the server (this process) --------------------------------------------------------------------------------
def _census(live, svc) -> dict:
    from aiortc import RTCPeerConnection
    gc.collect()
    return {"tasks": len(asyncio.all_tasks()), "fds": len(os.listdir("/proc/self/fd")),
            "peer_connections": sum(1 for o in gc.get_objects() if isinstance(o, RTCPeerConnection)),
            "sessions": len(svc.gateway.sessions), "audiosocket_legs": len(live.app.components["asterisk"].audiosocket.legs),
            "engine_calls": len(live.engine.calls), "webcall_tasks": len(svc.calls.tasks),
            "browser_phones": len(svc.phones.lines), "agent_call_legs": len(svc.phones.channels),
            "asterisk_bridges": len(svc.asterisk.tasks) if svc.asterisk else 0,
            "rings_no_answer": svc.phones.counters["no_answer"]}


def _rss_kb(pid: int | str = "self") -> int:
    for ln in Path(f"/proc/{pid}/status").read_text().splitlines():
        if ln.startswith("VmRSS:"):
            return int(ln.split()[1])
    return 0


async def _settled_census(live, svc, n_agents: int) -> dict:
    """The census once the calls are over (what is left then is what leaked: counted, not asserted)."""
    out: dict = {}
    try:
        await live.settle(60)
        await live.wait_for(lambda: len(svc.gateway.sessions) == n_agents and not svc.calls.tasks
                            and not live.app.components["asterisk"].audiosocket.legs, 30, 0.1)
    except AssertionError:
        out["not_settled_after_s"] = 90
    await asyncio.sleep(1.0)
    return {**await _census_all(live, svc), **out}


async def _census_all(live, svc) -> dict:
    """The server's census plus what Asterisk holds (channels, its RSS and open files)."""
    out = _census(live, svc)
    pid = live.ast.proc.pid
    out["rss_kb"] = _rss_kb()
    out["asterisk_channels"] = len(await live.channels())
    out["asterisk_rss_kb"] = _rss_kb(pid)
    out["asterisk_fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    out["channels_left"] = await channels_left(live)
    out["load"] = os.getloadavg()[0]
    return out


async def _loop_lag(lags: list[float], stop: asyncio.Event) -> None:
    """How late a 100 ms timer fires (ms): how starved this process's event loop is."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        t = loop.time()
        await asyncio.sleep(0.1)
        lags.append((loop.time() - t - 0.1) * 1000)


def _pctl(xs: list[float]) -> list[float]:
    xs = sorted(xs)
    return [round(xs[int(q * (len(xs) - 1))]) for q in (0.5, 0.95, 1.0)] if xs else []


def _asterisk_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def serve(prefix: str, calls: int, concurrency: int, pairs: int, seconds: float,
                log_level: str = "WARNING", phases: int = 1, keep_asterisk: float = 0.0, trace: bool = False,
                guard: bool = True) -> dict:
    import logging
    from tests.live.harness import free_port
    from tests.live.live import Live
    logging.basicConfig(level=getattr(logging, log_level.upper()), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("aiortc", "aioice", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="cc-webrtc-bench-"))
    flows = tmp / "flows"
    flows.mkdir()
    (flows / "bench.yaml").write_text(FLOW)
    n_agents = max(concurrency, pairs)
    live = Live(tmp, {"media.audiosocket_enabled": True, "media.audiosocket_bind": f"127.0.0.1:{free_port()}",
                      "media.audiosocket_max_sessions": 4 * n_agents + 50,
                      "webrtc.host_addresses": ["127.0.0.1"], "webrtc.caller_number": "5000",
                      "webrtc.max_sessions": 4 * n_agents + 50, "webrtc.media_timeout": 30.0,
                      "ivr.flows_dir": str(flows), "ivr.default_flow": "bench", "ivr.fallback_queue": "bench",
                      "speech.enabled": False, "acd.default_wrapup": 0.0, "log.level": log_level,
                      # a loaded machine's ring -> answer round trip can exceed the live tests' 6 s: no agent
                      # is paused for missed rings here (counted: rings_no_answer), the run measures leaks
                      "acd.rona_timeout": 30.0, "acd.rona_strikes": 1000,
                      # --no-overload-guard: every call is taken however late the loop (a leak hunt wants calls)
                      **({} if guard else {"webrtc.max_calls_per_core": 0, "webrtc.overload_seconds": 1e9}),
                      "api.tokens": {TOKEN: {"user": "bench", "role": "supervisor"}}},
                prefix=prefix, agents=agents(n_agents), speech=False,
                queues=[{"name": "bench", "strategy": "longest-idle", "sl_target": 20, "wrapup": 0}])
    result: dict = {"mode": "asterisk", "calls": calls, "concurrency": concurrency, "agents": n_agents}
    try:
        await live.start()
        svc = live.app.components["webrtc"]
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bench" / "webrtc_bench.py"), "--browsers", live.url, "--agents",
            str(n_agents), "--calls", str(calls), "--concurrency", str(concurrency), "--pairs", str(pairs),
            "--seconds", str(seconds), "--phases", str(phases), stdin=subprocess.PIPE, stdout=subprocess.PIPE)

        async def line(timeout: float) -> dict:
            raw = await asyncio.wait_for(proc.stdout.readline(), timeout)
            if not raw:
                raise RuntimeError("the browsers' process ended early (see its stderr above)")
            return json.loads(raw)

        result["warm"] = (await line(300))["warm"]
        await live.settle(60)
        await asyncio.sleep(1.0)
        before = await _census_all(live, svc)
        records0 = len(await live.cdrs())
        watch = MemoryWatch(trace)
        watch.mark()
        result["phases"], result["outcomes"], result["calls_seconds"], lags = [], {}, 0.0, []
        cpu0 = time.process_time()
        for phase in range(phases):
            n = calls // phases + (1 if phase < calls % phases else 0)
            start = before if phase == 0 else result["phases"][-1]["census"]
            proc.stdin.write(b"go\n")
            stop_probe = asyncio.Event()
            probe = asyncio.ensure_future(_loop_lag(lags, stop_probe))
            done = await line(60 + n * 10)
            stop_probe.set()
            await probe
            for k, v in done["calls"].items():
                result["outcomes"][k] = result["outcomes"].get(k, 0) + v
            result["calls_seconds"] += done["seconds"]
            result["phones_lost"] = done.get("phones_lost", 0)
            census = await _settled_census(live, svc, n_agents)
            records = len(await live.cdrs()) - records0 - sum(ph["records"] for ph in result["phases"])
            watch.mark()
            print(f"{time.strftime('%H:%M:%S')} phase {phase + 1}: RSS {census['rss_kb'] // 1024} MB, Asterisk "
                  f"channels {census['asterisk_channels']}", file=sys.stderr, flush=True)
            for ch in census["channels_left"]:
                print("  left: " + describe_channel(ch), file=sys.stderr, flush=True)
            taken = n - sum(v for k, v in done["calls"].items() if k.startswith("refused"))
            result["phases"].append({"calls": n, "taken": taken, "seconds": done["seconds"], "census": census,
                                     "records": records, "outcomes": done["calls"],
                                     "rss_growth_kb_per_call": round((census["rss_kb"] - start["rss_kb"]) / max(1, taken), 1),
                                     **watch.report()})
        watch.stop()
        result["loop_lag"] = _pctl(lags)
        result["server_cpu_per_call_ms"] = round((time.process_time() - cpu0) / max(1, calls) * 1000, 1)
        after = result["phases"][-1]["census"]
        result["records"] = len(await live.cdrs()) - records0
        result["before"], result["after"] = before, after
        result["channels_left"] = after["channels_left"]
        if result["channels_left"] and keep_asterisk:
            print(f"{len(result['channels_left'])} Asterisk channels left; the private Asterisk stays up "
                  f"{keep_asterisk:g} s: {live.ast.binary} -C {live.ast.base}/etc/asterisk.conf -rx 'core show channels'",
                  file=sys.stderr, flush=True)
            for ch in result["channels_left"]:
                print("  " + describe_channel(ch), file=sys.stderr, flush=True)
            await asyncio.sleep(keep_asterisk)
        # -- calls per core through Asterisk
        proc.stdin.write(b"go\n")
        await line(60)
        try:
            await live.wait_for(lambda: sum(1 for c in live.engine.calls.values() if c.state == "talking") >= pairs,
                                60 + 2 * pairs, 0.1)
        except AssertionError:
            result["steady_talking"] = sum(1 for c in live.engine.calls.values() if c.state == "talking")
        await asyncio.sleep(3.0)
        callers = [leg for leg in svc.gateway.sessions.values() if leg.kind == "caller"]
        f0 = sum(leg.frames_in for leg in callers)
        cpu0, wall0, ast0 = time.process_time(), time.monotonic(), _asterisk_cpu(live.ast.proc.pid)
        await asyncio.sleep(seconds)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        ast_cpu = _asterisk_cpu(live.ast.proc.pid) - ast0
        call_seconds = (sum(leg.frames_in for leg in callers) - f0) / 50.0
        result["steady"] = {"pairs": pairs, "seconds": round(wall, 1), "server_cpu_s": round(cpu, 2),
                            "asterisk_cpu_s": round(ast_cpu, 2),
                            "server_cpu_per_call": round(cpu / call_seconds, 4) if call_seconds else None,
                            "calls_per_core": round(call_seconds / cpu, 1) if cpu else None,
                            "asterisk_cpu_per_call": round(ast_cpu / call_seconds, 4) if call_seconds else None,
                            "frames_in_per_caller_per_s": round(call_seconds * 50 / max(1, len(callers)) / wall, 1),
                            "load": os.getloadavg()[0]}
        steady_done = await line(seconds + 120)
        result["steady_outcomes"] = steady_done["steady_outcomes"]
        result["phones_lost_in_all"] = steady_done.get("phones_lost", 0)
        await asyncio.wait_for(proc.wait(), 60)
        result["load"] = os.getloadavg()[0]
    finally:
        await live.close()
    # the baseline beside it, in the same run: the same number of calls bridged by the engine itself (no Asterisk)
    import webrtc_bench
    result["embedded"] = await webrtc_bench.serve(pairs, seconds, "opus")
    return result


def report(r: dict) -> None:
    b, a = r["before"], r["after"]
    print(json.dumps(r))
    print(f"{r['calls']} web calls through Asterisk ({r['concurrency']} at once) in {r['calls_seconds']} s: "
          f"{r['outcomes']}; {r['records']} records; server CPU {r['server_cpu_per_call_ms']} ms per call; browser "
          f"agents' phones lost (and signed in again): {r.get('phones_lost', 0)}; event loop late by "
          f"{r.get('loop_lag', {})} ms (p50/p95/max)")
    for k in (k for k in b if k not in ("load", "channels_left")):
        print(f"  {k:18s} {b[k]:6d} -> {a[k]:6d}" + ("" if a[k] == b[k] else "   <-- differs"))
    if a.get("not_settled_after_s"):
        print(f"  (not back to the baseline {a['not_settled_after_s']} s after the last call)")
    print(f"  Asterisk channels left: {len(r['channels_left'])}")
    for ch in r["channels_left"]:
        print("    " + describe_channel(ch))
    start = b
    for i, ph in enumerate(r["phases"], 1):
        c = ph["census"]
        print(f"  phase {i}: {ph['calls']} calls ({ph['taken']} taken, {ph['records']} records) in {ph['seconds']} s: "
              f"{ph['outcomes']}; fds {start['fds']} -> {c['fds']}, peer connections {start['peer_connections']} -> "
              f"{c['peer_connections']}, agent call legs {start['agent_call_legs']} -> {c['agent_call_legs']}, server RSS "
              f"{start['rss_kb'] // 1024} -> {c['rss_kb'] // 1024} MB ({ph['rss_growth_kb_per_call']} KiB per call "
              f"taken), tasks {start['tasks']} -> "
              f"{c['tasks']}, Asterisk channels {start['asterisk_channels']} -> {c['asterisk_channels']}, "
              f"load {c['load']:.1f}")
        if ph.get("objects_grown"):
            print("    objects grown: " + ", ".join(f"{k} +{n}" for k, n in ph["objects_grown"][:10]))
        for al in ph.get("allocations_grown", [])[:8]:
            print(f"    +{al['kib']} KiB ({al['count']:+d} blocks) at {' < '.join(reversed(al['where']))}")
        for ch in c["channels_left"]:
            print("    channel left: " + describe_channel(ch))
        start = c
    g = [ph["rss_growth_kb_per_call"] for ph in r["phases"]]
    if len(g) >= 2:
        ratio = g[-1] / g[0] if g[0] > 0 else None
        print(f"  RSS growth per call, last phase / first phase: {g[-1]} / {g[0]} KiB"
              + (f" = {ratio:.2f}x: " + ("it levels off" if ratio < 0.5 else "it keeps growing") if ratio else ""))
    s = r["steady"]
    if not s["calls_per_core"]:
        print(f"calls per core not measured: {r.get('steady_talking', 0)} of {s['pairs']} calls were talking")
        return
    e = r.get("embedded") or {}
    print(f"{s['pairs']} web calls talking to browser agents at once, CPU per call-second (per real-time call):")
    print(f"  {'path':48s} {'engine':>8s} {'Asterisk':>9s} {'calls/core (engine)':>20s} {'frames/s':>9s} {'load':>5s}")
    if e.get("cpu_per_call"):
        print(f"  {'embedded: the engine bridges (baseline)':48s} {e['cpu_per_call'] * 100:7.1f}% {'-':>9s} "
              f"{e['calls_per_core']:>20} {e['frames_in_per_leg_per_s']:9.1f} {e['load']:5.1f}")
    print(f"  {'through Asterisk: AudioSocket, Asterisk bridges':48s} {s['server_cpu_per_call'] * 100:7.1f}% "
          f"{s['asterisk_cpu_per_call'] * 100:8.1f}% {s['calls_per_core']:>20} {s['frames_in_per_caller_per_s']:9.1f} "
          f"{s['load']:5.1f}")
    if e.get("cpu_per_call"):
        print(f"  through Asterisk the engine spends {s['server_cpu_per_call'] / e['cpu_per_call']:.2f}x the embedded "
              f"path's CPU per call (4 legs each: 2 WebRTC, 2 AudioSocket, against 2 WebRTC legs); Asterisk adds "
              f"{s['asterisk_cpu_per_call'] / e['cpu_per_call']:.2f}x")
