"""The header and the footer of a directive (Nghị định 30/2020 Điều 8; Hướng dẫn 36-HD/VPTW).

Header: issuing body (one or two levels), motto, number and symbol, place and date, type word and
trích yếu.  Footer: signer (authority prefix, position, name) and the Nơi nhận list.
News print-outs (`Tin bài`) have neither: their fields come from the article (see parse_news).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from extractors import gazetteer
from extractors.structure.common import (
    LOWER, UPPER, canonical_code, ends_sentence, find_province, fold, is_upper_line, join_text, normalize_symbol,
    parse_date, province_level, provinces, starts_lower, symbol_type, type_for_code, type_words,
)
from extractors.structure.lines import Line
from extractors.text import fold_diacritics
from extractors.types import Header

# ---------------------------------------------------------------- line classifiers (on folded text)

_MOTTO_STATE = re.compile(r"cong hoa xa hoi|xa hoi chu nghia|doc lap\s*[-–]?\s*tu do|tu do\s*[-–]\s*hanh phuc|^nam$")
_MOTTO_PARTY = re.compile(r"dang cong san viet nam")
_NUMBER = re.compile(r"^s[o06ôơ]\s*[:.;]?\s*(.*)$")
# `ngàyà tháng` (OCR) is still a date line, and so is one whose comma OCR read as a full stop.
_DATE_LINE = re.compile(r"^([^,]{2,40}?)(?:,|(?<!tp)[.;])\s*ng\w{1,4}\b(.*thang\b.*)$")   # `JŸtháng`: specks before it
_DATE_NUMERIC = re.compile(r"^[^\d,]{2,40},\s*(ngay\s*)?\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}$")
_DATE_ONLY = re.compile(r"^ngay\b.*\bnam\s*\d{4}")
_SEPARATOR = re.compile(r"^[\s_*=~.\-–—]+$")
_URGENCY = re.compile(r"^(hoa toc|thuong khan|khan|mat|toi mat|tuyet mat)(\s*[-–]\s*hen gio.*)?$")
_VV = re.compile(r"^(v/v|v\.v|ve viec)\b\s*[:.]?\s*", re.I)
_AUTHORITY = re.compile(r"^(?:(t\s*/\s*m|tm|kt|tl|tuq|q)(?:\s*[.:,]\s*|\s+)|(thay mat|ky thay|thua lenh|thua uy quyen)\s+)(?=\S)")
_AUTH_PRINTED = re.compile(r"^(T\s*/\s*M|TM|KT|TL|TUQ|Q|THAY MẶT|KÝ THAY|THỪA LỆNH|THỪA ỦY QUYỀN)\s*[.:,]?\s*", re.I)
# A speck of the seal or signature that OCR glued before an authority line (`l KT. TỔ TRƯỞNG`)
_SPECK_BEFORE_AUTHORITY = re.compile(r"^[^\s\w]?\w?[^\s\w]?\s+(?=(?:T\s*/\s*M|TM|KT|TL|TUQ)\s*[.,:]\s*[A-ZĐ])")
_SIGNED_NOTE = re.compile(r"^\(?\s*(da ky|ky,? ghi ro ho ten|ky ten|ky,? dong dau|ky va dong dau|chu ky)")
_NOI_NHAN = re.compile(r"^[nv]oi nhan\s*[:.]?")   # `Với nhận`: OCR reads the N as a V
# List markers, with what OCR makes of a hyphen at a line start (`~`, `_`, dashes).
_MARK = r"[-+•·~–—_]"
_LUU = re.compile(r"^" + _MARK + r"?\s*luu\b")
_POSITIONS = re.compile(
    r"^(pho )?(chu tich|giam doc|bi thu|truong ban|bo truong|thu truong|thu tuong|chanh van phong|"
    r"cuc truong|vien truong|tong giam doc|truong phong|chi cuc truong|chanh thanh tra|tong cuc truong|"
    r"truong doan|to truong|chanh an|vien truong|hieu truong|chu nhiem)\b")
_NAME = re.compile(rf"^[{UPPER}][{LOWER}]*(?:\s+[{UPPER}][{LOWER}]*){{1,4}}$")
_TITLE_WORDS = {"truong", "pho", "chu", "tich", "giam", "doc", "bo", "vu", "ban", "so", "van", "phong", "uy", "cuc",
                "chanh", "bi", "thu", "tuong", "truc", "thuong", "nhan", "dan", "tinh", "huyen", "xa", "cong", "an",
                "hoi", "dong", "doan", "to", "thanh", "tra", "vien", "tong", "hanh", "chinh", "cai", "cach"}
_NAME_CAPS = re.compile(rf"^[{UPPER}]+(?:\s+[{UPPER}]+){{1,4}}$")
_NEWS = re.compile(r"^bao .{2,40}(dien tu|online)|ban in\b|^ngay dang\b|cong thong tin dien tu|^\(?(baochinhphu|vnexpress|dantri)")
_MARKER = re.compile(r"^((?:[IVXLC]+|\d{1,2}(?:\.\d{1,2})*)[.)]|[a-zđ]\)|[-+•]\s|đieu\s+\d|dieu\s+\d|can cu\b|kinh gui\b)", re.I)

_PLACE_LEVELS = ("tinh", "thanh pho", "huyen", "quan", "thi xa", "xa", "phuong", "thi tran")
_GENERIC_BODIES = ("uy ban nhan dan", "hoi dong nhan dan", "ubnd", "hdnd", "doan dai bieu quoc hoi",
                   "uy ban mat tran to quoc viet nam", "ban chap hanh dang bo")


def is_type_line(ln: Line) -> Optional[dict]:
    """The document type's record when the line is only a type word in capitals (`CHỈ THỊ`,
    `QUYẾT ĐỊNH`, `KẾ HOẠCH`), else None."""
    text = ln.text.strip().rstrip(":").strip()
    if not is_upper_line(text) or len(text.split()) > 6:
        return None
    f = fold(text)
    for word, rec in type_words():
        if f == fold(word):
            return rec
    return None


def _type_line_prefix(ln: Line) -> Optional[tuple[dict, str]]:
    """`THÔNG BÁO KẾT LUẬN ...` -> (Thông báo, rest)."""
    text = ln.text.strip()
    if not is_upper_line(text):
        return None
    f = fold(text)
    for word, rec in type_words():
        fw = fold(word)
        if f.startswith(fw + " ") and len(text.split()) <= 12:
            return rec, text[len(word):].strip() if len(text) >= len(word) else ""
    return None


# ---------------------------------------------------------------- issuer names

_CAP_AFTER = {"bộ", "vụ", "sở", "ban", "cục", "tổng cục", "phòng", "chi cục", "trung tâm", "viện", "học viện", "đài",
              "báo", "tòa án", "viện kiểm sát", "kho bạc", "thanh tra"}
_PROPER = ["Chính phủ", "Quốc hội", "Trung ương", "Nhà nước", "Việt Nam", "Tỉnh ủy", "Thành ủy", "Huyện ủy",
           "Thị ủy", "Quận ủy", "Đảng ủy", "Mặt trận Tổ quốc", "Thường vụ", "Chấp hành", "Chỉ đạo", "Công an",
           "Quân sự", "Đảng bộ", "Đảng", "Chủ tịch", "Bí thư", "Thường trực", "Chánh Văn phòng", "Văn phòng", "Giám đốc"]


def _abbreviations() -> dict[str, str]:
    global _ABBR
    if _ABBR is None:
        out = {}
        try:
            for r in gazetteer.load("abbreviations.jsonl"):
                short = r.get("abbr") or r.get("short") or r.get("abbreviation")
                full = r.get("full") or r.get("expansion") or r.get("long")
                if short and full and " " not in short.strip():
                    out[short.strip()] = full.strip()
        except gazetteer.GazetteerError:
            pass
        out.setdefault("UBND", "Ủy ban nhân dân")
        out.setdefault("HĐND", "Hội đồng nhân dân")
        out.setdefault("MTTQ", "Mặt trận Tổ quốc")
        out.setdefault("UBMTTQ", "Ủy ban Mặt trận Tổ quốc")
        _ABBR = out
    return _ABBR


_ABBR: Optional[dict[str, str]] = None


def body_name(text: str, first: bool = True) -> str:
    """Case an issuing body printed in capitals the way it is written in running text:
    `ỦY BAN NHÂN DÂN` -> `Ủy ban nhân dân`, `SỞ Y TẾ` -> `Sở Y tế`, `TỈNH ỦY TIỀN GIANG` -> `Tỉnh ủy Tiền
    Giang`, `TỈNH BÌNH ĐỊNH` (second level) -> `tỉnh Bình Định`; abbreviations (UBND) expanded."""
    abbr = _abbreviations()
    if not is_upper_line(text):
        return _expand_abbr(text, abbr)
    low = text.lower()
    toks = low.split()
    # capitalise the first word of the name (unless it is a place level of a second line)
    if first or fold(toks[0]) not in _PLACE_LEVELS:
        toks[0] = toks[0][:1].upper() + toks[0][1:]
    s = " ".join(toks)
    # proper phrases
    for p in _PROPER:
        s = re.sub(rf"(?<!\w){re.escape(p.lower())}(?!\w)", p, s)
    # the word after an organ head word names the organ: Sở Y tế, Bộ Nội vụ, Ban Tuyên giáo
    def cap_next(m):
        return m.group(1) + m.group(2)[:1].upper() + m.group(2)[1:]
    heads = "|".join(sorted((re.escape(h) for h in _CAP_AFTER), key=len, reverse=True))
    s = re.sub(rf"(?i)(?:(?<=^)|(?<=\s))((?:{heads})\s+)([^\s,]+)",
               lambda m: m.group(0) if (fold(m.group(2)) in ("nhan", "chi") and fold(m.group(1)).strip() == "ban"
                                        or fold(m.group(2)) in ("truong", "pho"))
               else cap_next(m), s)
    s = re.sub(r"(?i)\b(ban\s+)(chỉ đạo)", lambda m: m.group(1).capitalize() + "Chỉ đạo", s)
    s = s[:1].upper() + s[1:] if first else s
    # place names
    prov = find_province(text)
    if prov:
        # replace by position on the folded text, so an OCR-damaged name (`LÂM ĐÒNG`) gets its spelling back
        fs_ = fold_diacritics(s).lower()
        k = fs_.find(fold(prov)) if len(fs_) == len(s) else -1
        if k >= 0 and (k == 0 or not fs_[k - 1].isalnum()):
            s = s[:k] + prov + s[k + len(prov):]
    lv = next((l for l in sorted(_PLACE_LEVELS, key=len, reverse=True) if fold(s).startswith(l + " ")), None)
    if lv and not fold(s).startswith(("tinh uy", "thanh uy", "huyen uy", "thi uy", "quan uy")):
        n = len(lv.split())
        toks = s.split()
        s = " ".join(toks[:n] + [t[:1].upper() + t[1:] for t in toks[n:]])
    # remaining all-caps abbreviations stay as printed (KHCN, ĐMST …)
    out = []
    for orig, new in zip(text.split(), s.split()):
        core = orig.strip(",.;:()")
        out.append(orig if (core.isupper() and len(core) <= 6 and fold(core) not in _COMMON_WORDS and len(core) > 1
                            and not re.search(rf"[{LOWER}]", core) and _looks_abbr(core)) else new)
    s = re.sub(r"(?i)\bđề án (\d+)", lambda m: "Đề án " + m.group(1), " ".join(out))
    return restore_diacritics(_expand_abbr(s, abbr))


_POSITION_WORDS = ["Phó Chánh Văn phòng", "Chánh Văn phòng", "Phó Chủ tịch", "Chủ tịch", "Giám đốc", "Phó Giám đốc",
                   "Bí thư", "Phó Bí thư", "Bộ trưởng", "Thứ trưởng", "Trưởng ban", "Phó Trưởng ban", "Vụ trưởng",
                   "Cục trưởng", "Thủ tướng", "Chánh Thanh tra"]


def _known_phrases() -> list[str]:
    global _PHRASES
    if _PHRASES is None:
        out = set(_PROPER) | set(_POSITION_WORDS) | {"Ủy ban nhân dân", "Hội đồng nhân dân", "Công an tỉnh",
                                                      "tỉnh", "huyện", "thành phố", "thị xã", "xã", "phường"}
        out |= {v for v in _abbreviations().values() if " " in v}
        out |= {p["name"] for p in provinces()}
        _PHRASES = sorted(out, key=len, reverse=True)
    return _PHRASES


_PHRASES: Optional[list[str]] = None


def restore_diacritics(text: str) -> str:
    """Give known phrases their spelling back where OCR lost every diacritic (`Uy ban nhan dan` ->
    `Ủy ban nhân dân`, `Chanh van phong` -> `Chánh Văn phòng`).  Spans that carry any diacritic are
    left as printed."""
    folded = fold_diacritics(text).lower()
    if len(folded) != len(text):
        return text
    for phrase in _known_phrases():
        key = fold_diacritics(phrase).lower()
        start = 0
        while True:
            k = folded.find(key, start)
            if k < 0:
                break
            end = k + len(key)
            span = text[k:end]
            bounded = (k == 0 or not folded[k - 1].isalnum()) and (end == len(text) or not folded[end].isalnum())
            if bounded and span != phrase and fold_diacritics(span) == span and len(phrase) == len(span):
                if span[:1].isupper() and phrase[:1].islower():
                    phrase_cased = phrase[:1].upper() + phrase[1:]
                else:
                    phrase_cased = phrase
                text = text[:k] + phrase_cased + text[end:]
            start = end
    return text


def _expand_abbr(text: str, abbr: dict[str, str]) -> str:
    words = []
    for w in text.split():
        core = w.strip(",.;:()")
        words.append(w.replace(core, abbr[core]) if core in abbr and core.isupper() and len(core) > 1 else w)
    return " ".join(words)


_COMMON_WORDS = {"so", "bo", "ban", "cuc", "tinh", "uy", "nhan", "dan", "y", "te", "noi", "vu", "xa", "huyen", "cong",
                 "an", "ve", "va", "cua", "thanh", "pho", "quan", "hoa", "phong", "doan", "hoi", "dai", "bao"}


_SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|kh|ph|th|tr|gi|qu|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$")


def _looks_abbr(core: str) -> bool:
    """`KHCN`, `ĐMST` are abbreviations; `NGHỆ`, `TRUNG` are syllables."""
    return not _SYLLABLE.match(fold(core))


# A word longer than any Vietnamese syllable: OCR lost the spaces of a line (`CÔNG ANTỈNHLÂMĐỎNG`)
_GLUED = re.compile(rf"[{UPPER}{LOWER}]{{9,}}")
# A list mark OCR made of a header line's underline or a speck (`- SỞ GIÁO DỤC VÀ ĐÀO TẠO`)
_MARK_BEFORE_BODY = re.compile(r"^[-–_~•]\s+(?=\S)")


def _respace(line: str) -> str:
    """A header line whose spaces OCR lost, spelt again from the phrases issuer names are made of
    (`CÔNG ANTỈNHLÂMĐỎNG` → `Công an tỉnh Lâm Đồng`) when those phrases cover it whole; else as read."""
    if not _GLUED.search(line):
        return line
    target = fold(line).replace(" ", "")
    pieces = _glued_pieces()
    best: list[Optional[list[str]]] = [None] * (len(target) + 1)
    best[0] = []
    for i in range(len(target)):
        if best[i] is None:
            continue
        for key, phrase in pieces.items():
            j = i + len(key)
            if target.startswith(key, i) and (best[j] is None or len(best[j]) > len(best[i]) + 1):
                best[j] = best[i] + [phrase]
    if not best[-1]:
        return line
    name = " ".join(best[-1])
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=1)
def _glued_pieces() -> dict[str, str]:
    """The phrases issuer names are made of, keyed by their folded letters without spaces."""
    return {k.replace(" ", ""): v for k, v in _known_spellings()}


def _body_line(line: str) -> str:
    line = line.strip()
    bare = _MARK_BEFORE_BODY.sub("", line)
    if bare != line and fold(bare).startswith(_head_words()):
        line = bare
    return _respace(line)


@lru_cache(maxsize=1)
def _head_words() -> tuple[str, ...]:
    return tuple(fold(r["word"]) + " " for r in gazetteer.load("unit_words.jsonl") if r["role"] == "head")


def compose_issuer(lines: list[str]) -> tuple[Optional[str], Optional[str]]:
    """(issuer, parent_body) from the issuer lines of the header, top to bottom."""
    lines = [_body_line(l) for l in lines if l.strip() and not _SEPARATOR.match(l)]
    if not lines:
        return None, None
    # join wrapped lines of one name (`BAN CHỈ ĐẠO ... KHCN,` / `VÀ ĐỀ ÁN 06 TỈNH LÂM ĐỒNG`)
    merged: list[str] = []
    for l in lines:
        if merged and (fold(l).split()[0] in ("va", "cua", "ve", "-", "phat", "thuoc") or merged[-1].endswith((",", "-", "–"))):
            merged[-1] = merged[-1] + " " + l
        else:
            merged.append(l)
    if len(merged) == 1:
        return body_name(merged[0]), None
    upper, lower = merged[-2], merged[-1]
    fl, fu = fold(lower), fold(upper)
    if fl.split()[0] in _PLACE_LEVELS and not fl.startswith(("tinh uy", "thanh uy", "huyen uy")) or \
            fu in _GENERIC_BODIES:
        # `ỦY BAN NHÂN DÂN` / `TỈNH BÌNH ĐỊNH`: one body written on two lines
        issuer = body_name(upper) + " " + body_name(lower, first=False)
        parent = body_name(merged[-3]) if len(merged) >= 3 else None
        return issuer, parent
    # `UBND TỈNH LÂM ĐỒNG` / `SỞ Y TẾ`: the lower line issues; the parent keeps the place
    issuer = body_name(lower)
    parent = body_name(upper)
    prov = find_province(upper)
    if prov and not find_province(lower) and not re.search(r"\b(tinh|thanh pho|huyen|xa)\b", fold(lower)):
        issuer = f"{issuer} {province_level(prov)} {prov}"
    return issuer, parent


# ---------------------------------------------------------------- header

@dataclass
class HeaderResult:
    header: Header
    body_start: int                      # index into the content lines
    title_lines: list[int] = field(default_factory=list)
    is_news: bool = False
    date_line: Optional[str] = None


_CUT_AT = [re.compile(r"dang cong san viet nam"), re.compile(r"cong hoa xa hoi chu nghia( viet( nam)?)?"),
           re.compile(r"doc lap\s*[-–]\s*tu do\s*[-–]\s*hanh phuc"),
           re.compile(r"(?<![^\W\d_])s[oô0]\s*[:.]?\s*\d*\s*[/-]\s*[^\W_][^\s]*")]


def _split_merged(seg: str) -> list[str]:
    """OCR and some readers print the two header columns as one line (`TỈNH ỦY TIỀN GIANG ĐẢNG CỘNG
    SẢN VIỆT NAM`): cut a segment at the motto, at `Số:` and at a date line."""
    f = fold_diacritics(seg).lower()
    if len(f) != len(seg):
        return [seg]
    cuts = set()
    for pat in _CUT_AT:
        for m in pat.finditer(f):
            cuts.add(m.start())
            if m.end() < len(seg):
                cuts.add(m.end())
    cuts = sorted(c for c in cuts if 0 < c < len(seg))
    if not cuts:
        return [seg]
    out, prev = [], 0
    for c in cuts + [len(seg)]:
        piece = seg[prev:c].strip()
        if piece:
            out.append(piece)
        prev = c
    return out


def _segments(ln: Line) -> list[str]:
    raw = [s.strip() for s in ln.text.split("   ") if s.strip()]
    merged: list[str] = []
    for s in raw:
        # `Số:` + `/QĐ-UBND`, `Bình Định, ngày` + `tháng 02 năm 2024`: one field split by a blank
        if merged and (re.search(r"(s[oô0]\s*[:.]?|ngay|thang|nam)$", fold(merged[-1])) and not is_upper_line(merged[-1])
                       or re.match(r"^(/|thang\b|nam\b)", fold(s))):
            merged[-1] = merged[-1] + " " + s
        else:
            merged.append(s)
    out: list[str] = []
    for s in merged:
        out.extend(_split_merged(s))
    return out


def merge_header_rows(lines: list[Line], limit: int = 30) -> list[Line]:
    """Readers give the header's fields piece by piece when the typist spaced them out (`Số:` and
    `/TB-UBND`; `Hà Nội, ngày` / `tháng` / `năm 2025`): rejoin pieces printed on one baseline, left to
    right, separated by a column gap.  Only the first lines of page 1, before the body."""
    if not lines:
        return lines
    out: list[Line] = []
    first_page = lines[0].page
    for k, ln in enumerate(lines):
        prev = out[-1] if out else None
        if (k < limit and prev is not None and ln.page == first_page == prev.page and None not in (ln.top, prev.top, ln.x0, prev.x1)
                and abs(ln.top - prev.top) <= 5 and ln.x0 >= prev.x1 - 2 and len(ln.text) < 60 and len(prev.text) < 60):
            merged = Line(**{**prev.__dict__})
            merged.text = prev.text + "   " + ln.text
            merged.x1 = ln.x1
            out[-1] = merged
        else:
            out.append(ln)
    return out


@dataclass
class _HeaderZone:
    """What the scan of a header zone has found so far."""
    header: Header
    issuer_lines: list[str] = field(default_factory=list)
    vv_parts: list[str] = field(default_factory=list)
    vv_open: bool = False                 # a `V/v ...` subject is still wrapping onto the next lines
    date_line: Optional[str] = None
    blank_symbol_code: Optional[str] = None   # `Số: .../QĐ-UBND` with the number left blank
    after_motto: bool = False
    motto_wrapped: bool = False
    type_rec: Optional[dict] = None
    type_idx: Optional[int] = None
    at: int = 0                           # the line being read
    first_text: Optional[int] = None      # the first line that reads as running text
    issuers_before_text: int = 0          # issuer lines met before it

    def found_nothing(self) -> bool:
        """No motto, number, date, type word or V/v: the file has no header (a page scanned alone,
        the second of a letter): its body starts at its first line of running text."""
        return not (self.header.motto or self.header.number or self.date_line or self.blank_symbol_code
                    or self.type_idx is not None or self.vv_parts)


def parse_header(lines: list[Line], start: int = 0, limit: int = 45, *, day_unread: bool = False) -> HeaderResult:
    """Read the header zone of a document (or of an attached part) starting at lines[start]."""
    zone = _HeaderZone(header=Header())
    h = zone.header
    i = _scan_header_zone(lines, start, limit, zone)
    if zone.found_nothing() and zone.first_text is not None:
        i = zone.first_text
        zone.issuer_lines = zone.issuer_lines[:zone.issuers_before_text]
    body_start = i
    title_idx: list[int] = []
    if i < len(lines) and fold(lines[i].text).startswith("kinh gui"):
        body_start = _addressees(lines, i, h)
    if zone.type_idx is not None:
        h.type = zone.type_rec["name"]
        body_start, title_idx = _read_title(lines, zone.type_idx, h)
    elif zone.vv_parts:
        h.title = "V/v " + join_text(zone.vv_parts)
    h.issuer_lines = zone.issuer_lines
    h.issuer, h.parent_body = compose_issuer(zone.issuer_lines)
    h.issuer = respell_known(h.issuer)
    h.parent_body = respell_known(h.parent_body)
    _settle_type(h, zone)
    if zone.date_line:
        place, date = parse_date_line(zone.date_line)
        h.issued_on = date
        # A scan whose handwritten day is unreadable still names its place of issue; a line whose
        # day is left blank (`Bình Định, ngày   tháng 02 năm 2024`, not yet issued) names none
        # (the evaluation gold's convention: seed-002/003 have place null)
        # DAY_UNREAD: the reader re-read a handwritten day and left it blank; it was written
        blank_day = re.search(r"ngày\s+tháng", zone.date_line, re.IGNORECASE) is not None and not day_unread
        h.place = canonical_place(place) if date or not blank_day else None
    prov = find_province(" ".join(zone.issuer_lines))
    if not prov and h.place:
        prov = find_province(h.place)
    h.province = prov
    return HeaderResult(header=h, body_start=body_start, title_lines=title_idx, date_line=zone.date_line)


def _scan_header_zone(lines: list[Line], start: int, limit: int, zone: _HeaderZone) -> int:
    """Read lines from `start` until the type line or the body; the index where the scan stopped."""
    i = start
    end = min(len(lines), start + limit)
    first_page = lines[start].page if start < len(lines) else 1
    while i < end:
        ln = lines[i]
        if ln.page != first_page and zone.type_idx is None and i > start + 3:
            break
        tr = is_type_line(ln)
        if tr and i > start:
            zone.type_rec, zone.type_idx = tr, i
            break
        pre = _type_line_prefix(ln) if i > start else None
        if pre and (zone.header.number or zone.issuer_lines) and not _POSITIONS.match(ln.f):
            zone.type_rec, zone.type_idx = pre[0], i
            break
        zone.at = i
        if any(_header_segment(seg, zone) for seg in _segments(ln)):
            break
        i += 1
    return i


def _header_segment(seg: str, zone: _HeaderZone) -> bool:
    """Take one segment of a header line into `zone`; True when the segment starts the body."""
    h = zone.header
    fs = fold(seg)
    if _MOTTO_PARTY.search(fs):
        h.motto = "party"
        zone.after_motto = True
        return False
    if _MOTTO_STATE.search(fs):
        if fs != "nam" or zone.after_motto:
            h.motto = "state"
            zone.after_motto = True
            zone.motto_wrapped = fs.endswith("viet")
        return False
    if zone.motto_wrapped and is_upper_line(seg) and fs.endswith(" nam") and len(fs.split()) > 1:
        seg = seg[: seg.rstrip().rfind(" ")].strip()   # OCR joined the motto's wrapped `NAM`
        fs = fold(seg)
        zone.motto_wrapped = False
    if _SEPARATOR.match(seg):
        zone.vv_open = False
        return False
    if _URGENCY.match(fs):
        h.urgency = seg.upper()
        return False
    if zone.vv_open and starts_lower(seg) and not is_upper_line(seg):
        zone.vv_parts.append(seg)   # `V/v triển khai thực hiện Công văn` / `số 3653/VPCP-CĐS`
        return False
    if zone.vv_open and not is_upper_line(seg) and not _DATE_LINE.match(fs) and not _DATE_ONLY.match(fs):
        zone.vv_open = False        # a capitalised line after the V/v starts the body
    m = _NUMBER.match(fs)
    if m and ("/" in seg or "-" in seg or not m.group(1)):
        _read_number(seg, zone)
        zone.vv_open = False
        return False
    dm = _DATE_LINE.match(fs)
    if dm and re.search(r"\bnam\b|\d{4}", dm.group(2)) or _DATE_ONLY.match(fs) or _DATE_NUMERIC.match(fs):
        zone.date_line = seg
        return False
    if fs.startswith("kinh gui"):
        return True
    if _VV.match(seg):
        zone.vv_parts = [_VV.sub("", seg)]
        zone.vv_open = True
        return False
    if is_upper_line(seg) and not h.number and not zone.date_line and not _POSITIONS.match(fs):
        zone.issuer_lines.append(seg)
        return False
    if is_upper_line(seg) and h.number is None and zone.blank_symbol_code is None and not zone.date_line:
        zone.issuer_lines.append(seg)
        return False
    # anything else in the header zone ends it when it looks like body text
    if zone.first_text is None and not is_upper_line(seg) and not zone.vv_open and len(seg.split()) >= 3:
        zone.first_text, zone.issuers_before_text = zone.at, len(zone.issuer_lines)
    return not is_upper_line(seg) and bool(h.number or zone.date_line or zone.blank_symbol_code) and not zone.vv_open


def _read_number(seg: str, zone: _HeaderZone) -> None:
    """The `Số: 12/CT-UBND` line: the number, or only its type code when the number is blank."""
    h = zone.header
    raw = re.sub(r"^(S\S{0,2})\s*[:.;]?\s*", "", seg)
    h.number = normalize_symbol(raw)
    if h.number and re.match(r"^[#{}\[\]⁄\\~*}]", raw.strip()):
        # `Số: #4 /QĐ-UBND`: a handwritten number half read; a wrong number is worse than none
        h.type_code = symbol_type(h.number)[1]
        h.number = None
        zone.blank_symbol_code = h.type_code
    if h.number is None:
        codes = re.findall(rf"[{UPPER}][{UPPER}{LOWER}0-9&]*", raw)
        zone.blank_symbol_code = "/".join(codes) if codes else None
        if codes and type_for_code(codes[0]):
            h.type_code = canonical_code(codes[0])


def _read_title(lines: list[Line], type_idx: int, h: Header) -> tuple[int, list[int]]:
    """The title under the type line (and the addressees after it); (body start, title line indexes)."""
    title_idx: list[int] = []
    pre = _type_line_prefix(lines[type_idx])
    title_parts: list[str] = []
    if pre and pre[1]:
        title_parts.append(pre[1])
    j = type_idx + 1
    prev = lines[type_idx]
    type_bold = lines[type_idx].bold
    while j < len(lines) and j < type_idx + 12:
        ln = lines[j]
        if not title_continues(ln, prev, first=not title_parts, type_bold=type_bold):
            break
        title_parts.append(ln.text)
        title_idx.append(j)
        prev = ln
        j += 1
    body_start = j
    if title_parts:
        h.title = join_text(title_parts)
    if body_start < len(lines) and fold(lines[body_start].text).startswith("kinh gui"):
        body_start = _addressees(lines, body_start, h)
    return body_start, title_idx


def _settle_type(h: Header, zone: _HeaderZone) -> None:
    """The type when no type line named it: from the number's code, else a Công văn by its V/v."""
    if h.type is None:
        if h.number:
            rec, code = symbol_type(h.number)
            if rec:
                h.type = rec["name"]
                h.type_code = code
        elif h.type_code:
            rec = type_for_code(h.type_code)
            h.type = rec["name"] if rec else None
        if h.type is None and (zone.vv_parts or zone.blank_symbol_code):
            h.type = "Công văn"
    elif h.number and not h.type_code:
        _, h.type_code = symbol_type(h.number)


