"""One obligation: its page (source passage, history, chain up to the top directive), its
status change, and its source page as an image."""
from __future__ import annotations

import urllib.parse

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.web.deps import RELATION_LABELS, SessionDep, SiteDep, TodayDep, WriteCheck, file_of, flash_redirect, render

router = APIRouter(prefix="/obligations")


def load_obligation(session: Session, oid: str):
    """(obligation, its document), or 404."""
    from models.db import RegisterError
    from models.queries import get_obligation
    from models.tables import Document

    try:
        ob = get_obligation(session, id=oid)
    except RegisterError:
        raise HTTPException(404, "Không tìm thấy nhiệm vụ này.")
    return ob, session.get(Document, ob.document_id)


@router.get("/{oid}", response_class=HTMLResponse)
def obligation_page(request: Request, oid: str, session: SessionDep, today: TodayDep):
    from models.departments import canonical_unit_names
    from models.queries import document_history, history
    from models.search import search

    ob, doc = load_obligation(session, oid)
    hits = [h for h in search(session, document=doc.id, limit=1000, today=today).hits if h.obligation_id == ob.id]
    path = file_of(doc)
    return render(request, "obligation.html", nav="search", ob=ob, doc=doc, hit=hits[0] if hits else None,
                  history=history(session, obligation_id=ob.id), chain=chain_links(session, ob.id),
                  has_file=path is not None, unit_names=canonical_unit_names(session),
                  docx_paras=docx_source(path, ob.text) if path is not None and doc.kind == "docx" else None,
                  doc_history=document_history(session, document_id=doc.id),
                  here=f"/obligations/{ob.id}" + ("?from=review" if request.query_params.get("from") == "review" else ""),
                  who=urllib.parse.unquote(request.cookies.get("chidao_who", "")))


@router.post("/{oid}/status", dependencies=[WriteCheck])
def obligation_status(request: Request, oid: str, site: SiteDep, session: SessionDep, today: TodayDep,
                      status: str = Form(...), note: str = Form(""), who: str = Form("")):
    from models.accounts import may_change
    from models.db import RegisterError
    from models.queries import set_status

    ob, _ = load_obligation(session, oid)
    me = site.who(request)
    if not may_change(me.role, me.units, [*(ob.lead_units or []), *(ob.support_units or [])]):
        raise HTTPException(403, f"Tài khoản «{me.name}» chỉ được sửa nhiệm vụ của {'; '.join(me.units)}; "
                                 "nhiệm vụ này thuộc đơn vị khác.")
    try:
        set_status(session, obligation_id=ob.id, status=status, note=note.strip() or None,
                   who=me.name if me.user else (who.strip()[:128] or "web"), today=today)
    except RegisterError as exc:
        return flash_redirect(request, f"/obligations/{ob.id}", str(exc), "err")
    resp = RedirectResponse(f"/obligations/{ob.id}?msg=saved", 303)
    if who.strip():
        resp.set_cookie("chidao_who", urllib.parse.quote(who.strip()[:128]), httponly=True, samesite="strict")
    return resp


@router.get("/{oid}/page.png")
def obligation_page_image(oid: str, session: SessionDep, crop: int = 0):
    from app.web.page_image import render_page

    ob, doc = load_obligation(session, oid)
    path = file_of(doc)
    if path is None or doc.kind != "pdf":
        raise HTTPException(404, "Không có tệp gốc.")
    try:
        png = render_page(path, ob.page or 1, ob.bbox, ob.text, crop=bool(crop))
    except Exception as exc:  # a damaged file must not break the page: one clear line
        raise HTTPException(422, f"{doc.source_file}: không hiển thị được trang {ob.page or 1} ({exc.__class__.__name__})")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


def docx_source(path, text: str) -> list:
    """A DOCX task's paragraphs from its file (app/web/docx_passage.py); [] when the file
    cannot be read or does not hold the passage (the page then shows the stored text)."""
    from app.web.docx_passage import docx_passage

    try:
        return docx_passage(path, text)
    except Exception:       # a damaged file must not break the page: the stored text is shown
        return []


def chain_links(session: Session, oid: str) -> list[dict]:
    """The first chain from the obligation up to its top directive, as links."""
    try:
        from models.graph import chain

        chains = chain(session, obligation_id=oid)
    except Exception:
        return []
    if not chains:
        return []
    return [_link(session, node, rel) for node, rel in chains[0][1:]]


def _link(session: Session, node: str, rel) -> dict:
    from models.tables import Document

    kind, _, ident = node.partition(":")
    label, href = ident, None
    if kind == "doc":
        d = session.get(Document, ident)
        if d is not None:
            label = f"{d.type or 'Văn bản'} {d.number or d.source_file}"
            href = f"/documents/{d.id}"
    elif kind in ("prog", "cite"):
        from sqlalchemy import text as sql

        row = session.execute(sql("SELECT number, type FROM citations WHERE number_key = :k LIMIT 1"),
                              {"k": ident}).first()
        printed = f"{row[1] or ''} {row[0]}".strip() if row else ident.upper()
        label = f"{printed} (chưa có trong sổ)" if kind == "cite" else f"Chương trình, đề án theo {printed}"
        href = "/?" + urllib.parse.urlencode({"programme": row[0] if row else ident})
    return {"label": label, "href": href, "relation": RELATION_LABELS.get(rel or "", rel or "")}
