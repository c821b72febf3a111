"""The ingest of one file: the pipeline's stages (extractors/pipeline.py) in order, between the
register's steps.  Shared by `chidao ingest` (plain, no Prefect), `chidao reextract`
(flows/reextract.py), the watcher and the Prefect flows (flows/ingest.py makes each step and
each stage a task).  No Prefect import here: the CLI's plain path must start fast.

One file:  sha256 -> what the register knows of these bytes -> its known programmes -> every
stage of the pipeline, each in a child process (flows/isolate.py) that is killed when the
document's deadline (or the stage's own limit) passes -> store.  The register calls run here
(one writer per process), retried on I/O errors (flows/retry.py).

Outcomes (FileResult.status; extractors/pipeline.py defines the three kinds):
  new / version / duplicate   done: stored, or already in the register
  bad-input   the file's fault: recorded with its reason (Vietnamese, for the clerk); the same
              bytes give the same answer, so the register answers again without reading them
  error       our fault: a stage raised, timed out or crashed.  Recorded with its traceback and
              the code fingerprint; the same bytes are processed again only by other code.
              Also (not recorded, `retryable` when trying later may help) what could not be
              done now: I/O or the register failing after their retries, a missing tool.
"""
from __future__ import annotations

import hashlib
import os
import time
import traceback
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from extractors.pipeline import (
    PIPELINE, NotInstalled, Options, Pipeline, Processed, Stage, bad_input_reason, processed_from,
)
from flows.isolate import StepCrashed, StepError, StepTimeout, Worker, call, note
from flows.retry import IO, is_retryable
from flows.settings import DEFAULT_DOC_TIMEOUT

if TYPE_CHECKING:
    from models.lookup import Known
    from models.register import IngestOutcome

DEFAULT_TIMEOUT = DEFAULT_DOC_TIMEOUT  # seconds per document; CHIDAO_DOC_TIMEOUT comes in through the callers' settings
DONE = ("new", "version", "duplicate")
# what each outcome is called to the clerk, the register's word after it (as `chidao documents` says it)
OUTCOME_WORDS = {"new": "văn bản mới (new)", "version": "phiên bản mới (version)", "duplicate": "trùng (duplicate)",
                 "bad-input": "tệp hỏng (bad-input)", "error": "lỗi chương trình (error)"}


@dataclass
class FileResult:
    path: str
    status: str                     # new | version | duplicate | bad-input | error
    document_id: Any = None
    obligations: int = 0
    pages: int = 0
    seconds: float = 0.0
    reason: str = ""                # bad-input, error: one line for the clerk (Vietnamese)
    retryable: bool = False         # error, nothing recorded: trying again later may help
    sha256: str = ""
    stage: str = ""                 # error: the stage (or step) that failed
    steps: dict[str, float] = field(default_factory=dict)   # seconds per step
    copy_of: Any = None             # version / duplicate of a copy: the document the file is a copy of
    copy_note: str = ""             # version: what became of the copy, for the clerk (Vietnamese)

    @property
    def outcome(self) -> str:
        """done | bad-input | error"""
        return "done" if self.status in DONE else self.status

    @property
    def ok(self) -> bool:
        return self.outcome == "done"

    def line(self) -> str:
        """One line for the clerk, in Vietnamese: 'FILE: what happened'."""
        name = self.path
        if self.status == "duplicate":
            return (f"{name}: trùng với văn bản {self.document_id} (đã có trong sổ"
                    + (f", là bản sao của văn bản {self.copy_of})" if self.copy_of else ")"))
        if self.status == "version" and self.copy_note:
            return f"{name}: {self.copy_note} ({self.seconds:.1f} giây)"
        if self.status in ("new", "version"):
            what = "văn bản mới" if self.status == "new" else "phiên bản mới của một văn bản đã có"
            return (f"{name}: {what} {self.document_id}, {self.obligations} nhiệm vụ, "
                    f"{self.pages} trang, {self.seconds:.1f} giây")
        return f"{name}: {self.reason or self.status}"

    def log_line(self) -> str:
        """The same, in English, for the logs (the Prefect run logs of the workers and the flows)."""
        name = self.path
        if self.status == "duplicate":
            return (f"{name}: duplicate of document {self.document_id} (already in the register"
                    + (f", as a copy of document {self.copy_of})" if self.copy_of else ")"))
        if self.status in ("new", "version"):
            what = "new document" if self.status == "new" else "new version of a known directive"
            return (f"{name}: {what} {self.document_id}, {self.obligations} obligations, "
                    f"{self.pages} pages, {self.seconds:.1f} s")
        return f"{name}: {self.status}: {self.reason}" if self.reason else f"{name}: {self.status}"

    def to_dict(self) -> dict:
        return {**asdict(self), "outcome": self.outcome}

    @classmethod
    def from_dict(cls, d: dict) -> "FileResult":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


