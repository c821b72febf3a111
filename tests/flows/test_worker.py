"""The warm child of the plain batch (flows.isolate.Worker, flows.steps.WorkerSteps): calls one
after another in one process, a time limit or a crash costs that child only, and a batch
through it gives what the pipeline gives in this process, with each stage timed."""
from __future__ import annotations

import os
import time

import pytest

from extractors.pipeline import PIPELINE
from flows.isolate import StepCrashed, StepError, StepTimeout, Worker, note
from flows.steps import ingest_paths
from tests.flows.conftest import register_rows


def pid() -> int:
    return os.getpid()


def sleep_then(seconds: float, value: str) -> str:
    time.sleep(seconds)
    return value


def die() -> None:
    os._exit(3)


def fail() -> None:
    raise ValueError("bad value")


def two_parts(first: float, second: float) -> str:
    note("first")
    time.sleep(first)
    note("second")
    time.sleep(second)
    return "done"


def test_calls_run_one_after_another_in_one_child():
    w = Worker()
    try:
        pids = {w.call(pid) for _ in range(5)}
        assert len(pids) == 1 and os.getpid() not in pids
        with pytest.raises(StepError, match="bad value"):
            w.call(fail)
        assert w.call(pid) in pids          # an exception is the call's, the child lives on
    finally:
        w.close()


def test_a_call_out_of_time_or_a_crash_costs_the_child_and_the_next_call_gets_a_new_one():
    w = Worker()
    try:
        first = w.call(pid)
        t = time.monotonic()
        with pytest.raises(StepTimeout):
            w.call(sleep_then, 60, "late", timeout=1)
        assert time.monotonic() - t < 20
        second = w.call(pid)
        assert second != first
        with pytest.raises(StepCrashed, match="code 3"):
            w.call(die)
        assert w.call(pid) not in (first, second)
    finally:
        w.close()


def test_a_note_sets_the_time_limit_of_what_follows():
    w = Worker()
    seen = []

    def limits(message):
        seen.append(message)
        return {"first": 30, "second": 1}[message]

    try:
        with pytest.raises(StepTimeout):
            w.call(two_parts, 0.1, 60, on_note=limits)
        assert seen == ["first", "second"]
        assert w.call(two_parts, 0, 0, on_note=lambda m: 30) == "done"
    finally:
        w.close()


@pytest.mark.slow
def test_a_batch_in_warm_children_stores_what_the_pipeline_gives(tmp_path, sqlite_url, directive_pdf):
    pdfs = [directive_pdf(f"ct-{i}.pdf", 80 + i, pages=2) for i in range(3)]
    results = ingest_paths(pdfs, url=sqlite_url, jobs=2)
    assert [r.status for r in results] == ["new"] * 3
    for r, pdf in zip(results, pdfs):
        assert set(r.steps) >= {"read", "structure", "obligations", "store"}
        assert r.obligations == len(PIPELINE.run(pdf).extraction.obligations)
    assert sorted(row[2] for row in register_rows(sqlite_url)) == ["ok"] * 3


def test_a_worker_starts_even_when_its_register_cannot_be_reached_yet(monkeypatch):
    """`chidao worker` asks its register once before the first document (a warm connection); a
    register that is down then is logged, not fatal: each document reports its own failure."""
    import logging

    from flows import worker

    monkeypatch.setenv("CHIDAO_DB", "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1")
    monkeypatch.setattr(worker, "_steps", {})
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logging.getLogger("chidao.worker").addHandler(handler)    # Prefect's logging config stops propagation
    try:
        worker._warm_register()
    finally:
        logging.getLogger("chidao.worker").removeHandler(handler)
    assert any("could not be reached" in m for m in seen), seen
    worker_steps = worker._steps.popitem()[1]
    worker_steps.close()
