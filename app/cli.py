"""The `chidao` command.  Thin: every command calls functions in extractors/, models/ or flows/.

Quick commands (search, owes, export) must stay light: import heavy modules (Prefect, spaCy,
OCR) inside the command that needs them, never at the top of a module imported here.

The settings (flows/settings.py) are read once, here, and handed to the command as its
context's `obj`; `--db` is one of their overrides.  The quick commands get only the register
URL, read without pydantic (see flows/settings.py).
"""
from __future__ import annotations

import sys
from pathlib import Path
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
_RUN: dict[str, str] = {}     # the register URL this run uses, for the unreachable-register line


@app.callback()
def _main(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(
        None, "--db", help="Register location as a SQLAlchemy URL (default: $CHIDAO_DB, else sqlite:///chidao.db)."
    ),
) -> None:
    from flows.settings import SettingsError, load_settings, quick_settings

    if db and missing_folder(db):
        typer.echo(f"--db {db}: thư mục {missing_folder(db)} không có; chidao không tự tạo thư mục cho sổ. "
                   f"Hãy sửa đường dẫn, hoặc tạo thư mục trước: mkdir -p {missing_folder(db)}", err=True)
        raise typer.Exit(2)
    if ctx.invoked_subcommand in QUICK_COMMANDS:
        ctx.obj = quick_settings(db=db)
        _RUN["db"] = ctx.obj.db
        return
    try:
        ctx.obj = load_settings(db=db)
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    _RUN["db"] = ctx.obj.db


def missing_folder(url: str) -> Optional[Path]:
    """The folder a SQLite register URL names when it does not exist (a mistyped --db must not
    create folders and an empty register), else None."""
    if not url.startswith("sqlite") or ":///" not in url:
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    folder = Path(path).expanduser().parent
    return None if folder.is_dir() else folder


def unreachable(exc: BaseException, url: str) -> Optional[str]:
    """One Vietnamese line for a register that cannot be reached (its URL without the password),
    or None when EXC is something else."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    if not isinstance(exc, OperationalError) or not url or url.startswith("sqlite"):
        return None
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:
        shown = url.split("@")[-1]
    return (f"Không kết nối được sổ đăng ký {shown}: máy chủ PostgreSQL không trả lời hoặc từ chối đăng nhập. "
            "Hãy kiểm tra máy chủ đang chạy, địa chỉ và mật khẩu trong --db hoặc CHIDAO_DB, rồi chạy lại lệnh.")


def _register_commands() -> None:
    from app.commands import accounts, intake, reading, register, remind, review, staff

    for module in (reading, intake, register, review, staff, remind, accounts):
        module.register(app)


_register_commands()


def main() -> None:
    try:
        app()
    except Exception as exc:
        line = unreachable(exc, _RUN.get("db") or "") if "sqlalchemy" in sys.modules else None
        if line is None:
            raise
        typer.echo(line, err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
