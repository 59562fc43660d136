"""Scripted callers: the FastAGI "dialer" side of the double.

A :class:`Caller` connects to the engine's FastAGI port as Asterisk does (same ``agi_*`` block as
``agi-session-full.txt``) and answers each command the way Asterisk 22 does in the captures,
driven by a script of caller actions consumed by the commands that wait for input:

* ``Press("12#")``: keys. ``STREAM FILE``/``SAY *`` with escape digits return the next key when it
  is one of them (barge-in); ``GET DATA`` takes keys up to its max (``#`` ends it);
  ``WAIT FOR DIGIT`` takes one key; ``RECORD FILE`` stops on an escape key (``(dtmf)``).
* ``Say("hello.wav")``: the answer to the next ``RECORD FILE`` is that WAV, copied to the record
  path (``<path>.<format>``); the reply is ``200 result=0 (timeout) endpos=<samples>``.
  Digit-only commands (GET DATA, WAIT FOR DIGIT) meeting a ``Say`` time out and leave it for the
  next RECORD FILE (the caller keeps saying it until the engine listens).
* ``Silence()``: one input command times out.
* ``Hangup()``: the caller hangs up during the next input command (STREAM FILE, GET DATA,
  RECORD FILE, WAIT FOR DIGIT...): ``200 result=-1 ...`` then ``HANGUP`` before the next reply.
* ``HangupDuring("RECORD FILE")``: hang up during the next command with that verb.
* ``Pause(s)``: the next input arrives ``s`` seconds later.

``hangup_after=N`` hangs up N seconds after the session starts: mid-command (the in-flight
command answers ``-1``) or, when the engine is idle, with an unsolicited ``HANGUP`` line.
After hang-up most commands get ``511``; ``GET VARIABLE``, ``VERBOSE`` and ``EXEC`` still answer
``200`` (as captured). ``EXEC Bridge <channel>`` bridges the caller to that channel in the double
(AMI BridgeEnter ...) and returns when the bridge ends. ``EXEC AudioSocket <uuid>,<host:port>``
connects to the engine's AudioSocket server as captured (``audiosocket.py``): during it the script's
``Press``/``Say``/``Pause``/``Hangup`` steps become DTMF frames, caller audio, and the socket's EOF.
"""
from __future__ import annotations

import asyncio
import shutil
import struct
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callcenter.asterisk.agi_codec import split_args

if TYPE_CHECKING:  # pragma: no cover
    from .double import AsteriskDouble
    from .model import DChannel


@dataclass
class Press:
    digits: str


class _Injected(Press):
    """A key that did not come from the script (AMI PlayDTMF Receive: yes)."""


@dataclass
class Say:
    wav: str | Path
    seconds: float | None = None


@dataclass
class Silence:
    pass


@dataclass
class Hangup:
    pass


@dataclass
class HangupDuring:
    verb: str


@dataclass
class Pause:
    seconds: float


DEAD_OK = ("GET VARIABLE", "GET FULL VARIABLE", "VERBOSE", "EXEC")
KNOWN_APPS = {"playback", "wait", "musiconhold", "startmusiconhold", "stopmusiconhold", "bridge", "dial",
              "set", "noop", "voicemail", "mixmonitor", "stopmixmonitor", "echo", "saydigits", "hangup",
              "answer", "progress", "ringing", "goto", "read", "background", "chanspy", "queue", "audiosocket"}
USAGE_GET_DATA = ["520-Invalid command syntax.  Proper usage follows:",
                  "Stream the given <replaceable>file</replaceable>, and receive DTMF data.",
                  "Returns the digits received from the channel at the other end.",
                  "520 End of proper usage."]


