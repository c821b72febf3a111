"""Register commands: export, status, edit, history, reextract, graph, show, documents.

Quick path: nothing heavy at import time (no Prefect, spaCy, OCR); models are imported inside
each command.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def export(
    format: str = typer.Option("json", "--format", "-f", help="json (register-export/1), csv or xlsx."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (default: stdout; outputs/register.xlsx for xlsx)."),
    include_versions: bool = typer.Option(False, "--include-versions", help="Also list re-scans stored as versions."),
    include_failed: bool = typer.Option(False, "--include-failed", help="Also list documents that failed to read."),
) -> None:
    """Export the register: JSON in the register-export/1 format, or a flat table of obligations."""
    from models.db import RegisterError
    from models.export import export_to
    from models.register import open_session

    fmt = format.lower()
    if fmt not in ("json", "csv", "xlsx"):
        _fail(f"unknown format {format!r}: use json, csv or xlsx", 2)
    try:
        with open_session() as session:
            path = export_to(session, fmt=fmt, output=output, include_versions=include_versions,
                             include_failed=include_failed)
    except (RegisterError, OSError) as exc:
        _fail(str(exc))
    if path is not None:
        typer.echo(f"wrote {path}", err=True)
