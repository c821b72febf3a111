"""The confidence of an obligation (extractors/obligations/confidence.py): each reason lowers it,
more reasons never raise it, it stays in [0, 1]; and the walker records what it needs."""
import datetime as dt
import itertools

import pytest

from extractors.obligations import extract_obligations
from extractors.obligations.confidence import FACTORS, OCR_FLOOR, OCR_GOOD, Evidence, ocr_factor, score, unit_kind
from extractors.types import Deadline, Directive, Document, Header, Paragraph, Section

KNOWN = "Công an tỉnh"
KNOWN_GROUP = "Các sở, ban, ngành"
UNKNOWN = "Ban định kỳ 02 tuần"
TASK = "Triển khai cấp căn cước cho công dân trên địa bàn tỉnh trong tháng 02/2024."
PARSED = Deadline(raw="Tháng 02/2024", due=dt.date(2024, 2, 29))
UNPARSED = Deadline(raw="Theo lộ trình của Chính phủ")


def base(**kw) -> Evidence:
    """A sure obligation: a known body, its sentence's own subject, clean text, a dated deadline."""
    e = Evidence(lead_units=[KNOWN], unit_source="sentence", deadline=PARSED, text=TASK)
    for k, v in kw.items():
        setattr(e, k, v)
    return e


def test_the_gazetteer_answers_what_a_unit_is():
    assert (unit_kind(KNOWN), unit_kind(KNOWN_GROUP), unit_kind(UNKNOWN)) == ("body", "group", "unknown")


@pytest.mark.parametrize("evidence", [
    base(),
    base(unit_source="table"),
    base(unit_source="field"),
    base(lead_units=[KNOWN_GROUP]),
    base(deadline=None),
    base(ocr=OCR_GOOD),
    base(ocr=97.5),
    base(support_units=["Sở Tư pháp"]),
    base(unit_source="table", table=True, text="Xây dựng kho dữ liệu dùng chung"),
], ids=["sentence", "table", "field", "group", "no-deadline", "ocr-good", "ocr-high", "known-support", "short-cell"])
def test_nothing_to_doubt_is_certain(evidence):
    assert score(evidence) == (1.0, [])


# (what changes, the reason code it must give)
CHANGES = [
    ({"lead_units": [], "unit_source": None}, "no-unit"),
    ({"lead_units": [UNKNOWN]}, "unit-unknown"),
    ({"support_units": [UNKNOWN]}, "support-unknown"),
    ({"unit_source": "previous"}, "unit-from-previous"),
    ({"unit_source": "lead-in"}, "unit-from-lead-in"),
    ({"unit_source": "heading", "scope_depth": 1}, "unit-from-heading"),
    ({"unit_source": "heading", "scope_depth": 3}, "unit-from-heading"),
    ({"unit_source": "addressees"}, "unit-from-addressees"),
    ({"deadline": UNPARSED}, "deadline-no-date"),
    ({"flags": ["deadline-before-document"]}, "deadline-before-document"),
    ({"flags": ["duplicate"]}, "duplicate"),
    ({"split": True}, "split-from-sentence"),
    ({"ocr": 61.0}, "ocr-low"),
    ({"text": "Giao Sở Nội vụ chủ trì, phối hợp với các cơ quan, đơn vị liên quan:"}, "heading-like"),
    ({"text": "Sở Y tế chủ trì, phối hợp thực hiện"}, "short-text"),
]


@pytest.mark.parametrize("change,code", CHANGES, ids=[f"{c}-{i}" for i, (_, c) in enumerate(CHANGES)])
def test_each_reason_lowers_the_confidence_and_says_so(change, code):
    c, reasons = score(base(**change))
    assert 0.0 <= c < 1.0
    assert [r.code for r in reasons] == [code]
    assert reasons[0].text and reasons[0].text[0].islower()     # a phrase for the clerk, joined with "; "


def test_reasons_read_as_a_clerk_reads_them():
    c, reasons = score(base(unit_source="heading", scope_depth=1, ocr=61.0))
    assert [r.text for r in reasons] == ["chữ quét mờ (độ tin cậy OCR 61%)", "đơn vị lấy từ tiêu đề mục"]
    assert c == round(ocr_factor(61.0) * FACTORS["unit-from-heading"], 2)
    assert score(base(ocr=89.6))[1][0].text == "chữ quét mờ (độ tin cậy OCR 89%)"
    _, reasons = score(base(unit_source="heading", scope_depth=3))
    assert reasons[0].text == "đơn vị lấy từ tiêu đề mục cách 3 cấp"
    _, reasons = score(base(lead_units=[KNOWN, UNKNOWN], deadline=UNPARSED))
    assert [r.text for r in reasons] == [f"đơn vị chủ trì không có trong danh mục cơ quan ({UNKNOWN})",
                                        "thời hạn không quy ra được ngày (“Theo lộ trình của Chính phủ”)"]


@pytest.mark.parametrize("k", [2, 3])
def test_more_reasons_never_raise_it(k):
    """Every set of changes scores at most what any of its subsets scores."""
    # changes that can hold together (one unit source at a time)
    compatible = [c for c, _ in CHANGES if ("unit_source" not in c or c.get("unit_source") == "heading"
                  and c.get("scope_depth") == 3) and "text" not in c]
    compatible.append({"text": "Sở Y tế chủ trì, phối hợp:"})     # short and heading-like
    for combo in itertools.combinations(compatible, k):
        merged = {}
        for ch in combo:
            merged.update({key: (merged.get(key, []) + val if key == "flags" else val) for key, val in ch.items()})
        whole, reasons = score(base(**merged))
        assert 0.0 <= whole <= 1.0
        for sub in itertools.combinations(combo, k - 1):
            part = {}
            for ch in sub:
                part.update({key: (part.get(key, []) + val if key == "flags" else val) for key, val in ch.items()})
            assert whole <= score(base(**part))[0], (combo, sub)


