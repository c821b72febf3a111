"""Register commands: export, status, edit, history, reextract, graph, show, documents.

Quick path: nothing heavy at import time (no Prefect, spaCy, OCR); models are imported inside
each command, because app/cli.py imports every command module whatever the command run.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Optional

import typer

from app.commands import fail as _fail, settings as _settings


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("status")(status)
    app.command("edit")(edit)
    app.command("history")(history)
    app.command("show")(show)
    app.command("documents")(documents)
    app.command("reextract")(reextract)
    app.command("graph")(graph)


def export(
    ctx: typer.Context,
    format: str = typer.Option("json", "--format", "-f", help="json (register-export/1), csv or xlsx."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (default: stdout; outputs/register.xlsx for xlsx)."),
    include_versions: bool = typer.Option(False, "--include-versions", help="Also list re-scans stored as versions."),
    include_failed: bool = typer.Option(False, "--include-failed", help="Also list documents that are bad input or errors."),
) -> None:
    """Export the register: JSON in the register-export/1 format, or a flat table of obligations."""
    from models.db import RegisterError
    from models.export import export_to
    from models.register import open_session

    fmt = format.lower()
    if fmt not in ("json", "csv", "xlsx"):
        _fail(f"unknown format {format!r}: use json, csv or xlsx", 2)
    try:
        with open_session(_settings(ctx).db) as session:
            path = export_to(session, fmt=fmt, output=output, include_versions=include_versions,
                             include_failed=include_failed)
    except (RegisterError, OSError) as exc:
        _fail(str(exc))
    if path is not None:
        typer.echo(f"wrote {path}", err=True)


def _who(ctx: typer.Context, who: Optional[str]) -> Optional[str]:
    import getpass    # with termios: only the commands that record who changed something

    if who:
        return who
    try:
        return _settings(ctx).user or getpass.getuser()
    except Exception:  # no login name in some containers
        return None


def _run(ctx: typer.Context, fn):
    """Run FN(session) on the register; a RegisterError becomes one line on stderr and exit 1."""
    from models.db import RegisterError
    from models.register import open_session

    try:
        with open_session(_settings(ctx).db) as session:
            return fn(session)
    except RegisterError as exc:
        _fail(str(exc))


def _console():
    from rich.console import Console

    # Piped or redirected: do not squeeze tables into 80 columns.
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def _deadline_text(o) -> str:
    parts = []
    if o.deadline_raw:
        parts.append(o.deadline_raw)
    if o.deadline_due:
        parts.append(f"→ {o.deadline_due.isoformat()}")
    if o.deadline_recurrence:
        parts.append(f"[{o.deadline_recurrence}{' ' + str(o.deadline_day) if o.deadline_day else ''}]")
    return " ".join(parts)


def status(
    ctx: typer.Context,
    id: str = typer.Argument(..., help="Obligation id (or a unique prefix of at least 4 characters)."),
    new_status: str = typer.Argument(..., metavar="STATUS", help="open, in_progress, done or cancelled."),
    note: Optional[str] = typer.Option(None, "--note", "-n", help="Why, what was done."),
    who: Optional[str] = typer.Option(None, "--who", help="Who makes the change (default: $CHIDAO_USER or the login name)."),
) -> None:
    """Set an obligation's status (recorded in its history)."""
    from models.queries import set_status

    def go(session):
        ob = set_status(session, obligation_id=id, status=new_status, note=note, who=_who(ctx, who))
        typer.echo(f"{ob.id}: {ob.status}" + (f" ({ob.note})" if note else ""))

    _run(ctx, go)


def edit(
    ctx: typer.Context,
    id: str = typer.Argument(..., help="Obligation id (or a unique prefix)."),
    lead: Optional[list[str]] = typer.Option(None, "--lead", help="Lead unit (chủ trì); repeat for several. Replaces the list."),
    support: Optional[list[str]] = typer.Option(None, "--support", help="Support unit (phối hợp); repeat for several. Replaces the list."),
    due: Optional[str] = typer.Option(None, "--due", help="Due date, YYYY-MM-DD."),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="Deadline words as printed (Tháng 02/2024)."),
    recurrence: Optional[str] = typer.Option(None, "--recurrence", help="ongoing, weekly, monthly, quarterly, halfyearly or yearly."),
    day: Optional[int] = typer.Option(None, "--day", help="Day of the period for a recurring deadline."),
    text: Optional[str] = typer.Option(None, "--text", help="The instruction's text."),
    output: Optional[str] = typer.Option(None, "--output", help="Expected product (kết quả sản phẩm)."),
    clear: Optional[list[str]] = typer.Option(None, "--clear", help="Field to empty (support_units, deadline_due, output, ...); repeatable."),
    note: Optional[str] = typer.Option(None, "--note", "-n", help="Why the correction."),
    who: Optional[str] = typer.Option(None, "--who", help="Who makes the change."),
) -> None:
    """Correct an obligation's extracted fields; corrected fields survive re-extraction."""
    from models.queries import edit_obligation

    def go(session):
        ob = edit_obligation(session, obligation_id=id, lead_units=lead or None, support_units=support or None,
                             deadline_due=due, deadline_raw=deadline, deadline_recurrence=recurrence, deadline_day=day,
                             text=text, output=output, clear=tuple(clear or ()), note=note, who=_who(ctx, who))
        typer.echo(f"{ob.id}: corrected {', '.join(ob.corrected_fields) or 'nothing'}")

    _run(ctx, go)


