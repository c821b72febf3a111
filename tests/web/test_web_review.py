"""The review queue and the correction forms through FastAPI's TestClient: the queue beside the
source passage, accept, correct units / deadline / text / targets and the document's header,
Vietnamese answers to what cannot be read, nothing changed by a refused form."""
from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.web.site_client import SiteClient

import staff_register as sr


@pytest.fixture
def site(tmp_path):
    from app.web.main import create_app

    url = f"sqlite:///{tmp_path}/r.db"
    ids = sr.build(tmp_path / "files", url)
    app = create_app(db_url=url, intake=tmp_path / "intake", today=sr.TODAY)
    return SiteClient(app, base_url="http://127.0.0.1:8000", headers={"Origin": "http://127.0.0.1:8000"}), url, ids


def _row(url, oid):
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as c:
        row = dict(c.execute(text("SELECT * FROM obligations WHERE id = :i"), {"i": oid}).mappings().one())
    for k in ("lead_units", "support_units", "targets", "corrected_fields"):
        row[k] = json.loads(row[k])
    return row


def _flash(page) -> str:
    m = re.search(r'class="flash[^"]*"[^>]*>(.*?)</div>', page.text, re.S)
    return m.group(1) if m else ""


def _queue_ids(page) -> list[str]:
    return re.findall(r'class="card review-item" id="r-\w+" data-id="(\w+)"', page.text)


