"""The national-size paths (issue 16) give the answers of the plain ones, on SQLite and PostgreSQL:

- a unit filter with words is matched by the index (unit links as tokens, migration
  0015_unit_search_tokens): the same hits as the words alone intersected with the unit alone;
- the index's unit tokens follow every write (ingest, edit of the units, re-extraction, a
  document deleted): each token matches exactly the tasks linked to that unit in that role;
- a page of a department's list (owes with limit/offset) is the whole list's slice, with the
  whole list's counts; the CLI and the web page say which tasks they show and how to see the rest.
"""
from __future__ import annotations

import datetime as dt
import random
import re

import pytest

import staff_register as sr
from tests.conftest import build_processed
from tests.models.test_unit_counts import UNITS, random_obligations

QUERIES = ["dinh danh", "định danh điện tử", '"dinh danh dien tu"', "bao cao", "hoa", "tuyen truyen", "y te"]
UNIT_ASKS = [("Công an tỉnh", "any"), ("Công an tỉnh", "lead"), ("Sở Tư pháp", "support"),
             ("UBND huyện Tuy Phước", "any"), ("Ủy ban nhân dân các huyện, thị xã, thành phố", "any"), ("Sở Y tế", "any")]


def _hits(session, **kw):
    from models.search import search

    res = search(session, today=sr.TODAY, limit=1000, **kw)
    return [(h.obligation_id, h.exact) for h in res.hits], res.total


def test_unit_filter_with_words_is_the_intersection(register):
    session, _ = register
    seen = 0
    for q in QUERIES:
        words, _ = _hits(session, query=q)
        for unit, role in UNIT_ASKS:
            ids = {oid for oid, _ in _hits(session, unit=unit, role=role)[0]}
            both, total = _hits(session, query=q, unit=unit, role=role)
            assert both == [w for w in words if w[0] in ids], (q, unit, role)     # same hits, same order and flags
            assert total == len(both)
            seen += len(both)
    assert seen > 10


def _token_sets(session) -> tuple[dict, dict]:
    """(what the index's unit tokens match, what the links say): {token: {obligation id}}."""
    from sqlalchemy import text

    from models.search import unit_token

    links: dict[str, set] = {}
    for oid, uid, role in session.execute(text("SELECT obligation_id, unit_id, role FROM obligation_units")):
        links.setdefault(unit_token(uid, role), set()).add(oid)
    uids = [r[0] for r in session.execute(text("SELECT id FROM units"))]
    index: dict[str, set] = {}
    sqlite = session.get_bind().dialect.name == "sqlite"
    for uid in uids:
        for role in ("lead", "support"):
            tok = unit_token(uid, role)
            for table in (("search_obligations_fts", "search_obligations_exact") if sqlite else ("pg",)):
                if sqlite:
                    sql = (f"SELECT s.item_id FROM {table} f JOIN search_obligations s ON s.rid = f.rowid "
                           f"WHERE {table} MATCH :t")
                    got = {r[0] for r in session.execute(text(sql), {"t": f'"{tok}"'})}
                    # a token left behind by a deleted task would match a rid without a task
                    n = session.execute(text(f"SELECT count(*) FROM {table} WHERE {table} MATCH :t"),
                                        {"t": f'"{tok}"'}).scalar_one()
                    assert n == len(got), (table, tok)
                else:
                    got = {r[0] for r in session.execute(text(
                        "SELECT item_id FROM search_obligations WHERE folded @@ to_tsquery('simple', :t)"), {"t": tok})}
                if got:
                    assert index.setdefault(tok, got) == got, (table, tok)
    return index, links


