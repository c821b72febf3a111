"""Staff commands: search, owes, summary, serve.

`search` and `owes` are on the quick path (≤ 0.5 s): only SQLAlchemy, rich and the register
modules are imported; report libraries load only for the format asked, the web stack only
for `serve`.
"""
from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from app.commands import fail as _fail, settings as _settings


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("owes")(owes)
    app.command("summary")(summary)
    app.command("report")(report)
    app.command("serve")(serve)


def parse_date(value: Optional[str], option: str) -> Optional[dt.date]:
    """YYYY-MM-DD or dd/mm/yyyy (as staff write it), years 1900–2999: else one line, exit 2."""
    from models.dates import parse_day

    try:
        return parse_day(value)
    except ValueError as exc:
        _fail(f"{option} {exc}", 2)


STATUSES = ("open", "in_progress", "done", "cancelled")   # models.tables.STATUSES, without importing SQLModel


@contextmanager
def _session(url: str):
    """A read session on the register.  A SQLite register at the current schema is read
    through the standard sqlite3 module (models.db.LightSession: the same SQL, no SQLAlchemy
    import, ~0.3 s saved per command); anything else (PostgreSQL, a new or older register to
    create or upgrade) goes through SQLAlchemy.  SQLModel is never imported here."""
    from models.db import light_session

    light = light_session(url)
    if light is not None:
        with light:
            yield light
        return
    from sqlalchemy.orm import Session

    from models.db import init_db

    with Session(init_db(url)) as session:
        yield session


def _statuses(value: Optional[str]) -> Optional[list[str]]:
    if not value or value == "all":
        return None
    out = [s.strip() for s in value.split(",") if s.strip()]
    bad = [s for s in out if s not in STATUSES]
    if bad:
        _fail(f"không có tình trạng {bad[0]!r}: hãy dùng {', '.join(STATUSES)} hoặc all", 2)
    return out


def _console():
    from rich.console import Console

    return Console()


def search(
    ctx: typer.Context,
    query: str = typer.Argument("", help="Words to find; diacritics optional (`dinh danh` finds `định danh`)."),
    unit: Optional[str] = typer.Option(None, "--unit", "-u", help="Lead or support unit (a district also matches its group)."),
    role: str = typer.Option("any", "--role", help="any, lead or support (with --unit)."),
    document: Optional[str] = typer.Option(None, "--document", "-d", help="Document id, number (45/KH-UBND) or file name."),
    type_: Optional[str] = typer.Option(None, "--type", "-t", help="Document type, e.g. 'Kế hoạch'."),
    programme: Optional[str] = typer.Option(None, "--programme", "-p", help="Everything under a directive, e.g. 06/QĐ-TTg."),
    due_from: Optional[str] = typer.Option(None, "--from", help="Due on or after (YYYY-MM-DD or dd/mm/yyyy)."),
    due_to: Optional[str] = typer.Option(None, "--to", help="Due on or before."),
    status: Optional[str] = typer.Option(None, "--status", "-s", help="open, in_progress, done, cancelled (comma list)."),
    overdue: bool = typer.Option(False, "--overdue", help="Only overdue tasks."),
    flag: list[str] = typer.Option([], "--flag", help="Only tasks with this extraction flag (repeatable)."),
    limit: int = typer.Option(50, "--limit", "-n", help="At most this many results."),
    sort: str = typer.Option("auto", "--sort", help="auto (best match; without words, by due date) or "
                             "confidence (least certain extraction first, to review)."),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts."),
    documents: bool = typer.Option(False, "--documents", help="Search documents (number, title, issuer) instead."),
) -> None:
    """Search the register's obligations (or documents) with filters."""
    from models.db import RegisterError
    from models.search import SORTS, search as do_search, search_documents

    if sort not in SORTS:
        _fail(f"không có cách xếp --sort {sort!r}: hãy dùng {' hoặc '.join(SORTS)}", 2)
    try:
        with _session(_settings(ctx).db) as session:
            if documents:
                hits = search_documents(session, query=query, limit=limit)
                if as_json:
                    typer.echo(json.dumps([{**h.__dict__, "issued_on": h.issued_on.isoformat() if h.issued_on else None}
                                           for h in hits], ensure_ascii=False, indent=1))
                    return
                _print_documents(hits)
                return
            result = do_search(session, query=query, unit=unit, role=role, document=document, type=type_,
                               programme=programme, due_from=parse_date(due_from, "--from"),
                               due_to=parse_date(due_to, "--to"), status=_statuses(status), overdue=overdue,
                               flags=flag or None, limit=limit, sort=sort)
            unknown_unit = _unknown_unit_line(session, unit, query) if unit and not result.units else ""
    except RegisterError as exc:
        _fail(str(exc))
    if unknown_unit:
        typer.echo(unknown_unit, err=True)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return
    _print_hits(result, confidence=sort == "confidence")


