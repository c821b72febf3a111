"""One directive, several copies (models/copies.py): what kind of copy each file is, a sketch of
its text, and an index of its band keys to find the copies of a new file.

Revision ID: 0005_document_copies
Revises: 0004_outcomes

- documents.copy_kind (digital | docx | scan) and documents.text_sketch, null for rows stored
  before: `chidao reextract` fills them; until then a stored PDF counts as born-digital (it is
  never displaced by a scan) and a directive without a number is matched by issuer, date and
  title as before.
- copy_bands (band, document_id): each text's locality-sensitive band keys; an index on
  documents.issued_on.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_document_copies"
down_revision = "0004_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("copy_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column("text_sketch", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index("ix_documents_issued_on", ["issued_on"], unique=False)
    op.create_table(
        "copy_bands",
        sa.Column("band", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("document_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("band", "document_id"),
    )
    op.create_index(op.f("ix_copy_bands_document_id"), "copy_bands", ["document_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_copy_bands_document_id"), table_name="copy_bands")
    op.drop_table("copy_bands")
    # plain DROP COLUMN (SQLite >= 3.35), not a batch copy of the table: a copy would drop the
    # search triggers and, inside one downgrade transaction, meets "database table is locked"
    op.drop_index("ix_documents_issued_on", table_name="documents")
    op.drop_column("documents", "text_sketch")
    op.drop_column("documents", "copy_kind")