def test_unit_tokens_follow_every_write(db_url):
    from sqlalchemy import select

    from models.queries import edit_obligation
    from models.register import ingest_processed, open_session, reextract
    from models.tables import Document, Obligation
    from models.unit_counts import refresh

    rnd = random.Random(15)
    with open_session(db_url) as s:
        for i in range(6):
            ingest_processed(s, build_processed(name=f"kh-{i}.pdf", number=f"{i + 1}/KH-UBND",
                                                obligations=random_obligations(rnd, 10)))
        index, links = _token_sets(s)
        assert index == links and len(links) > 10
        ids = s.execute(select(Obligation.id).order_by(Obligation.id)).scalars().all()
        for oid in rnd.sample(ids, 12):
            edit_obligation(s, obligation_id=oid, lead_units=rnd.sample(UNITS, rnd.randrange(1, 3)),
                            support_units=rnd.sample(UNITS, rnd.randrange(0, 2)))
        assert _token_sets(s)[0] == _token_sets(s)[1]
        doc_id = s.execute(select(Obligation.document_id).where(Obligation.id == ids[0])).scalar_one()
        old = s.execute(select(Obligation).where(Obligation.document_id == doc_id)).scalars().all()
        again = [{"text": o.text, "lead_units": ["Sở Y tế"], "support_units": [], "deadline": None} for o in old[:4]]
        reextract(s, document_id=doc_id, processed=build_processed(
            name="kh-0.pdf", number="1/KH-UBND", obligations=again + random_obligations(rnd, 3)))
        s.commit()
        assert _token_sets(s)[0] == _token_sets(s)[1]
        other = s.execute(select(Obligation.document_id).where(Obligation.id == ids[-1])).scalar_one()
        gone = s.execute(select(Obligation.id).where(Obligation.document_id == other)).scalars().all()
        s.execute(Document.__table__.delete().where(Document.id == other))
        refresh(s, gone)
        s.commit()
        # a new task takes the highest rid again on SQLite: it carries no token of a deleted one
        ingest_processed(s, build_processed(name="new.pdf", number="99/KH-UBND",
                                            obligations=[{"text": "Nhiệm vụ mới", "lead_units": ["Sở Y tế"]}]))
        index, links = _token_sets(s)
        assert index == links


@pytest.mark.parametrize("unit", ["Công an tỉnh", "Sở Tư pháp", "Ủy ban nhân dân huyện Tuy Phước", "Chưa rõ đơn vị",
                                  "Sở Tài chính"])
def test_a_page_of_the_list_is_its_slice(db_url, unit):
    from models.owes import owes
    from models.register import ingest_processed, open_session

    rnd = random.Random(16)
    with open_session(db_url) as s:
        for i in range(8):
            ingest_processed(s, build_processed(name=f"kh-{i}.pdf", number=f"{i + 1}/KH-UBND",
                                                obligations=random_obligations(rnd, 12)))
        for kw in ({}, {"status": None}, {"role": "lead"}, {"date_from": dt.date(2024, 3, 1), "date_to": dt.date(2024, 9, 30)}):
            for today in (dt.date(2024, 6, 15), dt.date(2025, 1, 31)):
                [whole] = owes(s, unit=unit, today=today, **kw)
                assert len(whole.items) >= 2 or kw, (unit, kw)
                for limit, offset in ((3, 0), (3, 3), (5, 7), (1000, 0), (4, len(whole.items)), (0, 0)):
                    [page] = owes(s, unit=unit, today=today, limit=limit, offset=offset, **kw)
                    assert [i.to_dict() for i in page.items] == [i.to_dict() for i in whole.items[offset:offset + limit]]
                    assert (page.size, page.overdue, page.count_label, page.offset) == \
                        (len(whole.items), whole.overdue, whole.count_label, offset)
                    assert page.partial == (offset > 0 or limit < len(whole.items))