def _unknown_unit_line(session, unit: str, query: str) -> str:
    """In Vietnamese: --unit matched no department of the register, and what to type instead."""
    import shlex

    from models.departments import suggest

    names = suggest(session, unit)
    words = f"{shlex.quote(query)} " if query else ""
    if names:
        return (f"Không tìm thấy đơn vị «{unit}» trong sổ. Có phải: "
                + "; ".join(f'chidao search {words}--unit "{n}"' for n in names))
    return f"Không tìm thấy đơn vị «{unit}» trong sổ. Xem các đơn vị có nhiệm vụ: chidao summary"


def _print_documents(hits) -> None:
    from rich.table import Table

    t = Table(title=f"{len(hits)} văn bản", show_lines=False)
    for c in ("Số", "Loại", "Trích yếu", "Ngày", "Nhiệm vụ", "id"):
        t.add_column(c)
    for h in hits:
        t.add_row(h.number or "", h.type or "", h.title or h.source_file,
                  h.issued_on.strftime("%d/%m/%Y") if h.issued_on else "", str(h.obligations), h.id)
    _console().print(t)


def _print_hits(result, confidence: bool = False) -> None:
    """The hits as a table; CONFIDENCE: with a column of each one's confidence and reasons."""
    from rich.markup import escape
    from rich.table import Table

    from models.owes_rows import STATUS_LABELS, confidence_label, recurrence_label, vn_date

    shown = len(result.hits)
    total = f"hơn {result.total}" if result.more else str(result.total)
    title = f"{total} nhiệm vụ" + (f" (hiện {shown})" if shown < result.total else "")
    if result.units:
        title += " — đơn vị: " + "; ".join(result.units)
    t = Table(title=escape(title), show_lines=True)
    columns = [("#", {"justify": "right"}), ("Nhiệm vụ", {"ratio": 5}), ("Chủ trì / phối hợp", {"ratio": 2}),
               ("Thời hạn", {}), ("Tình trạng", {}), ("Văn bản", {}), ("id", {})]
    if confidence:
        columns.insert(1, ("Độ tin cậy", {"ratio": 2}))
    for c, kw in columns:
        t.add_column(c, **kw)
    for n, h in enumerate(result.hits, 1):
        units = "; ".join(h.lead_units) + (f"\n[dim]phối hợp: {escape('; '.join(h.support_units))}[/dim]" if h.support_units else "")
        when = recurrence_label(h.recurrence, h.day) if h.recurrence else (vn_date(h.due) or (h.deadline_raw or ""))
        if h.recurrence and h.next_due:
            when += f"\n(kỳ tới {vn_date(h.next_due)})"
        status = STATUS_LABELS.get(h.status, h.status)
        if h.overdue:
            status = f"[bold red]Quá hạn[/bold red]\n{status}"
        src = " ".join(x for x in (h.document_number or h.document_file, f"mục {h.ref}" if h.ref else "",
                                    f"tr. {h.page}" if h.page else "") if x)
        cells = [str(n), escape(h.text), escape(units) if not h.support_units else units, escape(when), status,
                 escape(src), h.obligation_id]
        if confidence:
            cells.insert(1, escape(confidence_label(h.confidence, h.confidence_reasons) or "chưa tính"))
        t.add_row(*cells)
    _console().print(t)


