"""OCR of scanned pages: clean-up (ink, skew), real Tesseract, timeouts, missing language data.

Page images are drawn here (PIL + DejaVu Serif), so nothing depends on ../shared.
"""
from __future__ import annotations

import io
import os
import re
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from extractors.reading import ocr, tesseract
from extractors.reading.preprocess import estimate_skew, prepare_page, remove_colour_ink

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = [
    "Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành",
    "tiếp tục đẩy mạnh chuyển đổi số, cải cách thủ tục",
    "hành chính; hoàn thành trước ngày 30 tháng 6 năm 2024.",
    "Giao Công an tỉnh chủ trì, phối hợp với Sở Thông tin",
    "và Truyền thông triển khai thực hiện Đề án 06.",
]


def render_lines(lines: list[str], *, size: int = 30, width: int = 1100, margin: int = 60,
                 spacing: float = 1.7) -> Image.Image:
    font = ImageFont.truetype(FONT, size)
    height = int(2 * margin + len(lines) * size * spacing)
    im = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(im)
    for i, text in enumerate(lines):
        d.text((margin, margin + i * size * spacing), text, font=font, fill=(20, 20, 20))
    return im


def scan_like(im: Image.Image, *, angle: float = 2.0, seal: bool = True, quality: int = 70) -> Image.Image:
    """Rotate like a crooked scan, stamp a red seal over the text (ink multiplies with what is
    under it, as on paper), JPEG it."""
    if seal:
        w, h = im.size
        layer = Image.new("RGB", (w, h), "white")
        d = ImageDraw.Draw(layer)
        cx, cy, r = int(w * 0.62), int(h * 0.5), int(h * 0.3)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(210, 30, 40), width=9)
        d.ellipse((cx - r // 2, cy - r // 2, cx + r // 2, cy + r // 2), outline=(210, 30, 40), width=6)
        im = ImageChops.multiply(im, layer)
    im = im.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor="white")
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def cer(hyp: str, ref: str) -> float:
    a, b = norm(hyp), norm(ref)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / max(1, len(b))


# ---------------------------------------------------------------- clean-up (no Tesseract)

@pytest.mark.parametrize("angle", [-4.0, -2.0, -0.7, 0.0, 1.3, 3.0])
def test_deskew_recovers_the_angle(angle):
    im = render_lines(LINES * 2, size=22).rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor="white")
    grey = np.asarray(im.convert("L"))
    # rotate() turns counter-clockwise; the correction is the opposite turn.
    assert estimate_skew(grey) == pytest.approx(-angle, abs=0.3)


def test_blank_page_has_no_skew():
    assert estimate_skew(np.full((400, 300), 250, np.uint8)) == 0.0


def test_coloured_ink_is_painted_white_and_black_text_kept():
    clean = render_lines(LINES)
    stamped = scan_like(clean, angle=0.0, seal=True, quality=90)
    d = ImageDraw.Draw(stamped)
    d.text((700, 20), "Số: 1529 ĐẾN", font=ImageFont.truetype(FONT, 26), fill=(60, 60, 170))  # blue stamp ink
    grey, share = remove_colour_ink(np.asarray(stamped))
    assert share > 0.005
    rgb = np.asarray(stamped).astype(int)
    chroma = rgb.max(axis=2) - rgb.min(axis=2)
    coloured = chroma > 80
    assert grey[coloured].mean() > 240, "red and blue ink must go"
    text_px = np.asarray(clean.convert("L")) < 100
    kept = (grey[text_px] < 128).mean()
    assert kept > 0.9, "black text, also where the seal crosses it, must stay"


def test_prepare_page_levels_and_reports():
    im = scan_like(render_lines(LINES), angle=2.0)
    prep = prepare_page(np.asarray(im))
    assert prep.angle == pytest.approx(-2.0, abs=0.3)
    assert prep.ink_removed > 0
    assert prep.image.dtype == np.uint8 and prep.image.ndim == 2
    # the matrix maps back to the original image
    x, y = prep.to_original(*cv_apply(prep.matrix, 100.0, 50.0))
    assert (x, y) == pytest.approx((100.0, 50.0), abs=0.01)


def cv_apply(m, x, y):
    return (m[0, 0] * x + m[0, 1] * y + m[0, 2], m[1, 0] * x + m[1, 1] * y + m[1, 2])


# ---------------------------------------------------------------- reading order (no Tesseract)

