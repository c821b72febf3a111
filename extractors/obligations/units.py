"""Unit names: abbreviations, canonical forms, splitting lists of units right.

Data lives in corpora/units.jsonl (names, aliases, group phrases, renames after Nghị định
45/2025/NĐ-CP) and corpora/abbreviations.jsonl, indexed once by extractors/units.py.  The
output keeps the document's wording (a register clerk searches for what was printed) with
abbreviations expanded, tone marks normalised and known misprints of official names mapped to
the official name; what a printed unit is and which department owes its tasks is
extractors.units.resolve_unit's answer.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from extractors import gazetteer
from extractors.keys import expand_abbreviations, unit_key
from extractors.text import collapse_ws
from extractors.units import lookup, resolve_unit, respell_unit

__all__ = ["expand_abbreviations", "canonical_unit", "split_units", "lookup", "is_known",
           "current_name", "unit_key", "HEAD_WORDS", "clean_unit_phrase"]

# Words that begin the name of a body (a new unit in a list): every head noun of
# corpora/unit_words.jsonl (the same list resolve_unit judges names by), plus the titles and
# role nouns that start a list item.  Lower-case generic nouns (ban, ngành, địa phương)
# continue a collective instead.
_LIST_STARTERS = (
    "UBND", "Tổ", "Lực lượng", "Cấp ủy", "Tòa án", "Thủ trưởng", "Người đứng đầu", "Chủ tịch", "Giám đốc",
    "Chánh", "Trưởng", "Nhà đầu tư", "Chủ đầu tư", "Chủ dự án", "Chủ Chương trình",
)
HEAD_WORDS = tuple(dict.fromkeys([*(r["word"] for r in gazetteer.load("unit_words.jsonl") if r["role"] == "head"),
                                  *_LIST_STARTERS,
                                  # the head of a body by its title ("Hiệu trưởng các trường …", "Viện trưởng …");
                                  # not a deputy or a member, whom a committee's member list names
                                  *(r["word"] for r in gazetteer.load("unit_words.jsonl") if r["role"] == "title"
                                    and r["word"].endswith("trưởng") and not r["word"].startswith(("Phó", "Trưởng")))]))
# A head as printed: its first letter a capital, the rest in any case ("Nhà Đầu tư", "Ban Quản Lý")
_HEADS_ALT = "|".join(re.escape(h[0]) + "(?i:" + re.escape(h[1:]) + ")" for h in sorted(HEAD_WORDS, key=len, reverse=True))
HEAD_RE = re.compile(r"^(?:" + _HEADS_ALT + r")\b(?<!Tổ)(?!\s+chức\b)|^Tổ\b(?!\s+chức\b)")
_COLLECTIVE_RE = re.compile(r"(?:^|\s)(?:các|những|mọi|mỗi|từng)\s|^(?:Thủ trưởng|Người đứng đầu|Lãnh đạo)\b", re.IGNORECASE)
_LIST_NOUNS = r"(?:ngành|địa phương|đơn vị|cơ quan|ban|sở|đoàn thể)"
_HONORIFIC_RE = re.compile(r"^(?:các\s+)?đồng\s+chí\s+", re.IGNORECASE)
# After "các/những/mọi" an organisation noun must follow for a unit ("các sở", "các Khu công
# nghiệp" is a place a body manages, "những khó khăn" nothing)
PLURAL_ORG_RE = re.compile(r"^(?:các|những|mọi|mỗi|từng)\s+(?:đồng\s+chí\s+)?(?:sở|ban|ngành|cơ\s+quan|đơn\s+vị|địa\s+phương|bộ|tỉnh|huyện|"
                           r"thành|thị|xã|phường|quận|cấp|tổ|đoàn|hội|ủy\s+ban|UBND|phòng|trường|thành\s+viên|lực\s+lượng|chi\s+cục|cục|"
                           r"trung\s+tâm|đảng|trưởng|phó|thủ\s+trưởng|đài|báo|bệnh\s+viện|cơ\s+sở|chủ|doanh\s+nghiệp|ngân\s+hàng|"
                           r"tập\s+đoàn|công\s+ty|viện|Bộ|Sở|Ban|Tổ)\b", re.IGNORECASE)
# A lower-case piece of a list that is a unit of its own ("…, đoàn thể tỉnh"); any other
# lower-case piece goes on the name before it ("Ban Chỉ đạo xóa nhà tạm, nhà dột nát huyện X")
_LOWER_UNIT_RE = re.compile(r"^(?:sở|ban|ngành|cơ\s+quan|đơn\s+vị|địa\s+phương|đoàn\s+thể|ủy\s+ban|tổ\s+chức|cấp\s+ủy|"
                            r"chính\s+quyền|hội|đảng\s+ủy|đảng\s+đoàn|công\s+an|phòng|trường|lực\s+lượng|doanh\s+nghiệp|"
                            r"mặt\s+trận|người\s+đứng\s+đầu|thủ\s+trưởng|lãnh\s+đạo|chủ\s+tịch|giám\s+đốc)\b")


def is_known(name: str) -> bool:
    """NAME is in corpora/units.jsonl (a name or an alias; see extractors.units.lookup)."""
    return lookup(name) is not None


def current_name(name: str) -> str:
    """Today's body for a name printed before the 2025 reorganisation (Sở KH&ĐT -> Sở Tài chính);
    the name itself when it is not a unit or its body ended with no successor."""
    return resolve_unit(name).current or name


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


_ETH = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})


def clean_unit_phrase(s: str) -> str:
    # one dash in names, as the gazetteer writes them: "Đài Phát thanh — Truyền hình tỉnh"
    s = re.sub(r"\s*[–—]\s*", " - ", collapse_ws(s)).strip(" ,;:.-–—")
    s = s.translate(_ETH)     # an eth (Ð) OCR or a font put for Đ: "Sở GD&ÐT" (the text keeps it: ids hang on it)
    s = re.sub(r"\s*\([^)]*\)", "", s)           # "Sở Nội vụ (Ban Thi đua khen thưởng tỉnh)"
    s = re.sub(r"\s*\([^)]*$", "", s)             # a bracket the span cut open: "Sở … (Cơ quan Thường trực"
    if "(" not in s:
        s = s.replace(")", "")                     # a stray one OCR put in: "thuộc Ủy ban nhân dân) thành phố"
    s = re.sub(r"\.\.\.$|…$", "", s).strip(" ,;:.")
    s = re.sub(r"^(?:và|với|cùng|cùng với)\s+", "", s, flags=re.IGNORECASE)
    return s


def canonical_unit(name: str, *, province: Optional[str] = None) -> str:
    """Printed unit -> the name the register keeps: as printed, abbreviations expanded, a body's
    official name in full; a position holder stays one ("Giám đốc Công an tỉnh"): the register
    resolves it to the body it heads (extractors.units.resolve_unit)."""
    s = clean_unit_phrase(name)
    s = _HONORIFIC_RE.sub("", s)
    s = expand_abbreviations(respell_unit(s))
    if re.fullmatch(r"tỉnh|toàn tỉnh", s, re.IGNORECASE) and province:
        return f"Tỉnh {province}"
    rec = lookup(s)
    if rec is not None and rec.get("kind") in ("group", "position"):
        return _cap(s)               # a collective or a position holder keeps its printed wording
    if rec is not None and unit_key(s) in {unit_key(v) for v in rec.get("variants", ())}:
        return _cap(s)               # another official name of the body, kept as printed
    if rec is not None:
        # the official spelling of the same name (misprints, dash variants); wording kept
        # when the printed form is a known alias that differs only in punctuation/case
        if unit_key(rec["name"]) != unit_key(s) or re.search(r"[,\-–]", rec["name"]) or s.casefold() != rec["name"].casefold():
            return rec["name"]
        return _cap(s)
    return _cap(s)


# ------------------------------------------------------------------ list splitting

@lru_cache(maxsize=1)
def _protect_re() -> Optional[re.Pattern]:
    """Known names that contain commas, dashes or "và" ("Sở Văn hóa, Thể thao và Du lịch",
    "Sở Lao động, Thương binh và Xã hội") so the splitter never cuts them."""
    names = set()
    for r in gazetteer.load("units.jsonl"):
        for n in [r["name"], *r.get("aliases", []), *r.get("variants", [])]:
            n = expand_abbreviations(n)
            if re.search(r"[,\-–]|\svà\s", n):
                names.add(n)
    if not names:
        return None
    parts = []
    for n in sorted(names, key=len, reverse=True):
        words = re.split(r"[\s,\-–]+", n)
        parts.append(r"[\s,\-–]*".join(re.escape(w) for w in words if w))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _starts_unit(seg: str) -> bool:
    # a comma list's "các …" piece is a unit even when OCR mangled its noun ("các tô chức")
    return bool(HEAD_RE.match(seg)) or bool(re.match(r"(?:các|Các|những|Những)\s", seg))


def split_units(text: str) -> list[str]:
    """A printed list of units -> one string per unit (not yet canonical).

    `Công an tỉnh, UBND các huyện, thị xã, thành phố` -> 2; `UBND các huyện, thị xã, thành
    phố` -> 1 (a group); `Sở Tài chính, Sở Kế hoạch và Đầu tư` -> 2."""
    if not text:
        return []
    s = expand_abbreviations(collapse_ws(text))
    s = re.sub(r"\s*\([^)]*\)", "", s)
    s = re.sub(r"\s*\([^)]*$", "", s)      # a bracket the span cut open: "Bộ Nội vụ (Cơ quan"
    protected: dict[str, str] = {}
    rx = _protect_re()
    if rx:
        def keep(m):
            key = f"\u2063{len(protected)}\u2063"
            protected[key] = m.group(0)
            return "Ⓤ" + key
        s = rx.sub(keep, s)
    units: list[str] = []
    # a colon never stands inside a name: "Đại học Đà Nẵng: các trường đại học" is an OCR'd ";"
    for group in re.split(r"\s*[;:]\s*|\n+", s):
        segs = [x.strip() for x in group.split(",")]
        cur: list[str] = []
        cur_named = False
        for seg in segs:
            if not seg:
                continue
            # "ngành UBND các huyện": a head inside a segment after a list noun starts a unit
            pieces = [x for x in re.split(rf"(\b{_LIST_NOUNS})\s+(?=(?:Ủy ban nhân dân|Sở|Công an|Văn phòng)\b)", seg)]
            # re-attach the captured list noun to the piece before it
            joined: list[str] = []
            for x in pieces:
                if joined and re.fullmatch(_LIST_NOUNS, x or ""):
                    joined[-1] = f"{joined[-1]}{x}"
                elif x is not None:
                    joined.append(x)
            pieces = [y for x in joined for y in re.split(r"(?<=\u2063)\s+(?=Ⓤ)", x)]
            for piece in pieces:
                # "X và Y" where Y begins a body
                sub = _split_and(piece, protected)
                for k, p in enumerate(sub):
                    p = p.strip()
                    if not p:
                        continue
                    new = k > 0 or piece is not pieces[0] or not cur
                    if not new:
                        if p.startswith("Ⓤ") or _starts_unit(p):
                            new = True
                        elif p[:1].isupper() and _is_collective(_restore(" ".join(cur), protected)):
                            new = True       # "UBND các xã, thị trấn, Huyện đoàn": a name after a group
                        elif p[:1].islower() and not _is_collective(_restore(" ".join(cur), protected)):
                            new = bool(_LOWER_UNIT_RE.match(p)) and not (
                                _LEVEL_RE.fullmatch(p) and _LEVEL_END_RE.search(_restore(cur[-1], protected)))
                    if new and cur and k == 0 and re.match(r"các\s", _restore(p, protected)) and re.match(
                            r"(?:Người\s+đứng\s+đầu|Thủ\s+trưởng|Lãnh\s+đạo)\b", _restore(cur[0], protected), re.IGNORECASE):
                        new = False          # "Người đứng đầu cấp ủy, ..., các cơ quan, đơn vị": still whose head
                    if new and cur:
                        units.append(", ".join(cur))
                        cur = []
                    cur.append(p)
        if cur:
            units.append(", ".join(cur))
    out = []
    for u in units:
        u = clean_unit_phrase(_restore(u, protected))
        if u and not re.fullmatch(r"[\W\d]+", u) and not _BARE_NOUN_RE.fullmatch(u):
            out.extend(_distribute_places(u))
    return out


# A generic noun alone is an apposition cut short ("Bộ Nội vụ, cơ quan chủ trì …"), never a unit
_BARE_NOUN_RE = re.compile(r"(?:cơ\s+quan|đơn\s+vị|ngành|ban|sở)", re.IGNORECASE)


# "và" before a body's head word (or a masked unit): compiled once, not for every piece
_AND_HEAD_RE = re.compile(r"\s+và\s+(?=(?:" + _HEADS_ALT + r")\b|Ⓤ)")
_AND_NAME_RE = re.compile(r"(?<=[^\W\d_]|\u2063)\s+và\s+(?=(\w+)\s+(\w+))")
_AND_LOCALITY_RE = re.compile(r"\s+và\s+(?=(?:địa\s+phương|đơn\s+vị|cơ\s+quan)\b)")


def _split_and_name(part: str) -> list[str]:
    """A part cut before each "và" that two capitalised words follow after a lower-case word (or a
    masked name): "UBND các quận, huyện và Đại học Đà Nẵng"."""
    out, start = [], 0
    for m in _AND_NAME_RE.finditer(part):
        before = part[:m.start()].split()[-1]
        if m.group(1)[:1].isupper() and m.group(2)[:1].isupper() and (before[-1] == "\u2063" or before[:1].islower()):
            out.append(part[start:m.start()])
            start = m.end()
    return [*out, part[start:]]


def _split_and(piece: str, protected: Optional[dict[str, str]] = None) -> list[str]:
    """"X và Y" where Y begins a body: two units; "Ban Quản lý Khu kinh tế và các Khu công
    nghiệp" (the places one body manages) stays one."""
    parts = _AND_HEAD_RE.split(piece)
    # "Trung tâm Phát triển quỹ đất tỉnh và địa phương (có liên quan)": a named body, then the
    # localities; "các sở, ngành và địa phương" is one group and stays whole
    parts = [y for x in parts for y in (
        [x] if _is_collective(x) or not x[:1].isupper() or x.startswith("Ⓤ") else _AND_LOCALITY_RE.split(x))]
    # "UBND các quận, huyện và Đại học Đà Nẵng" (OCR's "Đại He"): a name after a group is a body of its own
    # when it reads as one (two capitalised words), as after a comma; a lower-case piece goes on a group
    parts = [y for x in parts for y in (_split_and_name(x) if _is_collective(_restore(x, protected or {}))
                                         or x[:1].islower() else [x])]
    parts = [y for x in parts for y in _split_levels(x, protected or {})]
    out: list[str] = []
    for part in parts:
        sub = re.split(r"\s+và\s+(?=(?:các|những)\s)", part)
        out.append(sub[0])
        for x in sub[1:]:
            if PLURAL_ORG_RE.match(x):
                out.append(x)
            else:
                out[-1] = f"{out[-1]} và {x}"
    return out


