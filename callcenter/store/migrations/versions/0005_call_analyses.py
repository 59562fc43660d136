"""call_analyses: conversation analytics per call, with the database's own full-text search

SQLite: an FTS5 table ``call_analyses_fts`` over ``call_analyses.text`` (external content, kept in step by
triggers). PostgreSQL: a generated ``search`` tsvector column (``simple`` configuration: no stemming, so
every language is treated alike) with a GIN index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE call_analyses_fts USING fts5(text, content='call_analyses', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER call_analyses_fts_ai AFTER INSERT ON call_analyses BEGIN "
    "INSERT INTO call_analyses_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER call_analyses_fts_ad AFTER DELETE ON call_analyses BEGIN "
    "INSERT INTO call_analyses_fts(call_analyses_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER call_analyses_fts_au AFTER UPDATE OF text ON call_analyses BEGIN "
    "INSERT INTO call_analyses_fts(call_analyses_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO call_analyses_fts(rowid, text) VALUES (new.id, new.text); END",
]
_PG_FTS = [
    "ALTER TABLE call_analyses ADD COLUMN search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(text, ''))) STORED",
    "CREATE INDEX ix_call_analyses_search ON call_analyses USING gin (search)",
]


def upgrade() -> None:
    op.create_table(
        "call_analyses",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=512), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("engine", sa.String(length=32), nullable=True),
        sa.Column("call_at", sa.Float(), nullable=True),
        sa.Column("analyzed_at", sa.Float(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("risk_count", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("caller_mood", sa.Float(), nullable=True),
        sa.Column("agent_mood", sa.Float(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("overrides", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_analyses")),
        sa.UniqueConstraint("call_id", name=op.f("uq_call_analyses_call_id")),
    )
    op.create_index(op.f("ix_call_analyses_recording_id"), "call_analyses", ["recording_id"], unique=False)
    op.create_index(op.f("ix_call_analyses_call_at"), "call_analyses", ["call_at"], unique=False)
    op.create_index("ix_call_analyses_agent_call_at", "call_analyses", ["agent", "call_at"], unique=False)
    op.create_index("ix_call_analyses_queue_call_at", "call_analyses", ["queue", "call_at"], unique=False)
    for stmt in _SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else _PG_FTS:
        op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("call_analyses_fts_ai", "call_analyses_fts_ad", "call_analyses_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS call_analyses_fts")
    op.drop_table("call_analyses")
