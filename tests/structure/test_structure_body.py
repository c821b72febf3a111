"""Section tree, paragraph joins, furniture, task tables, citations, aliases and the implemented programme."""
import datetime as dt

import pytest
from structure_helpers import document_from_text, table

from extractors.structure import parse_directive
from extractors.structure.citations import find_citations

HEAD = """\
     ỦY BAN NHÂN DÂN               CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
      TỈNH BÌNH ĐỊNH                   Độc lập - Tự do - Hạnh phúc
      Số: 58/KH-UBND              Bình Định, ngày 05 tháng 3 năm 2024

                               KẾ HOẠCH
      Thực hiện Đề án 06 trên địa bàn tỉnh năm 2024
"""

PLAN = HEAD + """\
     I. MỤC ĐÍCH, YÊU CẦU
     1. Nâng cao nhận thức của cán bộ về Đề án 06.
     II. MỤC TIÊU
     - 100% thủ tục hành chính đủ điều kiện được cung cấp trực tuyến.
     III. NHIỆM VỤ VÀ GIẢI PHÁP
     1. Nhiệm vụ chung
     a) Tập trung lãnh đạo, chỉ đạo việc thực hiện các nhiệm vụ trọng tâm của
Đề án
\f2
06 trong giai đoạn 2022 - 2025.
     b) Đẩy mạnh công tác tuyên truyền.
     2. Ban cán sự đảng UBND tỉnh lãnh đạo UBND tỉnh:
     - Chỉ đạo các cơ quan tiếp tục triển khai thực hiện Kế hoạch.
       + Rà soát hạ tầng công nghệ thông tin.
     - Đẩy nhanh tiến độ số hóa hồ sơ.
     IV. KINH PHÍ THỰC HIỆN
     Kinh phí do ngân sách nhà nước bảo đảm.
     V. TỔ CHỨC THỰC HIỆN
     1. Công an tỉnh
     - Chủ trì theo dõi, đôn đốc.
     Trong quá trình triển khai thực hiện, nếu có vướng mắc, các cơ quan kịp thời
phản ánh về Công an tỉnh./.
"""


def _by_path(d):
    return {(s.path, s.kind): s for s in d.root.walk()}


REPORT = """\
     BAN CHỈ ĐẠO ĐỀ ÁN 06              CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
         TỈNH LÂM ĐỒNG                   Độc lập - Tự do - Hạnh phúc
      Số: 12/BC-BCĐ                Lâm Đồng, ngày 05 tháng 11 năm 2025

                               BÁO CÁO
      Kết quả triển khai Đề án 06 trên địa bàn tỉnh tháng 10/2025
     I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI
     1. Ban hành kế hoạch, thành lập Ban chỉ đạo của tỉnh và tổ chức 01 cuộc họp trực tuyến.
     2. Công an tỉnh phối hợp với các sở, ngành hoàn thành tham mưu kế hoạch cao điểm.
     II. {heading}
     1. Công an tỉnh tham mưu triển khai đợt cao điểm thu nhận hồ sơ định danh điện tử.
"""


@pytest.mark.parametrize("heading, results", [
    ("PHƯƠNG HƯỚNG, NHIỆM VỤ TRONG THỜI GIAN TỚI", True),
    ("MỘT SỐ NỘI DUNG KHÁC", False),     # no tasks section named: where the tasks are is not known
])
def test_a_reports_sections_before_its_tasks_report_results(heading, results):
    d = parse_directive(document_from_text(REPORT.format(heading=heading)))
    nodes = _by_path(d)
    assert d.header.type == "Báo cáo"
    assert nodes[("I", "roman")].role == ("background" if results else "other")
    assert nodes[("I.2", "arabic")].role == ("background" if results else "other")
    assert nodes[("II.1", "arabic")].role == ("tasks" if results else "other")


def test_section_tree_paths_roles_pages():
    d = parse_directive(document_from_text(PLAN))
    nodes = _by_path(d)
    assert nodes[("I", "roman")].role == "purpose"
    assert nodes[("II", "roman")].role == "targets"
    assert nodes[("III.1.a", "letter")].role == "tasks"
    assert nodes[("IV", "roman")].role == "funding"
    assert nodes[("V.1", "arabic")].role == "organisation"
    scoped = nodes[("III.2", "arabic")]
    assert scoped.heading == "Ban cán sự đảng UBND tỉnh lãnh đạo UBND tỉnh"
    assert [c.kind for c in scoped.children] == ["bullet", "bullet"]          # bullets under the heading
    assert [c.kind for c in scoped.children[0].children] == ["bullet"]        # `+` under `-`
    assert all(c.path == "III.2" for c in scoped.children)                   # bullets share the item's ref
    a = nodes[("III.1.a", "letter")]
    assert a.page == 1


def test_paragraph_joined_across_page_break():
    d = parse_directive(document_from_text(PLAN))
    a = _by_path(d)[("III.1.a", "letter")]
    assert a.text == "Tập trung lãnh đạo, chỉ đạo việc thực hiện các nhiệm vụ trọng tâm của Đề án 06 trong giai đoạn 2022 - 2025."
    assert all(s.text.strip() != "2" for s in d.root.walk())        # the page number is gone


def test_closing_paragraph_goes_to_the_roman_section():
    d = parse_directive(document_from_text(PLAN))
    v = _by_path(d)[("V", "roman")]
    assert [p.text for p in v.paragraphs] == [
        "TỔ CHỨC THỰC HIỆN",
        "Trong quá trình triển khai thực hiện, nếu có vướng mắc, các cơ quan kịp thời phản ánh về Công an tỉnh./."]
    v1 = _by_path(d)[("V.1", "arabic")]
    assert not any("Trong quá trình" in s.text for s in v1.walk())


