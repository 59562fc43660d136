"""recordings: status, error, MixMonitor paths, pauses, layout, retention; recording_log; jobs

Existing recordings (voicemail) keep every column; the new ones are NULL for them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

NEW_RECORDING_COLUMNS = (
    ("status", sa.String(length=16)), ("error", sa.Text()), ("asterisk_path", sa.String(length=512)),
    ("source_path", sa.String(length=512)), ("policy", sa.String(length=16)), ("started_at", sa.Float()),
    ("ended_at", sa.Float()), ("pauses", sa.JSON()), ("channels", sa.Integer()), ("sample_rate", sa.Integer()),
    ("size_bytes", sa.BigInteger()), ("retain_until", sa.Float()), ("deleted_at", sa.Float()),
)


def upgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        for name, type_ in NEW_RECORDING_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    op.create_index(op.f("ix_recordings_status"), "recordings", ["status"], unique=False)
    op.create_index(op.f("ix_recordings_retain_until"), "recordings", ["retain_until"], unique=False)

    op.create_table(
        "recording_log",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_log")),
    )
    op.create_index(op.f("ix_recording_log_ts"), "recording_log", ["ts"], unique=False)
    op.create_index(op.f("ix_recording_log_recording_id"), "recording_log", ["recording_id"], unique=False)
    op.create_index(op.f("ix_recording_log_call_id"), "recording_log", ["call_id"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=191), nullable=True),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.Float(), nullable=False),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("worker", sa.String(length=128), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=True),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
    )
    op.create_index("ix_jobs_status_run_after", "jobs", ["status", "run_after"], unique=False)
    op.create_index(op.f("ix_jobs_call_id"), "jobs", ["call_id"], unique=False)
    op.create_index(op.f("ix_jobs_recording_id"), "jobs", ["recording_id"], unique=False)


def downgrade() -> None:
    op.drop_table("jobs")
    op.drop_table("recording_log")
    op.drop_index(op.f("ix_recordings_retain_until"), table_name="recordings")
    op.drop_index(op.f("ix_recordings_status"), table_name="recordings")
    with op.batch_alter_table("recordings") as batch:
        for name, _ in reversed(NEW_RECORDING_COLUMNS):
            batch.drop_column(name)
