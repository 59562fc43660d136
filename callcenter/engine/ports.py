"""The engine's collaborators outside the engine, as small typed interfaces (built in ``callcenter.app``).

* :class:`CallControlPort`: ring an agent, a callback, hang a channel up, a supervisor's spy
  (:class:`callcenter.asterisk.control.CallControl` is one; the engine tests hand in a fake).
* :class:`PhoneLines`: what the engine asks Asterisk about phones and channels (presence of a phone,
  its newest channel, whether a call's channel still exists); :class:`NoPhoneLines` without Asterisk.
* :class:`FlowSource`: the IVR flow for a dialled number (:class:`callcenter.ivr.registry.FlowRegistry`).
* :class:`RecorderPort`: call recording (MixMonitor by policy, pause / resume);
* :class:`EngineRecords`: the database as the engine needs it (:class:`callcenter.engine.records.DbRecords`).
* :class:`EnginePorts`: all of them, handed to every part of the engine.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Protocol

from .reports import LogEvent


class RingResult(Protocol):
    """The outcome of ringing a phone (``OriginateResult``)."""

    outcome: str                    # answered | no_answer | busy | unavailable | failed
    channel: str | None

    @property
    def answered(self) -> bool: ...


class CallControlPort(Protocol):
    async def ring_agent(self, interface: str, *, call_id: str = "", caller_channel: str = "",
                         caller_id: str | None = None, timeout: float | None = None,
                         variables: Mapping[str, str] | None = None,
                         channel_id: str | None = None) -> RingResult: ...

    async def callback(self, agent_interface: str, number: str, *, call_id: str = "",
                       caller_id: str | None = None, agent_timeout: float | None = None) -> RingResult: ...

    async def hangup(self, channel: str) -> None: ...

    async def spy(self, supervisor_interface: str, target_channel: str, mode: str = "listen") -> RingResult: ...


class PhoneLines(Protocol):
    def phone_known(self, interface: str) -> bool:
        """Asterisk has told us this phone's state."""

    def phone_idle(self, interface: str) -> bool:
        """The phone is registered and idle."""

    def phone_registered(self, interface: str) -> bool:
        """The phone is registered (busy or not)."""

    def channel_of(self, uniqueid: str) -> str | None:
        """The name of the live channel with this Uniqueid."""

    def newest_leg(self, interface: str) -> str | None:
        """The newest live channel of a phone (``PJSIP/2001-0000002a`` for ``PJSIP/2001``)."""

    def channel_alive(self, name: str) -> bool:
        """Asterisk has a channel of this name (``PJSIP/2001-0000002a``)."""

    def channels_known(self) -> bool:
        """Asterisk's channel list is complete (every AMI connection up and its channels listed since):
        only then does a missing channel mean the call is gone."""

    def call_alive(self, call_id: str) -> bool:
        """The call's channel still exists (True while Asterisk cannot be asked)."""


class NoPhoneLines:
    """No Asterisk: nothing is known, no channel is alive."""

    def phone_known(self, interface: str) -> bool:
        return False

    def phone_idle(self, interface: str) -> bool:
        return False

    def phone_registered(self, interface: str) -> bool:
        return False

    def channel_of(self, uniqueid: str) -> str | None:
        return None

    def newest_leg(self, interface: str) -> str | None:
        return None

    def channel_alive(self, name: str) -> bool:
        return False

    def channels_known(self) -> bool:
        return True

    def call_alive(self, call_id: str) -> bool:
        return False


class FlowSource(Protocol):
    def for_did(self, did: str | None) -> Any:
        """The flow version serving this dialled number (``.flow``, ``.flows``)."""


class EngineRecords(Protocol):
    async def provisioning(self) -> tuple[list[dict], list[dict]]:
        """Queue rows and enabled agent rows (``repo.queue_to_dict`` / ``repo.agent_to_dict``)."""

    async def provisioning_revision(self) -> int:
        """The store's provisioning revision (moves with every change to agents, queues, skills)."""

    async def agent_states(self) -> list[Any]:
        """Every agent's remembered state (``name``, ``state``, ``state_reason``, ``state_since``,
        ``login_interface``)."""

    async def answered_since(self, since: float) -> dict[str, tuple[int, float]]:
        """agent id -> (calls answered since ``since``, last answer time)."""

    async def call_closed(self, call_id: str) -> bool:
        """The call's record is closed (pending writes flushed first)."""

    async def open_calls(self, arrived_before: float) -> dict[str, tuple]:
        """Records still open from before: call id -> (queue, queued_at, answered_at, agent, data)."""

    async def report_events(self, start: float, end: float) -> list[LogEvent]:
        """Event-log rows a report over [start, end) needs (pending writes flushed first)."""

    async def cdrs(self, start: float, end: float, limit: int = 1000, *, caller: str | None = None,
                   agent: str | None = None) -> list[dict]:
        """Call detail records, newest first, optionally of one caller / agent (pending writes flushed first)."""


class RecorderPort(Protocol):
    """Call recording (:class:`callcenter.analytics.recorder.Recorder`)."""

    async def call_answered(self, call: Any) -> Any:
        """The agent answered: record if the policy says so."""

    async def call_ended(self, call: Any) -> None:
        """The conversation is over: stop and queue the finalize job."""

    async def adopt(self, call: Any) -> Any:
        """A call recovered after an engine restart: its running recording is this run's to end."""

    async def start_on_request(self, call: Any, by: str | None) -> dict: ...

    async def pause(self, call: Any, by: str | None) -> dict: ...

    async def resume(self, call: Any, by: str | None) -> dict: ...

    def state_of(self, call_id: str) -> dict | None: ...


@dataclass
class EnginePorts:
    """The engine's collaborators; every part of the engine reads them from here."""

    control: CallControlPort | None = None
    phones: PhoneLines = NoPhoneLines()
    flows: FlowSource | None = None
    records: EngineRecords | None = None
    recorder: RecorderPort | None = None
