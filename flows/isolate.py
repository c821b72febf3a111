"""Run one extractor call in a child process with a hard time limit.

Why a child: OCR and PDF parsing run C code (pdfium, Tesseract, OpenCV) that a thread cannot
interrupt, and a malformed file can hang or crash it.  A child process can be killed with
everything it started (A2's per-document OCR pool included: the child leads its own process
group), and a crash there is one failed file, not a dead batch or a dead intake service.

Children are forked from a forkserver that has the extractors imported already, so a call
costs a fork and a pickle of its argument and result, not a fresh interpreter; and forking
from the forkserver is safe in a parent that runs threads (Prefect, the rich progress bar).

No Prefect here: the CLI's plain path and the flows share this module.
"""
from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import time
import traceback
from multiprocessing import forkserver
from typing import Any, Callable

PRELOAD = ["extractors.types", "extractors.pipeline", "extractors.reading", "extractors.structure",
           "extractors.obligations", "flows._warm"]


class StepTimeout(Exception):
    """The call did not finish before its deadline; the child and its children were killed."""


class StepCrashed(Exception):
    """The child died without an answer (killed, segfault, out of memory)."""


class StepError(Exception):
    """The call raised in the child.  `kind` is the exception's class name; `is_io` marks
    OSError and its kin (the only errors worth retrying, flows/retry.py); `detail` is the
    child's traceback."""

    def __init__(self, kind: str, message: str, is_io: bool, detail: str = ""):
        super().__init__(f"{kind}: {message}" if message else kind)
        self.kind, self.message, self.is_io, self.detail = kind, message, is_io, detail


_ctx = None


def _context():
    global _ctx
    if _ctx is None:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        _ctx = ctx
    return _ctx


def warm() -> None:
    """Start the forkserver now: it imports the extractors while the caller does other work
    (imports the register, hashes files), instead of at the first call."""
    try:
        _context()
        forkserver.ensure_running()
    except Exception:  # noqa: BLE001 - only an optimisation
        pass


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: a timeout still kills the child
        pass


def _child(conn, fn: Callable, args: tuple, kwargs: dict) -> None:
    # Own process group, so a timeout kills OCR helpers too; and die with the forkserver
    # (which dies with the caller), so a killed service leaves no orphan reading a file.
    os.setpgrp()
    _die_with_parent()
    try:
        result = fn(*args, **kwargs)
        conn.send(("ok", result))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
        # The whole traceback: it is what the register keeps for an error (the innermost frames matter).
        conn.send(("error", (type(exc).__name__, str(exc), isinstance(exc, OSError), traceback.format_exc())))
    finally:
        conn.close()


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except Exception:  # noqa: BLE001
        pass
    proc.join(5)


def call(fn: Callable, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
    """fn(*args, **kwargs) in a child; its return value, or StepTimeout / StepCrashed /
    StepError.  `fn` must be a module-level function (it is pickled by reference)."""
    ctx = _context()
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn, args, kwargs), daemon=False)
    proc.start()
    send.close()
    deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
    try:
        # Read before join: a big result would otherwise block the child on a full pipe.
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                _kill_group(proc)
                raise StepTimeout(f"no result within {timeout:.0f} s")
            if recv.poll(0.2 if left is None else min(0.2, left)):
                try:
                    tag, payload = recv.recv()
                except EOFError:
                    proc.join(5)
                    raise StepCrashed(_exit_reason(proc)) from None
                break
            if not proc.is_alive():
                if recv.poll(0):
                    continue
                proc.join(1)
                raise StepCrashed(_exit_reason(proc))
    finally:
        recv.close()
    proc.join(10)
    if proc.is_alive():  # answered but lingers: its helpers are stuck; not our result's problem
        _kill_group(proc)
    if tag == "ok":
        return payload
    kind, message, is_io, detail = payload
    raise StepError(kind, message, is_io, detail)


def _exit_reason(proc) -> str:
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"worker process killed by {name}"
    return f"worker process exited with code {code} without a result"
