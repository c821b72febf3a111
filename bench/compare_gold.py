"""Where the extraction and a gold set disagree, obligation by obligation (a reading aid, not a score).

    .venv/bin/python bench/compare_gold.py SNAPSHOT.jsonl GOLD_DIR [--doc STEM ...] [--only lead|support|deadline|missing|extra]

SNAPSHOT is what `bench/snapshot.py take` wrote; GOLD_DIR holds register-export/1 gold files
(corpora/real-gold, ../shared/eval/gold).  Gold and predicted obligations are paired as the
evaluation's score.py pairs them (its snippet matcher, one to one), then every difference in lead
units, support units and deadline is printed, with the gold obligations nothing matched and the
predicted ones no gold matched.  The totals per kind of error tell which rule to look at; judge a
rule change on the figures of ../shared/eval/run.sh, on both sets, and on the unannotated documents.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

SCORE = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"


def _score_module():
    spec = importlib.util.spec_from_file_location("score", SCORE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _deadline(d: dict | None) -> tuple:
    return (d.get("due"), d.get("recurrence"), d.get("day")) if d else (None, None, None)


def compare(pred: dict, gold: dict, score, only: set[str]) -> Counter:
    counts: Counter = Counter()
    gobs, pobs = gold.get("obligations", []), pred.get("obligations", [])
    cands = []
    for i, go in enumerate(gobs):
        for j, po in enumerate(pobs):
            s = score.contains(go.get("text"), po.get("text"), floor=0.85)
            if s >= 0.85:
                cands.append((s, -len(po.get("text", "")), i, j))
    cands.sort(reverse=True)
    used_g, used_p, pairs = set(), set(), []
    for _, _, i, j in cands:
        if i not in used_g and j not in used_p:
            used_g.add(i), used_p.add(j)
            pairs.append((i, j))
    norm = lambda units: sorted(score.unit_norm(u) for u in units or [])  # noqa: E731
    for i, j in sorted(pairs):
        go, po = gobs[i], pobs[j]
        diffs = []
        if norm(go.get("lead_units")) != norm(po.get("lead")):
            counts["lead"] += 1
            diffs.append(("lead", f"gold {go.get('lead_units')}  got {po.get('lead')}"))
        if norm(go.get("support_units")) != norm(po.get("support")):
            counts["support"] += 1
            diffs.append(("support", f"gold {go.get('support_units')}  got {po.get('support')}"))
        if _deadline(go.get("deadline")) != _deadline(po.get("deadline")):
            counts["deadline"] += 1
            g, p = go.get("deadline") or {}, po.get("deadline") or {}
            diffs.append(("deadline", f"gold {_deadline(g)} {g.get('raw')!r}  got {_deadline(p)} {p.get('raw')!r}"))
        shown = [d for d in diffs if not only or d[0] in only]
        if shown:
            print(f"  [{go.get('ref')}] {go.get('text')[:90]}")
            for _, line in shown:
                print(f"      {line}")
    for i, go in enumerate(gobs):
        if i not in used_g:
            counts["missing"] += 1
            if not only or "missing" in only:
                print(f"  MISSING [{go.get('ref')}] lead={go.get('lead_units')} :: {go.get('text')[:100]}")
    for j, po in enumerate(pobs):
        if j not in used_p:
            counts["extra"] += 1
            if not only or "extra" in only:
                print(f"  EXTRA   [{po.get('ref')}] lead={po.get('lead')} :: {po.get('text')[:100]}")
    return counts


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("snapshot", type=Path)
    ap.add_argument("gold", type=Path)
    ap.add_argument("--doc", nargs="*", default=[])
    ap.add_argument("--only", nargs="*", default=[])
    args = ap.parse_args(argv)
    score = _score_module()
    preds = {Path(r["file"]).stem: r for r in map(json.loads, open(args.snapshot, encoding="utf-8"))}
    total: Counter = Counter()
    for g in sorted(args.gold.glob("*.json")):
        if args.doc and g.stem not in args.doc:
            continue
        gold = json.loads(g.read_text(encoding="utf-8"))["documents"][0]
        pred = preds.get(g.stem) or preds.get(g.stem + "-scan")
        if pred is None:
            continue
        print(f"== {g.stem}")
        c = compare(pred, gold, score, set(args.only))
        print(f"   {dict(c)}")
        total += c
    print(f"TOTAL {dict(total)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
