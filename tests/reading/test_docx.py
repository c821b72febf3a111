"""DOCX: body order with tables interleaved, layout tables read column by column, styles."""
from extractors.reading import read_document


def test_docx_body_order_tables_and_styles(files):
    doc = read_document(files["docx"])
    assert doc.kind == "docx" and doc.status == "ok" and doc.page_count == 1
    lines = doc.text().split("\n")
    # The 2x2 layout table at the top reads issuer block, then motto block.
    assert lines[:5] == ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "Số: /KH-UBND",
                         "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Lâm Đồng, ngày tháng 12 năm 2025"]
    assert lines.index("KẾ HOẠCH") < lines.index("STT") < lines.index("Rà soát văn bản quy phạm pháp luật")
    assert lines[-1].startswith("Tổ chức thực hiện")
    blocks = {b.text: b for b in doc.pages[0].blocks}
    assert blocks["KẾ HOẠCH"].bold and blocks["Ban hành kèm theo Quyết định"].italic
    assert blocks["Sở Tư pháp"].in_table and not blocks["KẾ HOẠCH"].in_table
    assert all(b.source == "docx" for b in doc.pages[0].blocks)


def test_docx_table_model(files):
    doc = read_document(files["docx"])
    assert len(doc.tables) == 1     # the layout table is not a data table
    t = doc.tables[0]
    assert t.header == ["STT", "Nhiệm vụ", "Chủ trì", "Thời gian hoàn thành"]
    assert t.rows[1].texts() == ["I. VỀ CẢI CÁCH THỂ CHẾ"] and t.rows[1].cells[0].colspan == 4
    assert t.rows[2].texts() == ["1", "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Quý I/2026"]
    assert t.source == "docx"


def test_docx_pages_follow_page_breaks(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Trang một: Ủy ban nhân dân tỉnh")
    d.add_page_break()
    d.add_paragraph("Trang hai: Nơi nhận")
    p = tmp_path / "two.docx"
    d.save(str(p))
    doc = read_document(p)
    assert doc.page_count == 2
    assert [pg.text() for pg in doc.pages] == ["Trang một: Ủy ban nhân dân tỉnh", "Trang hai: Nơi nhận"]
    assert doc.text() == "Trang một: Ủy ban nhân dân tỉnh\fTrang hai: Nơi nhận"
