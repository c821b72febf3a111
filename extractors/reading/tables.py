"""Tables: ruled grids on digital pages, and one logical table across pages.

Digital pages: the ruling lines come from pdfium's path objects (cheap) and go through
pdfplumber's own lattice algorithm (merge_edges -> intersections -> cells -> tables), so we
get pdfplumber's table finding without pdfminer parsing the whole page (~0.15 s a page).
Cell text is filled by the caller from pdfium characters.

`merge_tables` works on any per-page Table objects (text layer or OCR): it drops header
rows repeated on later pages and joins a row that continues on the next page.
"""
from __future__ import annotations

import ctypes
import re
from difflib import SequenceMatcher
from typing import Optional

from extractors.text import collapse_ws
from extractors.types import Cell, Row, Table

# ------------------------------------------------------------------ ruling lines (pdfium)
# pypdfium2 and pdfplumber are imported by the functions that use them: the DOCX reader imports
# this module for merge_tables and needs neither (pdfplumber alone costs ~0.3 s).

_EDGE_MAX_THICK = 2.5      # a filled rectangle thinner than this is a rule
_MIN_EDGE = 3.0


def _edge(orientation: str, a: float, b: float, pos: float) -> dict:
    a, b = min(a, b), max(a, b)
    if orientation == "h":
        return {"x0": a, "x1": b, "top": pos, "bottom": pos, "width": b - a, "height": 0.0, "orientation": "h"}
    return {"x0": pos, "x1": pos, "top": a, "bottom": b, "width": 0.0, "height": b - a, "orientation": "v"}


def page_edges(page, page_height: float) -> list[dict]:
    """Horizontal and vertical ruling segments of a pdfium page, top-left coordinates."""
    import pypdfium2.raw as raw

    edges: list[dict] = []
    L, B, R, T = (ctypes.c_float() for _ in range(4))
    x = ctypes.c_float()
    y = ctypes.c_float()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        h = obj.raw
        if not raw.FPDFPageObj_GetBounds(h, L, B, R, T):
            continue
        x0, x1 = L.value, R.value
        top, bottom = page_height - T.value, page_height - B.value
        w, ht = x1 - x0, bottom - top
        if w < _MIN_EDGE and ht < _MIN_EDGE:
            continue
        if ht <= _EDGE_MAX_THICK and w >= _MIN_EDGE:
            edges.append(_edge("h", x0, x1, (top + bottom) / 2))
            continue
        if w <= _EDGE_MAX_THICK and ht >= _MIN_EDGE:
            edges.append(_edge("v", top, bottom, (x0 + x1) / 2))
            continue
        # A larger path: walk its segments and keep the axis-parallel straight ones.  A
        # filled shape that is not stroked is shading (highlighted lines, a coloured
        # header), not a rule: its sides would make a fake grid of one-line "cells".
        fill = ctypes.c_int()
        stroke = ctypes.c_int()
        if raw.FPDFPath_GetDrawMode(h, fill, stroke) and not stroke.value:
            continue
        n = raw.FPDFPath_CountSegments(h)
        if n <= 0 or n > 2000:
            continue
        m = raw.FS_MATRIX()
        raw.FPDFPageObj_GetMatrix(h, m)
        start = prev = None
        for k in range(n):
            seg = raw.FPDFPath_GetPathSegment(h, k)
            if not raw.FPDFPathSegment_GetPoint(seg, x, y):
                continue
            px = m.a * x.value + m.c * y.value + m.e
            py = page_height - (m.b * x.value + m.d * y.value + m.f)
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO:
                start = prev = (px, py)
            else:
                if prev is not None and kind == raw.FPDF_SEGMENT_LINETO:
                    _add_segment(edges, prev, (px, py))
                prev = (px, py)
                if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                    _add_segment(edges, prev, start)
                    prev = start
    return edges


def _add_segment(edges: list[dict], p: tuple[float, float], q: tuple[float, float]) -> None:
    if abs(p[1] - q[1]) < 1.0 and abs(p[0] - q[0]) >= _MIN_EDGE:
        edges.append(_edge("h", p[0], q[0], (p[1] + q[1]) / 2))
    elif abs(p[0] - q[0]) < 1.0 and abs(p[1] - q[1]) >= _MIN_EDGE:
        edges.append(_edge("v", p[1], q[1], (p[0] + q[0]) / 2))


