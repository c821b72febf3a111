"""GET/POST /upload: a clerk drops a file into the intake folder, where the watcher takes it.

Size-limited (the app's middleware refuses an announced oversize body before reading it; the
body is parsed as it streams in and cut off at the limit, chunked or not, so no more than the
limit is ever written), the login checked before the body is read, the form token (it comes
first in the form) checked before a byte of the file is written, the file name reduced to a
safe base name, written only inside the intake folder (a hidden temporary name first, then
renamed, so the watcher never sees half a file; removed when the upload is refused)."""
from __future__ import annotations

import os
import re
import secrets
import unicodedata
from pathlib import Path
from typing import Optional

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.web.deps import (FORM_FIELD, SessionDep, SiteDep, StreamedWriteCheck, TodayDep, flash_redirect, form_refusal,
                          render)
from extractors.reading import accepts

router = APIRouter(prefix="/upload")
FORM_OVERHEAD = 64 * 1024     # the form's own bytes (boundaries, part headers, other fields) beyond the file


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


@router.post("", dependencies=[StreamedWriteCheck])
async def upload(request: Request, site: SiteDep):
    """The login is checked (StreamedWriteCheck) before a byte of the body is read: the handler
    takes no form parameter, so FastAPI parses nothing ahead of it; the form token as the body
    streams in (Received)."""
    got = await receive_file(request, site)
    if got.refusal:
        status, text = got.refusal
        if status == 400 and got.name:
            return render(request, "upload.html", 400, nav="upload", max_mb=site.max_mb, flash=text, flash_kind="err")
        raise HTTPException(status, text)
    target = free_name(site.intake, got.name)
    if target.resolve().parent != site.intake:   # belt and braces: never outside the intake
        got.discard()
        raise HTTPException(400, f"{got.name}: tên tệp không hợp lệ.")
    os.replace(got.tmp, target)
    if site.reader is not None:          # read at once (flows/background.py): follow it on /intake
        site.reader.kick()
        return flash_redirect(request, "/intake", f"Đã nhận {target.name} ({got.size // 1024} KB): đang đọc; văn bản "
                              "có trong sổ khi dòng của nó sang mục «Đã đọc xong».")
    return flash_redirect(request, "/upload", f"Đã nhận {target.name} ({got.size // 1024} KB). "
                          "Văn bản sẽ có trong sổ sau khi được đọc xong.")


@router.post("/report", dependencies=[StreamedWriteCheck])
async def upload_report(request: Request, site: SiteDep, session: SessionDep, today: TodayDep):
    """A department's filled-in XLSX (from the unit page's XLSX): statuses and reports into the
    history (models/import_report.py), the rows it could not match listed on the page.  The body
    is read up to the upload limit, never more; an editor changes only their units' tasks."""
    from io import BytesIO

    from models.accounts import may_change
    from models.import_report import apply_report, read_report, report_lines

    body, cap = bytearray(), site.max_bytes + FORM_OVERHEAD
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise HTTPException(413, f"Tệp quá lớn (tối đa {site.max_mb} MB).")

    async def replay():
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    form = await Request(request.scope, replay).form()
    refused = form_refusal(request, form.get(FORM_FIELD))
    if refused:
        raise HTTPException(403, refused)
    upload = form.get("file")
    page = lambda code, text, lines=(), bad=True: render(request, "upload.html", code, nav="upload", max_mb=site.max_mb,
                                                         flash=text, flash_kind="err" if bad else "ok",
                                                         import_lines=list(lines))
    if upload is None or isinstance(upload, str) or not upload.filename:
        return page(400, "Không thấy tệp: hãy chọn tệp XLSX đơn vị đã điền rồi bấm «Nhận báo cáo».")
    try:
        rows = read_report(BytesIO(await upload.read()))
    except Exception:  # not a workbook: zip / XML errors from openpyxl
        return page(400, f"{safe_filename(upload.filename)}: không đọc được như một bảng tính XLSX.")
    me = site.who(request)
    result = apply_report(session, rows, who=me.name if me.user else "web", today=today,
                          allowed=lambda ob: may_change(me.role, me.units, [*(ob.lead_units or []), *(ob.support_units or [])]))
    lines = report_lines(result)
    return page(200, lines[0], lines[1:], bad=bool(result.unmatched) or not result.sheets)


