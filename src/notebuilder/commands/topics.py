"""``notebuilder topics``: every topic with its paper, subject and counts, and whether its
outputs are up to date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..build import (
    STAMP_PREFIX,
    BuildOptions,
    build_epoch,
    check_project,
    deduplicate_topics,
    input_digest,
    shared_inputs_digest,
)


@dataclass(frozen=True)
class TopicSummary:
    id: str
    paper: str
    subject: str
    fragments: int
    points: int
    built: tuple[str, ...]  # the sets of formats whose outputs are up to date, e.g. ("pdf", "pdf-epub")
    stale: tuple[str, ...]  # the sets of formats built before but out of date now


def summarise_topics(root: Path, out: Path, topics: tuple[str, ...] = ()) -> list[TopicSummary]:
    """Each topic with its counts, and which of its builds in ``out`` are up to date."""
    root = root.resolve()
    corpus = check_project(root, topics)
    deduplicated = deduplicate_topics(corpus)
    build_date = datetime.fromtimestamp(build_epoch(), UTC).strftime("%Y-%m-%d")
    summaries = []
    for topic in corpus.topics:
        built: list[str] = []
        stale: list[str] = []
        directory = out / topic.id
        for stamp in sorted(directory.glob(f"{STAMP_PREFIX}*.sha256")):
            formats = tuple(stamp.name[len(STAMP_PREFIX) : -len(".sha256")].split("-"))
            shared = shared_inputs_digest(root, BuildOptions(root, out, formats), build_date)
            current = stamp.read_text().split("\n", 1)[0] == input_digest(shared, root, corpus, topic)
            (built if current else stale).append("+".join(formats))
        points = len(deduplicated[topic.id].points)
        summaries.append(
            TopicSummary(
                topic.id, topic.paper, topic.subject, len(topic.fragments), points, tuple(built), tuple(stale)
            )
        )
    return summaries
