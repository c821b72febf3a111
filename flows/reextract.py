"""`chidao reextract`: stored files through the pipeline again, run exactly as ingest runs it
(flows/steps.py: the same stages, each in a killable child under the document's deadline, the
same typed failures), then models.register.reextract, which keeps the staff's data.

The register's session is open only to read the list and to write each result, never while a
stage runs.  A document whose stages fail (bad input now, an exception, a timeout, a crash) is
left as it is in the register: its obligations, statuses, notes and corrections stay.
No Prefect import here.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from extractors.pipeline import PIPELINE, Options, Pipeline, Processed
from flows.retry import IO
from flows.steps import DEFAULT_TIMEOUT, StageFailed, Steps, available_cores, not_installed_reason, run_pipeline, transient_reason


@dataclass
class ReextractResult:
    document_id: str
    source_file: str
    outcome: str            # done | bad-input | error | missing (the stored file is gone)
    message: str            # one line: what happened
    seconds: float = 0.0
    traceback: str = ""     # error: where our code failed

    @property
    def ok(self) -> bool:
        return self.outcome == "done"


def _stored(ids: Optional[list[str]], url: Optional[str]) -> tuple[list[tuple[str, str, str]], list[dict]]:
    """(id, file name, stored path) of the documents to re-extract (all but versions when IDS is
    None), and the programmes the register knows."""
    from models.queries import list_documents, resolve_document_id
    from models.register import learned_programmes, open_session
    from models.tables import Document

    with open_session(url) as session:
        if ids is None:
            docs = list_documents(session, include_versions=False)
        else:
            docs = [session.get(Document, resolve_document_id(session, id=i)) for i in ids]
        return [(d.id, d.source_file, d.source_path or "") for d in docs], learned_programmes(session)


def _write(document_id: str, processed: Processed, code_fingerprint: str, url: Optional[str]):
    from models.register import open_session, reextract

    with open_session(url) as session:
        return reextract(session, document_id=document_id, processed=processed, code_fingerprint=code_fingerprint)


def reextract_one(document_id: str, source_file: str, source_path: str, steps: Steps, options: Options) -> ReextractResult:
    t0 = time.monotonic()
    result = ReextractResult(document_id, source_file, "error", "")
    try:
        if not source_path or not Path(source_path).is_file():
            result.outcome = "missing"
            result.message = f"{source_file}: cannot re-extract: stored file {source_path or '(none)'} is gone"
            return result
        deadline = None if steps.timeout is None else t0 + steps.timeout
        try:
            processed = run_pipeline(source_path, steps, options, deadline=deadline)
        except StageFailed as failed:
            result.message = f"{source_file}: {_failure_line(failed)}; dữ liệu trong sổ giữ nguyên"
            result.traceback = failed.traceback() if failed.kind == "exception" else ""
            return result
        if processed.bad_input is not None:
            result.outcome = "bad-input"
            result.message = f"{source_file}: {processed.bad_input.reason}; dữ liệu trong sổ giữ nguyên"
            return result
        out = IO.call(_write, document_id, processed, steps.pipeline.fingerprint(), steps.url)
        result.outcome, result.message = ("done" if out.status != "failed" else "bad-input"), out.message
        return result
    finally:
        result.seconds = round(time.monotonic() - t0, 3)


def _failure_line(failed: StageFailed) -> str:
    if failed.kind == "io":
        return transient_reason(failed.cause, failed.stage)
    if failed.kind == "not-installed":
        return not_installed_reason(failed)
    if failed.kind == "timeout":
        return f"bước {failed.stage} chạy quá thời gian cho phép ({failed.timeout or 0:g} giây) và đã bị dừng"
    if failed.kind == "crashed":
        return f"tiến trình xử lý bị dừng đột ngột ở bước {failed.stage} ({failed.cause})"
    return f"lỗi của chương trình (không phải của tệp) ở bước {failed.stage}: {failed.message}"


def reextract_documents(ids: Optional[list[str]] = None, *, url: Optional[str] = None,
                        timeout: Optional[float] = DEFAULT_TIMEOUT, isolate: bool = True,
                        runner: Optional[Callable] = None, pipeline: Optional[Pipeline] = None,
                        on_result: Optional[Callable[[ReextractResult], None]] = None) -> list[ReextractResult]:
    """Re-extract the documents IDS (ids, prefixes or numbers; every document but versions when
    None), one after the other, each with all cores for its OCR.  `runner`: where the stages
    run (default: this process's forkserver; a warm service's call, flows/service.py)."""
    if isolate and runner is None:
        from flows.isolate import warm

        warm()  # the stage processes load spaCy and underthesea while the register is read
    pipeline = pipeline or PIPELINE     # looked up at call time: tests swap a stage through the module
    docs, programmes = _stored(ids, url)
    cores = available_cores()
    steps = Steps(url=url, timeout=timeout, ocr_workers=cores, isolate=isolate, runner=runner, pipeline=pipeline)
    options = Options(ocr_workers=cores, programmes=tuple(programmes))
    results = []
    for document_id, source_file, source_path in docs:
        r = reextract_one(document_id, source_file, source_path, steps, options)
        results.append(r)
        if on_result:
            on_result(r)
    if ids is None:
        IO.call(_relink, url)
    return results


def _relink(url: Optional[str]) -> int:
    """Every unit of the register resolved again with today's gazetteer (models/departments.py):
    a unit no re-extracted obligation names any more is brought to the new mapping too."""
    from models.departments import link_departments
    from models.register import open_session

    with open_session(url) as session:
        return link_departments(session)
