"""Per-department counts of the obligations, kept current by the writes, so that `chidao
summary` (all departments) reads a small table instead of the register.

What is counted is what models.owes.summary_scan counts over models.departments'
department_links_sql: a task once per department it is linked to through any of its printed
units, and once apart when it has no department.  `unit_counts` holds, per department and
group, how many tasks:

- dep        the department's units.id; NULL: the tasks no department owes (listed apart)
- roles      for a department: lead | support | both (how it is linked); apart: none (no
             department at all) | nolead (departments only as support) | nosupport (only lead),
             so that the summary by role (`role="lead"`) counts what unassigned_sql(role) counts
- status     the task's status
- bucket     n: not open (done, cancelled: counted, nothing more); m: an open one-off task with
             no start date, counted by the month of its due date (`due` = the month's first
             day; NULL: no date); d: the same task counted again by its due day (`due`), read
             only from this month's first day to the end of the summary's window, so that the
             summary never reads the register (never summed with the others: the m groups
             count the task); x: an open recurring task or one with a start date, counted
             by all its deadline fields (few groups: the summary reasons about each)

`unit_count_keys` remembers which groups each task was counted in, so that a write only says
which tasks it touched (`refresh`), whatever it changed: status, deadline, units, or the task
itself deleted.  `rebuild` counts everything again (`chidao reextract --all`, the migration,
tools that write rows directly).  tests/models/test_unit_counts.py checks that the counts kept
by ingests, edits, status changes and deletions equal a rebuild.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Iterable, Optional

from models.dates import TaskDates, is_overdue, next_occurrence
from models.db import execute

OPEN = ("open", "in_progress")
RECURRING = ("weekly", "monthly", "quarterly", "halfyearly", "yearly")   # models.search.RECURRING
# roles values counted for each role asked for: (department rows, the tasks apart)
ROLE_SETS = {
    "any": (("lead", "support", "both"), ("none",)),
    "lead": (("lead", "both"), ("none", "nolead")),
    "support": (("support", "both"), ("none", "nosupport")),
}
_COLUMNS = ("dep", "roles", "status", "bucket", "recurrence", "due", "day", "start", "last_done", "via")
ROLE_LETTERS = {"lead": "l", "support": "s", "both": "b"}
ROLE_OF_LETTER = {v: k for k, v in ROLE_LETTERS.items()}
_CHUNK = 500

# Each task with its departments and deadline fields; one row per (task, printed unit); `src`:
# the department may be another's via (a group, or a body merged into another: SOURCE_SQL).
_TASKS_SQL = """
    SELECT o.id, u.department_id AS dep, ou.role, o.status, o.deadline_recurrence, o.deadline_due,
           o.deadline_day, o.deadline_start, o.last_done_on,
           CASE WHEN du.kind = 'group' OR du.current IS NOT NULL THEN 1 ELSE 0 END AS src
    FROM obligations o
    LEFT JOIN obligation_units ou ON ou.obligation_id = o.id
    LEFT JOIN units u ON u.id = ou.unit_id
    LEFT JOIN units du ON du.id = u.department_id
    WHERE {where}"""
# The departments whose tasks others may owe through them: every via of
# models.departments.via_departments is one of these (checked when the counts are read).
SOURCE_SQL = "SELECT id FROM units WHERE department_id = id AND (kind = 'group' OR current IS NOT NULL)"


def _date(v) -> Optional[dt.date]:
    if v is None or (isinstance(v, dt.date) and not isinstance(v, dt.datetime)):
        return v
    if isinstance(v, dt.datetime):
        return v.date()
    return dt.date.fromisoformat(str(v)[:10])


def _group(status: str, rec: Optional[str], due, day, start, last) -> tuple:
    """(bucket, recurrence, due, day, start, last_done) of a task's deadline fields."""
    if status not in OPEN:
        return ("n", None, None, None, None, None)
    due, start = _date(due), _date(start)
    if rec not in RECURRING and start is None:
        return ("m", None, due.replace(day=1) if due else None, None, None, None)
    return ("x", rec, due, day, start, _date(last))