def _addressees(lines: list[Line], i: int, h: Header) -> int:
    """Read `Kính gửi: …` (one line, or a list of `- …;` lines); return the index after it."""
    first = re.sub(r"^\S+\s+\S+\s*[:.]?\s*", "", lines[i].text.strip())
    if first:
        h.addressees.append(first.strip(" ;,."))
    j = i + 1
    while j < len(lines) and j < i + 25:
        t = lines[j].text.strip()
        if re.match(r"^[-+•]\s*", t) or (not h.addressees and len(t) < 90) or \
                (h.addressees and h.addressees[-1] and lines[j - 1].text.rstrip().endswith((";", ",")) and len(t) < 90
                 and not re.match(r"^(thuc hien|trien khai|can cu|theo|de )", fold(t))):
            h.addressees.append(re.sub(r"^[-+•]\s*", "", t).strip(" ;,."))
            j += 1
            continue
        break
    return j


def parse_date_line(text: str) -> tuple[Optional[str], Optional["dt.date"]]:
    """`Tiền Giang, ngày 10 tháng 5 năm 2023` -> ("Tiền Giang", 2023-05-10); blank day -> date None."""
    text = re.sub(r"\s+", " ", text).strip()
    place = None
    m = re.match(r"^([^,]{2,40}),\s*(.*)$", text) or re.match(r"^(.{2,40}?)[.;]\s*(ng\w{1,4}\b.*)$", text)
    rest = text
    if m and not re.match(r"^ng", fold(m.group(1))):
        place, rest = m.group(1).strip(), m.group(2)
    return place, parse_date(rest)