# ---------------------------------------------------------------- the register's steps

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


def find_known(sha256: str, *, url: Optional[str] = None) -> "Optional[Known]":
    """What the register holds for these bytes (models.register.Known), or None."""
    from models.db import light_session
    from models.lookup import find_known as _find

    if _not_created(url):
        return None                 # a register not created yet knows nothing
    light = light_session(url)      # a SQLite register at the newest schema: no SQLAlchemy needed to ask
    if light is not None:
        with light:
            return _find(light, sha256=sha256)
    from models.register import open_session

    with open_session(url) as session:
        return _find(session, sha256=sha256)


def known_programmes(*, url: Optional[str] = None) -> list[dict]:
    """Programmes the register learned from approving decisions (models.lookup.learned_programmes)."""
    from models.db import light_session
    from models.lookup import learned_programmes

    if _not_created(url):
        return []
    light = light_session(url)

    if light is not None:
        with light:
            return learned_programmes(light)
    from models.register import open_session

    with open_session(url) as session:
        return learned_programmes(session)


def prepare_register(url: Optional[str] = None) -> None:
    """Import the register (SQLAlchemy, SQLModel: about a second) and bring its schema up to date
    in a background thread, while the extractors work; the store step then starts at once.
    Errors are left for the store step to meet and report."""
    import threading

    def load() -> None:
        try:
            from models.db import init_db

            init_db(url)
        except Exception:  # noqa: BLE001 - only an optimisation: the store step meets the same error
            pass

    threading.Thread(target=load, name="chidao-register", daemon=True).start()


def store(processed: Processed, *, source_path: str, code_fingerprint: str, url: Optional[str] = None) -> "IngestOutcome":
    from models.register import ingest_processed, open_session

    with open_session(url) as session:
        return ingest_processed(session, processed, source_path=source_path, code_fingerprint=code_fingerprint)


def record_error(*, url: Optional[str] = None, **row: Any) -> "IngestOutcome":
    """models.register.record_error in a session of its own."""
    from models.register import open_session, record_error as _record

    with open_session(url) as session:
        return _record(session, **row)


# ---------------------------------------------------------------- the stages

def run_stage(run: Callable[[Any, Options], Any], value: Any, options: Options, *, timeout: Optional[float],
              isolate: bool = True, runner: Callable = call) -> Any:
    """One stage's function on its input: in a killable child (`runner`: flows.isolate.call or a
    warm service's call), or in this process with isolate=False (no timeout then)."""
    if not isolate:
        return run(value, options)
    return runner(run, value, options, timeout=timeout)


class StageFailed(Exception):
    """A stage gave no output.  `cause`: StepTimeout, StepCrashed, StepError (raised in the
    child), or the exception itself when the stage ran in this process."""

    def __init__(self, stage: str, cause: BaseException, timeout: Optional[float] = None):
        super().__init__(f"{stage}: {cause}")
        self.stage, self.cause = stage, cause
        self.timeout = timeout      # the limit that ran out: the document's, or the stage's own

    @property
    def kind(self) -> str:
        """timeout | crashed | io | not-installed | exception"""
        c = self.cause
        if isinstance(c, StepTimeout):
            return "timeout"
        if isinstance(c, StepCrashed):
            return "crashed"
        if is_retryable(c):
            return "io"
        if isinstance(c, NotInstalled) or (isinstance(c, StepError) and c.kind == NotInstalled.__name__):
            return "not-installed"
        return "exception"

    @property
    def message(self) -> str:
        """One line, in English, for the register's errors."""
        c = self.cause
        if isinstance(c, StepError):
            return f"{c.kind}: {_first_line(c.message)}".rstrip(": ")
        if isinstance(c, StepTimeout):
            return f"no result within {self.timeout or 0:g} s; the process and everything it started were killed"
        return f"{type(c).__name__}: {_first_line(str(c))}".rstrip(": ")

    def traceback(self) -> str:
        c = self.cause
        if isinstance(c, StepError) and c.detail:
            return c.detail
        if isinstance(c, (StepTimeout, StepCrashed)):
            return f"{type(c).__name__} in stage {self.stage!r}: {self.message if isinstance(c, StepTimeout) else c}"
        return "".join(traceback.format_exception(c))


