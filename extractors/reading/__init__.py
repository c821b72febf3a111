"""Reading any directive file into one typed Document (text layer, OCR, tables)."""
from __future__ import annotations

from pathlib import Path

from extractors.types import Document


def read_document(path: str | Path, **options) -> Document:  # replaced by the reading stage
    raise NotImplementedError
