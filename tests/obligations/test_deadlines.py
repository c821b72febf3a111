"""Deadline normaliser: a sentence table and hypothesis properties."""
import calendar
import datetime as dt

import pytest
from hypothesis import given, strategies as st

from extractors.obligations.deadlines import find_deadline, is_before_document, parse_deadline

D = dt.date

CELLS = [
    ("Tháng 02/2024", D(2024, 2, 29), None, None),
    ("Tháng 3/2024", D(2024, 3, 31), None, None),
    ("Tháng 02/2023", D(2023, 2, 28), None, None),
    ("Quý I/2024", D(2024, 3, 31), None, None),
    ("Quý II/2024", D(2024, 6, 30), None, None),
    ("Quý IV/2024", D(2024, 12, 31), None, None),
    ("quý 3 năm 2025", D(2025, 9, 30), None, None),
    ("6 tháng đầu năm 2024", D(2024, 6, 30), None, None),
    ("06 tháng cuối năm 2024", D(2024, 12, 31), None, None),
    ("Trong năm 2024", D(2024, 12, 31), None, None),
    ("Năm 2024.", D(2024, 12, 31), None, None),
    ("trước ngày 21/6/2023", D(2023, 6, 21), None, None),
    ("Hoàn thành trong tháng 02/2024", D(2024, 2, 29), None, None),
    ("trước 30/6/2024", D(2024, 6, 30), None, None),
    ("chậm nhất là ngày 23 tháng 01 năm 2026", D(2026, 1, 23), None, None),
    ("trước 14 giờ 00 ngày 29/7/2020", D(2020, 7, 29), None, None),
    ("trước I4 giờ 00 ngày 29/7/2020", D(2020, 7, 29), None, None),     # OCR read the hour's 1 as an I
    ("trước l6 giờ thứ sáu hằng tuần", None, "weekly", 5),              # ... or as an l
    ("Ngày 22 hàng tháng", None, "monthly", 22),
    ("Định kỳ trước ngày 10 hàng tháng", None, "monthly", 10),
    # a day of the period after each one: each month's, each year's report
    ("Trước ngày 05 của tháng liền kề", None, "monthly", 5),
    ("Trước ngày 31/01 năm liền kề", None, "yearly", None),
    ("Ban hành kế hoạch chậm nhất là ngày 31/12 năm trước liền kề", None, "yearly", None),
    ("trước ngày 15 tháng 12 năm 2025", D(2025, 12, 15), None, None),
    ("Định kỳ vào ngày 15 hàng tháng", None, "monthly", 15),
    ("trước ngày 25 hằng tháng", None, "monthly", 25),
    ("Hằng quý", None, "quarterly", None),
    ("định kỳ 6 tháng", None, "halfyearly", None),
    ("Hàng tháng", None, "monthly", None),
    ("Thường xuyên", None, "ongoing", None),
    ("Thực hiện thường xuyên", None, "ongoing", None),
    ("Từ tháng 01/2024 và thực hiện thường xuyên", None, "ongoing", None),
    ("Theo lộ trình của Chính phủ", None, None, None),
    ("Theo Lộ trình của Chính phủ", None, None, None),
    ("trước 16 giờ thứ sáu hằng tuần", None, "weekly", 5),
    ("Định kỳ hằng tuần (trước 16 giờ ngày thứ hai)", None, "weekly", 1),
    ("hằng năm", None, "yearly", None),
    ("Hàng năm", None, "yearly", None),
    # the date a document is cited with is its issue date, not a due date: the cited document sets them
    ("Theo các mốc thời gian tại Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch UBND tỉnh", None, None, None),
    ("Theo Kế hoạch số 53/KH-UBND, ngày 06/02/2024", None, None, None),
    ("Trước ngày 30/6/2026 (theo Công văn số 12/UBND-NC ngày 02/01/2026)", D(2026, 6, 30), None, None),
]


@pytest.mark.parametrize("text,due,recurrence,day", CELLS)
def test_cell(text, due, recurrence, day):
    d = parse_deadline(text)
    assert d is not None
    assert (d.due, d.recurrence, d.day) == (due, recurrence, day)
    assert d.raw == text.strip(" .;,:()*")


@pytest.mark.parametrize("cell, due, recurrence", [
    ("Trước ngày 31/01 năm liền kề", None, "yearly"),      # the year after each one, not the plan's
    ("Trước ngày 31/01", D(2026, 1, 31), None),              # a day and month alone: the plan's year
])
def test_a_plans_day_and_month_against_a_relative_year(cell, due, recurrence):
    got = parse_deadline(cell, year=2026)
    assert (got.due, got.recurrence) == (due, recurrence)


def test_start_is_kept_for_from_month():
    d = parse_deadline("Từ tháng 01/2024 và thực hiện thường xuyên")
    assert d.start == D(2024, 1, 1) and d.due is None


@pytest.mark.parametrize("text", ["", "   ", "Báo cáo kết quả thực hiện", "Văn bản chỉ đạo", None])
def test_no_deadline(text):
    assert parse_deadline(text) is None


