"""`chidao watch INTAKE_DIR`: the intake service.

A polling loop over the folder state machine (flows/intake.py).  Why a loop and not
`flow.serve`: serve() waits for runs triggered through a Prefect API (schedules, the UI),
it does not look at a folder, and it needs a server; a clerk's PC has none, and starting
Prefect's temporary one costs ~15 s and a database per start.  So the loop decides WHAT to
ingest and WHEN (stable files, crash recovery, bounded retries of what may succeed later) and
hands each file to one of three runners, which all run the one pipeline (extractors/pipeline.py)
through flows/steps.py:

  local       (default) the plain steps in-process, `jobs` files at a time (no Prefect import)
  prefect     PREFECT_API_URL is set (or --prefect): each file is an `ingest-document` flow run
              executed here and recorded on that server (the UI shows every file and step)
  deployment  --deployment NAME: each file becomes a flow run of that deployment, executed by
              `prefect worker` processes on any machine that sees the intake share (scale-out,
              docs/scaling.md); the loop only dispatches, watches the runs and moves the files.

One log line per file: "taken", then "done in N s ..." / "duplicate ..." / "failed: reason".
Outcomes: done -> done/; bad input -> failed/ at once (the same bytes give the same answer); an
error recorded in the register (a defect: exception, timeout, crash) -> failed/ at once (the same
code gives the same answer; `chidao retry` after an upgrade processes it again); an error that
may pass (I/O, the register or a worker unreachable) -> tried again after a back-off
(flows/retry.py's policy, scheduled rather than slept), up to --max-attempts, then failed/.
"""
from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from flows import intake as I
from flows.retry import RetryPolicy, is_retryable
from flows.steps import DEFAULT_TIMEOUT, FileResult, Steps, ingest_path, plan_workers

# Prefect (and flows.ingest, which imports it) load only for the runners that use it: importing
# it costs seconds, and the plain watcher, `chidao failed` and `chidao retry` do without.
if TYPE_CHECKING:
    from flows.settings import Settings


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def default_log(line: str) -> None:
    print(f"{_stamp()} {line}", flush=True)


@dataclass
class WatchConfig:
    settle: float = 5.0            # seconds a file's size and mtime must hold before it is taken
    poll: float = 2.0              # seconds between two walks of the intake tree
    jobs: Optional[int] = None     # files in flight at once (default: cores; deployment: 100)
    max_attempts: int = 3          # errors that may pass (I/O, unreachable register) are tried this many times in all
    retry_backoff: float = 30.0    # seconds before such an error is tried again (doubles)
    timeout: Optional[float] = DEFAULT_TIMEOUT   # per document
    db_url: Optional[str] = None
    lease: Optional[float] = None  # deployment runner: a run silent this long is given up (default timeout + 60)


# ---------------------------------------------------------------- runners

class LocalRunner:
    """Files processed in this process (threads driving killable extractor children)."""

    def __init__(self, cfg: WatchConfig, use_prefect: bool = False):
        self.cfg = cfg
        self.jobs, ocr = plan_workers(cfg.jobs or 10**6)
        if cfg.jobs:
            self.jobs = cfg.jobs
        self.ocr_workers = ocr
        self.use_prefect = use_prefect
        self.pool = ThreadPoolExecutor(self.jobs, thread_name_prefix="chidao-watch")
        self.running: dict[Future, I.Item] = {}
        if use_prefect:
            from flows.ingest import ingest_document  # noqa: F401 - import once, up front
        self.steps = Steps(url=cfg.db_url, timeout=cfg.timeout, ocr_workers=self.ocr_workers)

    def free(self) -> int:
        return self.jobs - len(self.running)

    def start(self, item: I.Item, source_path: str) -> None:
        if self.use_prefect:
            from flows.ingest import ingest_document, result_of

            def work() -> FileResult:
                d = ingest_document(str(item.path), source_path=source_path, db_url=self.cfg.db_url,
                                    timeout=self.cfg.timeout, ocr_workers=self.ocr_workers)
                r = result_of(d)
                r.path = item.name
                return r
        else:
            def work() -> FileResult:
                return ingest_path(item.path, self.steps, source_path=source_path, display=item.name)
        self.running[self.pool.submit(work)] = item

    def finished(self) -> list[tuple[I.Item, FileResult]]:
        out = []
        for fut in [f for f in self.running if f.done()]:
            item = self.running.pop(fut)
            try:
                out.append((item, fut.result()))
            except Exception as exc:  # noqa: BLE001 - the runner itself failed (a flow run's API, a defect): the file still gets a state
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
                out.append((item, FileResult(item.name, "error", reason=f"lỗi khi chạy tệp ({type(exc).__name__}: "
                                             f"{first}); chưa ghi gì vào sổ", retryable=is_retryable(exc))))
        return out

    def close(self, wait: bool) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=True)


