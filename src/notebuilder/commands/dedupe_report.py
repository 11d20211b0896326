"""``notebuilder dedupe``: what merged, who states what, conflicts, warnings and near
misses, for review (:func:`notebuilder.dedupe.format_report`)."""

from __future__ import annotations

from pathlib import Path

from ..build import check_project, deduplicate_topics
from ..dedupe import format_report


def dedupe_report(root: Path, topics: tuple[str, ...] = ()) -> str:
    """The grouping, conflicts and near misses of every topic, for review."""
    corpus = check_project(root, topics)
    deduplicated = deduplicate_topics(corpus)
    return "\n".join(
        format_report(candidate, deduplicated[candidate.id])
        for candidate in corpus.topics
        if candidate.id in deduplicated
    )