def test_wrapped_year_and_range_are_not_markers():
    text = HEAD + """\
     1. Triển khai các nhiệm vụ trong năm
2024 phải bám sát chỉ đạo của Chính phủ giai đoạn 2022
- 2025 bảo đảm tiến độ.
     2. Báo cáo kết quả.
"""
    d = parse_directive(document_from_text(text))
    assert [s.path for s in d.root.children] == ["1", "2"]
    assert d.root.children[0].children == []


FURNITURE = HEAD + """\
BAN TUYÊN GIÁO TỈNH ỦY
ĐẾN Số: 1529 Ngày: 10/5/23
Chuyển: AB, CB
     1. Tổ chức quán triệt Kế hoạch.
Ký bởi: Ủy ban nhân dân tỉnh Bình Định
Thời gian ký: 18.03.2024 09:41:42 +07:00
     2. Báo cáo kết quả trước ngày 15/12/2024.
"""


def test_stamps_never_reach_sections():
    d = parse_directive(document_from_text(FURNITURE))
    text = " ".join(s.text for s in d.root.walk()) + " ".join(p.text for p in d.root.paragraphs)
    for junk in ("1529", "Chuyển", "Ký bởi", "Thời gian ký"):
        assert junk not in text
    assert [s.path for s in d.root.children] == ["1", "2"]


def test_task_table_rows_become_sections():
    rows = [["STT", "Nội dung, nhiệm vụ cụ thể", "Đơn vị chủ trì", "Đơn vị phối hợp", "Kết quả sản phẩm", "Thời gian hoàn thành"],
            ["I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH (02 NHIỆM VỤ)"],
            ["1", "Xây dựng kế hoạch kiểm tra theo Quyết định số\n4466/QĐ-UBND ngày 01/12/2023", "Công an tỉnh", "UBND các huyện", "Kế hoạch", "Tháng 02/2024"],
            ["STT", "Nội dung, nhiệm vụ cụ thể", "Đơn vị chủ trì", "Đơn vị phối hợp", "Kết quả sản phẩm", "Thời gian hoàn thành"],
            ["2", "Sơ kết 06 tháng", "Công an tỉnh", "Các sở, ban, ngành", "Báo cáo", "Tháng 6/2024"],
            ["", "đầu năm 2024", "", "", "", ""]]
    text = HEAD + "     1. Các nhiệm vụ cụ thể theo Phụ lục./.\n\fPhụ lục\nDANH MỤC NHIỆM VỤ\n"
    d = parse_directive(document_from_text(text, tables=[table(rows, page=2)]))
    assert len(d.task_tables) == 1
    cols = d.task_tables[0].columns
    assert cols == {"stt": 0, "task": 1, "lead": 2, "support": 3, "output": 4, "deadline": 5}
    assert d.task_tables[0].table == 0 and [s.table for s in d.root.walk() if s.kind == "table_row"] == [0, 0]
    pl = [s for s in d.root.walk() if s.kind == "table_row"]
    assert [s.path for s in pl] == ["PL.1", "PL.2"]
    assert pl[0].cells["lead"] == "Công an tỉnh" and pl[0].group == "I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH (02 NHIỆM VỤ)"
    assert pl[1].text == "Sơ kết 06 tháng đầu năm 2024"          # continued row joined
    # citations are read from cells too
    assert [(c.number, c.relation) for c in d.citations] == [("4466/QĐ-UBND", "cites"), ("06/QĐ-TTg", "implements")]


@pytest.mark.parametrize("sentence, expected", [
    ("Căn cứ Quyết định số 06/QĐ-TTg ngày 06 tháng 01 năm 2022 của Thủ tướng Chính phủ phê duyệt Đề án;",
     [("06/QĐ-TTg", "Quyết định", dt.date(2022, 1, 6), "Thủ tướng Chính phủ", "basis")]),
    ("triển khai Kế hoạch 53/KH-UBND ngày 18/02/2022 của Ủy ban nhân dân tỉnh về Đề án 06.",
     [("53/KH-UBND", "Kế hoạch", dt.date(2022, 2, 18), "Ủy ban nhân dân tỉnh", "cites")]),
    ("theo Nghị định số 45/2020/NĐ-CP ngày 08/4/2020 của Chính phủ",
     [("45/2020/NĐ-CP", "Nghị định", dt.date(2020, 4, 8), "Chính phủ", "cites")]),
    ("Nghị quyết số 05-NQ/TU, ngày 22/10/2021 của Ban Chấp hành Đảng bộ tỉnh “về tập trung lãnh đạo”",
     [("05-NQ/TU", "Nghị quyết", dt.date(2021, 10, 22), "Ban Chấp hành Đảng bộ tỉnh", "cites")]),
    ("theo Công điện số 766/CD-TTg ngày 23/8/2023 của Thủ tướng Chính phủ.",
     [("766/CĐ-TTg", "Công điện", dt.date(2023, 8, 23), "Thủ tướng Chính phủ", "cites")]),
    ("Kế hoạch phối hợp số 106/KHPH-TCTTW-BCĐ06ĐN ngày 06/7/2023",
     [("106/KHPH-TCTTW-BCĐ06ĐN", "Kế hoạch", dt.date(2023, 7, 6), "Tổ công tác triển khai Đề án 06 Trung ương", "cites")]),
    ("Theo đề nghị của Giám đốc Công an tỉnh tại Tờ trình số 416/TTr-CAT-PC06 ngày 06 tháng 02 năm 2024.",
     [("416/TTr-CAT-PC06", "Tờ trình", dt.date(2024, 2, 6), None, "cites")]),
    ("Chỉ thị số 05/CT-TTg ngày 23/02/2023 của Thủ tướng Chính phủ; Thông tư số 01/2023/TT-VPCP ngày 05/4/2023",
     [("05/CT-TTg", "Chỉ thị", dt.date(2023, 2, 23), "Thủ tướng Chính phủ", "cites"),
      ("01/2023/TT-VPCP", "Thông tư", dt.date(2023, 4, 5), "Văn phòng Chính phủ", "cites")]),
    ("Công văn số 1552/BTTTT-THH ngày 26/4/2022 của Bộ Thông tin và Truyền thông",
     [("1552/BTTTT-THH", "Công văn", dt.date(2022, 4, 26), "Bộ Thông tin và Truyền thông", "cites")]),
    ("Quyet dinh so 06/QD-TTg ngay 06 thang 01 nam 2022",                          # OCR without diacritics
     [("06/QĐ-TTg", "Quyết định", dt.date(2022, 1, 6), "Thủ tướng Chính phủ", "cites")]),
    ("Nghị quyết số I2-NQ/TU, ngày 26/5/2022 của Ban Chấp hành Đảng bộ tỉnh",      # OCR: I for 1
     [("12-NQ/TU", "Nghị quyết", dt.date(2022, 5, 26), "Ban Chấp hành Đảng bộ tỉnh", "cites")]),
    ("Ban hành kèm theo Quyết định số /QĐ-UBND ngày tháng năm 2024", []),          # blank self-reference
    ("giai đoạn 2022 - 2025, tầm nhìn đến năm 2030; Tháng 02/2024; 860.000 tài khoản", []),
])
def test_citation_sentences(sentence, expected):
    got = [(c.number, c.type, c.issued_on, c.issuer, c.relation) for c in find_citations(sentence)]
    assert got == expected


