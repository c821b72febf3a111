"""tests/tools.py: under CI=true a missing outside tool fails the test that needs it, naming the
install step; elsewhere the test is skipped with the same message."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import PG_ENV, require_postgres, require_program, require_tesseract_vie

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bare_path(tmp_path, monkeypatch) -> Path:
    """PATH holds one empty folder: no chromium, poppler or tesseract on it."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


@pytest.mark.parametrize("program, install", [
    ("chromium", "apt-get install chromium"),
    ("pdftotext", "apt-get install poppler-utils"),
    ("pdftoppm", "apt-get install poppler-utils"),
    ("tesseract", "apt-get install tesseract-ocr tesseract-ocr-vie"),
])
def test_a_missing_program_fails_in_ci_and_skips_elsewhere(bare_path, monkeypatch, program, install):
    monkeypatch.setenv("CI", "true")
    expected = re.escape(f"{program} is not on PATH; install it: {install}")
    with pytest.raises(pytest.fail.Exception, match=expected):
        require_program(program)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match=expected):
        require_program(program)


def test_tesseract_without_vietnamese_data_fails_in_ci(tmp_path, monkeypatch):
    """The real tesseract, pointed at a language folder without vie."""
    require_program("tesseract")
    empty = tmp_path / "tessdata"
    empty.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(empty))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"no Vietnamese data \(vie\); install it: apt-get install tesseract-ocr tesseract-ocr-vie"):
        require_tesseract_vie()


def test_postgres_missing_fails_in_ci(monkeypatch):
    monkeypatch.delenv(PG_ENV, raising=False)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="bash scripts/test.sh"):
        require_postgres()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="bash scripts/test.sh"):
        require_postgres()


def test_present_programs_are_found():
    """The tools this machine has are returned, not skipped (the same calls the tests make)."""
    assert Path(require_program("pdftotext")).name == "pdftotext"
    assert Path(require_tesseract_vie()).name == "tesseract"


def run_browser_tests(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/web/test_web_browser.py::test_clerk_flow", "-p", "no:cacheprovider",
         "-q", "-rfs", "--no-header"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_browser_test_fails_not_skips_in_ci_without_chromium(tmp_path):
    """The real browser test, run with CI=true and a PATH on which Chromium is not found."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {**os.environ, "CI": "true", "PATH": str(empty), "PYTHONPATH": str(ROOT)}
    done = run_browser_tests(env)
    # The Chromium fixture stops it at set-up: pytest reports an error, exit status 1.
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("1 error in "), done.stdout
    assert "chromium is not on PATH; install it: apt-get install chromium" in done.stdout
    env.pop("CI")
    done = run_browser_tests(env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("1 skipped in "), done.stdout
    assert "chromium is not on PATH; install it: apt-get install chromium" in done.stdout
