"""A real browser (Debian's Chromium through Playwright) on the views of the whole register: the
directive tree (expand a node, its counts), the dashboard (charts drawn, counts equal to the
summary), sorting a table by clicking its header, the pages at a phone's 390 px, and a passage
printed over several lines (and a page break) highlighted line by line."""
from __future__ import annotations

import time

import pytest

import staff_register as sr
from tests.tools import require_program
from tests.web.test_web_views import PASSAGE, PASSAGE_LINES

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
# pixels of the highlight's fill (255, 221, 0 at 35 %) over the white page
YELLOW_ROWS = """img => {
  const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data; let rows = 0;
  for (let y = 0; y < c.height; y++) { let n = 0;
    for (let x = 0; x < c.width; x++) { const k = (y * c.width + x) * 4;
      if (d[k] > 245 && Math.abs(d[k + 1] - 243) < 14 && Math.abs(d[k + 2] - 165) < 24) n++; }
    if (n >= 40) rows++; }
  return rows; }"""

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def chromium() -> str:
    return require_program("chromium")


@pytest.fixture
def server(tmp_path, live):
    """The staff register and a plan whose task 3 is printed over five lines and a page break."""
    from app.web.main import create_app
    from models.register import ingest_processed, open_session

    url = f"sqlite:///{tmp_path}/r.db"
    ids = sr.build(tmp_path / "files", url)
    pdf = sr.write_pdf(tmp_path / "files" / "kh-77.pdf", PASSAGE_LINES)
    p = sr.processed(pdf, number="77/KH-UBND", type_="Kế hoạch", title="Về dữ liệu dùng chung", pages=2,
                     obligations=[sr.make_obligation(PASSAGE, lead=["Sở Thông tin và Truyền thông"], ref="3", page=1)])
    with open_session(url) as session:
        ids["long"] = ingest_processed(session, p, source_path=str(pdf)).document_id
    app = create_app(db_url=url, intake=tmp_path / "intake", today=sr.TODAY, read_uploads=False)
    return live(app), url, ids


def _column(page, table: str, col: int) -> list[str]:
    return [t.strip() for t in page.locator(f"{table} tbody tr td:nth-child({col})").all_inner_texts()]


def _loaded(img) -> None:
    for _ in range(200):          # our CSP forbids eval, so poll instead of wait_for_function
        if img.evaluate("e => e.complete && e.naturalWidth"):
            return
        time.sleep(0.1)


