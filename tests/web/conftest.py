"""Fixtures of the browser tests: the whole server against the Asterisk double (the e2e Center), and
a headless chromium."""
from __future__ import annotations

import pytest

from tests.e2e.center import running_center
from tests.web.browser import chromium


@pytest.fixture
async def browser():
    async with chromium() as b:
        yield b


@pytest.fixture
async def center(tmp_path, double, speech_service):
    async with running_center(tmp_path, double, speech_service, agents=4,
                              overrides={"web.alert_waiting": 1, "recordings.policy": "always"}) as c:
        yield c
