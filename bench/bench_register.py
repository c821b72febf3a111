"""Load test of the register: N synthetic documents (default 5,000 x 20 = 100,000 obligations)
ingested through the real ingest API, on SQLite and on PostgreSQL, side by side.

Measures: ingest-to-register throughput through the real API (documents/s, obligations/s, one
commit per document as in production) on the first --api-docs documents and again on the full
register; the rest is bulk-filled with the register's own row builders so the run stays in
minutes on a shared 2-core machine; the graph query from the root (all obligations carrying out 06/QĐ-TTg, through
four levels), an obligation's chain, the full graph build, and the register's size on disk.

    .venv/bin/python bench/bench_register.py                       # 5,000 documents, both backends
    .venv/bin/python bench/bench_register.py --docs 500 --backends sqlite
PostgreSQL: $CHIDAO_BENCH_PG_URL (default: the dev server postgresql+psycopg://postgres@127.0.0.1:54330/postgres);
a database of its own is created and dropped.  Not a test: prints figures.
"""
from __future__ import annotations

import argparse
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
from extractors.types import (  # noqa: E402
    Citation, Deadline, Directive, Document, Extraction, Header, Obligation, Page, Target,
)

ROOT = "06/QĐ-TTg"
UNITS = ([f"Sở {n}" for n in ("Tư pháp", "Y tế", "Tài chính", "Nội vụ", "Xây dựng", "Công Thương", "Giáo dục và Đào tạo",
                              "Thông tin và Truyền thông", "Lao động - Thương binh và Xã hội", "Kế hoạch và Đầu tư",
                              "Tài nguyên và Môi trường", "Giao thông vận tải", "Nông nghiệp và Phát triển nông thôn")]
         + ["Công an tỉnh", "Văn phòng Ủy ban nhân dân tỉnh", "Bảo hiểm xã hội tỉnh", "Ngân hàng Nhà nước chi nhánh tỉnh",
            "Ủy ban nhân dân các huyện, thị xã, thành phố"]
         + [f"Ủy ban nhân dân huyện {i}" for i in range(1, 200)] + [f"Phòng {i}" for i in range(1, 100)])
VERBS = ["Triển khai", "Tổ chức", "Đẩy mạnh", "Hoàn thành", "Rà soát", "Tuyên truyền", "Báo cáo", "Cập nhật", "Kiểm tra",
         "Hướng dẫn", "Số hóa", "Kết nối"]
OBJECTS = ["cấp tài khoản định danh điện tử", "dịch vụ công trực tuyến toàn trình", "cơ sở dữ liệu quốc gia về dân cư",
           "thanh toán không dùng tiền mặt", "hồ sơ, kết quả giải quyết thủ tục hành chính", "thẻ căn cước công dân",
           "dữ liệu hộ tịch", "kết nối, chia sẻ dữ liệu", "bảo đảm an toàn, an ninh mạng"]


