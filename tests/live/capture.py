"""Record what a real Asterisk sends on AMI during a live scenario, in the transcript format of
``tests/fixtures/asterisk/*.txt`` (``<seconds> ami:A>C <line with its CRLF escaped>``), so that new
behaviour can be kept as a fixture and replayed by the double."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Callable


class AmiCapture:
    def __init__(self, host: str, port: int, username: str, secret: str) -> None:
        self.host, self.port, self.username, self.secret = host, port, username, secret
        self.lines: list[str] = []
        self._t0 = 0.0
        self._task: asyncio.Task | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def start(self) -> "AmiCapture":
        self._t0 = time.monotonic()
        reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._note(f"--- AMI capture of a live scenario, {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC")
        login = (f"Action: Login\r\nActionID: cap-1\r\nUsername: {self.username}\r\nSecret: {self.secret}\r\n"
                 "\r\n")
        for line in login.split("\r\n")[:-1]:
            shown = "Secret: ********" if line.startswith("Secret:") else line
            self._line("ami:C>A", shown + "\r\n")
        self._writer.write(login.encode())
        self._task = asyncio.ensure_future(self._read(reader))
        return self

    def note(self, text: str) -> None:
        self._note(f"--- {text}")

    def _note(self, text: str) -> None:
        self.lines.append(f"{time.monotonic() - self._t0:09.3f} {text}")

    def _line(self, direction: str, raw: str) -> None:
        esc = raw.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
        self.lines.append(f"{time.monotonic() - self._t0:09.3f} {direction} {esc}")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            line = await reader.readline()
            if not line:
                self._note("--- EOF")
                return
            self._line("ami:A>C", line.decode("utf-8", "replace"))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._writer is not None:
            self._writer.close()

    def events(self) -> list[dict[str, str]]:
        """The captured AMI messages as dicts (for assertions)."""
        out: list[dict[str, str]] = []
        cur: dict[str, str] = {}
        for entry in self.lines:
            parts = entry.split(" ", 2)
            if len(parts) < 3 or parts[1] != "ami:A>C":
                continue
            text = parts[2].replace("\\r", "").replace("\\n", "")
            if not text:
                if cur:
                    out.append(cur)
                cur = {}
                continue
            k, _, v = text.partition(": ")
            cur.setdefault(k, v)
        return out

    def save(self, path: Path, header: list[str]) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"# {h}\n" for h in header) + "\n".join(self.lines) + "\n")
        return path


def transcript_windows(path: Path, is_break: Callable[[str], bool]) -> list[list[dict[str, str]]]:
    """The AMI messages Asterisk sent in a transcript file, split into windows at the annotation lines
    (``--- ...``) for which ``is_break(line)`` is true; each message a dict (first value of each key)."""
    windows: list[list[dict[str, str]]] = [[]]
    cur: dict[str, str] = {}
    for line in path.read_text().splitlines():
        parts = line.split(" ", 2)
        if len(parts) >= 2 and parts[1] == "---" and is_break(line):
            windows.append([])
            continue
        if len(parts) < 3 or parts[1] != "ami:A>C":
            continue
        text = parts[2].replace("\\r\\n", "")
        if text:
            k, _, v = text.partition(": ")
            cur.setdefault(k, v)
            continue
        if cur:
            windows[-1].append(cur)
        cur = {}
    return windows
