"""The three outcomes of a file, never mixed: done, bad input (the file's fault: a Vietnamese
reason, not retried), error (our fault: stored with its traceback, processed again once the code
changed).  Real files, real isolated stages, a real register (SQLite and PostgreSQL); a defect or a
hang is made by replacing one stage through the pipeline's own extension point
(Pipeline.replace), never by mocking the register."""
from __future__ import annotations

import json
import shlex
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from extractors.pipeline import PIPELINE, Options
from extractors.types import Directive, Document, Extraction
from flows.steps import ingest_paths
from tests.flows.conftest import register_rows, run_cli
from tests.reading.make_files import encrypted_pdf, text_pdf

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("flows-outcomes")]


# Replacement stages: module-level, so the isolated child process imports them by name.

def broken_structure(document: Document, options: Options) -> Directive:
    raise RuntimeError("a defect in the structure stage")


def hanging_obligations(directive: Directive, options: Options) -> Extraction:
    threading.Event().wait()    # never returns: only the stage timeout ends it
    raise AssertionError("unreachable")


def _documents(url: str) -> list[dict]:
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            rows = conn.execute(text("SELECT d.id, d.sha256, d.status, d.traceback, d.code_fingerprint, "
                                     "(SELECT count(*) FROM obligations o WHERE o.document_id = d.id) "
                                     "FROM documents d")).all()
    finally:
        eng.dispose()
    keys = ("id", "sha256", "status", "traceback", "code_fingerprint", "obligations")
    return [dict(zip(keys, r)) for r in rows]


def test_a_defect_is_an_error_with_its_traceback_and_is_retried_once_the_code_changed(db_url, directive_pdf):
    pdf = directive_pdf("ct-loi.pdf", 61)
    broken = PIPELINE.replace("structure", broken_structure)
    assert broken.names == PIPELINE.names and broken.fingerprint() != PIPELINE.fingerprint()

    [r] = ingest_paths([pdf], url=db_url, pipeline=broken)
    assert (r.status, r.outcome, r.stage, r.retryable) == ("error", "error", "structure", False)
    assert r.reason.startswith("lỗi của chương trình (không phải của tệp) ở bước structure: "
                               "RuntimeError: a defect in the structure stage; đã ghi vào sổ (văn bản "), r.reason
    [row] = _documents(db_url)
    assert (row["id"], row["status"], row["obligations"]) == (r.document_id, "error", 0)
    assert row["code_fingerprint"] == broken.fingerprint()
    assert "in broken_structure" in row["traceback"]
    assert row["traceback"].rstrip().endswith("RuntimeError: a defect in the structure stage")

    # The same code again: answered from the register, the file is not read again.
    [again] = ingest_paths([pdf], url=db_url, pipeline=broken)
    assert (again.status, again.document_id, again.stage) == ("error", r.document_id, "structure")
    assert "read" not in again.steps
    assert again.reason.startswith(f"đã lỗi với đúng phiên bản chương trình này ở bước structure (văn bản {r.document_id})")

    # `chidao documents` counts it and shows its status; the command in the reason works when pasted.
    out = run_cli("documents", env={"CHIDAO_DB": db_url})
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "1 văn bản: 0 xong (done), 0 tệp hỏng (bad-input), 1 lỗi chương trình (error); xem lỗi: chidao show ID"
    [listed] = [l for l in out.stdout.splitlines() if r.document_id in l]
    assert " error " in listed
    command = again.reason.split("xem chi tiết: ", 1)[1]
    assert command.startswith("chidao --db ") and command.endswith(f" show {r.document_id}")
    shown = run_cli(*shlex.split(command)[1:], env={"CHIDAO_DB": "sqlite:////nonexistent/other.db"})
    assert shown.returncode == 0, shown.stderr
    assert "RuntimeError: a defect in the structure stage" in shown.stdout and "broken_structure" in shown.stdout

    # The stage fixed (the real one: another fingerprint): the same file is processed, not a duplicate.
    fixed = run_cli("ingest", "--json", str(pdf), env={"CHIDAO_DB": db_url})
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    result = json.loads(fixed.stdout)
    from extractors.pipeline import process_file

    expected = len(process_file(pdf).extraction.obligations)
    assert (result["status"], result["document_id"], result["obligations"]) == ("new", r.document_id, expected)
    [row] = _documents(db_url)
    assert (row["status"], row["traceback"], row["code_fingerprint"], row["obligations"]) == (
        "ok", None, PIPELINE.fingerprint(), expected)


