"""The watcher cannot lose a file copied slowly (issue 15): a copy that pauses for less than
the stability window is taken whole; one that pauses longer is read cut off, read again after
the recheck wait and ends in done/; one that stays cut off is failed as retryable and ends in
done/ after `chidao retry` (a PDF or a DOCX cut before its central directory); an empty file is reported within the window.  The failed records
of the cut-off bytes are superseded in the register once the file succeeds.

The real watcher loop and runner (flows/watch.py) in this process, with the windows scaled down
(the window 2 s, the recheck 6 s: an 8-second pause against the 10-second default)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.flows.conftest import register_rows
from tests.reading.make_files import sample_docx

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("flows-watch")]

SETTLE, RECHECK = 2.0, 6.0


def _copy_slowly(target: Path, data: bytes, pause: float, until=None) -> threading.Thread:
    """Half the bytes, a pause (PAUSE seconds, or until UNTIL() is true), the rest, through one
    open file (as a copy tool writes: the rest lands in the same file wherever it was moved)."""
    def run():
        with open(target, "wb") as fh:
            fh.write(data[: len(data) // 2])
            fh.flush()
            end = time.monotonic() + pause
            while time.monotonic() < end or (until is not None and not until() and time.monotonic() < end + 120):
                time.sleep(0.05)
            fh.write(data[len(data) // 2:])
    th = threading.Thread(target=run)
    th.start()
    return th


def _watch(intake: Path, url: str, log: list[str]) -> dict:
    from flows import intake as I
    from flows.watch import LocalRunner, WatchConfig, Watcher

    cfg = WatchConfig(settle=SETTLE, recheck=RECHECK, poll=0.3, timeout=240, db_url=url, retry_backoff=1, jobs=4)
    return Watcher(I.IntakeFolders.at(intake), cfg, LocalRunner(cfg), log.append).run(once=True)


def test_a_slow_copy_is_never_lost(tmp_path, directive_pdf):
    from flows import intake as I

    intake = tmp_path / "INTAKE"
    intake.mkdir()
    url = f"sqlite:///{tmp_path / 'register.db'}"
    # pages differ so that no two halves are the same bytes (the register would answer for them together)
    short, long_, stuck = (directive_pdf(f"{n}.pdf", i, pages=i).read_bytes() for i, n in enumerate("abc", 1))
    (intake / "stuck.pdf").write_bytes(stuck[: len(stuck) // 2])                   # the copy never finishes
    docx = sample_docx(tmp_path / "whole.docx").read_bytes()
    (intake / "stuck.docx").write_bytes(docx[: len(docx) // 2])       # cut before its central directory
    (intake / "empty.pdf").write_bytes(b"")
    log: list[str] = []
    result: dict = {}
    started = time.monotonic()
    watcher = threading.Thread(target=lambda: result.update(_watch(intake, url, log)))
    watcher.start()
    while not log and watcher.is_alive():
        time.sleep(0.05)
    writers = [_copy_slowly(intake / "short-pause.pdf", short, SETTLE * 0.8),     # 8 s against 10 s
               # a pause longer than the window: taken and read cut off; the copy ends during the recheck wait
               _copy_slowly(intake / "long-pause.pdf", long_, SETTLE * 1.5,
                            until=lambda: any(line.startswith("đọc lại long-pause.pdf") for line in log))]
    for w in writers:
        w.join()
    watcher.join(300)
    counts = result
    text = "\n".join(log)
    done, failed = intake / "done", intake / "failed"
    assert (done / "short-pause.pdf").read_bytes() == short
    assert (done / "long-pause.pdf").read_bytes() == long_
    assert "đọc lại short-pause.pdf" not in text                 # never taken half-written
    # read cut off and read again after the recheck wait (or, read while the copy ended under it:
    # an I/O error tried again) -- never failed
    assert "đọc lại long-pause.pdf" in text or "lỗi long-pause.pdf" in text, text
    assert "đọc lại stuck.pdf" in text and "thất bại long-pause.pdf" not in text, text
    assert "đọc lại stuck.docx" in text, text                    # a cut DOCX is rechecked like a cut PDF
    assert "đọc lại empty.pdf" not in text and "số lần thử: 1" in (failed / "empty.pdf.error.txt").read_text()  # at once
    for name in ("stuck.pdf", "stuck.docx", "empty.pdf"):
        reason = (failed / f"{name}.error.txt").read_text(encoding="utf-8")
        assert "tự thử lại được: có" in reason.splitlines(), reason
    assert counts == {"done": 2, "duplicate": 0, "failed": 3}
    assert time.monotonic() - started < 200

    # The copies of stuck.pdf and stuck.docx are finished by hand and retried: done/, and their failures are gone.
    (failed / "stuck.pdf").write_bytes(stuck)
    (failed / "stuck.docx").write_bytes(docx)
    I.retry(I.IntakeFolders.at(intake), "stuck.pdf")
    I.retry(I.IntakeFolders.at(intake), "stuck.docx")
    assert _watch(intake, url, log)["done"] == 2
    assert (done / "stuck.pdf").read_bytes() == stuck
    assert (done / "stuck.docx").read_bytes() == docx
    rows = register_rows(url)
    assert sorted((name, status) for _, name, status in rows) == [
        ("empty.pdf", "failed"), ("long-pause.pdf", "ok"), ("short-pause.pdf", "ok"), ("stuck.docx", "ok"),
        ("stuck.pdf", "ok")]
