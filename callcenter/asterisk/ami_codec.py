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


class AmiMessage:
    """One AMI message: ordered headers, case-insensitive lookup, repeated keys kept.

    ``msg["Channel"]`` / ``msg.get("channel")`` return the first value; ``msg.getall("Output")``
    every value of a repeated key. ``msg.event`` is the event name (or ``None`` for a response),
    ``msg.response`` the response status, ``msg.action_id`` the ``ActionID``.
    """

    __slots__ = ("_h", "_multi", "_ci", "body")

    def __init__(self, headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
                 body: Sequence[str] = ()) -> None:
        h: dict[str, str] = {}
        multi: dict[str, list[str]] | None = None
        items = headers.items() if isinstance(headers, Mapping) else headers
        for k, v in items:
            if k in h:
                if multi is None:
                    multi = {}
                multi.setdefault(k, [h[k]]).append(v)
            else:
                h[k] = v
        self._h = h
        self._multi = multi
        self._ci: dict[str, str] | None = None
        self.body = list(body)      # lines without a "Key: " (old-style "Response: Follows" output)

    @classmethod
    def _fast(cls, h: dict[str, str], multi: dict[str, list[str]] | None, body: list[str]) -> "AmiMessage":
        m = cls.__new__(cls)
        m._h = h
        m._multi = multi
        m._ci = None
        m.body = body
        return m

    # -- lookup ---------------------------------------------------------------------------------
    def _key(self, key: str) -> str | None:
        if key in self._h:
            return key
        ci = self._ci
        if ci is None:
            ci = self._ci = {k.lower(): k for k in self._h}
        return ci.get(key.lower())

    def get(self, key: str, default: str | None = None) -> str | None:
        v = self._h.get(key)
        if v is not None:
            return v
        k = self._key(key)
        return default if k is None else self._h[k]

    def __getitem__(self, key: str) -> str:
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._key(key) is not None

    def getall(self, key: str) -> list[str]:
        k = self._key(key)
        if k is None:
            return []
        if self._multi and k in self._multi:
            return list(self._multi[k])
        return [self._h[k]]

    def items(self) -> Iterator[tuple[str, str]]:
        """Every (key, value) pair; repeated keys yield each value."""
        for k, v in self._h.items():
            if self._multi and k in self._multi:
                for vv in self._multi[k]:
                    yield k, vv
            else:
                yield k, v

    def keys(self) -> list[str]:
        return list(self._h)

    def to_dict(self) -> dict[str, str | list[str]]:
        out: dict[str, str | list[str]] = dict(self._h)
        if self._multi:
            out.update({k: list(v) for k, v in self._multi.items()})
        return out

    # -- shortcuts ------------------------------------------------------------------------------
    @property
    def event(self) -> str | None:
        return self.get("Event")

    @property
    def response(self) -> str | None:
        return self.get("Response")

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    @property
    def is_event(self) -> bool:
        return self.get("Event") is not None

    @property
    def success(self) -> bool:
        r = self.get("Response")
        return r is None or r in ("Success", "Follows", "Goodbye")

    @property
    def message(self) -> str:
        return self.get("Message", "") or ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AmiMessage) and list(self.items()) == list(other.items()) \
            and self.body == other.body

    def __repr__(self) -> str:
        head = self.event or self.response or "?"
        return f"<AmiMessage {head} {dict(self._h)!r}>"

    def encode(self) -> bytes:
        """Serialize (used by the test double and for round-trip tests)."""
        return encode_message(list(self.items())) if not self.body else \
            (("".join(f"{k}: {v}\r\n" for k, v in self.items())
              + "".join(f"{b}\r\n" for b in self.body) + "\r\n").encode("utf-8", "surrogateescape"))


def parse_message(text: str) -> AmiMessage:
    """Parse one message block (without the final empty line)."""
    h: dict[str, str] = {}
    multi: dict[str, list[str]] | None = None
    body: list[str] = []
    for line in text.split("\r\n"):
        k, sep, v = line.partition(": ")
        if not sep:
            # "Key:" with nothing after it is a key with an empty value; anything else is body text
            if line.endswith(":") and " " not in line:
                k, v = line[:-1], ""
            else:
                if line:
                    body.append(line)
                continue
        if k in h:
            if multi is None:
                multi = {}
            lst = multi.get(k)
            if lst is None:
                multi[k] = [h[k], v]
            else:
                lst.append(v)
        else:
            h[k] = v
    return AmiMessage._fast(h, multi, body)


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
                out.append(parse_message(bytes(buf[start:end]).decode("utf-8", "replace")))
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
        aid = msg.get("ActionID")
        if msg.get("Event") is None:
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
