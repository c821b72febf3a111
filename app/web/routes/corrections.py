"""Corrections from the obligation page: its units, deadline, text, targets and output, and its
document's header (number, date, issuer).

Each goes through the register's one path for staff corrections (models.queries.edit_obligation
and edit_document, as `chidao edit` does): only what changed is written, the field is marked
corrected so re-extraction keeps it, and the history records who changed what.  A deadline is
read with the extraction's own parser (extractors.obligations.deadlines.parse_deadline), a
target with its figure finder; what they cannot read is answered in Vietnamese, nothing saved.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Optional

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from app.web.deps import SessionDep, WriteCheck, flash_redirect, parse_date
from app.web.routes.obligations import load_obligation
from app.web.routes.review import back_to
from app.web.templating import FIELD_LABELS
from extractors.text import collapse_ws

router = APIRouter()
DEADLINE_HELP = "ghi như trong văn bản, ví dụ: 30/6/2025, trước ngày 15/7/2025, Quý III/2025, hằng tháng, thường xuyên"


class CorrectionError(ValueError):
    """A value the clerk typed that cannot be read: the message says so, in Vietnamese."""


def _set_or_clear(args: dict[str, Any], name: str, value) -> None:
    """NAME set to VALUE in edit_obligation / edit_document's ARGS, or cleared when VALUE is empty."""
    if value:
        args[name] = value
    else:
        args["clear"].append(name)


def _units(values: list[str]) -> list[str]:
    from extractors.keys import unit_key

    out = [collapse_ws(v) for v in values if collapse_ws(v)]
    for u in out:
        if not unit_key(u):
            raise CorrectionError(f"Tên đơn vị «{u}» không hợp lệ: chọn trong danh sách gợi ý hoặc ghi tên cơ quan, "
                                  "ví dụ Sở Tư pháp.")
    return out


def deadline_changes(raw: str, ob, document_date: Optional[dt.date]) -> dict[str, Any]:
    """edit_obligation's deadline arguments for the words RAW (empty: no deadline)."""
    from extractors.obligations.deadlines import parse_deadline

    raw = collapse_ws(raw)
    if raw == collapse_ws(ob.deadline_raw or ""):
        return {}
    if not raw:
        return {"clear": ["deadline_raw", "deadline_due", "deadline_recurrence", "deadline_day"]}
    d = parse_deadline(raw, document_date=document_date, year=document_date.year if document_date else None)
    if d is None or (d.due is None and d.recurrence is None):
        raise CorrectionError(f"Không hiểu thời hạn «{raw}»: {DEADLINE_HELP}.")
    out: dict[str, Any] = {"deadline_raw": raw, "deadline_start": d.start, "clear": []}
    for name, value in (("deadline_due", d.due), ("deadline_recurrence", d.recurrence), ("deadline_day", d.day)):
        if value is None:
            out["clear"].append(name)
        else:
            out[name] = value
    return out


def target_list(lines: str, ob, document_date: Optional[dt.date]) -> Optional[list[dict]]:
    """The targets for the textarea LINES (one figure a line); None when they are the stored ones."""
    from extractors.obligations.targets import find_figures

    wanted = [collapse_ws(x) for x in (lines or "").splitlines() if collapse_ws(x)]
    stored = {t.get("raw"): t for t in (ob.targets or [])}
    if wanted == list(stored):
        return None
    out = []
    for line in wanted:
        if line in stored:
            out.append(stored[line])
            continue
        found = find_figures(line, document_year=document_date.year if document_date else None)
        if not found:
            raise CorrectionError(f"Không đọc được chỉ tiêu «{line}»: ghi con số và đơn vị, ví dụ: đạt 90%, "
                                  "100% hồ sơ, 25 xã; mỗi chỉ tiêu một dòng.")
        t = found[0]
        out.append({"raw": line, "value": t.value, "unit": t.unit, "kind": t.kind, "subject": t.subject})
    return out


