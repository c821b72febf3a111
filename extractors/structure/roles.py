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
