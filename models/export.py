"""The register as `register-export/1` JSON (the interchange format, see the spec), and as a
flat table of obligations (CSV / XLSX) for staff.  Fast path: no Prefect, no spaCy.

Copies of a directive already in the register (a scan and its born-digital copy, a draft and
its signed copy; models/copies.py) are one document: its entry is the copy the obligations come
from (`source_file`), with every copy listed in `copies`.  `include_versions` also lists each
other copy as an entry of its own, without obligations (`version_of` names the document).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import IO, Any, Iterable, Optional

from sqlalchemy import select
from sqlmodel import Session

from models.dates import is_overdue
from models.keys import no_gc
from models.tables import DONE_STATUSES, Citation, Document, DocumentTarget, Obligation

# Imported where used: openpyxl (~0.35 s) only for an XLSX file, and the structure stage
# (~0.3 s with its gazetteers) only for its type list in a JSON export.

FORMAT = "register-export/1"
CSV_COLUMNS = [
    "id", "document_id", "source_file", "document_number", "document_type", "ref", "page", "text",
    "lead_units", "support_units", "deadline_raw", "deadline_due", "deadline_recurrence", "deadline_day",
    "targets", "output", "flags", "status", "note", "corrected_fields", "overdue", "confidence", "confidence_reasons",
]


def _d(v):
    return v.isoformat() if v is not None else None


def _num(v: Any):
    """80.0 -> 80, 0.68 stays 0.68 (the spec's examples print integers as integers)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _target(t: dict) -> dict:
    return {"raw": t.get("raw"), "value": _num(t.get("value")), "unit": t.get("unit"), "kind": t.get("kind") or "target"}


def obligation_export(o: Obligation) -> dict:
    deadline = None
    if o.deadline_raw is not None or o.deadline_due is not None or o.deadline_recurrence is not None:
        deadline = {"raw": o.deadline_raw, "due": _d(o.deadline_due), "recurrence": o.deadline_recurrence,
                    "day": o.deadline_day}
    out = {
        "id": o.id, "ref": o.ref, "page": o.page, "text": o.text,
        "lead_units": list(o.lead_units or []), "support_units": list(o.support_units or []),
        "deadline": deadline, "targets": [_target(t) for t in (o.targets or [])], "output": o.output,
        # Register additions (allowed: the spec fixes what must be present, not what may be).
        "flags": list(o.flags or []), "status": o.status, "note": o.note,
        "corrected_fields": list(o.corrected_fields or []),
    }
    if o.confidence is not None:
        # optional (issue 12): how sure the extraction is, 0..1, and what lowered it
        out["confidence"] = o.confidence
        out["confidence_reasons"] = [{"code": r.get("code"), "text": r.get("text")} for r in (o.confidence_reasons or [])]
    return out


def _documents(session: Session, document_ids: Optional[Iterable[str]], include_versions: bool,
               include_failed: bool) -> list[Document]:
    stmt = select(Document).order_by(Document.ingested_at, Document.source_file, Document.id)
    if document_ids is not None:
        stmt = stmt.where(Document.id.in_(list(document_ids)))
    if not include_versions:
        stmt = stmt.where(Document.version_of.is_(None))
    if not include_failed:   # bad input and errors: no extraction to export
        stmt = stmt.where(Document.status.in_(DONE_STATUSES))
    return list(session.execute(stmt).scalars())


def export_register(session: Session, *, document_ids: Optional[Iterable[str]] = None,
                    include_versions: bool = False, include_failed: bool = False) -> dict:
    """The register (or the given documents) as one register-export/1 object."""
    with no_gc():
        return _export(session, document_ids, include_versions, include_failed)


def _export(session: Session, document_ids, include_versions: bool, include_failed: bool) -> dict:
    docs = _documents(session, document_ids, include_versions, include_failed)
    ids = [d.id for d in docs]
    copies: dict[str, list] = defaultdict(list)
    heads = [d.id for d in docs if d.version_of is None]
    for chunk in _chunks(heads, 500):
        for c in session.execute(select(Document).where(Document.version_of.in_(chunk))
                                 .order_by(Document.ingested_at, Document.id)).scalars():
            copies[c.version_of].append(c)
    cites: dict[str, list] = defaultdict(list)
    targets: dict[str, list] = defaultdict(list)
    obls: dict[str, list] = defaultdict(list)
    for chunk in _chunks(ids, 500):
        for c in session.execute(select(Citation).where(Citation.from_document.in_(chunk))
                                 .order_by(Citation.from_document, Citation.ordinal)).scalars():
            cites[c.from_document].append(c)
        for t in session.execute(select(DocumentTarget).where(DocumentTarget.document_id.in_(chunk))
                                 .order_by(DocumentTarget.document_id, DocumentTarget.ordinal)).scalars():
            targets[t.document_id].append(t)
        for o in session.execute(select(Obligation).where(Obligation.document_id.in_(chunk))
                                 .order_by(Obligation.document_id, Obligation.ordinal)).scalars():
            obls[o.document_id].append(o)
    # The register keeps the genre word as printed (Tờ trình, Hướng dẫn); the export's type is
    # one of register-export/1's list (those become Khác).
    from extractors.structure import export_type

    out = []
    for d in docs:
        entry = {
            "id": d.id, "source_file": d.source_file, "sha256": d.sha256, "type": export_type(d.type),
            "number": d.number,
            "issuer": d.issuer, "issued_on": _d(d.issued_on), "place": d.place, "title": d.title,
            "signer": d.signer,
            "citations": [{"number": c.number, "type": c.type, "issued_on": _d(c.issued_on), "relation": c.relation,
                           "printed": c.printed} for c in cites[d.id]],
            "targets": [_target({"raw": t.raw, "value": t.value, "unit": t.unit, "kind": t.kind}) for t in targets[d.id]],
            "obligations": [obligation_export(o) for o in obls[d.id]],
            # Register additions.
            "status": d.status, "programme": d.programme, "version_of": d.version_of,
        }
        if d.version_of is None:
            entry["copies"] = [_copy(c) for c in [d, *copies[d.id]]]
        if d.status not in DONE_STATUSES:
            entry["errors"] = d.errors
        out.append(entry)
    return {"format": FORMAT, "documents": out}


def _copy(d: Document) -> dict:
    from models.copies import stored_copy_kind

    return {"id": d.id, "source_file": d.source_file, "sha256": d.sha256,
            "copy_kind": stored_copy_kind(d.copy_kind, d.kind), "obligations_from_here": d.version_of is None}


def _chunks(seq: list, n: int):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def write_json(data: dict, fh: IO[str]) -> None:
    json.dump(data, fh, ensure_ascii=False, indent=1)
    fh.write("\n")


def flat_rows(data: dict, today=None) -> list[dict]:
    """One row per obligation (for CSV / XLSX), lists joined with '; '."""
    today = today or dt.date.today()
    rows = []
    for d in data["documents"]:
        for o in d["obligations"]:
            dl = o["deadline"] or {}
            probe = _Probe(o["status"], dl)
            rows.append({
                "id": o["id"], "document_id": d["id"], "source_file": d["source_file"],
                "document_number": d["number"], "document_type": d["type"], "ref": o["ref"], "page": o["page"],
                "text": o["text"], "lead_units": "; ".join(o["lead_units"]),
                "support_units": "; ".join(o["support_units"]), "deadline_raw": dl.get("raw"),
                "deadline_due": dl.get("due"), "deadline_recurrence": dl.get("recurrence"),
                "deadline_day": dl.get("day"), "targets": "; ".join(t["raw"] for t in o["targets"] if t.get("raw")),
                "output": o["output"], "flags": "; ".join(o.get("flags") or []), "status": o.get("status"),
                "note": o.get("note"), "corrected_fields": "; ".join(o.get("corrected_fields") or []),
                "overdue": is_overdue(probe, today), "confidence": o.get("confidence"),
                "confidence_reasons": "; ".join(r["text"] for r in o.get("confidence_reasons") or [] if r.get("text")),
            })
    return rows


class _Probe:
    def __init__(self, status, dl):
        self.status = status
        self.deadline_due = dt.date.fromisoformat(dl["due"]) if dl.get("due") else None
        self.deadline_recurrence = dl.get("recurrence")
        self.deadline_day = dl.get("day")
        self.deadline_start = None
        self.last_done_on = None


def write_csv(data: dict, fh: IO[str]) -> None:
    w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
    w.writeheader()
    for r in flat_rows(data):
        w.writerow(r)


def write_xlsx(data: dict, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append(CSV_COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in flat_rows(data):
        ws.append([r[k] for k in CSV_COLUMNS])
    ws.freeze_panes = "A2"
    widths = {"text": 80, "lead_units": 30, "support_units": 30, "source_file": 24, "deadline_raw": 24, "note": 30}
    from openpyxl.utils import get_column_letter

    for i, name in enumerate(CSV_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, 14)
        if name == "text":
            for cell in ws[get_column_letter(i)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def export_to(session: Session, *, fmt: str, output: Optional[str | Path] = None,
              stdout: Optional[IO[str]] = None, **options) -> Optional[Path]:
    """Write the export in FMT (json|csv|xlsx) to OUTPUT, or stdout (json/csv) /
    outputs/register.xlsx (xlsx) when OUTPUT is None.  Returns the path written, if any."""
    data = export_register(session, **options)
    if fmt == "xlsx":
        path = Path(output) if output else Path("outputs") / "register.xlsx"
        write_xlsx(data, path)
        return path
    writer = write_json if fmt == "json" else write_csv if fmt == "csv" else None
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r} (json, csv or xlsx)")
    if output:
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer(data, fh)
        return path
    writer(data, stdout or sys.stdout)
    return None
