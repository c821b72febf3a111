"""Characters -> lines -> reading order.  Geometry only, shared by the PDF reader.

Coordinates: PDF points, top-left origin (x0, top, x1, bottom), as in extractors.types.BBox.
"""
from __future__ import annotations

import unicodedata
from operator import attrgetter
from dataclasses import dataclass, field
from typing import Iterable, Optional


@dataclass(slots=True)
class Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    baseline: float          # y of the glyph origin (top-left origin)
    size: float
    bold: bool = False
    italic: bool = False
    space_before: bool = False   # a space character (real or pdfium-generated) precedes it


_X0, _X1, _TOP, _BOTTOM, _SIZE = (attrgetter(a) for a in ("x0", "x1", "top", "bottom", "size"))
_BOLD, _ITALIC = attrgetter("bold"), attrgetter("italic")


class Piece:
    """A run of characters on one line with no wide gap: one output block."""

    __slots__ = ("chars", "text", "x0", "x1", "top", "bottom", "size", "bold", "italic")

    def __init__(self, chars: list[Char], text: str = "") -> None:
        # map(attrgetter) rather than generators: this runs for every piece of every page
        self.chars = chars
        self.text = text
        self.x0 = min(map(_X0, chars))
        self.x1 = max(map(_X1, chars))
        self.top = min(map(_TOP, chars))
        self.bottom = max(map(_BOTTOM, chars))
        sizes = sorted(map(_SIZE, chars))
        self.size = sizes[len(sizes) // 2] if sizes else 0.0
        letters = [c for c in chars if c.text.isalnum()] or chars
        self.bold = sum(map(_BOLD, letters)) / len(letters) > 0.6
        self.italic = sum(map(_ITALIC, letters)) / len(letters) > 0.6

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (round(self.x0, 2), round(self.top, 2), round(self.x1, 2), round(self.bottom, 2))


@dataclass
class Line:
    pieces: list[Piece] = field(default_factory=list)

    @property
    def top(self) -> float: return min(p.top for p in self.pieces)
    @property
    def bottom(self) -> float: return max(p.bottom for p in self.pieces)
    @property
    def x0(self) -> float: return min(p.x0 for p in self.pieces)
    @property
    def x1(self) -> float: return max(p.x1 for p in self.pieces)


SPACE_GAP = 0.28      # em: a gap wider than this between glyphs is a word space
PIECE_GAP = 1.6       # em: a gap wider than this splits a line into pieces (columns)


def _join_text(chars: list[Char]) -> str:
    out: list[str] = []
    append = out.append
    combining = unicodedata.combining
    prev: Optional[Char] = None
    for c in chars:
        if prev is not None and not combining(c.text[0]) and (
                c.space_before or c.x0 - prev.x1 > SPACE_GAP * max(min(c.size, prev.size), 1.0)):
            append(" ")
        append(c.text)
        prev = c
    return unicodedata.normalize("NFC", "".join(out)).strip()


def build_lines(chars: Iterable[Char]) -> list[Line]:
    """Group characters into lines (same baseline) and split lines at wide gaps."""
    chars = [c for c in chars if c.text and not c.text.isspace()]
    if not chars:
        return []
    # Sort by baseline then x; then sweep, opening a new line when the baseline moves by
    # more than ~40% of the font size.  Diacritics do not move the baseline, unlike boxes.
    chars.sort(key=attrgetter("baseline"))
    rows: list[list[Char]] = []
    current: list[Char] = []
    base = None
    for c in chars:
        tol = max(c.size, 4.0) * 0.4
        if base is None or abs(c.baseline - base) <= tol:
            current.append(c)
            if base is None:
                base = c.baseline
        else:
            rows.append(current)
            current = [c]
            base = c.baseline
    if current:
        rows.append(current)
    lines: list[Line] = []
    for row in rows:
        row.sort(key=attrgetter("x0"))
        # Drop exact duplicates (fake bold drawn twice).
        dedup: list[Char] = []
        for c in row:
            if dedup and c.text == dedup[-1].text and abs(c.x0 - dedup[-1].x0) < 0.5 and abs(c.top - dedup[-1].top) < 0.5:
                continue
            dedup.append(c)
        # Word gaps of this line: a gap several times wider than the usual one separates
        # blocks set side by side, even when it is narrower than PIECE_GAP.
        gaps = []
        for a, b in zip(dedup, dedup[1:]):
            gap = b.x0 - a.x1
            if gap > 0.1 * max(a.size, 1.0):
                gaps.append(gap)
        gaps.sort()
        usual = gaps[len(gaps) // 2] if gaps else 0.0
        piece = [dedup[0]]
        pieces: list[list[Char]] = [piece]
        prev = dedup[0]
        for c in dedup[1:]:
            em = max(min(c.size, prev.size), 1.0)
            gap = c.x0 - prev.x1
            if gap > PIECE_GAP * em or (gap > 0.9 * em and usual and gap > 3.5 * usual):
                piece = [c]
                pieces.append(piece)
            else:
                piece.append(c)
            prev = c
        line = Line([Piece(p, _join_text(p)) for p in pieces])
        line.pieces = [p for p in line.pieces if p.text]
        if line.pieces:
            lines.append(line)
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def content_runs(chars: list[Char]) -> list[Piece]:
    """Pieces in drawing order, for text at an angle (stamps, notes): baselines are not
    horizontal there, so a new piece starts only where the next glyph is far away."""
    out: list[list[Char]] = []
    for c in chars:
        if c.text.isspace():
            continue
        if out:
            prev = out[-1][-1]
            em = max(prev.size, 4.0)
            near = abs(c.x0 - prev.x1) < 1.5 * em and abs(c.baseline - prev.baseline) < 1.2 * em
            if near:
                out[-1].append(c)
                continue
        out.append([c])
    pieces = []
    for run in out:
        text = []
        for k, c in enumerate(run):
            if k and (c.space_before or c.x0 - run[k - 1].x1 > SPACE_GAP * max(c.size, 1.0)):
                text.append(" ")
            text.append(c.text)
        pieces.append(Piece(run, unicodedata.normalize("NFC", "".join(text)).strip()))
    return [p for p in pieces if p.text]


def _merge(pieces: list[Piece]) -> Piece:
    if len(pieces) == 1:
        return pieces[0]
    return Piece([c for p in pieces for c in p.chars], " ".join(p.text for p in pieces))


@dataclass
class Region:
    """A rectangle that is read as a unit (a table), placed in the flow at its top."""
    bbox: tuple[float, float, float, float]
    payload: object = None


def reading_order(lines: list[Line], regions: list[Region] = ()) -> list[object]:
    """Order lines' pieces for reading; returns Pieces and Regions in order.

    Side-by-side blocks (issuer | motto at the top of a Vietnamese document, Nơi nhận |
    signer at the bottom) come out left block first, then right block: a "band" starts at
    a line with two pieces and runs while every line keeps to one side of the gap between
    them.  Anything crossing the gap (a centred title, a full-width paragraph, a table)
    ends the band.
    """
    items: list[tuple[float, object]] = [(ln.top, ln) for ln in lines]
    items += [(r.bbox[1], r) for r in regions]
    items.sort(key=lambda t: t[0])
    out: list[object] = []
    i = 0
    n = len(items)
    while i < n:
        item = items[i][1]
        if isinstance(item, Region) or len(item.pieces) < 2:
            out.extend([item] if isinstance(item, Region) else item.pieces)
            i += 1
            continue
        # The widest gap between neighbouring pieces is the column split.
        ps = sorted(item.pieces, key=lambda p: p.x0)
        gaps = [(ps[k + 1].x0 - ps[k].x1, k) for k in range(len(ps) - 1)]
        _, k = max(gaps)
        lo, hi = ps[k].x1, ps[k + 1].x0
        mid = (lo + hi) / 2
        left: list[Piece] = []
        right: list[Piece] = []
        j = i
        while j < n:
            cand = items[j][1]
            if isinstance(cand, Region):
                break
            placed_l = [p for p in cand.pieces if p.x1 <= mid]
            placed_r = [p for p in cand.pieces if p.x0 >= mid]
            if len(placed_l) + len(placed_r) != len(cand.pieces):
                break
            # Pieces of one line on one side are one block ("Số:" + "/BNV-CCHC" with
            # the number left blank for the clerk to fill in).
            for side, placed in ((left, placed_l), (right, placed_r)):
                if placed:
                    side.append(_merge(sorted(placed, key=lambda p: p.x0)))
            j += 1
        if j == i:
            # The line crosses its own split (pieces that overlap, from a damaged PDF): read it as
            # it comes.  Without this the loop never moved on (found by scripts/fuzz.py).
            out.extend(item.pieces)
            i += 1
            continue
        out.extend(left)
        out.extend(right)
        i = j
    return out
