"""Prefect 3 flows over flows/steps.py: the same steps and the same pipeline, each a task.

    ingest_document(path)   one file: fingerprint -> lookup -> known-programmes -> one task per
                            stage of the pipeline (read, structure, obligations: generated from
                            extractors/pipeline.py's list) -> store (or record-error); retries
                            only on I/O errors (flows/retry.py); one per-document deadline (the
                            stages run in a killable child, flows/isolate.py).
    ingest_folder(folder)   every document below a folder, `jobs` at a time as subflows; the
                            cores are shared out between documents and their OCR pages
                            (steps.plan_workers) so that no more processes are busy than cores.

Importing this module imports Prefect (about 2 s): the CLI's plain path (`chidao ingest`
without PREFECT_API_URL) uses flows/steps.py directly and never comes here.
"""
from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional

from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows import steps as S
from flows.retry import IO
from flows.settings import load_settings
from flows.steps import FileResult, Steps, ingest_path, plan_workers

# A flow is an entry point (a worker imports this module to run it): its settings are read here.
# The flow's own time limit, a backstop behind the per-document deadline, needs a number when
# the module is imported.
_FLOW_TIMEOUT = 4 * load_settings().doc_timeout


class IngestFailed(Exception):
    """Raised by ingest_document(raise_on_failure=True) so the flow run ends Failed.  The
    message is "STATUS: reason", STATUS being bad-input, error, or error-retryable (nothing was
    recorded and trying again later may help)."""


_io = dict(cache_policy=NO_CACHE, **IO.prefect_options())


@task(name="fingerprint", **_io)
def fingerprint_task(path: str):
    return S.fingerprint(path)


@task(name="lookup", **_io)
def find_known_task(sha256: str, url: Optional[str]):
    return S.find_known(sha256, url=url)


@task(name="known-programmes", **_io)
def programmes_task(url: Optional[str]):
    return S.known_programmes(url=url)


@task(name="store", **_io)
def store_task(processed, source_path: str, code_fingerprint: str, url: Optional[str]):
    return S.store(processed, source_path=source_path, code_fingerprint=code_fingerprint, url=url)


@task(name="record-error", **_io)
def record_error_task(row: dict, url: Optional[str]):
    return S.record_error(url=url, **row)


def _run_stage(run: Callable, value: Any, options, timeout: Optional[float], isolate: bool) -> Any:
    return S.run_stage(run, value, options, timeout=timeout, isolate=isolate)


_stage_tasks: dict[str, Task] = {}


def stage_task(name: str) -> Task:
    """The task of the pipeline's stage NAME (made once per name; the stage's function is its
    argument, so a pipeline with a replaced stage runs through the same task)."""
    if name not in _stage_tasks:
        _stage_tasks[name] = task(name=name, **_io)(_run_stage)
    return _stage_tasks[name]


class TaskSteps(Steps):
    """Each step and each stage as a Prefect task (Prefect does the I/O retries, flows/retry.py's
    policy).  Big objects are quoted so Prefect does not walk them looking for futures."""

    def fingerprint(self, path):
        return fingerprint_task(path)

    def find_known(self, sha256):
        return find_known_task(sha256, self.url)

    def programmes(self):
        return programmes_task(self.url)

    def stage(self, stage, value, options, timeout):
        return stage_task(stage.name)(stage.run, quote(value), quote(options), timeout, self.isolate)

    def store(self, processed, source_path):
        return store_task(quote(processed), source_path, self.pipeline.fingerprint(), self.url)

    def record_error(self, **row):
        return record_error_task(quote(row), self.url)


@flow(name="ingest-document", validate_parameters=False, timeout_seconds=_FLOW_TIMEOUT,
      flow_run_name="ingest {path}")
def ingest_document(path: str, source_path: Optional[str] = None, db_url: Optional[str] = None,
                    timeout: Optional[float] = None, ocr_workers: Optional[int] = None,
                    isolate: bool = True, raise_on_failure: bool = False) -> dict:
    """One file into the register.  Returns the FileResult as a dict; a bad or unprocessable
    file is a result (status bad-input / error), or a Failed flow run with raise_on_failure.
    db_url, timeout: None takes them from the settings (CHIDAO_DB, CHIDAO_DOC_TIMEOUT)."""
    if db_url is None or timeout is None:
        settings = load_settings()
        db_url, timeout = db_url or settings.db, timeout or settings.doc_timeout
    logger = get_run_logger()
    if isolate:
        from flows.isolate import warm

        warm()  # the extractor processes load spaCy and underthesea while the first tasks talk to the API
    steps = TaskSteps(url=db_url, timeout=timeout, ocr_workers=ocr_workers, isolate=isolate)
    result = ingest_path(str(path), steps, source_path=source_path)
    (logger.info if result.ok else logger.warning)(result.log_line())
    if raise_on_failure and not result.ok:
        status = "error-retryable" if result.retryable else result.status
        raise IngestFailed(f"{status}: {result.reason}")
    return result.to_dict()


@flow(name="ingest-folder", validate_parameters=False)
def ingest_folder(folder: str, db_url: Optional[str] = None, timeout: Optional[float] = None,
                  jobs: Optional[int] = None, isolate: bool = True) -> list[dict]:
    """Every document below `folder` (or a list of files), documents in parallel.  db_url,
    timeout: None takes them from the settings."""
    if db_url is None or timeout is None:
        settings = load_settings()
        db_url, timeout = db_url or settings.db, timeout or settings.doc_timeout
    paths = folder if isinstance(folder, (list, tuple)) else [folder]
    files = [str(p) for p in S.expand(paths)]
    n_jobs, ocr_workers = plan_workers(len(files))
    if jobs:
        n_jobs, ocr_workers = jobs, max(1, S.available_cores() // jobs)
    logger = get_run_logger()
    logger.info("%d files, %d at a time, %d OCR process(es) each", len(files), n_jobs, ocr_workers)

    def one(f: str) -> dict:
        return ingest_document(f, db_url=db_url, timeout=timeout, ocr_workers=ocr_workers, isolate=isolate)

    if n_jobs <= 1:
        return [one(f) for f in files]
    # Subflows in threads: each thread gets its own copy of the flow-run context, so the
    # runs nest under this one in the UI.  The CPU work is in child processes.
    with ThreadPoolExecutor(n_jobs, thread_name_prefix="ingest-folder") as pool:
        futures = [pool.submit(contextvars.copy_context().run, one, f) for f in files]
        return [f.result() for f in futures]


def result_of(d: dict) -> FileResult:
    return FileResult.from_dict(d)


if __name__ == "__main__":  # python -m flows.ingest FOLDER: one ingest_folder run
    import sys

    for r in ingest_folder(sys.argv[1]):
        print(result_of(r).line())
