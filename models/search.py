"""Full-text search over the register: one interface, SQLite FTS5 or PostgreSQL full-text.

    with open_session() as session:
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

The indexes are built by migration 0002_search (triggers keep them in step); this module only
reads.  It imports SQLAlchemy but nothing heavy: `chidao search` must answer in < 0.5 s.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import text

from models.dates import is_overdue, next_occurrence, period_deadline
from models.keys import symbol_key
from models.owes_rows import natural_key
from models.search_query import SearchQuery, fold_key, parse_query

RECURRING = ("weekly", "monthly", "quarterly", "halfyearly", "yearly")
OPEN = ("open", "in_progress")
MAX_LIMIT = 1000


# ------------------------------------------------------------------ units and groups

@lru_cache(maxsize=1)
def _unit_abbreviations() -> tuple[Optional[re.Pattern], dict]:
    """One alternation of every unit abbreviation (longest first) and its expansions."""
    from extractors.gazetteer import load

    try:
        rows = load("abbreviations.jsonl")
    except Exception:   # a clone without the data file still searches
        return None, {}
    table = {r["abbreviation"]: r["expansion"] for r in rows
             if r.get("kind") == "unit" and r.get("abbreviation") and r.get("expansion")}
    if not table:
        return None, {}
    alt = "|".join(re.escape(a) for a in sorted(table, key=len, reverse=True))
    return re.compile(r"(?<![^\W_])(?:" + alt + r")(?![^\W_])"), table


@lru_cache(maxsize=4096)
def expand_unit(name: str) -> str:
    """`UBND huyện Tuy Phước` -> `Ủy ban nhân dân huyện Tuy Phước` (unit abbreviations, as in corpora)."""
    out = " ".join((name or "").split())
    rx, table = _unit_abbreviations()
    return rx.sub(lambda m: table[m.group(0)], out) if rx else out


@lru_cache(maxsize=8192)
def unit_fold(name: str) -> str:
    return fold_key(expand_unit(name))


_UNIT_INDEX: dict = {}


def _unit_rows(session) -> list[tuple[int, str, tuple[str, ...]]]:
    """(id, name, folded keys of name and aliases) of every unit; cached per register until the
    units table changes (new units only ever get new ids)."""
    bind = session.get_bind()
    stamp = session.execute(text("SELECT count(*), max(id) FROM units")).one()
    key = (str(bind.url), tuple(stamp))
    rows = _UNIT_INDEX.get(key)
    if rows is None:
        rows = []
        for uid, uname, aliases in session.execute(text("SELECT id, name, aliases FROM units")).all():
            keys = tuple(dict.fromkeys(unit_fold(n) for n in [uname] + list(_json(aliases) or [])))
            rows.append((uid, uname, keys))
        _UNIT_INDEX.clear()
        _UNIT_INDEX[key] = rows
    return rows


@lru_cache(maxsize=1)
def _group_rules() -> tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]:
    """((group name, ((folded pattern prefix, has_wildcard), ...)), ...)."""
    from extractors.gazetteer import load

    try:
        rows = load("unit_groups.jsonl")
    except Exception:
        return ()
    rules = []
    for r in rows:
        pats = []
        for p in r.get("members", []):
            wild = p.rstrip().endswith("*")
            pats.append((fold_key(p.rstrip().rstrip("*")), wild))
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
    return list(_groups_of(unit_fold(unit)))


def resolve_units(session, name: str, *, include_groups: bool = True) -> dict[int, Optional[str]]:
    """Unit ids in the register that a unit filter `name` means: {unit id: group name or None}.

    Exact (folded) match on the name or an alias first; failing that, units whose folded name
    contains the query's words in order (`cong an` -> every Công an ...).  Then the groups
    that include the unit (whether or not the unit itself is in the register)."""
    if not name or not name.strip():
        return {}
    wanted = unit_fold(name)
    rows = _unit_rows(session)
    hits: dict[int, Optional[str]] = {uid: None for uid, _, keys in rows if wanted in keys}
    if not hits:
        rx = re.compile(r"(?:^| )" + re.escape(wanted) + r"(?: |$)")
        hits = {uid: None for uid, _, keys in rows if rx.search(keys[0])}
    if include_groups:
        groups = {fold_key(g): g for g in groups_of(name)}
        for uid, _, keys in rows:
            g = groups.get(keys[0])
            if g and uid not in hits:
                hits[uid] = g
    return hits


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


def _json(v):
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return None
    return v


def _date(v) -> Optional[dt.date]:
    if v is None or isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.datetime):
        return v.date()
    return dt.date.fromisoformat(str(v)[:10])


class _Row:
    """Duck type for models/dates.py: what is_overdue / next_occurrence read."""
    __slots__ = ("deadline_due", "deadline_recurrence", "deadline_day", "deadline_start", "status", "last_done_on")

    def __init__(self, m: dict):
        self.deadline_due = _date(m.get("deadline_due"))
        self.deadline_recurrence = m.get("deadline_recurrence")
        self.deadline_day = m.get("deadline_day")
        self.deadline_start = _date(m.get("deadline_start"))
        self.status = m.get("status") or "open"
        self.last_done_on = _date(m.get("last_done_on"))


def effective_due(m: dict, today: dt.date) -> Optional[dt.date]:
    """The date that counts for ordering and ranges: the due date; for a recurring task the
    next occurrence, or this period's day when it was missed (overdue)."""
    row = _Row(m)
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
    "o.flags, o.bbox, d.number AS doc_number, d.type AS doc_type, d.title AS doc_title, d.source_file AS doc_file"
)


