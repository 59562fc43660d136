"""`callcenter db`: schema migrations and demo data."""
from __future__ import annotations

from .toolbox import add_command, run_database, run_db


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
    async def fn(db) -> int:
        before = await db.current_revision()
        after = await db.upgrade(args.revision)
        print(f"{db.display_url}: {before or '(empty)'} -> {after}" if before != after
              else f"{db.display_url}: already at {after}")
        return 0
    return run_database(args, fn)


def _current(args) -> int:
    from ..store.migrate import head_revision

    async def fn(db) -> int:
        rev = await db.current_revision()
        head = head_revision()
        note = "up to date" if rev == head else (f"needs upgrade to {head}: callcenter db upgrade"
                                                 if rev else "empty: callcenter db upgrade creates the schema")
        print(f"{db.display_url}: revision {rev or '(none)'} ({note})")
        return 0
    return run_database(args, fn)


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
