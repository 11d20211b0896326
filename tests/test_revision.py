"""Spaced review on paper: each item's memory replayed with FSRS (pure), and the review
cycle a student runs: print a sheet, grade it, print the next day's."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from conftest import EPOCH, SUBJECTS, pdftotext

from notebuilder.revision import Review, due_items, memory, parse_grade, with_grade

DAY = date(2026, 12, 1)


def test_intervals_grow_after_good_and_start_again_after_again():
    first = memory([Review(DAY, "good")], DAY)
    second = memory([Review(DAY, "good"), Review(first.due, "good")], first.due)
    forgotten = memory([Review(DAY, "good"), Review(first.due, "again")], first.due)
    assert DAY < first.due < second.due
    assert (second.due - first.due) > (first.due - DAY)  # a second Good waits longer
    assert forgotten.due - first.due <= timedelta(days=1)  # Again: back the next day
    assert forgotten.stability < first.stability < second.stability
    easy = memory([Review(DAY, "easy")], DAY)
    hard = memory([Review(DAY, "hard")], DAY)
    assert hard.due <= first.due <= easy.due


def test_due_items_come_least_likely_recalled_first_then_new_ones_in_booklet_order():
    log = {
        "t/strong": [Review(DAY - timedelta(days=30), "easy"), Review(DAY - timedelta(days=9), "good")],
        "t/weak": [Review(DAY - timedelta(days=10), "again")],
        "t/later": [Review(DAY - timedelta(days=1), "good")],
    }
    items = ["t/new-1", "t/strong", "t/later", "t/weak", "t/new-2"]
    chosen = due_items(items, log, DAY, 10)
    keys = [item for item, _ in chosen]
    assert "t/later" not in keys  # not due yet
    reviewed = [item for item, known in chosen if known.due is not None]
    recalls = [known.recall for _, known in chosen if known.due is not None]
    assert recalls == sorted(recalls) and reviewed[0] == "t/weak"
    assert keys[len(reviewed) :] == ["t/new-1", "t/new-2"]
    assert [item for item, _ in due_items(items, log, DAY, 2)] == keys[:2]


def test_marks_and_regrading():
    assert parse_grade("12g") == (12, "good") and parse_grade("3A") == (3, "again")
    assert parse_grade("g12") is None and parse_grade("12x") is None and parse_grade("") is None
    once = with_grade((), DAY, "hard")
    assert with_grade(once, DAY, "hard") == once  # the same sheet twice changes nothing
    assert with_grade(once, DAY, "good") == (Review(DAY, "good"),)  # a corrected tick replaces it


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.mark.e2e
def test_a_review_cycle_on_paper(tmp_path: Path, capsys, monkeypatch):
    """In this process (each command as `notebuilder …` runs it): the cycle prints real PDFs."""
    from notebuilder.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)

    def run_notebuilder(*arguments: str) -> Ran:
        code = main(list(arguments))
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    project = tmp_path / "subjects"
    shutil.copytree(SUBJECTS, project)
    root = ("--root", str(project))
    notes_before = sorted(path.relative_to(project) for path in (project / "notes").rglob("*"))

    def review(day: date, count: int = 4) -> dict:
        printed = run_notebuilder("review", *root, "--date", day.isoformat(), "--count", str(count))
        assert printed.returncode == 0, printed.stderr
        return json.loads((project / "review" / "sheets" / f"{day.isoformat()}.json").read_text())

    first = review(DAY)
    pdf = project / "build" / "review" / f"{DAY.isoformat()}.pdf"
    text = pdftotext(pdf)
    assert "4 items to recall" in text and text.count("Again") >= 4 and "Easy" in text
    answers_page = next(page for page in range(1, 4) if "Answers" in pdftotext(pdf, page, page))
    assert "items to recall" not in pdftotext(pdf, answers_page, answers_page)  # a sheet of its own
    asked = [(entry["topic"], entry["point"]) for entry in first["items"]]
    assert [entry["code"] for entry in first["items"]] == [1, 2, 3, 4]

    graded = run_notebuilder("grade", DAY.isoformat(), "1g", "2g", "3a", "4e", *root)
    assert graded.returncode == 0, graded.stderr
    logs = {path.name: path.read_bytes() for path in (project / "review").glob("*.json")}
    again = run_notebuilder("grade", DAY.isoformat(), "1g", "2g", "3a", "4e", *root)
    assert again.returncode == 0 and "0 grades recorded" in again.stdout  # the same sheet twice: no change
    assert {path.name: path.read_bytes() for path in (project / "review").glob("*.json")} == logs

    # Marks that cannot be read record nothing, each said with where it is.
    wrong = run_notebuilder("grade", DAY.isoformat(), "1h", "9g", "2x", *root)
    assert wrong.returncode == 1
    assert "command line:1:4: error: the sheet of 2026-12-01 has no item 9" in wrong.stderr
    assert "command line:1:7: error: '2x' is not a mark" in wrong.stderr
    assert {path.name: path.read_bytes() for path in (project / "review").glob("*.json")} == logs
    never = run_notebuilder("grade", "2026-12-02", "1g", *root)
    assert never.returncode == 2 and "no review sheet was printed for 2026-12-02" in never.stderr

    # The next day: the item graded Again is due again; the others wait, and new items fill in.
    next_day = review(DAY + timedelta(days=1), count=6)
    shown = [(entry["topic"], entry["point"]) for entry in next_day["items"]]
    assert shown[0] == asked[2]
    assert asked[0] not in shown and asked[3] not in shown

    # An edit that keeps a point's identity keeps its history: still not due the next day.
    topic, point = asked[0]
    notes = next(
        path for path in (project / "notes" / topic).glob("*.yaml") if f"id: {point}" in path.read_text()
    )
    notes.write_text(notes.read_text().replace(f"id: {point}\n", f"id: {point}\n    priority: 1\n", 1))
    edited = review(DAY + timedelta(days=1), count=6)
    assert (topic, point) not in [(entry["topic"], entry["point"]) for entry in edited["items"]]
    log = json.loads((project / "review" / f"{topic}.json").read_text())
    assert log["items"][point] == [[DAY.isoformat(), "good"]]

    # A sheet already graded is not printed again with other items.
    changed = run_notebuilder("review", *root, "--date", DAY.isoformat(), "--count", "2")
    assert changed.returncode == 2 and "has grades recorded already" in changed.stderr
    # Review and grade write only review/ and the output folder, never into notes/.
    assert sorted(path.relative_to(project) for path in (project / "notes").rglob("*")) == notes_before


def test_anki_reviews_join_paper_ones_and_count_once():
    from notebuilder.revision import with_anki

    paper = (Review(DAY, "good"),)
    anki = [Review(DAY - timedelta(days=3), "again", 101), Review(DAY + timedelta(days=2), "good", 102)]
    joined = with_anki(paper, anki)
    assert [review.day for review in joined] == [DAY - timedelta(days=3), DAY, DAY + timedelta(days=2)]
    assert with_anki(joined, anki) == joined  # the same export twice: no change
    assert with_grade(joined, DAY + timedelta(days=2), "hard")[-2:] == (
        Review(DAY + timedelta(days=2), "hard"),
        Review(DAY + timedelta(days=2), "good", 102),
    )  # a paper grade that day leaves Anki's alone


@pytest.mark.e2e
def test_an_anki_export_made_by_anki_round_trips(tmp_path: Path):
    """The deck imported into a real Anki collection (the anki package), reviewed there on
    two days, exported as .colpkg and as .apkg with scheduling: import-anki records those
    reviews on their items, beside a paper grade, once however often it is imported."""
    import genanki
    from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageOptions
    from conftest import run_notebuilder

    project = tmp_path / "subjects"
    shutil.copytree(SUBJECTS, project)
    root = ("--root", str(project))
    assert run_notebuilder("build", *root, "--format", "anki").returncode == 0
    topic = "polity-fundamental-rights"
    (tmp_path / "anki").mkdir()
    collection = Collection(str(tmp_path / "anki" / "collection.anki2"))
    options = ImportAnkiPackageOptions(with_scheduling=True)
    deck = project / "build" / topic / "cards.apkg"
    collection.import_anki_package(ImportAnkiPackageRequest(package_path=str(deck), options=options))
    guids = dict(collection.db.all("select guid, id from notes"))
    printed = run_notebuilder("review", *root, "--topic", topic, "--date", DAY.isoformat(), "--count", "1")
    assert printed.returncode == 0, printed.stderr
    sheet = json.loads((project / "review" / "sheets" / f"{DAY.isoformat()}.json").read_text())
    point = sheet["items"][0]["point"]
    assert run_notebuilder("grade", DAY.isoformat(), "1g", *root).returncode == 0
    note = guids[genanki.guid_for(topic, point)]
    card = collection.get_card(collection.db.scalar("select id from cards where nid = ? order by ord", note))
    card.start_timer()
    collection.sched.answerCard(card, 1)  # Again, today, through Anki's own scheduler
    today = collection.db.scalar("select max(id) from revlog")
    earlier = int(datetime.combine(DAY - timedelta(days=5), time(8), UTC).timestamp() * 1000)
    collection.db.execute(  # an older review in Anki's log: Easy, five days before the paper grade
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "values (?, ?, -1, 4, 3, 0, 2500, 6000, 1)",
        earlier,
        card.id,
    )
    other = collection.new_note(collection.models.by_name("Basic"))
    other["Front"], other["Back"] = "not notebuilder's", "card"
    collection.add_note(other, collection.decks.id("Default"))
    elsewhere = collection.get_card(other.cards()[0].id)
    elsewhere.start_timer()
    collection.sched.answerCard(elsewhere, 3)
    apkg = tmp_path / "deck.apkg"
    collection.export_anki_package(
        out_path=str(apkg),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False),
        limit=None,
    )
    colpkg = tmp_path / "collection.colpkg"
    collection.export_collection_package(str(colpkg), include_media=False, legacy=False)  # closes it

    imported = run_notebuilder("import-anki", str(colpkg), *root)
    assert imported.returncode == 0, imported.stderr
    assert "2 reviews from Anki recorded" in imported.stdout and "1 of cards that are not" in imported.stdout
    log = json.loads((project / "review" / f"{topic}.json").read_text())
    today_day = datetime.fromtimestamp(today / 1000, UTC).date()
    assert log["items"][point] == sorted(
        [
            [(DAY - timedelta(days=5)).isoformat(), "easy", f"anki:{earlier}"],
            [DAY.isoformat(), "good"],
            [today_day.isoformat(), "again", f"anki:{today}"],
        ]
    )
    before = (project / "review" / f"{topic}.json").read_bytes()
    again = run_notebuilder("import-anki", str(apkg), *root)
    assert again.returncode == 0 and "0 reviews from Anki recorded (2 already)" in again.stdout
    assert (project / "review" / f"{topic}.json").read_bytes() == before
    broken = run_notebuilder("import-anki", str(project / "seeds" / "sources.yaml"), *root)
    assert broken.returncode == 2 and "cannot read" in broken.stderr and "Traceback" not in broken.stderr


def test_an_exam_plan_keeps_the_daily_load_and_lifts_recall_on_exam_day():
    from notebuilder.revision import plan_until

    items = [f"t/{number}" for number in range(40)]
    log = {
        "t/0": [Review(DAY - timedelta(days=20), "good")],
        "t/1": [Review(DAY - timedelta(days=2), "again")],
    }
    exam = DAY + timedelta(days=60)
    plan = plan_until(items, log, DAY, exam, per_day=5)
    assert [day for day, _ in plan.days] == [DAY + timedelta(days=n) for n in range(60)]
    assert all(len(chosen) <= 5 for _, chosen in plan.days)
    assert plan.days[0][1][:2] == ("t/1", "t/0")  # the due ones first, least likely recalled first
    assert plan.unreached == ()
    assert all(plan.followed[item] >= plan.stopped[item] for item in items)
    assert plan.stopped["t/5"] == 0.0 and plan.followed["t/5"] > 0.8
    crowded = plan_until(items, log, DAY, DAY + timedelta(days=3), per_day=5)
    reached = {item for _, chosen in crowded.days for item in chosen}
    assert set(crowded.unreached) == set(items) - reached - set(log)  # three days of five: the rest never
    assert len(crowded.unreached) >= 40 - 15 - 2


@pytest.mark.e2e
def test_review_plan_reads_the_exam_from_the_syllabus(tmp_path: Path):
    from conftest import run_notebuilder

    project = tmp_path / "subjects"
    shutil.copytree(SUBJECTS, project)
    root = ("--root", str(project), "--date", DAY.isoformat())
    missing = run_notebuilder("review", "--plan", *root)
    assert missing.returncode == 2 and "exam: 2027-05-24" in missing.stderr
    syllabus = project / "notes" / "syllabus.yaml"
    syllabus.write_text(
        syllabus.read_text() + "exam: 2027-01-30\n" if syllabus.exists() else "exam: 2027-01-30\n"
    )
    planned = run_notebuilder("review", "--plan", "--per-day", "3", *root)
    assert planned.returncode == 0, planned.stderr
    assert "Exam on 2027-01-30, 60 days from 2026-12-01; at most 3 items a day." in planned.stdout
    assert "Fundamental Rights" in planned.stdout and "%" in planned.stdout
    days = re.findall(r"^  \w{3} (\d{4}-\d{2}-\d{2})\s+(\d+)", planned.stdout, re.M)
    assert len(days) == 60 and all(int(count) <= 3 for _, count in days)
    assert not (project / "review").exists()  # a plan records nothing
    wrong = tmp_path / "wrong"
    shutil.copytree(SUBJECTS, wrong)
    (wrong / "notes" / "syllabus.yaml").write_text("exam: next May\n")
    refused = run_notebuilder("check", "--root", str(wrong))
    assert refused.returncode == 1 and "'exam' must be a day written YYYY-MM-DD" in refused.stderr


@pytest.mark.e2e
def test_a_duplex_review_sheet_starts_its_answers_on_a_sheet_of_their_own(tmp_path: Path):
    from conftest import pdf_page_count, run_notebuilder

    project = tmp_path / "subjects"
    shutil.copytree(SUBJECTS, project)
    for duplex in ((), ("--duplex",)):
        day = DAY + timedelta(days=len(duplex))
        printed = run_notebuilder(
            "review", "--root", str(project), "--date", day.isoformat(), "--count", "3", *duplex
        )
        assert printed.returncode == 0, printed.stderr
        pdf = project / "build" / "review" / f"{day.isoformat()}.pdf"
        pages = pdf_page_count(pdf)
        answers = next(page for page in range(1, pages + 1) if "Answers" in pdftotext(pdf, page, page))
        assert answers == (3 if duplex else 2)  # duplex: a recto, so the answers tear off alone
        if duplex:
            assert pdftotext(pdf, 2, 2).strip() == ""  # the blank back carries no running head


@pytest.mark.e2e
def test_grades_survive_a_killed_build(tmp_path: Path):
    """Review state is the student's: a build killed while writing leaves review/ alone."""
    import signal

    from conftest import run_notebuilder, start_build, wait_until_writing

    project = tmp_path / "subjects"
    shutil.copytree(SUBJECTS, project)
    root = ("--root", str(project))
    assert run_notebuilder("review", *root, "--date", DAY.isoformat(), "--count", "2").returncode == 0
    assert run_notebuilder("grade", DAY.isoformat(), "1g", "2a", *root).returncode == 0
    before = {path: path.read_bytes() for path in sorted((project / "review").rglob("*.json"))}
    process = start_build(project, "--format", "pdf", "--force")
    wait_until_writing(process, project / "build")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert {path: path.read_bytes() for path in sorted((project / "review").rglob("*.json"))} == before
    assert not list((project / "review").rglob(".nb-tmp-*"))