# "các bộ ngành Trung ương và cơ quan chức năng của thành phố": a group closed by the name of its level,
# then bodies of another (a lower-case "và địa phương" after "các sở, ngành" stays in the group)
_AND_OTHER_LEVEL_RE = re.compile(r"(?<![^\s])((?:\S+\s+)?\S+)\s+và\s+(?=(?:cơ\s+quan|đơn\s+vị|lực\s+lượng)\b)")


def _split_levels(part: str, protected: dict[str, str]) -> list[str]:
    out, start = [], 0
    for m in _AND_OTHER_LEVEL_RE.finditer(part):
        # the last word or two capitalised (of a name the splitter masked too)
        if any(w[:1].isupper() for w in _restore(m.group(1), protected).split()[-2:]):
            out.append(part[start:m.end(1)])
            start = m.end()
    return [*out, part[start:]]


# "phối hợp với các Sở: Tài chính, Kế hoạch và Đầu tư, Công ty …": departments named after one "Sở"
_DEPARTMENT_LIST_RE = re.compile(r"\b[Cc]ác\s+[Ss]ở\s*:\s*")


def expand_department_list(text: str) -> str:
    """TEXT with "các Sở: Tài chính, Kế hoạch và Đầu tư, …" written out as "Sở Tài chính, Sở Kế hoạch và
    Đầu tư, …": each item a department the gazetteer knows (an item "A và B" that is no department
    may be two); the list ends at the first item that is not one ("Công ty …", "các cơ quan …")."""
    m = _DEPARTMENT_LIST_RE.search(text)
    if not m:
        return text
    named: list[str] = []
    pos = end = m.end()
    for item in re.finditer(r"[^,;:()]+", text[pos:]):
        if item.start() and not re.fullmatch(r"\s*,\s*", text[pos + item.start() - 1:pos + item.start()]):
            break
        words = item.group(0).strip()
        if is_known(f"Sở {words}"):
            named.append(f"Sở {words}")
        elif " và " in words and all(is_known(f"Sở {w.strip()}") for w in words.split(" và ")):
            named.extend(f"Sở {w.strip()}" for w in words.split(" và "))
        else:
            # the list's last name runs into the sentence: "…, Nội vụ để tổng hợp"
            split = words.split()
            head = next((k for k in range(len(split) - 1, 0, -1) if is_known("Sở " + " ".join(split[:k]))), 0)
            if head:
                named.append("Sở " + " ".join(split[:head]))
                end = pos + item.start() + (len(item.group(0)) - len(item.group(0).lstrip())) + len(" ".join(split[:head]))
            break
        end = pos + item.end()
    if not named:
        return text
    return text[:m.start()] + ", ".join(named) + text[end:]


