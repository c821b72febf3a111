"""A PDF page as a PNG with one passage highlighted, for the obligation page (pdfium + Pillow).

    png = render_page(path, page=3, bbox=(72, 140, 520, 180), crop=True)
"""
from __future__ import annotations

import io
from pathlib import Path


def render_page(path: Path, page: int, bbox, text: str = "", scale: float = 1.6, crop: bool = False) -> bytes:
    """PNG of one PDF page with the passage highlighted: the stored bbox (PDF points, top-left
    origin) when there is one, else where the text's first words are found on the page.
    `crop`: only the band around the passage (readable at column width)."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = pdfium.PdfDocument(str(path))
    try:
        n = max(1, min(int(page or 1), len(pdf)))
        pg = pdf[n - 1]
        width, height = pg.get_size()
        boxes = []
        if bbox and len(bbox) == 4:
            boxes.append(tuple(float(v) for v in bbox))
        elif text:
            boxes = find_text(pg, text, height)
        img = pg.render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()
    if boxes:
        overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for x0, top, x1, bottom in boxes:
            r = [x0 * scale - 3, top * scale - 3, x1 * scale + 3, bottom * scale + 3]
            draw.rectangle(r, fill=(255, 221, 0, 90), outline=(230, 120, 0, 255), width=3)
        img = Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB")
        if crop:
            top = max(0, int(min(b[1] for b in boxes) * scale) - 120)
            bottom = min(img.height, int(max(b[3] for b in boxes) * scale) + 160)
            img = img.crop((0, top, img.width, bottom))
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def find_text(pg, text: str, height: float) -> list[tuple]:
    """The box (top-left origin) around the first occurrence of the text's first 8, 5 or 3
    words on the page; [] when none is found."""
    words = text.split()
    for n in (8, 5, 3):
        needle = " ".join(words[:n])
        if not needle:
            continue
        try:
            tp = pg.get_textpage()
            searcher = tp.search(needle, match_case=False, match_whole_word=False)
            occ = searcher.get_next()
            if not occ:
                continue
            start, count = occ
            boxes = []
            for i in range(tp.count_rects(start, count)):
                left, bottom, right, top = tp.get_rect(i)
                boxes.append((left, height - top, right, height - bottom))
            if boxes:
                return [(min(b[0] for b in boxes), min(b[1] for b in boxes),
                         max(b[2] for b in boxes), max(b[3] for b in boxes))]
        except Exception:
            return []
    return []
