"""Re-reading the handwritten or stamped digits of a scanned header: `Số: 11 /CT-UBND`, `ngày 15 tháng 01`.

On a scan the number and the day are often written by hand after signing.  Tesseract's page pass
reads them as digits with stray marks (`Số:⁄‡6`), as letters (`ngày JŸtháng`), or as other digits
(a Vietnamese handwritten `1`, drawn with a long up-stroke, comes out `4` or `7`).  A wrong number is
worse than none: the register would file the directive under another's symbol.

So each such field is cut out of the page by the word boxes of the printed words around it (`Số:`
and `/CT-UBND`; `ngày` and `tháng`; `tháng` and `năm`) and read again alone, by two recognisers (the
`vie` and the `eng` models) on several binarisations and scales.  All the variants of all the fields
of a page are stacked into one image, one strip a line, so the whole re-read costs one Tesseract
run per model.  A value is accepted only when the variants agree on it (AGREEMENT of them read
exactly that string of digits and nothing else) and it is plausible (a day 1-31, a month 1-12);
otherwise the field is left blank and reported unread.  The page's words are edited in place, so
the lines built from them carry the accepted value or a blank.

    reread_header_fields(grey, data, dpi, deadline) -> list[FieldRead]

A value needs more than agreement: no recogniser may read another value more often (a handwritten
`16` that one model reads `46` six times and the other `16` four times is unread).  Only the
header's own number and date lines are re-read, never a date the body cites.  A scanner's OCR
layer under the picture is read the same way (reread_scan_header): its digits are no more trusted.
A day the readings could not agree on may still be settled by the earliest digital signature of
the page (settle_day_by_signature): a directive is signed on its date or within SIGNED_WITHIN_DAYS
after it, so a day read at least twice that falls on the signing day, or that both recognisers
read and that fits before it, is taken (FieldRead.basis "signature"); nothing comes from the
signing time alone.

Readings split between a value and the same value with long-stroke 1s read as 4 or 7 (`16` and
`46`) agree once that one mistake is counted (decide_long_ones, basis "long-ones").

A third recogniser of another kind reads the field by its digit shapes (digit_shapes.py, a small
network trained on handwritten digits): a field Tesseract's readings left unread takes the
network's value when the network is sure of every digit and either two of Tesseract's readings
read the same (shape_agrees) or Tesseract saw digits there and none of its models steadily reads
another value (shape_uncontradicted); a value Tesseract's readings agreed on is left unread when
the network is sure of another (shape_objects: twelve Tesseract readings of a hand's `11` all gave
`14`).  Its reading is the last of FieldRead.reads (read_by "shapes") and votes with them for the
signing day.  It is not asked where a printed word beside the value took part of it into its box
(_swollen).
"""
from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from typing import Optional

import numpy as np

from extractors.reading.digit_shapes import ShapeRead, read_digit_shapes
from extractors.reading.tesseract import OcrTimeout, read_words, run_tesseract
from extractors.types import FieldRead

AGREEMENT = 0.6          # share of the variants that must read the same digits
MIN_CONFIDENCE = 60.0    # their mean word confidence
TOP_SHARE = 0.45         # header fields are in the top part of a page
SCALES = (2.0, 3.0)      # handwriting is small: upscaled only (1.0 read nothing more often than not)
# The two recognisers: Vietnamese as the page was read, and English told to see only digits.
MODELS = (("vie", "--psm 6 --oem 1"), ("eng", "--psm 6 --oem 1 -c tessedit_char_whitelist=0123456789"))
# A directive is signed digitally on its date or in the days after it (the clerk's seal, the
# gazette's stamp), never before: the earliest signing time bounds the day from above.
SIGNED_WITHIN_DAYS = 31
SHAPES = "shapes"        # the handwritten-digit network's reading (digit_shapes.py), beside vie and eng
SHAPE_CONFIDENCE = 0.9   # its least sure digit, for its reading to count as a witness
SHAPE_WITNESSES = 2      # Tesseract's readings (of the variants, and the page pass) that must read the same
SHAPE_DIGIT_READS = 2    # Tesseract's readings that must hold a digit for the network's value to stand alone
SHAPE_ONE_CONFIDENCE = 0.5   # a 1 the network may doubt when Tesseract read it as a hand's long 1
ROOM = 0.8               # an empty slot this many line heights wide (a space is ~0.3) may hold what Tesseract skipped
SWOLLEN = 1.25           # a printed word this much wider than its letters took in handwriting beside it

