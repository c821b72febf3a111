"""Several workers on one register (the watcher plus `chidao ingest`, or Prefect workers on
PostgreSQL): a fresh register is migrated once, and the same bytes are stored exactly once."""
from __future__ import annotations

import multiprocessing as mp

import pytest


def _worker(url: str, start, names: list[str], out) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from conftest import build_processed
    from models.register import ingest_processed, open_session

    start.wait(60)
    results = []
    with open_session(url) as s:
        for n in names:
            results.append(ingest_processed(s, build_processed(name=n, content=n, number=None, title=f"Kế hoạch {n}")).status)
    out.put(results)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_workers_same_files(backend, tmp_path, request):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"   # fresh: both workers race to migrate it
    else:
        url = request.getfixturevalue("pg_empty_url")
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    names = [f"doc-{i}.pdf" for i in range(6)]
    procs = [ctx.Process(target=_worker, args=(url, start, names if k == 0 else names[::-1], out)) for k in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    flat = [r for rs in results for r in rs]
    assert flat.count("new") == 6 and flat.count("duplicate") == 6

    from models.db import dispose_engine
    from models.queries import counts
    from models.register import open_session

    with open_session(url) as s:
        c = counts(s)
    dispose_engine(url)
    assert c["documents"] == 6 and c["obligations"] == 30
