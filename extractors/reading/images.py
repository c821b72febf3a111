"""PNG/JPEG/TIFF scans: checked with Pillow, then OCR'd page by page (TIFF frames)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from PIL import Image

from extractors.reading import ocr
from extractors.reading.image_errors import pillow_errors
from extractors.reading.pdf import normalise_table_text, ocr_problem
from extractors.reading.tables import merge_tables
from extractors.text import normalize_text
from extractors.types import Document, ReadError

# Decompression-bomb guard: a 600 dpi A3 scan is ~70 Mpx; refuse far beyond that.
MAX_PIXELS = 200_000_000


def check_image(path: Path) -> Optional[ReadError]:
    """None when Pillow can decode every frame; else the reason."""
    try:
        with Image.open(path) as im:
            frames = getattr(im, "n_frames", 1) or 1
            w, h = im.size
            if w * h > MAX_PIXELS:
                return ReadError(code="image-too-large", message=f"image too large ({w}x{h} pixels)")
            for i in range(frames):
                im.seek(i)
                im.load()
    except Image.DecompressionBombError:
        return ReadError(code="image-too-large", message="image too large (decompression bomb guard)")
    except pillow_errors() as exc:
        return ReadError(code="unreadable-image", message=f"unreadable image ({type(exc).__name__}: {exc})")
    return None


def read_image(path: Path, doc: Document, *, workers=None, timeout: float = 120, tables: bool = True) -> None:
    problem = check_image(path)
    if problem is not None:
        doc.status = "failed"
        doc.errors.append(problem)
        return
    problem = ocr_problem(ocr)
    if problem is not None:
        doc.status = "failed"
        doc.errors.append(problem)
        return
    results = ocr.ocr_image_file(path, workers=workers, timeout=timeout, tables=tables)
    per_page = []
    for r in results:
        for b in r.page.blocks:
            b.text = normalize_text(b.text)
        doc.pages.append(r.page)
        doc.errors.extend(r.errors)
        per_page.extend(normalise_table_text(t, "ocr") for t in r.tables)
    if per_page:
        doc.tables = merge_tables(per_page)
