"""Trustworthy merging: a merge never hides a fact, every marker is true, and sources that
disagree are shown disagreeing, in any notation and in any subject.

Besides the shipped India–Japan notes, these tests use tests/data/subjects: a polity topic
(articles, amendments, cases) and an economy topic (schemes, ₹ crore, percentages), with
hand-labelled pairs in tests/cases/subject-pairs.yaml.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import roman
import yaml
from conftest import (
    REPO,
    ROOTS,
    SUBJECTS,
    SYLLABUS,
    TESTS,
    labelled_pair_failures,
    pdftotext,
    run_notebuilder,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from notebuilder.build import assemble_topic, check_project, deduplicate_topics
from notebuilder.cards import plan_cards
from notebuilder.dedupe import deduplicate
from notebuilder.errors import Location
from notebuilder.figures import numbered_references, numeric_text, read_quantities, reference_clash
from notebuilder.markup import bold_spans, plain_text, stem
from notebuilder.mindmap import leaf_label
from notebuilder.model import Citation, Fragment, Section, Topic
from notebuilder.selftest import plan_selftest

STRAIGHT_QUOTES = str.maketrans("‘’“”", "''\"\"")  # the booklet prints quotes curly
PAIRS = yaml.safe_load((TESTS / "cases" / "subject-pairs.yaml").read_text(encoding="utf-8"))


def fragment(fragment_id: str, text: str, source: str = "a", **fields) -> Fragment:
    return Fragment(
        fragment_id, "t", "s", text, (Citation(source),), Location(f"{fragment_id}.yaml", 3, 5), **fields
    )


def deduplicated(*fragments: Fragment):
    topic = Topic(
        "t",
        "T",
        "GS2",
        "Polity",
        "en",
        (Section("s", "S", Location("t.yaml")),),
        fragments,
        Location("t.yaml"),
    )
    return deduplicate(topic, {"a": 0, "b": 1, "c": 2})


def members(result) -> list[list[str]]:
    return sorted(sorted(member.fragment for member in point.members) for point in result.points)


# ------------------------------------------------------------------ reading figures


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Constitution originally had seven fundamental rights.", [("count", 7, "seven")]),
        ("a dozen flagship schemes", [("count", 12, "a dozen")]),
        ("twenty-five states", [("count", 25, "twenty-five")]),
        ("one hundred and five amendments", [("count", 105, "one hundred and five")]),
        ("The Constitution has XII schedules", [("count", 12, "XII")]),
        ("an outlay of ₹1.5 lakh crore", [("amount", 1.5e12, "₹1.5 lakh crore")]),
        ("an outlay of Rs 1,50,000 crore", [("amount", 1.5e12, "Rs 1,50,000 crore")]),
        (
            "€300 billion and £2 bn and INR 500 crore",
            [("amount", 3e11, "€300 billion"), ("amount", 2e9, "£2 bn"), ("amount", 5e9, "INR 500 crore")],
        ),
        (
            "USD 44+ billion (2000–2025)",
            [("amount", 4.4e10, "USD 44+ billion"), ("year", 2000, "2000"), ("year", 2025, "2025")],
        ),
        (
            "grew 6.4 per cent in 2023-24",
            [("percentage", 6.4, "6.4 per cent"), ("year", 2023, "2023"), ("year", 2024, "24")],
        ),
        ("one of the largest, for the second time, no one else", []),
        (
            "Article 14 and Section 124A; the 42nd Amendment; GS2; TIM-3; on 21 Aug 2025",
            [("year", 2025, "21 Aug 2025")],  # a year given with its day
        ),
    ],
)
def test_figures_are_read_in_any_notation(text, expected):
    assert [(quantity.kind, quantity.value, quantity.text) for quantity in read_quantities(text)] == expected


def test_numbered_things_are_recognised_across_subjects():
    assert numbered_references("Article 21A and article 32") == {("article", "21A"), ("article", "32")}
    assert ("amendment", "42") in numbered_references("the 42nd Amendment Act")
    assert ("amendment", "42") in numbered_references("the forty-second Amendment")
    assert numbered_references("Part III of the Constitution") == {("part", "3")}
    assert numbered_references("GS1 and Dharma Guardian-VI") == {("gs", "1"), ("guardian", "6")}
    assert numbered_references("Originally 7 rights; Summit 2025; Nearly 40 firms") == frozenset()
    assert (
        reference_clash(numbered_references("Article 14"), numbered_references("Article 24 and 14 years"))
        == "article 14 vs article 24"
    )
    assert (
        reference_clash(
            numbered_references("the 15th Annual Summit"),
            numbered_references("15th India–Japan Annual Summit"),
        )
        is None
    )
    assert numeric_text("a dozen and seven") == "12 and 7"


# ------------------------------------------------------------------ no silent loss


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "**Article 14** guarantees equality before law for children above 14 years.",
            "**Article 24** bars the labour of children below 14 years.",
        ),
        (
            "The **42nd Amendment** of the Constitution changed the Preamble.",
            "The **44th Amendment** of the Constitution changed the Preamble.",
        ),
        (
            "**Section 377** of the IPC was read down by the Supreme Court.",
            "**Section 124A** of the IPC was read down by the Supreme Court.",
        ),
        (
            "Ethics is tested in **GS4** of the civil services mains.",
            "Ethics is tested in **GS2** of the civil services mains.",
        ),
        (
            "The **2nd Steel Dialogue** was held in New Delhi.",
            "The **3rd Steel Dialogue** was held in New Delhi.",
        ),
        (
            "The **Seventh Schedule** lists the Union subjects.",
            "The **Eighth Schedule** lists the Union subjects.",
        ),
    ],
)
def test_differently_numbered_things_never_merge_and_need_no_warning(first, second):
    result = deduplicated(fragment("x", first), fragment("y", second, source="b"))
    assert members(result) == [["x"], ["y"]]
    assert result.warnings == ()
    assert [(pair.first, pair.second) for pair in result.kept_apart] == [("x", "y")]


def test_a_borderline_pair_merges_nothing_and_is_a_located_warning():
    # Scores in the warning band: neither merged nor silently kept apart.
    result = deduplicated(
        fragment(
            "pillars-scri",
            "The **Supply Chain Resilience Initiative (SCRI)** reduces dependency on China for "
            "critical goods.",
        ),
        fragment(
            "quad-scri",
            "Both are key players in the **Quad** and the **Supply Chain Resilience Initiative "
            "(SCRI)**, which promote regional security.",
            source="b",
        ),
    )
    assert members(result) == [["pillars-scri"], ["quad-scri"]]
    (warning,) = result.warnings
    assert str(warning).startswith(
        "pillars-scri.yaml:3:5: warning: 'pillars-scri' may state the same fact as 'quad-scri' "
        "(quad-scri.yaml:3;"
    )
    assert "add a shared key: to merge them, or distinct: [quad-scri] to keep them apart" in str(warning)
    settled = deduplicated(
        fragment("pillars-scri", result.points[0].text, distinct=("quad-scri",)),
        fragment("quad-scri", result.points[1].text, source="b"),
    )
    assert settled.warnings == ()


def test_a_negation_is_never_merged_by_similarity_and_a_key_prints_both_wordings():
    yes = fragment("yes", "India is a member of the **RCEP** trade bloc.")
    no = fragment("no", "India is not a member of the **RCEP** trade bloc.", source="b")
    result = deduplicated(yes, no)
    assert members(result) == [["no"], ["yes"]]
    assert "may contradict" in result.warnings[0].message
    (point,) = deduplicated(
        fragment("yes", yes.text, key="rcep"), fragment("no", no.text, source="b", key="rcep")
    ).points
    fact, also = point.statements
    assert (fact.text, [c.source for c in fact.citations]) == (no.text, ["b"]) or (
        fact.text,
        [c.source for c in fact.citations],
    ) == (yes.text, ["a"])
    assert also.kind == "also" and also.text != fact.text


def test_canonical_chooses_the_wording_of_a_similarity_group_without_a_key():
    texts = [
        "Japan's cumulative FDI in India stands at about **$43 billion**, making it the "
        "fifth-largest investor.",
        "Japan is the fifth-largest investor in India, with cumulative FDI of about **$43 billion**.",
    ]
    plain = deduplicated(fragment("p", texts[0]), fragment("q", texts[1], source="b"))
    assert members(plain) == [["p", "q"]]
    for chosen in ("p", "q"):
        (point,) = deduplicated(
            fragment("p", texts[0], canonical=chosen == "p"),
            fragment("q", texts[1], source="b", canonical=chosen == "q"),
        ).points
        assert point.lead == chosen and point.text == texts["pq".index(chosen)]


# ------------------------------------------------------------------ other subjects, hand-labelled


def strip_keys(tmp_path: Path, root: Path = SUBJECTS) -> Path:
    """A test project with every key: and distinct: removed: the detector alone."""
    project = tmp_path / f"unkeyed-{root.name}"
    shutil.copytree(root, project)
    for path in (project / "notes").rglob("*.yaml"):
        path.write_text(
            re.sub(r"(?m)^\s+(?:key|distinct): .*\n", "", path.read_text(encoding="utf-8")), encoding="utf-8"
        )
    return project


def point_of(results) -> dict:
    return {
        member.fragment: point
        for result in results.values()
        for point in result.points
        for member in point.members
    }


def subject_of(fragment_id: str) -> str:
    """The subject a labelled fragment belongs to, by its id's first letter (pn-, en-, hn-…)."""
    return {"p": "polity", "e": "economy", "h": "history"}[fragment_id[0]]