_LETTER = r"[^\W\d_]"
# `Số: 44 /CT-UBND`, `Số:⁄‡6 /CT-UBND`, `Số: #14. /UBND-SGDĐT`; the code starts with a capital.
# A party number has its type before the slash (`Số 08-CT/TU`): the value stops at the dash.
# (a slash before a digit is a stroke of the handwriting read as one: `Số: 4/35 /SGDĐT` for 1535)
_SO = r"^\W{0,3}S[ốôoơó0ỗồ6]\s*[:.;]?"      # `Số:` as OCR reads it
_NUMBER = re.compile(_SO + r"\s*(?P<v>(?:[^/]|/(?=\d)){0,12}?)\s*(?=(?:-\s*[A-ZĐ][\wĐđ]*\s*)?[/!]\s*[A-ZĐ])")
_NUMBER_LABEL = re.compile(_SO + "$")
# Only the header's date line (`Quảng Ngãi, ngày … tháng … năm 2025`, or one starting with `ngày`), not
# a date cited in the body.  A hand's day may be read as two pieces (`ngày ⁄ 2 tháng` for 24).
_DATE = re.compile(
    r"(?i)^(?:[^,\d]{2,40}[,.;]\s*)?ng[àaáạ]y\s*(?P<d>\S{0,6}?(?:\s\S{1,3}?)??)\s*(?=\S{0,3}th[áaẳả]ng)(?P<g>\S{0,3}?)th[áaẳả]ng\s*"
    r"(?P<m>\S{0,6}?)\s*n[ăaắ]m\s*(?P<y>\d{4})")


@dataclass
class _Field:
    name: str                   # number | day | month
    words: list[int]            # indices into the page's word table
    span: tuple[int, int]       # character span of the value in the line text
    text: str                   # the line text
    offsets: list[tuple[int, int, int]]   # (word index, start, end) of each word in the line text
    box: tuple[int, int, int, int]        # pixel region of the value
    page_read: str              # what the page pass read there
    gap: tuple[int, int, int, int] = (0, 0, 0, 0)   # the room between the printed words around it
    line: tuple[int, int] = (0, 0)        # the printed line's rows
    swollen: bool = False                 # a printed word beside it is wider than its letters: it took in ink


def _line_words(data: dict) -> dict[tuple, list[int]]:
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(data["text"]):
        if not word or not word.strip():
            continue
        try:
            if float(data["conf"][i]) < 0:
                continue
        except (TypeError, ValueError):
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        groups.setdefault(key, []).append(i)
    # One Tesseract line can hold both header columns (`Số: 11 /CT-UBND` and `Quảng Ngãi, ngày …` on
    # one baseline): cut it at wide gaps, as data_to_lines does.
    out: dict[tuple, list[int]] = {}
    for key, idx in groups.items():
        idx.sort(key=lambda i: data["left"][i])
        height = float(np.median([data["height"][i] for i in idx]))
        part = 0
        out[(*key, part)] = [idx[0]]
        for prev, cur in zip(idx, idx[1:]):
            # (not after `Số:`: the gap is the number's slot, blank or its ink not read)
            if data["left"][cur] - (data["left"][prev] + data["width"][prev]) > 2.5 * max(height, 8) \
                    and not _NUMBER_LABEL.match(data["text"][prev].strip()):
                part += 1
                out[(*key, part)] = []
            out[(*key, part)].append(cur)
    return out


def _x_at(data: dict, offsets, pos: int, *, end: bool) -> Optional[float]:
    """The pixel x of character position `pos` of the line text, by proportion within its word."""
    for i, a, b in offsets:
        if a <= pos <= b:
            n = max(1, b - a)
            frac = (pos - a) / n
            return data["left"][i] + frac * data["width"][i]
    # between words: the gap after the previous word
    before = [(i, a, b) for i, a, b in offsets if b < pos]
    after = [(i, a, b) for i, a, b in offsets if a > pos]
    if end and after:
        return float(data["left"][after[0][0]])
    if before:
        i = before[-1][0]
        return float(data["left"][i] + data["width"][i])
    return None


