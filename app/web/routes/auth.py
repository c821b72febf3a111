"""Logging in and out.  With a name and password (accounts: `chidao user add`), or with the
shared token (CHIDAO_TOKEN) alone; either way the browser gets a server-side session
(models/accounts.py): a random id in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS),
ended at logout or after SESSION_SECONDS; it replaces the form-only session the login form
was rendered in (a new form token too).  Both forms carry their session's form token (FormCheck).  Wrong passwords slow down: after FREE_TRIES failures
for one name from one address, each further try must wait twice as long (up to MAX_WAIT s)."""
from __future__ import annotations

import hmac
import time
from typing import Optional

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.web.deps import SESSION_COOKIE, FormCheck, SiteDep, render

router = APIRouter()
FREE_TRIES = 5
MAX_WAIT = 300.0


def local_path(target: Optional[str]) -> str:
    """Only same-site paths as redirect targets (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request):
    return render(request, "login.html", nav="", next=local_path(request.query_params.get("next")))


def _wait_left(site, key: str) -> float:
    failures, not_before = site.failures.get(key, (0, 0.0))
    return max(0.0, not_before - time.monotonic())


def _failed(site, key: str) -> None:
    failures, _ = site.failures.get(key, (0, 0.0))
    failures += 1
    wait = 0.0 if failures < FREE_TRIES else min(MAX_WAIT, 2.0 ** (failures - FREE_TRIES))
    site.failures[key] = (failures, time.monotonic() + wait)


@router.post("/login", dependencies=[FormCheck])     # no login CSRF: the form's token too
def login(request: Request, site: SiteDep, token_: str = Form("", alias="token"), name: str = Form(""),
          password: str = Form(""), next: str = Form("/")):
    from sqlmodel import Session

    from models.accounts import SESSION_SECONDS, authenticate, end_session, name_key, start_session

    key = f"{request.client.host if request.client else ''}|{name_key(name)}"
    left = _wait_left(site, key)
    if left > 0:
        return render(request, "login.html", 429, nav="", next=local_path(next), flash_kind="err",
                      flash=f"Đăng nhập sai nhiều lần: hãy chờ {left:.0f} giây rồi thử lại.")
    with Session(site.engine, expire_on_commit=False) as session:
        if name.strip():
            user = authenticate(session, name=name, password=password)
            ok = user is not None
        else:
            user, ok = None, bool(site.token) and hmac.compare_digest(token_.encode(), site.token.encode())
        if not ok:
            _failed(site, key)
            return render(request, "login.html", 401, nav="", next=local_path(next), flash_kind="err",
                          flash="Tên hoặc mật khẩu không đúng." if name.strip() else "Mã truy cập không đúng.")
        end_session(session, request.cookies.get(SESSION_COOKIE))     # the form-only session it replaces
        sid = start_session(session, user)
    site.failures.pop(key, None)
    resp = RedirectResponse(local_path(next), 303)
    resp.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="strict", max_age=SESSION_SECONDS,
                    secure=request.url.scheme == "https")
    return resp


@router.post("/logout", dependencies=[FormCheck])
def logout(request: Request, site: SiteDep):
    from sqlmodel import Session

    from models.accounts import end_session

    with Session(site.engine) as session:
        end_session(session, request.cookies.get(SESSION_COOKIE))
    resp = RedirectResponse("/?msg=logged-out", 303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp
