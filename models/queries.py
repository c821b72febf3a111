"""Reading the register and the staff's edits.  Keyword-only functions over a Session.

Write functions (set_status, edit_obligation) validate everything first and raise
RegisterError (one line for the user) before anything is written; on success they commit and
record the change in status_history.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import and_, exists, or_, select
from sqlmodel import Session, func

from extractors.text import collapse_ws
from models.db import RegisterError
from models.dates import is_overdue
from extractors.keys import symbol_key, unit_key
from models.keys import clean_unit
from models.register import set_unit_links
from models.tables import (
    BAD_INPUT_STATUS, DONE_STATUSES, EDITABLE_FIELDS, ERROR_STATUS, RECURRENCES, STATUSES, Citation, Document,
    DocumentTarget, Obligation, ObligationUnit, StatusHistory, Unit, utcnow,
)

_STATUS_ALIASES = {
    "in progress": "in_progress", "in-progress": "in_progress", "inprogress": "in_progress", "doing": "in_progress",
    "canceled": "cancelled", "closed": "done",
    # Vietnamese, as staff type them
    "mở": "open", "mo": "open", "đang thực hiện": "in_progress", "dang thuc hien": "in_progress",
    "hoàn thành": "done", "hoan thanh": "done", "đã hoàn thành": "done", "hủy": "cancelled", "huỷ": "cancelled",
    "huy": "cancelled",
}
MIN_PREFIX = 4


def normalise_status(status: str) -> str:
    s = collapse_ws(status or "").casefold()
    s = _STATUS_ALIASES.get(s, s)
    if s not in STATUSES:
        raise RegisterError(f"invalid status {status!r}: use one of {', '.join(STATUSES)}")
    return s


def parse_date(value: Any, *, what: str = "date") -> Optional[dt.date]:
    """A date from a date or a string (YYYY-MM-DD, or DD/MM/YYYY as printed in documents)."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    s = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise RegisterError(f"invalid {what} {value!r}: expected YYYY-MM-DD")


# ---------------------------------------------------------------- ids

def resolve_obligation_id(session: Session, *, id: str) -> str:
    """The full id for ID or a unique prefix of it (at least 4 characters)."""
    id = (id or "").strip().lower()
    if not id:
        raise RegisterError("empty obligation id")
    if session.get(Obligation, id) is not None:
        return id
    if len(id) >= MIN_PREFIX:
        found = list(session.execute(select(Obligation.id).where(Obligation.id.startswith(id, autoescape=True)).limit(3)).scalars())
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise RegisterError(f"ambiguous obligation id {id!r}: {', '.join(found[:2])}, ...")
    raise RegisterError(f"unknown obligation id {id!r}")


def resolve_document_id(session: Session, *, id: str) -> str:
    """The document for an id, a unique id prefix, a sha256, or a document number (06/QĐ-TTg)."""
    raw = (id or "").strip()
    if not raw:
        raise RegisterError("empty document id")
    low = raw.lower()
    if session.get(Document, low) is not None:
        return low
    if len(low) == 64:
        d = session.execute(select(Document.id).where(Document.sha256 == low)).scalars().first()
        if d:
            return d
    if len(low) >= MIN_PREFIX and all(c in "0123456789abcdef" for c in low):
        found = list(session.execute(select(Document.id).where(Document.id.startswith(low)).limit(3)).scalars())
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise RegisterError(f"ambiguous document id {raw!r}")
    key = symbol_key(raw)
    found = list(session.execute(select(Document.id).where(Document.number_key == key, Document.version_of.is_(None))
                                 .order_by(Document.ingested_at)).scalars())
    if found:
        return found[0]
    raise RegisterError(f"unknown document {raw!r}")


# ---------------------------------------------------------------- reading

def get_obligation(session: Session, *, id: str) -> Obligation:
    ob = session.get(Obligation, resolve_obligation_id(session, id=id))
    assert ob is not None
    return ob


def get_document(session: Session, *, id: str) -> Document:
    doc = session.get(Document, resolve_document_id(session, id=id))
    assert doc is not None
    return doc


def _unit_filter(unit: str, role: Optional[str]):
    key = unit_key(unit)
    conds = [ObligationUnit.obligation_id == Obligation.id, Unit.id == ObligationUnit.unit_id, Unit.key == key]
    if role:
        conds.append(ObligationUnit.role == role)
    return exists(select(ObligationUnit.obligation_id).join(Unit, Unit.id == ObligationUnit.unit_id).where(and_(*conds)))


