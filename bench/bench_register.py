"""Load test of the register: N synthetic documents (default 5,000 x 20 = 100,000 obligations)
ingested through the real ingest API, on SQLite and on PostgreSQL, side by side.

Measures: ingest-to-register throughput (documents/s, obligations/s, one commit per document as
in production), the graph query from the root (all obligations carrying out 06/QĐ-TTg, through
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


def run(url: str, n_docs: int, per_doc: int) -> dict:
    from models import graph as G
    from models.db import dispose_engine, init_db
    from models.queries import counts
    from models.register import ingest_processed, open_session

    init_db(url)
    ingest_s = 0.0
    n_obl = 0
    t_all = time.perf_counter()
    with open_session(url) as s:
        for i, p in enumerate(synthetic_documents(n_docs, per_doc)):
            t = time.perf_counter()
            out = ingest_processed(s, p)
            ingest_s += time.perf_counter() - t
            n_obl += out.obligations
            if (i + 1) % 1000 == 0:
                print(f"  {url.split(':')[0]}: {i + 1} documents, {ingest_s:.0f} s in ingest", file=sys.stderr)
    wall = time.perf_counter() - t_all
    res = {"documents": n_docs, "obligations": n_obl, "ingest_s": ingest_s, "wall_s": wall,
           "docs_per_s": n_docs / ingest_s, "obl_per_s": n_obl / ingest_s}
    with open_session(url) as s:
        c = counts(s)
        assert c["obligations"] == n_obl, c
        reached = G.descendants(s, root=ROOT)
        res["root_reached"] = len(reached.obligations)
        res["root_ms"] = median_ms(lambda: G.descendants(s, root=ROOT), 3)
        res["root_alias_ms"] = median_ms(lambda: G.descendants(s, root="06/QD-TTG"), 3)
        from sqlalchemy import select

        from models.tables import Obligation
        deep = s.execute(select(Obligation.id).order_by(Obligation.document_id.desc()).limit(1)).scalar_one()
        res["chain_ms"] = median_ms(lambda: G.chain(s, obligation_id=deep), 3)
        t = time.perf_counter()
        g = G.build_graph(s)
        res["full_graph_s"] = time.perf_counter() - t
        res["graph_nodes"], res["graph_edges"] = g.number_of_nodes(), g.number_of_edges()
        del g
        # re-ingesting the first 200 documents: all duplicates
        t = time.perf_counter()
        dup = sum(ingest_processed(s, p).status == "duplicate" for p in synthetic_documents(min(200, n_docs), per_doc))
        res["dup_per_s"] = min(200, n_docs) / (time.perf_counter() - t)
        assert dup == min(200, n_docs)
        # export of the whole register
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
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    results = {}
    tmp = Path(tempfile.mkdtemp(prefix="chidao-bench-"))
    for backend in args.backends.split(","):
        if backend == "sqlite":
            results["SQLite"] = run(f"sqlite:///{tmp / 'register.db'}", args.docs, args.per_doc)
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
                results["PostgreSQL"] = run(url, args.docs, args.per_doc)
            finally:
                with eng.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                eng.dispose()
    rows = [
        ("documents", "documents", "{:,.0f}"), ("obligations", "obligations", "{:,.0f}"),
        ("ingest time (s)", "ingest_s", "{:.1f}"), ("documents / s", "docs_per_s", "{:.1f}"),
        ("obligations / s", "obl_per_s", "{:,.0f}"), ("duplicates / s (re-ingest)", "dup_per_s", "{:.0f}"),
        ("root query: obligations reached", "root_reached", "{:,.0f}"), ("root query (ms)", "root_ms", "{:.0f}"),
        ("root query, folded symbol (ms)", "root_alias_ms", "{:.0f}"), ("chain of one obligation (ms)", "chain_ms", "{:.0f}"),
        ("full graph build (s)", "full_graph_s", "{:.1f}"), ("graph nodes", "graph_nodes", "{:,.0f}"),
        ("graph edges", "graph_edges", "{:,.0f}"), ("export JSON, whole register (s)", "export_s", "{:.1f}"),
        ("size on disk (MB)", "size_mb", "{:.1f}"),
    ]
    names = list(results)
    print(f"\nregister load test: {args.docs:,} documents x {args.per_doc} obligations")
    print(f"{'':36}" + "".join(f"{n:>14}" for n in names) + ("   PG/SQLite" if len(names) == 2 else ""))
    for label, key, fmt in rows:
        vals = [results[n][key] for n in names]
        line = f"{label:36}" + "".join(f"{fmt.format(v):>14}" for v in vals)
        if len(names) == 2 and key not in ("documents", "obligations", "root_reached", "graph_nodes", "graph_edges") and vals[0]:
            line += f"   {vals[1] / vals[0]:>8.2f}x"
        print(line)


if __name__ == "__main__":
    main()
