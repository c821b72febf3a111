"""PostgreSQL: the task fields that word searches filter on, copied into the search rows.

Revision ID: 0017_search_filter_columns
Revises: 0016_unit_overdue_keys

A word search with a status, a due-date range or overdue (models.search._words_from) tested
each matching search row's task in `obligations`: a primary-key lookup per match, 4 buffers
each.  At 1,000,000 obligations "kiem tra" with a due range reads the newest 31,250 search
rows (the window that decides the count shown), 2,580 of them match the words, and their
lookups were ~11 ms of its ~25 ms; a status filter's 1,850 lookups ~9 ms of ~18 ms.

On PostgreSQL `search_obligations` now carries the task's status, deadline fields
(models.search.SEARCH_ROW_COLUMNS) and document id, so that these filters are tested on the
search row itself, before the words (inside the window's fence), and no task is looked up
until the page is read.  They are kept by the triggers: the obligations' sync function
writes them with the words on insert, and an update of any of them copies them again
(search_obligations_fields).  The upgrade writes the search rows again with the tasks'
values, in rid order (the window reads the newest rids together), the GIN indexes dropped
first and built again; the downgrade drops the columns and the trigger.

SQLite is unchanged: its FTS5 tables have no room for columns, and an index there changes the
owes lists' plans (0016's note).
"""
from __future__ import annotations

from alembic import op

revision = "0017_search_filter_columns"
down_revision = "0016_unit_overdue_keys"
branch_labels = None
depends_on = None

# name, type: the same names as in obligations (models.search.SEARCH_ROW_COLUMNS)
COLUMNS = (("status", "VARCHAR(16)"), ("deadline_due", "DATE"), ("deadline_recurrence", "VARCHAR(16)"),
           ("deadline_day", "INTEGER"), ("deadline_start", "DATE"), ("last_done_on", "DATE"),
           ("document_id", "VARCHAR(32)"))
_NAMES = [c for c, _ in COLUMNS]
_BODY = "coalesce({r}.text, '') || ' ' || coalesce({r}.output, '') || ' ' || coalesce({r}.ref, '')"   # 0002's


def _sync(with_fields: bool) -> str:
    """search_obligations_sync (0015's, with the unit tokens), writing the copied fields too."""
    cols = "".join(f", {c}" for c in _NAMES) if with_fields else ""
    vals = "".join(f", NEW.{c}" for c in _NAMES) if with_fields else ""
    sets = "".join(f", {c} = EXCLUDED.{c}" for c in _NAMES) if with_fields else ""
    return f"""
        CREATE OR REPLACE FUNCTION search_obligations_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE b text := {_BODY.format(r='NEW')};
        BEGIN
          INSERT INTO search_obligations(item_id, folded, exact{cols})
          VALUES (NEW.id, chidao_fold_tsv(b) || chidao_unit_tokens(NEW.id), chidao_exact_tsv(b){vals})
          ON CONFLICT (item_id) DO UPDATE SET folded = EXCLUDED.folded, exact = EXCLUDED.exact{sets};
          RETURN NULL;
        END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for c, t in COLUMNS:
        op.execute(f"ALTER TABLE search_obligations ADD COLUMN {c} {t}")
    op.execute(_sync(True))
    sets = ", ".join(f"{c} = NEW.{c}" for c in _NAMES)
    op.execute(f"""
        CREATE OR REPLACE FUNCTION search_obligations_fields() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE search_obligations SET {sets} WHERE item_id = NEW.id;
          RETURN NULL;
        END $$""")
    op.execute(f"CREATE TRIGGER search_obligations_fields AFTER UPDATE OF {', '.join(_NAMES)} ON obligations "
               "FOR EACH ROW EXECUTE FUNCTION search_obligations_fields()")
    # the tasks already stored: the rows written again in rid order with the fields (an UPDATE
    # would leave every old version in the table until a VACUUM, which cannot run inside the
    # migration's transaction, and the window's rids scattered), the GIN indexes built after
    op.execute("DROP INDEX IF EXISTS ix_search_obligations_folded")
    op.execute("DROP INDEX IF EXISTS ix_search_obligations_exact")
    op.execute("CREATE TEMPORARY TABLE chidao_search_rows ON COMMIT DROP AS "
               f"SELECT s.item_id, s.rid, s.folded, s.exact, {', '.join(f'o.{c}' for c in _NAMES)} "
               "FROM search_obligations s JOIN obligations o ON o.id = s.item_id")
    op.execute("TRUNCATE search_obligations")
    op.execute(f"INSERT INTO search_obligations (item_id, rid, folded, exact, {', '.join(_NAMES)}) "
               f"SELECT item_id, rid, folded, exact, {', '.join(_NAMES)} FROM chidao_search_rows ORDER BY rid")
    op.execute("DROP TABLE chidao_search_rows")
    op.execute("CREATE INDEX ix_search_obligations_folded ON search_obligations USING gin (folded)")
    op.execute("CREATE INDEX ix_search_obligations_exact ON search_obligations USING gin (exact)")
    op.execute("ANALYZE search_obligations")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS search_obligations_fields ON obligations")
    op.execute("DROP FUNCTION IF EXISTS search_obligations_fields()")
    op.execute(_sync(False))
    for c in reversed(_NAMES):
        op.execute(f"ALTER TABLE search_obligations DROP COLUMN {c}")
