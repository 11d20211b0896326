"""Reliability, round two: unreadable files, concurrent and killed builds, orphan
processes, missing glyphs, impossible characters, contradictory groupings, bad
SOURCE_DATE_EPOCH values; and a stress test of overlapping, killed builds."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import (
    EPOCH,
    TEST_RUN_MARK,
    epubcheck,
    make_project,
    pdf_page_count,
    pdftotext,
    run_notebuilder,
    start_build,
    wait_until_writing,
)

pytestmark = pytest.mark.e2e  # every test here builds real outputs or runs notebuilder

NOTES = "notes/demo/notes.yaml"


def base_notes() -> str:
    from conftest import BASE_PROJECT

    return (BASE_PROJECT / NOTES).read_text(encoding="utf-8")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (read from /proc), to catch orphans."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def ours(process: Path) -> bool:
    """Whether a process was started by this test process (see TEST_RUN_MARK)."""
    try:
        return TEST_RUN_MARK.encode() in (process / "environ").read_bytes().split(b"\0")
    except OSError:
        return False


def tool_processes(root: Path) -> list[str]:
    """Processes still working for a build in ``root``: notebuilder itself, twopi, pandoc."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if str(root) in command or ("twopi" in command and "-Tsvg" in command and ours(entry)):
                alive.append(command)
    return alive


# ------------------------------------------------------------------ files the loader is shown


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.symlink_to(path.name), "a symbolic link that loops back on itself"),
        (
            lambda path: path.symlink_to("nowhere.yaml"),
            "a symbolic link to nowhere.yaml, which does not exist",
        ),
        (lambda path: path.mkdir(), "a folder or a special file"),
        (lambda path: os.mkfifo(path), "a folder or a special file"),
    ],
    ids=["loop", "dangling", "folder", "fifo"],
)
def test_a_notes_file_that_cannot_be_read_is_reported_not_dropped(tmp_path: Path, make, message):
    project = make_project(tmp_path)
    make(project / "notes" / "demo" / "broken.yaml")
    completed = run_notebuilder("check", "--root", str(project))
    assert completed.returncode == 1
    assert f"notes/demo/broken.yaml:1:1: error: cannot read the file: it is {message}" in completed.stderr


def test_a_dangling_sources_file_is_named(tmp_path: Path):
    project = make_project(tmp_path)
    registry = project / "seeds" / "sources.yaml"
    registry.unlink()
    registry.symlink_to("gone.yaml")
    completed = run_notebuilder("check", "--root", str(project))
    assert (
        "seeds/sources.yaml:1:1: error: cannot read the file: it is a symbolic link to gone.yaml"
        in completed.stderr
    )


# ------------------------------------------------------------------ input that is never right


def test_characters_xml_cannot_hold_are_refused_whatever_the_escape(tmp_path: Path):
    for escape in ("\\0", "\\x01", "\\u001f", "\\uFFFE"):
        notes = base_notes() + f'  - id: bad\n    section: trade\n    text: "before{escape}after"\n'
        project = make_project(tmp_path / escape.strip("\\"), {NOTES: notes})
        completed = run_notebuilder("build", "--root", str(project), "--format", "epub")
        assert completed.returncode == 1, escape
        assert "notes/demo/notes.yaml:14:11: error: 'text' holds the character U+" in completed.stderr
        assert not (project / "build").exists()


def test_a_key_with_a_contradicting_distinct_is_an_error_naming_both(tmp_path: Path):
    notes = base_notes().replace("  - id: fdi\n", "  - id: fdi\n    key: same\n    distinct: [treaty]\n")
    notes = notes.replace("  - id: treaty\n", "  - id: treaty\n    key: same\n")
    completed = run_notebuilder("check", "--root", str(make_project(tmp_path, {NOTES: notes})))
    assert completed.returncode == 1
    assert "error: 'fdi' and 'treaty' (notes/demo/notes.yaml:4:5) share the key 'same'" in completed.stderr


