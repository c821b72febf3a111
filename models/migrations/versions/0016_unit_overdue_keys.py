"""Indexes that let a unit's overdue list be read from the kept count keys.

Revision ID: 0016_unit_overdue_keys
Revises: 0015_unit_search_tokens

models.search._unit_overdue answers "a unit's overdue tasks, no words" (the web's and the
CLI's overdue list of a department) from the per-department count groups of
models/unit_counts.py instead of reading every task of the unit: the department's day groups
(bucket d) due before today and its few recurring / started groups (bucket x), then the tasks
counted in them.  Two indexes serve it:

- unit_count_keys (k, obligation_id): the tasks of a group (the primary key starts with the
  task; this is its reverse, covering);
- unit_counts (dep, bucket, due): a department's groups of one bucket, by date.

And documents (source_file): a document filter is resolved by id, number or file name, one
statement whose OR read every document (50,000 at 1,000,000 obligations) for want of it.

No data changes; the downgrade drops the three indexes.

(A covering index on obligations (id, status, the deadline fields, document_id, ref) was tried
for the word searches' filters: it cut their lookups by a quarter to a half, but with it
SQLite's planner, which has no statistics, starts a unit's owes list from the status index,
1.7-2.8 s instead of ~0.15 s at 1,000,000 obligations: not kept.)  At 1,000,000 obligations (3.3 million count
keys, bench_search's synthetic register) the SQLite indexes took ~5 s, PostgreSQL's ~8 s
(load ~7 on 2 cores).
"""
from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0016_unit_overdue_keys"
down_revision = "0015_unit_search_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_unit_count_keys_k", "unit_count_keys", ["k", "obligation_id"])
    op.create_index("ix_unit_counts_dep_bucket_due", "unit_counts", ["dep", "bucket", "due"])
    op.create_index("ix_documents_source_file", "documents", ["source_file"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(text("ANALYZE unit_counts"))
        op.execute(text("ANALYZE unit_count_keys"))


def downgrade() -> None:
    op.drop_index("ix_documents_source_file", table_name="documents")
    op.drop_index("ix_unit_counts_dep_bucket_due", table_name="unit_counts")
    op.drop_index("ix_unit_count_keys_k", table_name="unit_count_keys")
