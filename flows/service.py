"""A warm extractor service: one long-running process keeps spaCy and underthesea loaded (the
forkserver of flows/isolate.py), and `chidao ingest` hands its extractor calls to it.

Why: a cold `chidao ingest` must load spaCy and underthesea in some process before it can
extract anything; on this machine that alone costs about 3 s (bench/bench_ingest_one.py prints
it as the "NLP floor"), so one born-digital file cannot be done in under 3 s cold.  With the
service running (`chidao warm`, or beside `chidao watch` as a system service) the same command
only pays for its own start, the register and the work itself.

Nothing changes in what is computed: the service runs the very same module-level step
functions (the pipeline's stages) through flows.isolate.call (a forked child per call, killed on
timeout), and sends back the result or the error as isolate.call would have raised it.  The
client uses the service only when its socket answers, authenticates (a key file readable by this
user only) and runs the same code (a content fingerprint of extractors/, corpora/ and the steps);
otherwise the caller runs its stages locally as before.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import socket
import threading
import time
from multiprocessing.connection import Client, Listener
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from flows.isolate import StepCrashed, StepError, StepTimeout, call, warm

if TYPE_CHECKING:
    from flows.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def service_dir(settings: "Settings") -> Path:
    """CHIDAO_SERVICE_DIR, else $XDG_RUNTIME_DIR/chidao, else /tmp/chidao-UID (mode 0700)."""
    if settings.service_dir:
        return settings.service_dir
    runtime = settings.xdg_runtime_dir
    return runtime / "chidao" if runtime else Path(f"/tmp/chidao-{os.getuid()}")


def code_fingerprint() -> str:
    """Changes when the code the service would run changes (the pipeline's code and data, and the
    steps that call it): a service started before an upgrade must not answer for the new code."""
    from extractors.pipeline import code_fingerprint as pipeline_code

    h = hashlib.sha256(pipeline_code().encode())
    for f in (ROOT / "flows" / "steps.py", ROOT / "flows" / "isolate.py", ROOT / "flows" / "retry.py"):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _paths(directory: Path) -> tuple[Path, Path]:
    return directory / "extractors.sock", directory / "extractors.key"


# ---------------------------------------------------------------- the service

def ready_probe() -> None:
    """A call that only proves the worker processes are up (a module-level function, so the
    forkserver can run it)."""


class ServiceRunning(RuntimeError):
    """Another service owns the socket: a second one would cut it off from its clients."""


def _answers(sock: Path) -> bool:
    """Something listens on the socket (a live service), whatever its key: not a stale file."""
    if not sock.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(sock))
            return True
        except OSError:
            return False

def serve(directory: Path, *, ready: Optional[Callable[[str], None]] = None,
          stop: Optional[threading.Event] = None, log: Optional[Callable[[str], None]] = None) -> None:
    """Listen until `stop` is set (or the process is interrupted).  One thread per connection;
    each call runs in a forked child of the warm forkserver; `log` gets one line per call."""
    warm()
    d = directory
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    sock, keyfile = _paths(d)
    if _answers(sock):
        raise ServiceRunning(f"a chidao warm service already answers at {sock}")
    key = secrets.token_bytes(32)
    fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    if sock.exists():
        sock.unlink()    # left by a service that was killed: we hold the key now
    fingerprint = code_fingerprint()
    listener = Listener(str(sock), family="AF_UNIX", authkey=key)
    os.chmod(sock, 0o600)
    # First call through the forkserver now: the service says "ready" once it really is warm.
    call(ready_probe)
    if ready:
        ready(str(sock))

    def handle(conn) -> None:
        with conn:
            try:
                hello = conn.recv()
                if hello != ("chidao-extractors", fingerprint):
                    conn.send(("stale", fingerprint))
                    return
                conn.send(("ready", fingerprint))
                fn, args, kwargs, timeout = conn.recv()
                t = time.monotonic()
                try:
                    reply = ("ok", call(fn, *args, timeout=timeout, **kwargs))
                except StepTimeout as exc:
                    reply = ("timeout", str(exc))
                except StepCrashed as exc:
                    reply = ("crashed", str(exc))
                except StepError as exc:
                    reply = ("error", (exc.kind, exc.message, exc.is_io, exc.detail))
                if log:
                    log(f"{getattr(fn, '__name__', fn)}: {reply[0]} in {time.monotonic() - t:.2f} s")
                conn.send(reply)
            except (EOFError, OSError):
                pass    # the client went away (Ctrl-C): its child has answered or been killed

    stop = stop or threading.Event()

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn = listener.accept()
            except Exception:  # noqa: BLE001 - a client with the wrong key or one that hung up: refuse it, go on
                continue    # (once stop is set the listener is closed and the loop ends)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    acceptor = threading.Thread(target=accept_loop, daemon=True)
    acceptor.start()
    try:
        stop.wait()
    finally:
        stop.set()          # also on Ctrl-C: the accept loop ends with the listener
        listener.close()
        for p in (sock, keyfile):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


# ---------------------------------------------------------------- the client

class Service:
    """A connection factory to a running service; `call` mirrors flows.isolate.call."""

    def __init__(self, sock: Path, key: bytes, fingerprint: str):
        self.sock, self.key, self.fingerprint = sock, key, fingerprint

    def _open(self):
        conn = Client(str(self.sock), family="AF_UNIX", authkey=self.key)
        conn.send(("chidao-extractors", self.fingerprint))
        status, _ = conn.recv()
        if status != "ready":
            conn.close()
            raise ConnectionError("the extractor service runs other code (restart `chidao warm`)")
        return conn

    def call(self, fn: Callable, *args: Any, timeout: Optional[float] = None, **kwargs: Any) -> Any:
        with self._open() as conn:
            conn.send((fn, args, kwargs, timeout))
            try:
                tag, payload = conn.recv()
            except EOFError:
                raise StepCrashed("the extractor service went away during the call") from None
        if tag == "ok":
            return payload
        if tag == "timeout":
            raise StepTimeout(payload)
        if tag == "crashed":
            raise StepCrashed(payload)
        raise StepError(*payload)


def connect_for(settings: "Settings") -> Optional[Service]:
    """The service these settings point at, or None (also when CHIDAO_SERVICE=off)."""
    if settings.service == "off":
        return None
    return connect(service_dir(settings))


def connect(directory: Path) -> Optional[Service]:
    """The running service, or None (none running, another user's, a stale socket, older code).
    Costs a stat and one round trip; never raises."""
    sock, keyfile = _paths(directory)
    try:
        if not sock.exists():
            return None
        svc = Service(sock, keyfile.read_bytes(), code_fingerprint())
        svc._open().close()
        return svc
    except Exception:  # noqa: BLE001 - no service is the normal case: run locally
        return None
