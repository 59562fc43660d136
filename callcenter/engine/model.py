"""The engine's live records of calls and agents (plain data, no I/O)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from ..ivr.outcome import QueueRequest

#: ACD (router) agent states -> the store's / API's spelling.
ROUTER_TO_STATE = {
    "logged-out": "logged_out", "ready": "ready", "ringing": "offered", "offered": "offered",
    "on-call": "on_call", "wrap-up": "wrap_up", "paused": "paused",
}

CALL_STATES = ("ivr", "waiting", "ringing", "talking", "callback", "ended")

#: ``LiveCall.transfer_to`` of a transfer back into a queue: ``queue:<name>``
QUEUE_PREFIX = "queue:"


def ivr_summary(trace: list[Any]) -> dict[str, Any]:
    """What the IVR learned, for the agent's screen pop, from a call's IVR trace (``TraceEntry.to_dict``
    rows): the nodes it went through, the phrases heard (text, matched choice, confidence) and the
    digits collected, each with its node."""
    path: list[str] = []
    heard: list[dict[str, Any]] = []
    digits: list[dict[str, Any]] = []
    for t in trace:
        if not isinstance(t, dict):
            continue
        node, kind, data = t.get("node"), t.get("kind"), t.get("data") or {}
        if kind == "enter" and node and (not path or path[-1] != node):
            path.append(node)
        elif kind == "recognition" and (data.get("text") or data.get("matched")):
            heard.append({"node": node, "text": data.get("text"), "matched": data.get("matched"),
                          "confidence": data.get("confidence")})
        elif kind == "input" and data.get("digits"):
            digits.append({"node": node, "digits": data["digits"]})
    return {"path": path, "heard": heard, "digits": digits}


def queue_transfer(call: "LiveCall") -> QueueRequest | None:
    """The queue request of a transfer to a queue (``transfer_to = "queue:<name>"``), else None. The
    same call goes back with its language, priority, callback offer and recording policy; its skill
    requirements (what the IVR asked of the first queue's agents) only when it goes back to the same
    queue: another queue routes it by its own rules."""
    dest = call.transfer_to or ""
    if not dest.startswith(QUEUE_PREFIX):
        return None
    queue = dest[len(QUEUE_PREFIX):]
    return QueueRequest(queue=queue, skills=dict(call.skills) if queue == call.queue else {},
                        language=call.language, priority=call.priority, callback=call.callback_offer,
                        record=call.record)


def queue_again(call: "LiveCall") -> QueueRequest:
    """The call's own queue request again (its agent leg was gone before the bridge: it waits again)."""
    return QueueRequest(queue=call.queue or "", skills=dict(call.skills), language=call.language,
                        priority=call.priority, callback=call.callback_offer, record=call.record)


@dataclass(eq=False)
class LiveCall:
    call_id: str
    caller: str = ""
    caller_name: str = ""
    did: str = ""
    channel: str = ""
    language: str = "en-US"
    state: str = "ivr"
    state_since: float = 0.0
    arrived_at: float = 0.0
    queued_at: float | None = None          # first time it joined a queue (kept across moves/restarts)
    queue_joined_at: float | None = None    # joined the current queue
    answered_at: float | None = None
    ended_at: float | None = None
    queue: str | None = None
    priority: int = 0
    skills: dict[str, int] = field(default_factory=dict)
    agent_id: str | None = None             # the agent talking to (or being offered) the call
    offered_to: tuple[str, ...] = ()
    disposition: str | None = None
    intent: str | None = None
    ivr: dict[str, Any] = field(default_factory=dict)     # variables learned by the IVR (screen pop)
    ivr_trace: list[Any] = field(default_factory=list)
    flow: str = ""
    callback_number: str | None = None
    callback_offer: Any = None              # ivr CallbackOffer (offer_after, digit, prompts)
    callback_offered: bool = False
    callback_attempts: int = 0
    agent_channel: str | None = None        # the answered agent leg (for spy, hang-up, callbacks)
    transfer_to: str | None = None          # blind transfer asked for: where the caller goes when the agent leg ends
                                            # ("queue:<name>": back into a queue, the same call)
    on_hold_since: float | None = None      # on hold (the agent asked) since; None: not on hold
    holds: int = 0                          # times put on hold (whole call, every agent segment)
    held_s: float = 0.0                     # seconds on hold of the holds that ended
    hold_by: str | None = None              # the hold in progress: "desk" (API, CLI, desk) or "phone" (the agent phone's hold key)
    hold_in_bridge: bool = False            # the engine's own bridge holds (embedded mode), not a Redirect
    pending_holds: int = 0                  # agent-leg Redirects the caller's EXEC Bridge has not yet returned for
    agent_leg_gone: bool = False            # the answered agent leg hung up (seen while on hold)
    segments: list[dict[str, Any]] = field(default_factory=list)   # earlier agents' segments (queue transfers)
    segment_base: tuple[int, float] = (0, 0.0)   # (holds, held_s) when the current agent segment began
    customer_channel: str | None = None     # a callback's customer leg
    talk_s: float | None = None
    hold_s: float | None = None
    wrapup_s: float | None = None
    ended_by: str | None = None
    recovered: bool = False
    record: str | None = None               # recording policy of the flow's queue node (None: the queue's)
    recording_task: asyncio.Task | None = field(default=None, repr=False)   # MixMonitor being started
    inbox: asyncio.Queue = field(default_factory=asyncio.Queue, repr=False)
    ring_task: asyncio.Task | None = field(default=None, repr=False)
    done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    # -- hold bookkeeping (pure: time passed in) ------------------------------------------------------
    def start_hold(self, now: float, by: str = "desk") -> None:
        self.on_hold_since = now
        self.hold_by = by
        self.holds += 1

    def end_hold(self, now: float) -> float:
        """Close the hold in progress (if any); the seconds it lasted."""
        if self.on_hold_since is None:
            return 0.0
        secs = max(0.0, now - self.on_hold_since)
        self.held_s = round(self.held_s + secs, 3)
        self.on_hold_since = None
        self.hold_by = None
        return round(secs, 3)

    def held_total(self, now: float) -> float:
        """Seconds on hold so far, the hold in progress included."""
        return round(self.held_s + (max(0.0, now - self.on_hold_since) if self.on_hold_since is not None else 0.0), 3)

    def to_dict(self, now: float) -> dict[str, Any]:
        return {
            "call_id": self.call_id, "caller": self.caller, "caller_name": self.caller_name, "did": self.did,
            "channel": self.channel, "language": self.language, "state": self.state,
            "state_since": self.state_since, "arrived_at": self.arrived_at, "queued_at": self.queued_at,
            "answered_at": self.answered_at, "queue": self.queue, "priority": self.priority,
            "skills": dict(self.skills), "agent_id": self.agent_id, "intent": self.intent,
            "wait": round(now - self.queued_at, 1) if self.queued_at and self.state in ("waiting", "ringing", "callback") else None,
            "ivr": dict(self.ivr), "callback_number": self.callback_number, "recovered": self.recovered,
            "on_hold": self.on_hold_since is not None, "on_hold_since": self.on_hold_since, "hold_by": self.hold_by,
            "holds": self.holds,
            "held_s": self.held_total(now), "transfers": len(self.segments),
        }


@dataclass(eq=False)
class LiveAgent:
    agent_id: str
    name: str = ""
    interface: str | None = None            # provisioned phone
    phone: str | None = None                # phone logged in from
    extension: str | None = None
    state: str = "logged_out"
    reason: str | None = None
    state_since: float = 0.0
    login_time: float | None = None
    calls_taken: int = 0
    last_call: float | None = None
    call_id: str | None = None
    queues: dict[str, int] = field(default_factory=dict)
    skills: dict[str, int] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    wrapup: float | None = None
    missed: int = 0
    last_queue: str | None = None           # queue of the last call answered (wrap-up belongs to it)
    wrapup_task: asyncio.Task | None = field(default=None, repr=False)

    def to_dict(self, now: float) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id, "name": self.name, "state": self.state,
            "pause_reason": self.reason if self.state == "paused" else None, "reason": self.reason,
            "state_since": self.state_since, "time_in_state": round(now - self.state_since, 1) if self.state_since else None,
            "phone": self.phone, "interface": self.phone or self.interface, "extension": self.extension,
            "login_time": self.login_time, "calls_taken": self.calls_taken, "last_call": self.last_call,
            "call_id": self.call_id, "queues": sorted(self.queues), "skills": dict(self.skills),
            "languages": list(self.languages), "missed": self.missed,
        }
