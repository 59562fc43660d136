from __future__ import annotations

import asyncio

import pytest

from asterisk_double import AsteriskDouble
from callcenter.asterisk.service import AsteriskService
from callcenter.clock import FakeClock
from callcenter.config import load_config
from callcenter.events import EventBus


class Recorder:
    """Collects domain events from the bus."""

    def __init__(self, bus: EventBus) -> None:
        self.events = []
        bus.subscribe(self.events.append)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]

    def of(self, kind: str) -> list:
        return [e for e in self.events if e.kind == kind]


@pytest.fixture
async def double():
    d = AsteriskDouble(time_scale=0.01)
    await d.start()
    yield d
    await d.stop()
    assert not d.errors, d.errors


def make_config(tmp_path, double=None, **env):
    e = {"CALLCENTER_AGI_PORT": "0", "CALLCENTER_AMI__PING_INTERVAL": "0.5",
         "CALLCENTER_AMI__RECONNECT_MIN_DELAY": "0.05", "CALLCENTER_AMI__RECONNECT_MAX_DELAY": "0.2",
         "CALLCENTER_AMI__ACTION_TIMEOUT": "2", "CALLCENTER_RECORDINGS__DIR": str(tmp_path / "rec"),
         "CALLCENTER_DATA_DIR": str(tmp_path / "data")}
    if double is not None:
        e["CALLCENTER_AMI"] = double.ami_url
    e.update(env)
    return load_config(env=e)


@pytest.fixture
async def service(tmp_path, double):
    bus = EventBus()
    rec = Recorder(bus)
    svc = AsteriskService(make_config(tmp_path, double), bus, FakeClock())
    svc.recorder = rec
    await svc.start()
    assert await svc.clients[0].wait_connected(5)
    yield svc
    await svc.stop()


async def until(predicate, timeout: float = 5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
