"""Re-extraction updates extracted fields and never touches what staff entered."""
from __future__ import annotations

import datetime as dt

from models.queries import edit_obligation, get_obligation, history, list_obligations, set_status
from models.register import STALE_FLAG, ingest_processed, reextract


def _better(make_processed, **kw):
    """The same file through a better extractor: a unit found, a deadline refined, one task more."""
    obls = [
        {"text": "Công an tỉnh chủ trì, phối hợp với Sở Tư pháp triển khai cấp tài khoản định danh điện tử",
         "lead_units": ["Công an tỉnh"], "support_units": ["Sở Tư pháp", "Sở Y tế"],
         "deadline": {"raw": "Tháng 02/2024", "due": dt.date(2024, 2, 29)}},
        {"text": "Báo cáo kết quả thực hiện về Văn phòng Ủy ban nhân dân tỉnh",
         "lead_units": ["Công an tỉnh"], "deadline": {"raw": "Ngày 22 hàng tháng", "recurrence": "monthly", "day": 22}},
        {"text": "Tuyên truyền về lợi ích của Đề án 06", "lead_units": ["Sở Thông tin và Truyền thông"],
         "deadline": {"raw": "Thường xuyên", "recurrence": "ongoing"}, "output": "Tin bài, phóng sự"},
        {"text": "Cập nhật thông tin người lao động", "ref": "PL.26", "lead_units": ["Sở Lao động - Thương binh và Xã hội"]},
        {"text": "Cập nhật thông tin người lao động", "ref": "PL.26", "lead_units": ["Sở Lao động - Thương binh và Xã hội"]},
        {"text": "Nhiệm vụ mới tìm thấy", "lead_units": ["Sở Tài chính"]},
    ]
    return make_processed(obligations=obls, **kw)


def test_status_and_note_survive_reextraction(db_session, make_processed):
    out = ingest_processed(db_session, make_processed())
    ids = [o.id for o in list_obligations(db_session)]
    set_status(db_session, obligation_id=ids[0], status="done", note="Đã cấp 95%", who="clerk")
    set_status(db_session, obligation_id=ids[2], status="in_progress")
    r = reextract(db_session, document_id=out.document_id, processed=_better(make_processed))
    assert r.added == 1 and r.removed == 0
    assert r.updated == 2  # support units of [0], output of [2]
    after = {o.id: o for o in list_obligations(db_session)}
    assert [after[i].text for i in set(after) - set(ids)] == ["Nhiệm vụ mới tìm thấy"]
    assert set(ids) <= set(after)
    assert after[ids[0]].status == "done" and after[ids[0]].note == "Đã cấp 95%"
    assert after[ids[0]].support_units == ["Sở Tư pháp", "Sở Y tế"]
    assert after[ids[2]].status == "in_progress" and after[ids[2]].output == "Tin bài, phóng sự"
    assert [h.kind for h in history(db_session, obligation_id=ids[0])] == ["status", "reextract"]


def test_corrected_field_survives_and_stays_marked(db_session, make_processed):
    out = ingest_processed(db_session, make_processed())
    oid = list_obligations(db_session)[0].id
    edit_obligation(db_session, obligation_id=oid, lead_units=["Sở Tư pháp"], deadline_due="2024-06-30", who="clerk")
    reextract(db_session, document_id=out.document_id, processed=_better(make_processed))
    o = get_obligation(db_session, id=oid)
    assert o.lead_units == ["Sở Tư pháp"]
    assert o.deadline_due == dt.date(2024, 6, 30)
    assert o.deadline_raw == "Tháng 02/2024"   # the deadline group is pinned as a whole
    assert set(o.corrected_fields) == {"lead_units", "deadline_due"}
    assert o.support_units == ["Sở Tư pháp", "Sở Y tế"]  # not corrected: updated
    assert o.extracted_values["lead_units"] == ["Công an tỉnh"]  # what the extractor says, kept aside
    assert [x.id for x in list_obligations(db_session, unit="Sở Tư pháp", role="lead")] == [oid]


def test_vanished_obligation_kept_only_with_staff_data(db_session, make_processed):
    out = ingest_processed(db_session, make_processed())
    ids = [o.id for o in list_obligations(db_session)]
    set_status(db_session, obligation_id=ids[1], status="done")
    fewer = make_processed(obligations=[{"text": "Một nhiệm vụ khác hẳn", "lead_units": ["Sở Nội vụ"]}])
    r = reextract(db_session, document_id=out.document_id, processed=fewer)
    left = {o.id: o for o in list_obligations(db_session)}
    assert sorted(o.text for o in left.values()) == ["Báo cáo kết quả thực hiện về Văn phòng Ủy ban nhân dân tỉnh",
                                                     "Một nhiệm vụ khác hẳn"]
    assert STALE_FLAG in left[ids[1]].flags and left[ids[1]].status == "done"
    assert r.kept_stale == 1 and r.removed == 4 and r.added == 1
    # it comes back in a later extraction: the flag goes
    reextract(db_session, document_id=out.document_id, processed=make_processed())
    assert STALE_FLAG not in get_obligation(db_session, id=ids[1]).flags


def test_better_ocr_text_keeps_staff_work(db_session, make_processed):
    noisy = make_processed(obligations=[{"ref": "III.2", "text": "Cong an tinh chủ trì triển khai cấp tài khoản định danh điện tư"}])
    out = ingest_processed(db_session, noisy)
    oid = list_obligations(db_session)[0].id
    set_status(db_session, obligation_id=oid, status="done")
    clean = make_processed(obligations=[{"ref": "III.2", "text": "Công an tỉnh chủ trì triển khai cấp tài khoản định danh điện tử"}])
    reextract(db_session, document_id=out.document_id, processed=clean)
    [o] = list_obligations(db_session)
    assert o.id == oid and o.status == "done"
    assert o.text == "Công an tỉnh chủ trì triển khai cấp tài khoản định danh điện tử"


def test_failed_reextraction_changes_nothing(db_session, make_processed):
    out = ingest_processed(db_session, make_processed())
    before = [(o.id, o.text) for o in list_obligations(db_session)]
    bad = make_processed(status="failed", errors=[("ocr-timeout", "OCR timed out")], obligations=[])
    r = reextract(db_session, document_id=out.document_id, processed=bad)
    assert (r.status, r.message) == ("failed", "ct-08-tu.pdf: re-extraction failed: OCR timed out; register unchanged")
    assert [(o.id, o.text) for o in list_obligations(db_session)] == before