def _first_line(text: str, limit: int = 300) -> str:
    lines = [ln for ln in str(text).strip().splitlines() if ln.strip()]
    return lines[0][:limit] if lines else ""


def stage_budget(deadline: Optional[float], stage: Stage, document_limit: Optional[float]) -> tuple[Optional[float], Optional[float]]:
    """(seconds the stage may take: what is left of the document's time, within the stage's
    own limit; the limit that decides it, in seconds, to name it if it runs out)."""
    left = None if deadline is None else max(0.0, deadline - time.monotonic())
    if stage.timeout is not None and (left is None or stage.timeout < left):
        return stage.timeout, stage.timeout
    return left, document_limit


def run_pipeline(path: str, steps: "Steps", options: Options, *, deadline: Optional[float],
                 timed: Callable = lambda name, fn, *args: fn(*args)) -> Processed:
    """Every stage of steps.pipeline on the file, in order; stops at a verdict of bad input
    (Processed.bad_input).  Raises StageFailed."""
    value: Any = Path(path)
    outputs: list[Any] = []
    for stage in steps.pipeline.stages:
        budget, limit = stage_budget(deadline, stage, steps.timeout)
        try:
            if budget is not None and budget <= 0:
                raise StepTimeout("the document's time was used up before this stage")
            value = timed(stage.name, steps.stage, stage, value, options, budget)
            verdict = stage.rejects(value) if stage.rejects else None
        except Exception as exc:  # noqa: BLE001 - typed below: every way a stage can fail is an outcome
            raise StageFailed(stage.name, exc, limit) from exc
        outputs.append(value)
        if verdict is not None:
            return processed_from(outputs, verdict)
    return processed_from(outputs)


# ---------------------------------------------------------------- what the clerk reads

def show_command(document_id: Any, url: Optional[str]) -> str:
    """`chidao show ID`, with --db when the register was named and its URL holds no password
    (so that the line works when pasted, and never prints a secret)."""
    import shlex
    from urllib.parse import urlsplit

    if url:
        from models.db import database_url

        db = database_url(url)
        if not urlsplit(db).password:
            return f"chidao --db {shlex.quote(db)} show {document_id}"
    return f"chidao show {document_id}"


def error_reason(failed: StageFailed, document_id: Any, url: Optional[str]) -> str:
    what = {
        "timeout": f"bước {failed.stage} chạy quá thời gian cho phép ({failed.timeout or 0:g} giây) và đã bị dừng "
                   "(do chương trình hoặc máy quá tải, không phải do tệp)",
        "crashed": f"tiến trình xử lý bị dừng đột ngột ở bước {failed.stage} ({failed.cause}; không phải do tệp)",
    }.get(failed.kind, f"lỗi của chương trình (không phải của tệp) ở bước {failed.stage}: {failed.message}")
    return (f"{what}; đã ghi vào sổ (văn bản {document_id}), tệp sẽ được xử lý lại khi nộp lại sau khi chương trình "
            f"được cập nhật; xem chi tiết: {show_command(document_id, url)}")


def known_error_reason(known: "Known", url: Optional[str]) -> str:
    stage = next((e.get("stage") for e in known.errors if e.get("stage")), "?")
    return (f"đã lỗi với đúng phiên bản chương trình này ở bước {stage} (văn bản {known.id}); chưa xử lý lại, "
            f"sẽ xử lý lại khi chương trình được cập nhật; xem chi tiết: {show_command(known.id, url)}")


