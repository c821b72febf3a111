"""The directive graph: descendants of a root at any depth, chains, missing documents, export."""
from __future__ import annotations

import datetime as dt
import json

import networkx as nx
import pytest
from typer.testing import CliRunner

from models import graph as G
from models.db import RegisterError
from models.queries import list_obligations
from models.register import ingest_processed, open_session

QD06 = ("06/QĐ-TTg", "implements", "Quyết định", dt.date(2022, 1, 6))


@pytest.fixture
def tree(db_url, make_processed):
    """Đề án 06 (cited, not ingested) <- KH tỉnh (implements) <- KH huyện (basis) <- CV xã (implements);
    a Chỉ thị naming it only as programme; an unrelated document that merely cites it."""
    with open_session(db_url) as s:
        def add(name, number, cites=(), programme=None, n=2):
            p = make_processed(name=name, content=name, number=number, citations=list(cites), programme=programme,
                               obligations=[{"text": f"Nhiệm vụ {i} của {name}", "lead_units": ["Công an tỉnh"]} for i in range(n)])
            return ingest_processed(s, p).document_id
        ids = {
            "tinh": add("kh-tinh.pdf", "10/KH-UBND", [QD06, ("1552/BTTTT-THH", "cites")]),
            "huyen": add("kh-huyen.pdf", "20/KH-UBND", [("10/KH-UBND", "basis")]),
            "xa": add("cv-xa.pdf", "30/CV-UBND", [("20/KH-UBND", "implements")], n=1),
            "ct": add("ct.pdf", "08-CT/TU", [], programme="06/QĐ-TTg", n=3),
            "other": add("other.pdf", "99/CV-STC", [("06/QD-TTg", "cites"), ("77/QĐ-UBND", "basis")], n=2),
        }
    return db_url, ids


def test_root_reaches_every_descendant(tree):
    url, ids = tree
    with open_session(url) as s:
        res = G.descendants(s, root="06/QD-TTG")   # Đ/D and case folded
        assert set(res.documents) == {ids["tinh"], ids["huyen"], ids["xa"], ids["ct"]}
        expected = {o.id for d in ("tinh", "huyen", "xa", "ct") for o in list_obligations(s, document_id=ids[d])}
        assert set(res.obligations) == expected and len(expected) == 8
        # a root in the middle of the tree
        mid = G.descendants(s, root="20/KH-UBND")
        assert set(mid.documents) == {ids["huyen"], ids["xa"]}
        with pytest.raises(RegisterError, match="neither in the register"):
            G.descendants(s, root="1/XX-YY")


def test_chain_up_to_the_top(tree):
    url, ids = tree
    with open_session(url) as s:
        oid = list_obligations(s, document_id=ids["xa"])[0].id
        [first, *_] = G.chain(s, obligation_id=oid)
    nodes = [n for n, _ in first]
    assert nodes == [f"obl:{oid}", f"doc:{ids['xa']}", f"doc:{ids['huyen']}", f"doc:{ids['tinh']}", "cite:06/qd-ttg"]
    assert [r for _, r in first] == ["source", "implements", "basis", "implements", None]


def test_missing_documents(tree):
    url, ids = tree
    with open_session(url) as s:
        missing = G.missing_documents(s)
    assert [m.symbol for m in missing][:1] == ["06/qd-ttg"]   # cited by two documents
    assert {m.symbol for m in missing} == {"06/qd-ttg", "1552/btttt-thh", "77/qd-ubnd"}


def test_placeholder_becomes_real_document(tree, make_processed):
    url, ids = tree
    with open_session(url) as s:
        qd = ingest_processed(s, make_processed(name="qd06.pdf", content="qd06", number="06/QĐ-TTg",
                                                issuer="Thủ tướng Chính phủ", issued_on=dt.date(2022, 1, 6),
                                                obligations=[{"text": "Bộ Công an chủ trì", "lead_units": ["Bộ Công an"]}]))
        g = G.build_graph(s)
        assert "cite:06/qd-ttg" not in g
        assert g.has_edge(f"doc:{ids['tinh']}", f"doc:{qd.document_id}")
        res = G.descendants(s, root="06/QĐ-TTg")
        assert qd.document_id in res.documents and len(res.obligations) == 9
        assert "06/qd-ttg" not in {m.symbol for m in G.missing_documents(s)}


