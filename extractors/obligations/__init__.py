"""Directive -> Extraction: obligations with units, deadlines, targets, flags, provenance.

`extract_obligations(directive)` walks the section tree of the structured directive (sections
with the roles structure gave them, task-table rows with the cells structure mapped to roles) and
nothing else of the document, applies the splitting rules of split.py, and normalises units (units.py), deadlines
(deadlines.py) and figures (targets.py).  spaCy and underthesea are loaded lazily by nlp.py
on the first call, never at import.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Iterable, Optional

from extractors.obligations.scope import Scope, is_lead_in, read_lead_in, scope_of
from extractors.obligations.split import supports_of
from extractors.structure import export_type
from extractors.text import collapse_ws
from extractors.types import Directive, Extraction, Obligation, Section, Target

__all__ = ["extract_obligations"]

_SKIP_ROLES = {"purpose", "background", "preamble"}
_TASK_ROLES = {"tasks", "organisation"}


def _role(section: Section, inherited: Optional[str]) -> Optional[str]:
    """The role structure gave the section ("other": none of its own, the parent's holds; under a
    plan's audience and forms part, its "Nội dung tuyên truyền" describes too)."""
    if inherited == "scope":
        return inherited
    return section.role if section.role and section.role != "other" else inherited


def _names_a_doer(text: str) -> bool:
    """TEXT names its doer and goes on with what the doer does ("Các sở, ban, ngành … đưa nội dung
    CCHC vào các cuộc họp"), not only who ("Các bộ, cơ quan ngang bộ (trừ Bộ Công an …).")."""
    from extractors.obligations.split import starts_with_verb, subject_of

    leads, end = subject_of(text)
    return bool(leads) and starts_with_verb(text[end:].lstrip(" ,:;"))


def _paragraph_texts(section: Section) -> list[tuple[str, int]]:
    if section.paragraphs:
        return [(collapse_ws(p.text), p.page) for p in section.paragraphs if collapse_ws(p.text)]
    t = collapse_ws(section.text or section.heading or "")
    return [(t, section.page)] if t else []


# A note under a list that dates several of its items: "(Nội dung a, b, c gửi về Bộ Công an trước
# ngày 30/9/2025 …)".  Matched on folded text (OCR: "Nội đung"); the labels are read from the text
# as printed, where "d" and "đ" differ.
_ITEM_NOTE_RE = re.compile(r"^\(?\s*(?:cac\s+)?(?:noi\s+dung|nhiem\s+vu|muc|diem)\s+"
                           r"(?P<labels>[a-z](?:\s*(?:,|va)\s*[a-z])+)\b", re.IGNORECASE)


def _item_note(text: str) -> Optional[tuple[set[str], str]]:
    """(the item labels a note names, its text) when TEXT is such a note."""
    from extractors.text import fold_diacritics
    m = _ITEM_NOTE_RE.match(fold_diacritics(text))
    if not m:
        return None
    printed = text[m.start("labels"):m.end("labels")]
    return {x.casefold() for x in re.findall(r"\b\w\b", printed) if x.casefold() != "và"}, text


def _noted_frames(children: list[Section]) -> dict[str, str]:
    """Item label -> the time frame a note among the items gives it."""
    from extractors.obligations.deadlines import find_deadline
    frames: dict[str, str] = {}
    for c in children:
        for t, _ in _paragraph_texts(c)[1:]:
            note = _item_note(t)
            found = find_deadline(note[1]) if note else None
            if found is not None and found.due:
                frames.update({label: found.raw for label in note[0]})
    return frames


def _paragraph_ocr(section: Section) -> dict[str, Optional[float]]:
    """OCR confidence of each paragraph text of _paragraph_texts (None: not OCR'd)."""
    if section.paragraphs:
        return {collapse_ws(p.text): p.confidence for p in section.paragraphs}
    return {}


def _record(pieces: list, *, ocr: Optional[float], scope: list[str], origin: Optional[tuple[str, int]]) -> None:
    """Note on each piece of one paragraph what its confidence needs: how its leads were found
    (its own sentence, the sentence before, or SCOPE, which ORIGIN says came from a heading N
    levels up, the item's lead-in or the addressees), the paragraph's OCR confidence, and
    whether the paragraph gave several pieces."""
    for p in pieces:
        p.ocr, p.split = ocr, len(pieces) > 1
        if not p.leads:
            p.unit_source = None
        elif not p.inherited:
            p.unit_source = "sentence"
        elif scope and origin and [x.casefold() for x in p.leads] == [x.casefold() for x in scope]:
            p.unit_source, p.scope_depth = origin
        else:
            p.unit_source = "previous"


def _strip_marker(text: str, label: str) -> str:
    t = text.strip()
    if label and t.startswith(label):
        t = t[len(label):].strip()
    t = re.sub(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\)|[-–+•*])\s+", "", t)
    return t


