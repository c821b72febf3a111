"""An obligation's confidence in the register: stored, refreshed by re-extraction, exported,
and the order of the review list (least certain first), on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import datetime as dt
import io

from models.export import export_register, flat_rows
from models.queries import edit_obligation, get_obligation, history, list_obligations
from models.register import ingest_processed, reextract
from models.search import search

HEADING = {"code": "unit-from-heading", "text": "đơn vị lấy từ tiêu đề mục"}
OCR = {"code": "ocr-low", "text": "chữ quét mờ (độ tin cậy OCR 61%)"}
NO_UNIT = {"code": "no-unit", "text": "không xác định được đơn vị chủ trì"}


def _obligations(c0=0.62, r0=(OCR, HEADING), c3=0.45):
    return [
        {"text": "Công an tỉnh triển khai cấp tài khoản định danh điện tử cho công dân", "lead_units": ["Công an tỉnh"],
         "deadline": {"raw": "Tháng 02/2024", "due": dt.date(2024, 2, 29)},
         "confidence": c0, "confidence_reasons": list(r0)},
        {"text": "Sở Tư pháp rà soát thủ tục hành chính liên quan đến dân cư", "lead_units": ["Sở Tư pháp"],
         "deadline": {"raw": "Tháng 03/2024", "due": dt.date(2024, 3, 31)}, "confidence": 1.0},
        {"text": "Sở Tư pháp tuyên truyền về lợi ích của dữ liệu dân cư", "lead_units": ["Sở Tư pháp"]},  # never scored
        {"text": "Số hóa hồ sơ thủ tục hành chính về dân cư", "confidence": c3, "confidence_reasons": [NO_UNIT],
         "deadline": {"raw": "Tháng 04/2024", "due": dt.date(2024, 4, 30)}},
    ]


def _ingest(session, make_processed, **kw):
    out = ingest_processed(session, make_processed(obligations=_obligations(**kw)))
    return out.document_id, [o.id for o in list_obligations(session, document_id=out.document_id)]


def test_confidence_and_reasons_round_trip(db_session, make_processed):
    _, ids = _ingest(db_session, make_processed)
    got = [(o.confidence, o.confidence_reasons) for o in (get_obligation(db_session, id=i) for i in ids)]
    assert got == [(0.62, [OCR, HEADING]), (1.0, []), (None, []), (0.45, [NO_UNIT])]


def test_reextraction_refreshes_the_confidence_without_a_history_row(db_session, make_processed):
    doc_id, ids = _ingest(db_session, make_processed)
    edit_obligation(db_session, obligation_id=ids[0], lead_units=["Sở Tư pháp"], who="clerk")
    r = reextract(db_session, document_id=doc_id,
                  processed=make_processed(obligations=_obligations(c0=0.85, r0=(HEADING,), c3=0.3)))
    assert (r.updated, r.unchanged, r.added, r.removed) == (0, 4, 0, 0)   # only the certainty changed
    first, last = get_obligation(db_session, id=ids[0]), get_obligation(db_session, id=ids[3])
    assert (first.confidence, first.confidence_reasons) == (0.85, [HEADING])   # refreshed, lead still pinned
    assert first.lead_units == ["Sở Tư pháp"] and (last.confidence, last.confidence_reasons) == (0.3, [NO_UNIT])
    assert [h.kind for h in history(db_session, obligation_id=ids[0])] == ["edit"]
    assert history(db_session, obligation_id=ids[3]) == []


def test_export_carries_the_optional_confidence(db_session, make_processed):
    _ingest(db_session, make_processed)
    data = export_register(db_session)
    obls = data["documents"][0]["obligations"]
    assert [o.get("confidence") for o in obls] == [0.62, 1.0, None, 0.45]
    assert "confidence" not in obls[2] and "confidence_reasons" not in obls[2]   # unknown: left out, not null
    assert obls[0]["confidence_reasons"] == [OCR, HEADING] and obls[1]["confidence_reasons"] == []
    rows = flat_rows(data)
    assert [(r["confidence"], r["confidence_reasons"]) for r in rows] == [
        (0.62, "chữ quét mờ (độ tin cậy OCR 61%); đơn vị lấy từ tiêu đề mục"), (1.0, ""), (None, ""),
        (0.45, "không xác định được đơn vị chủ trì")]


def test_csv_export_has_the_confidence_column(db_url, make_processed):
    from typer.testing import CliRunner

    from app.cli import app
    from models.register import open_session

    with open_session(db_url) as s:
        _ingest(s, make_processed)
    r = CliRunner().invoke(app, ["export", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert [row["confidence"] for row in csv.DictReader(io.StringIO(r.stdout))] == ["0.62", "1.0", "", "0.45"]


def test_review_order_is_least_certain_first(db_session, make_processed):
    _, ids = _ingest(db_session, make_processed)
    want = [ids[3], ids[0], ids[1], ids[2]]               # 0.45, 0.62, 1.0, never scored
    assert [h.obligation_id for h in search(db_session, sort="confidence").hits] == want
    hits = search(db_session, sort="confidence", limit=2, offset=1)
    assert [h.obligation_id for h in hits.hits] == want[1:3] and hits.total == 4
    assert [(h.confidence, h.confidence_reasons) for h in hits.hits] == [(0.62, [OCR, HEADING]), (1.0, [])]
    # with words, a unit, a due-date range (computed in Python): the same order, filtered
    assert [h.obligation_id for h in search(db_session, query="dan cu", sort="confidence").hits] == \
        [ids[3], ids[1], ids[2]]
    assert [h.obligation_id for h in search(db_session, query="dan cu", unit="Sở Tư pháp", sort="confidence").hits] == \
        [ids[1], ids[2]]
    got = search(db_session, due_from=dt.date(2024, 2, 1), due_to=dt.date(2024, 3, 31), sort="confidence")
    assert [h.obligation_id for h in got.hits] == [ids[0], ids[1]] and got.total == 2
    # the default order is unchanged: by due date without words
    assert [h.obligation_id for h in search(db_session, today=dt.date(2024, 1, 1)).hits][:3] == ids[:2] + [ids[3]]


def test_an_unknown_sort_is_refused(db_session):
    import pytest

    with pytest.raises(ValueError, match="unknown sort 'random'"):
        search(db_session, sort="random")
