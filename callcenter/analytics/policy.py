"""Which calls are recorded, and for how long they are kept (pure: no I/O, no clock).

Policies (per queue, config ``recordings.queues.<queue>.policy``, else ``recordings.policy``):

* ``always``: every answered call of the queue;
* ``never``: none (a flow's ``record`` key cannot turn it on; ``request`` can, see below);
* ``sampled``: ``sample_percent`` % of the calls, chosen by a stable hash of the call id (the same call
  always gets the same answer, and the share is exact over many calls);
* ``request``: only when the agent (or a supervisor) asks during the call (``recordings start``).

A flow's ``queue`` node may carry ``record: always | never | sampled | request`` (variable
``_record`` in the IVR outcome): it overrides the queue's policy for that call, except that a queue
with ``never`` stays unrecorded unless the agent asks.

Retention: ``recordings.queues.<queue>.retention_days``, else ``recordings.retention_days``; 0 keeps a
recording until it is deleted by hand.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Mapping

POLICIES = ("always", "never", "sampled", "request")


class PolicyError(ValueError):
    """A recording policy setting is wrong; ``str()`` names the key."""


@dataclass(frozen=True)
class QueuePolicy:
    policy: str = "never"
    sample_percent: float = 100.0
    retention_days: float = 90.0


@dataclass(frozen=True)
class Decision:
    record: bool              # start MixMonitor when the agent answers
    policy: str               # the policy that decided (always | sampled | request | never | node)
    retain_until: float | None  # epoch seconds; None = kept until deleted by hand
    reason: str


def _policy(value: Any, where: str) -> str:
    if value not in POLICIES:
        raise PolicyError(f"{where}: recording policy must be one of {', '.join(POLICIES)}, got {value!r}")
    return value


def _number(value: Any, where: str, low: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PolicyError(f"{where}: expected a number, got {value!r}")
    if value < low or (high is not None and value > high):
        raise PolicyError(f"{where}: must be between {low:g} and {high:g}, got {value!r}" if high is not None
                          else f"{where}: must be at least {low:g}, got {value!r}")
    return float(value)


class RecordingPolicies:
    """The policies of every queue, validated once (``from_config``)."""

    def __init__(self, default: QueuePolicy, queues: Mapping[str, QueuePolicy] | None = None) -> None:
        self.default = default
        self.queues = dict(queues or {})

    @classmethod
    def from_config(cls, section: Any) -> "RecordingPolicies":
        default = QueuePolicy(_policy(section.policy, "recordings.policy"),
                              _number(section.sample_percent, "recordings.sample_percent", 0, 100),
                              _number(section.retention_days, "recordings.retention_days", 0))
        queues = {}
        for name, entry in (section.queues or {}).items():
            where = f"recordings.queues.{name}"
            if not isinstance(entry, Mapping):
                raise PolicyError(f"{where}: expected a mapping with policy / sample_percent / retention_days, "
                                  f"got {entry!r}")
            unknown = set(entry) - {"policy", "sample_percent", "retention_days"}
            if unknown:
                raise PolicyError(f"{where}: unknown key {sorted(unknown)[0]!r} "
                                  "(known: policy, sample_percent, retention_days)")
            queues[str(name)] = QueuePolicy(
                _policy(entry.get("policy", default.policy), f"{where}.policy"),
                _number(entry.get("sample_percent", default.sample_percent), f"{where}.sample_percent", 0, 100),
                _number(entry.get("retention_days", default.retention_days), f"{where}.retention_days", 0))
        return cls(default, queues)

    def for_queue(self, queue: str | None) -> QueuePolicy:
        return self.queues.get(queue or "", self.default)

    def retain_until(self, queue: str | None, started_at: float) -> float | None:
        days = self.for_queue(queue).retention_days
        return started_at + days * 86400.0 if days > 0 else None

    def decide(self, call_id: str, queue: str | None, started_at: float, node_policy: str | None = None,
               requested: bool = False) -> Decision:
        """Whether a call answered at ``started_at`` is recorded from the answer on."""
        qp = self.for_queue(queue)
        keep = self.retain_until(queue, started_at)
        if requested:
            return Decision(True, "request", keep, "asked for during the call")
        policy, source = qp.policy, f"queue {queue or '-'}"
        if node_policy is not None and qp.policy != "never":
            policy, source = _policy(node_policy, "flow node record"), "flow node"
        if policy == "always":
            return Decision(True, "always" if source.startswith("queue") else "node", keep, f"{source}: always")
        if policy == "sampled":
            hit = sampled(call_id, qp.sample_percent)
            return Decision(hit, "sampled", keep, f"{source}: sampled {qp.sample_percent:g}% "
                                                   f"({'in' if hit else 'not in'} the sample)")
        return Decision(False, policy, keep, f"{source}: {policy}")


def sampled(call_id: str, percent: float) -> bool:
    """A stable share of the calls: the call id's hash below ``percent`` % of the hash space."""
    if percent >= 100:
        return True
    if percent <= 0:
        return False
    h = int.from_bytes(hashlib.sha256(call_id.encode("utf-8")).digest()[:8], "big")
    return h < percent / 100.0 * 2 ** 64
