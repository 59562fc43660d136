"""`callcenter call`: a test caller that calls the running server over WebRTC (as the /call page does).

It waits for the IVR's first prompt, then presses ``--keys`` and/or says ``--say TEXT`` (espeak-ng) or
plays ``--wav FILE``, follows the call (what the IVR said and heard, waiting, talking) and hangs up
when the call reaches a queue (``--expect-queue``), an agent answers (``--expect-agent``), the server
ends it, or ``--timeout`` passes. What it heard is recognized with the local recognizer (pocketsphinx's
English model; ``--no-recognize`` skips it). One line per step; ``--json`` prints one JSON report.

Exit codes (for scripts and CI smoke tests): 0 the call went where expected (or anywhere, when nothing
was expected), 1 it ended elsewhere, 3 no call (signalling refused, no connection), 4 timeout, 5 busy: the
server is overloaded and refused the new call ("busy, please try later"; try again after ``retry_after`` s).
"""
from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .toolbox import add_command, load_config_from, quiet_logging, server_url

EXIT_OK, EXIT_ELSEWHERE, EXIT_NO_CALL, EXIT_TIMEOUT, EXIT_BUSY = 0, 1, 3, 4, 5
RATE = 8000


@dataclass
class CallReport:
    call_id: str | None = None
    said: list[str] = field(default_factory=list)           # text prompts the server says it played
    heard: list[dict] = field(default_factory=list)         # what the IVR understood (words / keys)
    recognized: list[str] = field(default_factory=list)     # the prompts' audio, recognized here
    state: str = "none"                                     # none | ivr | waiting | talking | ended
    queue: str | None = None
    agent: str | None = None
    ended: str | None = None                                # the server's reason (the record's outcome)
    ended_by: str | None = None                             # who ended it, as the record says
    error: str | None = None
    busy: bool = False                                      # refused: the server is overloaded
    retry_after: float | None = None                        # ... and said to try again after this (s)
    seconds: float = 0.0
    audio_seconds: float = 0.0


def speech_pcm(text: str | None = None, wav: str | None = None, rate: int = RATE) -> bytes:
    """16-bit PCM at ``rate`` from a WAV file or from text said by espeak-ng."""
    import numpy as np

    from ..speech.audio import read_audio, resample
    if wav is None:
        exe = shutil.which("espeak-ng") or shutil.which("espeak")
        if exe is None:
            raise RuntimeError("--say needs espeak-ng (apt-get install espeak-ng); or give --wav FILE")
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "say.wav"
            subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", str(out), text or ""], check=True,
                           capture_output=True, timeout=30)
            x, src = read_audio(out)
    else:
        x, src = read_audio(wav)
    if src != rate:
        x = resample(x, src, rate)
    pad = np.zeros(int(0.3 * rate), dtype=np.int16)
    return np.concatenate([pad, np.asarray(x, dtype=np.int16), pad]).astype("<i2").tobytes()


