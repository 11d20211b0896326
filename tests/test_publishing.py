"""Publishing quality: tagged and archival PDFs, duplex printing, the student's own
metadata, names readers understand, and dates stated once in one style."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import SUBJECTS, pdf_page_count, pdf_ua_errors, pdftotext, run_notebuilder

pytestmark = pytest.mark.e2e  # every test here builds real outputs or runs notebuilder

POLITY = "polity-fundamental-rights"


def structure_types(pdf: pikepdf.Pdf) -> set[str]:
    """Every structure element type in the PDF's structure tree."""
    found, stack = set(), [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                found.add(str(node.S))
            if "/K" in node:
                stack.append(node.K)
    return found


@pytest.fixture(scope="module")
def polity_project(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("publishing") / "syllabus"
    shutil.copytree(SUBJECTS, project)
    topic = project / "notes" / POLITY / "topic.yaml"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace(
            "subject: Polity\n",
            "subject: Polity\nauthor: Asha Verma\npublisher: Study circle\nrights: For personal study\n",
        ),
        encoding="utf-8",
    )
    return project


def test_pdf_ua_tags_booklet_and_selftest_with_language_and_title(polity_project: Path, tmp_path: Path):
    out = tmp_path / "ua"
    arguments = ("--root", str(polity_project), "--out", str(out), "--topic", POLITY, "--format", "pdf")
    built = run_notebuilder("build", *arguments, "--pdf-variant", "pdf/ua-1")
    assert built.returncode == 0, built.stderr
    for name in ("booklet.pdf", "selftest.pdf"):
        with pikepdf.open(out / POLITY / name) as pdf:
            assert "/StructTreeRoot" in pdf.Root, name
            assert bool(pdf.Root.MarkInfo.Marked)
            assert str(pdf.Root.Lang) == "en"
            assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
            types = structure_types(pdf)
            assert {"/H1", "/H2", "/L", "/LI", "/P"} <= types, (name, types)
    with pikepdf.open(out / POLITY / "booklet.pdf") as pdf:
        assert pdf.open_metadata().get("dc:creator") == ["Asha Verma"]

    plain = run_notebuilder("build", *arguments, "--pdf-variant", "none")
    assert plain.returncode == 0, plain.stderr
    with pikepdf.open(out / POLITY / "booklet.pdf") as pdf:
        assert "/StructTreeRoot" not in pdf.Root  # the variant is part of each output's digest

    archival = run_notebuilder("build", *arguments, "--pdf-variant", "pdf/a-3a")
    assert archival.returncode == 0, archival.stderr
    for name in ("booklet.pdf", "mindmaps.pdf"):  # archived, and still tagged for a screen reader
        with pikepdf.open(out / POLITY / name) as pdf:
            metadata = pdf.open_metadata()
            assert (metadata["pdfaid:part"], metadata["pdfaid:conformance"]) == ("3", "A"), name
            assert "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked), name


def test_duplex_mirrors_margins_and_puts_page_numbers_on_the_outer_edge(polity_project: Path, tmp_path: Path):
    out = tmp_path / "duplex"
    arguments = ("--root", str(polity_project), "--out", str(out), "--topic", POLITY, "--format", "pdf")
    assert run_notebuilder("build", *arguments, "--duplex").returncode == 0
    booklet = out / POLITY / "booklet.pdf"
    for page in (2, 3):
        head = next(
            line for line in pdftotext(booklet, page, page, layout=True).splitlines() if "page " in line
        )
        number = head.index(f"page {page} of")
        if page % 2 == 0:  # a left-hand page: the number on its left, the outer edge
            assert number < 5, head
        else:
            assert head.rstrip().endswith(re.search(r"page \d+ of \d+", head)[0]) and number > 40, head
    with pikepdf.open(booklet) as pdf:
        left, right = (pdf.pages[index].mediabox for index in (1, 2))
        assert left == right
    # The self-test's answers start a new sheet (a right-hand page), to be torn off.
    selftest = out / POLITY / "selftest.pdf"
    pages = [pdftotext(selftest, page, page) for page in range(1, pdf_page_count(selftest) + 1)]
    first = next(number for number, text in enumerate(pages, start=1) if "Answers" in text)
    assert first % 2 == 1 and first > 1, first
    # sections_on_right: every section opens a right-hand (odd) page, blank left pages allowed.
    topic = polity_project / "notes" / POLITY / "topic.yaml"
    plain = topic.read_text(encoding="utf-8")
    topic.write_text(plain + "sections_on_right: true\n", encoding="utf-8")
    try:
        assert run_notebuilder("build", *arguments, "--duplex").returncode == 0
        from pypdf import PdfReader

        reader = PdfReader(booklet)
        openers = {
            str(item.title): reader.get_destination_page_number(item) + 1
            for item in reader.outline
            if not isinstance(item, list) and re.match(r"\d+ ", str(item.title))
        }
        assert len(openers) == 3 and all(number % 2 == 1 for number in openers.values()), openers
    finally:
        topic.write_text(plain, encoding="utf-8")
    # Single-sided (the default): the number stays top right on every page.
    assert run_notebuilder("build", *arguments, "--no-duplex").returncode == 0
    head = next(line for line in pdftotext(booklet, 2, 2, layout=True).splitlines() if "page 2 of" in line)
    assert head.index("page 2 of") > 40


def test_title_page_and_epub_carry_the_students_own_metadata(polity_project: Path, tmp_path: Path):
    out = tmp_path / "meta"
    built = run_notebuilder("build", "--root", str(polity_project), "--out", str(out), "--topic", POLITY)
    assert built.returncode == 0, built.stderr
    title_page = pdftotext(out / POLITY / "booklet.pdf", 1, 1)
    assert "Asha Verma · Study circle" in title_page
    assert "For personal study" in title_page
    with zipfile.ZipFile(out / POLITY / "booklet.epub") as epub:
        package = next(epub.read(name).decode() for name in epub.namelist() if name.endswith(".opf"))
    assert "<dc:creator" in package and "Asha Verma" in package
    assert "Study circle" in package and "For personal study" in package
    assert "notebuilder</dc:creator>" not in package


def test_readers_see_source_titles_not_ids_or_file_names(shipped_build: Path):
    texts = [
        pdftotext(shipped_build / "india-japan" / name)
        for name in ("booklet.pdf", "comparison.pdf", "selftest.pdf")
    ]
    for text in texts:
        assert not re.search(r"\b\d{3}_[0-9a-f]{16}\b", text)  # a seed's hashed file name
        assert "seeds/" not in text and "seeds " not in text.lower()
    comparison = " ".join(texts[1].split())
    assert "IASGyan 2025" in comparison and "Kamaraj IAS 2025" in comparison  # sources.yaml short:
    for source_id in ("iasgyan", "summit15", "kamaraj", "obsidian"):  # ids, lower case as written
        assert not re.search(rf"\b{source_id}\b", comparison)


def test_every_date_is_stated_once_and_in_one_style(shipped_build: Path):
    text = pdftotext(shipped_build / "india-japan" / "booklet.pdf", layout=True)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)  # ISO dates become "21 Aug 2025"
    for line in text.splitlines():
        doubled = re.search(r"(?<![\w–])(\d{4}(?:–\d{2,4})?)\s+\1\s*[:,]", line)
        assert doubled is None, line
    # The EPUB prints a point's date inline, before it: never when its text gives a date itself.
    files = epub_files(shipped_build / "india-japan" / "booklet.epub")
    for html in files.values():
        for label, point in re.findall(
            r"<li><span id=\"point-[^\"]*\"><strong>([^<]*):</strong> (.*?)</li>", html
        ):
            words = re.sub(r"<[^>]+>", "", point)
            assert label not in words, (label, words[:80])
            assert not re.match(r"(?:c\.\s*)?\d[\w–-]*(?:\s+(?:BCE|BC|CE|AD))?\s*:", words), (
                label,
                words[:80],
            )


