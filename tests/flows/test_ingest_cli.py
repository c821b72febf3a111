"""`chidao ingest` (the plain in-process path) and the start-up cost of the quick commands."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.flows.conftest import ROOT, register_rows, run_cli

pytestmark = pytest.mark.xdist_group("flows-cli")


def test_ingest_batch_bad_input_never_stops_it(tmp_path, sqlite_url, directive_pdf):
    a = directive_pdf("a.pdf", 1)
    b = directive_pdf("b.pdf", 2)
    bad = tmp_path / "src" / "hong.pdf"
    bad.write_bytes(b"this is not a PDF at all")
    empty = tmp_path / "src" / "rong.pdf"
    empty.write_bytes(b"")
    missing = tmp_path / "khong-co.pdf"
    out = run_cli("ingest", str(tmp_path / "src"), str(missing), env={"CHIDAO_DB": sqlite_url})
    assert out.returncode == 0, out.stdout + out.stderr       # bad files are recorded, not fatal
    assert "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 5, lines
    by_name = {l.split(":", 1)[0]: l for l in lines}
    assert "new document" in by_name[str(a)] and "new document" in by_name[str(b)]
    assert by_name[str(bad)].startswith(f"{bad}: ") and "new" not in by_name[str(bad)]
    assert by_name[str(empty)].startswith(f"{empty}: ")
    assert by_name[str(missing)] == f"{missing}: không tìm thấy tệp; hãy kiểm tra lại đường dẫn"
    assert bad.read_bytes() == b"this is not a PDF at all"     # originals untouched
    statuses = sorted(r[2] for r in register_rows(sqlite_url))
    assert statuses.count("failed") == 2 and len(statuses) == 4

    # The same files again: duplicates, nothing read again, nothing added.
    again = run_cli("ingest", str(a), str(b), "--json", env={"CHIDAO_DB": sqlite_url})
    assert again.returncode == 0
    results = [json.loads(l) for l in again.stdout.splitlines()]
    assert [r["status"] for r in results] == ["duplicate", "duplicate"]
    assert all("read" not in r["steps"] for r in results)       # sha256 checked before reading
    assert len(register_rows(sqlite_url)) == 4


def test_strict_makes_bad_files_an_error(tmp_path, sqlite_url):
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"nope")
    out = run_cli("ingest", "--strict", str(bad), env={"CHIDAO_DB": sqlite_url})
    assert out.returncode == 1 and out.stdout.startswith(f"{bad}: ")


def test_unprocessable_file_exits_1(tmp_path):
    # The register cannot be opened (its folder is a file): nothing recorded -> exit 1.
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4 whatever")
    out = run_cli("ingest", str(pdf), env={"CHIDAO_DB": f"sqlite:///{blocker}/sub/register.db"})
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout.startswith(f"{pdf}: ") and "Traceback" not in out.stdout + out.stderr


@pytest.mark.slow
def test_one_born_digital_file_is_quick(tmp_path, sqlite_url, sample_pdf):
    """The single-file path end to end.  Its wall time is measured in bench/bench_flows.py, not
    asserted here: on a shared 2-core box the cold start (spaCy's Vietnamese pipeline) varied
    from a few seconds to over a minute with the load, so any bound here is flaky or vacuous."""
    t = time.monotonic()
    out = run_cli("ingest", str(sample_pdf), env={"CHIDAO_DB": sqlite_url})
    wall = time.monotonic() - t
    assert out.returncode == 0 and "new document" in out.stdout, out.stdout + out.stderr
    print(f"chidao ingest of one born-digital file: {wall:.1f} s wall")


CHECK = """
import sys, os
sys.argv = ["chidao", *{args!r}]
from app.cli import app
try:
    app()
except SystemExit:
    pass
heavy = [m for m in ("prefect", "spacy", "underthesea", "pytesseract", "cv2", "flows.ingest") if m in sys.modules]
print("HEAVY=" + ",".join(heavy))
"""


@pytest.mark.parametrize("args", [
    ["search", "định danh"],
    ["owes"],
    ["export", "--format", "json", "-o", "{tmp}/out.json"],
    ["failed", "{tmp}/INTAKE"],
])
def test_quick_commands_do_not_import_prefect(tmp_path, sqlite_url, args):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    (tmp_path / "INTAKE").mkdir()
    out = subprocess.run([sys.executable, "-c", CHECK.format(args=args)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, env={**__import__("os").environ, "CHIDAO_DB": sqlite_url})
    heavy = [l for l in out.stdout.splitlines() if l.startswith("HEAVY=")]
    assert heavy == ["HEAVY="], out.stdout + out.stderr


def test_plain_ingest_does_not_import_prefect(tmp_path, sqlite_url, directive_pdf):
    pdf = directive_pdf("a.pdf", 7)
    out = subprocess.run([sys.executable, "-c", CHECK.format(args=["ingest", str(pdf)])], capture_output=True,
                         text=True, cwd=ROOT, timeout=300, env={**__import__("os").environ, "CHIDAO_DB": sqlite_url})
    assert "new document" in out.stdout, out.stdout + out.stderr
    assert "prefect" not in out.stdout.split("HEAVY=")[1], out.stdout


def test_watch_refuses_a_missing_folder(tmp_path, sqlite_url):
    out = run_cli("watch", str(tmp_path / "not-mounted"), env={"CHIDAO_DB": sqlite_url}, timeout=60)
    assert out.returncode == 2 and "no such folder" in out.stderr
    assert not (tmp_path / "not-mounted").exists()


def test_failed_and_retry_from_the_cli(tmp_path):
    from flows import intake as I

    folders = I.IntakeFolders.at(tmp_path / "INTAKE").ensure()
    for name in ("a.pdf", "b.pdf"):
        p = folders.intake / name
        p.write_bytes(b"junk " + name.encode())
        I.finish_failed(folders, I.claim(folders, p), "named .pdf but its content is not PDF",
                        retryable=False, max_attempts=3)
    out = run_cli("failed", str(folders.intake), timeout=60)
    assert out.stdout.splitlines()[:2] == [
        l for l in out.stdout.splitlines()[:2] if ": named .pdf but its content is not PDF" in l]
    assert run_cli("retry", str(folders.intake), timeout=60).returncode == 2          # NAME or --all
    assert run_cli("retry", str(folders.intake), "zzz.pdf", timeout=60).returncode == 1
    out = run_cli("retry", str(folders.intake), "--all", timeout=60)
    assert out.returncode == 0 and sorted(out.stdout.split()) == sorted(
        ["a.pdf:", "back", "in", str(folders.intake), "b.pdf:", "back", "in", str(folders.intake)])
    assert (folders.intake / "a.pdf").read_bytes() == b"junk a.pdf"
    assert run_cli("failed", str(folders.intake), timeout=60).stdout.startswith("nothing in")