def _key(cols: tuple) -> str:
    """The group's key: its columns joined (a via group's `via` appended; the other groups' keys
    are those of the code before the via groups, 0015_unit_search_tokens)."""
    *head, via = cols
    return "|".join("" if v is None else str(v) for v in head) + (f"|{via}" if via else "")


def task_groups(rows: Iterable, *, via: bool = True) -> dict[str, list[tuple]]:
    """Task id -> the groups it is counted in (tuples in _COLUMNS order), from _TASKS_SQL rows.
    `via`: with the via groups (bucket v; False only for the migrations before their column)."""
    deps: dict[str, dict[int, set[str]]] = defaultdict(dict)
    fields: dict[str, tuple] = {}
    sources: dict[str, set[int]] = defaultdict(set)
    for oid, dep, role, status, rec, due, day, start, last, src in rows:
        fields[oid] = (status or "open", rec, due, day, start, last)
        if dep is not None and role is not None:
            deps[oid].setdefault(dep, set()).add(role)
            if src:
                sources[oid].add(dep)
    out: dict[str, list[tuple]] = {}
    for oid, (status, rec, due, day, start, last) in fields.items():
        group = _group(status, rec, due, day, start, last)
        mine = deps.get(oid, {})
        by_day = ("d", None, _date(due), None, None, None) if group[0] == "m" and due is not None else None
        heads = [(dep, "both" if len(roles) > 1 else next(iter(roles))) for dep, roles in mine.items()]
        lead = any("lead" in r for r in mine.values())
        support = any("support" in r for r in mine.values())
        if not (lead and support):
            heads.append((None, "nolead" if support else "nosupport" if lead else "none"))
        out[oid] = [(*h, status, *g, None) for h in heads for g in ((group, by_day) if by_day else (group,))]
        if via and status in OPEN and sources.get(oid):
            out[oid] += _via_groups(mine, sources[oid], status)
    return out


def _via_groups(mine: dict[int, set[str]], sources: set[int], status: str) -> list[tuple]:
    """An open task linked to a group or a merged body (a source): counted once apart (dep NULL,
    roles "via") and once per department it is linked to, each with the task's sources and
    their roles (`via` "98:l,136:b"): the summary's via_groups, a member's open tasks through
    its groups less its own among them, are sums over these groups (counts.via_counts)."""
    def role(roles: set[str]) -> str:
        return "both" if len(roles) > 1 else next(iter(roles))

    tag = ",".join(f"{s}:{ROLE_LETTERS[role(mine[s])]}" for s in sorted(sources))
    empty = ("v", None, None, None, None, None)
    return [(None, "via", status, *empty, tag)] + [(dep, role(roles), status, *empty, tag)
                                                    for dep, roles in sorted(mine.items())]


def _tasks(session, ids: list[str]) -> dict[str, list[tuple]]:
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    rows = execute(session, _TASKS_SQL.format(where=f"o.id IN ({marks})"),
                   {f"i{n}": i for n, i in enumerate(ids)}).all()
    return task_groups(rows)


def refresh(session, ids: Iterable[str], *, fresh: bool = False) -> None:
    """Count again the tasks IDS (just inserted, changed, or deleted) in their session, before
    its commit.  `fresh`: the tasks were never counted (a new document's), nothing to take back."""
    ids = list(dict.fromkeys(ids))
    for n in range(0, len(ids), _CHUNK):
        _refresh(session, ids[n:n + _CHUNK], fresh)


