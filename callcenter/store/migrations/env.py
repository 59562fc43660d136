"""Alembic environment for callcenter.

Normally run through :mod:`callcenter.store.migrate`, which passes an open connection in
``config.attributes["connection"]``. Run stand-alone (``alembic -x url=... upgrade head`` with
``script_location`` pointing here) it builds an async engine from ``sqlalchemy.url`` / ``-x url=``.
"""
from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from callcenter.store.models import Base, include_object

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",   # ALTER TABLE via copy on SQLite
        compare_type=True,
        include_object=include_object,                          # full-text search objects: by hand
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    from callcenter.store.db import normalize_url
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("no database URL: pass -x url=... or set sqlalchemy.url")
    return normalize_url(url)


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url())
    async with engine.begin() as conn:
        await conn.run_sync(_configure)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
