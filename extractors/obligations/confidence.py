"""How sure the extraction is of one obligation: a confidence in [0, 1] and the reasons that
lowered it, so that a clerk reviews the least certain first.

A few explicit penalties, not a trained model.  Each reason multiplies the confidence by a
factor below 1, so:
- every reason lowers it, and more reasons never raise it (the product of factors <= 1);
- it stays in [0, 1] (1: nothing to doubt);
- the OCR factor falls as the OCR confidence of the obligation's source lines falls, and the
  heading factor as the heading that named the unit is more section levels above the item.

The inputs are what the walker recorded on each piece (extractors/obligations/__init__.py:
how its lead units were found, how far up its scope was, the source lines' OCR confidence,
whether it was cut from a paragraph holding several tasks) and what the obligation carries
(units, deadline, flags, the shape of its text).  The factors are the named constants below; bench/calibrate_confidence.py
checks on the real development set and the evaluation set that lower confidence does mean
more often wrong.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from extractors.types import ConfidenceReason, Deadline, Obligation

__all__ = ["Evidence", "score", "set_confidence", "unit_kind", "ocr_factor", "UNIT_SOURCES", "FACTORS"]

# How a piece's lead units were found (Piece.unit_source):
#   sentence   the sentence's own subject, or the object of "Giao / Đề nghị / Yêu cầu X"
#   table      the lead column of a task table
#   field      a labelled line under the task ("Đơn vị chủ trì: ...")
#   previous   the subject of an earlier sentence of the same paragraph
#   lead-in    the subject of the item's first paragraph, for its later paragraphs
#   heading    a heading or list lead-in above the item that names units (scope_depth levels up)
#   addressees the directive's "... yêu cầu X, Y, Z thực hiện ...:" sentence
#   None       no unit at all
UNIT_SOURCES = ("sentence", "table", "field", "previous", "lead-in", "heading", "addressees")

# The factor each reason multiplies the confidence by.
FACTORS = {
    "no-unit": 0.5,                 # no lead unit: the task reaches no one
    "unit-unknown": 0.6,            # a lead unit that is not a known body or group
    "support-unknown": 0.75,        # a support unit that is not a known body or group
    "unit-from-addressees": 0.7,    # the document's general addressees, far from the task
    "unit-from-heading": 0.85,      # the heading just above (one level, or the item's own)
    "unit-from-lead-in": 0.85,      # the item's opening sentence
    "unit-from-previous": 0.8,      # the sentence before
    "deadline-before-document": 0.6,
    "deadline-no-date": 0.85,       # deadline words that gave no date and no recurrence
    "duplicate": 0.7,
    "split-from-sentence": 0.8,     # one of several tasks cut from one paragraph
    # The shape of the text (the failures issue 12 lists: headings and fragments stored as tasks)
    "heading-like": 0.6,            # ends with a colon: a heading or lead-in over items, not a task
    "short-text": 0.6,              # fewer than SHORT_WORDS words, outside a table: a fragment of a task
}
SHORT_WORDS = 10
HEADING_LEVEL_FACTOR = 0.9          # per heading level above the first
OCR_GOOD = 90.0                     # OCR word confidence (0..100) at or above which nothing is doubted
OCR_SLOPE = 1.5                     # factor lost per point below OCR_GOOD, / 100
OCR_FLOOR = 0.3                     # the OCR factor never goes below this

_TEXT = {
    "no-unit": "không xác định được đơn vị chủ trì",
    "unit-unknown": "đơn vị chủ trì không có trong danh mục cơ quan ({units})",
    "support-unknown": "đơn vị phối hợp không có trong danh mục cơ quan ({units})",
    "unit-from-addressees": "đơn vị lấy từ phần yêu cầu chung của văn bản",
    "unit-from-heading": "đơn vị lấy từ tiêu đề mục",
    "unit-from-heading-far": "đơn vị lấy từ tiêu đề mục cách {levels} cấp",
    "unit-from-lead-in": "đơn vị lấy từ câu mở đầu của mục",
    "unit-from-previous": "đơn vị lấy từ câu trước",
    "deadline-before-document": "thời hạn sớm hơn ngày ban hành văn bản",
    "deadline-no-date": "thời hạn không quy ra được ngày (“{raw}”)",
    "duplicate": "trùng với một nhiệm vụ khác của văn bản",
    "split-from-sentence": "tách từ một đoạn có nhiều nhiệm vụ",
    "heading-like": "giống tiêu đề hoặc câu dẫn (kết thúc bằng dấu hai chấm)",
    "short-text": "nội dung quá ngắn, có thể bị cắt",
    "ocr-low": "chữ quét mờ (độ tin cậy OCR {ocr}%)",
}


@dataclass
class Evidence:
    """What the confidence of one obligation is computed from."""
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    unit_source: Optional[str] = None       # one of UNIT_SOURCES, None when no unit was found
    scope_depth: int = 0                    # heading: section levels between the heading and the item
    ocr: Optional[float] = None             # OCR word confidence 0..100 of the source lines; None: not OCR'd
    deadline: Optional[Deadline] = None
    flags: list[str] = field(default_factory=list)
    split: bool = False
    text: str = ""                          # the task as extracted ("": not looked at)
    table: bool = False                     # a task-table row (a short cell is no fragment)


def unit_kind(name: str) -> str:
    """What a printed unit is: "body", "group", "position" or "unknown" (extractors.units.resolve_unit,
    as the `unknown-unit` flag reads it).  The one place the confidence asks."""
    from extractors.units import resolve_unit

    return resolve_unit(name).kind


def ocr_factor(ocr: Optional[float]) -> float:
    """1 for text that was not OCR'd or was read well; falls linearly below OCR_GOOD."""
    if ocr is None or ocr >= OCR_GOOD:
        return 1.0
    return max(OCR_FLOOR, 1.0 - OCR_SLOPE * (OCR_GOOD - max(0.0, ocr)) / 100.0)


