"""One Tesseract run on a grey page image, and its words grouped into lines.

Shared by the page OCR (ocr.py) and the table-cell OCR (scan_tables.py).
"""
from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
from dataclasses import dataclass

import cv2
import numpy as np
from pytesseract.pytesseract import file_to_dict

LANG = "vie"
# psm 3: full automatic layout (keeps the two-column header as two blocks, left first);
# oem 1: the LSTM recogniser (the only model in the packaged vie data).
TESS_CONFIG = "--psm 3 --oem 1"
# One OpenMP thread for each Tesseract child, and nothing else changed in its environment.
TESSERACT = ("env", "OMP_THREAD_LIMIT=1", "tesseract")


class OcrTimeout(Exception):
    pass


def run_tesseract(grey: np.ndarray, dpi: int, deadline: float, config: str = TESS_CONFIG,
                  lang: str = LANG) -> dict:
    """Tesseract's word table (pytesseract's image_to_data dict, same command line) for a uint8
    grey image, within the deadline (OcrTimeout otherwise)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise OcrTimeout()
    # A lossless, uncompressed temporary file: PNG encoding of a 300 dpi page costs more
    # than Tesseract's start-up.
    with tempfile.TemporaryDirectory(prefix="chidao-ocr-") as tmp:
        path, out = os.path.join(tmp, "page.bmp"), os.path.join(tmp, "page")
        cv2.imwrite(path, grey)
        cmd = [*TESSERACT, path, out, "-l", lang, "-c", "tessedit_create_tsv=1", *shlex.split(config), "--dpi", str(dpi)]
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=remaining)
        except subprocess.TimeoutExpired as exc:
            raise OcrTimeout() from exc
        if done.returncode:
            raise RuntimeError(f"tesseract failed ({done.returncode}): {done.stderr.decode(errors='replace').strip()[:300]}")
        with open(out + ".tsv", encoding="utf-8") as fh:
            return file_to_dict(fh.read(), "\t", -1)


@dataclass
class Line:
    text: str
    box: tuple[float, float, float, float]   # x0, y0, x1, y1 in the OCR'd image's pixels
    conf: float
    words: int
    key: tuple[int, int, int] = (0, 0, 0)    # tesseract's block, paragraph, line


def read_words(data: dict):
    """(index, word, confidence) of every word Tesseract read in its word table: empty cells and
    its layout rows (confidence -1, or none) left out."""
    for i, word in enumerate(data["text"]):
        if not word or not word.strip():
            continue
        try:
            conf = float(data["conf"][i])
        except (TypeError, ValueError):
            continue
        if conf >= 0:
            yield i, word.strip(), conf


def data_to_lines(data: dict, *, offset: tuple[float, float] = (0.0, 0.0), split: bool = True) -> list[Line]:
    """Group image_to_data words into lines, in Tesseract's reading order.

    A Tesseract line that jumps a wide gap (the two-column header: issuer left, motto right,
    on one baseline) is cut into one line per side, so that columns can be put in order.
    """
    groups: dict[tuple[int, int, int], list[int]] = {}
    order: list[tuple[int, int, int]] = []
    for i, _, _ in read_words(data):
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(i)
    ox, oy = offset
    lines = []
    for key in order:
        idx = sorted(groups[key], key=lambda i: data["left"][i])
        parts = [[idx[0]]]
        if split and len(idx) > 1:
            height = float(np.median([data["height"][i] for i in idx]))
            for prev, cur in zip(idx, idx[1:]):
                gap = data["left"][cur] - (data["left"][prev] + data["width"][prev])
                if gap > 2.5 * max(height, 8):
                    parts.append([])
                parts[-1].append(cur)
        else:
            parts = [idx]
        for part in parts:
            text = " ".join(data["text"][i].strip() for i in part)
            x0 = min(data["left"][i] for i in part) + ox
            y0 = min(data["top"][i] for i in part) + oy
            x1 = max(data["left"][i] + data["width"][i] for i in part) + ox
            y1 = max(data["top"][i] + data["height"][i] for i in part) + oy
            conf = sum(float(data["conf"][i]) for i in part) / len(part)
            lines.append(Line(text=text, box=(x0, y0, x1, y1), conf=conf, words=len(part), key=key))
    return lines
