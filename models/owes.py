"""Who owes what by when: per unit, the open obligations in due order; per unit counts.

    with open_session(url) as session:
        for group in owes(session, unit="Công an tỉnh"):
            for item in group.items: print(item.deadline_label, item.text)

- Overdue first, then by the date that counts (the due date, or a recurring task's next
  occurrence), undated last.  Overdue and next occurrence are computed (models/dates.py).
- Lists are per department (models/departments.py): a task printed for "Giám đốc Công an
  tỉnh" is Công an tỉnh's; one printed only for units that are no units ("Đơn vị", "Trường
  hợp") is listed apart, under "Chưa rõ đơn vị", never under the printed string.
- A department owes what it leads and what it supports (role), and, asked for by name, what a
  group it belongs to was given (`via_group`: "Ủy ban nhân dân huyện Tuy Phước" owes the tasks
  of "Ủy ban nhân dân các huyện, thị xã, thành phố") and what the bodies merged into it in 2025
  were given ("Sở Kế hoạch và Đầu tư (nay là Sở Tài chính)").
- Rows are plain dataclasses (models/owes_rows.py) for the CLI, the web page and app/reports.py.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Iterable, Optional

from models.dates import is_overdue
from models.db import dict_rows, execute
from models.departments import (
    UNASSIGNED, UNASSIGNED_KIND, department_links_sql, resolve_query, unassigned_sql, via_departments,
)
from models.owes_rows import OwesItem, UnitOwes, UnitSummary, owes_order
from models.search import RECURRING, DeadlineRow, build_filters, effective_due, json_column
from models.search_query import fold_key

DUE_SOON_DAYS = 30

_COLUMNS = (
    "o.id, o.document_id, o.text, o.ref, o.page, o.lead_units, o.support_units, o.deadline_raw, "
    "o.deadline_due, o.deadline_recurrence, o.deadline_day, o.deadline_start, o.status, o.last_done_on, "
    "o.flags, d.number AS doc_number, d.type AS doc_type, d.title AS doc_title, d.source_file AS doc_file"
)


def _item(m: dict, today: dt.date, unit: str, role: str, via_group: Optional[str]) -> OwesItem:
    row = DeadlineRow(m)
    return OwesItem(
        obligation_id=m["id"], text=m["text"], unit=unit, role=role, via_group=via_group,
        lead_units=list(json_column(m.get("lead_units")) or []), support_units=list(json_column(m.get("support_units")) or []),
        due=row.deadline_due, next_due=effective_due(m, today, row), recurrence=row.deadline_recurrence,
        day=row.deadline_day, deadline_raw=m.get("deadline_raw"), status=row.status,
        overdue=is_overdue(row, today), document_id=m.get("document_id"), document_number=m.get("doc_number"),
        document_type=m.get("doc_type"), document_title=m.get("doc_title"), document_file=m.get("doc_file"),
        ref=m.get("ref"), page=m.get("page"), flags=list(json_column(m.get("flags")) or []),
    )


def owes(session, *, unit: Optional[str] = None, date_from: Optional[dt.date] = None,
         date_to: Optional[dt.date] = None, status: Optional[Iterable[str] | str] = "open",
         role: str = "any", programme: Optional[str] = None, today: Optional[dt.date] = None,
         limit: Optional[int] = None, offset: int = 0) -> list[UnitOwes]:
    """Per department, its obligations (default: not finished) in due order, overdue first.

    `unit` given: one list for the department it means (models.departments.resolve_query: a
    printed variant, an abbreviation, a position, an old name), holding the department's own
    tasks and those of the groups it belongs to and of the bodies merged into it (`via_group`);
    `unit` = "Chưa rõ đơn vị": the tasks no department owes.  No unit: one list per department
    (the mapping of models.departments.department_links_sql, as summary counts it), largest
    overdue count first, then by name, and last the tasks no department owes.

    `limit` (with `unit`): one page of the list, tasks offset+1 to offset+limit in the list's
    order, with the whole list's counts (UnitOwes.total, overdue_total, via_total): the order
    is found from the deadline fields of every task, the full rows are read for the page only
    (a department of a national register owes ten thousand tasks)."""
    today = today or dt.date.today()
    f, _ = build_filters(session, due_from=date_from, due_to=date_to, status=status, programme=programme,
                         today=today)
    if unit:
        return [_owes_one(session, f, unit, role, today, limit, offset)]
    links = department_links_sql(role)
    sql = (f"SELECT {_COLUMNS}, dep.id AS unit_id, dep.name AS unit_name, dep.kind AS unit_kind, "
           f"dep.current AS unit_current, l.role AS role "
           f"FROM obligations o JOIN documents d ON d.id = o.document_id JOIN ({links}) l ON l.oid = o.id "
           f"JOIN units dep ON dep.id = l.dep WHERE {f.sql()}")
    rows = dict_rows(execute(session, sql, f.params))
    rows = [m for m in rows if all(p(m) for p in f.post)]
    by_unit: dict[int, dict[str, OwesItem]] = defaultdict(dict)
    heads: dict[int, dict] = {}
    for m in rows:
        heads[m["unit_id"]] = m
        by_unit[m["unit_id"]][m["id"]] = _item(m, today, m["unit_name"], m["role"], None)
    groups = [UnitOwes(unit=heads[u]["unit_name"], items=sorted(d.values(), key=OwesItem.sort_key),
                       kind=heads[u]["unit_kind"], current=heads[u]["unit_current"]) for u, d in by_unit.items()]
    groups.sort(key=lambda g: (-g.overdue, fold_key(g.unit)))
    apart = _unassigned(session, f, role, today)
    return groups + ([apart] if apart.items else [])


def _unassigned(session, f, role: str, today: dt.date) -> UnitOwes:
    sql = (f"SELECT {_COLUMNS} FROM obligations o JOIN documents d ON d.id = o.document_id "
           f"WHERE {f.sql()} AND {unassigned_sql(role)}")
    rows = dict_rows(execute(session, sql, f.params))
    rows = [m for m in rows if all(p(m) for p in f.post)]
    items = sorted((_item(m, today, UNASSIGNED, "lead", None) for m in rows), key=OwesItem.sort_key)
    return UnitOwes(unit=UNASSIGNED, items=items, kind=UNASSIGNED_KIND)


def _owes_one(session, f, unit: str, role: str, today: dt.date, limit: Optional[int] = None,
              offset: int = 0) -> UnitOwes:
    """One department's list (see owes)."""
    uq = resolve_query(session, unit)
    if uq.unassigned:
        out = _unassigned(session, f, role, today)
        out.note = uq.message
        return _page(out, limit, offset) if limit is not None else out
    groups_by_id = uq.unit_ids
    ids = ", ".join(str(int(u)) for u in groups_by_id) or "NULL"
    unit_sql = f" AND ou.unit_id IN ({ids})"
    if role in ("lead", "support"):
        unit_sql += f" AND ou.role = {f.param(role)}"
    if f.dialect != "sqlite":
        # PostgreSQL: from the unit's rows (covering index) to each obligation by primary key;
        # the planner otherwise hash-joins a parallel scan of every obligation (~90 ms at 100k)
        src = ("obligation_units ou CROSS JOIN LATERAL "
               "(SELECT * FROM obligations o0 WHERE o0.id = ou.obligation_id OFFSET 0) AS o "
               "JOIN documents d ON d.id = o.document_id")
    else:
        src = "obligations o JOIN documents d ON d.id = o.document_id JOIN obligation_units ou ON ou.obligation_id = o.id"
    page = None
    if limit is None:
        sql = f"SELECT {_COLUMNS}, ou.unit_id AS unit_id, ou.role AS role FROM {src} WHERE {f.sql()}{unit_sql}"
        rows = dict_rows(execute(session, sql, f.params))
        rows = [m for m in rows if all(p(m) for p in f.post)]
        best: dict[str, OwesItem] = {}
        for m in rows:
            item = _item(m, today, uq.title, m["role"], groups_by_id.get(m["unit_id"]))
            prev = best.get(m["id"])
            # One row per task: its own beats a group's (as the department lists count it), then lead beats support.
            if prev is None or (prev.via_group is not None, prev.role) > (item.via_group is not None, item.role):
                best[m["id"]] = item
        items = sorted(best.values(), key=OwesItem.sort_key)
    else:
        page = _page_of(session, f, src, unit_sql, uq.title, groups_by_id, today, limit, offset)
        items = page[0]
    known = uq.found or uq.known
    kind, current = ("body", None) if known else ("unknown", None)   # an unknown name is no ended body
    if uq.departments:
        row = execute(session, "SELECT kind, current FROM units WHERE name = :n AND department_id = id",
                      {"n": uq.departments[0]}).first()
        if row is not None:
            kind, current = row[0], row[1]
    out = UnitOwes(unit=uq.title, items=items, kind=kind, current=current, note=uq.message,
                   suggestions=list(uq.suggestions), found=known)
    if page is not None:
        _, out.total, out.overdue_total, out.via_total = page
        out.offset = max(0, int(offset))
    return out