class DeploymentRunner:
    """Each file a flow run of a deployment; workers anywhere execute it.  A run that ends
    Crashed/Failed-by-infrastructure, or that is still Running past its lease (its worker died
    with it: nobody will report it), is given up and the file tried again; the register's
    sha256 key makes a late second finish of the same bytes a harmless duplicate."""

    def __init__(self, cfg: WatchConfig, deployment: str):
        from prefect.client.orchestration import get_client

        self.cfg, self.deployment = cfg, deployment
        self.jobs = cfg.jobs or 100
        # The lease must cover the per-document timeout (enforced inside the run) plus a flow
        # run's start-up on a busy worker; shorter, live runs are given up and done twice.
        self.lease = cfg.lease or ((cfg.timeout or DEFAULT_TIMEOUT) + 120)
        self.client = get_client(sync_client=True)
        self.client.__enter__()
        self.running: dict[str, tuple[I.Item, float]] = {}   # flow run id -> (item, started)
        self.last_poll = 0.0

    def free(self) -> int:
        return self.jobs - len(self.running)

    def start(self, item: I.Item, source_path: str) -> None:
        from prefect.deployments import run_deployment

        run = run_deployment(self.deployment, timeout=0, as_subflow=False, parameters={
            "path": str(item.path), "source_path": source_path, "db_url": self.cfg.db_url,
            "timeout": self.cfg.timeout, "raise_on_failure": True,
        })
        self.running[str(run.id)] = (item, time.monotonic())

    def finished(self) -> list[tuple[I.Item, FileResult]]:
        if not self.running or time.monotonic() - self.last_poll < 1.0:
            return []
        self.last_poll = time.monotonic()
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
        from prefect.states import Crashed

        runs = self.client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=list(self.running))),
                                          limit=len(self.running) + 10)
        out = []
        now = time.monotonic()
        wall = dt.datetime.now(dt.timezone.utc)
        for run in runs:
            rid = str(run.id)
            item, started = self.running[rid]
            st = run.state
            kind = st.type.value if st else "PENDING"
            secs = round(now - started, 1)
            if kind == "COMPLETED":
                self.running.pop(rid)
                out.append((item, FileResult(item.name, "new", seconds=secs, reason=f"flow run {run.name}",
                                             document_id=None)))
            elif kind in ("FAILED", "CRASHED", "CANCELLED"):
                self.running.pop(rid)
                msg = (st.message or kind.lower()) if st else kind.lower()
                status, reason, retryable = parse_failure(msg, kind)
                out.append((item, FileResult(item.name, status, seconds=secs, reason=reason, retryable=retryable)))
            elif kind in ("RUNNING", "PENDING") and st.timestamp and (wall - st.timestamp).total_seconds() > self.lease:
                # Picked up by a worker that then went silent (killed, machine gone): nobody
                # will report this run.  Mark it crashed and try the file again.
                self.running.pop(rid)
                try:
                    self.client.set_flow_run_state(run.id, Crashed(message="lease expired: its worker stopped answering"),
                                                   force=True)
                except Exception:  # noqa: BLE001 - the server may be the thing that is down
                    pass
                out.append((item, FileResult(item.name, "error", seconds=secs, retryable=True,
                                             reason=f"máy xử lý không trả lời sau {self.lease:.0f} giây; "
                                                    "chưa ghi gì vào sổ")))
        return out

    def close(self, wait: bool) -> None:
        try:
            self.client.__exit__(None, None, None)
        except Exception:  # noqa: BLE001
            pass