def _reasons(e: Evidence) -> list[tuple[float, str, str]]:
    """(factor, code, text) of every reason that applies."""
    out: list[tuple[float, str, str]] = []

    def add(code: str, factor: Optional[float] = None, key: Optional[str] = None, **fmt) -> None:
        out.append((FACTORS[code] if factor is None else factor, code, _TEXT[key or code].format(**fmt)))

    if not e.lead_units:
        add("no-unit")
    else:
        unknown = [u for u in e.lead_units if unit_kind(u) == "unknown"]
        if unknown:
            add("unit-unknown", units="; ".join(unknown))
        src = e.unit_source
        if src == "heading":
            levels = max(1, e.scope_depth)
            f = FACTORS["unit-from-heading"] * HEADING_LEVEL_FACTOR ** (levels - 1)
            if levels > 1:
                add("unit-from-heading", f, key="unit-from-heading-far", levels=levels)
            else:
                add("unit-from-heading", f)
        elif src in ("lead-in", "previous", "addressees"):
            add(f"unit-from-{src}")
    unknown = [u for u in e.support_units if unit_kind(u) == "unknown"]
    if unknown:
        add("support-unknown", units="; ".join(unknown))
    dl = e.deadline
    if dl is not None and dl.raw and dl.due is None and dl.recurrence is None:
        add("deadline-no-date", raw=dl.raw)
    for flag in ("deadline-before-document", "duplicate"):
        if flag in e.flags:
            add(flag)
    if e.split:
        add("split-from-sentence")
    text = e.text.strip()
    if text.endswith(":"):
        add("heading-like")
    if text and not e.table and len(text.split()) < SHORT_WORDS:
        add("short-text")
    f = ocr_factor(e.ocr)
    if f < 1.0:
        # truncated, not rounded: 89.6 below the OCR_GOOD of 90 must not read "90%"
        out.append((f, "ocr-low", _TEXT["ocr-low"].format(ocr=int(e.ocr))))
    return out


def score(e: Evidence) -> tuple[float, list[ConfidenceReason]]:
    """The confidence (rounded to 2 decimals) and its reasons, the one that lowered it most first."""
    reasons = sorted(_reasons(e), key=lambda r: r[0])
    c = 1.0
    for f, _, _ in reasons:
        c *= f
    c = min(1.0, max(0.0, c))
    return round(c, 2), [ConfidenceReason(code=code, text=text) for _, code, text in reasons]


def set_confidence(pairs: Iterable[tuple[Obligation, object]]) -> None:
    """Fill Obligation.confidence and confidence_reasons from each obligation and the piece it
    came from (its flags set already)."""
    for o, piece in pairs:
        o.confidence, o.confidence_reasons = score(Evidence(
            lead_units=o.lead_units, support_units=o.support_units,
            unit_source=getattr(piece, "unit_source", None), scope_depth=getattr(piece, "scope_depth", 0),
            ocr=getattr(piece, "ocr", None), deadline=o.deadline, flags=o.flags, split=getattr(piece, "split", False),
            text=o.text, table=getattr(piece, "table", False)))
