"""The intake folder as a state machine, pure of Prefect (the CLI and the watcher share it).

    INTAKE/a.pdf  --claim-->  processing/a.pdf  --finish-->  done/a.pdf
                                                     `---->  failed/a.pdf + failed/a.pdf.error.txt
    failed/a.pdf  --chidao retry-->  INTAKE/a.pdf

An error that may pass (I/O, the register or a worker unreachable) keeps the file in processing/
and it is tried again after a back-off (flows/watch.py), up to max_attempts; only then, or at
once for bad input and for an error of our code (recorded in the register), failed/.

Layout.  By default the three state folders live INSIDE the intake folder:
INTAKE/processing, INTAKE/done, INTAKE/failed.  On a network share the clerk then sees where
each file went in the one folder they were given (they often have no rights to its parent),
and every move is a rename on one file system: atomic, no copy, nothing half-written.
`--state-dir` puts them elsewhere (it must be on the same file system for atomic moves; a
cross-device move falls back to copy + verify + remove of our own copy's source).
These three names are reserved inside INTAKE; everything else below INTAKE is taken,
subfolders too (their relative path is kept through processing/, done/ and failed/).

Moves only.  The original's bytes are never rewritten, and it is never deleted: it ends in
done/ or failed/.  A name already taken in the destination gets " (2)", " (3)"... added.

Stability.  A file is taken only when its size and mtime have not changed for `settle`
seconds (default 10: a slow copy over a share pauses for several seconds) and it opens
cleanly, seen by polling (inotify does not see writes made by another machine over NFS/SMB).
A file that still reads as cut off or empty is read again after a longer wait (`recheck`,
flows/watch.py) before it is failed, and then failed as retryable.
Every poll walks the whole tree, so a file missed once is found on the next pass.

Bookkeeping lives in hidden sidecars beside the file: processing/.a.pdf.chidao.json (the
attempt counter; survives a crash, so a file that kills the worker is not taken forever) and
failed/a.pdf.error.txt (the reason, for the clerk, and the counter, for the retry policy).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

STATE_NAMES = ("processing", "done", "failed")
IGNORED_SUFFIXES = {".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", ".lock", ".filepart"}
IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
MARKER_SUFFIX = ".chidao.json"
ERROR_SUFFIX = ".error.txt"


def is_ignored(path: Path | str) -> bool:
    """Hidden, temporary, lock and system files: never documents."""
    name = Path(path).name
    low = name.lower()
    if not name or name.startswith(".") or name.startswith("~") or name.startswith("$"):
        return True  # dotfiles, Office's ~$lock files, ~tmp files
    if low in IGNORED_NAMES or low.endswith(ERROR_SUFFIX) or low.endswith(MARKER_SUFFIX):
        return True
    return any(low.endswith(s) for s in IGNORED_SUFFIXES)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class IntakeFolders:
    intake: Path
    processing: Path
    done: Path
    failed: Path

    @classmethod
    def at(cls, intake: str | Path, state_dir: str | Path | None = None) -> "IntakeFolders":
        intake = Path(intake).expanduser().resolve()
        state = Path(state_dir).expanduser().resolve() if state_dir else intake
        return cls(intake, state / "processing", state / "done", state / "failed")

    def ensure(self) -> "IntakeFolders":
        for d in (self.intake, self.processing, self.done, self.failed):
            d.mkdir(parents=True, exist_ok=True)
        return self

    def reserved(self) -> set[Path]:
        return {self.processing, self.done, self.failed}


# ---------------------------------------------------------------- moving safely

def unique_destination(dest: Path) -> Path:
    if not dest.exists() and not dest.is_symlink():
        return dest
    stem, suffix = dest.stem, dest.suffix
    for i in range(2, 10_000):
        cand = dest.with_name(f"{stem} ({i}){suffix}")
        if not cand.exists():
            return cand
    raise FileExistsError(f"no free name for {dest}")


def move(src: Path, dest: Path) -> Path:
    """Move without ever overwriting; returns where the file went."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest = unique_destination(dest)
    try:
        # link + unlink would refuse to overwrite atomically, but SMB mounts often lack hard
        # links; rename after the existence check is what works everywhere.
        os.rename(src, dest)
    except OSError as exc:
        if exc.errno != 18:  # EXDEV: state folders on another file system
            raise
        shutil.copy2(src, dest)
        if os.path.getsize(dest) != os.path.getsize(src):
            dest.unlink()
            raise OSError(f"copy of {src} to {dest} is incomplete") from exc
        os.unlink(src)
    return dest


# ---------------------------------------------------------------- sidecars

def marker_path(path: Path) -> Path:
    return path.with_name(f".{path.name}{MARKER_SUFFIX}")


def error_path(path: Path) -> Path:
    return path.with_name(path.name + ERROR_SUFFIX)


