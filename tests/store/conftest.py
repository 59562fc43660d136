"""Storage fixtures: every ``db_url`` test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``CALLCENTER_TEST_PG_URL`` (``scripts/test.sh`` starts a private server and sets
it); each test gets a fresh database created on that server and dropped afterwards. Without the
variable the PostgreSQL cases are skipped with the reason.
"""
from __future__ import annotations

import os
import uuid

import pytest

PG_URL = os.environ.get("CALLCENTER_TEST_PG_URL")


async def _pg_admin(url: str):
    import asyncpg
    from sqlalchemy.engine import make_url
    u = make_url(url)
    return await asyncpg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username,
                                 password=u.password, database=u.database or "postgres", timeout=10)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set CALLCENTER_TEST_PG_URL (scripts/test.sh does)")
    from sqlalchemy.engine import make_url
    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    admin = await _pg_admin(PG_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    admin = await _pg_admin(PG_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def db(db_url):
    from callcenter.store.db import open_database
    database = await open_database(db_url)
    yield database
    await database.close()


@pytest.fixture
async def sqlite_db(tmp_path):
    """SQLite only: for validation tests whose behaviour does not depend on the backend."""
    from callcenter.store.db import open_database
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'v.db'}")
    yield database
    await database.close()