_LIGHT = ("o.id, o.document_id, o.ref, o.deadline_due, o.deadline_recurrence, o.deadline_day, o.deadline_start, "
          "o.status, o.last_done_on, d.number AS doc_number, d.source_file AS doc_file")
_DEADLINE_NAMES = ("deadline_due", "deadline_recurrence", "deadline_day", "deadline_start", "status", "last_done_on")
_LIGHT_NAMES = ("id", "document_id", "ref", *_DEADLINE_NAMES, "doc_number", "doc_file", "unit_id", "role")


def _page_of(session, f, src: str, unit_sql: str, title: str, groups_by_id: dict, today: dt.date, limit: int,
             offset: int) -> tuple[list[OwesItem], int, int, int]:
    """(the page's items, tasks in the whole list, overdue among them, through groups among them):
    the list's order and counts from each task's deadline fields, the full rows of the page only."""
    limit, offset = max(0, int(limit)), max(0, int(offset))
    sql = f"SELECT {_LIGHT}, ou.unit_id AS unit_id, ou.role AS role FROM {src} WHERE {f.sql()}{unit_sql}"
    best: dict[str, tuple] = {}
    names = _LIGHT_NAMES
    for r in execute(session, sql, f.params).all():     # plain tuples: ten thousand rows
        if f.post and not all(p(dict(zip(names, r))) for p in f.post):
            continue
        via = groups_by_id.get(r[11])
        rank = (via is not None, r[12])
        prev = best.get(r[0])
        # One row per task: its own beats a group's (as the department lists count it), then lead beats support.
        if prev is None or prev[0] > rank:
            best[r[0]] = (rank, via, r)
    keyed = []
    overdue = through = 0
    dates: dict[tuple, tuple] = {}     # deadline fields -> (overdue, the date that counts): they repeat
    for oid, (rank, via, r) in best.items():
        fields = r[3:9]
        known = dates.get(fields)
        if known is None:
            row = DeadlineRow(dict(zip(_DEADLINE_NAMES, fields)))
            known = dates[fields] = (is_overdue(row, today), effective_due({}, today, row) or row.deadline_due)
        late, when = known
        overdue += late
        through += via is not None
        keyed.append((owes_order(late, when, r[9] or r[10], r[2], oid), oid))
    keyed.sort()
    chosen = [oid for _, oid in keyed[offset:offset + limit]]
    full: dict[str, dict] = {}
    if chosen:
        marks = {f"i{n}": v for n, v in enumerate(chosen)}
        full = {m["id"]: m for m in dict_rows(execute(session, (
            f"SELECT {_COLUMNS} FROM obligations o JOIN documents d ON d.id = o.document_id "
            f"WHERE o.id IN ({', '.join(':' + k for k in marks)})"), marks))}
    items = [_item(full[oid], today, title, best[oid][2][12], best[oid][1]) for oid in chosen if oid in full]
    return items, len(keyed), overdue, through


