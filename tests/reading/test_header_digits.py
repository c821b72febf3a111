"""Handwritten or stamped header digits of a scan re-read alone: accepted only when two recognisers
agree, never a guess (real Tesseract on header images drawn here)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors.reading import ocr
from extractors.reading.header_digits import decide, decide_long_ones, long_ones

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


# Corpus readings: a day `27` the Vietnamese model read on every variant, the digits model on none.
DAY_27 = ["27"] * 6 + [""] * 6


def _reads(**fields):
    from extractors.types import FieldRead

    return [FieldRead(field=name, value=value, reads=reads, read_by=["vie"] * 6 + ["eng"] * (len(reads) - 6))
            for name, (value, reads) in fields.items()]


@pytest.mark.parametrize("reads, signed, year, expected", [
    # the readings' day is the signing day: two witnesses
    (dict(day=(None, DAY_27), month=("12", ["12"] * 12)), "2021-12-27", 2021, ("27", "12")),
    # a day some readings gave, fitting before the signing; the month follows from the day
    (dict(day=(None, ["2Z", "2", "2Z", "04", "04", "04", "04", "", "", "", "", ""])), "2021-01-05", 2021, ("04", "01")),
    (dict(day=(None, ["31", "21", "31", "31", "", "", "31", "", "", "", "", ""]), month=("12", ["12"] * 12)),
     "2025-01-17", 2024, ("31", "12")),
    # a handwritten 15 (signed the 18th): the digits model reads 5 six times, the other 45 or 15; neither
    # reading is both models': left blank, not 05
    (dict(day=(None, ["45", "45", "45", "15", "15", "15", "5", "5", "5", "5", "5", "5"])), "2024-03-18", 2024, (None, None)),
    # off the signing day one model's steady reading is not enough; on it, it is (a second witness)
    (dict(day=(None, ["12", "12", "12", "12", ")2", ")2", "3", "3", "3", "", "13", "13"]), month=("02", ["02"] * 12)),
     "2025-02-03", 2025, ("03", "02")),
    # fitting readings that disagree: left blank
    (dict(day=(None, ["31", "#1", "31", "24", "24", "24", "", "4", "4", "4", "4", "4"]), month=("12", ["12"] * 12)),
     "2025-01-17", 2024, (None, "12")),
    # a day read after the signing cannot be (a directive is not signed before its date)
    (dict(day=(None, ["28"] * 6 + [""] * 6), month=("12", ["12"] * 12)), "2021-12-27", 2021, (None, "12")),
    # one reading is not enough, even on the signing day
    (dict(day=(None, ["27"] + [""] * 11), month=("12", ["12"] * 12)), "2021-12-27", 2021, (None, "12")),
    # a month that was written but not read: nothing to bound the day with
    (dict(day=(None, DAY_27), month=(None, ["7", "1", "4", "", "", "", "", "", "", "", "", ""])), "2021-12-27", 2021, (None, None)),
    # ... unless two readings gave the signing date's month (a handwritten `9` read `3` and `9`)
    (dict(day=(None, ["16", "46", "46", "", "", "", "46", "", "", "", "", "", "16"]),
          month=(None, ["3", "3", "9", "3", "", "", "9", "", "", "", "", "", "9"])), "2025-09-16", 2025, ("16", "09")),
    (dict(day=(None, DAY_27), month=(None, ["7", "1", "7", "", "", "", "", "", "", "", "", ""])), "2021-12-27", 2021, (None, None)),
    # the printed year must hold
    (dict(day=(None, DAY_27), month=("12", ["12"] * 12)), "2021-12-27", 2020, (None, "12")),
])
def test_the_signing_day_settles_a_day_the_readings_gave(reads, signed, year, expected):
    import datetime as dt

    from extractors.reading.header_digits import settle_day_by_signature

    out = settle_day_by_signature(_reads(**reads), dt.date.fromisoformat(signed), year)
    got = {r.field: r for r in out}
    assert (got["day"].value, got["month"].value if "month" in got else None) == expected
    if expected[0] is not None:
        assert got["day"].basis == "signature" and 0 < got["day"].confidence <= 0.8


@pytest.mark.parametrize("month_reads, signed, expected", [
    (["3", "3", "9", "3", "", "", "9", "", "", "", "", "", "9"], "2025-09-16", "09"),   # `9` read twice: the signing's
    (["3", "3", "3", "3", "", "", "", "", "", "", "", "", "9"], "2025-09-16", None),    # `9` read once only
    ([""] * 12, "2025-09-16", "09"),                                                 # not written: the day's month
    ([""] * 12, "2025-09-10", "08"),                                                 # signed in the next month
    ([""] * 12, "2026-01-10", "12"),                                                 # the printed year holds
])
def test_the_signing_time_gives_the_month_of_a_day_that_was_read(month_reads, signed, expected):
    import datetime as dt

    from extractors.reading.header_digits import settle_day_by_signature
    from extractors.types import FieldRead

    reads = [FieldRead(field="day", value="16", confidence=0.9, basis="shapes"),
             FieldRead(field="month", value=None, reads=month_reads)]
    got = {r.field: r for r in settle_day_by_signature(reads, dt.date.fromisoformat(signed), 2025)}
    assert got["day"].value == "16" and got["day"].basis == "shapes"
    assert got["month"].value == expected
    assert got["month"].basis == ("signature" if expected else "reads")


@pytest.mark.parametrize("line, values, expected", [
    ("Số: 46 /CT-UBND", {"number": None}, "Số: /CT-UBND"),
    ("Số: /CT-UBND", {"number": "16"}, "Số: 16 /CT-UBND"),
    ("Quảng Ngãi, ngày tháng năm 2021", {"day": "04", "month": "01"}, "Quảng Ngãi, ngày 04 tháng 01 năm 2021"),
    ("Quảng Ngãi, ngày 2# tháng 12 năm 2021", {"day": None, "month": "12"}, "Quảng Ngãi, ngày tháng 12 năm 2021"),
    ("Thực hiện Chỉ thị số 11-CT/TW ngày 08/12/2021", {"number": None, "day": None}, "Thực hiện Chỉ thị số 11-CT/TW ngày 08/12/2021"),
])
def test_the_decided_values_go_into_the_header_lines(line, values, expected):
    from extractors.reading.header_digits import fill_header_text
    from extractors.types import FieldRead

    reads = [FieldRead(field=k, value=v) for k, v in values.items()]
    assert fill_header_text(line, reads) == expected


def test_a_value_another_model_reads_more_often_is_not_taken():
    # a handwritten `16`: the Vietnamese model reads 46 every time, the digits model mostly 16
    reads_ = reads("46", "46", "46", "46", "46", "46", "16", "46", "16", "16", "16", "46")
    assert decide("number", reads_, MODELS, "⁄‡6")[0] is None
    # a three-digit number padded with a zero is a misread, not a rival
    assert decide("number", reads("660", "060", "660", "060", "060", "000", "660", "660", "660", "660", "660", "660"),
                  MODELS, "Ê§0")[0] == "660"


@pytest.mark.parametrize("value, read, expected", [
    ("16", "46", True), ("11", "44", True), ("11", "47", True), ("5710", "5740", True),
    ("46", "16", False),      # a written 4 read as 1 is not the long-stroke mistake
    ("16", "16", False),      # the same digits are not a misreading
    ("15", "5", True), ("11", "4", True), ("115", "45", True),   # a long 1 not read at all
    ("16", "26", False), ("16", "146", False), ("16", "1", False), ("16", "", False), ("56", "6", False),
])
def test_a_long_stroke_one_read_as_four_or_seven(value, read, expected):
    assert long_ones(value, read) is expected


def test_readings_split_on_a_long_stroke_one_agree_once_it_is_counted():
    # a hand's `16`: the Vietnamese model reads 46 every time, the digits model mostly 16
    assert decide_long_ones("number", reads("46", "46", "46", "46", "46", "46", "16", "46", "16", "16", "16", "46"),
                            MODELS) == "16"
    # read exactly once: not enough
    assert decide_long_ones("number", reads("46", "46", "46", "46", "46", "46", "16", "46", "46", "46", "", "46"),
                            MODELS) is None
    # another value read as often as the value itself
    assert decide_long_ones("number", reads("46", "46", "46", "26", "26", "26", "16", "46", "16", "16", "26", "46"),
                            MODELS) is None
    # one model alone does not make agreement
    assert decide_long_ones("day", reads("16", "16", "16", "46", "46", "46", "", "", "", "", "", ""), MODELS) is None
    # a hand's `15`: the Vietnamese model reads 45 or 15, the digits model drops the 1
    assert decide_long_ones("day", reads("45", "45", "45", "15", "15", "15", "5", "5", "5", "5", "5", "5"), MODELS) == "15"
    # a printed `345/`: the slash read as a 1 three times is not a dropped long 1 nine times over
    assert decide_long_ones("number", reads("345/", "345/", "345/", "3451", "3451", "3451", *["345"] * 6), MODELS) is None
    # readings that are no digits (`+214/`: a hand's open 4) do not count against the ones that agree
    # (bca-cv4214: 4214 read four times, 4244 three times, 42144 and 434 once, +214/ twice)
    assert decide_long_ones("number", reads("4214/", "4214", "42144", "+214/", "+214/", "4214",
                                            "4244", "434", "4244", "4244", "4214", "4314"), MODELS) == "4214"
    # a value nobody read exactly is inferred only where one model read nothing possible: `45` is no
    # day, and 15 is the one day both models' readings are with long 1s (cv299's hand)
    assert decide_long_ones("day", reads("45", "45", "45", "45", "45", "45", "5", "5", "5", "5", "5", "5"), MODELS) == "15"
    # ... a number's `45` is possible: not made up
    assert decide_long_ones("number", reads("45", "45", "45", "45", "45", "45", "5", "5", "5", "5", "5", "5"), MODELS) is None
    # ... nor where two days fit (`47` and `7`: 17, or 11 with both 1s long)
    assert decide_long_ones("day", reads("47", "47", "47", "47", "47", "47", "7", "7", "7", "7", "7", "7"), MODELS) is None
    # ... nor where a model's own reading is a possible day that the value does not explain
    assert decide_long_ones("day", reads("45", "45", "45", "45", "45", "45", "5", "5", "5", "5", "25", "25"), MODELS) is None


def _scan_with_ocr_layer(tmp_path, layer_number: str):
    """A scanned page (the picture of a printed `Số: 05 /CT-UBND`) under an earlier OCR's invisible
    text layer that read the number as `layer_number`."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("HeaderDigitsSerif", FONT))   # its own name: other tests register DejaVu families
    picture = Image.fromarray(_header("05"))
    path = tmp_path / "scan-with-layer.pdf"
    w, h = 1800 * 72 / 300, 1000 * 72 / 300 * 2.5
    c = canvas.Canvas(str(path), pagesize=(w, h))
    c.drawImage(ImageReader(picture), 0, h - 1000 * 72 / 300, width=w, height=1000 * 72 / 300)
    body = ("Thực hiện Nghị định số 123/2020/NĐ-CP của Chính phủ quy định về hóa đơn, chứng từ; Ủy ban nhân dân "
            "tỉnh yêu cầu các sở, ban, ngành triển khai thực hiện các nội dung sau đây một cách nghiêm túc. ")
    lines = ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", f"Số: {layer_number} /CT-UBND",
             "Quảng Ngãi, ngày 15 tháng 4 năm 2020", "CHỈ THỊ"] + [body] * 8
    t = c.beginText()
    t.setTextRenderMode(3)                    # invisible: what a scanner's OCR puts under the picture
    t.setFont("HeaderDigitsSerif", 6)
    y = h - 20
    for k, line in enumerate(lines):
        t.setTextOrigin(30 if k != 3 else 240, y if k != 3 else h - 60)
        t.textLine(line)
        y -= 9 if k != 3 else 0
    c.drawText(t)
    c.showPage()
    c.save()
    return path


