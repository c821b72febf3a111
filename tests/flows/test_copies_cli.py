"""A directive ingested as its born-digital PDF and as its scan (real OCR through Tesseract) is one
document: `chidao ingest` of both in one command stores its obligations once, `chidao search`
shows each task once, `chidao documents` lists the scan under its document; in the other order the
born-digital copy takes over as the source and a status set on the scan's task survives."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.flows.conftest import ROOT, run_cli

DIGITAL = ROOT / "corpora" / "samples" / "pdf" / "cv-345-ninh-thuan.pdf"
SCAN = ROOT / "corpora" / "samples" / "scan" / "cv-345-ninh-thuan-scan.pdf"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("copies-cli")]


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    d, s = tmp_path / "in" / DIGITAL.name, tmp_path / "in" / SCAN.name
    d.parent.mkdir()
    shutil.copyfile(DIGITAL, d)
    shutil.copyfile(SCAN, s)
    return d, s


@pytest.fixture(scope="module")
def digital_alone(tmp_path_factory) -> list[str]:
    """The obligations' texts of the born-digital copy ingested on its own."""
    from extractors.pipeline import process_file

    return [o.text for o in process_file(DIGITAL).extraction.obligations]


def _search_all(db_url: str) -> list[dict]:
    out = run_cli("search", "", "--json", "--limit", "500", env={"CHIDAO_DB": db_url})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["hits"]


def test_both_copies_in_one_command_make_one_document(db_url, files, digital_alone):
    digital, scan = files
    out = run_cli("ingest", str(scan), str(digital), env={"CHIDAO_DB": db_url}, timeout=900)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = {Path(line.split(":", 1)[0]).name: line for line in out.stdout.splitlines()}
    copy_line = next(line for line in lines.values() if "bản sao của văn bản đã có" in line)
    assert "Công văn 345/UBND-KSTT" in copy_line and "cv-345-ninh-thuan.pdf" in copy_line, copy_line
    assert "chidao" in copy_line and " show " in copy_line   # a next step to paste

    hits = _search_all(db_url)
    texts = [h["text"] for h in hits]
    assert len(texts) == len(digital_alone) == len(set(zip(texts, [h["ref"] for h in hits]))), texts
    assert {h["document_id"] for h in hits} == {hits[0]["document_id"]}

    docs = run_cli("documents", env={"CHIDAO_DB": db_url})
    assert docs.stdout.splitlines()[0].startswith("1 văn bản: 1 xong (done)"), docs.stdout
    assert "1 bản sao" in docs.stdout.splitlines()[0]
    assert "└" in docs.stdout and "bản quét/ảnh" in docs.stdout

    exported = json.loads(run_cli("export", env={"CHIDAO_DB": db_url}).stdout)
    [doc] = exported["documents"]
    assert doc["source_file"] == DIGITAL.name and len(doc["obligations"]) == len(digital_alone)
    assert sorted(c["copy_kind"] for c in doc["copies"]) == ["digital", "scan"]


def test_the_digital_copy_arriving_later_takes_over_and_keeps_the_staff_work(db_url, files, digital_alone):
    digital, scan = files
    first = run_cli("ingest", str(scan), env={"CHIDAO_DB": db_url}, timeout=900)
    assert first.returncode == 0 and "văn bản mới" in first.stdout, first.stdout + first.stderr
    before = _search_all(db_url)
    worked = before[0]
    st = run_cli("status", worked["obligation_id"], "done", "--note", "Đã báo cáo", env={"CHIDAO_DB": db_url})
    assert st.returncode == 0, st.stderr

    second = run_cli("ingest", str(digital), env={"CHIDAO_DB": db_url}, timeout=900)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nên từ nay" in second.stdout and "bản điện tử (PDF)" in second.stdout, second.stdout

    after = _search_all(db_url)
    assert len(after) == len(digital_alone)
    kept = next(h for h in after if h["obligation_id"] == worked["obligation_id"])
    assert kept["status"] == "done"
    shown = run_cli("show", worked["obligation_id"], env={"CHIDAO_DB": db_url}).stdout
    assert "Đã báo cáo" in shown and DIGITAL.name in shown
    exported = json.loads(run_cli("export", env={"CHIDAO_DB": db_url}).stdout)
    assert [d["source_file"] for d in exported["documents"]] == [DIGITAL.name]