def _page(group: UnitOwes, limit: int, offset: int) -> UnitOwes:
    """A page of a list read whole (the tasks no department owes: few)."""
    offset = max(0, int(offset))
    group.total, group.offset = len(group.items), offset
    group.overdue_total = sum(1 for i in group.items if i.overdue)
    group.via_total = len(group.through_groups)
    group.items = group.items[offset:offset + max(0, int(limit))]
    return group


def summary(session, *, today: Optional[dt.date] = None, days: int = DUE_SOON_DAYS,
            role: str = "any") -> list[UnitSummary]:
    """Per department: open (open + in progress), done, overdue, due in the next `days` days;
    then the tasks no department owes (UNASSIGNED), when there are any.

    Read from the per-department counts the writes keep (models/unit_counts.py), and the tasks
    due from this month's first day to the end of the `days`: what summary_scan counts over the
    whole register, without reading it."""
    from models.unit_counts import counts_by_department, via_counts

    today = today or dt.date.today()
    counts = counts_by_department(session, today=today, soon=today + dt.timedelta(days=days), role=role)
    apart = UnitSummary(UNASSIGNED, *counts.pop(None, [0, 0, 0, 0]), kind=UNASSIGNED_KIND, current=None)
    names = {}
    if counts:
        ids = ", ".join(str(int(u)) for u in counts)
        names = {r[0]: r[1:] for r in execute(session, f"SELECT id, name, kind, current FROM units WHERE id IN ({ids})")}
    out = {u: UnitSummary(names[u][0], *c, kind=names[u][1], current=names[u][2]) for u, c in counts.items() if u in names}
    via = {d: vs for d, vs in via_departments(session).items() if d in out and vs}
    kept = via_counts(session, via, role=role) if via else {}
    if kept is None:     # a via the writes do not count as one (never, with the gazetteer's groups)
        sqlite = session.get_bind().dialect.name == "sqlite"
        count_via_by_reading(session, out, "CROSS JOIN" if sqlite else "JOIN", "o.status IN ('open', 'in_progress')", role)
    else:
        for dep, n in kept.items():
            out[dep].via_groups = n
    rows = sorted(out.values(), key=lambda s: (-s.overdue, -s.open, fold_key(s.unit)))
    return rows + ([apart] if apart.open or apart.done else [])


