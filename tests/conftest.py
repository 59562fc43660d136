"""Fixtures shared by every area: the fixture root (``tests/fixtures/``) and its Asterisk captures."""
from __future__ import annotations

from pathlib import Path

import pytest

#: The one root of the tests' data files.
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def wire_dir() -> Path:
    """Real Asterisk 22.10.1 captures shipped in the repository (copies from ``asterisk-wire``)."""
    return FIXTURES_DIR / "asterisk"
