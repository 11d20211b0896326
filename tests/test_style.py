"""The code is formatted and linted by ruff (configured in pyproject.toml): a finding fails `make test`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO


def ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments], cwd=REPO, capture_output=True, text=True
    )


def test_ruff_finds_nothing():
    completed = ruff("check", "--no-cache", ".")
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_ruff_format_changes_nothing():
    completed = ruff("format", "--check", "--no-cache", ".")
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.e2e
def test_imports_point_one_way():
    """cli -> commands -> build -> outputs -> rendering and back ends -> stages -> model: the
    contract in pyproject.toml, checked by import-linter."""
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.e2e
def test_mypy_finds_no_type_error():
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"], cwd=REPO, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
