"""The units: per-department counts with a bar chart (models.owes.summary: one row per department,
the tasks no department owes last), one department's list (who owes what by when), and that list
exported as XLSX, PDF, ICS or HTML."""
from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Mapping

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.web.deps import SessionDep, TodayDep, parse_date, render

router = APIRouter(prefix="/units")
SOON_DAYS = 30
PAGE = 200      # tasks of one department per page (the counts above the table are the whole list's)
EXPORT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "pdf": "application/pdf", "ics": "text/calendar; charset=utf-8", "html": "text/html; charset=utf-8"}


@router.get("", response_class=HTMLResponse)
def units_page(request: Request, session: SessionDep, today: TodayDep):
    from models.owes import summary

    rows = summary(session, today=today, days=SOON_DAYS)
    return render(request, "units.html", nav="units", rows=rows, days=SOON_DAYS, chart=bar_chart(rows))


def owes_args(p: Mapping[str, str]) -> dict:
    """models.owes.owes' filters from the query string; HTTP 400 on a bad date."""
    status = p.get("status") or "open"
    try:
        date_from, date_to = parse_date(p.get("from")), parse_date(p.get("to"))
    except ValueError as exc:
        raise HTTPException(400, f"Ngày {exc}. Hãy sửa ô ngày rồi xem lại.")
    return {"unit": (p.get("name") or "").strip() or None, "date_from": date_from, "date_to": date_to,
            "status": None if status == "all" else [status]}


@router.get("/view", response_class=HTMLResponse)
def unit_page(request: Request, session: SessionDep, today: TodayDep):
    from models.owes import owes

    p = request.query_params
    name = (p.get("name") or "").strip()
    if not name:
        return RedirectResponse("/units", 303)
    try:
        page = max(1, int(p.get("page") or 1))
    except ValueError:
        raise HTTPException(400, "Số trang không hợp lệ.")
    group = owes(session, today=today, limit=PAGE, offset=(page - 1) * PAGE, **owes_args(p))[0]
    status_code = 200 if group.found else 400       # a name that is no unit of the register: said, with suggestions
    qs = urllib.parse.urlencode({k: v for k, v in {"name": name, "status": p.get("status") or "open",
                                                   "from": p.get("from") or "", "to": p.get("to") or ""}.items() if v})
    pages = max(1, -(-group.size // PAGE))
    return render(request, "unit.html", status_code, nav="units", group=group, name=name,
                  status=p.get("status") or "open", dfrom=p.get("from") or "", dto=p.get("to") or "", export_qs=qs,
                  page=page, pages=pages)


@router.get("/export")
def unit_export(request: Request, session: SessionDep, today: TodayDep):
    import tempfile

    from app.reports import default_path, write
    from models.owes import owes

    p = request.query_params
    fmt = (p.get("format") or "xlsx").lower()
    if fmt not in EXPORT_TYPES:
        raise HTTPException(400, "Định dạng không hỗ trợ.")
    args = owes_args(p)
    groups = owes(session, today=today, **args)
    if args["unit"] and groups and not groups[0].found:
        close = "; ".join(f"«{n}»" for n in groups[0].suggestions)
        raise HTTPException(400, f"Không tìm thấy đơn vị «{args['unit']}» trong sổ, nên không có gì để xuất. "
                            + (f"Có phải: {close}? " if close else "")
                            + "Hãy mở trang «Theo đơn vị» (/units), chọn đơn vị rồi bấm nút xuất.")
    title = f"DANH MỤC NHIỆM VỤ — {groups[0].label}" if args["unit"] and groups else "DANH MỤC NHIỆM VỤ ĐƯỢC GIAO"
    name = default_path(fmt, args["unit"], outdir=".").name
    with tempfile.TemporaryDirectory() as tmp:
        data = write(groups, fmt, Path(tmp) / name, title=title, today=today,
                     settings=request.app.state.site.settings).read_bytes()
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(data, media_type=EXPORT_TYPES[fmt],
                    headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


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
        label = r.label if len(r.label) <= 46 else r.label[:44] + "…"
        bars.append({"y": y, "label": label, "unit": r.unit, "segments": segs, "end": round(x, 1),
                     "total": r.open + r.done})
    return {"width": width, "height": 20 + len(rows) * (bar_h + gap), "label_w": label_w, "bars": bars}
