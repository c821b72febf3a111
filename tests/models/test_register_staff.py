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
    (lambda s, i: set_status(s, obligation_id="ffffffffffffffff", status="done"), "unknown obligation id"),
    (lambda s, i: set_status(s, obligation_id=i, status="finished"), "invalid status"),
    (lambda s, i: edit_obligation(s, obligation_id=i, deadline_due="30/02/2024"), "invalid due date"),
    (lambda s, i: edit_obligation(s, obligation_id=i, deadline_due="next week"), "invalid due date"),
    (lambda s, i: edit_obligation(s, obligation_id=i, lead_units=["Sở Tư pháp", "  "]), "empty unit name"),
    (lambda s, i: edit_obligation(s, obligation_id=i, support_units=[""]), "empty unit name"),
    (lambda s, i: edit_obligation(s, obligation_id=i, text="   "), "empty text"),
    (lambda s, i: edit_obligation(s, obligation_id=i, deadline_recurrence="daily"), "invalid recurrence"),
    (lambda s, i: edit_obligation(s, obligation_id=i, deadline_day=40), "invalid day"),
    (lambda s, i: edit_obligation(s, obligation_id=i, clear=["status"]), "cannot clear"),
    (lambda s, i: edit_obligation(s, obligation_id=i), "nothing to change"),
])
def test_bad_input_writes_nothing(db_url, seeded, call, message):
    before = _state(db_url)
    with open_session(db_url) as s:
        with pytest.raises(RegisterError, match=message):
            call(s, seeded[0])
    assert _state(db_url) == before


def _cli(*args):
    from app.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_status_edit_history(db_url, seeded):
    oid = seeded[0]
    r = _cli("status", oid, "done", "--note", "Đã hoàn thành", "--who", "vp")
    assert r.exit_code == 0, r.output
    r = _cli("edit", oid[:8], "--lead", "Sở Tư pháp", "--support", "Sở Y tế", "--due", "2024-06-30", "--who", "vp")
    assert r.exit_code == 0, r.output
    r = _cli("history", oid)
    assert r.exit_code == 0 and "Đã hoàn thành" in r.output and "edit" in r.output
    with open_session(db_url) as s:
        o = get_obligation(s, id=oid)
        assert (o.status, o.lead_units, o.support_units, o.deadline_due) == (
            "done", ["Sở Tư pháp"], ["Sở Y tế"], dt.date(2024, 6, 30))
    r = _cli("show", oid)
    assert r.exit_code == 0 and "Sở Tư pháp" in r.output


@pytest.mark.parametrize("args, message", [
    (["status", "ffffffffffffffff", "done"], "unknown obligation id"),
    (["status", "{id}", "finished"], "invalid status"),
    (["edit", "{id}", "--due", "2024-02-30"], "invalid due date"),
    (["edit", "{id}", "--lead", ""], "empty unit name"),
    (["history", "nope"], "unknown obligation id"),
])
def test_cli_bad_input(db_url, seeded, args, message):
    before = _state(db_url)
    r = _cli(*[a.format(id=seeded[0]) for a in args])
    assert r.exit_code == 1
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in r.output
    assert _state(db_url) == before


def test_cli_documents_and_reextract_missing_file(db_url, seeded):
    r = _cli("documents")
    assert r.exit_code == 0 and "ct-08-tu.pdf" in r.output
    r = _cli("reextract", "--all")
    assert r.exit_code == 1 and "is gone" in r.output
