"""Owes, summary and the report writers (XLSX, ICS, PDF, HTML) on a small register."""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess

import pytest

import staff_register as sr
from tests.tools import require_program


def test_owes_one_unit_overdue_first_then_due(register):
    from models.owes import owes

    session, _ = register
    [group] = owes(session, unit="Công an tỉnh", today=sr.TODAY)
    assert group.unit == "Công an tỉnh"
    assert [i.text[:20] for i in group.items] == [
        "Triển khai định danh", "Cấp tài khoản định d", "Tổ chức hòa giải ở c"]
    assert [i.overdue for i in group.items] == [True, False, False]
    assert [i.role for i in group.items] == ["lead", "lead", "support"]
    first = group.items[0]
    assert first.document_number == "45/KH-UBND" and first.ref == "PL.1" and first.page == 1
    assert first.source_label == "Kế hoạch số 45/KH-UBND, mục PL.1, tr. 1"


def test_owes_recurring_with_next_occurrence_and_group(register):
    from models.owes import owes

    session, _ = register
    [group] = owes(session, unit="UBND huyện Tuy Phước", today=sr.TODAY)
    assert group.unit == "Ủy ban nhân dân huyện Tuy Phước"
    monthly = [i for i in group.items if i.recurrence == "monthly"]
    assert len(monthly) == 1
    assert monthly[0].next_due == dt.date(2025, 1, 22)
    assert monthly[0].via_group == "Ủy ban nhân dân các huyện, thị xã, thành phố"
    assert monthly[0].deadline_label == "Ngày 22 hằng tháng (kỳ tới: 22/01/2025)"
    assert group.items[0].overdue and group.items[0].due == dt.date(2025, 1, 10)
    # after the 22nd the monthly report is overdue for this month, and comes first
    [later] = owes(session, unit="UBND huyện Tuy Phước", today=dt.date(2025, 1, 25))
    assert [(i.text[:9], i.overdue) for i in later.items] == [("Hướng dẫn", True), ("Báo cáo k", True)]
    missed = next(i for i in later.items if i.recurrence == "monthly")
    assert missed.next_due == dt.date(2025, 1, 22)          # the missed day counts, not February's
    assert missed.deadline_label == "Ngày 22 hằng tháng (hạn kỳ này: 22/01/2025)"


def test_owes_range_and_all_units(register):
    from models.owes import owes

    session, _ = register
    [g] = owes(session, unit="Công an tỉnh", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), today=sr.TODAY)
    assert [i.text[:13] for i in g.items] == ["Cấp tài khoản"]
    groups = owes(session, today=sr.TODAY)
    assert [g.unit for g in groups] == [
        "Công an tỉnh", "Sở Tư pháp", "Sở Y tế", "Ủy ban nhân dân huyện Tuy Phước", "Sở Văn hóa và Thể thao",
        "Ủy ban nhân dân các huyện, thị xã, thành phố", "Văn phòng Ủy ban nhân dân tỉnh"]
    yte = next(g for g in groups if g.unit == "Sở Y tế")
    assert [i.text[:8] for i in yte.items] == ["Nâng cao"]   # the done task is not owed


def test_summary(register):
    from models.owes import summary

    session, _ = register
    rows = {r.unit: r for r in summary(session, today=sr.TODAY)}
    assert (rows["Công an tỉnh"].open, rows["Công an tỉnh"].overdue) == (3, 1)
    assert (rows["Sở Y tế"].open, rows["Sở Y tế"].done, rows["Sở Y tế"].overdue) == (1, 1, 1)
    assert rows["Ủy ban nhân dân các huyện, thị xã, thành phố"].due_soon == 1   # the 22nd


def _groups(session):
    from models.owes import owes
    return owes(session, today=sr.TODAY)