# A topic named as a noun: the work ("Công tác …", "Việc …") or the matter ("Về …", "Đối với …")
_TOPIC_HEAD = re.compile(r"^(?:Công\s+tác|Việc|Về|Đối\s+với)\s", re.IGNORECASE)


def _is_title(body: str, section: Section, more_paragraphs: bool) -> bool:
    """The item's first line is only a title over what follows it (numbered sub-items, or the
    item's own paragraphs): a short line without a full stop, no unit.  "1. Hoàn thiện hạ tầng
    công nghệ thông tin" over "(1) ...", "Tổ chức thực hiện" over its paragraphs, "Bước 3: Gửi kết quả"."""
    items = any(c.kind in ("arabic", "letter", "paren", "bullet") for c in section.children)
    if not items and not more_paragraphs:
        return False
    if body.endswith(":") and _TOPIC_HEAD.match(body) and len(body.split()) <= 25 and ";" not in body:
        # "Công tác đánh giá, xác định và giải quyết bồi thường thiệt hại:", "Đối với các nội dung kiến
        # nghị, đề xuất …:": the topic of what follows, done by whoever it names
        from extractors.obligations.nlp import unit_mentions
        return not unit_mentions(body)
    if re.search(r"[.:;!?]\s*$", body) or len(body.split()) > (14 if items else 10) or re.search(r"\d{2}", body):
        return False
    from extractors.obligations.nlp import unit_mentions

    return not unit_mentions(body)


# What ends a lead-in that only announces its items ("… trọng tâm là các nội dung sau:", "…, trong đó:",
# "… tổ chức thực hiện các nhiệm vụ:", "… có trách nhiệm:", a bare colon); "gồm …:" lists the parts of
# a thing the lead-in asks for (a report's contents, a programme's episodes), not tasks.
_CONTENTS_RE = re.compile(r"\b(?:bao\s+)?gồm\b", re.IGNORECASE)


def _wraps_items(text: str, section: Section) -> bool:
    """TEXT, the last task read from SECTION's own paragraphs, is a lead-in whose tasks are the
    items below it (NOTES: a lead-in ending in "sau:", "lưu ý:", "cụ thể:" whose content is the sum
    of its sub-items is no obligation): one clause ending with a colon over numbered, lettered or
    bulleted items.  A lead-in with demands of its own before its list ("… nâng cao trách nhiệm …;
    bảo đảm rõ người, rõ việc. Tăng cường …, trong đó tập trung …:") is kept."""
    from extractors.obligations.split import sentences, subject_of

    t = collapse_ws(text)
    if not t.endswith(":") or not section.children or _CONTENTS_RE.search(t) or len(sentences(t)) > 1:
        return False
    _, end = subject_of(t)
    return ";" not in t[end:]


