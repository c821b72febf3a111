"""The documents: the list, one document with its links up and down the directive graph and
its tasks, and the stored original file."""
from __future__ import annotations

import datetime as dt
import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlmodel import Session

from app.web.deps import SessionDep, TodayDep, file_of, render
from app.web.routes.upload import safe_filename

router = APIRouter(prefix="/documents")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".tif": "image/tiff", ".tiff": "image/tiff", ".docx": DOCX}


def load_document(session: Session, doc_id: str):
    from models.db import RegisterError
    from models.queries import get_document

    try:
        return get_document(session, id=doc_id)
    except RegisterError:
        raise HTTPException(404, "Không tìm thấy văn bản này.")


@router.get("", response_class=HTMLResponse)
def documents_page(request: Request, session: SessionDep):
    from models.queries import document_obligation_counts, list_documents

    from models.statuses import OUTCOME_OF_STATUS

    all_docs = list_documents(session)
    docs = [d for d in all_docs if d.version_of is None]
    copies: dict[str, int] = {}
    for d in all_docs:
        if d.version_of:
            copies[d.version_of] = copies.get(d.version_of, 0) + 1
    # files that could not be read, or that met a defect of ours, first: they need someone
    docs = [d for d in docs if OUTCOME_OF_STATUS.get(d.status, "done") != "done"] + sorted(
        (d for d in docs if OUTCOME_OF_STATUS.get(d.status, "done") == "done"),
        key=lambda d: d.issued_on or dt.date.min, reverse=True)
    outcomes = {k: sum(1 for d in docs if OUTCOME_OF_STATUS.get(d.status, "done") == k) for k in ("done", "bad-input", "error")}
    return render(request, "documents.html", nav="documents", docs=docs, outcomes=outcomes,
                  outcome_of=OUTCOME_OF_STATUS, counts=document_obligation_counts(session), copies=copies)


@router.get("/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, session: SessionDep, today: TodayDep):
    from models.queries import list_citations
    from models.search import search

    from models.copies import family, kind_label

    doc = load_document(session, doc_id)
    if doc.version_of:   # a copy: the document is shown on its own page, where the copies are listed
        return RedirectResponse(f"/documents/{doc.version_of}#copy-{doc.id}", status_code=303)
    hits = search(session, document=doc.id, limit=1000, today=today).hits
    copies = [{"doc": c, "kind": kind_label(c), "has_file": file_of(c) is not None, "source": c.id == doc.id}
              for c in family(session, doc.id)] if doc.status in ("ok", "partial") else []
    return render(request, "document.html", nav="documents", doc=doc, up=list_citations(session, document_id=doc.id),
                  down=_cited_by(session, doc.id), hits=sorted(hits, key=_ref_order), has_file=file_of(doc) is not None,
                  copies=copies if len(copies) > 1 else [])


def _cited_by(session: Session, doc_id: str) -> list[dict]:
    """The documents in the register that cite this one, each once."""
    from models.queries import list_citations
    from models.tables import Document

    down, seen = [], set()
    for c in list_citations(session, document_id=doc_id, cited_by=True):
        if c.from_document in seen or c.from_document == doc_id:
            continue
        seen.add(c.from_document)
        d = session.get(Document, c.from_document)
        if d is not None:
            down.append({"id": d.id, "number": d.number, "type": d.type, "source_file": d.source_file,
                         "relation": c.relation})
    return down


def _ref_order(hit) -> list:
    """1.2 before 1.10: the numbers in a task's reference compared as numbers."""
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", hit.ref or "")]


@router.get("/{doc_id}/file")
def document_file(doc_id: str, session: SessionDep):
    doc = load_document(session, doc_id)
    path = file_of(doc)
    if path is None:
        raise HTTPException(404, "Không còn tệp gốc trên máy chủ.")
    media = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return FileResponse(path, media_type=media, filename=safe_filename(doc.source_file),
                        content_disposition_type="inline" if media != DOCX else "attachment")
