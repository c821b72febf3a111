"""The search query normaliser: pure functions, no database.

A query typed by a clerk becomes a `SearchQuery`: folded terms (no diacritics, đ -> d, lower
case) that every backend matches, and — when the clerk did type diacritics — the exact terms
(tone placement normalised, lower case) used to rank exact hits first.

Kept apart from models/search.py so that the web page, the CLI and tests can normalise
without touching SQLAlchemy.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from extractors.text import fold_diacritics, normalize_text

# A term is a run of letters/digits; "06/QĐ-TTg" gives 06, qd, ttg, which is also what the
# full-text tokenizers of both backends produce for the stored text.
_TERM_RE = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 12   # a pasted paragraph must not turn into a 200-term query


def fold_key(text: str) -> str:
    """The matching key of a text: NFC, tone placement normalised, diacritics and đ folded,
    lower case, whitespace collapsed.  Idempotent."""
    folded = fold_diacritics(normalize_text(text or "")).casefold()
    return " ".join(folded.split())


def exact_key(text: str) -> str:
    """Lower case with diacritics kept, tone placement normalised (hoà == hòa)."""
    return " ".join(unicodedata.normalize("NFC", normalize_text(text or "")).casefold().split())


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese mark (đ included)."""
    decomposed = unicodedata.normalize("NFD", text or "")
    return any(unicodedata.combining(c) for c in decomposed) or "đ" in decomposed.casefold()


def terms(text: str) -> list[str]:
    """Folded search terms of a text, in order."""
    return _TERM_RE.findall(fold_key(text))


def exact_terms(text: str) -> list[str]:
    return _TERM_RE.findall(exact_key(text))


@dataclass(frozen=True)
class SearchQuery:
    raw: str
    terms: tuple[str, ...] = ()          # folded: what must match
    exact: tuple[str, ...] = ()          # with diacritics, only when the query had any
    phrase: bool = False                 # the query was quoted: terms must be adjacent
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def accented(self) -> bool:
        return bool(self.exact)

    def fts5(self) -> str:
        """The SQLite FTS5 MATCH expression over the folded column."""
        quoted = [f'"{t}"' for t in self.terms]
        if self.phrase:
            return '"' + " ".join(self.terms) + '"'
        return " AND ".join(quoted)

    def fts5_phrase(self) -> str:
        return '"' + " ".join(self.terms) + '"'

    def fts5_exact(self) -> str:
        return " AND ".join(f'"{t}"' for t in self.exact)

    def tsquery(self) -> str:
        """PostgreSQL to_tsquery('simple', ...) text over the folded terms."""
        joiner = " <-> " if self.phrase else " & "
        return joiner.join(self.terms)

    def tsquery_phrase(self) -> str:
        return " <-> ".join(self.terms)

    def tsquery_exact(self) -> str:
        return " & ".join(self.exact)


def parse_query(text: str) -> SearchQuery:
    """Normalise a typed query.  Quotes ask for a phrase; everything else is AND of terms.
    Terms are whole syllables: prefix matching would make `hoa` find every `kế hoạch`."""
    raw = text or ""
    stripped = raw.strip()
    phrase = len(stripped) > 1 and stripped[0] in "\"“" and stripped[-1] in "\"”"
    folded = terms(stripped)[:MAX_TERMS]
    exact: tuple[str, ...] = ()
    if has_diacritics(stripped):
        exact = tuple(exact_terms(stripped)[:MAX_TERMS])
    return SearchQuery(raw=raw, terms=tuple(folded), exact=exact, phrase=phrase)


def matches(query: SearchQuery | str, text: str) -> bool:
    """Reference semantics, in Python: every folded term is a whole term of the folded text
    (adjacent and in order for a phrase).  The backends implement the same rule."""
    q = parse_query(query) if isinstance(query, str) else query
    if q.empty:
        return True
    words = terms(text)
    if q.phrase:
        n = len(q.terms)
        return any(tuple(words[i:i + n]) == q.terms for i in range(len(words) - n + 1))
    have = set(words)
    return all(t in have for t in q.terms)


def exact_match(query: SearchQuery | str, text: str) -> bool:
    q = parse_query(query) if isinstance(query, str) else query
    if not q.exact:
        return False
    have = set(exact_terms(text))
    return all(t in have for t in q.exact)
