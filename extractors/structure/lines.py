"""Lines of a document in reading order, furniture removed (joining them: common.join_text).

Furniture is what a page carries that is not the document's content: incoming-mail stamps
(`ĐẾN Số: 1529 Ngày: 10/5/23 Chuyển: …`), digital-signature stamps (`Ký bởi: … Thời gian ký: …`),
page numbers, running headers/footers repeated on every page, seal text.  It must never reach a
section, or a stamp's `Số: 1529` becomes a task.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Optional

from extractors.keys import text_key
from extractors.structure.common import fold
from extractors.structure.tables import is_task_table, table_columns
from extractors.text import normalize_text
from extractors.types import Document


@dataclass
class Line:
    text: str
    page: int
    idx: int = 0
    x0: Optional[float] = None
    x1: Optional[float] = None
    top: Optional[float] = None
    bottom: Optional[float] = None
    size: Optional[float] = None
    bold: Optional[bool] = None
    page_width: float = 0.0
    page_height: float = 0.0
    source: str = "text"
    confidence: Optional[float] = None
    furniture: Optional[str] = None       # why it was dropped
    tags: set = field(default_factory=set)

    @property
    def f(self) -> str:
        return fold(self.text)


_GAP_RE = re.compile(r"\s{3,}")


def document_lines(document: Document) -> list[Line]:
    """One Line per text line of the document's blocks (table text excluded: tables are read from
    Document.tables).  Runs of 3+ spaces inside a line (two columns printed side by side, as the
    header and the signature block are) are kept: the header parser splits on them."""
    out: list[Line] = []
    # Table text is read from Document.tables when the table assigns tasks; a layout table (the
    # header and signature grids of a Word file) is ordinary text.
    task_cell_lines = set()
    for t in document.tables:
        if is_task_table(table_columns(t)):
            for r in t.rows:
                for c in r.cells:
                    task_cell_lines.update(text_key(x) for x in c.text.split("\n") if x.strip())
    for page in document.pages:
        for b in page.blocks:
            if b.in_table and (not document.tables or any(text_key(x) in task_cell_lines for x in b.text.split("\n") if x.strip())
                               or not any(x.strip() for x in b.text.split("\n"))):
                continue
            first = True
            for raw in b.text.split("\n"):
                raw = raw.replace("\t", "    ")
                text = normalize_text(raw).rstrip()
                # normalize_text collapses runs of spaces; recover column gaps from the raw line
                gaps = [m.start() for m in _GAP_RE.finditer(raw.strip())]
                if gaps:
                    text = "   ".join(normalize_text(seg).strip() for seg in _GAP_RE.split(raw.strip()) if seg.strip())
                    indent = len(raw) - len(raw.lstrip())
                else:
                    indent = len(raw) - len(raw.lstrip())
                    text = text.strip()
                if not text:
                    continue
                x0, top, x1, bottom = b.bbox if b.bbox else (None, None, None, None)
                if x0 is None and indent:
                    x0 = float(indent)   # plain text: leading spaces stand in for the indent
                out.append(Line(text=text, page=b.page or page.number, x0=x0, x1=x1, top=top, bottom=bottom,
                                size=b.size, bold=b.bold, page_width=page.width, page_height=page.height,
                                source=b.source, confidence=b.confidence))
                if first and b.source == "docx":
                    out[-1].tags.add("paragraph-start")  # the author's own Word paragraph begins here
                first = False
    for i, ln in enumerate(out):
        ln.idx = i
    return out


# ---------------------------------------------------------------- furniture

_SIGNATURE_STAMP = re.compile(
    r"^(ky boi|nguoi ky|duoc ky boi|ky so boi|signed by|signature (not )?(verified|valid)|email|co quan|"
    r"thoi gian ky|ngay ky|date|reason|location)\s*:")
_INCOMING = re.compile(
    r"^(den|cong van den|cv den|van ban den)\s*$|^den\b.{0,6}(so|ngay)\s*:|^(so|ngay)\s*:\s*\d[\d/.\s-]*$|"
    r"^chuy[eê]n\s*:|^chuyen\s*:|^luu ho so so|^so va ky hieu ho so|^ngay\s*:\s*\d{1,2}\s*/\s*\d{1,2}(\s*/\s*\d{2,4})?\b")
_PAGE_NO = re.compile(r"^[-–—\s]*(trang\s*)?\d{1,3}(\s*/\s*\d{1,3})?[-–—\s]*$")
_SEAL = re.compile(r"^\*?\s*(sao y|sao y ban chinh|ban sao)\s*\*?$")
_URL = re.compile(r"^(https?://|www\.)\S+$", re.I)


def _median(values):
    vals = [v for v in values if v]
    return statistics.median(vals) if vals else None


def mark_furniture(lines: list[Line]) -> list[Line]:
    """Mark furniture lines (Line.furniture = reason) and return the content lines."""
    body_size = _median([ln.size for ln in lines])
    # 1. digital-signature and incoming-mail stamps, by their own words
    for ln in lines:
        f = ln.f
        if _SIGNATURE_STAMP.match(f):
            ln.furniture = "signature-stamp"
        elif _INCOMING.match(f):
            ln.furniture = "incoming-stamp"
        elif _SEAL.match(f) or _URL.match(ln.text.strip()):
            ln.furniture = "seal"
    # 2. the stamp's other lines (the receiving unit, `Số và ký hiệu hồ sơ`): small print next to a stamp line
    if body_size:
        for i, ln in enumerate(lines):
            if ln.furniture in ("incoming-stamp", "signature-stamp"):
                for j in range(max(0, i - 4), min(len(lines), i + 5)):
                    o = lines[j]
                    if o.furniture or o.page != ln.page or not o.size:
                        continue
                    if o.size < 0.85 * body_size and (ln.top is None or o.top is None or abs(o.top - ln.top) < 80):
                        o.furniture = ln.furniture
    # 3. page numbers: a bare number as the first or last line of a page
    by_page: dict[int, list[Line]] = {}
    for ln in lines:
        if not ln.furniture:
            by_page.setdefault(ln.page, []).append(ln)
    for page, pls in by_page.items():
        for ln in (pls[:1] + pls[-1:]):
            if _PAGE_NO.match(ln.f) and (ln.top is None or not ln.page_height or ln.top < 0.12 * ln.page_height
                                         or ln.top > 0.85 * ln.page_height or len(pls) > 3):
                ln.furniture = "page-number"
    # 4. running headers/footers: the same text (digits ignored) in the top or bottom margin of 3+ pages
    #    (half of them at least).  A list item that happens to end several pages is content.
    def margin_lines(pls: list[Line]) -> list[Line]:
        out = []
        for ln in pls[:2] + pls[-2:]:
            if ln.top is not None and ln.page_height:
                if ln.top < 0.08 * ln.page_height or ln.top > 0.92 * ln.page_height:
                    out.append(ln)
            elif ln is pls[0] or ln is pls[-1]:
                out.append(ln)
        return [ln for ln in out if not re.match(r"^([-+•]|\d{1,2}[.)]|[a-zđ]\)|[IVX]+\.)\s", ln.text.strip())]

    if len(by_page) >= 3:
        seen: dict[str, set] = {}
        for page, pls in by_page.items():
            for ln in margin_lines(pls):
                key = re.sub(r"\d+", "#", ln.f)
                if len(key) > 3:
                    seen.setdefault(key, set()).add(page)
        running = {k for k, pages in seen.items() if len(pages) >= max(3, len(by_page) // 2)}
        for page, pls in by_page.items():
            for ln in margin_lines(pls):
                if re.sub(r"\d+", "#", ln.f) in running:
                    ln.furniture = "running-header"
    # 5. OCR of handwriting or stamps: very low confidence, few real words
    for ln in lines:
        if not ln.furniture and ln.confidence is not None and ln.confidence < 35 and len(ln.text) < 40:
            ln.furniture = "low-confidence"
    return [ln for ln in lines if not ln.furniture]
