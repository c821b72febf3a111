"""The handwritten-digit network and the cutting of a header field's ink into glyphs
(extractors/reading/digit_shapes.py), and when its reading counts as a witness
(header_digits.shape_agrees).  Digits are drawn here: OpenCV's Hershey script font and pen strokes."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractors.reading.digit_shapes import MODEL, ShapeRead, read_digit_shapes
from extractors.reading.header_digits import SHAPE_CONFIDENCE, shape_agrees, shape_uncontradicted, shape_with_long_ones

BAND = (40, 100)          # the printed line's rows in the drawn regions
REGION = (10, 10, 390, 130)


def _page(width: int = 400, height: int = 140) -> np.ndarray:
    return np.full((height, width), 255, np.uint8)


def _script(text: str) -> np.ndarray:
    page = _page()
    cv2.putText(page, text, (60, 100), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 2.4, 0, 5, cv2.LINE_AA)
    return page


def _long_stroke_one(page: np.ndarray, x: int) -> None:
    """A `1` as Vietnamese clerks write it: the up-stroke from the top down to the left, then the stem."""
    cv2.line(page, (x, 40), (x - 22, 72), 0, 5, cv2.LINE_AA)
    cv2.line(page, (x, 40), (x - 4, 100), 0, 5, cv2.LINE_AA)


def test_the_model_is_committed_as_several_networks():
    with np.load(MODEL) as f:
        names = set(f.files)
    nets = {n.split(".", 1)[0] for n in names}
    assert len(nets) >= 2
    assert all({f"{m}.conv1.weight", f"{m}.conv2.weight", f"{m}.fc1.weight", f"{m}.fc2.weight"} <= names for m in nets)


@pytest.mark.parametrize("digit", list("023456789"))
def test_script_digits_are_read(digit):
    r = read_digit_shapes(_script(digit), REGION, BAND)
    assert r.digits == digit, r


def test_a_number_of_several_digits_is_read_left_to_right():
    r = read_digit_shapes(_script("2 9 5"), REGION, BAND)
    assert r.digits == "295" and len(r.probabilities) == 3


def test_the_vietnamese_long_stroke_one_is_a_one_not_a_four():
    page = _page()
    _long_stroke_one(page, 150)
    _long_stroke_one(page, 230)
    r = read_digit_shapes(page, REGION, BAND)
    assert r.digits == "11", r


def test_a_blank_region_gives_no_reading():
    r = read_digit_shapes(_page(), REGION, BAND)
    assert r == ShapeRead(reason="no-ink")


def test_ink_cut_by_the_regions_side_gives_no_reading():
    # half a `4` is a `1`: a digit the region cuts is not read at all
    page = _script("4")
    ys, xs = np.nonzero(page < 128)
    middle = int(xs.mean())
    r = read_digit_shapes(page, (middle, 10, 390, 130), BAND)
    assert r.digits == "" and r.reason == "edge"


def test_ink_of_the_lines_above_and_below_is_not_a_digit():
    page = _script("7")
    cv2.line(page, (20, 12), (380, 12), 0, 3)          # the underline of the line above
    cv2.putText(page, "8", (300, 136), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)   # a descender-height mark below
    r = read_digit_shapes(page, (5, 5, 395, 140), BAND)
    assert r.digits == "7", r


def test_two_digits_written_touching_are_cut_apart():
    page = _page()
    cv2.putText(page, "3", (120, 100), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 2.4, 0, 5, cv2.LINE_AA)
    _long_stroke_one(page, 186)
    cv2.line(page, (160, 80), (186, 80), 0, 5)          # the pen did not lift between them
    r = read_digit_shapes(page, REGION, BAND)
    assert len(r.digits) == 2 and r.digits[0] == "3", r


@pytest.mark.parametrize("name, shape, reads, expected", [
    ("day", ShapeRead("16", (0.99, 0.98)), ["46", "16", "", "16"], True),  # Tesseract read it twice
    ("day", ShapeRead("16", (0.99, 0.98)), ["46", "16", "46", "6"], False),  # once only
    ("day", ShapeRead("16", (0.99, 0.98)), ["46", "46", "6"], False),      # never read so by Tesseract
    ("number", ShapeRead("739", (0.99, 0.99, 0.96)), ["J37", "739", "239"], False),   # a `239/` cut wrong
    ("day", ShapeRead("16", (0.99, 0.6)), ["16", "16", "16"], False),      # the network unsure of a digit
    ("day", ShapeRead("45", (0.99, 0.99)), ["45", "45"], False),           # no 45th day
    ("number", ShapeRead("936", (0.6, 0.86, 0.99)), ["936", "996", "936"], False),
    ("number", ShapeRead("299", (0.99, 0.95, 0.99)), ["&99", "299", "899", "299"], True),
    ("month", ShapeRead(reason="edge"), ["9", "9"], False),
])
def test_the_shape_reading_is_a_witness_only_when_sure_and_read_so_by_tesseract_twice(name, shape, reads, expected):
    assert shape_agrees(name, shape, reads) is expected


def test_the_threshold_is_each_digits_probability():
    assert ShapeRead("11", (0.95, SHAPE_CONFIDENCE - 0.01)).confidence < SHAPE_CONFIDENCE


@pytest.mark.slow
def test_a_header_number_written_by_hand_is_read_by_shape_and_never_guessed():
    """A page OCR'd for real: `Số:` and a `11` written with long up-strokes.  Tesseract reads such
    a number as `44` or marks; the shape network's `11` is recorded beside its readings, and the
    value is `11` or blank, never another number."""
    from PIL import Image, ImageDraw, ImageFont

    from extractors.reading import ocr

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 34)
    im = Image.new("L", (1800, 900), 255)
    d = ImageDraw.Draw(im)
    d.text((120, 60), "ỦY BAN NHÂN DÂN", font=font, fill=15)
    d.text((900, 60), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=font, fill=15)
    d.text((120, 110), "TỈNH QUẢNG NGÃI", font=font, fill=15)
    d.text((1000, 110), "Độc lập - Tự do - Hạnh phúc", font=font, fill=15)
    d.text((120, 190), "Số:", font=font, fill=15)
    for x in (222, 262):                        # the hand's `11`
        d.line([(x, 186), (x - 16, 208)], fill=20, width=5)
        d.line([(x, 186), (x - 4, 232)], fill=20, width=5)
    d.text((330, 190), "/CT-UBND", font=font, fill=15)
    d.text((960, 190), "Quảng Ngãi, ngày 15 tháng 4 năm 2020", font=font, fill=15)
    d.text((830, 300), "CHỈ THỊ", font=font, fill=15)
    d.text((120, 420), "Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành triển khai thực hiện.", font=font, fill=15)
    page = ocr.ocr_image(np.asarray(im.convert("RGB")), dpi=300, tables=False).page
    number = next(r for r in page.field_reads if r.field == "number")
    assert number.read_by[-1] == "shapes" and number.reads[-1] == "11", number
    assert number.value in (None, "11"), number
    assert number.basis == ("shapes" if number.value and number.value != number.page_read else number.basis)


def test_a_five_with_a_long_flag_is_one_digit_not_two():
    # the flag makes the `5` wider than tall, as two touching digits are; its part is too short to be one
    page = _script("5")
    ys, xs = np.nonzero(page < 128)
    top, right = ys.min(), xs.max()
    cv2.line(page, (right - 10, top + 2), (right + 45, top - 2), 0, 5, cv2.LINE_AA)
    r = read_digit_shapes(page, (5, 5, 395, 135), BAND)
    assert r.digits == "5", r


VIE_ENG = ["vie"] * 6 + ["eng"] * 6


@pytest.mark.parametrize("name, shape, reads, expected", [
    # a hand's 5710: Tesseract never reads the same twice, nor anything else steadily
    ("number", ShapeRead("5710", (0.99, 0.95, 0.93, 0.99)),
     ["%140", "%14Ð", "%14Ð", "52A0", "52A0", "%14Ð", "544", "544", "510", "5440", "5440", "540"], True),
    # the Vietnamese model's steady `44` is the network's `11` with long up-strokes
    ("day", ShapeRead("11", (0.99, 0.99)), ["4A", "AJ", "44", "44", "44", "AI", "", "", "", "", "", ""], True),
    # `239/` cut as `739`: the digits model read `139` every time
    ("number", ShapeRead("739", (0.99, 0.99, 0.96)), ["J9", "139", "XĂY,", "J9", "„39", "KẤY,"] + ["139"] * 6, False),
    # the empty number slot of a draft: Tesseract saw no digit there
    ("number", ShapeRead("01", (0.99, 0.99)), ["", "", "", "x/", "x/", "x/"] + [""] * 6, False),
    # one reading with a digit is not enough to say there is writing
    ("day", ShapeRead("13", (0.99, 0.99)), ["", "", "", "", "", "", "", "", "", "", "", "5"], False),
    ("day", ShapeRead("13", (0.99, 0.79)), ["121", "121", "4i", "", "", ""] + ["51", "", "", "", "", "1"], False),  # unsure
    ("day", ShapeRead("41", (0.99, 0.99)), ["41", "4", "", "", "", ""] + ["4"] * 6, False),           # no 41st day
])
def test_the_shape_reading_stands_alone_when_sure_and_not_contradicted(name, shape, reads, expected):
    assert shape_uncontradicted(name, shape, reads, VIE_ENG) is expected


@pytest.mark.parametrize("name, shape, reads, expected", [
    # ct11's number: the network doubts its first 1 (0.896), the Vietnamese model reads 44 three times
    ("number", ShapeRead("11", (0.896, 0.98)), ["4A", "AJ", "AI", "44", "44", "44"] + [""] * 6, True),
    # ct01's number: the 1 doubted (0.61), read as a 7 twice and dropped once; `21` twice is not steady
    ("number", ShapeRead("01", (1.0, 0.614)), ["21", "21", "0Ï", "0", "2", "07", "", "", "4", "07", "074", "7"], True),
    # cv1535's `1535` read `1635`: the doubted digit is a 6, not a 1
    ("number", ShapeRead("1635", (0.99, 0.768, 1.0, 1.0)),
     ["4/35", "4/35", "287", "4635", "4635", "4685.", "95", "5", "185", "5", "635", ""], False),
    # no 1 at all: nothing for the long-stroke mistake to explain
    ("number", ShapeRead("739", (0.997, 0.999, 0.86)), ["J9", "139", "J9", "„39", "", ""] + ["139"] * 6, False),
    # a 1 the network barely saw is no reading
    ("day", ShapeRead("13", (0.4, 0.99)), ["43", "43", "43", "", "", ""] + ["3"] * 6, False),
    # one Tesseract reading of it with long 1s is not two
    ("day", ShapeRead("11", (0.8, 0.99)), ["44", "", "", "", "", ""] + [""] * 6, False),
    # a model steadily reads another day
    ("day", ShapeRead("12", (0.7, 0.99)), ["42", "42", "", "", "", ""] + ["22"] * 6, False),
])
def test_the_shape_reading_may_doubt_its_ones_when_tesseract_read_them_as_long_ones(name, shape, reads, expected):
    assert shape_with_long_ones(name, shape, reads, VIE_ENG) is expected
