"""Real sources in: a hard-wrapped textbook chapter as .txt, the same chapter as .docx,
.odt, .epub and .html (made with pandoc), and a two-column handout printed to PDF with WeasyPrint (running
heads, page numbers). Each is registered with new-source and drafted; the drafts are
measured against the chapter's sentences, written out by hand in chapter-sentences.txt."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import TESTS, make_project, run_notebuilder

from notebuilder.coverage import source_coverage
from notebuilder.dates import parse_date
from notebuilder.extract import extract_text, prose, without_running_lines
from notebuilder.markup import plain_text

SOURCES = TESTS / "data" / "sources"
SENTENCES = (SOURCES / "chapter-sentences.txt").read_text(encoding="utf-8").splitlines()
HEADINGS = [
    "CHAPTER 4",
    "THE COMPANY AND THE CROWN",
    "Regulating the Company",
    "The Charter Acts",
    "The Revolt and the Crown",
    "Ancient Roots of Administration",
    "Reforms after 1858",
]
TOPIC = """title: "Modern India: the Company and the Crown"
paper: GS1
subject: History
sections:
  - id: company
    title: Regulating the Company
  - id: charters
    title: The Charter Acts
  - id: crown
    title: The revolt and the Crown
  - id: ancient
    title: Ancient administration
  - id: reforms
    title: Reforms after 1858
