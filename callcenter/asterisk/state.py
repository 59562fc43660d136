"""Pure trackers of Asterisk state fed by AMI events (no I/O, no clock).

* :class:`ChannelTracker`: channels and bridges from ``Newchannel``, ``Newstate``, ``Hangup``,
  ``BridgeCreate``/``BridgeEnter``/``BridgeLeave``/``BridgeDestroy`` (field sets as in
  ``ami-originate.txt`` / ``ami-queue-call-answered*.txt``), and a resync from a
  ``CoreShowChannels`` list (``CoreShowChannel`` items carry ``BridgeId``).
* :class:`Presence`: agent phone state from ``DeviceStateChange`` (``Device``/``State``),
  PJSIP ``ContactStatus`` (``URI``, ``ContactStatus``, ``AOR``, ``EndpointName``) and, on resync,
  ``DeviceStateList`` items and ``PJSIPShowEndpoints`` ``EndpointList`` items (``ObjectName``,
  ``DeviceState``).

Each ``feed`` returns a list of changes ``(kind, data)`` that the service publishes as domain events
(``ChannelCreated``, ``ChannelStateChanged``, ``ChannelHungup``, ``ChannelHeld``, ``ChannelUnheld``,
``BridgeEntered``, ``BridgeLeft``, ``AgentPhoneStateChanged``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from .ami_codec import AmiMessage

Change = tuple[str, dict]


@dataclass
class ChannelInfo:
    uniqueid: str
    name: str
    state: str = ""
    linkedid: str = ""
    caller: str = ""
    caller_name: str = ""
    context: str = ""
    exten: str = ""
    bridge: str | None = None

    def to_dict(self) -> dict:
        return {"uniqueid": self.uniqueid, "channel": self.name, "state": self.state,
                "linkedid": self.linkedid, "caller": self.caller, "caller_name": self.caller_name,
                "context": self.context, "exten": self.exten, "bridge": self.bridge}


def _cid(v: str | None) -> str:
    return "" if v in (None, "<unknown>") else v


class ChannelTracker:
    def __init__(self) -> None:
        self.channels: dict[str, ChannelInfo] = {}
        self.bridges: dict[str, set[str]] = {}
        self._by_name: dict[str, str] = {}

    def by_name(self, name: str) -> ChannelInfo | None:
        uid = self._by_name.get(name)
        return self.channels.get(uid) if uid else None

    def _info(self, msg: AmiMessage) -> ChannelInfo:
        return ChannelInfo(uniqueid=msg.get("Uniqueid", "") or "", name=msg.get("Channel", "") or "",
                           state=msg.get("ChannelStateDesc", "") or "", linkedid=msg.get("Linkedid", "") or "",
                           caller=_cid(msg.get("CallerIDNum")), caller_name=_cid(msg.get("CallerIDName")),
                           context=msg.get("Context", "") or "", exten=msg.get("Exten", "") or "")

    def feed(self, msg: AmiMessage) -> list[Change]:
        ev = (msg.get("Event") or "").lower()
        handler = _CHANNEL_EVENTS.get(ev)
        return handler(self, msg) if handler else []

    def _new(self, msg: AmiMessage) -> list[Change]:
        info = self._info(msg)
        if not info.uniqueid:
            return []
        known = info.uniqueid in self.channels
        self.channels[info.uniqueid] = info
        self._by_name[info.name] = info.uniqueid
        return [] if known else [("ChannelCreated", info.to_dict())]

    def _state(self, msg: AmiMessage) -> list[Change]:
        uid = msg.get("Uniqueid") or ""
        ch = self.channels.get(uid)
        if ch is None:
            return self._new(msg)
        new = msg.get("ChannelStateDesc") or ch.state
        ch.caller = _cid(msg.get("CallerIDNum")) or ch.caller
        ch.caller_name = _cid(msg.get("CallerIDName")) or ch.caller_name
        if new != ch.state:
            ch.state = new
            return [("ChannelStateChanged", ch.to_dict())]
        return []

    def _hangup(self, msg: AmiMessage) -> list[Change]:
        uid = msg.get("Uniqueid") or ""
        ch = self.channels.pop(uid, None)
        if ch is None:
            ch = self._info(msg)
        if self._by_name.get(ch.name) == uid:
            del self._by_name[ch.name]
        if ch.bridge and ch.bridge in self.bridges:
            self.bridges[ch.bridge].discard(uid)
        d = ch.to_dict()
        d["cause"] = msg.get("Cause", "") or ""
        d["cause_txt"] = msg.get("Cause-txt", "") or ""
        return [("ChannelHungup", d)]

    def _hold(self, msg: AmiMessage) -> list[Change]:
        """``Hold`` / ``Unhold``: a phone's own hold key (re-INVITE sendonly / sendrecv) on this channel
        (``live-phone-hold.txt``): Asterisk plays music to the other party itself."""
        uid = msg.get("Uniqueid") or ""
        ch = self.channels.get(uid) or self._info(msg)
        held = (msg.get("Event") or "").lower() == "hold"
        return [("ChannelHeld" if held else "ChannelUnheld",
                 ch.to_dict() | ({"music_class": msg.get("MusicClass") or ""} if held else {}))]

    def _bridge_create(self, msg: AmiMessage) -> list[Change]:
        bid = msg.get("BridgeUniqueid")
        if bid:
            self.bridges.setdefault(bid, set())
        return []

    def _bridge_enter(self, msg: AmiMessage) -> list[Change]:
        bid = msg.get("BridgeUniqueid") or ""
        uid = msg.get("Uniqueid") or ""
        ch = self.channels.get(uid)
        if ch is None:
            self._new(msg)
            ch = self.channels.get(uid)
        if ch is not None:
            ch.bridge = bid
        members = self.bridges.setdefault(bid, set())
        members.add(uid)
        return [("BridgeEntered", {"bridge": bid, "uniqueid": uid, "channel": msg.get("Channel", ""),
                                   "linkedid": msg.get("Linkedid", ""), "members": sorted(members),
                                   "bridge_type": msg.get("BridgeType", "")})]

    def _bridge_leave(self, msg: AmiMessage) -> list[Change]:
        bid = msg.get("BridgeUniqueid") or ""
        uid = msg.get("Uniqueid") or ""
        ch = self.channels.get(uid)
        if ch is not None and ch.bridge == bid:
            ch.bridge = None
        if bid in self.bridges:
            self.bridges[bid].discard(uid)
        return [("BridgeLeft", {"bridge": bid, "uniqueid": uid, "channel": msg.get("Channel", ""),
                                "linkedid": msg.get("Linkedid", "")})]

    def _bridge_destroy(self, msg: AmiMessage) -> list[Change]:
        self.bridges.pop(msg.get("BridgeUniqueid") or "", None)
        return []

    def resync(self, items: Iterable[AmiMessage]) -> list[Change]:
        """Replace the view with a ``CoreShowChannels`` listing; return what changed while we
        were not looking (channels gone -> ChannelHungup with cause ``resync``, new ones ->
        ChannelCreated, bridge membership rebuilt)."""
        fresh: dict[str, ChannelInfo] = {}
        for m in items:
            info = self._info(m)
            if not info.uniqueid:
                continue
            info.bridge = m.get("BridgeId") or None
            fresh[info.uniqueid] = info
        changes: list[Change] = []
        for uid, ch in list(self.channels.items()):
            if uid not in fresh:
                d = ch.to_dict()
                d.update(cause="resync", cause_txt="channel gone while AMI was disconnected")
                changes.append(("ChannelHungup", d))
        for uid, ch in fresh.items():
            if uid not in self.channels:
                changes.append(("ChannelCreated", ch.to_dict()))
        self.channels = fresh
        self._by_name = {c.name: uid for uid, c in fresh.items()}
        self.bridges = {}
        for uid, ch in fresh.items():
            if ch.bridge:
                self.bridges.setdefault(ch.bridge, set()).add(uid)
        return changes


_CHANNEL_EVENTS = {
    "newchannel": ChannelTracker._new,
    "newstate": ChannelTracker._state,
    "hangup": ChannelTracker._hangup,
    "hold": ChannelTracker._hold,
    "unhold": ChannelTracker._hold,
    "bridgecreate": ChannelTracker._bridge_create,
    "bridgeenter": ChannelTracker._bridge_enter,
    "bridgeleave": ChannelTracker._bridge_leave,
    "bridgedestroy": ChannelTracker._bridge_destroy,
}


# --------------------------------------------------------------------------------------------------
# presence

#: device states in which a phone can take a new call
IDLE_STATES = frozenset({"NOT_INUSE"})
#: device states of a registered phone (busy or not)
REGISTERED_STATES = frozenset({"NOT_INUSE", "INUSE", "BUSY", "RINGING", "RINGINUSE", "ONHOLD"})
UNREACHABLE_CONTACT = frozenset({"Unreachable", "Removed"})


@dataclass
class PhoneState:
    interface: str                  # PJSIP/2001
    device_state: str = "UNKNOWN"   # NOT_INUSE, INUSE, BUSY, RINGING, UNAVAILABLE, INVALID, ...
    contacts: dict[str, str] = field(default_factory=dict)   # contact URI -> status

    @property
    def registered(self) -> bool:
        if self.device_state in REGISTERED_STATES:
            if self.contacts and all(s in UNREACHABLE_CONTACT for s in self.contacts.values()):
                return False
            return True
        return False

    @property
    def available(self) -> bool:
        return self.registered and self.device_state in IDLE_STATES

    def to_dict(self) -> dict:
        return {"interface": self.interface, "state": self.device_state, "registered": self.registered,
                "available": self.available, "contacts": dict(self.contacts)}


def normalize_interface(name: str) -> str:
    """``pjsip/2001`` / ``PJSIP/2001`` -> ``PJSIP/2001``; a bare ``2001`` -> ``PJSIP/2001``."""
    if "/" not in name:
        return f"PJSIP/{name}"
    tech, _, rest = name.partition("/")
    return f"{tech.upper()}/{rest}"


class Presence:
    """Agent phone presence (pure). ``is_available("PJSIP/2001")`` is what the router asks."""

    def __init__(self, tech_prefixes: tuple[str, ...] = ("PJSIP/", "SIP/", "IAX2/", "DAHDI/")) -> None:
        self.phones: dict[str, PhoneState] = {}
        self.tech_prefixes = tech_prefixes

    def _phone(self, interface: str) -> PhoneState:
        p = self.phones.get(interface)
        if p is None:
            p = self.phones[interface] = PhoneState(interface)
        return p

    def _is_phone(self, device: str) -> bool:
        return device.upper().startswith(self.tech_prefixes)

    def _set_state(self, device: str, state: str) -> list[Change]:
        iface = normalize_interface(device)
        p = self._phone(iface)
        before = (p.device_state, p.registered, p.available)
        p.device_state = state.upper()
        return self._changed(p, before)

    def _changed(self, p: PhoneState, before: tuple) -> list[Change]:
        after = (p.device_state, p.registered, p.available)
        if after != before:
            return [("AgentPhoneStateChanged", p.to_dict() | {"previous_state": before[0]})]
        return []

    def feed(self, msg: AmiMessage) -> list[Change]:
        ev = msg.get("Event")
        if ev == "DeviceStateChange":
            device = msg.get("Device") or ""
            if self._is_phone(device):
                return self._set_state(device, msg.get("State") or "UNKNOWN")
            return []
        if ev == "ContactStatus":
            endpoint = msg.get("EndpointName") or msg.get("AOR") or ""
            uri = msg.get("URI") or ""
            status = msg.get("ContactStatus") or "Unknown"
            if not endpoint:
                return []
            p = self._phone(normalize_interface(endpoint))
            before = (p.device_state, p.registered, p.available)
            if status == "Removed":
                p.contacts.pop(uri, None)
                if not p.contacts and p.device_state in REGISTERED_STATES:
                    p.device_state = "UNAVAILABLE"
            else:
                p.contacts[uri] = status
                if status in ("Created", "Reachable", "Updated", "NonQualified", "Unqualified") \
                        and p.device_state in ("UNAVAILABLE", "UNKNOWN", "INVALID"):
                    p.device_state = "NOT_INUSE"
                if status == "Unreachable" and all(s in UNREACHABLE_CONTACT for s in p.contacts.values()):
                    p.device_state = "UNAVAILABLE"
            return self._changed(p, before)
        if ev == "EndpointList":
            name = msg.get("ObjectName") or ""
            state = msg.get("DeviceState") or ""
            if name and state:
                return self._set_state(f"PJSIP/{name}", _device_state_word(state))
        return []

    def resync(self, device_items: Iterable[AmiMessage] = (), endpoint_items: Iterable[AmiMessage] = ()
               ) -> list[Change]:
        """Rebuild from ``DeviceStateList`` (DeviceStateChange items) and ``PJSIPShowEndpoints``
        (EndpointList items). Phones not mentioned become UNKNOWN (not available)."""
        seen: dict[str, str] = {}
        for m in endpoint_items:
            name = m.get("ObjectName") or ""
            if name and m.get("DeviceState"):
                seen[normalize_interface(f"PJSIP/{name}")] = _device_state_word(m.get("DeviceState") or "")
        for m in device_items:
            dev = m.get("Device") or ""
            if self._is_phone(dev):
                seen[normalize_interface(dev)] = (m.get("State") or "UNKNOWN").upper()
        changes: list[Change] = []
        for iface in list(self.phones):
            if iface not in seen:
                changes += self._set_state(iface, "UNKNOWN")
        for iface, st in seen.items():
            changes += self._set_state(iface, st)
        return changes

    def mark_all_unknown(self) -> list[Change]:
        changes: list[Change] = []
        for iface in list(self.phones):
            changes += self._set_state(iface, "UNKNOWN")
        return changes

    def state(self, interface: str) -> PhoneState | None:
        return self.phones.get(normalize_interface(interface))

    def is_registered(self, interface: str) -> bool:
        p = self.state(interface)
        return bool(p and p.registered)

    def is_available(self, interface: str) -> bool:
        p = self.state(interface)
        return bool(p and p.available)

    def snapshot(self) -> dict[str, dict]:
        return {k: v.to_dict() for k, v in sorted(self.phones.items())}


_WORDS = {"not in use": "NOT_INUSE", "in use": "INUSE", "busy": "BUSY", "invalid": "INVALID",
          "unavailable": "UNAVAILABLE", "ringing": "RINGING", "ring+inuse": "RINGINUSE",
          "on hold": "ONHOLD", "unknown": "UNKNOWN"}


def _device_state_word(s: str) -> str:
    """EndpointList ``DeviceState`` is the human word ("Not in use", "Unavailable")."""
    return _WORDS.get(s.strip().lower(), s.strip().upper().replace(" ", "_"))
