"""The dashboard: per unit, open / overdue / done as horizontal stacked bars, and the number of
tasks overdue at the end of each past month, both as inline SVG drawn here (no JavaScript).

The per-unit numbers are models.owes.summary's rows, the very ones `chidao summary` prints and
the units page lists; the months are models.overdue_history's."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.deps import SessionDep, TodayDep, render

router = APIRouter()
MONTHS = 12
CHART_UNITS = 15                 # bars drawn; the table below lists every unit
COLUMN_H = 150                   # px of the tallest month column


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, session: SessionDep, today: TodayDep):
    from models.overdue_history import overdue_series
    from models.owes import summary

    rows = summary(session, today=today)
    series = overdue_series(session, today=today, months=MONTHS)
    return render(request, "dashboard.html", nav="dashboard", rows=rows, today=today, units=unit_bars(rows),
                  months=month_columns(series), shown=min(len(rows), CHART_UNITS))


def unit_bars(rows) -> dict:
    """Stacked bars (overdue, other open, done) per unit, in percent of the biggest unit's total:
    each unit's SVG bar stretches to the column's width, its name above it is HTML text that wraps."""
    rows = [r for r in rows if r.open or r.done][:CHART_UNITS]
    biggest = max([r.open + r.done for r in rows] or [1]) or 1
    bars = []
    for r in rows:
        x, segs = 0.0, []
        for n, cls, what in ((r.overdue, "overdue", "quá hạn"), (r.open - r.overdue, "open", "chưa xong, chưa quá hạn"),
                             (r.done, "done", "đã xong")):
            if n > 0:
                w = max(0.6, 96.0 * n / biggest)       # 4% left for the total after the bar
                segs.append({"x": round(x, 2), "w": round(w, 2), "cls": cls, "title": f"{n} {what}"})
                x += w
        bars.append({"row": r, "segments": segs})
    return {"bars": bars}


def month_columns(series) -> dict:
    """One column per month end (the last: today), heights in px of COLUMN_H, x in percent."""
    top = max([p.overdue for p in series] or [0])
    step = 100.0 / max(1, len(series))
    cols = []
    for i, p in enumerate(series):
        h = round(COLUMN_H * p.overdue / top, 1) if top else 0
        last = i == len(series) - 1
        cols.append({"x": round(i * step + step * 0.15, 2), "w": round(step * 0.7, 2), "mid": round(i * step + step / 2, 2),
                     "h": h, "y": 20 + COLUMN_H - h, "n": p.overdue, "day": p.day, "last": last,
                     "label": "Nay" if last else f"{p.day.month:02d}/{p.day.year % 100:02d}", "odd": (len(series) - 1 - i) % 2 == 1})
    return {"cols": cols, "height": COLUMN_H + 44, "base": 20 + COLUMN_H}