OWES_PAGE = 200      # tasks of one department shown on screen (models.owes.owes limit)


def owes(
    ctx: typer.Context,
    unit: Optional[str] = typer.Option(None, "--unit", "-u", help="One department, as printed, abbreviated (UBND các huyện), "
                                       "by a position (Giám đốc Công an tỉnh) or an old name; default: every department, one list each."),
    date_from: Optional[str] = typer.Option(None, "--from", help="Due on or after (YYYY-MM-DD or dd/mm/yyyy)."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Due on or before."),
    status: str = typer.Option("open", "--status", "-s", help="open (not finished), in_progress, done, cancelled or all."),
    role: str = typer.Option("any", "--role", help="any, lead or support."),
    programme: Optional[str] = typer.Option(None, "--programme", "-p", help="Only tasks under this directive, e.g. 06/QĐ-TTg."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, html, xlsx, pdf, ics or json."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (default: outputs/nhiem-vu-...)."),
    limit: int = typer.Option(OWES_PAGE, "--limit", help="With --unit, on screen: the tasks shown, the next ones with "
                              "--offset (0: all). Files always hold the whole list."),
    offset: int = typer.Option(0, "--offset", help="With --unit, on screen: skip this many tasks of the list."),
) -> None:
    """Who owes what by when: per department, open tasks in due order, overdue first; tasks that
    name no department are listed apart as "Chưa rõ đơn vị"."""
    from app.reports import FORMATS, default_path, write
    from models.db import RegisterError
    from models.owes import owes as do_owes

    fmt = fmt.lower()
    if fmt not in FORMATS:
        _fail(f"không có định dạng {fmt!r}: hãy dùng {', '.join(FORMATS)}", 2)
    if unit is not None and not unit.strip():
        _fail("--unit để trống: hãy ghi tên đơn vị, ví dụ --unit \"Công an tỉnh\"", 2)
    if limit < 0 or offset < 0:
        _fail("--limit và --offset là số không âm (--limit 0: cả danh sách)", 2)
    page = {"limit": limit, "offset": offset} if unit and fmt == "table" and limit else {}
    try:
        with _session(_settings(ctx).db) as session:
            groups = do_owes(session, unit=unit, date_from=parse_date(date_from, "--from"),
                             date_to=parse_date(date_to, "--to"), status=_statuses(status), role=role,
                             programme=programme, **page)
    except RegisterError as exc:
        _fail(str(exc))
    if unit:
        _say_which(unit, groups[0], filtered=bool(date_from or date_to or programme))
        if not groups[0].found:
            raise typer.Exit(1)
    if fmt == "table":
        _print_owes(groups)
        if unit and groups[0].partial:
            _say_more(unit, groups[0], limit)
        return
    path = output or default_path(fmt, unit)
    title = f"DANH MỤC NHIỆM VỤ — {groups[0].label}" if unit and groups else "DANH MỤC NHIỆM VỤ ĐƯỢC GIAO"
    try:
        write(groups, fmt, path, title=title, settings=_settings(ctx))
    except OSError as exc:
        _fail(f"{path}: {exc.strerror or exc}")
    typer.echo(f"đã ghi {path} ({sum(len(g.items) for g in groups)} nhiệm vụ, {len(groups)} danh sách)", err=True)
    if fmt == "ics":
        from app.reports import calendar_counts

        dated, undated = calendar_counts(groups)
        typer.echo(f"lịch: {dated} nhiệm vụ có ngày (mỗi nhiệm vụ một sự kiện, nhắc trước 7 ngày và 1 ngày)"
                   + (f"; {undated} nhiệm vụ không có ngày (thường xuyên, hoặc thời hạn không quy ra ngày), "
                      "không đưa vào lịch" if undated else ""), err=True)


def _say_more(asked: str, group, limit: int) -> None:
    """Under a page of a department's list: which tasks it shows of how many, how to see the rest."""
    first, last = group.offset + 1, group.offset + len(group.items)
    shown = f"Hiện nhiệm vụ {first}–{last} trong {group.total}" if group.items else \
        f"Không còn nhiệm vụ sau thứ {group.offset} (danh sách có {group.total})"
    more = [f'xem tiếp: chidao owes --unit "{asked}" --offset {last} --limit {limit}'] if last < group.total else []
    more += ["cả danh sách: --limit 0, hoặc ra tệp: --format xlsx"]
    typer.echo(f"{shown}; " + "; ".join(more), err=True)


def _say_which(asked: str, group, *, filtered: bool) -> None:
    """On stderr, in Vietnamese: which department --unit means, or what to type instead."""
    if group.note:
        typer.echo(group.note, err=True)
    if group.size:
        return
    if group.suggestions:
        typer.echo(f"Không tìm thấy đơn vị «{asked}» trong sổ. Có phải: "
                   + "; ".join(f'chidao owes --unit "{s}"' for s in group.suggestions), err=True)
    elif not group.found:
        typer.echo(f"Không tìm thấy đơn vị «{asked}» trong sổ. Xem tên các đơn vị có nhiệm vụ: chidao summary",
                   err=True)
    elif filtered:
        typer.echo(f"{group.label}: không có nhiệm vụ nào với các điều kiện lọc này", err=True)
    else:
        typer.echo(f"{group.label}: không có nhiệm vụ nào. Xem các đơn vị có nhiệm vụ: chidao summary", err=True)


def _print_owes(groups) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    if not groups:
        console.print("Không có nhiệm vụ nào.")
    for g in groups:
        t = Table(title=escape(f"{g.label} — {g.count_label}"), show_lines=True,
                  title_justify="left")
        for c, kw in (("STT", {"justify": "right"}), ("Nội dung nhiệm vụ", {"ratio": 5}), ("Vai trò", {}),
                      ("Thời hạn", {}), ("Tình trạng", {}), ("Văn bản giao", {"ratio": 2})):
            t.add_column(c, **kw)
        for n, i in enumerate(g.items, g.offset + 1):
            role = {"lead": "Chủ trì", "support": "Phối hợp"}.get(i.role, i.role)
            if i.via_group:
                role += f"\n[dim](qua {escape(i.via_group)})[/dim]"
            status = f"[bold red]{escape(i.status_label)}[/bold red]" if i.overdue else escape(i.status_label)
            t.add_row(str(n), escape(i.text), role, escape(i.deadline_label), status, escape(i.source_label))
        console.print(t)


def summary(
    ctx: typer.Context,
    days: int = typer.Option(30, "--days", help="'Due soon' window in days."),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts."),
) -> None:
    """Per department: open, done, overdue, due in the next 30 days; then the tasks no department owes."""
    from models.owes import summary as do_summary

    with _session(_settings(ctx).db) as session:
        rows = do_summary(session, days=days)
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1))
        return
    from rich.markup import escape
    from rich.table import Table

    t = Table(title="Tổng hợp theo đơn vị")
    for c in ("Đơn vị", "Chưa xong", "Đã xong", "Quá hạn", f"Đến hạn {days} ngày tới", "Thêm, qua nhóm"):
        t.add_column(c, justify="left" if c == "Đơn vị" else "right")
    for r in rows:
        t.add_row(escape(r.label), str(r.open), str(r.done), f"[red]{r.overdue}[/red]" if r.overdue else "0",
                  str(r.due_soon), str(r.via_groups) if r.via_groups else "")
    _console().print(t)
    typer.echo("Chưa xong, Quá hạn: nhiệm vụ giao trực tiếp cho đơn vị. Thêm, qua nhóm: nhiệm vụ chưa xong giao cho "
               "nhóm có đơn vị (như «Các sở, ban, ngành»); danh sách đủ: chidao owes --unit \"TÊN ĐƠN VỊ\"")


