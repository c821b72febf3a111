"""The normaliser every stage relies on: NFC, one tone placement, diacritic folding."""
import unicodedata

import pytest
from hypothesis import given, strategies as st

from extractors.text import casefold_key, collapse_ws, fold_diacritics, normalize_text, normalize_tone


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("hoà", "hòa"),
        ("Uỷ ban nhân dân", "Ủy ban nhân dân"),
        ("UỶ BAN", "ỦY BAN"),
        ("thuỷ lợi", "thủy lợi"),
        ("khoẻ mạnh", "khỏe mạnh"),
        ("hoàn thành", "hoàn thành"),   # mark already on the main vowel of a closed syllable
        ("quý I", "quý I"),             # qu + y: nothing to move
        ("hòa", "hòa"),
        ("Hoá", "Hóa"),
    ],
)
def test_tone_placement(raw, expected):
    assert normalize_tone(unicodedata.normalize("NFC", raw)) == expected


def test_decomposed_input_becomes_nfc():
    decomposed = unicodedata.normalize("NFD", "Quyết định số 06/QĐ-TTg")
    assert normalize_text(decomposed) == "Quyết định số 06/QĐ-TTg"


def test_whitespace_oddities():
    assert collapse_ws("Sở\u00a0Nội  vụ\n tỉnh") == "Sở Nội vụ tỉnh"
    assert normalize_text("a\u00adb\ufeff") == "ab"



@pytest.mark.parametrize(
    "raw, folded",
    [("định danh điện tử", "dinh danh dien tu"), ("ĐẢNG", "DANG"), ("hoà", "hoa"), ("hòa", "hoa")],
)
def test_fold(raw, folded):
    assert fold_diacritics(raw) == folded


vietnamese = st.text(
    alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ĐÀÁUỶOÀ\u00a0\n")),
    max_size=40,
)


@given(vietnamese)
def test_normalize_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert unicodedata.is_normalized("NFC", once)


@given(vietnamese)
def test_folding_ignores_tone_placement(text):
    def squeeze(s):
        return " ".join(s.split())

    assert squeeze(fold_diacritics(normalize_text(text))) == squeeze(fold_diacritics(text))
    assert fold_diacritics(fold_diacritics(text)) == fold_diacritics(text)


@given(vietnamese)
def test_casefold_key_collapses(text):
    key = casefold_key(text)
    assert "  " not in key and key == key.strip()


def _fold_by_decomposing(text: str) -> str:
    """The definition: decompose the whole text (đ -> d first), drop the combining marks."""
    decomposed = unicodedata.normalize("NFD", text.translate(str.maketrans({"đ": "d", "Đ": "D"})))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_folding_one_character_at_a_time_is_folding_the_text():
    every = "".join(chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c < 0xE000)
    assert fold_diacritics(every) == _fold_by_decomposing(every)
    # combining marks in any order, already decomposed, or stacked on one letter
    odd = "a\u0301\u0323 e\u0323\u0302 A\u0308\u0304 \u0301x Đ\u0300 ơ\u0303"
    assert fold_diacritics(odd) == _fold_by_decomposing(odd)


@given(st.text())
def test_folding_matches_its_definition(text):
    assert fold_diacritics(text) == _fold_by_decomposing(text)
