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

Public:
    OcrPageResult, ensure_ocr_available(), ocr_pdf_pages(), ocr_image_file(), ocr_image()
"""
from __future__ import annotations

import multiprocessing as mp
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import cv2
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytesseract
from PIL import Image, ImageOps

from extractors.reading.image_errors import pillow_errors
from extractors.reading.preprocess import Prepared, prepare_page, to_rgb
from extractors.reading.scan_tables import find_grids, ocr_page_tables
from extractors.reading.tesseract import LANG, Line, OcrTimeout, data_to_lines, run_tesseract
from extractors.text import normalize_text
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

def order_columns(lines: list[Line]) -> list[Line]:
    """Left column before right column where the page splits in two.

    The header of a directive (issuer and number left; motto, place and date right) and the
    signature block (recipients left; signer right) are two columns side by side.  Body lines
    cross the middle of the text area; a run of lines that do not, holding lines of both
    sides, is read left side top to bottom, then right side.
    """
    if len(lines) < 2:
        return lines
    x0 = min(ln.box[0] for ln in lines)
    x1 = max(ln.box[2] for ln in lines)
    mid, margin = (x0 + x1) / 2, 0.02 * (x1 - x0)

    def side(ln: Line) -> str:
        if ln.box[2] <= mid + margin:
            return "L"
        if ln.box[0] >= mid - margin:
            return "R"
        return "S"

    out: list[Line] = []
    run: list[Line] = []

    def flush() -> None:
        sides = {side(ln) for ln in run}
        if sides == {"L", "R"}:
            yc = lambda ln: (ln.box[1] + ln.box[3]) / 2  # noqa: E731
            out.extend(sorted((ln for ln in run if side(ln) == "L"), key=yc))
            out.extend(sorted((ln for ln in run if side(ln) == "R"), key=yc))
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


def ocr_image(image: np.ndarray, *, number: int = 1, dpi: float = DEFAULT_DPI, timeout: float = 120,
              tables: bool = True, preprocess: bool = True, budget: Optional[float] = None,
              hires=None, header_fields: bool = True) -> OcrPageResult:
    """OCR one page image (RGB or grey uint8 array) in this process.  `timeout` is the page's
    budget in seconds; `budget`, when given, is what is left of it (rendering came first).
    `hires`, when given, returns (image, dpi) of the same page at 300 dpi: used instead when
    the page holds a ruled table, whose lone short cells (STT numbers) need bigger glyphs.
    `header_fields`: re-read the header's handwritten number and day (header_digits)."""
    deadline = time.monotonic() + (timeout if budget is None else budget)
    if preprocess:
        prep = prepare_page(image)
        if tables and hires is not None and dpi < 280:
            if find_grids(prep.image):
                image, dpi = hires()
                prep = prepare_page(image)
    h, w = image.shape[:2]
    scale = 72.0 / dpi
    width_pt, height_pt = w * scale, h * scale
    if not preprocess:
        grey = cv2.cvtColor(to_rgb(image), cv2.COLOR_RGB2GRAY)
        prep = Prepared(image=grey, angle=0.0, matrix=np.array([[1.0, 0, 0], [0, 1.0, 0]]), ink_removed=0.0)

    def to_points(box):
        x0, y0, x1, y1 = box
        pts = [prep.to_original(x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
        xs = [min(max(p[0], 0), w) * scale for p in pts]
        ys = [min(max(p[1], 0), h) * scale for p in pts]
        return (round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2))

    found: list[Table] = []
    errors: list[ReadError] = []
    lines: list[Line] = []
    field_reads = []
    try:
        grey = prep.image
        if tables:
            found, table_lines, grey = ocr_page_tables(grey, number=number, dpi=int(round(dpi)),
                                                       deadline=deadline, to_points=to_points)
        else:
            table_lines = []
        data = run_tesseract(grey, int(round(dpi)), deadline)
        if header_fields:
            from extractors.reading.header_digits import reread_header_fields
            field_reads = reread_header_fields(prep.with_ink(image) if preprocess else grey, data,
                                               int(round(dpi)), deadline)
        lines = merge_reading_order(order_columns(data_to_lines(data)), table_lines)
    except OcrTimeout:
        errors.append(ReadError(code="ocr-timeout", page=number,
                                message=f"page {number}: OCR took longer than {timeout:g} s and was stopped"))
        found = []
        lines = []
    except pytesseract.TesseractError as exc:   # Tesseract gave up on this image: the page is lost, not the file
        errors.append(ReadError(code="ocr-failed", page=number,
                                message=f"page {number}: Tesseract failed ({exc.status}: {str(exc.message).strip()[:200]})"))
        found = []
        lines = []
    page = _page_from_lines(lines, number=number, width_pt=width_pt, height_pt=height_pt, to_points=to_points)
    page.field_reads = field_reads
    if tables:
        _mark_table_blocks(page, lines)
    return OcrPageResult(page=page, tables=found, errors=errors)


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


def _ocr_pdf_page(pdf_path: str, number: int, dpi: Optional[int], timeout: float, tables: bool) -> OcrPageResult:
    """Worker: render page `number` (1-based) and OCR it.  Never raises for bad input."""
    import pypdfium2 as pdfium

    start = time.monotonic()
    try:
        image, dpi = _render(pdf_path, number, dpi)
    except pdfium.PdfiumError as exc:  # a page pdfium cannot render is bad input, not a defect
        return _failed_page(number, "render-failed", f"page {number}: cannot render the page ({exc})")
    remaining = timeout - (time.monotonic() - start)
    return ocr_image(image, number=number, dpi=dpi, timeout=timeout, budget=remaining, tables=tables,
                     hires=lambda: _render(pdf_path, number, DEFAULT_DPI))


def _ocr_image_frame(path: str, index: int, timeout: float, tables: bool, default_dpi: int) -> OcrPageResult:
    try:
        with Image.open(path) as im:
            im.seek(index)
            dpi = _image_dpi(im, default_dpi)
            frame = ImageOps.exif_transpose(im) if index == 0 else im
            frame = frame.convert("RGB")
            image = np.asarray(frame)
    except pillow_errors() as exc:
        return _failed_page(index + 1, "unreadable-image", f"page {index + 1}: cannot read the image ({exc})")
    return ocr_image(image, number=index + 1, dpi=dpi, timeout=timeout, tables=tables)


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
                  timeout: float = 120, dpi: Optional[int] = None, tables: bool = True) -> dict[int, OcrPageResult]:
    """OCR the given 1-based pages of a PDF; {page number: result}.  Never raises for bad pages.
    `dpi` None: each page at its scan's own resolution (200-300 dpi), else 300."""
    numbers = list(dict.fromkeys(int(n) for n in page_numbers))
    jobs = [(str(pdf_path), n, dpi, timeout, tables) for n in numbers]
    results = _run_jobs(_ocr_pdf_page, jobs, numbers, workers=workers, timeout=timeout)
    return {n: r for n, r in zip(numbers, results)}


def ocr_image_file(path: Path, *, workers: Optional[int] = None, timeout: float = 120,
                   tables: bool = True, default_dpi: int = DEFAULT_DPI) -> list[OcrPageResult]:
    """OCR a PNG/JPEG/TIFF scan (every frame of a multi-page TIFF), one result per page."""
    try:
        with Image.open(path) as im:
            frames = getattr(im, "n_frames", 1) or 1
    except pillow_errors() as exc:
        return [_failed_page(1, "unreadable-image", f"{Path(path).name}: cannot read the image ({exc})")]
    jobs = [(str(path), i, timeout, tables, default_dpi) for i in range(frames)]
    return _run_jobs(_ocr_image_frame, jobs, [i + 1 for i in range(frames)], workers=workers, timeout=timeout)
