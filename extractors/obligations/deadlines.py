"""Vietnamese deadline phrases -> Deadline{raw, due, recurrence, day}.

Pure functions, no NLP.  `due` is the last day the words allow ("Tháng 02/2024" ->
2024-02-29, "Quý I/2024" -> 2024-03-31, "trước ngày 21/6/2023" -> 2023-06-21).  Repeating
phrases set `recurrence` (+ `day`) and leave `due` empty; "Theo lộ trình ..." keeps only `raw`.

Two entry points:
- parse_deadline(text): the text IS a deadline (a "Thời gian hoàn thành" cell, a list line).
- find_deadline(sentence): a deadline somewhere in running text, with the conventions of how
  directives are written: a dated phrase needs a deadline word in front of it (trước, chậm
  nhất, hoàn thành, trong tháng/quý/năm ...) so citation dates ("Kế hoạch 53/KH-UBND ngày
  18/02/2022") are never taken; a repeating word (thường xuyên, định kỳ, hằng tháng ...)
  counts only when it governs the first clause, not a later one.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Optional

from extractors.text import collapse_ws
from extractors.types import Deadline

__all__ = ["parse_deadline", "find_deadline", "find_deadlines", "is_before_document"]

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4,
         # OCR reads roman quarters as digits or l: "Quý 11/2024" is Quý II (there is no 11th quarter)
         "l": 1, "ll": 2, "lll": 3, "11": 2, "111": 3, "1v": 4, "lv": 4, "iw": 4}    # a worn V reads as W
WEEKDAYS = {"hai": 1, "ba": 2, "tư": 3, "bốn": 3, "năm": 4, "sáu": 5, "bảy": 6, "2": 1, "3": 2, "4": 3,
            "5": 4, "6": 5, "7": 6, "chủ nhật": 7, "cn": 7}

_HANG = r"(?:hằng|hàng)"
_Y = r"(?P<y>(?:19|20)\d{2})"
_SEP = r"\s*[/.\-]\s*"
_DMY = rf"(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}}){_SEP}{_Y}"
_DMY_WORDS = rf"(?P<d2>\d{{1,2}})\s+tháng\s+(?P<m2>\d{{1,2}})\s+năm\s+(?P<y2>(?:19|20)\d{{2}})"
# An hour's 1 is often read by OCR as a capital I or an l (`trước I4 giờ 00 ngày 29/7/2020`).
_HOUR = r"(?:\d{1,2}|[Il|]\d)"
_TIME = rf"(?:{_HOUR}\s*(?:giờ|h)(?:\s*\d{{1,2}}(?:\s*phút)?)?\s*,?\s*)?"
_MONTH_Y = rf"tháng\s+(?P<mm>\d{{1,2}})\s*(?:/|-|\s+năm\s+)\s*(?P<my>(?:19|20)\d{{2}})"
_QUARTER = r"quý\s+(?P<q>IV|IW|III|II|I|1V|lV|111|11|lll|ll|[1-4]|l)\s*(?:/|-|\s+năm\s+)\s*(?P<qy>(?:19|20)\d{2})"
_HALF = r"(?:0?6|sáu)\s+tháng\s+(?P<half>đầu|cuối)\s+năm\s+(?P<hy>(?:19|20)\d{2})"
_YEAR = r"năm\s+(?P<yy>(?:19|20)\d{2})"

_FLAGS = re.IGNORECASE | re.UNICODE

# Repeating deadlines.  Order matters: the more specific first.
_NEXT = r"(?:liền\s+kề|kế\s+tiếp|tiếp\s+theo|sau)\b"
_RECURRING: list[tuple[re.Pattern, str]] = [
    # a day of the period after each one: "Trước ngày 05 của tháng liền kề" (each month's report),
    # "Trước ngày 31/01 năm liền kề", "chậm nhất là ngày 31/12 năm trước liền kề" (each year's)
    (re.compile(rf"(?:vào\s+|trước\s+)?ngày\s+(?P<day>\d{{1,2}})\s+(?:của\s+)?tháng\s+{_NEXT}", _FLAGS), "monthly"),
    (re.compile(rf"ngày\s+\d{{1,2}}\s*/\s*\d{{1,2}}\s+(?:của\s+)?năm\s+(?:trước\s+)?{_NEXT}", _FLAGS), "yearly"),
    (re.compile(rf"(?:{_HANG}|mỗi)\s+tuần|định\s+kỳ\s+(?:{_HANG}\s+)?tuần", _FLAGS), "weekly"),
    (re.compile(rf"(?:vào\s+|trước\s+)?ngày\s+(?P<day>\d{{1,2}})\s+(?:{_HANG}|mỗi|của\s+{_HANG})\s+tháng", _FLAGS), "monthly"),
    (re.compile(rf"{_HANG}\s+tháng|mỗi\s+tháng|định\s+kỳ\s+(?:{_HANG}\s+)?tháng(?!\s+\d)", _FLAGS), "monthly"),
    (re.compile(rf"{_HANG}\s+quý|mỗi\s+quý|định\s+kỳ\s+(?:{_HANG}\s+)?quý(?!\s+(?:I|V|\d))", _FLAGS), "quarterly"),
    (re.compile(rf"(?:định\s+kỳ|{_HANG}|mỗi)\s+(?:0?6|sáu)\s+tháng(?!\s+(?:đầu|cuối))|06\s+tháng\s+một\s+lần|6\s+tháng\s+một\s+lần", _FLAGS), "halfyearly"),
    (re.compile(rf"{_HANG}\s+năm|mỗi\s+năm|định\s+kỳ\s+(?:{_HANG}\s+)?năm(?!\s+\d)", _FLAGS), "yearly"),
    (re.compile(r"thường\s+xuyên|liên\s+tục", _FLAGS), "ongoing"),
    # "định kỳ 02 tuần/lần": a cadence the spec has no word for, so ongoing
    (re.compile(r"(?:định\s+kỳ\s+)?\d{1,2}\s+(?:ngày|tuần)\s*/\s*(?:01\s+|1\s+|một\s+)?lần", _FLAGS), "ongoing"),
]
_WEEKDAY_RE = re.compile(r"(?:thứ\s+(?P<wd>hai|ba|tư|bốn|năm|sáu|bảy|[2-7]))|(?P<sun>chủ\s+nhật)", _FLAGS)
_ROADMAP_RE = re.compile(r"theo\s+(?:lộ\s+trình|kế\s+hoạch|tiến\s+độ|hướng\s+dẫn|yêu\s+cầu|chỉ\s+đạo)\b.*", _FLAGS)
_FROM_RE = re.compile(rf"^\s*(?:bắt\s+đầu\s+)?từ\s+(?:{_MONTH_Y}|{_QUARTER}|{_YEAR})", _FLAGS)

# Dated phrases: (regex, how to compute due)
_DATE_FORMS = [
    ("dmy", re.compile(rf"{_TIME}(?:ngày\s+)?{_DMY}", _FLAGS)),
    ("dmy_words", re.compile(rf"{_TIME}(?:ngày\s+)?{_DMY_WORDS}", _FLAGS)),
    ("half", re.compile(_HALF, _FLAGS)),
    ("quarter", re.compile(_QUARTER, _FLAGS)),
    ("month", re.compile(_MONTH_Y, _FLAGS)),
    ("year", re.compile(_YEAR, _FLAGS)),
]

# Words that make a following dated phrase a deadline in running text.
_LEAD_IN = re.compile(
    r"(?:(?:hoàn\s+thành|xong|thực\s+hiện|triển\s+khai|báo\s+cáo|gửi)\s+)?"
    r"(?:(?:trước|chậm\s+nhất(?:\s+là)?|muộn\s+nhất(?:\s+là)?|không\s+quá|đến\s+hết|hạn\s+chót|"
    r"trong(?:\s+thời\s+hạn)?|hoàn\s+thành(?:\s+trong)?|xong(?:\s+trong)?|định\s+kỳ|kể\s+từ|đến)\s+)"
    r"(?:(?:ngày|tháng|quý|năm)\b\s*)?$",
    _FLAGS)


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _due(kind: str, m: re.Match) -> Optional[dt.date]:
    g = m.groupdict()
    try:
        if kind == "dmy":
            return dt.date(int(g["y"]), int(g["m"]), int(g["d"]))
        if kind == "dmy_words":
            return dt.date(int(g["y2"]), int(g["m2"]), int(g["d2"]))
        if kind == "half":
            y = int(g["hy"])
            return dt.date(y, 6, 30) if g["half"].lower() == "đầu" else dt.date(y, 12, 31)
        if kind == "quarter":
            q = g["q"].lower()
            q = ROMAN.get(q) or int(q)
            return _last_day(int(g["qy"]), 3 * q)
        if kind == "month":
            return _last_day(int(g["my"]), int(g["mm"]))
        if kind == "year":
            return dt.date(int(g["yy"]), 12, 31)
    except ValueError:      # 31/02, month 13: not a real date, not a deadline
        return None
    return None


def _period_start(kind: str, m: re.Match) -> Optional[dt.date]:
    g = m.groupdict()
    try:
        if kind == "month":
            return dt.date(int(g["my"]), int(g["mm"]), 1)
        if kind == "quarter":
            q = g["q"].lower()
            q = ROMAN.get(q) or int(q)
            return dt.date(int(g["qy"]), 3 * q - 2, 1)
        if kind == "year":
            return dt.date(int(g["yy"]), 1, 1)
    except ValueError:
        return None
    return None


def _clean_raw(text: str) -> str:
    return collapse_ws(text).strip(" .;,:()*")


def _recurring(text: str) -> Optional[Deadline]:
    for rx, rec in _RECURRING:
        m = rx.search(text)
        if not m:
            continue
        day = None
        if rec == "monthly" and m.groupdict().get("day"):
            day = int(m.group("day"))
            if not 1 <= day <= 31:
                day = None
        if rec == "weekly":
            w = _WEEKDAY_RE.search(text)
            if w:
                day = 7 if w.group("sun") else WEEKDAYS[w.group("wd").lower()]
        return Deadline(raw=_clean_raw(text), recurrence=rec, day=day)
    return None


# A day and a month without a year ("ngày 23 tháng 1", "10/10"), in a deadline cell under a header
# that names the year ("Thời gian (Năm 2026)") or in a plan for one year.
_DM = re.compile(r"(?:ngày\s+)?(?P<d>\d{1,2})\s*(?:/|\s+tháng\s+)(?P<m>\d{1,2})(?!\s*[/.\-]\s*\d|\d)", _FLAGS)


# the date a document is cited with ("số 1441/QĐ-UBND ngày 25/9/2025"): its issue date, no due date
_CITED_DATE = re.compile(r"\d+/[\wĐđ&.-]*[A-ZĐ][\wĐđ&.-]*\s*,?\s*(?:ngày\s*)?$")


def parse_deadline(text: str | None, *, document_date: dt.date | None = None,
                   year: int | None = None) -> Optional[Deadline]:
    """Normalise a text that is a deadline as a whole (a table cell, "Thời hạn: ...").
    YEAR: the year a date without one falls in (the document's, or the one its title plans for).
    Returns None for empty text or words that carry no time at all."""
    if not text:
        return None
    raw = _clean_raw(text)
    if not raw:
        return None
    low = raw.casefold()
    # "Từ tháng 01/2024 và thực hiện thường xuyên": a start, then ongoing.
    fm = _FROM_RE.search(low)
    if fm:
        rest = low[fm.end():]
        rec = _recurring(rest)
        if rec:
            start = None
            for kind, rx in _DATE_FORMS:
                mm = rx.search(low)
                if mm:
                    start = _period_start(kind, mm)
                    break
            return Deadline(raw=raw, recurrence=rec.recurrence, day=rec.day, start=start)
    # A specific date wins over a repeat word around it ("báo cáo định kỳ tháng 02/2024").
    dues = []
    taken: list[tuple[int, int]] = []
    cited = False
    for kind, rx in _DATE_FORMS:
        for m in rx.finditer(raw):
            if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            due = _due(kind, m)
            taken.append((m.start(), m.end()))   # an impossible date (29/02/1990) must not fall back to its month
            if _CITED_DATE.search(raw[:m.start()]):
                cited = True                     # "Theo các mốc tại Quyết định số 1441/QĐ-UBND ngày 25/9/2025"
                continue
            if due is not None:
                dues.append(due)
    if cited and not dues:
        return Deadline(raw=raw)                 # the cited document sets the dates
    if dues:
        # "Tháng 6/2025 và tháng 12/2025": the last day the words allow
        return Deadline(raw=raw, due=max(dues))
    # "31/01 năm liền kề" names the year after each one, not the plan's year
    if re.search(rf"(?:tháng|năm)\s+(?:trước\s+)?{_NEXT}", raw, _FLAGS) and (rec := _recurring(raw)):
        return rec
    year = year or (document_date.year if document_date else None)
    if year:
        for m in _DM.finditer(raw):
            try:
                dues.append(dt.date(year, int(m.group("m")), int(m.group("d"))))
            except ValueError:
                continue
        if dues:
            return Deadline(raw=raw, due=max(dues))
    rec = _recurring(raw)
    if rec:
        return rec
    if _ROADMAP_RE.match(low) or re.match(r"(?:khi|sau\s+khi|ngay\s+sau\s+khi|kịp\s+thời|khẩn\s+trương|sớm)\b", low):
        return Deadline(raw=raw)
    return None


def is_before_document(deadline: Deadline | None, document_date: dt.date | None) -> bool:
    return bool(deadline and deadline.due and document_date and deadline.due < document_date)


# ------------------------------------------------------------------ running text

_CLAUSE_END = re.compile(r"[;.](?:\s|$)")


_HELPERS_FORMULA = re.compile(r"(?:chủ\s+trì,?\s*)?phối\s+hợp(?:\s+chặt\s+chẽ)?\s+với\s+[^.]{0,120}?\s(?=(?:tổ\s+chức|thực\s+hiện|"
                              r"triển\s+khai|rà\s+soát|kiểm\s+tra|theo\s+dõi|tuyên\s+truyền|hướng\s+dẫn)\b)", _FLAGS)


# "nhân ngày Chuyển đổi số Quốc gia 10/10", "nhân dịp kỷ niệm ngày 9/11": an activity held on an
# occasion's day, printed without its year
_OCCASION = re.compile(r"\bnhân\s+(?:dịp\s+)?(?:kỷ\s+niệm\s+)?ngày\s+[^,;.()\d]{0,60}?(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?!\d)"
                       r"(?:\s*/\s*(?P<y>(?:19|20)\d{2}))?(?![\d/])", _FLAGS)


def _occasions(text: str, document_date: dt.date, free, taken: list) -> list[tuple[int, Deadline]]:
    """The occasions a task is held on, each on its next day on or after the document's date."""
    out = []
    for m in _OCCASION.finditer(text):
        if not free(m.start(), m.end()):
            continue
        try:
            due = dt.date(int(m.group("y") or document_date.year), int(m.group("m")), int(m.group("d")))
            if due < document_date and not m.group("y"):
                due = due.replace(year=due.year + 1)
        except ValueError:
            continue
        taken.append((m.start(), m.end()))
        out.append((m.start(), Deadline(raw=_clean_raw(m.group(0)), due=due)))
    return out


def _first_clause_end(text: str) -> int:
    # a semicolon inside the opening list of helpers ("Phối hợp với các sở, ngành; cơ quan thông tấn,
    # báo chí tổ chức …") ends no clause
    formula = _HELPERS_FORMULA.match(text)
    m = _CLAUSE_END.search(text, formula.end() if formula else 0)
    return m.start() if m else len(text)


def find_deadlines(sentence: str, *, document_date: dt.date | None = None) -> list[tuple[int, Deadline]]:
    """Every deadline in running text, with its character offset."""
    text = collapse_ws(sentence)
    out: list[tuple[int, Deadline]] = []
    taken: list[tuple[int, int]] = []

    def free(a, b):
        return all(b <= s or a >= e for s, e in taken)

    for kind, rx in _DATE_FORMS:
        for m in rx.finditer(text):
            if not free(m.start(), m.end()):
                continue
            before = text[max(0, m.start() - 40):m.start()]
            lead = _LEAD_IN.search(before)
            if not lead:
                continue
            # "tầm nhìn đến năm 2030", "giai đoạn ... đến năm 2025": a horizon, not a deadline
            if kind == "year" and re.search(r"(?:tầm\s+nhìn|giai\s+đoạn|định\s+hướng|lộ\s+trình)\b[^.;]{0,40}$", text[:m.start()], _FLAGS) \
                    and not re.search(r"trong\s+$", before, _FLAGS):
                continue
            if kind == "year" and re.search(r"\bđến\s+(?:năm\s+)?$", before, _FLAGS):
                continue
            # an open run of months ("theo kế hoạch trong tháng 4/2026 và các tháng tiếp theo") or a note
            # on where work goes on ("lưu ý các vị trí triển khai thi công trong tháng 4/2026"): no deadline
            if re.match(r"\s*(?:và|,)\s*(?:các|những)\s+(?:tháng|quý|năm)\s+(?:tiếp\s+theo|sau)", text[m.end():], _FLAGS) or \
                    re.search(r"\blưu\s+ý\b[^.;:]{0,120}$", text[:m.start()], _FLAGS):
                continue
            # inside the title of a cited document ("Kế hoạch số 30/KH-UBND ... về thực hiện ... trong năm 2024")
            if kind in ("year", "month", "quarter", "half") and re.search(
                    r"\d+/[A-ZĐ][\w\-/]*[^;.]{0,120}$", text[max(0, m.start() - 160):m.start()]):
                continue
            due = _due(kind, m)
            if due is None:
                continue
            start = m.start() - len(before) + lead.start()
            raw = _clean_raw(text[start:m.end()])
            taken.append((m.start(), m.end()))
            out.append((start, Deadline(raw=raw, due=due)))
    if document_date is not None:
        out.extend(_occasions(text, document_date, free, taken))
    first_end = _first_clause_end(text)
    for rx, rec in _RECURRING:
        for m in rx.finditer(text):
            if not free(m.start(), m.end()):
                continue
            explicit = (rec == "monthly" and m.groupdict().get("day")) or (
                rec == "weekly" and re.search(rf"trước\s+{_HOUR}\s*(?:giờ|h)|thứ\s+\w+", text[max(0, m.start() - 40):m.end() + 40], _FLAGS)) \
                or _said_as_cadence(text, m)
            if m.start() > first_end and not explicit:
                continue            # a repeat word in a later clause governs that clause only
            head = text[:m.start()]
            if explicit:
                pass                # "trước 16 giờ thứ sáu hằng tuần", "trước ngày 25 hằng tháng": a deadline anywhere
            elif rec == "ongoing":
                # "giám sát thường xuyên", "được ... thường xuyên": modifies a verb already said
                if not _governs_main_action(head):
                    continue
            elif rec in ("monthly", "quarterly", "yearly", "halfyearly", "weekly"):
                # "tiêu chí thi đua hằng năm": a noun's attribute, not the task's cadence
                if not _repeats_the_action(head):
                    continue
            raw_start = m.start()
            lead = re.search(rf"(?:định\s+kỳ\s+(?:vào\s+|trước\s+)?|(?:thực\s+hiện\s+)|trước\s+{_HOUR}\s*(?:giờ|h)(?:\s*\d{{1,2}})?\s+(?:ngày\s+)?(?:thứ\s+\w+\s+)?)$", head, _FLAGS)
            if lead:
                raw_start = lead.start()
            end = m.end()
            if rec == "weekly":
                w = _WEEKDAY_RE.search(text, max(0, m.start() - 40), min(len(text), m.end() + 40))
                if w:
                    raw_start = min(raw_start, w.start())
                    end = max(end, w.end())
            raw = _clean_raw(text[raw_start:end])
            d = _recurring(text[raw_start:min(len(text), end + 40)] if rec == "weekly" else raw)
            if d is None:
                continue
            d.raw = raw
            taken.append((m.start(), m.end()))
            out.append((raw_start, d))
    out.sort(key=lambda x: x[0])
    return out


def _said_as_cadence(text: str, m: re.Match) -> bool:
    """A repeat the text states as the task's cadence, wherever it stands: "định kỳ hằng tháng
    báo cáo …" (a bare "định kỳ" or "chế độ báo cáo định kỳ" names no period and never matches),
    or a closing note "(Thực hiện thường xuyên)" that governs the whole item."""
    if re.match(r"định\s+kỳ\s+\S", m.group(0), _FLAGS) or re.search(r"định\s+kỳ\s+$", text[:m.start()], _FLAGS):
        return True
    opened = text.rfind("(", 0, m.start())
    return opened >= 0 and ")" not in text[opened:m.start()] and re.fullmatch(
        r"[^()]{0,30}\)[\s.;]*", text[m.end():]) is not None and len(text[opened:m.start()]) <= 30


# Nouns a period qualifies without the task repeating: "tiêu chí thi đua hằng năm" (the yearly
# emulation criteria), "danh hiệu … hằng năm".  After any other words of the first clause the
# period is the task's cadence: "Lập kế hoạch thực hiện Chương trình hằng năm", "tự đánh giá
# chỉ số cải cách hành chính hằng tháng của tỉnh".
_PERIOD_OF_A_NOUN = re.compile(
    r"\b(?:tiêu\s+chí|chỉ\s+tiêu|thi\s+đua|khen\s+thưởng|danh\s+hiệu|giải\s+thưởng|kỳ\s+họp|phiên\s+họp)"
    r"(?:\s+\S+){0,2}\s*$", re.IGNORECASE | re.UNICODE)


def _without_topic(head: str) -> str:
    """HEAD without a topic before a colon ("Đối với chương trình …: Định kỳ phát sóng …"): no verb."""
    return re.sub(r"^(?:Đối\s+với|Về)\b[^:;.]{0,160}:\s*", "", head.strip(), flags=_FLAGS).strip(" ,")


_PASSIVE = re.compile(r"\b(?:được|bị|phải\s+được)\b", _FLAGS)


def _repeats_the_action(head: str) -> bool:
    """A period word (hằng tháng, hằng năm …) after HEAD, in the task's first clause, is its cadence."""
    head = _without_topic(head)
    if re.search(r"[;.]", head) or _PASSIVE.search(head):
        return False
    return not _PERIOD_OF_A_NOUN.search(head)


# Words that may stand before the main verb without it being "said" yet: the subject, the
# lead/support formula, aspect adverbs.  If only these precede "thường xuyên", it governs
# the main action.
_PRE_MAIN = re.compile(
    r"^(?:[^;:.]*?\b(?:chủ\s+trì|phối\s+hợp(?:\s+với)?|giao|đề\s+nghị|yêu\s+cầu|cần|phải|tiếp\s+tục|"
    r"có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm)\b[^;:.]*)?$",
    _FLAGS)


def _governs_main_action(head: str) -> bool:
    head = _without_topic(head)
    if not head:
        return True
    # "Phối hợp với các sở, ngành; cơ quan thông tấn, báo chí tổ chức tuyên truyền thường xuyên": a
    # semicolon inside the list of those helping is no clause break, and the verb right after that
    # formula is the main action ("tổ chức tuyên truyền" + the period word)
    formula = _HELPERS_FORMULA.match(head)
    if formula and len(head[formula.end():].split()) <= 4 and not re.search(r"[;.]", head[formula.end():]):
        return True
    if re.search(r"[;.]", head):
        return False
    if _PASSIVE.search(head):
        return False
    words = head.split()
    # "Chủ trì, phối hợp với X thường xuyên rà soát": only the lead formula before it
    if re.search(r"\b(?:chủ\s+trì|phối\s+hợp)\b", head, _FLAGS) and not re.search(
            r"\b(?:tổ\s+chức|thực\s+hiện|triển\s+khai|xây\s+dựng|rà\s+soát|kiểm\s+tra|báo\s+cáo|tham\s+mưu|"
            r"theo\s+dõi|đôn\s+đốc|hướng\s+dẫn|tuyên\s+truyền)\b", head, _FLAGS):
        return True
    # subject only ("Các ngành liên quan thường xuyên ...") — short head with capitalised start
    if len(words) <= 8 and not re.search(r"\b(?:thực\s+hiện|triển\s+khai|xây\s+dựng|kiểm\s+tra|giám\s+sát|"
                                         r"báo\s+cáo|chế\s+độ|tiêu\s+chí|công\s+tác)\b", head, _FLAGS):
        return True
    return False


def find_deadline(sentence: str, *, document_date: dt.date | None = None) -> Optional[Deadline]:
    """The deadline that governs an obligation's text: a dated phrase wins over a repeat
    word ("báo cáo định kỳ tháng 02/2024" is one report, due end of February)."""
    found = find_deadlines(sentence, document_date=document_date)
    if not found:
        return None
    dated = [d for _, d in found if d.due]
    rec = [d for _, d in found if d.recurrence]
    # a repeat with its day or hour is what the unit is held to: "công khai hằng tháng …; chậm
    # nhất vào ngày 05 hằng tháng", "Hằng tháng tổ chức đối thoại …; Trước 16 giờ hằng tuần báo cáo"
    timed = [d for d in rec if d.day or re.search(r"\b(?:trước|chậm\s+nhất|giờ)\b", d.raw or "", _FLAGS)]
    if rec and found[0][1].recurrence and found[0][0] < 3:
        # "Định kỳ trước ngày 10 hàng tháng, ..." leads the sentence
        return found[0][1] if not timed or found[0][1] in timed else timed[0]
    if dated:
        return _last_of_joined(sentence, found)
    # a period said as the cadence ("định kỳ hằng tháng có trách nhiệm rà soát …") over a bare period
    # word before it that may qualify a noun ("căn cứ kế hoạch cải cách hành chính hằng năm của …")
    said = [d for d in rec if re.match(r"định\s+kỳ\s+\S", d.raw or "", _FLAGS)]
    return (timed or said or rec)[0] if rec else found[0][1]


def _last_of_joined(sentence: str, found: list[tuple[int, Deadline]]) -> Deadline:
    """The first dated deadline, or, when the next dated ones are joined to it by "và" in the same
    clause ("hoàn thành phê duyệt chủ trương trước 30/5/2026 và điều chỉnh dự án trước ngày 15/6/2026"),
    the latest of them: the task is done when its last part is."""
    text = collapse_ws(sentence)
    dated = [(pos, d) for pos, d in found if d.due]
    best = dated[0][1]
    for (p1, d1), (p2, d2) in zip(dated, dated[1:]):
        between = text[p1 + len(d1.raw or ""):p2]
        if not re.search(r"\bvà\b", between, _FLAGS) or re.search(r"[;.:]", between) or len(between) > 160:
            break
        if d2.due > best.due:
            best = d2
    return best
