"""FastAGI codec, pure (no I/O).

Wire format (``../shared/asterisk-wire/agi-*.txt``, Asterisk 22.10.1), every line ends with ``\\n``:

* Asterisk opens with the environment block: ``agi_<name>: <value>`` lines ended by an empty line;
  ``agi_network_script`` is the URL path of ``AGI(agi://host:port/<path>)``.
* The server sends one command per line (``STREAM FILE hello-world ""``); Asterisk answers
  ``200 result=<r>[ (<data>)][ endpos=<n>]``, ``510 Invalid or unknown command``,
  ``511 Command Not Permitted on a dead channel or intercept routine``, or a multi-line usage
  ``520-...`` ... ``520 End of proper usage.``
* ``HANGUP`` is a notification line: unsolicited when the caller hangs up while the server is idle,
  or just before the reply to the first command after a hang-up that interrupted a command (that
  command itself then answered ``200 result=-1``).

Why our own code and not panoramisk's ``fast_agi``: its environment reader loops on
``reader.read()`` returning ``b''`` forever when a client closes early (a busy loop), it reads
``HANGUP`` as the reply of the command in flight, and it reads only one line of a ``520`` usage.

:class:`AgiEnvParser` and :class:`AgiReplyParser` are stream parsers: any bytes give items, a typed
:class:`AgiProtocolError`, or nothing yet ("need more bytes").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LINE = 64 * 1024
MAX_ENV = 64 * 1024


class AgiProtocolError(Exception):
    """Asterisk (or whatever connected) sent something that is not FastAGI."""


class AgiError(Exception):
    """An AGI command failed (``510``/``520``/unexpected code)."""

    def __init__(self, message: str, code: int = 0, reply: "AgiReply | None" = None) -> None:
        super().__init__(message)
        self.code = code
        self.reply = reply


class AgiInvalidCommand(AgiError):
    """``510 Invalid or unknown command``."""


class AgiUsageError(AgiError):
    """``520`` multi-line usage: the command's syntax was wrong."""


class AgiHangup(Exception):
    """The channel is gone: ``511`` reply, ``HANGUP`` notification, or the socket closed."""


@dataclass(slots=True)
class AgiReply:
    code: int                       # 200, 510, 511, 520 (100 "Trying" is skipped by the parser)
    result: str = ""                # the text after ``result=`` ("" for ``result= (timeout)``)
    data: str | None = None         # text in parentheses: "timeout", "dtmf", a variable's value
    endpos: int | None = None
    extra: dict | None = None       # other key=value pairs after the data
    lines: tuple[str, ...] = ()     # 520 usage text / raw line

    @property
    def int_result(self) -> int:
        try:
            return int(self.result)
        except ValueError:
            return 0

    @property
    def ok(self) -> bool:
        return self.code == 200


@dataclass(frozen=True)
class HangupNotice:
    """The ``HANGUP`` line."""


# ------------------------------------------------------------------------------------------------
# environment

class AgiEnvParser:
    """Collects the ``agi_*`` block. ``feed`` returns ``(env, rest)`` once the empty line arrives
    (``rest``: bytes received after it), else ``None``."""

    def __init__(self, max_size: int = MAX_ENV) -> None:
        self._buf = bytearray()
        self.max_size = max_size

    def feed(self, data: bytes) -> tuple[dict[str, str], bytes] | None:
        self._buf += data
        buf = self._buf
        end = buf.find(b"\n\n")
        if end < 0:
            if buf.startswith(b"\n"):
                raise AgiProtocolError("empty AGI environment block")
            if len(buf) > self.max_size:
                raise AgiProtocolError(f"AGI environment block longer than {self.max_size} bytes")
            return None
        block = bytes(buf[:end]).decode("utf-8", "replace")
        rest = bytes(buf[end + 2:])
        return parse_env(block), rest


