"""What the repository modules share (:mod:`.repo`, :mod:`.history`): the error type, the "leave
unchanged" marker, and the small query helpers (underscored: internal to the store)."""
from __future__ import annotations

import time
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession


class RepoError(ValueError):
    """Bad input for a repository call (unknown name, invalid value); ``str()`` is one line.
    ``field`` / ``index``: the setting at fault and, for a queue rule, its position (0-based), when known."""

    def __init__(self, message: str, field: str | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.index = index


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


def _now(now: float | None) -> float:
    return time.time() if now is None else float(now)


def _set(obj: Any, **fields: Any) -> None:
    for k, v in fields.items():
        if v is not UNSET:
            setattr(obj, k, v)


async def _one(s: AsyncSession, column: Any, value: Any) -> Any:
    """The row of ``column``'s table whose ``column`` equals ``value``, or None."""
    return (await s.execute(select(column.class_).where(column == value))).scalar_one_or_none()


async def _all(s: AsyncSession, order: Any) -> list:
    """Every row of ``order``'s table, sorted by that column."""
    return list((await s.execute(select(order.class_).order_by(order))).scalars())


async def _delete(s: AsyncSession, row: Any) -> bool:
    """Delete ``row`` (True), or nothing when it is None (False)."""
    if row is None:
        return False
    await s.delete(row)
    await s.flush()
    return True


def _given(*filters: tuple[Any, Callable[[Any, Any], Any], Any]) -> list:
    """The conditions ``op(column, value)`` of the ``(column, op, value)`` filters whose value is given."""
    return [op(column, value) for column, op, value in filters if value is not None]


async def _rows(s: AsyncSession, q: Any, limit: int | None = None) -> list:
    if limit is not None:
        q = q.limit(limit)
    return list((await s.execute(q)).scalars())


def _required(row: Any, what: str, name: str) -> Any:
    if row is None:
        raise RepoError(f"no {what} named {name!r}")
    return row
