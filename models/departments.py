"""Units as printed, and the department each one owes its tasks to: the one mapping every list uses.

An obligation keeps its units as printed (`lead_units`, `support_units`) and is linked, per
role, to one `units` row per printed unit (`obligation_units`).  Each such row records what
extractors.units.resolve_unit says of its name: `kind` (body, group, position, unknown) and
`department_id`, the row of the department that owes the task (a body or a group; a
position's: the one it heads; none for unknown units).  A department row is its own
department; `current` is its name after the 2025 reorganisation (NULL when it ended with no
single successor).

Every department list (`chidao summary`, `chidao owes`, the web's unit pages, the XLSX / PDF /
ICS reports) groups by `department_links_sql()`; tasks with no department at all are listed
apart as UNASSIGNED, never under a printed string that is not a unit.

Reading needs only models.db.execute (the quick commands run it on sqlite3); writing
(`ensure_units`, `link_departments`) runs in the register's SQLAlchemy session.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

from extractors.keys import unit_key
from extractors.units import UnitResolution, lookup, resolve_unit
from models.db import execute

UNASSIGNED = "Chưa rõ đơn vị"          # tasks whose units are all unknown, or that name none
UNASSIGNED_KIND = "unassigned"
DEPARTMENT_KINDS = ("body", "group")


def department_links_sql(role: str = "any") -> str:
    """SELECT (oid, dep, role) of every (obligation, department) pair, role `lead` when the
    department leads through any of its printed units.  The one mapping of the department lists."""
    role_sql = f" AND ou.role = '{role}'" if role in ("lead", "support") else ""
    return ("SELECT ou.obligation_id AS oid, u.department_id AS dep, min(ou.role) AS role "
            "FROM obligation_units ou JOIN units u ON u.id = ou.unit_id "
            f"WHERE u.department_id IS NOT NULL{role_sql} GROUP BY ou.obligation_id, u.department_id")


def unassigned_sql(role: str = "any", alias: str = "o") -> str:
    """A condition on the obligation ALIAS: it has no department (no unit, or only unknown ones)."""
    role_sql = f" AND ou9.role = '{role}'" if role in ("lead", "support") else ""
    return ("NOT EXISTS (SELECT 1 FROM obligation_units ou9 JOIN units u9 ON u9.id = ou9.unit_id "
            f"WHERE ou9.obligation_id = {alias}.id AND u9.department_id IS NOT NULL{role_sql})")


def departments_with_obligations(session) -> list[str]:
    """Department names that owe at least one task, by name."""
    return [r[0] for r in execute(session, (
        "SELECT DISTINCT d.name FROM units d WHERE d.id IN (SELECT u.department_id FROM units u "
        "WHERE u.department_id IS NOT NULL AND EXISTS (SELECT 1 FROM obligation_units ou WHERE ou.unit_id = u.id)) "
        "ORDER BY d.name")).all()]


def canonical_unit_names(session) -> list[str]:
    """The names a correction form offers for a unit: every body and group of the gazetteer
    (corpora/units.jsonl) still in service, and every department the register already has, by name."""
    from extractors import gazetteer

    names = {r["name"] for r in gazetteer.load("units.jsonl")
             if r.get("kind") in (*DEPARTMENT_KINDS, "party") and not r.get("ended") and not r.get("renamed_to")}
    names.update(r[0] for r in execute(session, "SELECT name FROM units WHERE kind IN ('body', 'group') "
                                                "AND department_id = id").all())
    by_key: dict[str, str] = {}
    for n in sorted(names):
        by_key.setdefault(unit_key(n), n)
    return sorted(by_key.values(), key=_fold)


def current_label(name: str, kind: Optional[str], current: Optional[str]) -> str:
    """What a list shows after a department's name: "(nay là Sở Tài chính)", "(đã kết thúc hoạt động)"."""
    if kind not in DEPARTMENT_KINDS:
        return ""
    if current is None:
        return "(đã kết thúc hoạt động)"
    if unit_key(current) != unit_key(name):
        return f"(nay là {current})"
    return ""


# ------------------------------------------------------------------ groups a unit belongs to

def _member_key(name: str) -> str:
    """A unit's key without diacritics, for the member patterns of corpora/unit_groups.jsonl."""
    from extractors.text import fold_diacritics

    return fold_diacritics(unit_key(name))


@lru_cache(maxsize=1)
def _group_rules() -> tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]:
    """((group name, ((folded pattern prefix, has_wildcard), ...)), ...)."""
    from extractors.gazetteer import load

    rules = []
    for r in load("unit_groups.jsonl"):
        pats = []
        for p in r.get("members", []):
            wild = p.rstrip().endswith("*")
            pats.append((_member_key(p.rstrip().rstrip("*")), wild))
        rules.append((r["group"], tuple(pats)))
    return tuple(rules)


