"""The `chidao` command.  Thin: every command calls functions in extractors/, models/ or flows/.

Quick commands (search, owes, export) must stay light: import heavy modules (Prefect, spaCy,
OCR) inside the command that needs them, never at the top of a module imported here.
"""
from __future__ import annotations

import os
from typing import Optional

import typer

app = typer.Typer(
    name="chidao",
    help="Vietnamese directives -> obligation register: who owes what by when.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(
    db: Optional[str] = typer.Option(
        None, "--db", help="Register location as a SQLAlchemy URL (default: $CHIDAO_DB, else sqlite:///chidao.db)."
    ),
) -> None:
    if db:
        os.environ["CHIDAO_DB"] = db


def _register_commands() -> None:
    from app.commands import intake, reading, register, staff

    for module in (reading, intake, register, staff):
        module.register(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
