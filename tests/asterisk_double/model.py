"""State of the simulated Asterisk: channels, bridges, phones, and AMI event builders.

Every AMI event is built with the field set and order of the real captures in
``../shared/asterisk-wire/`` (Newchannel, Newstate, Hangup, BridgeCreate/Enter/Leave/Destroy,
DeviceStateChange, OriginateResponse, CoreShowChannel). ContactStatus / EndpointList / ContactList
(not captured) use the field sets of the Asterisk 22 AMI documentation.
"""
from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

STATE_DESC = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up"}


@dataclass
class DChannel:
    name: str
    uniqueid: str
    linkedid: str
    state: int = 0
    caller_num: str = "<unknown>"
    caller_name: str = "<unknown>"
    connected_num: str = "<unknown>"
    connected_name: str = "<unknown>"
    context: str = "default"
    exten: str = "s"
    priority: int = 1
    application: str = ""
    app_data: str = ""
    bridge: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    created: float = field(default_factory=time.monotonic)
    alive: bool = True
    on_hangup: list[Callable[["DChannel"], None]] = field(default_factory=list)

    def fields(self, prefix: str = "") -> list[tuple[str, str]]:
        p = prefix
        return [(f"{p}Channel", self.name), (f"{p}ChannelState", str(self.state)),
                (f"{p}ChannelStateDesc", STATE_DESC.get(self.state, "Unknown")),
                (f"{p}CallerIDNum", self.caller_num), (f"{p}CallerIDName", self.caller_name),
                (f"{p}ConnectedLineNum", self.connected_num), (f"{p}ConnectedLineName", self.connected_name),
                (f"{p}Language", "en"), (f"{p}AccountCode", ""), (f"{p}Context", self.context),
                (f"{p}Exten", self.exten), (f"{p}Priority", str(self.priority)),
                (f"{p}Uniqueid", self.uniqueid), (f"{p}Linkedid", self.linkedid)]


@dataclass
class DBridge:
    id: str
    members: list[str] = field(default_factory=list)    # uniqueids

    def fields(self) -> list[tuple[str, str]]:
        return [("BridgeUniqueid", self.id), ("BridgeType", "basic"), ("BridgeTechnology", "simple_bridge"),
                ("BridgeCreator", "<unknown>"), ("BridgeName", "<unknown>"),
                ("BridgeNumChannels", str(len(self.members))), ("BridgeVideoSourceMode", "none")]


class Model:
    """Channels and bridges plus an event sink (``emit(list_of_pairs)``)."""

    def __init__(self, emit: Callable[[list[tuple[str, str]]], None]) -> None:
        self.emit = emit
        self.channels: dict[str, DChannel] = {}
        self.bridges: dict[str, DBridge] = {}
        self._seq = itertools.count(0)
        self._chan_seq = itertools.count(0)
        self._epoch = int(time.time())
        self.history: list[tuple[str, dict]] = []     # (event name, first fields) for assertions

    def next_uniqueid(self) -> str:
        return f"{self._epoch}.{next(self._seq)}"

    def channel_name(self, base: str) -> str:
        return f"{base}-{next(self._chan_seq):08x}"

    def by_name(self, name: str) -> DChannel | None:
        for ch in self.channels.values():
            if ch.name == name and ch.alive:
                return ch
        return None

    def _emit(self, event: str, pairs: list[tuple[str, str]], privilege: str = "call,all") -> None:
        self.history.append((event, dict(pairs)))
        self.emit([("Event", event), ("Privilege", privilege)] + pairs)

    # -- channel life ---------------------------------------------------------------------------------
    def new_channel(self, name: str, *, caller_num: str = "<unknown>", caller_name: str = "<unknown>",
                    context: str = "default", exten: str = "s", state: int = 0,
                    linkedid: str | None = None) -> DChannel:
        uid = self.next_uniqueid()
        ch = DChannel(name, uid, linkedid or uid, state, caller_num, caller_name, caller_num, caller_name,
                      context, exten)
        self.channels[uid] = ch
        self._emit("Newchannel", ch.fields())
        return ch

    def set_state(self, ch: DChannel, state: int) -> None:
        if ch.state != state and ch.alive:
            ch.state = state
            self._emit("Newstate", ch.fields())

    def device_state(self, device: str, state: str) -> None:
        self._emit("DeviceStateChange", [("Device", device), ("State", state)])

    def hangup(self, ch: DChannel, cause: int = 16, cause_txt: str = "Normal Clearing") -> None:
        if not ch.alive:
            return
        if ch.bridge:
            self.leave_bridge(ch)
        ch.alive = False
        self._emit("Hangup", ch.fields() + [("Cause", str(cause)), ("Cause-txt", cause_txt)])
        self.channels.pop(ch.uniqueid, None)
        for cb in list(ch.on_hangup):
            cb(ch)

    # -- bridges ------------------------------------------------------------------------------------
    def bridge(self, a: DChannel, b: DChannel) -> DBridge:
        for ch in (a, b):
            if ch.bridge:
                self.leave_bridge(ch)
        br = DBridge(str(uuid.uuid4()))
        self.bridges[br.id] = br
        self._emit("BridgeCreate", br.fields())
        for ch in (a, b):
            br.members.append(ch.uniqueid)
            ch.bridge = br.id
            self._emit("BridgeEnter", br.fields() + ch.fields())
        return br

    def leave_bridge(self, ch: DChannel) -> None:
        br = self.bridges.get(ch.bridge or "")
        ch.bridge = None
        if br is None:
            return
        if ch.uniqueid in br.members:
            br.members.remove(ch.uniqueid)
        self._emit("BridgeLeave", br.fields() + ch.fields())
        if not br.members:
            self._emit("BridgeDestroy", br.fields())
            del self.bridges[br.id]

    def peers(self, ch: DChannel) -> list[DChannel]:
        br = self.bridges.get(ch.bridge or "")
        if br is None:
            return []
        return [self.channels[u] for u in br.members if u != ch.uniqueid and u in self.channels]

    def core_show_channel(self, ch: DChannel, action_id: str) -> list[tuple[str, str]]:
        dur = int(time.monotonic() - ch.created)
        return ([("Event", "CoreShowChannel"), ("ActionID", action_id)] + ch.fields()
                + [("Application", ch.application), ("ApplicationData", ch.app_data),
                   ("Duration", f"{dur // 3600:02d}:{dur // 60 % 60:02d}:{dur % 60:02d}"),
                   ("BridgeId", ch.bridge or "")])
