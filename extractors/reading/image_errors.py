"""What Pillow raises for a broken or hostile image file: bad input, not a defect of ours.

Shared by the image check (images.py) and the OCR of image frames (ocr.py).
"""
from __future__ import annotations

import struct

from PIL import Image


def pillow_errors() -> tuple[type[BaseException], ...]:
    return (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, Image.DecompressionBombError)