def report(
    ctx: typer.Context,
    outdir: Path = typer.Option(Path("outputs"), "--outdir", help="Folder the XLSX and PDF lists go to."),
    top: int = typer.Option(15, "--top", help="Departments shown on screen (most overdue first); the files hold all."),
) -> None:
    """The main job's end: a short summary on screen (per department: open, overdue, next due)
    and every department's full list written to OUTDIR as XLSX and PDF, saying where."""
    from app.reports import default_path, write
    from models.db import RegisterError
    from models.owes import owes as do_owes

    try:
        with _session(_settings(ctx).db) as session:
            groups = do_owes(session)
    except RegisterError as exc:
        _fail(str(exc))
    _print_brief(groups, top)
    paths = []
    for fmt in ("xlsx", "pdf"):
        path = default_path(fmt, None, outdir=outdir)
        try:
            paths.append(write(groups, fmt, path, title="DANH MỤC NHIỆM VỤ ĐƯỢC GIAO", settings=_settings(ctx)))
        except OSError as exc:
            _fail(f"{path}: {exc.strerror or exc}")
    typer.echo(f"Danh sách đầy đủ của từng đơn vị: {paths[0]} (Excel, mỗi đơn vị một trang tính) và {paths[1]} (PDF, "
               "có mục lục). Một đơn vị: chidao owes --unit \"TÊN ĐƠN VỊ\"")


