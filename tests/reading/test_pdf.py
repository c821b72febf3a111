"""Born-digital PDFs: reading order, styles, stamps kept out, tables, text-layer verdicts."""
import unicodedata

import pytest

from extractors.reading import read_document


def test_two_column_header_left_block_first(files):
    doc = read_document(files["header"], ocr="never")
    assert doc.status == "ok" and doc.kind == "pdf" and len(doc.sha256) == 64
    assert doc.size == files["header"].stat().st_size
    lines = doc.text().split("\n")
    assert lines[:6] == [
        "ỦY BAN NHÂN DÂN", "TỈNH BÌNH ĐỊNH", "Số: 15/CT-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Bình Định, ngày 05 tháng 01 năm 2024",
    ]
    assert lines[6:8] == ["CHỈ THỊ", "Về việc tăng cường công tác chuyển đổi số"]


def test_blocks_carry_boxes_styles_and_source(files):
    page = read_document(files["header"], ocr="never").pages[0]
    assert (page.source, page.text_quality, page.text_layer_issue) == ("text", 1.0, None)
    title = next(b for b in page.blocks if b.text == "CHỈ THỊ")
    body = next(b for b in page.blocks if b.text.startswith("Các sở"))
    assert title.bold and not body.bold
    assert title.size == 14.0 and body.size == 12.0
    assert title.bbox == (264.64, 125.33, 330.57, 143.36)    # points, top-left origin
    assert all(b.source == "text" and b.page == 1 for b in page.blocks)


def test_rotated_stamp_is_an_overlay_not_text(files):
    doc = read_document(files["header"], ocr="never")
    assert "1529" not in doc.text()
    assert [b.text for b in doc.pages[0].overlays] == ["ĐẾN Số: 1529 Ngày: 10/5/23"]


def test_text_is_nfc_with_new_tone_placement(files):
    text = read_document(files["header"], ocr="never").text()
    assert text == unicodedata.normalize("NFC", text)
    assert "ỦY BAN" in text and "HÒA" in text


def test_table_across_pages_is_one_logical_table(files):
    doc = read_document(files["table"], ocr="never")
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert (t.page_start, t.page_end) == (1, 2)
    assert t.header == ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"]
    texts = [r.texts() for r in t.rows]
    # The header repeated on page 2 is dropped.
    assert sum(1 for r in texts if r[0] == "STT") == 1
    # Section rows stay rows with one spanning cell.
    sections = [r for r in t.rows if len(r.cells) == 1]
    assert [r.cells[0].text for r in sections] == ["I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH (03 NHIỆM VỤ)",
                                                    "II. VỀ CÔNG TÁC TUYÊN TRUYỀN"]
    assert sections[0].cells[0].colspan == 5
    # Task 3 continues on page 2 (empty STT cell): joined into one row.
    task3 = next(r for r in t.rows if r.cells[0].text == "3")
    assert task3.pages == [1, 2]
    assert task3.cells[1].text == "Tổ chức tập huấn, hướng dẫn\ncho cán bộ, công chức cấp xã"
    assert task3.cells[4].text == "Trong năm\n2024"
    assert [r.cells[0].text for r in t.rows if len(r.cells) == 5] == ["STT", "1", "2", "3", "4"]
    assert all(c.bbox for r in t.rows for c in r.cells)


def test_table_text_is_in_reading_order_and_marked(files):
    doc = read_document(files["table"], ocr="never")
    p1 = doc.pages[0]
    assert p1.blocks[0].text == "PHỤ LỤC" and not p1.blocks[0].in_table
    cells = [b.text for b in p1.blocks if b.in_table]
    assert cells[:6] == ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành",
                         "I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH (03 NHIỆM VỤ)"]
    last = doc.pages[1].blocks[-1]
    assert last.text == "Trên đây là Kế hoạch thực hiện nhiệm vụ năm 2024 của tỉnh." and not last.in_table


