"""Owes, summary and the report writers (XLSX, ICS, PDF, HTML) on a small register."""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess

import pytest

import staff_register as sr
from tests.tools import require_program


def test_owes_one_unit_overdue_first_then_due(register):
    from models.owes import owes

    session, _ = register
    [group] = owes(session, unit="Công an tỉnh", today=sr.TODAY)
    assert group.unit == "Công an tỉnh"
    assert [i.text[:20] for i in group.items] == [
        "Triển khai định danh", "Cấp tài khoản định d", "Tổ chức hòa giải ở c"]
    assert [i.overdue for i in group.items] == [True, False, False]
    assert [i.role for i in group.items] == ["lead", "lead", "support"]
    first = group.items[0]
    assert first.document_number == "45/KH-UBND" and first.ref == "PL.1" and first.page == 1
    assert first.source_label == "Kế hoạch số 45/KH-UBND, mục PL.1, tr. 1"


def test_owes_recurring_with_next_occurrence_and_group(register):
    from models.owes import owes

    session, _ = register
    [group] = owes(session, unit="UBND huyện Tuy Phước", today=sr.TODAY)
    assert group.unit == "Ủy ban nhân dân huyện Tuy Phước"
    monthly = [i for i in group.items if i.recurrence == "monthly"]
    assert len(monthly) == 1
    assert monthly[0].next_due == dt.date(2025, 1, 22)
    assert monthly[0].via_group == "Ủy ban nhân dân các huyện, thị xã, thành phố"
    assert monthly[0].deadline_label == "Ngày 22 hằng tháng (kỳ tới: 22/01/2025)"
    assert group.items[0].overdue and group.items[0].due == dt.date(2025, 1, 10)
    # after the 22nd the monthly report is overdue for this month, and comes first
    [later] = owes(session, unit="UBND huyện Tuy Phước", today=dt.date(2025, 1, 25))
    assert [(i.text[:9], i.overdue) for i in later.items] == [("Hướng dẫn", True), ("Báo cáo k", True)]
    missed = next(i for i in later.items if i.recurrence == "monthly")
    assert missed.next_due == dt.date(2025, 1, 22)          # the missed day counts, not February's
    assert missed.deadline_label == "Ngày 22 hằng tháng (hạn kỳ này: 22/01/2025)"


def test_owes_range_and_all_units(register):
    from models.owes import owes

    session, _ = register
    [g] = owes(session, unit="Công an tỉnh", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), today=sr.TODAY)
    assert [i.text[:13] for i in g.items] == ["Cấp tài khoản"]
    groups = owes(session, today=sr.TODAY)
    assert [g.unit for g in groups] == [
        "Công an tỉnh", "Sở Tư pháp", "Sở Y tế", "Ủy ban nhân dân huyện Tuy Phước", "Sở Văn hóa và Thể thao",
        "Ủy ban nhân dân các huyện, thị xã, thành phố", "Văn phòng Ủy ban nhân dân tỉnh"]
    yte = next(g for g in groups if g.unit == "Sở Y tế")
    assert [i.text[:8] for i in yte.items] == ["Nâng cao"]   # the done task is not owed


def test_summary(register):
    from models.owes import summary

    session, _ = register
    rows = {r.unit: r for r in summary(session, today=sr.TODAY)}
    assert (rows["Công an tỉnh"].open, rows["Công an tỉnh"].overdue) == (3, 1)
    assert (rows["Sở Y tế"].open, rows["Sở Y tế"].done, rows["Sở Y tế"].overdue) == (1, 1, 1)
    assert rows["Ủy ban nhân dân các huyện, thị xã, thành phố"].due_soon == 1   # the 22nd


def _groups(session):
    from models.owes import owes
    return owes(session, today=sr.TODAY)


