"""Vietnamese post-correction of OCR text, one syllable at a time.

Tesseract's errors on Vietnamese are mostly a wrong tone or vowel mark (ngày -> ngảy, việc ->
viêc) or one letter (Sờ -> Sở, ưong -> ương).  A syllable that is not a Vietnamese syllable is
replaced by the likeliest valid one among its tone/diacritic variants and its one-letter edits,
chosen by a syllable bigram model built from born-digital text (corpora/lm/syllables.csv and
syllable_bigrams.csv, made by scripts/build_syllable_lm.py).  A valid syllable is changed only to another spelling of the same
letters and only when both neighbours say so strongly.

A digit's look-alike inside a number (`4§69`, `-I9`) becomes the digit.

Conservative by construction: digits, upper-case codes (QĐ-TTg, UBND), mixed case, anything glued
to a digit or a slash, single letters and words longer than any syllable are never touched.

Public: is_syllable(), correct_line(), correct_text(), context_logp()
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from extractors import gazetteer
from extractors.text import fold_diacritics, normalize_text

SYLLABLES = "lm/syllables.csv"
BIGRAMS = "lm/syllable_bigrams.csv"
TOKEN = re.compile(r"[^\W\d_]+|\d+")
# Tesseract's marks for a digit inside a number: `4§69/UBND` (8), `COVID-I9` (1).  Only between
# digits, or after a hyphen before one, where no letter or sign of Vietnamese text stands.
_DIGIT_LOOKALIKES = ((re.compile(r"(?<=\d)§(?=\d)"), "8"), (re.compile(r"(?<=[\d-])[Il](?=\d)"), "1"))
NUM = "<num>"   # a number, as the model counts it
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_TONES = {"\u0300": "f", "\u0301": "s", "\u0303": "x", "\u0309": "r", "\u0323": "j"}

# A Vietnamese syllable: onset, rhyme (vowels then an optional final), read on the toneless
# spelling.  Keeps foreign words of the word list (abbey, acbit) out of the valid set.
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
_VOWELS = r"[aăâeêioôơuưy]{1,3}"
_CODA = r"(?:ch|ng|nh|c|m|n|p|t)?"
_SHAPE = re.compile(f"^{_ONSET}{_VOWELS}{_CODA}$")

# Weights of the choice (natural log units); tuned on the eval scans' and the photos' OCR.
EDIT_COST = 4.0        # one letter inserted, dropped or changed
MARK_COST = 1.5        # one vowel/tone mark changed on the same letter
SMOOTH = 2.0           # add-k pseudo-counts of the bigram estimate
MAX_COST = 1.0 * EDIT_COST + 2 * MARK_COST
VALID_MARGIN = 7.0     # how much better a re-marked valid syllable must score to replace it
VALID_MIN_BIGRAM = 3   # and a bigram with a neighbour seen at least this often
SEEN_AS_IS = 2         # a word the running text has at least this often is kept as read, valid or not
VALID_RARITY = 1       # and the replacement at least that common relative to the syllable read
VALID_STRONG_BIGRAM = 10   # ... or it makes a set phrase with a neighbour the syllable read never
COLLOCATION_SHARE = 0.2    # stands beside: this often together, this share of the rarer word's uses


def _tone_and_base(syl: str) -> tuple[str, str]:
    """(tone letter or '', syllable without its tone mark, vowel marks kept)."""
    tone, out = "", []
    for ch in unicodedata.normalize("NFD", syl):
        if ch in _TONES:
            tone = _TONES[ch]
        else:
            out.append(ch)
    return tone, unicodedata.normalize("NFC", "".join(out))


def _well_formed(syl: str) -> bool:
    tone, base = _tone_and_base(syl)
    if not _SHAPE.match(base):
        return False
    # Syllables closed by a stop (c, ch, p, t) take only the sắc or nặng tone.
    if re.search(r"(?:c|ch|p|t)$", base) and tone not in ("s", "j"):
        return False
    return True


@dataclass
class _Vocabulary:
    unigram: dict[str, int]
    valid: frozenset[str]
    by_skeleton: dict[str, tuple[str, ...]]   # folded spelling -> valid syllables
    total: int


@dataclass
class _Model(_Vocabulary):
    bigram: dict[tuple[str, str], int]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    uni: dict[str, int] = {}
    in_dict: set[str] = set()
    for row in gazetteer.load(SYLLABLES):
        uni[row["syllable"]] = int(row["count"])
        if row["in_dictionary"] == "1":
            in_dict.add(row["syllable"])
    # A syllable of the word list, or seen a few times in running text, and shaped like one.
    valid = frozenset(s for s, c in uni.items() if (s in in_dict or c >= 3) and _well_formed(s))
    skel: dict[str, list[str]] = {}
    for s in valid:
        skel.setdefault(fold_diacritics(s), []).append(s)
    return _Vocabulary(unigram=uni, valid=valid, by_skeleton={k: tuple(v) for k, v in skel.items()},
                       total=sum(uni.values()))


@lru_cache(maxsize=1)
def _model() -> _Model:
    v = _vocabulary()
    bi = {(r["first"], r["second"]): int(r["count"]) for r in gazetteer.load(BIGRAMS)}
    return _Model(unigram=v.unigram, valid=v.valid, by_skeleton=v.by_skeleton, total=v.total, bigram=bi)


def is_syllable(word: str) -> bool:
    """Is `word` (any case) a Vietnamese syllable of the model's vocabulary?"""
    return normalize_text(word).lower() in _vocabulary().valid


