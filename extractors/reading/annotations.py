"""Text a PDF draws in annotations rather than in the page: form widgets and signature boxes.

Vietnamese e-documents (Nghị định 30/2020) are signed after they are typeset: the number and the
day are filled in at signing as form widgets drawn over the blank `Số:    /TB-UBND` and
`ngày    tháng 01 năm 2025`, and the signature appears as a box (`Ký bởi: … Cơ quan: … Thời gian ký:
…`).  The page's own text layer has only the blanks.  pdfium draws annotations from their
appearance streams; flattening a page copies those into its content, so their characters can be
read with the page's text calls and told apart from the page's own by position.

    annotation_texts(pdf, index, page_chars, height, fonts, read_chars) -> list[AnnotationText]
    parse_signature(text, page, bbox) -> Signature | None
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Optional

from extractors.reading import layout
from extractors.types import BBox, Signature

# pdfium annotation subtypes (fpdf_annot.h) that hold form fields; everything else is markup a
# reader added (notes, free text, stamps), kept out of the document's text.
_WIDGET = 20


@dataclass
class AnnotationText:
    widget: bool                       # a form field (number, day, signature) rather than a reader's markup
    bbox: BBox                         # top-left origin, PDF points
    chars: list[layout.Char] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(" ".join(p.text for p in ln.pieces) for ln in layout.build_lines(list(self.chars)))


def _char_key(c: layout.Char) -> tuple:
    return (c.text, round(c.x0, 1), round(c.top, 1))


def annotation_texts(pdf, index: int, page_chars: list[layout.Char], height: float, fonts,
                     read_chars) -> list[AnnotationText]:
    """The text each annotation of page `index` draws, by annotation, in drawing order.
    `read_chars(page, textpage, height, fonts)` is the PDF reader's character reader
    (extractors.reading.pdf.extract_chars; passed in, so this module does not import its caller).

    Flattens the page of the open document in memory (never written back): call it after the
    page's own characters were read, and only once per page."""
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        n = raw.FPDFPage_GetAnnotCount(page.raw)
        if n <= 0:
            return []
        found: list[AnnotationText] = []
        rect = raw.FS_RECTF()
        for k in range(n):
            annot = raw.FPDFPage_GetAnnot(page.raw, k)
            if not annot:
                continue
            try:
                if not raw.FPDFAnnot_GetRect(annot, rect) or rect.right <= rect.left or rect.top <= rect.bottom:
                    continue
                widget = raw.FPDFAnnot_GetSubtype(annot) == _WIDGET
                found.append(AnnotationText(widget, (rect.left, height - rect.top, rect.right, height - rect.bottom)))
            finally:
                raw.FPDFPage_CloseAnnot(annot)
        if not found or raw.FPDFPage_Flatten(page.raw, raw.FLAT_NORMALDISPLAY) != raw.FLATTEN_SUCCESS:
            return []
    finally:
        page.close()
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            chars, overlay, _ = read_chars(page, textpage, height, fonts)
        finally:
            textpage.close()
    finally:
        page.close()
    own = {_char_key(c) for c in page_chars}
    for c in chars + overlay:
        if _char_key(c) in own:
            continue
        cx, cy = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
        # The smallest annotation holding the glyph: signature boxes can overlap each other.
        hits = [a for a in found if a.bbox[0] - 1 <= cx <= a.bbox[2] + 1 and a.bbox[1] - 1 <= cy <= a.bbox[3] + 1]
        if hits:
            min(hits, key=lambda a: (a.bbox[2] - a.bbox[0]) * (a.bbox[3] - a.bbox[1])).chars.append(c)
    return [a for a in found if a.chars]


# ---------------------------------------------------------------- signature boxes

_SIGNATURE_WORDS = re.compile(
    r"(?i)(ký bởi|người ký|thời gian ký|ngày ký|signed by|signature|\bsao y\b|cơ quan\s*:|email\s*:|@|"
    r"\d{1,2}[./-]\d{1,2}[./-]\d{4}\s*,?\s*\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2})")
