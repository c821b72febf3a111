"""Bad input gives a failed Document with one clear reason, never an exception."""
import pytest

import make_files
from extractors.reading import read_document


def _zero(p):
    p.write_bytes(b"")


def _truncated(p):
    make_files.text_pdf(p.with_suffix(".full"), pages=3)
    data = p.with_suffix(".full").read_bytes()
    p.write_bytes(data[: len(data) // 3])


def _garbage_pdf(p):
    p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)


def _html_named_pdf(p):
    p.write_text("<html><body>Chỉ thị số 08</body></html>", encoding="utf-8")


def _broken_png(p):
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)


def _broken_jpeg(p):
    p.write_bytes(b"\xff\xd8\xff\xe0" + b"nonsense" * 10)


def _zip_not_docx(p):
    import zipfile

    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "xin chào")


def _broken_docx(p):
    import zipfile

    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<not xml")


def _cut_docx(p):
    """A DOCX as a slow network copy leaves it: the first half, before the central directory."""
    make_files.sample_docx(p.with_suffix(".full"))
    data = p.with_suffix(".full").read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _cut_zip(p):
    import zipfile

    with zipfile.ZipFile(p.with_suffix(".full"), "w") as z:
        z.writestr("hello.txt", "xin chào " * 2000)
        z.writestr("other.txt", "tạm biệt " * 2000)
    data = p.with_suffix(".full").read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _ole_doc(p):
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)


CASES = [   # (file, how it is broken, code, message; {path} is the file's path)
    ("empty.pdf", _zero, "empty-file", "empty file (0 bytes)"),
    ("truncated.pdf", _truncated, "corrupt-pdf", "corrupt or truncated PDF (cannot be parsed)"),
    ("garbage.pdf", _garbage_pdf, "corrupt-pdf", "corrupt or truncated PDF (cannot be parsed)"),
    ("page.pdf", _html_named_pdf, "not-a-pdf", "named .pdf but its content is not PDF"),
    ("encrypted.pdf", lambda p: make_files.encrypted_pdf(p), "encrypted", "encrypted PDF (needs a password to open)"),
    ("nopages.pdf", lambda p: make_files.no_pages_pdf(p), "no-pages", "PDF has no pages (empty page tree)"),
    ("scan.png", _broken_png, "unreadable-image",
     "unreadable image (UnidentifiedImageError: cannot identify image file '{path}')"),
    ("photo.jpg", _broken_jpeg, "unreadable-image", "unreadable image (OSError: Truncated File Read)"),
    ("archive.docx", _zip_not_docx, "unsupported-format",
     "a ZIP archive that is not a Word .docx document (no word/document.xml)"),
    ("broken.docx", _broken_docx, "corrupt-docx",
     """corrupt DOCX (KeyError: "There is no item named '[Content_Types].xml' in the archive")"""),
    # cut before its central directory: retried by the intake, not "another format"
    ("cut.docx", _cut_docx, "corrupt-docx",
     "truncated DOCX (a ZIP whose end, the central directory, is missing: the copy may be unfinished)"),
    ("cut-unnamed", _cut_docx, "corrupt-docx",      # no suffix: the first entry is a Word package's
     "truncated DOCX (a ZIP whose end, the central directory, is missing: the copy may be unfinished)"),
    ("cut-archive.zip", _cut_zip, "unsupported-format",
     "a ZIP archive that is not a Word .docx document (no word/document.xml)"),
    ("old.doc", _ole_doc, "unsupported-format", "an old Word/Excel (OLE) file; save it as DOCX or PDF first"),
]


@pytest.mark.parametrize("name, make, code, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_a_failed_document(tmp_path, name, make, code, message):
    p = tmp_path / name
    make(p)
    doc = read_document(p)
    assert doc.status == "failed"
    assert [(e.code, e.message) for e in doc.errors] == [(code, message.format(path=p))]
    assert doc.source_file == name
    assert p.exists()   # the original is kept


@pytest.mark.parametrize("before", [c for c in CASES if c[0].endswith(".pdf")], ids=lambda c: c[0])
def test_verdict_does_not_depend_on_the_file_before(tmp_path, before):
    """pdfium's last-error code is sticky: the reason given for one file must not be the
    previous file's (in CI an empty page tree was reported as corrupt after a garbage PDF)."""
    name, make, _, _ = before
    make(tmp_path / name)
    read_document(tmp_path / name)
    p = tmp_path / "nopages-after.pdf"
    make_files.no_pages_pdf(p)
    assert [e.code for e in read_document(p).errors] == ["no-pages"]
    q = tmp_path / "garbage-after.pdf"
    _garbage_pdf(q)
    assert [e.code for e in read_document(q).errors] == ["corrupt-pdf"]


def test_missing_file_and_directory(tmp_path):
    assert [(e.code, e.message) for e in read_document(tmp_path / "nope.pdf").errors] == [("not-found", "file not found")]
    assert [(e.code, e.message) for e in read_document(tmp_path).errors] == [("not-a-file", "is a directory, not a file")]


def test_type_comes_from_content_not_name(tmp_path, files):
    p = tmp_path / "actually-a-pdf.docx"
    p.write_bytes(files["header"].read_bytes())
    doc = read_document(p, ocr="never")
    assert doc.kind == "pdf" and doc.status == "ok"


def test_batch_goes_on_after_bad_files(tmp_path, files):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    docs = [read_document(p, ocr="never") for p in (bad, files["header"], tmp_path / "missing.pdf", files["docx"])]
    assert [d.status for d in docs] == ["failed", "ok", "failed", "ok"]


def test_owner_password_only_pdf_is_read(tmp_path):
    """Permissions-only encryption (empty user password) is common on official PDFs."""
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    make_files._fonts()
    p = tmp_path / "restricted.pdf"
    c = canvas.Canvas(str(p), encrypt=pdfencrypt.StandardEncryption("", "owner-secret", canCopy=0))
    c.setFont("DejaVuSerif", 12)
    for k in range(6):
        c.drawString(70, 700 - 18 * k, "Các sở, ban, ngành tỉnh tập trung triển khai thực hiện nhiệm vụ được giao")
    c.showPage()
    c.save()
    doc = read_document(p, ocr="never")
    assert doc.status == "ok"
    assert doc.text() == "\n".join(["Các sở, ban, ngành tỉnh tập trung triển khai thực hiện nhiệm vụ được giao"] * 6)