def read_marker(path: Path) -> dict:
    try:
        return json.loads(marker_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_marker(path: Path, data: dict) -> None:
    mp = marker_path(path)
    tmp = mp.with_name(mp.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, mp)


def _unlink_quiet(p: Path) -> None:
    try:
        p.unlink()
    except FileNotFoundError:
        pass


# The lines of failed/NAME.error.txt, in Vietnamese for the clerk who opens it; read_error gives
# them back under these English keys (and still reads the English labels of older files).
ERROR_LABELS = {
    "file": "tệp",
    "outcome": "kết quả",
    "reason": "lý do",
    "attempts": "số lần thử",
    "retryable": "tự thử lại được",
    "failed_at": "lúc",
    "next": "việc cần làm",
}
OUTCOME_LABELS = {
    "bad-input": "tệp không dùng được (bad-input)",
    "error": "lỗi của chương trình hoặc máy chủ (error)",
}
_KEY_OF_LABEL = {v: k for k, v in ERROR_LABELS.items()}


def read_error(path: Path) -> dict:
    """The lines of failed/NAME.error.txt, under ERROR_LABELS' English keys; `outcome` is the
    code (bad-input, error), `retryable` yes/no."""
    out: dict = {}
    try:
        text = error_path(path).read_text(encoding="utf-8")
    except OSError:
        return out
    for line in text.splitlines():
        if ":" in line and not line.startswith(" "):
            k, v = line.split(":", 1)
            k = k.strip().lower()
            out.setdefault(_KEY_OF_LABEL.get(k, k), v.strip())
    if "outcome" in out:
        m = re.search(r"\(([a-z-]+)\)$", out["outcome"])
        out["outcome"] = m.group(1) if m else out["outcome"]
    out["retryable"] = {"có": "yes", "không": "no"}.get(out.get("retryable", ""), out.get("retryable", "no"))
    return out


# ---------------------------------------------------------------- items

@dataclass
class Item:
    """A file in the state machine."""
    path: Path                 # where it is now
    rel: Path                  # its path relative to INTAKE when dropped (kept through the states)
    attempts: int = 0
    taken_at: str = ""

    @property
    def name(self) -> str:
        return self.rel.as_posix()


@dataclass
class FailedItem:
    path: Path
    rel: Path
    reason: str
    attempts: int
    failed_at: str
    retryable: bool
    outcome: str = ""          # bad-input | error
    next_step: str = ""        # what the clerk does, in Vietnamese, with the command to paste

    @property
    def name(self) -> str:
        return self.rel.as_posix()


def _walk(root: Path, skip_dirs: set[Path]) -> Iterator[Path]:
    try:
        entries = list(os.scandir(root))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    for e in sorted(entries, key=lambda e: e.name):
        p = Path(e.path)
        if is_ignored(p):
            continue
        try:
            if e.is_dir(follow_symlinks=False):
                if p not in skip_dirs:
                    yield from _walk(p, skip_dirs)
            elif e.is_file(follow_symlinks=False):
                yield p
        except OSError:
            continue


def candidates(folders: IntakeFolders) -> Iterator[Path]:
    """Every file below INTAKE that is a document candidate (state folders excluded)."""
    yield from _walk(folders.intake, folders.reserved())


DEFAULT_SETTLE = 10.0     # seconds: longer than the pauses of a slow copy over a network share


def opens_cleanly(p: Path) -> bool:
    """The file can be opened and read now (a copy that holds it locked, or that a share still
    reports as unreadable, is left for the next poll)."""
    try:
        with open(p, "rb") as fh:
            fh.read(1)
        return True
    except OSError:
        return False


@dataclass
class Stability:
    """Size and mtime seen at each poll; a file is ready when they held for `settle` s and it
    opens cleanly.  An empty file is ready the same way: it is reported (failed, retryable)
    within the window, not left waiting."""
    settle: float = DEFAULT_SETTLE
    seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)

    def ready(self, paths: list[Path], now: Optional[float] = None) -> list[Path]:
        now = time.monotonic() if now is None else now
        out: list[Path] = []
        current: dict[Path, tuple[int, int, float]] = {}
        for p in paths:
            try:
                st = p.stat()
            except OSError:
                continue
            sig = (st.st_size, st.st_mtime_ns)
            prev = self.seen.get(p)
            since = prev[2] if prev and prev[:2] == sig else now
            current[p] = (*sig, since)
            if now - since >= self.settle and opens_cleanly(p):
                out.append(p)
        self.seen = current
        return out

    def forget(self, p: Path) -> None:
        self.seen.pop(p, None)


# ---------------------------------------------------------------- transitions

def claim(folders: IntakeFolders, src: Path) -> Item:
    """INTAKE/rel -> processing/rel, attempts +1 (the marker is written before the move, so a
    crash between the two leaves a harmless orphan marker, never an uncounted attempt)."""
    rel = src.relative_to(folders.intake)
    dest = unique_destination(folders.processing / rel)
    dest.parent.mkdir(parents=True, exist_ok=True)
    item = Item(dest, rel, attempts=1, taken_at=_now())
    write_marker(dest, {"rel": rel.as_posix(), "attempts": 1, "taken_at": item.taken_at, "host": socket.gethostname()})
    try:
        item.path = move(src, dest)
    except BaseException:
        _unlink_quiet(marker_path(dest))
        raise
    if item.path != dest:
        os.replace(marker_path(dest), marker_path(item.path))
    return item