def transient_reason(exc: BaseException, where: str) -> str:
    first = _first_line(str(exc)) or type(exc).__name__
    return f"lỗi đọc/ghi tạm thời ở bước {where} ({first}); chưa ghi gì vào sổ, hãy chạy lại sau"


def not_installed_reason(failed: StageFailed) -> str:
    message = failed.cause.message if isinstance(failed.cause, StepError) else str(failed.cause)
    return f"máy này chưa cài đủ công cụ để đọc tệp ({_first_line(message)}); hãy cài rồi nộp lại tệp"


# ---------------------------------------------------------------- one file

class Steps:
    """How each step and stage runs.  Plain: direct calls, retried on I/O errors by flows/retry.py;
    stages in a killable child.  flows/ingest.py subclasses this to run each as a Prefect task."""

    def __init__(self, *, url: Optional[str] = None, timeout: Optional[float] = DEFAULT_TIMEOUT,
                 ocr_workers: Optional[int] = None, isolate: bool = True, runner: Optional[Callable] = None,
                 pipeline: Pipeline = PIPELINE):
        self.url, self.timeout, self.ocr_workers, self.isolate = url, timeout, ocr_workers, isolate
        self.runner = runner or call    # flows.isolate.call, or a warm service's call (flows/service.py)
        self.pipeline = pipeline

    def fingerprint(self, path: str) -> tuple[str, int]:
        return IO.call(fingerprint, path)

    def find_known(self, sha256: str) -> "Optional[Known]":
        return IO.call(find_known, sha256, url=self.url)

    def programmes(self) -> list[dict]:
        return IO.call(known_programmes, url=self.url)

    def stage(self, stage: Stage, value: Any, options: Options, timeout: Optional[float]) -> Any:
        return IO.call(run_stage, stage.run, value, options, timeout=timeout, isolate=self.isolate,
                       runner=self.runner)

    def store(self, processed: Processed, source_path: str) -> "IngestOutcome":
        return IO.call(store, processed, source_path=source_path, code_fingerprint=self.pipeline.fingerprint(),
                       url=self.url)

    def record_error(self, **row: Any) -> "IngestOutcome":
        return IO.call(record_error, url=self.url, **row)

    def run_pipeline(self, path: str, options: Options, *, deadline: Optional[float], timed: Callable,
                     seconds: dict[str, float]) -> Processed:
        """Every stage on the file (run_pipeline, each stage through self.stage); raises StageFailed."""
        return run_pipeline(path, self, options, deadline=deadline, timed=timed)


def pipeline_in_worker(pipeline: Pipeline, path: str, options: Options) -> Processed:
    """In a warm worker's child: the whole pipeline on one file, each stage announced to the
    parent as it starts (its time limit and timing are the parent's), as a fresh child would."""
    from extractors.pipeline import forget_texts

    forget_texts()
    return pipeline.run(path, options, on_stage=note)