# "Ủy ban nhân dân tỉnh Điện Biên, Nghệ An và Tây Ninh": one body at one level for each place
_PLACE_LIST_RE = re.compile(r"^(?P<head>.+?\b(?:tỉnh|thành\s+phố|huyện|quận|thị\s+xã|xã|phường|thị\s+trấn))\s+"
                            r"(?P<places>[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][^,;()]*?"
                            r"(?:\s*,\s*[^,;()]+?)*\s+và\s+[^,;()]+)$")
_PLACE_NAME_RE = re.compile(r"(?:[A-ZĐ\u00c0-\u1ef9][\w\u00c0-\u1ef9]*)(?:\s+[A-ZĐ\u00c0-\u1ef9][\w\u00c0-\u1ef9]*){0,3}")


def _distribute_places(unit: str) -> list[str]:
    m = _PLACE_LIST_RE.match(unit)
    if not m:
        return [unit]
    places = [x.strip() for x in re.split(r"\s*,\s*|\s+và\s+", m.group("places"))]
    if len(places) < 2 or not all(_PLACE_NAME_RE.fullmatch(x) and x[:1].isupper() for x in places):
        return [unit]
    if any(HEAD_RE.match(x) for x in places):
        return [unit]
    return [f"{m.group('head')} {x}" for x in places]


# "Tổ chuyển đổi số cộng đồng thôn, tổ dân phố": a list of levels inside one name
_LEVEL_RE = re.compile(r"(?:tổ\s+dân\s+phố|khu\s+phố|thôn|ấp|bản|làng|xã|phường|thị\s+trấn|quận|huyện|thị\s+xã|thành\s+phố|đặc\s+khu)")
_LEVEL_END_RE = re.compile(r"\b(?:thôn|ấp|bản|xã|phường|thị\s+trấn|quận|huyện|thị\s+xã|thành\s+phố|đặc\s+khu|tổ\s+dân\s+phố)$")


def _restore(s: str, protected: dict[str, str]) -> str:
    for key, val in protected.items():
        s = s.replace("Ⓤ" + key, val)
    return s


def _is_collective(s: str) -> bool:
    return bool(_COLLECTIVE_RE.search(s))
