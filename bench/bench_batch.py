#!/usr/bin/env python3
"""Born-digital batch throughput: the whole `chidao ingest` beside reading alone and pdftotext,
measured side by side in one run on the same files.

    .venv/bin/python bench/bench_batch.py [--copies 8] [--rounds 2] [--jobs N] [--profile OUT.prof]

The files: --copies variants of each born-digital evaluation PDF (../shared/eval/pdf, 5 files,
30 pages; default 8 each: 40 files, 240 pages).  Each variant has another date in its header
(edited in the PDF's own text with pdfium), so that no two are duplicates or copies of one
directive: every file is a new document, as in a real backlog.

Rows, each round in this order, the best round kept (the machine is shared; wall times):
  pdftotext -layout          text only, one process per file (poppler's C reader)
  reading alone              extractors.reading.read_document(text + tables), in this process,
                             one file after the other
  chidao ingest (whole)      the command a clerk runs, fresh SQLite register each round: reading,
                             structure, obligations and storing, `--jobs` files at once (default:
                             one per core)
Ratios are printed against the whole pipeline.  CPU seconds are printed beside wall: this process's
for reading alone, the children's for the commands (this process is their subreaper, so the
forkserver and its warm workers, orphaned when the command exits, are reaped here and counted).  --profile OUT.prof: then the same batch once
more under cProfile with a CPU-time clock, in one process (flows.steps.ingest_paths, one file at a
time, the stages called in-process rather than in forked children, so the profile sees them; one
file first, outside the profile, for the imports); the top by cumulative and by own time is printed.
Not a test: numbers depend on the machine's load, printed with them.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EVAL = ROOT.parent / "shared" / "eval" / "pdf"

# The header date of each evaluation PDF, and how variant i rewrites it (day i + 1).
_DATE_EDITS = [
    (re.compile(r"ngày \d+ tháng"), lambda i: f"ngày {i + 1} tháng"),
    (re.compile(r"ngày tháng"), lambda i: f"ngày {i + 1} tháng"),
    (re.compile(r"ngày \d+/"), lambda i: f"ngày {i + 1}/"),
    (re.compile(r"(?<=, )\d+(?=/\d+/\d{4})"), lambda i: f"{i + 1:02d}"),
]


def _obj_text(obj, textpage) -> str:
    import pypdfium2.raw as raw

    n = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    buf = (ctypes.c_ushort * n)()
    raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buf, n)
    return bytes(buf).decode("utf-16-le").rstrip("\x00")


def make_variant(src: Path, i: int, dest: Path) -> Path:
    """SRC with its first page's header date set to day i + 1 (the first text object that holds a
    date the header reader reads)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(src))
    page = pdf[0]
    textpage = page.get_textpage()
    for obj in page.get_objects():
        if obj.type != raw.FPDF_PAGEOBJ_TEXT:
            continue
        text = _obj_text(obj, textpage)
        if "ĐẾN" in text:       # the incoming-mail stamp, not the header
            continue
        for pattern, repl in _DATE_EDITS:
            if pattern.search(text):
                new = pattern.sub(repl(i), text, count=1)
                data = (new + "\x00").encode("utf-16-le")
                raw.FPDFText_SetText(obj.raw, (ctypes.c_ushort * (len(data) // 2)).from_buffer_copy(data))
                raw.FPDFPage_GenerateContent(page.raw)
                pdf.save(str(dest))
                return dest
    raise SystemExit(f"{src}: no header date found to make variants of")


def make_batch(work: Path, copies: int) -> list[Path]:
    srcs = sorted(p for p in EVAL.glob("seed-*.pdf") if not p.stem.endswith("-scan"))
    if not srcs:
        raise SystemExit(f"no evaluation PDFs in {EVAL}")
    out = []
    for i in range(copies):
        for src in srcs:
            out.append(make_variant(src, i, work / f"{src.stem}-v{i:02d}.pdf"))
    return out


def pages_of(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    return sum(len(pdfium.PdfDocument(str(f))) for f in files)


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphaned descendants (the forkserver of `chidao ingest` and its workers) are reparented to
    this process, which reaps them: their CPU time then counts in RUSAGE_CHILDREN."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the children's CPU is then a lower bound
        pass


def reap_orphans(wait: float = 5.0) -> None:
    """Wait (up to WAIT seconds) for the orphans left by the last command, and reap them."""
    end = time.monotonic() + wait
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() > end:
                return
            time.sleep(0.02)


def cpu_seconds() -> float:
    """CPU (user + system) of this process and of every reaped descendant."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_pdftotext(files: list[Path]) -> None:
    for f in files:
        subprocess.run(["pdftotext", "-layout", str(f), "-"], check=True, capture_output=True)


def run_reading(files: list[Path]) -> None:
    from extractors.reading import read_document

    for f in files:
        read_document(f, ocr="never", tables=True)


def chidao_cmd() -> list[str]:
    return [sys.executable, "-m", "app.cli"]


def run_ingest(files: list[Path], work: Path, jobs: int | None, root: Path = ROOT) -> dict:
    db = work / f"register-{time.monotonic_ns()}.db"
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "CHIDAO_DB")}
    env.update(CHIDAO_DB=f"sqlite:///{db}", CHIDAO_SERVICE="off", PYTHONPATH=str(root))
    cmd = chidao_cmd() + ["ingest", "--json", *(["--jobs", str(jobs)] if jobs else []), *map(str, files)]
    out = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"chidao ingest: exit {out.returncode}\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    import json

    results = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    statuses: dict[str, int] = {}
    steps: dict[str, float] = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        for k, v in r.get("steps", {}).items():
            steps[k] = steps.get(k, 0.0) + v
    db.unlink(missing_ok=True)
    return {"statuses": statuses, "steps": steps,
            "obligations": sum(r.get("obligations", 0) for r in results)}


def profile_in_process(files: list[Path], work: Path, out: Path, top: int = 30) -> None:
    import cProfile
    import pstats

    from extractors.pipeline import forget_texts
    from flows.steps import ingest_paths

    url = f"sqlite:///{work / 'profile.db'}"
    # one file first, outside the profile: the imports and the models' loading are the forkserver's
    # once per command, not the batch's per page
    ingest_paths(files[:1], url=f"sqlite:///{work / 'profile-warm.db'}", jobs=1, isolate=False, timeout=None)
    forget_texts()
    prof = cProfile.Profile(time.process_time)     # CPU time: the machine is shared, waiting is not work
    t, c = time.perf_counter(), time.process_time()
    prof.enable()
    # forget_texts after each file: as the warm workers do, so the variants' common texts are not
    # answered from the last document's caches
    results = ingest_paths(files, url=url, jobs=1, isolate=False, timeout=None, on_result=lambda r: forget_texts())
    prof.disable()
    dt, cpu = time.perf_counter() - t, time.process_time() - c
    prof.dump_stats(str(out))
    pages = sum(r.pages for r in results)
    print(f"\nprofile: {len(results)} files, {pages} pages in one process, {dt:.1f} s wall, {cpu:.1f} s CPU under "
          f"cProfile ({pages / cpu:.1f} pages per CPU second; cProfile inflates many small Python calls, so read "
          f"the shares, not the seconds); {out}")
    stats = pstats.Stats(str(out))
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def _load() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def report(best: dict[str, float], cpu: dict[str, float], pages: int, last: dict, rounds: int) -> None:
    whole = best["chidao ingest (whole pipeline)"]
    print(f"best of {rounds} rounds (wall; CPU: the least of the rounds); load average after {_load()}")
    print(f"{'':34}{'wall s':>8}{'pages/s':>9}{'x whole pipeline':>18}{'CPU s':>8}{'CPU ms/page':>12}")
    for name, dt in best.items():
        print(f"{name:34}{dt:8.1f}{pages / dt:9.1f}{whole / dt:18.2f}{cpu[name]:8.1f}{1000 * cpu[name] / pages:12.1f}")
    print(f"ingest outcomes {last['statuses']}, {last['obligations']} obligations; seconds per step, summed "
          "over files: " + ", ".join(f"{k} {v:.1f}" for k, v in last["steps"].items()))
    rate = pages / whole
    print(f"target: whole pipeline >= 40 pages/s -> {'met' if rate >= 40 else 'NOT met'} ({rate:.1f}); "
          f"reading alone / whole {best['reading alone (text + tables)'] and whole / best['reading alone (text + tables)']:.2f}, "
          f"pdftotext / whole {whole / best['pdftotext -layout (text)']:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=8, help="variants of each of the five PDFs")
    ap.add_argument("--rounds", type=int, default=2, help="rounds of the three; the best of each is kept")
    ap.add_argument("--jobs", type=int, default=None, help="`chidao ingest --jobs` (default: one per core)")
    ap.add_argument("--profile", type=Path, help="also profile one `chidao ingest` of the batch into this file")
    ap.add_argument("--keep", type=Path, help="write the variants here and keep them")
    ap.add_argument("--compare-with", type=Path, metavar="DIR", help="also time `chidao ingest` of another checkout "
                    "in the same rounds (before/after: git archive COMMIT | tar -x -C DIR)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chidao-bench-batch-"))
    try:
        folder = args.keep or work / "batch"
        folder.mkdir(parents=True, exist_ok=True)
        files = make_batch(folder, args.copies)
        pages = pages_of(files)
        print(f"{len(files)} files, {pages} pages; {os.cpu_count()} cores; load average before {_load()}", flush=True)
        run_reading(files[:1])    # imports and pdfium loaded before the first timed round
        become_subreaper()
        best: dict[str, float] = {}
        cpu: dict[str, float] = {}
        last: dict = {}
        for r in range(args.rounds):
            rows = [("pdftotext -layout (text)", lambda: run_pdftotext(files)),
                    ("reading alone (text + tables)", lambda: run_reading(files)),
                    ("chidao ingest (whole pipeline)", lambda: last.update(run_ingest(files, work, args.jobs)))]
            if args.compare_with:
                rows.append((f"chidao ingest of {args.compare_with.name}",
                             lambda: run_ingest(files, work, args.jobs, args.compare_with.resolve())))
            for name, fn in rows:
                c, t = cpu_seconds(), time.perf_counter()
                fn()
                dt = time.perf_counter() - t
                reap_orphans()
                dc = cpu_seconds() - c
                best[name] = min(best.get(name, dt), dt)
                cpu[name] = min(cpu.get(name, dc), dc)
                print(f"  round {r + 1}: {name}: {dt:.1f} s ({pages / dt:.1f} pages/s), CPU {dc:.1f} s; load {_load()}",
                      file=sys.stderr, flush=True)
        if best:
            report(best, cpu, pages, last, args.rounds)
        if args.profile:
            profile_in_process(files, work, args.profile)
    finally:
        shutil.rmtree(work, ignore_errors=True)



if __name__ == "__main__":
    main()
