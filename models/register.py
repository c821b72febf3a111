"""Writing into the register: ingest (idempotent), re-scans as versions, re-extraction that
never touches staff data.  Flows and `chidao ingest` call these; they know nothing of Prefect.

    with open_session(url) as session:
        outcome = ingest_processed(session, processed, source_path=path)
        print(outcome.message)            # "seed-002.pdf: new, 71 obligations"

Rules
- Same bytes again (sha256) -> "duplicate", nothing written.  Exception: a stored copy that is
  not done (bad input or an error) is replaced when the caller processed the bytes again
  (flows/steps.py decides when: an error row made by other code; see models.lookup.find_known).
- Other bytes but the same directive (models/copies.py: the same number, date and issuer; or
  nothing in the headers disagrees and the texts are >= 0.9 alike) -> "version": one document
  with several copies.  The obligations are stored once, on the row of the best copy (born-digital
  PDF > DOCX > scan; then a numbered copy before a draft; then the later one); every other copy
  is a row with `version_of` = that row.  A worse copy changes nothing; a better one becomes the
  document's row, the obligations move to it and are matched with the new copy's extraction by
  re-extraction's rules (the staff's status, notes, corrections and history stay on their ids).
- A failed read (bad input) -> a document row with status "failed" and its errors, so nothing
  is lost; a defect of ours -> status "error" with the traceback (`record_error`).
- Every row records the fingerprint of the code that produced it (`code_fingerprint`).
- Each call commits its own transaction: one document is all-or-nothing, and a batch goes on.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func

from extractors.keys import symbol_key, text_key, unit_key
from extractors.text import collapse_ws
from models.db import RegisterError, init_db
from models.copies import (  # noqa: F401 - CopyOf is part of the register's API
    COPY_KIND_VI, CopyOf, Identity, Match, Sketch, copy_kind_of, copy_rank, describe, find_copy, lock_copies, stored_copy_kind,
    text_sketch, write_bands,
)
from models.departments import ensure_units
from models.lookup import Known, find_known, learned_programmes  # noqa: F401 - part of the register's API
from models.keys import clean_unit, document_id as make_document_id, obligation_id_for_key
from models.tables import (
    BAD_INPUT_STATUS, DONE_STATUSES, ERROR_STATUS, Citation, Document, DocumentTarget, Obligation, ObligationUnit,
    StatusHistory, utcnow,
)
from models.unit_counts import refresh as refresh_counts

if TYPE_CHECKING:
    from extractors.pipeline import Processed

STALE_FLAG = "not-in-latest-extraction"
# Extracted obligation fields, as stored (re-extraction rewrites these unless corrected).
EXTRACTED_FIELDS = (
    "ref", "page", "text", "lead_units", "support_units", "deadline_raw", "deadline_due",
    "deadline_recurrence", "deadline_day", "deadline_start", "targets", "output", "flags",
    "section_role", "bbox",
)
# The extractor's certainty: rewritten by every re-extraction, staff corrections or not, and not
# a change of the task (no history row, not counted as updated).
CONFIDENCE_FIELDS = ("confidence", "confidence_reasons")
# A staff correction of one deadline part pins the whole deadline.
_FIELD_GROUPS = {
    "deadline_raw": ("deadline_raw", "deadline_due", "deadline_recurrence", "deadline_day", "deadline_start"),
    "deadline_due": ("deadline_raw", "deadline_due", "deadline_recurrence", "deadline_day", "deadline_start"),
    "deadline_recurrence": ("deadline_raw", "deadline_due", "deadline_recurrence", "deadline_day", "deadline_start"),
    "deadline_day": ("deadline_raw", "deadline_due", "deadline_recurrence", "deadline_day", "deadline_start"),
}


@contextmanager
def open_session(url: str) -> Iterator[Session]:
    """A session on the register at URL (from the caller's settings), schema upgraded; commits on exit."""
    engine = init_db(url)
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@dataclass
class IngestOutcome:
    status: str                  # new | duplicate | version | failed (bad input) | error
    document_id: Optional[str]
    obligations: int = 0
    message: str = ""
    source_file: str = ""
    version_of: Optional[str] = None
    duplicate_of: Optional[str] = None
    errors: list[dict] = field(default_factory=list)
    copy: Optional[CopyOf] = None   # version: of which document, which copy gives the obligations

    @property
    def ok(self) -> bool:
        return self.status not in (BAD_INPUT_STATUS, ERROR_STATUS)

    def __str__(self) -> str:
        return self.message


@dataclass
class ReextractOutcome:
    document_id: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_stale: int = 0          # gone from the new extraction but holding staff data: kept, flagged
    removed: int = 0
    status: str = "ok"
    message: str = ""

    def __str__(self) -> str:
        return self.message


def _first(session: Session, stmt):
    return session.execute(stmt).scalars().first()


def find_document_by_sha256(session: Session, *, sha256: str) -> Document | None:
    return _first(session, select(Document).where(Document.sha256 == sha256.lower()))


# ---------------------------------------------------------------- mapping extractor -> rows

def _sha256_of(path: str | Path | None) -> str | None:
    if not path:
        return None
    try:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def _clean_units(names: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for n in names or ():
        n = clean_unit(n)
        k = unit_key(n)
        if n and k and k not in seen:      # a name of punctuation only is no name
            seen.add(k)
            out.append(n)
    return out


def _target_dict(t: Any) -> dict:
    d = t.model_dump(mode="json") if hasattr(t, "model_dump") else dict(t)
    return {k: d.get(k) for k in ("raw", "value", "unit", "kind", "subject")}


def _obligation_fields(o: Any) -> dict:
    """Extracted fields of one extractor Obligation, in register form."""
    dl = o.deadline
    return {
        "ref": (o.ref or None),
        "page": o.page,
        "text": collapse_ws(o.text or ""),
        "lead_units": _clean_units(o.lead_units),
        "support_units": _clean_units(o.support_units),
        "deadline_raw": collapse_ws(dl.raw) if dl is not None and dl.raw is not None else None,
        "deadline_due": dl.due if dl is not None else None,
        "deadline_recurrence": dl.recurrence if dl is not None else None,
        "deadline_day": dl.day if dl is not None else None,
        "deadline_start": getattr(dl, "start", None) if dl is not None else None,
        "targets": [_target_dict(t) for t in (o.targets or [])],
        "output": collapse_ws(o.output) if o.output else None,
        "flags": list(dict.fromkeys(o.flags or [])),
        "section_role": o.section_role,
        "bbox": list(o.bbox) if o.bbox else None,
        "confidence": getattr(o, "confidence", None),
        "confidence_reasons": [_reason_dict(r) for r in (getattr(o, "confidence_reasons", None) or [])],
    }


def _reason_dict(r: Any) -> dict:
    d = r.model_dump(mode="json") if hasattr(r, "model_dump") else dict(r)
    return {"code": d.get("code"), "text": d.get("text")}


def obligations_with_ids(doc_id: str, obligations: Iterable[Any]) -> list[tuple[str, dict]]:
    """(id, fields) in document order; identical (ref, text) rows get ordinals 0, 1, ..."""
    seen: dict[tuple, int] = defaultdict(int)
    out = []
    for o in obligations:
        f = _obligation_fields(o)
        if not f["text"]:
            continue
        k = (f["ref"] or "", text_key(f["text"]))
        n = seen[k]
        seen[k] += 1
        out.append((obligation_id_for_key(doc_id, f["ref"], k[1], n), f))
    return out


def header_fields(processed: "Processed") -> dict:
    h = processed.directive.header
    d = processed.document
    meta: dict[str, Any] = {}
    for k in ("issuer_lines", "parent_body", "motto", "type_code", "signer_authority", "signer_position",
              "recipients", "urgency", "province"):
        v = getattr(h, k, None)
        if v not in (None, [], ""):
            meta[k] = v
    # The digital signature (no column: the document's meta holds it, ISO time with its offset).
    if h.signed_by:
        meta["signed_by"] = h.signed_by
    if h.signed_at:
        meta["signed_at"] = h.signed_at.isoformat()
    if h.flags:
        meta["flags"] = list(h.flags)
    if d.metadata:
        meta["reader"] = dict(d.metadata)
    if processed.directive.aliases:
        meta["aliases"] = dict(processed.directive.aliases)
    if processed.directive.approves:
        meta["approves"] = processed.directive.approves   # learned_programmes() hands it to later documents
    return {
        "type": h.type, "number": h.number, "number_key": symbol_key(h.number), "issuer": h.issuer,
        "issued_on": h.issued_on, "place": h.place, "title": collapse_ws(h.title) if h.title else None,
        "signer": h.signer, "programme": processed.directive.programme, "meta": meta,
    }


def _errors(processed: "Processed") -> list[dict]:
    errs = [e.model_dump(mode="json") for e in processed.document.errors]
    errs += [e.model_dump(mode="json") for e in (processed.directive.errors or [])]
    return errs


def _doc_status(processed: "Processed") -> str:
    st = processed.document.status
    if st == "ok" and processed.directive.errors:
        return "partial"
    return st


# ---------------------------------------------------------------- writing helpers

def insert_rows(session: Session, model, rows: list[dict]) -> None:
    """executemany through Core: the ORM's bulk path costs ~3x more CPU per row."""
    if rows:
        session.connection().execute(model.__table__.insert(), rows)

def _unit_links(obl_id: str, lead: list[str], support: list[str], ids: dict[str, int]) -> list[dict]:
    rows = []
    for role, names in (("lead", lead), ("support", support)):
        for pos, n in enumerate(names):
            rows.append({"obligation_id": obl_id, "unit_id": ids[unit_key(n)], "role": role, "position": pos})
    return rows


def set_unit_links(session: Session, items: list[tuple[str, list[str], list[str]]], *, fresh: bool = False) -> None:
    """Replace the unit links of these obligations (`fresh`: they have none yet): one link per
    printed unit and role; the printed unit's row knows its department (models/departments.py)."""
    if not items:
        return
    ids = ensure_units(session, [n for _, lead, sup in items for n in (*lead, *sup)])
    if not fresh:
        session.execute(delete(ObligationUnit).where(ObligationUnit.obligation_id.in_([i for i, _, _ in items])))
    rows = [r for oid, lead, sup in items for r in _unit_links(oid, lead, sup, ids)]
    if rows:
        insert_rows(session, ObligationUnit, rows)


def _write_citations(session: Session, doc_id: str, processed: "Processed", *, fresh: bool = False) -> None:
    if not fresh:
        session.execute(delete(Citation).where(Citation.from_document == doc_id))
    rows = []
    seen = set()
    for n, c in enumerate(processed.directive.citations or []):
        key = symbol_key(c.number)
        if not key or (key, c.relation) in seen:
            continue
        seen.add((key, c.relation))
        rows.append({
            "from_document": doc_id, "ordinal": n, "number": collapse_ws(c.number), "number_key": key,
            "type": c.type, "issued_on": c.issued_on, "issuer": c.issuer, "relation": c.relation,
            "title": c.title, "alias": c.alias, "raw": c.raw or None, "page": c.page,
            "printed": bool(c.printed), "to_document": None,
        })
    if rows:
        keys = {r["number_key"] for r in rows}
        known: dict[str, list] = defaultdict(list)
        for k, i, on in session.execute(
                select(Document.number_key, Document.id, Document.issued_on)
                .where(Document.number_key.in_(keys), Document.status.in_(DONE_STATUSES), Document.version_of.is_(None),
                       Document.id != doc_id)
                .order_by(Document.ingested_at)):
            known[k].append((i, on))
        for r in rows:
            # Same symbol, and the same date when both are known ("08-CT/TU" recurs across provinces/years).
            r["to_document"] = next((i for i, on in known.get(r["number_key"], ())
                                     if on is None or r["issued_on"] is None or on == r["issued_on"]), None)
        insert_rows(session, Citation, rows)


def _resolve_placeholders(session: Session, doc_id: str, number_key: str | None,
                          issued_on: dt.date | None = None) -> None:
    """Citations that knew this document only by its number (and date) now point at it."""
    if number_key:
        stmt = (update(Citation)
                .where(Citation.number_key == number_key, Citation.to_document.is_(None),
                       Citation.from_document != doc_id))
        if issued_on is not None:
            stmt = stmt.where(or_(Citation.issued_on.is_(None), Citation.issued_on == issued_on))
        session.execute(stmt.values(to_document=doc_id))


def relink_document(session: Session, doc: Document) -> None:
    """After DOC's number changed (re-extraction, a staff correction): citations that pointed at
    it by its old number let go, those that name its new number point at it."""
    session.execute(update(Citation).where(Citation.to_document == doc.id).values(to_document=None))
    _resolve_placeholders(session, doc.id, doc.number_key, doc.issued_on)


def pin_header(doc: Document, header: dict) -> dict:
    """HEADER (header_fields) without the fields the staff corrected on DOC: the reader's new
    value is kept aside in `doc.extracted_values`, as for an obligation's corrected fields."""
    corrected = set(doc.corrected_fields or [])
    if not corrected:
        return header
    kept = dict(doc.extracted_values or {})
    out = dict(header)
    for name in corrected:
        if name in out:
            kept[name] = _jsonable(out.pop(name))
    if "number" in corrected:
        out.pop("number_key", None)
    doc.extracted_values = kept
    return out


def _write_doc_targets(session: Session, doc_id: str, targets: Iterable[Any], *, fresh: bool = False) -> None:
    if not fresh:
        session.execute(delete(DocumentTarget).where(DocumentTarget.document_id == doc_id))
    rows = []
    for n, t in enumerate(targets or []):
        d = _target_dict(t)
        rows.append({"document_id": doc_id, "ordinal": n, "raw": d["raw"] or "", "value": float(d["value"]),
                     "unit": d["unit"] or "", "kind": d["kind"] or "target", "subject": d.get("subject")})
    if rows:
        insert_rows(session, DocumentTarget, rows)


def obligation_row(oid: str, doc_id: str, ordinal: int, f: dict, now: dt.datetime) -> dict:
    return {"id": oid, "document_id": doc_id, "ordinal": ordinal, **f, "status": "open", "note": None,
            "corrected_fields": [], "extracted_values": {}, "last_done_on": None,
            "created_at": now, "updated_at": now}


def _count_obligations(session: Session, doc_id: str) -> int:
    return session.execute(select(func.count()).select_from(Obligation).where(Obligation.document_id == doc_id)).scalar_one()


# ---------------------------------------------------------------- ingest

def record_failure(session: Session, *, source_path: str | Path, code: str, message: str,
                   sha256: str | None = None, code_fingerprint: str | None = None) -> IngestOutcome:
    """Record a bad file that could not even be read (no Processed object), so it is not lost."""
    from extractors.types import Directive, Document as XDocument, Extraction, ReadError
    from extractors.pipeline import Processed

    p = Path(source_path)
    xdoc = XDocument(path=str(p), source_file=p.name, sha256=sha256 or "", status="failed",
                     errors=[ReadError(code=code, message=message)])
    try:
        xdoc.size = p.stat().st_size
    except OSError:
        pass
    return ingest_processed(session, Processed(xdoc, Directive(document=xdoc), Extraction()), source_path=p,
                            code_fingerprint=code_fingerprint)


def record_error(session: Session, *, source_path: str | Path, sha256: str, stage: str, kind: str, message: str,
                 traceback: str, code_fingerprint: str | None, source_file: str | None = None,
                 size: int = 0, pages: int = 0, file_kind: str = "unknown") -> IngestOutcome:
    """Record that our code failed on these bytes (an exception, a timeout, a crash in STAGE):
    status "error", the traceback and the code's fingerprint.  Replaces an earlier error or
    bad-input row of the same bytes; a done row (another worker just stored them) is kept and
    answered as a duplicate.  Commits."""
    p = Path(source_path)
    sha = sha256.lower()
    source_file = source_file or p.name
    existing = find_document_by_sha256(session, sha256=sha)
    if existing is not None and existing.status in DONE_STATUSES:
        return _duplicate(session, existing, source_file)
    now = utcnow()
    row = {
        "id": make_document_id(sha), "source_file": source_file, "source_path": str(p), "sha256": sha,
        "size": size, "pages": pages, "kind": file_kind, "status": ERROR_STATUS,
        "errors": [{"code": kind, "stage": stage, "message": message}], "traceback": traceback,
        "code_fingerprint": code_fingerprint, "type": None, "number": None, "number_key": None, "issuer": None,
        "issued_on": None, "place": None, "title": None, "signer": None, "programme": None, "meta": {},
        "ingested_at": now, "extracted_at": now, "version_of": None,
    }
    try:
        if existing is not None:
            session.execute(delete(Document).where(Document.id == existing.id))
        insert_rows(session, Document, [row])
        session.commit()
    except IntegrityError:
        session.rollback()
        other = find_document_by_sha256(session, sha256=sha)
        if other is None:
            raise
        return _duplicate(session, other, source_file)
    except BaseException:
        session.rollback()
        raise
    return IngestOutcome(ERROR_STATUS, row["id"], 0, f"{source_file}: error in {stage}: {message}",
                         source_file=source_file, errors=row["errors"])


def _duplicate(session: Session, existing: Document, source_file: str) -> IngestOutcome:
    head = session.get(Document, existing.version_of) if existing.version_of else existing
    n = _count_obligations(session, head.id)
    what = f"duplicate of {existing.id}" + (f" ({existing.source_file})" if existing.source_file != source_file else "")
    if head is not existing:
        what += f", a copy of document {head.id} ({head.source_file})"
    return IngestOutcome("duplicate", existing.id, n, f"{source_file}: {what}, {n} obligations",
                         source_file=source_file, duplicate_of=existing.id, version_of=existing.version_of)


def ingest_processed(session: Session, processed: "Processed", *, source_path: str | Path | None = None,
                     code_fingerprint: str | None = None) -> IngestOutcome:
    """Store one processed file.  See the module docstring for the rules; commits.
    CODE_FINGERPRINT: the pipeline's fingerprint (extractors/pipeline.py), kept on the row."""
    xdoc = processed.document
    path = str(source_path or xdoc.path or "")
    source_file = xdoc.source_file or Path(path).name
    sha = (xdoc.sha256 or _sha256_of(path) or "").lower()
    if not sha:
        # Unreadable and never hashed (missing file): key the failure on its path.
        sha = hashlib.sha256(("unreadable:" + str(Path(path).resolve())).encode()).hexdigest()
    doc_id = make_document_id(sha)

    existing = find_document_by_sha256(session, sha256=sha)
    if existing is not None and existing.status in DONE_STATUSES:
        return _duplicate(session, existing, source_file)
    try:
        if existing is not None:  # a bad-input or error row of the same bytes: this is a retry
            session.execute(delete(Document).where(Document.id == existing.id))
            session.flush()
        outcome = _insert(session, processed, doc_id=doc_id, sha=sha, path=path, source_file=source_file,
                          code_fingerprint=code_fingerprint)
        if outcome.status != BAD_INPUT_STATUS and path:
            supersede_failed(session, source_path=path, keep_id=outcome.document_id)
        session.commit()
        return outcome
    except IntegrityError:
        # Another worker stored the same bytes between our check and our insert.
        session.rollback()
        other = find_document_by_sha256(session, sha256=sha)
        if other is None:
            raise
        return _duplicate(session, other, source_file)
    except BaseException:
        session.rollback()
        raise


def supersede_failed(session: Session, *, source_path: str, keep_id: str) -> int:
    """A file that failed as bad input (a copy read half-written, a file fixed and dropped again)
    and now succeeded at the same place: its earlier bad-input rows go, so `chidao documents`
    does not list a failure that is no longer true.  Returns how many went; the caller commits."""
    gone = session.execute(delete(Document).where(Document.source_path == source_path,
                                                  Document.status == BAD_INPUT_STATUS, Document.id != keep_id))
    return gone.rowcount or 0


def _insert(session: Session, processed: "Processed", *, doc_id: str, sha: str, path: str, source_file: str,
            code_fingerprint: str | None) -> IngestOutcome:
    xdoc = processed.document
    now = utcnow()
    status = _doc_status(processed)
    errors = _errors(processed)
    base = {
        "id": doc_id, "source_file": source_file, "source_path": path or None, "sha256": sha,
        "size": xdoc.size or 0, "pages": xdoc.page_count, "kind": xdoc.kind, "status": status,
        "errors": errors, "ingested_at": now, "extracted_at": now, "version_of": None,
        "traceback": None, "code_fingerprint": code_fingerprint,
    }
    if status == "failed":
        reason = errors[0]["message"] if errors else "unreadable"
        insert_rows(session, Document, [{**base, "type": None, "number": None, "number_key": None, "issuer": None,
                                            "issued_on": None, "place": None, "title": None, "signer": None,
                                            "programme": None, "meta": {"reader": dict(xdoc.metadata)} if xdoc.metadata else {}}])
        return IngestOutcome("failed", doc_id, 0, f"{source_file}: failed: {reason}", source_file=source_file,
                             errors=errors)

    header = header_fields(processed)
    sketch = text_sketch(processed.document.text())
    row = {**base, **header, "copy_kind": copy_kind_of(xdoc), "text_sketch": sketch.encode()}
    lock_copies(session)   # until the commit: two copies stored at once must not both be new
    match = find_copy(session, identity=_identity(row), sketch=sketch, exclude_id=doc_id)
    if match is not None:
        if _rank(row) >= _rank(match.head):   # a better copy, or an equal one arriving later
            return _promote(session, processed, row, sketch, match, now)
        insert_rows(session, Document, [{**row, "version_of": match.head.id}])
        write_bands(session, doc_id, sketch, fresh=True)
        head = match.head
        n = _count_obligations(session, head.id)
        return IngestOutcome("version", doc_id, n,
                             f"{source_file}: copy of {head.id} ({head.source_file}, found by {match.how}), "
                             f"{n} obligations kept from {head.source_file}",
                             source_file=source_file, version_of=head.id,
                             copy=CopyOf(head.id, describe(head), head.source_file,
                                         stored_copy_kind(head.copy_kind, head.kind), how=match.how,
                                         similarity=match.similarity))

    insert_rows(session, Document, [row])
    write_bands(session, doc_id, sketch, fresh=True)
    _write_citations(session, doc_id, processed, fresh=True)
    _write_doc_targets(session, doc_id, processed.extraction.targets, fresh=True)
    items = obligations_with_ids(doc_id, processed.extraction.obligations)
    if items:
        insert_rows(session, Obligation, [obligation_row(oid, doc_id, i, f, now) for i, (oid, f) in enumerate(items)])
        set_unit_links(session, [(oid, f["lead_units"], f["support_units"]) for oid, f in items], fresh=True)
        refresh_counts(session, [oid for oid, _ in items], fresh=True)
    _resolve_placeholders(session, doc_id, header["number_key"], header["issued_on"])
    extra = f" ({status})" if status != "ok" else ""
    return IngestOutcome("new", doc_id, len(items), f"{source_file}: new{extra}, {len(items)} obligations",
                         source_file=source_file)


def _identity(row: dict | Document) -> Identity:
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k))
    return Identity.of(number_key=get("number_key"), issued_on=get("issued_on"), issuer=get("issuer"),
                       type=get("type"), title=get("title"))