def list_obligations(
    session: Session, *,
    document_id: Optional[str] = None,
    document_ids: Optional[Iterable[str]] = None,
    unit: Optional[str] = None,
    role: Optional[str] = None,
    status: Optional[str | Sequence[str]] = None,
    due_from: Optional[dt.date | str] = None,
    due_to: Optional[dt.date | str] = None,
    recurring: Optional[bool] = None,
    flag: Optional[str] = None,
    overdue: Optional[bool] = None,
    today: Optional[dt.date] = None,
    include_stale: bool = True,
    limit: Optional[int] = None,
    offset: int = 0,
) -> list[Obligation]:
    """Obligations in document order, filtered.  `unit` matches a lead or support unit by exact
    name (case and spacing ignored); `role` restricts it to lead or support.  `overdue` is
    computed (models.dates.is_overdue), never stored."""
    stmt = select(Obligation)
    if document_id is not None:
        stmt = stmt.where(Obligation.document_id == resolve_document_id(session, id=document_id))
    if document_ids is not None:
        stmt = stmt.where(Obligation.document_id.in_(list(document_ids)))
    if unit:
        if role and role not in ("lead", "support"):
            raise RegisterError(f"invalid role {role!r}: use lead or support")
        stmt = stmt.where(_unit_filter(unit, role))
    if status:
        sts = [normalise_status(s) for s in ([status] if isinstance(status, str) else status)]
        stmt = stmt.where(Obligation.status.in_(sts))
    if due_from is not None:
        stmt = stmt.where(Obligation.deadline_due >= parse_date(due_from, what="from date"))
    if due_to is not None:
        stmt = stmt.where(Obligation.deadline_due <= parse_date(due_to, what="to date"))
    if recurring is True:
        stmt = stmt.where(Obligation.deadline_recurrence.is_not(None))
    elif recurring is False:
        stmt = stmt.where(Obligation.deadline_recurrence.is_(None))
    stmt = stmt.order_by(Obligation.document_id, Obligation.ordinal)
    if overdue is None and flag is None and include_stale:
        if offset:
            stmt = stmt.offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(session.execute(stmt).scalars())
    rows = list(session.execute(stmt).scalars())
    today = today or dt.date.today()
    if flag is not None:
        rows = [o for o in rows if flag in (o.flags or [])]
    if not include_stale:
        rows = [o for o in rows if "not-in-latest-extraction" not in (o.flags or [])]
    if overdue is not None:
        rows = [o for o in rows if is_overdue(o, today) == overdue]
    return rows[offset:offset + limit if limit is not None else None]


def list_documents(session: Session, *, status: Optional[str] = None, include_versions: bool = True,
                   limit: Optional[int] = None) -> list[Document]:
    stmt = select(Document).order_by(Document.ingested_at, Document.source_file)
    if status:
        stmt = stmt.where(Document.status == status)
    if not include_versions:
        stmt = stmt.where(Document.version_of.is_(None))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt).scalars())


def document_obligation_counts(session: Session) -> dict[str, int]:
    return {d: n for d, n in session.execute(select(Obligation.document_id, func.count()).group_by(Obligation.document_id))}


def list_citations(session: Session, *, document_id: Optional[str] = None, cited_by: bool = False) -> list[Citation]:
    """Citations made by DOCUMENT_ID (or, with cited_by, the citations pointing at it)."""
    stmt = select(Citation).order_by(Citation.from_document, Citation.ordinal)
    if document_id is not None:
        did = resolve_document_id(session, id=document_id)
        if cited_by:
            key = session.get(Document, did).number_key
            stmt = stmt.where(or_(Citation.to_document == did, Citation.number_key == key) if key else Citation.to_document == did)
        else:
            stmt = stmt.where(Citation.from_document == did)
    return list(session.execute(stmt).scalars())


def list_document_targets(session: Session, *, document_id: str) -> list[DocumentTarget]:
    return list(session.execute(select(DocumentTarget).where(DocumentTarget.document_id == document_id)
                                .order_by(DocumentTarget.ordinal)).scalars())


def list_units(session: Session) -> list[Unit]:
    return list(session.execute(select(Unit).order_by(Unit.name)).scalars())


def history(session: Session, *, obligation_id: str) -> list[StatusHistory]:
    oid = resolve_obligation_id(session, id=obligation_id)
    return list(session.execute(select(StatusHistory).where(StatusHistory.obligation_id == oid)
                                .order_by(StatusHistory.at, StatusHistory.id)).scalars())


def counts(session: Session) -> dict[str, int]:
    def n(model, *where):
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

    return {
        "documents": n(Document, Document.version_of.is_(None), Document.status.in_(DONE_STATUSES)),
        "versions": n(Document, Document.version_of.is_not(None)),
        "failed": n(Document, Document.status == BAD_INPUT_STATUS),
        "error": n(Document, Document.status == ERROR_STATUS),
        "obligations": n(Obligation),
        "units": n(Unit),
        "citations": n(Citation),
        "missing": session.execute(select(func.count(func.distinct(Citation.number_key)))
                                   .where(Citation.to_document.is_(None))).scalar_one(),
        "history": n(StatusHistory),
    }


# ---------------------------------------------------------------- staff edits

