"""Search: the query normaliser (tables + hypothesis) and the search itself on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import staff_register as sr
from models.search_query import exact_match, fold_key, has_diacritics, matches, parse_query, terms


@pytest.mark.parametrize("query, text, hit", [
    ("dinh danh", "Triển khai định danh điện tử", True),
    ("DINH DANH", "định danh", True),
    ("hoa", "hòa giải", True),
    ("hoa", "hoà giải", True),            # old-style tone placement
    ("hoà", "hòa nhập", True),
    ("hoa", "kế hoạch", False),           # whole syllables: no prefix match
    ("dien tu", "điện tử", True),
    ("Đà Nẵng", "da nang", True),
    ("06/QĐ-TTg", "Quyết định 06/QD-TTg", True),
    ('"dinh danh dien tu"', "định danh và xác thực điện tử", False),   # a quoted phrase must be adjacent
    ('"xac thuc dien tu"', "định danh và xác thực điện tử", True),
    ("uy ban", "Ủy ban nhân dân", True),
    ("thuy loi", "thuỷ lợi", True),
])
def test_matches(query, text, hit):
    assert matches(query, text) is hit


@pytest.mark.parametrize("query, folded, exact", [
    ("dinh danh", ("dinh", "danh"), ()),
    ("định danh", ("dinh", "danh"), ("định", "danh")),
    ("hoà", ("hoa",), ("hòa",)),
    ("  Công   an  ", ("cong", "an"), ("công", "an")),
    ("d", ("d",), ()),
    ("đ", ("d",), ("đ",)),
    ("", (), ()),
    ("<script>", ("script",), ()),
])
def test_parse_query(query, folded, exact):
    q = parse_query(query)
    assert q.terms == folded
    assert q.exact == exact


def test_exact_match_ignores_tone_placement():
    assert exact_match("hoà", "Hòa bình")
    assert not exact_match("hóa", "Hòa bình")
    assert not exact_match("hoa", "Hòa bình")   # no diacritics typed: nothing to rank as exact


vn_text = st.text(alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ.,-/0123456789")), max_size=60)


@settings(max_examples=200, deadline=None)
@given(vn_text)
def test_fold_is_idempotent_and_plain(text):
    once = fold_key(text)
    assert fold_key(once) == once
    assert not has_diacritics(once)
    assert once == once.lower()


@settings(max_examples=200, deadline=None)
@given(vn_text, st.integers(0, 5), st.integers(1, 4))
def test_folded_query_matches_its_text(text, start, n):
    words = terms(text)
    piece = " ".join(words[start:start + n])
    # any run of the text's words, typed with or without marks, finds the text
    assert matches(piece, text)
    assert matches(fold_key(piece), text)


# ---------------------------------------------------------------- against a register

def _texts(result):
    return [h.text for h in result.hits]


def test_search_folds_and_ranks_exact_first(register):
    from models.search import search

    session, _ = register
    plain = search(session, query="dinh danh", today=sr.TODAY)
    assert plain.total == 3 and all("định danh" in t for t in _texts(plain))
    assert search(session, query="định danh", today=sr.TODAY).total == 3
    hoa = search(session, query="hoa", today=sr.TODAY)
    assert sorted(_texts(hoa)) == sorted(["Tổ chức hòa giải ở cơ sở gắn với định danh điện tử",
                                          "Phát triển hòa nhập cộng đồng, thường xuyên tuyên truyền"])
    assert not any("Kế hoạch" in t for t in _texts(search(session, query="hoa", today=sr.TODAY)))
    # "hóa" (another tone) finds the same folded words but ranks none as exact
    res = search(session, query="hóa", today=sr.TODAY)
    assert res.total == 2 and not any(h.exact for h in res.hits)
    res = search(session, query="hoà", today=sr.TODAY)
    assert [h.exact for h in res.hits] == [True, True]


def test_exact_diacritics_rank_first(register):
    from models.search import search

    session, _ = register
    # "cộng" (cộng đồng) and "công" (Công an, công chức) both fold to "cong": typed without marks the
    # newest comes first; typed with marks, the texts with those marks move ahead of the others
    def ranked(query):
        return [(h.text[:13], h.exact) for h in search(session, query=query, today=sr.TODAY).hits]

    assert ranked("cong") == [("Cấp tài khoản", False), ("Phát triển hò", False), ("Báo cáo kết q", False)]
    assert ranked("cộng") == [("Phát triển hò", True), ("Cấp tài khoản", False), ("Báo cáo kết q", False)]
    assert ranked("công") == [("Cấp tài khoản", True), ("Báo cáo kết q", True), ("Phát triển hò", False)]


@pytest.mark.parametrize("filters, expected", [
    ({"unit": "Công an tỉnh"}, {"Triển khai định danh", "Cấp tài khoản", "Tổ chức hòa giải"}),
    ({"unit": "cong an tinh", "role": "lead"}, {"Triển khai định danh", "Cấp tài khoản"}),
    ({"unit": "Công an tỉnh", "role": "support"}, {"Tổ chức hòa giải"}),
    ({"unit": "UBND huyện Tuy Phước"}, {"Hướng dẫn người dân", "Báo cáo kết quả"}),   # its own + its group's
    ({"unit": "Ủy ban nhân dân huyện Phù Cát"}, {"Báo cáo kết quả"}),               # not in the register: the group's
    ({"document": "12/UBND-VX"}, {"Cấp tài khoản", "Hướng dẫn người dân"}),
    ({"type": "chi thi"}, {"Nâng cao chất lượng", "Kiểm tra an toàn"}),
    ({"programme": "06/QĐ-TTg"}, {"Triển khai định danh", "Báo cáo kết quả", "Tổ chức hòa giải", "Phát triển hòa nhập",
                                  "Kiểm tra <script>", "Cấp tài khoản", "Hướng dẫn người dân"}),
    ({"status": ["done"]}, {"Kiểm tra an toàn"}),
    ({"overdue": True}, {"Triển khai định danh", "Nâng cao chất lượng", "Hướng dẫn người dân"}),
    ({"flags": ["deadline-before-document"]}, {"Nâng cao chất lượng"}),
    ({"due_from": dt.date(2025, 1, 16), "due_to": dt.date(2025, 1, 31)}, {"Cấp tài khoản", "Báo cáo kết quả"}),
    ({"query": "dinh danh", "unit": "Sở Tư pháp"}, {"Triển khai định danh", "Tổ chức hòa giải"}),
])
def test_search_filters(register, filters, expected):
    from models.search import search

    session, _ = register
    res = search(session, today=sr.TODAY, **filters)
    got = {next((e for e in expected if h.text.startswith(e)), h.text) for h in res.hits}
    assert got == expected
    assert res.total == len(res.hits) == len(expected)      # one hit per expected text


def test_search_without_words_lists_overdue_first(register):
    from models.search import search

    session, _ = register
    res = search(session, status="open", today=sr.TODAY)
    # overdue first (earliest first), then by next due date, undated last
    assert [(h.text[:20], h.overdue, h.next_due) for h in res.hits] == [
        ("Triển khai định danh", True, dt.date(2024, 3, 31)), ("Nâng cao chất lượng ", True, dt.date(2024, 12, 31)),
        ("Hướng dẫn người dân ", True, dt.date(2025, 1, 10)), ("Báo cáo kết quả thực", False, dt.date(2025, 1, 22)),
        ("Cấp tài khoản định d", False, dt.date(2025, 1, 31)), ('Kiểm tra <script>ale', False, dt.date(2025, 2, 10)),
        ("Tổ chức hòa giải ở c", False, dt.date(2030, 12, 31)), ("Phát triển hòa nhập ", False, None)]


def test_index_follows_edits_and_deletes(register):
    from sqlalchemy import text
    from models.search import search

    session, ids = register
    session.execute(text("UPDATE obligations SET text = 'Rà soát thủ tục hành chính' WHERE ref = 'PL.4'"))
    session.commit()
    assert search(session, query="ra soat thu tuc").total == 1
    assert search(session, query="hoa nhap").total == 0
    session.execute(text("DELETE FROM documents WHERE id = :i"), {"i": ids["ct"]})
    session.commit()
    assert search(session, query="kham chua benh").total == 0


def test_search_documents(register):
    from models.search import search_documents

    session, ids = register
    hits = search_documents(session, query="day nhanh dinh danh")
    assert [h.id for h in hits] == [ids["cv"]]
    assert search_documents(session, query="45/KH-UBND")[0].id == ids["kh"]


def test_groups_of_district():
    """Groups a unit's tasks also fall to; "Thủ trưởng các sở, ..." is a position (its heads), not a group."""
    from models.departments import groups_of

    assert groups_of("UBND huyện Tuy Phước") == [
        "Ủy ban nhân dân các huyện, thị xã, thành phố",
        "Ủy ban nhân dân các địa phương", "Ủy ban nhân dân các quận, huyện", "Các sở, ban, ngành, địa phương"]
    assert groups_of("Ủy ban nhân dân thị xã An Nhơn") == [
        "Ủy ban nhân dân các huyện, thị xã, thành phố", "Ủy ban nhân dân các địa phương",
        "Các sở, ban, ngành, địa phương"]
    assert groups_of("Ủy ban nhân dân tỉnh") == []
    # the departments' legal name ("Các cơ quan chuyên môn thuộc UBND tỉnh") is a group of every Sở
    assert groups_of("Sở Tư pháp") == ["Các sở, ban, ngành", "Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh",
                                       "Các sở, ban, ngành, địa phương"]


