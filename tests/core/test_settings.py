"""The settings (flows/settings.py): the only module that reads the environment, its table in
the README, and what a bad value gives (one Vietnamese line naming the variable, no traceback)."""
from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.settings import DEFAULT_DB, SettingsError, load_settings, quick_settings, variables_table

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("extractors", "models", "flows", "app", "corpora")   # what pyproject installs
SETTINGS_MODULE = ROOT / "flows" / "settings.py"
ENVIRONMENT_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def environment_uses(source: str) -> list[int]:
    """Line numbers where SOURCE reads or writes the process environment through `os`."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_NAMES:
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and \
                any(a.name in ENVIRONMENT_NAMES for a in node.names):
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_every_way_in():
    assert environment_uses("import os\nos.environ['A'] = '1'\n") == [2]
    assert environment_uses("import os\nx = os.getenv('A')\n") == [2]
    assert environment_uses("from os import environ\n") == [1]
    assert environment_uses("x = __import__('os').environ.get('A')\n") == [1]
    assert environment_uses("from app.web.templating import environment\nenvironment()\n") == []


def test_only_the_settings_module_touches_the_environment():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == SETTINGS_MODULE:
                continue
            found += [f"{path.relative_to(ROOT)}:{n}" for n in environment_uses(path.read_text(encoding="utf-8"))]
    assert not found, f"reads or writes os.environ outside flows/settings.py: {found}"
    assert environment_uses(SETTINGS_MODULE.read_text(encoding="utf-8"))   # the scan sees the one that does


def test_readme_table_is_the_settings_class():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert variables_table() in readme, "README's table of variables differs from flows/settings.py:\n" + variables_table()


def test_defaults_and_names(monkeypatch):
    for name in ("CHIDAO_DB", "CHIDAO_DOC_TIMEOUT", "CHIDAO_SERVICE", "PREFECT_API_URL", "CHIDAO_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    assert (s.db, s.doc_timeout, s.service, s.prefect_api_url, s.token) == (DEFAULT_DB, 900.0, "auto", None, None)
    assert not s.given("db")
    monkeypatch.setenv("CHIDAO_DOC_TIMEOUT", "30")
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")    # another program's name, read as is
    monkeypatch.setenv("CHIDAO_SERVICE", "off")
    s = load_settings(db="sqlite:///x.db")                                  # an override wins
    assert (s.db, s.doc_timeout, s.prefect_api_url, s.service) == ("sqlite:///x.db", 30.0, "http://127.0.0.1:4200/api", "off")
    assert s.given("db") and s.given("doc_timeout") and not s.given("token")


@pytest.mark.parametrize("value", [None, "", "postgresql+psycopg://u@h/db"])
def test_quick_settings_agree_with_the_settings(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CHIDAO_DB", raising=False)
    else:
        monkeypatch.setenv("CHIDAO_DB", value)
    assert quick_settings().db == load_settings().db
    assert quick_settings(db="sqlite:///o.db").db == load_settings(db="sqlite:///o.db").db == "sqlite:///o.db"


def test_quick_settings_carry_what_the_pdf_lists_print(monkeypatch):
    monkeypatch.setenv("CHIDAO_OFFICE", "UBND TỈNH BÌNH ĐỊNH/VĂN PHÒNG")
    monkeypatch.setenv("CHIDAO_PLACE", "Bình Định")
    monkeypatch.delenv("CHIDAO_SIGNER", raising=False)
    q, s = quick_settings(), load_settings()
    assert (q.office, q.place, q.signer) == (s.office, s.place, s.signer) == ("UBND TỈNH BÌNH ĐỊNH/VĂN PHÒNG", "Bình Định", "")


@pytest.mark.parametrize("name, value, what", [
    ("CHIDAO_DOC_TIMEOUT", "mười phút", "phải là một số"),
    ("CHIDAO_DOC_TIMEOUT", "0", "phải lớn hơn 0"),
    ("CHIDAO_UPLOAD_MAX_MB", "-5", "phải lớn hơn 0"),
    ("CHIDAO_SERVICE", "tat", "chỉ nhận một trong các giá trị cho phép"),
])
def test_a_bad_value_names_the_variable_in_vietnamese(monkeypatch, name, value, what):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    message = str(err.value)
    assert message.startswith(f"Biến môi trường {name}={value} không hợp lệ: {what}.")
    assert f"export {name}=" in message and f"unset {name}" in message
    example = message.split(f"export {name}=")[1].split()[0]
    monkeypatch.setenv(name, example)                       # the value the message suggests works
    assert load_settings()


def test_the_cli_says_it_in_one_line_and_exits_2(monkeypatch, tmp_path):
    from app.cli import app

    monkeypatch.setenv("CHIDAO_DOC_TIMEOUT", "abc")
    r = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path}/r.db", "documents"])
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[0].startswith("Biến môi trường CHIDAO_DOC_TIMEOUT=abc không hợp lệ")
    assert "Traceback" not in r.output


def test_db_option_is_passed_down_not_written(monkeypatch, tmp_path):
    from app.cli import app

    monkeypatch.delenv("CHIDAO_DB", raising=False)
    url = f"sqlite:///{tmp_path}/given.db"
    r = CliRunner().invoke(app, ["--db", url, "documents"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "given.db").is_file()          # the register was opened where --db said
    assert "CHIDAO_DB" not in os.environ
