"""merge_tables on per-page Table objects, as the OCR produces them from scans."""
from extractors.reading.tables import merge_tables
from extractors.types import Cell, Row, Table

HEADER = ["STT", "Nội dung", "Chủ trì", "Thời hạn"]
WIDTHS = [30, 250, 120, 100]


def _row(texts, page, top=0.0):
    x = 40.0
    cells = []
    for i, (t, w) in enumerate(zip(texts, WIDTHS)):
        cells.append(Cell(text=t, bbox=(x, top, x + w, top + 20), page=page, col=i))
        x += w
    return Row(cells=cells, page=page, pages=[page])


def _table(rows, page):
    return Table(rows=[_row(r, page, 50 + 20 * k) for k, r in enumerate(rows)], page_start=page, page_end=page, source="ocr")


def test_ocr_header_read_slightly_differently_is_still_dropped():
    t1 = _table([HEADER, ["1", "Rà soát", "Sở Nội vụ", "Quý I"], ["2", "Tập huấn cho", "Sở Tư pháp", "Tháng 3"]], 1)
    t2 = _table([["STT", "Nội dụng", "Chủ trỉ", "Thời hạn"], ["", "cán bộ cấp xã", "", ""], ["3", "Báo cáo", "VP UBND", "Hằng tháng"]], 2)
    [t] = merge_tables([t1, t2])
    assert t.source == "ocr" and (t.page_start, t.page_end) == (1, 2)
    assert [r.texts()[0] for r in t.rows] == ["STT", "1", "2", "3"]
    assert t.rows[2].texts()[1] == "Tập huấn cho\ncán bộ cấp xã" and t.rows[2].pages == [1, 2]


def test_different_tables_stay_apart():
    t1 = _table([HEADER, ["1", "a b", "X", "Y"]], 1)
    other = Table(rows=[Row(cells=[Cell(text="Tên"), Cell(text="Số")], page=2)], page_start=2, page_end=2)
    t3 = _table([HEADER, ["1", "c d", "X", "Y"]], 4)   # not the next page
    assert len(merge_tables([t1, other, t3])) == 3


def test_tables_not_framed_by_page_break_are_not_joined():
    t1 = _table([HEADER, ["1", "a b", "X", "Y"]], 1)
    t2 = _table([["1", "c d", "X", "Y"]], 2)
    assert len(merge_tables([t1, t2], first_on_page={1}, last_on_page=set())) == 2
    assert len(merge_tables([t1, t2], first_on_page={1}, last_on_page={0})) == 1


def test_section_row_after_page_break_is_not_a_continuation():
    t1 = _table([HEADER, ["1", "a b", "X", "Y"]], 1)
    sec = Row(cells=[Cell(text="II. VỀ TUYÊN TRUYỀN", colspan=4, bbox=(40, 50, 540, 70), page=2)], page=2, pages=[2])
    t2 = Table(rows=[sec, _row(["2", "e f", "X", "Y"], 2, 70)], page_start=2, page_end=2)
    [t] = merge_tables([t1, t2])
    assert [r.texts() for r in t.rows][2] == ["II. VỀ TUYÊN TRUYỀN"]
    assert t.rows[1].pages == [1]
