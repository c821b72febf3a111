"""The round trip of the per-department XLSX (app/reports.py write_xlsx): a department fills in
"Kết quả thực hiện" and "Tình trạng (đơn vị cập nhật)" and sends the workbook back;
`chidao import-report FILE.xlsx` reads it here.

    rows = read_report("cong-an-tinh.xlsx")           # pure: no register
    result = apply_report(session, rows, who="vp")    # statuses and reports into the history

`read_report` reads every department sheet (the index sheet "Tổng hợp" has no task id column and
is passed over): each row with a task id and something filled in becomes a ReportRow; a row whose
status label is not one of STATUS_LABELS, or that has a report but no id, is Unmatched.
`apply_report` sets each row's status through models/queries.py set_status (which writes the
history and keeps models/unit_counts.py current); the report text becomes the history note (and
the task's note).  An id the register does not hold is Unmatched.  Every reason is in Vietnamese,
with its sheet and row number, for the clerk.

A report is taken as text exactly: a formula the department typed (`=HYPERLINK(…)`) is kept as
its text, never evaluated, and written back as text by models/cells.py.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Optional

from extractors.text import collapse_ws

ID_COLUMN = "Mã nhiệm vụ"
REPORT_COLUMN = "Kết quả thực hiện"
STATUS_COLUMN = "Tình trạng (đơn vị cập nhật)"
HEADER_SCAN_ROWS = 10


@dataclass
class ReportRow:
    sheet: str
    row: int
    obligation_id: str
    status: Optional[str] = None        # a status code (open, in_progress, done, cancelled) or None: unchanged
    report: Optional[str] = None        # the department's "Kết quả thực hiện"

    @property
    def where(self) -> str:
        return f"«{self.sheet}», dòng {self.row}"


@dataclass
class Unmatched:
    sheet: str
    row: int
    obligation_id: str
    reason: str

    @property
    def where(self) -> str:
        return f"«{self.sheet}», dòng {self.row}"


@dataclass
class ReportRows:
    path: str
    rows: list[ReportRow] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    sheets: int = 0                     # department sheets read


@dataclass
class Applied:
    row: ReportRow
    previous_status: str
    status: str


@dataclass
class ImportResult:
    applied: list[Applied] = field(default_factory=list)
    unchanged: list[ReportRow] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    sheets: int = 0


def status_code(label: Any) -> Optional[str]:
    """The status code for a label from the drop-down (or a code itself); None if unknown."""
    from models.owes_rows import STATUS_LABELS

    text = collapse_ws(str(label or "")).casefold()
    by_label = {v.casefold(): k for k, v in STATUS_LABELS.items()}
    if text in by_label:
        return by_label[text]
    code = text.replace(" ", "_")
    return code if code in STATUS_LABELS else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _columns(ws) -> Optional[tuple[int, dict[str, int]]]:
    """(header row, {column title: index}) when the sheet has the task id column, else None."""
    for r, values in enumerate(ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True), 1):
        titles = {collapse_ws(str(v)): i for i, v in enumerate(values) if v is not None}
        if ID_COLUMN in titles:
            return r, titles
    return None


def _sheet_rows(ws, out: ReportRows) -> None:
    found = _columns(ws)
    if found is None:
        return
    header, cols = found
    out.sheets += 1
    get = lambda values, name: _text(values[cols[name]]) if name in cols and cols[name] < len(values) else ""
    for r, values in enumerate(ws.iter_rows(min_row=header + 1, values_only=True), header + 1):
        oid, report, label = get(values, ID_COLUMN), get(values, REPORT_COLUMN), get(values, STATUS_COLUMN)
        if not report and not label:
            continue
        if not oid:
            out.unmatched.append(Unmatched(ws.title, r, "", "Dòng không có mã nhiệm vụ"))
            continue
        status = status_code(label) if label else None
        if label and status is None:
            out.unmatched.append(Unmatched(ws.title, r, oid, f"Tình trạng «{label}» không có trong danh sách chọn"))
            continue
        out.rows.append(ReportRow(ws.title, r, oid.lower(), status, report or None))


def read_report(path: str | Path | IO[bytes]) -> ReportRows:
    """Every filled-in row of every department sheet of the workbook at PATH (or an open file)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=False)
    out = ReportRows(path=str(getattr(path, "name", path)))
    try:
        for ws in wb.worksheets:
            _sheet_rows(ws, out)
    finally:
        wb.close()
    return out


def apply_report(session, rows: ReportRows, *, who: Optional[str] = None, dry_run: bool = False,
                 today: Optional[dt.date] = None, allowed: Optional[Callable[[Any], bool]] = None) -> ImportResult:
    """Set each row's status and report (the history note) on the register; with dry_run only
    say what would change.  ALLOWED(obligation) says whether the one importing may change a task
    (the web's editor accounts: their own units' tasks only); a refused row is Unmatched."""
    from models.queries import set_status
    from models.tables import Obligation

    result = ImportResult(unmatched=list(rows.unmatched), sheets=rows.sheets)
    for row in rows.rows:
        ob = session.get(Obligation, row.obligation_id)
        if ob is None:
            result.unmatched.append(Unmatched(row.sheet, row.row, row.obligation_id,
                                              "Mã nhiệm vụ không có trong sổ theo dõi"))
            continue
        if allowed is not None and not allowed(ob):
            result.unmatched.append(Unmatched(row.sheet, row.row, row.obligation_id,
                                              "Nhiệm vụ thuộc đơn vị khác: tài khoản này không được cập nhật"))
            continue
        new = row.status or ob.status
        note = collapse_ws(row.report) if row.report else None
        if new == ob.status and (note is None or note == ob.note):
            result.unchanged.append(row)
            continue
        old = ob.status
        if not dry_run:
            set_status(session, obligation_id=ob.id, status=new, note=note, who=who, today=today)
        result.applied.append(Applied(row, old, new))
    return result


def report_lines(result: ImportResult, *, dry_run: bool = False) -> list[str]:
    """What the import changed and what it could not match, in Vietnamese, for the CLI and the web."""
    from models.owes_rows import STATUS_LABELS

    label = lambda s: STATUS_LABELS.get(s, s)
    verb = "Sẽ cập nhật" if dry_run else "Đã cập nhật"
    lines = [f"{verb} {len(result.applied)} nhiệm vụ, {len(result.unchanged)} không đổi, "
             f"{len(result.unmatched)} dòng không khớp ({result.sheets} trang đơn vị)."]
    for a in result.applied:
        change = (f"{label(a.previous_status)} → {label(a.status)}" if a.status != a.previous_status
                  else f"giữ {label(a.status)}")
        lines.append(f"  {a.row.obligation_id} ({a.row.where}): {change}" + (", có báo cáo kết quả" if a.row.report else ""))
    if result.unmatched:
        lines.append("Các dòng không khớp (chưa được cập nhật):")
        for u in result.unmatched:
            lines.append(f"  {u.where}" + (f", mã {u.obligation_id}" if u.obligation_id else "") + f": {u.reason}")
    if not result.sheets:
        lines.append("Tệp không có trang nào có cột «Mã nhiệm vụ»: có phải tệp xuất từ chidao (owes --format xlsx)?")
    return lines