def test_later_mentions_merge_and_programme_is_implemented():
    text = HEAD + """\
     Căn cứ Quyết định số 06/QĐ-TTg ngày 06 tháng 01 năm 2022 của Thủ tướng Chính phủ phê duyệt Đề án
phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ chuyển đổi số quốc gia
giai đoạn 2022 - 2025, tầm nhìn đến năm 2030 (gọi tắt là Đề án 06);
     1. Triển khai Kế hoạch số 53/KH-UBND ngày 18/02/2022 của Ủy ban nhân dân tỉnh.
     2. Báo cáo theo Kế hoạch 53/KH-UBND và Quyết định 06/QĐ-TTg.
"""
    d = parse_directive(document_from_text(text))
    nums = [c.number for c in d.citations]
    assert nums == ["06/QĐ-TTg", "53/KH-UBND"]
    c06 = d.citations[0]
    assert c06.relation == "implements" and c06.issued_on == dt.date(2022, 1, 6) and c06.printed
    assert d.citations[1].issued_on == dt.date(2022, 2, 18)
    assert d.aliases == {"Đề án 06": "06/QĐ-TTg"}
    assert d.programme == "06/QĐ-TTg"
    assert "58/KH-UBND" not in nums                  # the document's own number


def test_programme_named_by_title_only_links_to_its_approving_decision():
    text = """\
       TỈNH ỦY TIỀN GIANG                      ĐẢNG CỘNG SẢN VIỆT NAM
           Số 08-CT/TU                          Tiền Giang, ngày 10 tháng 5 năm 2023
                                  CHỈ THỊ
    tiếp tục đẩy mạnh thực hiện “Đề án phát triển ứng dụng dữ liệu về dân cư, định danh
    và xác thực điện tử, phục vụ chuyển đổi số quốc gia giai đoạn 2022 - 2025” trên địa bàn tỉnh
      Thời gian qua, việc thực hiện đạt kết quả tích cực.
"""
    d = parse_directive(document_from_text(text))
    impl = [c for c in d.citations if c.relation == "implements"]
    assert [(c.number, c.printed, c.issued_on) for c in impl] == [("06/QĐ-TTg", False, dt.date(2022, 1, 6))]


def test_a_national_programme_named_inside_another_title_is_not_implemented():
    text = HEAD.replace("Thực hiện Đề án 06 trên địa bàn tỉnh năm 2024",
                        "Thực hiện Đề án phát triển ứng dụng dữ liệu về dân cư phục vụ chuyển đổi số quốc gia")
    d = parse_directive(document_from_text(text + "     1. Triển khai.\n"))
    assert d.citations == [] and d.programme is None      # not 749/QĐ-TTg


def test_learned_programme_from_an_approving_clause():
    text = HEAD.replace("Thực hiện Đề án 06 trên địa bàn tỉnh năm 2024",
                        "Thực hiện Chương trình phát triển du lịch cộng đồng bền vững vùng miền núi") + """\
     Căn cứ Quyết định số 1234/QĐ-UBND ngày 01/02/2023 của Ủy ban nhân dân tỉnh phê duyệt Chương trình
phát triển du lịch cộng đồng bền vững vùng miền núi giai đoạn 2023 - 2025;
     1. Triển khai.
"""
    d = parse_directive(document_from_text(text))
    c = next(c for c in d.citations if c.number == "1234/QĐ-UBND")
    assert c.relation == "implements" and d.programme == "1234/QĐ-UBND"


def test_a_decision_approving_a_programme_does_not_implement_it():
    text = """\
     BỘ NỘI VỤ                        CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
     Số: 1187/QĐ-BNV                     Độc lập - Tự do - Hạnh phúc
                                      Hà Nội, ngày 15 tháng 10 năm 2025
                               QUYẾT ĐỊNH
      Phê duyệt Đề án Xác định Chỉ số cải cách hành chính của các bộ, cơ quan ngang bộ
                     BỘ TRƯỞNG BỘ NỘI VỤ
     Căn cứ Quyết định số 892/QĐ-BNV ngày 05/12/2024 của Bộ trưởng Bộ Nội vụ phê duyệt Đề án Xác định
Chỉ số cải cách hành chính của các bộ, cơ quan ngang bộ;
                               QUYẾT ĐỊNH:
      Điều 1. Phê duyệt Đề án Xác định Chỉ số cải cách hành chính.
"""
    d = parse_directive(document_from_text(text))
    assert [(c.number, c.relation) for c in d.citations] == [("892/QĐ-BNV", "basis")]
    assert d.programme is None


