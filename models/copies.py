"""One directive, several copies: which stored document a new file is a copy of, and which copy
is the best source of the obligations.  Pure rules first (no database), then the register's
queries (models.register calls them while it stores a file).

Two files are the same directive when
- their headers agree: the same number, date and issuer all known on both (and the same type
  when both have one); or
- nothing in their headers disagrees (a field known on both sides is equal: a draft's blank
  number or an unread handwritten date disagrees with nothing) and their texts are at least
  SAME_TEXT similar.
A different number, date, issuer or type always means a different directive, however alike the
texts (a monthly report and next month's; a Party directive "08-CT/TU" of another term).

Text similarity is the Jaccard index of the two texts' sets of 2-syllable shingles (most
Vietnamese words are two syllables), on text folded to lower case without diacritics (OCR mostly
loses or misplaces tone marks): an OCR slip costs the two shingles around it, a block read in
another order (the header's two columns, a table's repeated header row) the shingles at its
edges.  Measured on whole texts: a scan and its born-digital copy 0.98-1.0 (the evaluation set),
0.95 (a noisy, skewed sample scan and its DOCX), 0.965 (a sample Party directive and its scan), a
DOCX and its PDF 0.975-0.98; different directives: the corpus's Lâm Đồng plan for 2026 and its
plan for 2026-2030 0.84, its two monthly reports 0.66, two directives of one programme 0.15-0.3.
(3-syllable shingles gave the scan 0.92 and the plans 0.81: less room on both sides of 0.9.)

It is estimated from a bottom-k sketch (the SKETCH_SIZE smallest 32-bit shingle hashes;
standard error ~0.013 at 0.9) stored with each document, so checking a new file never reads
another document's text: candidates come from the index of the number, and from `copy_bands`
(locality-sensitive band keys of each text: see `_bands`).  What it costs: bench/bench_copies.py.

The best copy gives the obligations: a born-digital PDF before a DOCX before a scan or a photo;
among equals, one with a number before a draft; then the later one.
"""
from __future__ import annotations

import base64
import hashlib
import heapq
import re
import struct
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import datetime as dt

    from extractors.types import Document as XDocument

SAME_TEXT = 0.9
SHINGLE = 2            # syllables per shingle (most Vietnamese words are two syllables)
SKETCH_SIZE = 512      # hashes kept per document
BANDS, BAND_ROWS = 12, 5   # band keys indexed per document, bucket minima per band
MIN_SHINGLES = 20      # below this a text says too little to call two files the same

# How a copy's text was obtained, best first (documents.copy_kind).
COPY_KINDS = ("digital", "docx", "scan")
_KIND_RANK = {"digital": 3, "docx": 2, "scan": 1}
# In the clerk's words.
COPY_KIND_VI = {"digital": "bản điện tử (PDF)", "docx": "bản Word (DOCX)", "scan": "bản quét/ảnh"}


# ---------------------------------------------------------------- what kind of copy

def copy_kind_of(document: "XDocument") -> Optional[str]:
    """digital | docx | scan for a read document (None when nothing was read): a PDF whose pages
    were mostly read by OCR (no text layer, or one rejected as garbled) is a scan."""
    if document.kind == "docx":
        return "docx"
    if document.kind == "image":
        return "scan"
    if document.kind != "pdf" or not document.pages:
        return None
    ocr = sum(1 for p in document.pages if p.source == "ocr")
    return "scan" if ocr * 2 > len(document.pages) else "digital"


def stored_copy_kind(copy_kind: Optional[str], kind: Optional[str]) -> str:
    """A stored row's copy kind; rows stored before copies were told apart have none: a PDF
    then counts as born-digital, so that nothing stored before is displaced by a scan."""
    if copy_kind in _KIND_RANK:
        return copy_kind
    return {"docx": "docx", "image": "scan"}.get(kind or "", "digital")


def copy_rank(copy_kind: Optional[str], kind: Optional[str], has_number: bool) -> tuple[int, int]:
    """Higher is better.  Ties go to the later copy (the caller's rule)."""
    return _KIND_RANK[stored_copy_kind(copy_kind, kind)], int(bool(has_number))


# ---------------------------------------------------------------- text similarity

_TERM_RE = re.compile(r"[^\W_]+")
_MARKS = re.compile("[\u0300-\u036f]+")


