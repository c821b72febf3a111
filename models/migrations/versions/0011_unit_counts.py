"""Per-department counts kept by the writes (models/unit_counts.py): `chidao summary` reads them.

Revision ID: 0011_unit_counts
Revises: 0010_corrections

Two new tables (plain CREATE TABLE on SQLite too), filled by counting the register once
(models.unit_counts.rebuild, what `chidao reextract --all` runs).
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011_unit_counts"
down_revision = "0010_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "unit_counts",
        sa.Column("k", text(), nullable=False),
        sa.Column("dep", sa.Integer(), nullable=True),
        sa.Column("roles", text(length=10), nullable=False),
        sa.Column("status", text(length=16), nullable=False),
        sa.Column("bucket", text(length=1), nullable=False),
        sa.Column("recurrence", text(length=16), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("day", sa.Integer(), nullable=True),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("last_done", sa.Date(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("k"),
    )
    op.create_table(
        "unit_count_keys",
        sa.Column("obligation_id", text(length=32), nullable=False),
        sa.Column("k", text(), nullable=False),
        sa.PrimaryKeyConstraint("obligation_id", "k"),
    )
    from models.unit_counts import rebuild

    rebuild(op.get_bind(), via=False)     # the via groups come with their column (0015)


def downgrade() -> None:
    op.drop_table("unit_count_keys")
    op.drop_table("unit_counts")
