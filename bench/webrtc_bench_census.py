"""What ``bench/webrtc_bench.py --asterisk`` counts besides the census numbers: every Asterisk channel left
(named, with the engine's record of its call), and where the server's memory went between two phases of
calls (objects by type, and with ``--tracemalloc`` the lines that allocated it)."""
from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections import Counter

CHANNEL_FIELDS = ("Channel", "ChannelStateDesc", "Context", "Exten", "Priority", "Application", "ApplicationData",
                  "Duration", "Uniqueid", "Linkedid", "BridgeId")
CHANNEL_VARS = ("CC_CALL_ID", "CC_WEBRTC_SESSION", "CC_AGENT_INTERFACE", "CC_CALLER_CHANNEL", "CC_AGI_STATUS")
RECORD_FIELDS = ("call_id", "disposition", "queue", "agent", "arrived_at", "answered_at", "ended_at", "talk_s")


async def channels_left(live) -> list[dict]:
    """Every channel Asterisk holds, named (AMI ``CoreShowChannels``: where it is in the dialplan, what it
    runs, for how long, its linked id), with the engine's variables on it (``Getvar``) and the engine's
    record of its call if there is one (the CDR whose id is the channel's, its linked id's or its CC_CALL_ID)."""
    client = next(c for c in live.app.components["asterisk"].clients if c.connected)
    res = await client.action("CoreShowChannels", timeout=20)
    records = {r["call_id"]: r for r in await live.cdrs()}
    out = []
    for ev in res.events:
        if (ev.get("Event") or "").lower() != "coreshowchannel":
            continue
        ch = {k: ev.get(k) or "" for k in CHANNEL_FIELDS}
        for var in CHANNEL_VARS:
            r = await client.action("Getvar", {"Channel": ch["Channel"], "Variable": var}, timeout=10)
            if r.success and r.get("Value"):
                ch[var] = r.get("Value")
        ids = [i for i in (ch["Uniqueid"], ch["Linkedid"], ch.get("CC_CALL_ID", "")) if i]
        call = next((live.engine.calls[i] for i in ids if i in live.engine.calls), None)
        if call is not None:
            ch["engine_call"] = {"call_id": call.call_id, "state": call.state, "channel": call.channel}
        record = next((records[i] for i in ids if i in records), None)
        ch["record"] = {k: record.get(k) for k in RECORD_FIELDS} if record is not None else None
        out.append(ch)
    return out


def describe_channel(ch: dict) -> str:
    where = f"{ch['Context']},{ch['Exten']},{ch['Priority']}"
    rec = ch.get("record")
    said = (f"record {rec['call_id']}: {rec['disposition']}, queue {rec['queue']}, agent {rec['agent']}"
            if rec else "no record of its call")
    eng = f"; engine call {ch['engine_call']}" if ch.get("engine_call") else ""
    vars_ = " ".join(f"{v}={ch[v]}" for v in CHANNEL_VARS if ch.get(v))
    return (f"{ch['Channel']} ({ch['ChannelStateDesc']}) at {where} in {ch['Application']}({ch['ApplicationData']}) "
            f"for {ch['Duration']}, linked id {ch['Linkedid']}, bridge {ch['BridgeId'] or '-'}; {vars_}; {said}{eng}")


def object_counts() -> Counter:
    """Live objects by type name (after a full collection); weak references also by what they point at
    (``weakref->Name``, ``weakref->dead``), so a growing pile of them says whose they are."""
    gc.collect()
    out: Counter = Counter()
    for o in gc.get_objects():
        name = type(o).__qualname__
        out[name] += 1
        if isinstance(o, weakref.ReferenceType):
            target = o()
            out["weakref->" + (type(target).__qualname__ if target is not None else "dead")] += 1
    return out


def grown(before: Counter, after: Counter, top: int = 15) -> list[tuple[str, int]]:
    """The types whose count grew most from ``before`` to ``after`` (name, growth), largest first."""
    diff = [(k, after[k] - before.get(k, 0)) for k in after]
    return sorted([d for d in diff if d[1] > 0], key=lambda d: -d[1])[:top]


class MemoryWatch:
    """Snapshots of the server's memory at the end of each phase: object counts by type, and with
    ``trace`` the allocating lines (tracemalloc, 8 frames; slows the server, so only on request)."""

    def __init__(self, trace: bool = False) -> None:
        self.trace = trace
        self.counts: list[Counter] = []
        self.snapshots: list[tracemalloc.Snapshot] = []
        if trace:
            tracemalloc.start(8)

    def mark(self) -> None:
        self.counts.append(object_counts())
        if self.trace:
            self.snapshots.append(tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)]))

    def report(self, top: int = 15) -> dict:
        """Growth between the last two marks: types (count) and, if traced, allocating places (KiB)."""
        if len(self.counts) < 2:
            return {}
        out: dict = {"objects_grown": grown(self.counts[-2], self.counts[-1], top)}
        if len(self.snapshots) >= 2:
            stats = self.snapshots[-1].compare_to(self.snapshots[-2], "traceback")
            out["allocations_grown"] = [
                {"kib": round(st.size_diff / 1024, 1), "count": st.count_diff,
                 "where": [f"{f.filename}:{f.lineno}" for f in st.traceback[-4:]]}
                for st in stats[:top] if st.size_diff > 0]
        return out

    def stop(self) -> None:
        if self.trace:
            tracemalloc.stop()
