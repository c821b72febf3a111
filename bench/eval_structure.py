"""Score the structure stage (header fields, citations, implements) on the evaluation set.

usage: .venv/bin/python bench/eval_structure.py [--scan] [--both] [--show] [--eval DIR]

Runs read_document + parse_directive on ../shared/eval/pdf/seed-00N.pdf (and/or the -scan copies) and
compares with ../shared/eval/gold/*.json the way ../shared/eval/score.py does: document fields
(type, number, issuer, issued_on, place, signer), citations F1 (printed ones; an unprinted
implemented programme is not a false citation), implements recall.  Not a test: prints figures.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors.reading import read_document  # noqa: E402
from extractors.structure import export_type, parse_directive  # noqa: E402
from extractors.types import Document  # noqa: E402

CACHE: Path | None = None


def read_cached(path: Path) -> Document:
    """read_document, with the Document kept as JSON in --cache DIR (OCR of a scan takes minutes)."""
    if CACHE is None:
        return read_document(path)
    st = path.stat()
    key = CACHE / f"{path.name}.{st.st_size}.{int(st.st_mtime)}.json"
    if key.exists():
        return Document.model_validate_json(key.read_text(encoding="utf-8"))
    doc = read_document(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    key.write_text(doc.model_dump_json(), encoding="utf-8")
    return doc


def _score_module(eval_dir: Path):
    spec = importlib.util.spec_from_file_location("score", eval_dir / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def export_doc(directive) -> dict:
    h = directive.header
    return {
        "type": export_type(h.type),
        "number": h.number,
        "issuer": h.issuer,
        "issued_on": h.issued_on.isoformat() if h.issued_on else None,
        "place": h.place,
        "title": h.title,
        "signer": h.signer,
        "citations": [{"number": c.number, "type": c.type, "issued_on": c.issued_on.isoformat() if c.issued_on else None,
                       "relation": c.relation, "printed": c.printed} for c in directive.citations],
    }


def run(files: list[Path], gold_dir: Path, score, show: bool) -> dict:
    tot = {"fields_ok": 0, "fields_n": 0, "cit_tp": 0, "cit_pred": 0, "cit_gold": 0, "impl_tp": 0, "impl_gold": 0,
           "ref_ok": 0, "ref_n": 0}
    fields = ["type", "number", "issuer", "issued_on", "place", "signer"]
    for f in files:
        stem = f.stem.removesuffix("-scan")
        g = json.loads((gold_dir / f"{stem}.json").read_text(encoding="utf-8"))
        g = g["documents"][0] if "documents" in g else g
        t0 = time.time()
        doc = read_cached(f)
        t1 = time.time()
        dr = parse_directive(doc)
        t2 = time.time()
        p = export_doc(dr)
        r = score.score_doc(p, g)
        for k in r:
            if k in tot:
                tot[k] += r[k]
        bad = []
        for k in fields:
            gv, pv = g.get(k), p.get(k)
            if k == "number":
                ok = score.number_norm(gv) == score.number_norm(pv) if gv or pv else True
            elif k == "issuer":
                ok = score.unit_norm(gv) == score.unit_norm(pv)
            else:
                ok = score.text_norm(gv) == score.text_norm(pv)
            if not ok:
                bad.append(f"{k}: got {pv!r} want {gv!r}")
        gc = {score.number_norm(c["number"]) for c in g.get("citations", []) if c.get("printed", True)}
        pc = {score.number_norm(c["number"]) for c in p["citations"] if c["printed"]}
        print(f"{f.name:22s} fields {r['fields_ok']}/{r['fields_n']}  cit {r['cit_tp']}/{r['cit_pred']}p/{r['cit_gold']}g  "
              f"impl {r['impl_tp']}/{r['impl_gold']}  read {t1 - t0:.1f}s parse {t2 - t1:.2f}s  errors={[e.code for e in dr.errors]}")
        for b in bad:
            print("    field", b)
        for x in sorted(pc - gc):
            print("    extra citation", x)
        for x in sorted(gc - pc):
            print("    missed citation", x)
        # relation / type / date of the citations found, against the gold
        gmap = {score.number_norm(c["number"]): c for c in g.get("citations", [])}
        for c in p["citations"]:
            gcit = gmap.get(score.number_norm(c["number"]))
            if gcit:
                for k in ("type", "issued_on", "relation"):
                    if (gcit.get(k) or None) != (c.get(k) or None):
                        print(f"    citation {c['number']} {k}: got {c.get(k)!r} want {gcit.get(k)!r}")
        # section refs: does the section the gold names hold the obligation's text?
        def norm(t):
            return score.text_norm(t).replace("*", "")
        by_path = {}
        for s in dr.root.walk():
            if s.kind != "root":
                by_path.setdefault(s.path, []).append(s)
        root_text = norm(" ".join(p.text for p in dr.root.paragraphs))
        for go in g.get("obligations", []):
            ref, snip = go.get("ref"), norm(go.get("text"))
            tot["ref_n"] += 1
            if ref is None:
                hay = root_text + " " + " ".join(norm(s.text) for s in dr.root.walk() if s.kind in ("plan",))
            else:
                hay = " ".join(norm(x.text) for s in by_path.get(ref, []) for x in s.walk())
            if score.contains(snip, hay) >= 0.9:
                tot["ref_ok"] += 1
            elif show or True:
                print(f"    ref {ref!r} does not hold: {go.get('text')[:60]!r}")
        if show:
            print(json.dumps({k: p[k] for k in ("type", "number", "issuer", "issued_on", "place", "title", "signer")},
                             ensure_ascii=False, indent=1))
            for s in dr.root.walk():
                if s.kind != "root":
                    print(f"      {s.kind:9s} {s.path:10s} p{s.page} {s.role:12s} {s.heading[:70]!r}")
    return tot


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", default=str(ROOT.parent / "shared" / "eval"))
    ap.add_argument("--scan", action="store_true", help="the scanned copies only")
    ap.add_argument("--both", action="store_true", help="digital and scanned copies, side by side")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--cache", help="keep read Documents as JSON in this folder (re-runs skip OCR)")
    a = ap.parse_args()
    global CACHE
    CACHE = Path(a.cache) if a.cache else None
    ev = Path(a.eval)
    score = _score_module(ev)
    stems = sorted(p.stem for p in (ev / "gold").glob("seed-*.json"))
    if a.only:
        stems = [s for s in stems if s in a.only]
    runs = [("digital", "")] if not a.scan else []
    if a.scan or a.both:
        runs.append(("scan", "-scan"))
    rows = []
    for name, suffix in runs:
        files = [ev / "pdf" / f"{s}{suffix}.pdf" for s in stems if (ev / "pdf" / f"{s}{suffix}.pdf").exists()]
        print(f"== {name}")
        tot = run(files, ev / "gold", score, a.show)
        _, _, cf1 = score.f1(tot["cit_tp"], tot["cit_pred"], tot["cit_gold"])
        rows.append((name, tot["fields_ok"] / max(1, tot["fields_n"]), cf1,
                     tot["impl_tp"], tot["impl_gold"], tot["ref_ok"] / max(1, tot["ref_n"])))
    print()
    print(f"{'copy':8s} {'fields':>7s} {'cit F1':>7s} {'implements':>10s} {'refs':>6s}")
    for name, fa, cf1, it, ig, refs in rows:
        print(f"{name:8s} {fa:7.3f} {cf1:7.3f} {it:>4d}/{ig:<5d} {refs:6.3f}")
    print("refs: share of gold obligations whose text lies in the section their ref names (root for null)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
