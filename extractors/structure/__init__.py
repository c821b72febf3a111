"""Document -> Directive: header metadata, section tree, citations, programme.

    parse_directive(document, programmes=None) -> Directive
    export_type(type_name) -> str            # genre word -> register-export type ("Tờ trình" -> "Khác")

Directive.root is the section tree: the main part's sections are root's children (Điều N, I./1./a)/-),
an attached document after the signature is a child of kind "plan" (its sections keep their own paths:
"III.1.b"), a Phụ lục is a child of kind "appendix" (path "PL") holding one "table_row" Section per task
row (path "PL.<STT>", cells: column role -> text, group: the group row above).  Paragraphs of root
carry role "preamble" (before the first numbered item) or "closing" ("Trên đây là …").  Bullets share
their item's path.  Section.text joins the node's paragraphs with newlines.

The form of a directive is fixed by law (Nghị định 30/2020/NĐ-CP; Hướng dẫn 36-HD/VPTW): header
(issuer, motto, number, place and date, type and trích yếu), body, footer (signer, Nơi nhận); a
Quyết định may carry its Kế hoạch after the signature, and any document a Phụ lục with a task table.
Never raises on bad input: a document with no text gives a Directive with one error.
"""
from __future__ import annotations

import re
from typing import Optional

from extractors.structure.citations import (
    Programme, TextUnit, find_aliases, find_mentions, known_programmes, learn_programmes, match_programme,
    merge_mentions,
)
from extractors.keys import symbol_key
from extractors.structure.common import (
    fold, is_upper_line, join_text, normalize_symbol, parse_date, symbol_type, type_for_word,
)
from extractors.structure.fields import lift_fields
from extractors.structure.header import (
    FooterResult, is_footer_start, is_type_line, merge_header_rows, title_continues, is_news, parse_footer, parse_header, parse_news,
)
from extractors.reading.annotations import primary_signature
from extractors.structure.lines import Line, document_lines, mark_furniture
from extractors.structure.sections import build_body
from extractors.structure.roles import mark_report_results
from extractors.structure.tables import is_task_table, table_columns, task_rows
from extractors.text import collapse_ws
from extractors.types import Citation, Directive, Document, ReadError, Section, TaskTable

__all__ = ["parse_directive", "export_type", "normalize_symbol", "parse_date"]

_PHU_LUC = re.compile(r"^phu luc(\s+(so\s+)?[ivx\d]+[a-z]?)?\s*[:.]?\s*(.*)$")
_ATTACHED = re.compile(r"^\(?\s*(ban hanh )?kem theo\b")
_IMPLEMENTING = re.compile(r"\b(thuc hien|trien khai|thi hanh|quan triet|day manh|to chuc thuc hien)\b")
_LUU_LINE = re.compile(r"^[-+•]?\s*luu\s*[:.]?\s*(vt|van thu|vp)\b")
_DECIDES = re.compile(r"^(quyet dinh|quyet nghi|chi thi|ket luan)\s*:$")


def export_type(type_name: Optional[str]) -> str:
    """The register-export type for a genre word (`Tờ trình` -> `Khác`; `Tin bài` stays)."""
    if not type_name:
        return "Khác"
    if type_name == "Tin bài":
        return type_name
    rec = type_for_word(type_name)
    return rec.get("export", "Khác") if rec else "Khác"


class _Part:
    def __init__(self, kind: str, heading: str = "", label: str = "", page: int = 1):
        self.kind, self.heading, self.label, self.page = kind, heading, label, page
        self.lines: list[Line] = []
        self.title: Optional[str] = None


def _phu_luc(ln: Line) -> Optional[re.Match]:
    m = _PHU_LUC.match(ln.f)
    if not m:
        return None
    rest = m.group(3)
    if rest and not is_upper_line(ln.text) and len(ln.text) > 40:
        return None   # `Phụ lục kèm theo ...` inside a sentence
    return m


def _read_part_heading(lines: list[Line], i: int) -> tuple[list[str], int]:
    """Caps title lines and a `(Ban hành kèm theo …)` note after a part's first line."""
    parts: list[str] = []
    j = i
    paren = False
    while j < len(lines) and j < i + 10:
        ln = lines[j]
        f = ln.f
        if paren:
            parts.append(ln.text)
            if ")" in ln.text:
                paren = False
            j += 1
            continue
        if _ATTACHED.match(f):
            parts.append(ln.text)
            paren = "(" in ln.text and ")" not in ln.text
            j += 1
            continue
        if is_upper_line(ln.text) and not re.match(r"^[IVX]+\s*[.)]", ln.text.strip()) and not re.match(r"^(STT|TT)\b", ln.text.strip()):
            parts.append(ln.text)
            j += 1
            continue
        break
    return parts, j


