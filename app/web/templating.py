"""The Jinja2 environment shared by the web pages and the HTML report: autoescape always on,
so nothing from a document (text, unit, title) can become markup in a browser; and every
`<form method="post">` a template holds gets the session's form token as its first field
(FormToken, as the template is compiled: no form is written by hand with or without it)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2.ext import Extension

TEMPLATES = Path(__file__).resolve().parent / "templates"
FIELD_LABELS = {"lead_units": "đơn vị chủ trì", "support_units": "đơn vị phối hợp", "text": "nội dung",
                "output": "kết quả", "deadline_raw": "thời hạn", "deadline_due": "ngày hạn",
                "deadline_recurrence": "định kỳ", "deadline_day": "ngày trong kỳ", "deadline_start": "ngày bắt đầu",
                "targets": "chỉ tiêu", "note": "ghi chú", "status": "tình trạng", "flags": "cần rà soát",
                "last_done_on": "ngày hoàn thành", "ref": "mục", "page": "trang", "bbox": "vị trí",
                "section_role": "loại mục", "number": "số, ký hiệu", "issued_on": "ngày ban hành",
                "issuer": "cơ quan ban hành"}

POST_FORM = re.compile(r"""<form\b[^>]*\bmethod\s*=\s*["']?post\b[^>]*>""", re.IGNORECASE)
TOKEN_FIELD = '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'


class FormToken(Extension):
    """Puts the hidden csrf_token field first in every POST form of a template (first: an upload
    is checked as it streams in, before the file's bytes).  The page's context supplies
    `csrf_token()` (app/web/deps.py render); a template rendered without it that has a POST
    form fails loudly instead of rendering a form that would be refused."""

    def preprocess(self, source, name, filename=None):
        return POST_FORM.sub(lambda m: m.group(0) + TOKEN_FIELD, source)


@lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from models.owes_rows import ROLE_LABELS, STATUS_LABELS, confidence_label, recurrence_label, vn_date

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), extensions=[FormToken],
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
