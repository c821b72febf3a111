"""Search rows in id order on PostgreSQL.

Revision ID: 0003_search_order
Revises: 0002_search

Search ranks the newest rows first within a tier and looks for a page among the newest rows
(a window of `rid`) before ranking the whole register; on PostgreSQL that window is a range
scan combined with the GIN index (BitmapAnd), and min/max(rid) are index look-ups.  SQLite
needs nothing: `rid` is the FTS5 rowid and the map table's INTEGER PRIMARY KEY.
"""
from __future__ import annotations

from alembic import op

revision = "0003_search_order"
down_revision = "0002_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("CREATE INDEX IF NOT EXISTS ix_search_obligations_rid ON search_obligations (rid)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_search_obligations_rid")
