"""Vietnamese OCR of scanned pages: render, clean, Tesseract, lines in reading order.

Pages are rendered *inside* worker processes (the parent sends a path and a page number,
never an image), so memory stays flat whatever the page count; each Tesseract runs with
OMP_THREAD_LIMIT=1 (set for that child alone, through `env`) and the pages are spread over the
cores instead, which is faster than Tesseract's own threads on page-sized work.  Tesseract
finds its language data itself (its installed folder, or TESSDATA_PREFIX): this module reads
no environment.  Each page has a time budget: a page that runs
out becomes a ReadError and the other pages are kept.

Scanner pages are rendered at the scan's own resolution (usually 200 dpi: upsampling to 300
costs Tesseract 2.25x the pixels for the same CER), except pages holding a ruled table, which
are re-rendered at 300 dpi because lone STT numbers in cells need the pixels.

Each page is read more than once and one reading kept (`choose`): plain Tesseract on the page as
it is, the cleaned page (coloured ink out, deskewed, ruled tables read cell by cell) unless
cleaning changed next to nothing, and, for small print (photos), both enlarged.  The kept one is
the most confident of those that lost no text (`choose`), never below the plain reading's
confidence unless the plain one lost text; a page with ruled tables keeps the cleaned reading, with
its cells.  Lines only the cleaned page shows, or shows much more surely, are added to the kept
reading (`_with_lost_lines`).  The running text is then post-corrected syllable by syllable
(postcorrect.py); each changed block keeps Tesseract's text in `ocr_text`.

Public:
    OcrPageResult, ensure_ocr_available(), ocr_pdf_pages(), ocr_image_file(), ocr_image(), choose()
"""
from __future__ import annotations

import multiprocessing as mp
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Optional

import cv2
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytesseract
from PIL import Image, ImageOps

from extractors.reading.image_errors import pillow_errors
from extractors.reading.preprocess import Prepared, flatten_illumination, prepare_page, to_rgb
from extractors.reading.scan_tables import find_grids, ocr_page_tables
from extractors.reading.postcorrect import context_logp, correct_line, is_syllable
from extractors.reading.tesseract import LANG, Line, OcrTimeout, data_to_lines, read_words, run_tesseract
from extractors.text import fold_diacritics, normalize_text
from extractors.types import Block, Page, ReadError, Table

DEFAULT_DPI = 300
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"


@dataclass
class OcrPageResult:
    page: Page
    tables: list[Table] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)


# ---------------------------------------------------------------- availability

def ensure_ocr_available(lang: str = LANG) -> Optional[ReadError]:
    """None when Tesseract and its `lang` data are installed; else one ReadError that says
    how to install them (checked once at start-up instead of failing on the first page)."""
    exe = shutil.which("tesseract")
    if exe is None:
        return ReadError(code="ocr-unavailable",
                         message=f"the tesseract program is not installed; install it with: {INSTALL_HINT}")
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ReadError(code="ocr-unavailable", message=f"tesseract does not run ({exc}); reinstall it with: {INSTALL_HINT}")
    langs = {ln.strip() for ln in (out.stdout + "\n" + out.stderr).splitlines()[1:] if ln.strip()}
    # The first line names the tessdata folder; error output (no folder) lists nothing.
    if lang not in langs:
        folder = re.search(r'languages in "([^"]*)"', out.stdout + out.stderr)
        extra = f" ({folder.group(1)} has no {lang}.traineddata)" if folder else ""
        return ReadError(code="ocr-language-missing",
                         message=f"Tesseract has no '{lang}' language data{extra}; install it with: {INSTALL_HINT}")
    return None


# ---------------------------------------------------------------- one image -> lines

# A line ending within 2 % of the text width past the middle is still the left column's (and the
# same for the right); within 5 % only when a line of the other column sits beside it: the
# motto's first line (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM), long and centred in the right column,
# often starts a little left of the middle, level with the issuer's name, while a left column's
# excerpt ("V/v …") reaching past the middle on a row of its own is read where it stands.
COLUMN_MARGIN = 0.02
COLUMN_MARGIN_BESIDE = 0.05


def _same_row(a: Line, b: Line) -> bool:
    """Level with each other: their heights overlap by more than half the smaller one's."""
    overlap = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    return overlap > 0.5 * min(a.box[3] - a.box[1], b.box[3] - b.box[1])