_PLACE_JUNK = re.compile(r"^[^\w]+|[^\w)]+$")


def canonical_place(place: Optional[str]) -> Optional[str]:
    """The place of a date line as the gazetteer spells it when it is a province or city whose name
    OCR damaged (`Quang Ngãi`, `Đả Nẵng`), else as printed; None when nothing is left of it."""
    if not place:
        return None
    place = _PLACE_JUNK.sub("", place.strip())
    if len(place) < 2 or not re.search(rf"[{UPPER}]", place[:1]):
        return None    # a place name is capitalised; `ngày`, digits or specks are not one
    key = fold(place)
    for p in provinces():
        if key in {fold(n) for n in [p["name"], *p.get("aliases", [])]}:
            return p["name"]
    return place


def _known_spellings() -> list[tuple[str, str]]:
    """(folded key, spelling) of the phrases an issuer name is made of: place levels with a province
    (`tỉnh Quảng Ngãi`, `thành phố Đà Nẵng`), the bodies of units.jsonl (`Sở Giáo dục và Đào tạo`)
    and the head words of unit_words.jsonl (`Tổ công tác`, `Công an`), longest first."""
    global _SPELLINGS
    if _SPELLINGS is None:
        out = {"Mặt trận Tổ quốc"}
        out.update(r["word"] for r in gazetteer.load("unit_words.jsonl") if r["role"] == "head" and " " in r["word"])
        out.update(r["name"] for r in gazetteer.load("units.jsonl") if r.get("kind") == "body")
        for p in provinces():
            for n in [p["name"], *p.get("aliases", [])]:
                out.add(f"tỉnh {n}")
                out.add(f"thành phố {n}")
        _SPELLINGS = sorted(((fold(x), x) for x in out), key=lambda t: len(t[0]), reverse=True)
    return _SPELLINGS