def parse_env(block: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for n, line in enumerate(block.split("\n"), 1):
        line = line.rstrip("\r")
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.startswith("agi_") or " " in key:
            raise AgiProtocolError(f"AGI environment line {n} is not 'agi_<name>: <value>': {line[:80]!r}")
        env[key] = value[1:] if value.startswith(" ") else value
    if "agi_request" not in env and "agi_network_script" not in env:
        raise AgiProtocolError("AGI environment has neither agi_request nor agi_network_script")
    return env


# ------------------------------------------------------------------------------------------------
# commands

_NEEDS_QUOTES = re.compile(r'[\s"\\]')


def quote(arg: object) -> str:
    """Quote one argument the way Asterisk's AGI argument parser reads it: empty or containing
    whitespace, a double quote or a backslash -> double quotes with ``\\`` escapes."""
    s = str(arg)
    if "\n" in s or "\r" in s or "\0" in s:
        raise ValueError(f"AGI argument may not contain a line break or NUL: {s!r}")
    if s == "" or _NEEDS_QUOTES.search(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


def encode_command(verb: str, *args: object, quote_all: bool = False) -> bytes:
    """``encode_command("STREAM FILE", "hello-world", "")`` -> ``b'STREAM FILE hello-world ""\\n'``.

    ``verb`` is the command words (``GET DATA``); each arg is quoted when needed. Pass an already
    quoted argument with :class:`Raw`.
    """
    if not verb or "\n" in verb or "\r" in verb:
        raise ValueError(f"bad AGI command {verb!r}")
    parts = [verb]
    for a in args:
        if isinstance(a, Raw):
            parts.append(a.text)
        elif quote_all:
            s = str(a)
            if "\n" in s or "\r" in s:
                raise ValueError(f"AGI argument may not contain a line break: {s!r}")
            parts.append('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')
        else:
            parts.append(quote(a))
    return (" ".join(parts) + "\n").encode("utf-8")


class Raw:
    """An argument written verbatim (already quoted)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        if "\n" in text:
            raise ValueError("AGI argument may not contain a line break")
        self.text = text


def split_args(line: str) -> list[str]:
    """Split a command line the way Asterisk does (used by the test double): whitespace separates,
    double quotes group, backslash escapes the next character."""
    args: list[str] = []
    cur: list[str] = []
    in_q = esc = had = False
    for ch in line:
        if esc:
            cur.append(ch)
            esc = False
        elif ch == "\\":
            esc = True
            had = True
        elif ch == '"':
            in_q = not in_q
            had = True
        elif ch.isspace() and not in_q:
            if cur or had:
                args.append("".join(cur))
            cur, had = [], False
        else:
            cur.append(ch)
            had = True
    if cur or had:
        args.append("".join(cur))
    return args


# ------------------------------------------------------------------------------------------------
# replies

_RESULT = re.compile(r"result=(\S*)(.*)$", re.S)
_KV = re.compile(r"(\w+)=(\S*)")
_DATA_THEN_KV = re.compile(r"^\s*\((.*)\)((?:\s+\w+=\S*)*)\s*$", re.S)


def parse_reply_line(line: str) -> AgiReply:
    """Parse one complete single-line reply (``200 ...``, ``510 ...``, ``511 ...``)."""
    if line.startswith("200 result="):
        rest = line[11:]
        if " " not in rest and "\t" not in rest:          # the common case: "200 result=0"
            return AgiReply(200, rest, None, None, None, (line,))
    code_s, _, rest = line.partition(" ")
    if len(code_s) != 3 or not code_s.isdigit():
        raise AgiProtocolError(f"AGI reply does not start with a 3-digit code: {line[:80]!r}")
    code = int(code_s)
    if code != 200:
        return AgiReply(code, lines=(line,))
    m = _RESULT.match(rest)
    if not m:
        raise AgiProtocolError(f"AGI 200 reply without result=: {line[:80]!r}")
    result, tail = m.group(1), m.group(2)
    data = None
    extra: dict[str, str] = {}
    endpos = None
    if tail.strip():
        dm = _DATA_THEN_KV.match(tail)
        if dm:
            data = dm.group(1)
            kvs = dm.group(2)
        else:
            kvs = tail
        for k, v in _KV.findall(kvs):
            if k == "endpos":
                try:
                    endpos = int(v)
                except ValueError:
                    pass
            else:
                extra[k] = v
    return AgiReply(200, result, data, endpos, extra or None, (line,))


class AgiReplyParser:
    """Incremental parser of the Asterisk -> server stream after the environment block.

    ``feed`` returns a list of :class:`AgiReply` and :class:`HangupNotice` in arrival order.
    ``100 Trying`` interim lines are dropped; ``520-`` usage lines are gathered until ``520 ``.
    """

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self._buf = bytearray()
        self._usage: list[str] | None = None
        self.max_line = max_line

    def feed(self, data: bytes) -> list[AgiReply | HangupNotice]:
        buf = self._buf
        if not buf and self._usage is None and data.find(b"\n") == len(data) - 1:
            # fast path: exactly one complete line (the usual reply)
            item = self._line(data[:-1].decode("utf-8", "replace").rstrip("\r"))
            return [item] if item is not None else []
        buf += data
        out: list[AgiReply | HangupNotice] = []
        start = 0
        while True:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            line = bytes(buf[start:nl]).decode("utf-8", "replace").rstrip("\r")
            start = nl + 1
            item = self._line(line)
            if item is not None:
                out.append(item)
        if start:
            del buf[:start]
        if len(buf) > self.max_line:
            buf.clear()
            raise AgiProtocolError(f"AGI line longer than {self.max_line} bytes")
        return out

    def _line(self, line: str) -> AgiReply | HangupNotice | None:
        if self._usage is not None:
            if line.startswith("520 "):
                lines = tuple(self._usage + [line])
                self._usage = None
                return AgiReply(520, lines=lines)
            self._usage.append(line)
            if len(self._usage) > 1000:
                self._usage = None
                raise AgiProtocolError("AGI 520 usage text did not end")
            return None
        if line == "HANGUP":
            return HangupNotice()
        if line == "":
            return None
        if line.startswith("520-"):
            self._usage = [line]
            return None
        if line.startswith("100 "):
            return None
        if line.startswith("520"):
            return AgiReply(520, lines=(line,))
        return parse_reply_line(line)