def parse_failure(message: str, kind: str) -> tuple[str, str, bool]:
    """Flow run state message -> (status, reason, retryable); see flows.ingest.IngestFailed.
    A run that failed or crashed without saying why lost its worker or its API: retryable."""
    marker = "IngestFailed: "
    if marker in message:
        rest = message.split(marker, 1)[1].strip()
        status, _, reason = rest.partition(": ")
        if status in ("bad-input", "error"):
            return status, reason, False
        if status == "error-retryable":
            return "error", reason, True
        return "error", rest, True
    first = message.splitlines()[0][:300] if message else ""
    return "error", f"lượt chạy Prefect {kind.lower()}: {first}; chưa ghi gì vào sổ".replace(": ;", ";"), True


# ---------------------------------------------------------------- the loop

@dataclass
class Watcher:
    folders: I.IntakeFolders
    cfg: WatchConfig = field(default_factory=WatchConfig)
    runner: object = None
    log: Callable[[str], None] = default_log

    def __post_init__(self):
        self.folders.ensure()
        self.backoff = RetryPolicy(attempts=self.cfg.max_attempts, first_wait=self.cfg.retry_backoff)
        self.stability = I.Stability(settle=self.cfg.settle)
        self.waiting: list[tuple[float, I.Item, bool]] = []   # (not before, item, counts as a new attempt)
        self.stop = threading.Event()
        self.counts = {"done": 0, "duplicate": 0, "failed": 0}

    # What the register records as the file's home: where the clerk will find it.
    def _source_path(self, item: I.Item) -> str:
        return str(self.folders.done / item.rel)

    def _start(self, item: I.Item) -> None:
        self.log(f"taken {item.name}" + (f" (attempt {item.attempts})" if item.attempts > 1 else ""))
        try:
            self.runner.start(item, self._source_path(item))
        except Exception as exc:  # noqa: BLE001 - e.g. the Prefect server is busy or down
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            self.log(f"error {item.name}: could not start it ({first}); it waits in processing/")
            self.waiting.append((time.monotonic() + max(2.0, self.cfg.poll), item, False))

    def recover(self) -> None:
        """Files left in processing/ by a crash or kill: taken again (bounded)."""
        for item in I.in_processing(self.folders):
            if item.attempts >= self.cfg.max_attempts:
                I.finish_failed(self.folders, item, f"dịch vụ bị dừng {item.attempts} lần khi đang xử lý tệp này "
                                                    "(bị tắt hoặc sập); chưa ghi gì vào sổ",
                                retryable=True, max_attempts=self.cfg.max_attempts, outcome="error")
                self.counts["failed"] += 1
                self.log(f"failed {item.name}: stopped {item.attempts} times while being processed")
                continue
            self.log(f"resuming {item.name} left in processing/")
            self.waiting.append((0.0, I.retake(item), False))

    def _settle(self, item: I.Item, r: FileResult) -> None:
        if r.status in ("new", "version"):
            I.finish_done(self.folders, item)
            self.counts["done"] += 1
            extra = f" with {r.obligations} obligations" if r.document_id is not None else f" ({r.reason})"
            self.log(f"done {item.name} in {r.seconds:.1f} s{extra}"
                     + (f", document {r.document_id}" if r.document_id is not None else "")
                     + (f": {r.copy_note}" if r.copy_note else
                        " (new version of a known directive)" if r.status == "version" else ""))
        elif r.status == "duplicate":
            I.finish_done(self.folders, item)
            self.counts["duplicate"] += 1
            self.log(f"duplicate {item.name}: already in the register as document {r.document_id}; moved to done/")
        elif r.retryable and (delay := self.backoff.delay_before(item.attempts)) is not None:
            self.log(f"error {item.name}: {r.reason}; trying again in {delay:.0f} s "
                     f"(attempt {item.attempts} of {self.cfg.max_attempts})")
            self.waiting.append((time.monotonic() + delay, item, True))
        else:   # bad input, a recorded error, or an error that did not pass in max_attempts
            I.finish_failed(self.folders, item, r.reason, retryable=r.retryable, max_attempts=self.cfg.max_attempts,
                            outcome=r.outcome)
            self.counts["failed"] += 1
            self.log(f"failed {item.name}: {r.outcome}: {r.reason}")

    def step(self) -> None:
        """One pass: settle what finished, start what is due, take what is stable."""
        try:
            finished = self.runner.finished()
        except Exception as exc:  # noqa: BLE001 - the orchestrator is busy or down: ask again later
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            self.log(f"warning: cannot read the state of running files ({first})")
            finished = []
        for item, r in finished:
            try:
                self._settle(item, r)
            except OSError as exc:  # the share went away under us: the file stays in processing/
                self.log(f"error {item.name}: could not move it ({exc}); it stays in processing/")
        now = time.monotonic()
        due = [w for w in self.waiting if w[0] <= now]
        for w in due:
            if self.runner.free() <= 0 or self.stop.is_set():
                break
            self.waiting.remove(w)
            _, item, new_attempt = w
            if new_attempt:  # a retry after a transient failure
                I.retake(item)
            self._start(item)
        if self.stop.is_set():
            return
        files = list(I.candidates(self.folders))
        for p in self.stability.ready(files):
            if self.runner.free() <= 0:
                break
            try:
                item = I.claim(self.folders, p)
            except FileNotFoundError:
                continue  # someone else (another watcher) took it
            except OSError as exc:
                self.log(f"skipped {p.name}: cannot move it to processing/ ({exc})")
                continue
            self.stability.forget(p)
            self._start(item)

    def busy(self) -> bool:
        return bool(getattr(self.runner, "running", None)) or bool(self.waiting)

    def run(self, *, once: bool = False, grace: float = 30.0) -> dict:
        """Until stop is set (SIGTERM/SIGINT) or, with once=True, until the folder is empty and
        nothing is in flight.  On stop, in-flight files get `grace` s; what is left stays in
        processing/ and is taken again at the next start."""
        self.log(f"watching {self.folders.intake} (settle {self.cfg.settle:g} s, poll {self.cfg.poll:g} s); "
                 f"state folders: {self.folders.processing.parent}")
        self.recover()
        try:
            while not self.stop.is_set():
                self.step()
                if once and not self.busy() and not any(True for _ in I.candidates(self.folders)):
                    break
                self.stop.wait(self.cfg.poll)
            end = time.monotonic() + grace
            while getattr(self.runner, "running", None) and time.monotonic() < end:
                for item, r in self.runner.finished():
                    self._settle(item, r)
                time.sleep(0.2)
        finally:
            self.runner.close(wait=False)
        return self.counts


