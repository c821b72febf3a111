"""The intake folder read in the background of another service (the web page), without
`chidao watch` running: the same flow as the watcher, started when a file arrives.

    intake = BackgroundIntake(folder, db_url=..., timeout=...)
    intake.kick()        # after an upload: read what waits, then stop
    intake.state()       # IntakeState: waiting / reading / done / failed, for the intake page

`kick` starts one thread (if none runs) that runs the watcher's loop (flows/watch.py's Watcher,
with the local runner: the one pipeline through flows/steps.py) until the folder is empty, then
ends; a kick while it runs makes it look again before it ends, so no upload waits for the next
one.  Files move as under `chidao watch` (INTAKE -> processing/ -> done/ | failed/ with
NAME.error.txt), so a watcher started later, `chidao failed` and `chidao retry` see the same
states.  A watcher running on the same folder is harmless: a file is claimed by a rename, once.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from flows import intake as I

log = logging.getLogger("chidao.intake")
SETTLE = 1.0      # an upload is renamed into the folder whole: a short settle is enough
POLL = 0.5


@dataclass
class FileState:
    name: str                        # its path relative to the intake folder
    path: Path
    reason: str = ""                 # failed: why, in Vietnamese (failed/NAME.error.txt)
    next_step: str = ""              # failed: what to do
    retry: str = ""                  # failed: the `chidao retry` command, as it works when pasted
    outcome: str = ""                # failed: bad-input | error
    at: float = 0.0                  # mtime: newest first


@dataclass
class IntakeState:
    waiting: list[FileState] = field(default_factory=list)
    reading: list[FileState] = field(default_factory=list)
    done: list[FileState] = field(default_factory=list)
    failed: list[FileState] = field(default_factory=list)
    running: bool = False            # the background reader is at work


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def _listed(paths, root: Path) -> list[FileState]:
    return sorted((FileState(p.relative_to(root).as_posix(), p, at=_mtime(p)) for p in paths), key=lambda f: -f.at)


def _files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [p for p in root.rglob("*") if p.is_file() and not I.is_ignored(p)]


def folder_state(folders: I.IntakeFolders, *, done_limit: int = 50) -> IntakeState:
    """What is in each state of the intake folder, newest first (done: the last DONE_LIMIT)."""
    failed = []
    for f in I.list_failed(folders):
        e = I.read_error(f.path)
        failed.append(FileState(f.name, f.path, reason=f.reason, next_step=e.get("next", ""),
                                retry=I.retry_command(folders, f.rel), outcome=e.get("outcome", ""), at=_mtime(f.path)))
    return IntakeState(waiting=_listed(I.candidates(folders), folders.intake),
                       reading=_listed(_files(folders.processing), folders.processing),
                       done=_listed(_files(folders.done), folders.done)[:done_limit],
                       failed=sorted(failed, key=lambda f: -f.at))


class BackgroundIntake:
    """One intake folder read in the background (see the module's docstring)."""

    def __init__(self, intake: str | Path, *, db_url: Optional[str] = None, timeout: Optional[float] = None,
                 jobs: int = 1, settle: float = SETTLE):
        self.folders = I.IntakeFolders.at(intake)
        # flows.watch (and the pipeline's steps) load at the first kick, not with the web app
        self.config = {"settle": settle, "poll": POLL, "jobs": jobs, "db_url": db_url,
                       **({"timeout": timeout} if timeout is not None else {})}
        self._lock = threading.Lock()
        self._pending = False
        self._thread: Optional[threading.Thread] = None

    @property
    def running(self) -> bool:
        with self._lock:
            return self._thread is not None

    def kick(self) -> None:
        """Read what waits in the folder, now, in the background."""
        with self._lock:
            self._pending = True
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._loop, name="chidao-intake", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        from flows.watch import WatchConfig, Watcher, make_runner

        cfg = WatchConfig(**self.config)
        while True:
            with self._lock:
                if not self._pending:
                    self._thread = None
                    return
                self._pending = False
            try:
                self.folders.ensure()
                Watcher(self.folders, cfg, make_runner(cfg), log.info).run(once=True, grace=5.0)
            except Exception:  # noqa: BLE001 - the reader must not die silently: logged, tried at the next kick
                log.exception("background intake of %s stopped", self.folders.intake)

    def wait(self, timeout: float = 60.0) -> bool:
        """Until the background reader has nothing left (tests, shutdown); True when it is idle."""
        import time

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.running:
                return True
            time.sleep(0.1)
        return not self.running

    def state(self) -> IntakeState:
        out = folder_state(self.folders)
        out.running = self.running
        return out
