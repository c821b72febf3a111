"""Task tables: tables whose columns assign tasks (STT | Nội dung | Đơn vị chủ trì | phối hợp | Kết quả |
Thời hạn), their column roles, and one Section (kind "table_row", path PL.<STT>) per task row."""
from __future__ import annotations

import re
from typing import Optional

from extractors.structure.common import fold, is_upper_line, join_text, rules
from extractors.types import Paragraph, Section, Table

def _column_rules() -> list[tuple[str, re.Pattern]]:
    """(column role, pattern on the folded header text) from corpora/table_columns.jsonl; first match wins."""
    return rules("table_columns.jsonl")


_OCR_DIGIT = str.maketrans({"|": "1", "l": "1", "I": "1", "O": "0", "o": "0", "S": "5", "B": "8", "§": "8"})


def column_roles(header_rows: list[list[tuple[int, str]]]) -> dict[str, int]:
    """Map roles to column indices from one or two header rows of (col, text)."""
    texts: dict[int, str] = {}
    for row in header_rows:
        for col, text in row:
            texts[col] = (texts.get(col, "") + " " + text).strip()
    roles: dict[str, int] = {}
    for col in sorted(texts):
        f = fold(join_text(texts[col].split("\n")))
        for role, pat in _column_rules():
            if pat.search(f) and role not in roles:
                # "Đơn vị thực hiện" over "Chủ trì | Phối hợp": the sub-header decides
                roles[role] = col
                break
    return roles


def is_task_table(roles: dict[str, int]) -> bool:
    return "task" in roles and ("lead" in roles or "deadline" in roles)


def _cells(row) -> list[tuple[int, str]]:
    out = []
    for c in row.cells:
        out.append((c.col, join_text(c.text.split("\n"))))
    # cells without col information: use their order
    if len({c for c, _ in out}) < len(out):
        out = [(i, t) for i, (_, t) in enumerate(out)]
    return out


def _header_rows(table: Table) -> tuple[list[list[tuple[int, str]]], int]:
    """The header rows at the top of a table (their texts) and how many rows they take."""
    rows = []
    n = 0
    for row in table.rows[:3]:
        cells = _cells(row)
        texts = [t for _, t in cells if t]
        if not texts:
            n += 1
            continue
        stt = texts[0]
        if re.match(r"^\d+\.?$", stt) or re.match(r"^\(?\d+\)?$", stt) and len(texts) > 2 and all(re.match(r"^\(?\d+\)?$", t) for t in texts):
            # a numbering row `(1) (2) (3)` belongs to the header; a task row ends it
            if all(re.match(r"^\(?\d+\)?$", t) for t in texts) and len(texts) > 2:
                n += 1
                continue
            break
        roles = column_roles([cells])
        if roles and len(texts) >= 2 and (len(roles) >= 2 or rows):
            rows.append(cells)
            n += 1
        else:
            break
    if not rows and table.header:
        rows = [list(enumerate(table.header))]
    return rows, n


def table_columns(table: Table) -> dict[str, int]:
    rows, _ = _header_rows(table)
    return column_roles(rows)


def task_rows(table: Table, roles: dict[str, int], prefix: str = "PL", page_default: int = 1) -> list[Section]:
    """One Section per task row of TABLE.  Group rows (`I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH (08 NHIỆM VỤ)`)
    name the group of the rows below; repeated header rows are skipped; a row with an empty STT continues
    the previous one."""
    _, skip = _header_rows(table)
    header_keys = {fold(" ".join(t for _, t in _cells(r))) for r in table.rows[:skip]}
    out: list[Section] = []
    group: Optional[str] = None
    stt_col = roles.get("stt", 0)
    for row in table.rows[skip:]:
        cells = _cells(row)
        by_col = dict(cells)
        nonempty = [t for _, t in cells if t]
        if not nonempty:
            continue
        key = fold(" ".join(t for _, t in cells))
        if key in header_keys or (column_roles([cells]) and len(column_roles([cells])) >= 3 and not re.match(r"^\d", nonempty[0])):
            continue   # a header repeated on a new page
        if all(re.match(r"^\(?\d+\)?$", t) for t in nonempty) and len(nonempty) > 2:
            continue   # `(1) (2) (3)` numbering row
        stt = by_col.get(stt_col, "").strip()
        if stt and not re.match(r"^\d", stt) and len(stt) <= 3:
            # OCR reads 1 as | or l, 0 as O in the STT column; accept the reading that continues the count
            fixed = stt.translate(_OCR_DIGIT)
            expected = str(int(out[-1].label.rstrip(".").rstrip("abcd") or 0) + 1) if out and re.match(r"^\d+", out[-1].label) else "1"
            if fixed.rstrip(".") == expected or (roles.get("task") is not None and by_col.get(roles["task"]) and len(nonempty) >= 3
                                                 and not re.match(r"^[IVX]+\.?$", stt)):
                stt = expected
        if len(nonempty) == 1 and stt and not re.match(r"^\d+\.?$", stt):
            group = nonempty[0]
            continue
        if re.match(r"^[IVX]+\.?$", stt) or (stt and is_upper_line(by_col.get(roles.get("task", 1), "")) and not re.match(r"^\d", stt)):
            group = " ".join(nonempty)
            continue
        if not re.match(r"^\d+[a-z]?\.?$", stt):
            if out and not stt:
                # continuation of the previous row (split over a page break)
                prev = out[-1]
                for role, col in roles.items():
                    extra = by_col.get(col, "")
                    if extra and role != "stt":
                        prev.cells[role] = join_text([prev.cells.get(role, ""), extra])
                _fill(prev, roles)
            continue
        label = stt.rstrip(".")
        sec = Section(path=f"{prefix}.{label}", label=stt, kind="table_row", page=row.page or page_default,
                      role="tasks")
        sec.cells = {role: by_col.get(col, "") for role, col in roles.items() if role != "stt"}
        sec.group = group
        _fill(sec, roles)
        out.append(sec)
    return out


def _fill(sec: Section, roles: dict[str, int]) -> None:
    task = sec.cells.get("task", "")
    sec.text = task
    sec.heading = task[:200]
    sec.paragraphs = [Paragraph(text=task, page=sec.page)] if task else []
