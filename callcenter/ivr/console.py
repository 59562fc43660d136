"""The console channel behind ``callcenter ivr try``: a supervisor plays the caller in a terminal.

Prompts are printed (and, with a synthesizer and ``wav_dir``, spoken into numbered WAV files).
Each time the IVR waits, one line is read:

* digits (``1``, ``1234#``): keys;
* any other text: what the caller says. It is handed to the IVR as a recognition with confidence 1,
  so it goes through exactly the same phrase matching / intent classification as real speech;
* an empty line: silence (the wait times out);
* ``hangup`` / ``/hangup`` or end of input: the caller hangs up.

Works with piped stdin (tests, scripted demos): the typed line is echoed when input is not a terminal.
"""
from __future__ import annotations

import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence, TextIO

from ..speech.api import Recognition
from .channel import CallerHungUp, CallInfo, Channel, DigitsResult, Prompt, RecordResult

KEYS = "0123456789*#"


def describe_trace(entry: Any) -> str | None:
    """One readable line for a trace entry of a try-out (``callcenter ivr try``, the web page's try-out);
    ``None`` for entries shown otherwise (``enter``: the path) or not at all."""
    d = entry.data
    if entry.kind == "recognition":
        if d.get("available") is False:
            return "speech unavailable: keys only"
        what = d.get("matched") or d.get("intent") or "no match"
        return (f"heard {d.get('text')!r} (confidence {d.get('confidence', 0):.2f})"
                + (f" -> {what} (score {d.get('score', 0):.2f})" if "score" in d else ""))
    if entry.kind == "intent":
        return f"intent {d.get('intent')} (score {d.get('score', 0):.2f}) for {d.get('text')!r}"
    if entry.kind == "retry":
        return f"retry {d.get('attempt')}: {d.get('reason')}"
    if entry.kind in ("schedule", "http", "language", "branch", "set", "error"):
        return f"{entry.kind}: {json.dumps(dict(d), ensure_ascii=False, default=str)}"
    return None


def describe_prompt(p: Prompt) -> str:
    if p.kind == "text":
        return p.value
    if p.kind == "file":
        return f"<recording {p.value}>"
    if p.kind == "digits":
        return f"<digits {' '.join(p.value)}>"
    if p.kind == "number":
        return f"<number {p.value}>"
    if p.kind == "silence":
        return f"<silence {p.value}s>"
    return f"<{p.kind} {p.value}>"


