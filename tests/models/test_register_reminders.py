"""The reminders' register side (models/reminders.py): the migration up and down, which window
a task falls in, and the sent-log that makes a rerun send nothing twice."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from models.db import dispose_engine, get_engine, init_db


def _migrate(url: str, target: str, down: bool = False) -> None:
    from alembic import command

    from models.db import alembic_config

    dispose_engine(url)
    with get_engine(url).begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)


def _check_migration(url: str) -> None:
    init_db(url)
    tables = set(inspect(get_engine(url)).get_table_names())
    assert {"unit_emails", "reminders_sent"} <= tables
    with get_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO reminders_sent (unit, obligation_id, kind, due, sent_on, email) "
                          "VALUES ('Công an tỉnh', 'o1', 'due-7', '2025-03-16', '2025-03-10', 'ca@example.gov.vn')"))
        with pytest.raises(Exception):      # one reminder is logged once
            with conn.begin_nested():
                conn.execute(text("INSERT INTO reminders_sent (unit, obligation_id, kind, due, sent_on, email) VALUES "
                                  "('Công an tỉnh', 'o1', 'due-7', '2025-03-16', '2025-03-11', 'ca@example.gov.vn')"))
    _migrate(url, "0011_unit_counts", down=True)
    assert not {"unit_emails", "reminders_sent"} & set(inspect(get_engine(url)).get_table_names())
    dispose_engine(url)
    init_db(url)                            # opening upgrades again: the tables are back, empty
    with get_engine(url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reminders_sent")).scalar_one() == 0
    dispose_engine(url)


def test_sqlite_reminders_migration_up_and_down(tmp_path):
    _check_migration(f"sqlite:///{tmp_path / 'r.db'}")


@pytest.mark.postgres
def test_postgres_reminders_migration_up_and_down(pg_empty_url):
    _check_migration(pg_empty_url)


@pytest.mark.parametrize("days, expected", [
    (-1, "overdue"), (0, "due-1"), (1, "due-1"), (2, "due-3"), (3, "due-3"), (4, "due-7"), (7, "due-7"), (8, None),
])
def test_windows(days, expected):
    from models.reminders import DEFAULT_WINDOWS, window_of

    assert window_of(days, DEFAULT_WINDOWS) == expected


def test_addresses_resolve_to_the_department(db_url):
    from models.register import open_session
    from models.reminders import set_unit_email, unit_emails

    with open_session(db_url) as s:
        assert set_unit_email(s, "CA tỉnh", " ca@example.gov.vn ") == "Công an tỉnh"
        assert set_unit_email(s, "Công an tỉnh", "congan@example.gov.vn") == "Công an tỉnh"     # replaced
        with pytest.raises(ValueError, match="không phải địa chỉ thư điện tử"):
            set_unit_email(s, "Sở Tư pháp", "stp.example.gov.vn")
    with open_session(db_url) as s:
        assert unit_emails(s) == {"Công an tỉnh": "congan@example.gov.vn"}