def find_fields(data: dict, height: int) -> list[_Field]:
    """The number, day and month slots of the header lines in the top of the page (`height`: the
    page's height in the word table's pixels)."""
    out: list[_Field] = []
    seen: set[str] = set()
    # top-most first: the header's number and date lines come before any date the body cites
    # ("Hội nghị ngày 31 tháng 01 năm 2024 …"), which is not re-read
    for key, idx in sorted(_line_words(data).items(), key=lambda kv: min(data["top"][i] for i in kv[1])):
        top = min(data["top"][i] for i in idx)
        if top > TOP_SHARE * height:
            continue
        offsets, pos, parts = [], 0, []
        for i in idx:
            w = data["text"][i].strip()
            offsets.append((i, pos, pos + len(w)))
            parts.append(w)
            pos += len(w) + 1
        text = " ".join(parts)
        y0 = top
        y1 = max(data["top"][i] + data["height"][i] for i in idx)
        spans = []
        m = _NUMBER.match(text)
        if m and "number" not in seen:
            seen.add("number")
            spans.append(("number", m.span("v")))
        m = _DATE.match(text)
        if m and "date" not in seen:
            seen.add("date")
            # a hand's day the page pass glued to the printed word after it (`ngày JŸtháng 10`)
            glued = not m.group("d") and any(c.isalnum() for c in m.group("g"))
            spans.append(("day", m.span("g" if glued else "d")))
            spans.append(("month", m.span("m")))
        for name, (a, b) in spans:
            x0 = _x_at(data, offsets, a, end=False)
            x1 = _x_at(data, offsets, b, end=True)
            if a == b:
                # the page pass read nothing there; a hand's digits Tesseract skipped leave a wide
                # room between the printed words (`ngày      tháng 11`), as a blank does: read it.
                # (Not where it boxed one narrow mark, `ngày Z tháng 4`: the rest of that hand's
                # `15` is inside `ngày`'s box, and the room alone reads `5`.)
                x0, x1 = _room(data, offsets, a, y1 - y0)
            if x0 is None or x1 is None:
                continue
            pad = 0.15 * (y1 - y0)
            if x1 - x0 < 0.4 * (y1 - y0):
                continue            # nothing written there (a draft's blank is wider than this; see below)
            words = [i for i, s, e in offsets if s < b and e > a]
            out.append(_Field(name, words, (a, b), text, offsets,
                              (int(x0 - pad), int(y0 - 2 * pad), int(x1 + pad), int(y1 + 2 * pad)), text[a:b],
                              _gap(data, offsets, (a, b), (y0, y1)), (y0, y1), _swollen(data, offsets, (a, b))))
    return out


def _swollen(data: dict, offsets, span: tuple[int, int]) -> bool:
    """Is the printed word just before or after the value wider than SWOLLEN x its letters at the
    line's own width per letter?  Then its box took in part of the handwriting (`ngày` 135 px where
    the line's print gives 104: the `1` of a `15`), and any region cut at its edge, Tesseract's
    included, may hold only the rest of the value (`5`)."""
    a, b = span
    words = [(i, s, e) for i, s, e in offsets if e <= a or s >= b]
    per_letter = [data["width"][i] / len(data["text"][i].strip()) for i, _, _ in words
                  if len(data["text"][i].strip()) >= 3]
    if len(per_letter) < 3:
        return False
    unit = float(np.median(per_letter))
    neighbours = [i for i in _beside(offsets, a, b) if i is not None]
    return any(data["width"][i] > SWOLLEN * unit * len(data["text"][i].strip()) for i in neighbours)


def _beside(offsets, a: int, b: int) -> tuple[Optional[int], Optional[int]]:
    """The words (indices into the word table) wholly before character `a` and wholly after `b`
    of the line text: the printed words around a value."""
    before = [i for i, s, e in offsets if e <= a]
    after = [i for i, s, e in offsets if s >= b]
    return (before[-1] if before else None), (after[0] if after else None)


def _room(data: dict, offsets, pos: int, height: float) -> tuple[Optional[float], Optional[float]]:
    """The room between the words before and after an empty slot at `pos`, when it is wider than
    ROOM x the line's height (more than a space: something was, or was to be, written there)."""
    before, after = _beside(offsets, pos, pos)
    if before is None or after is None:
        return None, None
    x0 = data["left"][before] + data["width"][before]
    x1 = data["left"][after]
    return (float(x0), float(x1)) if x1 - x0 >= ROOM * height else (None, None)


def _gap(data: dict, offsets, span: tuple[int, int], line: tuple[int, int]) -> tuple[int, int, int, int]:
    """The region between the printed words before and after the value (`Số:` and `/CT-UBND`),
    taller than the line: handwriting is larger than print and rises above it.  Where the page
    pass glued the value to a word, its edge is placed by proportion within that word."""
    a, b = span
    y0, y1 = line
    h = y1 - y0
    before, after = _beside(offsets, a, b)
    if before is None or any(s < a < e for _, s, e in offsets):
        left = _x_at(data, offsets, a, end=False)
    else:
        left = data["left"][before] + data["width"][before]
    if after is None or any(s < b < e for _, s, e in offsets):
        right = _x_at(data, offsets, b, end=True)
    else:
        right = data["left"][after]
    left, right = left or 0, right or 0
    return int(left + 2), int(y0 - 0.6 * h), int(right - 2), int(y1 + 0.4 * h)


