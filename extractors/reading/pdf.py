"""Born-digital PDF pages with pdfium: characters with boxes and fonts, lines, reading
order, ruled tables; plus the per-page verdict on whether the text layer is usable.

Page by page, so a 300-page file needs memory for one page at a time (plus the output).
"""
from __future__ import annotations

import bisect
import ctypes
import datetime as dt
import math
import re
import time
from dataclasses import dataclass, field
from typing import Optional

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from extractors.reading import layout, tables as tab
from extractors.reading.annotations import annotation_texts, parse_signature
from extractors.reading.quality import REASONS, TextQuality, assess_text
from extractors.text import normalize_text
from extractors.types import Block, Cell, Page, ReadError, Row, Signature, Table

# Rotated text (more than this many degrees off the horizontal) is stamp or handwriting
# drawn over the page ("ĐẾN" incoming-mail stamps, a reader's notes): not the document's
# text, so it goes to Page.overlays, out of reading order.
_MAX_ANGLE = 1.5


@dataclass
class PdfPageResult:
    page: Page
    tables: list[Table] = field(default_factory=list)
    quality: Optional[TextQuality] = None
    errors: list[ReadError] = field(default_factory=list)
    first_is_table: bool = False    # the page's flow starts with a table (after furniture)
    last_is_table: bool = False     # ... and ends with one
    invisible: bool = False         # text drawn in render mode 3 (an earlier OCR's layer)
    signatures: list[Signature] = field(default_factory=list)
    widget_blocks: list[Block] = field(default_factory=list)   # filled-in fields, for an OCR'd page


class _FontCache:
    def __init__(self) -> None:
        self._fonts: dict[int, tuple[bool, bool]] = {}
        self._buf = ctypes.create_string_buffer(256)

    def style(self, raw, obj) -> tuple[bool, bool]:
        font = raw.FPDFTextObj_GetFont(obj)
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        got = self._fonts.get(key)
        if got is not None:
            return got
        name = ""
        if font:
            n = raw.FPDFFont_GetBaseFontName(font, self._buf, 256)
            if n > 0:
                name = self._buf.raw[: max(0, n - 1)].decode("utf-8", "replace")
        low = name.lower()
        weight = raw.FPDFFont_GetWeight(font) if font else -1
        angle = ctypes.c_int(0)
        has_angle = bool(font) and raw.FPDFFont_GetItalicAngle(font, angle)
        bold = "bold" in low or "black" in low or "heavy" in low or weight >= 600
        italic = "italic" in low or "oblique" in low or (has_angle and angle.value != 0)
        got = (bold, italic)
        self._fonts[key] = got
        return got

    def style_at(self, raw, obj_addr: int) -> tuple[bool, bool]:
        """style() of the text object at address OBJ_ADDR: the font's address asked with a plain
        int (a ctypes.cast per text object costs more than the call); style() when it is new."""
        key = _fast(raw, "FPDFTextObj_GetFont", ctypes.c_void_p, ctypes.c_void_p)(obj_addr) or 0
        got = self._fonts.get(key)
        if got is None:
            got = self.style(raw, ctypes.cast(obj_addr, raw.FPDF_PAGEOBJECT))
        return got


_FAST: dict = {}


def _fast(raw, name: str, *argtypes):
    """pdfium's function NAME called with plain ints (addresses): per character, ctypes' conversion
    of pointer objects and the struct's field reads cost more than the call itself."""
    fn = _FAST.get(name)
    if fn is None:
        addr = ctypes.cast(getattr(raw, name), ctypes.c_void_p).value
        fn = _FAST[name] = ctypes.CFUNCTYPE(*argtypes)(addr)
    return fn


def _fast_get_text_object(raw):
    """FPDFText_GetTextObject returning a plain int: comparing objects per character
    through ctypes.cast costs more than the call itself."""
    return _fast(raw, "FPDFText_GetTextObject", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)