def test_quick_commands_stay_light(tmp_path):
    """chidao search / owes import nothing heavy (the ≤ 0.5 s budget is mostly imports)."""
    code = textwrap.dedent(f"""
        import os, sys
        os.environ["CHIDAO_DB"] = "sqlite:///{tmp_path}/r.db"
        from typer.testing import CliRunner
        from app.cli import app
        for args in (["search", "dinh danh", "--json"], ["owes", "--unit", "Công an tỉnh"], ["summary"]):
            r = CliRunner().invoke(app, args)
            assert r.exit_code == 0, r.output
        heavy = [m for m in ("prefect", "spacy", "underthesea", "pdfplumber", "pypdfium2", "fastapi", "uvicorn",
                             "openpyxl", "reportlab", "cv2", "pytesseract", "torch", "networkx")
                 if m in sys.modules]
        print("HEAVY", heavy)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines()[-1] == "HEAVY []", out.stdout


def test_count_stops_at_the_cap(register, monkeypatch):
    import models.search as ms

    session, _ = register
    monkeypatch.setattr(ms, "COUNT_CAP", 2)
    res = ms.search(session, query="dinh danh", limit=1)
    assert (res.total, res.more, len(res.hits)) == (2, True, 1)
    res = ms.search(session, query="dinh danh", limit=1, status="open")
    assert (res.total, res.more) == (2, True)
    res = ms.search(session, query="dinh danh", limit=5)
    assert (res.total, res.more) == (3, False)
