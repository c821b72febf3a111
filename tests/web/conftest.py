import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "staff"))


@pytest.fixture
def live():
    """serve(app) -> base URL: the app on a free loopback port through uvicorn, in a thread,
    as `chidao serve` runs it; stopped after the test."""
    import socket
    import threading
    import time

    import uvicorn

    running = []

    def serve(app) -> str:
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
        running.append((srv, th, app))
        return f"http://127.0.0.1:{port}"

    yield serve
    for srv, th, app in running:
        srv.should_exit = True
        th.join(10)
        reader = getattr(app.state.site, "reader", None)
        if reader is not None:
            reader.wait(120)       # nothing of ours left running after the test