def _wrapper_scope(wrapper, inner: Scope) -> Scope:
    """The scope a dropped lead-in passes to its items: its own subject and partners ("Chủ trì, phối
    hợp chặt chẽ với Ban Quản lý …, Nhà đầu tư và địa phương …, trong đó:"), and a time frame it
    opens with ("Trong tháng 11/2025, tập trung thực hiện những nhiệm vụ trọng tâm sau đây:")."""
    from extractors.obligations.deadlines import find_deadline
    from extractors.obligations.split import TIME_OPEN_RE

    leads = tuple(wrapper.leads) if wrapper.leads and not wrapper.inherited else inner.leads
    supports = tuple(wrapper.supports) or (inner.supports if leads == inner.leads else ())
    frame = find_deadline(wrapper.text) if TIME_OPEN_RE.match(wrapper.text) else None
    deadline = frame.raw if frame is not None and frame.due else inner.deadline
    if leads == inner.leads and supports == inner.supports and deadline == inner.deadline:
        return inner
    return Scope(leads, supports, deadline, "lead-in" if leads != inner.leads else inner.source,
                 0 if leads != inner.leads else inner.depth)


# A section's cells (labelled lines structure lifted out of its text, "Đơn vị chủ trì: …") fill its pieces.
_CELL_FIELDS = ("lead", "support", "deadline", "output")


# A lead cell that states both roles: "Văn phòng UBND tỉnh chủ trì, phối hợp với Sở KH&CN"
_BOTH_ROLES = re.compile(r"\b(?:chủ\s+trì|phối\s+hợp)\b", re.IGNORECASE)


def _lead_cell(text: str) -> tuple[list[str], list[str]]:
    """(leads, supports) of a task table's or labelled line's lead cell."""
    if _BOTH_ROLES.search(text):
        got = read_lead_in(text, closed=True)
        if got.leads:
            return list(got.leads), list(got.supports)
    return [text], []


def _apply_fields(pieces: list, cells: dict[str, str]) -> None:
    for piece in pieces:
        if cells.get("lead"):
            leads, supports = _lead_cell(cells["lead"])
            piece.leads, piece.inherited = leads, False
            piece.supports = [*supports, *(x for x in piece.supports if x not in supports)]
            piece.unit_source, piece.scope_depth = ("table" if piece.table else "field"), 0
        if cells.get("support"):
            # "Phối hợp với X …" in the task's own text adds X to its "Đơn vị phối hợp:" line, as in a
            # table row (a table's text is read for it once, when the obligation is made)
            piece.supports = [cells["support"], *(() if piece.table else supports_of(piece.text))]
        if cells.get("deadline"):
            piece.deadline_text = cells["deadline"]
        if cells.get("output"):
            piece.output = cells["output"]


