"""`chidao ingest`, `chidao watch`, `chidao failed`, `chidao retry`.

`chidao ingest` runs the flows' steps in-process (flows/steps.py): no Prefect import, no
temporary server, so one born-digital file takes about a second.  With PREFECT_API_URL set it
runs the `ingest-folder` flow against that server instead (every file a visible flow run).

Exit codes of `chidao ingest`:
  0  every file went through: done (stored or a duplicate), or bad input recorded with its
     reason (each printed as "FILE: reason")
  1  some file ended in error: a defect of ours (an exception, a timeout, a crash; recorded
     with its traceback, processed again once the code changed) or something that may pass
     (I/O, the register unreachable: nothing recorded, run the command again).
     With --strict, bad input also gives 1.

The flows, Prefect and rich are imported inside each command: app/cli.py imports every command
module whatever the command run, and `chidao search` must not pay for them.
"""
from __future__ import annotations

import gc
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Optional

import typer

from app.commands import settings as _settings


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("warm")(warm)
    app.command("worker")(worker)
    app.command("watch")(watch)
    app.command("failed")(failed)
    app.command("retry")(retry)


def ingest(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="PDF, image or DOCX files, or folders (taken recursively)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Files at once (default: one per core)."),
    timeout: float = typer.Option(None, "--timeout", help="Seconds per document before it is given up "
                                                            "(default $CHIDAO_DOC_TIMEOUT or 900)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any file is bad input too, not only on an error."),
    prefect: Optional[bool] = typer.Option(None, "--prefect/--no-prefect",
                                           help="Run as a Prefect flow (default: only when PREFECT_API_URL is set)."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per file on stdout instead of text."),
    distributed: bool = typer.Option(False, "--distributed", help="Hand each file to the `chidao worker` processes "
                                     "of the Prefect server PREFECT_API_URL (docs/scaling.md)."),
) -> None:
    """Read, structure and extract FILES and store them in the register.  One line per file."""
    settings = _settings(ctx)
    if distributed and not settings.prefect_api_url:
        typer.echo("--distributed cần máy chủ Prefect: export PREFECT_API_URL=http://MAY-CHU:4200/api "
                   "rồi chạy lại (xem docs/scaling.md)", err=True)
        raise typer.Exit(2)
    use_prefect = bool(settings.prefect_api_url) if prefect is None else prefect
    service = None
    if not use_prefect and not distributed:
        from flows.service import connect_for

        service = connect_for(settings)     # `chidao warm` running: the extractors are loaded already
        if service is None:
            from flows.isolate import warm

            warm()  # first thing: the extractor processes load spaCy and underthesea while we parse and hash
    runner = service.call if service else None
    from flows.steps import OUTCOME_WORDS, FileResult, expand, ingest_paths

    timeout = timeout or settings.doc_timeout
    unusable = unusable_paths(files)
    for path, reason in unusable.items():
        typer.echo(f"{path}: {reason}", err=True)
    paths = expand([f for f in files if f not in unusable])
    if not paths:
        if not unusable:
            typer.echo("no documents found in " + ", ".join(map(str, files)), err=True)
        raise typer.Exit(1 if unusable else 2)

    def emit(r: FileResult) -> None:
        if json_out:
            typer.echo(json.dumps(r.to_dict(), ensure_ascii=False, default=str))
        else:
            typer.echo(r.line())

    if distributed:
        from flows.worker import ingest_distributed

        # The workers use their own CHIDAO_DB unless a register was named here.
        results = ingest_distributed(paths, db_url=settings.db if settings.given("db") else None, timeout=timeout,
                                     on_result=emit)
    elif use_prefect:
        from flows.ingest import ingest_folder, result_of

        results = [result_of(d) for d in ingest_folder([str(p) for p in paths], db_url=settings.db, timeout=timeout, jobs=jobs)]
        for r in results:
            emit(r)
    elif len(paths) > 1 and sys.stdout.isatty() and not json_out:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console()
        with Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}"), console=console, transient=True) as bar:
            task = bar.add_task("", total=len(paths))

            def on_result(r: FileResult) -> None:
                bar.console.print(r.line(), markup=False, highlight=False, soft_wrap=True)
                bar.update(task, advance=1, description=Path(r.path).name)

            results = ingest_paths(paths, url=settings.db, timeout=timeout, jobs=jobs, runner=runner,
                                       on_result=on_result)
    else:
        results = ingest_paths(paths, url=settings.db, timeout=timeout, jobs=jobs, runner=runner, on_result=emit)

    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    if len(results) > 1:
        typer.echo(", ".join(f"{counts[k]} {OUTCOME_WORDS[k]}" for k in OUTCOME_WORDS if counts.get(k)), err=True)
    bad = counts.get("error", 0) + (counts.get("bad-input", 0) if strict else 0)
    gc.freeze()  # skip the collector's last sweeps over everything we loaded: 0.4 s of a 3 s ingest
    raise typer.Exit(1 if bad or unusable else 0)


