"""`chidao user add NAME --role viewer|editor|admin [--unit U]...`: the web page's accounts
(models/accounts.py).  The password is asked twice (hidden), or read from stdin with
--password-stdin (for scripts)."""
from __future__ import annotations

import sys
from typing import Optional

import typer

from app.commands import fail as _fail, settings as _settings

user_app = typer.Typer(help="Accounts for the web page (chidao serve).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


@user_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The login name."),
    role: str = typer.Option(..., "--role", help="viewer (reads), editor (changes its units' tasks) or admin."),
    unit: Optional[list[str]] = typer.Option(None, "--unit", help="An editor's unit (repeat for several)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Add a user who logs in to the web page."""
    from models.db import RegisterError
    from models.register import open_session

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    try:
        with open_session(_settings(ctx).db) as session:
            from models.accounts import add_user

            user = add_user(session, name=name, role=role, password=password, units=unit or [])
    except RegisterError as exc:
        _fail(str(exc), 2)
    units = f", đơn vị: {'; '.join(user.units)}" if user.units else ""
    typer.echo(f"Đã thêm người dùng «{user.name}» ({user.role}{units}); đăng nhập tại trang chidao: /login")
