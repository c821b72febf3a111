"""What a printed unit is, and which department owes its tasks: `resolve_unit(printed)`.

The extraction keeps units as printed ("Giám đốc Công an tỉnh", "UBND cấp huyện" expanded to
"Ủy ban nhân dân cấp huyện"); every list that groups tasks by department (the register's
summary, owes, the web, the exports) groups by `resolve_unit(printed).body`.

    >>> resolve_unit("Chủ tịch UBND cấp huyện")
    UnitResolution(kind='position', name='Chủ tịch Ủy ban nhân dân cấp huyện',
                   body='Ủy ban nhân dân các huyện, thị xã, thành phố', body_kind='group',
                   current='Ủy ban nhân dân các xã, phường, đặc khu', note='two-level local government ...')

A printed unit is
- a `body`: in corpora/units.jsonl (name or alias; also with "và" left out, and with the
  diacritics OCR lost), or such a name followed by lower-case words that are not part of it
  ("Sở Khoa học và Công nghệ chủ trì"), or a name begun by a head noun of
  corpora/unit_words.jsonl and continued by a capitalised word or a level word ("Trung tâm
  Phát triển quỹ đất tỉnh", "Công an huyện"); head nouns marked `closed` (Sở, Bộ) accept only
  the gazetteer's names, since every department and ministry is there;
- a `group`: a group phrase of units.jsonl ("Các sở, ban, ngành", "Ủy ban nhân dân các
  huyện, thị xã, thành phố"), found the same ways, and also without its leading "các";
- a `position`: a record of kind position in units.jsonl (its `heads`), or a title of
  unit_words.jsonl followed by a body or a group, which it heads
  ("Giám đốc Công an tỉnh" -> Công an tỉnh; "Thủ trưởng các sở, ban ngành tỉnh" -> Các sở,
  ban, ngành; "Người đứng đầu cấp ủy, thủ trưởng cơ quan, đơn vị, địa phương": the inner
  titles are left out too);
- `unknown` otherwise ("Đơn vị", "Trường hợp", "Ban định kỳ 02 tuần", "Các chủ mỏ"): the
  obligation is flagged for review and the string is never listed as a department.

`body` is the department to group by: the canonical name of the body or group (a position's:
the one it heads).  `current` is today's name of that department after the 2025
reorganisation (renamed_to in units.jsonl, followed to the end; None when it ended with no
single successor, e.g. a district office), `note` says why it differs.

Pure: the gazetteers are read once through extractors.gazetteer; no pydantic, so the quick
commands (`chidao owes --unit`) can resolve what a clerk typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from extractors import gazetteer
from extractors.keys import expand_abbreviations, unit_key
from extractors.text import collapse_ws, fold_diacritics

__all__ = ["UnitResolution", "resolve_unit", "lookup", "current_of", "KINDS"]

KINDS = ("body", "group", "position", "unknown")


@dataclass(frozen=True)
class UnitResolution:
    kind: str                       # body | group | position | unknown
    name: str                       # as printed: whitespace collapsed, abbreviations expanded
    body: Optional[str] = None      # the department to group by (None: unknown)
    body_kind: Optional[str] = None  # what `body` is: body | group
    current: Optional[str] = None   # today's name of `body` (None: ended, or unknown)
    note: Optional[str] = None      # why `current` differs from `body`

    @property
    def is_unit(self) -> bool:
        return self.kind != "unknown"


# ------------------------------------------------------------------ the gazetteer, indexed once

def _no_va(key: str) -> str:
    """A key with the word "và" left out: "Sở Khoa học Công nghệ" is a common misprint."""
    return " ".join(w for w in key.split() if w != "và")


@lru_cache(maxsize=1)
def _records() -> tuple[dict, ...]:
    return tuple(r for r in gazetteer.load("units.jsonl"))


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, dict], dict[str, dict], dict[str, dict]]:
    """(exact key, key without "và", folded key without "và") -> record."""
    exact: dict[str, dict] = {}
    for r in _records():
        for n in [r["name"], *r.get("aliases", []), *r.get("variants", [])]:
            exact.setdefault(unit_key(n), r)
    no_va = {}
    folded = {}
    for k, r in exact.items():
        no_va.setdefault(_no_va(k), r)
        folded.setdefault(fold_diacritics(_no_va(k)), r)
    return exact, no_va, folded


@lru_cache(maxsize=1)
def _spelled_names() -> tuple[str, ...]:
    """Every name the gazetteers spell: units with their aliases and variants, the unit words, and
    each province with its level ("tỉnh Quảng Ngãi")."""
    names = [n for r in _records() for n in [r["name"], *r.get("aliases", []), *r.get("variants", [])]]
    names += [r["word"] for r in gazetteer.load("unit_words.jsonl")]
    names += [f'{p["level"]} {p["name"]}' for p in gazetteer.load("provinces.jsonl")]
    return tuple(names)


@lru_cache(maxsize=1)
def _pair_spellings() -> dict[tuple[str, str], tuple[str, str]]:
    """Folded word pair -> how the gazetteer spells it (lower case): units and their aliases, the
    unit words, "tỉnh X" / "thành phố X" for every province.  Pairs it spells two ways are left out."""
    names = _spelled_names()
    seen: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for n in names:
        words = _LETTER_WORD.findall(n.lower())
        for a, b in zip(words, words[1:]):
            seen.setdefault((fold_diacritics(a), fold_diacritics(b)), set()).add((a, b))
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


@lru_cache(maxsize=1)
def _pair_next_words() -> dict[tuple[str, str], frozenset[str]]:
    """Folded word pair -> the folded words that follow it in the gazetteer's names ("" at a name's end)."""
    names = _spelled_names()
    out: dict[tuple[str, str], set[str]] = {}
    for n in names:
        words = [fold_diacritics(w) for w in _LETTER_WORD.findall(n.lower())]
        for k in range(len(words) - 1):
            out.setdefault((words[k], words[k + 1]), set()).add(words[k + 2] if k + 2 < len(words) else "")
    return {k: frozenset(v) for k, v in out.items()}


_LETTER_WORD = re.compile(r"[^\W\d_]+")


def _like(word: str, spelled: str) -> str:
    """SPELLED with WORD's capitals."""
    if word.isupper() and len(word) > 1:
        return spelled.upper()
    return spelled[:1].upper() + spelled[1:] if word[:1].isupper() else spelled


