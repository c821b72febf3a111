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


_ASSIGNING_ROLES = ("lead", "support", "deadline", "output")


def task_rows(table: Table, roles: dict[str, int], prefix: str = "PL", page_default: int = 1) -> list[Section]:
    """One Section per task row of TABLE.  Group rows (`I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH (08 NHIỆM VỤ)`,
    `VII | Công tác chỉ đạo, điều hành`) name the group of the rows below; repeated header rows are
    skipped; a row with an empty STT continues the previous one (a row split over a page break),
    unless its task cell is empty and it names its own unit or time: then the task cell was merged
    over two rows in the original, and the row is a second assignment of the same task (path "2b").
    When the numbering restarts in each group, paths carry the group's label: PL.VII.2."""
    _, skip = _header_rows(table)
    header_keys = {fold(" ".join(t for _, t in _cells(r))) for r in table.rows[:skip]}
    out: list[Section] = []
    group: Optional[str] = None
    group_label: Optional[str] = None
    stt_col = roles.get("stt", 0)
    numbered = "stt" in roles
    for index, row in enumerate(table.rows[skip:], start=skip):
        cells = _cells(row)
        by_col = dict(cells)
        nonempty = [t for _, t in cells if t]
        if not nonempty or _repeated_header(cells, nonempty, header_keys):
            continue
        assigning = any(by_col.get(roles[r], "").strip() for r in _ASSIGNING_ROLES if r in roles)
        stt = by_col.get(stt_col, "").strip() if numbered else _implicit_number(by_col, roles, out)
        if stt and not re.match(r"^\d", stt) and len(stt) <= 3 and assigning:
            stt = _ocr_number(stt, by_col, roles, out, nonempty)
        task = by_col.get(roles.get("task", 1), "")
        if (not assigning and stt and not re.match(r"^\d+\.?$", stt)) or re.match(r"^[IVX]+\.?$", stt) or \
                (stt and is_upper_line(task) and not re.match(r"^\d", stt)) or \
                (not numbered and not stt and len(nonempty) == 1 and is_upper_line(nonempty[0])):
            group = " ".join(nonempty)
            group_label = stt.rstrip(".") if re.match(r"^[IVX]+\.?$", stt) else None
            continue
        if not re.match(r"^\d+[a-z]?\.?$", stt):
            if out and not stt:
                _continue_row(out, by_col, roles, task, assigning, index, row.page or page_default)
            continue
        sec = Section(path=f"{prefix}.{stt.rstrip('.')}", label=stt, kind="table_row", page=row.page or page_default,
                      role="tasks", row=index)
        sec.cells = {role: by_col.get(col, "") for role, col in roles.items() if role != "stt"}
        sec.group = group
        sec.path = group_label or ""      # the group's label, until the paths are known (below)
        _fill(sec, roles)
        out.append(sec)
    _set_paths(out, prefix)
    return out


def _repeated_header(cells, nonempty: list[str], header_keys: set[str]) -> bool:
    """A header repeated on a new page, or a `(1) (2) (3)` column-numbering row."""
    if fold(" ".join(t for _, t in cells)) in header_keys:
        return True
    roles = column_roles([cells])
    if roles and len(roles) >= 3 and not re.match(r"^\d", nonempty[0]):
        return True
    return len(nonempty) > 2 and all(re.match(r"^\(?\d+\)?$", t) for t in nonempty)


def _ocr_number(stt: str, by_col, roles, out: list[Section], nonempty: list[str]) -> str:
    """OCR reads 1 as | or l, 0 as O in the STT column: accept the reading that continues the count."""
    fixed = stt.translate(_OCR_DIGIT)
    last = re.match(r"^\d+", out[-1].label) if out else None
    expected = str(int(last.group(0)) + 1) if last else "1"
    if fixed.rstrip(".") == expected or (roles.get("task") is not None and by_col.get(roles["task"]) and len(nonempty) >= 3
                                         and not re.match(r"^[IVX]+\.?$", stt)):
        return expected
    return stt


def _continue_row(out: list[Section], by_col, roles, task: str, assigning: bool, index: int, page: int) -> None:
    prev = out[-1]
    if not task.strip() and assigning and any(by_col.get(roles[r], "").strip() for r in ("lead", "deadline") if r in roles):
        # the task cell spans this row too: a second assignment of the same task
        base = re.match(r"^\d+", prev.label).group(0)
        n = sum(1 for s in out if re.match(rf"^{base}[a-z]?\.?$", s.label))
        sub = Section(label=f"{base}{'abcdefghijklmnopqrstuvwxyz'[min(n, 25)]}", kind="table_row", page=page,
                      role="tasks", row=index, group=prev.group, path=prev.path)
        sub.cells = {role: by_col.get(col, "") for role, col in roles.items() if role != "stt"}
        sub.cells["task"] = prev.cells.get("task", "")
        _fill(sub, roles)
        out.append(sub)
        return
    # continuation of the previous row (split over a page break)
    for role, col in roles.items():
        extra = by_col.get(col, "")
        if extra and role != "stt":
            prev.cells[role] = join_text([prev.cells.get(role, ""), extra])
    _fill(prev, roles)


def _set_paths(rows: list[Section], prefix: str) -> None:
    """PL.<STT>; PL.<group>.<STT> when the numbering restarts in each group (so paths stay unique)."""
    seen, restarts = set(), False
    for r in rows:
        key = r.label.rstrip(".")
        restarts = restarts or key in seen
        seen.add(key)
    for r in rows:
        group = r.path
        label = r.label.rstrip(".")
        r.path = f"{prefix}.{group}.{label}" if restarts and group else f"{prefix}.{label}"


def _implicit_number(by_col: dict[int, str], roles: dict[str, int], out: list[Section]) -> str:
    """A table without an STT column ("Nội dung | Trách nhiệm thực hiện | Thời gian"): a row with a
    task and a unit or a time is the next task row; anything else (a group title, a line carried
    over from the page before) gets no number."""
    task = by_col.get(roles["task"], "").strip()
    if not task or not any(by_col.get(roles[r], "").strip() for r in ("lead", "deadline") if r in roles):
        return ""
    return str(len(out) + 1)


def _fill(sec: Section, roles: dict[str, int]) -> None:
    task = sec.cells.get("task", "")
    sec.text = task
    sec.heading = task[:200]
    sec.paragraphs = [Paragraph(text=task, page=sec.page)] if task else []
