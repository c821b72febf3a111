"""Ruled tables in scanned pages: grid from ruling lines, cells OCR'd into Table/Row/Cell."""
from __future__ import annotations

import difflib
import io
import unicodedata

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors.reading import ocr
from extractors.reading.preprocess import prepare_page
from extractors.reading.scan_tables import find_grids

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
COLS = [90, 520, 300, 230]            # column widths in pixels
HEADER = ["STT", "Nội dung", "Đơn vị chủ trì", "Thời gian"]
SECTION = "I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"
ROWS = [
    ["1", "Xây dựng kế hoạch kiểm tra việc thực hiện", "Công an tỉnh", "Tháng 02/2024"],
    ["2", "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Thường xuyên"],
    ["3", "Số hóa hồ sơ thủ tục hành chính", "Văn phòng UBND tỉnh", "Quý II/2024"],
]


def draw_table(angle: float = 0.0) -> Image.Image:
    """A page with a title line, then a 4-column ruled table: header, spanning section row,
    three task rows (long texts wrap onto two lines inside their cell)."""
    font = ImageFont.truetype(FONT, 24)
    x0, y0, row_h = 60, 140, 96
    width = sum(COLS)
    n_rows = 2 + len(ROWS)
    im = Image.new("RGB", (x0 * 2 + width, y0 + n_rows * row_h + 80), "white")
    d = ImageDraw.Draw(im)
    d.text((x0, 50), "PHỤ LỤC: NHIỆM VỤ CỤ THỂ", font=font, fill="black")
    xs = [x0]
    for w in COLS:
        xs.append(xs[-1] + w)
    for r in range(n_rows + 1):
        y = y0 + r * row_h
        d.line((x0, y, x0 + width, y), fill="black", width=3)
    for r in range(n_rows):
        top = y0 + r * row_h
        spanning = r == 1
        for i, x in enumerate(xs):
            if spanning and 0 < i < len(xs) - 1:
                continue
            d.line((x, top, x, top + row_h), fill="black", width=3)
        if spanning:
            d.text((x0 + 12, top + 12), SECTION, font=font, fill="black")
            continue
        texts = HEADER if r == 0 else ROWS[r - 2]
        for i, text in enumerate(texts):
            lines = wrap(d, text, font, COLS[i] - 24)
            for k, line in enumerate(lines):
                d.text((xs[i] + 12, top + 10 + k * 34), line, font=font, fill="black")
    if angle:
        im = im.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor="white")
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=85)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def wrap(d: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, cur = [], ""
    for word in text.split():
        trial = (cur + " " + word).strip()
        if d.textlength(trial, font=font) <= width or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = word
    return lines + [cur]


def norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


def sim(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, norm(a), norm(b), autojunk=False).ratio()


@pytest.mark.parametrize("angle", [0.0, 1.5])
def test_grid_found_from_ruling_lines(angle):
    prep = prepare_page(np.asarray(draw_table(angle)))
    (grid,) = find_grids(prep.image)
    assert grid.n_cols == 4
    assert grid.n_rows == 2 + len(ROWS)
    per_row: dict[int, list] = {}
    for c in grid.cells:
        per_row.setdefault(c.row, []).append(c)
    assert [len(per_row[r]) for r in sorted(per_row)] == [4, 1, 4, 4, 4]
    assert per_row[1][0].colspan == 4


def test_page_without_rules_has_no_grid():
    im = Image.new("L", (800, 600), 255)
    ImageDraw.Draw(im).text((50, 50), "Không có bảng", font=ImageFont.truetype(FONT, 30), fill=0)
    # an underline under the header is a rule but not a table
    ImageDraw.Draw(im).line((50, 120, 400, 120), fill=0, width=3)
    assert find_grids(np.asarray(im)) == []


@pytest.mark.slow
def test_scanned_table_comes_out_cell_by_cell(tesseract):
    im = draw_table(angle=1.0)
    res = ocr.ocr_image(np.asarray(im), dpi=200)
    assert not res.errors
    (table,) = res.tables
    assert table.source == "ocr"
    assert [len(r.cells) for r in table.rows] == [4, 1, 4, 4, 4]
    assert [c.col for c in table.rows[2].cells] == [0, 1, 2, 3]
    section = table.rows[1].cells[0]
    assert section.colspan == 4 and sim(section.text, SECTION) >= 0.9
    for got, want in zip(table.rows[0].cells, HEADER):
        assert sim(got.text, want) >= 0.9, (got.text, want)
    for row, want in zip(table.rows[2:], ROWS):
        texts = [c.text for c in row.cells]
        assert texts[0] == want[0]
        assert np.mean([sim(a, b) for a, b in zip(texts, want)]) >= 0.9, texts
    # cell boxes are in PDF points (72/200 of a pixel) and inside the table's box
    tx0, ty0, tx1, ty1 = table.bbox
    assert 0 < tx0 < tx1 <= res.page.width and 0 < ty0 < ty1 <= res.page.height
    for row in table.rows:
        for c in row.cells:
            x0, y0, x1, y1 = c.bbox
            assert tx0 - 1 <= x0 < x1 <= tx1 + 1 and ty0 - 1 <= y0 < y1 <= ty1 + 1
    # the page text holds the title, then the table's cells in reading order, flagged in_table
    blocks = res.page.blocks
    assert "PHỤ LỤC" in blocks[0].text and not blocks[0].in_table
    assert all(b.in_table for b in blocks[1:])
    text = norm(res.page.text())
    assert text.index("STT") < text.index("I. VỀ") < text.index("Rà soát")
