"""Alembic migrations: an upgrade keeps every row; models and migrations describe the same schema."""
from __future__ import annotations

from sqlalchemy import text

from callcenter.store.db import Database
from callcenter.store.migrate import current_async, downgrade_async, head_revision, revisions, upgrade_async


async def test_upgrade_from_first_revision_keeps_data(db_url):
    db = Database(db_url)
    try:
        assert await current_async(db.engine) is None
        assert await upgrade_async(db.engine, "0001") == "0001"
        async with db.engine.begin() as conn:      # data written by a 0001-era server
            await conn.execute(text("INSERT INTO skills (id, name, description) VALUES (1, 'billing', 'b')"))
            await conn.execute(text(
                "INSERT INTO agents (id, name, full_name, extension, interface, languages, max_concurrent, "
                "enabled, created_at) VALUES (1, 'alice', 'Alice', '2001', 'PJSIP/2001', '[\"en-US\"]', 1, "
                ":t, 5.0)"), {"t": True})
            await conn.execute(text("INSERT INTO agent_skills (agent_id, skill_id, proficiency) VALUES (1, 1, 4)"))
            await conn.execute(text(
                "INSERT INTO queues (id, name, description, strategy, sl_target, sl_percent, priority, join_empty, "
                "leave_empty, rules, moh_class, announce_position, announce_hold_time, announce_interval) VALUES "
                "(1, 'support', '', 'best-skill', 20, 80, 0, :t, :f, '[\"any\"]', 'default', :t, :t, 60)"),
                {"t": True, "f": False})
            await conn.execute(text("INSERT INTO queue_members (queue_id, agent_id, penalty) VALUES (1, 1, 2)"))
            await conn.execute(text("INSERT INTO users (id, username, password_hash, role, agent_id, enabled) "
                                    "VALUES (1, 'alice', 'scrypt$x', 'agent', 1, :t)"), {"t": True})
        assert await db.upgrade() == head_revision()
        from callcenter.store import repo
        async with db.session() as s:
            a = repo.agent_to_dict(await repo.require_agent(s, "alice"))
            assert a["skills"] == {"billing": 4} and a["queues"] == {"support": 2}
            assert a["languages"] == ["en-US"] and a["extension"] == "2001"
            assert a["state"] == "logged_out"                 # new column, default for old rows
            assert (await repo.get_user(s, "alice")).agent.name == "alice"
            assert repo.queue_to_dict(await repo.get_queue(s, "support"))["rules"] == ["any"]
            await repo.save_call(s, "c1", queue="support")    # new tables usable
        # and back down / up again without losing the 0001 data
        assert await downgrade_async(db.engine, "0001") == "0001"
        assert await db.upgrade() == head_revision()
        async with db.session() as s:
            assert (await repo.require_agent(s, "alice")).full_name == "Alice"
    finally:
        await db.close()


async def test_upgrade_is_idempotent(db_url):
    db = Database(db_url)
    try:
        assert await db.upgrade() == head_revision()
        assert await db.upgrade() == head_revision()
        assert await db.current_revision() == head_revision()
    finally:
        await db.close()


async def test_models_match_migrations(db_url):
    """A model change without a migration would make 'serve' run with a schema the code does not expect."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from callcenter.store.models import Base, include_object
    db = Database(db_url)
    try:
        await db.upgrade()
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(
                    c, opts={"compare_type": True, "include_object": include_object}), Base.metadata))
        assert diff == []
    finally:
        await db.close()


def test_revisions_form_one_line():
    revs = revisions()
    assert [r for r, _ in revs][0] == "0001" and revs[-1][0] == head_revision()
