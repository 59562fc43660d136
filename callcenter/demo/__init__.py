"""Demo provisioning loaded on the first run (empty database): ``callcenter db demo`` loads it on demand."""
from __future__ import annotations

from pathlib import Path

DEMO_FILE = Path(__file__).resolve().parent / "demo.yaml"

#: Documented demo accounts (README "Storage and provisioning"). Change them before production use.
DEMO_USERS = {"admin": "admin", "supervisor": "supervisor", "alice": "alice"}
