"""WebRTC calls bridged by the engine per core (the embedded mode's scale), beside a bare-aiortc baseline.

The server side is what the embedded mode runs for a conversation: two WebRTC legs (the caller's and the
browser agent's: decode, resample to 8 kHz, 20 ms frames; paced playout, resample, encode) joined by
``callcenter.media.bridge``. The baseline, measured in the same run just before it for each codec: the same
browsers answered by two bare aiortc peer connections that hand each other's decoded audio straight back
(aiortc's RTP, SRTP, jitter buffer, decode and encode, at the codec's own rate; none of the engine's legs).
The browsers are aiortc clients in another process (so their CPU is not counted), each sending a tone all
the time. After every pair is connected and has settled, the server process's CPU time is measured over
``--seconds``: calls per core = call-seconds / CPU-seconds, where the call-seconds are counted from the
frames the legs received (50 per second per leg), so a machine too busy to deliver every frame does not
flatter the figure. The load average is printed with every figure.

    python bench/webrtc_bench.py --pairs 10 --seconds 20                 # Opus and G.711, each with its baseline
    python bench/webrtc_bench.py --pairs 10 --seconds 20 --codec opus

``--asterisk PREFIX`` measures web calls through a real Asterisk instead (a private instance of the
installation at PREFIX, the project's asterisk_conf): leaks after ``--calls`` web calls run ``--concurrency``
at once, then ``--pairs`` calls talking at once with the engine's and Asterisk's CPU measured separately,
beside the same number of calls bridged by the engine alone (``bench/webrtc_bench_asterisk.py``):

    python bench/webrtc_bench.py --asterisk /opt/asterisk --calls 1000 --concurrency 10 --pairs 10

Loopback only (host candidates on 127.0.0.1).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web  # noqa: E402

from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription  # noqa: E402

from callcenter.media.bridge import bridge  # noqa: E402
from callcenter.media.webrtc import WebRTCGateway, WebRTCSettings  # noqa: E402
from callcenter.media.webrtc_client import PeerClient  # noqa: E402


# -- the browsers (a separate process) ------------------------------------------------------------------
async def clients(url: str, pairs: int, seconds: float, codec: str) -> None:
    import aiohttp
    import numpy as np
    t = np.arange(8000 * 600) / 8000
    tone = np.rint(6000 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes()
    peers: list[PeerClient] = []
    async with aiohttp.ClientSession() as http:
        for _ in range(pairs):
            offers = []
            for _side in range(2):
                c = PeerClient(8000, keep_audio=False)
                if codec != "opus":
                    for tr in c.pc.getTransceivers():
                        from aiortc.rtcrtpsender import RTCRtpSender
                        caps = RTCRtpSender.getCapabilities("audio").codecs
                        tr.setCodecPreferences([x for x in caps if x.mimeType.lower() == f"audio/{codec.lower()}"])
                c.say(tone)
                peers.append(c)
                offers.append(await c.offer())
            async with http.post(url + "/pair", json=offers) as r:
                answers = await r.json()
            for c, a in zip(peers[-2:], answers):
                await c.accept(a)
        await asyncio.gather(*(asyncio.wait_for(c.opened.wait(), 30) for c in peers))
        print("connected", flush=True)
        await asyncio.sleep(seconds + 6)
        heard = sum(c.frames_heard for c in peers)
        print(json.dumps({"client_frames_heard": heard}), flush=True)
        for c in peers:
            await c.close()


# -- the server (this process) ----------------------------------------------------------------------------
class CountingRelay(MediaStreamTrack):
    """The baseline's relay: the frames aiortc decoded from one browser, as they are, to the other browser."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.source = source
        self.frames_in = 0

    async def recv(self):
        frame = await self.source.recv()
        self.frames_in += max(1, round(frame.samples / frame.sample_rate / 0.02))
        return frame


