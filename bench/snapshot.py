"""Snapshot what the extractors say about a set of documents, and diff two snapshots.

    .venv/bin/python bench/snapshot.py take SET [SET ...] -o FILE.jsonl [--no-cache]
    .venv/bin/python bench/snapshot.py diff BEFORE.jsonl AFTER.jsonl [--no-refs]
    .venv/bin/python bench/snapshot.py export SNAPSHOT.jsonl -o EXPORT.json   # then ../shared/eval/score.py EXPORT.json GOLD_DIR

SETs: eval (the five born-digital evaluation PDFs), eval-scan, samples (corpora/samples/pdf),
real-text (corpus-real files with a text layer, MANIFEST has_text_layer=yes), real-scan (the
other corpus-real documents), real (both), or a path to a file or folder.  The set of 29
documents used in the closing notes is `eval samples real-text`.

Reading (OCR included) is cached by file digest and a fingerprint of extractors/reading, in
~/.cache/chidao-snapshot, so re-taking a snapshot after a structure or obligations change
costs seconds, not the OCR's minutes.  One JSON line per document: header fields, then its
obligations (ref, page, text, lead, support, deadline, targets, output, flags).
"""
from __future__ import annotations

import argparse
import csv
import re
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
CACHE = Path.home() / ".cache" / "chidao-snapshot"
DOC_SUFFIXES = {".pdf", ".docx", ".jpg", ".jpeg", ".png", ".tif", ".tiff"}


def _manifest() -> dict[str, str]:
    path = SHARED / "corpus-real" / "MANIFEST.tsv"
    with open(path, encoding="utf-8") as fh:
        return {r["file"]: r["has_text_layer"] for r in csv.DictReader(fh, delimiter="\t")}


def files_of(name: str) -> list[Path]:
    real = SHARED / "corpus-real"
    if name == "eval":
        return sorted(p for p in (SHARED / "eval" / "pdf").glob("seed-*.pdf") if not p.stem.endswith("-scan"))
    if name == "eval-scan":
        return sorted((SHARED / "eval" / "pdf").glob("seed-*-scan.pdf"))
    if name == "samples":
        return sorted(p for p in (ROOT / "corpora" / "samples" / "pdf").iterdir() if p.suffix in DOC_SUFFIXES)
    if name in ("real-text", "real-scan", "real"):
        has_text = _manifest()
        out = [real / f for f, t in has_text.items() if Path(f).suffix.lower() in DOC_SUFFIXES]
        if name != "real":
            out = [p for p in out if (has_text[p.name] == "yes") == (name == "real-text")]
        return sorted(out)
    p = Path(name)
    if p.is_dir():
        return sorted(f for f in p.rglob("*") if f.suffix.lower() in DOC_SUFFIXES)
    return [p]


def _code_fingerprint(folder: Path) -> str:
    """The reader's code: its folder, plus what it imports from outside it (the text normaliser and
    the types every page is made of)."""
    h = hashlib.sha256()
    for f in [*sorted(folder.rglob("*.py")), ROOT / "extractors" / "text.py", ROOT / "extractors" / "types.py"]:
        h.update(f.read_bytes())
    # the OCR's models (post-correction's syllables, the digit shapes) are part of what reading does
    for f in [*sorted((ROOT / "corpora" / "lm").glob("*")), *sorted((ROOT / "corpora" / "digits").glob("*"))]:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def read_cached(path: Path, use_cache: bool = True):
    from extractors.reading import read_document
    from extractors.types import Document

    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:24]
    key = CACHE / f"{digest}-{_code_fingerprint(ROOT / 'extractors' / 'reading')}.json"
    if use_cache and key.exists():
        return Document.model_validate_json(key.read_text(encoding="utf-8"))
    doc = read_document(path, timeout=900)   # a loaded machine must not turn into OCR timeouts
    if use_cache and not any("timeout" in e.code for e in doc.errors):
        CACHE.mkdir(parents=True, exist_ok=True)
        key.write_text(doc.model_dump_json(), encoding="utf-8")
    return doc


