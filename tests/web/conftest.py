"""Fixtures of the browser tests: the whole server against the Asterisk double (the e2e Center), and
a headless chromium."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import Center, double, speech_service  # noqa: F401 - fixtures used here
from tests.web.browser import chromium


@pytest.fixture
async def browser():
    async with chromium() as b:
        yield b


@pytest.fixture
async def center(tmp_path, double, speech_service):  # noqa: F811
    c = Center(tmp_path, double, speech_service, agents=4, overrides={"web.alert_waiting": 1,
                                                                        "recordings.policy": "always"})
    await c.provision()
    await c.start()
    try:
        yield c
    finally:
        await c.close()
