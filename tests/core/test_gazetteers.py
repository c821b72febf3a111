"""Every gazetteer in corpora/ loads through the one loader and has no duplicate keys."""
import json

import pytest

from extractors import gazetteer
from extractors.text import casefold_key

NAMES = gazetteer.available()
KEY_FIELDS = ("name", "group", "canonical", "abbreviation", "code", "symbol", "word", "alias", "pattern", "id")


def test_every_gazetteer_is_found():
    assert NAMES == ["abbreviations.jsonl", "document_types.jsonl", "issuers.jsonl", "programmes.jsonl",
                     "provinces.jsonl", "section_roles.jsonl", "surnames.jsonl", "table_columns.jsonl", "unit_groups.jsonl",
                     "unit_patterns.jsonl", "unit_words.jsonl", "units.jsonl"]


@pytest.mark.parametrize("name", NAMES)
def test_loads_and_has_no_duplicates(name):
    records = gazetteer.load(name)
    assert records, f"{name} is empty"
    key_field = next((f for f in KEY_FIELDS if f in records[0]), None)
    assert key_field, f"{name}: records have none of the key fields {KEY_FIELDS}"
    keys = [json.dumps(r.get(key_field), ensure_ascii=False, sort_keys=True) for r in records]
    keys = [casefold_key(k) for k in keys]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, f"{name}: duplicate {key_field}: {duplicates[:5]}"


def test_malformed_line_names_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "bad.jsonl").write_text('{"name": "ok"}\n{"name": \n', encoding="utf-8")
    monkeypatch.setattr(gazetteer, "CORPORA", tmp_path)
    gazetteer.load.cache_clear()
    try:
        with pytest.raises(gazetteer.GazetteerError, match=r"bad.jsonl:2"):
            gazetteer.load("bad.jsonl")
    finally:
        gazetteer.load.cache_clear()


@pytest.mark.parametrize("name,roles", [
    ("section_roles.jsonl", {"appendix", "organisation", "funding", "purpose", "scope", "targets", "tasks", "background"}),
    ("table_columns.jsonl", {"stt", "support", "lead", "monitor", "deadline", "output", "task", "note", "budget"}),
])
def test_rule_tables_compile_to_known_roles(name, roles):
    from extractors.structure.common import fold, rules

    table = rules(name)
    assert {role for role, _ in table} == roles
    for role, pattern in table:
        assert pattern.pattern == fold(pattern.pattern), f"{name}: {role} pattern must be folded (no diacritics)"
