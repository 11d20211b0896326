"""notebuilder installed on its own, as a student installs it: a wheel built from this
checkout, installed into a fresh virtualenv, run in an empty folder far from the
repository. The layouts it needs ship inside it."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import EPOCH, REPO

pytestmark = pytest.mark.e2e


def run(*arguments, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": ""}
    completed = subprocess.run(
        arguments, cwd=cwd, capture_output=True, text=True, env=environment, timeout=600
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def test_a_wheel_installed_in_a_fresh_virtualenv_builds_a_new_topic_in_an_empty_folder(tmp_path: Path):
    wheels = tmp_path / "wheels"
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        wheels,
        REPO,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("notebuilder-*.whl")
    environment = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", environment, cwd=tmp_path)
    site_packages = next((environment / "lib").glob("python3*/site-packages"))
    # The dependencies come from the test environment (no download); notebuilder itself
    # only from the wheel, which is installed first on the path.
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "-q",
        "--target",
        site_packages,
        wheel,
        cwd=tmp_path,
    )
    python = environment / "bin" / "python"
    where = run(python, "-c", "import notebuilder.render as r; print(r.PACKAGE_LAYOUTS)", cwd=tmp_path)
    assert str(site_packages) in where.stdout and (Path(where.stdout.strip()) / "booklet.html.j2").is_file()

    folder = tmp_path / "student"
    folder.mkdir()
    (tmp_path / "chapter.txt").write_text(
        "The Rajya Sabha can have at most 250 members.\nThe Lok Sabha can have at most 552 members.\n"
    )
    notebuilder = [python, "-m", "notebuilder"]
    run(
        *notebuilder,
        "new",
        "parliament",
        "--title",
        "Parliament",
        "--paper",
        "GS2",
        "--subject",
        "Polity",
        cwd=folder,
    )
    run(
        *notebuilder,
        "new-source",
        tmp_path / "chapter.txt",
        "--id",
        "laxmikanth",
        "--title",
        "Indian Polity",
        cwd=folder,
    )
    (folder / "notes" / "parliament" / "laxmikanth.yaml").write_text(
        "defaults:\n  source: laxmikanth\n  section: key-facts\nfragments:\n"
        "  - id: rajya-sabha-250\n    text: The **Rajya Sabha** can have at most **250** members.\n"
        "  - id: lok-sabha-552\n    text: The **Lok Sabha** can have at most **552** members.\n"
    )
    run(*notebuilder, "check", cwd=folder)
    built = run(*notebuilder, "build", "--format", "all", cwd=folder)
    out = folder / "build" / "parliament"
    for name in ("booklet.pdf", "booklet.epub", "selftest.pdf", "mindmaps.pdf", "cards.apkg", "notes.json"):
        assert (out / name).is_file(), (name, built.stderr)
    text = subprocess.run(["pdftotext", out / "booklet.pdf", "-"], capture_output=True, text=True).stdout
    assert "Rajya Sabha" in text and "552" in text
