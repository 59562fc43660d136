"""A double of Asterisk 22 for tests: an AMI server and a FastAGI "dialer" on loopback that answer
exactly in the formats of the real captures (``../shared/asterisk-wire/``; copies the tests need are
in ``tests/fixtures/asterisk/``).

Quick use (pytest-asyncio)::

    from tests.asterisk_double import AsteriskDouble, AgentPhone, Caller, Press, Say, Hangup

    async with AsteriskDouble(time_scale=0.01) as ast:         # AMI on 127.0.0.1:<ast.ami_port>
        cfg = load_config(env={"CALLCENTER_AMI": ast.ami_url, "CALLCENTER_AGI_PORT": "0"})
        service = AsteriskService(cfg, bus, clock); await service.start()
        ast.add_phone(AgentPhone("2001", answer_after=2.0, talk_seconds=5))   # rings 2 s, talks 5 s
        ast.add_phone(AgentPhone("2002", answer_after=None))                # never answers (RONA)
        ast.add_phone(AgentPhone("2003", busy=True))
        ast.add_phone(AgentPhone("2004", registered=False))                  # unregistered
        caller = Caller(did="5000", script=[Press("1"), Say("tests/fixtures/.../yes.wav"), Press("1234#")],
                        hangup_after=30)
        await ast.call(caller, agi_port=service.agi.bound_port)            # runs until the session ends
        caller.verbs()          # ["ANSWER", "STREAM FILE", "GET DATA", ...] as received
        ast.events("BridgeEnter"), ast.bridged_pairs(), ast.model.channels, ast.actions_named("Originate")

API
---
``AsteriskDouble(username="callcenter", secret="secret", time_scale=1.0, path_map=None)``
    ``await start()`` / ``await stop()`` (or ``async with``); ``ami_port``, ``ami_url``
    (``user:secret@127.0.0.1:port`` for ``CALLCENTER_AMI``), ``server_config()`` (an ``ami.servers``
    entry). ``time_scale`` multiplies every scripted duration (ring, talk, pauses, Originate timeouts).
    ``path_map``: Asterisk path prefix -> host path prefix for RECORD FILE targets.
Phones
    ``add_phone(AgentPhone(ext, answer_after=0.0|None, busy=False, registered=True, talk_seconds=None,
    hangup_if_not_bridged=30))``; ``register(ext)``, ``unregister(ext)``, ``set_unreachable(ext)`` emit
    ``ContactStatus`` + ``DeviceStateChange``. ``add_customer(Customer(number, answer_after, busy))``
    for callbacks (``Local/<number>@cc-outbound``).
Callers
    ``start_call(Caller(...), agi_port)`` -> session (``await session.done``), or ``await call(...)``.
    Script steps: ``Press(digits)``, ``Say(wav)``, ``Silence()``, ``Hangup()``, ``HangupDuring(verb)``,
    ``Pause(seconds)``; ``Caller(hangup_after=N)`` hangs up N s after the start (mid-command or idle).
    After the run: ``caller.commands``, ``caller.replies``, ``caller.verbs()``, ``caller.variables``,
    ``caller.recordings``, ``caller.bridged_to``, ``caller.hung_up``, ``caller.channel``.
AMI behaviour
    Login/Logoff/Ping/CoreStatus/Command, CoreShowChannels, DeviceStateList, PJSIPShowEndpoints,
    PJSIPShowContacts, Originate (async + sync; PJSIP/<ext> and Local/<n>@cc-outbound targets;
    ``Application: ChanSpy``), Hangup, Redirect (+ExtraChannel), Bridge, Setvar, MixMonitor,
    StopMixMonitor. Channels answered into ``cc-agent-wait`` wait to be bridged (``EXEC Bridge`` from
    the caller's AGI, or the AMI ``Bridge`` action); ``cc-callback-connect`` bridges to
    ``CC_AGENT_CHANNEL``.
    ``phone_hold(channel, on=True)``: that channel's phone presses its own hold key / resumes
    (``Hold`` / ``Unhold``, music on hold to the bridged peer, as ``live-phone-hold.txt``).
    ``start_phone_call(ext)`` / ``end_phone_call(ch)``: the phone is on a call the engine did not
    place (device INUSE). Device states follow each phone's channels (RINGING, INUSE, NOT_INUSE).
Bridged calls (as captured, ``tests/fixtures/asterisk/bridge-*.txt``)
    ``EXEC Bridge`` answers ``200 result=0`` and ``EXEC Dial`` ``200 result=-1`` whoever hung up; the
    caller's hang-up is told by ``HANGUP`` after that reply; AMI ``HangupRequest`` (phone) /
    ``SoftHangupRequest`` (AMI, dialplan) names the leg that ended it; the other leg resumes its
    own dialplan: legs the engine creates run ``asterisk_conf/extensions.conf`` (``dialplan.py``).
    A caller channel's ``Hangup`` event comes when its AGI session ends. ``model.ssrc_changes``:
    legs that got Asterisk's own media (Playback, music) before their first bridge.
    ``debian_sounds=True``: STREAM FILE of a sound Debian's core sounds lack -> ``result=-1``.
AudioSocket (as captured, ``tests/fixtures/asterisk/audiosocket-*.txt``; ``audiosocket.py``)
    ``EXEC AudioSocket <uuid>,<host:port>`` connects to the engine (UUID frame, then 20 ms frames of
    the caller: ``Say`` audio, else silence; ``Caller(rtp=False)``: no frames), ``Press`` -> 0x03 frames,
    2 s of no activity either way -> the call is dropped, the caller hanging up -> EOF + ``200 result=-1``
    + ``HANGUP``, our 0x00 or close -> ``200 result=0``, a 0x03 from us -> hung up + socket reset; not
    answered / connect refused -> ``200 result=-1``, channel up (``live-audiosocket-agi-edges.txt``).
    ``Originate Channel: AudioSocket/<host:port>/<uuid>[/c(slin16)]`` answers at once, connects, runs
    its context (``AGI(...)`` starts a FastAGI session on it; ``double.agi_port`` = the engine's port);
    ``PlayDTMF`` (0x03 frame out of an AudioSocket channel; ``Receive: yes``: a key for its AGI session).
    ``caller.audiosockets``, ``double.audiosocket_channels``, ``channel.audiosocket`` (what it received).
Faults
    ``drop_ami()`` closes every AMI socket; ``silence_ami(True)`` keeps them open but mute;
    ``slow_action("CoreShowChannels", seconds, times=1)``: the next answers to an action come late;
    ``restart_asterisk()``: every AMI and FastAGI socket closes, every channel is gone.
Observation
    ``events(name)`` (every event emitted, as dicts), ``actions`` / ``actions_named(name)`` (what the
    engine sent), ``model.channels`` / ``model.bridges``, ``bridged_pairs()``, ``channel(name)``,
    ``mixmonitors``, ``redirects``, ``await wait_for(predicate, timeout)``.
"""
from .caller import Caller, CallSession, Hangup, HangupDuring, Pause, Press, Say, Silence, write_silence_wav
from .double import AsteriskDouble
from .model import DBridge, DChannel, Model
from .phones import AgentPhone, Customer

__all__ = ["AsteriskDouble", "AgentPhone", "Customer", "Caller", "CallSession", "Press", "Say", "Silence",
           "Hangup", "HangupDuring", "Pause", "DChannel", "DBridge", "Model", "write_silence_wav"]
