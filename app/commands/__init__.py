"""CLI command modules; each has `register(app)`.  Shared helpers for them live here."""
from __future__ import annotations

import typer


def fail(message: str, code: int = 1) -> None:
    """One clear error line on stderr and a non-zero exit: no traceback for bad input."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def settings(ctx: typer.Context):
    """The settings the main callback read (flows/settings.py): `Settings`, or for the quick
    commands a `QuickSettings` holding only the register URL."""
    return ctx.find_root().obj
