"""Stable ids and matching keys (pure; no database).

- A document's id is the first 16 hex digits of its file's sha256: the same bytes always get
  the same id, in any register.
- An obligation's id is derived from the document id, its ref and its normalised text, plus an
  ordinal for rows that are otherwise identical (two equal table rows stay two obligations).
  Re-extraction of the same document therefore finds the same ids, and the staff data on them.
- The matching keys (unit, obligation text, document symbol) are extractors/keys.py's: the
  register compares with the same keys the extractors use.
"""
from __future__ import annotations

import gc
import hashlib

from extractors.keys import text_key
from extractors.text import collapse_ws


def document_id(sha256: str) -> str:
    return sha256[:16].lower()


def obligation_id(doc_id: str, ref: str | None, text: str, ordinal: int = 0) -> str:
    return obligation_id_for_key(doc_id, ref, text_key(text), ordinal)


def obligation_id_for_key(doc_id: str, ref: str | None, key: str, ordinal: int = 0) -> str:
    payload = f"{doc_id}\x1f{(ref or '').strip()}\x1f{key}\x1f{ordinal}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def clean_unit(name: str | None) -> str:
    return collapse_ws(name or "")


class no_gc:
    """Pause the cyclic garbage collector while building large, acyclic-ish structures (the
    whole graph, a 100,000-obligation export): CPython's full collections otherwise run again
    and again over every live object and make the build quadratic."""

    def __enter__(self):
        self._was = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc):
        if self._was:
            gc.enable()
        return False