def test_the_farther_the_heading_and_the_worse_the_scan_the_lower_it_is():
    by_depth = [score(base(unit_source="heading", scope_depth=d))[0] for d in range(0, 6)]
    assert by_depth == sorted(by_depth, reverse=True) and by_depth[0] > by_depth[-1]
    by_ocr = [score(base(ocr=o))[0] for o in (99, 90, 85, 70, 50, 20, 0)]
    assert by_ocr == sorted(by_ocr, reverse=True) and by_ocr[1] == 1.0 > by_ocr[2]


def test_bounds_with_every_reason_at_once():
    c, reasons = score(Evidence(lead_units=[], support_units=[UNKNOWN], deadline=UNPARSED, ocr=0.0, split=True,
                                flags=["duplicate", "deadline-before-document"], text="Sở Y tế:"))
    assert 0.0 <= c < 0.01 + FACTORS["no-unit"] * OCR_FLOOR
    assert reasons[0].code == "ocr-low"        # worst first
    assert {r.code for r in reasons} == {"no-unit", "support-unknown", "deadline-no-date", "duplicate",
                                         "deadline-before-document", "split-from-sentence", "ocr-low",
                                         "heading-like", "short-text"}


# ---------------------------------------------------------------- what the walker records

def _directive(root: Section) -> Directive:
    doc = Document(path="t.pdf", source_file="t.pdf")
    return Directive(document=doc, header=Header(issued_on=dt.date(2024, 1, 5), province="Bình Định"), root=root)


def _item(path, label, kind, text, children=(), confidence=None, role="tasks"):
    return Section(path=path, label=label, kind=kind, heading=text.split(":")[0] if ":" in text else text,
                   text=text, role=role, paragraphs=[Paragraph(text=text, page=1, confidence=confidence)],
                   children=list(children))


def _by_text(extraction, start):
    return next(o for o in extraction.obligations if o.text.startswith(start))


def test_the_walker_says_how_each_unit_was_found():
    root = Section(kind="root", children=[
        _item("1", "1.", "arabic", "1. Công an tỉnh:", children=[
            _item("1.a", "a)", "letter", "a) Triển khai cấp căn cước cho công dân trong tháng 02/2024."),
            _item("1.b", "b)", "letter", "b) Rà soát dữ liệu dân cư:", children=[
                _item("1.b", "-", "bullet", "- Làm sạch dữ liệu dân cư trên địa bàn tỉnh trong quý I/2024."),
            ]),
        ]),
        _item("2", "2.", "arabic", "2. Sở Tư pháp chủ trì rà soát thủ tục hành chính trong tháng 3/2024.",
              confidence=61.0),
    ])
    ex = extract_obligations(_directive(root))
    a = _by_text(ex, "Triển khai cấp căn cước")
    assert a.lead_units == ["Công an tỉnh"]
    assert [r.code for r in a.confidence_reasons] == ["unit-from-heading"] and a.confidence == FACTORS["unit-from-heading"]
    far = _by_text(ex, "Làm sạch dữ liệu")
    assert far.lead_units == ["Công an tỉnh"]
    assert [r.text for r in far.confidence_reasons] == ["đơn vị lấy từ tiêu đề mục cách 2 cấp"]
    assert far.confidence < a.confidence
    own = _by_text(ex, "Sở Tư pháp chủ trì")
    assert [r.code for r in own.confidence_reasons] == ["ocr-low"] and own.confidence == round(ocr_factor(61.0), 2)


def test_a_table_row_is_sure_of_its_lead_column_and_reads_its_own_ocr():
    row = Section(path="PL.1", label="1", kind="table_row", role="tasks", confidence=70.0,   # short: a cell, no fragment
                  cells={"task": "Xây dựng kho dữ liệu dùng chung", "lead": "Sở Tư pháp", "deadline": "Quý II/2024"})
    no_lead = Section(path="PL.2", label="2", kind="table_row", role="tasks",
                      cells={"task": "Số hóa hồ sơ thủ tục hành chính", "deadline": "Năm 2024"})
    root = Section(kind="root", children=[Section(kind="appendix", path="PL", role="appendix", children=[row, no_lead])])
    ex = extract_obligations(_directive(root))
    first, second = ex.obligations
    assert [r.code for r in first.confidence_reasons] == ["ocr-low"]
    assert first.confidence == round(ocr_factor(70.0), 2)
    assert [r.code for r in second.confidence_reasons] == ["no-unit"] and second.confidence == FACTORS["no-unit"]


def test_a_paragraph_with_several_tasks_marks_them_split():
    text = ("Sở Tư pháp rà soát thủ tục hành chính trong tháng 3/2024. "
            "Sở Tài chính bố trí kinh phí thực hiện trong tháng 4/2024.")
    root = Section(kind="root", children=[_item("1", "1.", "arabic", "1. " + text)])
    ex = extract_obligations(_directive(root))
    assert [o.lead_units for o in ex.obligations] == [["Sở Tư pháp"], ["Sở Tài chính"]]
    assert all([r.code for r in o.confidence_reasons] == ["split-from-sentence"] for o in ex.obligations)