def likely_has_table(edges: list[dict]) -> bool:
    """Cheap test before the lattice search: a grid needs several rules both ways."""
    h = sum(1 for e in edges if e["orientation"] == "h")
    v = sum(1 for e in edges if e["orientation"] == "v")
    return h >= 2 and v >= 2


def find_grids(edges: list[dict], tolerance: float = 3.0) -> list[list[tuple]]:
    """pdfplumber's lattice: edges -> list of tables, each a list of cell bboxes."""
    from pdfplumber import table as pt

    edges = pt.merge_edges(edges, tolerance, tolerance, tolerance, tolerance)
    edges = [e for e in edges if (e["width"] if e["orientation"] == "h" else e["height"]) >= _MIN_EDGE]
    inter = pt.edges_to_intersections(edges, tolerance, tolerance)
    cells = pt.intersections_to_cells(inter)
    grids = pt.cells_to_tables(cells)
    out = []
    for g in grids:
        xs = {c[0] for c in g}
        ys = {c[1] for c in g}
        if len(xs) < 2 or len(ys) < 2:   # one box around a paragraph is not a table
            continue
        # Most rows of a table have several cells (section rows span); boxes stacked
        # one per line are a frame or underlining, not a table.
        per_row: dict[float, int] = {}
        for c in g:
            per_row[round(c[1], 1)] = per_row.get(round(c[1], 1), 0) + 1
        multi = sum(1 for k in per_row.values() if k >= 2)
        if multi < 2 or multi < 0.5 * len(per_row):
            continue
        out.append(g)
    return out


def grid_rows(cells: list[tuple]) -> list[list[tuple[int, int, tuple]]]:
    """Cells grouped into rows: [(col, colspan, bbox), ...] per row, top to bottom."""
    xs = sorted({round(c[0], 1) for c in cells} | {round(c[2], 1) for c in cells})
    rows: dict[float, list[tuple]] = {}
    for c in cells:
        rows.setdefault(round(c[1], 1), []).append(c)
    out = []
    for top in sorted(rows):
        row = []
        for c in sorted(rows[top], key=lambda c: c[0]):
            col = _index(xs, c[0])
            end = _index(xs, c[2])
            row.append((col, max(1, end - col), c))
        out.append(row)
    return out


def _index(xs: list[float], v: float) -> int:
    best = min(range(len(xs)), key=lambda i: abs(xs[i] - v))
    return best


# ------------------------------------------------------------------ one logical table

_NUMBERING_RE = re.compile(r"^\(?\s*[0-9IVXivx]{1,4}\s*[).]?\s*$")
_STT_RE = re.compile(r"^\s*(\d{1,3}(\.\d{1,3})*|[IVXLC]{1,5}|[a-zđ])\s*[.)]?\s*$")


def column_count(table: Table) -> int:
    return max((sum(c.colspan for c in r.cells) for r in table.rows), default=0)


def is_section_row(row: Row, ncols: int) -> bool:
    """A spanning row with one cell ("I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH")."""
    filled = [c for c in row.cells if c.text.strip()]
    return ncols >= 2 and len(filled) == 1 and (len(row.cells) == 1 or filled[0].colspan >= max(2, ncols - 1))


def _row_key(row: Row) -> str:
    return " | ".join(collapse_ws(t).casefold() for t in row.texts())