def test_subject_pairs_detector_alone_merges_or_warns_and_never_merges_different_facts(tmp_path: Path):
    results, warned = {}, set()
    for root in (SUBJECTS, SYLLABUS):
        corpus = check_project(strip_keys(tmp_path, root))
        found = deduplicate_topics(corpus)
        results |= found
        warned |= {
            frozenset(re.findall(r"'([a-z0-9-]+)'", warning.message)[:2])
            for result in found.values()
            for warning in result.warnings
        }
    assert len(results) == 5
    points = point_of(results)
    per_subject = Counter(subject_of(first) for first, _ in PAIRS["same"] + PAIRS["different"])
    assert min(per_subject[subject] for subject in ("polity", "economy", "history")) >= 40, per_subject
    assert labelled_pair_failures(PAIRS, points, warned) == ([], [])


@pytest.mark.e2e
def test_subject_pairs_with_the_curators_keys_are_merged_and_clean_under_w():
    points = {}
    for root in (SUBJECTS, SYLLABUS):
        completed = run_notebuilder("check", "--root", str(root), "-W")
        assert completed.returncode == 0, completed.stderr
        points |= point_of(deduplicate_topics(check_project(root)))
    assert [pair for pair in PAIRS["same"] if points[pair[0]] is not points[pair[1]]] == []


