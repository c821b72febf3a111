"""The sample renderer: born-digital PDFs carry the source text in their text layer and lay out
appendix tables like real ones; DOCX output opens with its task table; scanned copies are
image-only and deterministic for a seed."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extractors.text import collapse_ws
from scripts import render_samples
from scripts.render_samples import SAMPLES, SRC_DIR, body_paragraphs, parse_source, plain_text

ROOT = Path(__file__).resolve().parents[2]
CT = SRC_DIR / "ct-12-tu-quang-ngai.md"
QD = SRC_DIR / "qd-415-kon-tum.md"
CV = SRC_DIR / "cv-345-ninh-thuan.md"
KH = SRC_DIR / "kh-58-ham-thuan-bac.md"


def pdf_text(path: Path) -> str:
    """Text layer, page-number lines dropped, normalised and whitespace-collapsed."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for page in pdf:
            tp = page.get_textpage()
            pages.append(tp.get_text_range())
            tp.close()
    finally:
        pdf.close()
    lines = []
    for k, p in enumerate(pages):
        page_lines = [ln for ln in p.splitlines() if ln.strip()]
        # the page number (from page 2, top centre) comes first in the content stream
        if k and page_lines and page_lines[0].strip() == str(k + 1):
            page_lines = page_lines[1:]
        lines.extend(page_lines)
    return collapse_ws("\n".join(lines))


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", collapse_ws(text).casefold())


@pytest.fixture(scope="module")
def qd_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("render") / "qd.pdf"
    return render_samples.render_digital(QD, out)


@pytest.mark.parametrize("src", [CT, QD, CV, SRC_DIR / "tb-87-thai-binh.md"], ids=lambda p: p.stem)
def test_text_layer_holds_every_body_paragraph(src, tmp_path):
    out = render_samples.render_digital(src, tmp_path / f"{src.stem}.pdf")
    text = pdf_text(out)
    for para in body_paragraphs(src):
        assert collapse_ws(para) in text, para[:80]


def test_text_layer_holds_every_word_of_the_table(qd_pdf):
    """Table cells wrap, so compare as a bag of words: nothing lost, nothing garbled."""
    from collections import Counter

    have = Counter(words(pdf_text(qd_pdf)))
    want = Counter(words(plain_text(QD)))
    missing = want - have
    assert not missing, list(missing.items())[:10]


def test_header_follows_nghi_dinh_30(tmp_path):
    out = render_samples.render_digital(CT, tmp_path / "ct.pdf")
    pdf = pdfium.PdfDocument(str(out))
    page = pdf[0]
    tp = page.get_textpage()
    w, h = page.get_width(), page.get_height()
    left = tp.get_text_bounded(left=0, bottom=h * 0.8, right=w * 0.45, top=h)
    right = tp.get_text_bounded(left=w * 0.45, bottom=h * 0.8, right=w, top=h)
    tp.close(); pdf.close()
    assert "TỈNH ỦY QUẢNG NGÃI" in left and "Số 12-CT/TU" in left
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in right and "Quảng Ngãi, ngày 14 tháng 01 năm 2025" in right


def test_appendix_header_repeats_and_long_rows_continue(qd_pdf):
    import pdfplumber

    with pdfplumber.open(qd_pdf) as pdf:
        table_pages = []
        for page in pdf.pages:
            tables = page.extract_tables()
            if tables:
                table_pages.append(tables[0])
    assert len(table_pages) == 4, "the appendix runs over four pages"
    assert [(collapse_ws(rows[0][0] or ""), collapse_ws(rows[0][-1] or "")) for rows in table_pages] == \
        [("STT", "Thời gian hoàn thành")] * 4
    continued = [rows[1] for rows in table_pages[1:] if len(rows) > 1 and not (rows[1][0] or "").strip()
                 and any((c or "").strip() for c in rows[1][1:])]
    # two long rows continue on the next page with an empty STT cell
    assert [collapse_ws(r[1] or "")[:30].strip() for r in continued] == ["dưới 6 tuổi” và “Đăng ký khai", "Thanh niên và chiến dịch thanh"]
    stt = [int(r[0]) for rows in table_pages for r in rows[1:] if (r[0] or "").strip().isdigit()]
    assert stt == list(range(1, 27))


def test_appendix_pages_are_landscape(qd_pdf):
    pdf = pdfium.PdfDocument(str(qd_pdf))
    sizes = [(round(p.get_width()), round(p.get_height())) for p in pdf]
    pdf.close()
    assert sizes[0] == (595, 842)
    assert sizes[-1] == (842, 595)