def test_the_epub_labels_a_point_with_its_date_only_when_the_text_names_none(tmp_path: Path):
    from conftest import make_project

    extra = (
        "defaults:\n  source: alpha\n  section: history\nfragments:\n"
        "  - id: tests\n    text: India tested nuclear devices at **Pokhran**.\n    date: '1998'\n"
        "  - id: summit\n    text: On 21 August 2025 the leaders met in **Tokyo**.\n    date: '2025-08-21'\n"
    )
    project = make_project(tmp_path / "project", {"notes/demo/dated.yaml": extra})
    built = run_notebuilder("build", "--root", str(project), "--format", "epub")
    assert built.returncode == 0, built.stderr
    html = "".join(epub_files(project / "build" / "demo" / "booklet.epub").values())
    labels = dict(re.findall(r"<span id=\"point-([^\"]*)\"><strong>([^<]*):</strong>", html))
    assert labels == {"tests": "1998"}  # the treaty's text and the summit's give their dates


def test_a_section_of_one_point_has_no_sheet_of_its_own(shipped_build: Path):
    sheets = {path.stem[3:] for path in (shipped_build / "india-japan" / "mindmaps").glob("*.pdf")}  # 00-
    assert "practice" not in sheets and "overview" in sheets
    overview = pdftotext(shipped_build / "india-japan" / "mindmaps" / "00-overview.pdf")
    assert "Practice" in overview