@dataclass
class Caller:
    """One scripted call into the engine (see module docstring)."""
    script: list[Any] = field(default_factory=list)
    caller_id: str = "5551234"
    caller_name: str = "Test Caller"
    did: str = "5000"
    path: str = "ivr"
    language: str = "en"
    hangup_after: float | None = None
    max_duration: float = 120.0
    play_seconds: float = 0.0          # how long each STREAM FILE "plays" (0 = instantly)
    extra_env: dict[str, str] = field(default_factory=dict)
    # filled while running
    commands: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    hung_up: bool = False
    closed_by_engine: bool = False
    variables: dict[str, str] = field(default_factory=dict)
    recordings: list[str] = field(default_factory=list)
    bridged_to: list[str] = field(default_factory=list)
    music: bool = False
    missing_sounds: list[str] = field(default_factory=list)   # STREAM FILE of sounds Asterisk lacks
    channel: "DChannel | None" = None  # preset: the session runs on this existing channel (dialplan AGI())
    rtp: bool = True                   # the phone sends RTP (False: AudioSocket gets no frames at all)
    audiosockets: list[Any] = field(default_factory=list)     # AsteriskAudioSocket per EXEC AudioSocket

    def verbs(self) -> list[str]:
        return [_verb(c) for c in self.commands]


def _verb(line: str) -> str:
    words = line.split()
    for n in (3, 2, 1):
        v = " ".join(words[:n]).upper()
        if v in _VERBS:
            return v
    return words[0].upper() if words else ""


_VERBS = {"ANSWER", "HANGUP", "STREAM FILE", "CONTROL STREAM FILE", "GET DATA", "GET OPTION", "WAIT FOR DIGIT",
          "SAY DIGITS", "SAY NUMBER", "SAY ALPHA", "RECORD FILE", "SET VARIABLE", "GET VARIABLE",
          "GET FULL VARIABLE", "EXEC", "CHANNEL STATUS", "VERBOSE", "SET MUSIC", "SET CONTEXT",
          "SET EXTENSION", "SET PRIORITY", "NOOP", "SET CALLERID", "SET AUTOHANGUP", "DATABASE GET",
          "DATABASE PUT"}
INPUT_VERBS = {"STREAM FILE", "CONTROL STREAM FILE", "GET DATA", "GET OPTION", "WAIT FOR DIGIT", "SAY DIGITS",
               "SAY NUMBER", "SAY ALPHA", "RECORD FILE"}


def _float(text: str, default: float) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