@pytest.mark.slow
def test_a_scanners_ocr_layer_does_not_decide_the_number(tmp_path):
    from extractors.reading import read_document

    doc = read_document(_scan_with_ocr_layer(tmp_path, "46"))
    page = doc.pages[0]
    assert page.source == "text"              # the layer is good enough to keep ...
    assert {r.field: r.value for r in page.field_reads}.get("number") == "05"   # ... but not its digits
    assert "Số: 05 /CT-UBND" in page.text() and "46" not in page.text()


def _word_table(lines):
    """A Tesseract word table (image_to_data's dict) of LINES: (top, words)."""
    data = {k: [] for k in ("text", "conf", "block_num", "par_num", "line_num", "left", "top", "width", "height")}
    for n, (top, words) in enumerate(lines, 1):
        left = 100
        for w in words.split():
            for k, v in (("text", w), ("conf", 95), ("block_num", n), ("par_num", 1), ("line_num", 1),
                         ("left", left), ("top", top), ("width", 18 * len(w)), ("height", 40)):
                data[k].append(v)
            left += 18 * len(w) + 20
    return data


def test_only_the_headers_date_line_is_a_field_not_a_date_the_body_cites():
    from extractors.reading.header_digits import find_fields

    data = _word_table([(200, "Đồng Nai, ngày tháng 02 năm 2024"),
                        (600, "ngày 31 tháng 01 năm 2024, Hội nghị trực tuyến sơ kết Đề án 06")])
    fields = find_fields(data, 3500)
    assert {f.text for f in fields} <= {"Đồng Nai, ngày tháng 02 năm 2024"}