def text_terms(text: str) -> list[str]:
    """The syllables of TEXT as compared: lower case, diacritics folded (so tone placement does
    not matter either), punctuation dropped."""
    t = _MARKS.sub("", unicodedata.normalize("NFD", text or "")).replace("đ", "d").replace("Đ", "D")
    return _TERM_RE.findall(t.casefold())


_K1, _K2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9


def _hash_array(text: str):
    """Sorted distinct 32-bit hashes (numpy uint64) of the text's SHINGLE-syllable shingles: each
    distinct syllable hashed once (blake2b), a shingle's hash mixed from its syllables' with
    wrapping multiply-xor (top 32 bits), vectorised."""
    import numpy as np

    terms = text_terms(text)
    if len(terms) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    b2 = hashlib.blake2b
    th = {w: int.from_bytes(b2(w.encode(), digest_size=8).digest(), "big") for w in set(terms)}
    hs = np.fromiter((th[w] for w in terms), dtype=np.uint64, count=len(terms))
    n = len(hs) - SHINGLE + 1
    h = hs[:n].copy()
    with np.errstate(over="ignore"):
        for j in range(1, SHINGLE):
            h = (h * np.uint64(_K1)) ^ hs[j:j + n]
        h = (h * np.uint64(_K2)) >> np.uint64(32)
    return np.unique(h)


def shingle_hashes(text: str) -> set[int]:
    return {int(x) for x in _hash_array(text)}