def test_graph_export_formats(tree, tmp_path):
    from app.cli import app

    url, ids = tree
    runner = CliRunner()
    r = runner.invoke(app, ["graph", "--root", "06/QĐ-TTg", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    g = nx.node_link_graph(data, edges="links")
    obls = [n for n, k in g.nodes(data="kind") if k == "obligation"]
    assert len(obls) == 8
    assert all(g.nodes[n]["db_id"] for n in obls)
    out = tmp_path / "g.graphml"
    r = runner.invoke(app, ["graph", "--format", "graphml", "-o", str(out)])
    assert r.exit_code == 0, r.output
    h = nx.read_graphml(out)
    assert {k for _, k in h.nodes(data="kind")} == {"document", "placeholder", "programme", "obligation", "unit"}
    r = runner.invoke(app, ["graph", "--missing"])
    assert r.exit_code == 0
    assert [" ".join(line.split()) for line in r.output.splitlines()] == [
        "06/QD-TTg Quyết định 2022-01-06 cited by other.pdf (cites), kh-tinh.pdf (implements)",
        "77/QĐ-UBND cited by other.pdf (basis)",
        "1552/BTTTT-THH cited by kh-tinh.pdf (cites)"]
    r = runner.invoke(app, ["graph", "--root", "nothing/here"])
    assert (r.exit_code, r.output) == (1, "error: 'nothing/here' is neither in the register nor cited by any document in it\n")


def test_a_programme_learned_from_its_approving_decision_links_later_plans(db_url, make_processed):
    """QĐ 77/QĐ-UBND "Phê duyệt Đề án phát triển du lịch cộng đồng ..." is stored with what it
    approves; a later plan that carries out the Đề án by name (no number printed) is linked to it."""
    from extractors.structure import parse_directive
    from flows.steps import known_programmes
    from models.register import learned_programmes
    from tests.structure.structure_helpers import document_from_text

    title = "Đề án phát triển du lịch cộng đồng bền vững vùng miền núi"
    approving = make_processed(name="qd-77.pdf", number="77/QĐ-UBND", type="Quyết định", issuer="UBND tỉnh Lâm Đồng",
                               issued_on=dt.date(2024, 3, 5), title="Phê duyệt " + title)
    approving.directive.approves = title
    other = make_processed(name="qd-78.pdf", number="78/QĐ-UBND", type="Quyết định", title="Về việc kiện toàn Tổ công tác")
    with open_session(db_url) as s:
        ingest_processed(s, approving)
        ingest_processed(s, other)
        learned = learned_programmes(s)
    assert learned == [{"symbol": "77/QĐ-UBND", "title": title, "type": "Quyết định", "issuer": "UBND tỉnh Lâm Đồng",
                        "issued_on": "2024-03-05", "aliases": []}]
    assert known_programmes(url=db_url) == learned          # the ingest step's read (SQLite: without SQLAlchemy)

    plan = """\
     ỦY BAN NHÂN DÂN               CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
      TỈNH LÂM ĐỒNG                   Độc lập - Tự do - Hạnh phúc
      Số: 12/KH-UBND              Lâm Đồng, ngày 05 tháng 6 năm 2024

                               KẾ HOẠCH
      Triển khai Đề án phát triển du lịch cộng đồng bền vững vùng miền núi năm 2024
     1. Sở Văn hóa, Thể thao và Du lịch chủ trì xây dựng sản phẩm du lịch.
"""
    d = parse_directive(document_from_text(plan), programmes=learned)
    assert d.programme == "77/QĐ-UBND"
    assert [(c.number, c.relation) for c in d.citations] == [("77/QĐ-UBND", "implements")]