@pytest.mark.parametrize("sentence, issuer", [
    ("theo Nghị định số 52/2015/NĐ-CP ngày 28/5/2015 của Chính phủ cơ sở dữ liệu quốc gia", "Chính phủ"),
    ("Kế hoạch số 31-KH/TU ngày 28/01/2026 của Ban Thường vụ Tỉnh ủy và đang phối hợp với", "Ban Thường vụ Tỉnh ủy"),
    ("Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch Ủy ban nhân dân tỉnh công bố thủ tục",
     "Chủ tịch Ủy ban nhân dân tỉnh"),
    ("(Báo cáo số 15/BC-SKHCN ngày 20/01/2026 của Sở Khoa học và Công nghệ)", "Sở Khoa học và Công nghệ"),
    ("Kết luận số 184/KL-TTr ngày 06/9/2024 của Thanh tra Bộ Lao động - Thương binh và Xã hội",
     "Thanh tra Bộ Lao động - Thương binh và Xã hội"),
])
def test_citation_issuer_stops_at_the_body_name(sentence, issuer):
    assert find_citations(sentence)[0].issuer == issuer


def test_aliases_map_to_the_phrase_they_shorten():
    text = HEAD + """\
     Thực hiện Quyết định số 1187/QĐ-BNV ngày 15/10/2025 của Bộ trưởng Bộ Nội vụ (gọi tắt là Quyết định
số 1187/QĐ-BNV), Bộ Nội vụ hướng dẫn các bộ, cơ quan ngang bộ (gọi tắt là bộ) thực hiện.
     1. Triển khai.
"""
    d = parse_directive(document_from_text(text))
    assert d.aliases == {"Quyết định số 1187/QĐ-BNV": "1187/QĐ-BNV", "bộ": "cơ quan ngang bộ"}


OCR_PLAN = HEAD + """\
     I. MỤC ĐÍCH, YÊU CẦU
     1. Nâng cao nhận thức của cán bộ, công chức, viên chức về Đề án 06 trên địa bàn tỉnh và
huy động sự vào cuộc của cả hệ thống chính trị.
     IH. MỤC TIÊU
     I. Về phục vụ giải quyết thủ tục hành chính, cung cấp dịch vụ công trực tuyến toàn
trình cho người dân.
     2. Về phát triển công dân số.
     II. NHIỆM VỤ VÀ GIẢI PHÁP
     1. Nhiệm vụ chung.
     2. Nhiệm vụ cụ thể.
     3. Tổ chức thực hiện các nhiệm vụ được giao.
     4. Kiểm tra, đôn đốc.
     5. Sơ kết.
     6. Tổng kết.
     7. Khen thưởng.
     §. Báo cáo kết quả về Công an tỉnh.
"""


def test_ocr_misread_list_numbers_follow_the_running_count():
    d = parse_directive(document_from_text(OCR_PLAN))
    paths = [s.path for s in d.root.walk() if s.kind in ("roman", "arabic")]
    assert paths == ["I", "I.1", "II", "II.1", "II.2", "III", "III.1", "III.2", "III.3", "III.4", "III.5",
                     "III.6", "III.7", "III.8"]


@pytest.mark.parametrize("line, paths", [
    # the next number with one digit read as a letter and a comma for its period (danang-cv5710's `Ấ1,`)
    ("     Ấ1, Tiếp tục đầu tư phát triển Trường THPT chuyên.", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]),
    ("     1O. Tiếp tục đầu tư phát triển Trường THPT chuyên.", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]),
    # the next number with its period read as a comma (quangngai-ct16's `9, Sở Thông tin và Truyền thông`)
    ("     11, Sở Thông tin và Truyền thông", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]),
    ("     12, Sở Thông tin và Truyền thông", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]),
    # not the next number, or a word: the paragraph goes on
    ("     Ấ2, Tiếp tục đầu tư phát triển Trường THPT chuyên.", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]),
    ("     Ôn, Tiếp tục đầu tư phát triển Trường THPT chuyên.", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]),
])
def test_a_two_digit_item_number_with_one_digit_misread_follows_the_count(line, paths):
    items = "\n".join(f"     {k}. Giao Sở Giáo dục và Đào tạo thực hiện nhiệm vụ số {k} theo kế hoạch." for k in range(1, 11))
    d = parse_directive(document_from_text(HEAD + items + "\n" + line + "\n"))
    assert [s.path for s in d.root.walk() if s.kind == "arabic"] == paths


def test_ocr_stt_cells_are_read_by_the_count():
    rows = [["STT", "Nội dung, nhiệm vụ", "Đơn vị chủ trì", "Thời gian hoàn thành"],
            ["|", "Xây dựng kế hoạch kiểm tra", "Công an tỉnh", "Tháng 02/2024"],
            ["2", "Theo dõi, đôn đốc", "Công an tỉnh", "Tháng 3/2024"],
            ["3", "Sơ kết", "Công an tỉnh", "Tháng 6/2024"]]
    more = [["STT", "Nội dung, nhiệm vụ", "Đơn vị chủ trì", "Thời gian hoàn thành"],
            ["7", "Tổng kết", "Công an tỉnh", "Tháng 12/2024"]]   # rows 4-6 lost by the reader
    d = parse_directive(document_from_text(HEAD + "     1. Theo Phụ lục./.\n", tables=[table(rows), table(more)]))
    assert [s.path for s in d.root.walk() if s.kind == "table_row"] == ["PL.1", "PL.2", "PL.3", "PL.7"]


def test_running_headers_and_page_numbers_are_dropped():
    body = "\n".join(f"     {k}. Nhiệm vụ số {k} được giao cho các cơ quan, đơn vị thực hiện." for k in range(1, 10))
    pages = body.split("\n")
    text = HEAD + "\n".join(pages[:3]) + "\n- 2 -\n\fCÔNG BÁO TỈNH BÌNH ĐỊNH\n" + "\n".join(pages[3:6]) + \
        "\nTrang 3/4\n\fCÔNG BÁO TỈNH BÌNH ĐỊNH\n" + "\n".join(pages[6:]) + "\nTrang 4/4\n\fCÔNG BÁO TỈNH BÌNH ĐỊNH\n     Kết thúc.\n"
    d = parse_directive(document_from_text(text))
    all_text = " ".join(s.text for s in d.root.walk()) + " ".join(p.text for p in d.root.paragraphs)
    assert "CÔNG BÁO" not in all_text and "Trang" not in all_text and "- 2 -" not in all_text
    assert [s.path for s in d.root.children] == [str(k) for k in range(1, 10)]


