"""Directive -> Extraction: obligations with units, deadlines, targets, flags, provenance.

`extract_obligations(directive)` walks the section tree of the structured directive (sections
with the roles structure gave them, task-table rows with the cells structure mapped to roles) and
nothing else of the document, applies the splitting rules of split.py, and normalises units (units.py), deadlines
(deadlines.py) and figures (targets.py).  spaCy and underthesea are loaded lazily by nlp.py
on the first call, never at import.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from extractors.text import collapse_ws
from extractors.types import Directive, Extraction, Obligation, Section, Target

__all__ = ["extract_obligations"]

_SKIP_ROLES = {"purpose", "background", "preamble"}
_TASK_ROLES = {"tasks", "organisation"}


def _role(section: Section, inherited: Optional[str]) -> Optional[str]:
    """The role structure gave the section ("other": none of its own, the parent's holds)."""
    return section.role if section.role and section.role != "other" else inherited


def _paragraph_texts(section: Section) -> list[tuple[str, int]]:
    if section.paragraphs:
        return [(collapse_ws(p.text), p.page) for p in section.paragraphs if collapse_ws(p.text)]
    t = collapse_ws(section.text or section.heading or "")
    return [(t, section.page)] if t else []


def _strip_marker(text: str, label: str) -> str:
    t = text.strip()
    if label and t.startswith(label):
        t = t[len(label):].strip()
    t = re.sub(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\)|[-–+•*])\s+", "", t)
    return t


def _is_title(body: str, section: Section) -> bool:
    """The item is only a title over numbered sub-items: a short line without a full stop or
    a colon, no unit, no deadline, and items of its own below."""
    if not any(c.kind in ("arabic", "letter", "paren") for c in section.children):
        return False
    if re.search(r"[.:;!?]\s*$", body) or len(body.split()) > 14 or re.search(r"\d", body):
        return False
    from extractors.obligations.nlp import unit_mentions

    return not unit_mentions(body)


# A section's cells (labelled lines structure lifted out of its text, "Đơn vị chủ trì: …") fill its pieces.
_CELL_FIELDS = ("lead", "support", "deadline", "output")


def _apply_fields(pieces: list, cells: dict[str, str]) -> None:
    for piece in pieces:
        if cells.get("lead"):
            piece.leads, piece.inherited = [cells["lead"]], False
        if cells.get("support"):
            piece.supports = [cells["support"]]
        if cells.get("deadline"):
            piece.deadline_text = cells["deadline"]
        if cells.get("output"):
            piece.output = cells["output"]


def _heading_scope(section: Section) -> tuple[list[str], bool]:
    """Units a heading puts over its items, and whether the heading is only that scope.
    "2. Công an tỉnh" / "2. Ban cán sự đảng UBND tỉnh lãnh đạo UBND tỉnh:" / "1. Các sở, ...;
    UBND các huyện ..." -> their units."""
    from extractors.obligations.split import subject_of
    from extractors.obligations.nlp import read_unit_phrase

    head = collapse_ws(_strip_marker(section.heading or "", section.label)).rstrip(" .")
    if not head or len(head.split()) > 60:
        return [], False
    # the structure stage may cut the heading before its colon: look at the text after it
    body_text = collapse_ws(_strip_marker(section.text or "", section.label))
    if not head.endswith(":") and body_text.startswith(head) and body_text[len(head):].lstrip().startswith(":"):
        head += ":"
    if head.endswith(":"):
        body = head[:-1].strip()
        leads, end = subject_of(body)
        if leads:
            rest = body[end:].strip()
            only = not rest or bool(re.fullmatch(r"(?:,?\s*(?:lãnh\s+đạo|chỉ\s+đạo)[,\s]*)+[^.;]*", rest, re.IGNORECASE))
            return leads[:1], only
        return [], False
    # a heading that is a list of units and nothing else
    phrase, end = read_unit_phrase(head, 0)
    if phrase and not head[end:].strip(" .;:"):
        return [phrase], True
    return [], False


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
            self.pieces.extend(got)
            used = " ".join(p.text for p in got)
            rest = " ".join(s for s in kept if s not in used)
            self.doc_targets.extend(t for t in find_figures(rest, context="report") if t.kind == "achieved")

    def walk(self, section: Section, scope: list[str], role: Optional[str], depth: int = 0):
        from extractors.obligations.split import split_unit_text
        from extractors.obligations.targets import find_figures

        if section.kind == "table_row":
            self.table_row(section)
            return
        if section.kind == "root":
            self._root_prose(section)
            for c in section.children:
                self.walk(c, scope, role, depth + 1)
            return
        role = _role(section, role)
        if role in _SKIP_ROLES:
            return
        texts = _paragraph_texts(section)
        ref = section.path or None
        if role == "targets":
            for t, _ in texts:
                self.doc_targets.extend(find_figures(_strip_marker(t, section.label), context="goals",
                                                     document_year=self.year))
            for c in section.children:
                self.walk(c, scope, role, depth + 1)
            return
        if section.kind == "appendix":
            for c in section.children:
                self.walk(c, scope, role, depth + 1)
            return
        hs, only_scope = _heading_scope(section)
        own_scope = hs or scope
        if section.kind in ("part", "roman", "plan") and not hs:
            # a part heading ("III. NHIỆM VỤ VÀ GIẢI PHÁP") is a title, its prose may assign work
            texts = [(t, p) for t, p in texts if collapse_ws(t) != collapse_ws(section.heading)]
        first_piece = len(self.pieces)
        item_scope: list[str] = []
        for i, (t, page) in enumerate(texts):
            body = _strip_marker(t, section.label) if i == 0 else t
            if i == 0 and only_scope:
                head = collapse_ws(_strip_marker(section.heading, section.label)).rstrip(" :.")
                if body.startswith(head):
                    body = body[len(head):].strip(" :.")
                else:
                    continue
                if not body:
                    continue
            if section.kind in ("part", "roman") and i == 0 and re.fullmatch(r"[^a-zà-ỹđ]*", body):
                continue       # an upper-case title line
            if i == 0 and len(texts) == 1 and _is_title(body, section):
                continue       # "1. Hoàn thiện hạ tầng công nghệ thông tin" over its items "(1) ...", "(2) ..."
            require = role not in _TASK_ROLES and not own_scope
            got = split_unit_text(body, ref=ref, page=page, scope=item_scope or own_scope or self.addressees, role=role,
                                  prose=False, require_unit=require and not self.addressees)
            if i == 0 and got and not got[0].inherited and not hs:
                # "3. Ban cán sự đảng UBND tỉnh chỉ đạo ...": the item's subject governs its later paragraphs
                item_scope = list(got[0].leads)
            self.pieces.extend(got)
        if any(section.cells.get(k) for k in _CELL_FIELDS):
            _apply_fields(self.pieces[first_piece:], section.cells)
        from extractors.obligations.split import POINTER_RE
        if texts and POINTER_RE.search(texts[0][0]):
            return            # "Chi tiết 41 nhiệm vụ ... theo Phụ lục": its bullets only count the appendix's groups
        for c in section.children:
            self.walk(c, own_scope, role, depth + 1)

    # ---------------------------------------------------------------- task tables
    def table_row(self, row: Section):
        """A task-table row as structure mapped its cells: task, lead, support, deadline, output."""
        from extractors.obligations.split import Piece

        text = collapse_ws(row.cells.get("task", ""))
        if not text:
            return
        piece = Piece(text=text, ref=row.path or "PL", page=row.page, role="appendix", table=True)
        _apply_fields([piece], {k: collapse_ws(v) for k, v in row.cells.items()})
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