_LABEL = re.compile(r"(?i)^(ký bởi|người ký|signed by|cơ quan|email|thời gian ký|ngày ký|thời gian|date)\s*:\s*")
_TIME = re.compile(
    r"(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})\s*,?\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:?\d{2}|Z)?)")
_TZ = re.compile(r"([+-])(\d{2}):?(\d{2})\s*$")


def is_signature_text(text: str) -> bool:
    """A signature box's text, not a filled-in field (`11`, `08`)."""
    return bool(_SIGNATURE_WORDS.search(text))


def _time(text: str) -> Optional[dt.datetime]:
    m = _TIME.search(text)
    if not m:
        return None
    try:
        if m.group("iso"):
            return dt.datetime.fromisoformat(m.group("iso").replace("Z", "+00:00"))
        at = dt.datetime(int(m.group("y")), int(m.group("m")), int(m.group("d")), int(m.group("H")), int(m.group("M")),
                         int(m.group("S") or 0))
    except ValueError:
        return None
    tz = _TZ.search(text[m.end():m.end() + 12])
    # Vietnamese signing services print local time; +07:00 when they say nothing.
    offset = dt.timedelta(hours=7)
    if tz:
        sign = -1 if tz.group(1) == "-" else 1
        offset = sign * dt.timedelta(hours=int(tz.group(2)), minutes=int(tz.group(3)))
    return at.replace(tzinfo=dt.timezone(offset))


def _name(lines: list[str]) -> Optional[str]:
    text = re.sub(r"\s+", " ", " ".join(lines)).strip(" ,;:.")
    return text or None


def parse_signature(text: str, page: int, bbox: Optional[BBox] = None) -> Optional[Signature]:
    """`Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi / Cơ quan: Tỉnh Quảng Ngãi / Thời gian ký: 15/01/2025
    17:10:17` -> Signature.  A label's value runs over the lines below it until the next label (boxes
    wrap names); a box without labels (`TRUNG TÂM CÔNG BÁO / VÀ TIN HỌC / email / 09.01.2025 …`) is
    signed by its first lines."""
    if not is_signature_text(text):
        return None
    fields: dict[str, list[str]] = {}
    current = "head"
    copy = False
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        if re.fullmatch(r"(?i)sao y(\s+bản chính)?", line):
            copy = True
            continue
        m = _LABEL.match(line)
        if m:
            label = m.group(1).lower()
            current = {"ký bởi": "by", "người ký": "by", "signed by": "by", "cơ quan": "org", "email": "email"}.get(label, "time")
            line = line[m.end():].strip()
            if not line:
                continue
        elif _TIME.search(line) or "@" in line:
            current = "time" if _TIME.search(line) else "email"
        # A time printed on the line of a name (`Thời gian ký: 18/03/2024 08:41:42 TRUNG TÂM CÔNG`): the
        # part after the time belongs to a neighbouring box, not to this field.
        fields.setdefault(current, []).append(line)
    time_text = " ".join(fields.get("time", []) + fields.get("head", []) + fields.get("by", []))
    signed_by = _name(fields.get("by", [])) or _name([ln for ln in fields.get("head", []) if not _TIME.search(ln)])
    return Signature(signed_by=signed_by, organisation=_name(fields.get("org", [])), signed_at=_time(time_text),
                     is_copy=copy, page=page, bbox=tuple(round(v, 2) for v in bbox) if bbox else None,
                     raw=re.sub(r"\s*\n\s*", " / ", text.strip()))


def primary_signature(signatures: list[Signature]) -> Optional[Signature]:
    """The signature of the issuer: a labelled signature (`Ký bởi`, `Người ký`) that is not a copy's,
    before an unlabelled one (a gazette's publication stamp) or a copy's (`SAO Y`); the earliest."""
    def rank(s: Signature):
        labelled = bool(re.search(r"(?i)ký bởi|người ký|signed by", s.raw))
        at = s.signed_at.timestamp() if s.signed_at else float("inf")
        return (s.is_copy, not labelled, s.signed_by is None, at)
    usable = [s for s in signatures if s.signed_by or s.signed_at]
    return min(usable, key=rank) if usable else None
