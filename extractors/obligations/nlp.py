"""The NLP tools of the obligations stage, loaded once and lazily (never at import).

- spaCy `vi` with the rule tokenizer (syllables and punctuation as tokens) and an
  EntityRuler whose phrase patterns come from corpora/units.jsonl (every name and alias,
  abbreviations expanded) and whose token patterns come from corpora/unit_patterns.jsonl:
  it finds unit mentions, so a name like "Sở Thông tin và Truyền thông" is never cut at
  "thông báo".  Not pyvi's word segmenter: it costs ~4 s to load (most of a one-file
  ingest), and syllable tokens match a gazetteer name the same way in every context,
  where pyvi's segmentation of the same words can differ with their neighbours.
- underthesea (word segmentation + POS) tells where a unit phrase ends: at the first
  lower-case verb or adverb that is not part of a unit name ("các cơ quan, đơn vị liên
  quan | xây dựng dự toán").
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractors import gazetteer
from extractors.obligations.units import HEAD_RE, PLURAL_ORG_RE, expand_abbreviations
from extractors.units import respell_unit
from extractors.text import fold_diacritics

__all__ = ["get_nlp", "unit_mentions", "pos_tags", "forget_texts", "read_unit_phrase", "STOP_WORDS"]


@lru_cache(maxsize=1)
def get_nlp():
    import spacy

    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    patterns, seen = [], set()
    for r in gazetteer.load("units.jsonl"):
        for n in [r["name"], *r.get("aliases", []), *r.get("variants", [])]:
            for form in {n, expand_abbreviations(n)}:
                if form.casefold() in seen:
                    continue
                seen.add(form.casefold())
                patterns.append({"label": "UNIT", "pattern": form, "id": r["name"]})
    # a province's body is printed with the province's name for "tỉnh" ("Đài khí tượng Thủy văn Quảng Ngãi"):
    # its name must be known whole, or a lower-case word in it (read as a verb) cuts it
    provinces = [r["name"] for r in gazetteer.load("provinces.jsonl") if r.get("level") == "tỉnh"]
    for form in [p["pattern"] for p in patterns if p["pattern"].endswith(" tỉnh")]:
        for province in provinces:
            named = f"{form[:-len('tỉnh')]}{province}"
            if named.casefold() not in seen:
                seen.add(named.casefold())
                patterns.append({"label": "UNIT", "pattern": named, "id": form})
    try:
        patterns.extend(gazetteer.load("unit_patterns.jsonl"))
    except gazetteer.GazetteerError:
        pass
    ruler.add_patterns(patterns)
    return nlp


@lru_cache(maxsize=4096)
def unit_mentions(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start_char, end_char, gazetteer name) of every unit the ruler finds in text."""
    doc = get_nlp()(text)
    return tuple((e.start_char, e.end_char, e.ent_id_ or e.text) for e in doc.ents if e.label_ == "UNIT")


@lru_cache(maxsize=4096)
def pos_tags(text: str) -> tuple[tuple[str, str, int], ...]:
    """(word, POS, start_char) from underthesea (its tagger with the features computed in one
    pass: postag.py); offsets found by scanning the text."""
    from extractors.obligations.postag import pos_tag

    out, pos = [], 0
    for word, tag in pos_tag(text):
        i = text.find(word, pos)
        if i < 0:
            i = pos
        out.append((word, tag, i))
        pos = i + len(word)
    return tuple(out)


def forget_texts() -> None:
    """Empty the per-text caches (unit_mentions, pos_tags): a new document's texts are others."""
    unit_mentions.cache_clear()
    pos_tags.cache_clear()


# Lower-case words that may sit inside a unit phrase although tagged as verbs.
# what may follow "liên quan" inside a unit phrase ("các cơ quan liên quan của tỉnh", "… trên địa bàn")
_AFTER_RELATED = {"của", "thuộc", "trên", "tại", "ở", "địa bàn", ",", ";", "và"}
# what may follow "chức năng" inside a unit phrase ("các cơ quan chức năng có liên quan", "… chức năng tỉnh")
_AFTER_FUNCTIONAL = _AFTER_RELATED | {"liên quan", "có", "tỉnh", "huyện", "xã", "thành phố", "các cấp", "cấp", "địa phương"}
_INNER = {"liên quan", "vận tải", "đứng đầu", "đứng", "đóng", "chức năng", "công tác", "giúp việc", "trực thuộc", "thuộc", "chuyển đổi",
          "tương đương", "khám", "chữa bệnh", "thông tấn", "báo chí", "đủ", "cấp", "dân phố", "chủ quản"}
