"""The Jinja2 environment shared by the web pages and the HTML report: autoescape always on,
so nothing from a document (text, unit, title) can become markup in a browser."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"
FIELD_LABELS = {"lead_units": "đơn vị chủ trì", "support_units": "đơn vị phối hợp", "text": "nội dung",
                "output": "kết quả", "deadline_raw": "thời hạn", "deadline_due": "ngày hạn",
                "deadline_recurrence": "định kỳ", "deadline_day": "ngày trong kỳ", "deadline_start": "ngày bắt đầu",
                "targets": "chỉ tiêu", "note": "ghi chú", "status": "tình trạng", "flags": "cần rà soát",
                "last_done_on": "ngày hoàn thành", "ref": "mục", "page": "trang", "bbox": "vị trí",
                "section_role": "loại mục", "number": "số, ký hiệu", "issued_on": "ngày ban hành",
                "issuer": "cơ quan ban hành"}


@lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from models.owes_rows import ROLE_LABELS, STATUS_LABELS, confidence_label, recurrence_label, vn_date

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["vn_date"] = vn_date
    env.filters["vn_datetime"] = vn_datetime
    env.filters["status_label"] = lambda s: STATUS_LABELS.get(s, s)
    env.filters["role_label"] = lambda r: ROLE_LABELS.get(r, r)
    env.filters["field_label"] = lambda f: FIELD_LABELS.get(f, f)
    env.globals["recurrence_label"] = recurrence_label
    env.globals["confidence_label"] = confidence_label
    env.globals["STATUS_LABELS"] = STATUS_LABELS
    return env


def vn_datetime(iso: str | None) -> str:
    """`2025-01-15T17:10:17+07:00` (a signing time kept in a document's meta) -> `17:10:17 ngày 15/01/2025`."""
    import datetime as dt

    if not iso:
        return ""
    try:
        at = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{at:%H:%M:%S} ngày {at:%d/%m/%Y}"