def snapshot_one(path: Path, use_cache: bool = True) -> dict:
    from extractors.obligations import extract_obligations
    from extractors.structure import parse_directive

    doc = read_cached(path, use_cache)
    row: dict = {"file": path.name, "status": doc.status}
    if doc.status == "failed":
        row["errors"] = [e.code for e in doc.errors]
        return row
    directive = parse_directive(doc)
    extraction = extract_obligations(directive)
    h = directive.header
    from extractors.structure import export_type

    row.update(type=export_type(h.type), number=h.number, issuer=h.issuer,
               issued_on=str(h.issued_on) if h.issued_on else None, place=h.place, title=h.title,
               signer=h.signer, citations=[c.number for c in directive.citations],
               targets=[t.raw for t in extraction.targets])
    row["obligations"] = [
        {"ref": o.ref, "page": o.page, "text": o.text, "lead": o.lead_units, "support": o.support_units,
         "deadline": o.deadline.model_dump(mode="json", exclude={"start"}) if o.deadline else None,
         "targets": [f"{t.kind}:{t.value}{t.unit}" for t in o.targets], "output": o.output, "flags": o.flags}
        for o in extraction.obligations]
    return row


def take(sets: list[str], out: Path, use_cache: bool) -> None:
    files = [f for s in sets for f in files_of(s)]
    with open(out, "w", encoding="utf-8") as fh:
        for f in files:
            row = snapshot_one(f, use_cache)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            print(f"{f.name}: {len(row.get('obligations', []))} obligations", file=sys.stderr)


def _short(o: dict, refs: bool = True) -> str:
    dl = o.get("deadline") or {}
    when = dl.get("due") or dl.get("recurrence") or ("raw:" + dl["raw"] if dl.get("raw") else "-")
    return (f"[{o.get('ref') if refs else ''}] lead={o.get('lead')} sup={o.get('support')} due={when} "
            f"flags={o.get('flags')} :: {o.get('text', '')[:110]}")


def export(snapshot: Path, out: Path) -> None:
    """The snapshot as a register-export/1 file, for the evaluation's score.py (the register's own
    export adds ids and hashes; the fields score.py reads are the same)."""
    docs = []
    for r in map(json.loads, open(snapshot, encoding="utf-8")):
        if r.get("status") == "failed":
            continue
        docs.append({
            "source_file": r["file"], **{k: r.get(k) for k in ("type", "number", "issuer", "issued_on", "place", "title", "signer")},
            "citations": [{"number": c} for c in r.get("citations", [])],
            "targets": [],
            "obligations": [{"ref": o["ref"], "page": o["page"], "text": o["text"], "lead_units": o["lead"],
                             "support_units": o["support"], "deadline": o["deadline"], "output": o["output"],
                             "targets": [{"kind": t.split(":")[0], "value": float(re.match(r"[\d.]+", t.split(":")[1]).group(0)),
                                          "unit": "%" if t.endswith("%") else "count"} for t in o["targets"]]}
                            for o in r.get("obligations", [])]})
    out.write_text(json.dumps({"format": "register-export/1", "documents": docs}, ensure_ascii=False), encoding="utf-8")


def diff(before: Path, after: Path, refs: bool = True) -> int:
    load = lambda p: {r["file"]: r for r in map(json.loads, open(p, encoding="utf-8"))}  # noqa: E731
    a, b = load(before), load(after)
    changed = 0
    only = sorted(set(a) ^ set(b))
    if only:
        print(f"(in one snapshot only, not compared: {', '.join(only)})")
    for name in sorted(set(a) & set(b)):
        ra, rb = a[name], b[name]
        head = [k for k in ("type", "number", "issuer", "issued_on", "signer", "citations", "targets")
                if ra.get(k) != rb.get(k)]
        oa = [_short(o, refs) for o in ra.get("obligations", [])]
        ob = [_short(o, refs) for o in rb.get("obligations", [])]
        gone = [x for x in oa if x not in ob]
        new = [x for x in ob if x not in oa]
        if not head and not gone and not new:
            continue
        changed += 1
        print(f"== {name}: {len(oa)} -> {len(ob)} obligations")
        for k in head:
            print(f"   {k}: {ra.get(k)!r} -> {rb.get(k)!r}")
        for x in gone:
            print(f"   - {x}")
        for x in new:
            print(f"   + {x}")
    print(f"{changed} of {len(set(a) & set(b))} documents differ")
    return 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("take")
    t.add_argument("sets", nargs="+")
    t.add_argument("-o", "--out", type=Path, required=True)
    t.add_argument("--no-cache", action="store_true")
    d = sub.add_parser("diff")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    d.add_argument("--no-refs", action="store_true", help="compare obligations without their refs (paths renumbered)")
    e = sub.add_parser("export", help="the snapshot as register-export/1 JSON (score it with ../shared/eval/score.py)")
    e.add_argument("snapshot", type=Path)
    e.add_argument("-o", "--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.cmd == "take":
        take(args.sets, args.out, not args.no_cache)
        return 0
    if args.cmd == "export":
        export(args.snapshot, args.out)
        return 0
    return diff(args.before, args.after, refs=not args.no_refs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
