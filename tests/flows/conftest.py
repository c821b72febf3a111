"""Fixtures for the flow tests: real PDFs (the repository's samples, or small directives
generated with reportlab + DejaVu so each has its own bytes), a register per test, and helpers
to run the CLI and the watcher as real subprocesses."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "corpora" / "samples" / "pdf"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
CLI = [sys.executable, "-m", "app.cli"]


def _fonts():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSerif", FONT))
        pdfmetrics.registerFont(TTFont("DejaVuSerif-Bold", FONT_BOLD))


def make_directive_pdf(path: Path, n: int = 1, *, pages: int = 1) -> Path:
    """A small born-digital Chỉ thị numbered n: header, two tasks with units and deadlines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _fonts()
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4)
    w, h = A4
    for p in range(pages):
        y = h - 60
        if p == 0:
            c.setFont("DejaVuSerif-Bold", 12)
            c.drawCentredString(140, y, "ỦY BAN NHÂN DÂN")
            c.drawCentredString(400, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
            c.drawCentredString(140, y - 16, "TỈNH BÌNH ĐỊNH")
            c.drawCentredString(400, y - 16, "Độc lập - Tự do - Hạnh phúc")
            c.setFont("DejaVuSerif", 12)
            c.drawCentredString(140, y - 40, f"Số: {n}/CT-UBND")
            c.drawCentredString(400, y - 40, f"Bình Định, ngày {1 + n % 28:02d} tháng 01 năm 2024")
            c.setFont("DejaVuSerif-Bold", 14)
            c.drawCentredString(w / 2, y - 80, "CHỈ THỊ")
            c.setFont("DejaVuSerif", 12)
            c.drawCentredString(w / 2, y - 98, f"Về việc tăng cường chuyển đổi số, đợt {n}")
            y -= 140
        c.setFont("DejaVuSerif", 12)
        for k, line in enumerate([
            f"{2 * p + 1}. Sở Thông tin và Truyền thông chủ trì, phối hợp với Sở Tư pháp triển khai",
            f"   hệ thống số {n}, hoàn thành trước ngày 31/12/2024.",
            f"{2 * p + 2}. Ủy ban nhân dân các huyện báo cáo kết quả thực hiện hằng quý.",
        ]):
            c.drawString(70, y - 18 * k, line)
        c.showPage()
    c.save()
    return path


@pytest.fixture
def directive_pdf(tmp_path):
    def make(name: str = "ct.pdf", n: int = 1, pages: int = 1, folder: Path | None = None) -> Path:
        return make_directive_pdf((folder or tmp_path / "src") / name, n, pages=pages)
    return make


@pytest.fixture
def sample_pdf() -> Path:
    """A born-digital sample directive of the repository (corpora/samples)."""
    p = SAMPLES / "ct-12-tu-quang-ngai.pdf"
    assert p.exists(), p
    return p


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    monkeypatch.setenv("CHIDAO_DB", url)
    return url


def run_cli(*args: str, env: dict | None = None, timeout: float = 300, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    full.pop("PREFECT_API_URL", None) if "PREFECT_API_URL" not in (env or {}) else None
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, env=full, cwd=cwd)


def register_rows(url: str) -> list[tuple]:
    """(sha256, source_file, status) of every stored document."""
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT sha256, source_file, status FROM documents"))]
    finally:
        eng.dispose()