def _refresh(session, ids: list[str], fresh: bool) -> None:
    delta: Counter = Counter()
    cols: dict[str, tuple] = {}
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    params = {f"i{n}": i for n, i in enumerate(ids)}
    if not fresh:
        for _, k in execute(session, f"SELECT obligation_id, k FROM unit_count_keys WHERE obligation_id IN ({marks})",
                            params).all():
            delta[k] -= 1
        execute(session, f"DELETE FROM unit_count_keys WHERE obligation_id IN ({marks})", params)
    keys = []
    for oid, groups in _tasks(session, ids).items():
        for g in groups:
            k = _key(g)
            cols[k] = g
            delta[k] += 1
            keys.append({"o": oid, "k": k})
    if keys:
        execute(session, "INSERT INTO unit_count_keys (obligation_id, k) VALUES (:o, :k)", keys)
    _apply(session, delta, cols)


def _apply(session, delta: Counter, cols: dict[str, tuple], *, via: bool = True) -> None:
    names = _COLUMNS if via else _COLUMNS[:-1]
    ups = [{"k": k, "n": n, **dict(zip(names, cols[k]))} for k, n in delta.items() if n and k in cols]
    downs = [{"k": k, "n": n} for k, n in delta.items() if n and k not in cols]
    if ups:
        cols = ", ".join(names)
        execute(session, (
            f"INSERT INTO unit_counts (k, {cols}, n) VALUES (:k, {', '.join(':' + c for c in names)}, :n) "
            "ON CONFLICT (k) DO UPDATE SET n = unit_counts.n + excluded.n"), ups)
    if downs:
        execute(session, "UPDATE unit_counts SET n = n + :n WHERE k = :k", downs)
    if any(n < 0 for n in delta.values()):
        execute(session, "DELETE FROM unit_counts WHERE n <= 0")


def rebuild(session, chunk: int = 5000, *, via: bool = True) -> int:
    """Count every task again from the register (the definition the kept counts must equal).
    Returns the number of tasks counted.  The caller commits.  `via`: with the via groups
    (False: migration 0011, before their column)."""
    execute(session, "DELETE FROM unit_counts")
    execute(session, "DELETE FROM unit_count_keys")
    ids = [r[0] for r in execute(session, "SELECT id FROM obligations ORDER BY id").all()]
    for n in range(0, len(ids), chunk):
        part = ids[n:n + chunk]
        lo, hi = part[0], part[-1]
        rows = execute(session, _TASKS_SQL.format(where="o.id >= :lo AND o.id <= :hi"), {"lo": lo, "hi": hi}).all()
        delta: Counter = Counter()
        cols: dict[str, tuple] = {}
        keys = []
        for oid, groups in task_groups(rows, via=via).items():
            for g in groups:
                k = _key(g)
                cols[k] = g
                delta[k] += 1
                keys.append({"o": oid, "k": k})
        if keys:
            execute(session, "INSERT INTO unit_count_keys (obligation_id, k) VALUES (:o, :k)", keys)
        _apply(session, delta, cols, via=via)
    return len(ids)


def table(session) -> dict[str, int]:
    """The kept counts, k -> n (for tests and checks)."""
    return {k: int(n) for k, n in execute(session, "SELECT k, n FROM unit_counts").all()}


# ---------------------------------------------------------------- the summary from the counts

