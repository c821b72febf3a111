"""The reminders' tables: each department's address and the log of reminders sent.  A leaf
module (models/tables.py imports it into the metadata the migrations are checked against; the
queries are in models/reminders.py)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class UnitEmail(SQLModel, table=True):
    """A department's address for reminders (`chidao unit email`)."""
    __tablename__ = "unit_emails"
    unit: str = Field(primary_key=True)         # the department's name, as the lists group by it
    email: str
    updated_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))


class ReminderSent(SQLModel, table=True):
    """One reminder that went out: department, task, kind (overdue | due-N), the date it is about."""
    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("unit", "obligation_id", "kind", "due", name="uq_reminders_sent"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit: str = Field(index=True)
    obligation_id: str
    kind: str = Field(max_length=16)
    due: dt.date
    sent_on: dt.date
    email: str
