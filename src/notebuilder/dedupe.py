"""Stage 3, dedupe: merge fragments that state the same fact into points.

Pure: takes a :class:`Topic` and returns its :class:`Point` values. (Foundation version:
fragments sharing an explicit ``key`` merge; every other fragment is its own point.)
"""

from __future__ import annotations

from collections import defaultdict

from .model import Citation, Fragment, Member, Point, Topic


def _merge(group: list[Fragment], reason: str, source_order: dict[str, int]) -> Point:
    group = sorted(group, key=lambda fragment: fragment.id)
    lead = max(group, key=lambda fragment: (len(fragment.text), fragment.id))
    citations = sorted(
        {citation for fragment in group for citation in fragment.citations},
        key=lambda citation: (source_order.get(citation.source, len(source_order)), citation.source, citation.locator or ""),
    )
    return Point(
        id=group[0].key or group[0].id if len(group) > 1 else group[0].id,
        section=lead.section,
        text=lead.text,
        citations=tuple(citations),
        members=tuple(Member(fragment.id, fragment.location) for fragment in group),
        short=lead.short or next((fragment.short for fragment in group if fragment.short), None),
        date=lead.date or next((fragment.date for fragment in group if fragment.date), None),
        tags=tuple(dict.fromkeys(tag for fragment in group for tag in fragment.tags)),
        priority=min((fragment.priority for fragment in group if fragment.priority), default=None),
        branch=lead.branch or next((fragment.branch for fragment in group if fragment.branch), None),
        reason=reason,
    )


def merge_duplicates(topic: Topic, source_order: dict[str, int]) -> tuple[Point, ...]:
    by_key: dict[str, list[Fragment]] = defaultdict(list)
    singles = []
    for fragment in topic.fragments:
        if fragment.key:
            by_key[fragment.key].append(fragment)
        else:
            singles.append([fragment])
    groups = [(group, "key") for group in by_key.values()] + [(group, "single") for group in singles]
    return tuple(sorted((_merge(group, reason, source_order) for group, reason in groups), key=lambda point: point.id))
