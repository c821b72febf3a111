"""The matching keys: one function per concept, used by every stage and by the register.

Two strings "are the same X" exactly when their X key is equal.  Nothing else in the code
base defines a key for these concepts (tests/core/test_keys.py fails if one appears):

- `unit_key(name)`: a unit name (a body, a group, a position).  Ignores what typists and
  OCR vary without changing the unit: abbreviations (UBND = Ủy ban nhân dân, Sở TT&TT =
  Sở Thông tin và Truyền thông, from corpora/abbreviations.jsonl), case, tone-mark placement
  (Uỷ = Ủy, hoá = hóa), whitespace and punctuation (Lao động - Thương binh = Lao động,
  Thương binh = Lao động-Thương binh).  Diacritics are kept: the register is read by people
  who type them, and folding them would merge distinct names (Sở Tư pháp / a "Sở Tu phap"
  that is an OCR misreading is found by extractors.units' folded fallback instead, where a
  wrong merge can be checked against the gazetteer).
- `text_key(text)`: an obligation's text as compared for identity.  Ignores case, tone-mark
  placement and whitespace only: punctuation and diacritics change what a task says
  ("hoàn thành" vs "hoàn thanh" is an OCR error staff should see as a new text).  Obligation
  ids hash this key (models/keys.py), so it must never change: a register's staff data is
  found again by id after re-extraction.
- `words_key(text)`: the words of a task's text, for telling whether two renderings of one
  task say the same (a body item and its appendix-table row, which has no closing full stop;
  an OCR copy that lost a diacritic): punctuation, diacritics and case ignored.  A comparison
  inside one extraction, never an identity: nothing stores or hashes it.
- `symbol_key(number)`: a document's number and symbol (06/QĐ-TTg).  Ignores case, Đ/D and
  every other diacritic, spaces and dash variants (OCR and typists write 06/QD-TTG, 06 / qđ –
  ttg): two symbols with the same key are the same document's, given the same date.

`structure.common.normalize_symbol` is not a key: it gives the display form of a printed
symbol (codes restored: 06/QD-TTG -> 06/QĐ-TTg); its key is the key of what it returns.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from extractors import gazetteer
from extractors.text import casefold_key, collapse_ws, fold_diacritics, normalize_text

__all__ = ["unit_key", "text_key", "words_key", "symbol_key", "expand_abbreviations"]

_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACES = re.compile(r"\s+")
# Punctuation that separates the words of a unit name without changing the unit.
_UNIT_PUNCT = re.compile(r"[.,;:&\-\u2010-\u2015\u2212()\[\]\"“”'‘’/]")


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[tuple[str, re.Pattern, str], ...]:
    """(the abbreviation's first word, its pattern, its expansion), longest first: the pattern
    cannot match a text without that word in it, so most are skipped without running them."""
    out = []
    recs = sorted(gazetteer.load("abbreviations.jsonl"), key=lambda r: len(r["abbreviation"]), reverse=True)
    for r in recs:
        if r.get("kind", "unit") != "unit":
            continue
        ab = re.escape(r["abbreviation"]).replace(r"\ ", r"\s+")
        # never inside a document's symbol: `1441/QĐ-UBND`, `6717/UBND-NC` keep their code
        out.append((r["abbreviation"].split(" ")[0], re.compile(rf"(?<![\w&/])(?<![A-ZĐ]-){ab}(?![\w&])"),
                    r["expansion"]))
    return tuple(out)


def expand_abbreviations(text: str) -> str:
    """UBND -> Ủy ban nhân dân, Sở TT&TT -> Sở Thông tin và Truyền thông, ... (case-sensitive:
    abbreviations are printed in capitals; "Ca" or "tu" in a word never match)."""
    for word, rx, rep in _abbreviations():
        if word in text:
            text = rx.sub(rep, text)
    return text


@lru_cache(maxsize=65536)
def unit_key(name: Optional[str]) -> str:
    """Matching key of a unit name: abbreviations expanded, NFC, one tone placement, case,
    whitespace and punctuation ignored.  "" for no name."""
    s = expand_abbreviations(collapse_ws(name or ""))
    s = _UNIT_PUNCT.sub(" ", normalize_text(s).casefold())
    return _SPACES.sub(" ", s).strip()


def text_key(text: Optional[str]) -> str:
    """Matching key of an obligation's text: NFC, one tone placement, case and whitespace
    ignored (nothing else: obligation ids hash it)."""
    return casefold_key(text or "")


def words_key(text: Optional[str]) -> str:
    """The words of a text, folded: no diacritics (đ -> d), no case, no punctuation."""
    return re.sub(r"\W+", " ", fold_diacritics(text or "").casefold()).strip()


def symbol_key(number: Optional[str]) -> Optional[str]:
    """Matching key of a document number/symbol: '06/QĐ-TTg' -> '06/qd-ttg'; None for none.
    (Also applied to a whole text, to find a symbol in it: the same key, not cached.)"""
    if not number:
        return None
    return _symbol_key(number) if len(number) <= 64 else _symbol_key.__wrapped__(number)


@lru_cache(maxsize=65536)
def _symbol_key(number: str) -> Optional[str]:
    s = normalize_text(number)
    s = _DASHES.sub("-", s)
    s = fold_diacritics(s).casefold()
    s = _SPACES.sub("", s)
    return s or None