@pytest.mark.e2e
def test_warnings_print_with_locations_and_w_makes_them_errors(tmp_path: Path):
    project = strip_keys(tmp_path)
    completed = run_notebuilder("check", "--root", str(project))
    assert completed.returncode == 0
    assert re.search(
        r"^notes/polity-fundamental-rights/\w+\.yaml:\d+:\d+: warning: 'pe-six-rights' may state "
        r"the same fact as",
        completed.stderr,
        re.M,
    )
    checked = run_notebuilder("check", "--root", str(project), "-W")
    lines = checked.stderr.splitlines()
    assert checked.returncode == 1 and len(lines) == len(set(lines)) > 1  # each problem once
    assert not [line for line in lines if ": warning: " in line]
    assert lines[-1] == f"notebuilder: {len(lines) - 1} errors"
    strict = run_notebuilder("build", "--root", str(project), "-W", "--format", "pdf")
    assert (
        strict.returncode == 1
        and not (project / "build" / "polity-fundamental-rights" / "booklet.pdf").exists()
    )
    assert "Traceback" not in strict.stderr and strict.stderr.endswith("errors; nothing was written\n")
    report = run_notebuilder("dedupe", "--root", str(project)).stdout
    assert "WARNINGS" in report and "may state the same fact as" in report and "KEPT APART" in report


def test_conflicts_in_words_percent_and_rupees_are_shown_with_their_sources():
    corpus = check_project(SUBJECTS)
    points = point_of(deduplicate_topics(corpus))
    (rights,) = points["pn-seven-rights"].conflicts
    assert [(figure.value, figure.sources) for figure in rights.figures] == [
        ("seven", ("polity-notes", "polity-handout")),
        ("six", ("polity-explainer",)),
    ]
    (growth,) = points["en-growth"].conflicts
    assert [(figure.value, figure.sources) for figure in growth.figures] == [
        ("6.5%", ("economy-notes",)),
        ("6.4 per cent", ("economy-explainer",)),
    ]
    for agreeing in (
        "en-pm-kisan",
        "en-pmay",
        "en-dozen",
        "en-mgnrega",
        "en-global-gateway",
    ):  # one value, many notations
        assert points[agreeing].conflicts == (), agreeing
        assert len(points[agreeing].members) == 2


# ------------------------------------------------------------------ every marker is true


def stated_values(text: str) -> set[float]:
    return {quantity.value for quantity in read_quantities(plain_text(text))}


