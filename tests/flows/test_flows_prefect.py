"""The Prefect flows for real: a temporary Prefect server (prefect_test_harness), real tasks,
real files, a SQLite register."""
from __future__ import annotations

import os

import pytest

from tests.flows.conftest import register_rows

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("flows-prefect")]


@pytest.fixture(scope="module")
def prefect_server():
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=240):
        yield


def _task_runs(flow_run_id, settle_s: float = 60.0):
    """The flow run's task runs by name -> state.  Task states reach the server as events, after
    the flow has returned; on a loaded machine the last ones land seconds later, so this waits
    until every run it sees is final and the count has stopped growing (or SETTLE_S passed)."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline, last = time.monotonic() + settle_s, None
    while True:
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        got = {r.name.rsplit("-", 1)[0]: r.state.type.value for r in runs}
        final = all(v in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") for v in got.values())
        if (final and got == last) or time.monotonic() > deadline:
            return got
        last = got
        time.sleep(1.0)


def test_ingest_document_flow_run(prefect_server, tmp_path, directive_pdf):
    from prefect.client.orchestration import get_client

    from flows.ingest import ingest_document

    url = f"sqlite:///{tmp_path / 'register.db'}"
    pdf = directive_pdf("ct-5.pdf", 5)
    state = ingest_document(str(pdf), db_url=url, return_state=True)
    assert state.is_completed(), state
    result = state.result()
    assert (result["status"], result["obligations"]) == ("new", 2), result     # the district item too (a group)
    tasks = _task_runs(state.state_details.flow_run_id)
    # one task per register step, and one per stage of the pipeline, named after it
    assert tasks == {"fingerprint": "COMPLETED", "lookup": "COMPLETED", "known-programmes": "COMPLETED",
                     "read": "COMPLETED", "structure": "COMPLETED", "obligations": "COMPLETED",
                     "store": "COMPLETED"}, tasks
    assert [r[1] for r in register_rows(url)] == ["ct-5.pdf"]

    # The same bytes: a duplicate found by its sha256, nothing read.
    again = ingest_document(str(pdf), db_url=url, return_state=True)
    assert again.result()["status"] == "duplicate"
    assert set(_task_runs(again.state_details.flow_run_id)) == {"fingerprint", "lookup"}
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(again.state_details.flow_run_id)
    assert run.name == f"ingest {pdf}"


def test_bad_file_fails_the_run_with_its_reason(prefect_server, tmp_path):
    from flows.ingest import ingest_document

    url = f"sqlite:///{tmp_path / 'register.db'}"
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"garbage, not a PDF")
    assert ingest_document(str(bad), db_url=url)["status"] == "bad-input"   # a result by default
    state = ingest_document(str(bad), db_url=url, raise_on_failure=True, return_state=True)
    assert state.is_failed()
    assert ("IngestFailed: bad-input: tên tệp là .pdf nhưng nội dung không phải PDF; hãy mở thử tệp, lưu lại "
            "đúng dạng PDF rồi nộp lại") in state.message, state.message
    assert bad.read_bytes() == b"garbage, not a PDF"


def test_ingest_folder_runs_documents_as_subflows(prefect_server, tmp_path, directive_pdf):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    from flows.ingest import ingest_folder

    url = f"sqlite:///{tmp_path / 'register.db'}"
    folder = tmp_path / "batch"
    for n in range(3):
        directive_pdf(f"sub/ct-{n}.pdf" if n else f"ct-{n}.pdf", 100 + n, folder=folder)
    (folder / "hong.pdf").write_bytes(b"not a pdf")
    (folder / ".hidden.pdf").write_bytes(b"skipped")
    state = ingest_folder(str(folder), db_url=url, jobs=2, return_state=True)
    results = state.result()
    assert sorted(r["status"] for r in results) == ["bad-input", "new", "new", "new"]
    with get_client(sync_client=True) as client:
        children = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[state.state_details.flow_run_id])))
    assert [c.state.type.value for c in children] == ["COMPLETED"] * 4
    assert sorted((r[1], r[2]) for r in register_rows(url)) == [
        ("ct-0.pdf", "ok"), ("ct-1.pdf", "ok"), ("ct-2.pdf", "ok"), ("hong.pdf", "failed")]