def unusable_paths(paths: list[Path]) -> dict[Path, str]:
    """The paths named on the command line that are missing or cannot be read, with the reason
    (Vietnamese, what to do): they are left out of the batch, and the command exits 1."""
    out: dict[Path, str] = {}
    for p in paths:
        if not p.exists():
            out[p] = "không tìm thấy tệp hay thư mục này; hãy kiểm tra lại đường dẫn (các tệp khác vẫn được đọc)"
        elif not os.access(p, os.R_OK | (os.X_OK if p.is_dir() else 0)):
            out[p] = "không có quyền đọc; hãy cấp quyền đọc hoặc chép tệp sang chỗ khác rồi chạy lại"
    return out


def watch(
    ctx: typer.Context,
    intake: Path = typer.Argument(..., help="The intake folder clerks drop files into (local or a mounted share)."),
    state_dir: Optional[Path] = typer.Option(None, "--state-dir", help="Where processing/, done/ and failed/ live "
                                             "(default: inside INTAKE; keep it on the same file system)."),
    settle: float = typer.Option(10.0, "--settle", help="Seconds a file's size and time must hold before it is taken."),
    recheck: float = typer.Option(60.0, "--recheck", help="Seconds before a file read as cut off (still copying?) "
                                  "is read again, before it is failed; 0: fail it at once."),
    poll: float = typer.Option(2.0, "--poll", help="Seconds between two scans of the folder."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Files at once (default: one per core)."),
    max_attempts: int = typer.Option(3, "--max-attempts", help="Tries for an error that may pass (I/O, register "
                                     "unreachable) before failed/."),
    retry_backoff: float = typer.Option(30.0, "--retry-backoff", help="Seconds before the first retry (then doubled)."),
    timeout: float = typer.Option(None, "--timeout", help="Seconds per document (default $CHIDAO_DOC_TIMEOUT or 900)."),
    distributed: bool = typer.Option(False, "--distributed", help="Hand each file to the `chidao worker` processes "
                                     "of the Prefect server PREFECT_API_URL (docs/scaling.md)."),
    prefect: Optional[bool] = typer.Option(None, "--prefect/--no-prefect",
                                           help="Each file a flow run on PREFECT_API_URL (default: when it is set)."),
    once: bool = typer.Option(False, "--once", help="Stop when the folder is empty and nothing is in flight."),
) -> None:
    """Watch INTAKE: take each file once it is completely written, ingest it, and move it to
    done/ or failed/ (with NAME.error.txt).  Stop with Ctrl-C or SIGTERM."""
    from flows.watch import WatchConfig, watch as run_watch

    settings = _settings(ctx)
    if distributed and not settings.prefect_api_url:
        typer.echo("--distributed cần máy chủ Prefect: export PREFECT_API_URL=http://MAY-CHU:4200/api "
                   "rồi chạy lại (xem docs/scaling.md)", err=True)
        raise typer.Exit(2)
    if not intake.is_dir():  # a typo must not start a service on a new empty folder
        typer.echo(f"{intake}: không có thư mục này (hãy tạo thư mục trước, hoặc kiểm tra ổ mạng đã được gắn)", err=True)
        raise typer.Exit(2)

    # To the workers only a register URL given here is passed: otherwise each uses its own CHIDAO_DB.
    db_url = settings.db if not distributed or settings.given("db") else None
    cfg = WatchConfig(settle=settle, recheck=recheck, poll=poll, jobs=jobs, max_attempts=max_attempts, retry_backoff=retry_backoff,
                      timeout=timeout or settings.doc_timeout, db_url=db_url)
    counts = run_watch(intake, state_dir=state_dir, cfg=cfg, distributed=distributed, prefect=prefect, once=once,
                       settings=settings)
    typer.echo(f"đã dừng: {counts['done']} xong, {counts['duplicate']} trùng, {counts['failed']} thất bại", err=True)


def failed(
    intake: Path = typer.Argument(..., help="The intake folder."),
    state_dir: Optional[Path] = typer.Option(None, "--state-dir"),
) -> None:
    """List the files in failed/ with their reason, and how to retry them."""
    from flows.intake import IntakeFolders, list_failed, retry_command

    folders = IntakeFolders.at(intake, state_dir)
    items = list_failed(folders)
    if not items:
        typer.echo(f"không có tệp nào trong {folders.failed}")
        return
    for f in items:
        typer.echo(f"{f.name}: {f.reason}  (đã thử {f.attempts} lần, lúc {f.failed_at or 'không rõ'})")
    typer.echo(f"\n{len(items)} tệp lỗi.  Sửa hoặc thay tệp trong {folders.failed}, rồi chạy: "
               f"{retry_command(folders, items[0].name)}   (hoặc --all thay cho tên tệp để thử lại tất cả)", err=True)


def retry(
    intake: Path = typer.Argument(..., help="The intake folder."),
    name: Optional[str] = typer.Argument(None, help="A name as listed by `chidao failed`."),
    all_: bool = typer.Option(False, "--all", help="Every failed file."),
    state_dir: Optional[Path] = typer.Option(None, "--state-dir"),
) -> None:
    """Move a failed file (or all) back into INTAKE, where the watcher takes it again."""
    from flows.intake import IntakeFolders, retry as do_retry

    if bool(name) == all_:
        typer.echo("hãy ghi một tên tệp (như `chidao failed` in ra) hoặc --all", err=True)
        raise typer.Exit(2)
    folders = IntakeFolders.at(intake, state_dir)
    try:
        moved = do_retry(folders, None if all_ else name)
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)
    for p in moved:
        typer.echo(f"{p.relative_to(folders.intake).as_posix()}: đã trả lại {folders.intake}, sẽ được đọc lại")
    if not moved:
        typer.echo(f"không có tệp nào trong {folders.failed}")


