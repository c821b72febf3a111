"""GET/POST /upload: a clerk drops a file into the intake folder, where the site's background
reader (flows/background.py) takes it at once, or a `chidao watch` elsewhere; /intake shows it.

Size-limited (the app's middleware refuses an announced oversize body before reading it), the
file name reduced to a safe base name, written only inside the intake folder (a hidden
temporary name first, then renamed, so the watcher never sees half a file)."""
from __future__ import annotations

import os
import re
import secrets
import unicodedata
import urllib.parse
from pathlib import Path

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from app.web.deps import SiteDep, WriteCheck, render
from extractors.reading import accepts

router = APIRouter(prefix="/upload")
CHUNK = 1024 * 1024


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


def free_name(folder: Path, name: str) -> Path:
    """NAME in FOLDER, or NAME-1, NAME-2... when taken: an upload never replaces a file."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate = folder / name
    n = 1
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


@router.get("", response_class=HTMLResponse)
def upload_page(request: Request, site: SiteDep):
    return render(request, "upload.html", nav="upload", max_mb=site.max_mb)


@router.post("", dependencies=[WriteCheck])
async def upload(request: Request, site: SiteDep, file: UploadFile = File(...)):
    name = safe_filename(file.filename or "")
    if not accepts(name):
        return render(request, "upload.html", 400, nav="upload", max_mb=site.max_mb,
                      flash=f"{name}: loại tệp không nhận (chỉ nhận PDF, ảnh, DOCX).", flash_kind="err")
    site.intake.mkdir(parents=True, exist_ok=True)
    tmp = site.intake / f".upload-{secrets.token_hex(8)}.part"
    size = 0
    try:
        with open(tmp, "wb") as fh:
            while chunk := await file.read(CHUNK):
                size += len(chunk)
                if size > site.max_bytes:
                    raise HTTPException(413, f"{name}: tệp quá lớn (tối đa {site.max_mb} MB).")
                fh.write(chunk)
        if size == 0:
            raise HTTPException(400, f"{name}: tệp rỗng.")
        target = free_name(site.intake, name)
        if target.resolve().parent != site.intake:   # belt and braces: never outside the intake
            raise HTTPException(400, f"{name}: tên tệp không hợp lệ.")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    if site.reader is not None:
        site.reader.kick()
        return RedirectResponse("/intake?msg=" + urllib.parse.quote(
            f"Đã nhận {target.name} ({size // 1024} KB): đang đọc; văn bản có trong sổ khi dòng của nó sang mục "
            "«Đã đọc xong»."), 303)
    return RedirectResponse("/upload?msg=" + urllib.parse.quote(
        f"Đã nhận {target.name} ({size // 1024} KB). Văn bản sẽ có trong sổ sau khi được đọc xong."), 303)
