"""The matching keys (extractors/keys.py): one per concept, stable, and defined nowhere else."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from extractors.keys import symbol_key, text_key, unit_key
from models.keys import obligation_id

ROOT = Path(__file__).resolve().parents[2]
# The names of the keys, and the names they had when they were defined twice or more.
KEY_NAMES = {"unit_key", "text_key", "words_key", "symbol_key", "number_key", "unit_fold", "_unit_gazetteer"}


def test_each_key_is_defined_once():
    """A second `def unit_key` (or text_key, symbol_key, or the old number_key / unit_fold /
    the register's own index of units.jsonl) anywhere in the code fails here."""
    found: dict[str, list[str]] = {}
    for folder in ("extractors", "models", "flows", "app", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in KEY_NAMES:
                    found.setdefault(node.name, []).append(str(path.relative_to(ROOT)))
    assert found == {"unit_key": ["extractors/keys.py"], "text_key": ["extractors/keys.py"], "words_key": ["extractors/keys.py"],
                     "symbol_key": ["extractors/keys.py"]}


def test_obligation_ids_are_the_ones_registers_hold():
    """Ids computed by the code before extractors/keys.py, for 261 texts (real obligations and
    odd whitespace / tone / case): staff data is found again by these ids."""
    data = json.loads((Path(__file__).parent / "data" / "obligation_ids.json").read_text(encoding="utf-8"))
    assert len(data["ids"]) == 261
    wrong = [r for r in data["ids"] if obligation_id(r["doc"], r["ref"], r["text"], r["ordinal"]) != r["id"]]
    assert wrong == []


def test_register_ingest_gives_the_same_ids_as_obligation_id(tmp_path):
    """The register computes ids in bulk (models.register.obligations_with_ids): the same as obligation_id."""
    from extractors.types import Obligation
    from models.register import obligations_with_ids

    texts = ["Báo cáo  kết quả", "BÁO CÁO KẾT QUẢ", "Tổ chức hoà giải\u00a0ở cơ sở", "Báo cáo kết quả"]
    got = obligations_with_ids("ab" * 8, [Obligation(text=t, ref="1") for t in texts])
    assert [oid for oid, _ in got] == [obligation_id("ab" * 8, "1", t, n) for t, n in zip(texts, (0, 1, 0, 2))]


# ---------------------------------------------------------------- unit_key

@pytest.mark.parametrize("a, b", [
    ("Ủy ban nhân dân tỉnh", "UBND tỉnh"),
    ("Uỷ ban nhân dân tỉnh", "Ủy ban nhân dân tỉnh"),
    ("Sở Văn hoá, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở Lao động - Thương binh và Xã hội", "Sở Lao động-Thương binh và Xã hội"),
    ("Sở Lao động - Thương binh và Xã hội", "Sở Lao động, Thương binh và Xã hội"),
    ("Sở Lao động - Thương binh và Xã hội", "Sở LĐ-TB&XH"),
    ("Sở Thông tin và Truyền thông", "Sở TT&TT"),
    ("Các sở, ban, ngành", "các sở ban ngành"),
    ("Công an tỉnh", "  Công  an\ttỉnh "),
    ("Thủy lợi", "Thuỷ lợi"),
])
def test_unit_names_that_meet(a, b):
    assert unit_key(a) == unit_key(b)


@pytest.mark.parametrize("a, b", [
    ("Sở Y tế", "Sở Xây dựng"), ("Công an tỉnh", "Công an huyện"), ("Sở Tư pháp", "Sở Tư Pháp Hà Nội"),
    ("Ủy ban nhân dân tỉnh", "Hội đồng nhân dân tỉnh"), ("Sở Tư pháp", "Sở Tu phap"),
])
def test_unit_names_that_differ(a, b):
    assert unit_key(a) != unit_key(b)


NAME = st.lists(st.sampled_from(["Sở", "Ủy", "ban", "nhân", "dân", "tỉnh", "Hòa", "hoà", "Thuỷ", "Lao", "động",
                                 "Thương", "binh", "và", "Xã", "hội", "các", "đơn", "vị", "UBND", "TT&TT"]),
                min_size=1, max_size=8)


@settings(max_examples=80, deadline=None)
@given(NAME, st.sampled_from([" ", "  ", " - ", ", ", "-", "\u00a0", " – "]), st.booleans())
def test_unit_key_ignores_separators_and_case(words, sep, upper):
    name = " ".join(words)
    variant = sep.join(words)
    variant = variant.upper() if upper else variant
    if upper and any(w in ("UBND", "TT&TT") for w in words):
        return      # an abbreviation is read in capitals only: "ubnd" is not one
    assert unit_key(variant) == unit_key(name)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60))
def test_unit_key_is_idempotent(text):
    assert unit_key(unit_key(text)) == unit_key(text)


# ---------------------------------------------------------------- text_key

@settings(max_examples=80, deadline=None)
@given(st.text(max_size=80))
def test_text_key_ignores_only_whitespace_case_and_tone_placement(text):
    assert text_key(text) == text_key("  " + text.replace(" ", " \n ") + " ")
    assert text_key(text_key(text)) == text_key(text)


def test_text_key_keeps_punctuation_and_diacritics():
    assert text_key("Tổ chức hoà giải") == text_key("TỔ CHỨC HÒA GIẢI")
    assert text_key("hoàn thành.") != text_key("hoàn thành")
    assert text_key("hoàn thành") != text_key("hoan thanh")


# ---------------------------------------------------------------- symbol_key

# as printed: real type and issuer codes (normalize_symbol canonicalises codes it knows)
CODES = st.sampled_from(["QĐ", "QD", "CT", "KH", "TB", "NQ", "CV", "BC", "TTr", "UBND", "TTg", "BCA", "CP", "BNV", "TU",
                         "HĐND", "CĐ", "VX", "NC", "C04", "PC06", "CAT"])
SYMBOL = st.builds(lambda n, y, a, b: f"{n}/{y}{a}-{b}", st.integers(1, 9999).map(str),
                   st.sampled_from(["", "2020/", "2025/"]), CODES, CODES)


@settings(max_examples=60, deadline=None)
@given(SYMBOL)
def test_symbol_key_of_the_display_form_is_the_symbol_key(sym):
    """normalize_symbol restores codes (QD -> QĐ, TTG -> TTg): the key does not see it."""
    from extractors.structure.common import normalize_symbol

    shown = normalize_symbol(sym)
    assert shown is not None and symbol_key(shown) == symbol_key(sym)


def test_symbol_key_finds_a_symbol_in_a_text():
    """match_programme looks for a programme's key inside the key of a whole text."""
    from extractors.structure.citations import Programme, match_programme

    p = Programme(symbol="06/QĐ-TTg", title="Đề án phát triển ứng dụng dữ liệu về dân cư", aliases=[])
    assert match_programme("thực hiện Quyết định (06 / QD – TTg) của Thủ tướng", [p]) is p
    assert match_programme("thực hiện Quyết định (106/QĐ-TTg)", [p]) is None