def _print_brief(groups, top: int) -> None:
    """One row per department: open, overdue, next due; the first TOP, then how many more."""
    from rich.markup import escape
    from rich.table import Table

    from models.owes_rows import vn_date

    total = sum(len(g.items) for g in groups)
    late = sum(g.overdue for g in groups)
    t = Table(title=f"Nhiệm vụ chưa xong: {total} ({late} quá hạn), {len(groups)} danh sách", title_justify="left")
    for c in ("Đơn vị", "Chưa xong", "Quá hạn", "Hạn gần nhất"):
        t.add_column(c, justify="left" if c == "Đơn vị" else "right")
    for g in groups[:top]:
        upcoming = [i.next_due or i.due for i in g.items if not i.overdue and (i.next_due or i.due)]
        t.add_row(escape(g.label), str(len(g.items)), f"[red]{g.overdue}[/red]" if g.overdue else "0",
                  vn_date(min(upcoming)) if upcoming else "")
    _console().print(t)
    if len(groups) > top:
        typer.echo(f"… và {len(groups) - top} danh sách khác (trong các tệp dưới đây; tổng hợp: chidao summary)")


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (another address requires CHIDAO_TOKEN)."),
    port: int = typer.Option(8000, "--port", help="Port."),
    intake: Optional[Path] = typer.Option(None, "--intake", help="Folder uploads go to (default: $CHIDAO_INTAKE or ./intake)."),
    no_watch: bool = typer.Option(False, "--no-watch", help="Do not read the intake folder here (a `chidao watch` "
                                  "elsewhere reads it); by default uploads, and files already waiting, are read at once."),
) -> None:
    """The web page for staff: search, review, obligations, documents, per-unit lists, uploads and the intake."""
    import uvicorn

    from app.web.main import create_app

    try:
        web = create_app(host=host, settings=_settings(ctx), intake=intake, read_uploads=not no_watch)
    except ValueError as exc:
        _fail(str(exc), 2)
    reader = web.state.site.reader
    if reader is not None and reader.folders.intake.is_dir():
        reader.kick()            # what waits in the folder since the last run (or was left in processing/)
    typer.echo(f"chidao: http://{host}:{port}/", err=True)
    uvicorn.run(web, host=host, port=port, log_level="warning")