@pytest.mark.parametrize("line, swollen", [
    # `ngày` as wide as its four letters: the handwriting after it is whole
    ([("Quảng", 5), ("Ngãi,", 5), ("ngày", 4), ("15", 2), ("tháng", 5), ("4", 1), ("năm", 3), ("2020", 4)], False),
    # `ngày` 1.4 times its letters: its box took in the `1` of `15`, and the slot holds only `5`
    ([("Quảng", 5), ("Ngãi,", 5), ("ngày", 5.6), ("5", 1), ("tháng", 5), ("4", 1), ("năm", 3), ("2020", 4)], True),
    # likewise the word after (`tháng` took in the `7` of `27`)
    ([("Quảng", 5), ("Ngãi,", 5), ("ngày", 4), ("2", 1), ("tháng", 7.2), ("12", 2), ("năm", 3), ("2021", 4)], True),
])
def test_a_printed_word_that_took_in_the_handwriting_beside_it_is_seen(line, swollen):
    from extractors.reading.header_digits import find_fields

    data = {k: [] for k in ("text", "conf", "block_num", "par_num", "line_num", "left", "top", "width", "height")}
    left = 100
    for word, letters in line:
        for k, v in (("text", word), ("conf", 90), ("block_num", 1), ("par_num", 1), ("line_num", 1),
                     ("left", left), ("top", 200), ("width", int(26 * letters)), ("height", 50)):
            data[k].append(v)
        left += int(26 * letters) + 20
    day = next(f for f in find_fields(data, 3500) if f.name == "day")
    assert day.swollen is swollen


