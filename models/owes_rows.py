"""Plain rows for "who owes what by when": what the owes/summary queries return and what the
report writers (app/reports.py), the CLI and the web page render.  No database here.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Optional

STATUS_LABELS = {
    "open": "Chưa hoàn thành",
    "in_progress": "Đang thực hiện",
    "done": "Đã hoàn thành",
    "cancelled": "Đã hủy",
}
OVERDUE_LABEL = "Quá hạn"
ROLE_LABELS = {"lead": "Chủ trì", "support": "Phối hợp"}

# What each review flag (models/review.py) says to a clerk.
FLAG_LABELS = {
    "no-unit": "Chưa rõ đơn vị",
    "unknown-unit": "Đơn vị lạ",
    "deadline-before-document": "Hạn trước ngày văn bản",
    "duplicate": "Có thể trùng",
    "not-in-latest-extraction": "Không còn trong lần đọc mới",
    "number-unread": "Chưa đọc được số văn bản",
    "ocr-low": "Chữ quét mờ",
}

_WEEKDAYS = {1: "thứ hai", 2: "thứ ba", 3: "thứ tư", 4: "thứ năm", 5: "thứ sáu", 6: "thứ bảy", 7: "chủ nhật"}


@lru_cache(maxsize=8192)     # refs repeat ("1.1", "II.3"): a unit's list sorts thousands of them
def natural_key(ref: Optional[str]) -> tuple:
    """"PL.5" before "PL.31"; "III.2.a" parts compared as text."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", ref or "") if p)


def vn_date(d: Optional[dt.date]) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def recurrence_label(recurrence: Optional[str], day: Optional[int]) -> str:
    if recurrence == "monthly":
        return f"Ngày {day} hằng tháng" if day else "Hằng tháng"
    if recurrence == "weekly":
        return f"{_WEEKDAYS.get(day, '').capitalize()} hằng tuần" if day in _WEEKDAYS else "Hằng tuần"
    if recurrence == "quarterly":
        return f"Ngày {day} hằng quý" if day else "Hằng quý"
    if recurrence == "halfyearly":
        return "Định kỳ 6 tháng"
    if recurrence == "yearly":
        return "Hằng năm"
    if recurrence == "ongoing":
        return "Thường xuyên"
    return ""


def confidence_label(confidence: Optional[float], reasons: Optional[list] = None) -> str:
    """"62% — đơn vị lấy từ tiêu đề mục; chữ quét mờ (độ tin cậy OCR 61%)"; "" when never computed."""
    if confidence is None:
        return ""
    why = "; ".join(r.get("text", "") if isinstance(r, dict) else str(r) for r in reasons or [])
    return f"{round(confidence * 100)}%" + (f" — {why}" if why else "")


def owes_order(overdue: bool, when: Optional[dt.date], document: Optional[str], ref: Optional[str], oid: str) -> tuple:
    """A list's order: overdue first, then by the date that counts, undated last; then by
    document and section; the task id last, so that a page of a list is the list's slice."""
    return (not overdue, when is None, when or dt.date.max, document or "", natural_key(ref), oid)


@dataclass
class OwesItem:
    """One obligation as one unit owes it."""
    obligation_id: str
    text: str
    unit: str = ""                      # the unit this row is listed under
    role: str = "lead"                  # lead | support (of `unit`)
    via_group: Optional[str] = None     # the group unit that names `unit` (e.g. "UBND các huyện, ...")
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    due: Optional[dt.date] = None
    next_due: Optional[dt.date] = None  # the date that counts: due, or the next occurrence
    recurrence: Optional[str] = None
    day: Optional[int] = None
    deadline_raw: Optional[str] = None
    status: str = "open"
    overdue: bool = False
    document_id: Optional[str] = None
    document_number: Optional[str] = None
    document_type: Optional[str] = None
    document_title: Optional[str] = None
    document_file: Optional[str] = None
    ref: Optional[str] = None
    page: Optional[int] = None
    flags: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS.get(self.status, self.status)
        return f"{OVERDUE_LABEL} ({label.lower()})" if self.overdue else label

    @property
    def deadline_label(self) -> str:
        """What the Thời hạn column shows."""
        if self.recurrence:
            label = recurrence_label(self.recurrence, self.day)
            if self.next_due and self.recurrence != "ongoing":
                label += f" (hạn kỳ này: {vn_date(self.next_due)})" if self.overdue else f" (kỳ tới: {vn_date(self.next_due)})"
            return label
        if self.due:
            return vn_date(self.due)
        return self.deadline_raw or ""

    @property
    def source_label(self) -> str:
        """What the Văn bản giao column shows: type, number, section, page."""
        parts = []
        head = " ".join(p for p in (self.document_type, f"số {self.document_number}" if self.document_number else None) if p)
        if not self.document_number and self.document_file:
            head = f"{head} ({self.document_file})" if head else self.document_file
        parts.append(head or "Văn bản")
        if self.ref:
            parts.append(f"mục {self.ref}")
        if self.page:
            parts.append(f"tr. {self.page}")
        return ", ".join(parts)

    def sort_key(self):
        """Overdue first, then by the date that counts; undated (ongoing, 'theo lộ trình') last."""
        when = self.next_due or self.due
        return owes_order(self.overdue, when, self.document_number or self.document_file, self.ref, self.obligation_id)

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in ("due", "next_due"):
            d[k] = d[k].isoformat() if d[k] else None
        d["status_label"] = self.status_label
        d["deadline_label"] = self.deadline_label
        d["source_label"] = self.source_label
        return d


