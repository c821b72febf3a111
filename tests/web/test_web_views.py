"""The web's views of the register as a whole, through FastAPI's TestClient: the dashboard counts
what `chidao summary` counts, the directive tree is the CLI's, overdue over time follows the
status history, a multi-line passage is found line by line (over a page break too), and a
DOCX task shows its paragraph."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient

import staff_register as sr

BASE = "http://127.0.0.1"
# A passage printed over three lines at the foot of page 1 and two at the top of page 2.
PASSAGE_LINES = [["KẾ HOẠCH số 77/KH-UBND", "", "", "3. Giao Sở Thông tin và Truyền thông chủ trì, phối hợp với các sở,",
                  "ban, ngành và Ủy ban nhân dân các huyện xây dựng nền tảng tích hợp, chia sẻ",
                  "dữ liệu dùng chung của tỉnh, kết nối với Cơ sở dữ liệu quốc gia về dân cư,"],
                 ["2", "bảo đảm an toàn thông tin theo cấp độ; hoàn thành và đưa vào vận hành",
                  "trước ngày 30/6/2025.", "", "4. Giao Sở Y tế kiểm tra an toàn thực phẩm."]]
PASSAGE = " ".join(PASSAGE_LINES[0][3:] + PASSAGE_LINES[1][1:3])


def _client(url, tmp_path, **kw):
    from app.web.main import create_app

    app = create_app(db_url=url, intake=tmp_path / "intake", read_uploads=False, **kw)
    return TestClient(app, base_url=BASE, headers={"Origin": BASE})


@pytest.fixture
def site(tmp_path):
    url = f"sqlite:///{tmp_path}/r.db"
    ids = sr.build(tmp_path / "files", url)
    return url, ids


def test_dashboard_counts_what_summary_counts(site, tmp_path):
    """Per unit, the dashboard's bars and table say what `chidao summary --json` and the
    register's full count (summary_scan) say, on the same day."""
    from typer.testing import CliRunner

    from app.cli import app
    from models.owes import summary_scan
    from models.register import open_session

    url, _ = site
    today = dt.date.today()                 # the CLI counts on the clock's day: so does this app
    page = _client(url, tmp_path).get("/dashboard")
    assert page.status_code == 200 and 'id="unit-chart"' in page.text and 'id="overdue-chart"' in page.text
    bars = {m[0]: tuple(map(int, m[1:])) for m in re.findall(
        r'class="unit-bar" data-unit="([^"]+)" data-open="(\d+)" data-overdue="(\d+)" data-done="(\d+)"', page.text)}
    table = {m[0]: tuple(map(int, m[1:])) for m in re.findall(
        r'<tr data-unit="([^"]+)">.*?<td class="num">(\d+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td>',
        page.text.split('id="dashboard-units"')[1], re.S)}
    cli = CliRunner().invoke(app, ["--db", url, "summary", "--json"])
    assert cli.exit_code == 0, cli.output
    said = {d["unit"]: (d["open"], d["overdue"], d["done"]) for d in json.loads(cli.stdout)}
    with open_session(url) as session:
        scan = {r.unit: (r.open, r.overdue, r.done) for r in summary_scan(session, today=today)}
    assert said == scan and len(said) >= 6
    assert table == said
    assert bars == {u: c for u, c in said.items() if sum(c)}
    assert said["Công an tỉnh"][0] == 3 and said["Sở Y tế"][2] == 1      # the staff register's known counts


def test_overdue_over_time_follows_the_status_history(site, tmp_path):
    """The food check (due 30/11/2024) done on 5/1/2025 was overdue at December's end; done on
    5/12/2024, it was not.  The last point is today's count of distinct overdue tasks."""
    from sqlalchemy import text

    from models.overdue_history import overdue_series
    from models.register import open_session
    from models.search import search

    url, _ = site

    def done_on(day: dt.date) -> dict:
        with open_session(url) as session:
            oid = session.execute(text("SELECT id FROM obligations WHERE text LIKE 'Kiểm tra an toàn%'")).scalar_one()
            session.execute(text("UPDATE status_history SET at = :at WHERE obligation_id = :o AND kind = 'status'"),
                            {"at": dt.datetime.combine(day, dt.time(9)), "o": oid})
            session.commit()
            return {p.day: p.overdue for p in overdue_series(session, today=sr.TODAY, months=4)}

    late = done_on(dt.date(2025, 1, 5))
    assert list(late) == [dt.date(2024, 10, 31), dt.date(2024, 11, 30), dt.date(2024, 12, 31), sr.TODAY]
    # Nov 30: PL.1 (due 31/03/2024) and the monthly report (day 22); the food check is due that day
    assert late[dt.date(2024, 11, 30)] == 2
    # Dec 31: those two and the food check, still open then; Y tế's task due 31/12 not yet
    assert late[dt.date(2024, 12, 31)] == 3
    early = done_on(dt.date(2024, 12, 5))
    assert early[dt.date(2024, 12, 31)] == 2 and early[dt.date(2024, 11, 30)] == 2
    with open_session(url) as session:
        now = {h.obligation_id for h in search(session, overdue=True, limit=1000, today=sr.TODAY).hits}
    assert early[sr.TODAY] == late[sr.TODAY] == len(now) == 3
    page = _client(url, tmp_path, today=sr.TODAY).get("/dashboard").text
    assert f'data-day="{sr.TODAY.isoformat()}" data-overdue="3"' in page


