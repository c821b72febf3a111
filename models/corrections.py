"""The office's corrections as gold-format examples: `chidao export --corrections`.

    corrections_gold(session) -> list[(stem, register-export/1 object)]
    write_corrections(session, output=Path("outputs/corrections")) -> CorrectionsWritten

One file per document the staff reviewed, `<stem>.json` (the stem of its source file, as the
evaluation's score.py and bench/compare_gold.py key gold files), in the format of
corpora/real-gold and ../shared/eval/gold (register-export/1, one document; see
corpora/samples/gold/NOTES.md): the document's header as it now stands (corrections included),
its citations and document-level targets, and the obligations a reviewer corrected or accepted,
with the staff's values, ids `gold-<stem>-<nn>`.  Only reviewed obligations are there, so the
file is a partial gold (`"reviewed_only": true`): score its obligations' units and deadlines, not
the obligation count.  Each obligation's `review` says which register obligation it is, which
fields were corrected and what the extractor had said (`extracted`), so a rule change can be
checked against the office's own corrections.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sqlalchemy import or_, select
from sqlmodel import Session

from models.export import obligation_export, write_json
from models.tables import Citation, Document, DocumentTarget, Obligation

GOLD_OBLIGATION_FIELDS = ("ref", "page", "text", "lead_units", "support_units", "deadline", "targets", "output")


@dataclass
class CorrectionsWritten:
    folder: Path
    files: list[Path]
    obligations: int


def _iso(v) -> Optional[str]:
    return v.isoformat() if v is not None else None


def _gold_obligation(o: Obligation, gold_id: str) -> dict:
    full = obligation_export(o)
    out = {"id": gold_id, **{k: full[k] for k in GOLD_OBLIGATION_FIELDS}}
    out["review"] = {"register_id": o.id, "corrected_fields": list(o.corrected_fields or []),
                     "extracted": dict(o.extracted_values or {}), "accepted_at": _iso(o.accepted_at)}
    return out


def _document_entry(session: Session, d: Document, obligations: list[Obligation], stem: str) -> dict:
    from extractors.structure import export_type

    cites = session.execute(select(Citation).where(Citation.from_document == d.id).order_by(Citation.ordinal)).scalars()
    targets = session.execute(select(DocumentTarget).where(DocumentTarget.document_id == d.id)
                              .order_by(DocumentTarget.ordinal)).scalars()
    return {
        "id": None, "source_file": d.source_file, "sha256": d.sha256, "type": export_type(d.type),
        "number": d.number, "issuer": d.issuer, "issued_on": _iso(d.issued_on), "place": d.place, "title": d.title,
        "signer": d.signer,
        "citations": [{"number": c.number, "type": c.type, "issued_on": _iso(c.issued_on), "relation": c.relation,
                       "printed": c.printed} for c in cites],
        "targets": [{"raw": t.raw, "value": t.value, "unit": t.unit, "kind": t.kind} for t in targets],
        "obligations": [_gold_obligation(o, f"gold-{stem}-{n:02d}") for n, o in enumerate(obligations, 1)],
        "reviewed_only": True,
        "review": {"register_id": d.id, "corrected_fields": list(d.corrected_fields or []),
                   "extracted": dict(d.extracted_values or {})},
    }


def corrections_gold(session: Session) -> list[tuple[str, dict]]:
    """(stem, one-document register-export/1 object) for every document with a correction or an
    acceptance, in ingest order.  Two documents whose files share a stem get `-2`, `-3`."""
    rows = session.execute(select(Obligation).where(or_(Obligation.accepted_at.is_not(None),
                                                        Obligation.updated_at != Obligation.created_at))
                           .order_by(Obligation.document_id, Obligation.ordinal)).scalars()
    by_doc: dict[str, list[Obligation]] = {}
    for o in rows:
        if o.accepted_at is not None or o.corrected_fields:
            by_doc.setdefault(o.document_id, []).append(o)
    docs = session.execute(select(Document).where(or_(Document.id.in_(list(by_doc)), Document.version_of.is_(None)))
                           .order_by(Document.ingested_at, Document.id)).scalars()   # a header is corrected on the head
    out, seen = [], set()
    for d in docs:
        if d.id not in by_doc and not d.corrected_fields:
            continue
        stem = Path(d.source_file).stem
        n = 2
        while stem in seen:
            stem = f"{Path(d.source_file).stem}-{n}"
            n += 1
        seen.add(stem)
        out.append((stem, {"format": "register-export/1",
                           "documents": [_document_entry(session, d, by_doc.get(d.id, []), stem)]}))
    return out


def write_corrections(session: Session, *, output: Optional[str | Path] = None) -> CorrectionsWritten:
    """Write corrections_gold to OUTPUT (a folder, default outputs/corrections), one file each."""
    folder = Path(output) if output else Path("outputs") / "corrections"
    folder.mkdir(parents=True, exist_ok=True)
    files, count = [], 0
    for stem, data in corrections_gold(session):
        path = folder / f"{stem}.json"
        with path.open("w", encoding="utf-8") as fh:
            write_json(data, fh)
        files.append(path)
        count += len(data["documents"][0]["obligations"])
    return CorrectionsWritten(folder, files, count)


def read_gold(path: str | Path) -> dict:
    """One gold file's document (what score.py reads: `documents[0]`)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))["documents"][0]
