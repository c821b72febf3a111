"""Ingest into the register: idempotent, versions for re-scans, failures recorded, stable ids."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from models.export import export_register
from extractors.keys import symbol_key
from models.keys import document_id, obligation_id
from models.queries import counts, list_obligations
from models.register import find_document_by_sha256, ingest_processed, open_session, record_failure
from models.tables import Citation, Document, ObligationUnit, Unit


def _snapshot(session):
    data = export_register(session)
    return counts(session), [(d["id"], [o["id"] for o in d["obligations"]]) for d in data["documents"]]


def test_same_bytes_twice_is_a_duplicate(db_session, make_processed):
    p = make_processed()
    first = ingest_processed(db_session, p)
    assert first.status == "new" and first.obligations == 5
    assert first.message == "ct-08-tu.pdf: new, 5 obligations"
    assert first.document_id == document_id(p.document.sha256)
    before = _snapshot(db_session)
    again = ingest_processed(db_session, make_processed())
    assert again.status == "duplicate"
    assert again.document_id == first.document_id and again.obligations == 5
    assert again.message == f"ct-08-tu.pdf: duplicate of {first.document_id}, 5 obligations"
    assert _snapshot(db_session) == before
    # same bytes under another file name: still a duplicate
    renamed = ingest_processed(db_session, make_processed(name="copy.pdf", content="bytes of ct-08-tu.pdf"))
    assert renamed.status == "duplicate" and _snapshot(db_session) == before
    assert renamed.message == f"copy.pdf: duplicate of {first.document_id} (ct-08-tu.pdf), 5 obligations"


def test_ids_are_stable_across_registers(db_url, tmp_path, make_processed):
    with open_session(db_url) as s:
        ingest_processed(s, make_processed())
        ids = [o.id for o in list_obligations(s)]
    other = f"sqlite:///{tmp_path / 'other.db'}"
    with open_session(other) as s:
        ingest_processed(s, make_processed())
        assert [o.id for o in list_obligations(s)] == ids
    assert len(set(ids)) == 5  # the two identical PL.26 rows are two obligations with two ids
    doc = document_id(make_processed().document.sha256)
    assert ids[3] == obligation_id(doc, "PL.26", "Cập nhật thông tin người lao động", 0)
    assert ids[4] == obligation_id(doc, "PL.26", "Cập nhật thông tin người lao động", 1)


def _scanned(p):
    """The reader's view of an image-only copy: every page read by OCR."""
    for page in p.document.pages:
        page.source = "ocr"
    return p


def test_rescan_is_stored_as_a_version(db_session, make_processed):
    orig = ingest_processed(db_session, make_processed(name="ct-08.pdf"))
    scan = ingest_processed(db_session, _scanned(make_processed(name="ct-08-scan.pdf", content="other bytes")))
    assert scan.status == "version" and scan.version_of == orig.document_id
    assert scan.obligations == 5
    c = counts(db_session)
    assert c["documents"] == 1 and c["versions"] == 1 and c["obligations"] == 5
    assert [d["id"] for d in export_register(db_session)["documents"]] == [orig.document_id]
    # another directive with the same number from another issuer is not a version
    other = ingest_processed(db_session, make_processed(name="other.pdf", content="x", issuer="Tỉnh ủy Hà Tĩnh"))
    assert other.status == "new"


def test_failed_document_is_recorded_and_retried(db_session, make_processed):
    bad = make_processed(name="locked.pdf", status="failed", errors=[("encrypted", "encrypted PDF")], obligations=[])
    out = ingest_processed(db_session, bad)
    assert out.status == "failed" and out.message == "locked.pdf: failed: encrypted PDF"
    doc = find_document_by_sha256(db_session, sha256=bad.document.sha256)
    assert doc.status == "failed" and doc.errors[0]["code"] == "encrypted"
    assert counts(db_session)["failed"] == 1
    # the same bytes again, now readable (extractor fixed): processed, replaces the failure
    good = make_processed(name="locked.pdf")
    again = ingest_processed(db_session, good)
    assert again.status == "new" and again.obligations == 5
    c = counts(db_session)
    assert c["failed"] == 0 and c["documents"] == 1


