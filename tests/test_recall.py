"""Active recall from the same notes: the Anki deck (cards.apkg) and the printable self-test."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, SUBJECTS, pdftotext, run_notebuilder

from notebuilder.build import assemble_topic, check_project
from notebuilder.cards import MAX_CLOZES, cloze_text, plan_cards
from notebuilder.markup import bold_spans, curly_quotes
from notebuilder.selftest import plan_selftest

CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}")


def read_deck(apkg: Path, tmp_path: Path) -> dict:
    """The notes, cards, models and decks of an .apkg (a zip holding an SQLite collection)."""
    with zipfile.ZipFile(apkg) as archive:
        assert set(archive.namelist()) == {"collection.anki2", "media"}
        tmp_path.mkdir(parents=True, exist_ok=True)
        database = tmp_path / f"{apkg.parent.name}-collection.anki2"
        database.write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(database)
    try:
        notes = {
            guid: (mid, fields, tags)
            for guid, mid, fields, tags in connection.execute("select guid, mid, flds, tags from notes")
        }
        cards = connection.execute("select nid, ord from cards").fetchall()
        note_ids = dict(connection.execute("select guid, id from notes").fetchall())
        models, decks = connection.execute("select models, decks from col").fetchone()
    finally:
        connection.close()
    return {"notes": notes, "cards": cards, "note_ids": note_ids, "models": models, "decks": decks}


def test_cloze_text_numbers_bold_spans_and_groups_many():
    assert cloze_text("The **42nd Amendment** (**1976**) added *socialist*.") == (
        "The {{c1::42nd Amendment}} ({{c2::1976}}) added <em>socialist</em>.",
        2,
    )
    many, count = cloze_text(" ".join(f"**term{n}**" for n in range(9)))
    assert count == MAX_CLOZES and sorted({int(n) for n, _ in CLOZE.findall(many)}) == [1, 2, 3, 4]
    assert cloze_text("No bold at all.") == ("No bold at all.", 0)
    tricky, _ = cloze_text("A **set {{x}} :: y** & <b>")
    assert CLOZE.fullmatch(CLOZE.search(tricky)[0]) and "&lt;b&gt;" in tricky and "&amp;" in tricky


def test_cards_for_points_and_conflicts():
    corpus = check_project(SUBJECTS, ("polity-fundamental-rights",))
    document = assemble_topic(corpus, corpus.topics[0], 0)
    cards = plan_cards(document)
    points = [item.point for section in document.sections for item in section.points]
    assert len([card for card in cards if card.kind == "cloze"]) == len(
        [p for p in points if bold_spans(p.text)]
    )
    (conflict,) = [card for card in cards if card.kind == "conflict"]
    question, answer = conflict.fields
    # It asks for the figure, topic named, not "which source says what".
    assert question.startswith(
        "Fundamental Rights · Rights in the original Constitution: what does each source give?"
    )
    assert "seven: [1] Fundamental Rights: class notes; [2] Fundamental Rights at a glance" in answer
    assert "six: [3] Explained: the rights chapter" in answer
    assert conflict.deck == "GS2::Fundamental Rights::The rights and their articles"
    assert {"GS2", "Polity", "polity-fundamental-rights", "rights", "sources-differ"} <= set(conflict.tags)
    for card in cards:
        if card.kind == "cloze":
            text = card.fields[0]
            assert text.count("{{") == text.count("}}") and all(
                body.strip() for _, body in CLOZE.findall(text)
            )


def edit_lead(project: Path) -> None:
    notes = project / "notes" / "polity-fundamental-rights" / "handout.yaml"
    text = notes.read_text(encoding="utf-8")
    notes.write_text(
        text.replace("defines the State for the purposes", "defines 'the State' for the purposes"),
        encoding="utf-8",
    )


@pytest.mark.e2e
def test_a_card_is_the_same_in_its_topic_deck_and_in_the_combined_deck():
    """Imported from both decks, a note keeps its text: its sources are numbered as in its
    topic's own booklet, though the combined book numbers them across every topic."""
    from notebuilder.assemble import assemble_book
    from notebuilder.build import deduplicate_topics

    corpus = check_project(SUBJECTS)
    deduplicated = deduplicate_topics(corpus)
    book = assemble_book(corpus, {topic.id: deduplicated[topic.id].points for topic in corpus.topics}, 0)
    assert any(part.document.sources[0].number > 1 for part in book.parts)  # renumbered in the book
    for part in book.parts:
        topic = next(topic for topic in corpus.topics if topic.id == part.document.topic.id)
        alone = plan_cards(assemble_topic(corpus, topic, 0))
        together = plan_cards(part.document)
        assert [card.fields for card in together] == [card.fields for card in alone]
        assert any("[1]" in card.fields[-1] for card in together)