def test_digital_rendering_is_deterministic(tmp_path):
    a = render_samples.render_digital(CV, tmp_path / "a.pdf").read_bytes()
    b = render_samples.render_digital(CV, tmp_path / "b.pdf").read_bytes()
    assert a == b


# stem -> pages of its rendering; kh-58 is rendered as DOCX, its scan from that layout
PAGES = {"ct-12-tu-quang-ngai": 3, "cv-345-ninh-thuan": 2, "kh-58-ham-thuan-bac": 3, "qd-415-kon-tum": 9,
         "tb-87-thai-binh": 2}
PDF_SOURCES = [SRC_DIR / f"{stem}.md" for stem in PAGES if stem != "kh-58-ham-thuan-bac"]


def test_the_sources_are_the_ones_listed_here():
    assert sorted(p.stem for p in SRC_DIR.glob("*.md")) == list(PAGES)
    assert [p for p in sorted(SRC_DIR.glob("*.md")) if parse_source(p).output_format == "pdf"] == PDF_SOURCES


@pytest.mark.parametrize("src", PDF_SOURCES, ids=lambda p: p.stem)
def test_committed_pdfs_are_up_to_date(src, tmp_path):
    """corpora/samples/pdf was rendered from the current sources (compared by text, so a
    different reportlab version does not matter)."""
    fresh = render_samples.render_digital(src, tmp_path / f"{src.stem}.pdf")
    assert pdf_text(SAMPLES / "pdf" / f"{src.stem}.pdf") == pdf_text(fresh)


def test_docx_has_body_and_task_table(tmp_path):
    import docx
    from docx.oxml.ns import qn

    out = render_samples.render_docx(KH, tmp_path / "kh.docx")
    d = docx.Document(str(out))
    body = collapse_ws("\n".join(p.text for p in d.paragraphs))
    for para in body_paragraphs(KH):
        assert collapse_ws(para) in body, para[:80]
    task = next(t for t in d.tables if t.rows[0].cells[0].text == "STT")
    assert [c.text for c in task.rows[0].cells][-1] == "Thời gian thực hiện"
    assert len(task.rows) == 11
    assert task.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert task.rows[3].cells[2].text == "VP HĐND và UBND huyện"
    header = d.tables[0].rows[0].cells
    assert header[0].text == "ỦY BAN NHÂN DÂN\nHUYỆN HÀM THUẬN BẮC\nSố: 58/KH-UBND"
    assert header[1].text == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                              "Hàm Thuận Bắc, ngày 05 tháng 3 năm 2025")
    # reproducible bytes (fixed zip timestamps)
    assert render_samples.render_docx(KH, tmp_path / "again.docx").read_bytes() == out.read_bytes()


# ---------------------------------------------------------------- scanned copies

@pytest.fixture(scope="module")
def cv_pdf(tmp_path_factory) -> Path:
    return render_samples.render_digital(CV, tmp_path_factory.mktemp("scan") / "cv.pdf")


def _page_images(path: Path) -> list[int]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        counts = []
        for page in pdf:
            kinds = [obj.type for obj in page.get_objects()]
            counts.append(kinds.count(pdfium.raw.FPDF_PAGEOBJ_IMAGE))
            assert pdfium.raw.FPDF_PAGEOBJ_TEXT not in kinds
        return counts
    finally:
        pdf.close()


def test_scan_is_image_only(cv_pdf, tmp_path):
    out = render_samples.render_scan(cv_pdf, tmp_path / "cv-scan.pdf", seed=7, dpi=100)
    assert pdf_text(out) == ""
    assert _page_images(out) == [1, 1]


def test_scan_is_deterministic_for_a_seed(cv_pdf, tmp_path):
    a = render_samples.render_scan(cv_pdf, tmp_path / "a.pdf", seed=3, dpi=100).read_bytes()
    b = render_samples.render_scan(cv_pdf, tmp_path / "b.pdf", seed=3, dpi=100).read_bytes()
    c = render_samples.render_scan(cv_pdf, tmp_path / "c.pdf", seed=4, dpi=100).read_bytes()
    assert a == b
    assert a != c


