"""Benchmark of the flows: a batch of born-digital and scanned directives.

    .venv/bin/python bench/bench_flows.py [--digital 20] [--scanned 5] [--skip-prefect]

Prints, measured in one run on this machine:
  1. one file at a time (plain steps, all cores for the file's OCR): the sum of single-file times
  2. the same batch through the `ingest-folder` flow (documents in parallel, a real temporary
     Prefect server): wall time and pages per second, against (1)
  3. Prefect's overhead per document: `ingest-document` flow runs against plain calls of the
     same steps, born-digital files (where the overhead matters most)
  4. `chidao ingest` of one born-digital file, wall time of the whole command (target < 3 s)
Each part gets a fresh SQLite register, so nothing is a duplicate.  Documents come from
../shared/eval/pdf, corpora/samples and ../shared/corpus-real; missing born-digital ones are
generated (tests/flows/conftest.py's directive generator).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def pick_documents(n_digital: int, n_scanned: int, work: Path) -> tuple[list[Path], list[Path]]:
    digital = sorted(p for p in (SHARED / "eval" / "pdf").glob("*.pdf") if not p.stem.endswith("-scan"))
    digital += sorted((ROOT / "corpora" / "samples" / "pdf").glob("*.pdf"))
    scanned = sorted((SHARED / "eval" / "pdf").glob("*-scan.pdf")) + sorted((ROOT / "corpora" / "samples" / "scan").glob("*.pdf"))
    digital = digital[:n_digital]
    if len(digital) < n_digital:
        from tests.flows.conftest import make_directive_pdf

        for i in range(n_digital - len(digital)):
            digital.append(make_directive_pdf(work / "generated" / f"gen-{i:02d}.pdf", 900 + i, pages=2))
    # Copy into one folder (ingest_folder takes a folder); names kept unique.
    out_d, out_s = [], []
    for kind, src, out in (("digital", digital, out_d), ("scanned", scanned[:n_scanned], out_s)):
        for i, p in enumerate(src):
            dest = work / "batch" / kind / f"{i:02d}-{p.name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dest)
            out.append(dest)
    return out_d, out_s


def fresh_url(work: Path, name: str) -> str:
    return f"sqlite:///{work / (name + '.db')}"


def single_file_times(files: list[Path], url: str) -> list:
    from flows.steps import Steps, available_cores, ingest_path

    steps = Steps(url=url, ocr_workers=available_cores())
    out = []
    for f in files:
        r = ingest_path(f, steps)
        out.append(r)
        print(f"   {f.name:45s} {r.status:9s} {r.pages:3d} p  {r.seconds:6.1f} s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--digital", type=int, default=20)
    ap.add_argument("--scanned", type=int, default=5)
    ap.add_argument("--skip-prefect", action="store_true")
    a = ap.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    work = Path(tempfile.mkdtemp(prefix="chidao-bench-flows-"))
    try:
        from flows.isolate import warm

        warm()
        digital, scanned = pick_documents(a.digital, a.scanned, work)
        batch = digital + scanned
        print(f"{len(digital)} born-digital + {len(scanned)} scanned documents; {os.cpu_count()} cores; "
              f"load average {os.getloadavg()[0]:.1f}\n")

        print("1. one file at a time (plain):")
        singles = single_file_times(batch, fresh_url(work, "single"))
        pages = sum(r.pages for r in singles)
        sum_single = sum(r.seconds for r in singles)

        plain_batch = None
        from flows.steps import ingest_paths

        t = time.monotonic()
        res = ingest_paths(batch, url=fresh_url(work, "plainbatch"))
        plain_batch = time.monotonic() - t
        assert all(r.status in ("new", "version") for r in res), [r.line() for r in res if not r.ok]

        folder_wall = flow_runs = plain_runs = None
        if not a.skip_prefect:
            from prefect.testing.utilities import prefect_test_harness

            t = time.monotonic()
            with prefect_test_harness(server_startup_timeout=300):
                harness = time.monotonic() - t
                from flows.ingest import ingest_document, ingest_folder

                t = time.monotonic()
                res = ingest_folder(str(work / "batch"), db_url=fresh_url(work, "folder"))
                folder_wall = time.monotonic() - t
                bad = [r for r in res if r["status"] not in ("new", "version")]
                assert not bad, bad
                # 3. overhead per document: flow run vs plain calls of the same steps
                from flows.steps import Steps, ingest_path

                flow_url, plain_url = fresh_url(work, "flowruns"), fresh_url(work, "plainruns")
                ingest_path(digital[0], Steps(url=plain_url))          # both warm
                ingest_document(str(digital[0]), db_url=flow_url)
                flow_runs, plain_runs = [], []
                for f in digital[1:]:
                    t = time.monotonic()
                    ingest_path(f, Steps(url=plain_url))
                    plain_runs.append(time.monotonic() - t)
                    t = time.monotonic()
                    ingest_document(str(f), db_url=flow_url)
                    flow_runs.append(time.monotonic() - t)

        # 4. the quick path, cold, as a user would see it: last, so this run's own extractor
        # processes are idle by then (bench_ingest_one.py measures it against its floors)
        cli_url = fresh_url(work, "cli")
        t = time.monotonic()
        subprocess.run([str(ROOT / ".venv" / "bin" / "chidao"), "ingest", str(digital[0])], cwd=ROOT, check=True,
                       env={**os.environ, "CHIDAO_DB": cli_url, "CHIDAO_SERVICE": "off"}, capture_output=True)
        cli_wall = time.monotonic() - t

        print()
        print(f"{'':44s}{'seconds':>10s}{'pages/s':>10s}{'vs sum':>8s}")
        print(f"{'pages in the batch':44s}{pages:>10d}")
        print(f"{'sum of single-file times (plain)':44s}{sum_single:10.1f}{pages / sum_single:10.2f}{1.0:8.2f}")
        print(f"{'batch, plain ingest_paths (chidao ingest)':44s}{plain_batch:10.1f}{pages / plain_batch:10.2f}"
              f"{sum_single / plain_batch:8.2f}")
        if folder_wall:
            print(f"{'batch, ingest_folder flow (Prefect)':44s}{folder_wall:10.1f}{pages / folder_wall:10.2f}"
                  f"{sum_single / folder_wall:8.2f}")
            print(f"{'  (temporary Prefect server start, once)':44s}{harness:10.1f}")
        if flow_runs:
            fm, pm = statistics.median(flow_runs), statistics.median(plain_runs)
            print(f"\nper born-digital document (median of {len(flow_runs)}): plain {pm:.2f} s, "
                  f"flow run {fm:.2f} s -> Prefect overhead {fm - pm:+.2f} s ({fm / pm:.2f}x)")
        print(f"`chidao ingest` of one born-digital file, whole command, cold: {cli_wall:.2f} s (target < 3 s; "
              f"bench/bench_ingest_one.py: cold and with `chidao warm`, against the NLP floor)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