def in_processing(folders: IntakeFolders) -> list[Item]:
    """Files left in processing/ (a crash, a kill, a power cut): to be taken again."""
    items = []
    for p in _walk(folders.processing, set()):
        m = read_marker(p)
        rel = Path(m.get("rel") or p.relative_to(folders.processing).as_posix())
        items.append(Item(p, rel, attempts=int(m.get("attempts", 0)), taken_at=m.get("taken_at", "")))
    return items


def retake(item: Item) -> Item:
    """Count another attempt for a file already in processing/."""
    item.attempts += 1
    item.taken_at = _now()
    write_marker(item.path, {"rel": item.rel.as_posix(), "attempts": item.attempts,
                             "taken_at": item.taken_at, "host": socket.gethostname()})
    return item


def finish_done(folders: IntakeFolders, item: Item) -> Path:
    dest = move(item.path, folders.done / item.rel)
    _unlink_quiet(marker_path(item.path))
    _unlink_quiet(error_path(folders.failed / item.rel))  # a stale reason from an earlier try
    return dest


def retry_command(folders: IntakeFolders, rel: Path | str) -> str:
    """`chidao retry` for one file of failed/, as it works when pasted."""
    state = folders.processing.parent
    extra = f" --state-dir {shlex.quote(str(state))}" if state != folders.intake else ""
    return f"chidao retry {shlex.quote(str(folders.intake))} {shlex.quote(Path(rel).as_posix())}{extra}"


def next_step(folders: IntakeFolders, rel: Path | str, *, outcome: str, retryable: bool, will_retry: bool) -> str:
    """What the clerk does about a file in failed/ (Vietnamese), with a command that works when pasted."""
    command = retry_command(folders, rel)
    if will_retry:
        return "sẽ tự thử lại"
    if outcome == "bad-input":
        return f"sửa hoặc thay tệp trong thư mục failed/, rồi chạy: {command}"
    if retryable:
        return f"khi máy chủ và sổ đăng ký hoạt động lại, chạy: {command}"
    return f"lỗi của chương trình, không phải của tệp: sau khi cập nhật chidao, chạy: {command}"


def finish_failed(folders: IntakeFolders, item: Item, reason: str, *, retryable: bool,
                  max_attempts: int, outcome: str = "bad-input") -> Path:
    """processing/rel -> failed/rel with failed/rel.error.txt (in Vietnamese): why, the outcome
    (bad-input: the file's fault; error: ours or the machine's) and the next step."""
    dest = unique_destination(folders.failed / item.rel)
    reason_line = " ".join((reason or "lỗi không rõ").split())
    step = next_step(folders, dest.relative_to(folders.failed), outcome=outcome, retryable=retryable,
                     will_retry=retryable and item.attempts < max_attempts)
    values = {"file": item.rel.as_posix(), "outcome": OUTCOME_LABELS.get(outcome, outcome), "reason": reason_line,
              "attempts": str(item.attempts), "retryable": "có" if retryable else "không", "failed_at": _now(),
              "next": step}
    text = "".join(f"{ERROR_LABELS[k]}: {v}\n" for k, v in values.items())
    dest = move(item.path, dest)
    error_path(dest).write_text(text, encoding="utf-8")
    _unlink_quiet(marker_path(item.path))
    return dest


def list_failed(folders: IntakeFolders) -> list[FailedItem]:
    out = []
    for p in _walk(folders.failed, set()):
        e = read_error(p)
        out.append(FailedItem(
            path=p, rel=p.relative_to(folders.failed),
            reason=e.get("reason", "(không ghi lý do)"),
            attempts=int(e.get("attempts", "0") or 0),
            failed_at=e.get("failed_at", ""),
            retryable=e.get("retryable", "no") == "yes",
            outcome=e.get("outcome", ""), next_step=e.get("next", ""),
        ))
    return out


def retry(folders: IntakeFolders, name: Optional[str] = None) -> list[Path]:
    """`chidao retry`: failed/NAME (or every failed file when name is None) back into INTAKE
    with a fresh attempt count.  NAME is the path shown by `chidao failed` (or a unique file
    name).  Returns the new paths in INTAKE.  Raises LookupError for an unknown name."""
    failed = list_failed(folders)
    if name is not None:
        wanted = [f for f in failed if f.name == name] or [f for f in failed if f.path.name == name]
        if not wanted:
            raise LookupError(f"{name}: không có trong {folders.failed}; xem các tệp lỗi: "
                              f"chidao failed {shlex.quote(str(folders.intake))}")
        if len(wanted) > 1:
            raise LookupError(f"{name}: có nhiều tệp lỗi cùng tên; hãy ghi đường dẫn như `chidao failed` in ra")
        failed = wanted
    out = []
    for f in failed:
        dest = move(f.path, folders.intake / f.rel)
        _unlink_quiet(error_path(f.path))
        out.append(dest)
    return out
