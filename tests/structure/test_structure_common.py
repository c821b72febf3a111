"""Dates, symbols and document types: the small normalisers the structure stage is built on."""
import datetime as dt

import pytest
from hypothesis import given, strategies as st

from extractors.structure.common import normalize_symbol, parse_date, symbol_type
from extractors.structure.header import parse_date_line


@pytest.mark.parametrize("text, expected", [
    ("Tiền Giang, ngày 10 tháng 5 năm 2023", dt.date(2023, 5, 10)),
    ("Hà Nội, ngày 05 tháng 01 năm 2020", dt.date(2020, 1, 5)),
    ("ngay 10 thang 5 nam 2023", dt.date(2023, 5, 10)),          # OCR lost the diacritics
    ("ngày I0 tháng 01 năm 2024", dt.date(2024, 1, 10)),          # OCR: I for 1
    ("ngày O6 tháng 02 năm 2024", dt.date(2024, 2, 6)),           # OCR: O for 0
    ("ngày10 tháng 5 năm 2023", dt.date(2023, 5, 10)),
    ("Quảng Ngãi, ngày⁄{5 tháng 01 năm 2025", None),              # handwritten day half read: unknown
    ("ngày 18/02/2022", dt.date(2022, 2, 18)),
    ("10/5/2023", dt.date(2023, 5, 10)),
    ("10-5-2023", dt.date(2023, 5, 10)),
    ("22-10-2021", dt.date(2021, 10, 22)),
    ("Thời gian ký: 18.03.2024 09:41:42", dt.date(2024, 3, 18)),
    ("06 tháng 01 năm 2022", dt.date(2022, 1, 6)),
    ("Bình Định, ngày    tháng 02 năm 2024", None),               # blank day (not yet issued)
    ("ngày 31/02/2024", None),                                     # impossible date
    ("Tháng 02/2024", None),                                       # a month is not a date
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("line, place, date", [
    ("Tiền Giang, ngày 10 tháng 5 năm 2023", "Tiền Giang", dt.date(2023, 5, 10)),
    ("TP. Hồ Chí Minh, ngày 1 tháng 12 năm 2024", "TP. Hồ Chí Minh", dt.date(2024, 12, 1)),
    ("Đồng Nai, ngày   tháng 02 năm 2024", "Đồng Nai", None),
    ("Lâm Đồng, ngay 13 thang 11 nam 2025", "Lâm Đồng", dt.date(2025, 11, 13)),
])
def test_parse_date_line(line, place, date):
    assert parse_date_line(line) == (place, date)


@pytest.mark.parametrize("raw, expected", [
    ("Số: 416/TTr-CAT-PC06", "416/TTr-CAT-PC06"),
    ("Số 08-CT/TU", "08-CT/TU"),
    ("Sô: 08-CT/TU", "08-CT/TU"),                 # OCR: ô for ố
    ("So: 08-CT/TU", "08-CT/TU"),
    ("Số: O8-CT/TU", "08-CT/TU"),                 # OCR: O for 0
    ("Số: I2-CT/TU", "12-CT/TU"),
    ("Số: 84/QĐĐ-UBND", "84/QĐ-UBND"),            # OCR doubled a letter of the type code
    ("Số: 84/QÐ-UBND", "84/QĐ-UBND"),             # OCR: Icelandic Ð
    ("Số:   /QĐ-UBND", None),                      # blank number
    ("06/QD-TTg", "06/QĐ-TTg"),                   # lost Đ of the type code
    ("06/QD-TTG", "06/QĐ-TTg"),
    ("766/CD-TTg", "766/CĐ-TTg"),                 # typists write CD for Công điện
    ("45/2020/ND-CP", "45/2020/NĐ-CP"),
    ("01/2023/TT-VPCP", "01/2023/TT-VPCP"),
    ("04 /CT-UBND", "04/CT-UBND"),                # handwritten number with a space
    ("106/KHPH-TCTTW-BCĐ06ĐN", "106/KHPH-TCTTW-BCĐ06ĐN"),
    ("05/BNV-VP", "05/BNV-VP"),
    ("05-NQ/TU", "05-NQ/TU"),
    ("1552/BTTTT-THH", "1552/BTTTT-THH"),
])
def test_normalize_symbol(raw, expected):
    assert normalize_symbol(raw) == expected


@pytest.mark.parametrize("symbol, type_name", [
    ("08-CT/TU", "Chỉ thị"), ("06/QĐ-TTg", "Quyết định"), ("53/KH-UBND", "Kế hoạch"), ("06/TB-VPCP", "Thông báo"),
    ("05-NQ/TU", "Nghị quyết"), ("412/BC-UBND", "Báo cáo"), ("416/TTr-CAT-PC06", "Tờ trình"),
    ("766/CĐ-TTg", "Công điện"), ("36-HD/VPTW", "Hướng dẫn"), ("12-CTr/TU", "Chương trình"),
    ("45/2020/NĐ-CP", "Nghị định"), ("05/BNV-VP", "Công văn"), ("12/UBND-VX", "Công văn"),
    ("106/KHPH-TCTTW-BCĐ06ĐN", "Kế hoạch"), ("01/2023/TT-VPCP", "Thông tư"), ("15-TT/TU", "Thông tri"),
    ("30-KL/TU", "Kết luận"),
])
def test_type_from_symbol(symbol, type_name):
    rec, _ = symbol_type(symbol)
    assert rec["name"] == type_name


codes = st.sampled_from(["QĐ", "QD", "CT", "KH", "TB", "TTr", "CD", "CĐ", "NQ", "BC", "HD"])
issuers = st.sampled_from(["TTg", "TTG", "UBND", "VPCP", "CAT-PC06", "TU", "BCA"])


@given(num=st.integers(1, 9999), code=codes, issuer=issuers, party=st.booleans(), zero=st.booleans())
def test_normalize_symbol_idempotent_and_space_free(num, code, issuer, party, zero):
    n = f"0{num}" if zero and num < 10 else str(num)
    raw = f"{n}-{code}/{issuer}" if party else f"{n}/{code}-{issuer}"
    once = normalize_symbol(raw)
    assert once is not None and " " not in once
    assert normalize_symbol(once) == once
    assert once.startswith(n)                      # leading zeros kept as printed
    spaced = normalize_symbol(raw.replace("/", " / ", 1))
    assert spaced == once
