"""The daily reminders as a Prefect deployment: `chidao remind --schedule` serves `chidao-remind/
daily` with its cron schedule (in Vietnam's time zone) on a real Prefect server, and a run of it
sends the reminders through a real SMTP server (aiosmtpd, tests/staff/test_remind.py)."""
from __future__ import annotations

import os
import time

import pytest

from tests.flows.conftest import CLI
from tests.flows.test_scale_out import PREFECT, Procs, free_port, wait_for
from tests.staff.test_remind import remind_cli, received_mails, reminder_register, smtp_server  # noqa: F401 - a fixture

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("flows-remind")]


def test_the_daily_deployment_sends_the_reminders(tmp_path, smtp_server):  # noqa: F811
    import httpx
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    port, box = smtp_server
    url = f"sqlite:///{tmp_path / 'register.db'}"
    reminder_register(tmp_path / "files", url)
    prefect_port = free_port()
    api = f"http://127.0.0.1:{prefect_port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_API_URL": api,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
           "CHIDAO_DB": url, "CHIDAO_SMTP_HOST": "127.0.0.1", "CHIDAO_SMTP_PORT": str(port), "PYTHONUNBUFFERED": "1"}
    for unit, address in (("Công an tỉnh", "congan@example.gov.vn"), ("Sở Tư pháp", "stp@example.gov.vn"),
                          ("Sở Y tế", "soyte@example.gov.vn")):
        assert remind_cli("unit", "email", unit, address, env=env).returncode == 0
    procs = Procs(tmp_path / "logs", env)
    try:
        procs.start("server", PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(prefect_port))

        def healthy() -> bool:
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, 240, "the Prefect server", lambda: procs.log("server"))
        procs.start("remind", *CLI, "remind", "--schedule", "0 7 * * 1-5")
        with temporary_settings(updates={PREFECT_API_URL: api}):
            with get_client(sync_client=True) as client:
                wait_for(lambda: any(d.name == "daily" for d in client.read_deployments()), 240, "the deployment",
                         lambda: procs.log("remind"))
                [dep] = [d for d in client.read_deployments() if d.name == "daily"]
                assert [(s.schedule.cron, s.schedule.timezone) for s in dep.schedules] == [
                    ("0 7 * * 1-5", "Asia/Ho_Chi_Minh")]
                # A run started now, as the schedule starts one: it reasons from the real today, so
                # the tasks (placed around 2025-03-10) are overdue and go out to all three.
                run = client.create_flow_run_from_deployment(dep.id)
                end = time.monotonic() + 300
                while time.monotonic() < end and not client.read_flow_run(run.id).state.is_final():
                    time.sleep(2)
                state = client.read_flow_run(run.id).state
        assert state.is_completed(), procs.log("remind")[-3000:]
    finally:
        procs.kill_all()
    mails = {m["To"]: m["Subject"] for m in received_mails(box)}
    assert set(mails) == {"congan@example.gov.vn", "stp@example.gov.vn", "soyte@example.gov.vn"}
    assert mails["congan@example.gov.vn"].startswith("[Nhắc việc] Công an tỉnh: 5 nhiệm vụ quá hạn (ngày ")
    assert "đã gửi: Công an tỉnh <congan@example.gov.vn>: 5 nhắc việc" in procs.log("remind")   # the run's log
