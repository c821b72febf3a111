"""Who owes what by when: per unit, the open obligations in due order; per unit counts.

    with open_session(url) as session:
        for group in owes(session, unit="Công an tỉnh"):
            for item in group.items: print(item.deadline_label, item.text)

- Overdue first, then by the date that counts (the due date, or a recurring task's next
  occurrence), undated last.  Overdue and next occurrence are computed (models/dates.py).
- A unit owes what it leads and what it supports (role), and what a group it belongs to was
  given (`via_group`: "Ủy ban nhân dân huyện Tuy Phước" owes the tasks of "Ủy ban nhân dân
  các huyện, thị xã, thành phố").
- Rows are plain dataclasses (models/owes_rows.py) for the CLI, the web page and app/reports.py.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Iterable, Optional

from models.dates import is_overdue
from models.db import execute
from models.owes_rows import OwesItem, UnitOwes, UnitSummary
from models.search import RECURRING, DeadlineRow, build_filters, effective_due, json_column, resolve_units
from models.search_query import fold_key

DUE_SOON_DAYS = 30

_COLUMNS = (
    "o.id, o.document_id, o.text, o.ref, o.page, o.lead_units, o.support_units, o.deadline_raw, "
    "o.deadline_due, o.deadline_recurrence, o.deadline_day, o.deadline_start, o.status, o.last_done_on, "
    "o.flags, d.number AS doc_number, d.type AS doc_type, d.title AS doc_title, d.source_file AS doc_file, "
    "u.id AS unit_id, u.name AS unit_name, ou.role AS role"
)


def _item(m: dict, today: dt.date, unit: str, role: str, via_group: Optional[str]) -> OwesItem:
    row = DeadlineRow(m)
    return OwesItem(
        obligation_id=m["id"], text=m["text"], unit=unit, role=role, via_group=via_group,
        lead_units=list(json_column(m.get("lead_units")) or []), support_units=list(json_column(m.get("support_units")) or []),
        due=row.deadline_due, next_due=effective_due(m, today), recurrence=row.deadline_recurrence,
        day=row.deadline_day, deadline_raw=m.get("deadline_raw"), status=row.status,
        overdue=is_overdue(row, today), document_id=m.get("document_id"), document_number=m.get("doc_number"),
        document_type=m.get("doc_type"), document_title=m.get("doc_title"), document_file=m.get("doc_file"),
        ref=m.get("ref"), page=m.get("page"), flags=list(json_column(m.get("flags")) or []),
    )


def owes(session, *, unit: Optional[str] = None, date_from: Optional[dt.date] = None,
         date_to: Optional[dt.date] = None, status: Optional[Iterable[str] | str] = "open",
         role: str = "any", programme: Optional[str] = None, today: Optional[dt.date] = None) -> list[UnitOwes]:
    """Per unit, its obligations (default: not finished) in due order, overdue first.

    `unit` given: one group named as asked (the register's name when it matches one), holding
    the unit's own tasks and those of the groups it belongs to.  No unit: one group per unit
    of the register, largest overdue count first, then by name."""
    today = today or dt.date.today()
    f, _ = build_filters(session, due_from=date_from, due_to=date_to, status=status, programme=programme,
                         today=today)
    unit_sql = ""
    groups_by_id: dict[int, Optional[str]] = {}
    if unit:
        groups_by_id = resolve_units(session, unit)
        names = dict(execute(session, "SELECT id, name FROM units").all()) if groups_by_id else {}
        ids = ", ".join(str(int(u)) for u in groups_by_id) or "NULL"
        unit_sql = f" AND ou.unit_id IN ({ids})"
        if role in ("lead", "support"):
            unit_sql += f" AND ou.role = {f.param(role)}"
    if unit and f.dialect != "sqlite":
        # PostgreSQL: from the unit's rows (covering index) to each obligation by primary key;
        # the planner otherwise hash-joins a parallel scan of every obligation (~90 ms at 100k)
        src = ("obligation_units ou CROSS JOIN LATERAL "
               "(SELECT * FROM obligations o0 WHERE o0.id = ou.obligation_id OFFSET 0) AS o "
               "JOIN documents d ON d.id = o.document_id JOIN units u ON u.id = ou.unit_id")
    else:
        src = ("obligations o JOIN documents d ON d.id = o.document_id "
               "JOIN obligation_units ou ON ou.obligation_id = o.id JOIN units u ON u.id = ou.unit_id")
    sql = f"SELECT {_COLUMNS} FROM {src} WHERE {f.sql()}{unit_sql}"
    rows = [dict(r) for r in execute(session, sql, f.params).mappings()]
    rows = [m for m in rows if all(p(m) for p in f.post)]

    if unit:
        own = [names[uid] for uid, via in groups_by_id.items() if via is None]
        title = own[0] if len(own) == 1 else unit.strip()
        best: dict[str, OwesItem] = {}
        for m in rows:
            via = groups_by_id.get(m["unit_id"])
            item = _item(m, today, title, m["role"], via if via else (m["unit_name"] if len(own) > 1 else None))
            prev = best.get(m["id"])
            # One row per task: lead beats support, own name beats a group.
            if prev is None or (prev.role, prev.via_group is not None) > (item.role, item.via_group is not None):
                best[m["id"]] = item
        items = sorted(best.values(), key=OwesItem.sort_key)
        return [UnitOwes(unit=title, items=items)]

    by_unit: dict[str, dict[str, OwesItem]] = defaultdict(dict)
    for m in rows:
        item = _item(m, today, m["unit_name"], m["role"], None)
        prev = by_unit[m["unit_name"]].get(m["id"])
        if prev is None or prev.role == "support" and item.role == "lead":
            by_unit[m["unit_name"]][m["id"]] = item
    groups = [UnitOwes(unit=u, items=sorted(d.values(), key=OwesItem.sort_key)) for u, d in by_unit.items()]
    groups.sort(key=lambda g: (-g.overdue, fold_key(g.unit)))
    return groups


def summary(session, *, today: Optional[dt.date] = None, days: int = DUE_SOON_DAYS,
            role: str = "any") -> list[UnitSummary]:
    """Per unit: open (open + in progress), done, overdue, due in the next `days` days.

    One-off tasks are counted in SQL; recurring ones (few) are looked at one by one.  SQLite
    reads the obligations in table order and each one's units by primary key (CROSS JOIN fixes
    the order): in unit order every obligation is a random read, twice as slow at 100,000."""
    today = today or dt.date.today()
    soon = today + dt.timedelta(days=days)
    sqlite = session.get_bind().dialect.name == "sqlite"
    d = (lambda v: v.isoformat()) if sqlite else (lambda v: v)
    role_sql = " AND ou.role = :role" if role in ("lead", "support") else ""
    recurring = ", ".join(f"'{r}'" for r in RECURRING)
    join = "CROSS JOIN" if sqlite else "JOIN"   # PostgreSQL has no CROSS JOIN ... ON (and plans the order itself)
    one_off = f"(o.deadline_recurrence IS NULL OR o.deadline_recurrence NOT IN ({recurring}))"
    opened = "o.status IN ('open', 'in_progress')"
    sql = f"""
        SELECT u.name,
          sum(CASE WHEN {opened} THEN 1 ELSE 0 END),
          sum(CASE WHEN o.status = 'done' THEN 1 ELSE 0 END),
          sum(CASE WHEN {opened} AND {one_off} AND o.deadline_due < :today
                    AND (o.deadline_start IS NULL OR o.deadline_start <= :today) THEN 1 ELSE 0 END),
          sum(CASE WHEN {opened} AND {one_off} AND o.deadline_due >= :today AND o.deadline_due <= :soon
                   THEN 1 ELSE 0 END)
        FROM obligations o {join} obligation_units ou ON ou.obligation_id = o.id{role_sql}
        {join} units u ON u.id = ou.unit_id
        GROUP BY u.id, u.name"""
    params = {"today": d(today), "soon": d(soon), "role": role}
    out: dict[str, UnitSummary] = {}
    for name, n_open, n_done, n_over, n_soon in execute(session, sql, params).all():
        out[name] = UnitSummary(unit=name, open=int(n_open or 0), done=int(n_done or 0),
                                overdue=int(n_over or 0), due_soon=int(n_soon or 0))
    rec_sql = f"""
        SELECT DISTINCT u.name, o.id, o.deadline_due, o.deadline_recurrence, o.deadline_day, o.deadline_start,
               o.status, o.last_done_on
        FROM obligations o {join} obligation_units ou ON ou.obligation_id = o.id{role_sql}
        {join} units u ON u.id = ou.unit_id
        WHERE {opened} AND o.deadline_recurrence IN ({recurring})"""
    for r in execute(session, rec_sql, params).mappings():
        m = dict(r)
        s = out.setdefault(r["name"], UnitSummary(unit=r["name"]))
        row = DeadlineRow(m)
        if is_overdue(row, today):
            s.overdue += 1
        else:
            nxt = effective_due(m, today)
            if nxt is not None and today <= nxt <= soon:
                s.due_soon += 1
    return sorted(out.values(), key=lambda s: (-s.overdue, -s.open, fold_key(s.unit)))


def units_with_obligations(session) -> list[str]:
    return [r[0] for r in execute(session,
        "SELECT u.name FROM units u WHERE EXISTS (SELECT 1 FROM obligation_units ou WHERE ou.unit_id = u.id) "
        "ORDER BY u.name").all()]
