"""Directive -> Extraction: obligations with units, deadlines, targets, flags, provenance.

`extract_obligations(directive)` walks the section tree (extractors/structure) and the task
tables, applies the splitting rules of split.py, and normalises units (units.py), deadlines
(deadlines.py) and figures (targets.py).  spaCy and underthesea are loaded lazily by nlp.py
on the first call, never at import.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from extractors.text import collapse_ws
from extractors.types import Directive, Extraction, Obligation, Section, Table, Target

__all__ = ["extract_obligations"]

_ROLE_BY_HEADING = [
    (re.compile(r"^(?:MỤC\s+ĐÍCH|MỤC\s+ĐÍCH,\s+YÊU\s+CẦU|YÊU\s+CẦU)\b", re.IGNORECASE), "purpose"),
    (re.compile(r"^(?:MỤC\s+TIÊU|CHỈ\s+TIÊU)\b", re.IGNORECASE), "targets"),
    (re.compile(r"^KINH\s+PHÍ", re.IGNORECASE), "funding"),
    (re.compile(r"^TỔ\s+CHỨC\s+THỰC\s+HIỆN", re.IGNORECASE), "organisation"),
    (re.compile(r"^(?:NHIỆM\s+VỤ|CÁC\s+NHIỆM\s+VỤ|GIẢI\s+PHÁP)", re.IGNORECASE), "tasks"),
    (re.compile(r"^(?:KẾT\s+QUẢ|TÌNH\s+HÌNH|ĐÁNH\s+GIÁ|THỰC\s+TRẠNG)", re.IGNORECASE), "background"),
]
_SKIP_ROLES = {"purpose", "background", "preamble"}
_TASK_ROLES = {"tasks", "organisation"}


def _role(section: Section, inherited: Optional[str]) -> Optional[str]:
    if section.role and section.role != "other":
        return section.role
    head = (section.heading or section.text or "").strip()
    head = re.sub(r"^[IVXLC]+\.\s*|^\d+(?:\.\d+)*\.?\s*|^[a-zđ]\)\s*", "", head)
    for rx, role in _ROLE_BY_HEADING:
        if rx.match(head):
            return role
    return inherited


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


# "- Đơn vị chủ trì thực hiện: Sở Tài chính." / "- Thời gian hoàn thành: Trong tháng 8/2025." under an
# item: fields of that item (the list form of a task table's columns), not obligations of their own.
_FIELD = re.compile(
    r"^(?P<label>(?:đơn\s+vị|cơ\s+quan)(?:\s+(?:chủ\s+trì|thực\s+hiện|phối\s+hợp|chính))+|"
    r"thời\s+(?:gian|hạn)(?:\s+(?:hoàn\s+thành|thực\s+hiện))?|tiến\s+độ(?:\s+thực\s+hiện)?|"
    r"(?:sản\s+phẩm|kết\s+quả)(?:\s+đầu\s+ra)?)\s*:\s*(?P<value>\S.*)$", re.IGNORECASE)
_FIELD_SPLIT = re.compile(r"(?<=[.;])\s*[-–+]\s*(?=\S)")


def labelled_fields(text: str) -> list[tuple[str, str]]:
    """[(lead|support|deadline|output, value)] when every part of text is a labelled field, else []."""
    out = []
    for part in _FIELD_SPLIT.split(re.sub(r"^[-–+•*]\s*", "", text.strip())):
        m = _FIELD.match(part.strip())
        if not m:
            return []
        label, value = m.group("label").lower(), m.group("value").strip().rstrip(".;").strip()
        if re.search(r"\.\s+\S", value):
            return []       # a sentence follows the value: the line says more than a field
        kind = ("support" if "phối hợp" in label else "lead" if label.startswith(("đơn vị", "cơ quan"))
                else "output" if label.startswith(("sản phẩm", "kết quả")) else "deadline")
        if value:
            out.append((kind, value))
    return out


def _is_title(body: str, section: Section) -> bool:
    """The item is only a title over numbered sub-items: a short line without a full stop or
    a colon, no unit, no deadline, and items of its own below."""
    if not any(c.kind in ("arabic", "letter", "paren") for c in section.children):
        return False
    if re.search(r"[.:;!?]\s*$", body) or len(body.split()) > 14 or re.search(r"\d", body):
        return False
    from extractors.obligations.nlp import unit_mentions

    return not unit_mentions(body)


def _apply_fields(pieces: list, fields: list[tuple[str, str]]) -> None:
    for piece in pieces:
        for kind, value in fields:
            if kind == "lead":
                piece.leads, piece.inherited = [value], False
            elif kind == "support":
                piece.supports = [value]
            elif kind == "deadline":
                piece.deadline_text = value
            else:
                piece.output = value


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
            return            # task tables are read column by column in _tables()
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
        # labelled fields: bullets under the item, or the item's own later paragraphs
        field_children = [c for c in section.children
                          if c.kind == "bullet" and not c.children and labelled_fields(collapse_ws(c.text or c.heading))]
        fields = [f for c in field_children for f in labelled_fields(collapse_ws(c.text or c.heading))]
        field_texts = [(t, p) for i, (t, p) in enumerate(texts) if i > 0 and labelled_fields(t)]
        fields += [f for t, _ in field_texts for f in labelled_fields(t)]
        texts = [x for x in texts if x not in field_texts]
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
        if fields:
            _apply_fields(self.pieces[first_piece:], fields)
        from extractors.obligations.split import POINTER_RE
        if texts and POINTER_RE.search(texts[0][0]):
            return            # "Chi tiết 41 nhiệm vụ ... theo Phụ lục": its bullets only count the appendix's groups
        for c in section.children:
            if c not in field_children:
                self.walk(c, own_scope, role, depth + 1)

    # ---------------------------------------------------------------- task tables
    def tables(self):
        from extractors.obligations.split import Piece
        tables = list(self.d.task_tables) or [t for t in self.d.document.tables if _is_task_table(t)]
        for table in tables:
            cols = _columns(table)
            if cols.get("text") is None:
                continue
            for row in table.rows:
                cells = {c.col: collapse_ws(c.text) for c in row.cells}
                get = lambda k: cells.get(cols[k], "") if cols.get(k) is not None else ""  # noqa: E731
                text = get("text")
                stt = get("stt")
                if not text or _is_header_row(cells, table):
                    continue
                if not re.fullmatch(r"\d+[a-z]?\.?", stt or "") and not get("lead"):
                    continue       # a group row ("I. VỀ CÔNG TÁC CHỈ ĐẠO ...") or a stray line
                self.pieces.append(Piece(
                    text=text, ref=f"PL.{stt.rstrip('.')}" if stt else "PL", page=row.page,
                    leads=[get("lead")] if get("lead") else [], supports=[get("support")] if get("support") else [],
                    deadline_text=get("deadline") or None, output=get("output") or None, role="appendix",
                    table=True))


_COL_KEYS = [
    ("stt", re.compile(r"^(?:stt|tt|số\s+tt)$", re.IGNORECASE)),
    ("deadline", re.compile(r"thời\s+gian|thời\s+hạn|tiến\s+độ|hoàn\s+thành", re.IGNORECASE)),
    ("lead", re.compile(r"chủ\s+trì|trách\s+nhiệm|(?:đơn\s+vị|cơ\s+quan)\s+thực\s+hiện", re.IGNORECASE)),
    ("support", re.compile(r"phối\s+hợp", re.IGNORECASE)),
    ("output", re.compile(r"kết\s+quả|sản\s+phẩm", re.IGNORECASE)),
    ("text", re.compile(r"nội\s+dung|nhiệm\s+vụ|công\s+việc", re.IGNORECASE)),
]


def _columns(table: Table) -> dict[str, int]:
    header = table.header or (table.rows[0].texts() if table.rows else [])
    out: dict[str, int] = {}
    for i, h in enumerate(header):
        h = collapse_ws(re.sub(r"<[^>]+>", "", h or ""))
        for key, rx in _COL_KEYS:
            if key not in out and rx.search(h):
                out[key] = i
                break
    return out


def _is_task_table(table: Table) -> bool:
    cols = _columns(table)
    return "text" in cols and ("lead" in cols or "deadline" in cols)


def _is_header_row(cells: dict[int, str], table: Table) -> bool:
    header = [collapse_ws(h).casefold() for h in table.header]
    vals = [v.casefold() for v in cells.values() if v]
    return bool(vals) and sum(v in header for v in vals) >= max(2, len(vals) // 2)


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
    from extractors.obligations.flags import text_key

    rows = [text_key(p.text) for p in pieces if p.table]
    if not rows:
        return pieces

    def copied(p) -> bool:
        if p.table or (p.leads and not p.inherited):
            return False
        k = text_key(p.text)
        return len(k) >= 20 and any(k == r or (r.startswith(k) and len(k) >= 0.8 * len(r)) for r in rows)

    return [p for p in pieces if not copied(p)]


def extract_obligations(directive: Directive) -> Extraction:
    """Every obligation the directive assigns, in document order (sections, then task tables)."""
    from extractors.obligations.deadlines import find_deadline, parse_deadline
    from extractors.obligations.flags import add_flags
    from extractors.obligations.split import supports_of
    from extractors.obligations.targets import find_figures

    header = directive.header
    province = header.province
    doc_date = header.issued_on
    w = _Walker(directive)
    w.walk(directive.root, [], None)
    w.tables()

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