def test_decision_with_attached_plan_and_appendix():
    text = """\
     ỦY BAN NHÂN DÂN               CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
      TỈNH KON TUM                     Độc lập - Tự do - Hạnh phúc
      Số: 415/QĐ-UBND              Kon Tum, ngày 20 tháng 02 năm 2025
                               QUYẾT ĐỊNH
      Ban hành Kế hoạch thực hiện Đề án 06 năm 2025
                 CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH
     Căn cứ Quyết định số 06/QĐ-TTg ngày 06 tháng 01 năm 2022 của Thủ tướng Chính phủ;
                               QUYẾT ĐỊNH:
      Điều 1. Ban hành kèm theo Quyết định này Kế hoạch thực hiện Đề án 06 năm 2025.
      Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.
Nơi nhận:                                         KT. CHỦ TỊCH
- Như Điều 2;                                     PHÓ CHỦ TỊCH
- Lưu: VT.
                                                  Phạm Quốc Bảo
\f                               KẾ HOẠCH
      Thực hiện Đề án 06 trên địa bàn tỉnh năm 2025
  (Ban hành kèm theo Quyết định số 415/QĐ-UBND ngày 20/02/2025 của Chủ tịch
                          UBND tỉnh)
     I. MỤC ĐÍCH, YÊU CẦU
     1. Triển khai đồng bộ các nhiệm vụ.
     II. TỔ CHỨC THỰC HIỆN
     1. Công an tỉnh chủ trì theo dõi./.
\f                               Phụ lục
           DANH MỤC NHIỆM VỤ NĂM 2025
"""
    rows = [["STT", "Nhiệm vụ", "Chủ trì thực hiện", "Phối hợp thực hiện", "Thời hạn"],
            ["1", "Cấp tài khoản định danh điện tử", "Công an tỉnh", "UBND các huyện", "Quý I/2025"]]
    d = parse_directive(document_from_text(text, tables=[table(rows, page=3)]))
    kinds = [(s.kind, s.path) for s in d.root.children]
    assert kinds == [("article", "Điều 1"), ("article", "Điều 2"), ("plan", ""), ("appendix", "PL")]
    plan = d.root.children[2]
    assert plan.heading == "KẾ HOẠCH Thực hiện Đề án 06 trên địa bàn tỉnh năm 2025"
    assert [(s.path, s.role) for s in plan.children] == [("I", "purpose"), ("II", "organisation")]
    assert [s.path for s in d.root.children[3].children] == ["PL.1"]
    assert d.header.signer == "Phạm Quốc Bảo" and d.header.number == "415/QĐ-UBND"
    # the plan's "Ban hành kèm theo Quyết định số 415/QĐ-UBND" is the document itself, not a citation
    assert [(c.number, c.relation) for c in d.citations] == [("06/QĐ-TTg", "implements")]
    assert d.programme == "06/QĐ-TTg"


@pytest.mark.parametrize("header, roles", [
    (["STT", "Nội dung, nhiệm vụ cụ thể", "Đơn vị chủ trì", "Đơn vị phối hợp", "Kết quả sản phẩm", "Thời gian hoàn thành"],
     {"stt": 0, "task": 1, "lead": 2, "support": 3, "output": 4, "deadline": 5}),
    (["STT", "Nhiệm vụ", "Sản phẩm", "Thời gian hoàn thành", "Chủ trì thực hiện", "Phối hợp thực hiện", "Theo dõi, kiểm tra, đôn đốc"],
     {"stt": 0, "task": 1, "output": 2, "deadline": 3, "lead": 4, "support": 5, "monitor": 6}),
    (["TT", "Nội dung", "Trách nhiệm thực hiện", "Thời gian (Năm 2026)"],
     {"stt": 0, "task": 1, "lead": 2, "deadline": 3}),
    (["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn", "Ghi chú"],
     {"stt": 0, "task": 1, "lead": 2, "support": 3, "deadline": 4, "note": 5}),
])
def test_task_table_column_roles(header, roles):
    from extractors.structure.tables import column_roles
    assert column_roles([list(enumerate(header))]) == roles


@pytest.mark.parametrize("parts, joined", [
    (["Tiếp tục quán triệt, triển khai thực hiện", "nghiêm các nhiệm vụ"], "Tiếp tục quán triệt, triển khai thực hiện nghiêm các nhiệm vụ"),
    (["kết nối Inter-", "net tốc độ cao"], "kết nối Internet tốc độ cao"),
    (["Sở Lao động-", "Thương binh và Xã hội"], "Sở Lao động-Thương binh và Xã hội"),
    (["giai đoạn 2022 -", "2025"], "giai đoạn 2022 - 2025"),
])
def test_join_text(parts, joined):
    from extractors.structure.common import join_text
    assert join_text(parts) == joined


def test_a_repeated_list_item_at_page_ends_is_content():
    item = "     - Thời gian hoàn thành: Quý I/2025."
    text = HEAD + "\f".join(f"     {k}. Nhiệm vụ {k}.\n{item}\n" for k in range(1, 5))
    d = parse_directive(document_from_text(text))
    # kept (not furniture), and read as each item's deadline field
    assert [s.cells.get("deadline") for s in d.root.children] == ["Quý I/2025"] * 4


