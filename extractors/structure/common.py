"""Shared pieces of the structure stage: diacritic-tolerant matching, dates, symbols, gazetteers.

OCR and typists both damage the words we key on (`Sô:`, `ngay 10 thang 5 nam 2023`, `CD-TTg`),
so every keyword test runs on the folded form (no diacritics, lower case) of the text.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Optional

from extractors import gazetteer
from extractors.text import collapse_ws, fold_diacritics

UPPER = "A-ZÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ"
LOWER = "a-zàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Matching key: no diacritics, lower case, whitespace collapsed.  Remembered per text
    (forgotten with extractors.pipeline.forget_texts)."""
    return _SPACES.sub(" ", fold_diacritics(text or "")).strip().lower()


def is_upper_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) / len(letters) >= 0.85


def title_case_vi(text: str) -> str:
    """`TỈNH BÌNH ĐỊNH` -> `Tỉnh Bình Định` (each syllable capitalised)."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


# ---------------------------------------------------------------- dates

_MONTH_WORDS = r"th[aá]ng|thang|th\u00e1ng"


def _mkdate(y: int, m: int, d: int) -> Optional[dt.date]:
    if y < 100:
        y += 2000
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


# matched against fold(text); OCR reads 0 as O and 1 as I or l inside numbers (`ngày I0 tháng 01`)
_OD = r"[0-9oil|]"
_OCR_DIGITS = str.maketrans({"o": "0", "i": "1", "l": "1", "|": "1"})
_DATE_WORDS = re.compile(rf"(?:ngay\s*(?P<junk>[^\w\s]*)\s*|(?<![\w]))({_OD}{{1,2}})\s*thang\s*({_OD}{{1,2}})\s*nam\s*({_OD}{{4}})(?!\w)")
_DATE_NUM = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})(?![\d/])")


def parse_date(text: str) -> Optional[dt.date]:
    """First full date in TEXT: `ngày 06 tháng 01 năm 2022`, `18/02/2022`, `22-10-2021`, `10.5.2023`
    (OCR-damaged diacritics tolerated).  A date with a blank day or month gives None."""
    f = fold(text)
    m = _DATE_WORDS.search(f)
    n = _DATE_NUM.search(f)
    if m and (not n or m.start() <= n.start()):
        y, mo, d = (m.group(k).translate(_OCR_DIGITS) for k in (4, 3, 2))
        if not (y.isdigit() and mo.isdigit() and d.isdigit()) or not any(c.isdigit() for c in m.group(2)):
            return None
        if m.group("junk"):
            return None   # `ngày⁄{5`: a handwritten day half read; a wrong date is worse than none
        return _mkdate(int(y), int(mo), int(d))
    if n:
        return _mkdate(int(n.group(3)), int(n.group(2)), int(n.group(1)))
    return None


# ---------------------------------------------------------------- document types and symbols

@lru_cache(maxsize=None)
def rules(name: str) -> list[tuple[str, re.Pattern]]:
    """(role, compiled pattern) records of a rule table in corpora/ (section_roles.jsonl,
    table_columns.jsonl), in file order: the first match wins."""
    return [(r["role"], re.compile(r["pattern"])) for r in gazetteer.load(name)]


@lru_cache(maxsize=None)
def doc_types() -> tuple[dict, ...]:
    return gazetteer.load("document_types.jsonl")


@lru_cache(maxsize=None)
def _code_index() -> dict[str, list[dict]]:
    idx: dict[str, list[dict]] = {}
    for rec in doc_types():
        for code in rec.get("codes", []):
            idx.setdefault(fold(code), []).append(rec)
    return idx


@lru_cache(maxsize=None)
def issuer_codes() -> dict[str, dict]:
    try:
        return {fold(r["code"]): r for r in gazetteer.load("issuers.jsonl")}
    except gazetteer.GazetteerError:
        return {}


def type_for_code(code: str, party: bool = False) -> Optional[dict]:
    """The document_types record for a symbol's type code (`QĐ`, `qd`, `CD` …), or None."""
    recs = _code_index().get(fold(code))
    if not recs:
        return None
    if len(recs) > 1:
        for r in recs:
            if party and r.get("party") or not party and r.get("state"):
                return r
    return recs[0]


def canonical_code(code: str) -> str:
    """Canonical spelling of one symbol group: type codes and known issuer codes from the gazetteers
    (fixing case and a lost Đ: `QD` -> `QĐ`, `TTG` -> `TTg`); other codes upper-cased, as printed."""
    rec = _code_index().get(fold(code))
    if rec:
        for c in rec[0]["codes"]:
            if fold(c) == fold(code):
                return c
    iss = issuer_codes().get(fold(code))
    if iss:
        return iss["code"]
    dedup = re.sub(r"(.)\1", r"\1", code)
    if dedup != code and _code_index().get(fold(dedup)):
        return canonical_code(dedup)   # OCR doubled a letter: `QĐĐ` -> `QĐ`
    # unknown agency code: keep letters as printed but upper-case them, except a lone "d"/"đ" mix
    return code.upper() if not re.search(r"[a-zđ]{2,}", code) else code


@lru_cache(maxsize=None)
def type_words() -> list[tuple[str, dict]]:
    """(word, record) for every type word, longest first (so `Kế hoạch phối hợp` wins over `Kế hoạch`)."""
    out = []
    for rec in doc_types():
        for w in [rec["name"], *rec.get("words", [])]:
            out.append((w, rec))
    out.sort(key=lambda x: -len(x[0]))
    return out


def type_for_word(word: str) -> Optional[dict]:
    f = fold(word)
    for w, rec in type_words():
        if fold(w) == f:
            return rec
    return None