@lru_cache(maxsize=4096)
def _groups_of(key: str) -> tuple[str, ...]:
    out = []
    for group, pats in _group_rules():
        for prefix, wild in pats:
            if (wild and key.startswith(prefix + " ") and len(key) > len(prefix) + 1) or (not wild and key == prefix):
                out.append(group)
                break
    return tuple(out)


def groups_of(unit: str) -> list[str]:
    """The group units whose tasks also fall to `unit` (by the rules in corpora/unit_groups.jsonl)."""
    return list(_groups_of(_member_key(unit)))


# ------------------------------------------------------------------ what a clerk typed

@dataclass
class UnitQuery:
    """What a unit filter (`--unit`, the web's unit page) means in this register."""
    asked: str
    title: str                                   # the department's name (or what was asked)
    unit_ids: dict[int, Optional[str]] = field(default_factory=dict)   # printed unit id -> via (None: own)
    departments: list[str] = field(default_factory=list)
    unassigned: bool = False                     # the "Chưa rõ đơn vị" list
    message: str = ""                            # Vietnamese, one line: which department it means
    suggestions: list[str] = field(default_factory=list)
    known: bool = False                          # a body, group or position of the gazetteer, tasks or not

    @property
    def found(self) -> bool:
        return self.unassigned or bool(self.departments) or bool(self.unit_ids)


def _rows(session) -> list[tuple]:
    """(id, name, key, kind, department_id, current) of every unit row."""
    return [tuple(r) for r in execute(session, "SELECT id, name, key, kind, department_id, current FROM units").all()]


def _fold(s: str) -> str:
    from models.search_query import fold_key

    return fold_key(s)


def resolve_query(session, asked: str, *, include_groups: bool = True) -> UnitQuery:
    """The department a typed unit means: a printed variant, an abbreviation ("UBND các huyện"),
    a position ("Giám đốc Công an tỉnh"), an old name ("Sở Kế hoạch và Đầu tư"), or words of a
    name ("cong an": every Công an …); with the tasks of the groups it belongs to
    (corpora/unit_groups.jsonl) and of the bodies merged into it in 2025."""
    asked = " ".join((asked or "").split())
    q = UnitQuery(asked=asked, title=asked)
    if not asked:
        return q
    if unit_key(asked) == unit_key(UNASSIGNED):
        q.unassigned, q.title = True, UNASSIGNED
        q.message = f"{UNASSIGNED}: nhiệm vụ không nêu đơn vị, hoặc chỉ nêu những tên không phải cơ quan, nhóm cơ quan hay chức danh"
        return q
    rows = _rows(session)
    by_id = {r[0]: r for r in rows}
    by_key = {r[2]: r for r in rows}
    r = resolve_unit(asked)
    q.known = r.is_unit
    deps: list[tuple] = []
    if r.is_unit:
        row = by_key.get(unit_key(r.body))
        deps = [row] if row is not None else []
        q.title = r.body
        q.message = _meaning(asked, r)
    else:
        row = by_key.get(unit_key(asked))
        if row is not None and row[4] is not None:
            deps = [by_id[row[4]]]
            q.title = deps[0][1]
        elif row is not None:                 # a printed unit that is no unit: its own tasks, found by name
            q.unit_ids[row[0]] = None
            q.title = row[1]
            q.message = f"«{row[1]}» không phải tên cơ quan, nhóm cơ quan hay chức danh: các nhiệm vụ ghi đúng tên này"
        else:
            words = _fold(asked)
            rx = re.compile(r"(?:^| )" + re.escape(words) + r"(?: |$)")
            deps = sorted({by_id[x[4]] for x in rows if x[4] is not None and rx.search(_fold(by_id[x[4]][1]))},
                          key=lambda d: _fold(d[1]))
            if len(deps) == 1:
                q.title = deps[0][1]
            if deps:
                q.message = f"«{asked}»: {', '.join(d[1] for d in deps)}"
    dep_ids = {d[0] for d in deps}
    q.departments = [d[1] for d in deps]
    for x in rows:
        if x[4] in dep_ids:
            q.unit_ids[x[0]] = None
    if include_groups:
        # what the department also owes, whether or not it has tasks of its own in the register
        for dep_id, dep_name in [(d[0], d[1]) for d in deps] or ([(None, r.body)] if r.is_unit else []):
            _add_via(q, rows, by_key, dep_id, dep_name)
    if not q.found:
        q.suggestions = suggest(session, asked, rows=rows)
        if r.is_unit:
            q.message = f"{_meaning(asked, r) or r.body}: chưa có nhiệm vụ nào trong sổ"
    return q


