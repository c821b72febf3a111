"""Overdue and next occurrence: pure date rules (models/dates.py)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace as NS

import pytest
from hypothesis import given, settings, strategies as st

from models.dates import is_overdue, next_occurrence, period_bounds

D = dt.date


def ob(status="open", due=None, recurrence=None, day=None, start=None, last_done_on=None):
    return NS(status=status, deadline_due=due, deadline_recurrence=recurrence, deadline_day=day,
              deadline_start=start, last_done_on=last_done_on)


@pytest.mark.parametrize("o, today, expected", [
    (ob(due=D(2024, 2, 29)), D(2024, 2, 29), False),          # due today: not yet overdue
    (ob(due=D(2024, 2, 29)), D(2024, 3, 1), True),
    (ob(status="in_progress", due=D(2024, 2, 29)), D(2024, 3, 1), True),
    (ob(status="done", due=D(2024, 2, 29)), D(2024, 3, 1), False),
    (ob(status="cancelled", due=D(2024, 2, 29)), D(2024, 3, 1), False),
    (ob(), D(2024, 3, 1), False),                              # no date
    (ob(recurrence="ongoing"), D(2030, 1, 1), False),
    (ob(recurrence="monthly", day=22), D(2024, 5, 22), False),
    (ob(recurrence="monthly", day=22), D(2024, 5, 23), True),
    (ob(recurrence="monthly", day=22, last_done_on=D(2024, 5, 20)), D(2024, 5, 23), False),  # done this month
    (ob(status="done", recurrence="monthly", day=22, last_done_on=D(2024, 4, 20)), D(2024, 5, 23), True),  # last month only
    (ob(recurrence="monthly", day=31), D(2024, 2, 29), False),  # clamped to the month's end
    (ob(recurrence="monthly"), D(2024, 5, 31), False),          # no day: end of month
    (ob(recurrence="weekly", day=5), D(2024, 5, 17), False),    # Friday
    (ob(recurrence="weekly", day=5), D(2024, 5, 18), True),     # Saturday
    (ob(recurrence="quarterly", day=15), D(2024, 6, 16), True),
    (ob(recurrence="quarterly", day=15), D(2024, 5, 16), False),
    (ob(recurrence="monthly", day=22, start=D(2024, 6, 1)), D(2024, 5, 23), False),  # not started
    (ob(recurrence="monthly", day=22, due=D(2024, 4, 30)), D(2024, 5, 23), True),    # ended, never done
    (ob(status="done", recurrence="monthly", day=22, due=D(2024, 4, 30)), D(2024, 5, 23), False),
])
def test_is_overdue(o, today, expected):
    assert is_overdue(o, today) is expected


@pytest.mark.parametrize("deadline, today, expected", [
    ({"raw": "x", "recurrence": "monthly", "day": 22}, D(2024, 5, 10), D(2024, 5, 22)),
    ({"raw": "x", "recurrence": "monthly", "day": 22}, D(2024, 5, 22), D(2024, 5, 22)),
    ({"raw": "x", "recurrence": "monthly", "day": 22}, D(2024, 5, 23), D(2024, 6, 22)),
    ({"raw": "x", "recurrence": "monthly", "day": 31}, D(2024, 2, 1), D(2024, 2, 29)),
    ({"raw": "x", "recurrence": "monthly", "day": 22}, D(2024, 12, 23), D(2025, 1, 22)),
    ({"raw": "x", "recurrence": "weekly", "day": 5}, D(2024, 5, 18), D(2024, 5, 24)),
    ({"raw": "x", "recurrence": "quarterly"}, D(2024, 4, 1), D(2024, 6, 30)),
    ({"raw": "x", "recurrence": "halfyearly"}, D(2024, 7, 1), D(2024, 12, 31)),
    ({"raw": "x", "recurrence": "yearly", "day": 15}, D(2024, 12, 16), D(2025, 12, 15)),
    ({"raw": "x", "recurrence": "ongoing"}, D(2024, 5, 1), None),
    ({"raw": "x", "due": "2024-02-29"}, D(2024, 5, 1), D(2024, 2, 29)),   # one-off: its due
    ({"raw": "x", "recurrence": "monthly", "day": 22, "due": "2024-05-31"}, D(2024, 5, 23), None),
])
def test_next_occurrence(deadline, today, expected):
    assert next_occurrence(deadline, today) == expected


def test_next_occurrence_accepts_extractor_deadline():
    from extractors.types import Deadline, Obligation

    o = Obligation(text="t", deadline=Deadline(raw="Ngày 22 hàng tháng", recurrence="monthly", day=22))
    assert next_occurrence(o, D(2024, 5, 23)) == D(2024, 6, 22)
    assert next_occurrence(o.deadline, D(2024, 5, 1)) == D(2024, 5, 22)


RECS = st.sampled_from(["weekly", "monthly", "quarterly", "halfyearly", "yearly"])


@settings(max_examples=60, deadline=None)
@given(rec=RECS, day=st.one_of(st.none(), st.integers(1, 31)), today=st.dates(D(2000, 1, 1), D(2090, 12, 31)))
def test_next_occurrence_is_on_or_after_today_and_in_its_period(rec, day, today):
    if rec == "weekly" and day is not None:
        day = 1 + day % 7
    n = next_occurrence({"recurrence": rec, "day": day}, today)
    assert n >= today
    start, end = period_bounds(rec, n)
    assert start <= n <= end
    # never more than one period ahead
    assert n <= period_bounds(rec, end + dt.timedelta(days=1))[1]
