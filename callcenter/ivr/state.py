"""The per-call state of the IVR interpreter, and its limits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .channel import CallInfo
from .outcome import IvrOutcome, TraceEntry


ALL_KEYS = "0123456789*#"
#: Node transitions allowed without waiting for the caller before the interpreter gives up.
MAX_TRANSITIONS = 500
MAX_SUBFLOW_DEPTH = 16
MAX_TRACE = 2000


# ------------------------------------------------------------------------------------------------
# State

@dataclass
class IvrState:
    flow: str
    node: str | None = None
    waiting: str | None = None        # which kind of answer the current node waits for
    phase: str = ""                   # sub-step inside a node (e.g. "readback", "record")
    attempt: int = 0
    mode: str = ""                    # "speech" or "dtmf" for menu/ask
    variables: dict[str, Any] = field(default_factory=dict)
    call: dict[str, Any] = field(default_factory=dict)
    language: str = "en-US"
    voice: str | None = None
    speech: bool = False
    stack: tuple[tuple[str, str], ...] = ()
    trace: list[TraceEntry] = field(default_factory=list)
    outcome: IvrOutcome | None = None
    started_at: float = 0.0
    scratch: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.outcome is not None


class IvrAbort(Exception):
    """Internal: end the IVR on the fallback queue with this reason."""


def call_dict(call: CallInfo | Mapping[str, Any] | None) -> dict[str, Any]:
    if call is None:
        return {}
    if isinstance(call, CallInfo):
        d = {"call_id": call.call_id, "caller": call.caller, "caller_name": call.caller_name,
             "did": call.did, "channel": call.channel, "language": call.language}
        d.update({f"chan_{k}": v for k, v in call.variables.items()})
        return d
    return {str(k): v for k, v in dict(call).items()}
