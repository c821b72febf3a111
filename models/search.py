"""Full-text search over the register: one interface, SQLite FTS5 or PostgreSQL full-text.

    with open_session(url) as session:
        result = search(session, query="dinh danh dien tu", unit="Công an tỉnh", overdue=True)
        for hit in result.hits: ...

- Diacritics and tone placement are ignored when the query has none (`dinh danh` finds
  `định danh`, `hoa` finds `hòa` and `hoà`); đ/d are folded explicitly.  When the query has
  diacritics, hits with exactly those words rank first, then hits with the words adjacent
  (the phrase), then the most recently registered.  (bm25 / ts_rank were tried: on a 100,000
  register a broad word matches >10,000 rows and scoring them all cost more than the whole
  50 ms budget, for little gain on one-sentence tasks.)
- Filters: unit (lead or support; a single unit also matches the groups that include it,
  corpora/unit_groups.jsonl), document (id, number or file name), document type, programme
  (every document under it, through citations at any depth), due date range (recurring
  tasks by their next occurrence), status, overdue only (computed, models/dates.py), flags.

How it stays fast on 100,000 obligations (bench/bench_search.py): the ranking tiers (exact,
adjacent) are computed in SQL and the page is first looked for among the newest search rows
(a window of rids), so a broad word ranks a few hundred rows, not 10,000; a unit or document
filter is a small set that drives the query instead; overdue is one SQL condition (tested
against models.dates.is_overdue); counts stop at COUNT_CAP.  With words and a due-date range
the page may come from the window, and the count is then a lower bound (`more`): a recurring
task's next occurrence is computed in Python.

A unit's overdue tasks with no words are found from the per-department count keys that the
writes keep (models/unit_counts.py, migration 0016_unit_overdue_keys), not by reading every
task of the unit; on SQLite a filtered word match of at most FEW_ROWS rows is ranked by testing
those rows' tiers only.

The indexes are built by migrations 0002_search / 0003_search_order (triggers keep them in
step); this module only reads, through models.db.execute: a SQLAlchemy session or, for the
quick CLI commands on SQLite, a LightSession (sqlite3, no SQLAlchemy import).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Optional, Sequence

from extractors.keys import symbol_key
from models.dates import PERIOD_MONTHS, is_overdue, next_occurrence, period_bounds, period_deadline
from models.db import execute
from models.owes_rows import natural_key
from models.search_query import SearchQuery, fold_key, parse_query

RECURRING = ("weekly", "monthly", "quarterly", "halfyearly", "yearly")
SORTS = ("auto", "confidence")   # auto: words by rank, no words by due date; confidence: least certain first
OPEN = ("open", "in_progress")
MAX_LIMIT = 1000


def unit_token(unit_id: int, role: str) -> str:
    """The search index's token of one unit link (migration 0015_unit_search_tokens): a unit
    filter with words is one full-text match, "the words AND one of the unit's tokens"."""
    return f"zzu{int(unit_id)}{role[:1]}"


def _units_fts5(tokens: list[str]) -> str:
    return " AND (" + " OR ".join(f'"{t}"' for t in tokens) + ")" if tokens else ""


def _units_tsquery(tokens: list[str]) -> str:
    return " & (" + " | ".join(tokens) + ")" if tokens else ""


def resolve_units(session, name: str, *, include_groups: bool = True) -> dict[int, Optional[str]]:
    """Printed-unit ids in the register that a unit filter `name` means: {unit id: the group or
    former body it owes through, or None for its own} (models.departments.resolve_query)."""
    from models.departments import resolve_query

    return resolve_query(session, name, include_groups=include_groups).unit_ids


# ------------------------------------------------------------------ results

@dataclass
class SearchHit:
    obligation_id: str
    document_id: str
    text: str
    ref: Optional[str] = None
    page: Optional[int] = None
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    deadline_raw: Optional[str] = None
    due: Optional[dt.date] = None
    recurrence: Optional[str] = None
    day: Optional[int] = None
    next_due: Optional[dt.date] = None
    status: str = "open"
    overdue: bool = False
    flags: list[str] = field(default_factory=list)
    document_number: Optional[str] = None
    document_type: Optional[str] = None
    document_title: Optional[str] = None
    document_file: Optional[str] = None
    exact: bool = False          # every query word with the diacritics as typed
    score: float = 0.0
    confidence: Optional[float] = None      # how sure the extraction is, 0..1 (null: not computed)
    confidence_reasons: list[dict] = field(default_factory=list)   # [{code, text}], what lowered it

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in ("due", "next_due"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


@dataclass
class SearchResult:
    query: SearchQuery
    hits: list[SearchHit]
    total: int
    elapsed_ms: float = 0.0
    units: list[str] = field(default_factory=list)   # what the unit filter resolved to
    more: bool = False               # more matches than `total` (counting stopped at the cap)

    def to_dict(self) -> dict:
        return {"query": self.query.raw, "terms": list(self.query.terms), "total": self.total,
                "total_is_lower_bound": self.more,
                "elapsed_ms": round(self.elapsed_ms, 2), "units": self.units,
                "hits": [h.to_dict() for h in self.hits]}


@dataclass
class DocumentHit:
    id: str
    source_file: str
    number: Optional[str] = None
    type: Optional[str] = None
    title: Optional[str] = None
    issuer: Optional[str] = None
    issued_on: Optional[dt.date] = None
    obligations: int = 0


def json_column(v):
    """A JSON column's value: SQLite hands back the text, PostgreSQL the parsed value."""
    if isinstance(v, str):
        if v.startswith("[") and "{" not in v:
            # a list of names or flags: few distinct texts over a register (a unit's 13,000 tasks
            # repeat a few hundred), parsed once; a fresh list each time, the callers may keep it
            parsed = _json_list(v)
            return None if parsed is None else list(parsed)
        try:
            return json.loads(v)
        except ValueError:
            return None
    return v


