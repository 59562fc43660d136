"""Alembic, driven programmatically (no alembic.ini needed).

The migration scripts ship inside the package (``callcenter/store/migrations``). They run on the
application's own async engine: :func:`upgrade_async` opens a connection and hands its synchronous
face to Alembic (``config.attributes["connection"]``), so the same code path works for SQLite and
PostgreSQL and from inside a running event loop. ``callcenter db upgrade`` / ``db current`` use it.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def revisions() -> list[tuple[str, str]]:
    """(revision, message) from the oldest to the newest."""
    script = ScriptDirectory.from_config(alembic_config())
    return [(r.revision, r.doc or "") for r in reversed(list(script.walk_revisions()))]


async def upgrade_async(engine: AsyncEngine, revision: str = "head") -> str | None:
    return await _migrate(engine, command.upgrade, revision)


async def downgrade_async(engine: AsyncEngine, revision: str) -> str | None:
    return await _migrate(engine, command.downgrade, revision)


async def _migrate(engine: AsyncEngine, step, revision: str) -> str | None:
    """Run alembic's ``step`` (upgrade / downgrade) to ``revision``; the revision the database is at after."""
    def run(sync_conn) -> str | None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        step(cfg, revision)
        return MigrationContext.configure(sync_conn).get_current_revision()

    async with engine.begin() as conn:
        return await conn.run_sync(run)


async def current_async(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