class ConsoleChannel(Channel):
    def __init__(self, info: CallInfo, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
                 speech: bool = True, synthesizer: Any = None, wav_dir: str | Path | None = None,
                 echo: bool | None = None, recordings_dir: str | Path | None = None) -> None:
        self.info = info
        self.stdin = stdin or sys.stdin
        self.out = stdout or sys.stdout
        self._speech = speech
        self.synthesizer = synthesizer
        self.wav_dir = Path(wav_dir) if wav_dir else None
        self.recordings_dir = Path(recordings_dir) if recordings_dir else self.wav_dir   # None: a temp dir
        if echo is None:
            try:
                echo = not self.stdin.isatty()
            except (AttributeError, ValueError):
                echo = True
        self.echo = echo
        self._wav_count = 0
        self.hung_up = False
        self.variables: dict[str, str] = {}
        self.wav_files: list[Path] = []
        self.synth_errors: list[str] = []

    @property
    def speech_available(self) -> bool:
        return self._speech

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    async def _read(self, hint: str) -> str:
        if self.hung_up:
            raise CallerHungUp()
        self.say(f"  ? {hint}")
        line = await asyncio.to_thread(self.stdin.readline)
        if line == "":
            self.hung_up = True
            self.say("  (end of input: caller hangs up)")
            raise CallerHungUp()
        line = line.rstrip("\r\n")
        if self.echo:
            self.say(f"  > {line}" if line else "  > (silence)")
        if line.strip().lower() in ("hangup", "/hangup", "/hup"):
            self.hung_up = True
            raise CallerHungUp()
        return line.strip()

    async def _show(self, prompts: Sequence[Prompt]) -> None:
        for p in prompts:
            self.say(f"  [{p.language}] {describe_prompt(p)}")
            if p.kind == "text" and self.synthesizer is not None and self.wav_dir is not None:
                await self._speak(p)

    async def _speak(self, p: Prompt) -> None:
        try:
            res = await self.synthesizer.synthesize(p.value, p.language, p.voice)
            self._wav_count += 1
            self.wav_dir.mkdir(parents=True, exist_ok=True)
            src = Path(res.path)
            dest = self.wav_dir / f"{self._wav_count:03d}{src.suffix or '.wav'}"
            shutil.copyfile(src, dest)
            self.wav_files.append(dest)
            self.say(f"      (spoken to {dest})")
        except Exception as exc:  # noqa: BLE001 - speaking is a convenience; never stop the session
            self.synth_errors.append(str(exc))
            self.say(f"      (could not synthesize: {exc})")

    async def answer(self) -> None:
        self.say(f"  (call answered: caller {self.info.caller or '-'} dialled {self.info.did or '-'})")

    async def play(self, prompts: Sequence[Prompt], escape_digits: str = "") -> str | None:
        if self.hung_up:
            raise CallerHungUp()
        await self._show(prompts)
        return None

    async def collect_digits(self, prompts: Sequence[Prompt], max_digits: int, timeout: float,
                             terminator: str = "#", inter_digit_timeout: float = 3.0) -> DigitsResult:
        await self._show(prompts)
        what = "a key" if max_digits == 1 else f"up to {max_digits} digits" + (f", end with {terminator}" if terminator else "")
        line = await self._read(f"press {what} (empty line = silence)")
        digits = "".join(c for c in line if c in KEYS)
        if not digits:
            return DigitsResult("", True)
        if terminator and terminator in digits:
            return DigitsResult(digits.split(terminator)[0][:max_digits], False)
        return DigitsResult(digits[:max_digits], len(digits) < max_digits and max_digits > 1)

    async def wait_digit(self, timeout: float) -> str | None:
        line = await self._read("press a key (empty line = silence)")
        return next((c for c in line if c in KEYS), None)

    async def record(self, name: str, max_seconds: float, silence_seconds: float = 2.0,
                     escape_digits: str = "#", beep: bool = True) -> RecordResult:
        if beep:
            self.say("  <beep>")
        line = await self._read(f"speak your message (type it; up to {max_seconds:g}s)")
        if self.recordings_dir is None:
            self.recordings_dir = Path(tempfile.mkdtemp(prefix="callcenter-try-"))
        path = self.recordings_dir / f"{name}.txt"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(line + "\n", encoding="utf-8")
            self.say(f"      (message saved as {path})")
        except OSError as exc:
            self.say(f"      (could not save the typed message: {exc})")
        return RecordResult(str(path), float(len(line.split())) / 2.5, "silence")

    async def recognize(self, prompts: Sequence[Prompt], phrases: Sequence[str] | None, timeout: float = 5.0,
                        language: str | None = None, escape_digits: str = "0123456789*#",
                        barge_in: bool | None = None) -> Recognition | None:
        if not self._speech:
            return None
        await self._show(prompts)
        hint = "say something or press a key (empty line = silence)"
        if phrases:
            shown = ", ".join(list(phrases)[:8]) + (" ..." if len(phrases) > 8 else "")
            hint = f"say one of: {shown}, or press a key (empty line = silence)"
        line = await self._read(hint)
        if not line:
            return Recognition("", 0.0)
        if all(c in KEYS for c in line):
            return Recognition("", 1.0, digits=line[0] if escape_digits else line)
        return Recognition(line, 1.0)

    async def get_variable(self, name: str) -> str | None:
        return self.variables.get(name)

    async def set_variable(self, name: str, value: str) -> None:
        self.variables[name] = value

    async def set_language(self, language: str) -> None:
        self.info.language = language
        self.say(f"  (language is now {language})")

    async def exec_app(self, app: str, args: str = "") -> int:
        self.say(f"  (dialplan application {app}({args}))")
        return 0

    async def transfer(self, destination: str) -> None:
        self.say(f"  (transfer to {destination})")

    async def hangup(self) -> None:
        self.hung_up = True
        self.say("  (IVR hangs up)")