# ------------------------------------------------------------------ EPUB


def epub_files(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith((".xhtml", ".opf"))
        }


def _walk_every_noteref_there_and_back(chapters: dict[str, str]) -> None:
    """Kindle and Kobo show a note in a pop-up when its link goes both ways: every
    reference has an id and is superscript, and its source's entry links back to it."""
    from lxml import etree

    xhtml = "{http://www.w3.org/1999/xhtml}"
    trees = {name.rsplit("/", 1)[-1]: etree.fromstring(text.encode()) for name, text in chapters.items()}
    ids = {
        (name, element.get("id")): element
        for name, tree in trees.items()
        for element in tree.iter()
        if element.get("id")
    }
    references = [
        (name, link) for name, tree in trees.items() for link in tree.iter(f"{xhtml}a")
        if link.get("{http://www.idpf.org/2007/ops}type") == "noteref"
    ]  # fmt: skip
    assert references
    for name, link in references:
        assert link.get("id"), etree.tostring(link)
        assert any(ancestor.tag == f"{xhtml}sup" for ancestor in link.iterancestors()), link.get("id")
        target_file, _, target_id = link.get("href").partition("#")
        entry = ids[(target_file, target_id)]  # there
        backs = {back.get("href") for back in entry.iter(f"{xhtml}a")}
        assert f"{name}#{link.get('id')}" in backs, (link.get("id"), sorted(backs)[:5])  # and back