def _bands(hashes) -> tuple[int, ...]:
    """BANDS keys of BAND_ROWS bucket minima each (one-permutation MinHash: the hash space cut
    into BANDS x BAND_ROWS buckets, the smallest hash of each; two texts share a bucket's minimum
    with probability ~ their Jaccard index J, a whole band with ~ J ** BAND_ROWS): texts 0.9
    alike share a band with probability 0.99998, two directives of one province (~0.25 alike)
    0.01, (~0.35 alike) 0.06."""
    import numpy as np

    buckets = BANDS * BAND_ROWS
    mins = np.full(buckets, 1 << 32, dtype=np.uint64)
    np.minimum.at(mins, (hashes % np.uint64(buckets)).astype(np.intp), hashes // np.uint64(buckets))
    out = []
    for b in range(BANDS):
        rows = mins[b * BAND_ROWS:(b + 1) * BAND_ROWS].astype(">u8").tobytes()
        out.append(int.from_bytes(hashlib.blake2b(bytes([b]) + rows, digest_size=8).digest(), "big") >> 1)
    return tuple(out)


@dataclass(frozen=True)
class Sketch:
    """The SKETCH_SIZE smallest shingle hashes of a text (all of them for a short text) and its
    band keys (indexed in `copy_bands`: the stored texts that may be alike)."""
    hashes: tuple[int, ...]      # sorted
    total: int                   # distinct shingles in the text
    bands: tuple[int, ...] = ()

    @property
    def usable(self) -> bool:
        return self.total >= MIN_SHINGLES

    def encode(self) -> Optional[str]:
        if not self.hashes:
            return None
        return f"{self.total}:" + base64.b64encode(struct.pack(f">{len(self.hashes)}I", *self.hashes)).decode()

    @classmethod
    def decode(cls, value: Optional[str]) -> Optional["Sketch"]:
        if not value:
            return None
        total, _, data = value.partition(":")
        raw = base64.b64decode(data)
        return cls(struct.unpack(f">{len(raw) // 4}I", raw), int(total))


def text_sketch(text: str) -> Sketch:
    hashes = _hash_array(text)
    if len(hashes) < MIN_SHINGLES:
        return Sketch(tuple(int(x) for x in hashes), len(hashes))
    return Sketch(tuple(int(x) for x in hashes[:SKETCH_SIZE]), len(hashes), _bands(hashes))


def similarity(a: Sketch, b: Sketch) -> float:
    """Estimated Jaccard index of the two texts' shingle sets: of the k smallest hashes of the
    union, the share found in both.  Every one of them is at most either sketch's largest hash,
    so "in A" is read off A's sketch exactly; exact when both texts have fewer than k shingles."""
    if not a.hashes or not b.hashes:
        return 0.0
    sa, sb = set(a.hashes), set(b.hashes)
    union_k = heapq.nsmallest(SKETCH_SIZE, sa | sb)
    return sum(1 for h in union_k if h in sa and h in sb) / len(union_k)


# ---------------------------------------------------------------- header identity

def _fold(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    return " ".join(text_terms(value)) or None


@dataclass(frozen=True)
class Identity:
    """The header fields that name a directive, as compared (keys, not the printed values)."""
    number_key: Optional[str] = None
    issued_on: Optional["dt.date"] = None
    issuer: Optional[str] = None
    type: Optional[str] = None
    title: Optional[str] = None

    @classmethod
    def of(cls, *, number_key: Optional[str], issued_on, issuer: Optional[str], type: Optional[str],
           title: Optional[str] = None) -> "Identity":
        return cls(number_key or None, issued_on, _fold(issuer), _fold(type), _fold(title))

    @classmethod
    def of_row(cls, row) -> "Identity":
        return cls.of(number_key=row.number_key, issued_on=row.issued_on, issuer=row.issuer, type=row.type,
                      title=row.title)

    def conflicts(self, other: "Identity") -> Optional[str]:
        """The first field known on both sides with different values, or None."""
        for name in ("number_key", "issued_on", "issuer", "type"):
            a, b = getattr(self, name), getattr(other, name)
            if a is not None and b is not None and a != b:
                return name
        return None

    def same_header(self, other: "Identity") -> bool:
        """Number, date and issuer known on both sides and equal (and no other field differs)."""
        return (self.number_key is not None and self.issued_on is not None and self.issuer is not None
                and self.conflicts(other) is None
                and (self.number_key, self.issued_on, self.issuer) == (other.number_key, other.issued_on, other.issuer))

    def same_title(self, other: "Identity") -> bool:
        """Before text sketches (rows stored earlier): a directive without a number matched on
        issuer, date and title, all known."""
        return (self.number_key is None and other.number_key is None and self.conflicts(other) is None
                and None not in (self.issuer, self.issued_on, self.title) and self.title == other.title
                and self.issued_on == other.issued_on and self.issuer == other.issuer)


@dataclass
class Match:
    """The stored document a new file is a copy of (`head`: the family's first row, version_of
    null) and how it was found."""
    head: object                 # models.tables.Document
    how: str                     # header | text | title
    similarity: Optional[float] = None



def same_directive(new: Identity, new_sketch: Optional[Sketch], old: Identity, old_sketch: Optional[Sketch]
                   ) -> tuple[bool, str, Optional[float]]:
    """(same, how, similarity) for two copies, by the rules in the module docstring."""
    if new.conflicts(old):
        return False, "", None
    if new.same_header(old):
        return True, "header", None
    if new_sketch is not None and old_sketch is not None and new_sketch.usable and old_sketch.usable:
        s = similarity(new_sketch, old_sketch)
        return s >= SAME_TEXT, "text", s
    if new.same_title(old):
        return True, "title", None
    return False, "", None


# ---------------------------------------------------------------- the register's queries

def lock_copies(session) -> None:
    """Serialise "is this a copy?" and the insert that follows across writers (two copies of one
    directive ingested at once must not both become documents).  Held until the commit."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7316240502)"))
    else:
        # A write, even of no row, takes SQLite's write lock for the transaction.
        session.execute(text("UPDATE copy_bands SET band = band WHERE 1 = 0"))


def write_bands(session, document_id: str, sketch: Optional[Sketch], *, fresh: bool = False) -> None:
    from sqlalchemy import delete

    from models.tables import CopyBand

    if not fresh:
        session.execute(delete(CopyBand).where(CopyBand.document_id == document_id))
    if sketch is not None and sketch.usable and sketch.bands:
        session.connection().execute(CopyBand.__table__.insert(),
                                     [{"band": b, "document_id": document_id} for b in set(sketch.bands)])


def find_copy(session, *, identity: Identity, sketch: Optional[Sketch], exclude_id: str) -> Optional[Match]:
    """The stored directive (its head row) the new file is a copy of, or None.  Reads the rows
    that share the number (index), the rows that share a band of the text's sketch (index), and,
    for the rule before sketches, the rows of the same date without a number (index): only the
    columns compared, the head of the one that matches as a whole row."""
    from sqlalchemy import or_, select

    from models.tables import DONE_STATUSES, CopyBand, Document

    which = []
    if identity.number_key:
        which.append(Document.number_key == identity.number_key)
    if sketch is not None and sketch.usable and sketch.bands:
        which.append(Document.id.in_(select(CopyBand.document_id).where(CopyBand.band.in_(list(sketch.bands)))))
    if identity.number_key is None and identity.issued_on is not None:
        which.append((Document.issued_on == identity.issued_on) & Document.number_key.is_(None))
    if not which:
        return None
    cols = (Document.id, Document.version_of, Document.number_key, Document.issued_on, Document.issuer, Document.type,
            Document.title, Document.text_sketch, Document.ingested_at)
    rows = session.execute(select(*cols).where(or_(*which), Document.status.in_(DONE_STATUSES),
                                               Document.id != exclude_id)).all()
    if not rows:
        return None
    known = {r.id: r for r in rows}
    need = {r.version_of for r in rows if r.version_of and r.version_of not in known}
    if need:
        known.update({r.id: r for r in session.execute(select(*cols).where(Document.id.in_(need))).all()})
    best: Optional[tuple[tuple, str]] = None
    for r in sorted(rows, key=lambda r: r.ingested_at):
        head = known.get(r.version_of or r.id)
        if head is None:
            continue
        same, how, sim = same_directive(identity, sketch, Identity.of_row(r), Sketch.decode(r.text_sketch))
        if not same or (head is not r and Identity.of_row(head).conflicts(identity)):
            continue
        strength = ({"header": 2, "text": 1}.get(how, 0), sim or 0.0)
        if best is None or strength > best[0][:2]:   # the first stored wins a tie
            best = ((*strength, how, sim), head.id)
    if best is None:
        return None
    (_, _, how, sim), head_id = best
    return Match(session.get(Document, head_id), how, sim)


@dataclass
class CopyOf:
    """A file stored as a copy of a directive already in the register (IngestOutcome.copy)."""
    document_id: str             # the document (its head row) after this file was stored
    label: str                   # the document as a clerk names it (describe)
    source_file: str             # the copy the obligations come from
    source_kind: str             # digital | docx | scan
    promoted: bool = False       # this file became the source
    previous_file: str = ""      # promoted: the copy that was the source before
    previous_kind: str = ""
    how: str = ""                # header | text | title
    similarity: Optional[float] = None


def copy_line(copy: CopyOf, *, obligations: int, show: str) -> str:
    """What `chidao ingest` tells the clerk about a file that is a copy (Vietnamese, one line;
    SHOW: the command that shows the document)."""
    found = {"header": "cùng số, ngày và cơ quan ban hành",
             "title": "cùng cơ quan ban hành, ngày và trích yếu"}.get(
        copy.how, f"nội dung giống {copy.similarity:.0%}" if copy.similarity is not None else "nội dung giống")
    head = f"bản sao của văn bản đã có: {copy.label} ({found})"
    if not copy.promoted:
        return (f"{head}; {obligations} nghĩa vụ vẫn lấy từ {COPY_KIND_VI[copy.source_kind]} {copy.source_file}, "
                f"bản này chỉ được lưu kèm, không thêm nghĩa vụ; xem: {show}")
    why = (f"cùng loại với {copy.previous_file} nhưng nhận sau" if copy.source_kind == copy.previous_kind
           else f"tốt hơn {COPY_KIND_VI.get(copy.previous_kind, copy.previous_kind)} {copy.previous_file}")
    return (f"{head}; bản này là {COPY_KIND_VI[copy.source_kind]}, {why}, nên từ nay {obligations} nghĩa vụ lấy từ "
            f"{copy.source_file} (mã văn bản nay là {copy.document_id}); trạng thái, ghi chú và chỉnh sửa của cán bộ "
            f"được giữ; xem: {show}")


def family(session, head_id: str) -> list:
    """The document HEAD_ID and its copies, the head first, then oldest first."""
    from sqlalchemy import or_, select

    from models.tables import Document

    rows = list(session.execute(select(Document).where(or_(Document.id == head_id, Document.version_of == head_id))
                                .order_by(Document.ingested_at, Document.id)).scalars())
    return sorted(rows, key=lambda d: d.id != head_id)


def describe(doc) -> str:
    """A document as a clerk names it: type and number, else its title, else its file."""
    kind = doc.type or "Văn bản"
    if doc.number:
        return f"{kind} {doc.number}"
    if doc.title:
        t = doc.title if len(doc.title) <= 60 else doc.title[:57].rstrip() + "…"
        return f"{kind} “{t}”"
    return doc.source_file


def kind_label(doc) -> str:
    return COPY_KIND_VI[stored_copy_kind(getattr(doc, "copy_kind", None), getattr(doc, "kind", None))]