# Verbs that name a kind of institution after its noun ("các trung tâm giáo dục thường xuyên", "cơ sở
# giáo dục nghề nghiệp"); after a body's name they are its verb ("Sở Y tế giáo dục …")
_KIND_VERBS = {"giáo dục", "đào tạo", "dạy nghề", "khám", "chữa bệnh"}
_KIND_NOUNS = {"cơ sở", "trung tâm", "trường", "đơn vị", "phòng"}
# Verbs that belong to a body's name when a capitalised word follows ("Ban Chỉ đạo thực hiện Đề án 06 tỉnh").
_NAME_VERBS = {"thực hiện", "triển khai", "phát triển", "quản lý", "giám sát", "chuyển đổi"}
# Words that always end a unit phrase.
_STOP = {"để", "nhằm", "trong", "theo", "về", "đối với", "khi", "thường xuyên", "định kỳ", "hằng", "tiếp tục", "kịp thời", "khẩn trương",
         "chủ động", "tích cực", "sớm", "cần", "phải", "nghiêm túc", "chịu", "có trách nhiệm", "tập trung", "tăng cường",
         "chủ trì", "phối hợp", "lãnh đạo", "chỉ đạo", "được", "đã", "đang", "sẽ", "cùng", "nhất là", "trên cơ sở", "bảo đảm",
         "đảm bảo", "thực hiện", "triển khai", "tổ chức thực hiện", "tiến hành", "xây dựng", "theo dõi", "tham mưu",
         "căn cứ", "tổ chức", "rà soát", "hướng dẫn", "báo cáo", "tổng hợp", "nâng cao", "đẩy mạnh", "đẩy nhanh", "phát huy",
         "kiểm tra", "yêu cầu", "đề nghị", "giao", "nếu", "thông báo"}
STOP_WORDS = frozenset(_STOP)
# The assignment verbs as OCR mangles their tone marks ("chú trì"): a unit's name never holds them.
_ASSIGN_FOLDED = re.compile(r"^(?:chu\s+tri|phoi\s+hop)\b")
# Verbs that open an assignment; capitalised mid-phrase they start a new sentence, never a name.
_ASSIGNING = {"giao", "yêu cầu", "đề nghị", "chủ trì", "phối hợp", "có trách nhiệm"}
_PERSONS = re.compile(r"^(?:các\s+|những\s+|mọi\s+)?(?:cán\s+bộ|công\s+chức|viên\s+chức|đảng\s+viên|người\s+dân|nhân\s+dân|"
                      r"doanh\s+nghiệp|người\s+lao\s+động|học\s+sinh|đoàn\s+viên|hội\s+viên|tổ\s+chức,\s+cá\s+nhân|cá\s+nhân|"
                      r"tập\s+thể|người\s+thân|chiến\s+sĩ|công\s+dân|đại\s+biểu|thành\s+viên\s+dự)\b", re.IGNORECASE)


# "tổ chức" is a noun, not the verb "organise", where a list of bodies names it ("các cơ quan, tổ chức liên
# quan", "mỗi cơ quan, tổ chức, đơn vị", "các tổ chức và doanh nghiệp"): after a quantifier, or after a
# list separator when what follows it belongs to a list too
_QUANTIFIERS = {"các", "những", "mọi", "mỗi", "từng"}
_AFTER_ORG_NOUN = {",", ";", ":", "và", "liên quan", "có", "đoàn thể", "chính trị", "xã hội", "đóng", "trên", "thuộc",
                   "của", "tại", "ở", "đơn vị", "doanh nghiệp", "cá nhân", "kinh tế", "tôn giáo", "quốc tế", "hội"}


# The tagger may take a body noun and its qualifier for one verb ("cơ quan chức năng", "đơn vị liên quan")
_GLUED_ORG = re.compile(r"^(?:cơ quan|đơn vị|lực lượng) (?:" + "|".join(sorted(_INNER)) + r")$")