def test_tree_dashboard_and_sorting(chromium, server):
    from playwright.sync_api import sync_playwright

    from models.owes import summary_scan
    from models.register import open_session

    base, url, ids = server
    with open_session(url) as session:
        expected = {r.unit: (r.open, r.overdue, r.done) for r in summary_scan(session, today=sr.TODAY) if r.open or r.done}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # the tree: from the nav, the top directive chosen; the plan's node closed until clicked
            page.goto(base + "/dashboard")
            page.click("header nav a[href='/tree']")
            page.wait_for_selector("#tree")
            assert page.input_value("#root") == "06/QĐ-TTg"
            plan = page.locator(f"details.tree-node[data-key='doc:{ids['kh']}']")
            assert plan.get_attribute("open") is None
            first_task = plan.locator("table.tasks").first
            assert not first_task.is_visible()
            plan.locator(":scope > summary .counts").click()         # not the link: the row opens
            assert plan.get_attribute("open") is not None and first_task.is_visible()
            counts = plan.locator(":scope > summary .counts").inner_text()
            assert "7 chưa xong" in counts and "2 quá hạn" in counts and "0 đã xong" in counts
            assert "Triển khai định danh" in first_task.inner_text()
            page.locator(f"details.tree-node[data-key='doc:{ids['cv']}'] > summary .counts").click()
            page.get_by_role("link", name="Hướng dẫn người dân cài đặt ứng dụng VNeID").click()
            page.wait_for_url(f"**/obligations/*")
            assert "Hướng dẫn người dân cài đặt ứng dụng VNeID" in page.inner_text("#ob-text")
            # the dashboard: one bar per unit with the summary's counts, the months chart drawn
            page.click("header nav a[href='/dashboard']")
            page.wait_for_selector("#unit-chart svg rect")
            bars = page.locator("#unit-chart .unit-bar")
            shown = {bars.nth(i).get_attribute("data-unit"): tuple(int(bars.nth(i).get_attribute(f"data-{k}"))
                                                                   for k in ("open", "overdue", "done"))
                     for i in range(bars.count())}
            assert shown == expected
            assert page.locator("#unit-chart svg rect.overdue").count() == sum(1 for c in expected.values() if c[1])
            assert page.locator("#overdue-chart g.month").count() == 12
            assert page.locator("#overdue-chart g.month").last.get_attribute("data-overdue") == "3"
            # sorting: numbers as numbers, both ways; Vietnamese text by its collation
            table = "#dashboard-units"
            before = _column(page, table, 1)
            page.click(f"{table} th:nth-child(4) button.sort")          # Đã xong, ascending
            done = [int(v) for v in _column(page, table, 4)]
            assert done == sorted(done) and _column(page, table, 1) != before
            page.click(f"{table} th:nth-child(2) button.sort")          # Chưa xong, ascending then descending
            page.click(f"{table} th:nth-child(2) button.sort")
            opened = [int(v) for v in _column(page, table, 2)]
            assert opened == sorted(opened, reverse=True) and opened[0] == 3
            assert page.get_attribute(f"{table} th:nth-child(2)", "aria-sort") == "descending"
            page.click(f"{table} th:nth-child(1) button.sort")
            names = _column(page, table, 1)
            at = [next(i for i, n in enumerate(names) if n.startswith(u)) for u in ("Công an tỉnh", "Sở Tư pháp", "Sở Y tế", "Ủy ban")]
            assert at == sorted(at), names                    # C < S < Ủ: "Ủ" sorts as U, not after every letter
            # dates sort as dates (dd/mm/yyyy), not as text: 31/03/2024 before 10/02/2025
            page.goto(base + "/units/view?" + "name=C%C3%B4ng%20an%20t%E1%BB%89nh&status=all")
            page.click("#owes th:nth-child(4) button.sort")
            due = _column(page, "#owes", 4)
            assert due[:2] == ["31/03/2024", "31/01/2025"], due
        finally:
            browser.close()


def test_phone_width_and_whole_passage_highlight(chromium, server):
    from playwright.sync_api import sync_playwright

    from models.register import open_session
    from sqlalchemy import text

    base, url, ids = server
    with open_session(url) as session:
        long_id = session.execute(text("SELECT id FROM obligations WHERE document_id = :d"), {"d": ids["long"]}).scalar_one()
        short_id = session.execute(text("SELECT id FROM obligations WHERE text LIKE 'Triển khai định danh%'")).scalar_one()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
            for path in ("/dashboard", "/tree?root=06/QĐ-TTg", "/units/view?name=C%C3%B4ng%20an%20t%E1%BB%89nh&status=all",
                         "/?q=dinh+danh", "/units", f"/obligations/{long_id}", "/documents"):
                page.goto(base + path)
                page.wait_for_load_state("load")
                if path.startswith("/tree"):                               # every branch open
                    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
                width = page.evaluate("() => document.documentElement.scrollWidth")
                assert width <= 390, (path, width)
            page.goto(base + "/dashboard")
            box = page.locator("#unit-chart .unit-bar svg").first.bounding_box()
            assert 300 <= box["width"] <= 366                              # the bar spans the phone's column
            nav = page.locator("header nav a")
            assert all(0 <= nav.nth(i).bounding_box()["x"] and nav.nth(i).bounding_box()["x"] + nav.nth(i).bounding_box()["width"] <= 390
                       for i in range(nav.count()))                        # every nav link on screen
            # the multi-line passage: five lines highlighted, over the page break
            page.set_viewport_size({"width": 1280, "height": 900})
            rows = {}
            for oid in (short_id, long_id):
                page.goto(f"{base}/obligations/{oid}")
                img = page.locator("#page-crop")
                _loaded(img)
                rows[oid] = img.evaluate(YELLOW_ROWS)
            line = rows[short_id]                       # one line of text, highlighted (the stored bbox)
            assert 15 <= line <= 45, rows
            # five lines of text (each box ~22 px: the glyphs' height, not the bbox's 20 pt), where the
            # first words alone gave one line's box
            assert rows[long_id] >= 3 * line, rows
        finally:
            browser.close()
