"""provisioning_revision: a counter bumped with every change to skills, agents, queues or memberships

A running engine compares it every ``acd.reload_interval`` seconds and reloads provisioning when it moved.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "provisioning_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provisioning_revision")),
    )
    op.bulk_insert(table, [{"id": 1, "revision": 0, "changed_at": None}])


def downgrade() -> None:
    op.drop_table("provisioning_revision")