class _Walker:
    def __init__(self, directive: Directive):
        self.d = directive
        self.pieces = []
        self.doc_targets: list[Target] = []
        self.addressees: list[str] = []
        self.year = directive.header.issued_on.year if directive.header.issued_on else None

    # ---------------------------------------------------------------- prose of the root
    def _root_prose(self, section: Section):
        from extractors.obligations.split import (addressees_of, is_addressee_sentence, sentences,
                                                  split_unit_text)
        from extractors.obligations.targets import find_figures
        ocr = _paragraph_ocr(section)
        for text, page in _paragraph_texts(section):
            kept = []
            for s in sentences(text):
                if is_addressee_sentence(s):
                    self.addressees = addressees_of(s) or self.addressees
                    continue
                kept.append(s)
            if not kept:
                continue
            body = " ".join(kept)
            got = split_unit_text(body, ref=None, page=page, scope=[], role=None, prose=True, require_unit=True)
            _record(got, ocr=ocr.get(text), scope=[], origin=None)
            self.pieces.extend(got)
            used = " ".join(p.text for p in got)
            rest = " ".join(s for s in kept if s not in used)
            self.doc_targets.extend(t for t in find_figures(rest, context="report") if t.kind == "achieved")

    def walk(self, section: Section, scope: Scope, role: Optional[str]):
        from extractors.obligations.split import POINTER_RE, split_unit_text
        from extractors.obligations.targets import find_figures

        if section.kind == "table_row":
            self.table_row(section, scope)
            return
        if section.kind == "root":
            self._root_prose(section)
            for c in section.children:
                self.walk(c, scope, role)
            return
        role = _role(section, role)
        if role in _SKIP_ROLES:
            return
        texts = _paragraph_texts(section)
        texts = texts[:1] + [x for x in texts[1:] if not _item_note(x[0])]   # a note dates its siblings
        if role == "targets":
            for t, _ in texts:
                self.doc_targets.extend(find_figures(_strip_marker(t, section.label), context="goals",
                                                     document_year=self.year))
            for c in section.children:
                self.walk(c, scope, role)
            return
        if section.kind == "appendix":
            for c in section.children:
                self.walk(c, scope, role)
            return
        first = _strip_marker(texts[0][0], section.label) if texts else ""
        here, head = scope_of(section, first, [t for t, _ in texts[1:]])
        inner = scope.under(here)
        if section.kind in ("part", "roman", "plan") and not (here and here.leads):
            # a part heading ("III. NHIỆM VỤ VÀ GIẢI PHÁP") is a title, its prose may assign work
            texts = [(t, p) for t, p in texts if collapse_ws(t) != collapse_ws(section.heading)]
        ocr = _paragraph_ocr(section)
        if section.kind in ("letter", "bullet", "paren") and not section.children and len(texts) > 1:
            # a leaf item is one task however many paragraphs it runs to (NOTES: leaf items are
            # obligations); a title line first ("Bước 3: Gửi kết quả") is no part of it
            title = texts[:1] if _is_title(_strip_marker(texts[0][0], section.label), section, True) else []
            rest = texts[len(title):]
            joined = " ".join(t for t, _ in rest)
            known = [ocr[t] for t, _ in rest if ocr.get(t) is not None]
            ocr[joined] = min(known) if known else None
            texts = [(joined, rest[0][1])]
        first_piece = len(self.pieces)
        own: Optional[Scope] = None
        for i, (t, page) in enumerate(texts):
            body = _strip_marker(t, section.label) if i == 0 else t
            if i == 0 and head and body.startswith(head):
                body = body[len(head):].strip(" :.;")
            elif i > 0 and section.children and is_lead_in(body):
                continue       # "Giao Sở Nội vụ chủ trì, phối hợp với …:": the scope of the items below
            if not body:
                continue
            if section.kind in ("part", "roman") and i == 0 and re.fullmatch(r"[^a-zà-ỹđ]*", body):
                continue       # an upper-case title line
            if i == 0 and _is_title(body, section, len(texts) > 1):
                continue       # "1. Hoàn thiện hạ tầng công nghệ thông tin" over its items "(1) ...", "(2) ..."
            if not section.children and read_lead_in(body).bare:
                continue       # names a unit or a person and asks nothing ("Bộ trưởng Bộ Y tế Đào Hồng Lan;")
            applied = own or inner
            require = role not in _TASK_ROLES and not applied.leads
            got = split_unit_text(body, ref=section.path or None, page=page,
                                  scope=list(applied.leads) or self.addressees, role=role, prose=False,
                                  require_unit=require and not self.addressees)
            if role == "scope":
                # a plan's audience and forms: only a sentence whose named doer does something
                got = [piece for piece in got if _names_a_doer(piece.text)]
            for piece in got:
                if piece.inherited and not piece.supports:
                    piece.supports = list(applied.supports)
            # for the confidence: where the units came from (the item's own subject, a heading or
            # lead-in N levels up, the directive's addressees)
            where = (("lead-in", 0) if own else ("heading", applied.depth) if applied.leads else
                     ("addressees", 0) if self.addressees else None)
            _record(got, ocr=ocr.get(t), scope=list(applied.leads) or self.addressees, origin=where)
            if i == 0 and got and not got[0].inherited and not (here and here.leads):
                # "3. Ban cán sự đảng UBND tỉnh chỉ đạo ...": the item's subject governs its later paragraphs
                own = Scope(tuple(got[0].leads), source="subject")
            self.pieces.extend(got)
        for piece in self.pieces[first_piece:]:
            piece.scope_deadline = inner.deadline
        if any(section.cells.get(k) for k in _CELL_FIELDS):
            _apply_fields(self.pieces[first_piece:], section.cells)
        if texts and POINTER_RE.search(texts[0][0]):
            return            # "Chi tiết 41 nhiệm vụ ... theo Phụ lục": its bullets only count the appendix's groups
        frames = _noted_frames(section.children)
        wrapper = self.pieces[-1] if len(self.pieces) > first_piece and _wraps_items(self.pieces[-1].text, section) \
            else None
        below = _wrapper_scope(wrapper, inner) if wrapper else inner
        before_items = len(self.pieces)
        for c in section.children:
            frame = frames.get(c.label.strip(" .)").casefold()) if frames else None
            self.walk(c, replace(below, deadline=frame) if frame and not below.deadline else below, role)
        if wrapper is not None and len(self.pieces) > before_items:
            self.pieces.remove(wrapper)      # its items are its tasks (when they name none, it is kept)

    # ---------------------------------------------------------------- task tables
    def table_row(self, row: Section, scope: Scope):
        """A task-table row as structure mapped its cells: task, lead, support, deadline, output.
        A row without a unit of its own takes the units its group row names ("II. SỞ NỘI VỤ")."""
        from extractors.obligations.split import Piece

        text = collapse_ws(row.cells.get("task", ""))
        if not text:
            return
        piece = Piece(text=text, ref=row.path or "PL", page=row.page, role="appendix", table=True,
                      ocr=row.confidence)
        _apply_fields([piece], {k: collapse_ws(v) for k, v in row.cells.items()})
        if not piece.leads and row.group:
            got = read_lead_in(re.sub(r"^[IVXLC]+\.?\s+|^\d+\.\s+", "", row.group))
            if got.leads and got.only:
                piece.leads, piece.inherited = list(got.leads), True
                piece.supports = piece.supports or list(got.supports)
                piece.unit_source, piece.scope_depth = "heading", 0
        self.pieces.append(piece)