def write_silence_wav(path: Path, seconds: float = 0.2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<h", 0) * int(8000 * seconds))


def wav_samples(path: Path) -> int:
    try:
        with wave.open(str(path), "rb") as w:
            return int(w.getnframes() * 8000 / max(1, w.getframerate()))
    except (wave.Error, OSError, EOFError):
        return 8000


class CallSession:
    """Runs one :class:`Caller` against the engine's FastAGI port."""

    def __init__(self, double: "AsteriskDouble", caller: Caller, host: str, port: int) -> None:
        self.d = double
        self.c = caller
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.dead = False
        self.hangup_pending = False      # HANGUP line owed before the next reply
        self._inflight: asyncio.Future | None = None
        self._inflight_verb = ""
        self._script = list(caller.script)
        self.done = asyncio.get_running_loop().create_future()
        self._bridge_end: asyncio.Future | None = None
        self.redirected = False           # moved elsewhere by AMI Redirect: lives on after the AGI
        self._hangup_delay = 0.04         # HANGUP after an interrupted command's reply (idle engine)

    # -- life -----------------------------------------------------------------------------------
    async def run(self) -> Caller:
        c = self.c
        d = self.d
        ch = c.channel or d.model.new_channel(d.model.channel_name("PJSIP/caller"), caller_num=c.caller_id,
                                              caller_name=c.caller_name, context="cc-inbound", exten=c.did, state=4)
        ch.application, ch.app_data = "AGI", f"agi://{self.host}:{self.port}/{c.path}"
        c.channel = ch
        ch.agi = self
        ch.agi_running = True
        ch.on_hangup_request.append(lambda _ch: self._on_channel_gone())
        ch.on_hangup.append(lambda _ch: self._on_channel_gone())
        try:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            d.model.hangup(ch)
            c.hung_up = True
            raise
        env = [("agi_network", "yes"), ("agi_network_script", c.path),
               ("agi_request", f"agi://{self.host}:{self.port}/{c.path}"), ("agi_channel", ch.name),
               ("agi_language", c.language), ("agi_type", ch.name.split("/")[0]), ("agi_uniqueid", ch.uniqueid),
               ("agi_version", "22.10.1"), ("agi_callerid", c.caller_id), ("agi_calleridname", c.caller_name),
               ("agi_callingpres", "0"), ("agi_callingani2", "0"), ("agi_callington", "0"),
               ("agi_callingtns", "0"), ("agi_dnid", c.did), ("agi_rdnis", "unknown"),
               ("agi_context", "cc-inbound"), ("agi_extension", c.did), ("agi_priority", "2"),
               ("agi_enhanced", "0.0"), ("agi_accountcode", ""), ("agi_threadid", "140212970071744")]
        env += list(c.extra_env.items())
        self.writer.write("".join(f"{k}: {v}\n" for k, v in env).encode() + b"\n")
        timers = []
        loop = asyncio.get_running_loop()
        if c.hangup_after is not None:
            timers.append(loop.call_later(c.hangup_after, self.caller_hangs_up))
        timers.append(loop.call_later(c.max_duration, self.caller_hangs_up))
        try:
            await self._loop()
        finally:
            for t in timers:
                t.cancel()
            if self.writer is not None:
                self.writer.close()
            ch.agi_running = False
            if ch.alive and not self.redirected:
                # the AGI ended (the engine closed the socket): a hung-up channel is gone now (its
                # Hangup event comes only here, as captured); a live one continues its dialplan
                # after AGI(), which the double ends with Hangup()
                d.model.hangup(ch, soft=not ch.hangup_requested)
            if not self.done.done():
                self.done.set_result(c)
        return c

    async def _loop(self) -> None:
        assert self.reader is not None
        while True:
            try:
                raw = await self.reader.readline()
            except (ConnectionError, OSError):
                break
            if not raw:
                self.c.closed_by_engine = True
                break
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.c.commands.append(line)
            owed = self.hangup_pending
            reply = await self._handle(line)
            if owed and self.hangup_pending:
                # captured: a hang-up during the previous command is told before this command's reply
                self.hangup_pending = False
                self._send("HANGUP")
            for r in reply:
                self._send(r)
            if self.hangup_pending and not owed:
                # the hang-up interrupted this command: HANGUP follows its reply (at once after an
                # EXEC Bridge, ~40 ms later after others when the engine sends nothing meanwhile)
                delay, self._hangup_delay = self._hangup_delay, 0.04
                asyncio.get_running_loop().call_later(delay, self._flush_hangup)

    def press(self, digits: str) -> None:
        """Keys arriving from outside the script (AMI PlayDTMF with Receive: yes): the next input,
        after the keys injected before them."""
        i = 0
        while i < len(self._script) and isinstance(self._script[i], _Injected):
            i += 1
        self._script.insert(i, _Injected(digits))

    def asterisk_gone(self) -> None:
        """Asterisk died: the FastAGI socket closes without a HANGUP line."""
        self.dead = True
        self.redirected = True          # nothing more happens to the channel in the double
        if self._inflight is not None and not self._inflight.done():
            self._inflight.set_result("gone")
        if self.writer is not None:
            tr = self.writer.transport
            tr.abort()

    def _flush_hangup(self) -> None:
        if self.hangup_pending:
            self.hangup_pending = False
            self._send("HANGUP")

    def _send(self, line: str) -> None:
        if self.writer is None or self.writer.is_closing():
            return
        self.c.replies.append(line)
        self.writer.write((line + "\n").encode())

    def _on_channel_gone(self) -> None:
        """The caller's channel was hung up from AMI (Hangup action) or the bridge peer ended it."""
        if not self.dead:
            self.caller_hangs_up()

    def caller_hangs_up(self) -> None:
        """The caller hangs up now (mid-command or idle)."""
        if self.dead:
            return
        self.dead = True
        self.c.hung_up = True
        if self._inflight is not None and not self._inflight.done():
            self._inflight.set_result("hangup")
            self.hangup_pending = True
        else:
            self._send("HANGUP")
        ch = self.c.channel
        if ch is not None and ch.alive:
            self.d.model.hangup(ch)      # HangupRequest + the bridge ends; Hangup when the AGI ends

    async def _wait(self, seconds: float, verb: str) -> bool:
        """Let a command take time; True if the caller hung up meanwhile."""
        if self.dead:
            return True
        if seconds <= 0:
            return False
        fut = asyncio.get_running_loop().create_future()
        self._inflight, self._inflight_verb = fut, verb
        try:
            await asyncio.wait_for(fut, seconds)
        except asyncio.TimeoutError:
            return False
        finally:
            self._inflight = None
        return True

    # -- script ---------------------------------------------------------------------------------------
    async def _next_input(self, verb: str) -> Any:
        while self._script:
            step = self._script[0]
            if isinstance(step, Pause):
                self._script.pop(0)
                if await self._wait(step.seconds * self.d.time_scale, verb):
                    return Hangup()
                continue
            if isinstance(step, HangupDuring):
                if step.verb.upper() == verb:
                    self._script.pop(0)
                    return Hangup()
                return None
            if isinstance(step, Hangup):
                self._script.pop(0)
            return step
        return None

    # -- commands -------------------------------------------------------------------------------------
    async def _handle(self, line: str) -> list[str]:
        verb = _verb(line)
        words = line.split(None, len(verb.split()))
        rest = words[len(verb.split())] if len(words) > len(verb.split()) else ""
        args = split_args(rest)
        if self.dead and verb not in DEAD_OK:
            return ["511 Command Not Permitted on a dead channel or intercept routine"]
        if verb not in _VERBS:
            return ["510 Invalid or unknown command"]
        fn = getattr(self, "_cmd_" + verb.lower().replace(" ", "_"), None)
        if fn is None:
            return ["200 result=0"]
        return await fn(args)

    async def _hangup_mid(self, shape: str) -> list[str]:
        """The caller hangs up while this command runs (shapes as captured / as in res_agi)."""
        self.dead = True
        self.c.hung_up = True
        self.hangup_pending = True
        ch = self.c.channel
        if ch is not None and ch.alive:
            self.d.model.hangup(ch)
        return [shape]

    async def _cmd_answer(self, args: list[str]) -> list[str]:
        if self.c.channel:
            self.d.model.set_state(self.c.channel, 6)
        return ["200 result=0"]

    async def _cmd_hangup(self, args: list[str]) -> list[str]:
        self.dead = True
        self.c.hung_up = True
        ch = self.c.channel
        if ch is not None and ch.alive:
            self.d.model.hangup(ch)
        self.hangup_pending = False
        return ["200 result=1"]

    async def _play(self, verb: str, escape: str, seconds: float) -> list[str]:
        step = await self._next_input(verb)
        if isinstance(step, Hangup):
            return await self._hangup_mid("200 result=-1 endpos=36000")
        if isinstance(step, Press) and escape and step.digits and step.digits[0] in escape:
            digit = step.digits[0]
            step.digits = step.digits[1:]
            if not step.digits:
                self._script.pop(0)
            return [f"200 result={ord(digit)} endpos=4000"]
        if await self._wait(seconds, verb):
            return await self._hangup_mid("200 result=-1 endpos=36000")
        return ["200 result=0 endpos=11234"]

    async def _cmd_stream_file(self, args: list[str]) -> list[str]:
        if len(args) < 2:
            return ["520-Invalid command syntax.  Proper usage follows:", "Send the given file.",
                    "520 End of proper usage."]
        if self.c.music:
            self.c.music = False
        if not self.d.sound_exists(args[0]):
            # res_agi: the file cannot be opened -> "200 result=-1 endpos=0", the caller hears nothing
            self.c.missing_sounds.append(args[0])
            return ["200 result=-1 endpos=0"]
        return await self._play("STREAM FILE", args[1], self.c.play_seconds * self.d.time_scale)

    async def _cmd_control_stream_file(self, args: list[str]) -> list[str]:
        return await self._play("CONTROL STREAM FILE", args[1] if len(args) > 1 else "",
                                self.c.play_seconds * self.d.time_scale)

    async def _cmd_say_digits(self, args: list[str]) -> list[str]:
        r = await self._play("SAY DIGITS", args[1] if len(args) > 1 else "", 0)
        return [r[0].split(" endpos")[0]] if r[0].startswith("200") else r

    _cmd_say_number = _cmd_say_digits
    _cmd_say_alpha = _cmd_say_digits

    async def _cmd_get_data(self, args: list[str]) -> list[str]:
        if not args:
            return list(USAGE_GET_DATA)
        max_digits = int(args[2]) if len(args) > 2 and args[2].isdigit() else 1024
        got = ""
        while len(got) < max_digits:
            step = await self._next_input("GET DATA")
            if isinstance(step, Hangup):
                return await self._hangup_mid("200 result=-1")
            if isinstance(step, Press) and step.digits:
                ch = step.digits[0]
                step.digits = step.digits[1:]
                if not step.digits:
                    self._script.pop(0)
                if ch == "#":
                    return [f"200 result={got}"]
                got += ch
                continue
            if isinstance(step, Silence):
                self._script.pop(0)
            if isinstance(step, Press):
                self._script.pop(0)
                continue
            return [f"200 result={got} (timeout)"]      # a Say stays for the next RECORD FILE
        return [f"200 result={got}"]

    async def _cmd_wait_for_digit(self, args: list[str]) -> list[str]:
        step = await self._next_input("WAIT FOR DIGIT")
        if isinstance(step, Hangup):
            return await self._hangup_mid("200 result=-1")
        if isinstance(step, Press) and step.digits:
            ch = step.digits[0]
            step.digits = step.digits[1:]
            if not step.digits:
                self._script.pop(0)
            return [f"200 result={ord(ch)}"]
        if isinstance(step, (Silence, Press)):
            self._script.pop(0)
        return ["200 result=0"]         # timed out (instantly: the double does not make tests wait)

    async def _cmd_record_file(self, args: list[str]) -> list[str]:
        if len(args) < 4:
            return ["520-Invalid command syntax.  Proper usage follows:", "Records to a given file.",
                    "520 End of proper usage."]
        path, fmt, escape = args[0], args[1], args[2]
        target = self.d.host_path(f"{path}.{fmt}")
        step = await self._next_input("RECORD FILE")
        if isinstance(step, Hangup):
            write_silence_wav(target, 0.5)
            return await self._hangup_mid("200 result=-1 (hangup) endpos=4000")
        self.c.recordings.append(str(target))
        if isinstance(step, Say):
            self._script.pop(0)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(step.wav, target)
            return [f"200 result=0 (timeout) endpos={wav_samples(target)}"]
        if isinstance(step, Press) and step.digits and step.digits[0] in escape:
            ch = step.digits[0]
            step.digits = step.digits[1:]
            if not step.digits:
                self._script.pop(0)
            write_silence_wav(target, 0.3)
            return [f"200 result={ord(ch)} (dtmf) endpos=2400"]
        if isinstance(step, Silence):
            self._script.pop(0)
        write_silence_wav(target, 0.2)
        return ["200 result=0 (timeout) endpos=1600"]

    async def _cmd_set_variable(self, args: list[str]) -> list[str]:
        if len(args) >= 2:
            self.c.variables[args[0]] = args[1]
            if self.c.channel is not None:
                self.c.channel.variables[args[0]] = args[1]
        return ["200 result=1"]

    async def _cmd_get_variable(self, args: list[str]) -> list[str]:
        if len(args) != 1:
            return ["520-Invalid command syntax.  Proper usage follows:", "Gets a channel variable.",
                    "520 End of proper usage."]
        name = args[0]
        if name == "CHANNEL" and self.c.channel is not None:
            return [f"200 result=1 ({self.c.channel.name})"]
        if name == "CHANNEL(state)" and self.c.channel is not None:
            # still "Up" after the caller hung up (audiosocket-agi-exec.txt)
            from .model import STATE_DESC
            return [f"200 result=1 ({STATE_DESC.get(self.c.channel.state, 'Unknown')})"]
        if name in self.c.variables:
            return [f"200 result=1 ({self.c.variables[name]})"]
        if self.c.channel is not None and name in self.c.channel.variables:     # e.g. Originate's Variable:
            return [f"200 result=1 ({self.c.channel.variables[name]})"]
        return ["200 result=0"]

    async def _cmd_get_full_variable(self, args: list[str]) -> list[str]:
        if not args:
            return ["520-Invalid command syntax.  Proper usage follows:", "Evaluates a channel expression",
                    "520 End of proper usage."]
        text = args[0]
        ch = self.c.channel
        subs = {"${CALLERID(num)}": self.c.caller_id, "${CHANNEL}": ch.name if ch else "",
                "${UNIQUEID}": ch.uniqueid if ch else ""}
        for k, v in self.c.variables.items():
            subs["${" + k + "}"] = v
        for k, v in subs.items():
            text = text.replace(k, v)
        return [f"200 result=1 ({text})"]

    async def _cmd_channel_status(self, args: list[str]) -> list[str]:
        ch = self.c.channel
        return [f"200 result={ch.state if ch else 6}"]

    async def _cmd_verbose(self, args: list[str]) -> list[str]:
        return ["200 result=1"]

    async def _cmd_set_music(self, args: list[str]) -> list[str]:
        self.c.music = bool(args) and args[0].lower() == "on"
        return ["200 result=0"]

    async def _cmd_exec(self, args: list[str]) -> list[str]:
        if not args:
            return ["520-Invalid command syntax.  Proper usage follows:", "Executes a given Application",
                    "520 End of proper usage."]
        app = args[0].lower()
        data = args[1] if len(args) > 1 else ""
        if app not in KNOWN_APPS:
            return ["200 result=-2"]
        if self.dead:
            # NoOp/Set do not touch the channel: 0 after the hang-up too (audiosocket-agi-exec.txt)
            return ["200 result=0"] if app in ("playback", "noop", "set") else ["200 result=-1"]
        if app == "bridge":
            return await self._exec_bridge(data)
        if app == "dial":
            return await self._exec_dial(data)
        if app == "audiosocket":
            from .audiosocket import exec_audiosocket
            return await exec_audiosocket(self, data)
        if app == "wait":
            try:
                secs = float(data or 0)
            except ValueError:
                secs = 0
            if await self._wait(secs * self.d.time_scale, "EXEC"):
                return await self._hangup_mid("200 result=-1")
        if app == "set" and "=" in data:
            k, _, v = data.partition("=")
            self.c.variables[k] = v
        return ["200 result=0"]

    async def _exec_bridge(self, data: str) -> list[str]:
        """``EXEC Bridge <channel>[,options]`` (bridge-agi-exec-bridge-*.txt): ``200 result=0`` whoever
        hangs up; the caller's hang-up is told by ``HANGUP`` right after that reply. The other leg
        is not hung up (it resumes its own dialplan) unless the ``x`` option is given: then it is hung up
        when the bridge ends (a Redirect of it meanwhile wins: the hold)."""
        target_name, _, opts = data.partition(",")
        ch = self.c.channel
        peer = self.d.model.by_name(target_name.strip())
        if ch is None or peer is None:
            # Asterisk 22.10.1 main/features.c bridge_exec: no such channel -> BRIDGERESULT=NONEXISTENT, return 0
            self.c.variables["BRIDGERESULT"] = "NONEXISTENT"
            return ["200 result=0"]
        self.c.variables["BRIDGERESULT"] = "SUCCESS"      # bridge-agi-exec-bridge-*.txt (VarSet), whoever ends it
        self.c.bridged_to.append(peer.name)
        if "x" in opts:
            peer.hangup_after_bridge = True      # hung up when this bridge ends, whoever ends it
        why = await self._in_bridge(ch, peer)
        if why == "hangup":
            self._hangup_delay = 0.0
            if "x" in opts and peer.alive:
                self.d.model.hangup(peer, soft=True, request=False)
            self.hangup_pending = True
            return ["200 result=0"]
        return ["200 result=0"]

    async def _exec_dial(self, data: str) -> list[str]:
        """``EXEC Dial PJSIP/<ext>[,timeout]`` (bridge-agi-exec-dial-*.txt): ``200 result=-1`` whoever
        hangs up after an answer; on the caller's hang-up Dial hangs the other leg up itself and
        ``HANGUP`` follows ~40 ms later. Not answered: ``200 result=0``."""
        parts = data.split(",")
        target = parts[0].strip()
        timeout = _float(parts[1], 30.0) if len(parts) > 1 and parts[1].strip() else 3600.0
        ch = self.c.channel
        phone = self.d.phones.get(target.split("/", 1)[-1]) if target.upper().startswith("PJSIP/") else None
        if ch is None or phone is None or not phone.registered or phone.busy:
            self.c.variables["DIALSTATUS"] = "CHANUNAVAIL" if phone is None or not phone.registered else "BUSY"
            return ["200 result=0"]
        leg = self.d.model.new_channel(self.d.model.channel_name(phone.interface), caller_num=self.c.caller_id,
                                       caller_name=self.c.caller_name, context="cc-inbound", exten="s",
                                       state=5, linkedid=ch.linkedid)
        leg.on_hangup.append(lambda _c: self.d.refresh_device(phone.interface))
        self.d.refresh_device(phone.interface)
        ring = phone.answer_after if phone.answer_after is not None else timeout + 1
        if ring > timeout:
            if await self._wait(timeout * self.d.time_scale, "EXEC"):
                self.d.model.hangup(leg, request=False)
                return await self._hangup_mid("200 result=-1")
            self.d.model.hangup(leg, 19, "No user responding", request=False)
            self.c.variables["DIALSTATUS"] = "NOANSWER"
            return ["200 result=0"]
        if await self._wait(ring * self.d.time_scale, "EXEC"):
            self.d.model.hangup(leg, request=False)
            return await self._hangup_mid("200 result=-1")
        self.d.model.set_state(leg, 6)
        self.d.refresh_device(phone.interface)
        if phone.talk_seconds is not None:
            leg.variables["__talk"] = str(phone.talk_seconds)
        self.c.variables["DIALSTATUS"] = "ANSWER"
        self.c.bridged_to.append(leg.name)
        leg.on_bridged.append(self.d._talk_then_hangup)
        why = await self._in_bridge(ch, leg)
        if leg.alive:
            self.d.model.hangup(leg, soft=True, request=False)
        if why == "hangup":
            self._hangup_delay = 0.04
            self.hangup_pending = True
        return ["200 result=-1"]

    async def _in_bridge(self, ch: "DChannel", peer: "DChannel") -> str:
        """Bridge the caller to ``peer``; returns ``hangup`` (the caller hung up) or ``peer`` (the
        bridge ended otherwise: the other leg hung up, or was moved away)."""
        end = asyncio.get_running_loop().create_future()
        self._inflight, self._inflight_verb = end, "EXEC"

        def unbridged(_c: Any) -> None:
            if not end.done():
                end.set_result("peer")
        ch.on_unbridged.append(unbridged)
        # the pulled leg enters first, then the caller (live-cc-hold.txt, live-cc-bridge-caller-hangup.txt)
        self.d.model.bridge(peer, ch)
        try:
            why = await end
        finally:
            self._inflight = None
            if unbridged in ch.on_unbridged:
                ch.on_unbridged.remove(unbridged)
        if why == "hangup":
            return "hangup"
        if ch.bridge:
            self.d.model.leave_bridge(ch)
        return "peer"

    async def _cmd_set_context(self, args: list[str]) -> list[str]:
        if self.c.channel and args:
            self.c.channel.context = args[0]
        return ["200 result=0"]

    async def _cmd_set_extension(self, args: list[str]) -> list[str]:
        if self.c.channel and args:
            self.c.channel.exten = args[0]
        return ["200 result=0"]

    async def _cmd_set_priority(self, args: list[str]) -> list[str]:
        return ["200 result=0"]