def test_record_failure_without_processed(db_session, tmp_path):
    f = tmp_path / "broken.pdf"
    f.write_bytes(b"%PDF-1.4 truncated")
    out = record_failure(db_session, source_path=f, code="not-a-pdf", message="truncated PDF")
    assert (out.status, out.message) == ("failed", "broken.pdf: failed: truncated PDF")
    assert out.document_id == document_id(hashlib.sha256(b"%PDF-1.4 truncated").hexdigest())
    missing = record_failure(db_session, source_path=tmp_path / "gone.pdf", code="not-found", message="no such file")
    assert (missing.status, missing.message) == ("failed", "gone.pdf: failed: no such file")
    assert missing.document_id != out.document_id


def test_units_linked_and_placeholder_citations_resolve(db_session, make_processed):
    plan = make_processed(name="kh.pdf", number="12/KH-UBND", issuer="Ủy ban nhân dân tỉnh Tiền Giang",
                          citations=[("08-CT/TU", "implements", "Chỉ thị", dt.date(2024, 3, 1)),
                                     ("06/QĐ-TTg", "basis", "Quyết định")])
    ingest_processed(db_session, plan)
    cits = db_session.execute(select(Citation).order_by(Citation.ordinal)).scalars().all()
    assert [c.to_document for c in cits] == [None, None]
    ct = ingest_processed(db_session, make_processed(name="ct.pdf", number="08 - CT/TU"))  # spaced as printed
    resolved = db_session.execute(select(Citation).where(Citation.number_key == symbol_key("08-CT/TU"))).scalar_one()
    assert resolved.to_document == ct.document_id
    units = sorted(u.name for u in db_session.execute(select(Unit)).scalars())
    # the obligations' units, and Ủy ban nhân dân tỉnh as the gazetteer's parent of the Sở
    assert units == ["Công an tỉnh", "Sở Lao động - Thương binh và Xã hội", "Sở Thông tin và Truyền thông", "Sở Tư pháp",
                     "Ủy ban nhân dân các huyện, thị xã, thành phố", "Ủy ban nhân dân tỉnh"]
    assert len(db_session.execute(select(ObligationUnit)).scalars().all()) == 14   # 7 unit links per document
    assert len(list_obligations(db_session, unit="công an  TỈNH", role="lead")) == 4  # two in each document
    assert len(list_obligations(db_session, unit="Sở Tư pháp", role="support")) == 2  # one in each document


def test_citation_with_other_date_does_not_resolve(db_session, make_processed):
    ingest_processed(db_session, make_processed(name="ct.pdf", number="08-CT/TU", issued_on=dt.date(2021, 1, 1)))
    ingest_processed(db_session, make_processed(name="kh.pdf", number="1/KH", content="k",
                                                citations=[("08-CT/TU", "implements", "Chỉ thị", dt.date(2024, 3, 1))]))
    c = db_session.execute(select(Citation)).scalar_one()
    assert c.to_document is None


def test_source_path_kept_and_empty_units_dropped(db_session, make_processed, tmp_path):
    f = tmp_path / "a.pdf"
    f.write_bytes(b"pdf bytes")
    p = make_processed(name="a.pdf", obligations=[{"text": "  Làm   việc  A ", "lead_units": ["", " Sở Y tế ", "Sở  Y tế"]}])
    p.document.sha256 = ""  # the register hashes the file itself when the reader did not
    out = ingest_processed(db_session, p, source_path=f)
    doc = db_session.get(Document, out.document_id)
    assert doc.source_path == str(f)
    assert doc.sha256 == hashlib.sha256(b"pdf bytes").hexdigest()
    o = list_obligations(db_session)[0]
    assert o.text == "Làm việc A" and o.lead_units == ["Sở Y tế"]


def test_units_get_aliases_and_parent_from_the_gazetteer(db_session, make_processed):
    from extractors.gazetteer import load

    [rec] = [r for r in load("units.jsonl") if r["name"] == "Văn phòng Ủy ban nhân dân tỉnh"]
    assert rec["parent"] == "Ủy ban nhân dân tỉnh" and rec["aliases"]
    ingest_processed(db_session, make_processed(obligations=[{"text": "Tham mưu", "lead_units": [rec["name"]]}]))
    unit = db_session.execute(select(Unit).where(Unit.name == rec["name"])).scalar_one()
    assert unit.aliases == rec["aliases"]
    parent = db_session.get(Unit, unit.parent_id)
    assert parent is not None and parent.name == rec["parent"]


