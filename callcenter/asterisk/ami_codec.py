"""AMI codec, pure (no I/O): bytes -> :class:`AmiMessage` and actions -> bytes.

Wire format (see ``../shared/asterisk-wire/ami-*.txt``, captured from Asterisk 22.10.1):

* on connect the server sends one banner line ``Asterisk Call Manager/11.0.0\\r\\n``;
* then messages, each a block of ``Key: value\\r\\n`` lines ended by an empty ``\\r\\n`` line;
  a message is a ``Response:`` (to an action, carrying its ``ActionID``) or an ``Event:``;
* keys repeat (``Output:`` lines of ``Command``, ``Variable:`` lines of ``Originate``) and their
  case is not significant; values may be empty (``AccountCode: ``).

Why our own code and not panoramisk's parser: panoramisk decodes each TCP chunk separately (a
multi-byte UTF-8 character split across two reads is lost with ``errors='ignore'``), has no limit on
an unterminated message, and builds a case-insensitive dict per message that is several times slower.
Here a message is framed on bytes first and decoded as a whole, so a split character is intact.

:class:`AmiParser` is a stream parser: ``feed(data)`` returns the complete items found so far (a
:class:`Banner` first, then :class:`AmiMessage` objects) and keeps the rest ("need more bytes");
anything it cannot accept raises :class:`AmiProtocolError`, never another exception.
:class:`ListCollector` gathers ``EventList: start`` ... ``<X>Complete`` item events into one result.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping, Sequence

EOL = b"\r\n"
EOM = b"\r\n\r\n"
BANNER_PREFIX = "Asterisk Call Manager/"
#: a single message larger than this is a protocol error (Asterisk's biggest are a few KiB)
MAX_MESSAGE = 1 << 20


class AmiProtocolError(Exception):
    """The peer sent something that is not AMI (bad banner, oversized message)."""


@dataclass(frozen=True)
class Banner:
    version: str                    # AMI protocol version, e.g. "11.0.0"
    line: str = ""


_NEEDLES: dict[str, str] = {}


def _needle(key: str) -> str:
    n = _NEEDLES.get(key)
    if n is None:
        n = _NEEDLES[key] = "\r\n" + key + ": "
        if len(_NEEDLES) > 4096:
            _NEEDLES.clear()
    return n


class AmiMessage:
    """One AMI message: ordered headers, case-insensitive lookup, repeated keys kept.

    ``msg["Channel"]`` / ``msg.get("channel")`` return the first value; ``msg.getall("Output")``
    every value of a repeated key. ``msg.event`` is the event name (or ``None`` for a response),
    ``msg.response`` the response status, ``msg.action_id`` the ``ActionID``.

    Lookups are lazy: the message keeps its wire text and ``get`` finds ``\r\n<Key>: `` in it
    (exact case first, then case-insensitively); the full header list is only built for
    ``getall``/``items``/``keys``/``to_dict``. Dispatching by event name and reading a few fields
    therefore never splits the whole message.
    """

    __slots__ = ("_raw", "_lraw", "_pairs", "_body", "name")

    def __init__(self, headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
                 body: Sequence[str] = ()) -> None:
        items = headers.items() if isinstance(headers, Mapping) else headers
        parts = ["\r\n"]
        pairs = []
        for k, v in items:
            k, v = str(k), str(v)
            pairs.append((k, v))
            parts.append(f"{k}: {v}\r\n")
        self._raw = "".join(parts)
        self._lraw: str | None = None
        self._pairs: list[tuple[str, str]] | None = pairs
        self._body: list[str] | None = list(body)
        #: the event name (``None`` for a response): read once, used for dispatch
        self.name: str | None = self.get("Event")

    @classmethod
    def _from_text(cls, text: str) -> "AmiMessage":
        m = cls.__new__(cls)
        raw = m._raw = "\r\n" + text + "\r\n"
        m._lraw = None
        m._pairs = None
        m._body = None
        if raw.startswith("\r\nEvent: "):           # Asterisk always sends Event: first
            m.name = raw[9:raw.index("\r\n", 9)]
        else:
            m.name = None
            if not raw.startswith("\r\nResponse: "):
                m.name = m.get("Event")
        return m

    # -- full parse (only when needed) ------------------------------------------------------------
    def _parse(self) -> list[tuple[str, str]]:
        pairs = self._pairs
        if pairs is None:
            pairs = []
            body: list[str] = []
            for line in self._raw[2:-2].split("\r\n"):
                k, sep, v = line.partition(": ")
                if not sep:
                    if line.endswith(":") and " " not in line:
                        pairs.append((line[:-1], ""))
                    elif line:
                        body.append(line)
                    continue
                pairs.append((k, v))
            self._pairs = pairs
            self._body = body
        return pairs

    @property
    def body(self) -> list[str]:
        """Lines without ``Key: `` (old-style ``Response: Follows`` command output)."""
        if self._body is None:
            self._parse()
        return self._body  # type: ignore[return-value]

    # -- lookup ---------------------------------------------------------------------------------
    def get(self, key: str, default: str | None = None) -> str | None:
        raw = self._raw
        n = _needle(key)
        i = raw.find(n)
        if i < 0:
            lraw = self._lraw
            if lraw is None:
                lraw = self._lraw = raw.lower()
            if len(lraw) != len(raw):            # lower() changed lengths (rare non-ASCII): slow path
                kl = key.lower()
                for k, v in self._parse():
                    if k.lower() == kl:
                        return v
                return default
            i = lraw.find(n.lower())
            if i < 0:
                # a bare "Key:" line (legal, never sent by Asterisk) is an empty value
                return "" if lraw.find(n[:-1].lower() + "\r\n") >= 0 else default
        start = i + len(n)
        return raw[start:raw.index("\r\n", start)]

    def __getitem__(self, key: str) -> str:
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def getall(self, key: str) -> list[str]:
        kl = key.lower()
        return [v for k, v in self._parse() if k == key or k.lower() == kl]

    def items(self) -> Iterator[tuple[str, str]]:
        """Every (key, value) pair in wire order; repeated keys yield each value."""
        return iter(list(self._parse()))

    def keys(self) -> list[str]:
        seen: dict[str, None] = {}
        for k, _ in self._parse():
            seen.setdefault(k, None)
        return list(seen)

    def to_dict(self) -> dict[str, str | list[str]]:
        out: dict[str, str | list[str]] = {}
        for k, v in self._parse():
            if k in out:
                cur = out[k]
                if isinstance(cur, list):
                    cur.append(v)
                else:
                    out[k] = [cur, v]
            else:
                out[k] = v
        return out

    # -- shortcuts ------------------------------------------------------------------------------
    @property
    def event(self) -> str | None:
        return self.name

    @property
    def response(self) -> str | None:
        return self.get("Response")

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    @property
    def is_event(self) -> bool:
        return self.name is not None

    @property
    def success(self) -> bool:
        r = self.get("Response")
        return r is None or r in ("Success", "Follows", "Goodbye")

    @property
    def message(self) -> str:
        return self.get("Message", "") or ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AmiMessage) and self._parse() == other._parse() and self.body == other.body

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        head = self.event or self.response or "?"
        return f"<AmiMessage {head} {self.to_dict()!r}>"

    def encode(self) -> bytes:
        """Serialize (used by the test double and for round-trip tests)."""
        body = self.body
        return (("".join(f"{k}: {v}\r\n" for k, v in self._parse())
                 + "".join(f"{b}\r\n" for b in body) + "\r\n").encode("utf-8", "surrogateescape"))


def parse_message(text: str) -> AmiMessage:
    """Parse one message block (without the final empty line)."""
    return AmiMessage._from_text(text)


_from_text = AmiMessage._from_text


class AmiParser:
    """Incremental parser of the server -> client byte stream.

    ``expect_banner=True`` (the client side): the first line must be the AMI banner. The test
    double parses the client -> server stream with ``expect_banner=False``.
    """

    def __init__(self, expect_banner: bool = True, max_message: int = MAX_MESSAGE) -> None:
        self._buf = bytearray()
        self._want_banner = expect_banner
        self.banner: Banner | None = None
        self.max_message = max_message

    @property
    def pending(self) -> int:
        """Bytes received but not yet part of a complete message."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Banner | AmiMessage]:
        buf = self._buf
        buf += data
        out: list[Banner | AmiMessage] = []
        if self._want_banner:
            nl = buf.find(b"\n")
            if nl < 0:
                if len(buf) > 256:
                    raise AmiProtocolError("no AMI banner in the first 256 bytes: not an Asterisk manager")
                if buf and not BANNER_PREFIX.encode().startswith(bytes(buf[:len(BANNER_PREFIX)])):
                    raise AmiProtocolError(f"not an AMI banner: {bytes(buf[:60])!r}")
                return out
            line = bytes(buf[:nl]).rstrip(b"\r").decode("utf-8", "replace")
            if not line.startswith(BANNER_PREFIX):
                raise AmiProtocolError(f"not an AMI banner: {line[:60]!r}")
            del buf[:nl + 1]
            self._want_banner = False
            self.banner = Banner(line[len(BANNER_PREFIX):].strip(), line)
            out.append(self.banner)
        start = 0
        find = buf.find
        while True:
            end = find(EOM, start)
            if end < 0:
                break
            if end > start:
                out.append(_from_text(buf[start:end].decode("utf-8", "replace")))
            start = end + 4
        if start:
            del buf[:start]
        # tolerate stray empty lines between messages
        while buf[:2] == EOL:
            del buf[:2]
        if len(buf) > self.max_message:
            size = len(buf)
            buf.clear()
            raise AmiProtocolError(f"AMI message longer than {self.max_message} bytes without an end "
                                   f"(got {size} bytes): peer is not speaking AMI")
        return out


