"""Unit links in the search index (a unit filter becomes part of the full-text match), and
the via groups of the per-department counts (the summary's "through groups" column).

Revision ID: 0015_unit_search_tokens
Revises: 0014_unit_count_days

The via groups: `unit_counts.via` and bucket v (models/unit_counts.py): each open task linked
to a group or a merged body counted once apart and once per department, with those sources,
so that the summary's via_groups are sums over a few thousand groups instead of a read of the
groups' tasks (tens of thousands at 1,000,000 obligations).  The upgrade counts the tasks
linked to a source again (models.unit_counts.refresh); the downgrade drops the groups and
the column.

And an index on documents (type): the type filter's list of the register's types is a walk
down it (models.search.document_types) instead of a read of every document.

The search tokens:

Each obligation's unit links (obligation_units: unit id and role) are indexed as tokens
beside its words, `zzu<unit id><l|s>` (models.search.unit_token), so that "these words, for
this unit" is one full-text match that the index answers from its rarest term, instead of
every match of the words tested against the unit's set (at 1,000,000 obligations a common
word matches 100,000 rows; a unit's tasks are a few thousand).

- SQLite: the tokens go into both FTS5 tables (folded and exact) under the obligation's rid,
  as entries of their own (the tables are contentless: an FTS5 entry is per term and rowid,
  so a link's token is added and deleted without touching the words').  Triggers on
  obligation_units add a link's token and delete it; a deleted obligation's links are deleted
  by the cascade before its own trigger drops the rid.
- PostgreSQL: the tokens are lexemes of `search_obligations.folded`; statement-level
  triggers on obligation_units add and remove them, and the obligations' sync function keeps
  them when a task's text changes.

The upgrade indexes the links already stored (one INSERT … SELECT / UPDATE … FROM); the
downgrade removes the tokens and the triggers.

At 1,000,000 obligations (bench_search's synthetic register, load ~5 on 2 cores) the upgrade's
steps took: SQLite tokens 22 s, via groups 33 s; PostgreSQL tokens 62 s, CLUSTER and GIN
index 27 s, via groups 49 s.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import text

revision = "0015_unit_search_tokens"
down_revision = "0014_unit_count_days"
branch_labels = None
depends_on = None

_BODY = "coalesce({r}.text, '') || ' ' || coalesce({r}.output, '') || ' ' || coalesce({r}.ref, '')"   # 0002's
_TABLES = ("search_obligations_fts", "search_obligations_exact")


def _sqlite_token(r: str) -> str:
    return f"'zzu' || {r}.unit_id || substr({r}.role, 1, 1)"


def _upgrade_sqlite() -> None:
    add = " ".join(f"INSERT INTO {t}(rowid, body) SELECT rid, {_sqlite_token('new')} FROM search_obligations "
                   f"WHERE item_id = new.obligation_id;" for t in _TABLES)
    remove = " ".join(f"INSERT INTO {t}({t}, rowid, body) SELECT 'delete', rid, {_sqlite_token('old')} "
                      f"FROM search_obligations WHERE item_id = old.obligation_id;" for t in _TABLES)
    op.execute(f"CREATE TRIGGER search_obligation_units_ai AFTER INSERT ON obligation_units BEGIN {add} END")
    op.execute(f"CREATE TRIGGER search_obligation_units_ad AFTER DELETE ON obligation_units BEGIN {remove} END")
    op.execute("CREATE TRIGGER search_obligation_units_au AFTER UPDATE OF obligation_id, unit_id, role "
               f"ON obligation_units BEGIN {remove} {add} END")
    for t in _TABLES:
        op.execute(f"INSERT INTO {t}(rowid, body) SELECT s.rid, group_concat({_sqlite_token('ou')}, ' ') "
                   "FROM obligation_units ou JOIN search_obligations s ON s.item_id = ou.obligation_id GROUP BY s.rid")


def _downgrade_sqlite() -> None:
    for name in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS search_obligation_units_{name}")
    for t in _TABLES:
        op.execute(f"INSERT INTO {t}({t}, rowid, body) SELECT 'delete', s.rid, group_concat({_sqlite_token('ou')}, ' ') "
                   "FROM obligation_units ou JOIN search_obligations s ON s.item_id = ou.obligation_id GROUP BY s.rid")


_PG_TOKENS = "array_agg('zzu' || {r}.unit_id || left({r}.role, 1))"


def _pg_sync(with_units: bool) -> str:
    units = " || chidao_unit_tokens(NEW.id)" if with_units else ""
    return f"""
        CREATE OR REPLACE FUNCTION search_obligations_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE b text := {_BODY.format(r='NEW')};
        BEGIN
          INSERT INTO search_obligations(item_id, folded, exact) VALUES (NEW.id, chidao_fold_tsv(b){units}, chidao_exact_tsv(b))
          ON CONFLICT (item_id) DO UPDATE SET folded = EXCLUDED.folded, exact = EXCLUDED.exact;
          RETURN NULL;
        END $$"""


def _upgrade_postgresql() -> None:
    op.execute(f"""
        CREATE OR REPLACE FUNCTION chidao_unit_tokens(oid text) RETURNS tsvector LANGUAGE sql STABLE AS $$
          SELECT coalesce(array_to_tsvector({_PG_TOKENS.format(r='ou')}), ''::tsvector)
          FROM obligation_units ou WHERE ou.obligation_id = oid
        $$""")
    op.execute(_pg_sync(True))
    # a link added puts its unit's token in the task's search row; a link removed takes it out;
    # a changed link does both
    add = f"""
          UPDATE search_obligations s SET folded = s.folded || t.tv
          FROM (SELECT n.obligation_id, array_to_tsvector({_PG_TOKENS.format(r='n')}) AS tv
                FROM new_links n GROUP BY n.obligation_id) t
          WHERE s.item_id = t.obligation_id;"""
    remove = f"""
          UPDATE search_obligations s SET folded = ts_delete(s.folded, t.toks)
          FROM (SELECT o.obligation_id, {_PG_TOKENS.format(r='o')} AS toks
                FROM old_links o GROUP BY o.obligation_id) t
          WHERE s.item_id = t.obligation_id;"""
    for name, body in (("add", add), ("remove", remove), ("change", remove + add)):
        op.execute(f"""
        CREATE OR REPLACE FUNCTION search_obligation_units_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN{body}
          RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER search_obligation_units_ai AFTER INSERT ON obligation_units "
               "REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION search_obligation_units_add()")
    op.execute("CREATE TRIGGER search_obligation_units_ad AFTER DELETE ON obligation_units "
               "REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT EXECUTE FUNCTION search_obligation_units_remove()")
    op.execute("CREATE TRIGGER search_obligation_units_au AFTER UPDATE ON obligation_units "
               "REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT "
               "EXECUTE FUNCTION search_obligation_units_change()")
    # the links already stored: one UPDATE, the GIN index built again after it (faster at 1,000,000 rows)
    op.execute("DROP INDEX IF EXISTS ix_search_obligations_folded")
    op.execute(f"""
        UPDATE search_obligations s SET folded = s.folded || t.tv
        FROM (SELECT ou.obligation_id, array_to_tsvector({_PG_TOKENS.format(r='ou')}) AS tv
              FROM obligation_units ou GROUP BY ou.obligation_id) t
        WHERE s.item_id = t.obligation_id""")
    # the UPDATE wrote every row again wherever there was room: search reads the newest rows by
    # rid (a window), which must sit together on disk as they did (CLUSTER also rebuilds the
    # other indexes); then the GIN index, and the planner's statistics
    op.execute("CLUSTER search_obligations USING ix_search_obligations_rid")
    op.execute("CREATE INDEX ix_search_obligations_folded ON search_obligations USING gin (folded)")
    op.execute("ANALYZE search_obligations")


