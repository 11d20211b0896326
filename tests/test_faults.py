"""Faults under the build: a full disk, a worker killed under it, an output folder that
holds the wrong things, temporaries a killed build left, and planted links and caches."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SYLLABUS, make_project, run_notebuilder, start_build
from test_reliability import descendants

pytestmark = pytest.mark.e2e  # every test here runs notebuilder as a program

NOTES = "notes/demo/notes.yaml"
DEBRIS = (".nb-tmp-*", ".entry-*", ".pikepdf*", "*.tmp")


def debris(folder: Path) -> list[Path]:
    return [path for pattern in DEBRIS for path in folder.rglob(pattern)]


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # it ended as we looked (a Graphviz run)
        return b""


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and ".cache" not in path.parts
    }


@contextlib.contextmanager
def small_disk(where: Path, size: str):
    """A tmpfs of ``size`` mounted at ``where`` (root only: skipped where mounting is not allowed)."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"a small disk cannot be mounted here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` until about ``leave`` bytes are free."""
    status = os.statvfs(disk)
    free = status.f_bavail * status.f_frsize
    (disk / "filler").write_bytes(b"\0" * max(0, free - leave))


def edited(project: Path) -> None:
    notes = project / NOTES
    text = notes.read_text(encoding="utf-8")
    notes.write_text(
        text.replace("peace treaty restored", "peace treaty fully restored", 1), encoding="utf-8"
    )
    assert notes.read_text(encoding="utf-8") != text


def private_tmp(tmp_path: Path) -> dict[str, str]:
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    return {"TMPDIR": str(scratch)}


@pytest.mark.parametrize("leave", [40_000, 200_000])  # a PDF, then pandoc, finds the disk full
def test_a_full_disk_is_one_clear_message_and_keeps_the_last_good_outputs(tmp_path: Path, leave: int):
    project = make_project(tmp_path / "project")
    environment = private_tmp(tmp_path)
    with small_disk(tmp_path / "disk", "3m") as disk:
        out = disk / "out"
        first = run_notebuilder(
            "build", "--root", str(project), "--out", str(out), "--format", "all", env=environment
        )
        assert first.returncode == 0, first.stderr
        before = snapshot(out)
        fill(disk, leave)
        edited(project)
        started = time.monotonic()
        completed = run_notebuilder(
            "build", "--root", str(project), "--out", str(out), "--format", "all", env=environment
        )
        assert time.monotonic() - started < 60  # never hangs
        if completed.returncode == 0:  # enough room after all: then it is all written
            assert snapshot(out) != before
        else:
            assert completed.returncode == 3, completed.stderr
            (message,) = [line for line in completed.stderr.splitlines() if "could not write" in line]
            assert message.startswith(f"notebuilder: could not write {out}/")
            assert message.endswith(": No space left on device")
            assert "Traceback" not in completed.stderr and "1:1" not in completed.stderr
            assert snapshot(out) == before
        assert debris(out) == []
        assert list(Path(environment["TMPDIR"]).iterdir()) == []
        assert not (out / ".notebuilder.lock").exists()


def test_a_full_cache_only_costs_time_and_is_said_once(tmp_path: Path):
    project = make_project(tmp_path / "project")
    out = tmp_path / "out"
    with small_disk(out / ".cache", "64k") as cache:
        fill(cache, 0)
        completed = run_notebuilder("build", "--root", str(project), "--out", str(out), "--format", "pdf")
        assert completed.returncode == 0, completed.stderr
        assert completed.stderr.count("the cache could not be written") == 1
        assert "No space left on device" in completed.stderr
        assert (out / "demo" / "booklet.pdf").is_file()
        assert debris(cache) == []


def test_an_output_that_is_a_folder_changes_none_of_the_topics_files(tmp_path: Path):
    project = make_project(tmp_path / "project")
    out = tmp_path / "out"
    assert (
        run_notebuilder("build", "--root", str(project), "--out", str(out), "--format", "pdf").returncode == 0
    )
    (out / "demo" / "selftest.pdf").unlink()
    (out / "demo" / "selftest.pdf" / "in-the-way").mkdir(parents=True)
    before = snapshot(out)
    edited(project)
    completed = run_notebuilder("build", "--root", str(project), "--out", str(out), "--format", "pdf")
    assert completed.returncode == 3
    assert (
        f"could not write {out / 'demo' / 'selftest.pdf'}: a folder of that name is in the way"
        in completed.stderr
    )
    assert snapshot(out) == before  # notes.json and the booklet too: all or nothing
    assert debris(out) == []


def test_a_worker_killed_under_the_build_fails_it_within_seconds_naming_the_output(tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(SYLLABUS, project)  # three topics: the workers are busy for a while
    process = start_build(project, "--format", "all", "--combined")  # every output: work left to kill
    deadline = time.monotonic() + 60
    while not list((project / "build").rglob(".nb-tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.01)  # the workers are writing now
    workers = [pid for pid in descendants(process.pid) if b"notebuilder" in command_line(pid)]
    assert workers, "the build has no workers to kill"
    for worker in workers:  # every one: a worker that was idle would leave the build nothing to fail on
        os.kill(worker, signal.SIGKILL)
    killed = time.monotonic()
    _, stderr = process.communicate(timeout=60)
    assert time.monotonic() - killed < 10
    assert process.returncode == 3, stderr
    assert f"writing {project / 'build'}/".encode() in stderr, stderr  # what it was writing, or what was left
    assert b"died (killed by SIGKILL" in stderr, stderr
    assert not (project / "build" / ".notebuilder.lock").exists()
    assert debris(project / "build") == []
    again = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert again.returncode == 0, again.stderr


def test_scratch_folders_of_killed_builds_are_swept_and_live_ones_kept(tmp_path: Path):
    environment = private_tmp(tmp_path)
    scratch = Path(environment["TMPDIR"])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = scratch / f"notebuilder-maps-{dead.stdout.strip()}-abc"
    young = scratch / f"notebuilder-pandoc-{dead.stdout.strip()}-def"
    live = scratch / f"notebuilder-deck-{os.getpid()}-ghi"  # this test process runs
    other = scratch / "somebody-elses-folder"
    for folder in (stale, young, live, other):
        (folder / "inside").mkdir(parents=True)
    hour_ago = time.time() - 3600
    for folder in (stale, live, other):
        os.utime(folder, (hour_ago, hour_ago))
    project = make_project(tmp_path / "project")
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf", env=environment)
    assert completed.returncode == 0, completed.stderr
    assert sorted(path.name for path in scratch.iterdir()) == sorted(
        folder.name for folder in (young, live, other)
    )


def test_an_output_replaced_or_linked_away_is_not_up_to_date(tmp_path: Path):
    project = make_project(tmp_path / "project")
    assert run_notebuilder("build", "--root", str(project), "--format", "pdf").returncode == 0
    booklet = project / "build" / "demo" / "booklet.pdf"
    ours = booklet.read_bytes()
    foreign = tmp_path / "foreign.pdf"
    foreign.write_bytes((project / "build" / "demo" / "selftest.pdf").read_bytes())
    booklet.unlink()
    booklet.symlink_to(foreign)
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert completed.returncode == 0 and "up to date" not in completed.stdout
    assert not booklet.is_symlink() and booklet.read_bytes() == ours
    booklet.write_bytes(foreign.read_bytes())  # replaced in place by another file
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert "up to date" not in completed.stdout and booklet.read_bytes() == ours
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert "demo: up to date" in completed.stdout


def test_a_lock_planted_as_a_link_makes_nothing_outside_the_output_folder(tmp_path: Path):
    project = make_project(tmp_path / "project")
    (project / "build").mkdir()
    outside = tmp_path / "outside.txt"
    (project / "build" / ".notebuilder.lock").symlink_to(outside)
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert completed.returncode == 3
    assert "is a symbolic link; a build writes nothing through it" in completed.stderr
    assert not outside.exists()


# ------------------------------------------------------------------ what is printed


def test_control_characters_in_names_are_shown_as_escapes(tmp_path: Path):
    from notebuilder.errors import printable

    assert printable("a\x1b[2Jb\x07c\u202ed\ttab") == "a\\x1b[2Jb\\x07c\\u202ed\\ttab"
    assert printable("Lok Sabha — ₹ 5 crore, हिन्दी") == "Lok Sabha — ₹ 5 crore, हिन्दी"
    project = make_project(tmp_path / "project")
    crafted = project / "notes" / "demo" / "evil\x1b]0;pwned\x07\u202e.yaml"
    crafted.write_text("fragments: [\n", encoding="utf-8")
    completed = run_notebuilder("check", "--root", str(project))
    assert completed.returncode == 1
    assert "evil\\x1b]0;pwned\\x07\\u202e.yaml:" in completed.stderr
    assert not any(character in completed.stderr for character in "\x1b\x07\u202e")


def test_many_warnings_of_one_kind_are_summarised_after_twenty(tmp_path: Path):
    project = make_project(tmp_path / "project")
    topic = project / "notes" / "demo" / "topic.yaml"
    empty = "".join(f"  - id: empty-{number}\n    title: Empty {number}\n" for number in range(45))
    topic.write_text(topic.read_text(encoding="utf-8") + empty, encoding="utf-8")
    completed = run_notebuilder("check", "--root", str(project))
    assert completed.returncode == 0, completed.stderr
    lines = completed.stderr.splitlines()
    assert sum("has no fragments yet" in line for line in lines) == 21  # 20, then the count
    assert lines[-1].startswith("notebuilder: 25 more warnings like \"section '…' has no fragments yet")
    strict = run_notebuilder("check", "--root", str(project), "-W")  # as errors, every one is listed
    assert strict.returncode == 1 and strict.stderr.count("has no fragments yet") == 45


# ------------------------------------------------------------------ nothing read from outside


@pytest.mark.parametrize("where", ["seeds/alpha.txt", "notes/demo/notes.yaml", "layouts/booklet.css"])
def test_a_link_leading_outside_the_project_is_refused_unless_allowed(tmp_path: Path, where: str):
    project = make_project(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    inside = project / where
    inside.parent.mkdir(parents=True, exist_ok=True)
    secret = elsewhere / inside.name
    if inside.exists():
        secret.write_bytes(inside.read_bytes())
        inside.unlink()
    else:  # a layout of notebuilder's own, overridden by a link
        from notebuilder.render import PACKAGE_LAYOUTS

        secret.write_bytes((PACKAGE_LAYOUTS / inside.name).read_bytes())
    inside.symlink_to(secret)
    for command in ("check", "build", "coverage"):
        completed = run_notebuilder(command, "--root", str(project))
        if command == "check" and where.startswith("layouts/"):
            continue  # check reads no layout
        assert completed.returncode == 1, (command, completed.stderr)
        assert f"{where}:1:1: error: cannot read the " in completed.stderr, command
        assert f"it is a symbolic link to {secret}, outside the project" in completed.stderr
    assert not (project / "build" / "demo" / "coverage.html").exists()
    # The PDFs read every kind of file linked here (seeds, notes and the booklet's layout).
    allowed = run_notebuilder(
        "build", "--root", str(project), "--format", "pdf", "--allow-outside", str(elsewhere)
    )
    assert allowed.returncode == 0, allowed.stderr


def test_the_output_of_a_topic_no_longer_there_is_named_and_left(tmp_path: Path):
    project = make_project(tmp_path / "project")
    assert run_notebuilder("build", "--root", str(project), "--format", "pdf").returncode == 0
    (project / "notes" / "demo").rename(project / "notes" / "renamed")
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert completed.returncode == 0, completed.stderr
    old = project / "build" / "demo"
    assert f"notebuilder: {old} is the output of a topic that is no longer in notes/" in completed.stderr
    assert (old / "booklet.pdf").is_file() and (project / "build" / "renamed" / "booklet.pdf").is_file()