def test_epub_is_e_reader_native_and_says_what_is_true_of_it(built_topic):
    directory, document = built_topic
    files = epub_files(directory / "booklet.epub")
    chapters = {name: text for name, text in files.items() if re.search(r"text/ch\d+\.xhtml$", name)}
    for text in chapters.values():  # each chapter is titled by its heading, never its file name
        title = re.search(r"<title>(.*?)</title>", text)[1]
        assert not title.endswith(".xhtml") and title, title
    everything = "".join(chapters.values())
    markers = re.findall(r'<a href="ch\d+\.xhtml#source-\d+"[^>]*>', everything)
    assert markers and all(
        'epub:type="noteref"' in marker and 'role="doc-noteref"' in marker for marker in markers
    )
    assert 'epub:type="bibliography"' in everything and "biblioentry" not in everything  # deprecated
    _walk_every_noteref_there_and_back(chapters)
    assert '<body epub:type="backmatter">' in everything
    if document.topic.glossary:
        assert 'epub:type="glossary"' in everything and "<dfn>" in everything
    nav = next(text for name, text in files.items() if name.endswith("nav.xhtml"))
    assert 'epub:type="bodymatter"' in nav and 'epub:type="bibliography"' in nav
    package = next(text for name, text in files.items() if name.endswith(".opf"))
    assert "schema:accessibilitySummary" in package
    cover = re.search(
        r'<item properties="cover-image" id="[^"]+" href="([^"]+)" media-type="image/png"', package
    )
    assert cover, "the EPUB needs a cover for e-reader libraries"
    from io import BytesIO

    from PIL import Image

    with zipfile.ZipFile(directory / "booklet.epub") as archive:
        image = Image.open(BytesIO(archive.read("EPUB/" + cover[1])))
    assert max(image.size) >= 1600
    assert "alternativeText" not in package  # there are no images to describe
    assert "<img" not in everything
    # Read as plain text, a disagreement is a sentence.
    plain = re.sub(r"<[^>]+>", "", everything)
    for conflict in re.findall(r"Sources differ on [^\n]*", plain):
        assert conflict.rstrip().endswith("."), conflict


def test_glossary_acronyms_are_marked_where_the_text_uses_them(shipped_build: Path):
    files = epub_files(shipped_build / "india-japan" / "booklet.epub")
    text = "".join(files.values())
    assert re.search(r'<abbr title="foreign direct investment">FDI</abbr>', text)
    assert not re.search(r"<h1[^>]*>[^<]*<abbr", text)  # headings stay plain


def test_daisy_ace_finds_no_violations(built_topic, tmp_path: Path):
    from conftest import ace_report

    directory, _ = built_topic
    assert ace_report(directory / "booklet.epub", tmp_path) == ([], "pass")


def test_a_date_label_is_read_before_its_point(built_topic):
    """The margin date comes first in the PDF's reading order (raw content order), as in
    the tagged structure, so a screen reader says "1952: After World War II…"."""
    import subprocess

    from notebuilder.markup import curly_quotes, plain_text

    directory, document = built_topic
    raw = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(directory / "booklet.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    raw = " ".join(raw.split())
    dated = [item for section in document.sections for item in section.points if item.margin_date]
    assert dated, document.topic.id
    for item in dated[:6]:
        opening = " ".join(
            curly_quotes(
                plain_text(item.point.statements[0].text if item.point.statements else item.point.text)
            ).split()[:3]
        )
        assert f"{item.margin_date} {opening}" in raw, (item.margin_date, opening)


def _figures(pdf) -> list:
    found, stack = [], [pdf.Root.StructTreeRoot]
    while stack:
        element = stack.pop()
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary):
                stack.append(kid)
        if element.get("/S") == "/Figure":
            found.append(str(element.Alt))
    return found


def test_printed_documents_and_sheets_are_tagged_by_default(shipped_build: Path):
    directory = shipped_build / "india-japan"
    for name in ("booklet.pdf", "comparison.pdf", "selftest.pdf", "mindmaps.pdf"):
        with pikepdf.open(directory / name) as pdf:
            assert "/StructTreeRoot" in pdf.Root, name  # PDF/UA-1 unless --pdf-variant says otherwise
    with pikepdf.open(directory / "mindmaps.pdf") as pdf:
        assert str(pdf.docinfo["/Title"]) == "India–Japan Relations: mind maps"
        assert len(pdf.open_outline().root) == len(pdf.pages)  # a bookmark per sheet
        outlines = _figures(pdf)
    # Each map is a Figure whose alternative text is the map in words, on every sheet alone too.
    assert len(outlines) == len(pdf.pages)
    assert all(text.startswith("Mind map of ") for text in outlines)
    singles = sorted((directory / "mindmaps").glob("*.pdf"))
    for single in singles:
        with pikepdf.open(single) as pdf:
            (alone,) = _figures(pdf)
            assert alone in outlines
            assert pdf.open_metadata()["dc:title"] == str(pdf.docinfo["/Title"])
    overview = next(text for text in outlines if "India–Japan Relations," in text)
    assert "Historical ties:" in overview