def _data(words):
    """image_to_data-like dict from (text, left, top, width, height, block, line)."""
    keys = ["text", "left", "top", "width", "height", "conf", "block_num", "par_num", "line_num"]
    d = {k: [] for k in keys}
    for text, left, top, w, h, block, line in words:
        for k, v in zip(keys, [text, left, top, w, h, 95, block, 1, line]):
            d[k].append(v)
    return d


def test_two_column_header_reads_left_block_first():
    # Tesseract often puts issuer and motto on one line: the wide gap splits them.
    words = [
        ("ỦY", 100, 100, 40, 30, 1, 1), ("BAN", 150, 100, 60, 30, 1, 1),
        ("CỘNG", 700, 100, 80, 30, 1, 1), ("HÒA", 790, 100, 60, 30, 1, 1),
        ("TỈNH", 110, 150, 60, 30, 1, 2), ("ĐỘC", 720, 150, 60, 30, 1, 2), ("LẬP", 790, 150, 60, 30, 1, 2),
        ("Số:", 120, 200, 50, 30, 1, 3), ("12/TB", 180, 200, 80, 30, 1, 3),
        ("Đồng", 700, 250, 70, 30, 1, 4), ("Nai,", 780, 250, 60, 30, 1, 4),
        ("Căn", 100, 350, 60, 30, 2, 1), ("cứ", 170, 350, 40, 30, 2, 1), ("Luật", 220, 350, 700, 30, 2, 1),
    ]
    lines = ocr.order_columns(tesseract.data_to_lines(_data(words)))
    assert [ln.text for ln in lines] == ["ỦY BAN", "TỈNH", "Số: 12/TB", "CỘNG HÒA", "ĐỘC LẬP", "Đồng Nai,",
                                         "Căn cứ Luật"]


def test_a_motto_starting_left_of_the_middle_beside_the_issuer_is_the_right_column():
    # text area 100..1000, middle 550: the motto starts at 520 (3 % left of it), level with the
    # issuer's name; the date line starts at 525, level with the number
    words = [
        ("ỦY", 100, 100, 40, 30, 1, 1), ("BAN", 150, 100, 60, 30, 1, 1),
        ("CỘNG", 520, 100, 80, 30, 2, 1), ("HÒA", 610, 100, 390, 30, 2, 1),
        ("TỈNH", 110, 150, 60, 30, 1, 2),
        ("Số:", 120, 200, 50, 30, 1, 3), ("12/TB", 180, 200, 80, 30, 1, 3),
        ("Đồng", 525, 200, 70, 30, 3, 1), ("Nai,", 600, 200, 60, 30, 3, 1),
        ("Căn", 100, 300, 60, 30, 4, 1), ("cứ", 170, 300, 40, 30, 4, 1), ("Luật", 220, 300, 780, 30, 4, 1),
    ]
    lines = ocr.order_columns(tesseract.data_to_lines(_data(words)))
    assert [ln.text for ln in lines] == ["ỦY BAN", "TỈNH", "Số: 12/TB", "CỘNG HÒA", "Đồng Nai,", "Căn cứ Luật"]


def test_a_left_line_on_a_row_of_its_own_past_the_middle_is_not_a_column():
    # the same line 3 % past the middle, with nothing beside it, is read where it stands
    words = [
        ("ỦY", 100, 100, 40, 30, 1, 1), ("CỘNG", 700, 100, 300, 30, 2, 1),
        ("V/v", 100, 150, 480, 30, 3, 1),
        ("TỈNH", 110, 200, 60, 30, 4, 1), ("Độc", 720, 200, 60, 30, 5, 1),
        ("Căn", 100, 300, 900, 30, 6, 1),
    ]
    lines = ocr.order_columns(tesseract.data_to_lines(_data(words)))
    assert [ln.text for ln in lines] == ["ỦY", "CỘNG", "V/v", "TỈNH", "Độc", "Căn"]


def test_the_header_right_column_is_read_before_a_left_block_after_a_gap():
    # "Kính gửi:" a paragraph below the excerpt: the date line (right column) comes before it
    words = [
        ("Số:", 100, 100, 200, 30, 1, 1), ("CỘNG", 700, 100, 300, 30, 2, 1),
        ("V/v", 100, 140, 300, 30, 1, 2), ("Hà", 700, 140, 300, 30, 2, 2),
        ("excerpt", 100, 180, 300, 30, 1, 3),
        ("Kính", 100, 260, 150, 30, 3, 1),
        ("-", 300, 300, 200, 30, 3, 2),
        ("Căn", 100, 360, 900, 30, 4, 1),
    ]
    lines = ocr.order_columns(tesseract.data_to_lines(_data(words)))
    assert [ln.text for ln in lines] == ["Số:", "V/v", "excerpt", "CỘNG", "Hà", "Kính", "-", "Căn"]


