"""A real browser (Debian's Chromium through Playwright) on `chidao serve`'s app: search, filter,
open an obligation, mark it done with a note, export the unit's XLSX."""
from __future__ import annotations

import socket
import threading
import time

import pytest

import staff_register as sr
from tests.tools import require_program

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium (/usr/bin/chromium), found on PATH; first, so a missing browser stops
    the test before the register is built."""
    return require_program("chromium")


@pytest.fixture
def server(tmp_path):
    import uvicorn
    from app.web.main import create_app

    url = f"sqlite:///{tmp_path}/r.db"
    sr.build(tmp_path / "files", url)
    app = create_app(db_url=url, intake=tmp_path / "intake", today=sr.TODAY)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", url
    srv.should_exit = True
    th.join(10)


def test_clerk_flow(chromium, server, tmp_path):
    from openpyxl import load_workbook
    from playwright.sync_api import sync_playwright

    base, url = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
            page.goto(base + "/")
            page.fill("input[name=q]", "dinh danh")
            page.click("form.search button[type=submit]")
            page.wait_for_selector("#results")
            assert page.locator("#results tbody tr").count() == 3
            # filter: only what Công an tỉnh leads
            page.fill("#unit", "Công an tỉnh")
            page.select_option("#role", "lead")
            page.click("form.search button[type=submit]")
            page.wait_for_selector("#results")
            assert page.locator("#results tbody tr").count() == 2
            # open the overdue one
            page.click("#results tbody tr.overdue td:nth-child(2) a")
            page.wait_for_selector("#ob-text")
            assert "Triển khai định danh" in page.inner_text("#ob-text")
            img = page.locator("#page-img")
            for _ in range(100):        # our CSP forbids eval, so poll instead of wait_for_function
                if img.evaluate("e => e.complete && e.naturalWidth"):
                    break
                time.sleep(0.1)
            assert img.evaluate("e => e.naturalWidth") > 100
            assert "#page=1" in page.get_attribute("#open-pdf", "href")
            # mark it done with a note
            page.select_option("#new-status", "done")
            page.fill("#note", "Đã triển khai xong, báo cáo số 12/BC-CAT")
            page.fill("#who", "Nguyễn Văn A")
            page.click("#status-form button[type=submit]")
            page.wait_for_selector("#history")
            assert "Đã hoàn thành" in page.inner_text("#ob-status")
            assert "báo cáo số 12/BC-CAT" in page.inner_text("#history")
            page.screenshot(path=str(tmp_path / "obligation.png"), full_page=True)
            # the unit's list, exported as XLSX
            page.goto(base + "/units")
            page.click("#summary a:text('Công an tỉnh')")
            page.wait_for_selector("#owes")
            assert page.locator("#owes tbody tr").count() == 2     # the done task left the open list
            with page.expect_download() as info:
                page.click("#export-xlsx")
            dl = info.value
            target = tmp_path / dl.suggested_filename
            dl.save_as(target)
        finally:
            browser.close()
    assert target.suffix == ".xlsx"
    wb = load_workbook(target)
    ws = wb[wb.sheetnames[0]]
    assert ws.cell(3, 2).value == "Nội dung nhiệm vụ"
    assert [ws.cell(r, 2).value[:13] for r in (4, 5)] == ["Cấp tài khoản", "Tổ chức hòa g"]