SENTENCES = [
    # dated phrase needs a deadline word; citation dates are not deadlines
    ("Theo dõi, đôn đốc triển khai thực hiện Quyết định số 4466/QĐ-UBND ngày 01/12/2023 của Ủy ban nhân dân tỉnh", None),
    ("phấn đấu cấp 860.000 tài khoản định danh điện tử trước ngày 21/6/2023; 100% thủ tục", (D(2023, 6, 21), None, None)),
    ("Các ngành có liên quan chủ động xây dựng các mô hình, hoàn thành các mục tiêu trong năm 2023, tạo nền tảng",
     (D(2023, 12, 31), None, None)),
    ("Hàng năm, căn cứ vào các nhiệm vụ để xây dựng kế hoạch thực hiện theo lộ trình đến năm 2030", (None, "yearly", None)),
    ("Định kỳ trước ngày 10 hàng tháng, báo cáo kết quả về Đảng ủy Công an tỉnh", (None, "monthly", 10)),
    ("Chủ trì, phối hợp với các cơ quan chức năng liên quan thường xuyên rà soát, cập nhật", (None, "ongoing", None)),
    ("Thường xuyên mở các đợt cao điểm chuyên đề", (None, "ongoing", None)),
    # a repeat word in a later clause or a passive requirement is not the obligation's deadline
    ("Tiếp tục lãnh đạo, chỉ đạo quán triệt; thường xuyên đôn đốc, kiểm tra", None),
    ("Cơ sở hạ tầng phải được kiểm tra, giám sát thường xuyên; cán bộ", None),
    ("Chủ trì, phối hợp với Văn phòng tham mưu thực hiện chế độ báo cáo định kỳ cho Văn phòng Chính phủ", None),
    ("tầm nhìn đến năm 2030 trên địa bàn tỉnh", None),
    # a dated phrase wins over a repeat word around it
    ("báo cáo kết quả cho Chủ tịch UBND tỉnh (lồng ghép trong báo cáo định kỳ tháng 02/2024)", (D(2024, 2, 29), None, None)),
    ("Các cơ quan ban hành Kế hoạch. Hoàn thành trong tháng 02/2024.", (D(2024, 2, 29), None, None)),
    ("Báo cáo kết quả về Sở Nội vụ chậm nhất là ngày 23 tháng 01 năm 2026.", (D(2026, 1, 23), None, None)),
    # a cadence stated with its period ("định kỳ hằng tháng") holds in any clause; a bare "định kỳ" names none
    ("Theo dõi sát tình hình thực hiện; định kỳ hàng tháng báo cáo UBND tỉnh kết quả thực hiện", (None, "monthly", None)),
    ("Tiếp nhận, xử lý phản ánh của người dân; định kỳ hằng tuần báo cáo kết quả xử lý", (None, "weekly", None)),
    ("Rà soát hồ sơ tồn đọng; định kỳ tổng hợp, báo cáo Ủy ban nhân dân tỉnh", None),
    # … and over a bare period word before it, which may qualify a noun
    ("Các sở, ngành căn cứ kế hoạch cải cách hành chính hằng năm của cơ quan mình, định kỳ hằng tháng có trách nhiệm "
     "rà soát, tự đánh giá và cập nhật kết quả thực hiện", (None, "monthly", None)),
    ("Lập kế hoạch thực hiện Chương trình hằng năm, gửi Sở Tài chính tổng hợp", (None, "yearly", None)),
    ("Duy trì chế độ họp giao ban định kỳ 02 tuần/lần với các đơn vị liên quan", (None, "ongoing", None)),
    # a closing note in brackets governs the whole item
    ("Tăng cường kiểm tra, giám sát. Tổ chức sơ kết, tổng kết theo quy định (Thực hiện thường xuyên).", (None, "ongoing", None)),
    ("Tổ chức sơ kết, tổng kết (thực hiện thường xuyên theo chỉ đạo của Chính phủ về việc kiểm tra định kỳ).", None),
    # a topic before a colon is no verb: the cadence after it governs the item
    ("Đối với chương trình “Đối thoại về cải cách hành chính”: Định kỳ phát sóng mỗi tháng 02 chuyên mục", (None, "monthly", None)),
    # a repeat with its day or hour wins over a bare one
    ("Tổ chức đánh giá và công khai hằng tháng kết quả; công khai kết quả chậm nhất vào ngày 05 hằng tháng.",
     (None, "monthly", 5)),
    ("Hằng tháng tổ chức 01 cuộc đối thoại với doanh nghiệp. Trước 16 giờ hằng tuần báo cáo kết quả về Lãnh đạo "
     "Ủy ban nhân dân tỉnh.", (None, "weekly", None)),
    ("Hằng tháng tổ chức 01 cuộc đối thoại với doanh nghiệp; theo dõi, đôn đốc các cơ quan giải quyết kiến nghị.",
     (None, "monthly", None)),
    # parts of one task joined by "và", each dated: the task is done with its last part
    ("Phấn đấu hoàn thành phê duyệt điều chỉnh chủ trương đầu tư trước 30/5/2026 và điều chỉnh dự án đầu tư "
     "trước ngày 15/6/2026.", (D(2026, 6, 15), None, None)),
    ("Hoàn thành phê duyệt trước ngày 15/5/2026; bàn giao mặt bằng trước ngày 30/6/2026.", (D(2026, 5, 15), None, None)),
    # an open run of months, a note on where work goes on: no deadline
    ("Bảo đảm triển khai thi công các hạng mục theo kế hoạch trong tháng 4/2026 và các tháng tiếp theo.", None),
    ("Xây dựng kế hoạch thi công cụ thể, trong đó lưu ý các vị trí triển khai thi công trong tháng 4/2026.", None),
    # the main action right after the helpers' formula, a semicolon inside their list
    ("Phối hợp với các sở, ngành; cơ quan thông tấn, báo chí tổ chức tuyên truyền thường xuyên, liên tục nội dung "
     "quy định của chính sách về hóa đơn điện tử", (None, "ongoing", None)),
    ("Phối hợp với các sở, ngành tổ chức tập huấn cho doanh nghiệp; kiểm tra thường xuyên việc sử dụng hóa đơn", None),
    # a worn V in a scanned roman quarter reads as W
    ("ban hành các quy định, hướng dẫn (hoàn thành trong quý IW/2025).", (D(2025, 12, 31), None, None)),
]