def _units(phrases: Iterable[str], province: Optional[str]) -> list[str]:
    from extractors.obligations.units import canonical_unit, split_units
    out: list[str] = []
    for p in phrases:
        for u in split_units(p):
            c = canonical_unit(u, province=province)
            if c and c.casefold() not in {x.casefold() for x in out}:
                out.append(c)
    return out


COPIED_SHARE = 0.9       # of a body item's words in an appendix row, for it to be that row's copy
COPIED_MIN_WORDS = 8     # shorter items ("Tổ chức thực hiện.") are in every row


def _without_unassigned_copies(pieces: list) -> list:
    """A plan that lists its tasks in the body and again, with their units, in an appendix table
    ("PHỤ LỤC PHÂN CÔNG THỰC HIỆN NHIỆM VỤ"): the body copy with no unit of its own is the same
    task, and the table row is where it is assigned; a clerk writes it down once.  Body items
    that have a unit, or say more than the row, stay.  The two are compared word by word with
    abbreviations expanded (the body writes `Ủy ban nhân dân tỉnh` where the row has `UBND tỉnh`),
    and a body item is a copy when COPIED_SHARE of its words are in one row: the drafter retouches
    a word (`Thường xuyên kiểm tra` for `Tổ chức kiểm tra`), and a body bullet split into sentences
    is two pieces of one row."""
    from collections import Counter

    from extractors.keys import expand_abbreviations, words_key

    def words(text: str) -> Counter:
        return Counter(words_key(expand_abbreviations(text)).split())

    rows = [words(p.text) for p in pieces if p.table]
    if not rows:
        return pieces

    def copied(p) -> bool:
        if p.table or (p.leads and not p.inherited):
            return False
        k = words(p.text)
        n = sum(k.values())
        if p.leads:
            # a unit the body gave it by inheritance (a heading `Sở Thông tin và Truyền thông:`):
            # only the row's very words make it a copy, a retouched task there is the body's own
            return n >= COPIED_MIN_WORDS and any(k == r for r in rows)
        return n >= COPIED_MIN_WORDS and any(sum((k & r).values()) >= COPIED_SHARE * n for r in rows)

    return [p for p in pieces if not copied(p)]


