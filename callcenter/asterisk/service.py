"""``AsteriskService``: the component ``callcenter serve`` runs for Asterisk.

* a FastAGI listener (config ``agi.host``, ``agi.port``, ``agi.max_sessions``, ``agi.env_timeout``,
  ``agi.command_timeout``) whose sessions are dispatched by ``agi_network_script``:
  ``service.agi.route("ivr", handler, channel=True)`` (handler gets an :class:`AgiChannel`) or
  ``channel=False`` (handler gets the raw :class:`AgiSession`);
* one :class:`AmiClient` per enabled ``ami.servers`` entry (``ami.ping_interval``,
  ``ami.action_timeout``, ``ami.reconnect_min_delay``, ``ami.reconnect_max_delay``); with no Asterisk
  answering, the service keeps running, logs one line per attempt with the back-off and
  ``status()`` shows ``disconnected``;
* domain events on the bus: ``AmiConnected``, ``AmiDisconnected``, ``ChannelCreated``,
  ``ChannelStateChanged``, ``ChannelHungup``, ``ChannelHeld``, ``ChannelUnheld`` (a phone's hold key),
  ``BridgeEntered``, ``BridgeLeft``,
  ``AgentPhoneStateChanged``, ``AgentRingFinished``, ``AmiResynced``, ``AgiSessionStarted``, ``AgiSessionEnded``;
* ``service.presence.is_available("PJSIP/2001")`` for the router; ``service.control`` for call
  control (:mod:`callcenter.asterisk.control`);
* with ``media.audiosocket_enabled``: ``service.audiosocket``, the AudioSocket server
  (:mod:`callcenter.media.audiosocket`) that every :class:`AgiChannel` (``channel.audiosocket()``) and
  ``service.control`` (``originate_audiosocket``) use; None otherwise.

Speech objects are injected: ``AsteriskService(config, bus, clock, synthesizer=..., recognizer=...)``
or set the attributes before the first call.
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Callable

from ..events import DomainEvent, EventBus
from ..media.audiosocket import AudioSocketServer
from .agi_channel import AgiChannel
from .agi_server import AgiServer, AgiSession
from .ami_client import AmiClient, AmiError
from .ami_codec import AmiMessage
from .control import CallControl
from .state import ChannelTracker, Presence, normalize_interface

log = logging.getLogger("callcenter.asterisk")

CHANNEL_EVENTS = ("Newchannel", "Newstate", "Hangup", "Hold", "Unhold", "BridgeCreate", "BridgeEnter",
                  "BridgeLeave", "BridgeDestroy")
PRESENCE_EVENTS = ("DeviceStateChange", "ContactStatus")


class PresenceView:
    """Agent phone presence over every configured Asterisk (available on any = available)."""

    def __init__(self) -> None:
        self.by_server: dict[str, Presence] = {}

    def known(self, interface: str) -> bool:
        return any(p.state(interface) is not None for p in self.by_server.values())

    def is_registered(self, interface: str) -> bool:
        return any(p.is_registered(interface) for p in self.by_server.values())

    def is_available(self, interface: str) -> bool:
        """True when the phone is registered/reachable and idle (``NOT_INUSE``) on some Asterisk."""
        return any(p.is_available(interface) for p in self.by_server.values())

    def state(self, interface: str) -> dict | None:
        for name, p in self.by_server.items():
            st = p.state(interface)
            if st is not None:
                return st.to_dict() | {"server": name}
        return None

    def snapshot(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for name, p in self.by_server.items():
            for iface, st in p.snapshot().items():
                if iface not in out or st["available"]:
                    out[iface] = st | {"server": name}
        return out


class AsteriskService:
    def __init__(self, config: Any, bus: EventBus | None = None, clock: Any = None, *,
                 synthesizer: Any = None, recognizer: Any = None) -> None:
        from ..clock import Clock
        self.config = config
        self.bus = bus or EventBus()
        self.clock = clock or Clock()
        self.synthesizer = synthesizer
        self.recognizer = recognizer
        self.streaming = self._streaming_speech(config)
        agi, ami, rec = config.agi, config.ami, config.recordings
        self.agi = AgiServer(agi.host, int(agi.port), max_sessions=int(agi.max_sessions),
                             env_timeout=float(agi.env_timeout), command_timeout=float(agi.command_timeout),
                             channel_factory=self.make_channel, on_session=self._on_agi_session)
        self.record_dir = Path(rec.agi_record_dir or rec.dir).resolve()
        # Asterisk resolves a relative RECORD FILE path against its own sounds directory: always
        # hand it an absolute path (same host by default; set recordings.asterisk_record_dir otherwise)
        self.asterisk_record_dir = rec.asterisk_record_dir or str(self.record_dir)
        media = getattr(config, "media", None)
        self.audiosocket: AudioSocketServer | None = None
        if media is not None and media.audiosocket_enabled:
            self.audiosocket = AudioSocketServer.from_config(media)
        self.clients: list[AmiClient] = []
        self.trackers: dict[str, ChannelTracker] = {}
        self.presence = PresenceView()
        self.call_ids: dict[str, str] = {}      # uniqueid -> call id (legs the engine originated)
        self._resynced: dict[str, dict] = {}
        # per AMI server: its channel listing (CoreShowChannels) is complete for this connection; until
        # then nobody may conclude from the channel view that a call is gone (the engine's orphan sweep)
        self._listed: dict[str, bool] = {}
        self._relist: dict[str, asyncio.Task] = {}
        for s in ami.enabled_servers:
            c = AmiClient(s.host, int(s.port), s.username, s.secret, name=s.name,
                          ping_interval=float(ami.ping_interval), action_timeout=float(ami.action_timeout),
                          reconnect_min_delay=float(ami.reconnect_min_delay),
                          reconnect_max_delay=float(ami.reconnect_max_delay))
            self._attach(c)
        self.control = CallControl(self.clients, self.trackers, self.presence, self.publish, self.call_ids,
                                   ring_timeout=float(config.acd.rona_timeout), audiosocket=self.audiosocket)
        self.started = False

    # -- wiring ---------------------------------------------------------------------------------
    def _attach(self, client: AmiClient) -> None:
        self.clients.append(client)
        tracker = self.trackers[client.name] = ChannelTracker()
        presence = self.presence.by_server[client.name] = Presence()

        def on_channel(msg: AmiMessage) -> None:
            for kind, data in tracker.feed(msg):
                self._publish_change(client.name, kind, data)

        def on_presence(msg: AmiMessage) -> None:
            for kind, data in presence.feed(msg):
                self._publish_change(client.name, kind, data)

        for ev in CHANNEL_EVENTS:
            client.on_event(ev, on_channel)
        for ev in PRESENCE_EVENTS:
            client.on_event(ev, on_presence)
        client.on_connected(self._resync)
        client.on_state(self._on_ami_state)

    def add_client(self, client: AmiClient) -> None:
        """Attach an extra AMI connection (tests, or servers added at run time)."""
        self._attach(client)

    def route(self, path: str, handler: Callable, *, channel: bool = False) -> None:
        """Shortcut for ``service.agi.route``."""
        self.agi.route(path, handler, channel=channel)

    def make_channel(self, session: AgiSession) -> AgiChannel:
        return AgiChannel(session, self.synthesizer, self.recognizer, record_dir=self.record_dir,
                          asterisk_record_dir=self.asterisk_record_dir,
                          default_language=self._default_language(),
                          command_timeout=float(self.config.agi.command_timeout),
                          audiosocket=self.audiosocket, streaming=self.streaming)

    def _streaming_speech(self, config: Any) -> Any:
        """``media.speech_mode: stream``: menus listen to the live audio (partials published as
        ``CallerSpeechHeard`` events, one per new text)."""
        media = getattr(config, "media", None)
        if media is None or media.speech_mode != "stream":
            return None
        from ..media.streaming import StreamingSpeech
        if not media.audiosocket_enabled:
            log.warning("media.speech_mode is 'stream' but media.audiosocket_enabled is false: menus and "
                        "questions record the answer (file path) until AudioSocket is enabled")
        last: dict[str, str] = {}

        def partial(call_id: str, text: str) -> None:
            if last.get(call_id) != text:
                last[call_id] = text
                if len(last) > 10000:
                    last.clear()
                self.publish("CallerSpeechHeard", call_id=call_id, data={"text": text, "partial": True})

        return StreamingSpeech.from_config(config, self.synthesizer, on_partial=partial)

    def _default_language(self) -> str:
        return "en-US"

    # -- events -----------------------------------------------------------------------------------
    def publish(self, kind: str, *, call_id: str | None = None, agent_id: str | None = None,
                data: dict | None = None) -> None:
        self.bus.publish(DomainEvent(kind, self.clock.now(), call_id=call_id, agent_id=agent_id,
                                     data=data or {}))

    def _publish_change(self, server: str, kind: str, data: dict) -> None:
        uid = data.get("uniqueid") or ""
        call_id = self.call_ids.get(uid) or data.get("linkedid") or uid or None
        if kind == "ChannelHungup":
            self.call_ids.pop(uid, None)
        agent_id = data.get("interface") if kind == "AgentPhoneStateChanged" else None
        self.publish(kind, call_id=call_id if kind != "AgentPhoneStateChanged" else None,
                     agent_id=agent_id, data={**data, "server": server})

    def _on_agi_session(self, session: AgiSession, what: str) -> None:
        kind = "AgiSessionStarted" if what == "started" else "AgiSessionEnded"
        self.publish(kind, call_id=session.call_id or None,
                     data={"script": session.script, "channel": session.channel,
                           "caller": session.env.get("agi_callerid", ""),
                           "hung_up": session.hung_up, "commands": session.commands_sent})

    async def _resync(self, client: AmiClient) -> None:
        """After each (re)connect: channels + bridges, device states, PJSIP endpoints and contacts."""
        tracker = self.trackers[client.name]
        presence = self.presence.by_server[client.name]
        t = max(client.action_timeout, 5.0)
        self._listed[client.name] = False
        changes = await self._list_channels(client, t)
        if changes is None:
            # a slow Asterisk (CoreShowChannels later than the action timeout): go on connecting (call
            # control works meanwhile) and ask again with longer timeouts; the channel view stays "not
            # known" until a listing arrives (issue: an alive call closed by the orphan sweep)
            log.warning("AMI %s: CoreShowChannels got no complete answer within %.0f s: channels are not "
                        "known until it answers (asking again)", client.name, t)
            self._relist_later(client, 2 * t)
            changes = []
        dev_items: list[AmiMessage] = []
        ep_items: list[AmiMessage] = []
        contact_items: list[AmiMessage] = []
        try:
            r = await client.action("DeviceStateList", timeout=t)
            dev_items = r.events if r.success else []
        except AmiError as exc:
            log.warning("AMI %s: DeviceStateList failed: %s", client.name, exc)
        try:
            r = await client.action("PJSIPShowEndpoints", timeout=t)
            ep_items = r.events if r.success else []
        except AmiError as exc:
            log.warning("AMI %s: PJSIPShowEndpoints failed: %s", client.name, exc)
        try:
            r = await client.action("PJSIPShowContacts", timeout=t)
            contact_items = r.events if r.success else []
        except AmiError as exc:
            log.debug("AMI %s: PJSIPShowContacts failed: %s", client.name, exc)
        changes += presence.resync(dev_items, ep_items)
        for m in contact_items:
            endpoint = m.get("Endpoint") or ""
            if not endpoint:
                continue
            status = m.get("Status") or "Unknown"
            fake = AmiMessage([("Event", "ContactStatus"), ("URI", m.get("Uri") or m.get("ObjectName") or ""),
                               ("ContactStatus", status), ("EndpointName", endpoint)])
            changes += presence.feed(fake)
        for kind, data in changes:
            self._publish_change(client.name, kind, data)
        # published right after AmiConnected (so subscribers can already use call control)
        self._resynced[client.name] = {"server": client.name, "channels": len(tracker.channels),
                                       "bridges": len(tracker.bridges), "phones": len(presence.phones),
                                       "changes": len(changes)}
        log.info("AMI %s: resync done: %d channels, %d bridges, %d phones", client.name,
                 len(tracker.channels), len(tracker.bridges), len(presence.phones))

    async def _list_channels(self, client: AmiClient, timeout: float) -> list | None:
        """One ``CoreShowChannels``: the tracker rebuilt from it and the changes, or None when it did not
        answer completely in time (the view is then left as it was, and not known)."""
        try:
            res = await client.action("CoreShowChannels", timeout=timeout)
        except AmiError as exc:
            log.debug("AMI %s: CoreShowChannels failed: %s", client.name, exc)
            return None
        if not res.success:
            return None
        self._listed[client.name] = True
        return self.trackers[client.name].resync(res.events)

    def _relist_later(self, client: AmiClient, timeout: float) -> None:
        old = self._relist.pop(client.name, None)
        if old is not None:
            old.cancel()
        self._relist[client.name] = asyncio.ensure_future(self._relist_loop(client, timeout))

    async def _relist_loop(self, client: AmiClient, timeout: float) -> None:
        """Ask for the channel listing again (each timeout twice the last, up to 2 min) while connected."""
        while not self._listed.get(client.name):
            if client.state == "connecting":      # still in the login hooks
                await asyncio.sleep(0.1)
                continue
            if not client.connected:              # gone again: the next connection lists afresh
                return
            changes = await self._list_channels(client, timeout)
            if changes is None:
                log.warning("AMI %s: CoreShowChannels still without a complete answer within %.0f s (asking "
                            "again)", client.name, timeout)
                timeout = min(2 * timeout, 120.0)
                continue
            for kind, data in changes:
                self._publish_change(client.name, kind, data)
            tracker = self.trackers[client.name]
            log.info("AMI %s: channel listing done late: %d channels, %d bridges", client.name,
                     len(tracker.channels), len(tracker.bridges))
            self.publish("AmiResynced", data={"server": client.name, "channels": len(tracker.channels),
                                              "bridges": len(tracker.bridges), "late": True})

    def _on_ami_state(self, client: AmiClient, state: str, reason: str) -> None:
        if state == "connected":
            self.publish("AmiConnected", data={"server": client.name, "host": client.host, "port": client.port})
            info = self._resynced.pop(client.name, None)
            if info is not None:
                self.publish("AmiResynced", data=info)
        else:
            self.publish("AmiDisconnected", data={"server": client.name, "host": client.host,
                                                  "port": client.port, "reason": reason})
            self._listed[client.name] = False
            for kind, data in self.presence.by_server[client.name].mark_all_unknown():
                self._publish_change(client.name, kind, data)

    # -- Component protocol -------------------------------------------------------------------------
    async def start(self) -> None:
        if self.audiosocket is not None:
            await self.audiosocket.start()
        if self.streaming is not None and self.recognizer is not None:
            # one live decoder per language now, not while the first callers' audio is being paced
            await asyncio.get_running_loop().run_in_executor(None, self.streaming.warm, self.recognizer)
        await self.agi.start()
        for c in self.clients:
            await c.start()
        if not self.clients:
            log.warning("no Asterisk manager configured (ami.servers is empty): FastAGI only; "
                        "SIP phones cannot be rung until an AMI server is configured "
                        "(browser phones, Browser/<agent>, still can)")
        self.started = True

    async def stop(self) -> None:
        for task in self._relist.values():
            task.cancel()
        self._relist.clear()
        for c in self.clients:
            await c.stop()
        await self.agi.stop()
        if self.audiosocket is not None:
            await self.audiosocket.stop()
        self.started = False

    def status(self) -> dict:
        ami = [c.status() for c in self.clients]
        ok = self.started and (not self.clients or any(c.connected for c in self.clients))
        state = "stopped" if not self.started else ("ok" if ok else "degraded")
        if self.started and self.clients and not all(c.connected for c in self.clients) and ok:
            state = "degraded"            # one of several Asterisk servers is down
        return {
            "state": state,
            "ok": ok,
            "agi": self.agi.status(),
            "ami": ami,
            "ami_connected": sum(1 for c in self.clients if c.connected),
            "channels": {name: len(t.channels) for name, t in self.trackers.items()},
            "phones": self.presence.snapshot(),
            "audiosocket": self.audiosocket.status() if self.audiosocket is not None else None,
        }

    def channel(self, name_or_uniqueid: str) -> dict | None:
        for server, t in self.trackers.items():
            ch = t.channels.get(name_or_uniqueid) or t.by_name(name_or_uniqueid)
            if ch is not None:
                return ch.to_dict() | {"server": server}
        return None

    # -- what the engine asks (callcenter.engine.ports.PhoneLines) ---------------------------------
    def phone_known(self, interface: str) -> bool:
        return self.presence.known(interface)

    def phone_idle(self, interface: str) -> bool:
        return self.presence.is_available(interface)

    def phone_registered(self, interface: str) -> bool:
        return self.presence.is_registered(interface)

    def channel_of(self, uniqueid: str) -> str | None:
        for tracker in self.trackers.values():
            ch = tracker.channels.get(uniqueid)
            if ch is not None:
                return ch.name
        return None

    def newest_leg(self, interface: str) -> str | None:
        """The newest live channel of a phone (``PJSIP/2001-0000002a`` for ``PJSIP/2001``)."""
        if not interface:
            return None
        best = None
        for tracker in self.trackers.values():
            for ch in tracker.channels.values():
                if ch.name.startswith(interface + "-") and (best is None or _uid(ch.uniqueid) > _uid(best.uniqueid)):
                    best = ch
        return best.name if best else None

    def channel_alive(self, name: str) -> bool:
        """Asterisk has a channel of this name (as the AMI events and the last listing say)."""
        return self.channel(name) is not None

    def channels_known(self) -> bool:
        """Every configured Asterisk is connected and has listed its channels in this connection (after a
        reconnect, or a listing that came late): only then does a missing channel mean a call is gone.
        Without any Asterisk configured nothing can be alive: known (empty)."""
        return all(c.connected and self._listed.get(c.name) for c in self.clients)

    def call_alive(self, call_id: str) -> bool:
        """The call's channel still exists; True while the channels are not known (:meth:`channels_known`)."""
        try:
            if not self.channels_known():
                return True
            return self.channel(call_id) is not None
        except Exception:  # noqa: BLE001
            return False


def _uid(uniqueid: str) -> tuple[int, int]:
    """Asterisk uniqueids (``1795292610.31``) in creation order."""
    a, _, b = (uniqueid or "").partition(".")
    try:
        return int(a), int(b or 0)
    except ValueError:
        return 0, 0


def phone_interface(extension: str) -> str:
    """The dial interface of an agent's extension (``2001`` -> ``PJSIP/2001``)."""
    return normalize_interface(extension)