def test_programmes_from_the_register_and_what_a_decision_approves():
    approving = HEAD.replace("KẾ HOẠCH", "QUYẾT ĐỊNH").replace("58/KH-UBND", "77/QĐ-UBND").replace(
        "Thực hiện Đề án 06 trên địa bàn tỉnh năm 2024",
        "Phê duyệt Đề án phát triển du lịch cộng đồng bền vững vùng miền núi") + "      Điều 1. Phê duyệt Đề án.\n"
    d = parse_directive(document_from_text(approving))
    assert d.approves == "Đề án phát triển du lịch cộng đồng bền vững vùng miền núi" and d.programme is None
    later = HEAD.replace("Thực hiện Đề án 06 trên địa bàn tỉnh năm 2024",
                         "Triển khai Đề án phát triển du lịch cộng đồng bền vững vùng miền núi năm 2024") + "     1. Triển khai.\n"
    known = [{"symbol": "77/QĐ-UBND", "title": d.approves, "type": "Quyết định", "issued_on": "2024-03-05"}]
    d2 = parse_directive(document_from_text(later), programmes=known)
    assert d2.programme == "77/QĐ-UBND"
    c = d2.citations[0]
    assert (c.number, c.relation, c.printed, str(c.issued_on)) == ("77/QĐ-UBND", "implements", False, "2024-03-05")


def test_parenthesised_items_under_an_arabic_item_with_field_bullets():
    text = HEAD + """\
     II. NHIỆM VỤ
     1. Hoàn thiện hạ tầng công nghệ thông tin
     (1) Tiếp tục phối hợp với các doanh nghiệp rà soát hạ tầng kỹ thuật.
     - Đơn vị chủ trì thực hiện: Sở Khoa học và Công nghệ.
     - Thời gian hoàn thành: Thực hiện thường xuyên.
     (2) Sao lưu, duy trì các cơ sở dữ liệu trong hệ thống cũ.
     - Đơn vị chủ trì thực hiện: Văn phòng UBND tỉnh.
     2. Hoàn thiện cơ cấu tổ chức
"""
    d = parse_directive(document_from_text(text))
    nodes = {s.path: s for s in d.root.walk() if s.kind not in ("root", "bullet")}
    assert nodes["II.1.(1)"].kind == "paren" and nodes["II.1.(2)"].label == "(2)"
    assert nodes["II.1.(1)"].children == []     # its field bullets are its cells
    assert nodes["II.1.(1)"].cells == {"lead": "Sở Khoa học và Công nghệ", "deadline": "Thực hiện thường xuyên"}
    assert [p.text for p in nodes["II.1.(2)"].paragraphs] == ["Sao lưu, duy trì các cơ sở dữ liệu trong hệ thống cũ."]
    assert nodes["II.2"].heading == "Hoàn thiện cơ cấu tổ chức"


def test_a_word_paragraph_that_starts_with_a_marker_is_an_item():
    """In a DOCX every Word paragraph is the author's own: "a) Mục tiêu" after a heading that has
    no full stop is its item, not the heading's second line (there is no geometry to tell)."""
    from extractors.types import Block, Document, Page

    paras = ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "Số: 12/KH-UBND", "KẾ HOẠCH", "Cải cách hành chính năm 2026",
             "I. MỤC TIÊU, NHIỆM VỤ",
             "6. Xây dựng và phát triển chính quyền điện tử, chính quyền số, thúc đẩy chuyển đổi số trong các cơ quan",
             "a) Mục tiêu", "- 100% văn bản được ký số.", "b) Nhiệm vụ", "- Sở Khoa học và Công nghệ triển khai nền tảng số."]
    doc = Document(path="kh.docx", source_file="kh.docx", kind="docx",
                   pages=[Page(number=1, source="docx", blocks=[Block(text=t, page=1, source="docx") for t in paras])])
    d = parse_directive(doc)
    nodes = {s.path: s for s in d.root.walk() if s.kind not in ("root", "bullet")}
    assert nodes["I.6"].heading == ("Xây dựng và phát triển chính quyền điện tử, chính quyền số, thúc đẩy chuyển đổi số "
                                    "trong các cơ quan")
    assert nodes["I.6.a"].heading == "Mục tiêu" and nodes["I.6.a"].role == "targets"
    assert nodes["I.6.b"].role == "tasks" and nodes["I"].role == "tasks"   # a heading naming goals and tasks holds tasks


def test_structure_leaves_the_document_as_read():
    rows = [["STT", "Nội dung", "Đơn vị chủ trì", "Thời gian hoàn thành"], ["1", "Rà soát hồ sơ", "Sở Tư pháp", "Quý I/2024"]]
    doc = document_from_text(PLAN, tables=[table(rows, page=2)])
    before = doc.model_dump_json()
    parse_directive(doc)
    assert doc.model_dump_json() == before


def _rows(rows):
    from extractors.structure.tables import table_columns, task_rows

    t = table(rows)
    return task_rows(t, table_columns(t))


HEADER7 = ["STT", "Nhiệm vụ", "Sản phẩm", "Thời gian hoàn thành", "Chủ trì thực hiện", "Phối hợp thực hiện",
           "Theo dõi, kiểm tra, đôn đốc"]


def test_task_rows_numbered_per_group_get_the_groups_label():
    rows = _rows([HEADER7,
                  ["I", "Cải cách thể chế", "", "", "", "", ""],
                  ["1", "Đăng tải văn bản", "Văn bản", "Thường xuyên", "Sở Tư pháp", "", "Sở Tư pháp"],
                  ["2", "Công bố danh mục", "Danh mục", "Trước ngày 31/01", "Sở Tư pháp", "", "Sở Tư pháp"],
                  ["II", "Cải cách thủ tục hành chính", "", "", "", "", ""],
                  ["1", "Kiểm soát thủ tục", "Báo cáo", "Thường xuyên", "Các sở, ban, ngành", "Sở Tư pháp", ""]])
    assert [(r.path, r.group) for r in rows] == [("PL.I.1", "I Cải cách thể chế"), ("PL.I.2", "I Cải cách thể chế"),
                                                 ("PL.II.1", "II Cải cách thủ tục hành chính")]
    assert rows[0].cells["lead"] == "Sở Tư pháp" and rows[0].cells["monitor"] == "Sở Tư pháp"


