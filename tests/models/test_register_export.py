"""`chidao export`: register-export/1 exactly (every required field), CSV and XLSX tables."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from typer.testing import CliRunner

from models.export import CSV_COLUMNS, export_register
from models.register import ingest_processed, open_session

DOC_FIELDS = {"id", "source_file", "sha256", "type", "number", "issuer", "issued_on", "place", "title", "signer",
              "citations", "targets", "obligations"}
CITATION_FIELDS = {"number", "type", "issued_on", "relation"}
TARGET_FIELDS = {"raw", "value", "unit", "kind"}
OBLIGATION_FIELDS = {"id", "ref", "page", "text", "lead_units", "support_units", "deadline", "targets", "output"}
DEADLINE_FIELDS = {"raw", "due", "recurrence", "day"}
SPEC_TYPES = {"Chỉ thị", "Quyết định", "Kế hoạch", "Thông báo", "Công văn", "Nghị quyết", "Báo cáo", "Công điện",
              "Tin bài", "Khác"}


def check_shape(data: dict) -> None:
    assert data["format"] == "register-export/1"
    for d in data["documents"]:
        assert DOC_FIELDS <= set(d), DOC_FIELDS - set(d)
        assert d["type"] in SPEC_TYPES, d["type"]
        assert d["issued_on"] is None or dt.date.fromisoformat(d["issued_on"])
        for c in d["citations"]:
            assert CITATION_FIELDS <= set(c) and c["relation"] in ("basis", "implements", "cites")
        for t in d["targets"]:
            assert TARGET_FIELDS <= set(t) and t["kind"] in ("target", "achieved")
        for o in d["obligations"]:
            assert OBLIGATION_FIELDS <= set(o), OBLIGATION_FIELDS - set(o)
            assert isinstance(o["lead_units"], list) and isinstance(o["support_units"], list)
            assert isinstance(o["targets"], list)
            if o["deadline"] is not None:
                assert DEADLINE_FIELDS <= set(o["deadline"])
                assert o["deadline"]["recurrence"] in (None, "ongoing", "weekly", "monthly", "quarterly", "halfyearly", "yearly")
            for t in o["targets"]:
                assert TARGET_FIELDS <= set(t)


@pytest.fixture
def filled(db_url, make_processed):
    with open_session(db_url) as s:
        ingest_processed(s, make_processed(
            programme="06/QĐ-TTg",
            citations=[("06/QĐ-TTg", "implements", "Quyết định", dt.date(2022, 1, 6)), ("1552/BTTTT-THH", "cites")],
            targets=[{"raw": "80% hồ sơ được số hóa", "value": 80, "unit": "%"},
                     {"raw": "mới đạt 0,68%", "value": 0.68, "unit": "%", "kind": "achieved"}]))
        ingest_processed(s, make_processed(name="tb.pdf", content="tb", number=None, issued_on=None, signer=None,
                                           type="Thông báo", obligations=[{"text": "Không có hạn", "ref": None, "page": None}]))
        ingest_processed(s, make_processed(name="bad.pdf", content="bad", status="failed",
                                           errors=[("encrypted", "encrypted PDF")], obligations=[]))
    return db_url


def test_export_shape_and_values(filled):
    with open_session(filled) as s:
        data = export_register(s)
    check_shape(data)
    assert [d["source_file"] for d in data["documents"]] == ["ct-08-tu.pdf", "tb.pdf"]  # failed left out
    d0, d1 = data["documents"]
    assert d0["citations"][0] == {"number": "06/QĐ-TTg", "type": "Quyết định", "issued_on": "2022-01-06",
                                  "relation": "implements", "printed": True}
    assert d0["targets"][0] == {"raw": "80% hồ sơ được số hóa", "value": 80, "unit": "%", "kind": "target"}
    assert d0["targets"][1] == {"raw": "mới đạt 0,68%", "value": 0.68, "unit": "%", "kind": "achieved"}
    o = d0["obligations"][0]
    assert o["deadline"] == {"raw": "Tháng 02/2024", "due": "2024-02-29", "recurrence": None, "day": None}
    assert d0["obligations"][1]["deadline"] == {"raw": "Ngày 22 hàng tháng", "due": None, "recurrence": "monthly", "day": 22}
    assert o["targets"] == [{"raw": "100% công dân đủ điều kiện", "value": 100, "unit": "%", "kind": "target"}]
    assert d1["number"] is None and d1["issued_on"] is None and d1["signer"] is None
    assert d1["obligations"][0]["deadline"] is None and d1["obligations"][0]["ref"] is None
    assert d1["obligations"][0]["output"] is None


def test_cli_export_formats(filled, tmp_path, monkeypatch):
    from app.cli import app

    runner = CliRunner()
    out = tmp_path / "e.json"
    r = runner.invoke(app, ["export", "--format", "json", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    check_shape(data)
    assert sum(len(d["obligations"]) for d in data["documents"]) == 6
    r = runner.invoke(app, ["export", "--format", "csv"])
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == CSV_COLUMNS and len(rows) == 6
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["export", "--format", "xlsx"])
    assert r.exit_code == 0
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "outputs" / "register.xlsx").active
    assert [c.value for c in ws[1]] == CSV_COLUMNS and ws.max_row == 7
    r = runner.invoke(app, ["export", "--format", "pdf"])
    assert (r.exit_code, r.output) == (2, "error: unknown format 'pdf': use json, csv or xlsx\n")


def test_export_module_stays_light():
    import subprocess
    import sys

    code = ("import sys, models.export, models.register, models.queries, models.graph; "
            "bad = [m for m in ('prefect', 'spacy', 'underthesea', 'pytesseract', 'cv2', 'fastapi') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("genre, exported", [("Tờ trình", "Khác"), (None, "Khác"), ("Công điện", "Công điện"),
                                             ("Tin bài", "Tin bài")])
def test_export_type_is_one_of_the_spec_list(db_url, make_processed, genre, exported):
    with open_session(db_url) as s:
        ingest_processed(s, make_processed(name="x.pdf", content=f"x-{genre}", type=genre))
        data = export_register(s)
    check_shape(data)
    assert data["documents"][0]["type"] == exported
