"""Reading handwritten digits by their shapes: the number and day a clerk writes into a header.

Tesseract is trained on print.  A handwritten `11` drawn the Vietnamese way (each `1` with a
long up-stroke, like `ʌʌ`) comes out `44`, `}` or nothing, whatever the binarisation.  This is a
second recogniser of another kind: the ink of the field's region is cut into glyphs (connected
strokes, grouped by column) and each glyph is classified by a small convolutional network
trained on handwritten digits (MNIST, with the long-stroke `1` added; see
scripts/build_digit_model.py, which writes corpora/digits/digit_cnn.npz).  Several networks
trained from different seeds vote by averaging their probabilities.

What it gives is a reading with a probability per digit, never a decision: the header reader
accepts a value only when this reading and Tesseract's agree (extractors/reading/header_digits.py).
A region whose ink cannot be cut into clean glyphs (ink touching the region's side, where a
digit may be cut; glyphs too wide to be one digit or two) gives no reading at all, and the
header reader asks for none where a printed word beside the value took part of it into its box.
The network's probabilities are no safeguard on their own: glyphs cut wrong are read with
certainty (a `239/` as `739` at 0.96, on a real scan).

    read_digit_shapes(grey, box, band) -> ShapeRead
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from extractors.gazetteer import CORPORA

MODEL = CORPORA / "digits" / "digit_cnn.npz"
SIDE = 28            # the network's input, MNIST's format: the glyph fitted in 20x20, centred by mass
FIT = 20
MIN_SHARE_OF_TALLEST = 0.4    # shorter ink is a mark, a dot or a stroke of print, not a digit
MIN_SHARE_OF_LARGEST = 0.08   # by area, likewise
JOIN_OVERLAP = 0.5            # strokes overlapping this much of the narrower one's width: one glyph (a `4`, a `5`)
TWO_WIDE = 0.95               # a glyph wider than this x its height is two digits written touching
MAX_WIDE = 1.9                # ... and wider than this, more than two: no reading
SPLIT_PART = 0.6              # each of two touching digits is at least this share of their height


@dataclass(frozen=True)
class ShapeRead:
    digits: str = ""                      # "" when the region gave no clean glyphs
    probabilities: tuple[float, ...] = ()  # each digit's averaged probability
    reason: str = ""                      # why there is no reading: no-ink, edge, too-wide

    @property
    def confidence(self) -> float:
        return min(self.probabilities) if self.probabilities else 0.0


def normalise(glyph: np.ndarray) -> np.ndarray:
    """A glyph (uint8, ink 255, cut to its box) as the network's input: 28x28 floats 0..1, fitted
    in 20x20 with its aspect kept and its centre of mass at the centre, as MNIST's digits are."""
    import cv2

    h, w = glyph.shape
    scale = FIT / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = cv2.resize(glyph, (nw, nh), interpolation=cv2.INTER_AREA).astype(np.float32)
    mass = small.sum()
    if mass > 0:
        ys, xs = np.indices(small.shape)
        cy, cx = (ys * small).sum() / mass, (xs * small).sum() / mass
    else:
        cy, cx = nh / 2, nw / 2
    oy = min(max(int(round(SIDE / 2 - cy)), 0), SIDE - nh)
    ox = min(max(int(round(SIDE / 2 - cx)), 0), SIDE - nw)
    out = np.zeros((SIDE, SIDE), np.float32)
    out[oy:oy + nh, ox:ox + nw] = small
    return out / 255.0


def glyphs(ink: np.ndarray, band: tuple[int, int], value_columns: tuple[int, int] | None = None
           ) -> tuple[list[np.ndarray], str]:
    """The digit glyphs of a binary region (ink 255), left to right, and "" or why there are none.
    `band`: the rows of the printed line; ink centred outside it belongs to the lines around.
    `value_columns`: where the value is thought to be; ink that the region's side cuts and that is
    centred outside them is a printed neighbour (the `g` of `tháng01`), not a digit."""
    import cv2

    n, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    lo, hi = band
    reach = 0.25 * (hi - lo)
    comps = [i for i in range(1, n) if lo - reach <= centroids[i][1] <= hi + reach]
    if not comps:
        return [], "no-ink"
    tallest = max(stats[i, cv2.CC_STAT_HEIGHT] for i in comps)
    largest = max(stats[i, cv2.CC_STAT_AREA] for i in comps)
    comps = [i for i in comps if stats[i, cv2.CC_STAT_HEIGHT] >= MIN_SHARE_OF_TALLEST * tallest
             and stats[i, cv2.CC_STAT_AREA] >= MIN_SHARE_OF_LARGEST * largest]
    width = ink.shape[1]
    lo_x, hi_x = value_columns or (0, width)
    cut = [i for i in comps if stats[i, cv2.CC_STAT_LEFT] == 0
           or stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] >= width]
    if any(lo_x <= centroids[i][0] <= hi_x for i in cut):
        return [], "edge"          # a digit may go on beyond the region: half a `4` reads `1`
    comps = [i for i in comps if i not in cut]
    if not comps:
        return [], "no-ink"
    comps.sort(key=lambda i: stats[i, cv2.CC_STAT_LEFT])
    columns: list[tuple[int, int, list[int]]] = []
    for i in comps:
        x0, x1 = stats[i, cv2.CC_STAT_LEFT], stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH]
        if columns:
            c0, c1, members = columns[-1]
            if min(c1, x1) - max(c0, x0) > JOIN_OVERLAP * min(x1 - x0, c1 - c0):
                columns[-1] = (min(c0, x0), max(c1, x1), members + [i])
                continue
        columns.append((x0, x1, [i]))
    out: list[np.ndarray] = []
    for _, _, members in columns:
        mask = np.where(np.isin(labels, members), 255, 0).astype(np.uint8)
        ys, xs = np.nonzero(mask)
        glyph = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        h, w = glyph.shape
        if w > MAX_WIDE * h:
            return [], "too-wide"
        out.extend(_split_touching(glyph) if w > TWO_WIDE * h else [glyph])
    return out, ""