def test_task_row_with_a_merged_task_cell_is_a_second_assignment():
    rows = _rows([HEADER7,
                  ["2", "Tham mưu ban hành Kế hoạch kiểm tra", "Kế hoạch kiểm tra", "Tháng 01/2026", "Sở Nội vụ",
                   "Các cơ quan, đơn vị, địa phương", "Sở Nội vụ"],
                  ["", "", "Kế hoạch tự kiểm tra", "Tháng 01/2026", "Các cơ quan, đơn vị, địa phương", "", "Sở Nội vụ"]])
    assert [r.label for r in rows] == ["2", "2b"]
    assert rows[1].cells["task"] == "Tham mưu ban hành Kế hoạch kiểm tra"
    assert rows[1].cells["lead"] == "Các cơ quan, đơn vị, địa phương" and rows[1].cells["output"] == "Kế hoạch tự kiểm tra"
    assert rows[0].cells["lead"] == "Sở Nội vụ"


def test_task_row_split_over_a_page_is_joined():
    rows = _rows([HEADER7,
                  ["1", "Xây dựng kế hoạch giải ngân", "Kế hoạch", "Quý I/2026", "Sở Kế hoạch và", "", ""],
                  ["", "vốn đầu tư công", "", "", "Đầu tư", "", ""]])
    assert len(rows) == 1
    assert rows[0].cells["task"] == "Xây dựng kế hoạch giải ngân vốn đầu tư công"
    assert rows[0].cells["lead"] == "Sở Kế hoạch và Đầu tư"


def test_a_roman_group_row_is_not_read_as_task_one():
    rows = _rows([HEADER7, ["I", "Cải cách thể chế", "", "", "", "", ""],
                  ["1", "Đăng tải văn bản", "Văn bản", "Thường xuyên", "Sở Tư pháp", "", ""]])
    assert [(r.label, r.cells["task"]) for r in rows] == [("1", "Đăng tải văn bản")]


def test_task_table_without_a_number_column():
    rows = _rows([["Nội dung", "Trách nhiệm thực hiện", "Thời gian"],
                  ["TUYÊN TRUYỀN TRÊN BÁO CHÍ"],
                  ["Xây dựng chuyên mục cải cách hành chính", "Báo Lâm Đồng", "Hằng tháng"],
                  ["Tổ chức tọa đàm", "Đài Phát thanh tỉnh", "Quý II/2026"]])
    assert [(r.path, r.cells["lead"], r.group) for r in rows] == [
        ("PL.1", "Báo Lâm Đồng", "TUYÊN TRUYỀN TRÊN BÁO CHÍ"), ("PL.2", "Đài Phát thanh tỉnh", "TUYÊN TRUYỀN TRÊN BÁO CHÍ")]


@pytest.mark.parametrize("line, fields", [
    ("- Đơn vị chủ trì thực hiện: Sở Tài chính.", [("lead", "Sở Tài chính")]),
    ("a) Đơn vị chủ trì: Sở GDĐT, UBND các quận, huyện.", [("lead", "Sở GDĐT, UBND các quận, huyện")]),
    ("b) Đơn vị phối hợp: các sở, ban, ngành liên quan.", [("support", "các sở, ban, ngành liên quan")]),
    ("- Thời gian hoàn thành: Trong tháng 8/2025.", [("deadline", "Trong tháng 8/2025")]),
    ("- Cơ quan chủ trì: Công an tỉnh; - Thời hạn: Quý I/2026.", [("lead", "Công an tỉnh"), ("deadline", "Quý I/2026")]),
    ("- Sản phẩm: Báo cáo sơ kết.", [("output", "Báo cáo sơ kết")]),
    ("- Kinh phí: Ngân sách tỉnh.", [("budget", "Ngân sách tỉnh")]),
    ("Đơn vị phối hợp: Các sở, ban, ngành; UBND các xã, phường, đặc khu.- Thời gian hoàn thành: Trong tháng 8/2025.",
     [("support", "Các sở, ban, ngành; UBND các xã, phường, đặc khu"), ("deadline", "Trong tháng 8/2025")]),
    ("- Đơn vị thực hiện: Công an tỉnh.", [("lead", "Công an tỉnh")]),
    ("Cơ quan chủ trì: Sở Nội vụ", [("lead", "Sở Nội vụ")]),
    ("- Thời hạn: Quý III/2025", [("deadline", "Quý III/2025")]),
    # content, not fields: a sentence that only mentions them, one field with a task after it
    ("- Đơn vị chủ trì báo cáo kết quả trước ngày 15/12/2025.", []),
    ("Thời gian hoàn thành: Trong tháng 8/2025. Sở Tư pháp rà soát văn bản.", []),
    ("- Nội dung: rà soát thủ tục hành chính.", []),
    ("- Đơn vị chủ trì: Sở Nội vụ. Sở Nội vụ báo cáo kết quả trước ngày 15/12.", []),
    ("- Các sở, ban, ngành: chủ động rà soát thủ tục hành chính thuộc lĩnh vực quản lý.", []),
    ("- Trong năm 2026, hoàn thành việc số hóa hồ sơ.", []),
])
def test_labelled_fields(line, fields):
    from extractors.structure.fields import labelled_fields

    assert labelled_fields(line) == fields


def test_labelled_lines_are_cells_of_their_item():
    text = HEAD + """\
     1. Tăng cường công tác xây dựng đảng trong trường học.
     a) Đơn vị chủ trì: Sở Giáo dục và Đào tạo.
     b) Đơn vị phối hợp: Các ban, ngành, đoàn thể liên quan.
     2. Rà soát thủ tục hành chính nội bộ.
     - Đơn vị chủ trì thực hiện: Văn phòng UBND tỉnh.
     - Thời gian hoàn thành: Quý I/2024.
     - Công bố kết quả rà soát trên Cổng thông tin điện tử tỉnh.
"""
    d = parse_directive(document_from_text(text))
    one, two = d.root.children[:2]
    assert one.cells == {"lead": "Sở Giáo dục và Đào tạo", "support": "Các ban, ngành, đoàn thể liên quan"}
    assert one.children == []
    assert two.cells == {"lead": "Văn phòng UBND tỉnh", "deadline": "Quý I/2024"}
    assert [c.text for c in two.children] == ["Công bố kết quả rà soát trên Cổng thông tin điện tử tỉnh."]


