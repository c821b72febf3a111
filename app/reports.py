"""Report writers over plain rows (models/owes_rows.py): XLSX, PDF, ICS and HTML.

Each writer takes a list of `UnitOwes` (one group per department, as models.owes lists them,
the tasks no department owes last, as "Chưa rõ đơn vị") and writes one file.  The
heavy libraries (openpyxl, reportlab, icalendar, and Jinja through app.web.templating) are
imported inside the writer that needs them: `chidao owes` imports this module for every format.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Iterable, Optional

from models.cells import put_cell
from models.owes_rows import OwesItem, UnitOwes, vn_date
from models.search_query import fold_key

FORMATS = ("table", "html", "xlsx", "pdf", "ics", "json")


def default_path(fmt: str, unit: Optional[str] = None, outdir: str | Path = "outputs") -> Path:
    """outputs/nhiem-vu-<unit>-<date>.<fmt>: ASCII file name, safe on every office PC."""
    stem = "nhiem-vu"
    if unit:
        stem += "-" + (re.sub(r"[^a-z0-9]+", "-", fold_key(unit)).strip("-")[:60] or "don-vi")
    stem += "-" + dt.date.today().isoformat()
    return Path(outdir) / f"{stem}.{fmt}"


def write(groups: list[UnitOwes], fmt: str, path: str | Path, *, title: str = "", today: Optional[dt.date] = None,
          settings=None) -> Path:
    """GROUPS in FORMAT at PATH.  `settings` (flows/settings.py, or the quick commands' subset):
    the office, place and signer the PDF prints."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        write_xlsx(groups, path, today=today)
    elif fmt == "pdf":
        from app.reports_pdf import Heading, write_pdf

        write_pdf(groups, path, title=title, today=today, heading=Heading.from_settings(settings))
    elif fmt == "ics":
        write_ics(groups, path, today=today)
    elif fmt == "html":
        path.write_text(render_html(groups, title=title, today=today), encoding="utf-8")
    elif fmt == "json":
        data = [{"unit": g.unit, "items": [i.to_dict() for i in g.items]} for g in groups]
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        raise ValueError(f"unknown report format {fmt!r} (one of: {', '.join(FORMATS[1:])})")
    return path


# ------------------------------------------------------------------ XLSX

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
SHEET_MAX = 31
INDEX_SHEET = "Tổng hợp"
UNASSIGNED_SHEET = "Chưa rõ đơn vị"


def _short_forms() -> tuple[tuple[re.Pattern, str], ...]:
    """(expansion as a whole-words pattern, its abbreviation) from corpora/abbreviations.jsonl,
    the first abbreviation listed for each expansion, shortest expansion first (the least
    shortened name that fits: "Văn phòng UBND tỉnh" rather than "VPUBND tỉnh")."""
    from extractors.gazetteer import load

    first: dict[str, str] = {}
    for r in load("abbreviations.jsonl"):
        if r.get("kind") == "unit" and len(r["abbreviation"]) >= 3:    # not VP, CA, TU: too bare to read
            first.setdefault(r["expansion"], r["abbreviation"])
    return tuple((re.compile(r"(?<!\w)" + re.escape(e) + r"(?!\w)", re.IGNORECASE), a)
                 for e, a in sorted(first.items(), key=lambda kv: len(kv[0])))


def short_unit_name(name: str, room: int = SHEET_MAX) -> str:
    """A department's name in at most ROOM characters: as it is when it fits, else with the
    abbreviations of corpora/abbreviations.jsonl ("Ủy ban nhân dân" → "UBND"), else cut at a
    word with "…"."""
    name = " ".join(_SHEET_BAD.sub(" ", name or "").split()).strip("'")
    if len(name) <= room:
        return name
    for rx, abbr in _short_forms():
        name = rx.sub(abbr, name)
        if len(name) <= room:
            return name
    cut = name[: room - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;-") + "…"


def sheet_names(units: Iterable[str]) -> list[str]:
    """Excel sheet names, in order: "01 Công an tỉnh", "02 UBND các huyện, thị xã, thành phố"
    (≤ 31 characters, none of []:*?/\\; the number is the row of the index sheet, so names are
    unique); the tasks no department owes on "Chưa rõ đơn vị"."""
    from models.departments import UNASSIGNED

    out: list[str] = []
    n = 0
    for unit in units:
        if unit == UNASSIGNED:
            out.append(UNASSIGNED_SHEET)
            continue
        n += 1
        prefix = f"{n:02d} "
        out.append(prefix + (short_unit_name(unit, SHEET_MAX - len(prefix)) or "Đơn vị"))
    return out


# What a department's sheet holds; the last two columns are for the department to fill in.
XLSX_COLUMNS = [
    "STT", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Vai trò", "Đơn vị chủ trì", "Đơn vị phối hợp", "Hạn",
    "Thời hạn ghi trong văn bản", "Tình trạng", "Văn bản giao", "Kết quả thực hiện", "Tình trạng (đơn vị cập nhật)",
]
_XLSX_WIDTHS = [6, 18, 60, 14, 26, 26, 12, 24, 18, 30, 40, 18]
DATE_COLUMN = XLSX_COLUMNS.index("Hạn") + 1
STATUS_COLUMN = XLSX_COLUMNS.index("Tình trạng") + 1
# The columns the PDF and HTML lists show.
TABLE_COLUMNS = [
    "STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Tình trạng", "Văn bản giao",
]


def table_row(n: int, item: OwesItem) -> list:
    """A row of TABLE_COLUMNS."""
    return [n, item.text, "; ".join(item.lead_units), "; ".join(item.support_units), item.deadline_label,
            item.status_label, item.source_label]


def role_label(item: OwesItem) -> str:
    from models.owes_rows import ROLE_LABELS

    role = ROLE_LABELS.get(item.role, item.role)
    return f"{role} (qua {item.via_group})" if item.via_group else role


def xlsx_row(n: int, item: OwesItem) -> list:
    """A row of XLSX_COLUMNS: the due date (a recurring task's date that counts) as a date cell."""
    return [n, item.obligation_id, item.text, role_label(item), "; ".join(item.lead_units),
            "; ".join(item.support_units), item.next_due or item.due, item.deadline_label, item.status_label,
            item.source_label, "", ""]


def write_xlsx(groups: list[UnitOwes], path: str | Path, *, today: Optional[dt.date] = None) -> Path:
    """One sheet per department (and "Chưa rõ đơn vị"), after an index sheet that links to each:
    real date cells, an autofilter, a frozen header, the task id, and the columns the department
    fills in ("Kết quả thực hiện", "Tình trạng (đơn vị cập nhật)")."""
    from openpyxl import Workbook

    wb = Workbook()
    index = wb.active
    index.title = INDEX_SHEET
    groups = groups or [UnitOwes(unit="Không có nhiệm vụ")]
    names = sheet_names(g.unit for g in groups)
    for group, name in zip(groups, names):
        _unit_sheet(wb.create_sheet(title=name), group)
    _index_sheet(index, groups, names, today or dt.date.today())
    wb.save(path)
    return Path(path)


def _xlsx_styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    return {"border": Border(left=thin, right=thin, top=thin, bottom=thin), "bold": Font(bold=True),
            "fill": PatternFill("solid", fgColor="DDE6F0"), "title": Font(bold=True, size=13),
            "head": Alignment(horizontal="center", vertical="center", wrap_text=True),
            "top": Alignment(vertical="top", wrap_text=True), "red": Font(bold=True, color="B00020"),
            "link": Font(color="0563C1", underline="single"), "fill_in": PatternFill("solid", fgColor="FFF8DC")}


def _link(cell, sheet: str, st: dict) -> None:
    """A link to another sheet of the workbook (a location, not an external address)."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1")
    cell.font = st["link"]


def _header(ws, row: int, columns: list[str], st: dict) -> None:
    for col, title in enumerate(columns, 1):
        cell = ws.cell(row=row, column=col, value=title)
        cell.font, cell.fill, cell.alignment, cell.border = st["bold"], st["fill"], st["head"], st["border"]


def _unit_sheet(ws, group: UnitOwes, header_row: int = 3) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from models.owes_rows import STATUS_LABELS

    st = _xlsx_styles()
    put_cell(ws, 1, 1, f"DANH MỤC NHIỆM VỤ — {group.label}").font = st["title"]
    back = ws.cell(row=2, column=1, value=f"← {INDEX_SHEET}")
    _link(back, INDEX_SHEET, st)
    ws.cell(row=2, column=3, value=group.count_label)
    _header(ws, header_row, XLSX_COLUMNS, st)
    fill_in = (len(XLSX_COLUMNS) - 1, len(XLSX_COLUMNS))
    for n, item in enumerate(group.items, 1):
        row = header_row + n   # not ws.max_row / ws[row]: each scans every cell, quadratic on a 1,000-task list
        for col, value in enumerate(xlsx_row(n, item), 1):
            cell = put_cell(ws, row, col, value)
            cell.alignment, cell.border = st["top"], st["border"]
            if col in fill_in:
                cell.fill = st["fill_in"]
        ws.cell(row=row, column=DATE_COLUMN).number_format = "DD/MM/YYYY"
        if item.overdue:
            ws.cell(row=row, column=STATUS_COLUMN).font = st["red"]
    last = header_row + max(len(group.items), 1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(XLSX_COLUMNS))}{last}"
    choices = DataValidation(type="list", formula1='"' + ",".join(STATUS_LABELS.values()) + '"', allow_blank=True)
    ws.add_data_validation(choices)
    choices.add(f"{get_column_letter(fill_in[1])}{header_row + 1}:{get_column_letter(fill_in[1])}{last}")
    for i, w in enumerate(_XLSX_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = f"D{header_row + 1}"
    _print_setup(ws, f"{header_row}:{header_row}")


def _print_setup(ws, title_rows: str) -> None:
    ws.print_title_rows = title_rows
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


INDEX_COLUMNS = ["STT", "Đơn vị", "Trang tính", "Số nhiệm vụ", "Giao trực tiếp", "Qua nhóm", "Quá hạn", "Hạn gần nhất"]


def _index_sheet(ws, groups: list[UnitOwes], names: list[str], today: dt.date) -> None:
    """The first sheet: per department its counts and a link to its sheet."""
    from openpyxl.utils import get_column_letter

    st = _xlsx_styles()
    ws.cell(row=1, column=1, value="TỔNG HỢP NHIỆM VỤ THEO ĐƠN VỊ").font = st["title"]
    total = sum(len(g.items) for g in groups)
    ws.cell(row=2, column=1, value=f"Lập ngày {vn_date(today)}: {len(groups)} danh sách, {total} dòng nhiệm vụ")
    _header(ws, 3, INDEX_COLUMNS, st)
    for n, (g, name) in enumerate(zip(groups, names), 1):
        dates = [i.next_due or i.due for i in g.items if not i.overdue and (i.next_due or i.due)]
        values = [n, g.label, name, len(g.items), len(g.own), len(g.through_groups), g.overdue,
                  min(dates) if dates else None]
        for col, value in enumerate(values, 1):
            cell = put_cell(ws, 3 + n, col, value)
            cell.border, cell.alignment = st["border"], st["top"]
        link = ws.cell(row=3 + n, column=3)
        _link(link, name, st)
        ws.cell(row=3 + n, column=8).number_format = "DD/MM/YYYY"
    ws.auto_filter.ref = f"A3:{get_column_letter(len(INDEX_COLUMNS))}{3 + max(len(groups), 1)}"
    for i, w in enumerate([6, 50, 32, 12, 12, 10, 10, 14], 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A4"
    _print_setup(ws, "3:3")


# ------------------------------------------------------------------ ICS

# The months a period's deadline falls in (models/dates.py: the period's last month).
_PERIOD_MONTHS = {"quarterly": [3, 6, 9, 12], "halfyearly": [6, 12], "yearly": [12]}
_BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
ALARM_DAYS = (7, 1)


def _month_day(day: Optional[int]) -> dict:
    """BYMONTHDAY for "day DAY of the month, or its last day when shorter" (models/dates.py
    clamps the same way): the last day is -1; the 29th/30th the last of 28..DAY that exists."""
    if not day or day >= 31:
        return {"bymonthday": [-1]}
    if day >= 29:
        return {"bymonthday": list(range(28, day + 1)), "bysetpos": [-1]}
    return {"bymonthday": [day]}


def rrule_for(item: OwesItem) -> Optional[dict]:
    """The RRULE of a recurring task, with the register's periods (models/dates.py): weekly on
    `day` (Sunday when not stated); monthly on `day` or the month's last day; quarterly, half-yearly
    and yearly in the period's last month; ending on the task's end date, if any."""
    rec = item.recurrence or ""
    if rec == "weekly":
        rule: dict = {"freq": "weekly", "byday": [_BYDAY.get(item.day or 7, "SU")]}
    elif rec == "monthly":
        rule = {"freq": "monthly", **_month_day(item.day)}
    elif rec in _PERIOD_MONTHS:
        rule = {"freq": "yearly" if rec == "yearly" else "monthly", "bymonth": _PERIOD_MONTHS[rec], **_month_day(item.day)}
    else:
        return None
    if item.due and item.next_due and item.due >= item.next_due:
        rule["until"] = item.due
    return rule


def calendar_counts(groups: list[UnitOwes]) -> tuple[int, int]:
    """(tasks with a date to put in a calendar, tasks without: "Thường xuyên", a deadline not
    read as a date, none), each task once."""
    dated: set[str] = set()
    undated: set[str] = set()
    for g in groups:
        for i in g.items:
            (dated if (i.next_due or i.due) else undated).add(i.obligation_id)
    return len(dated), len(undated - dated)


def write_ics(groups: list[UnitOwes], path: str | Path, *, today: Optional[dt.date] = None) -> Path:
    """Every task with a date: an all-day event on it (a recurring task from its date that counts,
    with its RRULE), reminders 7 days and 1 day before; an overdue task also an event today,
    "[Quá hạn] …", so that it is seen."""
    from icalendar import Calendar

    today = today or dt.date.today()
    cal = Calendar()
    cal.add("prodid", "-//chidao//so theo doi nhiem vu//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Thời hạn nhiệm vụ")
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    seen: set[str] = set()
    for group in groups:
        for item in group.items:
            when = item.next_due or item.due
            if when is None or item.obligation_id in seen:
                continue   # "Thường xuyên" and "theo lộ trình" have no date to put in a calendar
            seen.add(item.obligation_id)
            for ev in _task_events(item, group.unit, when, stamp, today):
                cal.add_component(ev)
    Path(path).write_bytes(cal.to_ical())
    return Path(path)


def _summary(text: str, prefix: str = "") -> str:
    room = 120 - len(prefix)
    return prefix + (text if len(text) <= room else text[: room - 3].rstrip() + "…")


def _description(item: OwesItem) -> str:
    return "\n".join([item.text, "",
                      f"Đơn vị chủ trì: {'; '.join(item.lead_units) or '—'}",
                      f"Đơn vị phối hợp: {'; '.join(item.support_units) or '—'}",
                      f"Thời hạn: {item.deadline_label}",
                      f"Tình trạng: {item.status_label}",
                      f"Văn bản giao: {item.source_label}",
                      f"Mã nhiệm vụ: {item.obligation_id} (xem: chidao show {item.obligation_id})"])


def _event(item: OwesItem, unit: str, on: dt.date, stamp, *, uid: str, summary: str):
    """An all-day event ON, describing ITEM."""
    from icalendar import Event

    ev = Event()
    ev.add("uid", f"{uid}@chidao")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", on)
    ev.add("dtend", on + dt.timedelta(days=1))
    ev.add("summary", summary)
    ev.add("description", _description(item))
    ev.add("categories", [unit])
    return ev


def _task_events(item: OwesItem, unit: str, when: dt.date, stamp, today: dt.date) -> list:
    """The task's event on its date (its RRULE, its reminders); an overdue task's event today."""
    from icalendar import Alarm

    ev = _event(item, unit, when, stamp, uid=item.obligation_id,
                summary=_summary(item.text, "[Quá hạn] " if item.overdue else ""))
    rule = rrule_for(item)
    if rule:
        ev.add("rrule", rule)
    for days in ALARM_DAYS:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", dt.timedelta(days=-days))
        alarm.add("description", f"Còn {days} ngày đến hạn: {_summary(item.text)}")
        ev.add_component(alarm)
    if not item.overdue:
        return [ev]
    return [ev, _event(item, unit, today, stamp, uid=f"{item.obligation_id}-qua-han",
                       summary=_summary(item.text, f"[Quá hạn từ {vn_date(when)}] "))]


# ------------------------------------------------------------------ HTML

def render_html(groups: list[UnitOwes], *, title: str = "", today: Optional[dt.date] = None) -> str:
    """A standalone page (inline CSS) to attach to an e-mail or print from a browser."""
    from app.web.templating import environment

    return environment().get_template("report.html").render(
        groups=groups, title=title or "Danh mục nhiệm vụ được giao", today=today or dt.date.today(),
        columns=TABLE_COLUMNS, vn_date=vn_date,
    )
