"""The outside tools the tests run for real (Chromium, poppler, Tesseract with Vietnamese,
PostgreSQL), found in one place.

A missing tool never lets a test pass unnoticed in CI: under CI=true (what CI services set) the
test fails, naming the step that installs the tool; on a developer's machine it is skipped with
the same message.  Use `require_program` / `require_tesseract_vie` / `require_postgres`, never
a `skipif` of your own.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from typing import NoReturn

import pytest

PG_ENV = "CHIDAO_TEST_PG_URL"

# program -> (what it is, the step that installs it)
PROGRAMS = {
    "chromium": ("Debian's Chromium (the browser tests drive it through Playwright)",
                 "apt-get install chromium, or run the suite with: bash scripts/test.sh"),
    "pdftotext": ("poppler's pdftotext", "apt-get install poppler-utils (bash scripts/setup.sh installs it)"),
    "pdftoppm": ("poppler's pdftoppm", "apt-get install poppler-utils (bash scripts/setup.sh installs it)"),
    "tesseract": ("Tesseract OCR", "apt-get install tesseract-ocr tesseract-ocr-vie (bash scripts/setup.sh installs it)"),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def tool_missing(message: str) -> NoReturn:
    """Stop the test for a missing tool: a failure under CI=true, a skip elsewhere."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing tool fails the test, it is not skipped)", pytrace=False)
    pytest.skip(message)


def require_program(name: str) -> str:
    """The path of the program on PATH, or tool_missing() naming how to install it."""
    path = shutil.which(name)
    if path is None:
        what, install = PROGRAMS[name]
        tool_missing(f"{what}: {name} is not on PATH; install it: {install}")
    return path


def require_tesseract_vie() -> str:
    """The tesseract program, with the Vietnamese language data installed."""
    exe = require_program("tesseract")
    done = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=60)
    if "vie" not in (done.stdout + done.stderr).split():
        tool_missing(f"Tesseract has no Vietnamese data (vie); install it: {PROGRAMS['tesseract'][1]}")
    return exe


# ---------------------------------------------------------------- PostgreSQL

def pg_admin_url() -> str | None:
    """$CHIDAO_TEST_PG_URL as a SQLAlchemy psycopg URL, or None."""
    url = os.environ.get(PG_ENV)
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def require_postgres() -> str:
    url = pg_admin_url()
    if url:
        return url
    tool_missing(f"{PG_ENV} is not set, so the PostgreSQL half of the suite cannot run: run the suite with "
                 f"bash scripts/test.sh (it starts a private server and sets it), or export "
                 f"{PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:54330/postgres")


def with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def admin_exec(admin_url: str, *statements: str) -> None:
    """Run statements outside a transaction (CREATE/DROP DATABASE)."""
    from sqlalchemy import create_engine, text

    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            for s in statements:
                conn.execute(text(s))
    finally:
        eng.dispose()