def synthetic_documents(n_docs: int, per_doc: int, seed: int = 6):
    """A four-level tree under Đề án 06: provincial plans implement it, district plans are based
    on them, commune documents implement those; ~5 % of documents only cite (not carry out)."""
    rnd = random.Random(seed)
    n_prov = max(1, n_docs // 100)
    n_dist = max(1, n_docs // 10)
    numbers: list[str] = []
    for i in range(n_docs):
        if i < n_prov:
            number, parent, rel = f"{i + 1}/KH-UBND", ROOT, "implements"
        elif i < n_prov + n_dist:
            number, parent, rel = f"{i + 1}/KH-UBND-H", numbers[rnd.randrange(n_prov)], "basis"
        else:
            number, parent, rel = f"{i + 1}/CV-UBND-X", numbers[rnd.randrange(n_prov, n_prov + n_dist)], "implements"
            if rnd.random() < 0.05:
                rel = "cites"
        numbers.append(number)
        issued = dt.date(2023, 1, 1) + dt.timedelta(days=rnd.randrange(700))
        cites = [Citation(number=parent, relation=rel, type="Kế hoạch"),
                 Citation(number=f"{rnd.randrange(1, 300)}/2022/NĐ-CP", relation="cites", type="Nghị định")]
        obls = []
        for k in range(per_doc):
            lead = [rnd.choice(UNITS)]
            support = rnd.sample(UNITS, rnd.randrange(0, 3))
            r = rnd.random()
            if r < 0.5:
                due = issued + dt.timedelta(days=rnd.randrange(30, 400))
                deadline = Deadline(raw=f"Trước ngày {due:%d/%m/%Y}", due=due)
            elif r < 0.65:
                deadline = Deadline(raw="Ngày 22 hàng tháng", recurrence="monthly", day=22)
            elif r < 0.8:
                deadline = Deadline(raw="Thường xuyên", recurrence="ongoing")
            else:
                deadline = None
            targets = [Target(raw=f"{v}% ...", value=v, unit="%")] if (v := rnd.choice([0, 0, 0, 80, 100])) else []
            text = f"{rnd.choice(VERBS)} {rnd.choice(OBJECTS)} tại văn bản {number}, mục {k + 1}"
            obls.append(Obligation(ref=f"{k // 5 + 1}.{k % 5 + 1}", page=1 + k // 8, text=text, lead_units=lead,
                                   support_units=support, deadline=deadline, targets=targets))
        sha = hashlib.sha256(f"synthetic {seed} {i}".encode()).hexdigest()
        doc = Document(path=f"/synthetic/{i:05d}.pdf", source_file=f"{i:05d}.pdf", sha256=sha, size=100_000, kind="pdf",
                       pages=[Page(number=p) for p in range(1, 4)])
        header = Header(number=number, issuer=f"Ủy ban nhân dân {i}", issued_on=issued, type="Kế hoạch",
                        title=f"Kế hoạch thực hiện Đề án 06 số {number}", signer="Nguyễn Văn A")
        yield Processed(doc, Directive(document=doc, header=header, citations=cites,
                                       programme=ROOT if rel == "implements" and i < n_prov else None),
                        Extraction(obligations=obls))


def median_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bulk_fill(session, processed_iter, batch: int = 250) -> int:
    """Bench-only fast fill: the same rows ingest_processed writes (the register's own row
    builders), executemany'd in batches, citations resolved by one UPDATE at the end.  Used to
    grow the register to full size in minutes; throughput is measured through the real API."""
    from sqlalchemy import text

    from models.register import (
        header_fields, insert_rows, obligation_row, obligations_with_ids, set_unit_links,
    )
    from extractors.keys import symbol_key
    from models.keys import document_id
    from models.tables import Citation, Document, Obligation, utcnow

    n = 0
    docs, cites, obls, links = [], [], [], []

    def flush():
        insert_rows(session, Document, docs)
        insert_rows(session, Citation, cites)
        insert_rows(session, Obligation, obls)
        set_unit_links(session, links, fresh=True)
        session.commit()
        docs.clear(); cites.clear(); obls.clear(); links.clear()

    for p in processed_iter:
        now = utcnow()
        did = document_id(p.document.sha256)
        docs.append({"id": did, "source_file": p.document.source_file, "source_path": p.document.path,
                     "sha256": p.document.sha256, "size": p.document.size, "pages": p.document.page_count,
                     "kind": p.document.kind, "status": "ok", "errors": [], "ingested_at": now, "extracted_at": now,
                     "version_of": None, **header_fields(p)})
        for k, c in enumerate(p.directive.citations):
            cites.append({"from_document": did, "ordinal": k, "number": c.number, "number_key": symbol_key(c.number),
                          "type": c.type, "issued_on": c.issued_on, "issuer": c.issuer, "relation": c.relation,
                          "title": c.title, "alias": c.alias, "raw": None, "page": None, "printed": True,
                          "to_document": None})
        items = obligations_with_ids(did, p.extraction.obligations)
        obls.extend(obligation_row(oid, did, i, f, now) for i, (oid, f) in enumerate(items))
        links.extend((oid, f["lead_units"], f["support_units"]) for oid, f in items)
        n += len(items)
        if len(docs) >= batch:
            flush()
    if docs:
        flush()
    session.execute(text(
        "UPDATE citations SET to_document = (SELECT d.id FROM documents d WHERE d.number_key = citations.number_key "
        "AND d.version_of IS NULL AND d.id <> citations.from_document ORDER BY d.ingested_at LIMIT 1) "
        "WHERE to_document IS NULL"))
    session.commit()
    return n


def _api_ingest(s, processed_iter):
    from models.register import ingest_processed

    secs, cpu, docs, obls = 0.0, 0.0, 0, 0
    for p in processed_iter:
        t, c = time.perf_counter(), time.process_time()
        out = ingest_processed(s, p)
        secs += time.perf_counter() - t
        cpu += time.process_time() - c
        docs += 1
        obls += out.obligations
    return secs, cpu, docs, obls


def run(url: str, n_docs: int, per_doc: int, api_docs: int) -> dict:
    import itertools

    from models import graph as G
    from models.db import dispose_engine, init_db
    from models.queries import counts
    from models.register import ingest_processed, open_session

    init_db(url)
    label = url.split(":")[0]
    res: dict = {}
    api_docs = min(api_docs, n_docs)
    gen = synthetic_documents(n_docs + 100, per_doc)
    with open_session(url) as s:
        print(f"  {label}: {api_docs} documents through ingest_processed ...", file=sys.stderr)
        secs, cpu, d, o = _api_ingest(s, itertools.islice(gen, api_docs))
        res.update(api_docs=d, api_obl=o, ingest_s=secs, docs_per_s=d / secs, obl_per_s=o / secs,
                   cpu_ms_per_doc=cpu / d * 1000)
        rest = n_docs - api_docs
        print(f"  {label}: {rest} more documents by bulk fill ...", file=sys.stderr)
        t = time.perf_counter()
        filled = bulk_fill(s, itertools.islice(gen, rest)) if rest else 0
        res["fill_s"] = time.perf_counter() - t
        # throughput again at full size: 100 more documents through the API
        secs2, _, d2, o2 = _api_ingest(s, itertools.islice(gen, 100))
        res["docs_per_s_full"] = d2 / secs2
        n_obl = o + filled + o2
        res["documents"], res["obligations"] = api_docs + rest + d2, n_obl
    with open_session(url) as s:
        c = counts(s)
        assert c["obligations"] == n_obl, (c, n_obl)
        reached = G.descendants(s, root=ROOT)
        res["root_reached"] = len(reached.obligations)
        res["root_ms"] = median_ms(lambda: G.descendants(s, root=ROOT), 3)
        res["root_alias_ms"] = median_ms(lambda: G.descendants(s, root="06/QD-TTG"), 3)
        from sqlalchemy import select

        from models.tables import Obligation
        deep = s.execute(select(Obligation.id).order_by(Obligation.document_id.desc()).limit(1)).scalar_one()
        res["chain_ms"] = median_ms(lambda: G.chain(s, obligation_id=deep), 3)
        res["missing_ms"] = median_ms(lambda: G.missing_documents(s), 3)
        t = time.perf_counter()
        g = G.build_graph(s)
        res["full_graph_s"] = time.perf_counter() - t
        res["graph_nodes"], res["graph_edges"] = g.number_of_nodes(), g.number_of_edges()
        del g
        # re-ingesting 200 known documents: all duplicates, nothing written
        n_dup = min(200, n_docs)
        t = time.perf_counter()
        dup = sum(ingest_processed(s, p).status == "duplicate" for p in itertools.islice(synthetic_documents(n_docs, per_doc), n_dup))
        res["dup_per_s"] = n_dup / (time.perf_counter() - t)
        assert dup == n_dup
        from models.export import export_register
        t = time.perf_counter()
        data = export_register(s)
        res["export_s"] = time.perf_counter() - t
        assert sum(len(d["obligations"]) for d in data["documents"]) == n_obl
        del data
    res["size_mb"] = size_on_disk(url) / 1e6
    dispose_engine(url)
    return res


def size_on_disk(url: str) -> int:
    from sqlalchemy import text

    from models.db import get_engine

    eng = get_engine(url)
    if eng.dialect.name == "sqlite":
        with eng.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(eng.url.database)
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    with eng.connect() as conn:
        return conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--per-doc", type=int, default=20)
    ap.add_argument("--api-docs", type=int, default=1000,
                    help="documents ingested one by one through ingest_processed (throughput); the rest are bulk-filled")
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    results = {}
    tmp = Path(tempfile.mkdtemp(prefix="chidao-bench-"))
    try:
        _run_backends(args, results, tmp)
    finally:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    _print(args, results)


def _run_backends(args, results: dict, tmp: Path) -> None:
    for backend in args.backends.split(","):
        if backend == "sqlite":
            results["SQLite"] = run(f"sqlite:///{tmp / 'register.db'}", args.docs, args.per_doc, args.api_docs)
        elif backend == "postgresql":
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            admin = os.environ.get("CHIDAO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:54330/postgres")
            name = f"chidao_bench_{uuid.uuid4().hex[:8]}"
            eng = create_engine(admin, isolation_level="AUTOCOMMIT")
            with eng.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = make_url(admin).set(database=name).render_as_string(hide_password=False)
                results["PostgreSQL"] = run(url, args.docs, args.per_doc, args.api_docs)
            finally:
                with eng.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                eng.dispose()


def _print(args, results: dict) -> None:
    rows = [
        ("documents in the register", "documents", "{:,.0f}"), ("obligations in the register", "obligations", "{:,.0f}"),
        ("ingest API: documents timed", "api_docs", "{:,.0f}"), ("ingest API: time (s)", "ingest_s", "{:.1f}"),
        ("ingest API: documents / s", "docs_per_s", "{:.1f}"), ("ingest API: obligations / s", "obl_per_s", "{:,.0f}"),
        ("ingest API: CPU ms / document", "cpu_ms_per_doc", "{:.0f}"),
        ("ingest API at full size: documents / s", "docs_per_s_full", "{:.1f}"),
        ("bulk fill of the rest (s, bench only)", "fill_s", "{:.0f}"),
        ("duplicates / s (re-ingest)", "dup_per_s", "{:.0f}"),
        ("root query: obligations reached", "root_reached", "{:,.0f}"), ("root query (ms)", "root_ms", "{:.0f}"),
        ("root query, folded symbol (ms)", "root_alias_ms", "{:.0f}"), ("chain of one obligation (ms)", "chain_ms", "{:.0f}"),
        ("missing documents (ms)", "missing_ms", "{:.0f}"),
        ("full graph build (s)", "full_graph_s", "{:.1f}"), ("graph nodes", "graph_nodes", "{:,.0f}"),
        ("graph edges", "graph_edges", "{:,.0f}"), ("export JSON, whole register (s)", "export_s", "{:.1f}"),
        ("size on disk (MB)", "size_mb", "{:.1f}"),
    ]
    names = list(results)
    import os as _os
    print(f"\nregister load test: {args.docs:,} documents x {args.per_doc} obligations "
          f"(load average at the end: {', '.join(f'{x:.1f}' for x in _os.getloadavg())} on {_os.cpu_count()} cores)")
    print(f"{'':36}" + "".join(f"{n:>14}" for n in names) + ("   PG/SQLite" if len(names) == 2 else ""))
    for label, key, fmt in rows:
        vals = [results[n][key] for n in names]
        line = f"{label:36}" + "".join(f"{fmt.format(v):>14}" for v in vals)
        if len(names) == 2 and key not in ("documents", "obligations", "api_docs", "root_reached", "graph_nodes", "graph_edges") and vals[0]:
            line += f"   {vals[1] / vals[0]:>8.2f}x"
        print(line)


if __name__ == "__main__":
    main()
