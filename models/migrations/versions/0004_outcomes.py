"""Outcomes: a document stored as `error` (a defect of ours) keeps its traceback and the
fingerprint of the code that failed, so the same file is processed again once the code changed.

Revision ID: 0004_outcomes
Revises: 0003_search_order

- documents.traceback, documents.code_fingerprint (null for rows stored before).
- The status column is a free VARCHAR(16): the new value `error` needs no DDL.  Rows that older
  code stored for its own defects become `error`, so that ingesting their file again retries it:
  `failed` rows whose only error is `extractor-error` (an exception in structure or obligations,
  recorded as bad input), and `partial` rows whose errors hold `structure-failed` (the structure
  stage's exception, caught) and that have no obligations (nothing a clerk may have worked on).
"""
from __future__ import annotations

import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004_outcomes"
down_revision = "0003_search_order"
branch_labels = None
depends_on = None

OLD_DEFECT_CODES = {"extractor-error", "structure-failed"}


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("traceback", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("code_fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT d.id, d.status, d.errors FROM documents d WHERE d.status IN ('failed', 'partial') "
        "AND NOT EXISTS (SELECT 1 FROM obligations o WHERE o.document_id = d.id)")).all()
    for doc_id, status, errors in rows:
        errors = json.loads(errors) if isinstance(errors, str) else (errors or [])
        defects = [e for e in errors if isinstance(e, dict) and e.get("code") in OLD_DEFECT_CODES]
        if not defects or (status == "failed" and len(defects) != len(errors)):
            continue
        message = "; ".join(str(e.get("message", "")) for e in defects)
        conn.execute(sa.text("UPDATE documents SET status = 'error', traceback = :tb WHERE id = :id"),
                     {"id": doc_id, "tb": f"(recorded before tracebacks were kept) {message}"})


def downgrade() -> None:
    op.execute("UPDATE documents SET status = 'failed' WHERE status = 'error'")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("code_fingerprint")
        batch_op.drop_column("traceback")
