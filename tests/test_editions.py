"""What changed since the last print: every PDF build keeps an edition of each topic,
``changes`` prints only the new, changed and removed points with their pages, and
``build --mark-changes`` bars them in the booklet's margin."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import SUBJECTS, pdftotext, run_notebuilder

from notebuilder.editions import changes, edition_before, with_edition

TOPIC = "polity-fundamental-rights"


def point(point_id: str, text: str, sources=("a",), section="S", disputed=None) -> dict:
    from notebuilder.figures import read_quantities

    return {
        "id": point_id,
        "section": section,
        "text": text,
        "figures": [quantity.text for quantity in read_quantities(text)],
        "disputed": disputed or {},
        "sources": list(sources),
    }


def test_changes_are_new_changed_and_removed_with_figures_old_to_new():
    before = [
        point("kept", "Article 14 guarantees equality."),
        point("figure", "Trade was USD 136 billion in 2022."),
        point("gone", "A point that goes."),
        point("renamed", "The same words under a new id.", sources=("a", "b")),
    ]
    after = [
        point("kept", "Article 14 guarantees equality."),
        point("figure", "Trade was USD 135 billion in 2022.", disputed={"trade": {"a": "135", "b": "136"}}),
        point("added", "A new point."),
        point("new-id", "The same words under a new id.", sources=("a",)),
    ]
    found = changes(before, after)
    assert [(change.kind, change.point) for change in found] == [
        ("changed", "figure"),
        ("new", "added"),
        ("changed", "new-id"),
        ("removed", "gone"),
    ]
    figure = found[0]
    assert "USD 136 billion → USD 135 billion" in figure.figures
    assert "trade: — → 135 (a) · 136 (b)" in figure.figures
    assert figure.was == "Trade was USD 136 billion in 2022."
    assert (found[2].sources_added, found[2].sources_dropped, found[2].was) == ((), ("b",), "")
    assert changes(after, after) == []


def test_an_edition_is_added_only_when_the_points_differ_and_since_picks_one():
    first = with_edition([], [point("a", "One.")], "2026-12-01")
    assert with_edition(first, [point("a", "One.")], "2026-12-02") == first
    second = with_edition(first, [point("a", "One, edited.")], "2026-12-03")
    assert [(edition["number"], edition["date"]) for edition in second] == [
        (1, "2026-12-01"),
        (2, "2026-12-03"),
    ]
    now = second[-1]["points"]
    assert edition_before(second, now, None)["number"] == 1  # the last print that differs from now
    assert edition_before(second, now, "2")["number"] == 2
    assert edition_before(second, now, "2026-12-02")["number"] == 1
    assert edition_before(second, now, "2026-11-30") is None
    assert edition_before([], now, None) is None


@pytest.mark.e2e
def test_changes_since_the_last_print_and_change_bars(tmp_path: Path):
    project = tmp_path / "subjects"
    shutil.copytree(SUBJECTS, project)
    root = ("--root", str(project), "--topic", TOPIC)
    none_yet = run_notebuilder("changes", *root)
    assert none_yet.returncode == 0 and "no earlier edition to compare with" in none_yet.stdout
    assert run_notebuilder("build", *root, "--format", "pdf").returncode == 0
    editions = project / "build" / TOPIC / "editions.json"
    assert [edition["number"] for edition in json.loads(editions.read_text())["editions"]] == [1]
    assert run_notebuilder("build", *root, "--format", "pdf", "--force").returncode == 0
    assert len(json.loads(editions.read_text())["editions"]) == 1  # the same points: no new edition

    notes = project / "notes" / TOPIC / "notes.yaml"
    text = notes.read_text()
    text = text.replace("children aged **6 to 14**", "children aged **6 to 15**")  # a figure changes
    text = text.replace("the equal protection of the laws.", "the equal protection of all laws.")  # an edit
    removed = re.search(r"  - id: pn-section-377\n(?:    .*\n)+", text)[0]
    text = text.replace(removed, "")
    text += (
        "  - id: pn-article-17\n    section: rights\n"
        '    text: "**Article 17** abolishes untouchability and forbids its practice in any form."\n'
    )
    notes.write_text(text)
    assert run_notebuilder("build", *root, "--format", "pdf", "--mark-changes").returncode == 0
    assert len(json.loads(editions.read_text())["editions"]) == 2

    printed = run_notebuilder("changes", *root)
    assert printed.returncode == 0, printed.stderr
    assert "1 new, 2 changed, 1 removed since edition 1" in printed.stdout
    pdf = project / "build" / TOPIC / "changes.pdf"
    report = " ".join(pdftotext(pdf).split())
    assert "New (1)" in report and "Changed (2)" in report and "Removed (1)" in report
    assert "6 to 14 → 6 to 15" in report or "14 → 15" in report
    assert "was: Article 14 guarantees equality before law and the equal protection of the laws." in report
    assert "Navtej Singh Johar" in report
    pages = json.loads(editions.read_text())["pages"]
    booklet = project / "build" / TOPIC / "booklet.pdf"
    new_page = pages["pn-article-17"]
    assert f"page {new_page}" in report and "Article 17 abolishes" in pdftotext(booklet, new_page, new_page)
    assert "A bar in the margin marks the 3 points new or changed since the last print" in " ".join(
        pdftotext(booklet, 1, 1).split()
    )
    since_first = run_notebuilder("changes", *root, "--since", "1")
    assert since_first.returncode == 0 and "since edition 1" in since_first.stdout
