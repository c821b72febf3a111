"""What the routers share: the site (its settings and register, built once by create_app) and
the dependencies a route asks for with `Depends`: the settings, a register session, the day,
the write check; and `render`, which fills a page template.

    @router.get("/units")
    def units_page(request: Request, session: SessionDep, today: TodayDep): ...
"""
from __future__ import annotations

import datetime as dt
import hmac
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Iterator, Optional

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from flows.background import BackgroundIntake
    from flows.settings import Settings

COOKIE = "chidao_token"
RELATION_LABELS = {"basis": "căn cứ", "implements": "thực hiện", "cites": "dẫn chiếu"}


@dataclass(frozen=True)
class Site:
    """One running web app: its settings, its register, and what they decide."""

    settings: "Settings"
    engine: "Engine"
    token: Optional[str]
    auth_required: bool
    intake: Path
    max_bytes: int
    fixed_today: Optional[dt.date] = None   # tests pin the day; a running site asks the clock
    reader: Optional["BackgroundIntake"] = None   # reads uploads in the background (None: a watcher elsewhere does)

    @property
    def max_mb(self) -> int:
        return self.max_bytes // (1024 * 1024)

    def today(self) -> dt.date:
        return self.fixed_today or dt.date.today()

    def logged_in(self, request: Request) -> bool:
        if not self.auth_required:
            return True
        got = request.cookies.get(COOKIE) or request.headers.get("x-chidao-token") or ""
        return hmac.compare_digest(got.encode(), (self.token or "").encode())


def get_site(request: Request) -> Site:
    return request.app.state.site


def get_settings(site: Annotated[Site, Depends(get_site)]) -> "Settings":
    return site.settings


def get_session(site: Annotated[Site, Depends(get_site)]) -> Iterator[Session]:
    """A register session for one request; writes commit inside the register functions."""
    with Session(site.engine, expire_on_commit=False) as session:
        yield session


def get_today(site: Annotated[Site, Depends(get_site)]) -> dt.date:
    return site.today()


def require_write(request: Request, site: Annotated[Site, Depends(get_site)]) -> None:
    """A change (status, upload) only from this site's own pages, and only logged in."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        if urllib.parse.urlsplit(origin).netloc != request.headers.get("host", ""):
            raise HTTPException(403, "Yêu cầu từ trang khác bị từ chối.")
    if not site.logged_in(request):
        raise HTTPException(401, "Cần đăng nhập.")


SiteDep = Annotated[Site, Depends(get_site)]
SessionDep = Annotated[Session, Depends(get_session)]
TodayDep = Annotated[dt.date, Depends(get_today)]
WriteCheck = Depends(require_write)


def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """A page from its template, with what every page shows (login state, labels, a flash line)."""
    from app.web.templating import environment
    from models.owes_rows import FLAG_LABELS, STATUS_LABELS

    site = get_site(request)
    ctx.setdefault("flash", request.query_params.get("msg"))
    ctx.setdefault("flash_kind", request.query_params.get("kind", "ok"))
    logged_in = site.logged_in(request)
    html = environment().get_template(template).render(
        auth_required=site.auth_required, logged_in=logged_in, can_edit=logged_in, STATUS_LABELS=STATUS_LABELS,
        flag_labels=FLAG_LABELS, relation_labels=RELATION_LABELS, **ctx)
    return HTMLResponse(html, status_code=status_code)


def parse_date(value: Optional[str]) -> Optional[dt.date]:
    """dd/mm/yyyy (as clerks write it) or YYYY-MM-DD; ValueError otherwise."""
    import re

    if not value:
        return None
    value = value.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return dt.date.fromisoformat(value)


def file_of(doc) -> Optional[Path]:
    """The stored original of a document, when it is still on disk."""
    p = getattr(doc, "source_path", None)
    if not p:
        return None
    path = Path(p)
    return path if path.is_file() else None
