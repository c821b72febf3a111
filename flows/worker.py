"""Warm distributed workers on Prefect's task workers (docs/scaling.md, "Several machines").

    chidao worker                       one worker process: loads the extractors once (the
                                        forkserver of flows/isolate.py), then takes documents
                                        submitted with `.delay()` from the Prefect server, `limit`
                                        at a time (default: one per core), for as long as it runs
    chidao ingest --distributed FILES   submits each file and waits for its outcome
    chidao watch --distributed INTAKE   the intake service, handing each file to the workers

A worker's life is one flow run (`chidao-worker`, "worker HOST"), which sends Prefect's
flow-run heartbeats; each document is one background task run (`ingest-document`), renamed
"ingest FILE @WORKER-RUN-ID" when a worker takes it, with the seconds of every stage in its log.
A worker that dies (machine gone, process killed) stops sending heartbeats; Prefect's own "zombie
flow run" automation (created by `chidao worker` if missing) marks its flow run Crashed after
`3 x heartbeat` seconds, and the submitter (Dispatcher below) submits the documents that worker
held again, as new task runs, to whichever worker is free.  The register's unique sha256 makes
storing idempotent: a store interrupted by the kill was never committed, and a late second store
of the same bytes is a duplicate, so every document is stored exactly once.  (A flow run per
document would carry its own heartbeats, but costs ~2 s of API round trips and a heartbeat
thread's 1 s join per document on a loaded 2-core machine: measured, bench/bench_workers.py.)

What Prefect needs to be shared between the machines (besides PREFECT_API_URL): the
parameters of a submitted task run and its result are files in Prefect's local storage
(PREFECT_LOCAL_STORAGE_PATH, default ~/.prefect/storage): point it at the intake share on every
machine, or set a storage block (PREFECT_TASKS_SCHEDULING_DEFAULT_STORAGE_BLOCK).
"""
from __future__ import annotations

import datetime as dt
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Hashable, Optional

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.retry import is_retryable
from flows.steps import FileResult, Steps, WorkerSteps, available_cores, ingest_path

ZOMBIE_AUTOMATION = "chidao: flow runs without heartbeats are crashed"
PAGE = 200                      # the most runs Prefect's API returns per call
SUBMITTERS = 8                  # task runs created at once by the submitter
DEFAULT_HEARTBEAT = 30          # seconds between flow-run heartbeats (Prefect's minimum)

_steps: dict[tuple, Steps] = {}
_clients = threading.local()


def worker_steps(url: Optional[str], timeout: Optional[float]) -> Steps:
    """One Steps per register and time limit in a worker process: the extractors' forkserver
    (flows/isolate.py) is started once, and each of the task worker's threads has a warm child
    of it that takes document after document, as the plain batch's do (a child forked per stage
    cost ~0.4 s a one-page document: measured, bench/bench_workers.py)."""
    if url is None or timeout is None:
        from flows.settings import load_settings

        settings = load_settings()
        url, timeout = url or settings.db, timeout or settings.doc_timeout
    key = (url, timeout)
    if key not in _steps:
        _steps[key] = WorkerSteps(url=url, timeout=timeout, ocr_workers=1)
    return _steps[key]


_worker: dict[str, Any] = {"run": None}     # this process's `chidao-worker` flow run id


def run_name(path: str, worker_run: Any) -> str:
    """A document's task run, once a worker took it: the file and the worker's flow run."""
    return f"ingest {Path(path).name} @{worker_run}"


def worker_of(task_run_name: str) -> Optional[str]:
    return task_run_name.rsplit(" @", 1)[1] if " @" in task_run_name else None


def _thread_client():
    """This worker thread's API client, opened once: a client per document opened a connection
    per document."""
    client = getattr(_clients, "client", None)
    if client is None:
        from prefect.client.orchestration import get_client

        client = _clients.client = get_client(sync_client=True)
        client.__enter__()
    return client


@task(name="ingest-document", cache_policy=NO_CACHE)
def ingest_document_task(path: str, source_path: Optional[str], db_url: Optional[str], timeout: Optional[float],
                         attempt: str) -> dict:
    """The unit a worker takes: one file into the register (plain steps, stages in killable
    children of the warm forkserver).  The run is renamed after the worker's flow run first, so
    that the submitter knows whose heartbeats vouch for it.  `attempt` makes the inputs unique:
    a document submitted again is never answered from Prefect's cache (task workers cache on
    the inputs)."""
    from prefect.context import TaskRunContext

    ctx = TaskRunContext.get()
    if ctx is not None and _worker["run"] is not None:
        _thread_client().set_task_run_name(ctx.task_run.id, run_name(path, _worker["run"]))
    result = ingest_path(path, worker_steps(db_url, timeout), source_path=source_path)
    logger = get_run_logger()
    logger.info("stages (s): %s", ", ".join(f"{k} {v:.3f}" for k, v in result.steps.items()))
    (logger.info if result.ok else logger.warning)(result.log_line())
    return result.to_dict()


