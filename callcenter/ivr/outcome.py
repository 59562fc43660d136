"""What the IVR hands back: how it ended (:class:`IvrOutcome`), the queue request, and the trace."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .channel import Prompt, RecordResult


@dataclass(frozen=True)
class TraceEntry:
    """One step of a call through the IVR.

    ``kind``: ``enter`` (a node was entered), ``input`` (digits), ``recognition`` (speech: text,
    confidence, matched choice and score), ``intent`` (classification), ``set`` (variables),
    ``schedule``, ``http``, ``language``, ``retry``, ``error`` (an expression or channel problem that
    was handled), ``end`` (the outcome)."""
    ts: float
    flow: str
    node: str | None
    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"ts": self.ts, "flow": self.flow, "node": self.node, "kind": self.kind, "data": _jsonable(self.data)}


@dataclass(frozen=True)
class CallbackOffer:
    offer_after: float = 60.0      # seconds of waiting before the caller is offered a callback
    digit: str = "1"               # key the caller presses to accept
    prompts: tuple[Prompt, ...] = ()


@dataclass(frozen=True)
class QueueRequest:
    """Everything the ACD needs to place the call: queue, skills (name -> minimum level), language,
    priority (higher is served first) and the hold experience."""
    queue: str
    skills: dict[str, int] = field(default_factory=dict)
    language: str = "en-US"
    priority: int = 0
    music: str | None = None               # music-on-hold class (None: the queue's default)
    announce_position: float = 0.0         # seconds between position announcements (0 = off)
    announce_ewt: float = 0.0              # seconds between estimated-wait announcements (0 = off)
    max_wait: float | None = None          # seconds; None = the queue's setting
    callback: CallbackOffer | None = None
    record: str | None = None              # recording policy of the queue node (None: the queue's)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass
class IvrOutcome:
    """How the IVR ended.

    ``kind``: ``queue`` (see :attr:`queue`), ``transfer`` (:attr:`destination`), ``voicemail``
    (:attr:`recording`, :attr:`mailbox`), or ``hangup`` (:attr:`hung_up_by` ``caller`` or ``ivr``).
    ``error`` is set when the engine failed and the call went to the fallback queue instead.
    """
    kind: str
    reason: str = ""
    queue: QueueRequest | None = None
    destination: str | None = None
    recording: RecordResult | None = None
    mailbox: str | None = None
    hung_up_by: str | None = None
    error: str | None = None
    language: str = "en-US"
    variables: dict[str, Any] = field(default_factory=dict)
    trace: list[TraceEntry] = field(default_factory=list)
    flow: str = ""
    flow_version: str = ""
    started_at: float = 0.0
    ended_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for the store, the agent's screen pop and reports)."""
        return {
            "kind": self.kind, "reason": self.reason,
            "queue": self.queue.to_dict() if self.queue else None,
            "destination": self.destination,
            "recording": _jsonable(asdict(self.recording)) if self.recording else None,
            "mailbox": self.mailbox, "hung_up_by": self.hung_up_by, "error": self.error,
            "language": self.language, "variables": _jsonable(self.variables),
            "trace": [t.to_dict() for t in self.trace], "flow": self.flow, "flow_version": self.flow_version,
            "started_at": self.started_at, "ended_at": self.ended_at,
        }

    def summary(self) -> str:
        if self.kind == "queue" and self.queue:
            q = self.queue
            skills = ", ".join(f"{k}>={v}" for k, v in q.skills.items()) or "-"
            extra = f" (engine error: {self.error})" if self.error else ""
            return (f"queue '{q.queue}' skills [{skills}] language {q.language} priority {q.priority}"
                    + (f", callback offered after {q.callback.offer_after:g}s" if q.callback else "") + extra)
        if self.kind == "transfer":
            return f"transfer to {self.destination}"
        if self.kind == "voicemail":
            return f"voicemail in mailbox {self.mailbox or '-'}: {self.recording.path if self.recording else '-'}"
        return f"hangup by {self.hung_up_by or 'ivr'}" + (f" ({self.reason})" if self.reason else "")


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if hasattr(v, "__dataclass_fields__"):
        return _jsonable(asdict(v))
    return str(v)
