"""A real browser (Debian's Chromium through Playwright) on the review queue and the intake page:
open the least certain task from the review queue, correct its lead unit (picked from the
canonical units) and its deadline, re-extract the document, see the correction kept, accept the
task and see it leave the queue; upload a file and see it go from waiting to done."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest

import staff_register as sr
from tests.tools import require_program

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def chromium() -> str:
    return require_program("chromium")


@pytest.fixture
def server(tmp_path, live):
    from app.web.main import create_app

    url = f"sqlite:///{tmp_path}/r.db"
    ids = sr.build(tmp_path / "files", url)
    app = create_app(db_url=url, intake=tmp_path / "intake", today=sr.TODAY)
    return live(app), url, ids, app


def _reextract_ct(tmp_path, url, ids) -> None:
    """Chỉ thị 08-CT/TU read again: the reader still says Sở Y tế and 31/12/2024."""
    from models.register import open_session, reextract

    p = sr.processed(tmp_path / "files" / "ct-08-tu.pdf", number="08-CT/TU", type_="Chỉ thị",
                     title="Về tăng cường công tác y tế cơ sở", issuer="Tỉnh ủy Bình Định",
                     issued_on=dt.date(2024, 9, 9), obligations=[
                         sr.make_obligation("Nâng cao chất lượng khám chữa bệnh tuyến xã", lead=["Sở Y tế"], ref="3",
                                            page=1, due=dt.date(2024, 12, 31), flags=["deadline-before-document"]),
                         sr.make_obligation("Kiểm tra an toàn thực phẩm", lead=["Sở Y tế"], ref="4", page=1,
                                            due=dt.date(2024, 11, 30))])
    with open_session(url) as session:
        reextract(session, document_id=ids["ct"], processed=p)


def test_review_correct_reextract_accept(chromium, server, tmp_path):
    from playwright.sync_api import sync_playwright

    base, url, ids, _ = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(base + "/review")
            page.wait_for_selector("#review-list")
            first = page.locator(".review-item").first
            assert "Nâng cao chất lượng khám chữa bệnh" in first.inner_text()     # the flagged one leads
            assert "Hạn trước ngày văn bản" in first.inner_text()
            oid = first.get_attribute("data-id")
            total = page.locator(".review-item").count()
            img = first.locator("img.pageimg")
            for _ in range(100):        # our CSP forbids eval, so poll instead of wait_for_function
                if img.evaluate("e => e.complete && e.naturalWidth"):
                    break
                time.sleep(0.1)
            assert img.evaluate("e => e.naturalWidth") > 50                    # the highlighted passage
            page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
            # correct it on the review page: lead unit from the canonical list, deadline in words
            first.locator("details.quick-fix summary").click()
            assert page.locator("#unit-names option[value='Sở Nội vụ']").count() == 1
            first.locator(".quick-lead").first.fill("Sở Nội vụ")
            first.locator(".quick-deadline").fill("trong Quý I/2025")
            first.locator(".quick-save").click()
            page.wait_for_selector(".flash")
            assert "Đã lưu sửa đổi" in page.inner_text(".flash") and page.url.split("?")[0].split("#")[0].endswith("/review")
            item = page.locator(f"#r-{oid}")
            assert "Sở Nội vụ" in item.locator(".lead").inner_text()
            assert "31/03/2025" in item.locator(".deadline").inner_text()
            # the full form on the obligation's page: an unreadable deadline is refused in Vietnamese
            item.locator("a.correct").click()
            page.wait_for_selector("#correct-form")
            page.fill("#fix-deadline", "khi có kinh phí")
            page.click("#save-correction")
            page.wait_for_selector(".flash.err")
            assert "Không hiểu thời hạn" in page.inner_text(".flash.err")
            assert page.input_value("#fix-deadline") == "trong Quý I/2025"          # nothing changed
            # the document read again: the correction stays
            _reextract_ct(tmp_path, url, ids)
            page.goto(f"{base}/obligations/{oid}")
            meta = page.inner_text("dl.meta")
            assert "Sở Nội vụ" in meta and "Sở Y tế" not in meta and "31/03/2025" in meta
            assert page.input_value("#fix-deadline") == "trong Quý I/2025"
            # accept: back to the queue, without it
            page.goto(f"{base}/obligations/{oid}?from=review")
            page.click("#accept")
            page.wait_for_selector("#review-list")
            assert "ra khỏi danh sách cần rà soát" in page.inner_text(".flash")
            assert page.locator(f"#r-{oid}").count() == 0 and page.locator(".review-item").count() == total - 1
            page.goto(f"{base}/obligations/{oid}")
            history = page.inner_text("#history")
            assert "đơn vị chủ trì" in history and "Xác nhận kết quả đọc là đúng" in history
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(base + "/review")
            page.screenshot(path=str(tmp_path / "review-phone.png"), full_page=True)
        finally:
            browser.close()


def test_upload_goes_from_waiting_to_done(chromium, server, tmp_path):
    from playwright.sync_api import sync_playwright

    base, url, ids, app = server
    pdf = sr.write_pdf(tmp_path / "cv-99-ubnd.pdf", [[
        "ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH", "Số: 99/UBND-VX", "V/v kiểm tra an toàn thực phẩm",
        "Giao Sở Y tế chủ trì kiểm tra an toàn thực phẩm, hoàn thành trước ngày 30/6/2025."]])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(base + "/upload")
            page.set_input_files("input[type=file]", str(pdf))
            page.click("form button[type=submit]")
            page.wait_for_url(re.compile(r".*/intake.*"))
            assert "đang đọc" in page.inner_text(".flash")
            listed = page.inner_text("#waiting") + page.inner_text("#reading")
            assert "cv-99-ubnd.pdf" in listed or "cv-99-ubnd.pdf" in page.inner_text("#done")
            for _ in range(240):        # the page refreshes itself while something waits
                if "cv-99-ubnd.pdf" in page.inner_text("#done"):
                    break
                time.sleep(0.5)
            assert "cv-99-ubnd.pdf" in page.inner_text("#done"), page.inner_text("main")
            assert page.inner_text("#waiting").count("cv-99") == 0 and page.inner_text("#reading").count("cv-99") == 0
            page.goto(base + "/documents")
            assert "99/UBND-VX" in page.inner_text("main")
        finally:
            browser.close()
