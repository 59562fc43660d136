"""Dotted paths into JSON bodies (the ``http`` node's ``map``).
"""
from __future__ import annotations

from typing import Any, Mapping



def json_path(body: Any, path: str) -> Any:
    """``order.items.0.name`` -> the value, or None when a part is missing."""
    cur = body
    for part in path.split("."):
        if part == "":
            continue
        if isinstance(cur, Mapping):
            cur = cur.get(part)
        elif isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError):
                return None
        else:
            return None
        if cur is None:
            return None
    return cur
