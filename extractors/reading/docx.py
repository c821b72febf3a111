"""DOCX with python-docx: paragraphs and tables in body order, bold/italic where set.

A .docx has no fixed pages: pages follow the breaks Word recorded at its last layout
(w:lastRenderedPageBreak) and explicit page breaks, so a file saved by Word gets roughly
Word's pages and one generated elsewhere is one page.  Word's own page count (from
docProps/app.xml) goes to metadata["word_pages"].  Small two-column tables without a grid
of data (issuer | motto at the top, Nơi nhận | signer at the bottom) are layout, not data:
read column by column like the PDF reader reads side-by-side blocks, and not listed in
Document.tables.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Optional

import docx
from docx.blkcntnr import BlockItemContainer
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from extractors.reading import tables as tab
from extractors.text import normalize_text
from extractors.types import Block, Cell, Document, Page, ReadError, Row, Table

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _Styles:
    """Style flags resolved once per style id (python-docx looks styles up linearly)."""

    def __init__(self, document) -> None:
        self._by_id = {}
        for st in document.styles:
            try:
                self._by_id[st.style_id] = st
            except (AttributeError, KeyError, ValueError):  # pragma: no cover - odd style parts of a broken file
                continue
        self._cache: dict[tuple[str | None, str], object] = {}
        default = document.styles.default(1) if hasattr(document.styles, "default") else None  # paragraph
        self._default_id = default.style_id if default is not None else None

    def flag(self, style_id: str | None, attr: str):
        key = (style_id, attr)
        if key in self._cache:
            return self._cache[key]
        v = None
        st = self._by_id.get(style_id) if style_id else self._by_id.get(self._default_id)
        seen = 0
        while st is not None and seen < 20:
            f = getattr(st, "font", None)
            got = getattr(f, attr, None) if f is not None else None
            if got is not None:
                v = got.pt if attr == "size" else got
                break
            st = st.base_style
            seen += 1
        self._cache[key] = v
        return v


_TYPED_MARKER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|\(\d{1,2}\)|[a-zđ]\)|[IVX]{1,5}\.|[-–+•*])\s")


class _Numbering:
    """Word's automatic list numbers ("1.", "a)", "-"), which are not in a paragraph's text: the
    structure stage finds sections by these markers, so a heading numbered by Word must carry its
    number like a typed one.  Counters per list, deeper levels restart when a level moves on."""

    _ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}   # numId -> ilvl -> (fmt, text, start)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except NotImplementedError:  # python-docx cannot create the missing numbering part: nothing is numbered
            return
        abstract = {}
        for an in root.iter(f"{_W}abstractNum"):
            lv = {}
            for lvl in an.iter(f"{_W}lvl"):
                get = lambda tag: (lvl.find(f"{_W}{tag}").get(f"{_W}val") if lvl.find(f"{_W}{tag}") is not None else None)  # noqa: E731
                try:
                    start = int(get("start") or 1)
                    lv[int(lvl.get(f"{_W}ilvl"))] = (get("numFmt") or "decimal", get("lvlText") or "", start)
                except ValueError:
                    continue
            abstract[an.get(f"{_W}abstractNumId")] = lv
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{_W}numId")] = abstract.get(ref.get(f"{_W}val"), {})

    def _fmt(self, fmt: str, n: int) -> str:
        if fmt in ("lowerLetter", "upperLetter"):
            s = chr(ord("a") + (n - 1) % 26)
            return s.upper() if fmt == "upperLetter" else s
        if fmt in ("lowerRoman", "upperRoman"):
            out, left = "", n
            for v, r in self._ROMAN:
                while left >= v:
                    out, left = out + r, left - v
            return out.lower() if fmt == "lowerRoman" else out
        return str(n)

    def label(self, p_el) -> str:
        """The marker Word shows before this paragraph, or ""."""
        ppr = p_el.find(f"{_W}pPr")
        npr = ppr.find(f"{_W}numPr") if ppr is not None else None
        if npr is None:
            return ""
        nid, il = npr.find(f"{_W}numId"), npr.find(f"{_W}ilvl")
        num_id = nid.get(f"{_W}val") if nid is not None else None
        ilvl = int(il.get(f"{_W}val") or 0) if il is not None else 0
        levels = self.levels.get(num_id or "0")
        if not levels or ilvl not in levels:
            return ""
        fmt, text, start = levels[ilvl]
        if fmt == "bullet" or fmt == "none":
            return "-" if fmt == "bullet" else ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        label = text
        for k in range(ilvl + 1):
            kfmt, _, kstart = levels.get(k, ("decimal", "", 1))
            label = label.replace(f"%{k + 1}", self._fmt(kfmt, counters.get(k, kstart)))
        return label.strip()


def _para_block(paragraph, number: int, styles: "_Styles", *, in_table: bool = False, label: str = "") -> Block | None:
    text = normalize_text(paragraph.text).strip()
    if not text:
        return None
    if label and not _TYPED_MARKER.match(text):
        text = f"{label} {text}"    # unless the author typed a number as well
    counts = {"bold": 0, "italic": 0}
    total = 0
    sizes: list[float] = []
    pstyle = paragraph._p.style
    default = {k: styles.flag(pstyle, k) for k in counts}
    for run in paragraph.runs:
        n = len(run.text.strip())
        if not n:
            continue
        total += n
        rstyle = run._r.style
        for k in counts:
            v = getattr(run, k)
            if v is None and rstyle:
                v = styles.flag(rstyle, k)
            if v is None:
                v = default[k]
            if v:
                counts[k] += n
        if run.font.size is not None:
            sizes.append(run.font.size.pt)
    if not sizes:
        sz = styles.flag(pstyle, "size")
        if sz:
            sizes.append(sz)
    return Block(
        text=text, page=number, kind="paragraph", source="docx", in_table=in_table,
        bold=(counts["bold"] / total > 0.6) if total else None,
        italic=(counts["italic"] / total > 0.6) if total else None,
        size=max(set(sizes), key=sizes.count) if sizes else None,
    )


def _span(tc) -> int:
    pr = tc.tcPr
    if pr is None:
        return 1
    gs = pr.find(f"{_W}gridSpan")
    if gs is None:
        return 1
    try:
        return max(1, int(gs.get(f"{_W}val")))
    except (TypeError, ValueError):
        return 1


def _read_table(table, number: int, styles: "_Styles", pager: Optional["_Pager"] = None) -> tuple[Table, list[list[list[Block]]]]:
    """Table model + each cell's paragraph blocks (rows x cells x blocks)."""
    rows: list[Row] = []
    blocks: list[list[list[Block]]] = []
    for tr in table._tbl.tr_lst:
        if pager is not None:
            # A row holding Word's page-break marker starts on the next page.
            if _breaks(tr):
                pager.turn()
            number = pager.number
            pager.fresh = False
        cells: list[Cell] = []
        cell_blocks: list[list[Block]] = []
        col = 0
        for tc in tr.tc_lst:
            cell = BlockItemContainer(tc, table)   # the cell's paragraphs and nested tables
            span = _span(tc)
            bs = [b for b in (_para_block(p, number, styles, in_table=True) for p in cell.paragraphs) if b]
            # A cell's nested tables: their text belongs to the cell.
            for inner in cell.tables:
                inner_t, _ = _read_table(inner, number, styles)
                for r in inner_t.rows:
                    line = " | ".join(c.text for c in r.cells if c.text)
                    if line:
                        bs.append(Block(text=line, page=number, kind="paragraph", source="docx", in_table=True))
            text = "\n".join(b.text for b in bs)
            cells.append(Cell(text=text, page=number, col=col, colspan=span))
            cell_blocks.append(bs)
            col += span
        if cells:
            rows.append(Row(cells=cells, page=number, pages=[number]))
            blocks.append(cell_blocks)
    start = rows[0].page if rows else number
    end = rows[-1].page if rows else number
    return Table(rows=rows, page_start=start, page_end=end, source="docx"), blocks


