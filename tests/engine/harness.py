"""Doubles for engine tests: a caller channel with music/hang-up/bridge, and a call control whose agent
phones answer, ring out, or are busy as scripted. Real Router, real IVR interpreter, real bus."""
from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callcenter.clock import Clock
from callcenter.config import load_config
from callcenter.app import build_flows
from callcenter.engine.manager import CallManager
from callcenter.events import DomainEvent, EventBus
from callcenter.ivr.channel import CallerHungUp, CallInfo
from callcenter.ivr.testing import ScriptedChannel

FLOW = """
flow: engine_test
language: en-US
start: menu
nodes:
  menu:
    type: menu
    prompt: "Press 1 for billing, 2 for technical."
    timeout: 3
    retries: 1
    var: department
    options:
      - digit: "1"
        key: billing
        say: [billing]
        next: billing_q
      - digit: "2"
        key: technical
        say: [technical]
        next: tech_q
      - digit: "9"
        key: bye
        next: bye
    on_fail: general_q
  billing_q: {type: queue, queue: billing, skills: {billing: 1}}
  tech_q: {type: queue, queue: technical, skills: {tech: 1}}
  general_q: {type: queue, queue: support}
  bye: {type: hangup, prompt: "Goodbye."}
"""

QUEUES = [
    {"name": "support", "strategy": "longest-idle", "sl_target": 20, "rules": [], "retry": 0.1},
    {"name": "billing", "strategy": "longest-idle", "sl_target": 20, "rules": [], "retry": 0.1},
    {"name": "technical", "strategy": "longest-idle", "sl_target": 30, "rules": [], "retry": 0.1},
]


def agent_rows(n: int = 4) -> list[dict]:
    rows = []
    for i in range(n):
        skills = {"billing": 3} if i % 2 == 0 else {"tech": 3}
        rows.append({"name": f"agent{i}", "full_name": f"Agent {i}", "extension": f"20{i:02d}",
                     "interface": f"PJSIP/20{i:02d}", "languages": ["en-US"], "skills": skills,
                     "queues": {"support": 0, "billing" if i % 2 == 0 else "technical": 0}, "wrapup": None,
                     "enabled": True})
    return rows


@dataclass
class Phone:
    answer_after: float | None = 0.0      # None: never answers (RONA)
    busy: bool = False
    talk_seconds: float | None = 0.2      # agent hangs up after this long in the bridge (None: never)
    rings: int = 0


@dataclass
class Leg:
    channel: str
    phone: Phone
    ended: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Result:
    outcome: str
    channel: str | None = None

    @property
    def answered(self) -> bool:
        return self.outcome == "answered"


class FakeControl:
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self.phones: dict[str, Phone] = {}
        self.legs: dict[str, Leg] = {}
        self.hangups: list[str] = []
        self.spies: list[tuple] = []
        self.callbacks: list[tuple] = []
        self._n = itertools.count(1)

    def phone(self, iface: str) -> Phone:
        return self.phones.setdefault(iface, Phone())

    async def ring_agent(self, interface: str, *, call_id: str = "", caller_channel: str = "", caller_id=None,
                         timeout: float | None = None, variables=None, server=None, check_presence=True,
                         channel_id=None) -> Result:
        p = self.phone(interface)
        p.rings += 1
        if p.busy:
            return Result("busy")
        if p.answer_after is None or p.answer_after >= (timeout or 15):
            await asyncio.sleep(timeout or 15)
            return Result("no_answer")
        await asyncio.sleep(p.answer_after)
        name = f"{interface}-{next(self._n):08x}"
        self.legs[name] = Leg(name, p)
        return Result("answered", name)

    async def hangup(self, channel: str, cause: int = 16, *, server=None) -> None:
        self.hangups.append(channel)
        leg = self.legs.get(channel)
        if leg is not None:
            leg.ended.set()

    async def spy(self, supervisor_interface: str, target_channel: str, mode: str = "listen", **kw) -> Result:
        self.spies.append((supervisor_interface, target_channel, mode))
        return Result("answered", f"{supervisor_interface}-spy")

    async def callback(self, agent_interface: str, number: str, *, call_id: str = "", caller_id=None,
                       agent_timeout=None, customer_timeout: float = 45.0, server=None) -> Result:
        self.callbacks.append((agent_interface, number, call_id))
        res = await self.ring_agent(agent_interface, timeout=agent_timeout)
        if not res.answered:
            return res
        leg = self.legs[res.channel]

        async def talk() -> None:
            await asyncio.sleep(leg.phone.talk_seconds or 0.1)
            leg.ended.set()
            self.bus.publish(DomainEvent("ChannelHungup", Clock().now(), data={"channel": res.channel}))
        asyncio.ensure_future(talk())
        return res


