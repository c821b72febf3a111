"""Reading any directive file into one typed Document (text layer, OCR, tables).

    read_document(path, *, ocr="auto", tables=True, workers=None, timeout=120) -> Document

The file's real type comes from its first bytes, not its name.  Bad input (empty,
corrupt, encrypted, unsupported, unreadable) gives a Document with status "failed" and one
ReadError naming the reason; it never raises.  A page whose text layer fails the
Vietnamese-syllable test is OCR'd (extractors.reading.ocr) when OCR is available.
"""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Literal, Optional

from extractors.types import Document, Page, ReadError, Table

# Each reader is imported when a file of its kind comes: pdf.py brings pypdfium2 and pdfplumber,
# images.py Pillow and the OCR (OpenCV, pytesseract), docx.py python-docx.

__all__ = ["read_document", "sniff", "OcrMode", "ACCEPTED_SUFFIXES", "accepts"]

OcrMode = Literal["auto", "always", "never"]

# What read_document reads, by the kind sniffed from the first bytes, and the file names those
# kinds go by.  The reader decides by content; the names are for picking documents out of a
# folder (`chidao ingest FOLDER`) and for the web's upload form.
READABLE_KINDS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "tiff": (".tif", ".tiff"),
}
ACCEPTED_SUFFIXES: tuple[str, ...] = tuple(s for names in READABLE_KINDS.values() for s in names)


def accepts(name: str | Path) -> bool:
    """The file name is one of a kind the reader reads (.pdf, .docx, .png, .jpg/.jpeg, .tif/.tiff)."""
    return Path(name).suffix.lower() in ACCEPTED_SUFFIXES

_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"PK\x03\x04", "zip"),
    (b"GIF8", "gif"),
    (b"BM", "bmp"),
    (b"RIFF", "riff"),
]


def sniff(head: bytes) -> str:
    """'pdf', 'png', 'jpeg', 'tiff', 'zip', 'ole', ... or 'unknown', from the first bytes."""
    # The PDF header may follow some junk (the spec tolerates it within the first 1 KiB).
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "riff" and head[8:12] != b"WEBP":
                return "unknown"
            return "webp" if kind == "riff" else kind
    return "unknown"


def _failed(doc: Document, code: str, message: str) -> Document:
    doc.status = "failed"
    doc.errors.append(ReadError(code=code, message=message))
    return doc


def _digest(path: Path) -> tuple[str, int, bytes]:
    h = hashlib.sha256()
    size = 0
    head = b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            if not head:
                head = chunk[:4096]
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size, head


def read_document(path: str | Path, *, ocr: OcrMode = "auto", tables: bool = True,
                  workers: Optional[int] = None, timeout: float = 120, max_pages: Optional[int] = None) -> Document:
    """Read a PDF, DOCX or PNG/JPEG/TIFF scan into a Document.  Never raises on bad input.

    ocr: "auto" OCRs the pages whose text layer fails the quality test, "always" every PDF
    page, "never" none (those pages are reported in a "needs-ocr" error).
    tables: find ruled tables on digital pages (and ask the OCR for scanned ones).
    workers, timeout: OCR processes and the time budget per OCR'd page, in seconds.
    max_pages: read at most this many pages of a PDF (the rest is reported, status partial).
    """
    p = Path(path)
    doc = Document(path=str(p), source_file=p.name)
    if not p.exists():
        return _failed(doc, "not-found", "file not found")
    if p.is_dir():
        return _failed(doc, "not-a-file", "is a directory, not a file")
    try:
        doc.sha256, doc.size, head = _digest(p)
    except OSError as exc:
        return _failed(doc, "unreadable", f"cannot read the file ({exc.strerror or exc})")
    if doc.size == 0:
        return _failed(doc, "empty-file", "empty file (0 bytes)")
    kind = sniff(head)
    if kind == "pdf":
        doc.kind = "pdf"
        from extractors.reading.pdf import read_pdf
        read_pdf(p, doc, ocr=ocr, tables=tables, workers=workers, timeout=timeout, max_pages=max_pages)
    elif kind in ("png", "jpeg", "tiff"):
        doc.kind = "image"
        from extractors.reading.images import read_image
        read_image(p, doc, workers=workers, timeout=timeout, tables=tables)
    elif kind == "zip":
        if not _is_docx(p) and _cut_short_docx(p, head):
            return _failed(doc, "corrupt-docx", "truncated DOCX (a ZIP whose end, the central directory, is "
                                                "missing: the copy may be unfinished)")
        if not _is_docx(p):
            return _failed(doc, "unsupported-format",
                           "a ZIP archive that is not a Word .docx document (no word/document.xml)")
        doc.kind = "docx"
        from extractors.reading.docx import read_docx
        read_docx(p, doc)
    elif kind == "ole":
        return _failed(doc, "unsupported-format",
                       "an old Word/Excel (OLE) file; save it as DOCX or PDF first")
    elif kind in ("gif", "bmp", "webp"):
        return _failed(doc, "unsupported-format", f"a {kind.upper()} image; scans must be PNG, JPEG or TIFF")
    else:
        said = p.suffix.lower().lstrip(".")
        what = f"named .{said} but its content is not {said.upper()}" if accepts(p) else "not a PDF, DOCX or PNG/JPEG/TIFF file"
        return _failed(doc, "not-a-pdf" if said == "pdf" else "unsupported-format", what)
    finish(doc)
    return doc


def _is_docx(p: Path) -> bool:
    try:
        with zipfile.ZipFile(p) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


# An OOXML package's own entries: a local header naming one of them is a Word file's start.
_OOXML_NAMES = (b"[Content_Types].xml", b"_rels/", b"word/", b"docProps/", b"customXml/")


def _cut_short_docx(p: Path, head: bytes) -> bool:
    """A DOCX cut before its central directory (as a slow network copy leaves it): a ZIP local
    header at the start, no end-of-central-directory record in the file's last 64 KiB, and the
    name says .docx or the first entry is one of a Word package's.  Such a file may be whole
    later, so it is reported as corrupt-docx (retried by the intake), not as another format."""
    try:
        with open(p, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - (1 << 16) - 22))
            if b"PK\x05\x06" in f.read():
                return False
    except OSError:
        return False
    name_len = int.from_bytes(head[26:28], "little") if len(head) >= 30 else 0
    first = head[30:30 + name_len]
    return p.suffix.lower() == ".docx" or first.startswith(_OOXML_NAMES)


def finish(doc: Document) -> Document:
    """Status from the pages and errors: failed when nothing was read, partial when some
    page or step failed, else ok."""
    if doc.status == "failed":
        return doc
    has_text = any(b.text.strip() for pg in doc.pages for b in pg.blocks) or any(doc.tables)
    if not doc.pages or (not has_text and doc.errors):
        doc.status = "failed"
        if not doc.errors:
            doc.errors.append(ReadError(code="no-pages", message="the document has no pages"))
    elif doc.errors:
        doc.status = "partial"
    else:
        doc.status = "ok"
    return doc
