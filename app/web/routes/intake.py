"""GET /intake: the files the office dropped, waiting / being read / done / failed (with the
reason in Vietnamese and the `chidao retry` command that works when pasted); POST /intake/retry:
a failed file back into the folder, read again at once."""
from __future__ import annotations


from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from app.web.deps import SiteDep, WriteCheck, flash_redirect, render

router = APIRouter(prefix="/intake")


@router.get("", response_class=HTMLResponse)
def intake_page(request: Request, site: SiteDep):
    from flows import intake as I
    from flows.background import folder_state

    folders = site.reader.folders if site.reader is not None else I.IntakeFolders.at(site.intake)
    state = folder_state(folders)
    state.running = site.reader is not None and site.reader.running
    busy = bool(state.waiting or state.reading or state.running)
    return render(request, "intake.html", nav="intake", state=state, busy=busy, reads_here=site.reader is not None,
                  intake=str(folders.intake))


@router.post("/retry", dependencies=[WriteCheck])
def intake_retry(request: Request, site: SiteDep, name: str = Form(...)):
    from flows import intake as I

    folders = site.reader.folders if site.reader is not None else I.IntakeFolders.at(site.intake)
    try:
        moved = I.retry(folders, name)
    except LookupError:
        return flash_redirect(request, "/intake", f"{name}: không còn trong mục «Không đọc được» (có thể đã được "
                              "thử lại).", "err")
    if site.reader is not None:
        site.reader.kick()
    return flash_redirect(request, "/intake", f"Đã đưa {', '.join(p.name for p in moved)} vào đọc lại.")
