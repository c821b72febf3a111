"""Benchmark of submitting documents to the warm workers: the cost of creating their task runs
on the Prefect server, side by side in one run.

    CHIDAO_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:54330/postgres \\
        .venv/bin/python bench/bench_submit.py [--runs 50] [--rounds 2]

A real Prefect server on loopback (its database a PostgreSQL one) and no worker, so that only
the creation is timed; N deferred `ingest-document` task runs are created
  1. `.delay()`   Prefect's own call, from SUBMITTERS threads (a client and a connection per call)
  2. submit_many  what `chidao ingest --distributed` does (flows/worker.py: one client, SUBMITTERS
                  requests in flight)
Each round times both, alternately; the ratio is printed with the load average.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

INNER = r"""
import sys, time, uuid
from concurrent.futures import ThreadPoolExecutor
from flows.worker import SUBMITTERS, Attempt, Dispatcher, ingest_document_task
n, rounds = int(sys.argv[1]), int(sys.argv[2])
def one(k):
    return ingest_document_task.delay(f"/bench/{k}.pdf", None, None, None, uuid.uuid4().hex).task_run_id
def by_delay():
    with ThreadPoolExecutor(SUBMITTERS) as pool:
        list(pool.map(one, range(n)))
def by_dispatcher():
    d = Dispatcher(db_url=None, timeout=None)
    d.submit_many([Attempt(k, f"/bench/{k}.pdf", None, f"{k}.pdf", 1) for k in range(n)])
one(-1)                      # both warm: the first call loads the client and the storage
for r in range(rounds):
    for name, fn in (("delay", by_delay), ("submit_many", by_dispatcher)):
        t = time.monotonic()
        fn()
        print(f"{name} {time.monotonic() - t:.3f}", flush=True)
"""


def main() -> None:
    import httpx

    from bench_workers import api_healthy, fresh_database
    from tests.flows.test_scale_out import PREFECT, Procs, free_port, wait_for

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    admin = os.environ.get("CHIDAO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:54330/postgres")
    work = Path(tempfile.mkdtemp(prefix="chidao-bench-submit-"))
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect-home"), "PREFECT_API_URL": api,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false", "PREFECT_UI_URL": "",
           "PREFECT_LOGGING_LEVEL": "WARNING",
           "PREFECT_API_DATABASE_CONNECTION_URL": fresh_database(admin, "bench_submit", "postgresql+asyncpg")}
    procs = Procs(work / "logs", env)
    try:
        procs.start("server", PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port))
        wait_for(lambda: api_healthy(httpx, api), 300, "the Prefect server", lambda: procs.log("server"))
        print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
        out = subprocess.run([sys.executable, "-c", INNER, str(a.runs), str(a.rounds)], env=env, cwd=ROOT,
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr[-3000:]
        times: dict[str, list[float]] = {}
        for line in out.stdout.split("\n"):
            if line.strip():
                name, secs = line.split()
                times.setdefault(name, []).append(float(secs))
        for name, ts in times.items():
            print(f"{name:12} {a.runs} task runs: " + " / ".join(f"{t:.2f} s" for t in ts), flush=True)
        best = {k: min(v) for k, v in times.items()}
        print(f"ratio submit_many/delay {best['submit_many'] / best['delay']:.2f} (best rounds); "
              f"per run {best['delay'] / a.runs * 1000:.0f} ms -> {best['submit_many'] / a.runs * 1000:.0f} ms; "
              f"load after: {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        procs.kill_all()


if __name__ == "__main__":
    main()
