"""The IVR's :class:`~callcenter.ivr.channel.Channel` over a FastAGI session.

AGI commands used (all appear in ``../shared/asterisk-wire/agi-session-full.txt`` except
``WAIT FOR DIGIT``, ``SAY NUMBER`` and ``SET MUSIC``, whose replies are the same ``200 result=``
shape): ``ANSWER``, ``STREAM FILE <file> <escape>``, ``GET DATA <file> <ms> <max>``,
``WAIT FOR DIGIT <ms>``, ``SAY DIGITS``/``SAY NUMBER``, ``RECORD FILE <path> wav <escape> <ms>
[BEEP] [s=<silence s>]``, ``GET VARIABLE``/``SET VARIABLE``, ``EXEC <app> <args>``, ``SET MUSIC``,
``HANGUP``.

Hang-up handling (both shapes in the captures):

* a command interrupted by the hang-up answers ``200 result=-1`` and ``HANGUP`` arrives before the
  reply to the *next* command. ``result=-1`` from STREAM FILE is also what a missing sound file
  gives, so the channel probes with ``CHANNEL STATUS``: ``HANGUP``/``511`` -> :class:`CallerHungUp`,
  a normal reply -> the file was missing (logged, the call goes on).
* ``511`` replies and an unsolicited ``HANGUP`` mark the session dead -> :class:`CallerHungUp`.

Text prompts are synthesized through the injected :class:`~callcenter.speech.api.Synthesizer`
(cached by the speech layer) and played by the file's ``asterisk_name``. ``recognize`` records the
answer (RECORD FILE with silence detection into the recordings directory shared with Asterisk)
and hands the file to the injected :class:`~callcenter.speech.api.Recognizer`; with
``media.speech_mode: stream`` (``streaming``) it listens to the live audio over AudioSocket instead
(:mod:`callcenter.media.streaming`: barge-in, end of speech detected live) and takes the file path
only for a node the stream cannot serve.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import os
from pathlib import Path
from typing import Any, AsyncIterator, Mapping, Sequence

from ..ivr.channel import (CallerHungUp, CallInfo, Channel, ChannelError, DigitsResult, Prompt, RecordResult,
                           speech_serves)
from ..media.audiosocket import AudioSocketServer
from ..media.audiosocket_leg import AudioSocketLeg
from ..speech.api import Recognition
from .agi_codec import AgiError, AgiHangup, AgiReply, Raw
from .agi_server import AgiSession

log = logging.getLogger("callcenter.asterisk.agi_channel")

ALL_DIGITS = "0123456789*#"
#: applications that connect the caller to another leg: their EXEC result does not say who hung up
CONNECTING_APPS = frozenset({"bridge", "dial"})
SAMPLE_RATE = 8000          # RECORD FILE endpos counts 8 kHz samples for telephone formats


def _normalize_language(lang: str | None, default: str = "en-US") -> str:
    if not lang or lang == "unknown":
        return default
    lang = lang.replace("_", "-")
    if "-" not in lang:
        # "en" -> keep the configured default when it is the same language
        if default.split("-")[0].lower() == lang.lower():
            return default
        return lang
    a, b = lang.split("-", 1)
    return f"{a.lower()}-{b.upper()}"


def _clean(v: str | None) -> str:
    return "" if v in (None, "unknown", "<unknown>") else str(v)


class AgiChannel(Channel):
    """A live call over FastAGI.

    ``record_dir``: where the engine reads recordings (config ``recordings.agi_record_dir``, default
    ``recordings.dir``); ``asterisk_record_dir``: the same directory as Asterisk sees it
    (``recordings.asterisk_record_dir``, default ``record_dir``).
    """

    def __init__(self, session: AgiSession, synthesizer: Any = None, recognizer: Any = None, *,
                 record_dir: str | os.PathLike | None = None,
                 asterisk_record_dir: str | None = None, record_format: str = "wav",
                 default_language: str = "en-US", moh_class: str = "default",
                 command_timeout: float | None = None, audiosocket: AudioSocketServer | None = None,
                 streaming: Any = None) -> None:
        self.session = session
        self.audiosocket_server = audiosocket
        #: ``media.speech_mode: stream``: a :class:`~callcenter.media.streaming.StreamingSpeech`
        self.streaming = streaming
        self.synthesizer = synthesizer
        self.recognizer = recognizer
        env = session.env
        self.record_dir = Path(record_dir or "recordings")
        self.asterisk_record_dir = str(asterisk_record_dir or self.record_dir)
        self.record_format = record_format
        self.moh_class = moh_class
        self.command_timeout = command_timeout
        did = _clean(env.get("agi_dnid")) or _clean(env.get("agi_extension"))
        variables = {f"arg{i + 1}": a for i, a in enumerate(session.args)}
        variables.update(session.params)
        self.info = CallInfo(
            call_id=session.call_id or session.uniqueid,
            caller=_clean(env.get("agi_callerid")),
            caller_name=_clean(env.get("agi_calleridname")),
            did=did,
            channel=env.get("agi_channel", ""),
            language=_normalize_language(env.get("agi_language"), default_language),
            variables=variables,
        )
        self._seq = itertools.count(1)
        self.answered = False
        self.moh_on = False

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def call_id(self) -> str:
        return self.info.call_id

    @property
    def connection_lost(self) -> bool:
        """The FastAGI connection dropped without a hang-up: Asterisk went away, not the caller."""
        return bool(getattr(self.session, "lost", False))

    def _log_extra(self, **kw: Any) -> dict:
        return {"call_id": self.info.call_id, **kw}

    async def _cmd(self, verb: str, *args: object, timeout: float | None = None) -> AgiReply:
        if self.session.hung_up:
            raise CallerHungUp(f"caller hung up before {verb}")
        try:
            return await self.session.command(verb, *args, timeout=timeout)
        except AgiHangup as exc:
            raise CallerHungUp(str(exc)) from None
        except asyncio.TimeoutError as exc:
            raise ChannelError(f"AGI {verb}: {exc}") from None
        except AgiError as exc:
            raise ChannelError(f"AGI {verb} failed: {exc}") from None
        except OSError as exc:
            raise ChannelError(f"AGI {verb}: connection error {exc}") from None

    async def _after_minus_one(self, what: str) -> None:
        """``result=-1``: the caller hung up, or (STREAM FILE) the file does not exist. Probe."""
        await self._caller_still_there(what)
        log.warning("%s failed (result=-1) but the channel is alive: missing sound file?", what,
                    extra=self._log_extra())

    @staticmethod
    def _digit(reply: AgiReply) -> str | None:
        r = reply.int_result
        if r > 0:
            try:
                return chr(r)
            except ValueError:
                return None
        return None

    # -- Channel interface ------------------------------------------------------------------------
    async def answer(self) -> None:
        r = await self._cmd("ANSWER")
        if r.int_result == -1:
            await self._after_minus_one("ANSWER")
        self.answered = True

    async def _file_name(self, p: Prompt) -> str | None:
        if p.kind == "file":
            return p.value
        if p.kind == "text":
            if self.synthesizer is None:
                log.warning("text prompt skipped: no synthesizer configured (%r)", p.value[:60],
                            extra=self._log_extra())
                return None
            try:
                sp = await self.synthesizer.synthesize(p.value, p.language or self.info.language, p.voice)
            except Exception as exc:  # noqa: BLE001 - a synthesis failure must not drop the call
                log.error("text prompt could not be synthesized (%s): %r", exc, p.value[:60],
                          extra=self._log_extra())
                return None
            return sp.asterisk_name
        return None

    async def _stream(self, name: str, escape: str) -> str | None:
        r = await self._cmd("STREAM FILE", name, escape)
        if r.int_result == -1:
            await self._after_minus_one(f"STREAM FILE {name}")
            return None
        return self._digit(r)

    async def _play_one(self, p: Prompt, escape: str) -> str | None:
        if self.moh_on:
            await self.stop_music()
        if p.kind in ("file", "text"):
            name = await self._file_name(p)
            return await self._stream(name, escape) if name else None
        if p.kind in ("digits", "number"):
            verb = "SAY DIGITS" if p.kind == "digits" else "SAY NUMBER"
            value = "".join(ch for ch in str(p.value) if ch.isdigit() or (p.kind == "number" and ch == "-"))
            if not value:
                return None
            r = await self._cmd(verb, value, escape)
            if r.int_result == -1:
                await self._after_minus_one(verb)
                return None
            return self._digit(r)
        if p.kind == "silence":
            try:
                secs = float(p.value)
            except ValueError:
                secs = 1.0
            if secs <= 0:
                return None
            if escape:
                return await self._wait_digit_for(secs, escape)
            r = await self._cmd("EXEC", "Wait", f"{secs:g}", timeout=secs + 10)
            if r.int_result == -1:
                await self._after_minus_one("EXEC Wait")
            return None
        log.warning("unknown prompt kind %r skipped", p.kind, extra=self._log_extra())
        return None

    async def play(self, prompts: Sequence[Prompt], escape_digits: str = "") -> str | None:
        for p in prompts:
            d = await self._play_one(p, escape_digits)
            if d is not None and (not escape_digits or d in escape_digits):
                return d
        return None

    async def _wait_digit_for(self, seconds: float, accept: str) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            left = deadline - loop.time()
            if left <= 0:
                return None
            d = await self.wait_digit(left)
            if d is None:
                return None
            if not accept or d in accept:
                return d

    async def wait_digit(self, timeout: float) -> str | None:
        ms = max(1, int(timeout * 1000))
        r = await self._cmd("WAIT FOR DIGIT", ms, timeout=timeout + (self.command_timeout or 30.0))
        if r.int_result == -1:
            await self._after_minus_one("WAIT FOR DIGIT")
            return None
        return self._digit(r)

    async def collect_digits(self, prompts: Sequence[Prompt], max_digits: int, timeout: float,
                             terminator: str = "#", inter_digit_timeout: float = 3.0) -> DigitsResult:
        max_digits = max(1, int(max_digits))
        # one file prompt and '#' as terminator: GET DATA does it in one round trip
        if terminator == "#" and len(prompts) == 1 and prompts[0].kind == "file":
            if self.moh_on:
                await self.stop_music()
            ms = max(1, int(timeout * 1000))
            r = await self._cmd("GET DATA", prompts[0].value, ms, max_digits,
                                timeout=timeout * (max_digits + 1) + 60)
            if r.result == "-1":
                await self._after_minus_one("GET DATA")
                return DigitsResult("", timed_out=True)
            digits = "".join(ch for ch in r.result if ch in ALL_DIGITS)
            timed_out = r.data == "timeout"
            return DigitsResult(digits, timed_out=timed_out and len(digits) < max_digits)
        return await self.collect_keys(prompts, max_digits, timeout, terminator, inter_digit_timeout)

    def _record_paths(self, name: str) -> tuple[str, Path]:
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "rec"
        return (f"{self.asterisk_record_dir.rstrip('/')}/{safe}",
                self.record_dir / f"{safe}.{self.record_format}")

    async def record(self, name: str, max_seconds: float, silence_seconds: float = 2.0,
                     escape_digits: str = "#", beep: bool = True) -> RecordResult:
        if self.moh_on:
            await self.stop_music()
        ast_path, local = self._record_paths(name)
        try:
            local.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        args: list[object] = [ast_path, self.record_format, escape_digits, int(max_seconds * 1000)]
        if beep:
            args.append("BEEP")
        if silence_seconds and silence_seconds > 0:
            args.append(f"s={max(1, int(round(silence_seconds)))}")
        # quote the escape digits like the capture does ("#")
        args[2] = Raw('"' + escape_digits.replace('"', "") + '"')
        try:
            r = await self._cmd("RECORD FILE", *args, timeout=max_seconds + 60)
        except CallerHungUp:
            raise
        duration = (r.endpos or 0) / SAMPLE_RATE
        if r.data == "hangup" or r.int_result == -1:
            if r.data == "hangup":
                self.session._mark_hung_up()
            else:
                await self._after_minus_one("RECORD FILE")
            raise CallerHungUp("caller hung up during RECORD FILE")
        if r.data == "dtmf":
            return RecordResult(str(local), duration, "dtmf", self._digit(r))
        if r.data == "timeout":
            ended = "silence" if silence_seconds and duration < max_seconds - 0.5 else "timeout"
            return RecordResult(str(local), duration, ended)
        if r.data in ("writefile", "randomerror", "waitfor"):
            raise ChannelError(f"RECORD FILE {ast_path} failed: {r.data}")
        return RecordResult(str(local), duration, "timeout")

    @property
    def speech_available(self) -> bool:
        return speech_serves(self.recognizer, self.info.language)

    def prefetch(self, prompts: Sequence[Prompt]) -> int:
        """In stream mode, render what the flow may play next into the streaming prompt cache while the
        caller listens or speaks (the next menu's prompt is then ready when the answer is decided)."""
        if self.streaming is None or self.session.hung_up:
            return 0
        return self.streaming.prefetch(prompts, self.info.language)

    async def recognize(self, prompts: Sequence[Prompt], phrases: Sequence[str] | None,
                        timeout: float = 5.0, language: str | None = None,
                        escape_digits: str = "0123456789*#", barge_in: bool | None = None) -> Recognition | None:
        if self.recognizer is None:
            return None
        lang = language or self.info.language
        if self.streaming is not None:
            # live audio over AudioSocket; a node it cannot serve comes back for the file path below
            from ..media.streaming import USE_FILE_PATH
            r = await self.streaming.recognize(self, prompts, phrases, timeout, lang, escape_digits, barge_in)
            if r is not USE_FILE_PATH:
                return r
        d = await self.play(prompts, escape_digits)
        if d is not None:
            return Recognition(text="", confidence=1.0, digits=d)
        name = f"{self.info.call_id or 'call'}-asr-{next(self._seq)}"
        rec = await self.record(name, max_seconds=max(1.0, timeout), silence_seconds=1.5,
                                escape_digits=escape_digits, beep=False)
        if rec.ended_by == "dtmf" and rec.digit:
            return Recognition(text="", confidence=1.0, digits=rec.digit, audio_path=rec.path)
        from ..speech.api import SpeechUnavailable
        try:
            result = await self.recognizer.recognize_file(rec.path, lang, list(phrases) if phrases else None)
        except SpeechUnavailable as exc:
            log.info("speech unavailable for %s: %s", lang, exc, extra=self._log_extra())
            return None
        except FileNotFoundError:
            log.error("recording %s not found by the engine: check recordings.agi_record_dir / "
                      "asterisk_record_dir point at the same directory", rec.path, extra=self._log_extra())
            return Recognition(text="", confidence=0.0, audio_path=rec.path)
        except Exception as exc:  # noqa: BLE001 - recognition failure = "not understood"
            log.error("speech recognition failed: %s", exc, extra=self._log_extra())
            return Recognition(text="", confidence=0.0, audio_path=rec.path)
        if result.audio_path is None:
            result = dataclasses.replace(result, audio_path=rec.path)    # keeps every field (no_match)
        return result

    async def get_variable(self, name: str) -> str | None:
        verb = "GET FULL VARIABLE" if "${" in name else "GET VARIABLE"
        r = await self._cmd(verb, name)
        if r.int_result == 1:
            return r.data if r.data is not None else ""
        return None

    async def set_variable(self, name: str, value: str) -> None:
        await self._cmd("SET VARIABLE", name, str(value))
        self.info.variables[name] = str(value)

    async def set_language(self, language: str) -> None:
        self.info.language = language
        try:
            await self._cmd("SET VARIABLE", "CHANNEL(language)", language.split("-")[0])
        except ChannelError:
            pass

    async def exec_app(self, app: str, args: str = "") -> int:
        if self.moh_on and app.lower() not in ("startmusiconhold", "musiconhold"):
            await self.stop_music()
        r = await self._cmd("EXEC", app, args, timeout=None if self.command_timeout is None else 3600)
        if r.int_result == -2:
            raise ChannelError(f"dialplan application {app!r} does not exist in Asterisk")
        if app.lower() in CONNECTING_APPS:
            # the result does not say who hung up (Bridge: 0, Dial: -1 either way) and the caller's
            # HANGUP line comes *after* the reply (bridge-agi-exec-*.txt): ask the channel
            await self._caller_still_there(f"EXEC {app}")
        elif r.int_result == -1 and self.session.hung_up:
            raise CallerHungUp(f"caller hung up during EXEC {app}")
        return r.int_result

    async def _caller_still_there(self, what: str) -> None:
        """``CHANNEL STATUS``: a reply = the caller is up; ``HANGUP``/``511``/closed = gone (raises)."""
        if self.session.hung_up:
            raise CallerHungUp(f"caller hung up during {what}")
        try:
            await self.session.command("CHANNEL STATUS", timeout=5.0)
        except (AgiHangup, asyncio.TimeoutError):
            raise CallerHungUp(f"caller hung up during {what}") from None
        except AgiError:
            pass
        if self.session.hung_up:
            raise CallerHungUp(f"caller hung up during {what}")

    async def transfer(self, destination: str) -> None:
        """``context,exten[,priority]`` or an extension/number (-> ``cc-transfer,<dest>,1``): sets
        ``CC_TRANSFER_CONTEXT/EXTEN/PRIORITY`` and ``CC_AGI_STATUS=transfer`` and ends the AGI session;
        the dialplan after ``AGI()`` (``asterisk_conf/extensions.conf``) then does the ``Goto``.
        ``PJSIP/...``/``Local/...`` -> ``Dial`` from the AGI session."""
        dest = destination.strip()
        if not dest:
            raise ChannelError("transfer: empty destination")
        if "/" in dest.split(",")[0]:
            await self.exec_app("Dial", dest)
            return
        parts = [p.strip() for p in dest.split(",")]
        if len(parts) == 1:
            parts = ["cc-transfer", parts[0], "1"]
        elif len(parts) == 2:
            parts.append("1")
        if self.moh_on:
            await self.stop_music()
        await self._cmd("SET VARIABLE", "CC_TRANSFER_CONTEXT", parts[0])
        await self._cmd("SET VARIABLE", "CC_TRANSFER_EXTEN", parts[1])
        await self._cmd("SET VARIABLE", "CC_TRANSFER_PRIORITY", parts[2])
        await self._cmd("SET VARIABLE", "CC_AGI_STATUS", "transfer")
        self.session.extra["transferred"] = dest
        log.info("transfer to %s: ending the AGI session", ",".join(parts), extra=self._log_extra())
        self.session.close()

    async def hangup(self) -> None:
        if self.session.hung_up or self.session.closed:
            return
        try:
            await self.session.command("HANGUP", timeout=5.0)
        except (AgiHangup, AgiError, asyncio.TimeoutError):
            pass
        self.session._mark_hung_up()

    # -- extras used by the queue wait / call connection -------------------------------------------
    async def start_music(self, moh_class: str | None = None) -> None:
        """Music on hold that keeps playing while the engine is idle (``SET MUSIC on <class>``)."""
        await self._cmd("SET MUSIC", "on", moh_class or self.moh_class)
        self.moh_on = True

    async def stop_music(self) -> None:
        self.moh_on = False
        await self._cmd("SET MUSIC", "off")

    async def wait_hangup(self, timeout: float) -> bool:
        """Idle for up to ``timeout`` seconds (music keeps playing); True when the caller hung up."""
        return await self.session.wait_hangup(timeout)

    async def bridge(self, channel: str, *, hangup_after: bool = False) -> int:
        """Bridge this caller to another channel (the answered agent leg parked in ``cc-agent-wait``).
        Returns when the bridge ends (agent hung up: 0) or raises CallerHungUp. ``hangup_after``: Bridge's
        ``x`` option, Asterisk hangs ``channel`` up when the bridge ends instead of letting it go on in its
        dialplan (a resume from ``cc-agent-hold``, whose loop must not take the leg back)."""
        if self.moh_on:
            await self.stop_music()
        return await self.exec_app("Bridge", f"{channel},x" if hangup_after else channel)

    # -- live audio (AudioSocket) ---------------------------------------------------------------------
    @property
    def audiosocket_available(self) -> bool:
        """AudioSocket is enabled (``media.audiosocket_enabled``) and the caller is still there."""
        return self.audiosocket_server is not None and not self.session.hung_up

    @contextlib.asynccontextmanager
    async def audiosocket(self, sample_rate: int = 8000, *,
                          connect_timeout: float | None = None) -> AsyncIterator[AudioSocketLeg]:
        """The caller's live audio: ``async with channel.audiosocket() as leg: ...``.

        Answers the call if the engine has not (``AudioSocket()`` refuses a channel that is not up:
        ``live-audiosocket-agi-edges.txt``), registers a fresh UUID with the AudioSocket server, sends
        ``EXEC AudioSocket <uuid>,<advertise>``
        (it blocks until the socket closes, so **no other AGI command can be sent inside the block**),
        waits for Asterisk to connect and yields the :class:`AudioSocketLeg`. On exit the leg is closed
        (0x00) and the EXEC's reply read (``audiosocket-agi-exec.txt``): ``200 result=0`` = the caller
        is still up and the IVR goes on over AGI; ``200 result=-1`` then ``HANGUP`` ->
        :class:`CallerHungUp`. Asterisk not connecting within ``connect_timeout`` (default
        ``media.audiosocket_connect_timeout``) -> :class:`ChannelError` naming the address it was told.
        ``sample_rate`` 16000 makes our side send slin16 (0x12); the caller's audio is resampled."""
        server = self.audiosocket_server
        if server is None:
            raise ChannelError("AudioSocket is not enabled (config media.audiosocket_enabled)")
        if self.session.hung_up:
            raise CallerHungUp("caller hung up before EXEC AudioSocket")
        if self.moh_on:
            await self.stop_music()
        if not self.answered:
            # AudioSocket() refuses a channel that is not up ("Channel is not answered", -1)
            await self.answer()
        pending = server.expect(sample_rate=sample_rate)
        addr = server.advertise
        timeout = server.connect_timeout if connect_timeout is None else connect_timeout
        # no command timeout: the EXEC lasts as long as the leg; its end is awaited below
        exec_task = asyncio.ensure_future(self.session.command("EXEC", "AudioSocket", f"{pending.uuid},{addr}",
                                                               timeout=0))
        try:
            await asyncio.wait({exec_task, pending.future}, timeout=timeout,
                               return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            pending.cancel()
            exec_task.cancel()
            raise
        if not pending.connected:
            pending.cancel()
            await self._audiosocket_not_connected(exec_task, addr, timeout)
        leg: AudioSocketLeg = pending.future.result()
        log.info("audiosocket %s connected for the caller", leg.uuid, extra=self._log_extra())
        try:
            yield leg
        except BaseException as exc:
            if await self._audiosocket_done(leg, exec_task) and not isinstance(exc, CallerHungUp):
                raise CallerHungUp("caller hung up during AudioSocket") from exc
            raise
        if await self._audiosocket_done(leg, exec_task):
            raise CallerHungUp("caller hung up during AudioSocket")

    async def _audiosocket_not_connected(self, exec_task: asyncio.Future, addr: str, timeout: float) -> None:
        """Asterisk did not connect: its reply to the EXEC says why (it gives up connecting after 2 s)."""
        what = f"Asterisk did not connect to the AudioSocket server at {addr} (media.audiosocket_advertise)"
        try:
            r = await asyncio.wait_for(asyncio.shield(exec_task), 5.0)
        except asyncio.TimeoutError:
            # the EXEC is stuck: its late reply would be taken for the next command's
            exec_task.cancel()
            self.session.close()
            raise ChannelError(f"{what} within {timeout:g} s and EXEC AudioSocket did not return; "
                               "FastAGI session closed") from None
        except AgiHangup:
            raise CallerHungUp("caller hung up during EXEC AudioSocket") from None
        except (AgiError, OSError) as exc:
            raise ChannelError(f"EXEC AudioSocket failed: {exc}") from None
        if r.int_result == -1:
            await self._caller_still_there("EXEC AudioSocket")
        if r.int_result == -2:
            raise ChannelError("dialplan application AudioSocket does not exist in Asterisk "
                               "(load app_audiosocket.so, see asterisk_conf/modules.conf)")
        raise ChannelError(f"{what} within {timeout:g} s (EXEC AudioSocket: {r.lines[-1] if r.lines else r})")

    async def _audiosocket_done(self, leg: AudioSocketLeg, exec_task: asyncio.Future) -> bool:
        """Close the leg (0x00), read the EXEC's reply; True when the caller hung up."""
        await leg.close("AudioSocket block done")
        try:
            r = await asyncio.wait_for(asyncio.shield(exec_task), 10.0)
        except asyncio.TimeoutError:
            exec_task.cancel()
            log.warning("EXEC AudioSocket did not return 10 s after the socket closed; closing the session",
                        extra=self._log_extra())
            self.session.close()
            return True
        except AgiHangup:
            return True
        except (AgiError, OSError) as exc:
            log.warning("EXEC AudioSocket failed: %s", exc, extra=self._log_extra())
            return self.session.hung_up
        if r.int_result == -1:
            try:
                await self._caller_still_there("EXEC AudioSocket")
            except CallerHungUp:
                return True
            log.warning("EXEC AudioSocket returned -1 but the caller is still up (%s)", leg.ended,
                        extra=self._log_extra())
        return self.session.hung_up

    async def verbose(self, message: str, level: int = 1) -> None:
        await self._cmd("VERBOSE", message, level)

    async def set_variables(self, values: Mapping[str, str]) -> None:
        for k, v in values.items():
            await self.set_variable(k, v)
