"""Sentence -> obligation rules on hand-built section trees (no reading, no structure stage)."""
import datetime as dt

import pytest

from extractors.obligations import extract_obligations
from extractors.obligations.split import sentences, split_unit_text
from extractors.structure.fields import labelled_fields
from extractors.structure.tables import table_columns, task_rows
from extractors.text import collapse_ws
from extractors.types import Cell, Directive, Document, Header, Paragraph, Row, Section, Table


def directive(children, *, root_paragraphs=(), tables=(), province="Bình Định", issued=dt.date(2024, 2, 6)):
    """A structured directive built by hand.  Task TABLES become table_row sections the way the
    structure stage makes them (its column roles from corpora/table_columns.jsonl)."""
    rows = [r for t in tables for r in task_rows(t, table_columns(t))]
    root = Section(kind="root", children=list(children) + rows,
                   paragraphs=[Paragraph(text=t, page=1) for t in root_paragraphs])
    return Directive(document=Document(path="x.pdf", source_file="x.pdf"), root=root,
                     header=Header(province=province, issued_on=issued))


def item(path, text, *, children=(), kind="arabic", heading=None, paragraphs=None, role="other"):
    paras = [Paragraph(text=p, page=1) for p in (paragraphs or [text])]
    return Section(kind=kind, path=path, label=f"{path}.", heading=heading if heading is not None else text.split(".")[0],
                   text=text, paragraphs=paras, children=list(children), page=1, role=role)


def bullet(path, text):
    return Section(kind="bullet", path=path, label="-", heading="", text=text, paragraphs=[Paragraph(text=text, page=1)])


def test_sentences_do_not_split_after_programme_numbers():
    s = sentences("Thực hiện Đề án 06. Các ngành liên quan chủ động xây dựng mô hình. Tại Điều 2. khoản 1")
    assert s == ["Thực hiện Đề án 06.", "Các ngành liên quan chủ động xây dựng mô hình.", "Tại Điều 2. khoản 1"]


# (paragraph, [(lead phrases, starts-with)]) — one base unit with scope "Ban cán sự đảng UBND tỉnh"
UNITS = [
    ("Đẩy nhanh tiến độ xây dựng hạ tầng. Trước mắt, khẩn trương giải quyết vướng mắc. "
     "Các ngành có liên quan chủ động xây dựng các mô hình, hoàn thành trong năm 2023.",
     [("SCOPE", "Đẩy nhanh"), ("Các ngành có liên quan", "Các ngành")]),
    ("Người đứng đầu cấp ủy chịu trách nhiệm trước Ban Thường vụ. Hàng năm, xây dựng kế hoạch thực hiện. "
     "Định kỳ trước ngày 10 hàng tháng, báo cáo kết quả về Đảng ủy Công an tỉnh.",
     [("Người đứng đầu cấp ủy", "Người"), ("Người đứng đầu cấp ủy", "Hàng năm"), ("Người đứng đầu cấp ủy", "Định kỳ")]),
    ("Chủ động thành lập các Tổ công tác. Cơ sở hạ tầng phải được nâng cấp, kiểm tra thường xuyên; cán bộ làm công tác "
     "quản trị phải được quản lý.", [("SCOPE", "Chủ động")]),
    ("Triển khai giải pháp đẩy nhanh việc số hóa. Đề nghị các sở, ngành phối hợp với các địa phương để hướng dẫn.",
     [("SCOPE", "Triển khai"), ("các sở, ngành", "Đề nghị")]),
    ("Chỉ đạo bộ phận một cửa thực hiện nghiêm quy trình. Yêu cầu cán bộ, công chức được cấp tài khoản phải bảo mật.",
     [("SCOPE", "Chỉ đạo")]),
    ("Các cơ quan, đơn vị cấp tỉnh ban hành Kế hoạch thực hiện. Hoàn thành trong tháng 02/2024.",
     [("Các cơ quan, đơn vị cấp tỉnh", "Các cơ quan")]),
    ("Thực hiện tích hợp dữ liệu. Phát huy vai trò Thường trực Tổ công tác. Chủ trì, phối hợp với các cơ quan liên quan "
     "giúp Ban Thường vụ Tỉnh ủy theo dõi, báo cáo.", [("SCOPE", "Thực hiện"), ("SCOPE", "Chủ trì")]),
]


@pytest.mark.parametrize("text,expected", UNITS, ids=[u[0][:25] for u in UNITS])
def test_split_rules(text, expected):
    pieces = split_unit_text(text, ref="2", page=1, scope=["SCOPE"], role="tasks")
    got = [(p.leads[0] if p.leads else None, p.text.split()[0]) for p in pieces]
    assert [(lead, first) for (lead, first) in got] == [(e[0], e[1].split()[0]) for e in expected]


def test_inherited_heading_scope_and_addressees():
    d = directive(
        [item("1", "Tiếp tục lãnh đạo, chỉ đạo quán triệt các nhiệm vụ của Đề án."),
         item("2", "Ban cán sự đảng UBND tỉnh lãnh đạo UBND tỉnh:", heading="Ban cán sự đảng UBND tỉnh lãnh đạo UBND tỉnh",
              paragraphs=["Ban cán sự đảng UBND tỉnh lãnh đạo UBND tỉnh:"],
              children=[bullet("2", "Chỉ đạo các cơ quan triển khai Kế hoạch 53/KH-UBND ngày 18/02/2022."),
                        bullet("2", "Thường xuyên rà soát, đề xuất sửa đổi quy trình.")]),
         item("3", "Đảng ủy Công an tỉnh lãnh đạo, chỉ đạo Công an tỉnh chủ trì, phối hợp với Sở Tư pháp thực hiện "
                   "tích hợp dữ liệu dân cư.")],
        root_paragraphs=["Tuy nhiên, tỷ lệ sử dụng dịch vụ công còn thấp.",
                         "Ban Thường vụ Tỉnh ủy yêu cầu các sở, ban, ngành, Ủy ban Mặt trận Tổ quốc, đoàn thể tỉnh "
                         "thực hiện tốt một số nhiệm vụ sau:"])
    obs = extract_obligations(d).obligations
    assert [o.ref for o in obs] == ["1", "2", "2", "3"]
    assert obs[0].lead_units == ["Các sở, ban, ngành", "Ủy ban Mặt trận Tổ quốc", "Đoàn thể tỉnh"]
    assert obs[1].lead_units == ["Ban cán sự đảng Ủy ban nhân dân tỉnh"]
    assert obs[1].deadline is None                     # a citation date is not a deadline
    assert obs[2].deadline.recurrence == "ongoing"
    assert obs[3].lead_units == ["Đảng ủy Công an tỉnh", "Công an tỉnh"]
    assert obs[3].support_units == ["Sở Tư pháp"]


def test_not_obligations():
    d = directive([
        # the role is structure's decision (tests/structure); obligations reads it and skips the section
        item("I", "MỤC ĐÍCH, YÊU CẦU", kind="roman", heading="MỤC ĐÍCH, YÊU CẦU", role="purpose",
             children=[item("I.1", "Nâng cao nhận thức của cán bộ về Đề án.", role="purpose")]),
        item("Điều 3", "Chánh Văn phòng UBND tỉnh, Giám đốc Công an tỉnh chịu trách nhiệm thi hành Quyết định này.",
             kind="article"),
        item("III.2", "Chi tiết 41 nhiệm vụ cụ thể thuộc 07 nhóm nhiệm vụ theo Phụ lục đính kèm.",
             children=[bullet("III.2", "Nhiệm vụ công tác chỉ đạo điều hành: (08 nhiệm vụ);")]),
    ])
    assert extract_obligations(d).obligations == []


