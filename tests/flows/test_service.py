"""The warm extractor service (`chidao warm`, flows/service.py): `chidao ingest` hands it its
extractor calls when it runs, and runs them itself when it does not, is another version, or
does not know the key."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from hashlib import sha256

import pytest

from flows import service as svc
from flows.isolate import StepError
from tests.flows.conftest import CLI, ROOT, register_rows

pytestmark = pytest.mark.slow


@pytest.fixture
def running(tmp_path, monkeypatch):
    """A service in this process (a thread), in a directory of its own."""
    d = tmp_path / "svc"
    stop, up, lines = threading.Event(), threading.Event(), []
    t = threading.Thread(target=svc.serve, args=(d,), kwargs=dict(stop=stop, ready=lambda _: up.set(), log=lines.append),
                         daemon=True)
    t.start()
    assert up.wait(300), "the service did not come up"
    yield d, lines
    stop.set()
    t.join(30)
    assert not (d / "extractors.sock").exists() and not (d / "extractors.key").exists()


def test_calls_run_in_the_service_and_errors_come_back_typed(running):
    d, lines = running
    service = svc.connect(d)
    assert service is not None
    from extractors.pipeline import PIPELINE, Options

    assert service.call(svc.ready_probe, timeout=60) is None
    with pytest.raises(StepError) as err:
        service.call(PIPELINE["structure"].run, None, Options(), timeout=60)   # a defect in a stage: raised where it happened
    assert err.value.kind == "ValidationError" and not err.value.is_io    # Directive(document=None)
    assert "in structure" in err.value.detail and "ValidationError" in err.value.detail   # the child's traceback comes back
    assert [l.split(":")[0] for l in lines] == ["ready_probe", "structure"]
    assert lines[1].startswith("structure: error in ")


def test_no_service_other_code_or_wrong_key_means_run_locally(running, tmp_path, monkeypatch):
    d, _ = running
    assert svc.connect(tmp_path / "nowhere") is None
    monkeypatch.setattr(svc, "code_fingerprint", lambda: "an-older-version")
    assert svc.connect(d) is None                            # the service runs other code: not used
    monkeypatch.undo()
    from flows.settings import load_settings

    assert svc.connect_for(load_settings(service="auto", service_dir=d)) is not None
    assert svc.connect_for(load_settings(service="off", service_dir=d)) is None    # CHIDAO_SERVICE=off
    (d / "extractors.key").write_bytes(b"x" * 32)            # not the key the service holds
    assert svc.connect(d) is None


def test_chidao_ingest_uses_a_running_warm_service(tmp_path, directive_pdf):
    d = tmp_path / "svc"
    env = {**os.environ, "CHIDAO_SERVICE": "auto", "CHIDAO_SERVICE_DIR": str(d), "CHIDAO_DB": f"sqlite:///{tmp_path}/r.db"}
    warm = subprocess.Popen([*CLI, "warm"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert warm.stderr.readline() == f"extractors loaded; `chidao ingest` uses them through {d / 'extractors.sock'}\n"
        pdf = directive_pdf("ct.pdf", 41)
        out = subprocess.run([*CLI, "ingest", str(pdf)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        assert out.stdout.startswith(f"{pdf}: văn bản mới {sha256(pdf.read_bytes()).hexdigest()[:16]}, 2 nhiệm vụ, ")
        served = [warm.stderr.readline().split(":")[0] for _ in range(3)]
        assert served == ["read", "structure", "obligations"]     # the pipeline's stages, in order
    finally:
        warm.terminate()
        warm.wait(30)
    assert warm.returncode == 0
    assert not (d / "extractors.sock").exists()
    assert register_rows(env["CHIDAO_DB"]) == [(sha256(pdf.read_bytes()).hexdigest(), "ct.pdf", "ok")]


def test_a_second_service_refuses_to_cut_off_the_first_and_a_stale_socket_is_replaced(running, tmp_path):
    d, _ = running
    with pytest.raises(svc.ServiceRunning, match="already answers"):
        svc.serve(d, stop=threading.Event())
    assert svc.connect(d) is not None                       # the first one still serves

    import socket

    stale = tmp_path / "stale"
    stale.mkdir()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(stale / "extractors.sock"))                   # a socket file nobody listens on (a killed service)
    s.close()
    assert not svc._answers(stale / "extractors.sock")
