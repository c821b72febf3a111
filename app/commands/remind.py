"""`chidao remind` and `chidao unit email`: reminders by e-mail to each department.

    chidao unit email "Công an tỉnh" congan@example.gov.vn     # one address
    chidao unit email --import docs/unit_emails.example.csv     # the office's list (CSV: unit,email)
    chidao unit email                                           # the addresses the register holds
    chidao remind [--today 2026-12-07] [--days 7,3,1] [--dry-run]
    chidao remind --schedule "0 7 * * 1-5"                      # a Prefect deployment, daily

Exit codes of `chidao remind`: 0 every reminder went out (or there was none); 1 a department has
no address or the mail server refused a message (each named on stderr with what to do); 2 a
setting or an option is wrong.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Optional

import typer

from app.commands import fail as _fail, settings as _settings

unit_app = typer.Typer(help="The departments' addresses for reminders.", no_args_is_help=False)


def register(app: typer.Typer) -> None:
    app.command("remind")(remind)
    app.add_typer(unit_app, name="unit")


def _days(text: str) -> tuple[int, ...]:
    try:
        days = tuple(sorted({int(x) for x in text.split(",") if x.strip()}, reverse=True))
    except ValueError:
        days = ()
    if not days or min(days) < 0:
        _fail(f"--days {text}: cần các số ngày cách nhau bởi dấu phẩy, ví dụ: --days 7,3,1", 2)
    return days


def remind(
    ctx: typer.Context,
    today: Optional[str] = typer.Option(None, "--today", help="The day to reason from, YYYY-MM-DD (default: today)."),
    days: str = typer.Option("7,3,1", "--days", help="Remind this many days before a deadline (comma-separated)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the e-mails that would be sent; send and log nothing."),
    schedule: Optional[str] = typer.Option(None, "--schedule", help="Serve a Prefect deployment that runs this every "
                                           "day on that cron schedule (e.g. \"0 7 * * 1-5\"); needs PREFECT_API_URL."),
    timezone: str = typer.Option("Asia/Ho_Chi_Minh", "--timezone", help="The schedule's time zone."),
) -> None:
    """E-mail each department its tasks due within 7, 3 and 1 days and its overdue tasks, in
    Vietnamese with its list attached (XLSX); each reminder once."""
    settings = _settings(ctx)
    windows = _days(days)
    if schedule:
        if not settings.prefect_api_url:
            _fail("--schedule cần máy chủ Prefect: export PREFECT_API_URL=http://MAY-CHU:4200/api rồi chạy lại "
                  "(hoặc dùng cron: 0 7 * * 1-5 chidao remind)", 2)
        from flows.remind import serve_daily

        serve_daily(schedule, timezone=timezone, days=",".join(map(str, windows)),
                    db_url=settings.db if settings.given("db") else None)
        return
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        _fail(f"--today {today}: ngày phải viết YYYY-MM-DD, ví dụ: --today 2026-12-07", 2)
    from app.remind import run_reminders

    try:
        report = run_reminders(settings, today=day, windows=windows, dry_run=dry_run)
    except (ValueError, OSError) as exc:
        _fail(str(exc), 2 if isinstance(exc, ValueError) else 1)
    if dry_run:
        for msg in report.previews:
            typer.echo(f"--- sẽ gửi tới {msg['To']}\nTiêu đề: {msg['Subject']}\n")
            typer.echo(msg.get_body(("plain",)).get_content())
            for part in msg.iter_attachments():
                typer.echo(f"Đính kèm: {part.get_filename()}")
        if not report.previews and not report.no_address:
            typer.echo(f"không có nhắc việc nào cần gửi ngày {day.isoformat()}")
        for line in report.lines()[len(report.sent):]:
            typer.echo(line, err=True)
        return
    for line in report.lines():
        typer.echo(line, err=line.startswith(("chưa có", "gửi không")))
    if not report.sent and not report.no_address and not report.failed:
        typer.echo(f"không có nhắc việc mới ngày {day.isoformat()} (đã gửi hết, hoặc không có việc sắp đến hạn)")
    raise typer.Exit(1 if report.no_address or report.failed else 0)


def _read_rows(path: Path) -> list[tuple[str, str]]:
    """(unit, email) rows of a CSV (header unit,email) or JSONL ({"unit": …, "email": …}) file."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".json"):
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        return [(str(r.get("unit", "")), str(r.get("email", ""))) for r in rows]
    return [(r.get("unit", "") or "", r.get("email", "") or "") for r in csv.DictReader(text.splitlines())]


@unit_app.command("email")
def unit_email(
    ctx: typer.Context,
    unit: Optional[str] = typer.Argument(None, help="The department (a printed name, an abbreviation, a position)."),
    email: Optional[str] = typer.Argument(None, help="Its address."),
    import_file: Optional[Path] = typer.Option(None, "--import", help="A CSV (unit,email) or JSONL file of addresses."),
) -> None:
    """Set a department's address for reminders, import the office's list, or list them."""
    from models.register import open_session
    from models.reminders import set_unit_email, unit_emails

    settings = _settings(ctx)
    if import_file is not None:
        if not import_file.is_file():
            _fail(f"{import_file}: không có tệp này", 2)
        rows, bad = _read_rows(import_file), []
        with open_session(settings.db) as session:
            for n, (u, e) in enumerate(rows, 2 if import_file.suffix.lower() == ".csv" else 1):
                try:
                    dep = set_unit_email(session, u, e)
                    typer.echo(f"{dep}: {e.strip()}")
                except ValueError as exc:
                    bad.append(f"{import_file}:{n}: {exc}")
        for line in bad:
            typer.echo(line, err=True)
        raise typer.Exit(1 if bad else 0)
    if unit and email:
        with open_session(settings.db) as session:
            try:
                dep = set_unit_email(session, unit, email)
            except ValueError as exc:
                _fail(str(exc), 2)
        typer.echo(f"{dep}: {email.strip()}" + (f"  (“{unit}” là {dep})" if dep != unit.strip() else ""))
        return
    if unit or email:
        _fail("cần cả tên đơn vị và địa chỉ, ví dụ: chidao unit email \"Công an tỉnh\" congan@example.gov.vn", 2)
    with open_session(settings.db) as session:
        for dep, addr in sorted(unit_emails(session).items()):
            typer.echo(f"{dep}: {addr}")