def counts_by_department(session, *, today: dt.date, soon: dt.date, role: str = "any"):
    """{dep or None: [open, done, overdue, due_soon]} over the departments and groups of ROLE,
    None for the tasks apart: the numbers models.owes.summary_scan counts, from the kept counts
    only: the n/m groups, the few recurring / started groups (x), and the day groups (d) from
    this month's first day to SOON.  Never reads the register."""

    deps, apart = ROLE_SETS[role]
    wanted = set(deps) | set(apart)
    dialect = session.get_bind().dialect.name
    month0 = today.replace(day=1)
    d = (lambda v: v.isoformat()) if dialect == "sqlite" else (lambda v: v)
    roles_sql = ", ".join(f"'{r}'" for r in sorted(wanted))
    out: dict[Optional[int], list[int]] = {}
    for dep, roles, n_open, n_done, n_over in execute(session, f"""
            SELECT dep, roles, sum(CASE WHEN status IN ('open', 'in_progress') THEN n ELSE 0 END),
                   sum(CASE WHEN status = 'done' THEN n ELSE 0 END),
                   sum(CASE WHEN bucket = 'm' AND due < :m0 THEN n ELSE 0 END)
            FROM unit_counts WHERE bucket IN ('n', 'm', 'x') AND roles IN ({roles_sql})
            GROUP BY dep, roles""", {"m0": d(month0)}).all():
        if (dep is None) != (roles in apart):
            continue
        c = out.setdefault(dep, [0, 0, 0, 0])
        c[0] += int(n_open or 0)
        c[1] += int(n_done or 0)
        c[2] += int(n_over or 0)
    for dep, roles, status, rec, due, day, start, last, n in execute(session, (
            "SELECT dep, roles, status, recurrence, due, day, start, last_done, n FROM unit_counts "
            f"WHERE bucket = 'x' AND roles IN ({roles_sql})")).all():
        if (dep is None) != (roles in apart):
            continue
        c = out.setdefault(dep, [0, 0, 0, 0])
        due, start = _date(due), _date(start)
        if rec in RECURRING:    # as summary_scan: overdue (models.dates), else due soon by its next occurrence
            row = TaskDates(due, rec, day, start, status, _date(last))
            if is_overdue(row, today):
                c[2] += n
            else:
                nxt = next_occurrence(row, today)
                c[3] += n if nxt is not None and today <= nxt <= soon else 0
        elif due is not None:            # a one-off task with a start date
            c[2] += n if due < today and start <= today else 0
            c[3] += n if today <= due <= soon else 0
    # the open one-off tasks due from this month's first day to SOON, by day: overdue or due soon
    for dep, roles, over, near in execute(session, f"""
            SELECT dep, roles, sum(CASE WHEN due < :today THEN n ELSE 0 END),
                   sum(CASE WHEN due >= :today AND due <= :soon THEN n ELSE 0 END)
            FROM unit_counts WHERE bucket = 'd' AND due >= :m0 AND due <= :soon AND roles IN ({roles_sql})
            GROUP BY dep, roles""", {"m0": d(month0), "today": d(today), "soon": d(soon)}).all():
        if (dep is None) != (roles in apart):
            continue
        c = out.setdefault(dep, [0, 0, 0, 0])
        c[2] += int(over or 0)
        c[3] += int(near or 0)
    return out


def via_counts(session, via: dict, *, role: str = "any") -> Optional[dict]:
    """{department: open tasks it owes through its groups / merged bodies `via[dep]`, less its own
    among them} from the via groups (bucket v), never the register: models.owes.count_via_by_reading's
    numbers.  None when a via is no department the writes count as a source (SOURCE_SQL; the
    caller then counts over the tasks)."""
    sources = {int(r[0]) for r in execute(session, SOURCE_SQL).all()}
    if not all(int(s) in sources for vs in via.values() for s in vs):
        return None
    ok = set(ROLE_SETS[role][0])
    sets = list(dict.fromkeys(frozenset(int(s) for s in vs) for vs in via.values()))
    through: Counter = Counter()
    mine: Counter = Counter()
    for dep, roles, tag, n in execute(session, (
            "SELECT dep, roles, via, sum(n) FROM unit_counts WHERE bucket = 'v' AND status IN ('open', 'in_progress') "
            "GROUP BY dep, roles, via")).all():
        srcs = {int(s) for s, r in (p.split(":") for p in tag.split(",")) if ROLE_OF_LETTER[r] in ok}
        if not srcs:
            continue
        if dep is None:
            for vs in sets:
                if srcs & vs:
                    through[vs] += int(n)
        elif roles in ok and dep in via and srcs & set(via[dep]):
            mine[dep] += int(n)
    return {dep: through[frozenset(int(s) for s in vs)] - mine[dep] for dep, vs in via.items()}
