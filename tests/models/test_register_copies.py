"""One directive, several copies: a scan and its born-digital copy, a draft and its signed copy,
are one document; its obligations are stored once, from the best copy, and the staff's work
survives when a better copy arrives later."""
from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from models.copies import (
    SAME_TEXT, Identity, Sketch, copy_kind_of, copy_rank, same_directive, shingle_hashes, similarity, text_sketch,
)
from models.export import export_register
from models.queries import counts, edit_obligation, get_obligation, history, list_obligations, set_status
from models.register import STALE_FLAG, ingest_processed, reextract
from models.tables import Citation, CopyBand, Document

SRC = Path(__file__).resolve().parents[2] / "corpora" / "samples" / "src"


def sample_text(stem: str = "qd-415-kon-tum") -> str:
    from scripts.render_samples import plain_text

    return plain_text(SRC / f"{stem}.md")


_TONES = str.maketrans("àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ",
                       "aaaaaăăăăăâââââeeeeeêêêêêiiiiioooooôôôôôơơơơơuuuuuưưưưưyyyyy")


def ocr_noise(text: str, rate: float = 0.02, seed: int = 1) -> str:
    """What a scan's OCR does to a text: a tone mark lost here, a first letter cut there."""
    rnd = random.Random(seed)

    def slip(m: re.Match) -> str:
        w = m.group(0)
        if rnd.random() >= rate:
            return w
        return w.translate(_TONES) if rnd.random() < 0.5 and w.translate(_TONES) != w else w[1:] or w

    return re.sub(r"[^\W\d_]{2,}", slip, text)


def rewrite(text: str, share: float, seed: int = 2) -> str:
    """Another directive of the same kind: SHARE of its lines written differently."""
    rnd = random.Random(seed)
    lines = text.splitlines()
    for i in rnd.sample(range(len(lines)), int(len(lines) * share)):
        lines[i] = f"Nội dung khác số {i}: " + " ".join(reversed(lines[i].split()))
    return "\n".join(lines)


def copy_of(make_processed, *, name: str, text: str, source: str = "text", kind: str = "pdf", **kw):
    """A Processed whose reader read TEXT (source: text = born-digital, ocr = a scan, docx)."""
    from extractors.types import Block

    p = make_processed(name=name, content=name, **kw)
    p.document.kind = kind
    for page in p.document.pages:
        page.source = source
        page.blocks = []
    p.document.pages[0].blocks = [Block(text=text, page=1, source=source)]
    return p


DRAFT = dict(number=None, issued_on=None, title="Về tăng cường thực hiện Đề án 06")


# ---------------------------------------------------------------- the rules (pure)

def test_similarity_tells_a_scan_from_another_directive():
    text = sample_text()
    a, scan, other = text_sketch(text), text_sketch(ocr_noise(text)), text_sketch(rewrite(text, 0.2))
    exact = lambda x, y: len(x & y) / len(x | y)  # noqa: E731
    assert similarity(a, scan) >= SAME_TEXT > similarity(a, other)
    assert abs(similarity(a, scan) - exact(shingle_hashes(text), shingle_hashes(ocr_noise(text)))) < 0.03
    assert similarity(a, a) == 1.0 and Sketch.decode(a.encode()).hashes == a.hashes
    # tone placement, case and punctuation are not differences
    assert similarity(text_sketch("Hòa bình, THỦY lợi: " * 20), text_sketch("hoà bình thuỷ lợi " * 20)) == 1.0


def test_header_rules():
    d = dt.date(2024, 3, 1)
    ct = Identity.of(number_key="08-ct/tu", issued_on=d, issuer="Tỉnh ủy Tiền Giang", type="Chỉ thị")
    assert same_directive(ct, None, Identity.of(number_key="08-ct/tu", issued_on=d, issuer="TỈNH ỦY TIỀN GIANG",
                                                type=None), None)[:2] == (True, "header")
    s = text_sketch(sample_text())
    # a Party number restarts each term: another date is another directive, however alike the texts
    other_term = Identity.of(number_key="08-ct/tu", issued_on=dt.date(2021, 3, 1), issuer="Tỉnh ủy Tiền Giang", type=None)
    assert same_directive(ct, s, other_term, s)[0] is False
    # the date unread on one copy: the texts decide
    no_date = Identity.of(number_key="08-ct/tu", issued_on=None, issuer="Tỉnh ủy Tiền Giang", type="Chỉ thị")
    assert same_directive(ct, s, no_date, s)[:2] == (True, "text")
    assert same_directive(ct, s, no_date, text_sketch(rewrite(sample_text(), 0.3)))[0] is False
    # another issuer, another number: different, whatever the text
    assert same_directive(ct, s, Identity.of(number_key="08-ct/tu", issued_on=d, issuer="Tỉnh ủy Hà Tĩnh", type=None), s)[0] is False
    assert same_directive(ct, s, Identity.of(number_key="09-ct/tu", issued_on=None, issuer=None, type=None), s)[0] is False