_SPELLINGS: Optional[list[tuple[str, str]]] = None


def respell_known(name: Optional[str]) -> Optional[str]:
    """Give an issuer name the gazetteer's spelling of the phrases it is made of, where OCR put a
    wrong diacritic on them (`Ủy ban nhân dân tĩnh Quảng Ngãi`, `Thành phó Đà Nẵng`): a span whose
    letters match a known phrase but for the marks or case takes the phrase's spelling."""
    if not name:
        return name
    folded = fold_diacritics(name).lower()
    if len(folded) != len(name):
        return name
    for key, phrase in _known_spellings():
        start = 0
        while (k := folded.find(key, start)) >= 0:
            end = k + len(key)
            start = end
            if (k and folded[k - 1].isalnum()) or (end < len(folded) and folded[end].isalnum()):
                continue
            span = name[k:end]
            if span.lower() == phrase.lower():
                continue
            # Inside a name the phrase's own case holds (`… nhân dân thành phố Đà Nẵng`).
            fixed = phrase if k else phrase[:1].upper() + phrase[1:]
            name = name[:k] + fixed + name[end:]
    return name


def title_continues(ln: Line, prev: Line, first: bool, type_bold: Optional[bool]) -> bool:
    text = ln.text.strip()
    f = ln.f
    if _SEPARATOR.match(text):
        return False
    if f.startswith(("can cu", "kinh gui", "(ban hanh kem", "(kem theo", "thuc hien", "dieu ")) and not first:
        return False
    if f.startswith(("can cu", "kinh gui", "(ban hanh kem", "(kem theo")):
        return False
    if is_upper_line(text) and not first:
        return False          # `CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH`, `QUYẾT ĐỊNH:`
    if _MARKER.match(text) and not first:
        return False
    if type_bold and ln.bold and (prev.bold or first) and not ends_sentence(prev.text):
        # a digital PDF: the trích yếu is bold like the type word (the body is not); a bold line is
        # a continuation, a plain one is judged by the text below
        return True
    if first:
        return not _MARKER.match(text) or bool(re.match(r"^(v/v|ve|về)\b", f))
    if starts_lower(text):
        return True
    if prev.text.rstrip().endswith((",", "-", "–", "và", "của")):
        return True
    return False