def words(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"[A-Za-z]+|\d+", numeric_text(plain_text(text)))}


def stated(name: str, found: set[str]) -> bool:
    """A name among a text's words; a Roman numeral ("xii") also as the number it is."""
    if name in found:
        return True
    try:
        return str(roman.fromRoman(name.upper())) in found
    except roman.InvalidRomanNumeralError:
        return False


def check_markers(corpus, results) -> list[str]:
    """Independently of how dedupe decides: every figure and every bold name of a printed
    statement is stated by a fragment of each source cited for it."""
    wrong = []
    for topic in corpus.topics:
        by_id = {fragment.id: fragment for fragment in topic.fragments}
        for point in results[topic.id].points:
            group = [by_id[member.fragment] for member in point.members]
            for statement in point.statements:
                if statement.kind == "without":
                    continue
                for source in {citation.source for citation in statement.citations}:
                    backing = [f for f in group if source in f.source_ids and f.id in statement.fragments]
                    date = (
                        by_id[point.lead].date if statement.kind == "fact" else None
                    )  # printed before the text
                    for value in stated_values(statement.text) | stated_values(date or ""):
                        if not any(
                            value in stated_values(f.text) | stated_values(f.date or "") for f in backing
                        ):
                            wrong.append(f"{point.id}: [{source}] cited for {value:g}")
                    for span in bold_spans(statement.text):
                        for quantity in read_quantities(span):  # figures are checked by value above
                            span = span.replace(quantity.text, " ")
                        names = {word for word in words(span) if word[0].isdigit()} | {
                            word.lower()
                            for word in re.findall(r"\b[A-Z][A-Za-z]*", span)
                            if word.isupper() and len(word) > 1
                        }
                        if not any(all(stated(name, words(f.text)) for name in names) for f in backing):
                            wrong.append(f"{point.id}: [{source}] cited for {span!r}")
                if not statement.citations:
                    wrong.append(f"{point.id}: a statement with no source")
    return wrong


def test_every_marker_is_true_on_the_shipped_notes_and_other_subjects():
    for root in (REPO, SUBJECTS, SYLLABUS):
        corpus = check_project(root)
        present = {folder.name for folder in (root / "notes").iterdir() if (folder / "topic.yaml").exists()}
        assert {topic.id for topic in corpus.topics} == present  # a student's own topic is checked too
        assert check_markers(corpus, deduplicate_topics(corpus)) == []


def statement_citing(point, needle: str):
    (statement,) = [statement for statement in point.statements if needle in plain_text(statement.text)]
    return [citation.source for citation in statement.citations]


def test_the_five_miscredited_points_are_credited_correctly():
    corpus = check_project(REPO, ("india-japan",))
    points = point_of(deduplicate_topics(corpus))
    assert statement_citing(points["kamaraj-lupex-tim3"], "TIM-3") == ["kamaraj"]
    assert statement_citing(points["pillars-oda-36bn"], "$36 billion") == ["pillars"]
    assert statement_citing(points["iasgyan-2plus2-2018"], "August 2024") == ["iasgyan"]
    assert statement_citing(points["obsidian-yen-loans-1958-1991"], "1991") == ["obsidian"]
    assert "obsidian" not in statement_citing(
        points["pillars-clean-energy-partnership-2022"], "2022 Clean Energy"
    )


# ------------------------------------------------------------------ what the reader sees


def squash(text: str) -> str:
    """Text as extracted and as written compared alike: spaces, breaks, and printed quotes."""
    text = text.translate(STRAIGHT_QUOTES)
    return re.sub(r"\s+", " ", text.replace("-\n", "-").replace("\u00ad", "")).replace("– ", "–")


def markers_after(text: str, needle: str) -> str:
    """The first source marker after ``needle`` in extracted text: "[5]"."""
    at = squash(text).index(needle)
    return re.search(r"\[[\d, ]+\]", squash(text)[at:])[0]