def test_task_table_rows_with_columns():
    header = ["STT", "Nội dung, nhiệm vụ cụ thể", "Đơn vị chủ trì", "Đơn vị phối hợp", "Kết quả sản phẩm",
              "Thời gian hoàn thành"]
    rows = [
        ["I. VỀ CÔNG TÁC CHỈ ĐẠO (02 NHIỆM VỤ)", "", "", "", "", ""],
        ["1", "Xây dựng kế hoạch kiểm tra, giám sát", "Công an tỉnh, UBND các huyện, thị xã, thành phố",
         "UBND các xã, phường, thị trấn", "Kế hoạch kiểm tra", "Tháng 02/2024"],
        ["2", "Phối hợp với Trung tâm dữ liệu quốc gia xây dựng phương án đồng bộ dữ liệu", "Công an tỉnh",
         "Văn phòng UBND tỉnh", "", "Theo lộ trình của Chính phủ"],
        ["3", "Rà soát triển khai tối thiểu 20 dịch vụ công không dùng giấy", "Văn phòng UBND tỉnh", "Các sở, ban, ngành",
         "Quyết định", "Tháng 6/2023"],
    ]
    t = Table(header=header, rows=[Row(cells=[Cell(text=c, col=i) for i, c in enumerate(r)]) for r in [header, *rows]])
    ex = extract_obligations(directive([], tables=[t]))
    obs = ex.obligations
    assert [o.ref for o in obs] == ["PL.1", "PL.2", "PL.3"]
    assert obs[0].lead_units == ["Công an tỉnh", "Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert obs[0].support_units == ["Ủy ban nhân dân các xã, phường, thị trấn"]
    assert obs[0].output == "Kế hoạch kiểm tra" and obs[0].deadline.due == dt.date(2024, 2, 29)
    assert obs[1].support_units == ["Văn phòng Ủy ban nhân dân tỉnh", "Trung tâm dữ liệu quốc gia"]
    assert obs[1].deadline.raw == "Theo lộ trình của Chính phủ" and obs[1].deadline.due is None
    assert [(t.value, t.unit, t.kind) for t in obs[2].targets] == [(20, "count", "target")]
    assert [o.flags for o in obs] == [[], [], ["deadline-before-document"]]


@pytest.mark.parametrize("cell, lead, support", [
    ("Văn phòng UBND tỉnh chủ trì, phối hợp với Sở KH&CN, các sở, ngành liên quan",
     ["Văn phòng Ủy ban nhân dân tỉnh"], ["Sở Khoa học và Công nghệ", "Các sở, ngành liên quan"]),
    ("Sở Y tế chủ trì", ["Sở Y tế"], []),
    ("Công an tỉnh", ["Công an tỉnh"], []),
])
def test_a_lead_cell_that_states_both_roles(cell, lead, support):
    """A single "Đơn vị thực hiện" column holding "X chủ trì, phối hợp với Y": X leads, Y supports."""
    header = ["STT", "Nhiệm vụ", "Đơn vị thực hiện", "Thời gian hoàn thành"]
    rows = [header, ["1", "Ban hành quy trình điện tử các thủ tục hành chính mới", cell, "Tháng 8/2025"]]
    t = Table(header=header, rows=[Row(cells=[Cell(text=c, col=i) for i, c in enumerate(r)]) for r in rows])
    obs = extract_obligations(directive([], tables=[t])).obligations
    assert [(o.lead_units, o.support_units) for o in obs] == [(lead, support)]


def test_a_branch_of_the_task_and_its_completion_stay_one_obligation():
    """"Trường hợp …" / "Nếu …" sentences are branches of the task before them, and the date of its
    "Hoàn thành … trước ngày …" sentence is the task's, not a date inside a branch."""
    text = ("Công ty Cổ phần Cấp thoát nước tỉnh khẩn trương rà soát toàn bộ quá trình cổ phần hóa. "
            "Trường hợp đủ điều kiện thì đề xuất kế hoạch cổ phần hóa trong năm 2025. "
            "Nếu không đủ điều kiện thì đề xuất cấp có thẩm quyền hướng xử lý. "
            "Hoàn thành và báo cáo UBND tỉnh trước ngày 08/02/2025.")
    obs = extract_obligations(directive([item("1", text)])).obligations
    assert [(o.lead_units, o.deadline.due if o.deadline else None) for o in obs] == [
        (["Công ty Cổ phần Cấp thoát nước tỉnh"], dt.date(2025, 2, 8))]


def test_flags_no_unit_duplicate_unknown():
    d = directive([
        item("III.1", "Nhiệm vụ chung", kind="arabic", heading="Nhiệm vụ chung", role="tasks",
             children=[item("III.1.a", "Tập trung lãnh đạo, chỉ đạo việc thực hiện các nhiệm vụ trọng tâm.", kind="letter",
                            role="tasks")]),
        item("2", "Các chủ mỏ rà soát hồ sơ dự án."),
        item("3", "Các chủ mỏ rà soát hồ sơ dự án."),
        item("4", "Ban Quản lý dự án đầu tư xây dựng tỉnh rà soát hồ sơ dự án."),
    ])
    obs = extract_obligations(d).obligations
    assert "no-unit" in obs[0].flags
    assert obs[1].lead_units == ["Các chủ mỏ"] and "unknown-unit" in obs[1].flags      # not a body, a group or a position
    assert "duplicate" in obs[2].flags and "duplicate" not in obs[1].flags
    # a body by its head noun (Ban + a capitalised name) is a unit, though not in the gazetteer, named in full
    assert obs[3].lead_units == ["Ban Quản lý dự án đầu tư xây dựng tỉnh"] and "unknown-unit" not in obs[3].flags


def test_news_prose_each_request_once_and_results_are_achieved():
    d = directive([], root_paragraphs=[
        "Phát biểu kết luận, đồng chí Thứ trưởng ghi nhận kết quả đã đạt được. Đồng chí đề nghị tỉnh cần lưu ý đầu tư "
        "hạ tầng. Tỉnh cần rà soát các văn bản. Cơ quan chức năng chú trọng cấp định danh.",
        "Sở Tư pháp đã số hóa dữ liệu hộ tịch đạt gần 82%. Công an tỉnh thực hiện điện tử hóa 100% tờ khai.",
    ], province="Hải Dương", issued=dt.date(2023, 3, 2))
    ex = extract_obligations(d)
    assert [o.lead_units for o in ex.obligations] == [["Tỉnh Hải Dương"], ["Tỉnh Hải Dương"], ["Cơ quan chức năng"]]
    assert {(t.value, t.kind) for t in ex.targets} == {(82, "achieved"), (100, "achieved")}


def test_extraction_is_deterministic():
    d = directive([item("1", "Giao Sở Nội vụ chủ trì, phối hợp Sở Thông tin và Truyền thông tiến hành rà soát nguồn nhân lực.")])
    a, b = extract_obligations(d), extract_obligations(d)
    assert a == b
    assert a.obligations[0].lead_units == ["Sở Nội vụ"]
    assert a.obligations[0].support_units == ["Sở Thông tin và Truyền thông"]
    assert a.obligations[0].id == ""


# A DOCX heading line with no full stop runs into the sentence that assigns the section's unit.
JOINED_HEADINGS = [
    ("Về xây dựng chính quyền điện tử, chính quyền số Giao Sở Khoa học và Công nghệ chủ trì, phối hợp các cơ quan, "
     "đơn vị liên quan:", "Sở Khoa học và Công nghệ"),
    ("Về cải cách tài chính công Giao Sở Tài chính:", "Sở Tài chính"),
    ("Về chuyển đổi số trong các cơ quan đảng, chính quyền Yêu cầu Công an tỉnh:", "Công an tỉnh"),
]


@pytest.mark.parametrize("heading,lead", JOINED_HEADINGS, ids=[h[0][:30] for h in JOINED_HEADINGS])
def test_heading_joined_to_the_assigning_sentence(heading, lead):
    d = directive([item("5", heading, heading=heading.rstrip(":"),
                        children=[item("5.a", "Thường xuyên theo dõi, kiểm tra, báo cáo lãnh đạo UBND tỉnh.", kind="letter")])])
    obs = extract_obligations(d).obligations
    # the heading only scopes its item: the item is the one obligation, with the heading's unit
    assert [(o.ref, o.lead_units) for o in obs] == [("5.a", [lead])]


@pytest.mark.parametrize("heading", [
    "Trách nhiệm của Ban Chỉ đạo",
    "Nhiệm vụ cụ thể của Ban Chỉ đạo",
    "Nhiệm vụ và quyền hạn của Ban Chỉ đạo",
    "Nhiệm vụ, quyền hạn của Ban Chỉ đạo",
    "Chức năng, nhiệm vụ và quyền hạn của Ban Chỉ đạo",
])
def test_a_heading_that_says_whose_duties_the_items_are_names_their_lead(heading):
    d = directive([item("3", heading, heading=heading, children=[
        item("3.a", "Nghiên cứu, đề xuất phương hướng, giải pháp để giải quyết những vấn đề quan trọng.", kind="letter"),
        item("3.b", "Chỉ đạo, đôn đốc, kiểm tra việc triển khai thực hiện Kế hoạch.", kind="letter")])])
    obs = extract_obligations(d).obligations
    assert [(o.ref, o.lead_units) for o in obs] == [("3.a", ["Ban Chỉ đạo"]), ("3.b", ["Ban Chỉ đạo"])]


def test_items_with_labelled_fields_and_a_title_over_them():
    """A Kế hoạch draft's list form: "1. <title>", "(1) <task>" with "- Đơn vị chủ trì: ...",
    "- Đơn vị phối hợp: ...", "- Thời gian hoàn thành: ..." bullets under each task, which structure
    lifts into the task's cells (tests/structure: test_labelled_lines_are_cells_of_their_item)."""
    def paren(n, text, *fields):
        cells = dict(f for line in fields for f in labelled_fields(line))
        return Section(kind="paren", path=f"1.({n})", label=f"({n})", heading=text.rstrip("."), text=text,
                       paragraphs=[Paragraph(text=text, page=1)], page=1, cells=cells)

    d = directive([item("1", "Hoàn thiện hạ tầng công nghệ thông tin", heading="Hoàn thiện hạ tầng công nghệ thông tin",
                        role="tasks", children=[
        paren(1, "Sao lưu, duy trì các cơ sở dữ liệu trong hệ thống cũ.", "Đơn vị chủ trì thực hiện: Văn phòng UBND tỉnh.",
              "Đơn vị phối hợp: Các sở, ban, ngành; UBND các huyện.", "Thời gian hoàn thành: Trong tháng 8/2025."),
        paren(2, "Rà soát, đăng ký cấp chứng thư chữ ký số cho cán bộ, công chức.", "Đơn vị thực hiện: Công an tỉnh.",
              "Thời gian hoàn thành: Thực hiện thường xuyên."),
        # a partner the task's text names joins its "Đơn vị phối hợp" line (as in a table row)
        paren(3, "Dự báo nguồn nhân lực. Phối hợp với Bộ LĐTBXH đầu tư hình thành Trung tâm đào tạo nghề.",
              "Đơn vị chủ trì: Sở LĐTBXH.", "Đơn vị phối hợp: Sở GDĐT, UBND các quận, huyện."),
    ])])
    obs = extract_obligations(d).obligations
    assert [o.ref for o in obs] == ["1.(1)", "1.(2)", "1.(3)"]  # the title is no obligation, the fields none either
    assert obs[0].lead_units == ["Văn phòng Ủy ban nhân dân tỉnh"]
    assert obs[0].support_units == ["Các sở, ban, ngành", "Ủy ban nhân dân các huyện"]
    assert obs[2].support_units == ["Sở Giáo dục và Đào tạo", "Ủy ban nhân dân các quận, huyện",
                                    "Bộ Lao động - Thương binh và Xã hội"]
    assert obs[0].deadline.due == dt.date(2025, 8, 31)
    assert obs[1].lead_units == ["Công an tỉnh"] and obs[1].deadline.recurrence == "ongoing"


def test_a_body_task_without_unit_repeated_in_the_assignment_table_is_written_down_once():
    header = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
    rows = [["1", "Thực hiện việc đăng tải, cập nhật văn bản quy phạm pháp luật lên Cơ sở dữ liệu quốc gia.",
             "Sở Tư pháp", "Các sở, ngành", "Thường xuyên"],
            ["2", "Rà soát thủ tục hành chính nội bộ.", "Văn phòng UBND tỉnh", "", "Quý II/2026"]]
    t = Table(header=header, rows=[Row(cells=[Cell(text=c, col=i) for i, c in enumerate(r)]) for r in [header, *rows]])
    body = [item("1", "Nhiệm vụ", heading="Nhiệm vụ", role="tasks", children=[
        bullet("1", "Thực hiện việc đăng tải, cập nhật văn bản quy phạm pháp luật lên Cơ sở dữ liệu quốc gia."),
        bullet("1", "Rà soát thủ tục hành chính nội bộ, công khai kết quả trên Cổng thông tin điện tử."),  # says more
        bullet("1", "Sở Tư pháp rà soát thủ tục hành chính nội bộ.")])]                                   # has a unit
    obs = extract_obligations(directive(body, tables=[t])).obligations
    # the body's unit-less copy of PL.1 is dropped; the fuller body item and the one with a unit stay
    assert [(o.ref, o.lead_units, o.text) for o in obs] == [
        ("1", [], "Rà soát thủ tục hành chính nội bộ, công khai kết quả trên Cổng thông tin điện tử."),
        ("1", ["Sở Tư pháp"], "Sở Tư pháp rà soát thủ tục hành chính nội bộ."),
        ("PL.1", ["Sở Tư pháp"], "Thực hiện việc đăng tải, cập nhật văn bản quy phạm pháp luật lên Cơ sở dữ liệu quốc gia."),
        ("PL.2", ["Văn phòng Ủy ban nhân dân tỉnh"], "Rà soát thủ tục hành chính nội bộ."),
    ]


def test_a_retouched_body_copy_of_a_table_row_is_still_a_copy():
    """The drafter writes the task again in the body: `Ủy ban nhân dân tỉnh` for the row's `UBND
    tỉnh`, `Thường xuyên kiểm tra` for `Tổ chức kiểm tra`, a bullet cut into two sentences."""
    header = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
    rows = [["1", "Tiếp tục triển khai thực hiện Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch UBND tỉnh "
                  "công bố danh mục thủ tục hành chính.", "Các sở, ban, ngành", "", "Năm 2026"],
            ["2", "Tổ chức kiểm tra, chấn chỉnh tác phong, lề lối và thái độ làm việc của cán bộ, công chức tại bộ "
                  "phận một cửa các cấp.", "Văn phòng UBND tỉnh", "", "Thường xuyên"]]
    t = Table(header=header, rows=[Row(cells=[Cell(text=c, col=i) for i, c in enumerate(r)]) for r in [header, *rows]])
    body = [item("1", "Nhiệm vụ", heading="Nhiệm vụ", role="tasks", children=[
        bullet("1", "Tiếp tục triển khai thực hiện Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch Ủy ban nhân "
                    "dân tỉnh công bố danh mục thủ tục hành chính."),
        bullet("1", "Thường xuyên kiểm tra, chấn chỉnh tác phong, lề lối và thái độ làm việc của cán bộ, công chức tại "
                    "bộ phận một cửa các cấp."),
        bullet("1", "Kiểm tra thái độ làm việc của cán bộ, công chức; xây dựng bộ tiêu chí đánh giá mức độ hài lòng "
                    "của người dân và doanh nghiệp đối với từng bộ phận một cửa.")])]     # says much more
    obs = extract_obligations(directive(body, tables=[t])).obligations
    assert [o.ref for o in obs] == ["1", "PL.1", "PL.2"]
    assert obs[0].text.startswith("Kiểm tra thái độ")


@pytest.mark.parametrize("doc_type, expected", [
    ("Công văn", ["Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh", "Ủy ban nhân dân các xã, phường, đặc khu"]),
    ("Tờ trình", []),             # addressed upwards: its "Kính gửi" owes nothing
])
def test_a_letters_addressees_own_the_items_that_name_no_unit(doc_type, expected):
    d = directive([item("1", "Nhiệm vụ, giải pháp chung", heading="Nhiệm vụ, giải pháp chung", paragraphs=["Nhiệm vụ, giải pháp chung"],
                        children=[item("1.a", "Đẩy mạnh cải cách thủ tục hành chính, giảm phiền hà cho người dân.", kind="letter",
                                       role="tasks"),
                                  item("1.b", "Mỗi cơ quan, đơn vị, địa phương phải xây dựng cơ sở dữ liệu chuyên ngành.",
                                       kind="letter", role="tasks")], role="tasks")])
    d.header.type = doc_type
    d.header.addressees = ["Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh", "Ủy ban nhân dân các xã, phường, đặc khu"]
    obs = extract_obligations(d).obligations
    by_ref = {o.ref: o for o in obs}
    if expected:
        assert by_ref["1.a"].lead_units == expected and "unknown-unit" not in by_ref["1.a"].flags
    else:
        assert by_ref["1.a"].lead_units == [] and "no-unit" in by_ref["1.a"].flags
    # an item's own subject wins over the addressees; "Mỗi …" is the group "Các …"
    assert by_ref["1.b"].lead_units == ["Mỗi cơ quan, đơn vị, địa phương"]
    assert "unknown-unit" not in by_ref["1.b"].flags


@pytest.mark.parametrize("sentence, defined", [
    ("Bộ Công an đề nghị các bộ, cơ quan chủ dự án, tiểu dự án thành phần (gọi là chủ dự án thành phần), các bộ, cơ quan "
     "trung ương và UBND cấp tỉnh được giao kế hoạch vốn thực hiện Chương trình (gọi là cơ quan chủ quản Chương trình) "
     "phối hợp chỉ đạo thực hiện một số nội dung sau:", ["Chủ dự án thành phần, Cơ quan chủ quản Chương trình"]),
    # a single body keeps its full name: "gọi tắt là Sở" is a short form, not the document's name for a list
    ("Ủy ban nhân dân tỉnh đề nghị Sở Nội vụ (sau đây gọi tắt là Sở) thực hiện một số nội dung sau:", ["Sở Nội vụ (sau đây gọi tắt là Sở)"]),
])
def test_a_list_the_letter_names_by_a_term_of_its_own(sentence, defined):
    from extractors.obligations.split import addressees_of
    assert addressees_of(sentence) == defined


@pytest.mark.parametrize("sentence, lead", [
    ("Hiệp hội Doanh nghiệp tỉnh: Tuyên truyền, hướng dẫn các Hội viên sử dụng hóa đơn điện tử.", ["Hiệp hội Doanh nghiệp tỉnh"]),
    ("VNPT Quảng Ngãi chủ động phối hợp với Cục Thuế tỉnh triển khai nộp thuế điện tử.", ["VNPT Quảng Ngãi"]),
    ("Về công tác chuẩn bị: Chủ dự án thành phần, cơ quan chủ quản Chương trình chủ động bố trí kinh phí.",
     ["Chủ dự án thành phần, cơ quan chủ quản Chương trình"]),
    ("Giao Phòng 5, Cục Cảnh sát điều tra tội phạm về ma túy, Bộ Công an - đơn vị thường trực Tổ công tác chủ trì kiểm tra.",
     ["Phòng 5, Cục Cảnh sát điều tra tội phạm về ma túy, Bộ Công an"]),
    ("Giao cho Cục Thi hành án dân sự tỉnh có trách nhiệm theo dõi, đôn đốc việc thực hiện.", ["Cục Thi hành án dân sự tỉnh"]),
    ("Ủy ban nhân dân tỉnh giao cho Sở Tư pháp chủ trì thẩm định.", ["Sở Tư pháp"]),
    # `giao ban` is a briefing, not an assignment
    ("Duy trì chế độ họp giao ban ít nhất 01 lần/tháng để đánh giá tiến độ.", []),
    ("Giao Ban Dân tộc tỉnh chủ trì tổng hợp, báo cáo.", ["Ban Dân tộc tỉnh"]),
    # an intro adverbial that lost its comma does not swallow the subject
    ("Trong quá trình thực hiện Thủ trưởng các địa phương chủ động phối hợp với Sở Kế hoạch và Đầu tư, Sở Tài chính "
     "để kịp thời tháo gỡ.", ["Thủ trưởng các địa phương"]),
    ("Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, Sở Tư pháp chủ động báo cáo.", ["Sở Tư pháp"]),
    ("Đối với các trường trung học phổ thông chủ động liên hệ với các doanh nghiệp vận tải, bố trí xe đưa đón.",
     ["các trường trung học phổ thông"]),
    ("Để Sở Tư pháp có đủ căn cứ thẩm định, Văn phòng Ủy ban nhân dân tỉnh gửi hồ sơ trước ngày 10.",
     ["Văn phòng Ủy ban nhân dân tỉnh"]),
    ("Lập kế hoạch vốn nguồn ngân sách trung ương giao cho bộ, cơ quan trung ương để thực hiện Dự án.", []),
    # "tổ chức" in a list of bodies is the noun, not the verb "organise"
    ("Mỗi cơ quan, tổ chức, đơn vị phải chủ động kiểm tra, phát hiện các trường hợp có xung đột lợi ích.",
     ["Mỗi cơ quan, tổ chức, đơn vị"]),
    ("Các sở, ban ngành, địa phương, đơn vị, các tổ chức và doanh nghiệp đóng trên địa bàn tỉnh chủ động bố trí kế hoạch "
     "trực Tết.", ["Các sở, ban ngành, địa phương, đơn vị, các tổ chức và doanh nghiệp đóng trên địa bàn tỉnh"]),
    ("Sở Nội vụ, tổ chức hội nghị sơ kết.", ["Sở Nội vụ"]),
    ("Các sở, ngành và tổ chức thực hiện tốt Chỉ thị.", ["Các sở, ngành"]),
    # a time adverbial before the subject, as a condition is
    ("Ngay sau kỳ nghỉ Tết, các cơ quan, tổ chức, đơn vị khẩn trương tập trung giải quyết công việc.",
     ["các cơ quan, tổ chức, đơn vị"]),
    ("Trong thời gian tới, Sở Y tế chủ trì kiểm tra an toàn thực phẩm.", ["Sở Y tế"]),
    # a company's name goes on in lower case after "và", up to the list's comma
    ("Công ty Điện lực Quảng Ngãi, Công ty Cổ phần Xây dựng và thoát nước đô thị, Bưu điện Quảng Ngãi khẩn trương rà "
     "soát kế hoạch cung ứng điện, nước.",
     ["Công ty Điện lực Quảng Ngãi, Công ty Cổ phần Xây dựng và thoát nước đô thị, Bưu điện Quảng Ngãi"]),
    ("Công ty Điện lực Quảng Ngãi và các doanh nghiệp tăng cường kiểm tra.",
     ["Công ty Điện lực Quảng Ngãi và các doanh nghiệp"]),
    # every title of corpora/unit_words.jsonl heads a doer, and a list of doers goes on with one
    ("Hiệu trưởng các trường trung học phổ thông, giám đốc các trung tâm giáo dục thường xuyên có trách nhiệm chỉ đạo "
     "rà soát tình hình sức khỏe học sinh.",
     ["Hiệu trưởng các trường trung học phổ thông, giám đốc các trung tâm giáo dục thường xuyên"]),
    ("Viện trưởng Viện kiểm sát nhân dân tỉnh chỉ đạo kiểm sát việc thi hành án.", ["Viện trưởng Viện kiểm sát nhân dân tỉnh"]),
    # a verb naming an institution's kind after its noun; after a body's name it is the body's verb
    ("Các cơ sở giáo dục nghề nghiệp tổ chức tuyển sinh theo kế hoạch.", ["Các cơ sở giáo dục nghề nghiệp"]),
    ("Sở Giáo dục và Đào tạo giáo dục học sinh về an toàn giao thông.", ["Sở Giáo dục và Đào tạo"]),
    # a group of doers goes on with schools and centres after a comma
    ("Thủ trưởng các đơn vị, trường học có trách nhiệm thường xuyên theo dõi, rà soát tình hình đội ngũ.",
     ["Thủ trưởng các đơn vị, trường học"]),
    ("Các phòng giáo dục và đào tạo, trường học triển khai kế hoạch phòng, chống dịch.",
     ["Các phòng giáo dục và đào tạo, trường học"]),
    # "lãnh đạo" before a group is its leaders, not the verb
    ("Đề nghị lãnh đạo các đơn vị, địa phương quan tâm chỉ đạo thực hiện.", ["lãnh đạo các đơn vị, địa phương"]),
    ("Tăng cường lãnh đạo, chỉ đạo công tác phòng, chống dịch.", []),
    # whom an order's doer proposes to is no doer; in a report of a request, the one asked is
    ("Nghiên cứu, đề xuất với Chính phủ, Thủ tướng Chính phủ phương hướng, giải pháp để giải quyết những vấn đề "
     "quan trọng, liên ngành về dữ liệu.", []),
    ("Tại buổi làm việc, đồng chí Phó Chủ tịch kiến nghị Bộ Công an hỗ trợ kinh phí.", ["Bộ Công an"]),
    # the reflexive "tự" before a verb ends the name ("Các bộ tư" was read, "tự" respelled as in Bộ Tư pháp)
    ("Các bộ tự theo dõi, đánh giá và cho điểm kết quả thực hiện nhiệm vụ cải cách hành chính.", ["Các bộ"]),
    # a party named by its role keeps the count of the projects it holds; a body's name does not
    ("Yêu cầu Nhà đầu tư 02 dự án lập hồ sơ điều chỉnh chủ trương đầu tư song song với lập hồ sơ điều chỉnh dự án.",
     ["Nhà đầu tư 02 dự án"]),
    ("Chủ đầu tư 03 gói thầu khẩn trương hoàn thành thi công trước ngày 30/6/2026.", ["Chủ đầu tư 03 gói thầu"]),
    ("Sở Xây dựng 02 lần kiểm tra hiện trường trong tháng.", ["Sở Xây dựng"]),
])
def test_subjects_of_real_sentences(sentence, lead):
    from extractors.obligations.split import subject_of
    assert subject_of(sentence)[0] == lead


@pytest.mark.parametrize("text, due", [
    # "Thời gian hoàn thành …" in running text completes the task before it
    ("Nghiên cứu, ban hành kế hoạch tuyên truyền phù hợp. Thời gian hoàn thành ban hành kế hoạch chậm nhất là ngày 30/01/2026.",
     dt.date(2026, 1, 30)),
    # an item already dated keeps its date: a second "Thời hạn …" is another party's step
    ("Thời hạn các bộ gửi danh sách về Bộ Nội vụ chậm nhất là ngày 19/12/2025. Thời hạn các đối tượng trả lời phiếu "
     "chậm nhất là ngày 26/01/2026.", dt.date(2025, 12, 19)),
])
def test_a_completing_time_sentence_dates_the_task(text, due):
    d = directive([item("1", text, role="tasks")])
    d.header.issued_on = dt.date(2025, 12, 1)
    obs = extract_obligations(d).obligations
    assert len(obs) == 1 and obs[0].deadline is not None and obs[0].deadline.due == due


def test_a_note_under_the_items_dates_the_items_it_names():
    d = directive([item("5", "Chủ dự án thành phần:", heading="Chủ dự án thành phần", paragraphs=["Chủ dự án thành phần:"],
                        children=[item("5.a", "Lập kế hoạch giai đoạn 2026-2030.", kind="letter"),
                                  item("5.b", "Xây dựng phương án phân bổ vốn.", kind="letter"),
                                  Section(kind="letter", path="5.c", label="c)", heading="", text="Xây dựng chỉ số giám sát.",
                                          paragraphs=[Paragraph(text="Xây dựng chỉ số giám sát.", page=1),
                                                      Paragraph(text="(Nội dung a, c gửi về Bộ Công an trước ngày 30/9/2025 để "
                                                                     "tổng hợp)", page=1)], page=1),
                                  item("5.d", "Ban hành hướng dẫn nghiệp vụ.", kind="letter")])])
    for s in d.root.children[0].children[:2] + d.root.children[0].children[3:]:
        s.label = s.path[-1] + ")"
    got = {o.ref: (o.deadline.due if o.deadline else None) for o in extract_obligations(d).obligations}
    assert got == {"5.a": dt.date(2025, 9, 30), "5.b": None, "5.c": dt.date(2025, 9, 30), "5.d": None}


@pytest.mark.parametrize("text, dues", [
    # two dated clauses: two tasks; the clause between them opens the second
    ("Khẩn trương nộp hồ sơ thiết kế kỹ thuật trước ngày 28/4/2026; khẩn trương lập báo cáo điều chỉnh hướng tuyến; "
     "hoàn thành báo cáo trước ngày 05/5/2026.", [dt.date(2026, 4, 28), dt.date(2026, 5, 5)]),
    ("Khẩn trương phối hợp Trung tâm Phát triển quỹ đất tỉnh và các đơn vị có liên quan tổ chức kiểm đếm, hoàn thành trong "
     "tháng 4/2026; song song cần tổ chức xét pháp lý ngay. Hoàn thành toàn bộ việc phê duyệt trước ngày 20/5/2026.",
     [dt.date(2026, 4, 30), dt.date(2026, 5, 20)]),
    # one date, or undated clauses after it: one task
    ("Rà soát hồ sơ trước ngày 30/4/2026; đồng thời báo cáo kết quả về Sở Xây dựng.", [dt.date(2026, 4, 30)]),
])
def test_clauses_with_dates_of_their_own_are_tasks_of_their_own(text, dues):
    d = directive([item("1", text, role="tasks")])
    d.header.issued_on = dt.date(2026, 4, 10)
    assert [o.deadline.due if o.deadline else None for o in extract_obligations(d).obligations] == dues


def test_a_topic_heading_names_no_doer_whatever_nouns_it_holds():
    # "chính quyền số" is no body: the lead-in under the heading names the doer
    heading = "Về xây dựng chính quyền điện tử, chính quyền số"
    lead_in = "Giao Sở Khoa học và Công nghệ chủ trì, phối hợp các cơ quan, đơn vị liên quan:"
    # a DOCX: the bold topic title runs into the lead-in on one line
    sec = item("5", f"{heading} {lead_in}", heading=f"{heading} {lead_in}",
               children=[item("5.a", "Thường xuyên theo dõi, kiểm tra, báo cáo lãnh đạo UBND tỉnh.", kind="letter")])
    sec.title = heading
    obs = extract_obligations(directive([sec])).obligations
    assert [(o.ref, o.lead_units) for o in obs] == [("5.a", ["Sở Khoa học và Công nghệ"])]


def test_a_sentence_turning_to_another_party_is_its_task():
    """"Riêng đối với <unit>, …" gives that unit a task of its own; "Đối với <topic>, …" does not."""
    sec = item("1", "Các sở, ban, ngành, UBND các xã, phường, đặc khu:", children=[
        item("1.a", "Thông tin, tuyên truyền kịp thời về kết quả thực hiện CCHC trên Trang thông tin điện tử của cơ quan. "
                    "Riêng đối với các đơn vị sự nghiệp công lập thuộc UBND tỉnh, hằng quý có ít nhất 01 tin, bài về "
                    "thực hiện CCHC gửi đăng trên Trang thông tin CCHC của tỉnh.", kind="letter"),
        item("1.b", "Đối với các xã chưa hoàn thành, cần khẩn trương rà soát hồ sơ.", kind="letter")])
    obs = extract_obligations(directive([sec])).obligations
    assert [(o.ref, o.lead_units, o.deadline and o.deadline.recurrence) for o in obs] == [
        ("1.a", ["Các sở, ban, ngành", "Ủy ban nhân dân các xã, phường, đặc khu"], None),
        ("1.a", ["Các đơn vị sự nghiệp công lập thuộc Ủy ban nhân dân tỉnh"], "quarterly"),
        ("1.b", ["Các sở, ban, ngành", "Ủy ban nhân dân các xã, phường, đặc khu"], None)]


@pytest.mark.parametrize("text, kept", [
    ("Văn phòng Ủy ban nhân dân tỉnh thông báo để các cơ quan, đơn vị biết, thực hiện./.", False),
    ("Thông báo cho các sở, ngành, địa phương biết và thực hiện.", False),
    # "biết" with an object: notifying someone of something is the task
    ("Kịp thời thông báo cho các doanh nghiệp mới thành lập biết chủ trương của Chính phủ về hóa đơn điện tử.", True),
])
def test_the_closing_notice_formula_is_no_task(text, kept):
    pieces = split_unit_text(text, ref="4", page=1, scope=["Sở Kế hoạch và Đầu tư"], role="tasks")
    assert bool(pieces) == kept


@pytest.mark.parametrize("text, supports", [
    # a note in brackets after a name does not end the list
    ("Sở Thông tin và Truyền thông chủ động phối hợp Sở Nông nghiệp và Phát triển nông thôn (Cơ quan Thường trực về "
     "Phòng, chống thiên tai), Sở Giao thông vận tải, Đài Khí tượng Thủy văn Quảng Ngãi cung cấp thông tin dự báo",
     ["Sở Nông nghiệp và Phát triển nông thôn, Sở Giao thông vận tải, Đài Khí tượng Thủy văn Quảng Ngãi"]),
    # "phối hợp, hỗ trợ X": X is asked to help as with "phối hợp với X"
    ("Công an tỉnh, Bộ Chỉ huy Quân sự tỉnh phối hợp, hỗ trợ chính quyền địa phương, Sở Giao thông vận tải trong "
     "công tác phân luồng", ["chính quyền địa phương, Sở Giao thông vận tải"]),
    ("Chủ trì, phối hợp với các cơ quan, tổ chức liên quan triển khai điều tra xã hội học.",
     ["các cơ quan, tổ chức liên quan"]),
    # "cùng (với) X" asks X to help as "phối hợp với X" does; "cùng với việc …" names no one
    ("Cùng các ngân hàng thương mại phát động hỗ trợ triển khai thanh toán qua mã QR.", ["các ngân hàng thương mại"]),
    ("Giao Sở Nội vụ chủ trì cùng với các đơn vị tổ chức phân tích cụ thể từng chỉ tiêu.", ["các đơn vị"]),
    ("Cùng với việc rà soát thủ tục, đẩy mạnh thanh toán không dùng tiền mặt.", []),
    # "chức năng" closes a collective: a relation, a level or an owner may follow, never what it does
    ("đồng thời phối hợp với Sở Giao thông vận tải, Công an tỉnh và các lực lượng chức năng phân luồng đảm bảo giao "
     "thông, hướng dẫn người dân đi lại", ["Sở Giao thông vận tải, Công an tỉnh và các lực lượng chức năng"]),
    ("Phối hợp với các cơ quan chức năng có liên quan kiểm tra, xử lý vi phạm.", ["các cơ quan chức năng có liên quan"]),
    ("Phối hợp với các cơ quan chức năng tỉnh kiểm tra, xử lý vi phạm.", ["các cơ quan chức năng tỉnh"]),
    # a province's body printed with the province's name for "tỉnh", a word of it in lower case
    ("Chủ trì, phối hợp với Sở Giao thông vận tải, Đài khí tượng Thủy văn Quảng Ngãi và các địa phương, đơn vị liên "
     "quan cung cấp thông tin dự báo", ["Sở Giao thông vận tải, Đài khí tượng Thủy văn Quảng Ngãi và các địa phương, "
                                        "đơn vị liên quan"]),
    # "và cơ quan chức năng …" goes on the list although the tagger glues it into one verb
    ("Chủ động, tăng cường phối hợp với các bộ ngành Trung ương và cơ quan chức năng của thành phố để đẩy nhanh "
     "tiến độ thực hiện Đề án", ["các bộ ngành Trung ương và cơ quan chức năng của thành phố"]),
])
def test_supports_named_after_phoi_hop(text, supports):
    from extractors.obligations.split import supports_of

    assert supports_of(text) == supports


@pytest.mark.parametrize("text", [
    "(Kèm theo Công văn số 4214/BCA-C04 ngày 16 tháng 9 năm 2025) Họ và tên | Chức vụ | Đơn vị công tác",
    "Danh sách lãnh đạo cấp Sở phụ trách Họ và tên Chức vụ Đơn vị Số điện thoại Địa chỉ thư điện tử",
])
def test_a_form_to_fill_is_no_task(text):
    assert split_unit_text(text, ref="1", page=3, scope=["Cục Cảnh sát điều tra tội phạm về ma túy"], role="tasks") == []


def test_a_plans_audience_section_gives_only_the_tasks_that_name_their_doer():
    sec = item("II", "ĐỐI TƯỢNG, NỘI DUNG VÀ HÌNH THỨC TUYÊN TRUYỀN", kind="roman", role="scope", children=[
        item("II.1", "Tuyên truyền vai trò, ý nghĩa và lợi ích khi sử dụng dịch vụ công trực tuyến."),
        item("II.2", "Các sở, ban, ngành và UBND các xã, phường, đặc khu đưa nội dung CCHC vào các cuộc họp thường kỳ.")])
    obs = extract_obligations(directive([sec])).obligations
    assert [(o.ref, o.lead_units) for o in obs] == [
        ("II.2", ["Các sở, ban, ngành", "Ủy ban nhân dân các xã, phường, đặc khu"])]


def test_an_attached_drafts_header_run_into_a_paragraph_is_no_task():
    text = ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM TỈNH LÂM ĐỒNG Số: /QĐ-UBND Độc lập - Tự do - Hạnh phúc "
            "Lâm Đồng, ngày tháng năm 2025 DỰ THẢO QUYẾT ĐỊNH Thành lập Ban Chỉ đạo về dữ liệu tỉnh Lâm Đồng")
    assert split_unit_text(text, ref=None, page=3, scope=["Công an tỉnh"], role="tasks") == []


