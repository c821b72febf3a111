"""The staff web page: FastAPI, server-rendered Jinja2 pages in Vietnamese; one small script
(static/sort.js) sorts tables when clicked, and every page works without it.

    create_app(host="127.0.0.1", settings=None, db_url=None, intake=None, token=None)

The routes live in app/web/routes/, one router per concern (search, obligations, documents,
units, upload, auth); what they share (the site, a register session, the day, the write check,
page rendering) in app/web/deps.py; a PDF page as an image in app/web/page_image.py.

Safety
- Bound to a loopback address nothing needs a login; bound to any other address a shared
  token (CHIDAO_TOKEN) is required, entered once in a login form (HttpOnly, SameSite=Strict
  cookie), before anything can be changed (status, upload).  Without a token the app refuses
  to start on a non-loopback address.
- The Host header is checked against an allow-list (loopback names, the bound address,
  CHIDAO_HOSTS), and every POST/PUT/PATCH/DELETE must carry an Origin (or Referer) naming this
  very host: `Origin: null` and no Origin at all are refused (app/web/guard.py, in the one
  middleware below; no route repeats it).  Each also carries its session's form token (a
  hidden field every POST form gets from the template layer; checked by the routes' write
  checks, app/web/deps.py); scripts sending the shared token in a header need none.
- An unexpected error answers a Vietnamese 500 page with the same safety headers, no traceback.
- Jinja autoescape is always on, and a Content-Security-Policy without inline scripts is sent:
  text from a PDF never runs as script.
- Uploads: size-limited, file name reduced to a safe base name, written only inside the intake
  folder (routes/upload.py).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from app.web.deps import Site, error_page
from app.web.guard import allowed_hosts, refusal
from app.web.routes import (
    auth, corrections, dashboard, documents, intake, obligations, review, search, tree, units, upload,
)
from app.web.routes.upload import safe_filename  # noqa: F401 - part of this module's interface (tests use it)

if TYPE_CHECKING:
    from flows.settings import Settings

log = logging.getLogger(__name__)
SERVER_ERROR = ("Đã có lỗi ở phía chidao khi mở trang này (không phải lỗi của bạn). Hãy thử lại; nếu vẫn lỗi, "
                "báo cho quản trị viên kèm địa chỉ trang và giờ xảy ra.")
OPEN_PATHS = ("/login", "/static/")
STATIC = Path(__file__).resolve().parent / "static"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "object-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'")
ROUTERS = (search.router, dashboard.router, tree.router, review.router, corrections.router, obligations.router, documents.router, units.router,
           upload.router, intake.router, auth.router)


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(*, host: str = "127.0.0.1", settings: Optional["Settings"] = None, db_url: Optional[str] = None,
               intake: Optional[str | Path] = None, token: Optional[str] = None,
               max_upload_mb: Optional[float] = None, today: Optional[dt.date] = None,
               read_uploads: bool = True) -> FastAPI:
    """The app.  `settings`: the caller's (flows/settings.py), else read from the environment
    here; the other arguments override them (a token of "" means no token).  `read_uploads`: an
    upload is read at once in the background (flows/background.py); False when a `chidao watch`
    elsewhere reads the intake folder.  Raises ValueError when bound off loopback without a token."""
    from flows.background import BackgroundIntake
    from models.db import database_url, init_db

    if settings is None:
        from flows.settings import load_settings

        settings = load_settings()
    token = settings.token if token is None else (token or None)
    if not (token or is_loopback(host)):
        raise ValueError(f"serving on {host} needs a shared token: set CHIDAO_TOKEN (staff log in with it)")
    mb = settings.upload_max_mb if max_upload_mb is None else max_upload_mb
    url = database_url(db_url or settings.db)
    folder = Path(intake or settings.intake).resolve()
    reader = BackgroundIntake(folder, db_url=url, timeout=settings.doc_timeout) if read_uploads else None
    site = Site(settings=settings, engine=init_db(url), token=token, auth_required=bool(token) or not is_loopback(host),
                intake=folder, max_bytes=int(float(mb) * 1024 * 1024), fixed_today=today, reader=reader,
                hosts=allowed_hosts(host, settings.hosts), private=not is_loopback(host))

    app = FastAPI(title="chidao", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.state.site = site
    app.middleware("http")(_headers)
    app.exception_handler(HTTPException)(_http_error)
    app.exception_handler(RequestValidationError)(_bad_request)
    for router in ROUTERS:
        app.include_router(router)
    return app


async def _headers(request: Request, call_next):
    """Refuse a foreign Host or a cross-site change (app/web/guard.py) and an announced oversize
    upload before reading it (the handler counts the bytes too); answer an unexpected error with
    a plain Vietnamese page; send the safety headers with every response."""
    site: Site = request.app.state.site
    refused = refusal(request.method, request.headers, site.hosts)
    if refused:
        response = error_page(request, *refused)
    elif site.private and request.method in ("GET", "HEAD") and not request.url.path.startswith(OPEN_PATHS) \
            and not site.logged_in(request):      # bound beyond loopback: reading needs a login too
        response = RedirectResponse(f"/login?next={urllib.parse.quote(request.url.path)}", status_code=303)
    elif request.method == "POST" and request.url.path == "/upload" and _announced(request) > site.max_bytes + 1024 * 1024:
        response = HTMLResponse(f"Tệp quá lớn (tối đa {site.max_mb} MB).", status_code=413)
    else:
        try:
            response = await call_next(request)
        except Exception:
            log.exception("%s %s failed", request.method, request.url.path)
            response = error_page(request, 500, SERVER_ERROR)
    if request.method == "POST" and response.status_code >= 400:
        response.headers["Connection"] = "close"     # the rest of a refused body is not read, only dropped
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _announced(request: Request) -> int:
    try:
        return int(request.headers.get("content-length") or 0)
    except ValueError:
        return 0


_INVALID = {"int_parsing": "phải là một số nguyên", "missing": "còn thiếu", "float_parsing": "phải là một số",
            "bool_parsing": "phải là có hoặc không"}


async def _bad_request(request: Request, exc: RequestValidationError):
    """A parameter or form field FastAPI could not read: a Vietnamese 400 page naming it."""
    parts = []
    for err in exc.errors():
        name = str(err.get("loc", ("", "?"))[-1])
        parts.append(f"«{name}» {_INVALID.get(err.get('type', ''), 'không hợp lệ')}")
    return error_page(request, 400, "Yêu cầu có tham số không hợp lệ: " + "; ".join(parts)
                      + ". Hãy mở lại trang từ một liên kết của chidao.")


async def _http_error(request: Request, exc: HTTPException):
    """A page that says what went wrong, in Vietnamese; a GET that needs a login goes to the form."""
    if exc.status_code == 401 and request.method == "GET":
        return RedirectResponse(f"/login?next={urllib.parse.quote(request.url.path)}", status_code=303)
    return error_page(request, exc.status_code, str(exc.detail))