def _meaning(asked: str, r: UnitResolution) -> str:
    """«UBND các huyện» là Ủy ban nhân dân các huyện, thị xã, thành phố (nay là …)."""
    after = current_label(r.body, r.body_kind, r.current)
    if r.kind == "position":
        text = f"«{asked}» là chức danh đứng đầu {r.body}: danh sách của {r.body}"
    elif unit_key(asked) != unit_key(r.body):
        text = f"«{asked}» là {r.body}"
    elif after:
        text = r.body
    else:
        return ""
    return f"{text} {after}".strip()


def _add_via(q: UnitQuery, rows, by_key, dep_id: Optional[int], dep_name: str) -> None:
    """The tasks a department also owes: those of the groups it belongs to, of the bodies merged into it."""

    via: dict[int, str] = {}
    for g in groups_of(dep_name):
        grow = by_key.get(unit_key(g))
        if grow is not None and grow[4] is not None:
            via[grow[4]] = _row_name(rows, grow[4])
    for x in rows:
        if x[4] == x[0] and x[0] != dep_id and x[5] is not None and unit_key(x[5]) == unit_key(dep_name):
            via[x[0]] = f"{x[1]} (nay là {dep_name})"
    for x in rows:
        if x[4] in via and x[0] not in q.unit_ids:
            q.unit_ids[x[0]] = via[x[4]]


def via_departments(session) -> dict[int, set[int]]:
    """Department id -> the departments whose tasks it also owes (the groups it belongs to, the
    bodies merged into it): the `via` of resolve_query, for every department at once."""
    rows = _rows(session)
    by_key = {r[2]: r for r in rows}
    merged_into: dict[str, set[int]] = {}    # a name's key -> the departments whose `current` it is
    for y in rows:
        if y[4] == y[0] and y[5] is not None:
            merged_into.setdefault(unit_key(y[5]), set()).add(y[0])
    out: dict[int, set[int]] = {}
    for x in rows:
        if x[4] != x[0]:
            continue
        via: set[int] = set()
        for g in groups_of(x[1]):
            grow = by_key.get(unit_key(g))
            if grow is not None and grow[4] is not None and grow[4] != x[0]:
                via.add(grow[4])
        via |= merged_into.get(unit_key(x[1]), set()) - {x[0]}
        if via:
            out[x[0]] = via
    return out


def _row_name(rows, uid: int) -> str:
    return next(x[1] for x in rows if x[0] == uid)


def suggest(session, asked: str, *, rows=None, n: int = 3) -> list[str]:
    """Department names of this register close to what was typed (diacritics ignored)."""
    rows = rows if rows is not None else _rows(session)
    names = sorted({x[1] for x in rows if x[4] == x[0]})
    folded = {_fold(nm): nm for nm in names}
    hits = difflib.get_close_matches(_fold(asked), list(folded), n=n, cutoff=0.5)
    return [folded[h] for h in hits]


# ------------------------------------------------------------------ writing (SQLAlchemy session)

def _aliases(body: str) -> list[str]:
    rec = lookup(body)
    return list(rec.get("aliases", [])) if rec is not None and rec.get("kind") != "position" else []


def ensure_units(session, names: Iterable[str]) -> dict[str, int]:
    """unit key -> id of each printed unit's row, creating the rows not yet known, with their
    resolution and their department's row (safe against concurrent writers: insert-or-ignore
    on the unique key, and the same resolution whoever inserts)."""
    by_key: dict[str, str] = {}
    for n in names:
        k = unit_key(n)
        if k:
            by_key.setdefault(k, " ".join(n.split()))
    if not by_key:
        return {}
    have = _ids(session, list(by_key))
    missing = [k for k in by_key if k not in have]
    if not missing:
        return have
    res = {k: resolve_unit(by_key[k]) for k in missing}
    deps = {unit_key(r.body): r for r in res.values() if r.is_unit}
    _insert_ignore(session, [{"key": k, "name": r.body, "kind": r.body_kind, "current": r.current,
                              "aliases": _aliases(r.body)} for k, r in deps.items()])
    _insert_ignore(session, [{"key": k, "name": by_key[k], "kind": r.kind, "current": r.current}
                             for k, r in res.items() if k not in deps])
    ids = _ids(session, list({*by_key, *deps}))
    from sqlalchemy import update

    from models.tables import Unit

    for k in deps:      # a department row is its own department
        session.execute(update(Unit).where(Unit.id == ids[k], Unit.department_id.is_(None)).values(department_id=ids[k]))
    for k, r in res.items():
        if r.is_unit and k not in deps:
            session.execute(update(Unit).where(Unit.id == ids[k], Unit.department_id.is_(None))
                            .values(department_id=ids[unit_key(r.body)]))
    _set_parents(session, {ids[k]: r.body for k, r in deps.items()})
    return {k: ids[k] for k in by_key}