def test_copy_kinds_and_ranks(make_processed):
    assert copy_kind_of(copy_of(make_processed, name="a.pdf", text="x").document) == "digital"
    assert copy_kind_of(copy_of(make_processed, name="a.pdf", text="x", source="ocr").document) == "scan"
    assert copy_kind_of(copy_of(make_processed, name="a.docx", text="x", source="docx", kind="docx").document) == "docx"
    assert copy_rank("digital", "pdf", False) > copy_rank("docx", "docx", True) > copy_rank("scan", "pdf", True)
    assert copy_rank("scan", "pdf", True) > copy_rank("scan", "pdf", False)
    assert copy_rank(None, "pdf", True) == copy_rank("digital", "pdf", True)   # rows stored before 0006


# ---------------------------------------------------------------- in the register

def _docs(session):
    return {d.id: d for d in session.execute(select(Document)).scalars()}


def test_scan_after_digital_is_a_version_and_changes_nothing(db_session, make_processed):
    text = sample_text()
    first = ingest_processed(db_session, copy_of(make_processed, name="qd.pdf", text=text))
    ids = [o.id for o in list_obligations(db_session)]
    scan = ingest_processed(db_session, copy_of(make_processed, name="qd-scan.pdf", text=ocr_noise(text), source="ocr"))
    assert scan.status == "version" and scan.version_of == first.document_id and scan.obligations == 5
    assert not scan.copy.promoted and scan.copy.source_file == "qd.pdf" and scan.copy.source_kind == "digital"
    assert [o.id for o in list_obligations(db_session)] == ids
    c = counts(db_session)
    assert (c["documents"], c["versions"], c["obligations"]) == (1, 1, 5)
    data = export_register(db_session)
    assert [(d["id"], d["source_file"]) for d in data["documents"]] == [(first.document_id, "qd.pdf")]
    assert [c["source_file"] for c in data["documents"][0]["copies"]] == ["qd.pdf", "qd-scan.pdf"]