def test_deck_identity_survives_an_edit_and_the_deck_is_a_valid_collection(tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(SUBJECTS, project)
    arguments = ("build", "--root", str(project), "--format", "anki", "--combined")
    assert run_notebuilder(*arguments).returncode == 0
    apkg = project / "build" / "polity-fundamental-rights" / "cards.apkg"
    before = read_deck(apkg, tmp_path / "before")
    edit_lead(project)
    assert run_notebuilder(*arguments).returncode == 0
    after = read_deck(apkg, tmp_path / "after")
    assert set(after["notes"]) == set(before["notes"])  # GUIDs: the same notes, updated in place
    changed = [guid for guid in before["notes"] if before["notes"][guid] != after["notes"][guid]]
    assert len(changed) == 1 and "the State" in after["notes"][changed[0]][1]
    assert after["models"] == before["models"] and after["decks"] == before["decks"]  # stable ids

    # One card per cloze number; a conflict note has one card.
    per_note: dict[int, list[int]] = {}
    for note_id, ordinal in after["cards"]:
        per_note.setdefault(note_id, []).append(ordinal)
    for guid, (_, fields, _) in after["notes"].items():
        clozes = {int(number) for number, _ in CLOZE.findall(fields.split("\x1f")[0])}
        assert sorted(per_note[after["note_ids"][guid]]) == ([n - 1 for n in sorted(clozes)] or [0])
    assert "Fundamental Rights" in after["decks"] and "notebuilder cloze" in after["models"]

    combined = read_deck(project / "build" / "combined" / "cards.apkg", tmp_path / "combined")
    economy = read_deck(project / "build" / "economy-schemes" / "cards.apkg", tmp_path / "economy")
    assert set(combined["notes"]) == set(after["notes"]) | set(economy["notes"])


@pytest.mark.e2e
def term(answer) -> str:
    """The term an answer key gives for a blank, without its gloss or its sources' figures."""
    kept = re.sub(r' <span class="(gloss|differ)">.*?</span>', "", str(answer))
    return html.unescape(re.sub(r"<[^>]+>", "", kept))


def test_self_test_blanks_every_bold_span_and_answers_them_all(shipped_build: Path):
    corpus = check_project(REPO, ("india-japan",))
    test = plan_selftest(assemble_topic(corpus, corpus.topics[0], 0))
    spans = [span for section in test.sections for question in section.questions for span in question.answers]
    # Every bold term is asked once on the sheet: a term asked before, or one that only
    # glosses the words before it ("Free and Open Indo-Pacific (FOIP)"), is not asked again.
    document_terms = {
        " ".join(span.casefold().split())
        for section in test.document.sections
        for item in section.points
        for span in bold_spans(curly_quotes(item.point.text))
    }
    asked = [html.unescape(" ".join(term(answer).casefold().split())) for _, answer in spans]
    assert test.blank_count == len(spans) == len(asked) == len(set(asked))
    assert set(asked) <= {html.unescape(term) for term in document_terms}
    assert len(asked) >= 0.8 * len(document_terms)
    sagar = next(
        (
            question
            for section in test.sections
            for question in section.questions
            if "SAGAR" in str(question.answers)
        ),
        None,
    )
    assert sagar is None or "Security and Growth" not in str(sagar.html)  # no expansion beside its blank
    # A term asked again is the same blank, number and all (no question gives another away),
    # and no blank asks for what the section's heading says.
    questions = "".join(str(question.html) for section in test.sections for question in section.questions)
    numbers = re.findall(r'<span class="unseen">blank </span>(\d+)<', questions)
    assert len(numbers) > len(set(numbers)) and set(map(int, numbers)) == {number for number, _ in spans}
    for section in test.sections:
        heading = section.title.casefold()
        for question in section.questions:
            for _, answer in question.answers:
                assert not re.search(rf"(?<!\w){re.escape(term(answer).casefold())}(?!\w)", heading)
    pdf = shipped_build / "india-japan" / "selftest.pdf"
    text = re.sub(r"\s+", " ", pdftotext(pdf))
    questions, answers = (
        text[: text.index("Answers 1 Historical")],
        text[text.index("Answers 1 Historical") :].replace("– ", "–"),  # a line may break after a dash
    )
    for number, answer in spans:
        # pdftotext drops the hyphen of a word broken at it ("tie-" / "ups" reads "tieups").
        assert re.sub(r"\s+", " ", answer.striptags()).replace("-", "") in answers.replace("-", ""), answer
        assert re.search(rf"(?<!\d){number}(?!\d)", questions), number


def test_every_blank_leaves_room_for_its_answer_and_reads_as_a_blank(shipped_build: Path):
    """A blank is at least 1.3 times its answer as printed in the text's bold (measured here
    with Pillow's FreeType, not the fontTools metrics the layout uses), unless it spans a
    line; a screen reader (and a copy) reads "blank 17", and an answer key's number stays
    with its answer."""
    import subprocess

    from PIL import ImageFont

    from notebuilder.selftest import BLANK_ROOM, LINE_EMS

    font_file = subprocess.run(
        ["fc-match", "--format=%{file}", "Noto Serif:bold"], capture_output=True, text=True
    ).stdout
    font = ImageFont.truetype(font_file, 1000)
    corpus = check_project(REPO, ("india-japan",))
    test = plan_selftest(assemble_topic(corpus, corpus.topics[0], 0))
    widths = {
        int(number): float(width)
        for section in test.sections
        for question in section.questions
        for width, number in re.findall(
            r'width: ([\d.]+)em"><span class="k"><span class="unseen">blank </span>(\d+)<', question.html
        )
    }
    assert len(widths) == test.blank_count
    for section in test.sections:
        for question in section.questions:
            for number, answer in question.answers:
                words = term(answer)
                printed = font.getlength(words) / 1000  # in ems
                assert widths[number] >= BLANK_ROOM * printed or widths[number] == LINE_EMS, (number, words)

    pdf = shipped_build / "india-japan" / "selftest.pdf"
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    assert all(f"blank {number}" in raw for number in (1, 2, test.blank_count))
    # In the answer key, every number (set small, raised) has its answer's first word to its
    # right on the same line: none ends a line with its answer starting the next.
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    key = boxes[boxes.index(">Answers<") :]  # from the first page of answers
    words = [
        (float(x0), float(y0), float(x1), float(y1), word)
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', key
        )
    ]
    numbers = [i for i, (_, y0, _, y1, word) in enumerate(words[:-1]) if word.isdigit() and y1 - y0 < 10]
    assert len(numbers) >= test.blank_count * 0.9

    def followed(number) -> bool:  # a word starts just to its right, on its line
        _, y0, x1, y1, _ = number
        return any(0 <= a0 - x1 < 8 and b0 < y1 + 4 and b1 > y0 for a0, b0, _, b1, _ in words)

    stranded = [words[i][4] for i in numbers if not followed(words[i])]
    assert stranded == []