# ---------------------------------------------------------------- OCR confidence carried to paragraphs

def _ocr(doc, confidences: dict[str, float]):
    """Mark the blocks whose text starts with a key as OCR'd with that word confidence."""
    for page in doc.pages:
        for b in page.blocks:
            for start, conf in confidences.items():
                if b.text.startswith(start):
                    b.source, b.confidence = "ocr", conf
    return doc


def test_paragraphs_carry_the_ocr_confidence_of_their_lines():
    doc = _ocr(document_from_text(PLAN), {"a) Tập trung": 90.0, "Đề án": 40.0, "06 trong": 80.0, "b) Đẩy": 55.0})
    d = parse_directive(doc)
    paras = {p.text[:12]: p for s in d.root.walk() for p in s.paragraphs}
    a = paras["Tập trung lã"]
    # weighted by the characters of each line: a long clear line and two short poor ones
    lines = [("a) Tập trung lãnh đạo, chỉ đạo việc thực hiện các nhiệm vụ trọng tâm của", 90.0), ("Đề án", 40.0),
             ("06 trong giai đoạn 2022 - 2025.", 80.0)]
    expected = sum(len(t) * c for t, c in lines) / sum(len(t) for t, _ in lines)
    assert a.confidence == pytest.approx(expected, abs=0.01)
    assert paras["Đẩy mạnh côn"].confidence == 55.0
    assert paras["Nâng cao nhậ"].confidence is None          # not OCR'd: nothing to say


def test_a_scanned_task_table_row_carries_the_confidence_of_its_cells():
    from extractors.types import Block

    text = PLAN + "\f" + "PHỤ LỤC\nNHIỆM VỤ CỤ THỂ"
    last = text.count("\f") + 1
    t = table([["STT", "Nội dung", "Đơn vị chủ trì", "Thời hạn"],
               ["1", "Xây dựng kho dữ liệu", "Sở Tư pháp", "Quý II/2024"],
               ["2", "Số hóa hồ sơ", "Sở Nội vụ", "Năm 2024"]], page=last)
    t.source = "ocr"
    doc = document_from_text(text, tables=[t])
    page2 = doc.pages[-1]
    for r, (y, confs) in enumerate([(100, (95.0, 95.0)), (130, (60.0, 80.0))], start=1):
        for col, conf in zip((1, 2), confs):
            cell = t.rows[r].cells[col]
            cell.bbox = (100.0 * col, y, 100.0 * col + 90, y + 20)
            page2.blocks.append(Block(text=cell.text, page=page2.number, bbox=(100.0 * col + 2, y + 2, 100.0 * col + 80, y + 18),
                                      source="ocr", confidence=conf, in_table=True))
    rows = [s for s in parse_directive(doc).root.walk() if s.kind == "table_row"]
    assert [r.path for r in rows] == ["PL.1", "PL.2"]
    assert rows[0].confidence == 95.0
    assert rows[1].confidence == pytest.approx((60.0 * len("Số hóa hồ sơ") + 80.0 * len("Sở Nội vụ"))
                                               / (len("Số hóa hồ sơ") + len("Sở Nội vụ")), abs=0.01)


@pytest.mark.parametrize("heading, role", [
    ("ĐỐI TƯỢNG, NỘI DUNG VÀ HÌNH THỨC TUYÊN TRUYỀN", "scope"),   # a plan's audience: only a named doer is a task
    ("Phạm vi điều chỉnh", "scope"),
    ("NỘI DUNG TUYÊN TRUYỀN", "tasks"),
    ("Đối với các sở, ban, ngành", None),
])
def test_heading_roles(heading, role):
    from extractors.structure.roles import heading_role

    assert heading_role(heading) == role


@pytest.mark.parametrize("line, letters", [
    # a lettered item whose letter OCR read as a sign: the letter the open list expects
    ("     ©) Thủ trưởng các đơn vị, trường học chủ động huy động cơ sở vật chất.", ["a", "b", "c"]),
    ("     ø) Thủ trưởng các đơn vị, trường học chủ động huy động cơ sở vật chất.", ["a", "b", "c"]),
    # the expected letter in capitals, or after a speck of the margin
    ("     C) Thủ trưởng các đơn vị, trường học chủ động huy động cơ sở vật chất.", ["a", "b", "c"]),
    ("     Xc) Thủ trưởng các đơn vị, trường học chủ động huy động cơ sở vật chất.", ["a", "b", "c"]),
    ("     Xe) Thủ trưởng các đơn vị, trường học chủ động huy động cơ sở vật chất.", ["a", "b"]),
    # a Vietnamese letter is never taken for another; a sign opening a sentence is no item
    ("     ê) Thủ trưởng các đơn vị, trường học chủ động huy động cơ sở vật chất.", ["a", "b"]),
    ("     © Thủ trưởng các đơn vị, trường học chủ động huy động cơ sở vật chất.", ["a", "b"]),
])
def test_a_lettered_item_whose_letter_ocr_misread_follows_the_list(line, letters):
    items = ("     1. Công tác chuẩn bị thi\n"
             "     a) Trưởng các điểm thi có trách nhiệm bố trí phòng thi dự phòng.\n"
             "     b) Hiệu trưởng các trường trung học phổ thông chỉ đạo rà soát sức khỏe học sinh.\n")
    d = parse_directive(document_from_text(HEAD + items + line + "\n"))
    assert [s.label.rstrip(")") for s in d.root.walk() if s.kind == "letter"] == letters