@pytest.mark.parametrize("text, kept", [
    ("Phó Chủ nhiệm Văn phòng Quốc hội Nguyễn Mạnh Hùng;", False),
    ("Thống đốc Ngân hàng Nhà nước Việt Nam Nguyễn Thị Hồng;", False),
    ("Quyền Bộ trưởng Bộ Ngoại giao Lê Hoài Trung;", False),
    # "Ban Chỉ đạo" in the office is a name, not the verb
    ("Ủy viên chuyên trách Ban Chỉ đạo Trung ương về phát triển khoa học công nghệ, đổi mới sáng tạo và chuyển đổi số "
     "Nguyễn Huy Dũng;", False),
    # the office without the person, a portfolio after it
    ("Chỉ huy trưởng Bộ Chỉ huy Quân sự tỉnh;", False),
    ("Phó Giám đốc Công an tỉnh phụ trách Đề án 06;", False),
    ("Phó Giám đốc Sở Khoa học và Công nghệ phụ trách công tác chuyển đổi số.", False),
    ("Giám đốc Công an tỉnh tăng cường kiểm tra, xử lý vi phạm.", True),
    ("Giám đốc Sở Tài chính bố trí kinh phí cho Ban Chỉ đạo.", True),
    # a member asked to do something is a task
    ("Giám đốc Sở Tài chính chủ trì thẩm định kinh phí, báo cáo đồng chí Nguyễn Văn An.", True),
])
def test_a_committees_membership_line_is_no_task(text, kept):
    pieces = split_unit_text(text, ref="1.6", page=1, scope=["Các thành viên Ban Chỉ đạo"], role="articles")
    assert bool(pieces) == kept


