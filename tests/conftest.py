"""Shared test set-up: make ``tests/`` importable (``import asterisk_double``) and locate shared fixtures."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

#: Real Asterisk captures shipped beside the project (../shared/asterisk-wire), when present.
WIRE_DIR = TESTS_DIR.parent.parent / "shared" / "asterisk-wire"


@pytest.fixture
def wire_dir() -> Path:
    if not WIRE_DIR.is_dir():
        pytest.skip(f"Asterisk wire transcripts not found at {WIRE_DIR}")
    return WIRE_DIR
