"""The rules modules are pure: they import and run without Django set up and without a database
(pyproject's import-linter contract forbids their direct ORM imports; this catches the indirect
ones, such as a module they import that loads the User model)."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pure_modules() -> list[str]:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    [pure] = [c for c in contracts if c["name"] == "Pure rules import no ORM"]
    return list(pure["source_modules"])


@pytest.mark.parametrize("module", pure_modules())
def test_a_rules_module_imports_with_no_django_settings_at_all(module: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, "-c", f"import {module}"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