def _edits1(s: str) -> set[str]:
    splits = [(s[:i], s[i:]) for i in range(len(s) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    out |= {a + c + b for a, b in splits for c in _LETTERS}
    return out


def _cost(a: str, b: str) -> float:
    """Weighted edit distance: a changed mark on the same letter is cheaper than a new letter."""
    fa = [fold_diacritics(c) for c in a]
    fb = [fold_diacritics(c) for c in b]
    prev = [j * EDIT_COST for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        cur = [i * EDIT_COST] + [0.0] * len(b)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                sub = 0.0
            elif fa[i - 1] == fb[j - 1]:
                # each differing mark costs: ộ vs ơ is two marks off
                da = set(unicodedata.normalize("NFD", a[i - 1])[1:])
                db = set(unicodedata.normalize("NFD", b[j - 1])[1:])
                sub = MARK_COST * max(1, len(da ^ db))
            else:
                sub = EDIT_COST
            cur[j] = min(prev[j] + EDIT_COST, cur[j - 1] + EDIT_COST, prev[j - 1] + sub)
        prev = cur
    return prev[-1]


# Glyph pairs Tesseract reads for one letter (m as rn or nr): one edit, not two.
_SPLIT_GLYPHS = (("rn", "m"), ("nr", "m"), ("ri", "n"), ("cl", "d"))


def _split_cost(word: str, cand: str) -> float:
    for a, b in _SPLIT_GLYPHS:
        if a in fold_diacritics(word):
            i = fold_diacritics(word).index(a)
            merged = word[:i] + b + word[i + len(a):]
            return EDIT_COST + _cost(merged, cand)
    return math.inf


def _candidates(word: str) -> set[str]:
    m = _model()
    folded = fold_diacritics(word)
    out = set(m.by_skeleton.get(folded, ()))
    for e in _edits1(folded):
        out.update(m.by_skeleton.get(e, ()))
    for a, b in _SPLIT_GLYPHS:
        if a in folded:
            out.update(m.by_skeleton.get(folded.replace(a, b), ()))
    return out


def _logp(m: _Model, prev: str | None, cur: str, nxt: str | None) -> float:
    """log P(cur | prev) + log P(next | cur), add-k smoothed towards the unigram."""
    p_cur = (m.unigram.get(cur, 0) + 0.5) / m.total
    if prev is not None and prev in m.unigram:
        lp = math.log((m.bigram.get((prev, cur), 0) + SMOOTH * p_cur) / (m.unigram[prev] + SMOOTH))
    else:
        lp = math.log(p_cur)
    if nxt is not None and nxt in m.unigram:
        p_nxt = (m.unigram[nxt] + 0.5) / m.total
        lp += math.log((m.bigram.get((cur, nxt), 0) + SMOOTH * p_nxt) / (m.unigram.get(cur, 0) + SMOOTH))
    return lp


def context_logp(prev: str | None, word: str, nxt: str | None) -> float:
    """The model's log-probability of `word` (any case) between its neighbours (None: none, or
    punctuation between), as the correction weighs its candidates."""
    def low(w):
        return None if w is None else w.lower()
    return _logp(_model(), low(prev), word.lower(), low(nxt))


def _eligible(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    if len(word) < 2 or len(word) > 7:
        return False
    if not word[1:].islower():             # QĐ, UBND, CTrTT: codes and headings stay
        return False
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    after2 = text[end + 1] if end + 1 < len(text) else " "
    # glued to a number or inside a symbol or an address (06/QĐ-TTg, 2020a, vp@lamdong.gov.vn)
    return not (before.isdigit() or after.isdigit() or before in "/@_." or after in "/@_"
                or (after == "." and after2.isalnum()))


def _match_case(src: str, dst: str) -> str:
    return dst[0].upper() + dst[1:] if src[0].isupper() else dst


# Tesseract's vie model reads the en dash of Vietnamese administrative text (list items,
# "Độc lập - Tự do", ranges) as an em dash, which that text never uses.
_EM_DASH = re.compile(r"(?:(?<=\s)|^)—(?=\s|$)")


def correct_line(line: str) -> str:
    """`line` with its invalid syllables replaced (NFC, new-style tone marks)."""
    text = _EM_DASH.sub("–", normalize_text(line))
    for lookalike, digit in _DIGIT_LOOKALIKES:
        text = lookalike.sub(digit, text)
    m = _model()
    spans = [(t.start(), t.end()) for t in TOKEN.finditer(text)]
    if not spans:
        return text
    words = [NUM if text[a].isdigit() else text[a:b].lower() for a, b in spans]

    def neighbour(i: int, step: int) -> str | None:
        j = i + step
        if not 0 <= j < len(spans):
            return None
        gap = text[spans[min(i, j)][1]:spans[max(i, j)][0]]
        # a bigram does not cross punctuation
        return words[j] if gap.strip() == "" else None

    out, last = [], 0
    for i, (a, b) in enumerate(spans):
        word = words[i]
        new = None
        if word != NUM and _eligible(text, a, b):
            prev, nxt = neighbour(i, -1), neighbour(i, 1)
            if word not in m.valid:
                # a loanword or a place name born-digital text writes so (chip, internet, Đắk Lắk)
                new = None if m.unigram.get(word, 0) >= SEEN_AS_IS else _best_for_invalid(m, word, prev, nxt)
            else:
                # a word at the line's edge with no punctuation beyond it goes on in a line not
                # seen here (`mô hình phát` / `triển`): no set phrase may overrule it
                edge = not text[:a].strip() or not text[b:].strip()
                new = _best_for_valid(m, word, prev, nxt, phrases=not edge)
        out.append(text[last:a])
        out.append(_match_case(text[a:b], new) if new else text[a:b])
        if new:
            words[i] = new    # the next syllable's left context is the corrected one
        last = b
    out.append(text[last:])
    return "".join(out)


def _best_for_invalid(m: _Model, word: str, prev, nxt) -> str | None:
    best, best_score = None, -math.inf
    for c in _candidates(word):
        cost = min(_cost(word, c), _split_cost(word, c))
        if cost > MAX_COST:
            continue
        s = _logp(m, prev, c, nxt) - cost
        if s > best_score:
            best, best_score = c, s
    return best


def _best_for_valid(m: _Model, word: str, prev, nxt, phrases: bool = True) -> str | None:
    # Only a re-marking of the same letters (chông -> chống, thẻ -> thể), only when the
    # syllable as read was never seen beside its neighbours and the other one often was.
    if prev is None and nxt is None:
        return None
    if (prev is not None and m.bigram.get((prev, word), 0)) or (nxt is not None and m.bigram.get((word, nxt), 0)):
        return None
    base = _logp(m, prev, word, nxt)
    best, best_score = None, base + VALID_MARGIN
    for c in m.by_skeleton.get(fold_diacritics(word), ()):
        if c == word:
            continue
        seen = [m.bigram.get(pair, 0) for pair in ((prev, c), (c, nxt)) if None not in pair]
        if max(seen) < VALID_MIN_BIGRAM:
            continue
        # a common word is not "corrected" into a rarer one (hàng -> hằng, đầu -> dầu), unless the
        # rarer one is steadily seen beside this neighbour, where the one read never is
        # (`tiếp tục đây mạnh` -> đẩy mạnh: đây is the commoner word, `đẩy mạnh` the phrase)
        if m.unigram.get(c, 0) < VALID_RARITY * m.unigram.get(word, 0) and not (phrases and _collocation(m, prev, c, nxt)):
            continue
        s = _logp(m, prev, c, nxt) - _cost(word, c)
        if s > best_score:
            best, best_score = c, s
    return best


def _collocation(m: _Model, prev: str | None, word: str, nxt: str | None) -> bool:
    """Do WORD and a neighbour make a set phrase: seen together VALID_STRONG_BIGRAM times, and in
    COLLOCATION_SHARE of the occurrences of the rarer of the two (`đẩy mạnh`, `thúc đẩy`; not
    `công dịch`, whose `công` is everywhere)?"""
    for a, b in ((prev, word), (word, nxt)):
        if a is None or b is None:
            continue
        n = m.bigram.get((a, b), 0)
        if n >= VALID_STRONG_BIGRAM and n >= COLLOCATION_SHARE * min(m.unigram.get(a, 0), m.unigram.get(b, 0)):
            return True
    return False


def correct_text(text: str) -> str:
    return "\n".join(correct_line(ln) for ln in text.split("\n"))
