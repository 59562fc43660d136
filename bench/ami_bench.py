#!/usr/bin/env python3
"""AMI benchmark: events parsed and dispatched per second, ours vs panoramisk, on the same stream.

The stream is every server->client byte of the Asterisk 22.10.1 captures
(``tests/fixtures/asterisk/ami-*.txt``: Newchannel, VarSet, Newexten, Bridge*, Queue*, lists...),
repeated to ``--events`` messages and fed in TCP-sized chunks (``--chunk`` bytes) to:

  ours                 callcenter.asterisk.ami_client protocol: AmiParser (bytes -> messages) +
                       ListCollector + dispatch by event name (the exact path of AmiClient)
  panoramisk           panoramisk.ami_protocol.AMIProtocol.data_received (its parser) with a
                       minimal factory.dispatch (its cheapest possible use)
  panoramisk+Manager   the same with panoramisk's Manager.dispatch (register_event("*"))

Every handler reads the event name and ``Uniqueid`` of each message. Goal: ours >= 3x panoramisk
and >= 200,000 events/s.

  python bench/ami_bench.py [--events 300000] [--chunk 4096] [--repeat 3]
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.asterisk.wire import AMI_FILES, segments  # noqa: E402

BANNER = b"Asterisk Call Manager/11.0.0\r\n"


def captured_stream(n_events: int) -> tuple[bytes, int]:
    body = b""
    for name in AMI_FILES:
        for seg in segments(name):
            data = seg.stream("A>C")
            if data.startswith(BANNER):
                data = data[len(BANNER):]
            body += data
    per = body.count(b"\r\n\r\n")
    reps = max(1, n_events // per)
    return BANNER + body * reps, per * reps


class _Transport:
    def write(self, data):
        pass

    def is_closing(self):
        return False

    def close(self):
        pass

    def abort(self):
        pass

    def get_extra_info(self, *a):
        return None


def run_ours(data: bytes, chunk: int) -> tuple[float, int]:
    from callcenter.asterisk.ami_client import AmiClient, _AmiProtocol

    async def go():
        client = AmiClient(name="bench")
        seen = [0]

        def handler(msg):
            msg.event
            msg.get("Uniqueid")
            seen[0] += 1
        client.on_event("*", handler)
        proto = _AmiProtocol(client)
        client._proto = proto
        proto.connection_made(_Transport())
        t0 = time.perf_counter()
        feed = proto.data_received
        for i in range(0, len(data), chunk):
            feed(data[i:i + chunk])
        return time.perf_counter() - t0, seen[0] + client.events_received * 0
    return asyncio.run(go())


def run_panoramisk(data: bytes, chunk: int, manager: bool) -> tuple[float, int]:
    from panoramisk.ami_protocol import AMIProtocol
    logging.getLogger("panoramisk").setLevel(logging.ERROR)

    async def go():
        seen = [0]

        def handler(*args):
            msg = args[-1] if not manager else args[1]
            msg.get("Event")
            msg.get("Uniqueid")
            seen[0] += 1
        if manager:
            from panoramisk import Manager
            factory = Manager(loop=asyncio.get_running_loop())
            factory.register_event("*", handler)
        else:
            class Factory:
                forgetable_actions = ()
                awaiting_actions = []
                save_stream = None

                def dispatch(self, message):
                    handler(message)
            factory = Factory()
        proto = AMIProtocol()
        proto.connection_made(_Transport())
        proto.factory = factory
        t0 = time.perf_counter()
        feed = proto.data_received
        for i in range(0, len(data), chunk):
            feed(data[i:i + chunk])
        if manager:
            await asyncio.sleep(0)
        return time.perf_counter() - t0, seen[0]
    return asyncio.run(go())


def require_panoramisk(alternative: str) -> None:
    """The comparison needs panoramisk, which is only in the ``bench`` extra."""
    if importlib.util.find_spec("panoramisk") is None:
        raise SystemExit("this benchmark compares with panoramisk, which is not installed: "
                         "PIP_EXTRAS='[bench]' bash scripts/install.sh (the bench extra)" + alternative)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=300_000)
    ap.add_argument("--chunk", type=int, default=4096, help="bytes per data_received call (a TCP read)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per parser; the best is kept")
    args = ap.parse_args()
    require_panoramisk("")
    data, n = captured_stream(args.events)
    print(f"AMI benchmark: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}; stream = the captured "
          f"Asterisk 22 AMI traffic repeated: {n:,} messages, {len(data) / 1e6:.1f} MB, {args.chunk}-byte chunks; "
          f"best of {args.repeat}")
    results = {}
    runners = {"ours": lambda: run_ours(data, args.chunk),
               "panoramisk": lambda: run_panoramisk(data, args.chunk, False),
               "panoramisk+Manager": lambda: run_panoramisk(data, args.chunk, True)}
    for name, fn in runners.items():
        rates = []
        for _ in range(args.repeat):
            gc.collect()
            secs, seen = fn()
            rates.append(seen / secs)
        results[name] = (max(rates), statistics.median(rates), seen)
        print(f"  {name:<20} {results[name][0]:>10,.0f} events/s (median {results[name][1]:,.0f}; "
              f"{seen:,} dispatched)", flush=True)
    ours = results["ours"][0]
    for name in ("panoramisk", "panoramisk+Manager"):
        print(f"  ratio ours/{name}: x{ours / results[name][0]:.2f}")
    ok = ours >= 200_000 and ours >= 3 * results["panoramisk"][0]
    print(f"  goal (>= 3x panoramisk's parser and >= 200,000 events/s): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