def _page_text(raw, tp, n: int) -> Optional[str]:
    """All n characters in one call (one UTF-16 unit per character index), or None when
    the mapping is not one-to-one (characters beyond the BMP)."""
    buf = (ctypes.c_ushort * (n + 1))()
    got = raw.FPDFText_GetText(tp, 0, n, buf)
    if got <= 0:
        return None
    units = bytes(memoryview(buf).cast("B"))[: (got - 1) * 2]
    if len(units) != n * 2:
        return None
    text = units.decode("utf-16-le", "surrogatepass")
    if len(text) != n or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return None
    return text


def extract_chars(page, textpage, height: float, fonts: _FontCache) -> tuple[list[layout.Char], list[layout.Char], bool]:
    """pdfium characters -> (upright chars, rotated overlay chars, any invisible text).

    Two pdfium calls per character (its loose box, its text object); font, size and angle
    are read once per text object.  The loose box spans the font's ascent to descent, so
    its bottom is a stable line key for all glyphs of a line, accents or not.
    """
    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    chars: list[layout.Char] = []
    overlay: list[layout.Char] = []
    if n <= 0:
        return chars, overlay, False
    text = _page_text(raw, tp, n)
    rect = raw.FS_RECTF()
    box = (ctypes.c_float * 4).from_buffer(rect)     # left, top, right, bottom: one slice per char
    rect_addr = ctypes.addressof(rect)
    m = raw.FS_MATRIX()
    last_obj = None
    style = (False, False)
    size = 0.0
    rotated = False
    invisible = False
    pending_space = False
    get_obj = _fast_get_text_object(raw)
    get_box = _fast(raw, "FPDFText_GetLooseCharBox", ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    # once per text object, with plain addresses too
    get_mode = _fast(raw, "FPDFTextObj_GetTextRenderMode", ctypes.c_int, ctypes.c_void_p)
    get_size = _fast(raw, "FPDFText_GetFontSize", ctypes.c_double, ctypes.c_void_p, ctypes.c_int)
    get_matrix = _fast(raw, "FPDFText_GetMatrix", ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    m_addr = ctypes.addressof(m)
    invisible_mode = int(raw.FPDF_TEXTRENDERMODE_INVISIBLE)
    tp_addr = ctypes.cast(tp, ctypes.c_void_p).value
    Char = layout.Char
    for i in range(n):
        if text is not None:
            ch = text[i]
        else:
            code = raw.FPDFText_GetUnicode(tp, i)
            try:
                ch = chr(code)
            except ValueError:
                continue
        if ch in " \xa0\t":
            pending_space = True
            continue
        if ch in "\r\n\x00\x02\ufffe":
            continue
        key = get_obj(tp_addr, i)
        if key != last_obj:
            last_obj = key
            if key:
                style = fonts.style_at(raw, key)
                if get_mode(key) == invisible_mode:
                    invisible = True
            size = get_size(tp_addr, i)
            get_matrix(tp_addr, i, m_addr)
            ang = abs(math.degrees(math.atan2(m.b, m.a))) if (m.a or m.b) else 0.0
            rotated = ang > _MAX_ANGLE
        get_box(tp_addr, i, rect_addr)
        left, top, right, low = box[:]
        bottom = height - low
        c = Char(ch, left, height - top, right, bottom, bottom, size or (top - low), style[0], style[1], pending_space)
        pending_space = False
        (overlay if rotated else chars).append(c)
    return chars, overlay, invisible


def _block(piece: layout.Piece, number: int, *, in_table: bool = False) -> Block:
    return Block.model_construct(
        text=normalize_text(piece.text), page=number, bbox=piece.bbox, kind="line",
        bold=piece.bold, italic=piece.italic, size=round(piece.size, 1), source="text",
        in_table=in_table,
    )


IMAGE_PAGE_SHARE = 0.5      # a picture covering half the page or more ...
IMAGE_PAGE_LETTERS = 400    # ... under fewer letters than this (a full text page has ~2000)


def _image_share(page, width: float, height: float) -> float:
    """Share of the page covered by its largest image (0..1)."""
    best = 0.0
    area = max(width * height, 1.0)
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        try:
            x0, y0, x1, y1 = obj.get_bounds()
        except pdfium.PdfiumError:   # an image object without bounds: it covers nothing
            continue
        w = max(0.0, min(x1, width) - max(x0, 0.0))
        h = max(0.0, min(y1, height) - max(y0, 0.0))
        best = max(best, w * h / area)
    return best


def _assign_cells(chars: list[layout.Char], rows_spec) -> dict[tuple[int, int], list[layout.Char]]:
    """Each character to the cell holding its centre: binary search over row tops, then a
    short scan of that row's cells (a table has few columns)."""
    tops = [min(cb[1] for _, _, cb in spec) for spec in rows_spec]
    out: dict[tuple[int, int], list[layout.Char]] = {}
    for ch in chars:
        cx = (ch.x0 + ch.x1) / 2
        cy = (ch.top + ch.bottom) / 2
        r = bisect.bisect_right(tops, cy + 0.5) - 1
        # Rows overlap when a cell spans rows: look at this row and the ones above it.
        for r_i in range(max(r, 0), max(r - 4, -1), -1):
            hit = None
            for c_i, (_, _, cb) in enumerate(rows_spec[r_i]):
                if cb[0] - 1 <= cx <= cb[2] + 1 and cb[1] - 1 <= cy <= cb[3] + 1:
                    hit = c_i
                    break
            if hit is not None:
                out.setdefault((r_i, hit), []).append(ch)
                break
    return out


def _inside(c: layout.Char, bbox) -> bool:
    cx = (c.x0 + c.x1) / 2
    cy = (c.top + c.bottom) / 2
    return bbox[0] - 1 <= cx <= bbox[2] + 1 and bbox[1] - 1 <= cy <= bbox[3] + 1


def read_pdf_page(pdf, index: int, *, find_tables: bool = True, fonts: Optional[_FontCache] = None) -> PdfPageResult:
    """One page of an open pypdfium2 document (0-based index) -> Page + per-page tables."""
    number = index + 1
    fonts = fonts or _FontCache()
    page = pdf[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            chars, overlay_chars, invisible = extract_chars(page, textpage, height, fonts)
        finally:
            textpage.close()
        grids = []
        if find_tables and chars:
            edges = tab.page_edges(page, height)
            if tab.likely_has_table(edges):
                grids = tab.find_grids(edges)
        # Only for pages with little text: is the page mostly a picture (a scan with a
        # short typed note or e-copy stamp)?
        image_share = _image_share(page, width, height) if sum(1 for c in chars if c.text.isalpha()) < IMAGE_PAGE_LETTERS else 0.0
        # most pages have no annotations: asked here, so annotation_texts loads the page again only when some exist
        has_annotations = raw.FPDFPage_GetAnnotCount(page.raw) > 0
    finally:
        page.close()
    # What annotations draw over the page: filled-in fields (the number and the day of a signed
    # e-document) join the page's text where they sit; signature boxes and a reader's notes do not.
    signatures: list[Signature] = []
    widget_chars: list[layout.Char] = []
    annotation_overlays: list[Block] = []
    annotated = annotation_texts(pdf, index, chars + overlay_chars, height, fonts, extract_chars) if has_annotations else []
    for a in annotated:
        text = a.text()
        sig = parse_signature(text, number, a.bbox) if a.widget else None
        if sig is not None:
            signatures.append(sig)
        if a.widget and sig is None:
            widget_chars.extend(_onto_line(a, chars))
        else:
            annotation_overlays.extend(_block(p, number) for ln in layout.build_lines(list(a.chars)) for p in ln.pieces)
    widget_blocks = [_block(p, number) for ln in layout.build_lines(list(widget_chars)) for p in ln.pieces]
    chars = chars + widget_chars

    # Characters inside a table's cells are read cell by cell.
    regions: list[layout.Region] = []
    page_tables: list[Table] = []
    flow_chars = chars
    for g in grids:
        rows_spec = tab.grid_rows(g)
        bbox = (min(c[0] for c in g), min(c[1] for c in g), max(c[2] for c in g), max(c[3] for c in g))
        inside = [c for c in flow_chars if _inside(c, bbox)]
        flow_chars = [c for c in flow_chars if not _inside(c, bbox)]
        by_cell = _assign_cells(inside, rows_spec)
        rows: list[Row] = []
        cell_blocks: list[Block] = []
        for r_i, spec in enumerate(rows_spec):
            cells: list[Cell] = []
            for c_i, (col, span, cb) in enumerate(spec):
                mine = by_cell.get((r_i, c_i), [])
                lines = layout.build_lines(mine)
                texts = []
                for ln in lines:
                    for p in ln.pieces:
                        cell_blocks.append(_block(p, number, in_table=True))
                    texts.append(" ".join(p.text for p in ln.pieces))
                cells.append(Cell(text=normalize_text("\n".join(texts)), bbox=tuple(round(v, 2) for v in cb),
                                  page=number, col=col, colspan=span))
            rows.append(Row(cells=cells, page=number, pages=[number]))
        if not any(c.text for r in rows for c in r.cells):
            flow_chars.extend(inside)
            continue
        t = Table(rows=rows, page_start=number, page_end=number, bbox=tuple(round(v, 2) for v in bbox), source="text")
        page_tables.append(t)
        regions.append(layout.Region(bbox, cell_blocks))

    lines = layout.build_lines(flow_chars)
    ordered = layout.reading_order(lines, regions)
    blocks: list[Block] = []
    for item in ordered:
        if isinstance(item, layout.Region):
            blocks.extend(item.payload)
        else:
            blocks.append(_block(item, number))
    blocks = [b for b in blocks if b.text]

    overlays = []
    for p in layout.content_runs(overlay_chars):
        overlays.append(_block(p, number))
    overlays.extend(annotation_overlays)

    text = "\n".join(b.text for b in blocks)
    quality = assess_text(text)
    if quality.ok and image_share >= IMAGE_PAGE_SHARE:
        # Valid but short text over a page-sized picture: the picture is the content.
        quality = TextQuality(quality.score, False, "image-page", quality.tokens, quality.details)
    pg = Page(number=number, width=round(width, 2), height=round(height, 2), source="text" if blocks else "none",
              text_quality=round(quality.score, 3), blocks=blocks)
    if overlays:
        pg.overlays = overlays
    res = PdfPageResult(page=pg, tables=page_tables, quality=quality, signatures=signatures, widget_blocks=widget_blocks)
    res.invisible = invisible
    # Is the page's flow framed by tables (for joining tables across pages)?
    if page_tables:
        res.first_is_table = _framed(blocks, regions[0].bbox, height, first=True)
        res.last_is_table = _framed(blocks, regions[-1].bbox, height, first=False)
    return res


def _onto_line(a, chars: list[layout.Char]) -> list[layout.Char]:
    """A filled-in field's characters set on the baseline of the printed line its box covers
    (`Số:` … `/BNV-CCHC`), so the layout reads them as one line: a stamped number is often drawn a
    few points above or below the blank it fills.  A field over no printed line stays where it is."""
    x0, top, x1, bottom = a.bbox
    em = max((c.size for c in a.chars), default=10.0)
    best, best_overlap = None, 0.0
    for ln in layout.build_lines([c for c in chars if c.top < bottom + em and c.bottom > top - em]):
        overlap = min(bottom, ln.bottom) - max(top, ln.top)
        near = ln.x0 - 3 * em <= x1 and ln.x1 + 3 * em >= x0
        if near and overlap > best_overlap:
            best, best_overlap = ln, overlap
    if best is None or best_overlap < 0.25 * (bottom - top):
        return a.chars
    base = sorted(c.baseline for p in best.pieces for c in p.chars)
    target = base[len(base) // 2]
    shift = target - sorted(c.baseline for c in a.chars)[len(a.chars) // 2]
    first = min(a.chars, key=lambda c: c.x0)
    # A space before the field and after it: it is a word of its own on the printed line.
    return [layout.Char(c.text, c.x0, c.top + shift, c.x1, c.bottom + shift, c.baseline + shift, c.size, c.bold,
                        c.italic, c.space_before or c is first) for c in a.chars]


def _framed(blocks: list[Block], bbox, height: float, *, first: bool) -> bool:
    """No substantial text above (first) / below (last) the table, page numbers aside."""
    for b in blocks:
        if b.in_table or b.bbox is None:
            continue
        if first and b.bbox[3] <= bbox[1] + 1 or (not first and b.bbox[1] >= bbox[3] - 1):
            if len(b.text) > 12:
                return False
    return True


def quality_error(q: TextQuality, number: int) -> str:
    return REASONS.get(q.reason, q.reason)


# ------------------------------------------------------------------ whole document

def _open_error(path, exc: Exception) -> tuple[str, str]:
    """Name the reason pdfium refused a file.  pdfium's last-error code is sticky across
    calls (a "Success" failure can report the previous file's password error), so the
    verdict is checked against the file's own bytes."""
    msg = str(exc)
    code = getattr(exc, "err_code", None)
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - (1 << 16)))
            tail = f.read()
    except OSError:
        head = tail = b""
    encrypted = b"/Encrypt" in tail or b"/Encrypt" in head
    if encrypted and code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY, raw.FPDF_ERR_SUCCESS):
        if code == raw.FPDF_ERR_SECURITY:
            return "encrypted", "encrypted PDF (unsupported security handler)"
        return "encrypted", "encrypted PDF (needs a password to open)"
    if code != raw.FPDF_ERR_FILE and re.search(rb"/Count\s+0\b", head + tail) \
            and not re.search(rb"/Type\s*/Page\b", head + tail):
        # pdfium refuses a document whose page tree is empty without naming an error of its
        # own (the sticky code can be any earlier file's), so the bytes decide.
        return "no-pages", "PDF has no pages (empty page tree)"
    if code == raw.FPDF_ERR_FORMAT or code in (raw.FPDF_ERR_SUCCESS, raw.FPDF_ERR_PASSWORD):
        return "corrupt-pdf", "corrupt or truncated PDF (cannot be parsed)"
    if code == raw.FPDF_ERR_FILE:
        return "unreadable", "the file cannot be opened"
    return "corrupt-pdf", f"PDF cannot be opened ({msg})"


def read_pdf(path, doc, *, ocr: str = "auto", tables: bool = True, workers=None, timeout: float = 120,
             max_pages: Optional[int] = None) -> None:
    """Fill `doc` (a Document) from a PDF: text layer page by page, OCR where it fails."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:  # what pdfium raises for every unreadable file
        code, message = _open_error(path, exc)
        doc.status = "failed"
        doc.errors.append(ReadError(code=code, message=message))
        return
    try:
        n = len(pdf)
        if n == 0:
            doc.status = "failed"
            doc.errors.append(ReadError(code="no-pages", message="PDF has no pages"))
            return
        doc.metadata["pages"] = str(n)
        try:
            meta = pdf.get_metadata_dict(skip_empty=True)
        except (pdfium.PdfiumError, ValueError):   # broken metadata (bad encoding): the text still counts
            meta = {}
        for k in ("Title", "Author", "Creator", "Producer", "CreationDate"):
            if meta.get(k):
                doc.metadata[f"pdf_{k.lower()}"] = normalize_text(str(meta[k]))[:300]
        fonts = _FontCache()
        results: list[PdfPageResult] = []
        if max_pages is not None and n > max_pages:
            doc.errors.append(ReadError(code="too-many-pages", message=(
                f"PDF has {n} pages; only the first {max_pages} were read (limit max_pages={max_pages})")))
            n = max_pages
        for i in range(n):
            if ocr == "always":
                results.append(PdfPageResult(page=Page(number=i + 1, source="none")))
                continue
            try:
                results.append(read_pdf_page(pdf, i, find_tables=tables, fonts=fonts))
            except pdfium.PdfiumError as exc:  # a page pdfium cannot load: keep the others (our bugs still raise)
                r = PdfPageResult(page=Page(number=i + 1, source="none"))
                r.errors.append(ReadError(code="bad-page", page=i + 1,
                                          message=f"page {i + 1} cannot be read ({type(exc).__name__}: {exc})"))
                results.append(r)
    finally:
        pdf.close()

    need_ocr = [r.page.number for r in results
                if ocr == "always" or (ocr == "auto" and r.quality is not None and not r.quality.ok)]
    for r in results:
        if r.quality is not None and not r.quality.ok:
            r.page.text_layer_issue = r.quality.reason
    if ocr == "never":
        skipped = [r.page.number for r in results if r.quality is not None and not r.quality.ok]
        if skipped:
            reasons = sorted({REASONS.get(r.page.text_layer_issue, r.page.text_layer_issue) for r in results
                              if r.page.number in skipped})
            doc.errors.append(ReadError(code="needs-ocr", message=(
                f"{len(skipped)} page(s) need OCR ({'; '.join(reasons)}) but OCR is off: pages {_ranges(skipped)}")))
    if need_ocr:
        _ocr_pages(path, doc, results, need_ocr, workers=workers, timeout=timeout, tables=tables)

    # Assemble: pages in order, tables joined across pages.
    per_page_tables: list[Table] = []
    first_on: set[int] = set()
    last_on: set[int] = set()
    for r in results:
        doc.pages.append(r.page)
        doc.errors.extend(r.errors)
        doc.signatures.extend(r.signatures)
        for k, t in enumerate(r.tables):
            idx = len(per_page_tables)
            if k == 0 and r.first_is_table:
                first_on.add(idx)
            if k == len(r.tables) - 1 and r.last_is_table:
                last_on.add(idx)
            per_page_tables.append(t)
    if per_page_tables:
        doc.tables = tab.merge_tables(per_page_tables, first_on_page=first_on, last_on_page=last_on)
    if results:
        _settle_header(path, doc, results[0], ocr=ocr, timeout=timeout)


def _ocr_pages(path, doc, results: list[PdfPageResult], numbers: list[int], *, workers, timeout, tables) -> None:
    from extractors.reading import ocr   # OpenCV and pytesseract load only when a page needs OCR

    by_number = {r.page.number: r for r in results}
    problem = ocr_problem(ocr)
    if problem is not None:
        doc.errors.append(problem.model_copy(update={"message": f"{problem.message} ({len(numbers)} page(s) need OCR: "
                                                                f"{_ranges(numbers)})"}))
        for n in numbers:
            r = by_number[n]
            # Keep what the text layer had (maybe better than nothing) but say it is unreliable.
            r.page.source = "text" if r.page.blocks else "none"
        return
    got = ocr.ocr_pdf_pages(path, numbers, workers=workers, timeout=timeout)
    for n in numbers:
        r = by_number[n]
        o = got.get(n)
        if o is None:
            r.errors.append(ReadError(code="ocr-failed", page=n, message=f"page {n}: OCR returned nothing"))
            continue
        old = r.page
        if o.errors and not o.page.blocks and old.blocks:
            # OCR failed on this page: the doubtful text layer is better than nothing
            # (text_layer_issue says why it was doubted).
            r.errors.extend(o.errors)
            continue
        page = o.page
        page.text_quality = old.text_quality
        page.text_layer_issue = old.text_layer_issue
        if not page.width:
            page.width, page.height = old.width, old.height
        # The text layer's overlays stay; so do filled-in fields, which OCR of the rendered scan
        # does not read (kept apart: they cannot be put in the OCR's lines with certainty).
        extra = [b for b in old.overlays] + [b for b in r.widget_blocks if b not in old.overlays]
        if extra:
            page.overlays = extra
        for b in page.blocks:
            b.text = normalize_text(b.text)
        r.page = page
        r.tables = [normalise_table_text(t, "ocr") for t in o.tables]
        # Scanned tables: OCR sees stamps, notes and margins as text around a table, so
        # framing is not asked for; consecutive pages and matching columns decide.
        r.first_is_table = r.last_is_table = bool(r.tables)
        r.errors.extend(o.errors)


HEADER_DPI = 300          # handwriting is small: the header is read at the OCR's resolution
VN_TIME = dt.timezone(dt.timedelta(hours=7))


def _settle_header(path, doc, first: PdfPageResult, *, ocr: str, timeout: float) -> None:
    """The first page's header number and day, where a hand or a stamp wrote them.

    A scan whose text layer is an earlier OCR's (invisible text under the picture): that OCR's
    digits in `Số: … /CT-UBND` and `ngày … tháng …` are re-read here from the picture
    (header_digits), because a wrong number is worse than none.  Then, on any page 1 with
    re-read fields, a day the readings did not agree on is decided with the earliest digital
    signature's day as a second witness.  The header lines carry the outcome, so the structure
    reads what was decided and flags what was not."""
    from extractors.reading import header_digits as hd

    page = doc.pages[0] if doc.pages else None
    if page is None or page.number != 1:
        return
    top = [b for b in page.blocks if b.bbox[1] <= hd.TOP_SHARE * (page.height or 842.0)]
    date_lines = [b for b in top if hd.is_date_line(b.text)]
    number_lines = [b for b in top if hd.is_number_line(b.text)]
    slots = date_lines + number_lines
    if first.invisible and page.source == "text" and ocr != "never" and slots:
        from extractors.reading import ocr as ocr_module   # OpenCV and Tesseract only for such scans

        if ocr_problem(ocr_module) is None:
            try:
                grey = _render_grey(path, HEADER_DPI)
                page.field_reads = hd.reread_scan_header(grey, HEADER_DPI, time.monotonic() + min(timeout, 60.0))
            except (hd.OcrTimeout, pdfium.PdfiumError) as exc:   # the layer's header stays as it was
                doc.errors.append(ReadError(code="header-unread", page=1, message=(
                    f"page 1: the header's number and date could not be re-read ({type(exc).__name__})")))
    if not page.field_reads:
        return
    signed = [s.signed_at for s in doc.signatures if s.signed_at is not None and s.page == 1]
    if signed:
        first_signed = min(signed, key=lambda t: t.timestamp() if t.tzinfo else t.replace(tzinfo=VN_TIME).timestamp())
        day = (first_signed.astimezone(VN_TIME) if first_signed.tzinfo else first_signed).date()
        page.field_reads = hd.settle_day_by_signature(page.field_reads, day, hd.header_year([b.text for b in date_lines]))
    # an OCR'd page's words were edited as they were re-read: only a day the signature settled is new;
    # a text layer's lines take every re-read value (they came from another reading of the picture)
    fill = page.field_reads if page.source == "text" else [r for r in page.field_reads if r.basis == "signature"]
    for b in date_lines[:1] + number_lines[:1]:      # the header's, not a date the body cites
        b.text = hd.fill_header_text(b.text, fill)


def _render_grey(path, dpi: int):
    """Page 1 as a grey uint8 array."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[0]
        try:
            return page.render(scale=dpi / 72.0, grayscale=True).to_numpy().copy()
        finally:
            page.close()
    finally:
        pdf.close()


def normalise_table_text(t: Table, source: str) -> Table:
    """Every text leaving the reader is normalised, OCR'd cells included."""
    rows = [r.model_copy(update={"cells": [c.model_copy(update={"text": normalize_text(c.text)}) for c in r.cells]})
            for r in t.rows]
    return t.model_copy(update={"rows": rows, "header": [normalize_text(h) for h in t.header], "source": source})


def ocr_problem(ocr):
    """ensure_ocr_available() (a ReadError or None), asked for each document that needs OCR:
    `tesseract --list-langs` costs ~0.1 s against seconds per OCR'd page, and asking again
    follows a change of Tesseract's installation without reading its environment here."""
    return ocr.ensure_ocr_available()


def _ranges(numbers: list[int]) -> str:
    out = []
    start = prev = None
    for n in sorted(numbers):
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}-{prev}" if start != prev else str(start))
            start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if start != prev else str(start))
    return ", ".join(out)