class FakeCaller(ScriptedChannel):
    """A caller in its AGI session: IVR script, then waiting (music) until answered or ``hangup_after``."""

    _ids = itertools.count(1)

    def __init__(self, control: FakeControl, script=(), *, caller: str = "+15550001", did: str = "1000",
                 hangup_after: float | None = None, callback_digit: str | None = None,
                 variables: dict | None = None) -> None:
        n = next(self._ids)
        super().__init__(script, speech=True, info=CallInfo(call_id=f"call-{n}", caller=caller, did=did,
                                                            channel=f"PJSIP/trunk-{n:08x}"))
        self.control = control
        self.hangup_after = hangup_after
        self.callback_digit = callback_digit
        self._gone = asyncio.Event()
        self.music = False
        self.bridged_to: str | None = None
        self.variables.update(variables or {})
        if hangup_after is not None:
            asyncio.get_event_loop().call_later(hangup_after, self._caller_hangs_up)

    def _caller_hangs_up(self) -> None:
        self.hung_up = True
        self._gone.set()

    async def hangup(self) -> None:
        await super().hangup()
        self._gone.set()

    async def play(self, prompts, escape_digits: str = "") -> str | None:
        if self.callback_digit and escape_digits and self.callback_digit in escape_digits:
            return self.callback_digit
        return await super().play(prompts, escape_digits)

    async def start_music(self, moh_class=None) -> None:
        if self.hung_up:
            raise CallerHungUp()
        self.music = True

    async def stop_music(self) -> None:
        if self.hung_up:
            raise CallerHungUp()
        self.music = False

    async def wait_hangup(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._gone.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    async def bridge(self, channel: str, *, hangup_after: bool = False) -> int:
        if self.hung_up:
            raise CallerHungUp()
        self.music = False
        self.bridged_to = channel
        self.bridge_hangs_up = hangup_after
        leg = self.control.legs[channel]
        ended = asyncio.ensure_future(leg.ended.wait())
        gone = asyncio.ensure_future(self._gone.wait())
        talk = asyncio.ensure_future(asyncio.sleep(leg.phone.talk_seconds)) if leg.phone.talk_seconds is not None \
            else asyncio.get_event_loop().create_future()
        done, pending = await asyncio.wait({ended, gone, talk}, return_when=asyncio.FIRST_COMPLETED)
        for f in pending:
            f.cancel()
        if gone in done:
            raise CallerHungUp()
        leg.ended.set()
        return 0


class Harness:
    """The engine with static provisioning rows, or with ``records`` (a database: ``DbRecords``)."""

    def __init__(self, tmp: Path, *, agents: int = 4, overrides: dict | None = None, records: Any = None) -> None:
        flows = tmp / "flows"
        flows.mkdir(exist_ok=True)
        (flows / "engine_test.yaml").write_text(FLOW)
        ov = {"ivr.flows_dir": str(flows), "ivr.default_flow": "engine_test", "acd.rona_timeout": 0.3,
              "acd.tick_interval": 0.05, "acd.default_wrapup": 0.1, "acd.rona_strikes": 2,
              "acd.reload_interval": 0.1, "data_dir": str(tmp / "data")}
        ov.update(overrides or {})
        self.config = load_config(env={}, overrides=ov)
        self.bus = EventBus()
        self.events: list[DomainEvent] = []
        self.bus.subscribe(self.events.append)
        self.control = FakeControl(self.bus)
        self.flows = None
        self.agents = agent_rows(agents)
        self.records = records

    async def __aenter__(self) -> "Harness":
        self.flows = build_flows(self.config, Clock())
        static = {} if self.records is not None else {"queues": QUEUES, "agents": self.agents}
        self.engine = CallManager(self.config, self.bus, Clock(), control=self.control, flows=self.flows,
                                  records=self.records, **static)
        await self.engine.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.engine.stop()
        await self.flows.stop()

    def kinds(self, kind: str) -> list[DomainEvent]:
        return [e for e in self.events if e.kind == kind]

    async def login_all(self, ready: bool = True) -> None:
        for aid in list(self.engine.agents):
            await self.engine.agent_login(aid)
            if ready:
                await self.engine.agent_ready(aid)

    def call(self, script=(), **kw) -> tuple[FakeCaller, asyncio.Task]:
        ch = FakeCaller(self.control, script, **kw)
        return ch, asyncio.ensure_future(self.engine.handle_ivr(ch))

    async def until(self, predicate, timeout: float = 3.0) -> float:
        """Wait until ``predicate()`` is true; the seconds it took."""
        loop = asyncio.get_event_loop()
        t0 = loop.time()
        while not predicate():
            assert loop.time() - t0 < timeout, "condition not met in time"
            await asyncio.sleep(0.02)
        return loop.time() - t0

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until no call is left in the engine."""
        loop = asyncio.get_event_loop()
        end = loop.time() + timeout
        while self.engine.calls and loop.time() < end:
            await asyncio.sleep(0.02)
        assert not self.engine.calls, f"calls still in progress: {list(self.engine.calls)}"
