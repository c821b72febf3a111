"""The sample corpus's gold files: they load, follow register-export/1, and every snippet and raw
string sits in its source — so golden tests built on them measure the extractors, not typos."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scripts import check_gold
from scripts.render_samples import SAMPLES, SRC_DIR, parse_source, plain_text

GOLD = sorted((SAMPLES / "gold").glob("*.json"))
SOURCES = sorted(SRC_DIR.glob("*.md"))


def _doc(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["documents"][0]


def test_every_source_has_gold_and_renderings():
    assert len(SOURCES) >= 5
    for src in SOURCES:
        source = parse_source(src)
        assert (SAMPLES / "gold" / f"{src.stem}.json").exists(), src.name
        ext = "docx" if source.output_format == "docx" else "pdf"
        assert (SAMPLES / "pdf" / f"{src.stem}.{ext}").exists(), src.name
        assert (SAMPLES / "scan" / f"{src.stem}-scan.pdf").exists(), src.name


def test_corpus_covers_the_document_kinds():
    kinds = {_doc(g)["type"] for g in GOLD}
    assert {"Chỉ thị", "Quyết định", "Thông báo", "Công văn", "Kế hoạch"} <= kinds
    assert any(_doc(g)["source_file"].endswith(".docx") for g in GOLD)


@pytest.mark.parametrize("gold", GOLD, ids=lambda p: p.stem)
def test_gold_file_passes_the_checker(gold):
    assert check_gold.check_file(gold) == []


@pytest.mark.parametrize("gold", GOLD, ids=lambda p: p.stem)
def test_required_export_fields(gold):
    data = json.loads(gold.read_text(encoding="utf-8"))
    assert data["format"] == "register-export/1"
    doc = data["documents"][0]
    assert set(check_gold.DOC_FIELDS) <= set(doc)
    assert doc["obligations"], "a sample directive without obligations is no use as gold"
    for o in doc["obligations"]:
        assert set(check_gold.OBL_FIELDS) <= set(o)
        if o["deadline"] is not None:
            assert set(o["deadline"]) == {"raw", "due", "recurrence", "day"}
        for t in o["targets"]:
            assert {"raw", "value", "unit", "kind"} <= set(t)
    for c in doc["citations"]:
        assert {"number", "type", "issued_on", "relation"} <= set(c)


@pytest.mark.parametrize("gold", GOLD, ids=lambda p: p.stem)
def test_snippets_occur_in_the_source(gold):
    from extractors.text import collapse_ws

    text = collapse_ws(plain_text(SRC_DIR / f"{gold.stem}.md").replace("*", ""))
    for o in _doc(gold)["obligations"]:
        assert collapse_ws(o["text"]) in text, o["id"]


@pytest.mark.parametrize("gold", GOLD, ids=lambda p: p.stem)
def test_document_fields_agree_with_the_front_matter(gold):
    doc = _doc(gold)
    meta = parse_source(SRC_DIR / f"{gold.stem}.md").meta
    assert doc["number"] in meta["number"]
    assert doc["place"] and meta["place_date"].startswith(doc["place"])
    assert doc["signer"] == meta.get("signer")


def test_the_corpus_exercises_what_the_extractors_must_handle():
    """Each hard case of the obligations brief appears at least once in the gold."""
    obs = [o for g in GOLD for o in _doc(g)["obligations"]]
    recurrences = {o["deadline"]["recurrence"] for o in obs if o["deadline"]}
    assert {"ongoing", "weekly", "monthly", "quarterly", "halfyearly"} <= recurrences
    assert any(o["deadline"] and o["deadline"]["due"] is None and o["deadline"]["recurrence"] is None
               for o in obs), "a 'Theo lộ trình ...' deadline"
    assert any(o["ref"] and o["ref"].startswith("PL.") for o in obs)
    assert any(o["ref"] == "Điều 2" for o in obs)
    assert any(len(o["support_units"]) >= 3 for o in obs)
    assert any("Ủy ban nhân dân các huyện, thành phố" in o["lead_units"] + o["support_units"] for o in obs)
    targets = [t for g in GOLD for t in _doc(g)["targets"]] + [t for o in obs for t in o["targets"]]
    assert {"target", "achieved"} <= {t["kind"] for t in targets}
    assert any(isinstance(t["value"], float) for t in targets), "a decimal comma (76,5%)"
    assert any(t["unit"] == "count" for t in targets)


# ---------------------------------------------------------------- the checker itself

@pytest.fixture()
def broken_gold(tmp_path, monkeypatch):
    """A copy of one gold file and its source in a scratch corpus, to break on purpose."""
    stem = "ct-12-tu-quang-ngai"
    src_dir, gold_dir = tmp_path / "src", tmp_path / "gold"
    src_dir.mkdir(); gold_dir.mkdir()
    shutil.copy(SRC_DIR / f"{stem}.md", src_dir)
    shutil.copy(SAMPLES / "gold" / f"{stem}.json", gold_dir)
    monkeypatch.setattr(check_gold, "SRC_DIR", src_dir)
    path = gold_dir / f"{stem}.json"
    return path


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data["documents"][0])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["obligations"][0].update(text="Một đoạn trích không hề có trong văn bản nguồn này đâu"), "not in source"),
    (lambda d: d["obligations"][0].update(text="Tổ chức quán triệt"), "tokens"),
    (lambda d: d["obligations"][0].update(lead_units=["UBND tỉnh"]), "abbreviated"),
    (lambda d: d["obligations"][0].update(deadline={"raw": "Quý V/2025", "due": "2025-13-01",
                                                      "recurrence": None, "day": None}), "not a date"),
    (lambda d: d["obligations"][6]["deadline"].update(recurrence="fortnightly"), "recurrence"),
    (lambda d: d["obligations"][3]["targets"][0].update(kind="goal"), "kind"),
    (lambda d: d.pop("citations"), "missing field 'citations'"),
    (lambda d: d["obligations"][1].update(id=d["obligations"][0]["id"]), "duplicate id"),
])
def test_checker_catches_mistakes(broken_gold, change, expected):
    assert check_gold.check_file(broken_gold) == []
    _edit(broken_gold, change)
    problems = check_gold.check_file(broken_gold)
    assert any(expected in p for p in problems), problems


def test_checker_reports_unreadable_file(tmp_path):
    bad = tmp_path / "ct-12-tu-quang-ngai.json"
    bad.write_text("{not json", encoding="utf-8")
    problems = check_gold.check_file(bad)
    assert len(problems) == 1 and "cannot read" in problems[0]


def test_checker_cli_exit_status(tmp_path, capsys):
    assert check_gold.main([str(g) for g in GOLD]) == 0
    assert "ok" in capsys.readouterr().out
