"""Department lists: every list groups tasks by the department their printed units resolve to
(models/departments.py), and summary, owes, the web's unit list and the XLSX report agree."""
from __future__ import annotations

import datetime as dt
import re

import pytest

import staff_register as sr
from staff_register import make_obligation, processed, write_pdf

TODAY = sr.TODAY
CAT = "Công an tỉnh"
CAP_HUYEN = "Ủy ban nhân dân các huyện, thị xã, thành phố"
SBN = "Các sở, ban, ngành"
LDTBXH = "Sở Lao động - Thương binh và Xã hội"
UNASSIGNED = "Chưa rõ đơn vị"
PAST, SOON, LATER = dt.date(2025, 1, 5), dt.date(2025, 1, 30), dt.date(2025, 6, 30)

# (text, lead, support, due / recurrence) — printed units as the extraction keeps them
TASKS = [
    ("T01 Rà soát định danh cán bộ", ["Giám đốc Công an tỉnh"], [], PAST),
    ("T02 Cấp căn cước cho học sinh", [CAT], ["Sở Tư pháp"], SOON),
    ("T03 Báo cáo tiến độ hằng tháng", ["Chủ tịch Ủy ban nhân dân cấp huyện"], [], "monthly"),
    ("T04 Tuyên truyền tại khu dân cư", [CAP_HUYEN], [], LATER),
    ("T05 Chỉ đạo cán bộ gương mẫu", ["Thủ trưởng các sở, ban ngành tỉnh"], [], None),
    ("T06 Rà soát thủ tục hành chính", [SBN], ["Sở Lao động-Thương binh và Xã hội"], LATER),
    ("T07 Chi trả trợ cấp qua tài khoản", ["Sở Lao động, Thương binh và Xã hội"], [], SOON),
    ("T08 Bố trí vốn đầu tư công", ["Sở Kế hoạch và Đầu tư"], [], LATER),
    ("T09 Cân đối ngân sách", ["Sở Tài chính"], [], LATER),
    ("T10 Tổng hợp số liệu", ["Đơn vị"], [], PAST),
    ("T11 Thực hiện nghiêm túc Chỉ thị", [], [], None),
    ("T12 Xử lý hồ sơ chậm", ["Trường hợp"], ["Sở Tư pháp"], SOON),
    ("T13 Bảo đảm an ninh trật tự", ["Giám đốc Công an tỉnh", CAT], [], LATER),
    ("T14 Họp giao ban", ["Ban định kỳ 02 tuần"], [], PAST),
    ("T15 Ban hành kế hoạch", ["Uỷ ban nhân dân tỉnh"], [], LATER),
]
DONE = {"T14"}
# department -> the tasks it owes, as every list must show them (status open = not done)
EXPECTED = {
    CAT: {"T01", "T02", "T13"},
    "Sở Tư pháp": {"T02", "T12"},
    CAP_HUYEN: {"T03", "T04"},
    SBN: {"T05", "T06"},
    LDTBXH: {"T06", "T07"},
    "Sở Kế hoạch và Đầu tư": {"T08"},
    "Sở Tài chính": {"T09"},
    "Ủy ban nhân dân tỉnh": {"T15"},
    UNASSIGNED: {"T10", "T11"},
}
NOT_UNITS = {"Đơn vị", "Trường hợp", "Ban định kỳ 02 tuần", "Giám đốc Công an tỉnh",
             "Chủ tịch Ủy ban nhân dân cấp huyện", "Thủ trưởng các sở, ban ngành tỉnh"}


def _build(tmp_path, url):
    from models.register import ingest_processed, open_session

    tmp_path.mkdir(parents=True, exist_ok=True)
    pdf = write_pdf(tmp_path / "kh-7-ubnd.pdf", [["KẾ HOẠCH số 7/KH-UBND", "Danh mục nhiệm vụ"]])
    obs = []
    for n, (text, lead, sup, when) in enumerate(TASKS, 1):
        kw = {"recurrence": when, "day": 22, "raw": "Ngày 22 hằng tháng"} if when == "monthly" else {"due": when}
        obs.append(make_obligation(text, lead=lead, support=sup, ref=str(n), **kw))
    p = processed(pdf, number="7/KH-UBND", type_="Kế hoạch", title="Kế hoạch thử các đơn vị",
                  issued_on=dt.date(2024, 12, 1), obligations=obs)
    with open_session(url) as session:
        out = ingest_processed(session, p, source_path=pdf)
        assert out.status == "new", out.message
        from sqlalchemy import text

        for code in DONE:
            session.execute(text("UPDATE obligations SET status = 'done' WHERE text LIKE :t"), {"t": code + " %"})