class WorkerSteps(Steps):
    """The plain batch's steps (`chidao ingest` of many files): each thread's documents go
    through the whole pipeline in one warm child of its own (flows.isolate.Worker), which takes
    document after document: no fork per stage, and one transfer of the results per document
    instead of one per stage.  The limits and outcomes are Steps': a stage that outlives its
    budget is killed with the child and named, an exception is the stage's."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        import threading

        self._local = threading.local()
        self._workers: list[Worker] = []

    def _worker(self) -> Worker:
        w = getattr(self._local, "worker", None)
        if w is None:
            w = self._local.worker = Worker()
            self._workers.append(w)
        return w

    def close(self) -> None:
        for w in self._workers:
            w.close()
        self._workers.clear()

    def run_pipeline(self, path: str, options: Options, *, deadline: Optional[float], timed: Callable,
                     seconds: dict[str, float]) -> Processed:
        first = self.pipeline.stages[0]
        stages = {s.name: s for s in self.pipeline.stages}
        now: dict[str, Any] = {"stage": None, "limit": None, "t": 0.0}

        def on_stage(name: str) -> Optional[float]:
            t = time.monotonic()
            if now["stage"] is not None:
                seconds[now["stage"]] = round(t - now["t"], 4)
            budget, limit = stage_budget(deadline, stages[name], self.timeout)
            now.update(stage=name, t=t, limit=limit)
            return budget

        def once() -> Processed:
            now.update(stage=None, limit=None)
            budget, _ = stage_budget(deadline, first, self.timeout)
            return self._worker().call(pipeline_in_worker, self.pipeline, path, options, timeout=budget,
                                       on_note=on_stage)

        try:
            processed = IO.call(once)
        except Exception as exc:  # noqa: BLE001 - typed by StageFailed: every way a stage can fail is an outcome
            if now["stage"] is not None:
                seconds[now["stage"]] = round(time.monotonic() - now["t"], 4)
            raise StageFailed(now["stage"] or first.name, exc,
                              now["limit"] if now["stage"] else stage_budget(deadline, first, self.timeout)[1]) from exc
        seconds[now["stage"]] = round(time.monotonic() - now["t"], 4)
        return processed


def ingest_path(path: str | Path, steps: Optional[Steps] = None, *, source_path: Optional[str] = None,
                display: Optional[str] = None) -> FileResult:
    """Ingest one file; never raises for a bad file or a failed stage (see FileResult.status).
    `source_path` is what the register records as the file's origin (the watcher passes the
    name the clerk dropped, not the processing/ path)."""
    steps = steps or Steps()
    path = str(path)
    source = source_path or path
    result = FileResult(path=display or path, status="error")
    t0 = time.monotonic()
    deadline = None if steps.timeout is None else t0 + steps.timeout

    def timed(name: str, fn: Callable, *args):
        s = time.monotonic()
        try:
            return fn(*args)
        finally:
            result.steps[name] = round(time.monotonic() - s, 4)

    try:
        if not os.path.isfile(path):
            result.status = "bad-input"
            result.reason = bad_input_reason("not-a-file" if os.path.exists(path) else "not-found")
            return result
        result.sha256, _size = timed("fingerprint", steps.fingerprint, path)
        known = timed("lookup", steps.find_known, result.sha256)
        if known is not None and _answered(result, known, steps):
            return result
        options = Options(ocr_workers=steps.ocr_workers, programmes=tuple(timed("programmes", steps.programmes)))
        try:
            processed = steps.run_pipeline(path, options, deadline=deadline, timed=timed, seconds=result.steps)
        except StageFailed as failed:
            _settle_failure(result, failed, steps, source)
            return result
        if not processed.document.sha256:
            processed.document.sha256 = result.sha256  # the register keys on it; we hashed the bytes already
        result.pages = processed.document.page_count
        settle_stored(result, timed("store", steps.store, processed, source), processed, steps.url)
        return result
    except Exception as exc:  # noqa: BLE001 - the register failing, or a defect outside the stages: an outcome too
        _settle_failure(result, StageFailed(next(reversed(result.steps), "start"), exc), steps, source)
        return result
    finally:
        result.seconds = round(time.monotonic() - t0, 3)


def _answered(result: FileResult, known: "Known", steps: Steps) -> bool:
    """Settle RESULT from what the register already holds for the bytes; False when they must
    be processed (again): an error made by other code than this pipeline's."""
    result.document_id = known.id
    if known.outcome == "done":
        result.status, result.copy_of = "duplicate", known.version_of
        return True
    if known.outcome == "bad-input":
        first = known.errors[0] if known.errors else {}
        result.status = "bad-input"
        result.reason = bad_input_reason(str(first.get("code", "")), str(first.get("message", "")))
        return True
    if known.code_fingerprint == steps.pipeline.fingerprint():
        result.status, result.reason = "error", known_error_reason(known, steps.url)
        result.stage = next((e.get("stage") for e in known.errors if e.get("stage")), "")
        return True
    result.document_id = None
    return False


def settle_stored(result: FileResult, outcome: "IngestOutcome", processed: Processed, url: Optional[str] = None) -> None:
    result.document_id = outcome.document_id
    result.obligations = outcome.obligations
    if outcome.status in DONE:
        result.status = outcome.status
        if outcome.status == "duplicate":
            result.copy_of = outcome.version_of
        if outcome.copy is not None:
            from models.copies import copy_line

            result.copy_of = outcome.copy.document_id
            result.copy_note = copy_line(outcome.copy, obligations=outcome.obligations,
                                         show=show_command(outcome.copy.document_id, url))
        return
    result.status = "bad-input"
    verdict = processed.bad_input
    first = processed.document.errors[0] if processed.document.errors else None
    result.reason = verdict.reason if verdict else bad_input_reason(first.code if first else "", first.message if first else "")


