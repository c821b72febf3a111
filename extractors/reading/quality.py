"""Is a page's text layer usable?  Decided from Vietnamese phonotactics, not a word list.

A Vietnamese syllable is (onset) + (glide) + nucleus + (coda) + tone.  Real text is
overwhelmingly made of such syllables, each carrying at most one tone mark on the right
vowel.  The layers that must be OCR'd instead fail in recognisable ways:

- garbled scanner OCR ("uY BAN NgAN nAN"): ASCII letters, mixed case inside a word,
  few diacritics where Vietnamese would carry them on most words;
- spaced letters ("C h ỉ  t h ị"): most tokens are one letter long;
- "(cid:NN)" garbage, private-use or replacement characters: font without a ToUnicode map;
- junk/short layers: only a digital-signature stamp over an image-only page.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.text import fold_diacritics

# --------------------------------------------------------------------- syllables

# Tone marks as combining characters (NFD): grave, acute, hook, tilde, dot below.
_TONE_MARKS = {"\u0300": "huyền", "\u0301": "sắc", "\u0309": "hỏi", "\u0303": "ngã", "\u0323": "nặng"}

ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)

# Rhymes (vowel nucleus with optional glide and coda), written without tone, NFC.
_RHYMES_TEXT = """
a ai ao au ay ac ach am an ang anh ap at
ă ăc ăm ăn ăng ăp ăt
â âc âm ân âng âp ât âu ây
e ec em en eng eo ep et
ê êch êm ên ênh êp êt êu
i ia ic ich iu im in inh ip it
iê iêc iêm iên iêng iêp iêt iêu
o oa oac oach oai oam oan oang oanh oao oap oat oay oc oe oen oeo oet oi om on ong oong op ot
oă oăc oăm oăn oăng oăt
ô ôc ôi ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua uân uâng uât uây uc uê uên uênh uêt uy uya uych uyên uyêt uyn uynh uyp uyt uyu ui um un ung up ut uơ uôc uôi uôm uôn uông uôt uơn
ư ưa ưc ưi ưng ưm ưn ưt ưu ươ ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêng yêt yêu
"""
RHYMES = frozenset(_RHYMES_TEXT.split())

# Codas that allow only sắc or nặng (stop consonants).
_STOP_CODAS = ("c", "ch", "p", "t")

_LETTERS = "a-zA-ZđĐ\u00c0-\u024f\u1e00-\u1eff"
_TOKEN_RE = re.compile(rf"[{_LETTERS}]+")


def _split_tone(syllable: str) -> tuple[str, str | None, int]:
    """Lower-cased syllable without its tone; the tone; the number of tone marks."""
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    bare = "".join(c for c in decomposed if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", bare), (_TONE_MARKS[tones[0]] if tones else None), len(tones)


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(token: str) -> bool:
    """True when `token` is a well-formed Vietnamese syllable (any case, NFC or NFD).

    Case must be word-like: all lower, all upper, or capitalised ("Hà", "HÀ", "hà"),
    never "NgAN".
    """
    if not token or len(token) > 7 + 2:
        return False
    if not (token.islower() or token.isupper() or (token[0].isupper() and token[1:].islower())):
        return False
    bare, tone, n_tones = _split_tone(token)
    if n_tones > 1:
        return False
    for onset in ONSETS:
        if not bare.startswith(onset):
            continue
        rhyme = bare[len(onset):]
        if onset == "gi" and (rhyme == "" or rhyme[0] not in "aăâeêoôơuưy"):
            # "gì", "gìn": the i belongs to the rhyme.
            continue
        if rhyme not in RHYMES:
            continue
        if onset in ("k", "gh", "ngh") and rhyme[0] not in "eêiy":
            continue
        if onset in ("c", "ng") and rhyme[0] in "eêiy":
            continue
        if rhyme.endswith(_STOP_CODAS) and tone not in ("sắc", "nặng"):
            # "các", "việc": a stop coda takes only sắc or nặng ("cac" is garbled).
            continue
        return True
    return False


# --------------------------------------------------------------------- page verdicts

_CID_RE = re.compile(r"\(cid:\d+\)")
_BAD_CHARS_RE = re.compile("[\ufffd\ue000-\uf8ff]")
# Digital-signature stamps ("Ký bởi: ... Thời gian ký: 18.03.2024 09:41:42") and "SAO Y"
# e-copy lines: furniture on image-only pages, never the document's text.
_STAMP_RE = re.compile(
    r"(ký bởi|ky boi|thời gian ký|thoi gian ky|signed by|email:|@|\bsao y\b|"
    r"cơ quan:|co quan:|\d{1,2}[.:]\d{2}[.:]\d{2}|[+]\d{2}:\d{2})",
    re.IGNORECASE,
)
_DIACRITIC_CHARS = set("ăâđêôơưĂÂĐÊÔƠƯ")


@dataclass
class TextQuality:
    score: float                   # share of letter tokens that are valid syllables (0..1)
    ok: bool
    reason: str = ""               # why the layer is rejected, "" when ok
    tokens: int = 0
    details: dict = field(default_factory=dict)


@lru_cache(maxsize=65536)
def _has_vietnamese_mark(token: str) -> bool:
    if any(c in _DIACRITIC_CHARS for c in token):
        return True
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", token))


def _neutral(token: str) -> bool:
    if len(token) == 1:
        return True
    return token.isupper() and len(token) <= 6 and not is_vietnamese_syllable(token)


MIN_SCORE = 0.75          # share of valid syllables a usable layer reaches (good layers: > 0.9)
MIN_TOKENS = 12           # fewer letter tokens than this on a page is not a text layer
MIN_MARKED = 0.25         # share of tokens with a Vietnamese diacritic (real prose: ~0.6)
MAX_SINGLE = 0.45         # share of one-letter tokens ("C h ỉ t h ị")


def assess_text(text: str) -> TextQuality:
    """Judge one page's text layer.  Pure function of the text: cheap, deterministic."""
    text = unicodedata.normalize("NFC", text)
    cid = len(_CID_RE.findall(text))
    text_wo_cid = _CID_RE.sub(" ", text)
    bad = len(_BAD_CHARS_RE.findall(text_wo_cid))
    # Stamp lines do not count for or against the page.
    body_lines = [ln for ln in text_wo_cid.splitlines() if not _STAMP_RE.search(ln)]
    tokens = _TOKEN_RE.findall("\n".join(body_lines))
    n = len(tokens)
    details = {"cid": cid, "bad_chars": bad}
    if cid >= 5 and cid > n * 0.1:
        return TextQuality(0.0, False, "cid-garbage", n, details)
    total_chars = sum(len(t) for t in tokens)
    if bad > 5 and bad > total_chars * 0.05:
        return TextQuality(0.0, False, "unmapped-glyphs", n, details)
    if n < MIN_TOKENS:
        empty = n == 0 and not _TOKEN_RE.search(text_wo_cid)
        return TextQuality(0.0, False, "no-text-layer" if empty else "junk-layer", n, details)
    # Abbreviations (UBND, HĐND, KSTT) and single letters ("b/c") are normal in good text:
    # they count neither for nor against, unless they are most of the page.
    judged = [t for t in tokens if not _neutral(t)]
    if len(judged) < 0.5 * n:
        judged = tokens
    valid = sum(1 for t in judged if is_vietnamese_syllable(t))
    score = valid / len(judged)
    single = sum(1 for t in tokens if len(t) == 1) / n
    marked = sum(1 for t in tokens if _has_vietnamese_mark(t)) / n
    details.update(single=round(single, 3), marked=round(marked, 3))
    if single > MAX_SINGLE:
        return TextQuality(score, False, "spaced-letters", n, details)
    if score < MIN_SCORE:
        return TextQuality(score, False, "invalid-syllables", n, details)
    if marked < MIN_MARKED:
        # Valid-looking syllables without diacritics: "uy ban nhan dan" from a scanner's
        # OCR that lost the marks (or non-Vietnamese text, which we don't read anyway).
        return TextQuality(score, False, "no-diacritics", n, details)
    return TextQuality(score, True, "", n, details)


REASONS = {
    "cid-garbage": "text layer is (cid:NN) glyph codes without a Unicode map",
    "unmapped-glyphs": "text layer uses unmapped glyphs",
    "no-text-layer": "no text layer",
    "junk-layer": "text layer too short to be the page's text (e.g. only a signature stamp)",
    "spaced-letters": "text layer has letters separated by spaces",
    "invalid-syllables": "text layer is mostly not valid Vietnamese syllables (garbled)",
    "no-diacritics": "text layer lacks Vietnamese diacritics (garbled OCR layer)",
    "image-page": "the page is mostly a picture under a short text layer (a scan)",
}


def folded(text: str) -> str:  # pragma: no cover - convenience for debugging
    return fold_diacritics(text)
