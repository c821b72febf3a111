"""The pipeline definition (extractors/pipeline.py): one ordered list of typed stages, its
extension point, the bad-input verdict and the fingerprint of the code."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractors.pipeline import (
    PIPELINE, BadInput, Options, Pipeline, code_fingerprint, reading_verdict,
)
from extractors.reading import ACCEPTED_SUFFIXES, accepts
from extractors.types import Block, Directive, Document, Extraction, Page, ReadError


def other_structure(document: Document, options: Options) -> Directive:
    return Directive(document=document)


def another_structure(document: Document, options: Options) -> Directive:
    return Directive(document=document, programme="x")


def test_the_stages_in_order_each_taking_what_the_previous_gives():
    assert PIPELINE.names == ["read", "structure", "obligations"]
    assert [(s.takes, s.gives) for s in PIPELINE.stages] == [
        (Path, Document), (Document, Directive), (Directive, Extraction)]
    with pytest.raises(TypeError, match="'obligations' takes Directive, 'read' gives Document"):
        Pipeline((PIPELINE["read"], PIPELINE["obligations"]))
    with pytest.raises(KeyError, match="no stage 'ocr'"):
        PIPELINE["ocr"]


def test_replace_swaps_one_stage_and_changes_the_fingerprint():
    swapped = PIPELINE.replace("structure", other_structure)
    assert swapped.names == PIPELINE.names and swapped["structure"].run is other_structure
    assert swapped["read"] == PIPELINE["read"] and PIPELINE["structure"].run.__name__ == "structure"
    assert swapped.fingerprint() != PIPELINE.fingerprint()
    assert swapped.fingerprint() == PIPELINE.replace("structure", other_structure).fingerprint()
    assert PIPELINE.replace("structure", another_structure).fingerprint() != swapped.fingerprint()
    assert PIPELINE.replace("structure", other_structure, timeout=5)["structure"].timeout == 5


def test_code_fingerprint_follows_the_extractors_and_the_corpora_data(tmp_path):
    root = tmp_path / "v1"
    (root / "extractors" / "reading").mkdir(parents=True)
    (root / "corpora" / "samples").mkdir(parents=True)
    (root / "extractors" / "reading" / "pdf.py").write_text("A = 1\n")
    (root / "corpora" / "units.jsonl").write_text('{"name": "Sở Tư pháp"}\n')
    first = code_fingerprint(root)
    assert len(first) == 64 and code_fingerprint(root) == first

    def changed(edit) -> str:
        other = tmp_path / f"v{len(list(tmp_path.iterdir())) + 1}"
        shutil.copytree(root, other)
        edit(other)
        return code_fingerprint(other)

    assert changed(lambda r: (r / "extractors" / "reading" / "pdf.py").write_text("A = 2\n")) != first
    assert changed(lambda r: (r / "corpora" / "units.jsonl").write_text('{"name": "Sở Y tế"}\n')) != first
    assert changed(lambda r: (r / "extractors" / "new.py").write_text("")) != first
    # the OCR's models (post-correction, handwritten digits) change what is read
    assert changed(lambda r: (r / "corpora" / "lm").mkdir() or (r / "corpora" / "lm" / "s.csv").write_text("a,1\n")) != first
    assert changed(lambda r: (r / "corpora" / "digits").mkdir() or (r / "corpora" / "digits" / "d.npz").write_bytes(b"PK")) != first
    # what the extractors do not run: no change
    assert changed(lambda r: (r / "extractors" / "README.md").write_text("notes")) == first
    assert changed(lambda r: (r / "corpora" / "samples" / "x.pdf").write_bytes(b"%PDF")) == first


def _doc(status="ok", texts=("Chỉ thị",), errors=()) -> Document:
    page = Page(number=1, blocks=[Block(text=t, page=1) for t in texts])
    return Document(path="a.pdf", source_file="a.pdf", status=status, pages=[page],
                    errors=[ReadError(code=c, message=m) for c, m in errors])


def test_reading_verdict_names_bad_input_in_the_clerks_words():
    assert reading_verdict(_doc()) is None
    assert reading_verdict(_doc(status="partial", errors=[("ocr-timeout", "page 2")])) is None
    assert reading_verdict(_doc(status="failed", texts=(), errors=[("encrypted", "encrypted PDF")])) == BadInput(
        "encrypted", "PDF có mật khẩu; hãy xin bản không đặt mật khẩu (hoặc gỡ mật khẩu) rồi nộp lại")
    assert reading_verdict(_doc(texts=("  ",))) == BadInput(
        "no-text", "không có chữ nào đọc được (trang trắng hoặc ảnh quá mờ); hãy quét lại rõ hơn (300 dpi) rồi nộp lại")
    odd = reading_verdict(_doc(status="failed", texts=(), errors=[("new-code", "something new")]))
    assert odd == BadInput("new-code", "không đọc được tệp (something new); hãy kiểm tra tệp rồi nộp lại")


def test_one_list_of_accepted_file_types_from_the_reader():
    assert ACCEPTED_SUFFIXES == (".pdf", ".docx", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
    assert accepts("QĐ 06.PDF") and accepts(Path("scan.TIFF"))
    assert not any(accepts(f"x{s}") for s in (".bmp", ".webp", ".doc", ".gif", ".txt", ""))

