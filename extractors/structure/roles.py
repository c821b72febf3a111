"""The role of a section from its heading: what kind of content it holds, so later steps can tell
a task from a description of the past or a statement of purpose."""
from __future__ import annotations

import re
from typing import Optional

from extractors.structure.common import fold

# (role, pattern on the folded heading); first match wins, so the specific come first.
_RULES: list[tuple[str, re.Pattern]] = [
    ("appendix", re.compile(r"^phu luc\b")),
    ("organisation", re.compile(r"^(to chuc thuc hien|trach nhiem (thuc hien|cua)|phan cong (nhiem vu|thuc hien)|"
                                r"dieu khoan thi hanh|to chuc trien khai)")),
    ("funding", re.compile(r"^(kinh phi|nguon kinh phi|nguon luc|du toan)")),
    ("purpose", re.compile(r"^(muc dich|yeu cau\b|quan diem)")),
    ("targets", re.compile(r"^(muc tieu|chi tieu|cac chi tieu|ket qua can dat|ket qua dau ra)")),
    ("tasks", re.compile(r"^(nhiem vu|cac nhiem vu|giai phap|cac giai phap|noi dung|nhung nhiem vu|mot so nhiem vu|"
                         r"phuong huong|ke hoach (thuc hien|trien khai)|lo trinh|y kien chi dao|ket luan chi dao|"
                         r"de xuat|kien nghi)")),
    ("background", re.compile(r"^(tinh hinh|ket qua (dat duoc|thuc hien|trien khai)|thuc trang|ton tai|han che|"
                              r"danh gia|nguyen nhan|khó khan|kho khan|bai hoc|boi canh|can cu (phap ly|xay dung)|"
                              r"co so (phap ly|xay dung)|su can thiet|mot so ket qua|ket qua\b)")),
]


def heading_role(heading: str) -> Optional[str]:
    """The role a heading names (`MỤC ĐÍCH, YÊU CẦU` -> purpose, `II. NHIỆM VỤ VÀ GIẢI PHÁP` -> tasks,
    `Tổ chức thực hiện` -> organisation), or None.  Only short headings count: a long first sentence
    that mentions `kết quả` is a task, not a report."""
    f = fold(heading).strip(" .:;")
    f = re.sub(r"^(ve|ve viec)\s+", "", f)
    if not f or len(f.split()) > 14:
        return None
    for role, pat in _RULES:
        if pat.search(f):
            return role
    return None
