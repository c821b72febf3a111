"""The fast paths of search and owes give the same answers as the plain ones.

- overdue as one SQL condition (models.search.overdue_sql) == models.dates.is_overdue, row for
  row, on SQLite and PostgreSQL (hypothesis over statuses, recurrences, days, dates);
- ranking inside a window of the newest rows == ranking the whole register;
- the sqlite3 read path (models.db.LightSession) == the SQLAlchemy session;
- `chidao search` / `owes` on a current SQLite register do not import SQLAlchemy.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import staff_register as sr

RECURRENCES = [None, "ongoing", "weekly", "monthly", "quarterly", "halfyearly", "yearly"]
STATUSES = [None, "open", "in_progress", "done", "cancelled"]
BASE = dt.date(2024, 1, 1)


def _rows(today: dt.date):
    """Rows whose days and dates sit around `today`: the boundaries are where rules differ."""
    near = st.one_of(st.none(), st.integers(-45, 45).map(lambda n: today + dt.timedelta(days=n)))
    day = st.one_of(st.none(), st.sampled_from([0, 1, 7, 28, 29, 30, 31, 35]),
                    st.integers(-2, 2).map(lambda n: today.day + n), st.integers(-1, 1).map(lambda n: today.isoweekday() + n))
    return st.lists(st.tuples(st.sampled_from(STATUSES), st.sampled_from(RECURRENCES), day, near, near, near),
                    min_size=1, max_size=30)


# month ends, quarter ends, a leap day, ordinary days
TODAYS = st.one_of(st.sampled_from([dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 6, 30),
                                    dt.date(2024, 12, 31), dt.date(2025, 6, 15), dt.date(2025, 9, 22)]),
                   st.integers(0, 3 * 366).map(lambda n: BASE + dt.timedelta(days=n)))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def scratch(request, tmp_path):
    """A connection to a scratch database with a bare `obligations` table (only the columns the
    overdue rule reads)."""
    from sqlalchemy import create_engine, text

    if request.param == "sqlite":
        eng = create_engine(f"sqlite:///{tmp_path / 'o.db'}")
        date = "DATE"
    else:
        eng = create_engine(request.getfixturevalue("pg_worker_url"))
        date = "date"
    table = f"ov_{uuid.uuid4().hex[:8]}"
    with eng.begin() as c:
        c.execute(text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, status VARCHAR(16), "
                       f"deadline_recurrence VARCHAR(16), deadline_day INTEGER, deadline_due {date}, "
                       f"deadline_start {date}, last_done_on {date})"))
    try:
        with eng.connect() as conn:
            yield conn, table
    finally:
        with eng.begin() as c:
            c.execute(text(f"DROP TABLE {table}"))
        eng.dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_overdue_sql_is_is_overdue(scratch, data):
    from sqlalchemy import text

    from models.dates import is_overdue
    from models.search import DeadlineRow, Filters, overdue_sql

    today = data.draw(TODAYS)
    rows = data.draw(_rows(today))
    conn, table = scratch
    sqlite = conn.dialect.name == "sqlite"
    iso = (lambda d: d.isoformat() if d else None) if sqlite else (lambda d: d)
    conn.execute(text(f"DELETE FROM {table}"))
    for i, (status, rec, day, due, start, done) in enumerate(rows):
        conn.execute(text(f"INSERT INTO {table} VALUES (:i, :s, :r, :d, :due, :start, :done)"),
                     {"i": i, "s": status, "r": rec, "d": day, "due": iso(due), "start": iso(start), "done": iso(done)})
    f = Filters(conn.dialect.name)
    cond = overdue_sql(f, today)
    got = {r[0] for r in conn.execute(text(f"SELECT o.id FROM {table} o WHERE {cond}"), f.params)}
    want = set()
    for i, (status, rec, day, due, start, done) in enumerate(rows):
        m = {"status": status, "deadline_recurrence": rec, "deadline_day": day, "deadline_due": due,
             "deadline_start": start, "last_done_on": done}
        if is_overdue(DeadlineRow(m), today):
            want.add(i)
    assert got == want


QUERIES = [
    ("dinh danh", {}), ("định danh", {}), ("định danh điện tử", {}), ("hoa", {}), ('"dinh danh dien tu"', {}),
    ("dinh danh", {"status": "open"}), ("bao cao", {}), ("dinh danh", {"due_from": dt.date(2024, 1, 1),
                                                                       "due_to": dt.date(2031, 1, 1)}),
    ("dinh danh", {"overdue": True}), ("dinh danh", {"type": "Kế hoạch"}), ("dinh danh", {"programme": "06/QĐ-TTg"}),
]


@pytest.mark.parametrize("limit", [1, 2, 50])
def test_window_ranking_is_whole_ranking(register, monkeypatch, limit):
    """The newest-rows window (forced on the small register, down to a window of a few rows)
    gives the same page, order and flags as ranking everything."""
    import models.search as ms

    session, _ = register

    def run(q, f):
        res = ms.search(session, query=q, today=sr.TODAY, limit=limit, **f)
        return [(h.obligation_id, h.exact) for h in res.hits]

    monkeypatch.setattr(ms, "WINDOW_MIN_ROWS", 10 ** 9)
    whole = {q + repr(f): run(q, f) for q, f in QUERIES}
    # the pages compared are not empty: hits per query at this page size
    expected_sizes = {1: [1] * 11, 2: [2, 2, 2, 2, 2, 2, 1, 2, 1, 2, 2], 50: [3, 3, 3, 2, 2, 3, 1, 3, 1, 2, 3]}[limit]
    assert [len(v) for v in whole.values()] == expected_sizes
    monkeypatch.setattr(ms, "WINDOW_MIN_ROWS", 0)
    for q, f in QUERIES:
        assert run(q, f) == whole[q + repr(f)], (q, f)


def test_light_session_answers_as_sqlalchemy(tmp_path):
    from sqlalchemy.orm import Session

    from models.db import dispose_engine, init_db, light_session
    from models.owes import owes, summary
    from models.search import search

    url = f"sqlite:///{tmp_path / 'r.db'}"
    sr.build(tmp_path / "files", url)
    light = light_session(url)
    assert light is not None
    try:
        with Session(init_db(url)) as heavy:
            for q, f in QUERIES + [("", {"unit": "Công an tỉnh"}), ("", {"overdue": True})]:
                a = search(heavy, query=q, today=sr.TODAY, **f)
                b = search(light, query=q, today=sr.TODAY, **f)
                assert [h.to_dict() for h in a.hits] == [h.to_dict() for h in b.hits], (q, f)
                assert (a.total, a.more) == (b.total, b.more)
            a, b = owes(heavy, unit="Công an tỉnh", today=sr.TODAY), owes(light, unit="Công an tỉnh", today=sr.TODAY)
            assert [i.to_dict() for i in a[0].items] == [i.to_dict() for i in b[0].items]
            assert len(a[0].items) == 3
            assert summary(heavy, today=sr.TODAY) == summary(light, today=sr.TODAY)
    finally:
        light.close()
        dispose_engine(url)


def test_light_session_only_for_a_current_sqlite_file(tmp_path):
    from models.db import light_session

    assert light_session(f"sqlite:///{tmp_path / 'missing.db'}") is None      # created by init_db instead
    assert light_session("postgresql+psycopg://u@127.0.0.1:1/x") is None
    import sqlite3

    old = tmp_path / "old.db"
    with sqlite3.connect(old) as c:   # an older schema: init_db must upgrade it first
        c.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        c.execute("INSERT INTO alembic_version VALUES ('0001_initial')")
    assert light_session(f"sqlite:///{old}") is None


def test_quick_commands_skip_sqlalchemy_and_pydantic(tmp_path):
    """On a current SQLite register `chidao search` and `owes` read through sqlite3, and their
    settings (the register URL) without pydantic."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    sr.build(tmp_path / "files", url)
    code = textwrap.dedent(f"""
        import os, sys
        os.environ["CHIDAO_DB"] = "{url}"
        from typer.testing import CliRunner
        from app.cli import app
        import json
        r = CliRunner().invoke(app, ["search", "dinh danh", "--json"])
        assert r.exit_code == 0 and json.loads(r.output)["total"] == 3, r.output
        r = CliRunner().invoke(app, ["owes", "--unit", "Công an tỉnh"], env={{"COLUMNS": "250"}})
        assert r.exit_code == 0 and "Triển khai định danh và xác thực điện tử" in r.output, r.output
        print("SQLALCHEMY", "sqlalchemy" in sys.modules, "sqlmodel" in sys.modules, "pydantic" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines()[-1] == "SQLALCHEMY False False False", out.stdout   # nor pydantic (flows/settings.py)


@pytest.mark.parametrize("query, sizes", [("", [3, 2, 2]), ("dinh danh", [3, 2, 0]), ("bao cao", [0, 0, 1])])
def test_programme_with_a_unit_is_the_intersection(register, query, sizes):
    """With a unit (few candidates) the programme rule is checked per task (bottom-up on
    SQLite, a set computed once on PostgreSQL); it agrees with the programme alone."""
    from models.search import search

    session, _ = register
    got_sizes = []
    for unit in ("Công an tỉnh", "Sở Tư pháp", "Ủy ban nhân dân huyện Tuy Phước"):
        both = {h.obligation_id for h in search(session, query=query, unit=unit, programme="06/QĐ-TTg",
                                                today=sr.TODAY, limit=1000).hits}
        got_sizes.append(len(both))
        prog = {h.obligation_id for h in search(session, query=query, programme="06/QĐ-TTg", today=sr.TODAY,
                                                limit=1000).hits}
        own = {h.obligation_id for h in search(session, query=query, unit=unit, today=sr.TODAY, limit=1000).hits}
        assert both == prog & own, (query, unit)
    assert got_sizes == sizes
