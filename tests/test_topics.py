"""Many topics, one syllabus: choosing topics on the command line, listing them, and
rebuilding only the topics whose own inputs changed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from conftest import SUBJECTS, run_notebuilder

POLITY, ECONOMY = "polity-fundamental-rights", "economy-schemes"


def copy_subjects(tmp_path: Path) -> Path:
    project = tmp_path / "syllabus"
    shutil.copytree(SUBJECTS, project)
    return project


def outputs(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.mark.e2e
def test_topic_can_be_repeated_and_every_command_honours_it(tmp_path: Path):
    project = copy_subjects(tmp_path)
    both = ("--topic", POLITY, "--topic", ECONOMY)
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf", *both)
    assert completed.returncode == 0, completed.stderr
    assert sorted(path.name for path in (project / "build").iterdir() if not path.name.startswith(".")) == [
        ECONOMY,
        POLITY,
    ]

    one = run_notebuilder("check", "--root", str(project), "--topic", ECONOMY)
    assert one.returncode == 0 and one.stdout.startswith("ok: 1 topic(s), 14 fragments")
    report = run_notebuilder("dedupe", "--root", str(project), "--topic", ECONOMY).stdout
    assert report.startswith(f"{ECONOMY}:") and POLITY not in report

    # A mistake in another topic does not concern a command about this one.
    (project / "notes" / POLITY / "broken.yaml").write_text("fragments: [\n", encoding="utf-8")
    assert run_notebuilder("check", "--root", str(project), "--topic", ECONOMY).returncode == 0
    everything = run_notebuilder("check", "--root", str(project))
    assert everything.returncode == 1 and f"notes/{POLITY}/broken.yaml:2:1: error:" in everything.stderr


@pytest.mark.e2e
def test_topics_lists_counts_and_whether_outputs_are_up_to_date(tmp_path: Path):
    project = copy_subjects(tmp_path)
    listing = run_notebuilder("topics", "--root", str(project))
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["topic", "paper", "subject", "fragments", "points", "outputs"]
    assert lines[1].split()[:5] == [ECONOMY, "GS3", "Economy", "14", "8"] and lines[1].endswith("not built")
    assert lines[2].split()[:4] == [POLITY, "GS2", "Polity", "18"]
    assert (
        run_notebuilder("build", "--root", str(project), "--format", "pdf", "--topic", POLITY).returncode == 0
    )
    after = run_notebuilder("topics", "--root", str(project)).stdout.splitlines()
    assert after[2].endswith("up to date: pdf") and after[1].endswith("not built")
    (project / "notes" / POLITY / "notes.yaml").write_text(
        (project / "notes" / POLITY / "notes.yaml").read_text(encoding="utf-8").replace("free and", "free"),
        encoding="utf-8",
    )
    assert (
        run_notebuilder("topics", "--root", str(project)).stdout.splitlines()[2].endswith("out of date: pdf")
    )


@pytest.mark.e2e
def test_editing_one_topic_or_another_topics_source_leaves_the_other_untouched(tmp_path: Path):
    project = copy_subjects(tmp_path)
    assert run_notebuilder("build", "--root", str(project), "--format", "pdf").returncode == 0
    polity_before = outputs(project / "build" / POLITY)

    # Edit the economy notes, and the entry of a source only the economy topic cites.
    notes = project / "notes" / ECONOMY / "notes.yaml"
    notes.write_text(notes.read_text(encoding="utf-8").replace("a dozen", "a dozen"), encoding="utf-8")
    sources = project / "seeds" / "sources.yaml"
    text = sources.read_text(encoding="utf-8").replace(
        "title: Schemes and growth, class notes", "title: Schemes and growth, revised class notes"
    )
    text = text.replace(
        "sources:\n", "sources:\n  - id: new-source\n    file: new.txt\n    title: New\n    kind: other\n", 1
    )
    sources.write_text(text, encoding="utf-8")
    (project / "seeds" / "new.txt").write_text("A new source.\n", encoding="utf-8")

    rebuilt = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"{POLITY}: up to date" in rebuilt.stdout
    assert f"{ECONOMY}: notes.json, booklet.pdf" in rebuilt.stdout
    assert outputs(project / "build" / POLITY) == polity_before
    assert "revised class notes" in (project / "build" / ECONOMY / "notes.json").read_text(encoding="utf-8")


# ------------------------------------------------------------------ order that fits the subject


def ordered(order, *points):
    from notebuilder.assemble import order_points

    return [point.id for point in order_points(list(points), order)]


def point(
    point_id: str,
    short: str,
    date: str | None = None,
    line: int = 1,
    priority: int | None = None,
    path="a.yaml",
):
    from notebuilder.errors import Location
    from notebuilder.model import Member, Point

    return Point(
        point_id,
        "s",
        short,
        (),
        (Member(point_id, Location(path, line)),),
        short=short,
        date=date,
        priority=priority,
    )


def test_sections_order_points_as_the_subject_needs():
    articles = [
        point("a21a", "Art 21A, education", line=1),
        point("a12", "Art 12, the State", line=9),
        point("a24", "Art 24, child labour", line=3),
        point("a14", "Art 14, equality", line=5, priority=1),
        point("a19", "Art 19, six freedoms", line=7, path="b.yaml"),
    ]
    assert ordered("natural", *articles) == ["a12", "a14", "a19", "a21a", "a24"]
    assert ordered("written", *articles) == ["a21a", "a24", "a14", "a12", "a19"]
    assert ordered(None, *articles)[0] == "a14"  # the default: priority first
    assert ordered(("a24", "a12"), *articles) == ["a24", "a12", "a14", "a19", "a21a"]
    dynasties = [
        point("gupta", "Guptas", "4th century"),
        point("maurya", "Mauryas", "322 BC"),
        point("x", "Undated"),
    ]
    assert ordered("date", *dynasties) == ["maurya", "gupta", "x"]


@pytest.mark.e2e
def test_an_order_naming_unknown_points_or_orders_is_a_located_error(tmp_path: Path):
    project = copy_subjects(tmp_path)
    topic = project / "notes" / POLITY / "topic.yaml"
    text = topic.read_text(encoding="utf-8")
    text = text.replace(
        "order: natural        # Article 12 < 14 < 19 < 21A < 24 < 32", "order: [ph-article-12, pn-artcle-14]"
    )
    topic.write_text(text.replace("order: date", "order: chronological"), encoding="utf-8")
    completed = run_notebuilder("check", "--root", str(project))
    assert completed.returncode == 1
    assert (
        f"notes/{POLITY}/topic.yaml:8:28: error: section 'rights' orders 'pn-artcle-14', "
        "which is no fragment id or key in it; did you mean 'pn-article-14'?" in completed.stderr
    )
    assert (
        "error: unknown order 'chronological'" in completed.stderr
        and "use date, written, natural" in completed.stderr
    )


@pytest.mark.e2e
def test_the_polity_booklet_prints_articles_in_natural_order(subjects_build: Path):
    from conftest import pdftotext

    text = pdftotext(subjects_build / POLITY / "booklet.pdf")
    section = text[text.index("The rights and their articles", text.index("Contents") + 200) :]
    positions = [section.index(f"Article {number}") for number in ("12", "14", "19", "21A", "24", "32")]
    assert positions == sorted(positions)


# ------------------------------------------------------------------ starting a topic


@pytest.mark.e2e
def test_new_topic_and_new_source_start_a_topic_that_builds(tmp_path: Path):
    project = copy_subjects(tmp_path)
    sources = project / "seeds" / "sources.yaml"
    before = sources.read_text(encoding="utf-8")
    created = run_notebuilder(
        "new", "india-china", "--title", "India–China relations", "--paper", "GS2", "--subject", "IR",
        "--root", str(project),
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert (project / "notes" / "india-china" / "topic.yaml").is_file()
    again = run_notebuilder(
        "new", "india-china", "--title", "x", "--paper", "y", "--subject", "z", "--root", str(project)
    )
    assert again.returncode == 2 and "never overwrites" in again.stderr
    assert "India–China relations" in (project / "notes" / "india-china" / "topic.yaml").read_text(
        encoding="utf-8"
    )

    document = tmp_path / "galwan.txt"
    document.write_text("The Galwan clash took place in June 2020.\n", encoding="utf-8")
    arguments = ["--id", "galwan", "--title", 'Explained: "Galwan"', "--kind", "newspaper"]
    arguments += ["--short", "IE Explained, 2020"]  # what table heads show, not "Explained"
    registered = run_notebuilder("new-source", str(document), *arguments, "--root", str(project))
    assert registered.returncode == 0, registered.stderr
    after = sources.read_text(encoding="utf-8")
    assert after.startswith(before)  # comments and order kept: the entry is appended
    from notebuilder.load import load_project
    from notebuilder.validate import validate_project

    registered_sources = {source.id: source for source in validate_project(load_project(project)).sources}
    assert registered_sources["galwan"].shown == "IE Explained, 2020"
    assert (project / "seeds" / "galwan.txt").read_text(encoding="utf-8") == document.read_text(
        encoding="utf-8"
    )
    seed = project / "seeds" / "galwan.txt"
    twice = run_notebuilder("new-source", str(seed), "--id", "galwan", "--title", "x", "--root", str(project))
    assert (
        twice.returncode == 2
        and "already registered" in twice.stderr
        and sources.read_text(encoding="utf-8") == after
    )

    (project / "notes" / "india-china" / "galwan.yaml").write_text(
        "defaults:\n  source: galwan\n  section: key-facts\nfragments:\n"
        "  - id: galwan-2020\n    text: The **Galwan** clash took place in **June 2020**.\n"
        "    date: Jun 2020\n",
        encoding="utf-8",
    )
    built = run_notebuilder("build", "--root", str(project), "--topic", "india-china", "--format", "pdf")
    assert built.returncode == 0, built.stderr
    from conftest import pdftotext

    assert "Explained: “Galwan”" in pdftotext(project / "build" / "india-china" / "booklet.pdf")


@pytest.mark.e2e
def test_an_edit_rewrites_only_the_outputs_it_changes(tmp_path: Path):
    project = copy_subjects(tmp_path)
    assert run_notebuilder("build", "--root", str(project), "--topic", POLITY).returncode == 0
    directory = project / "build" / POLITY
    sheets = [directory / "mindmaps.pdf", *sorted((directory / "mindmaps").glob("*.pdf"))]
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in sheets}
    booklet = (directory / "booklet.pdf").read_bytes()
    time.sleep(0.05)

    # A word of a fragment's text, not of its label: the mind maps show labels only.
    notes = project / "notes" / POLITY / "handout.yaml"
    notes.write_text(
        notes.read_text(encoding="utf-8").replace("in factories and mines", "in factories or mines")
    )
    edited = run_notebuilder("build", "--root", str(project), "--topic", POLITY)
    assert edited.returncode == 0, edited.stderr
    assert "unchanged: mindmaps.pdf" in edited.stdout
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in sheets} == before
    assert (directory / "booklet.pdf").read_bytes() != booklet

    forced = run_notebuilder("build", "--root", str(project), "--topic", POLITY, "--force")
    assert "unchanged" not in forced.stdout
    assert all(path.stat().st_mtime_ns != before[path][1] for path in sheets)


# ------------------------------------------------------------------ watch


@pytest.mark.e2e
def test_watch_rebuilds_on_save_survives_a_broken_save_and_stops_on_ctrl_c(tmp_path: Path):
    import os
    import signal
    import subprocess
    import sys
    import threading
    from queue import Empty, Queue

    project = copy_subjects(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "notebuilder", "watch", "--root", str(project), "--topic", POLITY],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
    )
    lines: Queue = Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()

    def wait_for(text: str, seconds: float = 90) -> str:
        deadline = time.monotonic() + seconds
        seen = []
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except Empty:
                continue
            seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} in {seen}")

    try:
        wait_for(f"{POLITY}: notes.json, booklet.pdf")  # the first build
        booklet = project / "build" / POLITY / "booklet.pdf"
        notes = project / "notes" / POLITY / "handout.yaml"
        good = notes.read_text(encoding="utf-8")
        notes.write_text(good.replace("in factories and mines", "in factories or mines"), encoding="utf-8")
        wait_for(f"{POLITY}: notes.json, booklet.pdf")
        assert "factories or mines" in (project / "build" / POLITY / "notes.json").read_text(encoding="utf-8")

        before = booklet.read_bytes()
        notes.write_text(good + "  - id: [broken\n", encoding="utf-8")
        wait_for("the last good outputs are kept")
        assert booklet.read_bytes() == before
        notes.write_text(good, encoding="utf-8")
        wait_for(f"{POLITY}: notes.json, booklet.pdf")

        # notes/ replaced by a new folder, as a git checkout or a sync tool does: still seen
        replacement = project / "notes.new"
        shutil.copytree(project / "notes", replacement)
        (replacement / POLITY / "handout.yaml").write_text(
            good.replace("in factories and mines", "in any factory or mine"), encoding="utf-8"
        )
        (project / "notes").rename(project / "notes.old")
        replacement.rename(project / "notes")
        wait_for(f"{POLITY}: notes.json, booklet.pdf")
        assert "any factory or mine" in (project / "build" / POLITY / "notes.json").read_text(
            encoding="utf-8"
        )
        (project / "notes" / POLITY / "handout.yaml").write_text(
            good, encoding="utf-8"
        )  # a save in the new one
        wait_for(f"{POLITY}: notes.json, booklet.pdf")
        assert "factories and mines" in (project / "build" / POLITY / "notes.json").read_text(
            encoding="utf-8"
        )
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert process.returncode == 0


TITLES = [
    'A "quoted"\ntitle # with a hash',
    "it's: - [x] {y} & *z",
    "संविधान: मौलिक अधिकार",
    "tab\tand  spaces ",
]
SOURCES_LAYOUTS = {
    "two spaces": "# my sources\nsources:\n  - id: a   # the first\n    file: a.txt\n    title: A\n",
    "four spaces": "sources:\n    -   id: a\n        file: a.txt\n        title: A  # kept\n",
    "flow style": "sources: [{id: a, file: a.txt, title: A}]  # all on one line\n",
    "empty list": "# none yet\nsources: []\n",
    "no entries": "sources:\n",
}


@pytest.mark.parametrize("title", TITLES)
def test_a_new_topic_keeps_any_title_exactly(tmp_path: Path, title: str):
    import yaml

    from notebuilder.load import load_project
    from notebuilder.scaffold import new_topic
    from notebuilder.validate import validate_project

    new_topic(tmp_path, "polity", title, "GS2 # paper", 'Polity "core"')
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    assert validate_project(load_project(tmp_path)).topics  # check takes it
    written = yaml.safe_load((tmp_path / "notes" / "polity" / "topic.yaml").read_text(encoding="utf-8"))
    assert (written["title"], written["paper"], written["subject"]) == (title, "GS2 # paper", 'Polity "core"')


@pytest.mark.parametrize("layout", sorted(SOURCES_LAYOUTS))
@pytest.mark.parametrize("title", TITLES[:2])
def test_new_source_keeps_any_valid_sources_file_valid_with_its_comments(
    tmp_path: Path, layout: str, title: str
):
    import yaml

    from notebuilder.scaffold import new_source

    (tmp_path / "seeds").mkdir()
    registry = tmp_path / "seeds" / "sources.yaml"
    registry.write_text(SOURCES_LAYOUTS[layout], encoding="utf-8")
    before = yaml.safe_load(registry.read_text(encoding="utf-8"))["sources"] or []
    seed = tmp_path / "galwan.txt"
    seed.write_text("The clash took place in June 2020.\n", encoding="utf-8")
    new_source(tmp_path, seed, "galwan", title, "newspaper", publisher="The Hindu # daily")
    text = registry.read_text(encoding="utf-8")
    entry = {
        "id": "galwan",
        "file": "galwan.txt",
        "title": title,
        "publisher": "The Hindu # daily",
        "kind": "newspaper",
    }
    assert yaml.safe_load(text)["sources"] == [*before, entry]
    for comment in ("# my sources", "# the first", "# kept", "# all on one line", "# none yet"):
        assert (comment in text) == (comment in SOURCES_LAYOUTS[layout]), comment


def test_a_new_topic_whose_title_no_notes_file_may_hold_is_refused_whole(tmp_path: Path):
    from notebuilder.errors import UsageError
    from notebuilder.scaffold import new_topic

    with pytest.raises(UsageError, match="nothing was written"):
        new_topic(tmp_path, "polity", "bell\x07", "GS2", "Polity")
    assert not (tmp_path / "notes" / "polity").exists()


@pytest.mark.e2e
def test_a_bundle_names_every_file_for_its_topic(tmp_path: Path):
    project = copy_subjects(tmp_path)
    built = run_notebuilder("build", "--root", str(project), "--format", "all", "--bundle")
    assert built.returncode == 0, built.stderr
    bundle = project / "build" / "bundle"
    names = sorted(path.name for path in bundle.iterdir())
    for topic in (POLITY, "economy-schemes"):
        for name in ("booklet.pdf", "selftest.pdf", "mindmaps.pdf", "booklet.epub", "cards.apkg"):
            copy = bundle / f"{topic}-{name}"
            assert copy.read_bytes() == (project / "build" / topic / name).read_bytes(), copy.name
    assert len(names) == len(set(names)) and not any(name.startswith(".") for name in names)
    assert f"bundle: {len(names)} files named for their topics in {bundle}" in built.stdout


def _creator(epub: Path) -> list[str]:
    import re
    import zipfile

    with zipfile.ZipFile(epub) as book:
        package = next(book.read(name).decode() for name in book.namelist() if name.endswith(".opf"))
    return re.findall(r"<dc:creator[^>]*>([^<]*)</dc:creator>", package)


@pytest.mark.e2e
def test_new_asks_for_the_author_and_the_e_book_is_never_without_one(tmp_path: Path):
    import os
    import pty
    import subprocess
    import sys

    from notebuilder.scaffold import default_author

    # On a terminal, `new` asks for the author's name.
    project = tmp_path / "notes-folder"
    project.mkdir()
    controller, terminal = pty.openpty()
    asking = subprocess.Popen(
        [sys.executable, "-m", "notebuilder", "new", "ancient", "--title", "Ancient India", "--paper", "GS1",
         "--subject", "History", "--root", str(project)],
        stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    os.write(controller, b"Ravi Kumar\n")
    _, err = asking.communicate(timeout=30)
    os.close(controller)
    os.close(terminal)
    assert asking.returncode == 0, err
    assert 'author: "Ravi Kumar"' in (project / "notes" / "ancient" / "topic.yaml").read_text(
        encoding="utf-8"
    )

    # Given on the command line, it is not asked for; with neither, topic.yaml says how to add it.
    named = run_notebuilder(
        "new", "medieval", "--title", "Medieval India", "--paper", "GS1", "--subject", "History",
        "--author", "Asha Verma", "--root", str(project),
    )  # fmt: skip
    unnamed = run_notebuilder(
        "new",
        "modern",
        "--title",
        "Modern India",
        "--paper",
        "GS1",
        "--subject",
        "History",
        "--root",
        str(project),
    )
    assert named.returncode == unnamed.returncode == 0, named.stderr + unnamed.stderr
    assert "# author: Your Name" in (project / "notes" / "modern" / "topic.yaml").read_text(encoding="utf-8")

    # The e-book's creator is the topic's author, else the account's name: never empty.
    (project / "notes" / "medieval" / "example.yaml").unlink()
    project_notes = project / "notes"
    for topic in ("medieval", "modern"):
        (project_notes / topic / "notes.yaml").write_text(
            "fragments:\n  - id: f1\n    section: key-facts\n    source: own\n"
            "    text: The **Delhi Sultanate** began in 1206.\n",
            encoding="utf-8",
        )
        (project_notes / topic / "example.yaml").unlink(missing_ok=True)
    shutil.rmtree(project_notes / "ancient")
    (project / "seeds").mkdir()
    (project / "seeds" / "own.txt").write_text("The Delhi Sultanate began in 1206.\n", encoding="utf-8")
    (project / "seeds" / "sources.yaml").write_text(
        "sources:\n  - id: own\n    title: My notes\n    kind: other\n    file: own.txt\n",
        encoding="utf-8",
    )
    built = run_notebuilder("build", "--root", str(project), "--format", "epub")
    assert built.returncode == 0, built.stderr
    assert _creator(project / "build" / "medieval" / "booklet.epub") == ["Asha Verma"]
    assert _creator(project / "build" / "modern" / "booklet.epub") == [default_author()] != [""]
