"""The migrated schema is the SQLModel metadata (no drift between tables.py and Alembic)."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel

import models.tables  # noqa: F401
from models.db import dispose_engine, get_engine, init_db


def _diff(url: str) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    ours = set(SQLModel.metadata.tables)

    def include(obj, name, type_, reflected, compare_to):
        # Later revisions add objects of their own (search indexes, FTS tables): only the
        # tables this metadata describes are compared.
        if type_ == "table":
            return name in ours
        return True

    with get_engine(url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        return compare_metadata(ctx, SQLModel.metadata)


def test_sqlite_migrations_equal_metadata(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    init_db(url)
    try:
        assert _diff(url) == []
        tables = set(inspect(get_engine(url)).get_table_names())
        # beside the metadata's tables: Alembic's own and the FTS5 search tables of 0002/0003
        extra = sorted(tables - set(SQLModel.metadata.tables))
        assert extra[0] == "alembic_version" and len(extra) == 23
        assert {t.split("_")[0] for t in extra[1:]} == {"search"}
        assert set(SQLModel.metadata.tables) <= tables
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_migrations_equal_metadata(pg_empty_url):
    init_db(pg_empty_url)
    assert _diff(pg_empty_url) == []


def test_sqlite_pragmas(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    eng = init_db(url)
    try:
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        dispose_engine(url)


def test_open_is_idempotent_and_url_required(tmp_path):
    from models.db import database_url

    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(TypeError, match="no register URL"):   # never a silent ./chidao.db
        database_url(None)
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    init_db(url)
    dispose_engine(url)
    init_db(url)  # second open on an up-to-date register: no migration, no error
    dispose_engine(url)


def _register_at_0003(url: str) -> None:
    """A register as the code before the three outcomes left it, with one row of each kind."""
    import json

    from alembic import command
    from sqlalchemy import text

    from models.db import alembic_config

    eng = get_engine(url)
    with eng.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003_search_order")
    rows = [  # id, status, errors, with an obligation
        ("d-ok", "ok", [], True),
        ("d-bad", "failed", [{"code": "encrypted", "message": "encrypted PDF"}], False),
        ("d-bug", "failed", [{"code": "extractor-error", "message": "extractor error (KeyError): 'lead'"}], False),
        ("d-structure-bug", "partial", [{"code": "structure-failed", "message": "x.pdf: structure stage failed"}], False),
        ("d-partial-kept", "partial", [{"code": "structure-failed", "message": "y.pdf: structure stage failed"}], True),
    ]
    with eng.begin() as conn:
        for i, (doc_id, status, errors, with_obligation) in enumerate(rows):
            conn.execute(text(
                "INSERT INTO documents (id, source_file, sha256, size, pages, kind, status, errors, meta, ingested_at, "
                "extracted_at) VALUES (:id, :f, :sha, 1, 1, 'pdf', :st, :err, '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"id": doc_id, "f": f"{doc_id}.pdf", "sha": f"{i:064d}", "st": status, "err": json.dumps(errors)})
            if with_obligation:
                conn.execute(text(
                    "INSERT INTO obligations (id, document_id, ordinal, text, lead_units, support_units, targets, flags, "
                    "status, corrected_fields, extracted_values, created_at, updated_at) VALUES (:id, :doc, 0, 'Làm A', "
                    "'[]', '[]', '[]', '[]', 'done', '[]', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"id": f"o-{doc_id}", "doc": doc_id})


def _check_0003_register_upgrades(url: str) -> None:
    from sqlalchemy import text

    _register_at_0003(url)
    dispose_engine(url)
    init_db(url)
    assert _diff(url) == []
    with get_engine(url).connect() as conn:
        got = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(text(
            "SELECT id, status, traceback, code_fingerprint FROM documents"))}
        kept = conn.execute(text("SELECT status FROM obligations WHERE document_id = 'd-partial-kept'")).scalar_one()
    assert got["d-ok"] == ("ok", None, None)
    assert got["d-bad"] == ("failed", None, None)                 # bad input stays bad input
    assert got["d-bug"][0] == "error" and "KeyError" in got["d-bug"][1]   # old defects become errors: retried
    assert got["d-structure-bug"][0] == "error"
    assert got["d-partial-kept"][0] == "partial" and kept == "done"     # a clerk's work is never re-classified
    assert {v[2] for v in got.values()} == {None}


def test_sqlite_register_from_before_the_outcomes_upgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    try:
        _check_0003_register_upgrades(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_register_from_before_the_outcomes_upgrades(pg_empty_url):
    _check_0003_register_upgrades(pg_empty_url)


# ---------------------------------------------------------------- 0006_confidence

def _obligation_sql(oid: str, text_: str) -> str:
    return ("INSERT INTO obligations (id, document_id, ordinal, text, lead_units, support_units, targets, flags, "
            "status, corrected_fields, extracted_values, created_at, updated_at) VALUES "
            f"('{oid}', 'd-ok', 0, '{text_}', '[]', '[]', '[]', '[]', 'open', '[]', '{{}}', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP)")


def _columns(url: str) -> set[str]:
    return {c["name"] for c in inspect(get_engine(url)).get_columns("obligations")}


def _migrate(url: str, target: str, *, down: bool = False) -> None:
    from alembic import command

    from models.db import alembic_config

    dispose_engine(url)
    with get_engine(url).begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)


def _register_at(url: str, revision: str) -> None:
    """A register migrated to REVISION holding one document ('d-ok') and one obligation ('o-old')."""
    from sqlalchemy import text

    _migrate(url, revision)
    with get_engine(url).begin() as conn:
        conn.execute(text(
            "INSERT INTO documents (id, source_file, sha256, size, pages, kind, status, errors, meta, ingested_at, "
            f"extracted_at) VALUES ('d-ok', 'a.pdf', '{0:064d}', 1, 1, 'pdf', 'ok', '[]', '{{}}', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP)"))
        conn.execute(text(_obligation_sql("o-old", "Rà soát thủ tục hành chính")))


def _check_confidence_migration(url: str) -> None:
    """A register at 0004 with a row: the upgrade adds the columns (the old row: no confidence, no
    reasons, until re-extraction), keeps the search triggers working, and goes back down cleanly."""
    import json

    from sqlalchemy import text

    from models.search import search

    def migrate(target: str, down: bool = False) -> None:
        _migrate(url, target, down=down)

    _register_at(url, "0004_outcomes")
    assert "confidence" not in _columns(url)
    dispose_engine(url)
    init_db(url)
    assert _diff(url) == []
    with get_engine(url).begin() as conn:
        conn.execute(text(_obligation_sql("o-new", "Số hóa hồ sơ lưu trữ")))
        rows = {r[0]: (r[1], r[2]) for r in conn.execute(text("SELECT id, confidence, confidence_reasons FROM obligations"))}
    assert {k: (c, json.loads(r) if isinstance(r, str) else r) for k, (c, r) in rows.items()} == \
        {"o-old": (None, []), "o-new": (None, [])}
    from models.register import open_session

    with open_session(url) as session:     # both rows reach the search index: its triggers survived
        assert [h.obligation_id for h in search(session, query="ra soat thu tuc").hits] == ["o-old"]
        assert [h.obligation_id for h in search(session, query="so hoa ho so").hits] == ["o-new"]
    migrate("0004_outcomes", down=True)
    assert not {"confidence", "confidence_reasons"} & _columns(url)
    with get_engine(url).begin() as conn:
        conn.execute(text(_obligation_sql("o-after", "Cập nhật dữ liệu dân cư")))
    dispose_engine(url)
    with open_session(url) as session:     # opening upgrades again, the search still follows
        assert [h.obligation_id for h in search(session, query="cap nhat du lieu").hits] == ["o-after"]
    assert {"confidence", "confidence_reasons"} <= _columns(url)


def test_sqlite_confidence_migration_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    try:
        _check_confidence_migration(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_confidence_migration_up_and_down(pg_empty_url):
    _check_confidence_migration(pg_empty_url)


# ---------------------------------------------------------------- 0007_unit_links

def _register_at_0004_with_units(url: str) -> None:
    """A register as the code before 0007 left it: units keyed by their case-folded name, so
    two spellings of one department are two rows, positions and cut spans are rows too."""
    from alembic import command
    from sqlalchemy import text

    from models.db import alembic_config

    eng = get_engine(url)
    with eng.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004_outcomes")
    units = [(1, "Sở Lao động - Thương binh và Xã hội"), (2, "Sở Lao động-Thương binh và Xã hội"),
             (3, "Chủ tịch Ủy ban nhân dân cấp huyện"), (4, "Đơn vị"), (5, "Công an tỉnh"), (6, "công an tỉnh ")]
    links = [("o1", 1, "lead"), ("o1", 2, "lead"), ("o2", 2, "support"), ("o2", 5, "lead"), ("o3", 3, "lead"),
             ("o4", 4, "lead"), ("o5", 6, "lead")]
    with eng.begin() as conn:
        conn.execute(text(
            "INSERT INTO documents (id, source_file, sha256, size, pages, kind, status, errors, meta, ingested_at, "
            "extracted_at) VALUES ('d', 'd.pdf', :sha, 1, 1, 'pdf', 'ok', '[]', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"sha": "0" * 64})
        for oid in ("o1", "o2", "o3", "o4", "o5"):
            conn.execute(text(
                "INSERT INTO obligations (id, document_id, ordinal, text, lead_units, support_units, targets, flags, "
                "status, corrected_fields, extracted_values, created_at, updated_at) VALUES (:id, 'd', 0, :t, '[]', "
                "'[]', '[]', '[]', 'open', '[]', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": oid, "t": f"Làm {oid}"})
        ids = {}
        for n, name in units:
            conn.execute(text("INSERT INTO units (name, aliases, key) VALUES (:n, '[]', :k)"),
                         {"n": name, "k": " ".join(name.split()).casefold() + ("~" if n == 6 else "")})
            ids[n] = conn.execute(text("SELECT max(id) FROM units")).scalar_one()
        for oid, n, role in links:
            conn.execute(text("INSERT INTO obligation_units (obligation_id, unit_id, role, position) "
                              "VALUES (:o, :u, :r, 0)"), {"o": oid, "u": ids[n], "r": role})


def _check_0004_units_upgrade(url: str) -> None:
    from sqlalchemy import text

    from extractors.keys import unit_key
    from models.owes import summary

    _register_at_0004_with_units(url)
    dispose_engine(url)
    init_db(url)
    assert _diff(url) == []
    with get_engine(url).connect() as conn:
        units = {r[0]: r[1:] for r in conn.execute(text(
            "SELECT u.name, u.kind, d.name, u.key FROM units u LEFT JOIN units d ON d.id = u.department_id"))}
        links = sorted(tuple(r) for r in conn.execute(text(
            "SELECT ou.obligation_id, u.name, ou.role FROM obligation_units ou JOIN units u ON u.id = ou.unit_id")))
    assert all(key == unit_key(name) for name, (_, _, key) in units.items())
    # the two spellings of one department, and of Công an tỉnh, are one row each; o1's doubled link is one
    assert units["Sở Lao động - Thương binh và Xã hội"][:2] == ("body", "Sở Lao động - Thương binh và Xã hội")
    assert "Sở Lao động-Thương binh và Xã hội" not in units and "công an tỉnh " not in units
    assert units["Chủ tịch Ủy ban nhân dân cấp huyện"][:2] == ("position", "Ủy ban nhân dân các huyện, thị xã, thành phố")
    assert units["Ủy ban nhân dân các huyện, thị xã, thành phố"][:2] == ("group", "Ủy ban nhân dân các huyện, thị xã, thành phố")
    assert units["Đơn vị"][:2] == ("unknown", None)
    assert links == [("o1", "Sở Lao động - Thương binh và Xã hội", "lead"), ("o2", "Công an tỉnh", "lead"),
                     ("o2", "Sở Lao động - Thương binh và Xã hội", "support"),
                     ("o3", "Chủ tịch Ủy ban nhân dân cấp huyện", "lead"), ("o4", "Đơn vị", "lead"),
                     ("o5", "Công an tỉnh", "lead")]
    from sqlalchemy.orm import Session

    with Session(get_engine(url)) as session:
        got = {r.unit: r.open for r in summary(session)}
    assert got == {"Sở Lao động - Thương binh và Xã hội": 2, "Công an tỉnh": 2,
                   "Ủy ban nhân dân các huyện, thị xã, thành phố": 1, "Chưa rõ đơn vị": 1}


def test_sqlite_register_from_before_unit_links_upgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'old-units.db'}"
    try:
        _check_0004_units_upgrade(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_register_from_before_unit_links_upgrades(pg_empty_url):
    _check_0004_units_upgrade(pg_empty_url)


# ---------------------------------------------------------------- 0010_corrections

def _check_corrections_migration(url: str) -> None:
    """A register at 0007 with a document and an obligation: the upgrade adds accepted_at, the
    document's corrected fields and document_history (old rows: nothing corrected, not accepted),
    and goes back down cleanly; opening the register upgrades it again."""
    import json

    from sqlalchemy import text

    from models.queries import accept_obligation, edit_document
    from models.register import open_session

    def migrate(target: str, down: bool = False) -> None:
        _migrate(url, target, down=down)

    def tables() -> set[str]:
        return set(inspect(get_engine(url)).get_table_names())

    _register_at(url, "0007_unit_links")
    assert "accepted_at" not in _columns(url) and "document_history" not in tables()
    dispose_engine(url)
    init_db(url)
    assert _diff(url) == []
    with get_engine(url).begin() as conn:
        fields = conn.execute(text("SELECT corrected_fields, extracted_values FROM documents")).one()
        accepted = conn.execute(text("SELECT accepted_at FROM obligations")).scalar_one()
    assert [json.loads(v) if isinstance(v, str) else v for v in fields] == [[], {}] and accepted is None
    with open_session(url) as session:
        edit_document(session, document_id="d-ok", number="12/UBND-VX", who="t")
        accept_obligation(session, obligation_id="o-old", who="t")
    migrate("0007_unit_links", down=True)
    assert "accepted_at" not in _columns(url) and "document_history" not in tables()
    assert "corrected_fields" not in {c["name"] for c in inspect(get_engine(url)).get_columns("documents")}
    dispose_engine(url)
    init_db(url)
    assert "accepted_at" in _columns(url) and "document_history" in tables()


def test_sqlite_corrections_migration_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    try:
        _check_corrections_migration(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_corrections_migration_up_and_down(pg_empty_url):
    _check_corrections_migration(pg_empty_url)


# ---------------------------------------------------------------- 0009_accounts

def _check_accounts_migration(url: str) -> None:
    """0007 -> head adds users and web_sessions (a user and a session survive); down drops them."""
    from alembic import command
    from sqlmodel import Session

    from models.accounts import add_user, session_user, start_session
    from models.db import alembic_config

    def migrate(target: str, down: bool = False) -> None:
        dispose_engine(url)
        with get_engine(url).begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, target)

    migrate("0007_unit_links")
    assert not {"users", "web_sessions"} & set(inspect(get_engine(url)).get_table_names())
    migrate("head")
    assert _diff(url) == []
    with Session(get_engine(url)) as s:
        user = add_user(s, name="Lan", role="editor", units=["Sở Tư pháp"], password="mat-khau-dai")
        assert session_user(s, start_session(s, user)).name == "Lan"
    migrate("0007_unit_links", down=True)
    assert not {"users", "web_sessions"} & set(inspect(get_engine(url)).get_table_names())
    dispose_engine(url)
    init_db(url)
    assert {"users", "web_sessions"} <= set(inspect(get_engine(url)).get_table_names())


def test_sqlite_accounts_migration_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    try:
        _check_accounts_migration(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_accounts_migration_up_and_down(pg_empty_url):
    _check_accounts_migration(pg_empty_url)


# ---------------------------------------------------------------- 0013_form_sessions

def _check_form_sessions_migration(url: str) -> None:
    """0012 -> head: a login made before stays a login; a form-only session is none (only its
    token); down to 0012 drops the form-only sessions (they would become logins) and keeps the login."""
    from alembic import command
    from sqlalchemy import text
    from sqlmodel import Session

    from models.accounts import add_user, form_token, session_user, start_session
    from models.db import alembic_config

    def migrate(target: str, down: bool = False) -> None:
        dispose_engine(url)
        with get_engine(url).begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, target)

    init_db(url)
    with Session(get_engine(url)) as s:
        user = add_user(s, name="Lan", role="admin", password="mat-khau-dai")
        login = start_session(s, user)
    migrate("0012_reminders", down=True)
    migrate("head")
    assert _diff(url) == []
    with Session(get_engine(url)) as s:
        assert session_user(s, login).name == "Lan"
        form = start_session(s, None, logged_in=False)
        assert session_user(s, form) is None and len(form_token(s, form)) == 64
    migrate("0012_reminders", down=True)
    with get_engine(url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM web_sessions")).scalar_one() == 1
    migrate("head")
    with Session(get_engine(url)) as s:
        assert session_user(s, login).name == "Lan" and form_token(s, form) is None


def test_sqlite_form_sessions_migration_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    try:
        _check_form_sessions_migration(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_form_sessions_migration_up_and_down(pg_empty_url):
    _check_form_sessions_migration(pg_empty_url)


# ---------------------------------------------------------------- 0011_unit_counts

def _check_unit_counts_migration(url: str) -> None:
    """A register with tasks brought down to 0010: the upgrade creates the counts and fills them from the
    register (the summary then answers what the scan answers); down drops them, up fills again."""
    import datetime as dt

    from alembic import command
    from sqlalchemy import text

    from models.db import alembic_config
    from models.owes import summary, summary_scan
    from models.register import ingest_processed, open_session
    from tests.conftest import build_processed

    def migrate(target: str, down: bool = False) -> None:
        dispose_engine(url)
        with get_engine(url).begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, target)

    init_db(url)
    with open_session(url) as session:
        ingest_processed(session, build_processed())
    migrate("0010_corrections", down=True)
    assert "unit_counts" not in inspect(get_engine(url)).get_table_names()
    migrate("head")
    assert _diff(url) == []
    today = dt.date(2024, 3, 20)
    with open_session(url) as session:
        n = session.execute(text("SELECT count(*) FROM unit_count_keys")).scalar_one()
        assert n >= 5
        got = summary(session, today=today)
        assert got == summary_scan(session, today=today)
        assert {r.unit: r.open for r in got}["Công an tỉnh"] == 2
    migrate("0010_corrections", down=True)
    assert not {"unit_counts", "unit_count_keys"} & set(inspect(get_engine(url)).get_table_names())
    dispose_engine(url)
    with open_session(url) as session:     # opening upgrades again and counts again
        assert summary(session, today=today) == summary_scan(session, today=today)


def test_sqlite_unit_counts_migration_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'u.db'}"
    try:
        _check_unit_counts_migration(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_unit_counts_migration_up_and_down(pg_empty_url):
    _check_unit_counts_migration(pg_empty_url)


# ---------------------------------------------------------------- 0014_unit_count_days

def _check_unit_count_days_migration(url: str) -> None:
    """A register brought down to 0012 (no day groups, no index): the upgrade's SQL makes the day
    groups a recount in Python makes, and the summary read from them equals the scan."""
    import datetime as dt
    import random

    from sqlalchemy import text

    from models import unit_counts
    from models.owes import summary, summary_scan
    from models.register import ingest_processed, open_session
    from tests.conftest import build_processed
    from tests.models.test_unit_counts import random_obligations

    init_db(url)
    rnd = random.Random(13)
    with open_session(url) as session:
        for i in range(4):
            ingest_processed(session, build_processed(name=f"d-{i}.pdf", number=f"{i + 1}/KH",
                                                      obligations=random_obligations(rnd, 15)))
        kept = unit_counts.table(session)
    assert any("|d||" in k for k in kept)
    _migrate(url, "0012_reminders", down=True)
    with get_engine(url).connect() as conn:
        assert not conn.execute(text("SELECT count(*) FROM unit_counts WHERE bucket = 'd'")).scalar_one()
        assert not conn.execute(text("SELECT count(*) FROM unit_count_keys WHERE k LIKE '%|d||%'")).scalar_one()
    _migrate(url, "head")
    assert _diff(url) == []
    with open_session(url) as session:
        assert unit_counts.table(session) == kept
        unit_counts.rebuild(session)
        session.flush()
        assert unit_counts.table(session) == kept
        for today in (dt.date(2024, 6, 15), dt.date(2024, 7, 1), dt.date(2025, 1, 31)):
            assert summary(session, today=today) == summary_scan(session, today=today)


def test_sqlite_unit_count_days_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    try:
        _check_unit_count_days_migration(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_unit_count_days_migration(pg_empty_url):
    _check_unit_count_days_migration(pg_empty_url)


# ---------------------------------------------------------------- 0015_unit_search_tokens

def _check_unit_search_tokens_migration(url: str) -> None:
    """A register brought down to 0014 (no unit tokens in the search index, no via groups, no
    documents (type) index): the upgrade indexes the links already stored and counts the via
    groups a recount makes; search with a unit and words, and the summary, answer as before."""
    import datetime as dt
    import random

    from sqlalchemy import text

    from models import unit_counts
    from models.owes import summary, summary_scan
    from models.register import ingest_processed, open_session
    from models.search import search
    from tests.conftest import build_processed
    from tests.models.test_unit_counts import UNITS, random_obligations

    init_db(url)
    rnd = random.Random(15)
    with open_session(url) as session:
        for i in range(4):
            ingest_processed(session, build_processed(name=f"t-{i}.pdf", number=f"{i + 1}/KH",
                                                      obligations=random_obligations(rnd, 15)))
        kept = unit_counts.table(session)

    def hits(session) -> dict:
        return {(q, u): [h.obligation_id for h in search(session, query=q, unit=u, limit=1000).hits]
                for q in ("nhiem vu", "du lieu", "") for u in UNITS}

    with open_session(url) as session:
        before = hits(session)
    assert sum(map(len, before.values())) > 20 and any(k.count("|") > 8 for k in kept)     # via groups kept
    _migrate(url, "0014_unit_count_days", down=True)
    assert "via" not in {c["name"] for c in inspect(get_engine(url)).get_columns("unit_counts")}
    with get_engine(url).connect() as conn:
        assert not conn.execute(text("SELECT count(*) FROM unit_counts WHERE bucket = 'v'")).scalar_one()
        if url.startswith("sqlite"):
            assert not conn.execute(text("SELECT count(*) FROM search_obligations_fts "
                                         "WHERE search_obligations_fts MATCH 'zzu1l OR zzu1s'")).scalar_one()
        else:
            assert not conn.execute(text("SELECT count(*) FROM search_obligations "
                                         "WHERE folded @@ to_tsquery('simple', 'zzu1l | zzu1s')")).scalar_one()
    _migrate(url, "head")
    assert _diff(url) == []
    with open_session(url) as session:
        assert unit_counts.table(session) == kept
        assert hits(session) == before
        for today in (dt.date(2024, 6, 15), dt.date(2025, 1, 31)):
            assert summary(session, today=today) == summary_scan(session, today=today)


def test_sqlite_unit_search_tokens_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    try:
        _check_unit_search_tokens_migration(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_unit_search_tokens_migration(pg_empty_url):
    _check_unit_search_tokens_migration(pg_empty_url)


# ---------------------------------------------------------------- 0016_unit_overdue_keys

def _check_unit_overdue_keys_migration(url: str) -> None:
    """A register brought down to 0015 (no indexes for the overdue list from the count keys or
    documents (source_file)): the upgrade adds them, the
    schema equals the metadata again, and a unit's overdue list, a document filter and a word
    search with filters answer as before."""
    import datetime as dt
    import random

    from models.register import ingest_processed, open_session
    from models.search import search
    from tests.conftest import build_processed
    from tests.models.test_unit_counts import UNITS, random_obligations

    names = {"ix_unit_count_keys_k": "unit_count_keys", "ix_unit_counts_dep_bucket_due": "unit_counts",
             "ix_documents_source_file": "documents"}
    today = dt.date(2024, 6, 15)
    init_db(url)
    rnd = random.Random(16)
    with open_session(url) as session:
        for i in range(4):
            ingest_processed(session, build_processed(name=f"u-{i}.pdf", number=f"{i + 1}/KH",
                                                      obligations=random_obligations(rnd, 15)))

    def answers(session) -> dict:
        asks = [{"unit": u, "overdue": True} for u in UNITS] + [{"document": "u-2.pdf"}, {"document": "3/KH"}] + \
            [{"query": "nhiem vu", "status": "open"}, {"query": "du lieu", "due_from": dt.date(2024, 3, 1)},
             {"query": "nhiem vu", "unit": "Công an tỉnh", "overdue": True}]
        return {str(a): [(h.obligation_id, h.overdue) for h in search(session, today=today, limit=1000, **a).hits]
                for a in asks}

    with open_session(url) as session:
        before = answers(session)
    assert sum(map(len, before.values())) > 20

    def indexes() -> set:
        return {i["name"] for t in set(names.values()) for i in inspect(get_engine(url)).get_indexes(t)}

    assert set(names) <= indexes()
    _migrate(url, "0015_unit_search_tokens", down=True)
    assert not set(names) & indexes()
    _migrate(url, "head")
    assert set(names) <= indexes()
    assert _diff(url) == []
    with open_session(url) as session:
        assert answers(session) == before


def test_sqlite_unit_overdue_keys_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'o.db'}"
    try:
        _check_unit_overdue_keys_migration(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_unit_overdue_keys_migration(pg_empty_url):
    _check_unit_overdue_keys_migration(pg_empty_url)


# ---------------------------------------------------------------- 0017_search_filter_columns

def _check_search_filter_columns_migration(url: str) -> None:
    """A register brought down to 0016 (PostgreSQL: search rows without the task's fields): the
    upgrade copies every task's status, deadline fields and document into its search row, the
    schema equals the metadata again, and word searches with filters answer as before (SQLite:
    nothing to do, the same answers)."""
    import datetime as dt
    import random

    from sqlalchemy import text

    from models.register import ingest_processed, open_session
    from models.search import SEARCH_ROW_COLUMNS, search
    from tests.conftest import build_processed
    from tests.models.test_unit_counts import random_obligations

    today = dt.date(2024, 6, 15)
    init_db(url)
    rnd = random.Random(17)
    with open_session(url) as session:
        for i in range(4):
            ingest_processed(session, build_processed(name=f"f-{i}.pdf", number=f"{i + 1}/KH",
                                                      obligations=random_obligations(rnd, 15)))

    def answers(session) -> dict:
        asks = [{"status": "open"}, {"overdue": True}, {"due_from": dt.date(2024, 3, 1), "due_to": dt.date(2024, 12, 31)},
                {"overdue": True, "unit": "Công an tỉnh"}, {"status": "done", "document": "2/KH"}]
        return {(q, str(a)): [(h.obligation_id, h.exact, h.overdue) for h in search(
            session, query=q, today=today, limit=1000, **a).hits] for q in ("nhiem vu", "dữ liệu") for a in asks}

    def columns() -> set:
        return {c["name"] for c in inspect(get_engine(url)).get_columns("search_obligations")}

    pg = not url.startswith("sqlite")
    with open_session(url) as session:
        before = answers(session)
    assert sum(map(len, before.values())) > 20
    assert (set(SEARCH_ROW_COLUMNS) <= columns()) == pg
    _migrate(url, "0016_unit_overdue_keys", down=True)
    assert not set(SEARCH_ROW_COLUMNS) & columns()
    _migrate(url, "head")
    assert (set(SEARCH_ROW_COLUMNS) <= columns()) == pg
    assert _diff(url) == []
    with open_session(url) as session:
        assert answers(session) == before
        if pg:
            cols = ", ".join(SEARCH_ROW_COLUMNS)
            tasks = {r[0]: tuple(r[1:]) for r in session.execute(text(f"SELECT id, {cols} FROM obligations"))}
            assert {r[0]: tuple(r[1:]) for r in session.execute(text(
                f"SELECT item_id, {cols} FROM search_obligations"))} == tasks
            # and the words and unit tokens are still there: the index answers as the rows say
            assert session.execute(text("SELECT count(*) FROM search_obligations "
                                        "WHERE folded @@ to_tsquery('simple', 'nhiem & vu')")).scalar_one() == 60


def test_sqlite_search_filter_columns_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    try:
        _check_search_filter_columns_migration(url)
    finally:
        dispose_engine(url)


@pytest.mark.postgres
def test_postgres_search_filter_columns_migration(pg_empty_url):
    _check_search_filter_columns_migration(pg_empty_url)


def test_sqlite_migration_lock_leaves_no_file(tmp_path, monkeypatch):
    """The lock that lets one process migrate a fresh register is removed after it."""
    import tempfile

    locks = tmp_path / "tmp"
    locks.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(locks))
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    try:
        init_db(url)
        assert list(locks.iterdir()) == []
    finally:
        dispose_engine(url)


def test_sqlite_migration_lock_serialises_opens(tmp_path):
    """Four processes open one fresh register at once: each finds it migrated, none fails."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    code = "import sys; from models.db import init_db; init_db(sys.argv[1]); print('ok')"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert outs == ["ok"] * 4 and [p.returncode for p in procs] == [0] * 4
