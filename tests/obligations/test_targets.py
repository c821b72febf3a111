"""Targets vs achieved figures; Vietnamese numbers."""
import pytest
from hypothesis import given, strategies as st

from extractors.obligations.targets import find_figures, parse_number


@pytest.mark.parametrize("text,value", [("860.000", 860000), ("0,68", 0.68), ("15,6", 15.6), ("100", 100),
                                        ("1.234.567", 1234567), ("12,5", 12.5)])
def test_parse_number(text, value):
    assert parse_number(text) == value


@given(st.integers(0, 10**9))
def test_thousands_roundtrip(n):
    s = f"{n:,}".replace(",", ".")
    assert parse_number(s) == n


def figures(text, context="task"):
    return [(t.value, t.unit, t.kind) for t in find_figures(text, context=context)]


CASES = [
    ("Phấn đấu 100% thủ tục hành chính đủ điều kiện được cung cấp dịch vụ công trực tuyến", [(100, "%", "target")]),
    ("phấn đấu cấp 860.000 tài khoản định danh điện tử trước ngày 21/6/2023", [(860000, "count", "target")]),
    ("Rà soát triển khai tối thiểu 20 dịch vụ công không sử dụng hồ sơ giấy", [(20, "count", "target")]),
    ("theo hướng cắt giảm tối thiểu 20% thông tin phải khai báo", [(20, "%", "target")]),
    ("Sở Tư pháp đã số hóa dữ liệu hộ tịch đạt gần 82%", [(82, "%", "achieved")]),
    ("Cấp đổi giấy phép lái xe mới đạt 0,68%", [(0.68, "%", "achieved")]),
    ("kích hoạt tài khoản định danh điện tử đạt 15,6%", [(15.6, "%", "achieved")], "report"),
    # scope counts are not figures
    ("nâng cao hiệu quả việc thực hiện 25 dịch vụ công thiết yếu trên địa bàn tỉnh", []),
    ("Theo dõi, đôn đốc triển khai thực hiện 42 mô hình Đề án 06", []),
    ("Sơ kết 06 tháng đầu năm 2024", []),
    ("tài khoản định danh mức độ 2 trên ứng dụng VNeID", []),
    ("Chi tiết 41 nhiệm vụ cụ thể thuộc 07 nhóm nhiệm vụ", []),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0][:30] for c in CASES])
def test_figures(case):
    text, expected, *ctx = case
    got = figures(text, *ctx)
    assert [(float(v), u, k) for v, u, k in got] == [(float(v), u, k) for v, u, k in expected]


def test_count_subject_is_the_counted_noun():
    t = find_figures("Rà soát triển khai tối thiểu 20 dịch vụ công không sử dụng hồ sơ giấy")[0]
    assert t.subject == "dịch vụ công không sử dụng hồ sơ"


def test_achieved_is_never_a_target_in_a_report():
    text = "Công an tỉnh thực hiện điện tử hóa 100% tờ khai; số hóa tàng thư đạt 21,8%."
    assert figures(text, context="report") == [(100, "%", "achieved"), (21.8, "%", "achieved")]
