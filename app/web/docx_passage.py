"""A DOCX task's source: the paragraphs of the original file that hold its passage, with the
paragraphs around them, for the obligation page's source panel (a DOCX has no page image).

    paras = docx_passage(path, ob.text)      # [Para(text, hit), ...]; [] when not found
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
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
    st = os.stat(path)
    return list(_paragraphs(str(path), st.st_mtime_ns, st.st_size))


@lru_cache(maxsize=8)
def _paragraphs(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """Parsed once per file version (a 37-page plan takes python-docx most of a second): a clerk
    going through a plan's tasks one by one opens the same file each time."""
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
    return tuple(" ".join(t.split()) for t in out if t.strip())


@lru_cache(maxsize=8)
def _keyed(path: str, mtime_ns: int, size: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...]]:
    """(paragraphs, their words as align compares them, the paragraph of each word)."""
    paras = _paragraphs(path, mtime_ns, size)
    keys: list[str] = []
    owner: list[int] = []
    for n, p in enumerate(paras):
        k = word_keys(p)
        keys += k
        owner += [n] * len(k)
    return paras, tuple(keys), tuple(owner)


def docx_passage(path: Path, text: str) -> list[Para]:
    """The paragraphs holding TEXT (marked hit) with CONTEXT paragraphs either side; []
    when the passage is not found in the file."""
    st = os.stat(path)
    paras, keys, owner = _keyed(str(path), st.st_mtime_ns, st.st_size)
    found = align(list(keys), word_keys(text))
    if found is None:
        return []
    first, last = owner[found[0]], owner[found[1]]
    lo, hi = max(0, first - CONTEXT), min(len(paras), last + CONTEXT + 1)
    return [Para(paras[n], first <= n <= last) for n in range(lo, hi)]
