"""The section tree of a directive's body: roman, arabic (2.1.), letters (a), đ)), bullets (-, +, •),
Điều N; paragraphs joined across line wraps and page breaks.

A marker only opens a section at the start of a paragraph: after a line that ends a sentence or a
heading, after a short line, or on an indented line.  A wrapped line that happens to begin with
`2024` or `- 2025` is text.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from extractors.structure.common import UPPER, ends_sentence, is_upper_line, join_text, starts_lower
from extractors.structure.lines import Line
from extractors.structure.roles import heading_role
from extractors.types import Paragraph, Section

_ROMAN = re.compile(r"^(?P<label>(?P<num>[IVX]{1,5})\s*[.)]|(?P<num2>[IVX]{1,5})\s*[-–]\s)\s*(?P<rest>\S.*)$")
_ARABIC = re.compile(r"^(?P<label>(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)])\s*(?P<rest>\S.*)$")
_ARABIC_NODOT = re.compile(r"^(?P<label>(?P<num>\d{1,2}(?:\.\d{1,2}){1,3}))\s+(?P<rest>[^\d\s].*)$")
_LETTER = re.compile(rf"^(?P<label>(?P<num>[a-zđ])\s*\))\s*(?P<rest>\S.*)$")
_LETTER_DOT = re.compile(rf"^(?P<label>(?P<num>[a-hđ])\.)\s+(?P<rest>[{UPPER}].*)$")
_PAREN = re.compile(rf"^(?P<label>\((?P<num>\d{{1,2}})\))\s*(?P<rest>[{UPPER}].*)$")
_BULLET = re.compile(r"^(?P<label>[-–—+•●▪◦·*])\s*(?P<rest>\S.*)$")
_ARTICLE = re.compile(r"^(?P<label>(?:Điều|ĐIỀU|Dieu|Ðiều)\s+(?P<num>\d{1,3}|[lI])\s*[.:]?)\s*(?P<rest>.*)$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}

CLOSING = re.compile(
    r"^(tren day la|trong qua trinh (to chuc )?(trien khai )?(thuc hien|to chuc)|qua trinh (to chuc )?(trien khai )?thuc hien|"
    r"yeu cau (thu truong|cac|giam doc|chu tich|nguoi dung dau).{0,200}(nghiem tuc|khan truong)|"
    r"(de nghi|yeu cau) cac .{0,80}nghiem tuc (trien khai|thuc hien)|giao .{0,60} theo doi, don doc.{0,80} bao cao .{0,60}\./\.$)")


def roman_value(s: str) -> int:
    total, prev = 0, 0
    for ch in reversed(s):
        v = _ROMAN_VALUES.get(ch, 0)
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


@dataclass
class Marker:
    kind: str
    label: str
    num: str
    rest: str


def match_marker(text: str) -> Optional[Marker]:
    t = text.strip()
    m = _ARTICLE.match(t)
    if m:
        num = m.group("num")
        num = "1" if num in ("l", "I") else num
        return Marker("article", m.group("label"), num, m.group("rest"))
    m = _ROMAN.match(t)
    if m:
        num = m.group("num") or m.group("num2")
        rest = m.group("rest")
        # `V. TỔ CHỨC THỰC HIỆN`, `I. Mục đích` — but not an initial: `V. I. Lênin`
        if roman_value(num) and (is_upper_line(rest[:30]) or re.match(rf"[{UPPER}]", rest)):
            return Marker("roman", m.group("label").strip(), num, rest)
    m = _ARABIC.match(t) or _ARABIC_NODOT.match(t)
    if m:
        rest = m.group("rest")
        if not re.match(r"^(\d|%|/)", rest):
            return Marker("arabic", m.group("label"), m.group("num"), rest)
    m = _LETTER.match(t) or _LETTER_DOT.match(t)
    if m:
        return Marker("letter", m.group("label"), m.group("num"), m.group("rest"))
    m = _PAREN.match(t)
    if m:   # "(1) Tiếp tục phối hợp ...": numbered items under an arabic item (Kế hoạch drafts)
        return Marker("paren", m.group("label"), m.group("num"), m.group("rest"))
    m = _BULLET.match(t)
    if m:
        rest = m.group("rest")
        if m.group("label") in "-–—" and re.match(r"^\d{4}\b", rest):
            return None   # `- 2025` is a range wrapped onto a new line
        return Marker("bullet", m.group("label"), m.group("label"), rest)
    return None


@dataclass
class _Geometry:
    left: dict[int, float] = field(default_factory=dict)       # body left margin per page
    right: dict[int, float] = field(default_factory=dict)
    typical_len: float = 70.0

    @classmethod
    def of(cls, lines: list[Line]) -> "_Geometry":
        g = cls()
        by_page: dict[int, list[Line]] = {}
        for ln in lines:
            by_page.setdefault(ln.page, []).append(ln)
        for p, pls in by_page.items():
            xs = [round(ln.x0) for ln in pls if ln.x0 is not None]
            if xs:
                g.left[p] = statistics.mode(xs) if len(xs) > 2 else min(xs)
            x1s = [ln.x1 for ln in pls if ln.x1 is not None]
            if x1s:
                g.right[p] = max(x1s)
        lens = sorted(len(ln.text) for ln in lines)
        if lens:
            g.typical_len = lens[int(len(lens) * 0.8)] if len(lens) > 4 else max(lens)
        return g

    def indented(self, ln: Line) -> Optional[bool]:
        if ln.x0 is None:
            return None
        left = self.left.get(ln.page)
        if left is None:
            return None
        return ln.x0 - left > 8

    def short(self, ln: Line) -> bool:
        if ln.x1 is not None and self.right.get(ln.page):
            return ln.x1 < self.right[ln.page] - 60
        return len(ln.text) < 0.75 * self.typical_len


def starts_paragraph(ln: Line, prev: Optional[Line], geo: _Geometry) -> bool:
    if prev is None:
        return True
    if is_upper_line(prev.text) and len(prev.text) < 120:
        return True
    ind = geo.indented(ln)
    prev_end = ends_sentence(prev.text)
    if ind is True and (prev_end or geo.short(prev)):
        return True
    # justified text: only the last line of a paragraph stops short of the right margin
    if prev_end and geo.short(prev) and not starts_lower(ln.text):
        return True
    if prev.text.rstrip().endswith(":") and not starts_lower(ln.text):
        return True
    return False


def marker_allowed(ln: Line, prev: Optional[Line], geo: _Geometry, m: Marker) -> bool:
    if prev is None or "paragraph-start" in ln.tags:
        return True     # a Word paragraph that starts with "a)" is an item, whatever the line before it
    if m.kind in ("article", "roman") and (ends_sentence(prev.text) or geo.short(prev) or is_upper_line(prev.text)):
        return True
    if ends_sentence(prev.text) or is_upper_line(prev.text):
        return True
    if geo.indented(ln):
        return True
    if geo.short(prev) and not prev.text.rstrip().endswith((",", "-", "–")) and \
            not re.search(r"\b(và|của|các|với|theo|tại|số|về|cho|trong)$", prev.text.rstrip()):
        return True   # a short line ends a paragraph or a heading (`1. Nhiệm vụ chung`)
    if m.kind == "bullet" and not starts_lower(m.rest) and geo.short(prev):
        return True
    return False


@dataclass
class BodyResult:
    sections: list[Section]
    preamble: list[Paragraph]
    closing: list[Paragraph]


class _Builder:
    def __init__(self, lines: list[Line]):
        self.geo = _Geometry.of(lines)
        self.lines = lines
        self.top: list[Section] = []
        self.stack: list[tuple[int, Section]] = []   # (rank, node)
        self.preamble: list[Paragraph] = []
        self.closing: list[Paragraph] = []
        self.bullet_symbols: list[str] = []
        self.last_roman = 0
        self.cur: Optional[tuple[list[str], int, object]] = None   # (parts, page, target)
        self.confs: list[tuple[float, int]] = []     # (OCR confidence, characters) of cur's lines
        self.title_open: Optional[Section] = None    # a node whose bold title is still being read

    # ranks: article/roman 1, arabic 2+depth, letter 6, bullets 10+
    def rank(self, m: Marker) -> int:
        if m.kind in ("article", "roman"):
            return 1
        if m.kind == "arabic":
            return 2 + m.num.count(".")
        if m.kind == "letter":
            return 6
        if m.kind == "paren":
            return 7
        sym = {"–": "-", "—": "-", "●": "•", "▪": "•", "◦": "•", "·": "•", "*": "•"}.get(m.label, m.label)
        if sym not in self.bullet_symbols:
            self.bullet_symbols.append(sym)
        return 10 + self.bullet_symbols.index(sym)

    def flush(self):
        if not self.cur:
            return
        parts, page, target = self.cur
        text = join_text(parts)
        if text:
            chars = sum(n for _, n in self.confs)
            conf = round(sum(c * n for c, n in self.confs) / chars, 2) if chars else None
            para = Paragraph(text=text, page=page, confidence=conf)
            if isinstance(target, Section):
                target.paragraphs.append(para)
            else:
                target.append(para)
        self.cur = None
        self.confs = []

    def line_confidence(self, ln: Line, text: str) -> None:
        """Count an OCR'd line into the open paragraph's confidence (weighted by its length)."""
        if ln.confidence is not None and text:
            self.confs.append((ln.confidence, len(text)))

    def open_para(self, target, first_text: str, page: int, ln: Optional[Line] = None):
        self.flush()
        self.cur = ([first_text], page, target)
        if ln is not None:
            self.line_confidence(ln, first_text)

    def path_for(self, m: Marker, parent: Optional[Section]) -> str:
        ppath = parent.path if parent else ""
        if m.kind == "article":
            return f"Điều {m.num}"
        if m.kind == "roman":
            return m.num
        if m.kind == "bullet":
            return ppath
        if m.kind == "paren":
            return f"{ppath}.({m.num})" if ppath else f"({m.num})"
        if m.kind == "arabic" and "." in m.num and parent is not None and parent.kind == "arabic":
            # `2.1.` under `2.`: the label already carries the parent's number
            base = _strip_arabic(ppath, parent)
            return f"{base}.{m.num}" if base else m.num
        num = m.num
        return f"{ppath}.{num}" if ppath else num

    def expected_arabic(self) -> int:
        """The number the next top-level arabic item should carry (last one + 1)."""
        siblings = self.top
        for r, node in reversed(self.stack):
            if r < 2:
                siblings = node.children
                break
        nums = [int(c.label.rstrip(".)").split(".")[0]) for c in siblings
                if c.kind == "arabic" and c.label.rstrip(".)").split(".")[0].isdigit() and "." not in c.label.rstrip(".)")]
        return (nums[-1] + 1) if nums else 1

    def expected_letter(self) -> Optional[str]:
        """The letter the next lettered item should carry when a lettered list is open (`b)` seen:
        `c`), else None."""
        for _, node in reversed(self.stack):
            if node.kind == "letter":
                k = _LETTERS.find(node.label.rstrip(".)").strip())
                return _LETTERS[k + 1] if 0 <= k < len(_LETTERS) - 1 else None
        return None

    def add(self, m: Marker, ln: Line):
        self.flush()
        if m.kind == "roman":
            self.last_roman = roman_value(m.num)
        r = self.rank(m)
        while self.stack and self.stack[-1][0] >= r:
            self.stack.pop()
        parent = self.stack[-1][1] if self.stack else None
        kind = m.kind
        node = Section(path=self.path_for(m, parent), label=m.label, kind=kind, page=ln.page)
        (parent.children if parent else self.top).append(node)
        self.stack.append((r, node))
        self.cur = ([m.rest], ln.page, node)
        self.line_confidence(ln, ln.text)
        self.title_open = node if ln.bold else None
        if ln.bold:
            node.title = m.rest.strip()

    def continue_title(self, ln: Line) -> None:
        """A bold marker line and the bold lines after it are the node's printed title; the first
        plain line ends it."""
        node = self.title_open
        if node is None:
            return
        if ln.bold:
            node.title = join_text([node.title, ln.text.strip()])
        else:
            self.title_open = None

    def closing_target(self):
        for r, node in reversed(self.stack):
            if node.kind in ("roman", "article"):
                return node
        return None


def _strip_arabic(ppath: str, parent: Section) -> str:
    """The path of the parent's parent (`III` for `III.2`), for `2.1.` nested under `2.`."""
    own = parent.label.rstrip(".)").strip()
    if ppath == own:
        return ""
    if ppath.endswith("." + own):
        return ppath[: -len(own) - 1]
    return ppath