def _ids(session, keys: list[str]) -> dict[str, int]:
    from sqlalchemy import select

    from models.tables import Unit

    out: dict[str, int] = {}
    for i in range(0, len(keys), 500):
        out.update({k: i_ for k, i_ in session.execute(select(Unit.key, Unit.id).where(Unit.key.in_(keys[i:i + 500])))})
    return out


def _insert_ignore(session, rows: list[dict]) -> None:
    if not rows:
        return
    from models.tables import Unit

    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dinsert
    else:
        from sqlalchemy.dialects.sqlite import insert as dinsert
    rows = [{"aliases": [], "current": None, **r} for r in rows]
    session.connection().execute(dinsert(Unit.__table__).on_conflict_do_nothing(index_elements=["key"]), rows)


def _set_parents(session, names: dict[int, str], depth: int = 0) -> None:
    """Parents from the gazetteer (Văn phòng UBND tỉnh -> Ủy ban nhân dân tỉnh), created if needed."""
    from sqlalchemy import update

    from models.tables import Unit

    parents = {uid: rec["parent"] for uid, name in names.items()
               if (rec := lookup(name)) is not None and rec.get("parent")}
    if not parents or depth >= 4:
        return
    pids = ensure_units(session, parents.values())
    for uid, pname in parents.items():
        pid = pids.get(unit_key(pname))
        if pid is not None and pid != uid:
            session.execute(update(Unit).where(Unit.id == uid, Unit.parent_id.is_(None)).values(parent_id=pid))


def _units_table():
    import sqlalchemy as sa

    return sa.table("units", sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("name", sa.String),
                    sa.column("kind", sa.String), sa.column("current", sa.String), sa.column("aliases", sa.JSON))


def link_departments(session) -> int:
    """Resolve every unit row of the register again (after the gazetteer or the rules changed):
    kind, department and today's name; department rows created as needed; the per-department
    counts counted again when anything changed.  Returns how many rows changed.  Run by `chidao reextract --all` and by migration 0007.  Works on a session
    or a connection (the migration's)."""
    from sqlalchemy import text

    units = _units_table()
    rows = [tuple(r) for r in session.execute(text("SELECT id, name, key, kind, department_id, current FROM units")).all()]
    res = {r[0]: resolve_unit(r[1]) for r in rows}
    deps: dict[str, UnitResolution] = {}
    for r in res.values():
        if r.is_unit:
            deps.setdefault(unit_key(r.body), r)
    by_key = {r[2]: r[0] for r in rows}
    for k in sorted(k for k in deps if k not in by_key):
        d = deps[k]
        session.execute(units.insert().values(key=k, name=d.body, kind=d.body_kind, current=d.current,
                                               aliases=_aliases(d.body)))
        new_id = session.execute(text("SELECT id FROM units WHERE key = :k"), {"k": k}).scalar_one()
        by_key[k] = new_id
        rows.append((new_id, d.body, k, None, None, None))
    changed = 0
    for uid, name, key, kind, dep, cur in rows:
        if key in deps:               # a department row: its own department, bearing its name
            d = deps[key]
            want = {"kind": d.body_kind, "department_id": uid, "current": d.current, "name": d.body}
        elif res.get(uid) is not None and res[uid].is_unit:
            r = res[uid]
            want = {"kind": r.kind, "department_id": by_key[unit_key(r.body)], "current": r.current, "name": name}
        else:
            want = {"kind": "unknown", "department_id": None, "current": None, "name": name}
        if (kind, dep, cur, name) != (want["kind"], want["department_id"], want["current"], want["name"]):
            session.execute(text("UPDATE units SET kind = :kind, department_id = :department_id, current = :current, "
                                 "name = :name WHERE id = :id"), {**want, "id": uid})
            changed += 1
    if changed:
        _recount(session)
    return changed


def _recount(session) -> None:
    """The per-department counts follow the new mapping (once their table exists: migration
    0007 runs this function before 0011 creates it)."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import Session

    from models.unit_counts import rebuild

    conn = session.connection() if isinstance(session, Session) else session
    if inspect(conn).has_table("unit_counts"):
        rebuild(session)