def test_body_lines_keep_their_order():
    words = [("Một", 100, 100, 800, 30, 1, 1), ("hai", 100, 150, 300, 30, 1, 2), ("ba", 100, 200, 800, 30, 1, 3)]
    assert [ln.text for ln in ocr.order_columns(tesseract.data_to_lines(_data(words)))] == ["Một", "hai", "ba"]


# ---------------------------------------------------------------- availability

def test_missing_language_data_says_how_to_install(tesseract, tmp_path, monkeypatch):
    empty = tmp_path / "tessdata"
    empty.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(empty))
    err = ocr.ensure_ocr_available()
    assert (err.code, err.message) == (
        "ocr-language-missing", f"Tesseract has no 'vie' language data ({empty}/ has no "
        "vie.traineddata); install it with: apt-get install tesseract-ocr tesseract-ocr-vie")


def test_missing_tesseract_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    err = ocr.ensure_ocr_available()
    assert (err.code, err.message) == (
        "ocr-unavailable", "the tesseract program is not installed; install it with: apt-get install tesseract-ocr "
        "tesseract-ocr-vie")


def test_installed_here(tesseract):
    assert ocr.ensure_ocr_available() is None


def test_unreadable_image_is_an_error_not_an_exception(tmp_path):
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n but not really")
    (res,) = ocr.ocr_image_file(bad)
    assert [(e.code, e.message, e.page) for e in res.errors] == [
        ("unreadable-image", f"scan.png: cannot read the image (cannot identify image file '{bad}')", 1)]


# ---------------------------------------------------------------- real Tesseract

@pytest.mark.slow
def test_crooked_sealed_jpeg_reads_well(tesseract, tmp_path):
    path = tmp_path / "scan.jpg"
    scan_like(render_lines(LINES), angle=2.0).save(path, dpi=(200, 200))
    (res,) = ocr.ocr_image_file(path, tables=False)
    assert not res.errors
    page = res.page
    assert page.source == "ocr" and page.number == 1
    assert cer(page.text(), "\n".join(LINES)) <= 0.03, page.text()
    assert page.ocr_confidence and page.ocr_confidence > 70
    # line boxes are in PDF points (200 dpi image: 72/200 of a pixel), inside the page
    assert page.width == pytest.approx(Image.open(path).width * 72 / 200, abs=0.5)
    for b in page.blocks:
        assert b.source == "ocr" and b.confidence is not None
        x0, top, x1, bottom = b.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= top < bottom <= page.height
    tops = [b.bbox[1] for b in page.blocks]
    assert tops == sorted(tops)


@pytest.mark.slow
def test_seal_removal_helps_over_plain_tesseract(tesseract, tmp_path):
    im = scan_like(render_lines(LINES), angle=2.0)
    plain = ocr.ocr_image(np.asarray(im), dpi=200, tables=False, preprocess=False).page.text()
    cleaned = ocr.ocr_image(np.asarray(im), dpi=200, tables=False).page.text()
    truth = "\n".join(LINES)
    assert cer(cleaned, truth) <= cer(plain, truth)