@flow(name="chidao-worker", validate_parameters=False, flow_run_name="worker {host}")
def worker_flow(host: str, limit: int) -> None:
    """The worker's life as one flow run: Prefect's heartbeats for it are the worker's own, and
    the documents' task runs name it."""
    from prefect.runtime import flow_run
    from prefect.task_worker import serve

    _worker["run"] = flow_run.id
    serve(ingest_document_task, limit=limit)


# ---------------------------------------------------------------- the worker

def ensure_zombie_automation(heartbeat: int = DEFAULT_HEARTBEAT) -> None:
    """Prefect's documented automation: a flow run that sent a heartbeat and then nothing (no
    heartbeat, no end) for 3 heartbeats is set Crashed."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    with get_client(sync_client=True) as client:
        if client.read_automations_by_name(ZOMBIE_AUTOMATION):
            return
        ends = {f"prefect.flow-run.{s}" for s in ("heartbeat", "Completed", "Failed", "Cancelled", "Crashed")}
        client.create_automation(AutomationCore(
            name=ZOMBIE_AUTOMATION,
            trigger=EventTrigger(match={"prefect.resource.id": "prefect.flow-run.*"},
                                 after={"prefect.flow-run.heartbeat"}, expect=ends,
                                 for_each={"prefect.resource.id"}, posture=Posture.Proactive, threshold=1,
                                 within=dt.timedelta(seconds=3 * heartbeat)),
            actions=[ChangeFlowRunState(state=StateType.CRASHED,
                                        message="no heartbeat from the worker: presumed dead")],
        ))
        # Two workers starting together may both have created it: the first by id stays.
        for extra in sorted(client.read_automations_by_name(ZOMBIE_AUTOMATION), key=lambda a: str(a.id))[1:]:
            try:
                client.delete_automation(extra.id)
            except Exception:  # noqa: BLE001 - the other worker deleted it first
                pass


def serve_worker(limit: Optional[int] = None, heartbeat: int = DEFAULT_HEARTBEAT) -> None:
    """Run a worker until SIGTERM/SIGINT (blocks)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.isolate import warm

    warm()      # the extractors load once, here, before the first document
    _warm_register()
    ensure_zombie_automation(heartbeat)
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: heartbeat}):
        worker_flow(socket.gethostname(), limit or available_cores())


def _warm_register() -> None:
    """Ask the register of the worker's settings once before the first document: its driver and
    models load and its connection opens here (1.2 s of the first document's lookup otherwise,
    measured with two workers).  A register that cannot be reached yet is not an error here:
    each document reports its own."""
    import logging

    try:
        worker_steps(None, None).find_known("0" * 64)
    except Exception as exc:  # noqa: BLE001 - only a warm-up
        logging.getLogger("chidao.worker").warning("the register could not be reached yet: %s", exc)


# ---------------------------------------------------------------- the submitter

@dataclass
class Attempt:
    token: Hashable
    path: str
    source_path: Optional[str]
    display: str
    tries: int
    key: str = ""
    task_run_id: Any = None


