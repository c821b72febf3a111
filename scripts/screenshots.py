"""Screenshots of the web's tree and dashboard at desktop (1280 px) and phone (390 px) widths,
for docs/screenshots/, taken by Debian's Chromium (/usr/bin/chromium, never a downloaded one)
on a register you name.

    .venv/bin/python scripts/screenshots.py --db sqlite:///eval.db --root 06/QĐ-TTg [--today 2026-12-07]

The register should hold real documents: the evaluation PDFs and corpus samples, e.g.
    CHIDAO_DB=sqlite:///eval.db chidao ingest ../shared/eval/pdf/seed-00?.pdf corpora/samples/pdf
Writes tree-desktop.png, tree-phone.png, dashboard-desktop.png, dashboard-phone.png (a page
taller than --max-height pixels is cut there).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import socket
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def serve(db: str, today: dt.date | None) -> str:
    """The app on a free loopback port, in a daemon thread, as `chidao serve` runs it."""
    import uvicorn

    from app.web.main import create_app

    app = create_app(db_url=db, intake=ROOT / "outputs" / "screenshots-intake", today=today, read_uploads=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(600):
        if server.started:
            return f"http://127.0.0.1:{port}"
        time.sleep(0.05)
    raise SystemExit("the web app did not start")


def save(page, path: Path, max_height: int) -> None:
    from PIL import Image

    img = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    if img.height > max_height:
        img = img.crop((0, 0, img.width, max_height))
    img.save(path, optimize=True)
    print(f"{path}: {img.width}x{img.height}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="the register, a SQLAlchemy URL")
    ap.add_argument("--root", default="06/QĐ-TTg", help="the superior directive of the tree")
    ap.add_argument("--today", type=dt.date.fromisoformat, default=None, help="the day counted from (YYYY-MM-DD)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--max-height", type=int, default=2400)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    base = serve(a.db, a.today)
    a.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=a.chromium, args=ARGS)
        try:
            for name, size in SIZES.items():
                page = browser.new_page(viewport=size)
                page.goto(f"{base}/dashboard")
                page.wait_for_selector("#overdue-chart")
                save(page, a.out / f"dashboard-{name}.png", a.max_height)
                page.goto(f"{base}/tree?" + urllib.parse.urlencode({"root": a.root}))
                page.wait_for_selector("#tree")
                first = page.locator("details.tree-node[data-depth='1'] > summary .counts").first
                if first.count():
                    first.click()              # the first plan opened: its tasks and what carries it out
                save(page, a.out / f"tree-{name}.png", a.max_height)
                page.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
