"""Search and owes on a large register: 100,000 synthetic obligations (bench_register's
generator, ingested through the real ingest API so the search triggers run), on SQLite and on
PostgreSQL, figures side by side.

    .venv/bin/python bench/bench_search.py                    # 5,000 documents x 20, both backends
    .venv/bin/python bench/bench_search.py --docs 500 --backends sqlite
    .venv/bin/python bench/bench_search.py --sqlite-path /tmp/r.db --pg-db chidao_bench_keep   # keep and reuse
    .venv/bin/python bench/bench_search.py --cli sqlite:////tmp/eval.db   # chidao search/owes start-up
    .venv/bin/python bench/bench_search.py --docs 2500 --bulk --replicate 20 --sqlite-path /tmp/m.db --pg-db chidao_1m   # 1,000,000
    .venv/bin/python bench/bench_search.py --sqlite-path /tmp/m.db --pg-db chidao_1m --baseline ../main --no-scan
PostgreSQL: $CHIDAO_BENCH_PG_URL (default: the dev server); a database of its own is created
and dropped.  Targets at 1,000,000 obligations (issue 16): search p95 <= 20 ms, owes report for
one unit <= 0.5 s (its first page of OWES_PAGE tasks, with the list's counts, as `chidao owes
--unit` and /units/view show it; the whole list is measured too), summary of all units <= 0.3 s.
`--baseline TREE`: the same measures with TREE's register code (e.g. the main branch's clone)
and with this tree's, each in a process of its own, alternately (--pairs rounds, the last
kept), on the same register, side by side; the answers compared.  Wall times on a shared machine include waiting for a CPU: the bench
process's CPU time is printed beside them.  Not a test.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_register import synthetic_documents  # noqa: E402

if os.environ.get("CHIDAO_BENCH_CODE"):       # --baseline: the register code of this tree measured
    sys.path.insert(0, os.environ["CHIDAO_BENCH_CODE"])     # (after bench_register, which puts ours first)
    for _m in [m for m in sys.modules if m.split(".")[0] in ("models", "app", "flows")]:
        del sys.modules[_m]

TODAY = dt.date(2024, 6, 15)
# (query, filters): a clerk's day — broad words, exact diacritics, phrases, filters, numbers.
QUERIES = [
    ("dinh danh dien tu", {}),
    ("định danh điện tử", {}),
    ("dich vu cong truc tuyen", {}),
    ('"the can cuoc"', {}),
    ("ho tich", {}),
    ("thanh toan khong dung tien mat", {}),
    ("an ninh mang", {"unit": "Công an tỉnh"}),
    ("so hoa", {"unit": "Ủy ban nhân dân huyện 17"}),
    ("ket noi chia se du lieu", {"status": ["open"]}),
    ("bao cao", {"overdue": True, "unit": "Sở Tư pháp"}),
    ("kiem tra", {"due_from": dt.date(2024, 7, 1), "due_to": dt.date(2024, 9, 30)}),
    ("1234/CV-UBND-X", {}),
    ("rà soát hồ sơ", {"programme": "06/QĐ-TTg", "unit": "Sở Y tế"}),
    ("huong dan", {"type": "Kế hoạch", "unit": "Sở Nội vụ"}),
    ("", {"unit": "Công an tỉnh", "overdue": True}),
    ("", {"document": "250/KH-UBND-H"}),
]
OWES_UNITS = ["Công an tỉnh", "Sở Tư pháp", "Ủy ban nhân dân huyện 17"]


def build(url: str, n_docs: int, per_doc: int, bulk: bool = False) -> tuple[int, float]:
    from models.register import ingest_processed, open_session

    t = time.perf_counter()
    n = 0
    if bulk:      # bench_register's bulk fill (the register's own row builders), then the counts counted once
        from bench_register import bulk_fill

        from models.unit_counts import rebuild

        with open_session(url) as s:
            n = bulk_fill(s, synthetic_documents(n_docs, per_doc), batch=500)
            print(f"  {url.split(':')[0]}: {n} obligations filled ({time.perf_counter() - t:.0f} s); counting",
                  file=sys.stderr, flush=True)
            rebuild(s)
        return n, time.perf_counter() - t
    with open_session(url) as s:
        for i, p in enumerate(synthetic_documents(n_docs, per_doc)):
            n += ingest_processed(s, p).obligations
            if (i + 1) % 1000 == 0:
                print(f"  {url.split(':')[0]}: {i + 1} documents ({time.perf_counter() - t:.0f} s)", file=sys.stderr)
    return n, time.perf_counter() - t


def replicate(url: str, times: int) -> int:
    """Grow a register built by build() TIMES-fold in SQL: its documents, obligations, unit links
    and kept counts copied with new ids (an id ends in x and the copy's number), the
    same texts, units and deadlines; search triggers run on every copy.  Minutes for 1,000,000
    obligations where the bulk fill would take an hour on a loaded machine."""
    from sqlalchemy import inspect, text

    from models.db import get_engine

    eng = get_engine(url)
    with eng.begin() as conn:
        cols = {t: [c["name"] for c in inspect(conn).get_columns(t)]
                for t in ("documents", "obligations", "obligation_units", "unit_count_keys")}
        ids = {"documents": {"id", "sha256"}, "obligations": {"id", "document_id"},
               "obligation_units": {"obligation_id"}, "unit_count_keys": {"obligation_id"}}
        base = "length(document_id) = 16"
        where = {"documents": "length(id) = 16", "obligations": base,
                 "obligation_units": f"obligation_id IN (SELECT id FROM obligations WHERE {base})",
                 "unit_count_keys": f"obligation_id IN (SELECT id FROM obligations WHERE {base})"}
        for k in range(1, times):
            for t in ("documents", "obligations", "obligation_units", "unit_count_keys"):
                sel = [f"substr(\"{c}\", 1, {61 if c == 'sha256' else 29}) || 'x{k:02d}'" if c in ids[t] else f'"{c}"'
                       for c in cols[t]]
                conn.execute(text(f'INSERT INTO {t} ({", ".join(chr(34) + c + chr(34) for c in cols[t])}) '
                                  f'SELECT {", ".join(sel)} FROM {t} WHERE {where[t]}'))
            print(f"  copy {k} of {times - 1}", file=sys.stderr, flush=True)
        conn.execute(text(f"UPDATE unit_counts SET n = n * {times}"))
        return conn.execute(text("SELECT count(*) FROM obligations")).scalar_one()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


OWES_PAGE = 200     # app/commands/staff.py OWES_PAGE, app/web/routes/units.py PAGE


def _server_cpu(session):
    """PostgreSQL on this machine: a function giving the CPU seconds its backend serving SESSION
    has used (/proc/PID/stat); None on SQLite (its work is this process's) or when unreadable."""
    from sqlalchemy import text

    if session.get_bind().dialect.name != "postgresql":
        return None
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    tick = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick      # utime + stime
    try:
        cpu()
    except OSError:
        return None
    return cpu


def measure(url: str, rounds: int, scan: bool = True, migrate: bool = True) -> dict:
    from sqlalchemy.orm import Session

    from app.reports import write
    from models.db import get_engine, init_db
    from models.owes import owes, summary
    from models.search import search

    eng = init_db(url) if migrate else get_engine(url)     # a baseline's code: the register as it is
    res: dict = {"code": str(Path(sys.modules[search.__module__].__file__).parent.parent)}
    times: list[float] = []
    cpu: list[float] = []   # this process's CPU: all of SQLite's work, only the client side of PostgreSQL's
    per_query: dict[str, list[float]] = {}
    with Session(eng) as s:
        server = _server_cpu(s)          # PostgreSQL: its backend's CPU seconds (None on SQLite: all is ours)
        srv = {"search": 0.0, "page": 0.0, "summary": 0.0}
        for q, f in QUERIES:            # warm-up (caches, gazetteers, pages)
            search(s, query=q, today=TODAY, **f)
        for _ in range(rounds):
            for q, f in QUERIES:
                sv = server() if server else 0.0
                t, c = time.perf_counter(), time.process_time()
                r = search(s, query=q, today=TODAY, limit=50, **f)
                ms = (time.perf_counter() - t) * 1000
                cpu.append((time.process_time() - c) * 1000)
                srv["search"] += (server() - sv) if server else 0.0
                times.append(ms)
                per_query.setdefault(q or str(f), []).append(ms)
                res.setdefault("hits", {})[q or str(f)] = r.total
        res["search_p50"] = pct(times, 50)
        res["search_p95"] = pct(times, 95)
        res["search_max"] = max(times)
        res["search_cpu_p95"] = pct(cpu, 95)
        res["per_query_p95"] = {k: pct(v, 95) for k, v in per_query.items()}
        res["slowest"] = max(per_query, key=lambda k: statistics.median(per_query[k]))
        res["slowest_ms"] = statistics.median(per_query[res["slowest"]])
        import inspect

        pages = "limit" in inspect.signature(owes).parameters     # the code before paging: the whole list
        owes_ms, owes_cpu, list_ms, list_cpu, page_ms, page_cpu = [], [], [], [], [], []
        with tempfile.TemporaryDirectory() as tmp:
            for u in OWES_UNITS:
                for k in range(3):
                    if pages:      # what `chidao owes --unit` and /units/view answer (issue 16's target)
                        sv = server() if server else 0.0
                        t, c = time.perf_counter(), time.process_time()
                        page = owes(s, unit=u, today=TODAY, limit=OWES_PAGE)[0]
                        page_ms.append((time.perf_counter() - t) * 1000)
                        page_cpu.append((time.process_time() - c) * 1000)
                        srv["page"] += (server() - sv) if server else 0.0
                        res.setdefault("owes_page", {})[u] = (len(page.items), page.count_label)
                    sv = server() if server else 0.0
                    t, c = time.perf_counter(), time.process_time()
                    groups = owes(s, unit=u, today=TODAY)
                    list_ms.append((time.perf_counter() - t) * 1000)     # the whole list
                    list_cpu.append((time.process_time() - c) * 1000)
                    srv["list"] = srv.get("list", 0.0) + ((server() - sv) if server else 0.0)
                    if not pages:
                        page_ms.append(list_ms[-1])
                        page_cpu.append(list_cpu[-1])
                    if k == 0:     # its XLSX (every task; openpyxl), once
                        write(groups, "xlsx", Path(tmp) / "o.xlsx")
                        owes_ms.append((time.perf_counter() - t) * 1000)
                        owes_cpu.append((time.process_time() - c) * 1000)
                res.setdefault("owes_items", {})[u] = len(groups[0].items)
                res.setdefault("owes_label", {})[u] = groups[0].count_label
                res.setdefault("owes_ids", {})[u] = sorted(i.obligation_id for i in groups[0].items)
        res["owes_page_ms_median"] = statistics.median(page_ms)
        res["owes_page_ms_max"] = max(page_ms)
        res["owes_page_cpu_median"] = statistics.median(page_cpu)
        res["owes_list_ms_median"] = statistics.median(list_ms)
        res["owes_list_ms_max"] = max(list_ms)
        res["owes_list_cpu_median"] = statistics.median(list_cpu)
        res["owes_ms_median"] = statistics.median(owes_ms)
        res["owes_ms_max"] = max(owes_ms)
        res["owes_cpu_median"] = statistics.median(owes_cpu)
        from models.owes import summary_scan

        # the scan (the definition, minutes at 1,000,000) once; the kept counts warm, median of 3
        kinds = [("summary_ms", summary, 3)] + ([("summary_scan_ms", summary_scan, 1)] if scan else [])
        for name, fn, runs in kinds:
            if runs > 1:
                fn(s, today=TODAY)      # warm
            ms, cpu_ms = [], []
            for _ in range(runs):
                sv = server() if server else 0.0
                t, c = time.perf_counter(), time.process_time()
                rows = fn(s, today=TODAY)
                ms.append((time.perf_counter() - t) * 1000)
                cpu_ms.append((time.process_time() - c) * 1000)
                if fn is summary and server:
                    srv["summary"] += server() - sv
            res[name] = statistics.median(ms)
            res[name.replace("_ms", "_cpu_ms")] = statistics.median(cpu_ms)
            res.setdefault("summary_rows", []).append(rows)
        if server:   # means (the kernel counts a process's CPU in 10 ms ticks: a sum over many calls)
            res["search_server_cpu_mean"] = srv["search"] * 1000 / len(times)
            res["owes_page_server_cpu_mean"] = srv["page" if pages else "list"] * 1000 / len(page_ms)
            res["owes_list_server_cpu_mean"] = srv["list"] * 1000 / len(list_ms)
            res["summary_server_cpu_mean"] = srv["summary"] * 1000 / 3
        if scan:
            res["summary_same"] = res["summary_rows"][0] == res["summary_rows"][1]
        res["summary"] = [r.to_dict() for r in res.pop("summary_rows")[0]]
    return res


def side_by_side(args, url: str) -> tuple[dict, dict]:
    """This tree's code and the baseline's, each measured in a process of its own, alternately
    (this, baseline, this, baseline: --pairs times); the last pair is kept, both warm."""
    ours = str(Path(__file__).resolve().parent.parent)
    for k in range(args.pairs):
        now = baseline(ours, url, args.rounds, args.scan)
        then = baseline(args.baseline, url, args.rounds, args.scan)
        print(f"  pair {k + 1} of {args.pairs}: search p95 {now['search_p95']:.1f} / {then['search_p95']:.1f} ms",
              file=sys.stderr, flush=True)
    return now, then


def baseline(tree: str, url: str, rounds: int, scan: bool) -> dict:
    """measure() with TREE's register code, in a process of its own (its modules, not ours)."""
    import json
    import subprocess

    tree = str(Path(tree).resolve())
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure-json", url, "--rounds", str(rounds)]
    if not scan:
        cmd.append("--no-scan")
    out = subprocess.run(cmd, env={**os.environ, "CHIDAO_BENCH_CODE": tree}, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cli_startup(url: str, runs: int) -> None:
    """Wall time of whole `chidao` processes (start, imports, query, table printed), median of
    `runs` after one warm-up, beside a bare `python -c pass` measured in the same loop."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    exe = root / ".venv" / "bin" / "chidao"
    py = root / ".venv" / "bin" / "python"
    cmds = {"python -c pass (floor)": [str(py), "-c", "pass"],
            "chidao search 'dinh danh dien tu'": [str(exe), "search", "dinh danh dien tu"],
            "chidao owes --unit 'Công an tỉnh'": [str(exe), "owes", "--unit", "Công an tỉnh"]}
    env = {**os.environ, "CHIDAO_DB": url, "COLUMNS": "120"}
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for i in range(runs + 1):
        for k, cmd in cmds.items():   # interleaved, so load changes hit every command alike
            t = time.perf_counter()
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            if i:
                times[k].append(time.perf_counter() - t)
    print(f"load average: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} CPUs")
    print(f"{'':44}{'median s':>10}{'min s':>10}{'max s':>10}  (target <= 0.5 s; {runs} runs)")
    for k, v in times.items():
        print(f"{k:44}{statistics.median(v):>10.3f}{min(v):>10.3f}{max(v):>10.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--per-doc", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--sqlite-path", help="reuse/keep this SQLite register (built when missing)")
    ap.add_argument("--pg-db", help="reuse/keep this PostgreSQL database (built when missing)")
    ap.add_argument("--bulk", action="store_true", help="build with bench_register's bulk fill instead of one "
                    "ingest per document")
    ap.add_argument("--replicate", type=int, default=1, help="then copy the register's rows this many times in SQL "
                    "(--docs 2500 --bulk --replicate 20: 1,000,000 obligations)")
    ap.add_argument("--cli", metavar="DB_URL", help="instead: time `chidao search` / `chidao owes --unit` start to "
                    "answer on this register (e.g. the five evaluation PDFs ingested), --runs each, median")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--no-scan", dest="scan", action="store_false", help="skip summary_scan (the count over the "
                    "whole register: minutes at 1,000,000; the tests compare it with the summary)")
    ap.add_argument("--baseline", metavar="TREE", help="also measure TREE's register code (e.g. ../main) on the "
                    "same registers, in a process of its own, and print it beside")
    ap.add_argument("--pairs", type=int, default=2, help="with --baseline: measure both this many times, "
                    "alternately, and keep the last (the first warms the caches)")
    ap.add_argument("--measure-json", metavar="DB_URL", help=argparse.SUPPRESS)   # the baseline's process
    args = ap.parse_args()
    if args.cli:
        cli_startup(args.cli, args.runs)
        return
    if args.measure_json:
        import json

        print(json.dumps(measure(args.measure_json, args.rounds, args.scan, migrate=False), default=str))
        return
    from models.db import dispose_engine

    results = {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            path = Path(args.sqlite_path) if args.sqlite_path else Path(tempfile.mkdtemp()) / "bench.db"
            url = f"sqlite:///{path}"
            fresh = not path.exists()
            n, secs = build(url, args.docs, args.per_doc, args.bulk) if fresh else (None, 0.0)
            if fresh and args.replicate > 1:
                t = time.perf_counter()
                n = replicate(url, args.replicate)
                secs += time.perf_counter() - t
            if args.baseline:
                results[backend], results[f"{backend} before"] = side_by_side(args, url)
            else:
                results[backend] = {"obligations": n, "build_s": secs, **measure(url, args.rounds, args.scan)}
            dispose_engine(url)
        else:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            admin = os.environ.get("CHIDAO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:54330/postgres")
            name = args.pg_db or f"chidao_bench_search_{uuid.uuid4().hex[:8]}"
            eng = create_engine(admin, isolation_level="AUTOCOMMIT")
            with eng.connect() as c:
                fresh = not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
                if fresh:
                    c.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(admin).set(database=name).render_as_string(hide_password=False)
            try:
                n, secs = build(url, args.docs, args.per_doc, args.bulk) if fresh else (None, 0.0)
                if fresh and args.replicate > 1:
                    t = time.perf_counter()
                    n = replicate(url, args.replicate)
                    secs += time.perf_counter() - t
                if fresh:
                    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as c:
                        c.execute(text("VACUUM ANALYZE"))
                if args.baseline:
                    results[backend], results[f"{backend} before"] = side_by_side(args, url)
                else:
                    results[backend] = {"obligations": n, "build_s": secs, **measure(url, args.rounds, args.scan)}
            finally:
                dispose_engine(url)
                if not args.pg_db:
                    with eng.connect() as c:
                        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    report(results, args)


def report(results: dict, args) -> None:
    """The measures side by side, one column per backend (and its baseline), then per query kind."""
    names = list(results)
    print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} CPUs "
          "(wall times on a shared machine include waiting for a CPU)")
    rows = [("obligations", "obligations", "{}"), ("build (ingest) s", "build_s", "{:.0f}"),
            ("search p50 ms", "search_p50", "{:.1f}"), ("search p95 ms (<= 20)", "search_p95", "{:.1f}"),
            ("search max ms", "search_max", "{:.1f}"), ("search p95 CPU ms (this process)", "search_cpu_p95", "{:.1f}"),
            ("search mean CPU ms, PostgreSQL backend", "search_server_cpu_mean", "{:.1f}"),
            ("slowest query median ms", "slowest_ms", "{:.1f}"),
            (f"owes one unit, page of {OWES_PAGE} ms median (<= 500)", "owes_page_ms_median", "{:.0f}"),
            ("owes one unit, page ms max", "owes_page_ms_max", "{:.0f}"),
            ("owes one unit, page CPU ms median", "owes_page_cpu_median", "{:.0f}"),
            ("owes one unit, page mean CPU ms, PG backend", "owes_page_server_cpu_mean", "{:.0f}"),
            ("owes one unit, whole list ms median", "owes_list_ms_median", "{:.0f}"),
            ("owes one unit, whole list ms max", "owes_list_ms_max", "{:.0f}"),
            ("owes one unit, whole list CPU ms median", "owes_list_cpu_median", "{:.0f}"),
            ("owes one unit, whole list mean CPU ms, PG backend", "owes_list_server_cpu_mean", "{:.0f}"),
            ("owes whole list + XLSX ms median (once)", "owes_ms_median", "{:.0f}"),
            ("owes whole list + XLSX ms max", "owes_ms_max", "{:.0f}"),
            ("owes whole list + XLSX CPU ms median", "owes_cpu_median", "{:.0f}"),
            ("summary (all units) ms, median of 3 (<= 300)", "summary_ms", "{:.0f}"),
            ("summary CPU ms (this process)", "summary_cpu_ms", "{:.0f}"),
            ("summary mean CPU ms, PG backend", "summary_server_cpu_mean", "{:.0f}"),
            ("summary by scanning the register ms (once)", "summary_scan_ms", "{:.0f}"),
            ("summary from counts == scan", "summary_same", "{}")]
    print(f"{'':44}" + "".join(f"{n:>14}" for n in names))
    for label, key, fmt in rows:
        print(f"{label:44}" + "".join(f"{fmt.format(results[n].get(key)) if results[n].get(key) is not None else '-':>14}" for n in names))
    if len(names) == 2 and not args.baseline:
        a, b = (results[n]["search_p95"] for n in names)
        print(f"{'search p95 ratio ' + names[1] + '/' + names[0]:44}{b / a:>14.2f}")
    for n in names:
        if n.endswith(" before"):
            now, then = results[n[:-len(" before")]], results[n]
            same = {"search totals": now["hits"] == then["hits"],
                    "owes lists (tasks, counts)": (now["owes_ids"], now["owes_label"]) == (then["owes_ids"], then["owes_label"]),
                    "summary": now["summary"] == then["summary"]}
            print(f"{n[:-len(' before')]}: the same answers as before: {same}")
    print(f"\n{'p95 ms per query kind':44}" + "".join(f"{n:>14}" for n in names))
    for k in results[names[0]]["per_query_p95"]:
        print(f"{k[:44]:44}" + "".join(f"{results[n]['per_query_p95'].get(k, float('nan')):>14.1f}" for n in names))
    for n in names:
        print(f"{n}: code {results[n].get('code')}")
        print(f"{n}: slowest query {results[n]['slowest']!r}; owes items {results[n]['owes_items']}")
        print(f"{n}: hits {results[n]['hits']}")


if __name__ == "__main__":
    main()
