"""The typed objects at the seams: Document (reading) -> Directive (structure) -> Obligations.

These are the contract between folders.  Add fields freely; rename or remove none without
updating every stage.  Pydantic so that `chidao text --json` and the register can dump them.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, Field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points (top-left origin)
Source = Literal["text", "ocr", "docx", "none"]
Status = Literal["ok", "partial", "failed"]


# ---------------------------------------------------------------- reading

class ReadError(BaseModel):
    """Something that went wrong with the input (not a bug): recorded, never raised."""
    code: str                      # e.g. "empty-file", "encrypted", "not-a-pdf", "ocr-timeout"
    message: str                   # one human line
    page: Optional[int] = None     # 1-based, when the problem is one page


class Block(BaseModel):
    """A line or paragraph of text in reading order."""
    text: str
    page: int                      # 1-based
    bbox: Optional[BBox] = None
    kind: Literal["line", "paragraph"] = "line"
    bold: Optional[bool] = None
    italic: Optional[bool] = None
    size: Optional[float] = None
    source: Source = "text"
    confidence: Optional[float] = None   # OCR mean word confidence 0..100
    in_table: bool = False               # the text also lives in a Table cell
    ocr_text: Optional[str] = None       # what Tesseract read, when post-correction changed it


class Cell(BaseModel):
    text: str
    bbox: Optional[BBox] = None
    page: int = 1
    col: int = 0
    colspan: int = 1


class Row(BaseModel):
    cells: list[Cell]
    page: int = 1
    pages: list[int] = Field(default_factory=list)  # more than one when a row continues on the next page

    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


class Table(BaseModel):
    """One logical table: repeated page headers dropped, continued rows joined."""
    rows: list[Row]
    header: list[str] = Field(default_factory=list)  # header cell texts (first header row), normalised
    page_start: int = 1
    page_end: int = 1
    bbox: Optional[BBox] = None      # on page_start
    source: Source = "text"


class FieldRead(BaseModel):
    """A header field of a scan read again from its own image region (handwritten or stamped digits)."""
    field: Literal["number", "day", "month"]
    value: Optional[str] = None        # the digits the readings agreed on; None: unreadable or blank
    confidence: float = 0.0            # agreement x mean word confidence, 0..1
    page_read: str = ""                # what the page's OCR had read there
    reads: list[str] = Field(default_factory=list)   # what each reading gave ("" = nothing)
    read_by: list[str] = Field(default_factory=list) # the recogniser of each reading (vie, eng, shapes)
    shape_confidence: float = 0.0      # the digit-shape network's least sure digit (its reading is last)
    # reads: Tesseract's readings agreed; long-ones: they agreed once a hand's long-stroke 1 read as
    # 4 or 7 is counted; shapes: the digit-shape network, sure and not contradicted by Tesseract;
    # signature: the readings' day chosen by the signing time
    basis: Literal["reads", "long-ones", "shapes", "signature"] = "reads"


class Page(BaseModel):
    number: int                      # 1-based
    width: float = 0.0
    height: float = 0.0
    source: Source = "text"
    text_quality: Optional[float] = None   # share of valid Vietnamese syllables in the text layer
    ocr_confidence: Optional[float] = None
    blocks: list[Block] = Field(default_factory=list)
    # Reading stage additions: why the text layer was rejected ("no-diacritics", ...), and
    # text drawn over the page at an angle (incoming-mail stamps, handwritten notes), kept
    # out of reading order.
    text_layer_issue: Optional[str] = None
    overlays: list[Block] = Field(default_factory=list)
    field_reads: list[FieldRead] = Field(default_factory=list)   # header digits re-read (OCR'd pages)

    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


class Signature(BaseModel):
    """A digital-signature box drawn on a page (`Ký bởi: … Cơ quan: … Thời gian ký: …`): furniture,
    not content, but it says who signed and when (the signing time can confirm a date)."""
    signed_by: Optional[str] = None
    organisation: Optional[str] = None
    signed_at: Optional[dt.datetime] = None
    is_copy: bool = False              # `SAO Y`: a copy signed by the office that copied it
    page: int = 1
    bbox: Optional[BBox] = None
    raw: str = ""                      # the box's lines, joined by " / "


class Document(BaseModel):
    path: str
    source_file: str
    sha256: str = ""
    size: int = 0
    kind: Literal["pdf", "image", "docx", "unknown"] = "unknown"
    status: Status = "ok"
    errors: list[ReadError] = Field(default_factory=list)
    pages: list[Page] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    metadata: dict[str, str] = Field(default_factory=dict)
    signatures: list[Signature] = Field(default_factory=list)   # digital-signature boxes, in page order

    def text(self) -> str:
        """Reading-order text, pages separated by form feeds."""
        return "\f".join(p.text() for p in self.pages)

    @property
    def page_count(self) -> int:
        return len(self.pages)


# ---------------------------------------------------------------- structure

SectionRole = Literal[
    "purpose", "scope", "targets", "tasks", "organisation", "funding", "background", "preamble",
    "articles", "appendix", "closing", "other",
]


class Paragraph(BaseModel):
    text: str                      # line wraps and hyphenation undone, whitespace collapsed
    page: int
    bbox: Optional[BBox] = None
    role: Optional[str] = None     # on Directive.root paragraphs: "preamble" or "closing"
    confidence: Optional[float] = None   # OCR mean word confidence 0..100 of its lines; None: no OCR line


class Section(BaseModel):
    """A node of the section tree.  `path` is the number path: "III.2.a", "Điều 2", "PL.7"."""
    path: str = ""
    label: str = ""                # the marker as printed: "III.", "2.", "a)", "-", "Điều 2."
    kind: Literal["root", "part", "roman", "arabic", "letter", "paren", "bullet", "article", "appendix", "table_row",
                  "plan"] = "root"       # paren: "(1)", "(2)" items
    heading: str = ""              # text on the marker's line up to the first full stop / colon
    title: str = ""                # the bold lines that open the node, when it has a printed title
    text: str = ""                 # the node's own text (heading line + its paragraphs), joined
    page: int = 1
    role: SectionRole = "other"
    paragraphs: list[Paragraph] = Field(default_factory=list)
    children: list["Section"] = Field(default_factory=list)
    cells: dict[str, str] = Field(default_factory=dict)  # table_row: column role -> cell text ("task", "lead", "support", "output", "deadline", ...)
    group: Optional[str] = None    # table_row: the group row above it ("I. VỀ CÔNG TÁC CHỈ ĐẠO ...")
    table: Optional[int] = None    # table_row: index of its table in Document.tables (provenance)
    row: Optional[int] = None      # table_row: index of its first row in that table
    confidence: Optional[float] = None   # table_row: OCR mean word confidence 0..100 of its cells' lines

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


class Citation(BaseModel):
    number: str                    # normalised symbol: "06/QĐ-TTg"
    type: Optional[str] = None     # "Quyết định", "Công điện", ...
    issued_on: Optional[dt.date] = None
    issuer: Optional[str] = None
    relation: Literal["basis", "implements", "cites"] = "cites"
    title: Optional[str] = None    # "phê duyệt Đề án ..." when printed
    alias: Optional[str] = None    # "Đề án 06" from "(gọi tắt là Đề án 06)"
    raw: str = ""
    page: Optional[int] = None
    printed: bool = True           # False when inferred (a programme named by title only)


class Header(BaseModel):
    issuer: Optional[str] = None           # expanded: "Ủy ban nhân dân tỉnh Bình Định"
    issuer_lines: list[str] = Field(default_factory=list)
    parent_body: Optional[str] = None
    motto: Optional[Literal["state", "party"]] = None
    number: Optional[str] = None           # "08-CT/TU", null when blank
    type: Optional[str] = None             # "Chỉ thị", ... "Tin bài", "Khác"
    type_code: Optional[str] = None
    place: Optional[str] = None
    issued_on: Optional[dt.date] = None
    title: Optional[str] = None            # trích yếu, one line
    signer: Optional[str] = None
    signer_authority: Optional[str] = None  # TM., KT., TL., TUQ., Q.
    signer_position: Optional[str] = None
    recipients: list[str] = Field(default_factory=list)
    urgency: Optional[str] = None          # HỎA TỐC, KHẨN, ...
    province: Optional[str] = None         # "Bình Định": resolves "tỉnh" in unit names
    addressees: list[str] = Field(default_factory=list)  # "Kính gửi:" list of a Công văn / Tờ trình
    signed_by: Optional[str] = None        # the issuer's digital signature box (Document.signatures)
    signed_at: Optional[dt.datetime] = None
    flags: list[str] = Field(default_factory=list)   # for the clerk: "number-unread", "date-unread"


class TaskTable(BaseModel):
    """Structure's reading of one table of Document.tables that assigns tasks: which column plays
    which role (corpora/table_columns.jsonl).  Its rows are Sections of kind "table_row" in the
    tree; the reading stage's Table is left as read."""
    table: int                     # index in Document.tables
    columns: dict[str, int] = Field(default_factory=dict)   # role -> column index: task, lead, support, deadline, ...
    prefix: str = "PL"             # path prefix of its rows ("PL", "PL2" when a second table restarts the numbering)
    page_start: int = 1
    page_end: int = 1


