"""Spaced review on paper: what each recall item's memory is, replayed with FSRS.

A recall item is a point with something to recall (a bold span), known by the same
identity as its Anki card (the topic and the point's id), so an edit that keeps the
point keeps its history. Only the grades are kept (a day and a grade each, in
``review/<topic>.json``); each item's memory (stability, difficulty, when it is due, how
likely it is recalled on a given day) is computed from them with the ``fsrs`` package's
scheduler. A paper review happens once a day at most, so the scheduler has no
same-day learning steps: every grade schedules whole days. Reviews made in Anki, read
back from an exported collection, join the paper ones by day. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

GRADES = {"a": "again", "h": "hard", "g": "good", "e": "easy"}  # what a sheet's boxes say
GRADE_CODE = re.compile(r"^(?P<code>\d+)(?P<grade>[ahge])$")


@dataclass(frozen=True)
class Review:
    day: date
    grade: str  # again | hard | good | easy
    anki: int | None = None  # the review's id in Anki's log, for a review made in Anki; None on paper


@dataclass(frozen=True)
class Memory:
    due: date | None  # None: never reviewed (due now)
    recall: float | None  # predicted probability of recall on the day asked; None if never reviewed
    stability: float | None  # days for recall to fall to 90%


def _scheduler():
    from fsrs import Scheduler

    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), UTC)


def _replayed(scheduler, reviews: Sequence[Review]):
    """The FSRS card after its reviews, replayed in date order (paper and Anki alike)."""
    from fsrs import Card, Rating

    ordered = _in_order(reviews)
    card = Card(card_id=0, due=_noon(ordered[0].day))
    for review in ordered:
        card, _ = scheduler.review_card(card, Rating[review.grade.capitalize()], _noon(review.day))
    return card


def memory(reviews: Sequence[Review], on: date) -> Memory:
    """An item's memory on the day ``on``, from its reviews."""
    if not reviews:
        return Memory(None, None, None)
    scheduler = _scheduler()
    card = _replayed(scheduler, reviews)
    recall = scheduler.get_card_retrievability(card, _noon(on))
    return Memory(card.due.date(), recall, card.stability)


def due_items(
    items: Sequence[str], log: Mapping[str, Sequence[Review]], on: date, count: int
) -> list[tuple[str, Memory]]:
    """Up to ``count`` items to review on ``on``: those due by then, the least likely to be
    recalled first, then items never reviewed, in the order given (the booklet's)."""
    memories = {item: memory(log.get(item, ()), on) for item in items}
    order = {item: number for number, item in enumerate(items)}
    due = sorted(
        (item for item, known in memories.items() if known.due is not None and known.due <= on),
        key=lambda item: (memories[item].recall or 0.0, order[item]),
    )
    new = [item for item in items if memories[item].due is None]
    return [(item, memories[item]) for item in (due + new)[:count]]


def parse_grade(text: str) -> tuple[int, str] | None:
    """ "12g" → (12, "good"); None if it is not a code followed by a, h, g or e."""
    match = GRADE_CODE.match(text.strip().lower())
    return (int(match["code"]), GRADES[match["grade"]]) if match else None


def _in_order(reviews) -> tuple[Review, ...]:
    return tuple(sorted(reviews, key=lambda review: (review.day, review.anki or 0)))


def with_grade(reviews: Sequence[Review], day: date, grade: str) -> tuple[Review, ...]:
    """The reviews with the grade given on paper on ``day`` (a second grade for one sheet
    replaces the first; what Anki logged that day stays)."""
    kept = [review for review in reviews if review.day != day or review.anki is not None]
    return _in_order((*kept, Review(day, grade)))


ANKI_EASE = {1: "again", 2: "hard", 3: "good", 4: "easy"}


def with_anki(reviews: Sequence[Review], logged: Sequence[Review]) -> tuple[Review, ...]:
    """The reviews with those Anki logged added, each once (known by its id in Anki's log):
    importing the same export again changes nothing, and paper and Anki interleave by day."""
    known = {review.anki for review in reviews if review.anki is not None}
    return _in_order((*reviews, *(review for review in logged if review.anki not in known)))


@dataclass(frozen=True)
class Plan:
    """Review day by day until the exam, and what each item is likely to be recalled on
    exam day: if the plan is followed, and if reviewing stops now."""

    exam: date
    days: tuple[tuple[date, tuple[str, ...]], ...]  # each day and the items it reviews
    followed: Mapping[str, float]  # item -> predicted recall on exam day, plan followed
    stopped: Mapping[str, float]  # item -> predicted recall on exam day, no more review
    unreached: tuple[str, ...]  # items the plan never reaches at this daily load


def plan_until(
    items: Sequence[str], log: Mapping[str, Sequence[Review]], start: date, exam: date, per_day: int
) -> Plan:
    """A day-by-day plan from ``start`` to the day before ``exam``: each day at most
    ``per_day`` items, those due first (the least likely recalled first), then new ones in
    the order given; each review is taken to be graded Good, as a plan must assume."""
    from fsrs import Card, Rating

    scheduler = _scheduler()
    cards = {item: _replayed(scheduler, log[item]) for item in items if log.get(item)}

    def recall_on(day: date) -> dict[str, float]:
        return {
            item: scheduler.get_card_retrievability(cards[item], _noon(day)) if item in cards else 0.0
            for item in items
        }

    stopped = recall_on(exam)
    days = []
    day = start
    while day < exam:
        due = sorted(
            (item for item in items if item in cards and cards[item].due.date() <= day),
            key=lambda item: scheduler.get_card_retrievability(cards[item], _noon(day)),
        )
        chosen = (due + [item for item in items if item not in cards])[:per_day]
        for item in chosen:
            card = cards.get(item) or Card(card_id=0, due=_noon(day))
            cards[item], _ = scheduler.review_card(card, Rating.Good, _noon(day))
        days.append((day, tuple(chosen)))
        day = date.fromordinal(day.toordinal() + 1)
    unreached = tuple(item for item in items if item not in cards)
    return Plan(exam, tuple(days), recall_on(exam), stopped, unreached)