def _rank(row: dict | Document) -> tuple[int, int]:
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k))
    return copy_rank(get("copy_kind"), get("kind"), bool(get("number_key")))


def _promote(session: Session, processed: "Processed", row: dict, sketch: Sketch, match: Match,
             now: dt.datetime) -> IngestOutcome:
    """A better copy of a stored directive: its row becomes the document's (the old head and
    every copy now point at it), the obligations, and the citations to the document, move to it,
    and its extraction is applied to them as `reextract` applies a new extraction."""
    head = match.head
    new_id = row["id"]
    insert_rows(session, Document, [{**row, "version_of": None}])
    write_bands(session, new_id, sketch, fresh=True)
    session.execute(update(Document).where(or_(Document.version_of == head.id, Document.id == head.id))
                    .values(version_of=new_id))
    session.execute(update(Citation).where(Citation.to_document == head.id).values(to_document=new_id))
    session.execute(delete(Citation).where(Citation.from_document == head.id))
    session.execute(delete(DocumentTarget).where(DocumentTarget.document_id == head.id))
    session.execute(update(Obligation).where(Obligation.document_id == head.id).values(document_id=new_id))
    _write_citations(session, new_id, processed, fresh=True)
    _write_doc_targets(session, new_id, processed.extraction.targets, fresh=True)
    _resolve_placeholders(session, new_id, row["number_key"], row["issued_on"])
    doc = session.get(Document, new_id)
    kind = stored_copy_kind(row["copy_kind"], row["kind"])
    applied = _apply_obligations(session, doc, processed, who="chidao",
                                 note=f"nguồn mới: {COPY_KIND_VI[kind]} {row['source_file']}")
    total = applied.added + applied.updated + applied.unchanged
    old_kind = stored_copy_kind(head.copy_kind, head.kind)
    return IngestOutcome(
        "version", new_id, total,
        f"{row['source_file']}: better copy of {head.id} ({head.source_file}, found by {match.how}): now the source, "
        f"{total} obligations ({applied.added} new, {applied.updated} updated, {applied.unchanged} unchanged, "
        f"{applied.removed} removed, {applied.kept_stale} kept with staff data)",
        source_file=row["source_file"], version_of=None,
        copy=CopyOf(new_id, describe(doc), row["source_file"], kind, promoted=True, previous_file=head.source_file,
                    previous_kind=old_kind, how=match.how, similarity=match.similarity))