@pytest.mark.parametrize("sentence, background", [
    ("Năm 2025, Sở Tư pháp đã ban hành 03 Kế hoạch và tổ chức 12 hội nghị.", True),
    ("Công tác cải cách hành chính còn hạn chế, tỷ lệ hồ sơ trễ hẹn còn cao.", True),
    # what was already assigned is what is to be done
    ("Chỉ đạo thực hiện nghiêm túc các nhiệm vụ đã được phân công tại Kế hoạch số 12/KH-UBND.", False),
    ("Thực hiện các nhiệm vụ đã được giao tại Quyết định số 06/QĐ-TTg.", False),
    ("Khẩn trương hoàn thành các nhiệm vụ còn chậm.", False),
    # a past clause that only qualifies what the order works on
    ("Tổ chức rà soát toàn bộ hệ thống văn bản quy phạm pháp luật, đánh giá tính hợp pháp của các văn bản đã ban hành.",
     False),
    ("Cập nhật đầy đủ quy trình, nội dung TTHC đã được UBND tỉnh công bố lên Hệ thống Cổng dịch vụ công quốc gia.", False),
    ("Hoàn thành việc chi trả tiền bồi thường cho 37 hộ đã được phê duyệt phương án trong tháng 5/2026.", False),
    # … but a past with its doer, after a comma, or of a result is a report
    ("Thực hiện Kế hoạch số 12/KH-UBND, UBND tỉnh đã ban hành 03 văn bản chỉ đạo.", True),
    ("Thực hiện tốt công tác tuyên truyền, đã tổ chức 12 hội nghị.", True),
    ("Triển khai các giải pháp trọng tâm đã đạt kết quả tích cực.", True),
    # who to call is no task
    ("Đầu mối liên hệ: đ/c Hoàng Thị Hiền, Công an tỉnh - SĐT: 035.605.1555./.", True),
    ("Mọi thông tin cần trao đổi, đề nghị các đơn vị liên hệ Cục Cảnh sát điều tra tội phạm về ma túy "
     "(Đồng chí Nguyễn Văn A, điện thoại: 0988.688.580).", True),
    ("Tiếp nhận, giải quyết vướng mắc của các tỉnh: Ông Nguyễn Văn B, Vụ Cải cách hành chính; số điện thoại: "
     "0982.627.828; email: b@moha.gov.vn.", True),
    ("Sở Thông tin và Truyền thông công khai số điện thoại đường dây nóng trên Cổng thông tin điện tử.", False),
    # a report's closing asks nothing; a closing that asks is a task
    ("Trên đây là Báo cáo kết quả thực hiện Đề án 06 tháng 10/2025.", True),
    ("Trên đây là báo cáo của Ủy ban nhân dân tỉnh, đề nghị Bộ Công an xem xét, hỗ trợ.", False),
    ("KIẾN NGHỊ, ĐỀ XUẤT: Không.", True),              # a report's heading with nothing under it
    # a Tờ trình's proposal to its superior asks a decision, not work; a polite request to peers is work
    ("Công an tỉnh kính báo cáo Lãnh đạo UBND tỉnh chỉ đạo thẩm định và duyệt, ký.", True),
    ("Sở Nội vụ kính trình Ủy ban nhân dân tỉnh xem xét, phê duyệt Kế hoạch.", True),
    ("Sở Nội vụ kính đề nghị các sở, ngành phối hợp gửi số liệu trước ngày 15/12/2025.", False),
])
def test_a_report_of_the_past_is_background_a_task_that_mentions_one_is_not(sentence, background):
    from extractors.obligations.split import is_background
    assert is_background(sentence) is background