def test_tree_page_is_the_cli_tree(site, tmp_path):
    from typer.testing import CliRunner

    from app.cli import app

    url, ids = site
    c = _client(url, tmp_path, today=sr.TODAY)
    home = c.get("/tree")
    assert home.status_code == 200 and '<option value="06/QĐ-TTg" selected>' in home.text     # the top one first
    assert '<a href="/tree"' in home.text                                                     # linked from the nav
    page = c.get("/tree", params={"root": "06/QĐ-TTg"}).text
    nodes = re.findall(r'<details class="tree-node" data-key="([^"]+)" data-depth="(\d)"', page)
    assert nodes == [("cite:06/qd-ttg", "0"), (f"doc:{ids['kh']}", "1"), (f"doc:{ids['cv']}", "2")]
    assert f'href="/documents/{ids["cv"]}"' in page and page.count('href="/obligations/') == 7
    total = page.split('id="tree-total"')[1].split("</p>")[0]
    assert "<strong>2</strong> văn bản, <strong>7</strong> nhiệm vụ" in total
    assert re.search(r'n-open" data-n="7".*n-overdue" data-n="2".*n-done" data-n="0"', total)
    cli = CliRunner().invoke(app, ["--db", url, "graph", "--root", "06/QĐ-TTg"])
    assert cli.output.splitlines()[0].startswith("06/QĐ-TTg: 2 văn bản, 7 nhiệm vụ")
    missing = c.get("/tree", params={"root": "99/QĐ-XYZ"})
    assert missing.status_code == 404 and "«99/QĐ-XYZ» không có trong sổ" in missing.text


def test_whole_passage_is_found_line_by_line_over_a_page_break(tmp_path):
    import pypdfium2 as pdfium

    from app.web.page_image import passage_boxes, render_page

    pdf_path = sr.write_pdf(tmp_path / "kh-77.pdf", PASSAGE_LINES)
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        found = passage_boxes(pdf, 1, PASSAGE)
    finally:
        pdf.close()
    assert [(page, len(boxes)) for page, boxes in found] == [(1, 3), (2, 2)]
    tops = [round(b[1]) for b in found[0][1]]
    assert tops == sorted(tops) and tops[-1] - tops[0] >= 39          # three lines, 20 pt apart
    assert all(b[2] - b[0] > 300 for b in found[0][1])                   # whole lines, not first words
    assert found[1][1][-1][2] - found[1][1][-1][0] < 200                 # "trước ngày 30/6/2025." only
    one = render_page(pdf_path, 1, None, PASSAGE.split(",")[0], crop=True)
    both = render_page(pdf_path, 1, None, PASSAGE, crop=True)
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(both)).height > Image.open(BytesIO(one)).height + 120    # runs onto page 2


def test_docx_task_shows_its_paragraph(tmp_path):
    import docx

    from models.register import ingest_processed, open_session

    url = f"sqlite:///{tmp_path}/r.db"
    path = tmp_path / "kh-9.docx"
    d = docx.Document()
    d.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    d.add_paragraph("1. Giao Sở Nội vụ chủ trì rà soát, sắp xếp đội ngũ cán bộ, công chức cấp xã; "
                    "báo cáo Ủy ban nhân dân tỉnh trước ngày 15/3/2025.")
    d.add_paragraph("2. Các sở, ngành khác theo chức năng, nhiệm vụ phối hợp thực hiện.")
    d.save(path)
    p = sr.processed(path, number="9/KH-UBND", type_="Kế hoạch", title="Về sắp xếp cán bộ", obligations=[
        sr.make_obligation("Giao Sở Nội vụ chủ trì rà soát, sắp xếp đội ngũ cán bộ, công chức cấp xã; báo cáo "
                           "Ủy ban nhân dân tỉnh", lead=["Sở Nội vụ"], ref="1", page=None, due=dt.date(2025, 3, 15))])
    p.document.kind = "docx"
    with open_session(url) as session:
        out = ingest_processed(session, p, source_path=str(path))
        oid = session.execute(__import__("sqlalchemy").text("SELECT id FROM obligations")).scalar_one()
    assert out.status == "new"
    page = _client(url, tmp_path, today=sr.TODAY).get(f"/obligations/{oid}").text
    panel = page.split('id="docx-source"')[1].split("</div>")[0]
    assert '<p class="source-text hit">1. Giao Sở Nội vụ chủ trì rà soát' in panel
    assert '<p class="muted context">III. TỔ CHỨC THỰC HIỆN</p>' in panel and "2. Các sở, ngành khác" in panel
    path.unlink()                      # the original gone: the stored text, said so
    page = _client(url, tmp_path, today=sr.TODAY).get(f"/obligations/{oid}").text
    panel = page.split('id="docx-source"')[1]
    assert "Giao Sở Nội vụ chủ trì" in panel and "Không còn tệp gốc trên máy chủ" in panel
