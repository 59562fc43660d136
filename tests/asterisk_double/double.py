"""The Asterisk double: an AMI server + a FastAGI dialer on loopback (see ``__init__`` for the API)."""
from __future__ import annotations

import asyncio
import logging
import secrets
import time
from pathlib import Path
from typing import Any, Callable

from callcenter.asterisk.ami_codec import AmiMessage, AmiParser, AmiProtocolError, encode_message

from .caller import Caller, CallSession
from .dialplan import PLAYBACK_SECONDS, REPO_DIALPLAN, Dialplan
from .mixmonitor import MixMonitorActions, Recording
from .model import DChannel, Model
from .phones import AgentPhone, Customer

log = logging.getLogger("asterisk_double")
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
#: the sounds a stock Debian Asterisk has (asterisk-core-sounds-en 1.6.1)
CORE_SOUNDS = frozenset(
    line.strip() for line in
    (Path(__file__).resolve().parents[1] / "fixtures" / "asterisk" / "core-sounds-en.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#"))


class _AmiConn(asyncio.Protocol):
    def __init__(self, d: "AsteriskDouble") -> None:
        self.d = d
        self.parser = AmiParser(expect_banner=False)
        self.transport: asyncio.Transport | None = None
        self.logged_in = False
        self.events = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.d._conns.add(self)
        if not self.d.silent:
            transport.write(BANNER)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self.d._conns.discard(self)

    def data_received(self, data: bytes) -> None:
        try:
            msgs = self.parser.feed(data)
        except AmiProtocolError:
            if self.transport:
                self.transport.close()
            return
        for m in msgs:
            if isinstance(m, AmiMessage):
                self.d.actions.append(m)
                if self.d.silent:
                    continue
                self.d._spawn(self.d._action(self, m))

    def send(self, pairs: list[tuple[str, Any]]) -> None:
        if self.transport is not None and not self.transport.is_closing() and not self.d.silent:
            self.transport.write(encode_message(pairs))


