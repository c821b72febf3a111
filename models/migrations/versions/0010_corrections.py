"""Staff review and corrections: accepted obligations, corrected document headers, their history.

Revision ID: 0010_corrections
Revises: 0009_accounts

- obligations.accepted_at: a reviewer found the extraction right (the review queue's "Đúng").
- documents.corrected_fields / documents.extracted_values: header fields (number, issued_on,
  issuer) the staff corrected, kept over re-extraction as an obligation's corrected fields are.
- document_history: who changed a document's header, when, from what to what.

Plain ADD COLUMN / CREATE TABLE on both backends (a batch copy of `documents` would drop the
search triggers and, with foreign keys on, cascade into every obligation).
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010_corrections"
down_revision = "0009_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("obligations", sa.Column("accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # NOT NULL as every list column; the default fills the rows already there
    op.add_column("documents", sa.Column("corrected_fields", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("documents", sa.Column("extracted_values", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "document_history",
        sa.Column("who", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_document_history_document_id"), "document_history", ["document_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_document_history_document_id"), table_name="document_history")
    op.drop_table("document_history")
    op.drop_column("documents", "extracted_values")     # ALTER TABLE DROP COLUMN (SQLite >= 3.35)
    op.drop_column("documents", "corrected_fields")
    op.drop_column("obligations", "accepted_at")