def _jsonable(v):
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def set_status(session: Session, *, obligation_id: str, status: str, note: Optional[str] = None,
               who: Optional[str] = None, today: Optional[dt.date] = None) -> Obligation:
    """Set an obligation's status (open, in_progress, done, cancelled) with an optional note.
    Marking a recurring task done closes its current period (last_done_on)."""
    new = normalise_status(status)
    ob = get_obligation(session, id=obligation_id)
    note = collapse_ws(note) if note else None
    old = ob.status
    changes: dict[str, list] = {}
    if old != new:
        changes["status"] = [old, new]
    if new == "done":
        done_on = today or dt.date.today()
        changes["last_done_on"] = [_jsonable(ob.last_done_on), done_on.isoformat()]
        ob.last_done_on = done_on
    if note is not None and note != ob.note:
        changes["note"] = [ob.note, note]
        ob.note = note
    ob.status = new
    ob.updated_at = utcnow()
    session.add(ob)
    session.add(StatusHistory(obligation_id=ob.id, kind="status", status=new, previous_status=old, who=who,
                              note=note, changes=changes))
    session.commit()
    return ob


_UNSET = object()


def edit_obligation(
    session: Session, *,
    obligation_id: str,
    text: Optional[str] = None,
    lead_units: Optional[Sequence[str]] = None,
    support_units: Optional[Sequence[str]] = None,
    deadline_raw: Optional[str] = None,
    deadline_due: Optional[dt.date | str] = None,
    deadline_recurrence: Optional[str] = None,
    deadline_day: Optional[int] = None,
    output: Optional[str] = None,
    clear: Sequence[str] = (),
    note: Optional[str] = None,
    who: Optional[str] = None,
) -> Obligation:
    """Correct extracted fields.  Only the fields given change (`clear` names fields to set to
    null / empty).  Each changed field is added to `corrected_fields`, so re-extraction keeps
    the staff's value.  Validates everything before writing; commits."""
    ob = get_obligation(session, id=obligation_id)
    new: dict[str, Any] = {}
    if text is not None:
        t = collapse_ws(text)
        if not t:
            raise RegisterError("empty text: an obligation needs its instruction")
        new["text"] = t
    for name, units in (("lead_units", lead_units), ("support_units", support_units)):
        if units is None:
            continue
        cleaned = []
        for u in units:
            c = clean_unit(u)
            if not unit_key(c):        # empty, or punctuation only
                raise RegisterError(f"empty unit name in {name.replace('_', ' ')}")
            if unit_key(c) not in {unit_key(x) for x in cleaned}:
                cleaned.append(c)
        new[name] = cleaned
    if deadline_due is not None:
        new["deadline_due"] = parse_date(deadline_due, what="due date")
    if deadline_raw is not None:
        new["deadline_raw"] = collapse_ws(deadline_raw) or None
    if deadline_recurrence is not None:
        r = deadline_recurrence.strip().lower()
        if r not in RECURRENCES:
            raise RegisterError(f"invalid recurrence {deadline_recurrence!r}: use one of {', '.join(RECURRENCES)}")
        new["deadline_recurrence"] = r
    if deadline_day is not None:
        try:
            day = int(deadline_day)
        except (TypeError, ValueError):
            raise RegisterError(f"invalid day {deadline_day!r}: expected a number") from None
        if not 1 <= day <= 31:
            raise RegisterError(f"invalid day {deadline_day!r}: expected 1..31 (1..7 for a weekday)")
        new["deadline_day"] = day
    if output is not None:
        new["output"] = collapse_ws(output) or None
    for name in clear:
        if name not in EDITABLE_FIELDS or name == "text":
            raise RegisterError(f"cannot clear {name!r}: clearable fields are "
                                f"{', '.join(f for f in EDITABLE_FIELDS if f != 'text')}")
        if name in new:
            raise RegisterError(f"{name} both set and cleared")
        new[name] = [] if name in ("lead_units", "support_units", "targets") else None
    if not new and note is None:
        raise RegisterError("nothing to change: give at least one field")
    # A due date typed without words: keep a raw that says where it came from.
    if "deadline_due" in new and new["deadline_due"] and "deadline_raw" not in new and not ob.deadline_raw:
        new["deadline_raw"] = new["deadline_due"].strftime("%d/%m/%Y")

    changes = {}
    for name, value in new.items():
        old = getattr(ob, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(ob, name, value)
    note = collapse_ws(note) if note else None
    if note is not None and note != ob.note:
        changes["note"] = [ob.note, note]
        ob.note = note
    if not changes:
        return ob
    corrected = list(ob.corrected_fields or [])
    for name in changes:
        if name in EDITABLE_FIELDS and name not in corrected:
            corrected.append(name)
    ob.corrected_fields = corrected
    ob.updated_at = utcnow()
    session.add(ob)
    if "lead_units" in changes or "support_units" in changes:
        session.flush()
        set_unit_links(session, [(ob.id, ob.lead_units, ob.support_units)])
    session.add(StatusHistory(obligation_id=ob.id, kind="edit", status=ob.status, previous_status=ob.status,
                              who=who, note=note, changes=changes))
    session.commit()
    return ob
