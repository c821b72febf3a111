"""Spreadsheet cells that stay text (the OWASP rule against formula injection).

A task's text is written by whoever drafted the directive, or by whoever dropped a file into the
intake: a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be taken by
Excel or LibreOffice for a formula (`=HYPERLINK(…)`, `=cmd|…`).  Every spreadsheet chidao writes
goes through here: the per-unit XLSX (app/reports.py, also the web's), `chidao export` CSV and
XLSX (models/export.py).

    formula_like("=1+1")          # True: the one rule
    csv_cell("=1+1")              # "'=1+1" (a leading apostrophe: the cell is read as text)
    append_row(ws, ["=1+1", 2])   # openpyxl: the string stays a string cell, apostrophe-prefixed style

In XLSX the text is kept exactly (a string cell, with Excel's quote-prefix style so that editing
it does not make a formula either); in CSV, which has no types, an apostrophe is put before it.
"""
from __future__ import annotations

from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """A string a spreadsheet program would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    return "'" + value if formula_like(value) else value


def csv_row(row: dict) -> dict:
    return {k: csv_cell(v) for k, v in row.items()}


def xlsx_cells(ws, values: Iterable[Any]) -> list[Any]:
    """The values for `ws.append(...)` on an openpyxl sheet, each formula-like string made a
    text cell (a string cell with the quote-prefix style); other values as they are."""
    from openpyxl.cell.cell import Cell

    out = []
    for value in values:
        if formula_like(value):
            cell = Cell(ws)
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True
            value = cell
        out.append(value)
    return out


def append_row(ws, values: Iterable[Any]) -> None:
    """`ws.append(values)`, every formula-like string kept as text."""
    ws.append(xlsx_cells(ws, values))


def put_cell(ws, row: int, column: int, value: Any):
    """`ws.cell(row=row, column=column, value=value)`, a formula-like string kept as text."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