# ---------------------------------------------------------------- footer

@dataclass
class FooterResult:
    signer: Optional[str] = None
    authority: Optional[str] = None
    position: Optional[str] = None
    recipients: list[str] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)     # indices of footer lines (not content)
    start: Optional[int] = None
    end: Optional[int] = None                        # first index after the footer


def _footer_segments(ln: Line) -> list[str]:
    return [_SPECK_BEFORE_AUTHORITY.sub("", seg) for seg in _segments(ln)]


def is_footer_start(ln: Line) -> bool:
    for seg in _footer_segments(ln):
        fs = fold(seg)
        if _NOI_NHAN.match(fs) or (_AUTHORITY.match(fs) and is_upper_line(seg) and len(seg.split()) <= 10):
            return True
    return False


# Military and police ranks printed before a signer's name (Bộ Công an, Bộ Quốc phòng, Công an tỉnh)
_RANK = re.compile(r"^(?:(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)|ĐẠI\s+TƯỚNG|(?:THƯỢNG|TRUNG|THIẾU)\s+(?:TƯỚNG|TÁ|ÚY))\s+")


@lru_cache(maxsize=1)
def _family_names() -> frozenset[str]:
    return frozenset(r["name"] for r in gazetteer.load("surnames.jsonl"))


def person_name(text: str) -> Optional[str]:
    """A signer's name line as the name (`Nguyễn Văn A`), or None: a rank dropped, two to five
    capitalised words, the first a family name.  A first letter lost under the stroke of a seal or
    signature is given back when exactly one family name fits (`rần Hoàng Tuấn` → Trần)."""
    words = _RANK.sub("", text.strip()).split()
    if not 2 <= len(words) <= 5:
        return None
    if is_upper_line(" ".join(words)):
        words = [w[:1] + w[1:].lower() for w in words]
    names = _family_names()
    if words[0] not in names and words[0][:1].islower() and len(words[0]) >= 2:   # `ê` alone tells too little
        fits = [n for n in names if len(n) == len(words[0]) + 1 and n[1:] == words[0]]
        if len(fits) != 1:
            return None
        words[0] = fits[0]
    name = " ".join(words)
    return name if words[0] in names and _NAME.match(name) else None