def respell_unit(name: str) -> str:
    """A unit name with OCR's diacritic slips put right by the gazetteer's own spelling of the same
    word pair: "Chỉ nhánh" -> "Chi nhánh", "Ban Quán lý" -> "Ban Quản lý", "tính Quảng Ngãi" ->
    "tỉnh Quảng Ngãi".  Only a pair the gazetteer knows, spelled one way there, is changed; a stray
    quote inside a capitalised abbreviation goes ("GDĐ'T" -> "GDĐT")."""
    name = re.sub(r"(?<=[A-ZĐ])['’`](?=[A-ZĐ])", "", name)
    spellings = _pair_spellings()
    parts = re.split(r"(\W+)", name)
    idx = [i for i, p in enumerate(parts) if _LETTER_WORD.fullmatch(p)]
    confirmed: set[int] = set()
    proposed: dict[int, set[str]] = {}
    for i, j in zip(idx, idx[1:]):
        if j != i + 2 or not re.fullmatch(r"\s+", parts[i + 1]):
            continue                           # a pair across a comma, a dash or a number is two names
        a, b = parts[i].lower(), parts[j].lower()
        key = (fold_diacritics(a), fold_diacritics(b))
        want = spellings.get(key)
        if want is None:
            continue
        # the name must go on as the gazetteer's does: a lower-case word after the pair that no name
        # has there is the sentence going on ("Các bộ tự theo dõi" is no "Bộ Tư pháp")
        k = j + 2
        after = parts[k] if k < len(parts) and re.fullmatch(r"\s+", parts[j + 1] if j + 1 < len(parts) else "") else ""
        if want != (a, b) and after[:1].islower() and fold_diacritics(after.lower()) not in _pair_next_words().get(key, ()):
            continue
        if want == (a, b):
            confirmed.update((i, j))           # "Công an" is right, whatever "an thành phố" may say
            continue
        proposed.setdefault(i, set()).add(want[0])
        proposed.setdefault(j, set()).add(want[1])
    for i, spelled in proposed.items():
        if i not in confirmed and len(spelled) == 1 and parts[i].lower() not in spelled:
            parts[i] = _like(parts[i], next(iter(spelled)))
    return "".join(parts)


