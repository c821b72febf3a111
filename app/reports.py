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

from models.owes_rows import OwesItem, UnitOwes, vn_date
from models.search_query import fold_key

XLSX_COLUMNS = [
    "STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Tình trạng", "Văn bản giao",
]
_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
FORMATS = ("table", "html", "xlsx", "pdf", "ics", "json")


def default_path(fmt: str, unit: Optional[str] = None, outdir: str | Path = "outputs") -> Path:
    """outputs/nhiem-vu-<unit>-<date>.<fmt>: ASCII file name, safe on every office PC."""
    stem = "nhiem-vu"
    if unit:
        stem += "-" + (re.sub(r"[^a-z0-9]+", "-", fold_key(unit)).strip("-")[:60] or "don-vi")
    stem += "-" + dt.date.today().isoformat()
    return Path(outdir) / f"{stem}.{fmt}"


def write(groups: list[UnitOwes], fmt: str, path: str | Path, *, title: str = "", today: Optional[dt.date] = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        write_xlsx(groups, path)
    elif fmt == "pdf":
        write_pdf(groups, path, title=title, today=today)
    elif fmt == "ics":
        write_ics(groups, path)
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


def sheet_names(units: Iterable[str]) -> list[str]:
    """Excel sheet names: ≤ 31 characters, none of []:*?/\\, unique case-insensitively."""
    out: list[str] = []
    seen: set[str] = set()
    for unit in units:
        base = _SHEET_BAD.sub(" ", unit or "Không rõ đơn vị")
        base = " ".join(base.split()).strip("'") or "Đơn vị"
        name = base[:31].rstrip()
        n = 2
        while name.casefold() in seen:
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)].rstrip() + suffix
            n += 1
        seen.add(name.casefold())
        out.append(name)
    return out


def xlsx_row(n: int, item: OwesItem) -> list:
    return [
        n,
        item.text,
        "; ".join(item.lead_units),
        "; ".join(item.support_units),
        item.deadline_label,
        item.status_label,
        item.source_label,
    ]


def write_xlsx(groups: list[UnitOwes], path: str | Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    widths = [6, 70, 28, 28, 20, 18, 32]
    if not groups:
        groups = [UnitOwes(unit="Không có nhiệm vụ")]
    for group, name in zip(groups, sheet_names(g.unit for g in groups)):
        ws = wb.create_sheet(title=name)
        ws.append([f"DANH MỤC NHIỆM VỤ — {group.label}"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([])
        ws.append(XLSX_COLUMNS)
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE6F0")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
        top = Alignment(vertical="top", wrap_text=True)
        for n, item in enumerate(group.items, 1):
            ws.append(xlsx_row(n, item))
            row = 3 + n   # not ws.max_row / ws[row]: each scans every cell, quadratic on a 1,000-task list
            for col in range(1, len(XLSX_COLUMNS) + 1):
                cell = ws.cell(row=row, column=col)
                cell.alignment = top
                cell.border = border
            if item.overdue:
                ws.cell(row=row, column=6).font = Font(bold=True, color="B00020")
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = w
        ws.freeze_panes = "A4"
        ws.print_title_rows = "3:3"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(path)
    return Path(path)


# ------------------------------------------------------------------ PDF

def _font_file(name: str) -> Path:
    for d in _FONT_DIRS:
        if (d / name).exists():
            return d / name
    raise FileNotFoundError(f"{name}: font not found (apt-get install fonts-dejavu-core)")


def _register_fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from reportlab.pdfbase.pdfmetrics import registerFontFamily

    names = pdfmetrics.getRegisteredFontNames()
    if "DejaVuSans" not in names:
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(_font_file("DejaVuSans.ttf"))))
    if "DejaVuSans-Bold" not in names:
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(_font_file("DejaVuSans-Bold.ttf"))))
        registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold",
                           italic="DejaVuSans", boldItalic="DejaVuSans-Bold")
    return "DejaVuSans", "DejaVuSans-Bold"


def _esc(text: str) -> str:
    from xml.sax.saxutils import escape    # it pulls in urllib.request, http and email: ~25 ms

    return escape(text or "")


