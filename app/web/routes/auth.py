"""Logging in with the shared token (CHIDAO_TOKEN) and out.  Only needed when the site is bound
to an address other than loopback (create_app decides); the cookie is HttpOnly, SameSite=Strict."""
from __future__ import annotations

import hmac
from typing import Optional

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.web.deps import COOKIE, SiteDep, render

router = APIRouter()
SESSION_SECONDS = 12 * 3600


def local_path(target: Optional[str]) -> str:
    """Only same-site paths as redirect targets (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request):
    return render(request, "login.html", nav="", next=local_path(request.query_params.get("next")))


@router.post("/login")
def login(request: Request, site: SiteDep, token_: str = Form(..., alias="token"), next: str = Form("/")):
    if not site.auth_required:
        return RedirectResponse(local_path(next), 303)
    if not hmac.compare_digest(token_.encode(), (site.token or "").encode()):
        return render(request, "login.html", 401, nav="", next=local_path(next), flash="Mã truy cập không đúng.",
                      flash_kind="err")
    resp = RedirectResponse(local_path(next), 303)
    resp.set_cookie(COOKIE, site.token, httponly=True, samesite="strict", max_age=SESSION_SECONDS)
    return resp


@router.post("/logout")
def logout():
    resp = RedirectResponse("/", 303)
    resp.delete_cookie(COOKIE)
    return resp
