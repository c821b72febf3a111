"""The sample corpus's gold files: they load, follow register-export/1, and every snippet and raw
string sits in its source — so golden tests built on them measure the extractors, not typos."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from scripts import check_gold
from scripts.render_samples import SAMPLES, SRC_DIR, parse_source, plain_text

GOLD = sorted((SAMPLES / "gold").glob("*.json"))
SOURCES = sorted(SRC_DIR.glob("*.md"))


def _doc(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["documents"][0]


STEMS = ["ct-12-tu-quang-ngai", "cv-345-ninh-thuan", "kh-58-ham-thuan-bac", "qd-415-kon-tum", "tb-87-thai-binh"]


def test_every_source_has_gold_and_renderings():
    assert [s.stem for s in SOURCES] == STEMS
    assert [g.stem for g in GOLD] == STEMS      # so the tests parametrized over GOLD run five times
    for src in SOURCES:
        source = parse_source(src)
        assert (SAMPLES / "gold" / f"{src.stem}.json").exists(), src.name
        ext = "docx" if source.output_format == "docx" else "pdf"
        assert (SAMPLES / "pdf" / f"{src.stem}.{ext}").exists(), src.name
        assert (SAMPLES / "scan" / f"{src.stem}-scan.pdf").exists(), src.name


def test_corpus_covers_the_document_kinds():
    assert [_doc(g)["type"] for g in GOLD] == ["Chỉ thị", "Công văn", "Kế hoạch", "Quyết định", "Thông báo"]
    assert [g.stem for g in GOLD if _doc(g)["source_file"].endswith(".docx")] == ["kh-58-ham-thuan-bac"]


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
    assert re.sub(r"^Số:? ", "", meta["number"]) == doc["number"]
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


OB = "gold-ct-12-tu-quang-ngai-"     # obligation ids of the broken copy


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["obligations"][0].update(text="Một đoạn trích không hề có trong văn bản nguồn này đâu"),
     [f"{OB}01: snippet not in source: 'Một đoạn trích không hề có trong văn bản nguồn này đâu'"]),
    (lambda d: d["obligations"][0].update(text="Tổ chức quán triệt"),
     [f"{OB}01: snippet has 4 tokens (8-20 wanted)", f"{OB}01: snippet occurs 2 times (ignoring case and punctuation)"]),
    (lambda d: d["obligations"][0].update(lead_units=["UBND tỉnh"]), [f"{OB}01: unit still abbreviated: 'UBND tỉnh'"]),
    (lambda d: d["obligations"][0].update(deadline={"raw": "Quý V/2025", "due": "2025-13-01",
                                                      "recurrence": None, "day": None}),
     [f"{OB}01: deadline raw not in source: 'Quý V/2025'", f"{OB}01: due '2025-13-01' is not a date"]),
    (lambda d: d["obligations"][6]["deadline"].update(recurrence="fortnightly"), [f"{OB}07: recurrence 'fortnightly'"]),
    (lambda d: d["obligations"][3]["targets"][0].update(kind="goal"), [f"{OB}04 target 1: target kind 'goal'"]),
    (lambda d: d.pop("citations"), ["missing field 'citations'"]),
    (lambda d: d["obligations"][1].update(id=d["obligations"][0]["id"]), [f"{OB}01: duplicate id"]),
])
def test_checker_catches_mistakes(broken_gold, change, expected):
    assert check_gold.check_file(broken_gold) == []
    _edit(broken_gold, change)
    assert check_gold.check_file(broken_gold) == [f"ct-12-tu-quang-ngai.json: {p}" for p in expected]


def test_checker_reports_unreadable_file(tmp_path):
    bad = tmp_path / "ct-12-tu-quang-ngai.json"
    bad.write_text("{not json", encoding="utf-8")
    assert check_gold.check_file(bad) == [
        "ct-12-tu-quang-ngai.json: cannot read: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"]


def test_checker_cli_exit_status(tmp_path, capsys):
    assert check_gold.main([str(g) for g in GOLD]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(" — ")[0] for ln in lines] == [f"{stem}.json: ok" for stem in STEMS]
    bad = tmp_path / "ct-12-tu-quang-ngai.json"
    bad.write_text("{not json", encoding="utf-8")
    assert check_gold.main([str(bad)]) == 1
