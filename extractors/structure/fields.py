"""Labelled lines under a task — the list form of a task table's columns.

    - Đơn vị chủ trì thực hiện: Sở Tài chính.
    - Đơn vị phối hợp: Các sở, ban, ngành.
    - Thời gian hoàn thành: Trong tháng 8/2025.

are fields of the item above them, not items of their own.  Their labels are read with the same
vocabulary as task-table column headers (corpora/table_columns.jsonl): one word list for one
concept, whichever form the document uses.  `lift_fields` moves such lines out of the section
tree into the item's `cells` (role -> text), exactly as a table row's cells.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.structure.common import fold, rules
from extractors.text import collapse_ws
from extractors.types import Section

__all__ = ["labelled_fields", "lift_fields", "FIELD_ROLES"]

# Column roles a labelled line can fill (a "Nội dung:" line is the task itself, not a field of it).
FIELD_ROLES = ("lead", "support", "deadline", "output", "budget", "monitor")
_LABEL = re.compile(r"^(?P<label>[^:;.,()]{2,45}?)\s*:\s*(?P<value>\S.*)$")
# OCR drops colons: "Đơn vị chủ trì Sở GDĐT, …" is a field when a label word opens it and a name follows
_LABEL_NO_COLON = re.compile(r"^(?P<label>(?:Đơn\s+vị|Cơ\s+quan|Thời\s+gian|Thời\s+hạn)(?:\s+[a-zà-ỹđ]+){1,3}?)\s+"
                             r"(?P<value>(?:[A-ZĐ]|[Cc]ác\s|[Tt]rong\s|[Tt]rước\s|[Qq]uý\s|[Tt]háng\s|[Nn]ăm\s|\d).*)$")
_PARTS = re.compile(r"(?<=[.;])\s*[-–+]\s*(?=\S)")
_MARK = re.compile(r"^(?:[-–+•*]|[a-zđ]\)|\(?\d{1,2}\))\s*")


@lru_cache(maxsize=None)
def _label_role(label: str) -> str | None:
    f = fold(label)
    if len(f.split()) > 6:
        return None
    for role, pat in rules("table_columns.jsonl"):
        if pat.search(f):
            return role if role in FIELD_ROLES else None
    return None


def labelled_fields(text: str) -> list[tuple[str, str]]:
    """[(role, value)] when every part of TEXT is a labelled field, else [] (a line that says more
    than a field is content)."""
    out = []
    for part in _PARTS.split(_MARK.sub("", collapse_ws(text))):
        m = _LABEL.match(part.strip()) or _LABEL_NO_COLON.match(part.strip())
        role = _label_role(m.group("label")) if m else None
        if role is None:
            return []
        value = m.group("value").strip().rstrip(".;").strip()
        if re.search(r"\.\s+\S", value):
            return []       # a sentence follows the value: the line says more than a field
        if value:
            out.append((role, value))
    return out


def lift_fields(node: Section) -> None:
    """Move the labelled lines of every item below NODE into that item's cells: childless bullets
    or lettered sub-items that are only fields, and the item's own later paragraphs that are."""
    for child in node.children:
        lift_fields(child)
    if node.kind in ("root", "table_row"):
        return
    keep_children = []
    for child in node.children:
        got = labelled_fields(child.text or child.heading) if not child.children and child.kind in (
            "bullet", "letter", "paren") else []
        if got:
            _put(node, got)
        else:
            keep_children.append(child)
    node.children = keep_children
    keep_paras = []
    for k, para in enumerate(node.paragraphs):
        got = labelled_fields(para.text) if k else []
        if got:
            _put(node, got)
            continue
        text, got = _trailing_fields(para.text)
        if got:
            _put(node, got)
            para = para.model_copy(update={"text": text})
        keep_paras.append(para)
    if keep_paras != node.paragraphs:
        node.paragraphs = keep_paras
        node.text = "\n".join(p.text for p in keep_paras)


_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-ZĐ])")


def _trailing_fields(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A task's paragraph that ends with its fields ("… theo quy định. Thời gian hoàn thành: Quý
    I/2026."): the paragraph without them, and the fields."""
    parts = _SENTENCE_END.split(text)
    got: list[tuple[str, str]] = []
    while len(parts) > 1:
        fields = labelled_fields(parts[-1])
        if not fields:
            break
        got = fields + got
        parts.pop()
    return " ".join(parts), got


def _put(node: Section, fields: list[tuple[str, str]]) -> None:
    for role, value in fields:
        node.cells[role] = f"{node.cells[role]}; {value}" if node.cells.get(role) else value