class _Pager:
    """The current page, from the page breaks Word recorded when it last laid the document
    out (w:lastRenderedPageBreak) and explicit page breaks: close to Word's own pages."""

    def __init__(self) -> None:
        self.number = 1
        self.fresh = True     # nothing placed on the current page yet

    def turn(self) -> None:
        # An explicit break is followed by Word's rendered-break marker at the top of the
        # next page: one page turn, not two.
        if not self.fresh:
            self.number += 1
            self.fresh = True


_BREAK_TAGS = (f"{_W}lastRenderedPageBreak", f"{_W}br")


def _is_break(el) -> bool:
    if el.tag == f"{_W}lastRenderedPageBreak":
        return True
    return el.tag == f"{_W}br" and el.get(f"{_W}type") == "page"


def _breaks(el) -> bool:
    return any(_is_break(e) for e in el.iter(*_BREAK_TAGS))


def _paragraph_break(p_el) -> Optional[str]:
    """'before' when a page break precedes the paragraph's text, 'after' when it falls
    inside or after it, None without a break."""
    seen_text = False
    for e in p_el.iter(f"{_W}t", *_BREAK_TAGS):
        if e.tag == f"{_W}t":
            if e.text and e.text.strip():
                seen_text = True
        elif _is_break(e):
            return "after" if seen_text else "before"
    return None