@lru_cache(maxsize=4096)
def _json_list(v: str) -> Optional[tuple]:
    try:
        parsed = json.loads(v)
    except ValueError:
        return None
    return tuple(parsed) if isinstance(parsed, list) else None


def _date(v) -> Optional[dt.date]:
    if v is None or isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.datetime):
        return v.date()
    return dt.date.fromisoformat(str(v)[:10])


class DeadlineRow:
    """Duck type for models/dates.py: what is_overdue / next_occurrence read."""
    __slots__ = ("deadline_due", "deadline_recurrence", "deadline_day", "deadline_start", "status", "last_done_on")

    def __init__(self, m: dict):
        self.deadline_due = _date(m.get("deadline_due"))
        self.deadline_recurrence = m.get("deadline_recurrence")
        self.deadline_day = m.get("deadline_day")
        self.deadline_start = _date(m.get("deadline_start"))
        self.status = m.get("status") or "open"
        self.last_done_on = _date(m.get("last_done_on"))


def effective_due(m: dict, today: dt.date, row: Optional[DeadlineRow] = None) -> Optional[dt.date]:
    """The date that counts for ordering and ranges: the due date; for a recurring task the
    next occurrence, or this period's day when it was missed (overdue).  `row`: m's DeadlineRow
    when the caller has it already."""
    row = row or DeadlineRow(m)
    if row.deadline_recurrence in RECURRING:
        if is_overdue(row, today):
            # missed this period: the date that counts is the one missed, not next period's
            if row.deadline_due and today > row.deadline_due:
                return row.deadline_due
            return period_deadline(row.deadline_recurrence, row.deadline_day, today)
        return next_occurrence(row, today)
    return row.deadline_due


# ------------------------------------------------------------------ the filter builder

OBLIGATION_COLUMNS = (
    "o.id, o.document_id, o.text, o.ref, o.page, o.lead_units, o.support_units, o.deadline_raw, "
    "o.deadline_due, o.deadline_recurrence, o.deadline_day, o.deadline_start, o.status, o.last_done_on, "
    "o.flags, o.bbox, o.confidence, o.confidence_reasons, d.number AS doc_number, d.type AS doc_type, d.title AS doc_title, d.source_file AS doc_file"
)