def history(ctx: typer.Context, id: str = typer.Argument(..., help="Obligation id (or a unique prefix).")) -> None:
    """The status changes and edits of an obligation, oldest first."""
    from rich.table import Table

    from models.queries import history as get_history

    def go(session):
        rows = get_history(session, obligation_id=id)
        if not rows:
            typer.echo("no changes recorded")
            return
        t = Table("when (UTC)", "what", "who", "status", "note", "changes")
        for h in rows:
            ch = "; ".join(f"{k}: {json.dumps(v[0], ensure_ascii=False)} → {json.dumps(v[1], ensure_ascii=False)}"
                           for k, v in (h.changes or {}).items())
            t.add_row(h.at.strftime("%Y-%m-%d %H:%M"), h.kind, h.who or "", h.status or "", h.note or "", ch)
        _console().print(t)

    _run(ctx, go)


def show(ctx: typer.Context, id: str = typer.Argument(..., help="Obligation or document id (or unique prefix), or a document number.")) -> None:
    """Everything the register holds on one obligation or one document."""
    from rich.markup import escape

    from models.dates import is_overdue, next_occurrence
    from models.db import RegisterError
    from models.owes_rows import confidence_label
    from models.queries import get_document, get_obligation, list_citations, list_obligations

    def go(session):
        con = _console()
        try:
            ob = get_obligation(session, id=id)
        except RegisterError:
            ob = None
        if ob is not None:
            doc = session.get(__import__("models.tables", fromlist=["Document"]).Document, ob.document_id)
            today = dt.date.today()
            nxt = next_occurrence(ob, today)
            lines = [
                ("id", ob.id), ("document", f"{doc.number or '-'} ({doc.source_file}, {doc.id})"),
                ("ref", ob.ref or ""), ("page", str(ob.page or "")), ("text", ob.text),
                ("lead", "; ".join(ob.lead_units)), ("support", "; ".join(ob.support_units)),
                ("deadline", _deadline_text(ob)), ("next", nxt.isoformat() if nxt else ""),
                ("output", ob.output or ""), ("targets", "; ".join(t.get("raw") or "" for t in ob.targets)),
                ("flags", ", ".join(ob.flags)), ("status", ob.status + ("  OVERDUE" if is_overdue(ob, today) else "")),
                ("note", ob.note or ""), ("corrected", ", ".join(ob.corrected_fields)),
                ("confidence", escape(confidence_label(ob.confidence, ob.confidence_reasons)
                                      or "chưa tính (chạy chidao reextract để tính)")),
            ]
            for k, v in lines:
                if v:
                    con.print(f"[bold]{k:>9}[/bold]  {v}", markup=True, emoji=False)
            return
        doc = get_document(session, id=id)
        for k in ("id", "source_file", "sha256", "type", "number", "issuer", "issued_on", "place", "title", "signer",
                  "status", "programme", "pages"):
            v = getattr(doc, k)
            if v not in (None, "", []):
                con.print(f"[bold]{k:>11}[/bold]  {v}", emoji=False)
        from models.copies import family, kind_label

        if doc.version_of:
            head = session.get(type(doc), doc.version_of)
            con.print(f"[bold]{'copy of':>11}[/bold]  {head.id} ({head.source_file}): tệp này là bản sao "
                      f"({kind_label(doc)}); nghĩa vụ lấy từ {head.source_file} ({kind_label(head)}); "
                      f"xem: chidao show {head.id}", emoji=False, markup=True)
            return
        members = family(session, doc.id) if doc.status in ("ok", "partial") else [doc]
        if len(members) > 1:
            for c in members:
                what = "nguồn nghĩa vụ" if c.id == doc.id else "bản sao"
                con.print(f"[bold]{'copy':>11}[/bold]  {c.id}  {c.source_file}  {kind_label(c)}, {what}", emoji=False)
        for e in doc.errors or []:
            where = f" (stage {e['stage']})" if e.get("stage") else ""
            con.print(f"[bold]{'error':>11}[/bold]  {e.get('code')}{where}: {e.get('message')}", emoji=False, markup=False)
        if doc.code_fingerprint:
            con.print(f"[bold]{'code':>11}[/bold]  {doc.code_fingerprint[:12]}", emoji=False)
        if doc.traceback:
            con.print(f"[bold]{'traceback':>11}[/bold]", emoji=False)
            con.print(doc.traceback.rstrip(), emoji=False, markup=False, highlight=False)
        for c in list_citations(session, document_id=doc.id):
            con.print(f"[bold]{'cites':>11}[/bold]  {c.relation:<10} {c.number}"
                      f"{' (' + c.issued_on.isoformat() + ')' if c.issued_on else ''}"
                      f"{'' if c.to_document else '  — not in the register'}", emoji=False)
        obls = list_obligations(session, document_id=doc.id)
        con.print(f"[bold]{'obligations':>11}[/bold]  {len(obls)}", emoji=False)
        for o in obls:
            con.print(f"  {o.id}  {o.ref or '':<10} {o.status:<11} {o.text[:90]}", emoji=False, markup=False)

    _run(ctx, go)