def test_rescan_without_a_number_matches_on_title(db_session, make_processed):
    """Without text to compare (rows stored before sketches), a directive printed without a
    number is matched on issuer, date and title; the later of two equal copies gives the obligations."""
    a = ingest_processed(db_session, make_processed(name="qd.pdf", number=None))
    b = ingest_processed(db_session, make_processed(name="qd-scan.pdf", content="scan", number=None))
    assert b.status == "version" and b.copy.promoted and b.copy.how == "title"
    assert db_session.get(Document, a.document_id).version_of == b.document_id
    c = ingest_processed(db_session, make_processed(name="other.pdf", content="o", number=None, title="Về việc khác"))
    assert c.status == "new"


def test_long_values_fit_on_every_backend(db_session, make_processed):
    """PostgreSQL enforces VARCHAR lengths where SQLite does not: text from documents is unbounded."""
    long_unit = "Ủy ban nhân dân " + "các xã, phường, thị trấn " * 30
    out = ingest_processed(db_session, make_processed(
        number="123/" + "KH-" * 60 + "UBND", title="Về " + "việc " * 200, signer="Nguyễn " * 60,
        citations=[("99/" + "QĐ-" * 60 + "TTg", "cites")],
        obligations=[{"text": "Nhiệm vụ " * 500, "ref": "PL." + ".".join(["IV"] * 60), "lead_units": [long_unit],
                      "section_role": "tasks-" * 20}]))
    assert out.status == "new" and out.obligations == 1


def test_error_row_keeps_traceback_is_left_out_and_replaced_by_a_retry(db_session, make_processed):
    from models.register import find_known, record_error

    p = make_processed(name="ct.pdf")
    sha = p.document.sha256
    out = record_error(db_session, source_path="/in/ct.pdf", sha256=sha, stage="structure", kind="exception",
                       message="KeyError: 'lead'", traceback="Traceback ...\nKeyError: 'lead'", code_fingerprint="f1")
    assert out.status == "error" and out.document_id == document_id(sha) and not out.ok
    known = find_known(db_session, sha256=sha)
    assert (known.status, known.outcome, known.code_fingerprint) == ("error", "error", "f1")
    assert known.errors == [{"code": "exception", "stage": "structure", "message": "KeyError: 'lead'"}]
    doc = db_session.get(Document, out.document_id)
    assert doc.traceback.endswith("KeyError: 'lead'")
    c = counts(db_session)
    assert (c["documents"], c["failed"], c["error"]) == (0, 0, 1)
    assert export_register(db_session)["documents"] == []
    assert [d["status"] for d in export_register(db_session, include_failed=True)["documents"]] == ["error"]
    # Other code fails again: the row is replaced, not doubled.
    again = record_error(db_session, source_path="/in/ct.pdf", sha256=sha, stage="obligations", kind="timeout",
                         message="no result within 5 s", traceback="StepTimeout", code_fingerprint="f2")
    assert again.status == "error" and find_known(db_session, sha256=sha).code_fingerprint == "f2"
    # Fixed code processes the bytes: the error row gives way to the document.
    fixed = ingest_processed(db_session, p, code_fingerprint="f3")
    assert fixed.status == "new" and fixed.obligations == 5
    doc = db_session.get(Document, fixed.document_id)
    db_session.refresh(doc)
    assert (doc.status, doc.traceback, doc.code_fingerprint) == ("ok", None, "f3")
    c = counts(db_session)
    assert (c["documents"], c["error"]) == (1, 0)
    # An error reported for bytes already stored (a late worker) does not overwrite them.
    late = record_error(db_session, source_path="/in/ct.pdf", sha256=sha, stage="read", kind="crashed",
                        message="killed", traceback="", code_fingerprint="f3")
    assert late.status == "duplicate" and counts(db_session)["documents"] == 1