@lru_cache(maxsize=1)
def _by_name() -> dict[str, dict]:
    return {unit_key(r["name"]): r for r in _records()}


def lookup(name: str) -> Optional[dict]:
    """The units.jsonl record NAME is (its name or an alias; "và" and lost diacritics forgiven)."""
    k = unit_key(name)
    if not k:
        return None
    exact, no_va, folded = _indexes()
    return exact.get(k) or no_va.get(_no_va(k)) or folded.get(fold_diacritics(_no_va(k)))


def _prefix_lookup(words: list[str]) -> tuple[Optional[dict], Optional[str]]:
    """A gazetteer name followed by lower-case words that are not part of it: "Sở Nội vụ chủ trì",
    "Các sở, ban, ngành có liên quan".  The rest must not start a second unit ("và", "với").
    Returns (record, the level word the rest begins with, if any)."""
    keys = [w.casefold() for w in words]
    exact, no_va, _ = _indexes()
    for n in range(len(words) - 1, 0, -1):
        rest = words[n:]
        if not all(_is_plain_word(w) for w in rest) or rest[0].casefold() in ("và", "với", "cùng"):
            continue
        k = " ".join(keys[:n])
        if tuple(keys[:n]) in _words()[0]:
            continue            # a head noun alone is not a name ("Công an" + "huyện")
        rec = exact.get(k) or no_va.get(_no_va(k))
        if rec is not None and rec.get("kind") != "position":   # a title + a list: the title rule's
            return rec, _level_at(keys[n:])
    return None, None


def _is_plain_word(w: str) -> bool:
    """A lower-case word of letters: not a name, a number or an abbreviation."""
    return w.isalpha() and w == w.lower()


@lru_cache(maxsize=1)
def _words() -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...], frozenset, dict[str, str]]:
    """(heads as word tuples, longest first; titles likewise; closed heads; level -> ended)."""
    heads, titles, closed, levels = [], [], set(), {}
    for r in gazetteer.load("unit_words.jsonl"):
        words = tuple(unit_key(r["word"]).split())
        if r["role"] == "head":
            heads.append(words)
            if r.get("closed"):
                closed.add(words)
        elif r["role"] == "title":
            titles.append(words)
        elif r["role"] == "level":
            levels[" ".join(words)] = r.get("ended")
    by_len = lambda t: -len(t)  # noqa: E731
    return tuple(sorted(heads, key=by_len)), tuple(sorted(titles, key=by_len)), frozenset(closed), levels


@lru_cache(maxsize=1)
def _role_heads() -> frozenset:
    """Heads that name a party by its role in a project, whatever qualifies it ("Nhà đầu tư 02 dự án",
    "Chủ đầu tư các dự án giao thông"): unit_words.jsonl entries marked "qualified": true."""
    return frozenset(tuple(unit_key(r["word"]).split()) for r in gazetteer.load("unit_words.jsonl")
                     if r["role"] == "head" and r.get("qualified"))


def _starts_with(keys: list[str], prefix: tuple[str, ...]) -> bool:
    return len(keys) >= len(prefix) and tuple(keys[:len(prefix)]) == prefix


def _level_at(keys: list[str]) -> Optional[str]:
    """The level word (one or two words) that KEYS begin with."""
    levels = _words()[3]
    for n in (2, 1):
        if len(keys) >= n and " ".join(keys[:n]) in levels:
            return " ".join(keys[:n])
    return None