async def _relay_pair(offers: list, config: RTCConfiguration) -> tuple[list, list]:
    """Baseline: two bare aiortc peer connections whose decoded audio goes straight to each other (aiortc's
    RTP, SRTP, jitter buffer, decode and encode; none of the engine's legs, resampling, pacing or bridge)."""
    pcs = [RTCPeerConnection(configuration=config) for _ in offers]
    tracks: list = [None, None]
    for i, pc in enumerate(pcs):
        pc.on("track", lambda t, i=i: tracks.__setitem__(i, t) if t.kind == "audio" else None)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offers[i]["sdp"], type="offer"))
    if None in tracks:
        raise RuntimeError("baseline relay: an offer without audio")
    relays = [CountingRelay(tracks[1]), CountingRelay(tracks[0])]
    answers = []
    for pc, relay in zip(pcs, relays):
        pc.addTrack(relay)
        await pc.setLocalDescription(await pc.createAnswer())
        answers.append({"type": "answer", "sdp": pc.localDescription.sdp})
    return pcs + relays, answers


async def serve(pairs: int, seconds: float, codec: str, baseline: bool = False) -> dict:
    """``pairs`` bridged calls measured: the engine's WebRTC legs and bridge, or (``baseline``) bare aiortc
    peer connections relaying each other's audio, the browsers in a second process."""
    settings = WebRTCSettings(host_addresses=("127.0.0.1",), max_sessions=2 * pairs + 10, media_timeout=60)
    gw = WebRTCGateway(settings)
    bridges: list[asyncio.Task] = []
    legs: list = []                   # whatever counts frames_in: WebRTC legs, or the baseline's relays
    raw: list = []                    # the baseline's peer connections

    async def pair(request: web.Request) -> web.Response:
        offers = await request.json()
        if baseline:
            made, answers = await _relay_pair(offers, settings.rtc_configuration())
            raw.extend(made[:2])
            legs.extend(made[2:])
            return web.json_response(answers)
        (a, ans_a), (b, ans_b) = [await gw.answer(o) for o in offers]
        legs.extend((a, b))
        bridges.append(asyncio.ensure_future(bridge(a, b)))
        return web.json_response([ans_a, ans_b])

    app = web.Application()
    app.router.add_post("/pair", pair)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    proc = await asyncio.create_subprocess_exec(sys.executable, __file__, "--client", f"http://127.0.0.1:{port}",
                                                "--pairs", str(pairs), "--seconds", str(seconds), "--codec", codec,
                                                stdout=subprocess.PIPE)
    line = await asyncio.wait_for(proc.stdout.readline(), 60 + 2 * pairs)
    assert line.strip() == b"connected", line
    await asyncio.sleep(3.0)                                     # settle (DTLS, first frames)
    frames0 = sum(leg.frames_in for leg in legs)
    cpu0, wall0 = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    load = os.getloadavg()[0]
    frames = sum(leg.frames_in for leg in legs) - frames0
    out = (await proc.stdout.read()).decode()
    await proc.wait()
    for t in bridges:
        t.cancel()
    await asyncio.gather(*bridges, return_exceptions=True)
    await asyncio.gather(*(pc.close() for pc in raw), return_exceptions=True)
    await gw.stop()
    await runner.cleanup()
    # a loaded machine delivers fewer than 50 frames/s per leg: count the call-seconds the frames make
    # (2 legs x 50 frames per call-second), so the figure is per real-time call
    call_seconds = frames / 100.0
    return {"pairs": pairs, "codec": codec, "path": "baseline: bare aiortc relay" if baseline else "engine bridge",
            "seconds": round(wall, 2), "server_cpu_s": round(cpu, 2),
            "cpu_per_call": round(cpu / call_seconds, 4) if call_seconds else None,
            "calls_per_core": round(call_seconds / cpu, 1) if cpu else None,
            "frames_in_per_leg_per_s": round(frames / (2 * pairs) / wall, 1),
            "client": out.strip().splitlines()[-1] if out.strip() else "", "load": load}