def parse_directive(document: Document, programmes: Optional[list[dict]] = None) -> Directive:
    """Structure one document.  PROGRAMMES: extra known programmes (records shaped like
    corpora/programmes.jsonl: symbol, title, aliases, type, issued_on, issuer), e.g. the ones the
    register learned from earlier documents' `Directive.approves`."""
    d = Directive(document=document)
    _parse(document, d, programmes or [])   # a defect raises: the pipeline records it as an error
    return d


def _parse(document: Document, d: Directive, extra_programmes: list[dict]) -> None:
    lines = merge_header_rows(mark_furniture(document_lines(document)))
    for k, ln in enumerate(lines):
        ln.idx = k
    if not lines:
        if document.status != "failed":
            d.errors.append(ReadError(code="no-text", message=f"{document.source_file}: no text to structure"))
        d.root = Section(kind="root")
        return
    news = is_news(lines)
    unread = _unread_fields(document)
    hr = parse_news(lines) if news else parse_header(lines, day_unread="date-unread" in unread)
    h = hr.header
    d.header = h
    h.flags = unread
    signature = primary_signature(document.signatures)
    if signature is not None:
        h.signed_by, h.signed_at = signature.signed_by, signature.signed_at
    parts, footers = _split_parts(lines, hr.body_start, h, news)
    if footers:
        f0 = footers[0]
        h.signer = h.signer or f0.signer
        h.signer_authority = h.signer_authority or f0.authority
        h.signer_position = f0.position
        h.recipients = f0.recipients or next((f.recipients for f in footers if f.recipients), h.recipients)
    root, part_nodes = _section_trees(parts, h, lines[0].page)
    d.task_tables = _attach_task_tables(document, part_nodes, root)
    d.root = root
    _citations_and_programme(d, part_nodes, news, extra_programmes)


def _unread_fields(document: Document) -> list[str]:
    """`number-unread` / `date-unread` when the reader re-read a scan's handwritten header number or
    day and the readings did not agree (it then left the field blank rather than guess)."""
    flags = []
    for page in document.pages[:1]:
        for r in page.field_reads:
            if r.value is None and any(r.reads):
                flag = "number-unread" if r.field == "number" else "date-unread"
                if flag not in flags:
                    flags.append(flag)
    return flags


def _split_parts(lines: list[Line], body_start: int, h, news: bool) -> tuple[list[_Part], list[FooterResult]]:
    """The body after the header cut into parts: the main body, attached documents (the Kế hoạch
    of a Quyết định), appendices; and the signature footers met on the way."""
    parts: list[_Part] = [_Part("main", page=lines[body_start].page if body_start < len(lines) else 1)]
    footers: list[FooterResult] = []
    i = body_start
    while i < len(lines):
        ln = lines[i]
        cur = parts[-1]
        if not news and is_footer_start(ln):
            fr = parse_footer(lines, i)
            if fr.lines:
                footers.append(fr)
                i = fr.end
                continue
        if not news and _phu_luc(ln) and (not cur.lines or footers or cur.kind != "main" or _ends_part(cur)):
            heading, j = _read_part_heading(lines, i + 1)
            m = _phu_luc(ln)
            label = (m.group(1) or "").strip().upper().replace("SỐ ", "")
            parts.append(_Part("appendix", heading=join_text([ln.text] + heading), label=label, page=ln.page))
            i = j
            continue
        tr = is_type_line(ln) if not news else None
        if tr and (footers or _attached_soon(lines, i)) and tr["name"] != "Quyết định" or \
                tr and footers and _attached_soon(lines, i):
            part, i = _attached_part(lines, i)
            parts.append(part)
            continue
        if not news and _LUU_LINE.match(ln.f) and cur.lines:
            _take_recipients(cur, h)
            i += 1
            continue
        if _DECIDES.match(ln.f) and is_upper_line(ln.text):
            i += 1
            continue   # `QUYẾT ĐỊNH:` between the preamble and the articles
        cur.lines.append(ln)
        i += 1
    return parts, footers


