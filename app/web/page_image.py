"""A PDF page as a PNG with one passage highlighted, for the obligation page (pdfium + Pillow).

    png = render_page(path, page=3, bbox=None, text=ob.text, crop=True)

The passage is found in the page's text layer word by word (passage_boxes), so every line it
spans is highlighted, and when it runs past the page's end the next page is drawn below with
the rest highlighted.  A scan without a text layer gets no highlight (the page alone).
"""
from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

HIGHLIGHT = (255, 221, 0, 90)
OUTLINE = (230, 120, 0, 255)
GAP = 12                       # pixels between two stacked pages
_WORD = re.compile(r"\S+")
_EDGE = ".,;:!?()[]{}\"'“”‘’«»…-–—•*"


def _key(word: str) -> str:
    """A word without case or diacritics: "uỷ" and "ủy" (two tone placements) are one word."""
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
    return bare.strip(_EDGE).casefold().replace("đ", "d")


def _words(text: str) -> list[tuple[str, int, int]]:
    """(key, start, end) of each word of TEXT, punctuation-only words left out."""
    out = []
    for m in _WORD.finditer(text):
        k = _key(m.group())
        if k:
            out.append((k, m.start(), m.end()))
    return out


def word_keys(text: str) -> list[str]:
    """The words of TEXT as align compares them."""
    return [k for k, _, _ in _words(text)]


def align(page: list[str], passage: list[str], *, first_from: int = 0, first_within: int | None = None,
          probe: int = 5) -> tuple[int, int, int] | None:
    """Where the PASSAGE's words lie in the PAGE's: (first page word, last page word, passage
    words matched), or None.  The start is the first place (from FIRST_FROM, within FIRST_WITHIN
    words of it) where the passage's first PROBE words (then 3) follow each other; from there it
    walks both, stepping over up to 3 words on either side that differ (a hyphenated line end, a
    page number, a footnote mark), and stops where they no longer meet."""
    stop = len(page) if first_within is None else min(len(page), first_from + first_within)
    best = None
    for n in (probe, 3):
        head = passage[:n]
        if not head:
            return None
        for start in (i for i in range(first_from, stop) if page[i:i + len(head)] == head):
            found = _walk(page, passage, start)
            if best is None or found[2] > best[2]:
                best = found
        if best is not None:
            return best
    return None


def _walk(page: list[str], passage: list[str], start: int) -> tuple[int, int, int]:
    i, j, last = start, 0, start
    while i < len(page) and j < len(passage):
        if page[i] == passage[j]:
            last, i, j = i, i + 1, j + 1
            continue
        step = _resync(page, passage, i, j)
        if step is None:
            break
        i, j = i + step[0], j + step[1]
    return start, last, j


def _resync(page: list[str], passage: list[str], i: int, j: int) -> tuple[int, int] | None:
    """The fewest words to step over (page, passage) for the two to meet again for 3 words:
    up to 8 on the page (words the extraction left out), 3 in the passage."""
    for skip in range(1, 9):
        for a, b in ((skip, 0), (0, skip), (skip, skip)):
            if b > 3:
                continue
            if i + a < len(page) and j + b < len(passage) and page[i + a] == passage[j + b] \
                    and page[i + a + 1:i + a + 3] == passage[j + b + 1:j + b + 3]:
                return a, b
    return None


def _line_boxes(tp, start: int, count: int, height: float) -> list[tuple]:
    """pdfium's rectangles of the chars START..START+COUNT (one per line run), top-left origin."""
    boxes = []
    for k in range(tp.count_rects(start, count)):
        left, bottom, right, top = tp.get_rect(k)
        boxes.append((left, height - top, right, height - bottom))
    return boxes


def passage_boxes(pdf, page: int, text: str, max_pages: int = 3) -> list[tuple[int, list[tuple]]]:
    """[(page number, [box, ...]), ...]: a box (PDF points, top-left origin) around each line of
    TEXT as printed from page PAGE on, over the following pages while the passage continues
    there; [] when the page has no text layer or the passage's start is not on it."""
    wanted = [k for k, _, _ in _words(text)]
    out: list[tuple[int, list[tuple]]] = []
    n, done = _first_page(pdf, page, wanted), 0
    while wanted[done:] and n <= len(pdf) and len(out) < max_pages:
        pg = pdf[n - 1]
        tp = pg.get_textpage()
        raw = tp.get_text_range()
        words = _words(raw)
        keys = [k for k, _, _ in words]
        # the rest of a passage continues at the top of the next page (after its page number)
        found = align(keys, wanted[done:], first_within=None if not out else 40, probe=5 if not out else 3)
        if found is None:
            break
        first, last, matched = found
        a, b = words[first][1], words[last][2]
        # char indices: get_text_range is one char per pdfium char index on these pages
        out.append((n, _line_boxes(tp, a, b - a, pg.get_size()[1]) if len(raw) == tp.count_chars() else []))
        done += matched
        if last < len(keys) - 3:        # it ended on this page, before its last words
            break
        n += 1
    return [(p, b) for p, b in out if b]


def _first_page(pdf, page: int, wanted: list[str]) -> int:
    """PAGE, or the next page when the passage starts there and not on PAGE (a page number
    taken from the line before the passage)."""
    def matched(n: int) -> int:
        if not 1 <= n <= len(pdf):
            return -1
        found = align([k for k, _, _ in _words(pdf[n - 1].get_textpage().get_text_range())], wanted)
        return found[2] if found else 0
    here = matched(page)
    if here >= min(len(wanted), 8):
        return page
    return page + 1 if matched(page + 1) > here else page


def render_page(path: Path, page: int, bbox, text: str = "", scale: float = 1.6, crop: bool = False) -> bytes:
    """PNG of the passage's page (and the next ones when it runs on) with every line of the
    passage highlighted: the stored bbox (PDF points, top-left origin) when there is one, else
    where the text is found on the page.  `crop`: only the band around the passage."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = pdfium.PdfDocument(str(path))
    try:
        n = max(1, min(int(page or 1), len(pdf)))
        if bbox and len(bbox) == 4:
            found = [(n, [tuple(float(v) for v in bbox)])]
        else:
            found = passage_boxes(pdf, n, text) if text else []
        pages = [p for p, _ in found] or [n]
        images = [pdf[p - 1].render(scale=scale).to_pil().convert("RGB") for p in pages]
    finally:
        pdf.close()
    width = max(im.width for im in images)
    img = Image.new("RGB", (width, sum(im.height for im in images) + GAP * (len(images) - 1)), (200, 205, 212))
    offsets, y = [], 0
    for im in images:
        img.paste(im, (0, y))
        offsets.append(y)
        y += im.height + GAP
    rects = [[x0 * scale - 3, top * scale - 3 + off, x1 * scale + 3, bottom * scale + 3 + off]
             for (_, boxes), off in zip(found, offsets) for x0, top, x1, bottom in boxes]
    if rects:
        overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for r in rects:
            draw.rectangle(r, fill=HIGHLIGHT, outline=OUTLINE, width=3)
        img = Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB")
        if crop:
            top = max(0, int(min(r[1] for r in rects)) - 120)
            bottom = min(img.height, int(max(r[3] for r in rects)) + 160)
            img = img.crop((0, top, img.width, bottom))
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False)
    return buf.getvalue()