def parse_footer(lines: list[Line], start: int) -> FooterResult:
    """Read a signature block and Nơi nhận list beginning at lines[start] (either order, or side by side)."""
    fr = FooterResult(start=start)
    positions: list[str] = []
    in_recipients = False
    i = start
    seen_sig = False
    name_done = False
    after_file_copy = False     # past `Lưu: VT, …`, the list's last line
    while i < len(lines):
        ln = lines[i]
        segs = _footer_segments(ln)
        handled = False
        for seg in segs:
            fs = fold(seg)
            if _NOI_NHAN.match(fs):
                in_recipients = True
                rest = re.sub(r"^\S+\s+\S+\s*[:.]?\s*", "", seg).strip()
                if rest:
                    _add_recipient(fr, rest)
                handled = True
                continue
            if in_recipients and _LUU.match(fs):
                after_file_copy = True
                handled = True
                continue
            if in_recipients and re.match(r"^" + _MARK, seg.strip()):
                _add_recipient(fr, seg)
                handled = True
                continue
            if seen_sig and not name_done and not in_recipients and re.match(r"^" + _MARK + r"\s*\w", seg.strip()):
                # the Nơi nhận column read into the signature's lines, its label lost (side-by-side columns)
                in_recipients = True
                _add_recipient(fr, seg)
                handled = True
                continue
            if _AUTHORITY.match(fs) and is_upper_line(seg) and not name_done:
                m = _AUTH_PRINTED.match(seg)
                prefix = m.group(1).upper().replace(" ", "") if m else ""
                prefix = {"THAYMẶT": "TM", "KÝTHAY": "KT", "THỪALỆNH": "TL", "THỪAỦYQUYỀN": "TUQ"}.get(prefix, prefix)
                prefix = "T/M" if prefix == "T/M" else prefix
                if fr.authority is None:
                    fr.authority = prefix if prefix == "T/M" else prefix + "."
                positions.append(seg)
                seen_sig = True
                handled = True
                continue
            if is_upper_line(seg) and (seen_sig or _POSITIONS.match(fs)) and not name_done and \
                    (not _NAME_CAPS.match(seg) or _TITLE_WORDS & set(fs.split())) \
                    or is_upper_line(seg) and _POSITIONS.match(fs) and not name_done:
                positions.append(seg)
                seen_sig = True
                handled = True
                continue
            if _SIGNED_NOTE.match(fs) and seen_sig:
                handled = True
                continue
            # a name with a family name stands even when a seal hid the title lines above it
            known = person_name(seg) if (seen_sig or after_file_copy) and not name_done else None
            if known:
                fr.signer = known
                name_done = True
                handled = True
                continue
            named = _RANK.sub("", seg.strip())      # "Thượng tướng Nguyễn Văn Long": the rank is no name
            if seen_sig and not name_done and named and (_NAME.match(named) or _NAME_CAPS.match(named) and len(named.split()) <= 5
                                                         and not _TITLE_WORDS & set(fold(named).split())):
                fr.signer = " ".join(w[:1] + w[1:].lower() for w in named.split()) if is_upper_line(named) else named
                name_done = True
                handled = True
                continue
            if in_recipients and not seen_sig and not segs[0] is seg:
                continue
            if in_recipients and segs[0] is seg and fr.recipients and not re.match(r"^" + _MARK, seg):
                # a wrapped recipient line
                if not is_upper_line(seg) and not _NAME.match(seg):
                    fr.recipients[-1] = fr.recipients[-1] + " " + seg.strip().rstrip(";,.")
                    handled = True
                    continue
        if not handled and seen_sig and not name_done and all(len(x.strip()) <= 2 or not re.search(r"\w{2}", x) for x in segs):
            handled = True   # specks of a seal or signature read by OCR (`£`, `v`)
        if not handled:
            break
        fr.lines.add(i)
        i += 1
        if name_done and not in_recipients:
            # the signature is complete; a Nơi nhận printed after it is still footer
            if i < len(lines) and not is_footer_start(lines[i]) and not _SIGNED_NOTE.match(lines[i].f):
                break
    fr.end = i
    if positions:
        # the position is what follows the last authority line: `VỤ TRƯỞNG` / `VỤ CẢI CÁCH HÀNH CHÍNH`
        last_auth = max((k for k, p in enumerate(positions) if _AUTHORITY.match(fold(p))), default=-1)
        tail = positions[last_auth + 1:] or [_AUTH_PRINTED.sub("", positions[-1])]
        fr.position = " ".join(body_name(p.strip(), first=(k == 0)) for k, p in enumerate(tail))
        if fr.authority and len(positions) >= 1:
            fr.authority = fr.authority + " " + body_name(_AUTH_PRINTED.sub("", positions[0]).strip())
    return fr


