"""Vietnamese text normalisation shared by every stage.

All text that leaves a reader is NFC with one tone-mark placement (the "new style" that
puts the mark on the main vowel: hoà -> hòa, uỷ -> ủy, thuỷ -> thủy), so matching and
search never depend on the typist's keyboard or the PDF producer.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Old-style placement (mark on the first vowel of oa/oe/uy) -> new style.  Only applies
# when the diphthong ends the syllable: "hoàn" is already right and must not change.
_TONE_PAIRS = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_TONE_PAIRS.update({k.upper(): v.upper() for k, v in list(_TONE_PAIRS.items())})
_TONE_PAIRS.update({k[0].upper() + k[1]: v[0].upper() + v[1] for k, v in list(_TONE_PAIRS.items()) if k.islower()})
# The pairs as one character class per first letter ("o[àáạ…]"): the same strings as their
# alternation, matched four times faster.
_TONE_SECOND: dict[str, set[str]] = {}
for _pair in _TONE_PAIRS:
    _TONE_SECOND.setdefault(_pair[0], set()).add(_pair[1])
_TONE_RE = re.compile(r"(?<![qQ])(" + "|".join(f"{re.escape(a)}[{''.join(sorted(b))}]" for a, b in sorted(_TONE_SECOND.items()))
                      + r")(?![^\W\d_])")
# After q the u belongs to the onset (quý, quỳnh): the mark is already right there.

_WS_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_SPACES_RE = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# The functions below are remembered per text (the stages ask them again and again for the same
# lines and sentences: 60-90 % of the calls); extractors.pipeline.forget_texts forgets them.

@lru_cache(maxsize=16384)
def normalize_tone(text: str) -> str:
    """Move tone marks to the new-style position (hoà -> hòa, thuỷ -> thủy)."""
    return _TONE_RE.sub(lambda m: _TONE_PAIRS[m.group(1)], text)


@lru_cache(maxsize=16384)
def normalize_text(text: str) -> str:
    """NFC, one tone placement, no NBSP or zero-width oddities; line breaks kept."""
    text = nfc(text).replace("\u00ad", "").replace("\ufeff", "")
    text = normalize_tone(text)
    return _WS_RE.sub(" ", text)


@lru_cache(maxsize=8192)
def collapse_ws(text: str) -> str:
    """normalize_text on one line: every run of whitespace one space, no space at the ends.
    Remembered per text (the obligations stage asks it again for the same sentences; forgotten
    with extractors.pipeline.forget_texts)."""
    return _SPACES_RE.sub(" ", normalize_text(text)).strip()


_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "D"})


class _FoldMap(dict):
    """Code point -> the character without its diacritics, filled on first use: folding a text
    is then one str.translate.  The same answer as decomposing the whole text and dropping its
    combining marks, because NFD decomposes each character on its own and only reorders marks,
    which are all dropped."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code).translate(_FOLD_TABLE))
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        self[code] = folded
        return folded


_FOLD_MAP = _FoldMap()


@lru_cache(maxsize=16384)
def fold_diacritics(text: str) -> str:
    """Strip every diacritic, đ -> d included (đ has no Unicode decomposition)."""
    return text.translate(_FOLD_MAP)


def casefold_key(text: str) -> str:
    """A matching key: normalised, lower case, whitespace collapsed."""
    return collapse_ws(text).casefold()


def forget_texts() -> None:
    """Empty the per-text caches of this module (see extractors.pipeline.forget_texts)."""
    for f in (collapse_ws, normalize_tone, normalize_text, fold_diacritics):
        f.cache_clear()