# ---------------------------------------------------------------- re-extraction

def _has_staff_data(session: Session, ob: Obligation) -> bool:
    if ob.status != "open" or ob.note or ob.corrected_fields:
        return True
    return session.execute(select(func.count()).select_from(StatusHistory)
                           .where(StatusHistory.obligation_id == ob.id, StatusHistory.kind != "reextract")).scalar_one() > 0


def _pinned(corrected: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for f in corrected:
        out.update(_FIELD_GROUPS.get(f, (f,)))
    return out


def _jsonable(v):
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def reextract(session: Session, *, document_id: str, processed: "Processed", who: str | None = "reextract",
              code_fingerprint: str | None = None) -> ReextractOutcome:
    """Replace a document's extracted data with a new extraction of the same file.

    Obligations are matched by stable id, then (same ref, text at least 85 % alike) so a better
    OCR keeps the staff's work.  Staff fields (status, note, last_done_on) are never touched;
    corrected fields keep the staff value (the extractor's new value is kept aside in
    `extracted_values`).  Obligations gone from the new extraction are deleted unless staff
    worked on them: those stay, flagged `not-in-latest-extraction`.  Commits."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise RegisterError(f"unknown document id {document_id!r}")
    if processed.document.status == "failed":
        errs = _errors(processed)
        reason = errs[0]["message"] if errs else "unreadable"
        return ReextractOutcome(document_id, status="failed",
                                message=f"{doc.source_file}: re-extraction failed: {reason}; register unchanged")
    try:
        out = _reextract(session, doc, processed, who, code_fingerprint)
        session.commit()
        return out
    except BaseException:
        session.rollback()
        raise


def _reextract(session: Session, doc: Document, processed: "Processed", who: str | None,
               code_fingerprint: str | None) -> ReextractOutcome:
    now = utcnow()
    header = pin_header(doc, header_fields(processed))
    old_key = doc.number_key
    for k, v in header.items():
        setattr(doc, k, v)
    sketch = text_sketch(processed.document.text())
    doc.copy_kind = copy_kind_of(processed.document) or doc.copy_kind
    doc.text_sketch = sketch.encode()
    doc.status = _doc_status(processed)
    doc.errors = _errors(processed)
    doc.traceback = None
    doc.code_fingerprint = code_fingerprint
    doc.pages = processed.document.page_count or doc.pages
    doc.extracted_at = now
    session.add(doc)
    session.flush()
    write_bands(session, doc.id, sketch)
    if doc.version_of:
        # A copy: its own row re-read; the citations and obligations live on the document's row.
        head = session.get(Document, doc.version_of)
        return ReextractOutcome(doc.id, message=f"{doc.source_file}: re-read; a copy of document {head.id} "
                                                f"({head.source_file}), whose obligations are unchanged")
    _write_citations(session, doc.id, processed)
    _write_doc_targets(session, doc.id, processed.extraction.targets)
    if old_key != doc.number_key:
        relink_document(session, doc)

    out = _apply_obligations(session, doc, processed, who=who)
    total = out.added + out.updated + out.unchanged
    out.message = (f"{doc.source_file}: re-extracted, {total} obligations "
                   f"({out.added} new, {out.updated} updated, {out.unchanged} unchanged, "
                   f"{out.removed} removed, {out.kept_stale} kept with staff data)")
    return out


def _extracted_text(ob: Obligation) -> str:
    """What the extractor last said an obligation's text was (the staff may have corrected it)."""
    return ob.extracted_values.get("text", ob.text) if "text" in (ob.corrected_fields or []) else ob.text


def _match_obligations(existing: dict[str, Obligation], items: list[tuple[str, dict]]) -> dict[str, str]:
    """New id -> stored id: by stable id; then the same ref and text, in order (what the id
    encodes, when the ids were made from another copy of the document); then the same ref and
    text at least 85 % alike (a better OCR)."""
    mapping = {oid: oid for oid, _ in items if oid in existing}
    taken = set(mapping.values())
    by_key: dict[tuple[str, str], list[Obligation]] = defaultdict(list)
    for o in existing.values():
        if o.id not in taken:
            by_key[(o.ref or "", text_key(_extracted_text(o)))].append(o)
    for oid, f in items:
        if oid in mapping:
            continue
        same = by_key.get((f["ref"] or "", text_key(f["text"])))
        while same and same[0].id in taken:
            same.pop(0)
        if same:
            mapping[oid] = same.pop(0).id
            taken.add(mapping[oid])
    unmatched_old = [o for o in existing.values() if o.id not in taken]
    for oid, f in items:
        if oid in mapping or not unmatched_old:
            continue
        best, best_r = None, 0.85
        for o in unmatched_old:
            if o.id in taken or (o.ref or "") != (f["ref"] or ""):
                continue
            r = difflib.SequenceMatcher(None, text_key(_extracted_text(o)), text_key(f["text"])).ratio()
            if r >= best_r:
                best, best_r = o, r
        if best is not None:
            mapping[oid] = best.id
            taken.add(best.id)
    return mapping


def _apply_obligations(session: Session, doc: Document, processed: "Processed", *, who: str | None,
                       note: str | None = None) -> ReextractOutcome:
    """Apply an extraction to the obligations stored on DOC (see `reextract` for the rules)."""
    now = utcnow()
    existing = {o.id: o for o in session.execute(select(Obligation).where(Obligation.document_id == doc.id)
                                                 .order_by(Obligation.ordinal)).scalars()}
    items = obligations_with_ids(doc.id, processed.extraction.obligations)
    mapping = _match_obligations(existing, items)

    out = ReextractOutcome(doc.id)
    links: list[tuple[str, list[str], list[str]]] = []
    new_rows = []
    kept: set[str] = set()
    history = []
    for ordinal, (oid, f) in enumerate(items):
        ob = existing.get(mapping[oid]) if oid in mapping else None
        if ob is None:
            new_rows.append(obligation_row(oid, doc.id, ordinal, f, now))
            links.append((oid, f["lead_units"], f["support_units"]))
            out.added += 1
            continue
        kept.add(ob.id)
        pinned = _pinned(ob.corrected_fields or [])
        changes = {}
        extracted_values = dict(ob.extracted_values or {})
        for name in EXTRACTED_FIELDS:
            new = f[name]
            if name == "flags":
                new = [x for x in new if x != STALE_FLAG]
            if name in pinned:
                extracted_values[name] = _jsonable(new)
                continue
            old = getattr(ob, name)
            if old != new:
                changes[name] = [_jsonable(old), _jsonable(new)]
                setattr(ob, name, new)
        for name in CONFIDENCE_FIELDS:
            setattr(ob, name, f[name])
        if (ob.flags or []) and STALE_FLAG in ob.flags:
            ob.flags = [x for x in ob.flags if x != STALE_FLAG]
            changes.setdefault("flags", [[STALE_FLAG], ob.flags])
        ob.extracted_values = extracted_values
        ob.ordinal = ordinal
        if changes:
            ob.updated_at = now
            ob.accepted_at = None       # what a reviewer accepted is no longer what is stored
            out.updated += 1
            history.append({"obligation_id": ob.id, "kind": "reextract", "status": ob.status,
                            "previous_status": ob.status, "who": who, "note": note, "changes": changes, "at": now})
            if "lead_units" in changes or "support_units" in changes:
                links.append((ob.id, ob.lead_units, ob.support_units))
        else:
            out.unchanged += 1
        session.add(ob)
    for oid, ob in existing.items():
        if oid in kept:
            continue
        if _has_staff_data(session, ob):
            if STALE_FLAG not in (ob.flags or []):
                ob.flags = [*(ob.flags or []), STALE_FLAG]
                ob.ordinal = len(items) + out.kept_stale
                session.add(ob)
            out.kept_stale += 1
        else:
            session.delete(ob)
            out.removed += 1
    session.flush()
    if new_rows:
        insert_rows(session, Obligation, new_rows)
    set_unit_links(session, links)
    session.flush()
    refresh_counts(session, [*existing, *(oid for oid, _ in items)])
    if history:
        insert_rows(session, StatusHistory, history)
    return out
