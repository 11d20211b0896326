"""The code is formatted and linted by ruff (configured in pyproject.toml): a finding fails `make test`."""

from __future__ import annotations

import subprocess
import sys

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