def test_xlsx_one_sheet_per_unit(register, tmp_path):
    from openpyxl import load_workbook
    from app.reports import XLSX_COLUMNS, write

    session, _ = register
    groups = _groups(session)
    path = write(groups, "xlsx", tmp_path / "o.xlsx")
    wb = load_workbook(path)
    # one sheet per unit, in the list's order; Excel's 31-character limit cuts the group's name
    assert wb.sheetnames == ["Công an tỉnh", "Sở Tư pháp", "Sở Y tế", "Ủy ban nhân dân huyện Tuy Phước",
                             "Sở Văn hóa và Thể thao", "Ủy ban nhân dân các huyện, thị", "Văn phòng Ủy ban nhân dân tỉnh"]
    ws = wb[wb.sheetnames[0]]
    assert [c.value for c in ws[3]] == XLSX_COLUMNS == [
        "STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Tình trạng", "Văn bản giao"]
    assert ws.cell(4, 1).value == 1


def test_sheet_names_are_unique_and_short():
    from app.reports import sheet_names

    names = sheet_names(["Ủy ban nhân dân các huyện, thị xã, thành phố"] * 3 + ["Sở A/B [x]", ""])
    assert names == ["Ủy ban nhân dân các huyện, thị", "Ủy ban nhân dân các huyện, (2)", "Ủy ban nhân dân các huyện, (3)",
                     "Sở A B x", "Không rõ đơn vị"]
    assert max(len(n) for n in names) == 30


def test_ics_events_and_rrule(register, tmp_path):
    from icalendar import Calendar
    from app.reports import write

    session, _ = register
    path = write(_groups(session), "ics", tmp_path / "o.ics")
    cal = Calendar.from_ical(path.read_bytes())
    events = list(cal.walk("VEVENT"))
    uids = [str(e["uid"]) for e in events]
    assert len(uids) == len(set(uids))
    monthly = [e for e in events if "rrule" in e]
    assert len(monthly) == 1
    rule = monthly[0]["rrule"]
    assert rule["FREQ"] == ["MONTHLY"] and rule["BYMONTHDAY"] == [22]
    assert monthly[0].decoded("dtstart") == dt.date(2025, 1, 22)
    # "Thường xuyên" has no date: no event
    assert not any("hòa nhập" in str(e["summary"]) for e in events)


@pytest.mark.slow
def test_pdf_renders_vietnamese(register, tmp_path):
    from app.reports import write

    session, _ = register
    path = write(_groups(session), "pdf", tmp_path / "o.pdf", title="DANH MỤC NHIỆM VỤ")
    assert path.read_bytes()[:5] == b"%PDF-"
    pdftotext, pdftoppm = require_program("pdftotext"), require_program("pdftoppm")
    txt = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Nội dung nhiệm vụ" in txt and "Công an tỉnh" in txt and "Quá hạn" in txt
    subprocess.run([pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True)
    assert [p.name for p in tmp_path.glob("p*.png")] == ["p-1.png"]


def test_html_report_escapes(register):
    from app.reports import render_html

    session, _ = register
    html = render_html(_groups(session), title="T")
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_cli_owes_writes_files(register, tmp_path, monkeypatch):
    from typer.testing import CliRunner
    from app.cli import app

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["owes", "--unit", "Công an tỉnh", "--format", "xlsx"])
    assert r.exit_code == 0, r.output
    [written] = (tmp_path / "outputs").iterdir()
    assert re.fullmatch(r"nhiem-vu-cong-an-tinh-\d{4}-\d\d-\d\d\.xlsx", written.name)
    assert r.output == f"wrote outputs/{written.name} (3 tasks, 1 units)\n"
    r = CliRunner().invoke(app, ["owes", "--from", "32/13/2024"])
    assert (r.exit_code, r.output) == (2, "error: --from '32/13/2024' is not a date (use YYYY-MM-DD or dd/mm/yyyy)\n")
    r = CliRunner().invoke(app, ["owes", "--format", "doc"])
    assert (r.exit_code, r.output) == (2, "error: unknown format 'doc': use table, html, xlsx, pdf, ics, json\n")
    r = CliRunner().invoke(app, ["search", "dinh danh", "--json"])
    assert r.exit_code == 0
    assert json.loads(r.output)["total"] == 3
