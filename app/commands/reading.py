"""`chidao text FILE`: a file's text in reading order (or its typed model with --json).

The reader is imported inside the command: app/cli.py imports this module for every command."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("text")
    def text(
        file: Path = typer.Argument(..., help="PDF, DOCX or PNG/JPEG/TIFF scan."),
        as_json: bool = typer.Option(False, "--json", help="Print the typed Document model as JSON."),
        ocr: str = typer.Option("auto", "--ocr", help="auto (OCR pages whose text layer fails), always, never."),
        workers: Optional[int] = typer.Option(None, "--workers", help="OCR processes (default: all cores)."),
        max_pages: Optional[int] = typer.Option(None, "--max-pages", help="Read at most this many pages."),
    ) -> None:
        """Print FILE's text in reading order, pages separated by form feeds."""
        from extractors.reading import read_document

        if ocr not in ("auto", "always", "never"):
            typer.echo(f"{file}: --ocr must be auto, always or never", err=True)
            raise typer.Exit(2)
        doc = read_document(file, ocr=ocr, workers=workers, max_pages=max_pages)
        if as_json:
            sys.stdout.write(doc.model_dump_json(indent=1) + "\n")
        if doc.status == "failed":
            reason = doc.errors[0].message if doc.errors else "cannot be read"
            typer.echo(f"{file}: {reason}", err=True)
            raise typer.Exit(1)
        if not as_json:
            out = doc.text()
            sys.stdout.write(out + ("\n" if out and not out.endswith("\n") else ""))
        for e in doc.errors:
            where = f" (page {e.page})" if e.page else ""
            typer.echo(f"{file}: warning{where}: {e.message}", err=True)
