"""The review queue: obligations least certain first, each beside its highlighted source
passage, with one click to accept (it leaves the queue; the history keeps who and when) and a
link to the correction form on the obligation's page."""
from __future__ import annotations

import urllib.parse

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.web.deps import SessionDep, WriteCheck, file_of, flash_redirect, render

router = APIRouter(prefix="/review")
PAGE = 30


def back_to(next_url: str, fallback: str) -> str:
    """Where a form sends the clerk back: one of our own review or obligation pages, never elsewhere."""
    parsed = urllib.parse.urlsplit(next_url or "")
    if parsed.scheme or parsed.netloc or not parsed.path.startswith(("/review", "/obligations/")):
        return fallback
    return urllib.parse.urlunsplit(("", "", parsed.path, parsed.query, ""))


@router.get("", response_class=HTMLResponse)
def review_page(request: Request, session: SessionDep, flag: str = "", unassigned: int = 0, page: int = 1):
    from models.departments import canonical_unit_names
    from models.review import REVIEW_FLAGS, review_queue

    if flag and flag not in REVIEW_FLAGS:
        raise HTTPException(400, f"Không có loại cần rà soát «{flag}».")
    page = max(1, page)
    queue = review_queue(session, flag=flag or None, unassigned=bool(unassigned), limit=PAGE,
                         offset=(page - 1) * PAGE)
    files = {i.document.id: file_of(i.document) is not None for i in queue.items}
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return render(request, "review.html", nav="review", queue=queue, flags=REVIEW_FLAGS, flag=flag,
                  unassigned=bool(unassigned), page=page, pages=max(1, -(-queue.total // PAGE)), files=files,
                  here=here, unit_names=canonical_unit_names(session) if queue.items else [])


@router.post("/{oid}/accept", dependencies=[WriteCheck])
def accept(request: Request, oid: str, session: SessionDep, who: str = Form(""), next: str = Form("")):
    from models.db import RegisterError
    from models.queries import accept_obligation

    target = back_to(next, "/review")
    try:
        ob = accept_obligation(session, obligation_id=oid, who=who.strip()[:128] or "web")
    except RegisterError:
        raise HTTPException(404, "Không tìm thấy nhiệm vụ này.")
    return flash_redirect(request, target, f"Đã xác nhận nhiệm vụ {ob.ref or ob.id[:8]} là đúng; "
                                           "nhiệm vụ ra khỏi danh sách cần rà soát.")
