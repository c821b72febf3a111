"""Is the confidence honest?  On annotated documents, obligations with lower confidence should be
more often wrong.  A bench, not a test: it prints, per bucket of confidence, how many
obligations fall in it and the share that is right, and per reason how often an obligation
carrying it is right.

usage: .venv/bin/python bench/calibrate_confidence.py [SET ...] [--json] [--no-cache]
       .venv/bin/python bench/calibrate_confidence.py --export EXPORT.json --gold DIR [--json]

SETs (default: real eval eval-scan):
  real       the real development set: corpora/real-gold against ../shared/corpus-real
  eval       the evaluation set, born-digital (../shared/eval/pdf, gold ../shared/eval/gold)
  eval-scan  the evaluation set's scanned copies

--export labels a register's own export (`chidao export --format json`, as ../shared/eval/run.sh
makes it) instead: the confidence as the register stores it, documents matched to DIR's gold by
file stem (a trailing -scan ignored), as score.py matches them.

An extracted obligation is *right* when it is one of the gold's obligations (aligned as
../shared/eval/score.py aligns them: the gold snippet found in its text), with the same lead
units and the same deadline (due, recurrence, day) as the gold; *wrong* otherwise: not in the
gold, wrong or missing lead unit, wrong deadline.  Reading (OCR included) is cached as in
bench/snapshot.py, so a second run costs the structure and obligations stages only.
The weights are not fitted to these figures: they are the named constants of
extractors/obligations/confidence.py, and this script only checks their order.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SHARED = ROOT.parent / "shared"
BUCKETS = [(0.0, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 0.95), (0.95, 1.01)]


def _score_module():
    spec = importlib.util.spec_from_file_location("eval_score", SHARED / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _real_gold() -> Path:
    here = ROOT / "corpora" / "real-gold"
    return here if here.is_dir() else ROOT.parent / "main" / "corpora" / "real-gold"


def documents(name: str) -> list[tuple[Path, Path]]:
    """(file, gold JSON) pairs of a set."""
    if name == "real":
        gold, folder, suffix = _real_gold(), SHARED / "corpus-real", ""
    elif name in ("eval", "eval-scan"):
        gold, folder, suffix = SHARED / "eval" / "gold", SHARED / "eval" / "pdf", "-scan" if name == "eval-scan" else ""
    else:
        raise SystemExit(f"unknown set {name!r}: real, eval or eval-scan")
    out = []
    for g in sorted(gold.glob("*.json")):
        for ext in (".pdf", ".docx", ".jpg", ".png"):
            f = folder / f"{g.stem}{suffix}{ext}"
            if f.exists():
                out.append((f, g))
                break
    return out


def label(pred: list[dict], gold: dict, sc) -> list[dict]:
    """Each predicted obligation with its confidence, reasons and what is right about it."""
    gobs = gold.get("obligations", [])
    cands = []
    for i, go in enumerate(gobs):
        for j, po in enumerate(pred):
            s = sc.contains(go.get("text"), po["text"], floor=0.85)
            if s >= 0.85:
                cands.append((s, -abs(len(sc.text_norm(po["text"]))), i, j))
    cands.sort(reverse=True)
    used_g, match = set(), {}
    for _, _, i, j in cands:
        if i not in used_g and j not in match:
            used_g.add(i)
            match[j] = gobs[i]
    out = []
    for j, po in enumerate(pred):
        go = match.get(j)
        lead = go is not None and {sc.unit_norm(u) for u in go.get("lead_units", [])} == {
            sc.unit_norm(u) for u in po["lead_units"]}
        deadline = go is not None and sc.deadline_key(go.get("deadline")) == sc.deadline_key(po["deadline"])
        out.append({**po, "in_gold": go is not None, "lead_ok": lead, "deadline_ok": deadline,
                    "right": go is not None and lead and deadline})
    return out


def extract(path: Path, use_cache: bool) -> list[dict]:
    from extractors.obligations import extract_obligations
    from extractors.structure import parse_directive
    from snapshot import read_cached

    doc = read_cached(path, use_cache)
    if doc.status == "failed":
        return []
    ex = extract_obligations(parse_directive(doc))
    return [{"text": o.text, "lead_units": o.lead_units, "confidence": o.confidence,
             "reasons": [r.code for r in o.confidence_reasons],
             "deadline": None if o.deadline is None else {
                 "due": o.deadline.due.isoformat() if o.deadline.due else None,
                 "recurrence": o.deadline.recurrence, "day": o.deadline.day}} for o in ex.obligations]


def from_export(export: Path, gold_dir: Path, sc) -> list[dict]:
    """Labelled obligations of a register export (register-export/1 with the optional confidence)."""
    data = json.loads(export.read_text(encoding="utf-8"))
    golds = {g.stem: json.loads(g.read_text(encoding="utf-8")) for g in gold_dir.glob("*.json")}
    rows: list[dict] = []
    for d in data["documents"]:
        stem = Path(d["source_file"]).stem.removesuffix("-scan")
        if stem not in golds:
            continue
        g = golds[stem]
        pred = [{"text": o["text"], "lead_units": o["lead_units"], "confidence": o.get("confidence"),
                 "reasons": [r["code"] for r in o.get("confidence_reasons") or []], "deadline": o["deadline"]}
                for o in d["obligations"]]
        missing = [p for p in pred if p["confidence"] is None]
        if missing:
            raise SystemExit(f"{d['source_file']}: {len(missing)} obligations without a confidence in the export")
        labelled = label(pred, g["documents"][0] if "documents" in g else g, sc)
        for r in labelled:
            r["file"] = d["source_file"]
        rows.extend(labelled)
    return rows


def auc(rows: list[dict]) -> float | None:
    """Probability that a right obligation has a higher confidence than a wrong one (ties count half)."""
    right = [r["confidence"] for r in rows if r["right"]]
    wrong = [r["confidence"] for r in rows if not r["right"]]
    if not right or not wrong:
        return None
    wins = sum((a > b) + 0.5 * (a == b) for a in right for b in wrong)
    return wins / (len(right) * len(wrong))


def table(rows: list[dict]) -> dict:
    buckets = []
    for lo, hi in BUCKETS:
        inside = [r for r in rows if lo <= r["confidence"] < hi]
        n = len(inside)
        buckets.append({
            "bucket": f"[{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}", "n": n,
            "right": round(sum(r["right"] for r in inside) / n, 3) if n else None,
            "in_gold": round(sum(r["in_gold"] for r in inside) / n, 3) if n else None,
            "lead_ok": round(sum(r["lead_ok"] for r in inside) / n, 3) if n else None,
            "deadline_ok": round(sum(r["deadline_ok"] for r in inside) / n, 3) if n else None,
        })
    by_reason: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        for code in r["reasons"] or ["(none)"]:
            by_reason[code].append(r)
    reasons = {code: {"n": len(rs), "right": round(sum(r["right"] for r in rs) / len(rs), 3),
                      "mean_confidence": round(sum(r["confidence"] for r in rs) / len(rs), 3)}
               for code, rs in sorted(by_reason.items(), key=lambda kv: -len(kv[1]))}
    a = auc(rows)
    return {"n": len(rows), "right": round(sum(r["right"] for r in rows) / len(rows), 3) if rows else None,
            "auc": round(a, 3) if a is not None else None, "buckets": buckets, "reasons": reasons}


def _print(name: str, t: dict) -> None:
    print(f"\n== {name}: {t['n']} obligations, {t['right']} right, AUC {t['auc']}")
    print(f"   {'confidence':<14}{'n':>5}{'right':>8}{'in gold':>9}{'lead ok':>9}{'deadline ok':>13}")
    for b in t["buckets"]:
        fmt = lambda v: "-" if v is None else f"{v:.3f}"   # noqa: E731
        print(f"   {b['bucket']:<14}{b['n']:>5}{fmt(b['right']):>8}{fmt(b['in_gold']):>9}{fmt(b['lead_ok']):>9}"
              f"{fmt(b['deadline_ok']):>13}")
    print(f"   {'reason':<26}{'n':>5}{'right':>8}{'mean conf.':>12}")
    for code, r in t["reasons"].items():
        print(f"   {code:<26}{r['n']:>5}{r['right']:>8.3f}{r['mean_confidence']:>12.3f}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="*", default=["real", "eval", "eval-scan"])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--export", type=Path, help="a register export to label instead of extracting")
    ap.add_argument("--gold", type=Path, help="with --export: the gold folder")
    args = ap.parse_args(argv)
    sc = _score_module()
    per_set: dict[str, list[dict]] = {}
    if args.export:
        if not args.gold:
            ap.error("--export needs --gold")
        per_set[args.export.name] = from_export(args.export, args.gold, sc)
    for name in ([] if args.export else args.sets):
        rows: list[dict] = []
        for path, gold_path in documents(name):
            g = json.loads(gold_path.read_text(encoding="utf-8"))
            gold = g["documents"][0] if "documents" in g else g
            labelled = label(extract(path, not args.no_cache), gold, sc)
            for r in labelled:
                r["file"] = path.name
            rows.extend(labelled)
            print(f"{path.name}: {len(labelled)} obligations, {sum(r['right'] for r in labelled)} right",
                  file=sys.stderr)
        per_set[name] = rows
    result = {name: table(rows) for name, rows in per_set.items()}
    result["all"] = table([r for rows in per_set.values() for r in rows])
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        for name, t in result.items():
            _print(name, t)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
