"""Document -> Directive: header metadata, section tree, citations, programme."""
from __future__ import annotations

from extractors.types import Directive, Document


def parse_directive(document: Document) -> Directive:  # replaced by the structure stage
    return Directive(document=document)