def _by_head_noun(words: list[str]) -> Optional[str]:
    """'head' (the gazetteer's closed heads excepted) + a capitalised word or a level word:
    the name of a body not in the gazetteer.  Returns the level word it ends at, or ""."""
    heads, _, closed, _ = _words()
    keys = [w.casefold() for w in words]
    for head in heads:          # longest first; a shorter head may still fit ("Ban" + "Chỉ đạo")
        if not _starts_with(keys, head):
            continue
        if head in closed:
            return None
        rest, rest_keys = words[len(head):], keys[len(head):]
        if not rest:
            continue
        if head in _role_heads():
            return ""
        level = _level_at(rest_keys)
        if level is not None:
            return level
        # a name word: capitalised letters ("Phát triển", "Đà Nẵng"), at least two words (a lone
        # word after the head is most often a cut span: "Đài Phát")
        if len(rest) >= 2 and rest[0][:1].isupper() and rest[0][:1].isalpha():
            return ""
    level = _level_at(keys)
    if level is not None and words[0][:1].isupper():
        # the administrative unit itself, by its place name: "Tỉnh Hải Dương", "Xã Hòa Ninh"
        rest = words[len(level.split()):]
        if rest and rest[0][:1].isupper() and rest[0][:1].isalpha():
            return level
    return None


# ------------------------------------------------------------------ resolution

_HONORIFIC = ("các đồng chí", "đồng chí", "các")
_LINKERS = ("của", "các")


def _clean(printed: str) -> str:
    s = expand_abbreviations(collapse_ws(printed or ""))
    s = re.sub(r"\s*\([^)]*\)", "", s)          # a sub-unit in brackets: "Sở Nội vụ (Ban Thi đua ...)"
    s = re.sub(r"\s*[(\[].*$", "", s)            # an unclosed bracket: the span ran on
    return s.strip(" ,;:.-–")


def _word_list(s: str) -> list[str]:
    return unit_key_words(s)


def unit_key_words(s: str) -> list[str]:
    """The words of a unit name as unit_key splits them, case kept (abbreviations expanded)."""
    s = expand_abbreviations(collapse_ws(s))
    return re.sub(r"[.,;:&\-\u2010-\u2015\u2212()\[\]\"“”'‘’/]", " ", s).split()


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _current(rec: Optional[dict], name: str, level: Optional[str] = None) -> tuple[Optional[str], Optional[str]]:
    """(today's name, note) for a department: renamed_to followed to the end; ended -> None."""
    if rec is None:
        ended = _words()[3].get(level) if level else None
        if ended:
            return None, f"the {level} level ended {ended}"
        return name, None
    seen = set()
    note = rec.get("note")
    while rec.get("renamed_to") and rec["name"] not in seen:
        seen.add(rec["name"])
        nxt = lookup(rec["renamed_to"])
        if nxt is None:
            return rec["renamed_to"], note
        rec = nxt
    if rec.get("ended"):
        return None, rec.get("note") or f"ended {rec['ended']}"
    return rec["name"], (note if seen else None)


def _kind_of(rec: dict) -> str:
    return "group" if rec.get("kind") == "group" else "body"


