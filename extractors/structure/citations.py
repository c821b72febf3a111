"""References to other documents, aliases, and the programme a directive carries out.

A citation is found from its symbol (`06/QĐ-TTg`, `05-NQ/TU`, `45/2020/NĐ-CP`), then read outwards:
the genre word before it (`Quyết định số`), the date and issuer after it (`ngày 06 tháng 01 năm 2022
của Thủ tướng Chính phủ`), and the subject (`phê duyệt Đề án …`).  Later mentions by symbol alone
merge into the first full mention.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

from extractors import gazetteer
from extractors.structure.common import (
    SYMBOL_RE, issuer_codes, fix_ocr_number, fold, normalize_symbol, parse_date, split_symbol, symbol_type,
    type_for_code, type_for_word, type_words,
)
from extractors.keys import symbol_key
from extractors.text import collapse_ws, fold_diacritics
from extractors.types import Citation


def _fold_same_len(text: str) -> str:
    f = fold_diacritics(text).lower()
    return f if len(f) == len(text) else ""


@lru_cache(maxsize=None)
def _type_word_re() -> re.Pattern:
    words = sorted({fold(w) for w, _ in type_words()}, key=len, reverse=True)
    words += ["thong bao ket luan", "van ban"]
    alt = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?:^|[^\w])(?P<word>{alt})(?:\s+(?:lien tich|ket luan|phoi hop))?\s*(?:so\s*[:.]?\s*)?$")


_AFTER_DATE = re.compile(
    r"^\s*,?\s*(?:ban hành\s+)?(?:ngày|ngay)\s*(?P<date>\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}|"
    r"[0-9OIl|]{1,2}\s+(?:tháng|thang)\s+[0-9OIl|]{1,2}\s+(?:năm|nam)\s+[0-9OIl|]{4})", re.I)
_AFTER_ISSUER = re.compile(
    r"^\s*,?\s*(?:của|cua)\s+(?P<issuer>.+?)(?=\s+(?:về|phê duyệt|ban hành|quy định|hướng dẫn|V/v|triển khai|"
    r"thực hiện|tại|đã|để|nhằm|theo|trên)\b|[,;.(“\"”:]|$)")
_AFTER_SUBJECT = re.compile(
    r"^\s*,?\s*(?P<verb>về việc|về|phê duyệt|ban hành|quy định|hướng dẫn|V/v)\s+(?P<subject>.+?)(?=[;]|\.\s|\.$|\s+\(|$)")
_ALIAS = re.compile(r"\(\s*(?:sau đây\s+)?(?:được\s+)?gọi tắt là\s*:?\s*[\"“]?(?P<alias>[^)\"”]{2,80}?)[\"”]?\s*\)", re.I)


@dataclass
class Mention:
    citation: Citation
    start: int
    end: int
    text_id: int
    full: bool


@dataclass
class TextUnit:
    """A piece of text to scan: a paragraph or a table cell, with where it sits."""
    text: str
    page: Optional[int] = None
    role: Optional[str] = None          # "preamble", "title", "tasks", ... (section role)
    path: Optional[str] = None


def _clause_start(text: str, pos: int) -> str:
    """Folded text of the clause containing POS, from its start (after the previous ; or sentence end)."""
    k = max(text.rfind(";", 0, pos), text.rfind(". ", 0, pos), -1)
    return fold(text[k + 1: pos])


def find_citations(text: str, page: Optional[int] = None, exclude: Iterable[str] = ()) -> list[Citation]:
    """Every document reference in TEXT, in order (repeated mentions included)."""
    return [m.citation for m in find_mentions(text, page, set(symbol_key(e) for e in exclude if e))]


def find_mentions(text: str, page: Optional[int], exclude: set[str], text_id: int = 0) -> list[Mention]:
    """Every document reference in TEXT with its offsets (numbers whose key is in `exclude` left out)."""
    text = fix_ocr_number(collapse_ws(text), anywhere=True)   # same length: offsets stay valid
    ftext = _fold_same_len(text)
    out: list[Mention] = []
    for m in SYMBOL_RE.finditer(text):
        sym = normalize_symbol(m.group(0))
        if not sym:
            continue
        number, seps, codes = split_symbol(sym)
        codes_nodigit = [c for c in codes if not c.isdigit()]
        if not codes_nodigit:
            continue
        before = ftext[max(0, m.start() - 40): m.start()] if ftext else fold(text[max(0, m.start() - 40): m.start()])
        tw = _type_word_re().search(before)
        type_rec = None
        if tw:
            type_rec = type_for_word(tw.group("word")) or (
                type_for_word("Thông báo") if tw.group("word").startswith("thong bao") else
                type_for_word("Công văn") if tw.group("word") == "van ban" else None)
        code_rec, _ = symbol_type(sym)
        first = codes_nodigit[0]
        known = type_for_code(first) or fold(first) in issuer_codes()
        if not tw and not (known or len(codes_nodigit) >= 2):
            continue
        if len(first) < 2 and not known:
            continue   # `06/Q…`: a symbol cut by OCR
        if symbol_key(sym) in exclude:
            continue
        start = m.start() - (len(before) - tw.start("word")) if tw else m.start()
        # word spelled in the text (keeps the genre word as printed: Nghị định, Thông tư …)
        ctype = (type_rec or code_rec or {}).get("name")
        if tw and type_rec is None:
            ctype = code_rec["name"] if code_rec else None
        rest = text[m.end():]
        end = m.end()
        date = None
        dm = _AFTER_DATE.match(rest)
        if dm:
            date = parse_date(dm.group("date"))
            end += dm.end()
            rest = rest[dm.end():]
        issuer = None
        im = _AFTER_ISSUER.match(rest)
        if im:
            issuer = _trim_issuer(_expand(im.group("issuer").strip()))
            end += im.end()
            rest = rest[im.end():]
            dm2 = _AFTER_DATE.match(rest)   # `… của UBND tỉnh ngày …` (rare order)
            if dm2 and date is None:
                date = parse_date(dm2.group("date"))
                end += dm2.end()
                rest = rest[dm2.end():]
        if issuer is None:
            for c in codes_nodigit[1:]:
                rec = issuer_codes().get(fold(c))
                if rec and not rec.get("level"):
                    issuer = rec["name"]
                    break
        title = None
        sm = _AFTER_SUBJECT.match(rest)
        if sm:
            title = (sm.group("verb") + " " + sm.group("subject")).strip()
        clause = _clause_start(text, start)
        relation = "basis" if clause.strip().startswith("can cu") else "cites"
        cit = Citation(number=sym, type=ctype, issued_on=date, issuer=issuer, relation=relation,
                       title=title, raw=text[start:end].strip(), page=page)
        out.append(Mention(cit, start, end, text_id, full=bool(tw or date or issuer)))
    return out


_ISSUER_CUT = {"công bố", "cơ sở", "đang", "đã", "sẽ", "được", "các", "những", "này", "quy định", "hướng dẫn",
               "triển khai", "thực hiện", "về", "tại", "kèm theo", "phê duyệt", "ban hành", "nhằm", "để", "theo", "trên",
               "gửi", "giao", "yêu cầu", "đề nghị", "tổ chức", "là", "có", "với"}


def _trim_issuer(issuer: str) -> str:
    """Cut what follows the body's name (`Chính phủ cơ sở dữ liệu quốc gia` -> `Chính phủ`;
    `Ban Thường vụ Tỉnh ủy và đang phối hợp` -> `Ban Thường vụ Tỉnh ủy`)."""
    issuer = re.split(r"[)(;]", issuer)[0].strip(" ,;")
    words = issuer.split()
    for k in range(1, len(words)):
        one, two = words[k], " ".join(words[k:k + 2])
        if one[:1].islower() and (one in _ISSUER_CUT or two in _ISSUER_CUT):
            while k > 1 and words[k - 1] in ("và", "của", ","):
                k -= 1
            return " ".join(words[:k])
    return " ".join(words[:15])


def _expand(issuer: str) -> str:
    issuer = re.sub(r"\bUBND\b", "Ủy ban nhân dân", issuer)
    issuer = re.sub(r"\bHĐND\b", "Hội đồng nhân dân", issuer)
    issuer = re.sub(r"\bTTg\b", "Thủ tướng Chính phủ", issuer)
    return issuer.strip(" ,;")


_RELATION_RANK = {"implements": 3, "basis": 2, "cites": 1}


def merge_mentions(cits: list[Citation]) -> list[Citation]:
    """One Citation per document: the first full mention, completed by later ones; the strongest
    relation wins (implements > basis > cites)."""
    by_key: dict[str, Citation] = {}
    order: list[str] = []
    for c in cits:
        k = symbol_key(c.number)
        if k not in by_key:
            by_key[k] = c.model_copy()
            order.append(k)
            continue
        cur = by_key[k]
        for f in ("type", "issued_on", "issuer", "title", "alias"):
            if getattr(cur, f) is None and getattr(c, f) is not None:
                setattr(cur, f, getattr(c, f))
        if _RELATION_RANK[c.relation] > _RELATION_RANK[cur.relation]:
            cur.relation = c.relation
        cur.printed = cur.printed or c.printed
    return [by_key[k] for k in order]


# ---------------------------------------------------------------- programmes and aliases

@dataclass
class Programme:
    symbol: str
    title: str = ""
    aliases: list[str] = field(default_factory=list)
    type: Optional[str] = None
    issued_on: Optional[dt.date] = None
    issuer: Optional[str] = None
    learned: bool = False


def known_programmes() -> list[Programme]:
    out = []
    try:
        recs = gazetteer.load("programmes.jsonl")
    except gazetteer.GazetteerError:
        recs = ()
    for r in recs:
        d = None
        if r.get("issued_on"):
            try:
                d = dt.date.fromisoformat(r["issued_on"])
            except ValueError:
                d = None
        out.append(Programme(symbol=r["symbol"], title=r.get("title", ""), aliases=list(r.get("aliases", [])),
                             type=r.get("type"), issued_on=d, issuer=r.get("issuer")))
    return out


_STOP = {"va", "cua", "ve", "giai", "doan", "den", "nam", "tam", "nhin", "dinh", "huong", "phuc", "vu", "tren",
         "dia", "ban", "tinh", "trong", "thuc", "hien", "de", "an", "chuong", "trinh", "ke", "hoach", "phe", "duyet"}


def _tokens(text: str) -> list[str]:
    return [t for t in re.findall(r"[a-z0-9]+", fold(text))]


def title_overlap(programme_title: str, text: str, kind: Optional[str] = None) -> float:
    """How well TEXT names the programme: after an occurrence of its kind word (`Đề án`, `Chương
    trình`), the share of the title's content words found in the next words.  0 when the kind word is
    absent, so `chuyển đổi số quốc gia` inside another title does not name the Chương trình."""
    ptoks = _tokens(programme_title)
    kind = kind or " ".join(programme_title.split()[:2])
    ktoks = _tokens(kind)
    if ptoks[:len(ktoks)] == ktoks:
        ptoks = ptoks[len(ktoks):]
    content = [t for t in ptoks if t not in _STOP and not t.isdigit()]
    if len(content) < 4:
        return 0.0
    tt = _tokens(text)
    best = 0.0
    for i in range(len(tt) - len(ktoks) + 1):
        if tt[i:i + len(ktoks)] == ktoks:
            window = set(tt[i + len(ktoks): i + len(ktoks) + len(ptoks) + 6])
            best = max(best, sum(1 for t in content if t in window) / len(content))
    return best


_APPROVES = re.compile(r"^(phê duyệt|ban hành)\s+(?P<kind>Đề án|Chương trình|Chiến lược|Kế hoạch|Dự án|Quy hoạch)\s+(?P<title>.+)$", re.I)


def learn_programmes(cits: list[Citation]) -> list[Programme]:
    """Programmes approved by cited documents, in their own words:
    `Quyết định số 06/QĐ-TTg … phê duyệt Đề án phát triển …` -> Programme(06/QĐ-TTg, "Đề án phát triển …")."""
    out = []
    for c in cits:
        if c.title:
            m = _APPROVES.match(c.title)
            if m and "phê" in m.group(1).lower() or m and c.type in ("Quyết định", "Nghị quyết"):
                title = re.split(r"\s*(?:[;]|\(|$)", m.group("title"))[0]
                out.append(Programme(symbol=c.number, title=m.group("kind") + " " + title,
                                     type=c.type, issued_on=c.issued_on, issuer=c.issuer, learned=True))
    return out


def find_aliases(text: str) -> list[tuple[str, int, int]]:
    """(alias, start, end) of `(gọi tắt là Đề án 06)` definitions in TEXT."""
    return [(collapse_ws(m.group("alias")).strip(" .,:"), m.start(), m.end()) for m in _ALIAS.finditer(text)]


@lru_cache(maxsize=4096)
def _alias_re(alias: str) -> re.Pattern:
    """A programme's alias as a whole-word pattern over folded text (compiled once: every text of
    every document is matched against every alias)."""
    return re.compile(rf"(?<![\w]){re.escape(fold(alias))}(?![\w])")


def match_programme(text: str, programmes: list[Programme], threshold: float = 0.8) -> Optional[Programme]:
    """The programme TEXT names: by one of its aliases (`Đề án 06`), its symbol, or most of its title words."""
    f = fold(text)
    for p in programmes:
        for a in p.aliases:
            if _alias_re(a).search(f):
                return p
    text_k = symbol_key(text) or ""
    for p in programmes:
        k = symbol_key(p.symbol)
        if k and re.search(rf"(?<![\w/]){re.escape(k)}(?![\w])", text_k):
            return p
    best, score = None, 0.0
    for p in programmes:
        s = title_overlap(p.title, text)
        if s > score:
            best, score = p, s
    return best if score >= threshold else None
