"""The double's MixMonitor side against what the real Asterisk 22.10.1 sent (live-cc-mixmonitor-pause.txt,
bridge-mixmonitor-D-stop.txt): the same events with the same fields in the same order, MixMonitorMute's
errors as app_mixmonitor.c words them, and the file written when the channel hangs up (no
MixMonitorStop then)."""
from __future__ import annotations

import asyncio

from tests.asterisk_double import AsteriskDouble
from tests.conftest import FIXTURES_DIR

from callcenter.asterisk.ami_client import AmiClient


def captured(name: str, event: str) -> list[list[str]]:
    """The field names of every ``event`` Asterisk sent in the transcript ``name``."""
    out, cur = [], None
    for line in (FIXTURES_DIR / "asterisk" / name).read_text().splitlines():
        parts = line.split(" ", 2)
        if len(parts) < 3 or not parts[1].endswith("A>C"):
            continue
        text = parts[2].replace("\\r\\n", "")
        if not text:
            if cur and cur[0] == f"Event: {event}":
                out.append([f.split(":", 1)[0] for f in cur])
            cur = None
            continue
        cur = (cur or []) + [text]
    return out


async def test_mixmonitor_events_and_file_as_captured(tmp_path):
    real_mute = captured("live-cc-mixmonitor-pause.txt", "MixMonitorMute")
    real_start = captured("live-cc-mixmonitor-pause.txt", "MixMonitorStart")
    assert len(real_mute) == 2 and real_start
    async with AsteriskDouble() as d:
        ch = d.model.new_channel("PJSIP/1000-00000001", state=6)
        seen: list = []
        c = AmiClient("127.0.0.1", d.ami_port, "callcenter", "secret", ping_interval=5)
        await c.connect()
        try:
            for name in ("MixMonitorStart", "MixMonitorMute", "MixMonitorStop"):
                c.on_event(name, seen.append)
            raw = tmp_path / "rec.raw"
            assert (await c.action("MixMonitor", {"Channel": ch.name, "File": str(raw), "Options": "D"})).success
            bad = await c.action("MixMonitorMute", {"Channel": ch.name, "State": "1"})
            assert not bad.success and bad.message == "No direction specified. Must be read, write or both"
            assert (await c.action("MixMonitorMute", {"Channel": ch.name, "Direction": "both", "State": "1"})).success
            await asyncio.sleep(0.3)
            assert (await c.action("MixMonitorMute", {"Channel": ch.name, "Direction": "both", "State": "0"})).success
            await asyncio.sleep(0.2)
            d.model.hangup(ch)
            await asyncio.sleep(0.1)
        finally:
            await c.stop()
    assert [m.name for m in seen] == ["MixMonitorStart", "MixMonitorMute", "MixMonitorMute"]   # no Stop at a hang-up
    fields = [[k for k, _ in m.items()] for m in seen]
    assert fields[0] == real_start[0] and fields[1] == real_mute[0] and fields[2] == real_mute[1]
    size = raw.stat().st_size
    assert size % 4 == 0 and 0.4 < size / 4 / 8000 < 1.5                      # 2 x s16le at 8 kHz
