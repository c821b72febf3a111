"""Ruled tables in scanned pages: ruling lines -> cell grid -> OCR cell by cell.

A Kế hoạch's appendix (STT | Nội dung | Đơn vị chủ trì | ...) is a fully ruled grid.  The
ruling lines are found with a morphological opening by long thin kernels (text strokes are
short, rules are long), the grid's row and column lines are read off their projections,
and each row is checked for which column lines actually cross it, so a spanning section
row ("II. VỀ CUNG CẤP DỊCH VỤ CÔNG ...") becomes one cell with a colspan.

Every cell is OCR'd on its own, but in one Tesseract run per page: the cell interiors
(rules erased) are stacked into one tall strip with white gaps, read as a block (psm 6),
and each recognised line goes back to the cell whose slot holds it.  Separate runs per
cell would cost Tesseract's start-up (about 0.3 s of CPU) fifty times a page.
"""
from __future__ import annotations

import bisect
import re
import subprocess
from dataclasses import dataclass, field

import cv2
import numpy as np

from extractors.reading.tesseract import data_to_lines, run_tesseract
from extractors.text import normalize_text
from extractors.types import Cell, Row, Table

CELL_CONFIG = "--psm 6 --oem 1"


@dataclass
class GridCell:
    row: int
    col: int
    colspan: int
    box: tuple[int, int, int, int]     # x0, y0, x1, y1 in page pixels (the cell's inside)


@dataclass
class Grid:
    box: tuple[int, int, int, int]     # the table's outer frame, page pixels
    ys: list[int]                      # horizontal rule positions, top to bottom
    xs: list[int]                      # column rule positions, left to right
    cells: list[GridCell] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


# ---------------------------------------------------------------- rules and grid

def ink_map(grey: np.ndarray) -> np.ndarray:
    """255 where ink.  Otsu with a floor: rules and print are far darker than paper."""
    thr, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return np.where(grey < min(thr, 200), 255, 0).astype(np.uint8)


def rule_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal rules, vertical rules): runs far longer than any letter stroke."""
    h, w = ink.shape
    hk = max(40, w // 20)
    vk = max(30, h // 40)
    # No closing first: on speckled paper it chains letters' descenders into a "rule".
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, hk), np.uint8))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((vk, 1), np.uint8))
    return horiz, vert


def _positions(profile: np.ndarray, threshold: float, merge: int) -> list[int]:
    """Centres of the runs where profile >= threshold (runs closer than `merge` joined)."""
    idx = np.flatnonzero(profile >= threshold)
    if idx.size == 0:
        return []
    groups = [[int(idx[0])]]
    for i in idx[1:]:
        if i - groups[-1][-1] <= merge:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    return [int(round((g[0] + g[-1]) / 2)) for g in groups]


def find_grids(grey: np.ndarray) -> list[Grid]:
    """Ruled tables on a page image (uint8 grey, deskewed), top to bottom."""
    h, w = grey.shape[:2]
    ink = ink_map(grey)
    horiz, vert = rule_masks(ink)
    frame = cv2.dilate(horiz | vert, np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(frame, connectivity=8)
    grids = []
    merge = max(3, w // 300)
    for i in range(1, n):
        x, y, bw, bh = stats[i, :4]
        if bw < 0.25 * w or bh < 0.03 * h:
            continue
        # Thicken the rules across their length first: a rule left a fraction of a degree
        # off level (residual skew) drifts a few pixels over the table's width.
        drift = 2 * merge + 1
        hp = (cv2.dilate(horiz[y:y + bh, x:x + bw], np.ones((drift, 1), np.uint8)) > 0).sum(axis=1)
        vp = (cv2.dilate(vert[y:y + bh, x:x + bw], np.ones((1, drift), np.uint8)) > 0).sum(axis=0)
        ys = [y + v for v in _positions(hp, 0.5 * bw, merge)]
        xs = [x + v for v in _positions(vp, 0.08 * bh, merge)]
        if len(ys) < 2 or len(xs) < 2:
            continue
        grid = Grid(box=(int(x), int(y), int(x + bw), int(y + bh)), ys=ys, xs=xs)
        grid.cells = _cells(grid, vert, merge)
        if grid.cells:
            grids.append(grid)
    grids.sort(key=lambda g: g.box[1])
    return grids


def _cells(grid: Grid, vert: np.ndarray, half: int) -> list[GridCell]:
    """Cells row by row: a column rule splits a row only where it crosses that row."""
    cells = []
    min_band = max(6, 2 * half)
    row = 0
    for top, bottom in zip(grid.ys, grid.ys[1:]):
        if bottom - top < min_band:       # a doubled rule, not a row
            continue
        a, b = top + half + 1, bottom - half - 1
        present = [grid.xs[0]]
        for x in grid.xs[1:-1]:
            strip = vert[a:b, max(0, x - half - 2):x + half + 3]
            if strip.size and (strip.max(axis=1) > 0).mean() >= 0.6:
                present.append(x)
        present.append(grid.xs[-1])
        for x0, x1 in zip(present, present[1:]):
            c0 = grid.xs.index(x0)
            c1 = grid.xs.index(x1)
            cells.append(GridCell(row=row, col=c0, colspan=max(1, c1 - c0),
                                  box=(x0 + half + 1, top + half + 1, x1 - half - 1, bottom - half - 1)))
        row += 1
    return cells


# ---------------------------------------------------------------- OCR of the cells

def _erase_rules(grey: np.ndarray, grid: Grid, half: int) -> np.ndarray:
    """The table area with its ruling lines painted white (they read as I, l, | or _).
    Only rule pixels near the grid's own rule positions go, so text is never touched."""
    x0, y0, x1, y1 = grid.box
    part = grey[y0:y1, x0:x1].copy()
    horiz, vert = rule_masks(ink_map(part))
    near = np.zeros_like(horiz)
    band = 2 * half + 3
    for y in grid.ys:
        near[max(0, y - y0 - band):y - y0 + band + 1, :] = 255
    rules = horiz & near
    near[:] = 0
    for x in grid.xs:
        near[:, max(0, x - x0 - band):x - x0 + band + 1] = 255
    rules |= vert & near
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    part[rules > 0] = 255
    return part


