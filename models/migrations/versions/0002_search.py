"""Full-text search over obligations and documents.

Revision ID: 0002_search
Revises: 0001_initial

SQLite: contentless FTS5 tables, one folding every diacritic (unicode61 remove_diacritics 2,
plus đ -> d done by replace() since đ has no Unicode decomposition) and one keeping them
(exact hits rank first).  FTS5 rowids are kept in a map table because the register's primary
keys are text and SQLite may renumber implicit rowids on VACUUM.  Triggers keep everything in
step with the obligations/documents tables, so no writer has to know about search.

PostgreSQL: `search_obligations` / `search_documents` hold two tsvectors (folded through
unaccent, and exact) with GIN indexes, filled by a trigger; `rid` numbers rows in indexing
order as the FTS5 rowid does on SQLite (search ranks newest first within a tier).  Both backends tokenise on every
non-alphanumeric character, as models/search_query.py does for the query.
"""
from __future__ import annotations

from alembic import op

revision = "0002_search"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

# (name, source table, SQL expression over the row (alias NEW/OLD/o) giving the indexed body)
SOURCES = {
    "obligations": "coalesce({r}.text, '') || ' ' || coalesce({r}.output, '') || ' ' || coalesce({r}.ref, '')",
    "documents": ("coalesce({r}.number, '') || ' ' || coalesce({r}.type, '') || ' ' || coalesce({r}.title, '')"
                  " || ' ' || coalesce({r}.issuer, '') || ' ' || coalesce({r}.source_file, '')"),
}
WATCHED = {"obligations": "text, output, ref", "documents": "number, type, title, issuer, source_file"}


def _sqlite_fold(expr: str) -> str:
    return f"replace(replace({expr}, 'đ', 'd'), 'Đ', 'D')"


def _upgrade_sqlite() -> None:
    for table, body in SOURCES.items():
        m, f, e = f"search_{table}", f"search_{table}_fts", f"search_{table}_exact"
        op.execute(f"CREATE TABLE {m} (rid INTEGER PRIMARY KEY, item_id VARCHAR(32) NOT NULL UNIQUE)")
        op.execute(f"CREATE VIRTUAL TABLE {f} USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2')")
        op.execute(f"CREATE VIRTUAL TABLE {e} USING fts5(body, content='', tokenize='unicode61 remove_diacritics 0')")
        new, old = body.format(r="new"), body.format(r="old")
        rid_new = f"(SELECT rid FROM {m} WHERE item_id = new.id)"
        rid_old = f"(SELECT rid FROM {m} WHERE item_id = old.id)"
        add = (f"INSERT INTO {f}(rowid, body) VALUES ({rid_new}, {_sqlite_fold(new)}); "
               f"INSERT INTO {e}(rowid, body) VALUES ({rid_new}, {new}); ")
        remove = (f"INSERT INTO {f}({f}, rowid, body) VALUES ('delete', {rid_old}, {_sqlite_fold(old)}); "
                  f"INSERT INTO {e}({e}, rowid, body) VALUES ('delete', {rid_old}, {old}); ")
        op.execute(f"CREATE TRIGGER {m}_ai AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {m}(item_id) VALUES (new.id); {add} END")
        op.execute(f"CREATE TRIGGER {m}_ad AFTER DELETE ON {table} BEGIN "
                   f"{remove} DELETE FROM {m} WHERE item_id = old.id; END")
        op.execute(f"CREATE TRIGGER {m}_au AFTER UPDATE OF {WATCHED[table]} ON {table} BEGIN "
                   f"{remove} {add} END")
        # A register that already has rows (upgraded from 0001): index them now.
        op.execute(f"INSERT INTO {m}(item_id) SELECT id FROM {table}")
        row = body.format(r="o")
        op.execute(f"INSERT INTO {f}(rowid, body) SELECT s.rid, {_sqlite_fold(row)} FROM {m} s JOIN {table} o ON o.id = s.item_id")
        op.execute(f"INSERT INTO {e}(rowid, body) SELECT s.rid, {row} FROM {m} s JOIN {table} o ON o.id = s.item_id")


def _upgrade_postgresql() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    # unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes
    # the wrapper safe to declare IMMUTABLE, which expression use in triggers/indexes wants.
    op.execute("""
        CREATE OR REPLACE FUNCTION chidao_fold_tsv(body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT to_tsvector('simple', regexp_replace(lower(unaccent('unaccent'::regdictionary,
                 coalesce(body, ''))), '[^[:alnum:]]+', ' ', 'g'))
        $$""")
    op.execute("""
        CREATE OR REPLACE FUNCTION chidao_exact_tsv(body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT to_tsvector('simple', regexp_replace(lower(coalesce(body, '')), '[^[:alnum:]]+', ' ', 'g'))
        $$""")
    for table, body in SOURCES.items():
        m = f"search_{table}"
        op.execute(f"""CREATE TABLE {m} (
            item_id VARCHAR(32) PRIMARY KEY REFERENCES {table}(id) ON DELETE CASCADE,
            rid BIGSERIAL NOT NULL,
            folded tsvector NOT NULL, exact tsvector NOT NULL)""")
        op.execute(f"CREATE INDEX ix_{m}_folded ON {m} USING gin (folded)")
        op.execute(f"CREATE INDEX ix_{m}_exact ON {m} USING gin (exact)")
        op.execute(f"""
            CREATE OR REPLACE FUNCTION {m}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE b text := {body.format(r='NEW')};
            BEGIN
              INSERT INTO {m}(item_id, folded, exact) VALUES (NEW.id, chidao_fold_tsv(b), chidao_exact_tsv(b))
              ON CONFLICT (item_id) DO UPDATE SET folded = EXCLUDED.folded, exact = EXCLUDED.exact;
              RETURN NULL;
            END $$""")
        op.execute(f"CREATE TRIGGER {m}_ai AFTER INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {m}_sync()")
        op.execute(f"CREATE TRIGGER {m}_au AFTER UPDATE OF {WATCHED[table]} ON {table} FOR EACH ROW EXECUTE FUNCTION {m}_sync()")
        row = body.format(r="o")
        op.execute(f"INSERT INTO {m}(item_id, folded, exact) SELECT o.id, chidao_fold_tsv({row}), chidao_exact_tsv({row}) FROM {table} o")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in SOURCES:
            m = f"search_{table}"
            for t in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {m}_{t}")
            for suffix in ("_fts", "_exact", ""):
                op.execute(f"DROP TABLE IF EXISTS {m}{suffix}")
    else:
        for table in SOURCES:
            m = f"search_{table}"
            op.execute(f"DROP TRIGGER IF EXISTS {m}_ai ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {m}_au ON {table}")
            op.execute(f"DROP TABLE IF EXISTS {m}")
            op.execute(f"DROP FUNCTION IF EXISTS {m}_sync()")
        op.execute("DROP FUNCTION IF EXISTS chidao_fold_tsv(text)")
        op.execute("DROP FUNCTION IF EXISTS chidao_exact_tsv(text)")
        # unaccent stays: other things in the database may use it.
