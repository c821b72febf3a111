"""Directive -> Extraction: obligations with units, deadlines, targets, flags, provenance."""
from __future__ import annotations

from extractors.types import Directive, Extraction


def extract_obligations(directive: Directive) -> Extraction:  # replaced by the obligations stage
    return Extraction()
