"""Stable ids and symbol matching (models/keys.py)."""
from __future__ import annotations

import pytest
from hypothesis import assume, given, settings, strategies as st

from extractors.keys import symbol_key, text_key
from models.keys import document_id, obligation_id


@pytest.mark.parametrize("a, b", [
    ("06/QĐ-TTg", "06/QD-TTG"),
    ("06/QĐ-TTg", "06 / qđ – ttg"),
    ("08-CT/TU", "08 - CT/TU"),
    ("416/TTr-CAT-PC06", "416/TTR-CAT-PC06"),
    ("104/2022/NĐ-CP", "104/2022/NĐ\u2011CP"),
])
def test_symbols_that_meet(a, b):
    assert symbol_key(a) == symbol_key(b)


@pytest.mark.parametrize("a, b", [("06/QĐ-TTg", "06/CĐ-TTg"), ("766/QĐ-TTg", "766/CĐ-TTg"), ("08-CT/TU", "08-CT/TW")])
def test_symbols_that_differ(a, b):
    assert symbol_key(a) != symbol_key(b)


SYMBOL = st.from_regex(r"[0-9]{1,4}/(20[0-9]{2}/)?[A-ZĐa-zđ]{1,4}-[A-ZĐa-zđ]{1,5}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(SYMBOL, st.booleans(), st.booleans())
def test_symbol_key_ignores_case_d_and_spacing(sym, upper, spaced):
    variant = sym.upper() if upper else sym.lower()
    variant = variant.replace("Đ", "D").replace("đ", "d")
    if spaced:
        variant = variant.replace("/", " / ").replace("-", " – ")
    assert symbol_key(variant) == symbol_key(sym)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_obligation_id_ignores_whitespace_and_case(text):
    doc = document_id("ab" * 32)
    assume(text_key(text) == text_key(text.upper()))     # a few characters change under upper() and casefold
    assert obligation_id(doc, "1", text) == obligation_id(doc, "1", "  " + text.upper().replace(" ", "   ") + " ")
    assert len(obligation_id(doc, "1", text)) == 16
    assert obligation_id(doc, "1", text, 0) != obligation_id(doc, "1", text, 1)