def _check_value(key: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"AMI header {key!r}: value may not contain a line break: {value!r}")
    return value


def encode_message(pairs: Iterable[tuple[str, object]]) -> bytes:
    parts = []
    for k, v in pairs:
        if not k or ":" in k or "\r" in k or "\n" in k:
            raise ValueError(f"invalid AMI header name {k!r}")
        parts.append(f"{k}: {_check_value(k, '' if v is None else str(v))}\r\n")
    parts.append("\r\n")
    return "".join(parts).encode("utf-8")


def encode_action(action: str, action_id: str | None = None,
                  fields: Mapping[str, object] | Iterable[tuple[str, object]] | None = None) -> bytes:
    """``Action: X`` + ``ActionID`` + fields. A list/tuple value repeats the key (``Variable``);
    booleans are written ``true``/``false`` like the captures (``Async: true``)."""
    pairs: list[tuple[str, object]] = [("Action", action)]
    if action_id is not None:
        pairs.append(("ActionID", action_id))
    items = fields.items() if isinstance(fields, Mapping) else (fields or ())
    for k, v in items:
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            pairs.extend((k, _fmt(x)) for x in v)
        else:
            pairs.append((k, _fmt(v)))
    return encode_message(pairs)


def _fmt(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# ------------------------------------------------------------------------------------------------
# list responses

@dataclass
class ActionResult:
    """The outcome of one action: its ``Response`` message plus, for list actions, the item events
    (``EventList: start`` ... ``<Name>Complete``), and the completion event."""
    response: AmiMessage
    events: list[AmiMessage] = field(default_factory=list)
    complete: AmiMessage | None = None

    @property
    def success(self) -> bool:
        return self.response.success

    @property
    def message(self) -> str:
        return self.response.message

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.response.get(key, default)


class ListCollector:
    """Pure action/response matcher: tracks pending ActionIDs and gathers list responses.

    ``expect(action_id)`` registers an action; ``feed(msg)`` returns ``("result", action_id,
    ActionResult)`` when that action is complete, ``("event", None, msg)`` for an event that belongs
    to no pending action (dispatch it), or ``None`` when the message was absorbed into a list.
    """

    def __init__(self) -> None:
        self._pending: set[str] = set()
        self._lists: dict[str, ActionResult] = {}

    def expect(self, action_id: str) -> None:
        self._pending.add(action_id)

    def forget(self, action_id: str) -> None:
        self._pending.discard(action_id)
        self._lists.pop(action_id, None)

    def clear(self) -> None:
        self._pending.clear()
        self._lists.clear()

    @property
    def pending(self) -> set[str]:
        return set(self._pending)

    def feed(self, msg: AmiMessage) -> tuple[str, str | None, object] | None:
        if self._lists or msg.name is None:
            return self._feed(msg)
        return ("event", None, msg)          # fast path: no list open, an event

    def _feed(self, msg: AmiMessage) -> tuple[str, str | None, object] | None:
        aid = msg.get("ActionID")
        if msg.name is None:
            if aid is None or aid not in self._pending:
                return ("stray", aid, msg)
            if (msg.get("EventList") or "").lower() == "start":
                self._lists[aid] = ActionResult(msg)
                return None
            self._pending.discard(aid)
            return ("result", aid, ActionResult(msg))
        if aid is not None and aid in self._lists:
            res = self._lists[aid]
            if (msg.get("EventList") or "").lower() == "complete":
                res.complete = msg
                del self._lists[aid]
                self._pending.discard(aid)
                return ("result", aid, res)
            res.events.append(msg)
            return None
        return ("event", None, msg)
