"""Staff edits: status, corrections, history; bad input is one clear error and nothing written."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from models.db import RegisterError
from models.queries import edit_obligation, get_obligation, history, list_obligations, set_status
from models.register import ingest_processed, open_session
from models.tables import StatusHistory


@pytest.fixture
def seeded(db_url, make_processed):
    with open_session(db_url) as s:
        ingest_processed(s, make_processed())
        return [o.id for o in list_obligations(s)]


def _state(db_url):
    with open_session(db_url) as s:
        obs = [(o.id, o.status, o.note, o.lead_units, o.support_units, o.deadline_due, o.text, tuple(o.corrected_fields))
               for o in list_obligations(s)]
        n = s.execute(select(func.count()).select_from(StatusHistory)).scalar_one()
    return obs, n


def test_status_and_history(db_url, seeded):
    with open_session(db_url) as s:
        set_status(s, obligation_id=seeded[0][:6], status="in progress", who="a")
        o = set_status(s, obligation_id=seeded[0], status="done", note="Xong  đợt 1", who="b",
                       today=dt.date(2024, 5, 2))
        assert o.status == "done" and o.note == "Xong đợt 1" and o.last_done_on == dt.date(2024, 5, 2)
        h = history(s, obligation_id=seeded[0])
        assert [(x.previous_status, x.status, x.who) for x in h] == [("open", "in_progress", "a"), ("in_progress", "done", "b")]
        assert h[1].note == "Xong đợt 1"


def test_edit_records_changes(db_url, seeded):
    with open_session(db_url) as s:
        o = edit_obligation(s, obligation_id=seeded[1], lead_units=["Sở Tư pháp", "sở tư  pháp"],
                            support_units=["Công an tỉnh"], deadline_due=dt.date(2024, 6, 30), who="c")
        assert o.lead_units == ["Sở Tư pháp"] and o.corrected_fields == ["lead_units", "support_units", "deadline_due"]
        [h] = history(s, obligation_id=seeded[1])
        assert h.kind == "edit" and h.changes["deadline_due"] == [None, "2024-06-30"]
        o = edit_obligation(s, obligation_id=seeded[1], clear=["support_units"])
        assert o.support_units == []


@pytest.mark.parametrize("call, message", [
    (lambda s, i: set_status(s, obligation_id="ffffffffffffffff", status="done"), "unknown obligation id 'ffffffffffffffff'"),
    (lambda s, i: set_status(s, obligation_id=i, status="finished"),
     "invalid status 'finished': use one of open, in_progress, done, cancelled"),
    (lambda s, i: edit_obligation(s, obligation_id=i, deadline_due="30/02/2024"),
     "invalid due date '30/02/2024': expected YYYY-MM-DD"),
    (lambda s, i: edit_obligation(s, obligation_id=i, deadline_due="next week"),
     "invalid due date 'next week': expected YYYY-MM-DD"),
    (lambda s, i: edit_obligation(s, obligation_id=i, lead_units=["Sở Tư pháp", "  "]), "empty unit name in lead units"),
    (lambda s, i: edit_obligation(s, obligation_id=i, support_units=[""]), "empty unit name in support units"),
    (lambda s, i: edit_obligation(s, obligation_id=i, text="   "), "empty text: an obligation needs its instruction"),
    (lambda s, i: edit_obligation(s, obligation_id=i, deadline_recurrence="daily"),
     "invalid recurrence 'daily': use one of ongoing, weekly, monthly, quarterly, halfyearly, yearly"),
    (lambda s, i: edit_obligation(s, obligation_id=i, deadline_day=40), "invalid day 40: expected 1..31 (1..7 for a weekday)"),
    (lambda s, i: edit_obligation(s, obligation_id=i, clear=["status"]),
     "cannot clear 'status': clearable fields are lead_units, support_units, deadline_raw, deadline_due, "
     "deadline_recurrence, deadline_day, output, targets"),
    (lambda s, i: edit_obligation(s, obligation_id=i), "nothing to change: give at least one field"),
])
def test_bad_input_writes_nothing(db_url, seeded, call, message):
    before = _state(db_url)
    with open_session(db_url) as s:
        with pytest.raises(RegisterError) as err:
            call(s, seeded[0])
    assert str(err.value) == message
    assert _state(db_url) == before


def _cli(*args):
    from app.cli import app

    # wide enough that rich never wraps a table row
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def _table_rows(output: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in output.splitlines() if line.startswith("│")]


def test_cli_status_edit_history(db_url, seeded):
    oid = seeded[0]
    r = _cli("status", oid, "done", "--note", "Đã hoàn thành", "--who", "vp")
    assert (r.exit_code, r.output) == (0, f"{oid}: done (Đã hoàn thành)\n")
    r = _cli("edit", oid[:8], "--lead", "Sở Tư pháp", "--support", "Sở Y tế", "--due", "2024-06-30", "--who", "vp")
    assert (r.exit_code, r.output) == (0, f"{oid}: corrected lead_units, support_units, deadline_due\n")
    r = _cli("history", oid)
    assert r.exit_code == 0
    # what, who, status, note of each entry
    assert [row[1:5] for row in _table_rows(r.output)] == [["status", "vp", "done", "Đã hoàn thành"],
                                                           ["edit", "vp", "done", ""]]
    with open_session(db_url) as s:
        o = get_obligation(s, id=oid)
        assert (o.status, o.lead_units, o.support_units, o.deadline_due) == (
            "done", ["Sở Tư pháp"], ["Sở Y tế"], dt.date(2024, 6, 30))
    r = _cli("show", oid)
    assert r.exit_code == 0
    fields = dict(line.split(None, 1) for line in r.output.splitlines() if line.strip())
    assert (fields["lead"], fields["support"], fields["deadline"], fields["status"]) == (
        "Sở Tư pháp", "Sở Y tế", "Tháng 02/2024 → 2024-06-30", "done")


@pytest.mark.parametrize("args, message", [
    (["status", "ffffffffffffffff", "done"], "unknown obligation id 'ffffffffffffffff'"),
    (["status", "{id}", "finished"], "invalid status 'finished': use one of open, in_progress, done, cancelled"),
    (["edit", "{id}", "--due", "2024-02-30"], "invalid due date '2024-02-30': expected YYYY-MM-DD"),
    (["edit", "{id}", "--lead", ""], "empty unit name in lead units"),
    (["history", "nope"], "unknown obligation id 'nope'"),
])
def test_cli_bad_input(db_url, seeded, args, message):
    before = _state(db_url)
    r = _cli(*[a.format(id=seeded[0]) for a in args])
    assert (r.exit_code, r.output) == (1, f"error: {message}\n")
    assert _state(db_url) == before


def test_cli_documents_and_reextract_missing_file(db_url, seeded):
    r = _cli("documents")
    assert r.exit_code == 0
    # file, type, number, issued, status, obligations, note
    assert [row[1:] for row in _table_rows(r.output)] == [
        ["ct-08-tu.pdf", "Chỉ thị", "08-CT/TU", "2024-03-01", "ok", "5", ""]]
    r = _cli("reextract", "--all")
    assert (r.exit_code, r.output) == (1, "ct-08-tu.pdf: cannot re-extract: stored file /nonexistent/ct-08-tu.pdf is gone\n")
