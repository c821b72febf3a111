"""Deadline arithmetic, pure (no database): overdue is computed, never stored.

Works on anything that carries a deadline: a register `Obligation` row (deadline_due,
deadline_recurrence, deadline_day, deadline_start, status, last_done_on) or an extractor
`Obligation` / `Deadline` (deadline.due, .recurrence, .day, .start).

Rules (the register's definition of "overdue"):

- done or cancelled one-off tasks are never overdue; open / in_progress ones are overdue when
  today is after `due`.
- A recurring task has one deadline per period: weekly -> ISO weekday `day` of the week
  (Sunday when not stated); monthly -> day `day` of the month (clamped to the month's length;
  the last day when not stated); quarterly / halfyearly / yearly -> day `day` of the
  period's LAST month (the last day when not stated).  It is overdue when today is after the
  current period's deadline and it was not marked done during the current period
  (`last_done_on`).  Marking a recurring task done closes only the current period; it is due
  again next period.  A recurring task with an end (`due`) stops recurring after it.
- `ongoing` ("thường xuyên") has no date and is never overdue (unless it also has a `due`).
- Nothing is overdue before its `start` ("Từ tháng 01/2024 ...").
- cancelled is never overdue.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "halfyearly": 6, "yearly": 12}


@dataclass(frozen=True)
class TaskDates:
    """The fields these rules read of a task, for a caller that has them without a row: the
    summary's counted groups (models.unit_counts), a task as it was on a past day
    (models.overdue_history)."""
    deadline_due: Optional[dt.date]
    deadline_recurrence: Optional[str]
    deadline_day: Optional[int]
    deadline_start: Optional[dt.date]
    status: str
    last_done_on: Optional[dt.date]
OPEN_STATUSES = ("open", "in_progress")
# The days a clerk may filter by: a period's arithmetic (next month, next year) stays inside
# Python's dates, and no directive is due outside them.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
DAY_FORMAT = "dd/mm/yyyy hoặc yyyy-mm-dd, năm 1900–2999"


def parse_day(value: Optional[str]) -> Optional[dt.date]:
    """A day a clerk typed: dd/mm/yyyy (also with . or -) or yyyy-mm-dd, between FIRST_DAY and
    LAST_DAY; None for nothing.  ValueError (naming DAY_FORMAT) otherwise.  The web's filters
    and the CLI's --from/--to both read days through here."""
    import re

    if value is None or not value.strip():
        return None
    v = value.strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", v)
    try:
        day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))) if m else dt.date.fromisoformat(v)
    except ValueError:
        raise ValueError(f"«{value}» không phải một ngày ({DAY_FORMAT})") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"«{value}» nằm ngoài khoảng ngày dùng được ({DAY_FORMAT})")
    return day


def _parts(x: Any) -> tuple[Optional[dt.date], Optional[str], Optional[int], Optional[dt.date]]:
    """(due, recurrence, day, start) of a register row, an extractor Obligation or a Deadline."""
    if x is None:
        return None, None, None, None
    if hasattr(x, "deadline_due") or hasattr(x, "deadline_recurrence"):
        return (getattr(x, "deadline_due", None), getattr(x, "deadline_recurrence", None),
                getattr(x, "deadline_day", None), getattr(x, "deadline_start", None))
    if hasattr(x, "deadline") and not hasattr(x, "recurrence"):
        return _parts(x.deadline)
    if isinstance(x, dict):
        return (_as_date(x.get("due")), x.get("recurrence"), x.get("day"), _as_date(x.get("start")))
    return getattr(x, "due", None), getattr(x, "recurrence", None), getattr(x, "day", None), getattr(x, "start", None)


def _as_date(v):
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def _clamp(year: int, month: int, day: Optional[int]) -> dt.date:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day, last) if day and day > 0 else last)


def period_bounds(recurrence: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the period (week, month, quarter, half-year, year) holding today."""
    if recurrence == "weekly":
        start = today - dt.timedelta(days=today.isoweekday() - 1)
        return start, start + dt.timedelta(days=6)
    months = PERIOD_MONTHS[recurrence]
    first_month = ((today.month - 1) // months) * months + 1
    last_month = first_month + months - 1
    return dt.date(today.year, first_month, 1), _clamp(today.year, last_month, None)


def period_deadline(recurrence: str, day: Optional[int], today: dt.date) -> Optional[dt.date]:
    """The deadline of the period holding `today` for a recurring task (None for ongoing)."""
    if recurrence == "weekly":
        start, _ = period_bounds("weekly", today)
        wd = day if day and 1 <= day <= 7 else 7
        return start + dt.timedelta(days=wd - 1)
    if recurrence in PERIOD_MONTHS:
        _, end = period_bounds(recurrence, today)
        return _clamp(end.year, end.month, day)
    return None


def _next_period_day(recurrence: str, today: dt.date) -> dt.date:
    """A day inside the period after the one holding `today`."""
    _, end = period_bounds(recurrence, today)
    return end + dt.timedelta(days=1)


def next_occurrence(deadline: Any, today: dt.date) -> Optional[dt.date]:
    """The next date this deadline falls on, on or after today.

    Recurring: this period's deadline if it has not passed, else the next period's (None once
    a recurring deadline's end `due` is past).  One-off: its `due` (which may be in the past:
    there is only one occurrence).  Ongoing or no date: None."""
    due, recurrence, day, start = _parts(deadline)
    if recurrence in PERIOD_MONTHS or recurrence == "weekly":
        ref = max(today, start) if start else today
        d = period_deadline(recurrence, day, ref)
        if d < ref:
            d = period_deadline(recurrence, day, _next_period_day(recurrence, ref))
        if due and d > due:
            return None
        return d
    return due


def is_overdue(obligation: Any, today: dt.date | None = None) -> bool:
    """Open or in progress past its due date, or past this period's day for a recurring task
    not done this period.  See the module docstring for the exact rules."""
    today = today or dt.date.today()
    status = getattr(obligation, "status", None) or "open"
    if status == "cancelled":
        return False
    due, recurrence, day, start = _parts(obligation)
    if start and today < start:
        return False
    if recurrence in PERIOD_MONTHS or recurrence == "weekly":
        if due and today > due:  # the recurrence has ended: treat as a one-off ending at `due`
            return status in OPEN_STATUSES
        d = period_deadline(recurrence, day, today)
        if today <= d:
            return False
        last_done = getattr(obligation, "last_done_on", None)
        if last_done is not None:
            if isinstance(last_done, dt.datetime):
                last_done = last_done.date()
            p_start, _ = period_bounds(recurrence, today)
            if last_done >= p_start:
                return False
        elif status == "done":
            # Marked done with no date recorded: trust the status.
            return False
        return True
    if status not in OPEN_STATUSES or due is None:
        return False
    return today > due
