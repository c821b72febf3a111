"""The role of a section from its heading: what kind of content it holds, so later steps can tell
a task from a description of the past or a statement of purpose."""
from __future__ import annotations

import re
from typing import Optional

from extractors.structure.common import fold

from extractors.structure.common import rules


def _rules() -> list[tuple[str, re.Pattern]]:
    """(role, pattern on the folded heading) from corpora/section_roles.jsonl; first match wins."""
    return rules("section_roles.jsonl")


def heading_role(heading: str) -> Optional[str]:
    """The role a heading names (`MỤC ĐÍCH, YÊU CẦU` -> purpose, `II. NHIỆM VỤ VÀ GIẢI PHÁP` -> tasks,
    `Tổ chức thực hiện` -> organisation), or None.  Only short headings count: a long first sentence
    that mentions `kết quả` is a task, not a report."""
    f = fold(heading).strip(" .:;")
    f = re.sub(r"^(ve|ve viec)\s+", "", f)
    if not f or len(f.split()) > 14:
        return None
    for role, pat in _rules():
        if pat.search(f):
            return role
    return None


def mark_report_results(sections: list) -> None:
    """A report (Báo cáo) tells what was done before what is to be done: its top-level sections
    before the first that names tasks (`III. PHƯƠNG HƯỚNG, NHIỆM VỤ TRONG THỜI GIAN TỚI`) report
    results whatever their headings say (`I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI`: what the province
    did).  Nothing changes in a report that names no tasks section: it is not known where they are."""
    first_tasks = next((i for i, s in enumerate(sections) if s.role == "tasks"), None)
    if first_tasks is None:
        return

    def results(node) -> None:
        if node.role == "other":
            node.role = "background"
        for c in node.children:
            results(c)

    for s in sections[:first_tasks]:
        results(s)
