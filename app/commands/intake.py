"""`chidao ingest`: files -> extractors -> register (in-process; flows add Prefect and the watcher)."""
from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)


def ingest(
    files: list[Path] = typer.Argument(..., help="PDF, image or DOCX files, or folders to take recursively."),
) -> None:
    """Read, structure and extract FILES and store them in the register."""
    from extractors.pipeline import process_file
    from models.register import ingest_processed, open_session

    failures = 0
    with open_session() as session:
        for path in files:
            processed = process_file(path)
            outcome = ingest_processed(session, processed)
            typer.echo(f"{path.name}: {outcome}")
    raise typer.Exit(1 if failures else 0)
