"""`callcenter skill`: placeholder registration, filled in by its owner module."""
from __future__ import annotations


def register(sub) -> None:
    return None
