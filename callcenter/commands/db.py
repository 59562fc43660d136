"""`callcenter db`: schema migrations and demo data; also the database helper the provisioning verbs use."""
from __future__ import annotations

import asyncio
import json
import sys
from typing import Any, Awaitable, Callable

from . import add_command, load_config_from


def fail(msg: str, code: int = 1) -> int:
    print(f"callcenter: {msg}", file=sys.stderr)
    return code


def quiet_logging(cfg) -> None:
    """CLI verbs log warnings only (the server logs at ``log.level``)."""
    from ..log import setup_logging
    level = cfg.log.level
    setup_logging("WARNING" if level in ("DEBUG", "INFO") else level, "text", None)


def run_db(args, fn: Callable[[Any], Awaitable[Any]], upgrade: bool = True, commit: bool = True) -> int:
    """Open the configured database (upgrading the schema), run ``fn(session)`` in one transaction.

    ``fn`` returns an exit code (or None for 0); with ``commit=False`` its changes are rolled back. Database, repository and provisioning errors become
    one line on stderr and exit status 1.
    """
    from ..store.db import DatabaseError, open_database
    from ..store.provision import ProvisionError
    from ..store.repo import RepoError

    cfg = load_config_from(args)
    quiet_logging(cfg)

    async def main() -> int:
        db = await open_database(cfg.database_url, echo=cfg.database.echo, upgrade=upgrade)
        try:
            if commit:
                async with db.session() as s:
                    rc = await fn(s)
            else:
                async with db.sessionmaker()() as s:
                    try:
                        rc = await fn(s)
                    finally:
                        await s.rollback()
            return int(rc or 0)
        finally:
            await db.close()
    try:
        return asyncio.run(main())
    except DatabaseError as exc:
        return fail(str(exc))
    except (RepoError, ProvisionError) as exc:
        return fail(f"error: {exc}")


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_table(rows: list[list[Any]], headers: list[str]) -> None:
    cells = [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def register(sub) -> None:
    p = add_command(sub, "db", "Database schema and demo data (SQLite by default, PostgreSQL via database.url).")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    up = add_command(dsub, "upgrade", "Upgrade the schema to the newest revision (never loses data).")
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    up.set_defaults(func=_upgrade)

    cur = add_command(dsub, "current", "Show the database URL (password hidden) and its schema revision.")
    cur.set_defaults(func=_current)

    hist = add_command(dsub, "history", "List the schema revisions shipped with this version.")
    hist.set_defaults(func=_history)

    demo = add_command(dsub, "demo", "Load the demo skills, queues, agents and users (idempotent upsert).")
    demo.set_defaults(func=_demo)


def _upgrade(args) -> int:
    from ..store.db import Database, DatabaseError

    cfg = load_config_from(args)
    quiet_logging(cfg)

    async def main() -> int:
        db = Database(cfg.database_url)
        try:
            await db.connect()
            before = await db.current_revision()
            after = await db.upgrade(args.revision)
        finally:
            await db.close()
        print(f"{db.display_url}: {before or '(empty)'} -> {after}" if before != after
              else f"{db.display_url}: already at {after}")
        return 0
    try:
        return asyncio.run(main())
    except DatabaseError as exc:
        return fail(str(exc))


def _current(args) -> int:
    from ..store.db import Database, DatabaseError
    from ..store.migrate import head_revision

    cfg = load_config_from(args)
    quiet_logging(cfg)

    async def main() -> int:
        db = Database(cfg.database_url)
        try:
            await db.connect()
            rev = await db.current_revision()
        finally:
            await db.close()
        head = head_revision()
        note = "up to date" if rev == head else (f"needs upgrade to {head}: callcenter db upgrade"
                                                 if rev else "empty: callcenter db upgrade creates the schema")
        print(f"{db.display_url}: revision {rev or '(none)'} ({note})")
        return 0
    try:
        return asyncio.run(main())
    except DatabaseError as exc:
        return fail(str(exc))


def _history(args) -> int:
    from ..store.migrate import revisions
    for rev, doc in revisions():
        print(f"{rev}  {doc.splitlines()[0] if doc else ''}")
    return 0


def _demo(args) -> int:
    from ..demo import DEMO_FILE, DEMO_USERS
    from ..store import provision

    async def fn(s) -> int:
        res = await provision.import_file(s, DEMO_FILE)
        print(f"demo data loaded: {res.summary()}")
        print("demo logins: " + ", ".join(f"{u}/{p}" for u, p in DEMO_USERS.items()) + " (change them)")
        return 0
    return run_db(args, fn)