def test_self_test_can_ask_only_priority_points_or_points_with_figures():
    corpus = check_project(REPO, ("india-japan",))
    document = assemble_topic(corpus, corpus.topics[0], 0)
    everything = plan_selftest(document)
    figures = plan_selftest(document, "figures")
    priority = plan_selftest(document, "priority")
    assert 0 < figures.blank_count < everything.blank_count
    assert priority.blank_count < everything.blank_count
    assert all(re.search(r"\d", str(q.html)) for s in figures.sections for q in s.questions)


def _shown(html) -> str:
    """A question as a student reads it: each blank as [n]."""
    text = re.sub(
        r'<span class="blank"[^>]*><span class="k"><span class="unseen">blank </span>(\d+)</span></span>',
        r"[\1]",
        str(html),
    )
    return re.sub(r"<[^>]+>", "", text)


def test_only_names_terms_figures_and_dates_are_asked_not_general_phrases():
    from notebuilder.selftest import blanked, worth_asking

    html, answers = blanked(
        "Both seek **regional stability**, **repo rate** cuts and **Article 21** rights.", 1
    )
    assert [str(answer) for _, answer in answers] == ["repo rate", "Article 21"]
    assert "<strong>regional stability</strong>" in str(html)
    assert all(
        map(worth_asking, ["dyarchy", "five writs", "1976", "FOIP", "cash reserve ratio", "green hydrogen"])
    )
    assert not any(
        map(worth_asking, ["regional stability", "technology transfer", "sustainable development"])
    )


def test_an_answer_in_another_form_or_in_plain_words_elsewhere_is_the_same_blank():
    from notebuilder.errors import Location
    from notebuilder.model import GlossaryEntry
    from notebuilder.selftest import blanked, glossary_aliases

    asked: dict[str, int] = {}
    record: dict[str, tuple[int, str]] = {}
    _, answers = blanked("**The Quad** met in **2024**.", 1, asked=asked, record=record)
    assert [number for number, _ in answers] == [1, 2]
    again, more = blanked("The **Quad's** leaders spoke.", 3, asked=asked, record=record)
    assert more == () and _shown(again) == "The [1] leaders spoke."  # asked once, the same blank
    aliases = glossary_aliases([GlossaryEntry("FOIP", "Free and Open Indo-Pacific", Location("g.yaml"))])
    asked.clear()
    blanked("Japan's **FOIP** vision.", 5, asked=asked, aliases=aliases, record=record)
    assert record["foip"] == (5, "FOIP")
    html, answers = blanked(
        "Leaders of the Quad back a Free and Open Indo-Pacific, as agreed in **2017**.",
        6,
        asked={},
        aliases=aliases,
        elsewhere=record,
    )
    assert _shown(html) == "Leaders of [1] back a [5], as agreed in [6]."  # nothing gives another away
    assert [str(answer) for _, answer in answers] == ["2017"]