def _glued_org_noun(low: str) -> bool:
    return bool(_GLUED_ORG.match(low))


def _is_org_noun(low: str, prev: str, nxt: str) -> bool:
    if low != "tổ chức":
        return False
    return prev in _QUANTIFIERS or (prev in {",", "và"} and (not nxt or nxt.lower() in _AFTER_ORG_NOUN))


# A company's name goes on in lower case after "và" ("Công ty Cổ phần Xây dựng và thoát nước đô thị, …"):
# the words up to the list's next separator, when none of them opens a predicate
_COMPANY = re.compile(r"(?:Công\s+ty|Tổng\s+công\s+ty|Tập\s+đoàn)\b")


def _company_tail(rest: str, tags, i: int) -> tuple[int, int]:
    """(end char, next index) of a company name's lower-case words after the "và" at tags[i], or (0, i)."""
    unit = re.split(r"[,;]", rest[:tags[i][2]])[-1].strip()
    if not _COMPANY.match(unit) or not tags[i - 1][0][:1].isupper():
        return 0, i
    end, j = 0, i + 1
    while j < len(tags) and tags[j][0] not in {",", ";", ":"}:
        word, tag, off = tags[j]
        if not word[:1].islower() or word.lower() in _STOP or tag in ("R", "A", "E", "CH") or j - i > 6:
            return 0, i
        end = off + len(word)
        j += 1
    return (end, j) if end else (0, i)


_LIST_WORDS = {w: True for w in ("thành", "thị ủy", "thành ủy", "huyện ủy", "đảng ủy", "xã", "thị xã", "thành phố", "thị trấn", "phường", "ban", "ngành", "địa phương",
                                   "đơn vị", "cơ quan", "tổ dân phố", "đoàn thể", "chính quyền", "đảng đoàn")}
_GENERIC_START = re.compile(r"^(?:các|những|mọi|mỗi|từng|lực\s+lượng|tỉnh|toàn\s+tỉnh|địa\s+phương|cơ\s+quan|đơn\s+vị|ngành|"
                            r"thủ\s+trưởng|người\s+đứng\s+đầu|lãnh\s+đạo|cấp\s+ủy|chính\s+quyền|ủy\s+ban|ubnd|sở|ban|"
                            r"đoàn|hội|tổ(?!\s+chức)|bộ|cục|trung\s+tâm|văn\s+phòng|công\s+an|đảng\s+ủy|"
                            # the parties a task letter names by their role: investors, project owners, companies
                            r"chủ\s+(?:đầu\s+tư|dự\s+án|chương\s+trình|mỏ|cơ\s+sở|công\s+trình)|nhà\s+(?:đầu\s+tư|thầu)|"
                            r"công\s+ty|tổng\s+công\s+ty|tập\s+đoàn|đại\s+học|viễn\s+thông|điện\s+lực)\b", re.IGNORECASE)


# The titles that head a body (corpora/unit_words.jsonl), in lower case: a list of doers goes on
# with one ("Hiệu trưởng các trường THPT, giám đốc các trung tâm GDTX có trách nhiệm …")
_TITLES = frozenset(r["word"].lower() for r in gazetteer.load("unit_words.jsonl") if r["role"] == "title")


# The heads that name a party by its role in a project (corpora/unit_words.jsonl "qualified"): a count of the
# projects it holds goes on its name ("Nhà đầu tư 02 dự án"), though the tagger takes "02" for a verb
_QUALIFIED_HEAD = re.compile(r"(?:" + "|".join(re.escape(r["word"]) for r in gazetteer.load("unit_words.jsonl")
                                            if r["role"] == "head" and r.get("qualified")) + r")$", re.IGNORECASE)


