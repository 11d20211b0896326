"""The combined book: every topic as a part, one contents, bookmarks nested part -> section,
one list of sources numbered once for the whole book, and an optional notes/syllabus.yaml."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import SUBJECTS, epubcheck, pdf_page_count, pdftotext, run_notebuilder
from pypdf import PdfReader

pytestmark = pytest.mark.e2e  # every test here builds real outputs or runs notebuilder

POLITY, ECONOMY = "polity-fundamental-rights", "economy-schemes"


def outline(pdf: Path) -> list[tuple[str, int, list]]:
    reader = PdfReader(pdf)

    def walk(entries) -> list:
        items: list = []
        for entry in entries:
            if isinstance(entry, list):
                items[-1][2].extend(walk(entry))
            else:
                items.append((entry.title, reader.get_destination_page_number(entry) + 1, []))
        return items

    return walk(reader.outline)


def test_the_combined_book_nests_parts_and_sections_and_numbers_sources_once(subjects_build: Path):
    book = subjects_build / "combined" / "booklet.pdf"
    entries = outline(book)
    assert [title for title, _, _ in entries] == [
        "Fundamental Rights",
        "Welfare schemes and growth",
        "Sources",
    ]
    for (title, _, children), topic in zip(entries, (POLITY, ECONOMY)):
        alone = outline(subjects_build / topic / "booklet.pdf")
        assert [child for child, _, _ in children] == [
            entry for entry, _, _ in alone if entry != "Sources"
        ], title

    # Pages: front matter (title, contents) + each part (its title page and its body, as in the
    # topic's own booklet less that booklet's front matter and sources) + one list of sources.
    def body_pages(pdf: Path) -> int:
        marks = {title: page for title, page, _ in outline(pdf)}
        return marks["Sources"] - 3  # the body runs from page 3 to the page before the sources

    total = pdf_page_count(book)
    sources_pages = total - {title: page for title, page, _ in entries}["Sources"] + 1
    parts = sum(1 + body_pages(subjects_build / topic / "booklet.pdf") for topic in (POLITY, ECONOMY))
    # ... less a page for each part whose short timeline joins the page its last section ends on
    assert 2 + parts + sources_pages - 2 <= total <= 2 + parts + sources_pages

    text = pdftotext(book)
    listing = text[text.rindex("Sources") :]
    numbers = re.findall(r"^(\d+)\s", listing, re.M)
    assert numbers == ["1", "2", "3", "4", "5"]
    assert re.search(r"\[4, 5\]", text)  # the economy part cites its sources by the book's numbers
    contents = pdftotext(book, 2, 2)
    assert "GS2" in contents and "GS3" in contents and "Fundamental Rights" in contents


def test_the_combined_epub_is_valid_with_parts_in_its_contents(subjects_build: Path, tmp_path: Path):
    import zipfile

    epub = subjects_build / "combined" / "booklet.epub"
    report = epubcheck(epub, tmp_path)
    assert (report["checker"]["nError"], report["checker"]["nWarning"]) == (0, 0), report["messages"]
    assert report["messages"] == []
    with zipfile.ZipFile(epub) as archive:
        nav = archive.read("EPUB/nav.xhtml").decode("utf-8")
        chapters = [
            info for info in archive.infolist() if re.fullmatch(r"EPUB/text/ch\d+\.xhtml", info.filename)
        ]
        sections = [name for name in nav.split('href="')[1:] if "-section-" in name.split('"')[0]]
    assert (
        nav.index("1. Fundamental Rights")
        < nav.index("The rights and their articles")
        < nav.index("2. Welfare")
    )
    # Split by section, as a topic's EPUB is, not one long file per part.
    assert len(chapters) > len(sections) >= 4
    assert {href.split("#")[0] for href in sections} <= {
        info.filename.removeprefix("EPUB/") for info in chapters
    }
    assert len({href.split("#")[0] for href in sections}) == len(sections)  # each section its own file
    # Each part numbers its own sections: a source's backlinks name the part ("Part 2 §1").
    with zipfile.ZipFile(epub) as archive:
        text = "".join(archive.read(info).decode("utf-8") for info in chapters)
    backlinks = re.findall(r"Cited in (.*?)\.</span>", text)
    assert backlinks and all(re.search(r"Part \d+ §\d+", places) for places in backlinks), backlinks[:3]
    assert any("Part 2 §" in places for places in backlinks)


def test_syllabus_orders_and_groups_topics_and_an_unchanged_book_is_skipped(tmp_path: Path):
    project = tmp_path / "syllabus"
    shutil.copytree(SUBJECTS, project)
    syllabus = project / "notes" / "syllabus.yaml"
    syllabus.write_text(
        f"title: My mains syllabus\ngroups:\n  - title: Paper III\n    topics: [{ECONOMY}]\n"
        f"  - title: Paper II\n    topics: [{POLITY}]\n",
        encoding="utf-8",
    )
    arguments = ("build", "--root", str(project), "--format", "pdf", "--combined")
    first = run_notebuilder(*arguments)
    assert first.returncode == 0, first.stderr
    book = project / "build" / "combined" / "booklet.pdf"
    assert [title for title, _, _ in outline(book)][:2] == [
        "Welfare schemes and growth",
        "Fundamental Rights",
    ]
    assert "My mains syllabus" in pdftotext(book, 1, 1)
    contents = pdftotext(book, 2, 2).upper()  # group labels are set in capitals
    assert (
        contents.index("PAPER III")
        < contents.index("WELFARE")
        < contents.index("PAPER II\n")
        < contents.index("FUNDAMENTAL")
    )
    before = book.read_bytes()
    again = run_notebuilder(*arguments)
    assert "combined: up to date" in again.stdout and book.read_bytes() == before

    syllabus.write_text(
        "groups:\n  - title: All\n    topics: [economy-schemes, polity-rights]\n", encoding="utf-8"
    )
    broken = run_notebuilder(*arguments)
    assert broken.returncode == 1
    assert "notes/syllabus.yaml:3:31: error: no topic 'polity-rights' in notes/" in broken.stderr
    assert book.read_bytes() == before


def test_a_book_of_one_topic_says_so_and_its_running_heads_are_clean(tmp_path: Path):
    from conftest import make_project

    project = make_project(tmp_path / "project")
    built = run_notebuilder("build", "--root", str(project), "--format", "pdf", "--combined")
    assert built.returncode == 0, built.stderr
    book = project / "build" / "combined" / "booklet.pdf"
    assert "1 topic · " in pdftotext(book, 1, 1)
    heads = [
        pdftotext(book, page, page).strip().splitlines()[0] for page in range(2, pdf_page_count(book) + 1)
    ]
    assert heads[0].startswith("Contents")
    assert not any(head.startswith(("·", " ·")) or " ·  " in head for head in heads), heads


def test_the_book_numbers_its_sources_in_order_of_first_citation(tmp_path: Path):
    """Part 1 cites [1]–[k]; each later part's new sources follow on, in the same order
    as in that topic's own booklet."""
    from notebuilder.assemble import assemble_book
    from notebuilder.build import check_project, deduplicate_topics

    project = tmp_path / "syllabus"
    shutil.copytree(SUBJECTS, project)
    # Register the second part's sources first: the book must not number by that order.
    registry = project / "seeds" / "sources.yaml"
    text = registry.read_text(encoding="utf-8")
    head, _, entries = text.partition("sources:\n")
    items = ["  - id:" + item for item in entries.split("  - id:")[1:]]
    registry.write_text(head + "sources:\n" + "".join(reversed(items)), encoding="utf-8")
    corpus = check_project(project)
    deduplicated = deduplicate_topics(corpus)
    book = assemble_book(corpus, {topic.id: deduplicated[topic.id].points for topic in corpus.topics}, 0)
    first_seen: list[int] = []
    for part in book.parts:
        document = part.document
        numbers = sorted(
            {m.number for section in document.sections for item in section.points for m in item.markers}
        )
        first_seen += [number for number in numbers if number not in first_seen]
    assert first_seen == list(range(1, len(first_seen) + 1))
    assert len(book.parts) == 2 and len(first_seen) == len(book.sources)


def test_a_parts_short_timeline_joins_its_last_page(subjects_build: Path):
    from notebuilder.assemble import assemble_book
    from notebuilder.build import check_project, deduplicate_topics
    from notebuilder.markup import curly_quotes, plain_text

    corpus = check_project(SUBJECTS)
    deduplicated = deduplicate_topics(corpus)
    book = assemble_book(corpus, {topic.id: deduplicated[topic.id].points for topic in corpus.topics}, 0)
    pdf = subjects_build / "combined" / "booklet.pdf"
    pages = [" ".join(pdftotext(pdf, page, page).split()) for page in range(1, pdf_page_count(pdf) + 1)]
    short = [part.document for part in book.parts if 0 < len(part.document.timeline) <= 6]
    assert short, "the test subjects should have a part with a short timeline"
    joined = []
    for document in short:  # where there is room, the timeline follows the part's last point
        last = document.sections[-1].points[-1]
        words = " ".join(curly_quotes(plain_text(last.point.text)).split()[:4])
        joined += [text for text in pages if words in text and text.index(words) < text.rfind("Timeline")]
    assert joined
