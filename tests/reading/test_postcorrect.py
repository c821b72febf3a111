"""Syllable-level post-correction of OCR text (extractors/reading/postcorrect.py)."""
from __future__ import annotations

import pytest

from extractors.reading.postcorrect import correct_line, correct_text, is_syllable


@pytest.mark.parametrize("word,valid", [
    ("nghiêng", True), ("việc", True), ("Đà", True), ("khuỷu", True),
    ("viềc", False),     # a syllable closed by c takes only the sắc or nặng tone
    ("ngảy", False), ("nănr", False), ("abbey", False), ("gháp", False),
])
def test_what_a_vietnamese_syllable_is(word, valid):
    assert is_syllable(word) is valid


@pytest.mark.parametrize("ocr,fixed", [
    ("ngảy 26 tháng 7", "ngày 26 tháng 7"),                  # a tone mark off, and a number after it
    ("đến nănr 2030", "đến năm 2030"),                         # m read as nr
    ("Sở Gíao dục và Đào tạo", "Sở Giáo dục và Đào tạo"),    # a mark on the wrong letter
    ("lồng gháp báo cáo", "lồng ghép báo cáo"),
    ("công tác tô chức thi", "công tác tổ chức thi"),          # valid, but never seen before "chức"
    ("về tiệp tục thực hiện", "về tiếp tục thực hiện"),
    # a commoner word, never seen beside its neighbour, where the rarer one steadily is
    ("tiếp tục đây mạnh thông tin", "tiếp tục đẩy mạnh thông tin"),
    ("trên cả hệ thông chính trị", "trên cả hệ thống chính trị"),
])
def test_invalid_or_unlikely_syllables_are_corrected(ocr, fixed):
    assert correct_line(ocr) == fixed


@pytest.mark.parametrize("text", [
    "Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ",
    "Công văn số 4869/UBND-SYT; Số: 1906 /SGDĐT-CTrTT",
    "UBND tỉnh Lâm Đồng, Sở Nội vụ, Công an tỉnh (PC06)",
    "trước ngày 10 hàng tháng, báo cáo kết quả thực hiện",   # hàng and hằng are both right here
    "email: vp@lamdong.gov.vn, COVID-19, 2020a, VNeID",
    "Ủy ban nhân dân thành phố Đà Nẵng",
    "căn cước công dân gắn chip, kết nối internet",           # loanwords born-digital text writes so
    "Ủy ban nhân dân tỉnh Đắk Lắk, huyện Krông Pắc",          # place names outside the syllable shape
    "Trên đây là báo cáo kết quả; ở đây mạnh dạn đề xuất",      # đây where it is right
    "các ngành chủ động xây dựng các mô hình phát",          # `hình phạt` is a phrase, but `phát` goes on below
])
def test_codes_numbers_names_and_valid_text_are_left_alone(text):
    assert correct_line(text) == text


@pytest.mark.parametrize("ocr, fixed", [
    ("Công văn số 4§69/UBND-SYT", "Công văn số 4869/UBND-SYT"),
    ("phòng, chống dịch COVID-I9, và", "phòng, chống dịch COVID-19, và"),
    ("Kế hoạch số 2l5/KH-UBND", "Kế hoạch số 215/KH-UBND"),
    ("Điều 5 § 2, Phần I-1, mục I9", "Điều 5 § 2, Phần I-1, mục I9"),   # not between digits or after a hyphen
    ("Quý I/2024, Quý II-2025", "Quý I/2024, Quý II-2025"),
])
def test_a_digits_look_alike_inside_a_number_is_the_digit(ocr, fixed):
    assert correct_line(ocr) == fixed


def test_the_en_dash_of_the_text_for_tesseracts_em_dash():
    assert correct_line("— Sở Tư pháp — chủ trì") == "– Sở Tư pháp – chủ trì"
    assert correct_line("2020—2025") == "2020—2025"


def test_lines_are_corrected_one_by_one_and_kept_apart():
    assert correct_text("ngảy 26\nlồng gháp") == "ngày 26\nlồng ghép"
