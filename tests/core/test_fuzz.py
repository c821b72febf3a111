"""The short fuzz run (issue 15): readers on mutated sample bytes, and the deadline, header and
search-query parsers on arbitrary text, each with a typed outcome.  The long campaign is
scripts/fuzz.py (same checks, N inputs per target)."""
from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings

from flows.isolate import Worker
from scripts.fuzz import (campaign, check_deadline, check_header, check_query, check_reader,
                          doc_dates, mutate, mutations, seeds, texts)

SHORT = settings(max_examples=25, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def worker():
    w = Worker(max_calls=50)
    yield w
    w.close()


@pytest.fixture(scope="module")
def base():
    return seeds()


def test_the_seeds_read_and_a_cut_file_is_bad_input(worker, base):
    """The check tells a read file from a bad one: the seeds read, their halves are bad input."""
    assert check_reader(worker, "pdf", base["pdf"]) in ("ok", "partial")
    assert check_reader(worker, "docx", base["docx"]) in ("ok", "partial")
    assert check_reader(worker, "pdf", base["pdf"][: len(base["pdf"]) // 2]) == "corrupt-pdf"
    # A zip cut before its central directory is no longer known as a DOCX: unsupported-format
    # (reported in issue 15's note: the intake's half-written re-check waits on corrupt-docx).
    assert check_reader(worker, "docx", base["docx"][: len(base["docx"]) // 2]) in ("corrupt-docx", "unsupported-format")
    assert check_reader(worker, "png", base["png"][:40]) == "unreadable-image"


def test_mutate_applies_each_operation():
    data = bytes(range(10))
    assert mutate(data, [("truncate", 4, b"x")]) == data[:4]
    assert mutate(data, [("insert", 0, b"ab")]) == b"ab" + data
    assert mutate(data, [("set", 2, b"\xff")])[2] == 0xFF
    assert mutate(data, [("flip", 3, b"\x01")])[3] == 3 ^ 1
    assert len(mutate(data, [("repeat", 0, b"\x01")])) == 30


def test_a_docx_entry_offset_before_the_file_is_corrupt_docx(worker):
    """Found by scripts/fuzz.py: a zip entry whose header lies before the file's start made
    zipfile's seek raise OSError(EINVAL), which the pipeline took for a retryable I/O error."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    data = bytearray(buf.getvalue())
    eocd = data.rfind(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, eocd + 16)
    struct.pack_into("<I", data, eocd + 16, offset + 1000)     # central directory said 1000 bytes later
    assert check_reader(worker, "docx", bytes(data)) == "corrupt-docx"


@settings(SHORT, max_examples=6)
@given(ops=mutations)
def test_pdf_reader_on_mutated_bytes(worker, base, ops):
    assert check_reader(worker, "pdf", mutate(base["pdf"], ops))


@SHORT
@given(ops=mutations)
def test_docx_reader_on_mutated_bytes(worker, base, ops):
    assert check_reader(worker, "docx", mutate(base["docx"], ops))


@settings(SHORT, max_examples=5)
@given(ops=mutations)
def test_image_reader_on_mutated_png(worker, base, ops):
    assert check_reader(worker, "png", mutate(base["png"], ops))


@settings(SHORT, max_examples=60)
@given(text=texts, document_date=doc_dates)
def test_deadline_parsers_on_any_text(text, document_date):
    check_deadline(text, document_date)


def test_deadline_parser_still_reads_a_date():
    """The fuzzed parser is the working one: a plain phrase still gives its date."""
    from extractors.obligations.deadlines import parse_deadline
    assert parse_deadline("trước ngày 31/12/2024").due == dt.date(2024, 12, 31)


@settings(SHORT, max_examples=60)
@given(text=texts)
def test_header_parser_on_any_text(text):
    check_header(text)


@settings(SHORT, max_examples=150)
@given(text=texts)
def test_query_parser_on_any_text(text):
    check_query(text)


def test_campaign_counts_inputs_and_crashes():
    tally = campaign("query", 15)
    assert tally.tried == 15 and tally.crashes == {}


def test_reading_order_moves_on_past_a_line_whose_pieces_overlap():
    """Found by scripts/fuzz.py (one byte of a sample PDF zeroed): a line whose two pieces
    overlap crosses its own column split, and reading_order looped for ever."""
    from extractors.reading.layout import Char, Line, Piece, reading_order

    def piece(x0, x1, top, text):
        return Piece([Char(text, x0, top, x1, top + 10, top + 8, 10.0)], text)
    wide, inside, after = piece(0, 100, 0, "a"), piece(50, 60, 0, "b"), piece(0, 40, 20, "c")
    out = reading_order([Line([wide, inside]), Line([after])])
    assert [p.text for p in out] == ["a", "b", "c"]
