"""Decisions the Router returns. The engine carries them out on Asterisk.

Every decision is a small frozen dataclass with ``kind`` and ``to_dict()``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Decision", "Offer", "CancelOffer", "Announce", "Queued", "Overflow", "CallbackDue",
           "AgentAutoPaused", "AgentStateChanged", "RequirementChanged", "CallFinished", "Refused",
           "OUTCOMES"]

#: how a call leaves the router: exactly one CallFinished per call
OUTCOMES = ("answered", "abandoned", "overflowed", "called-back")


class Decision:
    __slots__ = ()
    kind = "decision"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)  # type: ignore[call-overload]
        d["kind"] = self.kind
        return d


@dataclass(frozen=True, slots=True)
class Offer(Decision):
    """Ring ``agent_ids`` (one agent, or several for ring-all: first answer wins) for ``call_id``.
    Report the result with offer_answered / offer_declined / offer_timed_out; after ``timeout`` seconds
    without a report the router withdraws the offer itself on tick() (and says so with CancelOffer)."""
    call_id: str
    agent_ids: tuple[str, ...]
    queue: str
    timeout: float
    callback_number: str | None = None   # set when this offer is a callback (dial the agent, then this)
    requirement: str = "any"             # the skill requirement in force when the offer was made
    rule: int | None = None              # index of the rule in force (the queue's list, or the call's own)
    kind = "offer"

    @property
    def agent_id(self) -> str:
        return self.agent_ids[0]


@dataclass(frozen=True, slots=True)
class CancelOffer(Decision):
    """Stop ringing ``agent_id`` for ``call_id``. reason: answered-elsewhere, abandoned, timeout,
    logged-out, moved, overflowed."""
    call_id: str
    agent_id: str
    reason: str
    kind = "cancel-offer"


@dataclass(frozen=True, slots=True)
class Queued(Decision):
    """The call now waits in ``queue`` at ``position`` (1 = next) with estimated wait ``ewt`` seconds
    (None when no agent is staffed)."""
    call_id: str
    queue: str
    position: int
    ewt: float | None
    kind = "queued"


@dataclass(frozen=True, slots=True)
class Announce(Decision):
    """Tell the caller their position and estimated wait (periodic, every queue.announce_every)."""
    call_id: str
    queue: str
    position: int
    ewt: float | None
    kind = "announce"


@dataclass(frozen=True, slots=True)
class Overflow(Decision):
    """The call leaves ``queue`` for ``target`` (reason: timeout, full, join-empty, leave-empty).
    ``to_queue`` True: the target is a router queue and the call keeps waiting there (nothing to do on
    the channel but maybe an announcement); False: send the channel to the dialplan destination
    ``target`` (None: continue the dialplan after Queue) and the call is finished."""
    call_id: str
    queue: str
    target: str | None
    reason: str
    to_queue: bool = False
    kind = "overflow"


@dataclass(frozen=True, slots=True)
class CallbackDue(Decision):
    """A callback reached the head and ``agent_id`` is reserved for it: ring the agent, then dial
    ``number``; report offer_answered/declined/timed_out like an Offer."""
    call_id: str
    queue: str
    number: str
    agent_id: str
    timeout: float
    kind = "callback-due"


@dataclass(frozen=True, slots=True)
class AgentAutoPaused(Decision):
    agent_id: str
    reason: str
    kind = "agent-auto-paused"


@dataclass(frozen=True, slots=True)
class AgentStateChanged(Decision):
    """state: logged-out, ready, ringing, on-call, wrap-up, paused."""
    agent_id: str
    state: str
    reason: str | None = None
    kind = "agent-state-changed"


@dataclass(frozen=True, slots=True)
class RequirementChanged(Decision):
    """The rule in force for a waiting call changed (requirements relaxed as it waited)."""
    call_id: str
    queue: str
    rule_index: int
    requirement: str
    kind = "requirement-changed"


@dataclass(frozen=True, slots=True)
class CallFinished(Decision):
    """The call left the router, exactly once: outcome answered / abandoned / overflowed / called-back.
    ``wait`` is seconds in the last queue."""
    call_id: str
    queue: str
    outcome: str
    wait: float
    agent_id: str | None = None
    target: str | None = None
    kind = "call-finished"


@dataclass(frozen=True, slots=True)
class Refused(Decision):
    """An event the router could not apply (unknown call/agent/queue, duplicate id...). Nothing changed."""
    event: str
    reason: str
    call_id: str | None = None
    agent_id: str | None = None
    kind = "refused"


def _fast_init(cls: type) -> None:
    """Replace a frozen slots dataclass's generated ``__init__`` (one ``object.__setattr__`` call per
    field) by one that stores each field through its slot descriptor: same signature, defaults and
    immutability (``__setattr__`` still raises), about twice as fast. Decisions are made on every
    router event."""
    import dataclasses
    fields = [f for f in dataclasses.fields(cls) if f.init]
    if any(f.default_factory is not dataclasses.MISSING for f in fields) or hasattr(cls, "__post_init__"):
        return
    ns: dict[str, Any] = {}
    params = []
    body = []
    for i, f in enumerate(fields):
        ns[f"_set{i}"] = cls.__dict__[f.name].__set__
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            ns[f"_dflt{i}"] = f.default
            params.append(f"{f.name}=_dflt{i}")
        body.append(f"    _set{i}(self, {f.name})")
    src = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(src, ns)  # noqa: S102 - generated from the dataclass's own field list
    init = ns["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init


for _cls in (Offer, CancelOffer, Queued, Announce, Overflow, CallbackDue, AgentAutoPaused, AgentStateChanged,
             RequirementChanged, CallFinished, Refused):
    _fast_init(_cls)
del _cls
