"""Handwritten or stamped header digits of a scan re-read alone: accepted only when two recognisers
agree, never a guess (real Tesseract on header images drawn here)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors.reading import ocr
from extractors.reading.header_digits import decide

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
MODELS = ["vie"] * 6 + ["eng"] * 6


def reads(*texts):
    return [(t, 90.0) for t in texts]


# Readings as Tesseract gave them on the corpus's scans.
def test_a_handwritten_one_read_as_four_by_one_model_only_is_unread():
    # `11` with long up-strokes: the Vietnamese model reads 44, the digits-only model nothing.
    assert decide("number", reads("4A", "AJ", "AI", "44", "44", "44", "", "", "", "", "", ""), MODELS, "44")[0] is None


def test_disagreeing_readings_are_unread():
    assert decide("number", reads("&9", "“9", "&99", "&99", "&99", "", "899", "839", "299", "899", "99", ""),
                  MODELS, "839")[0] is None
    assert decide("day", reads("3", "2", "31", "2", "24", "24", "", "4", "3", "4", "4", "4"), MODELS, "3|")[0] is None


def test_agreement_of_both_models_is_a_reading():
    value, conf = decide("number", reads("660", "060", "660", "060", "000", "000", "660", "660", "660", "660", "660", "660"),
                         MODELS, "6§")
    assert value == "660" and 0 < conf <= 1


def test_the_page_reading_confirmed_by_the_digits_model_stands():
    # a printed `9` alone: the Vietnamese model reads the letter `ọ`, the digits-only model `9`
    assert decide("month", reads("ọ", "ọ", "ọ", "ọ", "ọ", "ọ", "9", "9", "9", "9", "9", "9"), MODELS, "9")[0] == "9"


def test_implausible_days_and_months_are_unread():
    assert decide("day", reads(*(["44"] * 12)), MODELS, "44")[0] is None
    assert decide("month", reads(*(["13"] * 12)), MODELS, "13")[0] is None


def _header(number: str | None, scribble: bool = False) -> np.ndarray:
    font = ImageFont.truetype(FONT, 34)
    im = Image.new("RGB", (1800, 1000), "white")
    d = ImageDraw.Draw(im)
    d.text((120, 60), "ỦY BAN NHÂN DÂN", font=font, fill=(15, 15, 15))
    d.text((900, 60), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=font, fill=(15, 15, 15))
    d.text((120, 110), "TỈNH QUẢNG NGÃI", font=font, fill=(15, 15, 15))
    d.text((1000, 110), "Độc lập - Tự do - Hạnh phúc", font=font, fill=(15, 15, 15))
    d.text((120, 190), "Số:", font=font, fill=(15, 15, 15))
    if number:
        d.text((200, 190), number, font=font, fill=(15, 15, 15))
    if scribble:
        # strokes where a hand wrote the number: no digit any recogniser agrees on
        rng = np.random.default_rng(7)
        for _ in range(5):
            pts = [(int(200 + rng.integers(0, 90)), int(185 + rng.integers(0, 45))) for _ in range(4)]
            d.line(pts, fill=(10, 10, 10), width=5)
    d.text((310, 190), "/CT-UBND", font=font, fill=(15, 15, 15))
    d.text((960, 190), "Quảng Ngãi, ngày 15 tháng 4 năm 2020", font=font, fill=(15, 15, 15))
    d.text((830, 300), "CHỈ THỊ", font=font, fill=(15, 15, 15))
    for k, line in enumerate(["Thực hiện Nghị định số 123/2020/NĐ-CP của Chính phủ quy định về hóa đơn,",
                              "Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành triển khai thực hiện."]):
        d.text((120, 420 + 60 * k), line, font=font, fill=(15, 15, 15))
    return np.asarray(im)


@pytest.mark.slow
def test_printed_number_and_date_are_kept():
    page = ocr.ocr_image(_header("05"), dpi=300, tables=False).page
    text = page.text()
    assert "Số: 05 /CT-UBND" in text or "Số: 05/CT-UBND" in text
    assert "ngày 15 tháng 4 năm 2020" in text
    assert {r.field: r.value for r in page.field_reads} == {"number": "05", "day": "15", "month": "4"}


@pytest.mark.slow
def test_scribbled_number_is_left_blank_and_flagged():
    from extractors.structure import parse_directive
    from extractors.types import Document

    page = ocr.ocr_image(_header(None, scribble=True), dpi=300, tables=False).page
    number = [r for r in page.field_reads if r.field == "number"]
    assert number and number[0].value is None and any(number[0].reads)
    assert "Số: /CT-UBND" in page.text()
    d = parse_directive(Document(path="x.png", source_file="x.png", kind="image", pages=[page]))
    assert d.header.number is None and "number-unread" in d.header.flags
    assert d.header.issued_on is not None and d.header.place == "Quảng Ngãi"