@pytest.fixture
def dept_register(db_url, tmp_path):
    _build(tmp_path / "files", db_url)
    from sqlalchemy.orm import Session

    from models.db import init_db

    with Session(init_db(db_url)) as session:
        yield session, db_url


def _codes(items) -> set[str]:
    return {i.text.split()[0] for i in items}


def test_summary_owes_web_and_xlsx_count_the_same_departments(dept_register, tmp_path):
    from fastapi.testclient import TestClient
    from openpyxl import load_workbook

    from app.reports import write
    from app.web.main import create_app
    from models.owes import owes, summary

    session, url = dept_register
    rows = summary(session, today=TODAY)
    got = {r.unit: r.open for r in rows}
    assert got == {u: len(t - DONE) for u, t in EXPECTED.items()}
    assert next(r for r in rows if r.unit == UNASSIGNED).done == 1            # T14 ("Ban định kỳ 02 tuần"), done
    assert rows[-1].unit == UNASSIGNED and rows[-1].kind == "unassigned"
    assert not NOT_UNITS & set(got)

    groups = owes(session, today=TODAY)
    assert {g.unit: _codes(g.items) for g in groups} == {u: t - DONE for u, t in EXPECTED.items()}
    assert groups[-1].unit == UNASSIGNED

    web = TestClient(create_app(db_url=url, intake=tmp_path / "intake", today=TODAY)).get("/units")
    assert web.status_code == 200
    table = web.text.split('id="summary"', 1)[1]
    cells = re.findall(r'<a href="/units/view\?name=[^"]+">([^<]+)</a></td><td class="num">(\d+)</td>', table)
    assert {re.sub(r" \((?:nay là|đã kết thúc).*\)$", "", name): int(n) for name, n in cells} == got

    wb = load_workbook(write(groups, "xlsx", tmp_path / "all.xlsx"))
    per_sheet = {wb[name]["A1"].value.split(" — ", 1)[1]: wb[name].max_row - 3 for name in wb.sheetnames}
    assert {re.sub(r" \((?:nay là|đã kết thúc).*\)$", "", k): v for k, v in per_sheet.items()} == got


def test_listed_names_are_departments_or_the_unassigned_list(dept_register):
    from extractors.units import resolve_unit
    from models.owes import summary

    session, _ = dept_register
    for r in summary(session, today=TODAY):
        if r.unit == UNASSIGNED:
            continue
        assert resolve_unit(r.unit).kind in ("body", "group"), r.unit
        assert r.kind == resolve_unit(r.unit).kind


def test_old_names_carry_todays_department(dept_register):
    from models.owes import summary

    session, _ = dept_register
    rows = {r.unit: r for r in summary(session, today=TODAY)}
    assert rows["Sở Kế hoạch và Đầu tư"].label == "Sở Kế hoạch và Đầu tư (nay là Sở Tài chính)"
    assert rows[LDTBXH].label == f"{LDTBXH} (nay là Sở Nội vụ)"
    assert rows[CAT].label == CAT
    assert rows[CAP_HUYEN].current == "Ủy ban nhân dân các xã, phường, đặc khu"