class AsteriskDouble(MixMonitorActions):
    def __init__(self, *, username: str = "callcenter", secret: str = "secret", time_scale: float = 1.0,
                 path_map: dict[str, str] | None = None, login_fail_delay: float = 0.05,
                 host: str = "127.0.0.1", dialplan: Path | str | None = None,
                 debian_sounds: bool = False) -> None:
        self.username = username
        self.secret = secret
        self.time_scale = time_scale
        self.path_map = dict(path_map or {})
        self.login_fail_delay = login_fail_delay
        self.host = host
        self.ami_port = 0
        self.model = Model(self._broadcast)
        self.phones: dict[str, AgentPhone] = {}
        self.customers: dict[str, Customer] = {}
        self.actions: list[AmiMessage] = []
        self.silent = False
        self._epoch0 = time.monotonic()                  # ${EPOCH} runs on the scaled clock from here
        self.slow_actions: dict[str, list[float]] = {}   # action (lower case) -> delays of its next answers
        self.calls: list[CallSession] = []
        self.mixmonitors: dict[str, str] = {}       # MixMonitorID -> channel
        self.recordings: list[Recording] = []       # every MixMonitor started (files written at the end)
        self.redirects: list[tuple[str, str, str]] = []
        self._conns: set[_AmiConn] = set()
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task] = set()
        self.errors: list[BaseException] = []         # exceptions inside the double (tests assert none)
        # the legs the engine creates run the project's own dialplan (asterisk_conf/extensions.conf)
        self.dialplan = Dialplan.load(dialplan or REPO_DIALPLAN)
        self._runners: dict[str, asyncio.Task] = {}    # uniqueid -> dialplan task
        # debian_sounds: STREAM FILE plays only Debian's core sounds (+ extra_sounds, + absolute paths
        # that exist); otherwise every name "exists" (tests with made-up prompt names)
        self.debian_sounds = debian_sounds
        self.extra_sounds: set[str] | None = None
        self.originated: list[DChannel] = []           # every channel an Originate created
        self.cancelled_rings: list[str] = []           # rings the engine hung up before an answer
        self.audiosocket_channels: list[DChannel] = []  # AudioSocket/... channels originated
        self.agi_port: int | None = None                # dialplan AGI(agi://...) goes to this port when set
        self.dtmf_played: list[tuple[str, str, bool]] = []   # PlayDTMF: (channel, digit, receive)

    # -- life ---------------------------------------------------------------------------------------
    async def start(self) -> "AsteriskDouble":
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _AmiConn(self), self.host, self.ami_port or 0)
        self.ami_port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        for c in list(self._conns):
            if c.transport:
                c.transport.abort()
        if self._server is not None:
            self._server.close()
            self._server = None
        await asyncio.sleep(0)

    async def __aenter__(self) -> "AsteriskDouble":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    @property
    def ami_url(self) -> str:
        return f"{self.username}:{self.secret}@{self.host}:{self.ami_port}"

    def server_config(self, name: str = "default") -> dict:
        """An ``ami.servers`` entry for the engine's configuration."""
        return {"name": name, "host": self.host, "port": self.ami_port, "username": self.username,
                "secret": self.secret, "enabled": True}

    def _spawn(self, coro: Any) -> asyncio.Task:
        t = asyncio.ensure_future(coro)
        self._tasks.add(t)
        t.add_done_callback(self._task_done)
        return t

    def _task_done(self, t: asyncio.Task) -> None:
        self._tasks.discard(t)
        if not t.cancelled() and t.exception() is not None:
            self.errors.append(t.exception())
            log.error("asterisk double task failed", exc_info=t.exception())

    def host_path(self, asterisk_path: str) -> Path:
        for prefix, host in self.path_map.items():
            if asterisk_path.startswith(prefix):
                return Path(host + asterisk_path[len(prefix):])
        return Path(asterisk_path)

    def sound_exists(self, name: str) -> bool:
        """Whether Asterisk could play ``name``: an absolute path (any extension) that exists on
        this host (through ``path_map``), or a sound of Debian's asterisk-core-sounds-en."""
        if not self.debian_sounds:
            return True
        if name.startswith("/"):
            base = self.host_path(name)
            return base.exists() or any(base.parent.glob(base.name + ".*"))
        return name in CORE_SOUNDS or (self.extra_sounds is not None and name in self.extra_sounds)

    # -- faults ---------------------------------------------------------------------------------------
    def drop_ami(self) -> None:
        """Close every AMI connection at once (Asterisk restarted / network cut)."""
        for c in list(self._conns):
            if c.transport:
                c.transport.abort()

    def restart_asterisk(self) -> None:
        """Asterisk stops and starts again: every AMI and FastAGI socket closes at once (no HANGUP
        line, no Hangup event: the process is gone), every channel is gone, phones register again."""
        self.drop_ami()
        for s in list(self.calls):
            s.asterisk_gone()
        for t in list(self._runners.values()):
            t.cancel()
        self._runners.clear()
        for ch in list(self.model.channels.values()):
            ch.alive = False
        self.model.channels.clear()
        self.model.bridges.clear()
        self.model.device_states.clear()
        self.mixmonitors.clear()

    def slow_action(self, action: str, seconds: float, times: int = 1) -> None:
        """The next ``times`` answers to ``action`` (e.g. ``CoreShowChannels``) come ``seconds`` late, as from
        a loaded Asterisk (the whole answer: Response, items and Complete, once the delay has passed)."""
        self.slow_actions.setdefault(action.lower(), []).extend([seconds] * times)

    def silence_ami(self, on: bool = True) -> None:
        """Keep AMI sockets open but stop answering and sending anything (a hung Asterisk)."""
        self.silent = on

    @property
    def ami_connections(self) -> int:
        return sum(1 for c in self._conns if c.logged_in)

    # -- phones ---------------------------------------------------------------------------------------
    def add_phone(self, phone: AgentPhone, *, announce: bool = True) -> AgentPhone:
        self.phones[phone.extension] = phone
        if announce and phone.registered:
            self._contact(phone, "Created")
        return phone

    def phone(self, extension: str) -> AgentPhone:
        return self.phones[extension]

    def add_customer(self, customer: Customer) -> Customer:
        self.customers[customer.number] = customer
        return customer

    def _contact(self, phone: AgentPhone, status: str) -> None:
        self.model._emit("ContactStatus", [("URI", phone.uri), ("ContactStatus", status),
                                           ("AOR", phone.extension), ("EndpointName", phone.extension),
                                           ("RoundtripUsec", "0" if status != "Reachable" else "1432")],
                         privilege="system,all")

    def register(self, extension: str) -> None:
        p = self.phones.setdefault(extension, AgentPhone(extension, registered=False))
        p.registered = True
        self._contact(p, "Created")
        self.model.device_state(p.interface, "NOT_INUSE")

    def unregister(self, extension: str) -> None:
        p = self.phones[extension]
        p.registered = False
        self._contact(p, "Removed")
        self.model.device_state(p.interface, "UNAVAILABLE")

    def set_unreachable(self, extension: str) -> None:
        p = self.phones[extension]
        p.registered = False
        self._contact(p, "Unreachable")
        self.model.device_state(p.interface, "UNAVAILABLE")

    def start_phone_call(self, extension: str, *, ringing: bool = False) -> DChannel:
        """The agent's phone is on a call the engine did not place (a personal or internal call;
        ``ringing``: an incoming call rings it): a channel of the phone, device INUSE / RINGING."""
        p = self.phones[extension]
        ch = self.model.new_channel(self.model.channel_name(p.interface), caller_num=extension,
                                    context="cc-agents", exten="2999", state=5 if ringing else 6)
        ch.application = "Dial" if ringing else "AppDial"
        self.refresh_device(p.interface)
        ch.on_hangup.append(lambda _c: self.refresh_device(p.interface))
        return ch

    def phone_hold(self, channel: str, on: bool = True) -> None:
        """The phone on ``channel`` presses its own hold key / resumes (``Model.phone_hold``)."""
        ch = self.model.by_name(channel)
        if ch is None:
            raise KeyError(f"no live channel {channel!r}")
        peers = self.model.peers(ch)
        self.model.phone_hold(ch, on, peer_device=not any(p.name.rsplit("-", 1)[0].split("/", 1)[-1] in self.phones
                                                          for p in peers))

    def end_phone_call(self, ch: DChannel) -> None:
        self.model.hangup(ch)

    def refresh_device(self, device: str) -> None:
        """Device state from the phone's registration and channels (as Asterisk aggregates it)."""
        p = self.phones.get(device.split("/", 1)[-1])
        if p is not None and not p.registered:
            self.model.device_state(device, "UNAVAILABLE")
            return
        states = [c.state for c in self.model.channels.values() if c.alive and c.name.startswith(device + "-")]
        if not states:
            word = "NOT_INUSE"
        elif p is not None and p.device_state_busy_at and len(states) >= p.device_state_busy_at:
            word = "BUSY"
        elif any(st == 6 for st in states):
            word = "RINGINUSE" if any(st in (4, 5) for st in states) else "INUSE"
        else:
            word = "RINGING"
        self.model.device_state(device, word)

    # -- calls into the engine ---------------------------------------------------------------------------
    def start_call(self, caller: Caller, agi_port: int, agi_host: str = "127.0.0.1") -> CallSession:
        s = CallSession(self, caller, agi_host, agi_port)
        self.calls.append(s)
        self._spawn(s.run())
        return s

    async def call(self, caller: Caller, agi_port: int, agi_host: str = "127.0.0.1",
                   timeout: float = 30.0) -> Caller:
        """Place a call into the engine's FastAGI server and wait until the session ends."""
        s = self.start_call(caller, agi_port, agi_host)
        await asyncio.wait_for(asyncio.shield(s.done), timeout)
        return caller

    # -- observation ---------------------------------------------------------------------------------
    def events(self, name: str | None = None) -> list[dict]:
        return [f for n, f in self.model.history if name is None or n == name]

    def actions_named(self, name: str) -> list[AmiMessage]:
        return [a for a in self.actions if (a.get("Action") or "").lower() == name.lower()]

    def channel(self, name: str) -> DChannel | None:
        return self.model.by_name(name)

    def bridged_pairs(self) -> list[set[str]]:
        return [{self.model.channels[u].name for u in b.members if u in self.model.channels}
                for b in self.model.bridges.values()]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01) -> Any:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            v = predicate()
            if v:
                return v
            if loop.time() > end:
                raise AssertionError(f"condition not met within {timeout} s")
            await asyncio.sleep(interval)

    # -- AMI events -------------------------------------------------------------------------------------
    def _broadcast(self, pairs: list[tuple[str, str]]) -> None:
        for c in list(self._conns):
            if c.logged_in and c.events:
                c.send(pairs)

    # -- AMI actions ------------------------------------------------------------------------------------
    async def _action(self, conn: _AmiConn, m: AmiMessage) -> None:
        name = (m.get("Action") or "").lower()
        aid = m.get("ActionID")
        head = [("ActionID", aid)] if aid is not None else []

        def reply(resp: str, *pairs: tuple[str, Any]) -> None:
            conn.send([("Response", resp)] + head + list(pairs))

        if name == "login":
            if m.get("Username") == self.username and m.get("Secret") == self.secret:
                conn.logged_in = True
                conn.events = (m.get("Events") or "on").lower() != "off"
                reply("Success", ("Message", "Authentication accepted"))
                if conn.events:
                    conn.send([("Event", "FullyBooted"), ("Privilege", "system,all"), ("Uptime", "9"),
                               ("LastReload", "9"), ("Status", "Fully Booted")])
            else:
                await asyncio.sleep(self.login_fail_delay)
                reply("Error", ("Message", "Authentication failed"))
                if conn.transport:
                    conn.transport.close()
            return
        if not conn.logged_in:
            reply("Error", ("Message", "Permission denied"))
            return
        fn = getattr(self, "_a_" + name, None)
        delays = self.slow_actions.get(name)
        if delays:
            await asyncio.sleep(delays.pop(0))
        if fn is None:
            reply("Error", ("Message", f"Invalid/unknown command: {m.get('Action')}. "
                                       "Use Action: ListCommands to show available commands."))
            return
        await fn(conn, m, head, reply)

    async def _a_ping(self, conn, m, head, reply) -> None:
        reply("Success", ("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}"))

    async def _a_logoff(self, conn, m, head, reply) -> None:
        reply("Goodbye", ("Message", "Thanks for all the fish."))
        if conn.transport:
            conn.transport.close()

    async def _a_corestatus(self, conn, m, head, reply) -> None:
        reply("Success", ("CoreStartupDate", "2026-11-21"), ("CoreStartupTime", "20:20:39"),
              ("CoreReloadDate", "2026-11-21"), ("CoreReloadTime", "20:20:39"),
              ("CoreCurrentCalls", str(len(self.model.channels))), ("CoreProcessedCalls", "0"))

    def _list(self, conn, head, reply, message: str, items: list[list[tuple[str, Any]]], complete: str) -> None:
        reply("Success", ("EventList", "start"), ("Message", message))
        for it in items:
            conn.send(it)
        conn.send([("Event", complete)] + head + [("EventList", "Complete"), ("ListItems", str(len(items)))])

    async def _a_coreshowchannels(self, conn, m, head, reply) -> None:
        aid = m.get("ActionID") or ""
        items = [self.model.core_show_channel(ch, aid) for ch in list(self.model.channels.values())]
        self._list(conn, head, reply, "Channels will follow", items, "CoreShowChannelsComplete")

    async def _a_devicestatelist(self, conn, m, head, reply) -> None:
        items = []
        for p in self.phones.values():
            state = self.model.device_states.get(p.interface, p.device_state)
            items.append([("Event", "DeviceStateChange")] + head + [("Device", p.interface), ("State", state)])
        self._list(conn, head, reply, "Device State Changes will follow", items, "DeviceStateListComplete")

    async def _a_pjsipshowendpoints(self, conn, m, head, reply) -> None:
        items = []
        for p in self.phones.values():
            busy = any(ch.name.startswith(p.interface + "-") for ch in self.model.channels.values())
            word = ("In use" if busy else "Not in use") if p.registered else "Unavailable"
            items.append([("Event", "EndpointList")] + head + [
                ("ObjectType", "endpoint"), ("ObjectName", p.extension), ("Transport", "transport-udp"),
                ("Aor", p.extension), ("Auths", p.extension), ("OutboundAuths", ""),
                ("Contacts", f"{p.extension}/{p.uri}," if p.registered else ""), ("DeviceState", word),
                ("ActiveChannels", "")])
        self._list(conn, head, reply, "A listing of Endpoints follows, presented as EndpointList events",
                   items, "EndpointListComplete")

    async def _a_pjsipshowcontacts(self, conn, m, head, reply) -> None:
        items = []
        for p in self.phones.values():
            if not p.registered:
                continue
            items.append([("Event", "ContactList")] + head + [
                ("ObjectType", "contact"), ("ObjectName", f"{p.extension}@@{abs(hash(p.uri)) % 10**8}"),
                ("ViaAddr", "127.0.0.1"), ("ViaPort", "5071"), ("QualifyTimeout", "3.000000"),
                ("CallId", secrets.token_hex(8)), ("RegServer", ""), ("PruneOnBoot", "no"), ("Path", ""),
                ("Endpoint", p.extension), ("AuthenticateQualify", "no"), ("Uri", p.uri),
                ("QualifyFrequency", "0"), ("UserAgent", "double"), ("ExpirationTime", str(int(time.time()) + 3600)),
                ("OutboundProxy", ""), ("Status", "Reachable"), ("RoundtripUsec", "N/A")])
        self._list(conn, head, reply, "A listing of Contacts follows, presented as ContactList events",
                   items, "ContactListComplete")

    async def _a_hangup(self, conn, m, head, reply) -> None:
        ch = self.model.by_name(m.get("Channel") or "")
        if ch is None:
            reply("Error", ("Message", "No such channel"))
            return
        reply("Success", ("Message", "Channel Hungup"))
        self.model.hangup(ch, int(m.get("Cause") or 16), soft=True)

    async def _a_setvar(self, conn, m, head, reply) -> None:
        ch = self.model.by_name(m.get("Channel") or "")
        if m.get("Channel") and ch is None:
            reply("Error", ("Message", "No such channel"))
            return
        if ch is not None:
            ch.variables[m.get("Variable") or ""] = m.get("Value") or ""
        reply("Success", ("Message", "Variable Set"))

    async def _a_redirect(self, conn, m, head, reply) -> None:
        ch = self.model.by_name(m.get("Channel") or "")
        if ch is None:
            reply("Error", ("Message", "Channel does not exist: " + (m.get("Channel") or "")))
            return
        moves = [(ch, m.get("Context") or "", m.get("Exten") or "")]
        if m.get("ExtraChannel"):
            extra = self.model.by_name(m.get("ExtraChannel") or "")
            if extra is not None:
                moves.append((extra, m.get("ExtraContext") or "", m.get("ExtraExten") or ""))
        reply("Success", ("Message", "Dual Redirect successful" if len(moves) > 1 else "Redirect successful"))
        for c, ctx, ex in moves:
            self._stop_dialplan(c)
            c.context, c.exten, c.priority = ctx, ex, 1
            c.resume_at = None
            c.hangup_after_bridge = False        # an async goto wins over Bridge's x (bridge_after.c)
            if c.bridge:
                self.model.leave_bridge(c)
            self.redirects.append((c.name, ctx, ex))
            if not any(s.c.channel is c for s in self.calls):
                self.run_dialplan(c, 1)
            for s in self.calls:
                if s.c.channel is c:
                    s.redirected = True
                    # the channel leaves the AGI application: the command in flight ends, the AGI sees
                    # the channel as gone (HANGUP, then 511) while the channel itself lives on
                    if s._inflight is not None and not s._inflight.done():
                        s._inflight.set_result("hangup")
                    s.dead = True
                    s.hangup_pending = True

    async def _a_bridge(self, conn, m, head, reply) -> None:
        a = self.model.by_name(m.get("Channel1") or "")
        b = self.model.by_name(m.get("Channel2") or "")
        if a is None:
            reply("Error", ("Message", f"Channel1 does not exist: {m.get('Channel1')}"))
            return
        if b is None:
            reply("Error", ("Message", f"Channel2 does not exist: {m.get('Channel2')}"))
            return
        reply("Success", ("Message", "Channels have been bridged"))
        self.model.bridge(a, b)

    async def _a_command(self, conn, m, head, reply) -> None:
        cmd = (m.get("Command") or "").strip()
        if cmd == "core show version":
            out = ["Asterisk 22.10.1 built by double"]
        elif cmd == "core show channels count":
            out = [f"{len(self.model.channels)} active channels", "0 active calls"]
        else:
            out = [f"No such command '{cmd}' (type 'core show help {cmd}' for other possible commands)"]
        reply("Success", ("Message", "Command output follows"), *[("Output", o) for o in out])

    async def _a_originate(self, conn, m, head, reply) -> None:
        is_async = (m.get("Async") or "").lower() in ("true", "yes", "1")
        if is_async:
            reply("Success", ("Message", "Originate successfully queued"))
            self._spawn(self._originate(m, head))
        else:
            ok = await self._originate(m, head, send_event=False)
            if ok:
                reply("Success", ("Message", "Originate successfully queued"))
            else:
                reply("Error", ("Message", "Originate failed"))

    async def _originate(self, m: AmiMessage, head: list, send_event: bool = True) -> bool:
        target = m.get("Channel") or ""
        ctx, exten = m.get("Context") or "", m.get("Exten") or ""
        app, data = m.get("Application"), m.get("Data") or ""
        timeout = float(m.get("Timeout") or 30000) / 1000.0
        variables = dict(v.split("=", 1) for v in m.getall("Variable") if "=" in v)
        cid_num, cid_name = _parse_cid(m.get("CallerID") or "")

        def respond(ok: bool, reason: str, ch: DChannel | None) -> bool:
            if send_event:
                self.model._emit("OriginateResponse", head + [
                    ("Response", "Success" if ok else "Failure"), ("Channel", ch.name if ch else target),
                    ("Context", ctx), ("Exten", exten), ("Reason", reason),
                    ("Uniqueid", ch.uniqueid if ch else "<unknown>"),
                    ("CallerIDNum", cid_num if ch else "<unknown>"),
                    ("CallerIDName", cid_name if ch else "<unknown>")])
            return ok

        if target.startswith("AudioSocket/"):
            from .audiosocket import originate_audiosocket
            ok, reason, ach = await originate_audiosocket(self, target, context=ctx, exten=exten,
                                                          cid=(cid_num, cid_name), variables=variables)
            return respond(ok, reason, ach)
        answer_after: float | None
        busy = False
        talk: float | None = None
        phone: AgentPhone | None = None
        if target.upper().startswith("PJSIP/"):
            ext = target.split("/", 1)[1]
            phone = self.phones.get(ext)
            if phone is None or not phone.registered:
                return respond(False, "0", None)
            answer_after, busy, talk = phone.answer_after, phone.busy, phone.talk_seconds
            device = phone.interface
        elif target.startswith("Local/") and "@" in target:
            number = target[6:].split("@", 1)[0]
            cust = self.customers.get(number)
            if cust is None:
                return respond(False, "0", None)
            answer_after, busy, talk = cust.answer_after, cust.busy, cust.talk_seconds
            device = target.split(";")[0]
        else:
            return respond(False, "0", None)
        name = self.model.channel_name(target) if not target.startswith("Local/") else \
            self.model.channel_name(target) + ";1"
        ch = self.model.new_channel(name, caller_num=cid_num, caller_name=cid_name,
                                    context=ctx or "default", exten=exten or "s", state=0)
        if m.get("ChannelId"):
            # Originate's ChannelId names the new channel's Uniqueid (so a ring can be cancelled)
            self.model.channels.pop(ch.uniqueid, None)
            ch.uniqueid = ch.linkedid = m.get("ChannelId") or ch.uniqueid
            self.model.channels[ch.uniqueid] = ch
        ch.variables.update(variables)
        self.originated.append(ch)
        gone = asyncio.get_running_loop().create_future()
        ringing = {"now": False}

        def hung_up(_c: DChannel) -> None:
            if ringing["now"] and ch.name not in self.cancelled_rings:
                # hung up while ringing (AMI Hangup: the engine cancelled the ring): CANCEL to the
                # phone, recorded at once (a test may look right after the channel is gone)
                self.cancelled_rings.append(ch.name)
            gone.done() or gone.set_result(True)
        ch.on_hangup.append(hung_up)
        ch.on_hangup.append(lambda _c: self.refresh_device(device) if phone else None)
        self.model.set_state(ch, 5)
        if phone is not None:
            self.refresh_device(device)
        else:
            self.model.device_state(device, "RINGING")
        if busy:
            self.model.hangup(ch, 17, "User busy", request=False)
            if phone is None:
                self.model.device_state(device, "NOT_INUSE")
            return respond(False, "5", None)
        wait = timeout if answer_after is None or answer_after > timeout else answer_after
        ringing["now"] = True
        try:
            await asyncio.wait_for(asyncio.shield(gone), wait * self.time_scale)
        except asyncio.TimeoutError:
            pass
        ringing["now"] = False
        if not ch.alive:
            return respond(False, "1", None)            # the ring was cancelled (see hung_up)
        if answer_after is None or answer_after > timeout:
            self.model.hangup(ch, 19, "No user responding", request=False)
            if phone is None:
                self.model.device_state(device, "NOT_INUSE")
            return respond(False, "3", None)
        self.model.set_state(ch, 6)
        if phone is not None:
            self.refresh_device(device)
        else:
            self.model.device_state(device, "INUSE")
            ch.on_hangup.append(lambda _c: self.model.device_state(device, "NOT_INUSE"))
        if talk is not None:
            ch.variables["__talk"] = str(talk)
        ch.on_bridged.append(self._stop_dialplan)
        ch.on_bridged.append(lambda c: self._talk_then_hangup(c))
        ch.on_unbridged.append(self._after_bridge)
        if app:
            ch.application, ch.app_data = app, data
            if app.lower() == "chanspy":
                spied = self.model.by_name(data.split(",")[0])
                if spied is not None:
                    spied.on_hangup.append(lambda _s: self.model.hangup(ch, request=False))
        else:
            if ctx == "cc-callback-connect":
                ch.application = "Bridge"
                agent = self.model.by_name(variables.get("CC_AGENT_CHANNEL", ""))
                if agent is not None:
                    self.model.bridge(ch, agent)
            else:
                self.run_dialplan(ch, 1)
            if phone is not None and phone.hangup_if_not_bridged:
                self._spawn(self._hangup_if_alone(ch, phone))
        return respond(True, "4", ch)

    def _after_bridge(self, c: DChannel) -> None:
        """The bridge ``c`` was pulled into ended and ``c`` is still up: pulled by ``Bridge(<c>,x)`` it is hung
        up (no after-bridge goto, features.c: BridgeLeave then Hangup, no request, ``live-cc-resume-x.txt``);
        otherwise it resumes its dialplan at the next priority."""
        if c.hangup_after_bridge:
            c.hangup_after_bridge = False
            self._stop_dialplan(c)
            self.model.hangup(c, request=False)
        elif c.resume_at:
            self.run_dialplan(c, c.resume_at)

    # -- the dialplan of the legs the engine creates ---------------------------------------------------
    def run_dialplan(self, ch: DChannel, priority: int = 1) -> None:
        """Run ``ch``'s context/exten from ``priority`` (the project's extensions.conf). The steps that take
        no time (NoOp, Set, GotoIf) run at once, as in Asterisk: a bridge that pulls the channel right
        after a Redirect finds it in its first application (``Wait``) and it resumes after that."""
        self._stop_dialplan(ch)
        ch.resume_at = None
        priority = self._instant_steps(ch, priority)
        self._runners[ch.uniqueid] = self._spawn(self._dialplan(ch, priority))

    def _functions(self) -> dict:
        return {"CHANNEL_EXISTS": lambda name: "1" if name and (self.model.by_name(name) is not None or (
            name in self.model.channels and self.model.channels[name].alive)) else "0",
            "EPOCH": lambda _: str(int(self._epoch0 + (time.monotonic() - self._epoch0) / (self.time_scale or 1)))}

    def _instant_steps(self, ch: DChannel, priority: int) -> int:
        """Run the leading NoOp / Set steps from ``priority``; the priority of the first other step."""
        for st in self.dialplan.steps(ch.context, ch.exten):
            if st.priority < priority:
                continue
            if st.app.lower() not in ("noop", "set"):
                ch.priority = st.priority
                return st.priority
            ch.priority, ch.application = st.priority, st.app
            ch.app_data = self.dialplan.expand(st.data, ch.variables, ch.exten, self._functions())
            self.model.newexten(ch)
            if st.app.lower() == "set":
                name, _, value = ch.app_data.partition("=")
                ch.variables[name.strip()] = value
            priority = st.priority + 1
        return priority

    def _stop_dialplan(self, ch: DChannel) -> None:
        t = self._runners.pop(ch.uniqueid, None)
        if t is not None and not t.done() and t is not asyncio.current_task():
            # pulled out of the application it was running: it resumes at the next priority
            ch.resume_at = ch.priority + 1
            t.cancel()

    async def _dialplan(self, ch: DChannel, priority: int) -> None:
        steps = self.dialplan.steps(ch.context, ch.exten)
        functions = self._functions()
        i = next((n for n, st in enumerate(steps) if st.priority >= priority), len(steps))
        while i < len(steps):
            st = steps[i]
            i += 1
            if not ch.alive or ch.hangup_requested:
                return
            ch.priority = st.priority
            ch.application = st.app
            ch.app_data = self.dialplan.expand(st.data, ch.variables, ch.exten, functions)
            self.model.newexten(ch)
            app = st.app.lower()
            args = ch.app_data.split(",")
            if app == "hangup":
                break
            if app == "set":
                name, _, value = ch.app_data.partition("=")
                ch.variables[name.strip()] = value
            elif app == "gotoif":
                cond, _, targets = ch.app_data.partition("?")
                yes, _, no = targets.partition(":")
                label = yes if cond.strip() not in ("", "0") else no
                if label:
                    i = next(n for n, s2 in enumerate(steps) if s2.label == label)
            elif app == "answer":
                self.model.set_state(ch, 6)
            elif app == "playback":
                if not ch.was_bridged:
                    ch.own_media_before_bridge = True
                ch.variables.setdefault("__played", "")
                ch.variables["__played"] += args[0] + " "
                await asyncio.sleep(PLAYBACK_SECONDS * self.time_scale)
            elif app in ("wait", "musiconhold"):
                if app == "musiconhold" and not ch.was_bridged:
                    ch.own_media_before_bridge = True
                secs = _float(args[-1] if app == "musiconhold" and len(args) > 1 else
                              (args[0] if app == "wait" else "3600"), 3600.0)
                await asyncio.sleep(secs * self.time_scale)
            elif app == "bridge":
                peer = self.model.by_name(args[0])
                if peer is not None:
                    self.model.bridge(ch, peer)
                    return
            elif app == "agi":
                await self._agi(ch, args[0])
                return                  # the session's end hangs the channel up (CC_AGI_STATUS=ok)
            # NoOp, Set, GotoIf take no time in the double
        self._runners.pop(ch.uniqueid, None)
        if ch.alive and not ch.bridge:
            # Hangup() or the end of the priorities
            self.model.hangup(ch, soft=True)

    async def _agi(self, ch: DChannel, url: str) -> None:
        """``AGI(agi://host:port/path)`` on a channel the double runs (e.g. an AudioSocket channel
        originated into cc-inbound): a FastAGI session for that very channel (``agi_port`` overrides)."""
        rest = url.split("://", 1)[-1]
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.rpartition(":")
        caller = Caller(path=path or "ivr", did=ch.exten, caller_id=ch.caller_num, caller_name=ch.caller_name,
                        channel=ch)
        session = self.start_call(caller, self.agi_port or int(port or 4573), host or "127.0.0.1")
        await asyncio.shield(session.done)

    async def _a_playdtmf(self, conn, m, head, reply) -> None:
        """``PlayDTMF``: out of the channel (an AudioSocket channel: a 0x03 frame to the server at once);
        ``Receive: yes``: as if the channel had pressed it (the FastAGI session on it gets the key).
        The response comes after the digit's duration, except on AudioSocket channels (captured)."""
        ch = self.model.by_name(m.get("Channel") or "")
        digit = (m.get("Digit") or "")[:1]
        if ch is None or not digit:
            reply("Error", ("Message", "Channel not found" if ch is None else "No digit specified"))
            return
        receive = (m.get("Receive") or "").lower() in ("yes", "true", "1")
        self.dtmf_played.append((ch.name, digit, receive))
        if receive:
            if ch.agi is not None:
                ch.agi.press(digit)
        elif ch.audiosocket is not None:
            ch.audiosocket.send_digit_now(digit)
        else:
            await asyncio.sleep(_float(m.get("Duration") or "250", 250) / 1000 * self.time_scale)
        reply("Success", ("Message", "DTMF successfully queued"))

    def _talk_then_hangup(self, ch: DChannel) -> None:
        """An agent phone with ``talk_seconds`` hangs up (BYE) that long after being bridged."""
        talk = ch.variables.get("__talk")
        if talk is None or ch.variables.get("__talking"):
            return
        ch.variables["__talking"] = "1"

        async def end() -> None:
            await asyncio.sleep(float(talk) * self.time_scale)
            if ch.alive and not ch.hangup_requested:
                self.model.hangup(ch)
        self._spawn(end())

    async def _hangup_if_alone(self, ch: DChannel, phone: AgentPhone) -> None:
        """The person at the phone gives up on a call where nobody talks to them."""
        await asyncio.sleep(phone.hangup_if_not_bridged * self.time_scale)
        if ch.alive and not ch.bridge and not ch.was_bridged:
            self.model.hangup(ch)

    def _peer_bridged(self, peer: DChannel, other: DChannel) -> None:
        """Kept for callers of the old API: bridging now starts the phone's talk timer itself."""
        self._talk_then_hangup(peer)


def _float(text: str, default: float) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


def _parse_cid(text: str) -> tuple[str, str]:
    text = text.strip()
    if "<" in text and text.endswith(">"):
        name, _, num = text[:-1].partition("<")
        return num.strip() or "<unknown>", name.strip().strip('"') or "<unknown>"
    return (text or "<unknown>"), "<unknown>"