def _attached_part(lines: list[Line], i: int) -> tuple[_Part, int]:
    """An attached document after the signature (the Kế hoạch of a Quyết định): its type line at
    i, its title lines, its `(Ban hành kèm theo …)` note.  Returns the part and the next line."""
    ln = lines[i]
    title_parts = []
    j = i + 1
    prev = ln
    while j < len(lines) and j < i + 10 and title_continues(lines[j], prev, first=not title_parts, type_bold=ln.bold):
        if _ATTACHED.match(lines[j].f):
            break
        title_parts.append(lines[j].text)
        prev = lines[j]
        j += 1
    _note, j = _read_part_heading(lines, j)
    p = _Part("plan", heading=join_text([ln.text.strip()] + title_parts), label=ln.text.strip(), page=ln.page)
    p.title = join_text(title_parts)
    return p, j


def _take_recipients(cur: _Part, h) -> None:
    """`- Lưu: VT, …` closes a Nơi nhận list whose title OCR lost: the bullets above it are recipients."""
    rec: list[str] = []
    while cur.lines and re.match(r"^[-+•]\s*\S", cur.lines[-1].text.strip()) and len(cur.lines[-1].text) <= 90 \
            and cur.lines[-1].text.rstrip().endswith((";", ",", ".")):
        rec.insert(0, re.sub(r"^[-+•]\s*", "", cur.lines.pop().text.strip()).rstrip(";,.").strip())
    while cur.lines and len(cur.lines[-1].text.strip()) <= 4:
        cur.lines.pop()   # the garbled `Nơi nhận:` itself
    if rec and not h.recipients:
        h.recipients = rec


def _section_trees(parts: list[_Part], h, first_page: int) -> tuple[Section, list[tuple[_Part, Section]]]:
    """One section tree per part; the main part's sections are root's children, attached plans and
    appendices are children of root of kind plan / appendix."""
    root = Section(kind="root", path="", heading=h.title or "", page=first_page, role="other")
    part_nodes: list[tuple[_Part, Section]] = []
    for p in parts:
        body = build_body(p.lines)
        if p.kind == "main":
            node = root
            if h.type == "Báo cáo":
                mark_report_results(body.sections)
            root.children.extend(body.sections)
        else:
            kind = "plan" if p.kind == "plan" else "appendix"
            path = "" if kind == "plan" else ("PL" + ("." + p.label if p.label else ""))
            node = Section(kind=kind, path=path, label=p.label, heading=p.heading, page=p.page,
                           role="appendix" if kind == "appendix" else "other")
            node.children.extend(body.sections)
            root.children.append(node)
        node.paragraphs.extend(x.model_copy(update={"role": "preamble"}) for x in body.preamble)
        node.paragraphs.extend(x.model_copy(update={"role": "closing"}) for x in body.closing)
        if node is not root:
            node.text = "\n".join(x.text for x in node.paragraphs)
        for section in body.sections:
            lift_fields(section)
        part_nodes.append((p, node))
    root.text = "\n".join(x.text for x in root.paragraphs)
    return root, part_nodes


def _attach_task_tables(document: Document, part_nodes, root: Section) -> list[TaskTable]:
    """Task tables -> one table_row Section per task row, under the appendix (or plan) of its page.
    A table whose numbering restarts is another appendix table: its rows get paths PL2.<STT>, …"""
    found: list[TaskTable] = []
    last_stt = None
    k = 0
    for index, t in enumerate(document.tables):
        roles = table_columns(t)
        if not is_task_table(roles):
            continue
        rows = task_rows(t, roles, prefix="PL")
        if not rows:
            continue
        first = _num(rows[0].label)
        if last_stt is None or first is None or first <= last_stt:
            k += 1   # numbering restarts: another appendix table (a gap means rows were lost, not a new table)
        prefix = f"PL{k}" if k > 1 else "PL"
        for r in rows:
            r.path = prefix + r.path[len("PL"):]
            r.table = index
            if t.source == "ocr" and r.row is not None:
                r.confidence = _row_confidence(document, t.rows[r.row])
        last_stt = _num(rows[-1].label)
        host = _host_for_page(part_nodes, t.page_start) or root
        host.children.extend(rows)
        found.append(TaskTable(table=index, columns=roles, prefix=prefix, page_start=t.page_start, page_end=t.page_end))
    return found


