"""``notebuilder review`` and ``notebuilder grade``: spaced review on paper.

``review`` prints ``<out>/review/<date>.pdf``: the recall items due by that day, the
least likely to be recalled first, each a question with a short code and four boxes
(Again, Hard, Good, Easy), and the answers on a sheet of their own. It keeps what the
sheet asked in ``review/sheets/<date>.json``. ``grade <date> 12g 13a …`` records the
student's marks from that sheet in ``review/<topic>.json``: a day and a grade for each
item, kept for good (an item whose point goes away keeps its history, and has it back if
the point returns). These files are the student's data: they are written whole or not
at all, and a grade that cannot be read records nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from markupsafe import Markup

from ..build import assemble_document, build_epoch, check_project, deduplicate_topics
from ..errors import Location, NoteError, Problem, UsageError
from ..markup import BOLD_SPAN
from ..pdf import write_pdf
from ..render import layout_directories, make_environment, render_layout
from ..revision import Memory, Review, due_items, parse_grade, plan_until, with_grade
from ..selftest import blanked

REVIEW = "review"  # at the project's root, beside notes/: the student's grades
SHEETS = "sheets"


@dataclass(frozen=True)
class RecallItem:
    topic: str
    point: str  # the point's id: the item's identity, as its Anki card's
    topic_title: str
    section: str
    question: Markup
    answers: tuple[tuple[int, Markup], ...]

    @property
    def key(self) -> str:
        return f"{self.topic}/{self.point}"


@dataclass(frozen=True)
class AskedItem:
    code: int
    item: RecallItem
    memory: Memory


def recall_items(document) -> list[RecallItem]:
    """A topic's points with something to recall (a bold span), in booklet order."""
    items = []
    for section in document.sections:
        for entry in section.points:
            if not BOLD_SPAN.search(entry.point.text):
                continue
            question, answers = blanked(
                entry.point.text, 1, entry.conflicts, language=document.topic.language
            )
            items.append(
                RecallItem(
                    document.topic.id, entry.point.id, document.topic.title, section.title, question, answers
                )
            )
    return items


def _log_path(root: Path, topic: str) -> Path:
    return root / REVIEW / f"{topic}.json"


def _sheet_path(root: Path, day: date) -> Path:
    return root / REVIEW / SHEETS / f"{day.isoformat()}.json"


def read_log(root: Path, topic: str) -> dict[str, tuple[Review, ...]]:
    """A topic's grades by point id (empty before its first review)."""
    path = _log_path(root, topic)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            point: tuple(
                Review(date.fromisoformat(day), grade, *(int(anki[5:]) for anki in rest))
                for day, grade, *rest in reviews
            )
            for point, reviews in data["items"].items()
        }
    except (ValueError, KeyError, TypeError) as error:
        raise NoteError.at(
            Location(f"{REVIEW}/{topic}.json"), f"cannot read the review grades: {error}; it is left as it is"
        ) from None


