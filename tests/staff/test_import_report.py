"""The XLSX round trip: a department fills in its workbook, `chidao import-report` reads it back."""
from __future__ import annotations

import pytest

import staff_register as sr


def _filled(session, tmp_path, fill):
    """Export Công an tỉnh's workbook and fill it in with FILL(ws, {task id: row}, column of title)."""
    from openpyxl import load_workbook

    from app.reports import XLSX_COLUMNS, write
    from models.owes import owes

    path = write(owes(session, unit="Công an tỉnh", today=sr.TODAY), "xlsx", tmp_path / "ca.xlsx", today=sr.TODAY)
    wb = load_workbook(path)
    ws = wb.worksheets[1]
    col = {t: XLSX_COLUMNS.index(t) + 1 for t in XLSX_COLUMNS}
    rows = {ws.cell(row=r, column=col["Mã nhiệm vụ"]).value: r for r in range(4, ws.max_row + 1)}
    fill(ws, rows, col)
    wb.save(path)
    return path, sorted(rows)


def test_statuses_and_reports_land_in_the_history(register, tmp_path):
    from models.import_report import apply_report, read_report
    from models.queries import history
    from models.tables import Obligation

    session, _ = register
    report = "=HYPERLINK(\"http://x\",\"Đã triển khai\")"

    def fill(ws, rows, col):
        first, *rest = sorted(rows)
        ws.cell(row=rows[first], column=col["Kết quả thực hiện"], value=report)
        ws.cell(row=rows[first], column=col["Tình trạng (đơn vị cập nhật)"], value="Đã hoàn thành")
        ws.cell(row=3 + len(rows) + 1, column=col["Mã nhiệm vụ"], value="khongcoma0000000")
        ws.cell(row=3 + len(rows) + 1, column=col["Tình trạng (đơn vị cập nhật)"], value="Đang thực hiện")
        if rest:
            ws.cell(row=rows[rest[0]], column=col["Tình trạng (đơn vị cập nhật)"], value="Xong rồi")

    path, ids = _filled(session, tmp_path, fill)
    rows = read_report(path)
    before = {i: session.get(Obligation, i).status for i in ids}
    dry = apply_report(session, rows, who="vp", dry_run=True, today=sr.TODAY)
    assert [a.row.obligation_id for a in dry.applied] == [ids[0]]
    session.expire_all()
    assert {i: session.get(Obligation, i).status for i in ids} == before

    result = apply_report(session, rows, who="vp", today=sr.TODAY)
    assert [(a.row.obligation_id, a.status) for a in result.applied] == [(ids[0], "done")]
    session.expire_all()
    ob = session.get(Obligation, ids[0])
    assert ob.status == "done" and ob.note == report          # the formula stays its text
    last = history(session, obligation_id=ids[0])[-1]
    assert (last.status, last.who, last.note) == ("done", "vp", report)
    reasons = {u.obligation_id: u.reason for u in result.unmatched}
    assert "không có trong sổ" in reasons["khongcoma0000000"]
    if len(ids) > 1:
        assert "«Xong rồi»" in reasons[ids[1]]
        assert session.get(Obligation, ids[1]).status == before[ids[1]]
    assert all(u.sheet and u.row > 3 for u in result.unmatched)

    again = apply_report(session, read_report(path), who="vp", today=sr.TODAY)
    assert not again.applied and [r.obligation_id for r in again.unchanged] == [ids[0]]


def test_cli_lists_what_changed_and_what_did_not_match(register, tmp_path):
    from typer.testing import CliRunner

    from app.cli import app

    session, _ = register

    def fill(ws, rows, col):
        first = sorted(rows)[0]
        ws.cell(row=rows[first], column=col["Tình trạng (đơn vị cập nhật)"], value="Đang thực hiện")
        ws.cell(row=rows[first], column=col["Kết quả thực hiện"], value="Đã giao cán bộ theo dõi")
        ws.cell(row=3 + len(rows) + 1, column=col["Kết quả thực hiện"], value="không mã")

    path, ids = _filled(session, tmp_path, fill)
    r = CliRunner().invoke(app, ["import-report", str(path), "--who", "vp", "--dry-run"])
    assert r.exit_code == 1, r.output
    assert "Sẽ cập nhật 1 nhiệm vụ" in r.output and "Dòng không có mã nhiệm vụ" in r.output
    r = CliRunner().invoke(app, ["import-report", str(path), "--who", "vp"])
    assert r.exit_code == 1 and "Đã cập nhật 1 nhiệm vụ" in r.output
    assert f"{ids[0]}" in r.output and "Đang thực hiện" in r.output
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a workbook")
    r = CliRunner().invoke(app, ["import-report", str(bad)])
    assert r.exit_code == 1 and "không đọc được" in r.output
