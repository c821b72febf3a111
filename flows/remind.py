"""The daily reminders as a Prefect deployment: `chidao remind --schedule "0 7 * * 1-5"`.

    serve_daily("0 7 * * 1-5", timezone="Asia/Ho_Chi_Minh")    # blocks; PREFECT_API_URL must be set

Serves the `chidao-remind` flow with a cron schedule on the Prefect server: every run is visible
in the UI with the command's output in its log, and a run missed while the process was down can
be started from the UI.  The flow runs `chidao remind` itself as a process, exactly as cron
would (`0 7 * * 1-5 cd /srv/chidao && .venv/bin/chidao remind`): the reminder job lives in
app/remind.py (it writes what departments read and attaches app/reports.py's XLSX), and a flow
does not import the application layer.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional

from prefect import flow, get_run_logger

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CRON = "0 7 * * 1-5"            # 07:00 on working days
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


class RemindFailed(Exception):
    """`chidao remind` exited non-zero (its message is the command's last lines)."""


@flow(name="chidao-remind", validate_parameters=False)
def daily_reminders(days: str = "7,3,1", db_url: Optional[str] = None) -> str:
    """One day's reminders: `chidao [--db URL] remind --days DAYS`; its output in the run's log."""
    cmd = [sys.executable, "-m", "app.cli", *(["--db", db_url] if db_url else []), "remind", "--days", days]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=3600)
    logger = get_run_logger()
    for line in (out.stdout + out.stderr).splitlines():
        logger.info(line)
    if out.returncode != 0:
        raise RemindFailed("\n".join((out.stdout + out.stderr).strip().splitlines()[-5:]))
    return out.stdout


def serve_daily(cron: str = DEFAULT_CRON, *, timezone: str = DEFAULT_TIMEZONE, days: str = "7,3,1",
                db_url: Optional[str] = None, name: str = "daily") -> None:
    """Serve the deployment `chidao-remind/NAME` on that schedule until SIGTERM/SIGINT."""
    from prefect.schedules import Cron

    daily_reminders.serve(name=name, schedules=[Cron(cron, timezone=timezone)],
                          parameters={"days": days, "db_url": db_url})
