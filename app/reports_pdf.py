"""A department's list as an administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I), PDF.

Per department, from a new page: the issuing office (top left, from the settings' `office`)
with a number to fill in ("Số: ....../......"), the Quốc hiệu and Tiêu ngữ with the place and
date (top right), the title and the department, then "I. Nhiệm vụ chủ trì" and "II. Nhiệm vụ
phối hợp", each grouped by the directive that gave the task, "Nơi nhận" (bottom left) and the
signature block (bottom right, from `signer`).  Several departments: a first page "MỤC LỤC"
with the page each one starts on (the document is laid out twice: the first pass finds the
pages, the second prints them).

Only reportlab; imported by app/reports.py's `write` for the pdf format.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from models.owes_rows import OwesItem, UnitOwes, vn_date

UNASSIGNED_KIND = "unassigned"      # models.departments.UNASSIGNED_KIND (no SQL import for a writer)

_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
FONT = "DejaVuSerif"
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
BLANK_LINE = "." * 36


@dataclass(frozen=True)
class Heading:
    """What the settings say about the office sending the lists (flows/settings.py: office,
    place, signer, each a line list written with "/")."""
    office: tuple[str, ...] = ()
    place: str = ""
    signer: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Any) -> "Heading":
        def lines(v: Optional[str]) -> tuple[str, ...]:
            return tuple(x.strip() for x in (v or "").split("/") if x.strip())

        return cls(office=lines(getattr(settings, "office", "")), place=(getattr(settings, "place", "") or "").strip(),
                   signer=lines(getattr(settings, "signer", "")))


def _font_file(name: str) -> Path:
    for d in _FONT_DIRS:
        if (d / name).exists():
            return d / name
    raise FileNotFoundError(f"{name}: không tìm thấy phông chữ (cài: apt-get install fonts-dejavu-core)")


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.pdfmetrics import registerFontFamily
    from reportlab.pdfbase.ttfonts import TTFont

    have = pdfmetrics.getRegisteredFontNames()
    faces = {FONT: "DejaVuSerif.ttf", f"{FONT}-Bold": "DejaVuSerif-Bold.ttf", f"{FONT}-Italic": "DejaVuSerif-Italic.ttf",
             f"{FONT}-BoldItalic": "DejaVuSerif-BoldItalic.ttf"}
    for name, file in faces.items():
        if name not in have:
            pdfmetrics.registerFont(TTFont(name, str(_font_file(file))))
    registerFontFamily(FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic", boldItalic=f"{FONT}-BoldItalic")


def _esc(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text or "")


def vn_long_date(place: str, day: dt.date) -> str:
    """"Bình Định, ngày 05 tháng 01 năm 2026" (the place left blank to fill in when not set)."""
    return f"{place or '........'}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


@dataclass
class _Styles:
    s: dict = field(default_factory=dict)

    def __getitem__(self, k):
        return self.s[k]


def _styles() -> _Styles:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    def st(name, size=11, bold=False, italic=False, align=0, **kw):
        face = FONT + ("-BoldItalic" if bold and italic else "-Bold" if bold else "-Italic" if italic else "")
        return ParagraphStyle(name, fontName=face, fontSize=size, leading=size * 1.3, alignment=align, **kw)

    return _Styles({
        "office": st("office", 11, align=1), "office_b": st("office_b", 11, bold=True, align=1),
        "motto": st("motto", 11, bold=True, align=1), "motto2": st("motto2", 12, bold=True, align=1),
        "date": st("date", 12, italic=True, align=1), "number": st("number", 12, align=1),
        "title": st("title", 13, bold=True, align=1, spaceBefore=10), "sub": st("sub", 12, bold=True, align=1),
        "note": st("note", 11, italic=True, align=1, spaceAfter=8),
        "h1": st("h1", 12, bold=True, spaceBefore=8, spaceAfter=3),
        "h2": st("h2", 11, bold=True, spaceBefore=5, spaceAfter=3),
        "cell": st("cell", 9.5), "cell_c": st("cell_c", 9.5, align=1), "head": st("head", 9.5, bold=True, align=1),
        "red": st("red", 9.5, bold=True, textColor=colors.HexColor("#B00020")), "via": st("via", 8.5, italic=True),
        "recip_h": st("recip_h", 11, bold=True, italic=True), "recip": st("recip", 10),
        "sign": st("sign", 12, bold=True, align=1), "sign_name": st("sign_name", 12, bold=True, align=1, spaceBefore=60),
        "toc": st("toc", 11), "toc_r": st("toc_r", 11, align=2),
    })


# ------------------------------------------------------------------ one department

def _heading(h: Heading, today: dt.date, S: _Styles):
    """Tên cơ quan and Số (left), Quốc hiệu, Tiêu ngữ and the date (right): a borderless table."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    office = list(h.office) or [BLANK_LINE]
    left = [Paragraph(_esc(x.upper()), S["office"]) for x in office[:-1]]
    left.append(Paragraph(f"<u>{_esc(office[-1].upper())}</u>", S["office_b"]))
    left.append(Paragraph("Số: ........ /DM-........", S["number"]))
    right = [Paragraph(QUOC_HIEU, S["motto"]), Paragraph(f"<u>{TIEU_NGU}</u>", S["motto2"]),
             Paragraph(_esc(vn_long_date(h.place, today)), S["date"])]
    t = Table([[left, right]], colWidths=[72 * mm, 108 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return t


def _by_document(items: list[OwesItem]) -> list[tuple[str, list[OwesItem]]]:
    """Items grouped by the directive that gave them, in the order they first appear."""
    out: dict[str, list[OwesItem]] = {}
    for i in items:
        head = " ".join(p for p in (i.document_type, f"số {i.document_number}" if i.document_number else None) if p)
        if not i.document_number and i.document_file:
            head = f"{head} ({i.document_file})" if head else i.document_file
        head = head or "Văn bản"
        if i.document_title:
            head += f": {i.document_title}"
        out.setdefault(head, []).append(i)
    return list(out.items())


def _task_table(items: list[OwesItem], role: str, S: _Styles):
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    other = "Đơn vị phối hợp" if role == "lead" else "Đơn vị chủ trì"
    rows = [[Paragraph(c, S["head"]) for c in ("STT", "Nội dung nhiệm vụ", other, "Thời hạn", "Tình trạng")]]
    for n, i in enumerate(items, 1):
        text = [Paragraph(_esc(i.text), S["cell"])]
        if i.via_group:
            text.append(Paragraph(_esc(f"(giao cho {i.via_group})"), S["via"]))
        where = ", ".join(x for x in (f"mục {i.ref}" if i.ref else "", f"tr. {i.page}" if i.page else "") if x)
        if where:
            text.append(Paragraph(_esc(f"({where})"), S["via"]))
        units = i.support_units if role == "lead" else i.lead_units
        rows.append([Paragraph(str(n), S["cell_c"]), text, Paragraph(_esc("; ".join(units)), S["cell"]),
                     Paragraph(_esc(i.deadline_label), S["cell"]),
                     Paragraph(_esc(i.status_label), S["red"] if i.overdue else S["cell"])])
    t = Table(rows, colWidths=[10 * mm, 84 * mm, 30 * mm, 26 * mm, 30 * mm], repeatRows=1)
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#666666")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return t


ROMAN = ("I", "II", "III")
SECTIONS = (("lead", "NHIỆM VỤ CHỦ TRÌ THỰC HIỆN"), ("support", "NHIỆM VỤ PHỐI HỢP THỰC HIỆN"))


def _body(group: UnitOwes, S: _Styles) -> list:
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph

    story = []
    n_section = 0
    for role, title in SECTIONS:
        items = [i for i in group.items if (i.role or "lead") == role]
        if not items:
            continue
        story.append(Paragraph(f"{ROMAN[n_section]}. {title} ({len(items)} nhiệm vụ)", S["h1"]))
        n_section += 1
        for k, (doc, its) in enumerate(_by_document(items), 1):
            # a heading never alone at the foot of a page: a new page when under 45 mm are left
            story += [CondPageBreak(45 * mm), Paragraph(_esc(f"{k}. Theo {doc}"), S["h2"]), _task_table(its, role, S)]
    if not n_section:
        story.append(Paragraph("Không có nhiệm vụ.", S["note"]))
    return story


def _closing(group: UnitOwes, h: Heading, S: _Styles):
    """Nơi nhận (left) and the signature block (right)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    to = ("Bộ phận theo dõi nhiệm vụ (để xác định đơn vị thực hiện)" if group.kind == UNASSIGNED_KIND
          else group.label)
    left = [Paragraph("Nơi nhận:", S["recip_h"]), Paragraph(_esc(f"- {to};"), S["recip"]),
            Paragraph("- Lưu: VT.", S["recip"])]
    signer = list(h.signer)
    titles, name = (signer[:-1], signer[-1]) if len(signer) > 1 else (signer or ["THỦ TRƯỞNG CƠ QUAN"], "")
    right = [Paragraph(_esc(t.upper()), S["sign"]) for t in titles]
    right.append(Paragraph(_esc(name) or "(Ký, ghi rõ họ tên)", S["sign_name"]))
    t = Table([[left, right]], colWidths=[90 * mm, 90 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return KeepTogether([Spacer(1, 6 * mm), t])


def _unit_story(group: UnitOwes, h: Heading, today: dt.date, S: _Styles, mark=None) -> list:
    from reportlab.platypus import Paragraph

    story = [_heading(h, today, S)]
    if mark is not None:
        story.append(mark)
    story += [Paragraph("DANH MỤC NHIỆM VỤ", S["title"]), Paragraph(_esc(f"giao {group.label}"), S["sub"]),
              Paragraph(_esc(f"(Tính đến ngày {vn_date(today)}: {group.count_label})"), S["note"])]
    return story + _body(group, S) + [_closing(group, h, S)]


# ------------------------------------------------------------------ the document

def _page_mark(pages: dict, key: int):
    """A flowable of no size that notes the page it lands on."""
    from reportlab.platypus import Flowable

    class Mark(Flowable):
        def wrap(self, *_):
            return 0, 0

        def draw(self):
            pages[key] = self.canv.getPageNumber()

    return Mark()


def _index(groups: list[UnitOwes], pages: dict, today: dt.date, h: Heading, S: _Styles) -> list:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Table, TableStyle

    rows = [[Paragraph(c, S["head"]) for c in ("STT", "Đơn vị", "Nhiệm vụ", "Quá hạn", "Trang")]]
    for n, g in enumerate(groups, 1):
        rows.append([Paragraph(str(n), S["cell_c"]), Paragraph(_esc(g.label), S["toc"]),
                     Paragraph(str(len(g.items)), S["toc_r"]), Paragraph(str(g.overdue), S["toc_r"]),
                     Paragraph(str(pages.get(n, "")), S["toc_r"])])
    t = Table(rows, colWidths=[12 * mm, 104 * mm, 22 * mm, 22 * mm, 20 * mm], repeatRows=1)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#666666")),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF5")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    total = sum(len(g.items) for g in groups)
    return [_heading(h, today, S), Paragraph("DANH MỤC NHIỆM VỤ GIAO CÁC ĐƠN VỊ", S["title"]),
            Paragraph(_esc(f"(Tính đến ngày {vn_date(today)}: {len(groups)} đơn vị, {total} nhiệm vụ)"), S["note"]),
            Paragraph("MỤC LỤC", S["sub"]), t, PageBreak()]


def _build(target, groups: list[UnitOwes], h: Heading, today: dt.date, title: str, pages: dict) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    S = _styles()
    doc = SimpleDocTemplate(target, pagesize=A4, leftMargin=20 * mm, rightMargin=10 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=title or "Danh mục nhiệm vụ", author="chidao")
    many = len(groups) > 1
    story = _index(groups, pages, today, h, S) if many else []
    for n, g in enumerate(groups, 1):
        if n > 1:
            story.append(PageBreak())
        story += _unit_story(g, h, today, S, mark=_page_mark(pages, n) if many else None)

    def page_number(canvas, doc_):
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 8 * mm, f"Trang {doc_.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)


def write_pdf(groups: list[UnitOwes], path: str | Path, *, title: str = "", today: Optional[dt.date] = None,
              heading: Optional[Heading] = None) -> Path:
    """The lists as one PDF: one document per department; with several, the index first."""
    _register_fonts()
    today = today or dt.date.today()
    h = heading or Heading()
    groups = groups or [UnitOwes(unit="Không có nhiệm vụ")]
    pages: dict[int, int] = {}
    if len(groups) > 1:
        _build(io.BytesIO(), groups, h, today, title, pages)     # first pass: where each department starts
    _build(str(path), groups, h, today, title, pages)
    return Path(path)
