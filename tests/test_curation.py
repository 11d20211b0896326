"""Curating faster and missing nothing: source coverage and draft fragments from a seed,
on the shipped topic and on the test subjects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SUBJECTS, run_notebuilder

from notebuilder.build import check_project
from notebuilder.coverage import read_seed, source_coverage

POLITY = "polity-fundamental-rights"


def copy_subjects(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(SUBJECTS, project)
    return project


def test_boilerplate_is_not_content():
    lines = read_seed(
        "FUNDAMENTAL RIGHTS AT A GLANCE\n"
        "Context\n"
        "Join our weekend batch! Call 98765 43210.\n"
        "Visit www.example.com for notes.\n"
        "Page 3 of 9\n"
        "- Article 21 protects life and personal liberty. It covers the right to privacy.\n"
    )
    assert [line.kind for line in lines] == [
        "heading",
        "heading",
        "advert",
        "furniture",
        "furniture",
        "content",
    ]
    assert [item.text for item in lines[-1].statements] == [
        "Article 21 protects life and personal liberty.",
        "It covers the right to privacy.",
    ]


@pytest.mark.e2e
def test_coverage_lists_exactly_the_known_gaps_and_fails_under(tmp_path: Path):
    project = copy_subjects(tmp_path)
    seed = project / "seeds" / "polity-handout.txt"
    seed.write_text(
        seed.read_text(encoding="utf-8")
        + "- Article 21 protects life and personal liberty.\n"
        + "- Article 21A was added by the 86th Amendment in 2002.\n"
        + "Follow us on Telegram for daily quizzes.\n"
        + "This line is only a reminder to the reader.\n",
        encoding="utf-8",
    )
    sources = project / "seeds" / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace(
            "    publisher: Test Academy\n", '    publisher: Test Academy\n    ignore: ["only a reminder"]\n'
        ),
        encoding="utf-8",
    )
    completed = run_notebuilder("coverage", "--root", str(project), "--source", "polity-handout")
    assert completed.returncode == 0, completed.stderr
    uncovered = [line.strip() for line in completed.stdout.splitlines() if line.startswith("  ")]
    assert uncovered == [
        "seeds/polity-handout.txt:11: [figures] Article 21A was added by the 86th Amendment in 2002.",
        "seeds/polity-handout.txt:10: [names] Article 21 protects life and personal liberty.",
    ]
    assert "statements 6/8 (75%), with figures 5/6 (83%)" in completed.stdout
    page = (project / "build" / POLITY / "coverage.html").read_text(encoding="utf-8")
    assert 'class="uncovered"><span class="n">10</span>' in page and "advert" in page
    failing = run_notebuilder("coverage", "--root", str(project), "--topic", POLITY, "--fail-under", "95")
    assert failing.returncode == 1 and "under 95%" in failing.stderr
    assert (
        run_notebuilder(
            "coverage", "--root", str(project), "--topic", POLITY, "--fail-under", "80"
        ).returncode
        == 0
    )


def test_the_shipped_notes_capture_their_seeds():
    corpus = check_project(REPO, ("india-japan",))
    (topic,) = corpus.topics
    glossary = {entry.term: entry.expansion for entry in topic.glossary}
    figures = [0, 0]
    for source in corpus.sources:
        if source.id in topic.cited_source_ids:
            text = (REPO / "seeds" / source.file).read_text(encoding="utf-8")
            done, total = source_coverage(source, text, topic.fragments, glossary, topic.title).share(True)
            figures = [figures[0] + done, figures[1] + total]
    assert figures[1] >= 60 and figures[0] / figures[1] >= 0.98, figures


@pytest.mark.e2e
def test_draft_marks_what_the_notes_hold_and_never_clobbers_edits(tmp_path: Path):
    project = copy_subjects(tmp_path)
    completed = run_notebuilder(
        "draft", str(project / "seeds" / "polity-handout.txt"), "--topic", POLITY, "--root", str(project)
    )
    assert completed.returncode == 0, completed.stderr
    draft = project / "notes" / POLITY / "drafts" / "polity-handout.yaml"
    text = draft.read_text(encoding="utf-8")
    assert "# already in the notes? ph-article-12" in text
    assert (
        '"**Article 24** bars the employment of children **below 14** years in factories and mines."' in text
    )
    data = yaml.safe_load(text)
    assert len(data["fragments"]) == 6 and all(
        fragment["section"] == "TODO" for fragment in data["fragments"]
    )
    check = run_notebuilder("check", "--root", str(project))
    assert check.returncode == 0 and f"{POLITY}: 6 draft fragments in notes/{POLITY}/drafts/" in check.stdout

    # The student edits the draft; drafting again leaves the edit alone.
    draft.write_text(text.replace("section: TODO", "section: rights", 1), encoding="utf-8")
    edited = draft.read_text(encoding="utf-8")
    again = run_notebuilder(
        "draft", str(project / "seeds" / "polity-handout.txt"), "--topic", POLITY, "--root", str(project)
    )
    assert again.returncode == 0 and "beside your edited draft" in again.stdout
    assert draft.read_text(encoding="utf-8") == edited and draft.with_suffix(".yaml.new").is_file()

    # With the sections chosen and moved into the topic, check accepts the fragments.
    accepted = project / "notes" / POLITY / "from-draft.yaml"
    accepted.write_text(edited.replace("section: TODO", "section: amendments"), encoding="utf-8")
    assert run_notebuilder("check", "--root", str(project)).returncode == 0


@pytest.mark.e2e
def test_draft_works_on_the_shipped_topic_and_needs_a_registered_source(tmp_path: Path):
    project = tmp_path / "shipped"
    shutil.copytree(REPO, project, ignore=shutil.ignore_patterns(".venv", "build", ".git", "__pycache__"))
    seed = next((project / "seeds").glob("004_*.txt"))
    completed = run_notebuilder("draft", str(seed), "--topic", "india-japan", "--root", str(project))
    assert completed.returncode == 0, completed.stderr
    text = (project / "notes" / "india-japan" / "drafts" / "kamaraj.yaml").read_text(encoding="utf-8")
    assert "**Dharma Guardian-VI** (**Feb–Mar 2025**)" in text and text.count("# already in the notes?") >= 30
    stray = tmp_path / "notes.txt"
    stray.write_text("A fact from 2020.\n", encoding="utf-8")
    refused = run_notebuilder("draft", str(stray), "--topic", "india-japan", "--root", str(project))
    assert refused.returncode == 2 and "notebuilder new-source" in refused.stderr


def test_a_statement_whose_name_no_fragment_gives_is_not_covered():
    """Take away the fragments naming an initiative: the statement naming it is a gap,
    though its other words still match another fragment of the source."""
    corpus = check_project(REPO, ("india-japan",))
    (topic,) = corpus.topics
    glossary = {entry.term: entry.expansion for entry in topic.glossary}
    name = "Economic Security Initiative"
    kept = [fragment for fragment in topic.fragments if name.lower() not in fragment.text.lower()]
    assert len(kept) < len(topic.fragments)
    for source in corpus.sources:
        seed = (REPO / "seeds" / source.file).read_text(encoding="utf-8")
        if name in seed:
            before, after = (
                [
                    item.text
                    for item in source_coverage(source, seed, fragments, glossary, topic.title).uncovered
                    if name in item.text
                ]
                for fragments in (topic.fragments, kept)
            )
            assert len(after) > len(before), source.id
            return
    pytest.fail(f"no seed names the {name}")