@pytest.mark.parametrize("value", ["abc", "12.5", "-5", " 7", "99999999999999", "1" * 40])
def test_a_malformed_source_date_epoch_is_a_usage_error(tmp_path: Path, value: str):
    project = make_project(tmp_path)
    completed = run_notebuilder("build", "--root", str(project), env={"SOURCE_DATE_EPOCH": value})
    assert completed.returncode == 2, value
    assert "SOURCE_DATE_EPOCH is" in completed.stderr and "Traceback" not in completed.stderr
    assert not (project / "build").exists()


def test_japanese_prints_and_characters_no_font_has_are_a_located_warning(tmp_path: Path):
    notes = base_notes() + (
        "  - id: todaiji\n    section: history\n    short: Todaiji (東大寺)\n"
        "    text: Bodhisena consecrated the Great Buddha at **Todaiji (東大寺)**.\n"
        "  - id: emoji\n    section: history\n    text: Students love this fact \U0001f642 a lot.\n"
    )
    project = make_project(tmp_path, {NOTES: notes})
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert completed.returncode == 0, completed.stderr
    assert "東大寺" in pdftotext(project / "build" / "demo" / "booklet.pdf")
    assert "東大寺" in pdftotext(project / "build" / "demo" / "mindmaps.pdf")  # Graphviz's drawing too
    from notebuilder.fonts import shown

    if not shown("\U0001f642"):
        assert (
            "notes/demo/notes.yaml:16:5: warning: fragment 'emoji' has characters no installed font can print"
            in (completed.stderr)
        )
        assert "U+1F642" in completed.stderr
    assert "todaiji" not in completed.stderr
    strict = run_notebuilder("check", "--root", str(project), "-W")
    assert strict.returncode == (1 if not shown("\U0001f642") else 0)


# ------------------------------------------------------------------ builds at once, builds killed


