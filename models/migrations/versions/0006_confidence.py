"""Confidence: how sure the extraction is of each obligation, so the least certain is reviewed first.

Revision ID: 0006_confidence
Revises: 0005_document_copies

- obligations.confidence (0..1, indexed: the review listing orders by it) and
  obligations.confidence_reasons (JSON list of {code, text}).
- Rows stored before are left null / empty: the confidence is the extractor's, and
  `chidao reextract` computes it (nothing is invented for them here).
- Plain ADD / DROP COLUMN, not a batch (table copy) on SQLite: the search triggers of 0002
  on `obligations` must survive.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_confidence"
down_revision = "0005_document_copies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("obligations", sa.Column("confidence", sa.Float(), nullable=True))
    # NOT NULL as every list column; the default fills the rows already there (and is kept on
    # both backends alike: SQLite cannot drop it without a table copy)
    op.add_column("obligations", sa.Column("confidence_reasons", sa.JSON(), nullable=False, server_default="[]"))
    op.create_index("ix_obligations_confidence", "obligations", ["confidence"])


def downgrade() -> None:
    op.drop_index("ix_obligations_confidence", table_name="obligations")
    op.drop_column("obligations", "confidence_reasons")     # ALTER TABLE DROP COLUMN (SQLite >= 3.35)
    op.drop_column("obligations", "confidence")
