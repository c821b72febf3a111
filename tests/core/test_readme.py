"""Keep the README honest: the commands it shows exist, and every command is shown."""
import re
from pathlib import Path

import pytest
from typer.main import get_command

from app.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = set(get_command(app).commands)


def readme_commands() -> set[str]:
    found = set()
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            for m in re.finditer(r"(?:^|[\s/])chidao(?:\s+--db\s+\S+)?\s+([a-z][a-z-]*)", line):
                found.add(m.group(1))
    return found


def test_readme_shows_only_real_commands():
    unknown = readme_commands() - COMMANDS
    assert not unknown, f"README shows commands the CLI lacks: {sorted(unknown)}"


def test_every_command_is_in_the_readme():
    missing = COMMANDS - readme_commands()
    assert not missing, f"commands missing from README: {sorted(missing)}"


@pytest.mark.parametrize("script", ["scripts/setup.sh", "scripts/test.sh"])
def test_readme_names_the_two_setup_scripts(script):
    assert f"bash {script}" in README
    assert (ROOT / script).exists()


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci
