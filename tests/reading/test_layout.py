"""Lines and reading order from positioned characters (no PDF needed)."""
from extractors.reading.layout import Char, build_lines, reading_order


def _word(text, x, baseline, size=13.0, advance=None):
    """Characters of `text` from x along a baseline; spaces become gaps of 0.25 em."""
    adv = advance or size * 0.5
    out = []
    space = False
    for ch in text:
        if ch == " ":
            x += size * 0.25
            space = True
            continue
        out.append(Char(ch, x, baseline - size * 0.8, x + adv, baseline + size * 0.2, baseline + size * 0.2,
                        size, space_before=space))
        space = False
        x += adv
    return out


def _texts(items):
    return [p.text for p in items]


def test_narrow_gap_between_issuer_and_motto_still_splits():
    # 1.5 em between the blocks: narrower than the fixed threshold, far wider than word gaps.
    line = _word("THỦ TƯỚNG CHÍNH PHỦ", 100, 60)
    end = line[-1].x1
    line += _word("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", end + 19.5, 60)
    lines = build_lines(line)
    assert [p.text for p in lines[0].pieces] == ["THỦ TƯỚNG CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]


def test_band_reads_left_block_then_right_and_joins_split_number():
    chars = (_word("BỘ NỘI VỤ", 110, 60) + _word("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 300, 60)
             + _word("Số:", 84, 80) + _word("/BNV-CCHC", 130, 80) + _word("Hà Nội, ngày tháng 12", 320, 80)
             + _word("Thực hiện Quyết định số 1187/QĐ-BNV ngày 15/10/2025 của Bộ trưởng Bộ Nội vụ", 60, 120))
    order = reading_order(build_lines(chars))
    assert _texts(order) == ["BỘ NỘI VỤ", "Số: /BNV-CCHC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                             "Hà Nội, ngày tháng 12",
                             "Thực hiện Quyết định số 1187/QĐ-BNV ngày 15/10/2025 của Bộ trưởng Bộ Nội vụ"]


def test_justified_line_is_one_piece():
    chars = []
    x = 60.0
    for w in "các sở ban ngành tỉnh tập trung triển khai".split():
        chars += _word(w, x, 200)
        x = chars[-1].x1 + 9.0     # wide but even justification spaces
    lines = build_lines(chars)
    assert len(lines) == 1 and len(lines[0].pieces) == 1
    assert lines[0].pieces[0].text == "các sở ban ngành tỉnh tập trung triển khai"


def test_accents_do_not_break_lines():
    chars = _word("Quyết định", 60, 100)
    chars[1].top -= 4     # a taller glyph box (diacritic): the baseline decides
    assert len(build_lines(chars)) == 1
