"""Golden test: header fields and citations of the project's sample directives (corpora/samples)
against their hand-made gold (corpora/samples/gold, register-export/1)."""
import json
import re
import unicodedata
from pathlib import Path

import pytest

from extractors.reading import read_document
from extractors.structure import export_type, parse_directive

SAMPLES = Path(__file__).resolve().parents[2] / "corpora" / "samples"
GOLD = sorted((SAMPLES / "gold").glob("*.json"))


def _source(stem: str) -> Path | None:
    for ext in (".pdf", ".docx"):
        p = SAMPLES / "pdf" / f"{stem}{ext}"
        if p.exists():
            return p
    return None


def _norm(s):
    s = unicodedata.normalize("NFC", str(s or "")).casefold()
    s = re.sub(r"\bubnd\b", "ủy ban nhân dân", s)
    return re.sub(r"\s+", " ", s.replace("uỷ", "ủy")).strip()


def _sym(s):
    return unicodedata.normalize("NFC", s or "").upper().replace("Đ", "D").replace(" ", "")


CASES = [g for g in GOLD if _source(g.stem)]


@pytest.mark.skipif(not CASES, reason="no sample corpus")
@pytest.mark.parametrize("gold_path", CASES, ids=[g.stem for g in CASES])
def test_sample_header_and_citations(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    g = gold["documents"][0] if "documents" in gold else gold
    d = parse_directive(read_document(_source(gold_path.stem), ocr="never"))
    h = d.header
    got = {"type": export_type(h.type), "number": h.number, "issuer": h.issuer,
           "issued_on": h.issued_on.isoformat() if h.issued_on else None, "place": h.place, "signer": h.signer}
    for key in got:
        if key == "number":
            assert _sym(got[key]) == _sym(g.get(key)), key
        else:
            assert _norm(got[key]) == _norm(g.get(key)), key
    gold_cits = {_sym(c["number"]): c for c in g.get("citations", []) if c.get("printed", True)}
    ours = {_sym(c.number): c for c in d.citations if c.printed}
    assert set(ours) == set(gold_cits)
    for k, c in ours.items():
        gc = gold_cits[k]
        assert c.type == gc["type"], k
        assert (c.issued_on.isoformat() if c.issued_on else None) == gc.get("issued_on"), k
    impl = {_sym(c["number"]) for c in g.get("citations", []) if c.get("relation") == "implements"}
    assert impl <= {_sym(c.number) for c in d.citations if c.relation == "implements"}
