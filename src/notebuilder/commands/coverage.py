"""``notebuilder coverage``: what each seed says that no fragment captures yet, and a
``coverage.html`` per topic to read side by side (:mod:`notebuilder.coverage` measures)."""

from __future__ import annotations

from pathlib import Path

from ..build import check_project
from ..coverage import SourceCoverage, source_coverage
from ..errors import UsageError
from ..model import Topic
from ..render import make_environment, render_coverage
from ..scaffold import source_text
from ..write import OutputBatch, output_lock, remove_stray_temporaries


def source_coverage_of(
    root: Path, out: Path, topics: tuple[str, ...] = (), sources: tuple[str, ...] = ()
) -> list[tuple[Topic, list[SourceCoverage]]]:
    """Each topic's coverage of the seeds it cites (or only ``sources``), and its
    ``coverage.html`` written into ``<out>/<topic>/`` (nothing else is touched)."""
    root, out = root.resolve(), out.resolve()
    corpus = check_project(root, topics)
    known = {source.id for source in corpus.sources}
    unknown = [source for source in sources if source not in known]
    if unknown:
        raise UsageError(
            f"no source {', '.join(unknown)} in seeds/sources.yaml; sources are: {', '.join(sorted(known))}"
        )
    environment = make_environment(root)
    reports = []
    for topic in corpus.topics:
        glossary = {entry.term: entry.expansion for entry in topic.glossary}
        results = [
            source_coverage(
                source,
                source_text(root, source),
                topic.fragments,
                glossary,
                topic.title,
            )
            for source in corpus.sources
            if source.id in topic.cited_source_ids and (not sources or source.id in sources)
        ]
        if results or not sources:
            reports.append((topic, results))
    html = {topic.id: render_coverage(environment, topic, results, root) for topic, results in reports}
    with output_lock(out), OutputBatch() as batch:
        remove_stray_temporaries(out)
        for topic_id, page in html.items():
            batch.stage(out / topic_id / "coverage.html").write_text(page, encoding="utf-8")
    return reports
