"""The runner of the pipeline (flows/steps.py) and the one retry definition (flows/retry.py):
what is retried and how, which files a folder gives, a stage's own time limit, a missing tool."""
from __future__ import annotations

import time

import pytest

from extractors.pipeline import PIPELINE, Options
from extractors.types import Directive, Document, Extraction
from flows.isolate import StepError, StepTimeout
from flows.retry import IO, RetryPolicy, is_retryable
from flows.steps import expand, ingest_paths
from tests.flows.conftest import register_rows


def slow_structure(document: Document, options: Options) -> Directive:
    time.sleep(600)
    raise AssertionError("unreachable")


def broken_obligations(directive: Directive, options: Options) -> Extraction:
    return Extraction(obligations=directive.root.children[99].text)   # an IndexError: a defect of ours


def test_only_io_and_the_registers_connection_are_retryable():
    from sqlalchemy.exc import OperationalError

    assert is_retryable(OSError("share gone")) and is_retryable(TimeoutError()) and is_retryable(ConnectionResetError())
    assert is_retryable(OperationalError("SELECT 1", {}, Exception("server closed the connection")))
    assert is_retryable(StepError("PermissionError", "denied", is_io=True))
    assert not is_retryable(StepError("KeyError", "'lead'", is_io=False))
    assert not is_retryable(StepTimeout("no result within 5 s"))
    assert not is_retryable(ValueError("a defect"))


def test_the_plain_path_retries_io_errors_only_and_gives_up_after_its_attempts():
    calls = []

    def flaky(fail_times: int, exc: type[Exception]):
        calls.append(1)
        if len(calls) <= fail_times:
            raise exc("hiccup")
        return "ok"

    fast = RetryPolicy(attempts=3, first_wait=0.01)
    assert fast.call(flaky, 2, OSError) == "ok" and len(calls) == 3
    calls.clear()
    with pytest.raises(OSError):
        fast.call(flaky, 5, OSError)
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(ValueError):
        fast.call(flaky, 1, ValueError)        # a defect is not tried again
    assert len(calls) == 1


def test_one_policy_gives_the_waits_of_the_watcher_and_of_prefect():
    watcher = RetryPolicy(attempts=3, first_wait=30)
    assert [watcher.delay_before(n) for n in (1, 2, 3)] == [30, 60, None]
    options = IO.prefect_options()
    assert (options["retries"], options["retry_delay_seconds"]) == (2, [0.5, 1.0])


def test_a_folder_gives_the_files_the_reader_reads(tmp_path):
    for name in ("a.pdf", "b.DOCX", "c.png", "d.jpeg", "e.tif", "f.bmp", "g.webp", "h.txt", ".hidden.pdf", "sub/i.pdf"):
        p = tmp_path / name
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(b"x")
    assert [p.relative_to(tmp_path).as_posix() for p in expand([tmp_path])] == [
        "a.pdf", "b.DOCX", "c.png", "d.jpeg", "e.tif", "sub/i.pdf"]
    assert expand([tmp_path / "f.bmp"]) == [tmp_path / "f.bmp"]   # named explicitly: read, and answered


@pytest.mark.slow
def test_a_stage_stops_at_its_own_time_limit(tmp_path, sqlite_url, directive_pdf):
    pdf = directive_pdf("ct-cham.pdf", 71)
    slow = PIPELINE.replace("structure", slow_structure, timeout=2)
    t0 = time.monotonic()
    [r] = ingest_paths([pdf], url=sqlite_url, pipeline=slow, timeout=600)
    assert time.monotonic() - t0 < 60
    assert (r.status, r.stage) == ("error", "structure")
    assert r.reason.startswith("bước structure chạy quá thời gian cho phép (2 giây) và đã bị dừng")
    assert [row[2] for row in register_rows(sqlite_url)] == ["error"]


@pytest.mark.slow
def test_a_defect_in_obligations_is_an_error_too_not_bad_input(sqlite_url, directive_pdf):
    pdf = directive_pdf("ct-nv.pdf", 72)
    [r] = ingest_paths([pdf], url=sqlite_url, pipeline=PIPELINE.replace("obligations", broken_obligations))
    assert (r.status, r.stage, r.retryable) == ("error", "obligations", False)
    assert r.reason.startswith("lỗi của chương trình (không phải của tệp) ở bước obligations: IndexError: ")
    assert [row[2] for row in register_rows(sqlite_url)] == ["error"]


def test_a_missing_tool_is_an_error_that_records_nothing(tmp_path, sqlite_url, monkeypatch):
    from PIL import Image

    scan = tmp_path / "scan.png"
    Image.new("RGB", (200, 100), "white").save(scan)
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "no-tessdata"))   # Tesseract finds no Vietnamese data
    from models.db import init_db

    init_db(sqlite_url)
    [r] = ingest_paths([scan], url=sqlite_url, isolate=False)
    assert (r.status, r.stage, r.retryable) == ("error", "read", False)
    assert r.reason.startswith("máy này chưa cài đủ công cụ để đọc tệp (Tesseract has no 'vie' language data")
    assert r.reason.endswith("; hãy cài rồi nộp lại tệp")
    assert register_rows(sqlite_url) == []     # not the file's fault and not a defect: nothing to remember
