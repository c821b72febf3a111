"""The `chidao` command.  Thin: every command calls functions in extractors/, models/ or flows/.

Quick commands (search, owes, export) must stay light: import heavy modules (Prefect, spaCy,
OCR) inside the command that needs them, never at the top of a module imported here.

The settings (flows/settings.py) are read once, here, and handed to the command as its
context's `obj`; `--db` is one of their overrides.  The quick commands get only the register
URL, read without pydantic (see flows/settings.py).
"""
from __future__ import annotations

from typing import Optional

import typer

app = typer.Typer(
    name="chidao",
    help="Vietnamese directives -> obligation register: who owes what by when.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# Commands that need at most the register URL: their settings are read without pydantic.
QUICK_COMMANDS = {"search", "owes", "summary", "failed", "retry"}


@app.callback()
def _main(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(
        None, "--db", help="Register location as a SQLAlchemy URL (default: $CHIDAO_DB, else sqlite:///chidao.db)."
    ),
) -> None:
    from flows.settings import SettingsError, load_settings, quick_settings

    if ctx.invoked_subcommand in QUICK_COMMANDS:
        ctx.obj = quick_settings(db=db)
        return
    try:
        ctx.obj = load_settings(db=db)
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)


def _register_commands() -> None:
    from app.commands import intake, reading, register, remind, staff

    for module in (reading, intake, register, staff, remind):
        module.register(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
