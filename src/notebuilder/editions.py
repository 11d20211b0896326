"""Editions: what a topic's booklet said when it was printed, and what changed since (pure).

A student re-prints the booklet after adding notes and cannot see what changed since the
copy on the desk. Every PDF build keeps an *edition* of each topic in
``<out>/<topic>/editions.json`` (outputs/edition.py): its points in booklet order, each
with its section, its text, the figures the text gives, the figures its sources dispute
and the sources it cites. A build whose points are the same as the last edition's adds
none. :func:`changes` compares two editions point by point (a point keeps its id across
edits, as its card does); the ``changes`` command prints the result and ``build
--mark-changes`` bars the changed points in the booklet's margin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .figures import read_quantities
from .markup import plain_text

EDITIONS = "editions.json"


def snapshot(document) -> list[dict[str, Any]]:
    """A document's points as an edition keeps them (plain, JSON-ready, booklet order)."""
    points = []
    for section in document.sections:
        for entry in section.points:
            text = plain_text(entry.point.text)
            points.append(
                {
                    "id": entry.point.id,
                    "section": section.title,
                    "text": text,
                    "figures": [quantity.text for quantity in read_quantities(text)],
                    "disputed": {
                        conflict.quantity: {
                            source: figure.value for figure in conflict.figures for source in figure.sources
                        }
                        for conflict in entry.point.conflicts
                    },
                    "sources": list(entry.point.source_ids),
                }
            )
    return points


@dataclass(frozen=True)
class Change:
    kind: str  # new | changed | removed
    point: str
    section: str
    text: str  # the point's text now (removed: as it was)
    was: str = ""  # a changed point's text before, when it changed
    figures: tuple[str, ...] = ()  # "USD 136 billion → USD 140 billion", "trade: — → 135 (a) · 136 (b)"
    sources_added: tuple[str, ...] = ()  # source ids, as the notes cite them
    sources_dropped: tuple[str, ...] = ()
    moved_from: str = ""  # the section it stood in before


def _given(figures: Mapping[str, str]) -> str:
    return " · ".join(f"{figure} ({source})" for source, figure in sorted(figures.items())) or "—"


def _figure_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Each figure of the text that changed, old → new (paired in the order the text gives
    them), and each disputed quantity whose figures changed."""
    lines = []
    old, new = before["figures"], after["figures"]
    for index in range(max(len(old), len(new))):
        was = old[index] if index < len(old) else "—"
        now = new[index] if index < len(new) else "—"
        if was != now:
            lines.append(f"{was} → {now}")
    for quantity in sorted(set(before["disputed"]) | set(after["disputed"])):
        was_given, now_given = before["disputed"].get(quantity, {}), after["disputed"].get(quantity, {})
        if was_given != now_given:
            lines.append(f"{quantity}: {_given(was_given)} → {_given(now_given)}")
    return lines


def _compared(earlier: Mapping[str, Any], point: Mapping[str, Any]) -> Change | None:
    """A point against its earlier self: a change, or None when nothing printed differs."""
    figures = tuple(_figure_changes(earlier, point))
    added = tuple(source for source in point["sources"] if source not in earlier["sources"])
    dropped = tuple(source for source in earlier["sources"] if source not in point["sources"])
    moved_from = earlier["section"] if earlier["section"] != point["section"] else ""
    if not (figures or added or dropped or moved_from) and earlier["text"] == point["text"]:
        return None
    was = earlier["text"] if earlier["text"] != point["text"] else ""
    return Change(
        "changed", point["id"], point["section"], point["text"], was, figures, added, dropped, moved_from
    )


def changes(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> list[Change]:
    """What changed from one edition's points to another's: new and changed points in the
    new booklet's order, then the removed ones in the old booklet's. A point is known by
    its id; one whose id changed (the fragment that named it went) but whose text is the
    same is the same point, not one removed and one new."""
    old = {point["id"]: point for point in before}
    new_ids = {point["id"] for point in after}
    gone = {point["text"]: point for point in before if point["id"] not in new_ids}
    found, paired = [], set()
    for point in after:
        earlier = old.get(point["id"])
        if earlier is None and point["text"] in gone:
            earlier = gone.pop(point["text"])
            paired.add(earlier["id"])
        if earlier is None:
            found.append(Change("new", point["id"], point["section"], point["text"]))
        elif change := _compared(earlier, point):
            found.append(change)
    found += [
        Change("removed", point["id"], point["section"], point["text"])
        for point in before
        if point["id"] not in new_ids and point["id"] not in paired
    ]
    return found


def edition_before(
    editions: Sequence[Mapping[str, Any]], now: Sequence[Mapping[str, Any]], since: str | None
):
    """The edition to compare ``now`` with: ``since`` as an edition's number or a day
    (YYYY-MM-DD: the last edition printed on or before it), else the last edition whose
    points differ from ``now``. None when there is none."""
    if since:
        if since.isdigit():
            return next((edition for edition in editions if edition["number"] == int(since)), None)
        return next((edition for edition in reversed(editions) if edition["date"] <= since), None)
    return next((edition for edition in reversed(editions) if edition["points"] != list(now)), None)


def with_edition(
    editions: Sequence[Mapping[str, Any]], points: Sequence[Mapping[str, Any]], day: str
) -> list:
    """The editions with ``points`` as a new one printed on ``day``, unless they are the
    last edition's points."""
    editions = list(editions)
    if editions and editions[-1]["points"] == list(points):
        return editions
    number = editions[-1]["number"] + 1 if editions else 1
    return [*editions, {"number": number, "date": day, "points": list(points)}]
