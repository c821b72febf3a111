"""The ingest of one file as plain steps, shared by `chidao ingest` (in-process, no Prefect)
and the Prefect flows (each step a task).  No Prefect import here: the CLI path must start fast.

One file:  fingerprint (sha256) -> already in the register? (then stop: a duplicate costs one
hash) -> read_document -> parse_directive -> extract_obligations -> ingest_processed.
The three extractor calls run in a child process (flows/isolate.py) under one per-document
deadline.  The register calls run here (one writer per process).

Outcomes (FileResult.status):
  new / version / duplicate  stored (or already there)
  failed   the file itself is bad (not a PDF, encrypted, empty, an extractor rejected it):
           recorded, never retried automatically (the same bytes give the same answer)
  error    the file could not be processed now (I/O, register unreachable, timeout, crashed
           worker): nothing recorded, worth a bounded number of retries
"""
from __future__ import annotations

import hashlib
import inspect
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from flows.isolate import StepCrashed, StepError, StepTimeout, call

DEFAULT_TIMEOUT = float(os.environ.get("CHIDAO_DOC_TIMEOUT", 900))  # seconds per document
IO_TRIES = 3


@dataclass
class FileResult:
    path: str
    status: str                     # new | version | duplicate | failed | error
    document_id: Any = None
    obligations: int = 0
    pages: int = 0
    seconds: float = 0.0
    reason: str = ""
    retryable: bool = False
    sha256: str = ""
    steps: dict[str, float] = field(default_factory=dict)   # seconds per step

    @property
    def ok(self) -> bool:
        return self.status in ("new", "version", "duplicate")

    def line(self) -> str:
        """One line for the user: 'FILE: what happened'."""
        name = self.path
        if self.status == "duplicate":
            return f"{name}: duplicate of document {self.document_id} (already in the register)"
        if self.status in ("new", "version"):
            what = "new document" if self.status == "new" else "new version of a known directive"
            return (f"{name}: {what} {self.document_id}, {self.obligations} obligations, "
                    f"{self.pages} pages, {self.seconds:.1f} s")
        return f"{name}: {self.reason or self.status}"

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- the steps

def fingerprint(path: str | Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _not_created(url: Optional[str]) -> bool:
    """A SQLite register whose file does not exist yet (the first ingest creates it)."""
    from models.db import database_url

    db = database_url(url)
    return db.startswith("sqlite:///") and not Path(db[len("sqlite:///"):].split("?", 1)[0]).expanduser().exists()


def find_duplicate(sha256: str, *, url: Optional[str] = None):
    """Id of a document already stored with these bytes, or None.  A document recorded as
    failed does not count: those bytes are read again (a better reader may succeed)."""
    from models.db import light_session

    if _not_created(url):
        return None                 # a register not created yet holds no duplicate
    light = light_session(url)      # a SQLite register at the newest schema: no SQLAlchemy needed to ask
    if light is not None:
        with light:
            row = light.execute("SELECT id, status FROM documents WHERE sha256 = :sha LIMIT 1",
                                {"sha": sha256.lower()}).first()
        return None if row is None or str(row[1]) == "failed" else row[0]
    from models.register import find_document_by_sha256, open_session

    with open_session(url) as session:
        row = find_document_by_sha256(session, sha256=sha256)
        if row is None:
            return None
        status = getattr(row, "status", None) or getattr(row, "ingest_status", None)
        if str(status) == "failed":
            return None
        return getattr(row, "id", row)


def _read_document(path: str, ocr_workers: Optional[int] = None):
    from extractors.reading import read_document

    options = {}
    if ocr_workers:
        params = inspect.signature(read_document).parameters
        for name in ("ocr_workers", "workers"):
            if name in params:
                options[name] = ocr_workers
                break
    return read_document(path, **options)


def _parse_directive(document, programmes: Optional[list[dict]] = None):
    from extractors.structure import parse_directive

    return parse_directive(document, programmes=programmes)


def known_programmes(*, url: Optional[str] = None) -> list[dict]:
    """Programmes the register learned from approving decisions (models.register.learned_programmes)."""
    from models.db import light_session

    if _not_created(url):
        return []
    light = light_session(url)
    from models.register import learned_programmes

    if light is not None:
        with light:
            return learned_programmes(light)
    from models.register import open_session

    with open_session(url) as session:
        return learned_programmes(session)


def _extract_obligations(directive):
    from extractors.obligations import extract_obligations

    return extract_obligations(directive)


def read(path: str, *, timeout: Optional[float], ocr_workers: Optional[int] = None, isolate: bool = True,
         runner: Callable = call):
    if not isolate:
        return _read_document(path, ocr_workers)
    return runner(_read_document, path, ocr_workers, timeout=timeout)


def structure(document, *, timeout: Optional[float], isolate: bool = True, runner: Callable = call,
              programmes: Optional[list[dict]] = None):
    if not isolate:
        return _parse_directive(document, programmes)
    return runner(_parse_directive, document, programmes, timeout=timeout)


def obligations(directive, *, timeout: Optional[float], isolate: bool = True, runner: Callable = call):
    if not isolate:
        return _extract_obligations(directive)
    return runner(_extract_obligations, directive, timeout=timeout)


def prepare_register(url: Optional[str] = None) -> None:
    """Import the register (SQLAlchemy, SQLModel: about a second) and bring its schema up to date
    in a background thread, while the extractors work; the store step then starts at once.
    Errors are left for the store step to meet and report."""
    import threading

    def load() -> None:
        try:
            from models.db import init_db

            init_db(url)
        except Exception:  # noqa: BLE001
            pass

    threading.Thread(target=load, name="chidao-register", daemon=True).start()


def store(document, directive, extraction, *, source_path: str, url: Optional[str] = None):
    from extractors.pipeline import Processed
    from models.register import ingest_processed, open_session

    with open_session(url) as session:
        return ingest_processed(session, Processed(document, directive, extraction), source_path=source_path)


def record_failure(source_path: str, code: str, message: str, sha256: str, *, url: Optional[str] = None):
    from models.register import open_session, record_failure as _record

    with open_session(url) as session:
        return _record(session, source_path=source_path, code=code, message=message, sha256=sha256 or None)


# ---------------------------------------------------------------- errors

def is_io_error(exc: BaseException) -> bool:
    """Worth retrying: the disk, the share or the register's server hiccupped."""
    if isinstance(exc, StepError):
        return exc.is_io
    if isinstance(exc, (OSError, TimeoutError, ConnectionError)):
        return True
    try:
        from sqlalchemy.exc import DBAPIError, OperationalError
    except ImportError:  # pragma: no cover
        return False
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(getattr(exc, "connection_invalidated", False))


def retry_io(fn: Callable, *args, tries: int = IO_TRIES, delay: float = 0.5, **kwargs):
    """The plain path's version of a task's `retries` with an I/O-only retry condition."""
    for attempt in range(1, tries + 1):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            if attempt == tries or not is_io_error(exc):
                raise
            time.sleep(delay * attempt)


def _reason(exc: BaseException) -> tuple[str, bool, bool]:
    """(one-line reason, retryable, is the file's fault)."""
    if isinstance(exc, StepTimeout):
        return f"timed out: {exc}", True, False
    if isinstance(exc, StepCrashed):
        return f"crashed: {exc}", True, False
    if isinstance(exc, StepError):
        if exc.is_io:
            return f"I/O error: {exc.message or exc.kind}", True, False
        return f"extractor error ({exc.kind}): {exc.message}".rstrip(": "), False, True
    if is_io_error(exc):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"I/O error: {first[:300]}", True, False
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first[:300]}".rstrip(": "), False, False


