"""Render the project's sample directives (corpora/samples/src/*.md) to files a clerk would get.

    .venv/bin/python -m scripts.render_samples            # born-digital PDFs (and DOCX) -> corpora/samples/pdf
    .venv/bin/python -m scripts.render_samples --scan     # scanned-looking copies      -> corpora/samples/scan
    .venv/bin/python -m scripts.render_samples --all      # both
    .venv/bin/python -m scripts.render_samples --out DIR SRC.md ...

Born-digital output follows Nghị định 30/2020/NĐ-CP (and Hướng dẫn 36-HD/VPTW for Party
documents): A4, issuer top left and Quốc hiệu (or ĐẢNG CỘNG SẢN VIỆT NAM) top right, Số left,
place-date right in italic, type and trích yếu centred bold, justified body, signature block
right, Nơi nhận left in small type, appendix tables with ruling lines whose header row repeats
on every page and whose long rows continue on the next page with an empty STT cell.

Scanned copies are image-only PDFs: pages rasterised, greyed, slightly rotated, noisy,
JPEG-compressed, with a red round seal over the signature and a blue "ĐẾN" stamp on page 1.
Everything is deterministic: the same source and seed give the same bytes.

Source format (the same as the evaluation set's sources): `key: value` front matter (kind,
issuer with `|` between lines, number, motto national|party, place_date, optional vv, stamp,
notes, seal, signer, format pdf|docx), a `---` line, then a markdown body: `#` lines are centred
bold titles, `##`..`####` left-aligned headings, `- ` bullets, `**bold**`, `*italic*`, pipe
tables, `=== pagebreak`, and fenced blocks `::: recipients`, `::: right` (signature),
`::: addressees` (Kính gửi), each closed by `:::`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import re
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import numpy as np
import pypdfium2 as pdfium
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.fonts import addMapping
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer, Table, TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpora" / "samples"
SRC_DIR = SAMPLES / "src"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# Fixed dates make the output byte-for-byte reproducible (reportlab invariant mode, DOCX zip).
_FIXED_DATE = (2025, 1, 1, 0, 0, 0)


# ------------------------------------------------------------------ the source model

@dataclass
class Block:
    kind: str                       # title, heading, para, bullet, table, recipients, right, addressees, pagebreak
    text: str = ""
    level: int = 0
    lines: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)   # table: header first


@dataclass
class Source:
    path: Path
    meta: dict[str, str]
    blocks: list[Block]

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def party(self) -> bool:
        return self.meta.get("motto", "national").strip() == "party"

    @property
    def output_format(self) -> str:
        return self.meta.get("format", "pdf").strip() or "pdf"

    def issuer_lines(self) -> list[str]:
        return [s.strip() for s in self.meta.get("issuer", "").split("|") if s.strip()]


class SourceError(ValueError):
    pass


def _split_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split("|")]


def parse_source(path: Path) -> Source:
    """Read a sample source file into front matter and body blocks."""
    raw = Path(path).read_text(encoding="utf-8")
    head, sep, body = raw.partition("\n---\n")
    if not sep:
        raise SourceError(f"{path}: no '---' line after the front matter")
    meta: dict[str, str] = {}
    for n, line in enumerate(head.splitlines(), 1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise SourceError(f"{path}:{n}: front matter line without 'key:'")
        meta[key.strip()] = value.strip()
    blocks: list[Block] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        s = line.strip()
        if not s:
            i += 1
            continue
        if s.startswith("=== pagebreak"):
            # "=== pagebreak landscape" turns the following pages (an appendix table) sideways.
            blocks.append(Block("pagebreak", text=s[len("=== pagebreak"):].strip()))
            i += 1
        elif s.startswith(":::"):
            name = s[3:].strip()
            j = i + 1
            inner = []
            while j < len(lines) and lines[j].strip() != ":::":
                inner.append(lines[j].rstrip())
                j += 1
            if j >= len(lines):
                raise SourceError(f"{path}: block '::: {name}' is not closed")
            blocks.append(Block(name, lines=inner))
            i = j + 1
        elif s.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = _split_row(lines[i])
                if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            width = len(rows[0])
            for r in rows:
                if len(r) != width:
                    raise SourceError(f"{path}: table row with {len(r)} cells, header has {width}: {r[:2]}")
            blocks.append(Block("table", rows=rows))
        elif s.startswith("#"):
            level = len(s) - len(s.lstrip("#"))
            text = s[level:].strip()
            i += 1
            # A title may run over several source lines.
            while i < len(lines) and lines[i].strip() and not re.match(r"\s*(#|-|\||:::|===)", lines[i]):
                text += " " + lines[i].strip()
                i += 1
            blocks.append(Block("title" if level == 1 else "heading", text=text, level=level))
        elif s.startswith("- "):
            blocks.append(Block("bullet", text=s))
            i += 1
        else:
            text = s
            i += 1
            while i < len(lines) and lines[i].strip() and not re.match(r"\s*(#|- |\||:::|===)", lines[i]):
                text += " " + lines[i].strip()
                i += 1
            blocks.append(Block("para", text=text))
    return Source(Path(path), meta, blocks)


def strip_markup(text: str) -> str:
    return text.replace("**", "").replace("*", "")


def plain_text(src: Source | Path) -> str:
    """The document's text as a reader should find it: header, body, tables (a cell a line),
    recipients, signature; markup removed.  Gold snippets are checked against this."""
    if not isinstance(src, Source):
        src = parse_source(src)
    m = src.meta
    out = list(src.issuer_lines())
    out.append("ĐẢNG CỘNG SẢN VIỆT NAM" if src.party else
               "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    for key in ("number", "vv", "place_date"):
        if m.get(key):
            out.append(m[key])
    for b in src.blocks:
        if b.kind in ("title", "heading", "para", "bullet"):
            out.append(strip_markup(b.text))
        elif b.kind == "table":
            for row in b.rows:
                out.extend(strip_markup(c) for c in row if c)
        elif b.kind in ("recipients", "right", "addressees"):
            out.extend(strip_markup(x).strip() for x in b.lines if x.strip())
    return "\n".join(out) + "\n"


def body_paragraphs(src: Source | Path) -> list[str]:
    """Running-text paragraphs (not tables, not furniture): what a text layer must hold verbatim."""
    if not isinstance(src, Source):
        src = parse_source(src)
    return [strip_markup(b.text) for b in src.blocks if b.kind in ("para", "bullet", "heading")]


# ------------------------------------------------------------------ born-digital PDF

_FONTS_READY = False


def _register_fonts() -> None:
    global _FONTS_READY
    if _FONTS_READY:
        return

    # The condensed cut is closer to Times New Roman's width than plain DejaVu Serif.
    faces = {
        "Serif": "DejaVuSerifCondensed.ttf",
        "Serif-Bold": "DejaVuSerifCondensed-Bold.ttf",
        "Serif-Italic": "DejaVuSerifCondensed-Italic.ttf",
        "Serif-BoldItalic": "DejaVuSerifCondensed-BoldItalic.ttf",
    }
    for name, file in faces.items():
        path = FONT_DIR / file
        if not path.exists():
            raise SystemExit(f"font {path} is missing: apt-get install fonts-dejavu-core")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping("Serif", 0, 0, "Serif")
    addMapping("Serif", 1, 0, "Serif-Bold")
    addMapping("Serif", 0, 1, "Serif-Italic")
    addMapping("Serif", 1, 1, "Serif-BoldItalic")
    _FONTS_READY = True


def _inline(text: str) -> str:
    """Markdown emphasis -> reportlab mini-markup, with XML escaped."""
    t = escape(text)
    t = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", t)
    t = re.sub(r"\*(.+?)\*", r"<i>\1</i>", t)
    return t


def _styles():
    base = ParagraphStyle("body", fontName="Serif", fontSize=13, leading=17, alignment=TA_JUSTIFY,
                          firstLineIndent=28, spaceAfter=6)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName="Serif-Bold", fontSize=14, leading=18,
                                alignment=TA_CENTER, firstLineIndent=0, spaceAfter=2),
        "heading": ParagraphStyle("heading", parent=base, fontName="Serif-Bold", alignment=TA_JUSTIFY,
                                  spaceBefore=4),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0),
        "center_b": ParagraphStyle("center_b", parent=base, fontName="Serif-Bold", fontSize=12.5, leading=15,
                                   alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0),
        "motto": ParagraphStyle("motto", parent=base, fontName="Serif-Bold", fontSize=12, leading=15,
                                alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0),
        "head_l": ParagraphStyle("head_l", parent=base, fontSize=12.5, leading=15, alignment=TA_CENTER,
                                 firstLineIndent=0, spaceAfter=0),
        "date": ParagraphStyle("date", parent=base, fontName="Serif-Italic", fontSize=13, leading=16,
                               alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0),
        "vv": ParagraphStyle("vv", parent=base, fontSize=12, leading=14, alignment=TA_CENTER,
                             firstLineIndent=0, spaceAfter=0),
        "recip_h": ParagraphStyle("recip_h", parent=base, fontName="Serif-BoldItalic", fontSize=12, leading=14,
                                  alignment=TA_LEFT, firstLineIndent=0, spaceAfter=1),
        "recip": ParagraphStyle("recip", parent=base, fontSize=10.5, leading=12.5, alignment=TA_LEFT,
                                firstLineIndent=0, spaceAfter=0),
        "sign": ParagraphStyle("sign", parent=base, fontName="Serif-Bold", fontSize=13, leading=16,
                               alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=13, alignment=TA_LEFT,
                               firstLineIndent=0, spaceAfter=0),
        "cell_c": ParagraphStyle("cell_c", parent=base, fontSize=10.5, leading=13, alignment=TA_CENTER,
                                 firstLineIndent=0, spaceAfter=0),
        "cell_h": ParagraphStyle("cell_h", parent=base, fontName="Serif-Bold", fontSize=10.5, leading=13,
                                 alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0),
        "addr": ParagraphStyle("addr", parent=base, alignment=TA_LEFT, firstLineIndent=0, spaceAfter=0,
                               leftIndent=150),
    }


A4_W, A4_H = 595.2756, 841.8898
MARGINS = dict(leftMargin=30 * 2.8346, rightMargin=18 * 2.8346, topMargin=20 * 2.8346, bottomMargin=20 * 2.8346)


def _header_flowables(src: Source, st, width: float):
    m = src.meta
    issuer = src.issuer_lines()
    left = []
    for k, line in enumerate(issuer):
        last = k == len(issuer) - 1
        left.append(Paragraph(escape(line), st["center_b"] if (last or src.party) else st["head_l"]))
    if src.party:
        left.append(Paragraph("*", st["head_l"]))
    else:
        left.append(HRFlowable(width="35%", thickness=0.6, color="black", spaceBefore=6, spaceAfter=4))
    if m.get("number"):
        left.append(Paragraph(escape(m["number"]), st["head_l"]))
    if m.get("vv"):
        left.append(Spacer(1, 3))
        left.append(Paragraph(escape(m["vv"]), st["vv"]))
    right = []
    if src.party:
        right.append(Paragraph("<u>ĐẢNG CỘNG SẢN VIỆT NAM</u>", st["center_b"]))
        right.append(Spacer(1, 14))
    else:
        right.append(Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st["motto"]))
        right.append(Paragraph("<b>Độc lập - Tự do - Hạnh phúc</b>", st["center"]))
        right.append(HRFlowable(width="62%", thickness=0.6, color="black", spaceBefore=6, spaceAfter=6))
    if m.get("place_date"):
        right.append(Paragraph(escape(m["place_date"]), st["date"]))
    t = Table([[left, right]], colWidths=[width * 0.38, width * 0.62])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [t, Spacer(1, 16)]


def _column_widths(header: list[str], width: float) -> list[float]:
    """Relative widths by what the column holds (STT narrow, task text wide)."""
    weights = []
    for h in header:
        k = strip_markup(h).lower()
        if k in ("stt", "tt"):
            weights.append(0.6)
        elif "nội dung" in k or "nhiệm vụ" in k:
            weights.append(3.4)
        elif "thời gian" in k or "thời hạn" in k:
            weights.append(1.3)
        else:
            weights.append(1.7)
    total = sum(weights)
    return [width * w / total for w in weights]


def _is_section_row(row: list[str]) -> bool:
    return bool(row[0]) and not any(c.strip() for c in row[1:])


def _cell_text(value) -> str:
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for f in items:
        if isinstance(f, str):
            out.append(f)
        elif hasattr(f, "frags"):
            # a Paragraph, whole or a split fragment (whose text lives in frags[].words)
            for frag in f.frags or []:
                out.append(getattr(frag, "text", "") or " ".join(getattr(frag, "words", []) or []))
    return "".join(out)


class TaskTable(Table):
    """A Table that splits inside a row at the page foot, but never leaves an empty
    fragment (only the row's bottom padding) at the top of the next page."""

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        if len(parts) == 2:
            rest = parts[1]
            first = rest._cellvalues[self.repeatRows] if len(rest._cellvalues) > self.repeatRows else []
            if first and not any(_cell_text(c).strip() for c in first):
                whole_rows = self._splitRows(availHeight, doInRowSplit=0)
                if whole_rows:
                    return whole_rows
        return parts


def _table_flowable(rows: list[list[str]], st, width: float):
    header = rows[0]
    data = [[Paragraph(_inline(strip_markup(c)), st["cell_h"]) for c in header]]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        # a row split over two pages is closed at the page foot and reopened under the
        # repeated header, as word processors print it
        ("LINEBELOW", (0, "inrowsplitstart"), (-1, "inrowsplitstart"), 0.5, "black"),
        ("LINEABOVE", (0, "inrowsplitend"), (-1, "inrowsplitend"), 0.5, "black"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for r, row in enumerate(rows[1:], start=1):
        if _is_section_row(row):
            text = row[0] if row[0].startswith("**") else f"**{row[0]}**"
            data.append([Paragraph(_inline(text), st["cell"])] + [""] * (len(row) - 1))
            style.append(("SPAN", (0, r), (-1, r)))
        else:
            cells = []
            for c, text in enumerate(row):
                center = c == 0 or c == len(row) - 1
                cells.append(Paragraph(_inline(text), st["cell_c"] if center else st["cell"]))
            data.append(cells)
    # repeatRows: the header comes back on every page; splitInRow: a long row continues on
    # the next page (its STT cell then empty), as word processors print appendices.
    return TaskTable(data, colWidths=_column_widths(header, width), repeatRows=1, splitByRow=0, splitInRow=1,
                      style=style)


def _closing_flowables(recipients: Block | None, right: Block | None, st, width: float):
    left_cell, right_cell = [], []
    if recipients:
        for line in recipients.lines:
            s = line.strip()
            if not s:
                continue
            if s.startswith("Nơi nhận"):
                left_cell.append(Paragraph(escape(strip_markup(s)), st["recip_h"]))
            else:
                left_cell.append(Paragraph(escape(strip_markup(s)), st["recip"]))
    if right:
        for line in right.lines:
            s = line.strip()
            if not s:
                right_cell.append(Spacer(1, 22))
            else:
                right_cell.append(Paragraph(_inline(s), st["sign"]))
    t = Table([[left_cell, right_cell]], colWidths=[width * 0.5, width * 0.5])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [Spacer(1, 8), t]


def _story(src: Source, width: float):
    st = _styles()
    story = _header_flowables(src, st, width)
    blocks = src.blocks
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.kind == "pagebreak":
            if b.text in ("landscape", "portrait"):
                story.append(NextPageTemplate(b.text))
                width = (A4_H if b.text == "landscape" else A4_W) - MARGINS["leftMargin"] - MARGINS["rightMargin"]
            story.append(PageBreak())
        elif b.kind == "title":
            run = []
            while i < len(blocks) and blocks[i].kind == "title":
                run.append(blocks[i])
                i += 1
            for k, t in enumerate(run):
                story.append(Paragraph(_inline(strip_markup(t.text)), st["title"]))
                # A short rule under the trích yếu (type + subject), not under a lone heading
                # like "QUYẾT ĐỊNH:".
                if k == 1:
                    story.append(HRFlowable(width="25%", thickness=0.6, color="black", spaceBefore=7, spaceAfter=10))
            if len(run) != 2:
                story.append(Spacer(1, 6))
            continue
        elif b.kind == "heading":
            story.append(Paragraph(_inline(strip_markup(b.text)), st["heading"]))
        elif b.kind in ("para", "bullet"):
            story.append(Paragraph(_inline(b.text), st["body"]))
        elif b.kind == "table":
            story.append(_table_flowable(b.rows, st, width))
            story.append(Spacer(1, 8))
        elif b.kind == "addressees":
            for line in b.lines:
                if line.strip():
                    story.append(Paragraph(_inline(line.strip()), st["addr"]))
            story.append(Spacer(1, 8))
        elif b.kind in ("recipients", "right"):
            rec = b if b.kind == "recipients" else None
            rig = b if b.kind == "right" else None
            if i + 1 < len(blocks) and blocks[i + 1].kind in ("recipients", "right") and blocks[i + 1].kind != b.kind:
                i += 1
                if blocks[i].kind == "right":
                    rig = blocks[i]
                else:
                    rec = blocks[i]
            story.extend(_closing_flowables(rec, rig, st, width))
        i += 1
    return story


def _page_number(canvas, doc) -> None:
    # Nghị định 30: page numbers from page 2, top centre.
    if doc.page < 2:
        return
    w, h = canvas._pagesize
    canvas.saveState()
    canvas.setFont("Serif", 12)
    canvas.drawCentredString(w / 2, h - 12 * 2.8346, str(doc.page))
    canvas.restoreState()


def render_digital(src: Path, out_pdf: Path) -> Path:
    """Render one source to a born-digital PDF (deterministic bytes)."""

    _register_fonts()
    source = parse_source(Path(src))
    out_pdf = Path(out_pdf)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    doc = BaseDocTemplate(str(out_pdf), pagesize=(A4_W, A4_H), title=source.stem, author="chidao samples",
                          invariant=1, **MARGINS)
    templates = []
    for name, (pw, ph) in (("portrait", (A4_W, A4_H)), ("landscape", (A4_H, A4_W))):
        frame = Frame(MARGINS["leftMargin"], MARGINS["bottomMargin"],
                      pw - MARGINS["leftMargin"] - MARGINS["rightMargin"],
                      ph - MARGINS["topMargin"] - MARGINS["bottomMargin"], id=name, leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0)
        templates.append(PageTemplate(id=name, frames=[frame], pagesize=(pw, ph), onPage=_page_number))
    doc.addPageTemplates(templates)
    width = A4_W - MARGINS["leftMargin"] - MARGINS["rightMargin"]
    doc.build(_story(source, width))
    return out_pdf


# ------------------------------------------------------------------ DOCX

def render_docx(src: Path, out_docx: Path) -> Path:
    """Render one source to a DOCX (python-docx): the same layout, tables as Word tables with
    a repeating header row.  Zip timestamps are fixed so the bytes are reproducible."""
    source = parse_source(Path(src))
    d = _docx_document(source)
    _docx_header(d, source)
    blocks = source.blocks
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.kind == "pagebreak":
            d.add_page_break()
        elif b.kind == "title":
            _docx_para(d, strip_markup(b.text), align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=14)
        elif b.kind == "heading":
            _docx_para(d, strip_markup(b.text), align=WD_ALIGN_PARAGRAPH.JUSTIFY, bold=True, after=6)
        elif b.kind in ("para", "bullet"):
            _docx_para(d, b.text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=10, after=6)
        elif b.kind == "addressees":
            for line in b.lines:
                if line.strip():
                    p = _docx_para(d, line.strip())
                    p.paragraph_format.left_indent = Mm(50)
        elif b.kind == "table":
            _docx_table(d, b.rows)
        elif b.kind in ("recipients", "right"):
            pair = [b]
            if i + 1 < len(blocks) and blocks[i + 1].kind in ("recipients", "right"):
                i += 1
                pair.append(blocks[i])
            _docx_closing(d, pair)
        i += 1

    buf = io.BytesIO()
    d.save(buf)
    out_docx = Path(out_docx)
    out_docx.parent.mkdir(parents=True, exist_ok=True)
    _rezip_fixed(buf.getvalue(), out_docx)
    return out_docx


def _docx_document(source: Source):
    """An empty A4 document with ND 30's margins and body font, and fixed properties."""
    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Mm(30), Mm(18), Mm(20), Mm(20)
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    d.core_properties.created = dt.datetime(2025, 1, 1)
    d.core_properties.modified = dt.datetime(2025, 1, 1)
    d.core_properties.author = "chidao samples"
    d.core_properties.title = source.stem
    return d


def _docx_runs(p, text, bold=None, italic=None, size=None):
    """Add `text` to paragraph `p`, its **bold** / *italic* spans as runs of their own."""
    for part in re.split(r"(\*\*.+?\*\*|\*.+?\*)", text):
        if not part:
            continue
        b, it = bold, italic
        if part.startswith("**"):
            part, b = part[2:-2], True
        elif part.startswith("*"):
            part, it = part[1:-1], True
        r = p.add_run(part)
        r.bold, r.italic = b, it
        if size:
            r.font.size = Pt(size)
    return p


def _docx_para(container, text, align=None, bold=None, italic=None, size=None, indent=None, after=0):
    p = container.add_paragraph()
    _docx_runs(p, text, bold, italic, size)
    if align is not None:
        p.alignment = align
    if indent is not None:
        p.paragraph_format.first_line_indent = Mm(indent)
    p.paragraph_format.space_after = Pt(after)
    return p


def _docx_no_borders(table) -> None:
    tbl = table._tbl
    pr = tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    pr.append(borders)


def _docx_header(d, source: Source) -> None:
    """The header grid: issuer | Quốc hiệu (or the Party's name), then Số | place-date."""
    C = WD_ALIGN_PARAGRAPH.CENTER
    head = d.add_table(rows=1, cols=2)
    _docx_no_borders(head)
    lc, rc = head.rows[0].cells
    lc.paragraphs[0].text = ""
    issuer = source.issuer_lines()
    first = True
    for k, line in enumerate(issuer):
        p = lc.paragraphs[0] if first else lc.add_paragraph()
        first = False
        _docx_runs(p, line, bold=(k == len(issuer) - 1 or source.party), size=12.5)
        p.alignment = C
    if source.party:
        _docx_para(lc, "*", align=C)
    if source.meta.get("number"):
        _docx_para(lc, source.meta["number"], align=C, size=12.5)
    if source.meta.get("vv"):
        _docx_para(lc, source.meta["vv"], align=C, size=12)
    if source.party:
        p = rc.paragraphs[0]
        _docx_runs(p, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, size=12.5)
    else:
        p = rc.paragraphs[0]
        _docx_runs(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12.5)
        p.alignment = C
        p = _docx_para(rc, "Độc lập - Tự do - Hạnh phúc", align=C, bold=True)
    rc.paragraphs[0].alignment = C
    if source.meta.get("place_date"):
        _docx_para(rc, source.meta["place_date"], align=C, italic=True)


def _docx_table(d, rows: list[list[str]]) -> None:
    """A ruled task table whose header row repeats on every page; section rows span the table."""
    C = WD_ALIGN_PARAGRAPH.CENTER
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = _column_widths(rows[0], 162)
    for r, row in enumerate(rows):
        cells = t.rows[r].cells
        if r == 0:
            # Repeat the header row on each page (w:tblHeader).
            trpr = t.rows[0]._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            trpr.append(el)
        if r > 0 and _is_section_row(row):
            merged = cells[0].merge(cells[-1])
            merged.paragraphs[0].text = ""
            _docx_runs(merged.paragraphs[0], strip_markup(row[0]), bold=True, size=11)
            continue
        for c, text in enumerate(row):
            cells[c].width = Mm(widths[c])
            p = cells[c].paragraphs[0]
            _docx_runs(p, strip_markup(text) if r == 0 else text, bold=(r == 0) or None, size=11)
            if r == 0 or c == 0 or c == len(row) - 1:
                p.alignment = C


def _docx_closing(d, pair: list[Block]) -> None:
    """Nơi nhận (left) and the signature block (right), side by side in a borderless table."""
    t = d.add_table(rows=1, cols=2)
    _docx_no_borders(t)
    for blk in pair:
        cell = t.rows[0].cells[0 if blk.kind == "recipients" else 1]
        firstp = True
        for line in blk.lines:
            s = line.strip()
            p = cell.paragraphs[0] if firstp else cell.add_paragraph()
            firstp = False
            if blk.kind == "recipients":
                _docx_runs(p, strip_markup(s), bold=s.startswith("Nơi nhận") or None,
                           italic=s.startswith("Nơi nhận") or None, size=12 if s.startswith("Nơi nhận") else 11)
            else:
                _docx_runs(p, s)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _rezip_fixed(data: bytes, out: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zi, zin.read(info.filename))


# ------------------------------------------------------------------ scanned copies

SCAN_DPI = 200


def _font(size: int, bold: bool = True):
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _text_lines_in(page, left, top, right, bottom) -> str:
    """Text of a page region (PDF points, top-left origin) from the text layer."""
    tp = page.get_textpage()
    h = page.get_height()
    try:
        return tp.get_text_bounded(left=left, bottom=h - bottom, right=right, top=h - top)
    finally:
        tp.close()


def _find_signature(pdf) -> tuple[int, tuple[float, float, float, float]] | None:
    """(page index, bbox in points, top-left origin) of the signer's title lines: the block
    that starts with an authority prefix (T/M, TM., KT., TL., TUQ., Q.) on the right half."""
    pat = re.compile(r"^\s*(T/M|TM\.|KT\.|TL\.|TUQ\.|Q\.)\s", re.M)
    for idx in range(len(pdf) - 1, -1, -1):
        page = pdf[idx]
        w, h = page.get_width(), page.get_height()
        tp = page.get_textpage()
        try:
            text = tp.get_text_range()
            m = pat.search(text)
            if not m:
                continue
            # locate the match through a text search to get its box
            needle = m.group(0).strip() + " "
            line = text[m.start():text.find("\n", m.start()) if "\n" in text[m.start():] else len(text)].strip()
            searcher = tp.search(line[:20], match_case=True)
            pos = searcher.get_next()
            searcher.close()
            if pos is None:
                continue
            start, count = pos
            boxes = [tp.get_charbox(k) for k in range(start, start + count)]
            x0 = min(b[0] for b in boxes); x1 = max(b[2] for b in boxes)
            y0 = min(b[1] for b in boxes); y1 = max(b[3] for b in boxes)
            if x0 < w * 0.35:
                continue
            return idx, (x0, h - y1, x1, h - y0)
        finally:
            tp.close()
    return None


def _issuer_text(pdf) -> str:
    page = pdf[0]
    w, h = page.get_width(), page.get_height()
    text = _text_lines_in(page, 0, 0, w * 0.45, h * 0.16)
    lines = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("Số") or s == "*" or s.startswith("V/v"):
            break
        lines.append(s)
    return " ".join(lines) or "ỦY BAN NHÂN DÂN"


def _date_text(pdf) -> dt.date | None:
    page = pdf[0]
    text = _text_lines_in(page, 0, 0, page.get_width(), page.get_height() * 0.2)
    m = re.search(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _seal_image(text: str, diameter: int, rng):
    """A red round seal: two rings, the issuer's name around, a star in the middle."""

    size = diameter
    img = Image.new("L", (size, size), 0)     # alpha mask: ink where > 0
    d = ImageDraw.Draw(img)
    c = size / 2
    ring = max(3, size // 60)
    d.ellipse([ring, ring, size - ring, size - ring], outline=255, width=ring)
    inner = size * 0.30
    d.ellipse([c - inner, c - inner, c + inner, c + inner], outline=255, width=max(2, ring - 1))
    # star
    r_out, r_in = size * 0.13, size * 0.055
    pts = []
    for k in range(10):
        ang = -math.pi / 2 + k * math.pi / 5
        r = r_out if k % 2 == 0 else r_in
        pts.append((c + r * math.cos(ang), c + r * math.sin(ang)))
    d.polygon(pts, fill=255)
    # text around the ring, from about 8 o'clock clockwise over the top to 4 o'clock
    label = " ".join(text.upper().split())
    font = _font(max(10, size // 13))
    radius = size * 0.40
    span = math.radians(300)
    start = math.radians(120)       # measured clockwise from the positive x axis, screen coords
    n = max(1, len(label))
    for k, ch in enumerate(label):
        ang = start + span * (k + 0.5) / n
        x = c + radius * math.cos(ang)
        y = c + radius * math.sin(ang)
        glyph = Image.new("L", (font.size * 2, font.size * 2), 0)
        ImageDraw.Draw(glyph).text((font.size, font.size), ch, fill=255, font=font, anchor="mm")
        glyph = glyph.rotate(-math.degrees(ang) - 90, resample=Image.BICUBIC)
        img.paste(255, (int(x - font.size), int(y - font.size)), glyph)
    # uneven inking

    a = np.asarray(img, dtype=np.float32)
    a *= rng.uniform(0.55, 1.0, size=a.shape).astype(np.float32)
    return Image.fromarray(a.clip(0, 255).astype("uint8"))


def _stamp_image(lines: list[str], scale: float, rng):
    """A blue rectangular incoming-mail stamp ("ĐẾN")."""

    font = _font(int(22 * scale))
    big = _font(int(34 * scale))
    pad = int(12 * scale)
    line_h = int(30 * scale)
    widths = [font.getlength(s) for s in lines] + [big.getlength("ĐẾN") + font.getlength("  Số: 0000")]
    w = int(max(widths) + 2 * pad)
    h = int(pad * 2 + line_h * (len(lines) + 1))
    img = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(img)
    d.rectangle([1, 1, w - 2, h - 2], outline=255, width=max(2, int(3 * scale)))
    y = pad
    for k, s in enumerate(lines):
        if s.startswith("ĐẾN"):
            d.text((pad, y - int(6 * scale)), "ĐẾN", fill=255, font=big)
            d.text((pad + big.getlength("ĐẾN") + 8, y), s[3:].strip(), fill=255, font=font)
            y += int(line_h * 1.3)
        else:
            d.text((pad, y), s, fill=255, font=font)
            y += line_h

    a = np.asarray(img, dtype=np.float32) * rng.uniform(0.5, 0.95, size=(h, w)).astype(np.float32)
    return Image.fromarray(a.clip(0, 255).astype("uint8"))


def _handwriting(lines: list[str], scale: float, rng):
    """Marginal notes in a hurried slanted hand (oblique glyphs, each jittered), as a mask."""

    size = int(26 * scale)
    font = _font(size, bold=False)
    try:

        font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Oblique.ttf"), size)
    except OSError:
        pass
    width = int(max(font.getlength(s) for s in lines) * 1.15) + size * 2
    height = int(len(lines) * size * 1.6) + size
    img = Image.new("L", (width, height), 0)
    for k, line in enumerate(lines):
        x = size * 0.5 + k * size * 0.8
        y = size * 0.4 + k * size * 1.5
        for ch in line:
            glyph = Image.new("L", (size * 2, size * 2), 0)
            ImageDraw.Draw(glyph).text((size // 2, size // 3), ch, fill=255, font=font)
            glyph = glyph.rotate(float(rng.uniform(-8, 8)), resample=Image.BICUBIC)
            img.paste(255, (int(x), int(y + rng.normal(0, size * 0.06))), glyph)
            x += font.getlength(ch) * rng.uniform(1.0, 1.12)
    return img.rotate(float(rng.uniform(4, 9)), expand=True, resample=Image.BICUBIC)


def _ink(page_rgb, mask, color, xy, opacity: float):
    """Multiply coloured ink into the page where the mask says (a stamp on paper)."""

    x, y = xy
    W, H = page_rgb.size
    mw, mh = mask.size
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(W, x + mw), min(H, y + mh)
    if x1 <= x0 or y1 <= y0:
        return page_rgb
    arr = np.asarray(page_rgb, dtype=np.float32)
    m = np.asarray(mask, dtype=np.float32)[y0 - y:y1 - y, x0 - x:x1 - x, None] / 255.0 * opacity
    ink = np.array(color, dtype=np.float32)[None, None, :] / 255.0
    region = arr[y0:y1, x0:x1, :]
    arr[y0:y1, x0:x1, :] = region * (1 - m) + region * ink * m
    return Image.fromarray(arr.clip(0, 255).astype("uint8"))


def _scribble(page_rgb, box, rng):
    """A handwritten-looking signature stroke in dark ink inside box (pixels)."""

    d = ImageDraw.Draw(page_rgb)
    x0, y0, x1, y1 = box
    pts = []
    n = 40
    for k in range(n):
        t = k / (n - 1)
        x = x0 + (x1 - x0) * t
        y = (y0 + y1) / 2 + (y1 - y0) * 0.35 * math.sin(t * rng.uniform(9, 14)) * (1 - 0.5 * t)
        pts.append((x, y + rng.normal(0, 1.5)))
    d.line(pts, fill=(30, 35, 90), width=3, joint="curve")
    return page_rgb


def render_scan(pdf: Path, out_pdf: Path, *, seed: int, dpi: int = SCAN_DPI, quality: int = 70,
                stamp_lines: list[str] | None = None, notes: list[str] | None = None) -> Path:
    """Make a scanned-looking, image-only copy of a PDF.  Deterministic for a seed.

    stamp_lines: the incoming-mail stamp's lines (default: a generic "ĐẾN" stamp);
    notes: handwritten notes to put in the top margin of page 1 (default: none)."""

    rng = np.random.default_rng(seed)
    doc = pdfium.PdfDocument(str(pdf))
    try:
        sig = _find_signature(doc)
        issuer = _issuer_text(doc)
        date = _date_text(doc)
        scale = dpi / 72.0
        jpegs: list[tuple[bytes, float, float]] = []
        for idx in range(len(doc)):
            page = doc[idx]
            wpt, hpt = page.get_width(), page.get_height()
            bitmap = page.render(scale=scale, grayscale=True)
            img = bitmap.to_pil().convert("L")
            # paper: not quite white, toner not quite black
            a = np.asarray(img, dtype=np.float32)
            a = 28 + a * (236 - 28) / 255.0
            img = Image.fromarray(a.clip(0, 255).astype("uint8")).convert("RGB")
            if idx == 0:
                lines = stamp_lines or _default_stamp(rng, date)
                stamp = _stamp_image(lines, scale / (300 / 72) * 1.6, rng)
                stamp = stamp.rotate(float(rng.uniform(-4, 4)), expand=True, resample=Image.BICUBIC)
                pos = (int(img.width * rng.uniform(0.05, 0.10)), int(img.height * rng.uniform(0.15, 0.21)))
                img = _ink(img, stamp, (40, 70, 185), pos, 0.85)
                if notes:
                    hand = _handwriting(notes, scale / (200 / 72), rng)
                    # in the blank top margin, right of centre, where clerks write instructions
                    hx = int(img.width * rng.uniform(0.40, 0.52))
                    hy = int(img.height * rng.uniform(0.003, 0.012))
                    img = _ink(img, hand, (25, 45, 120), (hx, hy), 0.9)
            if sig and sig[0] == idx:
                x0, top, x1, bottom = (v * scale for v in sig[1])
                # signature stroke below the title lines, then the seal over its left part
                sx = (x0 + x1) / 2
                _scribble(img, (int(sx - 50 * scale), int(bottom + 18 * scale),
                                int(sx + 45 * scale), int(bottom + 48 * scale)), rng)
                diameter = int(112 * scale)
                seal = _seal_image(issuer, diameter, rng)
                seal = seal.rotate(float(rng.uniform(-25, 25)), resample=Image.BICUBIC)
                cx = sx - 38 * scale + rng.uniform(-8, 8) * scale
                cy = bottom + 34 * scale + rng.uniform(-6, 6) * scale
                img = _ink(img, seal, (215, 30, 40), (int(cx - diameter / 2), int(cy - diameter / 2)), 0.9)
            # grey scanner look: slight blur, noise, a few specks, then the skew
            img = img.filter(ImageFilter.GaussianBlur(radius=0.55))
            arr = np.asarray(img, dtype=np.float32)
            arr += rng.normal(0, 5.0, size=arr.shape[:2])[:, :, None]
            specks = rng.integers(0, arr.shape[0] * arr.shape[1], size=int(arr.shape[0] * arr.shape[1] * 2e-5))
            arr.reshape(-1, 3)[specks] *= 0.35
            img = Image.fromarray(arr.clip(0, 255).astype("uint8"))
            angle = float(rng.uniform(0.3, 1.5) * rng.choice([-1, 1]))
            img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(236, 236, 236))
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=quality, optimize=True, dpi=(dpi, dpi))
            jpegs.append((buf.getvalue(), wpt, hpt))
    finally:
        doc.close()

    out_pdf = Path(out_pdf)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    c = rl_canvas.Canvas(str(out_pdf), invariant=1, pageCompression=0)
    c.setTitle(Path(pdf).stem)
    c.setCreator("scanner")
    for data, wpt, hpt in jpegs:
        c.setPageSize((wpt, hpt))
        # reportlab embeds JPEG data unchanged (DCTDecode): no second lossy pass.
        c.drawImage(ImageReader(io.BytesIO(data)), 0, 0, width=wpt, height=hpt)
        c.showPage()
    c.save()
    return out_pdf


def _default_stamp(rng, date: dt.date | None) -> list[str]:
    received = (date or dt.date(2025, 1, 2)) + dt.timedelta(days=int(rng.integers(1, 4)))
    return ["VĂN PHÒNG", f"ĐẾN Số: {int(rng.integers(100, 3000))}", f"Ngày: {received:%d/%m/%y}"]


def notes_from(src: Source) -> list[str] | None:
    s = src.meta.get("notes")
    return [p.strip() for p in s.split("|") if p.strip()] if s else None


def stamp_lines_from(src: Source) -> list[str] | None:
    s = src.meta.get("stamp")
    if not s:
        return None
    return [p.strip() for p in s.split("|") if p.strip()]


# ------------------------------------------------------------------ CLI

def digital_name(src: Source) -> str:
    return f"{src.stem}.{'docx' if src.output_format == 'docx' else 'pdf'}"


def render_source(src_path: Path, out_dir: Path) -> Path:
    src = parse_source(src_path)
    if src.output_format == "docx":
        return render_docx(src_path, out_dir / digital_name(src))
    return render_digital(src_path, out_dir / digital_name(src))


def scan_source(src_path: Path, out_dir: Path, *, seed: int | None = None) -> Path:
    """Scanned copy of a source: render a digital PDF to a temporary file (DOCX sources too),
    then scan it.  The seed defaults to a stable hash of the file name."""

    src = parse_source(src_path)
    if seed is None:
        seed = zlib.crc32(src.stem.encode("utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        pdf = render_digital(src_path, Path(tmp) / f"{src.stem}.pdf")
        return render_scan(pdf, out_dir / f"{src.stem}-scan.pdf", seed=seed, stamp_lines=stamp_lines_from(src),
                           notes=notes_from(src))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scripts.render_samples", description=__doc__.split("\n\n")[0])
    ap.add_argument("sources", nargs="*", type=Path, help="source .md files (default: corpora/samples/src/*.md)")
    ap.add_argument("--scan", action="store_true", help="write scanned-looking copies (<stem>-scan.pdf)")
    ap.add_argument("--all", action="store_true", help="write both the digital files and the scanned copies")
    ap.add_argument("--out", type=Path, help="output folder (default: corpora/samples/pdf, or .../scan with --scan)")
    ap.add_argument("--seed", type=int, help="seed for the scanned copies (default: per file name)")
    args = ap.parse_args(argv)
    sources = args.sources or sorted(SRC_DIR.glob("*.md"))
    failed = 0
    for s in sources:
        try:
            if args.all or not args.scan:
                out = render_source(s, args.out or SAMPLES / "pdf")
                print(out)
            if args.all or args.scan:
                out = scan_source(s, (args.out if args.scan and not args.all else None) or SAMPLES / "scan",
                                  seed=args.seed)
                print(out)
        except SourceError as exc:
            print(exc, file=sys.stderr)            # it names the file and line already
            failed += 1
        except OSError as exc:
            print(f"{s}: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