def documents(
    ctx: typer.Context,
    status_filter: Optional[str] = typer.Option(None, "--status", help="ok, partial, failed (bad input) or error."),
) -> None:
    """The documents in the register, with their status and obligation counts; a count line
    per outcome (done, bad input, error) first."""
    from rich.table import Table

    from models.queries import document_obligation_counts, list_documents
    from models.tables import OUTCOME_OF_STATUS

    def go(session):
        from models.copies import kind_label

        counts = document_obligation_counts(session)
        docs = list_documents(session, status=status_filter)
        listed = {d.id for d in docs}
        copies: dict[str, list] = {}
        for d in docs:
            if d.version_of and d.version_of in listed:
                copies.setdefault(d.version_of, []).append(d)
        heads = [d for d in docs if not (d.version_of and d.version_of in listed)]
        per_outcome = {k: 0 for k in ("done", "bad-input", "error")}
        for d in heads:
            per_outcome[OUTCOME_OF_STATUS.get(d.status, "done")] += 1
        n_copies = sum(len(v) for v in copies.values())
        typer.echo(f"{len(heads)} văn bản: {per_outcome['done']} xong (done), {per_outcome['bad-input']} tệp hỏng "
                   f"(bad-input), {per_outcome['error']} lỗi chương trình (error)"
                   + (f"; {n_copies} bản sao lưu kèm văn bản của nó" if n_copies else "")
                   + ("; xem lỗi: chidao show ID" if per_outcome["error"] else ""))
        t = Table("id", "file", "type", "number", "issued", "status", "obligations", "note")
        for d in heads:
            if d.id in copies:
                note = f"nguồn nghĩa vụ: {kind_label(d)}; {len(copies[d.id])} bản sao"
            elif d.version_of:
                note = f"bản sao của {d.version_of} ({kind_label(d)})"
            else:
                note = "; ".join(e.get("message", "") for e in d.errors or [])[:60]
            t.add_row(d.id, d.source_file, d.type or "", d.number or "", d.issued_on.isoformat() if d.issued_on else "",
                      d.status, str(counts.get(d.id, 0)), note)
            for c in copies.get(d.id, ()):
                t.add_row(f"  └ {c.id}", c.source_file, c.type or "", c.number or "",
                          c.issued_on.isoformat() if c.issued_on else "", c.status, "",
                          f"bản sao ({kind_label(c)})")
        _console().print(t)

    _run(ctx, go)