def _write_whole(path: Path, data: dict) -> None:
    """Write JSON so that the file is either the old one or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=".nb-tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_log(root: Path, topic: str, log: dict[str, tuple[Review, ...]]) -> None:
    items = {
        point: [
            [
                review.day.isoformat(),
                review.grade,
                *([f"anki:{review.anki}"] if review.anki is not None else []),
            ]
            for review in reviews
        ]
        for point, reviews in log.items()
    }
    _write_whole(_log_path(root, topic), {"items": items})


def project_items(root: Path, out: Path, topics: tuple[str, ...]) -> tuple[list[RecallItem], str]:
    """Every recall item of the topics (all, without ``topics``), in booklet order, and the
    language they share (a review sheet's words)."""
    corpus = check_project(root, topics)
    deduplicated = deduplicate_topics(corpus, cache=out / ".cache" / "dedupe")  # the build's own cache
    epoch = build_epoch()
    items: list[RecallItem] = []
    for topic in corpus.topics:
        items += recall_items(assemble_document(corpus, topic, deduplicated[topic.id].points, epoch))
    return items, corpus.language


def _logs(root: Path, items: list[RecallItem]) -> dict[str, tuple[Review, ...]]:
    """The grades of the items' topics, by item key (each topic's log read once)."""
    logs: dict[str, tuple[Review, ...]] = {}
    for topic in sorted({item.topic for item in items}):
        logs |= {f"{topic}/{point}": reviews for point, reviews in read_log(root, topic).items()}
    return logs


def plan_review(
    root: Path, out: Path, topics: tuple[str, ...], day: date, count: int
) -> tuple[list[AskedItem], str]:
    """The items to ask on ``day``, coded 1, 2, 3… in the order they are printed, and the
    language of the sheet."""
    items, language = project_items(root, out, topics)
    logs = _logs(root, items)
    by_key = {item.key: item for item in items}
    chosen = due_items([item.key for item in items], logs, day, count)
    asked = [AskedItem(code, by_key[key], memory) for code, (key, memory) in enumerate(chosen, start=1)]
    return asked, language


def exam_plan(root: Path, out: Path, topics: tuple[str, ...], start: date, per_day: int) -> str:
    """``review --plan``: each topic's predicted recall on exam day (``exam:`` in
    notes/syllabus.yaml), with the plan followed and without more review, and the plan
    day by day, at most ``per_day`` items a day. Returns the text to show."""
    corpus = check_project(root, topics)
    exam = corpus.syllabus.exam if corpus.syllabus else None
    if exam is None:
        raise UsageError("no exam date: add a line such as 'exam: 2027-05-24' to notes/syllabus.yaml")
    if exam <= start:
        raise UsageError(f"the exam ({exam.isoformat()}) is not after {start.isoformat()}; nothing to plan")
    if per_day < 1:
        raise UsageError("--per-day must be at least 1")
    items, _ = project_items(root, out, topics)
    logs = _logs(root, items)
    plan = plan_until([item.key for item in items], logs, start, exam, per_day)
    titles = {item.topic: item.topic_title for item in items}
    lines = [
        f"Exam on {exam.isoformat()}, {(exam - start).days} days from {start.isoformat()}; "
        f"at most {per_day} item{'s' if per_day != 1 else ''} a day.",
        "",
        "Predicted recall on exam day   with the plan   if you stop now",
    ]
    for topic, title in titles.items():
        keys = [item.key for item in items if item.topic == topic]
        followed = sum(plan.followed[key] for key in keys) / len(keys)
        stopped = sum(plan.stopped[key] for key in keys) / len(keys)
        lines.append(f"  {title[:28]:<28} {followed:>12.0%} {stopped:>17.0%}")
    if plan.unreached:
        lines.append(
            f"  {len(plan.unreached)} item{'s are' if len(plan.unreached) != 1 else ' is'} never reached "
            f"at {per_day} a day: raise --per-day"
        )
    lines += ["", "Plan"]
    for day, chosen in plan.days:
        counts: dict[str, int] = {}
        for key in chosen:
            counts[key.split("/")[0]] = counts.get(key.split("/")[0], 0) + 1
        shown = ", ".join(f"{topic} {count}" for topic, count in counts.items()) or "nothing due"
        lines.append(f"  {day.strftime('%a')} {day.isoformat()}  {len(chosen):>3}  {shown}")
    return "\n".join(lines) + "\n"


def print_review(
    root: Path, out: Path, topics: tuple[str, ...], day: date, count: int, duplex: bool = False
) -> tuple[Path, int]:
    """Print the review sheet for ``day`` and keep what it asks; returns the PDF and its item count."""
    asked, language = plan_review(root, out, topics, day, count)
    sheet = _sheet_path(root, day)
    record = {
        "date": day.isoformat(),
        "items": [
            {"code": entry.code, "topic": entry.item.topic, "point": entry.item.point} for entry in asked
        ],
    }
    printed = json.loads(sheet.read_text(encoding="utf-8")) if sheet.is_file() else None
    if printed is not None and printed != record and _graded(root, day, printed["items"]):
        raise UsageError(
            f"the review sheet of {day.isoformat()} has grades recorded already, so it is not printed again "
            f"with other items; print another day's sheet (--date)"
        )
    html = render_layout(
        make_environment(root), "review.html.j2", root, language, day=day, asked=asked, duplex=duplex
    )
    target = out / REVIEW / f"{day.isoformat()}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".nb-tmp-", suffix=".pdf", dir=target.parent)
    os.close(handle)
    try:
        layouts = layout_directories(root)
        write_pdf(html, Path(temporary), layouts[0], (*layouts, out), "pdf/ua-1")
        _write_whole(sheet, record)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target, len(asked)


def _graded(root: Path, day: date, items: list[dict]) -> bool:
    """Whether any item of the sheet of ``day`` has a grade for that day (each log read once)."""
    logs = {topic: read_log(root, topic) for topic in {entry["topic"] for entry in items}}
    return any(
        any(review.day == day for review in logs[entry["topic"]].get(entry["point"], ())) for entry in items
    )


def grade(root: Path, day: date, marks: list[tuple[Location, str]]) -> tuple[int, int]:
    """Record the marks read off the sheet of ``day`` ("12g": item 12, Good); returns how many
    were recorded and how many were already so. Any mark that cannot be read records none."""
    sheet = _sheet_path(root, day)
    if not sheet.is_file():
        raise UsageError(
            f"no review sheet was printed for {day.isoformat()} (notebuilder review --date {day})"
        )
    codes = {
        entry["code"]: (entry["topic"], entry["point"])
        for entry in json.loads(sheet.read_text("utf-8"))["items"]
    }
    problems, wanted = [], {}
    for location, text in marks:
        parsed = parse_grade(text)
        if parsed is None:
            problems.append(
                Problem(location, f"'{text}' is not a mark: write the item's code and a, h, g or e (12g)")
            )
        elif parsed[0] not in codes:
            problems.append(
                Problem(
                    location,
                    f"the sheet of {day.isoformat()} has no item {parsed[0]} (it has 1 to {len(codes)})",
                )
            )
        else:
            wanted[codes[parsed[0]]] = parsed[1]
    if problems:
        raise NoteError(problems)
    recorded = unchanged = 0
    logs = {topic: read_log(root, topic) for topic, _ in wanted}
    for (topic, point), mark in wanted.items():
        before = logs[topic].get(point, ())
        after = with_grade(before, day, mark)
        if after == before:
            unchanged += 1
        else:
            logs[topic][point], recorded = after, recorded + 1
    for topic, log in logs.items():
        write_log(root, topic, log)
    return recorded, unchanged