def _is_layout(t: Table) -> bool:
    ncols = tab.column_count(t)
    return ncols == 2 and len(t.rows) <= 4 and all(len(r.cells) <= 2 for r in t.rows)


def word_page_count(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("docProps/app.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    m = re.search(r"<Pages>(\d+)</Pages>", xml)
    return m.group(1) if m else None


def read_docx(path: Path, doc: Document) -> None:
    try:
        d = docx.Document(str(path))
    # What python-docx and lxml raise for a broken package (lxml's XMLSyntaxError is a SyntaxError).
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
        doc.status = "failed"
        doc.errors.append(ReadError(code="corrupt-docx", message=f"corrupt DOCX ({type(exc).__name__}: {exc})"))
        return
    styles = _Styles(d)
    numbering = _Numbering(d)
    pager = _Pager()
    blocks: list[Block] = []
    tables: list[Table] = []
    for child in d.element.body.iterchildren():
        if child.tag == f"{_W}p":
            where = _paragraph_break(child)
            if where == "before":
                pager.turn()
            b = _para_block(Paragraph(child, d), pager.number, styles, label=numbering.label(child))
            if b:
                blocks.append(b)
                pager.fresh = False
            if where == "after":
                pager.turn()
        elif child.tag == f"{_W}tbl":
            t, cell_blocks = _read_table(DocxTable(child, d), pager.number, styles, pager)
            if not t.rows:
                continue
            if _is_layout(t):
                ncol = max(len(r) for r in cell_blocks)
                for c in range(ncol):
                    for r in cell_blocks:
                        if c < len(r):
                            blocks.extend(b.model_copy(update={"in_table": False}) for b in r[c])
                continue
            for r in cell_blocks:
                for bs in r:
                    blocks.extend(bs)
            tables.append(t)
    # Pages as Word last laid them out (one page when the file never went through Word).
    last = max([b.page for b in blocks] + [1])
    pages = [Page(number=n, source="docx") for n in range(1, last + 1)]
    for b in blocks:
        pages[b.page - 1].blocks.append(b)
    doc.pages.extend(pages)
    # Word tables are already whole: only section rows and headers are normalised.
    doc.tables = [tab.normalise_rows(t) for t in tables]
    pages = word_page_count(path)
    if pages:
        doc.metadata["word_pages"] = pages
    cp = d.core_properties
    for k in ("title", "author", "subject"):
        v = getattr(cp, k, None)
        if v:
            doc.metadata[f"docx_{k}"] = normalize_text(str(v))[:300]
