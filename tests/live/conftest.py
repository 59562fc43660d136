"""Fixtures of the live suite (tests/live): skip with the reason when no real Asterisk is named
(``CALLCENTER_TEST_ASTERISK=/opt/asterisk``) or baresip / sipp are missing; ``live`` = a private
Asterisk + the server + phones for one test (:class:`tests.live.live.Live`)."""
from __future__ import annotations

import os

import pytest

from .live import Live, missing


def pytest_collection_modifyitems(config, items):
    why = missing()
    for item in items:
        if "tests/live/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.asterisk_live)
            if why:
                item.add_marker(pytest.mark.skip(reason=why))


@pytest.fixture
async def live(tmp_path):
    lv = Live(tmp_path)
    try:
        await lv.start()
        yield lv
    finally:
        await lv.close()