def _split_touching(glyph: np.ndarray) -> list[np.ndarray]:
    """Two digits written touching (`31`): cut at the column with least ink in the middle.  A
    part shorter than SPLIT_PART of the glyph is a long stroke of one digit (the flag of a `5`,
    the bar of a `7`), not a digit: the glyph stays whole."""
    h, w = glyph.shape
    lo, hi = int(0.3 * w), int(0.7 * w)
    cut = lo + int(np.argmin((glyph[:, lo:hi] > 0).sum(axis=0)))
    parts = []
    for part in (glyph[:, :cut], glyph[:, cut:]):
        ys, xs = np.nonzero(part)
        if not len(ys) or ys.max() - ys.min() + 1 < SPLIT_PART * h:
            return [glyph]
        parts.append(part[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
    return parts


@lru_cache(maxsize=1)
def _networks() -> tuple[dict[str, np.ndarray], ...]:
    with np.load(MODEL) as f:
        arrays = {k: f[k].astype(np.float32) for k in f.files}
    count = 1 + max(int(k.split(".", 1)[0][1:]) for k in arrays)
    return tuple({k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith(f"m{m}.")} for m in range(count))


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Same-padded 2-D convolution (N,C,H,W) x (O,C,k,k)."""
    k = w.shape[2]
    p = k // 2
    padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(2, 3))
    return np.einsum("nchwij,ocij->nohw", windows, w, optimize=True) + b[None, :, None, None]


def _pool(x: np.ndarray) -> np.ndarray:
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def classify(images: np.ndarray) -> np.ndarray:
    """Probabilities (N, 10) of normalised glyphs (N, 28, 28), averaged over the networks."""
    total = np.zeros((len(images), 10), np.float32)
    nets = _networks()
    for net in nets:
        x = images[:, None].astype(np.float32)
        x = _pool(np.maximum(_conv(x, net["conv1.weight"], net["conv1.bias"]), 0))
        x = _pool(np.maximum(_conv(x, net["conv2.weight"], net["conv2.bias"]), 0))
        x = np.maximum(x.reshape(len(x), -1) @ net["fc1.weight"].T + net["fc1.bias"], 0)
        z = x @ net["fc2.weight"].T + net["fc2.bias"]
        z = np.exp(z - z.max(axis=1, keepdims=True))
        total += z / z.sum(axis=1, keepdims=True)
    return total / len(nets)


def read_digit_shapes(grey: np.ndarray, box: tuple[int, int, int, int], band: tuple[int, int],
                      value_columns: tuple[int, int] | None = None) -> ShapeRead:
    """The digits in `box` (x0, y0, x1, y1 of the grey page) whose ink sits on the printed line
    `band` (y0, y1 of the page); `value_columns` (x0, x1 of the page): see glyphs()."""
    import cv2

    x0, y0, x1, y1 = (max(0, v) for v in box)
    crop = grey[y0:y1, x0:x1]
    if crop.size == 0 or crop.shape[0] < 8 or crop.shape[1] < 4:
        return ShapeRead(reason="no-ink")
    _, ink = cv2.threshold(cv2.GaussianBlur(crop, (3, 3), 0), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() < 255 * 0.003:      # Otsu on a blank region splits paper grain: no writing there
        return ShapeRead(reason="no-ink")
    columns = (value_columns[0] - x0, value_columns[1] - x0) if value_columns else None
    found, reason = glyphs(ink, (band[0] - y0, band[1] - y0), columns)
    if not found:
        return ShapeRead(reason=reason)
    probs = classify(np.stack([normalise(g) for g in found]))
    return ShapeRead(digits="".join(str(int(p.argmax())) for p in probs),
                     probabilities=tuple(round(float(p.max()), 3) for p in probs))