def test_digital_after_scan_becomes_the_source_and_staff_work_survives(db_session, make_processed):
    text = sample_text()
    scan_obls = [{"text": "Công an tỉnh chủ trì triển khai cấp tài khoản định danh điện tử", "lead_units": ["Công an tỉnh"]},
                 {"text": "Sở Tư pháp báo cáo kết qủa thực hiện hằng tháng", "lead_units": ["Sở Tư pháp"]},
                 {"text": "Nhiệm vụ do OCR đọc sai hoàn toàn", "lead_units": []},
                 {"text": "Một dòng rác của con dấu", "lead_units": []}]
    scan = ingest_processed(db_session, copy_of(make_processed, name="qd-scan.pdf", text=ocr_noise(text),
                                                source="ocr", obligations=scan_obls))
    ids = [o.id for o in list_obligations(db_session)]
    set_status(db_session, obligation_id=ids[0], status="done", note="Đã xong", who="clerk")
    edit_obligation(db_session, obligation_id=ids[1], lead_units=["Sở Tư pháp", "Công an tỉnh"], who="clerk")
    set_status(db_session, obligation_id=ids[2], status="in_progress", who="clerk")
    digital_obls = [{"text": "Công an tỉnh chủ trì triển khai cấp tài khoản định danh điện tử", "lead_units": ["Công an tỉnh"]},
                    {"text": "Sở Tư pháp báo cáo kết quả thực hiện hằng tháng", "lead_units": ["Sở Tư pháp"],
                     "deadline": {"raw": "hằng tháng", "recurrence": "monthly"}},
                    {"text": "Sở Y tế triển khai sổ sức khỏe điện tử", "lead_units": ["Sở Y tế"]}]
    digital = ingest_processed(db_session, copy_of(make_processed, name="qd.pdf", text=text, obligations=digital_obls))
    assert digital.status == "version" and digital.copy.promoted
    assert digital.copy.previous_file == "qd-scan.pdf" and digital.copy.source_file == "qd.pdf"
    docs = _docs(db_session)
    assert docs[digital.document_id].version_of is None
    assert docs[scan.document_id].version_of == digital.document_id
    after = {o.id: o for o in list_obligations(db_session)}
    # the same task (exact text, then a better reading of it) keeps its id and the staff's data
    assert after[ids[0]].status == "done" and after[ids[0]].note == "Đã xong"
    assert after[ids[1]].text == "Sở Tư pháp báo cáo kết quả thực hiện hằng tháng"
    assert after[ids[1]].deadline_recurrence == "monthly"
    assert after[ids[1]].lead_units == ["Sở Tư pháp", "Công an tỉnh"] and "lead_units" in after[ids[1]].corrected_fields
    # gone from the better copy: kept when staff worked on it, flagged; dropped otherwise
    assert after[ids[2]].status == "in_progress" and STALE_FLAG in after[ids[2]].flags
    assert ids[3] not in after
    assert all(o.document_id == digital.document_id for o in after.values())
    assert len(after) == 4 and sum(1 for o in after.values() if o.text.startswith("Sở Y tế")) == 1
    assert [h.kind for h in history(db_session, obligation_id=ids[1])] == ["edit", "reextract"]
    assert "qd.pdf" in history(db_session, obligation_id=ids[1])[-1].note
    c = counts(db_session)
    assert (c["documents"], c["versions"]) == (1, 1)
    assert [d["source_file"] for d in export_register(db_session)["documents"]] == ["qd.pdf"]
    # a third, worse copy hangs off the document's row, and changes nothing
    before = [(o.id, o.status, o.text) for o in list_obligations(db_session)]
    again = ingest_processed(db_session, copy_of(make_processed, name="qd-scan2.pdf", text=ocr_noise(text, seed=3),
                                                 source="ocr", obligations=scan_obls))
    assert again.status == "version" and again.version_of == digital.document_id and not again.copy.promoted
    assert [(o.id, o.status, o.text) for o in list_obligations(db_session)] == before


def test_among_equals_the_later_copy_gives_the_obligations(db_session, make_processed):
    text = sample_text()
    a = ingest_processed(db_session, copy_of(make_processed, name="scan-1.pdf", text=ocr_noise(text, seed=4), source="ocr"))
    oid = list_obligations(db_session)[0].id
    set_status(db_session, obligation_id=oid, status="done")
    b = ingest_processed(db_session, copy_of(make_processed, name="scan-2.pdf", text=ocr_noise(text, seed=5), source="ocr"))
    assert b.copy.promoted and _docs(db_session)[a.document_id].version_of == b.document_id
    assert get_obligation(db_session, id=oid).status == "done" and counts(db_session)["obligations"] == 5


def test_draft_and_signed_copy_are_one_document(db_session, make_processed):
    text = sample_text()
    draft_text = text.replace("Số: 415/QĐ-UBND", "Số: /QĐ-UBND").replace("ngày 20 tháng 02", "ngày tháng 02")
    draft = ingest_processed(db_session, copy_of(make_processed, name="qd-draft.docx", text=draft_text, source="docx",
                                                 kind="docx", **DRAFT))
    signed = ingest_processed(db_session, copy_of(make_processed, name="qd-signed.pdf", text=text, number="415/QĐ-UBND"))
    assert signed.status == "version" and signed.copy.promoted and signed.copy.how == "text"
    assert counts(db_session)["documents"] == 1 and counts(db_session)["obligations"] == 5
    assert _docs(db_session)[draft.document_id].version_of == signed.document_id
    # the draft arriving after its signed copy: a copy, nothing changes
    draft2 = ingest_processed(db_session, copy_of(make_processed, name="qd-draft-2.docx", text=draft_text + " sửa",
                                                  source="docx", kind="docx", **DRAFT))
    assert draft2.status == "version" and not draft2.copy.promoted