def test_spaced_letter_layer_is_rejected(files):
    page = read_document(files["spaced"], ocr="never").pages[0]
    assert page.text_layer_issue == "spaced-letters"


def test_image_only_page_with_signature_stamp_needs_ocr(tmp_path):
    import make_files

    p = make_files.image_only_pdf(tmp_path / "stamp.pdf")
    page = read_document(p, ocr="never").pages[0]
    assert page.text_layer_issue == "junk-layer"


def test_missing_vie_data_says_how_to_install(tesseract, files, monkeypatch, tmp_path):
    # Real tesseract, pointed at an empty language folder.
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    doc = read_document(files["image_only"], ocr="auto")
    # Only a signature stamp was readable: the page is kept, the document is not "ok".
    assert doc.status == "partial"
    assert [(e.code, e.message) for e in doc.errors] == [(
        "ocr-language-missing",
        f"Tesseract has no 'vie' language data ({tmp_path}/ has no vie.traineddata); install it with: "
        "apt-get install tesseract-ocr tesseract-ocr-vie (1 page(s) need OCR: 1)")]


def test_many_pages_read_quickly(tmp_path):
    import time

    import make_files

    p = make_files.text_pdf(tmp_path / "long.pdf", pages=300, lines_per_page=3)
    t0 = time.monotonic()
    doc = read_document(p, ocr="never")
    assert doc.status == "ok" and doc.page_count == 300
    assert doc.pages[299].blocks[-1].text == "300"
    assert time.monotonic() - t0 < 60


def test_ocr_off_names_the_pages_that_need_it(tmp_path):
    import make_files

    p = make_files.mixed_pdf(tmp_path / "mixed.pdf")
    doc = read_document(p, ocr="never")
    assert doc.status == "partial"
    assert [pg.source for pg in doc.pages] == ["text", "none"]
    assert doc.pages[1].text_layer_issue == "no-text-layer"
    assert [(e.code, e.message) for e in doc.errors] == [
        ("needs-ocr", "1 page(s) need OCR (no text layer) but OCR is off: pages 2")]


@pytest.mark.slow
def test_mixed_pdf_ocrs_only_the_scanned_page(tesseract, tmp_path):
    import make_files

    p = make_files.mixed_pdf(tmp_path / "mixed.pdf")
    doc = read_document(p, workers=1)
    assert doc.status == "ok", doc.errors
    assert [pg.source for pg in doc.pages] == ["text", "ocr"]
    assert doc.pages[1].text() == ("Giao Sở Tư pháp chủ trì, phối hợp với các cơ quan\n"
                                   "liên quan hoàn thành trước ngày 15 tháng 11 năm 2025.\n"
                                   "Ủy ban nhân dân tỉnh yêu cầu các đơn vị nghiêm túc thực hiện.")
    assert all(b.source == "ocr" and b.page == 2 and b.bbox for b in doc.pages[1].blocks)
    # OCR boxes are in PDF points, like the text layer's.
    assert all(0 <= b.bbox[0] < b.bbox[2] <= doc.pages[1].width + 1 for b in doc.pages[1].blocks)


def test_max_pages_bounds_the_work(tmp_path):
    import make_files

    p = make_files.text_pdf(tmp_path / "long.pdf", pages=12, lines_per_page=2)
    doc = read_document(p, ocr="never", max_pages=5)
    assert doc.page_count == 5 and doc.status == "partial"
    assert [(e.code, e.message) for e in doc.errors] == [
        ("too-many-pages", "PDF has 12 pages; only the first 5 were read (limit max_pages=5)")]


def test_scan_under_a_valid_but_short_text_is_ocrd(tmp_path):
    import make_files

    note = "Phòng Công tác sinh viên phối hợp với Đoàn thanh niên triển khai thực hiện ngay văn bản này"
    p = make_files.image_only_pdf(tmp_path / "routed.pdf", stamp=note)
    page = read_document(p, ocr="never").pages[0]
    assert page.text_layer_issue == "image-page"