_OCR_MARK = re.compile(rf"^(?P<num>[0-9§lI|SBO]{{1,2}})\s*\.\s+(?P<rest>[{UPPER}\"“].*)$")
# A lettered item whose letter OCR read as a sign (`©)` for c, `ø)` for g); taken only as the letter
# an open lettered list expects next.
_OCR_LETTER = re.compile(rf"^(?P<sign>[^\s\d(])\s*\)\s*(?P<rest>[{UPPER}].*)$")


_LETTERS = "abcdđefghiklmnopqrstuvxy"
# ... or in capitals, or after a speck of the margin (`C) Sở Nội vụ`, `Xe) Sở Giáo dục …`)
_OCR_LETTER_SPECK = re.compile(rf"^\S?(?P<letter>[a-zđA-ZĐ])\s*\)\s*(?P<rest>[{UPPER}].*)$")
# A list number whose period OCR read as a comma; taken only as the number the list expects next.
_OCR_COMMA = re.compile(rf"^(?P<num>\d{{1,2}})\s*,\s+(?P<rest>[{UPPER}][^\W\d_]*\s.*)$")
_OCR_ROMAN = re.compile(rf"^(?P<num>[IVXlH1|]{{1,5}})\s*[.)]\s+(?P<rest>[{UPPER}].*)$")
_OCR_DIGIT = str.maketrans({"§": "8", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8", "O": "0"})
_ROMANS = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]


def _no_letter(c: str) -> bool:
    """Not a letter of Vietnamese (its base letter, marks taken off, is none of a-z, đ): `©`, `ø`."""
    base = unicodedata.normalize("NFD", c)[:1].lower()
    return not ("a" <= base <= "z" or base == "đ")


def _ocr_repair(b: "_Builder", m: Optional[Marker], ln: Line, text: str) -> Optional[Marker]:
    """Undo OCR misreadings of list numbers, checked against the numbering so far: `§.` after 7. is 8.,
    `I.` opening a long sentence is 1., a second `II.` after II. is III."""
    if m is not None and m.kind == "roman":
        if m.num == "I" and not is_upper_line(m.rest[:30]) and not b.geo.short(ln) and b.expected_arabic() == 1:
            return Marker("arabic", "1.", "1", m.rest)
        v = roman_value(m.num)
        if b.last_roman and v <= b.last_roman and b.last_roman + 1 < len(_ROMANS) and is_upper_line(m.rest[:30]):
            n = _ROMANS[b.last_roman + 1]
            return Marker("roman", n + ".", n, m.rest)
        return m
    if m is None:
        mr = _OCR_ROMAN.match(text)
        if mr and is_upper_line(mr.group("rest")[:30]) and b.last_roman + 1 < len(_ROMANS) and \
                not re.fullmatch(r"[IVX]+", mr.group("num")):
            n = _ROMANS[b.last_roman + 1]      # `IH. MỤC TIÊU` after I. is II.
            return Marker("roman", n + ".", n, mr.group("rest"))
        letter = b.expected_letter()
        ml = _OCR_LETTER.match(text)
        if ml and letter and _no_letter(ml.group("sign")):
            return Marker("letter", letter + ")", letter, ml.group("rest"))   # `©) Thủ trưởng …` after b) is c)
        mx = _OCR_LETTER_SPECK.match(text)
        if mx and letter and mx.group("letter").lower() == letter:
            return Marker("letter", letter + ")", letter, mx.group("rest"))   # `Xe) Sở …` after d) is e), `C)` after b) is c)
        mc = _OCR_COMMA.match(text)
        if mc and int(mc.group("num")) == b.expected_arabic():
            n = mc.group("num")                   # `9, Sở Thông tin …` after 8. is 9.
            return Marker("arabic", n + ".", n, mc.group("rest"))
        mm = _OCR_MARK.match(text)
        if mm and not mm.group("num").isdigit():
            num = mm.group("num").translate(_OCR_DIGIT)
            if num.isdigit() and int(num) == b.expected_arabic():
                return Marker("arabic", num + ".", num, mm.group("rest"))
        mt = _OCR_TWO.match(text)
        if mt and _one_digit_misread(mt.group("num"), str(b.expected_arabic())):
            n = str(b.expected_arabic())          # `Ấ1, Tiếp tục …` after 10. is 11.
            return Marker("arabic", n + ".", n, mt.group("rest"))
    return m


# A two-digit list number with one digit read as a letter and its period as a comma or a period.
_OCR_TWO = re.compile(rf"^(?P<num>\w\w)\s*[.,]\s+(?P<rest>[{UPPER}][^\W\d_]+\s.*)$")


def _one_digit_misread(token: str, expected: str) -> bool:
    """`Ấ1` for `11`: as long as the expected number, one of its digits in place, the other a letter."""
    if len(token) != 2 or len(expected) != 2:
        return False
    kept = [a == e for a, e in zip(token, expected)]
    return sum(kept) == 1 and all(a.isalpha() for a, k in zip(token, kept) if not k)


def build_body(lines: list[Line]) -> BodyResult:
    b = _Builder(lines)
    prev: Optional[Line] = None
    for ln in lines:
        text = ln.text.strip()
        if "   " in text:
            text = re.sub(r"\s{3,}", " ", text)
            ln = Line(**{**ln.__dict__, "text": text})
        m = _ocr_repair(b, match_marker(text), ln, text)
        if m and marker_allowed(ln, prev, b.geo, m):
            b.add(m, ln)
            prev = ln
            continue
        b.continue_title(ln)
        if b.cur is None:
            b.open_para(b.stack[-1][1] if b.stack else b.preamble, text, ln.page, ln)
        elif starts_paragraph(ln, prev, b.geo):
            if b.stack and CLOSING.match(ln.f):
                target = b.closing_target()
                b.open_para(target if target is not None else b.closing, text, ln.page, ln)
                # later lines of this paragraph and following ones stay with the closing target
                if target is None:
                    b.stack = []
                else:
                    while b.stack and b.stack[-1][1] is not target:
                        b.stack.pop()
            else:
                b.open_para(b.cur[2], text, ln.page, ln)
        else:
            b.cur[0].append(text)
            b.line_confidence(ln, text)
        prev = ln
    b.flush()
    sections = b.top
    for s in sections:
        finish(s)
    return BodyResult(sections=sections, preamble=b.preamble, closing=b.closing)


def finish(node: Section, inherited: str = "other") -> None:
    """Fill heading, text and role of a node and its children."""
    node.text = "\n".join(p.text for p in node.paragraphs)
    first = node.paragraphs[0].text if node.paragraphs else ""
    node.heading = heading_of(first)
    # a bold title run into the text after it ("II. Nhiệm vụ, giải pháp trong thời gian tới" + "Để …")
    # names the role; the joined first sentence may be too long to
    named = (heading_role(node.title) if node.title and node.title != node.heading else None) or heading_role(node.heading)
    if node.kind == "article":
        role = named or "articles"
    elif node.kind == "bullet":
        role = inherited
    else:
        role = named or inherited
    node.role = role
    for c in node.children:
        finish(c, role if role != "articles" else "articles")


def heading_of(text: str) -> str:
    """Text of a node up to its first full stop or colon (a heading without either is all of it,
    cut at 200 characters)."""
    m = re.search(r"(?<!\d)[.:](?!\d)|\./\.", text)
    head = text[: m.start()] if m else text
    return head.strip()[:200]