def test_xlsx_one_sheet_per_unit(register, tmp_path):
    """Read back with openpyxl: an index sheet linking to one sheet per department, short unique
    names, the task id, real date cells, an autofilter, a frozen header, the columns to fill in."""
    from openpyxl import load_workbook
    from app.reports import XLSX_COLUMNS, write

    session, _ = register
    groups = _groups(session)
    path = write(groups, "xlsx", tmp_path / "o.xlsx", today=sr.TODAY)
    wb = load_workbook(path)
    # numbered as on the index sheet; a long name shortened with corpora/abbreviations.jsonl
    assert wb.sheetnames == ["Tổng hợp", "01 Công an tỉnh", "02 Sở Tư pháp", "03 Sở Y tế",
                             "04 UBND huyện Tuy Phước", "05 Sở Văn hóa và Thể thao",
                             "06 UBND các huyện, thị xã…", "07 Văn phòng UBND tỉnh"]
    assert all(len(n) <= 31 for n in wb.sheetnames)

    index = wb["Tổng hợp"]
    assert [c.value for c in index[3]][:4] == ["STT", "Đơn vị", "Trang tính", "Số nhiệm vụ"]
    assert index.cell(4, 2).value == "Công an tỉnh" and index.cell(4, 4).value == 3 and index.cell(4, 7).value == 1
    assert index.cell(4, 3).hyperlink.location == "'01 Công an tỉnh'!A1"
    assert index.freeze_panes == "A4" and index.auto_filter.ref.startswith("A3:")

    ws = wb["01 Công an tỉnh"]
    assert [c.value for c in ws[3]] == XLSX_COLUMNS
    assert {"Mã nhiệm vụ", "Hạn", "Kết quả thực hiện", "Tình trạng (đơn vị cập nhật)"} <= set(XLSX_COLUMNS)
    assert ws.auto_filter.ref == f"A3:L{3 + len(groups[0].items)}" and ws.freeze_panes == "D4"
    due = XLSX_COLUMNS.index("Hạn") + 1
    first = groups[0].items[0]
    assert ws.cell(4, 1).value == 1 and ws.cell(4, 2).value == first.obligation_id
    assert isinstance(ws.cell(4, due).value, dt.datetime) and ws.cell(4, due).value.date() == first.due
    assert ws.cell(4, due).number_format == "DD/MM/YYYY"
    dates = [ws.cell(r, due).value for r in range(4, ws.max_row + 1) if ws.cell(r, due).value]
    assert dates == sorted(dates)              # overdue first, then by date: the column sorts as dates
    assert ws.cell(2, 1).hyperlink.location == "'Tổng hợp'!A1"
    assert ws.data_validations.dataValidation[0].formula1.startswith('"Chưa hoàn thành,')
    # a recurring task's date that counts is a date too
    huyen = wb[wb.sheetnames[6]]
    monthly = next(r for r in range(4, huyen.max_row + 1) if "hằng tháng" in (huyen.cell(r, due + 1).value or ""))
    assert huyen.cell(monthly, due).value.date() == dt.date(2025, 1, 22)


def test_xlsx_unassigned_sheet(tmp_path):
    from openpyxl import load_workbook

    from app.reports import write
    from models.owes_rows import OwesItem, UnitOwes

    groups = [UnitOwes(unit="Sở Tư pháp", items=[OwesItem("a1", "Rà soát văn bản", due=dt.date(2025, 3, 1))]),
              UnitOwes(unit="Chưa rõ đơn vị", kind="unassigned", items=[OwesItem("b2", "Tổng hợp số liệu")])]
    wb = load_workbook(write(groups, "xlsx", tmp_path / "u.xlsx", today=sr.TODAY))
    assert wb.sheetnames == ["Tổng hợp", "01 Sở Tư pháp", "Chưa rõ đơn vị"]
    assert wb["Chưa rõ đơn vị"].cell(4, 2).value == "b2" and wb["Chưa rõ đơn vị"].cell(4, 7).value is None
    assert wb["Tổng hợp"].cell(5, 3).hyperlink.location == "'Chưa rõ đơn vị'!A1"


def test_sheet_names_are_unique_and_short():
    from app.reports import sheet_names, short_unit_name

    names = sheet_names(["Ủy ban nhân dân các huyện, thị xã, thành phố"] * 3 + ["Sở A/B [x]", "",
                         "Sở Lao động - Thương binh và Xã hội", "Chưa rõ đơn vị"])
    assert names == ["01 UBND các huyện, thị xã…", "02 UBND các huyện, thị xã…",
                     "03 UBND các huyện, thị xã…", "04 Sở A B x", "05 Đơn vị", "06 Sở LĐ-TB&XH",
                     "Chưa rõ đơn vị"]
    assert max(len(n) for n in names) <= 31
    assert short_unit_name("Công an tỉnh") == "Công an tỉnh"          # a name that fits stays as it is
    assert short_unit_name("Sở Văn hóa, Thể thao và Du lịch tỉnh", 20) == "Sở VH,TT&DL tỉnh"