def _add_recipient(fr: FooterResult, seg: str) -> None:
    text = re.sub(r"^" + _MARK + r"\s*", "", seg.strip()).strip().rstrip(";,.").strip()
    if text and not _LUU.match(fold(text)):
        fr.recipients.append(text)


# ---------------------------------------------------------------- news print-outs

_NEWS_SIGNED = re.compile(
    r"(?P<who>[^.;:]{0,160}?)\s+(?:vừa\s+|đã\s+)?(?:ký\s+)?ban hành\s+(?P<type>[A-ZĐ][^\s]*(?:\s+[^\s]+)?)\s+số\s+"
    r"(?P<sym>[\w/.-]+)\s*,?\s*(?:ngày\s+(?P<date>[\d/.-]+|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?\s*(?:về\s+(?P<title>.+?)\.(?:\s|$))?",
    re.S)


def is_news(lines: list[Line]) -> bool:
    head = [ln for ln in lines[:12]]
    if any(_MOTTO_STATE.search(ln.f) or _MOTTO_PARTY.search(ln.f) for ln in head):
        return False
    if any(_NUMBER.match(ln.f) and "/" in ln.text for ln in head[:8]):
        return False
    return any(_NEWS.search(ln.f) for ln in head)


def parse_news(lines: list[Line]) -> HeaderResult:
    """A news article or web print-out: type `Tin bài`; when it reports the signing of a document
    (`… vừa ký ban hành Chỉ thị số 32-CT/TU ngày 29/5/2023 về …`), number, date, signer, issuer and
    subject are that document's, else the headline and the publication date."""
    h = Header(type="Tin bài")
    i = 0
    while i < len(lines) and _NEWS.search(lines[i].f) and not fold(lines[i].text).startswith("ngay dang"):
        i += 1
    head_parts = []
    j = i
    while j < len(lines) and j < i + 4:
        ln = lines[j]
        if re.search(r"ngay dang|cap nhat|\d{1,2}:\d{2}", ln.f) and head_parts:
            break
        if head_parts and not (starts_lower(ln.text) or head_parts[-1].rstrip().endswith((",", "-", "và"))):
            break
        head_parts.append(ln.text)
        j += 1
    headline = re.sub(r"^\s*\[[^\]]{1,20}\]\s*", "", join_text(head_parts)) if head_parts else None
    body_start = j
    pub = None
    for ln in lines[j:j + 3]:
        if re.search(r"ngay dang|cap nhat|\d{1,2}:\d{2}", ln.f):
            pub = parse_date(ln.text)
            body_start = ln.idx + 1 if ln.idx >= j else body_start
            body_start = lines.index(ln) + 1
    text = join_text([ln.text for ln in lines[body_start:body_start + 40]])
    m = _NEWS_SIGNED.search(text)
    h.title = headline
    h.issued_on = pub
    if m and normalize_symbol(m.group("sym")):
        h.number = normalize_symbol(m.group("sym"))
        rec, code = symbol_type(h.number)
        h.type_code = code
        if m.group("date"):
            h.issued_on = parse_date(m.group("date"))
        if m.group("title"):
            h.title = collapse(m.group("title"))
        who = m.group("who")
        nm = re.search(rf"((?:[{UPPER}][{LOWER}]*\s+){{1,4}}[{UPPER}][{LOWER}]*)\s*$", who)
        if nm:
            h.signer = nm.group(1).strip()
        tm = re.search(r"(?:Thay mặt|TM\.?|T/M)\s+([^,]+)", who)
        issuer = tm.group(1).strip() if tm else None
        if issuer is None and headline:
            issuer = headline
        h.issuer = _qualify_issuer(issuer, headline, text)
        h.signer_authority = "TM." if tm else None
    h.province = find_province(headline or "") or find_province(text)
    return HeaderResult(header=h, body_start=body_start, is_news=True)


def collapse(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _qualify_issuer(issuer: Optional[str], headline: Optional[str], text: str) -> Optional[str]:
    """`Ban Thường vụ Tỉnh ủy` + the province named in the headline -> `Ban Thường vụ Tỉnh ủy Hà Tĩnh`."""
    if not issuer:
        return None
    if find_province(issuer):
        # cut at the province: `Ban Thường vụ Tỉnh ủy Hà Tĩnh chỉ thị tăng cường …`
        prov = find_province(issuer)
        k = fold(issuer).find(fold(prov))
        return issuer[:k + len(prov)].strip() if k >= 0 else issuer
    prov = find_province(headline or "") or find_province(text)
    if prov and re.search(r"(tỉnh ủy|thành ủy|tỉnh|thành phố)$", issuer.lower()):
        return f"{issuer} {prov}"
    return issuer
