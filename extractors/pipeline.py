"""The whole extraction for one file, as plain function calls (flows wrap each step)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extractors.types import Directive, Document, Extraction


@dataclass
class Processed:
    document: Document
    directive: Directive
    extraction: Extraction


def process_file(path: str | Path, programmes: list[dict] | None = None, **read_options) -> Processed:
    """PROGRAMMES: programmes known from elsewhere (the register's learned_programmes) for
    parse_directive."""
    from extractors.obligations import extract_obligations
    from extractors.reading import read_document
    from extractors.structure import parse_directive

    document = read_document(path, **read_options)
    directive = parse_directive(document, programmes=programmes)
    extraction = extract_obligations(directive)
    return Processed(document, directive, extraction)