def make_runner(cfg: WatchConfig, *, deployment: Optional[str] = None, prefect: bool = False):
    if deployment:
        return DeploymentRunner(cfg, deployment)
    return LocalRunner(cfg, use_prefect=prefect)


def watch(intake: str | Path, *, state_dir: str | Path | None = None, cfg: Optional[WatchConfig] = None,
          deployment: Optional[str] = None, prefect: Optional[bool] = None, once: bool = False,
          log: Callable[[str], None] = default_log, settings: Optional["Settings"] = None) -> dict:
    """Run the intake service (blocks).  SIGTERM / SIGINT stop it cleanly.  `settings`: the
    caller's (flows/settings.py), else read here; they give `cfg`'s defaults and whether a
    Prefect server is there (`prefect` None: when PREFECT_API_URL is set)."""
    if settings is None:
        from flows.settings import load_settings

        settings = load_settings()
    cfg = cfg or WatchConfig(timeout=settings.doc_timeout, db_url=settings.db)
    if prefect is None:
        prefect = bool(settings.prefect_api_url)
    w = Watcher(I.IntakeFolders.at(intake, state_dir), cfg, make_runner(cfg, deployment=deployment, prefect=prefect), log)

    def _stop(signum, _frame):
        w.log(f"stopping ({signal.Signals(signum).name}); files in flight get a moment to finish")
        w.stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    return w.run(once=once)


if __name__ == "__main__":  # python -m flows.watch INTAKE
    watch(sys.argv[1])