@pytest.mark.parametrize("room, found", [(60, True), (12, False)])
def test_an_empty_day_slot_wide_enough_to_hold_handwriting_is_re_read(room, found):
    """`ngày      tháng 11`: the page pass skipped the hand's digits; a room wider than a space
    between `ngày` and `tháng` is re-read (a blank there, read as nothing, stays blank)."""
    from extractors.reading.header_digits import find_fields

    data = {k: [] for k in ("text", "conf", "block_num", "par_num", "line_num", "left", "top", "width", "height")}
    left = 100
    for word in ("Lâm", "Đồng,", "ngày", "tháng", "11", "năm", "2025"):
        width = 20 * len(word)
        for k, v in (("text", word), ("conf", 90), ("block_num", 1), ("par_num", 1), ("line_num", 1),
                     ("left", left), ("top", 200), ("width", width), ("height", 40)):
            data[k].append(v)
        left += width + (room if word == "ngày" else 12)
    days = [f for f in find_fields(data, 3500) if f.name == "day"]
    assert bool(days) is found
    if found:
        x0, _, x1, _ = days[0].box
        assert x0 < 100 + 60 + 12 + 100 + 12 + 80 + room and x1 > 100 + 60 + 12 + 100 + 12 + 80


def _line_table(words):
    """One header line's word table: WORDS as (text, width, gap after it)."""
    data = {k: [] for k in ("text", "conf", "block_num", "par_num", "line_num", "left", "top", "width", "height")}
    left = 100
    for word, width, gap in words:
        for k, v in (("text", word), ("conf", 90), ("block_num", 1), ("par_num", 1), ("line_num", 1),
                     ("left", left), ("top", 200), ("width", width), ("height", 40)):
            data[k].append(v)
        left += width + gap
    return data


