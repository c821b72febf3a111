"""Indexes for search and owes at scale (100,000 obligations).

Revision ID: 0003_search_order
Revises: 0002_search

- PostgreSQL `search_obligations (rid)`: search ranks the newest rows first within a tier and
  looks for a page among the newest rows (a window of `rid`) before ranking the whole
  register; min/max(rid) become index look-ups.  SQLite needs none: `rid` is the FTS5 rowid
  and the map table's INTEGER PRIMARY KEY.
- `obligation_units (unit_id, role, obligation_id)` replaces `(unit_id, role)`: a unit's
  obligation ids (the unit filter, the owes report) are read from the index alone.
"""
from __future__ import annotations

from alembic import op

revision = "0003_search_order"
down_revision = "0002_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_obligation_units_unit_role_obligation", "obligation_units",
                    ["unit_id", "role", "obligation_id"])
    op.drop_index("ix_obligation_units_unit_role", table_name="obligation_units")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("CREATE INDEX IF NOT EXISTS ix_search_obligations_rid ON search_obligations (rid)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_search_obligations_rid")
    op.create_index("ix_obligation_units_unit_role", "obligation_units", ["unit_id", "role"])
    op.drop_index("ix_obligation_units_unit_role_obligation", table_name="obligation_units")
