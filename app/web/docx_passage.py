"""A DOCX task's source: the paragraphs of the original file that hold its passage, with the
paragraphs around them, for the obligation page's source panel (a DOCX has no page image).

    paras = docx_passage(path, ob.text)      # [Para(text, hit), ...]; [] when not found
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.web.page_image import align, word_keys

CONTEXT = 1          # paragraphs shown before and after the passage


@dataclass(frozen=True)
class Para:
    text: str
    hit: bool        # part of the task's passage


def body_paragraphs(path: Path) -> list[str]:
    """The file's paragraphs in reading order; a table row is one, its cells joined by " — "
    (a task table's row: the task, its units, its deadline)."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = Document(str(path))
    out: list[str] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, doc).text)
        elif tag == "tbl":
            for row in Table(child, doc).rows:
                cells, seen = [], set()
                for cell in row.cells:          # a merged cell comes once per grid column
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(" ".join(cell.text.split()))
                out.append(" — ".join(c for c in cells if c))
    return [" ".join(t.split()) for t in out if t.strip()]


def docx_passage(path: Path, text: str) -> list[Para]:
    """The paragraphs holding TEXT (marked hit) with CONTEXT paragraphs either side; []
    when the passage is not found in the file."""
    paras = body_paragraphs(path)
    keys: list[str] = []
    owner: list[int] = []
    for n, p in enumerate(paras):
        k = word_keys(p)
        keys += k
        owner += [n] * len(k)
    found = align(keys, word_keys(text))
    if found is None:
        return []
    first, last = owner[found[0]], owner[found[1]]
    lo, hi = max(0, first - CONTEXT), min(len(paras), last + CONTEXT + 1)
    return [Para(paras[n], first <= n <= last) for n in range(lo, hi)]
