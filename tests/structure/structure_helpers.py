"""Build Documents from plain text for structure tests (no PDF needed).

`document_from_text(text)`: pages are separated by form feeds (\\f); each line becomes a line Block;
leading spaces become the block's x0 (as `pdftotext -layout` prints indents), so paragraph starts
and indented markers look like they do in a real PDF.
"""
from __future__ import annotations

from extractors.types import Block, Cell, Document, Page, Row, Table


def document_from_text(text: str, name: str = "test.pdf", tables: list[Table] | None = None,
                       indent_pt: float = 5.0) -> Document:
    pages = []
    for n, page_text in enumerate(text.split("\f"), 1):
        blocks = []
        for k, raw in enumerate(page_text.split("\n")):
            if not raw.strip():
                continue
            indent = len(raw) - len(raw.lstrip(" "))
            x0 = 60.0 + indent * indent_pt
            blocks.append(Block(text=raw.strip(), page=n, bbox=(x0, 40.0 + 15 * k, x0 + 5.5 * len(raw.strip()), 52.0 + 15 * k)))
        pages.append(Page(number=n, width=595, height=842, blocks=blocks))
    return Document(path=name, source_file=name, kind="pdf", pages=pages, tables=tables or [])


def table(rows: list[list[str]], page: int = 1) -> Table:
    out = []
    for r in rows:
        if len(r) == 1:
            out.append(Row(cells=[Cell(text=r[0], col=0, colspan=6, page=page)], page=page))
        else:
            out.append(Row(cells=[Cell(text=t, col=i, page=page) for i, t in enumerate(r)], page=page))
    return Table(rows=out, header=rows[0], page_start=page, page_end=page)