"""
# Each date a sentence gives, as the draft must keep it: its era and its form.
DATES = {
    "Chandragupta Maurya": "c. 322 BCE",
    "Ashoka fought": "c. 261 BCE",
    "Harappan cities": "c. 2600–1900 BCE",
    "Chola king": "AD 1025",
    "Mahmud of Ghazni": "1000–1027 CE",
    "Round Table": "Mar 1930",
    "became independent": "14–15 August 1947",
    "revolt of 1857": "10 May 1857",
}
HANDOUT_CSS = """
@page { size: A5; margin: 18mm 12mm;
  @top-center { content: "Modern India · Class notes"; font-size: 8pt }
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt } }
body { columns: 2; column-gap: 6mm; font: 10pt/1.35 serif; text-align: justify; hyphens: auto }
h2 { font-size: 11pt; text-align: left }
"""


def _plain(text: str) -> str:
    return " ".join(plain_text(text).replace("’", "'").split())


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    """The chapter in four formats."""
    import pypandoc
    import weasyprint

    folder = tmp_path_factory.mktemp("documents")
    chapter = folder / "chapter.txt"
    chapter.write_text((SOURCES / "chapter.txt").read_text(encoding="utf-8"), encoding="utf-8")
    markdown = folder / "chapter-source.md"  # the chapter as a writer's Markdown, for pandoc
    markdown.write_text(extract_text(chapter), encoding="utf-8")
    pypandoc.convert_file(str(markdown), "docx", outputfile=str(folder / "chapter.docx"))
    pypandoc.convert_file(str(markdown), "odt", outputfile=str(folder / "chapter.odt"))
    pypandoc.convert_file(
        str(markdown), "epub", outputfile=str(folder / "chapter.epub"), extra_args=["--metadata=title:Ch. 4"]
    )
    pypandoc.convert_file(
        str(markdown), "html", outputfile=str(folder / "page.html"), extra_args=["--standalone", "--quiet"]
    )
    blocks = extract_text(chapter).split("\n\n")
    body = "".join(
        f"<h2>{html.escape(block[3:])}</h2>" if block.startswith("## ") else f"<p>{html.escape(block)}</p>"
        for block in blocks
    )
    page = f'<html lang="en"><head><style>{HANDOUT_CSS}</style></head><body>{body}</body></html>'
    weasyprint.HTML(string=page).write_pdf(folder / "handout.pdf")
    return {
        "txt": chapter,
        "docx": folder / "chapter.docx",
        "odt": folder / "chapter.odt",
        "epub": folder / "chapter.epub",
        "html": folder / "page.html",
        "pdf": folder / "handout.pdf",
    }


@pytest.fixture(scope="module")
def drafted(documents, tmp_path_factory) -> tuple[Path, dict[str, list[dict]]]:
    """A project with the four registered by new-source and drafted into the topic."""
    project = make_project(tmp_path_factory.mktemp("project"), {"notes/modern-india/topic.yaml": TOPIC})
    (project / "notes" / "modern-india" / "notes.yaml").write_text(
        "defaults:\n  source: alpha\n  section: company\nfragments:\n"
        "  - id: placeholder\n    text: A fact of the base project's kind.\n",
        encoding="utf-8",
    )
    drafts = {}
    for kind, document in documents.items():
        registered = run_notebuilder(
            "new-source", str(document), "--id", f"chapter-{kind}", "--title", f"Chapter ({kind})",
            "--kind", "book", "--root", str(project),
        )  # fmt: skip
        assert registered.returncode == 0, registered.stderr
        seed = project / "seeds" / document.name
        made = run_notebuilder("draft", str(seed), "--topic", "modern-india", "--root", str(project))
        assert made.returncode == 0, made.stderr
        text = (project / "notes" / "modern-india" / "drafts" / f"chapter-{kind}.yaml").read_text(
            encoding="utf-8"
        )
        drafts[kind] = yaml.safe_load(text)["fragments"]
    return project, drafts


def test_every_format_is_kept_with_its_prose_beside_it(documents, drafted):
    project, _ = drafted
    registry = yaml.safe_load((project / "seeds" / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    entries = {entry["id"]: entry for entry in registry}
    for kind, document in documents.items():
        entry = entries[f"chapter-{kind}"]
        assert (project / "seeds" / entry["file"]).read_bytes() == document.read_bytes()  # the original
        assert entry["text"] == f"{document.name}.md"
        assert (project / "seeds" / entry["text"]).is_file()
    assert run_notebuilder("check", "--root", str(project)).returncode == 0


@pytest.mark.parametrize("kind", ["txt", "docx", "odt", "epub", "html", "pdf"])
def test_drafts_are_whole_sentences_with_dates_in_their_era_and_no_headings(drafted, kind):
    _, drafts = drafted
    fragments = drafts[kind]
    texts = [_plain(fragment["text"]) for fragment in fragments]
    whole = [text for text in texts if text in SENTENCES]
    assert len(whole) / len(texts) >= 0.95, sorted(set(texts) - set(SENTENCES))
    assert len(set(whole)) == len(SENTENCES)  # every sentence, once
    assert not [text for text in texts if text.rstrip(".") in HEADINGS or text.isupper()]
    for opening, date in DATES.items():
        (fragment,) = [fragment for fragment in fragments if opening in _plain(fragment["text"])]
        assert fragment.get("date") == date, (kind, opening)
        assert parse_date(date) is not None
    counted = {name for fragment in fragments for name in fragment.get("figures", {})}
    assert {"raids", "commissioners", "members", "provinces"} <= counted
    assert not any(
        re.match(r"\*\*(?:A|The|It|Ended|Directors)\b", fragment["text"]) for fragment in fragments
    )
    sections = {_plain(fragment["text"]).split(",")[0]: fragment["section"] for fragment in fragments}
    assert sections["Long before the Company"] == "ancient"  # guessed from the heading above it
    assert sections["The Charter Act of 1813 ended the Company's monopoly of trade with India"] == "charters"


def test_a_pdf_draft_cites_the_page_each_sentence_is_on(drafted):
    _, drafts = drafted
    pages = {
        _plain(fragment["text"]): fragment["sources"][0]["at"]
        for fragment in drafts["pdf"]
        if "sources" in fragment
    }
    assert len(pages) == len(drafts["pdf"])
    assert pages[SENTENCES[0]] == "p. 1" and pages[SENTENCES[-1]] == "p. 2"
    assert "page" not in " ".join(pages).lower() and "Class notes" not in " ".join(pages)


def test_coverage_finds_no_false_gap_in_notes_that_capture_every_statement(drafted):
    """The txt draft, its sections chosen, as the notes of all four sources: each source's
    every statement is covered (false gaps at most 5%), and no heading is a statement."""
    project, drafts = drafted
    from notebuilder.build import check_project

    notes = project / "notes" / "modern-india" / "chapter.yaml"
    fragments = "\n".join(
        f"  - id: {fragment['id']}\n    section: {fragment['section'].replace('TODO', 'company')}\n"
        f"    sources: [{', '.join(f'chapter-{kind}' for kind in drafts)}]\n"
        f"    text: {json.dumps(fragment['text'], ensure_ascii=False)}\n"
        + (f"    date: {json.dumps(fragment['date'], ensure_ascii=False)}\n" if "date" in fragment else "")
        for fragment in drafts["txt"]
    )
    notes.write_text(f"fragments:\n{fragments}", encoding="utf-8")
    corpus = check_project(project, ("modern-india",))
    (topic,) = corpus.topics
    from notebuilder.scaffold import source_text

    for source in corpus.sources:
        if source.id.startswith("chapter-"):
            found = source_coverage(source, source_text(project, source), topic.fragments, {}, topic.title)
            done, total = found.share()
            assert total == len(SENTENCES), (source.id, [item.text for item in found.statements])
            assert (total - done) / total <= 0.05, (source.id, [item.text for item in found.uncovered])


def test_running_heads_and_page_numbers_are_dropped_and_paragraphs_joined_over_a_page():
    pages = [
        [
            "Class notes · Modern India",
            "The first page ends in the middle of a",
            "sentence that goes on",
            "Page 1 of 2",
        ],
        ["Class notes · Modern India", "over the page. Then a new one starts.", "Page 2 of 2"],
    ]
    kept = without_running_lines(pages)
    assert kept == [pages[0][1:3], pages[1][1:2]]
    lines = ["<!-- page 1 -->", *kept[0], "<!-- page 2 -->", *kept[1]]
    assert prose(lines) == [
        "<!-- page 1 -->",
        "The first page ends in the middle of a sentence that goes on over the page. Then a new one starts.",
        "<!-- page 2 -->",
    ]


def test_a_word_broken_at_a_line_end_is_whole_and_a_compound_keeps_its_hyphen():
    lines = [
        "The Governor-General of Bengal was made the Governor-",
        "General of India, and the kingdoms built their own sys-",
        "tems of rule over a long period of time, as the record shows.",
    ]
    (paragraph,) = prose(lines)
    assert "Governor-General of India" in paragraph and "systems of rule" in paragraph


def test_a_scanned_pdf_is_refused_with_a_clear_message_and_nothing_is_registered(tmp_path: Path):
    import weasyprint

    project = make_project(tmp_path / "project")
    scan = tmp_path / "scan.pdf"
    weasyprint.HTML(string='<div style="width:80mm;height:120mm;background:#888"></div>').write_pdf(scan)
    before = (project / "seeds" / "sources.yaml").read_text(encoding="utf-8")
    completed = run_notebuilder(
        "new-source", str(scan), "--id", "scan", "--title", "Scan", "--kind", "other", "--root", str(project)
    )
    assert completed.returncode != 0
    assert "scan.pdf has no text to read" in completed.stderr and "Traceback" not in completed.stderr
    assert (project / "seeds" / "sources.yaml").read_text(encoding="utf-8") == before
    assert not (project / "seeds" / "scan.pdf").exists()


def test_an_explainer_s_byline_dateline_and_question_headings_are_not_statements():
    from notebuilder.coverage import read_seed

    lines = read_seed((SOURCES / "explainer.txt").read_text(encoding="utf-8"))
    statements = [item for line in lines for item in line.statements]
    assert [item.text.split()[0] for item in statements] == ["Historians", "The", "It", "European", "The"]
    assert statements[0].text.startswith("Historians marked")  # "NEW DELHI, Aug 21 (PTI):" is not the fact's
    assert {line.number: line.kind for line in lines if line.kind != "blank"} == {
        1: "heading",
        2: "furniture",  # the byline
        3: "furniture",  # when it was updated
        5: "content",
        7: "heading",  # WHY IS THIS IN THE NEWS?
        9: "content",
        11: "heading",  # a short question
        13: "content",
        15: "furniture",  # a date alone
        17: "advert",
    }
    assert statements[-1].heading == "What did the bill propose?"


def test_plain_text_a_line_a_statement_is_registered_as_it_is(tmp_path: Path):
    """Only a hard-wrapped text gets a prose copy: notes written a statement a line are
    read as they are, so coverage's line numbers are the file's own."""
    from notebuilder.extract import hard_wrapped

    assert hard_wrapped((SOURCES / "chapter.txt").read_text(encoding="utf-8").splitlines())
    hindi = ["मौलिक अधिकार", "संविधान का भाग III मौलिक अधिकारों से संबंधित है और अनुच्छेद 14 विधि के"]
    assert hard_wrapped([*hindi, "समक्ष समता की गारंटी देता है।"] * 3)
    project = make_project(tmp_path / "project")
    seed = TESTS / "data" / "subjects" / "seeds" / "economy-notes.txt"
    registered = run_notebuilder(
        "new-source", str(seed), "--id", "notes", "--title", "Notes", "--root", str(project)
    )  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    entry = yaml.safe_load((project / "seeds" / "sources.yaml").read_text(encoding="utf-8"))["sources"][-1]
    assert entry["id"] == "notes" and "text" not in entry
    assert not (project / "seeds" / "economy-notes.txt.md").exists()