def _without_unassigned_copies(pieces: list) -> list:
    """A plan that lists its tasks in the body and again, with their units, in an appendix table
    ("PHỤ LỤC PHÂN CÔNG THỰC HIỆN NHIỆM VỤ"): the body copy with no unit of its own is the same
    task, and the table row is where it is assigned; a clerk writes it down once.  Body items
    that have a unit, or say more than the row, stay."""
    from extractors.keys import words_key

    rows = [words_key(p.text) for p in pieces if p.table]
    if not rows:
        return pieces

    def copied(p) -> bool:
        if p.table or (p.leads and not p.inherited):
            return False
        k = words_key(p.text)
        return len(k) >= 20 and any(k == r or (r.startswith(k) and len(k) >= 0.8 * len(r)) for r in rows)

    return [p for p in pieces if not copied(p)]


def extract_obligations(directive: Directive) -> Extraction:
    """Every obligation the directive assigns, in the order of its section tree."""
    from extractors.obligations.deadlines import find_deadline, parse_deadline
    from extractors.obligations.flags import add_flags
    from extractors.obligations.split import supports_of
    from extractors.obligations.targets import find_figures

    header = directive.header
    province = header.province
    doc_date = header.issued_on
    w = _Walker(directive)
    w.walk(directive.root, [], None)

    obligations: list[Obligation] = []
    for p in _without_unassigned_copies(w.pieces):
        text = collapse_ws(p.text)
        if not text:
            continue
        leads = _units(p.leads, province)
        supports_raw = list(p.supports)
        if p.table:
            supports_raw += supports_of(text)        # "Phối hợp với X ..." in the task text adds X
        supports = [u for u in _units(supports_raw, province) if u.casefold() not in {x.casefold() for x in leads}]
        if p.deadline_text:
            deadline = parse_deadline(p.deadline_text, document_date=doc_date)
        elif p.table:
            deadline = None
        else:
            deadline = find_deadline(text, document_date=doc_date)
        targets = find_figures(text, context="task", document_year=doc_date.year if doc_date else None)
        obligations.append(Obligation(
            ref=p.ref, page=p.page, text=text, lead_units=leads, support_units=supports, deadline=deadline,
            targets=targets, output=p.output, section_role=p.role))
    add_flags(obligations, document_date=doc_date)
    # document-level figures: each number once (the same raw twice is one figure)
    seen, doc_targets = set(), []
    for t in w.doc_targets:
        k = (t.raw.casefold(), t.value, t.kind)
        if k not in seen:
            seen.add(k)
            doc_targets.append(t)
    return Extraction(obligations=obligations, targets=doc_targets)