@dataclass
class UnitOwes:
    """One department's list (or the list of tasks no department owes: kind "unassigned")."""
    unit: str
    items: list[OwesItem] = field(default_factory=list)
    kind: str = "body"                  # body | group | unassigned (what was asked for, with --unit)
    current: Optional[str] = None       # the department's name today, when it differs
    note: str = ""                      # what was asked for means this department (Vietnamese)
    suggestions: list[str] = field(default_factory=list)   # departments close to a name that matched none
    found: bool = True                  # False: what was asked for is no unit of the register
    # a page of the list (models.owes.owes with `limit`): items are tasks offset+1.. of `total`,
    # and the counts are the whole list's; None: items is the whole list
    total: Optional[int] = None
    offset: int = 0
    overdue_total: Optional[int] = None
    via_total: Optional[int] = None

    @property
    def size(self) -> int:
        """How many tasks the whole list holds (a page's items are fewer)."""
        return len(self.items) if self.total is None else self.total

    @property
    def partial(self) -> bool:
        return self.total is not None and (self.offset > 0 or len(self.items) < self.total)

    @property
    def overdue(self) -> int:
        if self.overdue_total is not None:
            return self.overdue_total
        return sum(1 for i in self.items if i.overdue)

    @property
    def own(self) -> list[OwesItem]:
        """The tasks given to the department itself (what summary counts as its own)."""
        return [i for i in self.items if i.via_group is None]

    @property
    def through_groups(self) -> list[OwesItem]:
        """The tasks it owes because a group it belongs to (or a body merged into it) was given them."""
        return [i for i in self.items if i.via_group is not None]

    @property
    def count_label(self) -> str:
        """"12 nhiệm vụ, 3 quá hạn" or, with tasks through groups, "54 nhiệm vụ (13 giao trực tiếp,
        41 qua nhóm), 23 quá hạn": the same split as summary's columns."""
        n = self.size
        via = len(self.through_groups) if self.via_total is None else self.via_total
        split = f" ({n - via} giao trực tiếp, {via} qua nhóm)" if via else ""
        return f"{n} nhiệm vụ{split}, {self.overdue} quá hạn"

    @property
    def label(self) -> str:
        """The name as lists show it: "Sở Kế hoạch và Đầu tư (nay là Sở Tài chính)"."""
        return f"{self.unit} {self.current_label}".strip()

    @property
    def current_label(self) -> str:
        return _current_label(self.kind, self.unit, self.current)


@dataclass
class UnitSummary:
    unit: str
    open: int = 0        # open or in progress
    done: int = 0
    overdue: int = 0
    due_soon: int = 0    # open, not overdue, due within the window (30 days)
    via_groups: int = 0  # open tasks it also owes through a group it belongs to or a body merged into it
    kind: str = "body"   # body | group | unassigned ("Chưa rõ đơn vị")
    current: Optional[str] = None   # today's name after the 2025 reorganisation (None: ended)

    @property
    def label(self) -> str:
        return f"{self.unit} {_current_label(self.kind, self.unit, self.current)}".strip()

    def to_dict(self) -> dict:
        return asdict(self)


def _current_label(kind: str, unit: str, current: Optional[str]) -> str:
    from models.departments import current_label

    return current_label(unit, kind, current)
