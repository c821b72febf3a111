"""Prefect 3 flows over the plain steps of flows/steps.py.

    ingest_document(path)   one file: fingerprint -> find-duplicate -> read_document ->
                            parse_directive -> extract_obligations -> ingest_processed,
                            each a task; retries only on I/O errors; one per-document deadline
                            (the extractor calls run in a killable child, flows/isolate.py).
    ingest_folder(folder)   every document below a folder, `jobs` at a time as subflows; the
                            cores are shared out between documents and their OCR pages
                            (steps.plan_workers) so that no more processes are busy than cores.

Importing this module imports Prefect (about 2 s): the CLI's plain path (`chidao ingest`
without PREFECT_API_URL) uses flows/steps.py directly and never comes here.
"""
from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows import steps as S
from flows.settings import load_settings
from flows.steps import FileResult, Steps, ingest_path, is_io_error, plan_workers

# A flow is an entry point (a worker imports this module to run it): its settings are read here.
# The flow's own time limit, a backstop behind the per-document deadline, needs a number when
# the module is imported.
_FLOW_TIMEOUT = 4 * load_settings().doc_timeout


class IngestFailed(Exception):
    """Raised by ingest_document(raise_on_failure=True) so the flow run ends Failed.  The
    message starts with the FileResult status ('failed: ...' or 'error: ...')."""


def _io_only(task, task_run, state) -> bool:
    """Retry condition: only I/O errors (disk, share, register connection) are retried."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001
        return is_io_error(exc)
    return False


_io = dict(retries=2, retry_delay_seconds=[1, 3], retry_condition_fn=_io_only, cache_policy=NO_CACHE)


@task(name="fingerprint", **_io)
def fingerprint_task(path: str):
    return S.fingerprint(path)


@task(name="find-duplicate", **_io)
def find_duplicate_task(sha256: str, url: Optional[str]):
    return S.find_duplicate(sha256, url=url)


@task(name="read_document", **_io)
def read_task(path: str, timeout: Optional[float], ocr_workers: Optional[int], isolate: bool):
    return S.read(path, timeout=timeout, ocr_workers=ocr_workers, isolate=isolate)


@task(name="known-programmes", **_io)
def programmes_task(url: Optional[str]):
    return S.known_programmes(url=url)


@task(name="parse_directive", cache_policy=NO_CACHE)
def structure_task(document, timeout: Optional[float], isolate: bool, programmes=None):
    return S.structure(document, timeout=timeout, isolate=isolate, programmes=programmes)


@task(name="extract_obligations", cache_policy=NO_CACHE)
def obligations_task(directive, timeout: Optional[float], isolate: bool):
    return S.obligations(directive, timeout=timeout, isolate=isolate)


@task(name="ingest_processed", **_io)
def store_task(document, directive, extraction, source_path: str, url: Optional[str]):
    return S.store(document, directive, extraction, source_path=source_path, url=url)


class TaskSteps(Steps):
    """Each step as a Prefect task (Prefect does the I/O retries).  Big objects are quoted so
    Prefect does not walk them looking for futures."""

    def fingerprint(self, path):
        return fingerprint_task(path)

    def find_duplicate(self, sha256):
        return find_duplicate_task(sha256, self.url)

    def read(self, path, timeout):
        return read_task(path, timeout, self.ocr_workers, self.isolate)

    def programmes(self):
        return programmes_task(self.url)

    def structure(self, document, timeout, programmes=None):
        return structure_task(quote(document), timeout, self.isolate, quote(programmes))

    def obligations(self, directive, timeout):
        return obligations_task(quote(directive), timeout, self.isolate)

    def store(self, document, directive, extraction, source_path):
        return store_task(quote(document), quote(directive), quote(extraction), source_path, self.url)


@flow(name="ingest-document", validate_parameters=False, timeout_seconds=_FLOW_TIMEOUT,
      flow_run_name="ingest {path}")
def ingest_document(path: str, source_path: Optional[str] = None, db_url: Optional[str] = None,
                    timeout: Optional[float] = None, ocr_workers: Optional[int] = None,
                    isolate: bool = True, raise_on_failure: bool = False) -> dict:
    """One file into the register.  Returns the FileResult as a dict; a bad or unprocessable
    file is a result (status failed / error), or a Failed flow run with raise_on_failure.
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
    (logger.info if result.ok else logger.warning)(result.line())
    if raise_on_failure and not result.ok:
        raise IngestFailed(f"{result.status}: {result.reason}")
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
    return FileResult(**d)


def deploy(*, pool: str, name: str = "chidao", source: Optional[str] = None, concurrency: Optional[int] = None) -> str:
    """Register ingest_document as a deployment on a process work pool (the scale-out set-up,
    docs/scaling.md).  `source` is the project folder the workers import the flow from (a path
    every worker machine sees).  Returns the deployment's full name."""
    src = source or str(Path(__file__).resolve().parents[1])
    deployment_id = ingest_document.from_source(source=src, entrypoint="flows/ingest.py:ingest_document").deploy(
        name=name, work_pool_name=pool, concurrency_limit=concurrency, print_next_steps=False,
        parameters={"raise_on_failure": True},
    )
    return f"ingest-document/{name}"


if __name__ == "__main__":  # python -m flows.ingest FOLDER: one ingest_folder run
    import sys

    for r in ingest_folder(sys.argv[1]):
        print(result_of(r).line())
