"""Reminders: each department's address, what is due for a reminder, and what was sent.

    with open_session(url) as session:
        set_unit_email(session, "CA tỉnh", "ca@example.gov.vn")      # -> "Công an tỉnh"
        groups = [g for g in owes(session, today=day) if g.kind != UNASSIGNED_KIND]    # models/owes.py
        for digest in due_reminders(session, groups, today=day):
            ... send ...
            record_sent(session, digest, today=day, email=...)

What is due (`due_reminders`): per department (the grouping of every list, models/owes.py), its
open tasks whose date that counts (the due date, or a recurring task's next occurrence,
models/dates.py) falls within the largest window (default 7 days), each in the smallest window
that holds it (7, 3, 1: "due-7", "due-3", "due-1"; due today counts as 1), and its overdue
tasks ("overdue").  A reminder is one (department, task, kind, date) and goes out once: the
sent-log (`reminders_sent`, unique on those four) is what a rerun the same day, or the next
day, leaves out.  So a task due on the 14th is reminded on the 7th (7 days), again from the 11th
(3 days) and again on the 13th (1 day), then once when overdue; a recurring task again for its
next occurrence.  The tasks no department owes ("Chưa rõ đơn vị") have nobody to write to and
are left to `chidao owes`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Optional

from models.db import execute
from models.owes_rows import OwesItem, UnitOwes
from models.reminder_tables import ReminderSent, UnitEmail

DEFAULT_WINDOWS = (7, 3, 1)
OVERDUE = "overdue"


@dataclass
class Reminder:
    item: OwesItem
    kind: str                   # overdue | due-1 | due-3 | due-7
    when: dt.date               # the date the reminder is about
    days: int                   # days from today to `when` (negative: overdue by)


@dataclass
class Digest:
    """One department's reminders of the day, in the order the e-mail lists them."""
    unit: str
    label: str                  # the name as lists show it ("… (nay là …)")
    email: Optional[str]
    reminders: list[Reminder] = field(default_factory=list)

    def by_kind(self, kind: str) -> list[Reminder]:
        return [r for r in self.reminders if r.kind == kind]

    def as_owes(self) -> UnitOwes:
        """The reminded tasks as one department's list (for the XLSX attached)."""
        return UnitOwes(unit=self.unit, items=[r.item for r in self.reminders])


# ---------------------------------------------------------------- addresses

def department_of(name: str) -> Optional[str]:
    """The department a typed name means (a printed variant, an abbreviation, a position), or None."""
    from extractors.units import resolve_unit

    r = resolve_unit(name)
    return r.body if r.is_unit and r.body else None


def set_unit_email(session, unit: str, email: str) -> str:
    """Record DEPARTMENT's address; returns the department's name.  Raises ValueError
    (Vietnamese) when the name is no department or the address no address."""
    dep = department_of(unit)
    if dep is None:
        raise ValueError(f"“{unit}” không phải tên một cơ quan, đơn vị đã biết; hãy viết tên đầy đủ, "
                         "ví dụ: chidao unit email \"Công an tỉnh\" congan@example.gov.vn")
    email = email.strip()
    if "@" not in email or " " in email or email.startswith("@") or email.endswith("@"):
        raise ValueError(f"“{email}” không phải địa chỉ thư điện tử; ví dụ: congan@example.gov.vn")
    row = session.get(UnitEmail, dep)
    if row is None:
        session.add(UnitEmail(unit=dep, email=email))
    else:
        row.email, row.updated_at = email, dt.datetime.now(dt.timezone.utc)
        session.add(row)
    session.flush()
    return dep


def unit_emails(session) -> dict[str, str]:
    return {r[0]: r[1] for r in execute(session, "SELECT unit, email FROM unit_emails").all()}


# ---------------------------------------------------------------- what is due

def window_of(days: int, windows: tuple[int, ...]) -> Optional[str]:
    """The kind of reminder for a date DAYS away: overdue, or the smallest window holding it (None: not yet)."""
    if days < 0:
        return OVERDUE
    fits = [w for w in windows if days <= w]
    return f"due-{min(fits)}" if fits else None


def due_reminders(session, groups: Iterable[UnitOwes], *, today: dt.date, windows: Iterable[int] = DEFAULT_WINDOWS,
                  include_sent: bool = False) -> list[Digest]:
    """Per department of GROUPS (models.owes.owes(session, today=today), the tasks no
    department owes left out by the caller) with something to remind, its reminders not sent
    yet (all of them with include_sent), overdue first then by date; departments by name."""
    windows = tuple(sorted({int(w) for w in windows if int(w) >= 0}))
    emails = unit_emails(session)
    sent = set() if include_sent else {
        (r[0], r[1], r[2], r[3] if isinstance(r[3], dt.date) else dt.date.fromisoformat(str(r[3])))
        for r in execute(session, "SELECT unit, obligation_id, kind, due FROM reminders_sent").all()}
    digests = []
    for group in groups:
        d = Digest(unit=group.unit, label=group.label, email=emails.get(group.unit))
        for item in group.items:
            when = item.next_due or item.due
            if when is None:
                continue
            kind = OVERDUE if item.overdue else window_of((when - today).days, windows)
            if kind is None or (kind != OVERDUE and when < today):
                continue
            if (group.unit, item.obligation_id, kind, when) not in sent:
                d.reminders.append(Reminder(item, kind, when, (when - today).days))
        if d.reminders:
            d.reminders.sort(key=lambda r: (r.kind != OVERDUE, r.when, r.item.obligation_id))
            digests.append(d)
    return sorted(digests, key=lambda d: d.unit)


def record_sent(session, digest: Digest, *, today: dt.date, email: str) -> int:
    """Log DIGEST's reminders as sent (a reminder logged already is left as it is)."""
    n = 0
    for r in digest.reminders:
        exists = execute(session, "SELECT 1 FROM reminders_sent WHERE unit = :u AND obligation_id = :o AND kind = :k "
                                  "AND due = :d", {"u": digest.unit, "o": r.item.obligation_id, "k": r.kind,
                                                   "d": r.when}).first()
        if exists is None:
            session.add(ReminderSent(unit=digest.unit, obligation_id=r.item.obligation_id, kind=r.kind, due=r.when,
                                     sent_on=today, email=email))
            n += 1
    session.flush()
    return n