def _settle_failure(result: FileResult, failed: StageFailed, steps: Steps, source_path: str) -> None:
    """An error: recorded with its traceback when it is a defect (an exception, a timeout, a
    crash); not recorded when trying again later may help (I/O) or a tool is missing."""
    result.status, result.stage = "error", failed.stage
    if failed.kind == "io":
        result.reason, result.retryable = transient_reason(failed.cause, failed.stage), True
        return
    if failed.kind == "not-installed":
        result.reason = not_installed_reason(failed)
        return
    if not result.sha256:   # failed before the bytes were hashed: nothing to key a record on
        result.reason = f"lỗi của chương trình ở bước {failed.stage}: {failed.message}; chưa ghi gì vào sổ"
        return
    try:
        outcome = steps.record_error(
            source_path=source_path, sha256=result.sha256, stage=failed.stage, kind=failed.kind,
            message=failed.message, traceback=failed.traceback(), code_fingerprint=steps.pipeline.fingerprint(),
            source_file=Path(source_path).name)
    except Exception as exc:  # noqa: BLE001 - the register is down too: say so, nothing is recorded
        result.reason = (f"lỗi ở bước {failed.stage} ({failed.message}); chưa ghi được vào sổ "
                         f"({_first_line(str(exc)) or type(exc).__name__}), hãy chạy lại sau")
        result.retryable = is_retryable(exc)
        return
    if outcome.status == "duplicate":   # another worker stored these bytes meanwhile
        result.status, result.document_id, result.obligations = "duplicate", outcome.document_id, outcome.obligations
        return
    result.document_id = outcome.document_id
    result.reason = error_reason(failed, outcome.document_id, steps.url)


# ---------------------------------------------------------------- many files



def expand(paths: list[str | Path], *, skip: Callable[[Path], bool] | None = None) -> list[Path]:
    """Files as given, folders recursively (the kinds the reader reads, by name; hidden and
    temporary files skipped).  A missing path is kept: it becomes its own 'no such file' line."""
    from extractors.reading import accepts
    from flows.intake import is_ignored

    skip = skip or is_ignored
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if f.is_file() and accepts(f) and not any(skip(Path(part)) for part in rel.parts):
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
                 on_result: Optional[Callable[[FileResult], None]] = None,
                 pipeline: Pipeline = PIPELINE) -> list[FileResult]:
    """Many files in parallel, plain (no Prefect).  Threads drive the files; the CPU work runs
    in child processes, so `jobs` files use `jobs` cores at once.  `runner`: where the extractor
    calls run (default: warm children of this process's forkserver, one per job; a warm
    service's call, flows/service.py)."""
    files = [str(p) for p in paths]
    prepare_register(url)
    if isolate and runner is None:
        from flows.isolate import warm

        warm()
    n_jobs, ocr_workers = plan_workers(len(files))
    if jobs:
        n_jobs, ocr_workers = max(1, jobs), max(1, available_cores() // max(1, jobs))
    if isolate and runner is None:     # warm children, one per job, each taking document after document
        steps: Steps = WorkerSteps(url=url, timeout=timeout, ocr_workers=ocr_workers, pipeline=pipeline)
    else:
        steps = Steps(url=url, timeout=timeout, ocr_workers=ocr_workers, isolate=isolate, runner=runner, pipeline=pipeline)
    try:
        return _ingest_all(files, steps, n_jobs, on_result)
    finally:
        if isinstance(steps, WorkerSteps):
            steps.close()


def _ingest_all(files: list[str], steps: Steps, n_jobs: int,
                on_result: Optional[Callable[[FileResult], None]]) -> list[FileResult]:
    from concurrent.futures import ThreadPoolExecutor, as_completed

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
        for fut in as_completed(futures):
            r = fut.result()
            results[futures[fut]] = r
            if on_result:
                on_result(r)
    return [r for r in results if r is not None]
