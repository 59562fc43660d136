"""API tests: the real aiohttp app + routes + auth, with a small in-memory engine double."""
from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.api.routes import setup_api
from callcenter.events import EventBus

from .helpers import TOKENS, FakeEngine


@pytest.fixture
def bus():
    return EventBus()


@pytest.fixture
def engine(bus):
    return FakeEngine(bus)


@pytest.fixture
async def client(bus, engine):
    app = web.Application()
    setup_api(app, engine=engine, bus=bus, tokens=TOKENS)
    async with TestClient(TestServer(app)) as c:
        yield c
