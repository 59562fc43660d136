"""Database access: one async engine + session factory, migrations, clear connection errors.

>>> db = Database("sqlite+aiosqlite:///data/callcenter.db")
>>> await db.connect()          # DatabaseError (one clear line) when unreachable
>>> await db.upgrade()          # Alembic "upgrade head"
>>> async with db.session() as s:   # commits on success, rolls back on error
...     await repo.list_agents(s)
>>> await db.close()
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from pathlib import Path
from typing import AsyncIterator

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

log = logging.getLogger("callcenter.store")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """The database cannot be used; ``str()`` is one line naming the (password-free) URL and the cause."""


def safe_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages and logs)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL at all: mask anything that looks like user:pass@
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def normalize_url(url: str) -> str:
    """Accept the common spellings and return an async-driver URL.

    ``sqlite:///x.db`` -> ``sqlite+aiosqlite:///x.db``; ``postgresql://`` / ``postgres://`` ->
    ``postgresql+asyncpg://``.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    try:
        u = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"database.url {url!r} is not a database URL "
                            "(e.g. sqlite+aiosqlite:///data/callcenter.db or "
                            "postgresql+asyncpg://user:pass@host/db)") from None
    if u.drivername in ("sqlite", "sqlite+pysqlite"):
        u = u.set(drivername="sqlite+aiosqlite")
    elif u.drivername in ("postgresql", "postgresql+psycopg2", "postgresql+psycopg"):
        u = u.set(drivername="postgresql+asyncpg")
    return u.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _describe(exc: BaseException) -> str:
    """One line for a connection failure."""
    inner = getattr(exc, "orig", None) or exc
    msg = str(inner).strip().splitlines()[0] if str(inner).strip() else type(inner).__name__
    if isinstance(inner, OSError) and getattr(inner, "strerror", None):
        msg = inner.strerror
        if isinstance(inner, ConnectionRefusedError) or "refused" in msg.lower():
            msg = "connection refused"
    if isinstance(inner, (asyncio.TimeoutError, TimeoutError)):
        msg = "timed out"
    return f"{type(inner).__name__}: {msg}" if not msg.startswith(type(inner).__name__) else msg


class Database:
    """The async engine and its session factory for one database URL."""

    def __init__(self, url: str, echo: bool = False, connect_timeout: float = 10.0) -> None:
        self.url = normalize_url(url)
        self.echo = echo
        self.connect_timeout = connect_timeout
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None

    # ------------------------------------------------------------------------------------------
    @property
    def display_url(self) -> str:
        return safe_url(self.url)

    @property
    def backend(self) -> str:
        return make_url(self.url).get_backend_name()

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = self._create_engine()
        return self._engine

    def _create_engine(self) -> AsyncEngine:
        u = make_url(self.url)
        kw: dict = {"echo": self.echo, "pool_pre_ping": True}
        if u.get_backend_name() == "sqlite":
            db = u.database or ""
            if db and db != ":memory:" and not db.startswith("file:"):
                Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kw["connect_args"] = {"timeout": 30}
        else:
            kw["connect_args"] = {"timeout": self.connect_timeout}
            kw["pool_size"] = 10
            kw["max_overflow"] = 20
        try:
            engine = create_async_engine(self.url, **kw)
        except (NoSuchModuleError, ArgumentError, ImportError) as exc:
            raise DatabaseError(f"database {self.display_url}: unsupported URL ({exc})") from None
        if u.get_backend_name() == "sqlite":
            @event.listens_for(engine.sync_engine, "connect")
            def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()
        return engine

    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        if self._sessions is None:
            self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed when the block ends, rolled back on error."""
        async with self.sessionmaker()() as s:
            async with s.begin():
                yield s

    # ------------------------------------------------------------------------------------------
    async def connect(self) -> None:
        """Check that the database answers; raise :class:`DatabaseError` with one clear line if not."""
        try:
            async with asyncio.timeout(self.connect_timeout + 2):
                async with self.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except DatabaseError:
            raise
        except Exception as exc:  # noqa: BLE001 - every driver error becomes one line
            raise DatabaseError(f"cannot open database {self.display_url}: {_describe(exc)}") from None

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(5):
                async with self.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001
            return False

    async def upgrade(self, revision: str = "head") -> str | None:
        """Bring the schema to ``revision`` (default: the newest). Returns the new revision."""
        from .migrate import current_async, upgrade_async
        try:
            before = await current_async(self.engine)
            after = await upgrade_async(self.engine, revision)
            if before != after:
                log.info("database schema upgraded", extra={"url": self.display_url, "from": before or "(empty)",
                                                             "to": after})
            return after
        except DatabaseError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise DatabaseError(f"database {self.display_url}: schema upgrade failed: {_describe(exc)}") from exc

    async def current_revision(self) -> str | None:
        from .migrate import current_async
        return await current_async(self.engine)

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
            self._sessions = None


async def open_database(url: str, echo: bool = False, upgrade: bool = True) -> Database:
    """Connect (clear error when unreachable) and, by default, upgrade the schema to the newest."""
    db = Database(url, echo=echo)
    try:
        await db.connect()
        if upgrade:
            await db.upgrade()
    except BaseException:
        await db.close()
        raise
    return db
