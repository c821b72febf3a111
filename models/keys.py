"""Stable ids and matching keys (pure; no database).

- A document's id is the first 16 hex digits of its file's sha256: the same bytes always get
  the same id, in any register.
- An obligation's id is derived from the document id, its ref and its normalised text, plus an
  ordinal for rows that are otherwise identical (two equal table rows stay two obligations).
  Re-extraction of the same document therefore finds the same ids, and the staff data on them.
- Document symbols ("06/QĐ-TTg") are matched through `symbol_key`: NFC, Đ/đ -> d, case,
  spaces and dash variants ignored, so "06/QD-TTg", "06/qđ-ttg" and "06 / QĐ – TTg" meet.
"""
from __future__ import annotations

import gc
import hashlib
import re
from functools import lru_cache

from extractors.text import casefold_key, collapse_ws, fold_diacritics, normalize_text

_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACES = re.compile(r"\s+")


def document_id(sha256: str) -> str:
    return sha256[:16].lower()


def text_key(text: str) -> str:
    """Obligation text as compared for identity: whitespace, case and tone placement ignored."""
    return casefold_key(text or "")


def obligation_id(doc_id: str, ref: str | None, text: str, ordinal: int = 0) -> str:
    return obligation_id_for_key(doc_id, ref, text_key(text), ordinal)


def obligation_id_for_key(doc_id: str, ref: str | None, key: str, ordinal: int = 0) -> str:
    payload = f"{doc_id}\x1f{(ref or '').strip()}\x1f{key}\x1f{ordinal}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=65536)
def symbol_key(number: str | None) -> str | None:
    """Matching key for a document number/symbol: '06/QĐ-TTg' -> '06/qd-ttg'."""
    if not number:
        return None
    s = normalize_text(number)
    s = _DASHES.sub("-", s)
    s = fold_diacritics(s).casefold()
    s = _SPACES.sub("", s)
    return s or None


@lru_cache(maxsize=65536)
def unit_key(name: str) -> str:
    """Matching key for a unit name (diacritics kept: Sở Y tế and Sở Xây dựng differ by them)."""
    return casefold_key(name or "")


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
