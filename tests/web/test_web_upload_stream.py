"""Uploads through a real server (uvicorn) and a raw socket: a chunked body with no
Content-Length is cut off at the limit while it streams (nothing over the limit on disk, memory
flat), and in token mode an anonymous upload is refused before its body is read."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

MB = 1024 * 1024
BOUNDARY = "----chidao-test"


@pytest.fixture
def serve(tmp_path):
    import uvicorn

    from app.web.main import create_app

    servers = []

    def start(**kw):
        # read_uploads=False: the test looks at what the upload left in the intake, before any reading
        app = create_app(db_url=f"sqlite:///{tmp_path}/r.db", intake=tmp_path / "intake", max_upload_mb=1,
                         read_uploads=False, **kw)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        th = threading.Thread(target=srv.run, daemon=True)
        th.start()
        deadline = time.time() + 30
        while not srv.started and time.time() < deadline:
            time.sleep(0.05)
        assert srv.started, "uvicorn did not start"
        servers.append((srv, th))
        return port

    yield start
    for srv, th in servers:
        srv.should_exit = True
        th.join(10)


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _form_session(port: int) -> tuple[str, str]:
    """(the Cookie header, the form token) of a browser that opened the upload page."""
    import re
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/upload") as r:
        cookie = r.headers["set-cookie"].split(";", 1)[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.read().decode()).group(1)
    return f"Cookie: {cookie}\r\n", token


def _chunked_upload(port: int, total_mb: int, intake: Path, extra: str = "", block: bytes = b"x" * MB,
                    token: str = "") -> dict:
    """Send a multipart body of `total_mb` MB with Transfer-Encoding: chunked (no Content-Length),
    1 MB a chunk, until the server stops taking it; watch the intake folder and this process's
    memory meanwhile.  What was sent, the answer's first line, the largest file seen, the RSS growth.
    TOKEN: the form token sent first in the form, as a browser sends the upload page's form."""
    seen = {"file": 0, "rss": 0, "answer": b""}
    done = threading.Event()
    start_rss = _rss()

    def watch():
        while not done.is_set():
            for p in intake.glob("*") if intake.exists() else ():
                try:
                    seen["file"] = max(seen["file"], p.stat().st_size)
                except FileNotFoundError:
                    pass
            seen["rss"] = max(seen["rss"], _rss() - start_rss)
            time.sleep(0.01)

    sock = socket.create_connection(("127.0.0.1", port))

    def read():
        try:
            while chunk := sock.recv(65536):
                seen["answer"] += chunk
        except OSError:
            pass

    threads = [threading.Thread(target=watch), threading.Thread(target=read)]
    for t in threads:
        t.start()
    head = (f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n{extra}"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nTransfer-Encoding: chunked\r\n\r\n")
    part = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode()
    if token:
        part = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n").encode() + part
    sent = 0
    try:
        sock.sendall(head.encode())
        sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        for _ in range(total_mb):
            sock.sendall(b"%x\r\n%s\r\n" % (len(block), block))
            sent += 1
        end = f"\r\n--{BOUNDARY}--\r\n".encode()
        sock.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(end), end))
    except OSError:            # the server answered and closed: it stopped taking the body
        pass
    time.sleep(0.5)
    sock.close()
    done.set()
    for t in threads:
        t.join(10)
    return {"sent_mb": sent, "status": seen["answer"].split(b"\r\n", 1)[0], "largest": seen["file"],
            "rss": seen["rss"], "left": sorted(p.name for p in intake.glob("*")) if intake.exists() else []}


def test_a_chunked_upload_is_cut_off_at_the_limit(serve, tmp_path):
    port = serve()
    cookie, token = _form_session(port)
    got = _chunked_upload(port, 200, tmp_path / "intake", extra=cookie, token=token)
    assert got["status"] == b"HTTP/1.1 413 Request Entity Too Large"
    assert got["sent_mb"] < 20                          # the server stopped taking it long before 200 MB
    assert got["largest"] <= 1 * MB                      # never more than the limit on disk
    assert got["left"] == []                             # the partial file removed
    assert got["rss"] < 60 * MB


@pytest.mark.parametrize("with_cookie, token", [(False, ""), (True, ""), (True, "0" * 64), (False, "0" * 64)])
def test_an_upload_without_its_form_token_writes_nothing(serve, tmp_path, with_cookie, token):
    """Loopback, no login: the form token is checked when the file part begins, before a byte of
    it is written, whatever the body's size."""
    port = serve()
    cookie, _ = _form_session(port)
    got = _chunked_upload(port, 200, tmp_path / "intake", extra=cookie if with_cookie else "", token=token)
    assert got["status"] == b"HTTP/1.1 403 Forbidden"
    assert got["sent_mb"] < 20 and got["largest"] == 0 and got["left"] == []


def test_an_anonymous_upload_is_refused_before_its_body_is_read(serve, tmp_path):
    port = serve(host="127.0.0.1", token="s3cret")
    got = _chunked_upload(port, 200, tmp_path / "intake")
    assert got["status"] == b"HTTP/1.1 401 Unauthorized"
    assert got["sent_mb"] < 50 and got["largest"] == 0 and got["left"] == []


@pytest.mark.parametrize("blocks, status, left", [
    (1, b"HTTP/1.1 303 See Other", ["big.pdf"]),
    (0, b"HTTP/1.1 400 Bad Request", []),                     # an empty file
])
def test_a_logged_in_chunked_upload_within_the_limit_is_taken(serve, tmp_path, blocks, status, left):
    port = serve(host="127.0.0.1", token="s3cret")
    got = _chunked_upload(port, blocks, tmp_path / "intake", extra="X-Chidao-Token: s3cret\r\n",
                          block=b"%PDF-1.4 small")
    assert (got["status"], got["left"]) == (status, left)
    if left:
        assert (tmp_path / "intake" / "big.pdf").read_bytes() == b"%PDF-1.4 small"