def test_ics_events_and_rrule(register, tmp_path):
    from icalendar import Calendar
    from app.reports import write

    session, _ = register
    path = write(_groups(session), "ics", tmp_path / "o.ics")
    cal = Calendar.from_ical(path.read_bytes())
    events = list(cal.walk("VEVENT"))
    uids = [str(e["uid"]) for e in events]
    assert len(uids) == len(set(uids))
    monthly = [e for e in events if "rrule" in e]
    assert len(monthly) == 1
    rule = monthly[0]["rrule"]
    assert rule["FREQ"] == ["MONTHLY"] and rule["BYMONTHDAY"] == [22]
    assert monthly[0].decoded("dtstart") == dt.date(2025, 1, 22)
    # "Thường xuyên" has no date: no event
    assert not any("hòa nhập" in str(e["summary"]) for e in events)


def _occurrences(event, year: int) -> list[dt.date]:
    """The event's dates in YEAR, its RRULE expanded by dateutil."""
    from dateutil.rrule import rrulestr

    start = event.decoded("dtstart")
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=dt.datetime.combine(start, dt.time()))
    return [d.date() for d in rule.between(dt.datetime(year, 1, 1), dt.datetime(year, 12, 31, 23, 59), inc=True)]


def test_ics_every_dated_task_recurring_rules_that_hit_every_period_alarms_and_overdue(tmp_path):
    from icalendar import Calendar

    from app.reports import calendar_counts, write
    from models.owes_rows import OwesItem, UnitOwes

    today = dt.date(2025, 1, 15)
    items = [
        OwesItem("m31", "Báo cáo ngày 31 hằng tháng", recurrence="monthly", day=31, next_due=dt.date(2025, 1, 31)),
        OwesItem("m30", "Báo cáo ngày 30 hằng tháng", recurrence="monthly", day=30, next_due=dt.date(2025, 1, 30)),
        OwesItem("mlast", "Báo cáo cuối tháng", recurrence="monthly", next_due=dt.date(2025, 1, 31)),
        OwesItem("q", "Báo cáo quý", recurrence="quarterly", next_due=dt.date(2025, 3, 31)),
        OwesItem("y", "Báo cáo năm", recurrence="yearly", day=15, next_due=dt.date(2025, 12, 15)),
        OwesItem("w", "Giao ban thứ hai", recurrence="weekly", day=1, next_due=dt.date(2025, 1, 20)),
        OwesItem("end", "Báo cáo tháng đến hết tháng 6", recurrence="monthly", day=5, due=dt.date(2025, 6, 30),
                 next_due=dt.date(2025, 2, 5)),
        OwesItem("late", "Rà soát hồ sơ tồn đọng", due=dt.date(2025, 1, 5), next_due=dt.date(2025, 1, 5), overdue=True),
        OwesItem("soon", "Cấp tài khoản định danh", due=dt.date(2025, 2, 1), next_due=dt.date(2025, 2, 1)),
        OwesItem("ongoing", "Tuyên truyền thường xuyên", recurrence="ongoing"),
        OwesItem("road", "Thực hiện theo lộ trình", deadline_raw="Theo lộ trình"),
    ]
    groups = [UnitOwes(unit="Sở Tư pháp", items=items),
              UnitOwes(unit="Công an tỉnh", items=[items[-3]])]      # a task in two lists: one event
    cal = Calendar.from_ical(write(groups, "ics", tmp_path / "l.ics", today=today).read_bytes())
    events = {str(e["uid"]).split("@")[0]: e for e in cal.walk("VEVENT")}
    # every task with a date, once; the overdue one also today
    assert set(events) == {"m31", "m30", "mlast", "q", "y", "w", "end", "late", "late-qua-han", "soon"}
    assert calendar_counts(groups) == (9, 2)

    def months(uid):
        return [d.month for d in _occurrences(events[uid], 2025)]

    assert months("m31") == list(range(1, 13))                         # no month skipped
    assert _occurrences(events["m31"], 2025)[1] == dt.date(2025, 2, 28)
    assert events["m31"]["rrule"].to_ical() == b"FREQ=MONTHLY;BYMONTHDAY=-1"
    assert [d.day for d in _occurrences(events["m30"], 2025)][:3] == [30, 28, 30]
    assert months("mlast") == list(range(1, 13))
    assert _occurrences(events["q"], 2025) == [dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 9, 30),
                                                 dt.date(2025, 12, 31)]
    assert _occurrences(events["y"], 2025) == [dt.date(2025, 12, 15)]
    assert len(_occurrences(events["w"], 2025)) == 50 and {d.isoweekday() for d in _occurrences(events["w"], 2025)} == {1}
    assert _occurrences(events["end"], 2025) == [dt.date(2025, m, 5) for m in range(2, 7)]
    # reminders 7 days and 1 day before
    alarms = events["soon"].walk("VALARM")
    assert sorted(a.decoded("trigger") for a in alarms) == [dt.timedelta(days=-7), dt.timedelta(days=-1)]
    assert str(alarms[0]["description"]).startswith("Còn 7 ngày đến hạn: Cấp tài khoản")
    # overdue: on its date, marked, and again today, where it is seen
    assert str(events["late"]["summary"]) == "[Quá hạn] Rà soát hồ sơ tồn đọng"
    assert events["late-qua-han"].decoded("dtstart") == today
    assert str(events["late-qua-han"]["summary"]) == "[Quá hạn từ 05/01/2025] Rà soát hồ sơ tồn đọng"
    assert "chidao show late" in str(events["late"]["description"])