async def side_by_side(pairs: int, seconds: float, codecs: list[str]) -> list[dict]:
    """The engine's bridge and the bare-aiortc baseline, per codec, one after the other in this run."""
    out = []
    for codec in codecs:
        for baseline in (True, False):
            out.append(await serve(pairs, seconds, codec, baseline))
    return out


def print_side_by_side(results: list[dict]) -> None:
    print(f"{'path':30s} {'codec':6s} {'CPU per call':>13s} {'calls/core':>10s} {'frames/s/leg':>12s} {'load':>5s}")
    for r in results:
        print(f"{r['path']:30s} {r['codec']:6s} {(r['cpu_per_call'] or 0) * 100:11.1f} % {r['calls_per_core']!s:>10s} "
              f"{r['frames_in_per_leg_per_s']:12.1f} {r['load']:5.1f}")
    for base, eng in zip(results[::2], results[1::2]):
        if base["cpu_per_call"] and eng["cpu_per_call"]:
            print(f"{eng['codec']}: the engine's bridged call costs {eng['cpu_per_call'] / base['cpu_per_call']:.2f}x "
                  f"the bare aiortc relay (its legs: resampling to 8 kHz, 20 ms framing, paced playout, the bridge)")
    if len(results) >= 4 and results[1]["cpu_per_call"] and results[3]["cpu_per_call"]:
        print(f"{results[1]['codec']} / {results[3]['codec']} through the engine: "
              f"{results[1]['cpu_per_call'] / results[3]['cpu_per_call']:.2f}x the CPU per call")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=10, help="bridged calls at once (2 browsers each)")
    ap.add_argument("--seconds", type=float, default=20.0, help="measurement window")
    ap.add_argument("--codec", nargs="+", default=["opus", "PCMU"], choices=["opus", "PCMU", "PCMA"],
                    help="codecs the browsers offer, each measured with the baseline beside it")
    ap.add_argument("--asterisk", metavar="PREFIX", help="through a real Asterisk installed at PREFIX "
                    "(e.g. /opt/asterisk): leaks after --calls web calls, and --pairs calls per core")
    ap.add_argument("--calls", type=int, default=300, help="--asterisk: web calls of the leak run")
    ap.add_argument("--concurrency", type=int, default=10, help="--asterisk: web calls at once in the leak run")
    ap.add_argument("--phases", type=int, default=2, help="--asterisk: the calls in this many phases, the server's "
                    "census (RSS, objects by type) after each: does the memory level off?")
    ap.add_argument("--keep-asterisk", type=float, default=0.0, metavar="SECONDS", help="--asterisk: when channels "
                    "are left after the calls, keep the private Asterisk up this long to look at them")
    ap.add_argument("--tracemalloc", action="store_true", help="--asterisk: the allocating lines grown between "
                    "the last two phases (slows the server)")
    ap.add_argument("--no-overload-guard", action="store_true", help="--asterisk: take every web call however "
                    "late the server's event loop (webrtc.overload_*; by default new callers are refused busy then, "
                    "counted as 'refused 503')")
    ap.add_argument("--log-level", default="WARNING", help="--asterisk: the server's log level (INFO: every leg's end)")
    ap.add_argument("--client", help=argparse.SUPPRESS)
    ap.add_argument("--browsers", help=argparse.SUPPRESS)
    ap.add_argument("--agents", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.browsers or args.asterisk:
        import webrtc_bench_asterisk as through
        if args.browsers:
            asyncio.run(through.browsers(args.browsers, args.agents, args.calls, args.concurrency, args.pairs,
                                         args.seconds, args.phases))
        else:
            through.report(asyncio.run(through.serve(args.asterisk, args.calls, args.concurrency, args.pairs,
                                                     args.seconds, args.log_level, args.phases,
                                                     args.keep_asterisk, args.tracemalloc,
                                                     not args.no_overload_guard)))
        return 0
    if args.client:
        asyncio.run(clients(args.client, args.pairs, args.seconds, args.codec[0]))
        return 0
    results = asyncio.run(side_by_side(args.pairs, args.seconds, args.codec))
    print(json.dumps(results))
    print_side_by_side(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
