"""How many tasks were overdue at the end of each past month: the dashboard's "overdue over time".

    with open_session(url) as session:
        for p in overdue_series(session, today=dt.date.today(), months=12): print(p.day, p.overdue)

A task is overdue on a day D by models.dates.is_overdue, asked with what the register knew of
it on D: its status on D (the status history: the last change made on or before D, else the
status the first later change started from, else today's), and for a recurring task the last
day it was marked done on or before D.  Only tasks of documents issued on or before D count
(a directive nobody had yet could not be late).  The last point is today, with today's
statuses: it equals the number of distinct tasks overdue now (a task is counted once, however
many units it has; the per-unit counts are models.owes.summary's).
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

from models.dates import OPEN_STATUSES, TaskDates, is_overdue
from models.db import execute

RECURRING = ("weekly", "monthly", "quarterly", "halfyearly", "yearly")


@dataclass(frozen=True)
class OverduePoint:
    day: dt.date
    overdue: int


def _day(v) -> Optional[dt.date]:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def month_ends(today: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the MONTHS-1 months before today's, then today."""
    out = []
    y, m = today.year, today.month
    for _ in range(months - 1):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        out.append(dt.date(y, m, calendar.monthrange(y, m)[1]))
    return sorted(out) + [today]


def overdue_series(session, *, today: dt.date, months: int = 12) -> list[OverduePoint]:
    """The number of tasks overdue at the end of each of the last MONTHS months (the last point: today)."""
    days = month_ends(today, months)
    recurring = ", ".join(f"'{r}'" for r in RECURRING)
    d = today.isoformat() if session.get_bind().dialect.name == "sqlite" else today
    # only tasks that can be overdue by today: a past due date, or a recurrence
    rows = execute(session, f"""
        SELECT o.id, o.deadline_due, o.deadline_recurrence, o.deadline_day, o.deadline_start, o.status,
               o.last_done_on, doc.issued_on
        FROM obligations o JOIN documents doc ON doc.id = o.document_id
        WHERE doc.version_of IS NULL AND (o.deadline_due < :today OR o.deadline_recurrence IN ({recurring}))""",
                   {"today": d}).all()
    changes: dict[str, list[tuple[dt.date, Optional[str], Optional[str]]]] = defaultdict(list)
    ids = [r[0] for r in rows]
    for n in range(0, len(ids), 500):
        chunk = ids[n:n + 500]
        marks = ", ".join(f":i{k}" for k in range(len(chunk)))
        for oid, at, status, previous in execute(session, (
                "SELECT obligation_id, at, status, previous_status FROM status_history "
                f"WHERE kind = 'status' AND status IS NOT NULL AND obligation_id IN ({marks}) ORDER BY at, id"),
                {f"i{k}": v for k, v in enumerate(chunk)}).all():
            changes[oid].append((_day(at), status, previous))
    counts = [0] * len(days)
    starts = [0] * (len(days) + 1)        # one-off tasks never changed: overdue from one point on
    for oid, due, rec, dday, start, status, last_done, issued in rows:
        due, start, issued = _day(due), _day(start), _day(issued)
        hist = changes.get(oid, [])
        if not hist and rec not in RECURRING:
            if (status or "open") in OPEN_STATUSES and due is not None:
                # is_overdue's rule for an open one-off task: after its due day, not before its start
                first = max(due + dt.timedelta(days=1), start or due, issued or due)
                starts[bisect.bisect_left(days, first)] += 1
            continue
        at_days = [h[0] for h in hist]
        done_days = [h[0] for h in hist if h[1] == "done"]
        for i, day in enumerate(days):
            if issued is not None and issued > day:
                continue
            if day == today:
                row = TaskDates(due, rec, dday, start, status or "open", _day(last_done))
            else:
                k = bisect.bisect_right(at_days, day)
                then = hist[k - 1][1] if k else (hist[0][2] if hist else status) or "open"
                j = bisect.bisect_right(done_days, day)
                row = TaskDates(due, rec, dday, start, then, done_days[j - 1] if j else None)
            counts[i] += is_overdue(row, day)
    running = 0
    for i in range(len(days)):
        running += starts[i]
        counts[i] += running
    return [OverduePoint(day, n) for day, n in zip(days, counts)]
