"""What a heading or a lead-in puts over the items below it: who leads, who supports, by when.

Real directives name the doer once and list the tasks under it, in many shapes:

    2. Sở Công Thương chủ trì, phối hợp thực hiện          (no colon, not bold in the text layer)
    1. Thủ trưởng các sở, ban ngành tỉnh, Chủ tịch UBND cấp huyện, các đơn vị sự nghiệp, …
    6. UBND các huyện, thị xã, thành phố chịu trách nhiệm:
    II.1. Về cải cách thể chế  Giao Sở Tư pháp chủ trì, phối hợp với các cơ quan, đơn vị liên quan:
    e) Đối với Nhà đầu tư Dự án cao tốc Tân Phú - Bảo Lộc:
    7. Trách nhiệm của các sở, ban, ngành, UBND các xã, phường, đặc khu
    I. TRIỂN KHAI NGAY TRONG THÁNG 12/2025                  (a time frame over its items)

`scope_of(section)` reads such a text into a Scope and says how much of the section's text it
takes; the items below inherit the scope unless they name their own subject.  A lead-in whose
words after the units are only "who does what" words (chủ trì, phối hợp với …, thực hiện,
chịu trách nhiệm, các nhiệm vụ sau …) is only a scope; one that says more sets a task of its own
and stays an obligation too (the conventions of ../shared/eval/gold/NOTES.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from extractors.text import collapse_ws
from extractors.types import Section

__all__ = ["Scope", "scope_of", "read_lead_in", "LeadIn"]


@dataclass(frozen=True)
class Scope:
    leads: tuple[str, ...] = ()
    supports: tuple[str, ...] = ()
    deadline: Optional[str] = None     # the words of a time-frame heading
    source: str = ""                   # heading | lead-in | addressees | group: how the units were found
    depth: int = 0                     # levels between the scope's text and the item it is applied to

    def below(self) -> "Scope":
        return Scope(self.leads, self.supports, self.deadline, self.source, self.depth + 1)

    def under(self, inner: Optional["Scope"]) -> "Scope":
        """This scope with an inner one over it: inner units replace outer ones (with their
        supports); an inner time frame replaces an outer one."""
        if inner is None:
            return self.below()
        leads, supports, source = (inner.leads, inner.supports, inner.source) if inner.leads else \
            (self.leads, self.supports, self.source)
        depth = 0 if inner.leads else self.depth + 1
        return Scope(leads, supports, inner.deadline or self.deadline, source, depth)


@dataclass
class LeadIn:
    leads: list[str] = field(default_factory=list)
    supports: list[str] = field(default_factory=list)
    only: bool = False          # the text is nothing but the scope (not a task of its own)
    bare: bool = False          # nothing but names: no word after the units at all


# Words that say who does what and nothing more ("chủ trì, phối hợp thực hiện", "chịu trách nhiệm",
# "tập trung thực hiện tốt các nhiệm vụ sau"): after them a lead-in has set no task of its own.
_SCOPE_WORDS = re.compile(
    r"(?:chủ\s+trì|phối\s+hợp|thực\s+hiện|triển\s+khai|tổ\s+chức|có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|"
    r"lãnh\s+đạo|chỉ\s+đạo|tập\s+trung|khẩn\s+trương|nghiêm\s+túc|tiếp\s+tục|cần|phải|"
    r"(?:một\s+số|các|những)\s+(?:nội\s+dung|nhiệm\s+vụ|công\s+việc|giải\s+pháp)(?:\s+(?:trọng\s+tâm|chủ\s+yếu|cụ\s+thể))?|"
    r"nhiệm\s+vụ|nội\s+dung|như\s+sau|sau\s+đây|sau|cụ\s+thể|trọng\s+tâm|tốt|có\s+hiệu\s+quả|hiệu\s+quả|"
    r"theo\s+chức\s+năng,?\s+nhiệm\s+vụ(?:\s+được\s+giao)?|với|và|là|[,;:.\-–]|\s)+",
    re.IGNORECASE)
# "Trách nhiệm của …", "Nhiệm vụ của …", "Đối với …" before the units a heading names
# "Trách nhiệm của X", "Nhiệm vụ cụ thể của X", and the founding decision's "Nhiệm vụ, quyền hạn
# của Ban Chỉ đạo" / "Chức năng, nhiệm vụ và quyền hạn của Tổ công tác": whose the items under it are
_DUTY = r"(?:chức\s+năng|trách\s+nhiệm|nhiệm\s+vụ|quyền\s+hạn)"
_OWNER = re.compile(rf"^(?:{_DUTY}(?:\s*(?:,|và)\s*{_DUTY})*(?:\s+cụ\s+thể)?\s+của|đối\s+với|giao\s+cho)\s+",
                    re.IGNORECASE)
_TOPIC = re.compile(r"^(?:Về|Đối\s+với)\s", re.IGNORECASE)
# a topic heading run into its lead-in: "Về cải cách thể chế Giao Sở Tư pháp chủ trì …"
_TOPIC_THEN_ASSIGN = re.compile(r"^(?:Về|Đối\s+với)\s+[^:;]{2,160}?\s(?=(?:Giao|Yêu\s+cầu|Đề\s+nghị)\s)")


def read_lead_in(text: str, closed: bool = False) -> LeadIn:
    """The units a heading or lead-in names, its supports, and whether it says nothing else.
    CLOSED: the text is a whole heading (cut at its colon), so a name may run to its end."""
    from extractors.obligations.nlp import read_unit_phrase
    from extractors.obligations.split import subject_of, supports_of

    closed = closed or collapse_ws(text).rstrip().endswith(":")
    t = collapse_ws(text).rstrip(" :.;")
    if not t or len(t.split()) > 60:
        return LeadIn()
    t = _TOPIC_THEN_ASSIGN.sub("", t)
    if re.match(r"Về\s+(?!phía\b)", t, re.IGNORECASE):
        # "Về xây dựng chính quyền điện tử, chính quyền số": a topic, whatever nouns it holds
        # ("Về phía Sở Tài chính" names a party)
        return LeadIn()
    owner = _OWNER.match(t)
    if owner:
        phrase, end = read_unit_phrase(t, owner.end())
        if phrase and not t[end:].strip(" ,;:."):
            return LeadIn([phrase], [], True, True)
        named = t[owner.end():]
        if owner.group(0).lower().startswith("đối"):
            # "Đối với Nhà đầu tư Dự án cao tốc …", "Đối với Chủ dự án thành phần": a party named by
            # its capitalised title; "Đối với việc lập hồ sơ …", "Đối với công tác …": a topic
            if named[:1].isupper() and not re.search(r"[.;]|\b(?:phải|cần|thực hiện|triển khai)\b", named):
                return LeadIn([named], [], True, True)
            return LeadIn()
    leads, end = subject_of(t + ":" if closed else t)
    if not leads:
        return LeadIn()
    rest = t[end:]
    supports = supports_of(rest)
    bare = not re.sub(r"[\s,;:.\-–]|\bvà\b", "", rest)
    for s in supports:
        rest = rest.replace(s, " ")
    return LeadIn(list(leads), supports, _only_scope_words(rest), bare)


def _only_scope_words(text: str) -> bool:
    """Nothing in TEXT but who-does-what words and the units they govern ("lãnh đạo Ủy ban nhân
    dân tỉnh", "chủ trì, phối hợp thực hiện")."""
    from extractors.obligations.nlp import read_unit_phrase

    pos, end = 0, len(text.rstrip())
    while pos < end:
        m = _SCOPE_WORDS.match(text, pos)
        if m and m.end() > pos:
            pos = m.end()
            continue
        phrase, after = read_unit_phrase(text, pos)
        if not phrase:
            return False
        pos = after
    return True


def _head_texts(section: Section, first: str) -> list[tuple[str, bool]]:
    """Where the heading of the section's first paragraph may end, most specific first, each with
    whether it is the whole paragraph: its bold title, the text up to a colon, a first paragraph
    without a full stop (a heading line).  A bold title may be a topic run into the lead-in that
    names the doer ("Về cải cách thể chế" + "Giao Sở Tư pháp chủ trì, …:")."""
    out: list[tuple[str, bool]] = []
    if section.title and first.startswith(section.title.rstrip(" :")):
        head = section.title.rstrip(" :")
        out.append((head, len(head) >= len(first.rstrip(" :."))))
    colon = first.find(":")
    if 0 < colon <= 300 and not re.search(r"\.\s", first[:colon]):
        out.append((first[:colon], not first[colon + 1:].strip()))
    elif not re.search(r"[.;!?]\s*$", first) and len(first.split()) <= 40:
        out.append((first, True))
    return out


def scope_of(section: Section, first: str, later: list[str]) -> tuple[Optional[Scope], str]:
    """(the scope SECTION puts over its items, the part of FIRST — its first paragraph, marker
    stripped — that is only that scope and is no task).  LATER: its other paragraphs, where a
    lead-in just before the items may name the doer.  (None, "") when its text names no doer and
    no time frame."""
    from extractors.obligations.deadlines import find_deadline
    from extractors.obligations.split import is_deadline_only

    has_items = bool(section.children)
    for head, whole in _head_texts(section, first):
        got = read_lead_in(head, closed=True)
        if got.leads and (got.only or has_items):
            return Scope(tuple(got.leads), tuple(got.supports), None, "heading"), head if got.only else ""
        if has_items and whole:
            # "NHỮNG NHIỆM VỤ CẦN TRIỂN KHAI NGAY TRONG THÁNG 12/2025", "TRONG NĂM 2026": a time frame
            # over the items ("… CÁC CHỈ SỐ NĂM 2026" names a year, no time frame: no lead-in word)
            frame = find_deadline(head)
            if frame is not None and frame.due is not None:
                return Scope(deadline=frame.raw, source="heading"), head if is_deadline_only(head) else ""
        if has_items and whole and _TOPIC.match(head):
            return None, head        # "Đối với việc lập hồ sơ …:", "Về cải cách thể chế": a topic over its items
    # a lead-in paragraph just before the items: "Giao Sở Nội vụ chủ trì, phối hợp với …:"
    if has_items and later and later[-1].rstrip().endswith(":"):
        got = read_lead_in(later[-1])
        if got.leads:
            return Scope(tuple(got.leads), tuple(got.supports), None, "lead-in"), ""
    return None, ""


def is_lead_in(text: str) -> bool:
    """A paragraph that only names the doer of the items below it."""
    return collapse_ws(text).rstrip().endswith(":") and read_lead_in(text).only