def _as_department(s: str) -> Optional[UnitResolution]:
    """S as a body or a group (no title): the gazetteer, its names with a tail, a head noun."""
    if not s:
        return None
    rec = lookup(s)
    words = _word_list(s)
    if rec is None and words:
        rec, level = _prefix_lookup(words)
        if rec is not None and level is not None and rec.get("kind") != "group":
            # a level word after a body's name names another body of that kind ("Tổ công tác
            # triển khai Đề án 06" + "cấp xã"); after a group's it only says which ("Các cơ
            # quan, đơn vị" + "cấp tỉnh")
            name = _cap(s)
            cur, note = _current(None, name, level)
            return UnitResolution("body", name, name, "body", cur, note)
    if rec is None and len(words) >= 3 and words[0].casefold() not in ("các", "những") and "," in s \
            and re.match(r"(?i)(?:cơ quan|đơn vị|tổ chức|địa phương|sở|ban|ngành|doanh nghiệp)\b", s):
        # "cơ quan, đơn vị" after a title is the group "Các cơ quan, đơn vị" ("cơ quan, tổ chức, đơn
        # vị" too, as "Các cơ quan, tổ chức, đơn vị" resolves); a bare "Cơ quan" or "Đơn vị" is a
        # cut span, not a group
        as_group = _as_department("các " + s)
        if as_group is not None and as_group.body_kind == "group":
            return UnitResolution(as_group.kind, _cap(s), as_group.body, as_group.body_kind, as_group.current,
                                  as_group.note)
    if rec is None and len(words) >= 2 and words[0].casefold() in ("mỗi", "từng", "mọi", "những"):
        # "Mỗi cơ quan, đơn vị, địa phương" speaks to every member of "Các cơ quan, đơn vị, địa phương"
        rec = lookup("các " + s.split(None, 1)[1])
        rec = rec if rec is not None and rec.get("kind") == "group" else None
    if rec is not None and rec.get("kind") == "position":
        dep = _as_department(rec["heads"])
        if dep is None:
            return None
        return UnitResolution("position", _cap(s), dep.body, dep.body_kind, dep.current, dep.note)
    if rec is not None:
        cur, note = _current(rec, rec["name"])
        return UnitResolution(_kind_of(rec), _cap(s), rec["name"], _kind_of(rec), cur, note)
    level = _by_head_noun(words) if _one_name(s) else None
    if level is not None:
        name = _cap(s)
        cur, note = _current(None, name, _level_of(words) if level == "" else level)
        return UnitResolution("body", name, name, "body", cur, note)
    return None


def _one_name(s: str) -> bool:
    """S is one name, not two run together: no colon ("Đại học Đà Nẵng: các trường"), and no
    part after a comma that begins a body of its own ("Đoàn TNCS …, Đại học Đà Nẵng")."""
    if ":" in s:
        return False
    heads = _words()[0]
    for part in s.split(",")[1:]:
        w = unit_key_words(part)
        if w and w[0][:1].isupper() and any(_starts_with([x.casefold() for x in w], h) for h in heads):
            return False
    return True


def _level_of(words: list[str]) -> Optional[str]:
    """The first level word inside a name ("Ủy ban nhân dân huyện Trà Bồng" -> huyện)."""
    keys = [w.casefold() for w in words]
    for i in range(len(keys)):
        lv = _level_at(keys[i:])
        if lv is not None:
            return lv
    return None


def _strip_title(s: str) -> list[str]:
    """S without its leading title ("Giám đốc", "Thủ trưởng"), honorifics and inner titles, for
    each title S may begin with (longest first); [] when it begins with none."""
    _, titles, _, _ = _words()
    words = s.split()
    keys = [unit_key(w) for w in words]
    for hon in _HONORIFIC:
        h = hon.split()
        if tuple(keys[:len(h)]) == tuple(h):
            words, keys = words[len(h):], keys[len(h):]
            break
    out = []
    for title in titles:         # longest first: "Phó Trưởng ban" + …, then "Phó Trưởng" + "Ban …"
        if _starts_with(keys, title) and len(keys) > len(title):
            rest = words[len(title):]
            if rest and unit_key(rest[0]) == "của":
                rest = rest[1:]
            text = " ".join(rest)
            # "cấp ủy, thủ trưởng cơ quan, đơn vị": a list of positions over one list of bodies
            for t in titles:
                text = re.sub(r"(,\s*)" + r"\s+".join(re.escape(w) for w in t) + r"\s+", r"\1", text,
                              flags=re.IGNORECASE)
            out.append(text.strip(" ,"))
    return out


@lru_cache(maxsize=8192)
def resolve_unit(printed: str) -> UnitResolution:
    """What PRINTED is and the department it resolves to (see the module docstring)."""
    s = _clean(printed)
    dep = _as_department(s)
    if dep is not None:
        return dep
    for rest in _strip_title(s):
        dep = _as_department(rest)
        if dep is not None:
            return UnitResolution("position", _cap(s), dep.body, dep.body_kind, dep.current, dep.note)
    return UnitResolution("unknown", _cap(s) if s else collapse_ws(printed or ""))


def current_of(name: str) -> Optional[str]:
    """Today's name of the department NAME resolves to (Sở KH&ĐT -> Sở Tài chính)."""
    return resolve_unit(name).current
