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
from typing import Any, Callable

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
    # a FastAGI session runs on this channel: a hang-up is first a request (HangupRequest, the AGI
    # gets HANGUP), the Hangup event comes when the AGI session ends (as captured)
    agi_running: bool = False
    hangup_requested: bool = False
    on_hangup_request: list[Callable[["DChannel"], None]] = field(default_factory=list)
    # bridge membership changes: (channel) -> None, called after the BridgeEnter / the bridge ended
    on_bridged: list[Callable[["DChannel"], None]] = field(default_factory=list)
    on_unbridged: list[Callable[["DChannel"], None]] = field(default_factory=list)
    # media Asterisk itself sent to this channel (Playback, music) before its first bridge
    own_media_before_bridge: bool = False
    was_bridged: bool = False
    resume_at: int | None = None     # dialplan priority to resume at when the bridge ends
    hangup_after_bridge: bool = False  # pulled in by Bridge(<this>,x): hung up when that bridge ends
    audiosocket: Any = None          # AudioSocket/... channels: the double's AsteriskAudioSocket
    agi: Any = None                  # the CallSession of the FastAGI session running on this channel

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
        self.ssrc_changes: list[str] = []              # channels whose RTP source changed mid-call
        self.device_states: dict[str, str] = {}        # last DeviceStateChange per device

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
        if self.device_states.get(device) == state:
            return                       # Asterisk reports changes only
        self.device_states[device] = state
        self._emit("DeviceStateChange", [("Device", device), ("State", state)])

    def newexten(self, ch: DChannel) -> None:
        self._emit("Newexten", ch.fields() + [("Extension", ch.exten), ("Application", ch.application),
                                              ("AppData", ch.app_data)], privilege="dialplan,all")

    def request_hangup(self, ch: DChannel, *, soft: bool = False, cause: int = 16) -> None:
        """The first event of a teardown names the leg that hung up: ``HangupRequest`` (its phone
        sent BYE) or ``SoftHangupRequest`` (AMI Hangup, dialplan ``Hangup()``; carries ``Cause``)."""
        if ch.hangup_requested or not ch.alive:
            return
        ch.hangup_requested = True
        if soft:
            self._emit("SoftHangupRequest", ch.fields() + [("Cause", str(cause))])
        else:
            self._emit("HangupRequest", ch.fields())

    def hangup(self, ch: DChannel, cause: int = 16, cause_txt: str = "Normal Clearing", *,
               soft: bool = False, request: bool = True) -> None:
        """Hang a channel up. ``request``: emit the HangupRequest/SoftHangupRequest first (the leg
        that ends the call). A channel running a FastAGI session only gets the request: its bridge
        ends at once, the AGI is told (``HANGUP``), and the Hangup event follows when the AGI ends."""
        if not ch.alive:
            return
        if request:
            self.request_hangup(ch, soft=soft, cause=cause)
        if ch.bridge:
            self.leave_bridge(ch)
        if ch.agi_running:
            for cb in list(ch.on_hangup_request):
                cb(ch)
            return
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
        for ch in (a, b):
            if ch.own_media_before_bridge and not ch.was_bridged:
                # the phone had an RTP stream from Asterisk (beep, music) and now gets the other
                # phone's stream: a new SSRC mid-call (issue 11, defect 4: some phones drop it)
                self.ssrc_changes.append(ch.name)
            ch.was_bridged = True
            for cb in list(ch.on_bridged):
                cb(ch)
        return br

    def leave_bridge(self, ch: DChannel) -> None:
        """``ch`` leaves its bridge. A two-party basic bridge does not outlive one party: the other
        leaves too, the bridge is destroyed, and each surviving leg goes back to what it was doing
        (its own dialplan at the next priority, or the AGI ``EXEC`` that bridged it returns)."""
        br = self.bridges.get(ch.bridge or "")
        ch.bridge = None
        if br is None:
            return
        if ch.uniqueid in br.members:
            br.members.remove(ch.uniqueid)
        self._emit("BridgeLeave", br.fields() + ch.fields())
        survivors: list[DChannel] = []
        if len(br.members) == 1:
            other = self.channels.get(br.members[0])
            br.members.clear()
            if other is not None:
                other.bridge = None
                self._emit("BridgeLeave", br.fields() + other.fields())
                survivors.append(other)
        if not br.members:
            self._emit("BridgeDestroy", br.fields())
            del self.bridges[br.id]
        for c in [ch] + survivors:
            if c.alive and not c.hangup_requested:
                for cb in list(c.on_unbridged):
                    cb(c)

    def phone_hold(self, ch: DChannel, on: bool, *, peer_device: bool = True) -> None:
        """The phone of ``ch`` presses its hold key (re-INVITE sendonly) or resumes (sendrecv), as Asterisk
        22.10.1 told it (``live-phone-hold.txt``): ``Hold`` (with ``MusicClass``) / ``Unhold`` on that
        channel, then music on hold started / stopped on each bridged peer by Asterisk itself (the bridge
        stays); ``peer_device``: the peer's device goes ``ONHOLD`` / back to ``INUSE`` (a caller's phone;
        an agent phone with ``device_state_busy_at`` stays ``BUSY``)."""
        if not ch.alive:
            return
        self._emit("Hold" if on else "Unhold", ch.fields() + ([("MusicClass", "default")] if on else []))
        for peer in self.peers(ch):
            self._emit("MusicOnHoldStart" if on else "MusicOnHoldStop",
                       peer.fields() + ([("Class", "default")] if on else []))
            if peer_device:
                # device states are computed asynchronously by Asterisk: seen before and after the music
                # event in two runs; the capture kept has them after
                self.device_state(peer.name.rsplit("-", 1)[0], "ONHOLD" if on else "INUSE")

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
