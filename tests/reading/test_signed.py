"""Digitally signed e-documents: the number and the day are form widgets over blanks in the text
layer, the signature a box of its own (a PDF made by the test, with real widget annotations)."""
import datetime as dt

import pytest

from extractors.reading import read_document
from extractors.reading.annotations import parse_signature, primary_signature
from extractors.structure import parse_directive


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    import make_files

    return read_document(make_files.signed_pdf(tmp_path_factory.mktemp("signed") / "tb11.pdf"), ocr="never")


def test_widget_values_join_the_line_they_fill(signed):
    texts = [b.text for b in signed.pages[0].blocks]
    assert "Số: 11 /TB-UBND" in texts
    assert "Quảng Ngãi, ngày 08 tháng 01 năm 2025" in texts
    assert signed.status == "ok" and not signed.errors


def test_header_reads_number_and_date_from_the_widgets(signed):
    h = parse_directive(signed).header
    assert (h.number, h.issued_on, h.place, h.type) == ("11/TB-UBND", dt.date(2025, 1, 8), "Quảng Ngãi", "Thông báo")


def test_signature_box_is_metadata_not_text(signed):
    text = signed.text()
    assert "Ký bởi" not in text and "Thời gian ký" not in text
    assert [s.signed_by for s in signed.signatures] == ["Ủy ban nhân dân tỉnh Quảng Ngãi"]
    sig = signed.signatures[0]
    assert sig.organisation == "Tỉnh Quảng Ngãi" and sig.page == 1 and not sig.is_copy
    assert sig.signed_at == dt.datetime(2025, 1, 8, 17, 10, 17, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    h = parse_directive(signed).header
    assert (h.signed_by, h.signed_at) == (sig.signed_by, sig.signed_at)


def test_a_readers_note_stays_out_of_the_text(signed):
    assert "Chuyển phòng Tổng hợp" not in signed.text()
    assert any("Chuyển phòng Tổng hợp" in o.text for o in signed.pages[0].overlays)


@pytest.mark.parametrize("text, by, org, at, copy", [
    ("Ký bởi: Ủy ban nhân dân tỉnh Quảng\nNgãi\nCơ quan: Tỉnh Quảng Ngãi\nThời gian ký: 11/09/2024 19:14:21",
     "Ủy ban nhân dân tỉnh Quảng Ngãi", "Tỉnh Quảng Ngãi", dt.datetime(2024, 9, 11, 19, 14, 21), False),
    ("SAO Y\nBộ Công an\nThời gian ký: 2025-09-16T14:37:50+07:00", "Bộ Công an", None, dt.datetime(2025, 9, 16, 14, 37, 50), True),
    ("Người ký: Ủy ban\nnhân dân tỉnh Quảng\nNgãi\nCơ quan: Tỉnh Quảng\nNgãi\nThời gian ký:\n16.04.2020 07:37:07\n+07:00",
     "Ủy ban nhân dân tỉnh Quảng Ngãi", "Tỉnh Quảng Ngãi", dt.datetime(2020, 4, 16, 7, 37, 7), False),
    ("TRUNG TÂM CÔNG BÁO\nVÀ TIN HỌC\nttcbth@quangngai.gov.vn\n09.01.2025 10:21:11 +07:00",
     "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", None, dt.datetime(2025, 1, 9, 10, 21, 11), False),
])
def test_signature_boxes_as_signing_services_print_them(text, by, org, at, copy):
    s = parse_signature(text, 1)
    assert (s.signed_by, s.organisation, s.signed_at.replace(tzinfo=None), s.is_copy) == (by, org, at, copy)
    assert s.signed_at.utcoffset() == dt.timedelta(hours=7)


def test_filled_in_values_are_not_signatures():
    assert parse_signature("11", 1) is None and parse_signature("08", 1) is None


def test_the_issuers_signature_before_the_gazettes_and_a_copys():
    sigs = [parse_signature("SAO Y\nBộ Công an\nThời gian ký: 2025-09-16T14:37:50+07:00", 1),
            parse_signature("TRUNG TÂM CÔNG BÁO VÀ TIN HỌC\n12.09.2024 07:49:43 +07:00", 1),
            parse_signature("Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi\nThời gian ký: 11/09/2024 19:14:21", 1)]
    assert primary_signature(sigs).signed_by == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert primary_signature(sigs[:1]).is_copy   # a copy's signature when it is all there is