def test_cli_and_web_show_a_page_and_the_way_to_the_rest(register, db_url, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from app.cli import app

    r = CliRunner().invoke(app, ["owes", "--unit", "Công an tỉnh", "--limit", "2"])
    assert r.exit_code == 0, r.output
    assert "Công an tỉnh — 3 nhiệm vụ" in r.output
    assert ('Hiện nhiệm vụ 1–2 trong 3; xem tiếp: chidao owes --unit "Công an tỉnh" --offset 2 --limit 2; '
            "cả danh sách: --limit 0, hoặc ra tệp: --format xlsx") in r.output
    r = CliRunner().invoke(app, ["owes", "--unit", "Công an tỉnh", "--limit", "2", "--offset", "2"])
    assert r.exit_code == 0 and "Hiện nhiệm vụ 3–3 trong 3; cả danh sách" in r.output and "│   3 │" in r.output
    r = CliRunner().invoke(app, ["owes", "--unit", "Công an tỉnh"])
    assert r.exit_code == 0 and "Hiện nhiệm vụ" not in r.output
    assert CliRunner().invoke(app, ["owes", "--unit", "Công an tỉnh", "--limit", "-1"]).exit_code == 2

    import app.web.routes.units as units
    from app.web.main import create_app
    from tests.web.site_client import SiteClient

    monkeypatch.setattr(units, "PAGE", 2)
    c = SiteClient(create_app(db_url=db_url, intake=tmp_path / "intake", today=sr.TODAY),
                   base_url="http://127.0.0.1:8000", headers={"Origin": "http://127.0.0.1:8000"})
    first = c.get("/units/view", params={"name": "Công an tỉnh"}).text
    assert "3 nhiệm vụ" in first and re.search(r'id="owes".*?</table>', first, re.S).group(0).count("<tr") == 1 + 2
    assert "Trang 1/2 — nhiệm vụ 1–2 trong 3." in first and 'id="page-next"' in first and 'id="page-prev"' not in first
    second = c.get("/units/view", params={"name": "Công an tỉnh", "page": "2"}).text
    assert 'data-label="STT">3</td>' in second and 'id="page-prev"' in second and 'id="page-next"' not in second
    assert c.get("/units/view", params={"name": "Công an tỉnh", "page": "x"}).status_code == 400


def test_a_units_overdue_list_from_the_count_keys_is_the_scans(db_url):
    """A unit's overdue tasks with no words come from the kept count keys (migration
    0016_unit_overdue_keys): the same page, order and total as reading every task of the unit
    (the plain way, taken when a status filter is given too: overdue tasks are open or in
    progress, so the answer is the same), for departments, groups, merged bodies, roles, days
    and pages, after status changes, edits and a deleted document; units that are no whole
    department take the plain way."""
    from sqlalchemy import event, select

    from models.db import get_engine
    from models.queries import edit_obligation, set_status
    from models.register import ingest_processed, open_session
    from models.search import search
    from models.tables import Document, Obligation
    from models.unit_counts import refresh

    rnd = random.Random(23)
    todays = (dt.date(2024, 6, 15), dt.date(2024, 9, 30), dt.date(2025, 1, 31))
    units = UNITS + ["UBND huyện Tuy Phước"]
    seen: list[str] = []
    listener = lambda conn, cur, stmt, params, ctx, many: seen.append(stmt)   # noqa: E731

    def check(s) -> int:
        by_keys = 0
        for unit in units:
            for role in ("any", "lead", "support"):
                for today in todays:
                    for limit, offset in ((5, 0), (5, 5), (3, 11), (1000, 0)):
                        seen.clear()
                        res = search(s, unit=unit, role=role, overdue=True, today=today, limit=limit, offset=offset)
                        by_keys += any("JOIN unit_count_keys kk" in q for q in seen)
                        plain = search(s, unit=unit, role=role, overdue=True, status=["open", "in_progress"],
                                       today=today, limit=limit, offset=offset)
                        assert ([h.to_dict() for h in res.hits], res.total) == \
                            ([h.to_dict() for h in plain.hits], plain.total), (unit, role, today, limit, offset)
                        assert not res.more
        return by_keys

    eng = get_engine(db_url)
    event.listen(eng, "before_cursor_execute", listener)
    try:
        with open_session(db_url) as s:
            for i in range(10):
                ingest_processed(s, build_processed(name=f"kh-{i}.pdf", number=f"{i + 1}/KH-UBND",
                                                    obligations=random_obligations(rnd, 14)))
            asks = len(units) * 3 * len(todays) * 4
            taken = check(s)
            assert asks // 2 < taken < asks     # the count keys answered most asks; "Đơn vị" (no department) not
            seen.clear()
            assert search(s, unit="Công an tỉnh", overdue=True, today=todays[0], limit=1000).total > 3
            assert any("JOIN unit_count_keys kk" in q for q in seen)
            ids = s.execute(select(Obligation.id).order_by(Obligation.id)).scalars().all()
            for oid in rnd.sample(ids, 30):
                set_status(s, obligation_id=oid, status=rnd.choice(["done", "in_progress", "cancelled", "open"]),
                           today=dt.date(2024, 6, 10))
            for oid in rnd.sample(ids, 15):
                edit_obligation(s, obligation_id=oid, lead_units=rnd.sample(UNITS, rnd.randrange(1, 3)),
                                deadline_due=dt.date(2024, rnd.randrange(1, 13), 5))
            doc = s.execute(select(Obligation.document_id).where(Obligation.id == ids[-1])).scalar_one()
            gone = s.execute(select(Obligation.id).where(Obligation.document_id == doc)).scalars().all()
            s.execute(Document.__table__.delete().where(Document.id == doc))
            refresh(s, gone)
            s.commit()
            assert check(s) > asks // 2
    finally:
        event.remove(eng, "before_cursor_execute", listener)


def test_a_filtered_match_is_the_words_intersected_with_the_filter(db_url):
    """Words with a filter on the tasks (status, type, programme, overdue, with or without a
    unit): the words' hits, in their order and with their exact flags, that the filter alone
    keeps.  On SQLite a small match (models.search.FEW_ROWS) has its tiers tested row by row,
    a larger one in one statement: both ways are taken here."""
    from models import search as search_module
    from models.register import ingest_processed, open_session
    from models.search import search

    rnd = random.Random(31)
    today = dt.date(2024, 6, 15)
    with open_session(db_url) as s:
        for i in range(10):
            ingest_processed(s, build_processed(
                name=f"f-{i}.pdf", number=f"{i + 1}/{'KH' if i % 2 else 'CV'}-UBND", type="Kế hoạch" if i % 2 else "Công văn",
                programme="06/QĐ-TTg" if i % 3 == 0 else None, obligations=random_obligations(rnd, 14)))
        sizes = []
        for q in ("du lieu", "dữ liệu", "hộ tịch", "nhiệm vụ số 3", "nhiem vu", '"an ninh mang"', "an ninh mạng"):
            words = [(h.obligation_id, h.exact) for h in search(s, query=q, today=today, limit=1000).hits]
            for unit in (None, "Công an tỉnh", "Sở Tư pháp"):
                for kw in ({"status": "open"}, {"status": ["done", "cancelled"]}, {"type": "Kế hoạch"},
                           {"overdue": True}, {"programme": "06/QĐ-TTg"}, {"type": "Công văn", "status": "open"}):
                    kw = {**kw, **({"unit": unit} if unit else {})}
                    ids = {h.obligation_id for h in search(s, today=today, limit=1000, **kw).hits}
                    res = search(s, query=q, today=today, limit=1000, **kw)
                    both = [(h.obligation_id, h.exact) for h in res.hits]
                    assert both == [w for w in words if w[0] in ids], (q, kw)
                    assert res.total == len(both) and not res.more
                    for limit, offset in ((3, 0), (2, 1)):     # a page is the slice, the count the whole
                        page = search(s, query=q, today=today, limit=limit, offset=offset, **kw)
                        assert [(h.obligation_id, h.exact) for h in page.hits] == both[offset:offset + limit]
                        assert page.total == len(both) or not page.hits
                    sizes.append(len(both))
        assert min(sizes) == 0 and any(0 < n <= search_module.FEW_ROWS for n in sizes)
        assert any(n > search_module.FEW_ROWS for n in sizes)


def test_filters_on_the_search_row_answer_as_the_tasks(db_url, monkeypatch):
    """PostgreSQL tests a word search's filters on the task's status and deadline fields (and its
    document) on the search row's copy of them (migration 0017_search_filter_columns), inside
    the window of the newest rows too: the same pages, totals and lower bounds as looking each
    task up, before and after status changes, edits, re-extraction and a deleted document; the
    copies equal the tasks' fields after every write.  SQLite has no copy: the same answers."""
    from sqlalchemy import event, select, text

    from models import search as search_module
    from models.db import get_engine
    from models.queries import edit_obligation, set_status
    from models.register import ingest_processed, open_session, reextract
    from models.search import SEARCH_ROW_COLUMNS, search
    from models.tables import Document, Obligation
    from models.unit_counts import refresh

    rnd = random.Random(17)
    today = dt.date(2024, 6, 15)
    asks = [{"status": "open"}, {"status": ["done", "cancelled"]}, {"overdue": True},
            {"due_from": dt.date(2024, 7, 1), "due_to": dt.date(2024, 9, 30)}, {"due_from": dt.date(2025, 1, 1)},
            {"type": "Kế hoạch"}, {"type": "Công văn", "status": "open"}, {"programme": "06/QĐ-TTg"},
            {"overdue": True, "unit": "Công an tỉnh"}, {"due_to": dt.date(2024, 8, 1), "unit": "Sở Tư pháp"},
            {"status": "open", "document": "3/KH-UBND"}]

    def answers(s, on_row: bool, window: bool) -> dict:
        monkeypatch.setattr(search_module, "_on_search_row", on_search_row if on_row else (lambda f: False))
        monkeypatch.setattr(search_module, "WINDOW_MIN_ROWS", 10 if window else 20_000)
        monkeypatch.setattr(search_module, "WINDOW_MAX_ROWS", 6 if window else 16_000)
        out = {}
        for q in ("du lieu", "dữ liệu", "nhiem vu", "hộ tịch", '"an ninh mang"'):
            for kw in asks:
                for limit, offset in ((5, 0), (3, 4), (1000, 0)):
                    res = search(s, query=q, today=today, limit=limit, offset=offset, **kw)
                    out[(q, str(kw), limit, offset)] = ([h.to_dict() for h in res.hits], res.total, res.more)
                res = search(s, query=q, today=today, limit=7, sort="confidence", **kw)    # the review order
                out[(q, str(kw), "confidence")] = ([h.to_dict() for h in res.hits], res.total, res.more)
        return out

    def copies_equal_tasks(s) -> None:
        if s.get_bind().dialect.name == "sqlite":
            return
        cols = ", ".join(SEARCH_ROW_COLUMNS)
        tasks = {r[0]: tuple(r[1:]) for r in s.execute(text(f"SELECT id, {cols} FROM obligations"))}
        rows = {r[0]: tuple(r[1:]) for r in s.execute(text(f"SELECT item_id, {cols} FROM search_obligations"))}
        assert rows == tasks and len(rows) > 50

    on_search_row = search_module._on_search_row
    seen: list[str] = []
    listener = lambda conn, cur, stmt, params, ctx, many: seen.append(stmt)   # noqa: E731
    event.listen(get_engine(db_url), "before_cursor_execute", listener)
    with open_session(db_url) as s:
        for i in range(10):
            ingest_processed(s, build_processed(
                name=f"w-{i}.pdf", number=f"{i + 1}/KH-UBND", type="Kế hoạch" if i % 2 else "Công văn",
                programme="06/QĐ-TTg" if i % 3 == 0 else None, obligations=random_obligations(rnd, 14)))
        copies_equal_tasks(s)
        for _ in range(2):
            for window in (True, False):
                looked_up = answers(s, False, window)
                assert answers(s, True, window) == looked_up, window
                assert any(hits for hits, _, _ in looked_up.values())
                if window:     # the window was taken, and on PostgreSQL its filters tested on the rows
                    seen.clear()
                    answers(s, True, window)
                    assert any("rid > %(lo_rid)s" in q or "f.rowid > ?" in q for q in seen)
                    pg = s.get_bind().dialect.name == "postgresql"
                    assert any("FROM search_obligations o WHERE o.rid >" in q for q in seen) == pg
            ids = s.execute(select(Obligation.id).order_by(Obligation.id)).scalars().all()
            for oid in rnd.sample(ids, 25):
                set_status(s, obligation_id=oid, status=rnd.choice(["done", "in_progress", "cancelled", "open"]),
                           today=dt.date(2024, 6, 10))
            for oid in rnd.sample(ids, 12):
                edit_obligation(s, obligation_id=oid, deadline_due=dt.date(2024, rnd.randrange(1, 13), 5),
                                deadline_recurrence=rnd.choice([None, "monthly", "quarterly"]),
                                deadline_day=rnd.choice([None, 10, 28]),
                                deadline_start=rnd.choice([None, dt.date(2024, 5, 1)]))
            doc_id = s.execute(select(Obligation.document_id).where(Obligation.id == ids[0])).scalar_one()
            reextract(s, document_id=doc_id, processed=build_processed(
                name="w-0.pdf", number="1/KH-UBND", obligations=random_obligations(rnd, 6)))
            gone_doc = s.execute(select(Obligation.document_id).where(Obligation.id == ids[-1])).scalar_one()
            gone = s.execute(select(Obligation.id).where(Obligation.document_id == gone_doc)).scalars().all()
            s.execute(Document.__table__.delete().where(Document.id == gone_doc))
            refresh(s, gone)
            s.commit()
            copies_equal_tasks(s)
    event.remove(get_engine(db_url), "before_cursor_execute", listener)