def summary_scan(session, *, today: Optional[dt.date] = None, days: int = DUE_SOON_DAYS,
                 role: str = "any") -> list[UnitSummary]:
    """What `summary` answers, counted over the whole register (its definition; the tests
    compare the two): per department, open (open + in progress), done, overdue, due in the next
    `days` days; then the tasks no department owes (UNASSIGNED), when there are any.

    Counted over models.departments.department_links_sql, the mapping owes lists by: a task
    is counted once per department, however many of its printed units lead to it.  One-off
    tasks are counted in SQL; recurring ones (few) are looked at one by one."""
    today = today or dt.date.today()
    soon = today + dt.timedelta(days=days)
    sqlite = session.get_bind().dialect.name == "sqlite"
    d = (lambda v: v.isoformat()) if sqlite else (lambda v: v)
    recurring = ", ".join(f"'{r}'" for r in RECURRING)
    join = "CROSS JOIN" if sqlite else "JOIN"   # SQLite: the links drive, each obligation read by primary key
    one_off = f"(o.deadline_recurrence IS NULL OR o.deadline_recurrence NOT IN ({recurring}))"
    opened = "o.status IN ('open', 'in_progress')"
    counts = f"""
          sum(CASE WHEN {opened} THEN 1 ELSE 0 END),
          sum(CASE WHEN o.status = 'done' THEN 1 ELSE 0 END),
          sum(CASE WHEN {opened} AND {one_off} AND o.deadline_due < :today
                    AND (o.deadline_start IS NULL OR o.deadline_start <= :today) THEN 1 ELSE 0 END),
          sum(CASE WHEN {opened} AND {one_off} AND o.deadline_due >= :today AND o.deadline_due <= :soon
                   THEN 1 ELSE 0 END)"""
    params = {"today": d(today), "soon": d(soon)}
    links = department_links_sql(role)
    sql = f"""
        SELECT dep.id, dep.name, dep.kind, dep.current, {counts}
        FROM ({links}) l {join} obligations o ON o.id = l.oid {join} units dep ON dep.id = l.dep
        GROUP BY dep.id, dep.name, dep.kind, dep.current"""
    out: dict[object, UnitSummary] = {}
    for uid, name, kind, current, n_open, n_done, n_over, n_soon in execute(session, sql, params).all():
        out[uid] = UnitSummary(unit=name, open=int(n_open or 0), done=int(n_done or 0), overdue=int(n_over or 0),
                               due_soon=int(n_soon or 0), kind=kind, current=current)
    apart_sql = f"SELECT {counts} FROM obligations o WHERE {unassigned_sql(role)}"
    n_open, n_done, n_over, n_soon = execute(session, apart_sql, params).one()
    apart = UnitSummary(unit=UNASSIGNED, open=int(n_open or 0), done=int(n_done or 0), overdue=int(n_over or 0),
                        due_soon=int(n_soon or 0), kind=UNASSIGNED_KIND, current=None)
    rec_cols = ("o.id, o.deadline_due, o.deadline_recurrence, o.deadline_day, o.deadline_start, o.status, "
                "o.last_done_on")
    rec_sql = f"""
        SELECT l.dep AS dep, {rec_cols}
        FROM ({links}) l {join} obligations o ON o.id = l.oid
        WHERE {opened} AND o.deadline_recurrence IN ({recurring})
        UNION ALL
        SELECT NULL AS dep, {rec_cols} FROM obligations o
        WHERE {opened} AND o.deadline_recurrence IN ({recurring}) AND {unassigned_sql(role)}"""
    for r in execute(session, rec_sql, params).mappings():
        m = dict(r)
        s = apart if m["dep"] is None else out[m["dep"]]
        row = DeadlineRow(m)
        if is_overdue(row, today):
            s.overdue += 1
        else:
            nxt = effective_due(m, today)
            if nxt is not None and today <= nxt <= soon:
                s.due_soon += 1
    _count_via_scan(session, out, links, join, opened)
    rows = sorted(out.values(), key=lambda s: (-s.overdue, -s.open, fold_key(s.unit)))
    return rows + ([apart] if apart.open or apart.done else [])


