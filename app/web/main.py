"""The staff web page: FastAPI, server-rendered Jinja2 pages in Vietnamese, no JavaScript.

    create_app(host="127.0.0.1", db_url=None, intake=None, token=None)

Safety
- Bound to a loopback address nothing needs a login; bound to any other address a shared
  token (CHIDAO_TOKEN) is required, entered once in a login form (HttpOnly, SameSite=Strict
  cookie), before anything can be changed (status, upload).  Without a token the app refuses
  to start on a non-loopback address.
- Every POST from another origin is refused (a page on the internet cannot drive a clerk's
  browser into changing the register).
- Jinja autoescape is always on, and a Content-Security-Policy without inline scripts is sent:
  text from a PDF never runs as script.
- Uploads: size-limited, file name reduced to a safe base name, written only inside the intake
  folder (temporary hidden name first, then renamed, so the watcher never sees half a file).
"""
from __future__ import annotations

import datetime as dt
import hmac
import io
import ipaddress
import os
import re
import secrets
import unicodedata
import urllib.parse
from pathlib import Path
from typing import Optional

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session

from app.web.templating import environment

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "chidao_token"
ALLOWED_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".docx"}
DEFAULT_MAX_MB = 50
PAGE_SIZE = 50
FLAG_LABELS = {
    "no-unit": "Chưa rõ đơn vị",
    "unknown-unit": "Đơn vị lạ",
    "deadline-before-document": "Hạn trước ngày văn bản",
    "duplicate": "Có thể trùng",
    "not-in-latest-extraction": "Không còn trong lần đọc mới",
}
RELATION_LABELS = {"basis": "căn cứ", "implements": "thực hiện", "cites": "dẫn chiếu"}
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "object-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'")


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_filename(name: str) -> str:
    """A plain base name: no directories, no control or shell-special characters, no leading
    dot, at most 120 characters; the extension kept (lower case)."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^\w\-. ()]+", "_", stem, flags=re.UNICODE).strip(" ._") or "van-ban"
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())
    return (stem[:120] + ("." + ext if ext else "")).strip()


def create_app(*, host: str = "127.0.0.1", db_url: Optional[str] = None, intake: Optional[str | Path] = None,
               token: Optional[str] = None, max_upload_mb: Optional[float] = None,
               today: Optional[dt.date] = None) -> FastAPI:
    from models.db import database_url, init_db

    token = token if token is not None else (os.environ.get("CHIDAO_TOKEN") or None)
    auth_required = bool(token) or not is_loopback(host)
    if auth_required and not token:
        raise ValueError(f"serving on {host} needs a shared token: set CHIDAO_TOKEN (staff log in with it)")
    url = database_url(db_url)
    engine = init_db(url)
    intake_dir = Path(intake or os.environ.get("CHIDAO_INTAKE") or "intake").resolve()
    max_bytes = int(float(max_upload_mb if max_upload_mb is not None
                          else os.environ.get("CHIDAO_UPLOAD_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024)
    env = environment()

    app = FastAPI(title="chidao", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.state.intake = intake_dir
    app.state.engine = engine

    def the_day() -> dt.date:
        return today or dt.date.today()

    def logged_in(request: Request) -> bool:
        if not auth_required:
            return True
        got = request.cookies.get(COOKIE) or request.headers.get("x-chidao-token") or ""
        return hmac.compare_digest(got.encode(), token.encode())

    def render(request: Request, template: str, status_code: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("flash", request.query_params.get("msg"))
        ctx.setdefault("flash_kind", request.query_params.get("kind", "ok"))
        html = env.get_template(template).render(auth_required=auth_required, logged_in=logged_in(request),
                                             can_edit=logged_in(request), STATUS_LABELS=_status_labels(),
                                             flag_labels=FLAG_LABELS, relation_labels=RELATION_LABELS, **ctx)
        return HTMLResponse(html, status_code=status_code)

    def check_write(request: Request) -> None:
        origin = request.headers.get("origin")
        if origin and origin != "null":
            o = urllib.parse.urlsplit(origin)
            if o.netloc != request.headers.get("host", ""):
                raise HTTPException(403, "Yêu cầu từ trang khác bị từ chối.")
        if not logged_in(request):
            raise HTTPException(401, "Cần đăng nhập.")

    @app.middleware("http")
    async def headers(request: Request, call_next):
        if request.method == "POST" and request.url.path == "/upload":
            # refuse an announced oversize body before reading it (the handler checks the bytes too)
            try:
                announced = int(request.headers.get("content-length") or 0)
            except ValueError:
                announced = 0
            if announced > max_bytes + 1024 * 1024:
                return HTMLResponse(f"Tệp quá lớn (tối đa {max_bytes // (1024 * 1024)} MB).", status_code=413)
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if exc.status_code == 401 and request.method == "GET":
            return RedirectResponse(f"/login?next={urllib.parse.quote(request.url.path)}", status_code=303)
        html = env.get_template("base.html").render(
            auth_required=auth_required, logged_in=logged_in(request), flash=str(exc.detail), flash_kind="err", nav="")
        return HTMLResponse(html, status_code=exc.status_code)

    # ---------------------------------------------------------------- search

    @app.get("/", response_class=HTMLResponse)
    def search_page(request: Request):
        from models.search import facets, search, search_documents

        p = request.query_params
        f = {k: (p.get(k) or "").strip() for k in ("q", "unit", "role", "type", "document", "programme", "status",
                                                   "from", "to", "flag", "overdue")}
        offset = _int(p.get("offset"), 0)
        error = None
        result = None
        documents = []
        with Session(engine, expire_on_commit=False) as s:
            fac = facets(s)
            try:
                due_from, due_to = _date(f["from"]), _date(f["to"])
            except ValueError:
                due_from = due_to = None
                error = "Ngày không hợp lệ (dùng dd/mm/yyyy)."
            result = search(s, query=f["q"], unit=f["unit"] or None, role=f["role"] or "any",
                            document=f["document"] or None, type=f["type"] or None,
                            programme=f["programme"] or None, due_from=due_from, due_to=due_to,
                            status=[f["status"]] if f["status"] else None, overdue=bool(f["overdue"]),
                            flags=[f["flag"]] if f["flag"] else None, limit=PAGE_SIZE, offset=offset,
                            today=the_day())
            if f["q"] and not offset:
                documents = search_documents(s, query=f["q"], limit=5)

        def page_url(off: int) -> str:
            q = {k: v for k, v in f.items() if v}
            q["offset"] = str(max(0, off))
            return "/?" + urllib.parse.urlencode(q)

        return render(request, "search.html", nav="search", f=f, facets=fac, result=result, documents=documents,
                      error=error, offset=offset, limit=PAGE_SIZE, page_url=page_url)

    # ---------------------------------------------------------------- obligations

    def _load_obligation(s: Session, oid: str):
        from models.db import RegisterError
        from models.queries import get_obligation
        from models.tables import Document

        try:
            ob = get_obligation(s, id=oid)
        except RegisterError:
            raise HTTPException(404, "Không tìm thấy nhiệm vụ này.")
        return ob, s.get(Document, ob.document_id)

    @app.get("/obligations/{oid}", response_class=HTMLResponse)
    def obligation_page(request: Request, oid: str):
        from models.queries import history
        from models.search import search

        with Session(engine, expire_on_commit=False) as s:
            ob, doc = _load_obligation(s, oid)
            hits = [h for h in search(s, document=doc.id, limit=1000, today=the_day()).hits if h.obligation_id == ob.id]
            hit = hits[0] if hits else None
            hist = history(s, obligation_id=ob.id)
            chain = _chain(s, ob.id)
        return render(request, "obligation.html", nav="search", ob=ob, doc=doc, hit=hit, history=hist, chain=chain,
                      has_file=_file_of(doc) is not None, who=urllib.parse.unquote(request.cookies.get("chidao_who", "")))

    @app.post("/obligations/{oid}/status")
    def obligation_status(request: Request, oid: str, status: str = Form(...), note: str = Form(""),
                          who: str = Form("")):
        from models.db import RegisterError
        from models.queries import set_status

        check_write(request)
        with Session(engine, expire_on_commit=False) as s:
            ob, _ = _load_obligation(s, oid)
            try:
                set_status(s, obligation_id=ob.id, status=status, note=note.strip() or None,
                           who=(who.strip()[:128] or "web"), today=the_day())
            except RegisterError as exc:
                return RedirectResponse(f"/obligations/{ob.id}?kind=err&msg=" + urllib.parse.quote(str(exc)), 303)
        resp = RedirectResponse(f"/obligations/{ob.id}?msg=" + urllib.parse.quote("Đã lưu tình trạng."), 303)
        if who.strip():
            resp.set_cookie("chidao_who", urllib.parse.quote(who.strip()[:128]), httponly=True, samesite="strict")
        return resp

    @app.get("/obligations/{oid}/page.png")
    def obligation_page_image(oid: str, crop: int = 0):
        with Session(engine, expire_on_commit=False) as s:
            ob, doc = _load_obligation(s, oid)
            path = _file_of(doc)
        if path is None or doc.kind != "pdf":
            raise HTTPException(404, "Không có tệp gốc.")
        try:
            png = render_page(path, ob.page or 1, ob.bbox, ob.text, crop=bool(crop))
        except Exception as exc:  # a damaged file must not break the page: one clear line
            raise HTTPException(422, f"{doc.source_file}: không hiển thị được trang {ob.page or 1} ({exc.__class__.__name__})")
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})

    # ---------------------------------------------------------------- documents

    @app.get("/documents", response_class=HTMLResponse)
    def documents_page(request: Request):
        from models.queries import document_obligation_counts, list_documents

        with Session(engine, expire_on_commit=False) as s:
            docs = [d for d in list_documents(s) if d.version_of is None]
            counts = document_obligation_counts(s)
        docs.sort(key=lambda d: (d.issued_on or dt.date.min), reverse=True)
        return render(request, "documents.html", nav="documents", docs=docs, counts=counts)

    @app.get("/documents/{doc_id}", response_class=HTMLResponse)
    def document_page(request: Request, doc_id: str):
        from models.db import RegisterError
        from models.queries import get_document, list_citations
        from models.search import search
        from models.tables import Document

        with Session(engine, expire_on_commit=False) as s:
            try:
                doc = get_document(s, id=doc_id)
            except RegisterError:
                raise HTTPException(404, "Không tìm thấy văn bản này.")
            up = list_citations(s, document_id=doc.id)
            down = []
            seen = set()
            for c in list_citations(s, document_id=doc.id, cited_by=True):
                if c.from_document in seen or c.from_document == doc.id:
                    continue
                seen.add(c.from_document)
                d = s.get(Document, c.from_document)
                if d is not None:
                    down.append({"id": d.id, "number": d.number, "type": d.type, "source_file": d.source_file,
                                 "relation": c.relation})
            hits = search(s, document=doc.id, limit=1000, today=the_day()).hits
        return render(request, "document.html", nav="documents", doc=doc, up=up, down=down, hits=_doc_order(hits),
                      has_file=_file_of(doc) is not None)

    @app.get("/documents/{doc_id}/file")
    def document_file(doc_id: str):
        from models.db import RegisterError
        from models.queries import get_document

        with Session(engine, expire_on_commit=False) as s:
            try:
                doc = get_document(s, id=doc_id)
            except RegisterError:
                raise HTTPException(404, "Không tìm thấy văn bản này.")
            path = _file_of(doc)
        if path is None:
            raise HTTPException(404, "Không còn tệp gốc trên máy chủ.")
        media = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                 ".tif": "image/tiff", ".tiff": "image/tiff",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        mt = media.get(path.suffix.lower(), "application/octet-stream")
        return FileResponse(path, media_type=mt, filename=safe_filename(doc.source_file),
                            content_disposition_type="inline" if mt != media[".docx"] else "attachment")

    # ---------------------------------------------------------------- units

    @app.get("/units", response_class=HTMLResponse)
    def units_page(request: Request):
        from models.owes import summary

        days = 30
        with Session(engine, expire_on_commit=False) as s:
            rows = summary(s, today=the_day(), days=days)
        return render(request, "units.html", nav="units", rows=rows, days=days, chart=bar_chart(rows))

    def _owes_args(p) -> dict:
        status = p.get("status") or "open"
        return {"unit": (p.get("name") or "").strip() or None, "date_from": _date(p.get("from")),
                "date_to": _date(p.get("to")), "status": None if status == "all" else [status]}

    @app.get("/units/view", response_class=HTMLResponse)
    def unit_page(request: Request):
        from models.owes import owes

        p = request.query_params
        name = (p.get("name") or "").strip()
        if not name:
            return RedirectResponse("/units", 303)
        try:
            args = _owes_args(p)
        except ValueError:
            raise HTTPException(400, "Ngày không hợp lệ.")
        with Session(engine, expire_on_commit=False) as s:
            group = owes(s, today=the_day(), **args)[0]
        qs = urllib.parse.urlencode({k: v for k, v in {"name": name, "status": p.get("status") or "open",
                                                       "from": p.get("from") or "", "to": p.get("to") or ""}.items() if v})
        return render(request, "unit.html", nav="units", group=group, name=name, status=p.get("status") or "open",
                      dfrom=p.get("from") or "", dto=p.get("to") or "", export_qs=qs)

    @app.get("/units/export")
    def unit_export(request: Request):
        import tempfile

        from app.reports import default_path, write
        from models.owes import owes

        p = request.query_params
        fmt = (p.get("format") or "xlsx").lower()
        if fmt not in ("xlsx", "pdf", "ics", "html"):
            raise HTTPException(400, "Định dạng không hỗ trợ.")
        try:
            args = _owes_args(p)
        except ValueError:
            raise HTTPException(400, "Ngày không hợp lệ.")
        with Session(engine, expire_on_commit=False) as s:
            groups = owes(s, today=the_day(), **args)
        title = f"DANH MỤC NHIỆM VỤ — {groups[0].unit}" if args["unit"] and groups else "DANH MỤC NHIỆM VỤ ĐƯỢC GIAO"
        name = default_path(fmt, args["unit"], outdir=".").name
        with tempfile.TemporaryDirectory() as tmp:
            out = write(groups, fmt, Path(tmp) / name, title=title, today=the_day())
            data = out.read_bytes()
        media = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "pdf": "application/pdf", "ics": "text/calendar; charset=utf-8", "html": "text/html; charset=utf-8"}[fmt]
        disp = "inline" if fmt == "html" else "attachment"
        return Response(data, media_type=media, headers={"Content-Disposition": f'{disp}; filename="{name}"'})

    # ---------------------------------------------------------------- upload

    @app.get("/upload", response_class=HTMLResponse)
    def upload_page(request: Request):
        return render(request, "upload.html", nav="upload", max_mb=max_bytes // (1024 * 1024))

    @app.post("/upload")
    async def upload(request: Request, file: UploadFile = File(...)):
        check_write(request)
        name = safe_filename(file.filename or "")
        suffix = Path(name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            return render(request, "upload.html", 400, nav="upload", max_mb=max_bytes // (1024 * 1024),
                          flash=f"{name}: loại tệp không nhận (chỉ nhận PDF, ảnh, DOCX).", flash_kind="err")
        intake_dir.mkdir(parents=True, exist_ok=True)
        tmp = intake_dir / f".upload-{secrets.token_hex(8)}.part"
        size = 0
        try:
            with open(tmp, "wb") as fh:
                while chunk := await file.read(1024 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise HTTPException(413, f"{name}: tệp quá lớn (tối đa {max_bytes // (1024 * 1024)} MB).")
                    fh.write(chunk)
            if size == 0:
                raise HTTPException(400, f"{name}: tệp rỗng.")
            target = _free_name(intake_dir, name)
            if target.resolve().parent != intake_dir:   # belt and braces: never outside the intake
                raise HTTPException(400, f"{name}: tên tệp không hợp lệ.")
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
        return RedirectResponse("/upload?msg=" + urllib.parse.quote(
            f"Đã nhận {target.name} ({size // 1024} KB). Văn bản sẽ có trong sổ sau khi được đọc xong."), 303)

    # ---------------------------------------------------------------- login

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request):
        return render(request, "login.html", nav="", next=_local(request.query_params.get("next")))

    @app.post("/login")
    def login(request: Request, token_: str = Form(..., alias="token"), next: str = Form("/")):
        if not auth_required:
            return RedirectResponse(_local(next), 303)
        if not hmac.compare_digest(token_.encode(), token.encode()):
            return render(request, "login.html", 401, nav="", next=_local(next), flash="Mã truy cập không đúng.",
                          flash_kind="err")
        resp = RedirectResponse(_local(next), 303)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
        return resp

    @app.post("/logout")
    def logout():
        resp = RedirectResponse("/", 303)
        resp.delete_cookie(COOKIE)
        return resp

    return app


# -------------------------------------------------------------------- helpers

def _status_labels():
    from models.owes_rows import STATUS_LABELS

    return STATUS_LABELS


def _int(v, default: int) -> int:
    try:
        return max(0, int(v))
    except (TypeError, ValueError):
        return default


def _date(v) -> Optional[dt.date]:
    if not v:
        return None
    v = v.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return dt.date.fromisoformat(v)


def _local(target: Optional[str]) -> str:
    """Only same-site paths as redirect targets (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _free_name(folder: Path, name: str) -> Path:
    stem, suffix = Path(name).stem, Path(name).suffix
    cand = folder / name
    n = 1
    while cand.exists():
        cand = folder / f"{stem}-{n}{suffix}"
        n += 1
    return cand


def _file_of(doc) -> Optional[Path]:
    p = getattr(doc, "source_path", None)
    if not p:
        return None
    path = Path(p)
    return path if path.is_file() else None


def _doc_order(hits):
    def ref_key(h):
        return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", h.ref or "")]
    return sorted(hits, key=ref_key)


def _chain(session, oid: str) -> list[dict]:
    """The first chain from the obligation up to its top directive, as links."""
    try:
        from models.graph import chain

        chains = chain(session, obligation_id=oid)
    except Exception:
        return []
    if not chains:
        return []
    from models.tables import Document

    out = []
    for node, rel in chains[0][1:]:
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
        out.append({"label": label, "href": href, "relation": RELATION_LABELS.get(rel or "", rel or "")})
    return out


def bar_chart(rows, *, width: int = 960, label_w: int = 330, bar_h: int = 20, gap: int = 8) -> dict:
    """Stacked horizontal bars per unit (overdue, due soon, other open, done) as SVG geometry."""
    rows = list(rows)[:40]
    biggest = max([r.open + r.done for r in rows] or [1]) or 1
    span = width - label_w - 50
    bars = []
    for i, r in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        parts = [(r.overdue, "#d64550", "quá hạn"), (r.due_soon, "#e6a23c", "đến hạn 30 ngày tới"),
                 (max(0, r.open - r.overdue - r.due_soon), "#7ea6d8", "chưa xong khác"), (r.done, "#5cae73", "đã xong")]
        x = label_w
        segs = []
        for n, color, what in parts:
            if n <= 0:
                continue
            w = max(2.0, span * n / biggest)
            segs.append({"x": round(x, 1), "w": round(w, 1), "color": color, "title": f"{n} {what}"})
            x += w
        label = r.unit if len(r.unit) <= 46 else r.unit[:44] + "…"
        bars.append({"y": y, "label": label, "unit": r.unit, "segments": segs, "end": round(x, 1),
                     "total": r.open + r.done})
    return {"width": width, "height": 20 + len(rows) * (bar_h + gap), "label_w": label_w, "bars": bars}


def render_page(path: Path, page: int, bbox, text: str = "", scale: float = 1.6, crop: bool = False) -> bytes:
    """PNG of one PDF page with the passage highlighted: the stored bbox (PDF points, top-left
    origin) when there is one, else where the text's first words are found on the page.
    `crop`: only the band around the passage (readable at column width)."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = pdfium.PdfDocument(str(path))
    try:
        n = max(1, min(int(page or 1), len(pdf)))
        pg = pdf[n - 1]
        width, height = pg.get_size()
        boxes = []
        if bbox and len(bbox) == 4:
            boxes.append(tuple(float(v) for v in bbox))
        elif text:
            boxes = _find_text(pg, text, height)
        img = pg.render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()
    if boxes:
        overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for x0, top, x1, bottom in boxes:
            r = [x0 * scale - 3, top * scale - 3, x1 * scale + 3, bottom * scale + 3]
            draw.rectangle(r, fill=(255, 221, 0, 90), outline=(230, 120, 0, 255), width=3)
        img = Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB")
        if crop:
            top = max(0, int(min(b[1] for b in boxes) * scale) - 120)
            bottom = min(img.height, int(max(b[3] for b in boxes) * scale) + 160)
            img = img.crop((0, top, img.width, bottom))
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def _find_text(pg, text: str, height: float) -> list[tuple]:
    words = text.split()
    for n in (8, 5, 3):
        needle = " ".join(words[:n])
        if not needle:
            continue
        try:
            tp = pg.get_textpage()
            searcher = tp.search(needle, match_case=False, match_whole_word=False)
            occ = searcher.get_next()
            if not occ:
                continue
            start, count = occ
            boxes = []
            for i in range(tp.count_rects(start, count)):
                left, bottom, right, top = tp.get_rect(i)
                boxes.append((left, height - top, right, height - bottom))
            if boxes:
                return [(min(b[0] for b in boxes), min(b[1] for b in boxes),
                         max(b[2] for b in boxes), max(b[3] for b in boxes))]
        except Exception:
            return []
    return []
