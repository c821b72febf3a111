"""Reminders: each department's address and the log of reminders sent (models/reminders.py).

Revision ID: 0012_reminders
Revises: 0011_unit_counts

Two new tables, plain CREATE TABLE on both dialects; the downgrade drops them.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012_reminders"
down_revision = "0011_unit_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_emails",
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("unit"),
    )
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("obligation_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit", "obligation_id", "kind", "due", name="uq_reminders_sent"),
    )
    op.create_index("ix_reminders_sent_unit", "reminders_sent", ["unit"])


def downgrade() -> None:
    op.drop_index("ix_reminders_sent_unit", table_name="reminders_sent")
    op.drop_table("reminders_sent")
    op.drop_table("unit_emails")
