"""Numbers set as goals (targets) and numbers that report what was reached (achieved).

Rules of how directives are written:
- a percentage in an instruction or a Mục tiêu/Chỉ tiêu list is a target ("100% thủ tục
  hành chính ... được ...", "cắt giảm tối thiểu 20% thông tin", "đạt 60%");
- a count is a target only with a goal word in front ("tối thiểu 20 dịch vụ công",
  "phấn đấu cấp 860.000 tài khoản"); bare counts describe scope ("42 mô hình", "06 tháng",
  "mức độ 2", "41 nhiệm vụ") and are never targets;
- "đã", "đạt được", "mới đạt", "đạt gần/hơn", results paragraphs -> achieved, never a target.
Vietnamese number format: 860.000 = 860000, 0,68 = 0.68.
"""
from __future__ import annotations

import re
from typing import Optional

from extractors.text import collapse_ws
from extractors.types import Target

__all__ = ["parse_number", "find_figures", "ACHIEVED_RE", "GOAL_RE"]

_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_PCT_RE = re.compile(rf"(?<![\w/.,])(?P<num>{_NUM})\s*%")
_GOAL_COUNT_RE = re.compile(
    rf"(?P<goal>tối\s+thiểu|ít\s+nhất|phấn\s+đấu(?:\s+\w+){{0,3}}?|đạt(?:\s+tối\s+thiểu)?|trên|không\s+ít\s+hơn)\s+"
    rf"(?P<num>{_NUM})\s+(?P<noun>(?!%)[^\W\d][^\s,;.:()]*(?:\s+[^\W\d][^\s,;.:()]*){{0,7}})",
    re.IGNORECASE)
ACHIEVED_RE = re.compile(
    r"\b(?:đã|đạt\s+được|mới\s+đạt|mới\s+chỉ|chỉ\s+đạt|đạt\s+gần|đạt\s+hơn|hoàn\s+thành\s+triển\s+khai|giảm\s+còn|"
    r"còn\s+thấp|thời\s+gian\s+qua|tính\s+đến|đến\s+nay|hiện\s+nay|hiện\s+tại)\b", re.IGNORECASE)
_GOAL_NEAR = re.compile(r"\b(?:phấn\s+đấu|tối\s+thiểu|ít\s+nhất|bảo\s+đảm|đảm\s+bảo)\b", re.IGNORECASE)
_YEAR_RE = re.compile(r"\b[Nn]ăm\s+((?:19|20)\d{2})\b")


def _is_achieved(before: str, context: str, document_year: Optional[int]) -> bool:
    """`before` is the clause text up to the number."""
    if context == "report":
        return True
    m = None
    for m in ACHIEVED_RE.finditer(before):
        pass
    if m and not _GOAL_NEAR.search(before[m.end():]):
        return True
    if document_year:
        for y in _YEAR_RE.finditer(before):
            # "Năm 2024, tỷ lệ ... đạt 34,2%" in a 2025 document: a past figure
            if int(y.group(1)) < document_year and not _GOAL_NEAR.search(before[y.end():]):
                return True
    return False
GOAL_RE = re.compile(r"\b(?:phấn\s+đấu|tối\s+thiểu|ít\s+nhất|chỉ\s+tiêu|mục\s+tiêu|bảo\s+đảm|đảm\s+bảo|100%)", re.IGNORECASE)
# Words after which a number is not a figure at all (scope, levels, durations).
_SCOPE_NOUNS = re.compile(r"^(?:tháng|năm|ngày|giờ|tuần|quý|lần|cấp|mức|nhóm|nhiệm\s+vụ|mô\s+hình|điểm|huyện|xã|"
                          r"đơn\s+vị|người|dịch\s+vụ\s+công\s+thiết\s+yếu)\b", re.IGNORECASE)


def parse_number(text: str) -> Optional[float]:
    """Vietnamese number: dots group thousands, a comma marks decimals."""
    t = text.strip()
    if not t:
        return None
    t = t.replace(".", "").replace(",", ".") if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", t) else t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return int(v) if v.is_integer() else v


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): between ; or . or the previous comma-introduced part."""
    a = max(text.rfind(";", 0, start), text.rfind(". ", 0, start), text.rfind(":", 0, start))
    a = 0 if a < 0 else a + 1
    m = re.compile(r"[;:]|\.(?:\s|$)|,\s+(?:trong\s+đó|còn\s+lại)\b").search(text, end)
    b = m.start() if m else len(text)
    return a, b


def _raw(text: str, start: int, end: int) -> str:
    a, b = _clause(text, start, end)
    s = text[start:b]
    # stop at a purpose/means clause; keep the measured thing
    s = re.split(r",\s+|\s+(?:nhằm|để)\s+", s)[0]
    words = s.split()
    return collapse_ws(" ".join(words[:30])).strip(" ,;.")


def find_figures(text: str, *, context: str = "task", document_year: Optional[int] = None) -> list[Target]:
    """Figures in one obligation or paragraph.  context: "task" (an instruction),
    "goals" (a Mục tiêu / Chỉ tiêu section), "report" (background, results)."""
    text = collapse_ws(text)
    out: list[Target] = []
    taken: list[tuple[int, int]] = []
    for m in _PCT_RE.finditer(text):
        value = parse_number(m.group("num"))
        if value is None:
            continue
        a, b = _clause(text, m.start(), m.end())
        before = text[a:m.start()]
        kind = "achieved" if _is_achieved(before[-120:], context, document_year) else "target"
        # start the raw at a goal word just before the number ("cắt giảm tối thiểu 20% ...")
        g = re.search(r"(?:(?:cắt\s+giảm|tiếp\s+nhận|liên\s+thông|điện\s+tử\s+hóa|còn\s+lại\s+đạt|đạt|cho)\s+)?"
                      r"(?:tối\s+thiểu\s+|ít\s+nhất\s+)?$", before)
        rs = m.start() - (len(before) - g.start()) if g and g.group(0) else m.start()
        out.append(Target(raw=_raw(text, rs, m.end()), value=value, unit="%", kind=kind))
        taken.append((m.start(), m.end()))
    for m in _GOAL_COUNT_RE.finditer(text):
        if any(s <= m.start("num") < e for s, e in taken):
            continue
        value = parse_number(m.group("num"))
        noun = m.group("noun")
        if value is None or _SCOPE_NOUNS.match(noun):
            continue
        a, _ = _clause(text, m.start(), m.end())
        before = text[max(a, m.start() - 120):m.start("num")]
        kind = "achieved" if _is_achieved(before, context, document_year) else "target"
        subject = re.split(r"\s+(?:trước|trong|tại|cho|để|nhằm|theo|trên|đến|vào)\s+", noun)[0].strip()
        raw = _raw(text, m.start("num") if m.group("goal").lower().startswith("phấn") else m.start(), m.end())
        out.append(Target(raw=raw, value=value, unit="count", kind=kind, subject=subject))
    out.sort(key=lambda t: text.find(t.raw))
    return out
