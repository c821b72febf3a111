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
    Programme, TextUnit, find_aliases, known_programmes, learn_programmes, match_programme,
    merge_mentions, number_key,
)
# Old local names, until the calls below are renamed (this module is being rewritten).
from extractors.structure.citations import find_mentions as _mentions
from extractors.structure.common import fold, is_upper_line, join_text, normalize_symbol, parse_date, symbol_type, type_for_word
from extractors.structure.header import (
    FooterResult, merge_header_rows, is_footer_start, is_news, parse_footer, parse_header, parse_news,
)
from extractors.structure.header import title_continues as _title_continues, type_line_record as _is_type_line
from extractors.structure.lines import Line, document_lines, mark_furniture
from extractors.structure.sections import build_body
from extractors.structure.tables import is_task_table, table_columns, task_rows
from extractors.text import collapse_ws
from extractors.types import Citation, Directive, Document, Paragraph, ReadError, Section

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
    try:
        _parse(document, d, programmes or [])
    except Exception as exc:  # a defect, but one document must not stop a batch: record and go on
        d.errors.append(ReadError(code="structure-failed", message=f"{document.source_file}: structure stage failed: {exc!r}"))
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
    hr = parse_news(lines) if news else parse_header(lines)
    h = hr.header
    d.header = h

    # ---- split the rest into parts: main body, attached documents (Kế hoạch …), appendices
    parts: list[_Part] = [_Part("main", page=lines[hr.body_start].page if hr.body_start < len(lines) else 1)]
    footers: list[FooterResult] = []
    i = hr.body_start
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
        tr = _is_type_line(ln) if not news else None
        if tr and (footers or _attached_soon(lines, i)) and tr["name"] != "Quyết định" or \
                tr and footers and _attached_soon(lines, i):
            # an attached document after the signature (the Kế hoạch of a Quyết định)
            title_parts = []
            j = i + 1
            prev = ln
            while j < len(lines) and j < i + 10 and _title_continues(lines[j], prev, first=not title_parts,
                                                                      type_bold=ln.bold):
                if _ATTACHED.match(lines[j].f):
                    break
                title_parts.append(lines[j].text)
                prev = lines[j]
                j += 1
            note, j = _read_part_heading(lines, j)
            p = _Part("plan", heading=join_text([ln.text.strip()] + title_parts), label=ln.text.strip(), page=ln.page)
            p.title = join_text(title_parts)
            parts.append(p)
            i = j
            continue
        if not news and _LUU_LINE.match(ln.f) and cur.lines:
            # `- Lưu: VT, …` closes a Nơi nhận list whose title OCR lost: the bullets above it are recipients
            rec: list[str] = []
            while cur.lines and re.match(r"^[-+•]\s*\S", cur.lines[-1].text.strip()) and len(cur.lines[-1].text) <= 90 \
                    and cur.lines[-1].text.rstrip().endswith((";", ",", ".")):
                rec.insert(0, re.sub(r"^[-+•]\s*", "", cur.lines.pop().text.strip()).rstrip(";,.").strip())
            while cur.lines and len(cur.lines[-1].text.strip()) <= 4:
                cur.lines.pop()   # the garbled `Nơi nhận:` itself
            if rec and not h.recipients:
                h.recipients = rec
            i += 1
            continue
        if _DECIDES.match(ln.f) and is_upper_line(ln.text):
            i += 1
            continue   # `QUYẾT ĐỊNH:` between the preamble and the articles
        cur.lines.append(ln)
        i += 1

    if footers:
        f0 = footers[0]
        h.signer = h.signer or f0.signer
        h.signer_authority = h.signer_authority or f0.authority
        h.signer_position = f0.position
        h.recipients = f0.recipients or next((f.recipients for f in footers if f.recipients), h.recipients)

    # ---- section trees
    root = Section(kind="root", path="", heading=h.title or "", page=lines[0].page, role="other")
    part_nodes: list[tuple[_Part, Section]] = []
    for p in parts:
        body = build_body(p.lines)
        if p.kind == "main":
            node = root
            root.children.extend(body.sections)
            root.paragraphs.extend(Paragraph(text=x.text, page=x.page, role="preamble") for x in body.preamble)
            root.paragraphs.extend(Paragraph(text=x.text, page=x.page, role="closing") for x in body.closing)
        else:
            kind = "plan" if p.kind == "plan" else "appendix"
            path = "" if kind == "plan" else ("PL" + ("." + p.label if p.label else ""))
            node = Section(kind=kind, path=path, label=p.label, heading=p.heading, page=p.page,
                           role="appendix" if kind == "appendix" else "other")
            node.children.extend(body.sections)
            node.paragraphs.extend(Paragraph(text=x.text, page=x.page, role="preamble") for x in body.preamble)
            node.paragraphs.extend(Paragraph(text=x.text, page=x.page, role="closing") for x in body.closing)
            node.text = "\n".join(x.text for x in node.paragraphs)
            root.children.append(node)
        part_nodes.append((p, node))
    root.text = "\n".join(x.text for x in root.paragraphs)

    # ---- task tables -> table_row sections under their appendix
    task_tables = []
    for t in document.tables:
        roles = table_columns(t)
        if is_task_table(roles):
            t.columns = roles
            task_tables.append(t)
    last_stt = None
    k = 0
    for t in task_tables:
        rows = task_rows(t, t.columns, prefix="PL")
        if not rows:
            continue
        first = _num(rows[0].label)
        if last_stt is None or first is None or first <= last_stt:
            k += 1   # numbering restarts: another appendix table (a gap means rows were lost, not a new table)
        prefix = f"PL{k}" if k > 1 else "PL"
        for r in rows:
            r.path = f"{prefix}.{r.label.rstrip('.')}"
        last_stt = _num(rows[-1].label)
        host = _host_for_page(part_nodes, t.page_start) or root
        host.children.extend(rows)
    d.task_tables = task_tables
    d.root = root

    # ---- citations, aliases, programme
    units: list[TextUnit] = []
    if h.title:
        units.append(TextUnit(h.title, role="title"))
    for p, node in part_nodes:
        if p.title:
            units.append(TextUnit(p.title, page=p.page, role="title"))
    for node in root.walk():
        for para in node.paragraphs:
            units.append(TextUnit(para.text, page=para.page, role=para.role or node.role, path=node.path))
        if node.kind == "table_row":
            for role, text in node.cells.items():
                if role != "task" and text:
                    units.append(TextUnit(text, page=node.page, role="tasks", path=node.path))
    own = {h.number} if h.number else set()
    mentions = []
    for n, u in enumerate(units):
        mentions.extend(_mentions(u.text, u.page, {number_key(x) for x in own}, text_id=n))
    cits = merge_mentions([m.citation for m in mentions])

    programmes: list[Programme] = learn_programmes(cits) + [_programme(r) for r in extra_programmes] + known_programmes()
    am = _APPROVES_TITLE.match(h.title or "")
    if am and h.type in ("Quyết định", "Nghị quyết"):
        d.approves = am.group("what").strip()
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
            if sym:
                d.aliases[alias] = sym
                p = prog or next((p for p in programmes if number_key(p.symbol) == number_key(sym)), None)
                if p is not None and alias not in p.aliases and re.search(r"\d|đề án|chương trình|kế hoạch", alias.lower()):
                    p.aliases.append(alias)
                for c in cits:
                    if number_key(c.number) == number_key(sym) and not c.alias:
                        c.alias = alias
            else:
                d.aliases.setdefault(alias, phrase)

    implemented: list[str] = []
    sources = [u for u in units if u.role == "title"]
    if news and h.title:
        sources.append(TextUnit(h.title, role="title"))
    opening = [x for x in root.paragraphs if x.role == "preamble"][:3]
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
        for m in _mentions(text, src.page, {number_key(x) for x in own}):
            implemented.append(m.citation.number)
        prog = match_programme(text, programmes)
        if prog is not None:
            implemented.append(prog.symbol)
    if not implemented:
        # a document about one programme throughout, without naming it in its title
        # (by its short name only: a learned title may be this document's own subject)
        counts = {}
        for u in units:
            for p in programmes:
                if any(re.search(rf"(?<!\w){re.escape(fold(a))}(?!\w)", fold(u.text)) for a in p.aliases):
                    counts[p.symbol] = counts.get(p.symbol, 0) + 1
        if counts:
            sym, n = max(counts.items(), key=lambda x: x[1])
            if n >= 3:
                implemented.append(sym)
    seen = set()
    for sym in implemented:
        key = number_key(sym)
        if key in seen or key in {number_key(x) for x in own}:
            continue
        seen.add(key)
        found = next((c for c in cits if number_key(c.number) == key), None)
        if found is not None:
            found.relation = "implements"
        else:
            prog = next((p for p in programmes if number_key(p.symbol) == key), None)
            cits.append(Citation(number=sym, type=prog.type if prog else symbol_type(sym)[0]["name"] if symbol_type(sym)[0] else None,
                                 issued_on=prog.issued_on if prog else None, issuer=prog.issuer if prog else None,
                                 relation="implements", title=prog.title if prog else None,
                                 alias=(prog.aliases[0] if prog and prog.aliases else None), printed=False))
    d.citations = cits
    impl = [c for c in cits if c.relation == "implements"]
    prog_keys = {number_key(p.symbol) for p in programmes}
    impl.sort(key=lambda c: number_key(c.number) not in prog_keys)   # a programme before other implemented documents
    d.programme = impl[0].number if impl else None


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