def test_similar_directives_with_other_headers_stay_apart(db_session, make_processed):
    text = sample_text()
    ingest_processed(db_session, copy_of(make_processed, name="bc-10.docx", text=text, source="docx", kind="docx", **DRAFT))
    # next month's report: same issuer, no number, no date, much of the text alike
    nxt = ingest_processed(db_session, copy_of(make_processed, name="bc-11.docx", text=rewrite(text, 0.25),
                                               source="docx", kind="docx", **DRAFT))
    assert nxt.status == "new"
    # the same text under another number, another date (a Party number of another term), another
    # issuer: another directive
    ct = sample_text("ct-12-tu-quang-ngai")
    for name, kw in (("ct.pdf", {}), ("a.pdf", {"number": "09-CT/TU"}), ("b.pdf", {"issued_on": dt.date(2021, 1, 5)}),
                     ("c.pdf", {"issuer": "Tỉnh ủy Gia Lai"})):
        assert ingest_processed(db_session, copy_of(make_processed, name=name, text=ct, **kw)).status == "new"
    assert counts(db_session)["documents"] == 6 and counts(db_session)["versions"] == 0


def test_citations_follow_the_document_to_its_better_copy(db_session, make_processed):
    text = sample_text()
    scan = ingest_processed(db_session, copy_of(make_processed, name="ct-scan.pdf", text=ocr_noise(text), source="ocr"))
    plan = ingest_processed(db_session, make_processed(name="kh.pdf", number="12/KH-UBND", content="kh",
                                                       citations=[("08-CT/TU", "implements", "Chỉ thị", dt.date(2024, 3, 1))]))
    cit = db_session.execute(select(Citation).where(Citation.from_document == plan.document_id)).scalar_one()
    assert cit.to_document == scan.document_id
    digital = ingest_processed(db_session, copy_of(make_processed, name="ct.pdf", text=text))
    db_session.expire_all()
    assert db_session.get(Citation, cit.id).to_document == digital.document_id
    assert not db_session.execute(select(Citation).where(Citation.from_document == scan.document_id)).scalars().all()


def test_bands_are_indexed_and_a_copy_is_found_without_its_number(db_session, make_processed):
    text = sample_text()
    a = ingest_processed(db_session, copy_of(make_processed, name="qd.pdf", text=text, number="415/QĐ-UBND"))
    assert len(db_session.execute(select(CopyBand).where(CopyBand.document_id == a.document_id)).scalars().all()) == 12
    # the scan's number unread (handwritten): found by its text
    b = ingest_processed(db_session, copy_of(make_processed, name="qd-scan.pdf", text=ocr_noise(text), source="ocr",
                                             number=None))
    assert b.status == "version" and b.copy.how == "text" and b.copy.similarity >= SAME_TEXT


def test_reextracting_a_copy_leaves_the_obligations_alone(db_session, make_processed):
    text = sample_text()
    ingest_processed(db_session, copy_of(make_processed, name="qd.pdf", text=text))
    scan = ingest_processed(db_session, copy_of(make_processed, name="qd-scan.pdf", text=ocr_noise(text), source="ocr"))
    before = [(o.id, o.text) for o in list_obligations(db_session)]
    r = reextract(db_session, document_id=scan.document_id,
                  processed=copy_of(make_processed, name="qd-scan.pdf", text=ocr_noise(text), source="ocr",
                                    obligations=[{"text": "Khác hẳn"}]))
    assert "copy of document" in r.message
    assert [(o.id, o.text) for o in list_obligations(db_session)] == before


def test_same_bytes_as_a_copy_is_a_duplicate_of_it(db_session, make_processed):
    text = sample_text()
    head = ingest_processed(db_session, copy_of(make_processed, name="qd.pdf", text=text))
    scan = copy_of(make_processed, name="qd-scan.pdf", text=ocr_noise(text), source="ocr")
    ingest_processed(db_session, scan)
    again = ingest_processed(db_session, scan)
    assert again.status == "duplicate" and again.version_of == head.document_id and again.obligations == 5
    assert head.document_id in again.message