# (lead-in over its items, whether the lead-in stays a task) — NOTES: a lead-in ending in "sau:", "lưu ý:",
# "cụ thể:" whose content is only the sum of its sub-items is no obligation; one with demands of its own is
WRAPPERS = [
    ("Thực hiện tốt các biện pháp phòng ngừa tham nhũng, tiêu cực, trọng tâm là các nội dung sau:", False),
    ("Theo dõi, đôn đốc, phối hợp với các sở, ban, ngành tham mưu, đề xuất và tổ chức thực hiện các nhiệm vụ:", False),
    ("Sở Tài chính chủ trì, phối hợp với Công an tỉnh tham mưu Ủy ban nhân dân tỉnh:", False),
    ("Công tác đánh giá, xác định và giải quyết bồi thường thiệt hại:", False),
    # its own demand before "trong đó"
    ("Nâng cao hiệu quả phát hiện, xử lý tham nhũng qua thanh tra, kiểm tra; trong đó lưu ý một số nội dung sau:", True),
    ("Yêu cầu các sở, ngành nâng cao trách nhiệm, chủ động trong tổ chức thực hiện. Tăng cường làm việc trực tiếp, "
     "kịp thời tháo gỡ khó khăn, trong đó tập trung triển khai các nhiệm vụ cụ thể như sau:", True),
    # what the items list are the parts of the thing it asks for
    ("Báo cáo kết quả tự đánh giá, chấm điểm phải do lãnh đạo tỉnh phê duyệt, gồm các nội dung sau:", True),
]


