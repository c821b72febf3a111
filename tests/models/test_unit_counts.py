"""The per-department counts the writes keep (models/unit_counts.py) equal a recount after
ingests, re-extraction, edits, status changes and deletions, and the summary read from them
equals the summary counted over the whole register; on SQLite and on PostgreSQL."""
from __future__ import annotations

import datetime as dt
import random

from tests.conftest import build_processed

UNITS = ["Công an tỉnh", "Sở Tư pháp", "Giám đốc Công an tỉnh", "Sở Y tế", "Đơn vị", "Trường hợp",
         "Ủy ban nhân dân các huyện, thị xã, thành phố", "Chủ tịch UBND cấp huyện", "Sở Kế hoạch và Đầu tư",
         # members of the groups above / the body KH&ĐT merged into: the summary's via_groups
         "Ủy ban nhân dân huyện Tuy Phước", "Ủy ban nhân dân huyện An Nhơn", "Sở Tài chính", "Các sở, ban, ngành"]
TODAYS = [dt.date(2024, 6, 15), dt.date(2024, 6, 1), dt.date(2024, 7, 31), dt.date(2025, 1, 23), dt.date(2023, 12, 31)]


def _deadline(rnd: random.Random) -> dict | None:
    r = rnd.random()
    if r < 0.45:
        due = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(500))
        return {"raw": f"Trước ngày {due:%d/%m/%Y}", "due": due}
    if r < 0.55:
        return {"raw": "Ngày 22 hàng tháng", "recurrence": "monthly", "day": 22}
    if r < 0.6:
        return {"raw": "Hằng quý", "recurrence": "quarterly"}
    if r < 0.65:
        start = dt.date(2024, rnd.randrange(1, 12), 1)
        return {"raw": "Từ tháng … đến …", "due": start + dt.timedelta(days=rnd.randrange(20, 200)), "start": start}
    if r < 0.75:
        return {"raw": "Thường xuyên", "recurrence": "ongoing"}
    return None


def random_obligations(rnd: random.Random, n: int) -> list[dict]:
    out = []
    for k in range(n):
        out.append({"text": f"Nhiệm vụ số {k} về {rnd.choice(['dữ liệu', 'hộ tịch', 'căn cước', 'an ninh mạng'])}",
                    "lead_units": rnd.sample(UNITS, rnd.randrange(0, 3)),
                    "support_units": rnd.sample(UNITS, rnd.randrange(0, 3)), "deadline": _deadline(rnd)})
    return out


def _same(session) -> None:
    from models import unit_counts
    from models.owes import summary, summary_scan

    kept = unit_counts.table(session)
    unit_counts.rebuild(session)
    session.flush()
    assert unit_counts.table(session) == kept
    assert any(r.via_groups for r in summary(session, today=TODAYS[0]))   # the via_groups shortcut is tested
    _via_kept_is_via_read(session)
    for today in TODAYS:
        for role in ("any", "lead", "support"):
            for days in (30, 7):
                assert summary(session, today=today, role=role, days=days) == \
                    summary_scan(session, today=today, role=role, days=days), (today, role, days)


def _via_kept_is_via_read(session) -> None:
    """via_groups from the via groups (unit_counts.via_counts) == read over the groups' tasks
    (models.owes.count_via_by_reading, the summary's way when a via is no counted source), every role."""
    from models.departments import via_departments
    from models.owes import count_via_by_reading
    from models.owes_rows import UnitSummary
    from models.unit_counts import via_counts

    for role in ("any", "lead", "support"):
        deps = set(via_departments(session)) | {d for vs in via_departments(session).values() for d in vs}
        out = {d: UnitSummary(unit=str(d)) for d in deps}
        join = "CROSS JOIN" if session.get_bind().dialect.name == "sqlite" else "JOIN"
        count_via_by_reading(session, out, join, "o.status IN ('open', 'in_progress')", role)
        via = {d: vs for d, vs in via_departments(session).items() if d in out and vs}
        assert via_counts(session, via, role=role) == {d: out[d].via_groups for d in via}, role


def test_counts_follow_every_write(db_url):
    from sqlalchemy import select

    from models.queries import edit_obligation, set_status
    from models.register import ingest_processed, open_session, reextract
    from models.tables import Obligation

    rnd = random.Random(16)
    with open_session(db_url) as s:
        for i in range(12):
            ingest_processed(s, build_processed(name=f"kh-{i}.pdf", number=f"{i + 1}/KH-UBND",
                                                obligations=random_obligations(rnd, 12)))
        _same(s)
        ids = s.execute(select(Obligation.id).order_by(Obligation.id)).scalars().all()
        for oid in rnd.sample(ids, 25):
            set_status(s, obligation_id=oid, status=rnd.choice(["done", "in_progress", "cancelled", "open", "done"]),
                       today=dt.date(2024, 6, 10))
        _same(s)
        for oid in rnd.sample(ids, 15):
            edit_obligation(s, obligation_id=oid, lead_units=rnd.sample(UNITS, rnd.randrange(1, 3)),
                            deadline_due=dt.date(2024, rnd.randrange(1, 13), 5))
        _same(s)
        # re-extraction: some tasks go (deleted, or kept as stale with staff data), some change, some come
        doc_id = s.execute(select(Obligation.document_id).where(Obligation.id == ids[0])).scalar_one()
        old = s.execute(select(Obligation).where(Obligation.document_id == doc_id).order_by(Obligation.ordinal)).scalars().all()
        again = [{"text": o.text, "lead_units": ["Sở Y tế"], "support_units": [], "deadline": None} for o in old[:5]]
        reextract(s, document_id=doc_id, processed=build_processed(
            name="kh-0.pdf", number="1/KH-UBND", obligations=again + random_obligations(rnd, 4)))
        s.commit()
        _same(s)
        # a whole document deleted (its tasks with it) and counted again by the caller
        other = s.execute(select(Obligation.document_id).where(Obligation.id == ids[-1])).scalar_one()
        gone = s.execute(select(Obligation.id).where(Obligation.document_id == other)).scalars().all()
        from models.tables import Document
        from models.unit_counts import refresh

        s.execute(Document.__table__.delete().where(Document.id == other))
        refresh(s, gone)
        s.commit()
        _same(s)


def test_the_summary_reads_no_obligation(db_url):
    """The summary of a big register costs the counts table, not the register: no statement
    reads `obligations`; the tasks due this month and in the window come from the day groups,
    via_groups from the via groups (0015)."""
    from sqlalchemy import event

    from models.db import get_engine
    from models.owes import summary
    from models.register import ingest_processed, open_session

    rnd = random.Random(7)
    with open_session(db_url) as s:
        for i in range(3):
            ingest_processed(s, build_processed(name=f"cv-{i}.pdf", number=f"{i + 1}/CV", obligations=random_obligations(rnd, 10)))
    seen = []
    eng = get_engine(db_url)
    listener = lambda conn, cur, stmt, params, ctx, many: seen.append(stmt)   # noqa: E731
    event.listen(eng, "before_cursor_execute", listener)
    try:
        with open_session(db_url) as s:
            rows = summary(s, today=dt.date(2024, 6, 15))
    finally:
        event.remove(eng, "before_cursor_execute", listener)
    assert any(r.via_groups for r in rows) and any(r.overdue for r in rows) and any(r.due_soon for r in rows)
    over_register = [q for q in seen if "obligations" in q.replace("obligation_units", "").replace("unit_count", "")]
    assert over_register == []
    assert any("bucket = 'd' AND due >=" in q for q in seen)
    assert any("bucket = 'v'" in q for q in seen)