class Filters:
    """WHERE clauses and parameters over `obligations o JOIN documents d`."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.where: list[str] = []
        self.params: dict[str, Any] = {}
        self.post: list = []          # Python predicates over (mapping, today)
        self.selective = False        # a unit or document filter: drive the query from it, not the words
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

    def sql(self) -> str:
        return " AND ".join(self.where) if self.where else "1 = 1"


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
        units = resolve_units(session, unit)
        if units:
            names = dict(session.execute(text(
                f"SELECT id, name FROM units WHERE id IN ({', '.join(str(int(u)) for u in units)})")).all())
            resolved = [names[u] for u in units]
        role_sql = ""
        if role in ("lead", "support"):
            role_sql = f" AND ou.role = {f.param(role)}"
        ids = ", ".join(str(int(u)) for u in units) or "NULL"
        f.where.append(f"o.id IN (SELECT ou.obligation_id FROM obligation_units ou WHERE ou.unit_id IN ({ids}){role_sql})")
        f.selective = True
    if document:
        # resolved first (id, number or file name), so the filter is an indexed document_id list
        docs = [r[0] for r in session.execute(text(
            "SELECT id FROM documents WHERE id = :d OR number_key = :k OR source_file = :d"),
            {"d": document, "k": symbol_key(document) or ""}).all()]
        f.in_list("o.document_id", docs)
        f.selective = True
    if type:
        types = [r[0] for r in session.execute(text("SELECT DISTINCT type FROM documents WHERE type IS NOT NULL")).all()]
        f.in_list("d.type", [t for t in types if fold_key(t) == fold_key(type)])
    if programme:
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
        st = "+o.status" if f.selective and dialect == "sqlite" else "o.status"
        f.where.append(f"{st} IN ('open', 'in_progress') AND (o.deadline_due < {f.date(today)} "
                       f"OR o.deadline_recurrence IN ({recurring}))")
        f.post.append(lambda m, today=today: is_overdue(_Row(m), today))
    return f, resolved


def _hit(m: dict, today: dt.date, exact: bool = False, score: float = 0.0) -> SearchHit:
    row = _Row(m)
    return SearchHit(
        obligation_id=m["id"], document_id=m["document_id"], text=m["text"], ref=m.get("ref"), page=m.get("page"),
        lead_units=list(_json(m.get("lead_units")) or []), support_units=list(_json(m.get("support_units")) or []),
        deadline_raw=m.get("deadline_raw"), due=row.deadline_due, recurrence=row.deadline_recurrence,
        day=row.deadline_day, next_due=effective_due(m, today), status=row.status,
        overdue=is_overdue(row, today), flags=list(_json(m.get("flags")) or []),
        document_number=m.get("doc_number"), document_type=m.get("doc_type"), document_title=m.get("doc_title"),
        document_file=m.get("doc_file"), exact=bool(exact), score=float(score or 0.0),
    )


# ------------------------------------------------------------------ search

def search(session, *, query: str = "", unit: Optional[str] = None, role: str = "any",
           document: Optional[str] = None, type: Optional[str] = None, programme: Optional[str] = None,
           due_from: Optional[dt.date] = None, due_to: Optional[dt.date] = None,
           status: Optional[Iterable[str] | str] = None, overdue: bool = False,
           flags: Optional[Iterable[str] | str] = None, limit: int = 50, offset: int = 0,
           today: Optional[dt.date] = None, count: bool = True) -> SearchResult:
    """Obligations matching `query` (all words, diacritics folded) and the filters, best first.

    With no query words: the filtered obligations in due order (overdue first)."""
    started = time.perf_counter()
    today = today or dt.date.today()
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    q = parse_query(query)
    f, resolved = build_filters(session, unit=unit, role=role, document=document, type=type, programme=programme,
                                due_from=due_from, due_to=due_to, status=status, overdue=overdue, flags=flags,
                                today=today)
    dialect = f.dialect
    if not q.empty and not f.where and not f.post:
        return _search_words_only(session, q, f, limit, offset, today, count, started)
    select_extra = "0 AS exact, 0 AS phrase, 0.0 AS score"
    src = "obligations o JOIN documents d ON d.id = o.document_id"
    order = None
    if not q.empty:
        if dialect == "sqlite":
            src = ("search_obligations_fts f JOIN search_obligations s ON s.rid = f.rowid "
                   "JOIN obligations o ON o.id = s.item_id JOIN documents d ON d.id = o.document_id")
            f.where.insert(0, f"search_obligations_fts MATCH {f.param(q.fts5())}")
            exact = (f"f.rowid IN (SELECT rowid FROM search_obligations_exact WHERE search_obligations_exact "
                     f"MATCH {f.param(q.fts5_exact())})") if q.exact else "0"
            phrase = (f"f.rowid IN (SELECT rowid FROM search_obligations_fts WHERE search_obligations_fts "
                      f"MATCH {f.param(q.fts5_phrase())})") if len(q.terms) > 1 and not q.phrase else "0"
            select_extra = f"{exact} AS exact, {phrase} AS phrase, f.rowid AS score"
        else:
            src = ("search_obligations s JOIN obligations o ON o.id = s.item_id "
                   "JOIN documents d ON d.id = o.document_id")
            tq = f.param(q.tsquery())
            f.where.insert(0, f"s.folded @@ to_tsquery('simple', {tq})")
            exact = (f"(s.exact @@ to_tsquery('simple', {f.param(q.tsquery_exact())}))") if q.exact else "false"
            phrase = (f"(s.folded @@ to_tsquery('simple', {f.param(q.tsquery_phrase())}))") \
                if len(q.terms) > 1 and not q.phrase else "false"
            select_extra = f"{exact} AS exact, {phrase} AS phrase, s.rid AS score"
        order = "exact DESC, phrase DESC, score DESC, o.document_id, o.ordinal"
    where = f.sql()
    if not q.empty:
        # test the unit on the search row, before joining the obligation and its document
        where = where.replace("o.id IN (SELECT ou.obligation_id", "s.item_id IN (SELECT ou.obligation_id")
    base = f"SELECT {OBLIGATION_COLUMNS}, {select_extra} FROM {src} WHERE {where}"
    more = False
    if f.post or order is None:
        # Python decides (overdue / next occurrence / due order): fetch all matches, then page.
        if order:
            base += f" ORDER BY {order}"
        kept = []
        for r in session.execute(text(base), f.params).mappings():
            m = dict(r)
            if all(p(m) for p in f.post):
                kept.append(m)
        if order is None:
            # due order, overdue first; the full hit is built only for the page shown
            def due_key(m):
                nd = effective_due(m, today)
                return (not is_overdue(_Row(m), today), nd is None, nd or dt.date.max, m["document_id"],
                        natural_key(m.get("ref")))
            kept.sort(key=due_key)
        total = len(kept)
        hits = [_hit(m, today, m.get("exact"), m.get("score")) for m in kept[offset:offset + limit]]
    else:
        # rank first with only the tables the filters need, then fetch the page's rows
        src_rank = src if "d." in where else src.replace(" JOIN documents d ON d.id = o.document_id", "")
        ranked = session.execute(text(
            f"SELECT o.id AS k, {select_extra} FROM {src_rank} WHERE {where} "
            f"ORDER BY {order} LIMIT {limit} OFFSET {offset}"), f.params).all()
        rows = _rows_by_id(session, [r[0] for r in ranked])
        hits = [_hit(rows[r[0]], today, r[1], r[3]) for r in ranked if r[0] in rows]
        total, more = offset + len(hits), False
        if count and (len(hits) == limit or offset):
            total, more = _count(session, f"SELECT 1 FROM {src} WHERE {where}", f.params, offset + limit)
    return SearchResult(query=q, hits=hits, total=int(total), more=more,
                        elapsed_ms=(time.perf_counter() - started) * 1000,
                        units=resolved)


COUNT_CAP = 1000


def _rows_by_id(session, ids: list[str]) -> dict[str, dict]:
    if not ids:
        return {}
    p = {f"i{n}": v for n, v in enumerate(ids)}
    return {r["id"]: dict(r) for r in session.execute(text(
        f"SELECT {OBLIGATION_COLUMNS} FROM obligations o JOIN documents d ON d.id = o.document_id "
        f"WHERE o.id IN ({', '.join(':' + k for k in p)})"), p).mappings()}


def _count(session, sql: str, params: dict, at_least: int) -> tuple[int, bool]:
    """(matches, more): counted up to COUNT_CAP (a page then says "more than 1000"): counting
    10,000 hits of a broad word exactly costs more than finding the first 50."""
    cap = max(COUNT_CAP, at_least)
    n = int(session.execute(text(f"SELECT count(*) FROM ({sql} LIMIT {cap + 1}) AS c"), params).scalar_one())
    return min(n, cap), n > cap


def _match_sql(q: SearchQuery, f: Filters) -> tuple[str, str]:
    """(FROM+WHERE over the search table alone, SELECT list: id key, exact, phrase, score)."""
    if f.dialect == "sqlite":
        exact = (f"rowid IN (SELECT rowid FROM search_obligations_exact WHERE search_obligations_exact "
                 f"MATCH {f.param(q.fts5_exact())})") if q.exact else "0"
        phrase = (f"rowid IN (SELECT rowid FROM search_obligations_fts WHERE search_obligations_fts "
                  f"MATCH {f.param(q.fts5_phrase())})") if len(q.terms) > 1 and not q.phrase else "0"
        return (f"search_obligations_fts WHERE search_obligations_fts MATCH {f.param(q.fts5())}",
                f"rowid AS k, {exact} AS exact, {phrase} AS phrase, rowid AS score")
    tq = f.param(q.tsquery())
    exact = f"(exact @@ to_tsquery('simple', {f.param(q.tsquery_exact())}))" if q.exact else "false"
    phrase = (f"(folded @@ to_tsquery('simple', {f.param(q.tsquery_phrase())}))"
              if len(q.terms) > 1 and not q.phrase else "false")
    return (f"search_obligations WHERE folded @@ to_tsquery('simple', {tq})",
            f"item_id AS k, {exact} AS exact, {phrase} AS phrase, rid AS score")


def _search_words_only(session, q, f, limit, offset, today, count, started) -> SearchResult:
    """No filters: rank on the search table alone, then fetch the page's rows (the common case,
    and the one where a broad word matches thousands of rows)."""
    src, cols = _match_sql(q, f)
    ranked = session.execute(text(
        f"SELECT k, exact, phrase, score FROM (SELECT {cols} FROM {src}) AS m "
        f"ORDER BY exact DESC, phrase DESC, score DESC LIMIT {limit} OFFSET {offset}"), f.params).all()
    hits: list[SearchHit] = []
    if ranked:
        keys = [r[0] for r in ranked]
        p = {f"k{i}": k for i, k in enumerate(keys)}
        join = ("obligations o JOIN search_obligations s ON s.item_id = o.id" if f.dialect == "sqlite"
                else "obligations o")
        kcol = "s.rid" if f.dialect == "sqlite" else "o.id"
        rows = {r["k"]: dict(r) for r in session.execute(text(
            f"SELECT {kcol} AS k, {OBLIGATION_COLUMNS} FROM {join} JOIN documents d ON d.id = o.document_id "
            f"WHERE {kcol} IN ({', '.join(':' + n for n in p)})"), p).mappings()}
        for k, exact, _, score in ranked:
            if k in rows:
                hits.append(_hit(rows[k], today, exact, score))
    total, more = offset + len(hits), False
    if count and (len(ranked) == limit or offset):
        total, more = _count(session, f"SELECT 1 FROM {src}", f.params, offset + limit)
    return SearchResult(query=q, hits=hits, total=int(total), more=more,
                        elapsed_ms=(time.perf_counter() - started) * 1000)


def search_documents(session, *, query: str, limit: int = 20) -> list[DocumentHit]:
    """Documents whose number, type, title, issuer or file name hold every query word."""
    q = parse_query(query)
    if q.empty:
        return []
    dialect = session.get_bind().dialect.name
    limit = max(1, min(int(limit), MAX_LIMIT))
    cols = ("d.id, d.source_file, d.number, d.type, d.title, d.issuer, d.issued_on, "
            "(SELECT count(*) FROM obligations o WHERE o.document_id = d.id) AS n")
    if dialect == "sqlite":
        sql = (f"SELECT {cols} FROM search_documents_fts f JOIN search_documents s ON s.rid = f.rowid "
               f"JOIN documents d ON d.id = s.item_id WHERE search_documents_fts MATCH :q ORDER BY f.rank LIMIT {limit}")
        params = {"q": q.fts5()}
    else:
        sql = (f"SELECT {cols} FROM search_documents s JOIN documents d ON d.id = s.item_id "
               f"WHERE s.folded @@ to_tsquery('simple', :q) "
               f"ORDER BY ts_rank(s.folded, to_tsquery('simple', :q)) DESC LIMIT {limit}")
        params = {"q": q.tsquery()}
    return [DocumentHit(id=r[0], source_file=r[1], number=r[2], type=r[3], title=r[4], issuer=r[5],
                        issued_on=_date(r[6]), obligations=int(r[7] or 0))
            for r in session.execute(text(sql), params).all()]


def facets(session) -> dict[str, list[str]]:
    """Values for the filter drop-downs: units, document types, flags."""
    units = [r[0] for r in session.execute(text(
        "SELECT u.name FROM units u WHERE EXISTS (SELECT 1 FROM obligation_units ou WHERE ou.unit_id = u.id) "
        "ORDER BY u.name")).all()]
    types = [r[0] for r in session.execute(text(
        "SELECT DISTINCT type FROM documents WHERE type IS NOT NULL ORDER BY type")).all()]
    return {"units": units, "types": types}
