"""A scan's handwritten day that could not be read, against a day left blank."""
from __future__ import annotations

import pytest

from extractors.structure import parse_directive
from extractors.types import FieldRead
from structure_helpers import document_from_text

HEADER = """ỦY BAN NHÂN DÂN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH QUẢNG NGÃI                    Độc lập - Tự do - Hạnh phúc
Số: 11/CT-UBND                    Quảng Ngãi, ngày tháng 9 năm 2024
CHỈ THỊ
Về việc bảo đảm an toàn các công trình cầu
Chủ tịch Ủy ban nhân dân tỉnh yêu cầu Giám đốc Sở Giao thông vận tải khẩn trương rà soát các công trình cầu.
"""


@pytest.mark.parametrize("reads, place, flag", [
    (["y4", "y4", "v4", "y1", "", "", "", "", "", "", "", ""], "Quảng Ngãi", True),   # written, not read
    ([], None, False),                                                                 # left blank: not yet issued
])
def test_an_unread_day_keeps_the_place_a_blank_one_does_not(reads, place, flag):
    doc = document_from_text(HEADER)
    if reads:
        doc.pages[0].field_reads = [FieldRead(field="day", value=None, reads=reads)]
    h = parse_directive(doc).header
    assert h.issued_on is None and h.place == place and ("date-unread" in h.flags) == flag


@pytest.mark.parametrize("name_line, signer", [
    ("Thượng tướng Nguyễn Văn Long", "Nguyễn Văn Long"),
    ("Đại tá Trần Văn Bình", "Trần Văn Bình"),
    ("Nguyễn Văn Long", "Nguyễn Văn Long"),
])
def test_a_rank_before_the_signers_name_is_no_name(name_line, signer):
    text = HEADER.replace("ngày tháng 9", "ngày 11 tháng 9") + (
        "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n" + name_line + "\n")
    assert parse_directive(document_from_text(text)).header.signer == signer