@pytest.mark.parametrize("order", ["digital-first", "scan-first"])
def test_two_copies_stored_at_once_make_one_document(db_url, make_processed, order):
    """Two workers storing two copies of one directive at the same moment: one document."""
    import threading

    from models.register import open_session

    text = sample_text()
    ps = [copy_of(make_processed, name="qd.pdf", text=text),
          copy_of(make_processed, name="qd-scan.pdf", text=ocr_noise(text), source="ocr")]
    if order == "scan-first":
        ps.reverse()
    barrier, outs = threading.Barrier(2), []

    def store(p):
        with open_session(db_url) as s:
            barrier.wait(10)
            outs.append(ingest_processed(s, p).status)

    threads = [threading.Thread(target=store, args=(p,)) for p in ps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outs) == ["new", "version"]
    with open_session(db_url) as s:
        c = counts(s)
        assert (c["documents"], c["versions"], c["obligations"]) == (1, 1, 5)
        assert [d["source_file"] for d in export_register(s)["documents"]] == ["qd.pdf"]


def test_documents_and_show_list_the_copies_under_their_document(db_url, make_processed):
    from typer.testing import CliRunner

    from app.cli import app
    from models.register import open_session

    text = sample_text()
    with open_session(db_url) as s:
        head = ingest_processed(s, copy_of(make_processed, name="qd.pdf", text=text))
        scan = ingest_processed(s, copy_of(make_processed, name="qd-scan.pdf", text=ocr_noise(text), source="ocr"))
        ingest_processed(s, copy_of(make_processed, name="other.pdf", text=sample_text("tb-87-thai-binh"), number="87/TB-UBND"))
    run = CliRunner().invoke
    out = run(app, ["--db", db_url, "documents"]).output
    first, rows = out.splitlines()[0], out.splitlines()[4:]
    assert first.startswith("2 văn bản: 2 xong (done)") and "1 bản sao" in first, out
    at = next(i for i, r in enumerate(rows) if head.document_id in r)
    assert "└" in rows[at + 1] and scan.document_id in rows[at + 1] and "bản quét/ảnh" in rows[at + 1]
    shown = run(app, ["--db", db_url, "show", head.document_id]).output
    assert "qd-scan.pdf" in shown and "nguồn nghĩa vụ" in shown and shown.count(" open ") == 5
    copy = run(app, ["--db", db_url, "show", scan.document_id]).output
    assert f"chidao show {head.document_id}" in copy and "bản sao" in copy


def test_the_ingest_line_says_whose_copy_and_where_the_tasks_come_from(db_session, make_processed):
    """`chidao ingest`'s line for a copy (flows.steps.FileResult), in Vietnamese, with a command to paste."""
    from flows.steps import FileResult, settle_stored

    text = sample_text()
    scan_p = copy_of(make_processed, name="qd-scan.pdf", text=ocr_noise(text), source="ocr", number="415/QĐ-UBND",
                     type="Quyết định")
    scan = ingest_processed(db_session, scan_p)
    digital_p = copy_of(make_processed, name="qd.pdf", text=text, number="415/QĐ-UBND", type="Quyết định")
    digital = ingest_processed(db_session, digital_p)
    again_p = copy_of(make_processed, name="qd-scan-2.pdf", text=ocr_noise(text, seed=9), source="ocr",
                      number="415/QĐ-UBND", type="Quyết định")
    again = ingest_processed(db_session, again_p)
    lines = []
    for out, p in ((digital, digital_p), (again, again_p)):
        r = FileResult(path=p.document.source_file, status="error")
        settle_stored(r, out, p, "sqlite:////tmp/r.db")
        lines.append(r.line())
    assert lines[0].startswith("qd.pdf: bản sao của văn bản đã có: Quyết định 415/QĐ-UBND (cùng số, ngày và cơ quan ban hành)")
    assert "bản này là bản điện tử (PDF), tốt hơn bản quét/ảnh qd-scan.pdf, nên từ nay 5 nghĩa vụ lấy từ qd.pdf" in lines[0]
    assert f"mã văn bản nay là {digital.document_id}" in lines[0]
    assert lines[0].endswith(f"xem: chidao --db sqlite:////tmp/r.db show {digital.document_id} (0.0 giây)")
    assert "5 nghĩa vụ vẫn lấy từ bản điện tử (PDF) qd.pdf, bản này chỉ được lưu kèm" in lines[1]
    assert scan.document_id != digital.document_id