def test_a_day_glued_to_the_printed_word_after_it_is_a_slot():
    """`ngày JŸtháng 10`: the page pass boxed the hand's day with `tháng`; the glued marks are the
    day's slot, read again (not taken as OCR dirt on `tháng`)."""
    from extractors.reading.header_digits import find_fields

    data = _line_table([("Đà", 40, 12), ("Nẵng,", 100, 12), ("ngày", 80, 12), ("JŸtháng", 170, 12),
                        ("10", 40, 12), ("năm", 60, 12), ("2023", 80, 0)])
    day = next(f for f in find_fields(data, 3500) if f.name == "day")
    assert day.page_read == "JŸ"
    x0, _, x1, _ = day.box
    glued_left = 100 + 40 + 12 + 100 + 12 + 80 + 12
    assert x0 < glued_left + 10 and x1 < glued_left + 170 / 2    # the glued part, not `tháng`
    # a clean `tháng` is no slot of its own
    data = _line_table([("Đà", 40, 12), ("Nẵng,", 100, 12), ("ngày", 80, 12), ("18", 40, 12), ("tháng", 100, 12),
                        ("10", 40, 12), ("năm", 60, 12), ("2023", 80, 0)])
    assert next(f for f in find_fields(data, 3500) if f.name == "day").page_read == "18"


def test_the_number_slot_after_so_is_not_cut_out_of_its_line():
    """`Số:` and `/TB-UBND` with the hand's number between them unread: the wide gap is the number's
    slot, not the gap between the header's two columns, so the line is one and its slot re-read."""
    from extractors.reading.header_digits import find_fields

    data = _line_table([("Số:", 60, 140), ("/TB-UBND", 160, 0)])
    numbers = [f for f in find_fields(data, 3500) if f.name == "number"]
    assert len(numbers) == 1
    x0, _, x1, _ = numbers[0].box
    assert x0 <= 100 + 60 + 2 and x1 >= 100 + 60 + 140 - 2


@pytest.mark.parametrize("words, value", [
    ([("Số:", 60, 12), ("4/35", 80, 12), ("/SGDĐT-CTrTT", 200, 0)], "4/35"),   # a stroke of the hand read as a slash
    ([("Số:", 60, 12), ("4635", 80, 12), ("!SGDĐT-CTrTT", 200, 0)], "4635"),   # the code's slash read as `!`
    ([("Số:", 60, 12), ("05", 40, 12), ("/CT-UBND", 160, 0)], "05"),
])
def test_the_number_slot_is_found_through_ocr_slips_around_it(words, value):
    from extractors.reading.header_digits import find_fields

    numbers = [f for f in find_fields(_line_table(words), 3500) if f.name == "number"]
    assert [f.page_read for f in numbers] == [value]
