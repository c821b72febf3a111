"""Text-layer verdicts: the Vietnamese syllable validator and the page decisions."""
import unicodedata

import pytest
from hypothesis import given, strategies as st

from extractors.reading.quality import assess_text, is_vietnamese_syllable


@pytest.mark.parametrize("word", [
    "Chỉ", "thị", "các", "việc", "Ủy", "ủy", "uỷ", "ban", "nhân", "dân", "tỉnh", "quốc", "gia", "khuỷu",
    "nghiêng", "giữa", "gì", "quyết", "thủy", "HÀ", "Hà", "ĐẢNG", "Cộng", "xoong", "oán", "người",
    "nguyễn", "khoa", "học", "chuyển", "đổi", "số", "năm", "hoạch", "tuyên", "truyền", "yêu", "cầu", "ý",
])
def test_valid_syllables(word):
    assert is_vietnamese_syllable(word)
    assert is_vietnamese_syllable(unicodedata.normalize("NFD", word))


@pytest.mark.parametrize("word", [
    "NgAN", "uY", "cac", "viec", "ce", "ngi", "ghe" + "x", "Qd", "tỉỉnh", "thịt̀", "bcd", "xyz", "str", "kh",
    "hoaxz", "càc",  # stop coda with huyền
])
def test_invalid_syllables(word):
    assert not is_vietnamese_syllable(word)


GOOD = (
    "Thời gian qua, thực hiện Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực "
    "điện tử phục vụ chuyển đổi số quốc gia giai đoạn 2022 - 2025, tầm nhìn đến năm 2030 bước đầu "
    "đạt được những kết quả tích cực; nhận thức, trách nhiệm của cấp ủy, tổ chức đảng được nâng lên."
)
GARBLED = (  # a scanner's OCR layer that lost the diacritics (lamdong TB 493 style)
    "uY BAN NgAN nAN TINH LAM DONG CONG HOA XA HOI CHU NGHIA VIET NAM Doc lap Tu do Hanh phuc "
    "Thong bao ket luan cua Pho Chu tich UBND tinh tai cuoc hop ve cai thien cac chi so cai cach hanh chinh"
)
NO_MARKS = (
    "Thoi gian qua, thuc hien De an phat trien ung dung du lieu ve dan cu, dinh danh va xac thuc "
    "dien tu phuc vu chuyen doi so quoc gia giai doan 2022 - 2025, tam nhin den nam 2030 buoc dau"
)
SPACED = "C h ỉ  t h ị  v ề  v i ệ c  t ă n g  c ư ờ n g  c ô n g  t á c  c h u y ể n  đ ổ i  s ố"
CID = " ".join(f"(cid:{n})" for n in range(3, 60))
STAMP = "Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi\nThời gian ký: 18.03.2024 09:41:42 +07:00"


@pytest.mark.parametrize("text, ok, reason", [
    (GOOD, True, ""),
    (GOOD.upper(), True, ""),
    (unicodedata.normalize("NFD", GOOD), True, ""),
    (GARBLED, False, "invalid-syllables"),
    (NO_MARKS, False, "invalid-syllables"),
    ("uy ban nhan dan tinh lam dong cong hoa xa hoi chu nghia doi moi hai ba bon nam sau bay tam chin muoi", False, "no-diacritics"),
    (SPACED, False, "spaced-letters"),
    (CID, False, "cid-garbage"),
    (STAMP, False, "junk-layer"),
    ("", False, "no-text-layer"),
    ("\ufffd" * 40 + " " + GOOD[:40], False, "unmapped-glyphs"),
    (GOOD + "\nCăn cứ Nghị định số 30/2020/NĐ-CP; UBND tỉnh; QĐ-TTg; email: dean06@binhdinh.gov.vn", True, ""),
])
def test_page_verdicts(text, ok, reason):
    q = assess_text(text)
    assert (q.ok, q.reason) == (ok, reason)


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxy àáảãạ", max_size=60))
def test_validator_never_raises(s):
    for token in s.split():
        is_vietnamese_syllable(token)
    assess_text(s)
