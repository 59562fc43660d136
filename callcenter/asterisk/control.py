"""Call control through AMI: ring an agent, bridge, hold, transfer, hang up, record, spy, originate.

How a waiting caller meets an agent (the contract with ``asterisk_conf/extensions.conf``):

1. The caller stays in its FastAGI session while the ACD looks for an agent: the queue wait runs
   ``AgiChannel.start_music()`` (``SET MUSIC on <class>``: music keeps playing while the engine is
   idle), wakes up for periodic announcements / a callback offer (``STREAM FILE`` with an escape
   digit), and notices a hang-up at once (the idle ``HANGUP`` notification).
2. When the router picks an agent, :meth:`CallControl.ring_agent` sends an async ``Originate`` of
   the agent's phone (``PJSIP/2001``) into ``cc-agent-wait,s,1`` with ``Timeout`` = the RONA time and
   waits for its ``OriginateResponse``: ``Reason: 4`` = answered, ``3`` = rang out (no answer),
   ``5`` = busy, ``8`` = congestion, ``0``/``1`` = failed/rejected (unregistered phone -> unavailable).
   The answered agent leg waits in ``cc-agent-wait`` (a beep, then silence).
3. The caller's AGI session then runs ``AgiChannel.bridge(agent_channel)`` (``EXEC Bridge``): the
   agent leg is pulled into a bridge with the caller; the command returns when the conversation ends.

Everything after the connection goes through AMI on channel names: ``hold_agent_leg`` (Redirect the
agent leg to ``cc-agent-hold``: the caller's ``EXEC Bridge`` returns and its AGI session plays music on
hold, then bridges again on resume; :mod:`callcenter.engine.hold`), ``transfer`` (Redirect to
``cc-transfer``), ``hangup``, ``start_recording`` /
``stop_recording`` / ``mute_recording`` (``MixMonitor`` / ``StopMixMonitor`` / ``MixMonitorMute``),
``spy`` (Originate the supervisor's phone to
``ChanSpy(<agent channel>,q[w|B]E)``), ``originate`` and ``callback`` (agent first, then the
customer via ``Local/<number>@cc-outbound`` into ``cc-callback-connect`` which bridges to the agent).

Legs whose audio is ours (web callers, browser agents): :meth:`CallControl.originate_audiosocket`
originates ``AudioSocket/<advertise>/<uuid>/c(slin16)`` into a context/exten; the channel answers at
once and connects to our AudioSocket server (``audiosocket-chan-originate*.txt``). A web caller goes
into the inbound dialplan with a configured number (same IVR, queues and agents as a phone caller); a
browser agent's leg into ``cc-agent-wait``, where it is bridged like any answered agent phone.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Mapping, MutableMapping, Protocol, Sequence

from ..media.audiosocket import AudioSocketServer
from ..media.audiosocket_leg import AudioSocketLeg
from .ami_client import AmiActionError, AmiClient, AmiDisconnected, AmiError, AmiTimeout
from .ami_codec import ActionResult, AmiMessage
from .state import ChannelTracker, normalize_interface

log = logging.getLogger("callcenter.asterisk.control")

AGENT_WAIT_CONTEXT = "cc-agent-wait"
AGENT_HOLD_CONTEXT = "cc-agent-hold"
TRANSFER_CONTEXT = "cc-transfer"
OUTBOUND_CONTEXT = "cc-outbound"
CALLBACK_CONTEXT = "cc-callback-connect"

#: OriginateResponse ``Reason`` (AST_CONTROL_*) -> outcome
REASONS = {"4": "answered", "3": "no_answer", "5": "busy", "8": "unavailable", "1": "no_answer",
           "0": "unavailable"}


class ControlError(Exception):
    """A call-control request could not be carried out (no AMI connection, Asterisk refused)."""


@dataclass
class OriginateResult:
    outcome: str                    # answered | no_answer | busy | unavailable | failed
    channel: str | None = None      # the new channel's name (when Asterisk reported it)
    uniqueid: str | None = None
    reason: str | None = None       # raw OriginateResponse Reason
    server: str = ""
    message: str = ""
    response: AmiMessage | None = field(default=None, repr=False)

    @property
    def answered(self) -> bool:
        return self.outcome == "answered"


class PhonePresence(Protocol):
    def known(self, interface: str) -> bool: ...

    def is_registered(self, interface: str) -> bool: ...


class Publish(Protocol):
    def __call__(self, kind: str, *, call_id: str | None = None, agent_id: str | None = None,
                 data: dict | None = None) -> None: ...


class CallControl:
    """Call control over the AMI connections it is handed (``AsteriskService`` builds it).

    ``clients``: the AMI connections (the live list: clients added later are used too);
    ``trackers``: AMI client name -> its :class:`ChannelTracker` (which Asterisk has a channel);
    ``presence``: phone registration; ``publish``: domain events (``AgentRingFinished``);
    ``call_ids``: uniqueid -> call id, filled for the legs originated for a call;
    ``ring_timeout``: seconds an agent's phone rings when the caller gives none (``acd.rona_timeout``).
    """

    def __init__(self, clients: Sequence[AmiClient], trackers: Mapping[str, ChannelTracker],
                 presence: PhonePresence, publish: Publish, call_ids: MutableMapping[str, str],
                 ring_timeout: float, audiosocket: AudioSocketServer | None = None) -> None:
        self.clients = clients
        self.trackers = trackers
        self.presence = presence
        self.publish = publish
        self.call_ids = call_ids
        self.ring_timeout = ring_timeout
        self.audiosocket = audiosocket

    # -- choosing the Asterisk --------------------------------------------------------------------
    def client_for(self, channel: str | None = None, server: str | None = None) -> AmiClient:
        clients = self.clients
        if server is not None:
            for c in clients:
                if c.name == server:
                    if not c.connected:
                        raise ControlError(f"AMI server {server!r} is not connected ({c.last_error or c.state})")
                    return c
            raise ControlError(f"no AMI server named {server!r} (config ami.servers)")
        if channel:
            for c in clients:
                tr = self.trackers.get(c.name)
                if c.connected and tr is not None and tr.by_name(channel) is not None:
                    return c
        for c in clients:
            if c.connected:
                return c
        if not clients:
            raise ControlError("no Asterisk configured (config ami.servers is empty)")
        raise ControlError("no Asterisk connected: " + "; ".join(
            f"{c.name}: {c.last_error or c.state}" for c in clients))

    async def _action(self, client: AmiClient, action: str, fields: Mapping[str, Any] | list,
                      timeout: float | None = None, action_id: str | None = None) -> ActionResult:
        try:
            return await client.action(action, fields, timeout=timeout, check=True, action_id=action_id)
        except AmiActionError as exc:
            raise ControlError(f"{action} refused by Asterisk {client.name}: {exc.result.message}") from None
        except (AmiTimeout, AmiDisconnected) as exc:
            raise ControlError(f"{action} on Asterisk {client.name}: {exc}") from None

    # -- originate ----------------------------------------------------------------------------------
    async def originate(self, channel: str, *, context: str | None = None, exten: str | None = None,
                        priority: int = 1, application: str | None = None, data: str | None = None,
                        caller_id: str | None = None, timeout: float = 30.0,
                        variables: Mapping[str, str] | None = None, server: str | None = None,
                        call_id: str | None = None, wait: bool = True,
                        channel_id: str | None = None) -> OriginateResult:
        """Async ``Originate``; with ``wait`` return when its ``OriginateResponse`` arrives.
        ``channel_id``: the new channel's Uniqueid (``ChannelId``), known before it rings."""
        client = self.client_for(server=server)
        fields: list[tuple[str, Any]] = [("Channel", channel)]
        if application:
            fields += [("Application", application), ("Data", data or "")]
        else:
            fields += [("Context", context or "default"), ("Exten", exten or "s"), ("Priority", priority)]
        if caller_id:
            fields.append(("CallerID", caller_id))
        fields.append(("Timeout", int(timeout * 1000)))
        if channel_id:
            fields.append(("ChannelId", channel_id))
        for k, v in (variables or {}).items():
            if "=" in k:
                raise ControlError(f"originate: variable name {k!r} may not contain '='")
            fields.append(("Variable", f"{k}={v}"))
        fields.append(("Async", True))
        aid = client.next_action_id()
        fut = client.expect_event("OriginateResponse", aid) if wait else None
        try:
            await self._action(client, "Originate", fields, timeout=client.action_timeout, action_id=aid)
        except ControlError:
            if fut is not None:
                client.cancel_expect("OriginateResponse", aid)
            raise
        if fut is None:
            return OriginateResult("queued", server=client.name, message="Originate successfully queued")
        try:
            resp: AmiMessage = await asyncio.wait_for(fut, timeout + 15.0)
        except asyncio.TimeoutError:
            client.cancel_expect("OriginateResponse", aid)
            return OriginateResult("failed", server=client.name,
                                   message=f"no OriginateResponse within {timeout + 15:g} s")
        except AmiError as exc:
            return OriginateResult("failed", server=client.name, message=str(exc))
        reason = resp.get("Reason") or ""
        ok = (resp.get("Response") or "") == "Success"
        outcome = "answered" if ok else REASONS.get(reason, "failed")
        if not ok and outcome == "answered":
            outcome = "failed"
        uid = resp.get("Uniqueid")
        uid = None if uid in (None, "<unknown>") else uid
        chan = resp.get("Channel")
        if uid and call_id:
            self.call_ids[uid] = call_id
        return OriginateResult(outcome, chan if ok else None, uid, reason, client.name,
                               resp.get("Response") or "", resp)

    async def originate_audiosocket(self, *, context: str, exten: str = "s", priority: int = 1,
                                    caller_id: str | None = None, variables: Mapping[str, str] | None = None,
                                    sample_rate: int = 16000, call_id: str = "", server: str | None = None,
                                    connect_timeout: float | None = None) -> AudioSocketLeg:
        """A channel whose audio is ours: ``Originate Channel: AudioSocket/<advertise>/<uuid>/c(slin16)``
        (``c(slin)`` for 8 kHz) into ``context,exten,priority`` with ``caller_id`` and ``variables``.
        Returns the connected :class:`AudioSocketLeg` (``leg.channel`` = the Asterisk channel name,
        ``AudioSocket/<host:port>-<uuid>``). The channel is hung up when the leg is closed (0x00) and the
        leg ends (EOF) when the channel is hung up. Raises :class:`ControlError` when AudioSocket is not
        enabled, Asterisk refuses, or the channel does not connect in time."""
        audio = self.audiosocket
        if audio is None:
            raise ControlError("AudioSocket is not enabled (config media.audiosocket_enabled)")
        codec = {8000: "slin", 16000: "slin16"}.get(sample_rate)
        if codec is None:
            raise ControlError(f"originate_audiosocket: sample_rate must be 8000 or 16000, got {sample_rate}")
        pending = audio.expect(sample_rate=sample_rate)
        addr = audio.advertise
        timeout = audio.connect_timeout if connect_timeout is None else connect_timeout
        vars_ = {"CC_CALL_ID": call_id} if call_id else {}
        vars_.update(variables or {})
        try:
            res = await self.originate(f"AudioSocket/{addr}/{pending.uuid}/c({codec})", context=context, exten=exten,
                                       priority=priority, caller_id=caller_id, timeout=max(timeout, 5.0),
                                       variables=vars_, server=server, call_id=call_id)
            if not res.answered:
                raise ControlError(f"AudioSocket channel to {addr} into {context},{exten} failed: "
                                   f"{res.outcome} {res.message}".rstrip()
                                   + " (is chan_audiosocket.so loaded? asterisk -rx 'module show like audiosocket')")
            try:
                leg = await pending.wait(timeout)
            except asyncio.TimeoutError:
                raise ControlError(f"Asterisk answered the AudioSocket channel but did not connect to {addr} "
                                   f"within {timeout:g} s (check media.audiosocket_advertise)") from None
        finally:
            pending.cancel()
        leg.channel = res.channel
        log.info("audiosocket channel %s into %s,%s connected", res.channel, context, exten,
                 extra={"call_id": call_id})
        return leg

    async def ring_agent(self, interface: str, *, call_id: str = "", caller_channel: str = "",
                         caller_id: str | None = None, timeout: float | None = None,
                         variables: Mapping[str, str] | None = None, server: str | None = None,
                         check_presence: bool = True, channel_id: str | None = None) -> OriginateResult:
        """Ring an agent's phone; outcome ``answered`` (then bridge from the caller's AGI with
        ``AgiChannel.bridge(result.channel)`` or :meth:`bridge`), ``no_answer`` (RONA), ``busy``,
        ``unavailable`` (unregistered/unreachable phone: not rung at all when presence knows it)."""
        iface = normalize_interface(interface)
        if check_presence and self.presence.known(iface) and not self.presence.is_registered(iface):
            return OriginateResult("unavailable", server=server or "",
                                   message=f"{iface} is not registered (presence)")
        t = float(timeout if timeout is not None else self.ring_timeout)
        vars_ = {"CC_CALL_ID": call_id, "CC_CALLER_CHANNEL": caller_channel}
        vars_.update(variables or {})
        log.info("ringing agent phone %s for %.0f s", iface, t, extra={"call_id": call_id})
        res = await self.originate(iface, context=AGENT_WAIT_CONTEXT, exten="s", priority=1,
                                   caller_id=caller_id, timeout=t, variables=vars_, server=server,
                                   call_id=call_id, channel_id=channel_id)
        self.publish("AgentRingFinished", call_id=call_id or None,
                             data={"interface": iface, "outcome": res.outcome, "channel": res.channel,
                                   "reason": res.reason, "server": res.server})
        return res

    # -- bridging, hold, transfer, hang-up -----------------------------------------------------------
    async def bridge(self, channel1: str, channel2: str, *, tone: bool = False, server: str | None = None) -> None:
        """AMI ``Bridge``: put two existing channels into one bridge (unhold, callback legs)."""
        client = self.client_for(channel1, server)
        await self._action(client, "Bridge", {"Channel1": channel1, "Channel2": channel2,
                                              "Tone": "yes" if tone else "no"})

    async def hangup(self, channel: str, cause: int = 16, *, server: str | None = None) -> None:
        client = self.client_for(channel, server)
        await self._action(client, "Hangup", {"Channel": channel, "Cause": cause})

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1, *,
                       extra_channel: str | None = None, extra_context: str | None = None,
                       extra_exten: str | None = None, extra_priority: int | None = None,
                       server: str | None = None) -> None:
        client = self.client_for(channel, server)
        fields: list[tuple[str, Any]] = [("Channel", channel), ("Context", context), ("Exten", exten),
                                         ("Priority", priority)]
        if extra_channel:
            fields += [("ExtraChannel", extra_channel), ("ExtraContext", extra_context or context),
                       ("ExtraExten", extra_exten or exten), ("ExtraPriority", extra_priority or priority)]
        await self._action(client, "Redirect", fields)

    async def play_dtmf(self, channel: str, digits: str, *, receive: bool = False, duration_ms: int = 250,
                        server: str | None = None) -> None:
        """AMI ``PlayDTMF``, one action per digit. Default: the digit goes *out of* ``channel`` (to its
        phone; on an AudioSocket channel a 0x03 frame to our server). ``receive=True``: Asterisk treats
        it as pressed *on* the channel (``bridge-playdtmf.txt``): how keys from a web caller's page
        reach the IVR running on its AudioSocket channel (Asterisk rejects 0x03 frames from us)."""
        client = self.client_for(channel, server)
        for d in digits:
            if d not in "0123456789*#ABCD":
                raise ControlError(f"play_dtmf: {d!r} is not a DTMF digit")
            await self._action(client, "PlayDTMF", {"Channel": channel, "Digit": d, "Duration": duration_ms,
                                                    "Receive": "yes" if receive else None})

    async def set_var(self, channel: str, name: str, value: str, *, server: str | None = None) -> None:
        client = self.client_for(channel, server)
        await self._action(client, "Setvar", {"Channel": channel, "Variable": name, "Value": value})

    async def hold_agent_leg(self, agent_channel: str, *, server: str | None = None) -> None:
        """Hold: the agent leg leaves the caller's bridge for ``cc-agent-hold`` (silence, the phone stays
        connected). The caller's ``EXEC Bridge`` returns (``200 result=0``, the caller still up:
        ``live-cc-hold.txt``) and its AGI session plays the music; resume = ``EXEC Bridge`` again. The
        caller's channel is not redirected: that would end its AGI session."""
        await self.redirect(agent_channel, AGENT_HOLD_CONTEXT, "s", 1, server=server)

    async def transfer(self, channel: str, destination: str, *, server: str | None = None) -> None:
        """Blind transfer: ``context,exten[,priority]`` or an extension/number (-> ``cc-transfer``)."""
        parts = [p.strip() for p in destination.split(",") if p.strip()]
        if not parts:
            raise ControlError("transfer: empty destination")
        if len(parts) == 1:
            ctx, exten, prio = TRANSFER_CONTEXT, parts[0], 1
        else:
            ctx, exten = parts[0], parts[1]
            prio = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
        await self.redirect(channel, ctx, exten, prio, server=server)

    # -- recording --------------------------------------------------------------------------------
    async def start_recording(self, channel: str, filename: str, *, options: str = "",
                              server: str | None = None) -> str | None:
        """``MixMonitor`` of the channel (both directions) into ``filename`` (as Asterisk sees it,
        with extension, e.g. ``/var/spool/asterisk/monitor/<call>.wav``). Returns a handle for
        :meth:`stop_recording`: Asterisk 22 answers ``Response: Success`` with no MixMonitorID
        (bridge-mixmonitor-*.txt), so the handle is the file name unless an ID is given."""
        client = self.client_for(channel, server)
        res = await self._action(client, "MixMonitor", {"Channel": channel, "File": filename,
                                                        "Options": options or None})
        return res.get("MixMonitorID") or filename

    async def stop_recording(self, channel: str, mixmonitor_id: str | None = None, *,
                             server: str | None = None) -> None:
        client = self.client_for(channel, server)
        # a handle that is a file name (no MixMonitorID from Asterisk) stops the channel's recording
        mid = mixmonitor_id if mixmonitor_id and not mixmonitor_id.startswith(("/", ".")) and \
            "." not in mixmonitor_id.rsplit("/", 1)[-1] else None
        await self._action(client, "StopMixMonitor", {"Channel": channel, "MixMonitorID": mid})

    async def mute_recording(self, channel: str, muted: bool, *, direction: str = "both",
                             server: str | None = None) -> None:
        """``MixMonitorMute`` (Asterisk 22 has no PauseMonitor: app_monitor is gone): while muted the
        recording goes on with silence in the muted directions, so the file keeps the call's timing
        (``apps/app_mixmonitor.c``: ``Response: Success``, event ``MixMonitorMute``)."""
        client = self.client_for(channel, server)
        await self._action(client, "MixMonitorMute", {"Channel": channel, "Direction": direction,
                                                      "State": "1" if muted else "0"})

    # -- supervision ------------------------------------------------------------------------------
    async def spy(self, supervisor_interface: str, target_channel: str, mode: str = "listen", *,
                  caller_id: str = '"Supervisor" <spy>', timeout: float = 30.0,
                  server: str | None = None) -> OriginateResult:
        """Ring the supervisor's phone; on answer it listens to (``listen``), whispers to the agent
        (``whisper``) or joins (``barge``) ``target_channel`` through ChanSpy."""
        opts = {"listen": "qE", "whisper": "qwE", "barge": "qBE"}.get(mode)
        if opts is None:
            raise ControlError(f"spy mode must be listen, whisper or barge, got {mode!r}")
        return await self.originate(normalize_interface(supervisor_interface), application="ChanSpy",
                                    data=f"{target_channel},{opts}", caller_id=caller_id,
                                    timeout=timeout, server=server)

    # -- outbound -----------------------------------------------------------------------------------
    async def callback(self, agent_interface: str, number: str, *, call_id: str = "",
                       caller_id: str | None = None, agent_timeout: float | None = None,
                       customer_timeout: float = 45.0, server: str | None = None) -> OriginateResult:
        """A callback: ring the agent first; when they answer, call the customer
        (``Local/<number>@cc-outbound``) into ``cc-callback-connect``, which bridges to the agent.
        Returns the customer leg's result (``answered`` = the two are talking)."""
        digits = "".join(ch for ch in number if ch.isdigit() or ch in "+*#")
        if not digits:
            raise ControlError(f"callback: {number!r} is not a phone number")
        agent = await self.ring_agent(agent_interface, call_id=call_id, caller_id=f'"Callback" <{digits}>',
                                      timeout=agent_timeout, server=server)
        if not agent.answered:
            return agent
        res = await self.originate(f"Local/{digits}@{OUTBOUND_CONTEXT}", context=CALLBACK_CONTEXT, exten="s",
                                   caller_id=caller_id, timeout=customer_timeout,
                                   variables={"CC_AGENT_CHANNEL": agent.channel or "", "CC_CALL_ID": call_id},
                                   server=agent.server, call_id=call_id)
        if not res.answered and agent.channel:
            try:
                await self.hangup(agent.channel, server=agent.server)
            except ControlError:
                pass
        return res
