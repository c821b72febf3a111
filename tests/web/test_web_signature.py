"""The digital signature of a signed e-document is kept in the register (the document's meta) and
shown on its page in Vietnamese; a header number that could not be read is flagged for the clerk."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reading"))


def _ingest(tmp_path, flags=()):
    import make_files

    from extractors.pipeline import Processed
    from extractors.reading import read_document
    from extractors.structure import parse_directive
    from extractors.types import Extraction
    from models.register import ingest_processed, open_session

    doc = read_document(make_files.signed_pdf(tmp_path / "tb11.pdf"), ocr="never")
    directive = parse_directive(doc)
    directive.header.flags = list(flags)
    url = f"sqlite:///{tmp_path}/r.db"
    with open_session(url) as session:
        out = ingest_processed(session, Processed(doc, directive, Extraction()), source_path=doc.path)
    return url, out.document_id


def test_signature_is_kept_and_shown(tmp_path):
    from fastapi.testclient import TestClient
    from sqlmodel import Session, create_engine

    from app.web.main import create_app
    from models.tables import Document

    url, doc_id = _ingest(tmp_path)
    with Session(create_engine(url)) as s:
        meta = s.get(Document, doc_id).meta
    assert meta["signed_by"] == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert meta["signed_at"] == "2025-01-08T17:10:17+07:00"
    page = TestClient(create_app(db_url=url, intake=tmp_path / "intake"), base_url="http://127.0.0.1").get(f"/documents/{doc_id}").text
    assert "Chữ ký số" in page
    assert "Ủy ban nhân dân tỉnh Quảng Ngãi, ký lúc 17:10:17 ngày 08/01/2025" in page
    assert "Cần kiểm tra" not in page


def test_unread_number_is_flagged_on_the_page(tmp_path):
    from fastapi.testclient import TestClient

    from app.web.main import create_app

    url, doc_id = _ingest(tmp_path, flags=["number-unread"])
    page = TestClient(create_app(db_url=url, intake=tmp_path / "intake"), base_url="http://127.0.0.1").get(f"/documents/{doc_id}").text
    assert "Không đọc chắc được số văn bản" in page
