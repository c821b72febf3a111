"""GET /: search the obligations with filters (and the documents matching the words)."""
from __future__ import annotations

import urllib.parse

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.deps import SessionDep, TodayDep, parse_date, render

router = APIRouter()
PAGE_SIZE = 50
FILTERS = ("q", "unit", "role", "type", "document", "programme", "status", "from", "to", "flag", "overdue", "sort")
SORT_LABELS = {"": "Phù hợp nhất (không có từ khóa: theo hạn)", "confidence": "Ít chắc chắn trước"}


def _offset(value) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, session: SessionDep, today: TodayDep):
    from models.search import facets, search, search_documents

    f = {k: (request.query_params.get(k) or "").strip() for k in FILTERS}
    if f["sort"] not in SORT_LABELS:
        f["sort"] = ""
    offset = _offset(request.query_params.get("offset"))
    error = None
    try:
        due_from, due_to = parse_date(f["from"]), parse_date(f["to"])
    except ValueError:
        due_from = due_to = None
        error = "Ngày không hợp lệ (dùng dd/mm/yyyy)."
    result = search(session, query=f["q"], unit=f["unit"] or None, role=f["role"] or "any",
                    document=f["document"] or None, type=f["type"] or None, programme=f["programme"] or None,
                    due_from=due_from, due_to=due_to, status=[f["status"]] if f["status"] else None,
                    overdue=bool(f["overdue"]), flags=[f["flag"]] if f["flag"] else None, limit=PAGE_SIZE,
                    offset=offset, today=today, sort=f["sort"] or "auto")
    documents = search_documents(session, query=f["q"], limit=5) if f["q"] and not offset else []

    def page_url(off: int) -> str:
        q = {k: v for k, v in f.items() if v}
        q["offset"] = str(max(0, off))
        return "/?" + urllib.parse.urlencode(q)

    return render(request, "search.html", nav="search", f=f, facets=facets(session), result=result,
                  documents=documents, error=error, offset=offset, limit=PAGE_SIZE, page_url=page_url,
                  sort_labels=SORT_LABELS)