def _pdf(pages: list[Image.Image], path: Path, dpi: int = 150) -> Path:
    pages[0].save(path, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return path


@pytest.mark.slow
def test_a_page_that_times_out_is_an_error_and_the_others_survive(tesseract, tmp_path):
    # Page 1: a crowded page, well over the budget even on an idle machine (110 lines took 2.2 s
    # here: 400 take ~15 s); page 2: two short words.
    dense = render_lines([LINES[i % len(LINES)] for i in range(400)], size=13, width=1240, spacing=1.2, margin=20)
    small = render_lines(["Thông báo"], size=30, width=400, margin=30)
    pdf = _pdf([dense, small], tmp_path / "two.pdf")
    t0 = time.monotonic()
    res = ocr.ocr_pdf_pages(pdf, [1, 2], workers=2, timeout=6)
    assert time.monotonic() - t0 < 60
    assert sorted(res) == [1, 2]
    assert [(e.code, e.page, e.message) for e in res[1].errors] == [
        ("ocr-timeout", 1, "page 1: OCR took longer than 6 s and was stopped")]
    assert not res[2].errors
    assert res[2].page.text() == "Thông báo"



@pytest.mark.slow
def test_multi_page_tiff_gives_one_result_per_page(tesseract, tmp_path):
    pages = [render_lines(["Chỉ thị số 08"], size=30, width=500), render_lines(["Kế hoạch năm 2024"], size=30, width=500)]
    path = tmp_path / "scan.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:], dpi=(200, 200))
    res = ocr.ocr_image_file(path, workers=2)
    assert [r.page.number for r in res] == [1, 2]
    assert [r.page.text() for r in res] == ["Chỉ thị số 08", "Kế hoạch năm 2024"]
    assert all(not r.errors and r.page.source == "ocr" for r in res)


# ---------------------------------------------------------------- the choice between readings

def _cand(name, conf, valid):
    return ocr._Candidate(name, [], [], [], None, conf, valid)


def test_the_plain_reading_wins_unless_another_is_at_least_as_confident():
    plain, cleaned = _cand("plain", 95.88, 609), _cand("cleaned", 95.76, 620)
    assert ocr.choose([plain, cleaned]).name == "plain"
    assert ocr.choose([_cand("plain", 92.7, 531), _cand("cleaned", 94.5, 537)]).name == "cleaned"


def test_a_confident_reading_of_less_text_does_not_win():
    # a faint paragraph dropped raises the mean confidence of what is left
    assert ocr.choose([_cand("plain", 90.7, 100), _cand("cleaned", 93.0, 80)]).name == "plain"


def test_a_plain_reading_that_lost_text_does_not_win_on_confidence():
    # plain Tesseract dropped a dozen faint lines that the cleaned page kept: its mean
    # confidence over what is left is higher, and it is still the worse reading
    assert ocr.choose([_cand("plain", 93.0, 300), _cand("cleaned", 88.0, 380)]).name == "cleaned"
    assert ocr.choose([_cand("plain", 93.0, 300), _cand("cleaned", 88.0, 380),
                       _cand("enlarged", 90.0, 375)]).name == "enlarged"


def _line(text, x0, y0, x1, y1, conf=90.0):
    return tesseract.Line(text, (x0, y0, x1, y1), conf, len(text.split()), (1, 1, 1))


def test_a_line_the_kept_reading_lost_is_taken_from_another_into_its_column():
    # plain Tesseract could not read the signer's name under the red seal; the cleaned page could
    kept = [_line("thực hiện./.", 50, 660, 550, 672),
            _line("Nơi nhận:", 50, 700, 150, 712), _line("- Như trên;", 50, 715, 150, 727),
            _line("- Lưu: VT.", 50, 730, 150, 742),
            _line("KT. BỘ TRƯỞNG", 350, 700, 480, 712), _line("THỨ TRƯỞNG", 360, 715, 470, 727)]
    other = [_line("THỨ TRƯỞNG", 361, 716, 471, 728),                        # read by both: once
             _line("Thượng tướng Nguyễn Văn Long", 330, 780, 500, 794),      # lost by the kept one
             _line("k Š =", 400, 750, 430, 760, conf=95.0),                  # the seal's edge
             _line("Nguyễn Văn", 330, 600, 420, 612, conf=40.0)]             # not sure enough
    lines = ocr.order_columns(ocr._with_lost_lines(kept, [other]))
    assert [ln.text for ln in lines] == ["thực hiện./.", "Nơi nhận:", "- Như trên;", "- Lưu: VT.",
                                         "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Thượng tướng Nguyễn Văn Long"]


def test_a_line_both_read_is_taken_from_the_reading_much_surer_of_it():
    kept = [_line("KT. CHỦ TỊCH", 350, 700, 480, 712), _line("rần Hoàng Tuần", 340, 780, 480, 794, conf=52.0),
            _line("Nơi nhận:", 50, 700, 150, 712, conf=80.0)]
    other = [_line("Trần Hoàng Tuấn", 338, 781, 481, 795, conf=91.0),     # much surer: taken
             _line("Nơi nhân:", 50, 701, 152, 713, conf=88.0)]            # a little surer: not
    assert [ln.text for ln in ocr._with_lost_lines(kept, [other])] == ["KT. CHỦ TỊCH", "Trần Hoàng Tuấn", "Nơi nhận:"]


def test_header_fields_re_read_on_another_page_fill_the_kept_reading():
    # the plain reading was kept; the number and day were re-read on the cleaned page
    from extractors.types import FieldRead
    lines = [_line("Số: 46 /CT-UBND", 60, 80, 200, 92), _line("Quảng Ngãi, ngày 0ó tháng 02 năm 2025", 300, 80, 540, 92),
             _line("Căn cứ ngày 05 tháng 02 năm 2025", 50, 700, 550, 712)]
    reads = [FieldRead(field="number", value=None), FieldRead(field="day", value="03")]
    out = ocr._fill_header(lines, reads, height_pt=842)
    assert [ln.text for ln in out] == ["Số: /CT-UBND", "Quảng Ngãi, ngày 03 tháng 02 năm 2025",
                                       "Căn cứ ngày 05 tháng 02 năm 2025"]


def test_the_most_confident_of_several_readings_wins():
    cands = [_cand("plain", 91.1, 449), _cand("cleaned", 91.5, 438), _cand("enlarged", 94.1, 457)]
    assert ocr.choose(cands).name == "enlarged"


def test_uneven_lighting_is_flattened_and_an_even_page_left_alone():
    from extractors.reading.preprocess import flatten_illumination
    h, w = 600, 400
    paper = np.tile(np.linspace(120, 250, w, dtype=np.float32), (h, 1))   # lit from the right
    page = paper.copy()
    page[200:210, 50:350] = paper[200:210, 50:350] * 0.3                   # a line of print
    flat = flatten_illumination(page.astype(np.uint8))
    blank = np.r_[flat[:150], flat[300:]]
    assert blank.min() > 225                      # paper white everywhere, the dark side too
    assert flat[200:210, 60:340].mean() < 100     # the print still dark
    even = np.full((h, w), 240, np.uint8)
    even[200:210, 50:350] = 30
    assert flatten_illumination(even) is even


@pytest.mark.slow
def test_small_print_never_reads_below_plain_tesseract(tesseract, tmp_path):
    # A page photographed from afar: 11-pixel print.  Whatever reading is kept, its confidence is
    # not below plain Tesseract's on the same image, and the text is corrected Vietnamese.
    im = render_lines(LINES, size=13, width=520, margin=20, spacing=1.6)
    path = tmp_path / "photo.png"
    im.save(path)
    import subprocess
    from pytesseract.pytesseract import file_to_dict
    out = subprocess.run(["tesseract", str(path), "stdout", "-l", "vie", "--dpi", "300", "tsv"],
                         capture_output=True, text=True, check=True).stdout
    from extractors.reading.tesseract import read_words
    confs = [c for _, _, c in read_words(file_to_dict(out, "\t", -1))]
    page = ocr.ocr_image(np.asarray(im), dpi=300, tables=False).page
    assert page.ocr_confidence >= round(sum(confs) / len(confs), 2)
    assert cer(page.text(), "\n".join(LINES)) < 0.1
    for b in page.blocks:
        assert b.ocr_text is None or b.ocr_text != b.text   # the raw reading kept where it changed


def _reading(name: str, words: list[tuple[str, float, int]]) -> "ocr._Candidate":
    """A reading whose word table holds WORDS (text, confidence, left), on one row, in page points."""
    data = {k: [] for k in ("text", "conf", "block_num", "par_num", "line_num", "word_num",
                            "left", "top", "width", "height")}
    for n, (text, conf, left) in enumerate(words, 1):
        for k, v in (("text", text), ("conf", conf), ("block_num", 1), ("par_num", 1), ("line_num", 1),
                     ("word_num", n), ("left", left), ("top", 100), ("width", 60), ("height", 20)):
            data[k].append(v)
    return ocr._Candidate(name, [], [], [], lambda box: box, 90.0, 0, data=data)


@pytest.mark.parametrize("other, expected", [
    ([("tư", 95, 100), ("vấn", 94, 170)], "vấn"),    # read so much more surely, in the same place: its marks
    ([("tư", 95, 100), ("vấn", 75, 170)], "vân"),    # not surer by MARKS_BETTER
    ([("tư", 95, 100), ("vấn", 94, 400)], "vân"),    # elsewhere on the page
    ([("tư", 95, 100), ("vẫn", 96, 170), ("vấn", 94, 170)], "vẫn"),   # the surest of the rivals
    ([("tư", 95, 100), ("văn", 40, 170)], "vân"),
])
def test_a_words_marks_come_from_the_reading_surest_of_them(other, expected):
    """Plain Tesseract keeps marks that the cleaned or enlarged page loses on a photo (`tư vấn`
    where the chosen reading has `tư vân`): the same letters in the same place, read surer."""
    chosen = _reading("enlarged", [("tư", 96, 100), ("vân", 68, 170)])
    ocr._vote_marks(chosen, [_reading("plain", other)])
    assert chosen.data["text"] == ["tư", expected]


def test_d_and_dd_are_letters_not_marks_and_list_letters_are_not_voted_on():
    chosen = _reading("enlarged", [("đ)", 60, 100), ("dê", 60, 170)])
    ocr._vote_marks(chosen, [_reading("plain", [("d)", 96, 100), ("đê", 96, 170)])])
    assert chosen.data["text"] == ["đ)", "dê"]
