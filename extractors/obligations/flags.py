"""Review flags on obligations: what a reviewer should look at."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from extractors.obligations.deadlines import is_before_document
from extractors.keys import unit_key, words_key
from extractors.units import resolve_unit
from extractors.types import Obligation

NO_UNIT = "no-unit"
DEADLINE_BEFORE_DOCUMENT = "deadline-before-document"
DUPLICATE = "duplicate"
UNKNOWN_UNIT = "unknown-unit"


def _task_key(o: Obligation) -> str:
    return words_key(o.text)


def add_flags(obligations: list[Obligation], *, document_date: Optional[dt.date] = None) -> list[Obligation]:
    """Set flags in place (and return the list).  A duplicate is the same task text with the
    same lead units seen earlier in the same document: both are kept, the later one flagged."""
    seen: dict[tuple, int] = {}
    for i, o in enumerate(obligations):
        flags = list(o.flags)
        if not o.lead_units:
            flags.append(NO_UNIT)
        if is_before_document(o.deadline, document_date):
            flags.append(DEADLINE_BEFORE_DOCUMENT)
        key = (_task_key(o), tuple(sorted(unit_key(u) for u in o.lead_units)))
        if key in seen:
            flags.append(DUPLICATE)
        else:
            seen[key] = i
        if any(not resolve_unit(u).is_unit for u in [*o.lead_units, *o.support_units]):
            flags.append(UNKNOWN_UNIT)
        o.flags = list(dict.fromkeys(flags))
    return obligations
