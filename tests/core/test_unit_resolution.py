"""resolve_unit: what a printed unit is and which department owes its tasks (extractors/units.py).

The printed forms below are what the extraction printed on corpus-real documents (annotated or
not) and on the evaluation set, as `bench/snapshot.py take real` shows them, OCR errors and cut
spans included: the table is the contract of the department lists.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from extractors.units import resolve_unit

GROUP_CAP = "Ủy ban nhân dân các huyện, thị xã, thành phố"
SBN = "Các sở, ban, ngành"

# (printed, kind, body)
TABLE = [
    # bodies: the gazetteer, spelling variants, abbreviations, old names
    ("Công an tỉnh", "body", "Công an tỉnh"),
    ("Văn phòng Ủy ban nhân dân tỉnh", "body", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("VP UBND tỉnh", "body", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Uỷ ban nhân dân tỉnh", "body", "Ủy ban nhân dân tỉnh"),
    ("Sở Văn hoá, Thể thao và Du lịch", "body", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở Văn hóa Thể thao Du lịch chủ trì", "body", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở Văn hóa, Thể thao và Du lịch chú trì", "body", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở Lao động - Thương binh và Xã hội", "body", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở Lao động-Thương binh và Xã hội", "body", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở Lao động, Thương binh và Xã hội", "body", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở LĐ-TB&XH", "body", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở Kế hoạch và Đầu tư", "body", "Sở Kế hoạch và Đầu tư"),
    ("Sở Khoa học và Công nghệ chủ trì", "body", "Sở Khoa học và Công nghệ"),
    ("Sở Nông nghiệp và Phát triển nông thôn (Cơ quan Thường trực", "body", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("Văn phòng Ủy ban nhân dân tỉnh chủ trì", "body", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Bộ Quốc phòng (", "body", "Bộ Quốc phòng"),
    ("Cục Thị hành án dân sự tỉnh", "body", "Cục Thi hành án dân sự tỉnh"),      # OCR: the folded key
    ("Cơ quan Thuê", "body", "Cơ quan thuế"),
    ("Đài Phát thanh — Truyền hình tỉnh", "body", "Đài Phát thanh và Truyền hình tỉnh"),
    ("Đài Phát thanh-Truyền hình tỉnh", "body", "Đài Phát thanh và Truyền hình tỉnh"),
    ("Báo và Phát Thanh, Truyền hình tỉnh", "body", "Báo và Phát thanh, Truyền hình tỉnh"),
    ("Ban cán sự đảng Ủy ban nhân dân tỉnh", "body", "Ban cán sự đảng Ủy ban nhân dân tỉnh"),
    ("Đảng ủy Công an tỉnh", "body", "Đảng ủy Công an tỉnh"),
    ("Tỉnh Hải Dương", "body", "Tỉnh Hải Dương"),
    # bodies by their head noun
    ("Trung tâm Phát triển quỹ đất tỉnh", "body", "Trung tâm Phát triển quỹ đất tỉnh"),
    ("Ban Quản lý dự án", "body", "Ban Quản lý dự án"),
    ("Ban Chỉ đạo 389 của tỉnh", "body", "Ban Chỉ đạo 389 của tỉnh"),
    ("Công an huyện", "body", "Công an huyện"),
    ("Ủy ban nhân dân xã Đạ Huoai", "body", "Ủy ban nhân dân xã Đạ Huoai"),
    ("Ủy ban nhân dân Phường 1 Bảo Lộc", "body", "Ủy ban nhân dân Phường 1 Bảo Lộc"),
    ("Đài Khí tượng Thủy văn Quảng Ngãi", "body", "Đài Khí tượng Thủy văn Quảng Ngãi"),
    ("Hội Khuyến học thành phố", "body", "Hội Khuyến học thành phố"),
    ("Tổ công tác triển khai Đề án 06 tỉnh", "body", "Tổ công tác triển khai Đề án 06 tỉnh"),
    ("Tổ chuyển đổi số cộng đồng thôn, tổ dân phố", "body", "Tổ chuyển đổi số cộng đồng thôn, tổ dân phố"),
    ("Đại học Đà Nẵng", "body", "Đại học Đà Nẵng"),
    # groups
    ("Các sở, ban, ngành", "group", SBN),
    ("Các sở, ban ngành", "group", SBN),
    ("Các Sở", "group", SBN),
    ("Các sở, ngành liên quan", "group", SBN),
    ("Các sở, ban, ngành có liên quan", "group", SBN),
    ("Các sở, ban, ngành thuộc tỉnh", "group", SBN),
    ("Các sở, ban, ngành tỉnh", "group", SBN),
    ("Các sở, ban, ngành và địa phương", "group", "Các sở, ban, ngành, địa phương"),
    ("Các cơ quan, đơn vị, địa phương", "group", "Các cơ quan, đơn vị, địa phương"),
    ("Các đơn vị, địa phương", "group", "Các cơ quan, đơn vị, địa phương"),
    ("Các cơ quan, đơn vị và địa phương", "group", "Các cơ quan, đơn vị, địa phương"),
    ("Các cơ quan, đơn vị, địa phương có liên quan đê chuân", "group", "Các cơ quan, đơn vị, địa phương"),
    ("Các cơ quan, đơn vị có liên quan", "group", "Các cơ quan, đơn vị liên quan"),
    ("Các cơ quan, đơn vị cấp tỉnh", "group", "Các cơ quan, đơn vị"),
    ("UBND các huyện, thị xã, thành phố", "group", GROUP_CAP),
    ("UBND các huyện", "group", GROUP_CAP),
    ("Ủy ban nhân dân cấp huyện", "group", GROUP_CAP),
    ("Ủy ban nhân dân các xã, phường, đặc khu", "group", "Ủy ban nhân dân các xã, phường, đặc khu"),
    ("Ủy ban nhân dân các xã, thị trấn", "group", "Ủy ban nhân dân các xã, phường, thị trấn"),
    ("Ủy ban nhân dân cấp xã", "group", "Ủy ban nhân dân các xã, phường, thị trấn"),
    ("Ủy ban nhân dân các quận, huyện", "group", "Ủy ban nhân dân các quận, huyện"),
    ("Các tổ chức chính trị - xã hội tỉnh", "group", "Các tổ chức chính trị - xã hội"),
    ("Các cơ quan thông tấn báo chí trên địa bàn tỉnh", "group", "Các cơ quan thông tin, báo chí"),
    ("Địa phương có liên quan", "group", "Các địa phương"),
    ("Cơ quan chức năng", "group", "Các cơ quan chức năng"),
    ("Lực lượng Công an tỉnh", "group", "Lực lượng Công an tỉnh"),
    ("Các huyện, thành, thị ủy", "group", "Các huyện ủy, thị ủy, thành ủy"),
    # positions: the body or group they head
    ("Giám đốc Công an tỉnh", "position", "Công an tỉnh"),
    ("Chủ tịch Ủy ban nhân dân cấp huyện", "position", GROUP_CAP),
    ("Chủ tịch UBND cấp huyện", "position", GROUP_CAP),
    ("Chủ tịch UBND các huyện, thị xã, thành phố", "position", GROUP_CAP),
    ("Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố theo chức năng, nhiệm vụ cần", "position", GROUP_CAP),
    ("Chủ tịch Ủy ban nhân dân các huyện, thành phô", "position", "Ủy ban nhân dân các huyện, thành phố"),
    ("Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu", "position", "Ủy ban nhân dân các xã, phường, đặc khu"),
    ("Thủ trưởng các sở, ban ngành tỉnh", "position", SBN),
    ("Thủ trưởng các Sở, ban, ngành của tỉnh", "position", SBN),
    ("Thủ trưởng các sở, ban ngành, cơ quan, đơn vị", "position", SBN),
    ("Thủ trưởng các cơ quan, đơn vị", "position", "Các cơ quan, đơn vị"),
    ("Thủ trưởng cơ quan, đơn vị", "position", "Các cơ quan, đơn vị"),
    ("Thủ trưởng các sở, ban, ngành, địa phương", "position", "Các sở, ban, ngành, địa phương"),
    ("Thủ trưởng các phòng, ban chuyên môn", "position", "Các phòng, ban chuyên môn"),
    ("Người đứng đầu các cơ quan, đơn vị, địa phương", "position", "Các cơ quan, đơn vị, địa phương"),
    ("Người đứng đầu cấp ủy, thủ trưởng cơ quan, đơn vị, địa phương", "position", "Các cấp ủy, cơ quan, đơn vị, địa phương"),
    ("Chánh Văn phòng UBND tỉnh", "position", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Chánh Thanh tra tỉnh", "position", "Thanh tra tỉnh"),
    ("Chánh án Tòa án nhân dân tỉnh", "position", "Tòa án nhân dân tỉnh"),
    ("Viện trưởng Viện kiểm sát nhân dân tỉnh", "position", "Viện Kiểm sát nhân dân tỉnh"),
    ("Cục trưởng Cục Thi hành án dân sự tỉnh", "position", "Cục Thi hành án dân sự tỉnh"),
    ("Giám đốc Sở Giao thông vận tải", "position", "Sở Giao thông vận tải"),
    ("Lãnh đạo Sở Công Thương", "position", "Sở Công Thương"),
    ("Trưởng Ban Chỉ đạo", "position", "Ban Chỉ đạo"),
    ("Các Phó Trưởng Ban Chỉ đạo", "position", "Ban Chỉ đạo"),
    ("Các thành viên của Ban Chỉ đạo", "position", "Ban Chỉ đạo"),
    ("Bộ trưởng Bộ Công an", "position", "Bộ Công an"),
    ("đồng chí Giám đốc Sở Y tế", "position", "Sở Y tế"),
    # not units: cut spans, recurrences, OCR junk, people
    ("Đơn vị", "unknown", None),
    ("Cơ quan", "unknown", None),
    ("Trường hợp", "unknown", None),
    ("Trường hợp phần mềm", "unknown", None),
    ("Các chủ mỏ", "unknown", None),
    ("Ban định kỳ 02 tuần", "unknown", None),
    ("Ban ít nhất 01 lần", "unknown", None),
    ("Tổ dân phó", "unknown", None),
    ("Thủ trưởng các cơ quan, đơn vị, địa phương, các Chủ", "unknown", None),
    ("Trung tâm", "unknown", None),
    ("Viện", "unknown", None),
    ("Huyện", "unknown", None),
    ("Đài Phát", "unknown", None),
    ("Phòng 5", "unknown", None),
    ("Sở XĐTERH", "unknown", None),
    ("Sở GD&ĐÐ", "unknown", None),
    ("Sở Văn hóa", "unknown", None),                  # a department cut short: not one of the gazetteer's
    ("Lãnh đạo cấp sở", "unknown", None),
    ("Trưởng các điểm", "unknown", None),
    ("Phối hợp với Sở Khoa học Công nghệ", "unknown", None),
    ("Thương mại và du lịch tỉnh", "unknown", None),
    ("Theo phân công tại Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch UBND tỉnh", "unknown", None),
    ("Các sở, ban, ngành, địa phương và Nhà đầu tư", "unknown", None),
    ("Các thành viên", "unknown", None),
    ("Đoàn TNCS Hồ Chí Minh thành phố, Đại học Đà Nẵng", "unknown", None),     # two bodies run together
    ("Đại học Đà Nẵng: các trường đại học", "unknown", None),
    ("", "unknown", None),
]


@pytest.mark.parametrize("printed, kind, body", TABLE, ids=[t[0][:40] or "empty" for t in TABLE])
def test_printed_units_resolve(printed, kind, body):
    r = resolve_unit(printed)
    assert (r.kind, r.body) == (kind, body)
    assert r.is_unit == (kind != "unknown")
    if kind == "position":
        assert r.name != r.body                       # the position stays as printed


@pytest.mark.parametrize("printed, current", [
    ("Sở KH&ĐT", "Sở Tài chính"),
    ("Sở Kế hoạch - Đầu tư", "Sở Tài chính"),
    ("Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ"),
    ("Sở Lao động, Thương binh và Xã hội", "Sở Nội vụ"),
    ("Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Môi trường"),
    ("Sở NN&PTNT", "Sở Nông nghiệp và Môi trường"),
    ("Sở Giao thông vận tải", "Sở Xây dựng"),
    ("Giám đốc Sở Giao thông vận tải", "Sở Xây dựng"),
    ("Bộ Thông tin và Truyền thông", "Bộ Khoa học và Công nghệ"),
    ("Bộ Lao động - Thương binh và Xã hội", "Bộ Nội vụ"),
    ("Bộ Tài nguyên và Môi trường", "Bộ Nông nghiệp và Môi trường"),
    ("Ban Dân tộc tỉnh", "Sở Dân tộc và Tôn giáo"),
    ("Ban Tuyên giáo Tỉnh ủy", "Ban Tuyên giáo và Dân vận Tỉnh ủy"),
    ("Đài Phát thanh và Truyền hình tỉnh", "Báo và Phát thanh, Truyền hình tỉnh"),
    ("Chủ tịch UBND cấp huyện", "Ủy ban nhân dân các xã, phường, đặc khu"),
    ("Ủy ban nhân dân các xã, phường, thị trấn", "Ủy ban nhân dân các xã, phường, đặc khu"),
    ("Sở Y tế", "Sở Y tế"),
    ("Các sở, ban, ngành", "Các sở, ban, ngành"),
    ("Phòng Nội vụ", None),                            # a district office: ended, no single successor
    ("Ủy ban nhân dân huyện Trà Bồng", None),
    ("Công an các huyện, thị xã, thành phố", None),
])
def test_current_body_after_2025(printed, current):
    r = resolve_unit(printed)
    assert r.current == current
    assert (r.note is not None) == (current != r.body)


def test_renamed_to_and_heads_point_into_the_gazetteer():
    from extractors import gazetteer

    for r in gazetteer.load("units.jsonl"):
        for field in ("renamed_to", "heads"):
            if r.get(field):
                assert resolve_unit(r[field]).kind in ("body", "group"), (r["name"], field)


def test_unit_words_have_known_roles():
    from extractors import gazetteer

    words = gazetteer.load("unit_words.jsonl")
    assert {w["role"] for w in words} == {"head", "title", "level"}
    heads = {w["word"] for w in words if w["role"] == "head"}
    assert {"Sở", "Ban", "Ủy ban", "Công an", "Bộ", "Cục", "Tổng cục", "Trung tâm", "Trường", "Bệnh viện", "Hội",
            "Đoàn", "Mặt trận", "Tỉnh ủy", "Huyện ủy", "Đảng ủy", "Văn phòng", "Thanh tra", "Kho bạc",
            "Ngân hàng"} <= heads


# ---------------------------------------------------------------- spelling variants meet

NAMES = ["Ủy ban nhân dân tỉnh", "Sở Văn hóa, Thể thao và Du lịch", "Sở Lao động - Thương binh và Xã hội",
         "Giám đốc Công an tỉnh", "Thủ trưởng các sở, ban, ngành", "Ủy ban nhân dân các huyện, thị xã, thành phố",
         "Sở Nông nghiệp và Phát triển nông thôn", "Các cơ quan, đơn vị, địa phương", "Chi cục Thủy lợi tỉnh"]


def _old_tones(s: str) -> str:
    return s.replace("Ủy", "Uỷ").replace("hóa", "hoá").replace("Thủy", "Thuỷ")


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(NAMES), st.booleans(), st.sampled_from([" - ", "-", ", ", " – ", " "]), st.booleans())
def test_spelling_variants_resolve_alike(name, old_tones, dash, spaces):
    variant = _old_tones(name) if old_tones else name
    variant = variant.replace(" - ", dash)
    if spaces:
        variant = "  " + variant.replace(" ", "  ") + " "
    a, b = resolve_unit(name), resolve_unit(variant)
    assert (a.kind, a.body, a.current) == (b.kind, b.body, b.current)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_resolves_to_a_kind(text):
    r = resolve_unit(text)
    assert r.kind in ("body", "group", "position", "unknown")
    assert (r.body is None) == (r.kind == "unknown")


def test_unit_groups_are_named_by_their_department():
    """corpora/unit_groups.jsonl: every group is a group department of the gazetteer, so the
    tasks it was given are found by the department lists' own name."""
    from extractors import gazetteer

    for r in gazetteer.load("unit_groups.jsonl"):
        got = resolve_unit(r["group"])
        assert (got.kind, got.body) == ("group", r["group"]), r["group"]
