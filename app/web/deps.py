"""What the routers share: the site (its settings and register, built once by create_app) and
the dependencies a route asks for with `Depends`: the settings, a register session, the day,
the write checks; and `render`, which fills a page template.

    @router.get("/units")
    def units_page(request: Request, session: SessionDep, today: TodayDep): ...

Form tokens (no cross-site writes, besides the Origin check of app/web/guard.py): every
browser has a server-side session (models/accounts.py; one that only carries the token when
nobody logged in, made the first time a page with a form is rendered), and every POST form the
templates render carries that session's token in a hidden `csrf_token` field (put in by the
template layer, app/web/templating.py).  A change is refused 403 unless the field equals the
token of the session named by the request's cookie (compared in constant time): another site
can neither read the token nor send the SameSite=Strict cookie.  Scripts that send the shared
token in the X-Chidao-Token header are exempt: a browser never adds that header cross-site.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Iterator, Optional

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from flows.background import BackgroundIntake
    from flows.settings import Settings

SESSION_COOKIE = "chidao_session"     # a server-side session's random id (models/accounts.py), never the token
FLASH_COOKIE = "chidao_flash"
# The only banners a URL may ask for (`?msg=CODE`); any other text comes from the server in a
# signed, one-page flash cookie (flash_redirect), never from the query string.
MESSAGES = {"saved": ("Đã lưu tình trạng.", "ok"), "logged-out": ("Đã đăng xuất.", "ok")}
RELATION_LABELS = {"basis": "căn cứ", "implements": "thực hiện", "cites": "dẫn chiếu"}
FORM_FIELD = "csrf_token"
FORM_REFUSED = ("Thay đổi không được thực hiện: biểu mẫu thiếu mã xác nhận của phiên làm việc, hoặc mã đã cũ "
                "(trang mở từ lâu, đã đăng nhập hay đăng xuất ở thẻ khác, hoặc biểu mẫu không phải của trang chidao). "
                "Hãy bấm nút Quay lại của trình duyệt, tải lại trang đó (phím F5) rồi làm lại thao tác.")


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a user (their role and units), the shared token (a script), or
    anyone on a loopback site that has neither token nor users."""
    name: str
    role: str                       # viewer | editor | admin
    units: tuple[str, ...] = ()
    user: bool = False              # a named account (the history names it)
    script: bool = False            # the shared token in the X-Chidao-Token header: needs no form token


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
    hosts: frozenset[str] = frozenset()       # host names answered besides loopback ones (app/web/guard.py)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)   # signs flash cookies

    @property
    def max_mb(self) -> int:
        return self.max_bytes // (1024 * 1024)

    def today(self) -> dt.date:
        return self.fixed_today or dt.date.today()

    private: bool = False                     # bound beyond loopback: reading needs a login too
    failures: dict = field(default_factory=dict, repr=False)   # login back-off: key -> (failures, not before)

    def has_users(self) -> bool:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM users WHERE active LIMIT 1")).first() is not None

    def needs_login(self) -> bool:
        """A change needs a login: a token is set, the site is bound beyond loopback, or accounts exist."""
        return self.auth_required or self.has_users()

    def who(self, request: Request) -> Optional[Principal]:
        """The request's principal (cached on the request), or None when nobody is logged in."""
        if "principal" not in request.scope.setdefault("state", {}):
            request.scope["state"]["principal"] = self._who(request)
        return request.scope["state"]["principal"]

    def _who(self, request: Request) -> Optional[Principal]:
        header = request.headers.get("x-chidao-token") or ""
        if self.token and header and hmac.compare_digest(header.encode(), self.token.encode()):
            return Principal("token", "admin", script=True)
        sid = request.cookies.get(SESSION_COOKIE)
        if sid:
            from models.accounts import session_row

            with Session(self.engine) as s:
                found = session_row(s, sid)
            if found is not None:
                user = found[1]
                return Principal(user.name, user.role, tuple(user.units), True) if user else Principal("web", "admin")
        if not self.needs_login():
            return Principal("web", "admin")
        return None

    def logged_in(self, request: Request) -> bool:
        return self.who(request) is not None


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


def form_token(request: Request) -> str:
    """The token the forms of this page carry: the session's named by the request's cookie, or
    (no live session) that of a new session that only carries it, whose cookie the rendered
    page then sets (with_session_cookie).  Asked by the templates, so only a page that renders
    a form makes a session."""
    state = request.scope.setdefault("state", {})
    if "form_token" not in state:
        from models.accounts import SESSION_SECONDS, form_token as token_of, start_session

        with Session(get_site(request).engine) as s:
            token = token_of(s, request.cookies.get(SESSION_COOKIE))
            if token is None:
                cookie = start_session(s, None, logged_in=False, seconds=SESSION_SECONDS)
                token = token_of(s, cookie)
                state["new_session"] = cookie
        state["form_token"] = token
    return state["form_token"]


def with_session_cookie(request: Request, response):
    """RESPONSE, setting the cookie of a session form_token made while rendering it."""
    cookie = request.scope.get("state", {}).get("new_session")
    if cookie:
        from models.accounts import SESSION_SECONDS

        response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="strict", max_age=SESSION_SECONDS,
                            path="/", secure=request.url.scheme == "https")
    return response


