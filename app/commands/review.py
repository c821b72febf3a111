"""Review commands: the review queue, accepting an extraction, correcting a document's header,
and the corrections as gold-format examples (`chidao export --corrections`, models/corrections.py).

    chidao review [--flag F] [--unassigned] [--json]   obligations to look at, least certain first
    chidao accept ID                                    the extraction is right: it leaves the queue
    chidao edit-document ID --number N --date D --issuer I
"""
from __future__ import annotations

import json
from typing import Optional

import typer

from app.commands import fail as _fail
from app.commands.register import run_on_register, who_changes


def register(app: typer.Typer) -> None:
    app.command("review")(review)
    app.command("accept")(accept)
    app.command("edit-document")(edit_document)


def review(
    ctx: typer.Context,
    flag: Optional[str] = typer.Option(None, "--flag", help="Only this review flag: no-unit, unknown-unit, number-unread, "
                                       "deadline-before-document, duplicate, ocr-low, not-in-latest-extraction."),
    unassigned: bool = typer.Option(False, "--unassigned", help='Only tasks no department owes ("Chưa rõ đơn vị").'),
    document: Optional[str] = typer.Option(None, "--document", "-d", help="Only this document (id or number)."),
    limit: int = typer.Option(50, "--limit", "-n", help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts."),
) -> None:
    """Obligations to review, least certain extraction first, with their flags; accept with
    `chidao accept ID`, correct with `chidao edit ID ...`."""
    from models.queries import resolve_document_id
    from models.review import REVIEW_FLAGS, review_queue

    if flag is not None and flag not in REVIEW_FLAGS:
        _fail(f"unknown --flag {flag!r}: use one of {', '.join(REVIEW_FLAGS)}", 2)

    def go(session):
        did = resolve_document_id(session, id=document) if document else None
        return review_queue(session, flag=flag, unassigned=unassigned, document_id=did, limit=limit)

    queue = run_on_register(ctx, go)
    if as_json:
        typer.echo(json.dumps(queue.to_dict(), ensure_ascii=False, indent=1))
        return
    _print_queue(queue)


def _print_queue(queue) -> None:
    from rich.markup import escape
    from rich.table import Table

    from rich.console import Console

    from models.owes_rows import FLAG_LABELS, confidence_label

    shown = len(queue.items)
    t = Table(title=f"{queue.total} nhiệm vụ cần rà soát" + (f" (hiện {shown})" if shown < queue.total else ""),
              show_lines=True)
    for c, kw in (("#", {"justify": "right"}), ("Nhiệm vụ", {"ratio": 5}), ("Chủ trì", {"ratio": 2}),
                  ("Thời hạn", {}), ("Cần xem", {"ratio": 2}), ("Văn bản", {}), ("id", {"no_wrap": True})):
        t.add_column(c, **kw)
    for n, it in enumerate(queue.items, 1):
        o, d = it.obligation, it.document
        flags = [FLAG_LABELS.get(f, f) for f in it.flags] + (["Chưa rõ đơn vị"] if it.unassigned and "no-unit" not in it.flags else [])
        conf = confidence_label(o.confidence, o.confidence_reasons) or "độ tin cậy chưa tính"
        src = " ".join(x for x in (d.number or d.source_file, f"mục {o.ref}" if o.ref else "",
                                    f"tr. {o.page}" if o.page else "") if x)
        t.add_row(str(n), escape(o.text), escape("; ".join(o.lead_units or []) or "—"),
                  escape(o.deadline_raw or (o.deadline_due.strftime("%d/%m/%Y") if o.deadline_due else "—")),
                  escape("; ".join([*flags, conf])), escape(src), o.id)
    Console(highlight=False).print(t)
    if queue.items:
        typer.echo(f"Đúng: chidao accept {queue.items[0].obligation.id}   Sửa: chidao edit "
                   f"{queue.items[0].obligation.id} --lead \"...\"", err=True)


def accept(
    ctx: typer.Context,
    id: str = typer.Argument(..., help="Obligation id (or a unique prefix)."),
    note: Optional[str] = typer.Option(None, "--note", "-n", help="Why, if anything to say."),
    who: Optional[str] = typer.Option(None, "--who", help="Who reviewed it."),
) -> None:
    """The extraction of an obligation is right: it leaves the review queue (recorded in its history)."""
    from models.queries import accept_obligation

    def go(session):
        ob = accept_obligation(session, obligation_id=id, who=who_changes(ctx, who), note=note)
        typer.echo(f"{ob.id}: accepted")

    run_on_register(ctx, go)


def edit_document(
    ctx: typer.Context,
    id: str = typer.Argument(..., help="Document id (or a unique prefix), or its number."),
    number: Optional[str] = typer.Option(None, "--number", help="Số, ký hiệu (45/KH-UBND)."),
    date: Optional[str] = typer.Option(None, "--date", help="Ngày ban hành, YYYY-MM-DD or dd/mm/yyyy."),
    issuer: Optional[str] = typer.Option(None, "--issuer", help="Cơ quan ban hành."),
    clear: Optional[list[str]] = typer.Option(None, "--clear", help="Field to empty: number, issued_on or issuer."),
    note: Optional[str] = typer.Option(None, "--note", "-n", help="Why the correction."),
    who: Optional[str] = typer.Option(None, "--who", help="Who makes the change."),
) -> None:
    """Correct a document's header (number, date, issuer); corrected fields survive re-extraction."""
    from models.queries import edit_document as do_edit

    def go(session):
        doc = do_edit(session, document_id=id, number=number, issued_on=date, issuer=issuer,
                      clear=tuple(clear or ()), note=note, who=who_changes(ctx, who))
        typer.echo(f"{doc.id}: corrected {', '.join(doc.corrected_fields) or 'nothing'}")

    run_on_register(ctx, go)
