"""Benchmark of the distributed path against the plain batch, side by side in one run.

    CHIDAO_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:54330/postgres \
        .venv/bin/python bench/bench_workers.py [--docs 50] [--workers 2] [--limit 1] [--eval-copies K | --scanned]

The same N born-digital directives (generated, one page each, distinct bytes; or, with
--eval-copies K, K dated variants of each born-digital evaluation PDF as bench/bench_batch.py
makes them: directives of real length, 3-10 pages; or, with --scanned, the one-page directives as
scans, OCR'd), each into a fresh PostgreSQL register of its own:
  1. plain      `chidao ingest FILES`: one process, documents in parallel, one per core
  2. distributed `chidao ingest --distributed FILES` with W warm `chidao worker --limit 1`
                processes already running (a real Prefect server on loopback, its database a
                PostgreSQL one too)
Prints each wall time, the ratio distributed/plain, and the per-document overhead of the
distributed path: (distributed wall - plain wall) / N, and the same with the plain command's
start-up (the wall time of `chidao ingest` of one file) added back to the plain side, an upper
bound of what the workers cost per document once warm.  The load average is printed with them.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def fresh_database(admin: str, prefix: str, driver: str = "postgresql+psycopg") -> str:
    from tests.tools import admin_exec, with_database

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin_exec(admin, f'CREATE DATABASE "{name}"')
    return with_database(admin, name).replace("postgresql+psycopg", driver)


def _timed(cmd: list[str], env: dict) -> float:
    t0 = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.monotonic() - t0
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return wall


def main() -> None:
    import httpx

    from tests.flows.conftest import CLI, make_directive_pdf
    from tests.flows.test_scale_out import PREFECT, Procs, free_port, wait_for

    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, default=1, help="documents each worker runs at once")
    ap.add_argument("--eval-copies", type=int, default=0,
                    help="instead of --docs one-page files: K variants of each evaluation PDF")
    ap.add_argument("--scanned", action="store_true",
                    help="the --docs one-page files as scans (a 200 dpi picture, no text layer): every page OCR'd")
    a = ap.parse_args()
    admin = os.environ.get("CHIDAO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:54330/postgres")
    work = Path(tempfile.mkdtemp(prefix="chidao-bench-workers-"))
    if a.eval_copies:
        from bench_batch import make_batch

        (work / "src").mkdir(parents=True)
        files = make_batch(work / "src", a.eval_copies)
        a.docs = len(files)
    else:
        files = [make_directive_pdf(work / "src" / f"ct-{n:03d}.pdf", 300 + n) for n in range(a.docs)]
        if a.scanned:
            files = [as_scan(f) for f in files]
    plain_db, dist_db = fresh_database(admin, "bench_plain"), fresh_database(admin, "bench_dist")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    base = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env = {**base, "PREFECT_HOME": str(work / "prefect-home"), "PREFECT_API_URL": api,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
           "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
           "PREFECT_API_DATABASE_CONNECTION_URL": fresh_database(admin, "bench_prefect", "postgresql+asyncpg"),
           "CHIDAO_DB": dist_db, "PYTHONUNBUFFERED": "1"}
    procs = Procs(work / "logs", env)
    try:
        procs.start("server", PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port))
        wait_for(lambda: api_healthy(httpx, api), 300, "the Prefect server", lambda: procs.log("server"))
        for w in range(a.workers):
            procs.start(f"w{w}", *CLI, "worker", "--limit", str(a.limit))
        for w in range(a.workers):
            wait_for(lambda: "Subscribing to runs" in procs.log(f"w{w}"), 300, "a worker", lambda: procs.log(f"w{w}"))
        print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
        one = _timed([*CLI, "--db", fresh_database(admin, "bench_one"), "ingest", str(files[0])], base)
        print(f"plain       chidao ingest, 1 file    {one:6.1f} s  (start-up + one document)", flush=True)
        plain = _timed([*CLI, "--db", plain_db, "ingest", *map(str, files)], base)
        print(f"plain       chidao ingest            {plain:6.1f} s  {a.docs / plain:5.2f} docs/s", flush=True)
        roots = {name: p.pid for name, (p, _) in procs.procs.items()}
        cpu0 = {name: tree_cpu(pid) for name, pid in roots.items()}
        own0 = os.times()
        dist = _timed([*CLI, "ingest", "--distributed", *map(str, files)], env)
        own1 = os.times()
        cpu = {name: tree_cpu(pid) - cpu0[name] for name, pid in roots.items()}
        print(f"distributed {a.workers} warm workers          {dist:6.1f} s  {a.docs / dist:5.2f} docs/s", flush=True)
        workers = sum(v for k, v in cpu.items() if k != "server")
        submitter = (own1.children_user + own1.children_system) - (own0.children_user + own0.children_system)
        print(f"  CPU seconds in that run: Prefect server {cpu['server']:.1f}, workers {workers:.1f}, "
              f"submitter (chidao ingest --distributed) {submitter:.1f}; PostgreSQL not counted", flush=True)
        print(f"ratio distributed/plain {dist / plain:.2f}; overhead per document {(dist - plain) / a.docs:+.3f} s; "
              f"without the plain command's start-up (the 1-file run taken off) {(dist - plain + one) / a.docs:+.3f} s; "
              f"load after: {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        procs.kill_all()


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(d.name)] = int(fields[1])
            used[int(d.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, todo = {pid}, [pid]
    while todo:
        p = todo.pop()
        for c, pp in parent.items():
            if pp == p and c not in tree:
                tree.add(c)
                todo.append(c)
    return sum(used.get(p, 0.0) for p in tree)


def as_scan(pdf: Path, dpi: int = 200) -> Path:
    """The one-page PDF as a scanner gives it: its page as a greyscale picture, no text layer."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-singlefile", "-png", str(pdf), str(pdf.with_suffix(""))],
                   check=True)
    png = pdf.with_suffix(".png")
    out = pdf.with_name(pdf.stem + "-scan.pdf")
    Image.open(png).save(out, resolution=dpi)
    pdf.unlink()
    png.unlink()
    return out


def api_healthy(httpx, api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    main()