@pytest.mark.e2e
def test_booklet_epub_and_json_credit_details_only_to_their_sources(shipped_build: Path):
    directory = shipped_build / "india-japan"
    numbers = {
        source["id"]: source["number"]
        for source in json.loads((directory / "notes.json").read_text())["sources"]
    }
    expected = {
        "TIM-3": "kamaraj",
        "$36 billion": "pillars",
        "most recently August 2024": "iasgyan",
        "1991 balance of payments": "obsidian",
    }
    with zipfile.ZipFile(directory / "booklet.epub") as epub:
        xhtml = " ".join(epub.read(name).decode() for name in epub.namelist() if name.endswith(".xhtml"))
    epub_text = re.sub(r"<[^>]+>", "", xhtml).replace("&#160;", " ").replace("\u00a0", " ")
    for text in (pdftotext(directory / "booklet.pdf"), epub_text):
        for needle, source in expected.items():
            assert markers_after(text, needle) == f"[{numbers[source]}]", needle
    data = json.loads((directory / "notes.json").read_text())
    assert data["schema"] == "notebuilder-notes/2"
    statements = [
        (statement, point)
        for section in data["sections"]
        for point in section["points"]
        for statement in point["statements"]
    ]
    for statement, point in statements:
        assert set(statement["sources"]) <= {source["id"] for source in point["sources"]}
        assert set(statement["fragments"]) <= {member["fragment"] for member in point["members"]}
    (tim,) = [statement for statement, _ in statements if statement["text"] and "TIM-3" in statement["text"]]
    assert tim["sources"] == ["kamaraj"] and tim["fragments"] == ["kamaraj-lupex-tim3"]


def fragment_reaches_the_page(fragment: Fragment, page: str, point_texts: str) -> list[str]:
    """A fragment's bold terms and figures that neither appear on the page nor are stated
    by the printed statements of the point it merged into."""
    lost = []
    printed = {stem(word) for word in words(point_texts)}  # "Money Bill" states "Money Bills"
    for span in bold_spans(fragment.text):
        rest = span
        for quantity in read_quantities(span):  # figures are compared by value below
            rest = rest.replace(quantity.text, " ")
        tokens = re.findall(r"[A-Za-z]+|\d+", numeric_text(rest))
        names = {stem(token.lower()) for token in tokens if token[0].isdigit() or token[0].isupper()}
        others = {stem(token.lower()) for token in tokens if token[0].islower() and len(token) > 3}
        stated = names <= printed and 2 * len(others & printed) >= len(
            others
        )  # a paraphrase keeps names and numbers
        if squash(plain_text(span)) not in page and not stated:
            lost.append(span)
    for quantity in read_quantities(plain_text(fragment.text)):
        if squash(quantity.text) not in page and quantity.value not in stated_values(point_texts):
            lost.append(quantity.text)
    return lost


@pytest.mark.e2e
@pytest.mark.parametrize("root", ["shipped", "subjects", "syllabus"])
def test_every_fragment_reaches_the_booklet(root: str, request):
    """A merge never hides a fact: each fragment's bold terms and figures are in the PDF
    text of its topic, or stated by the printed statements of the point it is a member of."""
    project = ROOTS[root]
    out = request.getfixturevalue(f"{root}_build")
    corpus = check_project(project)
    results = deduplicate_topics(corpus)
    for topic in corpus.topics:
        page = squash(pdftotext(out / topic.id / "booklet.pdf"))
        for point in results[topic.id].points:
            texts = " ".join(statement.text for statement in point.statements)
            assert squash(plain_text(point.statements[0].text))[:60] in page
            for member in point.members:
                (found,) = [f for f in topic.fragments if f.id == member.fragment]
                assert fragment_reaches_the_page(found, page, texts) == [], found.id


def test_timeline_and_mind_map_show_disagreement():
    corpus = check_project(REPO)
    (topic,) = [topic for topic in corpus.topics if topic.id == "india-japan"]
    document = assemble_topic(corpus, topic, 0)
    summits = [entry for entry in document.timeline if entry.point_id == "annual-summits-began"]
    assert summits and summits[0].conflicts
    assert {marker.source for marker in summits[0].markers} == {"iasgyan"}  # the date is iasgyan's alone
    items = [item for section in document.sections for item in section.points]
    assert all(leaf_label(item).endswith("≠") == bool(item.conflicts) for item in items)