def reextract(
    ctx: typer.Context,
    ids: Optional[list[str]] = typer.Argument(None, help="Document ids (or numbers); none with --all."),
    all_: bool = typer.Option(False, "--all", help="Every document in the register (versions excepted)."),
    timeout: Optional[float] = typer.Option(None, "--timeout", help="Seconds per document before it is given up "
                                            "(default $CHIDAO_DOC_TIMEOUT or 900)."),
) -> None:
    """Run the extractors again on the stored files, as ingest runs them (same stages, same
    isolation and timeouts); staff status, notes and corrections are kept."""
    from flows.reextract import reextract_documents
    from flows.service import connect_for
    from models.db import RegisterError

    if not ids and not all_:
        _fail("give document ids or --all", 2)
    settings = _settings(ctx)
    service = connect_for(settings)     # `chidao warm` running: the extractors are loaded already

    def emit(r) -> None:
        typer.echo(r.message, err=not r.ok)
        if r.traceback:
            sys.stderr.write("".join(f"    {line}\n" for line in r.traceback.rstrip().splitlines()))

    try:
        results = reextract_documents(None if all_ else list(ids), url=settings.db, timeout=timeout or settings.doc_timeout,
                                      runner=service.call if service else None, on_result=emit)
    except RegisterError as exc:
        _fail(str(exc))
    raise typer.Exit(0 if all(r.ok for r in results) else 1)


def graph(
    ctx: typer.Context,
    root: Optional[str] = typer.Option(None, "--root", help="A directive or programme (06/QĐ-TTg, 'Đề án 06'): every task carrying it out."),
    chain_of: Optional[str] = typer.Option(None, "--chain", help="An obligation id: its chain up to the top directive."),
    missing: bool = typer.Option(False, "--missing", help="Documents cited but not in the register."),
    format: Optional[str] = typer.Option(None, "--format", "-f", help="graphml or json (node-link) instead of a listing."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (default stdout)."),
) -> None:
    """The directive graph: descendants of a directive, an obligation's chain, missing documents, or export."""
    from models import graph as G

    fmt = format.lower() if format else None
    if fmt not in (None, "graphml", "json"):
        _fail(f"unknown format {format!r}: use graphml or json", 2)

    def go(session):
        con = _console()
        if chain_of:
            cs = G.chain(session, obligation_id=chain_of)
            if fmt == "json":
                data = [[{"node": n, "relation": r} for n, r in c] for c in cs]
                _emit(json.dumps(data, ensure_ascii=False, indent=1), output)
                return
            g = G._document_layer(session)
            for i, c in enumerate(cs):
                con.print(("chain" if i == 0 else f"also ({i + 1})") + ":", emoji=False, markup=False)
                for n, r in c:
                    con.print(f"  {_label(g, n)}" + (f"  —{r}→" if r else ""), emoji=False, markup=False)
            return
        if missing:
            ms = G.missing_documents(session)
            if fmt == "json":
                _emit(json.dumps([m.__dict__ for m in ms], ensure_ascii=False, indent=1), output)
                return
            if not ms:
                typer.echo("every cited document is in the register")
            for m in ms:
                by = ", ".join(f"{f} ({r})" for _, f, r in m.cited_by)
                con.print(f"{m.number:<24} {m.type or '':<12} {m.issued_on or '':<10}  cited by {by}",
                          emoji=False, markup=False)
            return
        if root:
            if fmt:
                G.write_graph(G.subgraph_for_root(session, root=root), fmt, output)
                return
            res = G.descendants(session, root=root)
            from models.queries import list_obligations

            obls = list_obligations(session, document_ids=res.documents)
            con.print(f"{root}: {len(obls)} obligations in {len(res.documents)} documents", emoji=False, markup=False)
            for o in obls:
                con.print(f"  {o.id}  {o.ref or '':<10} {'; '.join(o.lead_units)[:40]:<40} {o.text[:80]}",
                          emoji=False, markup=False)
            return
        g = G.build_graph(session)
        if fmt:
            G.write_graph(g, fmt, output)
            return
        kinds: dict[str, int] = {}
        for _, k in g.nodes(data="kind"):
            kinds[k] = kinds.get(k, 0) + 1
        typer.echo(", ".join(f"{v} {k}s" for k, v in sorted(kinds.items())) + f", {g.number_of_edges()} edges")

    _run(ctx, go)


def _label(g, n: str) -> str:
    a = g.nodes[n] if n in g else {}
    kind = a.get("kind", n.split(":", 1)[0])
    if kind == "obligation":
        return f"obligation {a.get('db_id')}: {(a.get('text') or '')[:70]}"
    if kind == "document":
        return f"{a.get('type') or 'document'} {a.get('number') or a.get('source_file')} ({a.get('db_id')})"
    if kind == "placeholder":
        return f"{a.get('type') or ''} {a.get('number')} (not in the register)".strip()
    if kind == "programme":
        return f"programme {a.get('alias') or a.get('number')}"
    return n


def _emit(text: str, output: Optional[Path]) -> None:
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")
    else:
        typer.echo(text)
