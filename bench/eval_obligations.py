"""Score the obligations stage on the evaluation set (../shared/eval) and the project's samples.

usage: .venv/bin/python bench/eval_obligations.py [--scan] [--md] [--gold DIR --pdfs DIR] [--out EXPORT.json]

Runs read_document + parse_directive + extract_obligations on each seed PDF, writes a
register-export/1 JSON (source_file = the PDF's name, document fields from the Header) and
prints ../shared/eval/score.py's table.  --md builds the section tree from the eval set's
markdown sources instead (isolates this stage from reading/structure; a yardstick only).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "eval"


def _export_doc(source_file: str, directive, extraction) -> dict:
    h = directive.header

    def tgt(t):
        d = {"raw": t.raw, "value": t.value, "unit": t.unit, "kind": t.kind}
        if t.subject:
            d["subject"] = t.subject
        return d

    return {
        "id": None, "source_file": source_file, "sha256": directive.document.sha256 or None,
        "type": h.type, "number": h.number, "issuer": h.issuer,
        "issued_on": h.issued_on.isoformat() if h.issued_on else None, "place": h.place, "title": h.title,
        "signer": h.signer,
        "citations": [{"number": c.number, "type": c.type, "issued_on": c.issued_on.isoformat() if c.issued_on else None,
                       "relation": c.relation} for c in directive.citations],
        "targets": [tgt(t) for t in extraction.targets],
        "obligations": [{
            "id": o.id, "ref": o.ref, "page": o.page, "text": o.text, "lead_units": o.lead_units,
            "support_units": o.support_units,
            "deadline": None if o.deadline is None else {
                "raw": o.deadline.raw, "due": o.deadline.due.isoformat() if o.deadline.due else None,
                "recurrence": o.deadline.recurrence, "day": o.deadline.day},
            "targets": [tgt(t) for t in o.targets], "output": o.output, "flags": o.flags,
        } for o in extraction.obligations],
    }


# ------------------------------------------------------------------ markdown -> Directive (--md)

def directive_from_md(md_path: Path):
    from extractors.types import Cell, Directive, Document, Header, Paragraph, Row, Section, Table
    text = md_path.read_text(encoding="utf-8")
    meta, _, body = text.partition("\n---\n")
    if not body:
        body = meta
    province = None
    m = re.search(r"TỈNH\s+([A-ZÀ-Ỹ][^\n|]*)", meta)
    if m:
        province = m.group(1).strip().title()
    m = re.search(r"Báo\s+([A-ZÀ-Ỹ]\w+(?:\s+[A-ZÀ-Ỹ]\w+)?)\s+điện\s+tử", meta)
    if m and not province:
        province = m.group(1)
    root = Section(kind="root")
    stack = [(0, root)]
    tables: list[Table] = []
    cur_table = None
    page = 1

    def add(level, sec):
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack[-1][1].children.append(sec)
        stack.append((level, sec))

    in_block = False
    for line in body.splitlines():
        raw = line
        if line.startswith(":::"):
            in_block = line.strip() != ":::" and not in_block
            continue
        if in_block:
            continue
        line = line.replace("**", "").replace("*", "").strip()
        line = re.sub(r"^#+\s*", "", line)
        if line.startswith("=== pagebreak"):
            page += 1
            continue
        if "\t" in raw:
            cells = raw.split("\t")
            cells = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
            if cells[0].upper() == "STT":
                if cur_table is None:
                    cur_table = Table(rows=[], header=cells, page_start=page)
                    tables.append(cur_table)
                continue
            if not cells[0] and cur_table and cur_table.rows:
                last = cur_table.rows[-1]
                for i, c in enumerate(cells):
                    if c and i < len(last.cells):
                        last.cells[i].text += " " + c
                continue
            if cur_table is not None:
                cur_table.rows.append(Row(cells=[Cell(text=c, col=i, page=page) for i, c in enumerate(cells)], page=page))
            continue
        if not line or line.startswith(":::") or line.startswith("Nơi nhận"):
            continue
        if re.match(r"^(?:- )?(?:VPTW|Như|Lưu|Các UV|Văn phòng Chính phủ;|Bộ Công an;)", line):
            continue
        m = re.match(r"^Điều\s+(\d+)\.\s*(.*)", line)
        if m:
            add(1, Section(kind="article", path=f"Điều {m.group(1)}", label=f"Điều {m.group(1)}.", heading=m.group(2)[:80],
                           text=m.group(2), page=page, paragraphs=[Paragraph(text=m.group(2), page=page)]))
            continue
        m = re.match(r"^([IVX]+)\.\s+(.*)", line)
        if m:
            add(1, Section(kind="roman", path=m.group(1), label=m.group(1) + ".", heading=m.group(2), text=m.group(2), page=page))
            continue
        m = re.match(r"^(\d+(?:\.\d+)?)\.\s*(.*)", line)
        if m:
            num = m.group(1)
            level = 2 + num.count(".")
            parent = [s for lv, s in stack if s.kind == "roman"]
            path = f"{parent[-1].path}.{num}" if parent and level == 2 else num
            rest = m.group(2)
            heading = re.split(r"(?<=[.:])\s", rest)[0]
            add(level, Section(kind="arabic", path=path, label=num + ".", heading=heading, text=rest, page=page,
                               paragraphs=[Paragraph(text=rest, page=page)] if rest else []))
            continue
        m = re.match(r"^([a-zđ])\)\s*(.*)", line)
        if m:
            parent = stack[-1][1] if stack[-1][1].kind != "letter" else stack[-2][1]
            add(5, Section(kind="letter", path=f"{parent.path}.{m.group(1)}", label=m.group(1) + ")", heading=m.group(2)[:80],
                           text=m.group(2), page=page, paragraphs=[Paragraph(text=m.group(2), page=page)]))
            continue
        m = re.match(r"^[-–]\s+(.*)", line)
        if m and len(stack) > 1:
            parent = stack[-1][1] if stack[-1][1].kind != "bullet" else stack[-2][1]
            add(6, Section(kind="bullet", path=parent.path, label="-", heading="", text=m.group(1), page=page,
                           paragraphs=[Paragraph(text=m.group(1), page=page)]))
            continue
        if re.fullmatch(r"(?:CHỈ THỊ|QUYẾT ĐỊNH:?|KẾ HOẠCH|THÔNG BÁO|Phụ lục|CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH)", line):
            continue
        target = stack[-1][1]
        if target.kind == "bullet":
            stack.pop()
            target = stack[-1][1]
        if target.kind == "root" and re.match(r"^(?:Căn cứ|Theo đề nghị|\(Ban hành|\(Kèm|DANH MỤC)", line):
            continue
        target.paragraphs.append(Paragraph(text=line, page=page))
    doc = Document(path=str(md_path), source_file=md_path.stem + ".pdf")
    from extractors.structure.tables import table_columns, task_rows

    for t in tables:     # task rows as the structure stage makes them (cells mapped to column roles)
        root.children.extend(task_rows(t, table_columns(t)))
    return Directive(document=doc, header=Header(province=province), root=root)


def fast_score(export: Path, gold: Path) -> str:
    """score.py's table, with its fuzzy snippet matcher short-cut: a window is compared only
    when the snippet's words mostly occur in the predicted text (a ratio >= 0.85 needs that).
    Verbatim matches are unchanged, so the figures equal score.py's on digital text."""
    import importlib.util
    import io
    from contextlib import redirect_stdout
    spec = importlib.util.spec_from_file_location("score", SHARED / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    slow = score.contains

    def contains(snippet, text, floor=0.0):
        a, b = score.text_norm(snippet), score.text_norm(text)
        if a and a in b:
            return 1.0
        aw = set(a.split())
        if not aw or len(aw & set(b.split())) < 0.6 * len(aw):
            return 0.0
        return slow(snippet, text, floor=floor)

    score.contains = contains
    buf = io.StringIO()
    with redirect_stdout(buf):
        score.main([str(export), str(gold)])
    return buf.getvalue()


def run(files, gold: Path, md: bool, out: Path, scan: bool):
    from extractors.obligations import extract_obligations
    docs, timings = [], []
    for f in files:
        t0 = time.time()
        if md:
            directive = directive_from_md(f)
            src = f.stem + ("-scan" if scan else "") + ".pdf"
        else:
            from extractors.reading import read_document
            from extractors.structure import parse_directive
            directive = parse_directive(read_document(f))
            src = f.name
        t1 = time.time()
        extraction = extract_obligations(directive)
        timings.append((src, t1 - t0, time.time() - t1))
        docs.append(_export_doc(src, directive, extraction))
    out.write_text(json.dumps({"format": "register-export/1", "documents": docs}, ensure_ascii=False, indent=1),
                   encoding="utf-8")
    print(fast_score(out, gold))
    for src, a, b in timings:
        print(f"  {src}: read+structure {a:.1f}s, obligations {b:.1f}s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scan", action="store_true")
    ap.add_argument("--md", action="store_true")
    ap.add_argument("--gold", default=str(SHARED / "gold"))
    ap.add_argument("--pdfs", default=str(SHARED / "pdf"))
    ap.add_argument("--out", default="/tmp/eval_obligations.json")
    a = ap.parse_args()
    gold = Path(a.gold)
    stems = sorted(p.stem for p in gold.glob("*.json"))
    if a.md:
        files = [SHARED / "src" / f"{s}.md" for s in stems]
    else:
        files = []
        for s in stems:
            cands = [Path(a.pdfs) / f"{s}-scan.pdf"] if a.scan else [Path(a.pdfs) / f"{s}{ext}" for ext in (".pdf", ".docx")]
            files += [c for c in cands if c.exists()][:1]
    files = [f for f in files if f.exists()]
    run(files, gold, a.md, Path(a.out), a.scan)


if __name__ == "__main__":
    main()
