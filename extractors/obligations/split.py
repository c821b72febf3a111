"""Which text is an obligation, and who leads/supports it.

General conventions of Vietnamese directives (see README of this package):
1. The base unit is a numbered item or a bullet; a table row of a task table; in an item
   without bullet markers each paragraph counts as a bullet.
2. Inside one base unit a sentence starts a new obligation when it names a different
   subject unit ("Các ngành liên quan chủ động ...", "Đề nghị các sở, ngành ..."), when it
   opens with its own time frame ("Hàng năm, ...", "Định kỳ trước ngày 10 hằng tháng, ..."),
   or when it opens a separate duty with "Chủ trì, ...".  Otherwise sentences about one
   unit stay one obligation; a sentence that is only a deadline ("Hoàn thành trong tháng
   02/2024.") belongs to the one before it.
3. An item without its own subject takes the units of its heading scope ("2. Ban cán sự
   đảng UBND tỉnh lãnh đạo UBND tỉnh:", "2. Công an tỉnh") or, failing that, the
   addressees of the directive's "... yêu cầu X, Y, Z thực hiện ...:" sentence.
4. Not obligations: background and results (đã đạt, còn hạn chế, Tuy nhiên ...), purpose
   sections, the execution clause ("... chịu trách nhiệm thi hành Quyết định này"), a
   pointer to the appendix, the addressee sentence itself.
Outside any list (a news article's body, a conclusion's closing paragraph) each
instruction sentence is its own obligation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from extractors.obligations.units import expand_department_list
from extractors.text import collapse_ws, fold_diacritics

# ------------------------------------------------------------------ sentence tools

_ABBR_DOT = re.compile(r"\b(?:TP|Q|KT|TM|TL|TUQ|ThS|TS|PGS|GS|Tp|St|v\.v)\.$")


def sentences(text: str) -> list[str]:
    """Split at '. ' before an upper-case letter (not after abbreviations or numbers)."""
    text = collapse_ws(text)
    out, start = [], 0
    for m in re.finditer(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“(]?[A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ])", text):
        chunk = text[start:m.start()]
        if _ABBR_DOT.search(chunk) or re.search(r"(?:^|\b(?:Điều|Khoản|khoản|Mục|mục|Điểm|điểm|số))\s*\d+\.$", chunk):
            continue
        out.append(text[start:m.start()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return [s for s in out if s]


# ------------------------------------------------------------------ markers

BACKGROUND_RE = re.compile(
    r"^(?:Tuy\s+nhiên|Tuy\s+vậy|Bên\s+cạnh|Những\s+tồn\s+tại|Nguyên\s+nhân|Thời\s+gian\s+qua|Trong\s+thời\s+gian\s+qua|"
    r"Kết\s+quả|Qua\s+\d+|Sau\s+khi\s+nghe|Trong\s+\d+\s+năm|Thực\s+hiện\s+[^,]{0,80},\s+thời\s+gian\s+qua|Trước\s+đó|"
    r"Ngày\s+\d|Sáng|Chiều|Tối|Tham\s+dự|Các\s+đồng\s+chí\s*:|Đồng\s+chí\s+[^,]{0,60}\s+phát\s+biểu|Buổi\s+làm\s+việc|"
    r"Chỉ\s+thị\s+nêu\s+rõ|Chỉ\s+thị\s+này\s+được|Toàn\s+văn|Thay\s+mặt)",
    re.IGNORECASE)
PAST_RE = re.compile(r"\b(?:đã|đã\s+đạt|đạt\s+được|còn\s+hạn\s+chế|còn\s+thấp|chưa\s+(?:cao|đảm\s+bảo|đáp\s+ứng|thực\s+sự|đầy\s+đủ)|"
                     r"vẫn\s+còn|còn\s+chậm|còn\s+nhiều|tồn\s+tại|hạn\s+chế\s+như\s+sau|ghi\s+nhận)\b", re.IGNORECASE)
DIRECTIVE_RE = re.compile(r"\b(?:đề\s+nghị|yêu\s+cầu|giao|cần|phải|có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|chủ\s+trì|"
                          r"phấn\s+đấu|nhấn\s+mạnh|chỉ\s+đạo)\b", re.IGNORECASE)
# The closing formulas ("Văn phòng thông báo để các cơ quan, đơn vị biết, thực hiện./.", "Quyết định này có
# hiệu lực …"); "thông báo cho các doanh nghiệp … biết chủ trương …" is a task (biết with an object).
EXECUTION_RE = re.compile(r"chịu\s+trách\s+nhiệm\s+thi\s+hành|thông\s+báo\s+(?:để|cho)\s+[^.;]{0,80}\bbiết(?=\s*(?:[,.;/]|$)|\s+(?:và\s+|để\s+)?(?:thực\s+hiện|phối\s+hợp|triển\s+khai))|(?:nghiêm\s+túc|khẩn\s+trương)?\s*(?:triển\s+khai\s+)?thực\s+hiện\s*\.?/\.\s*$|(?:Quyết\s+định|Chỉ\s+thị)\s+này\s+có\s+hiệu\s+lực|"
                          r"có\s+hiệu\s+lực\s+(?:thi\s+hành\s+)?kể\s+từ", re.IGNORECASE)
DECISION_RE = re.compile(r"^(?:Phê\s+duyệt|Ban\s+hành\s+kèm\s+theo|Thành\s+lập|Công\s+nhận|Bãi\s+bỏ|Sửa\s+đổi,\s+bổ\s+sung)\b")
POINTER_RE = re.compile(r"(?:theo|tại)\s+Phụ\s+lục|Phụ\s+lục\s+(?:đính|kèm)|^Ch[iỉì]\s+tiết\s+\d+\s+nhiệm\s+vụ|"
                        r"^Ban\s+hành\s+kèm\s+theo", re.IGNORECASE)
ADDRESSEE_END_RE = re.compile(r"(?:(?:một\s+số|các|những)\s+(?:nội\s+dung|nhiệm\s+vụ|giải\s+pháp)(?:,\s*(?:nhiệm\s+vụ|giải\s+pháp))?"
                              r"(?:\s+(?:trọng\s+tâm|chủ\s+yếu|liên\s+quan))?(?:\s+(?:sau|như\s+sau|sau\s+đây))?|như\s+sau|sau\s+đây)"
                              r"\s*[:.]?\s*$", re.IGNORECASE)
# A sentence opening with its own time frame
TIME_OPEN_RE = re.compile(r"^(?:Hằng|Hàng|Định\s+kỳ|Mỗi|Trước\s+ngày|Chậm\s+nhất|Trong\s+(?:tháng|quý|năm)\s+\d|Từ\s+(?:tháng|năm|quý))",
                          re.IGNORECASE)
# ("Riêng đối với <unit>, …" turns to another party: a task of its own)
CONTINUE_RE = re.compile(r"^(?:Trong\s+đó|Cụ\s+thể|Riêng(?!\s+(?:đối\s+)?với\s)|Ngoài\s+ra|Nhất\s+là|Đặc\s+biệt\s+là|Đồng\s+thời,\s+(?!đề\s+nghị|yêu\s+cầu))",
                         re.IGNORECASE)
# A sentence that completes the task before it: its deadline or its report ("Hoàn thành và báo cáo UBND
# tỉnh trước ngày 20/02/2025.", "Báo cáo phải phân tích rõ nguyên nhân …")
# (a labelled "Thời gian hoàn thành: …" line is a field: structure has made it the item's cell)
COMPLETES_RE = re.compile(r"^(?:Hoàn\s+thành|Báo\s+cáo\s+(?:phải|cần|nêu|gồm)|Thời\s+(?:gian|hạn)(?:\s+(?:hoàn\s+thành|thực\s+hiện))?)\b",
                          re.IGNORECASE)
# A branch of the task before it ("Trường hợp đảm bảo điều kiện thì …", "Nếu vượt thẩm quyền, …")
CONDITION_RE = re.compile(r"^(?:Trường\s+hợp|Nếu)\b", re.IGNORECASE)
# Intro adverbials skipped before looking for the subject (a condition or a time: "Ngay sau kỳ nghỉ Tết, các cơ
# quan … khẩn trương …" only when a unit follows its comma)
INTRO_RE = re.compile(r"^(?:(?:Nếu|Khi|Trường\s+hợp|(?:Ngay\s+)?(?:Sau|Trước)\s+(?:khi|kỳ|dịp)|Trong\s+(?:dịp|thời\s+gian))\b[^;]{0,120}?,\s*(?=(?:các|những|Sở|Ủy|UBND|Công|Văn)\b)|Trên\s+đây\s+là[^;]*?,\s*(?=(?:đề\s+nghị|yêu\s+cầu|giao)\b)|(?:(?:Riêng\s+)?(?:đối\s+)?với|Trên\s+cơ\s+sở|Trong\s+quá\s+trình|Căn\s+cứ|Để|Về|Theo|Trước\s+mắt|Đồng\s+thời|Bên\s+cạnh\s+đó|"
                      r"Trên\s+đây\s+là|Phát\s+biểu|Tại)\b[^,;:]{0,200}[,:]\s*)+", re.IGNORECASE)
# `giao` assigns, except in the compounds it begins: giao ban (a briefing), giao thông, giao dịch ...
# (lower case: `Giao Ban Dân tộc tỉnh` assigns to a body)
_GIAO_WORD = r"giao(?!\s+(?-i:ban|thông|dịch|lưu|tiếp|nhận|nộp|kết|đất|rừng|hàng|khoán)\b)"
# at the head of the sentence or after its subject, `giao cho X` too (inside one, `ngân sách trung
# ương giao cho bộ, cơ quan …` allots, it does not assign)
_GIAO = rf"(?:giao\s+cho|{_GIAO_WORD})"
REPORTING_VERB_RE = re.compile(rf"\b(?:đề\s+nghị|yêu\s+cầu|{_GIAO_WORD}|nhấn\s+mạnh|đề\s+xuất\s+với|kiến\s+nghị)\s+"
                               r"(?!(?:sửa|bổ|cấp\s+có))", re.IGNORECASE)
LEAD_VERB_RE = re.compile(r"^\s*,?\s*(?:lãnh\s+đạo|chỉ\s+đạo)(?:,?\s*(?:lãnh\s+đạo|chỉ\s+đạo))*\s+", re.IGNORECASE)
CHU_TRI_RE = re.compile(r"^\s*,?\s*chủ\s+trì\b", re.IGNORECASE)
SUPPORT_RE = re.compile(r"(?<!sự\s)(?<!tác\s)\bphối\s+hợp(?:\s+chặt\s+chẽ)?(?:,\s*(?:chỉ\s+đạo|hỗ\s+trợ))?(?:\s+với)?\s+(?!giữa|chặt|nhịp|thực\s+hiện|"
                        r"triển\s+khai|tổ\s+chức\s+thực|đồng\s+bộ|trong\b)", re.IGNORECASE)


@dataclass
class Roles:
    leads: list[str] = field(default_factory=list)      # raw unit phrases
    supports: list[str] = field(default_factory=list)
    has_subject: bool = False


def _phrase(text: str, pos: int) -> tuple[str, int]:
    from extractors.obligations.nlp import read_unit_phrase
    return read_unit_phrase(text, pos)


# What a doer does first: a unit followed by one of these inside an intro adverbial is its subject.
_DOER_VERB = re.compile(r"\s*(?:chủ\s+trì|chủ\s+động|phối\s+hợp|có\s+trách\s+nhiệm|khẩn\s+trương)\b", re.IGNORECASE)


def _subject_inside_intro(s: str, intro_end: int) -> Optional[int]:
    """Where the subject starts when an intro adverbial ran into it for want of its comma
    ("Trong quá trình thực hiện Thủ trưởng các địa phương chủ động phối hợp với Sở Kế hoạch và
    Đầu tư, …": the intro would end at that comma): a unit, capitalised or a group (`các trường
    …`), followed by a doer's verb."""
    for w in re.finditer(r"(?<=\s)\S+", s[:intro_end]):
        if not (w.group(0)[0].isupper() or w.group(0) == "các"):
            continue
        phrase, end = _phrase(s, w.start())
        if phrase and end < intro_end and _DOER_VERB.match(s, end):
            return w.start()
    return None


def subject_of(sentence: str) -> tuple[list[str], int]:
    """Lead unit phrases named by a sentence as its subject (or Giao/Đề nghị/Yêu cầu object),
    and the offset where the predicate starts."""
    s = sentence
    m = INTRO_RE.match(s)
    pos = m.end() if m else 0
    if m:
        pos = _subject_inside_intro(s, pos) or pos
    # "Giao X ...", "Đề nghị X ...", "Yêu cầu X ..."
    g = re.match(rf"\s*(?:{_GIAO}|Đề\s+nghị|Yêu\s+cầu)\s+", s[pos:], re.IGNORECASE)
    if g:
        pos += g.end()
    phrase, end = _phrase(s, pos)
    if not phrase and not g and not _opens_with_action(s[pos:]):
        # "..., (đồng chí ...) đề nghị/yêu cầu X ..." inside the sentence (a report of a request); in an
        # order that opens with its action ("Khẩn trương …; vận động và yêu cầu các chủ mỏ cam kết …")
        # the one asked is part of the task, not its doer
        for rv in REPORTING_VERB_RE.finditer(s):
            if rv.start() < pos:
                continue
            if re.match(r"(?:đề\s+xuất\s+với|kiến\s+nghị)\b", rv.group(0), re.IGNORECASE) and _opens_with_verb(s[pos:]):
                continue     # "Nghiên cứu, đề xuất với Chính phủ … phương hướng": whom the doer proposes to
            phrase, end = _phrase(s, rv.end())
            if phrase:
                break
    if not phrase and not g:
        # "Riêng đối với các đơn vị sự nghiệp công lập thuộc UBND tỉnh, hằng quý có ít nhất 01 tin":
        # the party the sentence turns to does it, when no other subject follows
        party = re.match(r"\s*(?:Riêng\s+)?(?:đối\s+)?với\s+", s, re.IGNORECASE)
        if party and m and m.end() == pos:
            p2, e2 = _phrase(s, party.end())
            comma = s.find(",", e2)
            if p2 and 0 <= comma < pos:
                p2, e2 = _whole_name(s, p2, e2, until=comma)
            if p2 and re.match(r"\s*,", s[e2:]) and e2 < pos:
                return [p2], pos
    if not phrase:
        return [], pos
    rv = re.match(rf"\s*(?:yêu\s+cầu|đề\s+nghị|{_GIAO})\s+", s[end:], re.IGNORECASE)
    if rv and not g:
        # "Chủ tịch UBND tỉnh yêu cầu X ...": X leads, not the one who asks
        p2, e2 = _phrase(s, end + rv.end())
        if p2:
            phrase, end = p2, e2
    phrase, end = _whole_name(s, phrase, end)
    leads = [phrase]
    rest = s[end:]
    lv = LEAD_VERB_RE.match(rest)
    if lv:
        p2, e2 = _phrase(s, end + lv.end())
        if p2 and CHU_TRI_RE.match(s[e2:]):
            leads.append(p2)         # "Đảng ủy CA tỉnh lãnh đạo, chỉ đạo Công an tỉnh chủ trì": both lead
        return leads, end
    return leads, end


# The verbs that assign a task to the unit before them ("Giao Ban Quản lý dự án đầu tư xây dựng số 1
# chủ trì, …", "Trung tâm xúc tiến Đầu tư, Thương mại và Du lịch tỉnh:").
# Matched on the text with its diacritics folded (same length), so an OCR'd "chú trì" is one too.
_ASSIGNED = re.compile(r"\s*(?:,\s*)?(?:chu\s+tri|phoi\s+hop|co\s+trach\s+nhiem|chiu\s+trach\s+nhiem|lam\s+dau\s+moi)\b|\s*:")
# Verbs that may sit inside a body's name ("Ban Quản lý dự án đầu tư xây dựng", "Trung tâm Xúc tiến Đầu
# tư, Thương mại và Du lịch", "Cục Cảnh sát điều tra tội phạm về ma túy"); any other verb is a predicate.
_NAME_VERBS = frozenset({"quản lý", "đầu tư", "xây dựng", "xúc tiến", "du lịch", "phát triển", "giám sát", "chuyển đổi",
                         "bảo vệ", "điều tra", "hỗ trợ", "xóa", "xoá", "thi", "liên quan", "khám", "chữa bệnh", "đào tạo",
                         "thuộc"})   # "thuộc" (of), which the tagger takes for a verb


# Adverbs of manner that open a predicate ("Sở Thông tin và Truyền thông | chủ động phối hợp …")
_MANNER = frozenset({"chủ động", "tích cực", "khẩn trương", "kịp thời", "nghiêm túc", "thường xuyên", "trực tiếp", "tiếp tục",
                     "sớm", "tập trung", "lãnh đạo", "chỉ đạo", "giao", "yêu cầu", "đề nghị"})


def _whole_name(sentence: str, phrase: str, end: int, until: Optional[int] = None) -> tuple[str, int]:
    """A body's name that the phrase reader cut at a word it took for a verb: when the words after
    the phrase run, with no predicate of their own, to the verb that assigns the task ("chủ trì",
    "phối hợp", "có trách nhiệm", a colon) or to UNTIL, they are the rest of the name."""
    from extractors.obligations.nlp import pos_tags

    rest = sentence[end:]
    if until is not None:
        stop = until - end
    else:
        m = _ASSIGNED.search(fold_diacritics(rest).lower())
        stop = m.start() if m else 0
    if stop <= 0:
        return phrase, end
    tail = rest[:stop]
    words = tail.strip(" ,")
    if not words or len(words.split()) > 10 or re.search(r"[.;()]", words) or not re.match(r"\s", tail):
        return phrase, end
    for word, tag, _ in pos_tags(words):
        low = word.lower()
        if (tag == "V" and low not in _NAME_VERBS) or (tag == "C" and low != "và") or tag == "R" or \
                (tag == "E" and low not in ("của", "thuộc", "về", "tại")) or low in _MANNER:
            return phrase, end
    return (phrase + tail).rstrip(" ,"), end + len(tail.rstrip(" ,"))


# "cùng (với) X" names X as a helper as "phối hợp với X" does ("giao Sở Nội vụ chủ trì cùng với các đơn vị …",
# "Cùng các ngân hàng thương mại phát động …"); the unit reader drops what is no unit ("cùng với việc …")
_TOGETHER_WITH_RE = re.compile(r"(?<!\w)cùng(?:\s+với)?\s+", re.IGNORECASE)


def supports_of(text: str) -> list[str]:
    # a note in brackets after a name ("Sở Nông nghiệp và PTNT (Cơ quan Thường trực về Phòng, chống
    # thiên tai), Sở Giao thông vận tải, …") does not end the list of those asked to help
    text = re.sub(r"(?<=\w)\s*\([^()]{1,120}\)(?=\s*,)", "", text)
    text = expand_department_list(text)
    out = []
    for m in [*SUPPORT_RE.finditer(text), *_TOGETHER_WITH_RE.finditer(text)]:
        phrase, _ = _phrase(text, m.end())
        if phrase:
            out.append(phrase)
    return out


def is_deadline_only(sentence: str) -> bool:
    from extractors.obligations.deadlines import parse_deadline
    s = sentence.strip(" .;*()")
    d = parse_deadline(s)
    if not d or (d.due is None and d.recurrence is None):
        return False
    # every word is a time word: "Hoàn thành trong tháng 02/2024", "Thời hạn: Quý II/2024"
    rest = re.sub(r"(?i)\b(?:hoàn\s+thành|thời\s+hạn|thời\s+gian|thực\s+hiện|trong|trước|chậm\s+nhất|là|ngày|tháng|quý|năm|"
                  r"hằng|hàng|định\s+kỳ|thường\s+xuyên|vào|giờ|thứ|tuần|đầu|cuối|và|từ|đến|hết|I|II|III|IV)\b", " ", s)
    return not re.sub(r"[\d/.\-:,\s]", "", rest)


# A position and a person's name, nothing else: a line of a committee's membership list
_MEMBER_ENTRY = re.compile(
    r"^(?:(?:Phó|Quyền|Nguyên)\s+)?(?:Chủ\s+tịch|Chủ\s+nhiệm|Bộ\s+trưởng|Thứ\s+trưởng|Thống\s+đốc|Tổng\s+\w+|Giám\s+đốc|"
    r"Chánh\s+\w+|Viện\s+trưởng|Trưởng\s+\w+|Ủy\s+viên|Uỷ\s+viên|Chánh\s+Văn\s+phòng|Đồng\s+chí)\b[^;:.]{0,160}?\s"
    r"(?:Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Đoàn|Đinh|Lâm|Mai|Trịnh|Trương|Tô|Hà|"
    r"Cao|Lương|Đào|Tạ|Châu|Thái|Kiều|Quách|Lưu|Triệu|Vương|Phùng|Tăng|Lại|Mạc|Hầu|Nông|La|Y)"
    r"(?:\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈÍÌÓÒÚÙÝ][\wÀ-ỹ]*){1,3}\s*[;,.]?\s*$")
_NATIONAL_MOTTO = re.compile(r"C[ỘÔO]NG\s+H[ÒOÓ]A\s+X[ÃA]\s+H[ỘÔO]I\s+CH[ỦU]\s+NGH[ĨI]A\s+VI[ỆÊE]T\s+NAM|"
                             r"Độc\s+lập\s*-\s*Tự\s+do\s*-\s*Hạnh\s+phúc", re.IGNORECASE)
_FORM_HEADER = re.compile(r"\bHọ\s+(?:và\s+)?tên\b.{0,80}\b(?:Chức\s*v|S[ốô]\s+điện\s+thoại|Đơn\s*v)", re.IGNORECASE | re.DOTALL)


# An office a member of a committee holds, named without the person ("Chỉ huy trưởng Bộ Chỉ huy Quân sự
# tỉnh;", "Phó Giám đốc Công an tỉnh phụ trách Đề án 06;"): the title, the body, a portfolio after "phụ trách"
_OFFICE = re.compile(r"^(?:(?:Phó|Quyền)\s+)?(?:Chủ\s+tịch|Chủ\s+nhiệm|(?:Tổng\s+)?Giám\s+đốc|Chỉ\s+huy\s+trưởng|Chính\s+ủy|"
                     r"Chánh\s+án|Chánh\s+Văn\s+phòng|Chánh\s+Thanh\s+tra|Viện\s+trưởng|Trưởng\s+ban|Tổng\s+biên\s+tập|"
                     r"Cục\s+trưởng|Hiệu\s+trưởng)\s+(?=[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈÍÌÓÒÚÙÝỦ])")


def _is_office_entry(s: str) -> bool:
    m = _OFFICE.match(s)
    if not m or len(s.split()) > 20 or not re.search(r"[;.:]$", s):
        return False
    body = re.split(r"\s+phụ\s+trách\s", s[m.end():], maxsplit=1)[0]
    from extractors.obligations.nlp import pos_tags
    # no predicate: a verb in lower case that is no part of a body's name ("Ban Quản lý …" is)
    return not any(t == "V" and w[:1].islower() and w.lower() not in _NAME_VERBS for w, t, _ in pos_tags(body))


def is_title(sentence: str) -> bool:
    """A heading or list lead-in, not a task: "Nhiệm vụ chung", "Cụ thể:", "Tổ chức thực hiện:",
    "Nhiệm vụ ... (08 nhiệm vụ);" — short and ending with a colon, a count of tasks, or no verb."""
    s = sentence.strip(" *")
    words = s.split()
    if s.startswith("(") and s.rstrip(" .;").endswith(")"):
        return True                  # "(Ban hành kèm theo Quyết định số ...)"
    if re.match(r"\(\s*(?:Ban\s+hành\s+)?[Kk]èm\s+theo\b", s) or _FORM_HEADER.search(s):
        return True                  # an appendix's subtitle, or a form's column heads read as text
                                     # ("Họ và tên | Chức vụ | Số điện thoại"): a list to fill, no task
    letters = [c for c in s if c.isalpha()]
    if len(letters) < 3:
        return True                  # OCR's table rules and numbers with no words ("| 2.")
    # (the verbs in lower case: "Ban Chỉ đạo" in a member's office is a name)
    if (_MEMBER_ENTRY.search(s) or _is_office_entry(s)) and not re.search(
            r"\b(?:chủ\s+trì|phối\s+hợp|chịu\s+trách|có\s+trách|thực\s+hiện|chỉ\s+đạo|giúp|làm|tham\s+mưu|triển\s+khai|"
            r"báo\s+cáo)\b", s):
        return True                  # a member of a committee: "Thống đốc Ngân hàng Nhà nước Việt Nam Nguyễn Thị Hồng;"
    if _NATIONAL_MOTTO.search(s):
        return True                  # an attached draft's header run into one paragraph ("ỦY BAN NHÂN DÂN
                                     # CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM TỈNH … Số: …"): no task
    if len(letters) > 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters):
        return True                  # an upper-case title line
    if s.endswith(":") and len(words) <= 12:
        return True
    if re.search(r"\(\s*\d+\s+nhiệm\s+vụ\s*\)", s, re.IGNORECASE):
        return True
    if len(words) <= 6 and not s.endswith("."):
        from extractors.obligations.nlp import pos_tags
        if not any(t == "V" for _, t, _ in pos_tags(s)):
            return True
    return False


# Courtesy, not work: "Bộ Công an trân trọng cảm ơn sự phối hợp của …", "Xin cảm ơn …"
COURTESY_RE = re.compile(r"\b(?:(?:trân\s+trọng|xin|chân\s+thành)\s+cảm\s+ơn|trân\s+trọng\s+(?:kính\s+)?(?:báo|thông\s+báo)\s+để)\b",
                         re.IGNORECASE)


# Contact details ("Đầu mối liên hệ: đ/c …, SĐT: 035.605.1555", "…; số điện thoại: 0912.52.14.64;
# email: …"): who to call, not a task, even when put as a request ("đề nghị các đơn vị liên hệ …").
_PHONE = re.compile(r"\b(?:điện\s+thoại|SĐT|ĐT|email|e-mail)\s*:|\b0\d{2,3}[.\s]?\d{2,3}[.\s]?\d{2,4}[.\s]?\d{0,4}\b",
                    re.IGNORECASE)
_CONTACT = re.compile(r"\b(?:liên\s+hệ|đầu\s+mối|tiếp\s+nhận,?\s+giải\s+quyết\s+vướng\s+mắc)\b", re.IGNORECASE)
# A report's closing ("Trên đây là Báo cáo kết quả … . Ban Chỉ đạo … báo cáo Văn phòng Chính phủ theo
# dõi"), when it asks nothing of anyone ("Trên đây là …, đề nghị các sở …" is a task).
_CLOSING = re.compile(r"^\s*Trên\s+đây\s+là\s+báo\s+cáo\b", re.IGNORECASE)
_ASKS = re.compile(r"\b(?:đề\s+nghị|yêu\s+cầu|giao|cần|phải|kịp\s+thời|chủ\s+động|nghiêm\s+túc|khẩn\s+trương)\b",
                   re.IGNORECASE)
# A proposal put to a superior ("Công an tỉnh kính báo cáo Lãnh đạo UBND tỉnh chỉ đạo thẩm định và duyệt,
# ký", "Sở Nội vụ kính trình Ủy ban nhân dân tỉnh xem xét, phê duyệt"): the Tờ trình's request for a
# decision, no work any unit owes.  ("kính đề nghị các sở …" asks peers for work: not this.)
_PETITION = re.compile(r"\bkính\s+(?:trình|báo\s+cáo)\b", re.IGNORECASE)


# An order opens with its verb ("Tổ chức rà soát …", "Cập nhật …"); the tagger reads "Tổ chức" as a noun
_ORDER_VERB_OPENERS = re.compile(r"^(?:Tổ\s+chức|Hoàn\s+thành|Thực\s+hiện|Triển\s+khai)\b")


def _without_relative_past(sentence: str) -> str:
    """SENTENCE without the "đã" of a clause that qualifies a thing inside an order: "Tổ chức rà soát
    … tính hợp pháp của các văn bản đã ban hành", "Cập nhật … nội dung TTHC đã được UBND tỉnh công
    bố lên Hệ thống", "chi trả tiền bồi thường cho 37 hộ đã được phê duyệt phương án" — the order is
    to come, only the thing it works on is past.  Only in a sentence that opens with a verb and has
    no subject, and only a "đã" right after a common noun: a report of the past names its doer
    ("Sở Nội vụ đã ban hành …") or goes on after a comma ("Thực hiện tốt …, đã ban hành …"), and
    what it achieved ("đã đạt") is a result whatever comes before it."""
    if not re.search(r"\bđã\s+(?!đạt\b)", sentence, re.IGNORECASE):
        return sentence
    from extractors.obligations.nlp import pos_tags, unit_mentions
    tags = pos_tags(sentence)
    if not _opens_with_verb(sentence) or subject_of(sentence)[0]:
        return sentence
    unit_ends = {end for _, end, _ in unit_mentions(sentence)}
    out, last = [], 0
    for k, (word, tag, start) in enumerate(tags):
        if word.lower() != "đã" or k == 0:
            continue
        prev_word, prev_tag, _ = tags[k - 1]
        nxt = tags[k + 1][0].lower() if k + 1 < len(tags) else ""
        # a noun that ends no body's name ("TTHC đã được …", not "UBND tỉnh đã …")
        noun = prev_tag.startswith("N") and tags[k - 1][2] + len(prev_word) not in unit_ends
        if noun and nxt != "đạt":
            out.append(sentence[last:start])
            last = start + len(word)
    out.append(sentence[last:])
    return "".join(out)


# What a founding decision or a proposal says a body is, not what it is to do: its definition ("Ban Chỉ
# đạo … là tổ chức liên ngành …, có chức năng …"), its working regime ("làm việc theo chế độ kiêm
# nhiệm", "làm việc theo Quy chế …", "sử dụng con dấu của …"), and the quote of a duty it was given
# before ("Sở Khoa học và Công nghệ được giao “Chủ trì triển khai …”", in a Tờ trình's explanation)
_STATUS_RE = re.compile(r"\blà\s+(?:tổ\s+chức|cơ\s+quan)\b[^.;]{0,200}?\bcó\s+chức\s+năng\b|"
                        r"\blàm\s+việc\s+theo\s+(?:chế\s+độ\s+kiêm\s+nhiệm|(?-i:Quy\s+chế))\b|\bsử\s+dụng\s+con\s+dấu\b|"
                        r"\bđược\s+giao\s*:?\s*[“\"]", re.IGNORECASE)
_ORDER_WORDS = re.compile(r"\b(?:đề\s+nghị|yêu\s+cầu|phải|cần|(?:có|chịu)\s+trách\s+nhiệm|chủ\s+trì)\b", re.IGNORECASE)


# What a rubric or a table says a thing is: "Mức XUẤT SẮC tương ứng với kết quả Chỉ số CCHC đạt từ 90%
# trở lên", "Các tiêu chí … được thể hiện tại cột “Ghi chú” của Bảng 1" — unless an order opens it
# ("Xây dựng kế hoạch tương ứng với …")
_DESCRIBES_RE = re.compile(r"\btương\s+ứng\s+với\b|\bđược\s+thể\s+hiện\s+tại\b", re.IGNORECASE)


def is_status(sentence: str) -> bool:
    """A statement of what a body is or how it works, or of what a rubric or table says a thing is,
    asking nothing (the words of a quote aside)."""
    if _DESCRIBES_RE.search(sentence) and not _ORDER_WORDS.search(sentence) and not _opens_with_verb(sentence):
        return True
    if not _STATUS_RE.search(sentence):
        return False
    own_words = re.sub(r"[“\"][^”\"]*(?:[”\"]|$)", " ", sentence)
    return not _ORDER_WORDS.search(own_words)


def is_background(sentence: str) -> bool:
    if BACKGROUND_RE.match(sentence) or COURTESY_RE.search(sentence):
        return True
    if _PHONE.search(sentence) and _CONTACT.search(sentence):
        return True
    if _CLOSING.match(sentence) and not _ASKS.search(sentence) or _PETITION.search(sentence):
        return True
    if re.fullmatch(r"[^:]{1,80}:\s*không\s*[.;]?", sentence.strip(), re.IGNORECASE):
        return True           # "KIẾN NGHỊ, ĐỀ XUẤT: Không." — a report's heading with nothing under it
    # "(trong 221 trường hợp đã phê duyệt)": a past tense inside brackets describes, it does not report;
    # nor does "đã được giao / phân công / ban hành" (what was already assigned is what is to be done)
    plain = re.sub(r"\([^()]*\)", " ", sentence)
    plain = re.sub(r"\bđã\s+được\s+(?:giao|phân\s+công|ban\s+hành|phê\s+duyệt|chỉ\s+đạo)\b", " ", plain,
                   flags=re.IGNORECASE)
    plain = _without_relative_past(plain)
    if PAST_RE.search(plain) and not re.search(r"\b(?:đề\s+nghị|yêu\s+cầu|giao|cần|phải|tiếp\s+tục|phấn\s+đấu)\b",
                                               sentence, re.IGNORECASE) and not _opens_with_action(plain):
        return True
    return False


# Words an order opens with when its doer is above it (an item under "2. Sở Y tế:"): "Khẩn trương …",
# "Tập trung …", "Chủ động …"; a report of the past opens with its subject or a time.
# Only the words of urging: a report of the past opens with the same plain verbs ("Thực hiện tốt …,
# đã ban hành 03 Kế hoạch").
_ACTION_OPENERS = re.compile(r"^(?:khẩn\s+trương|tập\s+trung|chủ\s+động|tiếp\s+tục|tăng\s+cường|đẩy\s+(?:mạnh|nhanh)|"
                             r"kịp\s+thời|thường\s+xuyên|nghiêm\s+túc)\b", re.IGNORECASE)


def _opens_with_verb(sentence: str) -> bool:
    """Does the sentence open with its verb (an order whose doer is above it: "Nghiên cứu, đề xuất …",
    "Tổ chức rà soát …")?"""
    from extractors.obligations.nlp import pos_tags
    sentence = sentence.lstrip(" -–+•*")
    if _ORDER_VERB_OPENERS.match(sentence):
        return True
    tags = pos_tags(sentence)
    return bool(tags) and tags[0][1] == "V"


def _opens_with_action(sentence: str) -> bool:
    return bool(_ACTION_OPENERS.match(sentence.lstrip(" -–+•*")))


def is_addressee_sentence(sentence: str) -> bool:
    if re.search(r"\b(?:yêu\s+cầu|đề\s+nghị|chỉ\s+đạo)\s*:\s*$", sentence, re.IGNORECASE):
        return True
    return bool(re.search(r"\b(?:yêu\s+cầu|đề\s+nghị|chỉ\s+đạo)\b", sentence, re.IGNORECASE)) and bool(
        ADDRESSEE_END_RE.search(sentence))


_DEFINED_RE = re.compile(r"\s*\((?:sau\s+đây\s+)?gọi\s+(?:tắt\s+|chung\s+)?là\s+([^()]{3,80})\)")


def named_as_defined(text: str) -> str:
    """A list of bodies that the text names by a term of its own — "các bộ, cơ quan chủ dự án,
    tiểu dự án thành phần (gọi là chủ dự án thành phần)" — replaced by that term, which is how
    the rest of the document assigns their work ("5. Chủ dự án thành phần: …").  Only a list
    (a comma, or "các") is replaced: "Sở Nội vụ (sau đây gọi tắt là Sở)" keeps the full name."""
    out, prev = [], 0
    for m in _DEFINED_RE.finditer(text):
        before = text[prev:m.start()]
        # the defined list starts after the previous definition's separator, or at the first "các"
        lead = re.match(r"[\s,;]*(?:và\s+)?", before).end() if out else None
        if lead is None:
            # the first "các" after the verb that hands the work over ("đề nghị các bộ, …")
            verbs = list(re.finditer(r"\b(?:đề\s+nghị|yêu\s+cầu|giao(?:\s+cho)?)\s+", before, re.IGNORECASE))
            c = re.compile(r"\b(?:các|những)\s", re.IGNORECASE).search(before, verbs[-1].end() if verbs else 0)
            lead = c.start() if c else None
        segment = before[lead:] if lead is not None else ""
        if not segment or not ("," in segment or re.match(r"(?:các|những)\s", segment, re.IGNORECASE)):
            out.append(before + m.group(0))
        else:
            term = m.group(1).strip()
            out.append(before[:lead] + term[:1].upper() + term[1:])
        prev = m.end()
    out.append(text[prev:])
    return "".join(out)


def addressees_of(sentence: str) -> list[str]:
    """Units after the last "yêu cầu/đề nghị" of an addressee sentence."""
    sentence = named_as_defined(sentence)
    ms = list(re.finditer(r"\b(?:yêu\s+cầu|đề\s+nghị)\s+", sentence, re.IGNORECASE))
    if not ms:
        return []
    start = ms[-1].end()
    tail = sentence[start:]
    # the list runs to the verb phrase "(tập trung) thực hiện (tốt) ..."
    cut = re.search(r"\s+(?:tập\s+trung\s+|tiếp\s+tục\s+|khẩn\s+trương\s+|nghiêm\s+túc\s+|quan\s+tâm\s+|phối\s+hợp\s+(?:chỉ\s+đạo\s+)?)?(?:thực\s+hiện|triển\s+khai|"
                    r"quán\s+triệt|làm\s+tốt)\b|\s+theo\s+chức\s+năng|,?\s+(?:cần|phải|có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|căn\s+cứ)\b",
                    tail, re.IGNORECASE)
    phrase = _phrase(sentence, start)[0]
    lst = tail[:cut.start()] if cut else phrase
    if phrase and len(phrase) < len(lst) and re.match(r"\s*(?:tập\s+trung|tăng\s+cường|lãnh\s+đạo|chỉ\s+đạo|chủ\s+động)\b",
                                                       tail[len(phrase):], re.IGNORECASE):
        lst = phrase                 # the unit reader stops at "tập trung lãnh đạo", the cut may not
    return [lst] if lst.strip() else []


@dataclass
class Piece:
    """One obligation before canonicalisation."""
    text: str
    ref: Optional[str]
    page: Optional[int]
    leads: list[str] = field(default_factory=list)
    supports: list[str] = field(default_factory=list)
    deadline_text: Optional[str] = None     # a whole-text deadline (table column, list line)
    output: Optional[str] = None
    role: Optional[str] = None
    inherited: bool = False                 # leads came from a scope, not the text
    table: bool = False
    scope_deadline: Optional[str] = None    # the words of a time-frame heading above it
    # For the confidence (confidence.py), recorded by the walker: how the leads were found
    # (confidence.UNIT_SOURCES), how many levels up a heading scope was, the OCR confidence
    # (0..100) of the source lines, and whether the piece is one of several cut from one paragraph.
    unit_source: Optional[str] = None
    scope_depth: int = 0
    ocr: Optional[float] = None
    split: bool = False


def split_unit_text(text: str, *, ref, page, scope: list[str], role: Optional[str], prose: bool = False,
                    require_unit: bool = False) -> list[Piece]:
    """One base unit (bullet / paragraph of an item) -> obligations, by the sentence rules."""
    sents = sentences(text)
    pieces: list[Piece] = []
    cur: Optional[Piece] = None
    cur_dated = False
    from extractors.obligations.deadlines import find_deadline
    for s in sents:
        if EXECUTION_RE.search(s) or POINTER_RE.search(s) or is_title(s) or is_status(s):
            continue
        if role == "articles" and DECISION_RE.match(s):
            continue                 # "Điều 1. Phê duyệt Kế hoạch …": the decision itself, not a task
        if is_addressee_sentence(s) and s.rstrip().endswith(":"):
            continue
        if is_background(s) and not (cur and CONTINUE_RE.match(s)):
            if prose or not cur:
                cur = None           # a report sentence ends a chain of requests
                continue
            cur.text += " " + s
            continue
        leads, _ = subject_of(s)
        only_deadline = is_deadline_only(s)
        dl = None if only_deadline else find_deadline(s)
        new = cur is None
        if cur is not None and not only_deadline and not CONTINUE_RE.match(s):
            if leads and [x.casefold() for x in leads] != [x.casefold() for x in cur.leads]:
                new = True
            elif TIME_OPEN_RE.match(s):
                new = True
            elif COMPLETES_RE.match(s) or CONDITION_RE.match(s):
                new = False         # "Hoàn thành … trước ngày …": the same task, now dated; a branch of it
            elif re.match(r"^(?:Chủ\s+trì|(?:Tổng\s+hợp,\s*)?[Bb]áo\s+cáo)\b", s):
                new = True          # a separate lead or reporting duty
            elif dl and dl.due and not cur_dated and not cur.deadline_text and find_deadline(cur.text) is None:
                new = True          # its own time frame
            elif cur_dated and not (dl and dl.due):
                new = True
            elif prose and (leads or DIRECTIVE_RE.search(s) or not is_background(s)):
                new = True
        if prose and cur is None and not DIRECTIVE_RE.search(s):
            continue                      # prose that asks nothing and follows no request: a report
        if new:
            if require_unit and not leads and not scope and not (cur is not None and cur.leads) and (
                    prose or not starts_with_verb(s)):
                cur = None
                continue
            # no subject of its own: the subject of the sentence before (same paragraph), else the scope
            inherit = list(cur.leads) if cur is not None and cur.leads else list(scope)
            cur = Piece(text=s, ref=ref, page=page, leads=leads or inherit, role=role, inherited=not leads)
            pieces.append(cur)
            cur_dated = bool(dl and dl.due)
        else:
            cur.text += " " + s
            if only_deadline:
                cur.deadline_text = s.strip(" .;*")
            elif COMPLETES_RE.match(s) and dl and (dl.due or dl.recurrence) and not (
                    cur_dated and re.match(r"thời\s", s, re.IGNORECASE)):
                # the completing sentence's date is the task's; a second "Thời hạn …" of an
                # item already dated is someone else's step ("Thời hạn các đối tượng trả lời …")
                cur.deadline_text = dl.raw
            cur_dated = cur_dated or bool(dl and dl.due)
    # an item that names no one and only describes ("Bộ tiêu chí ... được cấu trúc thành 7 lĩnh vực",
    # "Cải cách thể chế: 12 tiêu chí và 13 tiêu chí thành phần;") is content of a rule, not a task
    pieces = [p for p in pieces if not (p.inherited and is_description(p.text))]
    pieces = [q for p in pieces for q in _split_dated_clauses(p)]
    for p in pieces:
        p.supports = supports_of(p.text)
    return pieces


def _split_dated_clauses(piece: Piece) -> list[Piece]:
    """Clauses joined by ";" that each carry a date of their own are separate tasks ("Nộp hồ sơ …
    trước ngày 28/4/2026; lập báo cáo …; hoàn thành báo cáo trước ngày 05/5/2026" is two): the
    clause that states a date closes its task, the clauses after it open the next.  A piece
    with one date, or clauses after the last date that state none, stays whole."""
    from dataclasses import replace as copy_with
    from extractors.obligations.deadlines import find_deadline
    clauses = re.split(r"(?<=;)\s+", piece.text)
    if len(clauses) < 2:
        return [piece]
    groups: list[list[str]] = [[]]
    dues: list[object] = [None]
    for c in clauses:
        d = find_deadline(c)
        due = d.due if d is not None else None
        if dues[-1] is not None:
            groups.append([])
            dues.append(None)
        groups[-1].append(c)
        dues[-1] = dues[-1] or due
    if dues[-1] is None and len(groups) > 1:          # undated clauses at the end: the last task's
        groups[-2].extend(groups.pop())
        dues.pop()
    if len(groups) < 2 or len({d for d in dues if d is not None}) < 2:
        return [piece]
    out = []
    for k, g in enumerate(groups):
        text = " ".join(g).rstrip(" ;")
        keep = piece.deadline_text if piece.deadline_text and piece.deadline_text in text else None
        out.append(copy_with(piece, text=text, deadline_text=keep, split=True,
                             inherited=piece.inherited if k == 0 else True))
    return out


def starts_with_verb(sentence: str) -> bool:
    """An item opening with an action verb ("Tiếp tục lãnh đạo ...") assigns work even when the
    addressees could not be read (it is kept and flagged no-unit)."""
    from extractors.obligations.nlp import pos_tags
    tags = pos_tags(sentence[:80])
    return bool(tags) and tags[0][1] == "V"


def is_description(text: str) -> bool:
    head = re.split(r"[;.]", text, maxsplit=1)[0]
    if re.match(r"^[^,:]{3,90}?\s(?:được|là|gồm|bao\s+gồm|có(?!\s+liên\s+quan))\s", head) and not re.match(
            r"^(?:Căn\s+cứ|Trên\s+cơ\s+sở|Theo|Để|Đối\s+với|Trong|Khi|Sau\s+khi|Tiếp\s+tục|Chủ\s+động|Tăng\s+cường|Đẩy|Thực\s+hiện|Triển\s+khai|Tổ\s+chức|Xây\s+dựng|Rà\s+soát|Bảo\s+đảm|Đảm\s+bảo)\b",
            head):
        from extractors.obligations.nlp import pos_tags
        first = [t for _, t, _ in pos_tags(head)[:2]]
        return bool(first) and first[0].startswith("N")
    return bool(re.match(r"^[^:]{3,80}:\s*\d+\s+\w+(?:\s+\w+){0,4}(?:\s+và\s+\d+\s+[\w\s]+)?[;.]?$", head.strip()))