def _ocr_cells(clean: np.ndarray, cells: list[GridCell], origin: tuple[int, int], *, dpi: int,
               deadline: float, config: str, lang: str = "vie", skip_blank: bool = True) -> dict[tuple[int, int], list]:
    """Stack the cells' interiors into one strip, OCR it once, give each line to its cell."""
    gx0, gy0 = origin
    ink = clean < 160
    gap = max(24, dpi // 6)
    margin = 16
    slots: list[tuple[int, int, GridCell]] = []   # (y in the strip, height, cell)
    crops = []
    y = margin
    for cell in cells:
        x0, y0, x1, y1 = (cell.box[0] - gx0, cell.box[1] - gy0, cell.box[2] - gx0, cell.box[3] - gy0)
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        # Paper speckle is a few isolated pixels; text has strokes.
        if skip_blank and cv2.countNonZero(cv2.erode(ink[y0:y1, x0:x1].astype(np.uint8), np.ones((2, 2), np.uint8))) < 12:
            continue
        crop = clean[y0:y1, x0:x1]
        slots.append((y, y1 - y0, cell))
        crops.append(crop)
        y += (y1 - y0) + gap
    if not crops:
        return {}
    width = max(c.shape[1] for c in crops) + 2 * margin
    mosaic = np.full((y + margin, width), 255, np.uint8)
    for (sy, sh, _), crop in zip(slots, crops):
        mosaic[sy:sy + sh, margin:margin + crop.shape[1]] = crop
    data = run_tesseract(mosaic, dpi, deadline, config=config, lang=lang)
    starts = [s[0] for s in slots]
    out: dict[tuple[int, int], list] = {}
    for ln in data_to_lines(data, split=False):
        yc = (ln.box[1] + ln.box[3]) / 2
        k = bisect.bisect_right(starts, yc) - 1
        if k < 0:
            continue
        sy, sh, cell = slots[k]
        if yc > sy + sh + gap / 2:
            continue
        dx = cell.box[0] - margin
        dy = cell.box[1] - sy
        ln.box = (ln.box[0] + dx, ln.box[1] + dy, ln.box[2] + dx, ln.box[3] + dy)
        out.setdefault((cell.row, cell.col), []).append(ln)
    for lines in out.values():
        lines.sort(key=lambda ln: (ln.box[1], ln.box[0]))
    return out


# What a lone digit turns into without context ("8" -> "§", "11" -> "II", "0" -> "O").
_DIGITISH = re.compile(r"^[0-9§Il|!OoSBg]{1,3}[.)]?$")
_LOOKALIKE = str.maketrans({"§": "8", "I": "1", "l": "1", "|": "1", "!": "1", "O": "0", "o": "0", "S": "5",
                            "B": "8", "g": "9"})
_NUMBER = re.compile(r"^\d{1,3}[.)]?$")


def _numeric_first_column(grid: Grid, texts: dict) -> list[GridCell]:
    """Cells of a numbered first column (STT) that were read as look-alike letters."""
    by_row: dict[int, list[GridCell]] = {}
    for cell in grid.cells:
        by_row.setdefault(cell.row, []).append(cell)
    firsts = []
    for row_cells in by_row.values():
        first = min(row_cells, key=lambda c: c.col)
        filled = [c for c in row_cells if texts.get((c.row, c.col))]
        if first.col == 0 and first.colspan == 1 and len(filled) >= 3:
            firsts.append(first)
    def text(c):
        return " ".join(ln.text for ln in texts.get((c.row, c.col), [])).strip()
    numeric = sum(1 for c in firsts if _NUMBER.match(text(c)))
    if numeric < max(2, len(firsts) // 2):
        return []
    return [c for c in firsts if text(c) and not _NUMBER.match(text(c)) and _DIGITISH.match(text(c))]


def _digits_lang() -> str:
    global _DIGITS_LANG
    if _DIGITS_LANG is None:
        try:
            done = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
            out = done.stdout + "\n" + done.stderr
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        _DIGITS_LANG = "eng" if "eng" in out.split() else "vie"
    return _DIGITS_LANG


_DIGITS_LANG = None


def ocr_grid(grey: np.ndarray, grid: Grid, *, dpi: int, deadline: float):
    """{(row, col): [Line, ...]} for the grid's cells, one Tesseract run for the lot (and a
    second, digits only, for numbers in the STT column that came out as letters)."""
    half = max(3, grey.shape[1] // 300)
    clean = _erase_rules(grey, grid, half)
    origin = (grid.box[0], grid.box[1])
    out = _ocr_cells(clean, grid.cells, origin, dpi=dpi, deadline=deadline, config=CELL_CONFIG)
    suspects = _numeric_first_column(grid, out)
    if suspects:
        # The vie model returns nothing under a digit whitelist; eng (installed with
        # tesseract-ocr itself) reads lone digits well.
        again = _ocr_cells(clean, suspects, origin, dpi=dpi, deadline=deadline, lang=_digits_lang(),
                           config=CELL_CONFIG + " -c tessedit_char_whitelist=0123456789.")
        for cell in suspects:
            key = (cell.row, cell.col)
            lines = again.get(key)
            if lines and _NUMBER.match(" ".join(ln.text for ln in lines).strip()):
                out[key] = lines
            elif len(out.get(key, [])) == 1:
                # A lone "1" often defeats both models; map the usual look-alikes instead.
                ln = out[key][0]
                mapped = ln.text.strip().translate(_LOOKALIKE)
                if _NUMBER.match(mapped):
                    ln.text = mapped
    return out


def ocr_page_tables(grey: np.ndarray, *, number: int, dpi: int, deadline: float, to_points):
    """Find and read the ruled tables of one page.

    Returns (tables, their lines in reading order as tesseract.Line with key (-1, row, col),
    the page image with the tables painted white for the OCR of the remaining text).
    """
    grids = find_grids(grey)
    if not grids:
        return [], [], grey
    tables: list[Table] = []
    table_lines = []
    rest = grey.copy()
    for t_index, grid in enumerate(grids):
        texts = ocr_grid(grey, grid, dpi=dpi, deadline=deadline)
        rows: list[Row] = []
        by_row: dict[int, list[GridCell]] = {}
        for cell in grid.cells:
            by_row.setdefault(cell.row, []).append(cell)
        for r in sorted(by_row):
            cells = []
            for cell in sorted(by_row[r], key=lambda c: c.col):
                lines = texts.get((cell.row, cell.col), [])
                text = "\n".join(normalize_text(ln.text).strip() for ln in lines if ln.text.strip())
                cells.append(Cell(text=text, bbox=to_points(cell.box), page=number, col=cell.col,
                                  colspan=cell.colspan))
                for ln in lines:
                    ln.key = (-1 - t_index, r, cell.col)
                    table_lines.append(ln)
            rows.append(Row(cells=cells, page=number, pages=[number]))
        tables.append(Table(rows=rows, page_start=number, page_end=number, bbox=to_points(grid.box), source="ocr"))
        x0, y0, x1, y1 = grid.box
        rest[max(0, y0 - 2):y1 + 3, max(0, x0 - 2):x1 + 3] = 255
    return tables, table_lines, rest
