"""The directive graph (networkx): which task carries out which directive, up to the programme.

Nodes (id prefix, `kind` attribute):
  doc:<id>        a document in the register                    kind=document
  cite:<symbol>   a document known only by citation (placeholder; becomes doc:<id> once that
                  document is ingested: the citation is then resolved to it)   kind=placeholder
  prog:<symbol>   a programme a document implements (Đề án 06 = prog:06/qd-ttg)  kind=programme
  obl:<id>        an obligation                                 kind=obligation
  unit:<key>      a unit                                        kind=unit
Edges (`relation` attribute):
  obl -> doc            source
  obl -> unit           lead | support
  doc -> doc/cite       basis | implements | cites   (from the citing document's text)
  doc -> prog           implements
  prog -> doc/cite      approved_by  (the programme is the document with its symbol)

"Carries out": a document carries out X when it cites X as `implements` or as `basis`
(a plan made "căn cứ" a decision carries that decision out), or implements the programme X,
directly or through any number of such documents.  Plain `cites` ("theo Công văn số ...")
does not: mentioning a document is not carrying it out.  The obligations that descend from
a root are those of the root itself and of every document that carries it out.

Symbols are matched through extractors.keys.symbol_key (Đ/D, case, spaces and dashes ignored).
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Optional

import networkx as nx
from sqlalchemy import select
from sqlmodel import Session

from models.db import RegisterError
from extractors.keys import symbol_key
from models.keys import no_gc
from models.queries import resolve_obligation_id
from models.tables import DONE_STATUSES, Citation, Document, Obligation, ObligationUnit, Unit

CARRY_OUT = frozenset({"implements", "basis"})
MAX_CHAINS = 20


def doc_node(doc_id: str) -> str:
    return f"doc:{doc_id}"


def obl_node(obligation_id: str) -> str:
    return f"obl:{obligation_id}"


# ---------------------------------------------------------------- building

def _document_layer(session: Session) -> nx.MultiDiGraph:
    """Documents, placeholders, programmes and the edges between them (no obligations)."""
    g = nx.MultiDiGraph()
    docs = session.execute(
        select(Document.id, Document.number, Document.number_key, Document.type, Document.issuer, Document.issued_on,
               Document.title, Document.source_file, Document.programme)
        .where(Document.version_of.is_(None), Document.status.in_(DONE_STATUSES))).all()
    by_key: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        g.add_node(doc_node(d.id), kind="document", db_id=d.id, number=d.number, symbol=d.number_key, type=d.type,
                   issuer=d.issuer, issued_on=d.issued_on.isoformat() if d.issued_on else None, title=d.title,
                   source_file=d.source_file)
        if d.number_key:
            by_key[d.number_key].append(d.id)
    for c in session.execute(select(Citation.from_document, Citation.number, Citation.number_key, Citation.type,
                                    Citation.issued_on, Citation.relation, Citation.to_document, Citation.alias,
                                    Citation.title)).all():
        src = doc_node(c.from_document)
        if src not in g:
            continue  # citing document is a version or failed
        if c.to_document and doc_node(c.to_document) in g:
            dst = doc_node(c.to_document)
        else:
            dst = f"cite:{c.number_key}"
            if dst not in g:
                g.add_node(dst, kind="placeholder", number=c.number, symbol=c.number_key, type=c.type,
                           issued_on=c.issued_on.isoformat() if c.issued_on else None, title=c.title)
        if c.alias:
            g.nodes[dst].setdefault("alias", c.alias)
        g.add_edge(src, dst, relation=c.relation)
    for d in docs:
        key = symbol_key(d.programme)
        if not key:
            continue
        p = f"prog:{key}"
        if p not in g:
            g.add_node(p, kind="programme", symbol=key, number=d.programme)
            targets = [doc_node(i) for i in by_key.get(key, [])] or ([f"cite:{key}"] if f"cite:{key}" in g else [])
            for t in targets:
                g.add_edge(p, t, relation="approved_by")
        g.add_edge(doc_node(d.id), p, relation="implements")
    return g


def build_graph(session: Session, *, obligations: bool = True, units: bool = True) -> nx.MultiDiGraph:
    """The whole directive graph of the register."""
    with no_gc():
        return _build_graph(session, obligations, units)


def _build_graph(session: Session, obligations: bool, units: bool) -> nx.MultiDiGraph:
    g = _document_layer(session)
    if not obligations:
        return g
    for o in session.execute(select(Obligation.id, Obligation.document_id, Obligation.ref, Obligation.text,
                                    Obligation.status, Obligation.deadline_due)).all():
        dn = doc_node(o.document_id)
        if dn not in g:
            continue
        n = obl_node(o.id)
        g.add_node(n, kind="obligation", db_id=o.id, ref=o.ref, text=o.text, status=o.status,
                   due=o.deadline_due.isoformat() if o.deadline_due else None)
        g.add_edge(n, dn, relation="source")
    if units:
        for oid, role, key, name in session.execute(
                select(ObligationUnit.obligation_id, ObligationUnit.role, Unit.key, Unit.name)
                .join(Unit, Unit.id == ObligationUnit.unit_id)).all():
            n = obl_node(oid)
            if n not in g:
                continue
            u = f"unit:{key}"
            if u not in g:
                g.add_node(u, kind="unit", name=name)
            g.add_edge(n, u, relation=role)
    return g


# ---------------------------------------------------------------- queries

def root_nodes(g: nx.MultiDiGraph, root: str) -> list[str]:
    """Nodes standing for ROOT: a document symbol (06/QĐ-TTg), an alias (Đề án 06) or a document id."""
    if root in g:
        return [root]
    if doc_node(root.strip().lower()) in g:
        return [doc_node(root.strip().lower())]
    key = symbol_key(root)
    found = [n for n, a in g.nodes(data=True) if a.get("symbol") == key and a.get("kind") in ("document", "placeholder", "programme")]
    if not found:
        alias = " ".join(root.split()).casefold()
        found = [n for n, a in g.nodes(data=True) if (a.get("alias") or "").casefold() == alias]
    return found


def carriers(g: nx.MultiDiGraph, starts: Iterable[str]) -> set[str]:
    """The start nodes and every document that carries them out, at any depth."""
    seen = set(starts)
    queue = deque(seen)
    while queue:
        n = queue.popleft()
        for src, _, rel in g.in_edges(n, data="relation"):
            if src in seen:
                continue
            if rel in CARRY_OUT or rel == "approved_by" and g.nodes[src].get("kind") == "programme":
                seen.add(src)
                queue.append(src)
    return seen


@dataclass
class RootResult:
    root: str
    nodes: list[str]                      # graph nodes standing for the root
    documents: list[str] = field(default_factory=list)    # ids of documents carrying it out (root included)
    obligations: list[str] = field(default_factory=list)  # obligation ids, in document order


def descendants(session: Session, *, root: str, graph: Optional[nx.MultiDiGraph] = None) -> RootResult:
    """Every obligation that carries out ROOT through any number of levels.  Builds only the
    document layer of the graph (documents and citations) and asks the database for the
    obligations, so it stays fast on a large register."""
    g = graph if graph is not None else _document_layer(session)
    starts = root_nodes(g, root)
    if not starts:
        raise RegisterError(f"{root!r} is neither in the register nor cited by any document in it")
    reached = carriers(g, starts)
    doc_ids = sorted(g.nodes[n]["db_id"] for n in reached if g.nodes[n].get("kind") == "document")
    obls: list[str] = []
    for i in range(0, len(doc_ids), 500):
        chunk = doc_ids[i:i + 500]
        obls += list(session.execute(select(Obligation.id).where(Obligation.document_id.in_(chunk))
                                     .order_by(Obligation.document_id, Obligation.ordinal)).scalars())
    return RootResult(root, starts, doc_ids, obls)


def chains(g: nx.MultiDiGraph, obligation_id: str) -> list[list[tuple[str, Optional[str]]]]:
    """Paths from an obligation up to a top directive: [(node, relation to the next), ...].

    Up = along implements/basis citations and doc -> programme -> document; a top is a node
    with nothing further up.  Chains made only of `implements` come first, shorter first."""
    start = obligation_id if obligation_id.startswith("obl:") else obl_node(obligation_id)
    if start not in g:
        raise RegisterError(f"unknown obligation id {obligation_id!r}")
    src_docs = [d for _, d, rel in g.out_edges(start, data="relation") if rel == "source"]
    out: list[list[tuple[str, Optional[str]]]] = []

    def up(n):
        for _, dst, rel in g.out_edges(n, data="relation"):
            if rel in CARRY_OUT or rel == "approved_by":
                yield dst, rel

    def walk(path: list[tuple[str, Optional[str]]], seen: set[str]):
        if len(out) >= MAX_CHAINS * 5:
            return
        n = path[-1][0]
        nxt = [(d, r) for d, r in up(n) if d not in seen]
        if not nxt:
            out.append(path)
            return
        for d, r in nxt:
            walk(path[:-1] + [(n, r), (d, None)], seen | {d})

    for d in src_docs:
        walk([(start, "source"), (d, None)], {start, d})

    def score(chain):
        rels = [r for _, r in chain[1:-1]]
        return (0 if all(r in ("implements", "approved_by") for r in rels) else 1, len(chain))

    uniq = []
    for c in sorted(out, key=score):
        if c not in uniq:
            uniq.append(c)
    return uniq[:MAX_CHAINS]


def chain(session: Session, *, obligation_id: str) -> list[list[tuple[str, Optional[str]]]]:
    oid = resolve_obligation_id(session, id=obligation_id)
    g = _document_layer(session)
    doc_id = session.get(Obligation, oid).document_id
    o = obl_node(oid)
    g.add_node(o, kind="obligation", db_id=oid, text=session.get(Obligation, oid).text)
    g.add_edge(o, doc_node(doc_id), relation="source")
    return chains(g, oid)


@dataclass
class Missing:
    number: str
    symbol: str
    type: Optional[str]
    issued_on: Optional[str]
    cited_by: list[tuple[str, str, str]]     # (document id, source file, relation)


def missing_documents(session: Session) -> list[Missing]:
    """Documents cited but not in the register: what the clerk should go and find.  Most cited
    first; those cited as implements/basis before plain mentions."""
    rows = session.execute(
        select(Citation.number, Citation.number_key, Citation.type, Citation.issued_on, Citation.relation,
               Citation.from_document, Document.source_file)
        .join(Document, Document.id == Citation.from_document)
        .where(Citation.to_document.is_(None), Document.version_of.is_(None), Document.status.in_(DONE_STATUSES))
        .order_by(Citation.number_key, Citation.from_document)).all()
    by: dict[str, Missing] = {}
    for r in rows:
        m = by.get(r.number_key)
        if m is None:
            m = by[r.number_key] = Missing(r.number, r.number_key, r.type,
                                           r.issued_on.isoformat() if r.issued_on else None, [])
        m.type = m.type or r.type
        m.issued_on = m.issued_on or (r.issued_on.isoformat() if r.issued_on else None)
        if (r.from_document, r.source_file, r.relation) not in m.cited_by:
            m.cited_by.append((r.from_document, r.source_file, r.relation))
    return sorted(by.values(), key=lambda m: (-len({c[0] for c in m.cited_by}),
                                              0 if any(c[2] in CARRY_OUT for c in m.cited_by) else 1, m.symbol))


# ---------------------------------------------------------------- export

def subgraph_for_root(session: Session, *, root: str) -> nx.MultiDiGraph:
    """The root, the documents carrying it out, their obligations and those obligations' units."""
    g = build_graph(session)
    starts = root_nodes(g, root)
    if not starts:
        raise RegisterError(f"{root!r} is neither in the register nor cited by any document in it")
    keep = carriers(g, starts)
    for n in list(keep):
        if g.nodes[n].get("kind") == "document":
            for o, _, rel in g.in_edges(n, data="relation"):
                if rel == "source":
                    keep.add(o)
                    keep.update(u for _, u, r in g.out_edges(o, data="relation") if r in ("lead", "support"))
    return g.subgraph(keep).copy()


def _scalar_attrs(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GraphML takes only scalars: drop None, join lists."""
    h = nx.MultiDiGraph()
    for n, a in g.nodes(data=True):
        h.add_node(n, **{k: ("; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
                         for k, v in a.items() if v is not None})
    for u, v, a in g.edges(data=True):
        h.add_edge(u, v, **{k: x for k, x in a.items() if x is not None})
    return h


def write_graph(g: nx.MultiDiGraph, fmt: str, out: IO | Path | str | None = None) -> None:
    """GraphML (Gephi, yEd) or node-link JSON (d3, networkx.node_link_graph)."""
    if fmt == "graphml":
        data = "\n".join(nx.generate_graphml(_scalar_attrs(g)))
    elif fmt == "json":
        data = json.dumps(nx.node_link_data(g, edges="links"), ensure_ascii=False, indent=1, default=str)
    else:
        raise RegisterError(f"unknown graph format {fmt!r}: use graphml or json")
    if out is None:
        sys.stdout.write(data + "\n")
    elif isinstance(out, (str, Path)):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(data + "\n", encoding="utf-8")
    else:
        out.write(data + "\n")