@pytest.mark.parametrize("asked, title, owed, note", [
    ("UBND các huyện", CAP_HUYEN, {"T03", "T04"}, "«UBND các huyện» là Ủy ban nhân dân các huyện, thị xã, thành phố"),
    ("Chủ tịch UBND cấp huyện", CAP_HUYEN, {"T03", "T04"}, "là chức danh đứng đầu Ủy ban nhân dân các huyện"),
    ("Giám đốc Công an tỉnh", CAT, {"T01", "T02", "T13"}, "«Giám đốc Công an tỉnh» là chức danh đứng đầu Công an tỉnh"),
    ("Thủ trưởng các sở, ban, ngành", SBN, {"T05", "T06"}, "chức danh đứng đầu Các sở, ban, ngành"),
    ("Sở LĐ-TB&XH", LDTBXH, {"T06", "T07"}, "(nay là Sở Nội vụ)"),
    ("Sở Kế hoạch - Đầu tư", "Sở Kế hoạch và Đầu tư", {"T08"}, "(nay là Sở Tài chính)"),
    ("Uỷ ban nhân dân tỉnh", "Ủy ban nhân dân tỉnh", {"T15"}, ""),
    ("Chưa rõ đơn vị", UNASSIGNED, {"T10", "T11"}, "không nêu đơn vị"),
])
def test_owes_unit_accepts_what_a_clerk_types(dept_register, asked, title, owed, note):
    from models.owes import owes

    session, _ = dept_register
    [g] = owes(session, unit=asked, today=TODAY)
    assert g.unit == title
    assert _codes(i for i in g.items if i.via_group is None) == owed      # its own, as the lists count them
    assert note in g.note


def test_a_department_also_owes_what_its_predecessor_was_given(dept_register):
    from models.owes import owes

    session, _ = dept_register
    [g] = owes(session, unit="Sở Tài chính", today=TODAY)
    assert {(i.text.split()[0], i.via_group) for i in g.items} == {
        ("T09", None), ("T08", "Sở Kế hoạch và Đầu tư (nay là Sở Tài chính)"),
        ("T05", SBN), ("T06", SBN)}        # and, as every Sở, what the group of departments was given


def test_a_name_that_matches_nothing_gets_suggestions(dept_register):
    from models.owes import owes

    session, _ = dept_register
    [g] = owes(session, unit="Công an tỉn", today=TODAY)
    assert g.items == [] and g.suggestions[0] == CAT


def test_search_by_department_and_by_the_unassigned_list(dept_register):
    from models.search import search

    session, _ = dept_register
    res = search(session, unit="Giám đốc Công an tỉnh", today=TODAY, limit=100)
    assert {h.text.split()[0] for h in res.hits} == {"T01", "T02", "T13"} and res.units == [CAT]
    res = search(session, unit=UNASSIGNED, today=TODAY, limit=100, status=["open", "done"])
    assert {h.text.split()[0] for h in res.hits} == {"T10", "T11", "T14"}


def test_cli_says_which_department_and_what_to_type(dept_register):
    import json

    from typer.testing import CliRunner

    from app.cli import app

    _, url = dept_register
    r = CliRunner().invoke(app, ["--db", url, "owes", "--unit", "UBND các huyện"])
    assert r.exit_code == 0, r.output
    assert "«UBND các huyện» là Ủy ban nhân dân các huyện, thị xã, thành phố" in r.output
    r = CliRunner().invoke(app, ["--db", url, "owes", "--unit", "Công an tỉn"])
    assert r.exit_code == 0
    assert 'Không tìm thấy đơn vị «Công an tỉn» trong sổ. Có phải: chidao owes --unit "Công an tỉnh"' in r.output
    r = CliRunner().invoke(app, ["--db", url, "summary", "--json"])
    data = json.loads(r.stdout)
    assert {d["unit"] for d in data} == set(EXPECTED)
    assert {d["kind"] for d in data} == {"body", "group", "unassigned"}


def test_link_departments_brings_units_to_the_mapping(dept_register):
    """A register whose unit rows hold another mapping (older rules, an edited gazetteer) is
    brought to today's by link_departments, which `chidao reextract --all` runs."""
    from sqlalchemy import text

    from models.departments import link_departments
    from models.owes import summary

    session, _ = dept_register
    before = {r.unit: r.open for r in summary(session, today=TODAY)}
    session.execute(text("UPDATE units SET department_id = NULL, kind = 'unknown', current = NULL"))
    session.commit()
    assert {r.unit for r in summary(session, today=TODAY)} == {UNASSIGNED}
    assert link_departments(session) > 0
    session.commit()
    assert {r.unit: r.open for r in summary(session, today=TODAY)} == before
    assert link_departments(session) == 0                     # nothing left to change
