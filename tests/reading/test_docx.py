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
    assert lines[-1] == "Tổ chức thực hiện: các sở, ngành báo cáo kết quả trước ngày 15/12/2026."
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


NUMBERING = """<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:abstractNumId="90">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>
</w:abstractNum>"""


def test_docx_word_list_numbers_become_text(tmp_path):
    """Word's automatic numbers are not in a paragraph's text; the structure stage needs them."""
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(NUMBERING))
    numbering.append(parse_xml('<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                               'w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def para(text, level=None):
        p = d.add_paragraph(text)
        if level is not None:
            p._p.get_or_add_pPr().append(parse_xml(
                '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    para("I. MỤC TIÊU, NHIỆM VỤ")
    para("Cải cách thể chế", 0)
    para("Mục tiêu", 1)
    para("100% văn bản được kiểm tra.", 2)
    para("Nhiệm vụ", 1)
    para("Cải cách thủ tục hành chính", 0)
    para("Mục tiêu", 1)
    para("1. Đã đánh số tay", 0)           # typed by hand as well: not numbered twice
    path = tmp_path / "numbered.docx"
    d.save(str(path))
    assert read_document(path).text().split("\n") == [
        "I. MỤC TIÊU, NHIỆM VỤ", "1. Cải cách thể chế", "a) Mục tiêu", "- 100% văn bản được kiểm tra.", "b) Nhiệm vụ",
        "2. Cải cách thủ tục hành chính", "a) Mục tiêu", "1. Đã đánh số tay"]