def form_refusal(request: Request, sent: Optional[str]) -> Optional[str]:
    """None when the request may change something: it comes from a script with the shared token
    in its header, or SENT (the form's csrf_token) is the token of the request's session; else
    the Vietnamese reason (FORM_REFUSED)."""
    from models.accounts import form_token as token_of

    site = get_site(request)
    who = site.who(request)
    if who is not None and who.script:
        return None
    with Session(site.engine) as s:
        expected = token_of(s, request.cookies.get(SESSION_COOKIE))
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        return FORM_REFUSED
    return None


def _may_write(request: Request, site: Site) -> None:
    who = site.who(request)
    if who is None:
        raise HTTPException(401, "Cần đăng nhập.")
    if who.role == "viewer":
        raise HTTPException(403, f"Tài khoản «{who.name}» chỉ được xem (viewer), không được thay đổi.")


async def require_form(request: Request) -> None:
    """A POST form carries its session's token (form_refusal), else 403."""
    refused = form_refusal(request, (await request.form()).get(FORM_FIELD))
    if refused:
        raise HTTPException(403, refused)


async def require_write(request: Request, site: Annotated[Site, Depends(get_site)]) -> None:
    """A change (status, correction, retry) only logged in, by an editor or admin, with the
    form's token; that it comes from this site's own pages the app's middleware has checked
    already (app/web/guard.py).  The form is read here (FastAPI keeps it for the route)."""
    _may_write(request, site)
    await require_form(request)


def require_write_streamed(request: Request, site: Annotated[Site, Depends(get_site)]) -> None:
    """require_write for a route that reads its own body as it streams in (uploads): the login
    and role here, before a byte is read; the form token by the route, from the stream, before
    it writes anything (form_refusal)."""
    _may_write(request, site)


SiteDep = Annotated[Site, Depends(get_site)]
SessionDep = Annotated[Session, Depends(get_session)]
TodayDep = Annotated[dt.date, Depends(get_today)]
WriteCheck = Depends(require_write)
StreamedWriteCheck = Depends(require_write_streamed)
FormCheck = Depends(require_form)


def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """A page from its template, with what every page shows (login state, labels, a flash line:
    the caller's, else the server's flash cookie, else an allow-listed `?msg=` code)."""
    from app.web.templating import environment
    from models.owes_rows import FLAG_LABELS, STATUS_LABELS

    site = get_site(request)
    if "flash" not in ctx:
        ctx["flash"], ctx["flash_kind"] = read_flash(request) or MESSAGES.get(request.query_params.get("msg", ""),
                                                                            (None, "ok"))
    ctx.setdefault("flash_kind", "ok")
    logged_in = site.logged_in(request)
    html = environment().get_template(template).render(
        auth_required=site.needs_login(), logged_in=logged_in, can_edit=logged_in, STATUS_LABELS=STATUS_LABELS,
        flag_labels=FLAG_LABELS, relation_labels=RELATION_LABELS, csrf_token=lambda: form_token(request), **ctx)
    response = with_session_cookie(request, HTMLResponse(html, status_code=status_code))
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _sign(site: Site, payload: str) -> str:
    return hmac.new(site.secret, payload.encode(), hashlib.sha256).hexdigest()


def flash_redirect(request: Request, url: str, text: str, kind: str = "ok") -> RedirectResponse:
    """A 303 to URL whose page shows TEXT as its banner once (kind "ok" or "err"): the text
    travels in a cookie signed with the site's secret, so no link can put words in the banner."""
    payload = base64.urlsafe_b64encode(json.dumps([text, kind], ensure_ascii=False).encode()).decode()
    response = RedirectResponse(url, 303)
    response.set_cookie(FLASH_COOKIE, f"{payload}.{_sign(get_site(request), payload)}", max_age=120, path="/",
                        httponly=True, samesite="strict")
    return response


def read_flash(request: Request) -> Optional[tuple[str, str]]:
    """(text, kind) from a flash cookie this site signed, else None."""
    payload, _, sig = (request.cookies.get(FLASH_COOKIE) or "").partition(".")
    if not payload or not hmac.compare_digest(sig, _sign(get_site(request), payload)):
        return None
    try:
        text, kind = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    return str(text), ("err" if kind == "err" else "ok")


def error_page(request: Request, status_code: int, text: str) -> HTMLResponse:
    """The site's page with one red line saying what went wrong (Vietnamese), nothing else."""
    from app.web.templating import environment

    site = get_site(request)
    html = environment().get_template("base.html").render(
        auth_required=site.needs_login(), logged_in=site.logged_in(request), flash=text, flash_kind="err", nav="",
        csrf_token=lambda: form_token(request))
    return with_session_cookie(request, HTMLResponse(html, status_code=status_code))


def parse_date(value: Optional[str]) -> Optional[dt.date]:
    """dd/mm/yyyy (as clerks write it) or YYYY-MM-DD, years 1900–2999 (models.dates.parse_day);
    ValueError, with a Vietnamese message, otherwise."""
    from models.dates import parse_day

    return parse_day(value)


def file_of(doc) -> Optional[Path]:
    """The stored original of a document, when it is still on disk."""
    p = getattr(doc, "source_path", None)
    if not p:
        return None
    path = Path(p)
    return path if path.is_file() else None
