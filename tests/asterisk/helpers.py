"""Asterisk-layer test helpers: an event recorder, the test configuration, waiting for a condition."""
from __future__ import annotations

import asyncio

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


def make_config(tmp_path, double=None, **env):
    e = {"CALLCENTER_AGI_PORT": "0", "CALLCENTER_AMI__PING_INTERVAL": "0.5",
         "CALLCENTER_AMI__RECONNECT_MIN_DELAY": "0.05", "CALLCENTER_AMI__RECONNECT_MAX_DELAY": "0.2",
         "CALLCENTER_AMI__ACTION_TIMEOUT": "2", "CALLCENTER_RECORDINGS__DIR": str(tmp_path / "rec"),
         "CALLCENTER_DATA_DIR": str(tmp_path / "data")}
    if double is not None:
        e["CALLCENTER_AMI"] = double.ami_url
    e.update(env)
    return load_config(env=e)


async def until(predicate, timeout: float = 5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