class Filters:
    """WHERE clauses and parameters over `obligations o JOIN documents d`."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.where: list[str] = []
        self.params: dict[str, Any] = {}
        self.post: list = []          # Python predicates over (mapping, today)
        self.id_sets: list[str] = []  # SELECTs of obligation ids (unit, document): small sets to drive from
        self.selective = False        # a unit or document filter: drive the query from it, not the words
        self.unit_set: Optional[str] = None   # the unit filter's entry of id_sets ...
        self.unit_tokens: list[str] = []      # ... and the same filter as index tokens (words present)
        self.unit_ids: list[int] = []         # ... and its printed units, with the role asked for
        self.role = "any"
        self._n = 0

    def param(self, value) -> str:
        self._n += 1
        name = f"p{self._n}"
        self.params[name] = value
        return f":{name}"

    def date(self, value: dt.date) -> str:
        return self.param(value.isoformat() if self.dialect == "sqlite" else value)

    def in_list(self, column: str, values: Sequence) -> None:
        if not values:
            self.where.append("1 = 0")
            return
        self.where.append(f"{column} IN ({', '.join(self.param(v) for v in values)})")

    def sql(self, with_sets: bool = True) -> str:
        where = ([f"o.id IN ({ids})" for ids in self.id_sets] if with_sets else []) + self.where
        return " AND ".join(where) if where else "1 = 1"


def _programme_documents_sql(f: Filters, programme: str) -> str:
    """Ids of documents under a programme/directive, through citations at any depth.

    A document is under R when it is R, its `programme` is R, it implements / is based on R
    (by number), or it implements / is based on a document already under R."""
    key = f.param(symbol_key(programme) or "")
    rel = "c.relation IN ('implements', 'basis')"
    return f"""
        WITH RECURSIVE roots(id) AS (
            SELECT id FROM documents WHERE number_key = {key}
        ), under(id) AS (
            SELECT id FROM documents WHERE programme IS NOT NULL
                AND replace(replace(replace(lower(programme), 'đ', 'd'), 'Đ', 'd'), ' ', '') = {key}
            UNION SELECT id FROM roots
            UNION SELECT c.from_document FROM citations c
                WHERE {rel} AND (c.number_key = {key} OR c.to_document IN (SELECT id FROM roots))
            UNION SELECT c.from_document FROM citations c JOIN under u ON c.to_document = u.id WHERE {rel}
        ) SELECT id FROM under"""


def _programme_up_sql(f: Filters, programme: str) -> str:
    """The same rule as _programme_documents_sql, bottom-up for one obligation `o`: its document
    or a document it implements / is based on (at any depth) is R, carries programme R, or
    implements / is based on R by number."""
    key = f.param(symbol_key(programme) or "")
    rel = "c.relation IN ('implements', 'basis')"
    return f"""EXISTS (
        WITH RECURSIVE up(id) AS (
            SELECT o.document_id
            UNION SELECT c.to_document FROM citations c JOIN up ON c.from_document = up.id
                WHERE {rel} AND c.to_document IS NOT NULL
        ) SELECT 1 FROM up WHERE EXISTS (
            SELECT 1 FROM documents d2 WHERE d2.id = up.id AND (d2.number_key = {key} OR (d2.programme IS NOT NULL
                AND replace(replace(replace(lower(d2.programme), 'đ', 'd'), 'Đ', 'd'), ' ', '') = {key})))
          OR EXISTS (SELECT 1 FROM citations c WHERE c.from_document = up.id AND {rel} AND c.number_key = {key}))"""


def build_filters(session, *, unit: Optional[str] = None, role: str = "any", document: Optional[str] = None,
                  type: Optional[str] = None, programme: Optional[str] = None,
                  due_from: Optional[dt.date] = None, due_to: Optional[dt.date] = None,
                  status: Optional[Iterable[str] | str] = None, overdue: bool = False,
                  flags: Optional[Iterable[str] | str] = None, today: Optional[dt.date] = None) -> tuple[Filters, list[str]]:
    dialect = session.get_bind().dialect.name
    today = today or dt.date.today()
    f = Filters(dialect)
    resolved: list[str] = []
    if unit:
        from models.departments import resolve_query, unassigned_sql

        uq = resolve_query(session, unit)
        units = uq.unit_ids
        resolved = list(uq.departments) or ([uq.title] if uq.found else [])
        role_sql = ""
        if role in ("lead", "support"):
            role_sql = f" AND ou.role = {f.param(role)}"
        if uq.unassigned:          # "Chưa rõ đơn vị": the tasks no department owes
            f.id_sets.append(f"SELECT o3.id AS obligation_id FROM obligations o3 WHERE {unassigned_sql(role, alias='o3')}")
        else:
            ids = ", ".join(str(int(u)) for u in units) or "NULL"
            f.unit_set = f"SELECT ou.obligation_id FROM obligation_units ou WHERE ou.unit_id IN ({ids}){role_sql}"
            f.id_sets.append(f.unit_set)
            roles = (role,) if role in ("lead", "support") else ("lead", "support")
            f.unit_tokens = [unit_token(u, r) for u in sorted(int(u) for u in units) for r in roles]
            f.unit_ids, f.role = sorted(int(u) for u in units), role
        f.selective = True
    if document:
        # resolved first (id, number or file name), so the filter is an indexed document_id list
        # a copy (models/copies.py) stands for its document, whose row holds the obligations
        docs = list(dict.fromkeys(r[0] for r in execute(
            session, "SELECT COALESCE(version_of, id) FROM documents WHERE id = :d OR number_key = :k OR source_file = :d",
            {"d": document, "k": symbol_key(document) or ""}).all()))
        ids = ", ".join(f.param(d) for d in docs) or "NULL"
        f.id_sets.append(f"SELECT o2.id AS obligation_id FROM obligations o2 WHERE o2.document_id IN ({ids})")
        f.selective = True
    if type:
        types = document_types(session)
        f.in_list("d.type", [t for t in types if fold_key(t) == fold_key(type)])
    if programme:
        if f.selective:
            # few candidates (a unit's or a document's tasks): walk up from each one's document
            # instead of listing every document under the programme
            f.where.append(_programme_up_sql(f, programme))
        else:
            f.where.append(f"o.document_id IN ({_programme_documents_sql(f, programme)})")
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        if "open" in statuses and "in_progress" not in statuses and len(statuses) == 1:
            statuses = list(OPEN)   # "open" as staff mean it: not finished
        # "+" keeps SQLite off the status index when a unit/document list is the better way in
        f.in_list("+o.status" if f.selective and dialect == "sqlite" else "o.status", statuses)
    if flags:
        for flag in ([flags] if isinstance(flags, str) else list(flags)):
            p = f.param(flag)
            if dialect == "sqlite":
                f.where.append(f"EXISTS (SELECT 1 FROM json_each(o.flags) WHERE json_each.value = {p})")
            else:
                f.where.append(f"jsonb_exists(CAST(o.flags AS jsonb), {p})")
    recurring = ", ".join(f"'{r}'" for r in RECURRING)
    if due_from or due_to:
        # One-off tasks by their due date in SQL; recurring ones by their next occurrence (Python).
        conds = ["o.deadline_due IS NOT NULL"]
        if due_from:
            conds.append(f"o.deadline_due >= {f.date(due_from)}")
        if due_to:
            conds.append(f"o.deadline_due <= {f.date(due_to)}")
        f.where.append(f"(({' AND '.join(conds)}) OR o.deadline_recurrence IN ({recurring}))")

        def in_range(m, today=today, lo=due_from, hi=due_to):
            when = effective_due(m, max(today, lo) if lo else today) if m.get("deadline_recurrence") in RECURRING else _date(m.get("deadline_due"))
            return when is not None and (lo is None or when >= lo) and (hi is None or when <= hi)
        f.post.append(in_range)
    if overdue:
        # as before: not finished (open / in progress) and overdue by models.dates.is_overdue
        # (which also calls a recurring task marked done in an earlier period overdue)
        f.where.append(f"COALESCE(o.status, 'open') IN ('open', 'in_progress') AND {overdue_sql(f, today)}")
    return f, resolved


def document_types(session) -> list[str]:
    """The register's document types, each once: a walk down ix_documents_type (one probe per
    type, a dozen), not a read of every document (50,000 in a national register)."""
    return [r[0] for r in execute(session, (
        "WITH RECURSIVE t(v) AS (SELECT min(type) FROM documents "
        "UNION ALL SELECT (SELECT min(d.type) FROM documents d WHERE d.type > t.v) FROM t WHERE t.v IS NOT NULL) "
        "SELECT v FROM t WHERE v IS NOT NULL")).all()]


def overdue_sql(f: Filters, today: dt.date) -> str:
    """models.dates.is_overdue as one SQL condition over `o` (today is a constant, so each
    period's deadline and start are constants too).  Tested row for row against is_overdue."""
    t = f.date(today)
    st = "COALESCE(o.status, 'open')"
    opened = f"{st} IN ('open', 'in_progress')"
    recurring = ", ".join(f"'{r}'" for r in RECURRING)
    kinds = []
    for rec in RECURRING:
        p_start, p_end = period_bounds(rec, today)
        if rec == "weekly":
            passed = f"(CASE WHEN o.deadline_day BETWEEN 1 AND 7 THEN o.deadline_day ELSE 7 END) < {today.isoweekday()}"
        elif today.month != p_end.month:
            passed = "1 = 0"     # the deadline falls in the period's last month, still ahead
        else:
            last = p_end.day
            passed = (f"(CASE WHEN o.deadline_day > 0 AND o.deadline_day < {last} THEN o.deadline_day "
                      f"ELSE {last} END) < {today.day}")
        assert rec in PERIOD_MONTHS or rec == "weekly"
        ps = f.date(p_start)
        not_done = f"((o.last_done_on IS NOT NULL AND o.last_done_on < {ps}) OR (o.last_done_on IS NULL AND {st} <> 'done'))"
        kinds.append(f"(o.deadline_recurrence = '{rec}' AND {passed} AND {not_done})")
    return (f"({st} <> 'cancelled' AND (o.deadline_start IS NULL OR o.deadline_start <= {t}) AND ("
            f"((o.deadline_recurrence IS NULL OR o.deadline_recurrence NOT IN ({recurring})) AND {opened} "
            f"AND o.deadline_due < {t}) "
            f"OR (o.deadline_recurrence IN ({recurring}) AND o.deadline_due < {t} AND {opened}) "
            f"OR ((o.deadline_due IS NULL OR o.deadline_due >= {t}) AND ({' OR '.join(kinds)}))))")


def _hit(m: dict, today: dt.date, exact: bool = False, score: float = 0.0) -> SearchHit:
    row = DeadlineRow(m)
    return SearchHit(
        obligation_id=m["id"], document_id=m["document_id"], text=m["text"], ref=m.get("ref"), page=m.get("page"),
        lead_units=list(json_column(m.get("lead_units")) or []), support_units=list(json_column(m.get("support_units")) or []),
        deadline_raw=m.get("deadline_raw"), due=row.deadline_due, recurrence=row.deadline_recurrence,
        day=row.deadline_day, next_due=effective_due(m, today, row), status=row.status,
        overdue=is_overdue(row, today), flags=list(json_column(m.get("flags")) or []),
        document_number=m.get("doc_number"), document_type=m.get("doc_type"), document_title=m.get("doc_title"),
        document_file=m.get("doc_file"), exact=bool(exact), score=float(score or 0.0),
        confidence=m.get("confidence"), confidence_reasons=list(json_column(m.get("confidence_reasons")) or []),
    )


# ------------------------------------------------------------------ search

def search(session, *, query: str = "", unit: Optional[str] = None, role: str = "any",
           document: Optional[str] = None, type: Optional[str] = None, programme: Optional[str] = None,
           due_from: Optional[dt.date] = None, due_to: Optional[dt.date] = None,
           status: Optional[Iterable[str] | str] = None, overdue: bool = False,
           flags: Optional[Iterable[str] | str] = None, limit: int = 50, offset: int = 0,
           today: Optional[dt.date] = None, count: bool = True, sort: str = "auto") -> SearchResult:
    """Obligations matching `query` (all words, diacritics folded) and the filters, best first.

    With no query words: the filtered obligations in due order (overdue first).
    sort="confidence": the least certain extraction first (for review), whatever the words;
    obligations whose confidence was never computed come last."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: use {' or '.join(SORTS)}")
    started = time.perf_counter()
    today = today or dt.date.today()
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    q = parse_query(query)
    f, resolved = build_filters(session, unit=unit, role=role, document=document, type=type, programme=programme,
                                due_from=due_from, due_to=due_to, status=status, overdue=overdue, flags=flags,
                                today=today)
    if sort == "confidence":
        hits, total, more = _confidence_order(session, q, f, limit, offset, today)
    elif q.empty:
        found = None
        if overdue and unit and not (document or type or programme or due_from or due_to or status or flags):
            found = _unit_overdue(session, f, limit, offset, today)     # None: the counts cannot say
        hits, total, more = found or _due_order(session, f, limit, offset, today)
    else:
        hits, total, more = _ranked(session, q, f, limit, offset, today, count)
    return SearchResult(query=q, hits=hits, total=int(total), more=more,
                        elapsed_ms=(time.perf_counter() - started) * 1000, units=resolved)


COUNT_CAP = 1000
WINDOW_MIN_ROWS = 20_000     # below this the whole register is ranked at once
WINDOW_MAX_ROWS = 16_000
DEADLINE_COLUMNS = ("o.deadline_due, o.deadline_recurrence, o.deadline_day, o.deadline_start, o.status, "
                    "o.last_done_on")


def _due_order(session, f: Filters, limit: int, offset: int, today: dt.date):
    """No words: every filtered obligation (the filters are exact in SQL but for a recurring
    task's next occurrence in a date range), in due order, overdue first; the full rows are
    fetched for the page only."""
    join = " JOIN documents d ON d.id = o.document_id" if "d." in f.sql() else ""
    rows = [dict(r) for r in execute(session, (
        f"SELECT o.id AS k, o.document_id, o.ref, {DEADLINE_COLUMNS} FROM obligations o{join} WHERE {f.sql()}"),
        f.params).mappings()]
    if f.post:
        rows = [m for m in rows if all(p(m) for p in f.post)]

    rows.sort(key=_due_key(today))
    page = rows[offset:offset + limit]
    full = _rows_by(session, "o.id", [m["k"] for m in page])
    return [_hit(full[m["k"]], today) for m in page if m["k"] in full], len(rows), False


def _due_key(today: dt.date):
    """The no-words order of a row (its deadline fields, document_id, ref): overdue first, then
    by the date that counts, undated last, then document order."""
    dates: dict[tuple, tuple] = {}     # deadline fields -> (overdue, the date that counts): they repeat

    def due_key(m):
        fields = (m["deadline_due"], m["deadline_recurrence"], m["deadline_day"], m["deadline_start"], m["status"],
                  m["last_done_on"])
        known = dates.get(fields)
        if known is None:
            row = DeadlineRow(m)
            known = dates[fields] = (not is_overdue(row, today), effective_due(m, today, row))
        late, nd = known
        return (late, nd is None, nd or dt.date.max, m["document_id"], natural_key(m.get("ref")))
    return due_key


UNIT_OVERDUE_MAX_ROWS = 2000    # rows read for a page from the counts' keys; more (a deep page): the scan


def _unit_overdue(session, f: Filters, limit: int, offset: int, today: dt.date):
    """A unit's overdue tasks, no words, no other filter: found from the kept per-task count
    keys (models/unit_counts.py: each open one-off task is keyed by its department, role,
    status and due day; a recurring or started one by all its deadline fields), so that only
    the overdue tasks are read, not every task of the unit (13,000 in a large department at
    1,000,000 obligations).  The page's rows are then read and ordered as _due_order orders
    them.  None when the counts cannot answer exactly: the filter's units are not whole
    departments, or a row read disagrees with its key (the caller then reads the unit's tasks)."""
    from models.dates import TaskDates

    if not f.unit_ids or f.post or len(f.id_sets) != 1 or f.id_sets[0] != f.unit_set:
        return None
    # the counts are per department (units.department_id): the filter must be whole departments
    marks = ", ".join(str(int(u)) for u in f.unit_ids)
    deps = {r[0] for r in execute(session, f"SELECT department_id FROM units WHERE id IN ({marks})").all()}
    if not deps or None in deps:
        return None
    dep_list = ", ".join(str(int(d)) for d in sorted(deps))
    members = {int(r[0]) for r in execute(session, f"SELECT id FROM units WHERE department_id IN ({dep_list})").all()}
    if members != set(f.unit_ids):
        return None
    roles = {"lead": ("lead", "both"), "support": ("support", "both")}.get(f.role, ("lead", "support", "both"))
    day = today.isoformat() if f.dialect == "sqlite" else today
    due: dict[str, Optional[dt.date]] = {}     # task id -> the date that counts (every one overdue)
    for oid, bucket, status, rec, d, dd, start, last in execute(session, (
            "SELECT kk.obligation_id, c.bucket, c.status, c.recurrence, c.due, c.day, c.start, c.last_done "
            f"FROM unit_counts c {'CROSS ' if f.dialect == 'sqlite' else ''}JOIN unit_count_keys kk ON kk.k = c.k "
            f"WHERE c.dep IN ({dep_list}) AND c.status IN ('open', 'in_progress') "
            f"AND c.roles IN ({', '.join(repr(r) for r in roles)}) "
            "AND ((c.bucket = 'd' AND c.due < :today) OR c.bucket = 'x')"), {"today": day}).all():
        if bucket == "d":        # an open one-off task without a start date, due before today
            due[oid] = _date(d)
            continue
        row = TaskDates(_date(d), rec, dd, _date(start), status, _date(last))
        if is_overdue(row, today):
            due[oid] = effective_due({}, today, row)
    need = offset + limit
    order = sorted(due.values(), key=lambda v: (v is None, v or dt.date.max))
    if len(order) > need:   # every task up to the page's last date (its ties too) is read and ordered
        last = order[need - 1]
        ids = [k for k, v in due.items() if last is None or (v is not None and v <= last)]
    else:
        ids = list(due)
    if len(ids) > UNIT_OVERDUE_MAX_ROWS:
        return None
    full = {}
    for n in range(0, len(ids), 500):
        full.update(_rows_by(session, "o.id", ids[n:n + 500]))
    key = _due_key(today)
    for k in ids:     # the register must agree with the counts' keys, or the scan answers
        m = full.get(k)
        if m is None or key(m)[0] or key(m)[2] != (due[k] or dt.date.max):
            return None
    rows = sorted((full[k] for k in ids), key=key)
    return [_hit(m, today) for m in rows[offset:offset + limit]], len(due), False


def _confidence_order(session, q: SearchQuery, f: Filters, limit: int, offset: int, today: dt.date):
    """Every match (words and filters), least certain first: the review list.  Ties (and rows
    without a confidence, last) keep document order."""
    if q.empty:
        join = " JOIN documents d ON d.id = o.document_id" if "d." in f.sql() else ""
        source, where = f"obligations o{join}", f.sql()
    else:
        frm, words_where, rid = _words_from(q, f)
        source = "obligations o"
        where = (f"o.id IN (SELECT s9.item_id FROM search_obligations s9 WHERE s9.rid IN "
                 f"(SELECT {rid} FROM {frm} WHERE {words_where}))")
    order = "o.confidence ASC NULLS LAST, o.document_id, o.ordinal"
    if not f.post:
        sql = f"SELECT o.id AS k FROM {source} WHERE {where} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        keys = [r[0] for r in execute(session, sql, f.params).all()]
        total, more = _count(session, f"SELECT 1 FROM {source} WHERE {where}", f.params, offset + limit)
    else:   # a due-date range: a recurring task's next occurrence is computed in Python
        sql = f"SELECT o.id AS k, {DEADLINE_COLUMNS} FROM {source} WHERE {where} ORDER BY {order}"
        rows = [m for m in (dict(r) for r in execute(session, sql, f.params).mappings()) if all(p(m) for p in f.post)]
        keys, total, more = [m["k"] for m in rows[offset:offset + limit]], len(rows), False
    full = _rows_by(session, "o.id", keys)
    return [_hit(full[k], today) for k in keys if k in full], total, more


def _words_from(q: SearchQuery, f: Filters, window: bool = False) -> tuple[str, str, str]:
    """(FROM, WHERE, search row id column) of the rows holding every word and passing the filters;
    `window`: only search rows with rid > :lo_rid.

    A unit filter is part of the match: the index holds each unit link as a token
    (unit_token, migration 0015_unit_search_tokens), so "the words AND one of the unit's
    tokens" is answered from the rarest term, not by testing every match of a common word.
    SQLite: the FTS5 table drives (CROSS JOIN fixes the order), a document filter is a set of
    search rows tested by membership, other filters look at the joined obligation.
    PostgreSQL: with a document filter the (small) set of obligations drives and each one's
    tsvector is tested (a lateral primary-key lookup: the planner, misled by the independence
    of words, would otherwise read every match of a common word through GIN); a window is read
    through the rid index behind a fence, for the same reason.  Filters on the task's status and
    deadline fields (and its document) are tested on the search row's copy of them
    (SEARCH_ROW_COLUMNS, migration 0017_search_filter_columns), inside the window's fence, before
    the words: no task is looked up per match."""
    where = " AND ".join(f.where)
    needs_o = bool(f.where)
    needs_d = "d." in where
    tokens = _tokens(f)
    id_sets = [x for x in f.id_sets if not (tokens and x == f.unit_set)]   # the unit: part of the match
    if f.dialect == "sqlite":
        frm = "search_obligations_fts f"
        if needs_o:
            frm += (" CROSS JOIN search_obligations s ON s.rid = f.rowid"
                    " CROSS JOIN obligations o ON o.id = s.item_id")
        conds = [f"search_obligations_fts MATCH {f.param(q.fts5() + _units_fts5(tokens))}"]
        if window:
            conds.append("f.rowid > :lo_rid")
        conds += [f"+f.rowid IN (SELECT s2.rid FROM ({ids}) AS c2 CROSS JOIN search_obligations s2 "
                  f"ON s2.item_id = c2.obligation_id)" for ids in id_sets]
        rid = "f.rowid"
    else:
        on_row = needs_o and _on_search_row(f)
        task_where = list(f.where)
        if id_sets:
            ids = " INTERSECT ".join(f"({x})" for x in id_sets)
            frm = (f"(SELECT DISTINCT c0.id FROM ({ids}) AS c0(id)) AS c CROSS JOIN LATERAL "
                   f"(SELECT * FROM search_obligations s0 WHERE s0.item_id = c.id OFFSET 0) AS s")
        elif window and on_row and not needs_d:
            # the filters tested on the window's rows before the words (the fence keeps that order)
            frm = (f"(SELECT * FROM search_obligations o WHERE o.rid > :lo_rid AND {' AND '.join(f.where)} "
                   "OFFSET 0) AS s")
            task_where = []
        elif window:
            frm = "(SELECT * FROM search_obligations WHERE rid > :lo_rid OFFSET 0) AS s"
        else:
            frm = "search_obligations s"
        if on_row:     # `o` names the search row's copy of the task's fields: no lookup
            frm += (" CROSS JOIN LATERAL (SELECT " + ", ".join(f"s.{c} AS {c}" for c in SEARCH_ROW_COLUMNS)
                    + ") AS o")
        elif needs_o:
            frm += " JOIN obligations o ON o.id = s.item_id"
        conds = [f"s.folded @@ to_tsquery('simple', {f.param(_tsq(q.tsquery(), tokens))})"]
        rid = "s.rid"
        return (frm + (" JOIN documents d ON d.id = o.document_id" if needs_d else ""),
                " AND ".join(conds + task_where), rid)
    if needs_d:     # SQLite (PostgreSQL returned above)
        frm += " CROSS JOIN documents d ON d.id = o.document_id"
    return frm, " AND ".join(conds + f.where), rid


# PostgreSQL: the task fields each search row carries (migration 0017_search_filter_columns,
# kept by triggers), under the obligations' names
SEARCH_ROW_COLUMNS = ("status", "deadline_due", "deadline_recurrence", "deadline_day", "deadline_start",
                      "last_done_on", "document_id")
_TASK_COLUMN = re.compile(r"\bo\.(\w+)")


def _on_search_row(f: Filters) -> bool:
    """PostgreSQL: every filter on the task reads only fields the search row carries, so that
    they are tested on the search row and no task is looked up per match."""
    return f.dialect != "sqlite" and set(_TASK_COLUMN.findall(" ".join(f.where))) <= set(SEARCH_ROW_COLUMNS)


def _tokens(f: Filters) -> list[str]:
    """The unit filter's index tokens when it is matched by the index (words present, a unit
    with printed units); [] when the unit's set of ids filters instead."""
    return f.unit_tokens if f.unit_set is not None and f.unit_set in f.id_sets else []


def _tsq(tsq: str, tokens: list[str]) -> str:
    return f"({tsq}){_units_tsquery(tokens)}" if tokens else tsq


def _tier_tests(q: SearchQuery) -> list[tuple]:
    """(weight, FTS5 query, tsquery, column) of each tier test: a row failing it adds `weight`."""
    tests = []
    if q.exact:
        tests.append((2, q.fts5_exact(), q.tsquery_exact(), "exact"))
    if len(q.terms) > 1 and not q.phrase:
        tests.append((1, q.fts5_phrase(), q.tsquery_phrase(), "folded"))
    return tests


FEW_ROWS = 16   # SQLite: a filtered match this small has its tiers tested row by row


def _few_ranked(session, q: SearchQuery, f: Filters, frm: str, where: str, rid: str) -> Optional[list[tuple]]:
    """SQLite, words with a filter on the tasks (status, type, programme, overdue …) and no
    window: when the match holds at most FEW_ROWS rows, [(rid, tier)] best first, the tiers
    tested for those rows only (an FTS5 match restricted to their rowids, ~0.1 ms a row) instead
    of computed over every row matching the words (a phrase over a unit's matches: 5-14 ms at
    1,000,000 obligations).  None when the match is larger (the caller ranks in one statement)."""
    rows = [r[0] for r in execute(session, f"SELECT {rid} FROM {frm} WHERE {where} LIMIT {FEW_ROWS + 1}",
                                  f.params).all()]
    if len(rows) > FEW_ROWS:
        return None
    tier = dict.fromkeys(rows, 0)
    if rows:
        ids = ", ".join(str(int(k)) for k in rows)
        for weight, fts, _, col in _tier_tests(q):
            table = "search_obligations_exact" if col == "exact" else "search_obligations_fts"
            passed = {r[0] for r in execute(session, (
                f"SELECT rowid FROM {table} WHERE {table} MATCH :m AND rowid IN ({ids})"),
                {"m": fts + _units_fts5(_tokens(f))}).all()}
            for k in rows:
                tier[k] += 0 if k in passed else weight
    return sorted(tier.items(), key=lambda kt: (kt[1], -kt[0]))


def _tier_sql(q: SearchQuery, f: Filters, rid: str, window: bool) -> str:
    """0 = every word with its diacritics as typed and the words adjacent, 1 = exact only,
    2 = adjacent only, 3 = neither (the order the ranking wants, best first)."""
    parts = []
    for weight, fts, tsq, col in _tier_tests(q):
        if f.dialect == "sqlite":
            table = "search_obligations_exact" if col == "exact" else "search_obligations_fts"
            lo = " AND rowid > :lo_rid" if window else ""
            # the unit's tokens are in both tables: the tier's set is the unit's matches, not the register's
            cond = f"+{rid} IN (SELECT rowid FROM {table} WHERE {table} MATCH {f.param(fts + _units_fts5(_tokens(f)))}{lo})"
        else:
            cond = f"s.{col} @@ to_tsquery('simple', {f.param(tsq)})"
        parts.append(f"(CASE WHEN {cond} THEN 0 ELSE {weight} END)")
    return " + ".join(parts) or "0"


def _ranked(session, q: SearchQuery, f: Filters, limit: int, offset: int, today: dt.date, count: bool):
    """Words: exact-diacritic hits first, then the words adjacent, then the newest.

    Without a unit/document filter the best `offset + limit` are first looked for among the
    newest search rows (a window of rids): a common word has its page there, and only the
    window's matches are ranked; when the window holds too few of the best tier, the whole
    register is ranked (and counted in the same statement)."""
    need = offset + limit
    cap = max(COUNT_CAP, need)
    windows = [False]
    lo_rid = None
    if not f.id_sets:
        lo, hi = execute(session, "SELECT (SELECT min(rid) FROM search_obligations), "
                                  "(SELECT max(rid) FROM search_obligations)").one()   # min+max in one SELECT scans
        span = (hi or 0) - (lo or 0)
        # the newest 1/32 (at most WINDOW_MAX_ROWS: at 1,000,000 a broad word still has more than
        # the count's cap there), more for a deep page; none when it would be half the register
        rows = span * max(1 / 32, need / 1600)
        if not f.post:
            # (with a due-date range the window's count is the total shown, a lower bound: as before)
            rows = min(span / 32, WINDOW_MAX_ROWS) * max(1.0, need / 50)
        if span >= WINDOW_MIN_ROWS and rows < span / 2:
            lo_rid = int(hi - rows)
            windows = [True, False]
    if f.dialect != "sqlite" and f.id_sets:
        # a unit's ids come from the covering index in ~1 ms; a parallel scan of obligation_units,
        # which the planner sometimes prefers here, costs 20-50 ms on a 2-core server
        execute(session, "SET LOCAL max_parallel_workers_per_gather = 0")
    picked: list = []
    n_all = None
    for window in windows:
        frm, where, rid = _words_from(q, f, window)
        if f.dialect == "sqlite" and not window and not f.post and f.where and _tier_tests(q):
            few = _few_ranked(session, q, f, frm, where, rid)
            if few is not None:
                picked, n_all = few[:need], len(few)
                break
        tier = _tier_sql(q, f, rid, window)
        # the window's matches are all read for the order anyway: their number is free, and when
        # it passes the cap the whole register need not be counted
        cols = f"{rid} AS k, {tier} AS tier, count(*) OVER () AS n"
        if f.post:
            cols += f", {DEADLINE_COLUMNS}"
        sql = (f"SELECT {cols} FROM {frm} WHERE {where} ORDER BY tier, k DESC"
               + ("" if f.post else f" LIMIT {need}"))
        params = {**f.params, "lo_rid": lo_rid} if window else f.params
        picked = []
        passed = 0
        for m in execute(session, sql, params).mappings():
            n_all = m.get("n", n_all)
            if f.post and not all(p(m) for p in f.post):
                continue
            passed += 1
            if len(picked) < need:
                picked.append((m["k"], m["tier"]))
            elif not f.post:
                break
        if f.post and not window:
            n_all = passed
        # a window's answer stands when every row taken is of the best tier: an older row of
        # the same tier ranks below it, and nothing outside the window can rank above
        if not window or (len(picked) >= need and all(tr == 0 for _, tr in picked)):
            break
    page = picked[offset:offset + limit]
    full = _rows_by(session, "s.rid", [k for k, _ in page])
    hits = [_hit(full[k], today, bool(q.exact) and tr < 2, k) for k, tr in page if k in full]
    total, more = offset + len(hits), False
    if window:   # the page came from the window: count (bounded) over the whole register
        if count and (len(page) == limit or offset):
            frm, where, _ = _words_from(q, f)
            if f.post:
                # a recurring task's next occurrence is computed: the window's count is a lower bound
                total, more = min(passed, cap), True
            elif n_all is not None and n_all > cap:
                total, more = cap, True
            else:
                total, more = _count(session, f"SELECT 1 FROM {frm} WHERE {where}", f.params, need)
    elif n_all is not None:
        total, more = min(n_all, cap), n_all > cap
    return hits, total, more


def _rows_by(session, key: str, keys: list) -> dict:
    """Full rows (OBLIGATION_COLUMNS) by obligation id (`o.id`) or search row id (`s.rid`)."""
    if not keys:
        return {}
    p = {f"i{n}": v for n, v in enumerate(keys)}
    join = " JOIN search_obligations s ON s.item_id = o.id" if key.startswith("s.") else ""
    return {r["k"]: dict(r) for r in execute(session, (
        f"SELECT {key} AS k, {OBLIGATION_COLUMNS} FROM obligations o JOIN documents d ON d.id = o.document_id{join} "
        f"WHERE {key} IN ({', '.join(':' + k for k in p)})"), p).mappings()}


def _rows_by_id(session, ids: list[str]) -> dict[str, dict]:
    return _rows_by(session, "o.id", ids)


def _count(session, sql: str, params: dict, at_least: int) -> tuple[int, bool]:
    """(matches, more): counted up to COUNT_CAP (a page then says "more than 1000"): counting
    10,000 hits of a broad word exactly costs more than finding the first 50."""
    cap = max(COUNT_CAP, at_least)
    n = int(execute(session, f"SELECT count(*) FROM ({sql} LIMIT {cap + 1}) AS c", params).scalar_one())
    return min(n, cap), n > cap


def search_documents(session, *, query: str, limit: int = 20) -> list[DocumentHit]:
    """Documents whose number, type, title, issuer or file name hold every query word."""
    q = parse_query(query)
    if q.empty:
        return []
    dialect = session.get_bind().dialect.name
    limit = max(1, min(int(limit), MAX_LIMIT))
    # A copy's words (its file name, its OCR'd title) find its document: each document once.
    cols = ("h.id, h.source_file, h.number, h.type, h.title, h.issuer, h.issued_on, "
            "(SELECT count(*) FROM obligations o WHERE o.document_id = h.id) AS n")
    head = "JOIN documents h ON h.id = COALESCE(d.version_of, d.id)"
    if dialect == "sqlite":
        sql = (f"SELECT {cols} FROM search_documents_fts f JOIN search_documents s ON s.rid = f.rowid "
               f"JOIN documents d ON d.id = s.item_id {head} WHERE search_documents_fts MATCH :q ORDER BY f.rank "
               f"LIMIT {limit * 4}")
        params = {"q": q.fts5()}
    else:
        sql = (f"SELECT {cols} FROM search_documents s JOIN documents d ON d.id = s.item_id {head} "
               f"WHERE s.folded @@ to_tsquery('simple', :q) "
               f"ORDER BY ts_rank(s.folded, to_tsquery('simple', :q)) DESC LIMIT {limit * 4}")
        params = {"q": q.tsquery()}
    hits: dict[str, DocumentHit] = {}
    for r in execute(session, sql, params).all():
        if r[0] not in hits and len(hits) < limit:
            hits[r[0]] = DocumentHit(id=r[0], source_file=r[1], number=r[2], type=r[3], title=r[4], issuer=r[5],
                                     issued_on=_date(r[6]), obligations=int(r[7] or 0))
    return list(hits.values())


def facets(session) -> dict[str, list[str]]:
    """Values for the filter drop-downs: departments (models/departments.py), document types."""
    from models.departments import departments_with_obligations

    units = departments_with_obligations(session)
    types = document_types(session)
    return {"units": units, "types": types}
