"""calls: CDRs, event log, recordings, transcripts, flow versions; persisted agent live state

Existing agents keep every column and get state 'logged_out'.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("agents") as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=16), server_default="logged_out", nullable=False))
        batch_op.add_column(sa.Column("state_reason", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("state_since", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("login_interface", sa.String(length=128), nullable=True))

    op.create_table(
        "calls",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("caller", sa.String(length=64), nullable=True),
        sa.Column("caller_name", sa.String(length=128), nullable=True),
        sa.Column("did", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("arrived_at", sa.Float(), nullable=True),
        sa.Column("queued_at", sa.Float(), nullable=True),
        sa.Column("answered_at", sa.Float(), nullable=True),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("disposition", sa.String(length=16), nullable=True),
        sa.Column("hold_s", sa.Float(), nullable=True),
        sa.Column("talk_s", sa.Float(), nullable=True),
        sa.Column("wrapup_s", sa.Float(), nullable=True),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("ivr_trace", sa.JSON(), nullable=True),
        sa.Column("recording", sa.String(length=512), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("call_id", name=op.f("uq_calls_call_id")),
    )
    op.create_index(op.f("ix_calls_agent"), "calls", ["agent"], unique=False)
    op.create_index(op.f("ix_calls_arrived_at"), "calls", ["arrived_at"], unique=False)
    op.create_index("ix_calls_queue_arrived", "calls", ["queue", "arrived_at"], unique=False)

    op.create_table(
        "call_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_events")),
    )
    op.create_index(op.f("ix_call_events_call_id"), "call_events", ["call_id"], unique=False)
    op.create_index("ix_call_events_queue_ts", "call_events", ["queue", "ts"], unique=False)
    op.create_index(op.f("ix_call_events_ts"), "call_events", ["ts"], unique=False)

    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("caller", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=True),
        sa.Column("heard", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
        sa.UniqueConstraint("path", name=op.f("uq_recordings_path")),
    )
    op.create_index(op.f("ix_recordings_call_id"), "recordings", ["call_id"], unique=False)

    op.create_table(
        "transcripts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("engine", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("segments", sa.JSON(), nullable=True),
        sa.Column("analysis", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["recording_id"], ["recordings.id"],
                                name=op.f("fk_transcripts_recording_id_recordings"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcripts")),
    )
    op.create_index(op.f("ix_transcripts_recording_id"), "transcripts", ["recording_id"], unique=False)

    op.create_table(
        "flow_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=True),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.Float(), nullable=True),
        sa.Column("first_served_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_versions")),
        sa.UniqueConstraint("flow", "content_hash", name="uq_flow_versions_flow_hash"),
        sa.UniqueConstraint("flow", "version", name="uq_flow_versions_flow_version"),
    )


def downgrade() -> None:
    op.drop_table("flow_versions")
    op.drop_index(op.f("ix_transcripts_recording_id"), table_name="transcripts")
    op.drop_table("transcripts")
    op.drop_index(op.f("ix_recordings_call_id"), table_name="recordings")
    op.drop_table("recordings")
    op.drop_index(op.f("ix_call_events_ts"), table_name="call_events")
    op.drop_index("ix_call_events_queue_ts", table_name="call_events")
    op.drop_index(op.f("ix_call_events_call_id"), table_name="call_events")
    op.drop_table("call_events")
    op.drop_index("ix_calls_queue_arrived", table_name="calls")
    op.drop_index(op.f("ix_calls_arrived_at"), table_name="calls")
    op.drop_index(op.f("ix_calls_agent"), table_name="calls")
    op.drop_table("calls")
    with op.batch_alter_table("agents") as batch_op:
        batch_op.drop_column("login_interface")
        batch_op.drop_column("state_since")
        batch_op.drop_column("state_reason")
        batch_op.drop_column("state")