def write_pdf(groups: list[UnitOwes], path: str | Path, *, title: str = "", today: Optional[dt.date] = None) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = _register_fonts()
    today = today or dt.date.today()
    body = ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=10.5)
    head = ParagraphStyle("head", fontName=bold, fontSize=8.5, leading=10.5, alignment=1)
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=14, leading=18, alignment=1, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=11.5, leading=15, spaceBefore=6, spaceAfter=4)
    small = ParagraphStyle("small", fontName=regular, fontSize=9, leading=12, alignment=1)
    red = ParagraphStyle("red", parent=body, fontName=bold, textColor=colors.HexColor("#B00020"))

    page = landscape(A4)
    doc = SimpleDocTemplate(str(path), pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=14 * mm,
                            title=title or "Danh mục nhiệm vụ", author="chidao")
    widths = [10 * mm, 98 * mm, 36 * mm, 36 * mm, 30 * mm, 26 * mm, 37 * mm]
    story = []
    for gi, group in enumerate(groups or [UnitOwes(unit="Không có nhiệm vụ")]):
        if gi:
            story.append(PageBreak())
        story.append(Paragraph(_esc(title or "DANH MỤC NHIỆM VỤ ĐƯỢC GIAO"), h1))
        story.append(Paragraph(f"Lập ngày {vn_date(today)} — {len(group.items)} nhiệm vụ, "
                               f"{group.overdue} quá hạn", small))
        story.append(Paragraph(_esc(f"Đơn vị: {group.label}"), h2))
        rows = [[Paragraph(_esc(c), head) for c in XLSX_COLUMNS]]
        for n, item in enumerate(group.items, 1):
            cells = xlsx_row(n, item)
            row = [Paragraph(_esc(str(c)), body) for c in cells]
            if item.overdue:
                row[5] = Paragraph(_esc(item.status_label), red)
            rows.append(row)
        if len(rows) == 1:
            rows.append([Paragraph("", body), Paragraph("Không có nhiệm vụ.", body)] + [Paragraph("", body)] * 5)
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE6F0")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]))
        story.append(table)
        story.append(Spacer(1, 4 * mm))

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawRightString(page[0] - 12 * mm, 7 * mm, f"Trang {doc_.page}")
        canvas.drawString(12 * mm, 7 * mm, "chidao — sổ theo dõi nhiệm vụ")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return Path(path)


# ------------------------------------------------------------------ ICS

_RRULES = {
    "weekly": {"freq": "weekly"},
    "monthly": {"freq": "monthly"},
    "quarterly": {"freq": "monthly", "interval": 3},
    "halfyearly": {"freq": "monthly", "interval": 6},
    "yearly": {"freq": "yearly"},
}
_BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}


def rrule_for(item: OwesItem) -> Optional[dict]:
    rule = _RRULES.get(item.recurrence or "")
    if rule is None:
        return None
    rule = dict(rule)
    if item.recurrence == "weekly" and item.day in _BYDAY:
        rule["byday"] = _BYDAY[item.day]
    elif item.recurrence in ("monthly", "quarterly") and item.day:
        rule["bymonthday"] = item.day
    return rule


def write_ics(groups: list[UnitOwes], path: str | Path) -> Path:
    from icalendar import Calendar, Event

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
            ev = Event()
            ev.add("uid", f"{item.obligation_id}@chidao")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", when)
            ev.add("dtend", when + dt.timedelta(days=1))
            summary = item.text if len(item.text) <= 120 else item.text[:117].rstrip() + "…"
            ev.add("summary", summary)
            desc = [item.text, "",
                    f"Đơn vị chủ trì: {'; '.join(item.lead_units) or '—'}",
                    f"Đơn vị phối hợp: {'; '.join(item.support_units) or '—'}",
                    f"Thời hạn: {item.deadline_label}",
                    f"Văn bản giao: {item.source_label}"]
            ev.add("description", "\n".join(desc))
            ev.add("categories", [group.unit])
            rule = rrule_for(item)
            if rule:
                ev.add("rrule", rule)
            cal.add_component(ev)
    Path(path).write_bytes(cal.to_ical())
    return Path(path)


# ------------------------------------------------------------------ HTML

def render_html(groups: list[UnitOwes], *, title: str = "", today: Optional[dt.date] = None) -> str:
    """A standalone page (inline CSS) to attach to an e-mail or print from a browser."""
    from app.web.templating import environment

    return environment().get_template("report.html").render(
        groups=groups, title=title or "Danh mục nhiệm vụ được giao", today=today or dt.date.today(),
        columns=XLSX_COLUMNS, vn_date=vn_date,
    )
