"""`callcenter asterisk audiosocket`: check AudioSocket end to end against a real Asterisk.

Originates ``AudioSocket/<advertise>/<uuid>/c(slin16)`` (over the configured AMI) into a context/exten,
plays a tone for a few seconds, and reports what came back: how fast Asterisk connected, the channel,
audio frames and their level per second (e.g. the IVR's greeting when the exten is an inbound number),
keys, and how the leg ended. It listens on its own address (``--listen``, default an ephemeral port on
``media.audiosocket_bind``'s host), so it runs beside a running server. Typical failures it names:
``chan_audiosocket.so`` not loaded, the advertised address unreachable from Asterisk, AMI refused.
"""
from __future__ import annotations

import asyncio
import math
import struct
import sys
import time
from typing import Any

from .toolbox import add_command, load_config_from, print_json


def register(asub) -> None:
    a = add_command(asub, "audiosocket", "Check AudioSocket end to end: originate an AudioSocket channel, "
                                         "play a tone, report the audio and keys that come back.")
    a.add_argument("--context", default="cc-inbound", help="dialplan context (default cc-inbound: the IVR)")
    a.add_argument("--exten", default="5000", help="extension / dialled number (default 5000)")
    a.add_argument("--seconds", type=float, default=5.0, help="how long to stay connected (default 5)")
    a.add_argument("--listen", help="host:port to listen on (default: media.audiosocket_bind's host, port 0)")
    a.add_argument("--advertise", help="host:port Asterisk connects to (default: the listen address, or "
                                       "media.audiosocket_advertise's host)")
    a.add_argument("--rate", type=int, choices=(8000, 16000), default=16000, help="leg sample rate")
    a.add_argument("--tone", type=float, default=440.0, help="Hz of the tone we play (0 = silence)")
    a.add_argument("--server", help="only this ami.servers name")
    a.add_argument("--timeout", type=float, default=5.0)
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.set_defaults(func=run)


def _tone(freq: float, seconds: float, rate: int) -> bytes:
    n = int(seconds * rate)
    if freq <= 0:
        return b"\x00\x00" * n
    return b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * freq * i / rate))) for i in range(n))


def _rms(pcm: bytes) -> int:
    n = len(pcm) // 2
    if not n:
        return 0
    return int(math.sqrt(sum(v * v for (v,) in struct.iter_unpack("<h", pcm[: n * 2])) / n))


class _NoPresence:
    def known(self, interface: str) -> bool:
        return False

    def is_registered(self, interface: str) -> bool:
        return True


async def check(cfg: Any, *, context: str, exten: str, seconds: float, listen: str, advertise: str | None,
                rate: int, tone: float, server: str | None, timeout: float) -> dict:
    from ..asterisk.ami_client import AmiClient, AmiError
    from ..asterisk.control import CallControl, ControlError
    from ..media.audiosocket import AudioSocketServer
    from ..media.leg import AudioFrame, DtmfDigit, MediaError
    servers = [s for s in cfg.ami.enabled_servers if not server or s.name == server]
    if not servers:
        return {"ok": False, "error": "no AMI server configured: set ami.servers or CALLCENTER_AMI"}
    s = servers[0]
    out: dict = {"ok": False, "ami": f"{s.name} {s.host}:{s.port}", "context": context, "exten": exten}
    client = AmiClient(s.host, s.port, s.username, s.secret, name=s.name, action_timeout=timeout,
                       connect_timeout=timeout, events=True)
    srv = AudioSocketServer(listen, advertise, connect_timeout=timeout)
    try:
        await client.connect()
        await srv.start()
        out["advertise"] = srv.advertise
        control = CallControl([client], {}, _NoPresence(), lambda *a, **k: None, {}, ring_timeout=30.0,
                              audiosocket=srv)
        t0 = time.monotonic()
        leg = await control.originate_audiosocket(context=context, exten=exten, sample_rate=rate,
                                                  caller_id='"AudioSocket check" <0>')
        out.update(connected_ms=round(1000 * (time.monotonic() - t0), 1), channel=leg.channel)
        leg.play(_tone(tone, seconds, rate))
        per_second: list[bytes] = []
        digits: list[str] = []
        frames = 0

        async def listen_() -> None:
            nonlocal frames
            async for ev in leg.events():
                if isinstance(ev, AudioFrame):
                    frames += 1
                    if (frames - 1) % 50 == 0:
                        per_second.append(b"")
                    per_second[-1] += ev.pcm
                elif isinstance(ev, DtmfDigit):
                    digits.append(ev.digit)
        task = asyncio.ensure_future(listen_())
        try:
            await asyncio.wait_for(leg.wait_ended(), seconds)
        except asyncio.TimeoutError:
            pass
        ended_by_far = leg.ended
        await leg.close("check done")
        await asyncio.wait_for(task, 2)
        out.update(ok=ended_by_far is None or ended_by_far.by != "error", frames_in=frames,
                   frames_out=leg.frames_out, rms_per_second=[_rms(p) for p in per_second], digits=digits,
                   ended=f"{leg.ended.by}: {leg.ended.reason}" if leg.ended else None)
    except (AmiError, ControlError, MediaError, OSError, asyncio.TimeoutError) as exc:
        out["error"] = str(exc) or type(exc).__name__
    finally:
        await srv.stop()
        await client.stop()
    return out


def run(args) -> int:
    cfg = load_config_from(args)
    media = cfg.media
    bind_host = str(media.audiosocket_bind).rpartition(":")[0].strip("[]") or "127.0.0.1"
    listen = args.listen or f"{bind_host}:0"
    advertise = args.advertise
    if advertise is None and media.audiosocket_advertise:
        # the configured host, with this check's own port (port 0 = the port it listens on)
        advertise = str(media.audiosocket_advertise).rpartition(":")[0] + ":0"
    try:
        out = asyncio.run(check(cfg, context=args.context, exten=args.exten, seconds=args.seconds, listen=listen,
                                advertise=advertise, rate=args.rate, tone=args.tone, server=args.server,
                                timeout=args.timeout))
    except ValueError as exc:
        print(f"callcenter asterisk audiosocket: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json(out)
    elif not out["ok"]:
        print(f"AudioSocket check FAILED ({out.get('ami', '')}, advertised {out.get('advertise', '?')}): "
              f"{out.get('error') or out.get('ended')}")
    else:
        print(f"AudioSocket OK: {out['channel']} into {out['context']},{out['exten']} connected in "
              f"{out['connected_ms']} ms (Asterisk connected to {out['advertise']})")
        print(f"  received {out['frames_in']} audio frames ({out['frames_in'] / 50:.1f} s); level per second: "
              f"{' '.join(map(str, out['rms_per_second'])) or '-'}")
        print(f"  sent {out['frames_out']} frames (20 ms each); keys: {''.join(out['digits']) or '-'}; "
              f"ended: {out['ended']}")
    return 0 if out["ok"] else 1
