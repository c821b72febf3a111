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

Text similarity is the Jaccard index of the two texts' sets of 3-syllable shingles, on text
folded to lower case without diacritics (OCR mostly loses or misplaces tone marks): an OCR slip
costs the three shingles around it, not the whole document.  It is estimated from a bottom-k
sketch (the SKETCH_SIZE smallest 32-bit shingle hashes; standard error ~0.013 at 0.9), stored
with each document, so checking a new file never reads another document's text: candidates come
from `copy_anchors` (each document's ANCHORS smallest hashes, indexed), the header's number
from its index.  Measured (bench/bench_copies.py): a scan and its born-digital copy 0.98, the
corpus's two Lâm Đồng monthly reports 0.62, its plan for 2026 and its plan for 2026-2030 0.81.

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
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from extractors.text import fold_diacritics

if TYPE_CHECKING:
    import datetime as dt

    from extractors.types import Document as XDocument

SAME_TEXT = 0.9
SHINGLE = 2            # syllables per shingle (most Vietnamese words are two syllables)
SKETCH_SIZE = 512      # hashes kept per document
ANCHORS = 8            # of which indexed, to find candidates
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
_COMBINING = re.compile("[\u0300-\u036f]")
# Vietnamese letters folded by a table (the per-character NFD path is ~10x slower on 100 pages).
_FOLD = {}
for _cp in range(0x00C0, 0x1EFA):
    _c = chr(_cp)
    _f = fold_diacritics(_c)
    if _f != _c and len(_f) == 1:
        _FOLD[_cp] = _f
_FOLD.update({ord("đ"): "d", ord("Đ"): "D"})


def text_terms(text: str) -> list[str]:
    """The syllables of TEXT as compared: lower case, diacritics folded (so tone placement does
    not matter either), punctuation dropped."""
    t = unicodedata.normalize("NFC", text or "").translate(_FOLD)
    if _COMBINING.search(t):  # marks the table does not cover (rare letters)
        t = "".join(c for c in unicodedata.normalize("NFD", t) if not unicodedata.combining(c))
    return _TERM_RE.findall(t.casefold())


_M64 = (1 << 64) - 1
_K1, _K2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9


def shingle_hashes(text: str) -> set[int]:
    """32-bit hashes of the text's SHINGLE-syllable shingles: each distinct syllable hashed once
    (blake2b), a shingle's hash mixed from its syllables' (multiply-xor, top 32 bits): a third of
    the time of hashing every shingle's string."""
    terms = text_terms(text)
    if len(terms) < SHINGLE:
        return set()
    b2 = hashlib.blake2b
    th = {w: int.from_bytes(b2(w.encode(), digest_size=8).digest(), "big") for w in set(terms)}
    hs = [th[w] for w in terms]
    out = set()
    for i in range(len(hs) - SHINGLE + 1):
        h = hs[i]
        for j in range(1, SHINGLE):
            h = ((h * _K1) & _M64) ^ hs[i + j]
        out.add(((h * _K2) & _M64) >> 32)
    return out


@dataclass(frozen=True)
class Sketch:
    """The SKETCH_SIZE smallest shingle hashes of a text (all of them for a short text)."""
    hashes: tuple[int, ...]      # sorted
    total: int                   # distinct shingles in the text

    @property
    def usable(self) -> bool:
        return self.total >= MIN_SHINGLES

    @property
    def anchors(self) -> tuple[int, ...]:
        return self.hashes[:ANCHORS]

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
    hashes = shingle_hashes(text)
    return Sketch(tuple(heapq.nsmallest(SKETCH_SIZE, hashes)), len(hashes))


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

    @property
    def strength(self) -> tuple[int, float]:
        return {"header": 2, "text": 1}.get(self.how, 0), self.similarity or 0.0


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
        session.execute(text("UPDATE copy_anchors SET anchor = anchor WHERE 1 = 0"))


def write_anchors(session, document_id: str, sketch: Optional[Sketch], *, fresh: bool = False) -> None:
    from sqlalchemy import delete

    from models.tables import CopyAnchor

    if not fresh:
        session.execute(delete(CopyAnchor).where(CopyAnchor.document_id == document_id))
    if sketch is not None and sketch.usable:
        session.connection().execute(CopyAnchor.__table__.insert(),
                                     [{"anchor": a, "document_id": document_id} for a in sketch.anchors])


def find_copy(session, *, identity: Identity, sketch: Optional[Sketch], exclude_id: str) -> Optional[Match]:
    """The stored directive (its head row) the new file is a copy of, or None.  Reads the rows
    that share the number (index), the rows that share an anchor hash (index), and, for the rule
    before sketches, the rows of the same date without a number (index)."""
    from sqlalchemy import select

    from models.tables import DONE_STATUSES, CopyAnchor, Document

    done = Document.status.in_(DONE_STATUSES)
    candidates: dict[str, Document] = {}
    if identity.number_key:
        for d in session.execute(select(Document).where(Document.number_key == identity.number_key, done,
                                                        Document.id != exclude_id)).scalars():
            candidates[d.id] = d
    if sketch is not None and sketch.usable:
        ids = select(CopyAnchor.document_id).where(CopyAnchor.anchor.in_(list(sketch.anchors))).distinct()
        for d in session.execute(select(Document).where(Document.id.in_(ids), done,
                                                        Document.id != exclude_id)).scalars():
            candidates[d.id] = d
    if identity.number_key is None and identity.issued_on is not None:
        for d in session.execute(select(Document).where(Document.issued_on == identity.issued_on,
                                                        Document.number_key.is_(None), done,
                                                        Document.id != exclude_id)).scalars():
            candidates[d.id] = d
    if not candidates:
        return None
    heads: dict[str, Document] = {}
    need = {d.version_of for d in candidates.values() if d.version_of and d.version_of not in candidates}
    if need:
        heads.update({d.id: d for d in session.execute(select(Document).where(Document.id.in_(need))).scalars()})
    heads.update({d.id: d for d in candidates.values() if d.version_of is None})
    best: Optional[Match] = None
    for d in sorted(candidates.values(), key=lambda d: d.ingested_at):
        head = heads.get(d.version_of or d.id)
        if head is None:
            continue
        same, how, sim = same_directive(identity, sketch, Identity.of_row(d), Sketch.decode(d.text_sketch))
        if not same or (head is not d and Identity.of_row(head).conflicts(identity)):
            continue
        found = Match(head, how, sim)
        if best is None or found.strength > best.strength:   # the first stored wins a tie
            best = found
    return best


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


def kinds_of(rows: Iterable) -> Sequence[str]:
    return [kind_label(r) for r in rows]