def worker(
    ctx: typer.Context,
    limit: Optional[int] = typer.Option(None, "--limit", help="Documents at once (default: one per core)."),
    heartbeat: int = typer.Option(30, "--heartbeat", min=30, help="Seconds between the heartbeats of a document's "
                                  "flow run; Prefect crashes a run silent for three of them and it is taken again."),
) -> None:
    """A warm worker: loads the extractors once and takes the documents that `chidao ingest
    --distributed` and `chidao watch --distributed` submit to the Prefect server
    (PREFECT_API_URL), until SIGTERM or Ctrl-C."""
    if not _settings(ctx).prefect_api_url:
        typer.echo("chidao worker cần máy chủ Prefect: export PREFECT_API_URL=http://MAY-CHU:4200/api rồi chạy lại "
                   "(xem docs/scaling.md)", err=True)
        raise typer.Exit(2)
    from flows.worker import serve_worker

    serve_worker(limit=limit, heartbeat=heartbeat)


def warm(
    ctx: typer.Context,
    service_dir: Optional[Path] = typer.Option(None, "--dir", help="Where the socket and its key live "
                                               "(default $CHIDAO_SERVICE_DIR, else $XDG_RUNTIME_DIR/chidao, else /tmp/chidao-UID)."),
) -> None:
    """Keep the extractors loaded (spaCy, underthesea) so that `chidao ingest` on this machine
    skips their ~3 s load: it hands its extractor calls to this process.  Runs until Ctrl-C."""
    from flows.service import ServiceRunning, serve, service_dir as default_dir

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        serve(service_dir or default_dir(_settings(ctx)), stop=stop, log=lambda line: typer.echo(line, err=True),
              ready=lambda sock: typer.echo(f"extractors loaded; `chidao ingest` uses them through {sock}", err=True))
    except ServiceRunning as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        pass

