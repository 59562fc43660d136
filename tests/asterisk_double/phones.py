"""Scripted agent phones (and customers reached by callbacks)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class AgentPhone:
    """An agent's PJSIP phone in the double.

    * ``answer_after``: seconds of ringing before it answers; ``None`` = never answers (RONA: the
      Originate fails with ``Reason: 3`` after its ``Timeout``).
    * ``busy``: rejects with busy (``Reason: 5``).
    * ``registered``: False = no contact (device ``UNAVAILABLE``; Originate fails ``Reason: 0``).
    * ``talk_seconds``: after being bridged to a caller, the agent hangs up after this long
      (``None`` = stays until the caller hangs up).
    * ``hangup_if_not_bridged``: an answered leg left alone in ``cc-agent-wait`` hangs up after this.
    """
    extension: str
    answer_after: float | None = 0.0
    busy: bool = False
    registered: bool = True
    talk_seconds: float | None = None
    hangup_if_not_bridged: float = 30.0
    uri: str = ""
    #: PJSIP ``device_state_busy_at`` (asterisk_conf's cc-agent-endpoint: 1): with that many channels
    #: the device is BUSY, ringing or not (live-cc-bridge-caller-hangup.txt: NOT_INUSE -> BUSY -> NOT_INUSE)
    device_state_busy_at: int = 1

    def __post_init__(self) -> None:
        if not self.uri:
            self.uri = f"sip:{self.extension}@127.0.0.1:5071"

    @property
    def interface(self) -> str:
        return f"PJSIP/{self.extension}"

    @property
    def device_state(self) -> str:
        return "NOT_INUSE" if self.registered else "UNAVAILABLE"


@dataclass
class Customer:
    """A number reached by a callback (``Local/<number>@cc-outbound``)."""
    number: str
    answer_after: float | None = 0.0
    busy: bool = False
    talk_seconds: float | None = None
