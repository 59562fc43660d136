"""Asterisk-layer fixtures: the Asterisk double and an AsteriskService connected to it."""
from __future__ import annotations

import pytest

from callcenter.asterisk.service import AsteriskService
from callcenter.clock import FakeClock
from callcenter.events import EventBus
from tests.asterisk_double import AsteriskDouble

from .helpers import Recorder, make_config


@pytest.fixture
async def double():
    d = AsteriskDouble(time_scale=0.01)
    await d.start()
    yield d
    await d.stop()
    assert not d.errors, d.errors


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