def test_every_printed_figure_shows_its_conflict_day_level_and_curated():
    """A day-level date conflict (history) and a curated figure conflict (economy) show in the
    booklet's point, the timeline, the mind map (≠), the figures table (≠), the self-test's
    answers and the cards; figures that agree in another notation show no conflict."""
    corpus = check_project(SYLLABUS)
    documents = {topic.id: assemble_topic(corpus, topic, 0) for topic in corpus.topics}
    for topic_id, point_id, differing in (
        ("history-modern-india", "hn-buxar", "22 October 1764; 23 October 1764"),
        ("economy-credit", "en-ujjwala", "over 10 crore; about 9 crore"),
    ):
        document = documents[topic_id]
        (item,) = [
            item
            for section in document.sections
            for item in section.points
            if point_id in {member.fragment for member in item.point.members}
        ]
        (conflict,) = item.conflicts
        assert "; ".join(figure.value for figure in conflict.figures) == differing
        assert leaf_label(item).endswith("≠")
        cards = {card.kind: card for card in plan_cards(document) if card.identity[1] == item.point.id}
        assert "Sources differ on" in cards["cloze"].fields[1] and "conflict" in cards
        answers = [
            str(answer)
            for section in plan_selftest(document).sections
            for question in section.questions
            for _, answer in question.answers
            if "sources differ" in str(answer)
        ]
        assert [answer for answer in answers if all(v in answer for v in differing.split("; "))], answers
    (buxar,) = [entry for entry in documents["history-modern-india"].timeline if "Buxar" in entry.html]
    assert buxar.conflicts
    rows = {row.quantity: row.disagree for row in documents["economy-credit"].figures.rows}
    assert rows == {"Inoperative Jan Dhan accounts": False, "Ujjwala LPG connections": True}


@pytest.mark.e2e
def test_the_self_test_prints_who_says_what_for_a_disputed_answer(syllabus_build: Path):
    text = squash(pdftotext(syllabus_build / "history-modern-india" / "selftest.pdf"))
    assert "(sources differ: 22 October 1764 [1, 3]; 23 October 1764 [2])" in text


@pytest.mark.e2e
def test_timeline_page_prints_the_disagreement(shipped_build: Path):
    text = squash(pdftotext(shipped_build / "india-japan" / "booklet.pdf"))
    timeline = text[
        re.search(r"Timeline page \d+ of \d+ Timeline", text).start() :
    ]  # the running head, then the heading
    assert re.search(
        r"Annual summits began 2005–06 \[2\].{0,80}Sources differ on annual summits began: since 2000 "
        r"\[1\]; 2005–2006 \[2\]\.",
        timeline,
        re.I,
    )


def test_a_syllabus_is_deduplicated_on_every_core_with_the_same_result():
    import dataclasses

    from notebuilder.model import Corpus

    corpus = check_project(SUBJECTS)
    topics = tuple(
        dataclasses.replace(topic, id=f"{topic.id}-{copy}") for copy in range(9) for topic in corpus.topics
    )
    syllabus = Corpus(corpus.sources, topics)
    parallel = deduplicate_topics(syllabus, parallel=True)
    assert list(parallel) == [topic.id for topic in topics]
    assert parallel == deduplicate_topics(syllabus, parallel=False)


# ------------------------------------------------------------------ stable under trivial edits

SUBJECT_TOPICS = [
    dataclasses.replace(
        topic,
        fragments=tuple(dataclasses.replace(f, key=None, distinct=()) for f in topic.fragments),
    )
    for root in (SUBJECTS, SYLLABUS)
    for topic in check_project(root).topics
]  # the detector alone: no key: or distinct: to hide a change of grouping
FILLERS = ["Indeed, ", "Notably, ", "also ", "notably ", "Moreover, ", "indeed "]


def grouping(topic) -> list[list[str]]:
    result = deduplicate(topic, {})
    return sorted(sorted(member.fragment for member in point.members) for point in result.points)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    topic_index=st.integers(0, len(SUBJECT_TOPICS) - 1),
    fragment_index=st.integers(0, 200),
    filler=st.sampled_from(FILLERS),
    position=st.integers(0, 30),
)
def test_a_filler_word_never_changes_grouping(topic_index, fragment_index, filler, position):
    """Adding "Indeed,", "also" or "notably" anywhere in a fragment of any test subject (at
    the start, which makes the old first word a mid-sentence one, or between two words)
    leaves every group as it was."""
    topic = SUBJECT_TOPICS[topic_index]
    fragment = topic.fragments[fragment_index % len(topic.fragments)]
    words = fragment.text.split(" ")
    at = position % len(words)
    if at == 0:
        text = (filler if filler[0].isupper() else filler.capitalize()) + fragment.text
    else:
        text = " ".join([*words[:at], filler.strip().rstrip(",").lower(), *words[at:]])
    edited = dataclasses.replace(
        topic,
        fragments=tuple(dataclasses.replace(f, text=text) if f is fragment else f for f in topic.fragments),
    )
    assert grouping(edited) == grouping(topic), text