def segments(pcm: bytes, rate: int = RATE, gap_s: float = 0.6, min_s: float = 0.4) -> list[bytes]:
    """Stretches of sound separated by ``gap_s`` of silence (the prompts heard)."""
    import numpy as np
    x = np.frombuffer(pcm[: len(pcm) // 2 * 2], "<i2")
    f = rate // 50
    n = len(x) // f
    if n == 0:
        return []
    loud = np.abs(x[: n * f].reshape(n, f)).max(axis=1) > 600
    out, start, quiet = [], None, 0
    for i, on in enumerate(loud):
        if on:
            start = i if start is None else start
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet * 0.02 >= gap_s:
                if (i - quiet - start) * 0.02 >= min_s:
                    out.append(x[start * f: (i - quiet + 1) * f].tobytes())
                start, quiet = None, 0
    if start is not None and (n - start) * 0.02 >= min_s:
        out.append(x[start * f:].tobytes())
    return out


def recognize(pcm: bytes, cfg: Any, rate: int = RATE, language: str = "en-US") -> list[str]:
    """Each stretch of sound heard, as free speech by the configured recognizer for ``language`` (a vosk
    model when ``speech.vosk_models`` has one, else pocketsphinx's bundled English model, which is rough
    on synthetic voices: the server's ``prompt`` messages say exactly what was played)."""
    import numpy as np

    from ..speech.audio import wav_bytes
    from ..speech.service import build_speech_service
    service = build_speech_service(cfg)
    service.start_sync()
    rec = service.recognizer_for(language)
    texts = []
    try:
        with tempfile.TemporaryDirectory() as d:
            for i, seg in enumerate(segments(pcm, rate)):
                path = Path(d) / f"heard{i}.wav"
                path.write_bytes(wav_bytes(np.frombuffer(seg, "<i2"), rate))
                r = rec.recognize_file_sync(path, language)
                if r.text:
                    texts.append(r.text)
    finally:
        service.close()
    return texts


class _Follower:
    """Turns the server's messages into the report (and prints them as they come)."""

    def __init__(self, report: CallReport, echo: bool) -> None:
        self.report = report
        self.echo = echo
        self.changed = asyncio.Event()
        self.leaving = False            # we hang up: the server's goodbye is not where the call went

    def line(self, text: str) -> None:
        if self.echo:
            print(text, flush=True)

    def __call__(self, m: dict) -> None:
        r, kind = self.report, m.get("type")
        if self.leaving:
            return
        if kind == "call":
            r.call_id, r.state = m.get("call_id"), "ivr"
            self.line(f"call {r.call_id}")
        elif kind == "prompt":
            r.said.append(m.get("text", ""))
            self.line(f"IVR said: {m.get('text', '')}")
        elif kind == "heard":
            r.heard.append({k: m.get(k) for k in ("text", "digits", "confidence") if m.get(k) is not None})
            what = f"keys {m['digits']}" if m.get("digits") else repr(m.get("text") or "")
            self.line(f"IVR heard: {what}")
        elif kind == "status":
            r.state = m.get("state") or r.state
            if r.state == "waiting":
                r.queue = m.get("queue")
                self.line(f"waiting in queue {r.queue}")
            elif r.state == "talking":
                r.agent = m.get("agent")
                self.line(f"talking with {r.agent or 'an agent'}")
            elif r.state == "connected":
                self.line(f"connected through Asterisk ({m.get('channel')})")
        elif kind == "ended":
            r.state, r.ended, r.ended_by = "ended", m.get("reason") or m.get("by") or "ended", m.get("by")
            self.line(f"call ended by the server: {r.ended}" + (f" (ended by {r.ended_by})" if r.ended_by else ""))
        self.changed.set()


def _heard_sound(client: Any) -> bool:
    import numpy as np
    tail = bytes(client.heard[-2 * RATE:])            # the last second (polled every 50 ms)
    return bool(tail) and int(np.abs(np.frombuffer(tail, "<i2")).max()) >= 600


def _quiet_for(client: Any, seconds: float) -> bool:
    import numpy as np
    n = int(seconds * RATE) * 2
    tail = bytes(client.heard[-n:])
    if len(tail) < n:
        return False
    return int(np.abs(np.frombuffer(tail, "<i2")).max()) < 600


async def place_call(url: str, *, token: str | None = None, keys: str = "", speech: bytes = b"",
                     expect_queue: str | None = None, expect_agent: bool = False, timeout: float = 60.0,
                     hold: float = 0.0, echo: bool = True, prompt_wait: float = 20.0) -> CallReport:
    """Call ``url`` over WebRTC, act, follow the call; the report (``state`` says where it ended)."""
    import aiohttp

    from ..media.webrtc_client import PeerClient
    report = CallReport()
    follow = _Follower(report, echo)
    client = PeerClient(RATE, on_message=follow)
    t0 = time.monotonic()
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with aiohttp.ClientSession() as http:
            async with http.post(url + "/webrtc/call", json={**await client.offer(), "name": "callcenter call"},
                                 headers=headers) as resp:
                answer = await resp.json(content_type=None)
                if resp.status == 503 and answer.get("busy"):
                    report.busy, report.retry_after = True, answer.get("retry_after")
                    report.error = f"busy, please try later (in {report.retry_after} s): {answer.get('error')}"
                    follow.line(report.error)
                    return report
                if resp.status != 200:
                    report.error = f"the server refused the call: HTTP {resp.status}: {answer.get('error')}"
                    return report
        await client.accept(answer)
        report.call_id = answer.get("call_id")
        try:
            await asyncio.wait_for(client.opened.wait(), 15)
        except asyncio.TimeoutError:
            report.error = "no WebRTC connection within 15 s (ICE: check webrtc.host_addresses / ice_servers)"
            return report
        # the first prompt: wait until the IVR has said something (the server's prompt message, or the
        # prompt's sound: through Asterisk the server does not send prompt texts) and then paused
        end = time.monotonic() + prompt_wait
        while time.monotonic() < end and not (report.said or _heard_sound(client)) and not client.ended.is_set():
            await asyncio.sleep(0.05)
        while time.monotonic() < end and not _quiet_for(client, 0.5) and not client.ended.is_set():
            await asyncio.sleep(0.05)
        if keys:
            follow.line(f"pressing {keys}")
            for k in keys:
                client.press(k)
                await asyncio.sleep(0.15)
        if speech:
            follow.line(f"saying {len(speech) / 2 / RATE:.1f} s of speech")
            client.say(speech)
        deadline = t0 + timeout
        while time.monotonic() < deadline and not client.ended.is_set():
            if expect_queue and report.state == "waiting" and not expect_agent:
                break
            if expect_agent and report.state == "talking":
                break
            if not (expect_queue or expect_agent) and report.state in ("waiting", "talking"):
                break
            follow.changed.clear()
            try:
                await asyncio.wait_for(follow.changed.wait(), 0.25)
            except asyncio.TimeoutError:
                pass
        if hold and not client.ended.is_set():
            try:                            # stay on the line; the server ending the call ends the hold
                await asyncio.wait_for(client.ended.wait(), hold)
            except asyncio.TimeoutError:
                pass
        if not client.ended.is_set() and time.monotonic() >= deadline:
            report.error = f"timeout after {timeout:g} s"
    except (OSError, aiohttp.ClientError) as exc:
        report.error = f"cannot reach {url}: {exc}"
    finally:
        if report.state != "ended":
            follow.leaving = True
            await client.hangup()
        else:
            await client.close()
        report.seconds = round(time.monotonic() - t0, 2)
        report.audio_seconds = round(len(client.heard) / 2 / RATE, 2)
        report.__dict__["_audio"] = bytes(client.heard)
    return report


def exit_code(report: CallReport, expect_queue: str | None, expect_agent: bool) -> int:
    if report.busy:
        return EXIT_BUSY
    if report.call_id is None or (report.error and report.state == "none"):
        return EXIT_NO_CALL
    if report.error and report.error.startswith("timeout"):
        return EXIT_TIMEOUT
    if expect_agent and report.agent is None and report.state != "talking":
        return EXIT_ELSEWHERE
    if expect_queue and report.queue != expect_queue:
        return EXIT_ELSEWHERE
    return EXIT_OK


def cmd_call(args) -> int:
    try:
        speech = speech_pcm(args.say, args.wav) if (args.say or args.wav) else b""
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as exc:
        print(f"callcenter call: {exc}", file=sys.stderr)
        return 2
    url = server_url(args)
    quiet_logging(load_config_from(args))
    report = asyncio.run(place_call(url, token=args.token, keys=args.keys or "", speech=speech,
                                    expect_queue=args.expect_queue, expect_agent=args.expect_agent,
                                    timeout=args.timeout, hold=args.hold, echo=not args.json))
    audio = report.__dict__.pop("_audio", b"")
    if args.record and audio:
        from ..speech.audio import wav_bytes
        import numpy as np
        Path(args.record).write_bytes(wav_bytes(np.frombuffer(audio, "<i2"), RATE))
    if not args.no_recognize and audio:
        try:
            report.recognized = recognize(audio, load_config_from(args))
        except Exception as exc:  # noqa: BLE001 - recognition is a bonus, never the verdict
            report.recognized = [f"(not recognized: {exc})"]
    code = exit_code(report, args.expect_queue, args.expect_agent)
    if args.json:
        print(json.dumps({**asdict(report), "exit_code": code}, ensure_ascii=False))
        return code
    for text in report.recognized:
        print(f"heard (recognized here): {text}")
    where = report.state + (f" in queue {report.queue}" if report.queue else "") + (
        f" with {report.agent}" if report.agent else "") + (
        f" ({report.ended}, ended by {report.ended_by})" if report.state == "ended" and report.ended_by else "")
    print(f"result: {where}" + (f" ({report.error})" if report.error else "") + f"; exit {code}")
    return code


def register(sub) -> None:
    p = add_command(sub, "call", "call the running server over WebRTC as a test caller (keys, speech, "
                                 "what the IVR said and heard, where the call went)")
    p.add_argument("--keys", help="keys to press after the first prompt, e.g. 1 or 12#")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--say", metavar="TEXT", help="say this after the first prompt (espeak-ng)")
    g.add_argument("--wav", metavar="FILE", help="play this recording after the first prompt")
    p.add_argument("--expect-queue", metavar="QUEUE", help="exit 0 only if the call waits in this queue")
    p.add_argument("--expect-agent", action="store_true", help="exit 0 only if an agent answers")
    p.add_argument("--hold", type=float, default=0.0, metavar="S", help="stay on the line S seconds at the end")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S", help="give up after S seconds (exit 4); "
                   "exit 5: the server is overloaded and refused the call (busy, try later)")
    p.add_argument("--record", metavar="FILE", help="write what the caller heard to this WAV file")
    p.add_argument("--no-recognize", action="store_true", help="do not run the recognizer on what was heard")
    p.add_argument("--json", action="store_true", help="print one JSON report instead of lines")
    p.add_argument("--url", help="server URL (default: $CALLCENTER_URL or http://<http.host>:<http.port>)")
    p.add_argument("--token", help="token, when the server has webrtc.callers: token")
    p.set_defaults(func=cmd_call)
