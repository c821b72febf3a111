"""`chidao ingest` (the plain in-process path) and the start-up cost of the quick commands."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

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
    assert out.returncode == 1, out.stdout + out.stderr       # a path that is not there: 1, the rest still read
    assert "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 4, lines
    by_name = {l.split(":", 1)[0]: l for l in lines}
    for pdf in (a, b):
        doc_id = hashlib.sha256(pdf.read_bytes()).hexdigest()[:16]
        assert re.fullmatch(rf"{re.escape(str(pdf))}: văn bản mới {doc_id}, 2 nhiệm vụ, 1 trang, \d+\.\d giây",
                            by_name[str(pdf)]), by_name[str(pdf)]
    assert by_name[str(bad)] == (f"{bad}: tên tệp là .pdf nhưng nội dung không phải PDF; hãy mở thử tệp, "
                                 "lưu lại đúng dạng PDF rồi nộp lại")
    assert by_name[str(empty)] == f"{empty}: tệp rỗng (0 byte); hãy lưu hoặc quét lại văn bản rồi nộp lại"
    assert out.stderr == (f"{missing}: không tìm thấy tệp hay thư mục này; hãy kiểm tra lại đường dẫn "
                          "(các tệp khác vẫn được đọc)\n2 văn bản mới (new), 2 tệp hỏng (bad-input)\n")
    assert bad.read_bytes() == b"this is not a PDF at all"     # originals untouched
    # the missing file has nothing to record; the two bad ones are recorded as failed
    assert sorted((r[1], r[2]) for r in register_rows(sqlite_url)) == [
        ("a.pdf", "ok"), ("b.pdf", "ok"), ("hong.pdf", "failed"), ("rong.pdf", "failed")]

    # The same files again: duplicates, nothing read again, nothing added.
    again = run_cli("ingest", str(a), str(b), "--json", env={"CHIDAO_DB": sqlite_url})
    assert again.returncode == 0
    results = [json.loads(l) for l in again.stdout.splitlines()]
    assert [r["status"] for r in results] == ["duplicate", "duplicate"]
    assert [sorted(r["steps"]) for r in results] == [["fingerprint", "lookup"]] * 2   # sha256 checked, nothing read
    assert len(register_rows(sqlite_url)) == 4


def test_strict_makes_bad_files_an_error(tmp_path, sqlite_url):
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"nope")
    out = run_cli("ingest", "--strict", str(bad), env={"CHIDAO_DB": sqlite_url})
    assert (out.returncode, out.stdout) == (
        1, f"{bad}: tên tệp là .pdf nhưng nội dung không phải PDF; hãy mở thử tệp, lưu lại đúng dạng PDF rồi nộp lại\n")


def test_unprocessable_file_exits_1(tmp_path):
    # The register cannot be opened (its folder is a file): nothing recorded -> exit 1.
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4 whatever")
    out = run_cli("ingest", str(pdf), env={"CHIDAO_DB": f"sqlite:///{blocker}/sub/register.db"})
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout == (f"{pdf}: lỗi đọc/ghi tạm thời ở bước store ([Errno 20] Not a directory: '{blocker}/sub'); "
                          "chưa ghi gì vào sổ, hãy chạy lại sau\n")
    assert out.stderr == ""


@pytest.mark.slow
def test_one_born_digital_sample_is_ingested(tmp_path, sqlite_url, sample_pdf):
    """The single-file path end to end.  Its wall time is measured in bench/bench_ingest_one.py,
    not here: on a shared 2-core box the cold start (spaCy's Vietnamese pipeline) varied from a
    few seconds to over a minute with the load, so any bound here is flaky or vacuous."""
    out = run_cli("ingest", str(sample_pdf), env={"CHIDAO_DB": sqlite_url})
    assert out.returncode == 0, out.stdout + out.stderr
    doc_id = hashlib.sha256(sample_pdf.read_bytes()).hexdigest()[:16]
    assert re.fullmatch(rf"{re.escape(str(sample_pdf))}: văn bản mới {doc_id}, 14 nhiệm vụ, 3 trang, \d+\.\d giây\n",
                        out.stdout), out.stdout


CHECK = """
import sys, os
sys.argv = ["chidao", *{args!r}]
from app.cli import app
code = 0
try:
    app()
except SystemExit as exc:
    code = exc.code or 0
heavy = [m for m in ("prefect", "spacy", "underthesea", "pytesseract", "cv2", "flows.ingest") if m in sys.modules]
print("HEAVY=" + ",".join(heavy))
print(f"EXIT={{code}}")
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
    tail = [l for l in out.stdout.splitlines() if l.startswith(("HEAVY=", "EXIT="))]
    assert tail == ["HEAVY=", "EXIT=0"], out.stdout + out.stderr


def test_plain_ingest_does_not_import_prefect(tmp_path, sqlite_url, directive_pdf):
    pdf = directive_pdf("a.pdf", 7)
    out = subprocess.run([sys.executable, "-c", CHECK.format(args=["ingest", str(pdf)])], capture_output=True,
                         text=True, cwd=ROOT, timeout=300, env={**__import__("os").environ, "CHIDAO_DB": sqlite_url})
    lines = out.stdout.splitlines()
    assert lines[0].startswith(f"{pdf}: văn bản mới "), out.stdout + out.stderr
    # the extractors run in the forkserver's children: this process loads none of them
    assert lines[1:] == ["HEAVY=", "EXIT=0"], out.stdout


def test_watch_refuses_a_missing_folder(tmp_path, sqlite_url):
    out = run_cli("watch", str(tmp_path / "not-mounted"), env={"CHIDAO_DB": sqlite_url}, timeout=60)
    assert out.returncode == 2
    assert out.stderr == (f"{tmp_path / 'not-mounted'}: không có thư mục này (hãy tạo thư mục trước, "
                          "hoặc kiểm tra ổ mạng đã được gắn)\n")
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
    assert out.returncode == 0
    assert [re.sub(r"\d{4}-\d\d-\d\dT[\d:]+\+00:00", "WHEN", l) for l in out.stdout.splitlines()] == [
        "a.pdf: named .pdf but its content is not PDF  (đã thử 1 lần, lúc WHEN)",
        "b.pdf: named .pdf but its content is not PDF  (đã thử 1 lần, lúc WHEN)"]
    assert out.stderr == (f"\n2 tệp lỗi.  Sửa hoặc thay tệp trong {folders.failed}, rồi chạy: "
                          f"chidao retry {folders.intake} a.pdf   (hoặc --all thay cho tên tệp để thử lại tất cả)\n")
    out = run_cli("retry", str(folders.intake), timeout=60)
    assert (out.returncode, out.stderr) == (2, "hãy ghi một tên tệp (như `chidao failed` in ra) hoặc --all\n")
    out = run_cli("retry", str(folders.intake), "zzz.pdf", timeout=60)
    assert (out.returncode, out.stderr) == (1, f"zzz.pdf: không có trong {folders.intake / 'failed'}; "
                                               f"xem các tệp lỗi: chidao failed {folders.intake}\n")
    out = run_cli("retry", str(folders.intake), "--all", timeout=60)
    assert (out.returncode, out.stdout) == (0, f"a.pdf: đã trả lại {folders.intake}, sẽ được đọc lại\n"
                                               f"b.pdf: đã trả lại {folders.intake}, sẽ được đọc lại\n")
    assert (folders.intake / "a.pdf").read_bytes() == b"junk a.pdf"
    assert run_cli("failed", str(folders.intake), timeout=60).stdout == f"không có tệp nào trong {folders.intake / 'failed'}\n"