def test_review_queue_accept_leaves_it(site):
    c, url, ids = site
    page = c.get("/review")
    assert page.status_code == 200 and "Rà soát kết quả đọc" in page.text
    queue = _queue_ids(page)
    assert len(queue) == 9
    first = queue[0]
    assert f"/obligations/{first}/page.png?crop=1" in page.text        # beside its highlighted passage
    assert "Hạn trước ngày văn bản" in page.text
    assert c.get("/review", params={"flag": "deadline-before-document"}).text.count("review-item") == 1
    assert c.get("/review", params={"flag": "nope"}).status_code == 400
    r = c.post(f"/review/{first}/accept", data={"next": "/review?flag="}, follow_redirects=True)
    assert "ra khỏi danh sách cần rà soát" in _flash(r) and first not in _queue_ids(r)
    assert _row(url, first)["accepted_at"] is not None
    # `next` never leads off the site
    r = c.post(f"/review/{queue[1]}/accept", data={"next": "https://evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/review"


def test_correction_form_edits_through_the_register(site):
    c, url, ids = site
    oid = _row_id(url, "Cấp tài khoản%")
    page = c.get(f"/obligations/{oid}")
    assert 'id="correct-form"' in page.text and '<datalist id="unit-names">' in page.text
    assert '<option value="Sở Tư pháp">' in page.text                 # canonical units to pick from
    r = c.post(f"/obligations/{oid}/edit", data={
        "lead": ["Sở Nội vụ", ""], "support": ["Công an tỉnh", ""], "deadline": "trước ngày 30/6/2025",
        "text": "Cấp tài khoản định danh điện tử mức độ 2 cho cán bộ", "targets": "đạt 100% cán bộ", "output": "",
        "note": "sai đơn vị", "who": "Chị Lan"}, follow_redirects=True)
    assert "Đã lưu sửa đổi" in _flash(r)
    row = _row(url, oid)
    assert row["lead_units"] == ["Sở Nội vụ"] and row["support_units"] == ["Công an tỉnh"]
    assert str(row["deadline_due"]) == "2025-06-30" and row["deadline_raw"] == "trước ngày 30/6/2025"
    assert row["targets"][0]["value"] == 100 and row["text"].endswith("cho cán bộ")
    assert set(row["corrected_fields"]) >= {"lead_units", "support_units", "deadline_raw", "text", "targets"}
    assert "Sửa: " in r.text and "Chị Lan" in r.text                    # in the history
    # a recurring deadline, read by the extraction's parser
    c.post(f"/obligations/{oid}/edit", data={"lead": ["Sở Nội vụ"], "support": ["Công an tỉnh"],
                                             "deadline": "Ngày 25 hằng tháng", "text": row["text"],
                                             "targets": "đạt 100% cán bộ"})
    row = _row(url, oid)
    assert (row["deadline_recurrence"], row["deadline_day"], row["deadline_due"]) == ("monthly", 25, None)
    c.post(f"/obligations/{oid}/edit", data={"deadline": "Từ tháng 01/2025 và thực hiện thường xuyên",
                                             "text": row["text"], "targets": "đạt 100% cán bộ"})
    row = _row(url, oid)
    assert (row["deadline_recurrence"], str(row["deadline_start"]), row["deadline_day"]) == ("ongoing", "2025-01-01", None)
    assert row["lead_units"] == ["Sở Nội vụ"]                     # a form without units leaves them


@pytest.mark.parametrize("field, value, answer", [
    ("deadline", "khi nào có kinh phí", "Không hiểu thời hạn «khi nào có kinh phí»"),
    ("text", "   ", "Nội dung nhiệm vụ không được để trống"),
    ("targets", "thật nhiều", "Không đọc được chỉ tiêu «thật nhiều»"),
    ("lead", ["--"], "Tên đơn vị «--» không hợp lệ"),
])
def test_unreadable_correction_answers_in_vietnamese_and_changes_nothing(site, field, value, answer):
    c, url, ids = site
    oid = _row_id(url, "Cấp tài khoản%")
    before = _row(url, oid)
    form = {"lead": ["Sở Nội vụ"], "support": [""], "deadline": before["deadline_raw"] or "", "text": before["text"],
            "targets": "", field: value}
    r = c.post(f"/obligations/{oid}/edit", data=form, follow_redirects=True)
    assert answer in _flash(r) and 'class="flash err"' in r.text
    assert _row(url, oid) == before


def test_header_form_and_its_history(site):
    c, url, ids = site
    oid = _row_id(url, "Triển khai định danh%")
    r = c.post(f"/documents/{ids['kh']}/edit", data={"number": "46/KH-UBND", "issued_on": "21/02/2024",
                                                     "issuer": "Ủy ban nhân dân tỉnh Bình Định",
                                                     "next": f"/obligations/{oid}", "who": "Anh Minh"},
               follow_redirects=True)
    assert "Đã lưu số, ngày" in _flash(r) and 'id="doc-history"' in r.text and "46/KH-UBND" in r.text
    bad = c.post(f"/documents/{ids['kh']}/edit", data={"number": "46/KH-UBND", "issued_on": "31/02/2024",
                                                       "issuer": "Ủy ban nhân dân tỉnh Bình Định"}, follow_redirects=True)
    assert "Ngày ban hành «31/02/2024» không hợp lệ" in _flash(bad)
    assert c.post("/documents/nope/edit", data={}).status_code == 404


def test_forms_from_another_site_are_refused(site):
    c, url, ids = site
    oid = _row_id(url, "Cấp tài khoản%")
    evil = {"origin": "https://evil.example"}
    assert c.post(f"/review/{oid}/accept", data={}, headers=evil).status_code == 403
    assert c.post(f"/obligations/{oid}/edit", data={"text": "x"}, headers=evil).status_code == 403
    assert c.post(f"/documents/{ids['kh']}/edit", data={"number": "1/X"}, headers=evil).status_code == 403
    assert _row(url, oid)["accepted_at"] is None


def _row_id(url, like):
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as c:
        return c.execute(text("SELECT id FROM obligations WHERE text LIKE :l"), {"l": like}).scalar_one()


def test_nobodys_task_is_visible_everywhere(site):
    """A task whose only unit is no unit ("Đơn vị") is listed as "Chưa rõ đơn vị" in the summary,
    the review queue, the per-unit export and the register export, never silently nobody's."""
    import csv
    import io

    from openpyxl import load_workbook

    from models.export import export_register, write_csv
    from models.queries import edit_obligation
    from models.register import open_session

    c, url, ids = site
    oid = _row_id(url, "Cấp tài khoản%")
    with open_session(url) as session:
        edit_obligation(session, obligation_id=oid, lead_units=["Đơn vị"], who="t")
    summary = c.get("/units").text
    row = re.search(r'<tr><td><a href="/units/view\?name=[^"]*">Chưa rõ đơn vị</a></td><td class="num">(\d+)', summary)
    assert row and row.group(1) == "1"
    assert _queue_ids(c.get("/review", params={"unassigned": 1})) == [oid]
    assert "Chưa rõ đơn vị (1)" in c.get("/review").text
    wb = load_workbook(io.BytesIO(c.get("/units/export", params={"format": "xlsx"}).content))
    assert "Chưa rõ đơn vị" in wb.sheetnames
    with open_session(url) as session:
        data = export_register(session)
    flagged = [o["id"] for d in data["documents"] for o in d["obligations"] if o.get("unassigned")]
    assert flagged == [oid]
    buf = io.StringIO()
    write_csv(data, buf)
    rows = {r["id"]: r["unassigned"] for r in csv.DictReader(io.StringIO(buf.getvalue()))}
    assert rows[oid] == "True" and list(rows.values()).count("True") == 1


def test_an_upload_is_read_without_a_watcher(site, tmp_path):
    """The upload starts the watcher's flow in the background: a damaged PDF ends in «Không đọc
    được» with its reason in Vietnamese and the retry command that works when pasted; the retry
    button puts it back and it is read again at once."""
    import html
    import shlex

    c, url, ids = site
    r = c.post("/upload", files={"file": ("hỏng.pdf", b"%PDF-1.4 cut short", "application/pdf")}, follow_redirects=True)
    assert r.url.path == "/intake" and "đang đọc" in _flash(r)
    reader = c.app.state.site.reader
    assert reader.wait(120)
    page = c.get("/intake").text
    failed = re.search(r'id="failed".*?</table>', page, re.S).group(0)
    assert "hỏng.pdf" in failed and "tệp PDF bị hỏng" in failed
    command = html.unescape(re.search(r"<code class=\"retry\">(.*?)</code>", failed).group(1))
    intake = tmp_path / "intake"
    assert shlex.split(command) == ["chidao", "retry", str(intake.resolve()), "hỏng.pdf"]
    assert (intake / "failed" / "hỏng.pdf").read_bytes() == b"%PDF-1.4 cut short"      # the original kept
    assert 'http-equiv="refresh"' not in page                                          # nothing left to wait for
    r = c.post("/intake/retry", data={"name": "hỏng.pdf"}, follow_redirects=True)
    assert "Đã đưa hỏng.pdf vào đọc lại" in _flash(r)
    assert reader.wait(120)
    assert "hỏng.pdf" in re.search(r'id="failed".*?</table>', c.get("/intake").text, re.S).group(0)
    assert "không còn trong mục" in _flash(c.post("/intake/retry", data={"name": "nope.pdf"}, follow_redirects=True))


def test_quick_fix_on_the_review_page_changes_only_what_it_shows(site):
    c, url, ids = site
    oid = _row_id(url, "Triển khai định danh%")          # lead Công an tỉnh, support Sở Tư pháp
    page = c.get("/review")
    assert 'class="quick-form"' in page.text and '<datalist id="unit-names">' in page.text
    r = c.post(f"/obligations/{oid}/edit", data={"lead": ["Sở Nội vụ", ""], "deadline": "Quý II/2024",
                                                 "next": "/review"}, follow_redirects=True)
    assert r.url.path == "/review" and "Đã lưu sửa đổi" in _flash(r)
    row = _row(url, oid)
    assert row["lead_units"] == ["Sở Nội vụ"] and row["support_units"] == ["Sở Tư pháp"]
    assert str(row["deadline_due"]) == "2024-06-30" and "Triển khai định danh" in row["text"]
