"""What the copy check (models/copies.py) adds to storing one document in a register of
--docs documents (default 1,000), on SQLite and PostgreSQL, side by side with the same store
without the check, interleaved in one run.

The register is filled through the real ingest API with synthetic directives whose texts share
the province's boilerplate and phrases (lines drawn from the project's sample directives, words
changed), 70 % numbered, 30 % drafts without number or date, from five issuers.  Then, timed:
- a new numbered directive of 10 pages, and a new draft of 10 pages (its number blank: the text
  decides), each stored with the check and without it (the check's sketch, lock, look-up and
  bands replaced by nothing: the store as it was before copies were told apart);
- a scan of a stored directive (found, stored as a copy) and its born-digital copy (found,
  becomes the source: the obligations are matched and moved);
- the project's five sample directives through the whole ingest (read, structure, obligations
  once; then the store with and without the check): the share of a real ingest the check costs;
- the sketch of a 100-page text alone, and how many stored rows one look-up reads.

    .venv/bin/python bench/bench_copies.py                    # 1,000 documents, both backends
    .venv/bin/python bench/bench_copies.py --docs 200 --backends sqlite
PostgreSQL: $CHIDAO_BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:54330/postgres);
a database of its own is created and dropped.  Not a test: prints figures.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractors.pipeline import Processed  # noqa: E402
from extractors.types import Block, Directive, Document, Extraction, Header, Obligation, Page  # noqa: E402

SRC = Path(__file__).resolve().parent.parent / "corpora" / "samples" / "src"
ISSUERS = ["Ủy ban nhân dân tỉnh Lâm Đồng", "Tỉnh ủy Lâm Đồng", "Công an tỉnh Lâm Đồng", "Sở Nội vụ tỉnh Lâm Đồng",
           "Ban Chỉ đạo Đề án 06 tỉnh Lâm Đồng"]
TYPES = [("Kế hoạch", "KH-UBND"), ("Công văn", "UBND-NC"), ("Chỉ thị", "CT/TU"), ("Thông báo", "TB-UBND"),
         ("Báo cáo", "BC-BCĐ")]
LINES_PER_PAGE = 14     # ~30 syllables a line: ~420 syllables a page


def _pool() -> list[str]:
    from scripts.render_samples import plain_text

    lines = []
    for f in sorted(SRC.glob("*.md")):
        lines += [ln for ln in plain_text(f).splitlines() if len(ln.split()) >= 6]
    return lines


def make_text(rnd: random.Random, pool: list[str], pages: int) -> str:
    """Lines of the samples, a few words of each changed: the register's documents look alike
    the way one province's directives do, and no two are the same."""
    out = []
    for _ in range(pages * LINES_PER_PAGE):
        words = rnd.choice(pool).split()
        for _ in range(max(1, len(words) // 6)):
            words[rnd.randrange(len(words))] = rnd.choice(["huyện", "xã", "năm", "quý", str(rnd.randrange(1, 999)),
                                                            rnd.choice(pool).split()[0]])
        out.append(" ".join(words))
    return "\n".join(out)


def processed(name: str, text: str, *, number: str | None, issuer: str, type_: str, issued_on: dt.date | None,
              source: str = "text", per_doc: int = 12) -> Processed:
    raw = (name + text).encode()
    pages = [Page(number=1, source=source, blocks=[Block(text=text, page=1, source=source)])]
    doc = Document(path=f"/bench/{name}", source_file=name, sha256=hashlib.sha256(raw).hexdigest(), size=len(raw),
                   kind="pdf", pages=pages)
    header = Header(number=number, issuer=issuer, type=type_, issued_on=issued_on, title=text.splitlines()[0][:120])
    lines = text.splitlines()
    obls = [Obligation(ref=str(i + 1), page=1, text=lines[i * 3 % len(lines)], lead_units=["Sở Nội vụ"])
            for i in range(per_doc)]
    return Processed(doc, Directive(document=doc, header=header), Extraction(obligations=obls))


def corpus(n: int, pool: list[str], seed: int = 12):
    rnd = random.Random(seed)
    for i in range(n):
        type_, code = TYPES[i % len(TYPES)]
        numbered = rnd.random() < 0.7
        yield processed(f"doc-{i}.pdf", make_text(rnd, pool, rnd.choice([2, 3, 5, 8, 12])),
                        number=f"{i + 1}/{code}" if numbered else None, issuer=ISSUERS[i % len(ISSUERS)], type_=type_,
                        issued_on=dt.date(2025, 1, 1) + dt.timedelta(days=i % 365) if numbered else None)


@contextlib.contextmanager
def without_check():
    """The store as before copies were told apart: no sketch, no lock, no look-up, no bands."""
    import models.register as R
    from models.copies import Sketch

    saved = (R.text_sketch, R.lock_copies, R.find_copy, R.write_bands)
    R.text_sketch = lambda text: Sketch((), 0)
    R.lock_copies = lambda session: None
    R.find_copy = lambda session, **kw: None
    R.write_bands = lambda session, document_id, sketch, fresh=False: None
    try:
        yield
    finally:
        R.text_sketch, R.lock_copies, R.find_copy, R.write_bands = saved


class Reads:
    """Counts the rows a copy look-up reads (documents it compares against)."""

    def __init__(self):
        import models.copies as C

        self.C, self.calls, self.rows = C, 0, 0
        self._orig = C.same_directive

    def __enter__(self):
        def counting(*a, **kw):
            self.rows += 1
            return self._orig(*a, **kw)

        self.C.same_directive = counting
        return self

    def __exit__(self, *exc):
        self.C.same_directive = self._orig


def samples() -> list[tuple[str, Processed, float]]:
    """(name, processed, seconds of read + structure + obligations) of each sample directive."""
    from extractors.pipeline import PIPELINE

    out = []
    files = sorted((SRC.parent / "pdf").iterdir())
    PIPELINE.run(files[0])   # load spaCy and underthesea first: a warm process, as with `chidao warm`
    for f in files:
        t = time.perf_counter()
        p = PIPELINE.run(f)
        out.append((f.name, p, time.perf_counter() - t))
    return out


def _variant(p: Processed, tag: str) -> Processed:
    """The same extraction as another file of another directive (its own bytes and number)."""
    doc = p.document.model_copy(update={"sha256": hashlib.sha256((p.document.sha256 + tag).encode()).hexdigest(),
                                        "source_file": f"{tag}-{p.document.source_file}"})
    header = p.directive.header.model_copy(update={"number": f"{tag}/{p.directive.header.number or 'KH'}"})
    return Processed(doc, p.directive.model_copy(update={"document": doc, "header": header}), p.extraction)


def run(url: str, n_docs: int, rounds: int, real: list) -> dict:
    from models.db import dispose_engine
    from models.register import ingest_processed, open_session

    pool = _pool()
    rnd = random.Random(99)
    res: dict = {}
    with open_session(url) as s:
        t = time.perf_counter()
        for p in corpus(n_docs, pool):
            ingest_processed(s, p)
        res["fill_s"] = time.perf_counter() - t

        def timed(p, check: bool) -> float:
            ctx = contextlib.nullcontext() if check else without_check()
            with ctx:
                t0 = time.perf_counter()
                out = ingest_processed(s, p)
                ms = (time.perf_counter() - t0) * 1000
            assert out.status in ("new", "version"), out.message
            return ms

        for case, numbered in (("numbered", True), ("draft", False)):
            with_ms, without_ms, reads = [], [], []
            for r in range(rounds):
                for check in ((True, False) if r % 2 == 0 else (False, True)):   # interleaved: same load for both
                    name = f"{case}-{r}-{int(check)}.pdf"
                    p = processed(name, make_text(rnd, pool, 10), number=f"9{r}{int(check)}/KH-UBND" if numbered else None,
                                  issuer=ISSUERS[0], type_="Kế hoạch", issued_on=dt.date(2026, 1, 2) if numbered else None)
                    if check:
                        with Reads() as rd:
                            with_ms.append(timed(p, True))
                        reads.append(rd.rows)
                    else:
                        without_ms.append(timed(p, False))
            res[f"{case}_with"] = statistics.median(with_ms)
            res[f"{case}_without"] = statistics.median(without_ms)
            res[f"{case}_reads"] = max(reads)

        # A scan of a stored 10-page directive (a copy, found by its text), then its born-digital
        # copy (found, becomes the source).
        scan_ms, promote_ms = [], []
        for r in range(rounds):
            text = make_text(rnd, pool, 10)
            base = dict(number=None, issuer=ISSUERS[1], type_="Chỉ thị", issued_on=None)
            timed(processed(f"docx-{r}.pdf", text, **base), True)   # the stored copy (not timed)
            noisy = "\n".join(ln.replace("ệ", "e", 1) if i % 7 == 0 else ln for i, ln in enumerate(text.splitlines()))
            scan_ms.append(timed(processed(f"scan-{r}.pdf", noisy, source="ocr", **base), True))
            promote_ms.append(timed(processed(f"digital-{r}.pdf", text + "\n", **{**base, "number": f"{r + 1}-CT/TU"}), True))
        res["copy_ms"] = statistics.median(scan_ms)
        res["promote_ms"] = statistics.median(promote_ms)

        # Real directives: the whole ingest is the pipeline (timed once) plus the store.
        res["real"] = {}
        for name, p, pipeline_s in real:
            w, wo = [], []
            for r in range(rounds):
                for check in ((True, False) if r % 2 == 0 else (False, True)):
                    (w if check else wo).append(timed(_variant(p, f"{r}{int(check)}"), check))
            res["real"][name] = (pipeline_s, statistics.median(w), statistics.median(wo))
    dispose_engine(url)

    from models.copies import text_sketch

    big = make_text(rnd, pool, 100)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        text_sketch(big)
        times.append((time.perf_counter() - t) * 1000)
    res["sketch100_ms"] = statistics.median(times)
    res["documents"] = n_docs
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    results = {}
    real = samples()
    tmp = Path(tempfile.mkdtemp(prefix="chidao-bench-copies-"))
    try:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                results["SQLite"] = run(f"sqlite:///{tmp / 'register.db'}", args.docs, args.rounds, real)
            elif backend == "postgresql":
                results["PostgreSQL"] = _on_postgres(lambda url: run(url, args.docs, args.rounds, real))
    finally:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    _print(args, results)


def _on_postgres(fn):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = os.environ.get("CHIDAO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:54330/postgres")
    name = f"chidao_bench_{uuid.uuid4().hex[:8]}"
    eng = create_engine(admin, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return fn(make_url(admin).set(database=name).render_as_string(hide_password=False))
    finally:
        with eng.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        eng.dispose()


def _print(args, results: dict) -> None:
    names = list(results)
    print(f"\ncopy check, register of {args.docs:,} documents, median of {args.rounds} (load average at the end: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores)")
    print(f"{'':58}" + "".join(f"{n:>12}" for n in names))

    def row(label, vals, fmt="{:.1f}"):
        print(f"{label:58}" + "".join(f"{fmt.format(v):>12}" for v in vals))

    row("fill through ingest_processed (s)", [results[n]["fill_s"] for n in names], "{:.0f}")
    for case, what in (("numbered", "new numbered directive, 10 pages"), ("draft", "new draft (no number), 10 pages")):
        row(f"{what}: store with the check (ms)", [results[n][f"{case}_with"] for n in names])
        row(f"{what}: store without the check (ms)", [results[n][f"{case}_without"] for n in names])
        row(f"{what}: ratio with / without", [results[n][f"{case}_with"] / results[n][f"{case}_without"] for n in names],
            "{:.2f}x")
        row(f"{what}: stored rows compared (max)", [results[n][f"{case}_reads"] for n in names], "{:.0f}")
    row("scan of a stored directive: stored as a copy (ms)", [results[n]["copy_ms"] for n in names])
    row("its born-digital copy: becomes the source (ms)", [results[n]["promote_ms"] for n in names])
    row("sketch of a 100-page text alone (ms)", [results[n]["sketch100_ms"] for n in names])
    print("\nthe whole ingest of the sample directives (read + structure + obligations, then the store):")
    print(f"{'':34}{'pipeline s':>11}" + "".join(f"{n + ' store with / without ms':>36}{'ingest ratio':>13}" for n in names))
    for name in results[names[0]]["real"]:
        line = f"{name:34}{results[names[0]]['real'][name][0]:>11.2f}"
        for n in names:
            pipe, w, wo = results[n]["real"][name]
            line += f"{f'{w:.0f} / {wo:.0f}':>36}{(pipe + w / 1000) / (pipe + wo / 1000):>12.3f}x"
        print(line)


if __name__ == "__main__":
    main()