# Words that look like a body's head but start something else ("Ban hành", "Báo cáo", "Bộ tiêu chí")
_FALSE_HEAD = re.compile(r"^(?:ban\s+hành|báo\s+cáo|bộ\s+(?:tiêu\s+chí|chỉ\s+số|hồ\s+sơ|câu\s+hỏi|công\s+cụ|dữ\s+liệu)|"
                         r"hội\s+(?:nghị|thảo|thi)|đoàn\s+(?:kết|viên)|tổ\s+chức\s+(?:thực|triển|quán|các|tập)|cơ\s+quan\s*[,.;:]|"
                         r"cơ\s+quan$|trung\s+tâm\s+(?:của|là)|phòng\s+(?:chống|ngừa)|trường\s+hợp)", re.IGNORECASE)
def _starts_unit(s: str) -> bool:
    if _FALSE_HEAD.match(s):
        return False
    if re.match(r"(?:các|những|mọi|mỗi|từng)\s", s, re.IGNORECASE):
        return bool(PLURAL_ORG_RE.match(s))
    return bool(HEAD_RE.match(s) or _GENERIC_START.match(s))


def read_unit_phrase(text: str, start: int = 0) -> tuple[str, int]:
    """The unit phrase that begins at `start` in `text` and where it ends (char offset).
    Returns ("", start) when no unit begins there (a verb, a person noun)."""
    phrase, end = _read_unit_phrase(text, start)
    # OCR's diacritic slips in the words of a name ("Ngân hàng Nhà nước - Chỉ nhánh Quảng Ngãi": "Chỉ"
    # taken for a verb cut it): where the name stops at a word the gazetteer spells otherwise in that
    # pair (its last word or the next), it is read again respelled (one code point a letter: the
    # offsets hold); a slip elsewhere in the sentence is not this name's business
    if phrase:
        window = text[start:min(len(text), end + 40)]
        respelled = respell_unit(window)
        if len(respelled) == len(window) and respelled != window:
            last = max(start, text.rfind(" ", start, end - 1) + 1)   # the phrase's last word ...
            nxt = re.match(r"\s*\S+", text[end:])              # ... and the word after it
            stop = end + (nxt.end() if nxt else 0)
            if respelled[last - start:stop - start] != window[last - start:stop - start]:
                p2, e2 = _read_unit_phrase(text[:start] + respelled + text[start + len(window):], start)
                if e2 > end:
                    return p2, e2
    return phrase, end