def test_scan_has_red_seal_and_blue_stamp(cv_pdf, tmp_path):
    import numpy as np

    out = render_samples.render_scan(cv_pdf, tmp_path / "s.pdf", seed=1, dpi=100)
    pdf = pdfium.PdfDocument(str(out))
    try:
        imgs = [np.asarray(p.render(scale=100 / 72).to_pil().convert("RGB"), dtype=np.int16) for p in pdf]
    finally:
        pdf.close()

    def share(img, channel):
        others = [c for c in range(3) if c != channel]
        strong = (img[:, :, channel] - img[:, :, others].max(axis=2)) > 30
        return strong.mean()

    assert share(imgs[0], 2) > 0.0008, "blue ĐẾN stamp on page 1"
    assert share(imgs[-1], 0) > 0.001, "red seal on the signature page"
    assert share(imgs[0], 0) < share(imgs[-1], 0)


def test_the_committed_files_are_the_ones_listed_here():
    assert sorted(p.name for p in (SAMPLES / "scan").iterdir()) == [f"{stem}-scan.pdf" for stem in PAGES]
    assert sorted(p.name for p in (SAMPLES / "pdf").iterdir()) == [
        f"{stem}.docx" if stem == "kh-58-ham-thuan-bac" else f"{stem}.pdf" for stem in PAGES]


@pytest.mark.parametrize("stem", PAGES)
def test_committed_scans_are_image_only_and_small(stem):
    scan = SAMPLES / "scan" / f"{stem}-scan.pdf"
    assert _page_images(scan) == [1] * PAGES[stem]          # one image per page, as many pages as the original
    assert scan.stat().st_size <= 1_000_000 * PAGES[stem]


@pytest.mark.parametrize("src", PDF_SOURCES, ids=lambda p: p.stem)
def test_committed_pdfs_have_the_listed_pages(src):
    pdf = pdfium.PdfDocument(str(SAMPLES / "pdf" / f"{src.stem}.pdf"))
    try:
        assert len(pdf) == PAGES[src.stem]
    finally:
        pdf.close()


# ---------------------------------------------------------------- source format and CLI

def test_plain_text_drops_markup():
    text = plain_text(CT)
    assert "**" not in text and "“đúng, đủ, sạch, sống”" in text
    assert text.startswith("TỈNH ỦY QUẢNG NGÃI\nĐẢNG CỘNG SẢN VIỆT NAM\nSố 12-CT/TU")


def test_table_rows_parse(tmp_path):
    src = parse_source(QD)
    table = next(b for b in src.blocks if b.kind == "table")
    assert table.rows[0][0] == "STT" and len(table.rows[0]) == 6
    assert sum(1 for r in table.rows[1:] if r[0].isdigit()) == 26
    assert sum(1 for r in table.rows[1:] if render_samples._is_section_row(r)) == 5


@pytest.mark.parametrize("content, reason", [
    ("kind: directive\nissuer: X\n\n# CHỈ THỊ\n", "no '---'"),
    ("kind directive\n---\n# CHỈ THỊ\n", "without 'key:'"),
    ("kind: directive\n---\n::: right\nabc\n", "not closed"),
    ("kind: directive\n---\n| a | b |\n|---|---|\n| 1 |\n", "table row with 1 cells"),
])
def test_bad_source_is_one_clear_error(tmp_path, content, reason):
    bad = tmp_path / "bad.md"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(render_samples.SourceError, match=re.escape(reason)):
        parse_source(bad)


def test_cli_reports_bad_source_and_renders_the_rest(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("no front matter at all\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "scripts.render_samples", "--out", str(tmp_path / "out"), str(bad), str(CV)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr == f"{bad}: no '---' line after the front matter\n"
    assert r.stdout == f"{tmp_path / 'out' / 'cv-345-ninh-thuan.pdf'}\n"
    assert (tmp_path / "out" / "cv-345-ninh-thuan.pdf").exists()


def test_scan_notes_go_in_the_top_margin(cv_pdf, tmp_path):
    import numpy as np

    plain = render_samples.render_scan(cv_pdf, tmp_path / "plain.pdf", seed=5, dpi=100)
    noted = render_samples.render_scan(cv_pdf, tmp_path / "noted.pdf", seed=5, dpi=100, notes=["Đ/c Sơn xem", "chỉ đạo"])

    def top_ink(path):
        pdf = pdfium.PdfDocument(str(path))
        img = np.asarray(pdf[0].render(scale=100 / 72).to_pil().convert("L"), dtype=np.int16)
        pdf.close()
        band = img[: int(img.shape[0] * 0.06), int(img.shape[1] * 0.35):]
        return (band < 150).mean()

    assert top_ink(plain) < 0.0005
    assert top_ink(noted) > 0.002
