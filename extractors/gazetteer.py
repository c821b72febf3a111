"""The one loader for the data in corpora/: gazetteers kept as JSONL (one object a line) or CSV.

Stages never hard-code lists of units, abbreviations, document types or programmes: they ask
this module, which reads the file once and caches it.
"""
from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path

from extractors.text import normalize_text

CORPORA = Path(__file__).resolve().parent.parent / "corpora"


class GazetteerError(ValueError):
    """A data file in corpora/ is malformed (a bug in the data, reported with file and line)."""


def _clean(value):
    if isinstance(value, str):
        return normalize_text(value).strip()
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


@lru_cache(maxsize=None)
def load(name: str) -> tuple[dict, ...]:
    """Records of corpora/NAME (.jsonl or .csv), text NFC and tone-normalised.  Lines starting
    with // in a JSONL file are comments."""
    path = CORPORA / name
    if not path.exists():
        raise GazetteerError(f"{path}: no such gazetteer")
    records = []
    if path.suffix == ".jsonl":
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                records.append(_clean(json.loads(line)))
            except json.JSONDecodeError as exc:
                raise GazetteerError(f"{path}:{lineno}: {exc.msg}") from None
    elif path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            records = [_clean(row) for row in csv.DictReader(fh)]
    else:
        raise GazetteerError(f"{path}: gazetteers are .jsonl or .csv")
    return tuple(records)


def available() -> list[str]:
    return sorted(p.name for p in CORPORA.iterdir() if p.suffix in (".jsonl", ".csv"))