def column_sides(lines: list[Line]) -> dict[int, str]:
    """id(line) -> "L" (left column), "R" (right column) or "S" (spans the middle: body text)."""
    if not lines:
        return {}
    x0 = min(ln.box[0] for ln in lines)
    x1 = max(ln.box[2] for ln in lines)
    mid, width = (x0 + x1) / 2, x1 - x0

    def strict(ln: Line, margin: float) -> str:
        if ln.box[2] <= mid + margin * width:
            return "L"
        if ln.box[0] >= mid - margin * width:
            return "R"
        return "S"

    sides = {}
    for ln in lines:
        s = strict(ln, COLUMN_MARGIN)
        if s == "S":
            loose = strict(ln, COLUMN_MARGIN_BESIDE)
            other = {"L": "R", "R": "L"}.get(loose)
            if other and any(o is not ln and strict(o, COLUMN_MARGIN) == other and _same_row(ln, o) for o in lines):
                s = loose
        sides[id(ln)] = s

    return sides


def order_columns(lines: list[Line]) -> list[Line]:
    """Left column before right column where the page splits in two.

    The header of a directive (issuer and number left; motto, place and date right) and the
    signature block (recipients left; signer right) are two columns side by side.  Body lines
    cross the middle of the text area; a run of lines that do not, holding lines of both
    sides, is read left side top to bottom, then right side.
    """
    if len(lines) < 2:
        return lines
    sides = column_sides(lines)

    def side(ln: Line) -> str:
        return sides[id(ln)]

    out: list[Line] = []
    run: list[Line] = []

    def flush() -> None:
        sides = {side(ln) for ln in run}
        if sides == {"L", "R"}:
            yc = lambda ln: (ln.box[1] + ln.box[3]) / 2  # noqa: E731
            left = sorted((ln for ln in run if side(ln) == "L"), key=yc)
            right = sorted((ln for ln in run if side(ln) == "R"), key=yc)
            # Left lines below the right column's end, after a gap of a line's height, are a
            # block of their own ("Kính gửi:" a paragraph under the header's excerpt): the
            # header's right column is read before them.  A recipients' list runs on without one.
            end = max(ln.box[3] for ln in right)
            heights = sorted(ln.box[3] - ln.box[1] for ln in left)
            gap = heights[len(heights) // 2]
            cut = next((i for i in range(1, len(left)) if left[i].box[1] >= end
                        and left[i].box[1] - left[i - 1].box[3] > gap), len(left))
            out.extend(left[:cut])
            out.extend(right)
            out.extend(left[cut:])
        else:
            out.extend(run)
        run.clear()

    for ln in lines:
        if side(ln) == "S":
            flush()
            out.append(ln)
        else:
            run.append(ln)
    flush()
    return out


def _page_from_lines(lines: list[Line], *, number: int, width_pt: float, height_pt: float,
                     to_points) -> Page:
    blocks = []
    confs: list[tuple[float, int]] = []
    for ln in lines:
        text = normalize_text(ln.text).strip()
        if not text:
            continue
        blocks.append(Block(text=text, page=number, bbox=to_points(ln.box), kind="line",
                            source="ocr", confidence=round(ln.conf, 2)))
        confs.append((ln.conf, ln.words))
    total = sum(n for _, n in confs)
    mean = round(sum(c * n for c, n in confs) / total, 2) if total else None
    return Page(number=number, width=round(width_pt, 2), height=round(height_pt, 2), source="ocr",
                ocr_confidence=mean, blocks=blocks)


# A page whose words are shorter than this (pixels, median box height) is read a second time
# enlarged: a phone photo of a whole A4 page is about 70 dpi, and Tesseract's LSTM reads the
# tone marks of 10-pixel glyphs badly.
SMALL_TEXT_PX = 20
UPSCALE = 2
IDLE_INK = 0.0005   # share of the page painted white below which ink removal changed nothing that matters


@dataclass
class _Candidate:
    """One recognition of the page: what was read and how to map it back to the image."""
    name: str
    lines: list[Line]
    tables: list[Table]
    field_reads: list
    to_points: object
    conf: float          # word-weighted mean confidence, as Page.ocr_confidence
    valid: int           # words that are Vietnamese syllables of the dictionary
    grey: Optional[np.ndarray] = None     # the image Tesseract read
    data: Optional[dict] = None           # its word table
    dpi: int = 0
    ink: object = None    # () -> that image with coloured ink kept (header re-reads crop it)
    cleaned: bool = False  # read on the cleaned page (coloured ink out)
    fill_header: bool = False   # its header fields were re-read on another reading's page


def _syllables(line: Line) -> tuple[int, int]:
    """(words, dictionary syllables among them) of a line, punctuation around words aside."""
    words = [w.strip(".,;:()\"“”") for w in normalize_text(line.text).split()]
    return len(words), sum(1 for w in words if is_syllable(w))


def _score(lines: list[Line]) -> tuple[float, int]:
    words = sum(ln.words for ln in lines)
    conf = sum(ln.conf * ln.words for ln in lines) / words if words else 0.0
    return conf, sum(_syllables(ln)[1] for ln in lines)


def _is_grey(rgb: np.ndarray) -> bool:
    """No colour at all: cv2's grey is then the same image Tesseract would make of it."""
    return bool((rgb[:, :, 0] == rgb[:, :, 1]).all() and (rgb[:, :, 1] == rgb[:, :, 2]).all())


def _word_height(data: dict) -> float:
    hs = [data["height"][i] for i, _, _ in read_words(data)]
    return float(np.median(hs)) if hs else 0.0


# A reading must keep nearly all the dictionary syllables the fullest reading read: a higher mean
# confidence over less text (a faint paragraph dropped) is not a better reading.
MIN_VALID_SHARE = 0.97


def choose(candidates: list[_Candidate]) -> _Candidate:
    """The most confident of the readings that lost no text, never below the plain one (the
    first candidate) when the plain one lost none: a page never reads worse than plain Tesseract
    by its own measure, and preprocessing is kept only where it measurably gives something.
    Ties go to the reading with more dictionary syllables."""
    plain = candidates[0]
    most = max(c.valid for c in candidates)
    eligible = [c for c in candidates if c.valid >= MIN_VALID_SHARE * most]
    if plain in eligible:
        eligible = [c for c in eligible if c is plain or c.conf >= plain.conf]
    return max(eligible, key=lambda c: (round(c.conf, 2), c.valid))


def _raw_points(c: _Candidate) -> list[Line]:
    """C's text lines in Tesseract's order, in page points."""
    return [replace(ln, box=c.to_points(ln.box)) for ln in data_to_lines(c.data)] if c.data is not None else []


def _in_points(c: _Candidate, text_lines: Optional[list[Line]] = None) -> list[Line]:
    """C's lines in reading order, in page points; TEXT_LINES (page points, Tesseract's order)
    instead of its own text lines when given."""
    if text_lines is None:
        return [replace(ln, box=c.to_points(ln.box)) for ln in c.lines]
    tables = [replace(ln, box=c.to_points(ln.box)) for ln in c.lines if ln.key[0] < 0]
    return merge_reading_order(order_columns(text_lines), tables)


# A line another reading read and the kept one lost is added to it when it is text: this
# confident, with at least two dictionary syllables, half its words at least.
RECOVER_CONF = 70
# and a line both read is taken from the other when it is this much surer of it
LINE_BETTER = 15


def _is_text_line(ln: Line) -> bool:
    words, valid = _syllables(ln)
    return ln.key[0] >= 0 and ln.conf >= RECOVER_CONF and valid >= 2 and 2 * valid >= words


def _level(a: Line, b: Line) -> bool:
    """Do the two boxes hold the same text: on one row, and one over the other."""
    return _same_row(a, b) and min(a.box[2], b.box[2]) > max(a.box[0], b.box[0])


def _with_lost_lines(kept: list[Line], others: list[list[Line]]) -> list[Line]:
    """KEPT (page points, Tesseract's order) with the text lines another reading read where the
    kept one read nothing (a signer's name under a red seal that plain Tesseract cannot see
    through but the cleaned page shows), or read much less surely, word for word.  Each goes before the first body line below it, so that
    it joins its column's run of lines (order_columns then puts it in its place)."""
    out = list(kept)
    sides = column_sides(kept)
    for other in others:
        for ln in other:
            if not _is_text_line(ln):
                continue
            same = [i for i, k in enumerate(out) if _level(ln, k)]
            if len(same) == 1 and ln.conf >= out[same[0]].conf + LINE_BETTER and \
                    abs(ln.words - out[same[0]].words) <= 1:
                # the same line read much more surely (a name the seal's red ink blurred)
                out[same[0]] = ln
                continue
            if same:
                continue
            at = next((i for i, k in enumerate(out) if sides.get(id(k)) == "S" and k.box[1] > ln.box[1]), len(out))
            out.insert(at, ln)
    return out


# A word another reading read with the same letters, marked otherwise, this much more surely
MARKS_BETTER = 10
MARKS_CONTEXT = 3.0   # ... unless the syllable model, given its neighbours, likes it this much less


def _vote_marks(chosen: _Candidate, others: list[_Candidate]) -> None:
    """CHOSEN's words (its word table, edited in place) with the tone and vowel marks of the same
    word in another reading, where that reading is MARKS_BETTER points surer of it: one reading's
    marks are not the best everywhere (on a photo, plain Tesseract keeps `chống`, `vấn`, `sống`
    where the cleaned page gives `chông`, `vân`, `sông`).  Same place on the page, same letters."""
    if chosen.data is None:
        return
    alternatives: dict[str, list[tuple[tuple, str, float]]] = {}
    for c in others:
        if c.data is None:
            continue
        for i, word, conf in read_words(c.data):
            alternatives.setdefault(fold_diacritics(word.lower()), []).append((c.to_points(_word_box(c.data, i)), word, conf))
    d = chosen.data
    for i, word, conf in read_words(d):
        if sum(ch.isalpha() for ch in word) < 2:
            continue            # a list letter (`đ)` after `d)`) is the numbering's, not a mark to vote on
        rivals = [a for a in alternatives.get(fold_diacritics(word.lower()), ())
                  if a[1] != word and a[2] >= conf + MARKS_BETTER and _same_d(a[1], word)]
        if not rivals:
            continue
        box = chosen.to_points(_word_box(d, i))
        same = [a for a in rivals if _overlap(box, a[0]) > 0.5]
        if not same:
            continue
        best = max(same, key=lambda a: a[2])[1]
        prev, nxt = _neighbours(d, i)
        # the surer reading is not taken where the text around says otherwise (`tổng hợp` read
        # `tông hợp` surer on another page, `tiếp tục` as `tiệp tục`)
        if context_logp(prev, _bare(best), nxt) >= context_logp(prev, _bare(word), nxt) - MARKS_CONTEXT:
            d["text"][i] = best


def _bare(word: str) -> str:
    return word.strip(".,;:()\"“”'!?")


def _neighbours(data: dict, i: int) -> tuple[Optional[str], Optional[str]]:
    """The words before and after word i on its line, None across punctuation or the line's end."""
    def line(j):
        return (data["block_num"][j], data["par_num"][j], data["line_num"][j])

    def word(j, before: bool):
        if not 0 <= j < len(data["text"]) or line(j) != line(i) or not str(data["text"][j]).strip():
            return None
        w = str(data["text"][j]).strip()
        own = str(data["text"][i]).strip()
        if (before and (w[-1:] in ".,;:" or own[:1] in "(\"“")) or (not before and (own[-1:] in ".,;:" or w[:1] in "(\"“")):
            return None
        return _bare(w) or None

    return word(i - 1, True), word(i + 1, False)


def _same_d(a: str, b: str) -> bool:
    """`đ` and `d` are letters, not marks: `đê` is not `dê`."""
    return [ch in "đĐ" for ch in a] == [ch in "đĐ" for ch in b]


def _word_box(data: dict, i: int) -> tuple[float, float, float, float]:
    return (data["left"][i], data["top"][i], data["left"][i] + data["width"][i], data["top"][i] + data["height"][i])


def _overlap(a, b) -> float:
    """Intersection over the smaller box."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / small if small > 0 else 0.0


def _to_points(p: Prepared, factor: float = 1.0, *, w: int, h: int, scale: float):
    """A box in the pixels of P's image enlarged FACTOR times -> page points of the original
    (W x H pixels, SCALE points a pixel)."""
    def to_points(box):
        x0, y0, x1, y1 = (v / factor for v in box)
        pts = [p.to_original(x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
        xs = [min(max(q[0], 0), w) * scale for q in pts]
        ys = [min(max(q[1], 0), h) * scale for q in pts]
        return (round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2))
    return to_points


def _reread_header(c: _Candidate, source: _Candidate, deadline: float) -> _Candidate:
    """C with the header's handwritten number and day re-read once, on SOURCE's page: the cleaned
    one when there is one (deskewed, its blue ink kept: what the re-read was made for)."""
    if source.data is None:
        return c
    from extractors.reading.header_digits import reread_header_fields
    c.field_reads = reread_header_fields(source.ink(), source.data, source.dpi, deadline)
    if source is c:     # its words were edited as they were re-read
        c.lines = merge_reading_order(order_columns(data_to_lines(c.data)), [ln for ln in c.lines if ln.key[0] < 0])
    else:
        c.fill_header = True
    return c


def _fill_header(lines: list[Line], reads: list, height_pt: float) -> list[Line]:
    """LINES (page points) with the header's number and date lines given the values re-read on
    another reading's page (blanks where they were not agreed on)."""
    from extractors.reading import header_digits as hd

    top = [i for i, ln in enumerate(lines) if ln.box[1] <= hd.TOP_SHARE * height_pt]
    out = list(lines)
    for test in (hd.is_number_line, hd.is_date_line):
        i = next((i for i in top if test(normalize_text(out[i].text))), None)
        if i is not None:
            out[i] = replace(out[i], text=hd.fill_header_text(normalize_text(out[i].text), reads))
    return out


def _page_error(exc: Exception, number: int, timeout: float) -> ReadError:
    if isinstance(exc, OcrTimeout):
        return ReadError(code="ocr-timeout", page=number,
                         message=f"page {number}: OCR took longer than {timeout:g} s and was stopped")
    # Tesseract gave up on this image
    return ReadError(code="ocr-failed", page=number,
                     message=f"page {number}: Tesseract failed ({exc.status}: {str(exc.message).strip()[:200]})")


def ocr_image(image: np.ndarray, *, number: int = 1, dpi: float = DEFAULT_DPI, timeout: float = 120,
              tables: bool = True, preprocess: bool = True, budget: Optional[float] = None,
              hires=None, header_fields: bool = True, correct: bool = True,
              candidates: bool = True) -> OcrPageResult:
    """OCR one page image (RGB or grey uint8 array) in this process.  `timeout` is the page's
    budget in seconds; `budget`, when given, is what is left of it (rendering came first).
    `hires`, when given, returns (image, dpi) of the same page at 300 dpi: used instead when
    the page holds a ruled table, whose lone short cells (STT numbers) need bigger glyphs.
    `header_fields`: re-read the header's handwritten number and day (header_digits).

    With `preprocess`, the page is read as it is (plain Tesseract), cleaned (coloured ink out,
    deskewed; its ruled tables read cell by cell) and, when its print is small, cleaned and
    enlarged; `choose` keeps one (`candidates` False: the cleaned reading alone).  `correct`:
    Vietnamese post-correction of the running text (postcorrect.py)."""
    deadline = time.monotonic() + (timeout if budget is None else budget)
    prep = None
    grids = False
    if preprocess:
        prep = prepare_page(image)
        grids = bool(tables and find_grids(prep.image))
        if grids and hires is not None and dpi < 280:
            image, dpi = hires()
            prep = prepare_page(image)
    h, w = image.shape[:2]
    scale = 72.0 / dpi
    width_pt, height_pt = w * scale, h * scale
    mapper = partial(_to_points, w=w, h=h, scale=scale)

    rgb = to_rgb(image)
    grey0 = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    identity = Prepared(image=grey0, angle=0.0, matrix=np.array([[1.0, 0, 0], [0, 1.0, 0]]), ink_removed=0.0)

    def read(name: str, grey: np.ndarray, p: Prepared, *, factor: float = 1.0, with_tables: bool,
             tess_input: Optional[np.ndarray] = None) -> tuple[_Candidate, dict]:
        to_points = mapper(p, factor)
        found, table_lines = [], []
        if with_tables:
            found, table_lines, grey = ocr_page_tables(grey, number=number, dpi=int(round(dpi * factor)),
                                                       deadline=deadline, to_points=to_points)
        cdpi = int(round(dpi * factor))
        data = run_tesseract(grey if tess_input is None else tess_input, cdpi, deadline)
        lines = merge_reading_order(order_columns(data_to_lines(data)), table_lines)
        conf, valid = _score(lines)

        def ink() -> np.ndarray:
            # a hand writes the header's number and day in blue ink, which cleaning paints white
            kept = p.with_ink(image) if p is prep else grey
            return kept if factor == 1.0 or kept is grey else cv2.resize(
                kept, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        return _Candidate(name, lines, found, [], to_points, conf, valid, grey, data, cdpi, ink, p is prep), data

    def finish(c: _Candidate, source: Optional[_Candidate] = None) -> _Candidate:
        return _reread_header(c, source or c, deadline) if header_fields else c

    errors: list[ReadError] = []
    chosen: Optional[_Candidate] = None
    lines: Optional[list[Line]] = None      # the kept reading's, in page points
    try:
        if not preprocess:
            chosen = finish(read("plain", grey0, identity, with_tables=tables)[0])
        else:
            # Plain first: Tesseract on the page as it is (its own grey conversion of a colour
            # page), the reading every other candidate has to beat.
            grey_page = _is_grey(rgb)
            same = not candidates or (abs(prep.angle) < 0.05 and prep.ink_removed == 0.0 and grey_page)
            # Cleaning that changes next to nothing (no coloured ink, under 0.1 degree of skew, no
            # ruled table to read cell by cell) is not worth a second Tesseract run.
            idle = (candidates and not same and not grids and abs(prep.angle) < 0.1
                    and prep.ink_removed < IDLE_INK)
            cands = []
            if not same:
                plain, data = read("plain", grey0, identity, with_tables=False,
                                   tess_input=None if grey_page else cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
                cands.append(plain)
            if not idle:
                cleaned, data = read("cleaned", prep.image, prep, with_tables=tables)
                cands.append(cleaned)
            height = _word_height(data)
            if candidates and 0 < height < SMALL_TEXT_PX and not grids:
                # Enlarged as it is and enlarged cleaned: a photo's deskew and ink removal help
                # some pages and hurt others; lighting is evened out first where it is uneven.
                extra = [("enlarged", grey0, identity)]
                if not idle:
                    extra.append(("enlarged-cleaned", prep.image, prep))
                for name, base, p in extra:
                    big = cv2.resize(flatten_illumination(base), None, fx=UPSCALE, fy=UPSCALE,
                                     interpolation=cv2.INTER_CUBIC)
                    try:
                        cands.append(read(name, big, p, factor=UPSCALE, with_tables=False)[0])
                    except OcrTimeout:
                        break   # the budget ran out on an extra: keep what was read
            # A page with ruled tables keeps the cleaned reading, whose cells were read one by one
            # on the deskewed page: the structure stage needs those cells, and no plain reading
            # has them (its confidence may then be below plain's: bench_ocr counts such pages).
            kept = cleaned if grids and cleaned.tables else choose(cands)
            chosen = finish(kept, next((c for c in cands if c.name == "cleaned"), kept))
            _vote_marks(chosen, [c for c in cands if c is not chosen])
            # only from the cleaned page: what ink removal took out (a received stamp, a seal's
            # words) is not put back
            lines = _in_points(chosen, _with_lost_lines(_raw_points(chosen), [
                _raw_points(c) for c in cands if c is not chosen and c.cleaned]))
    except (OcrTimeout, pytesseract.TesseractError) as exc:   # the page is lost, not the file
        errors.append(_page_error(exc, number, timeout))
    if chosen is None:
        chosen = _Candidate("none", [], [], [], mapper(identity), 0.0, 0)
    if lines is None:
        lines = _in_points(chosen)
    if chosen.fill_header:
        lines = _fill_header(lines, chosen.field_reads, height_pt)
    page = _page_from_lines(lines, number=number, width_pt=width_pt, height_pt=height_pt,
                            to_points=lambda box: box)
    page.field_reads = chosen.field_reads
    if tables:
        _mark_table_blocks(page, lines)
    if correct:
        _post_correct(page)
    return OcrPageResult(page=page, tables=chosen.tables, errors=errors)


# A line read with less confidence than this that holds no dictionary syllable and no digit is
# the edge of a seal, a signature or a speck (k, Š, =.—...), not text.
NOISE_CONF = 50


def _is_noise(block: Block) -> bool:
    if block.in_table or (block.confidence or 0) >= NOISE_CONF or any(ch.isdigit() for ch in block.text):
        return False
    return not any(is_syllable(w) for w in re.findall(r"[^\W\d_]+", block.text))


def _post_correct(page: Page) -> None:
    """Corrected text in `text`, Tesseract's own in `ocr_text`; noise lines dropped; table cells
    are left as read (their text is also the Table's, which must stay the same)."""
    page.blocks = [b for b in page.blocks if not _is_noise(b)]
    for block in page.blocks:
        if block.in_table:
            continue
        fixed = correct_line(block.text)
        if fixed != block.text:
            block.ocr_text = block.text
            block.text = fixed


def merge_reading_order(text_lines: list[Line], table_lines: list[Line]) -> list[Line]:
    """Insert each table's lines (already in row/cell order) where the table sits vertically."""
    if not table_lines:
        return text_lines
    groups: dict[int, list[Line]] = {}
    for ln in table_lines:
        groups.setdefault(ln.key[0], []).append(ln)
    pending = sorted(groups.values(), key=lambda g: min(ln.box[1] for ln in g))
    out: list[Line] = []
    for ln in text_lines:
        while pending and min(t.box[1] for t in pending[0]) <= ln.box[1]:
            out.extend(pending.pop(0))
        out.append(ln)
    for g in pending:
        out.extend(g)
    return out


def _mark_table_blocks(page: Page, lines: list[Line]) -> None:
    in_table = [ln.key[0] < 0 for ln in lines if normalize_text(ln.text).strip()]
    for block, flag in zip(page.blocks, in_table):
        block.in_table = flag


# ---------------------------------------------------------------- workers

def scan_dpi(page) -> Optional[float]:
    """The resolution of the scan when the page is one big image (a scanner PDF), else None."""
    try:
        pw, ph = page.get_size()
        best = None
        for obj in page.get_objects(max_depth=1):
            if obj.type != raw.FPDF_PAGEOBJ_IMAGE:
                continue
            x0, y0, x1, y1 = obj.get_bounds() if hasattr(obj, "get_bounds") else obj.get_pos()
            if (x1 - x0) * (y1 - y0) < 0.6 * pw * ph:
                continue
            meta = obj.get_metadata()
            d = float(meta.horizontal_dpi or 0)
            best = max(best or 0.0, d)
        return best or None
    except pdfium.PdfiumError:   # an image pdfium cannot describe: render at the default resolution
        return None


def render_dpi(native: Optional[float], default: int = DEFAULT_DPI) -> int:
    """Render a scan at its own resolution when that is 200-300 dpi (upsampling adds pixels
    for Tesseract to chew, not information); lower-resolution scans and vector pages at the
    default."""
    if native and native >= 200:
        return int(round(min(native, default)))
    return default


def _render(pdf_path: str, number: int, dpi: Optional[int]) -> tuple[np.ndarray, int]:
    """Page `number` as an RGB array; dpi None: at the scan's own resolution."""
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        page = pdf[number - 1]
        if dpi is None:
            dpi = render_dpi(scan_dpi(page))
        bitmap = page.render(scale=dpi / 72.0, grayscale=False)
        image = bitmap.to_numpy()
        if image.ndim == 3 and image.shape[2] >= 3:
            # pdfium gives BGR(A)
            image = np.ascontiguousarray(image[:, :, 2::-1])
        page.close()
    finally:
        pdf.close()
    return image, dpi


def _ocr_pdf_page(pdf_path: str, number: int, dpi: Optional[int], timeout: float, tables: bool,
                  options: Optional[dict] = None) -> OcrPageResult:
    """Worker: render page `number` (1-based) and OCR it.  Never raises for bad input."""
    import pypdfium2 as pdfium

    start = time.monotonic()
    try:
        image, dpi = _render(pdf_path, number, dpi)
    except pdfium.PdfiumError as exc:  # a page pdfium cannot render is bad input, not a defect
        return _failed_page(number, "render-failed", f"page {number}: cannot render the page ({exc})")
    remaining = timeout - (time.monotonic() - start)
    return ocr_image(image, number=number, dpi=dpi, timeout=timeout, budget=remaining, tables=tables,
                     hires=lambda: _render(pdf_path, number, DEFAULT_DPI), **(options or {}))


def _ocr_image_frame(path: str, index: int, timeout: float, tables: bool, default_dpi: int,
                     options: Optional[dict] = None) -> OcrPageResult:
    try:
        with Image.open(path) as im:
            im.seek(index)
            dpi = _image_dpi(im, default_dpi)
            frame = ImageOps.exif_transpose(im) if index == 0 else im
            frame = frame.convert("RGB")
            image = np.asarray(frame)
    except pillow_errors() as exc:
        return _failed_page(index + 1, "unreadable-image", f"page {index + 1}: cannot read the image ({exc})")
    return ocr_image(image, number=index + 1, dpi=dpi, timeout=timeout, tables=tables, **(options or {}))


def _image_dpi(im, default: int) -> int:
    dpi = im.info.get("dpi")
    try:
        d = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        d = 0.0
    # Phone photos say 72 dpi and mean nothing by it; trust only scanner-like values.
    return int(round(d)) if 100 <= d <= 1200 else default


def _failed_page(number: int, code: str, message: str) -> OcrPageResult:
    return OcrPageResult(page=Page(number=number, source="ocr"), errors=[ReadError(code=code, message=message, page=number)])


def _run_jobs(func, jobs: list[tuple], numbers: list[int], *, workers: Optional[int], timeout: float) -> list[OcrPageResult]:
    """Run func(*job) for each job; in a process pool when there is more than one page."""
    if not jobs:
        return []
    n = workers if workers else (os.cpu_count() or 1)
    n = max(1, min(n, len(jobs)))
    # A worker of someone else's pool (a batch reading files in parallel) is daemonic and
    # may not start processes of its own: it reads its pages one after the other.
    if n == 1 or mp.current_process().daemon:
        return [func(*job) for job in jobs]
    # spawn: workers start clean and small (no copy of a big parent), and no fork of a
    # threaded parent (Prefect, uvicorn).
    ctx = mp.get_context("spawn")
    results: list[OcrPageResult] = []
    pool = ctx.Pool(n, maxtasksperchild=25)
    try:
        pending = [pool.apply_async(func, job) for job in jobs]
        # The worker enforces the page budget on Tesseract; this is the backstop for a worker
        # that hangs elsewhere.  Pages queue behind each other, so the wait grows with the
        # position in the queue.
        t0 = time.monotonic()
        for i, (res, number) in enumerate(zip(pending, numbers)):
            rounds = i // n + 1
            wait = max(1.0, t0 + rounds * (timeout + 30) + 30 - time.monotonic())
            try:
                results.append(res.get(timeout=wait))
            except mp.TimeoutError:
                results.append(_failed_page(number, "ocr-timeout",
                                            f"page {number}: OCR took longer than {timeout:g} s and was stopped"))
            # Anything else a worker raised is a defect (bad pages are results): it ends the read.
    finally:
        pool.terminate()
        pool.join()
    return results


def ocr_pdf_pages(pdf_path: Path, page_numbers: list[int], *, workers: Optional[int] = None,
                  timeout: float = 120, dpi: Optional[int] = None, tables: bool = True,
                  options: Optional[dict] = None) -> dict[int, OcrPageResult]:
    """OCR the given 1-based pages of a PDF; {page number: result}.  Never raises for bad pages.
    `dpi` None: each page at its scan's own resolution (200-300 dpi), else 300.  `options`:
    ocr_image's keywords (correct, candidates), for the benchmarks' before/after."""
    numbers = list(dict.fromkeys(int(n) for n in page_numbers))
    options, correct = _in_parent(options)
    jobs = [(str(pdf_path), n, dpi, timeout, tables, options) for n in numbers]
    results = _run_jobs(_ocr_pdf_page, jobs, numbers, workers=workers, timeout=timeout)
    if correct:
        for r in results:
            _post_correct(r.page)
    return {n: r for n, r in zip(numbers, results)}


def ocr_image_file(path: Path, *, workers: Optional[int] = None, timeout: float = 120,
                   tables: bool = True, default_dpi: int = DEFAULT_DPI,
                   options: Optional[dict] = None) -> list[OcrPageResult]:
    """OCR a PNG/JPEG/TIFF scan (every frame of a multi-page TIFF), one result per page."""
    try:
        with Image.open(path) as im:
            frames = getattr(im, "n_frames", 1) or 1
    except pillow_errors() as exc:
        return [_failed_page(1, "unreadable-image", f"{Path(path).name}: cannot read the image ({exc})")]
    options, correct = _in_parent(options)
    jobs = [(str(path), i, timeout, tables, default_dpi, options) for i in range(frames)]
    results = _run_jobs(_ocr_image_frame, jobs, [i + 1 for i in range(frames)], workers=workers, timeout=timeout)
    if correct:
        for r in results:
            _post_correct(r.page)
    return results


def _in_parent(options: Optional[dict]) -> tuple[dict, bool]:
    """The workers' options without the post-correction, and whether to correct: it runs here,
    in the parent, so the bigram model is loaded once per process, not once per worker."""
    options = dict(options or {})
    return {**options, "correct": False}, options.get("correct", True)
