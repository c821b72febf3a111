"""Image clean-up before Tesseract: coloured ink out, skew out, clean grey.

Scanner copies of directives carry a red seal over the signature, a blue incoming-mail
stamp and handwritten notes in coloured ink; none of it is the document's text, and it
confuses Tesseract's layout analysis and its recogniser.  The printed text is black, so
anything with clear chroma is painted white.  Pages are also a degree or two off straight,
which costs accuracy on Vietnamese diacritics stacked above the line.

All functions take and return numpy arrays (uint8); nothing here talks to Tesseract.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Prepared:
    image: np.ndarray          # uint8 grey, cleaned and deskewed: what Tesseract reads
    angle: float               # degrees the page was rotated by (counter-clockwise positive)
    matrix: np.ndarray         # 2x3 affine: original pixel -> prepared pixel
    ink_removed: float         # share of page pixels painted white as coloured ink

    def with_ink(self, image: np.ndarray) -> np.ndarray:
        """The original page (RGB or grey) in grey, coloured ink kept, turned as the prepared one:
        a hand writes the header's number and day in blue ink, which the clean-up paints white."""
        if not self.ink_removed:
            return self.image
        grey = cv2.cvtColor(to_rgb(image), cv2.COLOR_RGB2GRAY)
        return rotate(grey, self.angle)[0]

    def to_original(self, x: float, y: float) -> tuple[float, float]:
        """Map a prepared-image pixel back to the original image."""
        inv = cv2.invertAffineTransform(self.matrix)
        return (inv[0, 0] * x + inv[0, 1] * y + inv[0, 2],
                inv[1, 0] * x + inv[1, 1] * y + inv[1, 2])


def to_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2RGB)
    return image


def colour_ink_mask(rgb: np.ndarray, *, chroma: int = 30, dark: int = 110) -> np.ndarray:
    """Pixels of coloured ink (seal red, stamp blue, pen).  Black print and grey paper have
    low chroma (max - min channel, under 10 even after JPEG); a faded blue stamp still has
    about 50, a red seal more.  Black text under a seal
    stays dark and low-chroma, so it survives."""
    rgb16 = rgb.astype(np.int16)
    c = rgb16.max(axis=2) - rgb16.min(axis=2)
    mask = c >= chroma
    # Anti-aliased ink edges are less saturated: grow the mask a little, but only over
    # pixels that are themselves somewhat coloured.
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2).astype(bool)
    mask |= grown & (c >= chroma // 2)
    # A dark pixel is print, whatever its tint: black text under a seal, or black text that
    # JPEG's colour subsampling tinted next to red ink.  Its brightest channel stays low,
    # while the brightest channel of any coloured ink (red seal, blue stamp) is light.
    return mask & (rgb16.max(axis=2) > dark)


def remove_colour_ink(rgb: np.ndarray, *, chroma: int = 30) -> tuple[np.ndarray, float]:
    """Grey image with coloured ink painted white; and the share of pixels painted."""
    rgb = to_rgb(rgb)
    mask = colour_ink_mask(rgb, chroma=chroma)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    grey[mask] = 255
    return grey, float(mask.mean())


def binarize(grey: np.ndarray) -> np.ndarray:
    """Otsu on a lightly smoothed page: removes paper speckle, keeps thin diacritics."""
    blur = cv2.GaussianBlur(grey, (3, 3), 0)
    _, bw = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return bw


def estimate_skew(grey: np.ndarray, *, max_angle: float = 6.0) -> float:
    """The rotation (degrees, counter-clockwise positive, as for `rotate`) that levels the
    text lines: a page scanned 2 degrees counter-clockwise gives about -2.

    Projection profile: at the right angle, text lines make the row sums of ink spiky.
    Searched coarse-to-fine on a downscaled ink map, so it costs a few milliseconds.
    """
    h, w = grey.shape[:2]

    def ink_at(size: float) -> np.ndarray:
        scale = min(1.0, size / max(h, w))
        small = cv2.resize(grey, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
        _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        # Smear words into line blobs so the profile follows lines, not letters.
        return cv2.dilate(ink, np.ones((1, 5), np.uint8))

    def scorer(ink: np.ndarray):
        sh, sw = ink.shape
        centre = (sw / 2, sh / 2)

        def score(angle: float) -> float:
            m = cv2.getRotationMatrix2D(centre, angle, 1.0)
            rot = cv2.warpAffine(ink, m, (sw, sh), flags=cv2.INTER_NEAREST, borderValue=0)
            prof = rot.sum(axis=1, dtype=np.float64)
            return float(np.square(np.diff(prof)).sum())
        return score

    coarse = ink_at(600)
    if coarse.mean() < 0.5:          # blank page
        return 0.0
    score = scorer(coarse)
    best = max(np.arange(-max_angle, max_angle + 1e-9, 1.0), key=score)
    best = max(np.arange(best - 1.0, best + 1.0 + 1e-9, 0.25), key=score)
    # The last step needs more pixels: at 600 px a tenth of a degree is one pixel of drift,
    # and a table's rules must come out level to a few pixels over 2000.
    score = scorer(ink_at(1600))
    best = max(np.arange(best - 0.3, best + 0.3 + 1e-9, 0.05), key=score)
    return float(round(best, 2))


def rotate(image: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate about the centre, same size, white border.  Returns (image, matrix)."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    if abs(angle) < 0.05:
        return image, m
    out = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=255)
    return out, m


def background(grey: np.ndarray) -> np.ndarray:
    """The paper's brightness under the print: a closing wider than any stroke, on a downscaled
    page (cheap), brought back to full size."""
    h, w = grey.shape[:2]
    scale = min(1.0, 400 / max(h, w))
    small = cv2.resize(grey, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    k = max(3, int(round(max(small.shape) / 40)) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    bg = cv2.GaussianBlur(bg, (k, k), 0)
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)


def flatten_illumination(grey: np.ndarray, *, spread: int = 30) -> np.ndarray:
    """A phone photo lit from one side: paper from light grey to dark grey across the page.
    Dividing by the paper's own brightness makes it white everywhere; a page whose paper is
    already even (a scan: 5th to 95th percentile within `spread` levels) is returned as it is."""
    bg = background(grey)
    lo, hi = np.percentile(bg, (5, 95))
    if hi - lo < spread:
        return grey
    flat = grey.astype(np.float32) / np.maximum(bg.astype(np.float32), 1.0) * 255.0
    return np.clip(flat, 0, 255).astype(np.uint8)


def prepare_page(image: np.ndarray, *, deskew: bool = True, remove_ink: bool = True) -> Prepared:
    """The whole clean-up for one page image (RGB or grey uint8)."""
    rgb = to_rgb(image)
    if remove_ink:
        grey, removed = remove_colour_ink(rgb)
    else:
        grey, removed = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), 0.0
    angle = estimate_skew(grey) if deskew else 0.0
    grey, m = rotate(grey, angle)
    return Prepared(image=grey, angle=angle, matrix=m, ink_removed=removed)


def rotation_angle_deg(m: np.ndarray) -> float:
    return math.degrees(math.atan2(-m[0, 1], m[0, 0]))