def test_a_pdf_ua_checker_finds_no_error_in_any_pdf(
    shipped_build: Path, subjects_build: Path, syllabus_build: Path, tmp_path: Path
):
    """outloud (PyPI: PDF/UA-1 and WCAG checks on pikepdf and PyMuPDF) on every PDF the test
    builds write, in one run: no errors (warnings are for a person to review)."""
    pdfs = sorted(
        path for built in (shipped_build, subjects_build, syllabus_build) for path in built.rglob("*.pdf")
    )
    assert len(pdfs) > 10
    assert pdf_ua_errors(pdfs, tmp_path) == []


@pytest.mark.e2e
@pytest.mark.skipif(
    shutil.which("ebook-convert") is None, reason="Calibre is not installed (apt-get install calibre)"
)
def test_calibre_makes_a_kindle_book_whose_every_link_still_leads_somewhere(
    shipped_build: Path, tmp_path: Path
):
    """Calibre's ebook-convert, as a student sends the EPUB to a Kindle: AZW3 with the
    book's title and author, every section, and every note reference and backlink whole
    (read back from the AZW3 as one HTML file)."""
    epub = shipped_build / "india-japan" / "booklet.epub"
    with zipfile.ZipFile(epub) as book:
        package = next(book.read(name).decode() for name in book.namelist() if name.endswith(".opf"))
    title = re.search(r"<dc:title[^>]*>([^<]*)<", package)[1]
    creator = re.search(r"<dc:creator[^>]*>([^<]*)<", package)[1]
    kindle = tmp_path / "booklet.azw3"
    converted = subprocess.run(["ebook-convert", str(epub), str(kindle)], capture_output=True, text=True)
    assert converted.returncode == 0 and kindle.stat().st_size > 0, converted.stdout + converted.stderr
    assert "Traceback" not in converted.stderr and "ERROR" not in converted.stdout
    meta = subprocess.run(["ebook-meta", str(kindle)], capture_output=True, text=True).stdout
    assert re.search(r"^Title\s*: (.*)$", meta, re.M)[1] == title
    assert re.search(r"^Author\(s\)\s*: (.*)$", meta, re.M)[1] == creator

    back = tmp_path / "back.htmlz"
    assert subprocess.run(["ebook-convert", str(kindle), str(back)], capture_output=True).returncode == 0
    with zipfile.ZipFile(back) as unpacked:
        html = unpacked.read("index.html").decode()
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    links = re.findall(r'href="#([^"]+)"', html)
    assert len(links) > 300 and [link for link in links if link not in ids] == []
    for heading in ("Historical and civilisational ties", "Timeline", "Glossary", "Sources"):
        assert heading in html


@pytest.mark.e2e
def test_every_output_prints_curly_quotes(built_topic, tmp_path: Path):
    """Titles, headings, glossary entries and notes alike print “quotes” and India’s, in
    every PDF, the EPUB's text and the cards (the notes keep the student's characters)."""
    import html
    import zipfile

    from test_recall import read_deck

    directory, _ = built_topic
    printed = {path.name: pdftotext(path) for path in sorted(directory.rglob("*.pdf"))}
    with zipfile.ZipFile(directory / "booklet.epub") as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                body = book.read(name).decode("utf-8")
                printed[name] = html.unescape(re.sub(r"<[^>]*>", " ", body[body.index("<body") :]))
    deck = read_deck(directory / "cards.apkg", tmp_path)
    printed["cards"] = re.sub(r"<[^>]*>", " ", " ".join(fields for _, fields, _ in deck["notes"].values()))
    straight = {name: re.findall(r".{0,30}['\"].{0,30}", text) for name, text in printed.items()}
    assert {name: found for name, found in straight.items() if found} == {}