class Directive(BaseModel):
    document: Document
    header: Header = Field(default_factory=Header)
    root: Section = Field(default_factory=Section)
    citations: list[Citation] = Field(default_factory=list)
    aliases: dict[str, str] = Field(default_factory=dict)   # "Đề án 06" -> "06/QĐ-TTg"
    programme: Optional[str] = None                          # symbol of the programme implemented
    task_tables: list[TaskTable] = Field(default_factory=list)   # tables whose columns assign tasks
    approves: Optional[str] = None   # programme this document approves ("Đề án Xác định Chỉ số …" of "Phê duyệt Đề án …")
    errors: list[ReadError] = Field(default_factory=list)


# ---------------------------------------------------------------- obligations

Recurrence = Literal["ongoing", "weekly", "monthly", "quarterly", "halfyearly", "yearly"]


class Deadline(BaseModel):
    raw: str
    due: Optional[dt.date] = None
    recurrence: Optional[Recurrence] = None
    day: Optional[int] = None
    start: Optional[dt.date] = None     # "Từ tháng 01/2024 ..." (not exported)


class Target(BaseModel):
    raw: str
    value: float
    unit: str                           # "%", "count" or the counted noun as printed
    kind: Literal["target", "achieved"] = "target"
    subject: Optional[str] = None       # what is measured


class ConfidenceReason(BaseModel):
    """Why an obligation is less than certain (extractors/obligations/confidence.py)."""
    code: str                           # "ocr-low", "unit-from-heading", "unit-unknown", ...
    text: str                           # what a clerk reads: "chữ quét mờ (độ tin cậy OCR 61%)"


class Obligation(BaseModel):
    id: str = ""                        # stable: derived from document sha256 + ref + text
    ref: Optional[str] = None
    page: Optional[int] = None
    text: str
    lead_units: list[str] = Field(default_factory=list)
    support_units: list[str] = Field(default_factory=list)
    deadline: Optional[Deadline] = None
    targets: list[Target] = Field(default_factory=list)
    output: Optional[str] = None
    flags: list[str] = Field(default_factory=list)  # "no-unit", "deadline-before-document", "duplicate", "unknown-unit"
    section_role: Optional[str] = None
    bbox: Optional[BBox] = None
    confidence: Optional[float] = None  # 0..1: how sure the extraction is (1: nothing to doubt)
    confidence_reasons: list[ConfidenceReason] = Field(default_factory=list)   # what lowered it, worst first


class Extraction(BaseModel):
    """What extract_obligations returns for one directive."""
    obligations: list[Obligation] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)    # document-level figures (target and achieved)