def _downgrade_postgresql() -> None:
    for name in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS search_obligation_units_{name} ON obligation_units")
    for fn in ("add", "remove", "change"):
        op.execute(f"DROP FUNCTION IF EXISTS search_obligation_units_{fn}()")
    op.execute(_pg_sync(False))
    op.execute(f"""
        UPDATE search_obligations s SET folded = ts_delete(s.folded, t.toks)
        FROM (SELECT ou.obligation_id, {_PG_TOKENS.format(r='ou')} AS toks
              FROM obligation_units ou GROUP BY ou.obligation_id) t
        WHERE s.item_id = t.obligation_id""")
    op.execute("DROP FUNCTION IF EXISTS chidao_unit_tokens(text)")


def _upgrade_via() -> None:
    from models.unit_counts import SOURCE_SQL, refresh

    op.add_column("unit_counts", sa.Column("via", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    conn = op.get_bind()
    ids = [r[0] for r in conn.execute(text(
        "SELECT DISTINCT ou.obligation_id FROM obligation_units ou JOIN units u ON u.id = ou.unit_id "
        f"WHERE u.department_id IN ({SOURCE_SQL}) ORDER BY ou.obligation_id")).all()]
    refresh(conn, ids)      # their other groups are found unchanged; the via groups are added


def _downgrade_via() -> None:
    op.execute(text("DELETE FROM unit_count_keys WHERE k IN (SELECT k FROM unit_counts WHERE bucket = 'v')"))
    op.execute(text("DELETE FROM unit_counts WHERE bucket = 'v'"))
    with op.batch_alter_table("unit_counts") as batch:
        batch.drop_column("via")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()
    _upgrade_via()
    op.create_index("ix_documents_type", "documents", ["type"])     # models.search.document_types


def downgrade() -> None:
    op.drop_index("ix_documents_type", table_name="documents")
    _downgrade_via()
    if op.get_bind().dialect.name == "sqlite":
        _downgrade_sqlite()
    else:
        _downgrade_postgresql()
