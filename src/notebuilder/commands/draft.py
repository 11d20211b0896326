"""``notebuilder draft``: fragments drafted from a seed into ``notes/<topic>/drafts/`` to
edit (:mod:`notebuilder.draft` drafts; never built, never overwritten)."""

from __future__ import annotations

from pathlib import Path

from ..build import check_project, check_topic_names
from ..draft import draft_fragments
from ..errors import UsageError
from ..scaffold import seed_text, write_draft


def draft_from_seed(root: Path, seed: Path, topic_id: str, source_id: str | None) -> tuple[Path, str, int]:
    """Draft fragments from a seed into notes/<topic>/drafts/ (see draft.py)."""
    root = root.resolve()
    check_topic_names(root, (topic_id,))
    corpus = check_project(root, (topic_id,))
    (topic,) = corpus.topics
    if source_id is None:
        registered = [source for source in corpus.sources if source.file == seed.name]
        if not registered:
            raise UsageError(
                f"{seed.name} is not registered in seeds/sources.yaml; register it first "
                "(notebuilder new-source FILE --id ID --title TITLE) or pass --source"
            )
        source_id = registered[0].id
    sources = {source.id: source for source in corpus.sources}
    if source_id not in sources:
        raise UsageError(
            f"no source '{source_id}' in seeds/sources.yaml; sources are: {', '.join(sorted(sources))}"
        )
    shown = seed.resolve().relative_to(root).as_posix() if seed.resolve().is_relative_to(root) else str(seed)
    source = sources[source_id]
    if source.text and seed.name == source.file:  # the prose new-source extracted, with its pages
        seed = root / "seeds" / source.text
        shown = f"seeds/{source.text}"
    text, count = draft_fragments(seed_text(seed), source, topic, shown)
    path, state = write_draft(root, topic_id, source_id, text)
    return path, state, count
