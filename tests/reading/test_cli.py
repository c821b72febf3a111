"""`chidao text`: reading-order text (golden file), --json model, bad input on stderr."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from extractors.types import Document

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "samples" / "pdf" / "qd-415-kon-tum.pdf"
GOLDEN = Path(__file__).parent / "golden" / "qd-415-kon-tum.txt"


def _run(*args):
    return CliRunner().invoke(app, ["text", *map(str, args)])


def test_text_matches_golden():
    """Regenerate with CHIDAO_REGEN_GOLDEN=1 after a deliberate change, and review the diff."""
    res = _run("--ocr", "never", SAMPLE)
    assert res.exit_code == 0, res.output
    if os.environ.get("CHIDAO_REGEN_GOLDEN") == "1":
        GOLDEN.write_text(res.stdout, encoding="utf-8")
    assert res.stdout == GOLDEN.read_text(encoding="utf-8")
    assert "\f" in res.stdout   # pages separated by form feeds


def test_json_is_the_typed_model():
    res = _run("--json", "--ocr", "never", SAMPLE)
    assert res.exit_code == 0
    doc = Document.model_validate_json(res.stdout)
    assert doc.status == "ok" and doc.kind == "pdf" and doc.page_count == 9
    assert doc.tables and doc.tables[0].header[0] == "STT"


def test_bad_input_one_line_on_stderr_no_traceback(tmp_path):
    bad = tmp_path / "công văn.pdf"
    bad.write_text("Chỉ thị số 08-CT/TU", encoding="utf-8")
    chidao = Path(sys.executable).with_name("chidao")
    res = subprocess.run([str(chidao), "text", str(bad)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert lines == [f"{bad}: named .pdf but its content is not PDF"]
    assert "Traceback" not in res.stderr