class Dispatcher:
    """Submits files to the workers and reports each one's FileResult once it is known.  A
    document whose flow run Prefect crashed (its worker stopped sending heartbeats), or whose
    task run ended Crashed or Failed outside our code, is submitted again, `max_attempts` in all."""

    def __init__(self, *, db_url: Optional[str], timeout: Optional[float], max_attempts: int = 3):
        from prefect.client.orchestration import get_client

        self.db_url, self.timeout, self.max_attempts = db_url, timeout, max_attempts
        self.running: dict[str, Attempt] = {}          # attempt key -> attempt
        self.client = get_client(sync_client=True)
        self.client.__enter__()
        self.dead_seen: set[str] = self._dead_workers()   # workers' flow runs seen crashed

    def submit(self, token: Hashable, path: str, *, source_path: Optional[str] = None,
               display: Optional[str] = None, tries: int = 1) -> None:
        self.submit_many([Attempt(token, str(path), source_path, display or str(path), tries)])

    def submit_many(self, attempts: list[Attempt]) -> None:
        """Each attempt as a task run, as `.delay()` makes one (its parameters stored, the run
        created Scheduled and deferred, the SCHEDULED event sent), but all on one client,
        SUBMITTERS at a time: `.delay()` opens a client and a connection per call, and creating
        50 runs took 2.2 s that way against 1.3 s on one client (bench/bench_submit.py).  The
        workers start on the first while the rest are still being created."""
        from prefect.utilities.asyncutils import run_coro_as_sync
        from prefect.utilities.engine import emit_task_run_state_change_event

        for a in attempts:
            a.key = uuid.uuid4().hex[:16]
        runs = run_coro_as_sync(create_runs(attempts, self.db_url, self.timeout))
        for a, run in zip(attempts, runs):
            emit_task_run_state_change_event(task_run=run, initial_state=None, validated_state=run.state)
            a.task_run_id = run.id
            self.running[a.key] = a

    def poll(self) -> list[tuple[Hashable, FileResult]]:
        """The documents settled since the last call (one API call for the task runs, one for
        the workers' crashed flow runs)."""
        from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterId

        if not self.running:
            return []
        by_id = {a.task_run_id: a for a in self.running.values()}
        ids = list(by_id)
        runs = [r for i in range(0, len(ids), PAGE) for r in self.client.read_task_runs(
            task_run_filter=TaskRunFilter(id=TaskRunFilterId(any_=ids[i:i + PAGE])), limit=PAGE)]
        dead = self._dead_workers()
        out = []
        for run in runs:
            a, state = by_id[run.id], run.state
            if state is None:
                continue
            if state.is_completed():
                out.append((a.token, self._result(a, state)))
            elif worker_of(run.name) in dead or state.is_crashed() or state.is_failed():
                out.extend(self._again(a, state, crashed_flow=worker_of(run.name) in dead))
        if dead - self.dead_seen:
            self.dead_seen |= dead
            self._reissue_unclaimed(runs)
        return out

    def _dead_workers(self) -> set[str]:
        """The flow runs of workers that Prefect crashed (no heartbeat) or that failed (the
        latest PAGE of them: older ones held nothing of ours)."""
        from prefect.client.schemas.filters import (
            FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType,
        )
        from prefect.client.schemas.objects import StateType
        from prefect.client.schemas.sorting import FlowRunSort

        runs = self.client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC,
            flow_filter=FlowFilter(name=FlowFilterName(any_=[worker_flow.name])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType.CRASHED, StateType.FAILED]))), limit=PAGE)
        return {str(r.id) for r in runs}

    def _reissue_unclaimed(self, runs) -> None:
        """A worker died (Prefect crashed its flow run).  Its task runs not yet renamed after it
        (taken from the server but not started: a task worker takes one more than it runs, and
        its engine needs a moment to start one) would stay Scheduled or Pending for ever, and
        nothing says whose they were.  So every task run of ours that no worker has claimed by
        name is cancelled and submitted again; one that a live worker was about to start is
        refused by Prefect's orchestration when it proposes Running (it is in a final state),
        so nothing is done twice."""
        from prefect.states import Cancelled

        for run in runs:
            a = next((x for x in self.running.values() if x.task_run_id == run.id), None)
            if a is None or run.state is None or run.state.is_final() or worker_of(run.name):
                continue
            self.client.set_task_run_state(a.task_run_id, Cancelled(message="submitted again: a worker died"),
                                           force=True)
            del self.running[a.key]
            self.submit(a.token, a.path, source_path=a.source_path, display=a.display, tries=a.tries)

    def _result(self, a: Attempt, state) -> FileResult:
        del self.running[a.key]
        r = FileResult.from_dict(state.result())
        r.path = a.display
        return r

    def _again(self, a: Attempt, state, *, crashed_flow: bool) -> list[tuple[Hashable, FileResult]]:
        from prefect.states import Crashed

        del self.running[a.key]
        if crashed_flow and not state.is_final():   # the task run of a dead worker: close it too
            self.client.set_task_run_state(a.task_run_id, Crashed(message="its worker died"), force=True)
        why = "máy xử lý ngừng trả lời" if crashed_flow or state.is_crashed() else "lỗi khi chạy tệp"
        if a.tries < self.max_attempts:
            self.submit(a.token, a.path, source_path=a.source_path, display=a.display, tries=a.tries + 1)
            return []
        reason = (f"{why} ({state.message or state.type.value}) sau {a.tries} lần thử; chưa ghi gì vào sổ, "
                  "hãy chạy lại sau")
        return [(a.token, FileResult(a.display, "error", reason=reason, retryable=True))]

    def close(self) -> None:
        self.client.__exit__(None, None, None)


async def create_runs(attempts: list[Attempt], db_url: Optional[str], timeout: Optional[float]) -> list:
    """The deferred task runs of `attempts`, in order, created on one client, SUBMITTERS
    requests in flight."""
    import asyncio

    from prefect.client.orchestration import get_client

    gate = asyncio.Semaphore(SUBMITTERS)
    async with get_client() as client:
        async def create(a: Attempt):
            async with gate:
                return await ingest_document_task.create_run(client=client, deferred=True, parameters=dict(
                    path=a.path, source_path=a.source_path, db_url=db_url, timeout=timeout, attempt=a.key))

        return await asyncio.gather(*(create(a) for a in attempts))


def ingest_distributed(paths: list[str | Path], *, db_url: Optional[str], timeout: Optional[float],
                       on_result: Optional[Callable[[FileResult], None]] = None, poll: float = 0.5,
                       max_attempts: int = 3) -> list[FileResult]:
    """`chidao ingest --distributed`: every file to the workers; the results in the files' order."""
    d = Dispatcher(db_url=db_url, timeout=timeout, max_attempts=max_attempts)
    results: dict[int, FileResult] = {}
    try:
        d.submit_many([Attempt(i, str(Path(p).resolve()), None, str(p), 1) for i, p in enumerate(paths)])
        while d.running:
            time.sleep(poll)
            try:
                settled = d.poll()
            except Exception as exc:  # noqa: BLE001 - the API blinked: ask again at the next poll
                if not is_retryable(exc) and "httpx" not in type(exc).__module__:
                    raise
                continue
            for i, r in settled:
                results[i] = r
                if on_result:
                    on_result(r)
    finally:
        d.close()
    return [results[i] for i in sorted(results)]