# A symbol: number, then groups separated by / or -.  Codes start with a capital letter; the number may
# carry the year (45/2020/NĐ-CP).  Spaces around separators are tolerated (OCR, typists).
_CODE = rf"[{UPPER}][{UPPER}{LOWER}0-9&]*"
SYMBOL_RE = re.compile(
    rf"(?<![\w/.-])(\d{{1,5}}[a-z]?)\s?([/-])\s?((?:(?:19|20)\d\d\s?/\s?)?{_CODE}(?:\s?[/-]\s?{_CODE})*)(?![{UPPER}{LOWER}0-9&])"
)


_OCR_NUM = re.compile(rf"^(?=[0-9IlO|]*\d)([0-9IlO|]{{1,5}})(?=\s?[/-]\s?[{UPPER}])")
_OCR_NUM_IN_TEXT = re.compile(rf"(?<=\bsố )(?=[0-9IlO|]*\d)([0-9IlO|]{{1,5}})(?=\s?[/-]\s?[{UPPER}])")
_NUM_FIX = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0"})


def fix_ocr_number(text: str, anywhere: bool = False) -> str:
    """`I2-NQ/TU` -> `12-NQ/TU`: OCR reads 1 as I or l and 0 as O in a symbol's number (only when the
    token also has a real digit, at the start of TEXT or, with ANYWHERE, after `số`)."""
    pat = _OCR_NUM_IN_TEXT if anywhere else _OCR_NUM
    return pat.sub(lambda m: m.group(1).translate(_NUM_FIX), text)


def split_symbol(symbol: str) -> tuple[str, list[str], list[str]]:
    """`06/QĐ-TTg` -> ("06", ["/", "-"], ["QĐ", "TTg"]); year groups stay in the codes list."""
    parts = re.split(r"\s*([/-])\s*", symbol.strip())
    number, rest = parts[0], parts[1:]
    seps = rest[0::2]
    codes = rest[1::2]
    return number, seps, codes


def normalize_symbol(raw: str) -> Optional[str]:
    """Normalise a printed number and symbol: spaces dropped, codes canonical (`06/QD-TTG` ->
    `06/QĐ-TTg`, `766/CD-TTg` -> `766/CĐ-TTg`), number as printed (leading zeros kept).
    Returns None when there is no number (`Số:   /QĐ-UBND`)."""
    s = collapse_ws(raw).replace("Ð", "Đ")   # OCR gives Icelandic Ð (U+00D0) for Đ
    s = re.sub(r"^(s[oốôồổỗộơ]|so)\s*[:.]?\s*", "", s, flags=re.I)
    s = fix_ocr_number(s)
    m = SYMBOL_RE.search(s)
    if not m:
        return None
    number, seps, codes = split_symbol(m.group(0))
    # OCR/typists lose the Đ of the type code: restore it for the group that is a type code, and for
    # known issuer codes; other groups keep their letters as printed.
    out = number
    for sep, code in zip(seps, codes):
        out += sep + (code if code.isdigit() else canonical_code(code))
    return out


def symbol_type(symbol: str) -> tuple[Optional[dict], Optional[str]]:
    """(document_types record, type code) implied by a normalised symbol.

    State style `15/QĐ-BNV`, `45/2020/NĐ-CP`: the first code group after the number (and year) is the
    type code; when it is not a type code (`05/BNV-VP`) the document is a Công văn.  Party style
    `08-CT/TU`: the group after the dash."""
    number, seps, codes = split_symbol(symbol)
    codes = [c for c in codes if not c.isdigit()]
    if not codes:
        return None, None
    party = bool(seps) and seps[0] == "-"
    rec = type_for_code(codes[0], party=party)
    if rec:
        return rec, canonical_code(codes[0])
    return type_for_word("Công văn"), None


# ---------------------------------------------------------------- provinces

@lru_cache(maxsize=None)
def provinces() -> tuple[dict, ...]:
    try:
        return gazetteer.load("provinces.jsonl")
    except gazetteer.GazetteerError:
        return ()


@lru_cache(maxsize=None)
def _province_re() -> re.Pattern:
    names = []
    for p in provinces():
        names.append(p["name"])
        names.extend(p.get("aliases", []))
    names.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(fold(n)) for n in names) + r")(?!\w)")


def find_province(text: str) -> Optional[str]:
    """The first province/city name in TEXT, canonical spelling (diacritics and case tolerated)."""
    m = _province_re().search(fold(text))
    if not m:
        return None
    key = m.group(1)
    for p in provinces():
        if key in {fold(n) for n in [p["name"], *p.get("aliases", [])]}:
            return p["name"]
    return None


def province_level(name: str) -> str:
    for p in provinces():
        if p["name"] == name:
            return p.get("level", "tỉnh")
    return "tỉnh"


# ---------------------------------------------------------------- joining wrapped lines

_END_SENT = re.compile(r"[.:;!?…]['\"”’)]*$|\./\.$")
_STARTS_LOWER = re.compile(rf"^[\"“(]?[{LOWER}0-9]")
_HYPHEN_END = re.compile(rf"[{UPPER}{LOWER}]-$")


def join_text(parts: list[str]) -> str:
    """Join wrapped lines into one string: line breaks become spaces, a word broken with a hyphen
    at the line end (`Inter-` / `net`) is rejoined."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if not out:
            out = p
        elif _HYPHEN_END.search(out) and re.match(rf"[{LOWER}]", p):
            out = out[:-1] + p
        elif _HYPHEN_END.search(out):
            out = out + p
        else:
            out = out + " " + p
    return re.sub(r"\s+", " ", out).strip()


def ends_sentence(text: str) -> bool:
    return bool(_END_SENT.search(text.strip()))


def starts_lower(text: str) -> bool:
    return bool(_STARTS_LOWER.match(text.strip()))