def _title_year(title: Optional[str]) -> Optional[int]:
    years = {int(y) for y in re.findall(r"\bnăm\s+((?:19|20)\d{2})\b", title or "", re.IGNORECASE)}
    return years.pop() if len(years) == 1 else None


def extract_obligations(directive: Directive) -> Extraction:
    """Every obligation the directive assigns, in the order of its section tree."""
    from extractors.obligations.deadlines import find_deadline, parse_deadline
    from extractors.obligations.confidence import set_confidence
    from extractors.obligations.flags import add_flags
    from extractors.obligations.split import supports_of
    from extractors.obligations.targets import find_figures

    header = directive.header
    province = header.province
    doc_date = header.issued_on
    # a draft has no date: the year its title plans for ("Kế hoạch tuyên truyền … năm 2026") dates
    # the day-and-month deadlines of its table
    plan_year = doc_date.year if doc_date else _title_year(header.title)
    w = _Walker(directive)
    w.walk(directive.root, Scope(), None)
    # a letter's "Kính gửi:" list owns the tasks that name no unit (NOTES: an item with no subject
    # goes to the addressees).  Only a Công văn sends work down to its addressees; a Tờ trình or
    # a Báo cáo is addressed upwards.
    letter_to = [a for a in header.addressees if a] if export_type(header.type) == "Công văn" else []

    obligations: list[Obligation] = []
    pieces = []
    for p in _without_unassigned_copies(w.pieces):
        text = collapse_ws(p.text)
        if not text:
            continue
        if not p.leads and letter_to:
            p.leads, p.inherited, p.unit_source, p.scope_depth = list(letter_to), True, "addressees", 0
        leads = _units(p.leads, province)
        supports_raw = list(p.supports)
        if p.table:
            supports_raw += supports_of(text)        # "Phối hợp với X ..." in the task text adds X
        supports = [u for u in _units(supports_raw, province) if u.casefold() not in {x.casefold() for x in leads}]
        if p.deadline_text:
            deadline = parse_deadline(p.deadline_text, document_date=doc_date, year=plan_year)
        elif p.table:
            deadline = None
        else:
            # an occasion's day printed without its year ("nhân ngày … 10/10") falls in the plan's year
            # when the draft is not dated yet
            deadline = find_deadline(text, document_date=doc_date or (dt.date(plan_year, 1, 1) if plan_year else None))
        if deadline is None and p.scope_deadline:
            deadline = parse_deadline(p.scope_deadline, document_date=doc_date, year=plan_year)   # "TRIỂN KHAI NGAY TRONG THÁNG 12/2025"
        targets = find_figures(text, context="task", document_year=doc_date.year if doc_date else None)
        obligations.append(Obligation(
            ref=p.ref, page=p.page, text=text, lead_units=leads, support_units=supports, deadline=deadline,
            targets=targets, output=p.output, section_role=p.role))
        pieces.append(p)
    add_flags(obligations, document_date=doc_date)
    set_confidence(zip(obligations, pieces))
    # document-level figures: each number once (the same raw twice is one figure)
    seen, doc_targets = set(), []
    for t in w.doc_targets:
        k = (t.raw.casefold(), t.value, t.kind)
        if k not in seen:
            seen.add(k)
            doc_targets.append(t)
    return Extraction(obligations=obligations, targets=doc_targets)