def obligation_changes(form, ob, document_date: Optional[dt.date]) -> dict[str, Any]:
    """edit_obligation's arguments for what the form changed (empty: nothing); a field the form
    does not carry is left as it is."""
    args: dict[str, Any] = {"clear": []}
    for name, field in (("lead_units", "lead"), ("support_units", "support")):
        if field not in form:          # a short form (the review page's) leaves what it does not show
            continue
        units = _units(form.getlist(field))
        if units != list(getattr(ob, name) or []):
            _set_or_clear(args, name, units)
    text = collapse_ws(form.get("text", ob.text))
    if not text:
        raise CorrectionError("Nội dung nhiệm vụ không được để trống.")
    if text != ob.text:
        args["text"] = text
    output = collapse_ws(form.get("output", ob.output or ""))
    if output != (ob.output or ""):
        _set_or_clear(args, "output", output)
    dl = deadline_changes(form.get("deadline", ob.deadline_raw or ""), ob, document_date)
    args["clear"] += dl.pop("clear", [])
    args.update(dl)
    targets = target_list(form.get("targets", "\n".join(t.get("raw") or "" for t in ob.targets or [])), ob,
                          document_date)
    if targets is not None:
        _set_or_clear(args, "targets", targets)
    if not args["clear"]:
        del args["clear"]
    return args


def _save(request: Request, here: str, anchor: str, changes: Callable[[], dict], write: Callable[[dict], Any],
          saved: Callable[[dict], str]) -> RedirectResponse:
    """Read what the form changed (CHANGES), write it (WRITE) and send the clerk back to
    HERE#ANCHOR saying what happened, in Vietnamese; nothing is written when a value is unreadable."""
    from models.db import RegisterError

    def back(msg: str, kind: str = "ok") -> RedirectResponse:
        return flash_redirect(request, here + anchor, msg, kind)

    try:
        args = changes()
    except CorrectionError as exc:
        return back(str(exc), "err")
    if not args:
        return back("Không có gì thay đổi.")
    try:
        write(args)
    except RegisterError as exc:
        return back(f"Không lưu được: {exc}", "err")
    return back(saved(args))


def _who(form) -> str:
    return collapse_ws(str(form.get("who") or ""))[:128] or "web"


@router.post("/obligations/{oid}/edit", dependencies=[WriteCheck])
async def correct_obligation(request: Request, oid: str, session: SessionDep):
    from models.queries import edit_obligation

    ob, doc = load_obligation(session, oid)
    form = await request.form()

    def changes() -> dict:
        args = obligation_changes(form, ob, doc.issued_on)
        note = collapse_ws(str(form.get("note") or ""))
        return {**args, "note": note} if note else args

    def saved(args: dict) -> str:
        fields = ", ".join(FIELD_LABELS.get(k, k) for k in args if k not in ("clear", "note", "deadline_start")) or "ghi chú"
        return f"Đã lưu sửa đổi ({fields}); lần đọc lại văn bản sau sẽ giữ nguyên các giá trị đã sửa."

    return _save(request, back_to(str(form.get("next") or ""), f"/obligations/{ob.id}"), "#sua", changes,
                 lambda args: edit_obligation(session, obligation_id=ob.id, who=_who(form), **args), saved)


def header_changes(form, doc) -> dict[str, Any]:
    """edit_document's arguments for what the header form changed (empty: nothing)."""
    args: dict[str, Any] = {"clear": []}
    number = collapse_ws(str(form.get("number") or ""))
    if number != (doc.number or ""):
        _set_or_clear(args, "number", number)
    issuer = collapse_ws(str(form.get("issuer") or ""))
    if issuer != (doc.issuer or ""):
        _set_or_clear(args, "issuer", issuer)
    raw_date = collapse_ws(str(form.get("issued_on") or ""))
    try:
        issued_on = parse_date(raw_date)
    except ValueError:
        raise CorrectionError(f"Ngày ban hành «{raw_date}» không hợp lệ: ghi ngày/tháng/năm, ví dụ 20/02/2024.")
    if issued_on != doc.issued_on:
        _set_or_clear(args, "issued_on", issued_on)
    if not args["clear"]:
        del args["clear"]
    return args


@router.post("/documents/{doc_id}/edit", dependencies=[WriteCheck])
async def correct_document(request: Request, doc_id: str, session: SessionDep):
    from models.db import RegisterError
    from models.queries import edit_document, get_document

    try:
        doc = get_document(session, id=doc_id)
    except RegisterError:
        raise HTTPException(404, "Không tìm thấy văn bản này.")
    form = await request.form()
    note = collapse_ws(str(form.get("note") or "")) or None
    return _save(request, back_to(str(form.get("next") or ""), f"/documents/{doc.id}"), "#sua-van-ban",
                 lambda: header_changes(form, doc),
                 lambda args: edit_document(session, document_id=doc.id, who=_who(form), note=note, **args),
                 lambda args: "Đã lưu số, ngày, cơ quan ban hành của văn bản; lần đọc lại sau sẽ giữ nguyên các "
                              "giá trị đã sửa.")