@pytest.mark.parametrize("text,expected", SENTENCES)
def test_sentence(text, expected):
    d = find_deadline(text)
    got = None if d is None else (d.due, d.recurrence, d.day)
    assert got == expected


def test_before_document_is_kept_and_detectable():
    d = parse_deadline("Tháng 6/2023")
    assert d.due == D(2023, 6, 30)
    assert is_before_document(d, D(2024, 2, 6))
    assert not is_before_document(d, D(2023, 1, 1))
    assert not is_before_document(parse_deadline("Thường xuyên"), D(2024, 2, 6))


years = st.integers(min_value=1990, max_value=2060)


@given(years, st.integers(1, 12))
def test_month_due_is_last_day_of_that_month(y, m):
    d = parse_deadline(f"Tháng {m:02d}/{y}")
    assert d.due == D(y, m, calendar.monthrange(y, m)[1])
    assert d.due >= D(y, m, 1)


@given(years, st.sampled_from(["I", "II", "III", "IV"]), st.booleans())
def test_quarter_due_is_inside_the_quarter(y, q, words):
    n = {"I": 1, "II": 2, "III": 3, "IV": 4}[q]
    d = parse_deadline(f"Quý {q} năm {y}" if words else f"Quý {q}/{y}")
    assert d.due == D(y, 3 * n, 31 if n in (1, 4) else 30)     # the quarter's last day


@given(years, st.integers(1, 12), st.integers(1, 31), st.sampled_from(["trước ngày {d}/{m}/{y}", "trước {d}/{m}/{y}",
                                                                        "chậm nhất là ngày {d} tháng {m} năm {y}"]))
def test_dates_are_real_or_none(y, m, day, form):
    d = parse_deadline(form.format(d=day, m=m, y=y))
    if day > calendar.monthrange(y, m)[1]:
        assert d is None                  # 31/4 or 29/2 of a common year is no deadline at all
    else:
        assert d.due == D(y, m, day)


@given(st.text(alphabet="0123456789/ thángquýnămIVhàngđịnhkỳtrước", max_size=40))
def test_never_raises_and_due_is_a_date(s):
    d = parse_deadline(s)
    if d is not None and d.due is not None:
        assert isinstance(d.due, dt.date)


@given(years)
def test_year_and_half(y):
    assert parse_deadline(f"Trong năm {y}").due == D(y, 12, 31)
    assert parse_deadline(f"6 tháng đầu năm {y}").due == D(y, 6, 30)


@pytest.mark.parametrize("text, issued, due", [
    ("Chủ trì tổ chức các hoạt động tuyên truyền về chuyển đổi số nhân ngày Chuyển đổi số Quốc gia 10/10.",
     D(2026, 1, 10), D(2026, 10, 10)),
    # the occasion already past in the document's year: the next one
    ("Tổ chức các hoạt động hưởng ứng nhân dịp kỷ niệm ngày Pháp luật Việt Nam 9/11.", D(2026, 11, 20), D(2027, 11, 9)),
    # printed with its year: that year
    ("Tổ chức mít tinh nhân ngày 10/10/2026 tại trụ sở.", D(2026, 1, 10), D(2026, 10, 10)),
])
def test_an_occasions_day(text, issued, due):
    d = find_deadline(text, document_date=issued)
    assert d.due == due


def test_an_occasions_day_needs_a_year_from_somewhere():
    assert find_deadline("Tổ chức các hoạt động nhân ngày Chuyển đổi số Quốc gia 10/10.") is None