@pytest.mark.parametrize("lead_in, kept", WRAPPERS, ids=[w[0][:30] for w in WRAPPERS])
def test_a_lead_in_whose_items_are_its_tasks_is_no_task(lead_in, kept):
    d = directive([item("2", "Sở Nội vụ:", heading="Sở Nội vụ", role="tasks", children=[
        item("2.a", lead_in, kind="letter", heading="", children=[
            bullet("2.a", "Rà soát, đánh giá các quy trình nội bộ, hoàn thành trong tháng 3/2026."),
            bullet("2.a", "Xử lý nghiêm các vi phạm được phát hiện qua thanh tra, kiểm tra.")])])])
    obs = extract_obligations(d).obligations
    assert (obs[0].text == collapse_ws(lead_in)) is kept
    assert len(obs) == (3 if kept else 2)
    assert all(o.lead_units for o in obs)


def test_a_dropped_lead_in_passes_its_partners_and_time_frame_to_its_items():
    d = directive([item("II.4", "Trung tâm Phát triển quỹ đất tỉnh:", heading="Trung tâm Phát triển quỹ đất tỉnh",
                        role="tasks", children=[
        bullet("II.4", "Chủ trì, phối hợp chặt chẽ với Ban Quản lý dự án đầu tư xây dựng số 1 trong việc tập trung giải "
                       "phóng mặt bằng các đoạn tuyến dự kiến khởi công trước ngày 30/4/2026, trong đó:"),
        bullet("II.4", "Trong tháng 11/2025, tập trung thực hiện những nhiệm vụ trọng tâm sau đây:")])])
    d.root.children[0].children[0].children = [bullet("II.4", "Tập trung ưu tiên giải phóng mặt bằng tại nút giao Km113.")]
    d.root.children[0].children[1].children = [bullet("II.4", "Hoàn thành việc số hóa hồ sơ thủ tục hành chính.")]
    obs = extract_obligations(d).obligations
    assert [o.text[:9] for o in obs] == ["Tập trung", "Hoàn thàn"]
    assert obs[0].support_units == ["Ban Quản lý dự án đầu tư xây dựng số 1"]
    assert obs[1].deadline.due == dt.date(2025, 11, 30)