class Received:
    """The multipart body read as it arrives (python-multipart's parser): the form token part is
    kept (a few bytes) and checked with `check` when the part named `file` begins, which then goes
    straight to a hidden `.upload-*.part` file in the intake, counted; nothing else is kept.
    Too big, a refused name, a missing or wrong form token (it must come before the file) or a
    malformed body sets `refusal` and removes the partial file."""

    def __init__(self, site, check=lambda sent: None):
        self.site, self.name, self.tmp, self.size, self.check = site, "", None, 0, check
        self.token, self._in_token = b"", False
        self.refusal: Optional[tuple[int, str]] = None
        self._fh, self._headers, self._field, self._value, self._in_file = None, {}, b"", b"", False

    def callbacks(self) -> dict:
        return {"on_part_begin": self._begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done, "on_part_data": self._data, "on_part_end": self._end}

    def _begin(self) -> None:
        self._headers, self._in_file, self._in_token = {}, False, False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_done(self) -> None:
        from python_multipart.multipart import parse_options_header

        _, opts = parse_options_header(self._headers.get(b"content-disposition", b""))
        if opts.get(b"name") == FORM_FIELD.encode() and b"filename" not in opts:
            self.token, self._in_token = b"", True
            return
        if opts.get(b"name") != b"file" or b"filename" not in opts or self.refusal or self.tmp:
            return
        self.name = safe_filename(opts[b"filename"].decode("utf-8", "replace"))
        refused = self.check(self.token.decode("ascii", "replace"))
        if refused:
            self.refuse(403, refused)
            return
        if not accepts(self.name):
            self.refuse(400, f"{self.name}: loại tệp không nhận (chỉ nhận PDF, ảnh, DOCX).")
            return
        self.site.intake.mkdir(parents=True, exist_ok=True)
        self.tmp = self.site.intake / f".upload-{secrets.token_hex(8)}.part"
        self._fh, self._in_file = open(self.tmp, "wb"), True

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._in_token:
            self.token = (self.token + data[start:end])[:256]      # a token is 64 characters
            return
        if not self._in_file or self.refusal:
            return
        self.size += end - start
        if self.size > self.site.max_bytes:
            self.refuse(413, f"{self.name}: tệp quá lớn (tối đa {self.site.max_mb} MB).")
            return
        self._fh.write(data[start:end])

    def _end(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh, self._in_file, self._in_token = None, False, False

    def refuse(self, status: int, text: str) -> None:
        if self.refusal is None:
            self.refusal = (status, text)
        self.discard()

    def discard(self) -> None:
        self._end()
        if self.tmp is not None and self.tmp.exists():
            self.tmp.unlink()


async def receive_file(request: Request, site) -> Received:
    """Read the upload's body as it streams in, never more than the limit plus one part's
    headers, whether or not a Content-Length was sent (a chunked body is cut off the same)."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    got = Received(site, lambda sent: form_refusal(request, sent))
    kind, opts = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or not opts.get(b"boundary"):
        got.refuse(400, "Không thấy tệp trong yêu cầu: hãy chọn tệp trong ô “Tệp” rồi bấm Tải lên.")
        return got
    parser = MultipartParser(opts[b"boundary"], got.callbacks())
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > site.max_bytes + FORM_OVERHEAD:
                got.refuse(413, f"{got.name or 'Tệp'}: tệp quá lớn (tối đa {site.max_mb} MB).")
            if got.refusal:
                return got
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        got.refuse(400, "Dữ liệu tải lên không đọc được (biểu mẫu hỏng): hãy tải lại trang và chọn tệp lần nữa.")
    except BaseException:
        got.discard()
        raise
    if got.refusal is None and got.tmp is None:
        got.refuse(400, "Không thấy tệp trong yêu cầu: hãy chọn tệp trong ô “Tệp” rồi bấm Tải lên.")
    elif got.refusal is None and got.size == 0:
        got.refuse(400, f"{got.name}: tệp rỗng.")
    return got