def _row_confidence(document: Document, row) -> Optional[float]:
    """OCR confidence (0..100) of a scanned table row: its cells' lines, which the reader also
    keeps as page blocks (in_table) with their confidence, weighted by length."""
    got: list[tuple[float, int]] = []
    pages = {p.number: p for p in document.pages}
    for cell in row.cells:
        if cell.bbox is None or not cell.text.strip() or cell.page not in pages:
            continue
        x0, y0, x1, y1 = cell.bbox
        for b in pages[cell.page].blocks:
            if b.in_table and b.confidence is not None and b.bbox is not None:
                cx, cy = (b.bbox[0] + b.bbox[2]) / 2, (b.bbox[1] + b.bbox[3]) / 2
                if x0 <= cx <= x1 and y0 <= cy <= y1:
                    got.append((b.confidence, len(b.text)))
    chars = sum(n for _, n in got)
    return round(sum(c * n for c, n in got) / chars, 2) if chars else None


def _text_units(d: Directive, part_nodes) -> list[TextUnit]:
    """Every piece of text citations are looked for in: titles, paragraphs, task-table cells."""
    h = d.header
    units: list[TextUnit] = []
    if h.title:
        units.append(TextUnit(h.title, role="title"))
    for p, node in part_nodes:
        if p.title:
            units.append(TextUnit(p.title, page=p.page, role="title"))
    for node in d.root.walk():
        for para in node.paragraphs:
            units.append(TextUnit(para.text, page=para.page, role=para.role or node.role, path=node.path))
        if node.kind == "table_row":
            for role, text in node.cells.items():
                if role != "task" and text:
                    units.append(TextUnit(text, page=node.page, role="tasks", path=node.path))
    return units


def _citations_and_programme(d: Directive, part_nodes, news: bool, extra_programmes: list[dict]) -> None:
    h = d.header
    units = _text_units(d, part_nodes)
    own_keys = {symbol_key(h.number)} if h.number else set()
    mentions = []
    for n, u in enumerate(units):
        mentions.extend(find_mentions(u.text, u.page, own_keys, text_id=n))
    cits = merge_mentions([m.citation for m in mentions])
    programmes: list[Programme] = learn_programmes(cits) + [_programme(r) for r in extra_programmes] + known_programmes()
    am = _APPROVES_TITLE.match(h.title or "")
    if am and h.type in ("Quyết định", "Nghị quyết"):
        d.approves = am.group("what").strip()
    _read_aliases(d, units, mentions, cits, programmes)
    implemented = _implemented(d, units, news, own_keys, programmes)
    seen = set()
    for sym in implemented:
        key = symbol_key(sym)
        if key in seen or key in own_keys:
            continue
        seen.add(key)
        found = next((c for c in cits if symbol_key(c.number) == key), None)
        if found is not None:
            found.relation = "implements"
        else:
            prog = next((p for p in programmes if symbol_key(p.symbol) == key), None)
            cits.append(Citation(number=sym, type=prog.type if prog else symbol_type(sym)[0]["name"] if symbol_type(sym)[0] else None,
                                 issued_on=prog.issued_on if prog else None, issuer=prog.issuer if prog else None,
                                 relation="implements", title=prog.title if prog else None,
                                 alias=(prog.aliases[0] if prog and prog.aliases else None), printed=False))
    d.citations = cits
    impl = [c for c in cits if c.relation == "implements"]
    prog_keys = {symbol_key(p.symbol) for p in programmes}
    impl.sort(key=lambda c: symbol_key(c.number) not in prog_keys)   # a programme before other implemented documents
    d.programme = impl[0].number if impl else None


def _read_aliases(d: Directive, units: list[TextUnit], mentions, cits: list[Citation], programmes: list[Programme]) -> None:
    """Short names the text defines (`(gọi tắt là Đề án 06)`) -> the symbol they stand for."""
    for n, u in enumerate(units):
        for alias, s, e in find_aliases(u.text):
            ctx = collapse_ws(u.text[max(0, s - 400): s])
            phrase = _defined_phrase(ctx)
            sym = normalize_symbol(alias) if re.search(r"\d+\s*[/-]\s*[A-ZĐ]", alias) else None
            prog = None
            if sym is None:
                # a citation printed in the defined phrase, else a programme the phrase or the alias names
                near = [m for m in mentions if m.text_id == n and m.end <= s and s - m.end <= len(phrase) + 5]
                prog = match_programme(alias, programmes) or match_programme(phrase, programmes)
                if near:
                    sym = near[-1].citation.number
                elif prog is not None:
                    sym = prog.symbol
            if not sym:
                d.aliases.setdefault(alias, phrase)
                continue
            d.aliases[alias] = sym
            p = prog or next((p for p in programmes if symbol_key(p.symbol) == symbol_key(sym)), None)
            if p is not None and alias not in p.aliases and re.search(r"\d|đề án|chương trình|kế hoạch", alias.lower()):
                p.aliases.append(alias)
            for c in cits:
                if symbol_key(c.number) == symbol_key(sym) and not c.alias:
                    c.alias = alias