def _variants(crop: np.ndarray) -> list[np.ndarray]:
    import cv2

    out = []
    for scale in SCALES:
        g = crop if scale == 1.0 else cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        out.append(g)
        _, otsu = cv2.threshold(cv2.GaussianBlur(g, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        out.append(otsu)
        block = max(15, (g.shape[0] // 2) | 1)
        out.append(cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 15))
    return out


def _stack(strips: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Strips one under the other on white, with room between them; their y ranges."""
    gap = max(20, max(s.shape[0] for s in strips) // 2)
    width = max(s.shape[1] for s in strips) + 2 * gap
    height = sum(s.shape[0] for s in strips) + gap * (len(strips) + 1)
    canvas = np.full((height, width), 255, np.uint8)
    ranges, y = [], gap
    for s in strips:
        canvas[y:y + s.shape[0], gap:gap + s.shape[1]] = s
        ranges.append((y, y + s.shape[0]))
        y += s.shape[0] + gap
    return canvas, ranges


def _reads(data: dict, ranges: list[tuple[int, int]]) -> list[tuple[str, float]]:
    """(text, mean confidence) of the words whose centre falls in each strip."""
    out: list[list[tuple[str, float]]] = [[] for _ in ranges]
    for i, word, conf in read_words(data):
        cy = data["top"][i] + data["height"][i] / 2
        for k, (a, b) in enumerate(ranges):
            if a <= cy <= b:
                out[k].append((data["left"][i], word, conf))
                break
    res = []
    for words in out:
        words.sort()
        text = "".join(w for _, w, _ in words)
        conf = sum(c for _, _, c in words) / len(words) if words else 0.0
        res.append((text, conf))
    return res


def _plausible(name: str, value: str) -> bool:
    if name == "number":
        # numbers are padded to two digits (`01`), never to three (`060` is a misread `660`)
        return 1 <= len(value) <= 5 and int(value) > 0 and not (len(value) > 2 and value[0] == "0")
    n = int(value)
    return len(value) <= 2 and (1 <= n <= 31 if name == "day" else 1 <= n <= 12)


# Letters Tesseract puts for digits inside a run of digits (`3l`, `0I`, `I1`).
_AS_DIGIT = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0", "o": "0", "Ø": "0", "ø": "0"})


def _digits(text: str) -> str:
    """A read as a digit string, or "" when it is not one (letters, marks, nothing)."""
    # Marks around the digits are the crop's edges (`08-` of `08-CT/TU`, a colon), not the value.
    t = re.sub(r"[.,:;'`\"“”‘’]", "", text).strip("-–/ ")
    if not t or not any(c.isdigit() for c in t):
        return ""
    t = t.translate(_AS_DIGIT)
    return t if t.isdigit() else "?"


def decide(name: str, reads: list[tuple[str, float]], models: list[str], page_read: str = "") -> tuple[Optional[str], float]:
    """The value the readings agree on and a confidence (agreement x mean word confidence, 0..1);
    (None, confidence) when they do not agree.

    A value must be read by both recognisers: a handwritten `11` that one model reads `44` every time
    is not read by the other at all, and a wrong number is worse than none.  Accepted: AGREEMENT of
    the informative readings (those with a digit) give it, at least 4, at least 2 from each model;
    or it is what the page pass read and the digits-only model confirms it (3 readings or more, and
    no other value read twice)."""
    digits = [(_digits(t), c, m) for (t, c), m in zip(reads, models)]
    informative = [d for d in digits if d[0]]
    votes: dict[str, list[tuple[float, str]]] = {}
    for v, c, m in informative:
        if v != "?":
            votes.setdefault(v, []).append((c, m))
    if not votes:
        return None, 0.0
    value, got = max(votes.items(), key=lambda kv: (len(kv[1]), sum(c for c, _ in kv[1])))
    share = len(got) / max(1, len(informative))
    conf = sum(c for c, _ in got) / len(got)
    score = round(share * conf / 100, 3)
    per_model = {m: sum(1 for _, mm in got if mm == m) for m in set(models)}
    agreed = share >= AGREEMENT and len(got) >= 4 and min(per_model.values()) >= 2 and conf >= MIN_CONFIDENCE
    # The page pass was the Vietnamese model's reading: the digits-only model confirms it (a `9`
    # alone, which the Vietnamese model reads as `ọ` out of context).
    page = _digits(page_read)
    confirmed = value == page and per_model.get(models[-1], 0) >= 3 and \
        all(len(v) < 2 for k, v in votes.items() if k != value)
    if (agreed or confirmed) and _plausible(name, value) and _each_models_first(value, name, informative):
        return value, score
    return None, score


def _read_shapes(grey: np.ndarray, f: _Field) -> ShapeRead:
    """The shape network's reading of the field, from the first of its candidate regions whose ink
    cuts cleanly into glyphs.  The page pass's word boxes often take in a handwritten digit beside
    a printed word (`ngày` 170 px wide where print is 105), so no one region is right every time:
    the room between the printed words, the value's own box, and that box widened by half a line."""
    x0, y0, x1, y1 = f.box
    h = f.line[1] - f.line[0]
    widened = (int(x0 - h / 2), f.gap[1], int(x1 + h / 2), f.gap[3])
    last = ShapeRead()
    for region in (f.gap, (x0, f.gap[1], x1, f.gap[3]), widened):
        last = read_digit_shapes(grey, region, f.line, (x0, x1))
        if last.digits:
            return last
    return last


def shape_agrees(name: str, shape: ShapeRead, reads: list[str]) -> bool:
    """Is the shape reading sure of every digit (SHAPE_CONFIDENCE), plausible, and read exactly so
    by Tesseract SHAPE_WITNESSES times or more?  Two recognisers of different kinds rarely make
    the same mistake; either alone does.  Tesseract reads a handwritten `16` as `46` steadily;
    the network is sure of what it reads even when the glyphs were cut wrong (a `239/` read as
    `739`, `03` and a mark as `031`, on the real scans), so its confidence is no safeguard alone."""
    if not shape.digits or shape.confidence < SHAPE_CONFIDENCE or not _plausible(name, shape.digits):
        return False
    return sum(_digits(t) == shape.digits for t in reads) >= SHAPE_WITNESSES


def long_ones(value: str, read: str) -> bool:
    """Is `read` the value with one or more of its 1s read as 4 or 7, or not read at all?  A
    Vietnamese hand draws `1` with a long up-stroke (ʌ), which Tesseract, trained on print, reads
    as `4` or `7`, or drops (a hand's `15` read `45` and `5`); the other way round (a written 4 or
    7 read as 1) is not that mistake."""
    def fits(i: int, j: int) -> bool:
        if i == len(value):
            return j == len(read)
        one = value[i] == "1"
        if j < len(read) and (read[j] == value[i] or (one and read[j] in "47")) and fits(i + 1, j + 1):
            return True
        return one and fits(i + 1, j)
    return bool(read) and read != value and fits(0, 0)


def _with_ones(read: str) -> set[str]:
    """The values a reading may be of a hand's long 1s: each 4 or 7 a 1 or not, and one 1 dropped
    anywhere (`45` -> 15, 41, 11, 145 …)."""
    out = {""}
    for c in read:
        out = {o + d for o in out for d in ({c, "1"} if c in "47" else {c})}
    return out | {o[:i] + "1" + o[i:] for o in out for i in range(len(o) + 1)}


def decide_long_ones(name: str, reads: list[tuple[str, float]], models: list[str]) -> Optional[str]:
    """A value with 1s the readings split on: a hand's `16` read `46` by one model six times and `16`
    by the other four times.  The value is taken when it, with the readings that are it with long
    1s, makes the agreement decide() asks for (AGREEMENT of the informative readings, at least 4,
    at least 2 from each model), no other value is read as often as it is read exactly, and no more
    of those readings dropped a digit than kept them all; and it is read exactly at least twice, or
    never but one model read nothing possible and it is the one plausible value the readings are
    with long 1s (a day's `15` read `45` by one model and `5` by the other: `45` is no day, `5` is
    not what the first model saw).  A number's `45` is possible: no number is inferred so."""
    digits = [(_digits(t), m) for (t, _), m in zip(reads, models)]
    informative = [(v, m) for v, m in digits if v]
    read_digits = [v for v, _ in informative if v != "?"]
    read_values = set(read_digits)
    candidates = {v for v in read_values if "1" in v}
    candidates |= {c for v in read_values for c in _with_ones(v) if c not in read_values and _plausible(name, c)}

    def backing_of(value: str) -> list[tuple[str, str]]:
        return [(v, m) for v, m in informative if v == value or long_ones(value, v)]

    def agreed(value: str, backing: list[tuple[str, str]]) -> bool:
        per_model = {m: sum(1 for _, mm in backing if mm == m) for m in set(models)}
        # a reading that dropped a digit is weaker evidence than one that has them all: a printed
        # `345/` read `3451` three times (the slash as a 1) and `345` nine times is not `3451`
        whole = sum(len(v) == len(value) for v, _ in backing)
        # the share is of the readings that are digits: `+214/` (a hand's open 4) says nothing against 4214
        return whole >= len(backing) - whole and len(backing) >= max(4, AGREEMENT * len(read_digits)) \
            and min(per_model.values()) >= 2 and _plausible(name, value)

    inferred = [c for c in candidates - read_values if agreed(c, backing_of(c))]
    # a value no reading gave is inferred only where one model read nothing possible (`45` for a day)
    impossible_model = any(all(v == "?" or not _plausible(name, v) for v, mm in informative if mm == m)
                           and any(mm == m for _, mm in informative) for m in set(models))
    for value in sorted(candidates):
        exact = sum(v == value for v, _ in informative)
        backing = backing_of(value)
        if not agreed(value, backing):
            continue
        if exact >= 2 and all(v == "?" or (v, m) in backing or sum(w == v for w, _ in informative) < exact
                              for v, m in informative):
            return value
        if exact == 0 and inferred == [value] and impossible_model and \
                not any(_plausible(name, v) and (v, m) not in backing for v, m in informative if v != "?"):
            return value
    return None


def shape_uncontradicted(name: str, shape: ShapeRead, reads: list[str], models: list[str]) -> bool:
    """May the shape network's reading stand with no Tesseract reading of the same digits?  When it
    is sure of every digit, the value is plausible, Tesseract saw digits there (SHAPE_DIGIT_READS of
    its readings have one: an empty slot of a draft, where the network read `01` in the gap between
    `Số:` and `/QĐ`, has none), and no Tesseract model steadily reads another value of as many
    digits (most of its readings), unless that value is the network's with long 1s (`44` for
    `11`).  Half is not steady: the same hand's `5710` was read `5140` by three of six.  `239/` cut
    as `739` is refused: the digits model read `139` six times of six."""
    value = shape.digits
    if not value or shape.confidence < SHAPE_CONFIDENCE or not _plausible(name, value):
        return False
    digits = [_digits(t) for t in reads]
    if sum(bool(d) for d in digits) < SHAPE_DIGIT_READS:
        return False
    return not _steadily_other(name, value, digits, models)


def _steadily_other(name: str, value: str, digits: list[str], models: list[str]) -> bool:
    """Does a Tesseract model read another plausible value of as many digits in most of its
    readings, one that is not `value` with long 1s?"""
    for model in set(models):
        own = [d for d, m in zip(digits, models) if m == model]
        for other in set(own):
            if other and other != "?" and other != value and len(other) == len(value) \
                    and _plausible(name, other) and not long_ones(value, other) \
                    and 2 * own.count(other) > len(own):
                return True
    return False


def shape_with_long_ones(name: str, shape: ShapeRead, reads: list[str], models: list[str]) -> bool:
    """May the network's reading stand where it doubts only its 1s?  The up-stroke that makes
    Tesseract read a hand's `1` as `4` or drop it makes the network unsure of it too (ct11's `11`:
    0.896 for its first 1, read `44` three times).  Every other digit sure (SHAPE_CONFIDENCE), each
    1 at least SHAPE_ONE_CONFIDENCE, SHAPE_WITNESSES of Tesseract's readings the value with long 1s
    or the value itself, and no model steadily reading another value (see shape_uncontradicted).
    A doubted digit that is not a 1 (cv1535's `1635`, 0.77 for the 6 of a 5) is no such case."""
    value = shape.digits
    if not value or "1" not in value or not _plausible(name, value) or len(shape.probabilities) != len(value):
        return False
    if any(p < (SHAPE_ONE_CONFIDENCE if d == "1" else SHAPE_CONFIDENCE) for d, p in zip(value, shape.probabilities)):
        return False
    digits = [_digits(t) for t in reads]
    if sum(d == value or long_ones(value, d) for d in digits) < SHAPE_WITNESSES:
        return False
    return not _steadily_other(name, value, digits, models)


def shape_objects(name: str, shape: ShapeRead, value: str) -> bool:
    """Does the shape network, sure of every digit, read another value of as many digits where
    Tesseract's readings agreed?  Tesseract's variants are one recogniser seen several times: on a
    hand's `11` with long up-strokes all twelve read `14`.  A value the network doubts this way is
    left blank and flagged, as one the readings disagree on."""
    return bool(shape.digits) and shape.confidence >= SHAPE_CONFIDENCE and _plausible(name, shape.digits) \
        and len(shape.digits) == len(value) and shape.digits != value


def _each_models_first(value: str, name: str, informative: list[tuple[str, float, str]]) -> bool:
    """No recogniser reads another plausible value more often than this one: a handwritten `16` that
    the Vietnamese model reads `46` six times and the digits model `16` four times is not `46`."""
    for model in {m for _, _, m in informative}:
        counts: dict[str, int] = {}
        for v, _, m in informative:
            if m == model and v != "?" and _plausible(name, v):
                counts[v] = counts.get(v, 0) + 1
        if counts and max(counts.values()) > counts.get(value, 0):
            return False
    return True


def reread_header_fields(grey: np.ndarray, data: dict, dpi: int, deadline: float, *,
                         run=None, page_height: Optional[int] = None) -> list[FieldRead]:
    """Re-read the header's number, day and month on one page (grey: the image the page pass read,
    or its top part when `page_height` gives the whole page's; data: its word table, edited in
    place); what was decided for each field."""
    fields = find_fields(data, page_height or grey.shape[0])
    if not fields:
        return []
    run = run or run_tesseract
    strips, owner = [], []
    for k, f in enumerate(fields):
        x0, y0, x1, y1 = f.box
        crop = grey[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
        if crop.size == 0:
            continue
        for v in _variants(crop):
            strips.append(v)
            owner.append(k)
    if not strips:
        return []
    canvas, ranges = _stack(strips)
    per_field: dict[int, list[tuple[str, float]]] = {}
    per_model: dict[int, list[str]] = {}
    for model, config in MODELS:
        if time.monotonic() >= deadline:
            raise OcrTimeout()
        words = run(canvas, dpi, deadline, config=config, lang=model)
        for k, read in zip(owner, _reads(words, ranges)):
            per_field.setdefault(k, []).append(read)
            per_model.setdefault(k, []).append(model)
    results: list[FieldRead] = []
    for k, f in enumerate(fields):
        reads = per_field.get(k, [])
        if not reads:
            continue
        value, score = decide(f.name, reads, per_model[k], f.page_read)
        shape = _read_shapes(grey, f) if not f.swollen else ShapeRead(reason="swollen-neighbour")
        basis = "reads"
        if value is None and (ones := decide_long_ones(f.name, reads, per_model[k])) \
                and not shape_objects(f.name, shape, ones):
            value, basis = ones, "long-ones"
        elif value is None and (shape_agrees(f.name, shape, [t for t, _ in reads] + [f.page_read])
                                or shape_uncontradicted(f.name, shape, [t for t, _ in reads], per_model[k])
                                or shape_with_long_ones(f.name, shape, [t for t, _ in reads], per_model[k])):
            value, score, basis = shape.digits, shape.confidence, "shapes"
        elif value is not None and shape_objects(f.name, shape, value):
            value = None          # Tesseract's variants agree on `14` where a hand wrote `11`: unread
        results.append(FieldRead(field=f.name, value=value, confidence=score, page_read=f.page_read,
                                 reads=[t for t, _ in reads] + [shape.digits],
                                 read_by=list(per_model[k]) + [SHAPES], shape_confidence=shape.confidence,
                                 basis=basis))
        if value is None or value != f.page_read.strip():
            _edit_words(data, f, value or "")
    return results


def _edit_words(data: dict, f: _Field, value: str) -> None:
    """Put `value` (or a blank) in the field's place among the page's words."""
    a, b = f.span
    first = True
    for i, s, e in f.offsets:
        if not (s < b and e > a) and not (s == a == b):
            continue
        word = data["text"][i].strip()
        lo, hi = max(a, s) - s, min(b, e) - s
        new = word[:lo] + (value if first else "") + word[hi:]
        if first and value and lo > 0 and not word[lo - 1].isspace():
            new = word[:lo] + " " + value + word[hi:]     # `Số:` + `11`, not `Số:11`
        if first and value and hi < len(word):
            new = new[:len(new) - (len(word) - hi)] + " " + word[hi:]
        data["text"][i] = new
        first = False
        if not new.strip():
            # An emptied word must not leave a gap that cuts the line in two (`Số:` … `/CT-UBND`):
            # the word before it stretches over its place.
            prev = [j for j, _, _ in f.offsets if data["left"][j] < data["left"][i] and data["text"][j].strip()]
            if prev:
                j = prev[-1]
                data["width"][j] = data["left"][i] + data["width"][i] - data["left"][j]


def reread_scan_header(grey: np.ndarray, dpi: int, deadline: float) -> list[FieldRead]:
    """The header fields of a scanned page whose words came from someone else's OCR (a text layer
    under the image): the top of the page read here, then its fields re-read as above.  That
    layer's digits are not trusted: a scanner's OCR read the handwritten `16` as `46` too."""
    top = np.ascontiguousarray(grey[: int(grey.shape[0] * TOP_SHARE) + 1])
    data = run_tesseract(top, dpi, deadline)
    return reread_header_fields(top, data, dpi, deadline, page_height=grey.shape[0])


def _votes(read: FieldRead, name: str) -> tuple[dict[int, int], dict[int, set[str]]]:
    """How many readings gave each plausible value (a day, a month), and which recognisers did."""
    votes: dict[int, int] = {}
    models: dict[int, set[str]] = {}
    by = read.read_by if len(read.read_by) == len(read.reads) else [""] * len(read.reads)
    for text, model in zip(read.reads, by):
        v = _digits(text)
        if v and v != "?" and _plausible(name, v):
            votes[int(v)] = votes.get(int(v), 0) + 1
            models.setdefault(int(v), set()).add(model)
    return votes, models


def _latest_date(day: int, month: Optional[int], year: Optional[int], signed: dt.date) -> Optional[dt.date]:
    """The latest date on `day` (of `month`, in `year`, when known) at or before the signing day and
    at most SIGNED_WITHIN_DAYS before it."""
    d = signed
    for _ in range(SIGNED_WITHIN_DAYS + 1):
        if d.day == day and (month is None or d.month == month) and (year is None or d.year == year):
            return d
        d -= dt.timedelta(days=1)
    return None


def settle_day_by_signature(reads: list[FieldRead], signed: dt.date, year: Optional[int]) -> list[FieldRead]:
    """The header day the readings could not agree on, decided with the signing time as a second
    witness.  Only a day some readings gave (two at least) can be chosen, and only one that fits
    before the signing: the one on the signing day itself, or else the one most readings gave
    (AGREEMENT of all the readings of a day) when both recognisers gave it.  The month follows
    from the day when it was not read: the window is shorter than two months; a month that was
    written but not agreed on must be one that two readings gave (bca-cv4214: `9` read as `3` or
    `9`, signed 16/9); so does the month of a day that was read.  Nothing is made up from the
    signing time alone: a day nobody read stays blank."""
    day = next((r for r in reads if r.field == "day"), None)
    month = next((r for r in reads if r.field == "month"), None)
    if day is None or (day.value is not None and (month is None or month.value is not None)):
        return reads
    months_read: set[int] = set()
    if month is not None and month.value is None and any(_digits(t) not in ("", "?") for t in month.reads):
        # a month was written but not read: only one that readings gave twice can be the date's
        counts = _votes(month, "month")[0]
        months_read = {m for m, n in counts.items() if n >= 2}
        if not months_read:
            return reads
    if day.value is not None:
        # the day was read, its month not: the month of that day before the signing
        when = _latest_date(int(day.value), None, year, signed)
        if when is None or (months_read and when.month not in months_read):
            return reads
        return [r.model_copy(update={"value": f"{when.month:02d}", "confidence": round(0.8 * day.confidence, 3),
                                     "basis": "signature"}) if r is month else r for r in reads]
    known = int(month.value) if month is not None and month.value else None
    fitting, readers = {}, {}
    votes, models = _votes(day, "day")
    for v, n in votes.items():
        when = _latest_date(v, known, year, signed)
        if when is not None and (not months_read or when.month in months_read):
            fitting[when], readers[when] = n, models[v]
    if not fitting:
        return reads
    ranked = sorted(fitting.items(), key=lambda kv: (-kv[1], -kv[0].toordinal()))
    total = sum(votes.values())           # readings that fit nowhere still speak against agreement
    chosen = None
    if fitting.get(signed, 0) >= 2:
        chosen = signed
    elif ranked[0][1] >= 2 and ranked[0][1] >= AGREEMENT * total and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]) \
            and len(readers[ranked[0][0]]) >= min(2, len(set(day.read_by)) or 1):
        # off the signing day, both recognisers must have read it: the digits model drops a
        # handwritten `1` (`15` -> `5`) as steadily as the other reads `45`
        chosen = ranked[0][0]
    if chosen is None:
        return reads
    share = fitting[chosen] / total
    out = []
    for r in reads:
        if r is day:
            r = r.model_copy(update={"value": f"{chosen.day:02d}", "confidence": round(0.8 * share, 3),
                                     "basis": "signature"})
        elif r is month and known is None:     # not written, or written and read so twice
            r = r.model_copy(update={"value": f"{chosen.month:02d}", "confidence": round(0.8 * share, 3),
                                     "basis": "signature"})
        out.append(r)
    if month is None:
        out.append(FieldRead(field="month", value=f"{chosen.month:02d}", confidence=round(0.8 * share, 3),
                             basis="signature"))
    return out


def _splice(text: str, span: tuple[int, int], value: str) -> str:
    a, b = span
    head, tail = text[:a].rstrip(), text[b:].lstrip()
    return f"{head} {value} {tail}" if value else f"{head} {tail}"


def fill_header_text(text: str, reads: list[FieldRead]) -> str:
    """A header line (`Số: 46 /CT-UBND`, `Quảng Ngãi, ngày tháng năm 2021`) with the decided
    values in its slots, and blanks where a field was re-read and not agreed on."""
    values = {r.field: (r.value or "") for r in reads}
    for pattern, fields in ((_NUMBER, ("number",)), (_DATE, ("month", "day"))):   # right slot first
        m = pattern.match(text)
        if not m:
            continue
        for name in fields:
            group = "v" if name == "number" else name[0]
            if name in values and text[m.start(group):m.end(group)].strip() != values[name]:
                text = _splice(text, m.span(group), values[name])
                m = pattern.match(text)
                if not m:
                    break
    return text


def is_number_line(text: str) -> bool:
    """A header's `Số: … /XX-YY` line."""
    return _NUMBER.match(text) is not None


def is_date_line(text: str) -> bool:
    """A header's `<place>, ngày … tháng … năm …` line."""
    return _DATE.match(text) is not None


def header_year(texts: list[str]) -> Optional[int]:
    """The printed year of the header's date line."""
    for t in texts:
        m = _DATE.match(t)
        if m:
            return int(m.group("y"))
    return None