def document_reason(document) -> str:
    errors = getattr(document, "errors", None) or []
    msgs = [e.message for e in errors if getattr(e, "message", "")]
    return "; ".join(dict.fromkeys(msgs)) or "unreadable document"


# ---------------------------------------------------------------- one file

class Steps:
    """How each step runs.  Plain: direct calls with I/O retries.  The flows subclass this and
    run each step as a Prefect task."""

    def __init__(self, *, url: Optional[str] = None, timeout: Optional[float] = DEFAULT_TIMEOUT,
                 ocr_workers: Optional[int] = None, isolate: bool = True, runner: Optional[Callable] = None):
        self.url, self.timeout, self.ocr_workers, self.isolate = url, timeout, ocr_workers, isolate
        self.runner = runner or call    # flows.isolate.call, or a warm service's call (flows/service.py)

    def fingerprint(self, path: str):
        return retry_io(fingerprint, path)

    def find_duplicate(self, sha256: str):
        return retry_io(find_duplicate, sha256, url=self.url)

    def read(self, path: str, timeout: Optional[float]):
        return retry_io(read, path, timeout=timeout, ocr_workers=self.ocr_workers, isolate=self.isolate,
                        runner=self.runner)

    def programmes(self) -> list[dict]:
        return retry_io(known_programmes, url=self.url)

    def structure(self, document, timeout: Optional[float], programmes: Optional[list[dict]] = None):
        return structure(document, timeout=timeout, isolate=self.isolate, runner=self.runner, programmes=programmes)

    def obligations(self, directive, timeout: Optional[float]):
        return obligations(directive, timeout=timeout, isolate=self.isolate, runner=self.runner)

    def store(self, document, directive, extraction, source_path: str):
        return retry_io(store, document, directive, extraction, source_path=source_path, url=self.url)


