"""The intake folder state machine (flows/intake.py): no Prefect, no register, real files."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from flows import intake as I


@pytest.mark.parametrize("name, ignored", [
    ("ct-08.pdf", False),
    ("Quyết định 415.pdf", False),
    ("scan.PDF", False),
    (".hidden.pdf", True),
    ("~$document.docx", True),
    ("~tmp1234.pdf", True),
    ("upload.pdf.part", True),
    ("scan.tmp", True),
    ("file.crdownload", True),
    ("Thumbs.db", True),
    ("desktop.ini", True),
    ("a.pdf.error.txt", True),
    (".a.pdf.chidao.json", True),
])
def test_ignored_names(name, ignored):
    assert I.is_ignored(Path(name)) is ignored


def _folders(tmp_path) -> I.IntakeFolders:
    return I.IntakeFolders.at(tmp_path / "INTAKE").ensure()


def test_layout_default_inside_intake_and_configurable(tmp_path):
    f = I.IntakeFolders.at(tmp_path / "in")
    assert f.processing == (tmp_path / "in" / "processing").resolve()
    g = I.IntakeFolders.at(tmp_path / "in", tmp_path / "state")
    assert g.done == (tmp_path / "state" / "done").resolve()


def test_candidates_take_subfolders_skip_state_and_hidden(tmp_path):
    f = _folders(tmp_path)
    (f.intake / "2024" / "thang-3").mkdir(parents=True)
    for rel in ["a.pdf", "2024/b.pdf", "2024/thang-3/c.pdf", ".x.pdf", "d.pdf.part", "~$e.docx"]:
        (f.intake / rel).write_bytes(b"%PDF-1.4 x")
    (f.done / "old.pdf").write_bytes(b"%PDF")
    (f.failed / "bad.pdf").write_bytes(b"x")
    (f.intake / ".hiddendir").mkdir()
    (f.intake / ".hiddendir" / "z.pdf").write_bytes(b"%PDF")
    got = sorted(p.relative_to(f.intake).as_posix() for p in I.candidates(f))
    assert got == ["2024/b.pdf", "2024/thang-3/c.pdf", "a.pdf"]


def test_stability_waits_for_size_and_mtime_to_hold(tmp_path):
    f = _folders(tmp_path)
    p = f.intake / "a.pdf"
    p.write_bytes(b"%PDF-1.4 part one")
    s = I.Stability(settle=2.0)
    t = 1000.0
    assert s.ready([p], now=t) == []
    assert s.ready([p], now=t + 1.0) == []
    with open(p, "ab") as fh:           # the scanner is still writing
        fh.write(b" part two")
    assert s.ready([p], now=t + 2.5) == []   # changed: the clock starts again
    assert s.ready([p], now=t + 4.0) == []
    assert s.ready([p], now=t + 4.6) == [p]


def test_empty_file_is_not_taken_early(tmp_path):
    f = _folders(tmp_path)
    p = f.intake / "empty.pdf"
    p.write_bytes(b"")
    s = I.Stability(settle=1.0)
    assert s.ready([p], now=0.0) == []
    assert s.ready([p], now=5.0) == []      # a scanner that created the file and paused
    assert s.ready([p], now=61.0) == [p]    # empty for a minute: take it, it fails with a reason


def test_claim_done_keeps_bytes_and_relative_path(tmp_path):
    f = _folders(tmp_path)
    (f.intake / "sub").mkdir()
    p = f.intake / "sub" / "a.pdf"
    p.write_bytes(b"%PDF original bytes")
    item = I.claim(f, p)
    assert not p.exists() and item.path == f.processing / "sub" / "a.pdf"
    assert I.read_marker(item.path)["attempts"] == 1
    dest = I.finish_done(f, item)
    assert dest == f.done / "sub" / "a.pdf"
    assert dest.read_bytes() == b"%PDF original bytes"
    assert not I.marker_path(item.path).exists()


def test_never_overwrites_in_done(tmp_path):
    f = _folders(tmp_path)
    (f.done / "a.pdf").write_bytes(b"first")
    p = f.intake / "a.pdf"
    p.write_bytes(b"second")
    dest = I.finish_done(f, I.claim(f, p))
    assert dest.name == "a (2).pdf"
    assert (f.done / "a.pdf").read_bytes() == b"first" and dest.read_bytes() == b"second"


def test_failed_gets_reason_then_retry_moves_back(tmp_path):
    f = _folders(tmp_path)
    p = f.intake / "bad.pdf"
    p.write_bytes(b"not a pdf")
    item = I.claim(f, p)
    dest = I.finish_failed(f, item, "named .pdf but its content is not PDF", retryable=False, max_attempts=3)
    assert dest.read_bytes() == b"not a pdf"
    text = I.error_path(dest).read_text(encoding="utf-8")
    assert re.sub(r"failed_at: \S+", "failed_at: WHEN", text) == (
        "file: bad.pdf\noutcome: bad-input\nreason: named .pdf but its content is not PDF\nattempts: 1\nretryable: no\n"
        "failed_at: WHEN\nnext: sửa hoặc thay tệp trong thư mục failed/, rồi chạy: "
        f"chidao retry {f.intake} bad.pdf\n")
    [listed] = I.list_failed(f)
    assert (listed.name, listed.reason, listed.attempts, listed.retryable) == (
        "bad.pdf", "named .pdf but its content is not PDF", 1, False)
    moved = I.retry(f, "bad.pdf")
    assert moved == [f.intake / "bad.pdf"] and moved[0].read_bytes() == b"not a pdf"
    assert I.list_failed(f) == [] and not I.error_path(dest).exists()


def test_retry_unknown_name_is_a_clear_error(tmp_path):
    f = _folders(tmp_path)
    with pytest.raises(LookupError) as err:
        I.retry(f, "nope.pdf")
    assert str(err.value) == f"nope.pdf: not in {f.failed}"


def test_processing_leftovers_are_found_with_their_attempts(tmp_path):
    f = _folders(tmp_path)
    p = f.intake / "x.pdf"
    p.write_bytes(b"%PDF x")
    I.claim(f, p)                          # ... and the service is killed here
    [item] = I.in_processing(f)
    assert item.name == "x.pdf" and item.attempts == 1
    I.retake(item)
    assert I.in_processing(f)[0].attempts == 2


def test_an_error_says_so_and_its_next_step_works_when_pasted(tmp_path):
    import shlex

    from tests.flows.conftest import run_cli

    f = I.IntakeFolders.at(tmp_path / "Văn bản đến", state_dir=tmp_path / "trạng thái").ensure()
    p = f.intake / "2024" / "ct 08.pdf"
    p.parent.mkdir()
    p.write_bytes(b"%PDF-1.4 fine bytes")
    dest = I.finish_failed(f, I.claim(f, p), "lỗi của chương trình ở bước structure", retryable=False,
                           max_attempts=3, outcome="error")
    fields = dict(line.split(": ", 1) for line in I.error_path(dest).read_text(encoding="utf-8").splitlines())
    assert (fields["outcome"], fields["retryable"]) == ("error", "no")
    assert fields["next"].startswith("lỗi của chương trình, không phải của tệp: sau khi cập nhật chidao, chạy: chidao retry ")
    command = fields["next"].split("chạy: ", 1)[1]
    out = run_cli(*shlex.split(command)[1:], timeout=60)
    assert out.returncode == 0, out.stderr
    assert (f.intake / "2024" / "ct 08.pdf").read_bytes() == b"%PDF-1.4 fine bytes" and not dest.exists()
