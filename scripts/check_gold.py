"""Check the sample corpus's gold files against their sources, as the evaluation's annotators did.

    .venv/bin/python -m scripts.check_gold [GOLD.json ...]

For every gold file corpora/samples/gold/<stem>.json (register-export/1, one document):
- the required fields of the export format are there, with the right kinds of values;
- every obligation snippet has 8-20 whitespace-separated tokens and occurs in the source text
  (markup removed, whitespace collapsed), exactly once ignoring case and punctuation;
- every raw string (deadline raw, target raw) occurs in the source text;
- deadlines are consistent: `due` is a real date, recurrence and day have allowed values;
- obligation ids are unique, refs are non-empty (or null), units are written out (no
  abbreviations such as UBND, TT&TT, LĐ-TB&XH, BHXH, VP, GD&ĐT left in them).
Exit status 1 and one line per problem when something is wrong.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

from scripts.render_samples import SAMPLES, SRC_DIR, parse_source, plain_text
from extractors.text import collapse_ws

GOLD_DIR = SAMPLES / "gold"

DOC_FIELDS = {
    "id": (str, type(None)), "source_file": str, "sha256": (str, type(None)), "type": str,
    "number": (str, type(None)), "issuer": (str, type(None)), "issued_on": (str, type(None)),
    "place": (str, type(None)), "title": (str, type(None)), "signer": (str, type(None)),
    "citations": list, "targets": list, "obligations": list,
}
OBL_FIELDS = {
    "id": str, "ref": (str, type(None)), "page": (int, type(None)), "text": str, "lead_units": list,
    "support_units": list, "deadline": (dict, type(None)), "targets": list, "output": (str, type(None)),
}
DOC_TYPES = {"Chỉ thị", "Quyết định", "Kế hoạch", "Thông báo", "Công văn", "Nghị quyết", "Báo cáo",
             "Công điện", "Tin bài", "Khác"}
RELATIONS = {"basis", "implements", "cites"}
RECURRENCES = {None, "ongoing", "weekly", "monthly", "quarterly", "halfyearly", "yearly"}
ABBREVIATIONS = re.compile(r"\b(UBND|HĐND|UBMTTQ|MTTQ|BCS|BHXH|VP|VPUBND|KH&ĐT|TT&TT|LĐ-TB&XH|LĐTB&XH|"
                           r"GD&ĐT|TN&MT|NN&PTNT|NHNN|CAT)\b")


def source_path_for(gold: Path) -> Path:
    return SRC_DIR / f"{gold.stem}.md"


def _flat(text: str) -> str:
    return collapse_ws(text.replace("*", ""))


def _loose(text: str) -> str:
    """Case- and punctuation-free key for the uniqueness check."""
    t = re.sub(r"[^\w\s]", " ", _flat(text).casefold())
    return re.sub(r"\s+", " ", t).strip()


def _count(needle: str, hay: str) -> int:
    return len(re.findall(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", hay))


def _date_ok(value) -> bool:
    if value is None:
        return True
    try:
        dt.date.fromisoformat(value)
        return True
    except (TypeError, ValueError):
        return False


def _check_types(obj: dict, spec: dict, where: str, problems: list[str]) -> None:
    for key, kinds in spec.items():
        if key not in obj:
            problems.append(f"{where}: missing field '{key}'")
        elif not isinstance(obj[key], kinds):
            problems.append(f"{where}: field '{key}' has type {type(obj[key]).__name__}")


def _check_target(t: dict, where: str, flat: str, problems: list[str]) -> None:
    for key in ("raw", "value", "unit", "kind"):
        if key not in t:
            problems.append(f"{where}: target without '{key}'")
    if t.get("kind") not in ("target", "achieved"):
        problems.append(f"{where}: target kind {t.get('kind')!r}")
    if not isinstance(t.get("value"), (int, float)):
        problems.append(f"{where}: target value {t.get('value')!r} is not a number")
    if t.get("unit") == "count" and not t.get("subject"):
        problems.append(f"{where}: a count target needs a 'subject'")
    if t.get("raw") and _flat(t["raw"]) not in flat:
        problems.append(f"{where}: target raw not in source: {t['raw']!r}")


def check_file(gold: Path) -> list[str]:
    problems: list[str] = []
    name = gold.name
    try:
        data = json.loads(gold.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{name}: cannot read: {exc}"]
    if data.get("format") != "register-export/1":
        problems.append(f"{name}: format is {data.get('format')!r}")
    docs = data.get("documents") or []
    if len(docs) != 1:
        return problems + [f"{name}: expected exactly one document, found {len(docs)}"]
    doc = docs[0]
    _check_types(doc, DOC_FIELDS, name, problems)
    src = source_path_for(gold)
    if not src.exists():
        return problems + [f"{name}: no source {src}"]
    source = parse_source(src)
    flat = _flat(plain_text(source))
    loose = _loose(plain_text(source))
    if Path(doc.get("source_file") or "").stem != gold.stem:
        problems.append(f"{name}: source_file {doc.get('source_file')!r} does not match the gold file's name")
    if doc.get("type") not in DOC_TYPES:
        problems.append(f"{name}: type {doc.get('type')!r}")
    if not _date_ok(doc.get("issued_on")):
        problems.append(f"{name}: issued_on {doc.get('issued_on')!r}")
    if doc.get("title") and _flat(doc["title"]) not in flat:
        problems.append(f"{name}: title not in source")
    for c in doc.get("citations", []):
        if c.get("relation") not in RELATIONS:
            problems.append(f"{name}: citation {c.get('number')}: relation {c.get('relation')!r}")
        if not _date_ok(c.get("issued_on")):
            problems.append(f"{name}: citation {c.get('number')}: issued_on {c.get('issued_on')!r}")
        if c.get("printed", True) and c.get("number") and c["number"] not in flat:
            problems.append(f"{name}: citation {c['number']} is marked printed but is not in the source")
    for k, t in enumerate(doc.get("targets", [])):
        _check_target(t, f"{name}: document target {k + 1}", flat, problems)
    ids = set()
    for o in doc.get("obligations", []):
        where = f"{name}: {o.get('id')}"
        _check_types(o, OBL_FIELDS, where, problems)
        if o.get("id") in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(o.get("id"))
        text = o.get("text") or ""
        ntok = len(text.split())
        if not 8 <= ntok <= 20:
            problems.append(f"{where}: snippet has {ntok} tokens (8-20 wanted)")
        if _flat(text) not in flat:
            problems.append(f"{where}: snippet not in source: {text!r}")
        else:
            n = _count(_loose(text), loose)
            if n != 1 and not o.get("shared_snippet"):
                problems.append(f"{where}: snippet occurs {n} times (ignoring case and punctuation)")
        if o.get("ref") == "":
            problems.append(f"{where}: empty ref (use null)")
        for u in (o.get("lead_units") or []) + (o.get("support_units") or []):
            if ABBREVIATIONS.search(u):
                problems.append(f"{where}: unit still abbreviated: {u!r}")
            if u[:1] != u[:1].upper():
                problems.append(f"{where}: unit does not start with a capital: {u!r}")
        d = o.get("deadline")
        if d is not None:
            for key in ("raw", "due", "recurrence", "day"):
                if key not in d:
                    problems.append(f"{where}: deadline without '{key}'")
            if d.get("raw") and _flat(d["raw"]) not in flat:
                problems.append(f"{where}: deadline raw not in source: {d['raw']!r}")
            if not _date_ok(d.get("due")):
                problems.append(f"{where}: due {d.get('due')!r} is not a date")
            if d.get("recurrence") not in RECURRENCES:
                problems.append(f"{where}: recurrence {d.get('recurrence')!r}")
            if d.get("day") is not None and not isinstance(d.get("day"), int):
                problems.append(f"{where}: day {d.get('day')!r}")
            if d.get("due") and d.get("recurrence") not in (None,):
                problems.append(f"{where}: a recurring deadline keeps due null")
        for k, t in enumerate(o.get("targets") or []):
            _check_target(t, f"{where} target {k + 1}", flat, problems)
        if o.get("output") and _flat(o["output"]) not in flat:
            problems.append(f"{where}: output not in source: {o['output']!r}")
    return problems


def summary(gold: Path) -> dict:
    doc = json.loads(gold.read_text(encoding="utf-8"))["documents"][0]
    obs = doc["obligations"]
    in_obl = [t for o in obs for t in o["targets"]]
    return {
        "file": gold.name,
        "obligations": len(obs),
        "targets": sum(t["kind"] == "target" for t in in_obl + doc["targets"]),
        "achieved": sum(t["kind"] == "achieved" for t in in_obl + doc["targets"]),
        "citations": len(doc["citations"]),
        "deadlines": sum(o["deadline"] is not None for o in obs),
    }


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    files = [Path(a) for a in args] or sorted(GOLD_DIR.glob("*.json"))
    bad = 0
    for f in files:
        problems = check_file(f)
        for p in problems:
            print(p)
        bad += bool(problems)
        if not problems:
            s = summary(f)
            print(f"{s['file']}: ok — {s['obligations']} obligations, {s['targets']} targets / "
                  f"{s['achieved']} achieved, {s['citations']} citations, {s['deadlines']} deadlines")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