def _read_unit_phrase(text: str, start: int = 0) -> tuple[str, int]:
    rest = text[start:]
    lead_ws = len(rest) - len(rest.lstrip())
    rest = rest.lstrip()
    if not rest or _PERSONS.match(rest):
        return "", start
    if not any(s == 0 for s, _, _ in unit_mentions(rest)) and not _starts_unit(rest):
        return "", start
    base = start + lead_ws
    ents = [(s, e) for s, e, _ in unit_mentions(rest)]
    tags = pos_tags(rest)
    end = 0
    n = len(tags)
    i = 0
    seen_noun = False
    while i < n:
        word, tag, off = tags[i]
        inside = next(((s, e) for s, e in ents if s <= off < e), None)
        if inside:
            end = inside[1]
            seen_noun = True
            while i < n and tags[i][2] < inside[1]:
                # a syllable-level match may end inside a word ("Sở Tài|chính"): take the whole word
                end = max(end, tags[i][2] + len(tags[i][0]))
                i += 1
            continue
        low = word.lower()
        nxt = tags[i + 1][0] if i + 1 < n else ""
        if end and _ASSIGN_FOLDED.match(fold_diacritics(rest[off:off + 12]).lower()):
            break          # "Sở Văn hóa, Thể thao và Du lịch | chú trì, …" (OCR)
        if word in {";", ",", "-", "–"} or low == "và":
            if not seen_noun:
                break
            # a list goes on only if a unit-like word follows; a dash only joins names ("Ngân hàng
            # Nhà nước - Chi nhánh …"), "Bộ Công an - đơn vị thường trực …" is an apposition
            if nxt and (nxt[:1].isupper() or word not in {"-", "–"} and nxt.lower() in {"các", "những", "cơ quan", "đơn vị", "ban", "ngành", "địa phương",
                                                               "thị xã", "thành phố", "thị trấn", "phường", "đoàn thể",
                                                               "tổ chức", "chính quyền", "đảng đoàn", "ban cán sự", "tổ dân phố",
                                                               "thành", "thị ủy", "cấp ủy", "sở", "thành viên", "thủ trưởng",
                                                               "đảng ủy", "huyện ủy", "thành ủy", "xã", "tỉnh", "bộ",
                                                               "ngành", "huyện", "báo chí", "lực lượng", "doanh nghiệp",
                                                               "trường học", "trường", "trung tâm", "bệnh viện"}
                         or word not in {"-", "–"} and (nxt.lower() in _TITLES or _glued_org_noun(nxt.lower()))
                         # "các phòng giáo dục và đào tạo": one kind of institution
                         or low == "và" and nxt.lower() in _KIND_VERBS and i and tags[i - 1][0].lower() in _KIND_VERBS):
                i += 1
                continue
            if low == "và" and i:
                c_end, c_next = _company_tail(rest, tags, i)
                if c_end:
                    end, i = c_end, c_next
                    continue
            break
        if _LIST_WORDS.get(low) and end:
            end = off + len(word); seen_noun = True; i += 1; continue
        if end and _is_org_noun(low, tags[i - 1][0].lower() if i else "", nxt):
            end = off + len(word); seen_noun = True; i += 1; continue
        if low == "có" and nxt.lower() == "liên quan":
            i += 1; continue
        if end and re.search(r"\bliên\s+quan$", rest[:end]) and low not in _AFTER_RELATED:
            break          # "các sở, ngành liên quan | giải đáp …": nothing but a place or an owner follows it
        if end and re.search(r"\bchức\s+năng$", rest[:end]) and low not in _AFTER_FUNCTIONAL and not word[:1].isupper():
            break          # "các lực lượng chức năng | phân luồng …": a relation, a level or an owner may follow, no action
        if word[:1].isupper() and end and (low in _STOP or tag == "V") and any(e == end for _, e in ents):
            break          # "Văn phòng UBND tỉnh | Chủ trì, ...": a heading joined to its first sentence
        if word[:1].isupper() and end and low in _ASSIGNING:
            break          # "... chính quyền số | Giao Sở Khoa học ...": a heading joined to the sentence that assigns
        if word[:1].isupper() and (end or _starts_unit(rest[off:])):
            end = off + len(word); seen_noun = True; i += 1; continue
        if end and word.isdigit() and nxt[:1].islower() and i + 1 < n and tags[i + 1][1] == "N" \
                and _QUALIFIED_HEAD.search(rest[:end]):
            end = tags[i + 1][2] + len(nxt); i += 2; continue     # "Nhà đầu tư 02 dự án"
        if not end and low == "lãnh đạo" and (nxt.lower() in {"các", "những"} or nxt[:1].isupper()):
            end = off + len(word); seen_noun = True; i += 1; continue   # "(Đề nghị) lãnh đạo các đơn vị …": the leaders
        if low == "tự" and i + 1 < n and tags[i + 1][1] == "V":
            break          # "Các bộ | tự theo dõi, đánh giá": the reflexive before a verb is no part of the name
        if low == "thường xuyên" and i and tags[i - 1][0].lower() == "giáo dục":
            end = off + len(word); i += 1; continue      # "trung tâm giáo dục thường xuyên": an institution's kind
        if low in _STOP and not (low in _NAME_VERBS and nxt[:1].isupper()):
            break
        if tag in ("V", "R", "A") and low not in _INNER and not (low in _NAME_VERBS and nxt[:1].isupper()) \
                and not _glued_org_noun(low) \
                and not (low in _KIND_VERBS and i and (tags[i - 1][0].lower() in _KIND_NOUNS or i > 1
                                                       and tags[i - 1][0].lower() == "và"
                                                       and tags[i - 2][0].lower() in _KIND_VERBS)):
            break
        if tag in ("E",) and low not in {"trên", "của", "thuộc", "tại"}:
            break
        if tag in ("CH",) and word not in {"(", ")"}:
            break
        end = off + len(word)
        if tag.startswith("N") or tag in ("L", "M", "Np", "Nc", "Nu", "P"):
            seen_noun = seen_noun or tag.startswith("N")
        i += 1
    phrase = rest[:end].strip(" ,;")
    if not seen_noun or _PERSONS.match(phrase) or len(phrase) < 4 or _FALSE_HEAD.match(phrase):
        return "", start
    return phrase, base + end