@pytest.mark.slow
def test_pdf_renders_vietnamese(register, tmp_path):
    from app.reports import write

    session, _ = register
    path = write(_groups(session), "pdf", tmp_path / "o.pdf", title="DANH MỤC NHIỆM VỤ")
    assert path.read_bytes()[:5] == b"%PDF-"
    pdftotext, pdftoppm = require_program("pdftotext"), require_program("pdftoppm")
    txt = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Nội dung nhiệm vụ" in txt and "Công an tỉnh" in txt and "Quá hạn" in txt
    subprocess.run([pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True)
    assert [p.name for p in tmp_path.glob("p*.png")] == ["p-1.png"]


def test_html_report_escapes(register):
    from app.reports import render_html

    session, _ = register
    html = render_html(_groups(session), title="T")
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_cli_owes_writes_files(register, tmp_path, monkeypatch):
    from typer.testing import CliRunner
    from app.cli import app

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["owes", "--unit", "Công an tỉnh", "--format", "xlsx"])
    assert r.exit_code == 0, r.output
    [written] = (tmp_path / "outputs").iterdir()
    assert re.fullmatch(r"nhiem-vu-cong-an-tinh-\d{4}-\d\d-\d\d\.xlsx", written.name)
    assert r.output == f"đã ghi outputs/{written.name} (3 nhiệm vụ, 1 danh sách)\n"
    r = CliRunner().invoke(app, ["owes", "--unit", "Công an tỉnh", "--format", "ics", "-o", "ca.ics"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [
        "đã ghi ca.ics (3 nhiệm vụ, 1 danh sách)",
        "lịch: 3 nhiệm vụ có ngày (mỗi nhiệm vụ một sự kiện, nhắc trước 7 ngày và 1 ngày)"]
    r = CliRunner().invoke(app, ["owes", "--from", "32/13/2024"])
    assert (r.exit_code, r.output) == (2, "error: --from «32/13/2024» không phải một ngày (dd/mm/yyyy hoặc yyyy-mm-dd, năm 1900–2999)\n")
    r = CliRunner().invoke(app, ["owes", "--format", "doc"])
    assert (r.exit_code, r.output) == (2, "error: không có định dạng 'doc': hãy dùng table, html, xlsx, pdf, ics, json\n")
    r = CliRunner().invoke(app, ["search", "dinh danh", "--json"])
    assert r.exit_code == 0
    assert json.loads(r.output)["total"] == 3


class _Office:
    """What flows/settings.py gives the PDF (CHIDAO_OFFICE, CHIDAO_PLACE, CHIDAO_SIGNER)."""
    office = "UBND TỈNH BÌNH ĐỊNH/VĂN PHÒNG"
    place = "Bình Định"
    signer = "KT. CHÁNH VĂN PHÒNG/PHÓ CHÁNH VĂN PHÒNG/Nguyễn Văn A"


def _pdf_pages(path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


def test_pdf_per_unit_is_an_administrative_document(register, tmp_path):
    """Nghị định 30/2020 form: office and number (left), Quốc hiệu, Tiêu ngữ, place and date
    (right), title, Chủ trì and Phối hợp apart, grouped by directive, Nơi nhận, signature."""
    from models.owes import owes
    from app.reports import write

    session, _ = register
    groups = owes(session, unit="Công an tỉnh", today=sr.TODAY)
    pages = _pdf_pages(write(groups, "pdf", tmp_path / "ca.pdf", today=sr.TODAY, settings=_Office))
    text = "\n".join(pages)
    lines = text.splitlines()
    assert lines[:3] == ["UBND TỈNH BÌNH ĐỊNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                         "VĂN PHÒNG Độc lập - Tự do - Hạnh phúc",
                         f"Số: ........ /DM-........ Bình Định, ngày {sr.TODAY.day:02d} tháng {sr.TODAY.month:02d} "
                         f"năm {sr.TODAY.year}"]
    assert lines[3:5] == ["DANH MỤC NHIỆM VỤ", "giao Công an tỉnh"]
    lead, support = text.index("I. NHIỆM VỤ CHỦ TRÌ THỰC HIỆN (2 nhiệm vụ)"), text.index("II. NHIỆM VỤ PHỐI HỢP THỰC HIỆN (1 nhiệm vụ)")
    assert lead < text.index("1. Theo Kế hoạch số 45/KH-UBND") < support
    assert text.index("Triển khai định danh") < support < text.index("Tổ chức hòa giải")
    assert "Quá hạn" in text
    assert text.index("Nơi nhận:") > support
    assert "- Công an tỉnh;" in text and "- Lưu: VT." in text
    assert "KT. CHÁNH VĂN PHÒNG" in text and "PHÓ CHÁNH VĂN PHÒNG" in text and lines[-2] == "Nguyễn Văn A"


def test_pdf_without_settings_leaves_blanks_to_fill_in(register, tmp_path):
    from models.owes import owes
    from app.reports import write

    session, _ = register
    groups = owes(session, unit="Sở Y tế", today=sr.TODAY)
    text = "\n".join(_pdf_pages(write(groups, "pdf", tmp_path / "yt.pdf", today=sr.TODAY)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "........, ngày" in text
    assert "THỦ TRƯỞNG CƠ QUAN" in text and "(Ký, ghi rõ họ tên)" in text


def test_pdf_all_units_has_an_index_with_the_right_pages(register, tmp_path):
    from app.reports import write

    session, _ = register
    groups = _groups(session)
    pages = _pdf_pages(write(groups, "pdf", tmp_path / "all.pdf", today=sr.TODAY, settings=_Office))
    assert "MỤC LỤC" in pages[0] and "DANH MỤC NHIỆM VỤ GIAO CÁC ĐƠN VỊ" in pages[0]
    rows = [l for l in pages[0].splitlines() if re.match(r"\d+ \S", l)]
    assert len(rows) == len(groups)
    for g, row in zip(groups, rows):
        start = int(row.rsplit(" ", 1)[1])                  # the index's page number ...
        assert f"giao {g.unit}" in pages[start - 1], (g.unit, start)   # ... is where its list begins
        assert row.startswith(f"{groups.index(g) + 1} {g.unit}") and row.split()[-3:-1] == [str(len(g.items)), str(g.overdue)]
    assert all(p.rstrip().endswith(f"Trang {n}") for n, p in enumerate(pages, 1))


def test_report_is_short_and_says_where_the_lists_are(register, tmp_path, monkeypatch):
    """The README's main job: a few lines on screen, the full lists in outputs/."""
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from app.cli import app

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["report", "--top", "3"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert re.fullmatch(r"Nhiệm vụ chưa xong: 10 \(\d quá hạn\), 7 danh sách", lines[0].strip())   # today's date decides overdue
    assert sum(1 for l in lines if "Công an tỉnh" in l) == 1 and len(lines) < 15
    assert "… và 4 danh sách khác (trong các tệp dưới đây; tổng hợp: chidao summary)" in lines
    xlsx, pdf = sorted((tmp_path / "outputs").iterdir())[::-1]
    assert (xlsx.suffix, pdf.suffix) == (".xlsx", ".pdf")
    assert lines[-1] == (f"Danh sách đầy đủ của từng đơn vị: outputs/{xlsx.name} (Excel, mỗi đơn vị một trang tính) "
                         f"và outputs/{pdf.name} (PDF, có mục lục). Một đơn vị: chidao owes --unit \"TÊN ĐƠN VỊ\"")
    assert len(load_workbook(xlsx).sheetnames) == 8
