"""End to end: build the shipped India–Japan notes with the real WeasyPrint and pandoc,
then inspect the outputs as a reader would: pages, outline, contents, text, epubcheck."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import (
    REPO,
    SUBJECTS,
    epubcheck,
    make_project,
    pdf_page_count,
    pdftotext,
    run_notebuilder,
)
from pypdf import PdfReader

from notebuilder.build import assemble_topic, check_project
from notebuilder.markup import curly_quotes

pytestmark = pytest.mark.e2e  # every test here builds real outputs or runs notebuilder


@pytest.fixture(scope="module")
def document():
    corpus = check_project(REPO)
    (topic,) = [topic for topic in corpus.topics if topic.id == "india-japan"]
    return assemble_topic(corpus, topic, 1767225600)


def outline_pages(pdf: Path) -> dict[str, int]:
    reader = PdfReader(pdf)
    return {
        entry.title: reader.get_destination_page_number(entry) + 1
        for entry in reader.outline
        if not isinstance(entry, list)
    }


def toc_entries(pdf: Path) -> dict[str, int]:
    """Contents lines, 'N Title . . . . 7', read from the contents page(s)."""
    entries = {}
    for page in range(2, 4):
        for line in pdftotext(pdf, page, page, layout=True).splitlines():
            match = re.match(r"\s*(?:\d+\s+)?(.+?)\s*(?:\. ?)+\s*(\d+)\s*$", line)
            if match:
                entries[match[1].strip()] = int(match[2])
    return entries


def test_booklet_pdf_has_title_page_contents_and_sections(built_topic):
    directory, document = built_topic
    pdf = directory / "booklet.pdf"
    pages = pdf_page_count(pdf)
    assert pages >= 4
    first = pdftotext(pdf, 1, 1)
    assert document.topic.title in first and document.topic.paper in first and "Built 1 Jan 2026" in first
    text = pdftotext(pdf)
    for section in document.sections:
        assert curly_quotes(section.title) in text  # printed quotes: Summit’s
    for numbered in document.sources:
        assert numbered.source.title.split(":")[0] in text


def back_matter(document) -> list[str]:
    return [
        title
        for title, present in (
            ("Timeline", document.timeline),
            ("Comparison tables", document.comparisons),
            ("Figures across sources", document.figures),
            ("Glossary", document.glossary),
            ("Sources", True),
        )
        if present
    ]


def test_outline_has_one_entry_per_section_and_matches_contents(built_topic):
    directory, document = built_topic
    pdf = directory / "booklet.pdf"
    outline = outline_pages(pdf)
    titles = [curly_quotes(f"{section.number} {section.title}") for section in document.sections]
    outline_titles = {re.sub(r"\s+", "", title): page for title, page in outline.items()}
    extras = back_matter(document)
    assert sorted(outline) == sorted(titles + extras)
    contents = toc_entries(pdf)
    assert len(contents) == len(document.sections) + len(extras)
    for extra in extras:
        assert contents[extra] == outline[extra]
        assert extra in pdftotext(pdf, outline[extra], outline[extra])
    for section, key in zip(document.sections, titles):
        page = outline_titles[re.sub(r"\s+", "", key)]
        assert contents[curly_quotes(section.title)] == page, section.title
        assert curly_quotes(section.title) in pdftotext(pdf, page, page)
        assert f"page {page} of {pdf_page_count(pdf)}" in pdftotext(pdf, page, page)
    for name in ("booklet.pdf", "selftest.pdf", "mindmaps.pdf"):  # each opens with its bookmarks shown
        with pikepdf.open(directory / name) as opened:
            assert opened.Root.PageMode == pikepdf.Name.UseOutlines, name


def test_every_point_cites_a_numbered_source(built_topic):
    directory, document = built_topic
    text = pdftotext(directory / "booklet.pdf")
    body = text.split("Sources")[-1]
    for numbered in document.sources:
        assert numbered.source.title.split(":")[0] in body
    assert all(item.markers for section in document.sections for item in section.points)


def test_epub_is_valid_and_lists_every_section(built_topic, tmp_path: Path):
    directory, document = built_topic
    epub = directory / "booklet.epub"
    report = epubcheck(epub, tmp_path)
    checker = report["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), report["messages"]
    publication = report["publication"]
    assert publication["language"] == "en"
    assert publication["title"].startswith(document.topic.title)
    assert "notebuilder" not in str(
        publication.get("creator", "")
    )  # the author is the student's (topic.yaml)
    assert not publication.get("renditionLayout") or publication["renditionLayout"] == "reflowable"
    with zipfile.ZipFile(epub) as archive:
        nav = archive.read("EPUB/nav.xhtml").decode("utf-8")
        opf = archive.read("EPUB/content.opf").decode("utf-8")
        chapters = [name for name in archive.namelist() if name.startswith("EPUB/text/ch")]
        body = "".join(archive.read(name).decode("utf-8") for name in chapters)
    for section in document.sections:
        assert curly_quotes(f"{section.number}. {section.title}") in nav
    assert '<h1 id="toc-title">Contents</h1>' in nav  # headed "Contents", not the title again
    with zipfile.ZipFile(epub) as archive:  # the list shows no numbers of its own beside the headings'
        styles = "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".css"))
    assert re.search(r"nav#toc ol li[^{]*\{[^}]*list-style-type: none", styles)
    assert "<dc:date" in opf and "2026-01-01" in opf
    assert "2026-01-01T00:00:00Z" in opf  # dcterms:modified from SOURCE_DATE_EPOCH
    assert "pre-paginated" not in opf
    assert re.search(r'<a href="ch\d+\.xhtml#source-1"', body), "source markers must link to the sources list"


def test_letter_paper_and_single_format(tmp_path: Path):
    project = make_project(tmp_path / "project")
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf", "--paper", "letter")
    assert completed.returncode == 0, completed.stderr
    pdf = project / "build" / "demo" / "booklet.pdf"
    assert (
        "612 x 792"
        in __import__("subprocess").run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    )
    assert not (project / "build" / "demo" / "booklet.epub").exists()


def test_check_reports_all_problems_without_traceback(tmp_path: Path):
    project = make_project(
        tmp_path,
        {
            "notes/demo/bad.yaml": "fragments:\n  - id: x\n    txt: y\n",
            "notes/demo/worse.yaml": "fragments: [\n",
        },
    )
    completed = run_notebuilder("check", "--root", str(project))
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.splitlines()
    assert "notes/demo/bad.yaml:3:5: error: unknown key 'txt' in fragment 'x'; did you mean 'text'?" in lines
    assert (
        "notes/demo/worse.yaml:2:1: error: the file ends before a bracket is closed; close the [ or {"
        in lines
    )
    assert lines[-1] == "notebuilder: 5 errors"  # check writes nothing, so it says nothing of writing


def test_unknown_topic_is_a_command_line_mistake(tmp_path: Path):
    project = make_project(tmp_path)
    for command in ("build", "check", "dedupe", "topics"):
        completed = run_notebuilder(command, "--root", str(project), "--topic", "demo", "--topic", "nope")
        assert completed.returncode == 2, command
        assert f"error: no topic 'nope' in {project / 'notes'}; topics are: demo" in completed.stderr
        assert "Traceback" not in completed.stderr
    assert not (project / "build").exists()


def test_builds_are_reproducible_and_an_unchanged_build_is_skipped(tmp_path: Path):
    project = make_project(tmp_path / "project")
    first, second = tmp_path / "first", tmp_path / "second"
    assert run_notebuilder("build", "--root", str(project), "--out", str(first)).returncode == 0
    assert run_notebuilder("build", "--root", str(project), "--out", str(second)).returncode == 0
    written = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    for output in written:  # but the build's own record of which files it wrote (their inodes)
        if output.name != ".outputs.json":
            assert (first / output).read_bytes() == (second / output).read_bytes(), output

    def mtimes() -> dict:  # of every output (the cache in .cache/ notes when it was last used)
        return {
            path: path.stat().st_mtime_ns
            for path in first.rglob("*")
            if path.is_file() and ".cache" not in path.relative_to(first).parts
        }

    before = mtimes()
    again = run_notebuilder("build", "--root", str(project), "--out", str(first))
    assert again.returncode == 0 and "demo: up to date" in again.stdout
    assert mtimes() == before
    (project / "notes" / "demo" / "notes.yaml").write_text(
        (project / "notes" / "demo" / "notes.yaml")
        .read_text(encoding="utf-8")
        .replace("restored relations", "restored ties"),
        encoding="utf-8",
    )
    rebuilt = run_notebuilder("build", "--root", str(project), "--out", str(first))
    assert "up to date" not in rebuilt.stdout
    assert "restored ties" in pdftotext(first / "demo" / "booklet.pdf")


def test_curated_branches_become_subheadings(shipped_build: Path, document):
    text = pdftotext(shipped_build / "india-japan" / "booklet.pdf")
    (way_forward,) = [section for section in document.sections if section.id == "way-forward"]
    branches = [branch for branch, _ in way_forward.groups if branch]
    assert len(branches) == len(set(branches)) >= 5  # each branch's points stand together
    for branch in branches:
        assert branch.upper() in text


def test_warnings_are_errors_with_W(tmp_path: Path):
    project = make_project(
        tmp_path,
        {
            "notes/demo/topic.yaml": (
                "title: Demo topic\npaper: GS2\nsubject: IR\nsections:\n  - id: history\n    title: History\n"
                "  - id: trade\n    title: Trade\n  - id: empty\n    title: Nothing yet\n"
            )
        },
    )
    relaxed = run_notebuilder("check", "--root", str(project))
    assert relaxed.returncode == 0
    assert (
        "notes/demo/topic.yaml:9:5: warning: section 'empty' has no fragments yet; it is left out "
        "of the booklet" in relaxed.stderr
    )
    strict = run_notebuilder("check", "--root", str(project), "-W")
    assert strict.returncode == 1
    assert (
        "notes/demo/topic.yaml:9:5: error: section 'empty' has no fragments yet; it is left out of "
        "the booklet" in strict.stderr
    )


def test_new_fonts_print_every_pdf_again_through_weasyprint(tmp_path: Path, monkeypatch):
    """A PDF is printed whole, every time it must change: after a change of the installed
    fonts (or of notebuilder or a tool), WeasyPrint lays out every PDF again, although no
    note changed; with nothing changed, it lays out none."""
    import notebuilder.build
    import notebuilder.pdf
    from notebuilder.cli import main

    project = make_project(tmp_path / "project")
    printed = tmp_path / "printed.log"
    lay_out = notebuilder.pdf.lay_out_pages

    def logged(html, *arguments):
        with printed.open("a") as log:  # the workers are forked: a file counts for them all
            log.write(re.search(r"<title>(.*?)</title>", html, re.S)[1].strip() + "\n")
        return lay_out(html, *arguments)

    monkeypatch.setattr(notebuilder.pdf, "lay_out_pages", logged)
    arguments = ["build", "--root", str(project), "--format", "pdf"]

    def printings() -> list[str]:
        return printed.read_text().splitlines() if printed.exists() else []

    assert main(arguments) == 0
    first = printings()
    assert len(first) >= 3  # the booklet, the self-test, the mind-map sheets
    assert main(arguments) == 0 and printings() == first  # nothing changed: nothing printed
    monkeypatch.setattr(notebuilder.build, "installed_fonts", lambda: "a font installed since")
    assert main(arguments) == 0
    assert sorted(printings()[len(first) :]) == sorted(first)


def test_workers_replaced_between_units_leave_every_output_whole(tmp_path: Path, monkeypatch):
    """The writer replaces its workers (WeasyPrint keeps a little of every document) between
    units; a build that does so after every few outputs writes the same files as one that
    never does."""
    import shutil

    from notebuilder import build as pipeline
    from notebuilder.cli import main

    project = tmp_path / "project"
    shutil.copytree(SUBJECTS, project)
    arguments = ["build", "--root", str(project), "--format", "pdf", "--out"]
    assert main([*arguments, str(tmp_path / "once")]) == 0
    monkeypatch.setattr(pipeline._Writer, "JOBS_PER_POOL", 2)
    assert main([*arguments, str(tmp_path / "often")]) == 0

    def files(out: Path) -> dict[str, bytes]:
        return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*.pdf"))}

    assert files(tmp_path / "often") == files(tmp_path / "once") != {}