# (a heading line over what follows, as the section's first paragraph) — a topic is no task
TOPIC_HEADINGS = [
    ("Công tác phòng ngừa sự cố", True),                  # over bullets
    ("Đối với các nội dung kiến nghị, đề xuất liên quan đến thực hiện 02 Chương trình:", False),   # over a paragraph
    ("Công tác đánh giá, xác định và giải quyết bồi thường thiệt hại:", False),
]


@pytest.mark.parametrize("heading, bullets", TOPIC_HEADINGS, ids=[t[0][:30] for t in TOPIC_HEADINGS])
def test_a_topic_heading_is_no_task(heading, bullets):
    task = "Giao Sở Tài chính chủ động phối hợp với các sở, ngành rà soát, tổng hợp các kiến nghị."
    section = item("3", heading, heading=heading.rstrip(":"), role="tasks",
                   children=[bullet("3", task)] if bullets else [],
                   paragraphs=[heading] if bullets else [heading, task])
    obs = extract_obligations(directive([section])).obligations
    assert [o.text for o in obs] == [task]


# (sentence of a founding decision or a proposal, whether it is a task)
STATUS = [
    ("Ban Chỉ đạo quốc gia về dữ liệu là tổ chức phối hợp liên ngành, có chức năng nghiên cứu, tư vấn, khuyến nghị "
     "và giúp Chính phủ chỉ đạo, phối hợp thực hiện các chủ trương về dữ liệu.", False),
    ("Các thành viên Ban Chỉ đạo làm việc theo Quy chế tổ chức và hoạt động của Ban Chỉ đạo.", False),
    ("Các thành viên của Ban Chỉ đạo làm việc theo chế độ kiêm nhiệm và được hưởng các chế độ theo quy định hiện hành.",
     False),
    ("Trưởng Ban Chỉ đạo, các Phó Trưởng Ban Chỉ đạo, các thành viên khác sử dụng con dấu của cơ quan nơi công tác.", False),
    ("Sở Khoa học và Công nghệ được giao “Chủ trì triển khai, theo dõi, đôn đốc, hướng dẫn việc thực hiện Kế hoạch này; "
     "kịp thời tổng hợp, báo cáo Ủy ban nhân dân tỉnh”.", False),
    # what a rubric or a table says a thing is
    ("Mức XUẤT SẮC tương ứng với kết quả Chỉ số CCHC đạt từ 90% trở lên;", False),
    ("Các tiêu chí, tiêu chí thành phần đánh giá qua điều tra xã hội học được thể hiện tại cột “Ghi chú” của Bảng 1.",
     False),
    # an order about the work, or a body that is given a duty of its own
    ("Xây dựng kế hoạch tương ứng với mục tiêu của Chương trình.", True),
    ("Các lực lượng làm việc theo chế độ trực 24/24 giờ trong thời gian xảy ra bão.", True),
    ("Sở Nội vụ là cơ quan thường trực, có chức năng tham mưu và có trách nhiệm theo dõi, đôn đốc các thành viên.", True),
    ("Sở Khoa học và Công nghệ làm nhiệm vụ cơ quan thường trực của Ban Chỉ đạo; bảo đảm các điều kiện cần thiết cho "
     "hoạt động của Ban Chỉ đạo.", True),
]


@pytest.mark.parametrize("sentence, task", STATUS, ids=[s[0][:30] for s in STATUS])
def test_what_a_body_is_or_how_it_works_is_no_task(sentence, task):
    pieces = split_unit_text(sentence, ref="Điều 4", page=1, scope=[], role="articles")
    assert bool(pieces) is task
