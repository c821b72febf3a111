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


def test_open_is_idempotent_and_default_url(tmp_path, monkeypatch):
    from models.db import database_url

    monkeypatch.delenv("CHIDAO_DB", raising=False)
    assert database_url() == "sqlite:///chidao.db"
    monkeypatch.setenv("CHIDAO_DB", "postgresql://u@h/db")
    assert database_url() == "postgresql+psycopg://u@h/db"
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    init_db(url)
    dispose_engine(url)
    init_db(url)  # second open on an up-to-date register: no migration, no error
    dispose_engine(url)