def test_two_builds_into_one_folder_take_turns(tmp_path: Path):
    project = make_project(tmp_path)
    environment = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    command = [sys.executable, "-m", "notebuilder", "build", "--root", str(project), "--force"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    outputs = [process.communicate(timeout=120) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert not list((project / "build").rglob(".nb-tmp-*"))
    assert pdf_page_count(project / "build" / "demo" / "booklet.pdf") >= 3


POOL_STOPPED_AT_ONCE = """
import sys, time
from notebuilder.pool import WorkerPool
for round in range(40):
    with WorkerPool(2, ("weasyprint",)):
        time.sleep((round % 4) * 0.002)  # stopped while the workers are still starting
print("stopped", flush=True)
"""


def test_a_pool_stopped_as_its_workers_start_does_not_hang():
    """A build that fails at once (a map refused before any layout, a Ctrl-C) stops its
    pool while the workers are still starting. A SIGTERM that reached a worker before it
    reset its handlers used to be swallowed by the parent's handler it inherited, and the
    stop then waited for that worker for ever."""
    completed = subprocess.run(
        [sys.executable, "-c", POOL_STOPPED_AT_ONCE], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "stopped\n"
    assert "Traceback" not in completed.stderr


def test_a_build_killed_outright_leaves_no_process_behind(tmp_path: Path):
    project = make_project(tmp_path)
    for phase in ("writing", "starting"):
        process = start_build(project, "--force", out=subprocess.DEVNULL)
        if phase == "writing":
            wait_until_writing(process, project)
        process.kill()
        process.wait()
        deadline = time.monotonic() + 10
        while tool_processes(project) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tool_processes(project) == [], phase
    # The next build cleans up after the dead one, and nothing appears afterwards.
    assert run_notebuilder("build", "--root", str(project), "--force").returncode == 0
    time.sleep(1)
    assert not list(project.rglob(".nb-tmp-*"))


def test_stopping_a_build_during_mind_map_layout_ends_graphviz_at_once(tmp_path: Path):
    fragments = "".join(
        f"  - id: point-{n}\n    text: Point {n} about trade and investment in the region.\n"
        f"    short: Trade point {n}\n    tags: [t{n % 9}]\n"
        for n in range(150)
    )  # a map this full takes Graphviz long enough to be stopped half-way on any machine
    notes = "defaults:\n  source: alpha\n  section: trade\nfragments:\n" + fragments
    project = make_project(tmp_path, {NOTES: notes})
    process = subprocess.Popen(
        [sys.executable, "-m", "notebuilder", "build", "--root", str(project), "--format", "pdf"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    deadline = time.monotonic() + 60
    while (
        process.poll() is None
        and not any("twopi" in c for c in tool_processes(project))
        and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    assert process.poll() is None, "the layout finished before the test could stop it"
    stopped = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - stopped < 5, (
        "the build lingered after it was stopped"
    )  # it took the layout's 9 s
    assert process.returncode == 130 and b"interrupted" in stderr
    assert [c for c in tool_processes(project) if "twopi" in c] == []


def test_a_huge_section_is_refused_before_any_layout(tmp_path: Path):
    fragments = "".join(f"  - id: p{n}\n    text: Fact number {n} of a great many.\n" for n in range(3000))
    notes = "defaults:\n  source: alpha\n  section: trade\nfragments:\n" + fragments
    project = make_project(tmp_path, {NOTES: notes})
    started = time.monotonic()
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert completed.returncode == 1
    assert "the mind map of section 'trade' is too full for one page" in completed.stderr
    assert time.monotonic() - started < 60


# ------------------------------------------------------------------ the stress test


def test_overlapping_and_killed_builds_leave_valid_outputs_and_no_debris(tmp_path: Path):
    """12 builds started in random overlap into one --out, some killed with SIGKILL at
    random moments; then one clean build. Outputs complete and valid, no stray temporaries,
    no orphan processes, and every build that was not killed exited 0 or 3."""
    project = make_project(tmp_path / "project")
    out = tmp_path / "out"
    rng = random.Random(20261123)
    environment = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    running = []
    for _ in range(12):
        formats = rng.choice(["pdf", "epub", "all"])
        command = [
            sys.executable,
            "-m",
            "notebuilder",
            "build",
            "--root",
            str(project),
            "--out",
            str(out),
            "--force",
        ]
        process = subprocess.Popen(
            [*command, "--format", formats],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environment,
        )
        running.append((process, rng.random() < 0.35))
        time.sleep(rng.uniform(0.0, 0.4))
        for candidate, doomed in running:
            if doomed and candidate.poll() is None and rng.random() < 0.5:
                candidate.kill()
    for process, _ in running:
        try:
            process.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    codes = [process.returncode for process, _ in running]
    assert all(code in (0, 3, -signal.SIGKILL) for code in codes), codes
    assert -signal.SIGKILL in codes and 0 in codes, codes  # some were killed, some finished

    deadline = time.monotonic() + 10
    while tool_processes(out) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert tool_processes(out) == []
    final = run_notebuilder("build", "--root", str(project), "--out", str(out), "--force", "--format", "all")
    assert final.returncode == 0, final.stderr
    assert not list(out.rglob(".nb-tmp-*"))
    assert pdf_page_count(out / "demo" / "booklet.pdf") >= 3
    report = epubcheck(out / "demo" / "booklet.epub", tmp_path)
    assert (report["checker"]["nError"], report["checker"]["nWarning"]) == (0, 0)


def test_a_build_waits_for_the_one_writing_and_says_so(tmp_path: Path):
    import fcntl

    project = make_project(tmp_path)
    (project / "build").mkdir()
    stray = project / "build" / ".nb-tmp-live.pdf"  # a live build's temporary: not to be touched
    with open(project / "build" / ".notebuilder.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stray.write_bytes(b"in progress")
        process = subprocess.Popen(
            [sys.executable, "-m", "notebuilder", "build", "--root", str(project), "--format", "pdf"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        )
        said = b""
        while b"waiting for it to finish" not in said and process.poll() is None:
            said += process.stderr.readline()  # it says so before it starts to wait
        time.sleep(0.5)
        assert process.poll() is None and stray.exists()  # waiting, and the live temporary is safe
        stray.unlink()
    process.communicate(timeout=120)
    assert process.returncode == 0
    assert f"another build is writing to {project / 'build'}; waiting for it to finish".encode() in said