def _similar(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def header_rows(table: Table) -> int:
    """How many leading rows are header: the first row, plus a column-number row below it
    ("1 | 2 | 3 ..." or "(1) | (2) ...")."""
    if len(table.rows) < 2:
        return 0
    n = 1
    if len(table.rows) > 2:
        second = [t for t in table.rows[1].texts() if t.strip()]
        if len(second) >= 2 and all(_NUMBERING_RE.match(t) for t in second):
            n = 2
    return n


def normalise_rows(table: Table) -> Table:
    """Section rows reduced to their one spanning cell; header texts filled in."""
    ncols = column_count(table)
    rows = []
    for r in table.rows:
        if is_section_row(r, ncols):
            cell = next(c for c in r.cells if c.text.strip())
            cell = cell.model_copy(update={"col": 0, "colspan": ncols})
            r = r.model_copy(update={"cells": [cell]})
        rows.append(r)
    table = table.model_copy(update={"rows": rows})
    if not table.header and header_rows(table):
        table.header = [collapse_ws(t) for t in table.rows[0].texts()]
    return table


def _columns(table: Table) -> list[float]:
    """Relative column widths of the widest row (ratios of the table's width)."""
    best = max(table.rows, key=lambda r: len(r.cells), default=None)
    if best is None or not all(c.bbox for c in best.cells):
        return []
    x0 = min(c.bbox[0] for c in best.cells)
    x1 = max(c.bbox[2] for c in best.cells)
    width = max(x1 - x0, 1.0)
    return [(c.bbox[2] - c.bbox[0]) / width for c in best.cells]


def _continues(prev: Table, nxt: Table, prev_header: list[str]) -> bool:
    if nxt.page_start != prev.page_end + 1:
        return False
    if column_count(prev) != column_count(nxt):
        return False
    if nxt.rows and prev_header:
        first = " | ".join(collapse_ws(t).casefold() for t in nxt.rows[0].texts())
        if _similar(first, " | ".join(h.casefold() for h in prev_header)) >= 0.85:
            return True
    a, b = _columns(prev), _columns(nxt)
    if a and b and len(a) == len(b):
        return all(abs(x - y) <= 0.04 for x, y in zip(a, b))
    return not (a and b)


def merge_tables(tables: list[Table], *, first_on_page: Optional[set[int]] = None,
                 last_on_page: Optional[set[int]] = None) -> list[Table]:
    """Per-page tables -> logical tables.

    `tables` must be in reading order.  A table on page p+1 continues the table on page p
    when it has the same columns (same count and widths, or a repeat of the header).
    Optionally `first_on_page`/`last_on_page` give the indexes (into `tables`) of tables
    that start/end their page with nothing but page furniture around them; when given,
    only such pairs are joined.
    """
    out: list[Table] = []
    headers: list[int] = []       # header row count of each logical table
    for idx, t in enumerate(tables):
        t = normalise_rows(t)
        if out:
            prev = out[-1]
            allowed = (first_on_page is None or idx in first_on_page) and (
                last_on_page is None or (idx - 1) in last_on_page)
            if allowed and _continues(prev, t, prev.header):
                out[-1] = _append(prev, t, headers[-1])
                continue
        out.append(t)
        headers.append(header_rows(t))
    return out


def _append(prev: Table, nxt: Table, n_header: int) -> Table:
    rows = list(nxt.rows)
    # Drop the repeated header rows (fuzzy: OCR reads them slightly differently each time).
    for h in range(n_header):
        if not rows or h >= len(prev.rows):
            break
        if _similar(_row_key(rows[0]), _row_key(prev.rows[h])) >= 0.85:
            rows.pop(0)
        else:
            break
    merged = [r.model_copy(deep=True) for r in prev.rows]
    ncols = column_count(prev)
    if rows and merged:
        first, last = rows[0], merged[-1]
        stt = first.cells[0].text.strip() if first.cells else ""
        if (not stt and not is_section_row(first, ncols) and not is_section_row(last, ncols)
                and len(first.cells) == len(last.cells)):
            cells = []
            for a, b in zip(last.cells, first.cells):
                text = "\n".join(t for t in (a.text, b.text) if t.strip())
                cells.append(a.model_copy(update={"text": text}))
            pages = list(last.pages or [last.page])
            if first.page not in pages:
                pages.append(first.page)
            merged[-1] = last.model_copy(update={"cells": cells, "pages": pages})
            rows.pop(0)
    merged.extend(rows)
    return prev.model_copy(update={"rows": merged, "page_end": nxt.page_end})


def looks_like_stt(text: str) -> bool:
    return bool(_STT_RE.match(text))


def make_cell(text: str, bbox, page: int, col: int, colspan: int) -> Cell:
    return Cell(text=text, bbox=bbox, page=page, col=col, colspan=colspan)