def _implemented(d: Directive, units: list[TextUnit], news: bool, own_keys: set[str],
                 programmes: list[Programme]) -> list[str]:
    """Symbols of what this document carries out: named in its title after `thực hiện`, `triển khai`
    …, in the first clause of its opening paragraphs, or the one programme it is about throughout."""
    h = d.header
    implemented: list[str] = []
    sources = [u for u in units if u.role == "title"]
    if news and h.title:
        sources.append(TextUnit(h.title, role="title"))
    opening = [x for x in d.root.paragraphs if x.role == "preamble"][:3]
    for para in opening:
        if re.match(r"^(de )?(tiep tuc )?(thuc hien|trien khai|nham trien khai)\b", fold(para.text)):
            # the document's own purpose: its first clause (`Thực hiện Thông báo số …; để …`)
            first_clause = re.split(r";|\.\s", para.text)[0]
            sources.append(TextUnit(first_clause, page=para.page, role="opening"))
    for src in sources:
        text = src.text
        if src.role == "title":
            # a title implements what follows `thực hiện`, `triển khai` …; `Phê duyệt Đề án …` approves
            # the programme itself and implements nothing
            m = _IMPLEMENTING.search(fold(text))
            if not m:
                continue
            text = text[m.start():] if len(fold(text)) == len(text) else text
        for m in find_mentions(text, src.page, own_keys):
            implemented.append(m.citation.number)
        prog = match_programme(text, programmes)
        if prog is not None:
            implemented.append(prog.symbol)
    if not implemented:
        # a document about one programme throughout, without naming it in its title
        # (by its short name only: a learned title may be this document's own subject)
        counts = {}
        # each programme's aliases as one pattern, each unit folded once (not once per alias)
        alias_res = [(p, [re.compile(rf"(?<!\w){re.escape(fold(a))}(?!\w)") for a in p.aliases]) for p in programmes]
        for u in units:
            folded = fold(u.text)
            for p, res in alias_res:
                if any(r.search(folded) for r in res):
                    counts[p.symbol] = counts.get(p.symbol, 0) + 1
        if counts:
            sym, n = max(counts.items(), key=lambda x: x[1])
            if n >= 3:
                implemented.append(sym)
    return implemented


_APPROVES_TITLE = re.compile(r"^(?:Về việc\s+)?(?:phê duyệt|ban hành)\s+(?P<what>(?:Đề án|Chương trình|Chiến lược|Kế hoạch|Dự án)\b.*)$", re.I)


def _programme(rec: dict) -> Programme:
    import datetime as dt
    day = rec.get("issued_on")
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            day = None
    return Programme(symbol=rec["symbol"], title=rec.get("title", ""), aliases=list(rec.get("aliases", [])),
                     type=rec.get("type"), issued_on=day, issuer=rec.get("issuer"), learned=True)


def _defined_phrase(ctx: str) -> str:
    """The phrase an alias abbreviates: a quoted title with the few words before it (`Đề án “Phát
    triển …”`), else the text back to the previous clause break."""
    ctx = ctx.rstrip()
    if ctx.endswith(("”", '"')):
        k = max(ctx.rfind("“"), ctx[:-1].rfind('"'))
        if k > 0:
            before = ctx[:k].split()[-3:]
            return (" ".join(before) + " " + ctx[k:]).strip()
    k = max(ctx.rfind(";"), ctx.rfind(". "), ctx.rfind(", "), ctx.rfind("("), -1)
    return ctx[k + 1:].strip(" ,;“”\"")[-200:]


def _num(label: str) -> Optional[int]:
    m = re.match(r"^(\d+)", label or "")
    return int(m.group(1)) if m else None


def _host_for_page(part_nodes, page: int) -> Optional[Section]:
    host = None
    for p, node in part_nodes:
        if node.kind == "appendix" and node.page <= page:
            host = node
    if host is None:
        for p, node in part_nodes:
            if node.kind == "plan" and node.page <= page:
                host = node
    return host


def _attached_soon(lines: list[Line], i: int) -> bool:
    return any(_ATTACHED.match(ln.f) for ln in lines[i + 1: i + 8])


def _ends_part(p: _Part) -> bool:
    return bool(p.lines) and p.lines[-1].text.rstrip().endswith("./.")
