"""The review queue: the obligations a clerk should look at, least certain first.

    review_queue(session, flag=None, unassigned=False, limit=50) -> ReviewQueue

An obligation is in the queue until a reviewer accepts it (models.queries.accept_obligation;
a re-extraction that changes it puts it back) when its extraction is less than certain
(confidence below 1, or never computed) or it carries a review flag:

    no-unit, unknown-unit, deadline-before-document, duplicate, not-in-latest-extraction
                        the extraction's own flags (extractors/obligations/flags.py)
    number-unread       its document's number was not read
    ocr-low             its passage was scanned and OCR was unsure (a confidence reason)

Order: confidence ascending (never computed: last), then more flags first, then document order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import select
from sqlmodel import Session

from models.db import execute
from models.search import json_column
from models.departments import unassigned_sql
from models.tables import Document, Obligation

EXTRACTION_FLAGS = ("no-unit", "unknown-unit", "deadline-before-document", "duplicate", "not-in-latest-extraction")
REVIEW_FLAGS = (*EXTRACTION_FLAGS, "number-unread", "ocr-low")


@dataclass
class ReviewItem:
    obligation: Obligation
    document: Document
    flags: list[str]
    unassigned: bool                 # no department owes it ("Chưa rõ đơn vị")

    def to_dict(self) -> dict:
        o, d = self.obligation, self.document
        return {"id": o.id, "document_id": d.id, "document_number": d.number, "source_file": d.source_file,
                "ref": o.ref, "page": o.page, "text": o.text, "lead_units": list(o.lead_units or []),
                "support_units": list(o.support_units or []), "deadline_raw": o.deadline_raw,
                "deadline_due": o.deadline_due.isoformat() if o.deadline_due else None,
                "deadline_recurrence": o.deadline_recurrence, "confidence": o.confidence,
                "confidence_reasons": list(o.confidence_reasons or []), "flags": self.flags,
                "unassigned": self.unassigned, "status": o.status,
                "corrected_fields": list(o.corrected_fields or [])}


@dataclass
class ReviewQueue:
    items: list[ReviewItem]
    total: int                                         # in the queue with the filters, before the limit
    counts: dict[str, int] = field(default_factory=dict)   # per flag, and "unassigned", over the whole queue

    def to_dict(self) -> dict:
        return {"total": self.total, "counts": self.counts, "items": [i.to_dict() for i in self.items]}


def flags_of(flags: Optional[list], reasons: Optional[list], number: Optional[str]) -> list[str]:
    """The review flags (see the module's docstring), in REVIEW_FLAGS order, from an obligation's
    extraction flags, its confidence reasons and its document's number."""
    got = set(flags or []) & set(EXTRACTION_FLAGS)
    if not number:
        got.add("number-unread")
    if any((r or {}).get("code") == "ocr-low" for r in (reasons or [])):
        got.add("ocr-low")
    return [f for f in REVIEW_FLAGS if f in got]


def review_flags(ob: Obligation, doc: Document) -> list[str]:
    """The review flags of one obligation."""
    return flags_of(ob.flags, ob.confidence_reasons, doc.number)


def _unassigned_ids(session: Session) -> set[str]:
    return {r[0] for r in execute(session, f"SELECT o.id FROM obligations o WHERE {unassigned_sql()}").all()}


@dataclass(frozen=True)
class _Row:
    """What ordering and filtering the queue needs of one obligation (no ORM object: a register
    has tens of thousands)."""
    id: str
    confidence: Optional[float]
    flags: tuple[str, ...]
    unassigned: bool
    document_id: str
    ordinal: int

    def sort_key(self) -> tuple:
        c = self.confidence
        return (c is None, c if c is not None else 0.0, -len(self.flags), self.document_id, self.ordinal)


def review_queue(session: Session, *, flag: Optional[str] = None, unassigned: bool = False,
                 document_id: Optional[str] = None, include_accepted: bool = False,
                 limit: Optional[int] = 50, offset: int = 0) -> ReviewQueue:
    """The queue (see the module's docstring), filtered by one review FLAG, by UNASSIGNED (no
    department owes it), or by document.  Raises ValueError for an unknown flag."""
    if flag is not None and flag not in REVIEW_FLAGS:
        raise ValueError(f"unknown flag {flag!r}: use one of {', '.join(REVIEW_FLAGS)}")
    o, d = Obligation.__table__.c, Document.__table__.c
    stmt = select(o.id, o.confidence, o.flags, o.confidence_reasons, d.number, o.document_id, o.ordinal) \
        .select_from(Obligation.__table__.join(Document.__table__, d.id == o.document_id))
    if not include_accepted:
        stmt = stmt.where(o.accepted_at.is_(None))
    if document_id is not None:
        stmt = stmt.where(o.document_id == document_id)
    nobody = _unassigned_ids(session)
    queue = []
    for oid, confidence, flags, reasons, number, did, ordinal in session.execute(stmt):
        got = flags_of(json_column(flags), json_column(reasons), number)
        if got or confidence is None or confidence < 1.0:
            queue.append(_Row(oid, confidence, tuple(got), oid in nobody, did, ordinal))
    counts = {f: sum(1 for r in queue if f in r.flags) for f in REVIEW_FLAGS}
    counts["unassigned"] = sum(1 for r in queue if r.unassigned)
    counts["all"] = len(queue)
    if flag is not None:
        queue = [r for r in queue if flag in r.flags]
    if unassigned:
        queue = [r for r in queue if r.unassigned]
    queue.sort(key=_Row.sort_key)
    page = queue[offset:None if limit is None else offset + limit]
    return ReviewQueue(items=_items(session, page), total=len(queue), counts=counts)


def _items(session: Session, rows: list[_Row]) -> list[ReviewItem]:
    """The page's rows as obligations and their documents, in the queue's order."""
    got: dict[str, tuple[Obligation, Document]] = {}
    ids = [r.id for r in rows]
    for i in range(0, len(ids), 500):
        stmt = select(Obligation, Document).join(Document, Document.id == Obligation.document_id) \
            .where(Obligation.id.in_(ids[i:i + 500]))
        got.update({ob.id: (ob, doc) for ob, doc in session.execute(stmt)})
    return [ReviewItem(*got[r.id], list(r.flags), r.unassigned) for r in rows if r.id in got]
