"""`chidao watch` for real: a subprocess on a temporary intake folder and SQLite register."""
from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.flows.conftest import CLI, ROOT, register_rows, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("flows-watch")]

SETTLE = 2.0
CORRUPT_REASON = ("tệp PDF bị hỏng hoặc không trọn vẹn (có thể tải về chưa xong); hãy tải hoặc xuất lại PDF "
                  "rồi nộp lại")


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


class Service:
    """The watcher as a subprocess in its own process group; its log in a file."""

    def __init__(self, intake: Path, url: str, log: Path, *extra: str):
        self.log_path = log
        self.fh = open(log, "a", encoding="utf-8")
        env = {**os.environ, "CHIDAO_DB": url, "PYTHONUNBUFFERED": "1"}
        env.pop("PREFECT_API_URL", None)
        self.proc = subprocess.Popen(
            [*CLI, "watch", str(intake), "--settle", str(SETTLE), "--poll", "0.3", "--timeout", "240",
             "--retry-backoff", "1", *extra],
            stdout=self.fh, stderr=subprocess.STDOUT, cwd=ROOT, env=env, start_new_session=True)

    def text(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def wait_for(self, needle: str, timeout: float = 180.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            t = self.text()
            if needle in t:
                return t
            if self.proc.poll() is not None:
                raise AssertionError(f"watcher exited ({self.proc.returncode}) before {needle!r}:\n{t}")
            time.sleep(0.2)
        raise AssertionError(f"no {needle!r} within {timeout} s:\n{self.text()}")

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)
        self.fh.close()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                pass
        code = self.proc.returncode
        self.kill()
        return code


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_watcher_end_to_end(tmp_path, sample_pdf):
    intake = tmp_path / "INTAKE"
    intake.mkdir()
    url = f"sqlite:///{tmp_path / 'register.db'}"
    good = sample_pdf.read_bytes()
    corrupt = b"%PDF-1.4\n this was never a PDF, only its first line \n" * 20
    # Things that are not documents stay where they are.
    (intake / "~$notes.docx").write_bytes(b"office lock")
    (intake / "upload.pdf.part").write_bytes(b"%PDF half")
    svc = Service(intake, url, tmp_path / "watch.log")
    try:
        svc.wait_for("watching")
        # The scanner writes the file slowly: chunks with pauses shorter than the settle time.
        target = intake / "2024" / "chi-thi-12.pdf"
        target.parent.mkdir()
        chunks = [good[i:i + len(good) // 5 + 1] for i in range(0, len(good), len(good) // 5 + 1)]
        with open(target, "wb") as fh:
            for c in chunks:
                fh.write(c)
                fh.flush()
                time.sleep(SETTLE * 0.6)
                assert target.exists(), "taken while still being written"
                assert "taken 2024/chi-thi-12.pdf" not in svc.text()
        (intake / "hong.pdf").write_bytes(corrupt)
        svc.wait_for("done 2024/chi-thi-12.pdf")
        svc.wait_for("failed hong.pdf:")
        # Same bytes again, under another name: a duplicate, reported and moved to done/.
        (intake / "ban-sao.pdf").write_bytes(good)
        log = svc.wait_for("duplicate ban-sao.pdf")
        doc_id = sha(good)[:16]
        assert re.search(rf"done 2024/chi-thi-12\.pdf in \d+\.\d s with 14 obligations, document {doc_id}\n", log), log
        assert f"duplicate ban-sao.pdf: already in the register as document {doc_id}; moved to done/\n" in log

        done, failed = intake / "done", intake / "failed"
        assert (done / "2024" / "chi-thi-12.pdf").read_bytes() == good
        assert (done / "ban-sao.pdf").read_bytes() == good
        assert (failed / "hong.pdf").read_bytes() == corrupt
        reason = (failed / "hong.pdf.error.txt").read_text(encoding="utf-8")
        assert reason.splitlines()[:5] == ["file: hong.pdf", "outcome: bad-input", f"reason: {CORRUPT_REASON}",
                                           "attempts: 1", "retryable: no"]
        # Nothing deleted, nothing rewritten; non-documents untouched.
        assert (intake / "~$notes.docx").read_bytes() == b"office lock"
        assert (intake / "upload.pdf.part").read_bytes() == b"%PDF half"
        assert not list((intake / "processing").rglob("*.pdf"))

        # one row per distinct file: the duplicate added none
        assert sorted(register_rows(url)) == sorted([(sha(good), "chi-thi-12.pdf", "ok"),
                                                     (sha(corrupt), "hong.pdf", "failed")])

        # chidao failed / chidao retry: the clerk's view of failed/.
        out = run_cli("failed", str(intake), env={"CHIDAO_DB": url})
        assert out.returncode == 0
        assert out.stdout.startswith(f"hong.pdf: {CORRUPT_REASON}  (attempts 1, "), out.stdout
        assert len(out.stdout.splitlines()) == 1
        out = run_cli("retry", str(intake), "hong.pdf", env={"CHIDAO_DB": url})
        assert out.returncode == 0, out.stderr
        # taken and failed a second time
        deadline = time.monotonic() + 120
        while svc.text().count("failed hong.pdf:") < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert svc.text().count("taken hong.pdf") == 2
        assert svc.text().count(f"failed hong.pdf: bad-input: {CORRUPT_REASON}\n") == 2
        assert (failed / "hong.pdf").read_bytes() == corrupt
    finally:
        code = svc.stop()
    assert code == 0, svc.text()
    assert svc.text().splitlines()[-1] == "stopped: 1 done, 1 duplicates, 2 failed"


def test_kill_mid_ingest_then_restart(tmp_path, sample_pdf):
    intake = tmp_path / "INTAKE"
    intake.mkdir()
    url = f"sqlite:///{tmp_path / 'register.db'}"
    good = sample_pdf.read_bytes()
    svc = Service(intake, url, tmp_path / "watch-1.log")
    try:
        svc.wait_for("watching")
        (intake / "ct-12.pdf").write_bytes(good)
        svc.wait_for("taken ct-12.pdf")
        # Power cut: the service and everything it started die at once.
    finally:
        svc.kill()
    assert (intake / "processing" / "ct-12.pdf").read_bytes() == good
    # killed before it was stored (the register may not even exist yet)
    assert (register_rows(url) if (tmp_path / "register.db").exists() else []) == []

    svc2 = Service(intake, url, tmp_path / "watch-2.log")
    try:
        svc2.wait_for("resuming ct-12.pdf")
        svc2.wait_for("done ct-12.pdf")
    finally:
        code = svc2.stop()      # asserted below: an assert here would hide a failed wait's message
    assert code == 0, svc2.text()
    assert (intake / "done" / "ct-12.pdf").read_bytes() == good
    assert not list((intake / "processing").rglob("*.pdf"))
    assert register_rows(url) == [(sha(good), "ct-12.pdf", "ok")]