def ingest_path(path: str | Path, steps: Optional[Steps] = None, *, source_path: Optional[str] = None,
                display: Optional[str] = None) -> FileResult:
    """Ingest one file; never raises for a bad file or a failed step (see FileResult.status).
    `source_path` is what the register records as the file's origin (the watcher passes the
    name the clerk dropped, not the processing/ path)."""
    steps = steps or Steps()
    path = str(path)
    result = FileResult(path=display or path, status="error")
    t0 = time.monotonic()
    deadline = None if steps.timeout is None else t0 + steps.timeout

    def left() -> Optional[float]:
        return None if deadline is None else max(0.0, deadline - time.monotonic())

    def timed(name: str, fn: Callable, *args):
        s = time.monotonic()
        try:
            return fn(*args)
        finally:
            result.steps[name] = round(time.monotonic() - s, 4)

    try:
        if not os.path.isfile(path):
            result.status, result.reason = "failed", "not a file" if os.path.exists(path) else "no such file"
            return result
        sha, _size = timed("fingerprint", steps.fingerprint, path)
        result.sha256 = sha
        existing = timed("lookup", steps.find_duplicate, sha)
        if existing is not None:
            result.status, result.document_id = "duplicate", existing
            return result
        document = timed("read", steps.read, path, left())
        if not getattr(document, "sha256", ""):
            document.sha256 = sha  # the register keys on it; we hashed the bytes already
        result.pages = len(getattr(document, "pages", []) or [])
        if getattr(document, "status", "ok") == "failed":
            from extractors.types import Directive, Extraction

            directive, extraction = Directive(document=document), Extraction()
        else:
            programmes = timed("programmes", steps.programmes)
            directive = timed("structure", steps.structure, document, left(), programmes)
            extraction = timed("obligations", steps.obligations, directive, left())
        outcome = timed("store", steps.store, document, directive, extraction, source_path or path)
        result.status = str(getattr(outcome, "status", "new"))
        result.document_id = getattr(outcome, "document_id", None)
        obl = getattr(outcome, "obligations", None)
        result.obligations = obl if isinstance(obl, int) else len(obl or extraction.obligations)
        if result.status == "failed":
            result.reason = document_reason(document)
        return result
    except Exception as exc:  # noqa: BLE001 - one file's trouble is a result, not a stopped batch
        reason, retryable, files_fault = _reason(exc)
        result.status, result.reason, result.retryable = ("failed" if files_fault else "error"), reason, retryable
        if files_fault:  # an extractor rejected this file: record it, so it is not lost
            try:
                retry_io(record_failure, source_path or path, "extractor-error", reason, result.sha256, url=steps.url)
            except Exception:  # noqa: BLE001 - the line to the user still says why
                pass
        return result
    finally:
        result.seconds = round(time.monotonic() - t0, 3)


# ---------------------------------------------------------------- many files

SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".docx"}


def expand(paths: list[str | Path], *, skip: Callable[[Path], bool] | None = None) -> list[Path]:
    """Files as given, folders recursively (known document suffixes only; hidden and
    temporary files skipped).  A missing path is kept: it becomes its own 'no such file' line."""
    from flows.intake import is_ignored

    skip = skip or is_ignored
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if f.is_file() and f.suffix.lower() in SUFFIXES and not any(skip(Path(part)) for part in rel.parts):
                    out.append(f)
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan_workers(n_files: int, cores: Optional[int] = None) -> tuple[int, int]:
    """(documents in parallel, OCR processes per document): never more busy processes than
    cores.  One file gets all cores for its OCR pages; many files get one core each."""
    cores = max(1, cores or available_cores())
    jobs = max(1, min(cores, n_files))
    return jobs, max(1, cores // jobs)


def ingest_paths(paths: list[str | Path], *, url: Optional[str] = None, timeout: Optional[float] = DEFAULT_TIMEOUT,
                 jobs: Optional[int] = None, isolate: bool = True, runner: Optional[Callable] = None,
                 on_result: Optional[Callable[[FileResult], None]] = None) -> list[FileResult]:
    """Many files in parallel, plain (no Prefect).  Threads drive the files; the CPU work runs
    in child processes, so `jobs` files use `jobs` cores at once.  `runner`: where the extractor
    calls run (default: this process's forkserver; a warm service's call, flows/service.py)."""
    from concurrent.futures import ThreadPoolExecutor

    files = [str(p) for p in paths]
    prepare_register(url)
    if isolate and runner is None:
        from flows.isolate import warm

        warm()
    n_jobs, ocr_workers = plan_workers(len(files))
    if jobs:
        n_jobs, ocr_workers = max(1, jobs), max(1, available_cores() // max(1, jobs))
    steps = Steps(url=url, timeout=timeout, ocr_workers=ocr_workers, isolate=isolate, runner=runner)
    if n_jobs == 1 or len(files) <= 1:
        results = []
        for f in files:
            r = ingest_path(f, steps)
            results.append(r)
            if on_result:
                on_result(r)
        return results
    results: list[Optional[FileResult]] = [None] * len(files)
    with ThreadPoolExecutor(n_jobs, thread_name_prefix="chidao-ingest") as pool:
        futures = {pool.submit(ingest_path, f, steps): i for i, f in enumerate(files)}
        from concurrent.futures import as_completed

        for fut in as_completed(futures):
            r = fut.result()
            results[futures[fut]] = r
            if on_result:
                on_result(r)
    return [r for r in results if r is not None]