def count_via_by_reading(session, out: dict, join: str, opened: str, role: str = "any") -> None:
    """Each department's open tasks through groups and merged bodies, not counted as its own:
    what `owes --unit` lists besides its own (one row per task, its own first).

    Read from the tasks of the groups and merged bodies only (a few thousand at 1,000,000
    obligations), never from their members' own tasks: a member's count is the size of the
    union of its groups' open tasks less those of them it is linked to itself.  _count_via_scan
    is the definition (summary_scan; the tests compare the two)."""
    via = {d: vs for d, vs in via_departments(session).items() if d in out and vs}
    if not via:
        return
    sources = set().union(*via.values())
    ids = ", ".join(str(int(v)) for v in sources)
    role_sql = f" AND ou.role = '{role}'" if role in ("lead", "support") else ""
    # every department link of the open tasks that reach a group / merged body (the same
    # mapping as department_links_sql: a department once per task, whatever its units)
    deps_of: dict[str, set] = defaultdict(set)
    for oid, dep in execute(session, (
            f"SELECT ou.obligation_id, u.department_id FROM obligation_units ou JOIN units u ON u.id = ou.unit_id "
            f"{join} obligations o ON o.id = ou.obligation_id "
            f"WHERE u.department_id IS NOT NULL{role_sql} AND {opened} AND ou.obligation_id IN ("
            f"SELECT ou2.obligation_id FROM obligation_units ou2 JOIN units u2 ON u2.id = ou2.unit_id "
            f"WHERE u2.department_id IN ({ids}){role_sql.replace('ou.', 'ou2.')})")).all():
        deps_of[oid].add(dep)
    open_of: dict[object, set[str]] = defaultdict(set)
    for oid, deps in deps_of.items():
        for v in deps & sources:
            open_of[v].add(oid)
    by_via: dict[frozenset, list] = defaultdict(list)
    for dep, vs in via.items():
        by_via[frozenset(vs)].append(dep)
    for vs, members in by_via.items():
        through = set().union(*(open_of.get(v, set()) for v in vs))
        mine = Counter(d for oid in through for d in deps_of[oid])   # its own among them
        for dep in members:
            out[dep].via_groups = len(through) - mine.get(dep, 0)


def _count_via_scan(session, out: dict, links: str, join: str, opened: str) -> None:
    """count_via_by_reading by its definition: every open task of each department with groups, and of
    those groups, read (at 1,000,000 obligations most of the register: every district is in
    "Ủy ban nhân dân các huyện, thị xã, thành phố")."""
    via = via_departments(session)
    if not via:
        return
    needed = {d for d in out if via.get(d)} | {v for d in out for v in via.get(d, ())}
    if not needed:
        return
    ids = ", ".join(str(int(d)) for d in needed)
    open_of: dict[object, set[str]] = defaultdict(set)
    for oid, dep in execute(session, f"SELECT l.oid, l.dep FROM ({links}) l {join} obligations o ON o.id = l.oid "
                                     f"WHERE {opened} AND l.dep IN ({ids})").all():
        open_of[dep].add(oid)
    for dep, s in out.items():
        through = set().union(*(open_of.get(v, set()) for v in via.get(dep, ())))
        s.via_groups = len(through) - len(through & open_of.get(dep, set()))
