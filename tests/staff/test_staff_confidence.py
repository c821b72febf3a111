"""The confidence as staff see it: `chidao show ID`, `chidao search --sort confidence` (the review
list, least certain first) on SQLite (the light sqlite3 path) and PostgreSQL, and the web pages."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from app.cli import app
from models.queries import list_obligations
from models.register import ingest_processed, open_session

HEADING = {"code": "unit-from-heading", "text": "đơn vị lấy từ tiêu đề mục"}
OCR = {"code": "ocr-low", "text": "chữ quét mờ (độ tin cậy OCR 61%)"}


@pytest.fixture
def ids(db_url, make_processed):
    obls = [
        {"text": "Công an tỉnh triển khai cấp tài khoản định danh điện tử cho công dân", "lead_units": ["Công an tỉnh"],
         "confidence": 0.62, "confidence_reasons": [HEADING, OCR]},
        {"text": "Sở Tư pháp rà soát thủ tục hành chính về định danh", "lead_units": ["Sở Tư pháp"],
         "confidence": 1.0},
        {"text": "Sở Y tế cập nhật dữ liệu tiêm chủng vào hệ thống định danh", "lead_units": ["Sở Y tế"],
         "confidence": 0.3, "confidence_reasons": [OCR]},
        {"text": "Sở Nội vụ số hóa hồ sơ định danh cán bộ", "lead_units": ["Sở Nội vụ"]},   # before 0007: none
    ]
    with open_session(db_url) as s:
        out = ingest_processed(s, make_processed(obligations=obls, issued_on=dt.date(2024, 1, 5)))
        return [o.id for o in list_obligations(s, document_id=out.document_id)]


def _run(*args):
    r = CliRunner().invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r.stdout


def test_show_prints_the_confidence_and_why(ids):
    lines = _run("show", ids[0]).splitlines()
    assert "confidence  62% — đơn vị lấy từ tiêu đề mục; chữ quét mờ (độ tin cậy OCR 61%)" in lines
    assert "confidence  100%" in _run("show", ids[1]).splitlines()
    assert "confidence  chưa tính (chạy chidao reextract để tính)" in _run("show", ids[3]).splitlines()


def test_search_sort_confidence_lists_the_least_certain_first(ids, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")      # rich's table, wide enough not to wrap its cells
    got = json.loads(_run("search", "dinh danh", "--sort", "confidence", "--json"))
    assert [h["obligation_id"] for h in got["hits"]] == [ids[2], ids[0], ids[1], ids[3]]
    assert [h["confidence"] for h in got["hits"]] == [0.3, 0.62, 1.0, None]
    assert got["hits"][1]["confidence_reasons"] == [HEADING, OCR]
    plain = json.loads(_run("search", "--sort", "confidence", "--json", "-n", "2"))
    assert [h["obligation_id"] for h in plain["hits"]] == [ids[2], ids[0]] and plain["total"] == 4
    table = _run("search", "--sort", "confidence")
    assert "Độ tin cậy" in table and table.index("30%") < table.index("62%") < table.index("100%")
    assert "Độ tin cậy" not in _run("search", "dinh danh")      # the usual listing keeps its columns


def test_search_refuses_an_unknown_sort(ids):
    r = CliRunner().invoke(app, ["search", "--sort", "random"])
    assert r.exit_code == 2 and "không có cách xếp --sort 'random': hãy dùng auto hoặc confidence" in r.output


def test_web_shows_the_confidence_and_sorts_by_it(db_url, ids, tmp_path):
    from fastapi.testclient import TestClient

    from app.web.main import create_app

    c = TestClient(create_app(db_url=db_url, intake=tmp_path / "intake", today=dt.date(2024, 2, 1)),
                   base_url="http://127.0.0.1:8000")
    page = c.get(f"/obligations/{ids[0]}").text
    assert ('<dt>Độ tin cậy</dt><dd id="ob-confidence">62% — đơn vị lấy từ tiêu đề mục; '
            'chữ quét mờ (độ tin cậy OCR 61%)</dd>') in page
    assert '<dd id="ob-confidence">chưa tính (cần đọc lại văn bản)</dd>' in c.get(f"/obligations/{ids[3]}").text
    review = c.get("/", params={"sort": "confidence"}).text
    assert '<option value="confidence" selected>Ít chắc chắn trước</option>' in review
    order = [review.index(f"/obligations/{i}") for i in (ids[2], ids[0], ids[1], ids[3])]
    assert order == sorted(order)
    assert '<td class="confidence" data-label="Độ tin cậy">30% — chữ quét mờ (độ tin cậy OCR 61%)</td>' in review
    usual = c.get("/", params={"sort": "bogus"}).text          # an unknown order is the usual one
    assert '<td class="confidence"' not in usual and '<option value="" selected>' in usual