def test_reextract_of_a_hanging_extraction_stops_at_the_timeout_and_keeps_the_staff_data(
        db_url, directive_pdf, monkeypatch):
    from typer.testing import CliRunner

    from app.cli import app
    from models.queries import list_obligations, set_status
    from models.register import open_session

    pdf = directive_pdf("ct-treo.pdf", 62)
    [r] = ingest_paths([pdf], url=db_url)
    assert r.status == "new", r.line()
    with open_session(db_url) as s:
        first = list_obligations(s)[0].id
        set_status(s, obligation_id=first, status="done", note="Đã triển khai xong", who="vp")

    def state():
        with open_session(db_url) as s:
            return [(o.id, o.text, o.status, o.note, o.lead_units) for o in list_obligations(s)]

    before = state()
    # `chidao reextract` as the clerk runs it, with the obligations stage hanging.
    monkeypatch.setattr("flows.reextract.PIPELINE", PIPELINE.replace("obligations", hanging_obligations))
    t0 = time.monotonic()
    out = CliRunner().invoke(app, ["reextract", r.document_id, "--timeout", "6"])
    wall = time.monotonic() - t0
    assert out.exit_code == 1, out.output
    assert out.output.splitlines() == [
        "ct-treo.pdf: bước obligations chạy quá thời gian cho phép (6 giây) và đã bị dừng; dữ liệu trong sổ giữ nguyên"]
    assert wall < 6 + 60, wall          # a hang would never return; read + structure take a few seconds
    assert state() == before
    assert [r2[2] for r2 in register_rows(db_url)] == ["ok"]


BAD_FILES = [  # name, how to make it, the line the clerk reads after "PATH: "
    ("rong.pdf", lambda p: p.write_bytes(b""), "tệp rỗng (0 byte); hãy lưu hoặc quét lại văn bản rồi nộp lại"),
    ("hong.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20),
     "tệp PDF bị hỏng hoặc không trọn vẹn (có thể tải về chưa xong); hãy tải hoặc xuất lại PDF rồi nộp lại"),
    ("cut.pdf", lambda p: p.write_bytes(text_pdf(p.with_suffix(".full"), pages=3).read_bytes()[:1500]),
     "tệp PDF bị hỏng hoặc không trọn vẹn (có thể tải về chưa xong); hãy tải hoặc xuất lại PDF rồi nộp lại"),
    ("khoa.pdf", encrypted_pdf, "PDF có mật khẩu; hãy xin bản không đặt mật khẩu (hoặc gỡ mật khẩu) rồi nộp lại"),
    ("trang-web.pdf", lambda p: p.write_text("<html><body>Chỉ thị số 08</body></html>", encoding="utf-8"),
     "tên tệp là .pdf nhưng nội dung không phải PDF; hãy mở thử tệp, lưu lại đúng dạng PDF rồi nộp lại"),
    ("cu.doc", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
     "định dạng tệp không đọc được (chỉ nhận PDF, DOCX, PNG, JPEG, TIFF); "
     "tệp Word/Excel cũ (.doc, .xls) hãy lưu thành DOCX hoặc PDF rồi nộp lại"),
]


def test_each_kind_of_bad_input_is_bad_input_with_its_reason_and_the_batch_goes_on(tmp_path, sqlite_url, directive_pdf):
    good = directive_pdf("ct-tot.pdf", 63)
    bad = []
    for name, make, _ in BAD_FILES:
        p = tmp_path / "src" / name
        make(p)
        bad.append((p, p.read_bytes()))
    files = [str(p) for p, _ in bad[:3]] + [str(good)] + [str(p) for p, _ in bad[3:]]
    out = run_cli("ingest", *files, env={"CHIDAO_DB": sqlite_url})
    assert out.returncode == 0, out.stdout + out.stderr     # bad input is recorded, not fatal
    lines = dict(l.split(": ", 1) for l in out.stdout.splitlines())
    assert {k: v for k, v in lines.items() if k != str(good)} == {
        str(tmp_path / "src" / name): reason for name, _, reason in BAD_FILES}
    assert lines[str(good)].startswith("văn bản mới ")
    assert out.stderr.splitlines()[-1] == "1 văn bản mới (new), 6 tệp hỏng (bad-input)"
    for p, content in bad:
        assert p.read_bytes() == content                     # the original is kept as it was
    assert sorted(r[2] for r in register_rows(sqlite_url)) == ["failed"] * 6 + ["ok"]

    # The same bytes again: the register answers, nothing is read again (the same bytes give the same answer).
    again = run_cli("ingest", "--json", *files, env={"CHIDAO_DB": sqlite_url})
    results = {r["path"]: r for r in map(json.loads, again.stdout.splitlines())}
    assert {p: r["status"] for p, r in results.items()} == {f: ("duplicate" if f == str(good) else "bad-input") for f in files}
    assert all("read" not in r["steps"] for r in results.values())
    assert {p: r["reason"] for p, r in results.items() if p != str(good)} == {
        k: v for k, v in lines.items() if k != str(good)}
    assert len(register_rows(sqlite_url)) == 7
