"""The directive hierarchy as a tree, to look at: a superior directive, the documents that carry
it out, the documents that carry those out, ..., each with the counts of its obligations.

    with open_session(url) as session:
        top = directive_tree(session, root="06/QĐ-TTg", today=dt.date.today())
        for depth, node in top.walk(): print("  " * depth, node.label, node.total, node.overdue)

"Carries out" is models/graph.py's relation (implements, basis, the programme a document
implements); a document reached twice (two plans cite it) is shown in full once and named again
where it is reached the second time (`repeated`).  Rendering is the caller's (app/commands).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterator, Optional

from models.dates import OPEN_STATUSES, is_overdue, next_occurrence
from models.db import RegisterError
from models.graph import CARRY_OUT, build_graph, root_nodes
from models.search import DeadlineRow, json_column


@dataclass
class TreeObligation:
    id: str
    ref: Optional[str]
    text: str
    lead_units: list[str]
    status: str
    overdue: bool
    next_due: Optional[dt.date]


@dataclass
class TreeNode:
    """A document (or the root as cited, not in the register) and what carries it out."""
    key: str                                  # the graph node
    kind: str                                 # document | placeholder | programme | root
    label: str                                # "Kế hoạch 45/KH-UBND (06/01/2024): Triển khai …"
    document_id: Optional[str] = None
    obligations: list[TreeObligation] = field(default_factory=list)
    children: list["TreeNode"] = field(default_factory=list)
    repeated: bool = False                    # shown in full elsewhere in the tree

    @property
    def total(self) -> int:
        return len(self.obligations)

    @property
    def open(self) -> int:
        return sum(1 for o in self.obligations if o.status in OPEN_STATUSES)

    @property
    def overdue(self) -> int:
        return sum(1 for o in self.obligations if o.overdue)

    @property
    def done(self) -> int:
        return sum(1 for o in self.obligations if o.status == "done")

    def walk(self, depth: int = 0) -> Iterator[tuple[int, "TreeNode"]]:
        yield depth, self
        for c in self.children:
            yield from c.walk(depth + 1)

    def subtree_counts(self) -> tuple[int, int, int, int]:
        """(documents, obligations, open, overdue) of this node and everything below it, each document once."""
        seen: dict[str, TreeNode] = {}
        for _, n in self.walk():
            if n.kind == "document" and not n.repeated:
                seen.setdefault(n.key, n)
        nodes = list(seen.values())
        return (len(nodes), sum(n.total for n in nodes), sum(n.open for n in nodes), sum(n.overdue for n in nodes))

    def subtree_tally(self) -> dict[str, int]:
        """subtree_counts as names, with the done tasks too (the web's tree shows all four)."""
        docs, total, n_open, overdue = self.subtree_counts()
        seen = {n.key: n for _, n in self.walk() if n.kind == "document" and not n.repeated}
        return {"documents": docs, "total": total, "open": n_open, "overdue": overdue,
                "done": sum(n.done for n in seen.values())}


def node_label(attrs: dict) -> str:
    """How a line names its document: type, number, date, title (or the file when unnumbered)."""
    kind = attrs.get("kind")
    if kind == "programme":
        return f"Chương trình/Đề án theo {attrs.get('number') or attrs.get('symbol')}"
    number = attrs.get("number")
    head = " ".join(x for x in (attrs.get("type") or ("Văn bản" if kind == "document" else ""), number or "") if x)
    if kind == "document" and not number:
        head = f"{head} ({attrs.get('source_file')})"
    if attrs.get("issued_on"):
        head += f" ngày {dt.date.fromisoformat(attrs['issued_on']).strftime('%d/%m/%Y')}"
    if attrs.get("title"):
        title = " ".join(attrs["title"].split())
        head += f": {title if len(title) <= 90 else title[:89].rstrip() + '…'}"
    if kind == "placeholder":
        head += " (chưa có trong sổ)"
    return head


def _carried_by(g, node: str) -> list[str]:
    """The nodes that carry NODE out, one level down."""
    out = []
    for src, _, rel in g.in_edges(node, data="relation"):
        if rel in CARRY_OUT or (rel == "approved_by" and g.nodes[src].get("kind") == "programme"):
            if src not in out:
                out.append(src)
    return out


def _obligations(session, doc_ids: list[str], today: dt.date) -> dict[str, list[TreeObligation]]:
    from models.db import execute

    out: dict[str, list[TreeObligation]] = {d: [] for d in doc_ids}
    cols = ("o.id, o.document_id, o.ref, o.text, o.lead_units, o.status, o.deadline_due, o.deadline_recurrence, "
            "o.deadline_day, o.deadline_start, o.last_done_on")
    for i in range(0, len(doc_ids), 500):
        chunk = doc_ids[i:i + 500]
        marks = ", ".join(f":d{k}" for k in range(len(chunk)))
        rows = execute(session, f"SELECT {cols} FROM obligations o WHERE o.document_id IN ({marks}) "
                                "ORDER BY o.document_id, o.ordinal", {f"d{k}": d for k, d in enumerate(chunk)})
        for m in rows.mappings():
            row = DeadlineRow(dict(m))
            out[m["document_id"]].append(TreeObligation(
                id=m["id"], ref=m["ref"], text=m["text"], lead_units=list(json_column(m["lead_units"]) or []),
                status=m["status"], overdue=is_overdue(row, today), next_due=next_occurrence(row, today)))
    return out


def directive_tree(session, *, root: str, today: Optional[dt.date] = None) -> TreeNode:
    """The tree below ROOT (a document number, an alias such as "Đề án 06", a document id).
    Raises RegisterError when the register neither holds nor cites it."""
    today = today or dt.date.today()
    g = build_graph(session, obligations=False)
    starts = root_nodes(g, root)
    if not starts:
        raise RegisterError(f"«{root}» không có trong sổ và không văn bản nào trong sổ dẫn chiếu đến: "
                            "xem các văn bản được dẫn chiếu mà chưa có: chidao graph --missing")
    docs = [s for s in starts if g.nodes[s].get("kind") == "document"]
    first = docs[0] if docs else next((s for s in starts if g.nodes[s].get("kind") == "placeholder"), starts[0])
    top = TreeNode(key=first, kind=g.nodes[first].get("kind", "root"), label=node_label(g.nodes[first]),
                   document_id=g.nodes[first].get("db_id"))
    shown: set[str] = set(starts)
    queue: list[tuple[TreeNode, list[str]]] = [(top, [c for s in starts for c in _carried_by(g, s)])]
    while queue:
        parent, kids = queue.pop(0)
        for k in kids:
            if k in starts:
                continue
            a = g.nodes[k]
            if a.get("kind") == "programme":        # a programme stands for its document: go through it
                queue.append((parent, [c for c in _carried_by(g, k) if c != k]))
                shown.add(k)
                continue
            child = TreeNode(key=k, kind=a.get("kind", ""), label=node_label(a), document_id=a.get("db_id"),
                             repeated=k in shown)
            if any(c.key == k for c in parent.children):
                continue
            parent.children.append(child)
            if not child.repeated:
                shown.add(k)
                queue.append((child, _carried_by(g, k)))
    by_doc = _obligations(session, [n.document_id for _, n in top.walk() if n.document_id and not n.repeated], today)
    for _, n in top.walk():
        if n.document_id and not n.repeated:
            n.obligations = by_doc.get(n.document_id, [])
    return top


@dataclass(frozen=True)
class Superior:
    """A directive other documents in the register carry out: a root to draw the tree from."""
    root: str                                 # what directive_tree(root=...) takes: its number, else its id
    label: str
    carriers: int                             # documents that carry it out, at any depth
    top: bool                                 # it carries out nothing itself (a tree's natural top)


def superior_directives(session) -> list[Superior]:
    """The documents and cited directives that at least one document in the register carries
    out, the tops first, then by how many documents carry them out (the web's root chooser)."""
    from models.graph import carriers

    g = build_graph(session, obligations=False)
    out = []
    for n, a in g.nodes(data=True):
        if a.get("kind") not in ("document", "placeholder") or not _carried_by(g, n):
            continue
        below = sum(1 for c in carriers(g, [n]) if c != n and g.nodes[c].get("kind") == "document")
        up = any(rel in CARRY_OUT for _, _, rel in g.out_edges(n, data="relation"))
        root = a.get("number") or a.get("db_id") or n
        out.append(Superior(root=root, label=node_label(a), carriers=below, top=not up))
    out.sort(key=lambda s: (not s.top, -s.carriers, s.label))
    return out
